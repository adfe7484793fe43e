//! Exact bytes on the wire: HTTP/1.1 heads, HTTP/2 frames, HPACK, HTTP/3 frames, QPACK and
//! QUIC variable-length integers. Parsing (`decode`) and building (`encode`) are kept apart
//! from protocol state; decoders of untrusted bytes never panic and say where bytes went wrong.

pub mod decoded;
pub mod frame;
pub mod h1;
pub mod h3;
pub mod hpack;
pub(crate) mod prefix_int;
pub mod qpack;

pub use decoded::{decode_all, Decoded, Located};
