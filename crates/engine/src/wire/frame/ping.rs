//! PING frames (RFC 9113 §6.7).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ExpectedLen, FrameError};
use super::head::{write_frame, FrameHeader, FrameType, ACK};
use super::{exact_len, require_connection};
use crate::ids::StreamId;

/// RFC 9113 §6.7: a PING payload is exactly 8 octets of opaque data.
pub const PING_LEN: usize = 8;

/// A PING frame, or its acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ping {
    /// ACK flag: this is the answer to a PING.
    pub ack: bool,
    pub opaque_data: [u8; PING_LEN],
}

impl Ping {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<Ping, FrameError> {
        require_connection(head)?;
        exact_len(head, PING_LEN, ExpectedLen::Exactly(8))?;
        let mut opaque_data = [0; PING_LEN];
        opaque_data.copy_from_slice(payload.get(..PING_LEN).unwrap_or(&[0; PING_LEN]));
        Ok(Ping {
            ack: head.has(ACK),
            opaque_data,
        })
    }

    /// The flag byte this frame is sent with.
    pub fn flags(&self) -> u8 {
        if self.ack {
            ACK
        } else {
            0
        }
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        write_frame(
            out,
            FrameType::Ping,
            self.flags(),
            StreamId(0),
            &self.opaque_data,
        )
    }
}
