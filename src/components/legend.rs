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
    html! {
        <ul class="legend">
            { for items.iter().map(|(class, text)| html! {
                <li><span class={classes!("swatch", *class)}></span>{ *text }</li>
            }) }
        </ul>
    }
}
