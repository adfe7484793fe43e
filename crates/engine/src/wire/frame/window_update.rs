//! WINDOW_UPDATE frames (RFC 9113 §6.9).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ExpectedLen, FrameError, FrameErrorKind};
use super::exact_len;
use super::head::{be4, read_u31, write_frame, FrameHeader, FrameType, FRAME_HEADER_LEN};
use crate::ids::StreamId;

/// RFC 9113 §6.9: a WINDOW_UPDATE payload is exactly 4 octets (R bit + 31-bit increment).
pub const WINDOW_UPDATE_LEN: usize = 4;
/// RFC 9113 §6.9: largest increment, 2^31-1.
pub const MAX_WINDOW_INCREMENT: u32 = (1 << 31) - 1;

/// A WINDOW_UPDATE frame, for one stream or (on stream 0) the whole connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowUpdate {
    pub stream_id: StreamId,
    /// 1..=2^31-1 bytes of extra flow-control window.
    pub window_size_increment: u32,
}

impl WindowUpdate {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<WindowUpdate, FrameError> {
        exact_len(head, WINDOW_UPDATE_LEN, ExpectedLen::Exactly(4))?;
        let increment = read_u31(be4(payload, 0));
        // RFC 9113 §6.9: an increment of 0 is a PROTOCOL_ERROR.
        if increment == 0 {
            return Err(FrameError::new(
                FrameErrorKind::ZeroWindowIncrement,
                FRAME_HEADER_LEN,
            ));
        }
        Ok(WindowUpdate {
            stream_id: StreamId(head.stream_id.into()),
            window_size_increment: increment,
        })
    }

    /// Appends the frame; returns the number of bytes written. The reserved top bit of the
    /// increment is sent as 0, so increments above 2^31-1 lose that bit.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let payload = (self.window_size_increment & MAX_WINDOW_INCREMENT).to_be_bytes();
        write_frame(out, FrameType::WindowUpdate, 0, self.stream_id, &payload)
    }
}
