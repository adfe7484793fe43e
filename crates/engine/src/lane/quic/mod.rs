//! The HTTP/3 lane: the same browser as the TCP lanes, loading the page over ONE QUIC
//! connection ([`crate::http::h3`] over [`crate::transport::quic`]) on the lane's own link,
//! built from the scenario's network exactly as the TCP lanes build theirs (same
//! configuration, same seed: the n-th packet in each direction has the same luck in every
//! lane).
//!
//! Requests go out at discovery once the client can send: when 1-RTT keys are ready, or at
//! once with 0-RTT (`scenario.http3.zero_rtt`: a resumed session, RFC 9001 §4.6.1). The
//! server answers as the origin produces each response ([`crate::http::origin`]): the
//! HEADERS frame once the head is produced, body bytes as they are released. With
//! `scenario.server.early_hints` it first sends `103 Early Hints` on the HTML's stream (RFC
//! 8297; an interim HEADERS frame, RFC 9114 §4.1).
//!
//! QUIC merges the transport and TLS handshakes (RFC 9001 §4): the connection's
//! `tcp_established` and `tls_established` are both the instant the client's 1-RTT keys
//! were ready, and the lane logs `TlsEstablished` then.
//!
//! Datagrams: at most 1,200 bytes of UDP payload (RFC 9000 §14.3 BASE_PLPMTU) until the
//! handshake is confirmed, then 1,472, the whole of a 1,500-byte Ethernet MTU: path MTU
//! discovery (DPLPMTUD, RFC 8899) is taken to have succeeded at confirmation, as it does on
//! such a path; its probe packets are not modelled. TCP's MSS on the same path is 1,460.
//!
//! Priorities: the client sends Chrome's RFC 9218 urgencies; the server follows them with
//! `SchedulerKind::Sequential` (RFC 9218 §10: most urgent first, non-incremental responses
//! one after another, incremental ones round-robin), or ignores them and serves every
//! response round-robin with `SchedulerKind::RoundRobin`.

mod config;
mod finish;

pub use config::{lane_config, scheduling};

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use super::trace::{carry, TraceBuilder};
use super::LaneError;
use crate::browser::priority::chrome_priority;
use crate::browser::{Browser, Net};
use crate::headers::{request_fields, Field};
use crate::http::h3::{Content, H3Client, H3Config, H3EventKind, H3Server, Ledger};
use crate::http::origin::{Origin, Production, Site};
use crate::ids::{AssetId, ConnId, StreamId};
use crate::link::{Direction, Link, Sent};
use crate::options::PushPolicy;
use crate::scenario::{Protocol, Scenario};
use crate::sim::{self, Action, App, Cause, Ctx, Driver, Flush, Side};
use crate::time::SimTime;
use crate::trace::{
    Blocked, BlockedCause, ConnectPhases, CwndSample, EventKind, Lane, Metrics, RttSample, Source,
};
use crate::transport::quic::{
    Datagram, Frame, HandshakeStep, PacketType, QuicEvent, QuicEventKind,
};

/// The one connection of the lane.
const CONN: ConnId = ConnId(0);

/// What the lane wakes itself for.
#[derive(Clone, Copy, Debug)]
enum Ev {
    /// Server: time to look again at the response on this stream (head or body ready).
    Release(StreamId),
    /// Browser: a child found by parsing or running its parent.
    Discover { asset: AssetId, by: AssetId },
    /// Browser: a moment it asked for ([`Net::wake_at`]).
    Browser,
}

type H3Conn = sim::Conn<H3Client, H3Server>;
type H3Ctx<'a> = Ctx<'a, Rc<Datagram>, Ev>;

/// A response the server is producing.
#[derive(Clone, Copy)]
struct Serving {
    production: Production,
    head: bool,
    /// Body bytes written so far.
    sent: u64,
}

struct Crossing {
    from: Side,
    sent: SimTime,
    link: Sent,
    datagram: Rc<Datagram>,
}

/// The lane's state besides the browser.
struct State {
    trace: TraceBuilder,
    /// When the client could first send requests.
    ready: Option<SimTime>,
    /// Found before the client could send.
    pending: VecDeque<AssetId>,
    /// Every datagram put on the link.
    crossings: Vec<Crossing>,
    /// The first thing that went wrong, if any: the lane stops there.
    error: Option<LaneError>,
}

/// The browser's network for HTTP/3, for the length of one event: the lane's state, the
/// client endpoint, and the driver's queue.
struct Host<'x, 'c> {
    st: &'x mut State,
    c: &'x mut H3Conn,
    ctx: &'x mut H3Ctx<'c>,
    page: &'x crate::page::Page,
}

impl Net for Host<'_, '_> {
    fn log(&mut self, at: SimTime, kind: EventKind) {
        self.st.trace.log(at, kind);
    }

    fn fetch(&mut self, now: SimTime, id: AssetId) {
        self.st.pending.push_back(id);
        if self.st.ready.is_some() {
            self.send_pending(now);
        }
    }

    fn parse_at(
        &mut self,
        _: SimTime,
        at: SimTime,
        children: &[AssetId],
        parent: AssetId,
        _: Option<ConnId>,
    ) -> bool {
        for &child in children {
            self.ctx.wake_at(
                ConnId(0),
                at,
                Ev::Discover {
                    asset: child,
                    by: parent,
                },
            );
        }
        false
    }

    fn held(&mut self, id: AssetId, from: SimTime, to: SimTime) {
        self.st.trace.held(id, from, to);
    }

    fn wake_at(&mut self, at: SimTime) {
        self.ctx.wake_at(ConnId(0), at, Ev::Browser);
    }
}

impl Host<'_, '_> {
    /// Writes every waiting request, each on a new QUIC stream.
    fn send_pending(&mut self, now: SimTime) {
        while let Some(id) = self.st.pending.pop_front() {
            let a = self.page.asset(id);
            let fields = request_fields(self.page, id);
            let written = match self.c.client.request(
                now,
                id,
                &a.path,
                &self.page.host,
                &fields,
                chrome_priority(a.kind),
            ) {
                Ok(w) => w,
                // The client refuses only absurd sizes: said, and the lane stops.
                Err(e) => {
                    self.st.error.get_or_insert(e.into());
                    continue;
                }
            };
            let w = self.st.trace.asset(id);
            w.stream = Some(written.stream);
            w.request_header_bytes = written.header_block;
            w.request_sent = Some(now);
            self.st.trace.log(
                now,
                EventKind::RequestSent {
                    asset: id,
                    conn: CONN,
                    header_bytes: written.header_block,
                },
            );
        }
    }
}

struct QuicLane<'a> {
    scenario: &'a Scenario,
    page: &'a crate::page::Page,
    browser: Browser<'a>,
    st: State,
    site: Site,
    origin: Origin<'a>,
    /// Server: responses being produced, by stream.
    serving: BTreeMap<StreamId, Serving>,
    /// The one connection, until it is handed to the driver.
    conn: Option<H3Conn>,
    /// The PTO's max_ack_delay term (RFC 9002 §6.2.1), from the server's configuration.
    max_ack_delay: crate::time::SimDuration,
}

/// Simulates the HTTP/3 lane of a validated scenario.
pub fn run(scenario: &Scenario) -> Result<Lane, LaneError> {
    run_with(scenario, &lane_config(scenario))
}

/// Simulates the HTTP/3 lane with `config` for both endpoints.
pub fn run_with(scenario: &Scenario, config: &H3Config) -> Result<Lane, LaneError> {
    let page = &scenario.page;
    let early = if scenario.server.early_hints {
        PushPolicy::Critical.assets(page)
    } else {
        Vec::new()
    };
    let mut lane = QuicLane {
        scenario,
        page,
        browser: Browser::new(scenario),
        st: State {
            trace: TraceBuilder::new(page.assets.len()),
            ready: None,
            pending: VecDeque::new(),
            crossings: Vec::new(),
            error: None,
        },
        site: Site::from_page(page),
        origin: Origin::new(page, early, Vec::new()),
        serving: BTreeMap::new(),
        conn: Some(sim::Conn {
            client: H3Client::new(config.clone()),
            server: H3Server::new(config.clone()),
        }),
        max_ack_delay: config.quic.max_ack_delay,
    };
    let mut driver: Driver<H3Client, H3Server, Link, Ev> =
        Driver::new(Link::new(scenario.network.link_config()));
    driver.run(&mut lane, SimTime::ZERO + super::TIME_LIMIT);
    if let Some(e) = lane.st.error.take() {
        return Err(e);
    }
    let empty = Ledger::default();
    let ledgers = match driver.conns().first() {
        Some(c) => [c.client.ledger(), c.server.ledger()],
        None => [&empty, &empty],
    };
    Ok(lane.finish(ledgers))
}

impl App<H3Client, H3Server, Link> for QuicLane<'_> {
    type Wake = Ev;

    fn on_event(
        &mut self,
        now: SimTime,
        _: ConnId,
        cause: Cause<Ev>,
        c: &mut H3Conn,
        ctx: &mut H3Ctx,
    ) -> Flush {
        match cause {
            Cause::Opened => {
                self.st.trace.open(now);
                // Navigation starts at t = 0 with the HTML; the client starts the handshake
                // then.
                self.discover(now, AssetId(0), None, Source::Request, c, ctx);
                c.client.handle_timeout(now);
                Flush::Side(Side::Client)
            }
            Cause::Input(side) | Cause::Timeout(side) => Flush::Side(side),
            Cause::Wake(Ev::Release(stream)) => {
                self.serve(now, stream, c, ctx);
                Flush::Side(Side::Server)
            }
            Cause::Wake(Ev::Discover { asset, by }) => {
                self.discover(now, asset, Some(by), Source::Request, c, ctx);
                Flush::Side(Side::Client)
            }
            Cause::Wake(Ev::Browser) => {
                let mut host = Host {
                    st: &mut self.st,
                    c,
                    ctx,
                    page: self.page,
                };
                self.browser.tick(now, &mut host);
                Flush::Side(Side::Client)
            }
            Cause::Touched => Flush::Nothing,
        }
    }

    /// The browser and the server react to what their endpoint raised, before each datagram
    /// it sends (so a request or response written now rides in it) and once after.
    fn before_transmit(
        &mut self,
        now: SimTime,
        _: ConnId,
        side: Side,
        c: &mut H3Conn,
        ctx: &mut H3Ctx,
    ) {
        match side {
            Side::Client => self.client_events(now, c, ctx),
            Side::Server => self.server_events(now, c, ctx),
        }
    }

    fn on_sent(&mut self, _: ConnId, from: Side, at: SimTime, d: &Rc<Datagram>, sent: &Sent) {
        self.st.crossings.push(Crossing {
            from,
            sent: at,
            link: *sent,
            datagram: Rc::clone(d),
        });
    }

    fn next_action(&mut self, _: SimTime) -> Option<Action<H3Client, H3Server, Ev>> {
        self.conn.take().map(Action::Open)
    }

    fn done(&self) -> bool {
        self.browser.done() || self.st.error.is_some()
    }
}

impl QuicLane<'_> {
    fn discover(
        &mut self,
        now: SimTime,
        id: AssetId,
        by: Option<AssetId>,
        source: Source,
        c: &mut H3Conn,
        ctx: &mut H3Ctx,
    ) {
        let mut host = Host {
            st: &mut self.st,
            c,
            ctx,
            page: self.page,
        };
        self.browser.discover(now, id, by, source, &mut host);
    }

    /// Server: writes what the response on `stream` has ready by `now` (its head once it is
    /// produced, then the released body bytes), and wakes up again when more is ready; ends
    /// the stream with the last byte.
    fn serve(&mut self, now: SimTime, stream: StreamId, c: &mut H3Conn, ctx: &mut H3Ctx) {
        let Some(mut sv) = self.serving.get(&stream).copied() else {
            return;
        };
        let ready = sv.production.ready(self.page, now);
        if !sv.head {
            if !ready.head {
                if let Some(at) = ready.next {
                    ctx.wake_at(ConnId(0), at, Ev::Release(stream));
                }
                return;
            }
            let a = self.page.asset(sv.production.asset);
            let fields = self
                .site
                .by_path
                .get(&a.path)
                .map(|e| e.fields.as_slice())
                .unwrap_or_default();
            if let Err(e) = c.server.respond_head(stream, 200, fields) {
                self.st.error.get_or_insert(e.into());
                self.serving.remove(&stream);
                return;
            }
            sv.head = true;
        }
        if ready.body > sv.sent {
            match c.server.send_body(stream, ready.body - sv.sent) {
                Ok(()) => sv.sent = ready.body,
                Err(e) => {
                    self.st.error.get_or_insert(e.into());
                }
            }
        }
        match ready.next {
            Some(at) => {
                self.serving.insert(stream, sv);
                ctx.wake_at(ConnId(0), at, Ev::Release(stream));
            }
            None => {
                self.serving.remove(&stream);
                if let Err(e) = c.server.finish_response(now, stream) {
                    self.st.error.get_or_insert(e.into());
                }
            }
        }
    }

    fn client_events(&mut self, now: SimTime, c: &mut H3Conn, ctx: &mut H3Ctx) {
        while let Some(e) = c.client.poll_quic_event() {
            self.quic_event(Side::Client, e);
        }
        if self.st.ready.is_some() {
            Host {
                st: &mut self.st,
                c,
                ctx,
                page: self.page,
            }
            .send_pending(now);
        }
        while let Some(e) = c.client.poll_event() {
            let at = e.at;
            match e.kind {
                H3EventKind::FirstByte { asset, .. } => {
                    let mut host = Host {
                        st: &mut self.st,
                        c,
                        ctx,
                        page: self.page,
                    };
                    self.browser.first_byte(at, asset, &mut host);
                }
                H3EventKind::ResponseHeaders {
                    asset,
                    header_block,
                    ..
                } => self.st.trace.asset(asset).response_header_bytes = header_block,
                H3EventKind::BodyProgress { asset, body, .. } => {
                    let len = body.saturating_sub(self.browser.state(asset).got);
                    let mut host = Host {
                        st: &mut self.st,
                        c,
                        ctx,
                        page: self.page,
                    };
                    self.browser.body(at, asset, len, &mut host);
                }
                H3EventKind::ResponseComplete { asset, .. } => {
                    let mut host = Host {
                        st: &mut self.st,
                        c,
                        ctx,
                        page: self.page,
                    };
                    self.browser.arrived(at, asset, CONN, &mut host);
                }
                H3EventKind::InterimResponse {
                    status,
                    fields,
                    asset,
                    ..
                } => {
                    // RFC 8297 §2: the client may start fetching the hinted resources at once.
                    let hinted: Vec<AssetId> = crate::http::early_hints::preloads(status, &fields)
                        .filter_map(|p| self.origin.asset_at(p))
                        .collect();
                    for id in hinted {
                        self.discover(at, id, Some(asset), Source::EarlyHint, c, ctx);
                    }
                }
                H3EventKind::HolBlocked {
                    stream,
                    asset,
                    interval,
                } => {
                    self.st.trace.log(
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
                        let w = self.st.trace.asset(a);
                        let from = interval.since.max(w.request_sent.unwrap_or(interval.since));
                        if from < interval.until {
                            w.blocked.push(Blocked {
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
                H3EventKind::Error {
                    stream,
                    code,
                    reason,
                } => {
                    self.st.error.get_or_insert(LaneError::Http3Protocol {
                        side: Side::Client,
                        stream,
                        code,
                        reason,
                    });
                }
                _ => {}
            }
        }
    }

    fn server_events(&mut self, now: SimTime, c: &mut H3Conn, ctx: &mut H3Ctx) {
        while let Some(e) = c.server.poll_event() {
            match e.kind {
                H3EventKind::RequestReceived { stream, path, .. } => {
                    let Some(asset) = self.origin.asset_at(&path) else {
                        // The stream carried a request (this very event says so).
                        if let Err(e) = c.server.respond(now, stream, 404, &[], 0) {
                            self.st.error.get_or_insert(e.into());
                        }
                        continue;
                    };
                    if asset == AssetId(0) && !self.origin.early_hints.is_empty() {
                        self.send_early_hints(now, stream, c);
                    }
                    self.serving.insert(
                        stream,
                        Serving {
                            production: Production {
                                asset,
                                arrived: now,
                            },
                            head: false,
                            sent: 0,
                        },
                    );
                    self.serve(now, stream, c, ctx);
                }
                H3EventKind::Error {
                    stream,
                    code,
                    reason,
                } => {
                    self.st.error.get_or_insert(LaneError::Http3Protocol {
                        side: Side::Server,
                        stream,
                        code,
                        reason,
                    });
                }
                _ => {}
            }
        }
        while let Some(e) = c.server.poll_quic_event() {
            self.quic_event(Side::Server, e);
        }
    }

    /// Server: `103 Early Hints` on the HTML's stream, a `link` field per critical asset
    /// (the set HTTP/2 push would push).
    fn send_early_hints(&mut self, now: SimTime, stream: StreamId, c: &mut H3Conn) {
        let fields: Vec<Field> =
            crate::http::early_hints::fields(self.page, &self.origin.early_hints)
                .into_iter()
                .map(|(n, v)| Field::new(n, v))
                .collect();
        if let Err(e) = c.server.respond_interim(now, stream, 103, &fields) {
            self.st.error.get_or_insert(e.into());
        }
    }

    fn quic_event(&mut self, side: Side, e: QuicEvent) {
        let at = e.at;
        let trace = &mut self.st.trace;
        match e.kind {
            QuicEventKind::Handshake { step } if side == Side::Client => {
                let keys = matches!(
                    step,
                    HandshakeStep::OneRttReady | HandshakeStep::ZeroRttReady
                );
                if keys && self.st.ready.is_none() {
                    self.st.ready = Some(at);
                    trace.log(at, EventKind::TlsEstablished { conn: CONN });
                }
            }
            QuicEventKind::PacketLost { pn, reason, .. } => trace.log(
                at,
                EventKind::QuicPacketLost {
                    dir: Direction::from(side),
                    conn: CONN,
                    pn: pn.0,
                    reason,
                },
            ),
            QuicEventKind::CongestionWindow { cwnd, ssthresh, .. } if side == Side::Server => {
                trace.conns[0].cwnd.push(CwndSample {
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
                // RFC 9002 §6.2.1: the PTO the server would arm now.
                let pto = crate::transport::quic::pto_period(smoothed, rttvar, self.max_ack_delay);
                trace.conns[0].rtt.push(RttSample {
                    at,
                    latest,
                    srtt: smoothed,
                    rto: pto,
                });
            }
            _ => {}
        }
    }
}
