//! Monotonicity and sanity laws of the whole engine (issue 15, item 2).
//!
//! At 0 % loss a page must not load sooner when the round trip grows or the bandwidth
//! shrinks: a student dragging a slider would see the tool contradict itself. Two
//! mechanisms make a real stack (and so the engine) depart from a strict order, and each is
//! allowed only as far as it reaches:
//!
//! 1. **ACK clocking** (lossless runs, at most [`ACK_CLOCK_TOLERANCE`]): a window-limited
//!    load grows its window per acknowledgement, and how many ACKs a flight draws, and when,
//!    depends on how long the flight takes to arrive (Linux's delayed ACK, `tcp_send_delayed_ack`;
//!    Chromium's QUIC receiver acknowledging every 10th packet after the 100th or on its
//!    25 ms timer, `QuicReceivedPacketManager::MaybeUpdateAckTimeout`). Seen: `tiles` over
//!    HTTP/3, 20 → 50 Mbit/s, 595.4 → 605.5 ms (its third flight leaves in a burst and waits a
//!    round trip for ACKs that at 20 Mbit/s arrived spread out); `news` over HTTP/2,
//!    100 → 200 Mbit/s, 1111.2 → 1123.5 ms.
//! 2. **Slow start overflowing the drop-tail queue** (runs with retransmissions): where the
//!    overflow falls, which segments it drops and whether a tail drop ends in a
//!    retransmission timeout depend on the exact timing of several interleaved slow starts.
//!    The real stacks show the same chaos as run-to-run spread: the rig's `blog` over
//!    HTTP/1.1 at 0 % loss spans 11 % (100 ms) and 13 % (50 ms) across five loads of one
//!    configuration, with 33–105 queue drops (docs/validation/rig-2026-12-04.json). Up to
//!    [`OVERFLOW_TOLERANCE`] is allowed for that; a larger fall (up to
//!    [`OVERFLOW_CLIFF`]) only when the slower run really did lose more segments to the queue
//!    or took more retransmission timeouts than the faster one.
//!
//! Before the default queue got its 64 KiB floor (`link::DEFAULT_QUEUE_FLOOR`) a one-BDP
//! queue held four packets at 5 ms: 15 of these 560 steps broke the order by more than 3 %,
//! e.g. `tiles` over HTTP/1.1 at 5 ms took 438 ms against 355 ms at 10 ms (the uplink's
//! two-packet queue dropped four ClientHellos and each waited for a 424 ms timeout).

use protoviz_engine::trace::EventKind;
use protoviz_engine::{simulate, Lane, PresetId, Scenario, SimDuration};

const RTTS_MS: [u64; 19] = [
    5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600,
];
const BANDWIDTHS_BPS: [u64; 11] = [
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
    50_000_000,
    100_000_000,
    200_000_000,
    500_000_000,
    1_000_000_000,
];

/// Mechanism 1: a lossless load may take this much longer on a faster or shorter path.
const ACK_CLOCK_TOLERANCE: f64 = 0.02;
/// Mechanism 2: with queue overflow, a step may go this far the wrong way…
const OVERFLOW_TOLERANCE: f64 = 0.05;
/// …and this far only when the slower run lost more to the queue or timed out more.
const OVERFLOW_CLIFF: f64 = 0.20;

/// Steps of the round-trip grid known to break the order beyond the two mechanisms'
/// bounds: (preset, lane, shorter RTT ms, longer RTT ms, the band its fall must stay in,
/// why). Each band is the fall measured when the step was listed, ±0.04, so a known break
/// cannot quietly widen; one that comes back within the rules must be taken off the list.
type KnownBreak = (
    &'static str,
    &'static str,
    u64,
    u64,
    (f64, f64),
    &'static str,
);
const KNOWN_RTT_BREAKS: &[KnownBreak] = &[(
    "blog",
    "h1",
    120,
    150,
    (0.30, 0.38),
    "0.34: at 120 ms one connection writes photo-4's 64 KB in one burst (Linux sends what \
     cwnd allows at once; nginx does not pace) into the queue the other five slow starts \
     have filled, and all 35 segments are dropped; the tail loss probe waits 2·SRTT from \
     the last ACK (tcp_schedule_loss_probe), then PRR rebuilds from an empty pipe \
     (tcp_cwnd_reduction), about 1 s in all. From 130 ms the 160 KB+ queue holds the \
     burst. Found when Chrome's tight mode (browser::schedule) moved the image requests; \
     the rig has not measured 110–130 ms",
)];

/// One lane's outcome at one point of the grid.
#[derive(Clone, Debug)]
struct Point {
    lane: &'static str,
    load_us: u64,
    retransmissions: u64,
    queue_drops: u64,
    timeouts: u64,
}

fn point(l: &Lane) -> Point {
    let mut queue_drops = 0;
    let mut timeouts = 0;
    for e in &l.events {
        match &e.kind {
            EventKind::PacketSent {
                dropped: Some(protoviz_engine::link::DropReason::QueueOverflow),
                ..
            } => queue_drops += 1,
            EventKind::Timeout { .. } => timeouts += 1,
            EventKind::QuicPacketLost { reason, .. }
                if *reason == protoviz_engine::transport::quic::LossReason::Pto =>
            {
                timeouts += 1
            }
            _ => {}
        }
    }
    Point {
        lane: l.protocol.id(),
        load_us: l
            .metrics
            .load
            .expect("a lossless run finishes within the time limit")
            .as_micros(),
        retransmissions: l.metrics.retransmissions,
        queue_drops,
        timeouts,
    }
}

/// `preset` over a path of `rtt_ms` and `down_bps`, the uplink as the app's bandwidth
/// control sets it: half, at least 250 kbit/s.
fn on_path(preset: PresetId, rtt_ms: u64, down_bps: u64) -> Scenario {
    let mut s = Scenario::preset(preset);
    s.network.rtt = SimDuration::from_millis(rtt_ms);
    s.network.downlink_bps = down_bps;
    s.network.uplink_bps = (down_bps / 2).max(250_000);
    s
}

fn run(preset: PresetId, rtt_ms: u64, down_bps: u64) -> Vec<Point> {
    simulate(&on_path(preset, rtt_ms, down_bps))
        .unwrap()
        .lanes
        .iter()
        .map(point)
        .collect()
}

/// Checks one step from `better_path` (the shorter round trip or the wider link) to
/// `worse_path`, which should not load sooner; returns the broken rule, if any.
fn check_step(better_path: &Point, worse_path: &Point) -> Option<String> {
    let (b, w) = (better_path.load_us as f64, worse_path.load_us as f64);
    if w >= b {
        return None;
    }
    let fall = 1.0 - w / b;
    let lossless = better_path.retransmissions == 0 && worse_path.retransmissions == 0;
    if lossless {
        return (fall > ACK_CLOCK_TOLERANCE).then(|| {
            format!(
                "lossless, {:.1} % sooner on the worse path (ACK clocking allows {:.0} %)",
                fall * 100.0,
                ACK_CLOCK_TOLERANCE * 100.0
            )
        });
    }
    if fall <= OVERFLOW_TOLERANCE {
        return None;
    }
    let explained = better_path.queue_drops > worse_path.queue_drops
        || better_path.timeouts > worse_path.timeouts;
    if explained && fall <= OVERFLOW_CLIFF {
        return None;
    }
    Some(format!(
        "{:.1} % sooner on the worse path; queue drops {} vs {}, timeouts {} vs {}",
        fall * 100.0,
        better_path.queue_drops,
        worse_path.queue_drops,
        better_path.timeouts,
        worse_path.timeouts
    ))
}

fn report(broken: &[String]) {
    assert!(
        broken.is_empty(),
        "{} step(s) break the order at 0 % loss:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// Every preset, every lane, RTT 5–600 ms at 10 Mbit/s: a longer round trip never loads
/// the page sooner, beyond the two named mechanisms.
#[test]
fn a_longer_round_trip_never_loads_sooner_at_zero_loss() {
    let mut broken = Vec::new();
    for preset in PresetId::ALL {
        let rows: Vec<Vec<Point>> = RTTS_MS
            .iter()
            .map(|&r| run(preset, r, 10_000_000))
            .collect();
        for (i, pair) in rows.windows(2).enumerate() {
            for (shorter, longer) in pair[0].iter().zip(&pair[1]) {
                let known = KNOWN_RTT_BREAKS.iter().find(|k| {
                    (k.0, k.1, k.2, k.3) == (preset.id(), shorter.lane, RTTS_MS[i], RTTS_MS[i + 1])
                });
                let fall = 1.0 - longer.load_us as f64 / shorter.load_us as f64;
                let step = check_step(shorter, longer);
                if let Some(&(.., (lo, hi), _)) = known {
                    if step.is_none() || !(lo..=hi).contains(&fall) {
                        broken.push(format!(
                            "{} {} {} -> {} ms: a known break, now {:.1} % sooner against \
                             {:.0}–{:.0} %: {}",
                            preset.id(),
                            shorter.lane,
                            RTTS_MS[i],
                            RTTS_MS[i + 1],
                            fall * 100.0,
                            lo * 100.0,
                            hi * 100.0,
                            if step.is_none() {
                                "within the rules now, take it off"
                            } else {
                                "outside its band"
                            }
                        ));
                    }
                    continue;
                }
                if let Some(why) = step {
                    broken.push(format!(
                        "{} {}: {} ms {:.1} ms -> {} ms {:.1} ms: {why}",
                        preset.id(),
                        shorter.lane,
                        RTTS_MS[i],
                        shorter.load_us as f64 / 1e3,
                        RTTS_MS[i + 1],
                        longer.load_us as f64 / 1e3
                    ));
                }
            }
        }
    }
    report(&broken);
}

/// Every preset, every lane, 0.5–1000 Mbit/s at 100 ms: less bandwidth never loads the
/// page sooner, beyond the two named mechanisms.
#[test]
fn less_bandwidth_never_loads_sooner_at_zero_loss() {
    let mut broken = Vec::new();
    for preset in PresetId::ALL {
        let rows: Vec<Vec<Point>> = BANDWIDTHS_BPS
            .iter()
            .map(|&b| run(preset, 100, b))
            .collect();
        for (i, pair) in rows.windows(2).enumerate() {
            for (narrower, wider) in pair[0].iter().zip(&pair[1]) {
                if let Some(why) = check_step(wider, narrower) {
                    broken.push(format!(
                        "{} {}: {} bit/s {:.1} ms -> {} bit/s {:.1} ms: {why}",
                        preset.id(),
                        wider.lane,
                        BANDWIDTHS_BPS[i + 1],
                        wider.load_us as f64 / 1e3,
                        BANDWIDTHS_BPS[i],
                        narrower.load_us as f64 / 1e3
                    ));
                }
            }
        }
    }
    report(&broken);
}

/// The rule itself: a lossless step that falls 3 % fails; one with overflow on the better
/// path that falls 10 % passes; the same fall without more drops or timeouts fails.
#[test]
fn the_step_rule_fails_where_it_should() {
    let p = |load_us, retransmissions, queue_drops, timeouts| Point {
        lane: "h2",
        load_us,
        retransmissions,
        queue_drops,
        timeouts,
    };
    assert!(check_step(&p(1_000_000, 0, 0, 0), &p(970_000, 0, 0, 0)).is_some());
    assert!(check_step(&p(1_000_000, 0, 0, 0), &p(985_000, 0, 0, 0)).is_none());
    assert!(check_step(&p(1_000_000, 40, 40, 1), &p(900_000, 10, 10, 0)).is_none());
    assert!(check_step(&p(1_000_000, 10, 10, 0), &p(900_000, 40, 40, 0)).is_some());
    assert!(check_step(&p(1_000_000, 40, 40, 1), &p(700_000, 10, 10, 0)).is_some());
}

mod sanity {
    //! Properties of every run, over random presets, paths and seeds (issue 15, item 2).

    use super::*;
    use proptest::prelude::*;
    use protoviz_engine::link::LossModel;
    use protoviz_engine::trace::Source;
    use protoviz_engine::Protocol;

    fn scenario(preset: usize, rtt_ms: u64, down_kbps: u64) -> Scenario {
        on_path(PresetId::ALL[preset], rtt_ms, down_kbps * 1000)
    }

    /// Handshake round trips before the HTML's first byte can arrive on a cold visit:
    /// TCP's (RFC 9293 §3.5) and TLS 1.3's (RFC 8446 §2) one each, then the request's;
    /// QUIC carries TLS in its first round trip (RFC 9001 §4.1).
    fn handshake_round_trips(p: Protocol) -> u64 {
        match p {
            Protocol::Http3 => 2,
            _ => 3,
        }
    }

    proptest! {
        // A fixed seed: the same cases in every run of `make test` (CI must not depend on
        // luck); the regressions file replays every case that ever failed first.
        #![proptest_config(ProptestConfig {
            cases: 12,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_0015),
            ..ProptestConfig::default()
        })]

        /// Loss never makes a page faster on average: the mean load over five seeds at
        /// 1 % or 2 % random loss is no less than the lossless load, 5 % allowed. One
        /// mechanism goes further, and only where it is at work: when the lossless run
        /// itself lost packets to the queue (slow start overshooting it, with the recovery
        /// and timeouts that follow), a random loss early in slow start ends it before the
        /// overshoot — as HyStart would — and the lossy runs may be up to 25 % sooner
        /// (found here: blog over HTTP/1.1 at 42 ms, 12 Mbit/s: 1419 ms lossless with 2
        /// timeouts after the overflow, 1120 ms mean at 1 %).
        #[test]
        fn loss_never_makes_a_page_faster_on_average(
            preset in 0usize..5,
            rtt_ms in 10u64..300,
            down_kbps in 2_000u64..50_000,
            ppm in prop::sample::select(vec![10_000u32, 20_000]),
        ) {
            let base = scenario(preset, rtt_ms, down_kbps);
            let clean = simulate(&base).unwrap();
            let mut sums = vec![0u64; clean.lanes.len()];
            let mut finished = vec![true; clean.lanes.len()];
            for seed in 1..=5 {
                let mut s = base.clone();
                s.network.loss = LossModel::Random { ppm };
                s.network.seed = seed;
                for (i, l) in simulate(&s).unwrap().lanes.iter().enumerate() {
                    match l.metrics.load {
                        Some(d) => sums[i] += d.as_micros(),
                        None => finished[i] = false,
                    }
                }
            }
            for (i, l) in clean.lanes.iter().enumerate() {
                if !finished[i] {
                    continue; // slower than the time limit: certainly not faster
                }
                let lossless = l.metrics.load.unwrap().as_micros() as f64;
                let mean = sums[i] as f64 / 5.0;
                let overshoot = point(l).queue_drops > 0;
                let floor = if overshoot { 0.75 } else { 0.95 };
                prop_assert!(
                    mean >= lossless * floor,
                    "{} on {} at {rtt_ms} ms, {down_kbps} kbit/s: {:.1} ms lossless, \
                     {:.1} ms mean at {} ppm loss",
                    l.protocol.id(), PresetId::ALL[preset].id(), lossless / 1e3, mean / 1e3, ppm
                );
            }
        }

        /// Bytes on the wire are at least the headers and bodies they carry; every body the
        /// network delivered is counted whole; the HTML's first byte comes no sooner than
        /// the handshakes' round trips.
        #[test]
        fn bytes_and_first_byte_are_bounded_below(
            preset in 0usize..5,
            rtt_ms in 5u64..600,
            down_kbps in 500u64..200_000,
            seed in 0u64..1000,
            ppm in prop::sample::select(vec![0u32, 5_000, 20_000]),
        ) {
            let mut s = scenario(preset, rtt_ms, down_kbps);
            s.network.loss = if ppm == 0 { LossModel::None } else { LossModel::Random { ppm } };
            s.network.seed = seed;
            let t = simulate(&s).unwrap();
            for l in &t.lanes {
                let m = &l.metrics;
                prop_assert!(m.bytes_total >= m.bytes_payload + m.bytes_headers,
                    "{}: {} B on the wire < {} B payload + {} B headers",
                    l.protocol.id(), m.bytes_total, m.bytes_payload, m.bytes_headers);
                if m.finished {
                    let bodies: u64 = l.assets.iter()
                        .filter(|a| a.source != Source::Cache)
                        .map(|a| a.size)
                        .sum();
                    prop_assert!(m.bytes_payload >= bodies,
                        "{}: payload {} B < the {} B of bodies delivered",
                        l.protocol.id(), m.bytes_payload, bodies);
                }
                if let Some(ttfb) = m.ttfb {
                    let floor = handshake_round_trips(l.protocol) * s.network.rtt.as_micros();
                    prop_assert!(ttfb.as_micros() >= floor,
                        "{}: first byte at {} µs, before {} handshake round trips ({} µs)",
                        l.protocol.id(), ttfb.as_micros(),
                        handshake_round_trips(l.protocol), floor);
                }
            }
        }
    }
}
