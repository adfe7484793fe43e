//! Tests of the HTTP/3 layer, end to end over the shared link.

use super::harness::{page_requests, run, Outcome, PlannedRequest, Site, SiteEntry};
use super::*;
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

fn carries(c: &harness::Crossing, stream: StreamId) -> bool {
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
    let i = zs.iter().position(|c| carries(c, StreamId(0))).unwrap();
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
