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

/// At 49 % loss the HTTP/2 lane's TCP connection spends the engine's hour in RTO back-off
/// and never brings the page: the summary says `finished: false` and gives no load time, no
/// first paint and no DOMContentLoaded (never a made-up 0), while a lane that did finish
/// says `finished: true` with its times.
#[test]
fn a_lane_that_gives_up_says_so_and_reports_no_load_time() {
    let out = protoviz(
        &[
            "simulate",
            "--url",
            "page=blog&loss=49",
            "--protocol",
            "h2",
            "--protocol",
            "h3",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lanes = lines(&out);
    assert_eq!(lanes[0]["protocol"], "h2");
    assert_eq!(lanes[0]["finished"], false, "{}", lanes[0]);
    for key in ["load_ms", "first_paint_ms", "dcl_ms"] {
        assert!(lanes[0][key].is_null(), "{key} in {}", lanes[0]);
    }
    assert_eq!(lanes[1]["protocol"], "h3");
    assert_eq!(lanes[1]["finished"], true, "{}", lanes[1]);
    assert!(lanes[1]["load_ms"].as_f64().unwrap() > 0.0);
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
    assert_eq!(trace["version"], protoviz_engine::TRACE_VERSION);
    // By default every protocol runs, in order: h1, h2, h2-push, h3.
    let protocols: Vec<&str> = trace["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(protocols, ["h1", "h2", "h2-push", "h3"]);
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

/// The summary fields the README promises, for every lane, in the default lane order.
#[test]
fn default_is_four_lanes_with_every_summary_field() {
    let out = protoviz(&["simulate", "--preset", "blog"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lanes = lines(&out);
    let ids: Vec<&str> = lanes
        .iter()
        .map(|l| l["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["h1", "h2", "h2-push", "h3"]);
    for l in &lanes {
        for key in [
            "ttfb_ms",
            "first_paint_ms",
            "dcl_ms",
            "load_ms",
            "bytes_total",
            "bytes_headers",
            "bytes_payload",
            "bytes_framing",
            "bytes_handshake",
            "bytes_retransmitted",
            "bytes_wasted",
            "retransmissions",
            "connections",
            "round_trips",
        ] {
            assert!(l[key].is_number(), "{key} missing in {l}");
        }
        // The page paints after its first byte and is loaded no sooner than it paints.
        let f = |k: &str| l[k].as_f64().unwrap();
        assert!(f("ttfb_ms") < f("first_paint_ms"), "{l}");
        assert!(f("first_paint_ms") <= f("dcl_ms"), "{l}");
        assert!(f("dcl_ms") <= f("load_ms"), "{l}");
        // Every blog body crosses the wire once: 995,000 bytes (page.rs preset sizes).
        assert_eq!(l["bytes_payload"], 995_000, "{l}");
    }
    // `--protocol` repeats, in the order given, and accepts h2-push.
    let out = protoviz(
        &[
            "simulate",
            "--preset",
            "tiles",
            "--protocol",
            "h2-push",
            "--protocol",
            "h1",
        ],
        "",
    );
    assert!(out.status.success());
    let ids: Vec<String> = lines(&out)
        .iter()
        .map(|l| l["protocol"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["h2-push", "h1"]);
}

fn scenario_of(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["simulate", "--format", "json"];
    all.extend_from_slice(args);
    let out = protoviz(&all, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    trace["scenario"].clone()
}

/// Each option flag lands in its scenario field (the trace echoes the scenario it ran).
#[test]
fn option_flags_set_the_scenario() {
    let s = scenario_of(&[
        "--preset",
        "blog",
        "--protocol",
        "h1",
        "--cache",
        "warm",
        "--scheduler",
        "round-robin",
        "--early-hints",
        "--zero-rtt",
        "--h1-connections",
        "2",
        "--no-keep-alive",
        "--pipelining",
        "--push",
        "1,2",
        "--windows",
        "rfc",
        "--no-hystart",
        "--tls-records",
        "dynamic",
    ]);
    assert_eq!(s["browser"]["cache"], "warm");
    assert_eq!(s["transport"]["hystart"], false);
    assert_eq!(s["server"]["scheduler"], "round_robin");
    assert_eq!(s["server"]["early_hints"], true);
    assert_eq!(s["http3"]["zero_rtt"], true);
    assert_eq!(s["http1"]["connections"], 2);
    assert_eq!(s["http1"]["keep_alive"], false);
    assert_eq!(s["http1"]["pipelining"], true);
    assert_eq!(s["http2"]["push"], serde_json::json!({"list": [1, 2]}));
    assert_eq!(s["http2"]["windows"], "rfc");
    assert_eq!(s["server"]["tls_records"], "dynamic");
    // Without the flags, the defaults.
    let d = scenario_of(&["--preset", "blog", "--protocol", "h1"]);
    assert_eq!(d["browser"]["cache"], "cold");
    assert_eq!(d["http1"]["connections"], 6);
    assert_eq!(d["http2"]["push"], "critical");
    assert_eq!(d["transport"]["hystart"], true);
    assert_eq!(d["server"]["tls_records"], "nginx16k");
    let none = scenario_of(&["--preset", "blog", "--protocol", "h1", "--push", "none"]);
    assert_eq!(none["http2"]["push"], "none");
}

/// `--url` reads the app's location-hash string; flags given with it win.
#[test]
fn url_state_is_the_apps_hash_and_flags_override_it() {
    let from_url = scenario_of(&["--url", "page=tiles&rtt=50&cache=warm&proto=h1,h3&seed=4"]);
    let from_flags = scenario_of(&[
        "--preset",
        "tiles",
        "--rtt-ms",
        "50",
        "--cache",
        "warm",
        "--protocol",
        "h1",
        "--protocol",
        "h3",
        "--seed",
        "4",
    ]);
    assert_eq!(from_url, from_flags);
    assert_eq!(from_url["network"]["rtt"], 50_000);
    let over = scenario_of(&["--url", "#page=tiles&rtt=50", "--rtt-ms", "80"]);
    assert_eq!(over["network"]["rtt"], 80_000);
}

fn fails_with_2(args: &[&str], expected: &[&str]) {
    let out = protoviz(args, "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    for e in expected {
        assert!(err.contains(e), "{args:?}: {err:?} lacks {e:?}");
    }
}

/// Bad arguments exit 2 with a message naming the flag, the value and what is allowed.
#[test]
fn bad_arguments_exit_2_naming_flag_value_and_allowed() {
    let sim = |extra: &[&'static str]| {
        let mut v = vec!["simulate", "--preset", "blog"];
        v.extend_from_slice(extra);
        v
    };
    fails_with_2(
        &sim(&["--h1-connections", "0"]),
        &["--h1-connections", "'0'", "1..=32"],
    );
    fails_with_2(
        &sim(&["--push", "1,x"]),
        &["--push", "\"1,x\"", "none, critical, or asset ids"],
    );
    fails_with_2(
        &sim(&["--push", "99"]),
        &["http2.push.list is 99; allowed: ids of the page's assets"],
    );
    fails_with_2(
        &sim(&["--cache", "hot"]),
        &["--cache", "'hot'", "cold, warm"],
    );
    fails_with_2(
        &sim(&["--scheduler", "fifo"]),
        &["--scheduler", "'fifo'", "sequential, round-robin"],
    );
    fails_with_2(
        &sim(&["--windows", "big"]),
        &["--windows", "'big'", "rfc, browser"],
    );
    fails_with_2(
        &sim(&["--protocol", "h4"]),
        &[
            "--protocol",
            "unknown protocol \"h4\"",
            "h1, h2, h2-push, h3",
        ],
    );
    fails_with_2(
        &sim(&["--rtt-ms", "0"]),
        &["--rtt-ms is 0", "positive number of milliseconds"],
    );
    fails_with_2(
        &["simulate", "--url", "page=blog&colour=red"],
        &["--url: unknown key \"colour\"; known keys: page,"],
    );
    fails_with_2(
        &["simulate", "--url", "page=blog&cache=hot"],
        &["--url: cache is \"hot\"; allowed: cold or warm"],
    );
    fails_with_2(
        &["simulate", "--url", "page=blog", "--preset", "blog"],
        &["--preset", "cannot be used with"],
    );
}

/// `--format verdict`: the app's verdict, from the same engine: the sentence, the lanes
/// compared and, under loss, the median over the seeds it names.
#[test]
fn verdict_format_prints_the_engines_verdict() {
    let out = protoviz(
        &[
            "simulate",
            "--url",
            "page=blog&loss=2",
            "--format",
            "verdict",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = lines(&out);
    assert_eq!(v.len(), 1);
    let expected = protoviz_engine::verdict::evaluate(
        &protoviz_engine::url::decode("page=blog&loss=2").unwrap(),
    )
    .unwrap();
    assert_eq!(v[0], serde_json::to_value(&expected).unwrap());
    assert_eq!(v[0]["basis"]["basis"], "median");
    assert_eq!(v[0]["basis"]["seeds"], 9);
    let sentence = v[0]["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with("Median of 9 loss draws (seeds 0–8): "),
        "{sentence}"
    );
}
