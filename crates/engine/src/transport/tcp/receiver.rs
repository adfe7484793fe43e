//! The receiving half, as Linux's `tcp_input.c` receives: reassembly and in-order delivery
//! with head-of-line blocking recorded; the ACK policy (`tcp_event_data_recv`,
//! `__tcp_ack_snd_check`, `tcp_send_delayed_ack`, `tcp_cleanup_rbuf`, quick ACKs and the
//! ping-pong mode, SACK compression); SACK (RFC 2018) and DSACK (RFC 2883) blocks; and the
//! advertised window (`tcp_select_initial_window`, `tcp_grow_window`,
//! `__tcp_select_window`, receive-buffer autotuning `tcp_rcv_space_adjust` /
//! `tcp_rcvbuf_grow`).
//!
//! The application reads every in-order byte as soon as it arrives (Chromium and nginx
//! read from the socket as data becomes readable), so the receive queue holds only the
//! out-of-order bytes; `tcp_recvmsg`'s side effects (autotuning and the ACK decision of
//! `tcp_cleanup_rbuf`) run right after each delivery. Skbs are charged at twice their
//! payload (the default `scaling_ratio` of 50 %, TCP_DEFAULT_SCALING_RATIO).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::event::{TcpEvent, TcpEventKind};
use super::segment::{SackBlock, Span, MAX_SACK_BLOCKS, MAX_SACK_BLOCKS_WITH_TIMESTAMPS};
use crate::time::{SimDuration, SimTime};
use crate::transport::quic::ranges::RangeSet;

/// Linux TCP_ATO_MIN (HZ/25): the delayed-ACK timeout starts, and is floored, at 40 ms.
pub const ATO_MIN: SimDuration = SimDuration::from_millis(40);
/// Linux TCP_DELACK_MAX (HZ/5): 200 ms, the delayed-ACK cap in ping-pong mode
/// (`icsk_delack_max`).
pub const DELACK_MAX: SimDuration = SimDuration::from_millis(200);
/// Linux `tcp_send_delayed_ack`: `max_ato = HZ / 2` outside ping-pong mode.
const DELACK_MAX_BULK: SimDuration = SimDuration::from_millis(500);
/// Linux TCP_MAX_QUICKACKS: at most 16 quick ACKs.
pub const MAX_QUICKACKS: u32 = 16;
/// Linux TCP_MSS_DEFAULT: the first guess of the peer's segment size (`tcp_initialize_rcv_mss`).
const MSS_DEFAULT: u64 = 536;
/// Linux TCP_MIN_MSS.
const MIN_MSS: u64 = 88;
/// Linux `tcp_event_data_recv`: only segments of at least 128 bytes grow the window.
const GROW_MIN_LEN: u64 = 128;
/// Linux TCP_FASTRETRANS_THRESH: the first three duplicate ACKs for one `rcv_nxt` go out at
/// once, later ones are compressed (`__tcp_ack_snd_check`).
const FASTRETRANS_THRESH: u32 = 3;
/// `sysctl_tcp_comp_sack_nr` default: at most 44 ACKs compressed into one.
const COMP_SACK_NR: u32 = 44;
/// `sysctl_tcp_comp_sack_delay_ns` default: 1 ms.
const COMP_SACK_DELAY: SimDuration = SimDuration::from_millis(1);
/// `sysctl_tcp_app_win` default 31, `tcp_init_buffer_space`: reserves nothing at this scale.
/// Linux TCP_INIT_CWND: the autotuning's first estimate is ten segments.
const INIT_SPACE_SEGMENTS: u64 = 10;
/// Linux `tcp_measure_rcv_mss`: ICSK_ACK_PUSHED, ICSK_ACK_PUSHED2.
const PUSHED: u8 = 1;
const PUSHED2: u8 = 2;
/// Linux TCP_MAX_WSCALE.
const MAX_WSCALE: u32 = 14;

/// Bytes handed to the application, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery<T> {
    pub at: SimTime,
    /// Stream offset of the first byte.
    pub offset: u64,
    pub len: u64,
    pub tag: T,
}

#[derive(Clone, Debug)]
struct Held<T> {
    end: u64,
    spans: Vec<Span<T>>,
}

/// Knobs of the receiving half.
#[derive(Clone, Copy, Debug)]
pub(super) struct RecvConfig {
    /// `advmss`: the MSS this end announced (1460).
    pub advmss: u64,
    /// TCP_ATO_MIN; zero acknowledges every segment at once.
    pub delack: SimDuration,
    /// `tcp_rmem[1]`, `tcp_rmem[2]`.
    pub rmem_default: u64,
    pub rmem_max: u64,
    pub timestamps: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Receiver<T> {
    cfg: RecvConfig,
    pub rcv_nxt: u64,
    ooo: BTreeMap<u64, Held<T>>,
    /// The union of `ooo`'s ranges, overlapping and adjacent ones merged: the SACK blocks.
    ooo_blocks: RangeSet,
    ooo_bytes: u64,
    /// Start of the most recently received out-of-order segment (RFC 2018 §4: its block
    /// goes first).
    latest_ooo: Option<u64>,
    /// RFC 2883: a duplicate to report in the first SACK block of the next ACK.
    dsack: Option<SackBlock>,
    /// Since when bytes beyond a hole have been held.
    hol_since: Option<SimTime>,
    pub deliveries: VecDeque<Delivery<T>>,

    // The window.
    /// `rcv_wup`: `rcv_nxt` when the last ACK was sent; `rcv_wnd`: the window it offered.
    rcv_wup: u64,
    rcv_wnd: u64,
    rcv_ssthresh: u64,
    window_clamp: u64,
    /// `sk_rcvbuf`, bytes of memory (twice the window).
    rcvbuf: u64,
    /// `rx_opt.rcv_wscale`.
    wscale: u32,
    /// `icsk_ack.rcv_mss` and `last_seg_size`.
    rcv_mss: u64,
    last_seg_size: u64,

    // The ACK policy (`icsk->icsk_ack`).
    quick: u32,
    pingpong: u32,
    /// `ato`; `None` until the first data segment (`!icsk->icsk_ack.ato`).
    ato: Option<SimDuration>,
    lrcvtime: Option<SimTime>,
    /// ICSK_ACK_SCHED: an ACK is owed.
    ack_scheduled: bool,
    /// ICSK_ACK_NOW or a decision to ACK now: `poll_transmit` sends an ACK.
    pub ack_now: bool,
    pushed: u8,
    pub delack_at: Option<SimTime>,
    /// SACK compression: `compressed_ack_timer`, `compressed_ack`, `dup_ack_counter`,
    /// `compressed_ack_rcv_nxt`.
    pub comp_at: Option<SimTime>,
    compressed_ack: u32,
    dup_ack_counter: u32,
    compressed_rcv_nxt: u64,

    // Timestamps and the receiver's RTT (`rcv_rtt_est`), for autotuning.
    /// `ts_recent`: the TSval to echo.
    pub ts_recent: Option<u32>,
    rcv_rtt_last_tsecr: Option<u32>,
    /// `rcv_rtt_est.rtt_us` (8 × µs), `.seq`, `.time`.
    rcv_rtt8: u64,
    rcv_rtt_seq: u64,
    rcv_rtt_time: Option<SimTime>,
    /// `rcvq_space`: bytes read in the last measured round trip, and since when.
    space: u64,
    space_seq: u64,
    space_time: SimTime,
}

/// `tcp_win_from_space` at the default scaling ratio of one half, and its inverse.
fn win_from_space(space: u64) -> u64 {
    space / 2
}
fn space_from_win(win: u64) -> u64 {
    win * 2
}

impl<T: Copy> Receiver<T> {
    pub fn new(cfg: RecvConfig) -> Self {
        Receiver {
            cfg,
            rcv_nxt: 0,
            ooo: BTreeMap::new(),
            ooo_blocks: RangeSet::default(),
            ooo_bytes: 0,
            latest_ooo: None,
            dsack: None,
            hol_since: None,
            deliveries: VecDeque::new(),
            rcv_wup: 0,
            rcv_wnd: 0,
            rcv_ssthresh: 0,
            window_clamp: 0,
            rcvbuf: cfg.rmem_default,
            wscale: 0,
            rcv_mss: MSS_DEFAULT,
            last_seg_size: 0,
            quick: 0,
            pingpong: 0,
            ato: None,
            lrcvtime: None,
            ack_scheduled: false,
            ack_now: false,
            pushed: 0,
            delack_at: None,
            comp_at: None,
            compressed_ack: 0,
            dup_ack_counter: 0,
            compressed_rcv_nxt: 0,
            ts_recent: None,
            rcv_rtt_last_tsecr: None,
            rcv_rtt8: 0,
            rcv_rtt_seq: 0,
            rcv_rtt_time: None,
            space: 0,
            space_seq: 0,
            space_time: SimTime::ZERO,
        }
    }

    /// `tcp_select_initial_window` when the SYN (client) or SYN-ACK (server) is built: the
    /// full space of `tcp_rmem[1]` rounded down to a multiple of `mss` (the advertised MSS,
    /// less the timestamps option when answering a SYN that carried them:
    /// `tcp_openreq_init_rwin`), and the window scale that covers `tcp_rmem[2]`. Returns the
    /// window the SYN carries (unscaled, RFC 7323 §2.2).
    pub fn init_window(&mut self, mss: u64) -> u64 {
        let window_clamp = 65_535u64 << MAX_WSCALE;
        let mut space = win_from_space(self.rcvbuf).min(window_clamp);
        if space > mss {
            space -= space % mss;
        }
        self.rcv_wnd = space;
        self.rcv_ssthresh = space;
        let scale_space = space.max(self.cfg.rmem_max).min(window_clamp);
        self.wscale = (scale_space.ilog2().saturating_sub(15)).min(MAX_WSCALE);
        self.window_clamp = window_clamp.min(65_535u64 << self.wscale);
        self.rcv_wnd
    }

    /// `tcp_init_buffer_space` and `tcp_initialize_rcv_mss`, when the connection is
    /// established.
    pub fn on_established(&mut self, now: SimTime) {
        let maxwin = win_from_space(self.rcvbuf);
        self.window_clamp = self.window_clamp.min(maxwin);
        self.rcv_ssthresh = self.rcv_ssthresh.min(self.window_clamp);
        self.space = self
            .rcv_ssthresh
            .min(self.rcv_wnd)
            .min(INIT_SPACE_SEGMENTS * self.cfg.advmss);
        self.space_seq = self.rcv_nxt;
        self.space_time = now;
        self.rcv_mss = self
            .cfg
            .advmss
            .min(self.rcv_wnd / 2)
            .clamp(MIN_MSS, MSS_DEFAULT);
    }

    fn deliver(&mut self, now: SimTime, spans: &[Span<T>], from: u64, to: u64) -> u64 {
        let mut n = 0;
        for s in spans.iter().filter_map(|s| s.clip(from, to)) {
            n += s.len;
            self.deliveries.push_back(Delivery {
                at: now,
                offset: s.offset,
                len: s.len,
                tag: s.tag,
            });
        }
        n
    }

    /// `tcp_space`: the window the free receive memory allows.
    fn tcp_space(&self) -> u64 {
        win_from_space(self.rcvbuf.saturating_sub(space_from_win(self.ooo_bytes)))
    }

    /// `tcp_receive_window`: what is left of the window last advertised.
    fn receive_window(&self) -> u64 {
        (self.rcv_wup + self.rcv_wnd).saturating_sub(self.rcv_nxt)
    }

    /// `__tcp_select_window`: the window the receiver would offer now.
    fn select_window(&mut self) -> u64 {
        let mut mss = self.rcv_mss;
        let mut free_space = self.tcp_space();
        let allowed_space = win_from_space(self.rcvbuf);
        let full_space = self.window_clamp.min(allowed_space);
        if mss > full_space {
            mss = full_space;
            if mss == 0 {
                return 0;
            }
        }
        if free_space < full_space / 2 {
            self.quick = 0;
            free_space -= free_space % (1 << self.wscale);
            if free_space < allowed_space / 16 || free_space < mss {
                return 0;
            }
        }
        free_space = free_space.min(self.rcv_ssthresh);
        // "Advertise enough space so that it won't get scaled away."
        free_space.div_ceil(1 << self.wscale) << self.wscale
    }

    /// `tcp_select_window`, when a segment carrying an ACK is built: never shrink what was
    /// offered; the ACK moves `rcv_wup`.
    pub fn window_for_ack(&mut self) -> u64 {
        let cur = self.receive_window();
        let mut new = self.select_window();
        if new < cur {
            new = cur.div_ceil(1 << self.wscale) << self.wscale;
        }
        self.rcv_wnd = new;
        self.rcv_wup = self.rcv_nxt;
        new
    }

    /// The timestamps option of a segment sent now: TSval on the millisecond clock, and the
    /// TSecr to echo.
    pub fn ts_ecr(&self) -> u32 {
        self.ts_recent.unwrap_or(0)
    }

    /// A segment from the peer carried timestamps: `tcp_replace_ts_recent` (RFC 7323 §4.3:
    /// the TSval of the segment that starts at or before the last ACK's edge) and, for data
    /// of a full segment, `tcp_rcv_rtt_measure_ts` (the receiver's RTT: from the ACK whose
    /// TSval is echoed to the data it released).
    pub fn on_timestamps(&mut self, now: SimTime, seq: u64, len: u64, val: u32, ecr: u32) {
        if seq <= self.rcv_wup {
            self.ts_recent = Some(val);
        }
        if ecr == 0 || self.rcv_rtt_last_tsecr == Some(ecr) {
            return;
        }
        self.rcv_rtt_last_tsecr = Some(ecr);
        if len >= self.rcv_mss {
            // tcp_rtt_tsopt_us: whole milliseconds, at least one.
            let now_ms = now.as_micros() / 1_000;
            let delta = now_ms.saturating_sub(u64::from(ecr)).max(1) * 1_000;
            self.rcv_rtt_update(delta, false);
        }
    }

    /// `tcp_rcv_rtt_update`: keep the minimum, or (timestamps) an EWMA of gain 1/8.
    fn rcv_rtt_update(&mut self, sample_us: u64, win_dep: bool) {
        let m = sample_us << 3;
        let old = self.rcv_rtt8;
        if old == 0 || m < old {
            self.rcv_rtt8 = m;
        } else if !win_dep {
            self.rcv_rtt8 = old - (old >> 3) + sample_us;
        }
    }

    /// `tcp_rcv_rtt_measure`: without timestamps, the time to receive one window.
    fn rcv_rtt_measure(&mut self, now: SimTime) {
        if let Some(t) = self.rcv_rtt_time {
            if self.rcv_nxt < self.rcv_rtt_seq {
                return;
            }
            let delta = now.saturating_since(t).as_micros().max(1);
            self.rcv_rtt_update(delta, true);
        }
        self.rcv_rtt_seq = self.rcv_nxt + self.rcv_wnd;
        self.rcv_rtt_time = Some(now);
    }

    /// `tcp_incr_quickack`.
    fn incr_quickack(&mut self, max: u32) {
        let mut quickacks = u32::try_from(self.rcv_wnd / (2 * self.rcv_mss.max(1))).unwrap_or(max);
        if quickacks == 0 {
            quickacks = 2;
        }
        quickacks = quickacks.min(max);
        if quickacks > self.quick {
            self.quick = quickacks;
        }
    }

    /// `tcp_enter_quickack_mode`.
    fn enter_quickack_mode(&mut self, max: u32) {
        self.incr_quickack(max);
        self.pingpong = 0;
        self.ato = Some(ATO_MIN);
    }

    /// `tcp_in_quickack_mode`.
    fn in_quickack_mode(&self) -> bool {
        self.cfg.delack == SimDuration::ZERO || (self.quick > 0 && self.pingpong == 0)
    }

    /// `tcp_measure_rcv_mss`.
    fn measure_rcv_mss(&mut self, len: u64, psh: bool) {
        let lss = self.last_seg_size;
        self.last_seg_size = 0;
        if len >= self.rcv_mss {
            self.rcv_mss = len.min(self.cfg.advmss);
            if psh {
                self.pushed |= PUSHED;
            }
        } else {
            // "len" is invariant segment length, including TCP header (and timestamps).
            let header = 20 + if self.cfg.timestamps { 12 } else { 0 };
            let with_header = len + header;
            if with_header >= MSS_DEFAULT + 20 || (with_header >= MIN_MSS + 20 && !psh) {
                self.last_seg_size = len;
                if len == lss {
                    self.rcv_mss = len;
                    return;
                }
            }
            if self.pushed & PUSHED != 0 {
                self.pushed |= PUSHED2;
            }
            self.pushed |= PUSHED;
        }
    }

    /// `tcp_grow_window`: raise `rcv_ssthresh` by two segments (or twice this one) while
    /// the clamp and the free memory allow; every raise asks for a quick ACK.
    fn grow_window(&mut self, len: u64) {
        let room = self.window_clamp.min(self.tcp_space()) as i64 - self.rcv_ssthresh as i64;
        if room <= 0 {
            return;
        }
        // The truesize check passes at the default scaling ratio (an skb of one segment
        // holds at least twice its payload in memory).
        let incr = (2 * self.cfg.advmss).max(2 * len);
        self.rcv_ssthresh += (room as u64).min(incr);
        self.quick |= 1;
    }

    /// `tcp_event_data_recv`: an in-order data segment was queued.
    fn event_data_recv(&mut self, now: SimTime, len: u64, psh: bool, rto: SimDuration) {
        self.ack_scheduled = true;
        self.measure_rcv_mss(len, psh);
        self.rcv_rtt_measure(now);
        match self.ato {
            None => {
                // "The _first_ data packet received, initialize delayed ACK engine."
                self.incr_quickack(MAX_QUICKACKS);
                self.ato = Some(ATO_MIN);
            }
            Some(ato) => {
                let m = self
                    .lrcvtime
                    .map_or(SimDuration::ZERO, |t| now.saturating_since(t));
                if m.as_micros() <= ATO_MIN.as_micros() / 2 {
                    // "The fastest case is the first."
                    self.ato = Some(SimDuration::from_micros(
                        ato.as_micros() / 2 + ATO_MIN.as_micros() / 2,
                    ));
                } else if m < ato {
                    let a = SimDuration::from_micros(ato.as_micros() / 2 + m.as_micros());
                    self.ato = Some(a.min(rto));
                } else if m > rto {
                    // "Too long gap. Apparently sender failed to restart window, so that
                    // we send ACKs quickly."
                    self.incr_quickack(MAX_QUICKACKS);
                }
            }
        }
        self.lrcvtime = Some(now);
        if len >= GROW_MIN_LEN {
            self.grow_window(len);
        }
    }

    /// A segment's payload arrived (`tcp_data_queue`), then the ACK decision
    /// (`tcp_ack_snd_check`) and the application's read (`tcp_recvmsg`:
    /// `tcp_rcv_space_adjust`, `tcp_cleanup_rbuf`). `rto` and `srtt` are this endpoint's
    /// (`icsk_rto`, `srtt_us`), which bound `ato` and the SACK compression delay.
    #[allow(clippy::too_many_arguments)]
    pub fn on_data(
        &mut self,
        now: SimTime,
        seq: u64,
        len: u64,
        psh: bool,
        spans: &[Span<T>],
        rto: SimDuration,
        srtt: Option<SimDuration>,
        events: &mut Vec<TcpEvent>,
    ) {
        if len == 0 {
            return;
        }
        self.dsack = None;
        let end = seq + len;
        let before = self.rcv_nxt;
        if seq <= self.rcv_nxt && end > self.rcv_nxt {
            if seq < self.rcv_nxt {
                // "Partial packet, seq < rcv_next < end_seq"
                self.dsack = Some(SackBlock {
                    start: seq,
                    end: self.rcv_nxt,
                });
            }
            self.queue_in_order(now, end, len, psh, spans, rto, events);
        } else if end <= self.rcv_nxt {
            // "A retransmit, 2nd most common case. Force an immediate ack." (RFC 2883 §4:
            // DSACK the duplicate.)
            self.dsack = Some(SackBlock { start: seq, end });
            self.enter_quickack_mode(MAX_QUICKACKS);
            self.ack_scheduled = true;
        } else if seq >= self.rcv_nxt + self.receive_window().max(1) {
            // Out of window.
            self.enter_quickack_mode(MAX_QUICKACKS);
            self.ack_scheduled = true;
        } else {
            self.queue_ofo(now, seq, end, spans);
        }
        // tcp_ack_snd_check → __tcp_ack_snd_check(sk, 1).
        if self.ack_scheduled {
            self.ack_snd_check(now, srtt);
        }
        // The application reads what was delivered.
        let copied = self.rcv_nxt - before;
        if copied > 0 {
            self.rcv_space_adjust(now);
            self.cleanup_rbuf(copied);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn queue_in_order(
        &mut self,
        now: SimTime,
        end: u64,
        len: u64,
        psh: bool,
        spans: &[Span<T>],
        rto: SimDuration,
        events: &mut Vec<TcpEvent>,
    ) {
        let hole_end = self.ooo.keys().next().copied();
        let hole_start = self.rcv_nxt;
        let from = self.rcv_nxt;
        self.deliver(now, spans, from, end);
        self.rcv_nxt = end;
        self.event_data_recv(now, len, psh, rto);
        if self.ooo.is_empty() {
            return;
        }
        // tcp_ofo_queue.
        let mut released = 0;
        while let Some(entry) = self.ooo.first_entry() {
            if *entry.key() > self.rcv_nxt {
                break;
            }
            let (start, held) = entry.remove_entry();
            self.ooo_bytes -= held.end - start;
            if held.end > self.rcv_nxt {
                let from = self.rcv_nxt;
                released += self.deliver(now, &held.spans, from, held.end);
                self.rcv_nxt = held.end;
            }
        }
        // The entries released formed whole blocks: the next one starts beyond a gap.
        while self
            .ooo_blocks
            .first()
            .is_some_and(|b| b.start <= self.rcv_nxt)
        {
            self.ooo_blocks.pop_first();
        }
        // "RFC5681. 4.2. SHOULD send immediate ACK, when gap in queue is filled."
        if self.ooo.is_empty() {
            self.ack_now = true;
        }
        if let (Some(since), Some(hole_end)) = (self.hol_since, hole_end) {
            if released > 0 || self.rcv_nxt >= hole_end {
                events.push(TcpEvent {
                    at: now,
                    kind: TcpEventKind::HolBlocked {
                        from: since,
                        missing_start: hole_start,
                        missing_end: hole_end,
                        held: released,
                    },
                });
                self.hol_since = (!self.ooo.is_empty()).then_some(now);
            }
        }
    }

    /// `tcp_data_queue_ofo`.
    fn queue_ofo(&mut self, now: SimTime, seq: u64, end: u64, spans: &[Span<T>]) {
        self.ack_scheduled = true;
        self.latest_ooo = Some(seq);
        let covered = self
            .ooo_blocks
            .containing(seq)
            .is_some_and(|b| b.end >= end);
        if covered {
            // "All the bits are present. Drop." (and DSACK them).
            self.dsack = Some(SackBlock { start: seq, end });
        } else if !self.ooo.contains_key(&seq) {
            self.ooo_bytes += end - seq;
            self.ooo_blocks.insert(seq..end);
            self.ooo.insert(
                seq,
                Held {
                    end,
                    spans: spans.to_vec(),
                },
            );
            if end - seq >= GROW_MIN_LEN {
                self.grow_window(end - seq);
            }
        }
        self.hol_since.get_or_insert(now);
    }

    /// `__tcp_ack_snd_check(sk, ofo_possible = 1)`.
    fn ack_snd_check(&mut self, now: SimTime, srtt: Option<SimDuration>) {
        let more_than_one_frame = self.rcv_nxt - self.rcv_wup > self.rcv_mss;
        if (more_than_one_frame && self.select_window() >= self.rcv_wnd)
            || self.in_quickack_mode()
            || self.ack_now
        {
            self.ack_now = true;
            return;
        }
        if self.ooo.is_empty() {
            self.send_delayed_ack(now, srtt);
            return;
        }
        if self.compressed_ack >= COMP_SACK_NR {
            self.ack_now = true;
            return;
        }
        if self.compressed_rcv_nxt != self.rcv_nxt {
            self.compressed_rcv_nxt = self.rcv_nxt;
            self.dup_ack_counter = 0;
        }
        if self.dup_ack_counter < FASTRETRANS_THRESH {
            self.dup_ack_counter += 1;
            self.ack_now = true;
            return;
        }
        self.compressed_ack += 1;
        if self.comp_at.is_some() {
            return;
        }
        // "compress ack timer : 5 % of rtt, but no more than tcp_comp_sack_delay_ns"
        let mut rtt = self.rcv_rtt8 >> 3;
        if let Some(s) = srtt {
            if s.as_micros() < rtt {
                rtt = s.as_micros();
            }
        }
        let delay = COMP_SACK_DELAY.min(SimDuration::from_micros(rtt / 20));
        self.comp_at = Some(now + delay);
    }

    /// `tcp_send_delayed_ack`.
    fn send_delayed_ack(&mut self, now: SimTime, srtt: Option<SimDuration>) {
        let mut ato = self.ato.unwrap_or(ATO_MIN);
        if ato > ATO_MIN {
            let mut max_ato = DELACK_MAX_BULK;
            if self.pingpong > 0 || self.pushed & PUSHED != 0 {
                max_ato = DELACK_MAX;
            }
            if let Some(s) = srtt {
                max_ato = max_ato.min(s.max(ATO_MIN));
            }
            ato = ato.min(max_ato);
        }
        ato = ato.min(DELACK_MAX);
        let mut timeout = now + ato;
        if let Some(pending) = self.delack_at {
            // "If delack timer is about to expire, send ACK now."
            if pending <= now + SimDuration::from_micros(ato.as_micros() / 4) {
                self.ack_now = true;
                return;
            }
            timeout = timeout.min(pending);
        }
        self.delack_at = Some(timeout);
    }

    /// `tcp_rcv_space_adjust` and `tcp_rcvbuf_grow` (Linux 6.18): once per receiver RTT,
    /// if the application read more than in the last one, size the buffer for twice that,
    /// plus twice the growth (the sender may be in slow start), capped at `tcp_rmem[2]`.
    fn rcv_space_adjust(&mut self, now: SimTime) {
        if self.rcv_rtt8 == 0 {
            return;
        }
        let time = now.saturating_since(self.space_time).as_micros();
        if time < self.rcv_rtt8 >> 3 {
            return;
        }
        let copied = self.rcv_nxt - self.space_seq;
        if copied > self.space {
            let old = self.space.max(1);
            self.space = copied;
            // "DRS is always one RTT late."
            let mut rcvwin = copied << 1;
            // "slow start: allow the sender to double its rate."
            let grow = rcvwin * (copied - old) / old;
            rcvwin += grow << 1;
            if let Some((_, held)) = self.ooo.last_key_value() {
                rcvwin += held.end - self.rcv_nxt;
            }
            let rcvbuf = space_from_win(rcvwin).min(self.cfg.rmem_max);
            if rcvbuf > self.rcvbuf {
                self.rcvbuf = rcvbuf;
                // "Make the window clamp follow along."
                self.window_clamp = win_from_space(rcvbuf);
            }
        }
        self.space_seq = self.rcv_nxt;
        self.space_time = now;
    }

    /// `tcp_cleanup_rbuf` after the application read `copied` bytes.
    fn cleanup_rbuf(&mut self, copied: u64) {
        let mut time_to_ack = false;
        if self.ack_scheduled {
            let rmem_empty = self.ooo.is_empty();
            if self.rcv_nxt - self.rcv_wup > self.rcv_mss
                || (copied > 0
                    && (self.pushed & PUSHED2 != 0
                        || (self.pushed & PUSHED != 0 && self.pingpong == 0))
                    && rmem_empty)
            {
                time_to_ack = true;
            }
        }
        if copied > 0 && !time_to_ack {
            let now_window = self.receive_window();
            if 2 * now_window <= self.window_clamp {
                let new_window = self.select_window();
                if new_window > 0 && new_window >= 2 * now_window {
                    time_to_ack = true;
                }
            }
        }
        if time_to_ack {
            self.ack_now = true;
        }
    }

    /// The SACK blocks of the next ACK: RFC 2883's duplicate first, then RFC 2018 §4's
    /// order (the block holding the most recent segment, then the others from the highest
    /// down), as many as the option space holds.
    pub fn sack_blocks(&self) -> Vec<SackBlock> {
        let max = if self.cfg.timestamps {
            MAX_SACK_BLOCKS_WITH_TIMESTAMPS
        } else {
            MAX_SACK_BLOCKS
        };
        let mut out = Vec::new();
        if let Some(d) = self.dsack {
            out.push(d);
        }
        if self.ooo_blocks.is_empty() {
            return out;
        }
        let block = |r: std::ops::Range<u64>| SackBlock {
            start: r.start,
            end: r.end,
        };
        // The highest blocks, one more than fit, in case the latest one is among them.
        let mut blocks: Vec<SackBlock> = self
            .ooo_blocks
            .iter()
            .rev()
            .take(max + 1)
            .map(block)
            .collect();
        if let Some(latest) = self.latest_ooo {
            let holds = |b: &SackBlock| b.start <= latest && latest < b.end;
            if let Some(i) = blocks.iter().position(holds) {
                let b = blocks.remove(i);
                blocks.insert(0, b);
            } else if let Some(b) = self.ooo_blocks.containing(latest) {
                blocks.insert(0, block(b));
            }
        }
        out.extend(blocks);
        out.truncate(max);
        out
    }

    /// A segment carrying an ACK was just sent (`tcp_event_ack_sent`): the compressed and
    /// delayed ACKs are cancelled, one quick ACK is used up (`tcp_dec_quickack_mode`), the
    /// DSACK has been reported.
    pub fn on_ack_sent(&mut self) {
        self.compressed_ack = 0;
        self.comp_at = None;
        if self.quick > 0 {
            let pkts = u32::from(self.ack_scheduled);
            if pkts >= self.quick {
                self.quick = 0;
                // "Leaving quickack mode we deflate ATO."
                self.ato = Some(ATO_MIN);
            } else {
                self.quick -= pkts;
            }
        }
        // inet_csk_clear_xmit_timer(ICSK_TIME_DACK): icsk_ack.pending = 0.
        self.ack_scheduled = false;
        self.pushed = 0;
        self.ack_now = false;
        self.delack_at = None;
        self.dsack = None;
    }

    /// This end sent data (`tcp_event_data_sent`): a reply within `ato` of the last data
    /// received counts towards ping-pong (interactive) mode, which stops the quick ACKs
    /// (`sysctl_tcp_pingpong_thresh` = 1: one reply is enough).
    pub fn on_data_sent(&mut self, now: SimTime) {
        if let (Some(t), Some(ato)) = (self.lrcvtime, self.ato) {
            if now.saturating_since(t) < ato {
                self.pingpong = self.pingpong.saturating_add(1);
            }
        }
    }

    /// The delayed-ACK timer (`tcp_delack_timer_handler`) or the SACK compression timer
    /// (`tcp_compressed_ack_kick`).
    pub fn on_timeout(&mut self, now: SimTime, rto: SimDuration) {
        if self.delack_at.is_some_and(|t| t <= now) {
            self.delack_at = None;
            if self.ack_scheduled {
                if self.pingpong == 0 {
                    // "Delayed ACK missed: inflate ATO."
                    self.ato = Some((self.ato.unwrap_or(ATO_MIN) * 2).min(rto));
                } else {
                    // "Delayed ACK missed: leave pingpong mode and deflate ATO."
                    self.pingpong = 0;
                    self.ato = Some(ATO_MIN);
                }
                self.ack_now = true;
            }
        }
        if self.comp_at.is_some_and(|t| t <= now) {
            self.comp_at = None;
            if self.compressed_ack > 0 {
                self.compressed_ack -= 1;
                self.ack_now = true;
            }
        }
    }

    pub fn held_bytes(&self) -> u64 {
        self.ooo_bytes
    }

    /// The window offered last (`rcv_wnd`), for tests.
    pub fn offered_window(&self) -> u64 {
        self.rcv_wnd
    }

    /// `window_clamp` and `rcv_ssthresh`, for tests.
    pub fn window_state(&self) -> (u64, u64) {
        (self.window_clamp, self.rcv_ssthresh)
    }
}
