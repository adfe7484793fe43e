//! HTTP/3 and QPACK error codes (RFC 9114 §8.1, RFC 9204 §6) and HTTP/3 frame errors.

use core::fmt;
use serde::{Deserialize, Serialize};

use super::varint::VarIntTooLarge;

/// An HTTP/3 application error code (RFC 9114 §8.1), including the QPACK ones (RFC 9204 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum H3ErrorCode {
    /// RFC 9114 §8.1: H3_NO_ERROR (0x0100).
    NoError,
    /// RFC 9114 §8.1: H3_GENERAL_PROTOCOL_ERROR (0x0101).
    GeneralProtocolError,
    /// RFC 9114 §8.1: H3_INTERNAL_ERROR (0x0102).
    InternalError,
    /// RFC 9114 §8.1: H3_STREAM_CREATION_ERROR (0x0103).
    StreamCreationError,
    /// RFC 9114 §8.1: H3_CLOSED_CRITICAL_STREAM (0x0104).
    ClosedCriticalStream,
    /// RFC 9114 §8.1: H3_FRAME_UNEXPECTED (0x0105).
    FrameUnexpected,
    /// RFC 9114 §8.1: H3_FRAME_ERROR (0x0106).
    FrameError,
    /// RFC 9114 §8.1: H3_EXCESSIVE_LOAD (0x0107).
    ExcessiveLoad,
    /// RFC 9114 §8.1: H3_ID_ERROR (0x0108).
    IdError,
    /// RFC 9114 §8.1: H3_SETTINGS_ERROR (0x0109).
    SettingsError,
    /// RFC 9114 §8.1: H3_MISSING_SETTINGS (0x010a).
    MissingSettings,
    /// RFC 9114 §8.1: H3_REQUEST_REJECTED (0x010b).
    RequestRejected,
    /// RFC 9114 §8.1: H3_REQUEST_CANCELLED (0x010c).
    RequestCancelled,
    /// RFC 9114 §8.1: H3_REQUEST_INCOMPLETE (0x010d).
    RequestIncomplete,
    /// RFC 9114 §8.1: H3_MESSAGE_ERROR (0x010e).
    MessageError,
    /// RFC 9114 §8.1: H3_CONNECT_ERROR (0x010f).
    ConnectError,
    /// RFC 9114 §8.1: H3_VERSION_FALLBACK (0x0110).
    VersionFallback,
    /// RFC 9204 §6: QPACK_DECOMPRESSION_FAILED (0x0200).
    QpackDecompressionFailed,
    /// RFC 9204 §6: QPACK_ENCODER_STREAM_ERROR (0x0201).
    QpackEncoderStreamError,
    /// RFC 9204 §6: QPACK_DECODER_STREAM_ERROR (0x0202).
    QpackDecoderStreamError,
}

impl H3ErrorCode {
    /// The numeric value (RFC 9114 §8.1, RFC 9204 §6).
    pub fn to_u64(self) -> u64 {
        match self {
            H3ErrorCode::NoError => 0x100,
            H3ErrorCode::GeneralProtocolError => 0x101,
            H3ErrorCode::InternalError => 0x102,
            H3ErrorCode::StreamCreationError => 0x103,
            H3ErrorCode::ClosedCriticalStream => 0x104,
            H3ErrorCode::FrameUnexpected => 0x105,
            H3ErrorCode::FrameError => 0x106,
            H3ErrorCode::ExcessiveLoad => 0x107,
            H3ErrorCode::IdError => 0x108,
            H3ErrorCode::SettingsError => 0x109,
            H3ErrorCode::MissingSettings => 0x10a,
            H3ErrorCode::RequestRejected => 0x10b,
            H3ErrorCode::RequestCancelled => 0x10c,
            H3ErrorCode::RequestIncomplete => 0x10d,
            H3ErrorCode::MessageError => 0x10e,
            H3ErrorCode::ConnectError => 0x10f,
            H3ErrorCode::VersionFallback => 0x110,
            H3ErrorCode::QpackDecompressionFailed => 0x200,
            H3ErrorCode::QpackEncoderStreamError => 0x201,
            H3ErrorCode::QpackDecoderStreamError => 0x202,
        }
    }

    /// The RFC name, e.g. `H3_FRAME_UNEXPECTED`.
    pub fn name(self) -> &'static str {
        match self {
            H3ErrorCode::NoError => "H3_NO_ERROR",
            H3ErrorCode::GeneralProtocolError => "H3_GENERAL_PROTOCOL_ERROR",
            H3ErrorCode::InternalError => "H3_INTERNAL_ERROR",
            H3ErrorCode::StreamCreationError => "H3_STREAM_CREATION_ERROR",
            H3ErrorCode::ClosedCriticalStream => "H3_CLOSED_CRITICAL_STREAM",
            H3ErrorCode::FrameUnexpected => "H3_FRAME_UNEXPECTED",
            H3ErrorCode::FrameError => "H3_FRAME_ERROR",
            H3ErrorCode::ExcessiveLoad => "H3_EXCESSIVE_LOAD",
            H3ErrorCode::IdError => "H3_ID_ERROR",
            H3ErrorCode::SettingsError => "H3_SETTINGS_ERROR",
            H3ErrorCode::MissingSettings => "H3_MISSING_SETTINGS",
            H3ErrorCode::RequestRejected => "H3_REQUEST_REJECTED",
            H3ErrorCode::RequestCancelled => "H3_REQUEST_CANCELLED",
            H3ErrorCode::RequestIncomplete => "H3_REQUEST_INCOMPLETE",
            H3ErrorCode::MessageError => "H3_MESSAGE_ERROR",
            H3ErrorCode::ConnectError => "H3_CONNECT_ERROR",
            H3ErrorCode::VersionFallback => "H3_VERSION_FALLBACK",
            H3ErrorCode::QpackDecompressionFailed => "QPACK_DECOMPRESSION_FAILED",
            H3ErrorCode::QpackEncoderStreamError => "QPACK_ENCODER_STREAM_ERROR",
            H3ErrorCode::QpackDecoderStreamError => "QPACK_DECODER_STREAM_ERROR",
        }
    }
}

impl fmt::Display for H3ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:x})", self.name(), self.to_u64())
    }
}

/// A varint field of an HTTP/3 frame payload (RFC 9114 §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    PushId,
    StreamOrPushId,
    SettingIdentifier,
    SettingValue,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::PushId => "Push ID",
            Field::StreamOrPushId => "Stream ID/Push ID",
            Field::SettingIdentifier => "setting identifier",
            Field::SettingValue => "setting value",
        })
    }
}

/// What was wrong with an HTTP/3 frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrameErrorKind {
    /// An HTTP/2 frame type that HTTP/3 reserves: PRIORITY 0x02, PING 0x06, WINDOW_UPDATE
    /// 0x08, CONTINUATION 0x09 (RFC 9114 §7.2.8, §11.2.1).
    Http2OnlyType { frame_type: u64 },
    /// A declared payload length above this decoder's limit.
    TooLarge { length: u64, max: u64 },
    /// The payload ends inside a field (RFC 9114 §7.1).
    Truncated { field: Field },
    /// The payload has bytes after its last field (RFC 9114 §7.1).
    TrailingBytes { extra: usize },
    /// A SETTINGS identifier HTTP/2 defined and HTTP/3 reserves (RFC 9114 §7.2.4.1).
    Http2Setting { id: u64 },
    /// The same SETTINGS identifier twice (RFC 9114 §7.2.4).
    DuplicateSetting { id: u64 },
}

/// A malformed HTTP/3 frame: what was wrong and the offset of the offending byte from the
/// start of the decoded buffer.
pub type FrameError = crate::wire::Located<FrameErrorKind>;

impl FrameError {
    /// The error code RFC 9114 prescribes.
    pub fn code(&self) -> H3ErrorCode {
        match self.kind {
            FrameErrorKind::Http2OnlyType { .. } => H3ErrorCode::FrameUnexpected,
            FrameErrorKind::TooLarge { .. } => H3ErrorCode::ExcessiveLoad,
            FrameErrorKind::Truncated { .. } | FrameErrorKind::TrailingBytes { .. } => {
                H3ErrorCode::FrameError
            }
            FrameErrorKind::Http2Setting { .. } | FrameErrorKind::DuplicateSetting { .. } => {
                H3ErrorCode::SettingsError
            }
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FrameErrorKind::Http2OnlyType { frame_type } => write!(
                f,
                "frame type 0x{frame_type:x} is an HTTP/2 frame type, not allowed in HTTP/3"
            ),
            FrameErrorKind::TooLarge { length, max } => {
                write!(f, "frame payload length {length} exceeds the limit {max}")
            }
            FrameErrorKind::Truncated { field } => {
                write!(f, "frame payload ends inside its {field}")
            }
            FrameErrorKind::TrailingBytes { extra } => {
                write!(f, "{extra} unexpected bytes after the frame's last field")
            }
            FrameErrorKind::Http2Setting { id } => write!(
                f,
                "setting 0x{id:x} is an HTTP/2 setting, reserved in HTTP/3"
            ),
            FrameErrorKind::DuplicateSetting { id } => {
                write!(f, "setting 0x{id:x} appears more than once")
            }
        }?;
        write!(f, " ({}) at byte offset {}", self.code(), self.offset)
    }
}

impl std::error::Error for FrameError {}

/// An HTTP/3 frame that cannot be put on the wire: some integer exceeds 2^62-1.
pub type EncodeError = VarIntTooLarge;
