//! quic-go's pacer (`internal/congestion/pacer.go`, v0.29): a token bucket, which is how
//! RFC 9002 §7.7 suggests pacing ("a leaky bucket ... limits ... to a rate and burst").
//!
//! - Rate: 5/4 of the congestion window per smoothed RTT (`newPacer`'s
//!   `getAdjustedBandwidth`: `cubicSender.BandwidthEstimate` = cwnd / srtt, times 5 / 4, "a
//!   slightly higher value than the actual measured bandwidth"); RFC 9002 §7.7 suggests
//!   N = 1.25 for the same reason. Before the first RTT sample the bandwidth is infinite
//!   (`BandwidthEstimate` returns `infBandwidth` while srtt is 0): no pacing.
//! - Burst: the bucket holds at most max(rate × (MinPacingDelay + TimerGranularity), 10
//!   packets) (`pacer.maxBurstSize`, `maxBurstSizePackets` = 10, `MinPacingDelay` = 1 ms,
//!   `TimerGranularity` = 1 ms, `internal/protocol/params.go`); it starts full.
//! - Every packet sent takes its size from the bucket (`pacer.SentPacket`), ACK-only packets
//!   and probes included; a packet may go while the bucket holds a full datagram
//!   (`cubicSender.HasPacingBudget`); otherwise the next one waits until it will, and at least
//!   `MinPacingDelay` after the last (`pacer.TimeUntilSend`).
//!
//! quic-go computes with nanoseconds and `uint64` bytes per second; here the same formulas
//! run on microseconds, rounding down where Go rounds down and up where it rounds up
//! (`math.Ceil` in `TimeUntilSend`).

use crate::time::{SimDuration, SimTime};

/// quic-go `internal/congestion/pacer.go maxBurstSizePackets`.
pub const MAX_BURST_PACKETS: u64 = 10;
/// quic-go `internal/protocol/params.go MinPacingDelay`.
pub const MIN_PACING_DELAY: SimDuration = SimDuration::from_millis(1);
/// quic-go `internal/protocol/params.go TimerGranularity`.
pub const TIMER_GRANULARITY: SimDuration = SimDuration::from_millis(1);
/// quic-go `newPacer`: `bw * 5 / 4`.
pub const RATE_NUM: u64 = 5;
pub const RATE_DEN: u64 = 4;

const MICROS_PER_SECOND: u128 = 1_000_000;

/// The token bucket of one sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pacer {
    budget_at_last_sent: u64,
    max_datagram_size: u64,
    last_sent: Option<SimTime>,
}

/// What the pacer needs of the congestion controller and the RTT estimator at each call
/// (quic-go's pacer reads them through its bandwidth closure whenever it runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub cwnd: u64,
    /// `None` before the first RTT sample: unlimited.
    pub srtt: Option<SimDuration>,
}

impl Rate {
    /// Bytes per second: `BandwidthFromDelta(cwnd, srtt)` (bits per second, whole) / 8, then
    /// × 5 / 4; `None` when unlimited.
    pub fn bytes_per_second(self) -> Option<u64> {
        let srtt = self.srtt?.as_micros().max(1);
        let bw = u128::from(self.cwnd) * MICROS_PER_SECOND / u128::from(srtt);
        let bw = u64::try_from(bw).unwrap_or(u64::MAX);
        Some((bw.saturating_mul(RATE_NUM) / RATE_DEN).max(1))
    }
}

impl Pacer {
    pub fn new(max_datagram_size: u64) -> Pacer {
        Pacer {
            budget_at_last_sent: 0,
            max_datagram_size,
            last_sent: None,
        }
    }

    /// `pacer.maxBurstSize`.
    pub fn max_burst(&self, rate: Rate) -> u64 {
        let floor = MAX_BURST_PACKETS * self.max_datagram_size;
        match rate.bytes_per_second() {
            None => u64::MAX,
            Some(bps) => {
                let window = (MIN_PACING_DELAY + TIMER_GRANULARITY).as_micros();
                let b = u128::from(bps) * u128::from(window) / MICROS_PER_SECOND;
                u64::try_from(b).unwrap_or(u64::MAX).max(floor)
            }
        }
    }

    /// `pacer.Budget`: bytes that may be sent at `now`.
    pub fn budget(&self, now: SimTime, rate: Rate) -> u64 {
        let max = self.max_burst(rate);
        let Some(last) = self.last_sent else {
            return max;
        };
        let Some(bps) = rate.bytes_per_second() else {
            return max;
        };
        let elapsed = u128::from(now.saturating_since(last).as_micros());
        let refill =
            u64::try_from(u128::from(bps) * elapsed / MICROS_PER_SECOND).unwrap_or(u64::MAX);
        self.budget_at_last_sent.saturating_add(refill).min(max)
    }

    /// `cubicSender.HasPacingBudget`.
    pub fn can_send(&self, now: SimTime, rate: Rate) -> bool {
        self.budget(now, rate) >= self.max_datagram_size
    }

    /// `pacer.SentPacket`.
    pub fn on_sent(&mut self, now: SimTime, bytes: u64, rate: Rate) {
        let budget = self.budget(now, rate);
        self.budget_at_last_sent = budget.saturating_sub(bytes);
        self.last_sent = Some(now);
    }

    /// `pacer.TimeUntilSend`: when the next full datagram may go; `None`: at once.
    pub fn next_send_time(&self, rate: Rate) -> Option<SimTime> {
        if self.budget_at_last_sent >= self.max_datagram_size {
            return None;
        }
        let last = self.last_sent?;
        let bps = rate.bytes_per_second()?;
        let missing = u128::from(self.max_datagram_size - self.budget_at_last_sent);
        let wait = (missing * MICROS_PER_SECOND).div_ceil(u128::from(bps));
        let wait = SimDuration::from_micros(u64::try_from(wait).unwrap_or(u64::MAX));
        Some(last + wait.max(MIN_PACING_DELAY))
    }

    /// `pacer.SetMaxDatagramSize`.
    pub fn set_max_datagram_size(&mut self, size: u64) {
        self.max_datagram_size = size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> SimDuration = SimDuration::from_millis;

    /// 32 packets of 1,252 bytes over a smoothed RTT of 100 ms: 400,640 B/s, × 5/4 =
    /// 500,800 B/s; the burst is max(2 ms × 500,800 B/s = 1,001 B, 10 × 1,252 B) = 12,520 B.
    #[test]
    fn rate_and_burst_follow_quic_go() {
        let rate = Rate {
            cwnd: 32 * 1_252,
            srtt: Some(MS(100)),
        };
        assert_eq!(rate.bytes_per_second(), Some(500_800));
        let p = Pacer::new(1_252);
        assert_eq!(p.max_burst(rate), 12_520);
        // A large window: the 2 ms term wins. 1,000 packets / 100 ms × 5/4 = 15.65 MB/s.
        let big = Rate {
            cwnd: 1_000 * 1_252,
            srtt: Some(MS(100)),
        };
        assert_eq!(p.max_burst(big), 31_300);
        // No RTT sample yet: no limit.
        let unknown = Rate {
            cwnd: 32 * 1_252,
            srtt: None,
        };
        assert!(p.can_send(SimTime::ZERO, unknown));
        assert_eq!(p.next_send_time(unknown), None);
    }

    /// The first ten packets leave at once (the full bucket), every later one when the bucket
    /// refilled a datagram: 1,252 B / 500,800 B/s = 2.5 ms, so the window of 32 packets takes
    /// 22 × 2.5 ms = 55 ms after the first burst instead of leaving at once (RFC 9002 §7.7:
    /// "spread over the RTT").
    #[test]
    fn spreads_an_initial_window_of_32_packets() {
        let rate = Rate {
            cwnd: 32 * 1_252,
            srtt: Some(MS(100)),
        };
        let mut p = Pacer::new(1_252);
        let mut now = SimTime::ZERO;
        let mut times = Vec::new();
        while times.len() < 32 {
            if p.can_send(now, rate) {
                p.on_sent(now, 1_252, rate);
                times.push(now);
            } else {
                now = p.next_send_time(rate).expect("waiting for budget");
            }
        }
        assert!(times[..10].iter().all(|&t| t == SimTime::ZERO));
        for w in times[10..].windows(2) {
            assert_eq!(w[1] - w[0], SimDuration::from_micros(2_500), "{times:?}");
        }
        assert_eq!(times[31], SimTime::from_micros(22 * 2_500));
        // The first paced packet waits the whole 2.5 ms: the burst left the bucket empty.
        assert_eq!(times[10], SimTime::from_micros(2_500));
    }

    /// `TimeUntilSend` waits at least MinPacingDelay (1 ms), even when the rate would refill
    /// a datagram sooner; the budget never exceeds the burst however long the sender idled.
    #[test]
    fn waits_at_least_the_minimum_delay_and_caps_the_bucket() {
        let fast = Rate {
            cwnd: 10_000 * 1_252,
            srtt: Some(MS(10)),
        };
        let mut p = Pacer::new(1_252);
        let burst = p.max_burst(fast);
        p.on_sent(SimTime::ZERO, burst, fast);
        assert_eq!(p.next_send_time(fast), Some(SimTime::from_millis(1)));
        assert_eq!(p.budget(SimTime::from_millis(10_000), fast), burst);
    }
}
