//! The state both ends of an HTTP/3 connection share: the QUIC connection, the ledger, the
//! streams being read, the critical streams opened at start, and the endpoint's writes.

use super::*;

pub(super) fn varint_bytes(values: &[u64]) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    for &v in values {
        varint::encode(v, &mut out)?;
    }
    Ok(out)
}

pub(super) fn to_qpack(fields: &[(&str, &str)], rest: &[HeaderField]) -> Vec<qpack::Field> {
    fields
        .iter()
        .map(|(n, v)| qpack::Field::new(n.as_bytes(), v.as_bytes()))
        .chain(rest.iter().map(qpack::Field::from))
        .collect()
}

/// The state both sides share.
#[derive(Debug)]
pub(super) struct Endpoint {
    pub(super) config: H3Config,
    pub(super) quic: Connection,
    pub(super) ledger: Ledger,
    pub(super) recv: BTreeMap<StreamId, RecvStream>,
    pub(super) events: VecDeque<H3Event>,
    pub(super) quic_events: VecDeque<QuicEvent>,
    pub(super) peer_settings: Option<Vec<Setting>>,
    pub(super) control: StreamId,
    /// Client: requests by stream.
    pub(super) responses: BTreeMap<StreamId, Response>,
}

impl Endpoint {
    pub(super) fn new(side: Side, config: H3Config) -> Endpoint {
        let quic = Connection::new(side, config.quic.clone());
        let mut e = Endpoint {
            quic,
            ledger: Ledger::default(),
            recv: BTreeMap::new(),
            events: VecDeque::new(),
            quic_events: VecDeque::new(),
            peer_settings: None,
            control: StreamId(0),
            responses: BTreeMap::new(),
            config,
        };
        e.open_critical_streams();
        e
    }

    /// RFC 9114 §6.2.1: "Each side MUST initiate a single control stream at the beginning of
    /// the connection and send its SETTINGS frame as the first frame on this stream."
    /// RFC 9204 §4.2: the encoder and decoder streams, opened as Chrome opens them.
    pub(super) fn open_critical_streams(&mut self) {
        self.control = self.quic.open_uni();
        // RFC 9218 does not prioritise the unidirectional streams; like quiche and Chrome,
        // they go before any request or response (urgency 0, then stream id order).
        let _ = self.quic.set_priority(self.control, CRITICAL_PRIORITY);
        let settings = Frame::Settings {
            settings: self.config.settings.clone(),
        };
        // Settings identifiers and values are u64 the config chose; one beyond 2^62-1
        // cannot be sent, so the frame goes without it rather than not at all.
        let settings_bytes = settings.to_bytes().unwrap_or_else(|_| {
            let ok: Vec<Setting> = self
                .config
                .settings
                .iter()
                .filter(|s| s.id.to_u64() <= varint::MAX_VARINT && s.value <= varint::MAX_VARINT)
                .copied()
                .collect();
            Frame::Settings { settings: ok }
                .to_bytes()
                .unwrap_or_default()
        });
        let c = self.control;
        self.write_bytes(
            c,
            Content::StreamType {
                stream_type: STREAM_TYPE_CONTROL,
            },
            vec![0x00],
        );
        self.write_bytes(c, Content::Settings, settings_bytes);
        for ty in [STREAM_TYPE_QPACK_ENCODER, STREAM_TYPE_QPACK_DECODER] {
            let s = self.quic.open_uni();
            let _ = self.quic.set_priority(s, CRITICAL_PRIORITY);
            self.write_bytes(s, Content::StreamType { stream_type: ty }, vec![ty as u8]);
        }
    }

    /// Writes real bytes; on a stream we just opened this cannot fail, and any failure is
    /// reported by the callers that can fail.
    pub(super) fn write_bytes(
        &mut self,
        stream: StreamId,
        content: Content,
        bytes: Vec<u8>,
    ) -> bool {
        let len = bytes.len() as u64;
        let tag = self.ledger.next_tag();
        if self.quic.write(stream, len, tag).is_err() {
            return false;
        }
        self.ledger.push(stream, len, content, bytes);
        true
    }

    pub(super) fn try_write(
        &mut self,
        stream: StreamId,
        content: Content,
        bytes: Vec<u8>,
        len: u64,
    ) -> Result<(), H3Error> {
        let tag = self.ledger.next_tag();
        self.quic.write(stream, len, tag)?;
        self.ledger.push(stream, len, content, bytes);
        Ok(())
    }

    pub(super) fn emit(&mut self, at: SimTime, kind: H3EventKind) {
        self.events.push_back(H3Event { at, kind });
    }

    pub(super) fn error(
        &mut self,
        at: SimTime,
        stream: StreamId,
        code: H3ErrorCode,
        reason: String,
    ) {
        if let Some(r) = self.recv.get_mut(&stream) {
            r.failed = true;
            r.buf.clear();
        }
        self.emit(
            at,
            H3EventKind::Error {
                stream,
                code,
                reason,
            },
        );
    }

    pub(super) fn handle_datagram(&mut self, now: SimTime, d: &Datagram, peer: &Ledger) {
        self.quic.handle_datagram(now, d);
        self.drain(peer);
    }

    pub(super) fn handle_timeout(&mut self, now: SimTime) {
        self.quic.handle_timeout(now);
        self.drain(&Ledger::default());
    }

    pub(super) fn poll_transmit(&mut self, now: SimTime) -> Option<Datagram> {
        let d = self.quic.poll_transmit(now);
        self.drain(&Ledger::default());
        d
    }

    pub(super) fn headers_frame(
        &mut self,
        stream: StreamId,
        asset: AssetId,
        fields: &[qpack::Field],
    ) -> Result<HeadersWritten, H3Error> {
        self.headers_frame_as(stream, asset, fields, false)
    }

    pub(super) fn headers_frame_as(
        &mut self,
        stream: StreamId,
        asset: AssetId,
        fields: &[qpack::Field],
        interim: bool,
    ) -> Result<HeadersWritten, H3Error> {
        let mut block = Vec::new();
        qpack::Encoder::default().encode(fields, &mut block);
        let header_block = block.len() as u64;
        let bytes = Frame::Headers {
            encoded_field_section: block,
        }
        .to_bytes()?;
        let headers_frame = bytes.len() as u64;
        let content = if interim {
            Content::InterimHeaders {
                asset,
                block: header_block,
            }
        } else {
            Content::Headers {
                asset,
                block: header_block,
            }
        };
        self.try_write(stream, content, bytes, headers_frame)?;
        Ok(HeadersWritten {
            stream,
            header_block,
            headers_frame,
        })
    }
}
