//! The HPACK Huffman code (RFC 7541 Appendix B), which QPACK string literals use too
//! (RFC 9204 §4.1.2).
//!
//! The code is canonical: symbols of one length have consecutive codes, in symbol order, and
//! every length starts where the previous one ended, shifted. So the table is just the code
//! length of each of the 257 symbols; codes and the decoding tables are derived from it at
//! compile time.
//!
//! This is QPACK's own copy; `wire/hpack/huffman.rs` implements the same code for HPACK and
//! the two can be merged.

use core::fmt;
use serde::{Deserialize, Serialize};

/// RFC 7541 Appendix B: the code length in bits of each symbol 0..=255, then EOS (256).
const CODE_LENGTHS: [u8; 257] = [
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, //
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, //
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, //
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, //
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, //
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, //
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, //
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, //
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, //
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, //
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, //
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, //
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, //
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, //
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, //
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, //
    30,
];

/// RFC 7541 §5.2: the EOS symbol, never valid inside a string.
const EOS: u16 = 256;
/// RFC 7541 Appendix B: the longest code (EOS and a few control bytes) has 30 bits.
const MAX_CODE_LEN: usize = 30;

/// Canonical decoding tables: per length, the first code, how many codes, and where their
/// symbols start in `symbols` (sorted by length, then value).
struct Tables {
    codes: [u32; 257],
    first_code: [u32; MAX_CODE_LEN + 1],
    count: [u32; MAX_CODE_LEN + 1],
    first_index: [u16; MAX_CODE_LEN + 1],
    symbols: [u16; 257],
}

const fn build() -> Tables {
    let mut t = Tables {
        codes: [0; 257],
        first_code: [0; MAX_CODE_LEN + 1],
        count: [0; MAX_CODE_LEN + 1],
        first_index: [0; MAX_CODE_LEN + 1],
        symbols: [0; 257],
    };
    let mut code: u32 = 0;
    let mut index: u16 = 0;
    let mut len = 1;
    while len <= MAX_CODE_LEN {
        t.first_code[len] = code;
        t.first_index[len] = index;
        let mut sym = 0;
        while sym < 257 {
            if CODE_LENGTHS[sym] as usize == len {
                t.codes[sym] = code;
                t.symbols[index as usize] = sym as u16;
                code += 1;
                index += 1;
                t.count[len] += 1;
            }
            sym += 1;
        }
        code <<= 1;
        len += 1;
    }
    t
}

static TABLES: Tables = build();

/// A Huffman-coded string that does not decode (RFC 7541 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HuffmanError {
    /// The EOS symbol appears inside the string; `at` is the byte it ends in.
    Eos { at: usize },
    /// The string ends in more than 7 bits of padding, or padding that is not all ones.
    BadPadding,
}

impl fmt::Display for HuffmanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HuffmanError::Eos { at } => {
                write!(f, "Huffman EOS symbol inside a string (string byte {at})")
            }
            HuffmanError::BadPadding => write!(
                f,
                "Huffman padding longer than 7 bits or not the most significant bits of EOS"
            ),
        }
    }
}

/// The length of `bytes` once Huffman-coded.
pub fn encoded_len(bytes: &[u8]) -> usize {
    let bits: usize = bytes
        .iter()
        .map(|&b| usize::from(CODE_LENGTHS[usize::from(b)]))
        .sum();
    bits.div_ceil(8)
}

/// Appends the Huffman coding of `bytes`, padded with the EOS prefix (ones).
pub fn encode(bytes: &[u8], out: &mut Vec<u8>) {
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    for &b in bytes {
        let len = u32::from(CODE_LENGTHS[usize::from(b)]);
        acc = acc << len | u64::from(TABLES.codes[usize::from(b)]);
        bits += len;
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        let pad = 8 - bits;
        out.push(((acc << pad) | ((1 << pad) - 1)) as u8);
    }
}

/// Decodes a Huffman-coded string.
pub fn decode(bytes: &[u8]) -> Result<Vec<u8>, HuffmanError> {
    let mut out = Vec::new();
    let mut code: u32 = 0;
    let mut len = 0usize;
    for (at, &byte) in bytes.iter().enumerate() {
        for shift in (0..8).rev() {
            code = code << 1 | u32::from(byte >> shift & 1);
            len += 1;
            let offset = code.wrapping_sub(TABLES.first_code[len]);
            if code >= TABLES.first_code[len] && offset < TABLES.count[len] {
                let sym = TABLES.symbols[usize::from(TABLES.first_index[len]) + offset as usize];
                if sym == EOS {
                    return Err(HuffmanError::Eos { at });
                }
                out.push(sym as u8);
                code = 0;
                len = 0;
            } else if len >= MAX_CODE_LEN {
                // Unreachable for this complete code, kept so that no input can index past
                // the tables.
                return Err(HuffmanError::BadPadding);
            }
        }
    }
    // RFC 7541 §5.2: at most 7 bits of padding, all ones (the start of EOS).
    if len > 7 || code != (1 << len) - 1 {
        return Err(HuffmanError::BadPadding);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const APPENDIX_C: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors/rfc7541-appendix-c.json"
    );

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn appendix_b_spot_checks() {
        // RFC 7541 Appendix B: '0' = 00000 (5), ' ' = 010100 (6), 'a' = 00011 (5),
        // 0 = 1ff8 (13), EOS = 3fffffff (30).
        assert_eq!(TABLES.codes[usize::from(b'0')], 0);
        assert_eq!(TABLES.codes[usize::from(b' ')], 0x14);
        assert_eq!(TABLES.codes[usize::from(b'a')], 0x3);
        assert_eq!(TABLES.codes[0], 0x1ff8);
        assert_eq!(TABLES.codes[256], 0x3fff_ffff);
        assert_eq!(TABLES.codes[255], 0x3ff_ffee);
    }

    #[test]
    fn rfc7541_appendix_c_strings() {
        let text = std::fs::read_to_string(APPENDIX_C).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cases = doc["huffman_strings"].as_array().unwrap();
        assert_eq!(cases.len(), 12);
        for case in cases {
            let plain = case["text"].as_str().unwrap().as_bytes();
            let coded = unhex(case["huffman_hex"].as_str().unwrap());
            let mut out = Vec::new();
            encode(plain, &mut out);
            assert_eq!(out, coded, "{}", case["text"]);
            assert_eq!(encoded_len(plain), coded.len());
            assert_eq!(decode(&coded).unwrap(), plain);
        }
    }

    #[test]
    fn bad_padding_and_eos() {
        // 'a' (00011) padded with zeros instead of ones.
        assert_eq!(decode(&[0b0001_1000]), Err(HuffmanError::BadPadding));
        // A full byte of ones after a symbol: 8 bits of padding.
        assert_eq!(decode(&[0b0001_1111, 0xff]), Err(HuffmanError::BadPadding));
        // EOS itself (30 ones) followed by padding.
        assert_eq!(
            decode(&[0xff, 0xff, 0xff, 0xff]),
            Err(HuffmanError::Eos { at: 3 })
        );
        assert_eq!(decode(&[]), Ok(vec![]));
    }

    proptest! {
        #[test]
        fn round_trip(b in proptest::collection::vec(any::<u8>(), 0..100)) {
            let mut out = Vec::new();
            encode(&b, &mut out);
            prop_assert_eq!(out.len(), encoded_len(&b));
            prop_assert_eq!(decode(&out).unwrap(), b);
        }

        #[test]
        fn decoding_garbage_never_panics(b in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(plain) = decode(&b) {
                let mut again = Vec::new();
                encode(&plain, &mut again);
                prop_assert_eq!(again, b);
            }
        }
    }
}
