//! Delay-based slow-start exit: HyStart (Ha & Rhee, "Taming the elephants: New TCP slow start",
//! Computer Networks 55(9), 2011), as Linux's CUBIC runs it (`net/ipv4/tcp_cubic.c`,
//! `hystart_update`, delay detection) and Chromium's QUIC does (`HybridSlowStart`).
//!
//! Slow start doubles the window every round trip; once the window passes the path's
//! bandwidth-delay product the excess waits in the bottleneck queue, so the round trip grows
//! before the queue overflows. HyStart watches the smallest RTT of the first few ACKs of each
//! round and leaves slow start (ssthresh = cwnd) when it exceeds the path's minimum RTT by
//! clamp(min_rtt / 8, 4 ms, 16 ms): the queue is building, and one more doubling would
//! overflow it.
//!
//! Two exits are modelled:
//! - [`Exit::Direct`] (Linux, Chromium): ssthresh = cwnd at once; congestion avoidance
//!   follows. This is the default ([`DEFAULT_EXIT`]): it is what the deployed stacks the
//!   lanes stand for run (Linux's default `tcp_cubic` with `hystart_detect = 3`, whose
//!   delay detection this is; Chromium's `TcpCubicSenderBytes` with `HybridSlowStart`).
//! - [`Exit::Conservative`] (RFC 9406 HyStart++ §4.2): compares against the previous round's
//!   minimum instead, then grows by 1/4 of slow start (Conservative Slow Start) for 5 rounds
//!   before congestion avoidance, and goes back to slow start if the RTT falls again.
//!
//! Measured on the blog preset at 0 % loss (RTT 100 ms, 10 Mbit/s, one-BDP queue),
//! retransmissions h1 / h2 / h2-push / h3: classic slow start 27 / 168 / 168 / 171; direct
//! exit 0 / 131 / 168 / 104; RFC 9406 CSS 25 / 140 / 168 / 120. The direct exit removes more
//! of the overflow, as expected: CSS keeps growing (by a quarter) for five more rounds, and
//! comparing with the last round's minimum rather than the path's notices a standing queue
//! later. Neither removes all of it: the first ACKs of a round acknowledge the first packets
//! of the previous round, so the rise shows one round after the queue starts to build, and
//! with a queue of one BDP a window doubling from near the BDP overflows within that round.
//! At 2 % loss (blog, tiles) nothing changes: losses end slow start before the window
//! reaches [`LOW_WINDOW_SEGMENTS`].
//!
//! Rounds are told apart by send times (the controller sees no sequence numbers): a round
//! ends when data sent after the round began is acknowledged (Linux: `snd_una` passing the
//! `snd_nxt` of the round start; Chromium: `end_packet_number_`). One ACK is one RTT sample
//! (all packets an ACK covers are reported at the same `now`), with the sender's latest RTT.

use super::RttInfo;
use crate::time::{SimDuration, SimTime};

/// Linux `tcp_cubic.c` HYSTART_MIN_SAMPLES / Chromium `kHybridStartMinSamples` / RFC 9406
/// §4.3 N_RTT_SAMPLE: RTT samples a round needs before its minimum is compared.
pub const MIN_SAMPLES: u32 = 8;
/// Linux `tcp_cubic.c` HYSTART_DELAY_MIN / Chromium `kHybridStartDelayMinThresholdUs` /
/// RFC 9406 §4.3 MIN_RTT_THRESH: the delay threshold is at least 4 ms.
pub const DELAY_MIN: SimDuration = SimDuration::from_millis(4);
/// Linux `tcp_cubic.c` HYSTART_DELAY_MAX / Chromium `kHybridStartDelayMaxThresholdUs` /
/// RFC 9406 §4.3 MAX_RTT_THRESH: the delay threshold is at most 16 ms.
pub const DELAY_MAX: SimDuration = SimDuration::from_millis(16);
/// Linux `tcp_cubic.c` HYSTART_DELAY_THRESH(delay_min >> 3) / Chromium
/// `kHybridStartDelayFactorExp = 3` / RFC 9406 §4.3 MIN_RTT_DIVISOR: the threshold is
/// min_rtt / 8 before clamping.
pub const DELAY_DIVISOR: u64 = 8;
/// Linux `tcp_cubic.c` `hystart_low_window = 16` / Chromium `kHybridStartLowWindow = 16`:
/// HyStart only acts once the window is at least 16 segments.
pub const LOW_WINDOW_SEGMENTS: u64 = 16;
/// RFC 9406 §4.3 CSS_GROWTH_DIVISOR: Conservative Slow Start grows by a quarter of slow start.
pub const CSS_GROWTH_DIVISOR: u64 = 4;
/// RFC 9406 §4.3 CSS_ROUNDS: rounds of Conservative Slow Start before congestion avoidance.
pub const CSS_ROUNDS: u32 = 5;

/// The delay threshold: clamp(min_rtt / 8, 4 ms, 16 ms) (Linux `HYSTART_DELAY_THRESH`,
/// RFC 9406 §4.2 RttThresh).
pub fn delay_threshold(min_rtt: SimDuration) -> SimDuration {
    SimDuration::from_micros(
        (min_rtt.as_micros() / DELAY_DIVISOR).clamp(DELAY_MIN.as_micros(), DELAY_MAX.as_micros()),
    )
}

/// Serde default of the `hystart` switches: on, as in Linux and Chromium.
pub fn enabled_by_default() -> bool {
    true
}

/// The exit the controllers use: see the module documentation for why.
pub const DEFAULT_EXIT: Exit = Exit::Direct;

/// How slow start ends once the delay rise is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Linux / Chromium HyStart: ssthresh = cwnd.
    Direct,
    /// RFC 9406 HyStart++: Conservative Slow Start for [`CSS_ROUNDS`] rounds.
    Conservative,
}

/// What slow start does with the bytes of one ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Growth {
    /// Grow by the bytes acknowledged (RFC 5681 §3.1 with RFC 3465 byte counting).
    SlowStart,
    /// RFC 9406 §4.2: grow by bytes / [`CSS_GROWTH_DIVISOR`].
    Conservative,
    /// Leave slow start now: ssthresh = cwnd.
    Exit,
}

/// HyStart state of one connection.
#[derive(Clone, Debug)]
pub struct HyStart {
    exit: Exit,
    /// Send time of the newest data when the current round began; `None` before the first.
    round_end: Option<SimTime>,
    /// Send time of the newest data.
    last_sent: Option<SimTime>,
    /// Smallest RTT of the first [`MIN_SAMPLES`] samples of this round and the last one.
    round_min: Option<SimDuration>,
    last_round_min: Option<SimDuration>,
    samples: u32,
    /// The `now` of the last sample: acknowledgements at the same instant are one ACK.
    last_sample_at: Option<SimTime>,
    /// The delay rise was found (Linux `ca->found`); slow start is over until a timeout.
    found: bool,
    /// RFC 9406: in Conservative Slow Start since this many rounds, with this baseline.
    css: Option<(u32, SimDuration)>,
}

impl HyStart {
    pub fn new(exit: Exit) -> HyStart {
        HyStart {
            exit,
            round_end: None,
            last_sent: None,
            round_min: None,
            last_round_min: None,
            samples: 0,
            last_sample_at: None,
            found: false,
            css: None,
        }
    }

    pub fn on_sent(&mut self, now: SimTime) {
        self.last_sent = Some(now);
    }

    /// A loss ended slow start (and Conservative Slow Start, RFC 9406 §4.2).
    pub fn on_congestion(&mut self) {
        self.found = true;
        self.css = None;
    }

    /// After a retransmission timeout slow start runs again, and so does HyStart (Linux
    /// `cubictcp_state(TCP_CA_Loss)`: `bictcp_reset` clears `found`, `bictcp_hystart_reset`).
    pub fn reset(&mut self) {
        *self = HyStart {
            last_sent: self.last_sent,
            ..HyStart::new(self.exit)
        };
    }

    /// A round begins at an ACK of data sent at `sent`: it ends when data sent after the
    /// newest data sent so far is acknowledged.
    fn start_round(&mut self, sent: SimTime) {
        self.round_end = Some(self.last_sent.unwrap_or(sent).max(sent));
        self.last_round_min = self.round_min;
        self.round_min = None;
        self.samples = 0;
        self.last_sample_at = None;
    }

    /// An ACK in slow start of data sent at `sent`, the window being `window` bytes of
    /// `mss`-byte segments: how slow start grows for it.
    pub fn on_ack(
        &mut self,
        now: SimTime,
        sent: SimTime,
        window: u64,
        mss: u64,
        rtt: RttInfo,
    ) -> Growth {
        if self.found {
            return Growth::SlowStart;
        }
        let new_round = self.round_end.is_none_or(|end| sent > end);
        if new_round {
            if let Some((rounds, _)) = &mut self.css {
                // RFC 9406 §4.2: after CSS_ROUNDS rounds of CSS, enter congestion avoidance.
                *rounds += 1;
                if *rounds >= CSS_ROUNDS {
                    self.found = true;
                    return Growth::Exit;
                }
            }
            self.start_round(sent);
        }
        // Linux: hystart_update only runs once cwnd >= hystart_low_window.
        if window < LOW_WINDOW_SEGMENTS * mss.max(1) {
            return Growth::SlowStart;
        }
        if self.last_sample_at != Some(now) {
            self.last_sample_at = Some(now);
            if self.samples < MIN_SAMPLES {
                self.samples += 1;
                self.round_min = Some(self.round_min.map_or(rtt.latest, |m| m.min(rtt.latest)));
            }
        }
        let in_css = self.css.map(|(_, baseline)| baseline);
        if self.samples < MIN_SAMPLES {
            return if in_css.is_some() {
                Growth::Conservative
            } else {
                Growth::SlowStart
            };
        }
        let Some(current) = self.round_min else {
            return Growth::SlowStart;
        };
        match (self.exit, in_css) {
            (Exit::Direct, _) => {
                // Linux hystart_update: curr_rtt > delay_min + HYSTART_DELAY_THRESH(delay_min >> 3).
                if current > rtt.min + delay_threshold(rtt.min) {
                    self.found = true;
                    Growth::Exit
                } else {
                    Growth::SlowStart
                }
            }
            (Exit::Conservative, None) => {
                // RFC 9406 §4.2: currentRoundMinRTT >= lastRoundMinRTT + RttThresh.
                match self.last_round_min {
                    Some(last) if current >= last + delay_threshold(last) => {
                        self.css = Some((0, current));
                        Growth::Conservative
                    }
                    _ => Growth::SlowStart,
                }
            }
            (Exit::Conservative, Some(baseline)) => {
                // RFC 9406 §4.2: the RTT fell below the baseline: the rise was spurious.
                if current < baseline {
                    self.css = None;
                    Growth::SlowStart
                } else {
                    Growth::Conservative
                }
            }
        }
    }
}

/// One acknowledgement, as a controller's slow start sees it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ack {
    pub now: SimTime,
    pub sent: SimTime,
    pub bytes: u64,
    pub app_limited: bool,
    pub rtt: RttInfo,
}

/// Slow start for an ACK (RFC 5681 §3.1 / RFC 3465 byte counting) of a controller whose
/// window, threshold and segment size these are, unless `hystart` ends it or slows it down.
/// HyStart takes its sample even when the window must not grow (`app_limited`, RFC 9002
/// §7.8), as Linux's `bictcp_acked` and Chromium's `OnCongestionEvent` do.
pub(super) fn slow_start(
    hystart: Option<&mut HyStart>,
    window: &mut u64,
    ssthresh: &mut u64,
    mss: u64,
    ack: Ack,
) {
    let growth = match hystart {
        Some(h) => h.on_ack(ack.now, ack.sent, *window, mss, ack.rtt),
        None => Growth::SlowStart,
    };
    match growth {
        _ if ack.app_limited && growth != Growth::Exit => {}
        Growth::SlowStart => *window += ack.bytes,
        Growth::Conservative => *window += ack.bytes / CSS_GROWTH_DIVISOR,
        // Linux hystart_update: tp->snd_ssthresh = tcp_snd_cwnd(tp).
        Growth::Exit => *ssthresh = *window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::cc::{Controller, Cubic, NewReno};

    const MSS: u64 = 1_000;
    /// The path's minimum RTT in these tests: 100 ms, threshold 12.5 ms.
    const MIN: SimDuration = SimDuration::from_millis(100);

    fn rtt(latest_us: u64) -> RttInfo {
        RttInfo {
            latest: SimDuration::from_micros(latest_us),
            smoothed: MIN,
            min: MIN,
        }
    }

    /// Round `r` starts at 1 s + r·100 ms; its ACKs come 10 µs apart, each for one segment
    /// of the previous round (sent two per ACK), each answered by sending two segments.
    fn at(r: u64, i: u64) -> SimTime {
        SimTime::from_micros(1_000_000 + r * 100_000 + i * 10)
    }

    /// Drives `cc` through round `r` of `acks` ACKs, the i-th with RTT `latest(i)` µs.
    /// Returns the index of the ACK at which slow start ended, if it did.
    fn round(
        cc: &mut dyn Controller,
        r: u64,
        acks: u64,
        latest: impl Fn(u64) -> u64,
    ) -> Option<u64> {
        let mut ended = None;
        let ssthresh = cc.ssthresh();
        for i in 0..acks {
            let sent = if r == 0 {
                SimTime::ZERO
            } else {
                at(r - 1, i / 2)
            };
            cc.on_ack(at(r, i), sent, MSS, false, rtt(latest(i)));
            cc.on_sent(at(r, i), MSS);
            cc.on_sent(at(r, i), MSS);
            if ended.is_none() && cc.ssthresh() != ssthresh {
                ended = Some(i);
            }
        }
        ended
    }

    #[test]
    fn threshold_is_an_eighth_of_min_rtt_clamped_to_4_and_16_ms() {
        let ms = SimDuration::from_millis;
        assert_eq!(delay_threshold(ms(100)), SimDuration::from_micros(12_500));
        assert_eq!(delay_threshold(ms(40)), ms(5));
        // 20 ms / 8 = 2.5 ms, raised to 4 ms; 1 s / 8 = 125 ms, lowered to 16 ms.
        assert_eq!(delay_threshold(ms(20)), ms(4));
        assert_eq!(delay_threshold(SimDuration::ZERO), ms(4));
        assert_eq!(delay_threshold(ms(1_000)), ms(16));
        assert_eq!(delay_threshold(ms(128)), ms(16));
        assert_eq!(delay_threshold(ms(32)), ms(4));
    }

    fn controllers(window_segments: u64) -> [Box<dyn Controller>; 2] {
        let w = window_segments * MSS;
        [
            Box::new(NewReno::new(MSS, w, 2 * MSS).with_hystart(true)),
            Box::new(Cubic::new(MSS, w, 2 * MSS).with_hystart(true)),
        ]
    }

    /// The RTT rises by more than 12.5 ms over the 100 ms minimum: slow start ends at the
    /// 8th sample of the round with ssthresh = cwnd, and the window then grows as in
    /// congestion avoidance.
    #[test]
    fn exits_at_the_eighth_sample_of_a_round_whose_minimum_rose() {
        for mut cc in controllers(20) {
            // 112.5 ms is not above the threshold: slow start goes on.
            assert_eq!(round(cc.as_mut(), 0, 20, |_| 112_500), None);
            assert_eq!(cc.window(), 40 * MSS, "{}", cc.name());
            // 112.501 ms is: the 8th ACK of the next round ends slow start.
            let exit = round(cc.as_mut(), 1, 40, |_| 112_501);
            assert_eq!(exit, Some(7), "{}", cc.name());
            // Seven ACKs grew the window; the eighth set ssthresh to it.
            assert_eq!(cc.ssthresh(), 47 * MSS, "{}", cc.name());
            // Congestion avoidance: 32 more ACKs grow it by less than a segment or two.
            assert!(cc.window() <= 49 * MSS, "{} {}", cc.name(), cc.window());
        }
    }

    /// Seven high samples are not enough; the minimum is over the round's first eight
    /// samples, so one low sample among them keeps slow start going; several ACKs at one
    /// instant are one sample.
    #[test]
    fn needs_eight_samples_and_their_minimum() {
        for mut cc in controllers(20) {
            assert_eq!(round(cc.as_mut(), 0, 20, |_| 100_000), None);
            // Seven samples only: the round ends before the eighth.
            assert_eq!(round(cc.as_mut(), 1, 7, |_| 150_000), None);
            assert_eq!(cc.window(), 47 * MSS, "{}", cc.name());
            // The 8th sample is low, so the minimum of the first eight is.
            let low_eighth = |i: u64| if i == 7 { 100_000 } else { 150_000 };
            assert_eq!(round(cc.as_mut(), 2, 14, low_eighth), None, "{}", cc.name());
            // Only the first eight samples count: later high ones change nothing.
            assert_eq!(cc.ssthresh(), u64::MAX);
            // Round 3: sixteen ACKs, at eight instants two by two: the 8th instant exits.
            let mut ended = None;
            for i in 0..16 {
                let now = at(3, i / 2);
                cc.on_ack(now, at(2, i / 2), MSS, false, rtt(150_000));
                cc.on_sent(now, MSS);
                if ended.is_none() && cc.ssthresh() != u64::MAX {
                    ended = Some(i);
                }
            }
            assert_eq!(ended, Some(14), "{}", cc.name());
        }
    }

    /// Below 16 segments HyStart does not act, however high the RTT.
    #[test]
    fn not_below_the_low_window() {
        for mut cc in controllers(2) {
            // 2 → 4 → 8 → 16 segments over three rounds, then the next round exits.
            for r in 0..3 {
                let acks = cc.window() / MSS;
                assert_eq!(round(cc.as_mut(), r, acks, |_| 200_000), None);
            }
            assert_eq!(cc.window(), 16 * MSS, "{}", cc.name());
            assert_eq!(round(cc.as_mut(), 3, 16, |_| 200_000), Some(7));
            assert_eq!(cc.ssthresh(), 23 * MSS);
        }
        // Samples taken below 16 segments do not count: from 12 segments, the 8th sample
        // at 16 segments or more is the 12th ACK.
        for mut cc in controllers(12) {
            assert_eq!(
                round(cc.as_mut(), 0, 30, |_| 200_000),
                Some(11),
                "{}",
                cc.name()
            );
            assert_eq!(cc.ssthresh(), 23 * MSS);
        }
    }

    /// A flat RTT never ends slow start: the window doubles every round.
    #[test]
    fn never_when_rtt_stays_flat() {
        for mut cc in controllers(16) {
            for r in 0..8 {
                let acks = cc.window() / MSS;
                // Queueing of 12.5 ms at most, the threshold itself.
                let rising = |i: u64| 100_000 + (i * 500).min(12_500);
                assert_eq!(round(cc.as_mut(), r, acks, rising), None, "{}", cc.name());
            }
            assert_eq!(cc.window(), (16 << 8) * MSS, "{}", cc.name());
            assert_eq!(cc.ssthresh(), u64::MAX);
        }
    }

    /// ACKs while the sender does not fill the window (RFC 9002 §7.8) do not grow it, but
    /// still count as samples (Linux `bictcp_acked`, Chromium `OnCongestionEvent`), and can
    /// end slow start.
    #[test]
    fn app_limited_acks_are_samples() {
        for mut cc in controllers(20) {
            for i in 0..8 {
                cc.on_ack(at(0, i), SimTime::ZERO, MSS, true, rtt(150_000));
                assert_eq!(cc.window(), 20 * MSS, "{}", cc.name());
            }
            assert_eq!(cc.ssthresh(), 20 * MSS, "{}", cc.name());
        }
    }

    /// Without HyStart a rising RTT does not end slow start (RFC 5681).
    #[test]
    fn off_means_classic_slow_start() {
        let mut reno = NewReno::new(MSS, 20 * MSS, 2 * MSS);
        let mut cubic = Cubic::new(MSS, 20 * MSS, 2 * MSS).with_hystart(false);
        for cc in [&mut reno as &mut dyn Controller, &mut cubic] {
            assert_eq!(round(cc, 0, 20, |_| 300_000), None);
            assert_eq!(round(cc, 1, 40, |_| 300_000), None);
            assert_eq!(cc.window(), 80 * MSS);
        }
    }

    /// After a timeout slow start runs again and so does HyStart (Linux resets `found`).
    #[test]
    fn rearmed_after_timeout() {
        for mut cc in controllers(20) {
            assert_eq!(round(cc.as_mut(), 0, 20, |_| 100_000), None);
            assert_eq!(round(cc.as_mut(), 1, 40, |_| 150_000), Some(7));
            // The timeout, after the last ACK; the retransmission goes at round 2.
            cc.on_timeout_collapse(at(1, 50));
            assert!(cc.ssthresh() > 16 * MSS, "{}", cc.ssthresh());
            cc.on_sent(at(2, 0), MSS);
            cc.on_sent(at(2, 0), MSS);
            // Slow start from 2 segments back to 16, then a high round exits early.
            let mut r = 3;
            while cc.window() < 16 * MSS {
                let acks = cc.window() / MSS;
                assert_eq!(round(cc.as_mut(), r, acks, |_| 100_000), None);
                r += 1;
            }
            assert_eq!(cc.window(), 16 * MSS, "{}", cc.name());
            assert_eq!(round(cc.as_mut(), r, 16, |_| 150_000), Some(7));
            assert_eq!(cc.ssthresh(), 23 * MSS, "{}", cc.name());
        }
    }

    /// RFC 9406: once the round minimum rises over the last round's, Conservative Slow Start
    /// grows by a quarter for five rounds, then slow start ends.
    #[test]
    fn conservative_variant_grows_by_a_quarter_for_five_rounds() {
        let mut h = HyStart::new(Exit::Conservative);
        let mut window = 20 * MSS;
        let mut last = Vec::new();
        for r in 0..8u64 {
            let latest = if r == 0 { 100_000 } else { 120_000 };
            let mut step = Growth::SlowStart;
            for i in 0..10 {
                let sent = if r == 0 { SimTime::ZERO } else { at(r - 1, i) };
                step = h.on_ack(at(r, i), sent, window, MSS, rtt(latest));
                h.on_sent(at(r, i));
                window += match step {
                    Growth::SlowStart => MSS,
                    Growth::Conservative => MSS / CSS_GROWTH_DIVISOR,
                    Growth::Exit => 0,
                };
            }
            last.push(step);
        }
        use Growth::{Conservative, SlowStart};
        // Round 1 detects the rise at its 8th sample; rounds 2 to 5 are CSS; the first ACK
        // of round 6 ends slow start (found: the controller is in congestion avoidance).
        assert_eq!(
            last,
            [
                SlowStart,
                Conservative,
                Conservative,
                Conservative,
                Conservative,
                Conservative,
                SlowStart,
                SlowStart
            ]
        );
    }
}
