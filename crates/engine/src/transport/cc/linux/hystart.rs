//! HyStart as `net/ipv4/tcp_cubic.c` runs it (`bictcp_hystart_reset`, `hystart_update`,
//! `hystart_ack_delay`): the ACK-train and the delay detection that end slow start, for
//! [`super::LinuxCubic`] and, as a protoviz option, [`super::LinuxReno`].

use super::{SenderInfo, Window};
use crate::time::{SimDuration, SimTime};

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
