//! The frame inspector: one connection's HTTP/2 frames in order (on HTTP/3, its QUIC
//! packets), each with time, direction, stream, type, flags and length; the frame picked
//! shown as bytes with its fields highlighted and decoded. A HEADERS or PUSH_PROMISE frame
//! opens its header block in the HPACK view ([`HeaderTable`]): each representation, the
//! dynamic table after it (added and evicted entries marked, size against limit) and the
//! block's size against the same headers as HTTP/1.1 text.
//!
//! The frame header's 9 bytes are the engine's encoding of what the trace records of the
//! frame (RFC 9113 §4.1); a header block's bytes are the trace's; the block is decoded by
//! the engine's HPACK decoder, fed every earlier block of its connection and direction.

use protoviz_engine::trace::{Direction, EventKind, Lane};
use protoviz_engine::wire::frame::{FrameDecoder, MAX_MAX_FRAME_SIZE};
use protoviz_engine::wire::hpack::{Decoder, DecoderConfig, DEFAULT_TABLE_SIZE};
use protoviz_engine::wire::Decoded;
use protoviz_engine::Protocol;
use yew::prelude::*;

use crate::components::decode::frame_fields;
use crate::components::hexview::{
    block_parts, dyn_table, fields_table, flag_names, frame_header_bytes, header_parts, hex_view,
};
use crate::context::{use_dispatch, use_run};
use crate::format;
use crate::framemodel::{as_http1, frame_blocks, header_tables, saving_text, unhex};
use crate::state::{Action, InspectorPick};
use crate::wiremodel::file;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub pick: Option<InspectorPick>,
}

fn way(d: Direction) -> &'static str {
    match d {
        Direction::Down => "server→client",
        Direction::Up => "client→server",
    }
}

#[function_component]
pub fn Inspector(p: &InspectorProps) -> Html {
    let run = use_run();
    let dispatch = use_dispatch();
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        use_effect_with(p.pick.map(|x| (x.protocol, x.conn)), move |sel| {
            if sel.is_some() {
                if let Some(el) = panel.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    let (Some(pick), Some(run)) = (p.pick, run) else {
        return html! {};
    };
    let Some(lane) = run.trace.lanes.iter().find(|l| l.protocol == pick.protocol) else {
        return html! {};
    };
    let close = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Inspect(None)))
    };
    let onkeydown = {
        let d = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                d.dispatch(Action::Inspect(None));
            }
        })
    };
    let quic = lane.protocol == Protocol::Http3;
    let blocks = frame_blocks(lane);
    let block_of = |ei: usize| blocks.iter().find(|(e, _)| *e == ei).map(|(_, b)| *b);
    let select = |ei: usize| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::Inspect(Some(InspectorPick {
                event: Some(ei),
                ..pick
            })))
        })
    };
    let asset_name = |a: Option<protoviz_engine::AssetId>| {
        a.and_then(|a| lane.assets.get(a.0 as usize))
            .map(|a| file(&a.path).to_string())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for (ei, e) in lane.events.iter().enumerate() {
        let on = pick.event == Some(ei);
        match &e.kind {
            EventKind::Frame {
                dir,
                conn,
                stream,
                frame,
                length,
                flags,
                asset,
                ..
            } if *conn == pick.conn && pick.asset.is_none_or(|a| *asset == Some(a)) => {
                let bi = block_of(ei);
                rows.push(html! {
                    <tr class={classes!(on.then_some("picked"), dir_class(*dir))} data-frame={ei.to_string()} data-type={frame.clone()}
                        data-stream={stream.0.to_string()} data-header-block={bi.map(|b| b.to_string())}>
                        <td><button type="button" class="pick" aria-pressed={on.to_string()} onclick={select(ei)}
                            aria-label={format!("{frame} on stream {} at {}", stream.0, format::at(e.at))}>{ format::at(e.at) }</button></td>
                        <td>{ way(*dir) }</td>
                        <td>{ stream.0 }</td>
                        <td>{ frame.clone() }</td>
                        <td>{ flag_names(frame, *flags) }</td>
                        <td>{ length }</td>
                        <td>{ asset_name(*asset) }</td>
                    </tr>
                });
            }
            EventKind::PacketSent {
                dir,
                conn,
                seq,
                bytes,
                retransmission,
                dropped,
                carried,
                ..
            } if quic
                && *conn == pick.conn
                && pick
                    .asset
                    .is_none_or(|a| carried.iter().any(|c| c.asset == a)) =>
            {
                let what: Vec<String> = carried
                    .iter()
                    .map(|c| format!("{} {}", asset_name(Some(c.asset)), format::bytes(c.bytes)))
                    .collect();
                rows.push(html! {
                    <tr class={classes!(on.then_some("picked"), dir_class(*dir), dropped.is_some().then_some("lost"))} data-frame={ei.to_string()} data-type="QUIC">
                        <td><button type="button" class="pick" aria-pressed={on.to_string()} onclick={select(ei)}
                            aria-label={format!("QUIC packet {seq} at {}", format::at(e.at))}>{ format::at(e.at) }</button></td>
                        <td>{ way(*dir) }</td>
                        <td>{ format!("pn {seq}") }</td>
                        <td>{ if dropped.is_some() { "lost" } else if *retransmission { "resent data" } else { "packet" } }</td>
                        <td>{ "" }</td>
                        <td>{ bytes }</td>
                        <td>{ what.join(", ") }</td>
                    </tr>
                });
            }
            _ => {}
        }
    }
    let detail = pick
        .event
        .and_then(|ei| lane.events.get(ei).map(|e| (ei, e)))
        .map(|(ei, e)| match &e.kind {
            EventKind::Frame {
                stream,
                frame,
                length,
                flags,
                payload,
                ..
            } => {
                let head = frame_header_bytes(*length, frame, *flags, stream.0);
                let mut parts = header_parts(0);
                let mut bytes = head.clone();
                let block = block_of(ei).and_then(|bi| lane.header_blocks.get(bi).map(|b| (bi, b)));
                let mut note = match frame.as_str() {
                    "DATA" => format!("{length} bytes of response body follow (the engine does not materialise bodies)."),
                    _ => format!("{length} bytes of payload follow; the trace records this frame's type, flags and length, not its payload."),
                };
                // A control frame's payload is in the trace: its bytes, read back by the
                // engine's frame decoder.
                let mut fields = vec![
                    ("Length".to_string(), length.to_string()),
                    ("Type".to_string(), format!("{frame} (0x{:02x})", head.get(3).copied().unwrap_or(0))),
                    ("Flags".to_string(), format!("{} (0x{flags:02x})", flag_names(frame, *flags))),
                    ("Stream".to_string(), stream.0.to_string()),
                ];
                if !payload.is_empty() {
                    bytes.extend_from_slice(&unhex(payload));
                    parts.push(crate::components::hexview::Part { from: 9, to: bytes.len(), class: "f-payload", title: "Payload".into() });
                    match FrameDecoder::new(MAX_MAX_FRAME_SIZE).decode(&bytes) {
                        Ok(Decoded::Complete { item, len }) => {
                            fields = frame_fields(&item, len, *flags);
                            note = format!("The {length}-byte payload, decoded by the engine's frame decoder (RFC 9113 §6).");
                        }
                        Ok(Decoded::Incomplete { .. }) => note = "The recorded payload is cut short.".into(),
                        Err(e) => note = format!("The recorded payload does not decode: {e}"),
                    }
                }
                if let Some((_, b)) = block {
                    let bb = unhex(&b.bytes);
                    if bb.len() as u64 == *length {
                        bytes.extend_from_slice(&bb);
                        parts.push(crate::components::hexview::Part { from: 9, to: 9 + bb.len(), class: "f-block", title: "Header block fragment (HPACK)".into() });
                        note = format!("The payload is the {}-byte header block, below.", bb.len());
                    } else {
                        note = format!("{} of the {length} payload bytes are the header block below; the rest (priority or promised stream) the trace does not record.", bb.len());
                    }
                }
                html! {
                    <div class="frame-detail" data-frame-detail={ei.to_string()}>
                        <h3>{ format!("{frame} frame, stream {}, {length}-byte payload", stream.0) }</h3>
                        { hex_view(&bytes, &parts, "The frame's bytes") }
                        <dl class="decoded">
                            { for fields.iter().map(|(k, v)| html! { <div><dt>{ k }</dt><dd>{ v }</dd></div> }) }
                        </dl>
                        <p class="note">{ note }</p>
                        if let Some((bi, _)) = block {
                            <HeaderTable protocol={lane.protocol} block={bi} />
                        }
                    </div>
                }
            }
            EventKind::PacketSent {
                seq, bytes, len, carried, dropped, ..
            } => html! {
                <div class="frame-detail" data-frame-detail={ei.to_string()}>
                    <h3>{ format!("QUIC packet {seq}: {bytes} bytes on the wire, {len} of UDP payload") }</h3>
                    <p>{ if carried.is_empty() { "No stream data (handshake, ACK or control frames).".to_string() } else {
                        format!("STREAM frames of {}.", carried.iter().map(|c| format!("{} ({})", asset_name(Some(c.asset)), format::bytes(c.bytes))).collect::<Vec<_>>().join(", "))
                    } }</p>
                    if dropped.is_some() { <p>{ "The link lost it." }</p> }
                    <p class="note">{ "HTTP/3 frames inside QUIC packets are not recorded byte by byte in the trace; QPACK uses its static table only here, so no dynamic table builds up." }</p>
                </div>
            },
            _ => html! {},
        });
    let what = if quic {
        "QUIC packets"
    } else {
        "HTTP/2 frames"
    };
    let only = pick
        .asset
        .map(|a| format!(" for {}", asset_name(Some(a))))
        .unwrap_or_default();
    let all = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::Inspect(Some(InspectorPick {
                asset: None,
                ..pick
            })))
        })
    };
    html! {
        <section class="inspector panel-wide" data-view="inspector" tabindex="-1" ref={panel} {onkeydown}
            aria-label={format!("Frame inspector: {} connection #{}", lane.protocol.label(), pick.conn.0)}>
            <header>
                <h2>{ format!("{what}{only} of {} connection #{}", lane.protocol.label(), pick.conn.0) }</h2>
                if pick.asset.is_some() {
                    <button type="button" class="inspect-all" onclick={all}>{ "All frames of the connection" }</button>
                }
                <button type="button" class="close" aria-label="Close the frame inspector" onclick={close}>{ "×" }</button>
            </header>
            <div class="inspector-body">
                <div class="frames-scroll">
                    <table class="frames">
                        <caption>{ format!("{} {what} in the order sent; pick one to see its bytes", rows.len()) }</caption>
                        <thead><tr>
                            <th scope="col">{ "time" }</th><th scope="col">{ "direction" }</th><th scope="col">{ "stream" }</th>
                            <th scope="col">{ "type" }</th><th scope="col">{ "flags" }</th><th scope="col">{ "length" }</th><th scope="col">{ "asset" }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
                { for detail }
            </div>
        </section>
    }
}

fn dir_class(d: Direction) -> &'static str {
    match d {
        Direction::Down => "down",
        Direction::Up => "up",
    }
}

#[derive(Properties, PartialEq)]
pub struct HeaderTableProps {
    pub protocol: Protocol,
    /// Index of the block in the lane's header blocks.
    pub block: usize,
}

/// The engine's HPACK decoder over every block of `lane` up to `block` on its connection
/// and direction: the steps and header list of `block`, or what went wrong.
fn decode_block(
    lane: &Lane,
    block: usize,
) -> Result<protoviz_engine::wire::hpack::DecodedBlock, String> {
    let b = lane.header_blocks.get(block).ok_or("no such block")?;
    let mut dec = Decoder::new(DecoderConfig::default());
    for (i, x) in lane.header_blocks.iter().enumerate().take(block + 1) {
        if x.conn != b.conn || x.dir != b.dir {
            continue;
        }
        let out = dec
            .decode(&unhex(&x.bytes))
            .map_err(|e| format!("block {i} does not decode: {e}"))?;
        if i == block {
            return Ok(out);
        }
    }
    Err("no such block".into())
}

/// The HPACK view of one header block of the trace.
#[function_component]
pub fn HeaderTable(p: &HeaderTableProps) -> Html {
    let run = use_run();
    let Some(run) = run else {
        return html! {};
    };
    let Some(lane) = run.trace.lanes.iter().find(|l| l.protocol == p.protocol) else {
        return html! {};
    };
    let Some(b) = lane.header_blocks.get(p.block) else {
        return html! {};
    };
    let tables = header_tables(lane);
    let Some(t) = tables.get(p.block) else {
        return html! {};
    };
    let bytes = unhex(&b.bytes);
    let text = as_http1(&t.headers);
    let decoded = decode_block(lane, p.block);
    let side = match b.dir {
        Direction::Up => "the browser's request",
        Direction::Down => "the server's response",
    };
    let n_same = lane
        .header_blocks
        .iter()
        .take(p.block + 1)
        .filter(|x| x.conn == b.conn && x.dir == b.dir)
        .count();
    html! {
        <div class="header-table" data-view="header-table" data-block={p.block.to_string()}
            aria-label={format!("HPACK header block {} ({} of stream {})", p.block, side, b.stream.0)}>
            <h3>{ format!("HPACK block {n_same} of {} on connection #{} — {} {} on stream {}", side, b.conn.0, b.frame, format::at(b.at), b.stream.0) }</h3>
            <p class="saving" data-block-len={bytes.len().to_string()} data-text-len={text.len().to_string()}>
                { saving_text(bytes.len(), text.len()) }
            </p>
            { match &decoded {
                Ok(d) => html! {
                    <>
                        { hex_view(&bytes, &block_parts(&d.steps, &d.headers, 0), "The header block's bytes") }
                        { fields_table(&d.steps, &d.headers) }
                    </>
                },
                Err(e) => html! {
                    <>
                        { hex_view(&bytes, &[], "The header block's bytes") }
                        <p class="error" role="alert">{ e.clone() }</p>
                    </>
                },
            } }
            { dyn_table(&t.after, t.added, &t.evicted, DEFAULT_TABLE_SIZE) }
            <p class="note">{ format!("The encoder's table size after the block, as the trace records it: {} of {DEFAULT_TABLE_SIZE} octets.", b.table_size) }</p>
            <details class="h1-text">
                <summary>{ format!("The same headers as HTTP/1.1 text ({} B)", text.len()) }</summary>
                <pre>{ text }</pre>
            </details>
        </div>
    }
}
