//! Simulated packets per second, natively: a 10 MB download over TCP at 2 % random loss.

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use protoviz_engine::link::{LinkConfig, LossModel};
use protoviz_engine::time::{SimDuration, SimTime};
use protoviz_engine::transport::tcp::harness::{Harness, NoApp};
use protoviz_engine::transport::tcp::TcpConfig;

const BYTES: u64 = 10_000_000;

/// Runs the transfer; returns the packets put on the link and the simulated duration.
fn tcp_download() -> (u64, SimDuration) {
    let mut h: Harness<u32> = Harness::new(LinkConfig {
        rtt: SimDuration::from_millis(50),
        downlink_bps: 50_000_000,
        uplink_bps: 10_000_000,
        loss: LossModel::Random { ppm: 20_000 },
        seed: 1,
        ..LinkConfig::default()
    });
    let c = h.open(SimTime::ZERO, TcpConfig::default(), &mut NoApp);
    h.pairs[c].server.write(BYTES, 0);
    h.flush(c);
    h.run_until(SimTime::from_millis(3_600_000), &mut NoApp, |h| {
        h.pairs[0].client.received() >= BYTES
    });
    assert_eq!(h.pairs[0].client.received(), BYTES);
    (h.packets.len() as u64, h.now() - SimTime::ZERO)
}

fn bench(c: &mut Criterion) {
    let start = Instant::now();
    let (packets, simulated) = tcp_download();
    let wall = start.elapsed();
    println!(
        "tcp 10 MB at 2 % loss: {packets} packets, {simulated} simulated, {:.0} packets/s \
         (one run, {:.1} ms)",
        packets as f64 / wall.as_secs_f64(),
        wall.as_secs_f64() * 1e3
    );
    let mut g = c.benchmark_group("transport");
    g.throughput(Throughput::Elements(packets));
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(10));
    g.bench_function("tcp_10MB_2pct_loss", |b| b.iter(tcp_download));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
