//! quic-go's path MTU discovery (`mtu_discoverer.go`): the binary search (`mtuFinder`) and
//! the probe packet it sends (`packet_packer.go PackMTUProbePacket`). What the probe's
//! acknowledgement or loss changes is in `ack.rs` and `recovery.rs`; the search starts at
//! confirmation (`handshake.rs`).

use super::connection::Connection;
use super::packet::{pn_len, Datagram, Frame, Packet, PacketType, SpaceId, AEAD_TAG};
use super::recovery::SentPacket;
use super::stack::{QUIC_GO_MAX_MTU_DIFF, QUIC_GO_MTU_PROBE_DELAY_RTTS};
use crate::ids::PacketNumber;
use crate::time::{SimDuration, SimTime};

/// quic-go's path MTU search (`mtu_discoverer.go mtuFinder`): binary search between the
/// size known to work and the largest allowed, one probe in flight at a time, one every
/// [`QUIC_GO_MTU_PROBE_DELAY_RTTS`] smoothed RTTs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct MtuSearch {
    pub(super) current: u64,
    pub(super) max: u64,
    pub(super) last_probe: SimTime,
    pub(super) in_flight: bool,
}

impl MtuSearch {
    /// `mtuFinder.done`.
    fn done(&self) -> bool {
        self.max.saturating_sub(self.current) <= QUIC_GO_MAX_MTU_DIFF + 1
    }

    /// `mtuFinder.ShouldSendProbe`.
    fn should_probe(&self, now: SimTime, srtt: SimDuration) -> bool {
        !self.in_flight
            && !self.done()
            && now >= self.last_probe + srtt * QUIC_GO_MTU_PROBE_DELAY_RTTS
    }

    /// `mtuFinder.GetPing`: the size of the next probe.
    fn probe_size(&self) -> u64 {
        (self.max + self.current) / 2
    }
}

impl Connection {
    /// quic-go `connection.go sendPacket`: once the handshake is confirmed, a due path MTU
    /// probe goes before anything else the window allows, in a datagram of its own
    /// (`packet_packer.go PackMTUProbePacket`: a PING padded to the probe size).
    pub(super) fn maybe_mtu_probe(&mut self, now: SimTime) -> Option<Datagram> {
        let srtt = self.rtt.smoothed();
        let m = self.mtu.as_mut()?;
        if !m.should_probe(now, srtt) || !self.hs.one_rtt_send {
            return None;
        }
        let size = m.probe_size();
        m.last_probe = now;
        m.in_flight = true;
        let si = SpaceId::Data.index();
        let pn = self.spaces[si].next_pn;
        let pnl = pn_len(pn, self.spaces[si].largest_acked);
        let header = PacketType::OneRtt.header_len(pnl);
        let payload = size.checked_sub(header + AEAD_TAG)?;
        self.spaces[si].next_pn += 1;
        let packet = Packet {
            ty: PacketType::OneRtt,
            pn: PacketNumber(pn),
            pn_len: pnl,
            frames: vec![
                Frame::Ping,
                Frame::Padding {
                    len: payload.saturating_sub(1),
                },
            ],
        };
        let sp = SentPacket {
            time: now,
            size: packet.wire_len(),
            ack_eliciting: true,
            in_flight: true,
            probe: false,
            frames: Vec::new(),
            acked_up_to: None,
            mtu_probe: Some(size),
        };
        let rate = self.pacing_rate();
        if let Some(pacer) = &mut self.pacer {
            pacer.on_sent(now, sp.size, rate);
        }
        self.bytes_sent += sp.size;
        self.on_packet_sent(now, SpaceId::Data, &packet, sp);
        self.set_loss_detection_timer(now);
        Some(Datagram {
            packets: vec![packet],
        })
    }
}
