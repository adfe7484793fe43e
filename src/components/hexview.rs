//! What the frame inspector and "decode your own" both draw: bytes as hex with each field
//! highlighted and named, a header block's representations as a table, and the HPACK
//! dynamic table (added entries marked, evicted ones struck through, size against limit).

use protoviz_engine::wire::frame::{FrameHeader, FrameType, FRAME_HEADER_LEN};
use protoviz_engine::wire::hpack::{FieldStep, HeaderField, Representation};
use yew::prelude::*;

/// One highlighted stretch of bytes: [from, to), its css class and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub from: usize,
    pub to: usize,
    pub class: &'static str,
    pub title: String,
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `bytes` as hex, two digits per byte, each part in its own span (bytes outside every part
/// are plain). `hook` is the container's `data-bytes` (the whole hex, for tests).
pub fn hex_view(bytes: &[u8], parts: &[Part], label: &str) -> Html {
    let mut out = Vec::new();
    let mut at = 0;
    let mut parts: Vec<&Part> = parts.iter().filter(|p| p.to > p.from).collect();
    parts.sort_by_key(|p| p.from);
    for p in parts {
        let from = p.from.max(at).min(bytes.len());
        let to = p.to.min(bytes.len());
        if from > at {
            out.push(html! { <span class="hx">{ spaced(&bytes[at..from]) }</span> });
        }
        if to > from {
            out.push(html! { <span class={classes!("hx", p.class)} data-field={p.title.clone()}>{ spaced(&bytes[from..to]) }</span> });
            at = to;
        }
    }
    if at < bytes.len() {
        out.push(html! { <span class="hx">{ spaced(&bytes[at..]) }</span> });
    }
    html! {
        <code class="hex" data-bytes={hex(bytes)} aria-label={label.to_string()}>{ for out }</code>
    }
}

fn spaced(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for x in b {
        s.push_str(&format!("{x:02x} "));
    }
    s
}

/// The parts of an HTTP/2 frame header (RFC 9113 §4.1) at `base`.
pub fn header_parts(base: usize) -> Vec<Part> {
    vec![
        Part {
            from: base,
            to: base + 3,
            class: "f-len",
            title: "Length (24 bits)".into(),
        },
        Part {
            from: base + 3,
            to: base + 4,
            class: "f-type",
            title: "Type".into(),
        },
        Part {
            from: base + 4,
            to: base + 5,
            class: "f-flags",
            title: "Flags".into(),
        },
        Part {
            from: base + 5,
            to: base + FRAME_HEADER_LEN,
            class: "f-stream",
            title: "Reserved bit and Stream Identifier (31 bits)".into(),
        },
    ]
}

/// The 9 bytes of a frame header, by the engine's encoder (RFC 9113 §4.1).
pub fn frame_header_bytes(length: u64, frame: &str, flags: u8, stream: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER_LEN);
    if let Some(t) = FrameType::from_name(frame) {
        FrameHeader {
            length: u32::try_from(length).unwrap_or(u32::MAX),
            frame_type: t,
            flags,
            stream_id: u32::try_from(stream).unwrap_or(u32::MAX),
        }
        .write(&mut out);
    }
    out
}

/// Names of the flags set, as RFC 9113 §6 names them ("END_STREAM | END_HEADERS").
pub fn flag_names(frame: &str, flags: u8) -> String {
    let Some(t) = FrameType::from_name(frame) else {
        return format!("0x{flags:02x}");
    };
    let names: Vec<String> = (0..8)
        .map(|i| 1u8 << i)
        .filter(|b| flags & b != 0)
        .map(|b| {
            t.defined_flags()
                .iter()
                .find(|(v, _)| *v == b)
                .map_or_else(|| format!("0x{b:02x}"), |(_, n)| (*n).to_string())
        })
        .collect();
    if names.is_empty() {
        "—".into()
    } else {
        names.join(" | ")
    }
}

pub fn rep_name(r: Representation) -> &'static str {
    match r {
        Representation::Indexed => "indexed (§6.1)",
        Representation::LiteralWithIncrementalIndexing => "literal, incremental indexing (§6.2.1)",
        Representation::LiteralWithoutIndexing => "literal, not indexed (§6.2.2)",
        Representation::LiteralNeverIndexed => "literal, never indexed (§6.2.3)",
        Representation::SizeUpdate => "table size update (§6.3)",
    }
}

fn rep_class(r: Representation) -> &'static str {
    match r {
        Representation::Indexed => "r-indexed",
        Representation::LiteralWithIncrementalIndexing => "r-incremental",
        Representation::LiteralWithoutIndexing => "r-not-indexed",
        Representation::LiteralNeverIndexed => "r-never",
        Representation::SizeUpdate => "r-size",
    }
}

/// The parts of a header block, one per representation, at `base`.
pub fn block_parts(steps: &[FieldStep], headers: &[HeaderField], base: usize) -> Vec<Part> {
    steps
        .iter()
        .map(|s| Part {
            from: base + s.offset,
            to: base + s.offset + s.len,
            class: rep_class(s.representation),
            title: match s.header.and_then(|h| headers.get(h)) {
                Some(h) => format!("{}: {}: {}", rep_name(s.representation), h.name, h.value),
                None => rep_name(s.representation).to_string(),
            },
        })
        .collect()
}

/// The block's representations as a table: what each did, its index, the field, Huffman.
pub fn fields_table(steps: &[FieldStep], headers: &[HeaderField]) -> Html {
    let rows = steps.iter().enumerate().map(|(i, s)| {
        let h = s.header.and_then(|k| headers.get(k));
        let huff = match (s.name_huffman, s.value_huffman) {
            (None, None) => "—".to_string(),
            (n, v) => format!(
                "{}{}",
                n.map(|n| if n { "name: Huffman, " } else { "name: raw, " })
                    .unwrap_or(""),
                v.map(|v| if v { "value: Huffman" } else { "value: raw" })
                    .unwrap_or("")
            ),
        };
        let index = s.index.map(|x| format!("{} ({:?})", x.index, x.table).to_lowercase());
        html! {
            <tr class={rep_class(s.representation)} data-rep={format!("{:?}", s.representation)}>
                <td>{ (i + 1).to_string() }</td>
                <td>{ rep_name(s.representation) }</td>
                <td>{ index.unwrap_or_else(|| "—".into()) }</td>
                <td class="hname">{ h.map(|h| h.name.to_string()).or(s.max_size.map(|m| format!("max size {m}"))).unwrap_or_default() }</td>
                <td class="hvalue">{ h.map(|h| h.value.to_string()).unwrap_or_default() }</td>
                <td>{ huff }</td>
                <td>{ format!("{} B", s.len) }</td>
            </tr>
        }
    });
    html! {
        <table class="fields">
            <caption>{ "Each representation in the block (RFC 7541 §6)" }</caption>
            <thead><tr>
                <th scope="col">{ "#" }</th><th scope="col">{ "representation" }</th><th scope="col">{ "index" }</th>
                <th scope="col">{ "name" }</th><th scope="col">{ "value" }</th><th scope="col">{ "Huffman" }</th><th scope="col">{ "bytes" }</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

/// The dynamic table after a block: entries newest first from index 62, the first `added`
/// new in this block, then the `evicted` ones struck through; its size against its limit.
pub fn dyn_table(
    after: &[HeaderField],
    added: usize,
    evicted: &[HeaderField],
    limit: usize,
) -> Html {
    let size: usize = after.iter().map(HeaderField::size).sum();
    let rows = after.iter().enumerate().map(|(i, e)| {
        let new = i < added;
        let index = (62 + i).to_string();
        html! {
            <tr class={classes!("entry", new.then_some("added"))} data-index={index.clone()}>
                <td>{ index }</td>
                <td class="hname">{ e.name.to_string() }</td>
                <td class="hvalue">{ e.value.to_string() }</td>
                <td>{ e.size() }</td>
                <td>{ if new { "added" } else { "" } }</td>
            </tr>
        }
    });
    let gone = evicted.iter().map(|e| {
        html! {
            <tr class="evicted">
                <td>{ "—" }</td>
                <td class="hname"><del>{ e.name.to_string() }</del></td>
                <td class="hvalue"><del>{ e.value.to_string() }</del></td>
                <td>{ e.size() }</td>
                <td>{ "evicted" }</td>
            </tr>
        }
    });
    html! {
        <table class="dyn-table" data-size={size.to_string()} data-limit={limit.to_string()}>
            <caption>{ format!("Dynamic table after the block: {} entries, {size} of {limit} octets (RFC 7541 §4.1: name + value + 32 each)", after.len()) }</caption>
            <thead><tr>
                <th scope="col">{ "index" }</th><th scope="col">{ "name" }</th><th scope="col">{ "value" }</th>
                <th scope="col">{ "size" }</th><th scope="col">{ "this block" }</th>
            </tr></thead>
            <tbody>{ for rows }{ for gone }</tbody>
        </table>
    }
}
