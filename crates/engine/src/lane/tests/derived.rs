//! Page-level figures derived by hand (issue 15, item 3): the round trips on `blog`'s
//! longest chain in every lane, and its first paint and DOMContentLoaded to the microsecond
//! from the moments the trace says each render-blocking asset arrived.

use super::*;
use crate::page::PresetId;

fn blog() -> Scenario {
    Scenario::preset(PresetId::Blog)
}

/// `blog` (HTML → main.css → two fonts; every other asset is the HTML's child):
/// - HTTP/2: TCP + TLS 1.3 (2) + the HTML (1) = 3; main.css one more = 4; the fonts it
///   names one more = 5.
/// - HTTP/2 + push: main.css rides on the HTML's response (3); the fonts = 4.
/// - HTTP/3: QUIC's handshake carries TLS (1) + the HTML (1) = 2; main.css 3; fonts 4.
/// - HTTP/1.1: the HTML 3; main.css goes on the HTML's connection once it is free (4; the
///   five new connections are still in their handshakes), its fonts 5; the assets that
///   waited for a new connection pay its two set-up round trips: 3 + 2 + 1 = 6.
#[test]
fn blog_round_trips_per_lane_derived_by_hand() {
    let s = blog();
    for (p, want) in [
        (Protocol::Http1, 6),
        (Protocol::Http2, 5),
        (Protocol::Http2Push, 4),
        (Protocol::Http3, 4),
    ] {
        let l = run(&s, p);
        assert_eq!(l.metrics.round_trips, want, "{p}");
        if p == Protocol::Http1 {
            // The premise: main.css reused the HTML's connection, with no set-up of its own.
            let css = &l.assets[1];
            assert_eq!((css.connection, css.connect), (ConnId(0), None));
            assert!(l.assets.iter().any(|a| a.connect.is_some()));
        }
    }
}

/// First paint and DOMContentLoaded of `blog` over HTTP/2 at 0 % loss, to the µs.
/// The browser's costs (BrowserOptions' defaults: HTML and CSS 10 µs per KiB, JS 50 µs
/// per KiB): the HTML (38 000 B) 371 µs; main.css (72 000 B) 703; theme.css (18 000 B)
/// 175; vendor.js (96 000 B) 4 687; app.js (48 000 B) 2 343; analytics.js (22 000 B)
/// 1 074. First paint waits for the four render-blocking assets in document order, each
/// parsed or run once it has arrived and the one before it is done (HTML §4.2.6), from the
/// HTML's first byte; DOMContentLoaded for the HTML parsed and all three scripts run in
/// order (the async analytics.js counted), and first paint.
#[test]
fn blog_first_paint_and_dcl_to_the_microsecond() {
    let l = run(&blog(), Protocol::Http2);
    let last = |i: usize| l.assets[i].last_byte.unwrap().as_micros();
    let start = l.assets[0].first_byte.unwrap().as_micros();
    // Every stylesheet and script arrives after the one before it was done, on this
    // lossless path: each step waits for its bytes, not for the previous step.
    let main_css = start.max(last(1)) + 703;
    let theme_css = main_css.max(last(2)) + 175;
    let vendor = theme_css.max(last(3)) + 4_687;
    let app = vendor.max(last(4)) + 2_343;
    assert!(last(1) > start && last(2) > main_css && last(3) > theme_css && last(4) > vendor);
    assert_eq!(l.metrics.first_paint.unwrap().as_micros(), app);
    // app.js, the last blocking script to arrive, decides it: its last byte plus its run.
    assert_eq!(app, last(4) + 2_343);
    let parsed = last(0) + 371;
    let analytics = app.max(last(5)) + 1_074;
    let dcl = parsed.max(analytics).max(app);
    assert_eq!(l.metrics.dom_content_loaded.unwrap().as_micros(), dcl);
    // analytics.js arrives after app.js has run, so it decides DOMContentLoaded.
    assert_eq!(dcl, last(5) + 1_074);
    // And the figures the app shows for them (µs): pinned by the digest too.
    assert_eq!((app, dcl), (860_806, 877_537));
}
