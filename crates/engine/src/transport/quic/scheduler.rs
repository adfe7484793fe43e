//! Which stream's bytes go into the next packet: the scheduler's index (`reschedule`) and
//! the STREAM frames that fill a packet (`stream_frames`): retransmissions first, then RFC
//! 9218 urgency, round-robin among incremental streams (quic-go `framer.go`: its own order,
//! retransmissions in their stream's turn), within connection and stream flow-control credit.

use super::connection::Connection;
use super::event::QuicEventKind;
use super::packet::{Frame, SpaceId, StreamFrame};
use super::recovery::SentFrame;
use crate::ids::{PacketNumber, StreamId};

/// The scheduler's order (see [`Connection::stream_frames`]): retransmissions first, then
/// lower urgency, then the round-robin position (incremental streams; 0 for the others),
/// then stream id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct ScheduleKey {
    fresh: bool,
    urgency: u8,
    round_robin: u64,
    id: StreamId,
}

/// A stream's entry in [`Connection::ready`] or [`Connection::ready_new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Scheduled {
    key: ScheduleKey,
    /// Only new data to send, which needs connection-level flow-control credit.
    needs_credit: bool,
}

impl Connection {
    /// Puts `id` where it belongs in the scheduler's index after its send buffer, its
    /// flow-control limit, its priority or its round-robin position changed.
    pub(super) fn reschedule(&mut self, id: StreamId) {
        let quic_go = self.stack.round_robin_without_retransmission_priority();
        let Some(s) = self.streams.get_mut(&id) else {
            return;
        };
        let ready = s.send.as_ref().is_some_and(|b| {
            b.has_retransmit()
                || (b.fin && !b.fin_sent && b.next == b.written)
                || (b.next < b.written && b.next < s.send_max)
        });
        if quic_go && ready && s.scheduled.is_none() && s.priority.incremental {
            // quic-go `framer.go AddActiveStream`: a stream that becomes active joins the
            // back of the queue.
            self.serve_counter += 1;
            s.last_served = self.serve_counter;
        }
        let new = s.send.as_ref().and_then(|b| {
            // SendBuffer::has_new(limit) with limit = min(send_max, next + connection
            // credit): new bytes below both limits, or a FIN right after the last byte sent.
            let retransmit = b.has_retransmit();
            let lone_fin = b.fin && !b.fin_sent && b.next == b.written;
            let new_data = b.next < b.written && b.next < s.send_max;
            (retransmit || lone_fin || new_data).then_some(Scheduled {
                key: ScheduleKey {
                    // quic-go re-sends a stream's lost data in that stream's turn.
                    fresh: !retransmit || quic_go,
                    urgency: s.priority.urgency,
                    round_robin: if s.priority.incremental {
                        s.last_served
                    } else {
                        0
                    },
                    id,
                },
                needs_credit: !retransmit && !lone_fin,
            })
        });
        if new == s.scheduled {
            return;
        }
        if let Some(old) = s.scheduled.take() {
            if old.needs_credit {
                self.ready_new.remove(&old.key);
            } else {
                self.ready.remove(&old.key);
            }
        }
        if let Some(n) = new {
            if n.needs_credit {
                self.ready_new.insert(n.key);
            } else {
                self.ready.insert(n.key);
            }
        }
        s.scheduled = new;
    }

    pub(super) fn streams_have_data(&self) -> bool {
        !self.ready.is_empty()
            || (self.sent_data < self.send_max_data && !self.ready_new.is_empty())
    }

    /// Fills the rest of a 0-RTT/1-RTT packet with STREAM frames: retransmissions first,
    /// then by priority (RFC 9218 urgency; round-robin among incremental streams, stream id
    /// order among the others).
    pub(super) fn stream_frames(
        &mut self,
        pn: u64,
        left: &mut u64,
        frames: &mut Vec<Frame>,
        sent: &mut Vec<SentFrame>,
        retransmitted: &mut Vec<QuicEventKind>,
    ) {
        let mut served: Vec<StreamId> = Vec::new();
        loop {
            let conn_room = self.send_max_data.saturating_sub(self.sent_data);
            let unserved = |k: &&ScheduleKey| !served.contains(&k.id);
            let first = self.ready.iter().find(unserved);
            let first_new = if conn_room > 0 {
                self.ready_new.iter().find(unserved)
            } else {
                None
            };
            let best = match (first, first_new) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            #[cfg(debug_assertions)]
            debug_assert_eq!(
                best.map(|k| k.id),
                self.schedule_by_scan(conn_room, &served),
                "the scheduler's index disagrees with its definition"
            );
            let Some(&ScheduleKey { id, .. }) = best else {
                break;
            };
            // Worst-case overhead: offset and length as their largest varints for this room.
            let Some(s) = self.streams.get_mut(&id) else {
                break;
            };
            let Some(b) = s.send.as_mut() else {
                break;
            };
            let limit = s.send_max.min(b.next.saturating_add(conn_room));
            let off = b.retransmit.first().map_or(b.next, |r| r.start);
            let overhead = StreamFrame::overhead(id, off.max(1), *left);
            if *left <= overhead {
                break;
            }
            let next_before = b.next;
            let Some(c) = b.next_frame(*left - overhead, limit) else {
                served.push(id);
                self.reschedule(id);
                continue;
            };
            let is_new = c.offset >= next_before && c.retransmit_of.is_none();
            if is_new {
                if c.len > 0 {
                    b.record_origin(c.offset, PacketNumber(pn));
                }
                self.sent_data += c.len;
            } else {
                retransmitted.push(QuicEventKind::DataRetransmitted {
                    space: SpaceId::Data,
                    stream: Some(id),
                    offset: c.offset,
                    len: c.len,
                    first_sent_in: c.retransmit_of,
                    pn: PacketNumber(pn),
                });
            }
            let f = StreamFrame {
                id,
                offset: c.offset,
                len: c.len,
                fin: c.fin,
                tags: b.tags_of(c.offset..c.offset + c.len),
                first_sent_in: c.retransmit_of,
            };
            *left -= f.wire_len().min(*left);
            frames.push(Frame::Stream(f));
            sent.push(SentFrame::Stream {
                id,
                offset: c.offset,
                len: c.len,
                fin: c.fin,
            });
            self.serve_counter += 1;
            s.last_served = self.serve_counter;
            self.reschedule(id);
        }
    }

    /// The scheduler's choice by its definition, scanning every stream: the index must
    /// agree (checked in debug builds).
    #[cfg(debug_assertions)]
    fn schedule_by_scan(&self, conn_room: u64, served: &[StreamId]) -> Option<StreamId> {
        self.streams
            .iter()
            .filter(|(id, _)| !served.contains(id))
            .filter_map(|(&id, s)| {
                let b = s.send.as_ref()?;
                let limit = s.send_max.min(b.next.saturating_add(conn_room));
                let rtx = b.has_retransmit();
                if !rtx && !b.has_new(limit) {
                    return None;
                }
                let rtx = rtx && !self.stack.round_robin_without_retransmission_priority();
                let rr = if s.priority.incremental {
                    s.last_served
                } else {
                    0
                };
                Some((!rtx, s.priority.urgency, rr, id))
            })
            .min()
            .map(|k| k.3)
    }
}
