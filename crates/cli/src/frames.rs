//! `protoviz frames`: HTTP/2 frames between hex dumps and JSON lines.
//!
//! One JSON object per frame: `type` (RFC name, or `UNKNOWN` with `frame_type`), `flags`
//! (names of the set flags; undefined bits of unknown frames as `"0x.."`), `stream_id`,
//! `length` (payload bytes) and the type's fields, named as in the http2-frame-test-case
//! corpus's `frame_payload`: `data`, `header_block_fragment`, `padding_length`, `padding`,
//! `stream_dependency`, `weight` (1..=256, the wire byte plus one), `exclusive`,
//! `error_code`, `settings` (`[[id, value], ...]`), `promised_stream_id`, `opaque_data`,
//! `last_stream_id`, `additional_debug_data`, `window_size_increment`, `payload`. Byte fields
//! are lower-case hex. The client preface is the line `{"type":"PREFACE"}`.

use std::io::Write;

use clap::Subcommand;
use protoviz_engine::ids::StreamId;
use protoviz_engine::wire::frame::{
    decode_preface, Continuation, Data, ErrorCode, Frame, FrameDecoder, FrameType, GoAway, Headers,
    Ping, Priority, PrioritySpec, PushPromise, RstStream, Setting, SettingId, Settings, Unknown,
    WindowUpdate, ACK, DEFAULT_MAX_FRAME_SIZE, END_HEADERS, END_STREAM, PADDED, PING_LEN, PRIORITY,
};
use protoviz_engine::wire::{hpack, Decoded};
use serde_json::{Map, Value};

/// HTTP/2 frames: hex dump <-> JSON lines.
#[derive(Debug, Subcommand)]
pub enum FramesCommand {
    /// Read a hex dump of HTTP/2 frames (whitespace ignored, optionally starting with the
    /// client preface) on stdin; print one JSON object per frame.
    Decode {
        /// The SETTINGS_MAX_FRAME_SIZE to enforce (RFC 9113 §4.2).
        #[arg(long, default_value_t = DEFAULT_MAX_FRAME_SIZE)]
        max_frame_size: u32,
        /// Also HPACK-decode each header block (HEADERS or PUSH_PROMISE plus CONTINUATIONs,
        /// one decoding context for the connection) and print its header list as `headers`
        /// on the frame that ends the block.
        #[arg(long)]
        hpack: bool,
        /// With --hpack: the decoder's SETTINGS_HEADER_TABLE_SIZE (RFC 7541 §4.2).
        #[arg(long, default_value_t = 4096, requires = "hpack")]
        table_size: usize,
    },
    /// Read JSON frame objects (one per line, as `decode` prints them) on stdin; print the
    /// frames' bytes as hex.
    Encode,
}

/// Runs a `frames` subcommand on `input`, writing to `out`. The error is the message to show.
pub fn run(cmd: &FramesCommand, input: &str, out: &mut dyn Write) -> Result<(), String> {
    match cmd {
        FramesCommand::Decode {
            max_frame_size,
            hpack,
            table_size,
        } => {
            let bytes = parse_hex(input)?;
            let mut hpack = hpack.then(|| {
                hpack::Decoder::new(hpack::DecoderConfig {
                    max_table_size: *table_size,
                    ..hpack::DecoderConfig::default()
                })
            });
            for line in decode(&bytes, FrameDecoder::new(*max_frame_size), hpack.as_mut())? {
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
            }
        }
        FramesCommand::Encode => {
            let bytes = encode(input)?;
            writeln!(out, "{}", to_hex(&bytes)).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Hex digits to bytes, ignoring whitespace; errors name the input character.
pub fn parse_hex(input: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut high: Option<u8> = None;
    for (i, c) in input.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        let d = c
            .to_digit(16)
            .ok_or_else(|| format!("invalid hex digit {c:?} at input character {i}"))?
            as u8;
        match high.take() {
            None => high = Some(d),
            Some(h) => out.push(h << 4 | d),
        }
    }
    if high.is_some() {
        return Err(format!(
            "odd number of hex digits: the dump ends half-way through byte offset {}",
            out.len()
        ));
    }
    Ok(out)
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The JSON lines for a dump of frames; with an HPACK decoder, the frame that ends each
/// header block also carries the block's decoded `headers`.
pub fn decode(
    bytes: &[u8],
    decoder: FrameDecoder,
    mut hpack: Option<&mut hpack::Decoder>,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    // The header block being reassembled: its bytes and where its first frame started.
    let mut block: Option<(Vec<u8>, usize)> = None;
    let mut at = 0;
    match decode_preface(bytes) {
        Ok(Decoded::Complete { len, .. }) => {
            lines.push(r#"{"type":"PREFACE"}"#.to_owned());
            at = len;
        }
        // Not a preface at all: the dump starts with a frame.
        Err(e) if e.offset == 0 => {}
        Err(e) => return Err(format!("bad client preface: {e}")),
        Ok(Decoded::Incomplete { needed }) if !bytes.is_empty() => {
            return Err(format!(
                "truncated client preface at byte offset {}: needs {needed} bytes",
                bytes.len()
            ))
        }
        Ok(Decoded::Incomplete { .. }) => {}
    }
    while at < bytes.len() {
        match decoder.decode(&bytes[at..]) {
            Ok(Decoded::Complete { item, len }) => {
                let mut line = frame_json(&item, len - 9);
                if let Some(hp) = hpack.as_deref_mut() {
                    if let Some(headers) = header_block(hp, &item, &mut block, at)? {
                        line.pop();
                        line.push_str(&format!(",\"headers\":{headers}}}"));
                    }
                }
                lines.push(line);
                at += len;
            }
            Ok(Decoded::Incomplete { needed }) => {
                return Err(format!(
                    "truncated frame at byte offset {at}: it needs {needed} bytes, the dump has {} left",
                    bytes.len() - at
                ))
            }
            Err(e) => return Err(e.shifted(at).to_string()),
        }
    }
    Ok(lines)
}

/// Feeds a frame's field block fragment to the reassembly; when the block ends, decodes it
/// and returns the header list as a JSON array of `[name, value]` pairs.
fn header_block(
    hp: &mut hpack::Decoder,
    frame: &Frame,
    block: &mut Option<(Vec<u8>, usize)>,
    at: usize,
) -> Result<Option<Value>, String> {
    let (fragment, end) = match frame {
        Frame::Headers(h) => (&h.header_block_fragment, h.end_headers),
        Frame::PushPromise(p) => (&p.header_block_fragment, p.end_headers),
        Frame::Continuation(c) => (&c.header_block_fragment, c.end_headers),
        // RFC 9113 §6.10: a header block must be followed only by its CONTINUATIONs.
        _ if block.is_some() => {
            return Err(format!(
                "frame at byte offset {at}: the header block is not finished; RFC 9113 §6.10 \
                 allows only CONTINUATION frames here (PROTOCOL_ERROR)"
            ))
        }
        _ => return Ok(None),
    };
    match (block.as_mut(), frame) {
        (None, Frame::Continuation(_)) => {
            return Err(format!(
                "CONTINUATION at byte offset {at} follows no HEADERS or PUSH_PROMISE (RFC 9113 §6.10, PROTOCOL_ERROR)"
            ))
        }
        (Some(_), Frame::Headers(_) | Frame::PushPromise(_)) => {
            return Err(format!(
                "frame at byte offset {at}: the previous header block is not finished (RFC 9113 §6.10, PROTOCOL_ERROR)"
            ))
        }
        (Some((buf, _)), _) => buf.extend_from_slice(fragment),
        (None, _) => *block = Some((fragment.clone(), at)),
    }
    if !end {
        return Ok(None);
    }
    let (buf, start) = block.take().unwrap_or_default();
    let decoded = hp
        .decode(&buf)
        .map_err(|e| format!("header block starting in the frame at byte offset {start}: {e}"))?;
    Ok(Some(Value::Array(
        decoded
            .headers
            .iter()
            .map(|h| Value::Array(vec![h.name.as_ref().into(), h.value.as_ref().into()]))
            .collect(),
    )))
}

fn hex_or_null(b: &Option<Vec<u8>>) -> Value {
    b.as_deref().map_or(Value::Null, |b| Value::from(to_hex(b)))
}

fn pad_len(b: &Option<Vec<u8>>) -> Value {
    b.as_ref().map_or(Value::Null, |p| Value::from(p.len()))
}

fn priority_fields(p: Option<PrioritySpec>) -> [(&'static str, Value); 3] {
    [
        (
            "stream_dependency",
            p.map_or(Value::Null, |p| p.stream_dependency.0.into()),
        ),
        (
            "weight",
            p.map_or(Value::Null, |p| p.effective_weight().into()),
        ),
        ("exclusive", p.map_or(Value::Null, |p| p.exclusive.into())),
    ]
}

/// One frame as a JSON object, keys in a fixed, readable order.
pub fn frame_json(f: &Frame, length: usize) -> String {
    let t = f.frame_type();
    let flags = f.flags();
    let mut names: Vec<Value> = Vec::new();
    for bit in (0..8).map(|i| 1u8 << i).filter(|b| flags & b != 0) {
        match t.defined_flags().iter().find(|(v, _)| *v == bit) {
            Some((_, n)) => names.push((*n).into()),
            None => names.push(format!("0x{bit:02x}").into()),
        }
    }
    let mut fields: Vec<(&str, Value)> = vec![
        ("type", t.name().unwrap_or("UNKNOWN").into()),
        ("flags", names.into()),
        ("stream_id", f.stream_id().0.into()),
        ("length", length.into()),
    ];
    match f {
        Frame::Data(d) => fields.extend([
            ("data", to_hex(&d.data).into()),
            ("padding_length", pad_len(&d.padding)),
            ("padding", hex_or_null(&d.padding)),
        ]),
        Frame::Headers(h) => {
            fields.extend(priority_fields(h.priority));
            fields.extend([
                (
                    "header_block_fragment",
                    to_hex(&h.header_block_fragment).into(),
                ),
                ("padding_length", pad_len(&h.padding)),
                ("padding", hex_or_null(&h.padding)),
            ]);
        }
        Frame::Priority(p) => fields.extend(priority_fields(Some(p.priority))),
        Frame::RstStream(r) => fields.push(("error_code", r.error_code.to_u32().into())),
        Frame::Settings(s) => fields.push((
            "settings",
            s.settings
                .iter()
                .map(|s| Value::from(vec![u64::from(s.id.to_u16()), u64::from(s.value)]))
                .collect::<Vec<_>>()
                .into(),
        )),
        Frame::PushPromise(p) => fields.extend([
            ("promised_stream_id", p.promised_stream_id.0.into()),
            (
                "header_block_fragment",
                to_hex(&p.header_block_fragment).into(),
            ),
            ("padding_length", pad_len(&p.padding)),
            ("padding", hex_or_null(&p.padding)),
        ]),
        Frame::Ping(p) => fields.push(("opaque_data", to_hex(&p.opaque_data).into())),
        Frame::GoAway(g) => fields.extend([
            ("last_stream_id", g.last_stream_id.0.into()),
            ("error_code", g.error_code.to_u32().into()),
            (
                "additional_debug_data",
                to_hex(&g.additional_debug_data).into(),
            ),
        ]),
        Frame::WindowUpdate(w) => {
            fields.push(("window_size_increment", w.window_size_increment.into()))
        }
        Frame::Continuation(c) => fields.push((
            "header_block_fragment",
            to_hex(&c.header_block_fragment).into(),
        )),
        Frame::Unknown(u) => fields.extend([
            ("frame_type", u.frame_type.into()),
            ("payload", to_hex(&u.payload).into()),
        ]),
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// One JSON line being read, for typed field access with errors naming line and key.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    line: usize,
}

impl Obj<'_> {
    fn err(&self, msg: impl std::fmt::Display) -> String {
        format!("line {}: {msg}", self.line)
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn uint(&self, key: &str, max: u64) -> Result<Option<u64>, String> {
        self.get(key)
            .map(|v| {
                v.as_u64()
                    .filter(|&n| n <= max)
                    .ok_or_else(|| self.err(format!("{key} must be an integer 0..={max}")))
            })
            .transpose()
    }

    fn req_uint(&self, key: &str, max: u64) -> Result<u64, String> {
        self.uint(key, max)?
            .ok_or_else(|| self.err(format!("missing {key}")))
    }

    fn bytes(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.get(key)
            .map(|v| {
                let s = v
                    .as_str()
                    .ok_or_else(|| self.err(format!("{key} must be a hex string")))?;
                parse_hex(s).map_err(|e| self.err(format!("{key}: {e}")))
            })
            .transpose()
    }

    fn req_bytes(&self, key: &str) -> Result<Vec<u8>, String> {
        Ok(self.bytes(key)?.unwrap_or_default())
    }

    fn stream(&self, key: &str) -> Result<StreamId, String> {
        Ok(StreamId(self.req_uint(key, (1 << 31) - 1)?))
    }

    /// Padding from `padding` (hex) and/or `padding_length` (zeros), or the PADDED flag.
    fn padding(&self, padded_flag: bool) -> Result<Option<Vec<u8>>, String> {
        let bytes = self.bytes("padding")?;
        let len = self.uint("padding_length", 255)?;
        Ok(match (bytes, len) {
            (Some(b), Some(l)) if b.len() as u64 != l => {
                return Err(self.err(format!(
                    "padding has {} bytes but padding_length is {l}",
                    b.len()
                )))
            }
            (Some(b), _) => Some(b),
            (None, Some(l)) => Some(vec![0; l as usize]),
            (None, None) => padded_flag.then(Vec::new),
        })
    }

    fn priority(&self, flag: bool) -> Result<Option<PrioritySpec>, String> {
        if !flag && self.get("stream_dependency").is_none() {
            return Ok(None);
        }
        let weight = self.req_uint("weight", 256)?;
        if weight == 0 {
            return Err(self.err("weight must be 1..=256"));
        }
        let exclusive = match self.get("exclusive") {
            None => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| self.err("exclusive must be true or false"))?,
        };
        Ok(Some(PrioritySpec {
            exclusive,
            stream_dependency: self.stream("stream_dependency")?,
            weight: (weight - 1) as u8,
        }))
    }
}

/// The allowed keys of each frame type's JSON object, besides type/flags/stream_id/length.
fn keys(t: FrameType) -> &'static [&'static str] {
    match t {
        FrameType::Data => &["data", "padding_length", "padding"],
        FrameType::Headers => &[
            "stream_dependency",
            "weight",
            "exclusive",
            "header_block_fragment",
            "padding_length",
            "padding",
        ],
        FrameType::Priority => &[
            "stream_dependency",
            "weight",
            "exclusive",
            "padding_length",
            "padding",
        ],
        FrameType::RstStream => &["error_code"],
        FrameType::Settings => &["settings"],
        FrameType::PushPromise => &[
            "promised_stream_id",
            "header_block_fragment",
            "padding_length",
            "padding",
        ],
        FrameType::Ping => &["opaque_data"],
        FrameType::GoAway => &["last_stream_id", "error_code", "additional_debug_data"],
        FrameType::WindowUpdate => &["window_size_increment"],
        FrameType::Continuation => &["header_block_fragment"],
        FrameType::Unknown(_) => &["frame_type", "payload"],
    }
}

/// Encodes JSON lines (blank lines skipped) into frame bytes.
pub fn encode(input: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for (i, text) in input.lines().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let line = i + 1;
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("line {line}: not JSON: {e}"))?;
        let map = value
            .as_object()
            .ok_or_else(|| format!("line {line}: expected a JSON object"))?;
        let o = Obj { map, line };
        let type_name = o
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| o.err("missing \"type\""))?;
        if type_name == "PREFACE" {
            out.extend_from_slice(protoviz_engine::wire::frame::PREFACE);
            continue;
        }
        let frame = encode_frame(&o, type_name)?;
        let start = out.len();
        frame.encode(&mut out).map_err(|e| o.err(e))?;
        if let Some(len) = o.uint("length", u64::MAX)? {
            let actual = (out.len() - start - 9) as u64;
            if len != actual {
                return Err(o.err(format!(
                    "length is {len} but the payload has {actual} bytes"
                )));
            }
        }
    }
    Ok(out)
}

fn encode_frame(o: &Obj<'_>, type_name: &str) -> Result<Frame, String> {
    let t = if type_name == "UNKNOWN" {
        let v = o.req_uint("frame_type", 255)? as u8;
        match FrameType::from_u8(v) {
            t @ FrameType::Unknown(_) => t,
            t => return Err(o.err(format!("frame_type {v} is {t}, not an unknown type"))),
        }
    } else {
        FrameType::from_name(type_name)
            .ok_or_else(|| o.err(format!("unknown frame type {type_name:?}")))?
    };
    for key in o.map.keys() {
        let common = ["type", "flags", "stream_id", "length"].contains(&key.as_str());
        if !common && !keys(t).contains(&key.as_str()) {
            return Err(o.err(format!("{type_name} has no field {key:?}")));
        }
    }
    let mut flags = 0u8;
    if let Some(list) = o.get("flags") {
        let list = list
            .as_array()
            .ok_or_else(|| o.err("flags must be a list of names"))?;
        for f in list {
            let name = f.as_str().ok_or_else(|| o.err("flags must be strings"))?;
            let bit = match t.defined_flags().iter().find(|(_, n)| *n == name) {
                Some((b, _)) => *b,
                None => match name.strip_prefix("0x").map(|h| u8::from_str_radix(h, 16)) {
                    Some(Ok(b)) if matches!(t, FrameType::Unknown(_)) => b,
                    _ => return Err(o.err(format!("{type_name} has no flag {name:?}"))),
                },
            };
            flags |= bit;
        }
    }
    let has = |b: u8| flags & b != 0;
    let stream_id = || o.stream("stream_id");
    let connection_level = || -> Result<(), String> {
        match o.uint("stream_id", u64::MAX)? {
            None | Some(0) => Ok(()),
            Some(s) => Err(o.err(format!("{type_name} is sent on stream 0, not {s}"))),
        }
    };
    let error_code = || {
        Ok::<_, String>(ErrorCode::from_u32(
            o.req_uint("error_code", u32::MAX.into())? as u32,
        ))
    };
    Ok(match t {
        FrameType::Data => Frame::Data(Data {
            stream_id: stream_id()?,
            end_stream: has(END_STREAM),
            data: o.req_bytes("data")?,
            padding: o.padding(has(PADDED))?,
        }),
        FrameType::Headers => Frame::Headers(Headers {
            stream_id: stream_id()?,
            end_stream: has(END_STREAM),
            end_headers: has(END_HEADERS),
            priority: o.priority(has(PRIORITY))?,
            header_block_fragment: o.req_bytes("header_block_fragment")?,
            padding: o.padding(has(PADDED))?,
        }),
        FrameType::Priority => Frame::Priority(Priority {
            stream_id: stream_id()?,
            priority: o.priority(true)?.ok_or_else(|| o.err("missing priority"))?,
        }),
        FrameType::RstStream => Frame::RstStream(RstStream {
            stream_id: stream_id()?,
            error_code: error_code()?,
        }),
        FrameType::Settings => {
            connection_level()?;
            let mut settings = Vec::new();
            if let Some(list) = o.get("settings") {
                let bad = || o.err("settings must be a list of [id, value] pairs");
                for pair in list.as_array().ok_or_else(bad)? {
                    let pair = pair.as_array().filter(|p| p.len() == 2).ok_or_else(bad)?;
                    let id = pair[0].as_u64().and_then(|v| u16::try_from(v).ok());
                    let value = pair[1].as_u64().and_then(|v| u32::try_from(v).ok());
                    let (Some(id), Some(value)) = (id, value) else {
                        return Err(bad());
                    };
                    settings.push(Setting {
                        id: SettingId::from_u16(id),
                        value,
                    });
                }
            }
            Frame::Settings(Settings {
                ack: has(ACK),
                settings,
            })
        }
        FrameType::PushPromise => Frame::PushPromise(PushPromise {
            stream_id: stream_id()?,
            end_headers: has(END_HEADERS),
            promised_stream_id: o.stream("promised_stream_id")?,
            header_block_fragment: o.req_bytes("header_block_fragment")?,
            padding: o.padding(has(PADDED))?,
        }),
        FrameType::Ping => {
            connection_level()?;
            let data = o.req_bytes("opaque_data")?;
            let opaque_data: [u8; PING_LEN] = data
                .as_slice()
                .try_into()
                .map_err(|_| o.err(format!("opaque_data must be 8 bytes, not {}", data.len())))?;
            Frame::Ping(Ping {
                ack: has(ACK),
                opaque_data,
            })
        }
        FrameType::GoAway => {
            connection_level()?;
            Frame::GoAway(GoAway {
                last_stream_id: o.stream("last_stream_id")?,
                error_code: error_code()?,
                additional_debug_data: o.req_bytes("additional_debug_data")?,
            })
        }
        FrameType::WindowUpdate => Frame::WindowUpdate(WindowUpdate {
            stream_id: StreamId(o.uint("stream_id", (1 << 31) - 1)?.unwrap_or(0)),
            window_size_increment: o.req_uint("window_size_increment", (1 << 31) - 1)? as u32,
        }),
        FrameType::Continuation => Frame::Continuation(Continuation {
            stream_id: stream_id()?,
            end_headers: has(END_HEADERS),
            header_block_fragment: o.req_bytes("header_block_fragment")?,
        }),
        FrameType::Unknown(v) => Frame::Unknown(Unknown {
            frame_type: v,
            flags,
            stream_id: StreamId(o.uint("stream_id", (1 << 31) - 1)?.unwrap_or(0)),
            payload: o.req_bytes("payload")?,
        }),
    })
}
