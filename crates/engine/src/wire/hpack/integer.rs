//! RFC 7541 §5.1: integers with an N-bit prefix.

/// Largest value the decoder accepts: RFC 7541 §5.1 lets implementations limit integers;
/// every integer HPACK carries (an index, a length, a table size) fits in 32 bits.
pub(crate) const MAX_INTEGER: u64 = u32::MAX as u64;

/// Why an integer could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntegerError {
    /// The block ended inside the integer.
    Truncated,
    /// The value exceeds [`MAX_INTEGER`] or uses more continuation octets than such a value
    /// needs.
    Overflow,
}

/// Appends `value` encoded with a `prefix_bits`-bit prefix (1..=8); `flags` are the bits of
/// the first octet above the prefix.
pub(crate) fn encode(out: &mut Vec<u8>, prefix_bits: u8, flags: u8, value: usize) {
    debug_assert!((1..=8).contains(&prefix_bits));
    let max_prefix = (1usize << prefix_bits) - 1;
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

/// Decodes an integer with a `prefix_bits`-bit prefix starting at `buf[pos]`; returns it and
/// the position just after it. The caller guarantees `pos < buf.len()`.
#[inline]
pub(crate) fn decode(
    buf: &[u8],
    pos: usize,
    prefix_bits: u8,
) -> Result<(u32, usize), IntegerError> {
    let max_prefix = (1u32 << prefix_bits) - 1;
    let first = match buf.get(pos) {
        Some(&b) => u32::from(b) & max_prefix,
        None => return Err(IntegerError::Truncated),
    };
    if first < max_prefix {
        return Ok((first, pos + 1));
    }
    let mut value = u64::from(max_prefix);
    let mut shift = 0u32;
    let mut i = pos + 1;
    loop {
        let b = *buf.get(i).ok_or(IntegerError::Truncated)?;
        i += 1;
        value += u64::from(b & 0x7f) << shift;
        if value > MAX_INTEGER {
            return Err(IntegerError::Overflow);
        }
        if b & 0x80 == 0 {
            return Ok((value as u32, i));
        }
        shift += 7;
        // Five continuation octets carry 35 bits, enough for any u32; a sixth can only be
        // redundant zero padding, which we refuse rather than read without end.
        if shift > 28 {
            return Err(IntegerError::Overflow);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(prefix: u8, v: usize) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, prefix, 0, v);
        out
    }

    #[test]
    fn rfc_examples() {
        assert_eq!(enc(5, 10), [0x0a]);
        assert_eq!(enc(5, 1337), [0x1f, 0x9a, 0x0a]);
        assert_eq!(enc(8, 42), [0x2a]);
        assert_eq!(decode(&[0x0a], 0, 5), Ok((10, 1)));
        assert_eq!(decode(&[0xff, 0x1f, 0x9a, 0x0a], 1, 5), Ok((1337, 4)));
        assert_eq!(decode(&[0x2a], 0, 8), Ok((42, 1)));
    }

    #[test]
    fn flags_above_prefix_are_ignored_and_kept() {
        let mut out = Vec::new();
        encode(&mut out, 6, 0x40, 62);
        assert_eq!(out, [0x7e]);
        assert_eq!(decode(&out, 0, 6), Ok((62, 1)));
        out.clear();
        encode(&mut out, 6, 0x40, 63);
        assert_eq!(out, [0x7f, 0x00]);
        assert_eq!(decode(&out, 0, 6), Ok((63, 2)));
    }

    #[test]
    fn round_trips_at_the_edges() {
        for prefix in 1..=8u8 {
            for v in [
                0usize,
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
            .chain([u32::MAX as usize - 1, u32::MAX as usize])
            {
                let bytes = enc(prefix, v);
                assert_eq!(
                    decode(&bytes, 0, prefix),
                    Ok((v as u32, bytes.len())),
                    "{prefix} {v}"
                );
            }
        }
    }

    #[test]
    fn truncated_and_overflowing_integers_are_errors() {
        assert_eq!(decode(&[], 0, 5), Err(IntegerError::Truncated));
        assert_eq!(decode(&[0x1f], 0, 5), Err(IntegerError::Truncated));
        assert_eq!(decode(&[0x1f, 0x80], 0, 5), Err(IntegerError::Truncated));
        // u32::MAX + 1.
        let too_big = enc(5, u32::MAX as usize + 1);
        assert_eq!(decode(&too_big, 0, 5), Err(IntegerError::Overflow));
        // Endless zero continuation octets.
        let mut padded = vec![0x1f];
        padded.extend([0x80; 10]);
        padded.push(0);
        assert_eq!(decode(&padded, 0, 5), Err(IntegerError::Overflow));
        // u64-sized values never wrap.
        let mut huge = vec![0xff];
        huge.extend([0xff; 12]);
        assert_eq!(decode(&huge, 0, 8), Err(IntegerError::Overflow));
    }
}
