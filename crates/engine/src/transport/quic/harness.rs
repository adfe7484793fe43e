//! A small driver for one client/server pair over a scripted path, on the engine's
//! [`EventQueue`]: each direction has a fixed one-way delay, a bottleneck bandwidth (a FIFO
//! with no size limit: datagrams wait their turn, none is dropped for lack of room) and a
//! list of datagram ordinals to drop. The client asks for resources on bidirectional
//! streams; the server answers each request once its last byte arrived, as HTTP/3 would.
//!
//! Used by this module's tests and benchmark; the lanes use the shared link instead.

use std::collections::BTreeSet;

use super::{Config, Connection, Datagram, Priority, QuicEvent, QuicEventKind, Side};
use crate::ids::StreamId;
use crate::sim::EventQueue;
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

enum Ev {
    Arrive(Side, Datagram),
    Timer(Side),
    Write(usize),
}

struct Driver<'a> {
    queue: EventQueue<Ev>,
    conns: [Connection; 2],
    pipes: [&'a Pipe; 2],
    free_at: [SimTime; 2],
    ordinals: [u64; 2],
    armed: [Option<SimTime>; 2],
    logs: [Vec<QuicEvent>; 2],
    crossings: Vec<Crossing>,
    requests: &'a [Request],
}

fn idx(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

fn other(side: Side) -> Side {
    match side {
        Side::Client => Side::Server,
        Side::Server => Side::Client,
    }
}

impl Driver<'_> {
    fn flush(&mut self, now: SimTime, side: Side) {
        let i = idx(side);
        loop {
            // Application reactions to what happened.
            while let Some(e) = self.conns[i].poll_event() {
                if side == Side::Server {
                    if let QuicEventKind::StreamDelivered {
                        stream, fin: true, ..
                    } = e.kind
                    {
                        let n = (stream.0 / 4) as usize;
                        if stream.0 % 4 == 0 {
                            if let Some(r) = self.requests.get(n) {
                                let s = &mut self.conns[i];
                                if let Some(p) = r.priority {
                                    let _ = s.set_priority(stream, p);
                                }
                                // The stream exists: the peer opened it and we got its FIN.
                                if s.write(stream, r.response_bytes, n as u64).is_ok() {
                                    let _ = s.finish(stream);
                                }
                            }
                        }
                    }
                }
                self.logs[i].push(e);
            }
            let Some(d) = self.conns[i].poll_transmit(now) else {
                break;
            };
            let pipe = self.pipes[i];
            let size = d.payload_len();
            let start = now.max(self.free_at[i]);
            let done = start + pipe.serialisation(size);
            self.free_at[i] = done;
            let ordinal = self.ordinals[i];
            self.ordinals[i] += 1;
            let arrives = (!pipe.drops.contains(&ordinal)).then(|| done + pipe.one_way);
            if let Some(at) = arrives {
                self.queue.schedule(at, Ev::Arrive(other(side), d.clone()));
            }
            self.crossings.push(Crossing {
                from: side,
                ordinal,
                sent: now,
                udp_payload: size,
                arrives,
                datagram: d,
            });
        }
        // Events raised while sending.
        while let Some(e) = self.conns[i].poll_event() {
            self.logs[i].push(e);
        }
        let t = self.conns[i].poll_timeout();
        if t != self.armed[i] {
            self.armed[i] = t;
            if let Some(t) = t {
                self.queue.schedule(t.max(now), Ev::Timer(side));
            }
        }
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
    let mut d = Driver {
        queue: EventQueue::new(),
        conns: [
            Connection::new(Side::Client, config.clone()),
            Connection::new(Side::Server, config.clone()),
        ],
        pipes: [up, down],
        free_at: [SimTime::ZERO; 2],
        ordinals: [0; 2],
        armed: [None; 2],
        logs: [Vec::new(), Vec::new()],
        crossings: Vec::new(),
        requests,
    };
    for (i, r) in requests.iter().enumerate() {
        d.queue.schedule(r.at, Ev::Write(i));
    }
    // The client starts the handshake at time zero (after any writes due then).
    d.queue.schedule(SimTime::ZERO, Ev::Timer(Side::Client));
    let mut end = SimTime::ZERO;
    while let Some((now, ev)) = d.queue.pop() {
        if now > limit {
            break;
        }
        end = now;
        let side = match ev {
            Ev::Arrive(side, dg) => {
                d.conns[idx(side)].handle_datagram(now, &dg);
                side
            }
            Ev::Timer(side) => {
                let i = idx(side);
                if d.armed[i] == Some(now) {
                    d.armed[i] = None;
                }
                d.conns[i].handle_timeout(now);
                side
            }
            Ev::Write(n) => {
                let r = &requests[n];
                let c = &mut d.conns[0];
                let s = c.open_bi();
                if let Some(p) = r.priority {
                    let _ = c.set_priority(s, p);
                }
                let _ = c.write(s, r.request_bytes, n as u64);
                let _ = c.finish(s);
                Side::Client
            }
        };
        d.flush(now, side);
    }
    let [client, server] = d.conns;
    let [client_events, server_events] = d.logs;
    Outcome {
        client,
        server,
        client_events,
        server_events,
        crossings: d.crossings,
        end,
    }
}
