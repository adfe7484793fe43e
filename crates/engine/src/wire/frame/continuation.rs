//! CONTINUATION frames (RFC 9113 §6.10).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, FrameError};
use super::head::{write_frame, FrameHeader, FrameType, END_HEADERS};
use super::require_stream;
use crate::ids::StreamId;

/// A CONTINUATION frame: more of the field block a HEADERS or PUSH_PROMISE started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Continuation {
    pub stream_id: StreamId,
    /// END_HEADERS flag: the field block is complete.
    pub end_headers: bool,
    pub header_block_fragment: Vec<u8>,
}

impl Continuation {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<Continuation, FrameError> {
        require_stream(head)?;
        Ok(Continuation {
            stream_id: StreamId(head.stream_id.into()),
            end_headers: head.has(END_HEADERS),
            header_block_fragment: payload.to_vec(),
        })
    }

    /// The flag byte this frame is sent with.
    pub fn flags(&self) -> u8 {
        if self.end_headers {
            END_HEADERS
        } else {
            0
        }
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        write_frame(
            out,
            FrameType::Continuation,
            self.flags(),
            self.stream_id,
            &self.header_block_fragment,
        )
    }
}
