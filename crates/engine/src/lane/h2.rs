//! The HTTP/2 lanes: the browser sends every request at once on ONE TCP connection with TLS,
//! an [`H2Client`] talking to an [`H2Server`]; on the `h2-push` lane the client enables push
//! and the server promises the pushed assets with the HTML.
//!
//! Whatever happens on the connection, the lane looks at both ends in a fixed order: TLS
//! (both), TCP's events, TLS established (the preface goes out, the requests waiting are
//! bound), what the server read (it answers), what the client read (the browser reacts),
//! parsed children due, the server's frames while its congestion window has room (and the
//! flow-control stalls that leaves), then the requests bound to the connection go out.

use std::collections::VecDeque;

use super::tcp::{first_sends, first_sent, responses, PacketRecord, TcpLane};
use super::trace::TraceBuilder;
use super::LaneError;
use crate::browser::priority::chrome_priority;
use crate::browser::{Browser, Net};
use crate::http::carrier::{Carrier, Packet};
use crate::http::h2::hpack::in_step;
use crate::http::h2::prioritize::FlowBlock;
use crate::http::h2::{H2Client, H2Event, H2Server, H2ServerEvent, PushAnswer};
use crate::http::origin::Origin;
use crate::http::ReadError;
use crate::ids::{AssetId, ConnId};
use crate::link::{Direction, Link, Sent};
use crate::options::PushPolicy;
use crate::scenario::{Protocol, Scenario};
use crate::sim::{self, Action, App, Cause, Ctx, Driver, Flush, Side};
use crate::time::SimTime;
use crate::trace::{Blocked, BlockedCause, EventKind, Lane, Source};
use crate::transport::tcp::TcpConfig;
use crate::transport::tls::TlsConfig;

pub(crate) type Pair = sim::Conn<H2Client, H2Server>;

/// The browser's network for HTTP/2: one connection, its queue, and the trace.
struct Host {
    trace: TraceBuilder,
    tcp: TcpLane,
    /// Found before the connection could take requests.
    pending: VecDeque<AssetId>,
    /// Requests bound to the connection, not yet written.
    outbox: VecDeque<AssetId>,
    requests: u32,
}

impl Net for Host {
    fn log(&mut self, at: SimTime, kind: EventKind) {
        self.trace.log(at, kind);
    }

    fn fetch(&mut self, now: SimTime, id: AssetId) {
        self.pending.push_back(id);
        self.dispatch(now);
    }

    fn parse_at(
        &mut self,
        now: SimTime,
        at: SimTime,
        children: &[AssetId],
        parent: AssetId,
        conn: Option<ConnId>,
    ) -> bool {
        self.tcp.parse_at(now, at, children, parent, conn)
    }

    fn held(&mut self, id: AssetId, from: SimTime, to: SimTime) {
        self.trace.held(id, from, to);
    }

    fn wake_at(&mut self, at: SimTime) {
        self.tcp.wakeups.push_back((ConnId(0), at));
    }
}

impl Host {
    /// The one connection: opened for the first request; once it is up, every request goes
    /// to it at once.
    fn dispatch(&mut self, now: SimTime) {
        if self.trace.conns.is_empty() {
            self.trace.open(now);
        } else if self.trace.conns[0].tls_end.is_some() {
            while let Some(id) = self.pending.pop_front() {
                self.requests += 1;
                let first = self.requests == 1;
                let phases = self.trace.conns[0].phases();
                self.outbox.push_back(id);
                self.tcp.dirty.insert(ConnId(0));
                let w = self.trace.asset(id);
                w.conn = Some(ConnId(0));
                w.connect = first.then_some(phases);
            }
        }
    }
}

struct H2Lane<'a> {
    scenario: &'a Scenario,
    browser: Browser<'a>,
    host: Host,
    origin: Origin<'a>,
    push: bool,
    tcp_cfg: TcpConfig,
    tls_cfg: TlsConfig,
    /// Per asset: since when it has waited for flow-control credit, and for which window.
    flow: Vec<Option<(SimTime, FlowBlock)>>,
    /// The assets whose interval may be open (each was blocked at the last look; a reset
    /// since closed it without an interval), so a look visits only those and the blocked.
    flow_open: Vec<AssetId>,
    /// Per asset: the look that last saw it blocked ([`H2Lane::flow_looks`]).
    flow_seen: Vec<u64>,
    flow_looks: u64,
    error: Option<ReadError>,
}

/// Simulates an HTTP/2 lane (with server push if `push`) of a validated scenario.
pub fn run(scenario: &Scenario, push: bool) -> Result<Lane, LaneError> {
    run_conns(scenario, push).map(|(lane, _)| lane)
}

/// [`run`], with the connections' endpoints as they ended.
pub(crate) fn run_conns(scenario: &Scenario, push: bool) -> Result<(Lane, Vec<Pair>), LaneError> {
    let page = &scenario.page;
    let early = if scenario.server.early_hints && !push {
        PushPolicy::Critical.assets(page)
    } else {
        Vec::new()
    };
    let pushed = if push {
        scenario
            .http2
            .push
            .assets(page)
            .into_iter()
            .map(|id| (id, chrome_priority(page.asset(id).kind)))
            .collect()
    } else {
        Vec::new()
    };
    let n = page.assets.len();
    let mut lane = H2Lane {
        scenario,
        browser: Browser::new(scenario),
        host: Host {
            trace: TraceBuilder::new(n),
            tcp: TcpLane::for_page(page),
            pending: VecDeque::new(),
            outbox: VecDeque::new(),
            requests: 0,
        },
        origin: Origin::new(page, early, pushed),
        push,
        tcp_cfg: scenario.transport.tcp_config(),
        tls_cfg: scenario.transport.tls_config(scenario.server.tls_records),
        flow: vec![None; n],
        flow_open: Vec::new(),
        flow_seen: vec![0; n],
        flow_looks: 0,
        error: None,
    };
    let mut driver: Driver<H2Client, H2Server, Link, ()> =
        Driver::new(Link::new(scenario.network.link_config()));
    // Navigation starts at t = 0 with the HTML.
    lane.browser.discover(
        SimTime::ZERO,
        AssetId(0),
        None,
        Source::Request,
        &mut lane.host,
    );
    driver.run(&mut lane, SimTime::ZERO + super::TIME_LIMIT);
    if let Some(e) = lane.error {
        return Err(e.into());
    }
    let mut conns = driver.into_conns();
    for (i, c) in conns.iter().enumerate() {
        // The receiver's HPACK table followed the sender's after every block it read, both
        // ways (RFC 7541 §2.3.2: the two ends of a direction keep one table).
        let (server_enc, server_dec) = c.server.hpack();
        let (client_enc, client_dec) = c.client.hpack();
        if !in_step(server_enc, client_dec) || !in_step(client_enc, server_dec) {
            return Err(LaneError::HpackOutOfStep {
                conn: ConnId::at(i),
            });
        }
    }
    let H2Lane {
        browser, mut host, ..
    } = lane;
    charge_server_queue(&conns, &host.tcp.packets, page, &mut host.trace);
    host.tcp.finish(
        conns
            .iter_mut()
            .map(|c| (&mut c.client.carrier, &mut c.server.carrier)),
        &browser,
        &mut host.trace,
    );
    let protocol = if push {
        Protocol::Http2Push
    } else {
        Protocol::Http2
    };
    Ok((host.trace.finish(scenario, protocol, &browser), conns))
}

impl App<H2Client, H2Server, Link> for H2Lane<'_> {
    type Wake = ();

    fn on_event(
        &mut self,
        now: SimTime,
        conn: ConnId,
        _: Cause<()>,
        pair: &mut Pair,
        _: &mut Ctx<Packet, ()>,
    ) -> Flush {
        if self.error.is_none() {
            if let Err(e) = self.on_wake(now, conn, pair) {
                self.error = Some(e);
            }
        }
        Flush::Both
    }

    fn on_sent(&mut self, conn: ConnId, from: Side, at: SimTime, seg: &Packet, sent: &Sent) {
        self.host.tcp.sent(conn, from, at, seg, sent);
    }

    fn next_action(&mut self, now: SimTime) -> Option<Action<H2Client, H2Server, ()>> {
        let (tcp, tls) = (&self.tcp_cfg, &self.tls_cfg);
        let carrier = |side| Carrier::new(side, tcp.clone(), tls.clone(), now);
        let (windows, push) = (self.scenario.http2.windows, self.push);
        let scheduler = self.scenario.server.scheduler;
        let conns = self.host.trace.conns.len();
        self.host.tcp.next_action(conns, || sim::Conn {
            client: H2Client::new(carrier(Side::Client), windows, push),
            server: H2Server::new(carrier(Side::Server), scheduler),
        })
    }

    fn done(&self) -> bool {
        self.browser.done() || self.error.is_some()
    }
}

impl H2Lane<'_> {
    fn on_wake(&mut self, now: SimTime, conn: ConnId, pair: &mut Pair) -> Result<(), ReadError> {
        let (client, server) = (&mut pair.client, &mut pair.server);
        let host = &mut self.host;
        let up = host.tcp.wake(
            now,
            conn,
            &mut client.carrier,
            &mut server.carrier,
            &self.browser,
            &mut host.trace,
        );
        if up {
            client.start();
            self.client_events(now, conn, client);
            self.host.dispatch(now);
        }
        server.read(now, &client.carrier.ledger, &self.origin)?;
        self.server_events(now, conn, server);
        loop {
            let (browser, trace, origin) = (&mut self.browser, &mut self.host.trace, &self.origin);
            let more = client.read_record(&server.carrier.ledger, &mut |path| {
                let id = origin.asset_at(path)?;
                // RFC 9113 §8.4.2: a promise of something cached or already fetched is
                // refused with RST_STREAM (CANCEL).
                if browser.promised(id) {
                    Some(PushAnswer::Refuse(id))
                } else {
                    trace.asset(id).conn = Some(conn);
                    Some(PushAnswer::Accept(id))
                }
            })?;
            if !more {
                break;
            }
            self.client_events(now, conn, client);
        }
        for (child, parent) in self.host.tcp.parsed(now) {
            self.browser
                .discover(now, child, Some(parent), Source::Request, &mut self.host);
        }
        self.browser.tick(now, &mut self.host);
        server.pump(now, self.browser.page);
        self.server_events(now, conn, server);
        self.charge_flow_control(now, conn, server);
        self.write_requests(now, conn, client);
        self.host.tcp.dirty.remove(&conn);
        Ok(())
    }

    fn client_events(&mut self, now: SimTime, conn: ConnId, client: &mut H2Client) {
        while let Some(e) = client.poll_event() {
            match e {
                H2Event::Wrote { frame, asset } => {
                    self.host
                        .trace
                        .frame(now, conn, Direction::Up, frame, asset)
                }
                H2Event::Block {
                    frame,
                    asset,
                    block,
                } => self
                    .host
                    .trace
                    .header_block(now, conn, Direction::Up, frame, block, asset),
                H2Event::Interim {
                    asset,
                    status,
                    fields,
                } => self
                    .browser
                    .hints(now, status, &fields, asset, &mut self.host),
                H2Event::Head { asset, .. } => self.browser.first_byte(now, asset, &mut self.host),
                H2Event::Body { asset, len } => self.browser.body(now, asset, len, &mut self.host),
                H2Event::Complete { asset } => {
                    self.browser.arrived(now, asset, conn, &mut self.host)
                }
            }
        }
    }

    fn server_events(&mut self, now: SimTime, conn: ConnId, server: &mut H2Server) {
        while let Some(e) = server.poll_event() {
            let trace = &mut self.host.trace;
            match e {
                H2ServerEvent::Wrote { frame, asset } => {
                    trace.frame(now, conn, Direction::Down, frame, asset)
                }
                H2ServerEvent::Block {
                    frame,
                    asset,
                    block,
                } => trace.header_block(now, conn, Direction::Down, frame, block, asset),
                H2ServerEvent::Request { asset, .. } => trace.asset(asset).arrived = Some(now),
                H2ServerEvent::Promised {
                    asset,
                    stream,
                    block,
                } => {
                    let w = trace.asset(asset);
                    w.stream = Some(stream);
                    w.request_header_bytes = block;
                    // The promised request is made here, by the server (RFC 9113 §8.4.1).
                    w.request_sent = Some(now);
                    w.arrived = Some(now);
                }
                H2ServerEvent::ResponseHead { asset, block } => {
                    trace.asset(asset).response_header_bytes = block
                }
                H2ServerEvent::Reset { asset, written } => {
                    trace.asset(asset).wasted = written;
                    if let Some(f) = self.flow.get_mut(asset.0 as usize) {
                        *f = None;
                    }
                }
                H2ServerEvent::Wake { at } => self.host.tcp.wakeups.push_back((conn, at)),
            }
        }
    }

    /// RFC 9113 §5.2: streams with released bytes but no credit are stalled; each interval
    /// ends when credit (a WINDOW_UPDATE) lets the stream send again.
    fn charge_flow_control(&mut self, now: SimTime, conn: ConnId, server: &H2Server) {
        let blocked = server.flow_blocked();
        if blocked.is_empty() && self.flow_open.is_empty() {
            // Nothing stalled before or now: no interval opens or closes.
            return;
        }
        // Each asset's interval depends only on its own window, so only the assets blocked
        // now and those blocked at the last look can change; the rest stay closed.
        self.flow_looks += 1;
        let look = self.flow_looks;
        let was_open = std::mem::take(&mut self.flow_open);
        for &(asset, block) in &blocked {
            let k = asset.0 as usize;
            match self.flow_seen.get_mut(k) {
                // A stream's first entry decides, as a search of the list would find it.
                Some(seen) if *seen != look => *seen = look,
                _ => continue,
            }
            self.flow_open.push(asset);
            self.flow_to(now, conn, asset, Some(block));
        }
        for asset in was_open {
            if self.flow_seen.get(asset.0 as usize) != Some(&look) {
                self.flow_to(now, conn, asset, None);
            }
        }
    }

    /// `asset` is now blocked by `want` (or not at all): the interval it had open ends
    /// unless it is the same window, and a new one opens.
    fn flow_to(&mut self, now: SimTime, conn: ConnId, asset: AssetId, want: Option<FlowBlock>) {
        let Some(slot) = self.flow.get_mut(asset.0 as usize) else {
            return;
        };
        if slot.map(|(_, b)| b) == want {
            return;
        }
        if let Some((from, stream)) = slot.take() {
            if from < now {
                self.host.trace.asset(asset).blocked.push(Blocked {
                    from,
                    to: now,
                    cause: BlockedCause::FlowControl { conn, stream },
                });
            }
        }
        *slot = want.map(|b| (now, b));
    }

    /// Writes the requests bound to the connection, each on its own stream.
    fn write_requests(&mut self, now: SimTime, conn: ConnId, client: &mut H2Client) {
        if self.host.trace.conn(conn).tls_end.is_none() {
            return;
        }
        let phases = self.host.trace.conn(conn).phases();
        while let Some(id) = self.host.outbox.pop_front() {
            let w = self.host.trace.asset(id);
            if w.connect.is_some() {
                w.connect = Some(phases);
            }
            let page = self.browser.page;
            let (stream, n) = client.request(page, id, chrome_priority(page.asset(id).kind));
            self.host.trace.asset(id).stream = Some(stream);
            self.client_events(now, conn, client);
            let w = self.host.trace.asset(id);
            w.request_sent = Some(now);
            w.request_header_bytes = n;
            self.host.trace.log(
                now,
                EventKind::RequestSent {
                    asset: id,
                    conn,
                    header_bytes: n,
                },
            );
        }
    }
}

/// HTTP/2: a response the server had ready (its request had arrived, or the push was
/// promised, and its head was produced) that could not start because the connection's
/// congestion window was full of other streams' frames — the server hands TCP only what the
/// window lets out, and its scheduler chose those streams first. It is charged a
/// [`BlockedCause::CongestionWindow`] interval from ready to the first transmission of its
/// HEADERS frame, unless flow control held it over that time instead.
fn charge_server_queue(
    conns: &[Pair],
    packets: &[PacketRecord],
    page: &crate::page::Page,
    trace: &mut TraceBuilder,
) {
    for (i, c) in conns.iter().enumerate() {
        let sent = first_sends(packets, ConnId::at(i));
        let mut seen = vec![false; trace.assets.len()];
        for (start, _, a) in responses(&c.server.carrier.ledger) {
            let k = a.0 as usize;
            if std::mem::replace(&mut seen[k], true) {
                continue;
            }
            let Some(arrived) = trace.assets[k].arrived else {
                continue;
            };
            let ready = arrived + page.asset(a).head_after();
            let Some(began) = first_sent(&sent, start) else {
                continue;
            };
            let w = &mut trace.assets[k];
            let flow = w.blocked.iter().any(|b| {
                matches!(b.cause, BlockedCause::FlowControl { .. })
                    && b.from < began
                    && b.to > ready
            });
            if began > ready && !flow {
                w.blocked.push(Blocked {
                    from: ready,
                    to: began,
                    cause: BlockedCause::CongestionWindow {
                        conn: ConnId::at(i),
                    },
                });
            }
        }
    }
}
