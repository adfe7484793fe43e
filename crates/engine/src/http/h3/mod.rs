//! HTTP/3 (RFC 9114) over the engine's QUIC, sans-IO: an [`H3Client`] and an [`H3Server`]
//! each wrap one [`crate::transport::quic::Connection`] and speak real HTTP/3 on it.
//!
//! # Bytes
//!
//! Our QUIC model carries stream data as lengths with a `u64` tag, not as bytes. This layer
//! writes real bytes anyway: every write (a stream type, a SETTINGS frame, a HEADERS frame
//! with its QPACK field section, a DATA frame header) is encoded with [`crate::wire::h3`] and
//! [`crate::wire::qpack`], recorded in the sender's [`Ledger`], and handed to QUIC as exactly
//! that many bytes with the ledger index as the tag. Response bodies are the one thing not
//! materialised: a body write is recorded as [`Content::Body`] of `len` bytes with no content.
//! The ledger stands for the payload the datagrams would carry: a receiver is given the peer's
//! ledger with each datagram and reads from it **only** the bytes its QUIC stream delivered in
//! order, then parses them as a real endpoint would (stream types, frames, QPACK), so a
//! malformed or misplaced byte is an error here, not a silent success.
//!
//! # Streams
//!
//! At construction each side opens, as Chrome does, its control stream (RFC 9114 §6.2.1,
//! type 0x00) with its SETTINGS frame, then its QPACK encoder and decoder streams (RFC 9204
//! §4.2, types 0x02 and 0x03). The dynamic table is not used (QPACK_MAX_TABLE_CAPACITY 0,
//! QPACK_BLOCKED_STREAMS 0), so those two streams carry only their type byte. The client
//! sends each request on a new bidirectional stream: one HEADERS frame and FIN (a GET has no
//! content). The server answers with HEADERS, then DATA frames of at most
//! [`H3Config::data_frame_payload`] content bytes each, then FIN.
//!
//! # Priorities
//!
//! The client sends the RFC 9218 `priority` header field (§5) when the priority is not the
//! default, and sets it on its own QUIC stream. The server schedules its response streams by
//! [`Scheduling`]: as the client asked, all sequential, or all round-robin; the QUIC
//! connection's scheduler does the rest (lower urgency first; at equal urgency,
//! non-incremental streams one after the other in stream id order, incremental ones
//! round-robin one STREAM frame at a time).
//!
//! Not modelled: server push (no MAX_PUSH_ID is sent, so a push stream is H3_ID_ERROR,
//! RFC 9114 §4.6), GOAWAY/shutdown, request cancellation, trailers, grease frames and
//! settings, the QPACK dynamic table.

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use core::fmt;
use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::headers::Field as HeaderField;
use crate::ids::{AssetId, PacketNumber, StreamId};
use crate::time::SimTime;
use crate::transport::quic::{
    Config as QuicConfig, Connection, Datagram, QuicEvent, QuicEventKind, Side, StreamError,
};
use crate::wire::h3::{frame, varint, EncodeError, Frame, FrameDecoder, H3ErrorCode, Setting};
use crate::wire::h3::{FrameError, SettingId};
use crate::wire::qpack;
use crate::wire::Decoded;

pub use crate::http::priority::{
    parse_priority, priority_field, Priority, DEFAULT_PRIORITY, MAX_URGENCY,
};

/// RFC 9114 §6.2.1: stream type of a control stream.
pub const STREAM_TYPE_CONTROL: u64 = 0x00;
/// RFC 9114 §6.2.2: stream type of a push stream.
pub const STREAM_TYPE_PUSH: u64 = 0x01;
/// RFC 9204 §4.2: stream type of a QPACK encoder stream.
pub const STREAM_TYPE_QPACK_ENCODER: u64 = 0x02;
/// RFC 9204 §4.2: stream type of a QPACK decoder stream.
pub const STREAM_TYPE_QPACK_DECODER: u64 = 0x03;

/// SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §7.2.4.1) as Chrome announces it: 256 KiB, the
/// same limit as its HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE.
pub const CHROME_MAX_FIELD_SECTION_SIZE: u64 = 262_144;

/// Default content bytes per DATA frame (RFC 9114 §7.2.1 leaves frame sizes to the sender):
/// 16 KiB, the size of the output buffers nginx's HTTP/3 module writes one DATA frame per.
/// Its frame header is 5 bytes (type 0x00 and a 4-byte length varint, RFC 9000 §16).
pub const DEFAULT_DATA_FRAME_PAYLOAD: u64 = 16_384;

/// The priority of the control and QPACK streams: the most urgent of RFC 9218 §4.1's range.
pub const CRITICAL_PRIORITY: Priority = Priority {
    urgency: 0,
    incremental: false,
};

/// The SETTINGS both sides send: no dynamic table (RFC 9204 §5: capacity 0 and 0 blocked
/// streams) and Chrome's field section limit (RFC 9114 §7.2.4.1).
pub fn default_settings() -> Vec<Setting> {
    vec![
        Setting {
            id: SettingId::QpackMaxTableCapacity,
            value: 0,
        },
        Setting {
            id: SettingId::MaxFieldSectionSize,
            value: CHROME_MAX_FIELD_SECTION_SIZE,
        },
        Setting {
            id: SettingId::QpackBlockedStreams,
            value: 0,
        },
    ]
}

/// How the server orders its responses (RFC 9218 §10 leaves the scheduler to the server).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheduling {
    /// Each response gets the priority its request's `priority` field asked for.
    #[default]
    ClientPriority,
    /// Every response at the default urgency, non-incremental: one after the other in
    /// stream id order.
    Sequential,
    /// Every response at the default urgency, incremental: round-robin.
    RoundRobin,
}

/// Everything that shapes one HTTP/3 endpoint. Both ends of a connection take the same one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct H3Config {
    pub quic: QuicConfig,
    /// The SETTINGS frame each side sends on its control stream, in this order.
    pub settings: Vec<Setting>,
    /// Largest content of one DATA frame the server writes (at least 1).
    pub data_frame_payload: u64,
    pub scheduling: Scheduling,
}

impl Default for H3Config {
    fn default() -> Self {
        H3Config {
            quic: QuicConfig::default(),
            settings: default_settings(),
            data_frame_payload: DEFAULT_DATA_FRAME_PAYLOAD,
            scheduling: Scheduling::default(),
        }
    }
}

mod endpoint;
mod event;
mod ledger;
mod recv;
mod send;

use endpoint::{to_qpack, varint_bytes, Endpoint};
pub use event::*;
pub use ledger::*;
use recv::RecvStream;
pub use send::{H3Client, H3Server};
