//! The HTTP/3 lane seen as a user of `lane::run` sees it: handshakes and 0-RTT, QPACK,
//! priorities, loss recovery, and the literature's claims about QUIC (Marx et al.). Past 600
//! lines because each claim keeps its derivation and measured figures beside its test;
//! they share the scenario helpers at the top.

use super::*;
use crate::browser::priority::chrome_priority;
use crate::http::h3::Scheduling;
use crate::lane::quic::lane_config;
use crate::link::LossModel;
use crate::options::Cache;
use crate::page::AssetKind;
use crate::page::{PresetId, Release};
use crate::time::SimDuration;

fn blog() -> Scenario {
    Scenario::preset(PresetId::Blog)
}

/// The downlink serialisation of one full quic-go datagram before path MTU discovery:
/// 1,252 bytes of UDP payload (`InitialPacketSizeIPv4`) and 28 of UDP/IPv4 headers at the
/// preset's 10 Mbit/s.
fn second_datagram() -> SimDuration {
    SimDuration::serialisation(
        crate::transport::quic::stack::QUIC_GO_INITIAL_PACKET_SIZE
            + crate::transport::quic::packet::UDP_IP_OVERHEAD,
        blog().network.downlink_bps,
    )
}

fn lane(s: &Scenario, p: Protocol) -> Lane {
    run(s, p)
}

/// QUIC's handshake carries TLS (RFC 9001 §4): one round trip before the first request,
/// where TCP + TLS 1.3 take two.
#[test]
fn h3_html_first_byte_is_a_round_trip_ahead_of_tcp() {
    let s = blog();
    assert_eq!(s.network.rtt, SimDuration::from_millis(100));
    let h1 = lane(&s, Protocol::Http1);
    let h2 = lane(&s, Protocol::Http2);
    let h3 = lane(&s, Protocol::Http3);
    let (t1, t2, t3) = (
        h1.metrics.ttfb.unwrap().as_micros(),
        h2.metrics.ttfb.unwrap().as_micros(),
        h3.metrics.ttfb.unwrap().as_micros(),
    );
    assert!(t3 + 80_000 < t2, "h3 {t3} µs, h2 {t2} µs");
    assert!(t3 + 80_000 < t1, "h3 {t3} µs, h1 {t1} µs");
    // Two round trips (handshake, request) plus serialisation.
    assert!((200_000..260_000).contains(&t3), "{t3} µs");
    let c = &h3.connections[0];
    assert_eq!(c.tcp_established, c.tls_established);
    assert!(c.tls_established.as_micros() >= 100_000);
    assert_eq!(h3.assets[0].request_sent.unwrap(), c.tls_established);
    assert_eq!(
        h3.assets[0].connect,
        Some(ConnectPhases {
            start: SimTime::ZERO,
            tcp_end: c.tls_established,
            tls_end: c.tls_established,
        })
    );
    assert!(h3.assets[1..].iter().all(|a| a.connect.is_none()));
    assert!(!c.cwnd.is_empty() && !c.rtt.is_empty());
}

#[test]
fn all_blog_assets_complete_causally_on_one_connection() {
    let mut lossy = blog();
    lossy.network.loss = LossModel::Random { ppm: 30_000 };
    lossy.network.seed = 11;
    for s in [blog(), lossy] {
        let l = lane(&s, Protocol::Http3);
        assert_eq!(l.protocol, Protocol::Http3);
        assert_eq!(l.assets.len(), 16);
        assert_eq!(l.metrics.connections, 1);
        assert_eq!(l.connections.len(), 1);
        let done = l
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Complete { .. }))
            .count();
        assert_eq!(done, 16);
        // Client-initiated bidirectional streams: 0, 4, 8, ... (RFC 9000 §2.1).
        let mut streams: Vec<u64> = l.assets.iter().map(|a| a.stream.unwrap().0).collect();
        streams.sort_unstable();
        assert_eq!(streams, (0..16).map(|i| 4 * i).collect::<Vec<_>>());
        for a in &l.assets {
            assert_eq!(a.connection, CONN);
            assert!(a.discovered <= a.request_sent.unwrap(), "{}", a.path);
            assert!(
                a.request_sent.unwrap() < a.first_byte.unwrap(),
                "{}",
                a.path
            );
            assert!(a.first_byte.unwrap() <= a.last_byte.unwrap(), "{}", a.path);
            assert!(a.request_header_bytes > 0 && a.response_header_bytes > 0);
            if let Some(d) = s.page.asset(a.asset).discovered_by {
                let parent = &l.assets[d.parent.0 as usize];
                assert!(a.discovered >= parent.first_byte.unwrap(), "{}", a.path);
                if d.parsed {
                    // The fonts: found once main.css has arrived and been parsed, 72,000
                    // bytes at 10 µs/KiB = 703 µs later (model::parsed_at).
                    assert_eq!(
                        a.discovered,
                        parent.last_byte.unwrap() + SimDuration::from_micros(703),
                        "{}",
                        a.path
                    );
                } else {
                    assert!(a.discovered <= parent.last_byte.unwrap(), "{}", a.path);
                }
            }
            for b in &a.blocked {
                assert!(b.from < b.to && b.to <= a.last_byte.unwrap(), "{b:?}");
                match b.cause {
                    BlockedCause::QuicStreamHeadOfLine { stream, .. } => {
                        assert_eq!(Some(stream), a.stream, "{}", a.path)
                    }
                    // Chrome's scheduler held the request from its discovery until it went.
                    BlockedCause::Scheduler => {
                        assert_eq!((b.from, Some(b.to)), (a.discovered, a.request_sent))
                    }
                    _ => panic!("{}: {b:?}", a.path),
                }
            }
        }
        assert!(l.events.windows(2).all(|w| w[0].at <= w[1].at));
        // Every body byte went out once as a first transmission.
        assert_eq!(
            l.metrics.bytes_payload,
            s.page.assets.iter().map(|a| a.size).sum::<u64>()
        );
        let m = &l.metrics;
        assert_eq!(
            m.bytes_total,
            m.bytes_headers
                + m.bytes_payload
                + m.bytes_framing
                + m.bytes_handshake
                + m.bytes_retransmitted
        );
    }
}

#[test]
fn same_scenario_same_lane() {
    let mut s = blog();
    s.network.loss = LossModel::Random { ppm: 20_000 };
    s.network.seed = 5;
    assert_eq!(lane(&s, Protocol::Http3), lane(&s, Protocol::Http3));
    let mut other = s.clone();
    other.network.seed = 6;
    assert_ne!(lane(&s, Protocol::Http3), lane(&other, Protocol::Http3));
}

/// Chrome's urgencies go out as the RFC 9218 `priority` field, and the server answers
/// round-robin regardless: quic-go v0.29 reads no priorities (`framer.go
/// AppendStreamFrames` serves the streams in turn); an RFC-only server follows the
/// scenario's scheduler.
#[test]
fn chrome_priorities() {
    assert_eq!(
        crate::http::h3::priority_field(chrome_priority(AssetKind::Html)).as_deref(),
        Some("u=0, i")
    );
    assert_eq!(chrome_priority(AssetKind::Css).urgency, 0);
    assert_eq!(chrome_priority(AssetKind::Js).urgency, 1);
    assert!(chrome_priority(AssetKind::Image).incremental);
    // quic-go's server (the default) is round-robin whatever the scenario says.
    let mut s = blog();
    assert_eq!(lane_config(&s).scheduling, Scheduling::RoundRobin);
    assert!(!lane_config(&s).quic.zero_rtt);
    // An RFC-only server: the scenario's scheduler, RFC 9218 §10 by these urgencies by
    // default, or round-robin.
    s.http3.rfc_only = true;
    assert_eq!(lane_config(&s).scheduling, Scheduling::ClientPriority);
    s.server.scheduler = SchedulerKind::RoundRobin;
    s.http3.zero_rtt = true;
    assert_eq!(lane_config(&s).scheduling, Scheduling::RoundRobin);
    assert!(lane_config(&s).quic.zero_rtt);
}

/// With 0-RTT (a resumed session) the HTML's request rides in the first flight.
#[test]
fn zero_rtt_sends_the_html_request_at_once() {
    let mut s = blog();
    s.http3.zero_rtt = true;
    let l = lane(&s, Protocol::Http3);
    assert_eq!(l.assets[0].request_sent.unwrap(), SimTime::ZERO);
    let one = lane(&blog(), Protocol::Http3);
    assert!(l.metrics.ttfb.unwrap().as_micros() + 80_000 < one.metrics.ttfb.unwrap().as_micros());
    assert_eq!(
        l.events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Complete { .. }))
            .count(),
        16
    );
}

/// The blog's HTML generated with think time: its head and first 4,000 bytes are ready
/// `head_ms` after the request arrives, the rest at `rest_ms`.
fn slow_html(head_ms: u64, rest_ms: u64) -> Scenario {
    let mut s = blog();
    s.page.assets[0].release = vec![
        Release {
            after: SimDuration::from_millis(head_ms),
            bytes: 4_000,
        },
        Release {
            after: SimDuration::from_millis(rest_ms),
            bytes: 38_000,
        },
    ];
    s
}

/// A repeat visit: only the HTML goes over the network; every static asset comes from
/// the cache at its discovery, and the fonts once main.css (itself from the cache) is
/// parsed.
#[test]
fn warm_cache_fetches_only_the_html() {
    let mut s = blog();
    s.browser.cache = Cache::Warm;
    let l = lane(&s, Protocol::Http3);
    let html = &l.assets[0];
    assert_eq!(
        (html.stream, html.source),
        (Some(StreamId(0)), Source::Request)
    );
    for a in &l.assets[1..] {
        assert_eq!((a.stream, a.source), (None, Source::Cache), "{}", a.path);
        assert_eq!(a.request_sent.unwrap(), a.discovered, "{}", a.path);
        assert_eq!(a.first_byte.unwrap(), a.discovered, "{}", a.path);
        assert_eq!(a.last_byte.unwrap(), a.discovered, "{}", a.path);
        assert!(
            a.discovered >= html.first_byte.unwrap() && a.discovered <= html.last_byte.unwrap()
        );
    }
    // main.css is referenced at byte 1,200, past what the first 1,252-byte datagram of
    // quic-go carries of the body: it comes in the second, sent right behind the first
    // (the pacer's initial burst), one serialisation of 1,280 IP bytes later.
    assert_eq!(
        l.assets[1].discovered,
        html.first_byte.unwrap() + second_datagram()
    );
    // 72,000 bytes of CSS at 10 µs/KiB: 703 µs of parsing (model::parsed_at).
    let css = l.assets[1].last_byte.unwrap();
    assert_eq!(l.assets[14].discovered, css + SimDuration::from_micros(703));
    // One request, one response body on the wire; the load ends with the HTML.
    assert_eq!(l.metrics.bytes_payload, 38_000);
    assert_eq!(
        l.metrics.load.unwrap(),
        html.last_byte.unwrap().saturating_since(SimTime::ZERO)
    );
    assert_eq!(
        l.events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::RequestSent { .. }))
            .count(),
        1
    );
}

/// The server sends the HEADERS frame when the response's first part is ready and the
/// rest of the body as it is released (`page::Release`).
#[test]
fn server_think_time_delays_the_head_and_the_rest_of_the_body() {
    let fast = lane(&blog(), Protocol::Http3);
    let slow = lane(&slow_html(300, 400), Protocol::Http3);
    let (f, s) = (&fast.assets[0], &slow.assets[0]);
    // The path is idle while the server thinks, so the head arrives exactly 300 ms later.
    assert_eq!(
        s.first_byte.unwrap(),
        f.first_byte.unwrap() + SimDuration::from_millis(300),
        "{} vs {}",
        s.first_byte.unwrap().as_micros(),
        f.first_byte.unwrap().as_micros()
    );
    // main.css is referenced in the early-flushed 4,000 bytes, in their second datagram
    // (see `warm_cache_fetches_only_the_html`).
    assert_eq!(
        slow.assets[1].discovered,
        s.first_byte.unwrap() + second_datagram()
    );
    // The rest leaves the server 100 ms after the first part, so it cannot arrive sooner.
    assert!(s.last_byte.unwrap() >= s.first_byte.unwrap() + SimDuration::from_millis(100));
    // Images referenced past byte 4,000 wait for it.
    assert!(slow.assets[7].discovered >= s.first_byte.unwrap() + SimDuration::from_millis(100));
}

/// 103 Early Hints (RFC 8297) on the HTML's stream: while the server generates the page,
/// the browser already fetches the critical CSS and JS, and paints sooner.
#[test]
fn early_hints_start_critical_requests_during_think_time() {
    let mut hinted = slow_html(300, 400);
    hinted.server.early_hints = true;
    let h = lane(&hinted, Protocol::Http3);
    let plain = lane(&slow_html(300, 400), Protocol::Http3);
    let html = &h.assets[0];
    let critical = PushPolicy::Critical.assets(&hinted.page);
    assert_eq!(critical, [1, 2, 3, 4].map(AssetId));
    for a in &h.assets[1..] {
        let early = critical.contains(&a.asset);
        let want = if early {
            Source::EarlyHint
        } else {
            Source::Request
        };
        assert_eq!(a.source, want, "{}", a.path);
        if early {
            // The hint leaves as the request arrives, 300 ms before the page's head.
            assert!(a.discovered + SimDuration::from_millis(290) < html.first_byte.unwrap());
            assert_eq!(a.request_sent.unwrap(), a.discovered);
        }
    }
    // The final response's header block is what it was without the hint.
    assert_eq!(
        html.response_header_bytes,
        plain.assets[0].response_header_bytes
    );
    // Render-blocking CSS and JS were in flight during the think time: first paint
    // comes more than 150 ms sooner (measured: 888 ms against 1,131 ms).
    assert!(
        h.metrics.first_paint.unwrap() + SimDuration::from_millis(150)
            < plain.metrics.first_paint.unwrap(),
        "{:?} vs {:?}",
        h.metrics.first_paint.unwrap(),
        plain.metrics.first_paint.unwrap()
    );
    // Without think time the hint shares the HTML's first datagram.
    let mut quick = blog();
    quick.server.early_hints = true;
    let q = lane(&quick, Protocol::Http3);
    assert_eq!(q.assets[1].discovered, q.assets[0].first_byte.unwrap());
    assert_eq!(q.assets[1].source, Source::EarlyHint);
}

/// RFC 9218 §10 scheduling by Chrome's urgencies sends the render-blocking CSS (u=0) and
/// scripts (u=1) ahead of the images (u=3); round-robin shares the path with the images
/// Chrome has let out before `<body>` (the two boosted ones, the 180 KB hero among them:
/// browser::schedule), so first paint waits (blog, 0 % loss, RFC-only QUIC: 785 ms against
/// 999 ms; 1,198 ms before the model held the other images back). The deployed quic-go
/// server is round-robin whatever the scenario's scheduler, so there the choice changes
/// nothing.
#[test]
fn sequential_scheduling_paints_sooner_than_round_robin() {
    let mut rfc = blog();
    rfc.http3.rfc_only = true;
    let seq = lane(&rfc, Protocol::Http3);
    let mut s = rfc.clone();
    s.server.scheduler = SchedulerKind::RoundRobin;
    let rr = lane(&s, Protocol::Http3);
    let (a, b) = (
        seq.metrics.first_paint.unwrap(),
        rr.metrics.first_paint.unwrap(),
    );
    // The hero's 180 KB alone take 144 ms of the 10 Mbit/s path.
    assert!(a + SimDuration::from_millis(150) < b, "{a:?} vs {b:?}");
    let mut rr_quic_go = blog();
    rr_quic_go.server.scheduler = SchedulerKind::RoundRobin;
    assert_eq!(
        lane(&blog(), Protocol::Http3).metrics,
        lane(&rr_quic_go, Protocol::Http3).metrics
    );
}

/// Datagrams of an RFC-only lane: the client's Initial is padded to 1,200 bytes (RFC 9000
/// §14.1), and the server's 1-RTT datagrams fill the 1,472-byte payload of a 1,500-byte
/// MTU once the handshake is confirmed (RFC 9000 §14.3). The deployed stacks: Chromium's
/// datagrams are 1,250 bytes (`kDefaultMaxPacketSize`, its Initial padded to all of it),
/// quic-go's 1,252 (`InitialPacketSizeIPv4`) until its path MTU search
/// (`mtu_discoverer.go`), 5 smoothed RTTs after the handshake is confirmed, has a probe
/// of (1,252 + 1,452) / 2 = 1,352 bytes acknowledged (`transport::quic::tests` follows
/// the search to its end).
#[test]
fn lane_datagrams_use_the_ethernet_path_mtu() {
    let sizes = |s: &Scenario| -> Vec<(SimTime, Direction, u64)> {
        lane(s, Protocol::Http3)
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::PacketSent { dir, len, .. } => Some((e.at, dir, len)),
                _ => None,
            })
            .collect()
    };
    let mut rfc = blog();
    rfc.http3.rfc_only = true;
    let sent = sizes(&rfc);
    assert_eq!(
        sent.first().map(|s| (s.1, s.2)),
        Some((Direction::Up, 1_200))
    );
    let down = sent.iter().filter(|s| s.1 == Direction::Down);
    assert_eq!(down.clone().map(|s| s.2).max(), Some(1_472));
    // About 1 MB of bodies: most downlink datagrams are full.
    let full = down.filter(|s| s.2 == 1_472).count();
    assert!(full > 650, "{full}");

    let sent = sizes(&blog());
    assert_eq!(
        sent.first().map(|s| (s.1, s.2)),
        Some((Direction::Up, 1_250))
    );
    assert!(sent
        .iter()
        .filter(|s| s.1 == Direction::Up)
        .all(|s| s.2 <= 1_250));
    let down: Vec<_> = sent.iter().filter(|s| s.1 == Direction::Down).collect();
    let probe = down
        .iter()
        .position(|s| s.2 > 1_252)
        .expect("a path MTU probe within the load");
    assert_eq!(down[probe].2, 1_352);
    // The handshake is confirmed a round trip after the client's first flight; the probe
    // waits 5 smoothed RTTs (at least 5 × 100 ms) after that.
    assert!(
        down[probe].0 > SimTime::from_millis(100 + 500),
        "{:?}",
        down[probe].0
    );
    assert!(down[probe + 1..].iter().all(|s| s.2 <= 1_352));
    // Queueing stretches the smoothed RTT, so the probe goes late in the load (here at
    // 895 ms): most of its datagrams are 1,252 bytes (615 of 946; before Chrome's tight
    // mode held the images back, the queue was longer and the probe later still).
    let full_before = down[..probe].iter().filter(|s| s.2 == 1_252).count();
    assert!(
        full_before * 2 > down.len(),
        "{full_before} of {}",
        down.len()
    );
}

/// The streaming preset: `/api/live` is answered over one stream whose 10 chunks the
/// server releases 500 ms apart, so its last byte comes 4.5 s and a round trip after
/// the request.
#[test]
fn live_json_streams_its_chunks_over_one_stream() {
    let s = Scenario::preset(PresetId::Streaming);
    let l = lane(&s, Protocol::Http3);
    let live = l.assets.iter().find(|a| a.path == "/api/live").unwrap();
    assert!(live.stream.is_some());
    // The request takes 50 ms to reach the server, the last chunk is released 4.5 s
    // later and takes 50 ms back (plus serialisation and queueing behind images).
    let span = live
        .last_byte
        .unwrap()
        .saturating_since(live.request_sent.unwrap())
        .as_micros();
    assert!((4_600_000..4_700_000).contains(&span), "{span} µs");
    // live.js is found in the early flush and run before /api/live is requested.
    let js = &l.assets[3];
    assert_eq!(js.path, "/js/live.js");
    assert!(js.last_byte.unwrap() < live.discovered);
}

/// QUIC's first byte arrives one round trip before TCP + TLS 1.3's, and 0-RTT saves
/// another: QUIC carries the TLS 1.3 handshake in its own (RFC 9001 §4), one round trip
/// before the request, where TCP's handshake (RFC 9293 §3.5) and then TLS 1.3's (RFC
/// 8446 §2) take two; a resumed session sends the request in the first flight (RFC 9001
/// §4.6.1). Langley et al., "The QUIC Transport Protocol", SIGCOMM 2017, §2 and Fig. 4,
/// measure the same one- and zero-round-trip handshakes. Blog, RTT 100 ms, 0 % loss; the
/// TCP server sends each write in its own records, so only the handshakes differ.
///
/// With nginx's default 16 KiB records the blog's first byte over h2 is one round trip
/// later still (the first record does not fit the initial window): two round trips behind
/// h3, as the rig measured it (docs/validation.md: 418 ms and 209 ms).
#[test]
fn quic_first_byte_is_one_rtt_ahead_and_zero_rtt_one_more() {
    let mut s = blog();
    s.server.tls_records = TlsRecords::PerWrite;
    let rtt = s.network.rtt.as_micros() as i64;
    assert_eq!(rtt, 100_000);
    let ttfb = |s: &Scenario, p| lane(s, p).metrics.ttfb.unwrap().as_micros() as i64;
    let h2 = ttfb(&s, Protocol::Http2);
    let h3 = ttfb(&s, Protocol::Http3);
    let mut z = blog();
    z.http3.zero_rtt = true;
    let h3_0rtt = ttfb(&z, Protocol::Http3);
    // Measured: h2 309,384 µs, h3 211,407 µs, h3 with 0-RTT 106,878 µs.
    assert!((h2 - h3 - rtt).abs() <= 10_000, "h2 {h2} µs, h3 {h3} µs");
    let nginx = ttfb(&blog(), Protocol::Http2);
    assert!(
        (nginx - h3 - 2 * rtt).abs() <= 10_000,
        "h2 with 16 KiB records {nginx} µs, h3 {h3} µs"
    );
    assert!(
        (h3 - h3_0rtt - rtt).abs() <= 10_000,
        "h3 {h3} µs, 0-RTT {h3_0rtt} µs"
    );
}

/// Median page load (µs) of HTTP/2 and HTTP/3 over seeds 1–20 of the blog at 2 %
/// random loss, RTT 100 ms, with the server scheduler `kind` (`rfc_only`: RFC-only QUIC,
/// whose server follows `kind`; the deployed quic-go server is round-robin whatever it).
fn lossy_medians(kind: SchedulerKind, rfc_only: bool) -> (u64, u64) {
    let median = |mut v: Vec<u64>| {
        v.sort_unstable();
        (v[9] + v[10]) / 2
    };
    let (mut h2, mut h3) = (Vec::new(), Vec::new());
    for seed in 1..=20 {
        let mut s = blog();
        s.network.loss = LossModel::Random { ppm: 20_000 };
        s.network.seed = seed;
        s.server.scheduler = kind;
        s.http3.rfc_only = rfc_only;
        h2.push(lane(&s, Protocol::Http2).metrics.load.unwrap().as_micros());
        h3.push(lane(&s, Protocol::Http3).metrics.load.unwrap().as_micros());
    }
    (median(h2), median(h3))
}

/// Marx et al., "Resolving a Ghost: head-of-line blocking in QUIC and HTTP/3" (2020):
/// under random loss HTTP/3 loads no slower than HTTP/2 when the server multiplexes
/// round-robin, since a loss stalls only the streams in the lost packet instead of the
/// whole TCP byte stream. Blog, RTT 100 ms, 2 % loss, 20 seeds, the deployed stacks.
/// Measured: h2 6.94 s, h3 5.64 s (9.27 s and 8.45 s before Chrome's tight mode held the
/// images back until `<body>`).
#[test]
fn h3_median_load_no_slower_than_h2_under_loss_round_robin() {
    let (h2, h3) = lossy_medians(SchedulerKind::RoundRobin, false);
    assert!(h3 <= h2, "median load: h2 {h2} µs, h3 {h3} µs");
}

/// Marx et al. (as above): with sequential scheduling only one stream is in flight at a
/// time, so QUIC's independent streams have little head-of-line blocking to remove and
/// HTTP/3's advantage over HTTP/2 shrinks. RFC-only QUIC, whose server follows the
/// scenario's scheduler (the deployed quic-go server is round-robin whatever it says).
/// Measured: round-robin h2 6.94 s, h3 6.69 s (gap 0.25 s); sequential h2 6.95 s, h3
/// 6.81 s (gap 0.14 s). Medians of noisy loads: the mechanism test below is the firmer one.
#[test]
fn h3_advantage_shrinks_with_sequential_scheduling() {
    let (h2_rr, h3_rr) = lossy_medians(SchedulerKind::RoundRobin, true);
    let (h2_seq, h3_seq) = lossy_medians(SchedulerKind::Sequential, true);
    let gap_rr = h2_rr as i64 - h3_rr as i64;
    let gap_seq = h2_seq as i64 - h3_seq as i64;
    assert!(
        gap_seq < gap_rr,
        "h2 − h3 median load: sequential {gap_seq} µs (h2 {h2_seq}, h3 {h3_seq}), \
         round-robin {gap_rr} µs (h2 {h2_rr}, h3 {h3_rr})"
    );
}

/// The scenario's congestion controller drives QUIC too: at its first loss NewReno
/// halves the window (RFC 9002 §7.3.2, kLossReductionFactor 0.5) and CUBIC keeps 70 %
/// of it (RFC 9438 §4.6, beta_cubic 0.7).
#[test]
fn quic_follows_the_scenario_congestion_controller() {
    let first_cut = |algorithm, rfc_only| {
        let mut s = blog();
        s.http3.rfc_only = rfc_only;
        s.network.loss = LossModel::Random { ppm: 20_000 };
        s.network.seed = 3;
        s.transport.congestion = algorithm;
        let l = lane(&s, Protocol::Http3);
        let cwnd = &l.connections[0].cwnd;
        let k = cwnd
            .iter()
            .position(|c| c.ssthresh.is_some())
            .expect("a loss at 2 %");
        (cwnd[k - 1].cwnd, cwnd[k].ssthresh.unwrap_or(0))
    };
    use crate::transport::cc::Algorithm;
    // The window is sampled once per datagram handled, so ACKs in the same datagram as
    // the loss may have grown it a little past the last sample before the cut: the
    // ratio to that sample sits just above the factor, within 10 %.
    let (before, after) = first_cut(Algorithm::NewReno, true);
    assert!(
        after * 100 >= before * 50 && after * 100 < before * 55,
        "NewReno: {before} → {after}"
    );
    let (before, after) = first_cut(Algorithm::Cubic, true);
    assert!(
        after * 100 >= before * 70 && after * 100 < before * 77,
        "CUBIC: {before} → {after}"
    );
    // The deployed quic-go server runs its own controller whatever the scenario names:
    // Reno with renoBeta = 0.7 (`cubic_sender.go OnPacketLost`).
    for algorithm in [Algorithm::NewReno, Algorithm::Cubic] {
        let (before, after) = first_cut(algorithm, false);
        assert!(
            after * 100 >= before * 70 && after * 100 < before * 77,
            "quic-go with {algorithm:?}: {before} → {after}"
        );
    }
}

/// Head-of-line-blocked stream time of a lane: the sum over assets of their stalls behind
/// a lost TCP segment or a lost QUIC packet, µs; and the number of such stalls.
fn hol_stream_time(l: &Lane) -> (u64, u64) {
    let mut total = 0;
    let mut count = 0;
    for a in &l.assets {
        for b in &a.blocked {
            if matches!(
                b.cause,
                BlockedCause::TcpHeadOfLine { .. } | BlockedCause::QuicStreamHeadOfLine { .. }
            ) {
                total += b.to.saturating_since(b.from).as_micros();
                count += 1;
            }
        }
    }
    (total, count)
}

/// Marx et al.'s claim by its mechanism (issue 15, item 1), not by load medians that
/// differ by noise: blog, RTT 100 ms, 2 % loss, seeds 1–20. With round-robin many streams
/// are in flight, so a lost TCP segment stalls all of them while a lost QUIC packet stalls
/// only the streams whose frames it carried: HTTP/3's head-of-line-blocked stream time is
/// a small share of HTTP/2's. With sequential scheduling one stream is in flight at a time,
/// so each TCP loss stalls fewer streams: HTTP/2's blocked stream time falls, and with it
/// what QUIC can save. Measured (stream time summed over assets and seeds, stalls):
/// round-robin h2 69.9 s in 807 stalls, h3 34.1 s in 287; sequential h2 52.6 s in 580
/// (the deployed quic-go server schedules its own way, so h3 is the same under both).
#[test]
fn quic_removes_the_stream_time_tcp_stalls_and_round_robin_has_more_of_it() {
    let totals = |kind: SchedulerKind| {
        let (mut h2, mut h3) = ((0u64, 0u64), (0u64, 0u64));
        for seed in 1..=20 {
            let mut s = blog();
            s.network.loss = LossModel::Random { ppm: 20_000 };
            s.network.seed = seed;
            s.server.scheduler = kind;
            let (a, b) = hol_stream_time(&lane(&s, Protocol::Http2));
            let (c, d) = hol_stream_time(&lane(&s, Protocol::Http3));
            h2 = (h2.0 + a, h2.1 + b);
            h3 = (h3.0 + c, h3.1 + d);
        }
        (h2, h3)
    };
    let (rr2, rr3) = totals(SchedulerKind::RoundRobin);
    let (seq2, seq3) = totals(SchedulerKind::Sequential);
    let why = format!("round-robin: h2 {rr2:?}, h3 {rr3:?}; sequential: h2 {seq2:?}, h3 {seq3:?}");
    // QUIC stalls far less stream time, in far fewer stalls, than TCP under round-robin.
    assert!(rr3.0 * 10 <= rr2.0 * 6 && rr3.1 * 2 <= rr2.1, "{why}");
    // Sequential scheduling leaves TCP fewer streams to stall per loss…
    assert!(seq2.0 * 100 <= rr2.0 * 85 && seq2.1 < rr2.1, "{why}");
    // …so what QUIC removes shrinks.
    assert!(seq2.0 - seq3.0.min(seq2.0) < rr2.0 - rr3.0, "{why}");
}
