//! HTTP on top of the transports: the endpoints of every version, each writing real bytes
//! and decoding what it receives.
//!
//! Owns: HTTP/1.1 ([`h1`]: heads as text, the browser's connection pool), HTTP/2 ([`h2`]:
//! frames, HPACK per direction, the server's scheduler, flow control, push), HTTP/3 ([`h3`]:
//! frames and QPACK over QUIC streams), what every version shares ([`priority`]: RFC 9218;
//! [`early_hints`]: 103; [`origin`]: the server's content and release schedule), and the
//! byte stream HTTP/1.1 and HTTP/2 write over TLS ([`stream`], [`carrier`]).
//!
//! May import: [`crate::wire`], [`crate::transport`], [`crate::sim`], [`crate::link`], the
//! scenario data ([`crate::page`], [`crate::headers`], [`crate::options`]), and the trace's
//! plain types. Never the browser or the lanes: they decide *when* requests go out and on
//! which connection, and call down into here.

use core::fmt;

use crate::sim::Side;

pub mod carrier;
pub mod early_hints;
pub mod h1;
pub mod h2;
pub mod h3;
pub mod origin;
pub mod priority;
pub mod stream;

/// An endpoint received bytes that are not what the protocol allows: an engine error (our
/// two endpoints disagree), with where in the received stream it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// The endpoint that read it.
    pub side: Side,
    /// Offset in the application stream it received.
    pub offset: u64,
    pub reason: String,
}

impl ReadError {
    pub fn new(side: Side, offset: u64, reason: String) -> ReadError {
        ReadError {
            side,
            offset,
            reason,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = match self.side {
            Side::Client => "the client",
            Side::Server => "the server",
        };
        write!(
            f,
            "{who} could not read byte {} of what it received: {}",
            self.offset, self.reason
        )
    }
}

impl std::error::Error for ReadError {}
