//! quic-go v0.29's congestion controller, as its server sends: `internal/congestion/
//! cubic_sender.go` constructed by `internal/ackhandler/sent_packet_handler.go
//! newSentPacketHandler` with `reno = true` ("use Reno"). So not CUBIC, and not RFC 9002's
//! NewReno either:
//!
//! - initial window 32 packets of 1,252 bytes (`initialCongestionWindow`), at most 10,000
//!   packets (`MaxCongestionWindowPackets`), at least 2 (`minCongestionWindowPackets`);
//! - slow start grows by one max datagram size per acknowledged packet, whatever its size
//!   (`maybeIncreaseCwnd`: "increase by one for each ACK"), congestion avoidance by one per
//!   window of acknowledged packets (`numAckedPackets`), and only while the sender used its
//!   window (`isCwndLimited`, decided by the connection from the bytes in flight before the
//!   ACK: see [`is_cwnd_limited`]);
//! - a loss multiplies the window by `renoBeta` = 0.7 (`OnPacketLost`), once per recovery
//!   period (losses of packets sent before the last reduction are ignored), and sets
//!   ssthresh to the result; nothing grows until a packet sent after the reduction is
//!   acknowledged (`InRecovery`);
//! - slow start ends early on a delay rise ([`HybridSlowStart`], `hybrid_slow_start.go`);
//! - path MTU discovery raises the datagram size, not the window (`SetMaxDatagramSize`: the
//!   window stays in bytes unless it was at the minimum).
//!
//! It lives with QUIC rather than in the shared `cc` module because only quic-go runs it: the
//! shared NewReno and CUBIC stay the RFC controllers TCP and the RFC QUIC endpoint use.

use crate::time::{SimDuration, SimTime};
use crate::transport::cc::{hystart, Controller, RttInfo};

use super::stack::{QUIC_GO_MAX_WINDOW_PACKETS, QUIC_GO_MIN_WINDOW_PACKETS};

/// quic-go `cubic_sender.go renoBeta`: "Reno backoff factor", 0.7, as 7/10 (Go truncates
/// `float64(cwnd) * 0.7` to whole bytes; so does the integer ratio).
pub const RENO_BETA_NUM: u64 = 7;
pub const RENO_BETA_DEN: u64 = 10;

/// quic-go `cubic_sender.go maxBurstPackets`: the window counts as used when at most 3
/// packets of it are left (`isCwndLimited`).
pub const MAX_BURST_PACKETS: u64 = 3;

/// quic-go `hybrid_slow_start.go hybridStartLowWindow`: slow start is left on a delay rise
/// only once the window is at least 16 packets.
pub const HYBRID_START_LOW_WINDOW: u64 = 16;
/// quic-go `hybrid_slow_start.go hybridStartMinSamples`: 8 RTT samples per round.
pub const HYBRID_START_MIN_SAMPLES: u32 = 8;

/// quic-go `cubic_sender.go isCwndLimited(priorInFlight)`: the window is in use if the
/// bytes in flight before the ACK fill it, or more than half of it in slow start, or leave
/// at most [`MAX_BURST_PACKETS`] datagrams of it. When it is not, the window does not grow.
pub fn is_cwnd_limited(prior_in_flight: u64, cwnd: u64, slow_start: bool, mds: u64) -> bool {
    if prior_in_flight >= cwnd {
        return true;
    }
    let available = cwnd - prior_in_flight;
    (slow_start && prior_in_flight > cwnd / 2) || available <= MAX_BURST_PACKETS * mds
}

/// quic-go's `HybridSlowStart` (delay detection only, as in `hybrid_slow_start.go`). Its
/// differences from the shared [`hystart`] (Linux's `hystart_update`): a sample is counted per
/// ACK frame from the first ACK on, whatever the window (the window must be 16 packets only
/// for the exit itself), and once the rise was found slow start ends as soon as the window
/// reaches 16 packets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HybridSlowStart {
    /// Send time of the last packet sent when the round started (`endPacketNumber`).
    end: Option<SimTime>,
    last_sent: Option<SimTime>,
    started: bool,
    current_min: Option<SimDuration>,
    samples: u32,
    found: bool,
}

impl HybridSlowStart {
    /// `OnPacketSent` (retransmittable packets only).
    pub fn on_sent(&mut self, now: SimTime) {
        self.last_sent = Some(now);
    }

    /// `ShouldExitSlowStart`, called once per ACK frame that gave an RTT sample
    /// (`cubicSender.MaybeExitSlowStart` from `sentPacketHandler.ReceivedAck`), with the
    /// window in packets.
    pub fn should_exit(&mut self, latest: SimDuration, min_rtt: SimDuration, packets: u64) -> bool {
        if !self.started {
            // StartReceiveRound(lastSentPacketNumber).
            self.end = self.last_sent;
            self.current_min = None;
            self.samples = 0;
            self.started = true;
        }
        if self.found {
            return true;
        }
        self.samples += 1;
        if self.samples <= HYBRID_START_MIN_SAMPLES {
            self.current_min = Some(self.current_min.map_or(latest, |m| m.min(latest)));
        }
        if self.samples == HYBRID_START_MIN_SAMPLES {
            // min_rtt >> 3, clamped to [4 ms, 16 ms] (hybridStartDelayMinThresholdUs,
            // hybridStartDelayMaxThresholdUs): the same threshold as Linux's.
            let threshold = hystart::delay_threshold(min_rtt);
            if self.current_min.is_some_and(|c| c > min_rtt + threshold) {
                self.found = true;
            }
        }
        packets >= HYBRID_START_LOW_WINDOW && self.found
    }

    /// `OnPacketAcked` (in slow start, after the window grew): the round ends when a packet
    /// sent after its last one is acknowledged.
    pub fn on_acked(&mut self, sent: SimTime) {
        if self.end.is_none_or(|end| sent > end) {
            self.started = false;
        }
    }

    /// `Restart`.
    pub fn restart(&mut self) {
        self.started = false;
        self.found = false;
    }
}

/// quic-go's `cubicSender` in Reno mode.
#[derive(Clone, Debug)]
pub struct QuicGoReno {
    mds: u64,
    window: u64,
    ssthresh: u64,
    /// Send time of the newest packet when the window was last reduced
    /// (`largestSentAtLastCutback`, by time instead of packet number).
    cutback: Option<SimTime>,
    last_sent: Option<SimTime>,
    /// `numAckedPackets`.
    acked_packets: u64,
    hystart: Option<HybridSlowStart>,
    /// `now` of the ACK being processed: the first packet acknowledged at a new instant
    /// stands for the ACK frame (quic-go calls `MaybeExitSlowStart` once per frame).
    last_ack_at: Option<SimTime>,
}

impl QuicGoReno {
    /// `NewCubicSender(clock, rttStats, initialMaxDatagramSize, reno = true, ...)`:
    /// `initial_window` in bytes (32 × 1,252 in quic-go).
    pub fn new(mds: u64, initial_window: u64, hystart: bool) -> QuicGoReno {
        QuicGoReno {
            mds,
            window: initial_window,
            ssthresh: u64::MAX,
            cutback: None,
            last_sent: None,
            acked_packets: 0,
            hystart: hystart.then(HybridSlowStart::default),
            last_ack_at: None,
        }
    }

    fn min_window(&self) -> u64 {
        QUIC_GO_MIN_WINDOW_PACKETS * self.mds
    }

    fn max_window(&self) -> u64 {
        QUIC_GO_MAX_WINDOW_PACKETS * self.mds
    }

    fn in_slow_start(&self) -> bool {
        self.window < self.ssthresh
    }
}

impl Controller for QuicGoReno {
    fn name(&self) -> &'static str {
        "quic-go reno"
    }

    fn on_sent(&mut self, now: SimTime, _bytes: u64) {
        self.last_sent = Some(now);
        if let Some(h) = &mut self.hystart {
            h.on_sent(now);
        }
    }

    fn on_ack(
        &mut self,
        now: SimTime,
        sent: SimTime,
        _bytes: u64,
        app_limited: bool,
        rtt: RttInfo,
    ) {
        if self.last_ack_at != Some(now) {
            self.last_ack_at = Some(now);
            // MaybeExitSlowStart, once per ACK frame, after the RTT update.
            let packets = self.window / self.mds.max(1);
            if self.in_slow_start() {
                if let Some(h) = &mut self.hystart {
                    if h.should_exit(rtt.latest, rtt.min, packets) {
                        self.ssthresh = self.window;
                    }
                }
            }
        }
        // OnPacketAcked: nothing grows in recovery.
        if self.in_recovery(sent) {
            return;
        }
        // maybeIncreaseCwnd.
        if !app_limited && self.window < self.max_window() {
            if self.in_slow_start() {
                self.window += self.mds;
            } else {
                self.acked_packets += 1;
                if self.acked_packets >= self.window / self.mds.max(1) {
                    self.window += self.mds;
                    self.acked_packets = 0;
                }
            }
        }
        if self.in_slow_start() {
            if let Some(h) = &mut self.hystart {
                h.on_acked(sent);
            }
        }
    }

    fn on_congestion_event(&mut self, now: SimTime, sent: SimTime, _lost: u64) {
        // OnPacketLost: "any losses in packets already sent should be treated as a single
        // loss event".
        if self.in_recovery(sent) {
            return;
        }
        self.window = (self.window * RENO_BETA_NUM / RENO_BETA_DEN).max(self.min_window());
        self.ssthresh = self.window;
        self.cutback = Some(self.last_sent.unwrap_or(now).max(sent));
        self.acked_packets = 0;
    }

    /// `OnRetransmissionTimeout(packetsRetransmitted = true)`. quic-go v0.29 never calls it
    /// (no persistent congestion), so neither does a quic-go endpoint here.
    fn on_timeout_collapse(&mut self, _now: SimTime) {
        self.cutback = None;
        if let Some(h) = &mut self.hystart {
            h.restart();
        }
        self.ssthresh = self.window / 2;
        self.window = self.min_window();
    }

    /// `SetMaxDatagramSize`: the window stays as it is unless it was the minimum.
    fn on_mtu_update(&mut self, max_datagram_size: u64, _min_window: u64) {
        let at_min = self.window == self.min_window();
        self.mds = max_datagram_size.max(self.mds);
        if at_min {
            self.window = self.min_window();
        }
    }

    fn window(&self) -> u64 {
        self.window
    }

    fn ssthresh(&self) -> u64 {
        self.ssthresh
    }

    fn in_recovery(&self, sent: SimTime) -> bool {
        self.cutback.is_some_and(|c| sent <= c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MDS: u64 = 1_252;
    const MIN: SimDuration = SimDuration::from_millis(100);

    fn rtt(latest: SimDuration) -> RttInfo {
        RttInfo {
            latest,
            smoothed: MIN,
            min: MIN,
        }
    }

    fn t(us: u64) -> SimTime {
        SimTime::from_micros(us)
    }

    /// Slow start: one datagram per acknowledged packet, whatever the packet's size; a loss
    /// multiplies by 0.7 and ends slow start; congestion avoidance adds one datagram per
    /// window of acknowledged packets; the window never falls below 2 datagrams.
    #[test]
    fn reno_with_beta_seven_tenths_counts_packets() {
        let mut cc = QuicGoReno::new(MDS, 32 * MDS, false);
        assert_eq!(cc.window(), 40_064);
        cc.on_sent(t(0), MDS);
        // A 100-byte packet acknowledged counts like a full one.
        cc.on_ack(t(100_000), t(0), 100, false, rtt(MIN));
        assert_eq!(cc.window(), 33 * MDS);
        // Not window-limited: no growth (isCwndLimited false).
        cc.on_ack(t(100_001), t(0), MDS, true, rtt(MIN));
        assert_eq!(cc.window(), 33 * MDS);
        cc.on_sent(t(150_000), MDS);
        cc.on_congestion_event(t(200_000), t(150_000), MDS);
        assert_eq!(cc.window(), 33 * MDS * 7 / 10);
        assert_eq!(cc.ssthresh(), cc.window());
        // A second loss of a packet sent before the reduction: ignored.
        cc.on_congestion_event(t(210_000), t(150_000), MDS);
        assert_eq!(cc.window(), 33 * MDS * 7 / 10);
        // ACKs of packets sent before the reduction do not grow the window.
        cc.on_ack(t(220_000), t(140_000), MDS, false, rtt(MIN));
        assert_eq!(cc.window(), 33 * MDS * 7 / 10);
        // Congestion avoidance: window / mds = 23 packets acknowledged add one datagram.
        let w = cc.window();
        let packets = w / MDS;
        for i in 0..packets {
            cc.on_ack(t(300_000 + i), t(250_000), MDS, false, rtt(MIN));
        }
        assert_eq!(cc.window(), w + MDS);
        for _ in 0..20 {
            let sent = cc.last_sent.unwrap() + SimDuration::from_micros(1);
            cc.on_sent(sent, MDS);
            cc.on_congestion_event(sent, sent, MDS);
        }
        assert_eq!(cc.window(), 2 * MDS);
    }

    /// The delay rise is found on the eighth sample of a round; slow start ends at once if
    /// the window is at least 16 packets.
    #[test]
    fn hybrid_slow_start_exits_on_the_eighth_sample_of_a_delayed_round() {
        let mut cc = QuicGoReno::new(MDS, 32 * MDS, true);
        cc.on_sent(t(0), MDS);
        // Seven ACK frames 20 ms above the minimum: no decision before the eighth.
        let late = MIN + SimDuration::from_millis(20);
        for i in 0..7 {
            cc.on_ack(t(100_000 + i * 10), t(0), MDS, true, rtt(late));
            assert_eq!(cc.ssthresh(), u64::MAX, "sample {i}");
        }
        cc.on_ack(t(100_100), t(0), MDS, true, rtt(late));
        assert_eq!(cc.ssthresh(), cc.window());
        assert_eq!(cc.window(), 32 * MDS);
    }

    /// 12.5 ms over a 100 ms minimum is within the threshold (min_rtt / 8): slow start goes
    /// on.
    #[test]
    fn hybrid_slow_start_ignores_a_rise_within_an_eighth_of_min_rtt() {
        let mut cc = QuicGoReno::new(MDS, 32 * MDS, true);
        cc.on_sent(t(0), MDS);
        let ok = MIN + SimDuration::from_micros(12_500);
        for i in 0..20 {
            cc.on_ack(t(100_000 + i * 10), t(0), MDS, false, rtt(ok));
        }
        assert_eq!(cc.ssthresh(), u64::MAX);
        assert_eq!(cc.window(), 52 * MDS);
    }

    #[test]
    fn cwnd_limited_as_quic_go_decides() {
        let cwnd = 32 * MDS;
        assert!(is_cwnd_limited(cwnd, cwnd, false, MDS));
        // Slow start: more than half the window in flight counts as limited.
        assert!(is_cwnd_limited(cwnd / 2 + 1, cwnd, true, MDS));
        assert!(!is_cwnd_limited(cwnd / 2, cwnd, true, MDS));
        // Congestion avoidance: at most 3 datagrams left.
        assert!(is_cwnd_limited(cwnd - 3 * MDS, cwnd, false, MDS));
        assert!(!is_cwnd_limited(cwnd - 3 * MDS - 1, cwnd, false, MDS));
    }

    /// Path MTU discovery keeps the window in bytes, unless it is the minimum.
    #[test]
    fn mtu_update_keeps_the_window() {
        let mut cc = QuicGoReno::new(MDS, 32 * MDS, false);
        cc.on_mtu_update(1_352, 2 * 1_352);
        assert_eq!(cc.window(), 32 * MDS);
        cc.on_ack(t(1), t(0), 1_352, false, rtt(MIN));
        assert_eq!(cc.window(), 32 * MDS + 1_352);
    }
}
