//! Reading what QUIC delivered: stream types, HTTP/3 frames, QPACK field sections, bodies,
//! and the events they raise, on either end.
//!
//! Past 600 lines: one receiving state machine for every HTTP/3 stream type and frame,
//! which share the stream's buffers and the QPACK decoder.

use super::*;

/// How the bytes after a stream's type are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Not yet known: the stream type varint is being read (RFC 9114 §6.2).
    UniPending,
    Control,
    /// QPACK encoder/decoder stream or an unknown type: bytes are read and ignored (with no
    /// dynamic table there are no instructions to act on; RFC 9114 §6.2.3 for unknown types).
    Ignored,
    Request,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Parse {
    Frames,
    /// Inside a DATA frame with this much content to come.
    Data {
        remaining: u64,
    },
}

#[derive(Debug)]
pub(super) struct RecvStream {
    pub(super) kind: Kind,
    pub(super) parse: Parse,
    /// Delivered bytes not yet consumed by the parser.
    pub(super) buf: Vec<u8>,
    pub(super) delivered: u64,
    pub(super) frames: u64,
    pub(super) failed: bool,
    pub(super) settings_seen: bool,
    /// Server: the request decoded; its priority.
    pub(super) request: Option<Priority>,
    pub(super) asset: Option<AssetId>,
    /// Server: the final response's HEADERS are written.
    pub(super) responded: bool,
    /// Server: the response's FIN is written.
    pub(super) finished: bool,
    /// Server: what the response has written so far.
    pub(super) written: Option<ResponseWritten>,
}

impl RecvStream {
    pub(super) fn new(kind: Kind) -> RecvStream {
        RecvStream {
            kind,
            parse: Parse::Frames,
            buf: Vec::new(),
            delivered: 0,
            frames: 0,
            failed: false,
            settings_seen: false,
            request: None,
            asset: None,
            responded: false,
            finished: false,
            written: None,
        }
    }
}

impl Endpoint {
    /// Takes QUIC's events, acts on deliveries, keeps them all for the caller.
    pub(super) fn drain(&mut self, peer: &Ledger) {
        while let Some(e) = self.quic.poll_event() {
            match e.kind {
                QuicEventKind::StreamOpened { stream } => self.on_opened(stream),
                QuicEventKind::StreamDelivered {
                    stream,
                    offset,
                    len,
                    tag,
                    fin,
                } => self.on_delivered(e.at, peer, stream, offset, len, tag, fin),
                QuicEventKind::HolBlocked {
                    stream,
                    since,
                    offset,
                    blocking,
                    waiting,
                } => {
                    let interval = HolInterval {
                        since,
                        until: e.at,
                        offset,
                        blocking,
                        waiting,
                    };
                    let asset = self.asset_of(stream);
                    if let Some(r) = self.responses.get_mut(&stream) {
                        r.hol.push(interval);
                    }
                    self.emit(
                        e.at,
                        H3EventKind::HolBlocked {
                            stream,
                            asset,
                            interval,
                        },
                    );
                }
                _ => {}
            }
            self.quic_events.push_back(e);
        }
    }

    pub(super) fn asset_of(&self, stream: StreamId) -> Option<AssetId> {
        self.responses
            .get(&stream)
            .map(|r| r.asset)
            .or_else(|| self.recv.get(&stream).and_then(|r| r.asset))
    }

    pub(super) fn on_opened(&mut self, stream: StreamId) {
        // RFC 9000 §2.1: bit 0x02 marks a unidirectional stream.
        let kind = if stream.0 & 2 == 2 {
            Kind::UniPending
        } else {
            Kind::Request
        };
        self.recv
            .entry(stream)
            .or_insert_with(|| RecvStream::new(kind));
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_delivered(
        &mut self,
        at: SimTime,
        peer: &Ledger,
        stream: StreamId,
        offset: u64,
        len: u64,
        tag: u64,
        fin: bool,
    ) {
        // Our own request streams receive the response; peer streams were opened above.
        if !self.recv.contains_key(&stream) {
            if self.responses.contains_key(&stream) {
                self.recv.insert(stream, RecvStream::new(Kind::Request));
            } else {
                self.on_opened(stream);
            }
        }
        let Some(r) = self.recv.get(&stream) else {
            return;
        };
        if r.failed {
            return;
        }
        if offset != r.delivered {
            let reason = format!(
                "delivery at offset {offset} but {} bytes were delivered before",
                r.delivered
            );
            self.error(at, stream, H3ErrorCode::InternalError, reason);
            return;
        }
        if len > 0 {
            let Some(w) = peer.get(tag) else {
                let reason = format!("no write with tag {tag} in the peer's ledger");
                self.error(at, stream, H3ErrorCode::InternalError, reason);
                return;
            };
            let inside = w.stream == stream
                && offset >= w.offset
                && offset.saturating_add(len) <= w.offset.saturating_add(w.len);
            if !inside {
                let reason = format!(
                    "bytes {offset}..{} of {stream} are not in the write tagged {tag} \
                     ({} bytes at {} of {})",
                    offset.saturating_add(len),
                    w.len,
                    w.offset,
                    w.stream
                );
                self.error(at, stream, H3ErrorCode::InternalError, reason);
                return;
            }
            let interim = matches!(w.content, Content::InterimHeaders { .. });
            if let Content::Body { .. } = w.content {
                self.feed_opaque(at, stream, len);
            } else {
                let from = usize::try_from(offset - w.offset).unwrap_or(usize::MAX);
                let to = usize::try_from(len).map_or(usize::MAX, |l| from.saturating_add(l));
                match w.bytes.get(from..to) {
                    Some(bytes) => self.feed_bytes(at, stream, bytes, w.content),
                    None => {
                        let reason =
                            format!("write tagged {tag} holds fewer bytes than its length");
                        self.error(at, stream, H3ErrorCode::InternalError, reason);
                    }
                }
            }
            if let Some(r) = self.recv.get_mut(&stream) {
                r.delivered += len;
            }
            // The ledger tells an interim response's bytes apart, standing for the decoder
            // that learns it once the frame is parsed: they are not the response's first byte.
            if !interim {
                self.after_delivery(at, stream);
            }
        }
        if fin {
            self.on_fin(at, stream);
        }
    }

    pub(super) fn after_delivery(&mut self, at: SimTime, stream: StreamId) {
        let Some(resp) = self.responses.get_mut(&stream) else {
            return;
        };
        let asset = resp.asset;
        if resp.first_byte.is_none() {
            resp.first_byte = Some(at);
            self.emit(at, H3EventKind::FirstByte { stream, asset });
        }
    }

    pub(super) fn on_fin(&mut self, at: SimTime, stream: StreamId) {
        let Some(r) = self.recv.get(&stream) else {
            return;
        };
        if r.failed {
            return;
        }
        let kind = r.kind;
        let clean = r.buf.is_empty() && r.parse == Parse::Frames;
        match kind {
            // RFC 9114 §6.2.1: closing the control stream is H3_CLOSED_CRITICAL_STREAM (and so
            // are the QPACK streams, RFC 9204 §4.2).
            Kind::Control | Kind::UniPending => self.error(
                at,
                stream,
                H3ErrorCode::ClosedCriticalStream,
                "a critical unidirectional stream was closed".to_owned(),
            ),
            Kind::Ignored => {}
            Kind::Request => {
                if !clean {
                    // RFC 9114 §7.1: a frame cut by the end of its stream is H3_FRAME_ERROR.
                    self.error(
                        at,
                        stream,
                        H3ErrorCode::FrameError,
                        "the stream ended inside a frame".to_owned(),
                    );
                    return;
                }
                if let Some(resp) = self.responses.get_mut(&stream) {
                    if resp.status.is_none() {
                        // RFC 9114 §4.1: a response needs its HEADERS.
                        self.error(
                            at,
                            stream,
                            H3ErrorCode::MessageError,
                            "the response ended without HEADERS".to_owned(),
                        );
                        return;
                    }
                    resp.last_byte = Some(at);
                    let (asset, body) = (resp.asset, resp.body);
                    self.emit(
                        at,
                        H3EventKind::ResponseComplete {
                            stream,
                            asset,
                            body,
                        },
                    );
                }
            }
        }
    }

    pub(super) fn feed_opaque(&mut self, at: SimTime, stream: StreamId, len: u64) {
        let Some(r) = self.recv.get_mut(&stream) else {
            return;
        };
        match r.parse {
            Parse::Data { remaining } if r.buf.is_empty() && len <= remaining => {
                r.parse = if remaining == len {
                    Parse::Frames
                } else {
                    Parse::Data {
                        remaining: remaining - len,
                    }
                };
                self.on_body(at, stream, len);
            }
            _ => self.error(
                at,
                stream,
                H3ErrorCode::FrameError,
                format!("{len} content bytes arrived outside a DATA frame's payload"),
            ),
        }
    }

    pub(super) fn on_body(&mut self, at: SimTime, stream: StreamId, n: u64) {
        if n == 0 {
            return;
        }
        if let Some(resp) = self.responses.get_mut(&stream) {
            if resp.status.is_none() {
                // RFC 9114 §4.1: DATA before HEADERS is a malformed response.
                self.error(
                    at,
                    stream,
                    H3ErrorCode::FrameUnexpected,
                    "DATA before the response HEADERS".to_owned(),
                );
                return;
            }
            resp.body += n;
            let (asset, body) = (resp.asset, resp.body);
            match resp.progress.last_mut() {
                Some(last) if last.0 == at => last.1 = body,
                _ => resp.progress.push((at, body)),
            }
            self.emit(
                at,
                H3EventKind::BodyProgress {
                    stream,
                    asset,
                    body,
                },
            );
        }
    }

    pub(super) fn feed_bytes(
        &mut self,
        at: SimTime,
        stream: StreamId,
        bytes: &[u8],
        content: Content,
    ) {
        if let Some(r) = self.recv.get_mut(&stream) {
            r.buf.extend_from_slice(bytes);
            if let Content::Headers { asset, .. } | Content::InterimHeaders { asset, .. } = content
            {
                r.asset.get_or_insert(asset);
            }
        }
        loop {
            let Some(r) = self.recv.get_mut(&stream) else {
                return;
            };
            if r.failed {
                return;
            }
            match (r.kind, r.parse) {
                (Kind::Ignored, _) => {
                    r.buf.clear();
                    return;
                }
                (Kind::UniPending, _) => {
                    let Some((ty, n)) = varint::decode(&r.buf).complete() else {
                        return;
                    };
                    r.buf.drain(..n);
                    self.on_stream_type(at, stream, ty);
                }
                (_, Parse::Data { remaining }) => {
                    let n = (r.buf.len() as u64).min(remaining);
                    if n == 0 {
                        return;
                    }
                    r.buf.drain(..n as usize);
                    r.parse = if n == remaining {
                        Parse::Frames
                    } else {
                        Parse::Data {
                            remaining: remaining - n,
                        }
                    };
                    self.on_body(at, stream, n);
                }
                (_, Parse::Frames) => {
                    if r.buf.is_empty() {
                        return;
                    }
                    // DATA frames are read header first, so their content can stream by.
                    if let Some((ty, a)) = varint::decode(&r.buf).complete() {
                        if ty == frame::DATA {
                            let Some((length, b)) =
                                varint::decode(r.buf.get(a..).unwrap_or(&[])).complete()
                            else {
                                return;
                            };
                            r.buf.drain(..a + b);
                            r.frames += 1;
                            if r.kind == Kind::Control {
                                // RFC 9114 §7.2.1: DATA on a control stream.
                                self.error(
                                    at,
                                    stream,
                                    H3ErrorCode::FrameUnexpected,
                                    "DATA frame on the control stream".to_owned(),
                                );
                                return;
                            }
                            r.parse = Parse::Data { remaining: length };
                            continue;
                        }
                    }
                    match FrameDecoder::default().decode(&r.buf) {
                        Ok(Decoded::Incomplete { .. }) => return,
                        Ok(Decoded::Complete { item, len }) => {
                            r.buf.drain(..len);
                            r.frames += 1;
                            self.on_frame(at, stream, item);
                        }
                        Err(e) => {
                            self.frame_error(at, stream, e);
                            return;
                        }
                    }
                }
            }
        }
    }

    pub(super) fn frame_error(&mut self, at: SimTime, stream: StreamId, e: FrameError) {
        self.error(at, stream, e.code(), e.to_string());
    }

    pub(super) fn on_stream_type(&mut self, at: SimTime, stream: StreamId, ty: u64) {
        let is_client = self.quic.side().is_client();
        let kind = match ty {
            STREAM_TYPE_CONTROL => {
                // RFC 9114 §6.2.1: "Only one control stream per peer is permitted".
                let dup = self.recv.values().any(|r| r.kind == Kind::Control);
                if dup {
                    self.error(
                        at,
                        stream,
                        H3ErrorCode::StreamCreationError,
                        "a second control stream".to_owned(),
                    );
                    return;
                }
                Kind::Control
            }
            STREAM_TYPE_PUSH => {
                // RFC 9114 §6.2.2: only servers push (a client's push stream is
                // H3_STREAM_CREATION_ERROR); §4.6: a push ID above MAX_PUSH_ID (we sent
                // none) is H3_ID_ERROR.
                let (code, reason) = if is_client {
                    (
                        H3ErrorCode::IdError,
                        "a push stream, but no MAX_PUSH_ID was sent",
                    )
                } else {
                    (
                        H3ErrorCode::StreamCreationError,
                        "a push stream from a client",
                    )
                };
                self.error(at, stream, code, reason.to_owned());
                return;
            }
            _ => Kind::Ignored,
        };
        if let Some(r) = self.recv.get_mut(&stream) {
            r.kind = kind;
        }
    }

    pub(super) fn on_frame(&mut self, at: SimTime, stream: StreamId, f: Frame) {
        let Some(r) = self.recv.get_mut(&stream) else {
            return;
        };
        match r.kind {
            Kind::Control => {
                let first = !r.settings_seen;
                match f {
                    Frame::Settings { settings } if first => {
                        r.settings_seen = true;
                        self.peer_settings = Some(settings.clone());
                        self.emit(at, H3EventKind::PeerSettings { settings });
                    }
                    // RFC 9114 §6.2.1: the first frame must be SETTINGS.
                    _ if first => self.error(
                        at,
                        stream,
                        H3ErrorCode::MissingSettings,
                        format!("first control frame is {:?}, not SETTINGS", f.name()),
                    ),
                    // RFC 9114 §7.2.4: a second SETTINGS; §7.2.2: HEADERS on control.
                    Frame::Settings { .. } | Frame::Headers { .. } | Frame::PushPromise { .. } => {
                        self.error(
                            at,
                            stream,
                            H3ErrorCode::FrameUnexpected,
                            format!("{:?} frame on the control stream", f.name()),
                        )
                    }
                    _ => {}
                }
            }
            Kind::Request => match f {
                Frame::Headers {
                    encoded_field_section,
                } => self.on_headers(at, stream, &encoded_field_section),
                // RFC 9114 §7.2.4, §7.2.6, §7.2.7, §7.2.3: connection frames on a request
                // stream; §7.2.5: PUSH_PROMISE from a client, or without MAX_PUSH_ID.
                Frame::Settings { .. }
                | Frame::GoAway { .. }
                | Frame::MaxPushId { .. }
                | Frame::CancelPush { .. }
                | Frame::PushPromise { .. } => self.error(
                    at,
                    stream,
                    H3ErrorCode::FrameUnexpected,
                    format!("{:?} frame on a request stream", f.name()),
                ),
                Frame::Data { .. } | Frame::Unknown { .. } => {}
            },
            Kind::UniPending | Kind::Ignored => {}
        }
    }

    pub(super) fn on_headers(&mut self, at: SimTime, stream: StreamId, block: &[u8]) {
        let fields = match qpack::Decoder.decode(block) {
            Ok(f) => f,
            Err(e) => {
                let code = e.code();
                self.error(at, stream, code, e.to_string());
                return;
            }
        };
        let get = |name: &str| {
            fields
                .iter()
                .find(|f| f.name == name.as_bytes())
                .map(|f| String::from_utf8_lossy(&f.value).into_owned())
        };
        let n = block.len() as u64;
        if let Some(resp) = self.responses.get_mut(&stream) {
            if resp.status.is_some() {
                // Trailers: allowed (RFC 9114 §4.1), nothing to do.
                return;
            }
            let Some(status) = get(":status").and_then(|s| s.parse::<u16>().ok()) else {
                // RFC 9114 §4.3.2: a response must carry :status.
                self.error(
                    at,
                    stream,
                    H3ErrorCode::MessageError,
                    "response HEADERS without a valid :status".to_owned(),
                );
                return;
            };
            if (100..200).contains(&status) {
                // RFC 9114 §4.1: an interim response; the final one is still to come.
                let asset = resp.asset;
                let fields = fields
                    .iter()
                    .map(|f| {
                        (
                            String::from_utf8_lossy(&f.name).into_owned(),
                            String::from_utf8_lossy(&f.value).into_owned(),
                        )
                    })
                    .collect();
                self.emit(
                    at,
                    H3EventKind::InterimResponse {
                        stream,
                        asset,
                        status,
                        header_block: n,
                        fields,
                    },
                );
                return;
            }
            resp.status = Some(status);
            resp.response_header_block = n;
            let asset = resp.asset;
            self.emit(
                at,
                H3EventKind::ResponseHeaders {
                    stream,
                    asset,
                    status,
                    header_block: n,
                },
            );
            return;
        }
        // Server side: a request.
        let Some(r) = self.recv.get_mut(&stream) else {
            return;
        };
        if r.request.is_some() {
            return;
        }
        let (Some(method), Some(path)) = (get(":method"), get(":path")) else {
            // RFC 9114 §4.3.1: requests carry :method, :scheme and :path.
            self.error(
                at,
                stream,
                H3ErrorCode::MessageError,
                "request HEADERS without :method or :path".to_owned(),
            );
            return;
        };
        let priority = get("priority").map_or(DEFAULT_PRIORITY, |v| parse_priority(&v));
        r.request = Some(priority);
        let Some(asset) = r.asset else {
            return;
        };
        let authority = get(":authority").unwrap_or_default();
        self.emit(
            at,
            H3EventKind::RequestReceived {
                stream,
                asset,
                method,
                path,
                authority,
                priority,
                header_block: n,
            },
        );
    }
}
