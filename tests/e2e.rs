//! End-to-end: the release build, served under a sub-path on 127.0.0.1, in headless Chromium.
//! Every check compares what is drawn with what the engine computes natively for the same
//! scenario (the page runs the same engine in its web worker).
//!
//! Past 600 lines: the app's core checks share one set of WebDriver helpers at the top;
//! feature areas with many checks of their own have their own files (`connections.rs`,
//! `classroom.rs`, `exports.rs`).

use std::collections::BTreeSet;
use std::time::Duration;

use fantoccini::{key::Key, Client, Locator};
use protoviz_e2e::{
    artifacts_dir, close_details, dist_dir, open, set_viewport, shows, trace, value, wait_for,
    Chromedriver, StaticServer, SUB_PATH,
};
use protoviz_engine::trace::{BlockedCause, Source, Trace};
use protoviz_engine::{url, verdict, Protocol};
use serde_json::{json, Value};

async fn text(c: &Client, css: &str) -> String {
    let v = value(
        c,
        &format!("const e = document.querySelector({css:?}); return e ? e.textContent : null"),
    )
    .await;
    v.as_str()
        .unwrap_or_else(|| panic!("no element {css}"))
        .to_string()
}

async fn set_range(c: &Client, id: &str, value: &str) {
    let script = format!(
        "const r = document.getElementById('{id}'); r.value = '{value}';\
         r.dispatchEvent(new InputEvent('input', {{ bubbles: true }})); return r.value;"
    );
    let v = c.execute(&script, vec![]).await.expect("script runs");
    assert_eq!(v, Value::String(value.into()), "{id} took the value");
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

async fn check(c: &Client, id: &str, on: bool) {
    let script = format!(
        "const s = document.getElementById('{id}'); s.checked = {on};\
         s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.checked;"
    );
    assert_eq!(c.execute(&script, vec![]).await.unwrap(), Value::Bool(on));
}

/// Pauses the replay and moves the playhead to `per_mille` of the axis.
async fn seek(c: &Client, per_mille: u32) {
    let playing = text(c, "#play").await.contains("Pause");
    if playing {
        c.find(Locator::Id("play"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    set_range(c, "seek", &per_mille.to_string()).await;
    let end: u64 = value(c, "return document.querySelector('.lanes').dataset.endUs")
        .await
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("the axis end");
    let want = (f64::from(per_mille) / 1000.0 * end as f64) as u64;
    wait_for(
        c,
        "the playhead",
        10,
        "return document.querySelector('.timebar').dataset.playheadUs",
        |v| v.as_str().and_then(|s| s.parse::<u64>().ok()) == Some(want),
    )
    .await;
}

/// The `t=` key of the playhead on screen (pinned by a seek: the link opens there).
async fn pinned_t(c: &Client) -> String {
    let us: u64 = value(
        c,
        "return document.querySelector('.timebar').dataset.playheadUs",
    )
    .await
    .as_str()
    .and_then(|s| s.parse().ok())
    .expect("the playhead");
    url::encode_view(&url::View {
        t_us: Some(us),
        ..Default::default()
    })
}

/// Each lane's load time as drawn (its `data-load-us`), in lane order.
async fn loads(c: &Client) -> Value {
    value(
        c,
        "return [...document.querySelectorAll('.lane')].map(l => [l.dataset.protocol, l.dataset.loadUs])",
    )
    .await
}

fn expected_loads(t: &Trace) -> Value {
    json!(t
        .lanes
        .iter()
        .map(|l| json!([
            l.protocol.id(),
            l.metrics
                .load
                .map(|d| d.as_micros().to_string())
                .unwrap_or_default()
        ]))
        .collect::<Vec<_>>())
}

async fn session() -> (StaticServer, Chromedriver, Client) {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    (server, driver, c)
}

/// The engine's verdict for a link, as the page should say it once the median is in.
fn engine_verdict(link: &str) -> String {
    verdict::evaluate(&url::decode(link).unwrap())
        .unwrap()
        .sentence
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_runs_the_engine_in_a_worker_and_follows_the_rtt_slider() {
    // The engine's own figures first (natively; 9 seeds for the verdict), so that under a
    // loaded machine they cannot outlast the 6 s replay the playhead check below watches.
    let (want_loads, want_verdict) = (
        expected_loads(&trace("page=blog")),
        engine_verdict("page=blog"),
    );
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;
    // The playhead moves by itself.
    let clock = "return document.querySelector('.clock').textContent";
    let first = value(&c, clock).await;
    wait_for(&c, "the playhead to move", 10, clock, |v| *v != first).await;
    let headings = value(
        &c,
        "return [...document.querySelectorAll('.lane h2')].map(h => h.textContent)",
    )
    .await;
    assert_eq!(
        headings,
        json!(["HTTP/1.1", "HTTP/2", "HTTP/2 + push", "HTTP/3"])
    );
    for p in ["h1", "h2", "h2-push", "h3"] {
        let rows = c
            .find_all(Locator::Css(&format!(
                ".lane[data-protocol={p}] .asset-row"
            )))
            .await
            .unwrap();
        assert_eq!(rows.len(), 16, "{p}: one row per asset of the blog page");
    }
    assert_eq!(loads(&c).await, want_loads);
    assert_eq!(text(&c, "#verdict").await, want_verdict);
    // The loading message was the page's own text, and the app took its place.
    assert_eq!(
        value(&c, "return document.getElementById('loading')").await,
        Value::Null
    );
    // Every view says what it is.
    let unlabelled = value(
        &c,
        "return [...document.querySelectorAll('[data-view]')].filter(e => !e.getAttribute('aria-label')).map(e => e.dataset.view)",
    )
    .await;
    assert_eq!(unlabelled, json!([]));

    set_range(&c, "rtt", "300").await;
    assert_eq!(text(&c, "#rtt-value").await, "300 ms");
    shows(&c, "page=blog&rtt=300").await;
    assert_eq!(loads(&c).await, expected_loads(&trace("page=blog&rtt=300")));
    assert_eq!(
        text(&c, "#verdict").await,
        engine_verdict("page=blog&rtt=300")
    );
    assert_eq!(
        value(&c, "return location.hash").await,
        "#page=blog&rtt=300"
    );
    assert_eq!(value(&c, "return location.pathname").await, SUB_PATH);
    assert!(c.find_all(Locator::Css(".error")).await.unwrap().is_empty());
    c.close().await.unwrap();
}

/// Issue 14: while a run is in flight another input is accepted (the control shows it at
/// once), and the result on screen is the last value's, whatever came in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inputs_during_a_run_are_taken_and_the_last_value_wins() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=news&loss=2").await;
    // One input per animation frame, as a drag gives them, until one finds the engine
    // busy (with this input's run or an earlier one); then the last input, at once, while
    // that run is in flight.
    let drag = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             (async () => {\
               const r = document.getElementById('rtt');\
               const set = v => { r.value = String(v); r.dispatchEvent(new InputEvent('input', { bubbles: true })); };\
               const busy = () => !!document.querySelector('[data-busy]');\
               const frame = () => new Promise(res => requestAnimationFrame(res));\
               const seen = [];\
               let v = 200;\
               const soon = () => new Promise(res => setTimeout(res, 0));\
               for (; v <= 590; v += 10) {\
                 set(v); await soon();\
                 const b = busy();\
                 await frame();\
                 seen.push([v, document.getElementById('rtt-value').textContent, b]);\
                 if (b && v > 200) break;\
               }\
               const inFlight = busy();\
               set(v + 5);\
               done({ seen, last: v + 5, inFlight });\
             })();",
            vec![],
        )
        .await
        .expect("script runs");
    // Every input was taken at once: the control shows it in the next frame.
    for f in drag["seen"].as_array().unwrap() {
        assert_eq!(f[1], format!("{} ms", f[0]), "{f}");
    }
    assert_eq!(drag["inFlight"], true, "{drag}");
    let last = drag["last"].as_u64().unwrap();
    // The last value, sent while a run was in flight, is the one on screen in the end.
    shows(&c, &format!("page=news&loss=2&rtt={last}")).await;
    assert_eq!(
        loads(&c).await,
        expected_loads(&trace(&format!("page=news&loss=2&rtt={last}")))
    );
    wait_for(
        &c,
        "the median",
        120,
        "return document.querySelector('.seeds') === null",
        |v| v == true,
    )
    .await;
    assert_eq!(
        text(&c, "#verdict").await,
        engine_verdict(&format!("page=news&loss=2&rtt={last}"))
    );
    c.close().await.unwrap();
}

/// The verdict is the engine's: on `spa`, on a warm cache (first paint named), and under
/// 2 % loss the median of the seeds once they are in (one seed's luck said until then).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verdict_is_the_engines_for_the_same_scenario() {
    let (server, _driver, c) = session().await;
    for link in ["page=spa", "page=blog&cache=warm", "page=streaming"] {
        open(&c, &server, link).await;
        let v = text(&c, "#verdict").await;
        assert_eq!(v, engine_verdict(link), "{link}");
        assert!(!v.contains("instead of"), "{v}");
        assert!(
            v.contains("paints first"),
            "{link}: first paint is named: {v}"
        );
    }
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#page=blog&loss=2")))
        .await
        .unwrap();
    // Before the median: one seed's run, said so; after: the median, as the engine says.
    let first = wait_for(
        &c,
        "a verdict",
        60,
        "return document.getElementById('verdict').textContent",
        |v| v.as_str().is_some_and(|s| !s.is_empty()),
    )
    .await;
    let first = first.as_str().unwrap();
    assert!(
        first.starts_with("With this seed's losses (seed 0): ")
            || first.starts_with("Median of 9 loss draws (seeds 0–8): "),
        "{first}"
    );
    let want = engine_verdict("page=blog&loss=2");
    wait_for(
        &c,
        "the median verdict",
        120,
        "return document.getElementById('verdict').textContent",
        |v| v == want.as_str(),
    )
    .await;
    assert!(c.find_all(Locator::Css(".seeds")).await.unwrap().is_empty());
    c.close().await.unwrap();
}

/// A link's values are shown exactly, and the lanes ran exactly them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_links_values_are_shown_exactly() {
    let (server, _driver, c) = session().await;
    let link = "page=blog&rtt=2000&down=3&loss=1.5";
    open(&c, &server, link).await;
    assert_eq!(text(&c, "#loss-value").await, "1.5 % each way");
    assert_eq!(
        text(&c, "#bandwidth-value").await,
        "3 Mbit/s down · 5 Mbit/s up"
    );
    assert_eq!(text(&c, "#rtt-value").await, "2000 ms");
    let sliders = value(
        &c,
        "const g = id => document.getElementById(id); return [g('rtt').value, g('rtt').max, \
         g('luck').disabled, g('loss').getAttribute('aria-valuetext'), g('bandwidth').getAttribute('aria-valuetext')]",
    )
    .await;
    assert_eq!(
        sliders,
        json!([
            "2000",
            "2000",
            false,
            "1.5 % each way",
            "3 Mbit/s down · 5 Mbit/s up"
        ])
    );
    assert_eq!(loads(&c).await, expected_loads(&trace(link)));
    // The bandwidth slider steps from the link's value to its neighbours and back.
    let index = value(&c, "return document.getElementById('bandwidth').value").await;
    let i: u32 = index.as_str().unwrap().parse().unwrap();
    set_range(&c, "bandwidth", &(i + 1).to_string()).await;
    assert!(text(&c, "#bandwidth-value")
        .await
        .starts_with("5 Mbit/s down"));
    c.close().await.unwrap();
}

/// One bad key: the rest of the link applies, the key is named with its value and range;
/// the message goes once a control makes the scenario valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_key_is_named_and_the_rest_of_the_link_applies() {
    let (server, _driver, c) = session().await;
    c.goto(&server.url(&format!("{SUB_PATH}#page=tiles&rtt=50&loss=abc")))
        .await
        .unwrap();
    shows(&c, "page=tiles&rtt=50").await;
    assert_eq!(text(&c, "#rtt-value").await, "50 ms");
    assert_eq!(
        value(&c, "return document.getElementById('page').value").await,
        "tiles"
    );
    let msg = text(&c, "#hash-error").await;
    assert!(
        msg.contains(
            "loss is \"abc\"; allowed: a loss rate in per cent from 0 to 50, up to 4 decimals"
        ),
        "{msg}"
    );
    assert!(msg.contains("#page=tiles&rtt=50&loss=abc"), "{msg}");
    // The link stays as given until a control changes.
    assert_eq!(
        value(&c, "return location.hash").await,
        "#page=tiles&rtt=50&loss=abc"
    );
    pick(&c, "cache", "warm").await;
    shows(&c, "page=tiles&rtt=50&cache=warm").await;
    assert!(c
        .find_all(Locator::Id("hash-error"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        value(&c, "return location.hash").await,
        "#page=tiles&rtt=50&cache=warm"
    );

    // No page and a bad loss: both named; the blog page runs.
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#loss=abc")))
        .await
        .unwrap();
    shows(&c, "page=blog").await;
    let msg = text(&c, "#hash-error").await;
    assert!(msg.contains("no page: give page=ID"), "{msg}");
    assert!(msg.contains("loss is \"abc\""), "{msg}");
    // A bad page: the message stays until a control makes the link valid.
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#page=nope")))
        .await
        .unwrap();
    shows(&c, "page=blog").await;
    assert!(text(&c, "#hash-error").await.contains("page is \"nope\""));
    pick(&c, "page", "spa").await;
    shows(&c, "page=spa").await;
    assert!(c
        .find_all(Locator::Id("hash-error"))
        .await
        .unwrap()
        .is_empty());
    c.close().await.unwrap();
}

/// A slide deck that sets `location.hash` switches the page; back and forward follow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hash_changes_and_history_are_followed() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;
    value(&c, "location.hash = '#page=tiles&rtt=200'; return 1").await;
    shows(&c, "page=tiles&rtt=200").await;
    assert_eq!(text(&c, "#rtt-value").await, "200 ms");
    assert!(!c
        .find_all(Locator::Css(".asset-row.group"))
        .await
        .unwrap()
        .is_empty());
    c.back().await.unwrap();
    shows(&c, "page=blog").await;
    c.forward().await.unwrap();
    shows(&c, "page=tiles&rtt=200").await;
    c.close().await.unwrap();
}

/// Figures appear when they happen: before their time a dash, the markers hidden; at the
/// end the engine's values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_wait_for_the_playhead() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;
    let t = trace("page=blog");
    seek(&c, 0).await;
    let early = value(
        &c,
        "const l = document.querySelector('.lane[data-protocol=h2]');\
         const m = s => l.querySelector(s);\
         return [m('.ttfb').textContent, m('.first-paint').textContent, m('.load').textContent,\
                 m('.retx').dataset.count, !!m('.marker.first-paint'), !!m('.loadline')]",
    )
    .await;
    assert_eq!(early, json!(["—", "—", "—", "0", false, false]));
    seek(&c, 1000).await;
    let h2 = &t.lanes[1];
    let end = value(
        &c,
        "const l = document.querySelector('.lane[data-protocol=h2]');\
         const m = s => l.querySelector(s);\
         return [m('.ttfb').dataset.us, m('.first-paint').dataset.us, m('.load').dataset.us,\
                 m('.connections').dataset.count, m('.bytes').dataset.bytes,\
                 m('.marker.first-paint').dataset.us]",
    )
    .await;
    let us = |d: Option<protoviz_engine::SimDuration>| d.unwrap().as_micros().to_string();
    assert_eq!(
        end,
        json!([
            us(h2.metrics.ttfb),
            us(h2.metrics.first_paint),
            us(h2.metrics.load),
            h2.metrics.connections.to_string(),
            h2.metrics.bytes_total.to_string(),
            us(h2.metrics.first_paint),
        ])
    );
    // Just after the HTML's first byte: first byte shown, the load not yet.
    let end_us: u64 = value(&c, "return document.querySelector('.lanes').dataset.endUs")
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let ttfb = h2.metrics.ttfb.unwrap().as_micros();
    let per_mille = (ttfb * 1000).div_ceil(end_us) + 1;
    seek(&c, per_mille as u32).await;
    let mid = value(
        &c,
        "const l = document.querySelector('.lane[data-protocol=h2]');\
         return [l.querySelector('.ttfb').dataset.us, l.querySelector('.load').textContent]",
    )
    .await;
    assert_eq!(mid, json!([ttfb.to_string(), "—"]));
    c.close().await.unwrap();
}

/// Issue 9: a replay frame touches only what depends on the playhead (the figures, the
/// curtain and playhead line, the axis markers): nothing else in the waterfalls changes
/// while it moves (they are drawn once per run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_frame_changes_only_the_playhead_and_the_figures() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=tiles&loss=2").await;
    wait_for(
        &c,
        "the median",
        120,
        "return document.querySelector('.seeds') === null",
        |v| v == true,
    )
    .await;
    let seen = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const count = { waterfall: 0, figures: 0, overlay: 0 };\
             const follows = n => { const e = n.nodeType === 1 ? n : n.parentElement; return !!(e && e.closest('.overlay, .axis')); };\
             const watch = (sel, key) => document.querySelectorAll(sel).forEach(el =>\
               new MutationObserver(m => m.forEach(r => { if (key === 'figures') count.figures++; else if (follows(r.target)) count.overlay++; else count.waterfall++; }))\
                 .observe(el, { subtree: true, childList: true, attributes: true, characterData: true }));\
             watch('.waterfall', 'waterfall'); watch('.lane-head', 'figures');\
             document.getElementById('restart').click();\
             setTimeout(() => done(count), 1500);",
            vec![],
        )
        .await
        .expect("script runs");
    assert_eq!(seen["waterfall"], 0, "{seen}");
    assert!(seen["figures"].as_u64().unwrap() > 0, "{seen}");
    assert!(
        seen["overlay"].as_u64().unwrap() > 30,
        "the curtain moves every frame: {seen}"
    );
    c.close().await.unwrap();
}

/// Issue 16: the four lanes' first rows are on screen at 1400×900 without scrolling, for
/// every page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_lanes_fit_at_1400_by_900() {
    let (server, _driver, c) = session().await;
    set_viewport(&c, 1400, 900).await;
    for page in ["blog", "tiles", "news", "spa", "streaming"] {
        open(&c, &server, &format!("page={page}")).await;
        let rects = value(
            &c,
            "return [innerHeight, scrollY, ...[...document.querySelectorAll('.lane')].map(l => {\
               const r = l.querySelector('.asset-row').getBoundingClientRect(); return [r.top, r.bottom]; })]",
        )
        .await;
        let h = rects[0].as_f64().unwrap();
        assert_eq!(rects[1], 0, "{page}: not scrolled");
        for lane in rects.as_array().unwrap()[2..].iter() {
            let (top, bottom) = (lane[0].as_f64().unwrap(), lane[1].as_f64().unwrap());
            assert!(
                top >= 0.0 && bottom <= h,
                "{page}: a lane's first row at {top}–{bottom} of {h}"
            );
        }
        assert_eq!(rects.as_array().unwrap().len(), 6, "{page}: four lanes");
    }
    c.close().await.unwrap();
}

/// Tiles: 100 near-identical rows are one group row with its summary bar; it opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tiles_are_one_group_row_that_opens() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=tiles").await;
    let t = trace("page=tiles");
    for (i, lane) in t.lanes.iter().enumerate() {
        let p = lane.protocol.id();
        let g = value(
            &c,
            &format!(
                "const l = document.querySelector('.lane[data-protocol={p}]');\
                 const g = l.querySelector('.asset-row.group');\
                 return [l.querySelectorAll('.asset-row').length, g.dataset.members,\
                         g.querySelector('.group-label').textContent, g.dataset.firstByte, g.dataset.lastByte,\
                         g.querySelector('.asset-name').getAttribute('aria-expanded')]"
            ),
        )
        .await;
        let first = lane.assets[1..]
            .iter()
            .filter_map(|a| a.first_byte)
            .min()
            .unwrap()
            .as_micros();
        let last = lane.assets[1..]
            .iter()
            .filter_map(|a| a.last_byte)
            .max()
            .unwrap()
            .as_micros();
        assert_eq!(
            g,
            json!([
                2,
                "100",
                "100 tiles",
                first.to_string(),
                last.to_string(),
                "false"
            ]),
            "lane {i}"
        );
    }
    c.find(Locator::Css(
        ".lane[data-protocol=h2] .asset-row.group .asset-name",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_for(
        &c,
        "the group to open",
        10,
        "return document.querySelectorAll('.lane[data-protocol=h2] .asset-row').length",
        |v| v == 102,
    )
    .await;
    assert_eq!(
        value(
            &c,
            "return document.querySelectorAll('.lane[data-protocol=h1] .asset-row').length"
        )
        .await,
        102,
        "the group opens in every lane, so the rows stay side by side"
    );
    c.close().await.unwrap();
}

/// After switching to a warm cache, every static asset's row says it came from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_cache_shows_cached_rows() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;
    assert_eq!(
        value(
            &c,
            "return document.querySelectorAll('.asset-row.source-cache').length"
        )
        .await,
        0
    );
    pick(&c, "cache", "warm").await;
    shows(&c, "page=blog&cache=warm").await;
    let t = trace("page=blog&cache=warm");
    for lane in &t.lanes {
        let cached = lane
            .assets
            .iter()
            .filter(|a| a.source == Source::Cache)
            .count();
        assert_eq!(cached, 15);
        let n = value(
            &c,
            &format!(
                "return document.querySelectorAll('.lane[data-protocol={}] .asset-row.source-cache').length",
                lane.protocol.id()
            ),
        )
        .await;
        assert_eq!(n, cached, "{}", lane.protocol.id());
    }
    assert_eq!(
        value(&c, "return location.hash").await,
        "#page=blog&cache=warm"
    );
    c.close().await.unwrap();
}

/// A bar's left edge and width sit at its first and last byte on the lane's time axis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bar_spans_its_first_and_last_byte_on_the_axis() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;
    seek(&c, 1000).await;
    let t = trace("page=blog");
    let end_us: f64 = value(&c, "return document.querySelector('.lanes').dataset.endUs")
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    for (p, asset) in [("h2", 7usize), ("h1", 1), ("h3", 3)] {
        let geo = value(
            &c,
            &format!(
                "const lane = document.querySelector('.lane[data-protocol={p}]');\
                 const row = lane.querySelector('.asset-row[data-asset=\"{asset}\"]');\
                 const track = lane.querySelector('.axis').getBoundingClientRect();\
                 const bar = row.querySelector('.seg.receive').getBoundingClientRect();\
                 return [track.left, track.width, bar.left, bar.width]"
            ),
        )
        .await;
        let g: Vec<f64> = geo
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let lane = t.lanes.iter().find(|l| l.protocol.id() == p).unwrap();
        let a = &lane.assets[asset];
        let x = |us: u64| g[0] + us as f64 / end_us * g[1];
        let (first, last) = (
            a.first_byte.unwrap().as_micros(),
            a.last_byte.unwrap().as_micros(),
        );
        assert!(
            (g[2] - x(first)).abs() < 0.6,
            "{p} {}: left {} vs {}",
            a.path,
            g[2],
            x(first)
        );
        let right = g[2] + g[3];
        assert!(
            (right - x(last)).abs() < 0.6 || (g[3] - 2.0).abs() < 0.5,
            "{p} {}: right {right} vs {}",
            a.path,
            x(last)
        );
    }
    c.close().await.unwrap();
}

/// The striped stall overlays are exactly the trace's head-of-line intervals, on the
/// HTTP/2 lane (TCP's) and the HTTP/3 lane (each QUIC stream's own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stall_overlays_are_the_traces_head_of_line_intervals() {
    let (server, _driver, c) = session().await;
    let link = "page=blog&loss=2";
    open(&c, &server, link).await;
    let t = trace(link);
    for (p, cause) in [(Protocol::Http2, "tcp"), (Protocol::Http3, "quic")] {
        let lane = t.lanes.iter().find(|l| l.protocol == p).unwrap();
        let want: BTreeSet<(u32, String, String, String)> = lane
            .assets
            .iter()
            .flat_map(|a| {
                a.blocked
                    .iter()
                    .filter(|b| b.to > b.from)
                    .filter_map(move |b| {
                        let kind = match b.cause {
                            BlockedCause::TcpHeadOfLine { .. } => "tcp",
                            BlockedCause::QuicStreamHeadOfLine { .. } => "quic",
                            _ => return None,
                        };
                        Some((
                            a.asset.0,
                            b.from.as_micros().to_string(),
                            b.to.as_micros().to_string(),
                            kind.to_string(),
                        ))
                    })
            })
            .collect();
        assert!(!want.is_empty(), "{}: 2 % loss stalls something", p.id());
        assert!(want.iter().all(|w| w.3 == cause));
        let drawn = value(
            &c,
            &format!(
                "return [...document.querySelectorAll('.lane[data-protocol={}] .asset-row[data-asset] .seg.blocked')]\
                 .map(s => [Number(s.closest('.asset-row').dataset.asset), s.dataset.from, s.dataset.to, s.dataset.cause])",
                p.id()
            ),
        )
        .await;
        let drawn: BTreeSet<(u32, String, String, String)> = drawn
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d[0].as_u64().unwrap() as u32,
                    d[1].as_str().unwrap().into(),
                    d[2].as_str().unwrap().into(),
                    d[3].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(drawn, want, "{}", p.id());
    }
    c.close().await.unwrap();
}

/// Every option control runs the engine with it, and the lanes show its effect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_control_drives_the_engine() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;

    pick(&c, "scheduler", "round-robin").await;
    let link = "page=blog&sched=round-robin";
    shows(&c, link).await;
    let t = trace(link);
    assert_ne!(expected_loads(&t), expected_loads(&trace("page=blog")));
    assert_eq!(loads(&c).await, expected_loads(&t));

    check(&c, "early-hints", true).await;
    let link = "page=blog&sched=round-robin&hints=on";
    shows(&c, link).await;
    let t = trace(link);
    for lane in &t.lanes {
        let hinted = lane
            .assets
            .iter()
            .filter(|a| a.source == Source::EarlyHint)
            .count();
        let drawn = value(
            &c,
            &format!(
                "return document.querySelectorAll('.lane[data-protocol={}] .asset-row.source-early-hint').length",
                lane.protocol.id()
            ),
        )
        .await;
        assert_eq!(drawn, hinted, "{}", lane.protocol.id());
        if lane.protocol != Protocol::Http2Push {
            assert!(
                hinted > 0,
                "{}: 103 names the critical CSS and JS",
                lane.protocol.id()
            );
        }
    }

    check(&c, "zero-rtt", true).await;
    let link = "page=blog&zerortt=on&sched=round-robin&hints=on";
    shows(&c, link).await;
    let t = trace(link);
    let h3 = value(
        &c,
        "return document.querySelector('.lane[data-protocol=h3]').dataset.ttfbUs",
    )
    .await;
    assert_eq!(h3, t.lanes[3].metrics.ttfb.unwrap().as_micros().to_string());
    let before = trace("page=blog&sched=round-robin&hints=on").lanes[3]
        .metrics
        .ttfb
        .unwrap();
    assert!(
        t.lanes[3].metrics.ttfb.unwrap() < before,
        "0-RTT brings HTTP/3's first byte forward"
    );

    set_range(&c, "h1-connections", "2").await;
    let link = "page=blog&h1conn=2&zerortt=on&sched=round-robin&hints=on";
    shows(&c, link).await;
    seek(&c, 1000).await;
    let t = trace(link);
    assert_eq!(t.lanes[0].metrics.connections, 2);
    assert_eq!(
        value(
            &c,
            "return document.querySelector('.lane[data-protocol=h1] .connections').dataset.count"
        )
        .await,
        "2"
    );
    assert_eq!(loads(&c).await, expected_loads(&t));
    assert_eq!(
        value(&c, "return location.hash").await,
        format!("#{link}&{}", pinned_t(&c).await),
        "the scenario, then the playhead the seek pinned"
    );

    // A record per write: the TCP lanes' first byte comes a round trip earlier (the blog's
    // first 16 KB record no longer waits for a second flight), HTTP/3's does not move.
    pick(&c, "tls-records", "per-write").await;
    let link = "page=blog&h1conn=2&zerortt=on&sched=round-robin&hints=on&records=per-write";
    shows(&c, link).await;
    let t = trace(link);
    let before = trace("page=blog&h1conn=2&zerortt=on&sched=round-robin&hints=on");
    for (lane, was) in t.lanes.iter().zip(&before.lanes) {
        let id = lane.protocol.id();
        let drawn = value(
            &c,
            &format!("return document.querySelector('.lane[data-protocol={id}]').dataset.ttfbUs"),
        )
        .await;
        assert_eq!(
            drawn,
            lane.metrics.ttfb.unwrap().as_micros().to_string(),
            "{id}"
        );
        if lane.protocol == Protocol::Http3 {
            assert_eq!(lane.metrics.ttfb, was.metrics.ttfb);
        } else {
            assert!(lane.metrics.ttfb < was.metrics.ttfb, "{id}");
        }
    }
    assert_eq!(
        value(&c, "return location.hash").await,
        format!("#{link}&{}", pinned_t(&c).await),
        "the scenario, then the playhead the seek pinned"
    );
    c.close().await.unwrap();
}

/// Keyboard: Tab to a row's name, Enter opens its details (the same asset in every lane),
/// Escape closes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rows_details_open_by_keyboard() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;
    let name = c
        .find(Locator::Css(
            ".lane[data-protocol=h2] .asset-row[data-asset=\"1\"] .asset-name",
        ))
        .await
        .unwrap();
    value(&c, "document.querySelector('.lane[data-protocol=h2] .asset-row[data-asset=\"1\"] .asset-name').focus(); return 1").await;
    name.send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    let panel = wait_for(
        &c,
        "the detail panel",
        10,
        "const d = document.querySelector('[data-view=detail]');\
         return d && [d.getAttribute('aria-label'), d.querySelectorAll('tbody tr').length, document.activeElement === d]",
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(panel, json!(["Details: /css/main.css on HTTP/2", 4, true]));
    close_details(&c).await;
    assert_eq!(
        value(&c, "return document.querySelectorAll('[title]').length").await,
        0,
        "no tooltips: details live in the panel"
    );
    c.close().await.unwrap();
}

/// A lane that hits the engine's time limit says so and is left out of the verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lane_that_did_not_finish_says_so() {
    let (server, _driver, c) = session().await;
    let link = "page=blog&loss=49&proto=h1,h3";
    open(&c, &server, link).await;
    wait_for(
        &c,
        "the median",
        120,
        "return document.querySelector('.seeds') === null",
        |v| v == true,
    )
    .await;
    assert_eq!(
        text(&c, ".lane[data-protocol=h1] .unfinished-badge").await,
        "did not finish in 1 h"
    );
    assert_eq!(text(&c, "#verdict").await, engine_verdict(link));
    assert!(text(&c, "#verdict")
        .await
        .contains("HTTP/1.1 did not finish within 1 h"));
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_works_embedded_in_an_iframe_under_a_sub_path() {
    let (server, _driver, c) = session().await;
    c.goto(&server.url("/embed.html"))
        .await
        .expect("slide page loads");
    c.enter_frame(0).await.expect("the iframe");
    shows(&c, "page=blog").await;
    set_range(&c, "bandwidth", "1").await;
    shows(&c, "page=blog&down=1&up=0.5").await;
    assert!(text(&c, "#bandwidth-value")
        .await
        .starts_with("1 Mbit/s down"));
    assert_eq!(
        loads(&c).await,
        expected_loads(&trace("page=blog&down=1&up=0.5"))
    );
    c.close().await.unwrap();
}

/// The release build says something before the app starts (plain text, no script needed),
/// uses relative URLs only, and carries no development server's reload script; `make serve`
/// builds elsewhere, so it cannot overwrite it.
#[test]
fn the_release_build_has_a_loading_message_and_no_dev_server_leftovers() {
    let dist = dist_dir();
    let html = std::fs::read_to_string(dist.join("index.html")).unwrap();
    // The release build's HTML is minified (Trunk.toml): attribute values may be unquoted.
    let attr = |name: &str, value: &str| {
        html.contains(&format!("{name}=\"{value}\""))
            || [" ", ">"]
                .iter()
                .any(|end| html.contains(&format!("{name}={value}{end}")))
    };
    assert!(attr("id", "loading"), "{html}");
    assert!(html.contains("Loading the protocol engine"));
    for dev in ["__trunk_address__", "ws://", "livereload", "__TRUNK"] {
        assert!(
            !html.contains(dev),
            "a dev server's {dev} in dist/index.html"
        );
    }
    for url in [
        "href=\"/",
        "src=\"/",
        "href=/",
        "src=/",
        "from '/",
        "import('/",
    ] {
        assert!(
            !html.contains(url),
            "an absolute URL ({url}) in dist/index.html"
        );
    }
    // The engine's worker runs the page's own module, found through these two links.
    assert!(attr("rel", "modulepreload"), "no modulepreload link");
    assert!(
        ["_bg.wasm\"", "_bg.wasm ", "_bg.wasm>"]
            .iter()
            .any(|end| html.contains(end)),
        "no preload link of the page's wasm"
    );
    assert!(!dist.join("engine-worker_bg.wasm").exists());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new("make")
        .args(["-n", "serve"])
        .current_dir(&root)
        .output()
        .expect("make runs");
    let plan = String::from_utf8_lossy(&out.stdout);
    let serve = plan
        .lines()
        .find(|l| l.contains("trunk serve"))
        .unwrap_or_else(|| panic!("make serve runs trunk serve: {plan}"));
    assert!(serve.contains("--dist target/serve"), "{serve}");
    let makefile = std::fs::read_to_string(root.join("Makefile")).unwrap();
    assert!(makefile.contains("trunk build --release --public-url ./"));
}

/// Pictures for the README at 1400×900, 1280×720 and a 390-px phone, at the end of a lossy
/// replay (the verdict, stalls and figures all on screen).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots() {
    let (server, _driver, c) = session().await;
    for (w, h, name, link) in [
        (
            1400,
            900,
            "protoviz-1400x900.png",
            "page=blog&loss=2&rtt=150",
        ),
        (1280, 720, "protoviz-1280x720.png", "page=tiles"),
        (390, 844, "protoviz-390.png", "page=blog&cache=warm"),
    ] {
        set_viewport(&c, w, h).await;
        open(&c, &server, link).await;
        wait_for(
            &c,
            "the median",
            120,
            "return document.querySelector('.seeds') === null",
            |v| v == true,
        )
        .await;
        seek(&c, 1000).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let fits = value(
            &c,
            "return document.documentElement.scrollWidth <= innerWidth",
        )
        .await;
        assert_eq!(fits, true, "{w}×{h}: nothing wider than the screen");
        let png = c.screenshot().await.expect("screenshot");
        assert!(png.len() > 20_000, "a real picture, not a blank page");
        std::fs::write(artifacts_dir().join(name), png).unwrap();
    }
    c.close().await.unwrap();
}
