//! The three-way handshake as Linux runs it: the SYN and SYN-ACK with their options
//! (SACK-permitted, RFC 2018; timestamps, RFC 7323; the initial window of
//! `tcp_select_initial_window`), the answer to each (`tcp_rcv_synsent_state_process`,
//! `tcp_rcv_state_process`), the handshake's RTT sample (`tcp_synack_rtt_meas`) and what
//! `tcp_init_transfer` sets once established.

use super::connection::{Role, State, TcpConnection};
use super::event::{CwndCause, TcpEventKind};
use super::segment::{Segment, Timestamps, TIMESTAMP_OPTION};
use super::timer::XmitTimer;
use crate::time::{SimDuration, SimTime};

impl<T: Copy> TcpConnection<T> {
    pub(super) fn establish(&mut self, now: SimTime) {
        self.state = State::Established;
        self.established_at = Some(now);
        self.event(now, TcpEventKind::Established);
        // tcp_init_transfer: "Cut cwnd down to 1 per RFC5681 if SYN or SYN-ACK has been
        // retransmitted... we only reset cwnd when more than 1 SYN/SYN-ACK retransmission
        // has occurred."
        if self.syn_retransmits > 1 {
            self.win.cwnd = 1;
        }
        self.receiver.on_established(now);
        self.cwnd_event(now, CwndCause::Ack);
        self.xmit_timer = None;
    }

    /// The handshake's RTT, when the SYN-ACK (client) or the ACK of the SYN-ACK (server,
    /// `tcp_synack_rtt_meas`) arrives: the time since the SYN or SYN-ACK left unless it was
    /// retransmitted; then the echoed timestamp (`tcp_ack_update_rtt`'s TSecr fallback).
    pub(super) fn handshake_rtt(&mut self, now: SimTime, seg: &Segment<T>) {
        match (self.syn_sent_at, self.syn_retransmits, seg.timestamps) {
            (Some(sent), 0, _) => self.handshake_rtt_sample(now, now - sent),
            (_, _, Some(ts)) if self.timestamps && ts.ecr != 0 => {
                let r = Self::ts_rtt(now, ts.ecr);
                self.handshake_rtt_sample(now, r);
            }
            _ => self.rtt.on_syn_retransmitted(),
        }
    }

    /// A handshake RTT sample (`tcp_synack_rtt_meas`, or the SYN-ACK's ACK of the SYN):
    /// `tcp_ack_update_rtt` feeds it to the minimum too.
    fn handshake_rtt_sample(&mut self, now: SimTime, r: SimDuration) {
        let r1 = r.max(SimDuration::from_micros(1));
        self.min_rtt = Some(self.min_rtt.map_or(r1, |m| m.min(r1)));
        self.rtt_sample(now, r);
    }

    pub(super) fn handle_syn(&mut self, now: SimTime, seg: &Segment<T>) {
        match (self.role, self.state) {
            (Role::Server, State::Listen) => {
                self.sack = self.cfg.sack && seg.sack_permitted;
                self.timestamps = self.cfg.timestamps && seg.timestamps.is_some();
                if let Some(ts) = seg.timestamps.filter(|_| self.timestamps) {
                    self.receiver.ts_recent = Some(ts.val);
                }
                self.snd_wnd = seg.window;
                self.state = State::SynReceived;
                self.syn_due = true;
                self.xmit_timer = Some((now + self.rtt.rto(), XmitTimer::Retrans));
            }
            (Role::Server, State::SynReceived) => {
                // Our SYN-ACK was lost or our reply is late: answer again.
                self.syn_due = true;
            }
            (Role::Client, State::SynSent) if seg.ack.is_some() => {
                self.sack = self.cfg.sack && seg.sack_permitted;
                self.timestamps = self.cfg.timestamps && seg.timestamps.is_some();
                self.snd_wnd = seg.window;
                if let Some(ts) = seg.timestamps.filter(|_| self.timestamps) {
                    self.receiver.ts_recent = Some(ts.val);
                }
                self.handshake_rtt(now, seg);
                self.establish(now);
                self.handshake_ack_due = true;
            }
            (Role::Client, State::Established) => {
                // The ACK of the SYN-ACK was lost: acknowledge again.
                self.receiver.ack_now = true;
            }
            _ => {}
        }
    }

    /// The SYN (client) or the SYN-ACK (server), sent for the first time or again: its
    /// options, the initial window (`tcp_select_initial_window`) and its timestamps; arms the
    /// retransmission timer if it is not running.
    pub(super) fn syn_segment(&mut self, now: SimTime) -> Segment<T> {
        let server = self.role == Role::Server;
        let retransmission = self.syn_sent_at.is_some();
        self.syn_sent_at = Some(now);
        if self.xmit_timer.is_none() {
            self.xmit_timer = Some((now + self.rtt.rto(), XmitTimer::Retrans));
        }
        let sack_permitted = if server { self.sack } else { self.cfg.sack };
        let timestamps = if server {
            self.timestamps
        } else {
            self.cfg.timestamps
        };
        // tcp_connect_init / tcp_openreq_init_rwin: the SYN-ACK's window is a multiple of
        // the MSS less the timestamps it will carry.
        let rounding = if server && timestamps {
            self.cfg.mss.saturating_sub(TIMESTAMP_OPTION).max(1)
        } else {
            self.cfg.mss.max(1)
        };
        let window = self.receiver.init_window(rounding);
        Segment {
            syn: true,
            sack_permitted,
            seq: 0,
            len: 0,
            ack: server.then_some(0),
            window,
            sack: Vec::new(),
            spans: Vec::new(),
            retransmission,
            timestamps: timestamps.then(|| Timestamps {
                val: Self::ts_val(now),
                ecr: if server { self.receiver.ts_ecr() } else { 0 },
            }),
            psh: false,
        }
    }
}
