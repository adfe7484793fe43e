//! The lane scenario tests, by topic: [`carried`] (what each packet carried), [`derived`] (round trips, first paint and
//! DOMContentLoaded derived by hand), [`timing`] (times derived by hand on the TCP lanes,
//! HPACK, determinism, the trace's size), [`http1`] (connections, keep-alive, pipelining,
//! streamed responses, the warm cache), [`http2`] (HPACK in step, frames), [`http3`] (the QUIC lane), [`fidelity`] (what the
//! literature and real stacks say).
//!
//! Everything here sees the engine as a user of [`crate::lane::run`] does, plus the lane
//! configuration helpers.

mod carried;
mod derived;
mod fidelity;
mod http1;
mod http2;
mod http3;
mod timing;

pub(super) use crate::ids::{AssetId, ConnId, StreamId};
pub(super) use crate::link::Direction;
pub(super) use crate::options::PushPolicy;
pub(super) use crate::options::SchedulerKind;
pub(super) use crate::options::TlsRecords;
pub(super) use crate::scenario::{Protocol, Scenario};
pub(super) use crate::time::{SimDuration, SimTime};
pub(super) use crate::trace::{
    AssetTiming, Blocked, BlockedCause, ConnectPhases, Event, EventKind, Lane, Source,
};

/// The one connection of an HTTP/2 or HTTP/3 lane.
pub(super) const CONN: ConnId = ConnId(0);

/// Runs one lane of `s` (valid, and simulated without an engine error).
pub(super) fn run(s: &Scenario, p: Protocol) -> Lane {
    match crate::lane::run(s, p) {
        Ok(l) => l,
        Err(e) => panic!("{p}: {e}"),
    }
}
