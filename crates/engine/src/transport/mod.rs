//! Transports: TCP, TLS handshakes and QUIC, as sans-IO state machines in the style of
//! quinn-proto: `handle_*(now, input)` feeds them, `poll_transmit(now)` says what they want
//! sent, `poll_timeout()` when they next want to wake.
//!
//! Owns: TCP as Linux sends and receives it ([`tcp`], each rule beside the kernel function
//! it follows), the congestion controllers ([`cc`]), TLS records and handshakes over TCP
//! ([`tls`]), and QUIC as the deployed stacks run it ([`quic`]: a Chromium client, a quic-go
//! server, RFC-only as an option).
//!
//! May import: [`crate::sim`] (the endpoint contract, [`crate::sim::Side`]),
//! [`crate::link`] (packet sizes and directions), [`crate::time`] and [`crate::ids`]. Never
//! HTTP, the browser or the lanes: bytes are opaque here, tagged by whoever wrote them.

pub mod cc;
pub mod quic;
pub mod tcp;
pub mod tls;
