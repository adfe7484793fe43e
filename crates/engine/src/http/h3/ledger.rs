//! The ledger: every write an HTTP/3 endpoint made, with its bytes, which the peer reads
//! back from as its QUIC streams deliver.

use super::*;

/// What the bytes of one write are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "content", rename_all = "snake_case")]
pub enum Content {
    /// The stream type that opens a unidirectional stream (RFC 9114 §6.2).
    StreamType { stream_type: u64 },
    /// The SETTINGS frame on the control stream.
    Settings,
    /// A HEADERS frame: `block` bytes of QPACK field section inside.
    Headers { asset: AssetId, block: u64 },
    /// A HEADERS frame of an interim (1xx) response, `block` bytes of field section inside
    /// (RFC 9114 §4.1: zero or more interim responses precede the final one).
    InterimHeaders { asset: AssetId, block: u64 },
    /// The type and length of a DATA frame.
    DataHeader { asset: AssetId },
    /// Response content (not materialised).
    Body { asset: AssetId },
}

/// One write of one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Write {
    pub stream: StreamId,
    pub offset: u64,
    pub len: u64,
    pub content: Content,
    /// The bytes written; empty for [`Content::Body`].
    pub bytes: Vec<u8>,
}

/// Everything one endpoint wrote, in order; the index of a write is its QUIC tag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    writes: Vec<Write>,
    ends: BTreeMap<StreamId, u64>,
}

impl Ledger {
    /// The write whose QUIC tag is `tag`.
    pub fn get(&self, tag: u64) -> Option<&Write> {
        usize::try_from(tag).ok().and_then(|i| self.writes.get(i))
    }
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }
    /// The writes on `stream`, in order.
    pub fn on_stream(&self, stream: StreamId) -> impl Iterator<Item = &Write> {
        self.writes.iter().filter(move |w| w.stream == stream)
    }
    /// The bytes of `stream` up to the first body write (everything materialised).
    pub fn stream_bytes(&self, stream: StreamId) -> Vec<u8> {
        self.on_stream(stream)
            .take_while(|w| !matches!(w.content, Content::Body { .. }))
            .flat_map(|w| w.bytes.iter().copied())
            .collect()
    }
    pub(super) fn push(
        &mut self,
        stream: StreamId,
        len: u64,
        content: Content,
        bytes: Vec<u8>,
    ) -> u64 {
        let end = self.ends.entry(stream).or_insert(0);
        let offset = *end;
        *end += len;
        self.writes.push(Write {
            stream,
            offset,
            len,
            content,
            bytes,
        });
        self.writes.len() as u64 - 1
    }
    pub(super) fn next_tag(&self) -> u64 {
        self.writes.len() as u64
    }
}
