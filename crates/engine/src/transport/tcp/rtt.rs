//! The retransmission timer's estimator, RFC 6298, in integer microseconds.

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;

/// RFC 6298 §2.1: before any RTT sample, RTO = 1 second.
pub const INITIAL_RTO: SimDuration = SimDuration::from_secs(1);
/// RFC 6298 §5.7: if the SYN or SYN-ACK was retransmitted and no sample was taken, RTO is
/// 3 seconds when data transmission begins.
pub const SYN_RETRANSMITTED_RTO: SimDuration = SimDuration::from_secs(3);
/// RFC 6298 §2.5: "A maximum value MAY be placed on RTO provided it is at least 60 seconds."
pub const MAX_RTO: SimDuration = SimDuration::from_secs(60);
/// RFC 6298 §2: K = 4.
const K: u64 = 4;
/// RFC 6298 §2: G, the clock granularity. Linux arms the RTO timer in jiffies (HZ = 1000):
/// 1 ms.
pub const CLOCK_GRANULARITY: SimDuration = SimDuration::from_millis(1);
/// RFC 6298 §2.3: alpha = 1/8, beta = 1/4.
const ALPHA_DEN: u64 = 8;
const BETA_DEN: u64 = 4;

/// SRTT, RTTVAR and the RTO with its exponential backoff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RttEstimator {
    pub srtt: Option<SimDuration>,
    pub rttvar: SimDuration,
    pub latest: SimDuration,
    pub min: SimDuration,
    /// RTO before backoff.
    base_rto: SimDuration,
    /// Number of doublings (RFC 6298 §5.5).
    pub backoff: u32,
    min_rto: SimDuration,
}

impl RttEstimator {
    pub fn new(min_rto: SimDuration) -> RttEstimator {
        RttEstimator {
            srtt: None,
            rttvar: SimDuration::ZERO,
            latest: SimDuration::ZERO,
            min: SimDuration::ZERO,
            base_rto: INITIAL_RTO,
            backoff: 0,
            min_rto,
        }
    }

    /// RFC 6298 §2.2 and §2.3: a new measurement (never from a retransmitted segment:
    /// Karn's algorithm, §3). A sample also ends the backoff (§5.7's note).
    pub fn on_sample(&mut self, r: SimDuration) {
        let r_us = r.as_micros();
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = SimDuration::from_micros(r_us / 2);
                self.min = r;
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
                self.min = self.min.min(r);
            }
        }
        self.latest = r;
        let srtt = self.srtt.unwrap_or(r);
        // RFC 6298 §2.2/§2.3: RTO = SRTT + max(G, K·RTTVAR); §2.4 the floor; §2.5 the cap.
        self.base_rto = (srtt + CLOCK_GRANULARITY.max(self.rttvar * K))
            .max(self.min_rto)
            .min(MAX_RTO);
        self.backoff = 0;
    }

    /// RFC 6298 §5.7: the SYN was retransmitted; without a sample RTO restarts at 3 s.
    pub fn on_syn_retransmitted(&mut self) {
        if self.srtt.is_none() {
            self.base_rto = SYN_RETRANSMITTED_RTO;
            self.backoff = 0;
        }
    }

    /// RFC 6298 §5.5: back off the timer.
    pub fn on_timeout(&mut self) {
        if self.rto() < MAX_RTO {
            self.backoff += 1;
        }
    }

    /// The RTO in force, backoff included.
    pub fn rto(&self) -> SimDuration {
        let mut rto = self.base_rto;
        for _ in 0..self.backoff {
            rto = (rto * 2).min(MAX_RTO);
        }
        rto
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
}
