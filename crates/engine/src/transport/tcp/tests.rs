//! Connections over the link, with times derived by hand.
//!
//! The default link: RTT 100 ms (50 ms each way), 10 Mbit/s down, 5 Mbit/s up. Serialisation:
//! a 1500-byte segment takes 1200 µs down; a 40-byte pure ACK 64 µs up, 52 bytes (one SACK
//! block, or a SYN) 84 µs up (83.2 rounded up), a 52-byte SYN-ACK 42 µs down.
//!
//! Handshake: SYN leaves at 0, arrives 84 + 50 000 = 50 084; the SYN-ACK arrives
//! 50 084 + 42 + 50 000 = 100 126 (client established); the client's pure ACK arrives at
//! 100 126 + 64 + 50 000 = 150 190 (server established). So a server that wrote its data up
//! front sends its initial window at T0 = 150 190, and data segment k (from 1) arrives at the
//! client at T0 + 1200·k + 50 000.

use proptest::prelude::*;

use super::testing::{Harness, TlsApp};
use super::*;
use crate::link::{LinkConfig, LossModel};
use crate::time::SimTime;
use crate::transport::cc::Algorithm;
use crate::transport::tls::{TlsConfig, TlsMode};

const T0: u64 = 150_190;
const SEG: u64 = 1_460;

fn link(loss: LossModel) -> LinkConfig {
    LinkConfig {
        loss,
        ..LinkConfig::default()
    }
}

fn scripted_down(ordinals: &[u64]) -> LinkConfig {
    link(LossModel::Scripted {
        up: vec![],
        down: ordinals.to_vec(),
    })
}

/// A harness with one connection whose server wrote `bytes` before the handshake.
fn download(link: LinkConfig, cfg: TcpConfig, bytes: u64) -> Harness<u32> {
    let mut h = Harness::new(link);
    let c = h.open(cfg);
    h.pairs_mut()[c].server.write(bytes, 7);
    h
}

fn run_to(h: &mut Harness<u32>, t: u64) {
    h.run_until(SimTime::from_micros(t), |_| false);
}

fn run_until_received(h: &mut Harness<u32>, bytes: u64) -> SimTime {
    h.run_until(SimTime::from_millis(600_000), |h| {
        h.pairs()[0].client.received() >= bytes
    });
    h.now()
}

#[test]
fn handshake_takes_one_round_trip_plus_serialisation() {
    let mut h = download(LinkConfig::default(), TcpConfig::default(), 0);
    run_to(&mut h, 1_000_000);
    let p = &h.pairs()[0];
    assert_eq!(
        p.client.established_at(),
        Some(SimTime::from_micros(100_126))
    );
    assert_eq!(p.server.established_at(), Some(SimTime::from_micros(T0)));
    // The SYN-ACK gave the client an RTT sample of exactly that.
    assert_eq!(p.client.rtt().srtt, Some(SimDuration::from_micros(100_126)));
    assert_eq!(h.packets().len(), 3);
}

#[test]
fn tls13_completes_one_round_trip_after_tcp() {
    let app = TlsApp::<u32, _>::new(TlsConfig::default(), |_, _, _, _, _| {});
    let mut h = Harness::with(LinkConfig::default(), app);
    h.open(TcpConfig::default());
    h.run_until(SimTime::from_millis(5_000), |_| false);
    let app = &h.app.layer;
    let (c, s) = &app.sessions[0];
    // At 100 126 the client writes its 1820-byte ClientHello record, which rides with the
    // ACK of the SYN-ACK: 1460 + 360 bytes, 1500 + 400 on the wire, 2400 + 640 µs up.
    // Its last byte arrives at 100 126 + 3040 + 50 000 = 153 166. The server answers with
    // ServerHello (1215) + CCS (6) + one encrypted record of EE, Certificate (3218),
    // CertificateVerify, Finished (3359 + 22) = 4602 bytes: 3 full segments and 222 bytes,
    // 3·1200 + 210 µs down. The client has the server's Finished at
    // 153 166 + 3810 + 50 000 = 206 976: one RTT plus serialisation after TCP.
    let rtt_plus = 100_000 + 3_040 + 3_810;
    assert_eq!(c.done_at(), Some(SimTime::from_micros(100_126 + rtt_plus)));
    // Client Finished (CCS 6 + 58) = 64 bytes, one 104-byte segment: 167 µs up.
    assert_eq!(
        s.done_at(),
        Some(SimTime::from_micros(206_976 + 167 + 50_000))
    );
}

#[test]
fn a_certificate_chain_beyond_the_initial_window_costs_a_round_trip() {
    // A 16 000-byte chain: the server flight is 1215 + 6 + (25 + 16 018 + 80 + 36 + 22)
    // = 17 402 bytes, 12 segments, but the initial window is 10. The last two wait for the
    // ACK of segments 1–2 (at the client at 153 166 + 2400 + 50 000 = 205 566, at the server
    // 64 + 50 000 later: 255 630), which grows cwnd by two segments. Segment 12 (1342 bytes,
    // 1382 on the wire: 1106 µs) leaves behind segment 11 at 255 630 + 1200 + 1106 and
    // arrives at 307 936, about one RTT later than with the default chain (206 976).
    let app = TlsApp::<u32, _>::new(
        TlsConfig {
            cert_chain: 16_000,
            ..TlsConfig::default()
        },
        |_, _, _, _, _| {},
    );
    let mut h = Harness::with(LinkConfig::default(), app);
    h.open(TcpConfig::default());
    h.run_until(SimTime::from_millis(5_000), |_| false);
    let app = &h.app.layer;
    assert_eq!(
        app.sessions[0].0.done_at(),
        Some(SimTime::from_micros(307_936))
    );
}

#[test]
fn tls12_takes_two_round_trips_and_zero_rtt_sends_with_the_hello() {
    let app = TlsApp::<u32, _>::new(
        TlsConfig {
            mode: TlsMode::Tls12,
            ..TlsConfig::default()
        },
        |_, _, _, _, _| {},
    );
    let mut h = Harness::with(LinkConfig::default(), app);
    h.open(TcpConfig::default());
    h.run_until(SimTime::from_millis(5_000), |_| false);
    let app = &h.app.layer;
    // The ClientHello arrives at 153 166 as for TLS 1.3. The server's plaintext flight,
    // ServerHello 96 + Certificate 3218 + ServerKeyExchange 116 + ServerHelloDone 4 in one
    // 3439-byte record: 1460 + 1460 + 519 bytes, 1200 + 1200 + 448 µs down; complete at the
    // client at 153 166 + 2848 + 50 000 = 206 014. ClientKeyExchange (42) + CCS (6) +
    // Finished (45) = 93 bytes, 133 on the wire: 213 µs up, at the server at 256 227.
    // CCS + Finished = 51 bytes, 91 on the wire: 73 µs down: the client is done at
    // 256 227 + 73 + 50 000 = 306 300, two round trips after TCP (100 126) plus
    // serialisation; the server when the client's Finished arrived.
    assert_eq!(
        app.sessions[0].0.done_at(),
        Some(SimTime::from_micros(306_300))
    );
    assert_eq!(
        app.sessions[0].1.done_at(),
        Some(SimTime::from_micros(256_227))
    );

    // 0-RTT: a 1000-byte request written with the ClientHello reaches the server's
    // application half a round trip after TCP, before the handshake completes.
    let mut got = None;
    let app = TlsApp::<u32, _>::new(
        TlsConfig {
            mode: TlsMode::Tls13ZeroRtt,
            ..TlsConfig::default()
        },
        |_, _, c, s, pair| {
            if c.may_write() && pair.client.written() < 3_000 {
                c.write(&mut pair.client, 1_000, 42);
            }
            if let Some(d) = s.poll_app_data() {
                got = Some((d.at, d.len, d.tag, s.done_at()));
            }
        },
    );
    let mut h = Harness::with(LinkConfig::default(), app);
    h.open(TcpConfig::default());
    h.run_until(SimTime::from_millis(5_000), |_| false);
    drop(h);
    let (at, len, tag, server_done) = got.unwrap_or_default();
    assert_eq!((len, tag, server_done), (1_000, 42, None));
    // ClientHello 2070 bytes + CCS 6 + early data record 1022 = 3098 = 1460 + 1460 + 178
    // bytes, 2400 + 2400 + 349 µs up (218 bytes on the wire: 348.8 rounded up).
    assert_eq!(at, SimTime::from_micros(100_126 + 5_149 + 50_000));
}

#[test]
fn slow_start_doubles_per_round_trip_with_delayed_acks() {
    // With byte counting (RFC 3465) every delayed ACK of two segments grows cwnd by two
    // segments, so each ACK releases four: rounds of 10, 20, 40 segments. At 10 Mbit/s the
    // ACK clock (one ACK per 2400 µs) releases 4800 µs of data per ACK, so from the first
    // ACK of a round the downlink stays busy:
    // round 1: segments sent at T0, last arrives T0 + 12 000 + 50 000 = 212 190;
    // round 2: the ACK of segments 1–2 leaves the client at T0 + 2400 + 50 000 and reaches
    //   the server 64 + 50 000 later, at 252 654; 20 segments later (24 000 µs) the last
    //   arrives at 252 654 + 24 000 + 50 000 = 326 654;
    // round 3: the first pair of round 2 arrives at 252 654 + 2400 + 50 000 = 305 054, its
    //   ACK at the server at 355 118; 40 segments: the last arrives at 453 118.
    let mut h = download(LinkConfig::default(), TcpConfig::default(), 200 * SEG);
    for (t, segments) in [(212_190, 10), (326_654, 30), (453_118, 70)] {
        run_to(&mut h, t - 1);
        assert!(h.pairs()[0].client.received() < segments * SEG);
        run_to(&mut h, t);
        assert_eq!(h.pairs()[0].client.received(), segments * SEG, "at {t}");
    }
    // Round 2's ACKs have come back, round 3's not yet: 40 segments.
    assert_eq!(h.pairs()[0].server.cwnd(), 40 * SEG);
}

#[test]
fn sack_loss_is_repaired_by_fast_retransmit() {
    // Five segments; the second (downlink ordinal 2, after the SYN-ACK) is lost. Segments
    // 3, 4, 5 arrive out of order and are acknowledged at once with SACK blocks; the third
    // SACKed segment makes segment 2 lost (RFC 6675 IsLost). Segment 5 arrives at
    // T0 + 6000 + 50 000 = 206 190, its 52-byte ACK reaches the server 84 + 50 000 later,
    // at 256 274, which retransmits at once: the data is complete at
    // 256 274 + 1200 + 50 000 = 307 474.
    let mut h = download(scripted_down(&[2]), TcpConfig::default(), 5 * SEG);
    assert_eq!(
        run_until_received(&mut h, 5 * SEG),
        SimTime::from_micros(307_474)
    );
    let ev = h.pairs_mut()[0].server.drain_events();
    let lost: Vec<_> = ev
        .iter()
        .filter_map(|e| match e.kind {
            TcpEventKind::Lost { seq, len, by } => Some((e.at.as_micros(), seq, len, by)),
            _ => None,
        })
        .collect();
    assert_eq!(lost, [(256_274, SEG, SEG, LossDetection::Sack)]);
    // The window was 10 segments (app-limited, so no growth): NewReno halves it.
    assert_eq!(h.pairs()[0].server.ssthresh(), 5 * SEG);
    // Head-of-line blocking: segments 3–5 (4380 bytes) waited from the arrival of segment 3
    // (T0 + 3600 + 50 000 = 203 790) for [1460, 2920).
    let hol: Vec<_> = h.pairs_mut()[0]
        .client
        .drain_events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TcpEventKind::HolBlocked {
                from,
                missing_start,
                missing_end,
                held,
            } => Some((
                from.as_micros(),
                e.at.as_micros(),
                missing_start,
                missing_end,
                held,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(hol, [(203_790, 307_474, SEG, 2 * SEG, 3 * SEG)]);
}

#[test]
fn newreno_without_sack_fast_retransmits_on_the_third_dupack() {
    // Without SACK the SYN and SYN-ACK carry 48 bytes (77 µs up, 39 µs down), so the server
    // is established and sends at T0' = 77 + 50 000 + 39 + 50 000 + 64 + 50 000 = 150 180.
    // Eight segments, the second lost. Segment 3 advances the ACK to 1460; segments 4, 5, 6
    // bring duplicate ACKs; the third (segment 6 arrives at T0' + 7200 + 50 000 = 207 380)
    // reaches the server at 207 380 + 64 + 50 000 = 257 444: the retransmission arrives at
    // 257 444 + 1200 + 50 000 = 308 644.
    let cfg = TcpConfig {
        sack: false,
        ..TcpConfig::default()
    };
    let mut h = download(scripted_down(&[2]), cfg, 8 * SEG);
    assert_eq!(
        run_until_received(&mut h, 8 * SEG),
        SimTime::from_micros(308_644)
    );
    let by: Vec<_> = h.pairs_mut()[0]
        .server
        .drain_events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TcpEventKind::Lost { by, .. } => Some((e.at.as_micros(), by)),
            _ => None,
        })
        .collect();
    assert_eq!(by, [(257_444, LossDetection::DupAcks)]);
}

#[test]
fn too_few_dupacks_leave_it_to_the_rto() {
    // Five segments without SACK, the second lost: one cumulative ACK and two duplicates,
    // never three. The server's RTT state: the SYN-ACK sample 150 180 − 50 077 = 100 103 µs
    // (T0' as in the test above) gives SRTT 100 103, RTTVAR 50 051. Segment 3's ACK (leaves
    // at T0' + 3600 + 50 000 = 203 780, arrives 253 844) acknowledges segment 1 (sent at
    // T0'): R = 103 664; RTTVAR = (3·50 051 + 3 561)/4 = 38 428, SRTT = (7·100 103 +
    // 103 664)/8 = 100 548, RTO = 100 548 + 4·38 428 = 254 260 µs, restarted at 253 844: it
    // fires at 508 104 (backed off to 508 520) and the retransmission arrives at
    // 508 104 + 1200 + 50 000 = 559 304.
    let cfg = TcpConfig {
        sack: false,
        ..TcpConfig::default()
    };
    let mut h = download(scripted_down(&[2]), cfg, 5 * SEG);
    assert_eq!(
        run_until_received(&mut h, 5 * SEG),
        SimTime::from_micros(559_304)
    );
    let ev = h.pairs_mut()[0].server.drain_events();
    assert!(ev.iter().any(|e| e.at == SimTime::from_micros(508_104)
        && e.kind
            == TcpEventKind::Timeout {
                rto: SimDuration::from_micros(508_520)
            }));
    assert!(ev.iter().any(|e| e.kind
        == TcpEventKind::Lost {
            seq: SEG,
            len: SEG,
            by: LossDetection::Rto
        }));
    // RFC 5681 §3.1: one segment after a timeout.
    assert_eq!(h.pairs()[0].server.cwnd(), SEG);
}

#[test]
fn a_lost_tail_segment_needs_the_rto_even_with_sack() {
    // The fifth and last segment is lost: nothing arrives after it to produce duplicate ACKs.
    let mut h = download(scripted_down(&[5]), TcpConfig::default(), 5 * SEG);
    let done = run_until_received(&mut h, 5 * SEG);
    let ev = h.pairs_mut()[0].server.drain_events();
    let timeout = ev
        .iter()
        .find(|e| matches!(e.kind, TcpEventKind::Timeout { .. }))
        .map(|e| e.at);
    assert!(timeout.is_some());
    assert_eq!(
        done,
        timeout.unwrap_or_default() + SimDuration::from_micros(51_200)
    );
}

#[test]
fn one_loss_stalls_every_later_byte() {
    // 60 segments, the 12th lost: everything after it waits for its retransmission.
    let mut h = download(scripted_down(&[12]), TcpConfig::default(), 60 * SEG);
    run_until_received(&mut h, 60 * SEG);
    let client = &mut h.pairs_mut()[0].client;
    let mut deliveries = Vec::new();
    while let Some(d) = client.poll_delivery() {
        deliveries.push(d);
    }
    let hole_filled = deliveries
        .iter()
        .find(|d| d.offset + d.len > 11 * SEG)
        .map(|d| d.at);
    // Nothing beyond the hole was delivered before the hole was filled.
    assert!(deliveries
        .iter()
        .filter(|d| d.offset >= 11 * SEG)
        .all(|d| Some(d.at) >= hole_filled));
    let hol: Vec<_> = client
        .drain_events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TcpEventKind::HolBlocked {
                missing_start,
                missing_end,
                held,
                from,
            } => Some((missing_start, missing_end, held, from < e.at)),
            _ => None,
        })
        .collect();
    assert_eq!(hol.len(), 1);
    assert_eq!((hol[0].0, hol[0].1, hol[0].3), (11 * SEG, 12 * SEG, true));
    assert!(hol[0].2 >= 10 * SEG, "held {}", hol[0].2);
}

/// The window right before and right after the fast-recovery reduction.
fn reduction(cc: Algorithm) -> (u64, u64, SimTime) {
    let cfg = TcpConfig {
        congestion: cc,
        ..TcpConfig::default()
    };
    let mut h = download(scripted_down(&[25]), cfg, 300 * SEG);
    let done = run_until_received(&mut h, 300 * SEG);
    let ev = h.pairs_mut()[0].server.drain_events();
    let mut before = 0;
    for e in ev {
        if let TcpEventKind::Cwnd { cwnd, cause, .. } = e.kind {
            if cause == CwndCause::FastRecovery {
                return (before, cwnd, done);
            }
            before = cwnd;
        }
    }
    (before, 0, done)
}

#[test]
fn cubic_backs_off_to_seven_tenths_newreno_to_half() {
    let (reno_before, reno_after, reno_done) = reduction(Algorithm::NewReno);
    let (cubic_before, cubic_after, cubic_done) = reduction(Algorithm::Cubic);
    // Same path, same loss, same window when it was detected.
    assert_eq!(reno_before, cubic_before);
    assert!(reno_before > 20 * SEG, "{reno_before}");
    assert_eq!(reno_after, reno_before / 2);
    assert_eq!(cubic_after, cubic_before * 7 / 10);
    assert!(cubic_done <= reno_done);
}

#[test]
fn rfc6298_minimum_is_selectable() {
    let cfg = TcpConfig {
        min_rto: RFC6298_MIN_RTO,
        ..TcpConfig::default()
    };
    let mut h = download(scripted_down(&[5]), cfg, 5 * SEG);
    run_until_received(&mut h, 5 * SEG);
    let ev = h.pairs_mut()[0].server.drain_events();
    let timeout = ev
        .iter()
        .position(|e| matches!(e.kind, TcpEventKind::Timeout { .. }));
    let last_ack = timeout.and_then(|i| {
        ev[..i]
            .iter()
            .rev()
            .find(|e| matches!(e.kind, TcpEventKind::Acked { .. }))
    });
    // SRTT + 4·RTTVAR is about 300 ms here; the timer restarted with the last new ACK and
    // ran exactly the 1 s floor.
    let fired = timeout.map(|i| ev[i].at);
    assert_eq!(
        fired.zip(last_ack).map(|(t, a)| t - a.at),
        Some(SimDuration::from_secs(1))
    );
}

/// Both directions carry data; everything is checked against what was written.
fn exchange(seed: u64, ppm: u32, up: u64, down: u64, cc: Algorithm, sack: bool) -> Harness<u32> {
    let cfg = TcpConfig {
        congestion: cc,
        sack,
        ..TcpConfig::default()
    };
    let mut h = Harness::new(LinkConfig {
        seed,
        loss: LossModel::Random { ppm },
        ..LinkConfig::default()
    });
    let c = h.open(cfg);
    // Tag every 1000-byte write with its index.
    for i in 0..up.div_ceil(1_000) {
        h.pairs_mut()[c]
            .client
            .write(1_000.min(up - i * 1_000), i as u32);
    }
    for i in 0..down.div_ceil(1_000) {
        h.pairs_mut()[c]
            .server
            .write(1_000.min(down - i * 1_000), i as u32);
    }
    h.flush(c);
    h.run_until(SimTime::from_millis(36_000_000), |h| {
        h.pairs()[0].client.received() == down && h.pairs()[0].server.received() == up
    });
    h
}

fn check_side(
    h: &mut Harness<u32>,
    client_receives: bool,
    total: u64,
) -> Result<(), TestCaseError> {
    let one_way = h.link().config().one_way(if client_receives {
        crate::link::Direction::Down
    } else {
        crate::link::Direction::Up
    });
    let pair = &mut h.pairs_mut()[0];
    let (rx, tx) = if client_receives {
        (&mut pair.client, &mut pair.server)
    } else {
        (&mut pair.server, &mut pair.client)
    };
    let tx_events = tx.drain_events();
    let mut first_sent = std::collections::BTreeMap::new();
    for e in &tx_events {
        if let TcpEventKind::Sent { seq, len, .. } = e.kind {
            if len > 0 {
                first_sent.entry(seq).or_insert((seq + len, e.at));
            }
        }
        if let TcpEventKind::Cwnd { cwnd, cause, .. } = e.kind {
            prop_assert!(cwnd >= SEG, "cwnd {cwnd}");
            if cause == CwndCause::FastRecovery {
                prop_assert!(cwnd >= 2 * SEG, "cwnd {cwnd} after fast recovery");
            }
        }
    }
    let mut next = 0;
    while let Some(d) = rx.poll_delivery() {
        prop_assert_eq!(d.offset, next);
        prop_assert_eq!(u64::from(d.tag), d.offset / 1_000);
        let seg = first_sent.range(..=d.offset).next_back();
        prop_assert!(seg.is_some_and(|(_, &(end, sent))| end > d.offset && d.at >= sent + one_way));
        next += d.len;
    }
    prop_assert_eq!(next, total);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_byte_arrives_in_order_and_runs_repeat(
        seed in any::<u64>(),
        ppm in 0u32..499_999,
        up in 1u64..20_000,
        down in 1u64..120_000,
        cubic in any::<bool>(),
        sack in any::<bool>(),
    ) {
        let cc = if cubic { Algorithm::Cubic } else { Algorithm::NewReno };
        let mut a = exchange(seed, ppm, up, down, cc, sack);
        let b = exchange(seed, ppm, up, down, cc, sack);
        prop_assert_eq!(&a.packets(), &b.packets());
        prop_assert_eq!(a.pairs()[0].client.events(), b.pairs()[0].client.events());
        prop_assert_eq!(a.pairs()[0].server.events(), b.pairs()[0].server.events());
        check_side(&mut a, true, down)?;
        check_side(&mut a, false, up)?;
    }
}

#[test]
fn heavy_loss_both_ways_still_delivers_everything() {
    // 40 % loss each way: many drops, many retransmissions, timeouts, and every byte in order.
    let mut h = exchange(3, 400_000, 30_000, 100_000, Algorithm::Cubic, true);
    let dropped = h
        .packets()
        .iter()
        .filter(|p| p.link.arrival().is_none())
        .count();
    let rexmit = h.packets().iter().filter(|p| p.retransmission).count();
    let timeouts = h.pairs()[0]
        .server
        .events()
        .iter()
        .filter(|e| matches!(e.kind, TcpEventKind::Timeout { .. }))
        .count();
    assert!(
        dropped * 100 / h.packets().len() >= 30,
        "{dropped} of {}",
        h.packets().len()
    );
    assert!(
        rexmit > 50 && timeouts > 5,
        "{rexmit} retransmissions, {timeouts} timeouts"
    );
    assert!(check_side(&mut h, true, 100_000).is_ok());
    assert!(check_side(&mut h, false, 30_000).is_ok());
}
