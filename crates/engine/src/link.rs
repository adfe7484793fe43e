//! One network path, shared by every connection of a lane: propagation delay, a bottleneck in
//! each direction that serialises packets at its bandwidth behind a drop-tail queue, and loss.
//!
//! Sans-IO: [`Link::send`] is told when a packet reaches the bottleneck and says when it
//! arrives at the other end, or why it never will. The caller schedules the arrival.
//!
//! Loss is decided **by packet ordinal per direction**: the n-th packet sent on the downlink is
//! lost or not whatever it carries and whenever it is sent, so every lane of one scenario (and
//! both runs of the same scenario) gets the same luck. Each direction has its own PCG stream,
//! advanced exactly once per ordinal. This module is the only place in the engine that draws
//! random numbers.
//!
//! Owns: the path between the two ends (delay, bandwidth, queue, loss) and its packet
//! accounting. May import: [`crate::sim`] (it is the driver's [`Path`]) and [`crate::time`];
//! the transports size their packets by it, the lanes own one per lane.

use core::fmt;
use std::collections::VecDeque;

use rand_core::RngCore;
use rand_pcg::Pcg32;
use serde::{Deserialize, Serialize};

use crate::sim::{Path, Side};
use crate::time::{SimDuration, SimTime};

/// Which way bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Client to server.
    Up,
    /// Server to client.
    Down,
}

impl From<Side> for Direction {
    /// The direction `side` sends in: the client up, the server down.
    fn from(side: Side) -> Direction {
        match side {
            Side::Client => Direction::Up,
            Side::Server => Direction::Down,
        }
    }
}

/// Probabilities are integers in parts per million: 1_000_000 is certainty.
pub const PPM: u32 = 1_000_000;

/// How packets are lost on the path (after the bottleneck: a lost packet still used its
/// serialisation slot, as a packet corrupted or dropped further along the path does).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum LossModel {
    /// Nothing is lost (except by queue overflow).
    #[default]
    None,
    /// Each packet is lost independently with probability `ppm` / 1_000_000 (Bernoulli).
    Random { ppm: u32 },
    /// Gilbert–Elliott (the simple Gilbert form: the Bad state loses every packet, the Good
    /// state none), parameterised by the long-run loss rate `ppm` / 1_000_000 and the mean
    /// number of consecutive packets lost in a burst `mean_burst` (≥ 1). The chain's
    /// transition probabilities follow: P(Bad→Good) = 1 / mean_burst and
    /// P(Good→Bad) = rate · P(Bad→Good) / (1 − rate).
    Bursty { ppm: u32, mean_burst: u32 },
    /// Exactly these packet ordinals (counted from 0, per direction, over every packet of
    /// the lane in the order they reach the bottleneck) are lost; for scripted lessons.
    Scripted { up: Vec<u64>, down: Vec<u64> },
}

/// The path of one lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// Round-trip propagation delay: the downlink gets half (rounded down), the uplink the
    /// rest, so the two add up to exactly `rtt`.
    pub rtt: SimDuration,
    /// Bottleneck bandwidth from server to client, bits per second.
    pub downlink_bps: u64,
    /// Bottleneck bandwidth from client to server, bits per second.
    pub uplink_bps: u64,
    /// Drop-tail queue limit in bytes at each bottleneck, counting the packet being
    /// serialised; `None` means [`DEFAULT_QUEUE_FLOOR`] or one bandwidth-delay product of
    /// that direction, whichever is larger.
    pub queue_bytes: Option<u64>,
    pub loss: LossModel,
    /// Seed of the loss draws.
    pub seed: u64,
}

/// The smallest default bottleneck queue, bytes: 64 KiB. A bottleneck's buffer is a
/// property of the device (a home router's or modem's transmit queue), not of the path's
/// round trip, so it does not shrink to a few packets when the RTT is short; one BDP alone
/// gives 4 packets at 5 ms and 10 Mbit/s, and then 0 %-loss loads got *faster* as the RTT
/// rose (the queue grew with it; issue 15). The real-stack rig we validate against
/// (`../shared/rig/netem.py`, `max(64 * 1024, bdp)`; docs/validation.md) uses the same rule.
pub const DEFAULT_QUEUE_FLOOR: u64 = 64 * 1024;

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            rtt: SimDuration::from_millis(100),
            downlink_bps: 10_000_000,
            uplink_bps: 5_000_000,
            queue_bytes: None,
            loss: LossModel::None,
            seed: 0,
        }
    }
}

/// A link configuration that cannot be used, with what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkConfigError {
    ZeroBandwidth(Direction),
    RateTooHigh { ppm: u32 },
    BurstTooShort { mean_burst: u32 },
}

impl fmt::Display for LinkConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkConfigError::ZeroBandwidth(d) => {
                write!(f, "{d:?} bandwidth is 0 bit/s; it must be at least 1 bit/s")
            }
            LinkConfigError::RateTooHigh { ppm } => write!(
                f,
                "loss rate is {ppm} ppm; allowed: 0 to 999999 ppm (below certainty)"
            ),
            LinkConfigError::BurstTooShort { mean_burst } => write!(
                f,
                "mean burst length is {mean_burst} packets; it must be at least 1"
            ),
        }
    }
}

impl std::error::Error for LinkConfigError {}

impl LinkConfig {
    /// Checks every field. [`Link::new`] also accepts invalid configurations (it clamps them),
    /// so nothing panics, but a scenario should reject them with this error.
    pub fn validate(&self) -> Result<(), LinkConfigError> {
        if self.downlink_bps == 0 {
            return Err(LinkConfigError::ZeroBandwidth(Direction::Down));
        }
        if self.uplink_bps == 0 {
            return Err(LinkConfigError::ZeroBandwidth(Direction::Up));
        }
        match self.loss {
            LossModel::Random { ppm } | LossModel::Bursty { ppm, .. } if ppm >= PPM => {
                Err(LinkConfigError::RateTooHigh { ppm })
            }
            LossModel::Bursty { mean_burst: 0, .. } => {
                Err(LinkConfigError::BurstTooShort { mean_burst: 0 })
            }
            _ => Ok(()),
        }
    }

    /// One-way propagation delay in `dir`.
    pub fn one_way(&self, dir: Direction) -> SimDuration {
        let down = self.rtt.half();
        match dir {
            Direction::Down => down,
            Direction::Up => SimDuration::from_micros(self.rtt.as_micros() - down.as_micros()),
        }
    }

    /// Bottleneck bandwidth in `dir`, bits per second.
    pub fn bps(&self, dir: Direction) -> u64 {
        match dir {
            Direction::Down => self.downlink_bps,
            Direction::Up => self.uplink_bps,
        }
    }

    /// Queue limit in `dir`: the configured size, or one bandwidth-delay product but at
    /// least [`DEFAULT_QUEUE_FLOOR`].
    pub fn queue_limit(&self, dir: Direction) -> u64 {
        self.queue_bytes.unwrap_or_else(|| {
            let bdp = u128::from(self.bps(dir)) * u128::from(self.rtt.as_micros()) / 8_000_000;
            u64::try_from(bdp)
                .unwrap_or(u64::MAX)
                .max(DEFAULT_QUEUE_FLOOR)
        })
    }
}

/// Why a packet never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// Bernoulli loss.
    Random,
    /// Gilbert–Elliott loss (the chain was in its Bad state).
    Burst,
    /// The ordinal was on the scripted list.
    Scripted,
    /// The drop-tail queue at the bottleneck was full.
    QueueOverflow,
}

/// What happened to a packet handed to the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    /// It arrives at the other end at this time.
    Arrives { at: SimTime },
    /// It is lost.
    Dropped { reason: DropReason },
}

/// The link's account of one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub dir: Direction,
    /// Ordinal of the packet in its direction, from 0.
    pub ordinal: u64,
    /// Bytes on the wire.
    pub bytes: u64,
    /// When its last bit left the bottleneck (equal to the send time if it overflowed).
    pub serialised: SimTime,
    pub fate: Fate,
}

impl Sent {
    pub fn arrival(&self) -> Option<SimTime> {
        match self.fate {
            Fate::Arrives { at } => Some(at),
            Fate::Dropped { .. } => None,
        }
    }
}

/// State of the loss process in one direction.
#[derive(Clone, Debug)]
enum LossState {
    None,
    Random {
        ppm: u32,
    },
    Bursty {
        /// P(Good→Bad) in ppm.
        enter: u32,
        /// P(Bad→Good) in ppm.
        leave: u32,
        bad: bool,
    },
    Scripted {
        /// Sorted ordinals still to come.
        ordinals: VecDeque<u64>,
    },
}

#[derive(Clone, Debug)]
struct Half {
    bps: u64,
    one_way: SimDuration,
    queue_limit: u64,
    /// Packets accepted and not yet fully serialised: (time the last bit leaves, bytes).
    backlog: VecDeque<(SimTime, u64)>,
    backlog_bytes: u64,
    busy_until: SimTime,
    next_ordinal: u64,
    rng: Pcg32,
    loss: LossState,
}

/// A uniform draw below `ppm` out of a million, from one 32-bit output (multiply-shift, so
/// no modulo and no floats).
fn chance(rng: &mut Pcg32, ppm: u32) -> bool {
    let x = u64::from(rng.next_u32());
    (x * u64::from(PPM)) >> 32 < u64::from(ppm)
}

impl Half {
    fn new(cfg: &LinkConfig, dir: Direction) -> Half {
        let loss = match &cfg.loss {
            LossModel::None => LossState::None,
            LossModel::Random { ppm } => LossState::Random {
                ppm: (*ppm).min(PPM),
            },
            LossModel::Bursty { ppm, mean_burst } => {
                let rate = u64::from((*ppm).min(PPM - 1));
                let leave = u64::from(PPM) / u64::from((*mean_burst).max(1));
                let enter = rate * leave / (u64::from(PPM) - rate);
                LossState::Bursty {
                    enter: u32::try_from(enter).unwrap_or(PPM).min(PPM),
                    leave: u32::try_from(leave).unwrap_or(PPM),
                    bad: false,
                }
            }
            LossModel::Scripted { up, down } => {
                let mut v = match dir {
                    Direction::Up => up.clone(),
                    Direction::Down => down.clone(),
                };
                v.sort_unstable();
                v.dedup();
                LossState::Scripted { ordinals: v.into() }
            }
        };
        let stream = match dir {
            Direction::Up => 1,
            Direction::Down => 2,
        };
        Half {
            bps: cfg.bps(dir).max(1),
            one_way: cfg.one_way(dir),
            queue_limit: cfg.queue_limit(dir),
            backlog: VecDeque::new(),
            backlog_bytes: 0,
            busy_until: SimTime::ZERO,
            next_ordinal: 0,
            rng: Pcg32::new(cfg.seed, stream),
            loss,
        }
    }

    /// Decides whether ordinal `n` (the next one) is lost; advances the stream exactly once.
    fn draw(&mut self, n: u64) -> Option<DropReason> {
        match &mut self.loss {
            LossState::None => None,
            LossState::Random { ppm } => chance(&mut self.rng, *ppm).then_some(DropReason::Random),
            LossState::Bursty { enter, leave, bad } => {
                let p = if *bad { *leave } else { *enter };
                if chance(&mut self.rng, p) {
                    *bad = !*bad;
                }
                bad.then_some(DropReason::Burst)
            }
            LossState::Scripted { ordinals } => {
                while ordinals.front().is_some_and(|&o| o < n) {
                    ordinals.pop_front();
                }
                if ordinals.front() == Some(&n) {
                    ordinals.pop_front();
                    Some(DropReason::Scripted)
                } else {
                    None
                }
            }
        }
    }

    fn send(&mut self, now: SimTime, bytes: u64) -> (u64, SimTime, Fate) {
        let ordinal = self.next_ordinal;
        self.next_ordinal += 1;
        let luck = self.draw(ordinal);
        while let Some(&(done, b)) = self.backlog.front() {
            if done > now {
                break;
            }
            self.backlog.pop_front();
            self.backlog_bytes -= b;
        }
        // Drop-tail: a packet that does not fit behind what is queued is dropped; a packet
        // reaching an idle bottleneck is always accepted.
        if !self.backlog.is_empty() && self.backlog_bytes + bytes > self.queue_limit {
            return (
                ordinal,
                now,
                Fate::Dropped {
                    reason: DropReason::QueueOverflow,
                },
            );
        }
        let start = now.max(self.busy_until);
        let done = start + SimDuration::serialisation(bytes, self.bps);
        self.busy_until = done;
        self.backlog.push_back((done, bytes));
        self.backlog_bytes += bytes;
        let fate = match luck {
            Some(reason) => Fate::Dropped { reason },
            None => Fate::Arrives {
                at: done + self.one_way,
            },
        };
        (ordinal, done, fate)
    }
}

/// The path of one lane: two independent halves.
#[derive(Clone, Debug)]
pub struct Link {
    config: LinkConfig,
    up: Half,
    down: Half,
}

impl Link {
    pub fn new(config: LinkConfig) -> Link {
        Link {
            up: Half::new(&config, Direction::Up),
            down: Half::new(&config, Direction::Down),
            config,
        }
    }

    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// A packet of `bytes` on the wire reaches the bottleneck in `dir` at `now`. Calls must
    /// come in non-decreasing `now` per direction (the order defines the ordinals).
    pub fn send(&mut self, now: SimTime, dir: Direction, bytes: u64) -> Sent {
        let half = match dir {
            Direction::Up => &mut self.up,
            Direction::Down => &mut self.down,
        };
        let (ordinal, serialised, fate) = half.send(now, bytes);
        Sent {
            dir,
            ordinal,
            bytes,
            serialised,
            fate,
        }
    }

    /// Packets sent so far in `dir`.
    pub fn packets_sent(&self, dir: Direction) -> u64 {
        match dir {
            Direction::Up => self.up.next_ordinal,
            Direction::Down => self.down.next_ordinal,
        }
    }
}

impl Path for Link {
    type Sent = Sent;

    fn send(&mut self, now: SimTime, from: Side, bytes: u64) -> Sent {
        Link::send(self, now, from.into(), bytes)
    }

    fn arrival(sent: &Sent) -> Option<SimTime> {
        sent.arrival()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(loss: LossModel) -> LinkConfig {
        LinkConfig {
            loss,
            seed: 7,
            // Plenty of room: these tests look at loss only.
            queue_bytes: Some(u64::MAX),
            ..LinkConfig::default()
        }
    }

    /// Sends `n` packets one every 10 ms (never queued) and returns which ordinals were lost.
    fn losses(link: &mut Link, dir: Direction, n: u64) -> Vec<bool> {
        (0..n)
            .map(|i| {
                let s = link.send(SimTime::from_millis(10 * i), dir, 1_000);
                assert_eq!(s.ordinal, i);
                s.arrival().is_none()
            })
            .collect()
    }

    #[test]
    fn timing_is_serialisation_plus_one_way_delay() {
        let mut link = Link::new(LinkConfig {
            rtt: SimDuration::from_micros(100_001),
            ..LinkConfig::default()
        });
        // 1500 bytes at 10 Mbit/s = 1200 µs; downlink gets 50 000 µs, uplink 50 001 µs.
        let a = link.send(SimTime::ZERO, Direction::Down, 1500);
        assert_eq!(a.arrival(), Some(SimTime::from_micros(51_200)));
        // Back to back: the second waits for the first.
        let b = link.send(SimTime::ZERO, Direction::Down, 1500);
        assert_eq!(b.serialised, SimTime::from_micros(2_400));
        assert_eq!(b.arrival(), Some(SimTime::from_micros(52_400)));
        // 1500 bytes at 5 Mbit/s = 2400 µs on the uplink, which is independent.
        let c = link.send(SimTime::ZERO, Direction::Up, 1500);
        assert_eq!(c.arrival(), Some(SimTime::from_micros(52_401)));
        assert_eq!(link.packets_sent(Direction::Down), 2);
    }

    #[test]
    fn bernoulli_rate_close_to_configured() {
        let mut link = Link::new(cfg(LossModel::Random { ppm: 20_000 }));
        let lost = losses(&mut link, Direction::Down, 200_000);
        let n = lost.iter().filter(|&&l| l).count();
        // 2 % of 200 000 = 4000; the standard deviation is about 63.
        assert!((3_750..=4_250).contains(&n), "{n} lost");
    }

    #[test]
    fn gilbert_elliott_rate_and_mean_burst_close_to_configured() {
        let mut link = Link::new(cfg(LossModel::Bursty {
            ppm: 50_000,
            mean_burst: 4,
        }));
        let lost = losses(&mut link, Direction::Down, 400_000);
        let n = lost.iter().filter(|&&l| l).count();
        let bursts = lost.windows(2).filter(|w| w[1] && !w[0]).count() + usize::from(lost[0]);
        // 5 % of 400 000 = 20 000 lost, in bursts of 4 on average: about 5000 bursts.
        assert!((18_500..=21_500).contains(&n), "{n} lost");
        let mean_x100 = n * 100 / bursts;
        assert!(
            (370..=430).contains(&mean_x100),
            "mean burst {mean_x100}/100"
        );
    }

    #[test]
    fn scripted_drops_hit_exactly_those_ordinals() {
        let mut link = Link::new(cfg(LossModel::Scripted {
            up: vec![0],
            down: vec![9, 3, 3],
        }));
        let down = losses(&mut link, Direction::Down, 12);
        let lost: Vec<usize> = (0..12).filter(|&i| down[i]).collect();
        assert_eq!(lost, [3, 9]);
        let up = losses(&mut link, Direction::Up, 3);
        assert_eq!(up, [true, false, false]);
        let s = Link::new(cfg(LossModel::Scripted {
            up: vec![],
            down: vec![0],
        }))
        .send(SimTime::ZERO, Direction::Down, 100);
        assert_eq!(
            s.fate,
            Fate::Dropped {
                reason: DropReason::Scripted
            }
        );
    }

    #[test]
    fn same_seed_same_drops_and_directions_differ() {
        let model = LossModel::Random { ppm: 100_000 };
        let a = losses(&mut Link::new(cfg(model.clone())), Direction::Down, 5_000);
        let b = losses(&mut Link::new(cfg(model.clone())), Direction::Down, 5_000);
        assert_eq!(a, b);
        let up = losses(&mut Link::new(cfg(model.clone())), Direction::Up, 5_000);
        assert_ne!(a, up);
        let mut other = cfg(model);
        other.seed = 8;
        assert_ne!(a, losses(&mut Link::new(other), Direction::Down, 5_000));
    }

    #[test]
    fn luck_depends_on_ordinal_only() {
        // The same ordinals are lost whatever the sizes and times of the packets.
        let mut a = Link::new(cfg(LossModel::Random { ppm: 300_000 }));
        let mut b = Link::new(cfg(LossModel::Random { ppm: 300_000 }));
        for i in 0..2_000u64 {
            let x = a.send(SimTime::from_millis(i), Direction::Down, 60);
            let y = b.send(SimTime::from_millis(3 * i), Direction::Down, 1500);
            assert_eq!(x.arrival().is_none(), y.arrival().is_none());
        }
    }

    #[test]
    fn queue_overflow_drops_tail() {
        let mut link = Link::new(LinkConfig {
            queue_bytes: Some(4_500),
            ..LinkConfig::default()
        });
        let fates: Vec<Fate> = (0..5)
            .map(|_| link.send(SimTime::ZERO, Direction::Down, 1_500).fate)
            .collect();
        assert!(matches!(fates[2], Fate::Arrives { .. }));
        for f in &fates[3..] {
            assert_eq!(
                *f,
                Fate::Dropped {
                    reason: DropReason::QueueOverflow
                }
            );
        }
        // Once the first packet has left (1200 µs), there is room for one more.
        let s = link.send(SimTime::from_micros(1_200), Direction::Down, 1_500);
        assert_eq!(s.ordinal, 5);
        assert_eq!(s.serialised, SimTime::from_micros(4_800));
        // The default queue is one bandwidth-delay product: 10 Mbit/s × 100 ms = 125 000 B,
        // but never less than 64 KiB: the uplink's BDP is 62 500 B.
        assert_eq!(LinkConfig::default().queue_limit(Direction::Down), 125_000);
        assert_eq!(LinkConfig::default().queue_limit(Direction::Up), 65_536);
        let short = LinkConfig {
            rtt: SimDuration::from_millis(5),
            ..LinkConfig::default()
        };
        assert_eq!(short.queue_limit(Direction::Down), 65_536);
    }

    #[test]
    fn validation_names_the_problem() {
        let mut c = LinkConfig::default();
        assert_eq!(c.validate(), Ok(()));
        c.loss = LossModel::Random { ppm: PPM };
        assert_eq!(
            c.validate().map_err(|e| e.to_string()),
            Err("loss rate is 1000000 ppm; allowed: 0 to 999999 ppm (below certainty)".into())
        );
        c.loss = LossModel::Bursty {
            ppm: 10,
            mean_burst: 0,
        };
        assert!(c.validate().is_err());
        let json = serde_json::to_string(&LossModel::Random { ppm: 5 }).unwrap_or_default();
        assert_eq!(json, r#"{"model":"random","ppm":5}"#);
    }
}
