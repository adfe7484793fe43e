//! Whose bytes each packet carried ([`crate::trace::Carried`]): the connection track draws
//! it, so it must account for every response, stay on the asset's connection, show
//! HTTP/1.1's one-response-at-a-time and HTTP/2's interleaving, and name what a lost QUIC
//! packet carried.

use super::*;
use crate::link::LossModel;
use crate::page::PresetId;
use crate::trace::Carried;

/// Each packet of `dir` of a lane: (conn, first transmission, dropped, carried).
fn packets(l: &Lane, want: Direction) -> Vec<(ConnId, bool, bool, u64, &[Carried])> {
    l.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::PacketSent {
                dir,
                conn,
                seq,
                retransmission,
                dropped,
                carried,
                ..
            } if *dir == want => Some((
                *conn,
                !retransmission,
                dropped.is_some(),
                *seq,
                carried.as_slice(),
            )),
            _ => None,
        })
        .collect()
}

/// Every response crossed the network in the packets that say they carried it, on its own
/// connection; every request went up in packets that say so.
#[test]
fn every_response_is_carried_on_its_connection() {
    let s = Scenario::preset(PresetId::Blog);
    for p in [
        Protocol::Http1,
        Protocol::Http2,
        Protocol::Http2Push,
        Protocol::Http3,
    ] {
        let l = run(&s, p);
        let mut down = vec![0u64; l.assets.len()];
        let mut up = vec![0u64; l.assets.len()];
        for (sums, dir) in [(&mut down, Direction::Down), (&mut up, Direction::Up)] {
            for (conn, first, _, _, carried) in packets(&l, dir) {
                for c in carried {
                    let a = &l.assets[c.asset.0 as usize];
                    assert_eq!(conn, a.connection, "{p}: {} off its connection", a.path);
                    if first {
                        sums[c.asset.0 as usize] += c.bytes;
                    }
                }
            }
        }
        for a in &l.assets {
            let i = a.asset.0 as usize;
            assert!(
                down[i] >= a.size + a.response_header_bytes,
                "{p}: {} carried {} bytes down, its body and head are {}",
                a.path,
                down[i],
                a.size + a.response_header_bytes
            );
            if a.source == Source::Request {
                assert!(
                    up[i] >= a.request_header_bytes,
                    "{p}: {} request {} of {}",
                    a.path,
                    up[i],
                    a.request_header_bytes
                );
            }
        }
    }
}

/// The distinct assets of each connection's first transmissions, in the order their runs
/// start (an asset appears again when another interleaved with it).
fn runs(l: &Lane, conn: ConnId) -> Vec<AssetId> {
    let mut out: Vec<AssetId> = Vec::new();
    for (c, first, _, _, carried) in packets(l, Direction::Down) {
        if c != conn || !first {
            continue;
        }
        for x in carried {
            if out.last() != Some(&x.asset) {
                out.push(x.asset);
            }
        }
    }
    out
}

/// HTTP/1.1 without pipelining: a connection carries one response after another, so no
/// asset comes back once the next has started. HTTP/2 on `tiles` interleaves the tiles'
/// DATA frames (Chrome marks images incremental; RFC 9218 §4 shares the connection among
/// them): some tile's bytes resume after another tile's.
#[test]
fn h1_carries_one_response_at_a_time_and_h2_interleaves() {
    let s = Scenario::preset(PresetId::Tiles);
    let h1 = run(&s, Protocol::Http1);
    for c in &h1.connections {
        let r = runs(&h1, c.id);
        let mut seen = std::collections::BTreeSet::new();
        for a in &r {
            assert!(seen.insert(*a), "h1 #{}: {a:?} again in {r:?}", c.id.0);
        }
    }
    assert_eq!(h1.connections.len(), 6);
    let h2 = run(&s, Protocol::Http2);
    let r = runs(&h2, CONN);
    let mut seen = std::collections::BTreeSet::new();
    let resumed = r.iter().filter(|a| !seen.insert(**a)).count();
    assert!(
        resumed > 10,
        "h2 interleaves tiles: {resumed} resumed in {r:?}"
    );
}

/// HTTP/3 under loss: each stall of a QUIC stream names the lost packet; that dropped
/// datagram says it carried the stalled asset's bytes.
#[test]
fn a_lost_quic_packet_carried_the_asset_it_stalled() {
    let mut s = Scenario::preset(PresetId::Blog);
    s.network.loss = LossModel::Random { ppm: 20_000 };
    s.network.seed = 3;
    let l = run(&s, Protocol::Http3);
    let down = packets(&l, Direction::Down);
    let mut checked = 0;
    for a in &l.assets {
        for b in &a.blocked {
            let BlockedCause::QuicStreamHeadOfLine { packet, .. } = b.cause else {
                continue;
            };
            let lost = down
                .iter()
                .find(|p| p.3 == packet && p.2)
                .unwrap_or_else(|| panic!("no dropped datagram starts with packet {packet}"));
            assert!(
                lost.4.iter().any(|c| c.asset == a.asset),
                "packet {packet} stalled {} but carried {:?}",
                a.path,
                lost.4
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the seed loses a packet that stalls a stream");
}

/// A packet crosses the bottleneck after it reached it and before it arrives: its last bit
/// leaves at least one serialisation time after it was sent, and one-way delay before it
/// arrives; a lost packet says when it left, one the full queue dropped did not cross.
#[test]
fn each_packet_says_when_it_crossed_the_bottleneck() {
    let mut s = Scenario::preset(PresetId::Blog);
    s.network.loss = LossModel::Random { ppm: 20_000 };
    let link = s.network.link_config();
    for p in [Protocol::Http1, Protocol::Http3] {
        let l = run(&s, p);
        let (mut n, mut lost) = (0, 0);
        for e in &l.events {
            let EventKind::PacketSent {
                dir,
                bytes,
                arrives,
                dropped,
                serialised,
                ..
            } = &e.kind
            else {
                continue;
            };
            let bps = match dir {
                Direction::Down => s.network.downlink_bps,
                Direction::Up => s.network.uplink_bps,
            };
            let ser = SimDuration::serialisation(*bytes, bps);
            assert_eq!(serialised.is_some(), arrives.is_none(), "{p}");
            match (e.kind.crossed(&link), dropped) {
                (None, Some(crate::link::DropReason::QueueOverflow)) => {}
                (Some((from, to)), _) => {
                    assert_eq!(to.saturating_since(from), ser, "{p}");
                    assert!(from >= e.at, "{p}: crossed before it was sent");
                    if let Some(a) = arrives {
                        assert_eq!(*a, to + link.one_way(*dir), "{p}");
                    } else {
                        lost += 1;
                    }
                }
                (None, _) => panic!("{p}: a packet that never crossed"),
            }
            n += 1;
        }
        assert!(n > 100 && lost > 0, "{p}: {n} packets, {lost} lost");
    }
}

/// Every HTTP/2 connection-control frame carries its payload's bytes, which the engine's
/// frame decoder reads back as the same frame (type, flags, stream, length); DATA and
/// header-carrying frames leave it empty (their block is in `header_blocks`).
#[test]
fn control_frames_carry_their_payload() {
    use crate::wire::frame::{FrameDecoder, FrameHeader, FrameType, DEFAULT_MAX_FRAME_SIZE};
    use crate::wire::Decoded;
    let s = Scenario::preset(PresetId::Blog);
    let l = run(&s, Protocol::Http2);
    let mut seen = std::collections::BTreeSet::new();
    for e in &l.events {
        let EventKind::Frame {
            stream,
            frame,
            length,
            flags,
            payload,
            ..
        } = &e.kind
        else {
            continue;
        };
        let t = FrameType::from_name(frame).unwrap();
        if matches!(
            t,
            FrameType::Data | FrameType::Headers | FrameType::PushPromise | FrameType::Continuation
        ) {
            assert!(payload.is_empty(), "{frame}");
            continue;
        }
        let bytes: Vec<u8> = (0..payload.len() / 2)
            .map(|i| u8::from_str_radix(&payload[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(bytes.len() as u64, *length, "{frame}");
        let mut wire = Vec::new();
        FrameHeader {
            length: *length as u32,
            frame_type: t,
            flags: *flags,
            stream_id: stream.0 as u32,
        }
        .write(&mut wire);
        wire.extend_from_slice(&bytes);
        let Ok(Decoded::Complete { item, len }) =
            FrameDecoder::new(DEFAULT_MAX_FRAME_SIZE).decode(&wire)
        else {
            panic!("{frame} {payload} does not decode");
        };
        assert_eq!(
            (item.frame_type(), item.flags(), len),
            (t, *flags, wire.len())
        );
        seen.insert(frame.clone());
    }
    for f in ["SETTINGS", "WINDOW_UPDATE"] {
        assert!(seen.contains(f), "{f} in {seen:?}");
    }
}
