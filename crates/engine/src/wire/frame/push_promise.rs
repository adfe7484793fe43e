//! PUSH_PROMISE frames (RFC 9113 §6.6).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ExpectedLen, FrameError, FrameErrorKind};
use super::head::{
    be4, read_u31, wire_stream_id, write_frame, FrameHeader, FrameType, END_HEADERS,
    FRAME_HEADER_LEN, PADDED,
};
use super::{pad, require_stream};
use crate::ids::StreamId;

/// RFC 9113 §6.6: the Promised Stream ID field is 4 octets (R bit + 31 bits).
const PROMISED_ID_LEN: usize = 4;

/// A PUSH_PROMISE frame: the server announces a stream it will push, with the request's
/// field block (fragment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPromise {
    /// The stream the promise is associated with.
    pub stream_id: StreamId,
    /// END_HEADERS flag.
    pub end_headers: bool,
    /// The stream the server reserves for the push; even and non-zero (RFC 9113 §5.1.1).
    pub promised_stream_id: StreamId,
    pub header_block_fragment: Vec<u8>,
    /// The padding bytes iff the PADDED flag is set.
    pub padding: Option<Vec<u8>>,
}

impl PushPromise {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<PushPromise, FrameError> {
        require_stream(head)?;
        let expected = if head.has(PADDED) {
            ExpectedLen::AtLeast(5)
        } else {
            ExpectedLen::AtLeast(4)
        };
        let (body, padding) = pad::split(head, payload, PROMISED_ID_LEN, expected)?;
        let promised = read_u31(be4(body, 0));
        // RFC 9113 §5.1.1, §6.6: the promised stream must be a valid new server-initiated
        // (even, non-zero) stream; anything else is a PROTOCOL_ERROR.
        if promised == 0 || promised % 2 == 1 {
            return Err(FrameError::new(
                FrameErrorKind::BadPromisedStreamId {
                    promised_stream_id: promised,
                },
                FRAME_HEADER_LEN + usize::from(padding.is_some()),
            ));
        }
        Ok(PushPromise {
            stream_id: StreamId(head.stream_id.into()),
            end_headers: head.has(END_HEADERS),
            promised_stream_id: StreamId(promised.into()),
            header_block_fragment: body[PROMISED_ID_LEN..].to_vec(),
            padding: padding.map(<[u8]>::to_vec),
        })
    }

    /// The flag byte this frame is sent with.
    pub fn flags(&self) -> u8 {
        (if self.end_headers { END_HEADERS } else { 0 })
            | (if self.padding.is_some() { PADDED } else { 0 })
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let promised = wire_stream_id(self.promised_stream_id)?;
        let mut payload = Vec::new();
        pad::join(&mut payload, self.padding.as_deref(), |p| {
            p.extend_from_slice(&promised.to_be_bytes());
            p.extend_from_slice(&self.header_block_fragment);
        })?;
        write_frame(
            out,
            FrameType::PushPromise,
            self.flags(),
            self.stream_id,
            &payload,
        )
    }
}
