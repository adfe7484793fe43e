//! HTTP/3 (RFC 9114) over the engine's QUIC, sans-IO: an [`H3Client`] and an [`H3Server`]
//! each wrap one [`quic::Connection`] and speak real HTTP/3 on it.
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

pub use crate::transport::quic::Priority;

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

/// RFC 9218 §4.1: "The default urgency is 3"; §4.2: incremental defaults to false.
pub const DEFAULT_PRIORITY: Priority = Priority {
    urgency: 3,
    incremental: false,
};

/// The priority of the control and QPACK streams: the most urgent of RFC 9218 §4.1's range.
pub const CRITICAL_PRIORITY: Priority = Priority {
    urgency: 0,
    incremental: false,
};

/// RFC 9218 §4.1: urgency is an integer "between 0 and 7 inclusive".
pub const MAX_URGENCY: u8 = 7;

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

/// What the bytes of one write are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "content", rename_all = "snake_case")]
pub enum Content {
    /// The stream type that opens a unidirectional stream (RFC 9114 §6.2).
    StreamType { stream_type: u64 },
    /// The SETTINGS frame on the control stream.
    Settings,
    /// A HEADERS frame: `block` bytes of QPACK field section inside.
    Headers { asset: AssetId, block: u64 },
    /// A HEADERS frame of an interim (1xx) response, `block` bytes of field section inside
    /// (RFC 9114 §4.1: zero or more interim responses precede the final one).
    InterimHeaders { asset: AssetId, block: u64 },
    /// The type and length of a DATA frame.
    DataHeader { asset: AssetId },
    /// Response content (not materialised).
    Body { asset: AssetId },
}

/// One write of one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Write {
    pub stream: StreamId,
    pub offset: u64,
    pub len: u64,
    pub content: Content,
    /// The bytes written; empty for [`Content::Body`].
    pub bytes: Vec<u8>,
}

/// Everything one endpoint wrote, in order; the index of a write is its QUIC tag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    writes: Vec<Write>,
    ends: BTreeMap<StreamId, u64>,
}

impl Ledger {
    /// The write whose QUIC tag is `tag`.
    pub fn get(&self, tag: u64) -> Option<&Write> {
        usize::try_from(tag).ok().and_then(|i| self.writes.get(i))
    }
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }
    /// The writes on `stream`, in order.
    pub fn on_stream(&self, stream: StreamId) -> impl Iterator<Item = &Write> {
        self.writes.iter().filter(move |w| w.stream == stream)
    }
    /// The bytes of `stream` up to the first body write (everything materialised).
    pub fn stream_bytes(&self, stream: StreamId) -> Vec<u8> {
        self.on_stream(stream)
            .take_while(|w| !matches!(w.content, Content::Body { .. }))
            .flat_map(|w| w.bytes.iter().copied())
            .collect()
    }
    fn push(&mut self, stream: StreamId, len: u64, content: Content, bytes: Vec<u8>) -> u64 {
        let end = self.ends.entry(stream).or_insert(0);
        let offset = *end;
        *end += len;
        self.writes.push(Write {
            stream,
            offset,
            len,
            content,
            bytes,
        });
        self.writes.len() as u64 - 1
    }
    fn next_tag(&self) -> u64 {
        self.writes.len() as u64
    }
}

/// Why a call was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum H3Error {
    Stream(StreamError),
    /// A varint out of range (only for absurd sizes).
    Encode(EncodeError),
    /// `respond` on a stream that carried no request.
    NoRequest(StreamId),
    /// `respond` twice on one stream, or an interim response after the final one.
    AlreadyResponded(StreamId),
    /// Body or FIN on a stream whose final HEADERS are not written, or that is finished.
    NotResponding(StreamId),
    /// An interim response whose status is not 1xx (RFC 9110 §15.2).
    NotInterim(u16),
}

impl fmt::Display for H3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            H3Error::Stream(e) => write!(f, "{e}"),
            H3Error::Encode(e) => write!(f, "{e}"),
            H3Error::NoRequest(s) => write!(
                f,
                "{s} carried no request HEADERS; respond only after RequestReceived"
            ),
            H3Error::AlreadyResponded(s) => {
                write!(f, "{s} already has a response; one response per request")
            }
            H3Error::NotResponding(s) => write!(
                f,
                "{s} has no open response; send its HEADERS first, and nothing after its FIN"
            ),
            H3Error::NotInterim(status) => write!(
                f,
                "status {status} is not an interim response; allowed: 100 to 199"
            ),
        }
    }
}

impl std::error::Error for H3Error {}

impl From<StreamError> for H3Error {
    fn from(e: StreamError) -> Self {
        H3Error::Stream(e)
    }
}
impl From<EncodeError> for H3Error {
    fn from(e: EncodeError) -> Self {
        H3Error::Encode(e)
    }
}

/// What a request or a response put on its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadersWritten {
    pub stream: StreamId,
    /// The QPACK-encoded field section.
    pub header_block: u64,
    /// The whole HEADERS frame (type, length, field section).
    pub headers_frame: u64,
}

/// What a response put on its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseWritten {
    pub headers: HeadersWritten,
    pub data_frames: u64,
    /// DATA frame headers, all frames together.
    pub data_frame_header_bytes: u64,
    pub body: u64,
}

/// A head-of-line-blocked interval of one stream (from QUIC's `HolBlocked`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolInterval {
    pub since: SimTime,
    pub until: SimTime,
    /// The stream offset that was missing.
    pub offset: u64,
    /// The lost packet that first carried the missing bytes.
    pub blocking: PacketNumber,
    /// Bytes beyond the gap that had arrived and waited.
    pub waiting: u64,
}

/// One thing the HTTP/3 layer of one endpoint saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct H3Event {
    pub at: SimTime,
    #[serde(flatten)]
    pub kind: H3EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum H3EventKind {
    /// The peer's SETTINGS frame arrived on its control stream.
    PeerSettings { settings: Vec<Setting> },
    /// Client: a request went to QUIC.
    RequestSent {
        asset: AssetId,
        written: HeadersWritten,
        priority: Priority,
    },
    /// Server: a request's HEADERS arrived and decoded.
    RequestReceived {
        stream: StreamId,
        /// The asset its writer tagged it with.
        asset: AssetId,
        method: String,
        path: String,
        authority: String,
        priority: Priority,
        header_block: u64,
    },
    /// Server: a response went to QUIC.
    ResponseSent {
        asset: AssetId,
        written: ResponseWritten,
    },
    /// Server: an interim (1xx) response went to QUIC.
    InterimSent {
        asset: AssetId,
        status: u16,
        written: HeadersWritten,
    },
    /// Client: an interim (1xx) response's HEADERS decoded (RFC 9114 §4.1), with its fields
    /// as (name, value).
    InterimResponse {
        stream: StreamId,
        asset: AssetId,
        status: u16,
        header_block: u64,
        fields: Vec<(String, String)>,
    },
    /// Client: the first byte of the final response reached the application (the bytes of
    /// interim responses before it do not count).
    FirstByte { stream: StreamId, asset: AssetId },
    /// Client: the response HEADERS decoded.
    ResponseHeaders {
        stream: StreamId,
        asset: AssetId,
        status: u16,
        header_block: u64,
    },
    /// Client: response content delivered in order, `body` bytes so far in total.
    BodyProgress {
        stream: StreamId,
        asset: AssetId,
        body: u64,
    },
    /// Client: the response's last byte (its FIN) reached the application.
    ResponseComplete {
        stream: StreamId,
        asset: AssetId,
        body: u64,
    },
    /// A stream stalled behind a lost packet; `asset` is `None` on non-request streams.
    HolBlocked {
        stream: StreamId,
        asset: Option<AssetId>,
        interval: HolInterval,
    },
    /// The peer broke the protocol; what an endpoint would close the stream or connection
    /// with. Nothing further is read from that stream.
    Error {
        stream: StreamId,
        code: H3ErrorCode,
        reason: String,
    },
}

/// What the client knows about one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub asset: AssetId,
    pub requested: SimTime,
    pub request: HeadersWritten,
    pub first_byte: Option<SimTime>,
    pub status: Option<u16>,
    pub response_header_block: u64,
    /// (time, body bytes delivered in order so far), one entry per advance.
    pub progress: Vec<(SimTime, u64)>,
    pub body: u64,
    pub last_byte: Option<SimTime>,
    pub hol: Vec<HolInterval>,
}

/// How the bytes after a stream's type are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Not yet known: the stream type varint is being read (RFC 9114 §6.2).
    UniPending,
    Control,
    /// QPACK encoder/decoder stream or an unknown type: bytes are read and ignored (with no
    /// dynamic table there are no instructions to act on; RFC 9114 §6.2.3 for unknown types).
    Ignored,
    Request,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parse {
    Frames,
    /// Inside a DATA frame with this much content to come.
    Data {
        remaining: u64,
    },
}

#[derive(Debug)]
struct RecvStream {
    kind: Kind,
    parse: Parse,
    /// Delivered bytes not yet consumed by the parser.
    buf: Vec<u8>,
    delivered: u64,
    frames: u64,
    failed: bool,
    settings_seen: bool,
    /// Server: the request decoded; its priority.
    request: Option<Priority>,
    asset: Option<AssetId>,
    /// Server: the final response's HEADERS are written.
    responded: bool,
    /// Server: the response's FIN is written.
    finished: bool,
    /// Server: what the response has written so far.
    written: Option<ResponseWritten>,
}

impl RecvStream {
    fn new(kind: Kind) -> RecvStream {
        RecvStream {
            kind,
            parse: Parse::Frames,
            buf: Vec::new(),
            delivered: 0,
            frames: 0,
            failed: false,
            settings_seen: false,
            request: None,
            asset: None,
            responded: false,
            finished: false,
            written: None,
        }
    }
}

/// Formats an RFC 9218 §5 `priority` field value, or `None` for the default (§4: absent
/// parameters take their defaults, so Chrome omits the field then).
pub fn priority_field(p: Priority) -> Option<String> {
    let urgency = p.urgency.min(MAX_URGENCY);
    match (urgency == DEFAULT_PRIORITY.urgency, p.incremental) {
        (true, false) => None,
        (true, true) => Some("i".to_owned()),
        (false, false) => Some(format!("u={urgency}")),
        (false, true) => Some(format!("u={urgency}, i")),
    }
}

/// Parses an RFC 9218 `priority` field value (a Structured Fields Dictionary, RFC 8941
/// §3.2). RFC 9218 §4: unknown parameters, out-of-range values and values of the wrong type
/// are ignored, leaving the defaults.
pub fn parse_priority(value: &str) -> Priority {
    let mut p = DEFAULT_PRIORITY;
    for member in value.split(',') {
        let member = member.trim();
        let (key, val) = member.split_once('=').unwrap_or((member, "?1"));
        match key.trim() {
            "u" => {
                if let Ok(u) = val.trim().parse::<u8>() {
                    if u <= MAX_URGENCY {
                        p.urgency = u;
                    }
                }
            }
            "i" => match val.trim() {
                "?1" => p.incremental = true,
                "?0" => p.incremental = false,
                _ => {}
            },
            _ => {}
        }
    }
    p
}

fn varint_bytes(values: &[u64]) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    for &v in values {
        varint::encode(v, &mut out)?;
    }
    Ok(out)
}

fn to_qpack(fields: &[(&str, &str)], rest: &[HeaderField]) -> Vec<qpack::Field> {
    fields
        .iter()
        .map(|(n, v)| qpack::Field::new(n.as_bytes(), v.as_bytes()))
        .chain(rest.iter().map(qpack::Field::from))
        .collect()
}

/// The state both sides share.
#[derive(Debug)]
struct Endpoint {
    config: H3Config,
    quic: Connection,
    ledger: Ledger,
    recv: BTreeMap<StreamId, RecvStream>,
    events: VecDeque<H3Event>,
    quic_events: VecDeque<QuicEvent>,
    peer_settings: Option<Vec<Setting>>,
    control: StreamId,
    /// Client: requests by stream.
    responses: BTreeMap<StreamId, Response>,
}

impl Endpoint {
    fn new(side: Side, config: H3Config) -> Endpoint {
        let quic = Connection::new(side, config.quic.clone());
        let mut e = Endpoint {
            quic,
            ledger: Ledger::default(),
            recv: BTreeMap::new(),
            events: VecDeque::new(),
            quic_events: VecDeque::new(),
            peer_settings: None,
            control: StreamId(0),
            responses: BTreeMap::new(),
            config,
        };
        e.open_critical_streams();
        e
    }

    /// RFC 9114 §6.2.1: "Each side MUST initiate a single control stream at the beginning of
    /// the connection and send its SETTINGS frame as the first frame on this stream."
    /// RFC 9204 §4.2: the encoder and decoder streams, opened as Chrome opens them.
    fn open_critical_streams(&mut self) {
        self.control = self.quic.open_uni();
        // RFC 9218 does not prioritise the unidirectional streams; like quiche and Chrome,
        // they go before any request or response (urgency 0, then stream id order).
        let _ = self.quic.set_priority(self.control, CRITICAL_PRIORITY);
        let settings = Frame::Settings {
            settings: self.config.settings.clone(),
        };
        // Settings identifiers and values are u64 the config chose; one beyond 2^62-1
        // cannot be sent, so the frame goes without it rather than not at all.
        let settings_bytes = settings.to_bytes().unwrap_or_else(|_| {
            let ok: Vec<Setting> = self
                .config
                .settings
                .iter()
                .filter(|s| s.id.to_u64() <= varint::MAX_VARINT && s.value <= varint::MAX_VARINT)
                .copied()
                .collect();
            Frame::Settings { settings: ok }
                .to_bytes()
                .unwrap_or_default()
        });
        let c = self.control;
        self.write_bytes(
            c,
            Content::StreamType {
                stream_type: STREAM_TYPE_CONTROL,
            },
            vec![0x00],
        );
        self.write_bytes(c, Content::Settings, settings_bytes);
        for ty in [STREAM_TYPE_QPACK_ENCODER, STREAM_TYPE_QPACK_DECODER] {
            let s = self.quic.open_uni();
            let _ = self.quic.set_priority(s, CRITICAL_PRIORITY);
            self.write_bytes(s, Content::StreamType { stream_type: ty }, vec![ty as u8]);
        }
    }

    /// Writes real bytes; on a stream we just opened this cannot fail, and any failure is
    /// reported by the callers that can fail.
    fn write_bytes(&mut self, stream: StreamId, content: Content, bytes: Vec<u8>) -> bool {
        let len = bytes.len() as u64;
        let tag = self.ledger.next_tag();
        if self.quic.write(stream, len, tag).is_err() {
            return false;
        }
        self.ledger.push(stream, len, content, bytes);
        true
    }

    fn try_write(
        &mut self,
        stream: StreamId,
        content: Content,
        bytes: Vec<u8>,
        len: u64,
    ) -> Result<(), H3Error> {
        let tag = self.ledger.next_tag();
        self.quic.write(stream, len, tag)?;
        self.ledger.push(stream, len, content, bytes);
        Ok(())
    }

    fn emit(&mut self, at: SimTime, kind: H3EventKind) {
        self.events.push_back(H3Event { at, kind });
    }

    fn error(&mut self, at: SimTime, stream: StreamId, code: H3ErrorCode, reason: String) {
        if let Some(r) = self.recv.get_mut(&stream) {
            r.failed = true;
            r.buf.clear();
        }
        self.emit(
            at,
            H3EventKind::Error {
                stream,
                code,
                reason,
            },
        );
    }

    fn handle_datagram(&mut self, now: SimTime, d: &Datagram, peer: &Ledger) {
        self.quic.handle_datagram(now, d);
        self.drain(peer);
    }

    fn handle_timeout(&mut self, now: SimTime) {
        self.quic.handle_timeout(now);
        self.drain(&Ledger::default());
    }

    fn poll_transmit(&mut self, now: SimTime) -> Option<Datagram> {
        let d = self.quic.poll_transmit(now);
        self.drain(&Ledger::default());
        d
    }

    /// Takes QUIC's events, acts on deliveries, keeps them all for the caller.
    fn drain(&mut self, peer: &Ledger) {
        while let Some(e) = self.quic.poll_event() {
            match e.kind {
                QuicEventKind::StreamOpened { stream } => self.on_opened(stream),
                QuicEventKind::StreamDelivered {
                    stream,
                    offset,
                    len,
                    tag,
                    fin,
                } => self.on_delivered(e.at, peer, stream, offset, len, tag, fin),
                QuicEventKind::HolBlocked {
                    stream,
                    since,
                    offset,
                    blocking,
                    waiting,
                } => {
                    let interval = HolInterval {
                        since,
                        until: e.at,
                        offset,
                        blocking,
                        waiting,
                    };
                    let asset = self.asset_of(stream);
                    if let Some(r) = self.responses.get_mut(&stream) {
                        r.hol.push(interval);
                    }
                    self.emit(
                        e.at,
                        H3EventKind::HolBlocked {
                            stream,
                            asset,
                            interval,
                        },
                    );
                }
                _ => {}
            }
            self.quic_events.push_back(e);
        }
    }

    fn asset_of(&self, stream: StreamId) -> Option<AssetId> {
        self.responses
            .get(&stream)
            .map(|r| r.asset)
            .or_else(|| self.recv.get(&stream).and_then(|r| r.asset))
    }

    fn on_opened(&mut self, stream: StreamId) {
        // RFC 9000 §2.1: bit 0x02 marks a unidirectional stream.
        let kind = if stream.0 & 2 == 2 {
            Kind::UniPending
        } else {
            Kind::Request
        };
        self.recv
            .entry(stream)
            .or_insert_with(|| RecvStream::new(kind));
    }

    #[allow(clippy::too_many_arguments)]
    fn on_delivered(
        &mut self,
        at: SimTime,
        peer: &Ledger,
        stream: StreamId,
        offset: u64,
        len: u64,
        tag: u64,
        fin: bool,
    ) {
        // Our own request streams receive the response; peer streams were opened above.
        if !self.recv.contains_key(&stream) {
            if self.responses.contains_key(&stream) {
                self.recv.insert(stream, RecvStream::new(Kind::Request));
            } else {
                self.on_opened(stream);
            }
        }
        let Some(r) = self.recv.get(&stream) else {
            return;
        };
        if r.failed {
            return;
        }
        if offset != r.delivered {
            let reason = format!(
                "delivery at offset {offset} but {} bytes were delivered before",
                r.delivered
            );
            self.error(at, stream, H3ErrorCode::InternalError, reason);
            return;
        }
        if len > 0 {
            let Some(w) = peer.get(tag) else {
                let reason = format!("no write with tag {tag} in the peer's ledger");
                self.error(at, stream, H3ErrorCode::InternalError, reason);
                return;
            };
            let inside = w.stream == stream
                && offset >= w.offset
                && offset.saturating_add(len) <= w.offset.saturating_add(w.len);
            if !inside {
                let reason = format!(
                    "bytes {offset}..{} of {stream} are not in the write tagged {tag} \
                     ({} bytes at {} of {})",
                    offset.saturating_add(len),
                    w.len,
                    w.offset,
                    w.stream
                );
                self.error(at, stream, H3ErrorCode::InternalError, reason);
                return;
            }
            let interim = matches!(w.content, Content::InterimHeaders { .. });
            if let Content::Body { .. } = w.content {
                self.feed_opaque(at, stream, len);
            } else {
                let from = usize::try_from(offset - w.offset).unwrap_or(usize::MAX);
                let to = usize::try_from(len).map_or(usize::MAX, |l| from.saturating_add(l));
                match w.bytes.get(from..to) {
                    Some(bytes) => self.feed_bytes(at, stream, bytes, w.content),
                    None => {
                        let reason =
                            format!("write tagged {tag} holds fewer bytes than its length");
                        self.error(at, stream, H3ErrorCode::InternalError, reason);
                    }
                }
            }
            if let Some(r) = self.recv.get_mut(&stream) {
                r.delivered += len;
            }
            // The ledger tells an interim response's bytes apart, standing for the decoder
            // that learns it once the frame is parsed: they are not the response's first byte.
            if !interim {
                self.after_delivery(at, stream);
            }
        }
        if fin {
            self.on_fin(at, stream);
        }
    }

    fn after_delivery(&mut self, at: SimTime, stream: StreamId) {
        let Some(resp) = self.responses.get_mut(&stream) else {
            return;
        };
        let asset = resp.asset;
        if resp.first_byte.is_none() {
            resp.first_byte = Some(at);
            self.emit(at, H3EventKind::FirstByte { stream, asset });
        }
    }

    fn on_fin(&mut self, at: SimTime, stream: StreamId) {
        let Some(r) = self.recv.get(&stream) else {
            return;
        };
        if r.failed {
            return;
        }
        let kind = r.kind;
        let clean = r.buf.is_empty() && r.parse == Parse::Frames;
        match kind {
            // RFC 9114 §6.2.1: closing the control stream is H3_CLOSED_CRITICAL_STREAM (and so
            // are the QPACK streams, RFC 9204 §4.2).
            Kind::Control | Kind::UniPending => self.error(
                at,
                stream,
                H3ErrorCode::ClosedCriticalStream,
                "a critical unidirectional stream was closed".to_owned(),
            ),
            Kind::Ignored => {}
            Kind::Request => {
                if !clean {
                    // RFC 9114 §7.1: a frame cut by the end of its stream is H3_FRAME_ERROR.
                    self.error(
                        at,
                        stream,
                        H3ErrorCode::FrameError,
                        "the stream ended inside a frame".to_owned(),
                    );
                    return;
                }
                if let Some(resp) = self.responses.get_mut(&stream) {
                    if resp.status.is_none() {
                        // RFC 9114 §4.1: a response needs its HEADERS.
                        self.error(
                            at,
                            stream,
                            H3ErrorCode::MessageError,
                            "the response ended without HEADERS".to_owned(),
                        );
                        return;
                    }
                    resp.last_byte = Some(at);
                    let (asset, body) = (resp.asset, resp.body);
                    self.emit(
                        at,
                        H3EventKind::ResponseComplete {
                            stream,
                            asset,
                            body,
                        },
                    );
                }
            }
        }
    }

    fn feed_opaque(&mut self, at: SimTime, stream: StreamId, len: u64) {
        let Some(r) = self.recv.get_mut(&stream) else {
            return;
        };
        match r.parse {
            Parse::Data { remaining } if r.buf.is_empty() && len <= remaining => {
                r.parse = if remaining == len {
                    Parse::Frames
                } else {
                    Parse::Data {
                        remaining: remaining - len,
                    }
                };
                self.on_body(at, stream, len);
            }
            _ => self.error(
                at,
                stream,
                H3ErrorCode::FrameError,
                format!("{len} content bytes arrived outside a DATA frame's payload"),
            ),
        }
    }

    fn on_body(&mut self, at: SimTime, stream: StreamId, n: u64) {
        if n == 0 {
            return;
        }
        if let Some(resp) = self.responses.get_mut(&stream) {
            if resp.status.is_none() {
                // RFC 9114 §4.1: DATA before HEADERS is a malformed response.
                self.error(
                    at,
                    stream,
                    H3ErrorCode::FrameUnexpected,
                    "DATA before the response HEADERS".to_owned(),
                );
                return;
            }
            resp.body += n;
            let (asset, body) = (resp.asset, resp.body);
            match resp.progress.last_mut() {
                Some(last) if last.0 == at => last.1 = body,
                _ => resp.progress.push((at, body)),
            }
            self.emit(
                at,
                H3EventKind::BodyProgress {
                    stream,
                    asset,
                    body,
                },
            );
        }
    }

    fn feed_bytes(&mut self, at: SimTime, stream: StreamId, bytes: &[u8], content: Content) {
        if let Some(r) = self.recv.get_mut(&stream) {
            r.buf.extend_from_slice(bytes);
            if let Content::Headers { asset, .. } | Content::InterimHeaders { asset, .. } = content
            {
                r.asset.get_or_insert(asset);
            }
        }
        loop {
            let Some(r) = self.recv.get_mut(&stream) else {
                return;
            };
            if r.failed {
                return;
            }
            match (r.kind, r.parse) {
                (Kind::Ignored, _) => {
                    r.buf.clear();
                    return;
                }
                (Kind::UniPending, _) => {
                    let Some((ty, n)) = varint::decode(&r.buf).complete() else {
                        return;
                    };
                    r.buf.drain(..n);
                    self.on_stream_type(at, stream, ty);
                }
                (_, Parse::Data { remaining }) => {
                    let n = (r.buf.len() as u64).min(remaining);
                    if n == 0 {
                        return;
                    }
                    r.buf.drain(..n as usize);
                    r.parse = if n == remaining {
                        Parse::Frames
                    } else {
                        Parse::Data {
                            remaining: remaining - n,
                        }
                    };
                    self.on_body(at, stream, n);
                }
                (_, Parse::Frames) => {
                    if r.buf.is_empty() {
                        return;
                    }
                    // DATA frames are read header first, so their content can stream by.
                    if let Some((ty, a)) = varint::decode(&r.buf).complete() {
                        if ty == frame::DATA {
                            let Some((length, b)) =
                                varint::decode(r.buf.get(a..).unwrap_or(&[])).complete()
                            else {
                                return;
                            };
                            r.buf.drain(..a + b);
                            r.frames += 1;
                            if r.kind == Kind::Control {
                                // RFC 9114 §7.2.1: DATA on a control stream.
                                self.error(
                                    at,
                                    stream,
                                    H3ErrorCode::FrameUnexpected,
                                    "DATA frame on the control stream".to_owned(),
                                );
                                return;
                            }
                            r.parse = Parse::Data { remaining: length };
                            continue;
                        }
                    }
                    match FrameDecoder::default().decode(&r.buf) {
                        Ok(Decoded::Incomplete { .. }) => return,
                        Ok(Decoded::Complete { item, len }) => {
                            r.buf.drain(..len);
                            r.frames += 1;
                            self.on_frame(at, stream, item);
                        }
                        Err(e) => {
                            self.frame_error(at, stream, e);
                            return;
                        }
                    }
                }
            }
        }
    }

    fn frame_error(&mut self, at: SimTime, stream: StreamId, e: FrameError) {
        self.error(at, stream, e.code(), e.to_string());
    }

    fn on_stream_type(&mut self, at: SimTime, stream: StreamId, ty: u64) {
        let is_client = self.quic.side().is_client();
        let kind = match ty {
            STREAM_TYPE_CONTROL => {
                // RFC 9114 §6.2.1: "Only one control stream per peer is permitted".
                let dup = self.recv.values().any(|r| r.kind == Kind::Control);
                if dup {
                    self.error(
                        at,
                        stream,
                        H3ErrorCode::StreamCreationError,
                        "a second control stream".to_owned(),
                    );
                    return;
                }
                Kind::Control
            }
            STREAM_TYPE_PUSH => {
                // RFC 9114 §6.2.2: only servers push (a client's push stream is
                // H3_STREAM_CREATION_ERROR); §4.6: a push ID above MAX_PUSH_ID (we sent
                // none) is H3_ID_ERROR.
                let (code, reason) = if is_client {
                    (
                        H3ErrorCode::IdError,
                        "a push stream, but no MAX_PUSH_ID was sent",
                    )
                } else {
                    (
                        H3ErrorCode::StreamCreationError,
                        "a push stream from a client",
                    )
                };
                self.error(at, stream, code, reason.to_owned());
                return;
            }
            _ => Kind::Ignored,
        };
        if let Some(r) = self.recv.get_mut(&stream) {
            r.kind = kind;
        }
    }

    fn on_frame(&mut self, at: SimTime, stream: StreamId, f: Frame) {
        let Some(r) = self.recv.get_mut(&stream) else {
            return;
        };
        match r.kind {
            Kind::Control => {
                let first = !r.settings_seen;
                match f {
                    Frame::Settings { settings } if first => {
                        r.settings_seen = true;
                        self.peer_settings = Some(settings.clone());
                        self.emit(at, H3EventKind::PeerSettings { settings });
                    }
                    // RFC 9114 §6.2.1: the first frame must be SETTINGS.
                    _ if first => self.error(
                        at,
                        stream,
                        H3ErrorCode::MissingSettings,
                        format!("first control frame is {:?}, not SETTINGS", f.name()),
                    ),
                    // RFC 9114 §7.2.4: a second SETTINGS; §7.2.2: HEADERS on control.
                    Frame::Settings { .. } | Frame::Headers { .. } | Frame::PushPromise { .. } => {
                        self.error(
                            at,
                            stream,
                            H3ErrorCode::FrameUnexpected,
                            format!("{:?} frame on the control stream", f.name()),
                        )
                    }
                    _ => {}
                }
            }
            Kind::Request => match f {
                Frame::Headers {
                    encoded_field_section,
                } => self.on_headers(at, stream, &encoded_field_section),
                // RFC 9114 §7.2.4, §7.2.6, §7.2.7, §7.2.3: connection frames on a request
                // stream; §7.2.5: PUSH_PROMISE from a client, or without MAX_PUSH_ID.
                Frame::Settings { .. }
                | Frame::GoAway { .. }
                | Frame::MaxPushId { .. }
                | Frame::CancelPush { .. }
                | Frame::PushPromise { .. } => self.error(
                    at,
                    stream,
                    H3ErrorCode::FrameUnexpected,
                    format!("{:?} frame on a request stream", f.name()),
                ),
                Frame::Data { .. } | Frame::Unknown { .. } => {}
            },
            Kind::UniPending | Kind::Ignored => {}
        }
    }

    fn on_headers(&mut self, at: SimTime, stream: StreamId, block: &[u8]) {
        let fields = match qpack::Decoder.decode(block) {
            Ok(f) => f,
            Err(e) => {
                let code = e.code();
                self.error(at, stream, code, e.to_string());
                return;
            }
        };
        let get = |name: &str| {
            fields
                .iter()
                .find(|f| f.name == name.as_bytes())
                .map(|f| String::from_utf8_lossy(&f.value).into_owned())
        };
        let n = block.len() as u64;
        if let Some(resp) = self.responses.get_mut(&stream) {
            if resp.status.is_some() {
                // Trailers: allowed (RFC 9114 §4.1), nothing to do.
                return;
            }
            let Some(status) = get(":status").and_then(|s| s.parse::<u16>().ok()) else {
                // RFC 9114 §4.3.2: a response must carry :status.
                self.error(
                    at,
                    stream,
                    H3ErrorCode::MessageError,
                    "response HEADERS without a valid :status".to_owned(),
                );
                return;
            };
            if (100..200).contains(&status) {
                // RFC 9114 §4.1: an interim response; the final one is still to come.
                let asset = resp.asset;
                let fields = fields
                    .iter()
                    .map(|f| {
                        (
                            String::from_utf8_lossy(&f.name).into_owned(),
                            String::from_utf8_lossy(&f.value).into_owned(),
                        )
                    })
                    .collect();
                self.emit(
                    at,
                    H3EventKind::InterimResponse {
                        stream,
                        asset,
                        status,
                        header_block: n,
                        fields,
                    },
                );
                return;
            }
            resp.status = Some(status);
            resp.response_header_block = n;
            let asset = resp.asset;
            self.emit(
                at,
                H3EventKind::ResponseHeaders {
                    stream,
                    asset,
                    status,
                    header_block: n,
                },
            );
            return;
        }
        // Server side: a request.
        let Some(r) = self.recv.get_mut(&stream) else {
            return;
        };
        if r.request.is_some() {
            return;
        }
        let (Some(method), Some(path)) = (get(":method"), get(":path")) else {
            // RFC 9114 §4.3.1: requests carry :method, :scheme and :path.
            self.error(
                at,
                stream,
                H3ErrorCode::MessageError,
                "request HEADERS without :method or :path".to_owned(),
            );
            return;
        };
        let priority = get("priority").map_or(DEFAULT_PRIORITY, |v| parse_priority(&v));
        r.request = Some(priority);
        let Some(asset) = r.asset else {
            return;
        };
        let authority = get(":authority").unwrap_or_default();
        self.emit(
            at,
            H3EventKind::RequestReceived {
                stream,
                asset,
                method,
                path,
                authority,
                priority,
                header_block: n,
            },
        );
    }

    fn headers_frame(
        &mut self,
        stream: StreamId,
        asset: AssetId,
        fields: &[qpack::Field],
    ) -> Result<HeadersWritten, H3Error> {
        self.headers_frame_as(stream, asset, fields, false)
    }

    fn headers_frame_as(
        &mut self,
        stream: StreamId,
        asset: AssetId,
        fields: &[qpack::Field],
        interim: bool,
    ) -> Result<HeadersWritten, H3Error> {
        let mut block = Vec::new();
        qpack::Encoder::default().encode(fields, &mut block);
        let header_block = block.len() as u64;
        let bytes = Frame::Headers {
            encoded_field_section: block,
        }
        .to_bytes()?;
        let headers_frame = bytes.len() as u64;
        let content = if interim {
            Content::InterimHeaders {
                asset,
                block: header_block,
            }
        } else {
            Content::Headers {
                asset,
                block: header_block,
            }
        };
        self.try_write(stream, content, bytes, headers_frame)?;
        Ok(HeadersWritten {
            stream,
            header_block,
            headers_frame,
        })
    }
}

macro_rules! common {
    () => {
        /// Takes one datagram from the peer, with the peer's ledger (the bytes it wrote).
        pub fn handle_datagram(&mut self, now: SimTime, datagram: &Datagram, peer: &Ledger) {
            self.0.handle_datagram(now, datagram, peer);
        }
        pub fn handle_timeout(&mut self, now: SimTime) {
            self.0.handle_timeout(now);
        }
        pub fn poll_transmit(&mut self, now: SimTime) -> Option<Datagram> {
            self.0.poll_transmit(now)
        }
        pub fn poll_timeout(&self) -> Option<SimTime> {
            self.0.quic.poll_timeout()
        }
        /// The next HTTP/3 event, oldest first.
        pub fn poll_event(&mut self) -> Option<H3Event> {
            self.0.events.pop_front()
        }
        /// The next QUIC event (packets sent, lost, acknowledged, ...), oldest first.
        pub fn poll_quic_event(&mut self) -> Option<QuicEvent> {
            self.0.quic_events.pop_front()
        }
        pub fn quic(&self) -> &Connection {
            &self.0.quic
        }
        /// Everything this endpoint wrote; the peer reads its deliveries from it.
        pub fn ledger(&self) -> &Ledger {
            &self.0.ledger
        }
        /// This endpoint's control stream.
        pub fn control_stream(&self) -> StreamId {
            self.0.control
        }
        /// The peer's SETTINGS, once its control stream delivered them.
        pub fn peer_settings(&self) -> Option<&[Setting]> {
            self.0.peer_settings.as_deref()
        }
        pub fn config(&self) -> &H3Config {
            &self.0.config
        }
    };
}

/// Both HTTP/3 endpoints on the [`crate::sim::Driver`]: datagrams in and out (shared, so a
/// lane can keep what it sent), each arrival read with the peer's ledger.
macro_rules! sim_endpoint {
    ($ty:ty, $peer:ty) => {
        impl crate::sim::Endpoint for $ty {
            type Packet = std::rc::Rc<Datagram>;
            type Peer = $peer;
            fn handle_input(&mut self, now: SimTime, d: &std::rc::Rc<Datagram>, peer: &$peer) {
                self.handle_datagram(now, d, peer.ledger());
            }
            fn handle_timeout(&mut self, now: SimTime) {
                self.0.handle_timeout(now);
            }
            fn poll_transmit(&mut self, now: SimTime) -> Option<std::rc::Rc<Datagram>> {
                self.0.poll_transmit(now).map(std::rc::Rc::new)
            }
            fn poll_timeout(&self) -> Option<SimTime> {
                self.0.quic.poll_timeout()
            }
        }
    };
}
sim_endpoint!(H3Client, H3Server);
sim_endpoint!(H3Server, H3Client);

/// The browser's end of an HTTP/3 connection.
#[derive(Debug)]
pub struct H3Client(Endpoint);

impl H3Client {
    /// A client whose control and QPACK streams are written; the QUIC handshake starts at
    /// the first `poll_transmit`.
    pub fn new(config: H3Config) -> H3Client {
        H3Client(Endpoint::new(Side::Client, config))
    }

    common!();

    /// Sends a GET for `path` on a new bidirectional stream: one HEADERS frame with
    /// `:method`, `:authority`, `:scheme`, `:path` (Chrome's order), then `fields`, then the
    /// RFC 9218 `priority` field if not the default; then FIN. Written before 1-RTT keys
    /// exist, it goes in 0-RTT packets when the QUIC config allows 0-RTT, else it waits.
    pub fn request(
        &mut self,
        now: SimTime,
        asset: AssetId,
        path: &str,
        authority: &str,
        fields: &[HeaderField],
        priority: Priority,
    ) -> Result<HeadersWritten, H3Error> {
        let priority = Priority {
            urgency: priority.urgency.min(MAX_URGENCY),
            ..priority
        };
        let mut all = to_qpack(
            &[
                (":method", "GET"),
                (":authority", authority),
                (":scheme", "https"),
                (":path", path),
            ],
            fields,
        );
        if let Some(v) = priority_field(priority) {
            all.push(qpack::Field::new("priority", v));
        }
        let e = &mut self.0;
        let stream = e.quic.open_bi();
        e.quic.set_priority(stream, priority)?;
        let written = e.headers_frame(stream, asset, &all)?;
        e.quic.finish(stream)?;
        e.responses.insert(
            stream,
            Response {
                asset,
                requested: now,
                request: written,
                first_byte: None,
                status: None,
                response_header_block: 0,
                progress: Vec::new(),
                body: 0,
                last_byte: None,
                hol: Vec::new(),
            },
        );
        e.emit(
            now,
            H3EventKind::RequestSent {
                asset,
                written,
                priority,
            },
        );
        Ok(written)
    }

    /// What is known of the request on `stream`.
    pub fn response(&self, stream: StreamId) -> Option<&Response> {
        self.0.responses.get(&stream)
    }

    /// Every request, by stream id.
    pub fn responses(&self) -> impl Iterator<Item = (StreamId, &Response)> {
        self.0.responses.iter().map(|(&s, r)| (s, r))
    }
}

/// The origin server's end of an HTTP/3 connection.
#[derive(Debug)]
pub struct H3Server(Endpoint);

impl H3Server {
    pub fn new(config: H3Config) -> H3Server {
        H3Server(Endpoint::new(Side::Server, config))
    }

    common!();

    /// Answers the request on `stream` (after its `RequestReceived`): HEADERS with
    /// `:status` and `fields`, then `body` content bytes in DATA frames of at most
    /// `data_frame_payload` bytes, then FIN. The stream is scheduled per
    /// [`H3Config::scheduling`].
    pub fn respond(
        &mut self,
        now: SimTime,
        stream: StreamId,
        status: u16,
        fields: &[HeaderField],
        body: u64,
    ) -> Result<ResponseWritten, H3Error> {
        self.respond_head(stream, status, fields)?;
        self.send_body(stream, body)?;
        self.finish_response(now, stream)
    }

    /// The request on `stream`, answerable: (asked priority, asset, responded, finished).
    fn request_on(&self, stream: StreamId) -> Result<(Priority, AssetId, bool, bool), H3Error> {
        let Some(r) = self.0.recv.get(&stream) else {
            return Err(H3Error::NoRequest(stream));
        };
        let (Some(asked), Some(asset)) = (r.request, r.asset) else {
            return Err(H3Error::NoRequest(stream));
        };
        Ok((asked, asset, r.responded, r.finished))
    }

    /// Schedules `stream` per [`H3Config::scheduling`].
    fn schedule(&mut self, stream: StreamId, asked: Priority) -> Result<(), H3Error> {
        let e = &mut self.0;
        let priority = match e.config.scheduling {
            Scheduling::ClientPriority => asked,
            Scheduling::Sequential => DEFAULT_PRIORITY,
            Scheduling::RoundRobin => Priority {
                incremental: true,
                ..DEFAULT_PRIORITY
            },
        };
        e.quic.set_priority(stream, priority)?;
        Ok(())
    }

    /// Sends an interim response (RFC 9114 §4.1, e.g. `103 Early Hints`, RFC 8297) on
    /// `stream`: a HEADERS frame with `:status` (100–199) and `fields`, before the final
    /// response.
    pub fn respond_interim(
        &mut self,
        now: SimTime,
        stream: StreamId,
        status: u16,
        fields: &[HeaderField],
    ) -> Result<HeadersWritten, H3Error> {
        if !(100..200).contains(&status) {
            return Err(H3Error::NotInterim(status));
        }
        let (asked, asset, responded, _) = self.request_on(stream)?;
        if responded {
            return Err(H3Error::AlreadyResponded(stream));
        }
        self.schedule(stream, asked)?;
        let status_s = status.to_string();
        let all = to_qpack(&[(":status", &status_s)], fields);
        let e = &mut self.0;
        let written = e.headers_frame_as(stream, asset, &all, true)?;
        e.emit(
            now,
            H3EventKind::InterimSent {
                asset,
                status,
                written,
            },
        );
        Ok(written)
    }

    /// Writes the final response's HEADERS (`:status` and `fields`) on `stream`; the body
    /// follows with [`H3Server::send_body`] as the server produces it, and
    /// [`H3Server::finish_response`] ends it.
    pub fn respond_head(
        &mut self,
        stream: StreamId,
        status: u16,
        fields: &[HeaderField],
    ) -> Result<HeadersWritten, H3Error> {
        let (asked, asset, responded, _) = self.request_on(stream)?;
        if responded {
            return Err(H3Error::AlreadyResponded(stream));
        }
        self.schedule(stream, asked)?;
        let status = status.to_string();
        let all = to_qpack(&[(":status", &status)], fields);
        let e = &mut self.0;
        let headers = e.headers_frame(stream, asset, &all)?;
        if let Some(r) = e.recv.get_mut(&stream) {
            r.responded = true;
            r.written = Some(ResponseWritten {
                headers,
                data_frames: 0,
                data_frame_header_bytes: 0,
                body: 0,
            });
        }
        Ok(headers)
    }

    /// Writes `body` more content bytes of the response on `stream`, in DATA frames of at
    /// most `data_frame_payload` bytes.
    pub fn send_body(&mut self, stream: StreamId, body: u64) -> Result<(), H3Error> {
        let (_, asset, responded, finished) = self.request_on(stream)?;
        if !responded || finished {
            return Err(H3Error::NotResponding(stream));
        }
        let e = &mut self.0;
        let chunk = e.config.data_frame_payload.max(1);
        let mut left = body;
        let (mut frames, mut header_bytes) = (0, 0);
        while left > 0 {
            let n = left.min(chunk);
            let head = varint_bytes(&[frame::DATA, n])?;
            let hl = head.len() as u64;
            e.try_write(stream, Content::DataHeader { asset }, head, hl)?;
            e.try_write(stream, Content::Body { asset }, Vec::new(), n)?;
            frames += 1;
            header_bytes += hl;
            left -= n;
        }
        if let Some(w) = e.recv.get_mut(&stream).and_then(|r| r.written.as_mut()) {
            w.data_frames += frames;
            w.data_frame_header_bytes += header_bytes;
            w.body += body;
        }
        Ok(())
    }

    /// Ends the response on `stream` (FIN) and reports it as sent.
    pub fn finish_response(
        &mut self,
        now: SimTime,
        stream: StreamId,
    ) -> Result<ResponseWritten, H3Error> {
        let (_, asset, responded, finished) = self.request_on(stream)?;
        if !responded || finished {
            return Err(H3Error::NotResponding(stream));
        }
        let e = &mut self.0;
        e.quic.finish(stream)?;
        let mut written = None;
        if let Some(r) = e.recv.get_mut(&stream) {
            r.finished = true;
            written = r.written;
        }
        let Some(written) = written else {
            return Err(H3Error::NoRequest(stream));
        };
        e.emit(now, H3EventKind::ResponseSent { asset, written });
        Ok(written)
    }
}
