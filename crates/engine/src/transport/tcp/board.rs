//! The retransmit queue as Linux keeps it (`sk->tcp_rtx_queue`): the sent, not yet
//! cumulatively acknowledged segments in sequence order. New data is only ever appended at
//! `snd_nxt` (`tcp_event_new_data_sent`) and acknowledged data only leaves from the head
//! (`tcp_clean_rtx_queue`), so a deque sorted by start, searched by binary search, holds it
//! without a tree node per segment.

use std::collections::VecDeque;
use std::ops::Range;

use super::scoreboard::SentSeg;

/// The segments by start sequence, in order.
#[derive(Clone, Debug, Default)]
pub(super) struct Board {
    segs: VecDeque<(u64, SentSeg)>,
}

impl Board {
    pub(super) fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    pub(super) fn len(&self) -> usize {
        self.segs.len()
    }

    /// The segments starting before `seq`.
    fn before(&self, seq: u64) -> usize {
        self.segs.partition_point(|(k, _)| *k < seq)
    }

    fn index(&self, start: u64) -> Option<usize> {
        let i = self.before(start);
        (self.segs.get(i)?.0 == start).then_some(i)
    }

    pub(super) fn get(&self, start: &u64) -> Option<&SentSeg> {
        let i = self.index(*start)?;
        self.segs.get(i).map(|(_, s)| s)
    }

    pub(super) fn get_mut(&mut self, start: &u64) -> Option<&mut SentSeg> {
        let i = self.index(*start)?;
        self.segs.get_mut(i).map(|(_, s)| s)
    }

    /// Records the segment starting at `start` (replacing one that starts there).
    pub(super) fn insert(&mut self, start: u64, seg: SentSeg) {
        if self.segs.back().is_none_or(|(k, _)| *k < start) {
            // The usual case: new data at snd_nxt.
            self.segs.push_back((start, seg));
            return;
        }
        let i = self.before(start);
        match self.segs.get_mut(i) {
            Some(e) if e.0 == start => e.1 = seg,
            _ => self.segs.insert(i, (start, seg)),
        }
    }

    /// The head segment, if any.
    pub(super) fn first(&self) -> Option<(&u64, &SentSeg)> {
        self.segs.front().map(|(k, s)| (k, s))
    }

    /// Takes the head segment.
    pub(super) fn pop_first(&mut self) -> Option<(u64, SentSeg)> {
        self.segs.pop_front()
    }

    pub(super) fn iter(&self) -> impl DoubleEndedIterator<Item = (&u64, &SentSeg)> {
        self.segs.iter().map(|(k, s)| (k, s))
    }

    pub(super) fn keys(&self) -> impl DoubleEndedIterator<Item = &u64> {
        self.segs.iter().map(|(k, _)| k)
    }

    pub(super) fn values(&self) -> impl DoubleEndedIterator<Item = &SentSeg> {
        self.segs.iter().map(|(_, s)| s)
    }

    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut SentSeg> {
        self.segs.iter_mut().map(|(_, s)| s)
    }

    /// Where the segments whose start lies in `r` sit, in order (positions stay valid while
    /// no segment is added or taken).
    pub(super) fn positions(&self, r: Range<u64>) -> Range<usize> {
        let lo = self.before(r.start);
        lo..self.before(r.end).max(lo)
    }

    /// The segment at position `i` ([`Board::positions`]).
    pub(super) fn at(&self, i: usize) -> Option<(u64, &SentSeg)> {
        self.segs.get(i).map(|(k, s)| (*k, s))
    }

    /// The segments whose start lies in `r`, in order.
    pub(super) fn range(&self, r: Range<u64>) -> impl DoubleEndedIterator<Item = (&u64, &SentSeg)> {
        self.segs.range(self.positions(r)).map(|(k, s)| (k, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn seg(end: u64) -> SentSeg {
        SentSeg {
            end,
            xmit: SimTime::ZERO,
            ever_retrans: false,
            retrans: false,
            sacked: false,
            lost: false,
        }
    }

    #[test]
    fn keeps_sequence_order_like_a_sorted_map() {
        let mut b = Board::default();
        for start in [0, 10, 20, 30] {
            b.insert(start, seg(start + 10));
        }
        // Out of order and a replacement, as a BTreeMap would take them.
        b.insert(5, seg(7));
        b.insert(20, seg(29));
        assert_eq!(b.keys().copied().collect::<Vec<_>>(), [0, 5, 10, 20, 30]);
        assert_eq!(b.get(&20).map(|s| s.end), Some(29));
        assert!(b.get(&21).is_none());
        assert_eq!(
            b.range(5..30).map(|(k, _)| *k).collect::<Vec<_>>(),
            [5, 10, 20]
        );
        let (hi, lo) = (30, 5);
        assert_eq!(b.range(hi..lo).count(), 0, "a reversed range holds nothing");
        assert_eq!(b.pop_first().map(|(k, _)| k), Some(0));
        assert_eq!(b.first().map(|(k, _)| *k), Some(5));
        assert_eq!(b.keys().next_back(), Some(&30));
        assert_eq!(b.len(), 4);
    }
}
