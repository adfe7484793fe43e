//! The network sliders, the protocol and browser options, and the replay buttons.

use protoviz_engine::options::{Cache, SchedulerKind};
use protoviz_engine::PresetId;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format;
use crate::state::{
    Action, BANDWIDTH_STEPS, H1_CONNECTIONS_MAX, H1_CONNECTIONS_MIN, LOSS_STEPS_PPM, RTT_MAX_MS,
    RTT_MIN_MS,
};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub page: String,
    pub on_preset: Callback<PresetId>,
    pub rtt_ms: u64,
    pub bandwidth_step: usize,
    pub loss_step: usize,
    pub seed: u64,
    pub playing: bool,
    pub on_rtt: Callback<u64>,
    pub on_bandwidth: Callback<usize>,
    pub on_loss: Callback<usize>,
    pub on_new_luck: Callback<()>,
    pub on_play_pause: Callback<()>,
    pub on_restart: Callback<()>,
    pub cache: Cache,
    pub scheduler: SchedulerKind,
    pub early_hints: bool,
    pub zero_rtt: bool,
    pub h1_connections: u32,
    /// The option controls dispatch their reducer action directly.
    pub on_option: Callback<Action>,
}

fn input_value(e: &InputEvent) -> Option<u64> {
    e.target_dyn_into::<HtmlInputElement>()
        .and_then(|i| i.value().parse::<u64>().ok())
}

#[function_component]
pub fn Controls(p: &ControlsProps) -> Html {
    let on_rtt = {
        let cb = p.on_rtt.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                cb.emit(v);
            }
        })
    };
    let on_bw = {
        let cb = p.on_bandwidth.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                cb.emit(v as usize);
            }
        })
    };
    let on_loss = {
        let cb = p.on_loss.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                cb.emit(v as usize);
            }
        })
    };
    let on_page = {
        let cb = p.on_preset.clone();
        Callback::from(move |e: Event| {
            let id = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| PresetId::from_id(&s.value()));
            if let Some(id) = id {
                cb.emit(id);
            }
        })
    };
    let luck = p.on_new_luck.reform(|_: MouseEvent| ());
    let ppm = LOSS_STEPS_PPM[p.loss_step.min(LOSS_STEPS_PPM.len() - 1)];
    let loss_text = format::percent_ppm(ppm);
    let play = p.on_play_pause.reform(|_: MouseEvent| ());
    let restart = p.on_restart.reform(|_: MouseEvent| ());
    let bps = BANDWIDTH_STEPS[p.bandwidth_step.min(BANDWIDTH_STEPS.len() - 1)];
    let select = |f: fn(&str) -> Option<Action>| {
        let cb = p.on_option.clone();
        Callback::from(move |e: Event| {
            if let Some(a) = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| f(&s.value()))
            {
                cb.emit(a);
            }
        })
    };
    let on_cache = select(|v| match v {
        "cold" => Some(Action::SetCache(Cache::Cold)),
        "warm" => Some(Action::SetCache(Cache::Warm)),
        _ => None,
    });
    let on_scheduler = select(|v| match v {
        "sequential" => Some(Action::SetScheduler(SchedulerKind::Sequential)),
        "round-robin" => Some(Action::SetScheduler(SchedulerKind::RoundRobin)),
        _ => None,
    });
    let check = |f: fn(bool) -> Action| {
        let cb = p.on_option.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                cb.emit(f(i.checked()));
            }
        })
    };
    let on_hints = check(Action::SetEarlyHints);
    let on_zero_rtt = check(Action::SetZeroRtt);
    let on_h1 = {
        let cb = p.on_option.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                cb.emit(Action::SetH1Connections(v.min(u64::from(u32::MAX)) as u32));
            }
        })
    };
    html! {
        <section class="controls" aria-label="Network and replay">
            <label class="control">
                <span class="control-name">{ "Page" }</span>
                <select id="page" onchange={on_page}>
                    { for PresetId::ALL.iter().map(|id| html! {
                        <option value={id.id()} selected={p.page == id.id()}>{ id.label() }</option>
                    }) }
                </select>
            </label>
            <label class="control">
                <span class="control-name">{ "Round trip" }</span>
                <input id="rtt" type="range" min={RTT_MIN_MS.to_string()} max={RTT_MAX_MS.to_string()}
                    step="5" value={p.rtt_ms.to_string()} oninput={on_rtt}
                    aria-valuetext={format!("{} ms", p.rtt_ms)} />
                <output id="rtt-value" class="control-value">{ format!("{} ms", p.rtt_ms) }</output>
            </label>
            <label class="control">
                <span class="control-name">{ "Bandwidth" }</span>
                <input id="bandwidth" type="range" min="0" max={(BANDWIDTH_STEPS.len() - 1).to_string()}
                    step="1" value={p.bandwidth_step.to_string()} oninput={on_bw}
                    aria-valuetext={format::bandwidth(bps)} />
                <output id="bandwidth-value" class="control-value">
                    { format!("{} down · {} up", format::bandwidth(bps), format::bandwidth((bps / 2).max(250_000))) }
                </output>
            </label>
            <label class="control">
                <span class="control-name">{ "Loss" }</span>
                <input id="loss" type="range" min="0" max={(LOSS_STEPS_PPM.len() - 1).to_string()}
                    step="1" value={p.loss_step.to_string()} oninput={on_loss}
                    aria-valuetext={loss_text.clone()} />
                <output id="loss-value" class="control-value">{ format!("{loss_text} each way") }</output>
            </label>
            <button id="luck" onclick={luck} disabled={ppm == 0}
                title="Draw the random losses again (the seed picks which packets are lost; every lane gets the same luck)">
                { format!("⟳ Other luck (seed {})", p.seed) }
            </button>
            <div class="options" role="group" aria-label="Protocol and browser options">
                <label class="control" title="Cold: a first visit. Warm: a repeat visit; every static asset is fresh in the cache and is not requested (the HTML is).">
                    <span class="control-name">{ "Cache" }</span>
                    <select id="cache" onchange={on_cache}>
                        <option value="cold" selected={p.cache == Cache::Cold}>{ "cold (first visit)" }</option>
                        <option value="warm" selected={p.cache == Cache::Warm}>{ "warm (repeat visit)" }</option>
                    </select>
                </label>
                <label class="control" title="How an HTTP/2 or HTTP/3 server orders the responses it has ready">
                    <span class="control-name">{ "Server order" }</span>
                    <select id="scheduler" onchange={on_scheduler}>
                        <option value="sequential" selected={p.scheduler == SchedulerKind::Sequential}>{ "sequential (RFC 9218)" }</option>
                        <option value="round-robin" selected={p.scheduler == SchedulerKind::RoundRobin}>{ "round-robin" }</option>
                    </select>
                </label>
                <label class="control" title="The server answers the HTML request at once with 103 Early Hints naming the critical CSS and JS, so the browser requests them before the HTML arrives (HTTP/1.1, HTTP/2 and HTTP/3 lanes)">
                    <input id="early-hints" type="checkbox" checked={p.early_hints} onchange={on_hints} />
                    <span class="control-name">{ "103 Early Hints" }</span>
                </label>
                <label class="control" title="HTTP/3 resumes an earlier session: the HTML request goes out with QUIC's first flight">
                    <input id="zero-rtt" type="checkbox" checked={p.zero_rtt} onchange={on_zero_rtt} />
                    <span class="control-name">{ "0-RTT" }</span>
                </label>
                <label class="control" title="Most HTTP/1.1 connections the browser opens to the host (browsers use 6)">
                    <span class="control-name">{ "HTTP/1.1 connections" }</span>
                    <input id="h1-connections" type="range" min={H1_CONNECTIONS_MIN.to_string()} max={H1_CONNECTIONS_MAX.to_string()}
                        step="1" value={p.h1_connections.to_string()} oninput={on_h1}
                        aria-valuetext={p.h1_connections.to_string()} />
                    <output id="h1-connections-value" class="control-value short">{ p.h1_connections }</output>
                </label>
            </div>
            <div class="buttons">
                <button id="play" onclick={play}>{ if p.playing { "❚❚ Pause" } else { "▶ Play" } }</button>
                <button id="restart" onclick={restart}>{ "↺ Replay" }</button>
            </div>
        </section>
    }
}
