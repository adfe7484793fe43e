//! What the bar colours, patterns, badges and markers mean.

use yew::prelude::*;

#[function_component]
pub fn Legend() -> Html {
    let items = [
        (
            "queued",
            "queued: found, waiting for a connection or its turn",
        ),
        ("connect", "TCP handshake"),
        ("tls", "TLS handshake"),
        ("quic", "QUIC handshake (transport and TLS in one)"),
        ("wait", "request sent, waiting for the first byte"),
        ("receive", "receiving the response"),
        (
            "blocked",
            "stalled: bytes arrived but wait behind a lost packet (head-of-line blocking)",
        ),
    ];
    let sources = [
        (
            "pushed",
            "source-push",
            "pushed by the server (HTTP/2 push)",
        ),
        (
            "hinted",
            "source-early-hint",
            "requested early by 103 Early Hints",
        ),
        (
            "cached",
            "source-cache",
            "from the browser cache, no network",
        ),
    ];
    html! {
        <section class="legend-box" data-view="legend" aria-label="Legend">
            <ul class="legend">
                { for items.iter().map(|(class, text)| html! {
                    <li><span class={classes!("swatch", *class)} aria-hidden="true"></span>{ *text }</li>
                }) }
                { for sources.iter().map(|(badge, class, text)| html! {
                    <li class={classes!("legend-source", *class)}><span class="source-badge">{ *badge }</span>{ *text }</li>
                }) }
                <li><span class="marker in-legend first-paint">{ "FP" }</span>{ "first paint" }</li>
                <li><span class="marker in-legend dcl">{ "DCL" }</span>{ "DOMContentLoaded" }</li>
                <li><span class="swatch playhead-swatch" aria-hidden="true"></span>{ "playhead (now)" }</li>
                <li><span class="swatch loadline-swatch" aria-hidden="true"></span>{ "page loaded" }</li>
            </ul>
            <p class="hint">{ "Select a row's name (click, tap, or Tab and Enter) for its timings, why it waited, and the same asset in the other lanes." }</p>
        </section>
    }
}
