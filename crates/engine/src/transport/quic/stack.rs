//! Whose QUIC an endpoint runs, where RFC 9000 and RFC 9002 leave the choice to the
//! implementation: the initial window, pacing, the congestion controller, the initial RTT,
//! the packet size and path MTU discovery, how a probe timeout probes, persistent congestion,
//! how often the receiver acknowledges and the flow-control windows it announces.
//!
//! Three stacks are modelled:
//! - [`Stack::Rfc`]: what the RFCs recommend and nothing more (the model's behaviour before
//!   the deployed stacks were followed; every exact-time test of `tests.rs` runs it).
//! - [`Stack::QuicGo`]: quic-go v0.29 (`github.com/lucas-clemente/quic-go` v0.29.2), the QUIC
//!   of Caddy 2.6.2 (`go.mod` of caddy v2.6.2; the Debian `caddy` 2.6.2 package of the reality
//!   rig carries the same `lucas-clemente/quic-go` symbols), with the `quic.Config` Caddy
//!   passes (`caddy/listeners.go ListenQUIC`: only `RequireAddressValidation`, so every
//!   transport default below holds).
//! - [`Stack::Chromium`]: Chromium's QUIC (quiche in `net/third_party/quiche`, with the
//!   configuration `net/quic/quic_context.cc InitializeQuicConfig` gives it).
//!
//! Every value a stack sets names the file and function or constant it follows. Where a stack
//! is marked as following the RFC for a rule, its source does what the RFC says.

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;

/// The QUIC implementation an endpoint follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stack {
    /// RFC 9000 / RFC 9002 as written; the remaining choices from [`super::Config`].
    #[default]
    Rfc,
    /// quic-go v0.29 (Caddy 2.6's HTTP/3 server).
    QuicGo,
    /// Chromium's QUIC (quiche).
    Chromium,
}

/// quic-go `internal/protocol/params.go InitialPacketSizeIPv4`: "the maximum packet size
/// that we use for sending IPv4 packets", 1,252 bytes of UDP payload, before path MTU
/// discovery.
pub const QUIC_GO_INITIAL_PACKET_SIZE: u64 = 1_252;

/// quic-go `internal/protocol/protocol.go MaxPacketBufferSize`: 1,452 bytes, the largest
/// packet quic-go's path MTU discovery goes to (`connection.go handleHandshakeConfirmed`:
/// `min(peer's max_udp_payload_size, MaxPacketBufferSize)`).
pub const QUIC_GO_MAX_PACKET_SIZE: u64 = 1_452;

/// quic-go `internal/congestion/cubic_sender.go initialCongestionWindow`: 32 packets (of
/// `initialMaxDatagramSize`, 1,252 bytes), in `NewCubicSender`.
pub const QUIC_GO_INITIAL_WINDOW_PACKETS: u64 = 32;

/// quic-go `internal/congestion/cubic_sender.go minCongestionWindowPackets`: 2.
pub const QUIC_GO_MIN_WINDOW_PACKETS: u64 = 2;

/// quic-go `internal/protocol/params.go MaxCongestionWindowPackets`: 10,000 packets.
pub const QUIC_GO_MAX_WINDOW_PACKETS: u64 = 10_000;

/// quic-go `internal/utils/rtt_stats.go defaultInitialRTT`: 100 ms.
pub const QUIC_GO_INITIAL_RTT: SimDuration = SimDuration::from_millis(100);

/// quic-go `internal/protocol/params.go MaxAckDelay`: it delays an ACK by at most 25 ms, and
/// announces `MaxAckDelayInclGranularity` = 25 ms + `TimerGranularity` (1 ms) = 26 ms.
pub const QUIC_GO_ACK_DELAY: SimDuration = SimDuration::from_millis(25);
pub const QUIC_GO_ANNOUNCED_MAX_ACK_DELAY: SimDuration = SimDuration::from_millis(26);

/// quic-go `internal/protocol/params.go DefaultInitialMaxStreamData` (512 KiB) and
/// `DefaultInitialMaxData` (`ConnectionFlowControlMultiplier` 1.5 × that, 768 KiB): the
/// receive windows it announces.
pub const QUIC_GO_INITIAL_MAX_STREAM_DATA: u64 = 512 * 1024;
pub const QUIC_GO_INITIAL_MAX_DATA: u64 = 3 * QUIC_GO_INITIAL_MAX_STREAM_DATA / 2;

/// The ServerHello (RFC 8446 §4.1.3) of quic-go v0.29's TLS (`qtls-go1-19`, Go 1.19's
/// `crypto/tls`): it has no X25519MLKEM768 (Go added hybrid key exchange in 1.24), so it
/// answers Chromium's X25519 share: 4 + 2 + 32 + 1 (empty legacy_session_id_echo, as QUIC
/// clients send none) + 2 + 1 + 2 extensions (supported_versions 6, key_share 4 + 2 + 2 + 32).
pub const QUIC_GO_SERVER_HELLO: u64 = 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6 + (4 + 2 + 2 + 32);

/// quic-go `mtu_discoverer.go mtuProbeDelay`: a path MTU probe every 5 smoothed RTTs.
pub const QUIC_GO_MTU_PROBE_DELAY_RTTS: u64 = 5;
/// quic-go `mtu_discoverer.go maxMTUDiff`: the search stops once the largest size that may
/// work is within 20 bytes of the largest that did (`mtuFinder.done`: `max - current <=
/// maxMTUDiff + 1`).
pub const QUIC_GO_MAX_MTU_DIFF: u64 = 20;

/// Chromium `net/quic/quic_context.h QuicParams::max_packet_length` =
/// quiche `quic_constants.h kDefaultMaxPacketSize`: 1,250 bytes; Chromium sends no MTU
/// discovery connection option by default, so its packets stay this size.
pub const CHROMIUM_MAX_PACKET_SIZE: u64 = 1_250;

/// quiche `quic_constants.h kMaxIncomingPacketSize` (= `kMaxV4PacketSize`, 1,472): the
/// max_udp_payload_size Chromium announces (`quic_config.cc QuicConfig::SetDefaults`:
/// `SetMaxPacketSizeToSend(kMaxIncomingPacketSize)`).
pub const CHROMIUM_ANNOUNCED_MAX_UDP_PAYLOAD: u64 = 1_472;

/// quiche `quic_constants.h kInitialRttMs`: 100 ms before the first sample.
pub const CHROMIUM_INITIAL_RTT: SimDuration = SimDuration::from_millis(100);

/// quiche `quic_constants.h kInitialCongestionWindow` (32 packets) of
/// `kDefaultTCPMSS` (1,460 bytes): `tcp_cubic_sender_bytes.cc TcpCubicSenderBytes` counts its
/// window in TCP segments of 1,460 bytes, whatever the packet size.
pub const CHROMIUM_INITIAL_WINDOW: u64 = 32 * 1_460;
/// quiche `tcp_cubic_sender_bytes.cc kDefaultMinimumCongestionWindow`: 2 × kDefaultTCPMSS.
pub const CHROMIUM_MIN_WINDOW: u64 = 2 * 1_460;

/// quiche `quic_constants.h kDefaultRetransmittablePacketsBeforeAck`: an ACK after every
/// second ack-eliciting packet ...
pub const CHROMIUM_PACKETS_BEFORE_ACK: u32 = 2;
/// ... `kMaxRetransmittablePacketsBeforeAck`: ... after every tenth once ack decimation is on
/// ...
pub const CHROMIUM_DECIMATED_PACKETS_BEFORE_ACK: u32 = 10;
/// ... `kMinReceivedBeforeAckDecimation`: which is from the 100th packet on
/// (`quic_received_packet_manager.cc QuicReceivedPacketManager::MaybeEnableAckDecimation`:
/// the received packet number at least the peer's first plus 100) ...
pub const CHROMIUM_MIN_RECEIVED_BEFORE_ACK_DECIMATION: u64 = 100;
/// ... and the delayed ACK then waits min(max_ack_delay, min_rtt / 4)
/// (`QuicReceivedPacketManager::GetMaxAckDelay`, flag `quic_ack_decimation_delay` = 0.25),
/// at least `kAlarmGranularity` (1 ms).
pub const CHROMIUM_ACK_DECIMATION_DELAY_DIVISOR: u64 = 4;
/// quiche `quic_received_packet_manager.cc kMaxPacketsAfterNewMissing`: after a gap, the
/// receiver acknowledges at once every packet while the newest run of received packets is at
/// most 4 long (`HasNewMissingPackets`).
pub const CHROMIUM_MAX_PACKETS_AFTER_NEW_MISSING: u64 = 4;
/// quiche `quic_constants.cc GetDefaultDelayedAckTimeMs` (flag
/// `quic_default_delayed_ack_time_ms` = 25): the max_ack_delay Chromium uses and announces
/// (`QuicConfig::SetDefaults`: `SetMaxAckDelayToSendMs(GetDefaultDelayedAckTimeMs())`).
pub const CHROMIUM_MAX_ACK_DELAY: SimDuration = SimDuration::from_millis(25);

/// quiche `quic_constants.h kAlarmGranularity`: the client's delay for ACKs of Initial and
/// Handshake packets.
pub const CHROMIUM_HANDSHAKE_ACK_DELAY: SimDuration = SimDuration::from_millis(1);

/// quiche `quic_sent_packet_manager.cc kPtoMultiplierWithoutRttSamples`: before any RTT
/// sample the probe timeout is 3 × the initial RTT (`GetProbeTimeoutDelay`), which is what
/// RFC 9002 §6.2.2's formula gives too (initial + 4 × initial / 2).
pub const CHROMIUM_PTO_MULTIPLIER_WITHOUT_RTT_SAMPLES: u64 = 3;

/// quic-go `internal/utils/rtt_stats.go RTTStats.PTO`: before any RTT sample the probe
/// timeout is 2 × `defaultInitialRTT`.
pub const QUIC_GO_PTO_MULTIPLIER_WITHOUT_RTT_SAMPLES: u64 = 2;

/// quic-go `internal/protocol/params.go WindowUpdateThreshold`: a larger receive limit is
/// announced once a quarter of the window was consumed
/// (`internal/flowcontrol/base_flow_controller.go hasWindowUpdate`).
pub const QUIC_GO_WINDOW_UPDATE_NUM: u64 = 1;
pub const QUIC_GO_WINDOW_UPDATE_DEN: u64 = 4;

impl Stack {
    /// The endpoint's maximum UDP payload before any path MTU discovery, or `None` to take
    /// [`super::Config::max_udp_payload`].
    pub fn initial_max_udp_payload(self) -> Option<u64> {
        match self {
            Stack::Rfc => None,
            Stack::QuicGo => Some(QUIC_GO_INITIAL_PACKET_SIZE),
            Stack::Chromium => Some(CHROMIUM_MAX_PACKET_SIZE),
        }
    }

    /// The max_udp_payload_size transport parameter it announces (RFC 9000 §18.2), `None`:
    /// the default of 65,527 (absent). quic-go announces `MaxPacketBufferSize`
    /// (`internal/wire/transport_parameters.go TransportParameters.Marshal` writes
    /// `protocol.MaxPacketBufferSize`).
    pub fn announced_max_udp_payload(self) -> Option<u64> {
        match self {
            Stack::Rfc => None,
            Stack::QuicGo => Some(QUIC_GO_MAX_PACKET_SIZE),
            Stack::Chromium => Some(CHROMIUM_ANNOUNCED_MAX_UDP_PAYLOAD),
        }
    }

    /// The RTT assumed before the first sample, or `None` for [`super::Config::initial_rtt`]
    /// (RFC 9002 §6.2.2: 333 ms).
    pub fn initial_rtt(self) -> Option<SimDuration> {
        match self {
            Stack::Rfc => None,
            Stack::QuicGo => Some(QUIC_GO_INITIAL_RTT),
            Stack::Chromium => Some(CHROMIUM_INITIAL_RTT),
        }
    }

    /// The probe timeout before any RTT sample, as a multiple of the initial RTT; `None`:
    /// RFC 9002 §6.2.2's smoothed_rtt + 4 × rttvar of the initial estimate (3 ×).
    pub fn pto_multiplier_without_samples(self) -> Option<u64> {
        match self {
            Stack::Rfc => None,
            Stack::QuicGo => Some(QUIC_GO_PTO_MULTIPLIER_WITHOUT_RTT_SAMPLES),
            Stack::Chromium => Some(CHROMIUM_PTO_MULTIPLIER_WITHOUT_RTT_SAMPLES),
        }
    }

    /// How long it delays an ACK of 1-RTT packets at most (its own timer), and the
    /// max_ack_delay it announces (what the peer adds to its probe timeout); `None`:
    /// [`super::Config::max_ack_delay`] for both.
    pub fn ack_delays(self) -> Option<(SimDuration, SimDuration)> {
        match self {
            Stack::Rfc => None,
            Stack::QuicGo => Some((QUIC_GO_ACK_DELAY, QUIC_GO_ANNOUNCED_MAX_ACK_DELAY)),
            Stack::Chromium => Some((CHROMIUM_MAX_ACK_DELAY, CHROMIUM_MAX_ACK_DELAY)),
        }
    }

    /// The initial_max_data and initial_max_stream_data it announces, `None`:
    /// [`super::Config::initial_max_data`] and [`super::Config::initial_max_stream_data`].
    /// Chromium's are the config's defaults (15 MiB and 6 MiB, `net/quic/quic_context.cc
    /// kQuicSessionMaxRecvWindowSize`, `kQuicStreamMaxRecvWindowSize`).
    pub fn announced_windows(self) -> Option<(u64, u64)> {
        match self {
            Stack::Rfc | Stack::Chromium => None,
            Stack::QuicGo => Some((QUIC_GO_INITIAL_MAX_DATA, QUIC_GO_INITIAL_MAX_STREAM_DATA)),
        }
    }

    /// The fraction of its receive window consumed before it announces a larger limit, as
    /// (numerator, denominator). RFC 9000 §4.2 leaves it open; the model's RFC endpoint and
    /// quiche (`quic_flow_controller.cc QuicFlowController::MaybeSendWindowUpdate`: when
    /// less than half the window is left) use a half.
    pub fn window_update_fraction(self) -> (u64, u64) {
        match self {
            Stack::Rfc | Stack::Chromium => (1, 2),
            Stack::QuicGo => (QUIC_GO_WINDOW_UPDATE_NUM, QUIC_GO_WINDOW_UPDATE_DEN),
        }
    }

    /// quic-go paces with a token bucket (`internal/congestion/pacer.go`, [`super::pacer`]).
    /// Chromium paces too (`pacing_sender.cc`), but the client's flights (requests of a few
    /// hundred bytes, ACKs) never reach its initial burst of 10 packets, so it is not
    /// modelled; RFC 9002 §7.7 only says a sender SHOULD pace.
    pub fn paces(self) -> bool {
        self == Stack::QuicGo
    }

    /// RFC 9002 §7.6: persistent congestion collapses the window to the minimum. quic-go
    /// v0.29 does not implement it: `cubicSender.OnRetransmissionTimeout` is never called
    /// (`internal/ackhandler/sent_packet_handler.go` has no persistent-congestion check).
    pub fn detects_persistent_congestion(self) -> bool {
        self != Stack::QuicGo
    }

    /// quic-go `cubic_sender.go CanSend`: a packet may be sent while bytes in flight are
    /// below the window (so the last one may overshoot it); the RFC model sends only while a
    /// whole datagram fits (RFC 9002 §7: "MUST NOT send packets if they would cause
    /// bytes_in_flight ... to be larger than the congestion window").
    pub fn may_overshoot_window(self) -> bool {
        self == Stack::QuicGo
    }

    /// quic-go `sent_packet_handler.go OnLossDetectionTimeout` and `connection.go
    /// sendProbePacket`: a probe re-sends the frames of the oldest outstanding packet, which
    /// is declared lost without a congestion event (`QueueProbePacket`), and a 1-RTT probe
    /// skips a packet number "in order to elicit an immediate ACK". RFC 9002 §6.2.4 prefers
    /// new data.
    pub fn probes_with_oldest_data(self) -> bool {
        self == Stack::QuicGo
    }

    /// quic-go `framer.go AppendStreamFrames`: one round-robin queue of streams; a stream
    /// that becomes active joins the back, a lost STREAM frame is re-sent when its stream's
    /// turn comes (`send_stream.go popStreamFrame` takes the stream's own retransmissions
    /// first), not before every other stream's new data.
    pub fn round_robin_without_retransmission_priority(self) -> bool {
        self == Stack::QuicGo
    }

    /// Datagrams carrying Initial packets are padded to the full packet size, not just to
    /// RFC 9000 §14.1's 1,200 bytes: quic-go `packet_packer.go initialPaddingLen` (to
    /// `maxPacketSize`, 1,252), Chromium `quic_packet_creator.cc` (its Initial datagrams are
    /// 1,250 bytes in the rig's traces). Chromium's Handshake datagram (its Finished) is not
    /// padded: 142 bytes in the rig's traces.
    pub fn pads_initial_to_full_size(self) -> bool {
        self != Stack::Rfc
    }

    /// How long the receiver may delay an ACK of Initial and Handshake packets: RFC 9000
    /// §13.2.1 says "SHOULD NOT" delay them, and quic-go does not; Chromium's client delays
    /// them by `kAlarmGranularity` (1 ms, `uber_received_packet_manager.cc
    /// EnableMultiplePacketNumberSpacesSupport`), so that the ACK rides with its Finished.
    pub fn handshake_ack_delay(self) -> Option<SimDuration> {
        (self == Stack::Chromium).then_some(CHROMIUM_HANDSHAKE_ACK_DELAY)
    }

    /// quiche's ACK decimation (`QuicReceivedPacketManager::MaybeUpdateAckTimeout`).
    pub fn decimates_acks(self) -> bool {
        self == Stack::Chromium
    }
}
