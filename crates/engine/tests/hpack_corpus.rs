//! The hpack-test-case corpus (shared/vectors/hpack-test-case): decode every story of three
//! independent encoders; encode every raw story and have an independent decoder
//! (loona-hpack) read it back; compare our compression with nghttp2's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use protoviz_engine::wire::hpack::{Decoder, DecoderConfig, Encoder, EncoderConfig, HeaderField};
use serde::Deserialize;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vectors/hpack-test-case"
);

#[derive(Deserialize)]
struct Story {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(default)]
    wire: Option<String>,
    headers: Vec<BTreeMap<String, String>>,
    #[serde(default)]
    header_table_size: Option<usize>,
}

impl Case {
    fn fields(&self) -> Vec<HeaderField> {
        self.headers
            .iter()
            .map(|h| {
                assert_eq!(h.len(), 1, "one field per object");
                let (n, v) = h.iter().next().unwrap();
                HeaderField::new(n, v)
            })
            .collect()
    }
}

fn stories(dir: &str) -> Vec<(PathBuf, Story)> {
    let dir = Path::new(CORPUS).join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let story =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, story)
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Decodes every story in `dir`, one context per story; returns (blocks, wire octets).
fn decode_dir(dir: &str) -> (usize, usize) {
    let all = stories(dir);
    assert!(all.len() >= 30, "{dir}: {} stories", all.len());
    let (mut blocks, mut octets) = (0, 0);
    for (path, story) in all {
        let mut decoder: Option<Decoder> = None;
        for (i, case) in story.cases.iter().enumerate() {
            let d = decoder.get_or_insert_with(|| {
                Decoder::new(DecoderConfig {
                    max_table_size: case.header_table_size.unwrap_or(4096),
                    ..DecoderConfig::default()
                })
            });
            if let Some(size) = case.header_table_size {
                d.set_max_table_size(size);
            }
            let wire = hex(case.wire.as_deref().expect("wire"));
            let got = d
                .decode(&wire)
                .unwrap_or_else(|e| panic!("{} case {i}: {e}", path.display()));
            assert_eq!(got.headers, case.fields(), "{} case {i}", path.display());
            let spent: usize = got.steps.iter().map(|s| s.len).sum();
            assert_eq!(spent, wire.len());
            assert!(got.table.size <= got.table.max_size);
            blocks += 1;
            octets += wire.len();
        }
    }
    (blocks, octets)
}

#[test]
fn decodes_nghttp2_stories() {
    let (blocks, octets) = decode_dir("nghttp2");
    assert_eq!((blocks, octets), (3384, 360_319));
}

#[test]
fn decodes_go_hpack_stories() {
    let (blocks, _) = decode_dir("go-hpack");
    assert_eq!(blocks, 3384);
}

#[test]
fn decodes_nghttp2_16384_4096_stories() {
    let (blocks, _) = decode_dir("nghttp2-16384-4096");
    assert_eq!(blocks, 3267);
}

/// Our encoder over raw-data: loona-hpack decodes every block back, our decoder agrees on
/// the table after every block, and the total stays within 2 % of nghttp2's.
#[test]
fn encodes_raw_data_readably_and_compactly() {
    let raw = stories("raw-data");
    assert_eq!(raw.len(), 32);
    let mut ours = 0usize;
    for (path, story) in &raw {
        let mut enc = Encoder::new(EncoderConfig::default());
        let mut ours_dec = Decoder::new(DecoderConfig::default());
        let mut loona = loona_hpack::Decoder::new();
        for (i, case) in story.cases.iter().enumerate() {
            let fields = case.fields();
            let block = enc.encode(&fields);
            ours += block.bytes.len();
            let theirs = loona
                .decode(&block.bytes)
                .unwrap_or_else(|e| panic!("{} case {i}: loona: {e:?}", path.display()));
            let theirs: Vec<(&[u8], &[u8])> = theirs
                .iter()
                .map(|(n, v)| (n.as_slice(), v.as_slice()))
                .collect();
            let want: Vec<(&[u8], &[u8])> = fields
                .iter()
                .map(|f| (f.name.as_bytes(), f.value.as_bytes()))
                .collect();
            assert_eq!(theirs, want, "{} case {i}", path.display());
            let back = ours_dec.decode(&block.bytes).unwrap();
            assert_eq!(back.headers, fields);
            assert_eq!(back.table, block.table, "{} case {i}", path.display());
            assert_eq!(back.steps, block.steps, "{} case {i}", path.display());
        }
    }
    let nghttp2: usize = stories("nghttp2")
        .iter()
        .flat_map(|(_, s)| &s.cases)
        .map(|c| c.wire.as_ref().unwrap().len() / 2)
        .sum();
    println!(
        "raw-data encoded: ours {ours} octets, nghttp2 {nghttp2} octets ({:.2} %)",
        ours as f64 * 100.0 / nghttp2 as f64
    );
    assert!(
        ours * 100 <= nghttp2 * 102,
        "ours {ours} > 1.02 x nghttp2 {nghttp2}"
    );
}
