//! RTT estimation, RFC 9002 §5, in integer microseconds. The exponentially weighted moving
//! averages of §5.3 are computed as `(7 * smoothed + adjusted) / 8` and
//! `(3 * rttvar + |smoothed - adjusted|) / 4`, rounded down.

use crate::time::{SimDuration, SimTime};
use crate::transport::cc::RttInfo;

/// RFC 9002 §6.2.2: "When no previous RTT is available, the initial RTT SHOULD be set to
/// 333 milliseconds."
pub const INITIAL_RTT: SimDuration = SimDuration::from_millis(333);

/// RFC 9002 §6.1.2: "kGranularity: Timer granularity. This is a system-dependent value,
/// and RFC 9002 recommends a value of 1 ms."
pub const GRANULARITY: SimDuration = SimDuration::from_millis(1);

/// RFC 9002 §6.2.1: smoothed_rtt + max(4 * rttvar, kGranularity).
fn pto_base(smoothed: SimDuration, rttvar: SimDuration) -> SimDuration {
    smoothed + (rttvar * 4).max(GRANULARITY)
}

/// RFC 9002 §6.2.1: the probe timeout period in the application data space, before backoff:
/// smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay.
pub fn pto_period(
    smoothed: SimDuration,
    rttvar: SimDuration,
    max_ack_delay: SimDuration,
) -> SimDuration {
    pto_base(smoothed, rttvar) + max_ack_delay
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RttEstimator {
    latest: SimDuration,
    smoothed: SimDuration,
    rttvar: SimDuration,
    min: SimDuration,
    /// When the first sample was taken (RFC 9002 §7.6.2: persistent congestion only counts
    /// packets sent after it).
    first_sample: Option<SimTime>,
}

impl RttEstimator {
    /// RFC 9002 §5.3: before any sample, smoothed_rtt = kInitialRtt and
    /// rttvar = kInitialRtt / 2.
    pub fn new(initial: SimDuration) -> Self {
        RttEstimator {
            latest: initial,
            smoothed: initial,
            rttvar: initial.half(),
            min: initial,
            first_sample: None,
        }
    }

    /// Takes one sample. `ack_delay` is the peer's reported delay, already limited by the
    /// caller to max_ack_delay once the handshake is confirmed (RFC 9002 §5.3).
    pub fn update(&mut self, now: SimTime, latest: SimDuration, ack_delay: SimDuration) {
        self.latest = latest;
        if self.first_sample.is_none() {
            // RFC 9002 §5.3: the first sample resets the estimator.
            self.first_sample = Some(now);
            self.min = latest;
            self.smoothed = latest;
            self.rttvar = latest.half();
            return;
        }
        // RFC 9002 §5.2: min_rtt ignores ack delay.
        self.min = self.min.min(latest);
        // RFC 9002 §5.3: subtract the ack delay only if the result is not below min_rtt.
        let adjusted = if latest.as_micros() >= self.min.as_micros() + ack_delay.as_micros() {
            SimDuration::from_micros(latest.as_micros() - ack_delay.as_micros())
        } else {
            latest
        };
        let s = self.smoothed.as_micros();
        let a = adjusted.as_micros();
        let diff = s.abs_diff(a);
        self.rttvar = SimDuration::from_micros((3 * self.rttvar.as_micros() + diff) / 4);
        self.smoothed = SimDuration::from_micros((7 * s + a) / 8);
    }

    pub fn latest(&self) -> SimDuration {
        self.latest
    }
    pub fn smoothed(&self) -> SimDuration {
        self.smoothed
    }
    pub fn rttvar(&self) -> SimDuration {
        self.rttvar
    }
    pub fn min(&self) -> SimDuration {
        self.min
    }
    pub fn first_sample(&self) -> Option<SimTime> {
        self.first_sample
    }

    /// RFC 9002 §6.2.1: smoothed_rtt + max(4 * rttvar, kGranularity), without max_ack_delay
    /// and before backoff.
    pub fn pto_base(&self) -> SimDuration {
        pto_base(self.smoothed, self.rttvar)
    }

    pub fn info(&self) -> RttInfo {
        RttInfo {
            latest: self.latest,
            smoothed: self.smoothed,
            min: self.min,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_rfc9002_section_5_3() {
        let ms = SimDuration::from_millis;
        let mut r = RttEstimator::new(INITIAL_RTT);
        assert_eq!(r.rttvar(), SimDuration::from_micros(166_500));
        assert_eq!(r.pto_base(), ms(333 + 666));
        r.update(SimTime::from_millis(100), ms(100), ms(25));
        // First sample: ack delay ignored.
        assert_eq!(
            (r.smoothed(), r.rttvar(), r.min()),
            (ms(100), ms(50), ms(100))
        );
        // 130 ms with 20 ms delay: adjusted 110; rttvar = (3*50 + 10)/4 = 40;
        // smoothed = (7*100 + 110)/8 = 101.25 -> 101_250 µs.
        r.update(SimTime::from_millis(300), ms(130), ms(20));
        assert_eq!(r.rttvar(), ms(40));
        assert_eq!(r.smoothed(), SimDuration::from_micros(101_250));
        // 105 ms with 10 ms delay would go below min_rtt (100): the delay is not subtracted.
        r.update(SimTime::from_millis(400), ms(105), ms(10));
        assert_eq!(r.min(), ms(100));
        assert_eq!(
            r.smoothed(),
            SimDuration::from_micros((7 * 101_250 + 105_000) / 8)
        );
    }
}
