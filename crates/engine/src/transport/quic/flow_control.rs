//! STREAM frames received and flow control (RFC 9000 §4): a frame opens the peer's stream
//! (RFC 9000 §2.1), its bytes are delivered in order (head-of-line blocking recorded), the
//! connection and stream limits are raised once enough was consumed (RFC 9000 §4.2; quic-go
//! at a quarter of the window), and the MAX_DATA / MAX_STREAM_DATA frames that announce them.

use super::connection::Connection;
use super::event::QuicEventKind;
use super::packet::{Frame, PacketType, StreamFrame};
use super::recovery::SentFrame;
use crate::ids::PacketNumber;
use crate::time::SimTime;

impl Connection {
    pub(super) fn on_stream_frame(&mut self, now: SimTime, f: &StreamFrame, pn: PacketNumber) {
        if !self.streams.contains_key(&f.id) {
            let peer_opened = (f.id.0 & 1 == 1) == self.side.is_client();
            if !peer_opened {
                return;
            }
            let uni = f.id.0 & 2 == 2;
            let s = self.new_stream(!uni, true);
            self.streams.insert(f.id, s);
            self.emit(now, QuicEventKind::StreamOpened { stream: f.id });
        }
        let window = self.own_windows.1;
        let (num, den) = self.stack.window_update_fraction();
        let Some(stream) = self.streams.get_mut(&f.id) else {
            return;
        };
        let Some(recv) = stream.recv.as_mut() else {
            return;
        };
        let before = recv.delivered;
        let origin = f.first_sent_in.unwrap_or(pn);
        let (pieces, hol) = recv.on_data(now, f.offset, f.len, f.fin, &f.tags, origin);
        let delivered = recv.delivered;
        // RFC 9000 §4.2: raise the limit once half the window was consumed (quic-go: a
        // quarter, [`Stack::window_update_fraction`]); the application reads whatever is
        // delivered in order at once.
        if delivered > before
            && stream.recv_max.saturating_sub(delivered) < window - window * num / den
        {
            stream.recv_max = delivered + window;
            self.max_stream_data_pending.insert(f.id);
        }
        self.delivered_data += delivered - before;
        let conn_window = self.own_windows.0;
        if self.recv_max_data.saturating_sub(self.delivered_data)
            < conn_window - conn_window * num / den
        {
            self.recv_max_data = self.delivered_data + conn_window;
            self.max_data_pending = true;
        }
        if let Some(h) = hol {
            self.emit(
                now,
                QuicEventKind::HolBlocked {
                    stream: f.id,
                    since: h.since,
                    offset: h.offset,
                    blocking: h.blocking,
                    waiting: h.waiting,
                },
            );
        }
        for p in pieces {
            self.emit(
                now,
                QuicEventKind::StreamDelivered {
                    stream: f.id,
                    offset: p.offset,
                    len: p.len,
                    tag: p.tag,
                    fin: p.fin,
                },
            );
        }
    }

    pub(super) fn flow_control_frames(
        &mut self,
        ty: PacketType,
        left: &mut u64,
        frames: &mut Vec<Frame>,
        sent: &mut Vec<SentFrame>,
    ) {
        if ty != PacketType::OneRtt {
            return;
        }
        if self.max_data_pending {
            let f = Frame::MaxData {
                max: self.recv_max_data,
            };
            if f.wire_len() <= *left {
                *left -= f.wire_len();
                frames.push(f);
                sent.push(SentFrame::MaxData);
                self.max_data_pending = false;
            }
        }
        while let Some(&id) = self.max_stream_data_pending.first() {
            let Some(s) = self.streams.get(&id) else {
                self.max_stream_data_pending.remove(&id);
                continue;
            };
            let f = Frame::MaxStreamData {
                id,
                max: s.recv_max,
            };
            if f.wire_len() > *left {
                break;
            }
            *left -= f.wire_len();
            frames.push(f);
            sent.push(SentFrame::MaxStreamData(id));
            self.max_stream_data_pending.remove(&id);
        }
    }
}
