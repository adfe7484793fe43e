//! HTTP/3 framing (RFC 9114 §7) over QUIC variable-length integers (RFC 9000 §16).
//!
//! [`FrameDecoder::decode`] reads one frame from the front of a buffer: a buffer that ends
//! early is [`Decoded::Incomplete`](crate::wire::Decoded), a malformed frame a
//! [`FrameError`] with its RFC 9114 §8.1 code and byte offset. Which frames are allowed on
//! which stream (control vs request streams, §7.2) is the HTTP/3 state machine's business.

pub mod error;
pub mod frame;
pub mod varint;

pub use error::{EncodeError, Field, FrameError, FrameErrorKind, H3ErrorCode};
pub use frame::{is_reserved, Frame, FrameDecoder, Setting, SettingId};

#[cfg(test)]
mod tests;
