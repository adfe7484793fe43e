//! RFC 7541 Appendix C, byte for byte and table for table, from
//! `shared/vectors/rfc7541-appendix-c.json`.

use serde::Deserialize;

use super::*;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vectors/rfc7541-appendix-c.json"
);

#[derive(Deserialize)]
struct Vectors {
    integer_representation: Vec<IntegerCase>,
    header_field_representations: Vec<Step>,
    sequences: Vec<Sequence>,
    huffman_strings: Vec<HuffmanString>,
}

#[derive(Deserialize)]
struct IntegerCase {
    id: String,
    value: usize,
    prefix_bits: u8,
    wire_hex: String,
}

#[derive(Deserialize)]
struct Sequence {
    id: String,
    huffman: bool,
    header_table_size: usize,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    id: String,
    #[serde(default)]
    representation: Option<String>,
    #[serde(default)]
    header_table_size: Option<usize>,
    headers: Vec<(String, String)>,
    wire_hex: String,
    wire_len: usize,
    dynamic_table_after: Vec<Entry>,
    dynamic_table_size_after: usize,
}

#[derive(Deserialize)]
struct Entry {
    index: usize,
    hpack_index: usize,
    name: String,
    value: String,
    size: usize,
}

#[derive(Deserialize)]
struct HuffmanString {
    text: String,
    huffman_hex: String,
    encoded_len: usize,
}

fn vectors() -> Vectors {
    let text = std::fs::read_to_string(PATH).unwrap_or_else(|e| panic!("{PATH}: {e}"));
    serde_json::from_str(&text).expect("appendix C JSON")
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn check_table(id: &str, got: &TableSnapshot, step: &Step, max_size: usize) {
    assert_eq!(
        got.entries.len(),
        step.dynamic_table_after.len(),
        "{id}: entries"
    );
    for (i, (g, want)) in got
        .entries
        .iter()
        .zip(&step.dynamic_table_after)
        .enumerate()
    {
        assert_eq!(want.index, i + 1, "{id}");
        assert_eq!(want.hpack_index, STATIC_LEN + 1 + i, "{id}");
        assert_eq!(
            (g.name.as_ref(), g.value.as_ref(), g.size()),
            (want.name.as_str(), want.value.as_str(), want.size),
            "{id}: entry {}",
            want.index
        );
    }
    assert_eq!(got.size, step.dynamic_table_size_after, "{id}: size");
    assert_eq!(got.max_size, max_size, "{id}: max size");
}

fn fields(step: &Step) -> Vec<HeaderField> {
    step.headers
        .iter()
        .map(|(n, v)| HeaderField::new(n, v))
        .collect()
}

#[test]
fn c1_integers() {
    let v = vectors();
    assert_eq!(v.integer_representation.len(), 3);
    for c in &v.integer_representation {
        let wire = hex(&c.wire_hex);
        let mut out = Vec::new();
        crate::wire::prefix_int::encode(c.value as u64, u32::from(c.prefix_bits), 0, &mut out);
        assert_eq!(out, wire, "{}", c.id);
        assert_eq!(
            super::string::decode_at(&wire, 0, u32::from(c.prefix_bits)),
            Ok((c.value as u32, wire.len())),
            "{}",
            c.id
        );
    }
}

#[test]
fn c2_single_representations() {
    let v = vectors();
    assert_eq!(v.header_field_representations.len(), 4);
    for s in &v.header_field_representations {
        let size = s.header_table_size.unwrap_or(DEFAULT_TABLE_SIZE);
        let wire = hex(&s.wire_hex);
        assert_eq!(wire.len(), s.wire_len, "{}", s.id);
        let mut d = Decoder::new(DecoderConfig {
            max_table_size: size,
            ..DecoderConfig::default()
        });
        let got = d.decode(&wire).unwrap_or_else(|e| panic!("{}: {e}", s.id));
        assert_eq!(got.headers, fields(s), "{}", s.id);
        check_table(&s.id, &got.table, s, size);

        let (rep, indexing) = match s.representation.as_deref() {
            Some("literal_with_incremental_indexing") => (
                Representation::LiteralWithIncrementalIndexing,
                Indexing::Incremental,
            ),
            Some("literal_without_indexing") => (
                Representation::LiteralWithoutIndexing,
                Indexing::WithoutIndexing,
            ),
            Some("literal_never_indexed") => {
                (Representation::LiteralNeverIndexed, Indexing::NeverIndexed)
            }
            Some("indexed") => (Representation::Indexed, Indexing::Auto),
            other => panic!("{}: unknown representation {other:?}", s.id),
        };
        assert_eq!(got.steps.len(), 1);
        assert_eq!(got.steps[0].representation, rep, "{}", s.id);
        assert_eq!(got.steps[0].len, wire.len(), "{}", s.id);

        let mut e = Encoder::new(EncoderConfig {
            table_size: size,
            huffman: HuffmanMode::Never,
        });
        let input: Vec<_> = fields(s).into_iter().map(|f| (f, indexing)).collect();
        let out = e.encode(&input);
        assert_eq!(out.bytes, wire, "{}: encoded", s.id);
        assert_eq!(out.steps, got.steps, "{}: encoder steps", s.id);
        check_table(&s.id, &out.table, s, size);
    }
}

/// C.3–C.6 with every literal indexed (as the RFC's encoder does).
#[test]
fn c3_to_c6_sequences_decode_and_encode() {
    let v = vectors();
    let ids: Vec<_> = v.sequences.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["C.3", "C.4", "C.5", "C.6"]);
    for seq in &v.sequences {
        let size = seq.header_table_size;
        let mut d = Decoder::new(DecoderConfig {
            max_table_size: size,
            ..DecoderConfig::default()
        });
        let mut e = Encoder::new(EncoderConfig {
            table_size: size,
            huffman: if seq.huffman {
                HuffmanMode::Always
            } else {
                HuffmanMode::Never
            },
        });
        assert_eq!(seq.steps.len(), 3, "{}", seq.id);
        for s in &seq.steps {
            let wire = hex(&s.wire_hex);
            assert_eq!(wire.len(), s.wire_len, "{}", s.id);
            let got = d
                .decode(&wire)
                .unwrap_or_else(|err| panic!("{}: {err}", s.id));
            assert_eq!(got.headers, fields(s), "{}", s.id);
            check_table(&s.id, &got.table, s, size);
            for st in &got.steps {
                if let Some(h) = st.name_huffman.or(st.value_huffman) {
                    assert_eq!(h, seq.huffman, "{}", s.id);
                }
            }
            let spent: usize = got.steps.iter().map(|st| st.len).sum();
            assert_eq!(spent, wire.len(), "{}: steps cover the block", s.id);

            let input: Vec<_> = fields(s)
                .into_iter()
                .map(|f| (f, Indexing::Incremental))
                .collect();
            let out = e.encode(&input);
            assert_eq!(out.bytes, wire, "{}: encoded", s.id);
            assert_eq!(out.steps, got.steps, "{}: encoder steps", s.id);
            assert_eq!(out.table, got.table, "{}: encoder table", s.id);
        }
    }
}

/// The request examples are what the default strategy produces unprompted.
#[test]
fn c3_c4_with_the_default_strategy() {
    let v = vectors();
    for seq in &v.sequences[..2] {
        let mut e = Encoder::new(EncoderConfig {
            table_size: seq.header_table_size,
            huffman: if seq.huffman {
                HuffmanMode::Shorter
            } else {
                HuffmanMode::Never
            },
        });
        for s in &seq.steps {
            assert_eq!(e.encode(&fields(s)).bytes, hex(&s.wire_hex), "{}", s.id);
        }
    }
}

#[test]
fn appendix_c_huffman_strings() {
    let v = vectors();
    assert!(v.huffman_strings.len() >= 10);
    for h in &v.huffman_strings {
        let wire = hex(&h.huffman_hex);
        assert_eq!(wire.len(), h.encoded_len);
        assert_eq!(
            huffman::encoded_len(h.text.as_bytes()),
            wire.len(),
            "{}",
            h.text
        );
        let mut out = Vec::new();
        huffman::encode(h.text.as_bytes(), &mut out);
        assert_eq!(out, wire, "{}", h.text);
        let mut back = Vec::new();
        huffman::decode(&wire, &mut back).unwrap();
        assert_eq!(back, h.text.as_bytes());
    }
}
