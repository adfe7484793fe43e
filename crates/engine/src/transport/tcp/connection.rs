//! One TCP endpoint: the handshake, the sender as Linux 6.x runs it (`net/ipv4/tcp_input.c`,
//! `tcp_output.c`, `tcp_recovery.c`, `tcp_timer.c`) and the receiver (`receiver/`).
//!
//! The sender keeps Linux's per-segment scoreboard tags (SACKED_ACKED, SACKED_RETRANS, LOST,
//! EVER_RETRANS) and packet counters (`packets_out`, `sacked_out`, `lost_out`,
//! `retrans_out`; in flight = packets_out − sacked_out − lost_out + retrans_out), its
//! congestion states (Open, Disorder, CWR, Recovery, Loss) and its one transmit timer
//! (`icsk_pending`: RTO, tail loss probe or RACK reordering timeout). The window is counted
//! in packets as `snd_cwnd` is; the congestion module is a
//! [`crate::transport::cc::linux::CongestionOps`].
//!
//! This file holds the endpoint's state ([`TcpConnection`]), its public API and the
//! dispatch of an arriving segment. The rules are in files named as the kernel's are:
//! - `handshake.rs`: the three-way handshake and its RTT sample;
//! - `input.rs`: an arriving ACK (`tcp_ack`), RTT samples, the window's growth;
//! - `scoreboard.rs`: the retransmit queue's tags, SACK and DSACK processing;
//! - `rack.rs`: RACK loss detection (RFC 8985, `tcp_recovery.c`);
//! - `recovery.rs`: the congestion states and `tcp_fastretrans_alert`, F-RTO, RTO's Loss;
//! - `prr.rs`: Proportional Rate Reduction (RFC 6937);
//! - `undo.rs`: undoing a reduction that was not needed (`tcp_try_undo_*`);
//! - `timer.rs`: the RTO, the tail loss probe and the timers' firing (`tcp_timer.c`);
//! - `output.rs`: what to send next (`tcp_output.c`), slow start after idle.

use core::fmt;
use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::board::Board;
use super::event::{CwndCause, TcpEvent, TcpEventKind};
use super::rack::Rack;
use super::receiver::{Delivery, Receiver, RecvConfig};
use super::recovery::Rexmit;
use super::rtt::RttEstimator;
use super::segment::{Segment, Span, TIMESTAMP_OPTION};
use super::timer::XmitTimer;
use super::TcpConfig;
use crate::time::{SimDuration, SimTime};
use crate::transport::cc::linux::{CaState, CongestionOps, SenderInfo, Window, INFINITE_SSTHRESH};

/// `sysctl_tcp_reordering` default (RFC 5681 §3.2 / RFC 6675 §2 DupThresh = 3).
pub(super) const REORDERING: u64 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sends the SYN.
    Client,
    /// Answers it.
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Closed,
    SynSent,
    Listen,
    SynReceived,
    Established,
}

/// One endpoint of a TCP connection, generic over the tag the application attaches to each
/// write (see [`TcpConnection::write`]).
pub struct TcpConnection<T> {
    pub(super) role: Role,
    pub(super) cfg: TcpConfig,
    pub(super) state: State,
    pub(super) established_at: Option<SimTime>,
    /// A SYN (client) or SYN-ACK (server) is due.
    pub(super) syn_due: bool,
    pub(super) syn_sent_at: Option<SimTime>,
    pub(super) syn_retransmits: u32,
    /// The client's ACK of the SYN-ACK goes out on its own, before any data
    /// (`tcp_rcv_synsent_state_process` → `tcp_send_ack`: nothing is write-pending).
    pub(super) handshake_ack_due: bool,
    /// The peer agreed to SACK and to timestamps.
    pub(super) sack: bool,
    pub(super) timestamps: bool,

    // Sender.
    /// Every byte the application wrote, tagged: contiguous from `write_log_base`.
    pub(super) write_log: VecDeque<Span<T>>,
    pub(super) written: u64,
    pub(super) snd_una: u64,
    pub(super) snd_nxt: u64,
    pub(super) snd_wnd: u64,
    pub(super) snd_wl1: u64,
    pub(super) board: Board,
    pub(super) sacked_out: u64,
    pub(super) lost_out: u64,
    pub(super) retrans_out: u64,
    /// `tp->delivered`, `tp->lost`: packets ever delivered and ever marked lost.
    pub(super) delivered: u64,
    pub(super) lost_count: u64,
    pub(super) total_retrans: u64,
    pub(super) dsack_dups: u64,
    pub(super) win: Window,
    pub(super) cc: Box<dyn CongestionOps>,
    pub(super) ca: CaState,
    pub(super) high_seq: u64,
    pub(super) prior_cwnd: u64,
    pub(super) prior_ssthresh: u64,
    pub(super) prr_delivered: u64,
    pub(super) prr_out: u64,
    pub(super) undo_marker: Option<u64>,
    pub(super) undo_retrans: i64,
    /// `retrans_stamp`: TSval (ms) of the first retransmission of this episode.
    pub(super) retrans_stamp: Option<u32>,
    pub(super) frto: bool,
    /// `icsk_retransmits`: consecutive RTOs without progress.
    pub(super) retransmits: u32,
    pub(super) reordering: u64,
    pub(super) reord_seen: bool,
    pub(super) rack: Rack,
    /// `tcp_min_rtt` (from `ca_rtt`, `tcp_update_rtt_min`).
    pub(super) min_rtt: Option<SimDuration>,
    pub(super) tlp_high_seq: Option<u64>,
    pub(super) tlp_retrans: bool,
    pub(super) xmit_timer: Option<(SimTime, XmitTimer)>,
    pub(super) rtt: RttEstimator,
    /// The echoed TSval of the segment being processed (`rx_opt.rcv_tsecr`).
    pub(super) rcv_tsecr: Option<u32>,
    /// What the last ACK or timer asked to transmit.
    pub(super) rexmit: Rexmit,
    /// The timer retransmits the head once regardless of the window.
    pub(super) rto_head_due: bool,
    /// A tail loss probe to send now: new data, or the last segment again.
    pub(super) probe_due: Option<bool>,
    // Window validation (`tcp_cwnd_validate`, RFC 7661 as Linux runs it).
    pub(super) is_cwnd_limited: bool,
    pub(super) max_packets_out: u64,
    pub(super) cwnd_usage_seq: u64,
    /// New data went out in the current `poll_transmit` batch, or the window blocked it.
    pub(super) batch_sent: bool,
    pub(super) batch_cwnd_blocked: bool,
    /// `lsndtime`: the last time new data was sent.
    pub(super) lsndtime: Option<SimTime>,
    /// Data was written with nothing in flight: check `tcp_slow_start_after_idle` before
    /// sending it.
    pub(super) idle_check: bool,
    last_cwnd: (u64, u64),

    pub(super) receiver: Receiver<T>,
    events: Vec<TcpEvent>,
}

impl<T> fmt::Debug for TcpConnection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpConnection")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("snd_una", &self.snd_una)
            .field("snd_nxt", &self.snd_nxt)
            .field("written", &self.written)
            .field("cwnd", &self.win.cwnd)
            .field("ca", &self.ca)
            .finish()
    }
}

impl<T: Copy> TcpConnection<T> {
    /// A client endpoint; call [`TcpConnection::connect`] to send the SYN.
    pub fn client(cfg: TcpConfig) -> Self {
        Self::new(Role::Client, cfg, State::Closed)
    }

    /// A server endpoint listening for the SYN.
    pub fn server(cfg: TcpConfig) -> Self {
        Self::new(Role::Server, cfg, State::Listen)
    }

    fn new(role: Role, cfg: TcpConfig, state: State) -> Self {
        let advmss = cfg.mss.max(1);
        let receiver = Receiver::new(RecvConfig {
            advmss,
            delack: cfg.delayed_ack,
            rmem_default: cfg.rmem_default,
            rmem_max: cfg.recv_window,
            timestamps: cfg.timestamps,
        });
        TcpConnection {
            role,
            state,
            established_at: None,
            syn_due: false,
            syn_sent_at: None,
            syn_retransmits: 0,
            handshake_ack_due: false,
            sack: cfg.sack,
            timestamps: cfg.timestamps,
            write_log: VecDeque::new(),
            written: 0,
            snd_una: 0,
            snd_nxt: 0,
            snd_wnd: 65_535,
            snd_wl1: 0,
            board: Board::default(),
            sacked_out: 0,
            lost_out: 0,
            retrans_out: 0,
            delivered: 0,
            lost_count: 0,
            total_retrans: 0,
            dsack_dups: 0,
            win: Window::new(cfg.initial_window.max(1)),
            cc: cfg.ops(),
            ca: CaState::Open,
            high_seq: 0,
            prior_cwnd: 0,
            prior_ssthresh: 0,
            prr_delivered: 0,
            prr_out: 0,
            undo_marker: None,
            undo_retrans: -1,
            retrans_stamp: None,
            frto: false,
            retransmits: 0,
            reordering: REORDERING,
            reord_seen: false,
            rack: Rack::default(),
            min_rtt: None,
            tlp_high_seq: None,
            tlp_retrans: false,
            xmit_timer: None,
            rtt: RttEstimator::with_rule(cfg.rto, cfg.min_rto),
            rcv_tsecr: None,
            rexmit: Rexmit::None,
            rto_head_due: false,
            probe_due: None,
            is_cwnd_limited: false,
            max_packets_out: 0,
            cwnd_usage_seq: 0,
            batch_sent: false,
            batch_cwnd_blocked: false,
            lsndtime: None,
            idle_check: false,
            last_cwnd: (0, 0),
            receiver,
            events: Vec::new(),
            cfg,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Client: open the connection (the SYN goes out at the next `poll_transmit`).
    pub fn connect(&mut self, now: SimTime) {
        if self.state == State::Closed {
            self.state = State::SynSent;
            self.syn_due = true;
            self.xmit_timer = Some((now + self.rtt.rto(), XmitTimer::Retrans));
        }
    }

    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    /// When the handshake completed at this endpoint.
    pub fn established_at(&self) -> Option<SimTime> {
        self.established_at
    }

    /// Queue `len` application bytes tagged `tag`; returns the stream offset of the first.
    /// Bytes written before the handshake completes wait for it.
    pub fn write(&mut self, len: u64, tag: T) -> u64 {
        let offset = self.written;
        if len > 0 {
            if self.board.is_empty() && self.written == self.snd_nxt {
                // tcp_skb_entail → tcp_slow_start_after_idle_check, done at the next send.
                self.idle_check = true;
            }
            self.write_log.push_back(Span { offset, len, tag });
            self.written += len;
        }
        offset
    }

    /// Bytes written and not yet cumulatively acknowledged by the peer.
    pub fn unacked(&self) -> u64 {
        self.written - self.snd_una
    }

    /// Total bytes the application wrote.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Bytes acknowledged by the peer (the stream offset below which all arrived).
    pub fn acked(&self) -> u64 {
        self.snd_una
    }

    /// In-order bytes received from the peer (and so delivered to the application).
    pub fn received(&self) -> u64 {
        self.receiver.rcv_nxt
    }

    /// Out-of-order bytes held back behind a hole.
    pub fn held_bytes(&self) -> u64 {
        self.receiver.held_bytes()
    }

    /// The next run of bytes delivered in order to the application.
    pub fn poll_delivery(&mut self) -> Option<Delivery<T>> {
        self.receiver.deliveries.pop_front()
    }

    /// Everything that happened since the last drain, in order.
    pub fn events(&self) -> &[TcpEvent] {
        &self.events
    }

    /// Everything that happened since the last call, in order.
    pub fn drain_events(&mut self) -> Vec<TcpEvent> {
        std::mem::take(&mut self.events)
    }

    /// Moves the events into `out`, keeping this connection's buffer for the next ones.
    pub fn drain_events_into(&mut self, out: &mut Vec<TcpEvent>) {
        out.append(&mut self.events);
    }

    /// Payload bytes of a full segment: the MSS less the timestamps option (Linux
    /// `mss_cache`: 1448 with timestamps).
    pub fn mss(&self) -> u64 {
        if self.timestamps {
            self.cfg.mss.saturating_sub(TIMESTAMP_OPTION).max(1)
        } else {
            self.cfg.mss.max(1)
        }
    }

    /// The congestion window in bytes: `snd_cwnd` packets of [`TcpConnection::mss`].
    pub fn cwnd(&self) -> u64 {
        self.win.cwnd * self.mss()
    }

    /// The congestion window in packets (`snd_cwnd`).
    pub fn cwnd_packets(&self) -> u64 {
        self.win.cwnd
    }

    /// Slow-start threshold in bytes, `u64::MAX` until the first exit.
    pub fn ssthresh(&self) -> u64 {
        if self.win.ssthresh >= INFINITE_SSTHRESH {
            u64::MAX
        } else {
            self.win.ssthresh * self.mss()
        }
    }

    pub fn rtt(&self) -> &RttEstimator {
        &self.rtt
    }

    /// In fast recovery (Recovery) or after a timeout (Loss).
    pub fn in_recovery(&self) -> bool {
        matches!(self.ca, CaState::Recovery | CaState::Loss)
    }

    /// Packets in flight (`tcp_packets_in_flight`).
    pub fn packets_in_flight(&self) -> u64 {
        (self.packets_out() + self.retrans_out).saturating_sub(self.sacked_out + self.lost_out)
    }

    pub(super) fn packets_out(&self) -> u64 {
        self.board.len() as u64
    }

    /// Bytes written and not yet sent.
    pub fn unsent(&self) -> u64 {
        self.written - self.snd_nxt
    }

    /// Room left in the congestion window beyond what is in flight (Linux
    /// `tcp_packets_in_flight`: SACKed and lost segments are not) and what is queued unsent,
    /// bytes: how much more a sender that keeps its socket queue within the window (the
    /// HTTP/2 lane's server) may hand to TCP now.
    pub fn window_room(&self) -> u64 {
        let in_flight = self.packets_in_flight() * self.mss();
        self.cwnd().saturating_sub(in_flight + self.unsent())
    }

    /// The window the receiving half offered last, bytes.
    pub fn offered_window(&self) -> u64 {
        self.receiver.offered_window()
    }

    /// The receiving half's `window_clamp` and `rcv_ssthresh`, bytes.
    pub fn receive_window_state(&self) -> (u64, u64) {
        self.receiver.window_state()
    }

    /// Whether HyStart ended slow start.
    pub fn hystart_found(&self) -> bool {
        self.cc.hystart_found()
    }

    /// How HyStart ended slow start (ACK train or delay, and the window then), if it did.
    pub fn hystart_exit(&self) -> Option<crate::transport::cc::linux::HyStartExit> {
        self.cc.hystart_exit()
    }

    /// When the endpoint next wants [`TcpConnection::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<SimTime> {
        [
            self.xmit_timer.map(|(t, _)| t),
            self.receiver.delack_at,
            self.receiver.comp_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub(super) fn event(&mut self, now: SimTime, kind: TcpEventKind) {
        self.events.push(TcpEvent { at: now, kind });
    }

    pub(super) fn cwnd_event(&mut self, now: SimTime, cause: CwndCause) {
        let cur = (self.cwnd(), self.ssthresh());
        if cur != self.last_cwnd {
            self.last_cwnd = cur;
            let pipe = self.packets_in_flight() * self.mss();
            self.event(
                now,
                TcpEventKind::Cwnd {
                    cwnd: cur.0,
                    ssthresh: cur.1,
                    pipe,
                    cause,
                },
            );
        }
    }

    pub(super) fn info(&self, now: SimTime) -> SenderInfo {
        SenderInfo {
            now,
            snd_una: self.snd_una,
            snd_nxt: self.snd_nxt,
            srtt: self.rtt.srtt.unwrap_or(SimDuration::ZERO),
            mss: self.mss(),
            packets_out: self.packets_out(),
        }
    }

    /// The TSval of a segment sent at `now`: the millisecond clock (TCP_TS_HZ = 1000), offset
    /// by one so that no TSval is 0 (Linux adds a random `tsoffset`).
    pub(super) fn ts_val(now: SimTime) -> u32 {
        u32::try_from(now.as_micros() / 1_000 + 1).unwrap_or(u32::MAX)
    }

    /// `tcp_rtt_tsopt_us`: the RTT from an echoed TSval, whole milliseconds, at least one.
    pub(super) fn ts_rtt(now: SimTime, ecr: u32) -> SimDuration {
        let delta = u64::from(Self::ts_val(now).saturating_sub(ecr)).max(1);
        SimDuration::from_millis(delta)
    }

    /// A segment arrived from the peer.
    pub fn handle_segment(&mut self, now: SimTime, seg: &Segment<T>) {
        if seg.syn {
            self.handle_syn(now, seg);
            return;
        }
        if self.state == State::SynReceived && seg.ack.is_some() {
            // tcp_synack_rtt_meas: the SYN-ACK's RTT unless it was retransmitted; then the
            // echoed timestamp (tcp_ack_update_rtt's TSecr fallback).
            self.handshake_rtt(now, seg);
            self.establish(now);
        }
        if self.state != State::Established {
            return;
        }
        self.rcv_tsecr = None;
        if let (true, Some(ts)) = (self.timestamps, seg.timestamps) {
            self.receiver
                .on_timestamps(now, seg.seq, seg.len, ts.val, ts.ecr);
            self.rcv_tsecr = (ts.ecr != 0).then_some(ts.ecr);
        }
        if let Some(ack) = seg.ack {
            self.on_ack(now, seg, ack);
        }
        let rto = self.rtt.rto();
        let srtt = self.rtt.srtt;
        self.receiver.on_data(
            now,
            seg.seq,
            seg.len,
            seg.psh,
            &seg.spans,
            rto,
            srtt,
            &mut self.events,
        );
    }
}
