use super::*;
use crate::link::LossModel;
use crate::page::{Asset, AssetKind, Page};

/// An image gallery: a 20 kB HTML whose markup names twelve JPEGs of 200–420 kB
/// (about 3.7 MB in all), each reference 1,500 bytes after the last. Large objects are
/// the case Wang et al. ("How Speedy is SPDY?", NSDI 2014, §5) found SPDY losing on under
/// loss: the transfer is long enough for congestion control to dominate, and there are
/// no small requests whose round trips multiplexing could save.
fn gallery() -> Scenario {
    let mut page = Page {
        name: "gallery".into(),
        host: "gallery.example".into(),
        assets: vec![Asset::new("/", AssetKind::Html, 20_000, None)],
    };
    for i in 0..12u64 {
        page.assets.push(Asset::new(
            format!("/img/photo-{i:02}.jpg"),
            AssetKind::Image,
            200_000 + (i * 7 % 12) * 20_000,
            Some((AssetId(0), 1_500 + i * 1_500)),
        ));
    }
    let mut s = Scenario::preset(crate::page::PresetId::Blog);
    s.page = page;
    s
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2
}

/// Issue 5, item 11: at 2 % random loss and RTT 100 and 200 ms, the gallery loads sooner
/// over six HTTP/1.1 connections than over one HTTP/2 connection (Wang et al., NSDI 2014:
/// one loss cuts SPDY's only congestion window, while HTTP/1.1's six windows back off one
/// at a time) — on every one of seeds 1..=20, paired, not only on the median — and by the
/// factor the mechanism gives (issue 15, item 1). At 2 % loss each TCP flow is held to
/// Mathis et al.'s rate, MSS/RTT · 1.22/√p = 1448 B / 100 ms · 8.63 = 125 kB/s, far below
/// the 10 Mbit/s link, so six flows carry about six times one: HTTP/2's one connection
/// needs 3.7 MB / 125 kB/s = 29.6 s (×2 at 200 ms), HTTP/1.1 about a sixth of that plus
/// the tail of its last connection. Measured: 32.5 s against 6.24 s at 100 ms (5.2×),
/// 57.6 s against 10.3 s at 200 ms (5.6×). The band, 4–6.5×, fails if the six flows stop
/// being independent (a shared window, a loss cutting all six) or if one HTTP/2
/// connection stops being loss-bound; HTTP/2's own median is held within 0.75–1.35× of
/// the one-flow time.
#[test]
fn large_objects_under_loss_load_sooner_over_six_http1_connections() {
    for rtt in [100u64, 200] {
        let mut s = gallery();
        s.network.rtt = SimDuration::from_millis(rtt);
        s.network.loss = LossModel::Random { ppm: 20_000 };
        let (mut h1, mut h2) = (Vec::new(), Vec::new());
        for seed in 1..=20 {
            s.network.seed = seed;
            h1.push(run(&s, Protocol::Http1).metrics.load.unwrap().as_micros());
            h2.push(run(&s, Protocol::Http2).metrics.load.unwrap().as_micros());
        }
        let wins = h1.iter().zip(&h2).filter(|(a, b)| a < b).count();
        assert_eq!(wins, 20, "rtt {rtt} ms: h1 {h1:?}\n h2 {h2:?}");
        let (m1, m2) = (median(h1.clone()), median(h2.clone()));
        let ratio = m2 as f64 / m1 as f64;
        eprintln!("rtt {rtt} ms: h1 median {m1} µs, h2 median {m2} µs, {ratio:.2}×");
        assert!(
            (4.0..=6.5).contains(&ratio),
            "rtt {rtt} ms: h2 / h1 = {ratio:.2} (h1 {m1} µs, h2 {m2} µs)"
        );
        let bytes: u64 = s.page.assets.iter().map(|a| a.size).sum();
        let mathis = 1_448.0 / (rtt as f64 / 1e3) * 1.22 / 0.02f64.sqrt();
        let one_flow_us = bytes as f64 / mathis * 1e6;
        let r = m2 as f64 / one_flow_us;
        assert!(
            (0.75..=1.35).contains(&r),
            "rtt {rtt} ms: h2 at {r:.2}× the one-flow time"
        );
    }
}

/// HyStart at 0 % loss on the blog preset, default path (RTT 100 ms, 10 Mbit/s, a
/// one-BDP drop-tail queue): with it, slow start overflows the queue less. TCP runs
/// Linux's HyStart (`tcp_cubic.c hystart_update`: ACK train and delay), QUIC the
/// delay-only one of `cc::hystart`. Figures (retransmissions with / without, load ms
/// with / without): h1 68 / 80, 1986.0 / 1984.9; h2 126 / 183, 1549.6 / 1549.6; h2-push
/// 3 / 183, 1439.9 / 1533.0; h3 129 / 203, 1308.0 / 1393.5. The ACK train cannot fire at
/// 10 Mbit/s once the client ACKs every second segment (2.4 ms apart, more than
/// `hystart_ack_delta_us` = 2 ms; the client is in ping-pong mode after sending its
/// requests); the delay test sees the queue only in the round after it starts to build,
/// so with a queue of one BDP the h1 lanes' six parallel slow starts and the h2 lane still
/// overflow it (so does real Linux: the rig drops 33–54 packets on blog over h1 at 0 %,
/// and 95 in four of five h2 runs); the pushed flights, which leave the queue empty at
/// each round's start, exit in time.
/// The h3 figures are those of RFC-only QUIC; the deployed quic-go server's
/// `HybridSlowStart` counts one sample per ACK frame, and Chromium acknowledges every
/// tenth packet from the 100th on, so its 8 samples span 80 packets and it finds the
/// rise too late to matter here (188 / 189, 1155.7 / 1154.7 ms): no worse, not better.
#[test]
fn hystart_cuts_slow_start_overflow_at_zero_loss() {
    let deployed = Scenario::preset(crate::page::PresetId::Blog);
    let mut deployed_without = deployed.clone();
    deployed_without.transport.hystart = false;
    let (a, b) = (
        run(&deployed, Protocol::Http3).metrics,
        run(&deployed_without, Protocol::Http3).metrics,
    );
    assert!(a.retransmissions <= b.retransmissions);
    assert!(a.load.unwrap().as_micros() * 100 <= b.load.unwrap().as_micros() * 102);
    let mut with = deployed;
    with.http3.rfc_only = true;
    let mut without = with.clone();
    without.transport.hystart = false;
    let (mut total_with, mut total_without) = (0, 0);
    for p in Protocol::ALL {
        let (a, b) = (run(&with, p).metrics, run(&without, p).metrics);
        let (la, lb) = (a.load.unwrap(), b.load.unwrap());
        eprintln!(
            "{p}: retransmissions {} / {}, load {la} / {lb}",
            a.retransmissions, b.retransmissions
        );
        assert!(a.retransmissions <= b.retransmissions, "{p}");
        // Loads no later than 2 % (mostly sooner: fewer retransmissions to wait for).
        assert!(
            la.as_micros() * 100 <= lb.as_micros() * 102,
            "{p}: {la} against {lb}"
        );
        total_with += a.retransmissions;
        total_without += b.retransmissions;
        match p {
            Protocol::Http2Push => {
                assert!(a.retransmissions * 50 <= b.retransmissions, "{p}")
            }
            Protocol::Http3 => assert!(a.retransmissions * 3 <= b.retransmissions * 2, "{p}"),
            _ => {}
        }
    }
    // 326 against 649 in all: about half.
    assert!(
        total_with * 100 <= total_without * 51,
        "{total_with} / {total_without}"
    );
}
