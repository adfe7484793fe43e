//! The trace: the contract between engine and app. Everything the app draws comes from here.
//! (One file past 600 lines: the contract is kept whole, every type of it side by side.)

use serde::{Deserialize, Serialize};

use crate::ids::{AssetId, ConnId, StreamId};
pub use crate::link::Direction;
use crate::link::DropReason;
use crate::page::AssetKind;
use crate::scenario::{Protocol, Scenario};
use crate::time::{SimDuration, SimTime};
use crate::transport::quic::LossReason;
use crate::transport::tcp::LossDetection;
use crate::wire::hpack::{HeaderField, Representation};

/// Bumped whenever the JSON shape of [`Trace`] changes incompatibly.
pub const TRACE_VERSION: u32 = 3;

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
    /// HPACK: every header block the lane's HTTP/2 endpoints encoded, in the order written
    /// (empty on HTTP/1.1 and, for now, HTTP/3).
    #[serde(default)]
    pub header_blocks: Vec<HeaderBlock>,
}

impl Lane {
    /// The header list of every block of [`Lane::header_blocks`], in the same order:
    /// indexed fields resolved through the static table (RFC 7541 Appendix A) and each
    /// connection and direction's dynamic table as the blocks build it (§2.3, §4.4; the
    /// engine's encoders keep the default 4,096-octet table of §4.2).
    pub fn header_lists(&self) -> Vec<Vec<HeaderField>> {
        use crate::wire::hpack::{DEFAULT_TABLE_SIZE, STATIC_TABLE};
        let mut tables: Vec<((ConnId, Direction), Vec<HeaderField>)> = Vec::new();
        self.header_blocks
            .iter()
            .map(|b| {
                let key = (b.conn, b.dir);
                let i = tables.iter().position(|t| t.0 == key).unwrap_or_else(|| {
                    tables.push((key, Vec::new()));
                    tables.len() - 1
                });
                let table = &mut tables[i].1;
                let mut list = Vec::with_capacity(b.fields.len());
                for f in &b.fields {
                    let field = match (f.rep, f.index) {
                        (RepKind::SizeUpdate, _) => continue,
                        (RepKind::Indexed, Some(ix)) if (1..=STATIC_TABLE.len()).contains(&ix) => {
                            let (n, v) = STATIC_TABLE[ix - 1];
                            HeaderField::new(n, v)
                        }
                        (RepKind::Indexed, Some(ix)) => table
                            .get(ix.saturating_sub(STATIC_TABLE.len() + 1))
                            .cloned()
                            .unwrap_or_else(|| HeaderField::new("", "")),
                        _ => HeaderField::new(&f.name, &f.value),
                    };
                    if f.rep == RepKind::Incremental {
                        table.insert(0, field.clone());
                        // RFC 7541 §4.4: evict from the end until the table fits.
                        let mut size: usize = table.iter().map(HeaderField::size).sum();
                        while size > DEFAULT_TABLE_SIZE {
                            let Some(old) = table.pop() else { break };
                            size -= old.size();
                        }
                    }
                    list.push(field);
                }
                if let Some(t) = &b.table {
                    table.clone_from(t);
                }
                list
            })
            .collect()
    }
}

/// One HPACK header block (RFC 7541 §3) as written in a HEADERS or PUSH_PROMISE frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderBlock {
    pub at: SimTime,
    pub conn: ConnId,
    /// `up`: the client's encoder; `down`: the server's.
    pub dir: Direction,
    /// The stream of the frame carrying the block.
    pub stream: StreamId,
    /// The frame type carrying it: `HEADERS` or `PUSH_PROMISE`.
    pub frame: String,
    pub asset: Option<AssetId>,
    /// The block's octets, lower-case hex.
    pub bytes: String,
    /// Each representation in the block, in order.
    pub fields: Vec<HeaderRep>,
    /// RFC 7541 §4.1: the encoder's dynamic table size after the block, octets.
    pub table_size: usize,
    /// The dynamic table after the block, newest entry first (HPACK index 62). Recorded only
    /// when it is not simply the same direction's previous table (on this connection) with
    /// this block's `incremental` fields inserted at the front, newest first (RFC 7541 §4.4:
    /// then nothing was evicted); `None` means exactly that, so the app rebuilds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Vec<HeaderField>>,
}

/// RFC 7541 §6: which representation a header block item uses (short names: the trace
/// carries hundreds of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepKind {
    /// §6.1: an index into the static or dynamic table.
    Indexed,
    /// §6.2.1: a literal added to the dynamic table.
    Incremental,
    /// §6.2.2: a literal not added.
    NotIndexed,
    /// §6.2.3: a literal never to be indexed.
    NeverIndexed,
    /// §6.3: a dynamic table size update.
    SizeUpdate,
}

impl From<Representation> for RepKind {
    fn from(r: Representation) -> RepKind {
        match r {
            Representation::Indexed => RepKind::Indexed,
            Representation::LiteralWithIncrementalIndexing => RepKind::Incremental,
            Representation::LiteralWithoutIndexing => RepKind::NotIndexed,
            Representation::LiteralNeverIndexed => RepKind::NeverIndexed,
            Representation::SizeUpdate => RepKind::SizeUpdate,
        }
    }
}

/// One representation of a header block (RFC 7541 §6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderRep {
    /// The field's name and value; empty for an `indexed` field, which is the table entry
    /// its `index` names ([`Lane::header_lists`] resolves them), to keep the trace small.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    pub rep: RepKind,
    /// The index used: the whole field's for `indexed`, the name's for a literal with an
    /// indexed name (RFC 7541 §2.3.3: 1–61 static, 62 on dynamic); `None` for a literal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// A literal string of it (name or value) was Huffman coded (RFC 7541 §5.2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub huffman: bool,
}

/// A transport connection and its set-up phases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: ConnId,
    /// The client sent its SYN (QUIC: its first Initial).
    pub opened: SimTime,
    /// The client received the SYN-ACK (TCP established from its point of view). QUIC merges
    /// the transport and TLS handshakes (RFC 9001 §4): the same instant as `tls_established`.
    pub tcp_established: SimTime,
    /// The client received the server's TLS Finished and can send application data (QUIC:
    /// 1-RTT keys are ready).
    pub tls_established: SimTime,
    /// The server's congestion window (it sends the responses), at every change.
    pub cwnd: Vec<CwndSample>,
    /// The server's RTT samples and smoothed RTT (RFC 6298).
    pub rtt: Vec<RttSample>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CwndSample {
    pub at: SimTime,
    /// Bytes.
    pub cwnd: u64,
    /// Slow-start threshold, bytes; `None` until the first loss.
    pub ssthresh: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RttSample {
    pub at: SimTime,
    pub latest: SimDuration,
    pub srtt: SimDuration,
    pub rto: SimDuration,
}

/// A time an asset's request or response could not make progress, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub from: SimTime,
    pub to: SimTime,
    pub cause: BlockedCause,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum BlockedCause {
    /// Response bytes had arrived but TCP held them back (in-order delivery) until the
    /// missing sequence range [missing_from, missing_to) of connection `conn` arrived.
    TcpHeadOfLine {
        conn: ConnId,
        missing_from: u64,
        missing_to: u64,
    },
    /// HTTP/1.1: every allowed connection to the host was busy with another request.
    ConnectionLimit,
    /// The browser held the request back before sending it: Blink's tight mode until the
    /// parser inserts `<body>`, when a low-priority request waits while two others are
    /// running ([`crate::browser::schedule`]).
    Scheduler,
    /// HTTP/1.1 pipelining: the response had to wait for `behind`'s response, requested
    /// earlier on the same connection (RFC 9112 §9.3.2: responses come back in order).
    PipelineHeadOfLine { conn: ConnId, behind: AssetId },
    /// HTTP/2: the server had response bytes ready but no flow-control credit (RFC 9113
    /// §5.2): the stream's own window (`stream` is `Some`) or the connection's (`None`)
    /// was used up until the client's WINDOW_UPDATE arrived.
    FlowControl {
        conn: ConnId,
        stream: Option<StreamId>,
    },
    /// The server had response bytes ready but its congestion window was full.
    CongestionWindow { conn: ConnId },
    /// HTTP/3: bytes of this asset's QUIC stream `stream` had arrived, but the stream could
    /// not deliver them in order (RFC 9000 §2.2) until bytes from `offset` on, first sent in
    /// the lost packet number `packet`, were retransmitted. Only this stream waited.
    QuicStreamHeadOfLine {
        conn: ConnId,
        stream: StreamId,
        offset: u64,
        packet: u64,
    },
}

/// Where an asset's response came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The browser requested it when it found the reference.
    #[default]
    Request,
    /// The browser requested it when a `103 Early Hints` preload named it (RFC 8297).
    EarlyHint,
    /// The server pushed it (RFC 9113 §8.4) and the browser used the push.
    Push,
    /// Fresh in the cache (a warm visit): nothing went on the wire for it.
    Cache,
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
    /// HTTP/2 stream or QUIC stream carrying it; `None` on HTTP/1.1.
    pub stream: Option<StreamId>,
    /// The browser found the reference (in the HTML or CSS bytes received so far).
    pub discovered: SimTime,
    /// Set-up of the connection this request waited for, when it was that connection's first.
    pub connect: Option<ConnectPhases>,
    /// The request's last byte was handed to the transport; `None`: it never was (the lane
    /// stopped at its time limit first).
    pub request_sent: Option<SimTime>,
    /// The first byte of the response arrived at the client; `None`: it never did.
    pub first_byte: Option<SimTime>,
    /// The last byte of the response arrived at the client; `None`: it never did.
    pub last_byte: Option<SimTime>,
    /// Bytes of request header (HTTP/1.1 text or compressed header block).
    pub request_header_bytes: u64,
    /// Bytes of response header (HTTP/1.1 text or compressed header block).
    pub response_header_bytes: u64,
    /// Intervals the asset was stalled, in time order.
    pub blocked: Vec<Blocked>,
    #[serde(default)]
    pub source: Source,
    /// The browser finished parsing or running it (`last_byte` plus its cost; CSS, JS and
    /// HTML only).
    #[serde(default)]
    pub executed: Option<SimTime>,
    /// Bytes of it that crossed the network for nothing (a push the browser cancelled
    /// because the asset was already cached).
    #[serde(default)]
    pub wasted_bytes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectPhases {
    pub start: SimTime,
    pub tcp_end: SimTime,
    pub tls_end: SimTime,
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
    /// A packet reached the bottleneck. It arrives at `arrives`, or never (`dropped`).
    PacketSent {
        dir: Direction,
        conn: ConnId,
        /// TCP: stream offset of the payload (of the sender's direction). QUIC: packet number
        /// of the datagram's first packet.
        seq: u64,
        /// Payload bytes (TCP segment payload; QUIC: the UDP payload).
        len: u64,
        /// Bytes on the wire.
        bytes: u64,
        retransmission: bool,
        /// Ordinal of the packet in its direction on the lane's link.
        ordinal: u64,
        arrives: Option<SimTime>,
        dropped: Option<DropReason>,
        /// When its last bit left the bottleneck (it crossed it over the serialisation time
        /// of `bytes` before), for a packet that never arrived: a lost one had crossed it,
        /// one the full queue dropped has its send time. `None` for a packet that arrived:
        /// then it is `arrives` less the path's one-way delay
        /// ([`crate::link::LinkConfig::one_way`]), which [`EventKind::crossed`] works out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serialised: Option<SimTime>,
        /// Whose bytes it carried: each asset's request or response bytes in it (head,
        /// body, its stream's frames), in the order they sit in the packet; empty for
        /// handshakes, ACKs and connection frames.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        carried: Vec<Carried>,
    },
    /// The sender decided [seq, seq + len) was lost.
    PacketLost {
        dir: Direction,
        conn: ConnId,
        seq: u64,
        len: u64,
        by: LossDetection,
    },
    /// QUIC: the sender of `dir` declared packet number `pn` lost (RFC 9002 §6).
    QuicPacketLost {
        dir: Direction,
        conn: ConnId,
        pn: u64,
        reason: LossReason,
    },
    /// QUIC: the client's `stream` (carrying `asset`) held bytes back from `from` until now,
    /// waiting for bytes from `offset` on, first sent in the lost packet `packet`; `waiting`
    /// bytes beyond the gap had arrived. Other streams were not held.
    QuicHolBlocked {
        conn: ConnId,
        stream: StreamId,
        asset: Option<AssetId>,
        from: SimTime,
        offset: u64,
        packet: u64,
        waiting: u64,
    },
    /// The cumulative acknowledgement of `dir`'s data advanced over [from, to).
    Acked {
        dir: Direction,
        conn: ConnId,
        from: u64,
        to: u64,
    },
    /// The retransmission timer of the sender of `dir` expired; `rto` is the backed-off value.
    Timeout {
        dir: Direction,
        conn: ConnId,
        rto: SimDuration,
    },
    /// An HTTP/2 frame (RFC 9113 §4.1) handed to TLS by the sender of `dir`.
    Frame {
        dir: Direction,
        conn: ConnId,
        /// Stream identifier; 0 for connection frames (SETTINGS, connection WINDOW_UPDATE).
        stream: StreamId,
        /// The frame type as RFC 9113 §6 names it: `DATA`, `HEADERS`, `SETTINGS`, ...
        frame: String,
        /// Payload bytes (the 9-byte frame header not counted).
        length: u64,
        flags: u8,
        asset: Option<AssetId>,
        /// The payload, lower-case hex, of a connection-control frame (SETTINGS,
        /// WINDOW_UPDATE, RST_STREAM, PING, GOAWAY, PRIORITY); empty for DATA (the body is
        /// not materialised) and for HEADERS and PUSH_PROMISE (their block is in
        /// [`Lane::header_blocks`]).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        payload: String,
    },
    /// The receiver of `dir` held bytes back from `from` until now, waiting for
    /// [missing_from, missing_to); `held` bytes were then released.
    HolBlocked {
        dir: Direction,
        conn: ConnId,
        from: SimTime,
        missing_from: u64,
        missing_to: u64,
        held: u64,
    },
}

/// Summary figures for one lane. A time is `None` when the lane stopped at its time limit
/// ([`Metrics::finished`] is false) before it happened: the engine never makes one up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// Every asset of the page arrived within the simulation's time limit. When false, the
    /// lane gave up: `load` is `None`, and so is every time that never came.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub finished: bool,
    /// First byte of the HTML's response.
    pub ttfb: Option<SimDuration>,
    /// Last byte of the last asset.
    pub load: Option<SimDuration>,
    /// The page could first be painted: the HTML has started arriving and every
    /// render-blocking stylesheet and script before it has been parsed or run.
    #[serde(default)]
    pub first_paint: Option<SimDuration>,
    /// The HTML is parsed and every script it references has run (DOMContentLoaded).
    #[serde(default)]
    pub dom_content_loaded: Option<SimDuration>,
    /// Round trips on the longest chain of dependent requests, handshakes included.
    #[serde(default)]
    pub round_trips: u32,
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
    /// Segments sent again.
    pub retransmissions: u64,
    /// Payload bytes sent again.
    pub bytes_retransmitted: u64,
    /// Bytes that crossed the network for nothing (cancelled pushes).
    #[serde(default)]
    pub bytes_wasted: u64,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            finished: true,
            ttfb: None,
            load: None,
            first_paint: None,
            dom_content_loaded: None,
            round_trips: 0,
            bytes_total: 0,
            bytes_headers: 0,
            bytes_payload: 0,
            bytes_framing: 0,
            bytes_handshake: 0,
            packets: 0,
            connections: 0,
            retransmissions: 0,
            bytes_retransmitted: 0,
            bytes_wasted: 0,
        }
    }
}

impl Metrics {
    /// Time to first byte (the HTML's, asset 0), load (the last asset's last byte, once every
    /// asset has one) and whether the lane finished, from the per-asset timings of a lane.
    pub fn set_times(&mut self, assets: &[AssetTiming]) {
        let since_start = |t: SimTime| t.saturating_since(SimTime::ZERO);
        self.ttfb = assets.first().and_then(|a| a.first_byte).map(since_start);
        self.finished = assets.iter().all(|a| a.last_byte.is_some());
        self.load = if self.finished {
            assets
                .iter()
                .filter_map(|a| a.last_byte)
                .max()
                .map(since_start)
        } else {
            None
        };
    }
}

/// FNV-1a 64 of the trace's JSON: a fingerprint to pin the model's output in tests (on
/// native and wasm alike).
pub fn digest(trace: &Trace) -> u64 {
    /// FNV-1a 64-bit offset basis and prime (Fowler–Noll–Vo, draft-eastlake-fnv §2).
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let bytes = serde_json::to_vec(trace).unwrap_or_default();
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

impl EventKind {
    /// A [`EventKind::PacketSent`]'s time at the bottleneck of `link`: [start, end) of its
    /// serialisation there, by the link's own rule (a packet arrives the one-way delay after
    /// its last bit left, `link.rs`); `None` for other events and for a packet the full
    /// queue dropped.
    pub fn crossed(&self, link: &crate::link::LinkConfig) -> Option<(SimTime, SimTime)> {
        let EventKind::PacketSent {
            dir,
            bytes,
            arrives,
            dropped,
            serialised,
            ..
        } = self
        else {
            return None;
        };
        if *dropped == Some(DropReason::QueueOverflow) {
            return None;
        }
        let end = match (serialised, arrives) {
            (Some(s), _) => *s,
            (None, Some(a)) => {
                SimTime::from_micros(a.as_micros().saturating_sub(link.one_way(*dir).as_micros()))
            }
            (None, None) => return None,
        };
        let bps = match dir {
            Direction::Down => link.downlink_bps,
            Direction::Up => link.uplink_bps,
        };
        let ser = SimDuration::serialisation(*bytes, bps).as_micros();
        Some((
            SimTime::from_micros(end.as_micros().saturating_sub(ser)),
            end,
        ))
    }
}

/// `bytes` of one asset's request or response in a packet ([`EventKind::PacketSent`]),
/// written as the pair `[asset, bytes]` (the trace has thousands).
/// TCP: the bytes of the packet's payload inside the TLS records that carry the asset's
/// writes (its head, its body, its HTTP/2 frames; a record shared by two writes counts for
/// both). QUIC: the payload of the packet's STREAM frames of the asset's stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(AssetId, u64)", into = "(AssetId, u64)")]
pub struct Carried {
    pub asset: AssetId,
    pub bytes: u64,
}

impl From<(AssetId, u64)> for Carried {
    fn from((asset, bytes): (AssetId, u64)) -> Carried {
        Carried { asset, bytes }
    }
}

impl From<Carried> for (AssetId, u64) {
    fn from(c: Carried) -> (AssetId, u64) {
        (c.asset, c.bytes)
    }
}
