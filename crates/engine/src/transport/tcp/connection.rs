//! One TCP endpoint: handshake, sender (scoreboard, congestion control, loss recovery, RTO)
//! and receiver (see `receiver.rs`).

use core::fmt;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use super::event::{CwndCause, LossDetection, TcpEvent, TcpEventKind};
use super::receiver::{Delivery, Receiver};
use super::rtt::RttEstimator;
use super::segment::{sack_option_len, SackBlock, Segment, Span};
use super::TcpConfig;
use crate::time::{SimDuration, SimTime};
use crate::transport::cc::{Controller, RttInfo};

/// RFC 5681 §3.2 / RFC 6675 §2: DupThresh = 3.
const DUP_THRESH: u64 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sends the SYN.
    Client,
    /// Answers it.
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Closed,
    SynSent,
    Listen,
    SynReceived,
    Established,
}

/// A sent, not yet cumulatively acknowledged segment.
#[derive(Clone, Debug)]
struct SentSeg {
    end: u64,
    /// Time of the latest transmission.
    sent_at: SimTime,
    /// Ever retransmitted (Karn's algorithm: no RTT sample).
    retransmitted: bool,
    sacked: bool,
    /// Deemed lost (RFC 6675 IsLost, a duplicate-ACK or RTO decision).
    lost: bool,
    /// A retransmission is in flight and not deemed lost.
    rexmit_in_flight: bool,
}

impl SentSeg {
    /// RFC 6675 §4 SetPipe: what this segment contributes to `pipe`.
    fn pipe(&self, start: u64) -> u64 {
        if self.sacked {
            return 0;
        }
        let len = self.end - start;
        u64::from(!self.lost) * len + u64::from(self.rexmit_in_flight) * len
    }
    fn needs_rexmit(&self) -> bool {
        !self.sacked && self.lost && !self.rexmit_in_flight
    }
}

/// One endpoint of a TCP connection, generic over the tag the application attaches to each
/// write (see [`TcpConnection::write`]).
pub struct TcpConnection<T> {
    role: Role,
    cfg: TcpConfig,
    state: State,
    established_at: Option<SimTime>,
    /// A SYN (client) or SYN-ACK (server) is due.
    syn_due: bool,
    syn_sent_at: Option<SimTime>,
    syn_retransmitted: bool,
    /// The peer agreed to SACK.
    sack: bool,

    // Sender.
    /// Every byte the application wrote, tagged: contiguous from `write_log_base`.
    write_log: VecDeque<Span<T>>,
    written: u64,
    snd_una: u64,
    snd_nxt: u64,
    peer_window: u64,
    board: BTreeMap<u64, SentSeg>,
    pipe: u64,
    rexmit: BTreeSet<u64>,
    cc: Box<dyn Controller>,
    rtt: RttEstimator,
    rto_at: Option<SimTime>,
    dupacks: u64,
    /// Non-SACK: bytes the duplicate ACKs say have left the network (Linux's SACK emulation
    /// for Reno, so `pipe` works the same way with and without SACK).
    reno_sacked: u64,
    /// Fast recovery in progress until this offset is acknowledged (RFC 6675 RecoveryPoint).
    recovery_point: Option<u64>,
    /// RFC 6582 §3.2 `recover`: no new fast recovery until the ACK passes it.
    recover: Option<u64>,
    /// RFC 6675 HighRxt: highest retransmitted offset in this recovery.
    high_rxt: u64,
    /// Send one retransmission regardless of cwnd (RFC 6675 §5 step 4.3, RFC 6298 §5.4).
    force_rexmit: bool,
    /// The window was full at the last send attempt (RFC 9002 §7.8: otherwise app-limited).
    cwnd_limited: bool,
    last_cwnd: (u64, u64),

    receiver: Receiver<T>,
    events: Vec<TcpEvent>,
}

impl<T> fmt::Debug for TcpConnection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpConnection")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("snd_una", &self.snd_una)
            .field("snd_nxt", &self.snd_nxt)
            .field("written", &self.written)
            .field("cwnd", &self.cc.window())
            .field("pipe", &self.pipe)
            .finish()
    }
}

impl<T: Copy> TcpConnection<T> {
    /// A client endpoint; call [`TcpConnection::connect`] to send the SYN.
    pub fn client(cfg: TcpConfig) -> Self {
        Self::new(Role::Client, cfg, State::Closed)
    }

    /// A server endpoint listening for the SYN.
    pub fn server(cfg: TcpConfig) -> Self {
        Self::new(Role::Server, cfg, State::Listen)
    }

    fn new(role: Role, cfg: TcpConfig, state: State) -> Self {
        let mss = cfg.mss.max(1);
        TcpConnection {
            role,
            state,
            established_at: None,
            syn_due: false,
            syn_sent_at: None,
            syn_retransmitted: false,
            sack: cfg.sack,
            write_log: VecDeque::new(),
            written: 0,
            snd_una: 0,
            snd_nxt: 0,
            peer_window: cfg.recv_window,
            board: BTreeMap::new(),
            pipe: 0,
            rexmit: BTreeSet::new(),
            cc: cfg.controller(),
            rtt: RttEstimator::new(cfg.min_rto),
            rto_at: None,
            dupacks: 0,
            reno_sacked: 0,
            recovery_point: None,
            recover: None,
            high_rxt: 0,
            force_rexmit: false,
            cwnd_limited: false,
            last_cwnd: (0, 0),
            receiver: Receiver::new(mss, cfg.delayed_ack, cfg.recv_window),
            events: Vec::new(),
            cfg,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Client: open the connection (the SYN goes out at the next `poll_transmit`).
    pub fn connect(&mut self, now: SimTime) {
        if self.state == State::Closed {
            self.state = State::SynSent;
            self.syn_due = true;
            self.rto_at = Some(now + self.rtt.rto());
        }
    }

    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    /// When the handshake completed at this endpoint.
    pub fn established_at(&self) -> Option<SimTime> {
        self.established_at
    }

    /// Queue `len` application bytes tagged `tag`; returns the stream offset of the first.
    /// Bytes written before the handshake completes wait for it.
    pub fn write(&mut self, len: u64, tag: T) -> u64 {
        let offset = self.written;
        if len > 0 {
            self.write_log.push_back(Span { offset, len, tag });
            self.written += len;
        }
        offset
    }

    /// Bytes written and not yet cumulatively acknowledged by the peer.
    pub fn unacked(&self) -> u64 {
        self.written - self.snd_una
    }

    /// Total bytes the application wrote.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Bytes acknowledged by the peer (the stream offset below which all arrived).
    pub fn acked(&self) -> u64 {
        self.snd_una
    }

    /// In-order bytes received from the peer (and so delivered to the application).
    pub fn received(&self) -> u64 {
        self.receiver.rcv_nxt
    }

    /// Out-of-order bytes held back behind a hole.
    pub fn held_bytes(&self) -> u64 {
        self.receiver.held_bytes()
    }

    /// The next run of bytes delivered in order to the application.
    pub fn poll_delivery(&mut self) -> Option<Delivery<T>> {
        self.receiver.deliveries.pop_front()
    }

    /// Everything that happened since the last drain, in order.
    pub fn events(&self) -> &[TcpEvent] {
        &self.events
    }

    /// Everything that happened since the last call, in order.
    pub fn drain_events(&mut self) -> Vec<TcpEvent> {
        std::mem::take(&mut self.events)
    }

    /// Moves the events into `out`, keeping this connection's buffer for the next ones.
    pub fn drain_events_into(&mut self, out: &mut Vec<TcpEvent>) {
        out.append(&mut self.events);
    }

    pub fn cwnd(&self) -> u64 {
        self.cc.window()
    }

    pub fn ssthresh(&self) -> u64 {
        self.cc.ssthresh()
    }

    pub fn rtt(&self) -> &RttEstimator {
        &self.rtt
    }

    pub fn in_recovery(&self) -> bool {
        self.recovery_point.is_some()
    }

    /// When the endpoint next wants [`TcpConnection::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<SimTime> {
        match (self.rto_at, self.receiver.delack_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn event(&mut self, now: SimTime, kind: TcpEventKind) {
        self.events.push(TcpEvent { at: now, kind });
    }

    fn cwnd_event(&mut self, now: SimTime, cause: CwndCause) {
        let cur = (self.cc.window(), self.cc.ssthresh());
        if cur != self.last_cwnd {
            self.last_cwnd = cur;
            self.event(
                now,
                TcpEventKind::Cwnd {
                    cwnd: cur.0,
                    ssthresh: cur.1,
                    pipe: self.effective_pipe(),
                    cause,
                },
            );
        }
    }

    fn establish(&mut self, now: SimTime) {
        self.state = State::Established;
        self.established_at = Some(now);
        self.event(now, TcpEventKind::Established);
        self.cwnd_event(now, CwndCause::Ack);
        self.rto_at = None;
    }

    fn rtt_sample(&mut self, now: SimTime, r: SimDuration) {
        self.rtt.on_sample(r);
        self.event(
            now,
            TcpEventKind::Rtt {
                latest: r,
                srtt: self.rtt.srtt.unwrap_or(r),
                rttvar: self.rtt.rttvar,
                rto: self.rtt.rto(),
            },
        );
    }

    /// Changes one scoreboard entry, keeping `pipe` and the retransmission set in step.
    fn update(&mut self, start: u64, f: impl FnOnce(&mut SentSeg)) {
        if let Some(seg) = self.board.get_mut(&start) {
            self.pipe = self.pipe.saturating_sub(seg.pipe(start));
            f(seg);
            self.pipe += seg.pipe(start);
            if seg.needs_rexmit() {
                self.rexmit.insert(start);
            } else {
                self.rexmit.remove(&start);
            }
        }
    }

    fn effective_pipe(&self) -> u64 {
        self.pipe.saturating_sub(self.reno_sacked)
    }

    fn mark_lost(&mut self, now: SimTime, start: u64, by: LossDetection) {
        let Some(seg) = self.board.get(&start) else {
            return;
        };
        if seg.sacked || (seg.lost && !seg.rexmit_in_flight) {
            return;
        }
        let len = seg.end - start;
        self.update(start, |s| {
            s.lost = true;
            s.rexmit_in_flight = false;
        });
        self.event(
            now,
            TcpEventKind::Lost {
                seq: start,
                len,
                by,
            },
        );
    }

    /// A segment arrived from the peer.
    pub fn handle_segment(&mut self, now: SimTime, seg: &Segment<T>) {
        if seg.syn {
            match (self.role, self.state) {
                (Role::Server, State::Listen) => {
                    self.sack = self.cfg.sack && seg.sack_permitted;
                    self.state = State::SynReceived;
                    self.syn_due = true;
                    self.rto_at = Some(now + self.rtt.rto());
                }
                (Role::Server, State::SynReceived) => {
                    // Our SYN-ACK was lost or our reply is late: answer again.
                    self.syn_due = true;
                }
                (Role::Client, State::SynSent) if seg.ack.is_some() => {
                    self.sack = self.cfg.sack && seg.sack_permitted;
                    self.peer_window = seg.window;
                    if let (Some(sent), false) = (self.syn_sent_at, self.syn_retransmitted) {
                        self.rtt_sample(now, now - sent);
                    } else {
                        self.rtt.on_syn_retransmitted();
                    }
                    self.establish(now);
                    self.receiver.ack_now = true;
                }
                (Role::Client, State::Established) => {
                    // The ACK of the SYN-ACK was lost: acknowledge again.
                    self.receiver.ack_now = true;
                }
                _ => {}
            }
            return;
        }
        if self.state == State::SynReceived && seg.ack.is_some() {
            if let (Some(sent), false) = (self.syn_sent_at, self.syn_retransmitted) {
                self.rtt_sample(now, now - sent);
            } else {
                self.rtt.on_syn_retransmitted();
            }
            self.establish(now);
        }
        if self.state != State::Established {
            return;
        }
        if let Some(ack) = seg.ack {
            self.on_ack(now, ack, &seg.sack, seg.window, seg.len > 0);
        }
        self.receiver
            .on_data(now, seg.seq, seg.len, &seg.spans, &mut self.events);
    }

    fn on_ack(&mut self, now: SimTime, ack: u64, sack: &[SackBlock], window: u64, data: bool) {
        let ack = ack.min(self.snd_nxt);
        let window_changed = window != self.peer_window;
        self.peer_window = window;
        let was_in_recovery = self.recovery_point.is_some();
        let old_una = self.snd_una;
        let mut acked: Vec<(SimTime, u64)> = Vec::new();
        let mut sample: Option<(SimTime, SimDuration)> = None;
        if ack > self.snd_una {
            while let Some(entry) = self.board.first_entry() {
                if entry.get().end > ack {
                    break;
                }
                let (start, seg) = entry.remove_entry();
                self.pipe = self.pipe.saturating_sub(seg.pipe(start));
                self.rexmit.remove(&start);
                // A segment SACKed earlier was measured when its SACK arrived (as Linux's
                // tcp_sacktag does); its cumulative ACK, after a hole filled, says nothing
                // about the path's round trip.
                if !seg.retransmitted && !seg.sacked && sample.is_none_or(|(t, _)| seg.sent_at > t)
                {
                    sample = Some((seg.sent_at, now - seg.sent_at));
                }
                if !seg.sacked {
                    acked.push((seg.sent_at, seg.end - start));
                }
            }
            self.snd_una = ack;
            while self
                .write_log
                .front()
                .is_some_and(|s| s.offset + s.len <= ack)
            {
                self.write_log.pop_front();
            }
            self.event(
                now,
                TcpEventKind::Acked {
                    from: old_una,
                    to: ack,
                },
            );
        }
        // SACK blocks (RFC 2018), only above the cumulative ACK.
        let mut new_sack = false;
        if self.sack {
            for b in sack {
                let from = b.start.max(self.snd_una);
                if from >= b.end {
                    continue;
                }
                let starts: Vec<u64> = self
                    .board
                    .range(from..b.end)
                    .filter(|(_, s)| !s.sacked && s.end <= b.end)
                    .map(|(&k, _)| k)
                    .collect();
                for start in starts {
                    let (len, sent_at, rexmit) =
                        self.board.get(&start).map_or((0, now, true), |s| {
                            (s.end - start, s.sent_at, s.retransmitted)
                        });
                    if !rexmit && sample.is_none_or(|(t, _)| sent_at > t) {
                        sample = Some((sent_at, now - sent_at));
                    }
                    self.update(start, |s| s.sacked = true);
                    self.event(now, TcpEventKind::Sacked { seq: start, len });
                    new_sack = true;
                }
            }
        }
        if let Some((_, r)) = sample {
            self.rtt_sample(now, r);
        }
        let outstanding = self.snd_nxt > self.snd_una;
        if ack > old_una {
            self.dupacks = 0;
            if self.sack || !was_in_recovery {
                self.reno_sacked = 0;
            } else {
                // Linux tcp_remove_reno_sacks: all but one acknowledged segment were ones
                // the duplicate ACKs had already counted.
                let acked_bytes = ack - old_una;
                self.reno_sacked = self
                    .reno_sacked
                    .saturating_sub(acked_bytes.saturating_sub(self.cfg.mss));
            }
            // RFC 6298 §5.2/§5.3.
            self.rto_at = outstanding.then(|| now + self.rtt.rto());
        } else if outstanding
            && ack == self.snd_una
            && (if self.sack {
                new_sack
            } else {
                !data && !window_changed
            })
        {
            // RFC 5681 §2 (no SACK) / RFC 6675 §2 (SACK) duplicate ACK.
            self.dupacks += 1;
            if !self.sack {
                let cap = (self.snd_nxt - self.snd_una).saturating_sub(self.cfg.mss);
                self.reno_sacked = (self.reno_sacked + self.cfg.mss).min(cap);
            }
        }
        // RFC 6675 §4 IsLost: three SACKed segments above an un-SACKed one.
        if self.sack && new_sack {
            let mut above = 0;
            let mut lost = Vec::new();
            for (&start, s) in self.board.iter().rev() {
                if s.sacked {
                    above += 1;
                } else if above >= DUP_THRESH && !s.lost {
                    lost.push(start);
                }
            }
            for start in lost.into_iter().rev() {
                self.mark_lost(now, start, LossDetection::Sack);
            }
        }
        // Recovery bookkeeping.
        if let Some(point) = self.recovery_point {
            if self.snd_una >= point {
                self.recovery_point = None;
                self.reno_sacked = 0;
                self.event(now, TcpEventKind::RecoveryEnd);
            } else if ack > old_una && !self.sack {
                // RFC 6582 §3.2 step 5: a partial ACK: retransmit the first unacknowledged
                // segment at once.
                if let Some(&head) = self.board.keys().next() {
                    self.mark_lost(now, head, LossDetection::DupAcks);
                    self.force_rexmit = true;
                }
            }
        }
        let head_lost = self.board.values().next().is_some_and(|s| s.lost);
        if self.recovery_point.is_none()
            && outstanding
            && (self.dupacks >= DUP_THRESH || (self.sack && head_lost))
            && self.recover.is_none_or(|r| self.snd_una >= r)
        {
            self.enter_recovery(now);
        }
        if !was_in_recovery && self.recovery_point.is_none() {
            let info = RttInfo {
                latest: self.rtt.latest,
                smoothed: self.rtt.srtt.unwrap_or(self.rtt.latest),
                min: self.rtt.min,
            };
            for (sent, bytes) in acked {
                self.cc.on_ack(now, sent, bytes, !self.cwnd_limited, info);
            }
        }
        self.cwnd_event(now, CwndCause::Ack);
    }

    fn enter_recovery(&mut self, now: SimTime) {
        let Some((&head, seg)) = self.board.iter().next() else {
            return;
        };
        let (sent, len) = (seg.sent_at, seg.end - head);
        self.recovery_point = Some(self.snd_nxt);
        self.recover = Some(self.snd_nxt);
        self.high_rxt = 0;
        self.event(
            now,
            TcpEventKind::RecoveryStart {
                recovery_point: self.snd_nxt,
            },
        );
        let by = if self.sack && self.dupacks < DUP_THRESH {
            LossDetection::Sack
        } else {
            LossDetection::DupAcks
        };
        self.mark_lost(now, head, by);
        self.force_rexmit = true;
        self.cc.on_congestion_event(now, sent, len);
        self.cwnd_event(now, CwndCause::FastRecovery);
    }

    /// Timers: the delayed ACK and the retransmission timer.
    pub fn handle_timeout(&mut self, now: SimTime) {
        self.receiver.on_timeout(now);
        if self.rto_at.is_none_or(|t| t > now) {
            return;
        }
        self.rtt.on_timeout();
        let rto = self.rtt.rto();
        self.event(now, TcpEventKind::Timeout { rto });
        match self.state {
            State::SynSent | State::SynReceived => {
                self.syn_due = true;
                self.syn_retransmitted = true;
                self.rto_at = Some(now + rto);
            }
            State::Established if self.snd_nxt > self.snd_una => {
                // RFC 6298 §5.4–5.6, RFC 5681 §3.1 equation 4, RFC 6675 §5.1: everything not
                // SACKed is presumed lost; retransmit from the first unacknowledged byte.
                let starts: Vec<u64> = self.board.keys().copied().collect();
                for start in starts {
                    self.mark_lost(now, start, LossDetection::Rto);
                }
                if self.recovery_point.take().is_some() {
                    self.event(now, TcpEventKind::RecoveryEnd);
                }
                self.recover = Some(self.snd_nxt);
                self.dupacks = 0;
                self.reno_sacked = 0;
                self.high_rxt = 0;
                self.force_rexmit = true;
                self.cc.on_timeout_collapse(now);
                self.cwnd_event(now, CwndCause::Rto);
                self.rto_at = Some(now + rto);
            }
            _ => self.rto_at = None,
        }
    }

    fn ack_fields(&self) -> (Option<u64>, u64, Vec<SackBlock>) {
        let sack = if self.sack {
            self.receiver.sack_blocks()
        } else {
            Vec::new()
        };
        (Some(self.receiver.rcv_nxt), self.receiver.window, sack)
    }

    fn spans(&self, from: u64, to: u64) -> Vec<Span<T>> {
        let i = self.write_log.partition_point(|s| s.offset + s.len <= from);
        self.write_log
            .range(i..)
            .take_while(|s| s.offset < to)
            .filter_map(|s| s.clip(from, to))
            .collect()
    }

    /// The next segment to send, if any. Call until it returns `None`.
    pub fn poll_transmit(&mut self, now: SimTime) -> Option<Segment<T>> {
        if self.syn_due {
            self.syn_due = false;
            let server = self.role == Role::Server;
            if self.syn_sent_at.is_some() {
                self.syn_retransmitted = true;
            }
            self.syn_sent_at = Some(now);
            if self.rto_at.is_none() {
                self.rto_at = Some(now + self.rtt.rto());
            }
            let seg = Segment {
                syn: true,
                sack_permitted: if server { self.sack } else { self.cfg.sack },
                seq: 0,
                len: 0,
                ack: server.then_some(0),
                window: self.receiver.window,
                sack: Vec::new(),
                spans: Vec::new(),
                retransmission: self.syn_retransmitted,
            };
            return Some(self.sent(now, seg));
        }
        if self.state != State::Established {
            return None;
        }
        let (ack, window, sack) = self.ack_fields();
        let cwnd = self.cc.window();
        let pipe = self.effective_pipe();
        // Retransmissions first (RFC 6675 §4 NextSeg rule 1); while one waits for the
        // window, nothing else is sent.
        let mut blocked = false;
        if let Some(&start) = self.rexmit.iter().next() {
            let end = self.board.get(&start).map_or(start, |s| s.end);
            let len = end - start;
            if self.force_rexmit || pipe + len <= cwnd {
                self.force_rexmit = false;
                self.update(start, |s| {
                    s.rexmit_in_flight = true;
                    s.retransmitted = true;
                    s.sent_at = now;
                });
                self.high_rxt = self.high_rxt.max(end);
                self.cc.on_sent(now, len);
                let seg = Segment {
                    syn: false,
                    sack_permitted: false,
                    seq: start,
                    len,
                    ack,
                    window,
                    spans: self.spans(start, end),
                    sack,
                    retransmission: true,
                };
                self.arm_rto(now);
                return Some(self.sent(now, seg));
            }
            self.cwnd_limited = true;
            blocked = true;
        }
        self.force_rexmit = false;
        // New data (NextSeg rule 2), within cwnd and the peer's window; no Nagle.
        let room = (self.snd_una + self.peer_window).saturating_sub(self.snd_nxt);
        let max_len = self
            .cfg
            .mss
            .saturating_sub(sack_option_len(sack.len()))
            .max(1);
        let len = (self.written - self.snd_nxt).min(max_len).min(room);
        if len > 0 && !blocked {
            if pipe + len <= cwnd {
                let start = self.snd_nxt;
                let end = start + len;
                self.snd_nxt = end;
                self.board.insert(
                    start,
                    SentSeg {
                        end,
                        sent_at: now,
                        retransmitted: false,
                        sacked: false,
                        lost: false,
                        rexmit_in_flight: false,
                    },
                );
                self.pipe += len;
                self.cwnd_limited = self.pipe + max_len > cwnd;
                let seg = Segment {
                    syn: false,
                    sack_permitted: false,
                    seq: start,
                    len,
                    ack,
                    window,
                    spans: self.spans(start, end),
                    sack,
                    retransmission: false,
                };
                self.cc.on_sent(now, len);
                self.arm_rto(now);
                return Some(self.sent(now, seg));
            }
            self.cwnd_limited = true;
        } else if self.written == self.snd_nxt && !blocked {
            self.cwnd_limited = false;
        }
        // RFC 6675 §4 NextSeg rule 3: in recovery with nothing else to send, retransmit the
        // first un-SACKed segment above HighRxt.
        if let (Some(point), false) = (self.recovery_point, blocked) {
            let candidate = self
                .board
                .range(self.high_rxt.min(point)..point)
                .find(|(_, s)| !s.sacked && !s.retransmitted)
                .map(|(&k, s)| (k, s.end));
            if let Some((start, end)) = candidate {
                if pipe + (end - start) <= cwnd {
                    self.update(start, |s| {
                        s.retransmitted = true;
                        s.rexmit_in_flight = true;
                        s.sent_at = now;
                    });
                    self.high_rxt = end;
                    self.cc.on_sent(now, end - start);
                    let seg = Segment {
                        syn: false,
                        sack_permitted: false,
                        seq: start,
                        len: end - start,
                        ack,
                        window,
                        spans: self.spans(start, end),
                        sack,
                        retransmission: true,
                    };
                    return Some(self.sent(now, seg));
                }
            }
        }
        if self.receiver.ack_now {
            let seg = Segment {
                syn: false,
                sack_permitted: false,
                seq: self.snd_nxt,
                len: 0,
                ack,
                window,
                sack,
                spans: Vec::new(),
                retransmission: false,
            };
            return Some(self.sent(now, seg));
        }
        None
    }

    /// RFC 6298 §5.1: start the timer when data is sent and it is not running.
    fn arm_rto(&mut self, now: SimTime) {
        if self.rto_at.is_none() {
            self.rto_at = Some(now + self.rtt.rto());
        }
    }

    fn sent(&mut self, now: SimTime, seg: Segment<T>) -> Segment<T> {
        if seg.ack.is_some() {
            self.receiver.on_ack_sent();
        }
        let sack_blocks = u8::try_from(seg.sack.len()).unwrap_or(u8::MAX);
        self.event(
            now,
            TcpEventKind::Sent {
                seq: seg.seq,
                len: seg.len,
                wire_bytes: seg.wire_len(),
                syn: seg.syn,
                ack: seg.ack,
                sack_blocks,
                retransmission: seg.retransmission,
            },
        );
        seg
    }
}
