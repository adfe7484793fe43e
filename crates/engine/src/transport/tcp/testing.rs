//! Test support: TCP connections (optionally with TLS on top) over one [`Link`], run by the
//! engine's one [`Driver`] loop, with every packet the link saw recorded.

use super::{Segment, TcpConfig, TcpConnection};
use crate::ids::ConnId;
use crate::link::{Link, LinkConfig, Sent};
use crate::sim::{App, Cause, Conn, Ctx, Driver, Flush, Side};
use crate::time::SimTime;
use crate::transport::tcp::Role;
use crate::transport::tls::{TlsConfig, TlsEndpoint, TlsTag};

pub(crate) type Pair<T> = Conn<TcpConnection<T>, TcpConnection<T>>;

/// One packet put on the link, and what the link did with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub conn: ConnId,
    pub from: Side,
    pub sent_at: SimTime,
    pub seq: u64,
    pub len: u64,
    pub syn: bool,
    pub retransmission: bool,
    pub link: Sent,
}

/// What a test runs on top of TCP, called after every event on a connection (the driver then
/// flushes both ends).
pub(crate) trait Layer<T> {
    fn on_wake(&mut self, now: SimTime, conn: ConnId, pair: &mut Pair<T>);
}

/// Nothing on top: the test writes up front.
#[derive(Default)]
pub(crate) struct NoApp;

impl<T> Layer<T> for NoApp {
    fn on_wake(&mut self, _: SimTime, _: ConnId, _: &mut Pair<T>) {}
}

/// A layer and the packets the link saw.
pub(crate) struct Recording<L> {
    pub layer: L,
    pub packets: Vec<Record>,
}

impl<T: Copy, L: Layer<T>> App<TcpConnection<T>, TcpConnection<T>, Link> for Recording<L> {
    type Wake = ();

    fn on_event(
        &mut self,
        now: SimTime,
        conn: ConnId,
        _: Cause<()>,
        pair: &mut Pair<T>,
        _: &mut Ctx<Segment<T>, ()>,
    ) -> Flush {
        self.layer.on_wake(now, conn, pair);
        Flush::Both
    }

    fn on_sent(&mut self, conn: ConnId, from: Side, at: SimTime, seg: &Segment<T>, sent: &Sent) {
        self.packets.push(Record {
            conn,
            from,
            sent_at: at,
            seq: seg.seq,
            len: seg.len,
            syn: seg.syn,
            retransmission: seg.retransmission,
            link: *sent,
        });
    }
}

/// Connections over one link, and the layer on top.
pub(crate) struct Harness<T: Copy, L = NoApp> {
    pub driver: Driver<TcpConnection<T>, TcpConnection<T>, Link, ()>,
    pub app: Recording<L>,
}

impl<T: Copy> Harness<T, NoApp> {
    pub fn new(link: LinkConfig) -> Self {
        Self::with(link, NoApp)
    }
}

impl<T: Copy, L: Layer<T>> Harness<T, L> {
    pub fn with(link: LinkConfig, layer: L) -> Self {
        Harness {
            driver: Driver::new(Link::new(link)),
            app: Recording {
                layer,
                packets: Vec::new(),
            },
        }
    }

    /// Opens a connection at the driver's time (the client sends its SYN); its index.
    pub fn open(&mut self, cfg: TcpConfig) -> usize {
        let mut client = TcpConnection::client(cfg.clone());
        client.connect(self.driver.now());
        let conn = Conn {
            client,
            server: TcpConnection::server(cfg),
        };
        self.driver.open(&mut self.app, conn).index()
    }

    pub fn pairs(&self) -> &[Pair<T>] {
        self.driver.conns()
    }

    pub fn pairs_mut(&mut self) -> &mut [Pair<T>] {
        self.driver.conns_mut()
    }

    /// Sends what both ends of `conn` want to send now (after a test wrote to them).
    pub fn flush(&mut self, conn: usize) {
        let conn = ConnId::at(conn);
        self.driver.flush(&mut self.app, conn, Side::Client);
        self.driver.flush(&mut self.app, conn, Side::Server);
    }

    /// Runs until `done` holds, nothing is left, or the next event lies past `limit`.
    pub fn run_until(&mut self, limit: SimTime, done: impl FnMut(&Self) -> bool) {
        let mut done = done;
        loop {
            if done(self) {
                break;
            }
            match self.driver.next_time() {
                Some(t) if t <= limit => {
                    self.driver.step(&mut self.app);
                }
                _ => break,
            }
        }
    }

    pub fn now(&self) -> SimTime {
        self.driver.now()
    }

    pub fn link(&self) -> &Link {
        &self.driver.path
    }

    pub fn packets(&self) -> &[Record] {
        &self.app.packets
    }
}

/// TLS on both ends of every connection, with a callback on top: `on_app(now, conn, client,
/// server, tcp pair)` after TLS processed the connection's deliveries; writes made there go
/// out as records at once.
pub(crate) struct TlsApp<A, F> {
    pub sessions: Vec<(TlsEndpoint<A>, TlsEndpoint<A>)>,
    cfg: TlsConfig,
    on_app: F,
}

impl<A: Copy, F> TlsApp<A, F>
where
    F: FnMut(SimTime, usize, &mut TlsEndpoint<A>, &mut TlsEndpoint<A>, &mut Pair<TlsTag<A>>),
{
    pub fn new(cfg: TlsConfig, on_app: F) -> Self {
        TlsApp {
            sessions: Vec::new(),
            cfg,
            on_app,
        }
    }
}

impl<A: Copy, F> Layer<TlsTag<A>> for TlsApp<A, F>
where
    F: FnMut(SimTime, usize, &mut TlsEndpoint<A>, &mut TlsEndpoint<A>, &mut Pair<TlsTag<A>>),
{
    fn on_wake(&mut self, now: SimTime, conn: ConnId, pair: &mut Pair<TlsTag<A>>) {
        while self.sessions.len() <= conn.index() {
            self.sessions.push((
                TlsEndpoint::new(Role::Client, self.cfg.clone()),
                TlsEndpoint::new(Role::Server, self.cfg.clone()),
            ));
        }
        if let Some((c, s)) = self.sessions.get_mut(conn.index()) {
            c.on_wake(now, &mut pair.client);
            s.on_wake(now, &mut pair.server);
            (self.on_app)(now, conn.index(), c, s, pair);
            // Writes made by the application go out as records now.
            c.flush(&mut pair.client);
            s.flush(&mut pair.server);
        }
    }
}
