//! Pages of any size for measuring how the engine scales (issue 14 item 5): the scaling
//! benchmark (`benches/scaling.rs`) and the headless-Chromium harness's 200-asset page
//! (`tests/bench.rs`) use it. One synthetic workload, deterministic, no randomness.
//!
//! Its shape is the news preset's, repeated: an HTML document whose markup names every
//! other asset (one reference per 100 bytes after a 2 kB head), a render-blocking
//! stylesheet and script in the head, a web font the stylesheet names, and then a
//! repeating group of ten: six images of 4–48 kB, an async script of 10–40 kB, a JSON
//! response that script fetches once it has run (1–5 kB), and two small icons of 2–4 kB.
//! The sizes vary with the asset's index (as the tiles preset's do), so the page averages
//! about 20 kB an asset whatever `n` is: the cost per asset of a larger page is comparable
//! with a smaller one's.

use super::*;

impl Page {
    /// A page of `n` assets (at least 1, the HTML document; at most [`Page::MAX_ASSETS`]),
    /// shaped as the module says.
    pub fn synthetic(n: usize) -> Page {
        let n = n.clamp(1, Page::MAX_ASSETS) as u64;
        let html_size = 2_000 + 100 * n;
        let mut assets = vec![Asset::new("/", AssetKind::Html, html_size, None)];
        let at = |i: u64| Some((AssetId(0), 2_000 + 100 * i));
        for i in 1..n {
            let a = match i {
                1 => {
                    let mut a = Asset::new("/css/site.css", AssetKind::Css, 40_000, at(i));
                    a.blocking = true;
                    a
                }
                2 => {
                    let mut a = Asset::new("/js/site.js", AssetKind::Js, 80_000, at(i));
                    a.blocking = true;
                    a
                }
                3 => {
                    let mut a = Asset::new("/fonts/text.woff2", AssetKind::Font, 24_000, None);
                    a.discovered_by = Some(Discovery {
                        parent: AssetId(1),
                        offset: 40_000,
                        parsed: true,
                    });
                    a
                }
                _ => match i % 10 {
                    0..=5 => Asset::new(
                        format!("/img/photo-{i}.jpg"),
                        AssetKind::Image,
                        4_000 + (i * 37 % 23) * 2_000,
                        at(i),
                    ),
                    6 => Asset::new(
                        format!("/js/widget-{i}.js"),
                        AssetKind::Js,
                        10_000 + (i * 13 % 7) * 5_000,
                        at(i),
                    ),
                    7 => {
                        // Fetched by the script just before it, once that script has run.
                        let parent = AssetId((i - 1) as u32);
                        let offset = assets[(i - 1) as usize].size;
                        let mut a = Asset::new(
                            format!("/api/widget-{i}.json"),
                            AssetKind::Json,
                            1_000 + (i * 11 % 5) * 1_000,
                            Some((parent, offset)),
                        );
                        if let Some(d) = &mut a.discovered_by {
                            d.parsed = true;
                        }
                        a
                    }
                    _ => Asset::new(
                        format!("/img/icon-{i}.png"),
                        AssetKind::Image,
                        2_000 + (i * 7 % 11) * 200,
                        at(i),
                    ),
                },
            };
            assets.push(a);
        }
        Page {
            name: format!("generated-{n}"),
            host: "generated.example".into(),
            assets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_pages_are_valid_at_every_size() {
        for n in [0, 1, 3, 10, 100, 1_000, 5_000, 6_000] {
            let p = Page::synthetic(n);
            assert_eq!(p.assets.len(), n.clamp(1, Page::MAX_ASSETS));
            assert_eq!(p.validate(), Ok(()), "{n} assets");
        }
    }
}
