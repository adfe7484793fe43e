//! HTTP/3 frames (RFC 9114 §7): `type (i) | length (i) | payload`.

use core::fmt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::error::{EncodeError, Field, FrameError, FrameErrorKind};
use super::varint;
use crate::wire::Decoded;

/// RFC 9114 §7.2.1: DATA frame type.
pub const DATA: u64 = 0x00;
/// RFC 9114 §7.2.2: HEADERS frame type.
pub const HEADERS: u64 = 0x01;
/// RFC 9114 §7.2.3: CANCEL_PUSH frame type.
pub const CANCEL_PUSH: u64 = 0x03;
/// RFC 9114 §7.2.4: SETTINGS frame type.
pub const SETTINGS: u64 = 0x04;
/// RFC 9114 §7.2.5: PUSH_PROMISE frame type.
pub const PUSH_PROMISE: u64 = 0x05;
/// RFC 9114 §7.2.6: GOAWAY frame type.
pub const GOAWAY: u64 = 0x07;
/// RFC 9114 §7.2.7: MAX_PUSH_ID frame type.
pub const MAX_PUSH_ID: u64 = 0x0d;
/// RFC 9114 §7.2.8, §11.2.1: HTTP/2 frame types reserved in HTTP/3 (PRIORITY, PING,
/// WINDOW_UPDATE, CONTINUATION); receiving one is H3_FRAME_UNEXPECTED.
pub const HTTP2_ONLY_TYPES: [u64; 4] = [0x02, 0x06, 0x08, 0x09];

/// RFC 9204 §5: SETTINGS_QPACK_MAX_TABLE_CAPACITY.
pub const SETTINGS_QPACK_MAX_TABLE_CAPACITY: u64 = 0x01;
/// RFC 9114 §7.2.4.1: SETTINGS_MAX_FIELD_SECTION_SIZE.
pub const SETTINGS_MAX_FIELD_SECTION_SIZE: u64 = 0x06;
/// RFC 9204 §5: SETTINGS_QPACK_BLOCKED_STREAMS.
pub const SETTINGS_QPACK_BLOCKED_STREAMS: u64 = 0x07;
/// RFC 9114 §7.2.4.1, §11.2.2: HTTP/2 setting identifiers reserved in HTTP/3; receiving one
/// is H3_SETTINGS_ERROR.
pub const HTTP2_ONLY_SETTINGS: [u64; 4] = [0x02, 0x03, 0x04, 0x05];

/// Default payload limit of [`FrameDecoder`]: an implementation limit (RFC 9114 §10.5 asks
/// endpoints to bound what they buffer), not a protocol constant.
pub const DEFAULT_MAX_PAYLOAD_LEN: u64 = 1 << 24;

/// Whether `value` is a reserved "grease" identifier 0x1f * N + 0x21 (RFC 9114 §7.2.8 for
/// frame types, §7.2.4.1 for settings): meaningless, to be ignored.
pub fn is_reserved(value: u64) -> bool {
    value >= 0x21 && (value - 0x21) % 0x1f == 0
}

/// An HTTP/3 setting identifier (RFC 9114 §7.2.4.1, RFC 9204 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SettingId {
    QpackMaxTableCapacity,
    MaxFieldSectionSize,
    QpackBlockedStreams,
    /// Any other identifier (including reserved ones), kept and ignored (§7.2.4).
    Unknown(u64),
}

impl SettingId {
    pub fn from_u64(v: u64) -> SettingId {
        match v {
            SETTINGS_QPACK_MAX_TABLE_CAPACITY => SettingId::QpackMaxTableCapacity,
            SETTINGS_MAX_FIELD_SECTION_SIZE => SettingId::MaxFieldSectionSize,
            SETTINGS_QPACK_BLOCKED_STREAMS => SettingId::QpackBlockedStreams,
            other => SettingId::Unknown(other),
        }
    }

    pub fn to_u64(self) -> u64 {
        match self {
            SettingId::QpackMaxTableCapacity => SETTINGS_QPACK_MAX_TABLE_CAPACITY,
            SettingId::MaxFieldSectionSize => SETTINGS_MAX_FIELD_SECTION_SIZE,
            SettingId::QpackBlockedStreams => SETTINGS_QPACK_BLOCKED_STREAMS,
            SettingId::Unknown(v) => v,
        }
    }
}

impl fmt::Display for SettingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingId::QpackMaxTableCapacity => f.write_str("SETTINGS_QPACK_MAX_TABLE_CAPACITY"),
            SettingId::MaxFieldSectionSize => f.write_str("SETTINGS_MAX_FIELD_SECTION_SIZE"),
            SettingId::QpackBlockedStreams => f.write_str("SETTINGS_QPACK_BLOCKED_STREAMS"),
            SettingId::Unknown(v) => write!(f, "setting 0x{v:x}"),
        }
    }
}

/// One HTTP/3 setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub id: SettingId,
    pub value: u64,
}

/// One HTTP/3 frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    /// RFC 9114 §7.2.1: request or response content.
    Data { data: Vec<u8> },
    /// RFC 9114 §7.2.2: a QPACK-encoded field section.
    Headers { encoded_field_section: Vec<u8> },
    /// RFC 9114 §7.2.3: the client cancels, or the server will not fulfil, a push.
    CancelPush { push_id: u64 },
    /// RFC 9114 §7.2.4: connection parameters, in the order sent.
    Settings { settings: Vec<Setting> },
    /// RFC 9114 §7.2.5: a server push with the request's field section.
    PushPromise {
        push_id: u64,
        encoded_field_section: Vec<u8>,
    },
    /// RFC 9114 §7.2.6: graceful shutdown; a stream id (from a server) or push id (client).
    GoAway { id: u64 },
    /// RFC 9114 §7.2.7: the largest push id the client accepts.
    MaxPushId { push_id: u64 },
    /// RFC 9114 §7.2.8, §9: a type this implementation does not know (reserved 0x1f*N+0x21
    /// types included): kept with its raw payload, otherwise ignored. Never one of the types
    /// above nor an HTTP/2-only type.
    Unknown { frame_type: u64, payload: Vec<u8> },
}

impl Frame {
    /// The frame type on the wire.
    pub fn frame_type(&self) -> u64 {
        match self {
            Frame::Data { .. } => DATA,
            Frame::Headers { .. } => HEADERS,
            Frame::CancelPush { .. } => CANCEL_PUSH,
            Frame::Settings { .. } => SETTINGS,
            Frame::PushPromise { .. } => PUSH_PROMISE,
            Frame::GoAway { .. } => GOAWAY,
            Frame::MaxPushId { .. } => MAX_PUSH_ID,
            Frame::Unknown { frame_type, .. } => *frame_type,
        }
    }

    /// The RFC name of the type, e.g. `PUSH_PROMISE`; `None` for unknown types.
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Frame::Data { .. } => "DATA",
            Frame::Headers { .. } => "HEADERS",
            Frame::CancelPush { .. } => "CANCEL_PUSH",
            Frame::Settings { .. } => "SETTINGS",
            Frame::PushPromise { .. } => "PUSH_PROMISE",
            Frame::GoAway { .. } => "GOAWAY",
            Frame::MaxPushId { .. } => "MAX_PUSH_ID",
            Frame::Unknown { .. } => return None,
        })
    }

    fn payload(&self) -> Result<Vec<u8>, EncodeError> {
        let mut p = Vec::new();
        match self {
            Frame::Data { data: bytes }
            | Frame::Headers {
                encoded_field_section: bytes,
            }
            | Frame::Unknown { payload: bytes, .. } => p.extend_from_slice(bytes),
            Frame::CancelPush { push_id: v }
            | Frame::GoAway { id: v }
            | Frame::MaxPushId { push_id: v } => {
                varint::encode(*v, &mut p)?;
            }
            Frame::Settings { settings } => {
                for s in settings {
                    varint::encode(s.id.to_u64(), &mut p)?;
                    varint::encode(s.value, &mut p)?;
                }
            }
            Frame::PushPromise {
                push_id,
                encoded_field_section,
            } => {
                varint::encode(*push_id, &mut p)?;
                p.extend_from_slice(encoded_field_section);
            }
        }
        Ok(p)
    }

    /// Appends the frame; returns the number of bytes written. On error nothing is appended.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let payload = self.payload()?;
        let mut head = Vec::new();
        varint::encode(self.frame_type(), &mut head)?;
        varint::encode(payload.len() as u64, &mut head)?;
        out.extend_from_slice(&head);
        out.extend_from_slice(&payload);
        Ok(head.len() + payload.len())
    }

    /// The frame's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }
}

/// Reads HTTP/3 frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameDecoder {
    /// Longest payload accepted; longer ones are H3_EXCESSIVE_LOAD, judged before the payload
    /// is awaited.
    pub max_payload_len: u64,
}

impl Default for FrameDecoder {
    fn default() -> FrameDecoder {
        FrameDecoder {
            max_payload_len: DEFAULT_MAX_PAYLOAD_LEN,
        }
    }
}

impl FrameDecoder {
    /// Decodes the frame at the start of `buf`. Error offsets count from the start of `buf`.
    pub fn decode(&self, buf: &[u8]) -> Result<Decoded<Frame>, FrameError> {
        let (frame_type, type_len) = match varint::decode(buf) {
            Decoded::Complete { item, len } => (item, len),
            Decoded::Incomplete { needed } => return Ok(Decoded::Incomplete { needed }),
        };
        // RFC 9114 §7.2.8: HTTP/2-only types are an error whatever their payload.
        if HTTP2_ONLY_TYPES.contains(&frame_type) {
            return Err(FrameError::new(
                FrameErrorKind::Http2OnlyType { frame_type },
                0,
            ));
        }
        let (length, length_len) = match varint::decode(&buf[type_len..]) {
            Decoded::Complete { item, len } => (item, len),
            Decoded::Incomplete { needed } => {
                return Ok(Decoded::Incomplete {
                    needed: type_len + needed,
                })
            }
        };
        if length > self.max_payload_len {
            return Err(FrameError::new(
                FrameErrorKind::TooLarge {
                    length,
                    max: self.max_payload_len,
                },
                type_len,
            ));
        }
        let start = type_len + length_len;
        // `length` fits usize on every target where it is at most max_payload_len bytes that
        // could be in memory; a wrap would only make us ask for more bytes.
        let total = usize::try_from(length)
            .ok()
            .and_then(|l| l.checked_add(start))
            .unwrap_or(usize::MAX);
        let Some(payload) = buf.get(start..total) else {
            return Ok(Decoded::Incomplete { needed: total });
        };
        let frame = decode_payload(frame_type, payload).map_err(|e| e.shifted(start))?;
        Ok(Decoded::Complete {
            item: frame,
            len: total,
        })
    }

    /// Decodes every frame of `buf`, which must end at a frame boundary. Error offsets count
    /// from the start of `buf`.
    pub fn decode_all(&self, buf: &[u8]) -> Result<Decoded<Vec<Frame>>, FrameError> {
        crate::wire::decode_all(buf, |b| self.decode(b))
    }
}

/// Reads a varint that must lie wholly inside the payload (RFC 9114 §7.1).
fn field(payload: &[u8], at: usize, name: Field) -> Result<(u64, usize), FrameError> {
    match varint::decode(payload.get(at..).unwrap_or(&[])) {
        Decoded::Complete { item, len } => Ok((item, at + len)),
        Decoded::Incomplete { .. } => Err(FrameError::new(
            FrameErrorKind::Truncated { field: name },
            at,
        )),
    }
}

/// RFC 9114 §7.1: a payload with bytes after its last field is H3_FRAME_ERROR.
fn end(payload: &[u8], at: usize) -> Result<(), FrameError> {
    if at < payload.len() {
        return Err(FrameError::new(
            FrameErrorKind::TrailingBytes {
                extra: payload.len() - at,
            },
            at,
        ));
    }
    Ok(())
}

/// Decodes a payload; error offsets count from the payload start.
fn decode_payload(frame_type: u64, payload: &[u8]) -> Result<Frame, FrameError> {
    Ok(match frame_type {
        DATA => Frame::Data {
            data: payload.to_vec(),
        },
        HEADERS => Frame::Headers {
            encoded_field_section: payload.to_vec(),
        },
        CANCEL_PUSH | GOAWAY | MAX_PUSH_ID => {
            let name = if frame_type == GOAWAY {
                Field::StreamOrPushId
            } else {
                Field::PushId
            };
            let (v, at) = field(payload, 0, name)?;
            end(payload, at)?;
            match frame_type {
                CANCEL_PUSH => Frame::CancelPush { push_id: v },
                GOAWAY => Frame::GoAway { id: v },
                _ => Frame::MaxPushId { push_id: v },
            }
        }
        SETTINGS => {
            let mut settings: Vec<Setting> = Vec::new();
            let mut seen = BTreeSet::new();
            let mut at = 0;
            while at < payload.len() {
                let id_at = at;
                let (id, next) = field(payload, at, Field::SettingIdentifier)?;
                let (value, next) = field(payload, next, Field::SettingValue)?;
                at = next;
                if HTTP2_ONLY_SETTINGS.contains(&id) {
                    return Err(FrameError::new(FrameErrorKind::Http2Setting { id }, id_at));
                }
                if !seen.insert(id) {
                    return Err(FrameError::new(
                        FrameErrorKind::DuplicateSetting { id },
                        id_at,
                    ));
                }
                settings.push(Setting {
                    id: SettingId::from_u64(id),
                    value,
                });
            }
            Frame::Settings { settings }
        }
        PUSH_PROMISE => {
            let (push_id, at) = field(payload, 0, Field::PushId)?;
            Frame::PushPromise {
                push_id,
                encoded_field_section: payload[at..].to_vec(),
            }
        }
        other => Frame::Unknown {
            frame_type: other,
            payload: payload.to_vec(),
        },
    })
}
