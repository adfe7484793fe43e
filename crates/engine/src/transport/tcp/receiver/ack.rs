//! When the receiver acknowledges, as Linux's `tcp_input.c` decides: quick ACKs and the
//! ping-pong mode (`tcp_incr_quickack`, `tcp_enter_quickack_mode`, `tcp_event_data_recv`
//! with its `ato` estimate and `tcp_measure_rcv_mss`), the delayed ACK
//! (`__tcp_ack_snd_check`, `tcp_send_delayed_ack`, `tcp_delack_timer_handler`), SACK
//! compression (`tcp_compressed_ack_kick`), the read-side ACK of `tcp_cleanup_rbuf`, and
//! what sending an ACK or data resets (`tcp_event_ack_sent`, `tcp_event_data_sent`).

use super::{Receiver, GROW_MIN_LEN, MIN_MSS, MSS_DEFAULT};
use crate::time::{SimDuration, SimTime};

/// Linux TCP_ATO_MIN (HZ/25): the delayed-ACK timeout starts, and is floored, at 40 ms.
pub const ATO_MIN: SimDuration = SimDuration::from_millis(40);
/// Linux TCP_DELACK_MAX (HZ/5): 200 ms, the delayed-ACK cap in ping-pong mode
/// (`icsk_delack_max`).
pub const DELACK_MAX: SimDuration = SimDuration::from_millis(200);
/// Linux `tcp_send_delayed_ack`: `max_ato = HZ / 2` outside ping-pong mode.
const DELACK_MAX_BULK: SimDuration = SimDuration::from_millis(500);
/// Linux TCP_MAX_QUICKACKS: at most 16 quick ACKs.
pub const MAX_QUICKACKS: u32 = 16;
/// Linux TCP_FASTRETRANS_THRESH: the first three duplicate ACKs for one `rcv_nxt` go out at
/// once, later ones are compressed (`__tcp_ack_snd_check`).
const FASTRETRANS_THRESH: u32 = 3;
/// `sysctl_tcp_comp_sack_nr` default: at most 44 ACKs compressed into one.
const COMP_SACK_NR: u32 = 44;
/// `sysctl_tcp_comp_sack_delay_ns` default: 1 ms.
const COMP_SACK_DELAY: SimDuration = SimDuration::from_millis(1);
/// Linux `tcp_measure_rcv_mss`: ICSK_ACK_PUSHED, ICSK_ACK_PUSHED2.
const PUSHED: u8 = 1;
const PUSHED2: u8 = 2;

impl<T: Copy> Receiver<T> {
    /// `tcp_incr_quickack`.
    fn incr_quickack(&mut self, max: u32) {
        let mut quickacks = u32::try_from(self.rcv_wnd / (2 * self.rcv_mss.max(1))).unwrap_or(max);
        if quickacks == 0 {
            quickacks = 2;
        }
        quickacks = quickacks.min(max);
        if quickacks > self.quick {
            self.quick = quickacks;
        }
    }

    /// `tcp_enter_quickack_mode`.
    pub(super) fn enter_quickack_mode(&mut self, max: u32) {
        self.incr_quickack(max);
        self.pingpong = 0;
        self.ato = Some(ATO_MIN);
    }

    /// `tcp_in_quickack_mode`.
    fn in_quickack_mode(&self) -> bool {
        self.cfg.delack == SimDuration::ZERO || (self.quick > 0 && self.pingpong == 0)
    }

    /// `tcp_measure_rcv_mss`.
    fn measure_rcv_mss(&mut self, len: u64, psh: bool) {
        let lss = self.last_seg_size;
        self.last_seg_size = 0;
        if len >= self.rcv_mss {
            self.rcv_mss = len.min(self.cfg.advmss);
            if psh {
                self.pushed |= PUSHED;
            }
        } else {
            // "len" is invariant segment length, including TCP header (and timestamps).
            let header = 20 + if self.cfg.timestamps { 12 } else { 0 };
            let with_header = len + header;
            if with_header >= MSS_DEFAULT + 20 || (with_header >= MIN_MSS + 20 && !psh) {
                self.last_seg_size = len;
                if len == lss {
                    self.rcv_mss = len;
                    return;
                }
            }
            if self.pushed & PUSHED != 0 {
                self.pushed |= PUSHED2;
            }
            self.pushed |= PUSHED;
        }
    }

    /// `tcp_event_data_recv`: an in-order data segment was queued.
    pub(super) fn event_data_recv(&mut self, now: SimTime, len: u64, psh: bool, rto: SimDuration) {
        self.ack_scheduled = true;
        self.measure_rcv_mss(len, psh);
        self.rcv_rtt_measure(now);
        match self.ato {
            None => {
                // "The _first_ data packet received, initialize delayed ACK engine."
                self.incr_quickack(MAX_QUICKACKS);
                self.ato = Some(ATO_MIN);
            }
            Some(ato) => {
                let m = self
                    .lrcvtime
                    .map_or(SimDuration::ZERO, |t| now.saturating_since(t));
                if m.as_micros() <= ATO_MIN.as_micros() / 2 {
                    // "The fastest case is the first."
                    self.ato = Some(SimDuration::from_micros(
                        ato.as_micros() / 2 + ATO_MIN.as_micros() / 2,
                    ));
                } else if m < ato {
                    let a = SimDuration::from_micros(ato.as_micros() / 2 + m.as_micros());
                    self.ato = Some(a.min(rto));
                } else if m > rto {
                    // "Too long gap. Apparently sender failed to restart window, so that
                    // we send ACKs quickly."
                    self.incr_quickack(MAX_QUICKACKS);
                }
            }
        }
        self.lrcvtime = Some(now);
        if len >= GROW_MIN_LEN {
            self.grow_window(len);
        }
    }

    /// `__tcp_ack_snd_check(sk, ofo_possible = 1)`.
    pub(super) fn ack_snd_check(&mut self, now: SimTime, srtt: Option<SimDuration>) {
        let more_than_one_frame = self.rcv_nxt - self.rcv_wup > self.rcv_mss;
        if (more_than_one_frame && self.select_window() >= self.rcv_wnd)
            || self.in_quickack_mode()
            || self.ack_now
        {
            self.ack_now = true;
            return;
        }
        if self.ooo.is_empty() {
            self.send_delayed_ack(now, srtt);
            return;
        }
        if self.compressed_ack >= COMP_SACK_NR {
            self.ack_now = true;
            return;
        }
        if self.compressed_rcv_nxt != self.rcv_nxt {
            self.compressed_rcv_nxt = self.rcv_nxt;
            self.dup_ack_counter = 0;
        }
        if self.dup_ack_counter < FASTRETRANS_THRESH {
            self.dup_ack_counter += 1;
            self.ack_now = true;
            return;
        }
        self.compressed_ack += 1;
        if self.comp_at.is_some() {
            return;
        }
        // "compress ack timer : 5 % of rtt, but no more than tcp_comp_sack_delay_ns"
        let mut rtt = self.rcv_rtt8 >> 3;
        if let Some(s) = srtt {
            if s.as_micros() < rtt {
                rtt = s.as_micros();
            }
        }
        let delay = COMP_SACK_DELAY.min(SimDuration::from_micros(rtt / 20));
        self.comp_at = Some(now + delay);
    }

    /// `tcp_send_delayed_ack`.
    fn send_delayed_ack(&mut self, now: SimTime, srtt: Option<SimDuration>) {
        let mut ato = self.ato.unwrap_or(ATO_MIN);
        if ato > ATO_MIN {
            let mut max_ato = DELACK_MAX_BULK;
            if self.pingpong > 0 || self.pushed & PUSHED != 0 {
                max_ato = DELACK_MAX;
            }
            if let Some(s) = srtt {
                max_ato = max_ato.min(s.max(ATO_MIN));
            }
            ato = ato.min(max_ato);
        }
        ato = ato.min(DELACK_MAX);
        let mut timeout = now + ato;
        if let Some(pending) = self.delack_at {
            // "If delack timer is about to expire, send ACK now."
            if pending <= now + SimDuration::from_micros(ato.as_micros() / 4) {
                self.ack_now = true;
                return;
            }
            timeout = timeout.min(pending);
        }
        self.delack_at = Some(timeout);
    }

    /// `tcp_cleanup_rbuf` after the application read `copied` bytes.
    pub(super) fn cleanup_rbuf(&mut self, copied: u64) {
        let mut time_to_ack = false;
        if self.ack_scheduled {
            let rmem_empty = self.ooo.is_empty();
            if self.rcv_nxt - self.rcv_wup > self.rcv_mss
                || (copied > 0
                    && (self.pushed & PUSHED2 != 0
                        || (self.pushed & PUSHED != 0 && self.pingpong == 0))
                    && rmem_empty)
            {
                time_to_ack = true;
            }
        }
        if copied > 0 && !time_to_ack {
            let now_window = self.receive_window();
            if 2 * now_window <= self.window_clamp {
                let new_window = self.select_window();
                if new_window > 0 && new_window >= 2 * now_window {
                    time_to_ack = true;
                }
            }
        }
        if time_to_ack {
            self.ack_now = true;
        }
    }

    /// A segment carrying an ACK was just sent (`tcp_event_ack_sent`): the compressed and
    /// delayed ACKs are cancelled, one quick ACK is used up (`tcp_dec_quickack_mode`), the
    /// DSACK has been reported.
    pub fn on_ack_sent(&mut self) {
        self.compressed_ack = 0;
        self.comp_at = None;
        if self.quick > 0 {
            let pkts = u32::from(self.ack_scheduled);
            if pkts >= self.quick {
                self.quick = 0;
                // "Leaving quickack mode we deflate ATO."
                self.ato = Some(ATO_MIN);
            } else {
                self.quick -= pkts;
            }
        }
        // inet_csk_clear_xmit_timer(ICSK_TIME_DACK): icsk_ack.pending = 0.
        self.ack_scheduled = false;
        self.pushed = 0;
        self.ack_now = false;
        self.delack_at = None;
        self.dsack = None;
    }

    /// This end sent data (`tcp_event_data_sent`): a reply within `ato` of the last data
    /// received counts towards ping-pong (interactive) mode, which stops the quick ACKs
    /// (`sysctl_tcp_pingpong_thresh` = 1: one reply is enough).
    pub fn on_data_sent(&mut self, now: SimTime) {
        if let (Some(t), Some(ato)) = (self.lrcvtime, self.ato) {
            if now.saturating_since(t) < ato {
                self.pingpong = self.pingpong.saturating_add(1);
            }
        }
    }

    /// The delayed-ACK timer (`tcp_delack_timer_handler`) or the SACK compression timer
    /// (`tcp_compressed_ack_kick`).
    pub fn on_timeout(&mut self, now: SimTime, rto: SimDuration) {
        if self.delack_at.is_some_and(|t| t <= now) {
            self.delack_at = None;
            if self.ack_scheduled {
                if self.pingpong == 0 {
                    // "Delayed ACK missed: inflate ATO."
                    self.ato = Some((self.ato.unwrap_or(ATO_MIN) * 2).min(rto));
                } else {
                    // "Delayed ACK missed: leave pingpong mode and deflate ATO."
                    self.pingpong = 0;
                    self.ato = Some(ATO_MIN);
                }
                self.ack_now = true;
            }
        }
        if self.comp_at.is_some_and(|t| t <= now) {
            self.comp_at = None;
            if self.compressed_ack > 0 {
                self.compressed_ack -= 1;
                self.ack_now = true;
            }
        }
    }
}
