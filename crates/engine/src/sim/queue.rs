//! The event queue: events ordered by (time, sequence number), so events at the same
//! instant come out in the order they were scheduled, on every target.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::SimTime;

/// A heap entry: when, the tie-breaking sequence number, and where the event waits in
/// [`EventQueue::slots`]. Small and `Copy`, so the heap's sifting moves 24 bytes, however
/// large the events are.
#[derive(Clone, Copy)]
struct Entry {
    at: SimTime,
    seq: u64,
    slot: usize,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.seq == o.seq
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest (time, seq) pops first. The
        // sequence numbers are unique, so the slot never decides.
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

/// Events a new queue holds before it first grows.
const INITIAL_CAPACITY: usize = 256;

/// A deterministic event queue.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry>,
    /// The events, by slot; `None` for a free slot.
    slots: Vec<Option<E>>,
    /// Free slots, reused last-freed first.
    free: Vec<usize>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        // Sized for a page load's events in flight at once, so the queue seldom grows (each
        // growth moves every pending event).
        EventQueue {
            heap: BinaryHeap::with_capacity(INITIAL_CAPACITY),
            slots: Vec::with_capacity(INITIAL_CAPACITY),
            free: Vec::with_capacity(INITIAL_CAPACITY),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn schedule(&mut self, at: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = Some(event);
                slot
            }
            None => {
                self.slots.push(Some(event));
                self.slots.len() - 1
            }
        };
        self.heap.push(Entry { at, seq, slot });
    }

    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let e = self.heap.pop()?;
        let event = self.slots[e.slot].take()?;
        self.free.push(e.slot);
        Some((e.at, event))
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.at)
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_micros(5), "c");
        q.schedule(SimTime::from_micros(1), "a");
        q.schedule(SimTime::from_micros(5), "d");
        q.schedule(SimTime::from_micros(1), "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}
