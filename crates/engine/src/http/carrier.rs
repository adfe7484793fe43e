//! What an HTTP/1.1 or HTTP/2 endpoint sends and receives over: its TLS session on its TCP
//! connection, the [`Ledger`] of what it wrote, and the [`Reader`] of what the peer wrote.

use super::stream::{Chunk, Ledger, Payload, Reader, StreamError, What};
use crate::sim::Side;
use crate::time::SimTime;
use crate::transport::tcp::{Segment, TcpConfig, TcpConnection};
use crate::transport::tls::{AppData, TlsConfig, TlsEndpoint, TlsTag};

/// The tag TLS records carry: the index of the write in the writer's ledger.
pub type Tag = TlsTag<u32>;

/// The segments such an endpoint sends.
pub type Packet = Segment<Tag>;

/// One endpoint's transport.
#[derive(Debug)]
pub struct Carrier {
    pub tcp: TcpConnection<Tag>,
    pub tls: TlsEndpoint<u32>,
    pub ledger: Ledger,
    reader: Reader,
    /// Wire bytes of the application records written (TLS wrote the rest: its handshake).
    app_wire: u64,
}

impl Carrier {
    /// A client (which sends its SYN at the first transmission) or a server endpoint.
    pub fn new(side: Side, tcp: TcpConfig, tls: TlsConfig, now: SimTime) -> Carrier {
        let tcp = match side {
            Side::Client => {
                let mut c = TcpConnection::client(tcp);
                c.connect(now);
                c
            }
            Side::Server => TcpConnection::server(tcp),
        };
        let role = match side {
            Side::Client => crate::transport::tcp::Role::Client,
            Side::Server => crate::transport::tcp::Role::Server,
        };
        Carrier {
            tcp,
            tls: TlsEndpoint::new(role, tls),
            ledger: Ledger::default(),
            reader: Reader::default(),
            app_wire: 0,
        }
    }

    /// Writes `payload` as TLS records and records it; returns the wire bytes of the records.
    pub fn write(&mut self, payload: Payload, what: What) -> u64 {
        let before = self.tcp.written();
        let len = payload.len();
        let tag = u32::try_from(self.ledger.writes().len()).unwrap_or(u32::MAX);
        self.tls.write(&mut self.tcp, len, tag);
        let wire = self.tcp.written() - before;
        self.ledger.push(payload, what, (before, before + wire));
        self.app_wire += wire;
        wire
    }

    /// Runs TLS: its handshake flights, and the records that completed.
    pub fn poll_tls(&mut self, now: SimTime) {
        self.tls.on_wake(now, &mut self.tcp);
    }

    /// The next complete record of application data.
    pub fn poll_app_data(&mut self) -> Option<AppData<u32>> {
        self.tls.poll_app_data()
    }

    /// Reads a record's bytes from the peer's ledger.
    pub fn read<'a>(
        &mut self,
        d: &AppData<u32>,
        peer: &'a Ledger,
        f: impl FnMut(Chunk<'a>),
    ) -> Result<(), StreamError> {
        self.reader.take(peer, d.tag, d.len, f)
    }

    /// Bytes of the peer's stream read so far.
    pub fn read_offset(&self) -> u64 {
        self.reader.offset()
    }

    /// Bytes TLS itself wrote (handshake records), not the application.
    pub fn tls_handshake_wire(&self) -> u64 {
        self.tcp.written().saturating_sub(self.app_wire)
    }
}

/// Both endpoint types of a TCP lane are [`crate::sim::Endpoint`]s through their carrier.
macro_rules! carrier_endpoint {
    ($ty:ty, $peer:ty) => {
        impl crate::sim::Endpoint for $ty {
            type Packet = crate::http::carrier::Packet;
            type Peer = $peer;
            fn handle_input(
                &mut self,
                now: crate::time::SimTime,
                seg: &crate::http::carrier::Packet,
                _: &$peer,
            ) {
                self.carrier.tcp.handle_segment(now, seg);
            }
            fn handle_timeout(&mut self, now: crate::time::SimTime) {
                self.carrier.tcp.handle_timeout(now);
            }
            fn poll_transmit(
                &mut self,
                now: crate::time::SimTime,
            ) -> Option<crate::http::carrier::Packet> {
                self.carrier.tcp.poll_transmit(now)
            }
            fn poll_timeout(&self) -> Option<crate::time::SimTime> {
                self.carrier.tcp.poll_timeout()
            }
        }
    };
}
pub(crate) use carrier_endpoint;
