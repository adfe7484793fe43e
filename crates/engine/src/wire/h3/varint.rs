//! QUIC variable-length integers (RFC 9000 §16), used by HTTP/3 frames and QUIC itself.
//!
//! The two top bits of the first byte give the length (1, 2, 4 or 8 bytes); the rest is the
//! value, big-endian. The encoder always writes the shortest form; the decoder accepts any
//! form, as RFC 9000 §16 allows (only some frame fields demand the minimal one).

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::wire::Decoded;

/// RFC 9000 §16: the largest value a variable-length integer carries, 2^62-1.
pub const MAX_VARINT: u64 = (1 << 62) - 1;

/// A value above [`MAX_VARINT`] cannot be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarIntTooLarge {
    pub value: u64,
}

impl fmt::Display for VarIntTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} does not fit a QUIC variable-length integer (max 2^62-1 = {MAX_VARINT})",
            self.value
        )
    }
}

impl std::error::Error for VarIntTooLarge {}

/// The number of bytes the shortest encoding of `value` takes (RFC 9000 §16, Table 4).
pub fn encoded_len(value: u64) -> Result<usize, VarIntTooLarge> {
    match value {
        0..=0x3f => Ok(1),
        0x40..=0x3fff => Ok(2),
        0x4000..=0x3fff_ffff => Ok(4),
        0x4000_0000..=MAX_VARINT => Ok(8),
        _ => Err(VarIntTooLarge { value }),
    }
}

/// Appends the shortest encoding of `value`; returns the number of bytes written.
pub fn encode(value: u64, out: &mut Vec<u8>) -> Result<usize, VarIntTooLarge> {
    let len = encoded_len(value)?;
    // RFC 9000 §16: the 2-bit prefix is log2 of the length.
    let prefix: u64 = match len {
        1 => 0b00,
        2 => 0b01,
        4 => 0b10,
        _ => 0b11,
    };
    let tagged = value | prefix << (len * 8 - 2);
    out.extend_from_slice(&tagged.to_be_bytes()[8 - len..]);
    Ok(len)
}

/// Decodes the integer at the start of `buf`, or says how many bytes it needs.
pub fn decode(buf: &[u8]) -> Decoded<u64> {
    let Some(&first) = buf.first() else {
        return Decoded::Incomplete { needed: 1 };
    };
    let len = 1usize << (first >> 6);
    let Some(bytes) = buf.get(..len) else {
        return Decoded::Incomplete { needed: len };
    };
    let value = bytes
        .iter()
        .skip(1)
        .fold(u64::from(first & 0x3f), |v, &b| v << 8 | u64::from(b));
    Decoded::Complete { item: value, len }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc(v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out).unwrap();
        out
    }

    #[test]
    fn rfc9000_appendix_a1_examples() {
        let cases: [(&[u8], u64); 4] = [
            (
                &[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c],
                151_288_809_941_952_652,
            ),
            (&[0x9d, 0x7f, 0x3e, 0x7d], 494_878_333),
            (&[0x7b, 0xbd], 15_293),
            (&[0x25], 37),
        ];
        for (bytes, value) in cases {
            assert_eq!(
                decode(bytes),
                Decoded::Complete {
                    item: value,
                    len: bytes.len()
                }
            );
            assert_eq!(enc(value), bytes);
        }
        // A.1: the two-byte sequence 0x40 0x25 also decodes to 37 (non-minimal form).
        assert_eq!(
            decode(&[0x40, 0x25]),
            Decoded::Complete { item: 37, len: 2 }
        );
    }

    #[test]
    fn boundaries_and_limits() {
        for (v, len) in [
            (0x3f, 1),
            (0x40, 2),
            (0x3fff, 2),
            (0x4000, 4),
            (0x3fff_ffff, 4),
            (0x4000_0000, 8),
            (MAX_VARINT, 8),
        ] {
            assert_eq!(enc(v).len(), len, "{v:#x}");
        }
        let mut out = Vec::new();
        assert_eq!(
            encode(MAX_VARINT + 1, &mut out),
            Err(VarIntTooLarge {
                value: MAX_VARINT + 1
            })
        );
        assert!(out.is_empty());
    }

    #[test]
    fn truncated_input_is_incomplete() {
        assert_eq!(decode(&[]), Decoded::Incomplete { needed: 1 });
        assert_eq!(decode(&[0xc0, 0, 0]), Decoded::Incomplete { needed: 8 });
        assert_eq!(decode(&[0x80]), Decoded::Incomplete { needed: 4 });
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(v in 0..=MAX_VARINT) {
            let bytes = enc(v);
            prop_assert_eq!(bytes.len(), encoded_len(v).unwrap());
            prop_assert_eq!(decode(&bytes), Decoded::Complete { item: v, len: bytes.len() });
        }
    }
}
