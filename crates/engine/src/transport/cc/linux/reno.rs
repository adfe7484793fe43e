//! Reno as `net/ipv4/tcp_cong.c` runs it (`tcp_reno_ssthresh`, `tcp_reno_cong_avoid`),
//! with the shared [`HyStart`] as a protoviz option.

use super::hystart::HyStart;
use super::{CaState, CongestionOps, HyStartExit, SenderInfo, Window};
use crate::time::SimDuration;

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
