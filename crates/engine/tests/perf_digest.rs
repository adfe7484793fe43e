//! Pins traces that performance work must leave bit-identical: any behavioural change to
//! the engine moves one of these digests. The values were computed before each round of
//! optimisation (and re-pinned after merging model changes, checked equal on the code
//! before and after the optimisations); if the model changes on purpose, update them here.

use protoviz_engine::link::LossModel;
use protoviz_engine::options::SchedulerKind;
use protoviz_engine::transport::cc::Algorithm;
use protoviz_engine::{digest, simulate, PresetId, Scenario};

fn scenario(preset: PresetId, loss: LossModel) -> Scenario {
    let mut s = Scenario::preset(preset);
    s.network.loss = loss;
    s.network.seed = 1;
    s
}

fn check(name: &str, s: &Scenario, expected: u64) {
    let d = digest(&simulate(s).unwrap());
    assert_eq!(d, expected, "the trace of {name} changed (digest {d})");
}

/// The benchmark's scenario: the news preset, every lane, 2 % random loss, seed 1.
#[test]
fn news_2pct_digest() {
    let s = scenario(PresetId::News, LossModel::Random { ppm: 20_000 });
    check("news at 2 % loss, seed 1", &s, 13_641_978_128_814_696_697);
}

#[test]
fn tiles_0pct_digest() {
    let s = scenario(PresetId::Tiles, LossModel::None);
    check("tiles at 0 % loss", &s, 6_819_680_870_731_691_057);
}

/// Every preset at 0 % and 2 % random loss, seed 1.
#[test]
fn every_preset_digest() {
    let expected = [
        (
            PresetId::Blog,
            4_999_940_206_947_664_253,
            827_081_025_074_606_854,
        ),
        (
            PresetId::Tiles,
            6_819_680_870_731_691_057,
            15_259_604_146_257_845_230,
        ),
        (
            PresetId::News,
            16_918_219_425_330_581_352,
            13_641_978_128_814_696_697,
        ),
        (
            PresetId::Spa,
            5_457_652_216_625_772_490,
            4_494_935_516_772_899_805,
        ),
        (
            PresetId::Streaming,
            11_271_744_766_846_746_094,
            13_553_706_363_118_407_571,
        ),
    ];
    for (p, none, two) in expected {
        check(
            &format!("{p:?} at 0 %"),
            &scenario(p, LossModel::None),
            none,
        );
        let s = scenario(p, LossModel::Random { ppm: 20_000 });
        check(&format!("{p:?} at 2 %"), &s, two);
    }
}

/// The options that change the transports' and the schedulers' paths: round-robin
/// scheduling, CUBIC, bursty loss, HTTP/3 0-RTT, no SACK.
#[test]
fn options_digest() {
    let mut s = scenario(
        PresetId::News,
        LossModel::Bursty {
            ppm: 30_000,
            mean_burst: 3,
        },
    );
    s.network.seed = 5;
    s.server.scheduler = SchedulerKind::RoundRobin;
    s.transport.congestion = Algorithm::Cubic;
    s.transport.sack = false;
    s.http3.zero_rtt = true;
    check("news with options", &s, 9_905_418_385_208_913_021);
}
