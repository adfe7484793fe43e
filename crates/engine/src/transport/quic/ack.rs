//! ACK frames, received and sent. Received: RFC 9002 Appendix A.7 OnAckReceived (the RTT
//! sample, RFC 9002 §5), each newly acknowledged packet (`on_packet_acked`: the controller,
//! the MTU probe, the frames it settles, RFC 9000 §13.2.4), and whether the window may grow
//! (RFC 9002 §7.8, quic-go's `isCwndLimited`). Sent: when to acknowledge — Chromium's
//! receiver with its ACK decimation (`quic_received_packet_manager.cc`) — the delayed-ACK
//! timer (RFC 9000 §13.2.1) and the ACK frame itself.

use super::connection::{Connection, PacketSpace, Timer};
use super::event::QuicEventKind;
use super::packet::{AckFrame, SpaceId};
use super::quicgo_cc::is_cwnd_limited;
use super::recovery::{SentFrame, SentPacket};
use super::rtt::GRANULARITY;
use super::stack::{
    Stack, CHROMIUM_ACK_DECIMATION_DELAY_DIVISOR, CHROMIUM_DECIMATED_PACKETS_BEFORE_ACK,
    CHROMIUM_MAX_PACKETS_AFTER_NEW_MISSING, CHROMIUM_MIN_RECEIVED_BEFORE_ACK_DECIMATION,
    CHROMIUM_PACKETS_BEFORE_ACK,
};
use super::{ACK_DELAY_EXPONENT, ACK_ELICITING_THRESHOLD, MAX_ACK_RANGES};
use crate::ids::PacketNumber;
use crate::time::{SimDuration, SimTime};

impl PacketSpace {
    /// A packet numbered `pn` arrived at `now`: it goes into the ranges the next ACK frame
    /// reports (at most [`MAX_ACK_RANGES`], the highest), and becomes the largest received if
    /// it is.
    fn record_received(&mut self, pn: u64, now: SimTime) {
        self.received.insert(pn..pn + 1);
        self.received.keep_highest(MAX_ACK_RANGES);
        if self.largest_received.is_none_or(|(l, _)| pn > l) {
            self.largest_received = Some((pn, now));
        }
    }
}

impl Connection {
    /// The receiver of an RFC or quic-go endpoint (Chromium's is below), for a packet just
    /// received: records its number for the next ACK frame and decides when that ACK goes
    /// (RFC 9000 §13.2.1: at once for Initial and Handshake packets and for a packet out of
    /// order, else after two ack-eliciting packets or the endpoint's ACK delay).
    pub(super) fn ack_decision(
        &mut self,
        now: SimTime,
        sid: SpaceId,
        pn: u64,
        ack_eliciting: bool,
    ) {
        let delay = self.ack_delay;
        let space = &mut self.spaces[sid.index()];
        // RFC 9000 §13.2.1: acknowledge at once when a packet arrives out of order.
        let out_of_order = match space.largest_received {
            Some((largest, _)) => pn < largest || pn > largest + 1,
            None => pn > 0,
        };
        space.record_received(pn, now);
        if ack_eliciting {
            space.ack_pending = true;
            space.unacked_ack_eliciting += 1;
            let reordered = space.largest_ack_eliciting_received.is_some_and(|l| pn < l);
            space.largest_ack_eliciting_received =
                space.largest_ack_eliciting_received.max(Some(pn));
            // RFC 9000 §13.2.1: Initial and Handshake packets are acknowledged at once;
            // 1-RTT ones after two ack-eliciting packets or max_ack_delay.
            if sid != SpaceId::Data
                || out_of_order
                || reordered
                || space.unacked_ack_eliciting >= ACK_ELICITING_THRESHOLD
            {
                space.ack_immediately = true;
            }
            space.ack_deadline.get_or_insert(now + delay);
        }
    }

    /// Chromium's receiver for a 1-RTT packet (`quic_received_packet_manager.cc`:
    /// `RecordPacketReceived`, then `MaybeUpdateAckTimeout` with reordering threshold 1, no
    /// ACK_FREQUENCY frame): acknowledge at once a packet that filled a hole below what the
    /// last ACK reported, every second ack-eliciting packet (every tenth from the 100th
    /// packet on, `MaybeEnableAckDecimation`), and every packet while the newest run after a
    /// gap is at most 4 long (`HasNewMissingPackets`); otherwise after 25 ms, or from the
    /// 100th packet on after min(25 ms, min_rtt / 4) (`GetMaxAckDelay`).
    ///
    /// Initial and Handshake packets follow the same rules with a delay of 1 ms and no
    /// decimation ([`Stack::handshake_ack_delay`]).
    pub(super) fn chromium_ack_decision(
        &mut self,
        now: SimTime,
        sid: SpaceId,
        pn: u64,
        ack_eliciting: bool,
    ) {
        let min_rtt = self.rtt.min();
        let ack_delay = if sid == SpaceId::Data {
            self.ack_delay
        } else {
            self.stack
                .handshake_ack_delay()
                .unwrap_or(SimDuration::ZERO)
        };
        let space = &mut self.spaces[sid.index()];
        // RecordPacketReceived: was_last_packet_missing_ = IsMissing(packet_number).
        let was_missing = space.largest_received.is_some_and(|(l, _)| pn < l);
        space.least_received = Some(space.least_received.map_or(pn, |l| l.min(pn)));
        space.record_received(pn, now);
        if ack_eliciting {
            space.ack_pending = true;
            space.largest_ack_eliciting_received =
                space.largest_ack_eliciting_received.max(Some(pn));
        }
        // A packet at or below the last largest acknowledged less the reordering threshold.
        if was_missing
            && space
                .last_sent_largest_acked
                .is_some_and(|l| l >= 1 && pn < l)
        {
            space.ack_pending = true;
            space.ack_immediately = true;
            return;
        }
        if !ack_eliciting {
            return;
        }
        space.unacked_ack_eliciting += 1;
        let decimating = sid == SpaceId::Data
            && space
                .least_received
                .is_some_and(|least| pn >= least + CHROMIUM_MIN_RECEIVED_BEFORE_ACK_DECIMATION);
        let frequency = if decimating {
            CHROMIUM_DECIMATED_PACKETS_BEFORE_ACK
        } else {
            CHROMIUM_PACKETS_BEFORE_ACK
        };
        // HasNewMissingPackets: a gap below the newest run, which is at most 4 packets long.
        let new_missing = space.received.len() > 1
            && space
                .received
                .last()
                .is_some_and(|r| r.end - r.start <= CHROMIUM_MAX_PACKETS_AFTER_NEW_MISSING);
        if space.unacked_ack_eliciting >= frequency || new_missing {
            space.ack_immediately = true;
            return;
        }
        let delay = if decimating {
            let quarter = SimDuration::from_micros(
                min_rtt.as_micros() / CHROMIUM_ACK_DECIMATION_DELAY_DIVISOR,
            );
            // std::max(std::min(local_max_ack_delay_, min_rtt * 0.25), kAlarmGranularity).
            ack_delay.min(quarter).max(GRANULARITY)
        } else {
            ack_delay
        };
        let due = now + delay;
        space.ack_deadline = Some(space.ack_deadline.map_or(due, |d| d.min(due)));
    }

    /// RFC 9002 Appendix A.7 OnAckReceived.
    pub(super) fn on_ack_received(&mut self, now: SimTime, sid: SpaceId, ack: &AckFrame) {
        let largest = ack.largest();
        let prior_in_flight = self.bytes_in_flight;
        let space = &mut self.spaces[sid.index()];
        if largest >= space.next_pn {
            return; // Acknowledges a packet never sent: ignored.
        }
        space.largest_acked = space.largest_acked.max(Some(largest));
        let mut newly: Vec<(u64, SentPacket)> = Vec::new();
        for &(lo, hi) in ack.ranges.iter().rev() {
            let pns: Vec<u64> = space.sent.range(lo..=hi).map(|(&pn, _)| pn).collect();
            for pn in pns {
                if let Some(p) = space.sent.remove(&pn) {
                    if p.ack_eliciting {
                        space.ack_eliciting_in_flight -= 1;
                    }
                    newly.push((pn, p));
                }
            }
        }
        if newly.is_empty() {
            return;
        }
        newly.sort_by_key(|(pn, _)| *pn);
        // RFC 9002 §5.1: an RTT sample when the largest acknowledged is newly acknowledged
        // and at least one newly acknowledged packet was ack-eliciting.
        if let Some((pn, p)) = newly.last() {
            if *pn == largest && newly.iter().any(|(_, p)| p.ack_eliciting) {
                let latest = now - p.time;
                let ack_delay = if sid == SpaceId::Data {
                    let d = SimDuration::from_micros(ack.delay_encoded << ACK_DELAY_EXPONENT);
                    // RFC 9002 §5.3: limited to max_ack_delay once the handshake is confirmed.
                    if self.hs.confirmed.is_some() {
                        d.min(self.peer_max_ack_delay)
                    } else {
                        d
                    }
                } else {
                    SimDuration::ZERO
                };
                self.rtt.update(now, latest, ack_delay);
                self.emit(
                    now,
                    QuicEventKind::RttSample {
                        latest: self.rtt.latest(),
                        smoothed: self.rtt.smoothed(),
                        rttvar: self.rtt.rttvar(),
                        min: self.rtt.min(),
                    },
                );
            }
        }
        let probe_acked = newly.iter().find(|(_, p)| p.probe).map(|(_, p)| p.time);
        let app_limited = self.app_limited_for_ack(prior_in_flight);
        for (pn, p) in newly {
            self.on_packet_acked(now, sid, pn, p, app_limited);
        }
        if sid == SpaceId::Handshake && self.side.is_client() {
            // RFC 9002 Appendix A.6: the client knows the server validated its address.
            self.peer_validated = true;
        }
        let lost = self.detect_lost_packets(now, sid, probe_acked);
        self.on_packets_lost(now, sid, lost);
        // RFC 9002 Appendix A.7: reset the PTO backoff once the peer validated our address.
        if self.peer_validated {
            self.pto_count = 0;
        }
    }

    fn on_packet_acked(
        &mut self,
        now: SimTime,
        sid: SpaceId,
        pn: u64,
        p: SentPacket,
        app_limited: bool,
    ) {
        if p.in_flight {
            self.bytes_in_flight -= p.size.min(self.bytes_in_flight);
            self.cc
                .on_ack(now, p.time, p.size, app_limited, self.rtt.info());
        }
        if let Some(size) = p.mtu_probe {
            // quic-go `mtuFinder.GetPing` OnAcked: the probe size works; the sender and its
            // controller and pacer use it from now on (`SetMaxDatagramSize`).
            if let Some(m) = &mut self.mtu {
                m.in_flight = false;
                m.current = size;
            }
            if size > self.config.max_udp_payload {
                self.config.max_udp_payload = size;
                let min_window = self.config.minimum_window();
                self.cc.on_mtu_update(size, min_window);
                if let Some(pacer) = &mut self.pacer {
                    pacer.set_max_datagram_size(size);
                }
            }
        }
        for f in p.frames {
            match f {
                SentFrame::Crypto { offset, len } => self.spaces[sid.index()]
                    .crypto_send
                    .on_ack(offset..offset + len, false),
                SentFrame::Stream {
                    id,
                    offset,
                    len,
                    fin,
                } => {
                    if let Some(b) = self.streams.get_mut(&id).and_then(|s| s.send.as_mut()) {
                        b.on_ack(offset..offset + len, fin);
                        self.reschedule(id);
                    }
                }
                SentFrame::HandshakeDone | SentFrame::MaxData | SentFrame::MaxStreamData(_) => {}
            }
        }
        if let Some(l) = p.acked_up_to {
            // RFC 9000 §13.2.4: the peer has our ACK up to `l`; stop reporting below it.
            let space = &mut self.spaces[sid.index()];
            let keep_from = space
                .received
                .iter()
                .find(|r| r.contains(&l))
                .map_or(l, |r| r.start);
            space.received.remove(0..keep_from);
            space.recv_floor = space.recv_floor.max(keep_from);
        }
        self.emit(
            now,
            QuicEventKind::PacketAcked {
                space: sid,
                pn: PacketNumber(pn),
            },
        );
    }

    /// Whether the window must not grow for this ACK: RFC 9002 §7.8 (the sender was
    /// application limited when it last had nothing to send), or for quic-go
    /// `cubicSender.isCwndLimited(priorInFlight)` false.
    fn app_limited_for_ack(&self, prior_in_flight: u64) -> bool {
        if self.stack == Stack::QuicGo {
            let cwnd = self.cc.window();
            let slow_start = cwnd < self.cc.ssthresh();
            !is_cwnd_limited(
                prior_in_flight,
                cwnd,
                slow_start,
                self.config.max_udp_payload,
            )
        } else {
            self.app_limited
        }
    }

    pub(super) fn update_ack_timer(&mut self) {
        // RFC 9000 §13.2.1: at most max_ack_delay after the first unacknowledged
        // ack-eliciting packet (the deadline set when it arrived), in each space that delays
        // its ACKs (1-RTT; Initial and Handshake only at a Chromium client).
        self.timers[Timer::Ack as usize] = self
            .spaces
            .iter()
            .filter(|s| s.unacked_ack_eliciting > 0 && !s.ack_immediately && !s.discarded)
            .filter_map(|s| s.ack_deadline)
            .min();
    }

    pub(super) fn ack_frame(&self, sid: SpaceId, now: SimTime) -> Option<AckFrame> {
        let space = &self.spaces[sid.index()];
        let (_, at) = space.largest_received?;
        let ranges: Vec<(u64, u64)> = space
            .received
            .iter()
            .rev()
            .take(MAX_ACK_RANGES)
            .map(|r| (r.start, r.end - 1))
            .collect();
        if ranges.is_empty() {
            return None;
        }
        let delay = (now - at).as_micros() >> ACK_DELAY_EXPONENT;
        Some(AckFrame {
            ranges,
            delay_encoded: delay,
        })
    }
}
