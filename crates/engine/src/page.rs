//! The page being loaded: its assets, their sizes, and who discovers whom.

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::ids::AssetId;
use crate::time::SimDuration;

/// What an asset is; decides its request headers and its response content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Html,
    Css,
    Js,
    Image,
    Font,
    Json,
}

impl AssetKind {
    pub fn content_type(self, path: &str) -> &'static str {
        match self {
            AssetKind::Html => "text/html; charset=utf-8",
            AssetKind::Css => "text/css; charset=utf-8",
            AssetKind::Js => "application/javascript; charset=utf-8",
            AssetKind::Font => "font/woff2",
            AssetKind::Json => "application/json",
            AssetKind::Image => {
                if path.ends_with(".png") {
                    "image/png"
                } else if path.ends_with(".svg") {
                    "image/svg+xml"
                } else if path.ends_with(".webp") {
                    "image/webp"
                } else if path.ends_with(".gif") {
                    "image/gif"
                } else {
                    "image/jpeg"
                }
            }
        }
    }

    /// The `accept` header Chrome sends for this kind of request.
    pub fn accept(self) -> &'static str {
        match self {
            AssetKind::Html => "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
            AssetKind::Css => "text/css,*/*;q=0.1",
            AssetKind::Image => "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
            AssetKind::Js | AssetKind::Font | AssetKind::Json => "*/*",
        }
    }

    /// The `as` of a preload link for this kind (HTML's link type "preload": the request
    /// destinations of the Fetch standard, where fetched JSON is `fetch`).
    pub fn preload_as(self) -> &'static str {
        match self {
            AssetKind::Json => "fetch",
            other => other.fetch_dest(),
        }
    }

    /// The `sec-fetch-dest` header Chrome sends for this kind of request.
    pub fn fetch_dest(self) -> &'static str {
        match self {
            AssetKind::Html => "document",
            AssetKind::Css => "style",
            AssetKind::Js => "script",
            AssetKind::Image => "image",
            AssetKind::Font => "font",
            AssetKind::Json => "empty",
        }
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AssetKind::Html => "html",
            AssetKind::Css => "css",
            AssetKind::Js => "js",
            AssetKind::Image => "image",
            AssetKind::Font => "font",
            AssetKind::Json => "json",
        })
    }
}

/// Where the browser finds the reference to an asset: after `offset` body bytes of `parent`
/// have arrived (the preload scanner reads markup as it streams in), or, when `parsed`,
/// only once the whole parent has arrived and been parsed or run (a font or background
/// image named in CSS, a `fetch()` made by a script).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub parent: AssetId,
    pub offset: u64,
    #[serde(default)]
    pub parsed: bool,
}

/// Part of a response body the server has produced: by `after` since the request reached
/// the server, the first `bytes` bytes of the body are ready to send (cumulative). The
/// response head goes out with the first part. A page generated slowly with an early
/// flush of its `<head>` is `[{0, 2_000}, {300 ms, size}]`; a response that streams JSON
/// chunks at intervals has one part per chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub after: SimDuration,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub path: String,
    pub kind: AssetKind,
    /// Response body size in bytes (after content encoding).
    pub size: u64,
    /// `None` only for the HTML document itself, which is asset 0.
    pub discovered_by: Option<Discovery>,
    /// Blocks first paint: a stylesheet, or a synchronous script in the document's head.
    #[serde(default)]
    pub blocking: bool,
    /// When the server has the body ready; empty: all of it as soon as the request arrives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release: Vec<Release>,
    /// The request's header fields as the site's own browser sent them (an imported HAR):
    /// `[name, value]` pairs, names in lower case, without pseudo-header and
    /// connection-specific fields. Empty: the fields Chrome sends for this kind
    /// ([`crate::headers::request_fields`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    /// The response's header fields as the site's server sent them (an imported HAR), like
    /// `request_headers`; the engine always sends its own `content-length` (the asset's
    /// size). Empty: nginx-like fields for this kind ([`crate::headers::response_fields`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
}

impl Asset {
    /// An asset found at `offset` of `parent`'s body, not blocking, served at once.
    pub fn new(
        path: impl Into<String>,
        kind: AssetKind,
        size: u64,
        found: Option<(AssetId, u64)>,
    ) -> Asset {
        Asset {
            path: path.into(),
            kind,
            size,
            discovered_by: found.map(|(parent, offset)| Discovery {
                parent,
                offset,
                parsed: false,
            }),
            blocking: false,
            release: Vec::new(),
            request_headers: Vec::new(),
            response_headers: Vec::new(),
        }
    }

    /// Fresh in a warm cache: static subresources are; the document and API responses
    /// (`Cache-Control: no-cache` in practice) are fetched again.
    pub fn cacheable(&self) -> bool {
        !matches!(self.kind, AssetKind::Html | AssetKind::Json)
    }

    /// Body bytes the server has ready `since` after the request reached it, and when the
    /// next part will be ready (`None`: the body is complete).
    pub fn released(&self, since: SimDuration) -> (u64, Option<SimDuration>) {
        if self.release.is_empty() {
            return (self.size, None);
        }
        let mut ready = 0;
        for r in &self.release {
            if r.after > since {
                return (ready, Some(r.after));
            }
            ready = r.bytes;
        }
        (ready.min(self.size), None)
    }

    /// When the server sends the response head, after the request reached it: with the
    /// first part of the body.
    pub fn head_after(&self) -> SimDuration {
        self.release.first().map(|r| r.after).unwrap_or_default()
    }
}

/// Why a page cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageError {
    Empty,
    TooManyAssets { count: usize, max: usize },
    FirstAssetNotHtml,
    BadHost { value: String },
    BadAsset { asset: AssetId, problem: String },
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::Empty => f.write_str("page.assets is empty; a page needs its HTML"),
            PageError::TooManyAssets { count, max } => {
                write!(
                    f,
                    "page.assets has {count} assets; at most {max} are allowed"
                )
            }
            PageError::FirstAssetNotHtml => f.write_str(
                "page.assets[0] must be the HTML document (kind \"html\", discovered_by null)",
            ),
            PageError::BadHost { value } => write!(
                f,
                "page.host is {value}; allowed: a host name of letters, digits, '.', '-' and an optional ':port'"
            ),
            PageError::BadAsset { asset, problem } => {
                write!(f, "page.assets[{}]: {problem}", asset.0)
            }
        }
    }
}

impl std::error::Error for PageError {}

/// Presets have ids usable in URLs and on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresetId {
    /// A blog post: one HTML, 2 CSS, 3 JS, 8 images, 2 fonts.
    Blog,
    /// One HTML and 100 small image tiles, as in the classic HTTP/2 demos.
    Tiles,
    /// A news article: 80 assets, with ads and analytics scripts that load more scripts,
    /// JSON fetched by scripts, and 57 images.
    News,
    /// A single-page app: an HTML shell, one large blocking bundle, then the API calls it
    /// makes and the images the feed names.
    Spa,
    /// A page generated slowly with an early flush of its head, and a live JSON response
    /// streamed in chunks over one long-running request.
    Streaming,
}

impl PresetId {
    pub const ALL: [PresetId; 5] = [
        PresetId::Blog,
        PresetId::Tiles,
        PresetId::News,
        PresetId::Spa,
        PresetId::Streaming,
    ];
    pub fn id(self) -> &'static str {
        match self {
            PresetId::Blog => "blog",
            PresetId::Tiles => "tiles",
            PresetId::News => "news",
            PresetId::Spa => "spa",
            PresetId::Streaming => "streaming",
        }
    }
    /// What a person reads in the page picker.
    pub fn label(self) -> &'static str {
        match self {
            PresetId::Blog => "Blog post (16 assets, 1 MB)",
            PresetId::Tiles => "Image tiles (101 assets, 0.3 MB)",
            PresetId::News => "News article (80 assets, 2.6 MB)",
            PresetId::Spa => "Single-page app (21 assets, 1.5 MB)",
            PresetId::Streaming => "Streamed page and live feed (12 assets, 0.5 MB)",
        }
    }
    pub fn from_id(id: &str) -> Option<PresetId> {
        PresetId::ALL.into_iter().find(|p| p.id() == id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub name: String,
    /// The origin's host name: it goes into `Host` / `:authority`.
    pub host: String,
    pub assets: Vec<Asset>,
}

impl Page {
    /// Most assets a page may have.
    pub const MAX_ASSETS: usize = 5_000;
    /// Largest single asset: 1 GB.
    pub const MAX_ASSET_SIZE: u64 = 1_000_000_000;
    /// Most parts a streamed response may have.
    pub const MAX_RELEASES: usize = 10_000;
    /// Latest a part of a response may be ready: 10 minutes after the request.
    pub const MAX_RELEASE_AFTER: SimDuration = SimDuration::from_secs(600);
    /// Most header fields an asset's own request or response may list (Chrome's and
    /// nginx's defaults allow far fewer bytes than this many fields would need anyway).
    pub const MAX_HEADERS: usize = 200;
    /// Longest header name plus value: 16 KiB (nginx's `large_client_header_buffers`
    /// default is 8 KiB per line; Chromium's `kMaxHeaderSize` 256 KiB for all of them).
    pub const MAX_HEADER_LEN: usize = 16 * 1024;

    pub fn preset(id: PresetId) -> Page {
        match id {
            PresetId::Blog => blog(),
            PresetId::Tiles => tiles(),
            PresetId::News => news(),
            PresetId::Spa => spa(),
            PresetId::Streaming => streaming(),
        }
    }

    pub fn asset(&self, id: AssetId) -> &Asset {
        &self.assets[id.0 as usize]
    }

    /// Asset by URL path: the first asset with each path.
    pub fn by_path(&self) -> std::collections::BTreeMap<&str, AssetId> {
        let mut paths = std::collections::BTreeMap::new();
        for id in self.ids() {
            paths.entry(self.asset(id).path.as_str()).or_insert(id);
        }
        paths
    }

    pub fn ids(&self) -> impl Iterator<Item = AssetId> {
        (0..self.assets.len() as u32).map(AssetId)
    }

    /// Checks the page as [`crate::simulate`] does: the first problem, naming its field.
    pub fn validate(&self) -> Result<(), PageError> {
        if self.assets.is_empty() {
            return Err(PageError::Empty);
        }
        if self.assets.len() > Self::MAX_ASSETS {
            return Err(PageError::TooManyAssets {
                count: self.assets.len(),
                max: Self::MAX_ASSETS,
            });
        }
        if self.assets[0].kind != AssetKind::Html || self.assets[0].discovered_by.is_some() {
            return Err(PageError::FirstAssetNotHtml);
        }
        if self.host.is_empty()
            || !self
                .host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
        {
            return Err(PageError::BadHost {
                value: format!("{:?}", self.host),
            });
        }
        for i in 0..self.assets.len() {
            self.check_asset(i)?;
        }
        Ok(())
    }

    /// Every asset's problem, in page order (an editor marks each row in place); empty
    /// when every asset is valid. Problems of the whole page are [`Page::validate`]'s.
    pub fn asset_problems(&self) -> Vec<(AssetId, String)> {
        (0..self.assets.len().min(Self::MAX_ASSETS))
            .filter_map(|i| match self.check_asset(i) {
                Err(PageError::BadAsset { asset, problem }) => Some((asset, problem)),
                _ => None,
            })
            .collect()
    }

    fn check_asset(&self, i: usize) -> Result<(), PageError> {
        let a = &self.assets[i];
        {
            let bad = |problem: String| PageError::BadAsset {
                asset: AssetId(i as u32),
                problem,
            };
            if !a.path.starts_with('/') || !a.path.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(bad(format!(
                    "path {:?} must start with '/' and hold only visible ASCII",
                    a.path
                )));
            }
            if a.size > Self::MAX_ASSET_SIZE {
                return Err(bad(format!(
                    "size {} is larger than the maximum of {} bytes",
                    a.size,
                    Self::MAX_ASSET_SIZE
                )));
            }
            if a.release.len() > Self::MAX_RELEASES {
                return Err(bad(format!(
                    "release has {} parts; at most {} are allowed",
                    a.release.len(),
                    Self::MAX_RELEASES
                )));
            }
            for (k, r) in a.release.iter().enumerate() {
                if r.after > Self::MAX_RELEASE_AFTER {
                    return Err(bad(format!(
                        "release[{k}].after is {} µs; at most {} µs (10 minutes) is allowed",
                        r.after.as_micros(),
                        Self::MAX_RELEASE_AFTER.as_micros()
                    )));
                }
                if let Some(prev) = k.checked_sub(1).map(|j| a.release[j]) {
                    if r.after < prev.after || r.bytes <= prev.bytes {
                        return Err(bad(format!(
                            "release[{k}] ({} µs, {} bytes) must come no earlier than release[{}] ({} µs) and hold more bytes than its {}",
                            r.after.as_micros(), r.bytes, k - 1, prev.after.as_micros(), prev.bytes
                        )));
                    }
                }
            }
            if let Some(last) = a.release.last() {
                if last.bytes != a.size {
                    return Err(bad(format!(
                        "the last release part holds {} bytes; it must hold the whole body ({} bytes)",
                        last.bytes, a.size
                    )));
                }
            }
            for (field, list) in [
                ("request_headers", &a.request_headers),
                ("response_headers", &a.response_headers),
            ] {
                crate::headers::check_list(list).map_err(|p| bad(format!("{field}{p}")))?;
            }
            match a.discovered_by {
                None if i > 0 => {
                    return Err(bad(
                        "discovered_by is missing; every asset but the HTML is found in another"
                            .into(),
                    ))
                }
                Some(d) if i > 0 => {
                    let p = d.parent.0 as usize;
                    if p >= i {
                        return Err(bad(format!(
                            "discovered_by.parent is {}; it must be an earlier asset (0 to {})",
                            d.parent.0,
                            i - 1
                        )));
                    }
                    let parent = &self.assets[p];
                    if d.offset > parent.size {
                        return Err(bad(format!(
                            "discovered_by.offset {} is past the end of asset {} ({} bytes)",
                            d.offset, p, parent.size
                        )));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn blog() -> Page {
    use AssetKind::*;
    let html = AssetId(0);
    let main_css = AssetId(1);
    // (path, kind, size, parent, offset): sizes are those of a typical WordPress post after
    // compression (HTTP Archive medians per type are of the same order).
    let spec: [(&str, AssetKind, u64, AssetId, u64); 16] = [
        ("/", Html, 38_000, html, 0),
        ("/css/main.css", Css, 72_000, html, 1_200),
        ("/css/theme.css", Css, 18_000, html, 1_500),
        ("/js/vendor.js", Js, 96_000, html, 2_000),
        ("/js/app.js", Js, 48_000, html, 2_300),
        ("/js/analytics.js", Js, 22_000, html, 2_600),
        ("/img/logo.svg", Image, 6_000, html, 4_200),
        ("/img/hero.jpg", Image, 180_000, html, 6_500),
        ("/img/photo-1.jpg", Image, 95_000, html, 12_000),
        ("/img/photo-2.jpg", Image, 120_000, html, 17_500),
        ("/img/chart.png", Image, 45_000, html, 22_000),
        ("/img/photo-3.jpg", Image, 88_000, html, 27_000),
        ("/img/photo-4.jpg", Image, 64_000, html, 31_000),
        ("/img/avatar.png", Image, 9_000, html, 35_500),
        ("/fonts/inter-regular.woff2", Font, 48_000, main_css, 72_000),
        ("/fonts/inter-bold.woff2", Font, 46_000, main_css, 72_000),
    ];
    Page {
        name: "blog".into(),
        host: "blog.example".into(),
        assets: spec
            .iter()
            .enumerate()
            .map(|(i, &(path, kind, size, parent, offset))| {
                let mut a = Asset::new(path, kind, size, (i > 0).then_some((parent, offset)));
                // The stylesheets and the two synchronous scripts sit in <head>;
                // analytics.js is `async`.
                a.blocking = matches!(
                    path,
                    "/css/main.css" | "/css/theme.css" | "/js/vendor.js" | "/js/app.js"
                );
                if kind == Font {
                    if let Some(d) = &mut a.discovered_by {
                        d.parsed = true;
                    }
                }
                a
            })
            .collect(),
    }
}

/// The classic HTTP/2 demo page (Gophertiles and its successors): a small HTML document
/// whose markup references 100 image tiles of 1.8–3.8 kB each, one after another.
fn tiles() -> Page {
    const TILES: u64 = 100;
    const HTML: u64 = 7_000;
    let mut assets = vec![Asset::new("/", AssetKind::Html, HTML, None)];
    for i in 0..TILES {
        // Sizes vary as real JPEG tiles do, deterministically: 1,800 + 0–2,000 bytes.
        let size = 1_800 + (i * 37 % 21) * 100;
        assets.push(Asset::new(
            format!("/tiles/tile-{:02}-{:02}.jpg", i / 10, i % 10),
            AssetKind::Image,
            size,
            // One <img> tag every 60 bytes after a 700-byte head.
            Some((AssetId(0), 700 + i * 60)),
        ));
    }
    Page {
        name: "tiles".into(),
        host: "tiles.example".into(),
        assets,
    }
}

/// Builds a preset: assets are pushed in page order and referred to by index.
struct Builder {
    assets: Vec<Asset>,
}

impl Builder {
    fn new(html: u64) -> Builder {
        Builder {
            assets: vec![Asset::new("/", AssetKind::Html, html, None)],
        }
    }

    /// An asset referenced at `offset` of `parent`'s body (found by the preload scanner).
    fn at(&mut self, path: &str, kind: AssetKind, size: u64, parent: usize, offset: u64) -> usize {
        let parent = AssetId(parent as u32);
        self.assets
            .push(Asset::new(path, kind, size, Some((parent, offset))));
        self.assets.len() - 1
    }

    /// An asset found once `parent` has arrived and been parsed or run (a font in CSS, a
    /// script or `fetch()` a script starts, an image a JSON response names).
    fn parsed(&mut self, path: &str, kind: AssetKind, size: u64, parent: usize) -> usize {
        let offset = self.assets[parent].size;
        let i = self.at(path, kind, size, parent, offset);
        if let Some(d) = &mut self.assets[i].discovered_by {
            d.parsed = true;
        }
        i
    }

    /// Render-blocking: a stylesheet or a synchronous script in the document's head.
    fn blocking(&mut self, i: usize) -> usize {
        self.assets[i].blocking = true;
        i
    }

    fn page(self, name: &str, host: &str) -> Page {
        Page {
            name: name.into(),
            host: host.into(),
            assets: self.assets,
        }
    }
}

/// A news article page. Sizes (compressed) follow the HTTP Archive Web Almanac 2024 for
/// pages at the 75th–90th percentile, where news sites sit: ~80 requests, ~1.1 MB of
/// JavaScript much of it third-party (ads, consent, analytics; the Almanac's "Third
/// Parties" chapter), ~1.4 MB of images, a 90 KB HTML document (large, server-rendered
/// markup with inline JSON-LD), web fonts for the serif headline face and the sans text.
fn news() -> Page {
    use AssetKind::*;
    let mut b = Builder::new(90_000);
    // <head>: two blocking stylesheets, a print stylesheet (media=print: not blocking), the
    // consent manager and a small runtime as synchronous scripts, then deferred and async
    // site and third-party scripts.
    let site_css = b.at("/css/site.css", Css, 62_000, 0, 1_500);
    b.blocking(site_css);
    let article_css = b.at("/css/article.css", Css, 24_000, 0, 2_100);
    b.blocking(article_css);
    b.at("/css/print.css", Css, 4_000, 0, 2_600);
    let consent = b.at("/js/consent.js", Js, 45_000, 0, 3_000);
    b.blocking(consent);
    let runtime = b.at("/js/runtime.js", Js, 6_000, 0, 3_400);
    b.blocking(runtime);
    b.at("/js/vendor.js", Js, 170_000, 0, 3_800);
    let main = b.at("/js/main.js", Js, 95_000, 0, 4_100);
    let gpt = b.at("/js/ads/gpt.js", Js, 80_000, 0, 4_500);
    b.at("/js/analytics/gtag.js", Js, 105_000, 0, 4_900);
    // Fonts named by site.css: serif headlines and sans body text, regular and bold.
    for (name, size) in [
        ("serif-regular", 38_000),
        ("serif-bold", 40_000),
        ("sans-regular", 30_000),
        ("sans-bold", 31_000),
    ] {
        b.parsed(&format!("/fonts/{name}.woff2"), Font, size, site_css);
    }
    // Scripts that scripts load: the ad library pulls its implementation, header bidding
    // and ad styles; the site bundle lazy-loads comments and the video player.
    let pubads = b.parsed("/js/ads/pubads_impl.js", Js, 190_000, gpt);
    let prebid = b.parsed("/js/ads/prebid.js", Js, 110_000, gpt);
    b.parsed("/css/ads.css", Css, 9_000, gpt);
    let comments = b.parsed("/js/comments.js", Js, 38_000, main);
    b.parsed("/js/video-player.js", Js, 85_000, main);
    // JSON fetched by scripts.
    b.parsed("/api/most-read.json", Json, 12_000, main);
    b.parsed("/api/weather.json", Json, 2_000, main);
    b.parsed("/api/comments.json", Json, 22_000, comments);
    b.parsed("/api/ads/bids.json", Json, 6_000, prebid);
    // Images in the markup: logo and icons in the header, the hero, the article's photos,
    // then the "more stories" thumbnails and the authors' avatars.
    b.at("/img/logo.svg", Image, 5_000, 0, 9_000);
    for (i, name) in ["search", "menu", "share", "bookmark"].iter().enumerate() {
        b.at(
            &format!("/img/icons/{name}.svg"),
            Image,
            1_500 + 300 * i as u64,
            0,
            9_600 + 400 * i as u64,
        );
    }
    b.at("/img/hero.jpg", Image, 200_000, 0, 14_000);
    for (i, size) in [120_000, 85_000, 96_000, 64_000, 110_000, 72_000]
        .into_iter()
        .enumerate()
    {
        b.at(
            &format!("/img/article-{}.jpg", i + 1),
            Image,
            size,
            0,
            22_000 + 7_000 * i as u64,
        );
    }
    for i in 0..36u64 {
        // Thumbnails of 2–11 KB, sizes varying deterministically.
        b.at(
            &format!("/img/thumbs/story-{:02}.webp", i + 1),
            Image,
            2_000 + (i * 7 % 10) * 1_000,
            0,
            64_000 + 600 * i,
        );
    }
    for i in 0..3u64 {
        b.at(
            &format!("/img/authors/author-{}.jpg", i + 1),
            Image,
            4_000 + 500 * i,
            0,
            87_000 + 800 * i,
        );
    }
    // Ad creatives the ad implementation chooses once it has run.
    for (i, size) in [45_000, 38_000, 52_000, 30_000, 60_000, 41_000]
        .into_iter()
        .enumerate()
    {
        b.parsed(&format!("/ads/creative-{}.jpg", i + 1), Image, size, pubads);
    }
    b.page("news", "news.example")
}

/// A single-page app: the HTML is a 3 KB shell; a 700 KB bundle (the HTTP Archive 2024
/// 90th percentile of JavaScript per page is ~1.5 MB; React apps commonly ship one main
/// bundle of this size) renders everything, so the page's data and images are found only
/// once it has run.
fn spa() -> Page {
    use AssetKind::*;
    let mut b = Builder::new(3_000);
    let css = b.at("/css/app.css", Css, 45_000, 0, 600);
    b.blocking(css);
    let bundle = b.at("/js/app.bundle.js", Js, 700_000, 0, 900);
    b.blocking(bundle);
    b.parsed("/fonts/ui-regular.woff2", Font, 28_000, css);
    b.parsed("/fonts/ui-medium.woff2", Font, 29_000, css);
    // The bundle's first render calls the API and loads the route's lazy chunk.
    b.parsed("/api/session", Json, 1_500, bundle);
    b.parsed("/api/config", Json, 4_000, bundle);
    let feed = b.parsed("/api/feed", Json, 48_000, bundle);
    b.parsed("/js/chunk-feed.js", Js, 120_000, bundle);
    // The feed names its cards' images.
    for i in 0..12u64 {
        b.parsed(
            &format!("/img/feed/card-{:02}.webp", i + 1),
            Image,
            15_000 + (i * 5 % 12) * 5_500,
            feed,
        );
    }
    b.page("spa", "app.example")
}

/// The seed's long-running page: the server flushes the HTML's `<head>` (4 KB) at once and
/// generates the body for 400 ms, so the stylesheet and scripts load meanwhile; a script
/// then opens `/api/live`, a JSON response the server streams in 10 chunks of 2 KB, one
/// every 500 ms, over the one open request (as server-sent events or a chunked fetch do).
fn streaming() -> Page {
    use AssetKind::*;
    const HTML: u64 = 56_000;
    let mut b = Builder::new(HTML);
    b.assets[0].release = vec![
        Release {
            after: SimDuration::ZERO,
            bytes: 4_000,
        },
        Release {
            after: SimDuration::from_millis(400),
            bytes: HTML,
        },
    ];
    let css = b.at("/css/style.css", Css, 30_000, 0, 1_000);
    b.blocking(css);
    let vendor = b.at("/js/vendor.js", Js, 80_000, 0, 1_800);
    b.blocking(vendor);
    let live = b.at("/js/live.js", Js, 40_000, 0, 2_500);
    b.parsed("/fonts/text.woff2", Font, 32_000, css);
    let feed = b.parsed("/api/live", Json, 20_000, live);
    b.assets[feed].release = (0..10u64)
        .map(|i| Release {
            after: SimDuration::from_millis(500 * i),
            bytes: 2_000 * (i + 1),
        })
        .collect();
    // Images in the generated body, past the early flush.
    for (i, size) in [90_000, 40_000, 35_000, 28_000, 22_000, 12_000]
        .into_iter()
        .enumerate()
    {
        b.at(
            &format!("/img/photo-{}.jpg", i + 1),
            Image,
            size,
            0,
            8_000 + 7_000 * i as u64,
        );
    }
    b.page("streaming", "live.example")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blog_has_the_promised_shape() {
        let p = Page::preset(PresetId::Blog);
        let count = |k| p.assets.iter().filter(|a| a.kind == k).count();
        assert_eq!(count(AssetKind::Html), 1);
        assert_eq!(count(AssetKind::Css), 2);
        assert_eq!(count(AssetKind::Js), 3);
        assert_eq!(count(AssetKind::Image), 8);
        assert_eq!(count(AssetKind::Font), 2);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn tiles_has_100_small_images() {
        let p = Page::preset(PresetId::Tiles);
        assert_eq!(p.assets.len(), 101);
        assert!(p.assets[1..]
            .iter()
            .all(|a| a.kind == AssetKind::Image && (1_800..=3_800).contains(&a.size)));
        assert!(p.validate().is_ok());
        assert_eq!(PresetId::from_id("tiles"), Some(PresetId::Tiles));
    }

    fn count(p: &Page, k: AssetKind) -> usize {
        p.assets.iter().filter(|a| a.kind == k).count()
    }

    fn parsed_by(p: &Page, parent: usize) -> Vec<&str> {
        p.assets
            .iter()
            .filter(|a| {
                a.discovered_by
                    .is_some_and(|d| d.parsed && d.parent == AssetId(parent as u32))
            })
            .map(|a| a.path.as_str())
            .collect()
    }

    /// Every preset is valid, has its id and label, and the label's asset count and size
    /// (in MB of 1,000,000 bytes, rounded to a tenth) are the page's.
    #[test]
    fn every_preset_is_valid_and_labelled_truthfully() {
        for id in PresetId::ALL {
            let p = Page::preset(id);
            assert!(p.validate().is_ok(), "{id:?}");
            assert_eq!(PresetId::from_id(id.id()), Some(id));
            assert_eq!(p.name, id.id());
            let bytes: u64 = p.assets.iter().map(|a| a.size).sum();
            let tenths = (bytes + 50_000) / 100_000;
            let label = format!(
                "({} assets, {}.{} MB)",
                p.assets.len(),
                tenths / 10,
                tenths % 10
            );
            // "1 MB" stands for "1.0 MB".
            let short = label.replace(".0 MB", " MB");
            assert!(
                id.label().ends_with(&label) || id.label().ends_with(&short),
                "{}: {label}",
                id.label()
            );
            // Fonts are found by parsing the stylesheet that names them.
            for a in p.assets.iter().filter(|a| a.kind == AssetKind::Font) {
                let d = a.discovered_by.unwrap();
                assert!(d.parsed, "{}", a.path);
                assert_eq!(p.asset(d.parent).kind, AssetKind::Css, "{}", a.path);
            }
        }
        assert_eq!(
            PresetId::ALL.map(PresetId::id),
            ["blog", "tiles", "news", "spa", "streaming"]
        );
    }

    /// The news page: ~80 assets; a 90 KB HTML; several CSS; many JS, some loaded by
    /// other scripts; ~50 images from 2 KB thumbnails to a 200 KB hero; fonts; JSON fetched
    /// by scripts.
    #[test]
    fn news_has_the_promised_shape() {
        let p = Page::preset(PresetId::News);
        assert_eq!(p.assets.len(), 80);
        assert_eq!(p.assets[0].size, 90_000);
        assert_eq!(count(&p, AssetKind::Css), 4);
        assert_eq!(count(&p, AssetKind::Js), 10);
        assert_eq!(count(&p, AssetKind::Image), 57);
        assert_eq!(count(&p, AssetKind::Font), 4);
        assert_eq!(count(&p, AssetKind::Json), 4);
        let images: Vec<u64> = p
            .assets
            .iter()
            .filter(|a| a.kind == AssetKind::Image)
            .map(|a| a.size)
            .collect();
        assert_eq!(images.iter().max(), Some(&200_000));
        assert_eq!(images.iter().min(), Some(&1_500));
        // 36 thumbnails, 4 icons, the logo and 3 avatars are small.
        assert_eq!(images.iter().filter(|&&n| n <= 11_000).count(), 44);
        // Blocking: the two head stylesheets and the two synchronous scripts.
        let blocking: Vec<&str> = p
            .assets
            .iter()
            .filter(|a| a.blocking)
            .map(|a| a.path.as_str())
            .collect();
        assert_eq!(
            blocking,
            [
                "/css/site.css",
                "/css/article.css",
                "/js/consent.js",
                "/js/runtime.js"
            ]
        );
        // Scripts loading scripts: gpt.js (asset 8) the ad implementation, prebid and ad
        // styles; main.js (asset 7) comments, the video player and two JSON calls.
        assert_eq!(p.assets[8].path, "/js/ads/gpt.js");
        assert_eq!(
            parsed_by(&p, 8),
            [
                "/js/ads/pubads_impl.js",
                "/js/ads/prebid.js",
                "/css/ads.css"
            ]
        );
        assert_eq!(p.assets[7].path, "/js/main.js");
        assert_eq!(parsed_by(&p, 7).len(), 4);
        let bytes: u64 = p.assets.iter().map(|a| a.size).sum();
        assert_eq!(bytes, 2_565_300);
    }

    /// The SPA: a small shell, a ~700 KB blocking bundle, the API calls it makes once run,
    /// and images named by the feed JSON.
    #[test]
    fn spa_has_the_promised_shape() {
        let p = Page::preset(PresetId::Spa);
        assert_eq!(p.assets.len(), 21);
        assert_eq!(p.assets[0].size, 3_000);
        let bundle = &p.assets[2];
        assert_eq!(
            (bundle.kind, bundle.size, bundle.blocking),
            (AssetKind::Js, 700_000, true)
        );
        let from_bundle = parsed_by(&p, 2);
        assert_eq!(
            from_bundle,
            [
                "/api/session",
                "/api/config",
                "/api/feed",
                "/js/chunk-feed.js"
            ]
        );
        let feed = p.assets.iter().position(|a| a.path == "/api/feed").unwrap();
        let images = parsed_by(&p, feed);
        assert_eq!(images.len(), 12);
        assert!(images.iter().all(|i| i.starts_with("/img/feed/")));
    }

    /// The streaming page: the HTML's head flushed at once, the body 400 ms later; a live
    /// JSON of 10 chunks, 500 ms apart, found by a script.
    #[test]
    fn streaming_has_the_promised_shape() {
        let p = Page::preset(PresetId::Streaming);
        let html = &p.assets[0];
        assert_eq!(
            html.released(SimDuration::ZERO),
            (4_000, Some(SimDuration::from_millis(400)))
        );
        assert_eq!(
            html.released(SimDuration::from_millis(400)),
            (html.size, None)
        );
        assert_eq!(html.head_after(), SimDuration::ZERO);
        // The CSS and scripts are referenced inside the early flush.
        for a in &p.assets[1..4] {
            assert!(a.discovered_by.unwrap().offset < 4_000, "{}", a.path);
        }
        let live = p.assets.iter().find(|a| a.path == "/api/live").unwrap();
        assert_eq!(live.kind, AssetKind::Json);
        assert_eq!(live.release.len(), 10);
        assert_eq!(
            p.asset(live.discovered_by.unwrap().parent).path,
            "/js/live.js"
        );
        assert!(live.discovered_by.unwrap().parsed);
        assert_eq!(
            live.released(SimDuration::from_millis(1_200)),
            (6_000, Some(SimDuration::from_millis(1_500)))
        );
        assert_eq!(
            live.released(SimDuration::from_millis(4_500)),
            (20_000, None)
        );
    }

    /// Every lane finishes every preset, on a clean path and at 2 % random loss: every
    /// asset completes, after it was requested.
    #[test]
    fn every_lane_finishes_every_preset() {
        use crate::link::LossModel;
        use crate::scenario::Scenario;
        for id in PresetId::ALL {
            for ppm in [0, 20_000] {
                let mut s = Scenario::preset(id);
                s.network.loss = LossModel::Random { ppm };
                s.network.seed = 3;
                let t = crate::simulate(&s).unwrap();
                assert_eq!(t.lanes.len(), 4);
                for l in &t.lanes {
                    let done = l
                        .events
                        .iter()
                        .filter(|e| matches!(e.kind, crate::trace::EventKind::Complete { .. }))
                        .count();
                    assert_eq!(done, s.page.assets.len(), "{id:?} {ppm} {}", l.protocol);
                    for a in &l.assets {
                        assert!(a.request_sent < a.first_byte, "{id:?} {}", a.path);
                        assert!(a.first_byte <= a.last_byte, "{id:?} {}", a.path);
                    }
                }
            }
        }
    }

    #[test]
    fn bad_discovery_is_named() {
        let mut p = Page::preset(PresetId::Blog);
        p.assets[3].discovered_by = Some(Discovery {
            parent: AssetId(7),
            offset: 0,
            parsed: false,
        });
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "page.assets[3]: discovered_by.parent is 7; it must be an earlier asset (0 to 2)"
        );
        let mut p = Page::preset(PresetId::Blog);
        p.assets[1].discovered_by.as_mut().unwrap().offset = 1_000_000;
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("past the end of asset 0 (38000 bytes)"));
    }
}
