//! Generated pages for the scaling checks (issue 14 items 3 and 5): `n` assets, every one a
//! row of its own (no two paths differ only in their numbers, so nothing is grouped) — the
//! most a waterfall has to draw for a page of that size. The link is made with the
//! engine's own page JSON and URL encoder (`pagejson=…`).
//!
//! What the page holds is synthetic and says so in its name: one HTML document that names
//! everything else in its markup (spread over its body), two render-blocking stylesheets,
//! a blocking script in the head, fonts that the first stylesheet names, JSON fetched by
//! the first script once it ran, and images for the rest. Sizes come from a fixed
//! xorshift sequence, so the same `n` is always the same page.

use protoviz_engine::page::{Asset, AssetKind, Discovery, Page};
use protoviz_engine::{url, AssetId};

/// `i` as letters (`a`, `b`, …, `ba`, `bb`…): file names without digits, so that the
/// app's grouping of similar paths (`src/model.rs`, digits as `#`) leaves each one a row.
fn letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A page of `n` assets (at least the HTML, its 2 stylesheets and its script: `n >= 4`).
pub fn generated(n: usize) -> Page {
    let n = n.max(4);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |lo: u64, hi: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        lo + x % (hi - lo + 1)
    };
    // The document: about 120 bytes of markup per reference, after a 6 KB head.
    let html_size = 6_000 + 120 * n as u64;
    let mut assets = vec![Asset::new("/", AssetKind::Html, html_size, None)];
    let at = |offset: u64| Some((AssetId(0), offset));
    let mut css = Asset::new("/css/site.css", AssetKind::Css, 48_000, at(900));
    css.blocking = true;
    assets.push(css);
    let mut css2 = Asset::new("/css/layout.css", AssetKind::Css, 21_000, at(1_300));
    css2.blocking = true;
    assets.push(css2);
    let mut js = Asset::new("/js/app.js", AssetKind::Js, 140_000, at(2_000));
    js.blocking = true;
    assets.push(js);
    for i in 4..n {
        let name = letters(i);
        let (path, kind, size, found) = match i % 25 {
            // One in 25 a font the first stylesheet names.
            0 => (
                format!("/fonts/face-{name}.woff2"),
                AssetKind::Font,
                next(18_000, 45_000),
                Discovery {
                    parent: AssetId(1),
                    offset: 48_000,
                    parsed: true,
                },
            ),
            // One in 25 JSON the app's script fetches once it ran.
            1 => (
                format!("/api/data-{name}.json"),
                AssetKind::Json,
                next(1_000, 30_000),
                Discovery {
                    parent: AssetId(3),
                    offset: 140_000,
                    parsed: true,
                },
            ),
            // One in 25 a script of the body.
            2 => (
                format!("/js/widget-{name}.js"),
                AssetKind::Js,
                next(5_000, 60_000),
                Discovery {
                    parent: AssetId(0),
                    offset: 6_000 + 120 * i as u64,
                    parsed: false,
                },
            ),
            _ => (
                format!("/img/photo-{name}.jpg"),
                AssetKind::Image,
                next(2_000, 90_000),
                Discovery {
                    parent: AssetId(0),
                    offset: 6_000 + 120 * i as u64,
                    parsed: false,
                },
            ),
        };
        let mut a = Asset::new(path, kind, size, None);
        a.discovered_by = Some(found);
        assets.push(a);
    }
    Page {
        name: format!("generated, {n} assets"),
        host: "www.example.com".into(),
        assets,
    }
}

/// The link (scenario string) of the generated page of `n` assets with `extra` keys after
/// it (`loss=2`), as the app's location hash takes it.
pub fn generated_link(n: usize, extra: &str) -> String {
    let mut s = url::decode(&format!(
        "page=blog{}{extra}",
        if extra.is_empty() { "" } else { "&" }
    ))
    .expect("a valid link");
    s.page = generated(n);
    url::encode(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_pages_are_valid_and_say_what_they_are() {
        for n in [10, 200, 5_000] {
            let p = generated(n);
            assert_eq!(p.assets.len(), n);
            p.validate().unwrap();
            let link = generated_link(n, "loss=2");
            let back = url::decode(&link).unwrap();
            assert_eq!(back.page, p, "{n}: the link carries the page");
            assert!(link.len() <= url::MAX_LEN, "{n}: {} bytes", link.len());
        }
        assert_eq!(letters(0), "a");
        assert_eq!(letters(27), "bb");
    }

    /// Not a test: how long the engine takes natively for the generated pages, and how
    /// many trace events each has (`cargo test --release -p protoviz-e2e --lib -- --ignored
    /// --nocapture generated_page_sizes`).
    #[test]
    #[ignore = "a measurement, not a test"]
    fn generated_page_sizes() {
        for n in [200, 1_000, 5_000] {
            let s = url::decode(&generated_link(n, "")).unwrap();
            let t0 = std::time::Instant::now();
            let t = protoviz_engine::simulate(&s).unwrap();
            let events: usize = t.lanes.iter().map(|l| l.events.len()).sum();
            let bytes: u64 = s.page.assets.iter().map(|a| a.size).sum();
            println!(
                "{n} assets, {} MB: simulate {:.0} ms, {events} events, loads {:?}",
                bytes / 1_000_000,
                t0.elapsed().as_secs_f64() * 1000.0,
                t.lanes.iter().map(|l| l.metrics.load).collect::<Vec<_>>()
            );
        }
    }

    /// Not a test: the links of the generated pages, into `tests/artifacts/` (for the
    /// measurement tools' `$SNAP_HASH`).
    #[test]
    #[ignore = "a tool, not a test"]
    fn write_generated_links() {
        for (n, extra) in [(200, "loss=2"), (5_000, "")] {
            let path = crate::artifacts_dir().join(format!("generated-{n}.link"));
            std::fs::write(path, generated_link(n, extra)).unwrap();
        }
    }
}
