//! Congestion control behind one trait, shared by TCP and QUIC (the shape of quinn-proto's
//! `congestion::Controller`). Windows and byte counts are integers; no floats in protocol
//! state. TCP uses the packet-counting `tcp_congestion_ops` of Linux instead ([`linux`]).

use core::fmt;

use crate::time::{SimDuration, SimTime};

mod cubic;
pub mod hystart;
pub mod linux;
mod newreno;
pub use cubic::Cubic;
pub use newreno::NewReno;

/// What the sender's RTT estimator knows when an acknowledgement is processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RttInfo {
    /// The most recent RTT sample.
    pub latest: SimDuration,
    /// The smoothed RTT (RFC 6298 §2 for TCP, RFC 9002 §5.3 for QUIC).
    pub smoothed: SimDuration,
    /// The minimum RTT seen on the path.
    pub min: SimDuration,
}

/// A congestion controller. All sizes are in bytes.
pub trait Controller: fmt::Debug {
    /// A short name for traces and the UI: "newreno", "cubic".
    fn name(&self) -> &'static str;

    /// Bytes were sent (called once per packet or segment, retransmissions included).
    fn on_sent(&mut self, _now: SimTime, _bytes: u64) {}

    /// Newly acknowledged data that was sent at `sent`. `app_limited` is true when the sender
    /// did not fill the window before this ACK (RFC 9002 §7.8: the window must not grow then).
    fn on_ack(&mut self, now: SimTime, sent: SimTime, bytes: u64, app_limited: bool, rtt: RttInfo);

    /// A loss (or ECN-CE) was detected for data sent at `sent`. A controller reduces its window
    /// at most once per round trip: events for data sent before the current recovery period
    /// started are ignored (RFC 9002 §7.3.2, RFC 6582 §3.2 step 1).
    fn on_congestion_event(&mut self, now: SimTime, sent: SimTime, lost_bytes: u64);

    /// Persistent congestion (RFC 9002 §7.6) or a retransmission timeout (RFC 5681 §3.1,
    /// equation 4): collapse to the minimum window.
    fn on_timeout_collapse(&mut self, now: SimTime);

    /// The sender's maximum datagram (or segment) size changed, e.g. when path MTU discovery
    /// found a larger one: later growth uses the new size, and the floor becomes
    /// `min_window`; the window is raised to that floor if below it (RFC 9002 §7.2: "If the
    /// maximum datagram size changes during the connection ..."; quinn-proto's
    /// `on_mtu_update` does the same).
    fn on_mtu_update(&mut self, _max_datagram_size: u64, _min_window: u64) {}

    /// The congestion window: how many bytes may be in flight.
    fn window(&self) -> u64;

    /// Slow-start threshold, `u64::MAX` until the first loss.
    fn ssthresh(&self) -> u64;

    /// True while in a recovery period started at or after `sent`.
    fn in_recovery(&self, sent: SimTime) -> bool;
}

/// Which controller a transport uses.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    #[default]
    NewReno,
    Cubic,
}
