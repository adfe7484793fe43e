//! The two ends' calls: the client's requests, the server's responses.

use super::*;

macro_rules! common {
    () => {
        /// Takes one datagram from the peer, with the peer's ledger (the bytes it wrote).
        pub fn handle_datagram(&mut self, now: SimTime, datagram: &Datagram, peer: &Ledger) {
            self.0.handle_datagram(now, datagram, peer);
        }
        pub fn handle_timeout(&mut self, now: SimTime) {
            self.0.handle_timeout(now);
        }
        pub fn poll_transmit(&mut self, now: SimTime) -> Option<Datagram> {
            self.0.poll_transmit(now)
        }
        pub fn poll_timeout(&self) -> Option<SimTime> {
            self.0.quic.poll_timeout()
        }
        /// The next HTTP/3 event, oldest first.
        pub fn poll_event(&mut self) -> Option<H3Event> {
            self.0.events.pop_front()
        }
        /// The next QUIC event (packets sent, lost, acknowledged, ...), oldest first.
        pub fn poll_quic_event(&mut self) -> Option<QuicEvent> {
            self.0.quic_events.pop_front()
        }
        pub fn quic(&self) -> &Connection {
            &self.0.quic
        }
        /// Everything this endpoint wrote; the peer reads its deliveries from it.
        pub fn ledger(&self) -> &Ledger {
            &self.0.ledger
        }
        /// This endpoint's control stream.
        pub fn control_stream(&self) -> StreamId {
            self.0.control
        }
        /// The peer's SETTINGS, once its control stream delivered them.
        pub fn peer_settings(&self) -> Option<&[Setting]> {
            self.0.peer_settings.as_deref()
        }
        pub fn config(&self) -> &H3Config {
            &self.0.config
        }
    };
}

/// Both HTTP/3 endpoints on the [`crate::sim::Driver`]: datagrams in and out (shared, so a
/// lane can keep what it sent), each arrival read with the peer's ledger.
macro_rules! sim_endpoint {
    ($ty:ty, $peer:ty) => {
        impl crate::sim::Endpoint for $ty {
            type Packet = std::rc::Rc<Datagram>;
            type Peer = $peer;
            fn handle_input(&mut self, now: SimTime, d: &std::rc::Rc<Datagram>, peer: &$peer) {
                self.handle_datagram(now, d, peer.ledger());
            }
            fn handle_timeout(&mut self, now: SimTime) {
                self.0.handle_timeout(now);
            }
            fn poll_transmit(&mut self, now: SimTime) -> Option<std::rc::Rc<Datagram>> {
                self.0.poll_transmit(now).map(std::rc::Rc::new)
            }
            fn poll_timeout(&self) -> Option<SimTime> {
                self.0.quic.poll_timeout()
            }
        }
    };
}
sim_endpoint!(H3Client, H3Server);
sim_endpoint!(H3Server, H3Client);

/// The browser's end of an HTTP/3 connection.
#[derive(Debug)]
pub struct H3Client(pub(super) Endpoint);

impl H3Client {
    /// A client whose control and QPACK streams are written; the QUIC handshake starts at
    /// the first `poll_transmit`.
    pub fn new(config: H3Config) -> H3Client {
        H3Client(Endpoint::new(Side::Client, config))
    }

    common!();

    /// Sends a GET for `path` on a new bidirectional stream: one HEADERS frame with
    /// `:method`, `:authority`, `:scheme`, `:path` (Chrome's order), then `fields`, then the
    /// RFC 9218 `priority` field if not the default; then FIN. Written before 1-RTT keys
    /// exist, it goes in 0-RTT packets when the QUIC config allows 0-RTT, else it waits.
    pub fn request(
        &mut self,
        now: SimTime,
        asset: AssetId,
        path: &str,
        authority: &str,
        fields: &[HeaderField],
        priority: Priority,
    ) -> Result<HeadersWritten, H3Error> {
        let priority = Priority {
            urgency: priority.urgency.min(MAX_URGENCY),
            ..priority
        };
        let mut all = to_qpack(
            &[
                (":method", "GET"),
                (":authority", authority),
                (":scheme", "https"),
                (":path", path),
            ],
            fields,
        );
        if let Some(v) = priority_field(priority) {
            all.push(qpack::Field::new("priority", v));
        }
        let e = &mut self.0;
        let stream = e.quic.open_bi();
        e.quic.set_priority(stream, priority)?;
        let written = e.headers_frame(stream, asset, &all)?;
        e.quic.finish(stream)?;
        e.responses.insert(
            stream,
            Response {
                asset,
                requested: now,
                request: written,
                first_byte: None,
                status: None,
                response_header_block: 0,
                progress: Vec::new(),
                body: 0,
                last_byte: None,
                hol: Vec::new(),
            },
        );
        e.emit(
            now,
            H3EventKind::RequestSent {
                asset,
                written,
                priority,
            },
        );
        Ok(written)
    }

    /// What is known of the request on `stream`.
    pub fn response(&self, stream: StreamId) -> Option<&Response> {
        self.0.responses.get(&stream)
    }

    /// Every request, by stream id.
    pub fn responses(&self) -> impl Iterator<Item = (StreamId, &Response)> {
        self.0.responses.iter().map(|(&s, r)| (s, r))
    }
}

/// The origin server's end of an HTTP/3 connection.
#[derive(Debug)]
pub struct H3Server(pub(super) Endpoint);

impl H3Server {
    pub fn new(config: H3Config) -> H3Server {
        H3Server(Endpoint::new(Side::Server, config))
    }

    common!();

    /// Answers the request on `stream` (after its `RequestReceived`): HEADERS with
    /// `:status` and `fields`, then `body` content bytes in DATA frames of at most
    /// `data_frame_payload` bytes, then FIN. The stream is scheduled per
    /// [`H3Config::scheduling`].
    pub fn respond(
        &mut self,
        now: SimTime,
        stream: StreamId,
        status: u16,
        fields: &[HeaderField],
        body: u64,
    ) -> Result<ResponseWritten, H3Error> {
        self.respond_head(stream, status, fields)?;
        self.send_body(stream, body)?;
        self.finish_response(now, stream)
    }

    /// The request on `stream`, answerable: (asked priority, asset, responded, finished).
    fn request_on(&self, stream: StreamId) -> Result<(Priority, AssetId, bool, bool), H3Error> {
        let Some(r) = self.0.recv.get(&stream) else {
            return Err(H3Error::NoRequest(stream));
        };
        let (Some(asked), Some(asset)) = (r.request, r.asset) else {
            return Err(H3Error::NoRequest(stream));
        };
        Ok((asked, asset, r.responded, r.finished))
    }

    /// Schedules `stream` per [`H3Config::scheduling`].
    fn schedule(&mut self, stream: StreamId, asked: Priority) -> Result<(), H3Error> {
        let e = &mut self.0;
        let priority = match e.config.scheduling {
            Scheduling::ClientPriority => asked,
            Scheduling::Sequential => DEFAULT_PRIORITY,
            Scheduling::RoundRobin => Priority {
                incremental: true,
                ..DEFAULT_PRIORITY
            },
        };
        e.quic.set_priority(stream, priority)?;
        Ok(())
    }

    /// Sends an interim response (RFC 9114 §4.1, e.g. `103 Early Hints`, RFC 8297) on
    /// `stream`: a HEADERS frame with `:status` (100–199) and `fields`, before the final
    /// response.
    pub fn respond_interim(
        &mut self,
        now: SimTime,
        stream: StreamId,
        status: u16,
        fields: &[HeaderField],
    ) -> Result<HeadersWritten, H3Error> {
        if !(100..200).contains(&status) {
            return Err(H3Error::NotInterim(status));
        }
        let (asked, asset, responded, _) = self.request_on(stream)?;
        if responded {
            return Err(H3Error::AlreadyResponded(stream));
        }
        self.schedule(stream, asked)?;
        let status_s = status.to_string();
        let all = to_qpack(&[(":status", &status_s)], fields);
        let e = &mut self.0;
        let written = e.headers_frame_as(stream, asset, &all, true)?;
        e.emit(
            now,
            H3EventKind::InterimSent {
                asset,
                status,
                written,
            },
        );
        Ok(written)
    }

    /// Writes the final response's HEADERS (`:status` and `fields`) on `stream`; the body
    /// follows with [`H3Server::send_body`] as the server produces it, and
    /// [`H3Server::finish_response`] ends it.
    pub fn respond_head(
        &mut self,
        stream: StreamId,
        status: u16,
        fields: &[HeaderField],
    ) -> Result<HeadersWritten, H3Error> {
        let (asked, asset, responded, _) = self.request_on(stream)?;
        if responded {
            return Err(H3Error::AlreadyResponded(stream));
        }
        self.schedule(stream, asked)?;
        let status = status.to_string();
        let all = to_qpack(&[(":status", &status)], fields);
        let e = &mut self.0;
        let headers = e.headers_frame(stream, asset, &all)?;
        if let Some(r) = e.recv.get_mut(&stream) {
            r.responded = true;
            r.written = Some(ResponseWritten {
                headers,
                data_frames: 0,
                data_frame_header_bytes: 0,
                body: 0,
            });
        }
        Ok(headers)
    }

    /// Writes `body` more content bytes of the response on `stream`, in DATA frames of at
    /// most `data_frame_payload` bytes.
    pub fn send_body(&mut self, stream: StreamId, body: u64) -> Result<(), H3Error> {
        let (_, asset, responded, finished) = self.request_on(stream)?;
        if !responded || finished {
            return Err(H3Error::NotResponding(stream));
        }
        let e = &mut self.0;
        let chunk = e.config.data_frame_payload.max(1);
        let mut left = body;
        let (mut frames, mut header_bytes) = (0, 0);
        while left > 0 {
            let n = left.min(chunk);
            let head = varint_bytes(&[frame::DATA, n])?;
            let hl = head.len() as u64;
            e.try_write(stream, Content::DataHeader { asset }, head, hl)?;
            e.try_write(stream, Content::Body { asset }, Vec::new(), n)?;
            frames += 1;
            header_bytes += hl;
            left -= n;
        }
        if let Some(w) = e.recv.get_mut(&stream).and_then(|r| r.written.as_mut()) {
            w.data_frames += frames;
            w.data_frame_header_bytes += header_bytes;
            w.body += body;
        }
        Ok(())
    }

    /// Ends the response on `stream` (FIN) and reports it as sent.
    pub fn finish_response(
        &mut self,
        now: SimTime,
        stream: StreamId,
    ) -> Result<ResponseWritten, H3Error> {
        let (_, asset, responded, finished) = self.request_on(stream)?;
        if !responded || finished {
            return Err(H3Error::NotResponding(stream));
        }
        let e = &mut self.0;
        e.quic.finish(stream)?;
        let mut written = None;
        if let Some(r) = e.recv.get_mut(&stream) {
            r.finished = true;
            written = r.written;
        }
        let Some(written) = written else {
            return Err(H3Error::NoRequest(stream));
        };
        e.emit(now, H3EventKind::ResponseSent { asset, written });
        Ok(written)
    }
}
