//! Test and benchmark support: one client/server pair over a scripted path, run by the
//! engine's one [`Driver`] loop on a [`Link`]: each direction has a one-way delay, a
//! bottleneck bandwidth (with no queue limit: datagrams wait their turn, none is dropped for
//! lack of room) and a list of datagram ordinals to drop. The client asks for resources on
//! bidirectional streams; the server answers each request once its last byte arrived, as
//! HTTP/3 would.

use std::collections::BTreeSet;

use super::{Config, Connection, Datagram, Priority, QuicEvent, QuicEventKind, Side};
use crate::ids::{ConnId, StreamId};
use crate::link::{Link, LinkConfig, LossModel, Sent};
use crate::sim::{self, Action, App, Cause, Ctx, Driver, Flush};
use crate::time::{SimDuration, SimTime};

/// One direction of the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipe {
    pub one_way: SimDuration,
    pub bits_per_second: u64,
    /// 0-based ordinals of the datagrams this direction loses.
    pub drops: BTreeSet<u64>,
}

impl Pipe {
    pub fn new(one_way: SimDuration, bits_per_second: u64) -> Pipe {
        Pipe {
            one_way,
            bits_per_second,
            drops: BTreeSet::new(),
        }
    }

    /// Time to put `bytes` (UDP payload) on this pipe, IP and UDP headers included.
    pub fn serialisation(&self, udp_payload: u64) -> SimDuration {
        SimDuration::serialisation(
            udp_payload + super::packet::UDP_IP_OVERHEAD,
            self.bits_per_second,
        )
    }
}

/// The link of two pipes: the round trip is their two delays (which must be equal: the
/// link splits its RTT in halves), no queue limit, the drops as scripted losses.
fn link(up: &Pipe, down: &Pipe) -> LinkConfig {
    assert_eq!(
        up.one_way, down.one_way,
        "both directions have the same delay"
    );
    LinkConfig {
        rtt: up.one_way + down.one_way,
        downlink_bps: down.bits_per_second,
        uplink_bps: up.bits_per_second,
        queue_bytes: Some(u64::MAX),
        loss: LossModel::Scripted {
            up: up.drops.iter().copied().collect(),
            down: down.drops.iter().copied().collect(),
        },
        seed: 0,
    }
}

/// One request: the client writes `request_bytes` on a new bidirectional stream at `at`
/// (or as soon as it can) and finishes it; the server answers with `response_bytes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub at: SimTime,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub priority: Option<Priority>,
}

/// One datagram as it crossed the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crossing {
    pub from: Side,
    /// 0-based ordinal in its direction.
    pub ordinal: u64,
    pub sent: SimTime,
    pub udp_payload: u64,
    /// `None` when the script dropped it.
    pub arrives: Option<SimTime>,
    pub datagram: Datagram,
}

/// Everything a run produced.
#[derive(Debug)]
pub struct Outcome {
    pub client: Connection,
    pub server: Connection,
    pub client_events: Vec<QuicEvent>,
    pub server_events: Vec<QuicEvent>,
    pub crossings: Vec<Crossing>,
    /// Time of the last thing that happened.
    pub end: SimTime,
}

impl Outcome {
    /// The stream carrying request `i` (the client opens them in order).
    pub fn stream_of(i: usize) -> StreamId {
        StreamId(i as u64 * 4)
    }
}

#[derive(Clone, Copy)]
enum Wake {
    /// The client writes request `n`.
    Write(usize),
    /// The client starts its handshake (after any request due at time zero, so a 0-RTT
    /// request rides in the first flight).
    Start,
}

type Pair = sim::Conn<Connection, Connection>;

struct Exchange<'a> {
    conn: Option<Pair>,
    writes: std::ops::Range<usize>,
    logs: [Vec<QuicEvent>; 2],
    crossings: Vec<Crossing>,
    requests: &'a [Request],
    end: SimTime,
}

impl App<Connection, Connection, Link> for Exchange<'_> {
    type Wake = Wake;

    fn on_event(
        &mut self,
        now: SimTime,
        _: ConnId,
        cause: Cause<Wake>,
        c: &mut Pair,
        ctx: &mut Ctx<Datagram, Wake>,
    ) -> Flush {
        self.end = now;
        match cause {
            Cause::Opened => {
                ctx.wake_at(ConnId(0), SimTime::ZERO, Wake::Start);
                Flush::Nothing
            }
            Cause::Wake(Wake::Start) => {
                c.client.handle_timeout(now);
                Flush::Side(Side::Client)
            }
            Cause::Wake(Wake::Write(n)) => {
                let r = &self.requests[n];
                let s = c.client.open_bi();
                if let Some(p) = r.priority {
                    let _ = c.client.set_priority(s, p);
                }
                let _ = c.client.write(s, r.request_bytes, n as u64);
                let _ = c.client.finish(s);
                Flush::Side(Side::Client)
            }
            Cause::Input(side) | Cause::Timeout(side) => Flush::Side(side),
            Cause::Touched => Flush::Nothing,
        }
    }

    /// The server answers each request whose last byte arrived; every event is logged.
    fn before_transmit(
        &mut self,
        _: SimTime,
        _: ConnId,
        side: Side,
        c: &mut Pair,
        _: &mut Ctx<Datagram, Wake>,
    ) {
        let conn = match side {
            Side::Client => &mut c.client,
            Side::Server => &mut c.server,
        };
        while let Some(e) = conn.poll_event() {
            if side == Side::Server {
                if let QuicEventKind::StreamDelivered {
                    stream, fin: true, ..
                } = e.kind
                {
                    let n = (stream.0 / 4) as usize;
                    if stream.0 % 4 == 0 {
                        if let Some(r) = self.requests.get(n) {
                            if let Some(p) = r.priority {
                                let _ = conn.set_priority(stream, p);
                            }
                            // The stream exists: the peer opened it and we got its FIN.
                            if conn.write(stream, r.response_bytes, n as u64).is_ok() {
                                let _ = conn.finish(stream);
                            }
                        }
                    }
                }
            }
            self.logs[side.index()].push(e);
        }
    }

    fn on_sent(&mut self, _: ConnId, from: Side, at: SimTime, d: &Datagram, sent: &Sent) {
        self.crossings.push(Crossing {
            from,
            ordinal: sent.ordinal,
            sent: at,
            udp_payload: d.payload_len(),
            arrives: sent.arrival(),
            datagram: d.clone(),
        });
    }

    /// First every request's write, then the connection.
    fn next_action(&mut self, _: SimTime) -> Option<Action<Connection, Connection, Wake>> {
        if let Some(n) = self.writes.next() {
            let at = self.requests[n].at;
            return Some(Action::WakeAt {
                conn: ConnId(0),
                at,
                wake: Wake::Write(n),
            });
        }
        self.conn.take().map(Action::Open)
    }
}

/// Runs the pair until nothing is left to do or `limit` passes.
pub fn run(
    config: &Config,
    up: &Pipe,
    down: &Pipe,
    requests: &[Request],
    limit: SimTime,
) -> Outcome {
    let mut app = Exchange {
        conn: Some(sim::Conn {
            client: Connection::new(Side::Client, config.clone()),
            server: Connection::new(Side::Server, config.clone()),
        }),
        writes: 0..requests.len(),
        logs: [Vec::new(), Vec::new()],
        crossings: Vec::new(),
        requests,
        end: SimTime::ZERO,
    };
    let mut driver: Driver<Connection, Connection, Link, Wake> =
        Driver::new(Link::new(link(up, down)));
    driver.run(&mut app, limit);
    let [client_events, server_events] = app.logs;
    let end = app.end;
    let crossings = app.crossings;
    // The exchange opens its connection before the first event.
    let c = driver.into_conns().pop().unwrap_or_else(|| sim::Conn {
        client: Connection::new(Side::Client, config.clone()),
        server: Connection::new(Side::Server, config.clone()),
    });
    Outcome {
        client: c.client,
        server: c.server,
        client_events,
        server_events,
        crossings,
        end,
    }
}
