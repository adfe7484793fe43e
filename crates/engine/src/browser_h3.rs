//! The HTTP/3 lane: the same browser as [`crate::browser`]'s TCP lanes, loading the page
//! over ONE QUIC connection ([`crate::http::h3`] over [`crate::transport::quic`]) on the
//! lane's own fresh [`Link`], built from the scenario's network exactly as the TCP lanes
//! build theirs (same configuration, same seed: the n-th packet in each direction has the
//! same luck in every lane).
//!
//! The HTML is requested at t = 0; a child is discovered when its parent's body has been
//! delivered in order (the client's `BodyProgress`) up to its reference offset, and a
//! reference at or past the parent's end (a CSS-referenced font) when the parent completes.
//! Requests go out at discovery once the client can send: when 1-RTT keys are ready (or
//! 0-RTT keys, had the QUIC config allowed 0-RTT; it does not by default).
//!
//! QUIC merges the transport and TLS handshakes (RFC 9001 §4): the connection's
//! `tcp_established` and `tls_established` are both the instant the client's 1-RTT keys
//! were ready, and the lane logs `TlsEstablished` then.
//!
//! Priorities: the client sends Chrome's RFC 9218 urgencies ([`chrome_priority`]); the
//! server schedules round-robin ([`Scheduling::RoundRobin`]), as the HTTP/2 lane's server
//! does, so the two multiplexed lanes differ by transport, not by scheduler.

use std::collections::{BTreeMap, VecDeque};

use crate::headers::request_fields;
use crate::http::h3::harness::Site;
use crate::http::h3::{
    Content, H3Client, H3Config, H3EventKind, H3Server, Ledger, Priority, Scheduling,
};
use crate::ids::{AssetId, ConnId, StreamId};
use crate::link::{Direction, Fate, Link, Sent};
use crate::page::{AssetKind, Page};
use crate::scenario::{Protocol, Scenario};
use crate::sim::EventQueue;
use crate::time::SimTime;
use crate::trace::{
    AssetTiming, Blocked, BlockedCause, ConnectPhases, Connection, CwndSample, Event, EventKind,
    Lane, Metrics, RttSample, Source,
};
use crate::transport::quic::{
    Datagram, Frame, HandshakeStep, PacketType, QuicEvent, QuicEventKind, Side, GRANULARITY,
};

/// The one connection of the lane.
const CONN: ConnId = ConnId(0);

/// Chrome's RFC 9218 priority for a request of `kind`. Blink's load priority maps to a net
/// priority (VeryHigh → HIGHEST, High → MEDIUM, Low → LOWEST), and Chromium's QUIC stack
/// sends urgency = HIGHEST − priority (HIGHEST 0, MEDIUM 1, LOW 2, LOWEST 3):
/// - the document: VeryHigh, incremental (`u=0, i`);
/// - stylesheets and fonts: VeryHigh (`u=0`);
/// - scripts and fetched JSON: High (`u=1`);
/// - images: Low, incremental (`i`, the default urgency 3 of RFC 9218 §4.1).
pub fn chrome_priority(kind: AssetKind) -> Priority {
    let (urgency, incremental) = match kind {
        AssetKind::Html => (0, true),
        AssetKind::Css | AssetKind::Font => (0, false),
        AssetKind::Js | AssetKind::Json => (1, false),
        AssetKind::Image => (3, true),
    };
    Priority {
        urgency,
        incremental,
    }
}

/// The HTTP/3 configuration of the lane: the engine's QUIC defaults (no 0-RTT), and a
/// round-robin server like the HTTP/2 lane's.
pub fn lane_config() -> H3Config {
    H3Config {
        scheduling: Scheduling::RoundRobin,
        ..H3Config::default()
    }
}

#[derive(Clone, Default)]
struct AssetState {
    discovered: Option<SimTime>,
    stream: Option<StreamId>,
    request_sent: Option<SimTime>,
    first_byte: Option<SimTime>,
    last_byte: Option<SimTime>,
    req_header_bytes: u64,
    resp_header_bytes: u64,
    revealed: usize,
    blocked: Vec<Blocked>,
    /// How the browser came by it.
    source: Source,
    /// Bytes of it sent for nothing (a cancelled push).
    wasted: u64,
}

enum Ev {
    Arrive(Side, Datagram),
    Timer(Side),
}

struct Crossing {
    from: Side,
    sent: SimTime,
    link: Sent,
    datagram: Datagram,
}

struct LaneH3<'a> {
    page: &'a Page,
    site: Site,
    queue: EventQueue<Ev>,
    client: H3Client,
    server: H3Server,
    link: Link,
    armed: [Option<SimTime>; 2],
    /// When the client could first send requests.
    ready: Option<SimTime>,
    assets: Vec<AssetState>,
    children: Vec<Vec<(u64, AssetId)>>,
    /// Discovered before the client could send.
    pending: VecDeque<AssetId>,
    complete: usize,
    events: Vec<Event>,
    crossings: Vec<Crossing>,
    cwnd: Vec<CwndSample>,
    rtt: Vec<RttSample>,
}

/// Simulates the HTTP/3 lane of a validated scenario.
pub(crate) fn run(scenario: &Scenario) -> Lane {
    run_with(scenario, &lane_config())
}

/// Simulates the HTTP/3 lane with `config` for both endpoints.
pub(crate) fn run_with(scenario: &Scenario, config: &H3Config) -> Lane {
    let page = &scenario.page;
    let mut children = vec![Vec::new(); page.assets.len()];
    for id in page.ids() {
        if let Some(d) = page.asset(id).discovered_by {
            children[d.parent.0 as usize].push((d.offset, id));
        }
    }
    for c in &mut children {
        c.sort_unstable();
    }
    let mut sim = LaneH3 {
        page,
        site: Site::from_page(page),
        queue: EventQueue::new(),
        client: H3Client::new(config.clone()),
        server: H3Server::new(config.clone()),
        link: Link::new(scenario.network.link_config()),
        armed: [None; 2],
        ready: None,
        assets: vec![AssetState::default(); page.assets.len()],
        children,
        pending: VecDeque::new(),
        complete: 0,
        events: Vec::new(),
        crossings: Vec::new(),
        cwnd: Vec::new(),
        rtt: Vec::new(),
    };
    sim.log(SimTime::ZERO, EventKind::ConnectionOpened { conn: CONN });
    // Navigation starts at t = 0 with the HTML; the client starts the handshake then.
    sim.discover(SimTime::ZERO, AssetId(0), None);
    sim.queue.schedule(SimTime::ZERO, Ev::Timer(Side::Client));
    let limit = SimTime::ZERO + crate::browser::TIME_LIMIT;
    while sim.complete < page.assets.len() {
        let Some((now, ev)) = sim.queue.pop() else {
            break;
        };
        if now > limit {
            break;
        }
        let side = match ev {
            Ev::Arrive(Side::Client, dg) => {
                sim.client.handle_datagram(now, &dg, sim.server.ledger());
                Side::Client
            }
            Ev::Arrive(Side::Server, dg) => {
                sim.server.handle_datagram(now, &dg, sim.client.ledger());
                Side::Server
            }
            Ev::Timer(side) => {
                let i = usize::from(side == Side::Server);
                if sim.armed[i] == Some(now) {
                    sim.armed[i] = None;
                }
                match side {
                    Side::Client => sim.client.handle_timeout(now),
                    Side::Server => sim.server.handle_timeout(now),
                }
                side
            }
        };
        sim.flush(now, side);
    }
    sim.finish()
}

fn dir_of(side: Side) -> Direction {
    match side {
        Side::Client => Direction::Up,
        Side::Server => Direction::Down,
    }
}

impl LaneH3<'_> {
    fn log(&mut self, at: SimTime, kind: EventKind) {
        self.events.push(Event { at, kind });
    }

    fn asset(&mut self, id: AssetId) -> &mut AssetState {
        &mut self.assets[id.0 as usize]
    }

    fn discover(&mut self, now: SimTime, id: AssetId, by: Option<AssetId>) {
        let st = self.asset(id);
        if st.discovered.is_some() {
            return;
        }
        st.discovered = Some(now);
        self.log(now, EventKind::Discovered { asset: id, by });
        self.pending.push_back(id);
        if self.ready.is_some() {
            self.send_pending(now);
        }
    }

    /// Writes every waiting request, each on a new QUIC stream.
    fn send_pending(&mut self, now: SimTime) {
        while let Some(id) = self.pending.pop_front() {
            let a = self.page.asset(id);
            let fields = request_fields(self.page, id);
            let written = match self.client.request(
                now,
                id,
                &a.path,
                &self.site.authority,
                &fields,
                chrome_priority(a.kind),
            ) {
                Ok(w) => w,
                // The client refuses only absurd sizes; the asset then never completes and
                // the lane ends at its time limit, as a TCP lane would with a lost cause.
                Err(_) => continue,
            };
            let st = self.asset(id);
            st.stream = Some(written.stream);
            st.request_sent = Some(now);
            st.req_header_bytes = written.header_block;
            self.log(
                now,
                EventKind::RequestSent {
                    asset: id,
                    conn: CONN,
                    header_bytes: written.header_block,
                },
            );
        }
    }

    /// Discovers the children of `id` referenced before byte `body` of its body (children
    /// at or past the end wait for the response to complete).
    fn reveal(&mut self, now: SimTime, id: AssetId, body: u64, complete: bool) {
        let size = self.page.asset(id).size;
        loop {
            let next = self.assets[id.0 as usize].revealed;
            let Some(&(off, child)) = self.children[id.0 as usize].get(next) else {
                break;
            };
            if !complete && (off > body || off >= size) {
                break;
            }
            self.asset(id).revealed += 1;
            self.discover(now, child, Some(id));
        }
    }

    fn complete(&mut self, at: SimTime, asset: AssetId) {
        if self.asset(asset).last_byte.is_some() {
            return;
        }
        self.asset(asset).last_byte = Some(at);
        self.complete += 1;
        self.log(at, EventKind::Complete { asset });
        self.reveal(at, asset, u64::MAX, true);
    }

    fn client_events(&mut self, now: SimTime) {
        while let Some(e) = self.client.poll_quic_event() {
            self.quic_event(Side::Client, e);
        }
        if self.ready.is_some() {
            self.send_pending(now);
        }
        while let Some(e) = self.client.poll_event() {
            let at = e.at;
            match e.kind {
                H3EventKind::FirstByte { asset, .. } => {
                    let st = self.asset(asset);
                    if st.first_byte.is_none() {
                        st.first_byte = Some(at);
                        self.log(at, EventKind::FirstByte { asset });
                    }
                }
                H3EventKind::ResponseHeaders {
                    asset,
                    header_block,
                    ..
                } => self.asset(asset).resp_header_bytes = header_block,
                H3EventKind::BodyProgress { asset, body, .. } => {
                    self.reveal(at, asset, body, false);
                }
                H3EventKind::ResponseComplete { asset, .. } => self.complete(at, asset),
                H3EventKind::HolBlocked {
                    stream,
                    asset,
                    interval,
                } => {
                    self.log(
                        at,
                        EventKind::QuicHolBlocked {
                            conn: CONN,
                            stream,
                            asset,
                            from: interval.since,
                            offset: interval.offset,
                            packet: interval.blocking.0,
                            waiting: interval.waiting,
                        },
                    );
                    if let Some(a) = asset {
                        let st = self.asset(a);
                        let from = interval
                            .since
                            .max(st.request_sent.unwrap_or(interval.since));
                        if from < interval.until {
                            st.blocked.push(Blocked {
                                from,
                                to: interval.until,
                                cause: BlockedCause::QuicStreamHeadOfLine {
                                    conn: CONN,
                                    stream,
                                    offset: interval.offset,
                                    packet: interval.blocking.0,
                                },
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn server_events(&mut self, now: SimTime) {
        while let Some(e) = self.server.poll_event() {
            if let H3EventKind::RequestReceived { stream, path, .. } = &e.kind {
                let (status, fields, body) = match self.site.by_path.get(path) {
                    Some(s) => (200, s.fields.as_slice(), s.body),
                    None => (404, &[][..], 0),
                };
                // The stream carried a request (this very event says so).
                let _ = self.server.respond(now, *stream, status, fields, body);
            }
        }
        while let Some(e) = self.server.poll_quic_event() {
            self.quic_event(Side::Server, e);
        }
    }

    fn quic_event(&mut self, side: Side, e: QuicEvent) {
        let at = e.at;
        match e.kind {
            QuicEventKind::Handshake { step } if side == Side::Client => {
                let keys = matches!(
                    step,
                    HandshakeStep::OneRttReady | HandshakeStep::ZeroRttReady
                );
                if keys && self.ready.is_none() {
                    self.ready = Some(at);
                    self.log(at, EventKind::TlsEstablished { conn: CONN });
                }
            }
            QuicEventKind::PacketLost { pn, reason, .. } => self.log(
                at,
                EventKind::QuicPacketLost {
                    dir: dir_of(side),
                    conn: CONN,
                    pn: pn.0,
                    reason,
                },
            ),
            QuicEventKind::CongestionWindow { cwnd, ssthresh, .. } if side == Side::Server => {
                self.cwnd.push(CwndSample {
                    at,
                    cwnd,
                    ssthresh: (ssthresh != u64::MAX).then_some(ssthresh),
                });
            }
            QuicEventKind::RttSample {
                latest,
                smoothed,
                rttvar,
                ..
            } if side == Side::Server => {
                // RFC 9002 §6.2.1: PTO = smoothed_rtt + max(4 * rttvar, kGranularity)
                // + max_ack_delay.
                let var = rttvar * 4;
                let var = if var.as_micros() < GRANULARITY.as_micros() {
                    GRANULARITY
                } else {
                    var
                };
                let pto = smoothed + var + self.server.config().quic.max_ack_delay;
                self.rtt.push(RttSample {
                    at,
                    latest,
                    srtt: smoothed,
                    rto: pto,
                });
            }
            _ => {}
        }
    }

    fn drain(&mut self, now: SimTime, side: Side) {
        match side {
            Side::Client => self.client_events(now),
            Side::Server => self.server_events(now),
        }
    }

    fn flush(&mut self, now: SimTime, side: Side) {
        loop {
            self.drain(now, side);
            let d = match side {
                Side::Client => self.client.poll_transmit(now),
                Side::Server => self.server.poll_transmit(now),
            };
            let Some(d) = d else {
                break;
            };
            let sent = self.link.send(now, dir_of(side), d.wire_len());
            if let Some(at) = sent.arrival() {
                let to = match side {
                    Side::Client => Side::Server,
                    Side::Server => Side::Client,
                };
                self.queue.schedule(at, Ev::Arrive(to, d.clone()));
            }
            self.crossings.push(Crossing {
                from: side,
                sent: now,
                link: sent,
                datagram: d,
            });
        }
        self.drain(now, side);
        let (i, t) = match side {
            Side::Client => (0, self.client.poll_timeout()),
            Side::Server => (1, self.server.poll_timeout()),
        };
        if t != self.armed[i] {
            self.armed[i] = t;
            if let Some(t) = t {
                self.queue.schedule(t.max(now), Ev::Timer(side));
            }
        }
    }

    fn finish(mut self) -> Lane {
        let writes = [index(self.client.ledger()), index(self.server.ledger())];
        let mut m = Metrics::default();
        for c in &self.crossings {
            let d = &c.datagram;
            m.packets += 1;
            m.bytes_total += c.link.bytes;
            let handshake = d
                .packets
                .first()
                .is_some_and(|p| matches!(p.ty, PacketType::Initial | PacketType::Handshake));
            if handshake {
                m.bytes_handshake += c.link.bytes - d.payload_len();
            } else {
                m.bytes_framing += c.link.bytes - d.payload_len();
            }
            let mut retransmission = false;
            for p in &d.packets {
                if matches!(p.ty, PacketType::Initial | PacketType::Handshake) {
                    // CRYPTO data, ACKs and padding of the handshake (first sent or not).
                    m.bytes_handshake += p.wire_len();
                    continue;
                }
                let mut data = 0;
                for f in &p.frames {
                    let Frame::Stream(s) = f else {
                        continue;
                    };
                    data += s.len;
                    if s.first_sent_in.is_some() {
                        retransmission = true;
                        m.bytes_retransmitted += s.len;
                    } else {
                        let side = usize::from(c.from == Side::Server);
                        classify(&writes[side], s.id, s.offset, s.len, &mut m);
                    }
                }
                m.bytes_framing += p.wire_len() - data;
            }
            if retransmission {
                m.retransmissions += 1;
            }
            let (arrives, dropped) = match c.link.fate {
                Fate::Arrives { at } => (Some(at), None),
                Fate::Dropped { reason } => (None, Some(reason)),
            };
            self.events.push(Event {
                at: c.sent,
                kind: EventKind::PacketSent {
                    dir: c.link.dir,
                    conn: CONN,
                    seq: d.packets.first().map_or(0, |p| p.pn.0),
                    len: d.payload_len(),
                    bytes: c.link.bytes,
                    retransmission,
                    ordinal: c.link.ordinal,
                    arrives,
                    dropped,
                },
            });
        }
        let ready = self.ready.unwrap_or(SimTime::ZERO);
        let assets: Vec<AssetTiming> = self
            .page
            .ids()
            .map(|id| {
                let a = self.page.asset(id);
                let st = &mut self.assets[id.0 as usize];
                st.blocked.sort_by_key(|b| (b.from, b.to));
                AssetTiming {
                    asset: id,
                    path: a.path.clone(),
                    kind: a.kind,
                    size: a.size,
                    connection: CONN,
                    stream: st.stream,
                    discovered: st.discovered.unwrap_or_default(),
                    // The HTML's request waited for the connection; later ones found it up.
                    connect: (id == AssetId(0)).then_some(ConnectPhases {
                        start: SimTime::ZERO,
                        tcp_end: ready,
                        tls_end: ready,
                    }),
                    request_sent: st.request_sent.unwrap_or_default(),
                    first_byte: st.first_byte.unwrap_or_default(),
                    last_byte: st.last_byte.unwrap_or_default(),
                    request_header_bytes: st.req_header_bytes,
                    response_header_bytes: st.resp_header_bytes,
                    blocked: std::mem::take(&mut st.blocked),
                    source: st.source,
                    executed: None,
                    wasted_bytes: st.wasted,
                }
            })
            .collect();
        m.connections = 1;
        let connections = vec![Connection {
            id: CONN,
            opened: SimTime::ZERO,
            tcp_established: ready,
            tls_established: ready,
            cwnd: self.cwnd,
            rtt: self.rtt,
        }];
        let mut events = self.events;
        events.sort_by_key(|e| e.at);
        Lane {
            protocol: Protocol::Http3,
            connections,
            assets,
            events,
            metrics: m,
            header_blocks: Vec::new(),
        }
    }
}

/// What one range of stream bytes is, for the metrics.
#[derive(Clone, Copy)]
enum Cat {
    Handshake,
    Framing,
    /// A HEADERS frame whose last `block` bytes are the QPACK field section.
    Headers {
        block: u64,
    },
    Payload,
}

/// Each stream's writes of one endpoint: (offset, len, category), by offset.
type Index = BTreeMap<StreamId, Vec<(u64, u64, Cat)>>;

fn index(ledger: &Ledger) -> Index {
    let mut ix = Index::new();
    for w in ledger.writes() {
        let cat = match w.content {
            // Stream types and SETTINGS set the connection up, like HTTP/2's preface.
            Content::StreamType { .. } | Content::Settings => Cat::Handshake,
            Content::Headers { block, .. } => Cat::Headers { block },
            Content::DataHeader { .. } => Cat::Framing,
            Content::Body { .. } => Cat::Payload,
        };
        ix.entry(w.stream).or_default().push((w.offset, w.len, cat));
    }
    ix
}

/// Adds the first transmission of `stream`'s bytes [offset, offset + len) to the metrics by
/// what the writer put there.
fn classify(ix: &Index, stream: StreamId, offset: u64, len: u64, m: &mut Metrics) {
    let end = offset + len;
    let mut known = 0;
    if let Some(ws) = ix.get(&stream) {
        let first = ws.partition_point(|&(o, l, _)| o + l <= offset);
        for &(o, l, cat) in ws[first..].iter().take_while(|&&(o, _, _)| o < end) {
            let (lo, hi) = (o.max(offset), (o + l).min(end));
            let n = hi.saturating_sub(lo);
            known += n;
            match cat {
                Cat::Handshake => m.bytes_handshake += n,
                Cat::Framing => m.bytes_framing += n,
                Cat::Payload => m.bytes_payload += n,
                Cat::Headers { block } => {
                    // The field section is the write's tail [o + l - block, o + l).
                    let b0 = o + l - block.min(l);
                    let h = hi.saturating_sub(lo.max(b0)).min(n);
                    m.bytes_headers += h;
                    m.bytes_framing += n - h;
                }
            }
        }
    }
    // Bytes no write accounts for (none in practice) count as framing, so the categories
    // still add up to the wire.
    m.bytes_framing += len - known;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::LossModel;
    use crate::page::PresetId;
    use crate::time::SimDuration;

    fn blog() -> Scenario {
        Scenario::preset(PresetId::Blog)
    }

    fn lane(s: &Scenario, p: Protocol) -> Lane {
        crate::browser::run(s, p)
    }

    /// QUIC's handshake carries TLS (RFC 9001 §4): one round trip before the first request,
    /// where TCP + TLS 1.3 take two.
    #[test]
    fn h3_html_first_byte_is_a_round_trip_ahead_of_tcp() {
        let s = blog();
        assert_eq!(s.network.rtt, SimDuration::from_millis(100));
        let h1 = lane(&s, Protocol::Http1);
        let h2 = lane(&s, Protocol::Http2);
        let h3 = lane(&s, Protocol::Http3);
        let (t1, t2, t3) = (
            h1.metrics.ttfb.as_micros(),
            h2.metrics.ttfb.as_micros(),
            h3.metrics.ttfb.as_micros(),
        );
        assert!(t3 + 80_000 < t2, "h3 {t3} µs, h2 {t2} µs");
        assert!(t3 + 80_000 < t1, "h3 {t3} µs, h1 {t1} µs");
        // Two round trips (handshake, request) plus serialisation.
        assert!((200_000..260_000).contains(&t3), "{t3} µs");
        let c = &h3.connections[0];
        assert_eq!(c.tcp_established, c.tls_established);
        assert!(c.tls_established.as_micros() >= 100_000);
        assert_eq!(h3.assets[0].request_sent, c.tls_established);
        assert_eq!(
            h3.assets[0].connect,
            Some(ConnectPhases {
                start: SimTime::ZERO,
                tcp_end: c.tls_established,
                tls_end: c.tls_established,
            })
        );
        assert!(h3.assets[1..].iter().all(|a| a.connect.is_none()));
        assert!(!c.cwnd.is_empty() && !c.rtt.is_empty());
    }

    #[test]
    fn all_blog_assets_complete_causally_on_one_connection() {
        let mut lossy = blog();
        lossy.network.loss = LossModel::Random { ppm: 30_000 };
        lossy.network.seed = 11;
        for s in [blog(), lossy] {
            let l = lane(&s, Protocol::Http3);
            assert_eq!(l.protocol, Protocol::Http3);
            assert_eq!(l.assets.len(), 16);
            assert_eq!(l.metrics.connections, 1);
            assert_eq!(l.connections.len(), 1);
            let done = l
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Complete { .. }))
                .count();
            assert_eq!(done, 16);
            // Client-initiated bidirectional streams: 0, 4, 8, ... (RFC 9000 §2.1).
            let mut streams: Vec<u64> = l.assets.iter().map(|a| a.stream.unwrap().0).collect();
            streams.sort_unstable();
            assert_eq!(streams, (0..16).map(|i| 4 * i).collect::<Vec<_>>());
            for a in &l.assets {
                assert_eq!(a.connection, CONN);
                assert!(a.discovered <= a.request_sent, "{}", a.path);
                assert!(a.request_sent < a.first_byte, "{}", a.path);
                assert!(a.first_byte <= a.last_byte, "{}", a.path);
                assert!(a.request_header_bytes > 0 && a.response_header_bytes > 0);
                if let Some(d) = s.page.asset(a.asset).discovered_by {
                    let parent = &l.assets[d.parent.0 as usize];
                    assert!(a.discovered >= parent.first_byte, "{}", a.path);
                    assert!(a.discovered <= parent.last_byte, "{}", a.path);
                    if d.offset >= s.page.asset(d.parent).size {
                        assert_eq!(a.discovered, parent.last_byte, "{}", a.path);
                    }
                }
                for b in &a.blocked {
                    assert!(b.from < b.to && b.to <= a.last_byte, "{b:?}");
                    assert!(matches!(
                        b.cause,
                        BlockedCause::QuicStreamHeadOfLine { stream, .. } if Some(stream) == a.stream
                    ));
                }
            }
            assert!(l.events.windows(2).all(|w| w[0].at <= w[1].at));
            // Every body byte went out once as a first transmission.
            assert_eq!(
                l.metrics.bytes_payload,
                s.page.assets.iter().map(|a| a.size).sum::<u64>()
            );
            let m = &l.metrics;
            assert_eq!(
                m.bytes_total,
                m.bytes_headers
                    + m.bytes_payload
                    + m.bytes_framing
                    + m.bytes_handshake
                    + m.bytes_retransmitted
            );
        }
    }

    #[test]
    fn same_scenario_same_lane() {
        let mut s = blog();
        s.network.loss = LossModel::Random { ppm: 20_000 };
        s.network.seed = 5;
        assert_eq!(lane(&s, Protocol::Http3), lane(&s, Protocol::Http3));
        let mut other = s.clone();
        other.network.seed = 6;
        assert_ne!(lane(&s, Protocol::Http3), lane(&other, Protocol::Http3));
    }

    /// Chrome's urgencies go out as the RFC 9218 `priority` field, and the server answers
    /// round-robin regardless.
    #[test]
    fn chrome_priorities() {
        assert_eq!(
            crate::http::h3::priority_field(chrome_priority(AssetKind::Html)).as_deref(),
            Some("u=0, i")
        );
        assert_eq!(chrome_priority(AssetKind::Css).urgency, 0);
        assert_eq!(chrome_priority(AssetKind::Js).urgency, 1);
        assert!(chrome_priority(AssetKind::Image).incremental);
        assert_eq!(lane_config().scheduling, Scheduling::RoundRobin);
        assert!(!lane_config().quic.zero_rtt);
    }

    /// With 0-RTT (a resumed session) the HTML's request rides in the first flight.
    #[test]
    fn zero_rtt_sends_the_html_request_at_once() {
        let s = blog();
        let mut c = lane_config();
        c.quic.zero_rtt = true;
        let l = run_with(&s, &c);
        assert_eq!(l.assets[0].request_sent, SimTime::ZERO);
        let one = lane(&s, Protocol::Http3);
        assert!(l.metrics.ttfb.as_micros() + 80_000 < one.metrics.ttfb.as_micros());
        assert_eq!(
            l.events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Complete { .. }))
                .count(),
            16
        );
    }
}
