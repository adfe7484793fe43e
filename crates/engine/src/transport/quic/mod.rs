//! QUIC (RFC 9000) with RFC 9002 loss detection and congestion control and the RFC 9001
//! handshake flights, as a sans-IO state machine in the style of quinn-proto.
//!
//! A [`Connection`] is one endpoint (client or server). Feed it with
//! [`Connection::handle_datagram`] and [`Connection::handle_timeout`]; take what it wants
//! sent from [`Connection::poll_transmit`]; wake it at [`Connection::poll_timeout`]; read
//! what happened (packets sent, acknowledged, lost; RTT and congestion window samples; bytes
//! delivered in order per stream; head-of-line-blocked intervals) from
//! [`Connection::poll_event`].
//!
//! Each rule is in the file of its concern (`handshake.rs`, `ack.rs`, `recovery.rs` for loss
//! detection and the PTO, `assemble.rs`, `scheduler.rs`, `flow_control.rs`, `mtu.rs`; the list
//! is at the top of `connection.rs`).
//!
//! Packets are typed representations with exact wire sizes ([`packet`]); the application's
//! bytes are represented by their length and a `u64` tag the application chose, which
//! travels with the bytes and comes back in the receiver's delivery events.
//!
//! Where the RFCs leave a choice (initial window, pacing, controller, initial RTT, packet
//! size, ACK frequency, probes, flow-control windows), each endpoint follows a [`Stack`]:
//! the RFCs alone ([`Stack::Rfc`], the default), or quic-go and Chromium as deployed
//! ([`Config::deployed`], what the HTTP/3 lane runs). See [`stack`].
//!
//! What this model leaves out, on purpose: connection migration, Retry and NEW_TOKEN,
//! key updates, stream limits (MAX_STREAMS: every stream is allowed), DATA_BLOCKED,
//! RESET_STREAM/STOP_SENDING, NewSessionTicket, ECN, flow-control auto-tuning (quic-go's
//! and quiche's windows grow when consumed fast; a page never exhausts Chromium's 6 MiB),
//! quic-go's random packet-number skips (`packet_number_generator.go`, against optimistic
//! ACKs: one per 256 to 128 Ki packets) and the idle timeout.
//! Packets that arrive before their keys are dropped rather than buffered (RFC 9001 §5.7
//! allows either).

mod ack;
mod assemble;
mod connection;
mod event;
mod flow_control;
mod handshake;
mod mtu;
pub mod pacer;
pub mod packet;
pub mod quicgo_cc;
pub(crate) mod ranges;
mod recovery;
mod rtt;
mod scheduler;
pub mod stack;
mod streams;
pub mod testing;
#[cfg(test)]
mod tests;

pub use connection::{Connection, StreamError};
pub use event::{FrameSummary, HandshakeStep, LossReason, QuicEvent, QuicEventKind};
pub use packet::{Datagram, Frame, Packet, PacketType, SpaceId};
pub use rtt::{pto_period, GRANULARITY, INITIAL_RTT};
pub use stack::Stack;
pub use streams::Priority;

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;

/// Which end of the connection an endpoint is.
pub use crate::sim::Side;

/// A QUIC endpoint on the [`crate::sim::Driver`]: datagrams in, datagrams out.
impl crate::sim::Endpoint for Connection {
    type Packet = Datagram;
    type Peer = Connection;

    fn handle_input(&mut self, now: crate::time::SimTime, d: &Datagram, _: &Connection) {
        self.handle_datagram(now, d);
    }

    fn handle_timeout(&mut self, now: crate::time::SimTime) {
        Connection::handle_timeout(self, now);
    }

    fn poll_transmit(&mut self, now: crate::time::SimTime) -> Option<Datagram> {
        Connection::poll_transmit(self, now)
    }

    fn poll_timeout(&self) -> Option<crate::time::SimTime> {
        Connection::poll_timeout(self)
    }
}

/// Default maximum UDP payload: 1,252 bytes, a 1,280-byte path MTU (the IPv6 minimum,
/// RFC 8200 §5, which browsers assume before path MTU discovery) less 20 bytes of IPv4 and 8
/// of UDP header; Firefox's QUIC stack starts IPv4 paths with this size. RFC 9000 §14
/// requires at least 1,200.
pub const DEFAULT_MAX_UDP_PAYLOAD: u64 = 1_252;

/// RFC 9000 §18.2: "Values above 65527 are invalid" for max_udp_payload_size.
pub const MAX_UDP_PAYLOAD_SIZE: u64 = 65_527;

/// RFC 9000 §14.3 / RFC 8899 §5.1.2: DPLPMTUD's BASE_PLPMTU for QUIC, 1,200 bytes of UDP
/// payload: what an endpoint may send before path MTU discovery has confirmed more.
pub const BASE_PLPMTU: u64 = 1_200;

/// The UDP payload DPLPMTUD finds on an Ethernet path: the 1,500-byte MTU (RFC 894) less
/// 20 bytes of IPv4 header (RFC 791) and 8 of UDP header (RFC 768). TCP's MSS on the same
/// path is 1,460 (1,500 − 20 − 20).
pub const ETHERNET_MAX_UDP_PAYLOAD: u64 = 1_500 - 20 - 8;

/// RFC 9000 §18.2: "max_ack_delay ... If this value is absent, a default of 25 milliseconds
/// is assumed."
pub const DEFAULT_MAX_ACK_DELAY: SimDuration = SimDuration::from_millis(25);

/// RFC 9000 §18.2: ack_delay_exponent defaults to 3 (ACK Delay is in units of 8 µs).
pub const ACK_DELAY_EXPONENT: u32 = 3;

/// RFC 9000 §13.2.2: "A receiver SHOULD send an ACK frame after receiving at least two
/// ack-eliciting packets."
pub const ACK_ELICITING_THRESHOLD: u32 = 2;

/// RFC 9000 §13.2.3 leaves the number of ACK ranges to the receiver; like quinn-proto this
/// model sends at most 32, the highest.
pub const MAX_ACK_RANGES: usize = 32;

/// RFC 9002 §6.1.1: "kPacketThreshold: Maximum reordering in packets before packet
/// threshold loss detection considers a packet lost. The value recommended in Section
/// 6.1.1 is 3."
pub const PACKET_THRESHOLD: u64 = 3;

/// RFC 9002 §6.1.2: "kTimeThreshold: Maximum reordering in time before time threshold loss
/// detection considers a packet lost. Specified as an RTT multiplier. The value recommended
/// in Section 6.1.2 is 9/8." Kept as the integer ratio 9/8, rounded down in microseconds.
pub const TIME_THRESHOLD_NUM: u64 = 9;
pub const TIME_THRESHOLD_DEN: u64 = 8;

/// RFC 9002 §7.6.1: "kPersistentCongestionThreshold: Period of time for persistent
/// congestion to be established, specified as a PTO multiplier. The value recommended in
/// Section 7.6 is 3."
pub const PERSISTENT_CONGESTION_THRESHOLD: u64 = 3;

/// RFC 9002 §6.2.4: "When a PTO timer expires, a sender MUST send at least one ack-eliciting
/// packet in the packet number space as a probe ... An endpoint MAY send up to two
/// full-sized datagrams"; like quinn-proto, this model sends two.
pub const PTO_PROBES: u8 = 2;

/// Sizes of the TLS 1.3 handshake messages carried in CRYPTO frames (RFC 9001 §4: no TLS
/// records, just the handshake messages with their 4-byte headers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeSizes {
    /// Chrome's ClientHello with an X25519MLKEM768 key share and the QUIC transport
    /// parameters: about 1.8 KB, so it takes two Initial packets.
    pub client_hello: u64,
    /// ServerHello (RFC 8446 §4.1.3) with the X25519MLKEM768 key share: 4 + 2 + 32 + 1 + 2 +
    /// 1 + 2 extensions (supported_versions 6, key_share 4 + 2 + 2 + 1,120).
    pub server_hello: u64,
    /// EncryptedExtensions with the server's transport parameters and ALPN.
    pub encrypted_extensions: u64,
    /// The Certificate message: a two-certificate chain. Omitted on resumption (PSK).
    pub certificate_chain: u64,
    /// CertificateVerify with an ECDSA P-256 signature. Omitted on resumption.
    pub certificate_verify: u64,
    /// Finished (RFC 8446 §4.4.4): 4-byte header and a 32-byte SHA-256 verify_data.
    pub finished: u64,
}

impl Default for HandshakeSizes {
    fn default() -> Self {
        HandshakeSizes {
            client_hello: 1_815,
            server_hello: 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6 + (4 + 2 + 2 + 1_120),
            encrypted_extensions: 120,
            certificate_chain: 3_200,
            certificate_verify: 4 + 2 + 2 + 72,
            finished: 4 + 32,
        }
    }
}

impl HandshakeSizes {
    /// Everything the server sends in Handshake packets.
    pub fn server_handshake_flight(&self, resumption: bool) -> u64 {
        if resumption {
            self.encrypted_extensions + self.finished
        } else {
            self.encrypted_extensions
                + self.certificate_chain
                + self.certificate_verify
                + self.finished
        }
    }
}

/// Everything that shapes one endpoint. Both endpoints of a connection take the same one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Largest UDP payload sent (RFC 9000 §14: max_datagram_size); also the congestion
    /// controller's max_datagram_size. quic-go and Chromium endpoints use their own
    /// ([`Stack::initial_max_udp_payload`]).
    pub max_udp_payload: u64,
    /// The UDP payload size path MTU discovery settles on (RFC 9000 §14.3, DPLPMTUD of
    /// RFC 8899), used from the moment the endpoint's handshake is confirmed; `None`: stay at
    /// `max_udp_payload`. The probe is not modelled: it is taken to have succeeded at
    /// confirmation (RFC 9000 §14.3 lets probing start only then, as probe packets need
    /// 1-RTT keys). The congestion controller's max_datagram_size follows (RFC 9002 §7.2).
    /// Only for [`Stack::Rfc`] endpoints: quic-go searches with probes, Chromium does not.
    #[serde(default)]
    pub path_max_udp_payload: Option<u64>,
    /// The max_ack_delay a [`Stack::Rfc`] endpoint announces (RFC 9000 §18.2) and waits.
    pub max_ack_delay: SimDuration,
    /// RFC 9002 §6.2.2: the RTT a [`Stack::Rfc`] endpoint assumes before the first sample.
    pub initial_rtt: SimDuration,
    /// RFC 9000 §18.2 initial_max_data of an RFC or Chromium endpoint. Chrome announces
    /// 15 MiB (`net/quic/quic_context.cc kQuicSessionMaxRecvWindowSize`).
    pub initial_max_data: u64,
    /// RFC 9000 §18.2 initial_max_stream_data_* of an RFC or Chromium endpoint. Chrome
    /// announces 6 MiB (`kQuicStreamMaxRecvWindowSize`).
    pub initial_max_stream_data: u64,
    pub handshake: HandshakeSizes,
    /// A resumed session: the server skips Certificate and CertificateVerify, and the client
    /// sends STREAM data in 0-RTT packets with its first flight (RFC 9001 §4.6).
    pub zero_rtt: bool,
    /// The priority new streams start with.
    pub default_priority: Priority,
    /// Delay-based slow-start exit: the shared [`crate::transport::cc::hystart`] for RFC and
    /// Chromium endpoints, quic-go's own `HybridSlowStart` ([`quicgo_cc`]) for quic-go.
    #[serde(default = "crate::transport::cc::hystart::enabled_by_default")]
    pub hystart: bool,
    /// The congestion controller of a [`Stack::Rfc`] endpoint: NewReno (RFC 9002 §7 and
    /// Appendix B) or CUBIC (RFC 9438, which RFC 9002 §7 allows). quic-go and Chromium run
    /// their own ([`Connection::new`]).
    #[serde(default)]
    pub congestion: crate::transport::cc::Algorithm,
    /// Whose QUIC the client runs where the RFCs leave a choice.
    #[serde(default)]
    pub client_stack: Stack,
    /// Whose QUIC the server runs.
    #[serde(default)]
    pub server_stack: Stack,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_udp_payload: DEFAULT_MAX_UDP_PAYLOAD,
            path_max_udp_payload: None,
            max_ack_delay: DEFAULT_MAX_ACK_DELAY,
            initial_rtt: INITIAL_RTT,
            initial_max_data: 15 * 1024 * 1024,
            initial_max_stream_data: 6 * 1024 * 1024,
            handshake: HandshakeSizes::default(),
            zero_rtt: false,
            default_priority: Priority::default(),
            hystart: true,
            congestion: crate::transport::cc::Algorithm::NewReno,
            client_stack: Stack::Rfc,
            server_stack: Stack::Rfc,
        }
    }
}

impl Config {
    /// The rig's pair: a Chromium client ([`Stack::Chromium`]) and a quic-go server
    /// ([`Stack::QuicGo`], Caddy 2.6's), everything else as [`Config::default`].
    pub fn deployed() -> Config {
        Config {
            client_stack: Stack::Chromium,
            server_stack: Stack::QuicGo,
            ..Config::default()
        }
    }

    /// The stack the endpoint on `side` runs.
    pub fn stack_of(&self, side: Side) -> Stack {
        match side {
            Side::Client => self.client_stack,
            Side::Server => self.server_stack,
        }
    }

    /// RFC 9002 §7.2: "the initial congestion window ... min(10 * max_datagram_size,
    /// max(14720, 2 * max_datagram_size))".
    pub fn initial_window(&self) -> u64 {
        (10 * self.max_udp_payload).min(14_720.max(2 * self.max_udp_payload))
    }

    /// RFC 9002 §7.2: "kMinimumWindow: Minimum congestion window in bytes ... The RECOMMENDED
    /// value is 2 * max_datagram_size."
    pub fn minimum_window(&self) -> u64 {
        2 * self.max_udp_payload
    }
}
