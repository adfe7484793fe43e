//! Not a test: figures for the README and the issue (run with
//! `PROTOVIZ_DIST=dist cargo test -p protoviz-e2e --test measure -- --ignored --nocapture`).
//! For each page it moves the RTT slider 12 times and reports how long the `input` handler
//! ran and how long until the next animation frame (the main thread's blocking), and, while
//! a script drags the slider for two seconds (an input every 16 ms), the longest gap between
//! animation frames.

use protoviz_e2e::{dist_dir, Chromedriver, StaticServer, SUB_PATH};
use serde_json::Value;

const STEPS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const r = document.getElementById('rtt');
  const frame = () => new Promise(res => requestAnimationFrame(() => res(performance.now())));
  const out = [];
  for (let i = 0; i < 12; i++) {
    await frame();
    const t0 = performance.now();
    r.value = String(60 + 40 * i);
    r.dispatchEvent(new InputEvent('input', { bubbles: true }));
    const t1 = performance.now();
    const t2 = await frame();
    out.push([t1 - t0, t2 - t0]);
    await new Promise(res => setTimeout(res, 400));
  }
  // Input → the frame that shows the new run (only where the page says which run it shows).
  const shown = [];
  const lanes = () => document.querySelector('.lanes');
  if (lanes() && lanes().dataset.run !== undefined) {
    for (let i = 0; i < 6; i++) {
      await new Promise(res => setTimeout(res, 300));
      const want = 'rtt=' + String(77 + 11 * i);
      const t0 = performance.now();
      r.value = String(77 + 11 * i);
      r.dispatchEvent(new InputEvent('input', { bubbles: true }));
      while (!(lanes().dataset.run.includes(want) && !document.querySelector('[data-busy]'))) { await frame(); }
      shown.push(performance.now() - t0);
    }
  }
  // Playback: every frame interval over three seconds of replay.
  const play = [];
  document.getElementById('restart').click();
  let p0 = await frame();
  const pend = p0 + 3000;
  while (p0 < pend) { const t = await frame(); play.push(t - p0); p0 = t; }
  const gaps = [];
  let last = await frame();
  let stop = false;
  let i = 0;
  const tick = setInterval(() => {
    r.value = String(100 + (i++ % 50) * 10);
    r.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }, 16);
  setTimeout(() => { stop = true; }, 2000);
  while (!stop) { const t = await frame(); gaps.push(t - last); last = t; }
  clearInterval(tick);
  done({ steps: out, gaps, shown, play });
})();
"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test"]
async fn input_blocking() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    for page in ["page=blog", "page=news&loss=2", "page=tiles&loss=2"] {
        c.goto(&server.url(&format!("{SUB_PATH}#{page}")))
            .await
            .unwrap();
        for _ in 0..600 {
            let n = c
                .execute("return document.querySelectorAll('.lane').length", vec![])
                .await
                .unwrap();
            if n == 4 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let v: Value = c.execute_async(STEPS, vec![]).await.unwrap();
        let steps = v["steps"].as_array().unwrap();
        let sync: Vec<f64> = steps.iter().map(|s| s[0].as_f64().unwrap()).collect();
        let frame: Vec<f64> = steps.iter().map(|s| s[1].as_f64().unwrap()).collect();
        let gaps: Vec<f64> = v["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_f64().unwrap())
            .collect();
        let max_gap = gaps.iter().cloned().fold(0.0, f64::max);
        let shown: Vec<f64> = v["shown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_f64().unwrap())
            .collect();
        let mut play: Vec<f64> = v["play"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_f64().unwrap())
            .collect();
        play.sort_by(|a, b| a.total_cmp(b));
        let p95 = play.get(play.len() * 95 / 100).copied().unwrap_or(0.0);
        if !shown.is_empty() {
            println!(
                "{page}: input → frame with the new run median {:.0} ms (max {:.0})",
                median(shown.clone()),
                shown.iter().cloned().fold(0.0, f64::max)
            );
        }
        println!(
            "{page}: playback frame interval p50 {:.1} ms, p95 {:.1} ms ({} frames)",
            median(play.clone()),
            p95,
            play.len()
        );
        println!(
            "{page}: input handler median {:.1} ms (max {:.1}); input → next frame median {:.1} ms (max {:.1}); \
             while dragging: {} frames in 2 s, median gap {:.1} ms, longest {:.1} ms",
            median(sync.clone()),
            sync.iter().cloned().fold(0.0, f64::max),
            median(frame.clone()),
            frame.iter().cloned().fold(0.0, f64::max),
            gaps.len(),
            median(gaps.clone()),
            max_gap
        );
    }
    c.close().await.unwrap();
}

/// Not a test: a screenshot of `$SNAP_HASH` at `$SNAP_SIZE` (`1400x900`) into
/// `tests/artifacts/snap.png`, with the page's console errors printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a tool, not a test"]
async fn snap() {
    let hash = std::env::var("SNAP_HASH").unwrap_or_else(|_| "page=blog".into());
    let size = std::env::var("SNAP_SIZE").unwrap_or_else(|_| "1400x900".into());
    let (w, h) = size.split_once('x').unwrap();
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let (w, h): (u32, u32) = (w.parse().unwrap(), h.parse().unwrap());
    protoviz_e2e::set_viewport(&c, w, h).await;
    c.goto(&server.url(&format!("{SUB_PATH}#{hash}")))
        .await
        .unwrap();
    let mut lanes = Value::Null;
    for _ in 0..100 {
        lanes = c
            .execute("return document.querySelectorAll('.lane').length", vec![])
            .await
            .unwrap();
        if lanes != 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let wait: u64 = std::env::var("SNAP_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7000);
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    let info = c
        .execute(
            "return [innerWidth, innerHeight, document.documentElement.scrollWidth, \
             [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)\
               .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))]",
            vec![],
        )
        .await
        .unwrap();
    println!("lanes {lanes}; {info}");
    let png = c.screenshot().await.unwrap();
    std::fs::write(protoviz_e2e::artifacts_dir().join("snap.png"), png).unwrap();
    c.close().await.unwrap();
}

/// Not a test: playback frame intervals with some CSS rules switched off (`$CSS_OFF`, one
/// rule per `;;`), to find what a frame costs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a tool, not a test"]
async fn playback_experiment() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let page = std::env::var("SNAP_HASH").unwrap_or_else(|_| "page=blog".into());
    c.goto(&server.url(&format!("{SUB_PATH}#{page}")))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(4000)).await;
    let variants = std::env::var("CSS_OFF").unwrap_or_default();
    for css in std::iter::once("").chain(variants.split(";;")) {
        let script = format!(
            "const done = arguments[arguments.length - 1];\
             (async () => {{\
               let st = document.getElementById('exp'); if (!st) {{ st = document.createElement('style'); st.id = 'exp'; document.head.appendChild(st); }}\
               st.textContent = {css:?};\
               const frame = () => new Promise(res => requestAnimationFrame(() => res(performance.now())));\
               document.getElementById('restart').click();\
               const play = []; let p0 = await frame(); const end = p0 + 3000;\
               while (p0 < end) {{ const t = await frame(); play.push(t - p0); p0 = t; }}\
               play.sort((a, b) => a - b);\
               done([play.length, play[play.length >> 1], play[Math.floor(play.length * 0.95)]]);\
             }})();"
        );
        let v: Value = c.execute_async(&script, vec![]).await.unwrap();
        println!("{css:?}: frames, p50, p95 = {v}");
    }
    c.close().await.unwrap();
}

/// Not a test: what the page logs (`PVZ …` timings of an instrumented build) and its long
/// tasks while the RTT slider moves three times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a tool, not a test"]
async fn long_tasks() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let page = std::env::var("SNAP_HASH").unwrap_or_else(|_| "page=news&loss=2".into());
    c.goto(&server.url(&format!("{SUB_PATH}#{page}")))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5000)).await;
    let v: Value = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             (async () => {\
               const logs = []; const orig = console.log; console.log = (...a) => { logs.push(a.join(' ')); orig(...a); };\
               const tasks = []; new PerformanceObserver(l => { for (const e of l.getEntries()) tasks.push(Math.round(e.duration)); }).observe({ type: 'longtask' });\
               const r = document.getElementById('rtt');\
               for (const v of [150, 160, 170]) { r.value = String(v); r.dispatchEvent(new InputEvent('input', { bubbles: true })); await new Promise(res => setTimeout(res, 1500)); }\
               done({ logs, tasks });\
             })();",
            vec![],
        )
        .await
        .unwrap();
    println!("{v}");
    c.close().await.unwrap();
}

/// A Chrome DevTools Protocol command through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(serde_json::json!({ "cmd": self.0, "params": self.1 }).to_string()),
        )
    }
}

async fn metrics(c: &fantoccini::Client) -> std::collections::BTreeMap<String, f64> {
    let v = c
        .issue_cmd(Cdp("Performance.getMetrics", serde_json::json!({})))
        .await
        .unwrap();
    v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["value"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Not a test: where the main thread's time goes during a two-second slider drag (Chrome's
/// own counters: script, style, layout, and all tasks), for `$SNAP_HASH`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a tool, not a test"]
async fn drag_breakdown() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let page = std::env::var("SNAP_HASH").unwrap_or_else(|_| "page=news&loss=2".into());
    c.goto(&server.url(&format!("{SUB_PATH}#{page}")))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5000)).await;
    c.issue_cmd(Cdp("Performance.enable", serde_json::json!({})))
        .await
        .unwrap();
    let before = metrics(&c).await;
    let frames: Value = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const r = document.getElementById('rtt'); let i = 0, frames = 0, stop = false, runs = 0;\
             new MutationObserver(m => { runs += m.length; }).observe(document.querySelector('.lanes'), { attributes: true, attributeFilter: ['data-run'] });\
             const tick = setInterval(() => { r.value = String(100 + (i++ % 50) * 10); r.dispatchEvent(new InputEvent('input', { bubbles: true })); }, 16);\
             const f = () => { frames++; if (!stop) requestAnimationFrame(f); }; requestAnimationFrame(f);\
             setTimeout(() => { stop = true; clearInterval(tick); done([frames, runs]); }, 2000);",
            vec![],
        )
        .await
        .unwrap();
    let after = metrics(&c).await;
    let d = |k: &str| (after.get(k).unwrap_or(&0.0) - before.get(k).unwrap_or(&0.0)) * 1000.0;
    println!(
        "{page}: {} frames and {} new runs on screen in 2 s; main thread: tasks {:.0} ms, script {:.0} ms, style {:.0} ms, layout {:.0} ms",
        frames[0],
        frames[1],
        d("TaskDuration"),
        d("ScriptDuration"),
        d("RecalcStyleDuration"),
        d("LayoutDuration")
    );
    c.close().await.unwrap();
}

/// Not a test: a CPU profile of the main thread during a two-second slider drag, the
/// functions with the most self time (build with `data-keep-debug` for wasm names).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a tool, not a test"]
async fn drag_profile() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    let page = std::env::var("SNAP_HASH").unwrap_or_else(|_| "page=news&loss=2".into());
    c.goto(&server.url(&format!("{SUB_PATH}#{page}")))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5000)).await;
    c.issue_cmd(Cdp("Profiler.enable", serde_json::json!({})))
        .await
        .unwrap();
    c.issue_cmd(Cdp(
        "Profiler.setSamplingInterval",
        serde_json::json!({"interval": 200}),
    ))
    .await
    .unwrap();
    c.issue_cmd(Cdp("Profiler.start", serde_json::json!({})))
        .await
        .unwrap();
    let _: Value = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const r = document.getElementById('rtt'); let i = 0;\
             const tick = setInterval(() => { r.value = String(100 + (i++ % 50) * 10); r.dispatchEvent(new InputEvent('input', { bubbles: true })); }, 16);\
             setTimeout(() => { clearInterval(tick); done(1); }, 2000);",
            vec![],
        )
        .await
        .unwrap();
    let prof = c
        .issue_cmd(Cdp("Profiler.stop", serde_json::json!({})))
        .await
        .unwrap();
    let nodes = prof["profile"]["nodes"].as_array().unwrap();
    let mut hits: std::collections::HashMap<i64, u64> = std::collections::HashMap::new();
    for s in prof["profile"]["samples"].as_array().unwrap() {
        *hits.entry(s.as_i64().unwrap()).or_default() += 1;
    }
    let mut by_name: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let total: u64 = hits.values().sum();
    for n in nodes {
        let id = n["id"].as_i64().unwrap();
        let name = n["callFrame"]["functionName"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        *by_name.entry(name).or_default() += hits.get(&id).copied().unwrap_or(0);
    }
    let mut v: Vec<_> = by_name.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    println!("{total} samples");
    for (name, n) in v.iter().take(30) {
        println!(
            "{:5.1} %  {}",
            *n as f64 * 100.0 / total as f64,
            &name[..name.len().min(150)]
        );
    }
    c.close().await.unwrap();
}

/// Not a test: what one replay frame costs, for issue 14 item 3. For `tiles` at 2 % loss
/// and a generated 200-asset page at 2 % loss (every asset its own row), with the
/// connection tracks and packet strips closed and open: the frame intervals over three
/// seconds of replay (p50 / p95), and the DOM mutations per frame by view (the
/// load-independent figure: what the replay re-renders), with the machine's load average.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test"]
async fn playback_frames() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    protoviz_e2e::set_viewport(&c, 1400, 900).await;
    let big = protoviz_e2e::pages::generated_link(200, "loss=2");
    let pages: Vec<(&str, String)> = vec![
        ("tiles 2 %", "page=tiles&loss=2".into()),
        ("200 assets 2 %", big),
    ];
    const PLAY: &str = r#"
const [wire, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const frame = () => new Promise(res => requestAnimationFrame(() => res(performance.now())));
  const t = document.querySelector('.lane .wire-toggle');
  if (t && (t.getAttribute('aria-expanded') === 'true') !== wire) { t.click(); }
  for (let i = 0; i < 30; i++) await frame();
  const by = {};
  let nodes = 0;
  const where = r => {
    const e = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (!e) return '?';
    if (e.closest('.overlay')) return 'overlay';
    if (e.closest('.axis')) return 'axis';
    const v = e.closest('[data-view]');
    return v ? v.dataset.view : (e.closest('header, footer, .controls') ? 'page' : e.tagName.toLowerCase());
  };
  const mo = new MutationObserver(m => m.forEach(r => { const k = where(r); by[k] = (by[k] || 0) + 1; nodes += r.addedNodes.length + r.removedNodes.length; }));
  mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  document.getElementById('restart').click();
  const play = [];
  let p0 = await frame();
  const end = p0 + 3000;
  while (p0 < end) { const t1 = await frame(); play.push(t1 - p0); p0 = t1; }
  mo.disconnect();
  play.sort((a, b) => a - b);
  done({ frames: play.length, p50: play[play.length >> 1], p95: play[Math.floor(play.length * 0.95)],
         max: play[play.length - 1], by, nodes, dom: document.getElementsByTagName('*').length });
})();
"#;
    for (name, link) in &pages {
        c.goto(&server.url(&format!("{SUB_PATH}#{link}")))
            .await
            .unwrap();
        protoviz_e2e::wait_for(
            &c,
            "the run and its median",
            300,
            "return [document.querySelectorAll('.lane').length, !!document.querySelector('[data-busy]'), document.querySelector('.seeds') === null]",
            |v| v[0] == 4 && v[1] == false && v[2] == true,
        )
        .await;
        c.issue_cmd(Cdp("Performance.enable", serde_json::json!({})))
            .await
            .unwrap();
        for wire in [false, true] {
            let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
            let before = metrics(&c).await;
            let v: Value = c.execute_async(PLAY, vec![wire.into()]).await.unwrap();
            let after = metrics(&c).await;
            // Main-thread ms per frame (the 30 settling frames before the replay included).
            let n = v["frames"].as_f64().unwrap_or(1.0).max(1.0) + 30.0;
            let d = |k: &str| {
                (after.get(k).unwrap_or(&0.0) - before.get(k).unwrap_or(&0.0)) * 1000.0 / n
            };
            let frames = v["frames"].as_f64().unwrap_or(1.0).max(1.0);
            let per: Vec<String> = v["by"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, n)| format!("{k} {:.1}", n.as_f64().unwrap_or(0.0) / frames))
                        .collect()
                })
                .unwrap_or_default();
            println!(
                "{name}, wire {}: {} frames, interval p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; \
                 DOM mutations per frame: {} (nodes added/removed in all: {}); {} elements; \
                 main thread per frame: script {:.2} ms, style {:.2} ms, layout {:.2} ms, all tasks {:.2} ms; load {}",
                if wire { "open" } else { "closed" },
                v["frames"],
                v["p50"].as_f64().unwrap_or(0.0),
                v["p95"].as_f64().unwrap_or(0.0),
                v["max"].as_f64().unwrap_or(0.0),
                per.join(", "),
                v["nodes"],
                v["dom"],
                d("ScriptDuration"),
                d("RecalcStyleDuration"),
                d("LayoutDuration"),
                d("TaskDuration"),
                load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
            );
        }
    }
    c.close().await.unwrap();
}

/// Not a test: a generated page of 1,000 and of 5,000 assets (every asset its own row) at
/// 0 % loss: seconds from opening the link to the lanes on screen, the longest main-thread
/// task on the way (Chrome's long tasks, buffered), the page's elements and JS heap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test"]
async fn big_pages() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    protoviz_e2e::set_viewport(&c, 1400, 900).await;
    for n in [1_000, 5_000] {
        let link = protoviz_e2e::pages::generated_link(n, "");
        let want = protoviz_engine::url::encode(&protoviz_engine::url::decode(&link).unwrap());
        c.goto("about:blank").await.unwrap();
        let t0 = std::time::Instant::now();
        c.goto(&server.url(&format!("{SUB_PATH}#{link}")))
            .await
            .unwrap();
        protoviz_e2e::wait_for(
            &c,
            "the run",
            900,
            "const l = document.querySelector('.lanes'); return l && l.dataset.run",
            |v| v == want.as_str(),
        )
        .await;
        let secs = t0.elapsed().as_secs_f64();
        let v: Value = c
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 const tasks = [];\
                 new PerformanceObserver(l => { for (const e of l.getEntries()) tasks.push(e.duration); })\
                   .observe({ type: 'longtask', buffered: true });\
                 setTimeout(() => done([Math.max(0, ...tasks), tasks.length,\
                   document.getElementsByTagName('*').length,\
                   performance.memory ? performance.memory.usedJSHeapSize : 0,\
                   document.querySelectorAll('.asset-row').length]), 2000);",
                vec![],
            )
            .await
            .unwrap();
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!(
            "{n} assets: lanes on screen after {secs:.1} s; longest task {:.0} ms ({} long tasks); \
             {} elements, {} rows drawn; JS heap {:.0} MB (wasm memory not included); load {}",
            v[0].as_f64().unwrap_or(0.0),
            v[1],
            v[2],
            v[4],
            v[3].as_f64().unwrap_or(0.0) / 1e6,
            load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        );
    }
    c.close().await.unwrap();
}

/// Not a test: frame intervals on `$SNAP_HASH` with the replay stopped at its end while a
/// script changes one thing per frame (nothing; the footer's text; one curtain's
/// transform), to tell a frame's fixed cost from what the replay changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a tool, not a test"]
async fn frame_floor() {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    protoviz_e2e::set_viewport(&c, 1400, 900).await;
    let page = std::env::var("SNAP_HASH").unwrap_or_else(|_| "page=tiles&loss=2".into());
    c.goto(&server.url(&format!("{SUB_PATH}#{page}")))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(12000)).await;
    for what in ["nothing", "footer", "curtain"] {
        let script = format!(
            "const done = arguments[arguments.length - 1];\
             (async () => {{\
               const frame = () => new Promise(res => requestAnimationFrame(() => res(performance.now())));\
               const f = document.querySelector('footer'); const cu = document.querySelector('.curtain');\
               const play = []; let p0 = await frame(); const end = p0 + 2000; let i = 0;\
               while (p0 < end) {{\
                 i++;\
                 if ({what:?} === 'footer') f.firstChild.textContent = 'frame ' + i;\
                 if ({what:?} === 'curtain') cu.style.transform = 'translateX(' + (i % 100) + '%)';\
                 const t = await frame(); play.push(t - p0); p0 = t; }}\
               play.sort((a, b) => a - b);\
               done([play.length, play[play.length >> 1], play[Math.floor(play.length * 0.95)]]);\
             }})();"
        );
        let v: Value = c.execute_async(&script, vec![]).await.unwrap();
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!(
            "{what}: frames, p50, p95 = {v}; load {}",
            &load[..14.min(load.len())]
        );
    }
    c.close().await.unwrap();
}
