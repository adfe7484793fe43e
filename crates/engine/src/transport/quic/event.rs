//! What a QUIC endpoint reports, for the HTTP/3 layer above it and for the trace.

use serde::{Deserialize, Serialize};

use super::packet::{Frame, PacketType, SpaceId};
use crate::ids::{PacketNumber, StreamId};
use crate::time::{SimDuration, SimTime};

/// One thing that happened at one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuicEvent {
    pub at: SimTime,
    #[serde(flatten)]
    pub kind: QuicEventKind,
}

/// How a loss was detected (RFC 9002 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossReason {
    /// §6.1.1: kPacketThreshold later packets were acknowledged.
    PacketThreshold,
    /// §6.1.2: sent more than kTimeThreshold × RTT before a later packet's acknowledgement.
    TimeThreshold,
    /// §6.2: a probe timeout fired while the packet was outstanding and the probe's
    /// acknowledgement revealed the loss (a tail loss: nothing later was acknowledged); or,
    /// for quic-go, the probe timeout itself declared the oldest outstanding packet lost to
    /// re-send its frames in the probe (`sent_packet_handler.go QueueProbePacket`).
    Pto,
}

/// Handshake milestones (RFC 9001 §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandshakeStep {
    /// 0-RTT keys are ready: the client may send STREAM data in 0-RTT packets.
    ZeroRttReady,
    /// Handshake keys are ready.
    HandshakeKeys,
    /// 1-RTT keys are ready for sending (server: after its Finished, for 0.5-RTT data;
    /// client: on receiving the server's Finished).
    OneRttReady,
    /// §4.1.1: the TLS handshake is complete.
    Complete,
    /// §4.1.2: the handshake is confirmed.
    Confirmed,
    /// §4.9: keys of a packet number space were discarded.
    Discarded(SpaceId),
}

/// A frame as the trace shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum FrameSummary {
    Padding {
        len: u64,
    },
    Ping,
    Ack {
        largest: u64,
        ranges: u64,
        delay_us: u64,
    },
    Crypto {
        offset: u64,
        len: u64,
    },
    Stream {
        id: StreamId,
        offset: u64,
        len: u64,
        fin: bool,
        /// Set when these bytes were first sent in an earlier, lost packet.
        retransmit_of: Option<PacketNumber>,
    },
    MaxData {
        max: u64,
    },
    MaxStreamData {
        id: StreamId,
        max: u64,
    },
    HandshakeDone,
}

impl FrameSummary {
    pub fn of(f: &Frame) -> FrameSummary {
        match f {
            Frame::Padding { len } => FrameSummary::Padding { len: *len },
            Frame::Ping => FrameSummary::Ping,
            Frame::Ack(a) => FrameSummary::Ack {
                largest: a.largest(),
                ranges: a.ranges.len() as u64,
                delay_us: a.delay_encoded << super::ACK_DELAY_EXPONENT,
            },
            Frame::Crypto { offset, len } => FrameSummary::Crypto {
                offset: *offset,
                len: *len,
            },
            Frame::Stream(s) => FrameSummary::Stream {
                id: s.id,
                offset: s.offset,
                len: s.len,
                fin: s.fin,
                retransmit_of: s.first_sent_in,
            },
            Frame::MaxData { max } => FrameSummary::MaxData { max: *max },
            Frame::MaxStreamData { id, max } => FrameSummary::MaxStreamData { id: *id, max: *max },
            Frame::HandshakeDone => FrameSummary::HandshakeDone,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum QuicEventKind {
    /// A packet left this endpoint (in a datagram returned by `poll_transmit`).
    PacketSent {
        ty: PacketType,
        pn: PacketNumber,
        /// Packet bytes: header, frames, AEAD tag.
        size: u64,
        ack_eliciting: bool,
        /// Sent as a PTO probe (RFC 9002 §6.2.4).
        probe: bool,
        frames: Vec<FrameSummary>,
    },
    /// A packet arrived without the keys to read it and was dropped.
    PacketDropped {
        ty: PacketType,
        pn: PacketNumber,
    },
    PacketAcked {
        space: SpaceId,
        pn: PacketNumber,
    },
    PacketLost {
        space: SpaceId,
        pn: PacketNumber,
        reason: LossReason,
    },
    /// Bytes first sent in `first_sent_in` went out again in packet `pn` (RFC 9000 §13.3:
    /// always in a new packet). `stream` is `None` for CRYPTO data.
    DataRetransmitted {
        space: SpaceId,
        stream: Option<StreamId>,
        offset: u64,
        len: u64,
        first_sent_in: Option<PacketNumber>,
        pn: PacketNumber,
    },
    /// The probe timeout fired (RFC 9002 §6.2); `count` is the backoff exponent after it.
    PtoExpired {
        space: SpaceId,
        count: u32,
    },
    /// RFC 9002 §7.6: persistent congestion collapsed the window.
    PersistentCongestion,
    /// The congestion window or slow-start threshold changed.
    CongestionWindow {
        cwnd: u64,
        ssthresh: u64,
        bytes_in_flight: u64,
    },
    /// RFC 9002 §5: a new RTT sample.
    RttSample {
        latest: SimDuration,
        smoothed: SimDuration,
        rttvar: SimDuration,
        min: SimDuration,
    },
    Handshake {
        step: HandshakeStep,
    },
    /// The server had data to send but the anti-amplification limit (RFC 9000 §8.1) held it.
    AmplificationBlocked {
        sent: u64,
        received: u64,
    },
    /// The peer opened a stream.
    StreamOpened {
        stream: StreamId,
    },
    /// Bytes `offset .. offset + len` of `stream`, all written with `tag`, were delivered in
    /// order to the application. `fin`: this was the end of the stream.
    StreamDelivered {
        stream: StreamId,
        offset: u64,
        len: u64,
        tag: u64,
        fin: bool,
    },
    /// `stream` could not deliver from `since` to this event's time: bytes from `offset`
    /// were missing, first sent in packet `blocking` (lost), while `waiting` bytes beyond
    /// them had arrived.
    HolBlocked {
        stream: StreamId,
        since: SimTime,
        offset: u64,
        blocking: PacketNumber,
        waiting: u64,
    },
}
