//! The page picker, the network sliders, the protocol and browser options and the replay
//! buttons. Each shows exactly the scenario the app runs: a link's value that is not one of
//! a slider's stops becomes a stop of its own (or stretches the slider), and the number
//! beside each slider is the scenario's own, to the last decimal.

use std::rc::Rc;

use protoviz_engine::link::LossModel;
use protoviz_engine::options::{Cache, SchedulerKind, TlsRecords};
use protoviz_engine::{PresetId, Scenario};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::context::use_dispatch;
use crate::format;
use crate::state::{
    steps_with, Action, BANDWIDTH_STEPS, H1_CONNECTIONS_MAX, H1_CONNECTIONS_MIN, LOSS_STEPS_PPM,
    RTT_MAX_MS, RTT_MIN_MS,
};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub scenario: Rc<Scenario>,
    pub playing: bool,
}

fn input_value(e: &InputEvent) -> Option<u64> {
    e.target_dyn_into::<HtmlInputElement>()
        .and_then(|i| i.value().parse::<u64>().ok())
}

/// The loss rate each way (ppm) the loss slider stands for; `None` for scripted loss.
fn loss_ppm(loss: &LossModel) -> Option<u32> {
    match loss {
        LossModel::None => Some(0),
        LossModel::Random { ppm } | LossModel::Bursty { ppm, .. } => Some(*ppm),
        LossModel::Scripted { .. } => None,
    }
}

/// What the loss control says, exactly.
pub fn loss_text(loss: &LossModel) -> String {
    match loss {
        LossModel::None => "0 % each way".into(),
        LossModel::Random { ppm } => format!("{} each way", format::percent_ppm(*ppm)),
        LossModel::Bursty { ppm, mean_burst } => format!(
            "{} each way, in bursts of {mean_burst} on average",
            format::percent_ppm(*ppm)
        ),
        LossModel::Scripted { up, down } => format!(
            "scripted: {} up, {} down",
            plural(up.len(), "packet"),
            plural(down.len(), "packet")
        ),
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Whether the seed changes anything: only under random or bursty loss.
pub fn luck_matters(loss: &LossModel) -> bool {
    matches!(loss, LossModel::Random { ppm } | LossModel::Bursty { ppm, .. } if *ppm > 0)
}

#[function_component]
pub fn Controls(p: &ControlsProps) -> Html {
    let dispatch = use_dispatch();
    let s = &p.scenario;
    let n = &s.network;

    let rtt_ms = n.rtt.as_micros() / 1_000;
    let rtt_max = RTT_MAX_MS.max(rtt_ms);
    let rtt_min = RTT_MIN_MS.min(rtt_ms.max(1));
    let on_rtt = {
        let d = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                d.dispatch(Action::SetRttMs(v));
            }
        })
    };

    let bw_steps = steps_with(&BANDWIDTH_STEPS, n.downlink_bps);
    let bw_index = bw_steps
        .iter()
        .position(|&b| b == n.downlink_bps)
        .unwrap_or(0);
    let on_bw = {
        let d = dispatch.clone();
        let steps = bw_steps.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(&bps) = input_value(&e).and_then(|i| steps.get(i as usize)) {
                d.dispatch(Action::SetBandwidth(bps));
            }
        })
    };

    let ppm = loss_ppm(&n.loss);
    let loss_steps = steps_with(&LOSS_STEPS_PPM, ppm.unwrap_or(0));
    let loss_index = loss_steps.iter().position(|&x| Some(x) == ppm).unwrap_or(0);
    let on_loss = {
        let d = dispatch.clone();
        let steps = loss_steps.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(&ppm) = input_value(&e).and_then(|i| steps.get(i as usize)) {
                d.dispatch(Action::SetLoss(ppm));
            }
        })
    };

    let on_page = {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            let id = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| PresetId::from_id(&s.value()));
            if let Some(id) = id {
                d.dispatch(Action::SetPreset(id));
            }
        })
    };
    let preset = PresetId::ALL
        .into_iter()
        .find(|&id| id.id() == s.page.name && protoviz_engine::Page::preset(id) == s.page);
    let select = |f: fn(&str) -> Option<Action>| {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(a) = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| f(&s.value()))
            {
                d.dispatch(a);
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
    let on_records = select(|v| match v {
        "16k" => Some(Action::SetTlsRecords(TlsRecords::Nginx16k)),
        "4k" => Some(Action::SetTlsRecords(TlsRecords::Small4k)),
        "dynamic" => Some(Action::SetTlsRecords(TlsRecords::Dynamic)),
        "per-write" => Some(Action::SetTlsRecords(TlsRecords::PerWrite)),
        _ => None,
    });
    let records = s.server.tls_records;
    let check = |f: fn(bool) -> Action| {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                d.dispatch(f(i.checked()));
            }
        })
    };
    let on_hints = check(Action::SetEarlyHints);
    let on_zero_rtt = check(Action::SetZeroRtt);
    let h1 = s.http1.connections;
    let h1_max = H1_CONNECTIONS_MAX.max(h1);
    let on_h1 = {
        let d = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                d.dispatch(Action::SetH1Connections(v.min(u64::from(u32::MAX)) as u32));
            }
        })
    };
    let luck = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::NewLuck))
    };
    let play = {
        let d = dispatch.clone();
        let playing = p.playing;
        Callback::from(move |_: MouseEvent| {
            d.dispatch(if playing { Action::Pause } else { Action::Play })
        })
    };
    let restart = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Restart))
    };
    let rtt_text = format::rtt(n.rtt);
    let bw_text = format!(
        "{} down · {} up",
        format::bandwidth(n.downlink_bps),
        format::bandwidth(n.uplink_bps)
    );
    let loss_text = loss_text(&n.loss);
    let luck_ok = luck_matters(&n.loss);
    html! {
        <section class="controls" data-view="controls" aria-label="Scenario and replay">
            <div class="control-row">
                <label class="control">
                    <span class="control-name">{ "Page" }</span>
                    <select id="page" onchange={on_page}>
                        if preset.is_none() {
                            <option value="" selected=true disabled=true>{ format!("{} (from the link)", s.page.name) }</option>
                        }
                        { for PresetId::ALL.iter().map(|id| html! {
                            <option value={id.id()} selected={preset == Some(*id)}>{ id.label() }</option>
                        }) }
                    </select>
                </label>
                <label class="control">
                    <span class="control-name">{ "Round trip" }</span>
                    <input id="rtt" type="range" min={rtt_min.to_string()} max={rtt_max.to_string()}
                        step="1" value={rtt_ms.to_string()} oninput={on_rtt}
                        aria-valuetext={rtt_text.clone()} />
                    <output id="rtt-value" class="control-value">{ rtt_text }</output>
                </label>
                <label class="control">
                    <span class="control-name">{ "Bandwidth" }</span>
                    <input id="bandwidth" type="range" min="0" max={(bw_steps.len() - 1).to_string()}
                        step="1" value={bw_index.to_string()} oninput={on_bw}
                        aria-valuetext={bw_text.clone()} />
                    <output id="bandwidth-value" class="control-value">{ bw_text }</output>
                </label>
                <label class="control">
                    <span class="control-name">{ "Loss" }</span>
                    <input id="loss" type="range" min="0" max={(loss_steps.len() - 1).to_string()}
                        step="1" value={loss_index.to_string()} oninput={on_loss}
                        disabled={ppm.is_none()} aria-valuetext={loss_text.clone()} />
                    <output id="loss-value" class="control-value">{ loss_text }</output>
                </label>
                <button id="luck" onclick={luck} disabled={!luck_ok}
                    aria-describedby="luck-note">
                    { format!("⟳ Other luck (seed {})", n.seed) }
                </button>
                <span id="luck-note" class="sr-only">{ "Draws the random losses again: the seed picks which packets are lost; every lane gets the same luck." }</span>
            </div>
            <div class="control-row options" role="group" aria-label="Protocol and browser options">
                <label class="control">
                    <span class="control-name">{ "Cache" }</span>
                    <select id="cache" onchange={on_cache}>
                        <option value="cold" selected={s.browser.cache == Cache::Cold}>{ "cold (first visit)" }</option>
                        <option value="warm" selected={s.browser.cache == Cache::Warm}>{ "warm (repeat visit)" }</option>
                    </select>
                </label>
                <label class="control">
                    <span class="control-name">{ "Server order" }</span>
                    <select id="scheduler" onchange={on_scheduler}>
                        <option value="sequential" selected={s.server.scheduler == SchedulerKind::Sequential}>{ "sequential (RFC 9218)" }</option>
                        <option value="round-robin" selected={s.server.scheduler == SchedulerKind::RoundRobin}>{ "round-robin" }</option>
                    </select>
                </label>
                <label class="control">
                    <span class="control-name">{ "TLS records (TCP)" }</span>
                    <select id="tls-records" onchange={on_records}>
                        <option value="16k" selected={records == TlsRecords::Nginx16k}>{ "16 KB (nginx)" }</option>
                        <option value="4k" selected={records == TlsRecords::Small4k}>{ "4 KB" }</option>
                        <option value="dynamic" selected={records == TlsRecords::Dynamic}>{ "dynamic (Cloudflare)" }</option>
                        <option value="per-write" selected={records == TlsRecords::PerWrite}>{ "one per write" }</option>
                    </select>
                </label>
                <label class="control">
                    <input id="early-hints" type="checkbox" checked={s.server.early_hints} onchange={on_hints} />
                    <span class="control-name">{ "103 Early Hints" }</span>
                </label>
                <label class="control">
                    <input id="zero-rtt" type="checkbox" checked={s.http3.zero_rtt} onchange={on_zero_rtt} />
                    <span class="control-name">{ "HTTP/3 0-RTT" }</span>
                </label>
                <label class="control">
                    <span class="control-name">{ "HTTP/1.1 connections" }</span>
                    <input id="h1-connections" type="range" min={H1_CONNECTIONS_MIN.to_string()} max={h1_max.to_string()}
                        step="1" value={h1.to_string()} oninput={on_h1}
                        aria-valuetext={h1.to_string()} />
                    <output id="h1-connections-value" class="control-value short">{ h1 }</output>
                </label>
                <div class="buttons">
                    <button id="play" onclick={play}>{ if p.playing { "❚❚ Pause" } else { "▶ Play" } }</button>
                    <button id="restart" onclick={restart}>{ "↺ Replay" }</button>
                </div>
            </div>
        </section>
    }
}
