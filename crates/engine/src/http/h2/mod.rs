//! HTTP/2 (RFC 9113) over TLS over TCP: both endpoints of a connection as state machines
//! that write real frames and decode every frame and header block they receive.
//!
//! - [`frames`]: the frames the endpoints build (preface, SETTINGS, WINDOW_UPDATE,
//!   RST_STREAM, DATA headers), encoded with [`crate::wire::frame`].
//! - [`reader`]: the frames out of the delivered bytes, decoded with [`crate::wire::frame`].
//! - [`hpack`]: one HPACK context per direction: the sender's encoder, the receiver's
//!   decoder, which follows it block by block.
//! - [`prioritize`]: the server's scheduler (RFC 9218 §10 sequential, or round-robin) and the
//!   send windows it spends.
//! - [`flow_control`]: the receiver's credit, returned by Chromium's rule.
//! - [`push`]: server push (RFC 9113 §8.4).
//! - [`client`], [`server`]: the two ends.

pub mod client;
pub mod flow_control;
pub mod frames;
pub mod hpack;
pub mod prioritize;
pub mod push;
pub mod reader;
pub mod server;

pub use client::{H2Client, H2Event, PushAnswer};
pub use server::{H2Server, H2ServerEvent};
