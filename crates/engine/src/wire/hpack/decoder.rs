//! RFC 7541 §3 and §6: decoding header blocks, one context per connection direction.

use super::string::{self, decode_at, int_err};
use super::table::{self, DynamicTable, STATIC_LEN};
use super::{
    FieldStep, HeaderField, HpackError, Representation, TableIndex, TableSnapshot,
    DEFAULT_MAX_HEADER_LIST_SIZE, DEFAULT_MAX_STRING_LEN, DEFAULT_TABLE_SIZE,
};

/// The decoder's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecoderConfig {
    /// SETTINGS_HEADER_TABLE_SIZE we announced (RFC 7541 §4.2): the table starts at this
    /// maximum size and size updates may not exceed it.
    pub max_table_size: usize,
    /// Bound on one block's header list, counted as RFC 7541 §4.1 entry sizes.
    pub max_header_list_size: usize,
    /// Bound on one decoded name or value, in octets.
    pub max_string_len: usize,
}

impl Default for DecoderConfig {
    fn default() -> DecoderConfig {
        DecoderConfig {
            max_table_size: DEFAULT_TABLE_SIZE,
            max_header_list_size: DEFAULT_MAX_HEADER_LIST_SIZE,
            max_string_len: DEFAULT_MAX_STRING_LEN,
        }
    }
}

/// One decoded block: the header list, what each representation did, and the table after.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DecodedBlock {
    pub headers: Vec<HeaderField>,
    pub steps: Vec<FieldStep>,
    pub table: TableSnapshot,
}

/// RFC 7541 §6.1: first-octet pattern `1xxxxxxx`, 7-bit index.
const INDEXED: u8 = 0x80;
/// RFC 7541 §6.2.1: first-octet pattern `01xxxxxx`, 6-bit name index.
const INCREMENTAL: u8 = 0x40;
/// RFC 7541 §6.3: first-octet pattern `001xxxxx`, 5-bit size.
const SIZE_UPDATE: u8 = 0x20;
/// RFC 7541 §6.2.3: first-octet pattern `0001xxxx`, 4-bit name index.
const NEVER_INDEXED: u8 = 0x10;

/// A decoding context. After an error the context no longer matches the peer's: HTTP/2
/// treats that as a connection error (RFC 9113 §4.3), so drop the decoder. It never panics
/// whatever it is fed.
#[derive(Clone, Debug)]
pub struct Decoder {
    config: DecoderConfig,
    table: DynamicTable,
    /// Set when the limit was lowered below the table's maximum size: the next block must
    /// start with a size update (RFC 7541 §4.2).
    size_update_required: bool,
    scratch: Vec<u8>,
}

impl Decoder {
    pub fn new(config: DecoderConfig) -> Decoder {
        Decoder {
            config,
            table: DynamicTable::new(config.max_table_size),
            size_update_required: false,
            scratch: Vec::new(),
        }
    }

    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// Changes the limit, as when our SETTINGS_HEADER_TABLE_SIZE changes and the peer has
    /// acknowledged it. If the table's maximum size is now above the limit, the next block
    /// must start with a size update that brings it within (RFC 7541 §4.2).
    pub fn set_max_table_size(&mut self, limit: usize) {
        self.config.max_table_size = limit;
        if self.table.max_size() > limit {
            self.size_update_required = true;
        }
    }

    /// The dynamic table now.
    pub fn table(&self) -> TableSnapshot {
        self.table.snapshot()
    }

    fn lookup(&self, index: usize, offset: usize) -> Result<&HeaderField, HpackError> {
        let found = if index == 0 {
            None
        } else if index <= STATIC_LEN {
            table::static_fields().get(index - 1)
        } else {
            self.table.get(index - STATIC_LEN - 1)
        };
        found.ok_or(HpackError::IndexOutOfRange {
            offset,
            index,
            max: STATIC_LEN + self.table.len(),
        })
    }

    /// Decodes one complete header block (all CONTINUATION fragments joined).
    pub fn decode(&mut self, block: &[u8]) -> Result<DecodedBlock, HpackError> {
        let (headers, steps) = self.decode_steps(block)?;
        Ok(DecodedBlock {
            headers,
            steps,
            table: self.table.snapshot(),
        })
    }

    /// A fingerprint of the dynamic table now, computed in place (see
    /// [`Encoder::table_digest`](super::Encoder::table_digest)).
    pub fn table_digest(&self) -> u64 {
        self.table.digest()
    }

    /// [`Decoder::decode`] without the table snapshot: the header list and the steps.
    pub fn decode_steps(
        &mut self,
        block: &[u8],
    ) -> Result<(Vec<HeaderField>, Vec<FieldStep>), HpackError> {
        // A representation takes at least one octet; blocks seldom hold more than 16.
        let cap = block.len().min(16);
        let mut headers: Vec<HeaderField> = Vec::with_capacity(cap);
        let mut steps: Vec<FieldStep> = Vec::with_capacity(cap);
        let mut list_size = 0usize;
        let mut seen_field = false;
        if self.size_update_required && block.first().is_none_or(|&b| b & 0xe0 != SIZE_UPDATE) {
            return Err(HpackError::MissingSizeUpdate {
                offset: 0,
                limit: self.config.max_table_size,
            });
        }
        let mut pos = 0;
        while let Some(&first) = block.get(pos) {
            let start = pos;
            let mut evicted = Vec::new();
            if first & 0xe0 == SIZE_UPDATE {
                if seen_field {
                    return Err(HpackError::SizeUpdateNotAtStart { offset: start });
                }
                let (size, next) = decode_at(block, pos, 5).map_err(|e| int_err(e, start))?;
                let size = size as usize;
                if size > self.config.max_table_size {
                    return Err(HpackError::SizeUpdateOverLimit {
                        offset: start,
                        size,
                        limit: self.config.max_table_size,
                    });
                }
                self.table.set_max_size(size, &mut evicted);
                self.size_update_required = false;
                pos = next;
                steps.push(FieldStep {
                    representation: Representation::SizeUpdate,
                    offset: start,
                    len: pos - start,
                    header: None,
                    index: None,
                    name_huffman: None,
                    value_huffman: None,
                    inserted: false,
                    evicted,
                    max_size: Some(size),
                    table_size: self.table.size(),
                });
                continue;
            }
            seen_field = true;
            let (representation, prefix) = if first & INDEXED != 0 {
                (Representation::Indexed, 7)
            } else if first & 0xc0 == INCREMENTAL {
                (Representation::LiteralWithIncrementalIndexing, 6)
            } else if first & 0xf0 == NEVER_INDEXED {
                (Representation::LiteralNeverIndexed, 4)
            } else {
                (Representation::LiteralWithoutIndexing, 4)
            };
            let (index, next) = decode_at(block, pos, prefix).map_err(|e| int_err(e, start))?;
            let index = index as usize;
            pos = next;
            let mut step = FieldStep {
                representation,
                offset: start,
                len: 0,
                header: Some(headers.len()),
                index: None,
                name_huffman: None,
                value_huffman: None,
                inserted: false,
                evicted: Vec::new(),
                max_size: None,
                table_size: 0,
            };
            let field = if representation == Representation::Indexed {
                if index == 0 {
                    return Err(HpackError::ZeroIndex { offset: start });
                }
                step.index = Some(TableIndex::new(index));
                self.lookup(index, start)?.clone()
            } else {
                let name = if index == 0 {
                    let (name, huffman, next) =
                        string::decode(block, pos, self.config.max_string_len, &mut self.scratch)?;
                    pos = next;
                    step.name_huffman = Some(huffman);
                    name
                } else {
                    step.index = Some(TableIndex::new(index));
                    self.lookup(index, start)?.name.clone()
                };
                let (value, huffman, next) =
                    string::decode(block, pos, self.config.max_string_len, &mut self.scratch)?;
                pos = next;
                step.value_huffman = Some(huffman);
                HeaderField { name, value }
            };
            list_size = list_size.saturating_add(field.size());
            if list_size > self.config.max_header_list_size {
                return Err(HpackError::HeaderListTooLarge {
                    offset: start,
                    size: list_size,
                    max: self.config.max_header_list_size,
                });
            }
            if representation == Representation::LiteralWithIncrementalIndexing {
                step.inserted = self.table.insert(field.clone(), &mut step.evicted);
            }
            step.len = pos - start;
            step.table_size = self.table.size();
            headers.push(field);
            steps.push(step);
        }
        Ok((headers, steps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::hpack::TableKind;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn dec() -> Decoder {
        Decoder::new(DecoderConfig::default())
    }

    #[test]
    fn steps_describe_each_representation() {
        let mut d = dec();
        // C.3.1: 82 86 84 41 0f www.example.com
        let b = d
            .decode(&hex("828684410f7777772e6578616d706c652e636f6d"))
            .unwrap();
        assert_eq!(b.headers.len(), 4);
        assert_eq!(b.steps.len(), 4);
        let s = &b.steps[0];
        assert_eq!(s.representation, Representation::Indexed);
        assert_eq!((s.offset, s.len, s.header), (0, 1, Some(0)));
        assert_eq!(
            s.index,
            Some(TableIndex {
                index: 2,
                table: TableKind::Static
            })
        );
        let s = &b.steps[3];
        assert_eq!(
            s.representation,
            Representation::LiteralWithIncrementalIndexing
        );
        assert_eq!((s.offset, s.len), (3, 17));
        assert_eq!(s.index.unwrap().index, 1);
        assert_eq!((s.name_huffman, s.value_huffman), (None, Some(false)));
        assert!(s.inserted);
        assert_eq!(s.table_size, 57);
        // Index 62 now refers to :authority: www.example.com.
        let b = d.decode(&[0xbe]).unwrap();
        assert_eq!(b.headers[0].value.as_ref(), "www.example.com");
        assert_eq!(b.steps[0].index.unwrap().table, TableKind::Dynamic);
    }

    #[test]
    fn index_errors() {
        let mut d = dec();
        assert_eq!(d.decode(&[0x80]), Err(HpackError::ZeroIndex { offset: 0 }));
        let mut d = dec();
        assert_eq!(
            d.decode(&[0x82, 0xbe]),
            Err(HpackError::IndexOutOfRange {
                offset: 1,
                index: 62,
                max: 61
            })
        );
        // Literal with a name index past the tables.
        let mut d = dec();
        assert!(matches!(
            d.decode(&[0x7f, 0x10, 0x00]),
            Err(HpackError::IndexOutOfRange { offset: 0, .. })
        ));
    }

    #[test]
    fn size_updates_only_at_start_and_within_the_limit() {
        let mut d = dec();
        let b = d.decode(&[0x20, 0x3f, 0xe1, 0x1f, 0x82]).unwrap();
        assert_eq!(b.steps[0].max_size, Some(0));
        assert_eq!(b.steps[1].max_size, Some(4096));
        assert_eq!(b.table.max_size, 4096);
        assert_eq!(
            d.decode(&[0x82, 0x20]),
            Err(HpackError::SizeUpdateNotAtStart { offset: 1 })
        );
        let mut d = dec();
        // 4097.
        assert_eq!(
            d.decode(&[0x3f, 0xe2, 0x1f]),
            Err(HpackError::SizeUpdateOverLimit {
                offset: 0,
                size: 4097,
                limit: 4096
            })
        );
    }

    #[test]
    fn size_update_evicts_and_lowered_limit_requires_one() {
        let mut d = dec();
        d.decode(&hex("400a637573746f6d2d6b65790d637573746f6d2d686561646572"))
            .unwrap();
        d.set_max_table_size(0);
        assert_eq!(
            d.decode(&[0x82]),
            Err(HpackError::MissingSizeUpdate {
                offset: 0,
                limit: 0
            })
        );
        let b = d.decode(&[0x20, 0x82]).unwrap();
        assert_eq!(b.steps[0].evicted.len(), 1);
        assert_eq!(b.steps[0].evicted[0].name.as_ref(), "custom-key");
        assert_eq!(b.table.entries.len(), 0);
        // Raising the limit requires nothing.
        d.set_max_table_size(100);
        assert!(d.decode(&[0x82]).is_ok());
    }

    #[test]
    fn header_list_is_bounded() {
        let mut d = Decoder::new(DecoderConfig {
            max_header_list_size: 100,
            ..DecoderConfig::default()
        });
        // :method GET is 42 octets: two fit, the third does not.
        assert!(d.decode(&[0x82, 0x82]).is_ok());
        assert_eq!(
            d.decode(&[0x82, 0x82, 0x82]),
            Err(HpackError::HeaderListTooLarge {
                offset: 2,
                size: 126,
                max: 100
            })
        );
    }

    #[test]
    fn literal_forms_and_inserting_too_big_entries() {
        let mut d = Decoder::new(DecoderConfig {
            max_table_size: 40,
            ..DecoderConfig::default()
        });
        // Without indexing, new name; never indexed, indexed name (:path).
        let b = d.decode(&hex("0001610162140131")).unwrap();
        assert_eq!(
            b.headers,
            [HeaderField::new("a", "b"), HeaderField::new(":path", "1")]
        );
        assert_eq!(
            b.steps[0].representation,
            Representation::LiteralWithoutIndexing
        );
        assert_eq!(
            b.steps[1].representation,
            Representation::LiteralNeverIndexed
        );
        assert_eq!(b.steps[1].index.unwrap().index, 4);
        assert!(b.table.entries.is_empty());
        // a: b (34) fits in 40; then c: 123456789 (42) does not: evicts a, not inserted.
        let b = d
            .decode(&hex("400161016240016309313233343536373839"))
            .unwrap();
        assert!(b.steps[0].inserted);
        assert!(!b.steps[1].inserted);
        assert_eq!(b.steps[1].evicted, [HeaderField::new("a", "b")]);
        assert_eq!((b.table.size, b.table.entries.len()), (0, 0));
        assert_eq!(
            d.decode(&hex("400163093132")),
            Err(HpackError::TruncatedString {
                offset: 3,
                len: 9,
                available: 2
            })
        );
    }
}
