//! RST_STREAM frames (RFC 9113 §6.4).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ErrorCode, ExpectedLen, FrameError};
use super::head::{be4, write_frame, FrameHeader, FrameType};
use super::{exact_len, require_stream};
use crate::ids::StreamId;

/// RFC 9113 §6.4: a RST_STREAM payload is exactly 4 octets (the error code).
pub const RST_STREAM_LEN: usize = 4;

/// A RST_STREAM frame: ends one stream at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RstStream {
    pub stream_id: StreamId,
    pub error_code: ErrorCode,
}

impl RstStream {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<RstStream, FrameError> {
        require_stream(head)?;
        exact_len(head, RST_STREAM_LEN, ExpectedLen::Exactly(4))?;
        Ok(RstStream {
            stream_id: StreamId(head.stream_id.into()),
            error_code: ErrorCode::from_u32(u32::from_be_bytes(be4(payload, 0))),
        })
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let payload = self.error_code.to_u32().to_be_bytes();
        write_frame(out, FrameType::RstStream, 0, self.stream_id, &payload)
    }
}
