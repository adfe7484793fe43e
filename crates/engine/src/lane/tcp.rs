//! What the TCP lanes (HTTP/1.1, HTTP/2, HTTP/2 + push) share: the connections' TCP and TLS
//! events in the trace, the head-of-line stalls TCP caused and whose response bytes they
//! held, the packets, and the byte ledger from what each endpoint wrote.
//!
//! Every connection of a lane competes for the lane's ONE link ([`crate::link::Link`]), so
//! the n-th packet in each direction has the same luck in every lane.

use std::collections::{BTreeSet, VecDeque};

use super::trace::{carry, TraceBuilder};
use crate::browser::Browser;
use crate::http::carrier::{Carrier, Packet, Tag};
use crate::http::stream::{Ledger, Payload, What};
use crate::ids::{AssetId, ConnId};
use crate::link::{Direction, Sent};
use crate::sim::{self, Action, Side};
use crate::time::SimTime;
use crate::trace::{Blocked, BlockedCause, Carried, CwndSample, EventKind, RttSample};
use crate::transport::tcp::{TcpConnection, TcpEvent, TcpEventKind};

/// One packet put on the link, and what the link did with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketRecord {
    pub conn: ConnId,
    pub from: Side,
    pub sent_at: SimTime,
    pub seq: u64,
    pub len: u64,
    pub syn: bool,
    pub retransmission: bool,
    pub link: Sent,
}

impl PacketRecord {
    pub fn of(conn: ConnId, from: Side, at: SimTime, seg: &Packet, sent: &Sent) -> PacketRecord {
        PacketRecord {
            conn,
            from,
            sent_at: at,
            seq: seg.seq,
            len: seg.len,
            syn: seg.syn,
            retransmission: seg.retransmission,
            link: *sent,
        }
    }
}

/// The TCP-level state a lane keeps besides the endpoints.
#[derive(Default)]
pub struct TcpLane {
    /// Every packet put on the link, in order.
    pub packets: Vec<PacketRecord>,
    /// Wake-ups asked for on the lane's own clock (server think time, parse and run costs):
    /// connection and time. They go to the driver between events, in order.
    pub wakeups: VecDeque<(ConnId, SimTime)>,
    /// Connections with requests to write (other than the one being handled).
    pub dirty: BTreeSet<ConnId>,
    /// Connections handed to the driver so far.
    opened: usize,
    /// Parsed children waiting for their parent's parse: when, child, parent.
    parse_due: Vec<(SimTime, AssetId, AssetId)>,
    /// Reused for the events drained from TCP.
    scratch: Vec<TcpEvent>,
}

/// The server's response bytes on the wire: TCP offsets [start, end) of each response head
/// and body write, and its asset, in order.
pub fn responses(server: &Ledger) -> impl Iterator<Item = (u64, u64, AssetId)> + '_ {
    server.writes().iter().filter_map(|w| match w.what {
        What::ResponseHead { asset, .. } | What::Body { asset } => {
            Some((w.wire.0, w.wire.1, asset))
        }
        _ => None,
    })
}

impl TcpLane {
    /// A lane whose packet log has room for a load of `page` at once: about one packet per
    /// 800 bytes of its assets, both directions counted (data segments and their ACKs), so
    /// the log seldom grows (each growth moves every record).
    pub fn for_page(page: &crate::page::Page) -> TcpLane {
        let bytes: u64 = page.assets.iter().map(|a| a.size).sum();
        let packets = usize::try_from(bytes / 800).unwrap_or(0).min(1 << 16) + 64;
        TcpLane {
            packets: Vec::with_capacity(packets),
            ..TcpLane::default()
        }
    }

    /// The first steps on a connection, whatever happened on it: TLS at both ends, TCP
    /// established at the client (once), what both TCP endpoints reported, TLS established
    /// at the client (once). Returns true when TLS has just been established.
    pub fn wake(
        &mut self,
        now: SimTime,
        conn: ConnId,
        client: &mut Carrier,
        server: &mut Carrier,
        browser: &Browser,
        trace: &mut TraceBuilder,
    ) -> bool {
        client.poll_tls(now);
        server.poll_tls(now);
        if trace.conn(conn).tcp_end.is_none() {
            if let Some(t) = client.tcp.established_at() {
                trace.conn(conn).tcp_end = Some(t);
                trace.log(t, EventKind::TcpEstablished { conn });
            }
        }
        self.pair_events(conn, client, server, browser, trace);
        if trace.conn(conn).tls_end.is_some() {
            return false;
        }
        let Some(t) = client.tls.done_at() else {
            return false;
        };
        trace.conn(conn).tls_end = Some(t);
        trace.log(t, EventKind::TlsEstablished { conn });
        true
    }

    /// What both TCP endpoints of `conn` reported since the last call, client first.
    fn pair_events(
        &mut self,
        conn: ConnId,
        client: &mut Carrier,
        server: &mut Carrier,
        browser: &Browser,
        trace: &mut TraceBuilder,
    ) {
        self.events(
            conn,
            Side::Client,
            &mut client.tcp,
            &server.ledger,
            browser,
            trace,
        );
        self.events(
            conn,
            Side::Server,
            &mut server.tcp,
            &server.ledger,
            browser,
            trace,
        );
    }

    /// A packet went on the link.
    pub fn sent(&mut self, conn: ConnId, from: Side, at: SimTime, seg: &Packet, sent: &Sent) {
        self.packets
            .push(PacketRecord::of(conn, from, at, seg, sent));
    }

    /// Between events, in order: the wake-ups asked for, then the connections the lane
    /// decided to open (of `conns` it has; `open` makes the next), then the connections
    /// written to while handling another.
    pub fn next_action<C, S>(
        &mut self,
        conns: usize,
        open: impl FnOnce() -> sim::Conn<C, S>,
    ) -> Option<Action<C, S, ()>> {
        if let Some((conn, at)) = self.wakeups.pop_front() {
            return Some(Action::WakeAt { conn, at, wake: () });
        }
        if self.opened < conns {
            self.opened += 1;
            return Some(Action::Open(open()));
        }
        self.dirty.pop_first().map(Action::Touch)
    }

    /// `children` of `parent` are found once it is parsed or run at `at`: at once if that
    /// is now, else at a wake-up of `conn` (the connection it arrived on; the first for a
    /// cache hit). Returns whether to find them now ([`crate::browser::Net::parse_at`]).
    pub fn parse_at(
        &mut self,
        now: SimTime,
        at: SimTime,
        children: &[AssetId],
        parent: AssetId,
        conn: Option<ConnId>,
    ) -> bool {
        if at <= now {
            return true;
        }
        for &child in children {
            self.parse_due.push((at, child, parent));
        }
        self.wakeups.push_back((conn.unwrap_or(ConnId(0)), at));
        false
    }

    /// The parsed children whose parent's parse is done by `now`: (child, parent).
    pub fn parsed(&mut self, now: SimTime) -> Vec<(AssetId, AssetId)> {
        if self.parse_due.iter().all(|&(at, _, _)| at > now) {
            return Vec::new();
        }
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.parse_due)
            .into_iter()
            .partition(|&(at, _, _)| at <= now);
        self.parse_due = later;
        due.into_iter().map(|(_, c, p)| (c, p)).collect()
    }

    /// Logs what the `side` endpoint of `conn` reported since the last call.
    pub fn events(
        &mut self,
        conn: ConnId,
        side: Side,
        tcp: &mut TcpConnection<Tag>,
        server: &Ledger,
        browser: &Browser,
        trace: &mut TraceBuilder,
    ) {
        let dir = Direction::from(side);
        let id = conn;
        // One buffer for every call, so draining allocates nothing.
        let mut events = std::mem::take(&mut self.scratch);
        tcp.drain_events_into(&mut events);
        for e in events.drain(..) {
            let at = e.at;
            match e.kind {
                TcpEventKind::Lost { seq, len, by } => trace.log(
                    at,
                    EventKind::PacketLost {
                        dir,
                        conn: id,
                        seq,
                        len,
                        by,
                    },
                ),
                TcpEventKind::Acked { from, to } => trace.log(
                    at,
                    EventKind::Acked {
                        dir,
                        conn: id,
                        from,
                        to,
                    },
                ),
                TcpEventKind::Timeout { rto } => {
                    trace.log(at, EventKind::Timeout { dir, conn: id, rto })
                }
                TcpEventKind::Cwnd { cwnd, ssthresh, .. } if side == Side::Server => {
                    trace.conn(conn).cwnd.push(CwndSample {
                        at,
                        cwnd,
                        ssthresh: (ssthresh != u64::MAX).then_some(ssthresh),
                    });
                }
                TcpEventKind::Rtt {
                    latest, srtt, rto, ..
                } if side == Side::Server => {
                    trace.conn(conn).rtt.push(RttSample {
                        at,
                        latest,
                        srtt,
                        rto,
                    });
                }
                TcpEventKind::HolBlocked {
                    from,
                    missing_start,
                    missing_end,
                    held,
                } => {
                    // The receiver of the opposite direction held `dir`'s bytes.
                    let held_dir = Direction::from(side.peer());
                    trace.log(
                        at,
                        EventKind::HolBlocked {
                            dir: held_dir,
                            conn: id,
                            from,
                            missing_from: missing_start,
                            missing_to: missing_end,
                            held,
                        },
                    );
                    if side == Side::Client {
                        let hole = (missing_start, missing_end, missing_end + held);
                        charge_hol(conn, from, at, hole, server, browser, trace);
                    }
                }
                _ => {}
            }
        }
        self.scratch = events;
    }

    /// At the end: the connections' last TCP events, TLS's handshake bytes, every packet's
    /// event and bytes, and the byte ledger of what the endpoints wrote.
    pub fn finish<'c>(
        &mut self,
        pairs: impl Iterator<Item = (&'c mut Carrier, &'c mut Carrier)>,
        browser: &Browser,
        trace: &mut TraceBuilder,
    ) {
        // Per connection, the client's and the server's writes of an asset by TCP offset.
        let mut owners: Vec<[Vec<(u64, u64, AssetId)>; 2]> = Vec::new();
        for (i, (client, server)) in pairs.enumerate() {
            owners.push([asset_writes(&client.ledger), asset_writes(&server.ledger)]);
            // Whatever the endpoints did since their last wake-up.
            self.pair_events(ConnId::at(i), client, server, browser, trace);
            // What TLS wrote besides application records is its handshake.
            trace.m.bytes_handshake += client.tls_handshake_wire() + server.tls_handshake_wire();
            ledger_bytes(&client.ledger, trace);
            ledger_bytes(&server.ledger, trace);
        }
        for p in std::mem::take(&mut self.packets) {
            if p.syn {
                trace.m.bytes_handshake += p.link.bytes;
            } else {
                trace.m.bytes_framing += p.link.bytes - p.len;
            }
            if p.retransmission && !p.syn {
                trace.m.retransmissions += 1;
                trace.m.bytes_retransmitted += p.len;
            }
            let side = usize::from(p.from == Side::Server);
            let carried = match owners.get(p.conn.index()) {
                Some(o) if !p.syn => carried_by(&o[side], p.seq, p.len),
                _ => Vec::new(),
            };
            trace.packet(
                p.sent_at,
                p.conn,
                p.seq,
                p.len,
                p.retransmission,
                &p.link,
                carried,
            );
        }
    }
}

/// One endpoint's writes that belong to an asset (its request, its response's head and
/// body, a push promise of it, its stream's WINDOW_UPDATE or RST_STREAM), as the TCP offsets
/// [start, end) of the TLS records carrying them, in stream order.
fn asset_writes(l: &Ledger) -> Vec<(u64, u64, AssetId)> {
    l.writes()
        .iter()
        .filter(|w| w.wire.1 > w.wire.0)
        .filter_map(|w| {
            let asset = match w.what {
                What::Request { asset, .. }
                | What::ResponseHead { asset, .. }
                | What::PushPromise { asset, .. }
                | What::Body { asset } => asset,
                What::Control { asset: Some(a) } => a,
                What::Preface | What::EarlyHints { .. } | What::Control { asset: None } => {
                    return None
                }
            };
            Some((w.wire.0, w.wire.1, asset))
        })
        .collect()
}

/// Whose bytes the TCP payload [seq, seq + len) carried, from [`asset_writes`].
fn carried_by(writes: &[(u64, u64, AssetId)], seq: u64, len: u64) -> Vec<Carried> {
    let end = seq + len;
    let first = writes.partition_point(|&(_, e, _)| e <= seq);
    // The writes are in sequence order: those from `first` that start before `end`.
    let n = writes[first..].partition_point(|&(s, _, _)| s < end);
    let mut out = Vec::with_capacity(n);
    for &(s, e, asset) in &writes[first..first + n] {
        carry(&mut out, asset, e.min(end).saturating_sub(s.max(seq)));
    }
    out
}

/// The byte ledger of one endpoint's writes: set-up, header, payload and framing bytes (the
/// TLS record overhead of each write is framing).
fn ledger_bytes(l: &Ledger, trace: &mut TraceBuilder) {
    let m = &mut trace.m;
    for w in l.writes() {
        let len = w.payload.len();
        match w.what {
            What::Preface => {
                m.bytes_handshake += len + w.overhead;
                continue;
            }
            What::Request { block, .. }
            | What::ResponseHead { block, .. }
            | What::EarlyHints { block }
            | What::PushPromise { block, .. } => {
                m.bytes_headers += block;
                m.bytes_framing += len - block;
            }
            What::Body { .. } => {
                let body = match w.payload {
                    Payload::Frame { payload, .. } => payload,
                    _ => len,
                };
                m.bytes_payload += body;
                m.bytes_framing += len - body;
            }
            What::Control { .. } => m.bytes_framing += len,
        }
        m.bytes_framing += w.overhead;
    }
}

/// The client's TCP released `held` bytes from `missing_end` on at `to`, held since `from`
/// (`hole`: missing [start, end) and the end of what was held): every asset with response
/// bytes in that range was stalled.
fn charge_hol(
    conn: ConnId,
    from: SimTime,
    to: SimTime,
    (ms, me, held_end): (u64, u64, u64),
    server: &Ledger,
    browser: &Browser,
    trace: &mut TraceBuilder,
) {
    let mut hit: Vec<AssetId> = responses(server)
        .skip_while(|&(_, end, _)| end <= me)
        .take_while(|&(start, _, _)| start < held_end)
        .map(|(_, _, a)| a)
        .collect();
    hit.sort_unstable();
    hit.dedup();
    let cause = BlockedCause::TcpHeadOfLine {
        conn,
        missing_from: ms,
        missing_to: me,
    };
    for a in hit {
        if browser.refused(a) {
            continue;
        }
        let sent = trace.asset(a).request_sent;
        let from = from.max(sent.unwrap_or(from));
        if from < to {
            trace.asset(a).blocked.push(Blocked { from, to, cause });
        }
    }
}

/// The server's first transmissions on connection `conn`, as (start, end, sent at) stream
/// ranges in sequence order (first transmissions go out in order).
pub fn first_sends(packets: &[PacketRecord], conn: ConnId) -> Vec<(u64, u64, SimTime)> {
    packets
        .iter()
        .filter(|p| p.conn == conn && p.from == Side::Server && !p.retransmission)
        .filter(|p| !p.syn && p.len > 0)
        .map(|p| (p.seq, p.seq + p.len, p.sent_at))
        .collect()
}

/// When the byte at stream offset `off` was first sent, from [`first_sends`].
pub fn first_sent(sent: &[(u64, u64, SimTime)], off: u64) -> Option<SimTime> {
    let k = sent.partition_point(|&(_, end, _)| end <= off);
    sent.get(k)
        .filter(|&&(s, _, _)| s <= off)
        .map(|&(_, _, t)| t)
}
