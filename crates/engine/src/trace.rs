//! The trace: the contract between engine and app. Everything the app draws comes from here.

use serde::{Deserialize, Serialize};

use crate::ids::{AssetId, ConnId, StreamId};
use crate::page::AssetKind;
use crate::scenario::{Protocol, Scenario};
use crate::time::{SimDuration, SimTime};

/// Bumped whenever the JSON shape of [`Trace`] changes incompatibly.
pub const TRACE_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    pub version: u32,
    /// The scenario this trace was computed from.
    pub scenario: Scenario,
    /// One lane per protocol of the scenario, in the scenario's order.
    pub lanes: Vec<Lane>,
}

/// One protocol loading the whole page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lane {
    pub protocol: Protocol,
    pub connections: Vec<Connection>,
    /// One entry per asset of the page, in page order.
    pub assets: Vec<AssetTiming>,
    /// Everything that happened, in time order (ties in the order they were processed).
    pub events: Vec<Event>,
    pub metrics: Metrics,
}

/// A transport connection and its set-up phases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: ConnId,
    /// The client sent its SYN.
    pub opened: SimTime,
    /// The client received the SYN-ACK (TCP established from its point of view).
    pub tcp_established: SimTime,
    /// The client received the server's TLS Finished and can send application data.
    pub tls_established: SimTime,
}

/// The life of one request, from the moment the browser knew about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetTiming {
    pub asset: AssetId,
    pub path: String,
    pub kind: AssetKind,
    /// Response body bytes.
    pub size: u64,
    pub connection: ConnId,
    /// HTTP/2 stream carrying it; `None` on HTTP/1.1.
    pub stream: Option<StreamId>,
    /// The browser found the reference (in the HTML or CSS bytes received so far).
    pub discovered: SimTime,
    /// Set-up of the connection this request waited for, when it was that connection's first.
    pub connect: Option<ConnectPhases>,
    /// The request's last byte was handed to the transport.
    pub request_sent: SimTime,
    /// The first byte of the response arrived at the client.
    pub first_byte: SimTime,
    /// The last byte of the response arrived at the client.
    pub last_byte: SimTime,
    /// Bytes of request header (HTTP/1.1 text or compressed header block).
    pub request_header_bytes: u64,
    /// Bytes of response header (HTTP/1.1 text or compressed header block).
    pub response_header_bytes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectPhases {
    pub start: SimTime,
    pub tcp_end: SimTime,
    pub tls_end: SimTime,
}

/// Which way bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Client to server.
    Up,
    /// Server to client.
    Down,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: SimTime,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    Discovered {
        asset: AssetId,
        by: Option<AssetId>,
    },
    ConnectionOpened {
        conn: ConnId,
    },
    TcpEstablished {
        conn: ConnId,
    },
    TlsEstablished {
        conn: ConnId,
    },
    RequestSent {
        asset: AssetId,
        conn: ConnId,
        header_bytes: u64,
    },
    FirstByte {
        asset: AssetId,
    },
    Complete {
        asset: AssetId,
    },
    /// A packet left the sender onto the bottleneck; it arrives one serialisation time plus
    /// the one-way delay later.
    PacketSent {
        dir: Direction,
        conn: ConnId,
        bytes: u64,
        arrives: SimTime,
    },
}

/// Summary figures for one lane.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// First byte of the HTML's response.
    pub ttfb: SimDuration,
    /// Last byte of the last asset.
    pub load: SimDuration,
    /// Every byte on the wire, both ways, packet headers included.
    pub bytes_total: u64,
    /// Request and response header bytes (text or compressed blocks).
    pub bytes_headers: u64,
    /// Response bodies.
    pub bytes_payload: u64,
    /// Packet headers, TLS records and HTTP/2 frame headers.
    pub bytes_framing: u64,
    /// TCP and TLS handshakes, HTTP/2 preface and SETTINGS.
    pub bytes_handshake: u64,
    pub packets: u64,
    pub connections: u32,
}
