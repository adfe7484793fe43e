//! A driver that runs client/server TCP connection pairs over one shared [`Link`] with the
//! sim's [`EventQueue`]: the client sends on the uplink, the server on the downlink. The
//! application on top (TLS, HTTP) is an [`App`] called whenever a connection handled an
//! input, before the connection transmits.

use serde::{Deserialize, Serialize};

use super::{Segment, TcpConfig, TcpConnection};
use crate::link::{Direction, Link, LinkConfig, Sent};
use crate::sim::EventQueue;
use crate::time::SimTime;

/// One connection: both endpoints.
#[derive(Debug)]
pub struct Pair<T> {
    pub client: TcpConnection<T>,
    pub server: TcpConnection<T>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Client,
    Server,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::Client => 0,
            Side::Server => 1,
        }
    }
    fn dir(self) -> Direction {
        match self {
            Side::Client => Direction::Up,
            Side::Server => Direction::Down,
        }
    }
    fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

impl<T> Pair<T> {
    pub fn side(&mut self, side: Side) -> &mut TcpConnection<T> {
        match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }
}

/// One packet put on the link, and what the link did with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketRecord {
    pub conn: usize,
    pub from: Side,
    pub sent_at: SimTime,
    pub seq: u64,
    pub len: u64,
    pub syn: bool,
    pub retransmission: bool,
    pub link: Sent,
}

/// The layer above TCP.
pub trait App<T> {
    /// Connection `conn` handled an input (a segment, a timer, or being opened) at `now`.
    /// Read deliveries, write data; the harness transmits afterwards.
    fn on_wake(&mut self, now: SimTime, conn: usize, pair: &mut Pair<T>);
}

/// An application that does nothing (tests that write up front).
pub struct NoApp;

impl<T> App<T> for NoApp {
    fn on_wake(&mut self, _: SimTime, _: usize, _: &mut Pair<T>) {}
}

enum Wake<T> {
    Arrive {
        conn: usize,
        to: Side,
        seg: Segment<T>,
    },
    Timer {
        conn: usize,
        side: Side,
    },
    /// The application asked to be woken ([`Harness::wake_at`]).
    App {
        conn: usize,
    },
}

/// Connection pairs over one link.
pub struct Harness<T> {
    pub link: Link,
    pub pairs: Vec<Pair<T>>,
    queue: EventQueue<Wake<T>>,
    timers: Vec<[Option<SimTime>; 2]>,
    /// Every packet in the order it reached the link.
    pub packets: Vec<PacketRecord>,
    now: SimTime,
}

impl<T: Copy> Harness<T> {
    pub fn new(link: LinkConfig) -> Self {
        Harness {
            link: Link::new(link),
            pairs: Vec::new(),
            queue: EventQueue::new(),
            timers: Vec::new(),
            packets: Vec::new(),
            now: SimTime::ZERO,
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Opens a connection at `now` (the client sends its SYN); returns its index.
    pub fn open(&mut self, now: SimTime, cfg: TcpConfig, app: &mut impl App<T>) -> usize {
        self.now = self.now.max(now);
        let mut pair = Pair {
            client: TcpConnection::client(cfg.clone()),
            server: TcpConnection::server(cfg),
        };
        pair.client.connect(self.now);
        self.pairs.push(pair);
        self.timers.push([None, None]);
        let conn = self.pairs.len() - 1;
        if let Some(pair) = self.pairs.get_mut(conn) {
            app.on_wake(self.now, conn, pair);
        }
        self.flush(conn);
        conn
    }

    /// Transmits whatever both endpoints of `conn` want to send now and re-arms their timers.
    /// Call after writing to a connection outside [`App::on_wake`].
    pub fn flush(&mut self, conn: usize) {
        let now = self.now;
        for side in [Side::Client, Side::Server] {
            let Some(pair) = self.pairs.get_mut(conn) else {
                return;
            };
            let ep = pair.side(side);
            while let Some(seg) = ep.poll_transmit(now) {
                let sent = self.link.send(now, side.dir(), seg.wire_len());
                self.packets.push(PacketRecord {
                    conn,
                    from: side,
                    sent_at: now,
                    seq: seg.seq,
                    len: seg.len,
                    syn: seg.syn,
                    retransmission: seg.retransmission,
                    link: sent,
                });
                if let Some(at) = sent.arrival() {
                    self.queue.schedule(
                        at,
                        Wake::Arrive {
                            conn,
                            to: side.peer(),
                            seg,
                        },
                    );
                }
            }
            let deadline = ep.poll_timeout();
            if let Some(slot) = self.timers.get_mut(conn).map(|t| &mut t[side.index()]) {
                if deadline != *slot {
                    *slot = deadline;
                    if let Some(at) = deadline {
                        self.queue.schedule(at, Wake::Timer { conn, side });
                    }
                }
            }
        }
    }

    /// Wakes the application for `conn` at `at` (no earlier than now), without any input to
    /// TCP: for work the application does on its own clock (server think time, the
    /// browser running a script).
    pub fn wake_at(&mut self, conn: usize, at: SimTime) {
        self.queue.schedule(at.max(self.now), Wake::App { conn });
    }

    /// Processes the next event; `None` when nothing is left to do.
    pub fn step(&mut self, app: &mut impl App<T>) -> Option<SimTime> {
        let (at, wake) = self.queue.pop()?;
        self.now = at;
        let conn = match wake {
            Wake::Arrive { conn, to, seg } => {
                if let Some(pair) = self.pairs.get_mut(conn) {
                    pair.side(to).handle_segment(at, &seg);
                }
                conn
            }
            Wake::Timer { conn, side } => {
                let slot = self.timers.get_mut(conn).map(|t| &mut t[side.index()]);
                match slot {
                    Some(slot) if *slot == Some(at) => *slot = None,
                    _ => return Some(at), // superseded
                }
                if let Some(pair) = self.pairs.get_mut(conn) {
                    pair.side(side).handle_timeout(at);
                }
                conn
            }
            Wake::App { conn } => conn,
        };
        if let Some(pair) = self.pairs.get_mut(conn) {
            app.on_wake(at, conn, pair);
        }
        self.flush(conn);
        Some(at)
    }

    /// Runs until `done` holds, the queue is empty, or time passes `limit`.
    pub fn run_until(
        &mut self,
        limit: SimTime,
        app: &mut impl App<T>,
        mut done: impl FnMut(&Self) -> bool,
    ) {
        while !done(self) {
            match self.queue.peek_time() {
                Some(t) if t <= limit => {
                    self.step(app);
                }
                _ => break,
            }
        }
    }
}
