//! The result of decoding a prefix of a byte stream: either a complete item and how many bytes
//! it took, or how many bytes the decoder needs before it can say more. Running out of input is
//! not an error: a streaming caller buffers more bytes and tries again.

use serde::{Deserialize, Serialize};

/// A decoder's answer on a buffer that is well-formed so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decoded<T> {
    /// One complete item, which took the first `len` bytes of the buffer.
    Complete { item: T, len: usize },
    /// The buffer ends before the item does: at least `needed` bytes (counted from the start
    /// of the buffer) must be present before decoding can go on.
    Incomplete { needed: usize },
}

impl<T> Decoded<T> {
    /// The complete item and its length, or `None` when more bytes are needed.
    pub fn complete(self) -> Option<(T, usize)> {
        match self {
            Decoded::Complete { item, len } => Some((item, len)),
            Decoded::Incomplete { .. } => None,
        }
    }

    /// Applies `f` to a complete item.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Decoded<U> {
        match self {
            Decoded::Complete { item, len } => Decoded::Complete { item: f(item), len },
            Decoded::Incomplete { needed } => Decoded::Incomplete { needed },
        }
    }
}

/// A decoding error: what was wrong (`kind`) and the offset of the offending byte from the
/// start of the decoded buffer. HTTP/2's and HTTP/3's frame errors are this, each with its
/// own kinds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located<K> {
    pub kind: K,
    /// Byte offset of the offending field, counted from the start of the input.
    pub offset: usize,
}

impl<K> Located<K> {
    pub(crate) fn new(kind: K, offset: usize) -> Located<K> {
        Located { kind, offset }
    }

    /// The same error with its offset moved by `base` bytes, for errors found in an item
    /// that starts `base` bytes into a larger buffer.
    pub fn shifted(mut self, base: usize) -> Located<K> {
        self.offset = self.offset.saturating_add(base);
        self
    }
}

/// Decodes every item of `buf` with `decode`, which reads one from the front of a buffer.
/// `buf` must end at an item boundary: a truncated last item is `Incomplete`, with the total
/// length the buffer would need. Error offsets count from the start of `buf`.
pub fn decode_all<T, K>(
    buf: &[u8],
    decode: impl Fn(&[u8]) -> Result<Decoded<T>, Located<K>>,
) -> Result<Decoded<Vec<T>>, Located<K>> {
    let mut items = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        match decode(&buf[at..]).map_err(|e| e.shifted(at))? {
            Decoded::Complete { item, len } => {
                items.push(item);
                at += len;
            }
            Decoded::Incomplete { needed } => {
                return Ok(Decoded::Incomplete {
                    needed: at.saturating_add(needed),
                })
            }
        }
    }
    Ok(Decoded::Complete {
        item: items,
        len: at,
    })
}
