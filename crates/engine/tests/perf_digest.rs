//! Pins traces that performance work must leave bit-identical: any behavioural change to
//! the engine moves one of these digests. The values were computed before the engine was
//! optimised; if the model changes on purpose, update them here.

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
    check("news at 2 % loss, seed 1", &s, 1_118_085_315_425_344_059);
}

#[test]
fn tiles_0pct_digest() {
    let s = scenario(PresetId::Tiles, LossModel::None);
    check("tiles at 0 % loss", &s, 18_396_147_408_869_205_022);
}

/// Every preset at 0 % and 2 % random loss, seed 1.
#[test]
fn every_preset_digest() {
    let expected = [
        (
            PresetId::Blog,
            7_599_769_929_583_443_126,
            1_922_486_842_518_720_374,
        ),
        (
            PresetId::Tiles,
            18_396_147_408_869_205_022,
            3_578_804_269_339_124_073,
        ),
        (
            PresetId::News,
            14_639_564_818_779_577_038,
            1_118_085_315_425_344_059,
        ),
        (
            PresetId::Spa,
            9_677_319_234_870_345_797,
            11_468_187_174_963_431_432,
        ),
        (
            PresetId::Streaming,
            2_260_447_946_231_416_974,
            17_699_204_912_903_023_215,
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
    check("news with options", &s, 8_209_353_356_103_134_663);
}
