//! The 9-byte frame header (RFC 9113 §4.1), frame types (§6) and flags.

use core::fmt;
use serde::{Deserialize, Serialize};

use super::error::EncodeError;
use crate::ids::StreamId;

/// RFC 9113 §4.1: every frame starts with a 9-octet header.
pub const FRAME_HEADER_LEN: usize = 9;
/// RFC 9113 §4.2 and §6.5.2: initial SETTINGS_MAX_FRAME_SIZE, and the smallest allowed value.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 1 << 14;
/// RFC 9113 §6.5.2: largest allowed SETTINGS_MAX_FRAME_SIZE (2^24-1), also the largest
/// length the 24-bit Length field can carry (§4.1).
pub const MAX_MAX_FRAME_SIZE: u32 = (1 << 24) - 1;
/// RFC 9113 §4.1: stream identifiers are 31-bit; the top bit is reserved.
pub const MAX_STREAM_ID: u32 = (1 << 31) - 1;

/// RFC 9113 §6.1, §6.2: END_STREAM flag (0x01) on DATA and HEADERS.
pub const END_STREAM: u8 = 0x01;
/// RFC 9113 §6.5, §6.7: ACK flag (0x01) on SETTINGS and PING.
pub const ACK: u8 = 0x01;
/// RFC 9113 §6.2, §6.6, §6.10: END_HEADERS flag (0x04) on HEADERS, PUSH_PROMISE, CONTINUATION.
pub const END_HEADERS: u8 = 0x04;
/// RFC 9113 §6.1, §6.2, §6.6: PADDED flag (0x08) on DATA, HEADERS, PUSH_PROMISE.
pub const PADDED: u8 = 0x08;
/// RFC 9113 §6.2: PRIORITY flag (0x20) on HEADERS.
pub const PRIORITY: u8 = 0x20;

/// A frame type (RFC 9113 §6, §11.2); types it does not define are `Unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FrameType {
    /// RFC 9113 §6.1: DATA (0x00).
    Data,
    /// RFC 9113 §6.2: HEADERS (0x01).
    Headers,
    /// RFC 9113 §6.3: PRIORITY (0x02).
    Priority,
    /// RFC 9113 §6.4: RST_STREAM (0x03).
    RstStream,
    /// RFC 9113 §6.5: SETTINGS (0x04).
    Settings,
    /// RFC 9113 §6.6: PUSH_PROMISE (0x05).
    PushPromise,
    /// RFC 9113 §6.7: PING (0x06).
    Ping,
    /// RFC 9113 §6.8: GOAWAY (0x07).
    GoAway,
    /// RFC 9113 §6.9: WINDOW_UPDATE (0x08).
    WindowUpdate,
    /// RFC 9113 §6.10: CONTINUATION (0x09).
    Continuation,
    /// RFC 9113 §4.1, §5.5: a type this implementation does not know; ignored.
    Unknown(u8),
}

impl FrameType {
    /// The type for a wire value.
    pub fn from_u8(value: u8) -> FrameType {
        match value {
            0x0 => FrameType::Data,
            0x1 => FrameType::Headers,
            0x2 => FrameType::Priority,
            0x3 => FrameType::RstStream,
            0x4 => FrameType::Settings,
            0x5 => FrameType::PushPromise,
            0x6 => FrameType::Ping,
            0x7 => FrameType::GoAway,
            0x8 => FrameType::WindowUpdate,
            0x9 => FrameType::Continuation,
            other => FrameType::Unknown(other),
        }
    }

    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            FrameType::Data => 0x0,
            FrameType::Headers => 0x1,
            FrameType::Priority => 0x2,
            FrameType::RstStream => 0x3,
            FrameType::Settings => 0x4,
            FrameType::PushPromise => 0x5,
            FrameType::Ping => 0x6,
            FrameType::GoAway => 0x7,
            FrameType::WindowUpdate => 0x8,
            FrameType::Continuation => 0x9,
            FrameType::Unknown(v) => v,
        }
    }

    /// The RFC name, e.g. `WINDOW_UPDATE`; `None` for unknown types.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            FrameType::Data => "DATA",
            FrameType::Headers => "HEADERS",
            FrameType::Priority => "PRIORITY",
            FrameType::RstStream => "RST_STREAM",
            FrameType::Settings => "SETTINGS",
            FrameType::PushPromise => "PUSH_PROMISE",
            FrameType::Ping => "PING",
            FrameType::GoAway => "GOAWAY",
            FrameType::WindowUpdate => "WINDOW_UPDATE",
            FrameType::Continuation => "CONTINUATION",
            FrameType::Unknown(_) => return None,
        })
    }

    /// The type with this RFC name (`"HEADERS"`), if any.
    pub fn from_name(name: &str) -> Option<FrameType> {
        (0u8..=9)
            .map(FrameType::from_u8)
            .find(|t| t.name() == Some(name))
    }

    /// The flags RFC 9113 §6 defines for this type, with their names, lowest bit first.
    pub fn defined_flags(self) -> &'static [(u8, &'static str)] {
        match self {
            FrameType::Data => &[(END_STREAM, "END_STREAM"), (PADDED, "PADDED")],
            FrameType::Headers => &[
                (END_STREAM, "END_STREAM"),
                (END_HEADERS, "END_HEADERS"),
                (PADDED, "PADDED"),
                (PRIORITY, "PRIORITY"),
            ],
            FrameType::Settings | FrameType::Ping => &[(ACK, "ACK")],
            FrameType::PushPromise => &[(END_HEADERS, "END_HEADERS"), (PADDED, "PADDED")],
            FrameType::Continuation => &[(END_HEADERS, "END_HEADERS")],
            FrameType::Priority
            | FrameType::RstStream
            | FrameType::GoAway
            | FrameType::WindowUpdate
            | FrameType::Unknown(_) => &[],
        }
    }
}

impl fmt::Display for FrameType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown frame type 0x{:02x}", self.to_u8()),
        }
    }
}

/// The fields of a frame header as on the wire (RFC 9113 §4.1). The reserved bit of the
/// stream identifier is dropped on receipt, as §4.1 requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameHeader {
    /// Payload length in bytes (24 bits).
    pub length: u32,
    pub frame_type: FrameType,
    /// All eight flag bits as received, including ones the type does not define.
    pub flags: u8,
    pub stream_id: u32,
}

impl FrameHeader {
    /// Reads a header from the first 9 bytes; `None` if fewer are present.
    pub fn parse(buf: &[u8]) -> Option<FrameHeader> {
        let h: &[u8; FRAME_HEADER_LEN] = buf.get(..FRAME_HEADER_LEN)?.try_into().ok()?;
        Some(FrameHeader {
            length: u32::from_be_bytes([0, h[0], h[1], h[2]]),
            frame_type: FrameType::from_u8(h[3]),
            flags: h[4],
            stream_id: read_u31([h[5], h[6], h[7], h[8]]),
        })
    }

    /// Whether `flag` is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Appends the 9 header bytes.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.length.to_be_bytes()[1..]);
        out.push(self.frame_type.to_u8());
        out.push(self.flags);
        out.extend_from_slice(&(self.stream_id & MAX_STREAM_ID).to_be_bytes());
    }
}

/// A 31-bit value with the reserved/exclusive top bit cleared.
pub(crate) fn read_u31(b: [u8; 4]) -> u32 {
    u32::from_be_bytes(b) & MAX_STREAM_ID
}

/// The four bytes at `at`; callers check the length first, a short slice gives zeros.
pub(crate) fn be4(payload: &[u8], at: usize) -> [u8; 4] {
    payload
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .unwrap_or([0; 4])
}

/// A stream id checked to fit the 31-bit field.
pub(crate) fn wire_stream_id(id: StreamId) -> Result<u32, EncodeError> {
    u32::try_from(id.0)
        .ok()
        .filter(|&v| v <= MAX_STREAM_ID)
        .ok_or(EncodeError::StreamIdTooLarge { stream_id: id.0 })
}

/// Writes header and payload, checking the payload fits the 24-bit Length field.
pub(crate) fn write_frame(
    out: &mut Vec<u8>,
    frame_type: FrameType,
    flags: u8,
    stream_id: StreamId,
    payload: &[u8],
) -> Result<usize, EncodeError> {
    let stream_id = wire_stream_id(stream_id)?;
    let length = u32::try_from(payload.len())
        .ok()
        .filter(|&l| l <= MAX_MAX_FRAME_SIZE)
        .ok_or(EncodeError::PayloadTooLong {
            length: payload.len(),
        })?;
    FrameHeader {
        length,
        frame_type,
        flags,
        stream_id,
    }
    .write(out);
    out.extend_from_slice(payload);
    Ok(FRAME_HEADER_LEN + payload.len())
}
