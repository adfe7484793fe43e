//! PRIORITY frames (RFC 9113 §6.3) and the priority fields HEADERS may carry (§6.2).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ExpectedLen, FrameError, FrameErrorKind};
use super::head::{be4, read_u31, wire_stream_id, write_frame, FrameHeader, FrameType};
use super::require_stream;
use crate::ids::StreamId;

/// RFC 9113 §6.3: a PRIORITY payload is exactly 5 octets (dependency + weight).
pub const PRIORITY_LEN: usize = 5;
/// RFC 9113 §6.2, §6.3: the exclusive flag is the top bit of the Stream Dependency field.
const EXCLUSIVE_BIT: u32 = 1 << 31;

/// The deprecated RFC 7540 priority signal (RFC 9113 §5.3.2, §6.3): still on the wire, still
/// decoded, so a trace can show what a browser sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrioritySpec {
    /// E bit: the dependency is exclusive.
    pub exclusive: bool,
    pub stream_dependency: StreamId,
    /// The Weight byte as on the wire; the effective weight is this plus one (1..=256).
    pub weight: u8,
}

impl PrioritySpec {
    /// The effective weight, 1..=256 (RFC 9113 §6.3: wire value plus one).
    pub fn effective_weight(&self) -> u16 {
        u16::from(self.weight) + 1
    }

    /// Reads the 5 priority bytes; `at` is their offset from the frame start, for errors.
    pub(crate) fn parse(b: &[u8], stream_id: u32, at: usize) -> Result<PrioritySpec, FrameError> {
        let raw = u32::from_be_bytes(be4(b, 0));
        let dependency = read_u31(be4(b, 0));
        // RFC 9113 §5.3.1: a stream cannot depend on itself (PROTOCOL_ERROR).
        if dependency == stream_id {
            return Err(FrameError::new(
                FrameErrorKind::SelfDependency { stream_id },
                at,
            ));
        }
        Ok(PrioritySpec {
            exclusive: raw & EXCLUSIVE_BIT != 0,
            stream_dependency: StreamId(dependency.into()),
            weight: b.get(4).copied().unwrap_or(0),
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let dep = wire_stream_id(self.stream_dependency)?;
        let e = if self.exclusive { EXCLUSIVE_BIT } else { 0 };
        out.extend_from_slice(&(dep | e).to_be_bytes());
        out.push(self.weight);
        Ok(())
    }
}

/// A PRIORITY frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    pub stream_id: StreamId,
    pub priority: PrioritySpec,
}

impl Priority {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<Priority, FrameError> {
        require_stream(head)?;
        super::exact_len(head, PRIORITY_LEN, ExpectedLen::Exactly(5))?;
        Ok(Priority {
            stream_id: StreamId(head.stream_id.into()),
            priority: PrioritySpec::parse(payload, head.stream_id, super::FRAME_HEADER_LEN)?,
        })
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let mut payload = Vec::with_capacity(PRIORITY_LEN);
        self.priority.write(&mut payload)?;
        write_frame(out, FrameType::Priority, 0, self.stream_id, &payload)
    }
}
