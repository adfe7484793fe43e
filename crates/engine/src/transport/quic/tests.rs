//! End-to-end tests of a client/server pair over the harness.
//!
//! Over 600 lines: the tests share the link constants and the event-log helpers below
//! (deliveries, losses, send times, RTT samples), and each derives its times from them by
//! hand; the RFC's rules come first, then the deployed stacks' (from `deployed()` on).

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::testing::{run, Crossing, Outcome, Pipe, Request};
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

// ----- the deployed stacks: a Chromium client and a quic-go server --------------------------

/// The rig's pair ([`Config::deployed`]) with [`small_config`]'s handshake sizes.
fn deployed() -> Config {
    Config {
        client_stack: Stack::Chromium,
        server_stack: Stack::QuicGo,
        ..small_config()
    }
}

/// The server's datagrams carrying STREAM data of `stream`, in order: (sent, pn, size).
fn server_stream_datagrams(o: &Outcome, stream: StreamId) -> Vec<(SimTime, u64, u64)> {
    o.crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .filter(|c| {
            c.datagram.packets.iter().any(|p| {
                p.frames
                    .iter()
                    .any(|f| matches!(f, Frame::Stream(s) if s.id == stream))
            })
        })
        .map(|c| {
            (
                c.sent,
                c.datagram.packets.last().unwrap().pn.0,
                c.udp_payload,
            )
        })
        .collect()
}

/// Largest Acknowledged of every ACK frame the client sent in 1-RTT packets, with its time.
fn client_acks(o: &Outcome) -> Vec<(SimTime, u64)> {
    o.crossings
        .iter()
        .filter(|c| c.from == Side::Client)
        .flat_map(|c| {
            c.datagram
                .packets
                .iter()
                .filter(|p| p.ty == PacketType::OneRtt)
                .flat_map(|p| p.frames.iter())
                .filter_map(move |f| match f {
                    Frame::Ack(a) => Some((c.sent, a.largest())),
                    _ => None,
                })
        })
        .collect()
}

/// quic-go's first flight (RFC 9002 §7.7 pacing, `pacer.go`): a window of 32 packets of
/// 1,252 bytes (`initialCongestionWindow`), of which the first 10 leave at once (the full
/// bucket, `maxBurstSizePackets`), the others one per 1,252 B / (5/4 · cwnd / srtt), srtt
/// being the server's only RTT sample so far (its Initial's acknowledgement).
#[test]
fn quic_go_paces_its_initial_window_after_a_burst_of_ten() {
    let (up, down) = pipes();
    let o = run(&deployed(), &up, &down, &[req(100, 100_000)], LIMIT);
    let data = server_stream_datagrams(&o, StreamId(0));
    assert!(data
        .iter()
        .all(|d| d.2 <= stack::QUIC_GO_INITIAL_PACKET_SIZE));
    let first = data[0].0;
    assert!(data[..10].iter().all(|d| d.0 == first), "{:?}", &data[..12]);
    let (_, srtt, _) = rtt_at(&o.server_events, first);
    let cwnd = stack::QUIC_GO_INITIAL_WINDOW_PACKETS * stack::QUIC_GO_INITIAL_PACKET_SIZE;
    assert_eq!(cwnd, 40_064);
    let rate = cwnd * 1_000_000 / srtt.as_micros() * 5 / 4;
    let gap = (stack::QUIC_GO_INITIAL_PACKET_SIZE * 1_000_000).div_ceil(rate);
    // The rest of the window: no ACK comes back before it is all out (< 1 RTT). quic-go
    // sends while the bytes in flight are below the window (`cubicSender.CanSend`): the
    // first datagram is a byte short of 1,252, so 32 leave one byte of room and a 33rd
    // goes.
    let window: Vec<_> = data
        .iter()
        .take_while(|d| d.0 < first + ONE_WAY * 2)
        .collect();
    let bytes: u64 = window.iter().map(|d| d.2).sum();
    assert!(
        bytes - window.last().unwrap().2 < cwnd && bytes >= cwnd,
        "{window:?}"
    );
    assert_eq!(window.len(), 33);
    // Within 2 µs: the bucket keeps the byte the short first datagram left, and refills
    // in whole bytes per whole microsecond.
    for (k, d) in window.iter().enumerate().skip(10) {
        let expected = first.as_micros() + gap * (k as u64 - 9);
        assert!(
            d.0.as_micros().abs_diff(expected) <= 2,
            "packet {k}: {:?}",
            d.0
        );
    }
    assert!(gap > 2_000, "{gap} µs");
    // An RFC 9002 sender without pacing sends its 10-packet window at once.
    let rfc = run(&small_config(), &up, &down, &[req(100, 100_000)], LIMIT);
    let rfc_data = server_stream_datagrams(&rfc, StreamId(0));
    let burst = rfc_data.iter().filter(|d| d.0 == rfc_data[0].0).count();
    assert!((9..=10).contains(&burst), "{burst}");
}

/// Chromium's ACK frequency (`quic_received_packet_manager.cc MaybeUpdateAckTimeout`): an ACK
/// after every second ack-eliciting packet until the 100th packet
/// (`kMinReceivedBeforeAckDecimation`), after every tenth from then on
/// (`kMaxRetransmittablePacketsBeforeAck`); with fewer, after 25 ms, or min(25 ms,
/// min_rtt / 4) once decimating.
#[test]
fn chromium_acks_every_second_packet_then_every_tenth_from_the_hundredth() {
    let (up, down) = pipes();
    let o = run(&deployed(), &up, &down, &[req(100, 1_000_000)], LIMIT);
    let acks = client_acks(&o);
    let steps: Vec<(u64, u64)> = acks.windows(2).map(|w| (w[1].1, w[1].1 - w[0].1)).collect();
    let early: Vec<u64> = steps.iter().filter(|s| s.0 < 100).map(|s| s.1).collect();
    let late: Vec<u64> = steps.iter().filter(|s| s.0 >= 110).map(|s| s.1).collect();
    assert!(early.iter().all(|&d| d <= 2), "{early:?}");
    assert!(early.iter().filter(|&&d| d == 2).count() >= 40, "{early:?}");
    assert!(late.iter().all(|&d| d <= 10), "{late:?}");
    let tenths = late.iter().filter(|&&d| d == 10).count();
    assert!(tenths * 10 >= late.len() * 9, "{late:?}");
    // About 800 datagrams: 50 ACKs before the 100th, about 70 after.
    assert!((100..=140).contains(&acks.len()), "{}", acks.len());
    // The RFC receiver acknowledges every second packet throughout (RFC 9000 §13.2.2).
    let rfc = run(&small_config(), &up, &down, &[req(100, 1_000_000)], LIMIT);
    assert!(client_acks(&rfc).len() > 350, "{}", client_acks(&rfc).len());
}

/// After a gap Chromium acknowledges at once every packet while the run after the gap is at
/// most 4 long (`HasNewMissingPackets`, `kMaxPacketsAfterNewMissing`), so that the sender
/// sees 3 later packets acknowledged (RFC 9002 §6.1.1) within a packet of the loss.
#[test]
fn chromium_acks_the_four_packets_after_a_gap_at_once() {
    let (up, mut down) = pipes();
    let reqs = [req(100, 1_000_000)];
    let base = run(&deployed(), &up, &down, &reqs, LIMIT);
    let data = server_stream_datagrams(&base, StreamId(0));
    let k = data.iter().position(|d| d.1 == 200).unwrap();
    let ordinal = base
        .crossings
        .iter()
        .find(|c| c.from == Side::Server && c.sent == data[k].0 && c.udp_payload == data[k].2)
        .map(|c| c.ordinal)
        .unwrap();
    down.drops.insert(ordinal);
    let o = run(&deployed(), &up, &down, &reqs, LIMIT);
    let arrivals: Vec<(u64, SimTime)> = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .filter_map(|c| Some((c.datagram.packets.last()?.pn.0, c.arrives?)))
        .collect();
    let at = |pn: u64| arrivals.iter().find(|a| a.0 == pn).unwrap().1;
    let acks = client_acks(&o);
    for pn in 201..=204 {
        assert!(
            acks.iter().any(|&(t, l)| l == pn && t == at(pn)),
            "no immediate ACK of {pn}: {:?}",
            acks.iter()
                .filter(|a| (195..215).contains(&a.1))
                .collect::<Vec<_>>()
        );
    }
    // The fifth after the gap waits for the tenth again.
    assert!(!acks.iter().any(|&(_, l)| l == 205));
    // The sender declares 200 lost by packet threshold when 203's ACK arrives.
    let l = lost(&o.server_events);
    assert_eq!(l[0].1, PacketNumber(200));
    assert_eq!(l[0].2, LossReason::PacketThreshold);
}

/// RFC 9002 §7.6: when every packet of more than the persistent congestion duration
/// ((smoothed_rtt + max(4 rttvar, kGranularity) + max_ack_delay) × 3) is lost, the window
/// collapses to the minimum (§7.6.2: kMinimumWindow, 2 × max_datagram_size). quic-go v0.29
/// has no such rule (`cubicSender.OnRetransmissionTimeout` is never called): it only cuts
/// the window by `renoBeta` for the loss.
#[test]
fn persistent_congestion_collapses_the_rfc_window_but_not_quic_go_s() {
    let (up, mut down) = pipes();
    // A blackout of the downlink for 1.5 s, in the middle of a transfer: the flight in the
    // air then and every probe sent into it are lost.
    let reqs = [req(100, 1_000_000)];
    let outage = |o: &Outcome| -> BTreeSet<u64> {
        o.crossings
            .iter()
            .filter(|c| c.from == Side::Server)
            .filter(|c| c.sent >= SimTime::from_millis(400) && c.sent < SimTime::from_millis(1_900))
            .map(|c| c.ordinal)
            .collect()
    };
    for (config, collapses) in [(small_config(), true), (deployed(), false)] {
        // The outage by send time: find the ordinals on a run with it, until they settle.
        let mut drops = BTreeSet::new();
        for _ in 0..10 {
            down.drops = drops.clone();
            let o = run(&config, &up, &down, &reqs, LIMIT);
            let next = outage(&o);
            if next == drops {
                break;
            }
            drops = next;
        }
        down.drops = drops;
        let o = run(&config, &up, &down, &reqs, LIMIT);
        let pc = o
            .server_events
            .iter()
            .find(|e| matches!(e.kind, QuicEventKind::PersistentCongestion))
            .map(|e| e.at);
        let windows: Vec<(SimTime, u64, u64)> = o
            .server_events
            .iter()
            .filter_map(|e| match e.kind {
                QuicEventKind::CongestionWindow { cwnd, ssthresh, .. } => {
                    Some((e.at, cwnd, ssthresh))
                }
                _ => None,
            })
            .collect();
        // The first reduction, and the window just before it.
        let cut = windows.iter().position(|w| w.2 != u64::MAX).unwrap();
        let (at, after, before) = (windows[cut].0, windows[cut].1, windows[cut - 1].1);
        assert!(at > SimTime::from_millis(1_900), "{at:?}");
        if collapses {
            assert_eq!(pc, Some(at));
            assert_eq!(after, 2 * DEFAULT_MAX_UDP_PAYLOAD);
        } else {
            assert_eq!(pc, None);
            // quic-go in slow start: the window grew with every ACK until the outage showed;
            // the loss cuts it to 0.7 of that, once, and it never went lower. (The window is
            // sampled once per datagram handled: the ACK that revealed the loss may have
            // grown it by a datagram before the cut.)
            let mds = stack::QUIC_GO_INITIAL_PACKET_SIZE;
            assert!(
                after >= before * 7 / 10 && after <= (before + mds) * 7 / 10,
                "{before} → {after}"
            );
            assert!(windows[cut..].iter().all(|w| w.1 >= after));
            assert!(after > 50 * stack::QUIC_GO_INITIAL_PACKET_SIZE, "{after}");
        }
        let d = deliveries(&o.client_events, StreamId(0));
        assert_eq!(d.iter().map(|d| d.2).sum::<u64>(), 1_000_000);
    }
}

/// quic-go's path MTU discovery (`mtu_discoverer.go`): from the handshake's confirmation, a
/// probe (a PING padded to the size tried) every 5 smoothed RTTs, one at a time, halving the
/// interval between the size that worked (from 1,252) and the largest allowed, min(the
/// peer's max_udp_payload_size, 1,452) (Chromium announces 1,472): 1,352, 1,402, 1,427,
/// 1,439, and then no more (1,452 − 1,439 ≤ `maxMTUDiff` + 1). Each size is used once its
/// probe is acknowledged; Chromium's own datagrams stay at 1,250.
#[test]
fn quic_go_searches_the_path_mtu_with_a_probe_every_five_rtts() {
    let (up, down) = pipes();
    // 10 KB every 50 ms for 4 s: the queue stays short, the smoothed RTT near 100 ms.
    let reqs: Vec<Request> = (0..80)
        .map(|k| Request {
            at: SimTime::from_millis(50 * k),
            ..req(100, 10_000)
        })
        .collect();
    let o = run(&deployed(), &up, &down, &reqs, LIMIT);
    let probes: Vec<&Crossing> = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .filter(|c| {
            c.datagram.packets.len() == 1
                && matches!(
                    c.datagram.packets[0].frames.as_slice(),
                    [Frame::Ping, Frame::Padding { .. }]
                )
        })
        .collect();
    let sizes: Vec<u64> = probes.iter().map(|c| c.udp_payload).collect();
    assert_eq!(sizes, [1_352, 1_402, 1_427, 1_439]);
    let confirmed = o.server.handshake_confirmed_at().unwrap();
    let mut last = confirmed;
    for p in &probes {
        let (_, srtt, _) = rtt_at(&o.server_events, p.sent);
        assert!(p.sent >= last + srtt * 5, "{:?} after {last:?}", p.sent);
        last = p.sent;
    }
    // Between a probe's acknowledgement and the next probe, data datagrams fill its size.
    for w in probes.windows(2) {
        let acked = w[0].arrives.unwrap() + ONE_WAY;
        let between: Vec<u64> = o
            .crossings
            .iter()
            .filter(|c| c.from == Side::Server && c.sent > acked + ONE_WAY && c.sent < w[1].sent)
            .map(|c| c.udp_payload)
            .collect();
        assert!(!between.is_empty());
        assert_eq!(between.iter().max(), Some(&w[0].udp_payload));
    }
    assert_eq!(o.server.max_udp_payload(), 1_439);
    assert_eq!(o.client.max_udp_payload(), stack::CHROMIUM_MAX_PACKET_SIZE);
    assert!(o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client)
        .all(|c| c.udp_payload <= 1_250));
}

/// Before the first RTT sample the probe timeout is 3 × 333 ms = 999 ms by RFC 9002 §6.2.2
/// (smoothed_rtt + 4 × rttvar with the initial estimate); Chromium's is 3 × 100 ms
/// (`kInitialRttMs`, `kPtoMultiplierWithoutRttSamples`), quic-go's 2 × 100 ms
/// (`RTTStats.PTO` with `defaultInitialRTT`). So a lost first flight costs the rig's pair a
/// fraction of what it costs an RFC endpoint.
#[test]
fn first_probe_timeouts_follow_each_stack_s_initial_rtt() {
    let first_pto = |events: &[QuicEvent]| {
        events
            .iter()
            .find_map(|e| matches!(e.kind, QuicEventKind::PtoExpired { .. }).then_some(e.at))
            .expect("a probe timeout")
    };
    let last_sent_before = |o: &Outcome, side: Side, t: SimTime| {
        o.crossings
            .iter()
            .filter(|c| c.from == side && c.sent < t)
            .map(|c| c.sent)
            .max()
            .unwrap()
    };
    let ms = SimDuration::from_millis;
    for (config, client_pto, server_pto) in [
        (small_config(), ms(999), ms(999)),
        (deployed(), ms(300), ms(200)),
    ] {
        // The client's first flight is lost: it probes, with no sample yet.
        let (mut up, down) = pipes();
        up.drops = (0..2).collect();
        let o = run(&config, &up, &down, &[req(100, 1_000)], LIMIT);
        let t = first_pto(&o.client_events);
        assert_eq!(t, last_sent_before(&o, Side::Client, t) + client_pto);
        // The server's first flight (its Initial and Handshake packets) is lost, its ACK of
        // the client's first Initial arrives: the server probes with no sample of its own.
        let (up, mut down) = pipes();
        let base = run(&config, &up, &down, &[req(100, 1_000)], LIMIT);
        let flight: BTreeSet<u64> = base
            .crossings
            .iter()
            .filter(|c| {
                c.from == Side::Server && c.datagram.packets.iter().any(|p| p.is_ack_eliciting())
            })
            .take_while(|c| {
                c.datagram
                    .packets
                    .iter()
                    .all(|p| p.ty != PacketType::OneRtt)
            })
            .map(|c| c.ordinal)
            .collect();
        assert!(!flight.is_empty());
        down.drops = flight;
        let o = run(&config, &up, &down, &[req(100, 1_000)], LIMIT);
        let t = first_pto(&o.server_events);
        assert_eq!(
            t,
            last_sent_before(&o, Side::Server, t) + server_pto,
            "{:?}",
            config.server_stack
        );
        let d = deliveries(&o.client_events, StreamId(0));
        assert_eq!(d.iter().map(|d| d.2).sum::<u64>(), 1_000);
    }
}

/// quic-go's tail-loss probe (`sent_packet_handler.go OnLossDetectionTimeout`,
/// `QueueProbePacket`; `connection.go sendProbePacket`): at the probe timeout (RFC 9002
/// §6.2.1, with Chromium's announced max_ack_delay of 25 ms) the oldest outstanding packet is
/// declared lost at once, its data goes in the probe, and the probe skips a packet number so
/// that the receiver sees a gap and acknowledges at once.
#[test]
fn quic_go_probes_with_the_oldest_outstanding_data_and_skips_a_packet_number() {
    let (up, mut down) = pipes();
    let reqs = [req(100, 3_000)];
    let base = run(&deployed(), &up, &down, &reqs, LIMIT);
    let sd = stream_datagrams(&base);
    let (ordinal, _) = *sd.last().unwrap();
    let pn = server_pn_of(&base, ordinal);
    down.drops.insert(ordinal);
    let o = run(&deployed(), &up, &down, &reqs, LIMIT);
    let pto = o
        .server_events
        .iter()
        .find_map(|e| match e.kind {
            QuicEventKind::PtoExpired { space, count } => Some((e.at, space, count)),
            _ => None,
        })
        .unwrap();
    let sent = sent_at(&o.server_events, pn);
    let (_, smoothed, rttvar) = rtt_at(&o.server_events, pto.0);
    let expected = sent + smoothed + (rttvar * 4).max(GRANULARITY) + stack::CHROMIUM_MAX_ACK_DELAY;
    assert_eq!((pto.0, pto.1, pto.2), (expected, SpaceId::Data, 1));
    // Declared lost by the timeout itself, not by the probe's acknowledgement.
    let l = lost(&o.server_events);
    assert_eq!(l[0], (expected, pn, LossReason::Pto));
    let probe = o
        .crossings
        .iter()
        .find(|c| c.from == Side::Server && c.sent == expected)
        .unwrap();
    assert_eq!(probe.datagram.packets[0].pn, PacketNumber(pn.0 + 2));
    assert!(probe.datagram.packets[0].frames.iter().any(|f| matches!(
        f,
        Frame::Stream(s) if s.first_sent_in == Some(pn)
    )));
    // The gap makes Chromium acknowledge the probe at once.
    let ack = client_acks(&o)
        .into_iter()
        .find(|a| a.1 == pn.0 + 2)
        .expect("an ACK of the probe");
    assert_eq!(ack.0, probe.arrives.unwrap());
    let d = deliveries(&o.client_events, StreamId(0));
    assert_eq!(d.iter().map(|d| d.2).sum::<u64>(), 3_000);
}

/// quic-go announces receive windows of 512 KiB per stream and 768 KiB per connection
/// (`DefaultInitialMaxStreamData`, `DefaultInitialMaxData`) and raises a limit once a quarter
/// of its window was consumed (`WindowUpdateThreshold`); the RFC endpoint (with Chromium's
/// windows, 6 MiB and 15 MiB) only past half. A 300 KB upload shows both.
#[test]
fn quic_go_raises_its_receive_limits_after_a_quarter_of_the_window() {
    let (up, down) = pipes();
    let reqs = [req(300_000, 100)];
    let o = run(&deployed(), &up, &down, &reqs, LIMIT);
    let updates: Vec<(u64, bool)> = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .flat_map(|c| c.datagram.packets.iter().flat_map(|p| p.frames.iter()))
        .filter_map(|f| match f {
            Frame::MaxStreamData { id, max } if *id == StreamId(0) => Some((*max, true)),
            Frame::MaxData { max } => Some((*max, false)),
            _ => None,
        })
        .collect();
    let stream_window = stack::QUIC_GO_INITIAL_MAX_STREAM_DATA;
    let first_stream = updates.iter().find(|u| u.1).expect("a MAX_STREAM_DATA").0;
    // Announced when more than a quarter was read: the new limit is read + 512 KiB.
    let read = first_stream - stream_window;
    assert!(
        read > stream_window / 4 && read < stream_window / 4 + 1_500,
        "{read}"
    );
    let first_conn = updates.iter().find(|u| !u.1).expect("a MAX_DATA").0;
    let conn_window = stack::QUIC_GO_INITIAL_MAX_DATA;
    assert_eq!(conn_window, 786_432);
    let read = first_conn - conn_window;
    assert!(
        read > conn_window / 4 && read < conn_window / 4 + 1_500,
        "{read}"
    );
    let rfc = run(&small_config(), &up, &down, &reqs, LIMIT);
    assert!(!rfc
        .crossings
        .iter()
        .flat_map(|c| c.datagram.packets.iter().flat_map(|p| p.frames.iter()))
        .any(|f| matches!(f, Frame::MaxStreamData { .. } | Frame::MaxData { .. })));
}

/// quic-go's framer (`framer.go AppendStreamFrames`) serves the streams with data in turn, a
/// packet each, and a stream's lost data waits for that stream's turn (`send_stream.go
/// popStreamFrame` takes the stream's own retransmissions first); the RFC model, by RFC 9218
/// §10 incremental round-robin, sends retransmissions ahead of any new data.
#[test]
fn quic_go_retransmits_a_stream_s_data_in_that_stream_s_turn() {
    let incremental = Some(Priority {
        urgency: 3,
        incremental: true,
    });
    let reqs = [
        Request {
            priority: incremental,
            ..req(100, 200_000)
        },
        Request {
            priority: incremental,
            ..req(100, 200_000)
        },
    ];
    let (a, b) = (Outcome::stream_of(0), Outcome::stream_of(1));
    let streams_of = |c: &Crossing| -> Vec<(StreamId, bool)> {
        c.datagram
            .packets
            .iter()
            .flat_map(|p| p.frames.iter())
            .filter_map(|f| match f {
                Frame::Stream(s) if s.id == a || s.id == b => {
                    Some((s.id, s.first_sent_in.is_some()))
                }
                _ => None,
            })
            .collect()
    };
    for config in [deployed(), small_config()] {
        let (up, mut down) = pipes();
        let base = run(&config, &up, &down, &reqs, LIMIT);
        let victim = base
            .crossings
            .iter()
            .filter(|c| c.from == Side::Server && streams_of(c) == [(a, false)])
            .nth(60)
            .unwrap()
            .ordinal;
        down.drops.insert(victim);
        let o = run(&config, &up, &down, &reqs, LIMIT);
        let declared = lost(&o.server_events)[0].0;
        let data: Vec<(SimTime, Vec<(StreamId, bool)>)> = o
            .crossings
            .iter()
            .filter(|c| c.from == Side::Server)
            .map(|c| (c.sent, streams_of(c)))
            .filter(|d| !d.1.is_empty())
            .collect();
        let first_after = data.iter().position(|d| d.0 >= declared).unwrap();
        if config.server_stack == Stack::QuicGo {
            // One stream per datagram, strictly in turn while both have data, the
            // retransmission included.
            let both = data
                .iter()
                .position(|d| d.1.iter().any(|s| s.0 == b))
                .unwrap();
            let end = data
                .iter()
                .rposition(|d| d.1.iter().any(|s| s.0 == a))
                .unwrap();
            for w in data[both..end.min(data.len() - 1)].windows(2) {
                assert_eq!(w[0].1.len(), 1, "{:?}", w[0]);
                assert_ne!(w[0].1[0].0, w[1].1[0].0, "{:?}", w);
            }
            let rtx = data.iter().position(|d| d.1.contains(&(a, true))).unwrap();
            assert!(rtx >= first_after);
            assert_eq!(data[rtx - 1].1[0].0, b);
        } else {
            assert!(
                data[first_after].1.contains(&(a, true)),
                "{:?}",
                data[first_after]
            );
        }
    }
}
