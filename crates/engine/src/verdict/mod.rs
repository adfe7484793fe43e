//! The verdict: which protocol loads the page first, by how much, and why — in one
//! structured value and one paragraph a student can read.
//!
//! Pure: traces in, a [`Verdict`] out. [`Outcome::of`] boils a trace down to what the
//! verdict needs per lane (times, stalls, losses, pushes); [`verdict`] compares the lanes of
//! one run, or, under random loss, the median over several seeds ([`seeds`] names them, so
//! the app's web worker, the CLI and the tests all run the same ones); [`evaluate`] does
//! both for a scenario. The sentence never calls a ratio a percentage ("3.7× faster", or
//! "27 % less time"), names first paint as well as load, leaves out a lane that did not
//! finish, and gives one reason taken from the trace.
//!
//! By file: `outcome` (a run boiled down per lane), `reason` (the rules, first match wins),
//! `words` (the sentence; times, sizes and counts as the app writes them); here the
//! comparison, the seeds and their median.

mod outcome;
mod reason;
#[cfg(test)]
mod tests;
mod words;

use serde::{Deserialize, Serialize};

use crate::link::LossModel;
use crate::scenario::{Protocol, Scenario, ScenarioError};
use crate::time::SimDuration;

pub use outcome::{LaneOutcome, Outcome, Stalls};
use reason::reason;
pub use reason::Reason;
use words::sentence;
pub use words::{bytes_text, ms};

/// Seeds the median runs over under random loss (nearest rank: the 5th of 9 is an actual
/// run, never an interpolation).
pub const SEEDS: u64 = 9;

/// How long a lane may run before the engine gives up on it (the lanes' time limit).
const LIMIT_TEXT: &str = "1 h";

/// What the figures of a verdict are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    /// No random loss: every seed gives the same run.
    Exact,
    /// Random loss, one seed's luck: the median is not known (yet).
    ThisSeed { seed: u64 },
    /// Random loss: each lane's median (nearest rank) over `seeds` seeds.
    Median { seeds: u64 },
}

/// The fastest and the slowest lane on one figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub best: Protocol,
    pub best_time: SimDuration,
    pub worst: Protocol,
    pub worst_time: SimDuration,
}

impl Comparison {
    /// Among lanes with a time (the earlier lane wins a tie); `None` with fewer than one.
    fn of(times: &[(Protocol, Option<SimDuration>)]) -> Option<Comparison> {
        let timed: Vec<(Protocol, SimDuration)> =
            times.iter().filter_map(|&(p, t)| Some((p, t?))).collect();
        let &(best, best_time) = timed.iter().min_by_key(|(_, t)| *t)?;
        let &(worst, worst_time) = timed.iter().rev().max_by_key(|(_, t)| *t)?;
        Some(Comparison {
            best,
            best_time,
            worst,
            worst_time,
        })
    }

    fn tie(&self) -> bool {
        self.best_time == self.worst_time
    }

    /// "3.7× faster than", "in 27 % less time than", or "in about the same time as" (within
    /// 1 %).
    pub fn how(&self) -> String {
        let (b, w) = (self.best_time.as_micros(), self.worst_time.as_micros());
        if w.saturating_mul(100) <= b.saturating_mul(101) {
            "in about the same time as".to_string()
        } else if w.saturating_mul(2) >= b.saturating_mul(3) {
            // One decimal, rounded half up: worst / best.
            let tenths = (w.saturating_mul(10) + b / 2) / b.max(1);
            format!("{}.{}× faster than", tenths / 10, tenths % 10)
        } else {
            let pct = ((w - b) * 100 + w / 2) / w.max(1);
            format!("in {pct} % less time than")
        }
    }
}

/// The verdict on one scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub basis: Basis,
    /// Fastest and slowest to load, among lanes that finished.
    pub load: Option<Comparison>,
    /// First and last to paint, among lanes that finished.
    pub first_paint: Option<Comparison>,
    pub reason: Option<Reason>,
    /// Lanes that did not finish within the time limit (left out of the comparison).
    pub unfinished: Vec<Protocol>,
    /// All of it, in words.
    pub sentence: String,
}

/// The seeds to take the median over: `Some` under random or bursty loss (the scenario's
/// own seed first, then the next ones), `None` when every seed gives the same run.
pub fn seeds(scenario: &Scenario) -> Option<Vec<u64>> {
    match scenario.network.loss {
        LossModel::Random { ppm } | LossModel::Bursty { ppm, .. } if ppm > 0 => Some(
            (0..SEEDS)
                .map(|i| scenario.network.seed.wrapping_add(i))
                .collect(),
        ),
        _ => None,
    }
}

/// Each protocol's median run over `runs` (by load, nearest rank; an unfinished run counts
/// as the slowest), its first paint the median of first paints. `None` if `runs` is empty
/// or the runs do not have the same lanes.
pub fn median(runs: &[Outcome]) -> Option<Outcome> {
    let first = runs.first()?;
    let protocols: Vec<Protocol> = first.lanes.iter().map(|l| l.protocol).collect();
    let rank = runs.len().div_ceil(2) - 1;
    let lanes = protocols
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut lanes: Vec<&LaneOutcome> = runs
                .iter()
                .map(|r| r.lanes.get(i).filter(|l| l.protocol == p))
                .collect::<Option<_>>()?;
            let key = |t: Option<SimDuration>| t.map_or(u64::MAX, SimDuration::as_micros);
            lanes.sort_by_key(|l| key(l.load));
            let mut median = lanes[rank].clone();
            lanes.sort_by_key(|l| key(l.first_paint));
            median.first_paint = lanes[rank].first_paint;
            Some(median)
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Outcome {
        seed: first.seed,
        lanes,
    })
}

/// The verdict on `run` (the trace on screen), or, given the runs of every seed of
/// [`seeds`], on their medians.
pub fn verdict(scenario: &Scenario, run: &Outcome, seed_runs: Option<&[Outcome]>) -> Verdict {
    let (basis, outcome) = match (seeds(scenario), seed_runs.and_then(median)) {
        (None, _) => (Basis::Exact, run.clone()),
        (Some(_), Some(m)) => (
            Basis::Median {
                seeds: seed_runs.map_or(0, |r| r.len() as u64),
            },
            m,
        ),
        (Some(_), None) => (Basis::ThisSeed { seed: run.seed }, run.clone()),
    };
    let lanes = &outcome.lanes;
    let unfinished: Vec<Protocol> = lanes
        .iter()
        .filter(|l| !l.finished)
        .map(|l| l.protocol)
        .collect();
    let load = Comparison::of(
        &lanes
            .iter()
            .map(|l| (l.protocol, l.load))
            .collect::<Vec<_>>(),
    );
    let first_paint = Comparison::of(
        &lanes
            .iter()
            .map(|l| (l.protocol, l.first_paint))
            .collect::<Vec<_>>(),
    );
    let finished = lanes.iter().filter(|l| l.finished).count();
    let reason = match load {
        Some(c) if finished >= 2 && !c.tie() => {
            let of = |p: Protocol| lanes.iter().find(|l| l.protocol == p);
            match (of(c.best), of(c.worst)) {
                (Some(b), Some(w)) => reason(scenario, b, w),
                _ => None,
            }
        }
        _ => None,
    };
    let sentence = sentence(
        basis,
        scenario,
        load,
        first_paint,
        finished,
        &reason,
        &unfinished,
    );
    Verdict {
        basis,
        load,
        first_paint,
        reason,
        unfinished,
        sentence,
    }
}

/// Simulates the scenario (and, under random loss, each of its [`seeds`]) and gives the
/// verdict on the medians: what the app shows once its worker has run the seeds, and what
/// `protoviz simulate --format verdict` prints.
pub fn evaluate(scenario: &Scenario) -> Result<Verdict, ScenarioError> {
    let run = Outcome::of(&crate::simulate(scenario)?);
    let runs = match seeds(scenario) {
        None => None,
        Some(seeds) => Some(
            seeds
                .into_iter()
                .map(|seed| {
                    let mut s = scenario.clone();
                    s.network.seed = seed;
                    crate::simulate(&s).map(|t| Outcome::of(&t))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    Ok(verdict(scenario, &run, runs.as_deref()))
}
