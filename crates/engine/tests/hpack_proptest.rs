//! Property tests: encode → decode is the identity and both sides' tables agree after every
//! block, whatever the header lists, table sizes and Huffman mode; decoding arbitrary bytes
//! never panics.

use proptest::prelude::*;
use protoviz_engine::wire::hpack::{
    Decoder, DecoderConfig, Encoder, EncoderConfig, HeaderField, HpackError, HuffmanMode, Indexing,
};

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            ":method",
            ":path",
            ":authority",
            ":status",
            "cookie",
            "authorization",
            "content-length",
            "user-agent",
            "accept",
            "x-custom",
            "set-cookie",
            "etag",
        ])
        .prop_map(str::to_owned),
        "[a-z0-9-]{1,16}",
        ".{0,8}",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "GET",
            "/",
            "200",
            "/index.html?x=1",
            "gzip, deflate"
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,40}",
        ".{0,20}",
        "[a-f0-9]{100,300}",
    ]
}

fn indexing() -> impl Strategy<Value = Indexing> {
    prop_oneof![
        4 => Just(Indexing::Auto),
        1 => Just(Indexing::Incremental),
        1 => Just(Indexing::WithoutIndexing),
        1 => Just(Indexing::NeverIndexed),
    ]
}

fn block() -> impl Strategy<Value = Vec<(HeaderField, Indexing)>> {
    prop::collection::vec(
        (name(), value(), indexing()).prop_map(|(n, v, i)| (HeaderField::new(&n, &v), i)),
        0..12,
    )
}

fn huffman() -> impl Strategy<Value = HuffmanMode> {
    prop_oneof![
        Just(HuffmanMode::Always),
        Just(HuffmanMode::Never),
        Just(HuffmanMode::Shorter)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn encode_then_decode_is_identity(
        limit in prop_oneof![Just(4096usize), 0usize..600, 0usize..20_000],
        mode in huffman(),
        // Per block: the fields and, optionally, a new table size (as a fraction of the
        // limit) set before it.
        blocks in prop::collection::vec((block(), prop::option::of(0usize..=100)), 1..12),
    ) {
        let mut enc = Encoder::new(EncoderConfig { table_size: limit, huffman: mode });
        let mut dec = Decoder::new(DecoderConfig { max_table_size: limit, ..DecoderConfig::default() });
        for (fields, resize) in &blocks {
            if let Some(pct) = resize {
                enc.set_table_size(limit * pct / 100);
            }
            let out = enc.encode(fields);
            let back = dec.decode(&out.bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let want: Vec<HeaderField> = fields.iter().map(|(f, _)| f.clone()).collect();
            prop_assert_eq!(&back.headers, &want);
            prop_assert_eq!(&back.table, &out.table);
            prop_assert_eq!(&back.steps, &out.steps);
            prop_assert_eq!(back.table, enc.table());
            prop_assert!(out.table.size <= out.table.max_size);
        }
    }

    #[test]
    fn decoding_random_bytes_never_panics(
        limit in 0usize..5000,
        max_list in 0usize..5000,
        blocks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 1..8),
    ) {
        let mut dec = Decoder::new(DecoderConfig {
            max_table_size: limit,
            max_header_list_size: max_list,
            max_string_len: 64,
        });
        for b in &blocks {
            match dec.decode(b) {
                Ok(out) => {
                    let spent: usize = out.steps.iter().map(|s| s.len).sum();
                    prop_assert_eq!(spent, b.len());
                    prop_assert!(out.table.size <= out.table.max_size);
                }
                Err(e) => {
                    // An item may start exactly where the block ends (a missing string).
                    prop_assert!(e.offset() <= b.len(), "{} at {} in {}", e, e.offset(), b.len());
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }
    }

    #[test]
    fn decoding_corrupted_blocks_never_panics(
        fields in block(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut enc = Encoder::new(EncoderConfig::default());
        let mut bytes = enc.encode(&fields).bytes;
        prop_assume!(!bytes.is_empty());
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let mut dec = Decoder::new(DecoderConfig::default());
        if let Err(e) = dec.decode(&bytes) {
            let _: &HpackError = &e;
            prop_assert!(e.offset() <= bytes.len());
        }
    }
}
