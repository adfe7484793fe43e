//! RFC 7541 §6: building header blocks, with a browser-like indexing strategy.
//!
//! Strategy (close to nghttp2's, which Firefox's and Chrome's resemble), for fields left
//! to [`Indexing::Auto`]:
//!
//! - a field already in the static or dynamic table is sent as an index (§6.1);
//! - `authorization`, `proxy-authorization` and `cookie` values shorter than 20 octets are
//!   low-entropy secrets: always the never-indexed literal (§6.2.3, §7.1.3), never an index;
//! - fields whose value is nearly always different from one message to the next are sent
//!   without indexing (§6.2.2), so they do not push reusable entries out of the table:
//!   `:path` with a query string, `content-length`, `age`, `etag`, `if-modified-since`,
//!   `if-none-match`, `location` and `set-cookie` (nghttp2's list, except that a `:path`
//!   without a query is indexed: sub-resources are often requested again);
//! - an entry larger than 3/4 of the table is not indexed (it would flush most of it);
//! - everything else is indexed (§6.2.1).
//!
//! Names come from the static table when it has them, else from the dynamic table; strings
//! are Huffman coded when that is shorter ([`HuffmanMode::Shorter`], the default).

use super::string;
use super::table::{self, DynamicTable, STATIC_LEN};
use super::{
    FieldStep, HeaderField, Representation, TableIndex, TableSnapshot, DEFAULT_TABLE_SIZE,
};
use crate::wire::prefix_int as integer;

/// When string literals are Huffman coded (RFC 7541 §5.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HuffmanMode {
    Always,
    Never,
    /// Only when the Huffman coding is strictly shorter.
    #[default]
    Shorter,
}

/// How one field may be represented.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indexing {
    /// The encoder's strategy (see the module documentation).
    #[default]
    Auto,
    /// An index if the table has the field, else a literal added to the table (§6.2.1).
    Incremental,
    /// An index if the table has the field, else a literal not added (§6.2.2).
    WithoutIndexing,
    /// Always the never-indexed literal (§6.2.3): for secrets.
    NeverIndexed,
}

/// A field the encoder can take: `(&str, &str)`, `(String, String)`, [`HeaderField`],
/// [`crate::headers::Field`], or any of them paired with an [`Indexing`].
pub trait EncodeField {
    fn name(&self) -> &str;
    fn value(&self) -> &str;
    fn indexing(&self) -> Indexing {
        Indexing::Auto
    }
}

impl EncodeField for (&str, &str) {
    fn name(&self) -> &str {
        self.0
    }
    fn value(&self) -> &str {
        self.1
    }
}

impl EncodeField for (String, String) {
    fn name(&self) -> &str {
        &self.0
    }
    fn value(&self) -> &str {
        &self.1
    }
}

impl EncodeField for HeaderField {
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        &self.value
    }
}

impl EncodeField for crate::headers::Field {
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        &self.value
    }
}

impl<T: EncodeField> EncodeField for (T, Indexing) {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn value(&self) -> &str {
        self.0.value()
    }
    fn indexing(&self) -> Indexing {
        self.1
    }
}

impl<T: EncodeField + ?Sized> EncodeField for &T {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn value(&self) -> &str {
        (**self).value()
    }
    fn indexing(&self) -> Indexing {
        (**self).indexing()
    }
}

/// The encoder's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncoderConfig {
    /// The dynamic table's maximum size from the start, as agreed through the peer's
    /// SETTINGS_HEADER_TABLE_SIZE (RFC 7541 §4.2); no size update is sent for it.
    pub table_size: usize,
    pub huffman: HuffmanMode,
}

impl Default for EncoderConfig {
    fn default() -> EncoderConfig {
        EncoderConfig {
            table_size: DEFAULT_TABLE_SIZE,
            huffman: HuffmanMode::Shorter,
        }
    }
}

/// One encoded block: its octets, what each representation did, and the table after.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EncodedBlock {
    pub bytes: Vec<u8>,
    pub steps: Vec<FieldStep>,
    pub table: TableSnapshot,
}

/// RFC 7541 §7.1.3 (as nghttp2 and Firefox apply it): cookies shorter than this are
/// guessable and are never indexed.
const SHORT_COOKIE: usize = 20;

/// RFC 7541 §6.1: indexed field, first-octet flag `1` and a 7-bit index.
const INDEXED: (u8, u8) = (0x80, 7);
/// RFC 7541 §6.2.1: literal with incremental indexing, flags `01` and a 6-bit name index.
const INCREMENTAL: (u8, u8) = (0x40, 6);
/// RFC 7541 §6.2.2: literal without indexing, flags `0000` and a 4-bit name index.
const WITHOUT_INDEXING: (u8, u8) = (0x00, 4);
/// RFC 7541 §6.2.3: literal never indexed, flags `0001` and a 4-bit name index.
const NEVER_INDEXED: (u8, u8) = (0x10, 4);
/// RFC 7541 §6.3: dynamic table size update, flags `001` and a 5-bit size.
const SIZE_UPDATE: (u8, u8) = (0x20, 5);

/// An encoding context.
#[derive(Clone, Debug)]
pub struct Encoder {
    config: EncoderConfig,
    table: DynamicTable,
    /// Size changes to announce at the start of the next block: (smallest, last).
    pending_size: Option<(usize, usize)>,
}

impl Encoder {
    pub fn new(config: EncoderConfig) -> Encoder {
        Encoder {
            config,
            table: DynamicTable::new(config.table_size),
            pending_size: None,
        }
    }

    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    pub fn set_huffman(&mut self, mode: HuffmanMode) {
        self.config.huffman = mode;
    }

    /// Changes the dynamic table's maximum size (at most the peer's
    /// SETTINGS_HEADER_TABLE_SIZE). The next block starts with the size update(s): the
    /// smallest size set since the last block, then the last one, if they differ (§4.2).
    pub fn set_table_size(&mut self, size: usize) {
        self.config.table_size = size;
        self.pending_size = Some(match self.pending_size {
            None => (size, size),
            Some((min, _)) => (min.min(size), size),
        });
    }

    /// The dynamic table now.
    pub fn table(&self) -> TableSnapshot {
        self.table.snapshot()
    }

    /// The dynamic table's size now (RFC 7541 §4.1), without a snapshot.
    pub fn table_size(&self) -> usize {
        self.table.size()
    }

    /// A fingerprint of the dynamic table now (FNV-1a 64 over its entries' name and value
    /// fingerprints, newest first, and its maximum size), computed in place without a
    /// snapshot: equal tables have equal digests, on either end of a direction.
    pub fn table_digest(&self) -> u64 {
        self.table.digest()
    }

    /// Encodes one header block.
    pub fn encode<F: EncodeField>(&mut self, fields: &[F]) -> EncodedBlock {
        let (bytes, steps) = self.encode_steps(fields);
        EncodedBlock {
            bytes,
            steps,
            table: self.table.snapshot(),
        }
    }

    /// [`Encoder::encode`] without the table snapshot: the block's octets and steps.
    pub fn encode_steps<F: EncodeField>(&mut self, fields: &[F]) -> (Vec<u8>, Vec<FieldStep>) {
        let estimate: usize = fields
            .iter()
            .map(|f| f.name().len() + f.value().len() + 2)
            .sum();
        let mut out = Vec::with_capacity(estimate);
        let mut steps = Vec::with_capacity(fields.len() + 2);
        if let Some((min, last)) = self.pending_size.take() {
            if min < last {
                self.size_update(min, &mut out, &mut steps);
            }
            self.size_update(last, &mut out, &mut steps);
        }
        for (i, f) in fields.iter().enumerate() {
            let step = self.field(i, f.name(), f.value(), f.indexing(), &mut out);
            steps.push(step);
        }
        (out, steps)
    }

    fn size_update(&mut self, size: usize, out: &mut Vec<u8>, steps: &mut Vec<FieldStep>) {
        let offset = out.len();
        integer::encode(size as u64, u32::from(SIZE_UPDATE.1), SIZE_UPDATE.0, out);
        let mut evicted = Vec::new();
        self.table.set_max_size(size, &mut evicted);
        steps.push(FieldStep {
            representation: Representation::SizeUpdate,
            offset,
            len: out.len() - offset,
            header: None,
            index: None,
            name_huffman: None,
            value_huffman: None,
            inserted: false,
            evicted,
            max_size: Some(size),
            table_size: self.table.size(),
        });
    }

    /// Finds the field: `(index, exact)` with the lowest index among exact matches, else
    /// the lowest among name matches.
    fn find(&self, name: &str, value: &str) -> Option<(usize, bool)> {
        let stat = table::static_lookup(name, value);
        if let Some((_, true)) = stat {
            return stat;
        }
        let (exact, name_match) = self.table.find(name, value);
        if let Some(i) = exact {
            return Some((STATIC_LEN + 1 + i, true));
        }
        stat.or(name_match.map(|i| (STATIC_LEN + 1 + i, false)))
    }

    fn field(
        &mut self,
        header: usize,
        name: &str,
        value: &str,
        indexing: Indexing,
        out: &mut Vec<u8>,
    ) -> FieldStep {
        let offset = out.len();
        let sensitive = match indexing {
            Indexing::NeverIndexed => true,
            Indexing::Auto => is_sensitive(name, value),
            Indexing::Incremental | Indexing::WithoutIndexing => false,
        };
        let found = self.find(name, value);
        let mut step = FieldStep {
            representation: Representation::Indexed,
            offset,
            len: 0,
            header: Some(header),
            index: None,
            name_huffman: None,
            value_huffman: None,
            inserted: false,
            evicted: Vec::new(),
            max_size: None,
            table_size: 0,
        };
        match found {
            Some((index, true)) if !sensitive => {
                integer::encode(index as u64, u32::from(INDEXED.1), INDEXED.0, out);
                step.index = Some(TableIndex::new(index));
            }
            _ => {
                let representation = if sensitive {
                    Representation::LiteralNeverIndexed
                } else {
                    match indexing {
                        Indexing::Incremental => Representation::LiteralWithIncrementalIndexing,
                        Indexing::Auto if self.should_index(name, value) => {
                            Representation::LiteralWithIncrementalIndexing
                        }
                        _ => Representation::LiteralWithoutIndexing,
                    }
                };
                let (flags, prefix) = match representation {
                    Representation::LiteralWithIncrementalIndexing => INCREMENTAL,
                    Representation::LiteralNeverIndexed => NEVER_INDEXED,
                    _ => WITHOUT_INDEXING,
                };
                step.representation = representation;
                let mode = self.config.huffman;
                match found {
                    Some((index, _)) => {
                        integer::encode(index as u64, u32::from(prefix), flags, out);
                        step.index = Some(TableIndex::new(index));
                    }
                    None => {
                        integer::encode(0, u32::from(prefix), flags, out);
                        step.name_huffman = Some(string::encode(out, name.as_bytes(), mode));
                    }
                }
                step.value_huffman = Some(string::encode(out, value.as_bytes(), mode));
                if representation == Representation::LiteralWithIncrementalIndexing {
                    step.inserted = self
                        .table
                        .insert(HeaderField::new(name, value), &mut step.evicted);
                }
            }
        }
        step.len = out.len() - offset;
        step.table_size = self.table.size();
        step
    }

    /// Whether a field left to [`Indexing::Auto`] (and not sensitive) goes into the table.
    fn should_index(&self, name: &str, value: &str) -> bool {
        let size = name.len() + value.len() + table::ENTRY_OVERHEAD;
        if size > self.table.max_size() / 4 * 3 {
            return false;
        }
        match name {
            ":path" => !value.contains('?'),
            "content-length" | "age" | "etag" | "if-modified-since" | "if-none-match"
            | "location" | "set-cookie" => false,
            _ => true,
        }
    }
}

/// RFC 7541 §7.1.3: fields an attacker could guess one character at a time.
fn is_sensitive(name: &str, value: &str) -> bool {
    match name {
        "authorization" | "proxy-authorization" => true,
        "cookie" => value.len() < SHORT_COOKIE,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::hpack::TableKind;

    fn enc() -> Encoder {
        Encoder::new(EncoderConfig::default())
    }

    #[test]
    fn repeats_become_indexes() {
        let mut e = enc();
        let a = e.encode(&[(":method", "GET"), ("x-token", "abc")]);
        assert_eq!(a.steps[0].representation, Representation::Indexed);
        assert_eq!(
            a.steps[1].representation,
            Representation::LiteralWithIncrementalIndexing
        );
        assert!(a.steps[1].inserted);
        assert_eq!(a.steps[1].name_huffman, Some(true));
        let b = e.encode(&[("x-token", "abc"), ("x-token", "abd")]);
        assert_eq!(b.bytes[0], 0x80 | 62);
        assert_eq!(
            b.steps[0].index,
            Some(TableIndex {
                index: 62,
                table: TableKind::Dynamic
            })
        );
        // Name from the dynamic table.
        assert_eq!(b.steps[1].index.unwrap().index, 62);
        assert_eq!(b.steps[1].name_huffman, None);
    }

    #[test]
    fn secrets_are_never_indexed() {
        let mut e = enc();
        for (n, v) in [
            ("authorization", "Basic dXNlcjpwYXNz"),
            ("proxy-authorization", "x"),
            ("cookie", "sid=12345"),
        ] {
            for _ in 0..2 {
                let b = e.encode(&[(n, v)]);
                assert_eq!(
                    b.steps[0].representation,
                    Representation::LiteralNeverIndexed
                );
                assert_eq!(b.bytes[0] & 0xf0, 0x10);
            }
        }
        assert!(e.table().entries.is_empty());
        // A long cookie is indexed; a forced never-indexed one is not, even once in the table.
        let long = ("cookie", "session=0123456789abcdef0123");
        assert!(e.encode(&[long]).steps[0].inserted);
        let b = e.encode(&[(long, Indexing::NeverIndexed)]);
        assert_eq!(
            b.steps[0].representation,
            Representation::LiteralNeverIndexed
        );
        assert_eq!(b.steps[0].index.unwrap().index, 62);
    }

    #[test]
    fn one_off_and_big_fields_are_not_indexed() {
        let mut e = Encoder::new(EncoderConfig {
            table_size: 256,
            huffman: HuffmanMode::Never,
        });
        let b = e.encode(&[
            (":path", "/search?q=hpack"),
            (":path", "/style.css"),
            ("content-length", "1234"),
            ("x-big", &"y".repeat(200)),
        ]);
        let reps: Vec<_> = b.steps.iter().map(|s| s.representation).collect();
        assert_eq!(
            reps,
            [
                Representation::LiteralWithoutIndexing,
                Representation::LiteralWithIncrementalIndexing,
                Representation::LiteralWithoutIndexing,
                Representation::LiteralWithoutIndexing,
            ]
        );
        assert_eq!(b.table.entries, [HeaderField::new(":path", "/style.css")]);
    }

    #[test]
    fn size_updates_announce_smallest_then_last() {
        let mut e = enc();
        e.encode(&[("a", "1"), ("b", "2")]);
        e.set_table_size(0);
        e.set_table_size(1000);
        let b = e.encode(&[("c", "3")]);
        assert_eq!(&b.bytes[..3], [0x20, 0x3f, 0xc9]);
        assert_eq!(b.steps[0].max_size, Some(0));
        assert_eq!(b.steps[0].evicted.len(), 2);
        assert_eq!(b.steps[1].max_size, Some(1000));
        assert_eq!(b.table.max_size, 1000);
        // Nothing pending: no update.
        let c = e.encode(&[("c", "3")]);
        assert_eq!(c.bytes, [0x80 | 62]);
        e.set_table_size(2000);
        let x = e.encode(&[("d", "4")]);
        assert_eq!(x.steps.len(), 2);
        assert_eq!(x.steps[0].representation, Representation::SizeUpdate);
    }

    #[test]
    fn accepts_every_field_form() {
        let mut e = enc();
        let owned = vec![("a".to_string(), "b".to_string())];
        let hf = vec![HeaderField::new("a", "b")];
        let f = vec![crate::headers::Field::new("a", "b")];
        let first = e.encode(&owned).bytes;
        assert_eq!(e.encode(&hf).bytes, [0x80 | 62]);
        assert_eq!(e.encode(&f).bytes, [0x80 | 62]);
        assert_eq!(first[0], 0x40);
    }
}
