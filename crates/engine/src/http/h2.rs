//! HTTP/2 (RFC 9113) as the browser and the server write it: the connection preface and
//! SETTINGS, HEADERS and PUSH_PROMISE frames whose blocks come from one HPACK context per
//! direction and connection (so later requests shrink), and DATA frames that a server
//! scheduler picks one at a time.
//!
//! Frame sizes are those of the frames built with [`crate::wire::frame`].
//!
//! - Priorities: the browser sends Chrome's RFC 9218 `priority` header field with each
//!   request; the [`Scheduler`] serves RFC 9218 §10 order (most urgent first; equal urgency:
//!   non-incremental one after another in request order, then incremental round-robin) or
//!   plain round-robin, as [`SchedulerKind`] says.
//! - Flow control (RFC 9113 §5.2, §6.9): the client announces its stream window in
//!   SETTINGS_INITIAL_WINDOW_SIZE and raises the connection window with a WINDOW_UPDATE
//!   ([`FlowWindows::Browser`]: Chrome's 6 MiB / 15 MiB), or announces nothing
//!   ([`FlowWindows::Rfc`]: 65,535 bytes each). The scheduler sends DATA only within both
//!   credits; the browser returns credit with WINDOW_UPDATE frames as it consumes data,
//!   Chromium's way ([`window_update_due`]).
//! - Push (RFC 9113 §8.4): PUSH_PROMISE frames carry the promised request's header block
//!   from the server's HPACK context ([`HeaderCodec::push_promise`]); a pushed response has
//!   its asset's priority but depends on the stream it was promised on
//!   ([`Scheduler::depend`], RFC 7540 §5.3.5), so it fills time the HTML leaves idle.
//! - Early Hints (RFC 8297): a `103` HEADERS frame naming the preloads
//!   ([`HeaderCodec::early_hints`]).

use std::collections::VecDeque;

use crate::headers::{request_fields, response_fields, Field};
use crate::http::h3::{parse_priority, priority_field, Priority, DEFAULT_PRIORITY};
use crate::ids::{AssetId, StreamId};
use crate::options::{FlowWindows, SchedulerKind};
use crate::page::{AssetKind, Page};
use crate::time::SimTime;
use crate::trace::HeaderRep;
use crate::transport::tls::MAX_RECORD;
use crate::wire::frame::{
    Frame, FrameType, Headers, PushPromise, RstStream, Setting, SettingId, Settings, WindowUpdate,
    FRAME_HEADER_LEN, PREFACE,
};
use crate::wire::hpack::{Encoder, EncoderConfig, HeaderField, Representation};

/// RFC 9113 §6.9.2: the initial flow-control window of every stream and of the connection.
pub const DEFAULT_WINDOW: u64 = 65_535;

/// Chrome's SETTINGS (RFC 9113 §6.5.2) with `windows` and push: a 64 KiB HPACK table,
/// SETTINGS_ENABLE_PUSH (0 since Chrome 106; 1 for a browser that accepted push), the
/// stream window unless it is the RFC default, and a 256 KiB header list.
pub fn client_settings(windows: FlowWindows, push: bool) -> Vec<(SettingId, u32)> {
    let mut v = vec![
        (SettingId::HeaderTableSize, 65_536),
        (SettingId::EnablePush, u32::from(push)),
    ];
    let (stream, _) = windows.sizes();
    if stream != DEFAULT_WINDOW {
        v.push((
            SettingId::InitialWindowSize,
            u32::try_from(stream).unwrap_or(u32::MAX),
        ));
    }
    v.push((SettingId::MaxHeaderListSize, 262_144));
    v
}

/// The increment of the client's connection WINDOW_UPDATE in its preface (RFC 9113 §6.9):
/// from the initial 65,535 bytes (§6.9.2) to the connection window; none for the RFC
/// windows.
pub fn client_connection_increment(windows: FlowWindows) -> Option<u32> {
    let (_, conn) = windows.sizes();
    (conn > DEFAULT_WINDOW).then(|| u32::try_from(conn - DEFAULT_WINDOW).unwrap_or(u32::MAX))
}

/// nginx's SETTINGS: 128 concurrent streams, a 64 KiB stream window, 16 MiB − 1 frames.
pub const SERVER_SETTINGS: [(SettingId, u32); 3] = [
    (SettingId::MaxConcurrentStreams, 128),
    (SettingId::InitialWindowSize, 65_536),
    (SettingId::MaxFrameSize, 16_777_215),
];
/// Largest DATA payload the server puts in one frame: the frame (RFC 9113 §4.1 9-byte
/// header) fills one TLS record of 2^14 bytes (RFC 8446 §5.1), as nginx sizes them, and
/// stays within the initial SETTINGS_MAX_FRAME_SIZE of 2^14 (RFC 9113 §4.2).
pub const MAX_DATA_PAYLOAD: u64 = MAX_RECORD - FRAME_HEADER_LEN as u64;

/// RFC 9113 §6.1, §6.2: the END_STREAM flag.
pub const FLAG_END_STREAM: u8 = 0x1;
/// RFC 9113 §6.5: the ACK flag of SETTINGS.
pub const FLAG_ACK: u8 = 0x1;
/// RFC 9113 §6.2, §6.6: the END_HEADERS flag.
pub const FLAG_END_HEADERS: u8 = 0x4;

/// One frame as the trace shows it: type, stream, payload length and flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    pub kind: FrameType,
    pub stream: StreamId,
    /// Payload bytes (without the 9-byte header).
    pub payload: u64,
    pub flags: u8,
}

impl FrameInfo {
    /// Bytes on the wire, header included.
    pub fn wire(&self) -> u64 {
        self.payload + FRAME_HEADER_LEN as u64
    }

    /// The frame of a DATA payload of `payload` bytes.
    pub fn data(stream: StreamId, payload: u64, end_stream: bool) -> FrameInfo {
        FrameInfo {
            kind: FrameType::Data,
            stream,
            payload,
            flags: if end_stream { FLAG_END_STREAM } else { 0 },
        }
    }

    fn of(f: &Frame) -> FrameInfo {
        let bytes = f.to_bytes().unwrap_or_default();
        let payload = (bytes.len() as u64).saturating_sub(FRAME_HEADER_LEN as u64);
        FrameInfo {
            kind: f.frame_type(),
            stream: StreamId(
                bytes
                    .get(5..9)
                    .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) & 0x7fff_ffff))
                    .unwrap_or(0),
            ),
            payload,
            flags: bytes.get(4).copied().unwrap_or(0),
        }
    }
}

/// RFC 9113 §6: the frame type's name as the RFC spells it ("UNKNOWN" for an extension).
pub fn frame_name(kind: FrameType) -> &'static str {
    kind.name().unwrap_or("UNKNOWN")
}

fn settings(ack: bool, list: &[(SettingId, u32)]) -> Frame {
    Frame::Settings(Settings {
        ack,
        settings: list
            .iter()
            .map(|&(id, value)| Setting { id, value })
            .collect(),
    })
}

/// RFC 9113 §3.4: the client's frames after the 24-octet preface, written together: its
/// SETTINGS and, with browser windows, its connection WINDOW_UPDATE.
pub fn client_preface_frames(windows: FlowWindows, push: bool) -> Vec<FrameInfo> {
    let mut v = vec![FrameInfo::of(&settings(
        false,
        &client_settings(windows, push),
    ))];
    if let Some(inc) = client_connection_increment(windows) {
        v.push(window_update(StreamId(0), inc));
    }
    v
}

/// RFC 9113 §3.4: the preface's bytes, frames included.
pub fn client_preface_len(windows: FlowWindows, push: bool) -> u64 {
    PREFACE.len() as u64
        + client_preface_frames(windows, push)
            .iter()
            .map(FrameInfo::wire)
            .sum::<u64>()
}

/// RFC 9113 §3.4: the server's preface (its SETTINGS) and the ACK of the client's
/// SETTINGS (§6.5.3).
pub fn server_preface_frames() -> [FrameInfo; 2] {
    [
        FrameInfo::of(&settings(false, &SERVER_SETTINGS)),
        settings_ack(),
    ]
}

pub fn server_preface_len() -> u64 {
    server_preface_frames().iter().map(FrameInfo::wire).sum()
}

/// RFC 9113 §6.5.3: an empty SETTINGS frame with the ACK flag.
pub fn settings_ack() -> FrameInfo {
    FrameInfo::of(&settings(true, &[]))
}

pub fn settings_ack_len() -> u64 {
    settings_ack().wire()
}

/// RFC 9113 §6.9: a WINDOW_UPDATE frame (13 bytes).
pub fn window_update(stream: StreamId, increment: u32) -> FrameInfo {
    // RFC 9113 §6.9: a 4-byte increment, no flags.
    let info = FrameInfo {
        kind: FrameType::WindowUpdate,
        stream,
        payload: 4,
        flags: 0,
    };
    debug_assert_eq!(
        info,
        FrameInfo::of(&Frame::WindowUpdate(WindowUpdate {
            stream_id: stream,
            window_size_increment: increment,
        }))
    );
    info
}

/// RFC 9113 §6.4, §8.4.2: RST_STREAM with CANCEL, as a browser refuses a push (13 bytes).
pub fn rst_stream_cancel(stream: StreamId) -> FrameInfo {
    FrameInfo::of(&Frame::RstStream(RstStream {
        stream_id: stream,
        error_code: crate::wire::frame::ErrorCode::Cancel,
    }))
}

/// Chromium's rule for returning flow-control credit (net/spdy: `SpdySession::
/// IncreaseRecvWindowSize`, `SpdyStream::IncreaseRecvWindowSize`): once the bytes consumed
/// but not yet acknowledged exceed half the window, a WINDOW_UPDATE returns all of them.
pub fn window_update_due(unacked: u64, window: u64) -> bool {
    unacked > window / 2
}

/// One side's HPACK context on one connection.
#[derive(Clone, Debug)]
pub struct HeaderCodec {
    enc: Encoder,
}

/// A frame carrying a header block: the block's length, the frame, and what HPACK did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadersFrame {
    pub block: u64,
    pub frame: u64,
    pub info: FrameInfo,
    /// The block's octets.
    pub bytes: Vec<u8>,
    /// The representations with their field names and values, for the trace.
    pub reps: Vec<HeaderRep>,
    /// The dynamic table's size after the block (RFC 7541 §4.1).
    pub table_size: usize,
    /// The dynamic table after the block, when it is not simply the table before with the
    /// block's incrementally indexed literals inserted at the front (RFC 7541 §4.4 without
    /// evictions): an eviction, or an entry too large to insert, changed it otherwise.
    pub table: Option<Vec<HeaderField>>,
}

impl HeadersFrame {
    /// `info` (a HEADERS or PUSH_PROMISE frame carrying `block.bytes` as its whole block).
    fn new(info: FrameInfo, block: Block) -> HeadersFrame {
        HeadersFrame {
            block: block.bytes.len() as u64,
            frame: info.wire(),
            info,
            bytes: block.bytes,
            reps: block.reps,
            table_size: block.table_size,
            table: block.table,
        }
    }
}

/// One encoded header block, as [`HeadersFrame`] carries it.
struct Block {
    bytes: Vec<u8>,
    reps: Vec<HeaderRep>,
    table_size: usize,
    table: Option<Vec<HeaderField>>,
}

impl Default for HeaderCodec {
    fn default() -> Self {
        HeaderCodec {
            enc: Encoder::new(EncoderConfig::default()),
        }
    }
}

/// The RFC 9218 priority Chrome gives a request for this kind of asset.
pub fn request_priority(kind: AssetKind) -> Priority {
    crate::browser_h3::chrome_priority(kind)
}

/// The priority a server reads from a request's `priority` field (RFC 9218 §4, §5; absent:
/// the defaults of §4.1, §4.2).
pub fn priority_of(fields: &[Field]) -> Priority {
    fields
        .iter()
        .find(|f| f.name == "priority")
        .map(|f| parse_priority(&f.value))
        .unwrap_or(DEFAULT_PRIORITY)
}

/// The request's header list (RFC 9113 §8.3.1 pseudo-headers in Chrome's order, then the
/// fields, then Chrome's RFC 9218 `priority` field, which it sends on HTTP/2 too).
pub fn request_list(page: &Page, id: AssetId) -> Vec<Field> {
    let mut fields = pseudo(page, id);
    fields.extend(request_fields(page, id));
    if let Some(v) = priority_field(request_priority(page.asset(id).kind)) {
        fields.push(Field::new("priority", v));
    }
    fields
}

/// The priority the server reads from the request for `id` ([`priority_of`] its
/// [`request_list`]): only the `priority` field counts, so the list is not built.
pub fn received_priority(page: &Page, id: AssetId) -> Priority {
    let p = priority_field(request_priority(page.asset(id).kind))
        .map_or(DEFAULT_PRIORITY, |v| parse_priority(&v));
    debug_assert_eq!(p, priority_of(&request_list(page, id)));
    p
}

fn pseudo(page: &Page, id: AssetId) -> Vec<Field> {
    vec![
        Field::new(":method", "GET"),
        Field::new(":authority", page.host.clone()),
        Field::new(":scheme", "https"),
        Field::new(":path", page.asset(id).path.clone()),
    ]
}

/// The preload `link` field value of RFC 8288 / HTML for one asset: `</a.css>;
/// rel=preload; as=style`.
pub fn preload_link(page: &Page, id: AssetId) -> String {
    let a = page.asset(id);
    let dest = match a.kind {
        AssetKind::Css => "style",
        AssetKind::Js => "script",
        AssetKind::Font => "font",
        AssetKind::Image => "image",
        AssetKind::Json => "fetch",
        AssetKind::Html => "document",
    };
    format!("<{}>; rel=preload; as={dest}", a.path)
}

impl HeaderCodec {
    fn block(&mut self, fields: &[Field]) -> Block {
        let (bytes, steps) = self.enc.encode_steps(fields);
        // Every incremental literal went in at the front unless something was evicted or an
        // entry did not fit (RFC 7541 §4.4): only then does the trace need the whole table.
        let changed = steps.iter().any(|st| {
            !st.evicted.is_empty()
                || (st.representation == Representation::LiteralWithIncrementalIndexing
                    && !st.inserted)
        });
        let reps = steps
            .iter()
            .map(|st| {
                let f = st
                    .header
                    .and_then(|i| fields.get(i))
                    .filter(|_| st.representation != Representation::Indexed);
                HeaderRep {
                    name: f.map(|f| f.name.clone()).unwrap_or_default(),
                    value: f.map(|f| f.value.clone()).unwrap_or_default(),
                    rep: st.representation.into(),
                    index: st.index.map(|i| i.index),
                    huffman: st.name_huffman == Some(true) || st.value_huffman == Some(true),
                }
            })
            .collect();
        Block {
            bytes,
            reps,
            table_size: self.enc.table_size(),
            table: changed.then(|| self.enc.table().entries),
        }
    }

    fn frame(&mut self, stream: StreamId, fields: &[Field], end_stream: bool) -> HeadersFrame {
        let block = self.block(fields);
        // RFC 9113 §6.2: no padding or priority, so the payload is the block itself.
        let info = FrameInfo {
            kind: FrameType::Headers,
            stream,
            payload: block.bytes.len() as u64,
            flags: FLAG_END_HEADERS | if end_stream { FLAG_END_STREAM } else { 0 },
        };
        debug_assert_eq!(
            info,
            FrameInfo::of(&Frame::Headers(Headers {
                stream_id: stream,
                end_stream,
                end_headers: true,
                priority: None,
                header_block_fragment: block.bytes.clone(),
                padding: None,
            }))
        );
        HeadersFrame::new(info, block)
    }

    /// The browser's request for `id` on `stream` ([`request_list`]), with END_STREAM: a GET
    /// has no body.
    pub fn request(&mut self, page: &Page, id: AssetId, stream: StreamId) -> HeadersFrame {
        self.frame(stream, &request_list(page, id), true)
    }

    /// The server's `200` response head (RFC 9113 §8.3.2); END_STREAM when there is no body.
    pub fn response(&mut self, page: &Page, id: AssetId, stream: StreamId) -> HeadersFrame {
        let mut fields = vec![Field::new(":status", "200")];
        fields.extend(response_fields(page, id));
        self.frame(stream, &fields, page.asset(id).size == 0)
    }

    /// RFC 8297 on HTTP/2: an informational `103` HEADERS frame (no END_STREAM, RFC 9113
    /// §8.1) with one `link` preload field per asset of `ids`.
    pub fn early_hints(&mut self, page: &Page, ids: &[AssetId], stream: StreamId) -> HeadersFrame {
        let mut fields = vec![Field::new(":status", "103")];
        fields.extend(
            ids.iter()
                .map(|&id| Field::new("link", preload_link(page, id))),
        );
        self.frame(stream, &fields, false)
    }

    /// RFC 9113 §6.6, §8.4.1: the server promises `id` on `stream` as `promised`; the block
    /// is the request it answers: the pseudo-headers and the fields nginx's `http2_push`
    /// copies from the pushing request (`accept-encoding`, `accept-language`, `user-agent`).
    pub fn push_promise(
        &mut self,
        page: &Page,
        id: AssetId,
        stream: StreamId,
        promised: StreamId,
    ) -> HeadersFrame {
        let mut fields = pseudo(page, id);
        fields.extend(request_fields(page, id).into_iter().filter(|f| {
            matches!(
                f.name.as_str(),
                "accept-encoding" | "accept-language" | "user-agent"
            )
        }));
        let block = self.block(&fields);
        // RFC 9113 §6.6: no padding, so the payload is the promised stream id (4 bytes)
        // and the block.
        let info = FrameInfo {
            kind: FrameType::PushPromise,
            stream,
            payload: 4 + block.bytes.len() as u64,
            flags: FLAG_END_HEADERS,
        };
        debug_assert_eq!(
            info,
            FrameInfo::of(&Frame::PushPromise(PushPromise {
                stream_id: stream,
                end_headers: true,
                promised_stream_id: promised,
                header_block_fragment: block.bytes.clone(),
                padding: None,
            }))
        );
        HeadersFrame::new(info, block)
    }
}

/// The next frame the server writes. Header blocks are encoded when the frame is written,
/// so the HPACK context sees blocks in wire order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFrame {
    Headers {
        asset: AssetId,
        stream: StreamId,
    },
    /// A DATA frame of `payload` body bytes.
    Data {
        asset: AssetId,
        stream: StreamId,
        payload: u64,
        end_stream: bool,
    },
}

/// One response the server has to send.
#[derive(Clone, Debug)]
pub struct OutStream {
    pub asset: AssetId,
    pub stream: StreamId,
    pub priority: Priority,
    /// Order of arrival (a push: of promise).
    order: u64,
    /// When the request reached the server (a push: when it was promised).
    pub arrived: SimTime,
    /// The HEADERS frame is still to be written.
    headers_pending: bool,
    /// The response head may go out (the server has produced it).
    pub head_ready: bool,
    pub size: u64,
    /// Body bytes the server has produced so far.
    pub released: u64,
    /// Body bytes sent.
    pub sent: u64,
    /// Stream send window (RFC 9113 §6.9.1); may go negative after a SETTINGS change.
    pub window: i64,
    /// A pushed stream depends on the stream it was promised on: it sends only while that
    /// one has nothing to send (RFC 7540 §5.3.5, "pushed streams initially depend on their
    /// associated stream", which nginx, h2o and Apache keep).
    pub after: Option<StreamId>,
}

impl OutStream {
    fn has_data(&self) -> bool {
        !self.headers_pending && self.released > self.sent
    }

    fn done(&self) -> bool {
        !self.headers_pending && self.sent >= self.size
    }
}

/// The server's response scheduler for one connection, with its send windows.
#[derive(Clone, Debug)]
pub struct Scheduler {
    pub policy: SchedulerKind,
    /// Streams with frames to send; served incremental streams move to the back.
    streams: VecDeque<OutStream>,
    next_order: u64,
    /// Connection send window (RFC 9113 §6.9.1).
    pub conn_window: i64,
    /// SETTINGS_INITIAL_WINDOW_SIZE of the client (RFC 9113 §6.5.2), for new streams.
    pub initial_window: i64,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new(SchedulerKind::default())
    }
}

/// Why a stream with bytes ready could not send: its own window (`Some`) or the
/// connection's (`None`).
pub type FlowBlock = Option<StreamId>;

impl Scheduler {
    pub fn new(policy: SchedulerKind) -> Scheduler {
        Scheduler {
            policy,
            streams: VecDeque::new(),
            next_order: 0,
            conn_window: DEFAULT_WINDOW as i64,
            initial_window: DEFAULT_WINDOW as i64,
        }
    }

    /// A response to send on `stream`: the head once [`OutStream::head_ready`], then the
    /// body as it is released. Until the caller sets them, nothing is ready.
    pub fn push(
        &mut self,
        asset: AssetId,
        stream: StreamId,
        priority: Priority,
        size: u64,
        arrived: SimTime,
    ) {
        self.streams.push_back(OutStream {
            asset,
            stream,
            priority,
            order: self.next_order,
            arrived,
            headers_pending: true,
            head_ready: false,
            size,
            released: 0,
            sent: 0,
            window: self.initial_window,
            after: None,
        });
        self.next_order += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    pub fn streams_mut(&mut self) -> impl Iterator<Item = &mut OutStream> {
        self.streams.iter_mut()
    }

    /// A WINDOW_UPDATE arrived (RFC 9113 §6.9.1): stream 0 is the connection.
    pub fn window_update(&mut self, stream: StreamId, increment: u32) {
        let inc = i64::from(increment);
        if stream.0 == 0 {
            self.conn_window += inc;
        } else if let Some(s) = self.streams.iter_mut().find(|s| s.stream == stream) {
            s.window += inc;
        }
    }

    /// RST_STREAM arrived: the stream is dropped (RFC 9113 §6.4). Returns whether it was
    /// still sending.
    pub fn cancel(&mut self, stream: StreamId) -> bool {
        let before = self.streams.len();
        self.streams.retain(|s| s.stream != stream);
        self.streams.len() < before
    }

    /// `stream` (a push) sends only while `parent` has nothing to send.
    pub fn depend(&mut self, stream: StreamId, parent: StreamId) {
        if let Some(s) = self.streams.iter_mut().find(|s| s.stream == stream) {
            s.after = Some(parent);
        }
    }

    fn own_sendable(&self, s: &OutStream) -> bool {
        (s.headers_pending && s.head_ready)
            || (s.has_data() && s.window > 0 && self.conn_window > 0)
    }

    fn sendable(&self, s: &OutStream) -> bool {
        self.own_sendable(s)
            && !s.after.is_some_and(|p| {
                self.streams
                    .iter()
                    .any(|o| o.stream == p && self.own_sendable(o))
            })
    }

    /// Streams that have released body bytes they may not send for want of credit.
    pub fn flow_blocked(&self) -> Vec<(AssetId, FlowBlock)> {
        self.streams
            .iter()
            .filter(|s| s.has_data())
            .filter_map(|s| {
                if s.window <= 0 {
                    Some((s.asset, Some(s.stream)))
                } else if self.conn_window <= 0 {
                    Some((s.asset, None))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Which stream sends next.
    fn pick(&self) -> Option<usize> {
        let ready = self
            .streams
            .iter()
            .enumerate()
            .filter(|(_, s)| self.sendable(s));
        match self.policy {
            // One frame of each ready stream in turn: the first in rotation order.
            SchedulerKind::RoundRobin => ready.map(|(i, _)| i).next(),
            // RFC 9218 §10: lowest urgency first; within it, non-incremental streams one
            // after another in request order before incremental ones, which share
            // round-robin (the order quiche's `StreamPriorityKey` sorts).
            SchedulerKind::Sequential => ready
                .min_by_key(|(i, s)| {
                    let tie = if s.priority.incremental {
                        *i as u64
                    } else {
                        s.order
                    };
                    (s.priority.urgency, s.priority.incremental, tie)
                })
                .map(|(i, _)| i),
        }
    }

    /// The next frame, by the policy, within the flow-control windows.
    pub fn next_frame(&mut self) -> Option<OutFrame> {
        let i = self.pick()?;
        let conn_window = self.conn_window;
        let s = self.streams.get_mut(i)?;
        let out = if s.headers_pending {
            s.headers_pending = false;
            OutFrame::Headers {
                asset: s.asset,
                stream: s.stream,
            }
        } else {
            let credit = u64::try_from(s.window.min(conn_window)).unwrap_or(0);
            let payload = (s.released - s.sent).min(MAX_DATA_PAYLOAD).min(credit);
            s.sent += payload;
            s.window -= payload as i64;
            OutFrame::Data {
                asset: s.asset,
                stream: s.stream,
                payload,
                end_stream: s.sent >= s.size,
            }
        };
        if let OutFrame::Data { payload, .. } = out {
            self.conn_window -= payload as i64;
        }
        let rotate = self.policy == SchedulerKind::RoundRobin
            || self.streams.get(i).is_some_and(|s| s.priority.incremental);
        if let Some(s) = self.streams.remove(i) {
            if !s.done() {
                if rotate {
                    self.streams.push_back(s);
                } else {
                    self.streams.insert(i, s);
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    #[test]
    fn preface_and_settings_sizes_are_the_encoded_frames() {
        // 24 + (9 + 4·6) + (9 + 4), RFC 9113 §3.4, §6.5.1, §6.9: four settings and the
        // connection WINDOW_UPDATE.
        assert_eq!(
            client_preface_len(FlowWindows::Browser, false),
            24 + 33 + 13
        );
        // RFC windows: no SETTINGS_INITIAL_WINDOW_SIZE and no WINDOW_UPDATE.
        assert_eq!(client_preface_len(FlowWindows::Rfc, true), 24 + 9 + 3 * 6);
        assert_eq!(server_preface_len(), (9 + 3 * 6) + 9);
        assert_eq!(settings_ack_len(), 9);
        // RFC 9113 §6.9, §6.4: 4-byte payloads.
        assert_eq!(window_update(StreamId(3), 40_000).wire(), 13);
        let rst = rst_stream_cancel(StreamId(2));
        assert_eq!(
            (rst.wire(), rst.kind, rst.stream),
            (13, FrameType::RstStream, StreamId(2))
        );
        let push = client_settings(FlowWindows::Browser, true);
        assert!(push.contains(&(SettingId::EnablePush, 1)));
        assert!(push.contains(&(SettingId::InitialWindowSize, 6 * 1024 * 1024)));
        assert_eq!(
            client_connection_increment(FlowWindows::Browser),
            Some(15 * 1024 * 1024 - 65_535)
        );
    }

    #[test]
    fn hpack_context_carries_across_requests_and_priority_is_sent() {
        let page = Page::preset(PresetId::Blog);
        let mut c = HeaderCodec::default();
        let first = c.request(&page, AssetId(1), StreamId(1));
        let second = c.request(&page, AssetId(2), StreamId(3));
        assert_eq!(first.frame, first.block + 9);
        // END_STREAM | END_HEADERS (RFC 9113 §6.2).
        assert_eq!(first.info.flags, 0x5);
        assert!(second.block * 5 < first.block, "{second:?} vs {first:?}");
        // Chrome's RFC 9218 priority for a stylesheet is u=0 (non-incremental): `u=0`.
        let css = request_list(&page, AssetId(1));
        assert_eq!(page.asset(AssetId(1)).kind, AssetKind::Css);
        assert_eq!(css.last(), Some(&Field::new("priority", "u=0")), "{css:?}");
        assert_eq!(
            priority_of(&css),
            Priority {
                urgency: 0,
                incremental: false
            }
        );
        // One representation per field, in order; `:method: GET` is static index 2 (RFC 7541
        // Appendix A), an indexed field whose name and value the trace leaves to the table.
        assert_eq!(first.reps.len(), css.len());
        assert_eq!(
            (
                first.reps[0].rep,
                first.reps[0].index,
                first.reps[0].name.as_str()
            ),
            (crate::trace::RepKind::Indexed, Some(2), "")
        );
        // `:path` is a literal with the static name index 4, added to the table.
        assert_eq!(
            (
                first.reps[3].rep,
                first.reps[3].index,
                first.reps[3].value.as_str()
            ),
            (crate::trace::RepKind::Incremental, Some(4), "/css/main.css")
        );
    }

    #[test]
    fn push_promise_and_early_hints_are_real_frames() {
        let page = Page::preset(PresetId::Blog);
        let mut c = HeaderCodec::default();
        let p = c.push_promise(&page, AssetId(1), StreamId(1), StreamId(2));
        // RFC 9113 §6.6: 4 bytes of promised stream id before the block; END_HEADERS.
        assert_eq!(p.frame, 9 + 4 + p.block);
        assert_eq!((p.info.kind, p.info.flags), (FrameType::PushPromise, 0x4));
        // Pseudo-headers and the three fields nginx copies.
        assert_eq!(p.reps.len(), 4 + 3);
        let h = c.early_hints(&page, &[AssetId(1), AssetId(2)], StreamId(1));
        assert_eq!((h.info.kind, h.info.flags), (FrameType::Headers, 0x4));
        assert_eq!(h.reps[0].value, "103");
        assert_eq!(h.reps[1].name, "link");
        assert!(
            h.reps[1].value.ends_with("rel=preload; as=style"),
            "{:?}",
            h.reps[1]
        );
    }

    fn order(policy: SchedulerKind, streams: &[(u32, u8, bool, u64)]) -> Vec<(u32, char)> {
        let mut s = Scheduler::new(policy);
        s.conn_window = i64::MAX / 2;
        s.initial_window = i64::MAX / 2;
        for &(id, urgency, incremental, size) in streams {
            let p = Priority {
                urgency,
                incremental,
            };
            s.push(AssetId(id), StreamId(u64::from(id)), p, size, SimTime::ZERO);
        }
        for st in s.streams_mut() {
            st.head_ready = true;
            st.released = st.size;
        }
        std::iter::from_fn(|| s.next_frame())
            .map(|f| match f {
                OutFrame::Headers { asset, .. } => (asset.0, 'h'),
                OutFrame::Data { asset, .. } => (asset.0, 'd'),
            })
            .collect()
    }

    #[test]
    fn round_robin_interleaves_and_sequential_follows_rfc_9218() {
        let two = MAX_DATA_PAYLOAD * 2;
        // An image (u=3, incremental) requested before a stylesheet (u=0) and a script (u=1).
        let streams = [(1, 3, true, two), (2, 1, false, 10), (3, 0, false, two)];
        assert_eq!(
            order(SchedulerKind::RoundRobin, &streams),
            [
                (1, 'h'),
                (2, 'h'),
                (3, 'h'),
                (1, 'd'),
                (2, 'd'),
                (3, 'd'),
                (1, 'd'),
                (3, 'd')
            ]
        );
        // RFC 9218 §10: the most urgent first, each non-incremental one to its end.
        assert_eq!(
            order(SchedulerKind::Sequential, &streams),
            [
                (3, 'h'),
                (3, 'd'),
                (3, 'd'),
                (2, 'h'),
                (2, 'd'),
                (1, 'h'),
                (1, 'd'),
                (1, 'd')
            ]
        );
        // Equal urgency: incremental streams share round-robin, after the non-incremental.
        let images = [(1, 3, true, two), (2, 3, true, two), (3, 3, false, 10)];
        assert_eq!(
            order(SchedulerKind::Sequential, &images),
            [
                (3, 'h'),
                (3, 'd'),
                (1, 'h'),
                (2, 'h'),
                (1, 'd'),
                (2, 'd'),
                (1, 'd'),
                (2, 'd')
            ]
        );
    }

    /// RFC 7540 §5.3.5: a pushed stream (here urgency 0) waits while the stream it was
    /// promised on (the HTML, urgency 0 incremental) has data, then takes its turn.
    #[test]
    fn a_push_waits_for_its_parent() {
        let mut s = Scheduler::new(SchedulerKind::Sequential);
        s.conn_window = i64::MAX / 2;
        s.initial_window = i64::MAX / 2;
        let html = Priority {
            urgency: 0,
            incremental: true,
        };
        let css = Priority {
            urgency: 0,
            incremental: false,
        };
        s.push(
            AssetId(0),
            StreamId(1),
            html,
            MAX_DATA_PAYLOAD * 2,
            SimTime::ZERO,
        );
        s.push(AssetId(1), StreamId(2), css, 10, SimTime::ZERO);
        s.depend(StreamId(2), StreamId(1));
        for st in s.streams_mut() {
            st.head_ready = true;
            st.released = st.size;
        }
        let order: Vec<u32> = std::iter::from_fn(|| s.next_frame())
            .map(|f| match f {
                OutFrame::Headers { asset, .. } | OutFrame::Data { asset, .. } => asset.0,
            })
            .collect();
        // Without the dependency the non-incremental CSS would go first (RFC 9218 §10).
        assert_eq!(order, [0, 0, 0, 1, 1]);
    }

    #[test]
    fn data_stays_within_both_windows() {
        let mut s = Scheduler::new(SchedulerKind::Sequential);
        let p = DEFAULT_PRIORITY;
        s.push(AssetId(1), StreamId(1), p, 100_000, SimTime::ZERO);
        s.push(AssetId(2), StreamId(3), p, 100_000, SimTime::ZERO);
        for st in s.streams_mut() {
            st.head_ready = true;
            st.released = st.size;
        }
        let mut sent = [0u64; 3];
        while let Some(f) = s.next_frame() {
            if let OutFrame::Data { asset, payload, .. } = f {
                sent[asset.0 as usize] += payload;
            }
        }
        // RFC 9113 §6.9.2: 65,535 bytes of connection credit, all taken by stream 1 (its own
        // window is 65,535 too), so stream 3 is blocked by the connection.
        assert_eq!(sent, [0, 65_535, 0]);
        assert_eq!(
            s.flow_blocked(),
            [(AssetId(1), Some(StreamId(1))), (AssetId(2), None)]
        );
        s.window_update(StreamId(0), 30_000);
        s.window_update(StreamId(1), 10_000);
        while let Some(f) = s.next_frame() {
            if let OutFrame::Data { asset, payload, .. } = f {
                sent[asset.0 as usize] += payload;
            }
        }
        // 10,000 more for stream 1 (its window), the other 20,000 to stream 3.
        assert_eq!(sent, [0, 75_535, 20_000]);
        assert!(s.cancel(StreamId(3)));
        assert!(!s.cancel(StreamId(3)));
    }
}
