//! Protocol and browser options of a scenario, per lane. Every field has a default, so a
//! scenario JSON may name only what it changes.

use serde::{Deserialize, Serialize};

use crate::ids::AssetId;
use crate::page::Page;
use crate::scenario::ScenarioError;

/// HTTP/1.1 (RFC 9112) as the browser runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Http1Options {
    /// Most connections to the one host. Every major browser allows 6 (Chromium's
    /// `kDefaultMaxSocketsPerGroup`; RFC 9112 §9.4 sets no number).
    pub connections: u32,
    /// Keep-alive (RFC 9112 §9.3, persistent connections). Off: a new TCP + TLS connection
    /// for every request, closed after its response, as HTTP/1.0 did.
    pub keep_alive: bool,
    /// Pipelining (RFC 9112 §9.3.2): requests go out without waiting for earlier responses,
    /// which must still come back in request order, so a slow response holds up the ones
    /// behind it. Browsers ship with it off.
    pub pipelining: bool,
}

impl Http1Options {
    /// The allowed range of [`Http1Options::connections`].
    pub const CONNECTIONS: core::ops::RangeInclusive<u32> = 1..=32;
}

impl Default for Http1Options {
    fn default() -> Self {
        Http1Options {
            connections: 6,
            keep_alive: true,
            pipelining: false,
        }
    }
}

/// The flow-control windows the HTTP/2 client announces (RFC 9113 §6.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowWindows {
    /// RFC 9113 §6.9.2: 65,535 bytes for every stream and for the connection; the client
    /// sends WINDOW_UPDATE as it consumes data.
    Rfc,
    /// Chrome: SETTINGS_INITIAL_WINDOW_SIZE of 6 MiB per stream and a connection
    /// WINDOW_UPDATE to 15 MiB.
    #[default]
    Browser,
}

impl FlowWindows {
    /// (stream window, connection window) in bytes.
    pub fn sizes(self) -> (u64, u64) {
        match self {
            // RFC 9113 §6.9.2: the initial window of streams and of the connection.
            FlowWindows::Rfc => (65_535, 65_535),
            // Chromium net/http2: kDefaultInitialWindowSize (6 MiB) and the 15 MiB session
            // receive window.
            FlowWindows::Browser => (6 * 1024 * 1024, 15 * 1024 * 1024),
        }
    }
}

/// What the HTTP/2 + push lane's server pushes (RFC 9113 §8.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushPolicy {
    /// Nothing: the lane behaves as plain HTTP/2.
    None,
    /// The render-blocking CSS and JS the HTML references ([`crate::Asset::blocking`]).
    #[default]
    Critical,
    /// These assets (never the HTML itself).
    List(Vec<AssetId>),
}

impl PushPolicy {
    /// The assets to push for `page`, in page order.
    pub fn assets(&self, page: &Page) -> Vec<AssetId> {
        match self {
            PushPolicy::None => Vec::new(),
            PushPolicy::Critical => page
                .ids()
                .filter(|&id| {
                    let a = page.asset(id);
                    a.blocking && a.discovered_by.is_some_and(|d| d.parent == AssetId(0))
                })
                .collect(),
            PushPolicy::List(ids) => {
                let mut v: Vec<AssetId> = ids.iter().copied().filter(|id| id.0 > 0).collect();
                v.sort_unstable();
                v.dedup();
                v
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Http2Options {
    pub windows: FlowWindows,
    /// Used by the `h2-push` lane only.
    pub push: PushPolicy,
}

impl Default for Http2Options {
    fn default() -> Self {
        Http2Options {
            windows: FlowWindows::Browser,
            push: PushPolicy::Critical,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Http3Options {
    /// Resume an earlier session with 0-RTT (RFC 9001 §4.6.1, RFC 8446 §2.3): the HTML
    /// request goes out with the client's first flight.
    pub zero_rtt: bool,
    /// QUIC as RFC 9000 and RFC 9002 alone describe it (the scenario's congestion
    /// controller, no pacing, RFC 9002's initial window and RTT, an ACK every second packet,
    /// the server in RFC 9218 priority order), instead of what the deployed stacks do: a
    /// quic-go server (Caddy 2.6) and a Chromium client. See `transport::quic::stack`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rfc_only: bool,
}

/// How a multiplexing server (HTTP/2 and HTTP/3) orders the responses it has ready.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchedulerKind {
    /// RFC 9218 §10: the most urgent response first; among equal urgency, non-incremental
    /// responses one after another in request order, incremental ones sharing round-robin.
    #[default]
    Sequential,
    /// One frame of every ready response in turn, priorities ignored: every stream makes a
    /// little progress, so a loss stalls many of them at once on TCP.
    RoundRobin,
}

/// What the origin server does besides answering.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerOptions {
    /// Response order on HTTP/2 and HTTP/3.
    pub scheduler: SchedulerKind,
    /// RFC 8297: before the HTML's final response, send `103 Early Hints` with a
    /// `Link: <…>; rel=preload` for each critical asset (the same set push would push); the
    /// browser requests them at once. Applies to the h1, h2 and h3 lanes (the h2-push lane
    /// pushes instead).
    pub early_hints: bool,
}

/// Whether the browser has been to this page before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cache {
    /// First visit: everything comes from the network.
    #[default]
    Cold,
    /// Repeat visit: every cacheable asset ([`crate::Asset::cacheable`]) is fresh in the
    /// cache and is not requested; the HTML and JSON are fetched again.
    Warm,
}

/// The browser's own work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrowserOptions {
    pub cache: Cache,
    /// Parse cost of HTML, microseconds per KiB (1,024 bytes) of body.
    pub html_us_per_kib: u64,
    /// Parse cost of CSS, microseconds per KiB.
    pub css_us_per_kib: u64,
    /// Parse, compile and execute cost of JavaScript, microseconds per KiB.
    pub js_us_per_kib: u64,
}

impl BrowserOptions {
    /// Largest per-KiB cost: 100 ms per KiB.
    pub const MAX_US_PER_KIB: u64 = 100_000;
}

impl Default for BrowserOptions {
    fn default() -> Self {
        // A desktop browser: V8 parses and compiles on the order of 10–20 MB/s and runs
        // typical bundles at a similar rate; Blink parses HTML and CSS faster.
        BrowserOptions {
            cache: Cache::Cold,
            html_us_per_kib: 10,
            css_us_per_kib: 10,
            js_us_per_kib: 50,
        }
    }
}

pub(crate) fn validate(
    page: &Page,
    h1: &Http1Options,
    h2: &Http2Options,
    browser: &BrowserOptions,
) -> Result<(), ScenarioError> {
    if !Http1Options::CONNECTIONS.contains(&h1.connections) {
        return Err(ScenarioError::OutOfRange {
            field: "http1.connections",
            value: h1.connections.to_string(),
            allowed: "1 to 32 connections per host",
        });
    }
    if let PushPolicy::List(ids) = &h2.push {
        for id in ids {
            if id.0 == 0 || id.0 as usize >= page.assets.len() {
                return Err(ScenarioError::OutOfRange {
                    field: "http2.push.list",
                    value: id.0.to_string(),
                    allowed: "ids of the page's assets other than the HTML (1 to assets − 1)",
                });
            }
        }
    }
    for (field, v) in [
        ("browser.html_us_per_kib", browser.html_us_per_kib),
        ("browser.css_us_per_kib", browser.css_us_per_kib),
        ("browser.js_us_per_kib", browser.js_us_per_kib),
    ] {
        if v > BrowserOptions::MAX_US_PER_KIB {
            return Err(ScenarioError::OutOfRange {
                field,
                value: v.to_string(),
                allowed: "0 to 100000 microseconds per KiB",
            });
        }
    }
    Ok(())
}
