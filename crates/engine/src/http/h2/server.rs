//! The server's end of one HTTP/2 connection, as nginx runs it: its SETTINGS and the ACK of
//! the client's, every request decoded from its HEADERS frame (the path picks the asset,
//! the `priority` field its RFC 9218 priority), responses produced as the origin makes them
//! and sent in the order the [`Scheduler`] picks, within the flow-control credit the client
//! returns and only while the congestion window has room — so the scheduler, not a deep
//! socket buffer, decides the order on the wire. With push, the promises go out on the HTML's
//! request ([`super::push`]); with Early Hints, a `103` first.

use std::collections::{BTreeMap, VecDeque};

use super::frames::{self, FrameInfo};
use super::hpack::{self, Block, BlockDecoder, BlockEncoder};
use super::prioritize::{FlowBlock, OutFrame, Scheduler};
use super::push;
use super::reader::{next_record, FrameReader, Incoming};
use crate::headers::{response_fields, Field};
use crate::http::carrier::Carrier;
use crate::http::origin::{Origin, Production};
use crate::http::priority::{parse_priority, Priority, DEFAULT_PRIORITY};
use crate::http::stream::{Ledger, Payload, What};
use crate::http::ReadError;
use crate::ids::{AssetId, StreamId};
use crate::options::SchedulerKind;
use crate::page::Page;
use crate::sim::Side;
use crate::time::SimTime;
use crate::wire::frame::{Frame, Headers, PushPromise, SettingId, MAX_MAX_FRAME_SIZE};

/// What the server did that the lane records or acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum H2ServerEvent {
    /// A frame went to TLS.
    Wrote {
        frame: FrameInfo,
        asset: Option<AssetId>,
    },
    /// A header block went to TLS, in the frame `frame`.
    Block {
        frame: FrameInfo,
        asset: Option<AssetId>,
        block: Block,
    },
    /// A request for `asset` arrived and decoded, on `stream`.
    Request { asset: AssetId, stream: StreamId },
    /// `asset` was promised on `stream` (RFC 9113 §8.4.1): the server made its request; the
    /// promise's header block is `block` bytes.
    Promised {
        asset: AssetId,
        stream: StreamId,
        block: u64,
    },
    /// `asset`'s response HEADERS went out; its block is `block` bytes.
    ResponseHead { asset: AssetId, block: u64 },
    /// The client refused `asset`'s push (RST_STREAM); `written` bytes of its frames had
    /// gone out for nothing.
    Reset { asset: AssetId, written: u64 },
    /// The server wants to be woken at `at` (a response part is produced then).
    Wake { at: SimTime },
}

/// The server's end of one HTTP/2 connection.
#[derive(Debug)]
pub struct H2Server {
    pub carrier: Carrier,
    enc: BlockEncoder,
    dec: BlockDecoder,
    reader: FrameReader,
    sched: Scheduler,
    /// The client's SETTINGS arrived (and ours went out).
    settings: bool,
    /// Pushed streams are even, server-initiated (RFC 9113 §5.1.1).
    next_push: u64,
    /// The asset each stream carries (requests and pushes).
    streams: BTreeMap<StreamId, AssetId>,
    /// Frame bytes written per asset (a refused push's are wasted), the promise included.
    written: BTreeMap<AssetId, u64>,
    events: VecDeque<H2ServerEvent>,
    /// When a response's production next changes (a new one, a head produced, a part
    /// released): until then [`H2Server::pump`] finds every response as it left them.
    production_due: Option<SimTime>,
}

/// The server's `200` response head (RFC 9113 §8.3.2).
fn response_list(page: &Page, id: AssetId) -> Vec<Field> {
    let mut fields = vec![Field::new(":status", "200")];
    fields.extend(response_fields(page, id));
    fields
}

impl H2Server {
    pub fn new(carrier: Carrier, scheduler: SchedulerKind) -> H2Server {
        H2Server {
            carrier,
            enc: BlockEncoder::default(),
            // nginx announces no SETTINGS_HEADER_TABLE_SIZE: the default 4,096.
            dec: BlockDecoder::new(4_096),
            reader: FrameReader::new(MAX_MAX_FRAME_SIZE, true),
            sched: Scheduler::new(scheduler),
            settings: false,
            next_push: 2,
            streams: BTreeMap::new(),
            written: BTreeMap::new(),
            events: VecDeque::new(),
            production_due: None,
        }
    }

    fn wrote(&mut self, frame: FrameInfo, asset: Option<AssetId>) {
        if let Some(a) = asset {
            *self.written.entry(a).or_default() += frame.wire();
        }
        self.events.push_back(H2ServerEvent::Wrote { frame, asset });
    }

    /// Writes a HEADERS frame carrying `fields` on `stream`.
    fn headers(
        &mut self,
        stream: StreamId,
        fields: &[Field],
        end_stream: bool,
        asset: AssetId,
        what: impl FnOnce(u64) -> What,
    ) -> u64 {
        let block = self.enc.encode(fields);
        let n = block.bytes.len() as u64;
        let built = frames::build(Frame::Headers(Headers {
            stream_id: stream,
            end_stream,
            end_headers: true,
            priority: None,
            header_block_fragment: block.bytes.clone(),
            padding: None,
        }));
        self.carrier.write(Payload::Real(built.bytes), what(n));
        self.wrote(built.info.clone(), Some(asset));
        self.events.push_back(H2ServerEvent::Block {
            frame: built.info,
            asset: Some(asset),
            block,
        });
        n
    }

    /// Reads every record TLS completed from the client's `peer` ledger.
    pub fn read(&mut self, now: SimTime, peer: &Ledger, origin: &Origin) -> Result<(), ReadError> {
        while let Some((incoming, at)) =
            next_record(&mut self.carrier, &mut self.reader, peer, Side::Server)?
        {
            for f in incoming {
                self.frame(now, f, at, origin)?;
            }
        }
        self.carrier.end_pass(now);
        Ok(())
    }

    fn frame(
        &mut self,
        now: SimTime,
        f: Incoming,
        at: u64,
        origin: &Origin,
    ) -> Result<(), ReadError> {
        let err = |reason: String| ReadError::new(Side::Server, at, reason);
        match f {
            Incoming::Frame(Frame::Settings(s)) if !s.ack => {
                if !self.settings {
                    // RFC 9113 §3.4: our preface, then the ACK of theirs (§6.5.3).
                    self.settings = true;
                    let (bytes, frames) = frames::server_preface();
                    self.carrier.write(Payload::Real(bytes), What::Preface);
                    for frame in frames {
                        self.wrote(frame, None);
                    }
                }
                for setting in &s.settings {
                    if setting.id == SettingId::InitialWindowSize {
                        // RFC 9113 §6.9.2: the window new streams start with.
                        self.sched.initial_window = i64::from(setting.value);
                    }
                }
            }
            Incoming::Frame(Frame::WindowUpdate(w)) => {
                self.sched
                    .window_update(w.stream_id, w.window_size_increment);
            }
            Incoming::Frame(Frame::RstStream(r)) => {
                self.sched.cancel(r.stream_id);
                if let Some(&asset) = self.streams.get(&r.stream_id) {
                    // RFC 9113 §8.4.2: the promise and everything written on the refused
                    // stream were for nothing.
                    let written = self.written.get(&asset).copied().unwrap_or(0);
                    self.events
                        .push_back(H2ServerEvent::Reset { asset, written });
                }
            }
            Incoming::Frame(Frame::Headers(h)) => {
                if !h.end_headers {
                    return Err(err(
                        "HEADERS without END_HEADERS (no CONTINUATION here)".into()
                    ));
                }
                let fields = self
                    .dec
                    .decode_fields(&h.header_block_fragment)
                    .map_err(|e| err(format!("HPACK: {e}")))?;
                let path = hpack::field_in(&fields, ":path")
                    .ok_or_else(|| err("a request without :path".into()))?;
                let asset = origin
                    .asset_at(path)
                    .ok_or_else(|| err(format!("a request for {path}, not on the site")))?;
                // RFC 9218 §4, §5: the priority the browser asked for (absent: the defaults).
                let priority =
                    hpack::field_in(&fields, "priority").map_or(DEFAULT_PRIORITY, parse_priority);
                self.request(now, asset, h.stream_id, priority, origin);
            }
            Incoming::Data(_) => {
                return Err(err("DATA from the client, whose requests are GETs".into()));
            }
            // The client's SETTINGS ACK, PING, PRIORITY and unknown frames change nothing here.
            Incoming::Frame(_) => {}
        }
        Ok(())
    }

    fn request(
        &mut self,
        now: SimTime,
        asset: AssetId,
        stream: StreamId,
        priority: Priority,
        origin: &Origin,
    ) {
        self.events
            .push_back(H2ServerEvent::Request { asset, stream });
        if asset == AssetId(0) && !origin.early_hints.is_empty() {
            // RFC 8297 on HTTP/2: an informational `103` HEADERS frame (no END_STREAM,
            // RFC 9113 §8.1) naming the preloads, before the final response.
            let mut fields = vec![Field::new(":status", "103")];
            fields.extend(
                crate::http::early_hints::fields(origin.page, &origin.early_hints)
                    .into_iter()
                    .map(|(n, v)| Field::new(n, v)),
            );
            self.headers(stream, &fields, false, asset, |block| What::EarlyHints {
                block,
            });
        }
        self.serve(now, asset, stream, priority, origin.page);
        if asset == AssetId(0) {
            for &(id, p) in &origin.push {
                self.promise(now, id, p, stream, origin.page);
            }
        }
    }

    /// The response to `asset` on `stream` is to be sent as the origin produces it.
    fn serve(&mut self, now: SimTime, asset: AssetId, stream: StreamId, p: Priority, page: &Page) {
        let a = page.asset(asset);
        self.streams.insert(stream, asset);
        self.sched.push(asset, stream, p, a.size, now);
        self.production_due = Some(now);
        for r in &a.release {
            self.events
                .push_back(H2ServerEvent::Wake { at: now + r.after });
        }
    }

    /// RFC 9113 §6.6, §8.4.1: promises `id` on `stream` (the HTML's) as the next even stream,
    /// and serves it there, depending on `stream`.
    fn promise(&mut self, now: SimTime, id: AssetId, p: Priority, stream: StreamId, page: &Page) {
        let promised = StreamId(self.next_push);
        self.next_push += 2;
        let block = self.enc.encode(&push::promised_request(page, id));
        let n = block.bytes.len() as u64;
        // RFC 9113 §6.6: no padding, so the payload is the promised stream id and the block.
        let built = frames::build(Frame::PushPromise(PushPromise {
            stream_id: stream,
            end_headers: true,
            promised_stream_id: promised,
            header_block_fragment: block.bytes.clone(),
            padding: None,
        }));
        self.events.push_back(H2ServerEvent::Promised {
            asset: id,
            stream: promised,
            block: n,
        });
        self.carrier.write(
            Payload::Real(built.bytes),
            What::PushPromise {
                asset: id,
                block: n,
            },
        );
        // The promise is part of the push: wasted too if the browser refuses it.
        self.wrote(built.info.clone(), Some(id));
        self.events.push_back(H2ServerEvent::Block {
            frame: built.info,
            asset: Some(id),
            block,
        });
        self.serve(now, id, promised, p, page);
        self.sched.depend(promised, stream);
    }

    /// Sends frames while the congestion window has room: only what the origin has produced
    /// by `now` and what flow control allows, in the scheduler's order.
    pub fn pump(&mut self, now: SimTime, page: &Page) {
        if self.production_due.is_some_and(|due| due <= now) {
            // What a response has ready changes only at the instants `ready` names next.
            let mut due: Option<SimTime> = None;
            for s in self.sched.streams_mut() {
                if s.head_ready && s.released == s.size {
                    // Fully produced: later times release nothing more (releases only grow).
                    continue;
                }
                let ready = Production {
                    asset: s.asset,
                    arrived: s.arrived,
                }
                .ready(page, now);
                s.head_ready = ready.head;
                s.released = ready.body.min(s.size);
                if let Some(next) = ready.next {
                    due = Some(due.map_or(next, |d| d.min(next)));
                }
            }
            self.production_due = due;
        }
        // While the congestion window has room beyond what is in flight and queued (Linux
        // `tcp_packets_in_flight`: SACKed and lost segments are not in flight), so new data
        // PRR lets out during recovery is there to send.
        // (What a buffering TLS holds for the end of the pass is on its way too.)
        while self.carrier.tls.may_write()
            && self.carrier.tcp.window_room() > self.carrier.buffered()
        {
            match self.sched.next_frame() {
                Some(OutFrame::Headers { asset, stream }) => {
                    let end = page.asset(asset).size == 0;
                    let block =
                        self.headers(stream, &response_list(page, asset), end, asset, |block| {
                            What::ResponseHead { asset, block }
                        });
                    self.events
                        .push_back(H2ServerEvent::ResponseHead { asset, block });
                }
                Some(OutFrame::Data {
                    asset,
                    stream,
                    payload,
                    end_stream,
                }) => {
                    let (header, info) = frames::data_header(stream, payload, end_stream);
                    self.carrier
                        .write(Payload::Frame { header, payload }, What::Body { asset });
                    self.wrote(info, Some(asset));
                }
                None => break,
            }
        }
        self.carrier.end_pass(now);
    }

    /// Streams with body produced that flow control holds back, and by which window.
    pub fn flow_blocked(&self) -> Vec<(AssetId, FlowBlock)> {
        self.sched.flow_blocked()
    }

    /// The next thing the server did, oldest first.
    pub fn poll_event(&mut self) -> Option<H2ServerEvent> {
        self.events.pop_front()
    }

    /// This end's HPACK contexts: its encoder (the peer's decoder follows it) and its
    /// decoder (it follows the peer's encoder).
    pub fn hpack(&self) -> (&BlockEncoder, &BlockDecoder) {
        (&self.enc, &self.dec)
    }
}

crate::http::carrier::carrier_endpoint!(H2Server, super::H2Client);
