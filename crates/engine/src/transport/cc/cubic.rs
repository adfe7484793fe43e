//! CUBIC (RFC 9438) in integer arithmetic: windows in bytes, time in microseconds, the
//! constants as integer ratios and the cube root computed exactly on integers, so every target
//! computes the same window. Slow start optionally ends on a delay rise ([`super::hystart`]),
//! as Linux's `tcp_cubic` does by default.
//!
//! W_cubic(t) = C·(t − K)³ + W_max (RFC 9438 §4.2 equation 1), with t in seconds and windows in
//! segments, becomes in bytes and microseconds
//! W_cubic(t_us) = W_max + C_NUM·mss·(t_us − K_us)³ / (C_DEN·10¹⁸).

use super::hystart::HyStart;
use super::{Controller, RttInfo};
use crate::time::SimTime;

/// RFC 9438 §4.6 / §5: beta_cubic = 0.7, the multiplicative decrease factor, as 7/10.
const BETA_NUM: u64 = 7;
const BETA_DEN: u64 = 10;
/// RFC 9438 §4.2 / §5: C = 0.4, as 4/10.
const C_NUM: i128 = 4;
const C_DEN: i128 = 10;
/// RFC 9438 §4.3: alpha_cubic = 3·(1 − beta_cubic)/(1 + beta_cubic) = 0.9/1.7 = 9/17.
const ALPHA_NUM: u128 = 9;
const ALPHA_DEN: u128 = 17;
/// RFC 9438 §4.7 fast convergence: W_max = cwnd·(1 + beta_cubic)/2 = cwnd·17/20.
const FAST_CONVERGENCE_NUM: u64 = 17;
const FAST_CONVERGENCE_DEN: u64 = 20;
/// Microseconds per second, cubed: (t in µs)³ / 10¹⁸ = (t in s)³.
const US_CUBED_PER_S_CUBED: i128 = 1_000_000_000_000_000_000;
/// RFC 9438 §4.4: the target is clamped to at most 1.5·cwnd, as 3/2.
const TARGET_CAP_NUM: u64 = 3;
const TARGET_CAP_DEN: u64 = 2;

/// Largest `r` with `r³ ≤ n` (binary search; exact on integers).
pub fn icbrt(n: u128) -> u64 {
    let (mut lo, mut hi) = (0u64, 1u64 << 43);
    // (2^43)^3 = 2^129 > u128::MAX ≥ n, so the root is below hi.
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        let m = u128::from(mid);
        match m.checked_mul(m).and_then(|sq| sq.checked_mul(m)) {
            Some(cube) if cube <= n => lo = mid,
            _ => hi = mid,
        }
    }
    lo
}

#[derive(Clone, Debug)]
pub struct Cubic {
    mss: u64,
    window: u64,
    ssthresh: u64,
    min_window: u64,
    timeout_window: u64,
    /// Window just before the last reduction (RFC 9438 §4.6), bytes.
    w_max: u64,
    /// Start of the current congestion-avoidance epoch and the window then.
    epoch: Option<(SimTime, u64)>,
    /// RFC 9438 §4.2 equation 2: time for the cubic function to return to W_max, µs.
    k_us: u64,
    /// RFC 9438 §4.3: the Reno-friendly estimate, bytes.
    w_est: u64,
    /// Remainders of the integer divisions of the window increases.
    est_rem: u128,
    inc_rem: u128,
    recovery_start: Option<SimTime>,
    /// Delay-based slow-start exit ([`HyStart`]); `None`: classic slow start to the first loss.
    hystart: Option<HyStart>,
}

impl Cubic {
    /// Same meaning of the arguments as [`super::NewReno::new`].
    pub fn new(mss: u64, initial_window: u64, min_window: u64) -> Cubic {
        Cubic {
            mss,
            window: initial_window,
            ssthresh: u64::MAX,
            min_window,
            timeout_window: min_window,
            w_max: 0,
            epoch: None,
            k_us: 0,
            w_est: 0,
            est_rem: 0,
            inc_rem: 0,
            recovery_start: None,
            hystart: None,
        }
    }

    /// Window after a retransmission timeout (RFC 9438 §4.8 follows RFC 5681: one segment).
    pub fn with_timeout_window(mut self, timeout_window: u64) -> Cubic {
        self.timeout_window = timeout_window;
        self
    }

    /// Leaves slow start when the RTT rises ([`HyStart`], with its default exit
    /// [`super::hystart::DEFAULT_EXIT`]) if `enabled`.
    pub fn with_hystart(mut self, enabled: bool) -> Cubic {
        self.hystart = enabled.then(|| HyStart::new(super::hystart::DEFAULT_EXIT));
        self
    }

    /// W_cubic at `t_us` after the epoch start, bytes (RFC 9438 §4.2 equation 1).
    fn w_cubic(&self, t_us: u64) -> u64 {
        let d = i128::from(t_us) - i128::from(self.k_us);
        let delta = C_NUM * i128::from(self.mss) * d * d * d / (C_DEN * US_CUBED_PER_S_CUBED);
        let w = i128::from(self.w_max) + delta;
        u64::try_from(w.max(0)).unwrap_or(u64::MAX)
    }

    /// RFC 9438 §4.6: the window reduction shared by loss and timeout, with fast convergence
    /// (§4.7). Returns the new ssthresh.
    fn reduce(&mut self) -> u64 {
        self.w_max = if self.window < self.w_max {
            self.window * FAST_CONVERGENCE_NUM / FAST_CONVERGENCE_DEN
        } else {
            self.window
        };
        self.epoch = None;
        (self.window * BETA_NUM / BETA_DEN).max(self.min_window)
    }

    pub fn k_micros(&self) -> u64 {
        self.k_us
    }
}

impl Controller for Cubic {
    fn name(&self) -> &'static str {
        "cubic"
    }

    fn on_sent(&mut self, now: SimTime, _bytes: u64) {
        if let Some(h) = &mut self.hystart {
            h.on_sent(now);
        }
    }

    fn on_ack(&mut self, now: SimTime, sent: SimTime, bytes: u64, app_limited: bool, rtt: RttInfo) {
        if self.in_recovery(sent) {
            return;
        }
        if self.window < self.ssthresh {
            // RFC 9438 §4.10: slow start as in RFC 5681 (byte counting, RFC 3465), with
            // HyStart as Linux's CUBIC runs it.
            let ack = super::hystart::Ack {
                now,
                sent,
                bytes,
                app_limited,
                rtt,
            };
            super::hystart::slow_start(
                self.hystart.as_mut(),
                &mut self.window,
                &mut self.ssthresh,
                self.mss,
                ack,
            );
            return;
        }
        if app_limited {
            return;
        }
        let start = match self.epoch {
            Some((start, _)) => start,
            None => {
                // RFC 9438 §4.2: a new congestion-avoidance stage: cwnd_epoch, K and W_est.
                let cwnd_epoch = self.window;
                self.epoch = Some((now, cwnd_epoch));
                self.k_us = if self.w_max > cwnd_epoch {
                    // K = cbrt((W_max − cwnd_epoch)/C) in segments and seconds, here in µs.
                    let num = u128::from(self.w_max - cwnd_epoch)
                        * (C_DEN as u128)
                        * (US_CUBED_PER_S_CUBED as u128);
                    icbrt(num / ((C_NUM as u128) * u128::from(self.mss.max(1))))
                } else {
                    self.w_max = cwnd_epoch;
                    0
                };
                self.w_est = cwnd_epoch;
                self.est_rem = 0;
                self.inc_rem = 0;
                now
            }
        };
        let window = self.window.max(1);
        // RFC 9438 §4.3: W_est grows by alpha_cubic segments per window acknowledged.
        self.est_rem += ALPHA_NUM * u128::from(self.mss) * u128::from(bytes);
        let den = ALPHA_DEN * u128::from(window);
        self.w_est += u64::try_from(self.est_rem / den).unwrap_or(u64::MAX);
        self.est_rem %= den;
        // RFC 9438 §4.4: target = W_cubic(t + RTT), clamped to [cwnd, 1.5·cwnd].
        let t = now.saturating_since(start) + rtt.smoothed;
        let target = self
            .w_cubic(t.as_micros())
            .clamp(window, window * TARGET_CAP_NUM / TARGET_CAP_DEN);
        if self.w_cubic(now.saturating_since(start).as_micros()) < self.w_est {
            // RFC 9438 §4.3: the Reno-friendly region.
            self.window = self.w_est.max(self.window);
        } else {
            // RFC 9438 §4.4/§4.5: cwnd += (target − cwnd)/cwnd per segment acknowledged.
            self.inc_rem += u128::from(target - window) * u128::from(bytes);
            self.window += u64::try_from(self.inc_rem / u128::from(window)).unwrap_or(0);
            self.inc_rem %= u128::from(window);
        }
    }

    fn on_congestion_event(&mut self, now: SimTime, sent: SimTime, _lost: u64) {
        if self.in_recovery(sent) {
            return;
        }
        self.recovery_start = Some(now);
        if let Some(h) = &mut self.hystart {
            h.on_congestion();
        }
        self.ssthresh = self.reduce();
        self.window = self.ssthresh;
    }

    fn on_timeout_collapse(&mut self, now: SimTime) {
        // RFC 9438 §4.8: ssthresh as for a loss, cwnd to the loss window, a new epoch.
        self.ssthresh = self.reduce();
        self.window = self.timeout_window;
        self.recovery_start = Some(now);
        if let Some(h) = &mut self.hystart {
            h.reset();
        }
    }

    fn on_mtu_update(&mut self, max_datagram_size: u64, min_window: u64) {
        self.mss = max_datagram_size;
        // A timeout window that was the floor (QUIC's persistent congestion, RFC 9002
        // §7.6.2) stays the floor.
        if self.timeout_window == self.min_window {
            self.timeout_window = min_window;
        }
        self.min_window = min_window;
        self.window = self.window.max(min_window);
    }

    fn window(&self) -> u64 {
        self.window
    }

    fn ssthresh(&self) -> u64 {
        self.ssthresh
    }

    fn in_recovery(&self, sent: SimTime) -> bool {
        self.recovery_start.is_some_and(|start| sent <= start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    const RTT: RttInfo = RttInfo {
        latest: SimDuration::from_millis(100),
        smoothed: SimDuration::from_millis(100),
        min: SimDuration::from_millis(100),
    };

    #[test]
    fn integer_cube_root_is_exact() {
        assert_eq!(icbrt(0), 0);
        assert_eq!(icbrt(26), 2);
        assert_eq!(icbrt(27), 3);
        assert_eq!(icbrt(u128::from(u64::MAX)), 2_642_245);
        assert_eq!(icbrt(u128::MAX), 6_981_463_658_331);
        // cbrt(75) s = 4.217163 s: K for W_max = 100 segments after a 0.7 reduction.
        assert_eq!(icbrt(75 * 1_000_000_000_000_000_000), 4_217_163);
    }

    #[test]
    fn reduces_to_seven_tenths_and_returns_to_w_max_at_k() {
        let mss = 1_000;
        let mut cc = Cubic::new(mss, 100_000, 2_000);
        let t = SimTime::from_millis;
        cc.on_congestion_event(t(0), t(0), mss);
        assert_eq!((cc.window(), cc.ssthresh()), (70_000, 70_000));
        // Same flight: no second reduction.
        cc.on_congestion_event(t(1), t(0), mss);
        assert_eq!(cc.window(), 70_000);
        // First ACK of congestion avoidance starts the epoch: K = cbrt(30/0.4) s.
        cc.on_ack(t(10), t(5), mss, false, RTT);
        assert_eq!(cc.k_micros(), 4_217_163);
        // Concave growth towards W_max: a window of ACKs per 100 ms RTT while t + RTT ≤ K
        // keeps the target at or below W_max; the increments shrink as it gets closer.
        let mut now = 10;
        let mut last_gain = u64::MAX;
        while now + 200 <= 4_217 {
            now += 100;
            let before = cc.window();
            for _ in 0..before / mss {
                cc.on_ack(t(now), t(now - 5), mss, false, RTT);
            }
            assert!(cc.window() <= 100_000, "{} at {now}", cc.window());
            let gain = cc.window() - before;
            assert!(
                gain <= last_gain.saturating_add(mss),
                "{gain} after {last_gain} at {now}"
            );
            last_gain = gain;
        }
        assert!(cc.window() > 99_000, "{}", cc.window());
        // A loss below the previous W_max triggers fast convergence: W_max = 0.85·cwnd.
        let before = cc.window();
        cc.on_congestion_event(t(now + 1), t(now + 1), mss);
        assert_eq!(cc.window(), before * 7 / 10);
        cc.on_timeout_collapse(t(now + 2));
        assert_eq!(cc.window(), 2_000);
    }

    #[test]
    fn reno_friendly_region_grows_at_least_like_reno() {
        // With a tiny W_max reduction K is short, but at small windows the Reno estimate
        // dominates: the window must grow every RTT.
        let mss = 1_000;
        let mut cc = Cubic::new(mss, 10_000, 2_000);
        let t = SimTime::from_millis;
        cc.on_congestion_event(t(0), t(0), mss);
        assert_eq!(cc.window(), 7_000);
        // RFC 9438 §4.3: W_est grows by α_cubic = 3·(1 − β)/(1 + β) = 0.9/1.7 = 0.529
        // segments per RTT; CUBIC's window is at least W_est, so after 20 RTTs it is at least
        // 7 + 20 · 0.529 = 17.6 segments (one segment allowed for rounding).
        let mut now = 0;
        for _ in 0..20 {
            now += 100;
            let w = cc.window();
            for _ in 0..w / mss {
                cc.on_ack(t(now), t(now - 1), mss, false, RTT);
            }
            assert!(cc.window() > w, "{} after {w}", cc.window());
        }
        let reno = 7_000 + 20 * mss * 9 / 17;
        assert!(
            cc.window() + mss >= reno,
            "{} against W_est {reno}",
            cc.window()
        );
    }
}
