//! The frames one end of an HTTP/2 connection receives, out of the bytes TLS delivered:
//! every frame decoded from its real bytes with [`crate::wire::frame`] (the client preface
//! first, on the server's side), except the payload of a DATA frame, which is response
//! body: its header is decoded, its payload counted.

use crate::http::carrier::Carrier;
use crate::http::stream::{Chunk, Ledger};
use crate::http::ReadError;
use crate::sim::Side;
use crate::wire::frame::{decode_preface, Frame, FrameDecoder, FrameHeader, FrameType};
use crate::wire::Decoded;

/// One frame read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    Frame(Frame),
    /// A DATA frame whose whole payload (body bytes, not materialised) has arrived.
    Data(FrameHeader),
}

/// Why bytes are not the HTTP/2 frames they should be, at which offset of the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameReadError {
    pub offset: u64,
    pub reason: String,
}

/// Takes the next record TLS completed at `side`'s `carrier`, from the `peer` ledger, and
/// parses it: the frames it completed and the stream offset it started at, or `None` when
/// no record is waiting.
pub fn next_record(
    carrier: &mut Carrier,
    reader: &mut FrameReader,
    peer: &Ledger,
    side: Side,
) -> Result<Option<(Vec<Incoming>, u64)>, ReadError> {
    let Some(d) = carrier.poll_app_data() else {
        return Ok(None);
    };
    let mut incoming = Vec::new();
    let at = carrier.read_offset();
    let mut bad = None;
    carrier
        .read(&d, peer, |c| {
            if bad.is_none() {
                bad = reader.feed(c, &mut incoming).err();
            }
        })
        .map_err(|e| ReadError::new(side, at, e.to_string()))?;
    match bad {
        Some(e) => Err(ReadError::new(side, e.offset, e.reason)),
        None => Ok(Some((incoming, at))),
    }
}

/// One receiving end's parser.
#[derive(Clone, Debug)]
pub struct FrameReader {
    decoder: FrameDecoder,
    /// The client preface is still to come (RFC 9113 §3.4: the server's side).
    preface: bool,
    /// Received bytes not yet parsed.
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    at: u64,
    /// Inside a DATA frame: its header and the payload bytes still to come.
    data: Option<(FrameHeader, u64)>,
}

impl FrameReader {
    /// A reader that accepts frames up to `max_frame_size` (the SETTINGS_MAX_FRAME_SIZE its
    /// end announced, RFC 9113 §4.2), expecting the client preface first if `preface`.
    pub fn new(max_frame_size: u32, preface: bool) -> FrameReader {
        FrameReader {
            decoder: FrameDecoder::new(max_frame_size),
            preface,
            buf: Vec::new(),
            at: 0,
            data: None,
        }
    }

    /// Takes one chunk of the stream; every frame it completes goes to `out`, in order.
    pub fn feed(
        &mut self,
        chunk: Chunk<'_>,
        out: &mut Vec<Incoming>,
    ) -> Result<(), FrameReadError> {
        match chunk {
            Chunk::Opaque(n) => self.payload(n, out),
            Chunk::Bytes(b) if self.data.is_some() => self.payload(b.len() as u64, out),
            Chunk::Bytes(b) => {
                self.buf.extend_from_slice(b);
                self.frames(out)
            }
        }
    }

    fn err(&self, at: u64, reason: String) -> FrameReadError {
        FrameReadError { offset: at, reason }
    }

    fn payload(&mut self, n: u64, out: &mut Vec<Incoming>) -> Result<(), FrameReadError> {
        let at = self.at;
        let Some((header, left)) = self.data.as_mut() else {
            return Err(self.err(at, format!("{n} body bytes outside any DATA frame")));
        };
        if n > *left {
            let left = *left;
            return Err(self.err(
                at,
                format!("{n} body bytes where the DATA frame has {left} left"),
            ));
        }
        *left -= n;
        self.at += n;
        if *left == 0 {
            out.push(Incoming::Data(*header));
            self.data = None;
        }
        Ok(())
    }

    fn frames(&mut self, out: &mut Vec<Incoming>) -> Result<(), FrameReadError> {
        if self.preface {
            match decode_preface(&self.buf) {
                Err(e) => return Err(self.err(self.at + e.offset as u64, e.to_string())),
                Ok(Decoded::Incomplete { .. }) => return Ok(()),
                Ok(Decoded::Complete { len, .. }) => {
                    self.consume(len);
                    self.preface = false;
                }
            }
        }
        while let Some(h) = FrameHeader::parse(&self.buf) {
            if h.frame_type == FrameType::Data && self.buf.len() < 9 + h.length as usize {
                // The header of a DATA frame whose payload is body: read it, count the rest.
                if h.length > self.decoder.max_frame_size {
                    return Err(self.err(
                        self.at,
                        format!(
                            "a DATA frame of {} bytes, over SETTINGS_MAX_FRAME_SIZE {}",
                            h.length, self.decoder.max_frame_size
                        ),
                    ));
                }
                if h.stream_id == 0 {
                    return Err(self.err(self.at, "a DATA frame on stream 0".into()));
                }
                let here = self.buf.len() - 9;
                self.consume(self.buf.len());
                self.data = Some((h, u64::from(h.length) - here as u64));
                return self.payload(0, out);
            }
            match self.decoder.decode(&self.buf) {
                Err(e) => return Err(self.err(self.at + e.offset as u64, e.to_string())),
                Ok(Decoded::Incomplete { .. }) => return Ok(()),
                Ok(Decoded::Complete { item, len }) => {
                    self.consume(len);
                    out.push(match item {
                        Frame::Data(_) => Incoming::Data(h),
                        f => Incoming::Frame(f),
                    });
                }
            }
        }
        Ok(())
    }

    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
        self.at += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::h2::frames;
    use crate::ids::StreamId;

    #[test]
    fn frames_and_counted_data_come_out_in_order() {
        let mut r = FrameReader::new(16_384, true);
        let mut out = Vec::new();
        let (preface, _) = frames::client_preface(crate::options::FlowWindows::Browser, false);
        // The preface split across two records.
        r.feed(Chunk::Bytes(&preface[..10]), &mut out).unwrap();
        assert!(out.is_empty());
        r.feed(Chunk::Bytes(&preface[10..]), &mut out).unwrap();
        assert_eq!(out.len(), 2, "SETTINGS and WINDOW_UPDATE: {out:?}");
        let (h, _) = frames::data_header(StreamId(1), 100, true);
        r.feed(Chunk::Bytes(&h), &mut out).unwrap();
        assert_eq!(out.len(), 2);
        r.feed(Chunk::Opaque(100), &mut out).unwrap();
        assert!(matches!(
            out[2],
            Incoming::Data(FrameHeader { length: 100, .. })
        ));
        // Body bytes with no DATA frame around them are an error, with their offset.
        let e = r.feed(Chunk::Opaque(1), &mut out).unwrap_err();
        assert_eq!(e.offset, preface.len() as u64 + 109);
        // So is a broken preface.
        let mut r = FrameReader::new(16_384, true);
        let e = r
            .feed(Chunk::Bytes(b"PRI * HTTP/1.1"), &mut Vec::new())
            .unwrap_err();
        assert_eq!(e.offset, 11);
    }
}
