//! HTTP/1.1 (RFC 9112) over TLS over TCP: the browser's connection pool and both endpoints
//! of a connection, which write real heads and parse what they receive.
//!
//! - [`message`]: the request, response and `103 Early Hints` heads as Chrome and nginx write
//!   them.
//! - [`client`]: the browser's end: writes request heads; parses responses — status line,
//!   fields, exactly `Content-Length` body bytes — in request order (§9.3.2).
//! - [`server`]: nginx's end: parses request heads, answers them strictly in order, each as
//!   the origin produces it.
//! - [`pool`]: Chrome's connections per host: late binding to an idle connection, a new one
//!   per waiting request up to the limit, no keep-alive, or pipelining.

pub mod client;
pub mod message;
pub mod pool;
pub mod server;

pub use client::{H1Client, H1Event};
pub use pool::{Decision, Pool};
pub use server::{H1Server, H1ServerEvent};
