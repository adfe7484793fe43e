//! The Advanced panel: every option of the scenario string (the link's keys, see
//! [`protoviz_engine::url`]), each with its range, unit and a one-line explanation. A
//! change edits that key of the scenario's string and reads it back with the link's own
//! reader, so the panel accepts exactly what a link accepts, and says what a link would
//! say about a bad value; a good change reruns the engine and rewrites the link.

use std::rc::Rc;

use protoviz_engine::{url, Scenario};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::classroom::ClassAction;
use crate::context::use_dispatch;

/// How an option is edited.
#[derive(Clone, Copy, PartialEq)]
pub enum Input {
    /// A number: min, max, step (as the key's value is written).
    Number(&'static str, &'static str, &'static str),
    /// One of (value, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// Free text (lists of numbers).
    Text(&'static str),
}

/// One option: its key, name, input, unit and range in words, the value it has when the
/// key is absent, and what it does.
pub struct Opt {
    pub key: &'static str,
    pub name: &'static str,
    pub input: Input,
    pub range: &'static str,
    pub default: &'static str,
    pub explain: &'static str,
}

const ON_OFF: &[(&str, &str)] = &[("on", "on"), ("off", "off")];

/// Every key of the scenario string but the page (the page picker above sets it).
pub const OPTIONS: [Opt; 29] = [
    Opt {
        key: "rtt",
        name: "Round trip",
        input: Input::Number("1", "10000", "0.001"),
        range: "1 to 10000 ms",
        default: "100",
        explain: "Propagation delay there and back; each direction gets half.",
    },
    Opt {
        key: "down",
        name: "Downlink",
        input: Input::Number("0.056", "10000", "0.000001"),
        range: "0.056 to 10000 Mbit/s",
        default: "10",
        explain: "Bottleneck bandwidth from server to browser.",
    },
    Opt {
        key: "up",
        name: "Uplink",
        input: Input::Number("0.056", "10000", "0.000001"),
        range: "0.056 to 10000 Mbit/s",
        default: "5",
        explain: "Bottleneck bandwidth from browser to server.",
    },
    Opt {
        key: "loss",
        name: "Loss rate",
        input: Input::Number("0", "50", "0.0001"),
        range: "0 to 50 %, each way",
        default: "0",
        explain: "Share of packets the link loses after the bottleneck (random or bursty model).",
    },
    Opt {
        key: "model",
        name: "Loss model",
        input: Input::Choice(&[
            ("none", "none"),
            ("random", "random (independent)"),
            ("bursty", "bursty (Gilbert–Elliott)"),
            ("scripted", "scripted (these packets)"),
        ]),
        range: "none, random, bursty, scripted",
        default: "none",
        explain: "How losses fall: independently, in bursts, or exactly the packets listed below.",
    },
    Opt {
        key: "burst",
        name: "Mean burst",
        input: Input::Number("1", "1000", "1"),
        range: "1 to 1000 packets (bursty only)",
        default: "3",
        explain: "Average run of consecutive losses in the bursty model.",
    },
    Opt {
        key: "lossup",
        name: "Lost uplink packets",
        input: Input::Text("e.g. 3,7"),
        range: "packet ordinals 0, 1, 2 … (scripted only)",
        default: "",
        explain: "Which browser-to-server packets the link drops, counted from 0.",
    },
    Opt {
        key: "lossdown",
        name: "Lost downlink packets",
        input: Input::Text("e.g. 20,21"),
        range: "packet ordinals 0, 1, 2 … (scripted only)",
        default: "",
        explain: "Which server-to-browser packets the link drops, counted from 0.",
    },
    Opt {
        key: "queue",
        name: "Bottleneck queue",
        input: Input::Number("1500", "1000000000", "1"),
        range: "1500 to 1000000000 bytes (empty: one bandwidth-delay product)",
        default: "",
        explain:
            "Drop-tail buffer at the bottleneck; a small one overflows when slow start bursts.",
    },
    Opt {
        key: "seed",
        name: "Seed",
        input: Input::Number("0", "18446744073709551615", "1"),
        range: "0 to 2^64 − 1",
        default: "0",
        explain: "Which packets random loss hits; every lane gets the same luck.",
    },
    Opt {
        key: "proto",
        name: "Lanes",
        input: Input::Text("h1,h2,h2-push,h3"),
        range: "h1, h2, h2-push, h3, comma-separated",
        default: "h1,h2,h2-push,h3",
        explain: "The protocols shown, in order (slide mode's 1–4 keys toggle them).",
    },
    Opt {
        key: "cc",
        name: "Congestion control",
        input: Input::Choice(&[
            ("cubic", "CUBIC (Linux default)"),
            ("newreno", "NewReno (RFC 6582)"),
        ]),
        range: "cubic, newreno",
        default: "cubic",
        explain: "How TCP and QUIC grow and cut their congestion window.",
    },
    Opt {
        key: "hystart",
        name: "HyStart",
        input: Input::Choice(ON_OFF),
        range: "on, off",
        default: "on",
        explain:
            "Leave slow start when the RTT rises, before the queue overflows (Linux, Chromium).",
    },
    Opt {
        key: "sack",
        name: "SACK",
        input: Input::Choice(ON_OFF),
        range: "on, off",
        default: "on",
        explain:
            "TCP selective acknowledgements (RFC 2018): recover several losses per round trip.",
    },
    Opt {
        key: "minrto",
        name: "Minimum RTO",
        input: Input::Choice(&[("linux", "200 ms (Linux)"), ("rfc", "1 s (RFC 6298)")]),
        range: "linux, rfc",
        default: "linux",
        explain: "Floor of TCP's retransmission timeout.",
    },
    Opt {
        key: "tls",
        name: "TLS version",
        input: Input::Choice(&[
            ("1.3", "TLS 1.3 (one round trip)"),
            ("1.2", "TLS 1.2 (two round trips)"),
        ]),
        range: "1.3, 1.2",
        default: "1.3",
        explain: "The handshake over TCP; QUIC always uses TLS 1.3 inside its own.",
    },
    Opt {
        key: "h1conn",
        name: "HTTP/1.1 connections",
        input: Input::Number("1", "32", "1"),
        range: "1 to 32 per host",
        default: "6",
        explain: "How many connections the browser opens to the host (browsers: 6).",
    },
    Opt {
        key: "keepalive",
        name: "Keep-alive",
        input: Input::Choice(ON_OFF),
        range: "on, off",
        default: "on",
        explain: "Reuse HTTP/1.1 connections; off: a new TCP + TLS connection per request.",
    },
    Opt {
        key: "pipelining",
        name: "Pipelining",
        input: Input::Choice(ON_OFF),
        range: "on, off",
        default: "off",
        explain: "Send HTTP/1.1 requests without waiting; responses still come back in order.",
    },
    Opt {
        key: "windows",
        name: "HTTP/2 windows",
        input: Input::Choice(&[
            ("browser", "Chrome's (6 MiB / 15 MiB)"),
            ("rfc", "RFC 9113 (65,535 bytes)"),
        ]),
        range: "browser, rfc",
        default: "browser",
        explain: "Flow-control windows the browser announces; small ones stall on WINDOW_UPDATE.",
    },
    Opt {
        key: "push",
        name: "Pushed assets",
        input: Input::Text("critical, none or 1,2,3"),
        range: "none, critical, or asset ids",
        default: "critical",
        explain: "What the HTTP/2 + push lane's server pushes with the HTML.",
    },
    Opt {
        key: "zerortt",
        name: "HTTP/3 0-RTT",
        input: Input::Choice(ON_OFF),
        range: "on, off",
        default: "off",
        explain: "A returning browser sends its request in its first flight.",
    },
    Opt {
        key: "sched",
        name: "Server order",
        input: Input::Choice(&[
            ("sequential", "sequential by urgency (RFC 9218)"),
            ("round-robin", "round-robin"),
        ]),
        range: "sequential, round-robin",
        default: "sequential",
        explain: "How HTTP/2 and HTTP/3 servers share the connection between responses.",
    },
    Opt {
        key: "hints",
        name: "103 Early Hints",
        input: Input::Choice(ON_OFF),
        range: "on, off",
        default: "off",
        explain: "The server names the critical CSS and JS before the HTML is ready.",
    },
    Opt {
        key: "records",
        name: "TLS records (TCP)",
        input: Input::Choice(&[
            ("16k", "16 KB (nginx)"),
            ("4k", "4 KB"),
            ("dynamic", "dynamic (Cloudflare)"),
            ("per-write", "one per write"),
        ]),
        range: "16k, 4k, dynamic, per-write",
        default: "16k",
        explain: "How the server cuts its bytes into TLS records; a record is readable only whole.",
    },
    Opt {
        key: "cache",
        name: "Cache",
        input: Input::Choice(&[
            ("cold", "cold (first visit)"),
            ("warm", "warm (repeat visit)"),
        ]),
        range: "cold, warm",
        default: "cold",
        explain: "A warm cache already holds every static asset.",
    },
    Opt {
        key: "htmlcost",
        name: "HTML parse cost",
        input: Input::Number("0", "100000", "1"),
        range: "0 to 100000 µs per KiB",
        default: "10",
        explain: "Browser time to parse each KiB of HTML.",
    },
    Opt {
        key: "csscost",
        name: "CSS parse cost",
        input: Input::Number("0", "100000", "1"),
        range: "0 to 100000 µs per KiB",
        default: "10",
        explain: "Browser time to parse each KiB of CSS.",
    },
    Opt {
        key: "jscost",
        name: "JS run cost",
        input: Input::Number("0", "100000", "1"),
        range: "0 to 100000 µs per KiB",
        default: "50",
        explain: "Browser time to parse and run each KiB of JavaScript.",
    },
];

/// The value of `key` in `scenario`'s string ("" when it is the default).
pub fn value_of(scenario: &Scenario, key: &str) -> Option<String> {
    url::encode(scenario)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
}

/// `scenario` with `key` set to `value` (removed when `value` is empty: its default), read
/// back strictly as a link would be; the error is the link reader's.
pub fn with_key(scenario: &Scenario, key: &str, value: &str) -> Result<Scenario, String> {
    let mut pairs: Vec<(String, String)> = url::encode(scenario)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .filter(|(k, _)| k != key)
        .collect();
    let value = value.trim();
    if !value.is_empty() {
        pairs.push((key.to_string(), value.to_string()));
    }
    // A model without a rate, or a rate without its model, follows the other key.
    if key == "model" && matches!(value, "none" | "scripted") {
        pairs.retain(|(k, _)| k != "loss" && k != "burst");
    }
    if key == "model" && value != "bursty" {
        pairs.retain(|(k, _)| k != "burst");
    }
    if key == "model" && value != "scripted" {
        pairs.retain(|(k, _)| k != "lossup" && k != "lossdown");
    }
    let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    url::decode(&text.join("&")).map_err(|e| e.to_string())
}

#[derive(Properties, PartialEq)]
pub struct AdvancedProps {
    pub scenario: Rc<Scenario>,
}

#[function_component]
pub fn Advanced(p: &AdvancedProps) -> Html {
    let d = use_dispatch();
    let error = use_state(|| None::<(&'static str, String)>);
    let commit = |key: &'static str| {
        let d = d.clone();
        let error = error.clone();
        let scenario = p.scenario.clone();
        move |value: String| match with_key(&scenario, key, &value) {
            Ok(s) => {
                error.set(None);
                d.dispatch(ClassAction::SetScenario(Box::new(s)).into());
            }
            Err(e) => error.set(Some((key, e))),
        }
    };
    let close = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::Advanced(false).into()))
    };
    let rows = OPTIONS.iter().map(|o| {
        let id = format!("adv-{}", o.key);
        let current = value_of(&p.scenario, o.key).unwrap_or_else(|| o.default.to_string());
        let f = commit(o.key);
        let input = match o.input {
            Input::Number(min, max, step) => {
                let on = Callback::from(move |e: Event| {
                    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                        f(i.value());
                    }
                });
                html! { <input id={id.clone()} type="number" min={min} max={max} step={step} value={current.clone()} onchange={on} /> }
            }
            Input::Text(placeholder) => {
                let on = Callback::from(move |e: Event| {
                    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                        f(i.value());
                    }
                });
                html! { <input id={id.clone()} type="text" placeholder={placeholder} value={current.clone()} onchange={on} spellcheck="false" /> }
            }
            Input::Choice(choices) => {
                let on = Callback::from(move |e: Event| {
                    if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                        f(s.value());
                    }
                });
                html! {
                    <select id={id.clone()} onchange={on}>
                        { for choices.iter().map(|(v, label)| html! { <option value={*v} selected={*v == current}>{ *label }</option> }) }
                    </select>
                }
            }
        };
        let bad = error.as_ref().filter(|(k, _)| *k == o.key).map(|(_, e)| e.clone());
        html! {
            <div class="adv-row" data-key={o.key}>
                <label for={id.clone()} class="adv-name">{ o.name }</label>
                { input }
                <span class="adv-range">{ o.range }</span>
                <span class="adv-explain">{ o.explain }</span>
                if let Some(e) = bad {
                    <span class="adv-error" role="alert">{ e }</span>
                }
            </div>
        }
    });
    html! {
        <section class="panel advanced" data-view="advanced" aria-label="Every scenario option">
            <header class="panel-head">
                <h2>{ "Every option" }</h2>
                <span class="hint">{ "Each is a key of the link; a change reruns the engine." }</span>
                <button type="button" class="close" onclick={close} aria-label="Close the advanced panel">{ "×" }</button>
            </header>
            <div class="adv-grid">{ for rows }</div>
        </section>
    }
}
