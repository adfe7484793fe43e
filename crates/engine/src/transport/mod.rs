//! Transports: TCP, TLS handshakes and QUIC, as sans-IO state machines in the style of
//! quinn-proto: `handle_*(now, input)` feeds them, `poll_transmit(now)` says what they want
//! sent, `poll_timeout()` when they next want to wake.

pub mod cc;
pub mod quic;
pub mod tcp;
pub mod tls;
