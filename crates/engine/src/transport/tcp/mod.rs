//! TCP (RFC 9293) as a sans-IO state machine: the three-way handshake, slow start and
//! congestion avoidance (RFC 5681) with NewReno (RFC 6582) or CUBIC (RFC 9438), delayed ACKs
//! (RFC 1122 §4.2.3.2, RFC 5681 §4.2), fast retransmit and recovery on three duplicate ACKs
//! (RFC 5681 §3.2, RFC 6582), SACK (RFC 2018) with RFC 6675 loss recovery, the RFC 6298
//! retransmission timer, and in-order delivery with head-of-line blocking recorded.
//!
//! One [`TcpConnection`] endpoint is both a sender and a receiver: the client sends requests
//! and receives responses, the server the other way round.
//!
//! Modelling choices (documented so the numbers can be checked by hand):
//! - Sequence numbers are stream offsets from 0 in 64 bits (no wrap-around); the SYN's
//!   sequence slot is implicit. No FIN: connections stay open (HTTP keep-alive).
//! - No TCP timestamps (RFC 7323), so segments carry 1460 payload bytes and the SACK option
//!   has room for four blocks; RTT is sampled per segment with Karn's algorithm.
//! - No Nagle (browsers and servers set TCP_NODELAY); no window scaling on the wire (the
//!   window is a number); the receive window is a cap because the application reads every
//!   in-order byte at once, so its right edge moves with every delivery (the window update).
//! - A segment's bytes never change once sent: retransmissions resend the same range.

mod connection;
mod event;
mod receiver;
mod rtt;
pub mod segment;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub use connection::{Role, TcpConnection};
pub use event::{CwndCause, LossDetection, TcpEvent, TcpEventKind};
pub use receiver::Delivery;
pub use rtt::RttEstimator;
pub use segment::{SackBlock, Segment, Span};

use serde::{Deserialize, Serialize};

use super::cc::{Algorithm, Controller, Cubic, NewReno};
use crate::sim::{Endpoint, Wire};
use crate::time::{SimDuration, SimTime};

impl<T> Wire for Segment<T> {
    fn wire_len(&self) -> u64 {
        Segment::wire_len(self)
    }
}

/// A TCP endpoint on the [`crate::sim::Driver`]: segments in, segments out, one timer (the
/// earlier of the retransmission and delayed-ACK deadlines).
impl<T: Copy> Endpoint for TcpConnection<T> {
    type Packet = Segment<T>;
    type Peer = TcpConnection<T>;

    fn handle_input(&mut self, now: SimTime, seg: &Segment<T>, _: &TcpConnection<T>) {
        self.handle_segment(now, seg);
    }

    fn handle_timeout(&mut self, now: SimTime) {
        TcpConnection::handle_timeout(self, now);
    }

    fn poll_transmit(&mut self, now: SimTime) -> Option<Segment<T>> {
        TcpConnection::poll_transmit(self, now)
    }

    fn poll_timeout(&self) -> Option<SimTime> {
        TcpConnection::poll_timeout(self)
    }
}

/// RFC 9293 §3.7.1 / RFC 6691: an MSS of 1460 bytes fills a 1500-byte Ethernet MTU after
/// 20 bytes of IPv4 header and 20 of TCP header.
pub const MSS: u64 = 1460;
/// RFC 6928 §2: the initial window is min(10·MSS, max(2·MSS, 14600)) = 10 segments.
pub const INITIAL_WINDOW_SEGMENTS: u64 = 10;
/// RFC 6298 §2.4 (Linux TCP_RTO_MIN = HZ/5): Linux's minimum RTO of 200 ms.
pub const LINUX_MIN_RTO: SimDuration = SimDuration::from_millis(200);
/// RFC 6298 §2.4: "Whenever RTO is computed, if it is less than 1 second, then the RTO
/// SHOULD be rounded up to 1 second."
pub const RFC6298_MIN_RTO: SimDuration = SimDuration::from_secs(1);
/// Linux TCP_DELACK_MIN (HZ/25): the delayed-ACK timer, 40 ms; RFC 1122 §4.2.3.2 caps it
/// at 0.5 s and RFC 5681 §4.2 at 500 ms.
pub const LINUX_DELACK: SimDuration = SimDuration::from_millis(40);
/// Linux tcp_rmem[2] default: the receive buffer grows up to 6 MiB, our receive window cap.
pub const DEFAULT_RECV_WINDOW: u64 = 6 * 1024 * 1024;

/// Knobs of one TCP connection (both endpoints use the same).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpConfig {
    /// Largest payload of a segment without options.
    pub mss: u64,
    /// Initial congestion window, in segments (RFC 6928).
    pub initial_window: u64,
    pub congestion: Algorithm,
    /// SACK (RFC 2018) with RFC 6675 recovery; NewReno recovery (RFC 6582) without.
    pub sack: bool,
    /// Lower bound of the RTO: [`LINUX_MIN_RTO`] or [`RFC6298_MIN_RTO`].
    pub min_rto: SimDuration,
    /// Delayed-ACK timer; zero acknowledges every segment at once.
    pub delayed_ack: SimDuration,
    /// Receive window advertised, bytes.
    pub recv_window: u64,
    /// Delay-based slow-start exit (HyStart, as Linux's `tcp_cubic` runs it for every
    /// connection by default): see [`crate::transport::cc::hystart`].
    #[serde(default = "crate::transport::cc::hystart::enabled_by_default")]
    pub hystart: bool,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            mss: MSS,
            initial_window: INITIAL_WINDOW_SEGMENTS,
            congestion: Algorithm::NewReno,
            sack: true,
            min_rto: LINUX_MIN_RTO,
            delayed_ack: LINUX_DELACK,
            recv_window: DEFAULT_RECV_WINDOW,
            hystart: true,
        }
    }
}

impl TcpConfig {
    /// The congestion controller: windows floor at two segments after a fast retransmit
    /// (RFC 5681 §3.1 equation 4, ssthresh ≥ 2·SMSS) and restart from one segment after an
    /// RTO (RFC 5681 §3.1: the loss window LW = 1 SMSS).
    pub(crate) fn controller(&self) -> Box<dyn Controller> {
        let mss = self.mss.max(1);
        let iw = mss * self.initial_window.max(1);
        match self.congestion {
            Algorithm::NewReno => Box::new(
                NewReno::new(mss, iw, 2 * mss)
                    .with_timeout_window(mss)
                    .with_hystart(self.hystart),
            ),
            Algorithm::Cubic => Box::new(
                Cubic::new(mss, iw, 2 * mss)
                    .with_timeout_window(mss)
                    .with_hystart(self.hystart),
            ),
        }
    }
}
