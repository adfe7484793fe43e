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
