//! Prefixed integers (RFC 7541 §5.1), as QPACK uses them (RFC 9204 §4.1.1).

use crate::wire::h3::varint::MAX_VARINT;

/// Why a prefixed integer did not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntError {
    /// The input ends inside the integer.
    Truncated,
    /// The value exceeds 2^62-1, the largest this implementation accepts (RFC 9204 §4.1.1
    /// lets implementations bound integers; 62 bits matches QUIC's own limit).
    Overflow,
}

/// Appends `value` with an `n`-bit prefix; `flags` holds the bits above the prefix.
pub(crate) fn encode(value: u64, n: u32, flags: u8, out: &mut Vec<u8>) {
    let max_prefix = (1u64 << n) - 1;
    if value < max_prefix {
        out.push(flags | value as u8);
        return;
    }
    out.push(flags | max_prefix as u8);
    let mut rest = value - max_prefix;
    while rest >= 0x80 {
        out.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    out.push(rest as u8);
}

/// Decodes an `n`-bit-prefix integer at the start of `buf`; returns it and its length.
pub(crate) fn decode(buf: &[u8], n: u32) -> Result<(u64, usize), IntError> {
    let max_prefix = (1u64 << n) - 1;
    let first = u64::from(*buf.first().ok_or(IntError::Truncated)?) & max_prefix;
    if first < max_prefix {
        return Ok((first, 1));
    }
    let mut value = max_prefix;
    let mut shift = 0u32;
    for (i, &b) in buf.iter().enumerate().skip(1) {
        let part = u64::from(b & 0x7f);
        if shift > 62 || (part << shift) >> shift != part {
            return Err(IntError::Overflow);
        }
        value = value
            .checked_add(part << shift)
            .filter(|&v| v <= MAX_VARINT)
            .ok_or(IntError::Overflow)?;
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
        shift += 7;
    }
    Err(IntError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc7541_c1_examples() {
        let mut out = Vec::new();
        encode(10, 5, 0, &mut out);
        assert_eq!(out, [0x0a]);
        out.clear();
        encode(1337, 5, 0, &mut out);
        assert_eq!(out, [0x1f, 0x9a, 0x0a]);
        out.clear();
        encode(42, 8, 0, &mut out);
        assert_eq!(out, [0x2a]);
        assert_eq!(decode(&[0xff, 0x9a, 0x0a], 5), Ok((1337, 3)));
        assert_eq!(decode(&[0x1f, 0x9a], 5), Err(IntError::Truncated));
        assert_eq!(decode(&[], 5), Err(IntError::Truncated));
        let mut huge = vec![0x1f];
        huge.extend([0xff; 9]);
        huge.push(0x01);
        assert_eq!(decode(&huge, 5), Err(IntError::Overflow));
    }

    proptest! {
        #[test]
        fn round_trip(v in 0..=MAX_VARINT, n in 1u32..=8) {
            let mut out = Vec::new();
            encode(v, n, 0, &mut out);
            prop_assert_eq!(decode(&out, n), Ok((v, out.len())));
        }
    }
}
