//! Scaling (issue 14, item 5): `simulate` of a generated page of 10, 100, 1,000 and 5,000
//! assets (`Page::synthetic`, crates/engine/src/page/synthetic.rs) at 0 % and 2 % random
//! loss, all four lanes: the time of a run (median of several) and the peak heap it needs,
//! each per asset, so a cost that grows faster than the page shows as a rising figure per
//! asset.
//!
//! Not criterion: a 5,000-asset run can take seconds, and criterion's sampling would take
//! minutes; and the peak heap needs this binary's own counting `#[global_allocator]`
//! (which would also count criterion's own allocations). `make bench` runs it
//! (`cargo bench -p protoviz-engine --bench scaling`) and `tests/bench.rs` reads the JSON it
//! writes to `target/bench/scaling.json` (or `$PROTOVIZ_SCALING_OUT`) into the table.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use protoviz_engine::link::LossModel;
use protoviz_engine::{simulate, Page, Protocol, Scenario};

/// The system allocator, counting the bytes live, their peak, and allocations made.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
            ALLOCS.fetch_add(1, Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
            ALLOCS.fetch_add(1, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            ALLOCS.fetch_add(1, Relaxed);
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs of one size are repeated until they have taken this long (at least once, at
/// most `MAX_RUNS` times); the median is reported.
const BUDGET: Duration = Duration::from_secs(3);
const MAX_RUNS: usize = 15;
const SIZES: [usize; 4] = [10, 100, 1_000, 5_000];

fn main() {
    let out = std::env::var_os("PROTOVIZ_SCALING_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench/scaling.json")
        });
    let mut rows = Vec::new();
    println!(
        "{:>6} {:>5} {:>6} {:>11} {:>10} {:>11} {:>10} {:>12}",
        "assets", "loss", "runs", "median ms", "µs/asset", "peak MiB", "KiB/asset", "allocs/asset"
    );
    for n in SIZES {
        for (loss_pct, loss) in [
            (0u32, LossModel::None),
            (2, LossModel::Random { ppm: 20_000 }),
        ] {
            let mut s = Scenario::preset(protoviz_engine::PresetId::Blog);
            s.page = Page::synthetic(n);
            s.network.loss = loss;
            s.network.seed = 1;
            assert_eq!(s.protocols, Protocol::ALL.to_vec(), "all four lanes");
            let mut times = Vec::new();
            let mut peak = 0usize;
            let mut allocs = 0usize;
            let mut finished = Vec::new();
            let started = Instant::now();
            while times.is_empty() || (started.elapsed() < BUDGET && times.len() < MAX_RUNS) {
                let base = LIVE.load(Relaxed);
                PEAK.store(base, Relaxed);
                let a0 = ALLOCS.load(Relaxed);
                let t0 = Instant::now();
                let trace = simulate(&s);
                let dt = t0.elapsed();
                peak = peak.max(PEAK.load(Relaxed) - base);
                allocs = ALLOCS.load(Relaxed) - a0;
                let trace = match trace {
                    Ok(t) => t,
                    Err(e) => {
                        eprintln!("scaling: {n} assets at {loss_pct} % loss: {e}");
                        std::process::exit(1);
                    }
                };
                finished = trace
                    .lanes
                    .iter()
                    .map(|l| l.metrics.load.map(|t| t.as_micros()))
                    .collect();
                drop(trace);
                times.push(dt);
            }
            times.sort();
            let median = times[times.len() / 2];
            let ms = median.as_secs_f64() * 1e3;
            let per_asset_us = median.as_secs_f64() * 1e6 / n as f64;
            let mib = peak as f64 / (1024.0 * 1024.0);
            println!(
                "{n:>6} {loss_pct:>4}% {:>6} {ms:>11.2} {per_asset_us:>10.1} {mib:>11.1} {:>10.1} {:>12.0}",
                times.len(),
                peak as f64 / 1024.0 / n as f64,
                allocs as f64 / n as f64
            );
            rows.push(serde_json::json!({
                "assets": n,
                "loss_pct": loss_pct,
                "runs": times.len(),
                "median_ms": ms,
                "min_ms": times[0].as_secs_f64() * 1e3,
                "max_ms": times[times.len() - 1].as_secs_f64() * 1e3,
                "us_per_asset": per_asset_us,
                "peak_bytes": peak,
                "peak_bytes_per_asset": peak as f64 / n as f64,
                "allocations": allocs,
                "page_bytes": s.page.assets.iter().map(|a| a.size).sum::<u64>(),
                "lane_load_us": finished,
            }));
        }
    }
    let json = serde_json::json!({ "generated_page": "Page::synthetic (crates/engine/src/page/synthetic.rs)", "rows": rows });
    if let Some(dir) = out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = std::fs::write(
        &out,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    ) {
        eprintln!("scaling: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    println!("wrote {}", out.display());
}
