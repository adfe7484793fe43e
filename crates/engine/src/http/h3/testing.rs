//! Test support: one [`H3Client`] and one [`H3Server`] over the shared [`Link`], run by the
//! engine's one [`Driver`] loop: the client issues planned requests at their times, the
//! server answers each from a [`Site`] keyed by the `:path` it decoded.

use std::rc::Rc;

use super::{H3Client, H3Config, H3Event, H3EventKind, H3Server, Priority};
use crate::headers::{request_fields, Field};
use crate::http::origin::Site;
use crate::ids::{AssetId, ConnId};
use crate::link::{Link, LinkConfig, Sent};
use crate::page::Page;
use crate::sim::{self, Action, App, Cause, Ctx, Driver, Flush, Side};
use crate::time::SimTime;
use crate::transport::quic::{Datagram, QuicEvent};

/// One request the client sends at `at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRequest {
    pub at: SimTime,
    pub asset: AssetId,
    pub path: String,
    pub fields: Vec<Field>,
    pub priority: Priority,
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
    pub crossings: Vec<Crossing>,
}

#[derive(Clone, Copy)]
enum Wake {
    /// The client sends planned request `n`.
    Request(usize),
    /// The client starts the handshake (after any requests due at time zero, so that a
    /// 0-RTT request rides in the first flight).
    Start,
}

type Pair = sim::Conn<H3Client, H3Server>;

struct Exchange<'a> {
    conn: Option<Pair>,
    requests: &'a [PlannedRequest],
    planned: std::ops::Range<usize>,
    site: &'a Site,
    client_events: Vec<H3Event>,
    server_events: Vec<H3Event>,
    client_quic: Vec<QuicEvent>,
    crossings: Vec<Crossing>,
}

impl App<H3Client, H3Server, Link> for Exchange<'_> {
    type Wake = Wake;

    fn on_event(
        &mut self,
        now: SimTime,
        _: ConnId,
        cause: Cause<Wake>,
        c: &mut Pair,
        ctx: &mut Ctx<Rc<Datagram>, Wake>,
    ) -> Flush {
        match cause {
            Cause::Opened => {
                ctx.wake_at(ConnId(0), SimTime::ZERO, Wake::Start);
                Flush::Nothing
            }
            Cause::Wake(Wake::Start) => {
                c.client.handle_timeout(now);
                Flush::Side(Side::Client)
            }
            Cause::Wake(Wake::Request(i)) => {
                if let Some(r) = self.requests.get(i) {
                    // A failure is an event-free no-op here; tests look for the response.
                    let _ = c.client.request(
                        now,
                        r.asset,
                        &r.path,
                        &self.site.authority,
                        &r.fields,
                        r.priority,
                    );
                }
                Flush::Side(Side::Client)
            }
            Cause::Input(side) | Cause::Timeout(side) => Flush::Side(side),
            Cause::Touched => Flush::Nothing,
        }
    }

    /// The server answers each request it decoded; every event is kept.
    fn before_transmit(
        &mut self,
        now: SimTime,
        _: ConnId,
        side: Side,
        c: &mut Pair,
        _: &mut Ctx<Rc<Datagram>, Wake>,
    ) {
        match side {
            Side::Client => {
                while let Some(e) = c.client.poll_event() {
                    self.client_events.push(e);
                }
                while let Some(e) = c.client.poll_quic_event() {
                    self.client_quic.push(e);
                }
            }
            Side::Server => {
                while let Some(e) = c.server.poll_event() {
                    if let H3EventKind::RequestReceived { stream, path, .. } = &e.kind {
                        let (status, fields, body) = match self.site.by_path.get(path) {
                            Some(s) => (200, s.fields.as_slice(), s.body),
                            None => (404, &[][..], 0),
                        };
                        // The stream carried a request (this very event says so).
                        let _ = c.server.respond(now, *stream, status, fields, body);
                    }
                    self.server_events.push(e);
                }
                // The server's QUIC events are not kept: drained so they do not pile up.
                while c.server.poll_quic_event().is_some() {}
            }
        }
    }

    fn on_sent(&mut self, _: ConnId, from: Side, at: SimTime, d: &Rc<Datagram>, sent: &Sent) {
        self.crossings.push(Crossing {
            from,
            sent: at,
            link: *sent,
            datagram: Datagram::clone(d),
        });
    }

    /// First every planned request, then the connection.
    fn next_action(&mut self, _: SimTime) -> Option<Action<H3Client, H3Server, Wake>> {
        if let Some(i) = self.planned.next() {
            return Some(Action::WakeAt {
                conn: ConnId(0),
                at: self.requests[i].at,
                wake: Wake::Request(i),
            });
        }
        self.conn.take().map(Action::Open)
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
    let mut app = Exchange {
        conn: Some(sim::Conn {
            client: H3Client::new(config.clone()),
            server: H3Server::new(config.clone()),
        }),
        requests,
        planned: 0..requests.len(),
        site,
        client_events: Vec::new(),
        server_events: Vec::new(),
        client_quic: Vec::new(),
        crossings: Vec::new(),
    };
    let mut driver: Driver<H3Client, H3Server, Link, Wake> = Driver::new(Link::new(link.clone()));
    driver.run(&mut app, limit);
    // The exchange opens its connection before the first event.
    let c = driver.into_conns().pop().unwrap_or_else(|| sim::Conn {
        client: H3Client::new(config.clone()),
        server: H3Server::new(config.clone()),
    });
    Outcome {
        client: c.client,
        server: c.server,
        client_events: app.client_events,
        server_events: app.server_events,
        client_quic: app.client_quic,
        crossings: app.crossings,
    }
}
