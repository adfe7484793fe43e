//! HAR import: a page someone recorded in their browser (HTTP Archive 1.1, 1.2 or 1.3, as
//! DevTools, Firefox or `chrome-har` save it) becomes a [`Page`] the engine can load.
//!
//! Each entry becomes an asset: the URL's path, the kind from `response.content.mimeType`
//! (else Chromium's `_resourceType`, else the path's extension), the body size that went
//! over the wire, the request and response header fields the site really sent (so HPACK
//! and QPACK compress what the site sends), and who found it: Chromium's `_initiator`
//! where the HAR has it, else the document, at the byte of it that had arrived when the
//! request started (from `startedDateTime` and `timings`), else in request order.
//!
//! Why our own serde types and not the `har` crate: `har` 0.9 drops the custom fields this
//! import needs (`_initiator`, `_transferSize`, `_resourceType`, `_priority`: HAR 1.2 §
//! "Custom fields" lets them start with an underscore), needs Rust 1.88 (the workspace
//! builds with 1.84), and its errors do not say where in the file the problem is. These
//! types read only what the import uses; unknown fields are ignored, and
//! `serde_path_to_error` gives every error the JSON path of what is wrong.
//!
//! Pure and sans-IO like the rest of the engine: text in, page (or error) out.

use core::fmt;
use std::collections::BTreeMap;

use crate::ids::AssetId;
use crate::page::{Asset, AssetKind, Discovery, Page};

mod text;
mod types;

use text::{parse_time, parse_url, without_fragment};
use types::{Entry, File, Header, Initiator, InitiatorField, Log, Timings};

/// Largest HAR accepted: 50 MB of JSON (a HAR with response bodies inlined can be far
/// larger; the import needs none of them).
pub const MAX_BYTES: usize = 50_000_000;
/// Most entries accepted (the HTTP Archive's 99th percentile page makes ~600 requests).
pub const MAX_ENTRIES: usize = 2_000;

/// What the import made of a HAR: the page, and what it had to leave out or assume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarImport {
    pub page: Page,
    /// One sentence per thing a person should know (skipped entries, other hosts, guessed
    /// discovery), in the order found.
    pub notes: Vec<String>,
}

/// Why a HAR could not be imported: where (`log.entries[3].response.status`; `$` for the
/// whole file) and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarError {
    pub path: String,
    pub problem: String,
}

impl fmt::Display for HarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HAR {}: {}", self.path, self.problem)
    }
}

impl std::error::Error for HarError {}

fn error(path: impl Into<String>, problem: impl Into<String>) -> HarError {
    HarError {
        path: path.into(),
        problem: problem.into(),
    }
}

/// Reads a HAR and makes it a page. Nothing is read but `text`.
pub fn import(text: &str) -> Result<HarImport, HarError> {
    if text.len() > MAX_BYTES {
        return Err(error(
            "$",
            format!(
                "the file is {} bytes; at most {MAX_BYTES} (50 MB) are allowed",
                text.len()
            ),
        ));
    }
    if !text.trim_start().starts_with('{') {
        return Err(error(
            "$",
            "is not a JSON object; a HAR is one object, {\"log\": {\"version\": …, \"entries\": […]}}",
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let file: File = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = crate::export::json::json_path(e.path());
        // Empty: the top level, or not yet inside a value (the file ended, or is not JSON).
        let path = if path.is_empty() {
            "$".to_owned()
        } else {
            path
        };
        error(path, e.into_inner().to_string())
    })?;
    let log = file.log;
    if !matches!(log.version.as_str(), "1.1" | "1.2" | "1.3") {
        return Err(error(
            "log.version",
            format!("is {:?}; allowed: \"1.1\", \"1.2\", \"1.3\"", log.version),
        ));
    }
    if log.entries.len() > MAX_ENTRIES {
        return Err(error(
            "log.entries",
            format!(
                "has {} entries; at most {MAX_ENTRIES} are allowed",
                log.entries.len()
            ),
        ));
    }
    Importer::default().run(log)
}

/// An entry's place on the recording's clock, microseconds since the Unix epoch.
#[derive(Clone, Copy)]
struct Times {
    /// First and last byte of the response; `None` when the entry has no `timings`.
    first_byte: Option<i64>,
    last_byte: Option<i64>,
}

#[derive(Default)]
struct Importer {
    notes: Vec<String>,
    skipped: BTreeMap<&'static str, usize>,
}

impl Importer {
    fn run(mut self, log: Log) -> Result<HarImport, HarError> {
        // Entries in the order their requests started (stable for equal times).
        let mut order: Vec<(usize, i64)> = Vec::with_capacity(log.entries.len());
        for (i, e) in log.entries.iter().enumerate() {
            let Some(t) = parse_time(&e.started) else {
                return Err(error(
                    format!("log.entries[{i}].startedDateTime"),
                    format!(
                        "is {:?}; allowed: an ISO 8601 date and time such as \"2026-12-04T18:40:01.123Z\"",
                        e.started
                    ),
                ));
            };
            order.push((i, t));
        }
        order.sort_by_key(|&(i, t)| (t, i));

        // The document: the first HTML answered 200 (redirects before it are skipped).
        let doc = order
            .iter()
            .map(|&(i, _)| i)
            .find(|&i| {
                let e = &log.entries[i];
                e.request.method == "GET"
                    && e.response.status as i64 == 200
                    && kind_of(e) == Some(AssetKind::Html)
            })
            .ok_or_else(|| {
                error(
                    "log.entries",
                    "has no HTML document answered 200 to a GET; a page starts with its HTML",
                )
            })?;
        let doc_url = parse_url(&log.entries[doc].request.url).ok_or_else(|| {
            error(
                format!("log.entries[{doc}].request.url"),
                format!(
                    "is {:?}; allowed: an http or https URL",
                    log.entries[doc].request.url
                ),
            )
        })?;
        let host = doc_url.authority.clone();
        if !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
        {
            return Err(error(
                format!("log.entries[{doc}].request.url"),
                format!("has the host {host:?}; allowed: letters, digits, '.', '-' and a ':port'"),
            ));
        }
        let name = log
            .pages
            .first()
            .map(|p| p.title.trim())
            .filter(|t| !t.is_empty())
            .unwrap_or(&host);
        let name: String = name.chars().take(80).collect();

        let mut assets: Vec<Asset> = Vec::new();
        let mut times: Vec<Times> = Vec::new();
        // Asset by URL (without its fragment): the first with it.
        let mut by_url: BTreeMap<String, AssetId> = BTreeMap::new();
        let mut paths: BTreeMap<String, usize> = BTreeMap::new();
        let mut other_hosts: BTreeMap<String, usize> = BTreeMap::new();
        let mut no_initiator = 0usize;
        let mut guessed_offsets = 0usize;
        let started_doc = order.iter().position(|&(i, _)| i == doc).unwrap_or(0);
        if started_doc > 0 {
            self.skip(
                "started before the document (redirects, service workers)",
                started_doc,
            );
        }
        for &(i, start) in &order[started_doc..] {
            let e = &log.entries[i];
            let at = |field: &str| format!("log.entries[{i}].{field}");
            let Some(url) = parse_url(&e.request.url) else {
                self.skip("not http or https (data:, blob:, extensions)", 1);
                continue;
            };
            if url.scheme != "http" && url.scheme != "https" {
                self.skip("not http or https (data:, blob:, extensions)", 1);
                continue;
            }
            if i != doc {
                if e.request.method != "GET" {
                    self.skip("not GET requests (the engine loads a page's GETs)", 1);
                    continue;
                }
                let status = e.response.status as i64;
                if !(200..300).contains(&status) && !(400..600).contains(&status) {
                    self.skip(
                        "without a final response (status 0: failed or blocked; 1xx, 3xx: redirects and revalidations)",
                        1,
                    );
                    continue;
                }
                if e.resource_type.as_deref() == Some("websocket") {
                    self.skip("WebSockets", 1);
                    continue;
                }
            }
            let kind = kind_of(e).unwrap_or(AssetKind::Json);
            let size = body_size(e).map_err(|p| error(at("response"), p))?;
            if size > Page::MAX_ASSET_SIZE {
                return Err(error(
                    at("response.bodySize"),
                    format!(
                        "is {size} bytes; at most {} are allowed",
                        Page::MAX_ASSET_SIZE
                    ),
                ));
            }
            if url.authority != host {
                *other_hosts.entry(url.authority.clone()).or_default() += 1;
            }
            // A path the server answers for one asset only: a second request for the same
            // path (or another host's same path) gets a marked copy.
            let mut path = url.path.clone();
            let seen = paths.entry(url.path.clone()).or_default();
            if *seen > 0 {
                let sep = if path.contains('?') { '&' } else { '?' };
                path = format!("{path}{sep}protoviz-copy={seen}");
            }
            *seen += 1;

            let t = entry_times(start, e.timings.as_ref());
            let id = AssetId(assets.len() as u32);
            let mut asset = Asset::new(path, kind, size, None);
            if id.0 > 0 {
                let (parent, parsed, known) = self.parent_of(e, &by_url, &assets);
                if !known {
                    no_initiator += 1;
                }
                let p = &assets[parent.0 as usize];
                let offset = if parsed {
                    p.size
                } else {
                    match offset_at(p.size, times[parent.0 as usize], start) {
                        Some(o) => o,
                        None => {
                            guessed_offsets += 1;
                            // Request order: the n-th child so far at n/(n+1) of the parent
                            // (never past it).
                            let n = assets
                                .iter()
                                .filter(|a| a.discovered_by.is_some_and(|d| d.parent == parent))
                                .count() as u64;
                            p.size.saturating_mul(n + 1) / (n + 2)
                        }
                    }
                };
                asset.discovered_by = Some(Discovery {
                    parent,
                    offset,
                    parsed,
                });
                asset.blocking = match e.render_blocking.as_deref() {
                    Some(b) => b == "blocking",
                    None => {
                        parent.0 == 0
                            && !parsed
                            && initiator_type(e).is_none_or(|t| t == "parser")
                            && blocks_render(kind, e.priority.as_deref())
                    }
                };
            }
            asset.request_headers = self.headers(&e.request.headers);
            asset.response_headers = self.headers(&e.response.headers);
            by_url.entry(without_fragment(&e.request.url)).or_insert(id);
            assets.push(asset);
            times.push(t);
        }
        for (why, n) in std::mem::take(&mut self.skipped) {
            self.notes
                .push(format!("{n} {} skipped: {why}.", entries(n)));
        }
        if !other_hosts.is_empty() {
            let n: usize = other_hosts.values().sum();
            let hosts: Vec<&str> = other_hosts.keys().map(String::as_str).take(5).collect();
            let more = other_hosts.len().saturating_sub(5);
            self.notes.push(format!(
                "{n} {} from {} other {} ({}{}) {} over {host}'s own connections: the engine models one origin per page, so third-party hosts get no connections of their own.",
                assets_word(n),
                other_hosts.len(),
                if other_hosts.len() == 1 { "host" } else { "hosts" },
                hosts.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() },
                if n == 1 { "loads" } else { "load" },
            ));
        }
        if no_initiator > 0 {
            self.notes.push(format!(
                "{no_initiator} {} had no initiator the HAR names among earlier requests; they are found in the document.",
                assets_word(no_initiator)
            ));
        }
        if guessed_offsets > 0 {
            self.notes.push(format!(
                "{guessed_offsets} {} had no timings to place them in the document's bytes; they are spread over it in request order.",
                assets_word(guessed_offsets)
            ));
        }
        let page = Page { name, host, assets };
        page.validate()
            .map_err(|e| error("log.entries", format!("does not make a valid page: {e}")))?;
        Ok(HarImport {
            page,
            notes: self.notes,
        })
    }

    fn skip(&mut self, why: &'static str, n: usize) {
        *self.skipped.entry(why).or_default() += n;
    }

    /// Who found the entry, whether only once it had been parsed or run, and whether the
    /// HAR said so (`false`: the document is assumed).
    fn parent_of(
        &self,
        e: &Entry,
        by_url: &BTreeMap<String, AssetId>,
        assets: &[Asset],
    ) -> (AssetId, bool, bool) {
        let find = |url: &str| by_url.get(&without_fragment(url)).copied();
        let parsed_detail: Option<Initiator> = e
            .initiator_detail
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok());
        let detail = match &e.initiator {
            Some(InitiatorField::Detail(d)) => Some(d),
            _ => parsed_detail.as_ref(),
        };
        let mut urls: Vec<&str> = Vec::new();
        if let Some(InitiatorField::Url(u)) = &e.initiator {
            urls.push(u);
        }
        let found = {
            if let Some(u) = detail.and_then(|d| d.url.as_deref()) {
                urls.push(u);
            }
            let mut stack = detail.and_then(|d| d.stack.as_ref());
            // Chromium's async stack chain; 64 links are more than any real page has.
            let mut depth = 0;
            while let Some(s) = stack {
                urls.extend(s.call_frames.iter().map(|f| f.url.as_str()));
                stack = s.parent.as_deref();
                depth += 1;
                if depth > 64 {
                    break;
                }
            }
            urls.into_iter().find_map(find)
        };
        match found {
            // A CSS or script that names it is parsed or run first; the document's parser
            // (or an inline script) finds it as its bytes arrive.
            Some(p) => (p, assets[p.0 as usize].kind != AssetKind::Html, true),
            None => (AssetId(0), false, false),
        }
    }

    /// The entry's header fields as the engine takes them: names in lower case (RFC 9113
    /// §8.2.1), pseudo-header fields left to the engine; a field the engine cannot send
    /// (not a token name, CR or LF in the value, too long) is left out with a note.
    fn headers(&mut self, list: &[Header]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for h in list {
            let name = h.name.to_ascii_lowercase();
            if name.starts_with(':') {
                continue;
            }
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token
                || h.value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
                || name.len() + h.value.len() > Page::MAX_HEADER_LEN
            {
                self.skip("header fields the engine cannot send (bad name, CR/LF in the value, over 16 KiB)", 1);
                continue;
            }
            if out.len() == Page::MAX_HEADERS {
                self.skip("header fields past the 200th of a message", 1);
                continue;
            }
            out.push((name, h.value.clone()));
        }
        out
    }
}

fn entries(n: usize) -> &'static str {
    if n == 1 {
        "entry"
    } else {
        "entries"
    }
}

fn assets_word(n: usize) -> &'static str {
    if n == 1 {
        "asset"
    } else {
        "assets"
    }
}

/// The initiator's type (`parser`, `script`, `preload`, `other`), where the HAR says it.
fn initiator_type(e: &Entry) -> Option<&str> {
    match &e.initiator {
        Some(InitiatorField::Detail(d)) if !d.kind.is_empty() => Some(d.kind.as_str()),
        _ => e.initiator_type.as_deref(),
    }
}

/// Where the HAR has no `_renderBlocking`: whether a request the document's parser made
/// blocks first paint. A stylesheet named in
/// the markup is render-blocking (HTML § "contributes a script-blocking style sheet");
/// a script is when it is a parser-blocking one in `<head>`, which Chromium fetches at
/// `High` priority (`ResourceFetcher::ComputeLoadPriority`: `async`/`defer` scripts get
/// `Low`, parser-blocking ones after the first image `Medium`).
fn blocks_render(kind: AssetKind, priority: Option<&str>) -> bool {
    match kind {
        AssetKind::Css => true,
        AssetKind::Js => matches!(priority, Some("High" | "VeryHigh")),
        _ => false,
    }
}

/// The kind from the MIME type, else Chromium's resource type, else the extension.
fn kind_of(e: &Entry) -> Option<AssetKind> {
    let mime = e.response.content.mime_type.to_ascii_lowercase();
    let mime = mime.split(';').next().unwrap_or("").trim();
    let by_mime = match mime {
        "text/html" | "application/xhtml+xml" => Some(AssetKind::Html),
        "text/css" => Some(AssetKind::Css),
        m if m.contains("javascript") || m.contains("ecmascript") => Some(AssetKind::Js),
        m if m.starts_with("image/") => Some(AssetKind::Image),
        m if m.starts_with("font/") || m.contains("font") || m.contains("woff") => {
            Some(AssetKind::Font)
        }
        m if m.contains("json") => Some(AssetKind::Json),
        _ => None,
    };
    by_mime
        .or(match e.resource_type.as_deref() {
            Some("document") => Some(AssetKind::Html),
            Some("stylesheet") => Some(AssetKind::Css),
            Some("script") => Some(AssetKind::Js),
            Some("image") => Some(AssetKind::Image),
            Some("font") => Some(AssetKind::Font),
            Some("fetch" | "xhr") => Some(AssetKind::Json),
            _ => None,
        })
        .or_else(|| {
            let path = parse_url(&e.request.url)?.path;
            let path = path.split('?').next().unwrap_or("");
            let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
            match ext.as_str() {
                "html" | "htm" => Some(AssetKind::Html),
                "css" => Some(AssetKind::Css),
                "js" | "mjs" => Some(AssetKind::Js),
                "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "ico" => {
                    Some(AssetKind::Image)
                }
                "woff" | "woff2" | "ttf" | "otf" => Some(AssetKind::Font),
                "json" => Some(AssetKind::Json),
                _ => None,
            }
        })
}

/// The response body's size on the wire: HAR 1.2 `bodySize` (the received body, after
/// content encoding) when the HAR knows it; else Chromium's `_transferSize` less the
/// header bytes; else `content.size` less `content.compression` (HAR 1.2: the bytes
/// saved), else `content.size` (the decoded size: an upper bound). A cached entry's
/// `bodySize` is 0 with a non-empty content: then the content's size is the real one.
fn body_size(e: &Entry) -> Result<u64, String> {
    let r = &e.response;
    let known = |v: f64| (v.is_finite() && v >= 0.0).then_some(v);
    for (field, v) in [
        ("bodySize", r.body_size),
        ("headersSize", r.headers_size),
        ("content.size", r.content.size),
        ("_transferSize", e.transfer_size.unwrap_or(-1.0)),
    ] {
        if v.is_finite() && v > 4e15 {
            return Err(format!("{field} is {v}; a body size must be at most 1 GB"));
        }
    }
    let content = known(r.content.size);
    let body = known(r.body_size);
    let size = match (body, e.transfer_size.and_then(known), content) {
        (Some(b), _, c) if b > 0.0 || c.is_none_or(|c| c == 0.0) => b,
        (_, Some(t), _) if t - known(r.headers_size).unwrap_or(0.0) > 0.0 => {
            t - known(r.headers_size).unwrap_or(0.0)
        }
        (_, _, Some(c)) => (c - r.content.compression.and_then(known).unwrap_or(0.0)).max(0.0),
        (Some(b), _, None) => b,
        _ => 0.0,
    };
    Ok(size.round() as u64)
}

/// Where the request started and its response arrived, microseconds since the epoch.
fn entry_times(start: i64, t: Option<&Timings>) -> Times {
    let Some(t) = t else {
        return Times {
            first_byte: None,
            last_byte: None,
        };
    };
    let us = |ms: f64| {
        if ms.is_finite() && ms > 0.0 && ms < 1e9 {
            (ms * 1000.0).round() as i64
        } else {
            0
        }
    };
    // HAR 1.2: `ssl` is included in `connect`.
    let first = start + us(t.blocked) + us(t.dns) + us(t.connect) + us(t.send) + us(t.wait);
    Times {
        first_byte: Some(first),
        last_byte: Some(first + us(t.receive)),
    }
}

/// The byte of the parent that had arrived when a request started: its body arriving
/// evenly from first to last byte (a request before the first byte: offset 0; after the
/// last: the whole body). `None` without timings.
fn offset_at(size: u64, parent: Times, start: i64) -> Option<u64> {
    let (first, last) = (parent.first_byte?, parent.last_byte?);
    if start <= first {
        return Some(0);
    }
    if start >= last {
        return Some(size);
    }
    let done = (start - first) as u128;
    let span = (last - first) as u128;
    Some((u128::from(size) * done / span) as u64)
}

#[cfg(test)]
mod tests;
