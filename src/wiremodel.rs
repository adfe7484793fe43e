//! What the connection views draw, worked out from a lane of the trace (never guessed):
//! each connection's band of whose bytes crossed the bottleneck when ([`bands`]), and a lost
//! packet and what it stalled in every lane ([`lost_in`], [`why_sentence`]). The HPACK view's
//! model is [`crate::framemodel`].

use protoviz_engine::link::{DropReason, LinkConfig};
use protoviz_engine::trace::{BlockedCause, Carried, Direction, EventKind, Lane};
use protoviz_engine::transport::quic::LossReason;
use protoviz_engine::transport::tcp::LossDetection;
use protoviz_engine::{AssetId, ConnId, Protocol, SimDuration, StreamId};

use crate::format;

/// What a stretch of a connection's band is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    /// The TCP handshake.
    Connect,
    /// The TLS handshake over TCP.
    Tls,
    /// QUIC's handshake (transport and TLS in one, RFC 9001 §4).
    Quic,
    /// An asset's bytes, first sent.
    Data,
    /// An asset's bytes sent again.
    Retransmit,
    /// An asset's bytes in a packet the link lost after the bottleneck.
    Lost,
}

impl PieceKind {
    pub fn class(self) -> &'static str {
        match self {
            PieceKind::Connect => "connect",
            PieceKind::Tls => "tls",
            PieceKind::Quic => "quic",
            PieceKind::Data => "data",
            PieceKind::Retransmit => "retx",
            PieceKind::Lost => "lost",
        }
    }
}

/// One stretch of a band, µs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub from: u64,
    pub to: u64,
    pub asset: Option<AssetId>,
    pub kind: PieceKind,
    /// Bytes of the asset in it.
    pub bytes: u64,
}

/// One connection's band: its set-up, then whose response bytes crossed the bottleneck
/// when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    pub conn: ConnId,
    pub opened: u64,
    pub ready: u64,
    pub pieces: Vec<Piece>,
    /// The assets it carried, in the order their bytes first crossed.
    pub assets: Vec<AssetId>,
}

/// Each connection's band. A server→client packet crossed the bottleneck when the trace
/// says ([`EventKind::crossed`]); a packet carrying several assets is shared among them by
/// their bytes.
/// Consecutive stretches of one asset closer than two full-size packets' serialisation are
/// one piece. Packets the full queue dropped never crossed and are left out.
pub fn bands(lane: &Lane, link: &LinkConfig) -> Vec<Band> {
    let quic = lane.protocol == Protocol::Http3;
    let mut bands: Vec<Band> = lane
        .connections
        .iter()
        .map(|c| {
            let (o, t, r) = (
                c.opened.as_micros(),
                c.tcp_established.as_micros(),
                c.tls_established.as_micros(),
            );
            let mut pieces = Vec::new();
            let mut phase = |from: u64, to: u64, kind| {
                if to > from {
                    pieces.push(Piece {
                        from,
                        to,
                        asset: None,
                        kind,
                        bytes: 0,
                    });
                }
            };
            if quic {
                phase(o, r, PieceKind::Quic);
            } else {
                phase(o, t, PieceKind::Connect);
                phase(t.max(o), r, PieceKind::Tls);
            }
            Band {
                conn: c.id,
                opened: o,
                ready: r,
                pieces,
                assets: Vec::new(),
            }
        })
        .collect();
    let gap = SimDuration::serialisation(1_500, link.downlink_bps).as_micros() * 2;
    for e in &lane.events {
        let EventKind::PacketSent {
            dir: Direction::Down,
            conn,
            retransmission,
            dropped,
            carried,
            ..
        } = &e.kind
        else {
            continue;
        };
        if carried.is_empty() {
            continue;
        }
        let Some((start, end)) = e.kind.crossed(link) else {
            continue;
        };
        let Some(band) = bands.get_mut(conn.index()) else {
            continue;
        };
        let (start, end) = (start.as_micros(), end.as_micros());
        let kind = match (dropped.is_some(), *retransmission) {
            (true, _) => PieceKind::Lost,
            (false, true) => PieceKind::Retransmit,
            (false, false) => PieceKind::Data,
        };
        let total = carried.iter().map(|c| c.bytes).sum::<u64>().max(1);
        let mut at = start;
        for (i, c) in carried.iter().enumerate() {
            let to = if i + 1 == carried.len() {
                end
            } else {
                at + (end - start) * c.bytes / total
            };
            if !band.assets.contains(&c.asset) {
                band.assets.push(c.asset);
            }
            match band.pieces.last_mut() {
                Some(p) if p.asset == Some(c.asset) && p.kind == kind && at <= p.to + gap => {
                    p.to = p.to.max(to);
                    p.bytes += c.bytes;
                }
                _ => band.pieces.push(Piece {
                    from: at,
                    to,
                    asset: Some(c.asset),
                    kind,
                    bytes: c.bytes,
                }),
            }
            at = to;
        }
    }
    bands
}

/// The file name of a path (`/img/hero.jpg` → `hero.jpg`).
pub fn file(path: &str) -> &str {
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path)
}

/// "a.js, b.css, c.png and 12 more".
pub fn name_list(names: &[String], most: usize) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n if n <= most => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
        n => format!("{} and {} more", names[..most].join(", "), n - most),
    }
}

/// One asset a lost packet stalled, and for how long (µs, summed over its stalls).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stall {
    pub asset: AssetId,
    pub path: String,
    pub stream: Option<StreamId>,
    pub us: u64,
}

/// A packet of a lane (by direction and ordinal on its link) and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanePacket {
    pub protocol: Protocol,
    /// Index of its `PacketSent` in the lane's events.
    pub event: usize,
    pub at: u64,
    pub conn: ConnId,
    pub dir: Direction,
    pub ordinal: u64,
    /// TCP: the stream offset of its payload; QUIC: its (first) packet number.
    pub seq: u64,
    pub len: u64,
    pub retransmission: bool,
    pub dropped: Option<DropReason>,
    pub carried: Vec<Carried>,
    /// When the sender declared it lost, and how.
    pub detected: Option<(u64, &'static str)>,
    /// TCP: when its bytes were sent again.
    pub resent: Option<u64>,
    /// What waited for it, longest first.
    pub stalls: Vec<Stall>,
}

fn tcp_detection(by: LossDetection) -> &'static str {
    match by {
        LossDetection::DupAcks => "after 3 duplicate ACKs (fast retransmit, RFC 5681 §3.2)",
        LossDetection::Sack => "once SACKs showed 3 segments above it had arrived (RFC 6675 §4)",
        LossDetection::Rack => {
            "by RACK, once a segment sent after it was delivered (RFC 8985 §6.2)"
        }
        LossDetection::Rto => "after the retransmission timer expired (RFC 6298 §5.4)",
    }
}

fn quic_detection(r: LossReason) -> &'static str {
    match r {
        LossReason::PacketThreshold => "after 3 later packets were acknowledged (RFC 9002 §6.1.1)",
        LossReason::TimeThreshold => {
            "once a later packet's acknowledgement came 9/8 RTT after it (RFC 9002 §6.1.2)"
        }
        LossReason::Pto => "after a probe timeout (RFC 9002 §6.2)",
    }
}

pub fn drop_text(d: DropReason) -> &'static str {
    match d {
        DropReason::Random => "lost on the link",
        DropReason::Burst => "lost in a burst of losses on the link",
        DropReason::Scripted => "dropped (scripted)",
        DropReason::QueueOverflow => "dropped by the full bottleneck queue",
    }
}

/// The packet `ordinal` of direction `dir` on `lane`'s link, with what the trace says
/// became of it: when it was declared lost and resent, and which assets waited for it
/// (TCP: the head-of-line stalls whose missing bytes it carried; QUIC: the stream stalls
/// that name its packet number).
pub fn lost_in(lane: &Lane, dir: Direction, ordinal: u64) -> Option<LanePacket> {
    let quic = lane.protocol == Protocol::Http3;
    let (event, e) = lane.events.iter().enumerate().find(|(_, e)| {
        matches!(&e.kind, EventKind::PacketSent { dir: d, ordinal: o, .. } if *d == dir && *o == ordinal)
    })?;
    let EventKind::PacketSent {
        conn,
        seq,
        len,
        retransmission,
        dropped,
        carried,
        ..
    } = &e.kind
    else {
        return None;
    };
    let (conn, seq, len, at) = (*conn, *seq, *len, e.at.as_micros());
    let mut p = LanePacket {
        protocol: lane.protocol,
        event,
        at,
        conn,
        dir,
        ordinal,
        seq,
        len,
        retransmission: *retransmission,
        dropped: *dropped,
        carried: carried.clone(),
        detected: None,
        resent: None,
        stalls: Vec::new(),
    };
    if dropped.is_none() {
        return Some(p);
    }
    let end = seq + len.max(1);
    for later in &lane.events[event..] {
        let t = later.at.as_micros();
        match &later.kind {
            EventKind::PacketLost {
                dir: d,
                conn: c,
                seq: s,
                len: l,
                by,
            } if !quic
                && p.detected.is_none()
                && *d == dir
                && *c == conn
                && *s < end
                && seq < s + l =>
            {
                p.detected = Some((t, tcp_detection(*by)));
            }
            EventKind::QuicPacketLost {
                dir: d, pn, reason, ..
            } if quic && p.detected.is_none() && *d == dir && *pn == seq => {
                p.detected = Some((t, quic_detection(*reason)));
            }
            EventKind::PacketSent {
                dir: d,
                conn: c,
                seq: s,
                len: l,
                retransmission: true,
                ..
            } if !quic
                && p.resent.is_none()
                && t > at
                && *d == dir
                && *c == conn
                && *s <= seq
                && seq < s + l =>
            {
                p.resent = Some(t);
            }
            _ => {}
        }
        if p.detected.is_some() && (quic || p.resent.is_some()) {
            break;
        }
    }
    if dir == Direction::Down {
        for a in &lane.assets {
            let us: u64 = a
                .blocked
                .iter()
                .filter(|b| match b.cause {
                    BlockedCause::TcpHeadOfLine {
                        conn: c,
                        missing_from,
                        missing_to,
                    } => !quic && c == conn && missing_from < end && seq < missing_to,
                    BlockedCause::QuicStreamHeadOfLine { packet, .. } => quic && packet == seq,
                    _ => false,
                })
                .map(|b| b.to.saturating_since(b.from).as_micros())
                .sum();
            if us > 0 {
                p.stalls.push(Stall {
                    asset: a.asset,
                    path: a.path.clone(),
                    stream: a.stream,
                    us,
                });
            }
        }
        p.stalls
            .sort_by(|a, b| b.us.cmp(&a.us).then(a.asset.cmp(&b.asset)));
    }
    Some(p)
}

/// The packet in words: "TCP segment 41 (bytes 52,120–53,568 of connection #2)".
pub fn packet_text(p: &LanePacket) -> String {
    let way = match p.dir {
        Direction::Down => "server→client",
        Direction::Up => "client→server",
    };
    if p.protocol == Protocol::Http3 {
        format!(
            "QUIC packet {} ({way} packet {} on the link)",
            p.seq, p.ordinal
        )
    } else {
        format!(
            "TCP segment {} ({way}, bytes {}–{} of connection #{})",
            p.ordinal,
            p.seq,
            p.seq + p.len,
            p.conn.0
        )
    }
}

fn stalled_names(p: &LanePacket) -> Vec<String> {
    p.stalls
        .iter()
        .map(|s| format!("`{}`", file(&s.path)))
        .collect()
}

/// The one sentence of the "why did this wait?" panel: what waited longest for the picked
/// packet and why, then what the same packet of the link did in the other lanes.
pub fn why_sentence(picked: &LanePacket, others: &[LanePacket]) -> String {
    let mut s = match picked.stalls.first() {
        Some(top) => {
            let more = match picked.stalls.len() - 1 {
                0 => String::new(),
                1 => " (and 1 more asset)".to_string(),
                n => format!(" (and {n} more assets)"),
            };
            format!("`{}` waits {}{more}: ", file(&top.path), format::ms(top.us))
        }
        None => "Nothing waited for it: ".to_string(),
    };
    s.push_str(&packet_text(picked));
    match picked.dropped {
        Some(d) => {
            s.push_str(&format!(" was {}", drop_text(d)));
            match (picked.resent, picked.detected) {
                (Some(r), Some((_, how))) => {
                    s.push_str(&format!(" and resent at {} {how}", format::ms(r)))
                }
                (None, Some((t, how))) => {
                    s.push_str(&format!(" and declared lost at {} {how}", format::ms(t)))
                }
                (Some(r), None) => s.push_str(&format!(" and resent at {}", format::ms(r))),
                (None, None) => {}
            }
        }
        None => s.push_str(" arrived"),
    }
    for o in others {
        let label = o.protocol.label();
        let names = stalled_names(o);
        if o.dropped.is_none() {
            s.push_str(&format!("; {label}'s packet {} arrived", o.ordinal));
        } else if names.is_empty() {
            s.push_str(&format!(
                "; {label} lost its packet too, but nothing waited for it"
            ));
        } else {
            let only = if names.len() < picked.stalls.len() {
                "only "
            } else {
                ""
            };
            s.push_str(&format!("; {label} stalled {only}{}", name_list(&names, 4)));
        }
    }
    s.push('.');
    s
}
