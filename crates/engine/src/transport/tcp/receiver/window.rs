//! The window the receiver advertises, as Linux computes it: `tcp_select_initial_window`
//! and `tcp_init_buffer_space` at the handshake, `__tcp_select_window` / `tcp_select_window`
//! on every ACK, `tcp_grow_window` (`rcv_ssthresh`), and receive-buffer autotuning
//! (`tcp_rcv_space_adjust` / `tcp_rcvbuf_grow`) with the receiver's RTT it needs
//! (`tcp_rcv_rtt_measure_ts`, `tcp_rcv_rtt_measure`); and the timestamps to echo
//! (`tcp_replace_ts_recent`).

use super::{Receiver, MIN_MSS, MSS_DEFAULT};
use crate::time::SimTime;

/// `sysctl_tcp_app_win` default 31, `tcp_init_buffer_space`: reserves nothing at this scale.
/// Linux TCP_INIT_CWND: the autotuning's first estimate is ten segments.
const INIT_SPACE_SEGMENTS: u64 = 10;
/// Linux TCP_MAX_WSCALE.
const MAX_WSCALE: u32 = 14;

/// `tcp_win_from_space` at the default scaling ratio of one half, and its inverse.
fn win_from_space(space: u64) -> u64 {
    space / 2
}
fn space_from_win(win: u64) -> u64 {
    win * 2
}

impl<T: Copy> Receiver<T> {
    /// `tcp_select_initial_window` when the SYN (client) or SYN-ACK (server) is built: the
    /// full space of `tcp_rmem[1]` rounded down to a multiple of `mss` (the advertised MSS,
    /// less the timestamps option when answering a SYN that carried them:
    /// `tcp_openreq_init_rwin`), and the window scale that covers `tcp_rmem[2]`. Returns the
    /// window the SYN carries (unscaled, RFC 7323 §2.2).
    pub fn init_window(&mut self, mss: u64) -> u64 {
        let window_clamp = 65_535u64 << MAX_WSCALE;
        let mut space = win_from_space(self.rcvbuf).min(window_clamp);
        if space > mss {
            space -= space % mss;
        }
        self.rcv_wnd = space;
        self.rcv_ssthresh = space;
        let scale_space = space.max(self.cfg.rmem_max).min(window_clamp);
        self.wscale = (scale_space.ilog2().saturating_sub(15)).min(MAX_WSCALE);
        self.window_clamp = window_clamp.min(65_535u64 << self.wscale);
        self.rcv_wnd
    }

    /// `tcp_init_buffer_space` and `tcp_initialize_rcv_mss`, when the connection is
    /// established.
    pub fn on_established(&mut self, now: SimTime) {
        let maxwin = win_from_space(self.rcvbuf);
        self.window_clamp = self.window_clamp.min(maxwin);
        self.rcv_ssthresh = self.rcv_ssthresh.min(self.window_clamp);
        self.space = self
            .rcv_ssthresh
            .min(self.rcv_wnd)
            .min(INIT_SPACE_SEGMENTS * self.cfg.advmss);
        self.space_seq = self.rcv_nxt;
        self.space_time = now;
        self.rcv_mss = self
            .cfg
            .advmss
            .min(self.rcv_wnd / 2)
            .clamp(MIN_MSS, MSS_DEFAULT);
    }

    /// `tcp_space`: the window the free receive memory allows.
    fn tcp_space(&self) -> u64 {
        win_from_space(self.rcvbuf.saturating_sub(space_from_win(self.ooo_bytes)))
    }

    /// `tcp_receive_window`: what is left of the window last advertised.
    pub(super) fn receive_window(&self) -> u64 {
        (self.rcv_wup + self.rcv_wnd).saturating_sub(self.rcv_nxt)
    }

    /// `__tcp_select_window`: the window the receiver would offer now.
    pub(super) fn select_window(&mut self) -> u64 {
        let mut mss = self.rcv_mss;
        let mut free_space = self.tcp_space();
        let allowed_space = win_from_space(self.rcvbuf);
        let full_space = self.window_clamp.min(allowed_space);
        if mss > full_space {
            mss = full_space;
            if mss == 0 {
                return 0;
            }
        }
        if free_space < full_space / 2 {
            self.quick = 0;
            free_space -= free_space % (1 << self.wscale);
            if free_space < allowed_space / 16 || free_space < mss {
                return 0;
            }
        }
        free_space = free_space.min(self.rcv_ssthresh);
        // "Advertise enough space so that it won't get scaled away."
        free_space.div_ceil(1 << self.wscale) << self.wscale
    }

    /// `tcp_select_window`, when a segment carrying an ACK is built: never shrink what was
    /// offered; the ACK moves `rcv_wup`.
    pub fn window_for_ack(&mut self) -> u64 {
        let cur = self.receive_window();
        let mut new = self.select_window();
        if new < cur {
            new = cur.div_ceil(1 << self.wscale) << self.wscale;
        }
        self.rcv_wnd = new;
        self.rcv_wup = self.rcv_nxt;
        new
    }

    /// The timestamps option of a segment sent now: TSval on the millisecond clock, and the
    /// TSecr to echo.
    pub fn ts_ecr(&self) -> u32 {
        self.ts_recent.unwrap_or(0)
    }

    /// A segment from the peer carried timestamps: `tcp_replace_ts_recent` (RFC 7323 §4.3:
    /// the TSval of the segment that starts at or before the last ACK's edge) and, for data
    /// of a full segment, `tcp_rcv_rtt_measure_ts` (the receiver's RTT: from the ACK whose
    /// TSval is echoed to the data it released).
    pub fn on_timestamps(&mut self, now: SimTime, seq: u64, len: u64, val: u32, ecr: u32) {
        if seq <= self.rcv_wup {
            self.ts_recent = Some(val);
        }
        if ecr == 0 || self.rcv_rtt_last_tsecr == Some(ecr) {
            return;
        }
        self.rcv_rtt_last_tsecr = Some(ecr);
        if len >= self.rcv_mss {
            // tcp_rtt_tsopt_us: whole milliseconds, at least one.
            let now_ms = now.as_micros() / 1_000;
            let delta = now_ms.saturating_sub(u64::from(ecr)).max(1) * 1_000;
            self.rcv_rtt_update(delta, false);
        }
    }

    /// `tcp_rcv_rtt_update`: keep the minimum, or (timestamps) an EWMA of gain 1/8.
    fn rcv_rtt_update(&mut self, sample_us: u64, win_dep: bool) {
        let m = sample_us << 3;
        let old = self.rcv_rtt8;
        if old == 0 || m < old {
            self.rcv_rtt8 = m;
        } else if !win_dep {
            self.rcv_rtt8 = old - (old >> 3) + sample_us;
        }
    }

    /// `tcp_rcv_rtt_measure`: without timestamps, the time to receive one window.
    pub(super) fn rcv_rtt_measure(&mut self, now: SimTime) {
        if let Some(t) = self.rcv_rtt_time {
            if self.rcv_nxt < self.rcv_rtt_seq {
                return;
            }
            let delta = now.saturating_since(t).as_micros().max(1);
            self.rcv_rtt_update(delta, true);
        }
        self.rcv_rtt_seq = self.rcv_nxt + self.rcv_wnd;
        self.rcv_rtt_time = Some(now);
    }

    /// `tcp_grow_window`: raise `rcv_ssthresh` by two segments (or twice this one) while
    /// the clamp and the free memory allow; every raise asks for a quick ACK.
    pub(super) fn grow_window(&mut self, len: u64) {
        let room = self.window_clamp.min(self.tcp_space()) as i64 - self.rcv_ssthresh as i64;
        if room <= 0 {
            return;
        }
        // The truesize check passes at the default scaling ratio (an skb of one segment
        // holds at least twice its payload in memory).
        let incr = (2 * self.cfg.advmss).max(2 * len);
        self.rcv_ssthresh += (room as u64).min(incr);
        self.quick |= 1;
    }

    /// `tcp_rcv_space_adjust` and `tcp_rcvbuf_grow` (Linux 6.18): once per receiver RTT,
    /// if the application read more than in the last one, size the buffer for twice that,
    /// plus twice the growth (the sender may be in slow start), capped at `tcp_rmem[2]`.
    pub(super) fn rcv_space_adjust(&mut self, now: SimTime) {
        if self.rcv_rtt8 == 0 {
            return;
        }
        let time = now.saturating_since(self.space_time).as_micros();
        if time < self.rcv_rtt8 >> 3 {
            return;
        }
        let copied = self.rcv_nxt - self.space_seq;
        if copied > self.space {
            let old = self.space.max(1);
            self.space = copied;
            // "DRS is always one RTT late."
            let mut rcvwin = copied << 1;
            // "slow start: allow the sender to double its rate."
            let grow = rcvwin * (copied - old) / old;
            rcvwin += grow << 1;
            if let Some((_, held)) = self.ooo.last_key_value() {
                rcvwin += held.end - self.rcv_nxt;
            }
            let rcvbuf = space_from_win(rcvwin).min(self.cfg.rmem_max);
            if rcvbuf > self.rcvbuf {
                self.rcvbuf = rcvbuf;
                // "Make the window clamp follow along."
                self.window_clamp = win_from_space(rcvbuf);
            }
        }
        self.space_seq = self.rcv_nxt;
        self.space_time = now;
    }
}
