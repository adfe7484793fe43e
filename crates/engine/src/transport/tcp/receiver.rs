//! The receiving half: reassembly, in-order delivery, delayed ACKs, SACK blocks and
//! head-of-line blocking.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::event::{TcpEvent, TcpEventKind};
use super::segment::{SackBlock, Span, MAX_SACK_BLOCKS};
use crate::time::{SimDuration, SimTime};
use crate::transport::quic::ranges::RangeSet;

/// RFC 1122 §4.2.3.2 / RFC 5681 §4.2: an ACK at least for every second full-sized segment.
const ACK_EVERY_SEGMENTS: u64 = 2;

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

#[derive(Clone, Debug)]
pub(super) struct Receiver<T> {
    mss: u64,
    delack: SimDuration,
    pub window: u64,
    pub rcv_nxt: u64,
    ooo: BTreeMap<u64, Held<T>>,
    /// The union of `ooo`'s ranges, overlapping and adjacent ones merged: the SACK blocks.
    ooo_blocks: RangeSet,
    ooo_bytes: u64,
    /// Start of the most recently received out-of-order segment (RFC 2018 §4: its block
    /// goes first).
    latest_ooo: Option<u64>,
    unacked: u64,
    pub ack_now: bool,
    pub delack_at: Option<SimTime>,
    /// Since when bytes beyond a hole have been held.
    hol_since: Option<SimTime>,
    pub deliveries: VecDeque<Delivery<T>>,
}

impl<T: Copy> Receiver<T> {
    pub fn new(mss: u64, delack: SimDuration, window: u64) -> Self {
        Receiver {
            mss,
            delack,
            window,
            rcv_nxt: 0,
            ooo: BTreeMap::new(),
            ooo_blocks: RangeSet::default(),
            ooo_bytes: 0,
            latest_ooo: None,
            unacked: 0,
            ack_now: false,
            delack_at: None,
            hol_since: None,
            deliveries: VecDeque::new(),
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

    /// A segment's payload arrived.
    pub fn on_data(
        &mut self,
        now: SimTime,
        seq: u64,
        len: u64,
        spans: &[Span<T>],
        events: &mut Vec<TcpEvent>,
    ) {
        if len == 0 {
            return;
        }
        let end = seq + len;
        if end <= self.rcv_nxt || end > self.rcv_nxt + self.window {
            // RFC 5681 §4.2: a duplicate (or out-of-window) segment is acknowledged at once.
            self.ack_now = true;
            return;
        }
        if seq > self.rcv_nxt {
            // RFC 5681 §4.2: an out-of-order segment is acknowledged at once.
            self.ack_now = true;
            self.latest_ooo = Some(seq);
            if !self.ooo.contains_key(&seq) {
                self.ooo_bytes += len;
                self.ooo_blocks.insert(seq..end);
                self.ooo.insert(
                    seq,
                    Held {
                        end,
                        spans: spans.to_vec(),
                    },
                );
            }
            self.hol_since.get_or_insert(now);
            return;
        }
        let hole_end = self.ooo.keys().next().copied();
        let hole_start = self.rcv_nxt;
        let from = self.rcv_nxt;
        self.deliver(now, spans, from, end);
        self.unacked += end - from;
        self.rcv_nxt = end;
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
        if let (Some(since), Some(hole_end)) = (self.hol_since, hole_end) {
            if released > 0 || self.rcv_nxt >= hole_end {
                // RFC 5681 §4.2: a segment that fills (part of) a gap is acknowledged at once.
                self.ack_now = true;
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
            } else {
                // Part of the hole arrived: the gap shrank but nothing was released.
                self.ack_now = true;
            }
        }
        if self.unacked >= ACK_EVERY_SEGMENTS * self.mss {
            self.ack_now = true;
        } else if self.delack_at.is_none() {
            self.delack_at = Some(now + self.delack);
        }
        if self.delack == SimDuration::ZERO {
            self.ack_now = true;
        }
    }

    /// RFC 2018 §4: the block holding the most recent segment first, then the others from
    /// the highest down, at most four.
    pub fn sack_blocks(&self) -> Vec<SackBlock> {
        if self.ooo_blocks.is_empty() {
            return Vec::new();
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
            .take(MAX_SACK_BLOCKS + 1)
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
        blocks.truncate(MAX_SACK_BLOCKS);
        #[cfg(debug_assertions)]
        debug_assert_eq!(blocks, self.sack_blocks_by_scan());
        blocks
    }

    /// [`Receiver::sack_blocks`] by its definition, merging every held segment; checked
    /// against the incremental blocks in debug builds.
    #[cfg(debug_assertions)]
    fn sack_blocks_by_scan(&self) -> Vec<SackBlock> {
        let mut blocks: Vec<SackBlock> = Vec::new();
        for (&start, held) in &self.ooo {
            match blocks.last_mut() {
                Some(b) if b.end >= start => b.end = b.end.max(held.end),
                _ => blocks.push(SackBlock {
                    start,
                    end: held.end,
                }),
            }
        }
        blocks.reverse();
        if let Some(latest) = self.latest_ooo {
            if let Some(i) = blocks
                .iter()
                .position(|b| b.start <= latest && latest < b.end)
            {
                let b = blocks.remove(i);
                blocks.insert(0, b);
            }
        }
        blocks.truncate(MAX_SACK_BLOCKS);
        blocks
    }

    /// An ACK (pure or piggybacked) was just sent.
    pub fn on_ack_sent(&mut self) {
        self.ack_now = false;
        self.unacked = 0;
        self.delack_at = None;
    }

    pub fn on_timeout(&mut self, now: SimTime) {
        if self.delack_at.is_some_and(|t| t <= now) {
            self.ack_now = true;
            self.delack_at = None;
        }
    }

    pub fn held_bytes(&self) -> u64 {
        self.ooo_bytes
    }
}
