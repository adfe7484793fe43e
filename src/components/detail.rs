//! The detail panel: everything about the asset picked in a lane (a click, a tap, or Enter
//! on its row's name), and the same asset in the other lanes. It replaces tooltips, so
//! keyboard, touch and screen-reader users reach it too; Escape or × closes it.

use protoviz_engine::trace::AssetTiming;
use protoviz_engine::Protocol;
use yew::prelude::*;

use crate::components::waterfall::{blocked_text, source_style};
use crate::context::{use_dispatch, use_run};
use crate::format;
use crate::state::{Action, Selection};

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub selected: Option<Selection>,
}

fn timings(a: &AssetTiming) -> Vec<(&'static str, String)> {
    let mut v = vec![("found", format::at(a.discovered))];
    if let Some(c) = a.connect {
        v.push(("connection opened", format::at(c.start)));
        v.push(("connection ready", format::at(c.tls_end)));
    }
    v.push(("request sent", format::maybe_at(a.request_sent)));
    v.push(("first byte", format::maybe_at(a.first_byte)));
    v.push(("last byte", format::maybe_at(a.last_byte)));
    if let Some(x) = a.executed {
        v.push(("parsed or run", format::at(x)));
    }
    v
}

#[function_component]
pub fn Detail(p: &DetailProps) -> Html {
    let run = use_run();
    let dispatch = use_dispatch();
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        use_effect_with(p.selected, move |sel| {
            if sel.is_some() {
                if let Some(el) = panel.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    let (Some(sel), Some(run)) = (p.selected, run) else {
        return html! {};
    };
    let Some(lane) = run.trace.lanes.iter().find(|l| l.protocol == sel.protocol) else {
        return html! {};
    };
    let Some(a) = lane.assets.get(sel.asset.0 as usize) else {
        return html! {};
    };
    let close = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Select(None)))
    };
    let onkeydown = {
        let d = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                d.dispatch(Action::Select(None));
            }
        })
    };
    let source = source_style(a.source).map(|s| s.2);
    let inspect = {
        let d = dispatch.clone();
        let (protocol, conn, asset) = (sel.protocol, a.connection, a.asset);
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::Inspect(Some(crate::state::InspectorPick {
                protocol,
                conn,
                event: None,
                asset: Some(asset),
            })))
        })
    };
    let where_ = match (a.source, a.stream) {
        (protoviz_engine::trace::Source::Cache, _) => "no connection (cached)".to_string(),
        (_, Some(s)) => format!("connection #{}, stream {}", a.connection.0, s.0),
        (_, None) => format!("connection #{}", a.connection.0),
    };
    let others = run.trace.lanes.iter().filter_map(|l| {
        let o = l.assets.get(sel.asset.0 as usize)?;
        let stalled: u64 = o
            .blocked
            .iter()
            .map(|b| b.to.saturating_since(b.from).as_micros())
            .sum();
        Some(html! {
            <tr class={classes!((l.protocol == sel.protocol).then_some("this-lane"))} data-protocol={l.protocol.id()}>
                <th scope="row">{ l.protocol.label() }</th>
                <td>{ format::maybe_at(o.request_sent) }</td>
                <td>{ format::maybe_at(o.first_byte) }</td>
                <td>{ format::maybe_at(o.last_byte) }</td>
                <td>{ format::ms(stalled) }</td>
            </tr>
        })
    });
    let title = format!("{} on {}", a.path, sel.protocol.label());
    html! {
        <aside class="detail" data-view="detail" aria-label={format!("Details: {title}")}
            tabindex="-1" ref={panel} {onkeydown}>
            <header>
                <h2>{ &a.path }</h2>
                <button type="button" class="close" aria-label="Close the details" onclick={close}>{ "×" }</button>
            </header>
            <p class="what">{ format!("{}, {} — {} — {}", a.kind, format::bytes(a.size), sel.protocol.label(), where_) }</p>
            if let Some(s) = source { <p>{ s }</p> }
            if a.wasted_bytes > 0 {
                <p>{ format!("{} crossed the network for nothing: the browser did not use the push.", format::bytes(a.wasted_bytes)) }</p>
            }
            <dl class="timings">
                { for timings(a).into_iter().map(|(k, v)| html! { <div><dt>{ k }</dt><dd>{ v }</dd></div> }) }
                <div><dt>{ "header bytes" }</dt><dd>{ format!("{} request · {} response", format::bytes(a.request_header_bytes), format::bytes(a.response_header_bytes)) }</dd></div>
            </dl>
            if a.blocked.is_empty() {
                <p class="waits">{ "It never waited on anything but the network." }</p>
            } else {
                <ul class="waits" aria-label="Why it waited">
                    { for a.blocked.iter().map(|b| html! { <li>{ format!("{}: {}", format::at(b.from), blocked_text(b)) }</li> }) }
                </ul>
            }
            <table class="across">
                <caption>{ "The same asset in every lane" }</caption>
                <thead><tr><th scope="col">{ "lane" }</th><th scope="col">{ "requested" }</th><th scope="col">{ "first byte" }</th><th scope="col">{ "last byte" }</th><th scope="col">{ "stalled" }</th></tr></thead>
                <tbody>{ for others }</tbody>
            </table>
            if a.source != protoviz_engine::trace::Source::Cache && sel.protocol != Protocol::Http1 {
                <p><button type="button" class="inspect" onclick={inspect}>
                    { if sel.protocol == Protocol::Http3 { "Its packets in the inspector" } else { "Its frames and header blocks in the inspector" } }
                </button></p>
            }
            if sel.protocol == Protocol::Http3 {
                <p class="note">{ "HTTP/3: QPACK with its static table only, so this request's headers are not shortened by earlier ones." }</p>
            }
        </aside>
    }
}
