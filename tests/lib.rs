//! What the browser end-to-end tests need: the built site served on 127.0.0.1 (under a
//! sub-path, as GitHub Pages serves it), chromedriver on a free port, and a WebDriver client
//! for a headless Chromium.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use protoviz_engine::{simulate, url, Scenario, Trace};
use serde_json::Value;

/// The sub-path the site is served under, like `https://user.github.io/protoviz/`.
pub const SUB_PATH: &str = "/protoviz/";

/// The built site: `$PROTOVIZ_DIST`, or `dist/` at the repository root.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("PROTOVIZ_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no built site at {}: run `make dist` first (make test does)",
        dir.display()
    );
    dir
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("the loopback interface has a free port")
}

/// A static file server for the built site, on 127.0.0.1, in a background thread. It also
/// serves `/embed.html`, a page that embeds the site in an iframe as course slides do.
pub struct StaticServer {
    pub port: u16,
}

impl StaticServer {
    pub fn start(root: PathBuf) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &root);
                });
            }
        });
        StaticServer { port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

/// Answers one request on `stream`: the site under [`SUB_PATH`] from `root`, the reveal.js
/// deck and the embedding page; 404 for anything else, as GitHub Pages would.
pub fn serve_one(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    // Drain the request head.
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let (status, ctype, body) = if path == "/deck.html" {
        // A reveal.js deck with the app on its second slide (tests/deck.html).
        let deck = include_str!("deck.html");
        (
            "200 OK",
            "text/html; charset=utf-8",
            deck.as_bytes().to_vec(),
        )
    } else if let Some(rel) = path.strip_prefix("/reveal/") {
        // reveal.js itself, from where `make test-e2e` installs it.
        match (rel.contains(".."), std::fs::read(reveal_dir().join(rel))) {
            (false, Ok(bytes)) => ("200 OK", content_type(rel), bytes),
            _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
        }
    } else if path == "/embed.html" {
        let page = format!(
            "<!DOCTYPE html><html><head><title>Lecture 7: HTTP/2</title></head><body>\
             <h1>Slide 12</h1><iframe id=\"viz\" src=\"{SUB_PATH}\" width=\"1400\" height=\"900\" \
             style=\"border:0\"></iframe></body></html>"
        );
        ("200 OK", "text/html; charset=utf-8", page.into_bytes())
    } else if let Some(rel) = path.strip_prefix(SUB_PATH) {
        let rel = if rel.is_empty() { "index.html" } else { rel };
        let file = root.join(rel);
        match (rel.contains(".."), std::fs::read(&file)) {
            (false, Ok(bytes)) => ("200 OK", content_type(rel), bytes),
            _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
        }
    } else {
        // Anything outside the sub-path is missing, as on GitHub Pages for a project site:
        // a build that uses absolute URLs fails here.
        ("404 Not Found", "text/plain", b"not found".to_vec())
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// reveal.js: `$PROTOVIZ_REVEAL`, or where the Makefile's `setup-reveal` puts it.
pub fn reveal_dir() -> PathBuf {
    std::env::var_os("PROTOVIZ_REVEAL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/protoviz-tools/node_modules/reveal.js")
        })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// chromedriver on a free port, killed when dropped.
pub struct Chromedriver {
    child: Child,
    pub port: u16,
}

impl Chromedriver {
    pub fn start() -> Chromedriver {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (make test installs it)"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Chromedriver { child, port }
    }

    /// A WebDriver session with a fresh headless Chromium.
    pub async fn client(&self) -> Client {
        self.client_with(&[]).await
    }

    /// The same, with more Chromium flags (e.g. `--force-prefers-reduced-motion`).
    pub async fn client_with(&self, extra: &[&str]) -> Client {
        let profile =
            std::env::temp_dir().join(format!("protoviz-e2e-{}-{}", std::process::id(), self.port));
        let chrome = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1480,1000",
        ];
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": chrome, "args": args }),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session with headless Chromium")
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where screenshots go: `tests/artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("create tests/artifacts");
    dir
}

/// Resizes the window so that the page's viewport (`innerWidth` × `innerHeight`) is
/// `width` × `height` CSS pixels (the window's own frame taken into account).
pub async fn set_viewport(c: &Client, width: u32, height: u32) {
    c.set_window_size(width, height)
        .await
        .expect("window resizes");
    let inner = c
        .execute("return [innerWidth, innerHeight]", vec![])
        .await
        .expect("script runs");
    let dim = |i: usize| inner[i].as_u64().unwrap_or(0) as u32;
    let (dw, dh) = (width.saturating_sub(dim(0)), height.saturating_sub(dim(1)));
    if dw > 0 || dh > 0 {
        c.set_window_size(width + dw, height + dh)
            .await
            .expect("window resizes");
    }
}

/// Runs `script` (which returns a value) until `done` accepts it or `secs` pass.
pub async fn wait_for(
    c: &Client,
    what: &str,
    secs: u64,
    script: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        // A script can fail while the page is (re)loading (its element not drawn yet): that is
        // "not yet", never a value for `done` to judge — a predicate such as "any non-empty
        // string" or "not null" would otherwise accept the error's text.
        let last = match c.execute(script, vec![]).await {
            Ok(v) if done(&v) => return v,
            Ok(v) => v.to_string(),
            Err(e) => format!("script error: {e}"),
        };
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last value {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the page shows the run of `link` (the engine's answer for exactly that
/// scenario, nothing computing) and the verdict is there.
pub async fn shows(c: &Client, link: &str) {
    shows_scenario(c, &url::decode(link).expect("a valid link")).await;
}

/// The same for a scenario that may not come from a link (an imported page).
pub async fn shows_scenario(c: &Client, scenario: &Scenario) {
    let want = url::encode(scenario);
    wait_for(
        c,
        &format!("the run of {}", &want[..want.len().min(80)]),
        90,
        "const l = document.querySelector('.lanes'); \
         return [l && l.dataset.run, !!document.querySelector('[data-busy]'), \
                 document.getElementById('verdict').textContent.length > 0]",
        |v| v[0] == want.as_str() && v[1] == false && v[2] == true,
    )
    .await;
}

/// Opens the app at `#link` (from a blank page) and waits for its run.
pub async fn open(c: &Client, server: &StaticServer, link: &str) {
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#{link}")))
        .await
        .expect("page loads");
    shows(c, link).await;
}

/// Presses Escape on the focused element (the detail panel) and waits for the panel to
/// close.
pub async fn close_details(c: &Client) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(&char::from(fantoccini::key::Key::Escape).to_string())
        .await
        .unwrap();
    wait_for(
        c,
        "the panel to close",
        10,
        "return document.querySelector('[data-view=detail]') === null",
        |v| v == true,
    )
    .await;
}

/// The value `script` returns.
pub async fn value(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect("script runs")
}

/// The engine's trace for a scenario string, computed natively.
pub fn trace(link: &str) -> Trace {
    simulate(&url::decode(link).expect("a valid link")).expect("the engine runs it")
}

/// Generated pages for the scaling checks.
pub mod pages;
