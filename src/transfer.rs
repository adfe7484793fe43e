//! A [`Trace`] as compact bytes, for the trip from the engine's web worker to the page.
//!
//! The trace's own serde form is JSON-shaped: `Event` flattens an internally tagged
//! `EventKind`, `Blocked` holds an internally tagged `BlockedCause`, and some fields are
//! skipped when empty. Decoding those needs serde's self-describing buffering, which made
//! decoding a trace on the main thread as slow as simulating it (25 ms natively for `news`
//! at 2 % loss). So the worker writes [postcard] through the serde *remote* mirrors below,
//! which serialise the same types as plain positional structs and enums (no tags, no
//! flattening, nothing skipped): several times faster to decode and half the size.
//!
//! The mirrors are checked by the compiler against the real types (a remote derive reads
//! and builds every field), so a change to `trace.rs` fails to compile here rather than
//! garbling the page. The scenario travels as JSON inside the bytes (it is small and its
//! page skips empty fields).

use protoviz_engine::ids::{AssetId, ConnId, StreamId};
use protoviz_engine::link::DropReason;
use protoviz_engine::page::AssetKind;
use protoviz_engine::trace::{
    AssetTiming, Blocked, BlockedCause, Carried, ConnectPhases, Connection, Direction, Event,
    EventKind, HeaderBlock, HeaderRep, Metrics, RepKind, Source,
};
use protoviz_engine::transport::quic::LossReason;
use protoviz_engine::transport::tcp::LossDetection;
use protoviz_engine::wire::hpack::HeaderField;
use protoviz_engine::{Lane, Protocol, Scenario, SimDuration, SimTime, Trace};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why bytes from the worker could not be read back into a trace.
#[derive(Debug)]
pub struct TransferError(pub String);

impl std::fmt::Display for TransferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the engine's trace could not be read: {}", self.0)
    }
}

/// The trace as bytes ([`decode`] reads them back).
pub fn encode(trace: &Trace) -> Result<Vec<u8>, TransferError> {
    postcard::to_allocvec(&Wire(trace)).map_err(|e| TransferError(e.to_string()))
}

pub fn decode(bytes: &[u8]) -> Result<Trace, TransferError> {
    let WireOwned(trace) = postcard::from_bytes(bytes).map_err(|e| TransferError(e.to_string()))?;
    Ok(trace)
}

struct Wire<'a>(&'a Trace);
struct WireOwned(Trace);

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        TraceDef::serialize(self.0, s)
    }
}
impl<'de> Deserialize<'de> for WireOwned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        TraceDef::deserialize(d).map(WireOwned)
    }
}

/// `Vec<T>` through a remote mirror `M` of `T`.
macro_rules! vec_with {
    ($module:ident, $ty:ty, $def:ident) => {
        mod $module {
            use super::*;
            use serde::ser::SerializeSeq;

            pub fn serialize<S: Serializer>(v: &[$ty], s: S) -> Result<S::Ok, S::Error> {
                struct One<'a>(&'a $ty);
                impl Serialize for One<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        $def::serialize(self.0, s)
                    }
                }
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for x in v {
                    seq.serialize_element(&One(x))?;
                }
                seq.end()
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<$ty>, D::Error> {
                struct One($ty);
                impl<'de> Deserialize<'de> for One {
                    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        $def::deserialize(d).map(One)
                    }
                }
                let v: Vec<One> = Vec::deserialize(d)?;
                Ok(v.into_iter().map(|o| o.0).collect())
            }
        }
    };
}

vec_with!(lanes, Lane, LaneDef);
vec_with!(events, Event, EventDef);
vec_with!(assets, AssetTiming, AssetTimingDef);
vec_with!(blocked, Blocked, BlockedDef);
vec_with!(blocks, HeaderBlock, HeaderBlockDef);
vec_with!(reps, HeaderRep, HeaderRepDef);

mod scenario_json {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Scenario, s: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_string(v).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&json)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Scenario, D::Error> {
        let json = String::deserialize(d)?;
        serde_json::from_str(&json).map_err(serde::de::Error::custom)
    }
}

mod table_opt {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Option<Vec<HeaderField>>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<HeaderField>>, D::Error> {
        Option::deserialize(d)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Trace")]
struct TraceDef {
    version: u32,
    #[serde(with = "scenario_json")]
    scenario: Scenario,
    #[serde(with = "lanes")]
    lanes: Vec<Lane>,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Lane")]
struct LaneDef {
    protocol: Protocol,
    connections: Vec<Connection>,
    #[serde(with = "assets")]
    assets: Vec<AssetTiming>,
    #[serde(with = "events")]
    events: Vec<Event>,
    #[serde(with = "MetricsDef")]
    metrics: Metrics,
    #[serde(with = "blocks")]
    header_blocks: Vec<HeaderBlock>,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Metrics")]
struct MetricsDef {
    finished: bool,
    ttfb: Option<SimDuration>,
    load: Option<SimDuration>,
    first_paint: Option<SimDuration>,
    dom_content_loaded: Option<SimDuration>,
    round_trips: u32,
    bytes_total: u64,
    bytes_headers: u64,
    bytes_payload: u64,
    bytes_framing: u64,
    bytes_handshake: u64,
    packets: u64,
    connections: u32,
    retransmissions: u64,
    bytes_retransmitted: u64,
    bytes_wasted: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "HeaderBlock")]
struct HeaderBlockDef {
    at: SimTime,
    conn: ConnId,
    dir: Direction,
    stream: StreamId,
    frame: String,
    asset: Option<AssetId>,
    bytes: String,
    #[serde(with = "reps")]
    fields: Vec<HeaderRep>,
    table_size: usize,
    #[serde(with = "table_opt")]
    table: Option<Vec<HeaderField>>,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "HeaderRep")]
struct HeaderRepDef {
    name: String,
    value: String,
    rep: RepKind,
    index: Option<usize>,
    huffman: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "AssetTiming")]
struct AssetTimingDef {
    asset: AssetId,
    path: String,
    kind: AssetKind,
    size: u64,
    connection: ConnId,
    stream: Option<StreamId>,
    discovered: SimTime,
    connect: Option<ConnectPhases>,
    request_sent: Option<SimTime>,
    first_byte: Option<SimTime>,
    last_byte: Option<SimTime>,
    request_header_bytes: u64,
    response_header_bytes: u64,
    #[serde(with = "blocked")]
    blocked: Vec<Blocked>,
    source: Source,
    executed: Option<SimTime>,
    wasted_bytes: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Blocked")]
struct BlockedDef {
    from: SimTime,
    to: SimTime,
    #[serde(with = "BlockedCauseDef")]
    cause: BlockedCause,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "BlockedCause")]
enum BlockedCauseDef {
    TcpHeadOfLine {
        conn: ConnId,
        missing_from: u64,
        missing_to: u64,
    },
    ConnectionLimit,
    Scheduler,
    PipelineHeadOfLine {
        conn: ConnId,
        behind: AssetId,
    },
    FlowControl {
        conn: ConnId,
        stream: Option<StreamId>,
    },
    CongestionWindow {
        conn: ConnId,
    },
    QuicStreamHeadOfLine {
        conn: ConnId,
        stream: StreamId,
        offset: u64,
        packet: u64,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Event")]
struct EventDef {
    at: SimTime,
    #[serde(with = "EventKindDef")]
    kind: EventKind,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "EventKind")]
enum EventKindDef {
    Discovered {
        asset: AssetId,
        by: Option<AssetId>,
    },
    ConnectionOpened {
        conn: ConnId,
    },
    TcpEstablished {
        conn: ConnId,
    },
    TlsEstablished {
        conn: ConnId,
    },
    RequestSent {
        asset: AssetId,
        conn: ConnId,
        header_bytes: u64,
    },
    FirstByte {
        asset: AssetId,
    },
    Complete {
        asset: AssetId,
    },
    PacketSent {
        dir: Direction,
        conn: ConnId,
        seq: u64,
        len: u64,
        bytes: u64,
        retransmission: bool,
        ordinal: u64,
        arrives: Option<SimTime>,
        dropped: Option<DropReason>,
        serialised: Option<SimTime>,
        carried: Vec<Carried>,
    },
    PacketLost {
        dir: Direction,
        conn: ConnId,
        seq: u64,
        len: u64,
        by: LossDetection,
    },
    QuicPacketLost {
        dir: Direction,
        conn: ConnId,
        pn: u64,
        reason: LossReason,
    },
    QuicHolBlocked {
        conn: ConnId,
        stream: StreamId,
        asset: Option<AssetId>,
        from: SimTime,
        offset: u64,
        packet: u64,
        waiting: u64,
    },
    Acked {
        dir: Direction,
        conn: ConnId,
        from: u64,
        to: u64,
    },
    Timeout {
        dir: Direction,
        conn: ConnId,
        rto: SimDuration,
    },
    Frame {
        dir: Direction,
        conn: ConnId,
        stream: StreamId,
        frame: String,
        length: u64,
        flags: u8,
        asset: Option<AssetId>,
        payload: String,
    },
    HolBlocked {
        dir: Direction,
        conn: ConnId,
        from: SimTime,
        missing_from: u64,
        missing_to: u64,
        held: u64,
    },
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use protoviz_engine::{simulate, PresetId};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Through the bytes and back, a trace is the same trace: every preset, with loss (so
    /// stalls, drops and retransmissions are in it), a warm cache (cached rows, push waste)
    /// and a lane at the time limit (its missing times).
    #[test]
    fn a_trace_survives_the_trip() {
        for id in PresetId::ALL {
            let mut s = Scenario::preset(id);
            s.network.loss = protoviz_engine::link::LossModel::Random { ppm: 20_000 };
            let t = simulate(&s).unwrap();
            assert_eq!(decode(&encode(&t).unwrap()).unwrap(), t, "{}", id.id());
        }
        for text in ["page=blog&cache=warm", "page=blog&loss=49&proto=h2"] {
            let t = simulate(&protoviz_engine::url::decode(text).unwrap()).unwrap();
            assert_eq!(decode(&encode(&t).unwrap()).unwrap(), t, "{text}");
        }
        assert!(
            decode(&[1, 2, 3]).is_err(),
            "bad bytes are an error, not a panic"
        );
    }

    /// Same scenario and seed, same trace, in wasm as natively: the digest pinned by the
    /// engine's native test (crates/engine/tests/golden_digest.txt) comes out here too.
    #[test]
    fn wasm_trace_matches_the_native_digest() {
        let golden: u64 = include_str!("../crates/engine/tests/golden_digest.txt")
            .trim()
            .parse()
            .unwrap();
        let mut scenario = Scenario::preset(PresetId::Blog);
        scenario.network.loss = protoviz_engine::link::LossModel::Random { ppm: 10_000 };
        scenario.network.seed = 7;
        let trace = simulate(&scenario).unwrap();
        assert_eq!(protoviz_engine::trace::digest(&trace), golden);
    }
}
