//! Simulated QUIC packets per second (natively): a 10 MB response at 2 % loss each way,
//! 50 ms one-way delay, 100 Mbit/s down and 20 Mbit/s up.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use protoviz_engine::transport::quic::testing::{run, Pipe, Request};
use protoviz_engine::transport::quic::{Config, QuicEventKind};
use protoviz_engine::{SimDuration, SimTime};

/// Every 50th datagram, offset per direction: 2 % loss, deterministic.
fn pipe(bps: u64, phase: u64) -> Pipe {
    let mut p = Pipe::new(SimDuration::from_millis(50), bps);
    p.drops = (0..40_000u64).filter(|i| (i + phase) % 50 == 0).collect();
    p
}

fn transfer() -> (u64, u64) {
    let up = pipe(20_000_000, 7);
    let down = pipe(100_000_000, 23);
    let reqs = [Request {
        at: SimTime::ZERO,
        request_bytes: 200,
        response_bytes: 10_000_000,
        priority: None,
    }];
    let o = run(
        &Config::default(),
        &up,
        &down,
        &reqs,
        SimTime::from_micros(600_000_000),
    );
    let packets = o
        .client_events
        .iter()
        .chain(&o.server_events)
        .filter(|e| matches!(e.kind, QuicEventKind::PacketSent { .. }))
        .count() as u64;
    (packets, o.end.as_micros())
}

fn bench(c: &mut Criterion) {
    let (packets, end_us) = transfer();
    eprintln!("10 MB at 2 % loss: {packets} packets, done at {end_us} µs simulated");
    let mut g = c.benchmark_group("quic");
    g.throughput(Throughput::Elements(packets));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("10MB_2pct_loss", |b| b.iter(transfer));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
