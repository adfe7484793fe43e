//! The first-slice lane model: connection set-up round trips, request/response round trips
//! and serialisation of every byte on one shared bottleneck, without loss, congestion control
//! or flow control. The transport engine (TCP, TLS, QUIC state machines) replaces the link
//! and connection parts; the `Scenario → Trace` boundary stays.
//!
//! The bottleneck serves the flows that have bytes waiting in round-robin, one packet at a
//! time (as fair queueing at a bottleneck would), so six HTTP/1.1 connections share the
//! bandwidth instead of getting six times it, and HTTP/2 streams interleave on their one
//! connection.

use std::collections::VecDeque;

use crate::headers::{request_fields, response_fields, Field};
use crate::ids::{AssetId, ConnId, StreamId};
use crate::page::Page;
use crate::scenario::{Network, Protocol};
use crate::sim::EventQueue;
use crate::time::{SimDuration, SimTime};
use crate::trace::{
    AssetTiming, ConnectPhases, Connection, Direction, Event, EventKind, Lane, Metrics,
};
use crate::wire::h1;

/// RFC 9293 §3.7.1 / RFC 6691: an MSS of 1460 bytes fills a 1500-byte Ethernet MTU after
/// 20 bytes of IPv4 header and 20 of TCP header.
pub const MSS: u64 = 1460;
/// RFC 791 §3.1 (IPv4, no options) 20 bytes + RFC 9293 §3.1 (TCP, no options) 20 bytes.
pub const PACKET_HEADER: u64 = 40;
/// TCP options on SYN and SYN-ACK (MSS 4, SACK-permitted 2, timestamps 10, window scale 3,
/// padding): RFC 9293 §3.2, RFC 2018, RFC 7323.
pub const SYN_OPTIONS: u64 = 20;
/// Chrome's TLS 1.3 ClientHello with an X25519MLKEM768 key share, in its record.
pub const CLIENT_HELLO: u64 = 1_820;
/// Server's first flight (RFC 8446 §2): ServerHello with the ML-KEM ciphertext,
/// EncryptedExtensions, a two-certificate chain, CertificateVerify and Finished.
pub const SERVER_FLIGHT: u64 = 4_600;
/// Client Finished (RFC 8446 §4.4.4) in its record, with the ChangeCipherSpec compatibility
/// record (RFC 8446 §D.4).
pub const CLIENT_FINISHED: u64 = 64;
/// RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14 bytes.
pub const TLS_RECORD_MAX: u64 = 16_384;
/// RFC 8446 §5.2: 5-byte record header, 1-byte inner content type, 16-byte AEAD tag.
pub const TLS_RECORD_OVERHEAD: u64 = 22;
/// RFC 9113 §4.1: every frame starts with a 9-byte header.
pub const H2_FRAME_HEADER: u64 = 9;
/// RFC 9113 §4.2: SETTINGS_MAX_FRAME_SIZE starts at 2^14.
pub const H2_MAX_FRAME: u64 = 16_384;
/// RFC 9113 §3.4: the 24-octet client connection preface, then SETTINGS (three settings of
/// six bytes, §6.5.1) and a connection WINDOW_UPDATE (§6.9), as Chrome sends them.
pub const H2_CLIENT_PREFACE: u64 = 24 + (9 + 3 * 6) + (9 + 4);
/// Server SETTINGS (four settings) and the ACK of the client's SETTINGS (RFC 9113 §6.5.3).
pub const H2_SERVER_SETTINGS: u64 = (9 + 4 * 6) + 9;
/// Browsers open at most six HTTP/1.1 connections per host (RFC 9112 §9.4 leaves it to
/// them; Chrome, Firefox and Safari all use six).
pub const H1_MAX_CONNECTIONS: usize = 6;

/// What a run of bytes on the wire is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Syn,
    SynAck,
    ClientHello,
    ServerFlight,
    ClientFinished,
    H2Preface,
    H2ServerSettings,
    Request(AssetId),
    ResponseHead(AssetId),
    ResponseBody(AssetId),
}

/// A message queued on one flow; packets carve it up.
#[derive(Clone, Debug)]
struct Chunk {
    what: What,
    /// Bytes on the wire, framing included.
    len: u64,
    sent: u64,
}

/// A part of a chunk carried by one packet.
#[derive(Clone, Debug)]
struct Piece {
    what: What,
    /// Bytes of the chunk in this piece.
    take: u64,
    /// Wire bytes of the chunk delivered once this piece arrives.
    end: u64,
    /// The chunk's whole length.
    len: u64,
}

#[derive(Clone, Debug)]
struct Packet {
    conn: ConnId,
    pieces: Vec<Piece>,
}

/// Bytes waiting to go one way on one connection (and one stream, for HTTP/2).
struct Flow {
    conn: ConnId,
    stream: u64,
    chunks: VecDeque<Chunk>,
}

/// One direction of the bottleneck.
struct Pipe {
    dir: Direction,
    bps: u64,
    busy: bool,
    flows: Vec<Flow>,
    next: usize,
}

impl Pipe {
    fn new(dir: Direction, bps: u64) -> Pipe {
        Pipe {
            dir,
            bps,
            busy: false,
            flows: Vec::new(),
            next: 0,
        }
    }

    fn push(&mut self, conn: ConnId, stream: u64, what: What, len: u64) {
        let chunk = Chunk { what, len, sent: 0 };
        match self
            .flows
            .iter_mut()
            .find(|f| f.conn == conn && f.stream == stream)
        {
            Some(f) => f.chunks.push_back(chunk),
            None => self.flows.push(Flow {
                conn,
                stream,
                chunks: VecDeque::from([chunk]),
            }),
        }
    }

    /// Takes the next packet in round-robin order over flows with bytes waiting.
    fn next_packet(&mut self) -> Option<Packet> {
        let n = self.flows.len();
        for k in 0..n {
            let i = (self.next + k) % n;
            if self.flows[i].chunks.is_empty() {
                continue;
            }
            self.next = (i + 1) % n;
            let flow = &mut self.flows[i];
            let mut room = MSS;
            let mut pieces = Vec::new();
            while room > 0 {
                let Some(c) = flow.chunks.front_mut() else {
                    break;
                };
                let take = (c.len - c.sent).min(room);
                c.sent += take;
                room -= take;
                pieces.push(Piece {
                    what: c.what,
                    take,
                    end: c.sent,
                    len: c.len,
                });
                if c.sent == c.len {
                    flow.chunks.pop_front();
                }
            }
            return Some(Packet {
                conn: flow.conn,
                pieces,
            });
        }
        None
    }
}

fn packet_bytes(p: &Packet) -> u64 {
    p.pieces.iter().map(|x| x.take).sum::<u64>() + PACKET_HEADER
}

enum Ev {
    PipeFree(Direction),
    Arrive(Direction, Packet),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ConnState {
    Connecting,
    Idle,
    Busy,
}

struct Conn {
    state: ConnState,
    opened: SimTime,
    tcp_end: SimTime,
    tls_end: SimTime,
    requests: u32,
}

#[derive(Clone, Default)]
struct AssetState {
    discovered: Option<SimTime>,
    conn: Option<ConnId>,
    stream: Option<StreamId>,
    connect: Option<ConnectPhases>,
    request_sent: SimTime,
    first_byte: Option<SimTime>,
    last_byte: Option<SimTime>,
    req_header_bytes: u64,
    resp_header_bytes: u64,
    /// Children discovered so far (index into `children`).
    revealed: usize,
}

struct LaneSim<'a> {
    page: &'a Page,
    net: &'a Network,
    protocol: Protocol,
    q: EventQueue<Ev>,
    up: Pipe,
    down: Pipe,
    conns: Vec<Conn>,
    pending: VecDeque<AssetId>,
    assets: Vec<AssetState>,
    /// For each asset, the assets it reveals, by ascending offset.
    children: Vec<Vec<(u64, AssetId)>>,
    next_stream: u64,
    events: Vec<Event>,
    m: Metrics,
}

/// Simulates one lane. The scenario has been validated.
pub(crate) fn run(page: &Page, net: &Network, protocol: Protocol) -> Lane {
    let mut children = vec![Vec::new(); page.assets.len()];
    for id in page.ids() {
        if let Some(d) = page.asset(id).discovered_by {
            children[d.parent.0 as usize].push((d.offset, id));
        }
    }
    for c in &mut children {
        c.sort_by_key(|&(off, id)| (off, id));
    }
    let mut s = LaneSim {
        page,
        net,
        protocol,
        q: EventQueue::new(),
        up: Pipe::new(Direction::Up, net.uplink_bps),
        down: Pipe::new(Direction::Down, net.downlink_bps),
        conns: Vec::new(),
        pending: VecDeque::new(),
        assets: vec![AssetState::default(); page.assets.len()],
        children,
        next_stream: 1,
        events: Vec::new(),
        m: Metrics::default(),
    };
    // Navigation starts at t = 0 with the HTML.
    s.discover(SimTime::ZERO, AssetId(0), None);
    while let Some((now, ev)) = s.q.pop() {
        match ev {
            Ev::PipeFree(dir) => {
                s.pipe(dir).busy = false;
                s.kick(now, dir);
            }
            Ev::Arrive(dir, pkt) => s.arrive(now, dir, pkt),
        }
    }
    s.finish()
}

impl LaneSim<'_> {
    fn pipe(&mut self, dir: Direction) -> &mut Pipe {
        match dir {
            Direction::Up => &mut self.up,
            Direction::Down => &mut self.down,
        }
    }

    fn log(&mut self, at: SimTime, kind: EventKind) {
        self.events.push(Event { at, kind });
    }

    /// Queues bytes and starts the pipe if it was idle.
    fn send(
        &mut self,
        now: SimTime,
        dir: Direction,
        conn: ConnId,
        stream: u64,
        what: What,
        len: u64,
    ) {
        self.pipe(dir).push(conn, stream, what, len);
        self.kick(now, dir);
    }

    fn kick(&mut self, now: SimTime, dir: Direction) {
        let one_way = self.net.rtt.half();
        let pipe = self.pipe(dir);
        if pipe.busy {
            return;
        }
        let Some(pkt) = pipe.next_packet() else {
            return;
        };
        let bytes = packet_bytes(&pkt);
        let ser = SimDuration::serialisation(bytes, pipe.bps);
        pipe.busy = true;
        let dir = pipe.dir;
        let done = now + ser;
        let arrives = done + one_way;
        self.m.bytes_total += bytes;
        self.m.bytes_framing += PACKET_HEADER;
        self.m.packets += 1;
        self.log(
            now,
            EventKind::PacketSent {
                dir,
                conn: pkt.conn,
                bytes,
                arrives,
            },
        );
        self.q.schedule(done, Ev::PipeFree(dir));
        self.q.schedule(arrives, Ev::Arrive(dir, pkt));
    }

    fn discover(&mut self, now: SimTime, id: AssetId, by: Option<AssetId>) {
        let st = &mut self.assets[id.0 as usize];
        if st.discovered.is_some() {
            return;
        }
        st.discovered = Some(now);
        self.log(now, EventKind::Discovered { asset: id, by });
        self.pending.push_back(id);
        self.dispatch(now);
    }

    /// Hands pending requests to connections, opening new ones where allowed.
    fn dispatch(&mut self, now: SimTime) {
        match self.protocol {
            Protocol::Http1 => {
                while !self.pending.is_empty() {
                    let Some(ci) = self.conns.iter().position(|c| c.state == ConnState::Idle)
                    else {
                        break;
                    };
                    let id = self.pending.pop_front().expect("checked non-empty");
                    self.send_request(now, ConnId(ci as u32), id);
                }
                // Chrome binds a request to whichever socket is ready first ("late binding"),
                // and opens a new one per waiting request up to the per-host limit.
                let connecting = self
                    .conns
                    .iter()
                    .filter(|c| c.state == ConnState::Connecting)
                    .count();
                let want = self.pending.len().saturating_sub(connecting);
                for _ in 0..want {
                    if self.conns.len() >= H1_MAX_CONNECTIONS {
                        break;
                    }
                    self.open(now);
                }
            }
            Protocol::Http2 => {
                if self.conns.is_empty() {
                    self.open(now);
                } else if self.conns[0].state != ConnState::Connecting {
                    while let Some(id) = self.pending.pop_front() {
                        self.send_request(now, ConnId(0), id);
                    }
                }
            }
        }
    }

    fn open(&mut self, now: SimTime) {
        let id = ConnId(self.conns.len() as u32);
        self.conns.push(Conn {
            state: ConnState::Connecting,
            opened: now,
            tcp_end: now,
            tls_end: now,
            requests: 0,
        });
        self.log(now, EventKind::ConnectionOpened { conn: id });
        self.m.bytes_handshake += SYN_OPTIONS;
        self.send(now, Direction::Up, id, 0, What::Syn, SYN_OPTIONS);
    }

    fn send_request(&mut self, now: SimTime, conn: ConnId, id: AssetId) {
        let a = self.page.asset(id);
        let fields = request_fields(self.page, id);
        let c = &mut self.conns[conn.0 as usize];
        c.requests += 1;
        let first = c.requests == 1;
        let phases = ConnectPhases {
            start: c.opened,
            tcp_end: c.tcp_end,
            tls_end: c.tls_end,
        };
        let (header_bytes, wire, stream) = match self.protocol {
            Protocol::Http1 => {
                c.state = ConnState::Busy;
                let text = h1::request_head("GET", &a.path, &self.page.host, &fields);
                let n = text.len() as u64;
                (n, n + TLS_RECORD_OVERHEAD, 0)
            }
            Protocol::Http2 => {
                let mut all = vec![
                    Field::new(":method", "GET"),
                    Field::new(":authority", self.page.host.clone()),
                    Field::new(":scheme", "https"),
                    Field::new(":path", a.path.clone()),
                ];
                all.extend(fields);
                let n = header_block_len(&all);
                let stream = self.next_stream;
                self.next_stream += 2;
                (n, n + H2_FRAME_HEADER + TLS_RECORD_OVERHEAD, stream)
            }
        };
        self.m.bytes_headers += header_bytes;
        self.m.bytes_framing += wire - header_bytes;
        let st = &mut self.assets[id.0 as usize];
        st.conn = Some(conn);
        st.stream = (stream != 0).then_some(StreamId(stream));
        st.connect = first.then_some(phases);
        st.request_sent = now;
        st.req_header_bytes = header_bytes;
        self.log(
            now,
            EventKind::RequestSent {
                asset: id,
                conn,
                header_bytes,
            },
        );
        self.send(now, Direction::Up, conn, stream, What::Request(id), wire);
    }

    fn arrive(&mut self, now: SimTime, dir: Direction, pkt: Packet) {
        for piece in pkt.pieces {
            let done = piece.end == piece.len;
            match dir {
                Direction::Up => {
                    if done {
                        self.at_server(now, pkt.conn, piece.what);
                    }
                }
                Direction::Down => self.at_client(now, pkt.conn, &piece, done),
            }
        }
    }

    fn at_server(&mut self, now: SimTime, conn: ConnId, what: What) {
        let down = Direction::Down;
        match what {
            What::Syn => {
                self.m.bytes_handshake += SYN_OPTIONS;
                self.send(now, down, conn, 0, What::SynAck, SYN_OPTIONS);
            }
            What::ClientHello => {
                self.m.bytes_handshake += SERVER_FLIGHT;
                self.send(now, down, conn, 0, What::ServerFlight, SERVER_FLIGHT);
            }
            What::H2Preface => {
                self.m.bytes_handshake += H2_SERVER_SETTINGS + TLS_RECORD_OVERHEAD;
                self.send(
                    now,
                    down,
                    conn,
                    0,
                    What::H2ServerSettings,
                    H2_SERVER_SETTINGS + TLS_RECORD_OVERHEAD,
                );
            }
            What::Request(id) => self.respond(now, conn, id),
            _ => {}
        }
    }

    fn respond(&mut self, now: SimTime, conn: ConnId, id: AssetId) {
        let a = self.page.asset(id);
        let fields = response_fields(self.page, id);
        let records = a.size.div_ceil(TLS_RECORD_MAX);
        let st = &self.assets[id.0 as usize];
        let stream = st.stream.map_or(0, |s| s.0);
        let (head, head_wire, body_wire) = match self.protocol {
            Protocol::Http1 => {
                let n = h1::response_head(200, &fields).len() as u64;
                (
                    n,
                    n + TLS_RECORD_OVERHEAD,
                    a.size + records * TLS_RECORD_OVERHEAD,
                )
            }
            Protocol::Http2 => {
                let mut all = vec![Field::new(":status", "200")];
                all.extend(fields);
                let n = header_block_len(&all);
                let frames = a.size.div_ceil(H2_MAX_FRAME).max(1);
                (
                    n,
                    n + H2_FRAME_HEADER + TLS_RECORD_OVERHEAD,
                    a.size + frames * (H2_FRAME_HEADER + TLS_RECORD_OVERHEAD),
                )
            }
        };
        self.assets[id.0 as usize].resp_header_bytes = head;
        self.m.bytes_headers += head;
        self.m.bytes_payload += a.size;
        self.m.bytes_framing += (head_wire - head) + (body_wire - a.size);
        let down = Direction::Down;
        // Head and body are written together, so the first packet carries both.
        self.down
            .push(conn, stream, What::ResponseHead(id), head_wire);
        self.send(now, down, conn, stream, What::ResponseBody(id), body_wire);
    }

    fn at_client(&mut self, now: SimTime, conn: ConnId, piece: &Piece, done: bool) {
        let up = Direction::Up;
        match piece.what {
            What::SynAck if done => {
                let c = &mut self.conns[conn.0 as usize];
                c.tcp_end = now;
                self.log(now, EventKind::TcpEstablished { conn });
                // The handshake's final ACK rides with the ClientHello.
                self.m.bytes_handshake += CLIENT_HELLO;
                self.send(now, up, conn, 0, What::ClientHello, CLIENT_HELLO);
            }
            What::ServerFlight if done => {
                let c = &mut self.conns[conn.0 as usize];
                c.tls_end = now;
                c.state = ConnState::Idle;
                self.log(now, EventKind::TlsEstablished { conn });
                // The Finished, the HTTP/2 preface and the first requests leave in one
                // flight: queue them all, then start the pipe.
                self.m.bytes_handshake += CLIENT_FINISHED;
                self.up.push(conn, 0, What::ClientFinished, CLIENT_FINISHED);
                if self.protocol == Protocol::Http2 {
                    let n = H2_CLIENT_PREFACE + TLS_RECORD_OVERHEAD;
                    self.m.bytes_handshake += n;
                    self.up.push(conn, 0, What::H2Preface, n);
                }
                self.dispatch(now);
                self.kick(now, up);
            }
            What::ResponseHead(id) => {
                let st = &mut self.assets[id.0 as usize];
                if st.first_byte.is_none() {
                    st.first_byte = Some(now);
                    self.log(now, EventKind::FirstByte { asset: id });
                }
                if done && self.page.asset(id).size == 0 {
                    self.complete(now, conn, id);
                }
            }
            What::ResponseBody(id) => {
                let size = self.page.asset(id).size;
                // Body bytes received, pro rata over the framing interleaved with them.
                let body = u128::from(piece.end) * u128::from(size) / u128::from(piece.len);
                self.reveal(now, id, body as u64);
                if done {
                    self.complete(now, conn, id);
                }
            }
            _ => {}
        }
    }

    /// Discovers the children of `id` whose reference lies within its first `body` bytes.
    fn reveal(&mut self, now: SimTime, id: AssetId, body: u64) {
        loop {
            let st = &self.assets[id.0 as usize];
            let Some(&(off, child)) = self.children[id.0 as usize].get(st.revealed) else {
                break;
            };
            if off > body {
                break;
            }
            self.assets[id.0 as usize].revealed += 1;
            self.discover(now, child, Some(id));
        }
    }

    fn complete(&mut self, now: SimTime, conn: ConnId, id: AssetId) {
        self.assets[id.0 as usize].last_byte = Some(now);
        self.log(now, EventKind::Complete { asset: id });
        self.reveal(now, id, u64::MAX);
        if self.protocol == Protocol::Http1 {
            self.conns[conn.0 as usize].state = ConnState::Idle;
            self.dispatch(now);
        }
    }

    fn finish(self) -> Lane {
        let mut m = self.m;
        let assets: Vec<AssetTiming> = self
            .page
            .ids()
            .map(|id| {
                let a = self.page.asset(id);
                let st = &self.assets[id.0 as usize];
                let discovered = st.discovered.unwrap_or_default();
                AssetTiming {
                    asset: id,
                    path: a.path.clone(),
                    kind: a.kind,
                    size: a.size,
                    connection: st.conn.unwrap_or(ConnId(0)),
                    stream: st.stream,
                    discovered,
                    connect: st.connect,
                    request_sent: st.request_sent,
                    first_byte: st.first_byte.unwrap_or_default(),
                    last_byte: st.last_byte.unwrap_or_default(),
                    request_header_bytes: st.req_header_bytes,
                    response_header_bytes: st.resp_header_bytes,
                }
            })
            .collect();
        m.ttfb = assets[0].first_byte.saturating_since(SimTime::ZERO);
        m.load = assets
            .iter()
            .map(|a| a.last_byte)
            .max()
            .unwrap_or_default()
            .saturating_since(SimTime::ZERO);
        m.connections = self.conns.len() as u32;
        let connections = self
            .conns
            .iter()
            .enumerate()
            .map(|(i, c)| Connection {
                id: ConnId(i as u32),
                opened: c.opened,
                tcp_established: c.tcp_end,
                tls_established: c.tls_end,
            })
            .collect();
        let mut events = self.events;
        // Stable: same-time events keep the order they happened in.
        events.sort_by_key(|e| e.at);
        Lane {
            protocol: self.protocol,
            connections,
            assets,
            events,
            metrics: m,
        }
    }
}

/// Size of a header block sent as literals without indexing, with new names and without
/// Huffman coding (RFC 7541 §6.2.2): a valid but uncompressed HPACK encoding. The HPACK
/// encoder of the wire layer replaces this.
fn header_block_len(fields: &[Field]) -> u64 {
    fn prefixed(len: u64) -> u64 {
        // RFC 7541 §5.1 integer with a 7-bit prefix, then the octets.
        let mut n = 1;
        if len >= 127 {
            let mut rest = len - 127;
            n += 1;
            while rest >= 128 {
                rest >>= 7;
                n += 1;
            }
        }
        n + len
    }
    fields
        .iter()
        .map(|f| 1 + prefixed(f.name.len() as u64) + prefixed(f.value.len() as u64))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    fn ser(bytes: u64, bps: u64) -> u64 {
        SimDuration::serialisation(bytes, bps).as_micros()
    }

    /// Splits a message into packet sizes the way the pipe does (MSS payload + 40 header).
    fn packets(len: u64) -> Vec<u64> {
        let mut v = Vec::new();
        let mut left = len;
        while left > 0 {
            let take = left.min(MSS);
            v.push(take + PACKET_HEADER);
            left -= take;
        }
        v
    }

    /// Hand-computed: at RTT 100 ms the HTML's first byte over HTTP/1.1 arrives after the TCP
    /// handshake (1 RTT), the TLS 1.3 handshake (1 RTT) and the request round trip (1 RTT),
    /// plus the serialisation of every packet on the critical path.
    #[test]
    fn h1_first_byte_is_three_round_trips_plus_serialisation() {
        let page = Page::preset(PresetId::Blog);
        let net = Network {
            rtt: SimDuration::from_millis(100),
            downlink_bps: 10_000_000,
            uplink_bps: 5_000_000,
        };
        let (up, down) = (net.uplink_bps, net.downlink_bps);
        let one_way = 50_000;
        let lane = run(&page, &net, Protocol::Http1);

        // SYN up, SYN-ACK down.
        let syn = ser(SYN_OPTIONS + PACKET_HEADER, up);
        let synack = ser(SYN_OPTIONS + PACKET_HEADER, down);
        let tcp = syn + one_way + synack + one_way;
        assert_eq!(lane.connections[0].tcp_established.as_micros(), tcp);

        // ClientHello up (two packets), the server's flight down (four packets).
        let ch: u64 = packets(CLIENT_HELLO).iter().map(|&p| ser(p, up)).sum();
        let sf: u64 = packets(SERVER_FLIGHT).iter().map(|&p| ser(p, down)).sum();
        let tls = tcp + ch + one_way + sf + one_way;
        assert_eq!(lane.connections[0].tls_established.as_micros(), tls);
        assert_eq!(lane.assets[0].request_sent.as_micros(), tls);

        // Client Finished and the request head share one packet.
        let head = h1::request_head("GET", "/", &page.host, &request_fields(&page, AssetId(0)));
        let req_len = CLIENT_FINISHED + head.len() as u64 + TLS_RECORD_OVERHEAD;
        assert!(
            req_len < MSS,
            "Finished and the HTML request fit one segment"
        );
        let req = ser(req_len + PACKET_HEADER, up);
        // The response's first packet is full: head plus the start of the body.
        let first = ser(MSS + PACKET_HEADER, down);
        let ttfb = tls + req + one_way + first + one_way;
        assert_eq!(lane.assets[0].first_byte.as_micros(), ttfb);
        assert_eq!(lane.metrics.ttfb.as_micros(), ttfb);
        // Three round trips, and the serialisation is what was added on top.
        assert_eq!(ttfb - 300_000, syn + synack + ch + sf + req + first);
    }

    /// With one connection, HTTP/2 pays the handshakes once; its first request waits for
    /// the client preface, which goes out with the Finished.
    #[test]
    fn h2_uses_one_connection_and_h1_at_most_six() {
        let page = Page::preset(PresetId::Blog);
        let net = Network::default();
        let h1 = run(&page, &net, Protocol::Http1);
        let h2 = run(&page, &net, Protocol::Http2);
        assert_eq!(h1.metrics.connections, 6);
        assert_eq!(h2.metrics.connections, 1);
        assert!(h2.assets.iter().all(|a| a.connection == ConnId(0)));
        // HTTP/2 streams are odd, client-initiated, in request order (RFC 9113 §5.1.1).
        let mut streams: Vec<_> = h2.assets.iter().map(|a| a.stream.unwrap().0).collect();
        streams.sort_unstable();
        assert_eq!(streams, (0..16).map(|i| 1 + 2 * i).collect::<Vec<_>>());
        // Same page, same payload bytes.
        assert_eq!(h1.metrics.bytes_payload, h2.metrics.bytes_payload);
        assert_eq!(
            h1.metrics.bytes_payload,
            page.assets.iter().map(|a| a.size).sum::<u64>()
        );
        // Six handshakes cost more bytes than one.
        assert!(h1.metrics.bytes_handshake > 5 * h2.metrics.bytes_handshake);
    }

    /// Every asset is discovered no earlier than the bytes that reveal it arrived, requested
    /// no earlier than discovered, and received in order.
    #[test]
    fn per_asset_times_are_causal() {
        let page = Page::preset(PresetId::Blog);
        for p in Protocol::ALL {
            let lane = run(&page, &Network::default(), p);
            for a in &lane.assets {
                assert!(a.discovered <= a.request_sent, "{p} {}", a.path);
                assert!(a.request_sent < a.first_byte, "{p} {}", a.path);
                assert!(a.first_byte <= a.last_byte, "{p} {}", a.path);
                if let Some(d) = page.asset(a.asset).discovered_by {
                    let parent = &lane.assets[d.parent.0 as usize];
                    assert!(a.discovered >= parent.first_byte, "{p} {}", a.path);
                    if d.offset == page.asset(d.parent).size {
                        assert_eq!(a.discovered, parent.last_byte, "{p} {}", a.path);
                    }
                }
            }
            assert!(lane.events.windows(2).all(|w| w[0].at <= w[1].at));
        }
    }

    #[test]
    fn more_rtt_means_later_load_and_h2_wins_on_blog() {
        let page = Page::preset(PresetId::Blog);
        let at = |ms, p| {
            let net = Network {
                rtt: SimDuration::from_millis(ms),
                ..Network::default()
            };
            run(&page, &net, p).metrics.load
        };
        for p in Protocol::ALL {
            assert!(at(200, p) > at(50, p));
        }
        assert!(at(100, Protocol::Http2) < at(100, Protocol::Http1));
    }
}
