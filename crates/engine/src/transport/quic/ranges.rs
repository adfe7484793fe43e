//! A set of disjoint half-open `u64` ranges, kept merged, in a `BTreeMap` (start → end), so
//! that iteration order (and every output built from it) is deterministic.

use std::collections::BTreeMap;
use std::ops::Range;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeSet {
    map: BTreeMap<u64, u64>,
}

impl RangeSet {
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Adds `r`, merging with overlapping or adjacent ranges. Returns how many of its values
    /// were new.
    pub fn insert(&mut self, r: Range<u64>) -> u64 {
        if r.start >= r.end {
            return 0;
        }
        let mut end = r.end;
        let mut covered = 0;
        // A range starting at or before `r.start` that reaches it grows in place.
        let start = match self.map.range(..=r.start).next_back() {
            Some((&s, &e)) if e >= r.start => {
                covered += e.min(end).saturating_sub(r.start);
                end = end.max(e);
                s
            }
            _ => r.start,
        };
        // Ranges starting inside (start, end] merge into it.
        while let Some((&s, &e)) = self.map.range(start + 1..=end).next() {
            covered += e.min(r.end).saturating_sub(s.max(r.start));
            end = end.max(e);
            self.map.remove(&s);
        }
        self.map.insert(start, end);
        (r.end - r.start) - covered
    }

    /// Removes `r` from the set.
    pub fn remove(&mut self, r: Range<u64>) {
        if r.start >= r.end {
            return;
        }
        let mut touched: Vec<(u64, u64)> = Vec::new();
        if let Some((&s, &e)) = self.map.range(..r.start).next_back() {
            if e > r.start {
                touched.push((s, e));
            }
        }
        touched.extend(self.map.range(r.start..r.end).map(|(&s, &e)| (s, e)));
        for (s, e) in touched {
            self.map.remove(&s);
            if s < r.start {
                self.map.insert(s, r.start);
            }
            if e > r.end {
                self.map.insert(r.end, e);
            }
        }
    }

    pub fn contains(&self, v: u64) -> bool {
        self.map
            .range(..=v)
            .next_back()
            .is_some_and(|(_, &e)| v < e)
    }

    /// The range holding `v`, if any.
    pub fn containing(&self, v: u64) -> Option<Range<u64>> {
        self.map
            .range(..=v)
            .next_back()
            .filter(|(_, &e)| v < e)
            .map(|(&s, &e)| s..e)
    }

    /// The lowest range, if any.
    pub fn first(&self) -> Option<Range<u64>> {
        self.map.iter().next().map(|(&s, &e)| s..e)
    }

    /// The highest range, if any.
    pub fn last(&self) -> Option<Range<u64>> {
        self.map.iter().next_back().map(|(&s, &e)| s..e)
    }

    /// Removes and returns the lowest range.
    pub fn pop_first(&mut self) -> Option<Range<u64>> {
        self.map.pop_first().map(|(s, e)| s..e)
    }

    /// Removes the lowest ranges until at most `n` remain.
    pub fn keep_highest(&mut self, n: usize) {
        while self.map.len() > n {
            self.map.pop_first();
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Range<u64>> + '_ {
        self.map.iter().map(|(&s, &e)| s..e)
    }

    /// The parts of `r` not in the set, in order.
    pub fn gaps_in(&self, r: Range<u64>) -> Vec<Range<u64>> {
        let mut out = Vec::new();
        let mut at = r.start;
        if let Some((_, &e)) = self.map.range(..=r.start).next_back() {
            at = at.max(e);
        }
        for (&s, &e) in self.map.range(r.start..r.end) {
            if s > at {
                out.push(at..s);
            }
            at = at.max(e);
        }
        if at < r.end {
            out.push(at..r.end);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn insert_merges_and_counts_new() {
        let mut s = RangeSet::default();
        assert_eq!(s.insert(10..20), 10);
        assert_eq!(s.insert(30..40), 10);
        assert_eq!(s.insert(15..35), 10);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![10..40]);
        assert_eq!(s.insert(40..41), 1);
        assert_eq!(s.insert(0..50), 50 - 31);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0..50]);
    }

    #[test]
    fn remove_and_gaps() {
        let mut s = RangeSet::default();
        s.insert(0..100);
        s.remove(10..20);
        s.remove(90..200);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0..10, 20..90]);
        assert_eq!(s.gaps_in(5..95), vec![10..20, 90..95]);
        assert!(s.contains(9) && !s.contains(10) && s.contains(20) && !s.contains(90));
        s.keep_highest(1);
        assert_eq!(s.first(), Some(20..90));
    }

    proptest! {
        #[test]
        fn matches_a_bitmap(ops in proptest::collection::vec((any::<bool>(), 0u64..64, 0u64..16), 0..40)) {
            let mut s = RangeSet::default();
            let mut bits = [false; 80];
            for (add, start, len) in ops {
                let r = start..start + len;
                if add {
                    let fresh = r.clone().filter(|&i| !bits[i as usize]).count() as u64;
                    prop_assert_eq!(s.insert(r.clone()), fresh);
                    for i in r { bits[i as usize] = true; }
                } else {
                    s.remove(r.clone());
                    for i in r { bits[i as usize] = false; }
                }
                for (i, &b) in bits.iter().enumerate() {
                    prop_assert_eq!(s.contains(i as u64), b);
                }
                // Ranges stay disjoint and non-adjacent.
                let v: Vec<_> = s.iter().collect();
                for w in v.windows(2) {
                    prop_assert!(w[0].end < w[1].start);
                }
            }
        }
    }
}
