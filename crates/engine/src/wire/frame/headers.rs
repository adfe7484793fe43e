//! HEADERS frames (RFC 9113 §6.2).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ExpectedLen, FrameError};
use super::head::{
    write_frame, FrameHeader, FrameType, END_HEADERS, END_STREAM, FRAME_HEADER_LEN, PADDED,
    PRIORITY,
};
use super::priority::{PrioritySpec, PRIORITY_LEN};
use super::{pad, require_stream};
use crate::ids::StreamId;

/// A HEADERS frame: opens a stream and carries (the start of) a field block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headers {
    pub stream_id: StreamId,
    /// END_STREAM flag: no DATA follows on this stream.
    pub end_stream: bool,
    /// END_HEADERS flag: the field block is complete (no CONTINUATION follows).
    pub end_headers: bool,
    /// Present iff the PRIORITY flag is set.
    pub priority: Option<PrioritySpec>,
    /// The (HPACK-compressed) field block fragment.
    pub header_block_fragment: Vec<u8>,
    /// The padding bytes iff the PADDED flag is set.
    pub padding: Option<Vec<u8>>,
}

impl Headers {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<Headers, FrameError> {
        require_stream(head)?;
        let has_priority = head.has(PRIORITY);
        let (fixed, expected) = match (has_priority, head.has(PADDED)) {
            (true, true) => (PRIORITY_LEN, ExpectedLen::AtLeast(6)),
            (true, false) => (PRIORITY_LEN, ExpectedLen::AtLeast(5)),
            (false, _) => (0, ExpectedLen::AtLeast(1)),
        };
        let (body, padding) = pad::split(head, payload, fixed, expected)?;
        let (priority, fragment) = if has_priority {
            let at = FRAME_HEADER_LEN + usize::from(padding.is_some());
            let (p, rest) = body.split_at(PRIORITY_LEN);
            (Some(PrioritySpec::parse(p, head.stream_id, at)?), rest)
        } else {
            (None, body)
        };
        Ok(Headers {
            stream_id: StreamId(head.stream_id.into()),
            end_stream: head.has(END_STREAM),
            end_headers: head.has(END_HEADERS),
            priority,
            header_block_fragment: fragment.to_vec(),
            padding: padding.map(<[u8]>::to_vec),
        })
    }

    /// The flag byte this frame is sent with.
    pub fn flags(&self) -> u8 {
        (if self.end_stream { END_STREAM } else { 0 })
            | (if self.end_headers { END_HEADERS } else { 0 })
            | (if self.padding.is_some() { PADDED } else { 0 })
            | (if self.priority.is_some() { PRIORITY } else { 0 })
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let mut payload = Vec::new();
        let mut prio = Ok(());
        pad::join(&mut payload, self.padding.as_deref(), |p| {
            if let Some(spec) = &self.priority {
                prio = spec.write(p);
            }
            p.extend_from_slice(&self.header_block_fragment);
        })?;
        prio?;
        write_frame(
            out,
            FrameType::Headers,
            self.flags(),
            self.stream_id,
            &payload,
        )
    }
}
