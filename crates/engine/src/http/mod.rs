//! HTTP on top of the transports: what each protocol writes for a request and a response.
//! HTTP/1.1 heads are real text; HTTP/2 frames are real RFC 9113 frames with HPACK header
//! blocks; HTTP/3 (over QUIC) writes real RFC 9114 frames with QPACK field sections.
//! The browser (`crate::browser`) decides when requests go out and on which connection.

pub mod h1;
pub mod h2;
pub mod h3;
pub mod origin;
