//! HPACK, header compression for HTTP/2 (RFC 7541), written for protoviz.
//!
//! Laid out like hyperium/h2's `hpack`: integers (§5.1, `wire::prefix_int`, shared
//! with QPACK), `string` (§5.2),
//! [`huffman`] (Appendix B), [`table`] (§2.3, §4, Appendix A), [`Decoder`] and [`Encoder`]
//! (§6). Both sides report, per representation, what happened ([`FieldStep`]) and the dynamic
//! table after every block ([`TableSnapshot`]), so the app can show every step; all of it is
//! serde data for the trace.
//!
//! ```
//! use protoviz_engine::wire::hpack::{Decoder, DecoderConfig, Encoder, EncoderConfig};
//! let mut enc = Encoder::new(EncoderConfig::default());
//! let block = enc.encode(&[(":method", "GET"), (":path", "/"), ("x-a", "b")]);
//! let mut dec = Decoder::new(DecoderConfig::default());
//! let decoded = dec.decode(&block.bytes).unwrap();
//! assert_eq!(decoded.headers[2].value.as_ref(), "b");
//! assert_eq!(decoded.table, block.table);
//! ```
//!
//! Header names and values are text: the decoder refuses strings that are not UTF-8
//! ([`HpackError::InvalidUtf8`]), which every header protoviz sends or models satisfies.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

mod decoder;
mod encoder;
/// The Huffman code of RFC 7541 Appendix B, shared with QPACK (RFC 9204 §4.1.2).
pub mod huffman;
pub(crate) mod string;
pub mod table;

pub use decoder::{DecodedBlock, Decoder, DecoderConfig};
pub use encoder::{EncodeField, EncodedBlock, Encoder, EncoderConfig, HuffmanMode, Indexing};
pub use table::{ENTRY_OVERHEAD, STATIC_LEN, STATIC_TABLE};

/// RFC 7541 §4.2 / RFC 9113 §6.5.2: initial value of SETTINGS_HEADER_TABLE_SIZE, the
/// dynamic table's maximum size until the peer says otherwise.
pub const DEFAULT_TABLE_SIZE: usize = 4096;

/// RFC 9113 §6.5.2 (SETTINGS_MAX_HEADER_LIST_SIZE, measured as RFC 7541 §4.1 entry sizes):
/// the decoder's default bound on one block's decoded header list.
pub const DEFAULT_MAX_HEADER_LIST_SIZE: usize = 64 * 1024;

/// RFC 7541 §5.2 (an implementation limit on string literal length, §5.1/§7.4): the
/// decoder's default bound on one decoded name or value, in octets.
pub const DEFAULT_MAX_STRING_LEN: usize = 16 * 1024;

/// One header field. Names and values are shared (`Arc<str>`), so table snapshots and
/// indexed hits cost no copies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HeaderField {
    pub name: Arc<str>,
    pub value: Arc<str>,
}

impl HeaderField {
    pub fn new(name: &str, value: &str) -> HeaderField {
        HeaderField {
            name: name.into(),
            value: value.into(),
        }
    }

    /// RFC 7541 §4.1: the entry size, name and value octets plus 32.
    pub fn size(&self) -> usize {
        self.name.len() + self.value.len() + ENTRY_OVERHEAD
    }
}

impl From<&crate::headers::Field> for HeaderField {
    fn from(f: &crate::headers::Field) -> HeaderField {
        HeaderField::new(&f.name, &f.value)
    }
}

impl From<HeaderField> for crate::headers::Field {
    fn from(f: HeaderField) -> crate::headers::Field {
        crate::headers::Field::new(&f.name, f.value.as_ref())
    }
}

/// RFC 7541 §6: the representation an item of a header block uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Representation {
    /// §6.1: the whole field is a table entry.
    Indexed,
    /// §6.2.1: a literal that is added to the dynamic table.
    LiteralWithIncrementalIndexing,
    /// §6.2.2: a literal that is not added.
    LiteralWithoutIndexing,
    /// §6.2.3: a literal that is not added and that intermediaries must not index either.
    LiteralNeverIndexed,
    /// §6.3: a dynamic table size update.
    SizeUpdate,
}

/// Which table an index points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Static,
    Dynamic,
}

/// An index as carried on the wire (RFC 7541 §2.3.3: 1..=61 static, 62.. dynamic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableIndex {
    pub index: usize,
    pub table: TableKind,
}

impl TableIndex {
    pub(crate) fn new(index: usize) -> TableIndex {
        let table = if index <= STATIC_LEN {
            TableKind::Static
        } else {
            TableKind::Dynamic
        };
        TableIndex { index, table }
    }
}

/// What one representation in a block did: the same record for encoder and decoder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldStep {
    pub representation: Representation,
    /// Octet offset of the representation within the block.
    pub offset: usize,
    /// Octets it took.
    pub len: usize,
    /// Position of the field in the block's header list (`None` for a size update).
    pub header: Option<usize>,
    /// The table entry used: the whole field for [`Representation::Indexed`], the name for
    /// literals with an indexed name; `None` for a literal name or a size update.
    pub index: Option<TableIndex>,
    /// Whether the literal name was Huffman coded (`None` if the name was not a literal).
    pub name_huffman: Option<bool>,
    /// Whether the literal value was Huffman coded (`None` if the value was not a literal).
    pub value_huffman: Option<bool>,
    /// Whether the field was added to the dynamic table (as dynamic index 62).
    pub inserted: bool,
    /// Entries this step evicted, oldest first.
    pub evicted: Vec<HeaderField>,
    /// For a size update, the new maximum size.
    pub max_size: Option<usize>,
    /// Dynamic table size (RFC 7541 §4.1) after this step.
    pub table_size: usize,
}

/// The dynamic table at one moment: entries newest first (the first is HPACK index 62).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSnapshot {
    pub entries: Vec<HeaderField>,
    /// RFC 7541 §4.1: sum of the entries' sizes.
    pub size: usize,
    /// RFC 7541 §4.2: the maximum size in force.
    pub max_size: usize,
}

/// Why a header block could not be decoded; `offset` is the octet offset within the block
/// where the offending item starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum HpackError {
    /// The block ends inside an integer (RFC 7541 §5.1).
    TruncatedInteger { offset: usize },
    /// The block ends inside a string literal (RFC 7541 §5.2).
    TruncatedString {
        offset: usize,
        len: usize,
        available: usize,
    },
    /// An integer exceeds 2^32 - 1 or has needless continuation octets (RFC 7541 §5.1).
    IntegerOverflow { offset: usize },
    /// Index 0 in an indexed field (RFC 7541 §6.1).
    ZeroIndex { offset: usize },
    /// An index past the end of the static and dynamic tables (RFC 7541 §2.3.3).
    IndexOutOfRange {
        offset: usize,
        index: usize,
        max: usize,
    },
    /// A string literal longer than the decoder's limit.
    StringTooLong {
        offset: usize,
        len: usize,
        max: usize,
    },
    /// The Huffman EOS symbol inside a string (RFC 7541 §5.2).
    HuffmanEos { offset: usize },
    /// Huffman padding longer than 7 bits (RFC 7541 §5.2).
    HuffmanPaddingTooLong { offset: usize, bits: u8 },
    /// Huffman padding that is not all ones (RFC 7541 §5.2).
    HuffmanPaddingNotOnes { offset: usize },
    /// A name or value that is not UTF-8 text.
    InvalidUtf8 { offset: usize },
    /// A dynamic table size update after a field (RFC 7541 §4.2).
    SizeUpdateNotAtStart { offset: usize },
    /// A dynamic table size update above the decoder's limit (RFC 7541 §6.3).
    SizeUpdateOverLimit {
        offset: usize,
        size: usize,
        limit: usize,
    },
    /// The limit was lowered below the table's size and the block does not start with the
    /// size update that must follow (RFC 7541 §4.2).
    MissingSizeUpdate { offset: usize, limit: usize },
    /// The decoded header list exceeds the decoder's limit (RFC 7541 §4.1 sizes).
    HeaderListTooLarge {
        offset: usize,
        size: usize,
        max: usize,
    },
}

impl HpackError {
    /// Octet offset within the block where the error was found.
    pub fn offset(&self) -> usize {
        use HpackError::*;
        match *self {
            TruncatedInteger { offset }
            | TruncatedString { offset, .. }
            | IntegerOverflow { offset }
            | ZeroIndex { offset }
            | IndexOutOfRange { offset, .. }
            | StringTooLong { offset, .. }
            | HuffmanEos { offset }
            | HuffmanPaddingTooLong { offset, .. }
            | HuffmanPaddingNotOnes { offset }
            | InvalidUtf8 { offset }
            | SizeUpdateNotAtStart { offset }
            | SizeUpdateOverLimit { offset, .. }
            | MissingSizeUpdate { offset, .. }
            | HeaderListTooLarge { offset, .. } => offset,
        }
    }
}

impl fmt::Display for HpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use HpackError::*;
        match *self {
            TruncatedInteger { offset } => {
                write!(f, "header block ends inside the integer at offset {offset}")
            }
            TruncatedString {
                offset,
                len,
                available,
            } => write!(
                f,
                "string literal at offset {offset} declares {len} octets but only {available} remain"
            ),
            IntegerOverflow { offset } => write!(
                f,
                "integer at offset {offset} exceeds 2^32-1 or is padded with needless octets"
            ),
            ZeroIndex { offset } => write!(
                f,
                "indexed field at offset {offset} uses index 0, which is never valid"
            ),
            IndexOutOfRange { offset, index, max } => write!(
                f,
                "index {index} at offset {offset} is past the tables (valid: 1..={max})"
            ),
            StringTooLong { offset, len, max } => write!(
                f,
                "string literal at offset {offset} is {len} octets, more than the limit of {max}"
            ),
            HuffmanEos { offset } => write!(
                f,
                "Huffman string at offset {offset} contains the EOS symbol"
            ),
            HuffmanPaddingTooLong { offset, bits } => write!(
                f,
                "Huffman string at offset {offset} ends with {bits} bits of padding (at most 7 allowed)"
            ),
            HuffmanPaddingNotOnes { offset } => write!(
                f,
                "Huffman string at offset {offset} ends with padding that is not all ones"
            ),
            InvalidUtf8 { offset } => {
                write!(f, "string literal at offset {offset} is not UTF-8")
            }
            SizeUpdateNotAtStart { offset } => write!(
                f,
                "dynamic table size update at offset {offset} follows a header field (allowed only at the start of a block)"
            ),
            SizeUpdateOverLimit {
                offset,
                size,
                limit,
            } => write!(
                f,
                "dynamic table size update at offset {offset} to {size} exceeds the limit of {limit}"
            ),
            MissingSizeUpdate { offset, limit } => write!(
                f,
                "block must start with a dynamic table size update to at most {limit} (found none at offset {offset})"
            ),
            HeaderListTooLarge { offset, size, max } => write!(
                f,
                "header list reaches {size} octets at the field at offset {offset}, more than the limit of {max}"
            ),
        }
    }
}

impl std::error::Error for HpackError {}

#[cfg(test)]
mod rfc_vectors;
