//! The discrete-event core, at the bottom of the engine: the [`EventQueue`] and the ONE
//! [`Driver`] loop that runs connections (a client and a server [`Endpoint`] each) over a
//! [`Path`], for every lane and every transport test.
//!
//! Owns: time-ordered scheduling, the sans-IO endpoint contract (`handle_input`,
//! `handle_timeout`, `poll_transmit`, `poll_timeout`), which end of a connection is which
//! ([`Side`]). Imports nothing of the engine but [`crate::time`]; the link, the transports
//! and the lanes build on it.

pub mod driver;
pub mod queue;

pub use driver::{Action, App, Cause, Conn, Ctx, Driver, Endpoint, Flush, Path, Wire};
pub use queue::EventQueue;

use serde::{Deserialize, Serialize};

/// Which end of a connection: the client (the browser) or the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Client,
    Server,
}

impl Side {
    /// The other end.
    pub fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }

    pub fn is_client(self) -> bool {
        self == Side::Client
    }

    /// 0 for the client, 1 for the server: for per-side arrays.
    pub fn index(self) -> usize {
        match self {
            Side::Client => 0,
            Side::Server => 1,
        }
    }
}
