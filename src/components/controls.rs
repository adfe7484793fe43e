//! The network sliders and the replay buttons.

use protoviz_engine::PresetId;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::format;
use crate::state::{BANDWIDTH_STEPS, LOSS_STEPS_PPM, RTT_MAX_MS, RTT_MIN_MS};

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
            <div class="buttons">
                <button id="play" onclick={play}>{ if p.playing { "❚❚ Pause" } else { "▶ Play" } }</button>
                <button id="restart" onclick={restart}>{ "↺ Replay" }</button>
            </div>
        </section>
    }
}
