//! RACK loss detection (RFC 8985 §6; `net/ipv4/tcp_recovery.c`): the most recently
//! delivered segment as the reference (`tcp_rack_advance`), the reordering window
//! (`tcp_rack_reo_wnd`), marking lost what was sent before it and is older than
//! RACK.rtt + reo_wnd (`tcp_rack_detect_loss`, `tcp_rack_mark_lost`), the reordering timer
//! (`tcp_rack_reo_timeout`), and NewReno's loss marking without SACK
//! (`tcp_newreno_mark_lost`, RFC 6582). The tail loss probe's timer is in `timer.rs`.

use super::connection::TcpConnection;
use super::event::{CwndCause, LossDetection};
use super::recovery::Rexmit;
use super::timer::{XmitTimer, TIMEOUT_MIN};
use crate::time::{SimDuration, SimTime};
use crate::transport::cc::linux::{jiffy_round, CaState};

/// `tp->rack`.
#[derive(Clone, Debug, Default)]
pub(super) struct Rack {
    mstamp: Option<SimTime>,
    end_seq: u64,
    pub(super) rtt: SimDuration,
    pub(super) advanced: bool,
}

/// `tcp_skb_sent_after`: sent later, or at the same instant and higher in sequence.
fn sent_after(t1: SimTime, t2: SimTime, seq1: u64, seq2: u64) -> bool {
    t1 > t2 || (t1 == t2 && seq1 > seq2)
}

impl<T: Copy> TcpConnection<T> {
    /// `tcp_rack_advance`: the most recently sent of the S/ACKed segments becomes RACK's
    /// reference; a retransmission S/ACKed sooner than min_rtt after it left is ambiguous
    /// and ignored (RFC 8985 §6.1 Step 2).
    pub(super) fn rack_advance(
        &mut self,
        now: SimTime,
        any_retrans: bool,
        end: u64,
        xmit: SimTime,
    ) {
        let rtt = now.saturating_since(xmit);
        if any_retrans && self.min_rtt.is_none_or(|m| rtt < m) {
            return;
        }
        self.rack.advanced = true;
        self.rack.rtt = rtt;
        if self
            .rack
            .mstamp
            .is_none_or(|m| sent_after(xmit, m, end, self.rack.end_seq))
        {
            self.rack.mstamp = Some(xmit);
            self.rack.end_seq = end;
        }
    }

    /// `tcp_rack_reo_wnd`: no reordering window once duplicate-ACK evidence suffices or in
    /// recovery (as long as no reordering was seen); else min_rtt/4, at most SRTT.
    fn rack_reo_wnd(&self) -> SimDuration {
        if !self.reord_seen {
            if matches!(self.ca, CaState::Recovery | CaState::Loss) {
                return SimDuration::ZERO;
            }
            if self.sacked_out >= self.reordering {
                return SimDuration::ZERO;
            }
        }
        let min = self.min_rtt.unwrap_or(SimDuration::ZERO);
        let srtt = self.rtt.srtt.unwrap_or(SimDuration::ZERO);
        SimDuration::from_micros(min.as_micros() / 4).min(srtt)
    }

    /// `tcp_rack_detect_loss` (RFC 8985 §6.2): every segment sent before the most recently
    /// delivered one and older than RACK.rtt + reo_wnd is lost. Returns the longest wait
    /// left for the others (for the reordering timer), µs.
    fn rack_detect_loss(&mut self, now: SimTime) -> u64 {
        let Some(mstamp) = self.rack.mstamp else {
            return 0;
        };
        let reo_wnd = self.rack_reo_wnd().as_micros() as i64;
        let rack_rtt = self.rack.rtt.as_micros() as i64;
        let end_seq = self.rack.end_seq;
        let mut timeout = 0i64;
        let mut lost = Vec::new();
        for (&start, s) in self.board.iter() {
            // "Skip ones marked lost but not yet retransmitted"
            if s.sacked || (s.lost && !s.retrans) {
                continue;
            }
            if !sent_after(mstamp, s.xmit, end_seq, s.end) {
                continue;
            }
            let remaining = rack_rtt + reo_wnd - now.saturating_since(s.xmit).as_micros() as i64;
            if remaining <= 0 {
                lost.push(start);
            } else {
                timeout = timeout.max(remaining);
            }
        }
        for start in lost {
            self.mark_lost(now, start, LossDetection::Rack);
        }
        timeout as u64
    }

    /// `tcp_rack_mark_lost`; arms the reordering timer if some segments must wait.
    pub(super) fn rack_mark_lost(&mut self, now: SimTime) -> bool {
        if !self.rack.advanced {
            return false;
        }
        self.rack.advanced = false;
        let timeout = self.rack_detect_loss(now);
        if timeout > 0 {
            let d = jiffy_round(SimDuration::from_micros(timeout) + TIMEOUT_MIN);
            self.xmit_timer = Some((now + d, XmitTimer::ReoTimeout));
            return true;
        }
        false
    }

    /// `tcp_newreno_mark_lost`: without SACK, three duplicate ACKs (or, in recovery, a
    /// partial ACK: RFC 6582 §3.2 step 5) mark the first unacknowledged segment lost.
    pub(super) fn newreno_mark_lost(&mut self, now: SimTime, snd_una_advanced: bool) {
        if (!matches!(self.ca, CaState::Recovery | CaState::Loss)
            && self.sacked_out >= self.reordering)
            || (self.ca == CaState::Recovery && snd_una_advanced)
        {
            let head = self.board.first().map(|(&k, s)| (k, s.lost));
            if let Some((head, lost)) = head {
                if !lost {
                    self.mark_lost(now, head, LossDetection::DupAcks);
                }
            }
        }
    }

    /// `tcp_rack_reo_timeout`: the reordering window has passed.
    pub(super) fn rack_reo_timeout(&mut self, now: SimTime) {
        let prior_inflight = self.packets_in_flight();
        let prior_lost = self.lost_count;
        self.rack_detect_loss(now);
        if prior_inflight != self.packets_in_flight() {
            if self.ca != CaState::Recovery {
                self.enter_recovery(now);
                let newly_lost = self.lost_count - prior_lost;
                self.cwnd_reduction(1, newly_lost, 0);
            }
            self.rexmit = Rexmit::Lost;
        }
        if self.xmit_timer.is_none_or(|(_, k)| k != XmitTimer::Retrans) {
            // The timer slot is free (it just fired): RTO from now.
            self.rearm_rto(now);
        }
        self.cwnd_event(now, CwndCause::FastRecovery);
    }
}
