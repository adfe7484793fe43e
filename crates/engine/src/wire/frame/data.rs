//! DATA frames (RFC 9113 §6.1).

use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ExpectedLen, FrameError};
use super::head::{write_frame, FrameHeader, FrameType, END_STREAM, PADDED};
use super::{pad, require_stream};
use crate::ids::StreamId;

/// A DATA frame: a chunk of a stream's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Data {
    pub stream_id: StreamId,
    /// END_STREAM flag: the sender's last frame on this stream.
    pub end_stream: bool,
    pub data: Vec<u8>,
    /// The padding bytes if the PADDED flag is set (RFC 9113 §6.1 asks senders for zeros;
    /// whatever arrived is kept so the frame re-encodes to the same bytes).
    pub padding: Option<Vec<u8>>,
}

impl Data {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<Data, FrameError> {
        require_stream(head)?;
        let (data, padding) = pad::split(head, payload, 0, ExpectedLen::AtLeast(1))?;
        Ok(Data {
            stream_id: StreamId(head.stream_id.into()),
            end_stream: head.has(END_STREAM),
            data: data.to_vec(),
            padding: padding.map(<[u8]>::to_vec),
        })
    }

    /// The flag byte this frame is sent with.
    pub fn flags(&self) -> u8 {
        (if self.end_stream { END_STREAM } else { 0 })
            | (if self.padding.is_some() { PADDED } else { 0 })
    }

    /// Appends the frame; returns the number of bytes written.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let mut payload = Vec::new();
        pad::join(&mut payload, self.padding.as_deref(), |p| {
            p.extend_from_slice(&self.data)
        })?;
        write_frame(out, FrameType::Data, self.flags(), self.stream_id, &payload)
    }
}
