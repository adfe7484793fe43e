//! The one loop that drives connections over a path: every lane and every transport test runs
//! through [`Driver`].
//!
//! A connection is two sans-IO [`Endpoint`]s, a client and a server, shaped as quinn-proto's
//! `Connection`: `handle_input` and `handle_timeout` feed it, `poll_transmit` takes what it
//! wants sent, `poll_timeout` says when it next wants to be woken. The driver puts every
//! packet on the [`Path`] (which says when it arrives, or that it never will), schedules the
//! arrival and each endpoint's timer on the [`EventQueue`], and in between hands control to
//! the [`App`] on top — the browser and server of a lane, or a test — which reads what the
//! endpoints delivered and writes more.
//!
//! The order of everything is fixed, so a run is reproducible bit for bit:
//! - after an input, a timeout or a wake-up at a connection, [`App::on_event`] runs, then the
//!   driver flushes the sides the app names ([`Flush`]), client before server;
//! - flushing a side takes packets until the endpoint has none, calling
//!   [`App::before_transmit`] before each and once after the last (an app that reacts to
//!   what sending raised, as HTTP/3 does, writes there), then re-arms that side's timer;
//! - a timer event that is no longer the endpoint's deadline is skipped (a deadline already
//!   past when it is armed fires at once);
//! - between events the driver carries out the app's [`Action`]s (open a connection, wake
//!   one later, wake one now) until there are none, then stops if [`App::done`] or if the
//!   next event lies past the time limit.

use super::{EventQueue, Side};
use crate::ids::ConnId;
use crate::time::SimTime;

/// A sans-IO protocol endpoint.
pub trait Endpoint {
    /// What crosses the path.
    type Packet: Wire;
    /// The endpoint at the other end of the connection. A receiver may read from it only what
    /// the packet stands for but does not carry itself: HTTP/3's ledger of the bytes each
    /// stream write was (our QUIC packets carry lengths; the ledger the bytes). TCP ignores it.
    type Peer;
    /// A packet arrived.
    fn handle_input(&mut self, now: SimTime, packet: &Self::Packet, peer: &Self::Peer);
    /// The deadline of [`Endpoint::poll_timeout`] passed.
    fn handle_timeout(&mut self, now: SimTime);
    /// The next packet to send now, if any.
    fn poll_transmit(&mut self, now: SimTime) -> Option<Self::Packet>;
    /// When the endpoint next wants [`Endpoint::handle_timeout`].
    fn poll_timeout(&self) -> Option<SimTime>;
}

/// A packet's size on the path.
pub trait Wire {
    /// Bytes on the wire (IP headers included).
    fn wire_len(&self) -> u64;
}

impl<T: Wire> Wire for std::rc::Rc<T> {
    fn wire_len(&self) -> u64 {
        T::wire_len(self)
    }
}

/// Where packets travel: told when a packet of some size reaches it from one side, it says
/// when the packet arrives at the other end, or that it does not.
pub trait Path {
    /// The path's account of one packet.
    type Sent: Copy;
    fn send(&mut self, now: SimTime, from: Side, bytes: u64) -> Self::Sent;
    fn arrival(sent: &Self::Sent) -> Option<SimTime>;
}

/// Both endpoints of one connection.
#[derive(Debug)]
pub struct Conn<C, S> {
    pub client: C,
    pub server: S,
}

/// Why [`App::on_event`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause<W> {
    /// The connection was just opened ([`Action::Open`], [`Driver::open`]).
    Opened,
    /// A packet arrived at this side.
    Input(Side),
    /// This side's timer fired.
    Timeout(Side),
    /// A wake-up the app asked for ([`Action::WakeAt`], [`Ctx::wake_at`]).
    Wake(W),
    /// The app asked to be called on this connection now ([`Action::Touch`]).
    Touched,
}

/// Which sides the driver flushes after [`App::on_event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flush {
    Nothing,
    /// The client, then the server.
    Both,
    Side(Side),
}

/// Work between events that needs the driver.
pub enum Action<C, S, W> {
    /// Open a connection: it gets the next index, then [`Cause::Opened`].
    Open(Conn<C, S>),
    /// Wake the app on `conn` at `at` (no earlier than now) with `wake`.
    WakeAt { conn: ConnId, at: SimTime, wake: W },
    /// Call the app on `conn` now ([`Cause::Touched`]) and flush both sides.
    Touch(ConnId),
}

enum Ev<P, W> {
    Arrive { conn: ConnId, to: Side, packet: P },
    Timer { conn: ConnId, side: Side },
    Wake { conn: ConnId, wake: W },
}

/// What an app may do while it handles an event: schedule a wake-up right away, in the
/// order of everything else scheduled at this instant.
pub struct Ctx<'a, P, W> {
    queue: &'a mut EventQueue<Ev<P, W>>,
    now: SimTime,
}

impl<P, W> Ctx<'_, P, W> {
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Wakes the app on `conn` at `at` (no earlier than now) with `wake`.
    pub fn wake_at(&mut self, conn: ConnId, at: SimTime, wake: W) {
        self.queue
            .schedule(at.max(self.now), Ev::Wake { conn, wake });
    }
}

/// The layer above the endpoints: a lane's browser and server, or a test.
pub trait App<C: Endpoint, S: Endpoint<Packet = C::Packet>, P: Path> {
    type Wake;

    /// Something happened on connection `conn`: read what the endpoints delivered, write.
    /// Returns which sides to flush.
    fn on_event(
        &mut self,
        now: SimTime,
        conn: ConnId,
        cause: Cause<Self::Wake>,
        c: &mut Conn<C, S>,
        ctx: &mut Ctx<C::Packet, Self::Wake>,
    ) -> Flush;

    /// Called before each packet the driver takes from `side`, and once after the last.
    fn before_transmit(
        &mut self,
        _now: SimTime,
        _conn: ConnId,
        _side: Side,
        _c: &mut Conn<C, S>,
        _ctx: &mut Ctx<C::Packet, Self::Wake>,
    ) {
    }

    /// A packet was put on the path at `at`, with the path's account of it.
    fn on_sent(
        &mut self,
        _conn: ConnId,
        _from: Side,
        _at: SimTime,
        _packet: &C::Packet,
        _sent: &P::Sent,
    ) {
    }

    /// The next piece of work between events, if any.
    fn next_action(&mut self, _now: SimTime) -> Option<Action<C, S, Self::Wake>> {
        None
    }

    /// True once the run has reached its end.
    fn done(&self) -> bool {
        false
    }
}

/// Connections over one path, and the queue of what happens next.
pub struct Driver<C: Endpoint, S, P, W> {
    pub path: P,
    conns: Vec<Conn<C, S>>,
    /// Each side's armed timer deadline, per connection.
    armed: Vec<[Option<SimTime>; 2]>,
    queue: EventQueue<Ev<C::Packet, W>>,
    now: SimTime,
}

impl<C, S, P, W> Driver<C, S, P, W>
where
    C: Endpoint<Peer = S>,
    S: Endpoint<Peer = C, Packet = C::Packet>,
    P: Path,
{
    pub fn new(path: P) -> Self {
        Driver {
            path,
            conns: Vec::new(),
            armed: Vec::new(),
            queue: EventQueue::new(),
            now: SimTime::ZERO,
        }
    }

    /// The time of the event being (or last) handled.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// When the next event is due, if any.
    pub fn next_time(&self) -> Option<SimTime> {
        self.queue.peek_time()
    }

    pub fn conns(&self) -> &[Conn<C, S>] {
        &self.conns
    }

    pub fn conns_mut(&mut self) -> &mut [Conn<C, S>] {
        &mut self.conns
    }

    /// The connections, once the run is over.
    pub fn into_conns(self) -> Vec<Conn<C, S>> {
        self.conns
    }

    /// Opens a connection now: it gets the next index; the app sees [`Cause::Opened`].
    pub fn open<A: App<C, S, P, Wake = W>>(&mut self, app: &mut A, conn: Conn<C, S>) -> ConnId {
        self.conns.push(conn);
        self.armed.push([None, None]);
        let id = ConnId::at(self.conns.len() - 1);
        self.event(app, id, Cause::Opened);
        id
    }

    /// Wakes the app on `conn` at `at` (no earlier than now) with `wake`.
    pub fn wake_at(&mut self, conn: ConnId, at: SimTime, wake: W) {
        self.queue
            .schedule(at.max(self.now), Ev::Wake { conn, wake });
    }

    /// Runs until the app is done, nothing is left to do, or the next event lies past `limit`.
    pub fn run<A: App<C, S, P, Wake = W>>(&mut self, app: &mut A, limit: SimTime) {
        self.run_until(app, limit, |_| false);
    }

    /// [`Driver::run`], also stopping before any event once `stop` holds.
    pub fn run_until<A: App<C, S, P, Wake = W>>(
        &mut self,
        app: &mut A,
        limit: SimTime,
        mut stop: impl FnMut(&Self) -> bool,
    ) {
        loop {
            self.settle(app);
            if app.done() || stop(self) {
                break;
            }
            match self.queue.peek_time() {
                Some(t) if t <= limit => {
                    self.step(app);
                }
                _ => break,
            }
        }
    }

    /// Carries out the app's actions until it has none.
    pub fn settle<A: App<C, S, P, Wake = W>>(&mut self, app: &mut A) {
        while let Some(a) = app.next_action(self.now) {
            match a {
                Action::Open(conn) => {
                    self.open(app, conn);
                }
                Action::WakeAt { conn, at, wake } => self.wake_at(conn, at, wake),
                Action::Touch(conn) => self.event(app, conn, Cause::Touched),
            }
        }
    }

    /// Handles the next event; `None` when nothing is left to do.
    pub fn step<A: App<C, S, P, Wake = W>>(&mut self, app: &mut A) -> Option<SimTime> {
        let (at, ev) = self.queue.pop()?;
        self.now = at;
        match ev {
            Ev::Arrive { conn, to, packet } => {
                if let Some(c) = self.conns.get_mut(conn.index()) {
                    match to {
                        Side::Client => c.client.handle_input(at, &packet, &c.server),
                        Side::Server => c.server.handle_input(at, &packet, &c.client),
                    }
                }
                self.event(app, conn, Cause::Input(to));
            }
            Ev::Timer { conn, side } => {
                let Some(slot) = self
                    .armed
                    .get_mut(conn.index())
                    .map(|a| &mut a[side.index()])
                else {
                    return Some(at);
                };
                if *slot != Some(at) {
                    // Superseded: the endpoint moved its deadline since.
                    return Some(at);
                }
                *slot = None;
                if let Some(c) = self.conns.get_mut(conn.index()) {
                    match side {
                        Side::Client => c.client.handle_timeout(at),
                        Side::Server => c.server.handle_timeout(at),
                    }
                }
                self.event(app, conn, Cause::Timeout(side));
            }
            Ev::Wake { conn, wake } => self.event(app, conn, Cause::Wake(wake)),
        }
        Some(at)
    }

    /// The app handles `cause` on `conn`; then the sides it names are flushed.
    fn event<A: App<C, S, P, Wake = W>>(&mut self, app: &mut A, conn: ConnId, cause: Cause<W>) {
        let now = self.now;
        let Some(c) = self.conns.get_mut(conn.index()) else {
            return;
        };
        let mut ctx = Ctx {
            queue: &mut self.queue,
            now,
        };
        match app.on_event(now, conn, cause, c, &mut ctx) {
            Flush::Nothing => {}
            Flush::Both => {
                self.flush(app, conn, Side::Client);
                self.flush(app, conn, Side::Server);
            }
            Flush::Side(side) => self.flush(app, conn, side),
        }
    }

    /// Sends everything `side` of `conn` wants to send now, then re-arms its timer.
    pub fn flush<A: App<C, S, P, Wake = W>>(&mut self, app: &mut A, conn: ConnId, side: Side) {
        let now = self.now;
        let Some(c) = self.conns.get_mut(conn.index()) else {
            return;
        };
        loop {
            let mut ctx = Ctx {
                queue: &mut self.queue,
                now,
            };
            app.before_transmit(now, conn, side, c, &mut ctx);
            let packet = match side {
                Side::Client => c.client.poll_transmit(now),
                Side::Server => c.server.poll_transmit(now),
            };
            let Some(packet) = packet else {
                break;
            };
            let sent = self.path.send(now, side, packet.wire_len());
            app.on_sent(conn, side, now, &packet, &sent);
            if let Some(at) = P::arrival(&sent) {
                self.queue.schedule(
                    at,
                    Ev::Arrive {
                        conn,
                        to: side.peer(),
                        packet,
                    },
                );
            }
        }
        let mut ctx = Ctx {
            queue: &mut self.queue,
            now,
        };
        app.before_transmit(now, conn, side, c, &mut ctx);
        // A deadline already past fires now.
        let deadline = match side {
            Side::Client => c.client.poll_timeout(),
            Side::Server => c.server.poll_timeout(),
        }
        .map(|t| t.max(now));
        if let Some(slot) = self
            .armed
            .get_mut(conn.index())
            .map(|a| &mut a[side.index()])
        {
            if deadline != *slot {
                *slot = deadline;
                if let Some(at) = deadline {
                    self.queue.schedule(at, Ev::Timer { conn, side });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    /// A toy endpoint: sends `n` packets of 100 bytes at its first chance, counts arrivals,
    /// and wants a timeout 5 µs after each arrival (moved on by the next one).
    #[derive(Default)]
    struct Toy {
        to_send: u32,
        got: Vec<SimTime>,
        deadline: Option<SimTime>,
        timeouts: Vec<SimTime>,
    }

    struct Pkt;
    impl Wire for Pkt {
        fn wire_len(&self) -> u64 {
            100
        }
    }

    impl Endpoint for Toy {
        type Packet = Pkt;
        type Peer = Toy;
        fn handle_input(&mut self, now: SimTime, _: &Pkt, _: &Toy) {
            self.got.push(now);
            self.deadline = Some(now + SimDuration::from_micros(5));
        }
        fn handle_timeout(&mut self, now: SimTime) {
            self.timeouts.push(now);
            self.deadline = None;
        }
        fn poll_transmit(&mut self, _: SimTime) -> Option<Pkt> {
            self.to_send = self.to_send.checked_sub(1)?;
            Some(Pkt)
        }
        fn poll_timeout(&self) -> Option<SimTime> {
            self.deadline
        }
    }

    /// 10 µs of delay and 1 µs per packet of serialisation, nothing lost.
    struct Wire10;
    impl Path for Wire10 {
        type Sent = (u64, SimTime);
        fn send(&mut self, now: SimTime, _: Side, bytes: u64) -> (u64, SimTime) {
            (bytes, now + SimDuration::from_micros(11))
        }
        fn arrival(s: &(u64, SimTime)) -> Option<SimTime> {
            Some(s.1)
        }
    }

    #[derive(Default)]
    struct Log {
        causes: Vec<(SimTime, Cause<u8>)>,
        sent: Vec<(SimTime, Side)>,
    }

    impl App<Toy, Toy, Wire10> for Log {
        type Wake = u8;
        fn on_event(
            &mut self,
            now: SimTime,
            _: ConnId,
            cause: Cause<u8>,
            _: &mut Conn<Toy, Toy>,
            _: &mut Ctx<Pkt, u8>,
        ) -> Flush {
            self.causes.push((now, cause));
            Flush::Both
        }
        fn on_sent(&mut self, _: ConnId, from: Side, at: SimTime, _: &Pkt, _: &(u64, SimTime)) {
            self.sent.push((at, from));
        }
    }

    #[test]
    fn packets_arrive_and_superseded_timers_are_skipped() {
        let mut d: Driver<Toy, Toy, Wire10, u8> = Driver::new(Wire10);
        let mut app = Log::default();
        let conn = Conn {
            client: Toy {
                to_send: 2,
                ..Toy::default()
            },
            server: Toy::default(),
        };
        d.open(&mut app, conn);
        d.wake_at(ConnId(0), SimTime::from_micros(3), 7);
        d.run(&mut app, SimTime::from_micros(1_000));
        let server = &d.conns()[0].server;
        // Both packets left at 0 and arrive 11 µs later.
        assert_eq!(server.got, [SimTime::from_micros(11); 2]);
        // The first arrival armed a timer at 16, the second moved it to 16 again (the same
        // deadline: not re-armed); it fires once.
        assert_eq!(server.timeouts, [SimTime::from_micros(16)]);
        assert_eq!(
            app.causes,
            [
                (SimTime::ZERO, Cause::Opened),
                (SimTime::from_micros(3), Cause::Wake(7)),
                (SimTime::from_micros(11), Cause::Input(Side::Server)),
                (SimTime::from_micros(11), Cause::Input(Side::Server)),
                (SimTime::from_micros(16), Cause::Timeout(Side::Server)),
            ]
        );
        assert_eq!(app.sent, [(SimTime::ZERO, Side::Client); 2]);
    }

    /// An endpoint whose deadline is already past when the driver re-arms it (a sans-IO
    /// endpoint may report one: quinn-proto's `poll_timeout` does) is woken at once, not
    /// forgotten as a superseded timer.
    #[test]
    fn a_deadline_already_past_fires_at_once() {
        struct Late(Option<SimTime>, Vec<SimTime>);
        impl Endpoint for Late {
            type Packet = Pkt;
            type Peer = Late;
            fn handle_input(&mut self, _: SimTime, _: &Pkt, _: &Late) {}
            fn handle_timeout(&mut self, now: SimTime) {
                self.1.push(now);
                self.0 = None;
            }
            fn poll_transmit(&mut self, _: SimTime) -> Option<Pkt> {
                None
            }
            fn poll_timeout(&self) -> Option<SimTime> {
                self.0
            }
        }
        struct Nudge;
        impl App<Late, Late, Wire10> for Nudge {
            type Wake = ();
            fn on_event(
                &mut self,
                _: SimTime,
                _: ConnId,
                cause: Cause<()>,
                c: &mut Conn<Late, Late>,
                _: &mut Ctx<Pkt, ()>,
            ) -> Flush {
                if cause == Cause::Wake(()) {
                    // At 50 µs the endpoint says it wanted waking at 20.
                    c.client.0 = Some(SimTime::from_micros(20));
                }
                Flush::Both
            }
        }
        let mut d: Driver<Late, Late, Wire10, ()> = Driver::new(Wire10);
        let mut app = Nudge;
        d.open(
            &mut app,
            Conn {
                client: Late(None, Vec::new()),
                server: Late(None, Vec::new()),
            },
        );
        d.wake_at(ConnId(0), SimTime::from_micros(50), ());
        d.run(&mut app, SimTime::from_micros(1_000));
        assert_eq!(d.conns()[0].client.1, [SimTime::from_micros(50)]);
    }

    #[test]
    fn the_run_stops_at_the_time_limit() {
        let mut d: Driver<Toy, Toy, Wire10, u8> = Driver::new(Wire10);
        let mut app = Log::default();
        d.open(
            &mut app,
            Conn {
                client: Toy {
                    to_send: 1,
                    ..Toy::default()
                },
                server: Toy::default(),
            },
        );
        d.run(&mut app, SimTime::from_micros(10));
        assert!(
            d.conns()[0].server.got.is_empty(),
            "11 µs is past the limit"
        );
        d.run(&mut app, SimTime::from_micros(11));
        assert_eq!(d.conns()[0].server.got, [SimTime::from_micros(11)]);
    }
}
