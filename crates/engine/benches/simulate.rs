//! `simulate` of the blog preset (every lane) at 0 % and 2 % random loss, and of the news
//! preset (every lane) at 2 % random loss: the app re-simulates on every slider move, so
//! the target for `news_2pct_all_lanes` is at most 2 ms natively.

use criterion::{criterion_group, criterion_main, Criterion};
use protoviz_engine::link::LossModel;
use protoviz_engine::{simulate, PresetId, Scenario};

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(5));
    for (name, loss) in [
        ("blog_0pct", LossModel::None),
        ("blog_2pct", LossModel::Random { ppm: 20_000 }),
    ] {
        let mut s = Scenario::preset(PresetId::Blog);
        s.network.loss = loss;
        s.network.seed = 1;
        g.bench_function(name, |b| b.iter(|| simulate(&s).map(|t| t.lanes.len())));
    }
    let mut s = Scenario::preset(PresetId::News);
    s.network.loss = LossModel::Random { ppm: 20_000 };
    s.network.seed = 1;
    assert_eq!(s.protocols.len(), 4, "every lane");
    g.bench_function("news_2pct_all_lanes", |b| {
        b.iter(|| simulate(&s).map(|t| t.lanes.len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
