//! Building what goes on the wire: `poll_transmit` coalesces Initial, Handshake and
//! 0-RTT/1-RTT packets into one datagram within the congestion window, the pacer (RFC 9002
//! §7.7, quic-go's `sendPackets`) and the anti-amplification limit, pads it (RFC 9000 §14.1);
//! `build_packet` fills one packet (ACK, HANDSHAKE_DONE, CRYPTO, flow control, STREAM,
//! a probe's PING; RFC 9001 §5.4.2's minimum size).

use super::connection::{Connection, Timer};
use super::event::QuicEventKind;
use super::pacer::Rate;
use super::packet::{
    pn_len, Datagram, Frame, Packet, PacketType, SpaceId, AEAD_TAG, MIN_INITIAL_DATAGRAM,
    MIN_PN_AND_PAYLOAD,
};
use super::recovery::{SentFrame, SentPacket};
use crate::ids::PacketNumber;
use crate::time::SimTime;

impl Connection {
    /// The next datagram to send, if any: coalesced Initial, Handshake and 0-RTT/1-RTT
    /// packets, padded as RFC 9000 §14.1 requires, within the congestion window and the
    /// anti-amplification limit.
    pub fn poll_transmit(&mut self, now: SimTime) -> Option<Datagram> {
        let allowance = self.amplification_allowance();
        let budget = self.config.max_udp_payload.min(allowance);
        let cc_room = if self.stack.may_overshoot_window() {
            self.bytes_in_flight < self.cc.window()
        } else {
            self.bytes_in_flight + self.config.max_udp_payload <= self.cc.window()
        };
        self.timers[Timer::Pacing as usize] = None;
        // RFC 9002 §7.7 / quic-go `connection.go sendPackets`: once the handshake is
        // complete, a packet the window allows waits for the pacer; an ACK that is due, and
        // probes, go at once.
        let paced = cc_room && self.pacing_blocked(now);
        let cc_room = cc_room && !paced;
        if cc_room && !self.spaces.iter().any(|s| s.probes > 0) {
            if let Some(d) = self.maybe_mtu_probe(now) {
                return Some(d);
            }
        }
        // RFC 9002 §6.2.4: a probe is sent whatever the congestion window, and "an endpoint
        // MAY send ack-eliciting packets in other packet number spaces with in-flight data,
        // coalescing packets if possible": a datagram carrying a probe also carries what the
        // other spaces have to (re)send. (Without this, a server whose ServerHello was lost
        // could probe with Handshake packets the client cannot read, forever.)
        let probing = self.spaces.iter().any(|s| s.probes > 0);
        let mut packets: Vec<(Packet, SentPacket)> = Vec::new();
        let mut used = 0;
        for sid in SpaceId::ALL {
            let Some(ty) = self.packet_type(sid) else {
                continue;
            };
            // A server's ack-eliciting Initial must sit in a 1,200-byte datagram.
            let eliciting_ok = !(ty == PacketType::Initial
                && !self.side.is_client()
                && budget < MIN_INITIAL_DATAGRAM);
            if let Some(p) =
                self.build_packet(now, ty, budget - used, cc_room || probing, eliciting_ok)
            {
                // The packet's size, as `build_packet` measured it.
                used += p.1.size;
                packets.push(p);
            }
        }
        if packets.is_empty() {
            if !self.address_validated && self.streams_or_crypto_pending() {
                if !self.amplification_reported {
                    self.amplification_reported = true;
                    self.emit(
                        now,
                        QuicEventKind::AmplificationBlocked {
                            sent: self.bytes_sent,
                            received: self.bytes_received,
                        },
                    );
                }
            } else if paced {
                let control = self.hs.handshake_done_pending
                    || self.max_data_pending
                    || !self.max_stream_data_pending.is_empty();
                if self.streams_or_crypto_pending() || control {
                    let rate = self.pacing_rate();
                    let at = self
                        .pacer
                        .as_ref()
                        .and_then(|p| p.next_send_time(rate))
                        .unwrap_or(now + super::pacer::MIN_PACING_DELAY);
                    self.timers[Timer::Pacing as usize] = Some(at.max(now));
                }
            } else {
                // RFC 9002 §7.8: room in the window and nothing to send: application
                // limited; no room: congestion limited.
                self.app_limited = cc_room;
            }
            return None;
        }
        self.amplification_reported = false;
        if !cc_room {
            self.app_limited = false;
        }
        // RFC 9000 §14.1: pad datagrams carrying Initial packets (a server's only when
        // ack-eliciting) to 1,200 bytes, with PADDING frames in the last packet; quic-go and
        // Chromium pad them to their full packet size ([`Stack::pads_initial_to_full_size`]).
        let needs_pad = packets.iter().any(|(p, s)| {
            p.ty == PacketType::Initial && (self.side.is_client() || s.ack_eliciting)
        });
        let pad_to = if self.stack.pads_initial_to_full_size() {
            budget.max(MIN_INITIAL_DATAGRAM)
        } else {
            MIN_INITIAL_DATAGRAM
        };
        if needs_pad && used < pad_to {
            let pad = pad_to - used;
            if let Some((p, s)) = packets.last_mut() {
                p.frames.push(Frame::Padding { len: pad });
                s.size += pad;
                s.in_flight = true;
            }
        }
        let mut datagram = Datagram {
            packets: Vec::with_capacity(packets.len()),
        };
        let mut sent_handshake = false;
        let rate = self.pacing_rate();
        if let Some(pacer) = &mut self.pacer {
            // quic-go `cubicSender.OnPacketSent` → `pacer.SentPacket`, for every packet.
            pacer.on_sent(now, packets.iter().map(|(_, s)| s.size).sum(), rate);
        }
        for (p, s) in packets {
            let sid = p.ty.space();
            sent_handshake |= p.ty == PacketType::Handshake;
            self.bytes_sent += s.size;
            self.on_packet_sent(now, sid, &p, s);
            datagram.packets.push(p);
        }
        if sent_handshake && self.side.is_client() {
            // RFC 9001 §4.9.1: a client discards Initial keys when it first sends a
            // Handshake packet.
            self.discard_space(now, SpaceId::Initial);
        }
        self.update_ack_timer();
        self.set_loss_detection_timer(now);
        Some(datagram)
    }

    /// What quic-go's pacer reads: the window and the smoothed RTT (none before a sample).
    pub(super) fn pacing_rate(&self) -> Rate {
        Rate {
            cwnd: self.cc.window(),
            srtt: self.rtt.first_sample().map(|_| self.rtt.smoothed()),
        }
    }

    /// quic-go `connection.go sendPackets`: pacing applies once the handshake is complete
    /// (`s.handshakeComplete && !HasPacingBudget()`).
    fn pacing_blocked(&self, now: SimTime) -> bool {
        let Some(pacer) = &self.pacer else {
            return false;
        };
        self.hs.complete.is_some() && !pacer.can_send(now, self.pacing_rate())
    }

    fn streams_or_crypto_pending(&self) -> bool {
        self.spaces.iter().any(|s| {
            s.send_keys && (s.crypto_send.has_retransmit() || s.crypto_send.has_new(u64::MAX))
        }) || (self.can_send_stream_data() && self.streams_have_data())
    }

    /// Builds one packet of type `ty` of at most `room` bytes, or nothing if there is
    /// nothing worth sending in it.
    fn build_packet(
        &mut self,
        now: SimTime,
        ty: PacketType,
        room: u64,
        cc_room: bool,
        eliciting_ok: bool,
    ) -> Option<(Packet, SentPacket)> {
        let sid = ty.space();
        let si = sid.index();
        let pn = self.spaces[si].next_pn;
        let pnl = pn_len(pn, self.spaces[si].largest_acked);
        let header = ty.header_len(pnl);
        if room < header + AEAD_TAG + MIN_PN_AND_PAYLOAD {
            return None;
        }
        let mut left = room - header - AEAD_TAG;
        // An ACK, a few STREAM frames, perhaps PADDING: room for the usual packet at once.
        let mut frames: Vec<Frame> = Vec::with_capacity(4);
        let mut sent = Vec::new();
        let mut acked_up_to = None;
        let mut retransmitted: Vec<QuicEventKind> = Vec::new();
        let probe = self.spaces[si].probes > 0;
        // ACK first (0-RTT packets cannot carry one: RFC 9000 §12.4).
        let must_ack = self.spaces[si].ack_immediately;
        if ty != PacketType::ZeroRtt && self.spaces[si].ack_pending {
            if let Some(a) = self.ack_frame(sid, now) {
                if a.wire_len() <= left {
                    left -= a.wire_len();
                    acked_up_to = Some(a.largest());
                    frames.push(Frame::Ack(a));
                }
            }
        }
        let may_elicit = eliciting_ok && (cc_room || probe);
        if may_elicit {
            // HANDSHAKE_DONE (RFC 9000 §19.20), server, 1-RTT only.
            if ty == PacketType::OneRtt && self.hs.handshake_done_pending && left >= 1 {
                self.hs.handshake_done_pending = false;
                left -= 1;
                frames.push(Frame::HandshakeDone);
                sent.push(SentFrame::HandshakeDone);
            }
            // CRYPTO (not in 0-RTT or 1-RTT packets here: no post-handshake messages).
            if matches!(ty, PacketType::Initial | PacketType::Handshake) {
                loop {
                    let buf = &mut self.spaces[si].crypto_send;
                    let off = buf.retransmit.first().map_or(buf.next, |r| r.start);
                    let overhead = 1 + super::packet::varint_len(off) + 2;
                    if left <= overhead {
                        break;
                    }
                    let Some(c) = buf.next_frame(left - overhead, u64::MAX) else {
                        break;
                    };
                    if c.len == 0 {
                        break;
                    }
                    if c.retransmit_of.is_some() {
                        retransmitted.push(QuicEventKind::DataRetransmitted {
                            space: sid,
                            stream: None,
                            offset: c.offset,
                            len: c.len,
                            first_sent_in: c.retransmit_of,
                            pn: PacketNumber(pn),
                        });
                    } else {
                        buf.record_origin(c.offset, PacketNumber(pn));
                    }
                    let f = Frame::Crypto {
                        offset: c.offset,
                        len: c.len,
                    };
                    left -= f.wire_len().min(left);
                    frames.push(f);
                    sent.push(SentFrame::Crypto {
                        offset: c.offset,
                        len: c.len,
                    });
                }
            }
            if sid == SpaceId::Data {
                self.flow_control_frames(ty, &mut left, &mut frames, &mut sent);
                self.stream_frames(pn, &mut left, &mut frames, &mut sent, &mut retransmitted);
            }
        }
        let mut ack_eliciting = frames.iter().any(Frame::is_ack_eliciting);
        if !ack_eliciting && probe && may_elicit && left >= 1 {
            // RFC 9002 §6.2.4: nothing else to send, so a PING.
            frames.push(Frame::Ping);
            ack_eliciting = true;
        }
        // An ACK alone waits for its time (the frame built has no side effects until sent).
        if (!ack_eliciting && !must_ack) || frames.is_empty() {
            return None;
        }
        // RFC 9001 §5.4.2: at least 4 bytes of packet number and payload.
        let mut payload: u64 = frames.iter().map(Frame::wire_len).sum();
        if pnl + payload < MIN_PN_AND_PAYLOAD {
            let len = MIN_PN_AND_PAYLOAD - pnl - payload;
            frames.push(Frame::Padding { len });
            payload += len;
        }
        if ack_eliciting && probe {
            self.spaces[si].probes -= 1;
        }
        self.spaces[si].next_pn += 1;
        for e in retransmitted {
            self.emit(now, e);
        }
        let in_flight = ack_eliciting || frames.iter().any(|f| matches!(f, Frame::Padding { .. }));
        let packet = Packet {
            ty,
            pn: PacketNumber(pn),
            pn_len: pnl,
            frames,
        };
        let size = ty.header_len(pnl) + payload + AEAD_TAG;
        debug_assert_eq!(size, packet.wire_len());
        let sp = SentPacket {
            time: now,
            size,
            ack_eliciting,
            in_flight,
            probe: probe && ack_eliciting,
            frames: sent,
            acked_up_to,
            mtu_probe: None,
        };
        Some((packet, sp))
    }
}
