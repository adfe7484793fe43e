//! Pages of any size for measuring how the engine scales (issue 14 item 5): `n` assets
//! found in one HTML document, as on a long gallery or feed page.

use super::*;

impl Page {
    /// A page of `n` assets (at least 3, at most [`Page::MAX_ASSETS`]): an HTML document of
    /// 2 KB plus 100 bytes of markup per asset, a render-blocking stylesheet (40 KB) and
    /// script (60 KB) in its head, then `n − 3` images of 2–12 KB, one `<img>` tag every
    /// 100 bytes. Sizes vary deterministically, as the `tiles` preset's do.
    pub fn synthetic(n: usize) -> Page {
        let n = n.clamp(3, Page::MAX_ASSETS);
        let html = AssetId(0);
        let mut assets = vec![Asset::new(
            "/",
            AssetKind::Html,
            2_000 + 100 * n as u64,
            None,
        )];
        let mut css = Asset::new("/css/site.css", AssetKind::Css, 40_000, Some((html, 800)));
        css.blocking = true;
        let mut js = Asset::new("/js/app.js", AssetKind::Js, 60_000, Some((html, 1_200)));
        js.blocking = true;
        assets.push(css);
        assets.push(js);
        for i in 3..n as u64 {
            assets.push(Asset::new(
                format!("/img/i-{i:05}.jpg"),
                AssetKind::Image,
                2_000 + (i * 37 % 21) * 500,
                Some((html, 1_500 + 100 * i)),
            ));
        }
        Page {
            name: format!("synthetic-{n}"),
            host: "scale.example".into(),
            assets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_pages_are_valid_at_every_size() {
        for n in [0, 3, 10, 100, 1_000, 5_000, 6_000] {
            let p = Page::synthetic(n);
            assert_eq!(p.assets.len(), n.clamp(3, Page::MAX_ASSETS));
            assert_eq!(p.validate(), Ok(()), "{n} assets");
        }
    }
}
