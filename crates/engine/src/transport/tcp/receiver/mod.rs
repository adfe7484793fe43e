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
//!
//! This file holds the receive queue: reassembly, delivery and the SACK blocks; `ack.rs` the
//! ACK policy (when to acknowledge), `window.rs` the advertised window and its autotuning.

mod ack;
mod window;

use ack::MAX_QUICKACKS;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::event::{TcpEvent, TcpEventKind};
use super::segment::{SackBlock, Span, MAX_SACK_BLOCKS, MAX_SACK_BLOCKS_WITH_TIMESTAMPS};
use crate::time::{SimDuration, SimTime};
use crate::transport::quic::ranges::RangeSet;

/// Linux TCP_MSS_DEFAULT: the first guess of the peer's segment size (`tcp_initialize_rcv_mss`).
const MSS_DEFAULT: u64 = 536;
/// Linux TCP_MIN_MSS.
const MIN_MSS: u64 = 88;
/// Linux `tcp_event_data_recv`: only segments of at least 128 bytes grow the window.
const GROW_MIN_LEN: u64 = 128;

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

    /// The SACK blocks of the next ACK: RFC 2883's duplicate first, then RFC 2018 §4's
    /// order (the block holding the most recent segment, then the others from the highest
    /// down), as many as the option space holds.
    pub fn sack_blocks(&self) -> Vec<SackBlock> {
        let max = self.max_sack_blocks();
        if self.dsack.is_none() && self.ooo_blocks.is_empty() {
            return Vec::new();
        }
        // The DSACK block, the highest blocks (one more than fit, in case the latest one is
        // among them) and perhaps the latest one ahead of them: one allocation.
        let mut out = Vec::with_capacity(max + 3);
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
        let base = out.len();
        out.extend(self.ooo_blocks.iter().rev().take(max + 1).map(block));
        if let Some(latest) = self.latest_ooo {
            let holds = |b: &SackBlock| b.start <= latest && latest < b.end;
            if let Some(i) = out[base..].iter().position(holds) {
                let b = out.remove(base + i);
                out.insert(base, b);
            } else if let Some(b) = self.ooo_blocks.containing(latest) {
                out.insert(base, block(b));
            }
        }
        out.truncate(max);
        out
    }

    /// How many blocks [`Receiver::sack_blocks`] would return, without building them.
    pub fn sack_block_count(&self) -> usize {
        let max = self.max_sack_blocks();
        let mut n = usize::from(self.dsack.is_some());
        if !self.ooo_blocks.is_empty() {
            let top = self.ooo_blocks.len().min(max + 1);
            n += top;
            if let Some(latest) = self.latest_ooo {
                let in_top = self
                    .ooo_blocks
                    .iter()
                    .rev()
                    .take(top)
                    .any(|r| r.start <= latest && latest < r.end);
                if !in_top && self.ooo_blocks.containing(latest).is_some() {
                    n += 1;
                }
            }
        }
        let n = n.min(max);
        debug_assert_eq!(n, self.sack_blocks().len());
        n
    }

    fn max_sack_blocks(&self) -> usize {
        if self.cfg.timestamps {
            MAX_SACK_BLOCKS_WITH_TIMESTAMPS
        } else {
            MAX_SACK_BLOCKS
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
