//! The transmit timer (`icsk_pending`), as `tcp_timer.c` and `tcp_output.c` arm and run it:
//! the retransmission timeout (`tcp_rearm_rto`, `tcp_retransmit_timer`, RFC 6298 §5), the tail
//! loss probe (RFC 8985 §7: `tcp_schedule_loss_probe`, `tcp_send_loss_probe`), the RACK
//! reordering timeout (run by `rack.rs`), and `handle_timeout`, which fires them and the
//! receiver's delayed-ACK timers.

use super::connection::{State, TcpConnection};
use super::event::{CwndCause, TcpEventKind};
use crate::time::{SimDuration, SimTime};
use crate::transport::cc::linux::{jiffy_round, CaState};

/// Linux TCP_TIMEOUT_MIN_US: 2 ms added to the probe and reordering timeouts.
pub(super) const TIMEOUT_MIN: SimDuration = SimDuration::from_millis(2);

/// Linux TCP_TIMEOUT_INIT: the probe timeout before any RTT sample.
const TIMEOUT_INIT: SimDuration = SimDuration::from_secs(1);

/// `icsk_pending`: what the transmit timer is armed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum XmitTimer {
    /// ICSK_TIME_RETRANS (also the SYN's retransmission).
    Retrans,
    /// ICSK_TIME_LOSS_PROBE.
    LossProbe,
    /// ICSK_TIME_REO_TIMEOUT.
    ReoTimeout,
}

impl<T: Copy> TcpConnection<T> {
    /// `tcp_rearm_rto`.
    pub(super) fn rearm_rto(&mut self, now: SimTime) {
        if self.board.is_empty() {
            if matches!(
                self.xmit_timer,
                Some((
                    _,
                    XmitTimer::Retrans | XmitTimer::LossProbe | XmitTimer::ReoTimeout
                ))
            ) {
                self.xmit_timer = None;
            }
            return;
        }
        let mut rto = self.rtt.rto();
        if matches!(
            self.xmit_timer,
            Some((_, XmitTimer::ReoTimeout | XmitTimer::LossProbe))
        ) {
            // "Offset the time elapsed after installing regular RTO"
            rto = self.rto_delta(now).max(SimDuration::from_micros(1));
        }
        self.xmit_timer = Some((now + rto, XmitTimer::Retrans));
    }

    /// `tcp_rto_delta_us`: how far in the future the RTO of the head segment is.
    fn rto_delta(&self, now: SimTime) -> SimDuration {
        match self.board.values().next() {
            Some(head) => (head.xmit + self.rtt.rto()).saturating_since(now),
            None => self.rtt.rto(),
        }
    }

    /// `tcp_set_xmit_timer`.
    pub(super) fn set_xmit_timer(&mut self, now: SimTime) {
        if !self.schedule_loss_probe(now, true) {
            self.rearm_rto(now);
        }
    }

    /// `tcp_schedule_loss_probe` (RFC 8985 §7.2): PTO = 2·SRTT, plus the minimum RTO when a
    /// single segment is out (its ACK may be delayed) or 2 ms otherwise, but no later than
    /// the RTO; only with SACK, in Open or CWR.
    pub(super) fn schedule_loss_probe(&mut self, now: SimTime, advancing_rto: bool) -> bool {
        if !self.cfg.tlp
            || self.board.is_empty()
            || !self.sack
            || !matches!(self.ca, CaState::Open | CaState::Cwr)
        {
            return false;
        }
        let mut timeout = match self.rtt.srtt {
            Some(srtt) => {
                let extra = if self.packets_out() == 1 {
                    self.cfg.min_rto
                } else {
                    TIMEOUT_MIN
                };
                jiffy_round(srtt * 2 + extra)
            }
            None => TIMEOUT_INIT,
        };
        let rto_delta = if advancing_rto {
            self.rtt.rto()
        } else {
            self.rto_delta(now)
        };
        if rto_delta > SimDuration::ZERO {
            timeout = timeout.min(jiffy_round(rto_delta));
        }
        self.xmit_timer = Some((now + timeout, XmitTimer::LossProbe));
        true
    }

    /// Timers: the delayed and compressed ACKs, and the transmit timer.
    pub fn handle_timeout(&mut self, now: SimTime) {
        let rto = self.rtt.rto();
        self.receiver.on_timeout(now, rto);
        let Some((at, kind)) = self.xmit_timer else {
            return;
        };
        if at > now {
            return;
        }
        self.xmit_timer = None;
        match self.state {
            State::SynSent | State::SynReceived => {
                self.rtt.on_timeout();
                let rto = self.rtt.rto();
                self.event(now, TcpEventKind::Timeout { rto });
                self.syn_due = true;
                self.syn_retransmits += 1;
                self.xmit_timer = Some((now + rto, XmitTimer::Retrans));
            }
            State::Established if !self.board.is_empty() => match kind {
                XmitTimer::Retrans => self.retransmit_timer(now),
                XmitTimer::LossProbe => self.send_loss_probe(now),
                XmitTimer::ReoTimeout => self.rack_reo_timeout(now),
            },
            _ => {}
        }
    }

    /// `tcp_send_loss_probe` (RFC 8985 §7.3): a new segment if the receive window allows,
    /// else the last segment again; at most one probe outstanding.
    fn send_loss_probe(&mut self, now: SimTime) {
        if self.tlp_high_seq.is_some() {
            self.xmit_timer = Some((now, XmitTimer::LossProbe));
            self.rearm_rto(now);
            return;
        }
        self.tlp_retrans = false;
        let mss = self.mss();
        let new_len = (self.written - self.snd_nxt).min(mss);
        if new_len > 0 && self.snd_nxt + new_len <= self.snd_una + self.snd_wnd {
            self.probe_due = Some(true);
        } else {
            self.probe_due = Some(false);
        }
    }

    /// `tcp_retransmit_timer`: RFC 6298 §5.4–5.7 as Linux runs it — enter Loss
    /// (`tcp_enter_loss`), retransmit the head, double the RTO.
    fn retransmit_timer(&mut self, now: SimTime) {
        self.enter_loss(now);
        self.retransmits += 1;
        self.rto_head_due = true;
        self.rtt.on_timeout();
        let rto = self.rtt.rto();
        self.event(now, TcpEventKind::Timeout { rto });
        self.xmit_timer = Some((now + rto, XmitTimer::Retrans));
        self.cwnd_event(now, CwndCause::Rto);
    }
}
