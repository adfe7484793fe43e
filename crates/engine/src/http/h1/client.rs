//! The browser's end of one HTTP/1.1 connection.

use std::collections::VecDeque;

use super::message;
use crate::http::carrier::Carrier;
use crate::http::stream::{Chunk, Ledger, Payload, What};
use crate::http::ReadError;
use crate::ids::AssetId;
use crate::page::Page;
use crate::sim::Side;
use crate::wire::h1::{decode_head, StartLine};
use crate::wire::Decoded;

/// What the client read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum H1Event {
    /// An interim (1xx) response (RFC 9110 §15.2) with its fields, lower-case names.
    Interim {
        status: u16,
        fields: Vec<(String, String)>,
    },
    /// The final response head for `asset`, `block` bytes of text.
    Head {
        asset: AssetId,
        status: u16,
        block: u64,
    },
    /// `len` more body bytes of `asset`.
    Body { asset: AssetId, len: u64 },
    /// The last body byte of `asset` arrived.
    Complete { asset: AssetId },
}

/// The browser's end of one HTTP/1.1 connection.
#[derive(Debug)]
pub struct H1Client {
    pub carrier: Carrier,
    /// Requests written whose final response has not begun, oldest first (§9.3.2: responses
    /// come back in request order).
    waiting: VecDeque<AssetId>,
    /// Bytes of the head being read.
    head: Vec<u8>,
    /// The response whose body is being read, and its body bytes still to come.
    body: Option<(AssetId, u64)>,
    events: VecDeque<H1Event>,
}

impl H1Client {
    pub fn new(carrier: Carrier) -> H1Client {
        H1Client {
            carrier,
            waiting: VecDeque::new(),
            head: Vec::new(),
            body: None,
            events: VecDeque::new(),
        }
    }

    /// Writes the request head for `id`; returns its bytes.
    pub fn request(&mut self, page: &Page, id: AssetId, keep_alive: bool) -> u64 {
        let text = message::request(page, id, keep_alive).into_bytes();
        let n = text.len() as u64;
        self.carrier.write(
            Payload::Real(text),
            What::Request {
                asset: id,
                block: n,
            },
        );
        self.waiting.push_back(id);
        n
    }

    /// Reads the next record TLS completed, from the server's `peer` ledger; false when
    /// there is none. (One record at a time: the browser reacts to each before the next.)
    pub fn read_record(&mut self, peer: &Ledger) -> Result<bool, ReadError> {
        let Some(d) = self.carrier.poll_app_data() else {
            return Ok(false);
        };
        let mut chunks = Vec::new();
        let at = self.carrier_offset();
        self.carrier
            .read(&d, peer, |c| chunks.push(c))
            .map_err(|e| ReadError::new(Side::Client, at, e.to_string()))?;
        for c in chunks {
            self.chunk(c, at)?;
        }
        Ok(true)
    }

    fn carrier_offset(&self) -> u64 {
        self.carrier.read_offset()
    }

    fn chunk(&mut self, c: Chunk<'_>, at: u64) -> Result<(), ReadError> {
        match c {
            Chunk::Opaque(n) => self.body_bytes(n, at),
            Chunk::Bytes(b) => {
                if self.body.is_some() {
                    return self.body_bytes(b.len() as u64, at);
                }
                self.head.extend_from_slice(b);
                self.heads(at)
            }
        }
    }

    fn body_bytes(&mut self, n: u64, at: u64) -> Result<(), ReadError> {
        let Some((asset, left)) = self.body.as_mut() else {
            return Err(ReadError::new(
                Side::Client,
                at,
                format!("{n} body bytes where a response head was expected"),
            ));
        };
        if n > *left {
            return Err(ReadError::new(
                Side::Client,
                at,
                format!("{n} body bytes, but the response's Content-Length leaves {left}"),
            ));
        }
        *left -= n;
        let (asset, done) = (*asset, *left == 0);
        self.events.push_back(H1Event::Body { asset, len: n });
        if done {
            self.body = None;
            self.events.push_back(H1Event::Complete { asset });
        }
        Ok(())
    }

    /// Parses every complete head in the buffer.
    fn heads(&mut self, at: u64) -> Result<(), ReadError> {
        loop {
            let parsed = decode_head(&self.head)
                .map_err(|e| ReadError::new(Side::Client, at, e.to_string()))?;
            let Decoded::Complete { item, len } = parsed else {
                return Ok(());
            };
            let rest = self.head.split_off(len);
            self.head = rest;
            let StartLine::Status { code, .. } = item.start else {
                return Err(ReadError::new(
                    Side::Client,
                    at,
                    "a request line where a status line was expected".into(),
                ));
            };
            if (100..200).contains(&code) {
                let fields = item.fields.into_iter().map(|f| (f.name, f.value)).collect();
                self.events.push_back(H1Event::Interim {
                    status: code,
                    fields,
                });
                continue;
            }
            let Some(asset) = self.waiting.pop_front() else {
                return Err(ReadError::new(
                    Side::Client,
                    at,
                    "a response with no request waiting for it".into(),
                ));
            };
            let length = item.content_length().ok_or_else(|| {
                ReadError::new(Side::Client, at, "a response without Content-Length".into())
            })?;
            self.events.push_back(H1Event::Head {
                asset,
                status: code,
                block: len as u64,
            });
            if length == 0 {
                self.events.push_back(H1Event::Complete { asset });
            } else {
                self.body = Some((asset, length));
                // Body bytes that came with the head in the same record.
                if !self.head.is_empty() {
                    let n = self.head.len() as u64;
                    self.head.clear();
                    return self.body_bytes(n, at);
                }
                return Ok(());
            }
        }
    }

    /// The next thing the client read, oldest first.
    pub fn poll_event(&mut self) -> Option<H1Event> {
        self.events.pop_front()
    }
}

crate::http::carrier::carrier_endpoint!(H1Client, super::H1Server);
