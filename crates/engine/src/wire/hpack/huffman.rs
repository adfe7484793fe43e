//! RFC 7541 §5.2 and Appendix B: the static Huffman code for string literals.
//!
//! Encoding packs codes into a 64-bit accumulator. Decoding runs a finite state machine
//! four bits at a time (as nghttp2 does): each state is an internal node of the code tree,
//! and the transition table, built at compile time from `CODES`, says for every state and
//! nibble which state comes next and which symbol, if any, was completed on the way.

/// RFC 7541 Appendix B: the Huffman code, `(code, length in bits)` for symbols 0..=255 and
/// EOS (256), codes right-aligned in the `u32`.
pub(crate) const CODES: [(u32, u8); 257] = [
    (0x1ff8, 13),
    (0x7fffd8, 23),
    (0xfffffe2, 28),
    (0xfffffe3, 28), // 0..
    (0xfffffe4, 28),
    (0xfffffe5, 28),
    (0xfffffe6, 28),
    (0xfffffe7, 28), // 4..
    (0xfffffe8, 28),
    (0xffffea, 24),
    (0x3ffffffc, 30),
    (0xfffffe9, 28), // 8..
    (0xfffffea, 28),
    (0x3ffffffd, 30),
    (0xfffffeb, 28),
    (0xfffffec, 28), // 12..
    (0xfffffed, 28),
    (0xfffffee, 28),
    (0xfffffef, 28),
    (0xffffff0, 28), // 16..
    (0xffffff1, 28),
    (0xffffff2, 28),
    (0x3ffffffe, 30),
    (0xffffff3, 28), // 20..
    (0xffffff4, 28),
    (0xffffff5, 28),
    (0xffffff6, 28),
    (0xffffff7, 28), // 24..
    (0xffffff8, 28),
    (0xffffff9, 28),
    (0xffffffa, 28),
    (0xffffffb, 28), // 28..
    (0x14, 6),
    (0x3f8, 10),
    (0x3f9, 10),
    (0xffa, 12), // 32..
    (0x1ff9, 13),
    (0x15, 6),
    (0xf8, 8),
    (0x7fa, 11), // 36..
    (0x3fa, 10),
    (0x3fb, 10),
    (0xf9, 8),
    (0x7fb, 11), // 40..
    (0xfa, 8),
    (0x16, 6),
    (0x17, 6),
    (0x18, 6), // 44..
    (0x0, 5),
    (0x1, 5),
    (0x2, 5),
    (0x19, 6), // 48..
    (0x1a, 6),
    (0x1b, 6),
    (0x1c, 6),
    (0x1d, 6), // 52..
    (0x1e, 6),
    (0x1f, 6),
    (0x5c, 7),
    (0xfb, 8), // 56..
    (0x7ffc, 15),
    (0x20, 6),
    (0xffb, 12),
    (0x3fc, 10), // 60..
    (0x1ffa, 13),
    (0x21, 6),
    (0x5d, 7),
    (0x5e, 7), // 64..
    (0x5f, 7),
    (0x60, 7),
    (0x61, 7),
    (0x62, 7), // 68..
    (0x63, 7),
    (0x64, 7),
    (0x65, 7),
    (0x66, 7), // 72..
    (0x67, 7),
    (0x68, 7),
    (0x69, 7),
    (0x6a, 7), // 76..
    (0x6b, 7),
    (0x6c, 7),
    (0x6d, 7),
    (0x6e, 7), // 80..
    (0x6f, 7),
    (0x70, 7),
    (0x71, 7),
    (0x72, 7), // 84..
    (0xfc, 8),
    (0x73, 7),
    (0xfd, 8),
    (0x1ffb, 13), // 88..
    (0x7fff0, 19),
    (0x1ffc, 13),
    (0x3ffc, 14),
    (0x22, 6), // 92..
    (0x7ffd, 15),
    (0x3, 5),
    (0x23, 6),
    (0x4, 5), // 96..
    (0x24, 6),
    (0x5, 5),
    (0x25, 6),
    (0x26, 6), // 100..
    (0x27, 6),
    (0x6, 5),
    (0x74, 7),
    (0x75, 7), // 104..
    (0x28, 6),
    (0x29, 6),
    (0x2a, 6),
    (0x7, 5), // 108..
    (0x2b, 6),
    (0x76, 7),
    (0x2c, 6),
    (0x8, 5), // 112..
    (0x9, 5),
    (0x2d, 6),
    (0x77, 7),
    (0x78, 7), // 116..
    (0x79, 7),
    (0x7a, 7),
    (0x7b, 7),
    (0x7ffe, 15), // 120..
    (0x7fc, 11),
    (0x3ffd, 14),
    (0x1ffd, 13),
    (0xffffffc, 28), // 124..
    (0xfffe6, 20),
    (0x3fffd2, 22),
    (0xfffe7, 20),
    (0xfffe8, 20), // 128..
    (0x3fffd3, 22),
    (0x3fffd4, 22),
    (0x3fffd5, 22),
    (0x7fffd9, 23), // 132..
    (0x3fffd6, 22),
    (0x7fffda, 23),
    (0x7fffdb, 23),
    (0x7fffdc, 23), // 136..
    (0x7fffdd, 23),
    (0x7fffde, 23),
    (0xffffeb, 24),
    (0x7fffdf, 23), // 140..
    (0xffffec, 24),
    (0xffffed, 24),
    (0x3fffd7, 22),
    (0x7fffe0, 23), // 144..
    (0xffffee, 24),
    (0x7fffe1, 23),
    (0x7fffe2, 23),
    (0x7fffe3, 23), // 148..
    (0x7fffe4, 23),
    (0x1fffdc, 21),
    (0x3fffd8, 22),
    (0x7fffe5, 23), // 152..
    (0x3fffd9, 22),
    (0x7fffe6, 23),
    (0x7fffe7, 23),
    (0xffffef, 24), // 156..
    (0x3fffda, 22),
    (0x1fffdd, 21),
    (0xfffe9, 20),
    (0x3fffdb, 22), // 160..
    (0x3fffdc, 22),
    (0x7fffe8, 23),
    (0x7fffe9, 23),
    (0x1fffde, 21), // 164..
    (0x7fffea, 23),
    (0x3fffdd, 22),
    (0x3fffde, 22),
    (0xfffff0, 24), // 168..
    (0x1fffdf, 21),
    (0x3fffdf, 22),
    (0x7fffeb, 23),
    (0x7fffec, 23), // 172..
    (0x1fffe0, 21),
    (0x1fffe1, 21),
    (0x3fffe0, 22),
    (0x1fffe2, 21), // 176..
    (0x7fffed, 23),
    (0x3fffe1, 22),
    (0x7fffee, 23),
    (0x7fffef, 23), // 180..
    (0xfffea, 20),
    (0x3fffe2, 22),
    (0x3fffe3, 22),
    (0x3fffe4, 22), // 184..
    (0x7ffff0, 23),
    (0x3fffe5, 22),
    (0x3fffe6, 22),
    (0x7ffff1, 23), // 188..
    (0x3ffffe0, 26),
    (0x3ffffe1, 26),
    (0xfffeb, 20),
    (0x7fff1, 19), // 192..
    (0x3fffe7, 22),
    (0x7ffff2, 23),
    (0x3fffe8, 22),
    (0x1ffffec, 25), // 196..
    (0x3ffffe2, 26),
    (0x3ffffe3, 26),
    (0x3ffffe4, 26),
    (0x7ffffde, 27), // 200..
    (0x7ffffdf, 27),
    (0x3ffffe5, 26),
    (0xfffff1, 24),
    (0x1ffffed, 25), // 204..
    (0x7fff2, 19),
    (0x1fffe3, 21),
    (0x3ffffe6, 26),
    (0x7ffffe0, 27), // 208..
    (0x7ffffe1, 27),
    (0x3ffffe7, 26),
    (0x7ffffe2, 27),
    (0xfffff2, 24), // 212..
    (0x1fffe4, 21),
    (0x1fffe5, 21),
    (0x3ffffe8, 26),
    (0x3ffffe9, 26), // 216..
    (0xffffffd, 28),
    (0x7ffffe3, 27),
    (0x7ffffe4, 27),
    (0x7ffffe5, 27), // 220..
    (0xfffec, 20),
    (0xfffff3, 24),
    (0xfffed, 20),
    (0x1fffe6, 21), // 224..
    (0x3fffe9, 22),
    (0x1fffe7, 21),
    (0x1fffe8, 21),
    (0x7ffff3, 23), // 228..
    (0x3fffea, 22),
    (0x3fffeb, 22),
    (0x1ffffee, 25),
    (0x1ffffef, 25), // 232..
    (0xfffff4, 24),
    (0xfffff5, 24),
    (0x3ffffea, 26),
    (0x7ffff4, 23), // 236..
    (0x3ffffeb, 26),
    (0x7ffffe6, 27),
    (0x3ffffec, 26),
    (0x3ffffed, 26), // 240..
    (0x7ffffe7, 27),
    (0x7ffffe8, 27),
    (0x7ffffe9, 27),
    (0x7ffffea, 27), // 244..
    (0x7ffffeb, 27),
    (0xffffffe, 28),
    (0x7ffffec, 27),
    (0x7ffffed, 27), // 248..
    (0x7ffffee, 27),
    (0x7ffffef, 27),
    (0x7fffff0, 27),
    (0x3ffffee, 26),  // 252..
    (0x3fffffff, 30), // 256..
];

/// RFC 7541 Appendix B: the end-of-string symbol, which must never appear in a string.
const EOS: u16 = 256;

/// RFC 7541 §5.2: padding longer than 7 bits is a decoding error.
pub(crate) const MAX_PADDING_BITS: u8 = 7;

/// Number of internal nodes of the code tree: a full binary tree with 257 leaves has 256.
const STATES: usize = 256;

/// Transition flag: a symbol was completed within this nibble (low 8 bits of the entry).
const EMIT: u32 = 1 << 16;
/// Transition flag: the EOS code was completed within this nibble.
const FAIL: u32 = 1 << 17;

/// The decoder's tables: `trans[state][nibble] = next_state << 8 | symbol | flags`, and per
/// state its depth in bits below the root and whether every bit on the way was a one.
struct Fsm {
    trans: [[u32; 16]; STATES],
    depth: [u8; STATES],
    all_ones: [bool; STATES],
}

/// A leaf marker in the construction tree: children with this bit hold a symbol.
const LEAF: u16 = 0x8000;

const fn build_fsm() -> Fsm {
    // Internal nodes: children[node][bit] is either another node or LEAF | symbol.
    // 0 doubles as "no child yet" because the root (node 0) is never anyone's child.
    let mut children = [[0u16; 2]; STATES];
    let mut depth = [0u8; STATES];
    let mut all_ones = [false; STATES];
    all_ones[0] = true;
    let mut nodes = 1usize;
    let mut sym = 0usize;
    while sym < CODES.len() {
        let (code, len) = CODES[sym];
        let mut node = 0usize;
        let mut i = len;
        while i > 1 {
            i -= 1;
            let bit = ((code >> i) & 1) as usize;
            if children[node][bit] == 0 {
                children[node][bit] = nodes as u16;
                depth[nodes] = depth[node] + 1;
                all_ones[nodes] = all_ones[node] && bit == 1;
                nodes += 1;
            }
            node = children[node][bit] as usize;
        }
        let bit = (code & 1) as usize;
        children[node][bit] = LEAF | sym as u16;
        sym += 1;
    }
    assert!(nodes == STATES, "the Huffman code must be complete");

    let mut trans = [[0u32; 16]; STATES];
    let mut state = 0usize;
    while state < STATES {
        let mut nibble = 0usize;
        while nibble < 16 {
            let mut node = state;
            let mut entry = 0u32;
            let mut b = 4;
            while b > 0 {
                b -= 1;
                let child = children[node][(nibble >> b) & 1];
                if child & LEAF != 0 {
                    let s = child & !LEAF;
                    if s == EOS {
                        entry |= FAIL;
                    } else {
                        entry |= EMIT | s as u32;
                    }
                    node = 0;
                } else {
                    node = child as usize;
                }
            }
            trans[state][nibble] = entry | (node as u32) << 8;
            nibble += 1;
        }
        state += 1;
    }
    Fsm {
        trans,
        depth,
        all_ones,
    }
}

static FSM: Fsm = build_fsm();

/// Why a Huffman-coded string could not be decoded (RFC 7541 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HuffmanError {
    /// The EOS symbol appeared inside the string.
    Eos,
    /// The string ended with more than 7 bits that do not form a symbol.
    PaddingTooLong { bits: u8 },
    /// The string ended with padding that is not the most significant bits of EOS (all ones).
    PaddingNotOnes,
}

impl core::fmt::Display for HuffmanError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HuffmanError::Eos => f.write_str("Huffman EOS symbol inside a string (RFC 7541 §5.2)"),
            HuffmanError::PaddingTooLong { bits } => write!(
                f,
                "Huffman padding of {bits} bits; at most 7 are allowed (RFC 7541 §5.2)"
            ),
            HuffmanError::PaddingNotOnes => f.write_str(
                "Huffman padding is not the most significant bits of EOS (RFC 7541 §5.2)",
            ),
        }
    }
}

/// Number of octets `input` takes once Huffman coded.
pub fn encoded_len(input: &[u8]) -> usize {
    let bits: usize = input
        .iter()
        .map(|&b| usize::from(CODES[usize::from(b)].1))
        .sum();
    bits.div_ceil(8)
}

/// Appends the Huffman coding of `input` to `out`, padded with the high bits of EOS (ones).
pub fn encode(input: &[u8], out: &mut Vec<u8>) {
    let mut acc: u64 = 0;
    let mut bits: u32 = 0;
    for &b in input {
        let (code, len) = CODES[usize::from(b)];
        acc = (acc << len) | u64::from(code);
        bits += u32::from(len);
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits > 0 {
        let pad = 8 - bits;
        out.push(((acc << pad) as u8) | ((1u8 << pad) - 1));
    }
}

/// Decodes `input` and appends the octets to `out`. `out` grows by at most
/// `input.len() * 8 / 5` octets (the shortest code is 5 bits).
pub fn decode(input: &[u8], out: &mut Vec<u8>) -> Result<(), HuffmanError> {
    let mut state = 0usize;
    for &byte in input {
        for nibble in [byte >> 4, byte & 0x0f] {
            let t = FSM.trans[state][usize::from(nibble)];
            if t & (EMIT | FAIL) != 0 {
                if t & FAIL != 0 {
                    return Err(HuffmanError::Eos);
                }
                out.push(t as u8);
            }
            state = ((t >> 8) & 0xff) as usize;
        }
    }
    let depth = FSM.depth[state];
    if depth > MAX_PADDING_BITS {
        Err(HuffmanError::PaddingTooLong { bits: depth })
    } else if !FSM.all_ones[state] {
        Err(HuffmanError::PaddingNotOnes)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let mut out = Vec::new();
        decode(bytes, &mut out).map(|()| out)
    }

    fn enc(s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(s, &mut out);
        assert_eq!(out.len(), encoded_len(s));
        out
    }

    #[test]
    fn code_is_complete_prefix_free_and_ordered() {
        // Kraft sum exactly 1 (scaled by 2^30, the longest code).
        let sum: u64 = CODES.iter().map(|&(_, l)| 1u64 << (30 - l)).sum();
        assert_eq!(sum, 1 << 30);
        assert_eq!(CODES[256], (0x3fff_ffff, 30));
        assert_eq!(CODES[usize::from(b'0')], (0x0, 5));
        assert_eq!(CODES[usize::from(b'a')], (0x3, 5));
    }

    #[test]
    fn rfc_example_www_example_com() {
        let wire = [
            0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff,
        ];
        assert_eq!(enc(b"www.example.com"), wire);
        assert_eq!(dec(&wire).unwrap(), b"www.example.com");
    }

    #[test]
    fn every_octet_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(dec(&enc(&all)).unwrap(), all);
        for b in 0..=255u8 {
            assert_eq!(dec(&enc(&[b])).unwrap(), [b]);
        }
        assert_eq!(dec(&[]).unwrap(), b"");
    }

    #[test]
    fn eos_in_string_is_rejected() {
        // EOS (30 ones) followed by two padding ones.
        assert_eq!(dec(&[0xff, 0xff, 0xff, 0xff]), Err(HuffmanError::Eos));
        // 'a' (00011) then EOS.
        assert_eq!(
            dec(&[0x1f, 0xff, 0xff, 0xff, 0xfc | 0x03]),
            Err(HuffmanError::Eos)
        );
    }

    #[test]
    fn padding_longer_than_seven_bits_is_rejected() {
        // 'a' = 00011, then 11 ones: 00011111 11111111.
        assert_eq!(
            dec(&[0x1f, 0xff]),
            Err(HuffmanError::PaddingTooLong { bits: 11 })
        );
        // A whole octet of ones.
        assert_eq!(dec(&[0xff]), Err(HuffmanError::PaddingTooLong { bits: 8 }));
    }

    #[test]
    fn padding_not_all_ones_is_rejected() {
        // 'a' = 00011 then padding 000.
        assert_eq!(dec(&[0x18]), Err(HuffmanError::PaddingNotOnes));
        // 'a' then padding 110.
        assert_eq!(dec(&[0x1e]), Err(HuffmanError::PaddingNotOnes));
        // 'a' then 111 is fine.
        assert_eq!(dec(&[0x1f]).unwrap(), b"a");
    }
}
