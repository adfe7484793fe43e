//! HTTP/2 error codes (RFC 9113 §7) and the typed errors of frame decoding and encoding.

use core::fmt;
use serde::{Deserialize, Serialize};

use super::head::FrameType;
use super::settings::SettingId;

/// An HTTP/2 error code as carried by RST_STREAM and GOAWAY (RFC 9113 §7).
///
/// Codes this enum does not name are kept as [`ErrorCode::Unknown`]: RFC 9113 §7 says they
/// MUST NOT trigger special behaviour, and a frame carrying one still round-trips exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    /// RFC 9113 §7: NO_ERROR (0x00), graceful shutdown.
    NoError,
    /// RFC 9113 §7: PROTOCOL_ERROR (0x01), unspecific protocol error.
    ProtocolError,
    /// RFC 9113 §7: INTERNAL_ERROR (0x02), unexpected internal error.
    InternalError,
    /// RFC 9113 §7: FLOW_CONTROL_ERROR (0x03), flow-control protocol violated.
    FlowControlError,
    /// RFC 9113 §7: SETTINGS_TIMEOUT (0x04), SETTINGS not acknowledged in time.
    SettingsTimeout,
    /// RFC 9113 §7: STREAM_CLOSED (0x05), frame received on a half-closed stream.
    StreamClosed,
    /// RFC 9113 §7: FRAME_SIZE_ERROR (0x06), frame with an invalid size.
    FrameSizeError,
    /// RFC 9113 §7: REFUSED_STREAM (0x07), stream refused before any processing.
    RefusedStream,
    /// RFC 9113 §7: CANCEL (0x08), stream no longer needed.
    Cancel,
    /// RFC 9113 §7: COMPRESSION_ERROR (0x09), field block compression context broken.
    CompressionError,
    /// RFC 9113 §7: CONNECT_ERROR (0x0a), CONNECT tunnel reset or closed.
    ConnectError,
    /// RFC 9113 §7: ENHANCE_YOUR_CALM (0x0b), peer generating excessive load.
    EnhanceYourCalm,
    /// RFC 9113 §7: INADEQUATE_SECURITY (0x0c), transport security too weak.
    InadequateSecurity,
    /// RFC 9113 §7: HTTP_1_1_REQUIRED (0x0d), use HTTP/1.1 instead.
    Http11Required,
    /// A code RFC 9113 §7 does not define, kept as received.
    Unknown(u32),
}

impl ErrorCode {
    /// The code for a numeric value; values RFC 9113 §7 does not define become `Unknown`.
    pub fn from_u32(value: u32) -> ErrorCode {
        match value {
            0x0 => ErrorCode::NoError,
            0x1 => ErrorCode::ProtocolError,
            0x2 => ErrorCode::InternalError,
            0x3 => ErrorCode::FlowControlError,
            0x4 => ErrorCode::SettingsTimeout,
            0x5 => ErrorCode::StreamClosed,
            0x6 => ErrorCode::FrameSizeError,
            0x7 => ErrorCode::RefusedStream,
            0x8 => ErrorCode::Cancel,
            0x9 => ErrorCode::CompressionError,
            0xa => ErrorCode::ConnectError,
            0xb => ErrorCode::EnhanceYourCalm,
            0xc => ErrorCode::InadequateSecurity,
            0xd => ErrorCode::Http11Required,
            other => ErrorCode::Unknown(other),
        }
    }

    /// The numeric value on the wire (RFC 9113 §7).
    pub fn to_u32(self) -> u32 {
        match self {
            ErrorCode::NoError => 0x0,
            ErrorCode::ProtocolError => 0x1,
            ErrorCode::InternalError => 0x2,
            ErrorCode::FlowControlError => 0x3,
            ErrorCode::SettingsTimeout => 0x4,
            ErrorCode::StreamClosed => 0x5,
            ErrorCode::FrameSizeError => 0x6,
            ErrorCode::RefusedStream => 0x7,
            ErrorCode::Cancel => 0x8,
            ErrorCode::CompressionError => 0x9,
            ErrorCode::ConnectError => 0xa,
            ErrorCode::EnhanceYourCalm => 0xb,
            ErrorCode::InadequateSecurity => 0xc,
            ErrorCode::Http11Required => 0xd,
            ErrorCode::Unknown(v) => v,
        }
    }

    /// The RFC name, e.g. `PROTOCOL_ERROR`; `None` for unknown codes.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            ErrorCode::NoError => "NO_ERROR",
            ErrorCode::ProtocolError => "PROTOCOL_ERROR",
            ErrorCode::InternalError => "INTERNAL_ERROR",
            ErrorCode::FlowControlError => "FLOW_CONTROL_ERROR",
            ErrorCode::SettingsTimeout => "SETTINGS_TIMEOUT",
            ErrorCode::StreamClosed => "STREAM_CLOSED",
            ErrorCode::FrameSizeError => "FRAME_SIZE_ERROR",
            ErrorCode::RefusedStream => "REFUSED_STREAM",
            ErrorCode::Cancel => "CANCEL",
            ErrorCode::CompressionError => "COMPRESSION_ERROR",
            ErrorCode::ConnectError => "CONNECT_ERROR",
            ErrorCode::EnhanceYourCalm => "ENHANCE_YOUR_CALM",
            ErrorCode::InadequateSecurity => "INADEQUATE_SECURITY",
            ErrorCode::Http11Required => "HTTP_1_1_REQUIRED",
            ErrorCode::Unknown(_) => return None,
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (0x{:x})", self.to_u32()),
            None => write!(f, "unknown error code 0x{:x}", self.to_u32()),
        }
    }
}

/// The payload length a frame type requires (RFC 9113 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedLen {
    Exactly(u32),
    AtLeast(u32),
    MultipleOf(u32),
}

impl fmt::Display for ExpectedLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedLen::Exactly(n) => write!(f, "exactly {n}"),
            ExpectedLen::AtLeast(n) => write!(f, "at least {n}"),
            ExpectedLen::MultipleOf(n) => write!(f, "a multiple of {n}"),
        }
    }
}

/// What was wrong with a frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrameErrorKind {
    /// The declared payload length exceeds the receiver's SETTINGS_MAX_FRAME_SIZE (§4.2).
    TooLarge { length: u32, max_frame_size: u32 },
    /// The frame type needs a non-zero stream identifier but got 0 (§6).
    StreamIdZero { frame_type: FrameType },
    /// The frame type is connection-level but got a non-zero stream identifier (§6).
    StreamIdNonZero {
        frame_type: FrameType,
        stream_id: u32,
    },
    /// The payload length is not what the frame type requires (§4.2, §6).
    BadLength {
        frame_type: FrameType,
        length: u32,
        expected: ExpectedLen,
    },
    /// The Pad Length leaves no room for the rest of the payload (§6.1, §6.2, §6.6).
    PaddingTooLong { pad_length: u8, room: usize },
    /// A SETTINGS frame with the ACK flag carries a payload (§6.5).
    SettingsAckWithPayload { length: u32 },
    /// A SETTINGS parameter has a value outside its allowed range (§6.5.2).
    BadSettingValue { id: SettingId, value: u32 },
    /// A WINDOW_UPDATE increment of 0 (§6.9).
    ZeroWindowIncrement,
    /// A PUSH_PROMISE promises stream 0 or a client-initiated (odd) stream (§5.1.1, §6.6).
    BadPromisedStreamId { promised_stream_id: u32 },
    /// A HEADERS or PRIORITY frame makes a stream depend on itself (§5.3.1).
    SelfDependency { stream_id: u32 },
    /// The bytes do not start with the client connection preface (§3.4).
    BadPreface,
}

/// A malformed frame: what was wrong, the RFC 9113 §7 code a receiver answers with, and the
/// offset of the offending byte from the start of the decoded buffer.
pub type FrameError = crate::wire::Located<FrameErrorKind>;

impl FrameError {
    /// The error code RFC 9113 prescribes for this error.
    pub fn code(&self) -> ErrorCode {
        match &self.kind {
            FrameErrorKind::TooLarge { .. }
            | FrameErrorKind::BadLength { .. }
            | FrameErrorKind::SettingsAckWithPayload { .. } => ErrorCode::FrameSizeError,
            FrameErrorKind::BadSettingValue {
                id: SettingId::InitialWindowSize,
                ..
            } => ErrorCode::FlowControlError,
            FrameErrorKind::StreamIdZero { .. }
            | FrameErrorKind::StreamIdNonZero { .. }
            | FrameErrorKind::PaddingTooLong { .. }
            | FrameErrorKind::BadSettingValue { .. }
            | FrameErrorKind::ZeroWindowIncrement
            | FrameErrorKind::BadPromisedStreamId { .. }
            | FrameErrorKind::SelfDependency { .. }
            | FrameErrorKind::BadPreface => ErrorCode::ProtocolError,
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FrameErrorKind::TooLarge {
                length,
                max_frame_size,
            } => write!(
                f,
                "frame length {length} exceeds SETTINGS_MAX_FRAME_SIZE {max_frame_size}"
            ),
            FrameErrorKind::StreamIdZero { frame_type } => {
                write!(f, "{frame_type} frame on stream 0; it must be on a stream")
            }
            FrameErrorKind::StreamIdNonZero {
                frame_type,
                stream_id,
            } => write!(
                f,
                "{frame_type} frame on stream {stream_id}; it must be on stream 0"
            ),
            FrameErrorKind::BadLength {
                frame_type,
                length,
                expected,
            } => write!(
                f,
                "{frame_type} frame with payload length {length}; expected {expected}"
            ),
            FrameErrorKind::PaddingTooLong { pad_length, room } => write!(
                f,
                "Pad Length {pad_length} exceeds the {room} payload bytes left for padding"
            ),
            FrameErrorKind::SettingsAckWithPayload { length } => write!(
                f,
                "SETTINGS frame with ACK flag and payload length {length}; an ACK must be empty"
            ),
            FrameErrorKind::BadSettingValue { id, value } => {
                write!(f, "{id} value {value} out of range: allowed {}", id.allowed())
            }
            FrameErrorKind::ZeroWindowIncrement => {
                write!(f, "WINDOW_UPDATE increment 0; it must be 1 to 2^31-1")
            }
            FrameErrorKind::BadPromisedStreamId { promised_stream_id } => write!(
                f,
                "PUSH_PROMISE promises stream {promised_stream_id}; it must be a non-zero even (server-initiated) stream"
            ),
            FrameErrorKind::SelfDependency { stream_id } => {
                write!(f, "stream {stream_id} depends on itself")
            }
            FrameErrorKind::BadPreface => write!(
                f,
                "not the client connection preface \"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\""
            ),
        }?;
        write!(f, " ({}) at byte offset {}", self.code(), self.offset)
    }
}

impl std::error::Error for FrameError {}

/// A typed frame that cannot be put on the wire as it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncodeError {
    /// A stream identifier above 2^31-1 (RFC 9113 §4.1: 31 bits).
    StreamIdTooLarge { stream_id: u64 },
    /// A payload longer than the 24-bit length field allows (RFC 9113 §4.1).
    PayloadTooLong { length: usize },
    /// More than 255 bytes of padding (RFC 9113 §6.1: 8-bit Pad Length).
    PaddingTooLong { length: usize },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::StreamIdTooLarge { stream_id } => {
                write!(f, "stream id {stream_id} does not fit in 31 bits")
            }
            EncodeError::PayloadTooLong { length } => {
                write!(
                    f,
                    "payload of {length} bytes exceeds the 24-bit length field (max 16777215)"
                )
            }
            EncodeError::PaddingTooLong { length } => {
                write!(
                    f,
                    "{length} bytes of padding; at most 255 fit the Pad Length field"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}
