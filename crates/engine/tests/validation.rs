//! The simulator's side of docs/validation.md: every configuration the rig measured
//! (docs/validation/rig-2026-12-04.json: real Chromium against nginx and Caddy over real
//! Linux TCP and quic-go, through an emulated link), run through the engine the way
//! `scripts/rig-compare` runs it, must stay near the real load and name the real winner.
//!
//! - The scenario: the rig page as a protoviz scenario (docs/validation/pages/PAGE.json,
//!   made by `scripts/rig-page`), with the configuration's RTT, 10 Mbit/s both ways, a
//!   drop-tail queue of max(64 KiB, BDP) and its loss (random, or Gilbert–Elliott with a
//!   mean burst of 3), defaults for everything else.
//! - The simulator's figure: the median load over seeds 1–7 (one run without loss, where the
//!   seed draws nothing).
//! - The real figure: the median of the 5 loads; with loss, the median of the 10 loads of
//!   both loss seeds (the rig's two 5-load medians differ by up to 2.8× at 2 % loss, so one
//!   seed's median is luck, docs/validation.md "Repeat with another loss seed").
//! - Each configuration must be within ±15 % of the real load (issue 10), unless it is one
//!   of the [`GAPS`] named below with the reason and the band it must stay in, so a known gap
//!   cannot quietly widen and a closed one must be taken off the list.
//! - Each (page, RTT, loss) cell's fastest protocol must be the rig's: the simulator's
//!   fastest must be among the protocols within 3 % of the rig's fastest.
//!
//! A failing run prints the whole table, simulator beside rig.

use std::collections::BTreeMap;
use std::path::PathBuf;

use protoviz_engine::link::LossModel;
use protoviz_engine::{simulate, Protocol, Scenario, SimDuration};
use serde_json::Value;

/// Within this of the real load (issue 10's "within ±15 %").
const BAND: (f64, f64) = (0.85, 1.15);

/// Configurations outside ±15 % today: (rig id, the band of sim/real load it must stay in,
/// why it is outside). Each band is the ratio measured when the gap was listed, ±0.05.
const GAPS: &[(&str, (f64, f64), &str)] = &[
    (
        "blog-h2-rtt100-ge2",
        (0.67, 0.77),
        "0.72: bursty loss; real h2 spends 1.5-2 s (one load 50 s of RTO back-off)",
    ),
    (
        "blog-h3-rtt100-random2",
        (0.59, 0.69),
        "0.64: quic-go's rate stays at 1.2-1.6 Mbit/s after an early loss (rig-findings.md), \
         the model's recovers faster (QUIC congestion control)",
    ),
    (
        "tiles-h2-rtt50-random0",
        (0.56, 0.66),
        "0.61: Chromium's own time for 100 images (DCL 46-80 ms after the first byte, 6 ms in \
         the model) weighs most at 50 ms (browser model)",
    ),
    (
        "tiles-h3-rtt50-random0",
        (0.56, 0.66),
        "0.61: as tiles over h2 at 50 ms (browser model)",
    ),
    (
        "tiles-h3-rtt100-random0",
        (0.79, 0.89),
        "0.84: as tiles at 50 ms, a smaller share of a longer load (browser model)",
    ),
    (
        "tiles-h3-rtt100-random2",
        (0.73, 0.83),
        "0.78: QUIC under loss on 100 small responses (browser model, QUIC)",
    ),
    (
        "tiles-h3-rtt100-ge2",
        (0.76, 0.86),
        "0.81: QUIC under bursty loss (browser model, QUIC)",
    ),
    (
        "tiles-h2-rtt100-ge2",
        (0.78, 0.88),
        "0.83: TCP under bursty loss (browser model, TCP)",
    ),
];

/// Cells whose fastest protocol the simulator gets wrong today: (cell, why). Empty when
/// issue 10 is done.
const WINNER_GAPS: &[(&str, &str)] = &[(
    "blog 100 ms 2 % bursty",
    "the model's h2 (0.72 of real, above) beats its h3; real h3 wins by 23 %",
)];

/// Seeds of the loss draws (scripts/rig-compare's default).
const SEEDS: std::ops::RangeInclusive<u64> = 1..=7;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json(path: &str) -> Value {
    let p = root().join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One measured configuration.
struct Config {
    id: String,
    page: String,
    protocol: String,
    rtt_ms: u64,
    loss: LossModel,
    queue_bytes: u64,
    /// Real load, ms: the 5 loads' median, or the 10 loads' of both seeds with loss.
    real: f64,
}

impl Config {
    fn cell(&self) -> String {
        let loss = match &self.loss {
            LossModel::None => "0 %".to_string(),
            LossModel::Random { ppm } => format!("{} % random", *ppm as f64 / 10_000.0),
            LossModel::Bursty { ppm, .. } => format!("{} % bursty", *ppm as f64 / 10_000.0),
            _ => "other".to_string(),
        };
        format!("{} {} ms {loss}", self.page, self.rtt_ms)
    }

    fn scenario(&self) -> Scenario {
        let page = json(&format!("docs/validation/pages/{}.json", self.page));
        let mut s: Scenario = serde_json::from_value(page).expect("a rig page is a scenario");
        s.network.rtt = SimDuration::from_millis(self.rtt_ms);
        s.network.downlink_bps = 10_000_000;
        s.network.uplink_bps = 10_000_000;
        s.network.queue_bytes = Some(self.queue_bytes);
        s.network.loss = self.loss.clone();
        s.protocols = vec![Protocol::from_id(&self.protocol).expect("a protocol id")];
        s
    }

    /// The simulator's median load over the seeds, ms (None if a seed did not finish).
    fn simulated(&self) -> Option<f64> {
        let mut s = self.scenario();
        let seeds: Vec<u64> = if self.loss == LossModel::None {
            vec![1]
        } else {
            SEEDS.collect()
        };
        let mut loads = Vec::new();
        for seed in seeds {
            s.network.seed = seed;
            let t = simulate(&s).unwrap_or_else(|e| panic!("{}: {e}", self.id));
            loads.push(t.lanes[0].metrics.load?.as_micros() as f64 / 1_000.0);
        }
        Some(median(loads))
    }
}

fn configs() -> Vec<Config> {
    let rig = json("docs/validation/rig-2026-12-04.json");
    let loads = |c: &Value| -> Vec<f64> {
        c["per_run"]
            .as_array()
            .expect("per_run")
            .iter()
            .map(|r| r["load"].as_f64().expect("a load"))
            .collect()
    };
    let mut seed2: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for c in rig["repeats_other_seed"].as_array().expect("repeats") {
        seed2.insert(c["id"].as_str().unwrap().to_string(), loads(c));
    }
    let mut out = Vec::new();
    for c in rig["configurations"].as_array().expect("configurations") {
        let id = c["id"].as_str().unwrap().to_string();
        let ppm = (c["loss_pct"].as_f64().unwrap() * 10_000.0).round() as u32;
        let loss = match c["loss_model"].as_str().unwrap() {
            "none" => LossModel::None,
            "random" => LossModel::Random { ppm },
            "ge3" => LossModel::Bursty { ppm, mean_burst: 3 },
            m => panic!("{id}: loss model {m}"),
        };
        let mut real = loads(c);
        assert_eq!(real.len(), 5, "{id}: 5 loads");
        if loss != LossModel::None {
            let other = seed2
                .get(&id)
                .unwrap_or_else(|| panic!("{id}: no seed-2 repeat"));
            assert_eq!(other.len(), 5, "{id}: 5 loads with seed 2");
            real.extend(other);
        }
        out.push(Config {
            page: c["page"].as_str().unwrap().to_string(),
            protocol: c["protocol"].as_str().unwrap().to_string(),
            rtt_ms: c["rtt_ms"].as_u64().unwrap(),
            loss,
            queue_bytes: c["queue_bytes"].as_u64().unwrap(),
            real: median(real),
            id,
        });
    }
    out
}

/// The protocols within 3 % of the fastest (docs/validation.md's tie rule), fastest first.
fn fastest(loads: &BTreeMap<String, f64>) -> Vec<String> {
    let best = loads.values().copied().fold(f64::INFINITY, f64::min);
    let mut v: Vec<(&String, f64)> = loads
        .iter()
        .filter(|(_, &l)| l <= best * 1.03)
        .map(|(p, &l)| (p, l))
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v.into_iter().map(|(p, _)| p.clone()).collect()
}

#[test]
fn the_simulator_stays_near_the_real_loads_and_names_the_real_winner() {
    let configs = configs();
    assert_eq!(configs.len(), 36, "the matrix has 36 configurations");
    for (id, (lo, hi), why) in GAPS {
        assert!(
            configs.iter().any(|c| c.id == *id),
            "gap {id} is not a measured configuration"
        );
        assert!(lo < hi && !why.is_empty(), "gap {id}: a band and a reason");
    }
    let mut table =
        String::from("configuration               real ms     sim ms   sim/real  band\n");
    let mut failures = Vec::new();
    // Per cell: the real and the simulated load of each protocol.
    type Loads = BTreeMap<String, f64>;
    let mut cells: BTreeMap<String, (Loads, Loads)> = BTreeMap::new();
    for c in &configs {
        let sim = c.simulated();
        let gap = GAPS.iter().find(|g| g.0 == c.id);
        let band = gap.map_or(BAND, |g| g.1);
        let ratio = sim.map(|s| s / c.real);
        table.push_str(&format!(
            "{:<27} {:>8.0} {:>10} {:>10} {:.2}–{:.2}{}\n",
            c.id,
            c.real,
            sim.map_or("unfinished".into(), |s| format!("{s:.0}")),
            ratio.map_or("—".into(), |r| format!("{r:.2}")),
            band.0,
            band.1,
            if gap.is_some() { " (known gap)" } else { "" },
        ));
        match ratio {
            Some(r) if gap.is_some() && (BAND.0..=BAND.1).contains(&r) => failures.push(format!(
                "{}: sim/real {r:.2} is within ±15 % now; take it off GAPS",
                c.id
            )),
            Some(r) if (band.0..=band.1).contains(&r) => {}
            Some(r) => failures.push(format!(
                "{}: sim/real {r:.2} outside {:.2}–{:.2}",
                c.id, band.0, band.1
            )),
            None => failures.push(format!("{}: a seed did not finish", c.id)),
        }
        let cell = cells.entry(c.cell()).or_default();
        cell.0.insert(c.protocol.clone(), c.real);
        if let Some(s) = sim {
            cell.1.insert(c.protocol.clone(), s);
        }
    }
    table.push_str("\ncell                         rig fastest   sim fastest\n");
    for (cell, (real, sim)) in &cells {
        let (r, s) = (fastest(real), fastest(sim));
        table.push_str(&format!("{cell:<28} {:<13} {}\n", r.join("="), s.join("=")));
        let known = WINNER_GAPS.iter().any(|g| g.0 == cell);
        let right = s.first().is_some_and(|best| r.contains(best));
        if right && known {
            failures.push(format!(
                "{cell}: the simulator now names the rig's fastest; take it off WINNER_GAPS"
            ));
        }
        if !right && !known {
            failures.push(format!(
                "{cell}: the simulator's fastest is {}, the rig's {}",
                s.join("="),
                r.join("=")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the simulator drifted from the rig:\n  {}\n\n{table}",
        failures.join("\n  ")
    );
}
