//! Readable pins of the model's output. Each pinned scenario is checked twice:
//!
//! 1. its figures, lane by lane — time to first byte and load in µs, segments or datagrams
//!    sent again, and timeouts (TCP retransmission timeouts; QUIC packets a probe timeout
//!    declared lost) — so a change shows, in review, what moved and by how much;
//! 2. then the FNV-1a digest of the whole trace, which catches what the figures do not (an
//!    event, a byte count, an order).
//!
//! A failing pin prints the figures it got beside the pinned ones, never a value to paste:
//! a re-pin is a decision made by reading what changed. Any behavioural change to the engine
//! moves one of these; performance work must leave them all as they are.

use protoviz_engine::link::LossModel;
use protoviz_engine::options::SchedulerKind;
use protoviz_engine::trace::EventKind;
use protoviz_engine::transport::cc::Algorithm;
use protoviz_engine::transport::quic::LossReason;
use protoviz_engine::{digest, simulate, Lane, PresetId, Scenario, Trace};

/// One lane's figures: protocol, first byte (µs), load (µs, 0 when it did not finish),
/// retransmissions, timeouts.
type Row = (&'static str, u64, u64, u64, u64);

fn row(l: &Lane) -> Row {
    let timeouts = l
        .events
        .iter()
        .filter(|e| match &e.kind {
            EventKind::Timeout { .. } => true,
            EventKind::QuicPacketLost { reason, .. } => *reason == LossReason::Pto,
            _ => false,
        })
        .count() as u64;
    let us = |d: Option<protoviz_engine::SimDuration>| d.map_or(0, |d| d.as_micros());
    (
        l.protocol.id(),
        us(l.metrics.ttfb),
        us(l.metrics.load),
        l.metrics.retransmissions,
        timeouts,
    )
}

fn table(rows: &[Row]) -> String {
    let mut s = String::from("lane     first byte µs      load µs   resent  timeouts\n");
    for (p, ttfb, load, retx, to) in rows {
        s.push_str(&format!("{p:<8} {ttfb:>13} {load:>12} {retx:>8} {to:>9}\n"));
    }
    s
}

fn check(name: &str, s: &Scenario, pinned: &[Row], expected: u64) {
    let t: Trace = simulate(s).unwrap();
    let rows: Vec<Row> = t.lanes.iter().map(row).collect();
    assert!(
        rows == pinned,
        "the figures of {name} changed.\npinned:\n{}now:\n{}",
        table(pinned),
        table(&rows)
    );
    assert!(
        digest(&t) == expected,
        "the trace of {name} changed though its figures did not: an event, a byte count or \
         an order moved. Compare `protoviz simulate --format json` before and after."
    );
}

fn scenario(preset: PresetId, loss: LossModel) -> Scenario {
    let mut s = Scenario::preset(preset);
    s.network.loss = loss;
    s.network.seed = 1;
    s
}

const TWO_PCT: LossModel = LossModel::Random { ppm: 20_000 };

/// Every preset at 0 % loss, seed 1.
#[test]
fn every_preset_at_zero_loss() {
    let pins: [(PresetId, [Row; 4], u64); 5] = [
        (
            PresetId::Blog,
            [
                ("h1", 309_843, 1_985_967, 68, 0),
                ("h2", 309_605, 1_549_617, 126, 0),
                ("h2-push", 309_605, 1_439_918, 3, 0),
                ("h3", 210_429, 1_155_683, 188, 0),
            ],
            16_552_387_324_375_522_618,
        ),
        (
            PresetId::Tiles,
            [
                ("h1", 309_845, 2_292_121, 0, 0),
                ("h2", 309_605, 861_433, 0, 0),
                ("h2-push", 309_605, 861_433, 0, 0),
                ("h3", 210_429, 644_841, 0, 0),
            ],
            17_371_777_658_292_025_290,
        ),
        (
            PresetId::News,
            [
                ("h1", 309_843, 5_031_855, 232, 2),
                ("h2", 309_605, 2_671_274, 9, 0),
                ("h2-push", 309_605, 2_671_540, 9, 0),
                ("h3", 210_429, 2_580_473, 223, 0),
            ],
            946_367_560_090_000_653,
        ),
        (
            PresetId::Spa,
            [
                ("h1", 309_842, 2_837_502, 14, 0),
                ("h2", 309_603, 2_085_354, 40, 0),
                ("h2-push", 309_603, 1_982_778, 44, 0),
                ("h3", 210_427, 1_859_744, 225, 0),
            ],
            14_039_478_204_576_459_484,
        ),
        (
            PresetId::Streaming,
            [
                ("h1", 309_843, 5_386_747, 0, 0),
                ("h2", 309_605, 5_453_792, 0, 0),
                ("h2-push", 309_605, 5_289_694, 54, 0),
                ("h3", 210_429, 5_088_149, 0, 0),
            ],
            85_252_838_242_374_183,
        ),
    ];
    for (p, rows, d) in pins {
        check(
            &format!("{p:?} at 0 %"),
            &scenario(p, LossModel::None),
            &rows,
            d,
        );
    }
}

/// Every preset at 2 % random loss, seed 1 (news is the benchmark's scenario).
#[test]
fn every_preset_at_two_percent_loss() {
    let pins: [(PresetId, [Row; 4], u64); 5] = [
        (
            PresetId::Blog,
            [
                ("h1", 309_843, 1_965_311, 19, 0),
                ("h2", 309_605, 2_771_663, 16, 0),
                ("h2-push", 309_605, 2_760_166, 16, 0),
                ("h3", 210_429, 2_999_838, 20, 1),
            ],
            16_254_042_510_894_139_640,
        ),
        (
            PresetId::Tiles,
            [
                ("h1", 309_845, 2_503_941, 8, 0),
                ("h2", 309_605, 907_361, 5, 0),
                ("h2-push", 309_605, 907_361, 5, 0),
                ("h3", 210_429, 731_418, 8, 0),
            ],
            2_127_446_265_437_916_613,
        ),
        (
            PresetId::News,
            [
                ("h1", 309_843, 5_423_232, 60, 1),
                ("h2", 309_605, 18_210_662, 38, 0),
                ("h2-push", 309_605, 17_816_433, 38, 0),
                ("h3", 210_429, 14_928_798, 46, 2),
            ],
            18_164_948_397_304_419_451,
        ),
        (
            PresetId::Spa,
            [
                ("h1", 309_842, 5_490_412, 23, 0),
                ("h2", 309_603, 6_435_328, 22, 0),
                ("h2-push", 309_603, 6_243_045, 22, 0),
                ("h3", 210_427, 6_247_611, 23, 0),
            ],
            5_333_880_419_121_040_718,
        ),
        (
            PresetId::Streaming,
            [
                ("h1", 309_843, 5_562_126, 10, 0),
                ("h2", 309_605, 5_548_838, 7, 0),
                ("h2-push", 309_605, 5_383_310, 7, 0),
                ("h3", 210_429, 5_174_521, 10, 0),
            ],
            3_908_468_455_273_138_693,
        ),
    ];
    for (p, rows, d) in pins {
        check(&format!("{p:?} at 2 %"), &scenario(p, TWO_PCT), &rows, d);
    }
}

/// The options off the default paths: round-robin scheduling, NewReno, bursty loss, HTTP/3
/// 0-RTT, no SACK.
#[test]
fn options_off_the_default_paths() {
    let mut s = scenario(
        PresetId::News,
        LossModel::Bursty {
            ppm: 30_000,
            mean_burst: 3,
        },
    );
    s.network.seed = 5;
    s.server.scheduler = SchedulerKind::RoundRobin;
    s.transport.congestion = Algorithm::NewReno;
    s.transport.sack = false;
    s.http3.zero_rtt = true;
    let rows = [
        ("h1", 309_843, 6_028_207, 102, 14),
        ("h2", 309_605, 10_411_480, 329, 2),
        ("h2-push", 309_605, 10_594_820, 318, 3),
        ("h3", 105_114, 4_145_907, 194, 0),
    ];
    check("news with options", &s, &rows, 7_765_665_070_605_228_179);
}

/// The scenario the app's wasm test digests too (`golden_digest.txt`): native and wasm
/// agree bit for bit.
#[test]
fn the_golden_trace_native_and_wasm_share() {
    let mut s = Scenario::preset(PresetId::Blog);
    s.network.loss = LossModel::Random { ppm: 10_000 };
    s.network.seed = 7;
    let golden: u64 = include_str!("golden_digest.txt").trim().parse().unwrap();
    let rows = [
        ("h1", 309_843, 1_910_343, 33, 0),
        ("h2", 309_605, 2_607_439, 10, 0),
        ("h2-push", 309_605, 2_606_300, 10, 0),
        ("h3", 210_429, 2_642_818, 10, 0),
    ];
    check("blog at 1 % loss, seed 7", &s, &rows, golden);
    assert_eq!(golden, 10_199_539_234_134_264_389);
}
