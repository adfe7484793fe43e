//! Undoing a window reduction that was not needed, as `tcp_input.c` does: the undo marker
//! (`tcp_init_undo`), the evidence (timestamps that predate the retransmission, RFC 7323 +
//! Eifel, `tcp_packet_delayed`; DSACKs for every retransmission, RFC 2883) and the undo
//! itself in each state (`tcp_undo_cwnd_reduction`, `tcp_try_undo_recovery`,
//! `tcp_try_undo_dsack`, `tcp_try_undo_loss`, `tcp_try_undo_partial`).

use super::connection::TcpConnection;
use super::event::{CwndCause, TcpEventKind};
use crate::time::SimTime;
use crate::transport::cc::linux::CaState;

impl<T: Copy> TcpConnection<T> {
    /// `tcp_init_undo`.
    pub(super) fn init_undo(&mut self) {
        self.undo_marker = Some(self.snd_una);
        let mut n = self.retrans_out as i64;
        if self.tlp_high_seq.is_some() && self.tlp_retrans {
            n += 1;
        }
        self.undo_retrans = if n == 0 { -1 } else { n };
    }

    /// `tcp_packet_delayed`: the echoed timestamp predates the first retransmission (RFC
    /// 7323 + Eifel), or nothing was retransmitted.
    fn packet_delayed(&self) -> bool {
        match self.retrans_stamp {
            Some(stamp) => self
                .rcv_tsecr
                .is_some_and(|ecr| self.timestamps && ecr < stamp),
            None => true,
        }
    }

    fn may_undo(&self) -> bool {
        self.undo_marker.is_some() && (self.undo_retrans == 0 || self.packet_delayed())
    }

    /// `tcp_undo_cwnd_reduction`.
    fn undo_cwnd_reduction(&mut self, now: SimTime, unmark_loss: bool) {
        if unmark_loss {
            for s in self.board.values_mut() {
                s.lost = false;
            }
            self.lost_out = 0;
        }
        if self.prior_ssthresh > 0 {
            self.win.cwnd = self.cc.undo_cwnd(&self.win, self.prior_cwnd);
            if self.prior_ssthresh > self.win.ssthresh {
                self.win.ssthresh = self.prior_ssthresh;
            }
        }
        self.undo_marker = None;
        self.rack.advanced = true;
        self.event(now, TcpEventKind::Undo);
        self.cwnd_event(now, CwndCause::Undo);
    }

    /// `tcp_is_non_sack_preventing_reopen`.
    fn non_sack_preventing_reopen(&mut self) -> bool {
        if self.snd_una == self.high_seq && !self.sack {
            if !self.any_retrans_done() {
                self.retrans_stamp = None;
            }
            return true;
        }
        false
    }

    /// `tcp_try_undo_recovery`.
    pub(super) fn try_undo_recovery(&mut self, now: SimTime) -> bool {
        if self.may_undo() {
            self.undo_cwnd_reduction(now, false);
        }
        if self.non_sack_preventing_reopen() {
            return true;
        }
        self.set_state(now, CaState::Open);
        false
    }

    /// `tcp_try_undo_dsack`.
    pub(super) fn try_undo_dsack(&mut self, now: SimTime) -> bool {
        if self.undo_marker.is_some() && self.undo_retrans == 0 {
            self.undo_cwnd_reduction(now, false);
            return true;
        }
        false
    }

    /// `tcp_try_undo_loss`.
    pub(super) fn try_undo_loss(&mut self, now: SimTime, frto_undo: bool) -> bool {
        if frto_undo || self.may_undo() {
            self.undo_cwnd_reduction(now, true);
            self.retransmits = 0;
            if self.non_sack_preventing_reopen() {
                return true;
            }
            if frto_undo || self.sack {
                self.set_state(now, CaState::Open);
            }
            return true;
        }
        false
    }

    /// `tcp_try_undo_partial`.
    pub(super) fn try_undo_partial(&mut self, now: SimTime, prior_snd_una: u64) -> bool {
        if self.undo_marker.is_some() && self.packet_delayed() {
            self.check_sack_reordering(prior_snd_una);
            if self.retrans_out > 0 {
                return true;
            }
            if !self.any_retrans_done() {
                self.retrans_stamp = None;
            }
            self.undo_cwnd_reduction(now, true);
            self.try_keep_open(now);
        }
        false
    }
}
