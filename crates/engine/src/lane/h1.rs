//! The HTTP/1.1 lane: the browser loads the page over up to `http1.connections` TCP
//! connections with TLS ([`crate::http::h1::Pool`]: late binding to an idle connection, a
//! new one per waiting request; or a connection per request without keep-alive; or
//! pipelining), each an [`H1Client`] talking to an [`H1Server`] that answers in order.
//!
//! Whatever happens on a connection, the lane looks at both its ends in a fixed order: TLS
//! (both), TCP's events, TLS established (the pool may use the connection), what the server
//! read (it answers), what the client read (the browser reacts), parsed children due, the
//! server's production steps, then the requests bound to the connection go out.

use std::collections::VecDeque;

use super::tcp::{first_sends, first_sent, responses, PacketRecord, TcpLane};
use super::trace::TraceBuilder;
use crate::browser::{Browser, Net};
use crate::http::carrier::{Carrier, Packet};
use crate::http::h1::{Decision, H1Client, H1Event, H1Server, H1ServerEvent, Pool};
use crate::http::origin::Origin;
use crate::http::ReadError;
use crate::ids::{AssetId, ConnId};
use crate::link::{Link, Sent};
use crate::options::PushPolicy;
use crate::scenario::{Protocol, Scenario};
use crate::sim::{self, Action, App, Cause, Ctx, Driver, Flush, Side};
use crate::time::SimTime;
use crate::trace::{Blocked, BlockedCause, EventKind, Lane, Source};
use crate::transport::tcp::TcpConfig;
use crate::transport::tls::TlsConfig;

type Pair = sim::Conn<H1Client, H1Server>;

/// The browser's network for HTTP/1.1: its pool, its queue, and the trace.
struct Host<'a> {
    scenario: &'a Scenario,
    trace: TraceBuilder,
    tcp: TcpLane,
    pool: Pool,
    /// Found and waiting for a connection, in order (the pool takes from the front what it
    /// binds), and when each was found.
    pending: VecDeque<AssetId>,
    found: VecDeque<SimTime>,
    /// Per connection: requests bound to it, not yet written.
    outbox: Vec<VecDeque<AssetId>>,
}

impl Net for Host<'_> {
    fn log(&mut self, at: SimTime, kind: EventKind) {
        self.trace.log(at, kind);
    }

    fn fetch(&mut self, now: SimTime, id: AssetId) {
        self.pending.push_back(id);
        self.found.push_back(now);
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

impl Host<'_> {
    /// Binds waiting requests to connections and opens new ones, as the pool decides.
    fn dispatch(&mut self, now: SimTime) {
        let decisions = self.pool.dispatch(&mut self.pending);
        for d in decisions {
            match d {
                Decision::Open => {
                    self.trace.open(now);
                    self.outbox.push(VecDeque::new());
                }
                Decision::Bind { conn, asset, first } => {
                    // The pool took `asset` from the front of the queue.
                    let Some(found) = self.found.pop_front() else {
                        continue;
                    };
                    self.bind(now, conn, asset, found, first);
                }
            }
        }
    }

    fn bind(&mut self, now: SimTime, conn: ConnId, id: AssetId, found: SimTime, first: bool) {
        let keep_alive = self.scenario.http1.keep_alive;
        let phases = self.trace.conn(conn).phases();
        self.outbox[conn.index()].push_back(id);
        self.tcp.dirty.insert(conn);
        let w = self.trace.asset(id);
        w.conn = Some(conn);
        w.connect = first.then_some(phases);
        if !first && found < now {
            // It waited for a connection that was busy with another response.
            w.blocked.push(Blocked {
                from: found,
                to: now,
                cause: BlockedCause::ConnectionLimit,
            });
        }
        if first && !keep_alive && found < phases.start {
            // Without keep-alive it waited for a connection to close before its own could
            // be opened.
            w.blocked.push(Blocked {
                from: found,
                to: phases.start,
                cause: BlockedCause::ConnectionLimit,
            });
        }
    }
}

struct H1Lane<'a> {
    browser: Browser<'a>,
    host: Host<'a>,
    origin: Origin<'a>,
    tcp_cfg: TcpConfig,
    tls_cfg: TlsConfig,
    error: Option<ReadError>,
}

/// Simulates the HTTP/1.1 lane of a validated scenario.
pub fn run(scenario: &Scenario) -> Result<Lane, ReadError> {
    let o = &scenario.http1;
    let early = if scenario.server.early_hints {
        PushPolicy::Critical.assets(&scenario.page)
    } else {
        Vec::new()
    };
    let mut lane = H1Lane {
        browser: Browser::new(scenario),
        host: Host {
            scenario,
            trace: TraceBuilder::new(scenario.page.assets.len()),
            tcp: TcpLane::for_page(&scenario.page),
            pool: Pool::new(o.connections, o.keep_alive, o.pipelining),
            pending: VecDeque::new(),
            found: VecDeque::new(),
            outbox: Vec::new(),
        },
        origin: Origin::new(&scenario.page, early, Vec::new()),
        tcp_cfg: scenario.transport.tcp_config(),
        tls_cfg: scenario.transport.tls_config(scenario.server.tls_records),
        error: None,
    };
    let mut driver: Driver<H1Client, H1Server, Link, ()> =
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
        return Err(e);
    }
    let mut conns = driver.into_conns();
    let H1Lane {
        browser, mut host, ..
    } = lane;
    if scenario.http1.pipelining && scenario.http1.keep_alive {
        charge_pipeline(&conns, &host.tcp.packets, &mut host.trace);
    }
    host.tcp.finish(
        conns
            .iter_mut()
            .map(|c| (&mut c.client.carrier, &mut c.server.carrier)),
        &browser,
        &mut host.trace,
    );
    Ok(host.trace.finish(scenario, Protocol::Http1, &browser))
}

impl App<H1Client, H1Server, Link> for H1Lane<'_> {
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

    /// Between events, in order: the wake-ups asked for, then the connections the pool
    /// decided to open, then the connections written to while handling another.
    fn next_action(&mut self, now: SimTime) -> Option<Action<H1Client, H1Server, ()>> {
        let (tcp, tls) = (&self.tcp_cfg, &self.tls_cfg);
        let carrier = |side| Carrier::new(side, tcp.clone(), tls.clone(), now);
        let conns = self.host.trace.conns.len();
        self.host.tcp.next_action(conns, || sim::Conn {
            client: H1Client::new(carrier(Side::Client)),
            server: H1Server::new(carrier(Side::Server)),
        })
    }

    fn done(&self) -> bool {
        self.browser.done() || self.error.is_some()
    }
}

impl H1Lane<'_> {
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
            self.host.pool.ready(conn);
            self.host.dispatch(now);
        }
        server.read(now, &client.carrier.ledger, &self.origin)?;
        self.server_events(conn, server);
        while client.read_record(&server.carrier.ledger)? {
            while let Some(e) = client.poll_event() {
                self.client_event(now, conn, e);
            }
        }
        for (child, parent) in self.host.tcp.parsed(now) {
            self.browser
                .discover(now, child, Some(parent), Source::Request, &mut self.host);
        }
        self.browser.tick(now, &mut self.host);
        server.serve(now, &self.origin);
        self.server_events(conn, server);
        self.write_requests(now, conn, client);
        self.host.tcp.dirty.remove(&conn);
        Ok(())
    }

    fn server_events(&mut self, conn: ConnId, server: &mut H1Server) {
        while let Some(e) = server.poll_event() {
            match e {
                H1ServerEvent::Request { asset, at } => {
                    self.host.trace.asset(asset).arrived = Some(at)
                }
                H1ServerEvent::Wake { at } => self.host.tcp.wakeups.push_back((conn, at)),
            }
        }
    }

    fn client_event(&mut self, now: SimTime, conn: ConnId, e: H1Event) {
        match e {
            // A 103 on HTTP/1.1 comes before the HTML's response, the first on the connection.
            H1Event::Interim { status, fields } => {
                self.browser
                    .hints(now, status, &fields, AssetId(0), &mut self.host)
            }
            H1Event::Head { asset, block, .. } => {
                self.host.trace.asset(asset).response_header_bytes = block;
                self.browser.first_byte(now, asset, &mut self.host);
            }
            H1Event::Body { asset, len } => {
                self.browser.body(now, asset, len, &mut self.host);
            }
            H1Event::Complete { asset } => {
                self.browser.arrived(now, asset, conn, &mut self.host);
                self.host.pool.done(conn);
                self.host.dispatch(now);
            }
        }
    }

    /// Writes the requests bound to `conn` (a pipelined request may be bound to a connection
    /// still in its handshakes: it waits).
    fn write_requests(&mut self, now: SimTime, conn: ConnId, client: &mut H1Client) {
        if self.host.trace.conn(conn).tls_end.is_none() {
            return;
        }
        let phases = self.host.trace.conn(conn).phases();
        let keep_alive = self.host.scenario.http1.keep_alive;
        while let Some(id) = self.host.outbox[conn.index()].pop_front() {
            let w = self.host.trace.asset(id);
            if w.connect.is_some() {
                w.connect = Some(phases);
            }
            let n = client.request(self.browser.page, id, keep_alive);
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

/// HTTP/1.1 pipelining: a response whose request reached the server while an earlier
/// response on the same connection was still being produced or sent could not start until
/// that one was on the wire (RFC 9112 §9.3.2). It is charged a
/// [`BlockedCause::PipelineHeadOfLine`] interval from its request's arrival to the first
/// transmission of its first byte, naming the earliest response ahead of it that was still
/// unsent at that arrival.
fn charge_pipeline(conns: &[Pair], packets: &[PacketRecord], trace: &mut TraceBuilder) {
    for (i, c) in conns.iter().enumerate() {
        let sent = first_sends(packets, ConnId::at(i));
        let first_sent = |off: u64| first_sent(&sent, off);
        // The responses in the order the server wrote them (never interleaved).
        let mut order: Vec<(AssetId, u64, u64)> = Vec::new();
        for (start, end, a) in responses(&c.server.carrier.ledger) {
            match order.last_mut() {
                Some(last) if last.0 == a => last.2 = end,
                _ => order.push((a, start, end)),
            }
        }
        for (j, &(a, start, _)) in order.iter().enumerate() {
            let Some(arrived) = trace.asset(a).arrived else {
                continue;
            };
            let Some(began) = first_sent(start).filter(|&t| t > arrived) else {
                continue;
            };
            let behind = order[..j].iter().find(|&&(_, _, end)| {
                first_sent(end.saturating_sub(1)).is_none_or(|t| t > arrived)
            });
            if let Some(&(b, _, _)) = behind {
                trace.asset(a).blocked.push(Blocked {
                    from: arrived,
                    to: began,
                    cause: BlockedCause::PipelineHeadOfLine {
                        conn: ConnId::at(i),
                        behind: b,
                    },
                });
            }
        }
    }
}
