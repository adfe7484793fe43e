//! What an HTTP/3 endpoint reports: its events, what its calls wrote, why a call was
//! refused, and the client's view of each request.

use super::*;

/// Why a call was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum H3Error {
    Stream(StreamError),
    /// A varint out of range (only for absurd sizes).
    Encode(EncodeError),
    /// `respond` on a stream that carried no request.
    NoRequest(StreamId),
    /// `respond` twice on one stream, or an interim response after the final one.
    AlreadyResponded(StreamId),
    /// Body or FIN on a stream whose final HEADERS are not written, or that is finished.
    NotResponding(StreamId),
    /// An interim response whose status is not 1xx (RFC 9110 §15.2).
    NotInterim(u16),
}

impl fmt::Display for H3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            H3Error::Stream(e) => write!(f, "{e}"),
            H3Error::Encode(e) => write!(f, "{e}"),
            H3Error::NoRequest(s) => write!(
                f,
                "{s} carried no request HEADERS; respond only after RequestReceived"
            ),
            H3Error::AlreadyResponded(s) => {
                write!(f, "{s} already has a response; one response per request")
            }
            H3Error::NotResponding(s) => write!(
                f,
                "{s} has no open response; send its HEADERS first, and nothing after its FIN"
            ),
            H3Error::NotInterim(status) => write!(
                f,
                "status {status} is not an interim response; allowed: 100 to 199"
            ),
        }
    }
}

impl std::error::Error for H3Error {}

impl From<StreamError> for H3Error {
    fn from(e: StreamError) -> Self {
        H3Error::Stream(e)
    }
}
impl From<EncodeError> for H3Error {
    fn from(e: EncodeError) -> Self {
        H3Error::Encode(e)
    }
}

/// What a request or a response put on its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadersWritten {
    pub stream: StreamId,
    /// The QPACK-encoded field section.
    pub header_block: u64,
    /// The whole HEADERS frame (type, length, field section).
    pub headers_frame: u64,
}

/// What a response put on its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseWritten {
    pub headers: HeadersWritten,
    pub data_frames: u64,
    /// DATA frame headers, all frames together.
    pub data_frame_header_bytes: u64,
    pub body: u64,
}

/// A head-of-line-blocked interval of one stream (from QUIC's `HolBlocked`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolInterval {
    pub since: SimTime,
    pub until: SimTime,
    /// The stream offset that was missing.
    pub offset: u64,
    /// The lost packet that first carried the missing bytes.
    pub blocking: PacketNumber,
    /// Bytes beyond the gap that had arrived and waited.
    pub waiting: u64,
}

/// One thing the HTTP/3 layer of one endpoint saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct H3Event {
    pub at: SimTime,
    #[serde(flatten)]
    pub kind: H3EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum H3EventKind {
    /// The peer's SETTINGS frame arrived on its control stream.
    PeerSettings { settings: Vec<Setting> },
    /// Client: a request went to QUIC.
    RequestSent {
        asset: AssetId,
        written: HeadersWritten,
        priority: Priority,
    },
    /// Server: a request's HEADERS arrived and decoded.
    RequestReceived {
        stream: StreamId,
        /// The asset its writer tagged it with.
        asset: AssetId,
        method: String,
        path: String,
        authority: String,
        priority: Priority,
        header_block: u64,
    },
    /// Server: a response went to QUIC.
    ResponseSent {
        asset: AssetId,
        written: ResponseWritten,
    },
    /// Server: an interim (1xx) response went to QUIC.
    InterimSent {
        asset: AssetId,
        status: u16,
        written: HeadersWritten,
    },
    /// Client: an interim (1xx) response's HEADERS decoded (RFC 9114 §4.1), with its fields
    /// as (name, value).
    InterimResponse {
        stream: StreamId,
        asset: AssetId,
        status: u16,
        header_block: u64,
        fields: Vec<(String, String)>,
    },
    /// Client: the first byte of the final response reached the application (the bytes of
    /// interim responses before it do not count).
    FirstByte { stream: StreamId, asset: AssetId },
    /// Client: the response HEADERS decoded.
    ResponseHeaders {
        stream: StreamId,
        asset: AssetId,
        status: u16,
        header_block: u64,
    },
    /// Client: response content delivered in order, `body` bytes so far in total.
    BodyProgress {
        stream: StreamId,
        asset: AssetId,
        body: u64,
    },
    /// Client: the response's last byte (its FIN) reached the application.
    ResponseComplete {
        stream: StreamId,
        asset: AssetId,
        body: u64,
    },
    /// A stream stalled behind a lost packet; `asset` is `None` on non-request streams.
    HolBlocked {
        stream: StreamId,
        asset: Option<AssetId>,
        interval: HolInterval,
    },
    /// The peer broke the protocol; what an endpoint would close the stream or connection
    /// with. Nothing further is read from that stream.
    Error {
        stream: StreamId,
        code: H3ErrorCode,
        reason: String,
    },
}

/// What the client knows about one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub asset: AssetId,
    pub requested: SimTime,
    pub request: HeadersWritten,
    pub first_byte: Option<SimTime>,
    pub status: Option<u16>,
    pub response_header_block: u64,
    /// (time, body bytes delivered in order so far), one entry per advance.
    pub progress: Vec<(SimTime, u64)>,
    pub body: u64,
    pub last_byte: Option<SimTime>,
    pub hol: Vec<HolInterval>,
}
