//! NewReno with byte counting: RFC 5681 §3.1 slow start and congestion avoidance, the
//! recovery period of RFC 6582 expressed, as RFC 9002 §7.3.2 does, by the send time of the
//! lost data, and the window floor of RFC 9002 §7.2 / RFC 5681 §3.1; optionally HyStart's
//! delay-based slow-start exit ([`super::hystart`]).

use super::hystart::HyStart;
use super::{Controller, RttInfo};
use crate::time::SimTime;

/// RFC 9002 §7.7 / RFC 5681 §3.1: the loss reduction factor, kLossReductionFactor = 0.5,
/// as the integer ratio 1/2.
const LOSS_REDUCTION_NUM: u64 = 1;
const LOSS_REDUCTION_DEN: u64 = 2;

#[derive(Clone, Debug)]
pub struct NewReno {
    mss: u64,
    window: u64,
    ssthresh: u64,
    /// Bytes acknowledged in congestion avoidance since the window last grew.
    bytes_acked: u64,
    /// Start of the current recovery period, if one was ever entered.
    recovery_start: Option<SimTime>,
    /// Delay-based slow-start exit ([`HyStart`]); `None`: classic slow start to the first loss.
    hystart: Option<HyStart>,
    min_window: u64,
    /// The window after a retransmission timeout (RFC 5681 §3.1 equation 4: the loss
    /// window, one segment for TCP); `min_window` unless set.
    timeout_window: u64,
}

impl NewReno {
    /// `initial_window` in bytes (RFC 6928: 10 segments for TCP; RFC 9002 §7.2:
    /// min(10 * max_datagram_size, max(14720, 2 * max_datagram_size)) for QUIC);
    /// `min_window` the floor after loss (RFC 9002 §7.2: 2 * max_datagram_size;
    /// RFC 5681 §3.1 equation 4: one segment after an RTO, two after fast retransmit).
    pub fn new(mss: u64, initial_window: u64, min_window: u64) -> NewReno {
        NewReno {
            mss,
            window: initial_window,
            ssthresh: u64::MAX,
            bytes_acked: 0,
            recovery_start: None,
            hystart: None,
            min_window,
            timeout_window: min_window,
        }
    }

    /// Sets the window after a retransmission timeout (TCP: one segment, RFC 5681 §3.1
    /// equation 4), which may be below the floor after a fast retransmit.
    pub fn with_timeout_window(mut self, timeout_window: u64) -> NewReno {
        self.timeout_window = timeout_window;
        self
    }

    /// Leaves slow start when the RTT rises ([`HyStart`], with its default exit
    /// [`super::hystart::DEFAULT_EXIT`]) if `enabled`.
    pub fn with_hystart(mut self, enabled: bool) -> NewReno {
        self.hystart = enabled.then(|| HyStart::new(super::hystart::DEFAULT_EXIT));
        self
    }
}

impl Controller for NewReno {
    fn name(&self) -> &'static str {
        "newreno"
    }

    fn on_sent(&mut self, now: SimTime, _bytes: u64) {
        if let Some(h) = &mut self.hystart {
            h.on_sent(now);
        }
    }

    fn on_ack(&mut self, now: SimTime, sent: SimTime, bytes: u64, app_limited: bool, rtt: RttInfo) {
        // RFC 9002 §7.3.2: no increase while in recovery for packets sent before it began.
        if self.in_recovery(sent) {
            return;
        }
        if self.window < self.ssthresh {
            // RFC 9002 §7.3.1 / RFC 3465: slow start grows by the bytes acknowledged,
            // unless HyStart ends it.
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
        } else if !app_limited {
            // RFC 5681 §3.1, with byte counting (RFC 3465 §2.1): one MSS per window acked.
            self.bytes_acked += bytes;
            if self.bytes_acked >= self.window {
                self.bytes_acked -= self.window;
                self.window += self.mss;
            }
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
        self.window = (self.window * LOSS_REDUCTION_NUM / LOSS_REDUCTION_DEN).max(self.min_window);
        self.ssthresh = self.window;
        self.bytes_acked = 0;
    }

    fn on_timeout_collapse(&mut self, now: SimTime) {
        self.ssthresh =
            (self.window * LOSS_REDUCTION_NUM / LOSS_REDUCTION_DEN).max(self.min_window);
        self.window = self.timeout_window;
        self.recovery_start = Some(now);
        if let Some(h) = &mut self.hystart {
            h.reset();
        }
        self.bytes_acked = 0;
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
    fn slow_start_then_halving_then_linear_growth() {
        let mut cc = NewReno::new(1000, 10_000, 2_000);
        let t = SimTime::from_millis;
        cc.on_ack(t(100), t(0), 10_000, false, RTT);
        assert_eq!(cc.window(), 20_000);
        cc.on_congestion_event(t(200), t(150), 1000);
        assert_eq!((cc.window(), cc.ssthresh()), (10_000, 10_000));
        // A second loss from the same flight does not reduce again.
        cc.on_congestion_event(t(210), t(160), 1000);
        assert_eq!(cc.window(), 10_000);
        // ACKs of data sent before recovery began do not grow the window.
        cc.on_ack(t(220), t(190), 5_000, false, RTT);
        assert_eq!(cc.window(), 10_000);
        // Congestion avoidance: one MSS per window of acknowledged bytes.
        cc.on_ack(t(300), t(250), 9_999, false, RTT);
        assert_eq!(cc.window(), 10_000);
        cc.on_ack(t(300), t(250), 1, false, RTT);
        assert_eq!(cc.window(), 11_000);
        cc.on_timeout_collapse(t(400));
        assert_eq!((cc.window(), cc.ssthresh()), (2_000, 5_500));
    }

    /// RFC 9002 §7.2: after path MTU discovery the window grows by the new datagram size
    /// and its floor is 2 × the new size.
    #[test]
    fn mtu_update_changes_growth_step_and_floor() {
        let mut cc = NewReno::new(1_200, 12_000, 2_400);
        let t = SimTime::from_millis;
        cc.on_congestion_event(t(10), t(5), 1_200);
        assert_eq!(cc.window(), 6_000);
        cc.on_mtu_update(1_472, 2_944);
        // Congestion avoidance: one new datagram size per window acknowledged.
        cc.on_ack(t(100), t(50), 6_000, false, RTT);
        assert_eq!(cc.window(), 6_000 + 1_472);
        // Persistent congestion collapses to the new floor.
        cc.on_timeout_collapse(t(200));
        assert_eq!(cc.window(), 2_944);
    }
}
