//! The application byte stream one HTTP/1.1 or HTTP/2 endpoint writes over TLS, and the
//! reader its peer decodes it with.
//!
//! Our TLS and TCP carry lengths (and a tag), not bytes. So every write an endpoint makes
//! is recorded here, in its [`Ledger`], with the real bytes it is — request and response
//! heads, every HTTP/2 frame with its HPACK block — and handed to TLS as exactly that many
//! bytes, tagged with its index. Response bodies are the one thing not materialised: a body
//! write (or a DATA frame's payload) is [`Payload::Opaque`] bytes of known length. The
//! ledger stands for the bytes the records carry: the receiving endpoint takes from the
//! writer's ledger **only** the bytes TLS delivered to it, in order ([`Reader`]), and parses
//! them as a real endpoint would, so a malformed or misplaced byte is an engine error, never
//! a silent success.
//!
//! What a write *is* ([`What`]) is the writer's own record, for the trace and the byte
//! accounting; receivers never read it.

use crate::ids::AssetId;

/// The bytes of one write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// Real bytes (heads, frames, header blocks).
    Real(Vec<u8>),
    /// An HTTP/2 DATA frame: its real 9-byte header, then `payload` bytes of body.
    Frame { header: [u8; 9], payload: u64 },
    /// `len` bytes of response body, not materialised.
    Opaque(u64),
}

impl Payload {
    pub fn len(&self) -> u64 {
        match self {
            Payload::Real(b) => b.len() as u64,
            Payload::Frame { payload, .. } => 9 + payload,
            Payload::Opaque(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a write is, for the writer's accounting (the trace's byte categories, which
/// response bytes went where on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// HTTP/2 connection preface, SETTINGS and their ACKs: connection set-up.
    Preface,
    /// A request head: HTTP/1.1 text, or an HTTP/2 HEADERS frame with a `block`-byte
    /// header block.
    Request { asset: AssetId, block: u64 },
    /// A final response head (text, or HEADERS with its block).
    ResponseHead { asset: AssetId, block: u64 },
    /// A `103 Early Hints` head (text, or HEADERS with its block).
    EarlyHints { block: u64 },
    /// An HTTP/2 PUSH_PROMISE of `asset`, its block `block` bytes.
    PushPromise { asset: AssetId, block: u64 },
    /// Response body: HTTP/1.1 bytes, or one HTTP/2 DATA frame.
    Body { asset: AssetId },
    /// An HTTP/2 WINDOW_UPDATE or RST_STREAM (`asset`: the stream's, if any).
    Control { asset: Option<AssetId> },
}

/// One write of one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// Offset of its first byte in the endpoint's application stream.
    pub offset: u64,
    pub payload: Payload,
    pub what: What,
    /// TCP stream offsets [start, end) of the TLS records carrying it.
    pub wire: (u64, u64),
}

/// Everything one endpoint wrote, in order; the index of a write is its TLS tag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    writes: Vec<Write>,
    end: u64,
}

impl Ledger {
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.end
    }

    pub fn is_empty(&self) -> bool {
        self.end == 0
    }

    /// Records a write; returns its tag.
    pub fn push(&mut self, payload: Payload, what: What, wire: (u64, u64)) -> u32 {
        let offset = self.end;
        self.end += payload.len();
        self.writes.push(Write {
            offset,
            payload,
            what,
            wire,
        });
        u32::try_from(self.writes.len() - 1).unwrap_or(u32::MAX)
    }

    pub fn get(&self, tag: u32) -> Option<&Write> {
        self.writes.get(tag as usize)
    }
}

/// A piece of what the reader took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    Bytes(&'a [u8]),
    /// Body bytes, not materialised.
    Opaque(u64),
}

/// Why delivered bytes could not be read from the peer's ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamError {
    /// TLS delivered a record of write `tag`, but the reader is at write `expected`: the
    /// two ends disagree on what was sent.
    OutOfStep { tag: u32, expected: u32 },
    /// TLS delivered more bytes than the peer wrote.
    PastEnd { offset: u64 },
}

impl core::fmt::Display for StreamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StreamError::OutOfStep { tag, expected } => write!(
                f,
                "a record of write {tag} arrived while write {expected} was still being read"
            ),
            StreamError::PastEnd { offset } => {
                write!(
                    f,
                    "bytes delivered at offset {offset}, past what the peer wrote"
                )
            }
        }
    }
}

/// The receiving end of one direction: where in the peer's stream it has read to.
#[derive(Clone, Debug, Default)]
pub struct Reader {
    /// The write being read, and how far into it.
    write: u32,
    into: u64,
    /// Bytes read so far.
    offset: u64,
}

impl Reader {
    /// Bytes of the peer's stream read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Takes the next `len` bytes of `peer`'s stream, delivered as one record of write
    /// `tag`, passing them in order to `f`.
    pub fn take<'a>(
        &mut self,
        peer: &'a Ledger,
        tag: u32,
        len: u64,
        mut f: impl FnMut(Chunk<'a>),
    ) -> Result<(), StreamError> {
        if tag != self.write {
            return Err(StreamError::OutOfStep {
                tag,
                expected: self.write,
            });
        }
        let mut left = len;
        while left > 0 {
            let Some(w) = peer.get(self.write) else {
                return Err(StreamError::PastEnd {
                    offset: self.offset,
                });
            };
            let n = (w.payload.len() - self.into).min(left);
            let (from, to) = (self.into, self.into + n);
            match &w.payload {
                Payload::Real(b) => f(Chunk::Bytes(&b[from as usize..to as usize])),
                Payload::Opaque(_) => f(Chunk::Opaque(n)),
                Payload::Frame { header, .. } => {
                    if from < 9 {
                        f(Chunk::Bytes(&header[from as usize..to.min(9) as usize]));
                    }
                    if to > 9 {
                        f(Chunk::Opaque(to - from.max(9)));
                    }
                }
            }
            left -= n;
            self.offset += n;
            self.into += n;
            if self.into == w.payload.len() {
                self.write += 1;
                self.into = 0;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_takes_real_and_opaque_bytes_in_order_across_records() {
        let mut l = Ledger::default();
        let a = AssetId(1);
        l.push(
            Payload::Real(b"HTTP/1.1 200 OK\r\n\r\n".to_vec()),
            What::ResponseHead {
                asset: a,
                block: 19,
            },
            (0, 41),
        );
        l.push(
            Payload::Opaque(30_000),
            What::Body { asset: a },
            (41, 30_085),
        );
        let mut r = Reader::default();
        let mut got = Vec::new();
        r.take(&l, 0, 19, |c| got.push(format!("{c:?}"))).unwrap();
        // A large body arrives as two records of the same write.
        r.take(&l, 1, 16_384, |c| got.push(format!("{c:?}")))
            .unwrap();
        r.take(&l, 1, 13_616, |c| got.push(format!("{c:?}")))
            .unwrap();
        assert_eq!(got.len(), 3);
        assert!(got[0].starts_with("Bytes("));
        assert_eq!(got[1], "Opaque(16384)");
        assert_eq!(r.offset(), 30_019);
        // Nothing more was written; a record of write 0 now is out of step.
        assert_eq!(
            r.take(&l, 0, 1, |_| {}),
            Err(StreamError::OutOfStep {
                tag: 0,
                expected: 2
            })
        );
        assert_eq!(
            r.take(&l, 2, 1, |_| {}),
            Err(StreamError::PastEnd { offset: 30_019 })
        );
    }

    #[test]
    fn a_data_frame_is_a_real_header_and_an_opaque_payload() {
        let mut l = Ledger::default();
        l.push(
            Payload::Frame {
                header: [0, 0, 5, 0, 1, 0, 0, 0, 1],
                payload: 5,
            },
            What::Body { asset: AssetId(0) },
            (0, 36),
        );
        let mut r = Reader::default();
        let mut got = Vec::new();
        r.take(&l, 0, 14, |c| got.push(c)).unwrap();
        assert_eq!(
            got,
            [Chunk::Bytes(&[0, 0, 5, 0, 1, 0, 0, 0, 1]), Chunk::Opaque(5)]
        );
    }
}
