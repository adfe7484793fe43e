//! Field lines and encoded field sections (RFC 9204 §4.5). Past 600 lines only with its
//! tests: the six field-line representations of §4.5.2–§4.5.6 are one enum with one
//! encoder and one decoder, and each representation's RFC examples sit beside them.

use core::fmt;
use serde::{Deserialize, Serialize};

use super::static_table;
use crate::headers;
use crate::wire::h3::H3ErrorCode;
use crate::wire::hpack::huffman::{self, HuffmanError};
use crate::wire::prefix_int::{self, PrefixIntError as IntError, QPACK_MAX};

/// RFC 9204 §4.5.2: `1 T index(6+)`, indexed field line.
const INDEXED: u8 = 0b1000_0000;
/// RFC 9204 §4.5.2: the T bit of an indexed field line (1 = static table).
const INDEXED_STATIC: u8 = 0b0100_0000;
/// RFC 9204 §4.5.4: `01 N T index(4+)`, literal field line with name reference.
const LITERAL_NAME_REF: u8 = 0b0100_0000;
/// RFC 9204 §4.5.4: the N (never-indexed) bit of a literal with name reference.
const LITERAL_NAME_REF_N: u8 = 0b0010_0000;
/// RFC 9204 §4.5.4: the T bit of a literal with name reference (1 = static table).
const LITERAL_NAME_REF_STATIC: u8 = 0b0001_0000;
/// RFC 9204 §4.5.6: `001 N H namelen(3+)`, literal field line with literal name.
const LITERAL_NAME: u8 = 0b0010_0000;
/// RFC 9204 §4.5.6: the N bit of a literal with literal name.
const LITERAL_NAME_N: u8 = 0b0001_0000;
/// RFC 9204 §4.5.6: the H bit of the literal name.
const LITERAL_NAME_H: u8 = 0b0000_1000;
/// RFC 9204 §4.1.2: the H bit of a string literal with a 7-bit length prefix.
const STRING_H: u8 = 0b1000_0000;
/// RFC 9204 §4.5.3: `0001 index(4+)`, indexed field line with post-base index.
const POST_BASE_INDEXED: u8 = 0b0001_0000;
/// RFC 9204 §4.5.1.2: the sign bit before Delta Base.
const BASE_SIGN: u8 = 0b1000_0000;

/// One header field as bytes (QPACK carries octets; HTTP/3 wants lower-case names).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Field {
    pub name: Vec<u8>,
    pub value: Vec<u8>,
    /// Never-indexed (the N bit, RFC 9204 §4.5.4): intermediaries must not put this field
    /// in a dynamic table, e.g. for cookies or credentials.
    pub never_indexed: bool,
}

impl Field {
    pub fn new(name: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Field {
        Field {
            name: name.into(),
            value: value.into(),
            never_indexed: false,
        }
    }
}

impl From<&headers::Field> for Field {
    fn from(f: &headers::Field) -> Field {
        Field::new(f.name.as_bytes(), f.value.as_bytes())
    }
}

/// One field line representation, static-table forms only (RFC 9204 §4.5.2, §4.5.4, §4.5.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldLine {
    /// §4.5.2: the whole field is static table entry `index`.
    Indexed { index: u64 },
    /// §4.5.4: the name of static entry `index` with a literal value.
    LiteralWithNameRef {
        index: u64,
        never_indexed: bool,
        value: Vec<u8>,
        value_huffman: bool,
    },
    /// §4.5.6: literal name and value.
    LiteralWithLiteralName {
        never_indexed: bool,
        name: Vec<u8>,
        name_huffman: bool,
        value: Vec<u8>,
        value_huffman: bool,
    },
}

/// When the encoder Huffman-codes string literals (RFC 9204 §4.1.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HuffmanMode {
    /// Huffman-code a string when that makes it shorter (what browsers do).
    #[default]
    Shortest,
    Always,
    Never,
}

impl HuffmanMode {
    fn choose(self, s: &[u8]) -> bool {
        match self {
            HuffmanMode::Shortest => huffman::encoded_len(s) < s.len(),
            HuffmanMode::Always => true,
            HuffmanMode::Never => false,
        }
    }
}

/// Chooses field lines for header lists and writes encoded field sections.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoder {
    pub huffman: HuffmanMode,
}

/// A field line borrowing its strings: what [`Encoder::encode`] writes without building
/// [`FieldLine`]s.
#[derive(Clone, Copy)]
enum LineRef<'a> {
    Indexed {
        index: u64,
    },
    LiteralWithNameRef {
        index: u64,
        never_indexed: bool,
        value: &'a [u8],
        value_huffman: bool,
    },
    LiteralWithLiteralName {
        never_indexed: bool,
        name: &'a [u8],
        name_huffman: bool,
        value: &'a [u8],
        value_huffman: bool,
    },
}

impl LineRef<'_> {
    fn to_owned(self) -> FieldLine {
        match self {
            LineRef::Indexed { index } => FieldLine::Indexed { index },
            LineRef::LiteralWithNameRef {
                index,
                never_indexed,
                value,
                value_huffman,
            } => FieldLine::LiteralWithNameRef {
                index,
                never_indexed,
                value: value.to_vec(),
                value_huffman,
            },
            LineRef::LiteralWithLiteralName {
                never_indexed,
                name,
                name_huffman,
                value,
                value_huffman,
            } => FieldLine::LiteralWithLiteralName {
                never_indexed,
                name: name.to_vec(),
                name_huffman,
                value: value.to_vec(),
                value_huffman,
            },
        }
    }
}

impl FieldLine {
    fn as_ref(&self) -> LineRef<'_> {
        match self {
            FieldLine::Indexed { index } => LineRef::Indexed { index: *index },
            FieldLine::LiteralWithNameRef {
                index,
                never_indexed,
                value,
                value_huffman,
            } => LineRef::LiteralWithNameRef {
                index: *index,
                never_indexed: *never_indexed,
                value,
                value_huffman: *value_huffman,
            },
            FieldLine::LiteralWithLiteralName {
                never_indexed,
                name,
                name_huffman,
                value,
                value_huffman,
            } => LineRef::LiteralWithLiteralName {
                never_indexed: *never_indexed,
                name,
                name_huffman: *name_huffman,
                value,
                value_huffman: *value_huffman,
            },
        }
    }
}

impl Encoder {
    /// The field lines for `fields`: an exact static match is indexed, a static name match
    /// references the name, anything else is literal. Never-indexed fields are always
    /// written as literals so their N bit survives.
    pub fn lines(&self, fields: &[Field]) -> Vec<FieldLine> {
        fields.iter().map(|f| self.line(f).to_owned()).collect()
    }

    fn line<'a>(&self, f: &'a Field) -> LineRef<'a> {
        let name_index = static_table::find_name(&f.name);
        let exact = name_index.and_then(|first| static_table::find_value(first, &f.name, &f.value));
        match (exact, f.never_indexed) {
            (Some(index), false) => LineRef::Indexed { index },
            _ => match name_index {
                Some(index) => LineRef::LiteralWithNameRef {
                    index,
                    never_indexed: f.never_indexed,
                    value: &f.value,
                    value_huffman: self.huffman.choose(&f.value),
                },
                None => LineRef::LiteralWithLiteralName {
                    never_indexed: f.never_indexed,
                    name: &f.name,
                    name_huffman: self.huffman.choose(&f.name),
                    value: &f.value,
                    value_huffman: self.huffman.choose(&f.value),
                },
            },
        }
    }

    /// Appends the encoded field section for `fields` (the section of [`Encoder::lines`]);
    /// returns the number of bytes written.
    pub fn encode(&self, fields: &[Field], out: &mut Vec<u8>) -> usize {
        let start = out.len();
        write_prefix(out);
        for f in fields {
            write_line(self.line(f), out);
        }
        out.len() - start
    }
}

fn write_string(s: &[u8], huffman: bool, n: u32, flags: u8, h_bit: u8, out: &mut Vec<u8>) {
    if huffman {
        prefix_int::encode(huffman::encoded_len(s) as u64, n, flags | h_bit, out);
        huffman::encode(s, out);
    } else {
        prefix_int::encode(s.len() as u64, n, flags, out);
        out.extend_from_slice(s);
    }
}

/// Appends an encoded field section: the prefix with Required Insert Count 0 and Base 0
/// (§4.5.1), then the lines. Returns the number of bytes written.
pub fn write_field_section(lines: &[FieldLine], out: &mut Vec<u8>) -> usize {
    let start = out.len();
    write_prefix(out);
    for line in lines {
        write_line(line.as_ref(), out);
    }
    out.len() - start
}

/// The field section prefix (§4.5.1) without dynamic references.
fn write_prefix(out: &mut Vec<u8>) {
    // §4.5.1.1: Encoded Required Insert Count 0 (no dynamic references).
    prefix_int::encode(0, 8, 0, out);
    // §4.5.1.2: sign 0, Delta Base 0.
    prefix_int::encode(0, 7, 0, out);
}

fn write_line(line: LineRef<'_>, out: &mut Vec<u8>) {
    match line {
        LineRef::Indexed { index } => prefix_int::encode(index, 6, INDEXED | INDEXED_STATIC, out),
        LineRef::LiteralWithNameRef {
            index,
            never_indexed,
            value,
            value_huffman,
        } => {
            let n = if never_indexed { LITERAL_NAME_REF_N } else { 0 };
            prefix_int::encode(
                index,
                4,
                LITERAL_NAME_REF | n | LITERAL_NAME_REF_STATIC,
                out,
            );
            write_string(value, value_huffman, 7, 0, STRING_H, out);
        }
        LineRef::LiteralWithLiteralName {
            never_indexed,
            name,
            name_huffman,
            value,
            value_huffman,
        } => {
            let n = if never_indexed { LITERAL_NAME_N } else { 0 };
            write_string(name, name_huffman, 3, LITERAL_NAME | n, LITERAL_NAME_H, out);
            write_string(value, value_huffman, 7, 0, STRING_H, out);
        }
    }
}

/// What was wrong with an encoded field section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QpackErrorKind {
    /// The section ends inside a field line or the prefix.
    Truncated,
    /// An integer above 2^62-1.
    IntegerOverflow,
    /// A reference to the dynamic table, which this decoder does not use (it advertises
    /// SETTINGS_QPACK_MAX_TABLE_CAPACITY 0; RFC 9204 §2.2.3, §4.5.1.1).
    DynamicTableReference { what: DynamicRef },
    /// Required Insert Count 0 with a negative Base (§4.5.1.2).
    NegativeBase,
    /// A static table index past the 99 entries (§3.1).
    StaticIndexOutOfRange { index: u64 },
    /// A Huffman-coded string that does not decode (§4.1.2, RFC 7541 §5.2).
    Huffman(HuffmanError),
}

/// Which dynamic-table reference was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DynamicRef {
    RequiredInsertCount(u64),
    IndexedFieldLine,
    PostBaseIndexedFieldLine,
    NameReference,
    PostBaseNameReference,
}

impl fmt::Display for DynamicRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DynamicRef::RequiredInsertCount(n) => write!(f, "Required Insert Count {n}"),
            DynamicRef::IndexedFieldLine => f.write_str("indexed field line with T=0"),
            DynamicRef::PostBaseIndexedFieldLine => {
                f.write_str("indexed field line with post-base index")
            }
            DynamicRef::NameReference => f.write_str("name reference with T=0"),
            DynamicRef::PostBaseNameReference => f.write_str("post-base name reference"),
        }
    }
}

/// A field section that cannot be decoded; always QPACK_DECOMPRESSION_FAILED (RFC 9204 §6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QpackError {
    pub kind: QpackErrorKind,
    /// Byte offset in the encoded field section where the offending item starts.
    pub offset: usize,
}

impl QpackError {
    /// RFC 9204 §2.2.3, §4.5: every field section error is QPACK_DECOMPRESSION_FAILED.
    pub fn code(&self) -> H3ErrorCode {
        H3ErrorCode::QpackDecompressionFailed
    }
}

impl fmt::Display for QpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            QpackErrorKind::Truncated => f.write_str("field section ends inside a field line"),
            QpackErrorKind::IntegerOverflow => f.write_str("integer above 2^62-1"),
            QpackErrorKind::DynamicTableReference { what } => write!(
                f,
                "{what} refers to the dynamic table, which is not used (capacity 0)"
            ),
            QpackErrorKind::NegativeBase => {
                f.write_str("Base is negative (sign bit set with Required Insert Count 0)")
            }
            QpackErrorKind::StaticIndexOutOfRange { index } => {
                write!(f, "static table index {index} out of range 0..=98")
            }
            QpackErrorKind::Huffman(e) => write!(f, "{e}"),
        }?;
        write!(f, " ({}) at byte offset {}", self.code(), self.offset)
    }
}

impl std::error::Error for QpackError {}

/// A cursor over an encoded field section.
struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn err(&self, kind: QpackErrorKind, offset: usize) -> QpackError {
        QpackError { kind, offset }
    }

    fn int(&mut self, n: u32) -> Result<u64, QpackError> {
        match prefix_int::decode(&self.buf[self.at..], n, QPACK_MAX) {
            Ok((v, len)) => {
                self.at += len;
                Ok(v)
            }
            Err(IntError::Truncated) => Err(self.err(QpackErrorKind::Truncated, self.at)),
            Err(IntError::Overflow) => Err(self.err(QpackErrorKind::IntegerOverflow, self.at)),
        }
    }

    /// A string literal whose H bit is `h_bit` in the first byte and length has an `n`-bit
    /// prefix. Returns the decoded bytes and whether they were Huffman-coded.
    fn string(&mut self, n: u32, h_bit: u8) -> Result<(Vec<u8>, bool), QpackError> {
        let start = self.at;
        let huffman = self.buf.get(self.at).is_some_and(|b| b & h_bit != 0);
        let len = self.int(n)?;
        let remaining = (self.buf.len() - self.at) as u64;
        if len > remaining {
            return Err(self.err(QpackErrorKind::Truncated, start));
        }
        let raw = &self.buf[self.at..self.at + len as usize];
        let value = if huffman {
            // The shortest code is 5 bits: at most this many octets.
            let mut out = Vec::with_capacity(raw.len() * 8 / 5);
            huffman::decode(raw, &mut out)
                .map_err(|e| self.err(QpackErrorKind::Huffman(e), start))?;
            out
        } else {
            raw.to_vec()
        };
        self.at += len as usize;
        Ok((value, huffman))
    }

    fn static_index(&mut self, n: u32, start: usize) -> Result<u64, QpackError> {
        let index = self.int(n)?;
        if static_table::get(index).is_none() {
            return Err(self.err(QpackErrorKind::StaticIndexOutOfRange { index }, start));
        }
        Ok(index)
    }
}

/// Parses an encoded field section into its lines, rejecting dynamic-table references.
pub fn parse_field_section(buf: &[u8]) -> Result<Vec<FieldLine>, QpackError> {
    let mut r = Reader { buf, at: 0 };
    let ric = r.int(8)?;
    if ric != 0 {
        return Err(r.err(
            QpackErrorKind::DynamicTableReference {
                what: DynamicRef::RequiredInsertCount(ric),
            },
            0,
        ));
    }
    let base_at = r.at;
    let negative = buf.get(base_at).is_some_and(|b| b & BASE_SIGN != 0);
    r.int(7)?;
    // §4.5.1.2: Base = RIC - DeltaBase - 1 when the sign is set: negative for RIC 0.
    if negative {
        return Err(r.err(QpackErrorKind::NegativeBase, base_at));
    }
    let mut lines = Vec::new();
    while r.at < buf.len() {
        let start = r.at;
        let first = buf[start];
        let line = if first & INDEXED != 0 {
            if first & INDEXED_STATIC == 0 {
                return Err(r.err(
                    QpackErrorKind::DynamicTableReference {
                        what: DynamicRef::IndexedFieldLine,
                    },
                    start,
                ));
            }
            FieldLine::Indexed {
                index: r.static_index(6, start)?,
            }
        } else if first & LITERAL_NAME_REF != 0 {
            if first & LITERAL_NAME_REF_STATIC == 0 {
                return Err(r.err(
                    QpackErrorKind::DynamicTableReference {
                        what: DynamicRef::NameReference,
                    },
                    start,
                ));
            }
            let index = r.static_index(4, start)?;
            let (value, value_huffman) = r.string(7, STRING_H)?;
            FieldLine::LiteralWithNameRef {
                index,
                never_indexed: first & LITERAL_NAME_REF_N != 0,
                value,
                value_huffman,
            }
        } else if first & LITERAL_NAME != 0 {
            let (name, name_huffman) = r.string(3, LITERAL_NAME_H)?;
            let (value, value_huffman) = r.string(7, STRING_H)?;
            FieldLine::LiteralWithLiteralName {
                never_indexed: first & LITERAL_NAME_N != 0,
                name,
                name_huffman,
                value,
                value_huffman,
            }
        } else {
            let what = if first & POST_BASE_INDEXED != 0 {
                DynamicRef::PostBaseIndexedFieldLine
            } else {
                DynamicRef::PostBaseNameReference
            };
            return Err(r.err(QpackErrorKind::DynamicTableReference { what }, start));
        };
        lines.push(line);
    }
    Ok(lines)
}

/// Decodes encoded field sections (static table only; see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decoder;

impl Decoder {
    /// The fields of an encoded field section, in order.
    pub fn decode(&self, buf: &[u8]) -> Result<Vec<Field>, QpackError> {
        Ok(parse_field_section(buf)?.into_iter().map(resolve).collect())
    }
}

/// The field a (validated) line stands for.
fn resolve(line: FieldLine) -> Field {
    let entry = |index: u64| static_table::get(index).unwrap_or(("", ""));
    match line {
        FieldLine::Indexed { index } => {
            let (n, v) = entry(index);
            Field::new(n, v)
        }
        FieldLine::LiteralWithNameRef {
            index,
            never_indexed,
            value,
            ..
        } => Field {
            name: entry(index).0.as_bytes().to_vec(),
            value,
            never_indexed,
        },
        FieldLine::LiteralWithLiteralName {
            never_indexed,
            name,
            value,
            ..
        } => Field {
            name,
            value,
            never_indexed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc9204_appendix_b1_literal_with_static_name_ref() {
        // RFC 9204 B.1: ":path: /index.html", literal with name reference to static 1.
        let bytes = unhex("0000 510b 2f69 6e64 6578 2e68 746d 6c");
        let fields = Decoder.decode(&bytes).unwrap();
        assert_eq!(fields, vec![Field::new(":path", "/index.html")]);
        let mut out = Vec::new();
        let enc = Encoder {
            huffman: HuffmanMode::Never,
        };
        enc.encode(&fields, &mut out);
        assert_eq!(out, bytes);
    }

    #[test]
    fn encoder_picks_indexed_name_ref_and_literal() {
        let fields = vec![
            Field::new(":method", "GET"),
            Field::new(":path", "/style.css"),
            Field::new("x-custom", "a"),
            Field {
                name: b"cookie".to_vec(),
                value: b"sid=1".to_vec(),
                never_indexed: true,
            },
            Field {
                name: b":scheme".to_vec(),
                value: b"https".to_vec(),
                never_indexed: true,
            },
        ];
        let lines = Encoder::default().lines(&fields);
        assert_eq!(lines[0], FieldLine::Indexed { index: 17 });
        assert!(matches!(
            lines[1],
            FieldLine::LiteralWithNameRef { index: 1, .. }
        ));
        assert!(matches!(lines[2], FieldLine::LiteralWithLiteralName { .. }));
        assert!(matches!(
            lines[3],
            FieldLine::LiteralWithNameRef {
                index: 5,
                never_indexed: true,
                ..
            }
        ));
        assert!(matches!(
            lines[4],
            FieldLine::LiteralWithNameRef {
                index: 22,
                never_indexed: true,
                ..
            }
        ));
        let mut out = Vec::new();
        Encoder::default().encode(&fields, &mut out);
        assert_eq!(&out[..3], &[0x00, 0x00, 0xd1]);
        assert_eq!(Decoder.decode(&out).unwrap(), fields);
        assert_eq!(parse_field_section(&out).unwrap(), lines);
    }

    fn err(bytes: &[u8]) -> QpackError {
        Decoder.decode(bytes).unwrap_err()
    }

    #[test]
    fn dynamic_references_are_rejected() {
        let cases: [(&[u8], DynamicRef, usize); 5] = [
            (&[0x02, 0x00], DynamicRef::RequiredInsertCount(2), 0),
            (&[0x00, 0x00, 0x80], DynamicRef::IndexedFieldLine, 2),
            (
                &[0x00, 0x00, 0xd1, 0x10],
                DynamicRef::PostBaseIndexedFieldLine,
                3,
            ),
            (&[0x00, 0x00, 0x40, 0x00], DynamicRef::NameReference, 2),
            (
                &[0x00, 0x00, 0x00, 0x00],
                DynamicRef::PostBaseNameReference,
                2,
            ),
        ];
        for (bytes, what, offset) in cases {
            let e = err(bytes);
            assert_eq!(e.kind, QpackErrorKind::DynamicTableReference { what });
            assert_eq!(e.offset, offset);
            assert_eq!(e.code(), H3ErrorCode::QpackDecompressionFailed);
            assert!(e.to_string().contains("QPACK_DECOMPRESSION_FAILED"));
        }
    }

    #[test]
    fn other_malformed_sections() {
        assert_eq!(err(&[0x00]).kind, QpackErrorKind::Truncated);
        assert_eq!(err(&[0x00, 0x80]).kind, QpackErrorKind::NegativeBase);
        assert_eq!(
            err(&[0x00, 0x00, 0xff, 0x24]).kind,
            QpackErrorKind::StaticIndexOutOfRange { index: 99 }
        );
        // Name reference, value length 5 with 2 bytes present.
        let e = err(&[0x00, 0x00, 0x51, 0x05, b'a', b'b']);
        assert_eq!((e.kind, e.offset), (QpackErrorKind::Truncated, 3));
        // Huffman value with zero padding.
        let e = err(&[0x00, 0x00, 0x51, 0x81, 0b0001_1000]);
        assert_eq!(
            e.kind,
            QpackErrorKind::Huffman(HuffmanError::PaddingNotOnes)
        );
        // Base 0 with a positive delta is allowed (no dynamic references follow).
        assert_eq!(Decoder.decode(&[0x00, 0x05, 0xd1]).unwrap().len(), 1);
    }

    #[test]
    fn converts_engine_header_fields() {
        let f = headers::Field::new("accept", "*/*");
        assert_eq!(Field::from(&f), Field::new("accept", "*/*"));
    }

    fn field() -> impl Strategy<Value = Field> {
        let static_entry = (0usize..99).prop_map(|i| {
            let (n, v) = static_table::STATIC_TABLE[i];
            (n.as_bytes().to_vec(), v.as_bytes().to_vec())
        });
        let static_name = (0usize..99, proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(i, v)| (static_table::STATIC_TABLE[i].0.as_bytes().to_vec(), v));
        let literal = (
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::collection::vec(any::<u8>(), 0..40),
        );
        (
            prop_oneof![static_entry, static_name, literal],
            any::<bool>(),
        )
            .prop_map(|((name, value), never_indexed)| Field {
                name,
                value,
                never_indexed,
            })
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(
            fields in proptest::collection::vec(field(), 0..12),
            mode in prop_oneof![Just(HuffmanMode::Shortest), Just(HuffmanMode::Always), Just(HuffmanMode::Never)],
        ) {
            let enc = Encoder { huffman: mode };
            let mut out = Vec::new();
            let n = enc.encode(&fields, &mut out);
            prop_assert_eq!(n, out.len());
            prop_assert_eq!(Decoder.decode(&out).unwrap(), fields.clone());
            prop_assert_eq!(parse_field_section(&out).unwrap(), enc.lines(&fields));
        }

        #[test]
        fn parsing_garbage_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(lines) = parse_field_section(&b) {
                let mut again = Vec::new();
                write_field_section(&lines, &mut again);
                prop_assert_eq!(parse_field_section(&again).unwrap(), lines);
            }
        }
    }
}
