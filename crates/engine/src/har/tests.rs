use super::*;

/// One entry of a hand-made HAR: (url, mime, bodySize, initiator JSON or "", start ms).
fn har(entries: &[(&str, &str, i64, &str, u64)]) -> String {
    let list: Vec<String> = entries
        .iter()
        .map(|&(url, mime, size, init, start)| {
            let init = if init.is_empty() {
                String::new()
            } else {
                format!(",\"_initiator\":{init}")
            };
            format!(
                r#"{{"startedDateTime":"2026-12-04T18:40:00.{start:03}Z","time":10,
                "request":{{"method":"GET","url":"{url}","httpVersion":"h2","headers":[
                  {{"name":":path","value":"/"}},{{"name":"User-Agent","value":"test"}}]}},
                "response":{{"status":200,"headers":[{{"name":"Content-Type","value":"{mime}"}},
                  {{"name":"content-length","value":"{size}"}}],
                  "content":{{"size":{size},"mimeType":"{mime}"}},"headersSize":-1,"bodySize":{size}}},
                "timings":{{"blocked":0,"dns":-1,"connect":-1,"send":0,"wait":5,"receive":10}},
                "_priority":"High"{init}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"log":{{"version":"1.2","creator":{{"name":"t","version":"1"}},
        "pages":[{{"title":"My page"}}],"entries":[{}]}}}}"#,
        list.join(",")
    )
}

#[test]
fn entries_become_assets_with_kind_size_headers_and_discovery() {
    let text = har(&[
        (
            "https://site.example/",
            "text/html; charset=utf-8",
            10_000,
            "",
            0,
        ),
        (
            "https://site.example/a.css",
            "text/css",
            2_000,
            r#"{"type":"parser","url":"https://site.example/"}"#,
            10,
        ),
        (
            "https://site.example/f.woff2",
            "font/woff2",
            3_000,
            r#"{"type":"parser","url":"https://site.example/a.css"}"#,
            30,
        ),
        (
            "https://cdn.example/lib.js",
            "application/javascript",
            4_000,
            r#"{"type":"parser","url":"https://site.example/#top"}"#,
            12,
        ),
        (
            "https://site.example/api/x",
            "application/json",
            500,
            r#"{"type":"script","stack":{"callFrames":[],"parent":{"callFrames":[{"url":"https://cdn.example/lib.js"}]}}}"#,
            40,
        ),
    ]);
    let got = import(&text).unwrap();
    let p = &got.page;
    assert_eq!(
        (p.name.as_str(), p.host.as_str()),
        ("My page", "site.example")
    );
    let rows: Vec<(&str, AssetKind, u64)> = p
        .assets
        .iter()
        .map(|a| (a.path.as_str(), a.kind, a.size))
        .collect();
    assert_eq!(
        rows,
        [
            ("/", AssetKind::Html, 10_000),
            ("/a.css", AssetKind::Css, 2_000),
            ("/lib.js", AssetKind::Js, 4_000),
            ("/f.woff2", AssetKind::Font, 3_000),
            ("/api/x", AssetKind::Json, 500),
        ]
    );
    // The CSS started 10 ms after the HTML, 5 ms into its 10 ms of body: half of it.
    let d = |i: usize| p.assets[i].discovered_by.unwrap();
    assert_eq!(
        (d(1).parent, d(1).offset, d(1).parsed),
        (AssetId(0), 5_000, false)
    );
    assert_eq!((d(2).parent, d(2).offset), (AssetId(0), 7_000));
    // The font is named by the CSS, the JSON fetched by the script: after parse / run.
    assert_eq!((d(3).parent, d(3).parsed), (AssetId(1), true));
    assert_eq!((d(4).parent, d(4).parsed), (AssetId(2), true));
    assert!(p.assets[1].blocking && p.assets[2].blocking && !p.assets[4].blocking);
    // Header names in lower case, pseudo-headers left to the engine.
    assert_eq!(
        p.assets[0].request_headers,
        [("user-agent".to_owned(), "test".to_owned())]
    );
    assert_eq!(p.assets[1].response_headers[0].0, "content-type");
    assert_eq!(got.notes.len(), 1, "{:?}", got.notes);
    assert!(
        got.notes[0].starts_with(
            "1 asset from 1 other host (cdn.example) loads over site.example's own connections"
        ),
        "{}",
        got.notes[0]
    );
    crate::simulate(&crate::Scenario {
        page: got.page,
        ..crate::Scenario::preset(crate::PresetId::Blog)
    })
    .unwrap();
}

#[test]
fn sizes_prefer_the_bytes_on_the_wire() {
    let text = har(&[("https://s.example/", "text/html", 900, "", 0)]);
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = &mut v["log"]["entries"][0]["response"];
    r["bodySize"] = (-1).into();
    r["content"]["size"] = 5_000.into();
    r["content"]["compression"] = 3_800.into();
    assert_eq!(import(&v.to_string()).unwrap().page.assets[0].size, 1_200);
    v["log"]["entries"][0]["_transferSize"] = 1_500.into();
    v["log"]["entries"][0]["response"]["headersSize"] = 200.into();
    assert_eq!(import(&v.to_string()).unwrap().page.assets[0].size, 1_300);
}

#[test]
fn skipped_entries_are_counted_in_the_notes() {
    let text = har(&[
        ("https://s.example/old", "text/html", 0, "", 0),
        ("https://s.example/", "text/html", 900, "", 1),
        ("data:image/png;base64,AAAA", "image/png", 4, "", 2),
        ("https://s.example/gone.png", "image/png", 0, "", 3),
    ]);
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["log"]["entries"][0]["response"]["status"] = 301.into();
    v["log"]["entries"][3]["response"]["status"] = 0.into();
    let got = import(&v.to_string()).unwrap();
    assert_eq!(got.page.assets.len(), 1);
    assert_eq!(
        got.notes,
        [
            "1 entry skipped: not http or https (data:, blob:, extensions).",
            "1 entry skipped: started before the document (redirects, service workers).",
            "1 entry skipped: without a final response (status 0: failed or blocked; 1xx, 3xx: redirects and revalidations).",
        ]
    );
}

#[test]
fn a_repeated_path_gets_a_marked_copy() {
    let text = har(&[
        ("https://s.example/", "text/html", 900, "", 0),
        ("https://s.example/a.png", "image/png", 10, "", 1),
        ("https://other.example/a.png", "image/png", 20, "", 2),
    ]);
    let p = import(&text).unwrap().page;
    assert_eq!(p.assets[2].path, "/a.png?protoviz-copy=1");
    assert_eq!(p.by_path().len(), 3);
}

/// Malformed input: the JSON path of what is wrong, and what is allowed.
#[test]
fn malformed_har_names_the_json_path() {
    let err = |text: &str| import(text).unwrap_err().to_string();
    let good = har(&[("https://s.example/", "text/html", 900, "", 0)]);
    assert!(
        err(&good.replace("\"status\":200", "\"status\":\"200\"")).starts_with(
            "HAR log.entries[0].response.status: invalid type: string \"200\", expected f64"
        ),
        "{}",
        err(&good.replace("\"status\":200", "\"status\":\"200\""))
    );
    assert_eq!(
        err("{\"log\":"),
        "HAR log: EOF while parsing a value at line 1 column 7"
    );
    assert!(
        err("{").starts_with("HAR $: EOF while parsing"),
        "{}",
        err("{")
    );
    assert!(
        err("").starts_with("HAR $: is not a JSON object"),
        "{}",
        err("")
    );
    // A key that is no plain name is quoted (found by fuzz/fuzz_targets/har_import.rs).
    assert_eq!(
        err("{\"\":  "),
        "HAR [\"\"]: EOF while parsing a value at line 1 column 6"
    );
    assert!(
        err("{\"log\":{\"version\":\"1.2\",\"entries\":[],\"x y\":[}}")
            .starts_with("HAR log[\"x y\"]: "),
        "{}",
        err("{\"log\":{\"version\":\"1.2\",\"entries\":[],\"x y\":[}}")
    );
    assert!(
        err("[]").starts_with("HAR $: is not a JSON object"),
        "{}",
        err("[]")
    );
    assert_eq!(
        err(&good.replace("\"version\":\"1.2\"", "\"version\":\"2.0\"")),
        "HAR log.version: is \"2.0\"; allowed: \"1.1\", \"1.2\", \"1.3\""
    );
    assert!(err(&good.replace("\"request\":", "\"requestX\":"))
        .starts_with("HAR log.entries[0]: missing field `request`"));
    assert_eq!(
        err(&good.replace("2026-12-04T18:40:00.000Z", "yesterday")),
        "HAR log.entries[0].startedDateTime: is \"yesterday\"; allowed: an ISO 8601 date and time such as \"2026-12-04T18:40:01.123Z\""
    );
    assert_eq!(
        err(&good.replace("text/html", "image/png")),
        "HAR log.entries: has no HTML document answered 200 to a GET; a page starts with its HTML"
    );
    let many = format!(
        "{{\"log\":{{\"version\":\"1.2\",\"entries\":[{}]}}}}",
        vec![
            r#"{"startedDateTime":"2026-12-04T18:40:00Z","request":{"method":"GET","url":"https://s.example/","headers":[]},"response":{"status":200,"headers":[],"content":{"size":1,"mimeType":"text/html"}}}"#;
            MAX_ENTRIES + 1
        ]
        .join(",")
    );
    assert_eq!(
        err(&many),
        "HAR log.entries: has 2001 entries; at most 2000 are allowed"
    );
    let huge = " ".repeat(MAX_BYTES + 1);
    assert_eq!(
        err(&huge),
        "HAR $: the file is 50000001 bytes; at most 50000000 (50 MB) are allowed"
    );
}

#[test]
fn iso_times_parse_to_microseconds() {
    assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        parse_time("2026-12-04T18:40:01.123456Z"),
        Some(1_796_409_601_123_456)
    );
    assert_eq!(
        parse_time("2026-12-04T19:40:01.5+01:00"),
        Some(1_796_409_601_500_000)
    );
    for bad in [
        "",
        "2026-13-01T00:00:00Z",
        "2026-12-04T18:40:01.Z",
        "2026-12-04",
    ] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
}

/// The HAR headless Chromium recorded of `tests/fixtures/har-site/` served on 127.0.0.1
/// (see `scripts/record-har`): every request of the page is an asset, with the discovery
/// Chromium's `_initiator` gives and the headers the browser and server really sent.
#[test]
fn chromiums_recorded_har_imports() {
    let text = include_str!("../../../../tests/fixtures/local-site.har");
    let got = import(text).unwrap();
    let p = &got.page;
    let find = |path: &str| {
        p.assets
            .iter()
            .position(|a| a.path == path)
            .unwrap_or_else(|| panic!("{path} in {:?}", p.by_path().keys()))
    };
    assert_eq!(p.assets[0].path, "/");
    assert_eq!(p.assets[0].kind, AssetKind::Html);
    let css = find("/css/site.css");
    let font = find("/fonts/text.woff2");
    let app = find("/js/app.js");
    let feed = find("/api/feed.json");
    assert_eq!(p.assets[css].kind, AssetKind::Css);
    assert!(p.assets[css].blocking);
    let by = |i: usize| p.assets[i].discovered_by.unwrap();
    assert_eq!((by(font).parent.0 as usize, by(font).parsed), (css, true));
    assert_eq!((by(feed).parent.0 as usize, by(feed).parsed), (app, true));
    assert_eq!(p.assets[feed].kind, AssetKind::Json);
    // Sizes are the bytes the server sent (Python's http.server: no compression).
    let served = |rel: &str| {
        std::fs::metadata(format!(
            "{}/../../tests/fixtures/har-site/{rel}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .len()
    };
    assert_eq!(p.assets[css].size, served("css/site.css"));
    assert_eq!(p.assets[font].size, served("fonts/text.woff2"));
    // The browser's own request headers, and the server's.
    let has = |list: &[(String, String)], name: &str| list.iter().any(|(n, _)| n == name);
    assert!(has(&p.assets[css].request_headers, "user-agent"));
    assert!(has(&p.assets[css].response_headers, "last-modified"));
    // The images served from "localhost" are another host than 127.0.0.1.
    assert!(
        got.notes
            .iter()
            .any(|n| n.contains("other host (localhost")),
        "{:?}",
        got.notes
    );
    let t = crate::simulate(&crate::Scenario {
        page: got.page.clone(),
        ..crate::Scenario::preset(crate::PresetId::Blog)
    })
    .unwrap();
    assert!(t.lanes.iter().all(|l| l.metrics.finished));
}
