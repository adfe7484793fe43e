//! A TCP segment as a typed repr with its exact size on the wire.

use serde::{Deserialize, Serialize};

/// RFC 791 §3.1: IPv4 header without options.
pub const IPV4_HEADER: u64 = 20;
/// RFC 9293 §3.1: TCP header without options.
pub const TCP_HEADER: u64 = 20;
/// RFC 9293 §3.1: at most 40 bytes of options (data offset ≤ 15 words).
pub const MAX_OPTIONS: u64 = 40;
/// SYN options as Linux sends them without timestamps: MSS (RFC 9293 §3.7.1, 4 bytes),
/// NOP NOP SACK-permitted (RFC 2018 §2, 2 + 2 padding), NOP window scale (RFC 7323 §2.2,
/// 3 + 1 padding).
pub const SYN_OPTIONS_SACK: u64 = 12;
/// The same without SACK-permitted.
pub const SYN_OPTIONS_NO_SACK: u64 = 8;
/// SYN options as Linux sends them with timestamps (`tcp_options_write`): MSS (4),
/// SACK-permitted and timestamps in 12 bytes (`TCPOLEN_SACKPERM_ALIGNED` folded into the
/// timestamp word, or NOP NOP before the timestamps without SACK), NOP window scale (4):
/// 20 bytes, a 60-byte SYN.
pub const SYN_OPTIONS_TIMESTAMPS: u64 = 20;
/// RFC 7323 §3 / Linux TCPOLEN_TSTAMP_ALIGNED: NOP NOP and the 10-byte timestamps option on
/// every segment once both ends agreed.
pub const TIMESTAMP_OPTION: u64 = 12;
/// RFC 2018 §3: a SACK option is 2 bytes plus 8 per block, after two NOPs for alignment.
pub const SACK_OPTION_BASE: u64 = 4;
pub const SACK_BLOCK: u64 = 8;
/// RFC 2018 §3: without timestamps, 40 bytes of option space hold at most four blocks.
pub const MAX_SACK_BLOCKS: usize = 4;
/// RFC 2018 §3 / Linux `tcp_established_options`: with the 12 bytes of timestamps, the
/// remaining 28 hold (28 − 4) / 8 = 3 blocks.
pub const MAX_SACK_BLOCKS_WITH_TIMESTAMPS: usize = 3;

/// The RFC 7323 timestamps option of one segment: TSval and TSecr, on the sender's
/// millisecond clock (Linux `tcp_time_stamp_ts`, TCP_TS_HZ = 1000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamps {
    pub val: u32,
    pub ecr: u32,
}

/// A received range [start, end) reported beyond the cumulative ACK (RFC 2018 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SackBlock {
    pub start: u64,
    pub end: u64,
}

/// Which application write some payload bytes belong to. Not on the wire: metadata that
/// travels with the segment so the receiving application learns what it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span<T> {
    /// Stream offset of the first byte.
    pub offset: u64,
    pub len: u64,
    pub tag: T,
}

impl<T: Copy> Span<T> {
    /// The part of this span inside [from, to), if any.
    pub fn clip(&self, from: u64, to: u64) -> Option<Span<T>> {
        let start = self.offset.max(from);
        let end = (self.offset + self.len).min(to);
        (start < end).then_some(Span {
            offset: start,
            len: end - start,
            tag: self.tag,
        })
    }
}

/// One TCP segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment<T> {
    pub syn: bool,
    /// SYN segments advertise SACK-permitted (RFC 2018 §2).
    pub sack_permitted: bool,
    /// Stream offset of the first payload byte.
    pub seq: u64,
    /// Payload bytes.
    pub len: u64,
    /// The next stream offset expected from the peer; `None` on the client's first SYN.
    pub ack: Option<u64>,
    /// Receive window, bytes.
    pub window: u64,
    pub sack: Vec<SackBlock>,
    /// Which writes the payload carries, in order, covering [seq, seq + len).
    pub spans: Vec<Span<T>>,
    /// True when this range was sent before (for the trace; not on the wire).
    pub retransmission: bool,
    /// RFC 7323 timestamps, when both ends use them.
    #[serde(default)]
    pub timestamps: Option<Timestamps>,
    /// PSH: the last segment of what the application had written (Linux `tcp_push`
    /// marks the write queue's tail).
    #[serde(default)]
    pub psh: bool,
}

impl<T> Segment<T> {
    /// Option bytes of this segment.
    pub fn options_len(&self) -> u64 {
        if self.syn {
            if self.timestamps.is_some() {
                SYN_OPTIONS_TIMESTAMPS
            } else if self.sack_permitted {
                SYN_OPTIONS_SACK
            } else {
                SYN_OPTIONS_NO_SACK
            }
        } else {
            let ts = if self.timestamps.is_some() {
                TIMESTAMP_OPTION
            } else {
                0
            };
            ts + sack_option_len(self.sack.len())
        }
    }

    /// Bytes on the wire: IPv4 and TCP headers, options and payload.
    pub fn wire_len(&self) -> u64 {
        IPV4_HEADER + TCP_HEADER + self.options_len() + self.len
    }

    pub fn end(&self) -> u64 {
        self.seq + self.len
    }
}

/// Option bytes for `blocks` SACK blocks (0 when none).
pub fn sack_option_len(blocks: usize) -> u64 {
    if blocks == 0 {
        0
    } else {
        SACK_OPTION_BASE + SACK_BLOCK * blocks.min(MAX_SACK_BLOCKS) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_sizes() {
        let mut s: Segment<()> = Segment {
            syn: true,
            sack_permitted: true,
            seq: 0,
            len: 0,
            ack: None,
            window: 65_535,
            sack: vec![],
            spans: vec![],
            retransmission: false,
            timestamps: None,
            psh: false,
        };
        assert_eq!(s.wire_len(), 52);
        s.sack_permitted = false;
        assert_eq!(s.wire_len(), 48);
        s.syn = false;
        s.len = 1460;
        assert_eq!(s.wire_len(), 1500);
        s.len = 0;
        s.sack = vec![SackBlock { start: 1, end: 2 }; 4];
        // 40 + 2 NOPs + kind/len + 4·8 = 76, within the 40 bytes of option space.
        assert_eq!(s.wire_len(), 76);
        assert!(s.options_len() <= MAX_OPTIONS);
        // With timestamps: 12 more bytes, room for three blocks (RFC 7323 §3, RFC 2018 §3).
        s.timestamps = Some(Timestamps { val: 1, ecr: 0 });
        s.sack.truncate(MAX_SACK_BLOCKS_WITH_TIMESTAMPS);
        assert_eq!(s.options_len(), 12 + 4 + 24);
        assert!(s.options_len() <= MAX_OPTIONS);
        s.sack.clear();
        s.len = 1448;
        assert_eq!(s.wire_len(), 1500);
        s.len = 0;
        s.syn = true;
        assert_eq!(s.wire_len(), 60);
        let span = Span {
            offset: 10,
            len: 10,
            tag: 'a',
        };
        assert_eq!(
            span.clip(15, 30),
            Some(Span {
                offset: 15,
                len: 5,
                tag: 'a'
            })
        );
        assert_eq!(span.clip(20, 30), None);
    }
}
