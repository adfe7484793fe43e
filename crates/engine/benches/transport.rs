//! Simulated packets per second, natively: a 10 MB download over TCP at 2 % random loss.

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use protoviz_engine::link::{Link, LinkConfig, LossModel, Sent};
use protoviz_engine::sim::{App, Cause, Conn, Ctx, Driver, Flush, Side};
use protoviz_engine::time::{SimDuration, SimTime};
use protoviz_engine::transport::tcp::{Segment, TcpConfig, TcpConnection};
use protoviz_engine::ConnId;

const BYTES: u64 = 10_000_000;

type Tcp = TcpConnection<u32>;

/// Counts the packets; both ends transmit after every event.
struct Count(u64);

impl App<Tcp, Tcp, Link> for Count {
    type Wake = ();
    fn on_event(
        &mut self,
        _: SimTime,
        _: ConnId,
        _: Cause<()>,
        _: &mut Conn<Tcp, Tcp>,
        _: &mut Ctx<Segment<u32>, ()>,
    ) -> Flush {
        Flush::Both
    }
    fn on_sent(&mut self, _: ConnId, _: Side, _: SimTime, _: &Segment<u32>, _: &Sent) {
        self.0 += 1;
    }
}

/// Runs the transfer; returns the packets put on the link and the simulated duration.
fn tcp_download() -> (u64, SimDuration) {
    let mut d: Driver<Tcp, Tcp, Link, ()> = Driver::new(Link::new(LinkConfig {
        rtt: SimDuration::from_millis(50),
        downlink_bps: 50_000_000,
        uplink_bps: 10_000_000,
        loss: LossModel::Random { ppm: 20_000 },
        seed: 1,
        ..LinkConfig::default()
    }));
    let mut app = Count(0);
    let mut client = Tcp::client(TcpConfig::default());
    client.connect(SimTime::ZERO);
    let mut server = Tcp::server(TcpConfig::default());
    server.write(BYTES, 0);
    d.open(&mut app, Conn { client, server });
    d.run_until(&mut app, SimTime::from_millis(3_600_000), |d| {
        d.conns()[0].client.received() >= BYTES
    });
    assert_eq!(d.conns()[0].client.received(), BYTES);
    (app.0, d.now() - SimTime::ZERO)
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
