//! Send and receive buffers for streams and CRYPTO data (RFC 9000 §2–§4), without the bytes:
//! only offsets, lengths, FIN and the application's tags.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::ranges::RangeSet;
use crate::ids::PacketNumber;
use crate::time::SimTime;

/// Stream scheduling, in the spirit of RFC 9218 (Extensible Priorities): lower `urgency`
/// first; at equal urgency, non-incremental streams are sent one after the other in stream
/// id order, incremental ones share the connection round-robin, one packet at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Priority {
    /// 0 (most urgent) to 7.
    pub urgency: u8,
    pub incremental: bool,
}

impl Default for Priority {
    /// RFC 9218 §4.1 and §4.2: urgency 3, not incremental.
    fn default() -> Self {
        Priority {
            urgency: 3,
            incremental: false,
        }
    }
}

/// What a sender still has to (re)send of one byte stream.
#[derive(Clone, Debug, Default)]
pub struct SendBuffer {
    /// Bytes the application wrote.
    pub written: u64,
    /// The application finished the stream at `written`.
    pub fin: bool,
    /// Next never-sent offset.
    pub next: u64,
    pub fin_sent: bool,
    pub retransmit: RangeSet,
    pub fin_retransmit: bool,
    pub acked: RangeSet,
    pub fin_acked: bool,
    /// Where each application tag starts.
    tags: BTreeMap<u64, u64>,
    /// Where each first transmission started, and in which packet.
    origins: BTreeMap<u64, PacketNumber>,
}

/// One frame's worth of data chosen by [`SendBuffer::next_frame`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub offset: u64,
    pub len: u64,
    pub fin: bool,
    /// The packet that first carried these bytes, for a retransmission.
    pub retransmit_of: Option<PacketNumber>,
}

impl SendBuffer {
    pub fn write(&mut self, len: u64, tag: u64) {
        if len == 0 {
            return;
        }
        if self
            .tags
            .range(..=self.written)
            .next_back()
            .map(|(_, &t)| t)
            != Some(tag)
        {
            self.tags.insert(self.written, tag);
        }
        self.written += len;
    }

    /// Tags of `r` as (start, tag), the first at `r.start`.
    pub fn tags_of(&self, r: Range<u64>) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        if let Some((_, &t)) = self.tags.range(..=r.start).next_back() {
            out.push((r.start, t));
        }
        for (&s, &t) in self.tags.range(r.start.saturating_add(1)..r.end) {
            out.push((s, t));
        }
        out
    }

    /// True if a frame could be sent now with new data up to `limit` (flow control).
    pub fn has_retransmit(&self) -> bool {
        !self.retransmit.is_empty() || self.fin_retransmit
    }

    pub fn has_new(&self, limit: u64) -> bool {
        self.next < self.written.min(limit)
            || (self.fin && !self.fin_sent && self.next == self.written)
    }

    /// Picks the next frame: retransmissions first, then new data below `limit`, at most
    /// `max_len` bytes.
    pub fn next_frame(&mut self, max_len: u64, limit: u64) -> Option<Chunk> {
        if let Some(r) = self.retransmit.first() {
            let len = (r.end - r.start).min(max_len);
            if len == 0 {
                return None;
            }
            let end = r.start + len;
            self.retransmit.remove(r.start..end);
            let fin = self.fin && end == self.written && (self.fin_retransmit || !self.fin_sent);
            if fin {
                self.fin_retransmit = false;
                self.fin_sent = true;
            }
            let origin = self.origins.range(..=r.start).next_back().map(|(_, &p)| p);
            return Some(Chunk {
                offset: r.start,
                len,
                fin,
                retransmit_of: origin,
            });
        }
        if self.fin_retransmit {
            self.fin_retransmit = false;
            self.fin_sent = true;
            return Some(Chunk {
                offset: self.written,
                len: 0,
                fin: true,
                retransmit_of: self
                    .origins
                    .range(..=self.written)
                    .next_back()
                    .map(|(_, &p)| p),
            });
        }
        let end = self
            .written
            .min(limit)
            .min(self.next.saturating_add(max_len));
        let len = end.saturating_sub(self.next);
        let fin = self.fin && !self.fin_sent && end == self.written;
        if len == 0 && !fin {
            return None;
        }
        let offset = self.next;
        self.next = end;
        if fin {
            self.fin_sent = true;
        }
        Some(Chunk {
            offset,
            len,
            fin,
            retransmit_of: None,
        })
    }

    /// Records which packet first carried the bytes from `offset` on.
    pub fn record_origin(&mut self, offset: u64, pn: PacketNumber) {
        self.origins.insert(offset, pn);
    }

    pub fn on_ack(&mut self, r: Range<u64>, fin: bool) {
        self.acked.insert(r.clone());
        self.retransmit.remove(r);
        if fin {
            self.fin_acked = true;
            self.fin_retransmit = false;
        }
        // Origins and tags below the acknowledged prefix are no longer needed.
        if let Some(first) = self.acked.first() {
            if first.start == 0 {
                prune_below(&mut self.origins, first.end);
            }
        }
    }

    /// The bytes of `r` (and the FIN) were lost: queue what is not yet acknowledged.
    pub fn on_lost(&mut self, r: Range<u64>, fin: bool) {
        for gap in self.acked.gaps_in(r) {
            self.retransmit.insert(gap);
        }
        if fin && !self.fin_acked {
            self.fin_retransmit = true;
        }
    }

    /// Every byte and the FIN are acknowledged.
    pub fn is_done(&self) -> bool {
        self.fin_acked && (self.written == 0 || self.acked.first() == Some(0..self.written))
    }
}

/// Drops the entries of `m` wholly below `below`, keeping the one in effect at `below`.
fn prune_below<V>(m: &mut BTreeMap<u64, V>, below: u64) {
    let keep = m.range(..=below).next_back().map(|(&k, _)| k);
    if let Some(keep) = keep {
        while let Some((&k, _)) = m.iter().next() {
            if k >= keep {
                break;
            }
            m.remove(&k);
        }
    }
}

/// A delivered run of bytes with one tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub offset: u64,
    pub len: u64,
    pub tag: u64,
    pub fin: bool,
}

/// A head-of-line-blocked interval that just ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolEnd {
    pub since: SimTime,
    /// The stream offset that was missing.
    pub offset: u64,
    /// The packet whose loss held it up (the first packet that carried the missing bytes).
    pub blocking: PacketNumber,
    /// Bytes that had arrived beyond the gap and were waiting.
    pub waiting: u64,
}

/// What a receiver has of one stream, and what it delivered in order.
#[derive(Clone, Debug, Default)]
pub struct RecvBuffer {
    received: RangeSet,
    /// Everything below was delivered to the application.
    pub delivered: u64,
    fin_at: Option<u64>,
    fin_delivered: bool,
    tags: BTreeMap<u64, u64>,
    blocked_since: Option<SimTime>,
}

impl RecvBuffer {
    /// Takes one STREAM frame's worth of data. `origin` is the packet that first carried it.
    /// Returns the pieces newly delivered in order and, if a gap closed, the HOL interval.
    pub fn on_data(
        &mut self,
        now: SimTime,
        offset: u64,
        len: u64,
        fin: bool,
        tags: &[(u64, u64)],
        origin: PacketNumber,
    ) -> (Vec<Piece>, Option<HolEnd>) {
        let end = offset.saturating_add(len);
        if fin {
            self.fin_at = Some(end);
        }
        for &(s, t) in tags {
            if s >= self.delivered || self.tags.is_empty() {
                self.tags.insert(s, t);
            }
        }
        let before = self.delivered;
        let waiting: u64 = self
            .received
            .iter()
            .map(|r| r.end.saturating_sub(r.start.max(before)))
            .sum();
        self.received.insert(offset..end);
        if let Some(first) = self.received.first() {
            if first.start <= self.delivered {
                self.delivered = self.delivered.max(first.end);
            }
        }
        let mut hol = None;
        if self.delivered > before {
            if let Some(since) = self.blocked_since.take() {
                hol = Some(HolEnd {
                    since,
                    offset: before,
                    blocking: origin,
                    waiting,
                });
            }
        }
        // Bytes beyond a gap: the stream is blocked until the gap fills.
        if self.received.last().is_some_and(|r| r.end > self.delivered)
            && self.blocked_since.is_none()
        {
            self.blocked_since = Some(now);
        }
        let mut pieces = Vec::new();
        if self.delivered > before {
            let mut at = before;
            let bounds: Vec<(u64, u64)> = self
                .tags
                .range(..self.delivered)
                .filter(|(&s, _)| s > before)
                .map(|(&s, &t)| (s, t))
                .collect();
            let mut tag = self
                .tags
                .range(..=before)
                .next_back()
                .map_or(0, |(_, &t)| t);
            for (s, t) in bounds {
                pieces.push(Piece {
                    offset: at,
                    len: s - at,
                    tag,
                    fin: false,
                });
                at = s;
                tag = t;
            }
            pieces.push(Piece {
                offset: at,
                len: self.delivered - at,
                tag,
                fin: false,
            });
            prune_below(&mut self.tags, self.delivered);
        }
        if !self.fin_delivered && self.fin_at == Some(self.delivered) {
            self.fin_delivered = true;
            match pieces.last_mut() {
                Some(p) => p.fin = true,
                None => pieces.push(Piece {
                    offset: self.delivered,
                    len: 0,
                    tag: self
                        .tags
                        .range(..=self.delivered)
                        .next_back()
                        .map_or(0, |(_, &t)| t),
                    fin: true,
                }),
            }
        }
        // Forget ranges that were delivered.
        if self.received.len() > 1 {
            if let Some(first) = self.received.first() {
                if first.end <= self.delivered {
                    self.received.pop_first();
                    self.received.insert(0..self.delivered);
                }
            }
        }
        (pieces, hol)
    }

    pub fn is_finished(&self) -> bool {
        self.fin_delivered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_buffer_retransmits_before_new_data_and_tracks_fin() {
        let mut b = SendBuffer::default();
        b.write(100, 1);
        b.write(50, 2);
        b.fin = true;
        let c = b.next_frame(60, u64::MAX).unwrap();
        assert_eq!((c.offset, c.len, c.fin), (0, 60, false));
        b.record_origin(0, PacketNumber(7));
        let c = b.next_frame(1000, u64::MAX).unwrap();
        assert_eq!((c.offset, c.len, c.fin), (60, 90, true));
        b.record_origin(60, PacketNumber(8));
        assert_eq!(b.tags_of(60..150), vec![(60, 1), (100, 2)]);
        assert!(b.next_frame(1000, u64::MAX).is_none());
        b.on_ack(0..30, false);
        b.on_lost(0..60, false);
        let c = b.next_frame(1000, u64::MAX).unwrap();
        assert_eq!(
            (c.offset, c.len, c.retransmit_of),
            (30, 30, Some(PacketNumber(7)))
        );
        b.on_lost(60..150, true);
        let c = b.next_frame(1000, u64::MAX).unwrap();
        assert_eq!((c.offset, c.len, c.fin), (60, 90, true));
        assert!(!b.is_done());
        b.on_ack(30..150, true);
        assert!(b.is_done());
    }

    #[test]
    fn flow_control_limit_caps_new_data() {
        let mut b = SendBuffer::default();
        b.write(100, 0);
        assert!(b.has_new(40));
        let c = b.next_frame(1000, 40).unwrap();
        assert_eq!((c.offset, c.len), (0, 40));
        assert!(!b.has_new(40));
        assert!(b.next_frame(1000, 40).is_none());
    }

    #[test]
    fn recv_buffer_delivers_in_order_and_reports_hol() {
        let mut r = RecvBuffer::default();
        let t = SimTime::from_millis;
        let (p, h) = r.on_data(t(1), 0, 10, false, &[(0, 5)], PacketNumber(1));
        assert_eq!(
            p,
            vec![Piece {
                offset: 0,
                len: 10,
                tag: 5,
                fin: false
            }]
        );
        assert!(h.is_none());
        // 10..20 lost; 20..30 arrives: nothing delivered, blocked from t(2).
        let (p, h) = r.on_data(t(2), 20, 10, true, &[(20, 6)], PacketNumber(3));
        assert!(p.is_empty() && h.is_none());
        let (p, h) = r.on_data(t(9), 10, 10, false, &[(10, 5)], PacketNumber(2));
        assert_eq!(
            p,
            vec![
                Piece {
                    offset: 10,
                    len: 10,
                    tag: 5,
                    fin: false
                },
                Piece {
                    offset: 20,
                    len: 10,
                    tag: 6,
                    fin: true
                },
            ]
        );
        assert_eq!(
            h,
            Some(HolEnd {
                since: t(2),
                offset: 10,
                blocking: PacketNumber(2),
                waiting: 10
            })
        );
        assert!(r.is_finished());
    }
}
