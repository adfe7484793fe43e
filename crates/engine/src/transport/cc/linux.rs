//! TCP congestion control as the Linux kernel runs it: the `tcp_congestion_ops` of
//! `net/ipv4/tcp_cubic.c` (CUBIC with HyStart, the kernel's default) and of
//! `net/ipv4/tcp_cong.c` (Reno), counted in packets as the kernel counts `snd_cwnd`.
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
//! here the cube root is exact ([`super::cubic::icbrt`]).

use crate::time::{SimDuration, SimTime};

/// `CONFIG_HZ` of the rig's kernel (`/proc/config.gz`: `CONFIG_HZ_250=y`): one jiffy is
/// 4 ms.
pub const LINUX_HZ: u64 = 250;
/// Microseconds per jiffy.
pub const JIFFY_US: u64 = 1_000_000 / LINUX_HZ;

/// `include/net/tcp.h` TCP_INFINITE_SSTHRESH: no threshold yet.
pub const INFINITE_SSTHRESH: u64 = 0x7fff_ffff;

/// `tcp_cubic.c` BICTCP_BETA_SCALE and `beta = 717`: the multiplicative decrease is
/// 717/1024 (≈ 0.7002, RFC 9438 §4.6's β_cubic as the kernel rounds it).
pub const CUBIC_BETA: u64 = 717;
pub const CUBIC_BETA_SCALE: u64 = 1024;
/// `tcp_cubic.c` `bic_scale = 41`: C = 41/1024·10 ≈ 0.4 (RFC 9438 §5); `cube_rtt_scale =
/// bic_scale * 10`.
const CUBE_RTT_SCALE: u64 = 41 * 10;
/// `tcp_cubic.c` BICTCP_HZ: CUBIC's time unit is 1/1024 s.
const BICTCP_HZ: u32 = 10;
/// `tcp_cubic.c` `cube_factor = 1ull << (10+3*BICTCP_HZ); do_div(cube_factor, bic_scale * 10)`.
const CUBE_FACTOR: u64 = (1u64 << (10 + 3 * BICTCP_HZ)) / CUBE_RTT_SCALE;
/// `tcp_cubic.c` `beta_scale = 8*(BICTCP_BETA_SCALE+beta) / 3 / (BICTCP_BETA_SCALE - beta)`:
/// the Reno-friendly estimate grows one packet per `cwnd * beta_scale / 8` ACKed packets.
const BETA_SCALE: u64 = 8 * (CUBIC_BETA_SCALE + CUBIC_BETA) / 3 / (CUBIC_BETA_SCALE - CUBIC_BETA);

/// `tcp_cubic.c` `hystart_low_window = 16`: HyStart only acts from 16 packets on.
pub const HYSTART_LOW_WINDOW: u64 = 16;
/// `tcp_cubic.c` HYSTART_MIN_SAMPLES: the first 8 RTT samples of a round give its minimum.
pub const HYSTART_MIN_SAMPLES: u32 = 8;
/// `tcp_cubic.c` HYSTART_DELAY_MIN / HYSTART_DELAY_MAX: the delay threshold, clamped.
pub const HYSTART_DELAY_MIN_US: u64 = 4_000;
pub const HYSTART_DELAY_MAX_US: u64 = 16_000;
/// `tcp_cubic.c` `hystart_ack_delta_us = 2000`: ACKs at most 2 ms apart form a train.
pub const HYSTART_ACK_DELTA_US: u64 = 2_000;
/// `sk_gso_max_size` of the rig's sockets: the TUN's `gso_max_size` (GSO_LEGACY_MAX_SIZE,
/// 64 KiB; `sk_setup_caps` turns software GSO on for TCP even with `ethtool -K gso off`).
const GSO_MAX_SIZE: u64 = 65_536;
/// `sysctl_tcp_pacing_ss_ratio` / `sysctl_tcp_pacing_ca_ratio` defaults (percent):
/// `tcp_update_pacing_rate` sets the (unused without fq) pacing rate that HyStart's
/// `hystart_ack_delay` reads.
const PACING_SS_RATIO: u64 = 200;
const PACING_CA_RATIO: u64 = 120;

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

/// HyStart as `tcp_cubic.c` runs it (`bictcp_hystart_reset`, `hystart_update`,
/// `cubictcp_acked`): both the ACK-train and the delay detection (`hystart_detect = 3`).
#[derive(Clone, Debug, Default)]
pub struct HyStart {
    /// `ca->found`: slow start has been ended.
    pub found: bool,
    /// `ca->round_start`, `ca->last_ack` (µs clock `tcp_mstamp`), `ca->end_seq`.
    round_start: SimTime,
    last_ack: SimTime,
    end_seq: u64,
    /// `ca->curr_rtt`: the minimum RTT of this round's first samples.
    curr_rtt: Option<SimDuration>,
    /// `ca->sample_cnt`.
    sample_cnt: u32,
    /// `ca->delay_min`.
    pub delay_min: Option<SimDuration>,
    /// How slow start ended, for the trace and the tests.
    pub exit: Option<HyStartExit>,
}

/// Which HyStart test fired (`LINUX_MIB_TCPHYSTARTTRAINDETECT` / `...DELAYDETECT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HyStartExit {
    AckTrain { cwnd: u64 },
    Delay { cwnd: u64 },
}

impl HyStart {
    /// `bictcp_hystart_reset`: a new round starts now and ends when `snd_una` passes
    /// the current `snd_nxt`.
    pub fn reset(&mut self, now: SimTime, snd_nxt: u64) {
        self.round_start = now;
        self.last_ack = now;
        self.end_seq = snd_nxt;
        self.curr_rtt = None;
        self.sample_cnt = 0;
    }

    /// `hystart_ack_delay`: `min(1 ms, 4 · sk_gso_max_size / sk_pacing_rate)`, the pacing
    /// rate being `tcp_update_pacing_rate`'s (`mss · max(cwnd, packets_out) / srtt` times
    /// 200 % in slow start, 120 % beyond half ssthresh).
    fn ack_delay(w: &Window, info: &SenderInfo) -> u64 {
        let srtt = info.srtt.as_micros();
        if srtt == 0 {
            return 0;
        }
        let ratio = if w.cwnd < w.ssthresh / 2 {
            PACING_SS_RATIO
        } else {
            PACING_CA_RATIO
        };
        // Bytes per second.
        let rate = info.mss * 1_000_000 / 100 * ratio * w.cwnd.max(info.packets_out) / srtt;
        if rate == 0 {
            return 1_000;
        }
        (GSO_MAX_SIZE * 4 * 1_000_000 / rate).min(1_000)
    }

    /// `cubictcp_acked` → `hystart_update` with this ACK's RTT sample `delay`.
    pub fn on_sample(&mut self, w: &mut Window, delay: SimDuration, info: SenderInfo) {
        let delay = delay.max(SimDuration::from_micros(1));
        // "first time call or link delay decreases"
        if self.delay_min.is_none_or(|m| m > delay) {
            self.delay_min = Some(delay);
        }
        // "hystart triggers when cwnd is larger than some threshold"
        if self.found || !w.in_slow_start() || w.cwnd < HYSTART_LOW_WINDOW {
            return;
        }
        let delay_min = self.delay_min.unwrap_or(delay).as_micros();
        if info.snd_una > self.end_seq {
            self.reset(info.now, info.snd_nxt);
        }
        // "first detection parameter - ack-train detection"
        let now = info.now;
        if now.saturating_since(self.last_ack).as_micros() <= HYSTART_ACK_DELTA_US {
            self.last_ack = now;
            // No pacing (SK_PACING_NONE, the qdisc is not fq): threshold >>= 1.
            let threshold = (delay_min + Self::ack_delay(w, &info)) >> 1;
            if now.saturating_since(self.round_start).as_micros() > threshold {
                self.found = true;
                self.exit = Some(HyStartExit::AckTrain { cwnd: w.cwnd });
                w.ssthresh = w.cwnd;
            }
        }
        // "obtain the minimum delay of more than sampling packets"
        if self.curr_rtt.is_none_or(|c| c > delay) {
            self.curr_rtt = Some(delay);
        }
        if self.sample_cnt < HYSTART_MIN_SAMPLES {
            self.sample_cnt += 1;
        } else {
            let thresh = (delay_min >> 3).clamp(HYSTART_DELAY_MIN_US, HYSTART_DELAY_MAX_US);
            if self
                .curr_rtt
                .is_some_and(|c| c.as_micros() > delay_min + thresh)
            {
                self.found = true;
                if self.exit.is_none() {
                    self.exit = Some(HyStartExit::Delay { cwnd: w.cwnd });
                }
                w.ssthresh = w.cwnd;
            }
        }
    }
}

/// `tcp_cubic.c`: `struct bictcp` and its ops, with HyStart.
#[derive(Clone, Debug)]
pub struct LinuxCubic {
    /// `ca->cnt`: ACKed packets per one-packet increase.
    cnt: u64,
    last_max_cwnd: u64,
    last_cwnd: u64,
    /// Jiffies.
    last_time: u64,
    bic_origin_point: u64,
    /// 1/1024 s.
    bic_k: u64,
    /// `ca->epoch_start`, jiffies; `None` is the kernel's 0.
    epoch_start: Option<u64>,
    ack_cnt: u64,
    tcp_cwnd: u64,
    hystart: Option<HyStart>,
    /// `ca->delay_min` when HyStart is off (Linux keeps it in `struct bictcp` either way).
    delay_min: Option<SimDuration>,
}

impl LinuxCubic {
    /// `cubictcp_init`: HyStart on unless `hystart` is false (`tcp_cubic.hystart=0`).
    pub fn new(hystart: bool) -> LinuxCubic {
        LinuxCubic {
            cnt: 0,
            last_max_cwnd: 0,
            last_cwnd: 0,
            last_time: 0,
            bic_origin_point: 0,
            bic_k: 0,
            epoch_start: None,
            ack_cnt: 0,
            tcp_cwnd: 0,
            hystart: hystart.then(HyStart::default),
            delay_min: None,
        }
    }

    pub fn hystart(&self) -> Option<&HyStart> {
        self.hystart.as_ref()
    }

    fn delay_min(&self) -> Option<SimDuration> {
        self.hystart
            .as_ref()
            .map_or(self.delay_min, |h| h.delay_min)
    }

    /// `bictcp_reset` (keeps HyStart's `delay_min`, which `bictcp_reset` zeroes too: it is
    /// rebuilt by the next sample either way).
    fn reset(&mut self) {
        let hystart = self.hystart.is_some().then(HyStart::default);
        *self = LinuxCubic {
            hystart,
            ..LinuxCubic::new(false)
        };
    }

    /// `bictcp_update`: the ACKs per packet of increase, `ca->cnt`.
    fn update(&mut self, cwnd: u64, acked: u64, now: SimTime) {
        let jiffies = jiffies(now);
        self.ack_cnt += acked;
        if self.last_cwnd == cwnd && jiffies.saturating_sub(self.last_time) <= LINUX_HZ / 32 {
            return;
        }
        // "The CUBIC function can update ca->cnt at most once per jiffy."
        if !(self.epoch_start.is_some() && jiffies == self.last_time) {
            self.last_cwnd = cwnd;
            self.last_time = jiffies;
            let epoch_start = match self.epoch_start {
                Some(e) => e,
                None => {
                    self.epoch_start = Some(jiffies);
                    self.ack_cnt = acked;
                    self.tcp_cwnd = cwnd;
                    if self.last_max_cwnd <= cwnd {
                        self.bic_k = 0;
                        self.bic_origin_point = cwnd;
                    } else {
                        // K = cbrt((W_max − cwnd) / C) in 1/1024 s.
                        self.bic_k = super::cubic::icbrt(u128::from(
                            CUBE_FACTOR * (self.last_max_cwnd - cwnd),
                        ));
                        self.bic_origin_point = self.last_max_cwnd;
                    }
                    jiffies
                }
            };
            // t = elapsed + delay_min, in 1/1024 s (RFC 9438 §4.4 evaluates at t + RTT).
            let delay = self
                .delay_min()
                .map_or(0, |d| usecs_to_jiffies(d.as_micros()));
            let t = ((jiffies - epoch_start + delay) << BICTCP_HZ) / LINUX_HZ;
            let offs = t.abs_diff(self.bic_k);
            let delta = u64::try_from(
                (u128::from(CUBE_RTT_SCALE) * u128::from(offs).pow(3)) >> (10 + 3 * BICTCP_HZ),
            )
            .unwrap_or(u64::MAX);
            let target = if t < self.bic_k {
                self.bic_origin_point.saturating_sub(delta)
            } else {
                self.bic_origin_point.saturating_add(delta)
            };
            self.cnt = if target > cwnd {
                cwnd / (target - cwnd)
            } else {
                100 * cwnd
            };
            // "The initial growth of cubic function may be too conservative when the
            // available bandwidth is still unknown": 5 % per RTT at least.
            if self.last_max_cwnd == 0 && self.cnt > 20 {
                self.cnt = 20;
            }
        }
        // TCP friendliness (RFC 9438 §4.3): the Reno estimate grows one packet per
        // cwnd·beta_scale/8 ACKed packets.
        let delta = (cwnd * BETA_SCALE) >> 3;
        if delta > 0 {
            while self.ack_cnt > delta {
                self.ack_cnt -= delta;
                self.tcp_cwnd += 1;
            }
        }
        if self.tcp_cwnd > cwnd {
            let max_cnt = cwnd / (self.tcp_cwnd - cwnd);
            self.cnt = self.cnt.min(max_cnt);
        }
        // "The maximum rate of cwnd increase CUBIC allows is 1 packet per 2 packets ACKed,
        // meaning cwnd grows at 1.5x per RTT."
        self.cnt = self.cnt.max(2);
    }

    /// CUBIC's `K` (1/1024 s) and origin point, for the tests.
    pub fn k_and_origin(&self) -> (u64, u64) {
        (self.bic_k, self.bic_origin_point)
    }
}

impl CongestionOps for LinuxCubic {
    fn name(&self) -> &'static str {
        "cubic"
    }

    /// `cubictcp_recalc_ssthresh`: W_max with fast convergence (RFC 9438 §4.7), then
    /// `max(cwnd · 717/1024, 2)`.
    fn ssthresh(&mut self, w: &Window) -> u64 {
        self.epoch_start = None;
        self.last_max_cwnd = if w.cwnd < self.last_max_cwnd {
            w.cwnd * (CUBIC_BETA_SCALE + CUBIC_BETA) / (2 * CUBIC_BETA_SCALE)
        } else {
            w.cwnd
        };
        (w.cwnd * CUBIC_BETA / CUBIC_BETA_SCALE).max(2)
    }

    /// `cubictcp_cong_avoid`.
    fn cong_avoid(&mut self, w: &mut Window, acked: u64, cwnd_limited: bool, info: SenderInfo) {
        if !cwnd_limited {
            return;
        }
        let mut acked = acked;
        if w.in_slow_start() {
            acked = w.slow_start(acked);
            if acked == 0 {
                return;
            }
        }
        self.update(w.cwnd, acked, info.now);
        w.cong_avoid_ai(self.cnt, acked);
    }

    /// `cubictcp_acked`.
    fn pkts_acked(&mut self, w: &mut Window, rtt: Option<SimDuration>, info: SenderInfo) {
        let Some(delay) = rtt else {
            return;
        };
        // "Discard delay samples right after fast recovery" (one second, HZ jiffies).
        if let Some(epoch) = self.epoch_start {
            if jiffies(info.now).saturating_sub(epoch) < LINUX_HZ {
                return;
            }
        }
        match &mut self.hystart {
            Some(h) => h.on_sample(w, delay, info),
            None => {
                let delay = delay.max(SimDuration::from_micros(1));
                if self.delay_min.is_none_or(|m| m > delay) {
                    self.delay_min = Some(delay);
                }
            }
        }
    }

    /// `cubictcp_state`: entering Loss (an RTO) forgets everything, W_max included, and
    /// restarts HyStart.
    fn set_state(&mut self, state: CaState, info: SenderInfo) {
        if state == CaState::Loss {
            self.reset();
            if let Some(h) = &mut self.hystart {
                h.reset(info.now, info.snd_nxt);
            }
        }
    }

    /// `cubictcp_cwnd_event(CA_EVENT_TX_START)`: "We were application limited (idle) for a
    /// while. Shift epoch_start to keep cwnd growth to cubic curve."
    fn tx_start(&mut self, idle: SimDuration, now: SimTime) {
        let delta = usecs_to_jiffies(idle.as_micros());
        if let Some(e) = &mut self.epoch_start {
            if delta > 0 {
                *e = (*e + delta).min(jiffies(now));
            }
        }
    }

    fn hystart_found(&self) -> bool {
        self.hystart.as_ref().is_some_and(|h| h.found)
    }

    fn hystart_exit(&self) -> Option<HyStartExit> {
        self.hystart.as_ref().and_then(|h| h.exit)
    }
}

/// `tcp_cong.c` Reno (`tcp_reno_cong_avoid`, `tcp_reno_ssthresh`), optionally with the same
/// HyStart as CUBIC (a protoviz option: Linux's Reno has none).
#[derive(Clone, Debug)]
pub struct LinuxReno {
    hystart: Option<HyStart>,
}

impl LinuxReno {
    pub fn new(hystart: bool) -> LinuxReno {
        LinuxReno {
            hystart: hystart.then(HyStart::default),
        }
    }
}

impl CongestionOps for LinuxReno {
    fn name(&self) -> &'static str {
        "newreno"
    }

    /// `tcp_reno_ssthresh`: half the window, at least two packets (RFC 5681 §3.1 eq. 4).
    fn ssthresh(&mut self, w: &Window) -> u64 {
        (w.cwnd >> 1).max(2)
    }

    /// `tcp_reno_cong_avoid`: slow start, then one packet per window ACKed.
    fn cong_avoid(&mut self, w: &mut Window, acked: u64, cwnd_limited: bool, _info: SenderInfo) {
        if !cwnd_limited {
            return;
        }
        let mut acked = acked;
        if w.in_slow_start() {
            acked = w.slow_start(acked);
            if acked == 0 {
                return;
            }
        }
        let cwnd = w.cwnd;
        w.cong_avoid_ai(cwnd, acked);
    }

    fn pkts_acked(&mut self, w: &mut Window, rtt: Option<SimDuration>, info: SenderInfo) {
        if let (Some(h), Some(delay)) = (&mut self.hystart, rtt) {
            h.on_sample(w, delay, info);
        }
    }

    fn set_state(&mut self, state: CaState, info: SenderInfo) {
        if state == CaState::Loss {
            if let Some(h) = &mut self.hystart {
                *h = HyStart::default();
                h.reset(info.now, info.snd_nxt);
            }
        }
    }

    fn hystart_found(&self) -> bool {
        self.hystart.as_ref().is_some_and(|h| h.found)
    }

    fn hystart_exit(&self) -> Option<HyStartExit> {
        self.hystart.as_ref().and_then(|h| h.exit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(now_us: u64, snd_una: u64, snd_nxt: u64) -> SenderInfo {
        SenderInfo {
            now: SimTime::from_micros(now_us),
            snd_una,
            snd_nxt,
            srtt: SimDuration::from_millis(100),
            mss: 1_448,
            packets_out: 0,
        }
    }

    /// RFC 9438 §4.6 β_cubic as Linux rounds it: exactly 717/1024 of the window, at least
    /// two packets; Reno halves.
    #[test]
    fn cubic_reduces_by_717_over_1024_reno_by_half() {
        let mut c = LinuxCubic::new(true);
        let w = Window {
            cwnd: 100,
            ..Window::new(10)
        };
        // 100 · 717 / 1024 = 70.02 → 70.
        assert_eq!(c.ssthresh(&w), 70);
        let w = Window {
            cwnd: 1_024,
            ..Window::new(10)
        };
        assert_eq!(c.ssthresh(&w), 717);
        let w = Window {
            cwnd: 2,
            ..Window::new(10)
        };
        assert_eq!(c.ssthresh(&w), 2);
        let mut r = LinuxReno::new(false);
        let w = Window {
            cwnd: 41,
            ..Window::new(10)
        };
        assert_eq!(r.ssthresh(&w), 20);
    }

    /// Fast convergence: a loss below the last W_max remembers only (1 + β)/2 of the window.
    #[test]
    fn cubic_fast_convergence_lowers_w_max() {
        let mut c = LinuxCubic::new(false);
        let w = Window {
            cwnd: 100,
            ..Window::new(10)
        };
        c.ssthresh(&w);
        assert_eq!(c.last_max_cwnd, 100);
        let w = Window {
            cwnd: 80,
            ..Window::new(10)
        };
        c.ssthresh(&w);
        // 80 · (1024 + 717) / 2048 = 68.0.
        assert_eq!(c.last_max_cwnd, 68);
    }

    /// `bictcp_update` right after a reduction from W_max = 100 to 70: K = cbrt((W_max −
    /// cwnd)/C) (RFC 9438 §4.2 eq. 2), in Linux's units of 1/1024 s: cbrt(cube_factor · 30)
    /// with cube_factor = 2^40 / 410 = 2 681 735 677, cbrt(80 452 070 310) = 4 316.97 → 4 316
    /// (4.215 s; the RFC's cbrt(30/0.4) = 4.217 s).
    #[test]
    fn cubic_k_after_a_reduction() {
        let mut c = LinuxCubic::new(false);
        let mut w = Window {
            cwnd: 100,
            ..Window::new(10)
        };
        w.ssthresh = c.ssthresh(&w);
        w.cwnd = w.ssthresh;
        assert_eq!(w.cwnd, 70);
        c.cong_avoid(&mut w, 1, true, info(10_000_000, 0, 0));
        assert_eq!(c.k_and_origin(), (4_316, 100));
        // Far below the origin the increase is slow: cnt = 70 / (target − 70) with the
        // target a few packets up, at most one packet per two ACKs.
        assert!(c.cnt >= 2);
    }

    /// Slow start grows by the packets ACKed up to ssthresh; the rest goes to congestion
    /// avoidance (`tcp_slow_start` returns it).
    #[test]
    fn slow_start_stops_at_ssthresh() {
        let mut w = Window::new(10);
        w.ssthresh = 14;
        assert_eq!(w.slow_start(3), 0);
        assert_eq!(w.cwnd, 13);
        assert_eq!(w.slow_start(3), 2);
        assert_eq!(w.cwnd, 14);
        // cong_avoid_ai(14, 2): cnt 2 of 14.
        w.cong_avoid_ai(14, 2);
        assert_eq!((w.cwnd, w.cwnd_cnt), (14, 2));
        w.cong_avoid_ai(14, 12);
        assert_eq!((w.cwnd, w.cwnd_cnt), (15, 0));
    }

    /// `tcp_is_cwnd_limited` false: no growth at all (`cubictcp_cong_avoid` returns).
    #[test]
    fn no_growth_when_not_cwnd_limited() {
        let mut c = LinuxCubic::new(true);
        let mut w = Window::new(10);
        c.cong_avoid(&mut w, 5, false, info(0, 0, 0));
        assert_eq!(w.cwnd, 10);
        c.cong_avoid(&mut w, 5, true, info(0, 0, 0));
        assert_eq!(w.cwnd, 15);
    }

    /// HyStart's ACK train at RTT 100 ms: ACKs 1.2 ms apart (one per 1500-byte packet at
    /// 10 Mbit/s), the threshold (delay_min + ack_delay) / 2 = (100 000 + 1 000) / 2 =
    /// 50 500 µs. A round of 40 ACKs spans 39 · 1.2 = 46.8 ms: no exit; in the next round
    /// the 44th ACK is 43 · 1 200 = 51 600 µs > 50 500 after the round start: exit, with
    /// ssthresh = cwnd = 80 + 43 = 123 packets (the 44th ACK's own growth comes after, in
    /// `cong_avoid`, and is capped by it).
    #[test]
    fn hystart_ack_train_exits_half_a_min_rtt_into_a_round() {
        let mut c = LinuxCubic::new(true);
        let mut w = Window::new(40);
        let rtt = SimDuration::from_millis(100);
        let mut snd_nxt = 40u64;
        let mut snd_una = 0u64;
        let t0 = 1_000_000u64;
        // Round 1: 40 ACKs of one packet each, 1.2 ms apart, from t0; each sends two.
        for (round, acks) in [(0u64, 40u64), (1, 80)] {
            let start = t0 + round * 100_000;
            for i in 0..acks {
                snd_una += 1;
                let inf = SenderInfo {
                    packets_out: snd_nxt - snd_una,
                    ..info(start + i * 1_200, snd_una, snd_nxt)
                };
                c.pkts_acked(&mut w, Some(rtt), inf);
                c.cong_avoid(&mut w, 1, true, inf);
                snd_nxt += 2;
                if round == 0 {
                    assert_eq!(w.ssthresh, INFINITE_SSTHRESH, "ack {i}");
                }
            }
        }
        assert_eq!(
            c.hystart().and_then(|h| h.exit),
            Some(HyStartExit::AckTrain { cwnd: 123 })
        );
        assert_eq!(w.ssthresh, 123);
    }

    /// HyStart's delay detection: the minimum of the first eight samples of a round above
    /// delay_min + clamp(delay_min/8, 4, 16 ms) ends slow start at the ninth sample; ACKs
    /// 3 ms apart never form a train.
    #[test]
    fn hystart_delay_needs_eight_samples_then_compares() {
        let mut c = LinuxCubic::new(true);
        let mut w = Window::new(20);
        let base = SimDuration::from_millis(100);
        let t0 = 1_000_000u64;
        let (mut una, mut nxt) = (0u64, 20u64);
        // Round 0 sets delay_min = 100 ms.
        for i in 0..20 {
            una += 1;
            c.pkts_acked(&mut w, Some(base), info(t0 + i * 3_000, una, nxt));
            c.cong_avoid(&mut w, 1, true, info(t0 + i * 3_000, una, nxt));
            nxt += 2;
        }
        assert_eq!(w.ssthresh, INFINITE_SSTHRESH);
        // Round 1 at 112.6 ms: 12.6 > 12.5 ms threshold. Samples 1–8 are counted, the 9th
        // compares and exits.
        let high = SimDuration::from_micros(112_600);
        let start = t0 + 100_000;
        let mut exit_at = None;
        for i in 0..40u64 {
            una += 1;
            let inf = info(start + i * 3_000, una, nxt);
            c.pkts_acked(&mut w, Some(high), inf);
            if exit_at.is_none() && w.ssthresh != INFINITE_SSTHRESH {
                exit_at = Some(i);
            }
            c.cong_avoid(&mut w, 1, true, inf);
            nxt += 2;
        }
        // The round began at the first ACK past end_seq (ACK index 0 of round 1, which is
        // also its first sample): samples 0..=7 fill the eight, sample 8 exits.
        assert_eq!(exit_at, Some(8));
        assert_eq!(
            c.hystart().and_then(|h| h.exit),
            Some(HyStartExit::Delay { cwnd: 48 })
        );
    }
}
