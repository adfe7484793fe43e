//! The five preset pages as data: sizes are those of typical sites after compression.

use super::*;

pub(super) fn blog() -> Page {
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
pub(super) fn tiles() -> Page {
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
pub(super) fn news() -> Page {
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
pub(super) fn spa() -> Page {
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
pub(super) fn streaming() -> Page {
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
