//! CUBIC as `net/ipv4/tcp_cubic.c` runs it: `struct bictcp`, `bictcp_update` (RFC 9438's
//! window curve and its Reno-friendly region in jiffies and packets), `cubictcp_recalc_ssthresh`
//! (fast convergence, β = 717/1024), `cubictcp_cong_avoid`, `cubictcp_acked` (which feeds
//! [`HyStart`]), `cubictcp_state` and `cubictcp_cwnd_event`.

use super::hystart::HyStart;
use super::{
    jiffies, usecs_to_jiffies, CaState, CongestionOps, HyStartExit, SenderInfo, Window, LINUX_HZ,
};
use crate::time::{SimDuration, SimTime};

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

/// `tcp_cubic.c`: `struct bictcp` and its ops, with HyStart.
#[derive(Clone, Debug)]
pub struct LinuxCubic {
    /// `ca->cnt`: ACKed packets per one-packet increase.
    pub(super) cnt: u64,
    pub(super) last_max_cwnd: u64,
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
                        self.bic_k = crate::transport::cc::cubic::icbrt(u128::from(
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
