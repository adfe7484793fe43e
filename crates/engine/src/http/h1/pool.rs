//! Chrome's HTTP/1.1 connections to one host (net/socket `ClientSocketPoolBase`, RFC 9112
//! §9.4 leaves the limit to the browser; Chrome, Firefox and Safari all use six).
//!
//! A request binds late, to whichever connection is ready and idle first; a new connection
//! is opened for each waiting request beyond those already connecting, up to the limit.
//! Without keep-alive each connection carries one exchange (RFC 9112 §9.6) and no longer
//! counts once it is over. With pipelining (§9.3.2) each request goes at once to the
//! connection with the fewest outstanding requests (a ready one before one still
//! connecting), or to a new connection while under the limit.

use std::collections::VecDeque;

use crate::ids::{AssetId, ConnId};

/// One decision, to carry out in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Open a new connection (it gets the next index).
    Open,
    /// Send the request for `asset` on connection `conn`; `first`: its first request.
    Bind {
        conn: ConnId,
        asset: AssetId,
        first: bool,
    },
}

#[derive(Clone, Debug, Default)]
struct Slot {
    /// TLS is done: requests can be written.
    ready: bool,
    requests: u32,
    /// Requests bound whose response has not fully arrived.
    outstanding: u32,
    /// Without keep-alive: its one exchange is over.
    closed: bool,
}

/// The pool's state.
#[derive(Clone, Debug)]
pub struct Pool {
    limit: usize,
    keep_alive: bool,
    pipelining: bool,
    slots: Vec<Slot>,
}

impl Pool {
    pub fn new(limit: u32, keep_alive: bool, pipelining: bool) -> Pool {
        Pool {
            limit: limit as usize,
            keep_alive,
            pipelining: pipelining && keep_alive,
            slots: Vec::new(),
        }
    }

    /// Connection `conn`'s TLS handshake completed.
    pub fn ready(&mut self, conn: ConnId) {
        if let Some(s) = self.slots.get_mut(conn.index()) {
            s.ready = true;
        }
    }

    /// A response on `conn` fully arrived.
    pub fn done(&mut self, conn: ConnId) {
        if let Some(s) = self.slots.get_mut(conn.index()) {
            s.outstanding = s.outstanding.saturating_sub(1);
            // Without keep-alive both sides close the connection after this exchange.
            s.closed = !self.keep_alive;
        }
    }

    /// Binds what it can of `pending` and opens what it should, in order.
    pub fn dispatch(&mut self, pending: &mut VecDeque<AssetId>) -> Vec<Decision> {
        let mut out = Vec::new();
        if self.pipelining {
            self.dispatch_pipelined(pending, &mut out);
            return out;
        }
        while !pending.is_empty() {
            // Late binding: the first connection that is ready and idle (without
            // keep-alive: one that has not carried a request yet).
            let keep_alive = self.keep_alive;
            let Some(conn) = self.slots.iter().position(|s| {
                !s.closed && s.ready && s.outstanding == 0 && (keep_alive || s.requests == 0)
            }) else {
                break;
            };
            let conn = ConnId::at(conn);
            if let Some(asset) = pending.pop_front() {
                self.bind(conn, asset, &mut out);
            }
        }
        // A new socket per waiting request, up to the per-host limit; a closed connection
        // no longer counts.
        let connecting = self.slots.iter().filter(|s| !s.closed && !s.ready).count();
        let live = self.slots.iter().filter(|s| !s.closed).count();
        let room = self.limit.saturating_sub(live);
        let want = pending.len().saturating_sub(connecting);
        for _ in 0..want.min(room) {
            self.open(&mut out);
        }
        out
    }

    fn dispatch_pipelined(&mut self, pending: &mut VecDeque<AssetId>, out: &mut Vec<Decision>) {
        while let Some(&asset) = pending.front() {
            let best = self
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.closed)
                .min_by_key(|&(i, s)| (s.outstanding, !s.ready, i))
                .map(|(i, s)| (i, s.outstanding));
            let conn = match best {
                Some((i, 0)) => ConnId::at(i),
                _ if self.slots.len() < self.limit => {
                    self.open(out);
                    ConnId::at(self.slots.len() - 1)
                }
                Some((i, _)) => ConnId::at(i),
                None => break,
            };
            pending.pop_front();
            self.bind(conn, asset, out);
        }
    }

    fn open(&mut self, out: &mut Vec<Decision>) {
        self.slots.push(Slot::default());
        out.push(Decision::Open);
    }

    fn bind(&mut self, conn: ConnId, asset: AssetId, out: &mut Vec<Decision>) {
        let mut first = false;
        if let Some(s) = self.slots.get_mut(conn.index()) {
            s.outstanding += 1;
            s.requests += 1;
            first = s.requests == 1;
        }
        out.push(Decision::Bind { conn, asset, first });
    }
}
