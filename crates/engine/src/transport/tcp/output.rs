//! What the endpoint sends next, as `tcp_output.c` decides: `poll_transmit` (the SYN, the
//! timer's retransmission of the head, the tail loss probe, retransmissions of what is
//! marked lost, `tcp_xmit_retransmit_queue`, then new data, `tcp_write_xmit`, then a pure
//! ACK), building and accounting each segment (`tcp_retransmit_skb`,
//! `tcp_event_new_data_sent`, the options every segment carries), slow start after idle
//! (`tcp_cwnd_restart`) and window validation (`tcp_cwnd_validate`, `tcp_is_cwnd_limited`).

use super::connection::{State, TcpConnection};
use super::event::{CwndCause, TcpEventKind};
use super::recovery::Rexmit;
use super::scoreboard::SentSeg;
use super::segment::{sack_option_len, Segment, Span, Timestamps};
use super::timer::XmitTimer;
use crate::time::SimTime;

impl<T: Copy> TcpConnection<T> {
    /// `tcp_is_cwnd_limited`: the window was full in the current round, or, in slow start,
    /// it is still below twice what was in flight (so an application-limited slow start
    /// still doubles what it uses).
    pub(super) fn is_cwnd_limited(&self) -> bool {
        if self.is_cwnd_limited {
            return true;
        }
        if self.win.in_slow_start() {
            return self.win.cwnd < 2 * self.max_packets_out;
        }
        false
    }

    /// The payload of a segment sent now, given its SACK blocks: the MSS less the options
    /// (`tcp_current_mss`).
    fn max_payload(&self, sack_blocks: usize) -> u64 {
        self.mss()
            .saturating_sub(sack_option_len(sack_blocks))
            .max(1)
    }

    fn spans(&self, from: u64, to: u64) -> Vec<Span<T>> {
        let i = self.write_log.partition_point(|s| s.offset + s.len <= from);
        self.write_log
            .range(i..)
            .take_while(|s| s.offset < to)
            .filter_map(|s| s.clip(from, to))
            .collect()
    }

    /// `tcp_retransmit_skb` (`counted`: it is a recovery retransmission, counted in
    /// `retrans_out`) or `__tcp_retransmit_skb` alone (the loss probe).
    fn retransmit(&mut self, now: SimTime, start: u64, counted: bool) -> Option<Segment<T>> {
        let seg = self.board.get_mut(&start)?;
        let end = seg.end;
        seg.ever_retrans = true;
        seg.xmit = now;
        if counted {
            seg.retrans = true;
        }
        self.total_retrans += 1;
        if counted {
            self.retrans_out += 1;
            if self.retrans_stamp.is_none() {
                self.retrans_stamp = Some(Self::ts_val(now));
            }
            if self.undo_retrans < 0 {
                self.undo_retrans = 0;
            }
            self.undo_retrans += 1;
            if self.in_cwnd_reduction() {
                self.prr_out += 1;
            }
            // tcp_xmit_retransmit_queue: "if (skb == rtx_head && icsk->icsk_pending !=
            // ICSK_TIME_REO_TIMEOUT) rearm_timer = true".
            let is_head = self.board.keys().next() == Some(&start);
            if is_head
                && self
                    .xmit_timer
                    .is_none_or(|(_, k)| k != XmitTimer::ReoTimeout)
            {
                self.xmit_timer = Some((now + self.rtt.rto(), XmitTimer::Retrans));
            }
        }
        let psh = end == self.written;
        Some(self.data_segment(start, end, true, psh))
    }

    fn data_segment(&self, start: u64, end: u64, retransmission: bool, psh: bool) -> Segment<T> {
        Segment {
            syn: false,
            sack_permitted: false,
            seq: start,
            len: end - start,
            ack: None,
            window: 0,
            sack: Vec::new(),
            spans: self.spans(start, end),
            retransmission,
            timestamps: None,
            psh,
        }
    }

    /// `tcp_xmit_retransmit_queue`: the first segment marked lost and not yet retransmitted,
    /// if the window has room.
    fn next_lost(&self) -> Option<u64> {
        if self.retrans_out >= self.lost_out || self.packets_in_flight() >= self.win.cwnd {
            return None;
        }
        self.board
            .iter()
            .find(|(_, s)| s.lost && !s.retrans && !s.sacked)
            .map(|(&k, _)| k)
    }

    /// New data that fits the congestion and receive windows (`tcp_write_xmit`).
    fn next_new(&mut self, sack_blocks: usize) -> Option<(u64, u64)> {
        let len = (self.written - self.snd_nxt).min(self.max_payload(sack_blocks));
        if len == 0 {
            return None;
        }
        if self.packets_in_flight() >= self.win.cwnd {
            self.batch_cwnd_blocked = true;
            return None;
        }
        // tcp_snd_wnd_test: the whole segment must fit the receive window.
        if self.snd_nxt + len > self.snd_una + self.snd_wnd {
            return None;
        }
        Some((self.snd_nxt, self.snd_nxt + len))
    }

    /// Records a new segment [start, end) as sent now (`tcp_event_new_data_sent`,
    /// `tcp_event_data_sent`).
    fn send_new(&mut self, now: SimTime, start: u64, end: u64) -> Segment<T> {
        let prior_packets = self.packets_out();
        if self.packets_in_flight() == 0 {
            // CA_EVENT_TX_START.
            if let Some(last) = self.lsndtime {
                self.cc.tx_start(now.saturating_since(last), now);
            }
        }
        self.lsndtime = Some(now);
        self.board.insert(
            start,
            SentSeg {
                end,
                xmit: now,
                ever_retrans: false,
                retrans: false,
                sacked: false,
                lost: false,
            },
        );
        self.snd_nxt = end;
        if self.in_cwnd_reduction() {
            self.prr_out += 1;
        }
        if prior_packets == 0 || matches!(self.xmit_timer, Some((_, XmitTimer::LossProbe))) {
            self.rearm_rto(now);
        }
        self.batch_sent = true;
        let psh = end == self.written;
        self.data_segment(start, end, false, psh)
    }

    /// `tcp_slow_start_after_idle_check` / `tcp_cwnd_restart` (RFC 7661 as Linux runs it):
    /// after an idle period longer than the RTO, the window halves once per RTO idle, down
    /// to the initial window.
    fn slow_start_after_idle(&mut self, now: SimTime) {
        if !self.cfg.slow_start_after_idle || !self.board.is_empty() {
            return;
        }
        let Some(last) = self.lsndtime else {
            return;
        };
        let rto = self.rtt.rto();
        let delta = now.saturating_since(last);
        if delta <= rto {
            return;
        }
        let restart = self.cfg.initial_window.max(1).min(self.win.cwnd);
        self.win.ssthresh = self.current_ssthresh();
        let mut cwnd = self.win.cwnd;
        let mut left = delta.as_micros() as i64;
        loop {
            left -= rto.as_micros() as i64;
            if left <= 0 || cwnd <= restart {
                break;
            }
            cwnd >>= 1;
        }
        self.win.cwnd = cwnd.max(restart);
        self.cwnd_event(now, CwndCause::Idle);
    }

    /// `tcp_cwnd_validate`, at the end of a sending batch.
    fn cwnd_validate(&mut self) {
        let is_cwnd_limited = self.batch_cwnd_blocked || self.packets_in_flight() >= self.win.cwnd;
        if self.snd_una >= self.cwnd_usage_seq
            || is_cwnd_limited
            || (!self.is_cwnd_limited && self.packets_out() > self.max_packets_out)
        {
            self.is_cwnd_limited = is_cwnd_limited;
            self.max_packets_out = self.packets_out();
            self.cwnd_usage_seq = self.snd_nxt;
        }
    }

    /// The next segment to send, if any. Call until it returns `None`.
    pub fn poll_transmit(&mut self, now: SimTime) -> Option<Segment<T>> {
        if self.syn_due {
            self.syn_due = false;
            let seg = self.syn_segment(now);
            return Some(self.sent(now, seg));
        }
        if self.state != State::Established {
            return None;
        }
        if self.handshake_ack_due {
            self.handshake_ack_due = false;
            return Some(self.finish(now, self.pure_ack()));
        }
        if self.idle_check {
            self.idle_check = false;
            self.slow_start_after_idle(now);
        }
        let sack_blocks = if self.sack {
            self.receiver.sack_block_count()
        } else {
            0
        };
        // The timer's retransmission of the head.
        if self.rto_head_due {
            self.rto_head_due = false;
            let head = self.board.keys().next().copied();
            if let Some(head) = head {
                if let Some(seg) = self.retransmit(now, head, true) {
                    return Some(self.finish(now, seg));
                }
            }
        }
        // The tail loss probe.
        if let Some(new_data) = self.probe_due.take() {
            let seg = if new_data {
                let len = (self.written - self.snd_nxt).min(self.max_payload(sack_blocks));
                let start = self.snd_nxt;
                Some(self.send_new(now, start, start + len))
            } else {
                let last = self.board.keys().next_back().copied();
                last.and_then(|start| {
                    self.tlp_retrans = true;
                    self.retransmit(now, start, false)
                })
            };
            if let Some(seg) = seg {
                self.tlp_high_seq = Some(self.snd_nxt);
                self.event(
                    now,
                    TcpEventKind::LossProbe {
                        seq: seg.seq,
                        len: seg.len,
                        new_data,
                    },
                );
                // "Reset s.t. tcp_rearm_rto will restart timer from now"
                self.xmit_timer = None;
                self.rearm_rto(now);
                return Some(self.finish(now, seg));
            }
            self.rearm_rto(now);
        }
        // F-RTO step 2.b: new data first; retransmit only if none could go.
        if self.rexmit == Rexmit::New {
            if let Some((start, end)) = self.next_new(sack_blocks) {
                let seg = self.send_new(now, start, end);
                self.schedule_loss_probe(now, false);
                return Some(self.finish(now, seg));
            }
            if self.snd_nxt <= self.high_seq {
                self.frto = false;
                self.rexmit = Rexmit::Lost;
            } else {
                self.rexmit = Rexmit::None;
            }
        }
        // Retransmissions (tcp_xmit_retransmit_queue), then new data (tcp_write_xmit).
        if self.rexmit == Rexmit::Lost {
            if let Some(start) = self.next_lost() {
                if let Some(seg) = self.retransmit(now, start, true) {
                    return Some(self.finish(now, seg));
                }
            }
            self.rexmit = Rexmit::None;
        }
        if let Some((start, end)) = self.next_new(sack_blocks) {
            let seg = self.send_new(now, start, end);
            self.schedule_loss_probe(now, false);
            return Some(self.finish(now, seg));
        }
        if self.batch_sent || self.batch_cwnd_blocked {
            self.cwnd_validate();
            self.batch_sent = false;
            self.batch_cwnd_blocked = false;
        }
        if self.receiver.ack_now {
            return Some(self.finish(now, self.pure_ack()));
        }
        None
    }

    fn pure_ack(&self) -> Segment<T> {
        Segment {
            syn: false,
            sack_permitted: false,
            seq: self.snd_nxt,
            len: 0,
            ack: None,
            window: 0,
            sack: Vec::new(),
            spans: Vec::new(),
            retransmission: false,
            timestamps: None,
            psh: false,
        }
    }

    /// Fills in what every segment after the handshake carries — the ACK, the window
    /// (`tcp_select_window`), SACK/DSACK blocks and the timestamps — and accounts for it.
    fn finish(&mut self, now: SimTime, mut seg: Segment<T>) -> Segment<T> {
        seg.ack = Some(self.receiver.rcv_nxt);
        seg.window = self.receiver.window_for_ack();
        if self.sack {
            seg.sack = self.receiver.sack_blocks();
        }
        if self.timestamps {
            seg.timestamps = Some(Timestamps {
                val: Self::ts_val(now),
                ecr: self.receiver.ts_ecr(),
            });
        }
        if seg.len > 0 && !seg.retransmission {
            // tcp_event_new_data_sent → tcp_event_data_sent.
            self.receiver.on_data_sent(now);
        }
        self.sent(now, seg)
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
