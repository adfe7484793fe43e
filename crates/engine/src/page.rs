//! The page being loaded: its assets, their sizes, and who discovers whom.

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::ids::AssetId;
use crate::scenario::ScenarioError;
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

/// Presets have ids usable in URLs and on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresetId {
    /// A blog post: one HTML, 2 CSS, 3 JS, 8 images, 2 fonts.
    Blog,
    /// One HTML and 100 small image tiles, as in the classic HTTP/2 demos.
    Tiles,
}

impl PresetId {
    pub const ALL: [PresetId; 2] = [PresetId::Blog, PresetId::Tiles];
    pub fn id(self) -> &'static str {
        match self {
            PresetId::Blog => "blog",
            PresetId::Tiles => "tiles",
        }
    }
    /// What a person reads in the page picker.
    pub fn label(self) -> &'static str {
        match self {
            PresetId::Blog => "Blog post (16 assets, 1 MB)",
            PresetId::Tiles => "Image tiles (101 assets, 0.3 MB)",
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

    pub fn preset(id: PresetId) -> Page {
        match id {
            PresetId::Blog => blog(),
            PresetId::Tiles => tiles(),
        }
    }

    pub fn asset(&self, id: AssetId) -> &Asset {
        &self.assets[id.0 as usize]
    }

    pub fn ids(&self) -> impl Iterator<Item = AssetId> {
        (0..self.assets.len() as u32).map(AssetId)
    }

    pub(crate) fn validate(&self) -> Result<(), ScenarioError> {
        if self.assets.is_empty() {
            return Err(ScenarioError::EmptyPage);
        }
        if self.assets.len() > Self::MAX_ASSETS {
            return Err(ScenarioError::TooManyAssets {
                count: self.assets.len(),
                max: Self::MAX_ASSETS,
            });
        }
        if self.assets[0].kind != AssetKind::Html || self.assets[0].discovered_by.is_some() {
            return Err(ScenarioError::FirstAssetNotHtml);
        }
        if self.host.is_empty()
            || !self
                .host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
        {
            return Err(ScenarioError::OutOfRange {
                field: "page.host",
                value: format!("{:?}", self.host),
                allowed: "a host name of letters, digits, '.', '-' and an optional ':port'",
            });
        }
        for (i, a) in self.assets.iter().enumerate() {
            let bad = |problem: String| ScenarioError::BadAsset {
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
