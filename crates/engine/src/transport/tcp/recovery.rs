//! The congestion states (Open, Disorder, CWR, Recovery, Loss) and loss recovery's state
//! machine, `tcp_input.c tcp_fastretrans_alert`: entering fast recovery
//! (`tcp_enter_recovery`), leaving it (`tcp_try_keep_open`, `tcp_try_to_open`), the RFC 6675
//! scoreboard when RACK is off (`tcp_mark_head_lost`), the loss detection each ACK runs
//! (`tcp_identify_packet_loss`), the ACKs after a timeout with F-RTO (RFC 5682,
//! `tcp_process_loss`) and entering Loss on an RTO (`tcp_enter_loss`,
//! `tcp_timeout_mark_lost`). RACK itself is `rack.rs`, PRR `prr.rs`, undo `undo.rs`.

use super::connection::TcpConnection;
use super::event::{CwndCause, LossDetection, TcpEventKind};
use super::input::flag;
use crate::time::SimTime;
use crate::transport::cc::linux::CaState;

/// What to transmit because of an ACK or a timer (`tcp_xmit_recovery`'s `rexmit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rexmit {
    None,
    /// REXMIT_LOST: retransmit what is marked lost, within the window.
    Lost,
    /// REXMIT_NEW: F-RTO step 2.b, new data first.
    New,
}

impl<T: Copy> TcpConnection<T> {
    pub(super) fn in_cwnd_reduction(&self) -> bool {
        matches!(self.ca, CaState::Cwr | CaState::Recovery)
    }

    /// `tcp_current_ssthresh`.
    pub(super) fn current_ssthresh(&self) -> u64 {
        if self.in_cwnd_reduction() {
            self.win.ssthresh
        } else {
            self.win
                .ssthresh
                .max((self.win.cwnd >> 1) + (self.win.cwnd >> 2))
        }
    }

    pub(super) fn set_state(&mut self, now: SimTime, state: CaState) {
        if self.ca == state {
            return;
        }
        let was = self.ca;
        self.ca = state;
        let info = self.info(now);
        self.cc.set_state(state, info);
        match (was, state) {
            (CaState::Recovery | CaState::Loss, CaState::Open | CaState::Disorder) => {
                self.event(now, TcpEventKind::RecoveryEnd);
            }
            (CaState::Recovery, CaState::Loss) => self.event(now, TcpEventKind::RecoveryEnd),
            _ => {}
        }
    }

    /// `tcp_try_keep_open`.
    pub(super) fn try_keep_open(&mut self, now: SimTime) {
        let state = if self.sacked_out + self.lost_out > 0 || self.any_retrans_done() {
            CaState::Disorder
        } else {
            CaState::Open
        };
        if self.ca != state {
            self.set_state(now, state);
            self.high_seq = self.snd_nxt;
        }
    }

    /// `tcp_try_to_open`.
    fn try_to_open(&mut self, now: SimTime) {
        if !self.any_retrans_done() {
            self.retrans_stamp = None;
        }
        if self.ca != CaState::Cwr {
            self.try_keep_open(now);
        }
    }

    /// `tcp_enter_recovery`.
    pub(super) fn enter_recovery(&mut self, now: SimTime) {
        if !self.any_retrans_done() {
            self.retrans_stamp = None;
        }
        self.prior_ssthresh = 0;
        self.init_undo();
        if !self.in_cwnd_reduction() {
            self.prior_ssthresh = self.current_ssthresh();
            self.init_cwnd_reduction();
        }
        self.set_state(now, CaState::Recovery);
        self.event(
            now,
            TcpEventKind::RecoveryStart {
                recovery_point: self.high_seq,
            },
        );
        self.cwnd_event(now, CwndCause::FastRecovery);
    }

    /// `tcp_mark_head_lost` (the RFC 6675 scoreboard when RACK is off): segments with more
    /// than `packets` SACKed segments above... walking from the head.
    fn mark_head_lost(&mut self, now: SimTime, packets: u64, mark_head: bool) {
        let mut cnt = 0;
        let mut marks = Vec::new();
        for (&start, s) in self.board.iter() {
            if s.end > self.snd_nxt {
                break;
            }
            if s.sacked {
                cnt += 1;
            }
            if cnt > packets {
                break;
            }
            if !s.lost {
                marks.push(start);
            }
            if mark_head {
                break;
            }
        }
        for start in marks {
            self.mark_lost(now, start, LossDetection::Sack);
        }
    }

    /// `tcp_identify_packet_loss`.
    fn identify_packet_loss(&mut self, now: SimTime, fl: &mut u32) {
        if self.board.is_empty() {
            return;
        }
        if !self.sack {
            self.newreno_mark_lost(now, *fl & flag::SND_UNA_ADVANCED != 0);
        } else if self.cfg.rack {
            let prior_retrans = self.retrans_out;
            if self.rack_mark_lost(now) {
                *fl &= !flag::SET_XMIT_TIMER;
            }
            if prior_retrans > self.retrans_out {
                *fl |= flag::LOST_RETRANS;
            }
        }
    }

    /// `tcp_time_to_recover`.
    fn time_to_recover(&self) -> bool {
        if self.lost_out > 0 {
            return true;
        }
        !self.cfg.rack && self.sack && self.sacked_out + 1 > self.reordering
    }

    /// `tcp_force_fast_retransmit`.
    fn force_fast_retransmit(&self) -> bool {
        self.highest_sack()
            .is_some_and(|h| h > self.snd_una + self.reordering * self.mss())
    }

    /// `tcp_process_loss`: an ACK after a timeout (F-RTO, RFC 5682 §3.1, SACK variant).
    fn process_loss(&mut self, now: SimTime, fl: u32, num_dupack: u64, rexmit: &mut Rexmit) {
        let recovered = self.snd_una >= self.high_seq;
        if fl & flag::SND_UNA_ADVANCED != 0 && self.try_undo_loss(now, false) {
            return;
        }
        if self.frto {
            // "Step 3.b. A timeout is spurious if not all data are lost, i.e.,
            // never-retransmitted data are (s)acked."
            if fl & flag::ORIG_SACK_ACKED != 0 && self.try_undo_loss(now, true) {
                return;
            }
            if self.snd_nxt > self.high_seq {
                if fl & flag::DATA_SACKED != 0 || num_dupack > 0 {
                    // "Step 3.a. loss was real"
                    self.frto = false;
                }
            } else if fl & flag::SND_UNA_ADVANCED != 0 && !recovered {
                self.high_seq = self.snd_nxt;
                // "Step 2.b. Try send new data"
                if self.written > self.snd_nxt && self.snd_una + self.snd_wnd > self.snd_nxt {
                    *rexmit = Rexmit::New;
                    return;
                }
                self.frto = false;
            }
        }
        if recovered {
            // "F-RTO RFC5682 sec 3.1 step 2.a and 1st part of step 3.a"
            self.try_undo_recovery(now);
            return;
        }
        if !self.sack {
            if self.snd_nxt > self.high_seq && num_dupack > 0 {
                self.add_reno_sack(num_dupack);
            } else if fl & flag::SND_UNA_ADVANCED != 0 {
                self.sacked_out = 0;
            }
        }
        *rexmit = Rexmit::Lost;
    }

    /// `tcp_fastretrans_alert`: the state machine of loss recovery.
    pub(super) fn fastretrans_alert(
        &mut self,
        now: SimTime,
        prior_snd_una: u64,
        num_dupack: u64,
        fl: &mut u32,
        rexmit: &mut Rexmit,
    ) {
        let do_lost =
            num_dupack > 0 || (*fl & flag::DATA_SACKED != 0 && self.force_fast_retransmit());
        let mut fast_rexmit = false;
        if self.board.is_empty() && self.sacked_out > 0 {
            self.sacked_out = 0;
        }
        // D. Check state exit conditions.
        if self.ca == CaState::Open {
            self.retrans_stamp = None;
        } else if self.snd_una >= self.high_seq {
            match self.ca {
                CaState::Cwr if self.snd_una != self.high_seq => {
                    self.end_cwnd_reduction();
                    self.set_state(now, CaState::Open);
                }
                CaState::Recovery => {
                    if !self.sack {
                        self.sacked_out = 0;
                    }
                    if self.try_undo_recovery(now) {
                        return;
                    }
                    self.end_cwnd_reduction();
                }
                _ => {}
            }
        }
        // E. Process state.
        match self.ca {
            CaState::Recovery => {
                if *fl & flag::SND_UNA_ADVANCED == 0 {
                    if !self.sack {
                        self.add_reno_sack(num_dupack);
                    }
                } else if self.try_undo_partial(now, prior_snd_una) {
                    return;
                }
                if self.try_undo_dsack(now) {
                    self.try_to_open(now);
                }
                self.identify_packet_loss(now, fl);
                if self.ca != CaState::Recovery {
                    if !self.time_to_recover() {
                        return;
                    }
                    self.enter_recovery(now);
                }
            }
            CaState::Loss => {
                self.process_loss(now, *fl, num_dupack, rexmit);
                self.identify_packet_loss(now, fl);
                if !(self.ca == CaState::Open || *fl & flag::LOST_RETRANS != 0) {
                    return;
                }
                self.default_state(now, num_dupack, fl, &mut fast_rexmit);
                if self.ca != CaState::Recovery {
                    return;
                }
            }
            _ => {
                self.default_state(now, num_dupack, fl, &mut fast_rexmit);
                if self.ca != CaState::Recovery {
                    return;
                }
            }
        }
        if (!self.cfg.rack && self.sack) && do_lost {
            // tcp_update_scoreboard.
            let upto = self.sacked_out as i64 - self.reordering as i64;
            if upto >= 0 {
                self.mark_head_lost(now, upto as u64, false);
            } else if fast_rexmit {
                self.mark_head_lost(now, 1, true);
            }
        }
        *rexmit = Rexmit::Lost;
    }

    /// The `default:` arm of `tcp_fastretrans_alert` (Open, Disorder, CWR, and Loss once the
    /// window was undone or a retransmission was lost).
    fn default_state(&mut self, now: SimTime, num_dupack: u64, fl: &mut u32, fast: &mut bool) {
        if !self.sack {
            if *fl & flag::SND_UNA_ADVANCED != 0 {
                self.sacked_out = 0;
            }
            self.add_reno_sack(num_dupack);
        }
        if matches!(self.ca, CaState::Open | CaState::Disorder) {
            self.try_undo_dsack(now);
        }
        self.identify_packet_loss(now, fl);
        if !self.time_to_recover() {
            self.try_to_open(now);
            return;
        }
        self.enter_recovery(now);
        *fast = true;
    }

    /// `tcp_enter_loss` (with `tcp_timeout_mark_lost`).
    pub(super) fn enter_loss(&mut self, now: SimTime) {
        let new_recovery = matches!(self.ca, CaState::Open | CaState::Disorder | CaState::Cwr);
        if !self.sack {
            // tcp_timeout_mark_lost: tcp_reset_reno_sack.
            self.sacked_out = 0;
        }
        // tcp_timeout_mark_lost: everything not SACKed is lost, except (RACK) segments
        // sent less than RACK.rtt ago, other than the head.
        let head = self.board.keys().next().copied();
        let rack_rtt = self.rack.rtt;
        let marks: Vec<u64> = self
            .board
            .iter()
            .filter(|(&start, s)| {
                // Not SACKed, and not (RACK) sent less than RACK.rtt ago unless the head.
                let recent =
                    self.cfg.rack && Some(start) != head && now.saturating_since(s.xmit) < rack_rtt;
                !(s.sacked || recent)
            })
            .map(|(&k, _)| k)
            .collect();
        for start in marks {
            self.mark_lost(now, start, LossDetection::Rto);
        }
        // "Reduce ssthresh if it has not yet been made inside this window."
        if matches!(self.ca, CaState::Open | CaState::Disorder)
            || self.high_seq <= self.snd_una
            || (self.ca == CaState::Loss && self.retransmits == 0)
        {
            self.prior_ssthresh = self.current_ssthresh();
            self.prior_cwnd = self.win.cwnd;
            let w = self.win;
            self.win.ssthresh = self.cc.ssthresh(&w);
            self.init_undo();
        }
        self.win.cwnd = self.packets_in_flight() + 1;
        self.win.cwnd_cnt = 0;
        self.set_state(now, CaState::Loss);
        self.high_seq = self.snd_nxt;
        self.tlp_high_seq = None;
        self.frto = self.cfg.frto && self.sack && (new_recovery || self.retransmits > 0);
        self.rexmit = Rexmit::None;
    }
}
