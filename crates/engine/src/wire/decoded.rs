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
