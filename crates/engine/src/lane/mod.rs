//! A lane: one protocol loading the whole page. [`run`] wires one browser
//! ([`crate::browser`]), one server and their connections ([`crate::http`]) onto the one
//! driver loop ([`crate::sim::Driver`]) over the lane's own link, and records everything in
//! the ONE [`trace::TraceBuilder`].
//!
//! - [`h1`]: HTTP/1.1 over up to N TCP connections; [`h2`]: HTTP/2 (and HTTP/2 + push) over
//!   one; [`tcp`]: what those share (TCP and TLS events, head-of-line charges, packets, the
//!   byte ledger); [`quic`]: HTTP/3 over one QUIC connection.
//!
//! Owns: the order in which a lane looks at its endpoints, and the trace. May import
//! everything below it (browser, http, transport, link, sim, the scenario data); nothing
//! imports a lane but [`crate::simulate`].

pub mod h1;
pub mod h2;
pub mod quic;
pub mod tcp;
pub mod trace;

#[cfg(test)]
mod tests;

use crate::ids::ConnId;
use core::fmt;

use crate::http::h3::H3Error;
use crate::http::ReadError;
use crate::scenario::{Protocol, Scenario};
use crate::sim::Side;
use crate::time::SimDuration;
use crate::trace::Lane;
use crate::wire::h3::H3ErrorCode;

/// A lane stops after this much simulated time even if assets are missing; its metrics then
/// say it did not finish.
pub const TIME_LIMIT: SimDuration = SimDuration::from_secs(3_600);

/// The engine broke its own protocol: one endpoint could not read what the other wrote, or
/// refused a call. A bug, reported with where it happened rather than hidden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LaneError {
    /// An HTTP/1.1 or HTTP/2 endpoint could not read what it received.
    Read(ReadError),
    /// On HTTP/2 connection `conn`, a receiver's HPACK table did not follow its sender's.
    HpackOutOfStep { conn: ConnId },
    /// An HTTP/3 endpoint refused a call.
    Http3(H3Error),
    /// An HTTP/3 endpoint saw the peer break the protocol on `stream`.
    Http3Protocol {
        side: Side,
        stream: crate::ids::StreamId,
        code: H3ErrorCode,
        reason: String,
    },
}

impl fmt::Display for LaneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaneError::Read(e) => e.fmt(f),
            LaneError::HpackOutOfStep { conn } => write!(
                f,
                "on HTTP/2 connection {conn} a receiver's HPACK table no longer matched its \
                 sender's"
            ),
            LaneError::Http3(e) => e.fmt(f),
            LaneError::Http3Protocol {
                side,
                stream,
                code,
                reason,
            } => write!(f, "the HTTP/3 {side:?} saw {code:?} on {stream}: {reason}"),
        }
    }
}

impl std::error::Error for LaneError {}

impl From<ReadError> for LaneError {
    fn from(e: ReadError) -> Self {
        LaneError::Read(e)
    }
}

impl From<H3Error> for LaneError {
    fn from(e: H3Error) -> Self {
        LaneError::Http3(e)
    }
}

/// Simulates one lane of a validated scenario.
pub fn run(scenario: &Scenario, protocol: Protocol) -> Result<Lane, LaneError> {
    Ok(match protocol {
        Protocol::Http1 => h1::run(scenario)?,
        Protocol::Http2 => h2::run(scenario, false)?,
        Protocol::Http2Push => h2::run(scenario, true)?,
        Protocol::Http3 => quic::run(scenario)?,
    })
}
