//! `protoviz sweep`: load time over a grid of round trips and loss rates, many seeds per
//! cell, as CSV: which protocol wins where.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use protoviz_engine::{simulate, Scenario};

use crate::scenario_args::{self, ScenarioArgs};
use crate::Failure;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Round-trip times in milliseconds, comma-separated.
    #[arg(long, value_delimiter = ',', num_args = 1.., default_values_t = [20.0, 50.0, 100.0, 200.0])]
    rtt_ms: Vec<f64>,
    /// Loss rates in per cent (each direction), comma-separated.
    #[arg(long, value_delimiter = ',', num_args = 1.., default_values_t = [0.0, 0.5, 1.0, 2.0, 5.0])]
    loss_pct: Vec<f64>,
    /// Runs per cell, with seeds 1 to N (1 to 10000).
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    seeds: u64,
}

/// The nearest-rank percentile (p in 1..=100) of sorted, non-empty values: the smallest
/// value with at least p % of the values at or below it, i.e. the ⌈p·N/100⌉-th.
pub fn nearest_rank(sorted: &[u64], p: u64) -> u64 {
    let n = sorted.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    sorted
        .get((rank - 1) as usize)
        .or(sorted.last())
        .copied()
        .unwrap_or(0)
}

/// Microseconds as milliseconds with three decimals, exactly.
fn ms(us: u64) -> String {
    format!("{}.{:03}", us / 1_000, us % 1_000)
}

/// A load time that never came: the lane stopped at the engine's time limit.
const UNFINISHED: u64 = u64::MAX;

/// A load time in the CSV: milliseconds, or `unfinished`.
fn load_ms(us: u64) -> String {
    if us == UNFINISHED {
        "unfinished".to_owned()
    } else {
        ms(us)
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let base = args.scenario.scenario().map_err(Failure::Usage)?;
    // Every cell's scenario, checked before anything runs.
    let mut cells: Vec<(f64, f64, Scenario)> = Vec::new();
    for &rtt in &args.rtt_ms {
        for &pct in &args.loss_pct {
            let mut s = base.clone();
            s.network.rtt = scenario_args::rtt(rtt).map_err(Failure::Usage)?;
            s.network.loss =
                scenario_args::loss(pct, args.scenario.loss_model, args.scenario.mean_burst)
                    .map_err(Failure::Usage)?;
            s.validate()
                .map_err(|e| Failure::Usage(format!("invalid scenario: {e}")))?;
            cells.push((rtt, pct, s));
        }
    }
    let lanes = base.protocols.len();
    let seeds = args.seeds as usize;
    let jobs = cells.len() * seeds;
    // loads[cell][lane] = load time per seed (µs), filled by worker threads; a lane that
    // did not finish within the engine's time limit counts as UNFINISHED, slower than any.
    let loads: Mutex<Vec<Vec<Vec<u64>>>> =
        Mutex::new(vec![vec![Vec::with_capacity(seeds); lanes]; cells.len()]);
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(jobs.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let job = next.fetch_add(1, Ordering::Relaxed);
                if job >= jobs {
                    break;
                }
                let (cell, seed) = (job / seeds, job % seeds + 1);
                let mut s = cells[cell].2.clone();
                s.network.seed = seed as u64;
                match simulate(&s) {
                    Ok(trace) => {
                        let mut l = loads.lock().unwrap_or_else(|e| e.into_inner());
                        for (i, lane) in trace.lanes.iter().enumerate() {
                            l[cell][i]
                                .push(lane.metrics.load.map_or(UNFINISHED, |t| t.as_micros()));
                        }
                    }
                    Err(e) => {
                        *failure.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(format!("invalid scenario: {e}"));
                        next.store(jobs, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(Failure::Usage(e));
    }
    let loads = loads.into_inner().unwrap_or_else(|e| e.into_inner());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |e: std::io::Error| Failure::Io(format!("cannot write the output: {e}"));
    writeln!(
        out,
        "rtt_ms,loss_pct,protocol,median_load_ms,p90_load_ms,winner"
    )
    .map_err(io)?;
    for ((rtt, pct, _), per_lane) in cells.iter().zip(loads) {
        let stats: Vec<(u64, u64)> = per_lane
            .into_iter()
            .map(|mut v| {
                v.sort_unstable();
                (nearest_rank(&v, 50), nearest_rank(&v, 90))
            })
            .collect();
        // The lowest median; on a tie the earlier protocol (min_by_key keeps the first).
        let winner = stats
            .iter()
            .enumerate()
            .min_by_key(|(_, (median, _))| *median)
            .map(|(i, _)| base.protocols[i].id())
            .unwrap_or("");
        for (p, (median, p90)) in base.protocols.iter().zip(&stats) {
            writeln!(
                out,
                "{rtt},{pct},{},{},{},{winner}",
                p.id(),
                load_ms(*median),
                load_ms(*p90)
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_the_ceiling_rank() {
        let v: Vec<u64> = (1..=20).collect();
        // ⌈0.5·20⌉ = 10th value, ⌈0.9·20⌉ = 18th value.
        assert_eq!(nearest_rank(&v, 50), 10);
        assert_eq!(nearest_rank(&v, 90), 18);
        // ⌈0.5·5⌉ = 3rd, ⌈0.9·5⌉ = 5th.
        assert_eq!(nearest_rank(&[1, 2, 3, 4, 5], 50), 3);
        assert_eq!(nearest_rank(&[1, 2, 3, 4, 5], 90), 5);
        assert_eq!(nearest_rank(&[7], 50), 7);
        assert_eq!(nearest_rank(&[7], 90), 7);
        assert_eq!(ms(1_234_567), "1234.567");
        assert_eq!(ms(5), "0.005");
        assert_eq!(load_ms(5), "0.005");
        assert_eq!(load_ms(UNFINISHED), "unfinished");
    }
}
