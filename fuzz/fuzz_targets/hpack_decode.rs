//! Arbitrary bytes as a sequence of HPACK header blocks fed to one decoder: it must never
//! panic, and what it accepts must be self-consistent.
//!
//! Input layout: the first two octets choose the decoder's table limit (0..=65535); the
//! rest is split into blocks at every octet pair `0xfe 0xfe`, so blocks may contain any
//! single octet, including 0xff, which HPACK uses a lot.

#![no_main]

use libfuzzer_sys::fuzz_target;
use protoviz_engine::wire::hpack::{Decoder, DecoderConfig};

/// Block separator in the fuzz input (not an HPACK construct).
const SEPARATOR: [u8; 2] = [0xfe, 0xfe];

fuzz_target!(|data: &[u8]| {
    let (limit, rest) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (4096, data),
    };
    let mut decoder = Decoder::new(DecoderConfig {
        max_table_size: limit,
        max_header_list_size: 16 * 1024,
        max_string_len: 4 * 1024,
    });
    let mut start = 0;
    let mut i = 0;
    while i <= rest.len() {
        let end = i == rest.len() || rest[i..].starts_with(&SEPARATOR);
        if end {
            let block = &rest[start..i];
            match decoder.decode(block) {
                Ok(out) => {
                    let spent: usize = out.steps.iter().map(|s| s.len).sum();
                    assert_eq!(spent, block.len());
                    assert!(out.table.size <= out.table.max_size);
                    assert!(out.table.max_size <= limit);
                    let size: usize = out.table.entries.iter().map(|e| e.size()).sum();
                    assert_eq!(size, out.table.size);
                }
                Err(e) => {
                    assert!(e.offset() <= block.len());
                    assert!(!e.to_string().is_empty());
                }
            }
            start = i + SEPARATOR.len();
            i = start;
        } else {
            i += 1;
        }
    }
});
