//! The browser's end of one HTTP/2 connection, as Chrome runs it: the preface and SETTINGS,
//! one request per odd stream (a HEADERS frame with END_STREAM: a GET has no body), and
//! every frame the server sends decoded — SETTINGS (acknowledged), HEADERS and
//! PUSH_PROMISE (their HPACK blocks decoded, so the table follows the server's), DATA (its
//! flow-control credit returned by Chromium's rule), RST_STREAM, WINDOW_UPDATE, PING,
//! GOAWAY.

use std::collections::{BTreeMap, VecDeque};

use super::flow_control::RecvWindow;
use super::frames::{self, FrameInfo, CLIENT_HEADER_TABLE_SIZE};
use super::hpack::{self, Block, BlockDecoder, BlockEncoder};
use super::reader::{next_record, FrameReader, Incoming};
use crate::headers::{request_fields, Field};
use crate::http::carrier::Carrier;
use crate::http::priority::{priority_field, Priority};
use crate::http::stream::{Ledger, Payload, What};
use crate::http::ReadError;
use crate::ids::{AssetId, StreamId};
use crate::options::FlowWindows;
use crate::page::Page;
use crate::sim::Side;
use crate::wire::frame::{Frame, Headers, DEFAULT_MAX_FRAME_SIZE, END_STREAM};

/// What the client did or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum H2Event {
    /// A frame went to TLS.
    Wrote {
        frame: FrameInfo,
        asset: Option<AssetId>,
    },
    /// A header block went to TLS, in the frame `frame`.
    Block {
        frame: FrameInfo,
        asset: Option<AssetId>,
        block: Block,
    },
    /// An interim (1xx) response on `asset`'s stream (RFC 9113 §8.1), with its fields.
    Interim {
        asset: AssetId,
        status: u16,
        fields: Vec<(String, String)>,
    },
    /// The final response head of `asset`; `block`: its header block's bytes.
    Head { asset: AssetId, block: u64 },
    /// `len` more body bytes of `asset`.
    Body { asset: AssetId, len: u64 },
    /// The response's last byte (END_STREAM) arrived.
    Complete { asset: AssetId },
}

/// What the browser says to a promised push (RFC 9113 §8.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushAnswer {
    /// Take the pushed response as `asset`.
    Accept(AssetId),
    /// Refuse it with RST_STREAM (CANCEL): it is cached, or already requested.
    Refuse(AssetId),
}

#[derive(Clone, Debug, Default)]
struct Stream {
    asset: Option<AssetId>,
    /// Body bytes received, and the Content-Length of the response.
    got: u64,
    size: Option<u64>,
    window: RecvWindow,
    /// Refused (a push reset with RST_STREAM): its frames are dropped on arrival.
    reset: bool,
}

/// The browser's end of one HTTP/2 connection.
#[derive(Debug)]
pub struct H2Client {
    pub carrier: Carrier,
    windows: FlowWindows,
    push: bool,
    enc: BlockEncoder,
    dec: BlockDecoder,
    reader: FrameReader,
    next_stream: u64,
    streams: BTreeMap<StreamId, Stream>,
    conn_window: RecvWindow,
    events: VecDeque<H2Event>,
}

/// RFC 9113 §8.3.1: the request pseudo-header fields in Chrome's order.
pub fn pseudo(page: &Page, id: AssetId) -> Vec<Field> {
    vec![
        Field::new(":method", "GET"),
        Field::new(":authority", page.host.clone()),
        Field::new(":scheme", "https"),
        Field::new(":path", page.asset(id).path.clone()),
    ]
}

/// The request's header list: the pseudo-headers, the fields, then Chrome's RFC 9218
/// `priority` field, which it sends on HTTP/2 too (absent for the default priority).
pub fn request_list(page: &Page, id: AssetId, priority: Priority) -> Vec<Field> {
    let mut fields = pseudo(page, id);
    fields.extend(request_fields(page, id));
    if let Some(v) = priority_field(priority) {
        fields.push(Field::new("priority", v));
    }
    fields
}

impl H2Client {
    /// A client announcing `windows`, and accepting pushes if `push`.
    pub fn new(carrier: Carrier, windows: FlowWindows, push: bool) -> H2Client {
        H2Client {
            carrier,
            windows,
            push,
            enc: BlockEncoder::default(),
            dec: BlockDecoder::new(CLIENT_HEADER_TABLE_SIZE as usize),
            reader: FrameReader::new(DEFAULT_MAX_FRAME_SIZE, false),
            next_stream: 1,
            streams: BTreeMap::new(),
            conn_window: RecvWindow::default(),
            events: VecDeque::new(),
        }
    }

    /// RFC 9113 §3.4: TLS is up; the preface, SETTINGS and connection WINDOW_UPDATE go out.
    pub fn start(&mut self) {
        let (bytes, frames) = frames::client_preface(self.windows, self.push);
        self.carrier.write(Payload::Real(bytes), What::Preface);
        for frame in frames {
            self.events.push_back(H2Event::Wrote { frame, asset: None });
        }
    }

    /// Requests `id` at `priority` on the next stream; returns the stream and the header
    /// block's bytes.
    pub fn request(&mut self, page: &Page, id: AssetId, priority: Priority) -> (StreamId, u64) {
        let stream = StreamId(self.next_stream);
        self.next_stream += 2;
        let block = self.enc.encode(&request_list(page, id, priority));
        let n = block.bytes.len() as u64;
        // RFC 9113 §6.2: no padding or priority, so the payload is the block itself.
        let built = frames::build(Frame::Headers(Headers {
            stream_id: stream,
            end_stream: true,
            end_headers: true,
            priority: None,
            header_block_fragment: block.bytes.clone(),
            padding: None,
        }));
        self.events.push_back(H2Event::Wrote {
            frame: built.info.clone(),
            asset: Some(id),
        });
        self.events.push_back(H2Event::Block {
            frame: built.info,
            asset: Some(id),
            block,
        });
        self.carrier.write(
            Payload::Real(built.bytes),
            What::Request {
                asset: id,
                block: n,
            },
        );
        self.streams.insert(
            stream,
            Stream {
                asset: Some(id),
                ..Stream::default()
            },
        );
        (stream, n)
    }

    /// Reads the next record TLS completed from the server's `peer` ledger; false when there
    /// is none. (One record at a time: the browser reacts to each before the next.) A
    /// PUSH_PROMISE is put to `answer` with the promised path.
    pub fn read_record(
        &mut self,
        peer: &Ledger,
        answer: &mut dyn FnMut(&str) -> Option<PushAnswer>,
    ) -> Result<bool, ReadError> {
        let Some((incoming, at)) =
            next_record(&mut self.carrier, &mut self.reader, peer, Side::Client)?
        else {
            return Ok(false);
        };
        for f in incoming {
            self.frame(f, at, answer)?;
        }
        Ok(true)
    }

    fn frame(
        &mut self,
        f: Incoming,
        at: u64,
        answer: &mut dyn FnMut(&str) -> Option<PushAnswer>,
    ) -> Result<(), ReadError> {
        let err = |reason: String| ReadError::new(Side::Client, at, reason);
        match f {
            Incoming::Frame(Frame::Settings(s)) if !s.ack => {
                // RFC 9113 §6.5.3: acknowledge the server's SETTINGS at once.
                let ack = frames::settings_ack();
                self.carrier.write(Payload::Real(ack.bytes), What::Preface);
                self.events.push_back(H2Event::Wrote {
                    frame: ack.info,
                    asset: None,
                });
            }
            Incoming::Frame(Frame::Headers(h)) => {
                if !h.end_headers {
                    return Err(err(
                        "HEADERS without END_HEADERS (no CONTINUATION here)".into()
                    ));
                }
                // Decoded whatever the stream: the table must follow the server's.
                let fields = self
                    .dec
                    .decode_fields(&h.header_block_fragment)
                    .map_err(|e| err(format!("HPACK: {e}")))?;
                let block = h.header_block_fragment.len() as u64;
                let Some(st) = self.streams.get_mut(&h.stream_id) else {
                    return Err(err(format!(
                        "HEADERS on {}, which is not open",
                        h.stream_id
                    )));
                };
                if st.reset {
                    return Ok(());
                }
                let Some(asset) = st.asset else {
                    return Ok(());
                };
                let status: u16 = hpack::field_in(&fields, ":status")
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| err("response HEADERS without a :status".into()))?;
                if (100..200).contains(&status) {
                    self.events.push_back(H2Event::Interim {
                        asset,
                        status,
                        fields: hpack::owned(fields),
                    });
                    return Ok(());
                }
                st.size = hpack::field_in(&fields, "content-length").and_then(|v| v.parse().ok());
                self.events.push_back(H2Event::Head { asset, block });
                if h.end_stream {
                    self.events.push_back(H2Event::Complete { asset });
                }
            }
            Incoming::Frame(Frame::PushPromise(p)) => {
                let fields = self
                    .dec
                    .decode(&p.header_block_fragment)
                    .map_err(|e| err(format!("HPACK: {e}")))?;
                if !self.push {
                    // RFC 9113 §8.4: a client that disabled push must treat this as an error.
                    return Err(err("PUSH_PROMISE with SETTINGS_ENABLE_PUSH 0".into()));
                }
                let path = hpack::field(&fields, ":path")
                    .unwrap_or_default()
                    .to_owned();
                let mut st = Stream::default();
                match answer(&path) {
                    Some(PushAnswer::Accept(asset)) => st.asset = Some(asset),
                    Some(PushAnswer::Refuse(asset)) => {
                        st.asset = Some(asset);
                        st.reset = true;
                        let rst = frames::rst_stream_cancel(p.promised_stream_id);
                        self.carrier.write(
                            Payload::Real(rst.bytes),
                            What::Control { asset: Some(asset) },
                        );
                        self.events.push_back(H2Event::Wrote {
                            frame: rst.info,
                            asset: Some(asset),
                        });
                    }
                    // A path the browser does not know (none on our pages): dropped.
                    None => st.reset = true,
                }
                self.streams.insert(p.promised_stream_id, st);
            }
            Incoming::Data(h) => self.data(h, at)?,
            // SETTINGS ACKs, WINDOW_UPDATE (the client sends no DATA), PING, GOAWAY, PRIORITY
            // and unknown frames change nothing the model follows.
            Incoming::Frame(_) => {}
        }
        Ok(())
    }

    /// RFC 9113 §6.9: the client consumed a DATA frame's payload: it returns the connection's
    /// and the stream's credit by Chromium's rule ([`window_update_due`]).
    fn data(&mut self, h: crate::wire::frame::FrameHeader, at: u64) -> Result<(), ReadError> {
        let (stream_window, conn_window) = self.windows.sizes();
        let payload = u64::from(h.length);
        let stream = StreamId(u64::from(h.stream_id));
        if let Some(inc) = self.conn_window.consume(payload, conn_window) {
            self.window_update(StreamId(0), inc, None);
        }
        let Some(st) = self.streams.get_mut(&stream) else {
            return Err(ReadError::new(
                Side::Client,
                at,
                format!("DATA on {stream}, which is not open"),
            ));
        };
        if st.reset {
            return Ok(());
        }
        let Some(asset) = st.asset else {
            return Ok(());
        };
        st.got += payload;
        // Credit for the stream only while it is still receiving.
        let receiving = st.size.is_none_or(|size| st.got < size);
        let inc = st.window.consume_while(payload, stream_window, receiving);
        if let Some(inc) = inc {
            self.window_update(stream, inc, Some(asset));
        }
        self.events.push_back(H2Event::Body {
            asset,
            len: payload,
        });
        if h.has(END_STREAM) {
            self.events.push_back(H2Event::Complete { asset });
        }
        Ok(())
    }

    fn window_update(&mut self, stream: StreamId, inc: u32, asset: Option<AssetId>) {
        let wu = frames::window_update(stream, inc);
        self.carrier
            .write(Payload::Real(wu.bytes), What::Control { asset });
        self.events.push_back(H2Event::Wrote {
            frame: wu.info,
            asset,
        });
    }

    /// The next thing the client did or read, oldest first.
    pub fn poll_event(&mut self) -> Option<H2Event> {
        self.events.pop_front()
    }

    /// This end's HPACK contexts: its encoder (the peer's decoder follows it) and its
    /// decoder (it follows the peer's encoder).
    pub fn hpack(&self) -> (&BlockEncoder, &BlockDecoder) {
        (&self.enc, &self.dec)
    }
}

crate::http::carrier::carrier_endpoint!(H2Client, super::H2Server);
