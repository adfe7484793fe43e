//! HPACK (RFC 7541) as the two ends of one HTTP/2 connection run it: one context per
//! direction — the sender's encoder, the receiver's decoder — so later blocks shrink to a
//! few bytes and the receiver's table follows the sender's, block by block.

use crate::headers::Field;
use crate::trace::HeaderRep;
use crate::wire::hpack::{
    Decoder, DecoderConfig, Encoder, EncoderConfig, HeaderField, HpackError, Representation,
    TableSnapshot,
};

/// One encoded header block, with what HPACK did for the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The block's octets.
    pub bytes: Vec<u8>,
    /// The representations with their field names and values.
    pub reps: Vec<HeaderRep>,
    /// The dynamic table's size after the block (RFC 7541 §4.1).
    pub table_size: usize,
    /// The dynamic table after the block, when it is not simply the table before with the
    /// block's incrementally indexed literals inserted at the front (RFC 7541 §4.4 without
    /// evictions): an eviction, or an entry too large to insert, changed it otherwise.
    pub table: Option<Vec<HeaderField>>,
}

/// The sender's context: encodes its blocks in the order they go on the wire.
#[derive(Clone, Debug)]
pub struct BlockEncoder {
    enc: Encoder,
    /// The table's fingerprint after each block encoded ([`Encoder::table_digest`]: the
    /// encoder and the decoder of one direction record one after every block, so the engine
    /// can check that the receiver's table followed the sender's block by block).
    digests: Vec<u64>,
}

impl Default for BlockEncoder {
    /// The default 4,096-octet table of RFC 7541 §4.2 (the engine's encoders use no more,
    /// whatever the peer's SETTINGS_HEADER_TABLE_SIZE allows).
    fn default() -> Self {
        BlockEncoder {
            enc: Encoder::new(EncoderConfig::default()),
            digests: Vec::new(),
        }
    }
}

impl BlockEncoder {
    pub fn encode(&mut self, fields: &[Field]) -> Block {
        let (bytes, steps) = self.enc.encode_steps(fields);
        // Every incremental literal went in at the front unless something was evicted or an
        // entry did not fit (RFC 7541 §4.4): only then does the trace need the whole table.
        let changed = steps.iter().any(|st| {
            !st.evicted.is_empty()
                || (st.representation == Representation::LiteralWithIncrementalIndexing
                    && !st.inserted)
        });
        let reps = steps
            .iter()
            .map(|st| {
                let f = st
                    .header
                    .and_then(|i| fields.get(i))
                    .filter(|_| st.representation != Representation::Indexed);
                HeaderRep {
                    name: f.map(|f| f.name.clone()).unwrap_or_default(),
                    value: f.map(|f| f.value.clone()).unwrap_or_default(),
                    rep: st.representation.into(),
                    index: st.index.map(|i| i.index),
                    huffman: st.name_huffman == Some(true) || st.value_huffman == Some(true),
                }
            })
            .collect();
        self.digests.push(self.enc.table_digest());
        Block {
            bytes,
            reps,
            table_size: self.enc.table_size(),
            table: changed.then(|| self.enc.table().entries),
        }
    }

    /// The encoder's dynamic table now.
    pub fn table(&self) -> TableSnapshot {
        self.enc.table()
    }

    /// The table's fingerprint after each block, in order.
    pub fn digests(&self) -> &[u64] {
        &self.digests
    }
}

/// The receiver's context.
#[derive(Clone, Debug)]
pub struct BlockDecoder {
    dec: Decoder,
    /// The table's fingerprint after each block decoded ([`Decoder::table_digest`]).
    digests: Vec<u64>,
}

impl BlockDecoder {
    /// A decoder whose peer may grow its table up to `limit`, the SETTINGS_HEADER_TABLE_SIZE
    /// this end announced; the table starts at the protocol's 4,096 octets (RFC 7541 §4.2,
    /// RFC 9113 §6.5.2) until the peer's encoder signals otherwise.
    pub fn new(limit: usize) -> BlockDecoder {
        let mut dec = Decoder::new(DecoderConfig::default());
        dec.set_max_table_size(limit);
        BlockDecoder {
            dec,
            digests: Vec::new(),
        }
    }

    /// Decodes one whole block into its fields (name, value).
    pub fn decode(&mut self, block: &[u8]) -> Result<Vec<(String, String)>, HpackError> {
        Ok(owned(self.decode_fields(block)?))
    }

    /// [`BlockDecoder::decode`] with the fields as the table holds them (shared strings,
    /// no copies).
    pub fn decode_fields(&mut self, block: &[u8]) -> Result<Vec<HeaderField>, HpackError> {
        let (headers, _) = self.dec.decode_steps(block)?;
        self.digests.push(self.dec.table_digest());
        Ok(headers)
    }

    /// The decoder's dynamic table now.
    pub fn table(&self) -> TableSnapshot {
        self.dec.table()
    }

    /// The table's fingerprint after each block, in order.
    pub fn digests(&self) -> &[u64] {
        &self.digests
    }
}

/// The receiver's table followed the sender's after every block it has read: its
/// fingerprints are the first of the sender's, in order.
pub fn in_step(enc: &BlockEncoder, dec: &BlockDecoder) -> bool {
    enc.digests().starts_with(dec.digests())
}

/// The fields as owned (name, value) strings.
pub fn owned(fields: Vec<HeaderField>) -> Vec<(String, String)> {
    fields
        .into_iter()
        .map(|h| (String::from(&*h.name), String::from(&*h.value)))
        .collect()
}

/// The value of the first field called `name`, in fields as decoded.
pub fn field_in<'a>(fields: &'a [HeaderField], name: &str) -> Option<&'a str> {
    fields.iter().find(|f| &*f.name == name).map(|f| &*f.value)
}

/// The value of the first field called `name`.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
