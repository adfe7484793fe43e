//! The trace as qlog, for qvis (<https://qvis.quictools.info>): the `qlog` crate's own
//! types (pinned `=0.16.0`, qlog 0.3 with draft-ietf-quic-qlog-main-schema-02's event
//! names, the schema qvis reads), one qlog trace per lane, seen from the server, whose
//! congestion window and RTT the engine's trace records.
//!
//! - HTTP/3: every QUIC packet the server sent (`transport:packet_sent`, with its packet
//!   number and sizes) and every client packet it received (`transport:packet_received`),
//!   the packets its loss recovery declared lost (`recovery:packet_lost`, with the RFC 9002
//!   trigger), and `recovery:metrics_updated` at every change of the congestion window,
//!   slow-start threshold and RTT (latest and smoothed).
//! - HTTP/1.1 and HTTP/2 over TCP: qlog's schema has no TCP events, so segments, losses,
//!   timeouts, HTTP/2 frames and head-of-line stalls are `generic:message` events that say
//!   what happened; the congestion window and RTT are `recovery:metrics_updated` (those
//!   metrics are the same for TCP's sender). Each TCP connection is its own `group_id`.
//!
//! The engine's trace does not keep the frames of each QUIC packet nor its packet number
//! space, so packets carry no `frames` and their type is `1RTT` from the moment the
//! handshake completed, `unknown` before.

use qlog::events::quic::{
    MetricsUpdated, PacketHeader, PacketLost, PacketLostTrigger, PacketReceived, PacketSent,
    PacketType,
};
use qlog::events::{Event, EventData, RawInfo};
pub use qlog::Qlog;
use qlog::{CommonFields, Configuration, VantagePoint, VantagePointType};

use crate::ids::ConnId;
use crate::scenario::Protocol;
use crate::time::SimTime;
use crate::trace::{Direction, EventKind, Lane, Trace};
use crate::transport::quic::LossReason;

/// qlog times are milliseconds (f32, as the crate has them) since the navigation started.
fn ms(t: SimTime) -> f32 {
    (t.as_micros() as f64 / 1_000.0) as f32
}

fn dur_ms(us: u64) -> f32 {
    (us as f64 / 1_000.0) as f32
}

/// Every lane of the trace as one qlog file (one qlog trace per lane).
pub fn file(trace: &Trace) -> Qlog {
    let page = &trace.scenario.page;
    Qlog {
        qlog_version: qlog::QLOG_VERSION.to_owned(),
        qlog_format: "JSON".to_owned(),
        title: Some(format!("protoviz: {} ({})", page.name, page.host)),
        description: Some(format!(
            "{} assets over {}; simulated by protoviz's engine",
            page.assets.len(),
            trace
                .lanes
                .iter()
                .map(|l| l.protocol.label())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        summary: None,
        traces: trace.lanes.iter().map(|l| lane(trace, l)).collect(),
    }
}

/// The file as JSON text.
pub fn to_json(trace: &Trace) -> String {
    serde_json::to_string(&file(trace)).unwrap_or_default()
}

fn lane(trace: &Trace, l: &Lane) -> qlog::Trace {
    let quic = l.protocol == Protocol::Http3;
    let mut t = qlog::Trace::new(
        VantagePoint {
            name: Some(format!("{} server", trace.scenario.page.host)),
            ty: VantagePointType::Server,
            flow: None,
        },
        Some(l.protocol.label().to_owned()),
        Some(format!(
            "{} loading {} ({} connections)",
            l.protocol.label(),
            trace.scenario.page.name,
            l.connections.len()
        )),
        Some(Configuration::default()),
        Some(CommonFields {
            group_id: None,
            protocol_type: Some(if quic {
                vec!["QUIC".to_owned(), "HTTP3".to_owned()]
            } else {
                vec!["TCP".to_owned(), l.protocol.label().to_owned()]
            }),
            reference_time: Some(0.0),
            time_format: Some("relative".to_owned()),
        }),
    );
    // (time, order recorded, event): sorted by time, ties in the order recorded.
    let mut events: Vec<(SimTime, usize, Event)> = Vec::new();
    let mut push = |at: SimTime, conn: Option<ConnId>, data: EventData| {
        let mut e = Event::with_time(ms(at), data);
        if !quic {
            e.group_id = conn.map(|c| format!("tcp-{}", c.0));
        }
        let n = events.len();
        events.push((at, n, e));
    };
    let message = |m: String| EventData::Message { message: m };
    let one_rtt = |conn: ConnId, at: SimTime| {
        l.connections
            .iter()
            .find(|c| c.id == conn)
            .is_some_and(|c| at >= c.tls_established)
    };
    for c in &l.connections {
        // The window and the RTT at every change, merged in time order.
        let mut samples: Vec<(SimTime, MetricsUpdated)> = Vec::new();
        for w in &c.cwnd {
            samples.push((
                w.at,
                MetricsUpdated {
                    congestion_window: Some(w.cwnd),
                    ssthresh: w.ssthresh,
                    ..MetricsUpdated::default()
                },
            ));
        }
        for r in &c.rtt {
            samples.push((
                r.at,
                MetricsUpdated {
                    latest_rtt: Some(dur_ms(r.latest.as_micros())),
                    smoothed_rtt: Some(dur_ms(r.srtt.as_micros())),
                    ..MetricsUpdated::default()
                },
            ));
        }
        samples.sort_by_key(|s| s.0);
        for (at, m) in samples {
            push(at, Some(c.id), EventData::MetricsUpdated(m));
        }
    }
    for e in &l.events {
        match &e.kind {
            EventKind::PacketSent {
                dir,
                conn,
                seq,
                len,
                bytes,
                retransmission,
                arrives,
                ..
            } => {
                if quic {
                    let header = |at| PacketHeader {
                        packet_type: if one_rtt(*conn, at) {
                            PacketType::OneRtt
                        } else {
                            PacketType::Unknown
                        },
                        packet_number: Some(*seq),
                        ..PacketHeader::default()
                    };
                    let raw = Some(RawInfo {
                        length: Some(*bytes),
                        payload_length: Some(*len),
                        data: None,
                    });
                    match (dir, arrives) {
                        (Direction::Down, _) => push(
                            e.at,
                            Some(*conn),
                            EventData::PacketSent(PacketSent {
                                header: header(e.at),
                                raw,
                                ..PacketSent::default()
                            }),
                        ),
                        (Direction::Up, Some(at)) => push(
                            *at,
                            Some(*conn),
                            EventData::PacketReceived(PacketReceived {
                                header: header(*at),
                                raw,
                                ..PacketReceived::default()
                            }),
                        ),
                        // A client packet the link lost: the server never saw it.
                        (Direction::Up, None) => {}
                    }
                } else {
                    let who = match dir {
                        Direction::Down => "server",
                        Direction::Up => "client",
                    };
                    let fate = match arrives {
                        Some(at) => format!("arrives at {} ms", crate::export::millis(at.as_micros())),
                        None => "lost on the link".to_owned(),
                    };
                    push(
                        e.at,
                        Some(*conn),
                        message(format!(
                            "tcp segment sent by the {who}: bytes {seq}..{} of its stream, {bytes} bytes on the wire{}; {fate}",
                            seq + len,
                            if *retransmission { ", a retransmission" } else { "" }
                        )),
                    );
                }
            }
            EventKind::QuicPacketLost {
                dir: Direction::Down,
                conn,
                pn,
                reason,
            } => push(
                e.at,
                Some(*conn),
                EventData::PacketLost(PacketLost {
                    header: Some(PacketHeader {
                        packet_type: if one_rtt(*conn, e.at) {
                            PacketType::OneRtt
                        } else {
                            PacketType::Unknown
                        },
                        packet_number: Some(*pn),
                        ..PacketHeader::default()
                    }),
                    frames: None,
                    trigger: Some(match reason {
                        LossReason::PacketThreshold => PacketLostTrigger::ReorderingThreshold,
                        LossReason::TimeThreshold => PacketLostTrigger::TimeThreshold,
                        LossReason::Pto => PacketLostTrigger::PtoExpired,
                    }),
                }),
            ),
            EventKind::QuicHolBlocked {
                stream,
                offset,
                packet,
                waiting,
                from,
                ..
            } => push(
                e.at,
                None,
                message(format!(
                    "client stream {} held {waiting} bytes from {} ms: waiting for offset {offset}, first sent in lost packet {packet}",
                    stream.0,
                    crate::export::millis(from.as_micros())
                )),
            ),
            EventKind::PacketLost {
                dir,
                conn,
                seq,
                len,
                by,
            } => push(
                e.at,
                Some(*conn),
                message(format!(
                    "tcp {} declared bytes {seq}..{} lost ({by:?})",
                    if *dir == Direction::Down { "server" } else { "client" },
                    seq + len
                )),
            ),
            EventKind::Timeout { dir, conn, rto } => push(
                e.at,
                Some(*conn),
                message(format!(
                    "{} retransmission timeout, backed-off RTO {} ms",
                    if *dir == Direction::Down { "server" } else { "client" },
                    crate::export::millis(rto.as_micros())
                )),
            ),
            EventKind::Frame {
                dir,
                conn,
                stream,
                frame,
                length,
                flags,
                ..
            } => push(
                e.at,
                Some(*conn),
                message(format!(
                    "http2 {frame} frame from the {} on stream {}: {length} bytes, flags {flags:#04x}",
                    if *dir == Direction::Down { "server" } else { "client" },
                    stream.0
                )),
            ),
            EventKind::HolBlocked {
                conn,
                from,
                missing_from,
                missing_to,
                held,
                ..
            } => push(
                e.at,
                Some(*conn),
                message(format!(
                    "tcp head-of-line blocking from {} ms: {held} bytes held until bytes {missing_from}..{missing_to} arrived",
                    crate::export::millis(from.as_micros())
                )),
            ),
            _ => {}
        }
    }
    events.sort_by_key(|e| (e.0, e.1));
    for (_, _, e) in events {
        t.push_event(e);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::LossModel;
    use crate::{simulate, PresetId, Scenario};

    /// The file parses back with the crate's own types, and holds what the trace holds.
    #[test]
    fn the_qlog_parses_back_with_the_crates_types() {
        let mut s = Scenario::preset(PresetId::Blog);
        s.network.loss = LossModel::Random { ppm: 20_000 };
        s.network.seed = 4;
        let trace = simulate(&s).unwrap();
        let text = to_json(&trace);
        let back: Qlog = serde_json::from_str(&text).unwrap();
        assert_eq!(back.qlog_version, "0.3");
        assert_eq!(back.traces.len(), 4);
        let h3 = trace
            .lanes
            .iter()
            .position(|l| l.protocol == Protocol::Http3)
            .unwrap();
        let lane = &trace.lanes[h3];
        let q = &back.traces[h3];
        let count = |f: &dyn Fn(&EventData) -> bool| q.events.iter().filter(|e| f(&e.data)).count();
        let sent = lane
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::PacketSent {
                        dir: Direction::Down,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(count(&|d| matches!(d, EventData::PacketSent(_))), sent);
        let lost = lane
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::QuicPacketLost {
                        dir: Direction::Down,
                        ..
                    }
                )
            })
            .count();
        assert!(lost > 0, "2 % loss loses some packet");
        assert_eq!(count(&|d| matches!(d, EventData::PacketLost(_))), lost);
        let cwnds: Vec<u64> = q
            .events
            .iter()
            .filter_map(|e| match &e.data {
                EventData::MetricsUpdated(m) => m.congestion_window,
                _ => None,
            })
            .collect();
        let want: Vec<u64> = lane.connections[0].cwnd.iter().map(|w| w.cwnd).collect();
        assert_eq!(cwnds, want);
        // Times never go backwards.
        assert!(q.events.windows(2).all(|w| w[0].time <= w[1].time));
        // A TCP lane: its segments as generic messages, grouped by connection.
        let h2 = &back.traces[1];
        assert!(h2.events.iter().any(|e| matches!(&e.data,
            EventData::Message { message } if message.starts_with("tcp segment sent by the server"))));
        assert!(h2.events.iter().all(|e| e.group_id.is_some()));
    }
}
