//! The retransmit queue's scoreboard, as `tcp_input.c` keeps it: each segment's tags
//! (SACKED_ACKED, SACKED_RETRANS, LOST, EVER_RETRANS), SACK processing
//! (`tcp_sacktag_write_queue`, `tcp_sacktag_one`, RFC 2018), DSACKs (`tcp_check_dsack`,
//! RFC 2883), reordering seen in SACKs (`tcp_check_sack_reordering`), marking a segment
//! lost (`tcp_mark_skb_lost`), and the SACK emulation without SACK (`tcp_add_reno_sack`,
//! `tcp_remove_reno_sacks`).

use super::connection::TcpConnection;
use super::event::{LossDetection, TcpEventKind};
use super::input::flag;
use super::segment::SackBlock;
use crate::time::SimTime;

/// A sent, not yet cumulatively acknowledged segment (an skb of the retransmit queue).
#[derive(Clone, Debug)]
pub(super) struct SentSeg {
    pub(super) end: u64,
    /// `skb_mstamp`: the latest (re)transmission.
    pub(super) xmit: SimTime,
    /// TCPCB_EVER_RETRANS (with SACKED_RETRANS, `sacked & TCPCB_RETRANS`).
    pub(super) ever_retrans: bool,
    /// TCPCB_SACKED_RETRANS: a retransmission is in flight.
    pub(super) retrans: bool,
    /// TCPCB_SACKED_ACKED.
    pub(super) sacked: bool,
    /// TCPCB_LOST.
    pub(super) lost: bool,
}

impl SentSeg {
    /// `sacked & TCPCB_RETRANS`.
    pub(super) fn any_retrans(&self) -> bool {
        self.ever_retrans || self.retrans
    }
}

/// State of one `tcp_sacktag_write_queue` pass.
#[derive(Default)]
pub(super) struct SackTag {
    pub(super) first_sackt: Option<SimTime>,
    pub(super) last_sackt: Option<SimTime>,
    /// Lowest never-retransmitted sequence newly S/ACKed in a hole (reordering).
    pub(super) reord: Option<u64>,
    pub(super) flag: u32,
}

impl<T: Copy> TcpConnection<T> {
    /// `tcp_mark_skb_lost`.
    pub(super) fn mark_lost(&mut self, now: SimTime, start: u64, by: LossDetection) {
        let Some(seg) = self.board.get_mut(&start) else {
            return;
        };
        if seg.sacked {
            return;
        }
        let len = seg.end - start;
        if seg.lost {
            if seg.retrans {
                // "Account for retransmits that are lost again"
                seg.retrans = false;
                self.retrans_out -= 1;
                self.lost_count += 1;
            } else {
                return;
            }
        } else {
            seg.lost = true;
            self.lost_out += 1;
            self.lost_count += 1;
        }
        self.event(
            now,
            TcpEventKind::Lost {
                seq: start,
                len,
                by,
            },
        );
    }

    /// `tcp_any_retrans_done`.
    pub(super) fn any_retrans_done(&self) -> bool {
        self.retrans_out > 0 || self.board.values().next().is_some_and(|s| s.ever_retrans)
    }

    /// `tcp_highest_sack_seq`.
    pub(super) fn highest_sack(&self) -> Option<u64> {
        self.board
            .iter()
            .rev()
            .find(|(_, s)| s.sacked)
            .map(|(_, s)| s.end)
    }

    /// `tcp_sacktag_write_queue`: tag the SACKed segments (RFC 2018), take DSACKs
    /// (RFC 2883, `tcp_check_dsack`).
    pub(super) fn sacktag(
        &mut self,
        now: SimTime,
        blocks: &[SackBlock],
        prior_snd_una: u64,
        ack: u64,
        st: &mut SackTag,
    ) {
        let mut blocks = blocks;
        if let Some(first) = blocks.first() {
            let dsack = first.start < ack
                || blocks
                    .get(1)
                    .is_some_and(|b| first.end <= b.end && first.start >= b.start);
            if dsack {
                self.dsack_seen(first.start, first.end, prior_snd_una, st);
                blocks = &blocks[1..];
            }
        }
        let highest = self.highest_sack();
        for b in blocks {
            // tcp_is_sackblock_valid: inside (snd_una, snd_nxt].
            if b.end > self.snd_nxt || b.start >= b.end || b.start < self.snd_una {
                continue;
            }
            // Tagging one segment changes no other, so each is looked at in turn.
            for i in self.board.positions(b.start..b.end) {
                let Some((start, s)) = self.board.at(i) else {
                    break;
                };
                if !s.sacked && s.end <= b.end {
                    self.sacktag_one(now, start, highest, st);
                }
            }
        }
    }

    /// `tcp_dsack_seen` / `tcp_check_dsack`.
    fn dsack_seen(&mut self, start: u64, end: u64, prior_snd_una: u64, st: &mut SackTag) {
        if start >= end {
            return;
        }
        let len = end - start;
        let mss = self.mss();
        let mut dup_segs = 1;
        if len > mss {
            dup_segs = len.div_ceil(mss);
        } else if self.tlp_high_seq == Some(end) {
            st.flag |= flag::DSACK_TLP;
        }
        self.dsack_dups += dup_segs;
        // "Skip the DSACK if dup segs weren't retransmitted by sender"
        if self.dsack_dups > self.total_retrans {
            return;
        }
        st.flag |= flag::DSACKING_ACK;
        // "A spurious retransmission is delivered"
        self.delivered += dup_segs;
        // "D-SACK for already forgotten data... Do dumb counting."
        if let Some(marker) = self.undo_marker {
            if self.undo_retrans > 0 && end <= prior_snd_una && end > marker {
                self.undo_retrans = (self.undo_retrans - dup_segs as i64).max(0);
            }
        }
        // A DSACK of a segment still on the scoreboard (above snd_una) that was
        // retransmitted: tcp_sacktag_one's undo accounting.
        let hits = self
            .board
            .range(start..end)
            .filter(|(_, s)| s.any_retrans())
            .count();
        for _ in 0..hits {
            if let Some(marker) = self.undo_marker {
                if self.undo_retrans > 0 && end > marker {
                    self.undo_retrans -= 1;
                }
            }
        }
    }

    /// `tcp_sacktag_one`.
    fn sacktag_one(&mut self, now: SimTime, start: u64, highest: Option<u64>, st: &mut SackTag) {
        let Some(seg) = self.board.get(&start).cloned() else {
            return;
        };
        if seg.sacked || seg.end <= self.snd_una {
            return;
        }
        self.rack_advance(now, seg.any_retrans(), seg.end, seg.xmit);
        let high_seq = self.high_seq;
        let mut lost_cleared = false;
        let mut retrans_cleared = false;
        if seg.retrans {
            if seg.lost {
                lost_cleared = true;
                retrans_cleared = true;
            }
        } else {
            if !seg.any_retrans() {
                // "New sack for not retransmitted frame, which was in hole. It is reordering."
                if highest.is_some_and(|h| start < h) && st.reord.is_none_or(|r| start < r) {
                    st.reord = Some(start);
                }
                if seg.end <= high_seq {
                    st.flag |= flag::ORIG_SACK_ACKED;
                }
                if st.first_sackt.is_none() {
                    st.first_sackt = Some(seg.xmit);
                }
                st.last_sackt = Some(seg.xmit);
            }
            if seg.lost {
                lost_cleared = true;
            }
        }
        if let Some(s) = self.board.get_mut(&start) {
            if lost_cleared {
                s.lost = false;
            }
            if retrans_cleared {
                s.retrans = false;
            }
            s.sacked = true;
        }
        if lost_cleared {
            self.lost_out -= 1;
        }
        if retrans_cleared {
            self.retrans_out -= 1;
        }
        st.flag |= flag::DATA_SACKED;
        self.sacked_out += 1;
        self.delivered += 1;
        self.event(
            now,
            TcpEventKind::Sacked {
                seq: start,
                len: seg.end - start,
            },
        );
    }

    /// `tcp_check_sack_reordering`.
    pub(super) fn check_sack_reordering(&mut self, low_seq: u64) {
        let Some(fack) = self.highest_sack() else {
            return;
        };
        if low_seq >= fack {
            return;
        }
        let mss = self.mss();
        let metric = fack - low_seq;
        if metric > self.reordering * mss {
            self.reordering = metric.div_ceil(mss).min(300);
        }
        self.reord_seen = true;
    }

    /// `tcp_remove_reno_sacks` (SACK emulation without SACK).
    pub(super) fn remove_reno_sacks(&mut self, acked: u64) {
        if acked > 0 {
            if acked > self.sacked_out {
                self.sacked_out = 0;
            } else {
                self.sacked_out -= acked - 1;
            }
        }
        self.limit_reno_sacked();
    }

    /// `tcp_add_reno_sack`.
    pub(super) fn add_reno_sack(&mut self, num_dupack: u64) {
        if num_dupack > 0 {
            self.sacked_out += num_dupack;
            self.limit_reno_sacked();
            self.delivered += num_dupack;
        }
    }

    /// `tcp_limit_reno_sacked`: duplicate ACKs cannot stand for more segments than are out.
    fn limit_reno_sacked(&mut self) {
        let holes = self.lost_out.max(1).min(self.packets_out());
        if self.sacked_out + holes > self.packets_out() {
            self.sacked_out = self.packets_out() - holes;
        }
    }
}
