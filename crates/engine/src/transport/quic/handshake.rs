//! The handshake as this model runs it (RFC 9001 §4): the keys each packet number space has
//! for reading and writing (`can_read`, `packet_type`), the CRYPTO flights that move the
//! handshake on (`advance_handshake`: ClientHello, the server's flight, Finished), completion
//! and confirmation (RFC 9001 §4.1.1–4.1.2, with quic-go's MTU search and RFC DPLPMTUD
//! starting there), discarding Initial and Handshake keys (RFC 9001 §4.9, RFC 9002 §6.4
//! OnPacketNumberSpaceDiscarded), and the server's anti-amplification limit (RFC 9000 §8.1).

use super::connection::Connection;
use super::event::{HandshakeStep, QuicEventKind};
use super::mtu::MtuSearch;
use super::packet::{PacketType, SpaceId};
use super::stack::{Stack, QUIC_GO_MAX_PACKET_SIZE};
use super::MAX_UDP_PAYLOAD_SIZE;
use crate::time::SimTime;

#[derive(Debug, Default)]
pub(super) struct Handshake {
    pub(super) zero_rtt_send: bool,
    zero_rtt_recv: bool,
    pub(super) one_rtt_send: bool,
    one_rtt_recv: bool,
    pub(super) complete: Option<SimTime>,
    pub(super) confirmed: Option<SimTime>,
    pub(super) one_rtt_ready: Option<SimTime>,
    pub(super) handshake_done_pending: bool,
}

impl Connection {
    pub(super) fn can_read(&self, ty: PacketType) -> bool {
        let space = &self.spaces[ty.space().index()];
        match ty {
            PacketType::Initial | PacketType::Handshake => space.recv_keys && !space.discarded,
            PacketType::ZeroRtt => self.hs.zero_rtt_recv,
            PacketType::OneRtt => self.hs.one_rtt_recv,
        }
    }

    pub(super) fn advance_handshake(&mut self, now: SimTime) {
        let sizes = self.config.handshake.clone();
        let resumption = self.config.zero_rtt;
        if self.side.is_client() {
            let hk = SpaceId::Handshake.index();
            if !self.spaces[hk].recv_keys
                && !self.spaces[hk].discarded
                && self.spaces[0].crypto_contiguous() >= sizes.server_hello
            {
                self.spaces[hk].recv_keys = true;
                self.spaces[hk].send_keys = true;
                self.emit(
                    now,
                    QuicEventKind::Handshake {
                        step: HandshakeStep::HandshakeKeys,
                    },
                );
            }
            if self.spaces[hk].recv_keys
                && self.hs.complete.is_none()
                && self.spaces[hk].crypto_contiguous() >= sizes.server_handshake_flight(resumption)
            {
                // The server's Finished arrived: send ours, switch to 1-RTT.
                self.spaces[hk].crypto_send.write(sizes.finished, 0);
                self.hs.zero_rtt_send = false;
                self.hs.one_rtt_send = true;
                self.hs.one_rtt_recv = true;
                self.hs.one_rtt_ready = Some(now);
                self.hs.complete = Some(now);
                self.emit(
                    now,
                    QuicEventKind::Handshake {
                        step: HandshakeStep::OneRttReady,
                    },
                );
                self.emit(
                    now,
                    QuicEventKind::Handshake {
                        step: HandshakeStep::Complete,
                    },
                );
            }
        } else {
            let hk = SpaceId::Handshake.index();
            if !self.spaces[hk].send_keys
                && !self.spaces[hk].discarded
                && self.spaces[0].crypto_contiguous() >= sizes.client_hello
            {
                self.spaces[0].crypto_send.write(sizes.server_hello, 0);
                self.spaces[hk]
                    .crypto_send
                    .write(sizes.server_handshake_flight(resumption), 0);
                self.spaces[hk].send_keys = true;
                self.spaces[hk].recv_keys = true;
                self.hs.one_rtt_send = true;
                self.hs.one_rtt_ready = Some(now);
                self.hs.zero_rtt_recv = resumption;
                self.emit(
                    now,
                    QuicEventKind::Handshake {
                        step: HandshakeStep::HandshakeKeys,
                    },
                );
                self.emit(
                    now,
                    QuicEventKind::Handshake {
                        step: HandshakeStep::OneRttReady,
                    },
                );
            }
            if self.spaces[hk].recv_keys
                && self.hs.complete.is_none()
                && self.spaces[hk].crypto_contiguous() >= sizes.finished
            {
                self.hs.complete = Some(now);
                self.hs.one_rtt_recv = true;
                self.hs.handshake_done_pending = true;
                self.emit(
                    now,
                    QuicEventKind::Handshake {
                        step: HandshakeStep::Complete,
                    },
                );
                // RFC 9001 §4.1.2: the server's handshake is confirmed when it completes.
                self.confirm(now);
            }
        }
    }

    pub(super) fn confirm(&mut self, now: SimTime) {
        self.hs.confirmed = Some(now);
        if self.stack == Stack::QuicGo {
            // quic-go `connection.go handleHandshakeConfirmed`: the MTU search starts, up to
            // min(the peer's max_udp_payload_size, MaxPacketBufferSize); its first probe
            // waits 5 smoothed RTTs (`newMTUDiscoverer` sets lastProbeTime to now).
            let peer_max = self
                .peer_stack
                .announced_max_udp_payload()
                .unwrap_or(MAX_UDP_PAYLOAD_SIZE);
            self.mtu = Some(MtuSearch {
                current: self.config.max_udp_payload,
                max: peer_max.min(QUIC_GO_MAX_PACKET_SIZE),
                last_probe: now,
                in_flight: false,
            });
        }
        // RFC 9000 §14.3: DPLPMTUD runs once the handshake is confirmed; its probe is taken
        // to have succeeded at once (see `Config::path_max_udp_payload`). Chromium runs no
        // path MTU discovery by default; quic-go probes ([`MtuSearch`]).
        let pmtu = match self.stack {
            Stack::Rfc => self.config.path_max_udp_payload,
            Stack::QuicGo | Stack::Chromium => None,
        };
        if let Some(pmtu) = pmtu {
            // RFC 9000 §18.2: max_udp_payload_size is at most 65,527.
            let pmtu = pmtu.min(MAX_UDP_PAYLOAD_SIZE);
            if pmtu > self.config.max_udp_payload {
                self.config.max_udp_payload = pmtu;
                // RFC 9002 §7.2: the controller's max_datagram_size follows.
                let min_window = self.config.minimum_window();
                self.cc.on_mtu_update(pmtu, min_window);
            }
        }
        self.peer_validated = true;
        self.emit(
            now,
            QuicEventKind::Handshake {
                step: HandshakeStep::Confirmed,
            },
        );
        // RFC 9001 §4.9.2: discard Handshake keys once the handshake is confirmed.
        self.discard_space(now, SpaceId::Handshake);
    }

    /// RFC 9002 §6.4 / Appendix A.11 OnPacketNumberSpaceDiscarded.
    pub(super) fn discard_space(&mut self, now: SimTime, sid: SpaceId) {
        let space = &mut self.spaces[sid.index()];
        if space.discarded {
            return;
        }
        space.discarded = true;
        space.send_keys = false;
        space.recv_keys = false;
        let in_flight: u64 = space
            .sent
            .values()
            .filter(|p| p.in_flight)
            .map(|p| p.size)
            .sum();
        space.sent.clear();
        space.ack_eliciting_in_flight = 0;
        space.time_of_last_ack_eliciting = None;
        space.loss_time = None;
        space.ack_pending = false;
        space.ack_immediately = false;
        space.ack_deadline = None;
        space.probes = 0;
        self.bytes_in_flight -= in_flight.min(self.bytes_in_flight);
        self.pto_count = 0;
        self.emit(
            now,
            QuicEventKind::Handshake {
                step: HandshakeStep::Discarded(sid),
            },
        );
        self.set_loss_detection_timer(now);
    }

    pub(super) fn amplification_allowance(&self) -> u64 {
        if self.address_validated {
            u64::MAX
        } else {
            // RFC 9000 §8.1: "an endpoint MUST limit the amount of data it sends to the
            // unvalidated address to three times the amount of data received from that
            // address."
            (3 * self.bytes_received).saturating_sub(self.bytes_sent)
        }
    }

    pub(super) fn packet_type(&self, sid: SpaceId) -> Option<PacketType> {
        let space = &self.spaces[sid.index()];
        match sid {
            SpaceId::Initial if space.send_keys => Some(PacketType::Initial),
            SpaceId::Handshake if space.send_keys => Some(PacketType::Handshake),
            SpaceId::Data if self.hs.one_rtt_send => Some(PacketType::OneRtt),
            SpaceId::Data if self.hs.zero_rtt_send => Some(PacketType::ZeroRtt),
            _ => None,
        }
    }
}
