//! Frames of types RFC 9113 does not define (§4.1, §5.5): kept whole, otherwise ignored.

use serde::{Deserialize, Serialize};

use super::error::EncodeError;
use super::head::{write_frame, FrameHeader, FrameType};
use crate::ids::StreamId;

/// A frame of an unknown type, with its raw flags and payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    /// The type byte; never one of 0x00..=0x09.
    pub frame_type: u8,
    pub flags: u8,
    pub stream_id: StreamId,
    pub payload: Vec<u8>,
}

impl Unknown {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Unknown {
        Unknown {
            frame_type: head.frame_type.to_u8(),
            flags: head.flags,
            stream_id: StreamId(head.stream_id.into()),
            payload: payload.to_vec(),
        }
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        write_frame(
            out,
            FrameType::from_u8(self.frame_type),
            self.flags,
            self.stream_id,
            &self.payload,
        )
    }
}
