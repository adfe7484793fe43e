//! SETTINGS frames (RFC 9113 §6.5).

use core::fmt;
use serde::{Deserialize, Serialize};

use super::error::{EncodeError, ExpectedLen, FrameError, FrameErrorKind};
use super::head::{
    be4, write_frame, FrameHeader, FrameType, ACK, DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_LEN,
    MAX_MAX_FRAME_SIZE,
};
use super::require_connection;
use crate::ids::StreamId;

/// RFC 9113 §6.5.1: each setting is a 16-bit identifier and a 32-bit value, 6 octets.
pub const SETTING_LEN: usize = 6;
/// RFC 9113 §6.5.2, §6.9.1: largest SETTINGS_INITIAL_WINDOW_SIZE, 2^31-1.
pub const MAX_INITIAL_WINDOW_SIZE: u32 = (1 << 31) - 1;

/// A setting identifier (RFC 9113 §6.5.2); unknown ones are kept and ignored (§6.5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SettingId {
    /// RFC 9113 §6.5.2: SETTINGS_HEADER_TABLE_SIZE (0x01).
    HeaderTableSize,
    /// RFC 9113 §6.5.2: SETTINGS_ENABLE_PUSH (0x02), 0 or 1.
    EnablePush,
    /// RFC 9113 §6.5.2: SETTINGS_MAX_CONCURRENT_STREAMS (0x03).
    MaxConcurrentStreams,
    /// RFC 9113 §6.5.2: SETTINGS_INITIAL_WINDOW_SIZE (0x04), at most 2^31-1.
    InitialWindowSize,
    /// RFC 9113 §6.5.2: SETTINGS_MAX_FRAME_SIZE (0x05), 2^14 to 2^24-1.
    MaxFrameSize,
    /// RFC 9113 §6.5.2: SETTINGS_MAX_HEADER_LIST_SIZE (0x06).
    MaxHeaderListSize,
    /// An identifier RFC 9113 does not define.
    Unknown(u16),
}

impl SettingId {
    pub fn from_u16(value: u16) -> SettingId {
        match value {
            0x1 => SettingId::HeaderTableSize,
            0x2 => SettingId::EnablePush,
            0x3 => SettingId::MaxConcurrentStreams,
            0x4 => SettingId::InitialWindowSize,
            0x5 => SettingId::MaxFrameSize,
            0x6 => SettingId::MaxHeaderListSize,
            other => SettingId::Unknown(other),
        }
    }

    pub fn to_u16(self) -> u16 {
        match self {
            SettingId::HeaderTableSize => 0x1,
            SettingId::EnablePush => 0x2,
            SettingId::MaxConcurrentStreams => 0x3,
            SettingId::InitialWindowSize => 0x4,
            SettingId::MaxFrameSize => 0x5,
            SettingId::MaxHeaderListSize => 0x6,
            SettingId::Unknown(v) => v,
        }
    }

    /// The RFC name, e.g. `SETTINGS_MAX_FRAME_SIZE`; `None` for unknown identifiers.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            SettingId::HeaderTableSize => "SETTINGS_HEADER_TABLE_SIZE",
            SettingId::EnablePush => "SETTINGS_ENABLE_PUSH",
            SettingId::MaxConcurrentStreams => "SETTINGS_MAX_CONCURRENT_STREAMS",
            SettingId::InitialWindowSize => "SETTINGS_INITIAL_WINDOW_SIZE",
            SettingId::MaxFrameSize => "SETTINGS_MAX_FRAME_SIZE",
            SettingId::MaxHeaderListSize => "SETTINGS_MAX_HEADER_LIST_SIZE",
            SettingId::Unknown(_) => return None,
        })
    }

    /// Whether `value` is allowed for this setting (RFC 9113 §6.5.2).
    pub fn is_valid(self, value: u32) -> bool {
        match self {
            SettingId::EnablePush => value <= 1,
            SettingId::InitialWindowSize => value <= MAX_INITIAL_WINDOW_SIZE,
            SettingId::MaxFrameSize => {
                (DEFAULT_MAX_FRAME_SIZE..=MAX_MAX_FRAME_SIZE).contains(&value)
            }
            _ => true,
        }
    }

    /// The allowed values, in words.
    pub fn allowed(self) -> &'static str {
        match self {
            SettingId::EnablePush => "0 or 1",
            SettingId::InitialWindowSize => "0 to 2147483647",
            SettingId::MaxFrameSize => "16384 to 16777215",
            _ => "any 32-bit value",
        }
    }
}

impl fmt::Display for SettingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "setting 0x{:04x}", self.to_u16()),
        }
    }
}

/// One setting as sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub id: SettingId,
    pub value: u32,
}

/// A SETTINGS frame: a list of parameters in the order sent, or an acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// ACK flag: acknowledges the peer's SETTINGS; then `settings` is empty.
    pub ack: bool,
    pub settings: Vec<Setting>,
}

impl Settings {
    pub(crate) fn decode(head: &FrameHeader, payload: &[u8]) -> Result<Settings, FrameError> {
        require_connection(head)?;
        let ack = head.has(ACK);
        if ack && !payload.is_empty() {
            return Err(FrameError::new(
                FrameErrorKind::SettingsAckWithPayload {
                    length: head.length,
                },
                0,
            ));
        }
        if payload.len() % SETTING_LEN != 0 {
            return Err(FrameError::new(
                FrameErrorKind::BadLength {
                    frame_type: FrameType::Settings,
                    length: head.length,
                    expected: ExpectedLen::MultipleOf(6),
                },
                0,
            ));
        }
        let mut settings = Vec::new();
        for (i, s) in payload.chunks_exact(SETTING_LEN).enumerate() {
            let id = SettingId::from_u16(u16::from_be_bytes([s[0], s[1]]));
            let value = u32::from_be_bytes(be4(s, 2));
            if !id.is_valid(value) {
                return Err(FrameError::new(
                    FrameErrorKind::BadSettingValue { id, value },
                    FRAME_HEADER_LEN + i * SETTING_LEN + 2,
                ));
            }
            settings.push(Setting { id, value });
        }
        Ok(Settings { ack, settings })
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
        let mut payload = Vec::new();
        for s in &self.settings {
            payload.extend_from_slice(&s.id.to_u16().to_be_bytes());
            payload.extend_from_slice(&s.value.to_be_bytes());
        }
        write_frame(
            out,
            FrameType::Settings,
            self.flags(),
            StreamId(0),
            &payload,
        )
    }
}
