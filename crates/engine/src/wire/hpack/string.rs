//! RFC 7541 §5.2: string literals, a Huffman flag and a 7-bit-prefix length.

use std::sync::Arc;

use super::huffman::{self, HuffmanError};
use super::{HpackError, HuffmanMode};
use crate::wire::prefix_int::{self as integer, PrefixIntError as IntegerError, HPACK_MAX};

/// RFC 7541 §5.2: the H bit, set when the string is Huffman coded.
const HUFFMAN_FLAG: u8 = 0x80;

/// RFC 7541 §5.2: string lengths use a 7-bit prefix.
const LEN_PREFIX_BITS: u32 = 7;

/// Appends `s` as a string literal; returns whether it was Huffman coded.
pub(crate) fn encode(out: &mut Vec<u8>, s: &[u8], mode: HuffmanMode) -> bool {
    let huffman_len = match mode {
        HuffmanMode::Never => None,
        HuffmanMode::Always => Some(huffman::encoded_len(s)),
        HuffmanMode::Shorter => Some(huffman::encoded_len(s)).filter(|&n| n < s.len()),
    };
    match huffman_len {
        Some(n) => {
            integer::encode(n as u64, LEN_PREFIX_BITS, HUFFMAN_FLAG, out);
            huffman::encode(s, out);
            true
        }
        None => {
            integer::encode(s.len() as u64, LEN_PREFIX_BITS, 0, out);
            out.extend_from_slice(s);
            false
        }
    }
}

/// A prefixed integer at `block[pos]` (RFC 7541 §5.1); returns it and the position after.
pub(crate) fn decode_at(
    block: &[u8],
    pos: usize,
    prefix: u32,
) -> Result<(u32, usize), IntegerError> {
    let (v, n) = integer::decode(block.get(pos..).unwrap_or_default(), prefix, HPACK_MAX)?;
    Ok((u32::try_from(v).unwrap_or(u32::MAX), pos + n))
}

/// Maps an integer error at `offset` to the block error.
pub(crate) fn int_err(e: IntegerError, offset: usize) -> HpackError {
    match e {
        IntegerError::Truncated => HpackError::TruncatedInteger { offset },
        IntegerError::Overflow => HpackError::IntegerOverflow { offset },
    }
}

/// Decodes the string literal at `block[pos]` (the caller guarantees `pos` is in bounds or
/// reports truncation); returns the text, whether it was Huffman coded and the position after
/// it. `scratch` is reused across calls for Huffman output; it holds at most `len * 8 / 5`
/// octets, where `len` is bounded by both `max_len` and the octets left in the block.
pub(crate) fn decode(
    block: &[u8],
    pos: usize,
    max_len: usize,
    scratch: &mut Vec<u8>,
) -> Result<(Arc<str>, bool, usize), HpackError> {
    let first = *block
        .get(pos)
        .ok_or(HpackError::TruncatedInteger { offset: pos })?;
    let huffman = first & HUFFMAN_FLAG != 0;
    let (len, start) = decode_at(block, pos, LEN_PREFIX_BITS).map_err(|e| int_err(e, pos))?;
    let len = len as usize;
    if len > max_len {
        return Err(HpackError::StringTooLong {
            offset: pos,
            len,
            max: max_len,
        });
    }
    let available = block.len() - start;
    if len > available {
        return Err(HpackError::TruncatedString {
            offset: pos,
            len,
            available,
        });
    }
    let raw = &block[start..start + len];
    let text = if huffman {
        scratch.clear();
        huffman::decode(raw, scratch).map_err(|e| match e {
            HuffmanError::Eos => HpackError::HuffmanEos { offset: pos },
            HuffmanError::PaddingTooLong { bits } => {
                HpackError::HuffmanPaddingTooLong { offset: pos, bits }
            }
            HuffmanError::PaddingNotOnes => HpackError::HuffmanPaddingNotOnes { offset: pos },
        })?;
        if scratch.len() > max_len {
            return Err(HpackError::StringTooLong {
                offset: pos,
                len: scratch.len(),
                max: max_len,
            });
        }
        std::str::from_utf8(scratch)
    } else {
        std::str::from_utf8(raw)
    };
    let text = text.map_err(|_| HpackError::InvalidUtf8 { offset: pos })?;
    Ok((Arc::from(text), huffman, start + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str, mode: HuffmanMode) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let h = encode(&mut out, s.as_bytes(), mode);
        (out, h)
    }

    #[test]
    fn modes_choose_the_coding() {
        let (raw, h) = enc("custom-key", HuffmanMode::Never);
        assert!(!h);
        assert_eq!(raw[0], 10);
        let (huff, h) = enc("custom-key", HuffmanMode::Always);
        assert!(h);
        assert_eq!(huff, [0x88, 0x25, 0xa8, 0x49, 0xe9, 0x5b, 0xa9, 0x7d, 0x7f]);
        let (_, h) = enc("custom-key", HuffmanMode::Shorter);
        assert!(h);
        // Rare octets grow under Huffman: "Shorter" keeps them raw, "Always" does not.
        assert!(!enc("\u{1}\u{2}", HuffmanMode::Shorter).1);
        assert!(enc("\u{1}\u{2}", HuffmanMode::Always).1);
    }

    #[test]
    fn decodes_both_codings() {
        let mut scratch = Vec::new();
        for mode in [HuffmanMode::Never, HuffmanMode::Always] {
            let (mut bytes, h) = enc("www.example.com", mode);
            bytes.insert(0, 0xaa);
            let (s, hh, end) = decode(&bytes, 1, 100, &mut scratch).unwrap();
            assert_eq!((s.as_ref(), hh, end), ("www.example.com", h, bytes.len()));
        }
    }

    #[test]
    fn errors_name_the_offset() {
        let mut scratch = Vec::new();
        // Length 5, only 2 octets.
        assert_eq!(
            decode(&[0, 0x05, b'a', b'b'], 1, 100, &mut scratch),
            Err(HpackError::TruncatedString {
                offset: 1,
                len: 5,
                available: 2
            })
        );
        assert_eq!(
            decode(&[0x03, b'a', b'b', b'c'], 0, 2, &mut scratch),
            Err(HpackError::StringTooLong {
                offset: 0,
                len: 3,
                max: 2
            })
        );
        // Huffman output longer than the limit: 'a' is 5 bits, 8 octets hold 12 of them.
        let mut long = Vec::new();
        encode(&mut long, b"aaaaaaaaaaaa", HuffmanMode::Always);
        assert!(matches!(
            decode(&long, 0, 10, &mut scratch),
            Err(HpackError::StringTooLong { len: 12, .. })
        ));
        assert_eq!(
            decode(&[0x01, 0xff], 0, 100, &mut scratch),
            Err(HpackError::InvalidUtf8 { offset: 0 })
        );
        assert_eq!(
            decode(&[0x81, 0xff], 0, 100, &mut scratch),
            Err(HpackError::HuffmanPaddingTooLong { offset: 0, bits: 8 })
        );
        assert_eq!(
            decode(&[0x81, 0x18], 0, 100, &mut scratch),
            Err(HpackError::HuffmanPaddingNotOnes { offset: 0 })
        );
        assert_eq!(
            decode(&[0x84, 0xff, 0xff, 0xff, 0xff], 0, 100, &mut scratch),
            Err(HpackError::HuffmanEos { offset: 0 })
        );
        assert_eq!(
            decode(&[], 0, 100, &mut scratch),
            Err(HpackError::TruncatedInteger { offset: 0 })
        );
        assert_eq!(
            decode(&[0x7f], 0, 100, &mut scratch),
            Err(HpackError::TruncatedInteger { offset: 0 })
        );
    }
}
