//! RFC 7541 §5.1: integers with an N-bit prefix, the one codec for HPACK and for QPACK
//! (RFC 9204 §4.1.1 uses HPACK's).

/// Why a prefixed integer did not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PrefixIntError {
    /// The input ends inside the integer.
    Truncated,
    /// The value exceeds the caller's bound, or uses more continuation octets than such a
    /// value needs (they could only be zero padding, and are refused rather than read
    /// without end).
    Overflow,
}

/// Largest HPACK integer accepted: RFC 7541 §5.1 lets implementations limit integers; every
/// integer HPACK carries (an index, a length, a table size) fits in 32 bits.
pub(crate) const HPACK_MAX: u64 = u32::MAX as u64;

/// Largest QPACK integer accepted: 2^62-1, QUIC's own limit (RFC 9204 §4.1.1 lets
/// implementations bound integers).
pub(crate) const QPACK_MAX: u64 = crate::wire::h3::varint::MAX_VARINT;

/// Appends `value` with an `n`-bit prefix (1..=8); `flags` are the bits of the first octet
/// above the prefix.
pub(crate) fn encode(value: u64, n: u32, flags: u8, out: &mut Vec<u8>) {
    debug_assert!((1..=8).contains(&n));
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

/// Decodes an `n`-bit-prefix integer of at most `max` at the start of `buf`; returns it and
/// the number of octets it took.
#[inline]
pub(crate) fn decode(buf: &[u8], n: u32, max: u64) -> Result<(u64, usize), PrefixIntError> {
    let max_prefix = (1u64 << n) - 1;
    let first = u64::from(*buf.first().ok_or(PrefixIntError::Truncated)?) & max_prefix;
    if first < max_prefix {
        return Ok((first, 1));
    }
    // Continuation octets carry 7 bits each; past the bits `max` needs, refuse.
    let bits = 64 - max.leading_zeros();
    let mut value = max_prefix;
    let mut shift = 0u32;
    for (i, &b) in buf.iter().enumerate().skip(1) {
        value = value
            .checked_add(u64::from(b & 0x7f) << shift)
            .filter(|&v| v <= max)
            .ok_or(PrefixIntError::Overflow)?;
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
        shift += 7;
        if shift >= bits {
            return Err(PrefixIntError::Overflow);
        }
    }
    Err(PrefixIntError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc(prefix: u32, v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, prefix, 0, &mut out);
        out
    }

    /// RFC 7541 Appendix C.1.
    #[test]
    fn rfc_examples() {
        assert_eq!(enc(5, 10), [0x0a]);
        assert_eq!(enc(5, 1337), [0x1f, 0x9a, 0x0a]);
        assert_eq!(enc(8, 42), [0x2a]);
        assert_eq!(decode(&[0x0a], 5, HPACK_MAX), Ok((10, 1)));
        assert_eq!(decode(&[0x1f, 0x9a, 0x0a], 5, HPACK_MAX), Ok((1337, 3)));
        assert_eq!(decode(&[0xff, 0x9a, 0x0a], 5, QPACK_MAX), Ok((1337, 3)));
        assert_eq!(decode(&[0x2a], 8, HPACK_MAX), Ok((42, 1)));
    }

    #[test]
    fn flags_above_prefix_are_ignored_and_kept() {
        let mut out = Vec::new();
        encode(62, 6, 0x40, &mut out);
        assert_eq!(out, [0x7e]);
        assert_eq!(decode(&out, 6, HPACK_MAX), Ok((62, 1)));
        out.clear();
        encode(63, 6, 0x40, &mut out);
        assert_eq!(out, [0x7f, 0x00]);
        assert_eq!(decode(&out, 6, HPACK_MAX), Ok((63, 2)));
    }

    #[test]
    fn round_trips_at_the_edges() {
        for prefix in 1..=8 {
            for v in [
                0,
                1,
                30,
                31,
                126,
                127,
                128,
                254,
                255,
                256,
                16383,
                16384,
                1 << 21,
            ]
            .into_iter()
            .chain([HPACK_MAX - 1, HPACK_MAX])
            {
                let bytes = enc(prefix, v);
                assert_eq!(
                    decode(&bytes, prefix, HPACK_MAX),
                    Ok((v, bytes.len())),
                    "{prefix} {v}"
                );
            }
        }
    }

    #[test]
    fn truncated_and_overflowing_integers_are_errors() {
        assert_eq!(decode(&[], 5, HPACK_MAX), Err(PrefixIntError::Truncated));
        assert_eq!(
            decode(&[0x1f], 5, HPACK_MAX),
            Err(PrefixIntError::Truncated)
        );
        assert_eq!(
            decode(&[0x1f, 0x80], 5, HPACK_MAX),
            Err(PrefixIntError::Truncated)
        );
        assert_eq!(
            decode(&[0x1f, 0x9a], 5, QPACK_MAX),
            Err(PrefixIntError::Truncated)
        );
        // One past the bound.
        let too_big = enc(5, HPACK_MAX + 1);
        assert_eq!(
            decode(&too_big, 5, HPACK_MAX),
            Err(PrefixIntError::Overflow)
        );
        assert_eq!(
            decode(&too_big, 5, QPACK_MAX).map(|v| v.0),
            Ok(HPACK_MAX + 1)
        );
        // Endless zero continuation octets.
        let mut padded = vec![0x1f];
        padded.extend([0x80; 10]);
        padded.push(0);
        assert_eq!(decode(&padded, 5, HPACK_MAX), Err(PrefixIntError::Overflow));
        // u64-sized values never wrap.
        let mut huge = vec![0xff];
        huge.extend([0xff; 12]);
        assert_eq!(decode(&huge, 8, HPACK_MAX), Err(PrefixIntError::Overflow));
        let mut huge = vec![0x1f];
        huge.extend([0xff; 9]);
        huge.push(0x01);
        assert_eq!(decode(&huge, 5, QPACK_MAX), Err(PrefixIntError::Overflow));
    }

    proptest! {
        #[test]
        fn round_trip(v in 0..=QPACK_MAX, n in 1u32..=8) {
            let out = enc(n, v);
            prop_assert_eq!(decode(&out, n, QPACK_MAX), Ok((v, out.len())));
        }
    }
}
