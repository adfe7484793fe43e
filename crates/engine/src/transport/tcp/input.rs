//! An arriving ACK, as `tcp_input.c tcp_ack` processes it: the `FLAG_*` it sets, the send
//! window (`tcp_ack_update_window`), the cumulative ACK (`tcp_clean_rtx_queue`), the RTT
//! samples (`tcp_ack_update_rtt`, Karn's algorithm and RFC 7323 timestamps), the tail loss
//! probe's outcome (`tcp_process_tlp_ack`, RFC 8985 §7.4.2), and the window's growth
//! (`tcp_cong_control`). Loss recovery is `recovery.rs`, the SACK scoreboard `scoreboard.rs`.

use super::connection::{TcpConnection, REORDERING};
use super::event::{CwndCause, TcpEventKind};
use super::recovery::Rexmit;
use super::scoreboard::SackTag;
use super::segment::Segment;
use crate::time::{SimDuration, SimTime};
use crate::transport::cc::linux::CaState;

/// `tcp_ack` flags (`FLAG_*` in `tcp_input.c`).
pub(super) mod flag {
    pub const DATA: u32 = 0x01;
    pub const WIN_UPDATE: u32 = 0x02;
    pub const DATA_ACKED: u32 = 0x04;
    pub const RETRANS_DATA_ACKED: u32 = 0x08;
    pub const DATA_SACKED: u32 = 0x20;
    pub const LOST_RETRANS: u32 = 0x80;
    pub const ORIG_SACK_ACKED: u32 = 0x200;
    pub const SND_UNA_ADVANCED: u32 = 0x400;
    pub const DSACKING_ACK: u32 = 0x800;
    pub const SET_XMIT_TIMER: u32 = 0x1000;
    pub const ACK_MAYBE_DELAYED: u32 = 0x10000;
    pub const DSACK_TLP: u32 = 0x20000;
    pub const ACKED: u32 = DATA_ACKED;
    pub const NOT_DUP: u32 = DATA | WIN_UPDATE | ACKED;
    pub const CA_ALERT: u32 = DATA_SACKED | DSACKING_ACK;
    pub const FORWARD_PROGRESS: u32 = ACKED | DATA_SACKED;
}

impl<T: Copy> TcpConnection<T> {
    pub(super) fn rtt_sample(&mut self, now: SimTime, r: SimDuration) {
        self.rtt.on_sample_at(r, self.snd_una, self.snd_nxt);
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

    /// `tcp_ack`.
    pub(super) fn on_ack(&mut self, now: SimTime, seg: &Segment<T>, ack: u64) {
        if ack > self.snd_nxt {
            // "do not accept ACK for bytes we never sent" (RFC 793 §3.9): discard.
            return;
        }
        let prior_snd_una = self.snd_una;
        let prior_packets = self.packets_out();
        let prior_delivered = self.delivered;
        let prior_lost = self.lost_count;
        let prior_fack = self.highest_sack().unwrap_or(self.snd_una);
        let mut fl = 0u32;
        let mut rexmit = Rexmit::None;
        if ack < prior_snd_una {
            // An old ACK: only its SACK information counts.
            if !seg.sack.is_empty() && self.sack {
                let mut st = SackTag::default();
                self.sacktag(now, &seg.sack, prior_snd_una, ack, &mut st);
                fl |= st.flag;
                self.fastretrans_alert(now, prior_snd_una, 0, &mut fl, &mut rexmit);
                self.rexmit_from(rexmit);
            }
            return;
        }
        if ack > prior_snd_una {
            fl |= flag::SND_UNA_ADVANCED;
            self.retransmits = 0;
        }
        if seg.len > 0 {
            fl |= flag::DATA;
        }
        // tcp_ack_update_window.
        if ack > prior_snd_una
            || seg.seq > self.snd_wl1
            || (seg.seq == self.snd_wl1 && seg.window > self.snd_wnd)
        {
            fl |= flag::WIN_UPDATE;
            self.snd_wl1 = seg.seq;
            self.snd_wnd = seg.window;
        }
        self.snd_una = ack;
        let mut st = SackTag::default();
        if self.sack && !seg.sack.is_empty() {
            self.sacktag(now, &seg.sack, prior_snd_una, ack, &mut st);
            fl |= st.flag;
        }
        if prior_packets == 0 {
            // no_queue.
            if self.tlp_high_seq.is_some() {
                self.process_tlp_ack(now, ack, fl);
            }
            self.trim_write_log();
            return;
        }
        fl |= self.clean_rtx_queue(now, prior_fack, prior_snd_una, &mut st);
        self.trim_write_log();
        if ack > prior_snd_una {
            self.event(
                now,
                TcpEventKind::Acked {
                    from: prior_snd_una,
                    to: ack,
                },
            );
        }
        if self.tlp_high_seq.is_some() {
            self.process_tlp_ack(now, ack, fl);
        }
        // tcp_ack_is_dubious.
        if fl & flag::NOT_DUP == 0 || fl & flag::CA_ALERT != 0 || self.ca != CaState::Open {
            let num_dupack =
                u64::from(fl & (flag::SND_UNA_ADVANCED | flag::NOT_DUP | flag::DSACKING_ACK) == 0);
            self.fastretrans_alert(now, prior_snd_una, num_dupack, &mut fl, &mut rexmit);
        }
        // "If needed, reset TLP/RTO timer when RACK doesn't set."
        if fl & flag::SET_XMIT_TIMER != 0 {
            self.set_xmit_timer(now);
        }
        let delivered = self.delivered - prior_delivered;
        let newly_lost = self.lost_count - prior_lost;
        self.cong_control(now, delivered, newly_lost, fl);
        self.rexmit_from(rexmit);
        self.cwnd_event(now, CwndCause::Ack);
    }

    fn rexmit_from(&mut self, rexmit: Rexmit) {
        if rexmit != Rexmit::None {
            self.rexmit = rexmit;
        }
    }

    fn trim_write_log(&mut self) {
        let una = self.snd_una;
        while self
            .write_log
            .front()
            .is_some_and(|s| s.offset + s.len <= una)
        {
            self.write_log.pop_front();
        }
    }

    /// `tcp_clean_rtx_queue`: drop what the cumulative ACK covers, take the RTT samples
    /// (`tcp_ack_update_rtt`), hand the congestion module its sample (`pkts_acked`).
    fn clean_rtx_queue(
        &mut self,
        now: SimTime,
        prior_fack: u64,
        prior_snd_una: u64,
        st: &mut SackTag,
    ) -> u32 {
        let prior_sacked = self.sacked_out;
        let prior_delivered = self.delivered;
        let mut fl = 0u32;
        let mut first_ackt: Option<SimTime> = None;
        let mut last_ackt: Option<SimTime> = None;
        let mut reord: Option<u64> = None;
        let mut pkts_acked = 0u64;
        while self
            .board
            .first()
            .is_some_and(|(_, s)| s.end <= self.snd_una)
        {
            let Some((start, seg)) = self.board.pop_first() else {
                break;
            };
            if seg.any_retrans() {
                if seg.retrans {
                    self.retrans_out -= 1;
                }
                fl |= flag::RETRANS_DATA_ACKED;
            } else if !seg.sacked {
                last_ackt = Some(seg.xmit);
                first_ackt.get_or_insert(seg.xmit);
                if reord.is_none_or(|r| start < r) {
                    reord = Some(start);
                }
                if seg.end <= self.high_seq {
                    fl |= flag::ORIG_SACK_ACKED;
                }
            }
            if seg.sacked {
                self.sacked_out = self.sacked_out.saturating_sub(1);
            } else if self.sack {
                self.delivered += 1;
                self.rack_advance(now, seg.any_retrans(), seg.end, seg.xmit);
            } else {
                self.delivered += 1;
            }
            if seg.lost {
                self.lost_out -= 1;
            }
            pkts_acked += 1;
            fl |= flag::DATA_ACKED;
        }
        let mut seq_rtt = None;
        let mut ca_rtt = None;
        if let (Some(first), Some(last)) = (first_ackt, last_ackt) {
            if fl & flag::RETRANS_DATA_ACKED == 0 {
                seq_rtt = Some(now.saturating_since(first));
                ca_rtt = Some(now.saturating_since(last));
                if pkts_acked == 1
                    && prior_sacked == 0
                    && self.snd_una - prior_snd_una < self.mss()
                    && prior_delivered + 1 == self.delivered
                {
                    // "Conservatively mark a delayed ACK."
                    fl |= flag::ACK_MAYBE_DELAYED;
                }
            }
        }
        let mut sack_rtt = None;
        if let (Some(first), Some(last)) = (st.first_sackt, st.last_sackt) {
            sack_rtt = Some(now.saturating_since(first));
            ca_rtt = Some(now.saturating_since(last));
        }
        let rtt_update = self.ack_update_rtt(now, fl, seq_rtt, sack_rtt, &mut ca_rtt);
        if fl & flag::ACKED != 0 {
            fl |= flag::SET_XMIT_TIMER;
            if !self.sack {
                self.remove_reno_sacks(pkts_acked);
            } else if reord.is_some_and(|r| r < prior_fack) {
                // "Non-retransmitted hole got filled? That's reordering"
                self.check_sack_reordering(reord.unwrap_or(0));
            }
        } else if let (true, Some(sr), Some(head)) =
            (rtt_update, sack_rtt, self.board.values().next())
        {
            // "Do not re-arm RTO if the sack RTT is measured from data sent after when the
            // head was last (re)transmitted."
            if sr > now.saturating_since(head.xmit) {
                fl |= flag::SET_XMIT_TIMER;
            }
        }
        if let Some(r) = st.reord.filter(|&r| r < prior_fack) {
            self.check_sack_reordering(r);
        }
        let info = self.info(now);
        self.cc.pkts_acked(&mut self.win, ca_rtt, info);
        fl
    }

    /// `tcp_ack_update_rtt`: the RTT of the earliest newly ACKed never-retransmitted segment
    /// (Karn's algorithm, RFC 6298 §3), else of the earliest newly SACKed one, else (RFC 7323
    /// §4.1: every ACK of new data carries a sample) the echoed timestamp.
    fn ack_update_rtt(
        &mut self,
        now: SimTime,
        fl: u32,
        seq_rtt: Option<SimDuration>,
        sack_rtt: Option<SimDuration>,
        ca_rtt: &mut Option<SimDuration>,
    ) -> bool {
        let mut seq_rtt = seq_rtt.or(sack_rtt);
        if seq_rtt.is_none() && fl & flag::ACKED != 0 {
            if let (true, Some(ecr)) = (self.timestamps, self.rcv_tsecr) {
                let r = Self::ts_rtt(now, ecr);
                seq_rtt = Some(r);
                *ca_rtt = Some(r);
            }
        }
        let Some(r) = seq_rtt else {
            return false;
        };
        // tcp_update_rtt_min: "Skip suspected delayed ACKs."
        if let Some(ca) = *ca_rtt {
            let skip = fl & flag::ACK_MAYBE_DELAYED != 0 && self.min_rtt.is_some_and(|m| ca > m);
            if !skip {
                let ca = ca.max(SimDuration::from_micros(1));
                self.min_rtt = Some(self.min_rtt.map_or(ca, |m| m.min(ca)));
            }
        }
        self.rtt_sample(now, r);
        true
    }

    /// `tcp_process_tlp_ack` (RFC 8985 §7.4.2): was the probe's repair a real loss?
    fn process_tlp_ack(&mut self, now: SimTime, ack: u64, fl: u32) {
        let Some(high) = self.tlp_high_seq else {
            return;
        };
        if ack < high {
            return;
        }
        if !self.tlp_retrans {
            // "TLP of new data has been acknowledged"
            self.tlp_high_seq = None;
        } else if fl & flag::DSACK_TLP != 0 {
            // "This DSACK means original and TLP probe arrived; no loss"
            self.tlp_high_seq = None;
        } else if ack > high {
            // "ACK advances: there was a loss, so reduce cwnd."
            self.init_cwnd_reduction();
            self.set_state(now, CaState::Cwr);
            self.end_cwnd_reduction();
            self.try_keep_open(now);
            self.cwnd_event(now, CwndCause::LossProbe);
        } else if fl & (flag::SND_UNA_ADVANCED | flag::NOT_DUP | flag::DATA_SACKED) == 0 {
            // "Pure dupack: original and TLP probe arrived; no loss"
            self.tlp_high_seq = None;
        }
    }

    /// `tcp_cong_control`: PRR while reducing, else the module's increase if
    /// `tcp_may_raise_cwnd`.
    fn cong_control(&mut self, now: SimTime, acked_sacked: u64, newly_lost: u64, fl: u32) {
        if self.in_cwnd_reduction() {
            self.cwnd_reduction(acked_sacked, newly_lost, fl);
        } else {
            let may_raise = if self.reordering > REORDERING {
                fl & flag::FORWARD_PROGRESS != 0
            } else {
                fl & flag::DATA_ACKED != 0
            };
            if may_raise {
                let limited = self.is_cwnd_limited();
                let info = self.info(now);
                self.cc
                    .cong_avoid(&mut self.win, acked_sacked, limited, info);
            }
        }
    }
}
