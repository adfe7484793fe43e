//! The ONE trace builder every lane records into: its events in the order they happened,
//! its HPACK blocks, its connections with their congestion-window and RTT series, what each
//! asset went through on the wire, the byte ledger of the metrics, and, at the end, the
//! [`Lane`] of the trace.

use crate::browser::{metrics, Browser};
use crate::http::h2::frames::{frame_name, FrameInfo};
use crate::http::h2::hpack::Block;
use crate::ids::{AssetId, ConnId, StreamId};
use crate::link::{Direction, Fate, Sent};
use crate::scenario::Protocol;
use crate::time::SimTime;
use crate::trace::{
    AssetTiming, Blocked, BlockedCause, Carried, ConnectPhases, Connection, CwndSample, Event,
    EventKind, HeaderBlock, Lane, Metrics, RttSample, Source,
};

/// What the trace records of one asset besides the browser's view of it.
#[derive(Clone, Debug, Default)]
pub struct Wire {
    pub conn: Option<ConnId>,
    /// HTTP/2 or QUIC stream.
    pub stream: Option<StreamId>,
    /// Set-up of the connection this request waited for, when it was that connection's first.
    pub connect: Option<ConnectPhases>,
    /// The request's last byte went to the transport (a push: the server promised it).
    pub request_sent: Option<SimTime>,
    pub request_header_bytes: u64,
    pub response_header_bytes: u64,
    /// Intervals it was stalled, any order (sorted at the end).
    pub blocked: Vec<Blocked>,
    /// Bytes of it sent for nothing (a cancelled push).
    pub wasted: u64,
    /// When its request reached the server (a push: when it was promised).
    pub arrived: Option<SimTime>,
}

/// A connection's set-up and its server's congestion control, as they happen.
#[derive(Clone, Debug)]
pub struct ConnRecord {
    pub opened: SimTime,
    pub tcp_end: Option<SimTime>,
    pub tls_end: Option<SimTime>,
    pub cwnd: Vec<CwndSample>,
    pub rtt: Vec<RttSample>,
}

impl ConnRecord {
    pub fn new(opened: SimTime) -> ConnRecord {
        ConnRecord {
            opened,
            tcp_end: None,
            tls_end: None,
            cwnd: Vec::new(),
            rtt: Vec::new(),
        }
    }

    /// The phases so far (an unfinished phase ends where it started).
    pub fn phases(&self) -> ConnectPhases {
        ConnectPhases {
            start: self.opened,
            tcp_end: self.tcp_end.unwrap_or(self.opened),
            tls_end: self.tls_end.unwrap_or(self.opened),
        }
    }
}

/// Everything a lane recorded.
pub struct TraceBuilder {
    pub events: Vec<Event>,
    /// The packets, recorded apart: at an instant they come after everything else.
    packets: Vec<Event>,
    pub header_blocks: Vec<HeaderBlock>,
    pub assets: Vec<Wire>,
    pub conns: Vec<ConnRecord>,
    /// The byte ledger and the counts; the times are filled at the end.
    pub m: Metrics,
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

impl TraceBuilder {
    pub fn new(assets: usize) -> TraceBuilder {
        TraceBuilder {
            events: Vec::new(),
            packets: Vec::new(),
            header_blocks: Vec::new(),
            assets: vec![Wire::default(); assets],
            conns: Vec::new(),
            m: Metrics::default(),
        }
    }

    pub fn log(&mut self, at: SimTime, kind: EventKind) {
        self.events.push(Event { at, kind });
    }

    pub fn asset(&mut self, id: AssetId) -> &mut Wire {
        &mut self.assets[id.0 as usize]
    }

    /// The browser's scheduler held `id`'s request from `from` until `to`
    /// ([`crate::browser::Net::held`]).
    pub fn held(&mut self, id: AssetId, from: SimTime, to: SimTime) {
        self.asset(id).blocked.push(Blocked {
            from,
            to,
            cause: BlockedCause::Scheduler,
        });
    }

    pub fn conn(&mut self, id: ConnId) -> &mut ConnRecord {
        &mut self.conns[id.index()]
    }

    /// A connection opened at `at`: logged, and its id.
    pub fn open(&mut self, at: SimTime) -> ConnId {
        let conn = ConnId::at(self.conns.len());
        self.conns.push(ConnRecord::new(at));
        self.log(at, EventKind::ConnectionOpened { conn });
        conn
    }

    /// An HTTP/2 frame handed to TLS.
    pub fn frame(
        &mut self,
        at: SimTime,
        conn: ConnId,
        dir: Direction,
        f: FrameInfo,
        asset: Option<AssetId>,
    ) {
        self.log(
            at,
            EventKind::Frame {
                dir,
                conn,
                stream: f.stream,
                frame: frame_name(f.kind).to_owned(),
                length: f.payload,
                flags: f.flags,
                asset,
                payload: f.bytes.as_deref().map(hex).unwrap_or_default(),
            },
        );
    }

    /// An HPACK block written in the frame `f`, with what HPACK did and the table when it
    /// changed.
    pub fn header_block(
        &mut self,
        at: SimTime,
        conn: ConnId,
        dir: Direction,
        f: FrameInfo,
        block: Block,
        asset: Option<AssetId>,
    ) {
        self.header_blocks.push(HeaderBlock {
            at,
            conn,
            dir,
            stream: f.stream,
            frame: frame_name(f.kind).to_owned(),
            asset,
            bytes: hex(&block.bytes),
            fields: block.reps,
            table_size: block.table_size,
            table: block.table,
        });
    }

    /// A packet reached the bottleneck at `at`: its event.
    #[allow(clippy::too_many_arguments)]
    pub fn packet(
        &mut self,
        at: SimTime,
        conn: ConnId,
        seq: u64,
        len: u64,
        retx: bool,
        s: &Sent,
        carried: Vec<Carried>,
    ) {
        let (arrives, dropped) = match s.fate {
            Fate::Arrives { at } => (Some(at), None),
            Fate::Dropped { reason } => (None, Some(reason)),
        };
        self.m.packets += 1;
        self.m.bytes_total += s.bytes;
        self.packets.push(Event {
            at,
            kind: EventKind::PacketSent {
                dir: s.dir,
                conn,
                seq,
                len,
                bytes: s.bytes,
                retransmission: retx,
                ordinal: s.ordinal,
                arrives,
                dropped,
                serialised: arrives.is_none().then_some(s.serialised),
                carried,
            },
        });
    }

    /// The lane: per-asset timings from the browser's view and the wire's, the connections,
    /// the events in time order (same-time events in the order recorded), the metrics.
    pub fn finish(mut self, scenario: &crate::Scenario, protocol: Protocol, b: &Browser) -> Lane {
        let page = &scenario.page;
        let mut assets: Vec<AssetTiming> = page
            .ids()
            .map(|id| {
                let a = page.asset(id);
                let st = b.state(id);
                let w = &mut self.assets[id.0 as usize];
                w.blocked.sort_by_key(|b| (b.from, b.to));
                AssetTiming {
                    asset: id,
                    path: a.path.clone(),
                    kind: a.kind,
                    size: a.size,
                    connection: w.conn.unwrap_or(ConnId(0)),
                    stream: w.stream,
                    discovered: st.discovered.unwrap_or_default(),
                    connect: w.connect,
                    // A cached asset is "requested" from the cache when it is found.
                    request_sent: w.request_sent.or(if st.source == Source::Cache {
                        st.discovered
                    } else {
                        None
                    }),
                    first_byte: st.first_byte,
                    last_byte: st.last_byte,
                    request_header_bytes: w.request_header_bytes,
                    response_header_bytes: w.response_header_bytes,
                    blocked: std::mem::take(&mut w.blocked),
                    source: st.source,
                    executed: None,
                    wasted_bytes: w.wasted,
                }
            })
            .collect();
        let mut m = self.m;
        m.connections = u32::try_from(self.conns.len()).unwrap_or(u32::MAX);
        let connections = self
            .conns
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let p = c.phases();
                Connection {
                    id: ConnId::at(i),
                    opened: c.opened,
                    tcp_established: p.tcp_end,
                    tls_established: p.tls_end,
                    cwnd: c.cwnd,
                    rtt: c.rtt,
                }
            })
            .collect();
        let mut events = self.events;
        events.append(&mut self.packets);
        // Stable: same-time events keep the order they were recorded in, packets last.
        events.sort_by_key(|e| e.at);
        metrics::finish(scenario, protocol, &mut assets, &mut m);
        Lane {
            protocol,
            connections,
            assets,
            events,
            metrics: m,
            header_blocks: self.header_blocks,
        }
    }
}

/// Adds `bytes` of `asset` to `carried`, merged with the last entry when it is the same
/// asset.
pub fn carry(carried: &mut Vec<Carried>, asset: AssetId, bytes: u64) {
    if bytes == 0 {
        return;
    }
    match carried.last_mut() {
        Some(c) if c.asset == asset => c.bytes += bytes,
        _ => carried.push(Carried { asset, bytes }),
    }
}
