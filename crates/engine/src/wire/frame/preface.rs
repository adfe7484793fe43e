//! The client connection preface (RFC 9113 §3.4).

use super::error::{FrameError, FrameErrorKind};
use crate::wire::Decoded;

/// RFC 9113 §3.4: the 24 octets a client sends first on every HTTP/2 connection.
pub const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Checks that `buf` starts with the client preface. A buffer that is a strict prefix of it is
/// `Incomplete`; the first differing byte is a PROTOCOL_ERROR at its offset (§3.4).
pub fn decode_preface(buf: &[u8]) -> Result<Decoded<()>, FrameError> {
    if let Some(i) = buf.iter().zip(PREFACE.iter()).position(|(a, b)| a != b) {
        return Err(FrameError::new(FrameErrorKind::BadPreface, i));
    }
    if buf.len() < PREFACE.len() {
        return Ok(Decoded::Incomplete {
            needed: PREFACE.len(),
        });
    }
    Ok(Decoded::Complete {
        item: (),
        len: PREFACE.len(),
    })
}
