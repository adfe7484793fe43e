//! Black-box tests of `protoviz sweep`: its CSV agrees with `protoviz simulate` run by hand.

mod common;

use common::protoviz;

fn csv(args: &[&str]) -> Vec<Vec<String>> {
    let out = protoviz(args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Load time (ms, as printed) of one lane from `protoviz simulate`.
fn load_ms(protocol: &str, rtt: &str, loss: &str, seed: &str) -> f64 {
    let out = protoviz(
        &[
            "simulate",
            "--preset",
            "blog",
            "--protocol",
            protocol,
            "--rtt-ms",
            rtt,
            "--loss-pct",
            loss,
            "--seed",
            seed,
        ],
        "",
    );
    assert!(out.status.success());
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    line["load_ms"].as_f64().unwrap()
}

#[test]
fn one_row_per_cell_and_protocol_with_the_cells_winner() {
    let rows = csv(&[
        "sweep",
        "--preset",
        "blog",
        "--rtt-ms",
        "50,100",
        "--loss-pct",
        "0",
        "--seeds",
        "2",
        "--protocol",
        "h1",
        "--protocol",
        "h3",
    ]);
    assert_eq!(
        rows[0],
        [
            "rtt_ms",
            "loss_pct",
            "protocol",
            "median_load_ms",
            "p90_load_ms",
            "winner"
        ]
    );
    // 2 round trips × 1 loss rate × 2 protocols, in that nesting order.
    let keys: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("50", "0", "h1"),
            ("50", "0", "h3"),
            ("100", "0", "h1"),
            ("100", "0", "h3")
        ]
    );
    for cell in rows[1..].chunks(2) {
        let median = |r: &Vec<String>| r[3].parse::<f64>().unwrap();
        // Without random loss the seed changes nothing: median = p90 = the one load time,
        // which is what `simulate` prints for that lane.
        for r in cell {
            assert_eq!(r[3], r[4], "{r:?}");
            assert_eq!(median(r), load_ms(&r[2], &r[0], "0", "1"), "{r:?}");
        }
        let best = if median(&cell[1]) < median(&cell[0]) {
            "h3"
        } else {
            "h1"
        };
        assert!(cell.iter().all(|r| r[5] == best), "{cell:?}");
    }
}

/// Median and p90 are nearest-rank over seeds 1..=N: with N = 3 the median is the 2nd
/// smallest (⌈0.5·3⌉ = 2) and the p90 the largest (⌈0.9·3⌉ = 3) of the three runs.
#[test]
fn median_and_p90_are_nearest_rank_over_seeds_1_to_n() {
    let rows = csv(&[
        "sweep",
        "--preset",
        "blog",
        "--rtt-ms",
        "50",
        "--loss-pct",
        "2",
        "--seeds",
        "3",
        "--protocol",
        "h1",
    ]);
    assert_eq!(rows.len(), 2);
    let mut runs: Vec<f64> = ["1", "2", "3"]
        .iter()
        .map(|s| load_ms("h1", "50", "2", s))
        .collect();
    runs.sort_by(f64::total_cmp);
    assert_eq!(rows[1][3].parse::<f64>().unwrap(), runs[1]);
    assert_eq!(rows[1][4].parse::<f64>().unwrap(), runs[2]);
    // One protocol: it wins its cell.
    assert_eq!(rows[1][5], "h1");
}

#[test]
fn bad_sweep_arguments_exit_2() {
    let out = protoviz(&["sweep", "--preset", "blog", "--loss-pct", "60"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("network.loss.ppm is 600000 ppm; allowed: 0 to 500000 ppm"),
        "{err}"
    );
    let out = protoviz(&["sweep", "--preset", "blog", "--rtt-ms", "20,fast"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("'fast'") && err.contains("--rtt-ms"), "{err}");
    let out = protoviz(&["sweep", "--preset", "blog", "--seeds", "0"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 is not in 1..=10000"));
}

/// A tie goes to the earlier protocol in the `--protocol` order. With `--push none` the
/// h2-push lane is plain HTTP/2 (options.rs, `PushPolicy::None`), so the two tie exactly.
#[test]
fn a_tie_goes_to_the_earlier_protocol() {
    let run = |first: &str, second: &str| {
        csv(&[
            "sweep",
            "--preset",
            "blog",
            "--rtt-ms",
            "50",
            "--loss-pct",
            "1",
            "--seeds",
            "2",
            "--push",
            "none",
            "--protocol",
            first,
            "--protocol",
            second,
        ])
    };
    let rows = run("h2", "h2-push");
    assert_eq!(rows[1][3], rows[2][3], "the two lanes tie: {rows:?}");
    assert_eq!((rows[1][5].as_str(), rows[2][5].as_str()), ("h2", "h2"));
    let rows = run("h2-push", "h2");
    assert_eq!(
        (rows[1][5].as_str(), rows[2][5].as_str()),
        ("h2-push", "h2-push")
    );
}
