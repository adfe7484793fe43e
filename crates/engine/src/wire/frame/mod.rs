//! HTTP/2 frames (RFC 9113 §4, §6): typed frames apart from parsing and building.
//!
//! Every frame type has its own file with a plain struct (the "repr") and its payload codec.
//! [`FrameDecoder::decode`] reads one frame from the front of a buffer and validates it as
//! RFC 9113 says a receiver must: length against SETTINGS_MAX_FRAME_SIZE before anything
//! else, then the type's stream-identifier, length and value rules. Errors carry the §7 code
//! and the offset of the offending byte. A buffer that ends early is not an error but
//! [`Decoded::Incomplete`], so a streaming caller can wait for more bytes.
//!
//! Encoding (`Frame::encode`) writes the flags implied by the struct, so undefined flag bits a
//! peer set are dropped (RFC 9113 §4.1: ignored on receipt, left unset when sending).
//! Connection-level state (which streams exist, CONTINUATION sequencing, flow control) is
//! not checked here: that belongs to the HTTP/2 state machine.

mod continuation;
mod data;
mod error;
mod go_away;
mod head;
mod headers;
mod pad;
mod ping;
mod preface;
mod priority;
mod push_promise;
mod rst_stream;
mod settings;
mod unknown;
mod window_update;

use serde::{Deserialize, Serialize};

pub use continuation::Continuation;
pub use data::Data;
pub use error::{EncodeError, ErrorCode, ExpectedLen, FrameError, FrameErrorKind};
pub use go_away::GoAway;
pub use head::{
    FrameHeader, FrameType, ACK, DEFAULT_MAX_FRAME_SIZE, END_HEADERS, END_STREAM, FRAME_HEADER_LEN,
    MAX_MAX_FRAME_SIZE, MAX_STREAM_ID, PADDED, PRIORITY,
};
pub use headers::Headers;
pub use ping::{Ping, PING_LEN};
pub use preface::{decode_preface, PREFACE};
pub use priority::{Priority, PrioritySpec, PRIORITY_LEN};
pub use push_promise::PushPromise;
pub use rst_stream::{RstStream, RST_STREAM_LEN};
pub use settings::{Setting, SettingId, Settings, MAX_INITIAL_WINDOW_SIZE, SETTING_LEN};
pub use unknown::Unknown;
pub use window_update::{WindowUpdate, MAX_WINDOW_INCREMENT, WINDOW_UPDATE_LEN};

use crate::ids::StreamId;
use crate::wire::Decoded;

/// One HTTP/2 frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    Data(Data),
    Headers(Headers),
    Priority(Priority),
    RstStream(RstStream),
    Settings(Settings),
    PushPromise(PushPromise),
    Ping(Ping),
    GoAway(GoAway),
    WindowUpdate(WindowUpdate),
    Continuation(Continuation),
    Unknown(Unknown),
}

impl Frame {
    /// The frame's type.
    pub fn frame_type(&self) -> FrameType {
        match self {
            Frame::Data(_) => FrameType::Data,
            Frame::Headers(_) => FrameType::Headers,
            Frame::Priority(_) => FrameType::Priority,
            Frame::RstStream(_) => FrameType::RstStream,
            Frame::Settings(_) => FrameType::Settings,
            Frame::PushPromise(_) => FrameType::PushPromise,
            Frame::Ping(_) => FrameType::Ping,
            Frame::GoAway(_) => FrameType::GoAway,
            Frame::WindowUpdate(_) => FrameType::WindowUpdate,
            Frame::Continuation(_) => FrameType::Continuation,
            Frame::Unknown(f) => FrameType::from_u8(f.frame_type),
        }
    }

    /// The stream the frame is on (0 for connection-level frames).
    pub fn stream_id(&self) -> StreamId {
        match self {
            Frame::Data(f) => f.stream_id,
            Frame::Headers(f) => f.stream_id,
            Frame::Priority(f) => f.stream_id,
            Frame::RstStream(f) => f.stream_id,
            Frame::PushPromise(f) => f.stream_id,
            Frame::WindowUpdate(f) => f.stream_id,
            Frame::Continuation(f) => f.stream_id,
            Frame::Unknown(f) => f.stream_id,
            Frame::Settings(_) | Frame::Ping(_) | Frame::GoAway(_) => StreamId(0),
        }
    }

    /// The flag byte the frame is sent with.
    pub fn flags(&self) -> u8 {
        match self {
            Frame::Data(f) => f.flags(),
            Frame::Headers(f) => f.flags(),
            Frame::Settings(f) => f.flags(),
            Frame::PushPromise(f) => f.flags(),
            Frame::Ping(f) => f.flags(),
            Frame::Continuation(f) => f.flags(),
            Frame::Unknown(f) => f.flags,
            Frame::Priority(_)
            | Frame::RstStream(_)
            | Frame::GoAway(_)
            | Frame::WindowUpdate(_) => 0,
        }
    }

    /// Appends the frame (header and payload); returns the number of bytes written. On error
    /// nothing is appended.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let mut buf = Vec::new();
        let n = match self {
            Frame::Data(f) => f.encode(&mut buf),
            Frame::Headers(f) => f.encode(&mut buf),
            Frame::Priority(f) => f.encode(&mut buf),
            Frame::RstStream(f) => f.encode(&mut buf),
            Frame::Settings(f) => f.encode(&mut buf),
            Frame::PushPromise(f) => f.encode(&mut buf),
            Frame::Ping(f) => f.encode(&mut buf),
            Frame::GoAway(f) => f.encode(&mut buf),
            Frame::WindowUpdate(f) => f.encode(&mut buf),
            Frame::Continuation(f) => f.encode(&mut buf),
            Frame::Unknown(f) => f.encode(&mut buf),
        }?;
        out.extend_from_slice(&buf);
        Ok(n)
    }

    /// The frame's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }
}

/// Reads frames with the receiver's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameDecoder {
    /// The SETTINGS_MAX_FRAME_SIZE this endpoint advertised (RFC 9113 §4.2); longer frames
    /// are a FRAME_SIZE_ERROR. Defaults to 16,384.
    pub max_frame_size: u32,
}

impl Default for FrameDecoder {
    fn default() -> FrameDecoder {
        FrameDecoder {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
        }
    }
}

impl FrameDecoder {
    /// A decoder accepting payloads up to `max_frame_size` bytes.
    pub fn new(max_frame_size: u32) -> FrameDecoder {
        FrameDecoder { max_frame_size }
    }

    /// Decodes the frame at the start of `buf`. Error offsets count from the start of `buf`.
    pub fn decode(&self, buf: &[u8]) -> Result<Decoded<Frame>, FrameError> {
        let Some(head) = FrameHeader::parse(buf) else {
            return Ok(Decoded::Incomplete {
                needed: FRAME_HEADER_LEN,
            });
        };
        // RFC 9113 §4.2: a frame exceeding SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR,
        // judged from the header alone, before waiting for (or buffering) its payload.
        if head.length > self.max_frame_size {
            return Err(FrameError::new(
                FrameErrorKind::TooLarge {
                    length: head.length,
                    max_frame_size: self.max_frame_size,
                },
                0,
            ));
        }
        let total = FRAME_HEADER_LEN + head.length as usize;
        let Some(payload) = buf.get(FRAME_HEADER_LEN..total) else {
            return Ok(Decoded::Incomplete { needed: total });
        };
        let frame = decode_payload(&head, payload)?;
        Ok(Decoded::Complete {
            item: frame,
            len: total,
        })
    }

    /// Decodes every frame of `buf`, which must end at a frame boundary. Error offsets count
    /// from the start of `buf`; a truncated last frame is reported as `Incomplete` with the
    /// total length the buffer would need.
    pub fn decode_all(&self, buf: &[u8]) -> Result<Decoded<Vec<Frame>>, FrameError> {
        crate::wire::decode_all(buf, |b| self.decode(b))
    }
}

/// Decodes a payload whose header has been read and length-checked.
fn decode_payload(head: &FrameHeader, payload: &[u8]) -> Result<Frame, FrameError> {
    Ok(match head.frame_type {
        FrameType::Data => Frame::Data(Data::decode(head, payload)?),
        FrameType::Headers => Frame::Headers(Headers::decode(head, payload)?),
        FrameType::Priority => Frame::Priority(Priority::decode(head, payload)?),
        FrameType::RstStream => Frame::RstStream(RstStream::decode(head, payload)?),
        FrameType::Settings => Frame::Settings(Settings::decode(head, payload)?),
        FrameType::PushPromise => Frame::PushPromise(PushPromise::decode(head, payload)?),
        FrameType::Ping => Frame::Ping(Ping::decode(head, payload)?),
        FrameType::GoAway => Frame::GoAway(GoAway::decode(head, payload)?),
        FrameType::WindowUpdate => Frame::WindowUpdate(WindowUpdate::decode(head, payload)?),
        FrameType::Continuation => Frame::Continuation(Continuation::decode(head, payload)?),
        FrameType::Unknown(_) => Frame::Unknown(Unknown::decode(head, payload)),
    })
}

/// Offset of the Stream Identifier field in the frame header (RFC 9113 §4.1).
const STREAM_ID_OFFSET: usize = 5;

/// RFC 9113 §6.1–§6.4, §6.6, §6.10: these frames on stream 0 are a PROTOCOL_ERROR.
fn require_stream(head: &FrameHeader) -> Result<(), FrameError> {
    if head.stream_id == 0 {
        return Err(FrameError::new(
            FrameErrorKind::StreamIdZero {
                frame_type: head.frame_type,
            },
            STREAM_ID_OFFSET,
        ));
    }
    Ok(())
}

/// RFC 9113 §6.5, §6.7, §6.8: these frames on a non-zero stream are a PROTOCOL_ERROR.
fn require_connection(head: &FrameHeader) -> Result<(), FrameError> {
    if head.stream_id != 0 {
        return Err(FrameError::new(
            FrameErrorKind::StreamIdNonZero {
                frame_type: head.frame_type,
                stream_id: head.stream_id,
            },
            STREAM_ID_OFFSET,
        ));
    }
    Ok(())
}

/// A fixed payload length; any other is a FRAME_SIZE_ERROR.
fn exact_len(head: &FrameHeader, len: usize, expected: ExpectedLen) -> Result<(), FrameError> {
    if head.length as usize != len {
        return Err(FrameError::new(
            FrameErrorKind::BadLength {
                frame_type: head.frame_type,
                length: head.length,
                expected,
            },
            0,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
