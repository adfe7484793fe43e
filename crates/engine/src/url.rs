//! A [`Scenario`] as a compact, URL-safe string for the app's location hash and the CLI's
//! `--url`: `page=blog&rtt=50&loss=2&cache=warm`.
//!
//! The page is named by its preset id when it equals a preset (`page=tiles`), otherwise it
//! travels as base64url (no padding) of its JSON (`pagejson=eyJuYW1lIjoi…`). Every other
//! value is written only when it differs from the default, with a short key:
//!
//! | key | value | default |
//! | --- | --- | --- |
//! | `rtt` | round trip, milliseconds (up to 3 decimals) | 100 |
//! | `down`, `up` | bandwidth each way, Mbit/s (up to 6 decimals) | 10, 5 |
//! | `loss` | loss rate each way, per cent (up to 4 decimals) | none |
//! | `model` | `none`, `random`, `bursty`, `scripted` | `random` if `loss` is given, else `none` |
//! | `burst` | mean burst length with `model=bursty`, packets | 3 |
//! | `lossup`, `lossdown` | packet ordinals lost with `model=scripted`, comma-separated | empty |
//! | `queue` | bottleneck queue, bytes | one bandwidth-delay product, at least 64 KiB |
//! | `seed` | seed of the loss draws | 0 |
//! | `proto` | lanes in order, comma-separated: `h1`, `h2`, `h2-push`, `h3` | all four |
//! | `cc` | `cubic` (Linux's default), `newreno` | `cubic` |
//! | `hystart` | delay-based slow-start exit (HyStart): `on`, `off` | `on` |
//! | `sack` | `on`, `off` | `on` |
//! | `minrto` | `linux` (200 ms), `rfc` (1 s) | `linux` |
//! | `tls` | `1.3`, `1.2` | `1.3` |
//! | `h1conn` | HTTP/1.1 connections per host, 1 to 32 | 6 |
//! | `keepalive`, `pipelining` | `on`, `off` | `on`, `off` |
//! | `windows` | HTTP/2 flow-control windows: `rfc`, `browser` | `browser` |
//! | `push` | `none`, `critical`, or asset ids like `1,2,3` | `critical` |
//! | `zerortt` | HTTP/3 0-RTT: `on`, `off` | `off` |
//! | `sched` | `sequential`, `round-robin` | `sequential` |
//! | `hints` | 103 Early Hints: `on`, `off` | `off` |
//! | `records` | the server's TLS records on TCP: `16k` (nginx), `4k`, `dynamic` (Cloudflare), `per-write` | `16k` |
//! | `cache` | `cold`, `warm` | `cold` |
//! | `htmlcost`, `csscost`, `jscost` | parse cost, µs per KiB | 10, 10, 50 |
//!
//! After them may come the keys of how the app shows the scenario (`view`, `lesson`,
//! `step`, `theme`, `speed`, `loop`, `t`: see [`view`]); they change nothing the engine
//! computes, so the scenario's readers accept them and leave them to [`decode_view`].
//!
//! Decoding never panics; every error names the key, the value and what is allowed, and
//! the decoded scenario is validated like any other. [`decode`] is strict (the first
//! error); [`decode_lenient`], which the app uses for its location hash, applies every good
//! key and reports each bad one, so a link with one typo still opens the scenario it names.
//!
//! Past 600 lines: the one hash format, each key's reader and writer with its strict and
//! lenient messages side by side so a key changes in one place; the view keys are in
//! `url/view.rs`, the tests in `url/tests.rs`.

use core::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::ids::AssetId;
use crate::link::{LossModel, PPM};
use crate::options::{Cache, FlowWindows, Http1Options, PushPolicy, SchedulerKind, TlsRecords};
use crate::page::{Page, PresetId};
use crate::scenario::{MinRto, Network, Protocol, Scenario, ScenarioError, TlsVersion};
use crate::time::SimDuration;
use crate::transport::cc::Algorithm;

pub mod view;
pub use view::{decode_view, encode_view, View, ViewRead, VIEW_KEYS};

/// Every key a scenario string may have, in the order [`encode`] writes them.
pub const KEYS: [&str; 31] = [
    "page",
    "pagejson",
    "rtt",
    "down",
    "up",
    "loss",
    "model",
    "burst",
    "lossup",
    "lossdown",
    "queue",
    "seed",
    "proto",
    "cc",
    "hystart",
    "sack",
    "minrto",
    "tls",
    "h1conn",
    "keepalive",
    "pipelining",
    "windows",
    "push",
    "zerortt",
    "sched",
    "hints",
    "records",
    "cache",
    "htmlcost",
    "csscost",
    "jscost",
];

/// Mean burst written when `burst` is absent with `model=bursty` (the CLI's default too).
pub const DEFAULT_MEAN_BURST: u32 = 3;

/// Longest scenario string accepted: 1 MiB (a page of a few thousand assets as JSON).
pub const MAX_LEN: usize = 1 << 20;

/// Why a scenario string cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// `key=value` with a value that is not allowed.
    BadValue {
        key: String,
        value: String,
        allowed: String,
    },
    /// Keys this format does not have.
    UnknownKeys(Vec<String>),
    /// A key given twice.
    Repeated(String),
    /// A part without `=`.
    NotKeyValue(String),
    /// Neither `page` nor `pagejson`, or both.
    NoPage,
    BothPages,
    /// The string is longer than [`MAX_LEN`].
    TooLong(usize),
    /// The values read, but the scenario they make is not valid.
    Invalid(ScenarioError),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::BadValue {
                key,
                value,
                allowed,
            } => write!(f, "{key} is {value:?}; allowed: {allowed}"),
            UrlError::UnknownKeys(keys) => {
                let keys: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
                write!(
                    f,
                    "unknown key{} {}; known keys: {}",
                    if keys.len() == 1 { "" } else { "s" },
                    keys.join(", "),
                    KEYS.join(", ")
                )
            }
            UrlError::Repeated(key) => write!(f, "{key} is given twice; give it at most once"),
            UrlError::NotKeyValue(part) => {
                write!(f, "{part:?} is not key=value; parts are separated by &")
            }
            UrlError::NoPage => write!(
                f,
                "no page: give page=ID ({}) or pagejson=BASE64URL",
                preset_ids()
            ),
            UrlError::BothPages => f.write_str("both page and pagejson are given; give one"),
            UrlError::TooLong(n) => {
                write!(
                    f,
                    "the scenario string is {n} bytes; at most {MAX_LEN} are allowed"
                )
            }
            UrlError::Invalid(e) => write!(f, "the scenario is not valid: {e}"),
        }
    }
}

impl std::error::Error for UrlError {}

fn preset_ids() -> String {
    PresetId::ALL.map(PresetId::id).join(", ")
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// `v / 10^decimals` as a decimal without trailing zeros: `fixed(2500, 4)` is "0.25".
fn fixed(v: u64, decimals: u32) -> String {
    let unit = 10u64.pow(decimals);
    let (whole, frac) = (v / unit, v % unit);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:0width$}", width = decimals as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Reads a non-negative decimal with at most `decimals` fraction digits as an integer
/// count of `10^-decimals`; `None` on anything else or on overflow. No floats.
fn parse_fixed(s: &str, decimals: u32) -> Option<u64> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > decimals as usize {
        return None;
    }
    if s.ends_with('.') {
        return None;
    }
    let unit = 10u64.pow(decimals);
    let w: u64 = whole.parse().ok()?;
    let mut f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..decimals as usize {
        f *= 10;
    }
    w.checked_mul(unit)?.checked_add(f)
}

fn list(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// The scenario as a compact string. [`decode`] gives back an equal scenario.
pub fn encode(s: &Scenario) -> String {
    let mut parts: Vec<(&str, String)> = Vec::new();
    // A preset's page is named by its id: build only that one to compare.
    match PresetId::ALL
        .into_iter()
        .find(|&id| id.id() == s.page.name && Page::preset(id) == s.page)
    {
        Some(id) => parts.push(("page", id.id().to_string())),
        None => {
            let json = serde_json::to_vec(&s.page).unwrap_or_default();
            parts.push(("pagejson", URL_SAFE_NO_PAD.encode(json)));
        }
    }
    let n = &s.network;
    let d = Network::default();
    if n.rtt != d.rtt {
        parts.push(("rtt", fixed(n.rtt.as_micros(), 3)));
    }
    if n.downlink_bps != d.downlink_bps {
        parts.push(("down", fixed(n.downlink_bps, 6)));
    }
    if n.uplink_bps != d.uplink_bps {
        parts.push(("up", fixed(n.uplink_bps, 6)));
    }
    match &n.loss {
        LossModel::None => {}
        LossModel::Random { ppm } => parts.push(("loss", fixed(u64::from(*ppm), 4))),
        LossModel::Bursty { ppm, mean_burst } => {
            parts.push(("loss", fixed(u64::from(*ppm), 4)));
            parts.push(("model", "bursty".into()));
            if *mean_burst != DEFAULT_MEAN_BURST {
                parts.push(("burst", mean_burst.to_string()));
            }
        }
        LossModel::Scripted { up, down } => {
            parts.push(("model", "scripted".into()));
            if !up.is_empty() {
                parts.push(("lossup", list(up)));
            }
            if !down.is_empty() {
                parts.push(("lossdown", list(down)));
            }
        }
    }
    if let Some(q) = n.queue_bytes {
        parts.push(("queue", q.to_string()));
    }
    if n.seed != d.seed {
        parts.push(("seed", n.seed.to_string()));
    }
    if s.protocols != Protocol::ALL {
        let ids: Vec<&str> = s.protocols.iter().map(|p| p.id()).collect();
        parts.push(("proto", ids.join(",")));
    }
    let t = &s.transport;
    if t.congestion != Algorithm::Cubic {
        parts.push(("cc", "newreno".into()));
    }
    if !t.hystart {
        parts.push(("hystart", "off".into()));
    }
    if !t.sack {
        parts.push(("sack", "off".into()));
    }
    if t.min_rto != MinRto::Linux200ms {
        parts.push(("minrto", "rfc".into()));
    }
    if t.tls != TlsVersion::Tls13 {
        parts.push(("tls", "1.2".into()));
    }
    let h1d = Http1Options::default();
    if s.http1.connections != h1d.connections {
        parts.push(("h1conn", s.http1.connections.to_string()));
    }
    if s.http1.keep_alive != h1d.keep_alive {
        parts.push(("keepalive", on_off(s.http1.keep_alive).into()));
    }
    if s.http1.pipelining != h1d.pipelining {
        parts.push(("pipelining", on_off(s.http1.pipelining).into()));
    }
    if s.http2.windows != FlowWindows::Browser {
        parts.push(("windows", "rfc".into()));
    }
    match &s.http2.push {
        PushPolicy::Critical => {}
        PushPolicy::None => parts.push(("push", "none".into())),
        PushPolicy::List(ids) => {
            let ids: Vec<u64> = ids.iter().map(|id| u64::from(id.0)).collect();
            parts.push(("push", list(&ids)));
        }
    }
    if s.http3.zero_rtt {
        parts.push(("zerortt", "on".into()));
    }
    if s.server.scheduler != SchedulerKind::Sequential {
        parts.push(("sched", "round-robin".into()));
    }
    if s.server.early_hints {
        parts.push(("hints", "on".into()));
    }
    match s.server.tls_records {
        TlsRecords::Nginx16k => {}
        TlsRecords::Small4k => parts.push(("records", "4k".into())),
        TlsRecords::Dynamic => parts.push(("records", "dynamic".into())),
        TlsRecords::PerWrite => parts.push(("records", "per-write".into())),
    }
    if s.browser.cache != Cache::Cold {
        parts.push(("cache", "warm".into()));
    }
    let bd = crate::options::BrowserOptions::default();
    for (key, v, dv) in [
        ("htmlcost", s.browser.html_us_per_kib, bd.html_us_per_kib),
        ("csscost", s.browser.css_us_per_kib, bd.css_us_per_kib),
        ("jscost", s.browser.js_us_per_kib, bd.js_us_per_kib),
    ] {
        if v != dv {
            parts.push((key, v.to_string()));
        }
    }
    parts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The key=value pairs of a string, each key at most once.
struct Pairs<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Pairs<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
    }
}

fn bad(key: &str, value: &str, allowed: impl Into<String>) -> UrlError {
    UrlError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

/// Reads `key` as one of `choices` (value, result); a bad value is recorded and the
/// default used.
fn choice<T: Copy>(
    p: &Pairs<'_>,
    errors: &mut Vec<UrlError>,
    key: &str,
    choices: &[(&str, T)],
    default: T,
) -> T {
    match p.get(key) {
        None => default,
        Some(v) => match choices.iter().find(|(name, _)| *name == v) {
            Some(&(_, t)) => t,
            None => {
                let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                errors.push(bad(key, v, names.join(" or ")));
                default
            }
        },
    }
}

fn flag(p: &Pairs<'_>, errors: &mut Vec<UrlError>, key: &str, default: bool) -> bool {
    choice(p, errors, key, &[("on", true), ("off", false)], default)
}

/// Reads `key` as a decimal with `decimals` fraction digits, scaled, in `range`
/// (`decimals` 0: an integer); `allowed` says so in words. `None` when absent or bad (a
/// bad value is recorded).
fn decimal(
    p: &Pairs<'_>,
    errors: &mut Vec<UrlError>,
    key: &str,
    decimals: u32,
    range: core::ops::RangeInclusive<u64>,
    allowed: &str,
) -> Option<u64> {
    let v = p.get(key)?;
    match parse_fixed(v, decimals) {
        Some(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(bad(key, v, allowed));
            None
        }
    }
}

fn ordinals(p: &Pairs<'_>, errors: &mut Vec<UrlError>, key: &str) -> Vec<u64> {
    let Some(v) = p.get(key) else {
        return Vec::new();
    };
    let allowed = "packet ordinals (0, 1, 2, …) separated by commas, at most 10000";
    let items: Vec<&str> = v.split(',').collect();
    let parsed = (items.len() <= Network::MAX_SCRIPTED)
        .then(|| {
            items
                .into_iter()
                .map(|x| parse_fixed(x, 0))
                .collect::<Option<Vec<u64>>>()
        })
        .flatten();
    parsed.unwrap_or_else(|| {
        errors.push(bad(key, v, allowed));
        Vec::new()
    })
}

/// What [`decode_lenient`] read: the scenario built from every good key, and one error per
/// bad one (in the order of the keys' handling), each naming the key, its value and what is
/// allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Lenient {
    pub scenario: Scenario,
    pub errors: Vec<UrlError>,
}

impl UrlError {
    /// The key this error is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            UrlError::BadValue { key, .. } | UrlError::Repeated(key) => Some(key),
            UrlError::NoPage | UrlError::BothPages => Some("page"),
            _ => None,
        }
    }
}

/// Reads a scenario string (a leading `#` is ignored). The error names the key, the value
/// and what is allowed; with several bad keys it is the first ([`decode_lenient`] gives
/// them all).
pub fn decode(text: &str) -> Result<Scenario, UrlError> {
    let Lenient {
        scenario,
        mut errors,
    } = decode_lenient(text);
    if errors.is_empty() {
        Ok(scenario)
    } else {
        Err(errors.swap_remove(0))
    }
}

/// Reads a scenario string as far as it can: every good key applies; a bad key (an unknown
/// one, a value out of range, a repeat) is reported and its default used instead, so a link
/// with one typo still opens the page, round trip and options it names. Without a page (or
/// with a bad one) the scenario uses the `blog` page. If the keys read but make a scenario
/// that does not validate, the key to blame is the first whose removal makes it valid (it
/// is reported and left out); failing that, only the page is kept.
///
/// The returned scenario always validates. Never panics.
pub fn decode_lenient(text: &str) -> Lenient {
    let mut errors = Vec::new();
    if text.len() > MAX_LEN {
        errors.push(UrlError::TooLong(text.len()));
        return Lenient {
            scenario: Scenario::preset(PresetId::Blog),
            errors,
        };
    }
    let text = text.strip_prefix('#').unwrap_or(text);
    let mut pairs = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for part in text.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            errors.push(UrlError::NotKeyValue(part.to_string()));
            continue;
        };
        if VIEW_KEYS.contains(&k) {
            // How the app shows it, not what the engine computes: [`decode_view`]'s.
            continue;
        }
        if !KEYS.contains(&k) {
            if !unknown.iter().any(|u| u == k) {
                unknown.push(k.to_string());
            }
            continue;
        }
        if pairs.iter().any(|&(seen, _)| seen == k) {
            errors.push(UrlError::Repeated(k.to_string()));
            continue;
        }
        pairs.push((k, v));
    }
    if !unknown.is_empty() {
        errors.push(UrlError::UnknownKeys(unknown));
    }
    let scenario = build(&Pairs(pairs.clone()), &mut errors);
    let scenario = match scenario.validate() {
        Ok(()) => scenario,
        Err(e) => {
            errors.push(UrlError::Invalid(e));
            // The first key without which the rest validates is the one to blame.
            let without = |skip: usize| {
                let rest: Vec<(&str, &str)> = pairs
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != skip)
                    .map(|(_, &kv)| kv)
                    .collect();
                build(&Pairs(rest), &mut Vec::new())
            };
            let fixed = (0..pairs.len())
                .filter(|&i| !matches!(pairs[i].0, "page" | "pagejson"))
                .map(without)
                .find(|s| s.validate().is_ok());
            fixed.unwrap_or_else(|| {
                let pages: Vec<(&str, &str)> = pairs
                    .iter()
                    .copied()
                    .filter(|(k, _)| matches!(*k, "page" | "pagejson"))
                    .collect();
                let s = build(&Pairs(pages), &mut Vec::new());
                if s.validate().is_ok() {
                    s
                } else {
                    Scenario::preset(PresetId::Blog)
                }
            })
        }
    };
    Lenient { scenario, errors }
}

/// The scenario the pairs name, each bad value recorded in `errors` and replaced by its
/// default. Not validated.
fn build(p: &Pairs<'_>, errors: &mut Vec<UrlError>) -> Scenario {
    let page = match (p.get("page"), p.get("pagejson")) {
        (None, None) => {
            errors.push(UrlError::NoPage);
            None
        }
        (Some(_), Some(_)) => {
            errors.push(UrlError::BothPages);
            None
        }
        (Some(id), None) => match PresetId::from_id(id) {
            Some(id) => Some(Page::preset(id)),
            None => {
                errors.push(bad("page", id, preset_ids()));
                None
            }
        },
        (None, Some(b64)) => match URL_SAFE_NO_PAD.decode(b64) {
            Err(e) => {
                errors.push(bad(
                    "pagejson",
                    b64,
                    format!("base64url without padding ({e})"),
                ));
                None
            }
            // `from_str`, as every other JSON the app reads, so serde_json's parser and the
            // page's `Deserialize` are built once in the wasm (not again for a byte reader).
            Ok(bytes) => match std::str::from_utf8(&bytes)
                .map_err(|e| format!("not UTF-8: {e}"))
                .and_then(|text| serde_json::from_str::<Page>(text).map_err(|e| e.to_string()))
            {
                Ok(page) => Some(page),
                Err(e) => {
                    errors.push(bad(
                        "pagejson",
                        b64,
                        format!("base64url of a page's JSON (the JSON: {e})"),
                    ));
                    None
                }
            },
        },
    };

    let mut s = Scenario::preset(PresetId::Blog);
    if let Some(page) = page {
        s.page = page;
    }
    let n = &mut s.network;
    if let Some(us) = decimal(
        p,
        errors,
        "rtt",
        3,
        Network::MIN_RTT.as_micros()..=Network::MAX_RTT.as_micros(),
        "a round trip in milliseconds from 1 to 10000, up to 3 decimals",
    ) {
        n.rtt = SimDuration::from_micros(us);
    }
    let bw = "a bandwidth in Mbit/s from 0.056 to 10000, up to 6 decimals";
    if let Some(bps) = decimal(
        p,
        errors,
        "down",
        6,
        Network::MIN_BPS..=Network::MAX_BPS,
        bw,
    ) {
        n.downlink_bps = bps;
    }
    if let Some(bps) = decimal(p, errors, "up", 6, Network::MIN_BPS..=Network::MAX_BPS, bw) {
        n.uplink_bps = bps;
    }
    let ppm = decimal(
        p,
        errors,
        "loss",
        4,
        0..=u64::from(Network::MAX_LOSS_PPM),
        "a loss rate in per cent from 0 to 50, up to 4 decimals",
    )
    .map(|v| u32::try_from(v).unwrap_or(PPM));
    #[derive(Clone, Copy, PartialEq)]
    enum Model {
        None,
        Random,
        Bursty,
        Scripted,
    }
    // A loss rate given (even a bad one) means random loss unless a model says otherwise.
    let default_model = if p.get("loss").is_some() {
        Model::Random
    } else {
        Model::None
    };
    let model = choice(
        p,
        errors,
        "model",
        &[
            ("none", Model::None),
            ("random", Model::Random),
            ("bursty", Model::Bursty),
            ("scripted", Model::Scripted),
        ],
        default_model,
    );
    let mut burst = decimal(
        p,
        errors,
        "burst",
        0,
        1..=u64::from(Network::MAX_MEAN_BURST),
        "a mean burst from 1 to 1000 packets, with model=bursty",
    );
    if let (Some(v), true) = (p.get("burst"), model != Model::Bursty) {
        if burst.take().is_some() {
            errors.push(bad("burst", v, "a mean burst only with model=bursty"));
        }
    }
    for key in ["lossup", "lossdown"] {
        if let (Some(v), true) = (p.get(key), model != Model::Scripted) {
            errors.push(bad(key, v, "lost packet ordinals only with model=scripted"));
        }
    }
    let mut ppm = ppm;
    if let (Some(v), Some(m)) = (p.get("loss"), p.get("model")) {
        if (model == Model::None || model == Model::Scripted) && ppm.take().is_some() {
            errors.push(bad(
                "loss",
                v,
                format!("a loss rate only with model=random or model=bursty, not model={m}"),
            ));
        }
    }
    n.loss = match model {
        Model::None => LossModel::None,
        // A bad loss rate leaves no loss (the default), not a random model at 0 %.
        Model::Random if ppm.is_none() && p.get("model").is_none() => LossModel::None,
        Model::Random => LossModel::Random {
            ppm: ppm.unwrap_or(0),
        },
        Model::Bursty => LossModel::Bursty {
            ppm: ppm.unwrap_or(0),
            mean_burst: burst
                .and_then(|b| u32::try_from(b).ok())
                .unwrap_or(DEFAULT_MEAN_BURST),
        },
        Model::Scripted => LossModel::Scripted {
            up: ordinals(p, errors, "lossup"),
            down: ordinals(p, errors, "lossdown"),
        },
    };
    n.queue_bytes = decimal(
        p,
        errors,
        "queue",
        0,
        Network::MIN_QUEUE..=Network::MAX_QUEUE,
        "a queue from 1500 to 1000000000 bytes",
    );
    if let Some(seed) = decimal(
        p,
        errors,
        "seed",
        0,
        0..=u64::MAX,
        "a whole number from 0 to 2^64 − 1",
    ) {
        n.seed = seed;
    }
    if let Some(v) = p.get("proto") {
        let allowed = "protocols separated by commas, each once: h1, h2, h2-push, h3";
        let mut protocols = Vec::new();
        let ok = v.split(',').all(|id| match Protocol::from_id(id) {
            Some(proto) if !protocols.contains(&proto) => {
                protocols.push(proto);
                true
            }
            _ => false,
        });
        if ok {
            s.protocols = protocols;
        } else {
            errors.push(bad("proto", v, allowed));
        }
    }
    let t = &mut s.transport;
    t.congestion = choice(
        p,
        errors,
        "cc",
        &[("newreno", Algorithm::NewReno), ("cubic", Algorithm::Cubic)],
        Algorithm::Cubic,
    );
    t.hystart = flag(p, errors, "hystart", true);
    t.sack = flag(p, errors, "sack", true);
    t.min_rto = choice(
        p,
        errors,
        "minrto",
        &[("linux", MinRto::Linux200ms), ("rfc", MinRto::Rfc1s)],
        MinRto::Linux200ms,
    );
    t.tls = choice(
        p,
        errors,
        "tls",
        &[("1.3", TlsVersion::Tls13), ("1.2", TlsVersion::Tls12)],
        TlsVersion::Tls13,
    );
    let h1 = &mut s.http1;
    let conns = Http1Options::CONNECTIONS;
    if let Some(c) = decimal(
        p,
        errors,
        "h1conn",
        0,
        u64::from(*conns.start())..=u64::from(*conns.end()),
        "1 to 32 HTTP/1.1 connections per host",
    ) {
        h1.connections = u32::try_from(c).unwrap_or(6);
    }
    h1.keep_alive = flag(p, errors, "keepalive", true);
    h1.pipelining = flag(p, errors, "pipelining", false);
    s.http2.windows = choice(
        p,
        errors,
        "windows",
        &[("rfc", FlowWindows::Rfc), ("browser", FlowWindows::Browser)],
        FlowWindows::Browser,
    );
    s.http2.push = match p.get("push") {
        None | Some("critical") => PushPolicy::Critical,
        Some("none") => PushPolicy::None,
        Some("") => PushPolicy::List(Vec::new()),
        Some(v) => {
            let ids = v
                .split(',')
                .map(|x| {
                    parse_fixed(x, 0)
                        .and_then(|n| u32::try_from(n).ok())
                        .map(AssetId)
                })
                .collect::<Option<Vec<_>>>();
            match ids {
                Some(ids) => PushPolicy::List(ids),
                None => {
                    errors.push(bad(
                        "push",
                        v,
                        "none, critical, or asset ids separated by commas (like 1,2,3)",
                    ));
                    PushPolicy::Critical
                }
            }
        }
    };
    s.http3.zero_rtt = flag(p, errors, "zerortt", false);
    s.server.scheduler = choice(
        p,
        errors,
        "sched",
        &[
            ("sequential", SchedulerKind::Sequential),
            ("round-robin", SchedulerKind::RoundRobin),
        ],
        SchedulerKind::Sequential,
    );
    s.server.early_hints = flag(p, errors, "hints", false);
    s.server.tls_records = choice(
        p,
        errors,
        "records",
        &[
            ("16k", TlsRecords::Nginx16k),
            ("4k", TlsRecords::Small4k),
            ("dynamic", TlsRecords::Dynamic),
            ("per-write", TlsRecords::PerWrite),
        ],
        TlsRecords::Nginx16k,
    );
    s.browser.cache = choice(
        p,
        errors,
        "cache",
        &[("cold", Cache::Cold), ("warm", Cache::Warm)],
        Cache::Cold,
    );
    let cost = "microseconds per KiB from 0 to 100000";
    let max = crate::options::BrowserOptions::MAX_US_PER_KIB;
    if let Some(v) = decimal(p, errors, "htmlcost", 0, 0..=max, cost) {
        s.browser.html_us_per_kib = v;
    }
    if let Some(v) = decimal(p, errors, "csscost", 0, 0..=max, cost) {
        s.browser.css_us_per_kib = v;
    }
    if let Some(v) = decimal(p, errors, "jscost", 0, 0..=max, cost) {
        s.browser.js_us_per_kib = v;
    }
    s
}

#[cfg(test)]
mod tests;
