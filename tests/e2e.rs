//! End-to-end: the release build, served under a sub-path on 127.0.0.1, in headless Chromium.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use protoviz_e2e::{artifacts_dir, dist_dir, Chromedriver, StaticServer, SUB_PATH};
use serde_json::Value;

/// Runs `script` (which returns a value) until `done` accepts it or `secs` pass.
async fn wait_for(
    c: &Client,
    what: &str,
    secs: u64,
    script: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = c.execute(script, vec![]).await.expect("script runs");
        if done(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last value {v}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn load_us(c: &Client, protocol: &str) -> u64 {
    let v = c
        .execute(
            &format!(
                "return document.querySelector('.lane[data-protocol={protocol}] .load').dataset.us"
            ),
            vec![],
        )
        .await
        .expect("script runs");
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no load figure for {protocol}: {v}"))
}

async fn set_slider(c: &Client, id: &str, value: &str) {
    let script = format!(
        "const r = document.getElementById('{id}'); r.value = '{value}';\
         r.dispatchEvent(new InputEvent('input', {{ bubbles: true }})); return r.value;"
    );
    let v = c.execute(&script, vec![]).await.expect("script runs");
    assert_eq!(v, Value::String(value.into()), "slider {id} took the value");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_four_lanes_and_reacts_to_the_rtt_slider() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    c.goto(&server.url(SUB_PATH)).await.expect("page loads");

    // The wasm app starts and draws the four lanes.
    four_lanes(&c).await;
    for protocol in ["h1", "h2", "h2-push", "h3"] {
        let rows = c
            .find_all(Locator::Css(&format!(
                ".lane[data-protocol={protocol}] .asset-row"
            )))
            .await
            .expect("rows");
        assert_eq!(
            rows.len(),
            16,
            "{protocol}: one row per asset of the blog page"
        );
    }
    let heading = c
        .find(Locator::Css(".lane[data-protocol=h2] h2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "HTTP/2");
    let headings = c
        .execute(
            "return [...document.querySelectorAll('.lane h2')].map(h => h.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        headings,
        serde_json::json!(["HTTP/1.1", "HTTP/2", "HTTP/2 + push", "HTTP/3"])
    );
    let verdict = c
        .find(Locator::Id("verdict"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(verdict.contains("loads the page"), "verdict: {verdict}");

    // The playhead moves: the clock advances on its own.
    let clock = "return document.querySelector('.clock').textContent";
    let first = c.execute(clock, vec![]).await.unwrap();
    wait_for(&c, "the playhead to move", 10, clock, |v| *v != first).await;

    // Moving the RTT slider re-simulates at once: later loads, on both lanes.
    let (h1_before, h2_before) = (load_us(&c, "h1").await, load_us(&c, "h2").await);
    set_slider(&c, "rtt", "300").await;
    wait_for(
        &c,
        "the RTT label",
        10,
        "return document.getElementById('rtt-value').textContent",
        |v| v == "300 ms",
    )
    .await;
    let (h1_after, h2_after) = (load_us(&c, "h1").await, load_us(&c, "h2").await);
    assert!(
        h1_after > h1_before + 400_000,
        "h1 load {h1_before} -> {h1_after}"
    );
    assert!(
        h2_after > h2_before + 400_000,
        "h2 load {h2_before} -> {h2_after}"
    );
    // QUIC's handshake carries TLS: HTTP/3's first byte comes a round trip earlier.
    let ttfb = |p: &str| {
        format!("return document.querySelector('.lane[data-protocol={p}] .ttfb').dataset.us")
    };
    let h2_ttfb: u64 = c
        .execute(&ttfb("h2"), vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let h3_ttfb: u64 = c
        .execute(&ttfb("h3"), vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        h3_ttfb + 250_000 < h2_ttfb,
        "at 300 ms RTT: h3 {h3_ttfb} µs, h2 {h2_ttfb} µs"
    );

    // Loss: 2 % each way. HTTP/2's one TCP connection stalls every stream behind a lost
    // segment; the rows show the stalls and the lanes count resent packets.
    set_slider(&c, "loss", "4").await;
    wait_for(
        &c,
        "the loss label",
        10,
        "return document.getElementById('loss-value').textContent",
        |v| v == "2 % each way",
    )
    .await;
    let retx = "return document.querySelector('.lane[data-protocol=h2] .retx').dataset.count";
    let before = c.execute(retx, vec![]).await.unwrap();
    assert!(
        before
            .as_str()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|n| n > 0),
        "{before}"
    );
    // Other luck: the seed moves on and the figures change.
    c.find(Locator::Id("luck"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "new luck", 10, retx, |v| *v != before).await;

    // Replay to the end and keep a picture of what a student sees.
    c.find(Locator::Id("restart"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        &c,
        "the replay to finish",
        30,
        "return document.querySelectorAll('.load.done').length",
        |v| v == 4,
    )
    .await;
    let receive_bars = c
        .find_all(Locator::Css(".seg.receive"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        receive_bars, 64,
        "every asset of the four lanes has arrived"
    );
    // At the end each lane's axis shows its first paint and DOMContentLoaded.
    for class in ["first-paint", "dcl"] {
        let markers = c
            .find_all(Locator::Css(&format!(".axis .marker.{class}")))
            .await
            .unwrap()
            .len();
        assert_eq!(markers, 4, "one {class} marker per lane");
    }
    assert!(
        c.find_all(Locator::Css(".error")).await.unwrap().is_empty(),
        "no error shown"
    );
    // Tall enough for the two rows of lanes (the picture in the README).
    c.set_window_size(1480, 1640).await.expect("window resizes");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.len() > 10_000, "a real picture, not a blank page");
    std::fs::write(artifacts_dir().join("protoviz.png"), png).unwrap();
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_works_embedded_in_an_iframe_under_a_sub_path() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    c.goto(&server.url("/embed.html"))
        .await
        .expect("slide page loads");
    c.enter_frame(0).await.expect("the iframe");
    wait_for(
        &c,
        "four lanes in the iframe",
        60,
        "return document.querySelectorAll('.lane').length",
        |v| v == 4,
    )
    .await;
    set_slider(&c, "bandwidth", "1").await;
    wait_for(
        &c,
        "the bandwidth label",
        10,
        "return document.getElementById('bandwidth-value').textContent",
        |v| v.as_str().is_some_and(|s| s.starts_with("1 Mbit/s")),
    )
    .await;
    // At 1 Mbit/s, about 1 MB of page takes more than 8 s whatever the protocol.
    assert!(load_us(&c, "h2").await > 8_000_000);

    // The page picker: the classic tiles demo, 100 images, where multiplexing shines.
    let picked = c
        .execute(
            "const s = document.getElementById('page'); s.value = 'tiles';\
             s.dispatchEvent(new Event('change', { bubbles: true })); return s.value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(picked, "tiles");
    wait_for(
        &c,
        "101 rows per lane",
        20,
        "return document.querySelectorAll('.lane[data-protocol=h2] .asset-row').length",
        |v| v == 101,
    )
    .await;
    assert!(load_us(&c, "h2").await < load_us(&c, "h1").await);
    c.close().await.unwrap();
}

/// Waits for the wasm app to start and draw its four lanes.
async fn four_lanes(c: &Client) {
    wait_for(
        c,
        "four lanes",
        60,
        "return document.querySelectorAll('.lane').length",
        |v| v == 4,
    )
    .await;
}

async fn value(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect("script runs")
}

async fn pick(c: &Client, id: &str, value: &str) {
    let script = format!(
        "const s = document.getElementById('{id}'); s.value = '{value}';\
         s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.value;"
    );
    assert_eq!(
        c.execute(&script, vec![]).await.unwrap(),
        Value::String(value.into())
    );
}

/// A link carries the whole scenario in its hash: opening it sets every control; changing
/// a control rewrites the hash (replaceState) for the next link; a bad hash says what is
/// wrong, keeps its text, and the app runs the defaults.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_location_hash_sets_the_controls_and_follows_them() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let hash =
        "#page=tiles&rtt=50&loss=2&h1conn=2&zerortt=on&sched=round-robin&hints=on&cache=warm";
    c.goto(&server.url(&format!("{SUB_PATH}{hash}")))
        .await
        .expect("page loads");
    wait_for(
        &c,
        "101 rows in each of four lanes",
        60,
        "return document.querySelectorAll('.asset-row').length",
        |v| v == 404,
    )
    .await;
    let controls = value(
        &c,
        "const v = id => document.getElementById(id); return [v('page').value, v('rtt').value, \
         v('loss').value, v('h1-connections').value, v('zero-rtt').checked, \
         v('scheduler').value, v('early-hints').checked, v('cache').value]",
    )
    .await;
    assert_eq!(
        controls,
        serde_json::json!(["tiles", "50", "4", "2", true, "round-robin", true, "warm"])
    );
    assert!(c.find_all(Locator::Css(".error")).await.unwrap().is_empty());
    // The hash is left as it was opened ...
    assert_eq!(value(&c, "return location.hash").await, hash);
    // ... until a control changes: then it names the new scenario.
    pick(&c, "cache", "cold").await;
    wait_for(&c, "the hash to follow", 10, "return location.hash", |v| {
        v == "#page=tiles&rtt=50&loss=2&h1conn=2&zerortt=on&sched=round-robin&hints=on"
    })
    .await;
    set_slider(&c, "h1-connections", "8").await;
    wait_for(&c, "the hash to follow", 10, "return location.hash", |v| {
        v.as_str().is_some_and(|h| h.contains("&h1conn=8&"))
    })
    .await;
    assert!(value(&c, "return location.pathname")
        .await
        .as_str()
        .is_some_and(|p| p == SUB_PATH));

    // A bad link: the message quotes the decoder and the link, the defaults run.
    c.goto("about:blank").await.unwrap();
    let bad = "#page=blog&rtt=fast";
    c.goto(&server.url(&format!("{SUB_PATH}{bad}")))
        .await
        .expect("page loads");
    let msg = wait_for(
        &c,
        "the bad-link message",
        60,
        "const e = document.getElementById('hash-error'); return e && e.textContent",
        |v| v.is_string(),
    )
    .await;
    let msg = msg.as_str().unwrap();
    assert!(
        msg.contains("rtt is \"fast\"; allowed: a round trip in milliseconds"),
        "{msg}"
    );
    assert!(msg.contains("the link was #page=blog&rtt=fast"), "{msg}");
    wait_for(
        &c,
        "the default page in four lanes",
        30,
        "return document.querySelectorAll('.asset-row').length",
        |v| v == 64,
    )
    .await;
    assert_eq!(
        value(&c, "return document.getElementById('rtt').value").await,
        "100"
    );
    assert_eq!(value(&c, "return location.hash").await, bad);
    c.close().await.unwrap();
}

/// Cache: warm writes itself into the hash and re-runs the lanes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toggling_the_cache_reruns_and_names_it_in_the_hash() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    c.goto(&server.url(SUB_PATH)).await.expect("page loads");
    four_lanes(&c).await;
    assert_eq!(
        value(
            &c,
            "return document.querySelectorAll('.asset-row.source-cache').length"
        )
        .await,
        0,
        "a cold cache serves nothing from the cache"
    );
    pick(&c, "cache", "warm").await;
    wait_for(&c, "the hash", 10, "return location.hash", |v| {
        v == "#page=blog&cache=warm"
    })
    .await;
    c.close().await.unwrap();
}

/// A warm visit: every static asset of the blog page (15 of 16: all but the HTML) comes
/// from the cache, in every lane, and its row says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_cache_shows_cached_rows() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    c.goto(&server.url(&format!("{SUB_PATH}#page=blog&cache=warm")))
        .await
        .expect("page loads");
    four_lanes(&c).await;
    for protocol in ["h1", "h2", "h2-push", "h3"] {
        let n = value(
            &c,
            &format!(
                "return document.querySelectorAll('.lane[data-protocol={protocol}] .asset-row.source-cache').length"
            ),
        )
        .await;
        assert_eq!(n, 15, "{protocol}: every static asset is cached");
    }
    c.close().await.unwrap();
}
