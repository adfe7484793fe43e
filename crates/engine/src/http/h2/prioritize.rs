//! The server's response scheduler (RFC 9218 §10, or plain round-robin) and the send windows
//! it spends (RFC 9113 §5.2, §6.9.1).
//!
//! RFC 9218 §10 leaves the scheduler to the server: most urgent first; at equal urgency,
//! non-incremental responses one after another in request order, then incremental ones
//! round-robin one frame at a time (the order quiche's `StreamPriorityKey` sorts). A pushed
//! stream depends on the stream it was promised on (RFC 7540 §5.3.5, which nginx, h2o and
//! Apache keep): it sends only while that one has nothing to send.

use std::collections::{BTreeMap, BTreeSet};

use super::flow_control::DEFAULT_WINDOW;
use super::frames::MAX_DATA_PAYLOAD;
use crate::http::priority::Priority;
use crate::ids::{AssetId, StreamId};
use crate::options::SchedulerKind;
use crate::time::SimTime;

/// The next frame the server writes. Header blocks are encoded when the frame is written,
/// so the HPACK context sees blocks in wire order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFrame {
    Headers {
        asset: AssetId,
        stream: StreamId,
    },
    /// A DATA frame of `payload` body bytes.
    Data {
        asset: AssetId,
        stream: StreamId,
        payload: u64,
        end_stream: bool,
    },
}

/// One response the server has to send.
#[derive(Clone, Debug)]
pub struct OutStream {
    pub asset: AssetId,
    pub stream: StreamId,
    pub priority: Priority,
    /// Order of arrival (a push: of promise).
    order: u64,
    /// When the request reached the server (a push: when it was promised).
    pub arrived: SimTime,
    /// The HEADERS frame is still to be written.
    headers_pending: bool,
    /// The response head may go out (the server has produced it).
    pub head_ready: bool,
    pub size: u64,
    /// Body bytes the server has produced so far.
    pub released: u64,
    /// Body bytes sent.
    pub sent: u64,
    /// Stream send window (RFC 9113 §6.9.1); may go negative after a SETTINGS change.
    pub window: i64,
    /// A pushed stream depends on the stream it was promised on: it sends only while that
    /// one has nothing to send (RFC 7540 §5.3.5, "pushed streams initially depend on their
    /// associated stream", which nginx, h2o and Apache keep).
    pub after: Option<StreamId>,
}

impl OutStream {
    fn has_data(&self) -> bool {
        !self.headers_pending && self.released > self.sent
    }

    fn done(&self) -> bool {
        !self.headers_pending && self.sent >= self.size
    }
}

/// A stream's turn by the policy: urgency, incremental, the tie-break, its place.
type Turn = (u8, bool, u64, u64);

/// The server's response scheduler for one connection, with its send windows.
#[derive(Clone, Debug)]
pub struct Scheduler {
    policy: SchedulerKind,
    /// Streams with frames to send, in rotation order: by place, a served incremental
    /// stream (every stream, round-robin) taking a new place at the back.
    streams: BTreeMap<u64, OutStream>,
    /// The streams' places in the order the policy serves them ([`Scheduler::turn`]), so
    /// the next stream is the first that can send rather than the least of all of them.
    turns: BTreeSet<Turn>,
    next_place: u64,
    next_order: u64,
    /// Connection send window (RFC 9113 §6.9.1).
    pub conn_window: i64,
    /// SETTINGS_INITIAL_WINDOW_SIZE of the client (RFC 9113 §6.5.2), for new streams.
    pub initial_window: i64,
    /// How many of the streams have spent their own send window (≤ 0): while none has and
    /// the connection has credit, no stream is blocked by flow control.
    spent: usize,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new(SchedulerKind::default())
    }
}

/// Why a stream with bytes ready could not send: its own window (`Some`) or the
/// connection's (`None`).
pub type FlowBlock = Option<StreamId>;

impl Scheduler {
    pub fn new(policy: SchedulerKind) -> Scheduler {
        Scheduler {
            policy,
            streams: BTreeMap::new(),
            turns: BTreeSet::new(),
            next_place: 0,
            next_order: 0,
            conn_window: DEFAULT_WINDOW as i64,
            initial_window: DEFAULT_WINDOW as i64,
            spent: 0,
        }
    }

    /// A response to send on `stream`: the head once [`OutStream::head_ready`], then the
    /// body as it is released. Until the caller sets them, nothing is ready.
    pub fn push(
        &mut self,
        asset: AssetId,
        stream: StreamId,
        priority: Priority,
        size: u64,
        arrived: SimTime,
    ) {
        self.place(OutStream {
            asset,
            stream,
            priority,
            order: self.next_order,
            arrived,
            headers_pending: true,
            head_ready: false,
            size,
            released: 0,
            sent: 0,
            window: self.initial_window,
            after: None,
        });
        self.spent += usize::from(self.initial_window <= 0);
        self.next_order += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// The streams in rotation order. (A stream's priority is read when it takes its place:
    /// change it only through the scheduler.)
    pub fn streams_mut(&mut self) -> impl Iterator<Item = &mut OutStream> {
        self.streams.values_mut()
    }

    /// When `s`, at `place`, is served by the policy. RFC 9218 §10: lowest urgency first;
    /// within it, non-incremental streams one after another in request order before
    /// incremental ones, which share round-robin in rotation order (the order quiche's
    /// `StreamPriorityKey` sorts). Round-robin: rotation order alone.
    fn turn(&self, place: u64, s: &OutStream) -> Turn {
        match self.policy {
            SchedulerKind::RoundRobin => (0, false, place, place),
            SchedulerKind::Sequential => {
                let tie = if s.priority.incremental {
                    place
                } else {
                    s.order
                };
                (s.priority.urgency, s.priority.incremental, tie, place)
            }
        }
    }

    /// Puts `s` at the back of the rotation.
    fn place(&mut self, s: OutStream) {
        let place = self.next_place;
        self.next_place += 1;
        self.turns.insert(self.turn(place, &s));
        self.streams.insert(place, s);
    }

    /// Takes the stream at `place` out of the rotation.
    fn unplace(&mut self, place: u64) -> Option<OutStream> {
        let s = self.streams.remove(&place)?;
        self.turns.remove(&self.turn(place, &s));
        Some(s)
    }

    /// A WINDOW_UPDATE arrived (RFC 9113 §6.9.1): stream 0 is the connection.
    pub fn window_update(&mut self, stream: StreamId, increment: u32) {
        let inc = i64::from(increment);
        if stream.0 == 0 {
            self.conn_window += inc;
        } else if let Some(s) = self.streams.values_mut().find(|s| s.stream == stream) {
            let was_spent = s.window <= 0;
            s.window += inc;
            if was_spent && s.window > 0 {
                self.spent -= 1;
            }
        }
    }

    /// RST_STREAM arrived: the stream is dropped (RFC 9113 §6.4). Returns whether it was
    /// still sending.
    pub fn cancel(&mut self, stream: StreamId) -> bool {
        let places: Vec<u64> = self
            .streams
            .iter()
            .filter(|(_, s)| s.stream == stream)
            .map(|(&place, _)| place)
            .collect();
        for &place in &places {
            if let Some(s) = self.unplace(place) {
                self.spent -= usize::from(s.window <= 0);
            }
        }
        !places.is_empty()
    }

    /// `stream` (a push) sends only while `parent` has nothing to send.
    pub fn depend(&mut self, stream: StreamId, parent: StreamId) {
        if let Some(s) = self.streams.values_mut().find(|s| s.stream == stream) {
            s.after = Some(parent);
        }
    }

    fn own_sendable(&self, s: &OutStream) -> bool {
        (s.headers_pending && s.head_ready)
            || (s.has_data() && s.window > 0 && self.conn_window > 0)
    }

    fn sendable(&self, s: &OutStream) -> bool {
        self.own_sendable(s)
            && !s.after.is_some_and(|p| {
                self.streams
                    .values()
                    .any(|o| o.stream == p && self.own_sendable(o))
            })
    }

    /// Streams that have released body bytes they may not send for want of credit.
    pub fn flow_blocked(&self) -> Vec<(AssetId, FlowBlock)> {
        if self.spent == 0 && self.conn_window > 0 {
            return Vec::new();
        }
        self.streams
            .values()
            .filter(|s| s.has_data())
            .filter_map(|s| {
                if s.window <= 0 {
                    Some((s.asset, Some(s.stream)))
                } else if self.conn_window <= 0 {
                    Some((s.asset, None))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Which stream sends next: the first in the policy's order that can send (its place).
    fn pick(&self) -> Option<u64> {
        self.turns
            .iter()
            .map(|t| t.3)
            .find(|place| self.streams.get(place).is_some_and(|s| self.sendable(s)))
    }

    /// The next frame, by the policy, within the flow-control windows.
    pub fn next_frame(&mut self) -> Option<OutFrame> {
        let place = self.pick()?;
        let conn_window = self.conn_window;
        let s = self.streams.get_mut(&place)?;
        let out = if s.headers_pending {
            s.headers_pending = false;
            OutFrame::Headers {
                asset: s.asset,
                stream: s.stream,
            }
        } else {
            let credit = u64::try_from(s.window.min(conn_window)).unwrap_or(0);
            let payload = (s.released - s.sent).min(MAX_DATA_PAYLOAD).min(credit);
            s.sent += payload;
            let was_spent = s.window <= 0;
            s.window -= payload as i64;
            if !was_spent && s.window <= 0 {
                self.spent += 1;
            }
            OutFrame::Data {
                asset: s.asset,
                stream: s.stream,
                payload,
                end_stream: s.sent >= s.size,
            }
        };
        if let OutFrame::Data { payload, .. } = out {
            self.conn_window -= payload as i64;
        }
        // A served incremental stream (round-robin: every stream) goes to the back; one
        // done leaves; any other keeps its place.
        let (rotate, done) = self.streams.get(&place).map_or((false, false), |s| {
            (
                self.policy == SchedulerKind::RoundRobin || s.priority.incremental,
                s.done(),
            )
        });
        if done {
            if let Some(s) = self.unplace(place) {
                self.spent -= usize::from(s.window <= 0);
            }
        } else if rotate {
            if let Some(s) = self.unplace(place) {
                self.place(s);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::priority::DEFAULT_PRIORITY;

    fn order(policy: SchedulerKind, streams: &[(u32, u8, bool, u64)]) -> Vec<(u32, char)> {
        let mut s = Scheduler::new(policy);
        s.conn_window = i64::MAX / 2;
        s.initial_window = i64::MAX / 2;
        for &(id, urgency, incremental, size) in streams {
            let p = Priority {
                urgency,
                incremental,
            };
            s.push(AssetId(id), StreamId(u64::from(id)), p, size, SimTime::ZERO);
        }
        for st in s.streams_mut() {
            st.head_ready = true;
            st.released = st.size;
        }
        std::iter::from_fn(|| s.next_frame())
            .map(|f| match f {
                OutFrame::Headers { asset, .. } => (asset.0, 'h'),
                OutFrame::Data { asset, .. } => (asset.0, 'd'),
            })
            .collect()
    }

    #[test]
    fn round_robin_interleaves_and_sequential_follows_rfc_9218() {
        let two = MAX_DATA_PAYLOAD * 2;
        // An image (u=3, incremental) requested before a stylesheet (u=0) and a script (u=1).
        let streams = [(1, 3, true, two), (2, 1, false, 10), (3, 0, false, two)];
        assert_eq!(
            order(SchedulerKind::RoundRobin, &streams),
            [
                (1, 'h'),
                (2, 'h'),
                (3, 'h'),
                (1, 'd'),
                (2, 'd'),
                (3, 'd'),
                (1, 'd'),
                (3, 'd')
            ]
        );
        // RFC 9218 §10: the most urgent first, each non-incremental one to its end.
        assert_eq!(
            order(SchedulerKind::Sequential, &streams),
            [
                (3, 'h'),
                (3, 'd'),
                (3, 'd'),
                (2, 'h'),
                (2, 'd'),
                (1, 'h'),
                (1, 'd'),
                (1, 'd')
            ]
        );
        // Equal urgency: incremental streams share round-robin, after the non-incremental.
        let images = [(1, 3, true, two), (2, 3, true, two), (3, 3, false, 10)];
        assert_eq!(
            order(SchedulerKind::Sequential, &images),
            [
                (3, 'h'),
                (3, 'd'),
                (1, 'h'),
                (2, 'h'),
                (1, 'd'),
                (2, 'd'),
                (1, 'd'),
                (2, 'd')
            ]
        );
    }

    /// RFC 7540 §5.3.5: a pushed stream (here urgency 0) waits while the stream it was
    /// promised on (the HTML, urgency 0 incremental) has data, then takes its turn.
    #[test]
    fn a_push_waits_for_its_parent() {
        let mut s = Scheduler::new(SchedulerKind::Sequential);
        s.conn_window = i64::MAX / 2;
        s.initial_window = i64::MAX / 2;
        let html = Priority {
            urgency: 0,
            incremental: true,
        };
        let css = Priority {
            urgency: 0,
            incremental: false,
        };
        s.push(
            AssetId(0),
            StreamId(1),
            html,
            MAX_DATA_PAYLOAD * 2,
            SimTime::ZERO,
        );
        s.push(AssetId(1), StreamId(2), css, 10, SimTime::ZERO);
        s.depend(StreamId(2), StreamId(1));
        for st in s.streams_mut() {
            st.head_ready = true;
            st.released = st.size;
        }
        let order: Vec<u32> = std::iter::from_fn(|| s.next_frame())
            .map(|f| match f {
                OutFrame::Headers { asset, .. } | OutFrame::Data { asset, .. } => asset.0,
            })
            .collect();
        // Without the dependency the non-incremental CSS would go first (RFC 9218 §10).
        assert_eq!(order, [0, 0, 0, 1, 1]);
    }

    #[test]
    fn data_stays_within_both_windows() {
        let mut s = Scheduler::new(SchedulerKind::Sequential);
        let p = DEFAULT_PRIORITY;
        s.push(AssetId(1), StreamId(1), p, 100_000, SimTime::ZERO);
        s.push(AssetId(2), StreamId(3), p, 100_000, SimTime::ZERO);
        for st in s.streams_mut() {
            st.head_ready = true;
            st.released = st.size;
        }
        let mut sent = [0u64; 3];
        while let Some(f) = s.next_frame() {
            if let OutFrame::Data { asset, payload, .. } = f {
                sent[asset.0 as usize] += payload;
            }
        }
        // RFC 9113 §6.9.2: 65,535 bytes of connection credit, all taken by stream 1 (its own
        // window is 65,535 too), so stream 3 is blocked by the connection.
        assert_eq!(sent, [0, 65_535, 0]);
        assert_eq!(
            s.flow_blocked(),
            [(AssetId(1), Some(StreamId(1))), (AssetId(2), None)]
        );
        s.window_update(StreamId(0), 30_000);
        s.window_update(StreamId(1), 10_000);
        while let Some(f) = s.next_frame() {
            if let OutFrame::Data { asset, payload, .. } = f {
                sent[asset.0 as usize] += payload;
            }
        }
        // 10,000 more for stream 1 (its window), the other 20,000 to stream 3.
        assert_eq!(sent, [0, 75_535, 20_000]);
        assert!(s.cancel(StreamId(3)));
        assert!(!s.cancel(StreamId(3)));
    }
}
