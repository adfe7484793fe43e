//! Connections over the link, with times derived by hand.
//!
//! The default link: RTT 100 ms (50 ms each way), 10 Mbit/s down, 5 Mbit/s up. Both ends use
//! timestamps (RFC 7323), so every segment carries 12 option bytes: a full segment holds
//! 1448 payload bytes, 1500 on the wire, 1200 µs down. A pure ACK is 52 bytes, 84 µs up
//! (83.2 rounded up); with one SACK block 64 bytes, 103 µs up; a SYN or SYN-ACK 60 bytes
//! (MSS, SACK-permitted, timestamps, window scale: 20 option bytes), 96 µs up, 48 µs down.
//!
//! Handshake: SYN leaves at 0, arrives 96 + 50 000 = 50 096; the SYN-ACK arrives
//! 50 096 + 48 + 50 000 = 100 144 (client established); the client's pure ACK arrives at
//! 100 144 + 84 + 50 000 = 150 228 (server established). So a server that wrote its data up
//! front sends its initial window at T0 = 150 228, and data segment k (from 1) arrives at the
//! client at T0 + 1200·k + 50 000.
//!
//! The client ACKs each of the first segments at once (Linux `tcp_event_data_recv`: up to
//! 16 quick ACKs at the start), so the ACK of segment k reaches the server at
//! T0 + 1200·k + 100 084.
//!
//! RTT state of the server (Linux `tcp_rtt_estimator`): the SYN-ACK sample
//! 150 228 − 50 096 = 100 132 µs gives SRTT 100 132, mdev 200 264, rttvar =
//! max(mdev, 200 ms) = 200 264: RTO = 300 396 µs → 76 jiffies of 4 ms = 304 ms.
//!
//! One file of about 700 lines on purpose: every test is read against the one timeline
//! derived above (T0, the arrival of segment k, the RTO), which a split would repeat or
//! send the reader back for.

use proptest::prelude::*;

use super::prr::{prr_sndcnt, Prr};
use super::testing::{Harness, TlsApp};
use super::*;
use crate::link::{LinkConfig, LossModel};
use crate::time::SimTime;
use crate::transport::cc::Algorithm;
use crate::transport::tls::{TlsConfig, TlsMode};

const T0: u64 = 150_228;
const SEG: u64 = MSS_WITH_TIMESTAMPS;

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

fn lost(ev: &[TcpEvent]) -> Vec<(u64, u64, LossDetection)> {
    ev.iter()
        .filter_map(|e| match e.kind {
            TcpEventKind::Lost { seq, by, .. } => Some((e.at.as_micros(), seq / SEG, by)),
            _ => None,
        })
        .collect()
}

#[test]
fn handshake_takes_one_round_trip_plus_serialisation() {
    let mut h = download(LinkConfig::default(), TcpConfig::default(), 0);
    run_to(&mut h, 1_000_000);
    let p = &h.pairs()[0];
    assert_eq!(
        p.client.established_at(),
        Some(SimTime::from_micros(100_144))
    );
    assert_eq!(p.server.established_at(), Some(SimTime::from_micros(T0)));
    // The SYN-ACK gave the client an RTT sample of exactly that.
    assert_eq!(p.client.rtt().srtt, Some(SimDuration::from_micros(100_144)));
    // Linux tcp_rtt_estimator's first sample: RTO = SRTT + max(2·SRTT, 200 ms) = 300 396 µs
    // for the server, kept in 4 ms jiffies: 304 ms.
    assert_eq!(p.server.rtt().rto(), SimDuration::from_millis(304));
    assert_eq!(h.packets().len(), 3);
    // RFC 7323 timestamps: 1448 payload bytes per full segment.
    assert_eq!(p.server.mss(), 1_448);
}

/// Linux `tcp_select_initial_window`: half of tcp_rmem[1] = 65 536, rounded down to a
/// multiple of the MSS: the client's SYN offers 64 240 (44 × 1460), the server, answering a
/// SYN with timestamps, 65 160 (45 × 1448). Once established the window is scaled (wscale
/// 10 for tcp_rmem[2] = 32 MiB: ilog2(2^25) − 15), so the client offers 64 240 rounded up
/// to 1 KiB: 64 512. Autotuning (`tcp_rcv_space_adjust`): the receiver's RTT from the
/// timestamps is 101 ms; the first round trip that reads more than 10 × 1460 bytes (the 20
/// segments of the second round, 28 960 bytes against 14 600) sizes the window clamp at
/// 2·28 960 + 2·⌊(2·28 960)·(28 960 − 14 600)/14 600⌋ = 57 920 + 2·56 967 = 171 854.
#[test]
fn receive_window_starts_at_64_kib_and_autotunes() {
    let mut h = download(LinkConfig::default(), TcpConfig::default(), 0);
    run_to(&mut h, 120_000);
    assert_eq!(h.pairs()[0].server.offered_window(), 65_160);
    run_to(&mut h, 1_000_000);
    assert_eq!(h.pairs()[0].client.offered_window(), 64_512);
    assert_eq!(h.pairs()[0].client.receive_window_state(), (65_536, 64_240));
    let mut h = download(LinkConfig::default(), TcpConfig::default(), 200 * SEG);
    // Round 2's last segment arrives at 325 512 (see the slow-start test); the next
    // delivery after T0 + 1200 + 50 000 + 2·101 ms triggers the adjustment.
    run_to(&mut h, 403_000);
    assert_eq!(h.pairs()[0].client.receive_window_state().0, 65_536);
    run_to(&mut h, 460_000);
    assert_eq!(h.pairs()[0].client.receive_window_state().0, 171_854);
}

#[test]
fn tls13_completes_one_round_trip_after_tcp() {
    let app = TlsApp::<u32, _>::new(TlsConfig::default(), |_, _, _, _, _| {});
    let mut h = Harness::with(LinkConfig::default(), app);
    h.open(TcpConfig::default());
    h.run_until(SimTime::from_millis(5_000), |_| false);
    let app = &h.app.layer;
    let (c, s) = &app.sessions[0];
    // At 100 144 the client ACKs the SYN-ACK on its own (a 52-byte segment, 84 µs: Linux
    // `tcp_rcv_synsent_state_process` sends the ACK before any data) and writes its
    // 1820-byte ClientHello record: 1448 + 372 bytes, 1500 + 424 on the wire, 2400 + 679 µs
    // up (678.4 rounded up). Its last byte arrives at 100 144 + 84 + 3079 + 50 000 =
    // 153 307. The server
    // answers with ServerHello (1215) + CCS (6) + one encrypted record of EE, Certificate
    // (3218), CertificateVerify, Finished (3359 + 22) = 4602 bytes: 3 full segments and 258
    // bytes, 3·1200 + 248 µs down. The client has the server's Finished at
    // 153 307 + 3848 + 50 000 = 207 155: one RTT plus serialisation after TCP.
    let rtt_plus = 100_000 + 84 + 3_079 + 3_848;
    assert_eq!(c.done_at(), Some(SimTime::from_micros(100_144 + rtt_plus)));
    // Client Finished (CCS 6 + 58) = 64 bytes, one 116-byte segment: 186 µs up (185.6); the
    // uplink is free (the quick ACK of the third segment, sent at 206 907, took 84 µs).
    assert_eq!(
        s.done_at(),
        Some(SimTime::from_micros(207_155 + 186 + 50_000))
    );
}

#[test]
fn a_certificate_chain_beyond_the_initial_window_costs_a_round_trip() {
    // A 16 000-byte chain: the server flight is 1215 + 6 + (25 + 16 018 + 80 + 36 + 22)
    // = 17 402 bytes, 12 full segments and 26 bytes: 13 segments, but the initial window is
    // 10. The client ACKs each at once; the ACK of segment 1 (at the client at
    // 153 307 + 1200 + 50 000 = 204 507, at the server 84 + 50 000 later: 254 591) grows
    // cwnd to 11 (slow start, `tcp_is_cwnd_limited`: 11 < 2 × 10 in flight), which lets
    // segments 11 and 12 go; the ACK of segment 2 (255 791) lets segment 13 (26 bytes, 78 on
    // the wire: 63 µs) go behind them, at 254 591 + 2400: it arrives at
    // 256 991 + 63 + 50 000 = 307 054, about one RTT later than with the default chain.
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
        Some(SimTime::from_micros(307_054))
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
    // The ClientHello arrives at 153 307 as for TLS 1.3. The server's plaintext flight,
    // ServerHello 96 + Certificate 3218 + ServerKeyExchange 116 + ServerHelloDone 4 in one
    // 3439-byte record: 1448 + 1448 + 543 bytes, 1200 + 1200 + 476 µs down; complete at the
    // client at 153 307 + 2876 + 50 000 = 206 183. ClientKeyExchange (42) + CCS (6) +
    // Finished (45) = 93 bytes, 145 on the wire: 232 µs up, at the server at 256 415.
    // CCS + Finished = 51 bytes, 103 on the wire: 83 µs down: the client is done at
    // 256 415 + 83 + 50 000 = 306 498, two round trips after TCP (100 144) plus
    // serialisation; the server when the client's Finished arrived.
    assert_eq!(
        app.sessions[0].0.done_at(),
        Some(SimTime::from_micros(306_498))
    );
    assert_eq!(
        app.sessions[0].1.done_at(),
        Some(SimTime::from_micros(256_415))
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
    // After the 84 µs ACK, ClientHello 2070 bytes + CCS 6 + early data record 1022 = 3098 =
    // 1448 + 1448 + 202 bytes, 2400 + 2400 + 407 µs up (254 bytes on the wire: 406.4
    // rounded up).
    assert_eq!(at, SimTime::from_micros(100_144 + 84 + 5_207 + 50_000));
}

#[test]
fn slow_start_doubles_per_round_trip() {
    // Slow start grows by one segment per segment acknowledged (`tcp_slow_start`). The
    // client's first data segment sets 16 quick ACKs (`tcp_incr_quickack`), and the first
    // raise of its window (`tcp_grow_window`: `icsk_ack.quick |= 1`) makes that 17: it ACKs
    // segments 1–17 one by one, then every second one (`__tcp_ack_snd_check`: more than one
    // full segment since the last ACK), an odd last one after the 40 ms delayed-ACK timer.
    // Rounds of 10, 20, 40 segments; from the first ACK of a round the downlink stays busy
    // (each ACK of one segment releases two: 2400 µs of data per 1200 µs of ACK clock):
    // round 1: segments sent at T0, the last arrives T0 + 12 000 + 50 000 = 212 228;
    // round 2: the ACK of segment 1 reaches the server at T0 + 1200 + 100 084 = 251 512;
    //   20 segments later (24 000 µs) the last arrives at 251 512 + 24 000 + 50 000 =
    //   325 512;
    // round 3: the first of round 2 arrives at 251 512 + 1200 + 50 000 = 302 712, its ACK at
    //   the server at 352 796. Segments 11–17 are ACKed singly (7 ACKs, 2 segments each),
    //   18–29 in pairs (6 ACKs, 4 each): 38 segments back to back, the last arriving at
    //   352 796 + 45 600 + 50 000 = 448 396. Segment 30 is ACKed by the delayed-ACK timer,
    //   at 325 512 + 40 000 = 365 512, at the server at 415 596: the last two arrive at
    //   415 596 + 2400 + 50 000 = 467 996.
    let mut h = download(LinkConfig::default(), TcpConfig::default(), 200 * SEG);
    for (t, segments) in [(212_228, 10), (325_512, 30), (448_396, 68), (467_996, 70)] {
        run_to(&mut h, t - 1);
        assert!(h.pairs()[0].client.received() < segments * SEG);
        run_to(&mut h, t);
        assert_eq!(h.pairs()[0].client.received(), segments * SEG, "at {t}");
        if t == 448_396 {
            // Round 2's ACKs have all come back (the delayed one too), round 3's not yet.
            assert_eq!(h.pairs()[0].server.cwnd_packets(), 40);
        }
    }
}

#[test]
fn sack_loss_is_repaired_by_rack() {
    // Five segments; the second (downlink ordinal 2, after the SYN-ACK) is lost. Segments
    // 3, 4, 5 arrive out of order and are acknowledged at once with SACK blocks (64-byte
    // ACKs, 103 µs up). RACK (RFC 8985 §6.2, `tcp_rack_detect_loss`): segment 2 was sent
    // before the SACKed segment 3; with fewer than three segments SACKed the reordering
    // window is min_rtt/4 = 100 132/4 = 25 033 µs, so the SACK of 3 and of 4 only arm the
    // reordering timer; the third SACK (`tcp_rack_reo_wnd`: sacked_out ≥ reordering: no
    // window) marks it lost. Segment 5 arrives at T0 + 6000 + 50 000 = 206 228, its ACK at
    // the server at 256 331, which retransmits at once: the data is complete at
    // 256 331 + 1200 + 50 000 = 307 531.
    let mut h = download(scripted_down(&[2]), TcpConfig::default(), 5 * SEG);
    assert_eq!(
        run_until_received(&mut h, 5 * SEG),
        SimTime::from_micros(307_531)
    );
    let ev = h.pairs_mut()[0].server.drain_events();
    assert_eq!(lost(&ev), [(256_331, 1, LossDetection::Rack)]);
    // The window was 10 segments (application-limited: 10 < 2 × 5 in flight is false, so
    // no growth): CUBIC's ssthresh is 10 · 717/1024 = 7 segments (`cubictcp_recalc_ssthresh`).
    assert_eq!(h.pairs()[0].server.ssthresh(), 7 * SEG);
    // Head-of-line blocking: segments 3–5 (4344 bytes) waited from the arrival of segment 3
    // (T0 + 3600 + 50 000 = 203 828) for [1448, 2896).
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
    assert_eq!(hol, [(203_828, 307_531, SEG, 2 * SEG, 3 * SEG)]);
}

#[test]
fn newreno_without_sack_fast_retransmits_on_the_third_dupack() {
    // Without SACK the SYN still carries timestamps (20 option bytes), so the handshake takes
    // as long. Eight segments, the second lost. Segment 1 is ACKed at once; segments 3, 4, 5
    // each bring a duplicate ACK (an out-of-order segment is acknowledged at once); the third
    // (`tcp_newreno_mark_lost`: sacked_out ≥ reordering) — segment 5 arrives at
    // T0 + 6000 + 50 000 = 206 228 — reaches the server at 206 228 + 84 + 50 000 = 256 312:
    // the retransmission arrives at 256 312 + 1200 + 50 000 = 307 512.
    let cfg = TcpConfig {
        sack: false,
        ..TcpConfig::default()
    };
    let mut h = download(scripted_down(&[2]), cfg, 8 * SEG);
    assert_eq!(
        run_until_received(&mut h, 8 * SEG),
        SimTime::from_micros(307_512)
    );
    let ev = h.pairs_mut()[0].server.drain_events();
    assert_eq!(lost(&ev), [(256_312, 1, LossDetection::DupAcks)]);
}

#[test]
fn too_few_dupacks_leave_it_to_the_rto() {
    // Four segments without SACK (so no tail loss probe), the second lost: one ACK and two
    // duplicates, never three. The server's RTT state after the SYN-ACK (SRTT 100 132,
    // rttvar 200 264) takes the ACK of segment 1 (sent at T0, ACKed at 251 512): R = 101 284,
    // SRTT = 100 132 + 1152/8 = 100 276, mdev 151 350, rttvar stays 200 264: RTO = 300 540
    // µs → 304 ms, restarted at 251 512: it fires at 555 512 (backed off to 608 ms), and the
    // retransmission arrives at 555 512 + 1200 + 50 000 = 606 712.
    let cfg = TcpConfig {
        sack: false,
        ..TcpConfig::default()
    };
    let mut h = download(scripted_down(&[2]), cfg, 4 * SEG);
    assert_eq!(
        run_until_received(&mut h, 4 * SEG),
        SimTime::from_micros(606_712)
    );
    let ev = h.pairs_mut()[0].server.drain_events();
    assert!(ev.iter().any(|e| e.at == SimTime::from_micros(555_512)
        && e.kind
            == TcpEventKind::Timeout {
                rto: SimDuration::from_millis(608)
            }));
    // tcp_enter_loss: every segment not acknowledged is lost (no RACK reference without
    // SACK); cwnd = in flight + 1 = 1 segment (RFC 5681 §3.1).
    assert_eq!(lost(&ev)[0], (555_512, 1, LossDetection::Rto));
    assert_eq!(h.pairs()[0].server.cwnd(), SEG);
}

/// RFC 8985 §7 / Linux `tcp_schedule_loss_probe`: with two or more segments out, the probe
/// timeout is 2·SRTT + 2 ms, not the RTO. Five segments, the last two lost. The ACKs of
/// segments 1–3 reach the server at 251 512, 252 712, 253 912 (samples 101 284, 102 484,
/// 103 684 µs: SRTT 100 276, 100 552, 100 943). After the last one two segments are out:
/// PTO = 2 · 100 943 + 2000 = 203 886 µs → 51 jiffies = 204 ms, below the RTO (304 ms): the
/// probe — the last segment again (no new data) — leaves at 253 912 + 204 000 = 457 912.
/// It arrives at 509 112; its SACK (at the server at 559 215) makes RACK mark segment 4 lost
/// (sent long before the probe), which goes out at once and arrives at 610 415. No
/// retransmission timeout: the tail cost one probe.
#[test]
fn a_lost_tail_costs_a_probe_at_two_srtt_not_an_rto() {
    let mut h = download(scripted_down(&[4, 5]), TcpConfig::default(), 5 * SEG);
    let done = run_until_received(&mut h, 5 * SEG);
    assert_eq!(done, SimTime::from_micros(610_415));
    let ev = h.pairs_mut()[0].server.drain_events();
    let probes: Vec<_> = ev
        .iter()
        .filter_map(|e| match e.kind {
            TcpEventKind::LossProbe { seq, new_data, .. } => {
                Some((e.at.as_micros(), seq / SEG, new_data))
            }
            _ => None,
        })
        .collect();
    assert_eq!(probes, [(457_912, 4, false)]);
    assert!(!ev
        .iter()
        .any(|e| matches!(e.kind, TcpEventKind::Timeout { .. })));
    assert_eq!(lost(&ev), [(559_215, 3, LossDetection::Rack)]);
}

/// With one segment out the probe allows for a delayed ACK (`packets_out == 1`: 2·SRTT +
/// tcp_rto_min), which the RTO bounds. Five segments, the fifth lost: after the ACK of
/// segment 4 (255 112; SRTT 101 436) the PTO would be 202 872 + 200 000 → 404 ms, more than
/// the RTO of 304 ms: the probe leaves at 255 112 + 304 000 = 559 112, a probe and not a
/// timeout (the window is kept), and the data is complete at 559 112 + 51 200.
#[test]
fn a_single_lost_tail_segment_is_probed_at_the_rto_bound() {
    let mut h = download(scripted_down(&[5]), TcpConfig::default(), 5 * SEG);
    let done = run_until_received(&mut h, 5 * SEG);
    let ev = h.pairs_mut()[0].server.drain_events();
    let probe = ev
        .iter()
        .find(|e| matches!(e.kind, TcpEventKind::LossProbe { .. }))
        .map(|e| e.at);
    assert_eq!(probe, Some(SimTime::from_micros(559_112)));
    assert!(!ev
        .iter()
        .any(|e| matches!(e.kind, TcpEventKind::Timeout { .. })));
    assert_eq!(done, SimTime::from_micros(559_112 + 51_200));
    assert_eq!(h.pairs()[0].server.cwnd_packets(), 10);
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

/// The window when fast recovery began and the threshold it set.
fn reduction(cc: Algorithm) -> (u64, u64, SimTime) {
    let cfg = TcpConfig {
        congestion: cc,
        ..TcpConfig::default()
    };
    let mut h = download(scripted_down(&[25]), cfg, 300 * SEG);
    let done = run_until_received(&mut h, 300 * SEG);
    let ev = h.pairs_mut()[0].server.drain_events();
    for e in ev {
        if let TcpEventKind::Cwnd {
            cwnd,
            ssthresh,
            cause: CwndCause::FastRecovery,
            ..
        } = e.kind
        {
            return (cwnd / SEG, ssthresh / SEG, done);
        }
    }
    (0, 0, done)
}

/// `tcp_reno_ssthresh` halves (RFC 5681 §3.1); `cubictcp_recalc_ssthresh` keeps
/// 717/1024 (RFC 9438 §4.6's β_cubic = 0.7 as Linux rounds it).
#[test]
fn cubic_backs_off_to_seven_tenths_newreno_to_half() {
    let (reno_before, reno_after, reno_done) = reduction(Algorithm::NewReno);
    let (cubic_before, cubic_after, cubic_done) = reduction(Algorithm::Cubic);
    // Same path, same loss, same window when it was detected (both in slow start).
    assert_eq!(reno_before, cubic_before);
    assert!(reno_before > 20, "{reno_before}");
    assert_eq!(reno_after, reno_before / 2);
    assert_eq!(cubic_after, cubic_before * 717 / 1024);
    assert!(cubic_done <= reno_done);
}

/// RFC 6937 §3 as Linux computes it (`tcp_cwnd_reduction`): from a window of 20 with
/// ssthresh 14 (CUBIC's 717/1024), while in flight stays above ssthresh each ACK delivering
/// one segment lets ⌈14 · delivered / 20⌉ − sent go: 1, 1, 1, 0, 1, 1, 0, 1, 1, 0 — seven
/// segments for ten delivered, the window spread down over one round trip.
#[test]
fn prr_sends_the_proportional_share_per_ack() {
    let mut out = 0;
    let mut pattern = Vec::new();
    for delivered in 1..=10 {
        let n = prr_sndcnt(Prr {
            ssthresh: 14,
            in_flight: 19,
            prior_cwnd: 20,
            prr_delivered: delivered,
            prr_out: out,
            newly_acked_sacked: 1,
            snd_una_advanced: false,
            newly_lost: 0,
        });
        out += n;
        pattern.push(n);
    }
    assert_eq!(pattern, [1, 1, 1, 0, 1, 1, 0, 1, 1, 0]);
    // At or below ssthresh (PRR-SSRB): what was delivered and not yet sent, plus one when
    // the ACK advanced snd_una without new losses, up to ssthresh − in flight.
    let ssrb = |in_flight, una| {
        prr_sndcnt(Prr {
            ssthresh: 14,
            in_flight,
            prior_cwnd: 20,
            prr_delivered: 12,
            prr_out: 10,
            newly_acked_sacked: 1,
            snd_una_advanced: una,
            newly_lost: 0,
        })
    };
    assert_eq!(ssrb(10, false), 2);
    assert_eq!(ssrb(10, true), 3);
    assert_eq!(ssrb(13, true), 1);
}

#[test]
fn rfc6298_minimum_is_selectable() {
    // Without the probe (which would fire at the same bound), a lost tail needs the RTO.
    let cfg = TcpConfig {
        min_rto: RFC6298_MIN_RTO,
        rto: RtoRule::Rfc6298,
        tlp: false,
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
        if let TcpEventKind::Cwnd { cwnd, .. } = e.kind {
            // At least one segment (PRR may take the window down to what is in flight
            // plus one, `tcp_cwnd_reduction`).
            prop_assert!(cwnd >= SEG, "cwnd {cwnd}");
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

/// HyStart (`tcp_cubic.c hystart_update`) ends slow start on a lossless path before the
/// one-BDP queue overflows: the default link's bottleneck holds BDP + queue = 2 × 125 000
/// bytes ≈ 166 segments, and doubling from there would drop. Over a 2 000-segment download
/// slow start ends by the delay test — the minimum RTT of a round's first eight ACKs above
/// delay_min + 12.5 ms (`HYSTART_DELAY_THRESH(delay_min >> 3)`) — at 132 segments, with no
/// loss in slow start (the later drops are CUBIC probing above W_max, after 1.4 s). With an
/// ACK for every segment, at 72 segments.
#[test]
fn hystart_ends_slow_start_before_the_queue_overflows() {
    for (delack, exit_cwnd) in [(LINUX_DELACK, 132), (SimDuration::ZERO, 72)] {
        let cfg = TcpConfig {
            delayed_ack: delack,
            ..TcpConfig::default()
        };
        let mut h = download(LinkConfig::default(), cfg, 2_000 * SEG);
        run_until_received(&mut h, 2_000 * SEG);
        assert_eq!(
            h.pairs()[0].server.hystart_exit(),
            Some(crate::transport::cc::linux::HyStartExit::Delay { cwnd: exit_cwnd })
        );
        let first_drop = h
            .packets()
            .iter()
            .find(|p| p.link.arrival().is_none())
            .map(|p| p.sent_at);
        assert!(
            first_drop.is_none_or(|t| t > SimTime::from_millis(1_400)),
            "{first_drop:?}"
        );
    }
}
