//! The retransmission timer's estimator, in integer microseconds: Linux's
//! (`tcp_input.c tcp_rtt_estimator` + `tcp_set_rto`, the default) or RFC 6298's (the
//! `minrto=rfc` option, with its 1-second floor).
//!
//! Linux keeps `srtt_us` (8 × SRTT), `mdev_us` (4 × the mean deviation), `mdev_max_us`
//! (the largest `mdev_us` of the current round trip, at least `tcp_rto_min`) and
//! `rttvar_us`, which follows `mdev_max_us` up at once and down by a quarter of the
//! difference once per round trip (when `snd_una` passes `rtt_seq`). The RTO is
//! `srtt + rttvar`, so it is never below SRTT + `tcp_rto_min`: at RTT 100 ms about 300 ms,
//! where RFC 6298 with a 200 ms floor would give 200 ms. The kernel keeps the RTO in
//! jiffies (`usecs_to_jiffies` rounds up, [`crate::transport::cc::linux::LINUX_HZ`]).

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;
use crate::transport::cc::linux::jiffy_round;

/// RFC 6298 §2.1 / Linux TCP_TIMEOUT_INIT: before any RTT sample, RTO = 1 second.
pub const INITIAL_RTO: SimDuration = SimDuration::from_secs(1);
/// RFC 6298 §5.7 / Linux TCP_TIMEOUT_FALLBACK: if the SYN or SYN-ACK was retransmitted and
/// no sample was taken, RTO is 3 seconds when data transmission begins.
pub const SYN_RETRANSMITTED_RTO: SimDuration = SimDuration::from_secs(3);
/// RFC 6298 §2.5: "A maximum value MAY be placed on RTO provided it is at least 60 seconds."
pub const MAX_RTO: SimDuration = SimDuration::from_secs(60);
/// Linux TCP_RTO_MAX: 120 s.
pub const LINUX_MAX_RTO: SimDuration = SimDuration::from_secs(120);
/// RFC 6298 §2: K = 4.
const K: u64 = 4;
/// RFC 6298 §2: G, the clock granularity. Linux arms its timers in jiffies; the RFC rule
/// keeps the 1 ms it always had here.
pub const CLOCK_GRANULARITY: SimDuration = SimDuration::from_millis(1);
/// RFC 6298 §2.3: alpha = 1/8, beta = 1/4.
const ALPHA_DEN: u64 = 8;
const BETA_DEN: u64 = 4;

/// Which rule computes the RTO.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RtoRule {
    /// `tcp_rtt_estimator` + `tcp_set_rto`, floor `tcp_rto_min` (the configured minimum).
    #[default]
    Linux,
    /// RFC 6298 §2, floored at the configured minimum (§2.4: 1 s).
    Rfc6298,
}

/// SRTT, the variance, and the RTO with its exponential backoff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RttEstimator {
    pub srtt: Option<SimDuration>,
    /// Linux: `rttvar_us` (the RTO's margin above SRTT, at least `tcp_rto_min`);
    /// RFC 6298: RTTVAR.
    pub rttvar: SimDuration,
    pub latest: SimDuration,
    /// The smallest sample (Linux `tcp_min_rtt`, a 300 s windowed minimum, never expires
    /// within a page load).
    pub min: SimDuration,
    /// RTO before backoff.
    base_rto: SimDuration,
    /// Number of doublings (RFC 6298 §5.5, Linux `icsk_backoff`).
    pub backoff: u32,
    min_rto: SimDuration,
    rule: RtoRule,
    /// Linux `mdev_us` (4 × mean deviation) and `mdev_max_us`, µs.
    mdev: u64,
    mdev_max: u64,
    /// Linux `rtt_seq`: `snd_nxt` when the round trip of `mdev_max` began.
    rtt_seq: u64,
}

impl RttEstimator {
    /// The RFC 6298 estimator floored at `min_rto` (kept for callers of the old API).
    pub fn new(min_rto: SimDuration) -> RttEstimator {
        RttEstimator::with_rule(RtoRule::Rfc6298, min_rto)
    }

    pub fn with_rule(rule: RtoRule, min_rto: SimDuration) -> RttEstimator {
        RttEstimator {
            srtt: None,
            rttvar: SimDuration::ZERO,
            latest: SimDuration::ZERO,
            min: SimDuration::ZERO,
            base_rto: INITIAL_RTO,
            backoff: 0,
            min_rto,
            rule,
            mdev: 0,
            mdev_max: 0,
            rtt_seq: 0,
        }
    }

    pub fn rule(&self) -> RtoRule {
        self.rule
    }

    /// A new measurement `r`, taken when the cumulative ACK is `snd_una` and the next new
    /// byte is `snd_nxt` (Linux's once-per-round-trip `rttvar` decay needs them; the RFC
    /// rule ignores them). A sample also ends the backoff (RFC 6298 §5.7's note; Linux
    /// `tcp_ack_update_rtt`: "only reset backoff on valid RTT measurement").
    pub fn on_sample_at(&mut self, r: SimDuration, snd_una: u64, snd_nxt: u64) {
        match self.rule {
            RtoRule::Linux => self.linux_sample(r, snd_una, snd_nxt),
            RtoRule::Rfc6298 => self.rfc_sample(r),
        }
        self.latest = r;
        self.min = if self.min == SimDuration::ZERO {
            r
        } else {
            self.min.min(r)
        };
        self.backoff = 0;
    }

    /// [`RttEstimator::on_sample_at`] without sequence numbers (every sample starts a new
    /// round trip for Linux's `rttvar` decay).
    pub fn on_sample(&mut self, r: SimDuration) {
        let (una, nxt) = (self.rtt_seq + 1, self.rtt_seq + 1);
        self.on_sample_at(r, una, nxt);
    }

    /// RFC 6298 §2.2 and §2.3.
    fn rfc_sample(&mut self, r: SimDuration) {
        let r_us = r.as_micros();
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = SimDuration::from_micros(r_us / 2);
            }
            Some(srtt) => {
                let s = srtt.as_micros();
                let diff = s.abs_diff(r_us);
                self.rttvar = SimDuration::from_micros(
                    (self.rttvar.as_micros() * (BETA_DEN - 1) + diff) / BETA_DEN,
                );
                self.srtt = Some(SimDuration::from_micros(
                    (s * (ALPHA_DEN - 1) + r_us) / ALPHA_DEN,
                ));
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        // RFC 6298 §2.2/§2.3: RTO = SRTT + max(G, K·RTTVAR); §2.4 the floor; §2.5 the cap.
        self.base_rto = (srtt + CLOCK_GRANULARITY.max(self.rttvar * K))
            .max(self.min_rto)
            .min(MAX_RTO);
    }

    /// `tcp_rtt_estimator` (Jacobson's SIGCOMM '88 algorithm as Linux scales it, with the
    /// Eifel-like finer gain when the RTT falls) and `tcp_set_rto` (`__tcp_set_rto`:
    /// srtt + rttvar, in jiffies; `tcp_bound_rto`: at most TCP_RTO_MAX).
    fn linux_sample(&mut self, r: SimDuration, snd_una: u64, snd_nxt: u64) {
        let rto_min = self.min_rto.as_micros();
        let m = i128::from(r.as_micros());
        let mut rttvar = self.rttvar.as_micros();
        let srtt8 = match self.srtt {
            Some(srtt) => {
                let mut srtt8 = i128::from(srtt.as_micros()) * 8;
                // "m is now error in rtt est"; "rtt = 7/8 rtt + 1/8 new".
                let mut m = m - (srtt8 >> 3);
                srtt8 += m;
                let mdev = i128::from(self.mdev);
                if m < 0 {
                    // "m is now abs(error)"; "similar update on mdev" with the finer gain.
                    m = -m - (mdev >> 2);
                    if m > 0 {
                        m >>= 3;
                    }
                } else {
                    m -= mdev >> 2;
                }
                // "mdev = 3/4 mdev + 1/4 new"
                self.mdev = u64::try_from(mdev + m).unwrap_or(0);
                if self.mdev > self.mdev_max {
                    self.mdev_max = self.mdev;
                    rttvar = rttvar.max(self.mdev_max);
                }
                if snd_una > self.rtt_seq {
                    if self.mdev_max < rttvar {
                        rttvar -= (rttvar - self.mdev_max) >> 2;
                    }
                    self.rtt_seq = snd_nxt;
                    self.mdev_max = rto_min;
                }
                srtt8
            }
            None => {
                // "no previous measure": srtt = m, mdev = 2m ("make sure rto = 3*rtt"),
                // rttvar = max(mdev, tcp_rto_min).
                self.mdev = u64::try_from(m * 2).unwrap_or(0);
                rttvar = self.mdev.max(rto_min);
                self.mdev_max = rttvar;
                self.rtt_seq = snd_nxt;
                m * 8
            }
        };
        // tp->srtt_us = max(1U, srtt); kept here as µs (SRTT = srtt_us >> 3).
        let srtt_us = u64::try_from((srtt8.max(1)) >> 3).unwrap_or(0);
        self.srtt = Some(SimDuration::from_micros(srtt_us));
        self.rttvar = SimDuration::from_micros(rttvar);
        self.base_rto = jiffy_round(SimDuration::from_micros(srtt_us + rttvar)).min(LINUX_MAX_RTO);
    }

    /// RFC 6298 §5.7 / Linux `tcp_init_metrics` (TCP_TIMEOUT_FALLBACK): the SYN was
    /// retransmitted; without a sample RTO restarts at 3 s.
    pub fn on_syn_retransmitted(&mut self) {
        if self.srtt.is_none() {
            self.base_rto = SYN_RETRANSMITTED_RTO;
            self.backoff = 0;
        }
    }

    fn max_rto(&self) -> SimDuration {
        match self.rule {
            RtoRule::Linux => LINUX_MAX_RTO,
            RtoRule::Rfc6298 => MAX_RTO,
        }
    }

    /// RFC 6298 §5.5 / Linux `tcp_retransmit_timer`
    /// (`icsk_rto = min(icsk_rto << 1, TCP_RTO_MAX)`): back off the timer.
    pub fn on_timeout(&mut self) {
        if self.rto() < self.max_rto() {
            self.backoff += 1;
        }
    }

    /// The RTO in force, backoff included.
    pub fn rto(&self) -> SimDuration {
        let max = self.max_rto();
        let mut rto = self.base_rto.min(max);
        for _ in 0..self.backoff {
            rto = (rto * 2).min(max);
        }
        rto
    }

    /// The RTO before backoff (Linux `__tcp_set_rto`).
    pub fn base_rto(&self) -> SimDuration {
        self.base_rto
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6298_estimates_floor_and_backoff() {
        let ms = SimDuration::from_millis;
        let mut e = RttEstimator::new(ms(200));
        assert_eq!(e.rto(), ms(1_000));
        e.on_sample(ms(100));
        // SRTT 100, RTTVAR 50, RTO = 100 + 4·50 = 300 ms.
        assert_eq!(
            (e.srtt, e.rttvar, e.rto()),
            (Some(ms(100)), ms(50), ms(300))
        );
        e.on_sample(ms(100));
        // RTTVAR = 3/4·50 = 37.5, SRTT 100: RTO = 250 ms.
        assert_eq!(e.rto(), SimDuration::from_micros(250_000));
        for _ in 0..40 {
            e.on_sample(ms(100));
        }
        // RTTVAR decays towards 0: RTO = 100 ms + max(G, 4·RTTVAR), floored at 200 ms.
        assert_eq!(e.rto(), ms(200));
        e.on_timeout();
        e.on_timeout();
        assert_eq!(e.rto(), ms(800));
        for _ in 0..20 {
            e.on_timeout();
        }
        assert_eq!(e.rto(), MAX_RTO);
        e.on_sample(ms(100));
        assert_eq!(e.rto(), ms(200));
        let mut rfc = RttEstimator::new(SimDuration::from_secs(1));
        rfc.on_sample(ms(10));
        assert_eq!(rfc.rto(), ms(1_000));
    }

    /// Linux `tcp_rtt_estimator`: the first sample sets rttvar = max(2·RTT, tcp_rto_min), so
    /// RTO = 3·RTT (above 100 ms); steady samples let rttvar fall only to mdev_max, which
    /// restarts at tcp_rto_min every round trip: the RTO settles at SRTT + 200 ms — 300 ms at
    /// RTT 100 ms, where RFC 6298 with the same floor gives 200 ms.
    #[test]
    fn linux_rto_is_srtt_plus_at_least_rto_min() {
        let ms = SimDuration::from_millis;
        let mut e = RttEstimator::with_rule(RtoRule::Linux, ms(200));
        assert_eq!(e.rto(), ms(1_000));
        // First sample 100 ms at snd_una 0, snd_nxt 10: mdev = 200 ms, rttvar = 200 ms.
        e.on_sample_at(ms(100), 0, 10);
        assert_eq!(
            (e.srtt, e.rttvar, e.rto()),
            (Some(ms(100)), ms(200), ms(300))
        );
        // Same RTT, next round trip: err 0, mdev = 200 − 50 = 150 ms < mdev_max 200; the new
        // round (snd_una 11 > rtt_seq 10) lowers rttvar by (200 − 200)/4 = 0 and resets
        // mdev_max to 200 ms. RTO stays 300 ms however long the RTT stays flat.
        for i in 0..50 {
            e.on_sample_at(ms(100), 11 + i * 10, 20 + i * 10);
        }
        assert_eq!(e.rto(), ms(300));
        // At RTT 20 ms: 20 + max(40, 200) = 220 ms.
        let mut e = RttEstimator::with_rule(RtoRule::Linux, ms(200));
        e.on_sample_at(ms(20), 0, 1);
        assert_eq!(e.rto(), ms(220));
        // At RTT 150 ms the first RTO is 3·RTT = 450 ms, 112.5 jiffies → 113: 452 ms; a
        // 190 ms sample (err +40 ms) makes mdev = 300 − 75 + 40 = 265 ms, below mdev_max
        // (300): rttvar stays 300, SRTT 155 ms, RTO 455 ms → 114 jiffies: 456 ms.
        let mut e = RttEstimator::with_rule(RtoRule::Linux, ms(200));
        e.on_sample_at(ms(150), 0, 1);
        assert_eq!(e.rto(), ms(452));
        e.on_sample_at(ms(190), 0, 1);
        assert_eq!(e.srtt, Some(ms(155)));
        assert_eq!(e.rttvar, ms(300));
        assert_eq!(e.rto(), ms(456));
        // Backoff doubles, up to 120 s.
        e.on_timeout();
        assert_eq!(e.rto(), ms(912));
        for _ in 0..30 {
            e.on_timeout();
        }
        assert_eq!(e.rto(), LINUX_MAX_RTO);
    }

    /// The RTO is kept in jiffies of 4 ms (HZ = 250), rounded up.
    #[test]
    fn linux_rto_rounds_up_to_jiffies() {
        let mut e = RttEstimator::with_rule(RtoRule::Linux, SimDuration::from_millis(200));
        e.on_sample_at(SimDuration::from_micros(100_126), 0, 1);
        // 100 126 + 200 252 = 300 378 µs → 76 jiffies = 304 ms.
        assert_eq!(e.rto(), SimDuration::from_millis(304));
    }
}
