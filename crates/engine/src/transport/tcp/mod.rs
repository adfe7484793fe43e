//! TCP (RFC 9293) as a sans-IO state machine that behaves as Linux 6.x sends and receives,
//! each rule following the kernel function named in its documentation:
//! - the three-way handshake with SACK-permitted (RFC 2018), timestamps (RFC 7323) and window
//!   scaling; an MSS of 1460 carries 1448 payload bytes once the 12 bytes of timestamps are on
//!   every segment;
//! - congestion control in packets (`snd_cwnd`): CUBIC with HyStart (`tcp_cubic.c`, the
//!   default) or Reno (`tcp_cong.c`), see [`crate::transport::cc::linux`];
//! - loss detection by RACK-TLP (RFC 8985; `tcp_recovery.c`, `tcp_output.c
//!   tcp_send_loss_probe`), the recovery state machine of `tcp_input.c
//!   tcp_fastretrans_alert` with Proportional Rate Reduction (RFC 6937, `tcp_cwnd_reduction`),
//!   undo (`tcp_try_undo_*`) on timestamps and DSACK (RFC 2883), F-RTO (RFC 5682); NewReno
//!   recovery (RFC 6582, `tcp_newreno_mark_lost`) without SACK;
//! - the RTO of `tcp_rtt_estimator` / `tcp_set_rto` (SRTT + max(4·mdev, tcp_rto_min)) with RTT
//!   samples from timestamps for retransmitted data, or RFC 6298 with a 1 s floor as an
//!   option;
//! - slow start after idle (`tcp_cwnd_restart`) and window validation (`tcp_cwnd_validate`);
//! - a receiver that acknowledges as Linux does (quick ACKs, ping-pong, delayed ACKs,
//!   `tcp_grow_window`, SACK compression) and advertises the window of its receive buffer with
//!   autotuning (`tcp_rcv_space_adjust`).
//!
//! One [`TcpConnection`] endpoint is both a sender and a receiver: the client sends requests
//! and receives responses, the server the other way round.
//!
//! Each rule is in the file named after its part of the kernel (`input.rs`, `output.rs`,
//! `rack.rs`, `recovery.rs`, `timer.rs`, ...; the list is at the top of `connection.rs`);
//! the receiving half is `receiver/`.
//!
//! Modelling choices (documented so the numbers can be checked by hand):
//! - Sequence numbers are stream offsets from 0 in 64 bits (no wrap-around); the SYN's
//!   sequence slot is implicit. No FIN: connections stay open (HTTP keep-alive).
//! - No Nagle (browsers and servers set TCP_NODELAY), no TSO (the rig turns it off): every
//!   segment is one packet of the congestion window. Unsent writes coalesce into full
//!   segments, as the kernel appends to the write queue's tail.
//! - The application reads every in-order byte at once (see `receiver/mod.rs`).
//! - Timers fire exactly when due; durations the kernel converts to jiffies are rounded up
//!   to its 4 ms jiffies (HZ = 250, the rig's kernel), the timer wheel's slack is not modelled.
//! - A segment's bytes never change once sent: retransmissions resend the same range.

mod board;
mod connection;
mod event;
mod handshake;
mod input;
mod output;
mod prr;
mod rack;
mod receiver;
mod recovery;
mod rtt;
mod scoreboard;
pub mod segment;
mod timer;
mod undo;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub use connection::{Role, TcpConnection};
pub use event::{CwndCause, LossDetection, TcpEvent, TcpEventKind};
pub use receiver::Delivery;
pub use rtt::{RtoRule, RttEstimator};
pub use segment::{SackBlock, Segment, Span};

use serde::{Deserialize, Serialize};

use super::cc::linux::{CongestionOps, LinuxCubic, LinuxReno};
use super::cc::Algorithm;
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
/// Payload of a full segment with the 12 bytes of RFC 7323 timestamps on every segment
/// (Linux `mss_cache` when both ends use timestamps).
pub const MSS_WITH_TIMESTAMPS: u64 = MSS - segment::TIMESTAMP_OPTION;
/// RFC 6928 §2 / Linux TCP_INIT_CWND: the initial window is 10 segments.
pub const INITIAL_WINDOW_SEGMENTS: u64 = 10;
/// Linux TCP_RTO_MIN (HZ/5, `tcp_rto_min`): 200 ms.
pub const LINUX_MIN_RTO: SimDuration = SimDuration::from_millis(200);
/// RFC 6298 §2.4: "Whenever RTO is computed, if it is less than 1 second, then the RTO
/// SHOULD be rounded up to 1 second."
pub const RFC6298_MIN_RTO: SimDuration = SimDuration::from_secs(1);
/// Linux TCP_DELACK_MIN / TCP_ATO_MIN (HZ/25): the delayed-ACK timer starts at 40 ms;
/// RFC 1122 §4.2.3.2 caps it at 0.5 s and RFC 5681 §4.2 at 500 ms.
pub const LINUX_DELACK: SimDuration = SimDuration::from_millis(40);
/// Linux `tcp_rmem[1]`: the receive buffer a socket starts with (Chromium's
/// `TCPSocketPosix::SetDefaultOptionsForClient` sets only TCP_NODELAY and keep-alive, no
/// SO_RCVBUF; nginx's `listen` has no `rcvbuf=` by default): 128 KiB, a 64 KiB window.
pub const LINUX_RMEM_DEFAULT: u64 = 131_072;
/// Linux `tcp_rmem[2]` on the rig's kernel (6.18, `/proc/sys/net/ipv4/tcp_rmem`): autotuning
/// grows the receive buffer up to 32 MiB.
pub const DEFAULT_RECV_WINDOW: u64 = 33_554_432;

fn yes() -> bool {
    true
}

fn rmem_default() -> u64 {
    LINUX_RMEM_DEFAULT
}

/// Knobs of one TCP connection (both endpoints use the same).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpConfig {
    /// The MSS option: largest payload of a segment without options.
    pub mss: u64,
    /// Initial congestion window, in segments (RFC 6928).
    pub initial_window: u64,
    pub congestion: Algorithm,
    /// SACK (RFC 2018) with RACK-TLP or RFC 6675 recovery; NewReno recovery (RFC 6582)
    /// without.
    pub sack: bool,
    /// Lower bound of the RTO: [`LINUX_MIN_RTO`] (`tcp_rto_min`) or [`RFC6298_MIN_RTO`].
    pub min_rto: SimDuration,
    /// How the RTO is computed from the samples.
    #[serde(default)]
    pub rto: RtoRule,
    /// The delayed-ACK timeout's floor (TCP_ATO_MIN); zero acknowledges every segment at
    /// once.
    pub delayed_ack: SimDuration,
    /// `tcp_rmem[2]`: how far receive-buffer autotuning may grow the window, bytes.
    pub recv_window: u64,
    /// `tcp_rmem[1]`: the receive buffer at the start (the initial window is half of it).
    #[serde(default = "rmem_default")]
    pub rmem_default: u64,
    /// HyStart (ACK train and delay, as `tcp_cubic.c` runs it by default).
    #[serde(default = "crate::transport::cc::hystart::enabled_by_default")]
    pub hystart: bool,
    /// RFC 7323 timestamps (`tcp_timestamps = 1`).
    #[serde(default = "yes")]
    pub timestamps: bool,
    /// RACK loss detection (`tcp_recovery = 1`); off: the RFC 6675 duplicate threshold.
    #[serde(default = "yes")]
    pub rack: bool,
    /// Tail loss probes (`tcp_early_retrans = 3`).
    #[serde(default = "yes")]
    pub tlp: bool,
    /// F-RTO after a timeout (`tcp_frto = 2`).
    #[serde(default = "yes")]
    pub frto: bool,
    /// `tcp_slow_start_after_idle = 1`.
    #[serde(default = "yes")]
    pub slow_start_after_idle: bool,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            mss: MSS,
            initial_window: INITIAL_WINDOW_SEGMENTS,
            congestion: Algorithm::Cubic,
            sack: true,
            min_rto: LINUX_MIN_RTO,
            rto: RtoRule::Linux,
            delayed_ack: LINUX_DELACK,
            recv_window: DEFAULT_RECV_WINDOW,
            rmem_default: LINUX_RMEM_DEFAULT,
            hystart: true,
            timestamps: true,
            rack: true,
            tlp: true,
            frto: true,
            slow_start_after_idle: true,
        }
    }
}

impl TcpConfig {
    /// The congestion module: Linux CUBIC (`tcp_cubic.c`) or Reno (`tcp_cong.c`), with
    /// HyStart if enabled.
    pub(crate) fn ops(&self) -> Box<dyn CongestionOps> {
        match self.congestion {
            Algorithm::NewReno => Box::new(LinuxReno::new(self.hystart)),
            Algorithm::Cubic => Box::new(LinuxCubic::new(self.hystart)),
        }
    }
}
