//! What the bar colours mean.

use yew::prelude::*;

#[function_component]
pub fn Legend() -> Html {
    let items = [
        ("queued", "queued: found, waiting for a connection"),
        ("connect", "TCP handshake"),
        ("tls", "TLS handshake"),
        ("quic", "QUIC handshake (transport and TLS in one)"),
        ("wait", "request sent, waiting for the first byte"),
        ("receive", "receiving the response"),
        (
            "blocked",
            "stalled: bytes arrived but wait behind a lost packet",
        ),
    ];
    // Where a response came from (the row's badge and bar style), and the lane's markers.
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
    let markers = [
        ("FP", "first-paint", "first paint"),
        ("DCL", "dcl", "DOMContentLoaded"),
    ];
    html! {
        <ul class="legend">
            { for items.iter().map(|(class, text)| html! {
                <li><span class={classes!("swatch", *class)}></span>{ *text }</li>
            }) }
            { for sources.iter().map(|(badge, class, text)| html! {
                <li class={classes!("legend-source", *class)}><span class="source-badge">{ *badge }</span>{ *text }</li>
            }) }
            { for markers.iter().map(|(label, class, text)| html! {
                <li><span class={classes!("marker", "in-legend", *class)}>{ *label }</span>{ *text }</li>
            }) }
            <li><span class="swatch loadline-swatch"></span>{ "page loaded" }</li>
        </ul>
    }
}
