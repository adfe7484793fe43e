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
    assert_eq!(trace["version"], 1);
    assert_eq!(trace["lanes"].as_array().unwrap().len(), 2);
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
