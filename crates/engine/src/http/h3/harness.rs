//! A driver for one [`H3Client`] and one [`H3Server`] over the shared [`Link`], on the
//! engine's [`EventQueue`]: the client issues planned requests at their times, the server
//! answers each from a [`Site`] keyed by the `:path` it decoded. For tests, and as the
//! pattern a lane follows (a lane issues requests as its browser discovers assets instead).

use std::collections::BTreeMap;

use super::{H3Client, H3Config, H3Event, H3EventKind, H3Server, Priority};
use crate::headers::{request_fields, response_fields, Field};
use crate::ids::AssetId;
use crate::link::{Direction, Link, LinkConfig, Sent};
use crate::page::Page;
use crate::sim::EventQueue;
use crate::time::SimTime;
use crate::transport::quic::{Datagram, QuicEvent, Side};

/// One request the client sends at `at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRequest {
    pub at: SimTime,
    pub asset: AssetId,
    pub path: String,
    pub fields: Vec<Field>,
    pub priority: Priority,
}

/// What the server answers for one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteEntry {
    pub fields: Vec<Field>,
    pub body: u64,
}

/// The origin: its authority and its responses by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Site {
    pub authority: String,
    pub by_path: BTreeMap<String, SiteEntry>,
}

impl Site {
    /// Every asset of `page` with its browser-like response fields and size.
    pub fn from_page(page: &Page) -> Site {
        Site {
            authority: page.host.clone(),
            by_path: page
                .ids()
                .map(|id| {
                    let a = page.asset(id);
                    (
                        a.path.clone(),
                        SiteEntry {
                            fields: response_fields(page, id),
                            body: a.size,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// Requests for `ids` of `page` at `at`, with Chrome's request fields.
pub fn page_requests(
    page: &Page,
    ids: &[AssetId],
    at: SimTime,
    priority: Priority,
) -> Vec<PlannedRequest> {
    ids.iter()
        .map(|&id| PlannedRequest {
            at,
            asset: id,
            path: page.asset(id).path.clone(),
            fields: request_fields(page, id),
            priority,
        })
        .collect()
}

/// One datagram handed to the link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crossing {
    pub from: Side,
    pub sent: SimTime,
    /// The link's account: ordinal, wire bytes, when serialised, arrival or drop.
    pub link: Sent,
    pub datagram: Datagram,
}

/// Everything a run produced.
#[derive(Debug)]
pub struct Outcome {
    pub client: H3Client,
    pub server: H3Server,
    pub client_events: Vec<H3Event>,
    pub server_events: Vec<H3Event>,
    pub client_quic: Vec<QuicEvent>,
    pub server_quic: Vec<QuicEvent>,
    pub crossings: Vec<Crossing>,
    /// Time of the last thing that happened.
    pub end: SimTime,
}

enum Ev {
    Arrive(Side, Datagram),
    Timer(Side),
    Request(usize),
}

struct Driver<'a> {
    queue: EventQueue<Ev>,
    client: H3Client,
    server: H3Server,
    link: Link,
    site: &'a Site,
    armed: [Option<SimTime>; 2],
    client_events: Vec<H3Event>,
    server_events: Vec<H3Event>,
    client_quic: Vec<QuicEvent>,
    server_quic: Vec<QuicEvent>,
    crossings: Vec<Crossing>,
}

impl Driver<'_> {
    fn drain_events(&mut self, now: SimTime, side: Side) {
        match side {
            Side::Client => {
                while let Some(e) = self.client.poll_event() {
                    self.client_events.push(e);
                }
                while let Some(e) = self.client.poll_quic_event() {
                    self.client_quic.push(e);
                }
            }
            Side::Server => {
                while let Some(e) = self.server.poll_event() {
                    if let H3EventKind::RequestReceived { stream, path, .. } = &e.kind {
                        let (status, fields, body) = match self.site.by_path.get(path) {
                            Some(s) => (200, s.fields.as_slice(), s.body),
                            None => (404, &[][..], 0),
                        };
                        // The stream carried a request (this very event says so).
                        let _ = self.server.respond(now, *stream, status, fields, body);
                    }
                    self.server_events.push(e);
                }
                while let Some(e) = self.server.poll_quic_event() {
                    self.server_quic.push(e);
                }
            }
        }
    }

    fn flush(&mut self, now: SimTime, side: Side) {
        loop {
            self.drain_events(now, side);
            let d = match side {
                Side::Client => self.client.poll_transmit(now),
                Side::Server => self.server.poll_transmit(now),
            };
            let Some(d) = d else {
                break;
            };
            let dir = match side {
                Side::Client => Direction::Up,
                Side::Server => Direction::Down,
            };
            let sent = self.link.send(now, dir, d.wire_len());
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
        self.drain_events(now, side);
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
}

/// Runs the pair until nothing is left to do or `limit` passes.
pub fn run(
    config: &H3Config,
    link: &LinkConfig,
    site: &Site,
    requests: &[PlannedRequest],
    limit: SimTime,
) -> Outcome {
    let mut d = Driver {
        queue: EventQueue::new(),
        client: H3Client::new(config.clone()),
        server: H3Server::new(config.clone()),
        link: Link::new(link.clone()),
        site,
        armed: [None; 2],
        client_events: Vec::new(),
        server_events: Vec::new(),
        client_quic: Vec::new(),
        server_quic: Vec::new(),
        crossings: Vec::new(),
    };
    for (i, r) in requests.iter().enumerate() {
        d.queue.schedule(r.at, Ev::Request(i));
    }
    // The client starts the handshake at time zero (after any requests due then, so that a
    // 0-RTT request rides in the first flight).
    d.queue.schedule(SimTime::ZERO, Ev::Timer(Side::Client));
    let mut end = SimTime::ZERO;
    while let Some((now, ev)) = d.queue.pop() {
        if now > limit {
            break;
        }
        end = now;
        let side = match ev {
            Ev::Arrive(Side::Client, dg) => {
                d.client.handle_datagram(now, &dg, d.server.ledger());
                Side::Client
            }
            Ev::Arrive(Side::Server, dg) => {
                d.server.handle_datagram(now, &dg, d.client.ledger());
                Side::Server
            }
            Ev::Timer(side) => {
                let i = usize::from(side == Side::Server);
                if d.armed[i] == Some(now) {
                    d.armed[i] = None;
                }
                match side {
                    Side::Client => d.client.handle_timeout(now),
                    Side::Server => d.server.handle_timeout(now),
                }
                side
            }
            Ev::Request(i) => {
                if let Some(r) = requests.get(i) {
                    // A failure is an event-free no-op here; tests look for the response.
                    let _ = d.client.request(
                        now,
                        r.asset,
                        &r.path,
                        &site.authority,
                        &r.fields,
                        r.priority,
                    );
                }
                Side::Client
            }
        };
        d.flush(now, side);
    }
    Outcome {
        client: d.client,
        server: d.server,
        client_events: d.client_events,
        server_events: d.server_events,
        client_quic: d.client_quic,
        server_quic: d.server_quic,
        crossings: d.crossings,
        end,
    }
}
