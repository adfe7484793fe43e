//! The winner map: which protocol loads a page fastest over a grid of round-trip times
//! and loss rates. Each cell is the page's scenario at that RTT and loss, run over a few
//! seeds (one when there is no random loss: every seed gives the same run); its winner is
//! the lane with the lowest median load ([`crate::verdict::median`], the verdict's own),
//! and its margin how much longer the runner-up takes.
//!
//! Plain data and pure functions: the app's worker runs [`runs`] as one batch and the page
//! folds the outcomes with [`winner`].

use crate::link::LossModel;
use crate::verdict::{median, Outcome};
use crate::{Protocol, Scenario, SimDuration};

/// The columns: round trips, milliseconds.
pub const RTTS_MS: [u64; 6] = [10, 25, 50, 100, 200, 300];
/// The rows: loss each way, parts per million (0 to 5 %).
pub const LOSS_PPM: [u32; 6] = [0, 5_000, 10_000, 20_000, 30_000, 50_000];
/// Seeds per lossy cell.
pub const SEEDS: u64 = 3;

/// One cell of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub rtt_ms: u64,
    pub loss_ppm: u32,
}

/// Every cell, row by row (loss rows from none down, RTT columns from short across).
pub fn cells() -> Vec<Cell> {
    LOSS_PPM
        .iter()
        .flat_map(|&loss_ppm| RTTS_MS.iter().map(move |&rtt_ms| Cell { rtt_ms, loss_ppm }))
        .collect()
}

/// `base` at the cell's RTT and loss (random loss, or none), with its own seed.
pub fn cell_scenario(base: &Scenario, cell: Cell) -> Scenario {
    let mut s = base.clone();
    s.network.rtt = SimDuration::from_millis(cell.rtt_ms);
    s.network.loss = match cell.loss_ppm {
        0 => LossModel::None,
        ppm => LossModel::Random { ppm },
    };
    // A queue sized for the base's RTT would be wrong at another: one BDP of the cell's.
    s.network.queue_bytes = None;
    s
}

/// Every run of the map, in order, with the index of its cell in [`cells`].
pub fn runs(base: &Scenario) -> Vec<(usize, Scenario)> {
    let mut out = Vec::new();
    for (i, cell) in cells().into_iter().enumerate() {
        let s = cell_scenario(base, cell);
        let seeds = if cell.loss_ppm == 0 { 1 } else { SEEDS };
        for k in 0..seeds {
            let mut run = s.clone();
            run.network.seed = s.network.seed.wrapping_add(k);
            out.push((i, run));
        }
    }
    out
}

/// A cell's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Winner {
    pub protocol: Protocol,
    /// Its median load.
    pub load: SimDuration,
    /// The next fastest lane and its median load (none with one lane, or none finished).
    pub runner_up: Option<(Protocol, SimDuration)>,
    /// Seeds the medians are over.
    pub seeds: usize,
}

impl Winner {
    /// How much longer the runner-up takes, per cent of the winner's load, rounded down
    /// (0 when there is no runner-up).
    pub fn margin_pct(&self) -> u64 {
        match self.runner_up {
            Some((_, t)) => {
                let w = self.load.as_micros().max(1);
                t.as_micros().saturating_sub(w).saturating_mul(100) / w
            }
            None => 0,
        }
    }
}

/// The winner over a cell's runs: the lane with the lowest median load among those that
/// finished (ties go to the lane listed first). `None` if no lane finished or `outcomes`
/// is empty.
pub fn winner(outcomes: &[Outcome]) -> Option<Winner> {
    let m = median(outcomes)?;
    let mut done: Vec<(Protocol, SimDuration)> = m
        .lanes
        .iter()
        .filter_map(|l| l.load.map(|t| (l.protocol, t)))
        .collect();
    done.sort_by_key(|&(_, t)| t);
    let (&(protocol, load), rest) = done.split_first()?;
    Some(Winner {
        protocol,
        load,
        runner_up: rest.first().copied(),
        seeds: outcomes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{simulate, PresetId};

    #[test]
    fn the_grid_is_six_by_six_and_lossy_cells_have_their_seeds() {
        let base = Scenario::preset(PresetId::Blog);
        assert_eq!(cells().len(), 36);
        let runs = runs(&base);
        assert_eq!(runs.len(), 6 + 30 * SEEDS as usize);
        assert!(runs.iter().all(|(_, s)| s.validate().is_ok()));
        let (i, last) = runs.last().unwrap();
        assert_eq!(*i, 35);
        assert_eq!(last.network.rtt, SimDuration::from_millis(300));
        assert_eq!(last.network.loss, LossModel::Random { ppm: 50_000 });
        assert_eq!(last.network.seed, SEEDS - 1);
    }

    /// A cell's winner is the verdict's fastest lane of the same scenario.
    #[test]
    fn a_cells_winner_is_the_fastest_median_lane() {
        let mut base = Scenario::preset(PresetId::Tiles);
        base.protocols = vec![Protocol::Http1, Protocol::Http2];
        let cell = Cell {
            rtt_ms: 100,
            loss_ppm: 0,
        };
        let s = cell_scenario(&base, cell);
        let o = Outcome::of(&simulate(&s).unwrap());
        let w = winner(std::slice::from_ref(&o)).unwrap();
        let loads: Vec<(Protocol, SimDuration)> = o
            .lanes
            .iter()
            .map(|l| (l.protocol, l.load.unwrap()))
            .collect();
        let fastest = loads.iter().min_by_key(|(_, t)| *t).unwrap();
        let slowest = loads.iter().max_by_key(|(_, t)| *t).unwrap();
        assert_eq!((w.protocol, w.load), *fastest);
        assert_eq!(w.runner_up, Some(*slowest));
        let want = (slowest.1.as_micros() - fastest.1.as_micros()) * 100 / fastest.1.as_micros();
        assert_eq!(w.margin_pct(), want);
        assert!(winner(&[]).is_none());
    }
}
