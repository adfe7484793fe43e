//! Black-box tests of `protoviz simulate --har` and the export formats (csv, qlog, svg).

mod common;

use common::protoviz;

const HAR: &str = include_str!("../../../tests/fixtures/local-site.har");

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn a_har_on_stdin_is_the_page_and_its_notes_go_to_stderr() {
    let out = protoviz(
        &[
            "simulate",
            "--har",
            "-",
            "--protocol",
            "h2",
            "--format",
            "json",
        ],
        HAR,
    );
    let trace: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let assets = trace["scenario"]["page"]["assets"].as_array().unwrap();
    assert_eq!(assets[0]["path"], "/");
    assert!(assets.iter().any(|a| a["path"] == "/css/site.css"));
    assert_eq!(trace["scenario"]["page"]["host"], "127.0.0.1:8765");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("protoviz: note: "), "{stderr}");
}

#[test]
fn a_malformed_har_exits_2_naming_the_json_path() {
    let bad = HAR.replacen("\"status\": 200", "\"status\": \"ok\"", 1);
    let out = protoviz(&["simulate", "--har", "-"], &bad);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("protoviz: --har -: HAR log.entries[0].response.status: invalid type"),
        "{stderr}"
    );
}

#[test]
fn csv_qlog_and_svg_formats() {
    let run = |f: &str| {
        ok(&protoviz(
            &["simulate", "--preset", "blog", "--format", f],
            "",
        ))
    };
    let csv = run("csv");
    assert!(csv.starts_with("protocol,asset,path,kind,size,"));
    assert_eq!(csv.lines().count(), 1 + 4 * 16);
    let qlog: serde_json::Value = serde_json::from_str(&run("qlog")).unwrap();
    assert_eq!(qlog["qlog_version"], "0.3");
    assert_eq!(qlog["traces"].as_array().unwrap().len(), 4);
    let svg = run("svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">HTTP/3</text>"));
}
