//! GOAWAY frames (RFC 9113 §6.8).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ErrorCode, ExpectedLen, FrameError, FrameErrorKind};
use super::head::{be4, read_u31, wire_stream_id, write_frame, FrameHeader, FrameType};
use super::require_connection;
use crate::ids::StreamId;

/// RFC 9113 §6.8: Last-Stream-ID (4 octets) and Error Code (4 octets) precede the debug data.
const GOAWAY_FIXED_LEN: usize = 8;

/// A GOAWAY frame: the sender shuts the connection down after `last_stream_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoAway {
    pub last_stream_id: StreamId,
    pub error_code: ErrorCode,
    /// Opaque diagnostic bytes.
    pub additional_debug_data: Vec<u8>,
}

impl GoAway {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<GoAway, FrameError> {
        require_connection(head)?;
        if payload.len() < GOAWAY_FIXED_LEN {
            return Err(FrameError::new(
                FrameErrorKind::BadLength {
                    frame_type: FrameType::GoAway,
                    length: head.length,
                    expected: ExpectedLen::AtLeast(8),
                },
                0,
            ));
        }
        Ok(GoAway {
            last_stream_id: StreamId(read_u31(be4(payload, 0)).into()),
            error_code: ErrorCode::from_u32(u32::from_be_bytes(be4(payload, 4))),
            additional_debug_data: payload[GOAWAY_FIXED_LEN..].to_vec(),
        })
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let mut payload = Vec::new();
        payload.extend_from_slice(&wire_stream_id(self.last_stream_id)?.to_be_bytes());
        payload.extend_from_slice(&self.error_code.to_u32().to_be_bytes());
        payload.extend_from_slice(&self.additional_debug_data);
        write_frame(out, FrameType::GoAway, 0, StreamId(0), &payload)
    }
}
