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
                ("h1", 413_527, 1_975_447, 93, 0),
                ("h2", 412_138, 1_552_779, 134, 0),
                ("h2-push", 412_138, 1_439_870, 3, 0),
                ("h3", 210_429, 1_272_098, 119, 0),
            ],
            6_434_453_510_426_682_360,
        ),
        (
            PresetId::Tiles,
            [
                ("h1", 314_764, 2_291_744, 0, 0),
                ("h2", 314_392, 883_038, 0, 0),
                ("h2-push", 314_392, 883_038, 0, 0),
                ("h3", 210_429, 644_841, 0, 0),
            ],
            14_809_149_804_327_512_599,
        ),
        (
            PresetId::News,
            [
                ("h1", 413_527, 4_091_509, 147, 1),
                ("h2", 412_138, 2_670_095, 9, 0),
                ("h2-push", 412_138, 2_670_344, 9, 0),
                ("h3", 210_429, 2_583_978, 176, 0),
            ],
            16_979_063_928_678_418_579,
        ),
        (
            PresetId::Spa,
            [
                ("h1", 311_435, 2_562_057, 0, 0),
                ("h2", 311_107, 2_094_726, 48, 0),
                ("h2-push", 412_136, 1_992_096, 51, 0),
                ("h3", 210_427, 1_859_744, 225, 0),
            ],
            5_794_236_784_963_582_847,
        ),
        (
            PresetId::Streaming,
            [
                ("h1", 312_238, 5_386_570, 0, 0),
                ("h2", 311_909, 5_453_774, 0, 0),
                ("h2-push", 412_138, 5_288_424, 54, 0),
                ("h3", 210_429, 5_088_149, 0, 0),
            ],
            12_058_344_661_680_421_635,
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
                ("h1", 413_527, 3_170_381, 62, 0),
                ("h2", 412_138, 2_771_424, 16, 0),
                ("h2-push", 412_138, 2_743_248, 16, 0),
                ("h3", 210_429, 2_939_708, 18, 0),
            ],
            8_576_758_775_633_924_684,
        ),
        (
            PresetId::Tiles,
            [
                ("h1", 314_764, 2_503_618, 8, 0),
                ("h2", 314_392, 943_455, 5, 0),
                ("h2-push", 314_392, 943_455, 5, 0),
                ("h3", 210_429, 731_418, 8, 0),
            ],
            14_316_027_149_847_778_535,
        ),
        (
            PresetId::News,
            [
                ("h1", 413_527, 5_144_745, 63, 0),
                ("h2", 412_138, 17_775_904, 38, 0),
                ("h2-push", 412_138, 17_776_113, 38, 0),
                ("h3", 210_429, 14_920_583, 43, 0),
            ],
            8_102_696_454_903_135_142,
        ),
        (
            PresetId::Spa,
            [
                ("h1", 311_435, 5_566_116, 22, 1),
                ("h2", 311_107, 6_435_029, 22, 0),
                ("h2-push", 412_136, 6_242_692, 22, 0),
                ("h3", 210_427, 6_247_611, 23, 0),
            ],
            15_354_793_118_407_711_145,
        ),
        (
            PresetId::Streaming,
            [
                ("h1", 312_238, 5_563_166, 10, 0),
                ("h2", 311_909, 5_548_527, 7, 0),
                ("h2-push", 412_138, 5_377_310, 7, 0),
                ("h3", 210_429, 5_174_521, 10, 0),
            ],
            14_293_478_299_002_380_357,
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
        ("h1", 413_527, 5_745_406, 228, 16),
        ("h2", 412_138, 7_612_602, 460, 4),
        ("h2-push", 412_138, 30_262_088, 296, 9),
        ("h3", 105_114, 5_327_714, 144, 0),
    ];
    check("news with options", &s, &rows, 1_136_874_322_502_865_090);
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
        ("h1", 413_527, 2_508_095, 56, 1),
        ("h2", 412_138, 2_605_982, 10, 0),
        ("h2-push", 412_138, 2_604_872, 10, 0),
        ("h3", 210_429, 2_711_601, 10, 0),
    ];
    check("blog at 1 % loss, seed 7", &s, &rows, golden);
    assert_eq!(golden, 9_306_777_839_043_830_380);
}
