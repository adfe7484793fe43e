//! One QUIC endpoint. Loss detection follows the pseudocode of RFC 9002 Appendix A, the
//! congestion reaction Appendix B, through the shared [`Controller`] trait.
//!
//! This file holds the endpoint's state ([`Connection`]), its public API (queries,
//! streams, `handle_datagram`, `handle_timeout`) and the dispatch of a received packet's
//! frames. The rules are in:
//! - `handshake.rs`: keys, the CRYPTO flights, confirmation, discarding keys, amplification;
//! - `ack.rs`: ACK frames received (OnAckReceived) and sent (when, Chromium's decimation);
//! - `recovery.rs`: loss detection and the PTO (RFC 9002 §6, Appendix A);
//! - `assemble.rs`: datagrams and packets built (`poll_transmit`), pacing, padding;
//! - `scheduler.rs`: which stream's data goes next (RFC 9218, quic-go's framer);
//! - `flow_control.rs`: STREAM frames received, flow-control limits (RFC 9000 §4);
//! - `mtu.rs`: quic-go's path MTU discovery.

use core::fmt;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::event::{HandshakeStep, QuicEvent, QuicEventKind};
use super::handshake::Handshake;
use super::mtu::MtuSearch;
use super::pacer::Pacer;
use super::packet::{Datagram, Frame, Packet, SpaceId, MIN_INITIAL_DATAGRAM};
use super::quicgo_cc::QuicGoReno;
use super::ranges::RangeSet;
use super::recovery::SentPacket;
use super::rtt::RttEstimator;
use super::scheduler::{ScheduleKey, Scheduled};
use super::stack::{
    Stack, CHROMIUM_INITIAL_WINDOW, CHROMIUM_MIN_WINDOW, QUIC_GO_INITIAL_WINDOW_PACKETS,
};
use super::streams::{Priority, RecvBuffer, SendBuffer};
use super::{Config, Side};
use crate::ids::StreamId;
use crate::time::{SimDuration, SimTime};
use crate::transport::cc::{Algorithm, Controller, Cubic, NewReno};

/// Why a stream call was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamError {
    /// No such stream: it was never opened by this endpoint nor by the peer.
    UnknownStream(StreamId),
    /// A unidirectional stream the peer opened: only the peer writes on it.
    NotWritable(StreamId),
    /// The stream was already finished.
    Finished(StreamId),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::UnknownStream(s) => {
                write!(
                    f,
                    "{s} is not open; open it with open_bi/open_uni or wait for the peer"
                )
            }
            StreamError::NotWritable(s) => {
                write!(
                    f,
                    "{s} is the peer's unidirectional stream; only the peer writes on it"
                )
            }
            StreamError::Finished(s) => write!(f, "{s} is finished; no more bytes may be written"),
        }
    }
}

impl std::error::Error for StreamError {}

/// The timers of one endpoint, indexing [`Connection::timers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Timer {
    /// RFC 9002 §6: the loss detection timer (time threshold or PTO).
    LossDetection = 0,
    /// RFC 9000 §13.2.1: max_ack_delay after the first unacknowledged ack-eliciting
    /// 1-RTT packet.
    Ack = 1,
    /// RFC 9002 §7.7: when the pacer lets the next packet go (quic-go `connection.go
    /// sendPackets` sets `pacingDeadline` to `sentPacketHandler.TimeUntilSend`).
    Pacing = 2,
}

const TIMER_COUNT: usize = 3;

/// State of one packet number space (RFC 9000 §12.3).
#[derive(Debug, Default)]
pub(super) struct PacketSpace {
    pub(super) send_keys: bool,
    pub(super) recv_keys: bool,
    pub(super) discarded: bool,
    pub(super) next_pn: u64,
    pub(super) largest_acked: Option<u64>,
    pub(super) sent: BTreeMap<u64, SentPacket>,
    pub(super) ack_eliciting_in_flight: u64,
    pub(super) time_of_last_ack_eliciting: Option<SimTime>,
    pub(super) loss_time: Option<SimTime>,
    pub(super) crypto_send: SendBuffer,
    crypto_recv: RangeSet,
    /// Received packet numbers (half-open ranges), for ACK frames.
    pub(super) received: RangeSet,
    /// Packets below this were acknowledged in an ACK the peer acknowledged; later copies
    /// are duplicates.
    pub(super) recv_floor: u64,
    pub(super) largest_received: Option<(u64, SimTime)>,
    pub(super) largest_ack_eliciting_received: Option<u64>,
    /// Ack-eliciting packets received since the last ACK frame was sent.
    pub(super) unacked_ack_eliciting: u32,
    /// Something arrived that the next ACK frame should report.
    pub(super) ack_pending: bool,
    pub(super) ack_immediately: bool,
    /// When the delayed ACK is due (RFC 9000 §13.2.1: at most max_ack_delay after the
    /// first unacknowledged ack-eliciting packet; Chromium: the earliest deadline of the
    /// packets since the last ACK, `QuicReceivedPacketManager::MaybeUpdateAckTimeout`).
    pub(super) ack_deadline: Option<SimTime>,
    /// Chromium's receiver: the smallest packet number received
    /// (`least_received_packet_number_`), the largest acknowledged in the last ACK sent
    /// (`last_sent_largest_acked_`).
    pub(super) least_received: Option<u64>,
    pub(super) last_sent_largest_acked: Option<u64>,
    pub(super) probes: u8,
}

impl PacketSpace {
    pub(super) fn crypto_contiguous(&self) -> u64 {
        self.crypto_recv
            .first()
            .filter(|r| r.start == 0)
            .map_or(0, |r| r.end)
    }
}

#[derive(Debug)]
pub(super) struct Stream {
    pub(super) send: Option<SendBuffer>,
    pub(super) recv: Option<RecvBuffer>,
    pub(super) priority: Priority,
    /// Round-robin position: the value of `serve_counter` when last served.
    pub(super) last_served: u64,
    /// The peer's limit on this stream (RFC 9000 §4.1).
    pub(super) send_max: u64,
    /// Our limit for the peer, last advertised.
    pub(super) recv_max: u64,
    /// Where the stream sits in the scheduler's index, if it has something to send.
    pub(super) scheduled: Option<Scheduled>,
}

/// One QUIC endpoint.
#[derive(Debug)]
pub struct Connection {
    pub(super) side: Side,
    pub(super) config: Config,
    /// Whose QUIC this endpoint runs, and its peer's (the same [`Config`] names both).
    pub(super) stack: Stack,
    pub(super) peer_stack: Stack,
    /// The longest this endpoint delays an ACK, and the max_ack_delay its peer announced.
    pub(super) ack_delay: SimDuration,
    pub(super) peer_max_ack_delay: SimDuration,
    /// The receive windows this endpoint announces and its peer announced (connection,
    /// stream).
    pub(super) own_windows: (u64, u64),
    peer_windows: (u64, u64),
    /// RFC 9002 §7.7 pacing, for a stack that paces.
    pub(super) pacer: Option<Pacer>,
    /// quic-go's path MTU search, once the handshake is confirmed.
    pub(super) mtu: Option<MtuSearch>,
    pub(super) spaces: [PacketSpace; 3],
    pub(super) rtt: RttEstimator,
    pub(super) cc: Box<dyn Controller>,
    pub(super) timers: [Option<SimTime>; TIMER_COUNT],
    pub(super) hs: Handshake,
    pub(super) streams: BTreeMap<StreamId, Stream>,
    /// Streams with data to retransmit or a lone FIN to send, in scheduling order: they may
    /// send whatever the connection's flow-control credit.
    pub(super) ready: BTreeSet<ScheduleKey>,
    /// Streams with only new data to send (below their own flow-control limit), in
    /// scheduling order: they may send while the connection has credit.
    pub(super) ready_new: BTreeSet<ScheduleKey>,
    /// Streams whose new receive limit a MAX_STREAM_DATA frame should advertise.
    pub(super) max_stream_data_pending: BTreeSet<StreamId>,
    next_bi: u64,
    next_uni: u64,
    pub(super) serve_counter: u64,
    pub(super) bytes_in_flight: u64,
    pub(super) pto_count: u32,
    pub(super) app_limited: bool,
    /// Server: the client's address is validated (RFC 9000 §8.1).
    pub(super) address_validated: bool,
    /// Client: RFC 9002 Appendix A.6 PeerCompletedAddressValidation.
    pub(super) peer_validated: bool,
    pub(super) bytes_received: u64,
    pub(super) bytes_sent: u64,
    pub(super) amplification_reported: bool,
    /// Connection flow control (RFC 9000 §4.1).
    pub(super) send_max_data: u64,
    pub(super) sent_data: u64,
    pub(super) recv_max_data: u64,
    pub(super) delivered_data: u64,
    pub(super) max_data_pending: bool,
    last_cc: (u64, u64),
    events: VecDeque<QuicEvent>,
}

impl Connection {
    /// An endpoint with the controller its stack runs ([`Config::stack_of`]): for
    /// [`Stack::Rfc`] the one `config.congestion` names (NewReno, RFC 9002 §7, by default);
    /// for [`Stack::QuicGo`] quic-go's Reno ([`QuicGoReno`]: quic-go follows no scenario
    /// setting); for [`Stack::Chromium`] CUBIC with quiche's windows
    /// (`tcp_cubic_sender_bytes.cc TcpCubicSenderBytes`, the default of
    /// `quic_connection.cc GetDefaultCongestionControlType`). Chromium's CUBIC emulates two
    /// connections (`kDefaultNumConnections`: backoff 0.85 instead of 0.7); that is not
    /// modelled, because the client never sends enough to lose a packet to congestion.
    pub fn new(side: Side, config: Config) -> Connection {
        let stack = config.stack_of(side);
        let config = Connection::stack_config(stack, config);
        let mss = config.max_udp_payload;
        let cc: Box<dyn Controller> = match stack {
            Stack::Rfc => {
                let (initial, minimum) = (config.initial_window(), config.minimum_window());
                match config.congestion {
                    Algorithm::NewReno => {
                        Box::new(NewReno::new(mss, initial, minimum).with_hystart(config.hystart))
                    }
                    Algorithm::Cubic => {
                        Box::new(Cubic::new(mss, initial, minimum).with_hystart(config.hystart))
                    }
                }
            }
            Stack::QuicGo => Box::new(QuicGoReno::new(
                mss,
                QUIC_GO_INITIAL_WINDOW_PACKETS * mss,
                config.hystart,
            )),
            Stack::Chromium => Box::new(
                Cubic::new(mss, CHROMIUM_INITIAL_WINDOW, CHROMIUM_MIN_WINDOW)
                    .with_hystart(config.hystart),
            ),
        };
        Connection::with_controller(side, config, cc)
    }

    /// The config as this endpoint's stack runs it: its packet size
    /// ([`Stack::initial_max_udp_payload`]) and initial RTT ([`Stack::initial_rtt`]).
    fn stack_config(stack: Stack, mut config: Config) -> Config {
        if let Some(size) = stack.initial_max_udp_payload() {
            config.max_udp_payload = size;
        }
        if let Some(rtt) = stack.initial_rtt() {
            config.initial_rtt = rtt;
        }
        config.max_udp_payload = config.max_udp_payload.max(MIN_INITIAL_DATAGRAM);
        config
    }

    /// An endpoint with the given controller. `config.max_udp_payload` below 1,200 is raised
    /// to 1,200 (RFC 9000 §14: the smallest allowed maximum datagram size). The stack
    /// [`Config::stack_of`] names for `side` sets everything but the controller.
    pub fn with_controller(side: Side, config: Config, cc: Box<dyn Controller>) -> Connection {
        let stack = config.stack_of(side);
        let peer_stack = config.stack_of(match side {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        });
        let config = Connection::stack_config(stack, config);
        let windows = |s: Stack| {
            s.announced_windows()
                .unwrap_or((config.initial_max_data, config.initial_max_stream_data))
        };
        let (own_windows, peer_windows) = (windows(stack), windows(peer_stack));
        let ack_delay = stack.ack_delays().map_or(config.max_ack_delay, |d| d.0);
        let peer_max_ack_delay = peer_stack
            .ack_delays()
            .map_or(config.max_ack_delay, |d| d.1);
        let pacer = stack.paces().then(|| Pacer::new(config.max_udp_payload));
        let mut spaces: [PacketSpace; 3] = Default::default();
        spaces[0].send_keys = true;
        spaces[0].recv_keys = true;
        let mut hs = Handshake::default();
        let mut events = VecDeque::new();
        if side.is_client() {
            spaces[0]
                .crypto_send
                .write(config.handshake.client_hello, 0);
            if config.zero_rtt {
                hs.zero_rtt_send = true;
                events.push_back(QuicEvent {
                    at: SimTime::ZERO,
                    kind: QuicEventKind::Handshake {
                        step: HandshakeStep::ZeroRttReady,
                    },
                });
            }
        }
        let last_cc = (cc.window(), cc.ssthresh());
        Connection {
            side,
            stack,
            peer_stack,
            ack_delay,
            peer_max_ack_delay,
            own_windows,
            peer_windows,
            pacer,
            mtu: None,
            rtt: RttEstimator::new(config.initial_rtt),
            cc,
            timers: [None; TIMER_COUNT],
            hs,
            streams: BTreeMap::new(),
            ready: BTreeSet::new(),
            ready_new: BTreeSet::new(),
            max_stream_data_pending: BTreeSet::new(),
            next_bi: 0,
            next_uni: 0,
            serve_counter: 0,
            bytes_in_flight: 0,
            pto_count: 0,
            app_limited: true,
            address_validated: side.is_client(),
            peer_validated: !side.is_client(),
            bytes_received: 0,
            bytes_sent: 0,
            amplification_reported: false,
            send_max_data: peer_windows.0,
            sent_data: 0,
            recv_max_data: own_windows.0,
            delivered_data: 0,
            max_data_pending: false,
            last_cc,
            events,
            spaces,
            config,
        }
    }

    // ----- queries -------------------------------------------------------------------------

    pub fn side(&self) -> Side {
        self.side
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// Whose QUIC this endpoint runs.
    pub fn stack(&self) -> Stack {
        self.stack
    }
    /// The largest UDP payload it sends now (after any path MTU discovery).
    pub fn max_udp_payload(&self) -> u64 {
        self.config.max_udp_payload
    }
    /// When 1-RTT keys became available for sending (the client's "can send 1-RTT data").
    pub fn one_rtt_ready_at(&self) -> Option<SimTime> {
        self.hs.one_rtt_ready
    }
    /// True while STREAM data written now could go out (in 0-RTT or 1-RTT packets).
    pub fn can_send_stream_data(&self) -> bool {
        self.hs.one_rtt_send || self.hs.zero_rtt_send
    }
    /// RFC 9001 §4.1.1.
    pub fn handshake_complete_at(&self) -> Option<SimTime> {
        self.hs.complete
    }
    /// RFC 9001 §4.1.2.
    pub fn handshake_confirmed_at(&self) -> Option<SimTime> {
        self.hs.confirmed
    }
    pub fn congestion_window(&self) -> u64 {
        self.cc.window()
    }
    pub fn bytes_in_flight(&self) -> u64 {
        self.bytes_in_flight
    }
    pub fn smoothed_rtt(&self) -> SimDuration {
        self.rtt.smoothed()
    }
    /// UDP payload bytes sent and received so far.
    pub fn bytes_sent(&self) -> u64 {
        self.bytes_sent
    }
    pub fn bytes_received(&self) -> u64 {
        self.bytes_received
    }
    /// Server: the client's address is validated (RFC 9000 §8.1); always true at a client.
    pub fn address_validated(&self) -> bool {
        self.address_validated
    }
    /// Every byte of `stream` up to its FIN was delivered to this endpoint's application.
    pub fn stream_received_all(&self, stream: StreamId) -> bool {
        self.streams
            .get(&stream)
            .and_then(|s| s.recv.as_ref())
            .is_some_and(RecvBuffer::is_finished)
    }
    /// Every byte written on every stream was acknowledged, with its FIN.
    pub fn all_streams_acknowledged(&self) -> bool {
        self.streams
            .values()
            .all(|s| s.send.as_ref().is_none_or(SendBuffer::is_done))
    }
    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<QuicEvent> {
        self.events.pop_front()
    }
    /// When the endpoint next wants [`Connection::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<SimTime> {
        self.timers.iter().flatten().min().copied()
    }

    // ----- streams -------------------------------------------------------------------------

    /// RFC 9000 §2.1: the low bit says who opened a stream (0 client, 1 server), the next
    /// whether it is unidirectional.
    fn stream_id(&self, uni: bool, n: u64) -> StreamId {
        let initiator = if self.side.is_client() { 0 } else { 1 };
        StreamId(n * 4 + u64::from(uni) * 2 + initiator)
    }

    pub(super) fn new_stream(&self, send: bool, recv: bool) -> Stream {
        Stream {
            send: send.then(SendBuffer::default),
            recv: recv.then(RecvBuffer::default),
            priority: self.config.default_priority,
            last_served: 0,
            send_max: self.peer_windows.1,
            recv_max: self.own_windows.1,
            scheduled: None,
        }
    }

    /// Opens a bidirectional stream.
    pub fn open_bi(&mut self) -> StreamId {
        let id = self.stream_id(false, self.next_bi);
        self.next_bi += 1;
        let s = self.new_stream(true, true);
        self.streams.insert(id, s);
        id
    }

    /// Opens a unidirectional stream (this endpoint sends, the peer receives).
    pub fn open_uni(&mut self) -> StreamId {
        let id = self.stream_id(true, self.next_uni);
        self.next_uni += 1;
        let s = self.new_stream(true, false);
        self.streams.insert(id, s);
        id
    }

    fn send_buffer(&mut self, id: StreamId) -> Result<&mut SendBuffer, StreamError> {
        let s = self
            .streams
            .get_mut(&id)
            .ok_or(StreamError::UnknownStream(id))?;
        let b = s.send.as_mut().ok_or(StreamError::NotWritable(id))?;
        if b.fin {
            return Err(StreamError::Finished(id));
        }
        Ok(b)
    }

    /// Queues `len` bytes on `stream`, all standing for application content `tag`.
    pub fn write(&mut self, stream: StreamId, len: u64, tag: u64) -> Result<(), StreamError> {
        self.send_buffer(stream)?.write(len, tag);
        self.reschedule(stream);
        Ok(())
    }

    /// Ends the stream after the bytes written so far.
    pub fn finish(&mut self, stream: StreamId) -> Result<(), StreamError> {
        self.send_buffer(stream)?.fin = true;
        self.reschedule(stream);
        Ok(())
    }

    /// Sets how `stream` is scheduled against the others.
    pub fn set_priority(&mut self, stream: StreamId, p: Priority) -> Result<(), StreamError> {
        let s = self
            .streams
            .get_mut(&stream)
            .ok_or(StreamError::UnknownStream(stream))?;
        s.priority = p;
        self.reschedule(stream);
        Ok(())
    }

    // ----- input ---------------------------------------------------------------------------

    pub(super) fn emit(&mut self, at: SimTime, kind: QuicEventKind) {
        self.events.push_back(QuicEvent { at, kind });
    }

    /// Takes one datagram from the peer.
    pub fn handle_datagram(&mut self, now: SimTime, datagram: &Datagram) {
        self.bytes_received += datagram.payload_len();
        for packet in &datagram.packets {
            self.handle_packet(now, packet);
            self.advance_handshake(now);
        }
        self.update_ack_timer();
        self.set_loss_detection_timer(now);
        self.report_cc(now);
    }

    fn handle_packet(&mut self, now: SimTime, packet: &Packet) {
        if !self.can_read(packet.ty) {
            self.emit(
                now,
                QuicEventKind::PacketDropped {
                    ty: packet.ty,
                    pn: packet.pn,
                },
            );
            return;
        }
        let sid = packet.ty.space();
        let pn = packet.pn.0;
        {
            let space = &mut self.spaces[sid.index()];
            if pn < space.recv_floor || space.received.contains(pn) {
                return;
            }
        }
        if sid == SpaceId::Handshake && !self.side.is_client() && !self.address_validated {
            // RFC 9000 §8.1: a Handshake packet proves the client got our Initial.
            self.address_validated = true;
        }
        let ack_eliciting = packet.is_ack_eliciting();
        if self.stack.decimates_acks() {
            self.chromium_ack_decision(now, sid, pn, ack_eliciting);
        } else {
            self.ack_decision(now, sid, pn, ack_eliciting);
        }
        for frame in &packet.frames {
            match frame {
                Frame::Padding { .. } | Frame::Ping => {}
                Frame::Ack(ack) => self.on_ack_received(now, sid, ack),
                Frame::Crypto { offset, len } => {
                    self.spaces[sid.index()]
                        .crypto_recv
                        .insert(*offset..offset.saturating_add(*len));
                }
                Frame::Stream(s) => self.on_stream_frame(now, s, packet.pn),
                Frame::MaxData { max } => self.send_max_data = self.send_max_data.max(*max),
                Frame::MaxStreamData { id, max } => {
                    if let Some(s) = self.streams.get_mut(id) {
                        s.send_max = s.send_max.max(*max);
                        self.reschedule(*id);
                    }
                }
                Frame::HandshakeDone => {
                    if self.side.is_client() && self.hs.confirmed.is_none() {
                        self.confirm(now);
                    }
                }
            }
        }
        if sid == SpaceId::Handshake && !self.side.is_client() {
            // RFC 9001 §4.9.1: a server discards Initial keys when it first successfully
            // processes a Handshake packet.
            self.discard_space(now, SpaceId::Initial);
        }
    }

    /// Runs the timers that expired at or before `now`.
    pub fn handle_timeout(&mut self, now: SimTime) {
        let ack = Timer::Ack as usize;
        if self.timers[ack].is_some_and(|t| t <= now) {
            self.timers[ack] = None;
            for space in &mut self.spaces {
                if space.ack_deadline.is_some_and(|t| t <= now) && space.unacked_ack_eliciting > 0 {
                    space.ack_immediately = true;
                }
            }
        }
        let ld = Timer::LossDetection as usize;
        if self.timers[ld].is_some_and(|t| t <= now) {
            self.timers[ld] = None;
            self.on_loss_detection_timeout(now);
        }
        // The pacer's deadline only wakes the endpoint: `poll_transmit` sends what it allows.
        let pacing = Timer::Pacing as usize;
        if self.timers[pacing].is_some_and(|t| t <= now) {
            self.timers[pacing] = None;
        }
        self.report_cc(now);
    }

    fn report_cc(&mut self, now: SimTime) {
        let state = (self.cc.window(), self.cc.ssthresh());
        if state != self.last_cc {
            self.last_cc = state;
            self.emit(
                now,
                QuicEventKind::CongestionWindow {
                    cwnd: state.0,
                    ssthresh: state.1,
                    bytes_in_flight: self.bytes_in_flight,
                },
            );
        }
    }
}
