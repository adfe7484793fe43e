//! Loss detection and the probe timeout, following RFC 9002 Appendix A: the sent-packet
//! record (A.1.1) and OnPacketSent (A.5), DetectAndRemoveLostPackets (A.10, §6.1's packet
//! and time thresholds), OnPacketsLost with persistent congestion (B.8, §7.6), the loss
//! detection timer (A.8 GetLossTimeAndSpace, GetPtoTimeAndSpace, SetLossDetectionTimer;
//! §6.2.2.1's anti-deadlock) and its expiry (A.9 OnLossDetectionTimeout, §6.2.4's probes, or
//! quic-go's `QueueProbePacket`), and requeueing what lost packets carried (RFC 9000 §13.3).

use super::connection::{Connection, Timer};
use super::event::{FrameSummary, LossReason, QuicEventKind};
use super::packet::{Packet, SpaceId};
use super::rtt::GRANULARITY;
use super::{
    PACKET_THRESHOLD, PERSISTENT_CONGESTION_THRESHOLD, PTO_PROBES, TIME_THRESHOLD_DEN,
    TIME_THRESHOLD_NUM,
};
use crate::ids::{PacketNumber, StreamId};
use crate::time::{SimDuration, SimTime};

/// What a sent packet carried that may have to be sent again, or that its acknowledgement
/// settles.
#[derive(Clone, Debug)]
pub(super) enum SentFrame {
    Crypto {
        offset: u64,
        len: u64,
    },
    Stream {
        id: StreamId,
        offset: u64,
        len: u64,
        fin: bool,
    },
    HandshakeDone,
    MaxData,
    MaxStreamData(StreamId),
}

#[derive(Clone, Debug)]
pub(super) struct SentPacket {
    pub(super) time: SimTime,
    pub(super) size: u64,
    pub(super) ack_eliciting: bool,
    /// RFC 9002 §2: ack-eliciting or carrying PADDING.
    pub(super) in_flight: bool,
    pub(super) probe: bool,
    pub(super) frames: Vec<SentFrame>,
    /// Largest Acknowledged of the ACK frame it carried (RFC 9000 §13.2.4).
    pub(super) acked_up_to: Option<u64>,
    /// A path MTU probe of this UDP payload size (quic-go `mtu_discoverer.go`): its
    /// acknowledgement raises the datagram size, its loss is no congestion signal.
    pub(super) mtu_probe: Option<u64>,
}

impl Connection {
    /// RFC 9002 Appendix A.10 DetectAndRemoveLostPackets. `probe_acked`: the send time of
    /// a PTO probe this acknowledgement covered, if any.
    pub(super) fn detect_lost_packets(
        &mut self,
        now: SimTime,
        sid: SpaceId,
        probe_acked: Option<SimTime>,
    ) -> Vec<(u64, SentPacket, LossReason)> {
        let loss_delay = self.loss_delay();
        let space = &mut self.spaces[sid.index()];
        space.loss_time = None;
        let Some(largest_acked) = space.largest_acked else {
            return Vec::new();
        };
        let lost_send_time = now.as_micros().checked_sub(loss_delay.as_micros());
        let mut lost = Vec::new();
        for (&pn, p) in space.sent.range(..=largest_acked) {
            let by_packets = largest_acked >= pn + PACKET_THRESHOLD;
            let by_time = lost_send_time.is_some_and(|t| p.time.as_micros() <= t);
            if by_packets || by_time {
                let reason = if probe_acked.is_some_and(|t| p.time < t) {
                    LossReason::Pto
                } else if by_packets {
                    LossReason::PacketThreshold
                } else {
                    LossReason::TimeThreshold
                };
                lost.push((pn, reason));
            } else {
                let t = p.time + loss_delay;
                space.loss_time = Some(space.loss_time.map_or(t, |l| l.min(t)));
            }
        }
        let mut out = Vec::with_capacity(lost.len());
        for (pn, reason) in lost {
            if let Some(p) = space.sent.remove(&pn) {
                if p.ack_eliciting {
                    space.ack_eliciting_in_flight -= 1;
                }
                out.push((pn, p, reason));
            }
        }
        out
    }

    /// RFC 9002 §6.1.2: max(kTimeThreshold * max(smoothed_rtt, latest_rtt), kGranularity).
    fn loss_delay(&self) -> SimDuration {
        let base = self.rtt.latest().max(self.rtt.smoothed()).as_micros();
        SimDuration::from_micros(base * TIME_THRESHOLD_NUM / TIME_THRESHOLD_DEN).max(GRANULARITY)
    }

    /// RFC 9002 Appendix B.8 OnPacketsLost, and requeueing of the lost frames (RFC 9000
    /// §13.3: the information is sent again in new packets).
    pub(super) fn on_packets_lost(
        &mut self,
        now: SimTime,
        sid: SpaceId,
        lost: Vec<(u64, SentPacket, LossReason)>,
    ) {
        if lost.is_empty() {
            return;
        }
        let mut lost_in_flight = 0;
        let mut largest_lost_time = None;
        // RFC 9002 §7.6.2: persistent congestion needs two ack-eliciting lost packets, sent
        // after the first RTT sample, with none acknowledged in between (the lost packet
        // numbers are contiguous in what was still unacknowledged), spanning more than the
        // persistent congestion duration. Checked within this batch, per space (as
        // quinn-proto does).
        let pc_duration =
            (self.rtt.pto_base() + self.peer_max_ack_delay) * PERSISTENT_CONGESTION_THRESHOLD;
        let first_sample = self.rtt.first_sample();
        let mut run_start: Option<SimTime> = None;
        let mut prev_pn: Option<u64> = None;
        let mut persistent = false;
        for (pn, p, reason) in &lost {
            if let Some(size) = p.mtu_probe {
                // quic-go `mtuFinder.GetPing` OnLost: that size does not pass; and a lost
                // probe is no congestion signal (`sent_packet_handler.go detectLostPackets`
                // skips `OnPacketLost` for `IsPathMTUProbePacket`).
                if let Some(m) = &mut self.mtu {
                    m.in_flight = false;
                    m.max = size;
                }
            } else if p.in_flight {
                lost_in_flight += p.size;
                largest_lost_time = Some(p.time);
            }
            self.emit(
                now,
                QuicEventKind::PacketLost {
                    space: sid,
                    pn: PacketNumber(*pn),
                    reason: *reason,
                },
            );
            let contiguous = prev_pn.is_some_and(|q| self.pns_contiguous(sid, q, *pn));
            if !contiguous {
                run_start = None;
            }
            prev_pn = Some(*pn);
            if p.ack_eliciting && first_sample.is_some_and(|f| p.time > f) {
                match run_start {
                    None => run_start = Some(p.time),
                    Some(s) => {
                        if p.time - s > pc_duration {
                            persistent = true;
                        }
                    }
                }
            }
        }
        for (_, p, _) in lost {
            if p.in_flight {
                self.bytes_in_flight -= p.size.min(self.bytes_in_flight);
            }
            for f in p.frames {
                self.requeue(sid, f, true);
            }
        }
        if let Some(t) = largest_lost_time {
            self.cc.on_congestion_event(now, t, lost_in_flight);
            if persistent && self.stack.detects_persistent_congestion() {
                self.cc.on_timeout_collapse(now);
                self.emit(now, QuicEventKind::PersistentCongestion);
            }
        }
    }

    /// True if no packet numbered between `a` and `b` (exclusive) was acknowledged: every
    /// one of them is lost in this batch or still outstanding. Only quic-go skips packet
    /// numbers, and it does not look for persistent congestion.
    fn pns_contiguous(&self, sid: SpaceId, a: u64, b: u64) -> bool {
        // Lost packets were removed from `sent` already; the others between a and b must be
        // still there, so the count of `sent` entries plus lost ones must fill the gap. The
        // lost list is walked in order, so the only lost packets between a and b are none:
        // every packet between them is either in `sent` (outstanding) or was acknowledged.
        let between = b.saturating_sub(a).saturating_sub(1);
        let outstanding = self.spaces[sid.index()].sent.range(a + 1..b).count() as u64;
        outstanding == between
    }

    fn no_ack_eliciting_in_flight(&self) -> bool {
        self.spaces.iter().all(|s| s.ack_eliciting_in_flight == 0)
    }

    /// RFC 9002 Appendix A.8 GetLossTimeAndSpace.
    fn loss_time_and_space(&self) -> Option<(SimTime, SpaceId)> {
        SpaceId::ALL
            .into_iter()
            .filter_map(|s| self.spaces[s.index()].loss_time.map(|t| (t, s)))
            .min_by_key(|&(t, _)| t)
    }

    fn backoff(&self) -> u64 {
        1u64 << self.pto_count.min(30)
    }

    /// RFC 9002 Appendix A.8 GetPtoTimeAndSpace.
    fn pto_time_and_space(&self, now: SimTime) -> Option<(SimTime, SpaceId)> {
        let base = match (
            self.rtt.first_sample(),
            self.stack.pto_multiplier_without_samples(),
        ) {
            // Before any sample: quic-go `RTTStats.PTO` (2 × initial RTT), quiche
            // `GetProbeTimeoutDelay` (3 × initial RTT).
            (None, Some(m)) => self.config.initial_rtt * m,
            _ => self.rtt.pto_base(),
        };
        let mut duration = base * self.backoff();
        let anti_deadlock = now + duration;
        let mut best: Option<(SimTime, SpaceId)> = None;
        for sid in SpaceId::ALL {
            let space = &self.spaces[sid.index()];
            if space.ack_eliciting_in_flight == 0 {
                continue;
            }
            if sid == SpaceId::Data {
                // RFC 9002 §6.2.1: no PTO for application data before confirmation.
                if self.hs.confirmed.is_none() {
                    break;
                }
                duration += self.peer_max_ack_delay * self.backoff();
            }
            if let Some(t) = space.time_of_last_ack_eliciting {
                let t = t + duration;
                if best.is_none_or(|(b, _)| t < b) {
                    best = Some((t, sid));
                }
            }
        }
        if best.is_none() && self.side.is_client() && !self.peer_validated {
            // RFC 9002 §6.2.2.1: until the server has validated its address, a client keeps
            // a PTO armed even with nothing in flight, so that the server is never stuck at
            // its amplification limit (anti-deadlock). A Handshake packet if it can send
            // one, else an Initial.
            let sid = if self.spaces[SpaceId::Handshake.index()].send_keys {
                SpaceId::Handshake
            } else {
                SpaceId::Initial
            };
            return Some((anti_deadlock, sid));
        }
        best
    }

    /// RFC 9002 Appendix A.8 SetLossDetectionTimer.
    pub(super) fn set_loss_detection_timer(&mut self, now: SimTime) {
        let slot = Timer::LossDetection as usize;
        if let Some((t, _)) = self.loss_time_and_space() {
            self.timers[slot] = Some(t);
            return;
        }
        if !self.side.is_client() && self.amplification_allowance() == 0 {
            // RFC 9002 §6.2.2.1: a server blocked by the amplification limit arms no PTO.
            self.timers[slot] = None;
            return;
        }
        if self.no_ack_eliciting_in_flight() && self.peer_validated {
            self.timers[slot] = None;
            return;
        }
        self.timers[slot] = self.pto_time_and_space(now).map(|(t, _)| t);
    }

    /// RFC 9002 Appendix A.9 OnLossDetectionTimeout.
    pub(super) fn on_loss_detection_timeout(&mut self, now: SimTime) {
        if let Some((t, sid)) = self.loss_time_and_space() {
            if t <= now {
                let lost = self.detect_lost_packets(now, sid, None);
                self.on_packets_lost(now, sid, lost);
            }
            self.set_loss_detection_timer(now);
            return;
        }
        let Some((_, sid)) = self.pto_time_and_space(now) else {
            self.set_loss_detection_timer(now);
            return;
        };
        // Anti-deadlock probes (nothing in flight in the space) are one packet.
        let probes = if self.spaces[sid.index()].ack_eliciting_in_flight == 0 {
            1
        } else {
            PTO_PROBES
        };
        if self.stack.probes_with_oldest_data() {
            self.declare_oldest_lost_for_probes(now, sid, probes);
        } else {
            self.queue_probe_data(sid, probes);
        }
        self.spaces[sid.index()].probes = probes;
        self.pto_count += 1;
        self.emit(
            now,
            QuicEventKind::PtoExpired {
                space: sid,
                count: self.pto_count,
            },
        );
        self.set_loss_detection_timer(now);
    }

    /// RFC 9002 §6.2.4: a probe carries new data if there is any, else data still
    /// unacknowledged (here: that of the oldest outstanding packets), else a PING.
    fn queue_probe_data(&mut self, sid: SpaceId, probes: u8) {
        let space = &self.spaces[sid.index()];
        let has_new = space.crypto_send.has_retransmit()
            || space.crypto_send.has_new(u64::MAX)
            || (sid == SpaceId::Data && self.streams_have_data());
        if has_new {
            return;
        }
        let oldest: Vec<SentFrame> = space
            .sent
            .values()
            .filter(|p| p.ack_eliciting)
            .take(usize::from(probes))
            .flat_map(|p| p.frames.iter().cloned())
            .collect();
        for f in oldest {
            self.requeue(sid, f, false);
        }
    }

    /// quic-go `sent_packet_handler.go QueueProbePacket` (once per probe packet, from
    /// `connection.go sendProbePacket`): the oldest outstanding packet is declared lost
    /// (out of bytes in flight, no congestion event) and its frames queued again, so that the
    /// probe re-sends them; and `OnLossDetectionTimeout` skips a 1-RTT packet number "in
    /// order to elicit an immediate ACK".
    fn declare_oldest_lost_for_probes(&mut self, now: SimTime, sid: SpaceId, probes: u8) {
        let space = &mut self.spaces[sid.index()];
        let oldest: Vec<u64> = space
            .sent
            .iter()
            .filter(|(_, p)| p.ack_eliciting)
            .take(usize::from(probes))
            .map(|(&pn, _)| pn)
            .collect();
        let mut declared = Vec::with_capacity(oldest.len());
        for pn in oldest {
            if let Some(p) = space.sent.remove(&pn) {
                space.ack_eliciting_in_flight -= 1;
                declared.push((pn, p));
            }
        }
        if sid == SpaceId::Data {
            space.next_pn += 1;
        }
        for (pn, p) in declared {
            if p.in_flight {
                self.bytes_in_flight -= p.size.min(self.bytes_in_flight);
            }
            if let (Some(size), Some(m)) = (p.mtu_probe, self.mtu.as_mut()) {
                m.in_flight = false;
                m.max = size;
            }
            self.emit(
                now,
                QuicEventKind::PacketLost {
                    space: sid,
                    pn: PacketNumber(pn),
                    reason: LossReason::Pto,
                },
            );
            for f in p.frames {
                self.requeue(sid, f, true);
            }
        }
    }

    /// Queues what a sent frame carried to be sent again in a new packet (RFC 9000 §13.3):
    /// when its packet was lost, or (without the flow-control updates, which a probe does not
    /// need) when a probe re-sends the oldest outstanding data (RFC 9002 §6.2.4).
    fn requeue(&mut self, sid: SpaceId, f: SentFrame, flow_control: bool) {
        match f {
            SentFrame::Crypto { offset, len } => self.spaces[sid.index()]
                .crypto_send
                .on_lost(offset..offset + len, false),
            SentFrame::Stream {
                id,
                offset,
                len,
                fin,
            } => {
                if let Some(b) = self.streams.get_mut(&id).and_then(|s| s.send.as_mut()) {
                    b.on_lost(offset..offset + len, fin);
                    self.reschedule(id);
                }
            }
            SentFrame::HandshakeDone => self.hs.handshake_done_pending = true,
            SentFrame::MaxData if flow_control => self.max_data_pending = true,
            SentFrame::MaxStreamData(id) if flow_control => {
                if self.streams.contains_key(&id) {
                    self.max_stream_data_pending.insert(id);
                }
            }
            SentFrame::MaxData | SentFrame::MaxStreamData(_) => {}
        }
    }

    /// RFC 9002 Appendix A.5 OnPacketSent.
    pub(super) fn on_packet_sent(&mut self, now: SimTime, sid: SpaceId, p: &Packet, s: SentPacket) {
        // `build_packet` measured it, and padding added to it since counts in `s.size`.
        debug_assert_eq!(s.size, p.wire_len());
        let space = &mut self.spaces[sid.index()];
        if let Some(largest) = s.acked_up_to {
            space.ack_pending = false;
            space.ack_immediately = false;
            space.unacked_ack_eliciting = 0;
            space.ack_deadline = None;
            space.last_sent_largest_acked = Some(largest);
        }
        if s.ack_eliciting {
            space.time_of_last_ack_eliciting = Some(now);
            space.ack_eliciting_in_flight += 1;
        }
        if s.in_flight {
            self.bytes_in_flight += s.size;
            self.cc.on_sent(now, s.size);
        }
        let (size, probe) = (s.size, s.probe);
        self.spaces[sid.index()].sent.insert(p.pn.0, s);
        let frames = p.frames.iter().map(FrameSummary::of).collect();
        self.emit(
            now,
            QuicEventKind::PacketSent {
                ty: p.ty,
                pn: p.pn,
                size,
                ack_eliciting: p.is_ack_eliciting(),
                probe,
                frames,
            },
        );
    }
}
