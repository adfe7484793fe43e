use super::*;
use crate::options::Cache;
use crate::page::{Asset, AssetKind, Page, PresetId, Release};

fn blog() -> Scenario {
    Scenario::preset(PresetId::Blog)
}

fn blocked_by<'a>(
    a: &'a AssetTiming,
    f: impl Fn(&BlockedCause) -> bool + 'a,
) -> impl Iterator<Item = &'a Blocked> + 'a {
    a.blocked.iter().filter(move |b| f(&b.cause))
}

/// Without keep-alive (HTTP/1.0 style) each of the blog's 16 assets gets its own TCP +
/// TLS connection, never more than six open at once, and pays full handshakes: every
/// connection's SYNs and TLS flights are the same bytes at zero loss, so handshake bytes
/// scale exactly with the connection count (16 against keep-alive's 6).
#[test]
fn keep_alive_off_opens_a_connection_per_asset() {
    let on = run(&blog(), Protocol::Http1);
    let mut s = blog();
    s.http1.keep_alive = false;
    let off = run(&s, Protocol::Http1);
    let n = s.page.assets.len();
    assert_eq!(
        (on.metrics.connections, off.metrics.connections),
        (6, n as u32)
    );
    let mut conns: Vec<ConnId> = off.assets.iter().map(|a| a.connection).collect();
    conns.sort_unstable();
    conns.dedup();
    assert_eq!(conns.len(), n, "one connection per asset");
    for a in &off.assets {
        let c = a.connect.expect("every asset pays its own handshakes");
        let conn = &off.connections[a.connection.0 as usize];
        assert_eq!((c.start, c.tls_end), (conn.opened, conn.tls_established));
        // `Connection: close` is 5 bytes shorter than `Connection: keep-alive`.
        let ka = &on.assets[a.asset.0 as usize];
        assert_eq!(a.request_header_bytes + 5, ka.request_header_bytes);
        assert_eq!(a.response_header_bytes + 5, ka.response_header_bytes);
    }
    assert_eq!(
        off.metrics.bytes_handshake * 6,
        on.metrics.bytes_handshake * n as u64
    );
    // At most six connections are open at once: when each opens, fewer than six earlier
    // ones are still waiting for their one response.
    for a in &off.assets {
        let opened = off.connections[a.connection.0 as usize].opened;
        let open = off
            .assets
            .iter()
            .filter(|b| {
                let o = off.connections[b.connection.0 as usize].opened;
                b.connection != a.connection && o <= opened && b.last_byte.unwrap() > opened
            })
            .count();
        assert!(open < 6, "{}: {open} others open", a.path);
    }
    // The HTML holds one slot while it streams and the first five subresources found (the
    // head's stylesheets and scripts) take the other five. Every image waited: for one of
    // the six to close (a `ConnectionLimit` interval until its own opened), or in Chrome's
    // scheduler until `<body>` (a `Scheduler` interval: all but the two boosted images
    // that ran first, browser::schedule), or both. The fonts, found once main.css is
    // parsed, find a free slot, since the scheduler is holding the images back.
    let waited_for = |f: fn(&BlockedCause) -> bool| -> Vec<&str> {
        off.assets
            .iter()
            .filter(|a| blocked_by(a, f).count() > 0)
            .map(|a| a.path.as_str())
            .collect()
    };
    let images: Vec<&str> = off
        .assets
        .iter()
        .filter(|a| s.page.asset(a.asset).kind == AssetKind::Image)
        .map(|a| a.path.as_str())
        .collect();
    assert_eq!(
        waited_for(|c| matches!(c, BlockedCause::ConnectionLimit | BlockedCause::Scheduler)),
        images
    );
    assert_eq!(
        waited_for(|c| *c == BlockedCause::Scheduler),
        images[2..].to_vec()
    );
    // Each later asset pays two more round trips (TCP + TLS 1.3) before its request,
    // but starts at a fresh initial window, where a reused connection carries the window
    // the six parallel slow starts' queue overflow cut (68 retransmissions at 0 % loss,
    // PRR down to 0.7 · cwnd): the page takes at least one round trip longer (170 ms).
    eprintln!(
        "keep-alive on: load {} handshake {}; off: load {} handshake {}",
        on.metrics.load.unwrap(),
        on.metrics.bytes_handshake,
        off.metrics.load.unwrap(),
        off.metrics.bytes_handshake
    );
    assert!(
        off.metrics.load.unwrap().as_micros() >= on.metrics.load.unwrap().as_micros() + 100_000,
        "{} vs {}",
        off.metrics.load.unwrap(),
        on.metrics.load.unwrap()
    );
}

/// `connections: 1` without pipelining: one request at a time, each written only once
/// the response before it has fully arrived. With 2, never more than two outstanding.
#[test]
fn connection_limit_serialises_requests() {
    for limit in [1u32, 2] {
        let mut s = blog();
        s.http1.connections = limit;
        let l = run(&s, Protocol::Http1);
        assert_eq!(l.metrics.connections, limit);
        let mut by_sent: Vec<&AssetTiming> = l.assets.iter().collect();
        by_sent.sort_by_key(|a| a.request_sent.unwrap());
        let mut most = 0;
        for a in &by_sent {
            let outstanding = by_sent
                .iter()
                .filter(|b| {
                    b.request_sent.unwrap() <= a.request_sent.unwrap()
                        && b.last_byte.unwrap() > a.request_sent.unwrap()
                })
                .count();
            most = most.max(outstanding);
        }
        assert_eq!(most, limit as usize, "limit {limit}");
        if limit == 1 {
            for w in by_sent.windows(2) {
                assert!(
                    w[1].request_sent.unwrap() >= w[0].last_byte.unwrap(),
                    "{}",
                    w[1].path
                );
            }
        }
        eprintln!("connections {limit}: load {}", l.metrics.load.unwrap());
    }
}

/// An HTML that names a 1 MB image first and then five 10 kB icons. Over one pipelined
/// connection the five requests go out at once behind the image's, but the server must
/// answer in order (RFC 9112 §9.3.2): every icon waits for the image's megabyte to be
/// sent, and is charged a `PipelineHeadOfLine` interval naming the image.
#[test]
fn pipelined_responses_wait_behind_a_large_one() {
    let mut page = Page {
        name: "pipeline".into(),
        host: "pipeline.example".into(),
        assets: vec![Asset::new("/", AssetKind::Html, 8_000, None)],
    };
    page.assets.push(Asset::new(
        "/big.jpg",
        AssetKind::Image,
        1_000_000,
        Some((AssetId(0), 1_000)),
    ));
    for i in 0..5u64 {
        page.assets.push(Asset::new(
            format!("/icon-{i}.png"),
            AssetKind::Image,
            10_000,
            Some((AssetId(0), 1_100 + 100 * i)),
        ));
    }
    let mut s = blog();
    s.page = page;
    s.http1.connections = 1;
    let serial = run(&s, Protocol::Http1);
    s.http1.pipelining = true;
    let l = run(&s, Protocol::Http1);
    assert_eq!(l.metrics.connections, 1);
    let big = &l.assets[1];
    // The image is first in line: nothing ahead of it (its slow-start overshoot may cost
    // it TCP head-of-line stalls, which are another cause).
    let pipeline_hol = |c: &BlockedCause| matches!(c, BlockedCause::PipelineHeadOfLine { .. });
    assert_eq!(
        blocked_by(big, pipeline_hol).count(),
        0,
        "{:?}",
        big.blocked
    );
    for icon in &l.assets[2..] {
        // Requested together with the image, long before it is done.
        assert_eq!(
            icon.request_sent.unwrap(),
            big.request_sent.unwrap(),
            "{icon:?} {big:?}"
        );
        // Its bytes follow all of the image's on the one TCP stream (a hole filled late
        // may hand both up at the same instant).
        assert!(
            icon.first_byte.unwrap() >= big.last_byte.unwrap(),
            "{icon:?} {big:?}"
        );
        let hol: Vec<&Blocked> = blocked_by(icon, |c| {
            *c == BlockedCause::PipelineHeadOfLine {
                conn: ConnId(0),
                behind: AssetId(1),
            }
        })
        .collect();
        assert_eq!(hol.len(), 1, "{}: {:?}", icon.path, icon.blocked);
        // From the request's arrival (half a round trip after it was sent, plus
        // serialisation) to when the image's megabyte (0.8 s at 10 Mbit/s) was sent.
        let b = hol[0];
        assert!(b.from > icon.request_sent.unwrap(), "{b:?}");
        assert!(b.from.saturating_since(icon.request_sent.unwrap()) < SimDuration::from_millis(60));
        assert!(
            b.to.saturating_since(b.from) > SimDuration::from_millis(800),
            "{b:?}"
        );
        assert!(b.to < icon.first_byte.unwrap());
    }
    // Without pipelining nothing waits in the server's queue, but every icon costs one
    // more round trip (100 ms) after the one before it.
    assert!(serial.assets.iter().all(|a| a
        .blocked
        .iter()
        .all(|b| !matches!(b.cause, BlockedCause::PipelineHeadOfLine { .. }))));
    eprintln!(
        "pipelined load {}, serial load {}",
        l.metrics.load.unwrap(),
        serial.metrics.load.unwrap()
    );
    assert!(
        l.metrics.load.unwrap().as_micros() + 5 * 100_000
            <= serial.metrics.load.unwrap().as_micros(),
        "{} vs {}",
        l.metrics.load.unwrap(),
        serial.metrics.load.unwrap()
    );
}

/// Pipelining on the tiles page: the browser opens all six connections and deals the
/// hundred tiles out over them by fewest outstanding requests, so the connections carry
/// 16 or 17 responses each (101 / 6); every request goes out as soon as it is found
/// instead of a round trip after the response before it, so the page loads far sooner
/// than over six connections without pipelining (16 requests in turn at 100 ms each).
#[test]
fn pipelining_deals_requests_over_the_connections() {
    let mut s = Scenario::preset(PresetId::Tiles);
    let plain = run(&s, Protocol::Http1);
    s.http1.pipelining = true;
    let l = run(&s, Protocol::Http1);
    assert_eq!(l.metrics.connections, 6);
    let mut per = [0usize; 6];
    for a in &l.assets {
        per[a.connection.0 as usize] += 1;
    }
    assert!(per.iter().all(|&n| n == 16 || n == 17), "{per:?}");
    // Each connection's first request carries its set-up phases, written once TLS is
    // done even when it was bound to the connection while still connecting.
    for (i, c) in l.connections.iter().enumerate() {
        let first = l
            .assets
            .iter()
            .filter(|a| a.connection == ConnId::at(i))
            .min_by_key(|a| (a.request_sent.unwrap(), a.asset))
            .expect("every connection carries a request");
        let phases = first.connect.expect("the first request pays the set-up");
        assert_eq!(phases.tls_end, c.tls_established);
        assert_eq!(first.request_sent.unwrap(), c.tls_established);
    }
    eprintln!(
        "tiles: pipelined load {}, plain {}",
        l.metrics.load.unwrap(),
        plain.metrics.load.unwrap()
    );
    assert!(
        l.metrics.load.unwrap().as_micros() + 1_000_000 < plain.metrics.load.unwrap().as_micros(),
        "{} vs {}",
        l.metrics.load.unwrap(),
        plain.metrics.load.unwrap()
    );
}

/// Server think time: an HTML produced 200 ms after its request arrived (one release
/// part) reaches the browser exactly 200 ms later than one served at once; nothing else
/// on the idle connection changes.
#[test]
fn think_time_delays_the_response_head() {
    let mut s = blog();
    s.page.assets[0].release = vec![Release {
        after: SimDuration::from_millis(200),
        bytes: 38_000,
    }];
    let plain = run(&blog(), Protocol::Http1);
    let l = run(&s, Protocol::Http1);
    assert_eq!(
        l.assets[0].request_sent.unwrap(),
        plain.assets[0].request_sent.unwrap()
    );
    assert_eq!(
        l.assets[0].first_byte.unwrap(),
        plain.assets[0].first_byte.unwrap() + SimDuration::from_millis(200)
    );
    assert_eq!(
        l.assets[0].last_byte.unwrap(),
        plain.assets[0].last_byte.unwrap() + SimDuration::from_millis(200)
    );
}

/// Every combination of the HTTP/1.1 options, cache state and a streamed HTML completes
/// the blog at 3 % loss in both TCP lanes, with causal per-asset times and every blocked
/// interval inside its asset's life.
#[test]
fn every_h1_option_combination_completes_under_loss() {
    use crate::link::LossModel;
    for bits in 0..32u32 {
        let mut s = blog();
        s.network.loss = LossModel::Random { ppm: 30_000 };
        s.network.seed = 1 + u64::from(bits);
        s.http1.keep_alive = bits & 1 == 0;
        s.http1.pipelining = bits & 2 != 0;
        s.http1.connections = if bits & 4 != 0 { 1 } else { 6 };
        if bits & 8 != 0 {
            s.browser.cache = Cache::Warm;
        }
        if bits & 16 != 0 {
            s.page.assets[0].release = vec![
                Release {
                    after: SimDuration::from_millis(30),
                    bytes: 3_000,
                },
                Release {
                    after: SimDuration::from_millis(250),
                    bytes: 38_000,
                },
            ];
        }
        for p in [Protocol::Http1, Protocol::Http2] {
            let l = run(&s, p);
            let done = l
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Complete { .. }))
                .count();
            assert_eq!(done, s.page.assets.len(), "{p} {bits:05b}");
            for a in &l.assets {
                assert!(
                    a.discovered <= a.request_sent.unwrap(),
                    "{p} {bits:05b} {a:?}"
                );
                assert!(
                    a.request_sent.unwrap() <= a.first_byte.unwrap(),
                    "{p} {bits:05b} {a:?}"
                );
                assert!(
                    a.first_byte.unwrap() <= a.last_byte.unwrap(),
                    "{p} {bits:05b} {a:?}"
                );
                assert_eq!(
                    a.request_sent.unwrap() == a.first_byte.unwrap(),
                    a.source == Source::Cache,
                    "{p} {bits:05b} {a:?}"
                );
                for b in &a.blocked {
                    assert!(
                        a.discovered <= b.from && b.from < b.to && b.to <= a.last_byte.unwrap(),
                        "{p} {bits:05b} {b:?}"
                    );
                }
            }
            assert!(l.events.windows(2).all(|w| w[0].at <= w[1].at));
        }
    }
}

/// A repeat visit: everything but the HTML is fresh in the cache, so each lane requests
/// the HTML only (38 kB of the page's ~1 MB), the rest is `Source::Cache` and complete
/// at discovery, and the page loads sooner.
#[test]
fn warm_cache_requests_only_the_html() {
    let mut warm = blog();
    warm.browser.cache = Cache::Warm;
    for p in [Protocol::Http1, Protocol::Http2] {
        let cold = run(&blog(), p);
        let l = run(&warm, p);
        let sent = l
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::RequestSent { .. }))
            .count();
        assert_eq!(sent, 1, "{p}");
        assert_eq!(l.metrics.connections, 1, "{p}");
        assert_eq!(l.metrics.bytes_payload, 38_000, "{p}");
        assert_eq!(l.assets[0].source, Source::Request);
        for a in &l.assets[1..] {
            assert_eq!(a.source, Source::Cache, "{p} {}", a.path);
            assert_eq!(a.connect, None, "{p} {}", a.path);
            assert_eq!(a.stream, None, "{p} {}", a.path);
            assert_eq!(
                (
                    a.request_sent.unwrap(),
                    a.first_byte.unwrap(),
                    a.last_byte.unwrap()
                ),
                (a.discovered, a.discovered, a.discovered),
                "{p} {}",
                a.path
            );
        }
        // The fonts: found once the cached main.css (72 kB at 10 µs/KiB: 703 µs) is
        // parsed.
        let css = l.assets[1].discovered;
        for f in &l.assets[14..] {
            assert_eq!(
                f.discovered,
                css + SimDuration::from_micros(703),
                "{}",
                f.path
            );
        }
        eprintln!(
            "{p}: warm load {} bytes {}, cold load {} bytes {}",
            l.metrics.load.unwrap(),
            l.metrics.bytes_total,
            cold.metrics.load.unwrap(),
            cold.metrics.bytes_total
        );
        assert!(l.metrics.bytes_total * 10 < cold.metrics.bytes_total, "{p}");
        assert!(l.metrics.load.unwrap() < cold.metrics.load.unwrap(), "{p}");
    }
}

/// The fonts are named inside main.css but found only when it has fully arrived and
/// been parsed: 72,000 bytes at 10 µs per KiB = 703 µs after its last byte.
#[test]
fn fonts_are_found_after_their_css_is_parsed() {
    let s = blog();
    for p in [Protocol::Http1, Protocol::Http2] {
        let l = run(&s, p);
        let css = &l.assets[1];
        assert_eq!(css.path, "/css/main.css");
        for f in &l.assets[14..] {
            assert_eq!(f.kind, AssetKind::Font);
            assert_eq!(
                f.discovered,
                css.last_byte.unwrap() + SimDuration::from_micros(703),
                "{p} {}",
                f.path
            );
            assert!(f.request_sent.unwrap() >= f.discovered);
        }
    }
}

/// A slowly generated HTML that flushes its first 3,000 bytes (the <head>, naming both
/// stylesheets and the scripts) at once and the rest 400 ms later: the CSS is requested
/// (on a new connection, the first being busy with the HTML) before the server has
/// produced the rest of the HTML, and its bytes start arriving before the HTML's last.
#[test]
fn early_flush_lets_css_start_before_the_rest_of_the_html() {
    let mut s = blog();
    s.page.assets[0].release = vec![
        Release {
            after: SimDuration::ZERO,
            bytes: 3_000,
        },
        Release {
            after: SimDuration::from_millis(400),
            bytes: 38_000,
        },
    ];
    let plain = run(&blog(), Protocol::Http1);
    let mut per_write = blog();
    per_write.server.tls_records = TlsRecords::PerWrite;
    let per_write = run(&per_write, Protocol::Http1);
    let l = run(&s, Protocol::Http1);
    let html = &l.assets[0];
    // The flush ends nginx's pass: the head and the first 3,000 bytes leave as one record
    // of 3,2xx bytes, inside the initial window, a round trip before the whole HTML's
    // first 16 KiB record (which needs twelve segments), and a few milliseconds of
    // serialisation (three segments instead of one) after a record per write.
    let (flushed, whole, own) = (
        html.first_byte.unwrap(),
        plain.assets[0].first_byte.unwrap(),
        per_write.assets[0].first_byte.unwrap(),
    );
    assert!(
        flushed + SimDuration::from_millis(90) < whole,
        "{flushed:?} {whole:?}"
    );
    assert!(
        own < flushed && flushed < own + SimDuration::from_millis(5),
        "{flushed:?} {own:?}"
    );
    // The rest is produced 400 ms after the request reached the server (50 ms one way):
    // it arrives after request + 450 ms.
    assert!(
        html.last_byte
            .unwrap()
            .saturating_since(html.request_sent.unwrap())
            > SimDuration::from_millis(450),
        "{html:?}"
    );
    for css in &l.assets[1..3] {
        assert_eq!(css.kind, AssetKind::Css);
        // Found in the first flush: its 3,000-byte record lands a couple of
        // milliseconds of serialisation after the response head.
        assert!(css.discovered < html.first_byte.unwrap() + SimDuration::from_millis(5));
        // Requested after a new connection's two set-up round trips (~210 ms), well
        // before the rest is produced (request + 400 ms + half a round trip).
        assert!(
            css.request_sent.unwrap() < html.request_sent.unwrap() + SimDuration::from_millis(400)
        );
        assert!(
            css.first_byte.unwrap() < html.last_byte.unwrap(),
            "{css:?} {html:?}"
        );
    }
}

/// HTTP/2 at 0 % loss with the RFC 9218 sequential scheduler: the images' responses are
/// ready at the server long before their turn (the stylesheets, scripts and fonts go
/// first, as fast as the congestion window lets them), so each image that waited is
/// charged a `CongestionWindow` interval that starts once its request reached the server
/// and ends when its HEADERS frame went out — inside its wait for the first byte.
#[test]
fn http2_responses_waiting_for_the_window_say_so() {
    let s = blog();
    let l = run(&s, Protocol::Http2);
    let cw = |a: &AssetTiming| -> Vec<Blocked> {
        blocked_by(a, |c| matches!(c, BlockedCause::CongestionWindow { .. }))
            .copied()
            .collect()
    };
    let hero = l.assets.iter().find(|a| a.path == "/img/hero.jpg").unwrap();
    let waits = cw(hero);
    assert_eq!(waits.len(), 1, "{:?}", hero.blocked);
    let w = waits[0];
    // From the request's arrival (half a round trip after it was sent) to the HEADERS
    // frame's departure, which is at least half a round trip before the first byte.
    let half = s.network.rtt.half();
    assert!(
        w.from >= hero.request_sent.unwrap() + half,
        "{w:?} {hero:?}"
    );
    assert!(w.to + half <= hero.first_byte.unwrap(), "{w:?} {hero:?}");
    // It waited behind the critical assets: hundreds of milliseconds.
    assert!(
        w.to.saturating_since(w.from) > SimDuration::from_millis(100),
        "{w:?}"
    );
    // The HTML's own response was ready at once and went out at once.
    assert!(cw(&l.assets[0]).is_empty(), "{:?}", l.assets[0].blocked);
    // HTTP/1.1 writes each response the moment its request arrives: no such waits.
    let h1 = run(&s, Protocol::Http1);
    assert!(h1.assets.iter().all(|a| cw(a).is_empty()));
}
