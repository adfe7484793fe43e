//! A lane's heading and figures, at the playhead: each figure appears when it happens
//! ("—" before), running totals count up to the playhead, and a finished lane shows its
//! final values. Losses are split into the link's own losses and the bottleneck queue's
//! drops, each explained under the figures when there are any.

use protoviz_engine::Protocol;
use yew::prelude::*;

use crate::context::{use_playhead, use_run};
use crate::format;

#[derive(Properties, PartialEq)]
pub struct FiguresProps {
    pub index: usize,
}

/// A figure that exists from time `at` on.
fn timed(class: &'static str, at: Option<u64>, t: u64) -> Html {
    match at {
        Some(us) if us <= t => {
            html! { <dd class={class} data-us={us.to_string()}>{ format::ms(us) }</dd> }
        }
        _ => html! { <dd class={classes!(class, "pending")}>{ "—" }</dd> },
    }
}

fn count(class: &'static str, n: u64, unit: &'static str) -> Html {
    html! { <dd class={class} data-count={n.to_string()}>{ format!("{n}{unit}") }</dd> }
}

#[function_component]
pub fn Figures(p: &FiguresProps) -> Html {
    let t = use_playhead();
    let Some(run) = use_run() else {
        return html! {};
    };
    let Some((lane, m)) = run.trace.lanes.get(p.index).zip(run.lanes.get(p.index)) else {
        return html! {};
    };
    let o = &m.outcome;
    let us = |d: Option<protoviz_engine::SimDuration>| d.map(|d| d.as_micros());
    let load = us(o.load);
    let done = load.is_some_and(|l| t >= l);
    let at_end = t >= run.end_us;
    let metrics = &lane.metrics;
    // A finished lane shows the engine's own totals (the running totals end there too).
    let bytes = if done {
        metrics.bytes_total
    } else {
        m.bytes.at(t)
    };
    let headers = if done {
        metrics.bytes_headers
    } else {
        m.headers.at(t)
    };
    let link = m.link_losses.at(t);
    let queue = m.queue_drops.at(t);
    let resent = m.resent.at(t);
    let conns = m.connections.at(t);
    let loaded = if o.finished {
        timed("load", load, t)
    } else {
        html! { <dd class="load unfinished">{ if at_end { "did not finish in 1 h" } else { "—" } }</dd> }
    };
    let mut notes: Vec<Html> = Vec::new();
    if queue > 0 || link > 0 {
        let mut parts = Vec::new();
        if queue > 0 {
            parts.push(format!(
                "{queue} dropped by the bottleneck's full queue (slow start outran the link)"
            ));
        }
        if link > 0 {
            parts.push(format!("{link} lost on the link (its random loss)"));
        }
        notes.push(html! {
            <p class="note losses">{ format!("Packets: {}; {resent} resent so far.", parts.join(", ")) }</p>
        });
    }
    if m.qpack_static_only {
        notes.push(html! {
            <p class="note qpack">{ "Headers: QPACK here uses only its static table, so every request repeats its headers in full (HPACK's dynamic table shrinks repeats)." }</p>
        });
    }
    let breakdown = [
        ("payload", metrics.bytes_payload),
        ("headers", metrics.bytes_headers),
        ("framing", metrics.bytes_framing),
        ("handshakes", metrics.bytes_handshake),
        ("resent", metrics.bytes_retransmitted),
        ("wasted pushes", metrics.bytes_wasted),
    ];
    html! {
        <header class="lane-head">
            <h2>{ lane.protocol.label() }</h2>
            if !o.finished {
                <span class="badge unfinished-badge">{ "did not finish in 1 h" }</span>
            }
            <dl class="metrics">
                <div><dt>{ "First byte" }</dt>{ timed("ttfb", us(o.ttfb), t) }</div>
                <div><dt>{ "First paint" }</dt>{ timed("first-paint", us(o.first_paint), t) }</div>
                <div><dt>{ "DCL" }</dt>{ timed("dcl", m.dom_content_loaded, t) }</div>
                <div><dt>{ "Loaded" }</dt>{ loaded }</div>
                <div><dt>{ "Connections" }</dt>{ count("connections", conns, "") }</div>
                <div><dt>{ "On the wire" }</dt><dd class="bytes" data-bytes={bytes.to_string()}>{ format::bytes(bytes) }</dd></div>
                <div><dt>{ if lane.protocol == Protocol::Http3 { "Headers (QPACK)" } else { "Headers" } }</dt>
                    <dd class="headers" data-bytes={headers.to_string()}>{ format::bytes(headers) }</dd></div>
                <div><dt>{ "Link losses" }</dt>{ count("link-losses", link, " pkt") }</div>
                <div><dt>{ "Queue drops" }</dt>{ count("queue-drops", queue, " pkt") }</div>
                <div><dt>{ "Resent" }</dt>{ count("retx", resent, " pkt") }</div>
            </dl>
            { for notes }
            if done {
                <p class="note breakdown">
                    { "On the wire, whole load: " }
                    { for breakdown.iter().filter(|(_, b)| *b > 0).enumerate().map(|(i, (what, b))| html! {
                        <span class="part">{ if i > 0 { " · " } else { "" } }{ format!("{} {what}", format::bytes(*b)) }</span>
                    }) }
                </p>
            }
        </header>
    }
}
