//! The Linux congestion modules' rules checked by hand: CUBIC's reduction, fast
//! convergence and K; slow start; HyStart's ACK train and delay detection.

use super::*;

fn info(now_us: u64, snd_una: u64, snd_nxt: u64) -> SenderInfo {
    SenderInfo {
        now: SimTime::from_micros(now_us),
        snd_una,
        snd_nxt,
        srtt: SimDuration::from_millis(100),
        mss: 1_448,
        packets_out: 0,
    }
}

/// RFC 9438 §4.6 β_cubic as Linux rounds it: exactly 717/1024 of the window, at least
/// two packets; Reno halves.
#[test]
fn cubic_reduces_by_717_over_1024_reno_by_half() {
    let mut c = LinuxCubic::new(true);
    let w = Window {
        cwnd: 100,
        ..Window::new(10)
    };
    // 100 · 717 / 1024 = 70.02 → 70.
    assert_eq!(c.ssthresh(&w), 70);
    let w = Window {
        cwnd: 1_024,
        ..Window::new(10)
    };
    assert_eq!(c.ssthresh(&w), 717);
    let w = Window {
        cwnd: 2,
        ..Window::new(10)
    };
    assert_eq!(c.ssthresh(&w), 2);
    let mut r = LinuxReno::new(false);
    let w = Window {
        cwnd: 41,
        ..Window::new(10)
    };
    assert_eq!(r.ssthresh(&w), 20);
}

/// Fast convergence: a loss below the last W_max remembers only (1 + β)/2 of the window.
#[test]
fn cubic_fast_convergence_lowers_w_max() {
    let mut c = LinuxCubic::new(false);
    let w = Window {
        cwnd: 100,
        ..Window::new(10)
    };
    c.ssthresh(&w);
    assert_eq!(c.last_max_cwnd, 100);
    let w = Window {
        cwnd: 80,
        ..Window::new(10)
    };
    c.ssthresh(&w);
    // 80 · (1024 + 717) / 2048 = 68.0.
    assert_eq!(c.last_max_cwnd, 68);
}

/// CUBIC (no HyStart) right after a loss at a window of 100 packets: W_max = 100, cwnd and
/// ssthresh 70 (`bictcp_recalc_ssthresh`).
fn cut_from_100() -> (LinuxCubic, Window) {
    let mut c = LinuxCubic::new(false);
    let mut w = Window {
        cwnd: 100,
        ..Window::new(10)
    };
    w.ssthresh = c.ssthresh(&w);
    w.cwnd = w.ssthresh;
    (c, w)
}

/// `bictcp_update` right after a reduction from W_max = 100 to 70: K = cbrt((W_max −
/// cwnd)/C) (RFC 9438 §4.2 eq. 2), in Linux's units of 1/1024 s: cbrt(cube_factor · 30)
/// with cube_factor = 2^40 / 410 = 2 681 735 677, cbrt(80 452 070 310) = 4 316.97 → 4 316
/// (4.215 s; the RFC's cbrt(30/0.4) = 4.217 s).
#[test]
fn cubic_k_after_a_reduction() {
    let (mut c, mut w) = cut_from_100();
    assert_eq!(w.cwnd, 70);
    c.cong_avoid(&mut w, 1, true, info(10_000_000, 0, 0));
    assert_eq!(c.k_and_origin(), (4_316, 100));
    // Far below the origin the increase is slow: cnt = 70 / (target − 70) with the
    // target a few packets up, at most one packet per two ACKs.
    assert!(c.cnt >= 2);
}

/// Slow start grows by the packets ACKed up to ssthresh; the rest goes to congestion
/// avoidance (`tcp_slow_start` returns it).
#[test]
fn slow_start_stops_at_ssthresh() {
    let mut w = Window::new(10);
    w.ssthresh = 14;
    assert_eq!(w.slow_start(3), 0);
    assert_eq!(w.cwnd, 13);
    assert_eq!(w.slow_start(3), 2);
    assert_eq!(w.cwnd, 14);
    // cong_avoid_ai(14, 2): cnt 2 of 14.
    w.cong_avoid_ai(14, 2);
    assert_eq!((w.cwnd, w.cwnd_cnt), (14, 2));
    w.cong_avoid_ai(14, 12);
    assert_eq!((w.cwnd, w.cwnd_cnt), (15, 0));
}

/// `tcp_is_cwnd_limited` false: no growth at all (`cubictcp_cong_avoid` returns).
#[test]
fn no_growth_when_not_cwnd_limited() {
    let mut c = LinuxCubic::new(true);
    let mut w = Window::new(10);
    c.cong_avoid(&mut w, 5, false, info(0, 0, 0));
    assert_eq!(w.cwnd, 10);
    c.cong_avoid(&mut w, 5, true, info(0, 0, 0));
    assert_eq!(w.cwnd, 15);
}

/// HyStart's ACK train at RTT 100 ms: ACKs 1.2 ms apart (one per 1500-byte packet at
/// 10 Mbit/s), the threshold (delay_min + ack_delay) / 2 = (100 000 + 1 000) / 2 =
/// 50 500 µs. A round of 40 ACKs spans 39 · 1.2 = 46.8 ms: no exit; in the next round
/// the 44th ACK is 43 · 1 200 = 51 600 µs > 50 500 after the round start: exit, with
/// ssthresh = cwnd = 80 + 43 = 123 packets (the 44th ACK's own growth comes after, in
/// `cong_avoid`, and is capped by it).
#[test]
fn hystart_ack_train_exits_half_a_min_rtt_into_a_round() {
    let mut c = LinuxCubic::new(true);
    let mut w = Window::new(40);
    let rtt = SimDuration::from_millis(100);
    let mut snd_nxt = 40u64;
    let mut snd_una = 0u64;
    let t0 = 1_000_000u64;
    // Round 1: 40 ACKs of one packet each, 1.2 ms apart, from t0; each sends two.
    for (round, acks) in [(0u64, 40u64), (1, 80)] {
        let start = t0 + round * 100_000;
        for i in 0..acks {
            snd_una += 1;
            let inf = SenderInfo {
                packets_out: snd_nxt - snd_una,
                ..info(start + i * 1_200, snd_una, snd_nxt)
            };
            c.pkts_acked(&mut w, Some(rtt), inf);
            c.cong_avoid(&mut w, 1, true, inf);
            snd_nxt += 2;
            if round == 0 {
                assert_eq!(w.ssthresh, INFINITE_SSTHRESH, "ack {i}");
            }
        }
    }
    assert_eq!(
        c.hystart().and_then(|h| h.exit),
        Some(HyStartExit::AckTrain { cwnd: 123 })
    );
    assert_eq!(w.ssthresh, 123);
}

/// HyStart's delay detection: the minimum of the first eight samples of a round above
/// delay_min + clamp(delay_min/8, 4, 16 ms) ends slow start at the ninth sample; ACKs
/// 3 ms apart never form a train.
#[test]
fn hystart_delay_needs_eight_samples_then_compares() {
    let mut c = LinuxCubic::new(true);
    let mut w = Window::new(20);
    let base = SimDuration::from_millis(100);
    let t0 = 1_000_000u64;
    let (mut una, mut nxt) = (0u64, 20u64);
    // Round 0 sets delay_min = 100 ms.
    for i in 0..20 {
        una += 1;
        c.pkts_acked(&mut w, Some(base), info(t0 + i * 3_000, una, nxt));
        c.cong_avoid(&mut w, 1, true, info(t0 + i * 3_000, una, nxt));
        nxt += 2;
    }
    assert_eq!(w.ssthresh, INFINITE_SSTHRESH);
    // Round 1 at 112.6 ms: 12.6 > 12.5 ms threshold. Samples 1–8 are counted, the 9th
    // compares and exits.
    let high = SimDuration::from_micros(112_600);
    let start = t0 + 100_000;
    let mut exit_at = None;
    for i in 0..40u64 {
        una += 1;
        let inf = info(start + i * 3_000, una, nxt);
        c.pkts_acked(&mut w, Some(high), inf);
        if exit_at.is_none() && w.ssthresh != INFINITE_SSTHRESH {
            exit_at = Some(i);
        }
        c.cong_avoid(&mut w, 1, true, inf);
        nxt += 2;
    }
    // The round began at the first ACK past end_seq (ACK index 0 of round 1, which is
    // also its first sample): samples 0..=7 fill the eight, sample 8 exits.
    assert_eq!(exit_at, Some(8));
    assert_eq!(
        c.hystart().and_then(|h| h.exit),
        Some(HyStartExit::Delay { cwnd: 48 })
    );
}

/// RFC 9438 §4.2 eq. 1, W_cubic(t) = C·(t − K)³ + W_max, as `bictcp_update` follows it:
/// RFC 9438 §4.4 sets the window to reach W_cubic(t + RTT) within the next round, and Linux
/// evaluates its target at t + delay_min. From W_max = 100 packets cut to 70, with
/// C = 410/1024 and K = 4 316/1024 s (above), RTT 100 ms, one ACK per packet spread over
/// each round. By hand, with the RFC's C = 0.4 and K = 4.217 s: at t = K/2 the target is
/// W(K/2 + RTT) = 100 − 0.4 · (2.1086 − 0.1)³ = 100 − 3.24 = 96.76 packets; at t = K it is
/// W(K + RTT) = 100 + 0.4 · 0.1³ = 100.0004. The window is within one packet of both.
#[test]
fn cubic_window_follows_w_of_t_at_half_k_and_k() {
    let (mut c, mut w) = cut_from_100();
    let start = 10_000_000u64;
    let rtt_us = 100_000u64;
    // delay_min = 100 ms, from the ACKs' RTT samples.
    c.pkts_acked(
        &mut w,
        Some(SimDuration::from_micros(rtt_us)),
        info(start, 0, 0),
    );
    let k = 4.217_163;
    let target = |t_s: f64| 0.4 * (t_s + 0.1 - k).powi(3) + 100.0;
    let mut seen = Vec::new();
    let mut now = start;
    // ACKs spaced RTT / cwnd apart; the window read at t = K/2 and t = K.
    for check in [k / 2.0, k] {
        let until = start + (check * 1e6) as u64;
        while now < until {
            let gap = rtt_us / w.cwnd;
            c.cong_avoid(&mut w, 1, true, info(now, 0, 0));
            now += gap;
        }
        let t = (now - start) as f64 / 1e6;
        seen.push((t, w.cwnd, target(t)));
    }
    for (t, cwnd, want) in seen {
        assert!(
            (cwnd as f64 - want).abs() <= 1.0,
            "cwnd {cwnd} at t = {t:.3} s; W(t + RTT) = {want:.2}"
        );
    }
}
