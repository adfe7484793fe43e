//! QPACK field compression for HTTP/3 (RFC 9204), static table only. String literals use
//! the HPACK Huffman code (RFC 9204 §4.1.2 refers to RFC 7541 Appendix B): `wire::hpack::huffman`.
//!
//! An encoded field section is a prefix (Required Insert Count, Base; §4.5.1) followed by
//! field lines (§4.5.2–§4.5.6). This implementation does **not use the dynamic table yet**:
//! the encoder always writes Required Insert Count 0 and Base 0 and refers only to the static
//! table (Appendix A), and the decoder behaves as an endpoint that advertised
//! SETTINGS_QPACK_MAX_TABLE_CAPACITY 0 — any dynamic-table reference (a non-zero Required
//! Insert Count, a T=0 reference, a post-base form) is rejected with
//! QPACK_DECOMPRESSION_FAILED, as RFC 9204 §2.2.3 and §4.5.1.1 require of such an endpoint.
//! The encoder and decoder streams (§4.3, §4.4) are therefore empty.
//!
//! Field lines are kept apart from their bytes: [`FieldLine`] is the typed representation,
//! [`parse_field_section`] and [`write_field_section`] convert, [`Encoder`] chooses lines for
//! a header list and [`Decoder`] resolves lines back to fields.

mod field;
pub mod static_table;

pub use field::{
    parse_field_section, write_field_section, Decoder, Encoder, Field, FieldLine, HuffmanMode,
    QpackError, QpackErrorKind,
};
