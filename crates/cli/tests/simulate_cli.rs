//! Black-box tests of `protoviz simulate`: run the built binary as a user would.

mod common;

use common::protoviz;
use std::process::Output;

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each summary line is JSON"))
        .collect()
}

#[test]
fn summary_has_one_line_per_lane_with_the_promised_fields() {
    let out = protoviz(
        &[
            "simulate",
            "--preset",
            "blog",
            "--protocol",
            "h1",
            "--protocol",
            "h2",
            "--rtt-ms",
            "100",
            "--bandwidth-mbps",
            "10",
            "--format",
            "summary",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lanes = lines(&out);
    assert_eq!(lanes.len(), 2);
    assert_eq!(lanes[0]["protocol"], "h1");
    assert_eq!(lanes[1]["protocol"], "h2");
    for l in &lanes {
        for key in ["ttfb_ms", "load_ms", "bytes_total", "connections"] {
            assert!(l[key].is_number(), "{key} missing in {l}");
        }
        // TCP + TLS 1.3 + the request round trip: at least 3 RTTs to the HTML's first byte.
        assert!(l["ttfb_ms"].as_f64().unwrap() >= 300.0);
        assert!(l["load_ms"].as_f64().unwrap() > l["ttfb_ms"].as_f64().unwrap());
    }
    assert_eq!(lanes[0]["connections"], 6);
    assert_eq!(lanes[1]["connections"], 1);
}

/// `--protocol h3` runs the QUIC lane alone: one connection, and the HTML's first byte two
/// round trips in (the QUIC handshake carries TLS), not three.
#[test]
fn h3_lane_runs_alone_on_one_connection() {
    let out = protoviz(
        &[
            "simulate",
            "--preset",
            "blog",
            "--protocol",
            "h3",
            "--rtt-ms",
            "100",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lanes = lines(&out);
    assert_eq!(lanes.len(), 1);
    assert_eq!(lanes[0]["protocol"], "h3");
    assert_eq!(lanes[0]["connections"], 1);
    let ttfb = lanes[0]["ttfb_ms"].as_f64().unwrap();
    assert!((200.0..300.0).contains(&ttfb), "{ttfb} ms");
}

#[test]
fn rtt_changes_the_figures() {
    let run = |rtt: &str| {
        let out = protoviz(&["simulate", "--preset", "blog", "--rtt-ms", rtt], "");
        assert!(out.status.success());
        lines(&out)[0]["load_ms"].as_f64().unwrap()
    };
    assert!(run("200") > run("50") + 300.0);
}

#[test]
fn json_is_the_whole_trace_and_reads_back_as_a_scenario() {
    let out = protoviz(&["simulate", "--preset", "blog", "--format", "json"], "");
    assert!(out.status.success());
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(trace["version"], 2);
    // By default every protocol runs, in order: h1, h2, h3.
    let protocols: Vec<&str> = trace["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(protocols, ["h1", "h2", "h3"]);
    assert_eq!(trace["lanes"][0]["assets"].as_array().unwrap().len(), 16);
    // The embedded scenario is accepted back, from stdin.
    let scenario = trace["scenario"].to_string();
    let out = protoviz(
        &["simulate", "--scenario", "-", "--protocol", "h2"],
        &scenario,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&out).len(), 1);
}

#[test]
fn bad_input_says_what_and_where() {
    let out = protoviz(&["simulate", "--preset", "nope"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown preset \"nope\""));

    let out = protoviz(&["simulate", "--preset", "blog", "--rtt-ms", "0"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rtt-ms is 0"));

    let out = protoviz(&["simulate", "--preset", "blog", "--rtt-ms", "20000"], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("network.rtt is 20000000 µs; allowed: 1 ms to 10 s"),
        "{err}"
    );

    let out = protoviz(&["simulate", "--scenario", "-"], "{\"page\": 3}");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, column"), "{err}");
}

#[test]
fn loss_causes_retransmissions_and_the_seed_makes_it_repeatable() {
    let run = |seed: &str| {
        let out = protoviz(
            &[
                "simulate",
                "--preset",
                "blog",
                "--loss-pct",
                "2",
                "--seed",
                seed,
                "--format",
                "json",
            ],
            "",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let a = run("7");
    assert_eq!(a, run("7"), "same seed, same trace");
    assert_ne!(a, run("8"), "another seed, other luck");
    let trace: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(trace["scenario"]["network"]["loss"]["ppm"], 20_000);
    for lane in trace["lanes"].as_array().unwrap() {
        assert!(lane["metrics"]["retransmissions"].as_u64().unwrap() > 0);
        let lost = lane["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "packet_sent" && e["dropped"] == "random")
            .count();
        assert!(lost > 0);
    }

    let out = protoviz(
        &[
            "simulate",
            "--preset",
            "blog",
            "--loss-pct",
            "3",
            "--loss-model",
            "bursty",
        ],
        "",
    );
    assert!(out.status.success());
    assert!(lines(&out)[0]["retransmissions"].as_u64().unwrap() > 0);

    let out = protoviz(&["simulate", "--preset", "blog", "--loss-pct", "100"], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("network.loss.ppm is 1000000 ppm; allowed: 0 to 500000 ppm"),
        "{err}"
    );
}
