//! Padding shared by DATA, HEADERS and PUSH_PROMISE (RFC 9113 §6.1, §6.2, §6.6).

use super::error::{EncodeError, ExpectedLen, FrameError, FrameErrorKind};
use super::head::{FrameHeader, FRAME_HEADER_LEN, PADDED};

/// Splits a payload into the part between the Pad Length byte and the padding, and the
/// padding itself (present iff the PADDED flag is set). `fixed` is the number of bytes of
/// fixed fields the body must hold. Offsets in errors count from the start of the frame.
pub(crate) fn split<'a>(
    head: &FrameHeader,
    payload: &'a [u8],
    fixed: usize,
    expected: ExpectedLen,
) -> Result<(&'a [u8], Option<&'a [u8]>), FrameError> {
    let too_short = || {
        FrameError::new(
            FrameErrorKind::BadLength {
                frame_type: head.frame_type,
                length: head.length,
                expected,
            },
            0,
        )
    };
    if !head.has(PADDED) {
        return if payload.len() < fixed {
            Err(too_short())
        } else {
            Ok((payload, None))
        };
    }
    let (&pad_length, rest) = payload.split_first().ok_or_else(too_short)?;
    if rest.len() < fixed {
        return Err(too_short());
    }
    // RFC 9113 §6.1: padding that is the length of the payload or greater is PROTOCOL_ERROR.
    let room = rest.len() - fixed;
    if usize::from(pad_length) > room {
        return Err(FrameError::new(
            FrameErrorKind::PaddingTooLong { pad_length, room },
            FRAME_HEADER_LEN,
        ));
    }
    let (body, padding) = rest.split_at(rest.len() - usize::from(pad_length));
    Ok((body, Some(padding)))
}

/// Appends `[Pad Length] body [padding]` to a payload under construction.
pub(crate) fn join(
    payload: &mut Vec<u8>,
    padding: Option<&[u8]>,
    body: impl FnOnce(&mut Vec<u8>),
) -> Result<(), EncodeError> {
    match padding {
        None => body(payload),
        Some(p) => {
            let len = u8::try_from(p.len())
                .map_err(|_| EncodeError::PaddingTooLong { length: p.len() })?;
            payload.push(len);
            body(payload);
            payload.extend_from_slice(p);
        }
    }
    Ok(())
}
