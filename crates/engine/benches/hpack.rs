//! HPACK throughput over the hpack-test-case corpus, ours side by side with loona-hpack:
//! decoding the nghttp2 stories' wire bytes, encoding the raw-data header lists. Prints MB/s
//! (10^6 octets per second: wire octets for decoding, name + value octets for encoding) and
//! the ratio ours / loona.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use protoviz_engine::wire::hpack::{Decoder, DecoderConfig, Encoder, EncoderConfig};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vectors/hpack-test-case"
);

#[derive(serde::Deserialize)]
struct Story {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    #[serde(default)]
    wire: Option<String>,
    headers: Vec<BTreeMap<String, String>>,
}

fn stories(dir: &str) -> Vec<Story> {
    let dir = Path::new(CORPUS).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

type Wire = Vec<Vec<Vec<u8>>>;
type Lists = Vec<Vec<Vec<(String, String)>>>;

fn corpus() -> (Wire, Lists) {
    let wire = stories("nghttp2")
        .iter()
        .map(|s| {
            s.cases
                .iter()
                .map(|c| hex(c.wire.as_ref().unwrap()))
                .collect()
        })
        .collect();
    let lists = stories("raw-data")
        .into_iter()
        .map(|s| {
            s.cases
                .into_iter()
                .map(|c| c.headers.into_iter().flat_map(|h| h.into_iter()).collect())
                .collect()
        })
        .collect();
    (wire, lists)
}

thread_local! {
    /// Per benchmark: (iterations, total time) over every timed batch.
    static TIMES: RefCell<BTreeMap<&'static str, (u64, Duration)>> = const { RefCell::new(BTreeMap::new()) };
}

fn timed(name: &'static str, iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let el = start.elapsed();
    TIMES.with(|t| {
        let mut t = t.borrow_mut();
        let e = t.entry(name).or_default();
        e.0 += iters;
        e.1 += el;
    });
    el
}

fn ours_decode(wire: &Wire) {
    for story in wire {
        let mut d = Decoder::new(DecoderConfig::default());
        for block in story {
            black_box(d.decode(block).unwrap());
        }
    }
}

fn loona_decode(wire: &Wire) {
    for story in wire {
        let mut d = loona_hpack::Decoder::new();
        for block in story {
            black_box(d.decode(block).unwrap());
        }
    }
}

fn ours_encode(lists: &Lists) {
    for story in lists {
        let mut e = Encoder::new(EncoderConfig::default());
        for list in story {
            black_box(e.encode(list));
        }
    }
}

fn loona_encode(lists: &Lists) {
    for story in lists {
        let mut e = loona_hpack::Encoder::new();
        for list in story {
            black_box(e.encode(list.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes()))));
        }
    }
}

fn bench(c: &mut Criterion) {
    let (wire, lists) = corpus();
    let wire_octets: usize = wire.iter().flatten().map(Vec::len).sum();
    let list_octets: usize = lists
        .iter()
        .flatten()
        .flatten()
        .map(|(n, v)| n.len() + v.len())
        .sum();

    let mut g = c.benchmark_group("hpack_decode_nghttp2");
    g.throughput(Throughput::Bytes(wire_octets as u64));
    g.bench_function("ours", |b| {
        b.iter_custom(|n| timed("decode/ours", n, || ours_decode(&wire)))
    });
    g.bench_function("loona-hpack", |b| {
        b.iter_custom(|n| timed("decode/loona", n, || loona_decode(&wire)))
    });
    g.finish();

    let mut g = c.benchmark_group("hpack_encode_raw_data");
    g.throughput(Throughput::Bytes(list_octets as u64));
    g.bench_function("ours", |b| {
        b.iter_custom(|n| timed("encode/ours", n, || ours_encode(&lists)))
    });
    g.bench_function("loona-hpack", |b| {
        b.iter_custom(|n| timed("encode/loona", n, || loona_encode(&lists)))
    });
    g.finish();

    let mbps = |name: &str, octets: usize| {
        TIMES.with(|t| {
            let t = t.borrow();
            let (n, d) = t[name];
            octets as f64 * n as f64 / d.as_secs_f64() / 1e6
        })
    };
    for (what, octets, unit) in [
        ("decode", wire_octets, "wire"),
        ("encode", list_octets, "name+value"),
    ] {
        let ours = mbps(&format!("{what}/ours"), octets);
        let loona = mbps(&format!("{what}/loona"), octets);
        println!(
            "hpack {what} ({octets} {unit} octets/pass): ours {ours:.1} MB/s, loona-hpack {loona:.1} MB/s, ours/loona = {:.2}",
            ours / loona
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = bench
}
criterion_main!(benches);
