//! "Decode your own": paste hex — HTTP/2 frames (a capture from Wireshark or `nghttp2 -v`,
//! optionally from the client preface on) or bare HPACK header blocks, one per line — and
//! see them as the inspector shows the trace's: each frame's fields over its bytes, every
//! header block decoded by the engine's HPACK decoder with one table carried across
//! blocks. Bad input gets a message with the byte offset; what decoded before it stays.

use protoviz_engine::wire::frame::{
    decode_preface, Frame, FrameDecoder, MAX_MAX_FRAME_SIZE, PREFACE,
};
use protoviz_engine::wire::hpack::{DecodedBlock, Decoder, DecoderConfig};
use protoviz_engine::wire::Decoded;
use yew::prelude::*;

use crate::components::hexview::{
    block_parts, dyn_table, fields_table, flag_names, header_parts, hex_view, Part,
};
use crate::context::use_dispatch;
use crate::state::Action;

/// What a paste is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Frames,
    Blocks,
}

/// Hex digits to bytes, ignoring white space, `:` and a `0x` before a group; the error
/// names the character and the byte offset it would have been at.
pub fn parse_hex(input: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut high: Option<u8> = None;
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        k += 1;
        if c.is_whitespace() || c == ':' {
            continue;
        }
        if c == '0' && high.is_none() && matches!(chars.get(k), Some((_, 'x' | 'X'))) {
            k += 1;
            continue;
        }
        let Some(d) = c.to_digit(16) else {
            return Err(format!(
                "{c:?} at character {i} is not a hex digit (byte offset {})",
                out.len()
            ));
        };
        let d = d as u8;
        match high.take() {
            None => high = Some(d),
            Some(h) => out.push(h << 4 | d),
        }
    }
    if high.is_some() {
        return Err(format!(
            "odd number of hex digits: the paste ends half-way through byte offset {}",
            out.len()
        ));
    }
    Ok(out)
}

/// One decoded item of a paste.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Byte offset of its first byte in the paste (frames) or its line (blocks).
    pub at: usize,
    pub title: String,
    pub bytes: Vec<u8>,
    pub parts: Vec<Part>,
    /// Decoded fields: (name, value).
    pub fields: Vec<(String, String)>,
    /// The block that ends in it, decoded, with the table after it.
    pub block: Option<(
        DecodedBlock,
        usize,
        Vec<protoviz_engine::wire::hpack::HeaderField>,
    )>,
}

/// What a paste decoded to, and the error that stopped it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub items: Vec<Item>,
    pub error: Option<String>,
}

/// The decoder's table before a block, for marking what the block evicted.
fn decode_with(
    hp: &mut Decoder,
    block: &[u8],
) -> Result<
    (
        DecodedBlock,
        usize,
        Vec<protoviz_engine::wire::hpack::HeaderField>,
    ),
    protoviz_engine::wire::hpack::HpackError,
> {
    let before = hp.table().entries;
    let d = hp.decode(block)?;
    let added = d
        .steps
        .iter()
        .filter(|s| s.inserted)
        .count()
        .min(d.table.entries.len());
    let kept = d.table.entries.len() - added;
    let evicted = before.get(kept..).map(<[_]>::to_vec).unwrap_or_default();
    Ok((d, added, evicted))
}

/// Bare HPACK blocks, one per non-empty line, one decoding context.
pub fn decode_blocks(input: &str) -> Outcome {
    let mut out = Outcome::default();
    let mut hp = Decoder::new(DecoderConfig::default());
    for (n, line) in input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bytes = match parse_hex(line) {
            Ok(b) => b,
            Err(e) => {
                out.error = Some(format!("line {}: {e}", n + 1));
                return out;
            }
        };
        match decode_with(&mut hp, &bytes) {
            Ok(block) => {
                let parts = block_parts(&block.0.steps, &block.0.headers, 0);
                out.items.push(Item {
                    at: n + 1,
                    title: format!("Header block on line {} ({} bytes)", n + 1, bytes.len()),
                    bytes,
                    parts,
                    fields: Vec::new(),
                    block: Some(block),
                });
            }
            Err(e) => {
                out.error = Some(format!(
                    "line {}: the block does not decode at byte offset {}: {e}",
                    n + 1,
                    e.offset()
                ));
                return out;
            }
        }
    }
    out
}

/// HTTP/2 frames, optionally after the client preface, HPACK blocks reassembled across
/// CONTINUATION frames (RFC 9113 §6.10) and decoded with one context.
pub fn decode_frames(input: &str) -> Outcome {
    let mut out = Outcome::default();
    let bytes = match parse_hex(input) {
        Ok(b) => b,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    let mut at = 0;
    if bytes.starts_with(PREFACE)
        || (bytes.len() < PREFACE.len() && PREFACE.starts_with(&bytes) && !bytes.is_empty())
    {
        match decode_preface(&bytes) {
            Ok(Decoded::Complete { len, .. }) => {
                out.items.push(Item {
                    at: 0,
                    title: "Client connection preface (RFC 9113 §3.4)".into(),
                    bytes: bytes[..len].to_vec(),
                    parts: Vec::new(),
                    fields: Vec::new(),
                    block: None,
                });
                at = len;
            }
            _ => {
                out.error = Some(format!(
                    "the client preface is cut short at byte offset {}",
                    bytes.len()
                ));
                return out;
            }
        }
    }
    let decoder = FrameDecoder::new(MAX_MAX_FRAME_SIZE);
    let mut hp = Decoder::new(DecoderConfig::default());
    let mut pending: Option<(Vec<u8>, usize)> = None;
    while at < bytes.len() {
        let (frame, len) = match decoder.decode(&bytes[at..]) {
            Ok(Decoded::Complete { item, len }) => (item, len),
            Ok(Decoded::Incomplete { needed }) => {
                out.error = Some(format!(
                    "the frame at byte offset {at} is cut short: it needs {needed} bytes, the paste has {} left",
                    bytes.len() - at
                ));
                return out;
            }
            Err(e) => {
                out.error = Some(e.shifted(at).to_string());
                return out;
            }
        };
        let t = frame.frame_type();
        let name = t.name().unwrap_or("UNKNOWN");
        let flags = bytes.get(at + 4).copied().unwrap_or(0);
        let mut parts = header_parts(0);
        let fields = frame_fields(&frame, len, flags);
        let frag = match &frame {
            Frame::Headers(h) => Some((&h.header_block_fragment, h.end_headers)),
            Frame::PushPromise(p) => Some((&p.header_block_fragment, p.end_headers)),
            Frame::Continuation(c) => Some((&c.header_block_fragment, c.end_headers)),
            _ => None,
        };
        let frame_bytes = bytes[at..at + len].to_vec();
        let mut block = None;
        if let Some((frag, end)) = frag {
            // The fragment is the payload's tail before any padding: find where it starts.
            let payload = &frame_bytes[9..];
            let pad = match &frame {
                Frame::Headers(h) => h.padding.as_ref().map_or(0, Vec::len),
                Frame::PushPromise(p) => p.padding.as_ref().map_or(0, Vec::len),
                _ => 0,
            };
            let start = 9 + payload.len().saturating_sub(pad + frag.len());
            parts.push(Part {
                from: start,
                to: start + frag.len(),
                class: "f-block",
                title: "Header block fragment (HPACK)".into(),
            });
            match (&mut pending, &frame) {
                (None, Frame::Continuation(_)) => {
                    out.error = Some(format!("at byte offset {at}: CONTINUATION follows no HEADERS or PUSH_PROMISE (RFC 9113 §6.10)"));
                    return out;
                }
                (Some(_), Frame::Headers(_) | Frame::PushPromise(_)) => {
                    out.error = Some(format!("at byte offset {at}: the previous header block is not finished (RFC 9113 §6.10)"));
                    return out;
                }
                (Some((buf, _)), _) => buf.extend_from_slice(frag),
                (None, _) => pending = Some((frag.clone(), at)),
            }
            if end {
                let (buf, from) = pending.take().unwrap_or_default();
                match decode_with(&mut hp, &buf) {
                    Ok(b) => block = Some(b),
                    Err(e) => {
                        out.error = Some(format!(
                            "the header block starting in the frame at byte offset {from} does not decode at its byte offset {}: {e}",
                            e.offset()
                        ));
                        return out;
                    }
                }
            }
        } else if pending.is_some() {
            out.error = Some(format!("at byte offset {at}: a {name} frame inside a header block; RFC 9113 §6.10 allows only CONTINUATION"));
            return out;
        }
        out.items.push(Item {
            at,
            title: format!(
                "{name} frame at byte offset {at}, stream {}",
                frame.stream_id().0
            ),
            bytes: frame_bytes,
            parts,
            fields,
            block,
        });
        at += len;
    }
    if pending.is_some() {
        out.error = Some(format!(
            "the header block is not finished at byte offset {}: END_HEADERS never came",
            bytes.len()
        ));
    }
    out
}

/// A decoded frame's fields, as RFC 9113 §6 names them: its header (length, type, flags,
/// stream), then what its type carries (settings, window increment, error code, promised
/// stream, priority, …). `len` is the whole frame's bytes, `flags` its flags byte.
pub fn frame_fields(frame: &Frame, len: usize, flags: u8) -> Vec<(String, String)> {
    let t = frame.frame_type();
    let name = t.name().unwrap_or("UNKNOWN");
    let mut fields = vec![
        ("Length".to_string(), len.saturating_sub(9).to_string()),
        ("Type".to_string(), format!("{name} (0x{:02x})", t.to_u8())),
        (
            "Flags".to_string(),
            format!("{} (0x{flags:02x})", flag_names(name, flags)),
        ),
        ("Stream".to_string(), frame.stream_id().0.to_string()),
    ];
    match &frame {
        Frame::Settings(s) => {
            for x in &s.settings {
                fields.push((
                    x.id.name()
                        .map_or_else(|| format!("setting 0x{:x}", x.id.to_u16()), str::to_string),
                    x.value.to_string(),
                ));
            }
            if s.ack {
                fields.push(("ACK".into(), "acknowledges the peer's SETTINGS".into()));
            }
        }
        Frame::WindowUpdate(w) => fields.push((
            "Window Size Increment".into(),
            w.window_size_increment.to_string(),
        )),
        Frame::RstStream(r) => fields.push((
            "Error Code".into(),
            format!("{:?} (0x{:x})", r.error_code, r.error_code.to_u32()),
        )),
        Frame::GoAway(g) => {
            fields.push(("Last Stream ID".into(), g.last_stream_id.0.to_string()));
            fields.push((
                "Error Code".into(),
                format!("{:?} (0x{:x})", g.error_code, g.error_code.to_u32()),
            ));
        }
        Frame::PushPromise(p) => fields.push((
            "Promised Stream ID".into(),
            p.promised_stream_id.0.to_string(),
        )),
        Frame::Data(d) => fields.push(("Data".into(), format!("{} bytes", d.data.len()))),
        Frame::Ping(p) => fields.push((
            "Opaque Data".into(),
            crate::components::hexview::hex(&p.opaque_data),
        )),
        Frame::Headers(h) => {
            if let Some(pr) = h.priority {
                fields.push((
                    "Stream Dependency".into(),
                    format!(
                        "{}{}",
                        pr.stream_dependency.0,
                        if pr.exclusive { " (exclusive)" } else { "" }
                    ),
                ));
                fields.push(("Weight".into(), pr.effective_weight().to_string()));
            }
        }
        _ => {}
    }
    fields
}

#[derive(Properties, PartialEq)]
pub struct DecodeProps {
    pub open: bool,
}

#[function_component]
pub fn Decode(p: &DecodeProps) -> Html {
    let dispatch = use_dispatch();
    let text = use_state(String::new);
    let mode = use_state(|| Mode::Frames);
    if !p.open {
        let d = dispatch.clone();
        let onclick = Callback::from(move |_: MouseEvent| d.dispatch(Action::ShowDecode(true)));
        return html! {
            <p class="decode-open"><button type="button" {onclick}>{ "Decode your own HTTP/2 frames or HPACK blocks…" }</button></p>
        };
    }
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                text.set(t.value());
            }
        })
    };
    let onchange = {
        let mode = mode.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                mode.set(if s.value() == "blocks" {
                    Mode::Blocks
                } else {
                    Mode::Frames
                });
            }
        })
    };
    let close = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::ShowDecode(false)))
    };
    let outcome = if text.trim().is_empty() {
        Outcome::default()
    } else if *mode == Mode::Blocks {
        decode_blocks(&text)
    } else {
        decode_frames(&text)
    };
    let items = outcome.items.iter().map(|it| {
        html! {
            <section class="decoded-item" data-at={it.at.to_string()}>
                <h3>{ &it.title }</h3>
                { hex_view(&it.bytes, &it.parts, &it.title) }
                if !it.fields.is_empty() {
                    <dl class="decoded">{ for it.fields.iter().map(|(k, v)| html! { <div><dt>{ k }</dt><dd>{ v }</dd></div> }) }</dl>
                }
                if let Some((b, added, evicted)) = &it.block {
                    <div class="decoded-block" data-header-block="">
                        <ol class="header-list" aria-label="The decoded header list">
                            { for b.headers.iter().map(|h| html! { <li><span class="hname">{ h.name.to_string() }</span>{ ": " }<span class="hvalue">{ h.value.to_string() }</span></li> }) }
                        </ol>
                        { fields_table(&b.steps, &b.headers) }
                        { dyn_table(&b.table.entries, *added, evicted, b.table.max_size) }
                    </div>
                }
            </section>
        }
    });
    html! {
        <section class="decode panel-wide" data-view="decode" aria-label="Decode your own HTTP/2 frames or HPACK blocks">
            <header>
                <h2>{ "Decode your own" }</h2>
                <button type="button" class="close" aria-label="Close decode your own" onclick={close}>{ "×" }</button>
            </header>
            <p class="view-caption">{ "Paste hex (white space, colons and 0x are ignored). HTTP/2 frames may start with the client preface; HPACK blocks go one per line and share one decoding context, as one direction of a connection does. The engine's own decoders read it." }</p>
            <label class="decode-mode">{ "What it is " }
                <select {onchange} aria-label="What the paste is">
                    <option value="frames" selected={*mode == Mode::Frames}>{ "HTTP/2 frames" }</option>
                    <option value="blocks" selected={*mode == Mode::Blocks}>{ "HPACK header blocks, one per line" }</option>
                </select>
            </label>
            <textarea class="decode-input" rows="5" spellcheck="false" aria-label="Hex to decode" value={(*text).clone()} {oninput}
                placeholder="e.g. 00000d010400000001 8286 84 41 8a a0 e4 1d 13 9d 09 b8 f0 1e 07" />
            if let Some(e) = &outcome.error {
                <p class="error decode-error" role="alert">{ e.clone() }</p>
            }
            <p class="decode-count" role="status">{ format!("{} decoded", outcome.items.len()) }</p>
            { for items }
        </section>
    }
}
