//! Tests of the HTTP/3 layer, end to end over the shared link.

use super::testing::{self, page_requests, run, Outcome, PlannedRequest};
use super::*;
use crate::http::origin::{Site, SiteEntry};
use crate::ids::PacketNumber;
use crate::link::Direction;
use crate::link::{LinkConfig, LossModel};
use crate::page::{Page, PresetId};
use crate::time::SimDuration;
use crate::transport::quic::{Config as QuicConfig, Frame as QFrame};

const LIMIT: SimTime = SimTime::from_micros(600_000_000);

fn page() -> Page {
    Page::preset(PresetId::Blog)
}

fn images(n: u64, size: u64) -> (Site, Vec<PlannedRequest>) {
    let p = page();
    let img = p
        .ids()
        .find(|&i| p.asset(i).kind == crate::page::AssetKind::Image)
        .unwrap();
    let mut site = Site {
        authority: p.host.clone(),
        ..Site::default()
    };
    let mut reqs = Vec::new();
    for i in 0..n {
        let path = format!("/img/{i}.jpg");
        site.by_path.insert(
            path.clone(),
            SiteEntry {
                fields: crate::headers::response_fields(&p, img),
                body: size,
            },
        );
        reqs.push(PlannedRequest {
            at: SimTime::ZERO,
            asset: AssetId(i as u32),
            path,
            fields: crate::headers::request_fields(&p, img),
            priority: DEFAULT_PRIORITY,
        });
    }
    (site, reqs)
}

fn ser(bytes: u64, bps: u64) -> SimDuration {
    SimDuration::serialisation(bytes, bps)
}

fn carries(c: &testing::Crossing, stream: StreamId) -> bool {
    c.datagram
        .packets
        .iter()
        .flat_map(|p| p.frames.iter())
        .any(|f| matches!(f, QFrame::Stream(s) if s.id == stream && s.len > 0))
}

fn received_at(o: &Outcome, stream: StreamId) -> SimTime {
    o.server_events
        .iter()
        .find_map(|e| match e.kind {
            H3EventKind::RequestReceived { stream: s, .. } if s == stream => Some(e.at),
            _ => None,
        })
        .unwrap()
}

/// One request for the blog's HTML at t = 0 on the default path (RTT 100 ms, 10 Mbit/s
/// down, 5 Mbit/s up). Returns the run and the client's first response byte.
fn first_request(zero_rtt: bool) -> (Outcome, SimTime) {
    let p = page();
    let cfg = H3Config {
        quic: QuicConfig {
            zero_rtt,
            ..QuicConfig::default()
        },
        ..H3Config::default()
    };
    let reqs = page_requests(&p, &[AssetId(0)], SimTime::ZERO, DEFAULT_PRIORITY);
    let o = run(
        &cfg,
        &LinkConfig::default(),
        &Site::from_page(&p),
        &reqs,
        LIMIT,
    );
    let first = o.client.response(StreamId(0)).unwrap().first_byte.unwrap();
    (o, first)
}

#[test]
fn first_byte_after_two_round_trips_and_one_with_zero_rtt() {
    let link = LinkConfig::default();
    let (rtt, up, down) = (link.rtt, link.uplink_bps, link.downlink_bps);
    let (o, first) = first_request(false);
    let client: Vec<_> = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client)
        .collect();
    let server: Vec<_> = o
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .collect();
    // The ClientHello (1,815 bytes) takes two datagrams, sent back to back at t = 0.
    assert!(client[0].sent == SimTime::ZERO && client[1].sent == SimTime::ZERO);
    let hello = ser(client[0].link.bytes, up) + ser(client[1].link.bytes, up);
    let t_ch = SimTime::ZERO + hello + link.one_way(Direction::Up);
    // The server answers at once with its whole flight (Initial, Handshake, and its
    // control stream in 0.5-RTT): the client's handshake completes when the datagram
    // holding the end of the server's Finished arrives, one round trip plus every
    // serialisation after t = 0.
    let t_hs = o.client.quic().one_rtt_ready_at().unwrap();
    let flight: Vec<_> = server
        .iter()
        .filter(|c| c.sent == t_ch && c.link.arrival().is_some_and(|a| a <= t_hs))
        .collect();
    let flight_ser = flight
        .iter()
        .fold(SimDuration::ZERO, |a, c| a + ser(c.link.bytes, down));
    assert_eq!(t_hs, SimTime::ZERO + rtt + hello + flight_ser);
    // 1 RTT for the request: its datagram (with the client's Finished) leaves at t_hs...
    let req = client.iter().find(|c| carries(c, StreamId(0))).unwrap();
    assert_eq!(req.sent, t_hs);
    let t_req = t_hs + ser(req.link.bytes, up) + link.one_way(Direction::Up);
    assert_eq!(received_at(&o, StreamId(0)), t_req);
    // ...and the response's first datagram leaves as the request arrives, on an idle link.
    let resp = server.iter().find(|c| carries(c, StreamId(0))).unwrap();
    assert_eq!(resp.sent, t_req);
    assert_eq!(
        first,
        t_req + ser(resp.link.bytes, down) + link.one_way(Direction::Down)
    );
    // In numbers: 2 × 100 ms + serialisation 10,115 µs. TCP + TLS 1.3 would need a third
    // round trip (SYN/SYN-ACK, then ClientHello/Finished, then the request).
    assert_eq!(first, SimTime::from_micros(210_115));
    assert!(first + SimDuration::from_millis(80) < SimTime::ZERO + rtt * 3);

    // 0-RTT: the request rides with the ClientHello; the server answers it in 0.5-RTT
    // with its handshake flight, one round trip after the start.
    let (z, first_z) = first_request(true);
    let zc: Vec<_> = z
        .crossings
        .iter()
        .filter(|c| c.from == Side::Client)
        .collect();
    let hello_z = zc
        .iter()
        .filter(|c| c.sent == SimTime::ZERO)
        .fold(SimDuration::ZERO, |a, c| a + ser(c.link.bytes, up));
    assert!(zc
        .iter()
        .take_while(|c| c.sent == SimTime::ZERO)
        .any(|c| carries(c, StreamId(0))));
    let t_ch_z = SimTime::ZERO + hello_z + link.one_way(Direction::Up);
    assert_eq!(received_at(&z, StreamId(0)), t_ch_z);
    let zs: Vec<_> = z
        .crossings
        .iter()
        .filter(|c| c.from == Side::Server)
        .collect();
    // Only the server's ACK of the first Initial went before, and was off the link by then.
    assert!(zs
        .iter()
        .filter(|c| c.sent < t_ch_z)
        .all(|c| c.link.serialised <= t_ch_z));
    let zs: Vec<_> = zs.into_iter().filter(|c| c.sent == t_ch_z).collect();
    let i = zs.iter().position(|c| carries(c, StreamId(0))).unwrap();
    let before = zs[..=i]
        .iter()
        .fold(SimDuration::ZERO, |a, c| a + ser(c.link.bytes, down));
    assert_eq!(first_z, SimTime::ZERO + rtt + hello_z + before);
    // In numbers: 100 ms + the two ClientHello datagrams at 5 Mbit/s (1,280 and 1,272 wire
    // bytes: 2,048 + 2,036 µs) + the server's Initial and its first 1-RTT datagram at
    // 10 Mbit/s (1,258 and 1,279 bytes: 1,007 + 1,024 µs).
    assert_eq!(first_z, SimTime::from_micros(106_115));
    assert!(first_z + rtt <= first);
}

fn no_queue_limit(loss: LossModel) -> LinkConfig {
    LinkConfig {
        // No drop-tail losses: only the scripted one.
        queue_bytes: Some(u64::MAX),
        loss,
        ..LinkConfig::default()
    }
}

fn completions(o: &Outcome) -> Vec<(StreamId, Option<SimTime>, u64)> {
    o.client
        .responses()
        .map(|(s, r)| (s, r.last_byte, r.body))
        .collect()
}

fn hol_of(o: &Outcome) -> Vec<(StreamId, PacketNumber)> {
    o.client_events
        .iter()
        .filter_map(|e| match &e.kind {
            H3EventKind::HolBlocked {
                stream, interval, ..
            } => Some((*stream, interval.blocking)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_lost_packet_blocks_only_the_streams_it_carried() {
    let (site, reqs) = images(10, 50_000);
    for scheduling in [Scheduling::Sequential, Scheduling::RoundRobin] {
        let cfg = H3Config {
            scheduling,
            ..H3Config::default()
        };
        let base = run(&cfg, &no_queue_limit(LossModel::None), &site, &reqs, LIMIT);
        let done = completions(&base);
        assert_eq!(done.len(), 10);
        assert!(done
            .iter()
            .all(|(_, t, body)| t.is_some() && *body == 50_000));
        assert!(hol_of(&base).is_empty());
        // The server datagram halfway through the responses, and what it carried.
        let carrying: Vec<_> = base
            .crossings
            .iter()
            .filter(|c| {
                c.from == Side::Server
                    && reqs
                        .iter()
                        .enumerate()
                        .any(|(i, _)| carries(c, StreamId(4 * i as u64)))
            })
            .collect();
        let lost = carrying[carrying.len() / 2];
        let in_it: Vec<StreamId> = (0..10)
            .map(|i| StreamId(4 * i))
            .filter(|&s| carries(lost, s))
            .collect();
        assert!(!in_it.is_empty());
        let pn = lost.datagram.packets.last().unwrap().pn;
        let loss = LossModel::Scripted {
            up: vec![],
            down: vec![lost.link.ordinal],
        };
        let o = run(&cfg, &no_queue_limit(loss), &site, &reqs, LIMIT);
        // Head-of-line blocking only where the lost packet's frames were, behind that packet.
        let hol = hol_of(&o);
        assert!(!hol.is_empty(), "{scheduling:?}");
        assert!(
            hol.iter().all(|(s, b)| in_it.contains(s) && *b == pn),
            "{scheduling:?}: {hol:?} vs {in_it:?} {pn}"
        );
        // Every other stream completes exactly when it did without the loss; the blocked
        // ones later; all with every byte.
        for ((s, t, body), (s0, t0, _)) in completions(&o).into_iter().zip(done.iter()) {
            assert_eq!(s, *s0);
            assert_eq!(body, 50_000);
            if in_it.contains(&s) {
                assert!(t > *t0, "{scheduling:?} {s}");
            } else {
                assert_eq!(t, *t0, "{scheduling:?} {s}");
            }
        }
    }
}

#[test]
fn two_runs_give_identical_logs() {
    let (site, reqs) = images(6, 30_000);
    let cfg = H3Config {
        scheduling: Scheduling::RoundRobin,
        ..H3Config::default()
    };
    let link = LinkConfig {
        loss: LossModel::Random { ppm: 30_000 },
        seed: 11,
        ..LinkConfig::default()
    };
    let a = run(&cfg, &link, &site, &reqs, LIMIT);
    let b = run(&cfg, &link, &site, &reqs, LIMIT);
    assert!(a.crossings.iter().any(|c| c.link.arrival().is_none()));
    assert_eq!(a.client_events, b.client_events);
    assert_eq!(a.server_events, b.server_events);
    assert_eq!(a.client_quic, b.client_quic);
    assert_eq!(a.crossings, b.crossings);
    assert_eq!(completions(&a), completions(&b));
    assert!(completions(&a)
        .iter()
        .all(|(_, t, body)| t.is_some() && *body == 30_000));
}

#[test]
fn request_header_block_is_qpack_static_only_and_does_not_shrink() {
    let p = page();
    let css = p
        .ids()
        .find(|&i| p.asset(i).kind == crate::page::AssetKind::Css)
        .unwrap();
    let a = p.asset(css);
    let fields = crate::headers::request_fields(&p, css);
    let mut c = H3Client::new(H3Config::default());
    let prio = Priority {
        urgency: 0,
        incremental: false,
    };
    let w1 = c
        .request(SimTime::ZERO, css, &a.path, &p.host, &fields, prio)
        .unwrap();
    let w2 = c
        .request(SimTime::ZERO, css, &a.path, &p.host, &fields, prio)
        .unwrap();
    // Exactly what wire::qpack produces for the pseudo-headers, the fields and the
    // RFC 9218 priority field.
    let mut all = vec![
        qpack::Field::new(":method", "GET"),
        qpack::Field::new(":authority", p.host.as_str()),
        qpack::Field::new(":scheme", "https"),
        qpack::Field::new(":path", a.path.as_str()),
    ];
    all.extend(fields.iter().map(qpack::Field::from));
    all.push(qpack::Field::new("priority", "u=0"));
    let mut block = Vec::new();
    qpack::Encoder::default().encode(&all, &mut block);
    assert_eq!(w1.header_block, block.len() as u64);
    let frame = Frame::Headers {
        encoded_field_section: block.clone(),
    }
    .to_bytes()
    .unwrap();
    assert_eq!(c.ledger().stream_bytes(w1.stream), frame);
    assert_eq!(w1.headers_frame, frame.len() as u64);
    assert_eq!(qpack::Decoder.decode(&block).unwrap(), all);
    // Smaller than the HTTP/1.1 text of the same request...
    let h1 = crate::wire::h1::request_head("GET", &a.path, &p.host, &fields);
    assert!(
        w1.header_block < h1.len() as u64,
        "{} vs {}",
        w1.header_block,
        h1.len()
    );
    // ...but without a dynamic table the second identical request costs the same.
    assert_eq!(
        (w2.header_block, w2.headers_frame),
        (w1.header_block, w1.headers_frame)
    );
    assert_ne!(w1.stream, w2.stream);
}

#[test]
fn each_side_opens_control_and_qpack_streams_with_settings_first() {
    let client = H3Client::new(H3Config::default());
    let server = H3Server::new(H3Config::default());
    for (ledger, control, initiator) in [
        (client.ledger(), client.control_stream(), 0),
        (server.ledger(), server.control_stream(), 1),
    ] {
        // RFC 9000 §2.1: the first unidirectional stream of each side.
        assert_eq!(control, StreamId(2 + initiator));
        let bytes = ledger.stream_bytes(control);
        assert_eq!(bytes[0], 0x00);
        let (f, n) = FrameDecoder::default()
            .decode(&bytes[1..])
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(n, bytes.len() - 1);
        assert_eq!(
            f,
            Frame::Settings {
                settings: default_settings()
            }
        );
        assert_eq!(ledger.stream_bytes(StreamId(6 + initiator)), vec![0x02]);
        assert_eq!(ledger.stream_bytes(StreamId(10 + initiator)), vec![0x03]);
    }
    // Over the link each side reads the other's SETTINGS, and nothing is malformed.
    let p = page();
    let reqs = page_requests(&p, &[AssetId(0)], SimTime::ZERO, DEFAULT_PRIORITY);
    let o = run(
        &H3Config::default(),
        &LinkConfig::default(),
        &Site::from_page(&p),
        &reqs,
        LIMIT,
    );
    assert_eq!(o.client.peer_settings(), Some(&default_settings()[..]));
    assert_eq!(o.server.peer_settings(), Some(&default_settings()[..]));
    for e in o.client_events.iter().chain(&o.server_events) {
        assert!(!matches!(e.kind, H3EventKind::Error { .. }), "{e:?}");
    }
    // The server decoded the path it answered from the QPACK bytes.
    assert!(o.server_events.iter().any(|e| matches!(&e.kind,
        H3EventKind::RequestReceived { path, method, .. } if path == "/" && method == "GET")));
    let r = o.client.response(StreamId(0)).unwrap();
    assert_eq!((r.status, r.body), (Some(200), p.asset(AssetId(0)).size));
}

#[test]
fn priority_field_round_trips_and_ignores_what_rfc_9218_says_to_ignore() {
    for urgency in 0..=7 {
        for incremental in [false, true] {
            let p = Priority {
                urgency,
                incremental,
            };
            let back = priority_field(p).map_or(DEFAULT_PRIORITY, |v| parse_priority(&v));
            assert_eq!(back, p);
        }
    }
    assert_eq!(priority_field(DEFAULT_PRIORITY), None);
    assert_eq!(parse_priority("u=9, i=?0, x=1"), DEFAULT_PRIORITY);
    assert_eq!(
        parse_priority("i, u=1"),
        Priority {
            urgency: 1,
            incremental: true
        }
    );
}

#[test]
fn a_round_robin_server_interleaves_and_a_sequential_one_does_not() {
    let (site, reqs) = images(3, 40_000);
    let first_and_last = |s: Scheduling| {
        let cfg = H3Config {
            scheduling: s,
            ..H3Config::default()
        };
        let o = run(&cfg, &no_queue_limit(LossModel::None), &site, &reqs, LIMIT);
        o.client
            .responses()
            .map(|(_, r)| (r.progress[0].0, r.last_byte.unwrap()))
            .collect::<Vec<_>>()
    };
    let seq = first_and_last(Scheduling::Sequential);
    // One after the other: each starts delivering content after the previous finished.
    assert!(seq[0].1 <= seq[1].0 && seq[1].1 <= seq[2].0, "{seq:?}");
    let rr = first_and_last(Scheduling::RoundRobin);
    // Interleaved: all start before any finishes.
    assert!(
        rr.iter()
            .all(|(start, _)| rr.iter().all(|(_, end)| start < end)),
        "{rr:?}"
    );
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    /// A client whose request stream 0 and a peer control stream 3 receive `bytes`.
    fn feed(stream: StreamId, bytes: Vec<u8>, split: usize, fin: bool) -> Vec<H3Event> {
        let mut c = H3Client::new(H3Config::default());
        if stream == StreamId(0) {
            let _ = c.request(SimTime::ZERO, AssetId(0), "/", "a", &[], DEFAULT_PRIORITY);
        }
        let mut peer = Ledger::default();
        let split = split.min(bytes.len());
        let len = bytes.len() as u64;
        let (a, b) = bytes.split_at(split);
        let content = Content::Headers {
            asset: AssetId(0),
            block: 0,
        };
        let t0 = peer.push(stream, split as u64, content, a.to_vec());
        let t1 = peer.push(stream, len - split as u64, content, b.to_vec());
        let t2 = peer.push(stream, 100, Content::Body { asset: AssetId(0) }, Vec::new());
        let at = SimTime::ZERO;
        let e = &mut c.0;
        if stream.0 & 2 == 2 {
            e.on_opened(stream);
        }
        e.on_delivered(at, &peer, stream, 0, split as u64, t0, false);
        e.on_delivered(
            at,
            &peer,
            stream,
            split as u64,
            len - split as u64,
            t1,
            false,
        );
        e.on_delivered(at, &peer, stream, len, 100, t2, fin);
        // A tag that does not exist, and bytes at the wrong offset.
        e.on_delivered(at, &peer, stream, len + 100, 5, 99, fin);
        e.on_delivered(at, &peer, stream, 7, 5, t0, fin);
        std::iter::from_fn(|| c.poll_event()).collect()
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
            split in 0usize..64,
            fin: bool,
            control: bool,
        ) {
            let stream = if control { StreamId(3) } else { StreamId(0) };
            let events = feed(stream, bytes, split, fin);
            // Whatever the bytes, the bogus deliveries after them are refused or ignored.
            let overcounted = events.iter().any(|e| {
                matches!(e.kind, H3EventKind::ResponseComplete { body, .. } if body > 100)
            });
            prop_assert!(!overcounted);
        }
    }

    #[test]
    fn a_body_outside_a_data_frame_is_a_frame_error() {
        // HEADERS with `:status 200` (static index 25, RFC 9204 Appendix A), then content
        // with no DATA frame header before it.
        let events = feed(StreamId(0), vec![0x01, 0x03, 0x00, 0x00, 0xd9], 2, true);
        assert!(
            events
                .iter()
                .any(|e| matches!(e.kind, H3EventKind::ResponseHeaders { status: 200, .. })),
            "{events:?}"
        );
        assert!(
            events.iter().any(|e| matches!(
                e.kind,
                H3EventKind::Error {
                    code: H3ErrorCode::FrameError,
                    ..
                }
            )),
            "{events:?}"
        );
    }

    #[test]
    fn a_control_stream_must_start_with_settings() {
        // Control stream type, then GOAWAY(0).
        let events = feed(StreamId(3), vec![0x00, 0x07, 0x01, 0x00], 1, false);
        assert!(
            events.iter().any(|e| matches!(
                e.kind,
                H3EventKind::Error {
                    code: H3ErrorCode::MissingSettings,
                    ..
                }
            )),
            "{events:?}"
        );
    }
}

/// Interim responses are 1xx only, and need a received request.
#[test]
fn interim_response_needs_a_request_and_a_1xx_status() {
    let mut server = H3Server::new(H3Config::default());
    assert_eq!(
        server.respond_interim(SimTime::ZERO, StreamId(0), 103, &[]),
        Err(H3Error::NoRequest(StreamId(0)))
    );
    assert_eq!(
        server.respond_interim(SimTime::ZERO, StreamId(0), 200, &[]),
        Err(H3Error::NotInterim(200))
    );
    assert_eq!(
        server.send_body(StreamId(0), 10),
        Err(H3Error::NoRequest(StreamId(0)))
    );
    assert!(H3Error::NotInterim(200)
        .to_string()
        .contains("allowed: 100 to 199"));
}
