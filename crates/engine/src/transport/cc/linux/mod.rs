//! TCP congestion control as the Linux kernel runs it: the `tcp_congestion_ops` of
//! `net/ipv4/tcp_cubic.c` (CUBIC with HyStart, the kernel's default) and of
//! `net/ipv4/tcp_cong.c` (Reno), counted in packets as the kernel counts `snd_cwnd`.
//!
//! This file holds what the modules share: the window (`struct tcp_sock`'s part), the
//! `tcp_congestion_ops` trait ([`CongestionOps`]) and the jiffies clock. The modules are in
//! `cubic.rs` ([`LinuxCubic`]), `reno.rs` ([`LinuxReno`]) and `hystart.rs` ([`HyStart`]).
//!
//! This is the TCP side of congestion control. The byte-counting [`super::Controller`]
//! (RFC 9002 / RFC 9438 as written) stays what QUIC uses; TCP's sender owns its window the
//! way `struct tcp_sock` does (`snd_cwnd`, `snd_ssthresh`, `snd_cwnd_cnt`) because the
//! kernel's loss recovery sets it directly — PRR (`tcp_cwnd_reduction`), `tcp_enter_loss`
//! (`cwnd = in_flight + 1`), undo (`tcp_undo_cwnd_reduction`) — and only asks the
//! congestion module for the increase (`cong_avoid`), the new threshold (`ssthresh`), the
//! RTT samples (`pkts_acked`) and the state changes (`set_state`, `cwnd_event`).
//!
//! Everything is integers. Linux computes CUBIC's time in jiffies; [`LINUX_HZ`] is the
//! rig's kernel configuration (`CONFIG_HZ=250`), so `bictcp_update`'s once-per-jiffy and
//! `HZ/32` gates and its time base follow that clock. The one deliberate difference:
//! Linux's `cubic_root` is a table lookup plus one Newton step (documented error 0.195 %);
//! here the cube root is exact (`cc::cubic::icbrt`, an integer cube root).

mod cubic;
mod hystart;
mod reno;
#[cfg(test)]
mod tests;

pub use cubic::{LinuxCubic, CUBIC_BETA, CUBIC_BETA_SCALE};
pub use hystart::{
    HyStart, HyStartExit, HYSTART_ACK_DELTA_US, HYSTART_DELAY_MAX_US, HYSTART_DELAY_MIN_US,
    HYSTART_LOW_WINDOW, HYSTART_MIN_SAMPLES,
};
pub use reno::LinuxReno;

use crate::time::{SimDuration, SimTime};

/// `CONFIG_HZ` of the rig's kernel (`/proc/config.gz`: `CONFIG_HZ_250=y`): one jiffy is
/// 4 ms.
pub const LINUX_HZ: u64 = 250;
/// Microseconds per jiffy.
pub const JIFFY_US: u64 = 1_000_000 / LINUX_HZ;

/// `include/net/tcp.h` TCP_INFINITE_SSTHRESH: no threshold yet.
pub const INFINITE_SSTHRESH: u64 = 0x7fff_ffff;

/// Jiffies at `t`: the kernel's `tcp_jiffies32` on the simulation clock.
pub fn jiffies(t: SimTime) -> u64 {
    t.as_micros() / JIFFY_US
}

/// `usecs_to_jiffies`: rounds up.
pub fn usecs_to_jiffies(us: u64) -> u64 {
    us.div_ceil(JIFFY_US)
}

/// A duration rounded up to whole jiffies, as the kernel arms its timers
/// (`inet_csk_reset_xmit_timer(..., usecs_to_jiffies(...))`).
pub fn jiffy_round(d: SimDuration) -> SimDuration {
    SimDuration::from_micros(usecs_to_jiffies(d.as_micros()) * JIFFY_US)
}

/// The part of `struct tcp_sock` the congestion module reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// `snd_cwnd`, packets.
    pub cwnd: u64,
    /// `snd_ssthresh`, packets ([`INFINITE_SSTHRESH`] before the first exit).
    pub ssthresh: u64,
    /// `snd_cwnd_cnt`: ACKed packets towards the next linear increase.
    pub cwnd_cnt: u64,
    /// `snd_cwnd_clamp`.
    pub clamp: u64,
}

impl Window {
    pub fn new(initial: u64) -> Window {
        Window {
            cwnd: initial,
            ssthresh: INFINITE_SSTHRESH,
            cwnd_cnt: 0,
            clamp: u64::from(u32::MAX),
        }
    }

    /// `tcp_in_slow_start`.
    pub fn in_slow_start(&self) -> bool {
        self.cwnd < self.ssthresh
    }

    /// `tcp_cong.c tcp_slow_start`: grow by the ACKed packets up to ssthresh; returns the
    /// packets left over for congestion avoidance.
    pub fn slow_start(&mut self, acked: u64) -> u64 {
        let cwnd = (self.cwnd + acked).min(self.ssthresh);
        let left = acked - (cwnd - self.cwnd);
        self.cwnd = cwnd.min(self.clamp);
        left
    }

    /// `tcp_cong.c tcp_cong_avoid_ai`: one packet per `w` ACKed packets.
    pub fn cong_avoid_ai(&mut self, w: u64, acked: u64) {
        let w = w.max(1);
        // "If credits accumulated at a higher w, apply them gently now."
        if self.cwnd_cnt >= w {
            self.cwnd_cnt = 0;
            self.cwnd += 1;
        }
        self.cwnd_cnt += acked;
        if self.cwnd_cnt >= w {
            let delta = self.cwnd_cnt / w;
            self.cwnd_cnt -= delta * w;
            self.cwnd += delta;
        }
        self.cwnd = self.cwnd.min(self.clamp);
    }
}

/// What the sender knows when it calls the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SenderInfo {
    pub now: SimTime,
    /// `snd_una` and `snd_nxt`: HyStart tells rounds apart by them.
    pub snd_una: u64,
    pub snd_nxt: u64,
    /// `srtt_us >> 3`, zero before the first sample.
    pub srtt: SimDuration,
    /// `mss_cache`, bytes (for `hystart_ack_delay`'s pacing rate).
    pub mss: u64,
    /// `packets_out`.
    pub packets_out: u64,
}

/// `enum tcp_ca_state` transitions the module hears about (`set_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaState {
    Open,
    Disorder,
    Cwr,
    Recovery,
    Loss,
}

/// `struct tcp_congestion_ops`, the parts this sender uses.
pub trait CongestionOps: core::fmt::Debug {
    fn name(&self) -> &'static str;
    /// `.ssthresh`: the threshold after a loss (called when recovery or loss begins).
    fn ssthresh(&mut self, w: &Window) -> u64;
    /// `.cong_avoid`: `acked` packets were newly delivered and the window may grow
    /// (`tcp_may_raise_cwnd`); `cwnd_limited` is `tcp_is_cwnd_limited`.
    fn cong_avoid(&mut self, w: &mut Window, acked: u64, cwnd_limited: bool, info: SenderInfo);
    /// `.pkts_acked`: an ACK with an RTT sample of the last (S)ACKed packet
    /// (`rs->rtt_us`), if it had one.
    fn pkts_acked(&mut self, _w: &mut Window, _rtt: Option<SimDuration>, _info: SenderInfo) {}
    /// `.set_state`.
    fn set_state(&mut self, _state: CaState, _info: SenderInfo) {}
    /// `.cwnd_event(CA_EVENT_TX_START)`: data is sent with nothing in flight after
    /// `idle` without sending.
    fn tx_start(&mut self, _idle: SimDuration, _now: SimTime) {}
    /// `.undo_cwnd` (`tcp_reno_undo_cwnd` for both): the window to restore.
    fn undo_cwnd(&self, w: &Window, prior_cwnd: u64) -> u64 {
        w.cwnd.max(prior_cwnd)
    }
    /// Whether slow start has been ended by HyStart (for the trace).
    fn hystart_found(&self) -> bool {
        false
    }
    /// How HyStart ended slow start, if it did.
    fn hystart_exit(&self) -> Option<HyStartExit> {
        None
    }
}
