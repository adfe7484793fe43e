//! End-to-end tests of a client/server pair over the harness.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::testing::{run, Outcome, Pipe, Request};
use super::*;
use crate::ids::{PacketNumber, StreamId};
use crate::time::{SimDuration, SimTime};

const ONE_WAY: SimDuration = SimDuration::from_millis(50);
const BPS: u64 = 10_000_000;
const LIMIT: SimTime = SimTime::from_micros(600_000_000);
/// "Eventually": near 50 % loss each way, PTO backoff (doubling per consecutive timeout)
/// can stretch a handshake over many minutes of simulated time; idle time costs nothing.
const EVENTUALLY: SimTime = SimTime::from_micros(1_000_000_000_000);

/// Handshake messages small enough that each flight fits one datagram, so that every size
/// below can be computed by hand.
fn small_config() -> Config {
    Config {
        handshake: HandshakeSizes {
            client_hello: 1_000,
            server_hello: 90,
            encrypted_extensions: 100,
            certificate_chain: 800,
            certificate_verify: 80,
            finished: 36,
        },
        ..Config::default()
    }
}

fn pipes() -> (Pipe, Pipe) {
    (Pipe::new(ONE_WAY, BPS), Pipe::new(ONE_WAY, BPS))
}

fn req(request_bytes: u64, response_bytes: u64) -> Request {
    Request {
        at: SimTime::ZERO,
        request_bytes,
        response_bytes,
        priority: None,
    }
}

/// (time, offset, len, fin) of every delivery on `stream`.
fn deliveries(events: &[QuicEvent], stream: StreamId) -> Vec<(SimTime, u64, u64, bool)> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            QuicEventKind::StreamDelivered {
                stream: s,
                offset,
                len,
                fin,
                ..
            } if s == stream => Some((e.at, offset, len, fin)),
            _ => None,
        })
        .collect()
}

fn lost(events: &[QuicEvent]) -> Vec<(SimTime, PacketNumber, LossReason)> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            QuicEventKind::PacketLost { pn, reason, .. } => Some((e.at, pn, reason)),
            _ => None,
        })
        .collect()
}

/// Ordinals of the server's datagrams that carry STREAM data, with the streams they carry.
fn stream_datagrams(o: &Outcome) -> Vec<(u64, BTreeSet<StreamId>)> {
    o.crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .filter_map(|c| {
            let ids: BTreeSet<StreamId> = c
                .datagram
                .packets
                .iter()
                .flat_map(|p| p.frames.iter())
                .filter_map(|f| match f {
                    Frame::Stream(s) => Some(s.id),
                    _ => None,
                })
                .collect();
            (!ids.is_empty()).then_some((c.ordinal, ids))
        })
        .collect()
}

fn server_pn_of(o: &Outcome, ordinal: u64) -> PacketNumber {
    let c = o
        .crossings
        .iter()
        .find(|c| c.from == Side::Server && c.ordinal == ordinal)
        .expect("crossing");
    c.datagram.packets.last().expect("packet").pn
}

fn sent_at(events: &[QuicEvent], pn: PacketNumber) -> SimTime {
    events
        .iter()
        .find_map(|e| match e.kind {
            QuicEventKind::PacketSent { pn: p, ty, .. } if p == pn && ty == PacketType::OneRtt => {
                Some(e.at)
            }
            _ => None,
        })
        .expect("sent")
}

/// The last RTT sample taken at or before `t`: (latest, smoothed, rttvar).
fn rtt_at(events: &[QuicEvent], t: SimTime) -> (SimDuration, SimDuration, SimDuration) {
    events
        .iter()
        .rev()
        .filter(|e| e.at <= t)
        .find_map(|e| match e.kind {
            QuicEventKind::RttSample {
                latest,
                smoothed,
                rttvar,
                ..
            } => Some((latest, smoothed, rttvar)),
            _ => None,
        })
        .expect("an RTT sample")
}

#[test]
fn handshake_completes_in_one_round_trip() {
    let (up, down) = pipes();
    let o = run(&small_config(), &up, &down, &[], LIMIT);
    // Client Initial: header 27 (pn 1 byte) + CRYPTO 1 + 1 + 2 + 1,000 + tag 16 = 1,047,
    // padded to 1,200 (RFC 9000 §14.1).
    let c0 = &o.crossings[0];
    assert_eq!((c0.from, c0.udp_payload), (Side::Client, 1_200));
    // Server: Initial 27 + ACK (1 + 1 + 1 + 1 + 1) + CRYPTO (1 + 1 + 2 + 90) + 16 = 142,
    // coalesced with Handshake 26 + CRYPTO (1 + 1 + 2 + 1,016) + 16 = 1,062: 1,204 bytes.
    let s0 = o.crossings.iter().find(|c| c.from == Side::Server).unwrap();
    assert_eq!(s0.udp_payload, 1_204);
    assert_eq!(s0.sent, SimTime::ZERO + up.serialisation(1_200) + ONE_WAY);
    // The client can send 1-RTT data when the server's flight has arrived: one RTT plus
    // the serialisation of each flight (1,228 and 1,232 bytes at 10 Mbit/s: 983 and 986 µs).
    let expected =
        SimTime::ZERO + ONE_WAY * 2 + up.serialisation(1_200) + down.serialisation(1_204);
    assert_eq!(expected, SimTime::from_micros(100_000 + 983 + 986));
    assert_eq!(o.client.one_rtt_ready_at(), Some(expected));
    assert_eq!(o.client.handshake_complete_at(), Some(expected));
    // The server completes (and confirms) when the client's Finished arrives: the client's
    // second datagram (Initial ACK + Handshake ACK and Finished, padded to 1,200 bytes).
    let c1 = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client)
        .nth(1)
        .unwrap();
    assert_eq!((c1.sent, c1.udp_payload), (expected, 1_200));
    let server_done = expected + up.serialisation(1_200) + ONE_WAY;
    assert_eq!(o.server.handshake_confirmed_at(), Some(server_done));
    // The client confirms on HANDSHAKE_DONE, sent by the server at once.
    let s1 = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .nth(1)
        .unwrap();
    assert_eq!(s1.sent, server_done);
    assert_eq!(
        o.client.handshake_confirmed_at(),
        Some(server_done + down.serialisation(s1.udp_payload) + ONE_WAY)
    );
    assert!(o.server.address_validated());
}

#[test]
fn zero_rtt_request_reaches_the_server_at_half_a_round_trip() {
    let (up, down) = pipes();
    let config = Config {
        zero_rtt: true,
        ..small_config()
    };
    // A response small enough for the server's anti-amplification allowance (3 × 1,200).
    let o = run(&config, &up, &down, &[req(100, 1_500)], LIMIT);
    // Initial 1,047 + 0-RTT (header 26 + STREAM 1 + 1 + 2 + 100 + tag 16 = 146) = 1,193,
    // padded to 1,200: the request rides in the first datagram.
    let c0 = &o.crossings[0];
    assert_eq!(c0.udp_payload, 1_200);
    assert_eq!(c0.datagram.packets[1].ty, PacketType::ZeroRtt);
    let at = SimTime::ZERO + up.serialisation(1_200) + ONE_WAY;
    assert_eq!(
        deliveries(&o.server_events, StreamId(0)),
        vec![(at, 0, 100, true)]
    );
    // Without 0-RTT the request waits for the handshake.
    let o1 = run(&small_config(), &up, &down, &[req(100, 1_500)], LIMIT);
    let d = deliveries(&o1.server_events, StreamId(0));
    assert!(d[0].0 > at + ONE_WAY * 2);
    // With 0-RTT the whole response arrives a round trip earlier.
    let last = |o: &Outcome| deliveries(&o.client_events, StreamId(0)).last().unwrap().0;
    assert!(last(&o) + ONE_WAY * 2 <= last(&o1));
    assert_eq!(
        deliveries(&o.client_events, StreamId(0))
            .iter()
            .map(|d| d.2)
            .sum::<u64>(),
        1_500
    );
}

#[test]
fn acks_every_second_packet_or_after_max_ack_delay() {
    let (up, down) = pipes();
    // A response of one packet: acknowledged max_ack_delay (25 ms) after it arrived.
    let o = run(&small_config(), &up, &down, &[req(100, 500)], LIMIT);
    let (arrived, ..) = *deliveries(&o.client_events, StreamId(0)).last().unwrap();
    let ack_of_response = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client && c.sent >= arrived)
        .find(|c| {
            c.datagram
                .packets
                .iter()
                .any(|p| p.frames.iter().any(|f| matches!(f, Frame::Ack(_))))
        })
        .unwrap();
    assert_eq!(ack_of_response.sent, arrived + DEFAULT_MAX_ACK_DELAY);
    // Two packets in a row: the second is acknowledged as soon as it arrives.
    let o = run(&small_config(), &up, &down, &[req(100, 2_000)], LIMIT);
    let d = deliveries(&o.client_events, StreamId(0));
    let (second, ..) = *d.last().unwrap();
    assert_eq!(d.len(), 2);
    assert!(o
        .crossings
        .iter()
        .any(|c| c.from == Side::Client && c.sent == second));
}

#[test]
fn loss_by_packet_threshold_when_three_later_packets_are_acknowledged() {
    let (up, mut down) = pipes();
    let reqs = [req(100, 40_000)];
    let base = run(&small_config(), &up, &down, &reqs, LIMIT);
    let ordinal = stream_datagrams(&base)[2].0;
    let pn = server_pn_of(&base, ordinal);
    down.drops.insert(ordinal);
    let o = run(&small_config(), &up, &down, &reqs, LIMIT);
    // RFC 9002 §6.1.1: declared lost when an ACK arrives whose Largest Acknowledged is at
    // least pn + kPacketThreshold: the first such ACK the client sent, on its arrival.
    let ack = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client && c.arrives.is_some())
        .find(|c| {
            c.datagram
                .packets
                .iter()
                .flat_map(|p| &p.frames)
                .any(|f| match f {
                    Frame::Ack(a) => a.largest() >= pn.0 + PACKET_THRESHOLD,
                    _ => false,
                })
        })
        .unwrap();
    let l = lost(&o.server_events);
    assert_eq!(
        l[0],
        (ack.arrives.unwrap(), pn, LossReason::PacketThreshold)
    );
    assert_eq!(l.len(), 1);
    // Everything still arrives, in order.
    let d = deliveries(&o.client_events, StreamId(0));
    assert_eq!(d.iter().map(|d| d.2).sum::<u64>(), 40_000);
    assert!(d.last().unwrap().3);
}

#[test]
fn loss_by_time_threshold_when_too_few_packets_follow() {
    let (up, mut down) = pipes();
    // Three packets of response; the second is lost: only one later packet is
    // acknowledged, so only the time threshold can declare it.
    let reqs = [req(100, 3_000)];
    let base = run(&small_config(), &up, &down, &reqs, LIMIT);
    let sd = stream_datagrams(&base);
    assert_eq!(sd.len(), 3);
    let pn = server_pn_of(&base, sd[1].0);
    down.drops.insert(sd[1].0);
    let o = run(&small_config(), &up, &down, &reqs, LIMIT);
    let l = lost(&o.server_events);
    assert_eq!(l.len(), 1);
    let (at, lost_pn, reason) = l[0];
    assert_eq!((lost_pn, reason), (pn, LossReason::TimeThreshold));
    // RFC 9002 §6.1.2: lost at time_sent + max(kTimeThreshold * max(smoothed_rtt,
    // latest_rtt), kGranularity), by the loss timer armed when the ACK of the third packet
    // arrived (with the RTT estimates of that moment).
    let sent = sent_at(&o.server_events, pn);
    let (latest, smoothed, _) = rtt_at(&o.server_events, at);
    let delay = SimDuration::from_micros(latest.max(smoothed).as_micros() * 9 / 8);
    assert_eq!(at, sent + delay.max(GRANULARITY));
    // That is later than the ACK that revealed the gap: a timer, not an ACK, declared it.
    let first_ack_after = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client && c.sent > sent)
        .find_map(|c| c.arrives)
        .unwrap();
    assert!(at > first_ack_after);
    assert_eq!(
        deliveries(&o.client_events, StreamId(0))
            .iter()
            .map(|d| d.2)
            .sum::<u64>(),
        3_000
    );
}

#[test]
fn tail_loss_is_recovered_by_a_probe_timeout() {
    let (up, mut down) = pipes();
    let reqs = [req(100, 3_000)];
    let base = run(&small_config(), &up, &down, &reqs, LIMIT);
    let sd = stream_datagrams(&base);
    let pn = server_pn_of(&base, sd[2].0);
    down.drops.insert(sd[2].0);
    let o = run(&small_config(), &up, &down, &reqs, LIMIT);
    let pto = o
        .server_events
        .iter()
        .find_map(|e| match e.kind {
            QuicEventKind::PtoExpired { space, count } => Some((e.at, space, count)),
            _ => None,
        })
        .unwrap();
    // RFC 9002 §6.2.1: PTO = smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay
    // after the last ack-eliciting packet (the lost one), with the estimates of the last ACK.
    let sent = sent_at(&o.server_events, pn);
    let (_, smoothed, rttvar) = rtt_at(&o.server_events, pto.0);
    let expected = sent + smoothed + (rttvar * 4).max(GRANULARITY) + DEFAULT_MAX_ACK_DELAY;
    assert_eq!((pto.0, pto.1, pto.2), (expected, SpaceId::Data, 1));
    // The probe's acknowledgement reveals the loss.
    let l = lost(&o.server_events);
    assert_eq!(l.len(), 1);
    assert_eq!((l[0].1, l[0].2), (pn, LossReason::Pto));
    let probe = o
        .crossings
        .iter()
        .find(|c| c.from == Side::Server && c.sent == expected)
        .unwrap();
    assert!(l[0].0 >= probe.sent + ONE_WAY * 2);
    let d = deliveries(&o.client_events, StreamId(0));
    assert_eq!(d.iter().map(|d| d.2).sum::<u64>(), 3_000);
    // The last bytes arrive with the probe, which retransmits them.
    assert_eq!(d.last().unwrap().0, probe.arrives.unwrap());
}

#[test]
fn a_loss_stalls_only_the_streams_its_packet_carried() {
    let (up, mut down) = pipes();
    let rr = Priority {
        urgency: 3,
        incremental: true,
    };
    let reqs: Vec<Request> = (0..3)
        .map(|_| Request {
            priority: Some(rr),
            ..req(100, 3_000)
        })
        .collect();
    let base = run(&small_config(), &up, &down, &reqs, LIMIT);
    let a = Outcome::stream_of(0);
    let (ordinal, _) = stream_datagrams(&base)
        .into_iter()
        .find(|(_, ids)| ids.len() == 1 && ids.contains(&a))
        .unwrap();
    let pn = server_pn_of(&base, ordinal);
    down.drops.insert(ordinal);
    let o = run(&small_config(), &up, &down, &reqs, LIMIT);
    // Streams B and C deliver exactly as without the loss.
    for i in 1..3 {
        let s = Outcome::stream_of(i);
        assert_eq!(
            deliveries(&o.client_events, s),
            deliveries(&base.client_events, s)
        );
    }
    // Stream A finishes later, held up by the lost packet.
    let end = |o: &Outcome| deliveries(&o.client_events, a).last().unwrap().0;
    assert!(end(&o) > end(&base));
    let hol: Vec<(StreamId, PacketNumber)> = o
        .client_events
        .iter()
        .filter_map(|e| match e.kind {
            QuicEventKind::HolBlocked {
                stream, blocking, ..
            } => Some((stream, blocking)),
            _ => None,
        })
        .collect();
    assert_eq!(hol, vec![(a, pn)]);
    let total: u64 = deliveries(&o.client_events, a).iter().map(|d| d.2).sum();
    assert_eq!(total, 3_000);
}

#[test]
fn server_respects_the_anti_amplification_limit() {
    let (up, down) = pipes();
    let config = Config {
        handshake: HandshakeSizes {
            certificate_chain: 16_000,
            ..HandshakeSizes::default()
        },
        ..Config::default()
    };
    let o = run(&config, &up, &down, &[req(100, 1_000)], LIMIT);
    // Address validated when the first client datagram with a Handshake packet arrives.
    let validated = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client)
        .find(|c| {
            c.datagram
                .packets
                .iter()
                .any(|p| p.ty == PacketType::Handshake)
        })
        .and_then(|c| c.arrives)
        .unwrap();
    let mut sent = 0;
    for c in o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server && c.sent < validated)
    {
        sent += c.udp_payload;
        let received: u64 = o
            .crossings
            .iter()
            .filter(|r| r.from == Side::Client && r.arrives.is_some_and(|t| t <= c.sent))
            .map(|r| r.udp_payload)
            .sum();
        assert!(
            sent <= 3 * received,
            "{sent} sent after {received} received"
        );
    }
    assert!(o
        .server_events
        .iter()
        .any(|e| matches!(e.kind, QuicEventKind::AmplificationBlocked { .. })));
    // The flight (about 17 KB) exceeds 3 × the client's 2 × 1,200-byte Initial datagrams.
    assert!(sent > 3 * 2_400 - 1_252);
    assert!(o.client.handshake_confirmed_at().is_some());
    assert_eq!(
        deliveries(&o.client_events, StreamId(0))
            .iter()
            .map(|d| d.2)
            .sum::<u64>(),
        1_000
    );
}

/// Ordinals lost at `pct` percent, from a seeded xorshift generator.
fn drop_pattern(seed: u64, pct: u64, n: u64) -> BTreeSet<u64> {
    let mut x = seed | 1;
    (0..n)
        .filter(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 100 < pct
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_byte_arrives_in_order_whatever_is_lost(
        seed in any::<u64>(),
        pct in 0u64..50,
        sizes in proptest::collection::vec(1u64..40_000, 1..4),
        incremental in any::<bool>(),
    ) {
        let (mut up, mut down) = pipes();
        up.drops = drop_pattern(seed, pct, 5_000);
        down.drops = drop_pattern(seed.rotate_left(17), pct, 5_000);
        let prio = Priority { urgency: 3, incremental };
        let reqs: Vec<Request> = sizes
            .iter()
            .map(|&s| Request { priority: Some(prio), ..req(200, s) })
            .collect();
        let config = Config::default();
        let o = run(&config, &up, &down, &reqs, EVENTUALLY);
        for (i, &size) in sizes.iter().enumerate() {
            let s = Outcome::stream_of(i);
            for (events, total) in [(&o.client_events, size), (&o.server_events, 200)] {
                let d = deliveries(events, s);
                let mut at = 0;
                for &(_, offset, len, _) in &d {
                    prop_assert_eq!(offset, at);
                    at += len;
                }
                prop_assert_eq!(at, total);
                prop_assert!(d.last().is_some_and(|d| d.3));
            }
            // Nothing is delivered before it was sent plus the one-way delay.
            for &(t, offset, len, _) in &deliveries(&o.client_events, s) {
                let last = offset + len.max(1) - 1;
                let first_sent = o
                    .server_events
                    .iter()
                    .filter(|e| matches!(&e.kind, QuicEventKind::PacketSent { frames, .. }
                        if frames.iter().any(|f| matches!(f, FrameSummary::Stream { id, offset: o, len: l, .. }
                            if *id == s && *o <= last && last < *o + (*l).max(1)))))
                    .map(|e| e.at)
                    .min();
                prop_assert!(first_sent.is_some_and(|f| f + ONE_WAY <= t));
            }
        }
        for events in [&o.client_events, &o.server_events] {
            for e in events.iter() {
                if let QuicEventKind::CongestionWindow { cwnd, .. } = e.kind {
                    prop_assert!(cwnd >= config.minimum_window());
                }
            }
        }
        // The run ended by itself, with every response byte acknowledged.
        prop_assert!(o.end < EVENTUALLY);
        prop_assert!(o.server.all_streams_acknowledged());
        prop_assert!(o.client.all_streams_acknowledged());
        let again = run(&config, &up, &down, &reqs, EVENTUALLY);
        prop_assert_eq!(&again.client_events, &o.client_events);
        prop_assert_eq!(&again.server_events, &o.server_events);
    }
}

/// The lesson of the whole tool in one test: the same scripted loss — the first downlink
/// packet carrying response data — delays every one of three interleaved responses on one
/// TCP connection (in-order delivery), but only the one QUIC stream whose frames it carried.
#[test]
fn the_same_loss_stalls_every_tcp_stream_but_one_quic_stream() {
    use crate::link::{LinkConfig, LossModel};
    use crate::transport::tcp::testing::Harness;
    use crate::transport::tcp::TcpConfig;

    const STREAMS: u32 = 3;
    const CHUNK: u64 = 1_000;
    const CHUNKS: u64 = 3;

    // TCP: three responses interleaved in 1,000-byte chunks on one connection (as an
    // HTTP/2 server does with frames). Downlink ordinal 0 is the SYN-ACK, 1 the first data.
    let tcp_finish = |down: Vec<u64>| -> Vec<SimTime> {
        let mut h: Harness<u32> = Harness::new(LinkConfig {
            loss: LossModel::Scripted { up: vec![], down },
            ..LinkConfig::default()
        });
        let c = h.open(TcpConfig::default());
        for _ in 0..CHUNKS {
            for s in 0..STREAMS {
                h.pairs_mut()[c].server.write(CHUNK, s);
            }
        }
        let total = CHUNK * CHUNKS * u64::from(STREAMS);
        h.run_until(LIMIT, |h| h.pairs()[0].client.received() >= total);
        let mut last = vec![SimTime::ZERO; STREAMS as usize];
        while let Some(d) = h.pairs_mut()[c].client.poll_delivery() {
            last[d.tag as usize] = last[d.tag as usize].max(d.at);
        }
        last
    };
    let tcp_base = tcp_finish(vec![]);
    let tcp_lossy = tcp_finish(vec![1]);
    let tcp_delayed = (0..STREAMS as usize)
        .filter(|&i| tcp_lossy[i] > tcp_base[i])
        .count();
    assert_eq!(tcp_delayed, 3, "TCP: {tcp_base:?} -> {tcp_lossy:?}");

    // QUIC: the same three responses on three streams, served round-robin.
    let (up, mut down) = pipes();
    let rr = Priority {
        urgency: 3,
        incremental: true,
    };
    let reqs: Vec<Request> = (0..STREAMS)
        .map(|_| Request {
            priority: Some(rr),
            ..req(100, CHUNK * CHUNKS)
        })
        .collect();
    let base = run(&small_config(), &up, &down, &reqs, LIMIT);
    let (first_data, _) = stream_datagrams(&base)[0].clone();
    down.drops.insert(first_data);
    let lossy = run(&small_config(), &up, &down, &reqs, LIMIT);
    let finish = |o: &Outcome, i: usize| {
        deliveries(&o.client_events, Outcome::stream_of(i))
            .last()
            .map(|d| d.0)
    };
    let quic_delayed = (0..STREAMS as usize)
        .filter(|&i| finish(&lossy, i) > finish(&base, i))
        .count();
    assert_eq!(
        quic_delayed, 1,
        "QUIC: only the stream in the lost packet waits"
    );
    for i in 0..STREAMS as usize {
        let got: u64 = deliveries(&lossy.client_events, Outcome::stream_of(i))
            .iter()
            .map(|d| d.2)
            .sum();
        assert_eq!(got, CHUNK * CHUNKS);
    }
}

/// DPLPMTUD (RFC 9000 §14.3): datagrams stay within BASE_PLPMTU until the handshake is
/// confirmed; from then on the server fills the Ethernet path's 1,472-byte UDP payload, and
/// its congestion controller counts in that size (RFC 9002 §7.2).
#[test]
fn datagrams_grow_to_the_path_mtu_once_the_handshake_is_confirmed() {
    let (up, down) = pipes();
    let config = Config {
        max_udp_payload: BASE_PLPMTU,
        path_max_udp_payload: Some(ETHERNET_MAX_UDP_PAYLOAD),
        ..small_config()
    };
    assert_eq!(ETHERNET_MAX_UDP_PAYLOAD, 1_472);
    let o = run(&config, &up, &down, &[req(100, 200_000)], LIMIT);
    let confirmed = o.server.handshake_confirmed_at().unwrap();
    let server: Vec<_> = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .collect();
    let before: Vec<_> = server.iter().filter(|c| c.sent < confirmed).collect();
    let after: Vec<_> = server.iter().filter(|c| c.sent >= confirmed).collect();
    assert!(!before.is_empty() && !after.is_empty());
    assert!(before.iter().all(|c| c.udp_payload <= 1_200));
    assert_eq!(after.iter().map(|c| c.udp_payload).max(), Some(1_472));
    // 200,000 body bytes: at most 1,472 − 1-RTT header (1 + 8 + 4) − AEAD tag 16 − STREAM
    // frame header (type 1, id 1, offset ≤ 4, length 2) ≈ 1,435 bytes of data per datagram,
    // so 140 full datagrams; the rest of the datagrams are ACK-only or the tail.
    let full = after.iter().filter(|c| c.udp_payload == 1_472).count();
    assert!((135..=140).contains(&full), "{full} full-size datagrams");
    assert_eq!(o.server.config().max_udp_payload, 1_472);
    // The client confirms later (on HANDSHAKE_DONE) and grows too.
    assert_eq!(o.client.config().max_udp_payload, 1_472);
    // Without a path size the endpoint stays at its configured maximum.
    let plain = run(&small_config(), &up, &down, &[req(100, 200_000)], LIMIT);
    assert!(plain.crossings.iter().all(|c| c.udp_payload <= 1_252));
}
