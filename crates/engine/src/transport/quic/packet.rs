//! QUIC packets and frames as typed representations with exact wire sizes, in smoltcp's
//! `Repr` style: the simulation never materialises the bytes, but every header field, frame
//! field and integer is sized exactly as RFC 9000 encodes it.
//!
//! Two fields of [`StreamFrame`] are simulation metadata that occupy no bytes on the wire:
//! the application tags of the bytes carried (standing in for the bytes themselves) and the
//! packet number in which the bytes were first sent (so that a receiver can name the packet
//! whose loss held it up).

use serde::{Deserialize, Serialize};

use crate::ids::{PacketNumber, StreamId};

/// RFC 9000 §16: the largest value a variable-length integer can hold, 2^62 - 1.
pub const VARINT_MAX: u64 = (1 << 62) - 1;

/// RFC 9001 §5.3: AEAD_AES_128_GCM (and every TLS 1.3 QUIC cipher suite) adds a 16-byte tag.
pub const AEAD_TAG: u64 = 16;

/// RFC 768 (UDP header, 8 bytes) + RFC 791 §3.1 (IPv4 header without options, 20 bytes).
pub const UDP_IP_OVERHEAD: u64 = 8 + 20;

/// RFC 9000 §14.1: "A client MUST expand the payload of all UDP datagrams carrying Initial
/// packets to at least the smallest allowed maximum datagram size of 1200 bytes"; a server
/// must do the same for datagrams carrying ack-eliciting Initial packets.
pub const MIN_INITIAL_DATAGRAM: u64 = 1_200;

/// RFC 9000 §17.2: connection ID length used by both endpoints in this model (8 bytes, what
/// most implementations choose; at most 20 are allowed).
pub const CID_LEN: u64 = 8;

/// RFC 9001 §5.4.2: header protection samples 16 bytes starting 4 bytes after the start of
/// the Packet Number field, so packet number plus payload (before the tag) must be at least
/// 4 bytes; senders add PADDING to reach it.
pub const MIN_PN_AND_PAYLOAD: u64 = 4;

/// RFC 9000 §16: the number of bytes a variable-length integer takes (1, 2, 4 or 8). Values
/// above [`VARINT_MAX`] cannot be encoded; they are sized as 8 bytes and never produced here.
pub const fn varint_len(v: u64) -> u64 {
    if v < (1 << 6) {
        1
    } else if v < (1 << 14) {
        2
    } else if v < (1 << 30) {
        4
    } else {
        8
    }
}

/// RFC 9000 §12.3: the three packet number spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceId {
    Initial,
    Handshake,
    /// 0-RTT and 1-RTT packets share this space.
    Data,
}

impl SpaceId {
    pub const ALL: [SpaceId; 3] = [SpaceId::Initial, SpaceId::Handshake, SpaceId::Data];

    pub const fn index(self) -> usize {
        match self {
            SpaceId::Initial => 0,
            SpaceId::Handshake => 1,
            SpaceId::Data => 2,
        }
    }
}

/// RFC 9000 §17.2 (long header types) and §17.3 (the 1-RTT short header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketType {
    Initial,
    ZeroRtt,
    Handshake,
    OneRtt,
}

impl PacketType {
    pub const fn space(self) -> SpaceId {
        match self {
            PacketType::Initial => SpaceId::Initial,
            PacketType::Handshake => SpaceId::Handshake,
            PacketType::ZeroRtt | PacketType::OneRtt => SpaceId::Data,
        }
    }

    /// Header bytes before the payload for a packet number of `pn_len` bytes.
    ///
    /// Long header (RFC 9000 §17.2): first byte 1, Version 4, DCID length 1 + DCID,
    /// SCID length 1 + SCID, for Initial packets a Token Length varint and the token (§17.2.2;
    /// empty here: no Retry, no NEW_TOKEN), Length as a 2-byte varint (enough for any
    /// datagram up to 16,383 bytes; quinn-proto does the same), then the packet number.
    /// Short header (§17.3.1): first byte 1, DCID, packet number.
    pub const fn header_len(self, pn_len: u64) -> u64 {
        match self {
            PacketType::Initial => 1 + 4 + 1 + CID_LEN + 1 + CID_LEN + 1 + 2 + pn_len,
            PacketType::ZeroRtt | PacketType::Handshake => {
                1 + 4 + 1 + CID_LEN + 1 + CID_LEN + 2 + pn_len
            }
            PacketType::OneRtt => 1 + CID_LEN + pn_len,
        }
    }
}

/// RFC 9000 §17.1 and Appendix A.2: the packet number is truncated to the fewest bytes that
/// represent more than twice the range between it and the largest acknowledged packet.
pub fn pn_len(pn: u64, largest_acked: Option<u64>) -> u64 {
    let num_unacked = match largest_acked {
        Some(la) => pn.saturating_sub(la),
        None => pn.saturating_add(1),
    };
    // bits needed for 2 * num_unacked, plus one.
    let range = u128::from(num_unacked) * 2;
    let bits = 128 - range.leading_zeros() as u64;
    bits.div_ceil(8).clamp(1, 4)
}

/// One STREAM frame (RFC 9000 §19.8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamFrame {
    pub id: StreamId,
    pub offset: u64,
    pub len: u64,
    pub fin: bool,
    /// Simulation metadata (no wire bytes): where each application tag begins within this
    /// frame, as (stream offset, tag); the first entry is at `offset`.
    pub tags: Vec<(u64, u64)>,
    /// Simulation metadata (no wire bytes): the packet that first carried these bytes, when
    /// this frame is a retransmission.
    pub first_sent_in: Option<PacketNumber>,
}

impl StreamFrame {
    /// Type byte, Stream ID, Offset (omitted at offset 0, OFF bit), Length (always present:
    /// LEN bit), then the data.
    pub fn wire_len(&self) -> u64 {
        Self::overhead(self.id, self.offset, self.len) + self.len
    }

    /// Bytes of a STREAM frame other than its data.
    pub const fn overhead(id: StreamId, offset: u64, len: u64) -> u64 {
        1 + varint_len(id.0) + if offset > 0 { varint_len(offset) } else { 0 } + varint_len(len)
    }
}

/// One ACK frame (RFC 9000 §19.3), without ECN counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckFrame {
    /// Acknowledged packet number ranges, inclusive, highest first, disjoint and not
    /// adjacent (`ranges[0].1` is the Largest Acknowledged).
    pub ranges: Vec<(u64, u64)>,
    /// The ACK Delay field as encoded: microseconds shifted right by the ack delay exponent.
    pub delay_encoded: u64,
}

impl AckFrame {
    pub fn largest(&self) -> u64 {
        self.ranges.first().map_or(0, |r| r.1)
    }

    /// Type, Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range, then a
    /// (Gap, ACK Range Length) pair per further range (RFC 9000 §19.3.1).
    pub fn wire_len(&self) -> u64 {
        let Some(&(first_lo, first_hi)) = self.ranges.first() else {
            return 0;
        };
        let mut len = 1
            + varint_len(first_hi)
            + varint_len(self.delay_encoded)
            + varint_len(self.ranges.len() as u64 - 1)
            + varint_len(first_hi - first_lo);
        let mut prev_lo = first_lo;
        for &(lo, hi) in &self.ranges[1..] {
            // Gap: packets between this range and the previous one, minus one.
            let gap = prev_lo.saturating_sub(hi).saturating_sub(2);
            len += varint_len(gap) + varint_len(hi - lo);
            prev_lo = lo;
        }
        len
    }

    pub fn contains(&self, pn: u64) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= pn && pn <= hi)
    }
}

/// The frames this model uses (RFC 9000 §19).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum Frame {
    /// §19.1: `len` PADDING frames of one byte each.
    Padding { len: u64 },
    /// §19.2.
    Ping,
    /// §19.3.
    Ack(AckFrame),
    /// §19.6: TLS handshake bytes.
    Crypto { offset: u64, len: u64 },
    /// §19.8.
    Stream(StreamFrame),
    /// §19.9.
    MaxData { max: u64 },
    /// §19.10.
    MaxStreamData { id: StreamId, max: u64 },
    /// §19.20.
    HandshakeDone,
}

impl Frame {
    pub fn wire_len(&self) -> u64 {
        match self {
            Frame::Padding { len } => *len,
            Frame::Ping | Frame::HandshakeDone => 1,
            Frame::Ack(a) => a.wire_len(),
            Frame::Crypto { offset, len } => 1 + varint_len(*offset) + varint_len(*len) + len,
            Frame::Stream(s) => s.wire_len(),
            Frame::MaxData { max } => 1 + varint_len(*max),
            Frame::MaxStreamData { id, max } => 1 + varint_len(id.0) + varint_len(*max),
        }
    }

    /// RFC 9002 §2: every frame other than ACK, PADDING and CONNECTION_CLOSE elicits an ACK.
    pub fn is_ack_eliciting(&self) -> bool {
        !matches!(self, Frame::Padding { .. } | Frame::Ack(_))
    }
}

/// One QUIC packet: header type, packet number and frames.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    pub ty: PacketType,
    pub pn: PacketNumber,
    /// Bytes of the truncated packet number on the wire (1 to 4).
    pub pn_len: u64,
    pub frames: Vec<Frame>,
}

impl Packet {
    pub fn payload_len(&self) -> u64 {
        self.frames.iter().map(Frame::wire_len).sum()
    }

    /// Header, frames and the AEAD tag.
    pub fn wire_len(&self) -> u64 {
        self.ty.header_len(self.pn_len) + self.payload_len() + AEAD_TAG
    }

    pub fn is_ack_eliciting(&self) -> bool {
        self.frames.iter().any(Frame::is_ack_eliciting)
    }
}

/// One UDP datagram: one or more coalesced packets (RFC 9000 §12.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datagram {
    pub packets: Vec<Packet>,
}

impl Datagram {
    /// UDP payload bytes.
    pub fn payload_len(&self) -> u64 {
        self.packets.iter().map(Packet::wire_len).sum()
    }

    /// Bytes on the wire at the IP layer: UDP payload plus UDP and IPv4 headers.
    pub fn wire_len(&self) -> u64 {
        self.payload_len() + UDP_IP_OVERHEAD
    }
}

impl crate::sim::Wire for Datagram {
    fn wire_len(&self) -> u64 {
        Datagram::wire_len(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_boundaries() {
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(63), 1);
        assert_eq!(varint_len(64), 2);
        assert_eq!(varint_len(16_383), 2);
        assert_eq!(varint_len(16_384), 4);
        assert_eq!(varint_len(1_073_741_823), 4);
        assert_eq!(varint_len(1_073_741_824), 8);
    }

    #[test]
    fn header_sizes() {
        // Initial: 1 + 4 + 1 + 8 + 1 + 8 + 1 (token length 0) + 2 (Length) + pn.
        assert_eq!(PacketType::Initial.header_len(1), 27);
        assert_eq!(PacketType::Handshake.header_len(2), 27);
        assert_eq!(PacketType::ZeroRtt.header_len(1), 26);
        // Short: 1 + 8 + pn.
        assert_eq!(PacketType::OneRtt.header_len(4), 13);
    }

    #[test]
    fn packet_number_length_follows_appendix_a2() {
        // RFC 9000 A.2 example: largest acked 0xabe8b3, sending 0xac5c02: 29,519 unacked,
        // 16 bits are needed, so 2 bytes.
        assert_eq!(pn_len(0xac5c02, Some(0xabe8b3)), 2);
        // Sending 0xace8fe with the same largest acked needs 3 bytes.
        assert_eq!(pn_len(0xace8fe, Some(0xabe8b3)), 3);
        assert_eq!(pn_len(0, None), 1);
        assert_eq!(pn_len(127, None), 2);
        assert_eq!(pn_len(126, None), 1);
        assert_eq!(pn_len(u64::MAX, None), 4);
    }

    #[test]
    fn frame_sizes() {
        let s = StreamFrame {
            id: StreamId(4),
            offset: 0,
            len: 100,
            fin: true,
            tags: vec![(0, 7)],
            first_sent_in: None,
        };
        // type 1 + id 1 + (no offset) + length 2 + 100 data.
        assert_eq!(s.wire_len(), 104);
        let s2 = StreamFrame {
            offset: 70_000,
            ..s
        };
        assert_eq!(s2.wire_len(), 1 + 1 + 4 + 2 + 100);
        assert_eq!(
            Frame::Crypto {
                offset: 0,
                len: 1000
            }
            .wire_len(),
            1 + 1 + 2 + 1000
        );
        // ACK of 0..=9 and 12..=100, delay 3125: type 1, largest 2 (100), delay 2 (3125),
        // count 1, first range 2 (88), gap 1 (12 - 9 - 2 = 1), length 1 (9).
        let a = AckFrame {
            ranges: vec![(12, 100), (0, 9)],
            delay_encoded: 3125,
        };
        assert_eq!(a.wire_len(), 1 + 2 + 2 + 1 + 2 + 1 + 1);
        assert!(a.contains(5) && a.contains(100) && !a.contains(10) && !a.contains(11));
        assert!(!Frame::Ack(a).is_ack_eliciting());
        assert!(Frame::Ping.is_ack_eliciting());
        assert!(!Frame::Padding { len: 3 }.is_ack_eliciting());
    }

    #[test]
    fn packet_and_datagram_sizes() {
        let p = Packet {
            ty: PacketType::OneRtt,
            pn: PacketNumber(3),
            pn_len: 1,
            frames: vec![Frame::Ping, Frame::Padding { len: 2 }],
        };
        assert_eq!(p.wire_len(), 10 + 3 + AEAD_TAG);
        let d = Datagram {
            packets: vec![p.clone(), p],
        };
        assert_eq!(d.payload_len(), 58);
        assert_eq!(d.wire_len(), 58 + 28);
    }
}
