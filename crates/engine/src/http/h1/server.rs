//! The server's end of one HTTP/1.1 connection, as nginx answers: requests strictly in the
//! order they arrived (RFC 9112 §9.3.2), each response's head and then its body written as
//! the origin produces them, the next response only once the one before is written.

use std::collections::VecDeque;

use super::message;
use crate::http::carrier::Carrier;
use crate::http::origin::{Origin, Production};
use crate::http::stream::{Chunk, Ledger, Payload, What};
use crate::http::ReadError;
use crate::ids::AssetId;
use crate::sim::Side;
use crate::time::SimTime;
use crate::wire::h1::{decode_head, StartLine};
use crate::wire::Decoded;

/// What the server did that the lane records or acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum H1ServerEvent {
    /// A request head for `asset` arrived at `at` and parsed.
    Request { asset: AssetId, at: SimTime },
    /// The server wants to be woken at `at` (a response part is produced then).
    Wake { at: SimTime },
}

/// One request being answered.
#[derive(Clone, Copy, Debug)]
struct Answer {
    production: Production,
    keep_alive: bool,
}

/// The server's end of one HTTP/1.1 connection.
#[derive(Debug)]
pub struct H1Server {
    pub carrier: Carrier,
    /// Bytes of the request head being read.
    head: Vec<u8>,
    /// Requests that arrived, in order; the front one is being answered.
    queue: VecDeque<Answer>,
    /// Whether the front response's head is written, and how many of its body bytes.
    head_sent: bool,
    served: u64,
    /// The last wake-up asked for (asked once per production step).
    wake: Option<SimTime>,
    events: VecDeque<H1ServerEvent>,
}

impl H1Server {
    pub fn new(carrier: Carrier) -> H1Server {
        H1Server {
            carrier,
            head: Vec::new(),
            queue: VecDeque::new(),
            head_sent: false,
            served: 0,
            wake: None,
            events: VecDeque::new(),
        }
    }

    /// Reads every record TLS completed from the client's `peer` ledger and starts
    /// answering each request.
    pub fn read(&mut self, now: SimTime, peer: &Ledger, origin: &Origin) -> Result<(), ReadError> {
        while let Some(d) = self.carrier.poll_app_data() {
            let at = self.carrier.read_offset();
            let head = &mut self.head;
            let mut opaque = false;
            self.carrier
                .read(&d, peer, |c| match c {
                    Chunk::Bytes(b) => head.extend_from_slice(b),
                    Chunk::Opaque(_) => opaque = true,
                })
                .map_err(|e| ReadError::new(Side::Server, at, e.to_string()))?;
            if opaque {
                return Err(ReadError::new(
                    Side::Server,
                    at,
                    "body bytes in a request stream of GETs".into(),
                ));
            }
            self.requests(now, at, origin)?;
        }
        Ok(())
    }

    fn requests(&mut self, now: SimTime, at: u64, origin: &Origin) -> Result<(), ReadError> {
        loop {
            let parsed = decode_head(&self.head)
                .map_err(|e| ReadError::new(Side::Server, at, e.to_string()))?;
            let Decoded::Complete { item, len } = parsed else {
                return Ok(());
            };
            self.head.drain(..len);
            let StartLine::Request { target, .. } = &item.start else {
                return Err(ReadError::new(
                    Side::Server,
                    at,
                    "a status line where a request line was expected".into(),
                ));
            };
            let asset = origin.asset_at(target).ok_or_else(|| {
                ReadError::new(
                    Side::Server,
                    at,
                    format!("a request for {target}, not on the site"),
                )
            })?;
            // RFC 9112 §9.6: the response says `close` when the request did.
            let keep_alive = !item
                .field("connection")
                .is_some_and(|c| c.eq_ignore_ascii_case("close"));
            if asset == AssetId(0) && !origin.early_hints.is_empty() {
                // RFC 8297: the hints go out at once, before the final response.
                let text = message::early_hints(origin.page, &origin.early_hints).into_bytes();
                let block = text.len() as u64;
                self.carrier
                    .write(Payload::Real(text), What::EarlyHints { block });
            }
            self.events
                .push_back(H1ServerEvent::Request { asset, at: now });
            self.queue.push_back(Answer {
                production: Production {
                    asset,
                    arrived: now,
                },
                keep_alive,
            });
            self.serve(now, origin);
        }
    }

    /// Writes what the front responses have ready by `now`, in order; asks to be woken when
    /// the next part is produced.
    pub fn serve(&mut self, now: SimTime, origin: &Origin) {
        while let Some(&answer) = self.queue.front() {
            let id = answer.production.asset;
            let size = origin.page.asset(id).size;
            let ready = answer.production.ready(origin.page, now);
            if !ready.head {
                if let Some(at) = ready.next {
                    self.wake_at(at);
                }
                return;
            }
            if !self.head_sent {
                self.head_sent = true;
                let text = message::response(origin.page, id, answer.keep_alive).into_bytes();
                let block = text.len() as u64;
                self.carrier
                    .write(Payload::Real(text), What::ResponseHead { asset: id, block });
            }
            if ready.body > self.served {
                let n = ready.body - self.served;
                self.served = ready.body;
                self.carrier
                    .write(Payload::Opaque(n), What::Body { asset: id });
            }
            if ready.body < size {
                if let Some(at) = ready.next {
                    self.wake_at(at);
                }
                return;
            }
            self.queue.pop_front();
            self.head_sent = false;
            self.served = 0;
        }
    }

    fn wake_at(&mut self, at: SimTime) {
        if self.wake != Some(at) {
            self.wake = Some(at);
            self.events.push_back(H1ServerEvent::Wake { at });
        }
    }

    /// The next thing the server did, oldest first.
    pub fn poll_event(&mut self) -> Option<H1ServerEvent> {
        self.events.pop_front()
    }
}

crate::http::carrier::carrier_endpoint!(H1Server, super::H1Client);
