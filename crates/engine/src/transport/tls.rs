//! TLS handshakes as flights of records over a [`TcpConnection`]: TLS 1.3 full (1-RTT),
//! TLS 1.3 resumption with 0-RTT early data, and TLS 1.2 full (2-RTT). No cryptography: what
//! matters here is how many bytes each flight puts on the wire and when each side may send.
//!
//! Every write to TCP is one record tagged with [`TlsTag`]; TCP delivers in order, so a record
//! is complete (and decryptable) when a delivery reaches its last byte. Application bytes are
//! handed up per record: a lost segment holds back the whole record it belongs to.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::tcp::{Role, TcpConnection};
use crate::time::SimTime;

/// RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14 bytes.
pub const MAX_RECORD: u64 = 16_384;
/// RFC 8446 §5.1: a plaintext record's header is 5 bytes.
pub const PLAINTEXT_HEADER: u64 = 5;
/// RFC 8446 §5.2: 5-byte header, 1-byte inner content type, 16-byte AEAD tag (AES-GCM).
pub const TLS13_RECORD_OVERHEAD: u64 = 22;
/// RFC 5246 §6.2.3.3 with RFC 5288 §3 (AES-GCM): 5-byte header, 8-byte explicit nonce,
/// 16-byte tag.
pub const TLS12_RECORD_OVERHEAD: u64 = 29;
/// RFC 8446 §D.4: the middlebox-compatibility ChangeCipherSpec record, 6 bytes.
pub const CHANGE_CIPHER_SPEC: u64 = 6;
/// Chrome's ClientHello (RFC 8446 §4.1.2) with an X25519MLKEM768 key share
/// (draft-ietf-tls-ecdhe-mlkem: 1184 + 32 bytes), GREASE and the usual extensions.
pub const CLIENT_HELLO: u64 = 1_815;
/// RFC 8446 §4.2.11: the pre_shared_key extension of a resumption ClientHello (a ticket of
/// about 200 bytes, its age, and a 32-byte binder) plus early_data (§4.2.10).
pub const PSK_EXTENSIONS: u64 = 250;
/// ServerHello (RFC 8446 §4.1.3) carrying the X25519MLKEM768 share (1088 + 32 bytes).
pub const SERVER_HELLO_13: u64 = 1_210;
/// EncryptedExtensions (RFC 8446 §4.3.1) with ALPN "h2".
pub const ENCRYPTED_EXTENSIONS: u64 = 25;
/// Certificate message framing (RFC 8446 §4.4.2) around a two-certificate chain: handshake
/// header 4, context 1, list length 3, per entry 3 length + 2 extensions.
pub const CERTIFICATE_FRAMING: u64 = 18;
/// CertificateVerify (RFC 8446 §4.4.3) with an ECDSA P-256 signature.
pub const CERTIFICATE_VERIFY: u64 = 80;
/// Finished (RFC 8446 §4.4.4) with SHA-256: 4 + 32.
pub const FINISHED_13: u64 = 36;
/// EndOfEarlyData (RFC 8446 §4.5): a bare handshake header.
pub const END_OF_EARLY_DATA: u64 = 4;
/// TLS 1.2 ServerHello (RFC 5246 §7.4.1.3) with session id and a few extensions.
pub const SERVER_HELLO_12: u64 = 96;
/// ServerKeyExchange (RFC 8422 §5.4) for X25519 with an ECDSA P-256 signature.
pub const SERVER_KEY_EXCHANGE: u64 = 116;
/// ServerHelloDone (RFC 5246 §7.4.5).
pub const SERVER_HELLO_DONE: u64 = 4;
/// ClientKeyExchange (RFC 8422 §5.7) with an X25519 public key.
pub const CLIENT_KEY_EXCHANGE: u64 = 37;
/// Finished (RFC 5246 §7.4.9): 4 + 12 bytes of verify_data.
pub const FINISHED_12: u64 = 16;
/// A typical two-certificate chain (leaf + intermediate, ECDSA), DER bytes.
pub const DEFAULT_CERT_CHAIN: u64 = 3_200;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// TLS 1.3 full handshake: one round trip.
    #[default]
    Tls13,
    /// TLS 1.3 resumption with early data: the client sends application data with its
    /// ClientHello; no certificate.
    Tls13ZeroRtt,
    /// TLS 1.2 full handshake: two round trips.
    Tls12,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsConfig {
    pub mode: TlsMode,
    /// DER bytes of the server's certificate chain.
    pub cert_chain: u64,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            mode: TlsMode::Tls13,
            cert_chain: DEFAULT_CERT_CHAIN,
        }
    }
}

/// Handshake flights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flight {
    ClientHello,
    /// 1.3: ServerHello … Finished; 1.2: ServerHello … ServerHelloDone.
    ServerHello,
    /// 1.3: (EndOfEarlyData,) Finished; 1.2: ClientKeyExchange, ChangeCipherSpec, Finished.
    ClientFinished,
    /// 1.2 only: ChangeCipherSpec, Finished.
    ServerFinished,
}

/// What a record carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordKind<A> {
    /// A record of a handshake flight; `last` on the flight's final record.
    Handshake { flight: Flight, last: bool },
    /// `len` application bytes tagged `tag` (0-RTT early data included).
    App { len: u64, tag: A },
}

/// The tag TLS puts on every TCP write: one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsTag<A> {
    /// TCP stream offset just past the record.
    pub record_end: u64,
    pub kind: RecordKind<A>,
}

/// Application bytes out of a complete record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppData<A> {
    pub at: SimTime,
    pub len: u64,
    pub tag: A,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Start,
    /// Waiting for the peer's next flight.
    Waiting,
    Done,
}

/// One side of a TLS session, driven by [`TlsEndpoint::on_wake`] with its TCP endpoint.
#[derive(Clone, Debug)]
pub struct TlsEndpoint<A> {
    role: Role,
    cfg: TlsConfig,
    stage: Stage,
    may_write: bool,
    done_at: Option<SimTime>,
    pending: VecDeque<(u64, A)>,
    received: VecDeque<AppData<A>>,
}

impl<A: Copy> TlsEndpoint<A> {
    pub fn new(role: Role, cfg: TlsConfig) -> Self {
        TlsEndpoint {
            role,
            cfg,
            stage: Stage::Start,
            may_write: false,
            done_at: None,
            pending: VecDeque::new(),
            received: VecDeque::new(),
        }
    }

    /// When the handshake completed here: the client got the server's Finished, the server
    /// the client's.
    pub fn done_at(&self) -> Option<SimTime> {
        self.done_at
    }

    /// True once application data written now goes out (early data, 0.5-RTT data or after
    /// the handshake); earlier writes wait.
    pub fn may_write(&self) -> bool {
        self.may_write
    }

    /// Application bytes; they leave as records once [`TlsEndpoint::may_write`].
    pub fn write(&mut self, tcp: &mut TcpConnection<TlsTag<A>>, len: u64, tag: A) {
        self.pending.push_back((len, tag));
        self.flush(tcp);
    }

    /// The next complete record of application data.
    pub fn poll_app_data(&mut self) -> Option<AppData<A>> {
        self.received.pop_front()
    }

    fn overhead(&self) -> u64 {
        match self.cfg.mode {
            TlsMode::Tls12 => TLS12_RECORD_OVERHEAD,
            _ => TLS13_RECORD_OVERHEAD,
        }
    }

    /// Sends what the application wrote as records, once it may.
    pub fn flush(&mut self, tcp: &mut TcpConnection<TlsTag<A>>) {
        if !self.may_write {
            return;
        }
        let overhead = self.overhead();
        while let Some((len, tag)) = self.pending.pop_front() {
            let mut left = len;
            while left > 0 {
                let n = left.min(MAX_RECORD);
                left -= n;
                record(tcp, n + overhead, RecordKind::App { len: n, tag });
            }
        }
    }

    /// Writes a flight: `plain` bytes in plaintext records then `enc` bytes of handshake
    /// messages in encrypted records with `overhead`; the last record is marked.
    fn flight(
        &self,
        tcp: &mut TcpConnection<TlsTag<A>>,
        flight: Flight,
        plain: &[u64],
        enc: u64,
        overhead: u64,
    ) {
        let mut records: Vec<u64> = plain.to_vec();
        let mut left = enc;
        while left > 0 {
            let n = left.min(MAX_RECORD);
            left -= n;
            records.push(n + overhead);
        }
        let last = records.len().saturating_sub(1);
        for (i, wire) in records.into_iter().enumerate() {
            record(
                tcp,
                wire,
                RecordKind::Handshake {
                    flight,
                    last: i == last,
                },
            );
        }
    }

    /// Plaintext handshake bytes in records of at most 2^14 (RFC 8446 §5.1).
    fn plaintext(bytes: u64) -> Vec<u64> {
        let mut v = Vec::new();
        let mut left = bytes;
        while left > 0 {
            let n = left.min(MAX_RECORD);
            left -= n;
            v.push(n + PLAINTEXT_HEADER);
        }
        v
    }

    /// Advances the handshake: call whenever the TCP endpoint handled an input. Reads every
    /// in-order delivery.
    pub fn on_wake(&mut self, now: SimTime, tcp: &mut TcpConnection<TlsTag<A>>) {
        if self.role == Role::Client && self.stage == Stage::Start && tcp.is_established() {
            let mut records = Self::plaintext(CLIENT_HELLO);
            if self.cfg.mode == TlsMode::Tls13ZeroRtt {
                records = Self::plaintext(CLIENT_HELLO + PSK_EXTENSIONS);
                // RFC 8446 §D.4: with early data the CCS follows the ClientHello, and
                // §4.2.10: early data follows at once.
                records.push(CHANGE_CIPHER_SPEC);
                self.may_write = true;
            }
            self.flight(tcp, Flight::ClientHello, &records, 0, 0);
            self.stage = Stage::Waiting;
        }
        while let Some(d) = tcp.poll_delivery() {
            if d.offset + d.len != d.tag.record_end {
                continue; // the record is not complete yet
            }
            match d.tag.kind {
                RecordKind::App { len, tag } => {
                    self.received.push_back(AppData { at: now, len, tag })
                }
                RecordKind::Handshake { flight, last: true } => self.on_flight(now, tcp, flight),
                RecordKind::Handshake { .. } => {}
            }
        }
        self.flush(tcp);
    }

    fn on_flight(&mut self, now: SimTime, tcp: &mut TcpConnection<TlsTag<A>>, flight: Flight) {
        let cert = self.cfg.cert_chain + CERTIFICATE_FRAMING;
        match (self.role, self.cfg.mode, flight) {
            (Role::Server, TlsMode::Tls13, Flight::ClientHello) => {
                let plain = [SERVER_HELLO_13 + PLAINTEXT_HEADER, CHANGE_CIPHER_SPEC];
                let enc = ENCRYPTED_EXTENSIONS + cert + CERTIFICATE_VERIFY + FINISHED_13;
                self.flight(tcp, Flight::ServerHello, &plain, enc, TLS13_RECORD_OVERHEAD);
                // RFC 8446 §2: the server may send data after its Finished (0.5-RTT).
                self.may_write = true;
            }
            (Role::Server, TlsMode::Tls13ZeroRtt, Flight::ClientHello) => {
                let plain = [SERVER_HELLO_13 + PLAINTEXT_HEADER, CHANGE_CIPHER_SPEC];
                let enc = ENCRYPTED_EXTENSIONS + FINISHED_13;
                self.flight(tcp, Flight::ServerHello, &plain, enc, TLS13_RECORD_OVERHEAD);
                self.may_write = true;
            }
            (Role::Server, TlsMode::Tls12, Flight::ClientHello) => {
                let hs = SERVER_HELLO_12 + cert + SERVER_KEY_EXCHANGE + SERVER_HELLO_DONE;
                self.flight(tcp, Flight::ServerHello, &Self::plaintext(hs), 0, 0);
            }
            (Role::Client, TlsMode::Tls13 | TlsMode::Tls13ZeroRtt, Flight::ServerHello) => {
                let mut fin = FINISHED_13;
                let mut plain = vec![CHANGE_CIPHER_SPEC];
                if self.cfg.mode == TlsMode::Tls13ZeroRtt {
                    fin += END_OF_EARLY_DATA;
                    plain.clear(); // the CCS went right after the ClientHello
                }
                self.flight(
                    tcp,
                    Flight::ClientFinished,
                    &plain,
                    fin,
                    TLS13_RECORD_OVERHEAD,
                );
                self.finish(now);
            }
            (Role::Client, TlsMode::Tls12, Flight::ServerHello) => {
                let plain = [CLIENT_KEY_EXCHANGE + PLAINTEXT_HEADER, CHANGE_CIPHER_SPEC];
                self.flight(
                    tcp,
                    Flight::ClientFinished,
                    &plain,
                    FINISHED_12,
                    TLS12_RECORD_OVERHEAD,
                );
            }
            (Role::Server, TlsMode::Tls12, Flight::ClientFinished) => {
                self.flight(
                    tcp,
                    Flight::ServerFinished,
                    &[CHANGE_CIPHER_SPEC],
                    FINISHED_12,
                    TLS12_RECORD_OVERHEAD,
                );
                self.finish(now);
            }
            (Role::Client, TlsMode::Tls12, Flight::ServerFinished)
            | (Role::Server, TlsMode::Tls13 | TlsMode::Tls13ZeroRtt, Flight::ClientFinished) => {
                self.finish(now);
            }
            _ => {}
        }
    }

    fn finish(&mut self, now: SimTime) {
        self.stage = Stage::Done;
        self.may_write = true;
        self.done_at.get_or_insert(now);
    }
}

fn record<A: Copy>(tcp: &mut TcpConnection<TlsTag<A>>, wire: u64, kind: RecordKind<A>) {
    let record_end = tcp.written() + wire;
    tcp.write(wire, TlsTag { record_end, kind });
}
