//! What a TCP endpoint did, for the trace. Offsets are stream offsets of the endpoint's own
//! sending direction (for `Sent`, `Lost`, `Acked`, `Sacked`) or of the peer's (for
//! `HolBlocked`).

use serde::{Deserialize, Serialize};

use crate::time::{SimDuration, SimTime};

/// How the sender decided a segment was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossDetection {
    /// Three duplicate ACKs (RFC 5681 §3.2) or a partial ACK in NewReno recovery
    /// (RFC 6582 §3.2 step 5).
    DupAcks,
    /// SACK scoreboard: three segments SACKed above it (RFC 6675 §4 IsLost).
    Sack,
    /// RACK (RFC 8985 §6.2, Linux `tcp_rack_detect_loss`): a segment sent later was
    /// delivered and this one is older than the latest RTT plus the reordering window.
    Rack,
    /// The retransmission timer expired (RFC 6298 §5.4).
    Rto,
}

/// Why the congestion window changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CwndCause {
    Ack,
    FastRecovery,
    Rto,
    /// Linux `tcp_cwnd_restart` (RFC 7661 §4.1 / `tcp_slow_start_after_idle`): idle for
    /// more than an RTO.
    Idle,
    /// A tail loss repaired by the loss probe (Linux `tcp_process_tlp_ack`: CWR).
    LossProbe,
    /// The reduction was undone (Linux `tcp_undo_cwnd_reduction`).
    Undo,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpEvent {
    pub at: SimTime,
    #[serde(flatten)]
    pub kind: TcpEventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TcpEventKind {
    /// The handshake completed at this endpoint.
    Established,
    /// A segment left this endpoint.
    Sent {
        seq: u64,
        len: u64,
        wire_bytes: u64,
        syn: bool,
        ack: Option<u64>,
        sack_blocks: u8,
        retransmission: bool,
    },
    /// The sender deemed [seq, seq + len) lost.
    Lost {
        seq: u64,
        len: u64,
        by: LossDetection,
    },
    /// The cumulative ACK advanced over [from, to).
    Acked {
        from: u64,
        to: u64,
    },
    /// [seq, seq + len) was SACKed.
    Sacked {
        seq: u64,
        len: u64,
    },
    /// Congestion window, slow-start threshold and bytes in flight (RFC 6675 pipe).
    Cwnd {
        cwnd: u64,
        ssthresh: u64,
        pipe: u64,
        cause: CwndCause,
    },
    /// An RTT sample and the RFC 6298 state after it.
    Rtt {
        latest: SimDuration,
        srtt: SimDuration,
        rttvar: SimDuration,
        rto: SimDuration,
    },
    /// Fast recovery began; it ends when everything up to `recovery_point` is acknowledged.
    RecoveryStart {
        recovery_point: u64,
    },
    RecoveryEnd,
    /// The retransmission timer expired; `rto` is the backed-off value now in force.
    Timeout {
        rto: SimDuration,
    },
    /// The probe timeout fired and [seq, seq + len) went out as a tail loss probe (RFC 8985
    /// §7.3, Linux `tcp_send_loss_probe`): new data if any, else the last segment again.
    LossProbe {
        seq: u64,
        len: u64,
        new_data: bool,
    },
    /// The last window reduction was found spurious and undone (Linux `tcp_try_undo_*`:
    /// timestamps or DSACKs showed the original transmissions arrived).
    Undo,
    /// Received bytes beyond a hole were held back from `from` until `until` (this event's
    /// `at`), waiting for [missing_start, missing_end); `held` bytes were released.
    HolBlocked {
        from: SimTime,
        missing_start: u64,
        missing_end: u64,
        held: u64,
    },
}
