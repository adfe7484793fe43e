//! Proportional Rate Reduction (RFC 6937) as `tcp_input.c` runs it: how many segments each
//! ACK lets out during a window reduction (`tcp_cwnd_reduction`), and where a reduction
//! starts and ends (`tcp_init_cwnd_reduction`, `tcp_end_cwnd_reduction`).

use super::connection::TcpConnection;
use super::input::flag;
use crate::transport::cc::linux::{CaState, INFINITE_SSTHRESH};

/// The inputs of one `tcp_cwnd_reduction` step.
#[derive(Clone, Copy, Debug)]
pub(super) struct Prr {
    pub ssthresh: u64,
    pub in_flight: u64,
    pub prior_cwnd: u64,
    /// Including this ACK's.
    pub prr_delivered: u64,
    pub prr_out: u64,
    pub newly_acked_sacked: u64,
    pub snd_una_advanced: bool,
    pub newly_lost: u64,
}

/// RFC 6937 §3 as `tcp_cwnd_reduction` computes it: how many segments this ACK lets out.
/// While in flight exceeds ssthresh, the proportional part
/// ⌈ssthresh · prr_delivered / prior_cwnd⌉ − prr_out; at or below it, PRR-SSRB: what was
/// delivered and not yet matched, plus one if the ACK moved snd_una without new losses, up to
/// ssthresh; and at least one segment for the first retransmission.
pub(super) fn prr_sndcnt(p: Prr) -> u64 {
    let delta = p.ssthresh as i64 - p.in_flight as i64;
    let mut sndcnt: i64;
    if delta < 0 {
        let dividend = p.ssthresh * p.prr_delivered + p.prior_cwnd - 1;
        sndcnt = (dividend / p.prior_cwnd.max(1)) as i64 - p.prr_out as i64;
    } else {
        sndcnt = (p.prr_delivered as i64 - p.prr_out as i64).max(p.newly_acked_sacked as i64);
        if p.snd_una_advanced && p.newly_lost == 0 {
            sndcnt += 1;
        }
        sndcnt = sndcnt.min(delta);
    }
    // "Force a fast retransmit upon entering fast recovery"
    sndcnt = sndcnt.max(if p.prr_out > 0 { 0 } else { 1 });
    sndcnt.max(0) as u64
}

impl<T: Copy> TcpConnection<T> {
    /// `tcp_init_cwnd_reduction`.
    pub(super) fn init_cwnd_reduction(&mut self) {
        self.high_seq = self.snd_nxt;
        self.tlp_high_seq = None;
        self.win.cwnd_cnt = 0;
        self.prior_cwnd = self.win.cwnd;
        self.prr_delivered = 0;
        self.prr_out = 0;
        let w = self.win;
        self.win.ssthresh = self.cc.ssthresh(&w);
    }

    /// `tcp_end_cwnd_reduction`: back to ssthresh, unless the reduction was undone.
    pub(super) fn end_cwnd_reduction(&mut self) {
        if self.win.ssthresh < INFINITE_SSTHRESH
            && (self.ca == CaState::Cwr || self.undo_marker.is_some())
        {
            self.win.cwnd = self.win.ssthresh;
        }
    }

    /// `tcp_cwnd_reduction`: Proportional Rate Reduction (RFC 6937). Above ssthresh, send
    /// ⌈ssthresh · delivered / prior_cwnd⌉ − sent so far, spreading the reduction over a
    /// round trip; at or below it, packet conservation plus one more per ACK that moves
    /// snd_una without new losses (PRR-SSRB), up to ssthresh.
    pub(super) fn cwnd_reduction(&mut self, newly_acked_sacked: u64, newly_lost: u64, fl: u32) {
        if newly_acked_sacked == 0 || self.prior_cwnd == 0 {
            return;
        }
        let in_flight = self.packets_in_flight();
        self.prr_delivered += newly_acked_sacked;
        let sndcnt = prr_sndcnt(Prr {
            ssthresh: self.win.ssthresh,
            in_flight,
            prior_cwnd: self.prior_cwnd,
            prr_delivered: self.prr_delivered,
            prr_out: self.prr_out,
            newly_acked_sacked,
            snd_una_advanced: fl & flag::SND_UNA_ADVANCED != 0,
            newly_lost,
        });
        self.win.cwnd = (in_flight + sndcnt).max(1);
    }
}
