//! The page being loaded: its assets, their sizes, and who discovers whom.

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::ids::AssetId;
use crate::time::SimDuration;

mod presets;
mod synthetic;
use presets::{blog, news, spa, streaming, tiles};

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

#[cfg(test)]
mod tests;
