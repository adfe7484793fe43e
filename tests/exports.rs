//! End-to-end: your own page in, results out (issue 13), against the release build served
//! under a sub-path on 127.0.0.1 in headless Chromium. The asset editor reruns the page;
//! the HAR Chromium recorded (tests/fixtures/local-site.har) imports; JSON, CSV, qlog, SVG
//! and PNG downloads are read back from disk and checked (a re-imported JSON runs to the
//! same trace digest; the qlog parses with the `qlog` crate's types; the SVG parses as XML
//! in the browser and the PNG is twice its size with the lanes' colours in it); malformed
//! files name their JSON path; and the site loads with the network cut after one visit.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use protoviz_e2e::{
    artifacts_dir, dist_dir, set_viewport, shows_scenario, wait_for, Chromedriver, SUB_PATH,
};
use protoviz_engine::export::qlog::Qlog;
use protoviz_engine::trace::Trace;
use protoviz_engine::{digest, har, simulate, url, verdict, Scenario};
use serde_json::Value;

/// The built site under [`SUB_PATH`], with a switch that cuts the network: while
/// `offline` is set every connection is closed before a byte is answered (and counted).
struct Site {
    port: u16,
    offline: Arc<AtomicBool>,
    refused: Arc<AtomicUsize>,
}

impl Site {
    fn start(root: PathBuf) -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let offline = Arc::new(AtomicBool::new(false));
        let refused = Arc::new(AtomicUsize::new(0));
        let (off, count) = (offline.clone(), refused.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if off.load(Ordering::SeqCst) {
                    count.fetch_add(1, Ordering::SeqCst);
                    drop(stream);
                    continue;
                }
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = protoviz_e2e::serve_one(stream, &root);
                });
            }
        });
        Site {
            port,
            offline,
            refused,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

/// A screenshot with the import and export panel, which sits under the lanes, in view.
async fn shot_of_the_panel(s: &Session, name: &str) {
    s.c.execute(
        "document.querySelector('[data-view=export]').scrollIntoView({block: 'start'})",
        vec![],
    )
    .await
    .unwrap();
    let png = s.c.screenshot().await.unwrap();
    std::fs::write(artifacts_dir().join(name), png).unwrap();
}

/// A headless Chromium session that saves downloads into `downloads`.
async fn client(driver: &Chromedriver, downloads: &Path) -> Client {
    let profile = std::env::temp_dir().join(format!(
        "protoviz-exports-{}-{}",
        std::process::id(),
        driver.port
    ));
    let chrome = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chrome,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=1480,1000",
                     format!("--user-data-dir={}", profile.display())],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                // An export's file comes from the export worker; on a loaded machine its
                // answer can arrive after the click's user activation has expired, and
                // Chrome then counts the download as automatic and blocks every one after
                // the first such (DownloadRequestLimiter) unless this site may download
                // many files. (Seen once in `make test` with four browsers on two cores.)
                "profile.default_content_setting_values.automatic_downloads": 1,
            }
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session with headless Chromium")
}

struct Session {
    site: Site,
    _driver: Chromedriver,
    c: Client,
    downloads: PathBuf,
}

async fn session(name: &str) -> Session {
    let site = Site::start(dist_dir());
    let driver = Chromedriver::start();
    let downloads =
        std::env::temp_dir().join(format!("protoviz-downloads-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&downloads);
    std::fs::create_dir_all(&downloads).unwrap();
    let c = client(&driver, &downloads).await;
    set_viewport(&c, 1400, 900).await;
    Session {
        site,
        _driver: driver,
        c,
        downloads,
    }
}

async fn open(s: &Session, link: &str) -> Scenario {
    s.c.goto(&s.site.url(&format!("{SUB_PATH}#{link}")))
        .await
        .expect("page loads");
    let scenario = url::decode(link).unwrap();
    shows_scenario(&s.c, &scenario).await;
    scenario
}

/// Chooses `file` in the import picker.
async fn import(c: &Client, file: &Path) {
    let input = c.find(Locator::Id("import-file")).await.unwrap();
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("the file picker takes a path");
}

async fn message(c: &Client, contains: &str) -> String {
    let v = wait_for(
        c,
        &format!("#import-message with {contains:?}"),
        30,
        "const m = document.getElementById('import-message'); return m ? m.textContent : ''",
        |v| v.as_str().is_some_and(|t| t.contains(contains)),
    )
    .await;
    v.as_str().unwrap().to_owned()
}

/// Clicks `id` and waits for the downloaded file `name` to be complete.
async fn download(s: &Session, id: &str, name: &str) -> Vec<u8> {
    let path = s.downloads.join(name);
    let _ = std::fs::remove_file(&path);
    s.c.find(Locator::Id(id))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The export worker shares two cores with three other browsers during `make test`.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let partial = std::fs::read_dir(&s.downloads)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"));
        if !partial {
            if let Ok(bytes) = std::fs::read(&path) {
                if !bytes.is_empty() {
                    return bytes;
                }
            }
        }
        if Instant::now() >= deadline {
            let said = s
                .c
                .execute(
                    "const m = document.getElementById('import-message'); \
                     return [m && m.textContent, document.querySelector('.lanes')?.dataset.run, \
                             !!document.querySelector('[data-busy]'), navigator.serviceWorker?.controller?.state]",
                    vec![],
                )
                .await;
            panic!("no download {name} after clicking #{id}; the page: {said:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The scenario with another page, as the app makes it (push list kept when valid).
fn with_page(s: &Scenario, page: protoviz_engine::Page) -> Scenario {
    let mut t = s.clone();
    t.page = page;
    if t.validate().is_err() {
        t.http2.push = protoviz_engine::options::PushPolicy::Critical;
    }
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_asset_reruns_the_lanes_and_an_invalid_one_is_marked_in_place() {
    let s = session("editor").await;
    let before = open(&s, "page=blog").await;
    s.c.execute(
        "document.querySelector('[data-view=editor] summary').click(); return true",
        vec![],
    )
    .await
    .unwrap();
    wait_for(
        &s.c,
        "the editor's rows",
        10,
        "return document.querySelectorAll('.edit-row').length",
        |v| v.as_u64() == Some(16),
    )
    .await;
    let set = |row: u32, class: &str, value: &str| {
        format!(
            "const i = document.querySelector('.edit-row[data-asset=\"{row}\"] .{class}'); \
             i.value = '{value}'; i.dispatchEvent(new Event('change', {{ bubbles: true }})); return i.value"
        )
    };
    // The hero image (asset 7) five times larger: every lane runs again.
    s.c.execute(&set(7, "edit-size", "900000"), vec![])
        .await
        .unwrap();
    let mut want = before.clone();
    want.page.assets[7].size = 900_000;
    shows_scenario(&s.c, &want).await;
    let trace = simulate(&want).unwrap();
    let v = verdict::evaluate(&want).unwrap();
    let shown = wait_for(
        &s.c,
        "the verdict",
        30,
        "return document.getElementById('verdict').textContent",
        |t| t.as_str().is_some_and(|t| t.contains(&v.sentence)),
    )
    .await;
    assert!(shown.as_str().unwrap().contains(&v.sentence));
    assert_ne!(
        simulate(&before).unwrap().lanes[0].metrics.load,
        trace.lanes[0].metrics.load,
        "the bigger image changes the load"
    );
    // The link names the edited page.
    let hash = s.c.execute("return location.hash", vec![]).await.unwrap();
    assert_eq!(hash.as_str().unwrap(), format!("#{}", url::encode(&want)));
    // An offset past the end of the HTML: marked on its row, with what is allowed, and
    // nothing runs.
    s.c.execute(&set(2, "edit-offset", "99999999"), vec![])
        .await
        .unwrap();
    let problem = wait_for(
        &s.c,
        "the row's problem",
        10,
        "const p = document.querySelector('.edit-problem[data-asset=\"2\"]'); \
         return [p ? p.textContent : '', document.querySelector('.edit-row[data-asset=\"2\"]').getAttribute('aria-invalid')]",
        |v| v[1] == "true",
    )
    .await;
    assert!(
        problem[0]
            .as_str()
            .unwrap()
            .contains("discovered_by.offset 99999999 is past the end of asset 0 (38000 bytes)"),
        "{problem}"
    );
    let run =
        s.c.execute(
            "return document.querySelector('.lanes').dataset.run",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        run.as_str().unwrap(),
        url::encode(&want),
        "the invalid page did not run"
    );
    shot_of_the_panel(&s, "exports-editor-1400x900.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recorded_har_imports_and_malformed_files_name_their_json_path() {
    let s = session("har").await;
    let before = open(&s, "page=blog&rtt=50").await;
    // A malformed HAR and a malformed JSON: their JSON paths, and nothing changes.
    let dir = s.downloads.clone();
    let good = std::fs::read_to_string(fixture("local-site.har")).unwrap();
    let bad_har = dir.join("bad.har");
    std::fs::write(
        &bad_har,
        good.replacen("\"status\": 200", "\"status\": \"ok\"", 1),
    )
    .unwrap();
    import(&s.c, &bad_har).await;
    let m = message(&s.c, "Not done").await;
    assert!(
        m.contains("bad.har: HAR log.entries[0].response.status: invalid type: string \"ok\""),
        "{m}"
    );
    let trace_json = serde_json::to_string(&simulate(&before).unwrap()).unwrap();
    let bad_json = dir.join("bad.json");
    std::fs::write(
        &bad_json,
        trace_json.replacen("\"rtt\":50000", "\"rtt\":\"fast\"", 1),
    )
    .unwrap();
    import(&s.c, &bad_json).await;
    let m = message(&s.c, "bad.json").await;
    assert!(
        m.contains("JSON scenario.network.rtt: invalid type: string \"fast\""),
        "{m}"
    );
    shows_scenario(&s.c, &before).await;
    // The HAR headless Chromium recorded: its assets on screen, run on the same network.
    import(&s.c, &fixture("local-site.har")).await;
    let got = har::import(&good).unwrap();
    let n = got.page.assets.len();
    let m = message(&s.c, "Imported").await;
    assert!(
        m.contains(&format!("Imported {n} assets from the HAR local-site.har.")),
        "{m}"
    );
    assert!(
        m.contains("2 assets from 1 other host (localhost:8765)"),
        "{m}"
    );
    let want = with_page(&before, got.page.clone());
    shows_scenario(&s.c, &want).await;
    let names =
        s.c.execute(
            "return [...document.querySelectorAll('.lane')][0].textContent",
            vec![],
        )
        .await
        .unwrap();
    for path in ["site.css", "vendor.js", "text.woff2", "feed.json"] {
        assert!(names.as_str().unwrap().contains(path), "{path} on screen");
    }
    shot_of_the_panel(&s, "exports-har-1400x900.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_json_csv_qlog_svg_png_and_a_reimported_json_runs_to_the_same_digest() {
    let s = session("downloads").await;
    let scenario = open(&s, "page=blog&loss=1&seed=3").await;
    let native = simulate(&scenario).unwrap();
    // JSON: the engine's trace exactly.
    let json = download(&s, "export-json", "protoviz-blog.json").await;
    let trace: Trace = serde_json::from_slice(&json).unwrap();
    assert_eq!(digest(&trace), digest(&native));
    // Another scenario on screen, then the file again: the same run, the same digest.
    let other = open(&s, "page=tiles").await;
    assert_ne!(other, scenario);
    let saved = s.downloads.join("saved-trace.json");
    std::fs::write(&saved, &json).unwrap();
    import(&s.c, &saved).await;
    message(&s.c, "Imported the scenario of saved-trace.json").await;
    shows_scenario(&s.c, &scenario).await;
    let again = download(&s, "export-json", "protoviz-blog.json").await;
    let again: Trace = serde_json::from_slice(&again).unwrap();
    assert_eq!(digest(&again), digest(&native));
    // The page alone as JSON, imported while another page is on screen: that page with
    // the scenario on screen otherwise.
    let page_json = download(&s, "export-page", "protoviz-blog-page.json").await;
    let page: protoviz_engine::Page = serde_json::from_slice(&page_json).unwrap();
    assert_eq!(page, scenario.page);
    let tiles = open(&s, "page=tiles&rtt=40").await;
    let saved_page = s.downloads.join("saved-page.json");
    std::fs::write(&saved_page, &page_json).unwrap();
    import(&s.c, &saved_page).await;
    message(&s.c, "Imported the page of saved-page.json (16 assets).").await;
    shows_scenario(&s.c, &with_page(&tiles, page)).await;
    open(&s, "page=blog&loss=1&seed=3").await;
    // CSV: a row per asset per lane.
    let csv = String::from_utf8(download(&s, "export-csv", "protoviz-blog.csv").await).unwrap();
    assert_eq!(csv, protoviz_engine::export::csv::timings(&native));
    // qlog: parses with the crate's types, one trace per lane.
    let qlog = download(&s, "export-qlog", "protoviz-blog.qlog").await;
    let q: Qlog = serde_json::from_slice(&qlog).expect("the qlog crate reads it");
    assert_eq!(q.traces.len(), 4);
    assert!(q.traces[3].events.len() > 100, "HTTP/3 packets and metrics");
    // SVG: well-formed XML (the browser's own parser) with the four lanes.
    let svg = String::from_utf8(download(&s, "export-svg", "protoviz-blog.svg").await).unwrap();
    assert_eq!(svg, protoviz_engine::export::svg::lanes(&native));
    let parsed = s
        .c
        .execute(
            "const d = new DOMParser().parseFromString(arguments[0], 'image/svg+xml'); \
             return [d.getElementsByTagName('parsererror').length, d.documentElement.nodeName, \
                     [...d.querySelectorAll('g[aria-label]')].map(g => g.getAttribute('aria-label'))]",
            vec![Value::String(svg.clone())],
        )
        .await
        .unwrap();
    assert_eq!(
        parsed,
        serde_json::json!([0, "svg", ["HTTP/1.1", "HTTP/2", "HTTP/2 + push", "HTTP/3"]])
    );
    // PNG: twice the SVG's size, and the lanes' colours are in it.
    let png = download(&s, "export-png", "protoviz-blog.png").await;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let dim = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    let height: u32 = svg
        .split("height=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .unwrap();
    assert_eq!((dim(16), dim(20)), (2400, 2 * height));
    std::fs::write(artifacts_dir().join("exports-lanes.png"), &png).unwrap();
    use base64_png::encode;
    let counts = s
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1]; const img = new Image(); \
             img.onload = () => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height; \
               const x = c.getContext('2d'); x.drawImage(img, 0, 0); const d = x.getImageData(0, 0, c.width, c.height).data; \
               const want = [[0x5a,0x5f,0x73],[0x2a,0x64,0xc4],[0x0a,0x71,0x6b],[0x7d,0x44,0xb3]]; \
               done(want.map(([r,g,b]) => { let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i]===r && d[i+1]===g && d[i+2]===b) n++; return n; })); }; \
             img.onerror = () => done('not an image'); img.src = 'data:image/png;base64,' + arguments[0];",
            vec![Value::String(encode(&png))],
        )
        .await
        .unwrap();
    for (lane, n) in counts.as_array().expect("pixel counts").iter().enumerate() {
        assert!(
            n.as_u64().unwrap() > 200,
            "lane {lane}'s colour in the PNG: {counts}"
        );
    }
}

/// Base64 for handing the PNG to the page (no crate for one use).
mod base64_png {
    pub fn encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_one_visit_the_site_loads_with_the_network_cut() {
    let s = session("offline").await;
    let scenario = open(&s, "page=spa").await;
    // The service worker installed (it cached the app's files) and controls the page.
    wait_for(
        &s.c,
        "the service worker in control",
        30,
        "return !!navigator.serviceWorker.controller",
        |v| v == &Value::Bool(true),
    )
    .await;
    s.site.offline.store(true, Ordering::SeqCst);
    s.c.refresh().await.unwrap();
    shows_scenario(&s.c, &scenario).await;
    assert!(
        s.site.refused.load(Ordering::SeqCst) > 0,
        "the reload did try the network, which was cut"
    );
    let headings =
        s.c.execute(
            "return [...document.querySelectorAll('.lane h2')].map(h => h.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        headings,
        serde_json::json!(["HTTP/1.1", "HTTP/2", "HTTP/2 + push", "HTTP/3"])
    );
}
