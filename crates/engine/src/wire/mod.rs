//! Exact bytes on the wire: HTTP/1.1 heads, HTTP/2 frames, HPACK, HTTP/3 frames, QPACK and
//! QUIC variable-length integers. Parsing (`decode`) and building (`encode`) are kept apart
//! from protocol state; decoders of untrusted bytes never panic and say where bytes went wrong.
//!
//! Owns: every byte layout the engine writes or reads, and nothing about when or why.
//! May import: [`crate::ids`] (stream ids) and [`crate::headers`] (the header fields to
//! compress), nothing else: the endpoints in [`crate::http`], the trace's hex and the CLI's
//! `frames` and `hpack` commands build on it, and it works on any bytes a user pastes.

pub mod decoded;
pub mod frame;
pub mod h1;
pub mod h3;
pub mod hpack;
pub(crate) mod prefix_int;
pub mod qpack;

pub use decoded::{decode_all, Decoded, Located};
