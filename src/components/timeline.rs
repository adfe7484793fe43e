//! The replay's timeline: the playhead slider (drag it to scrub; arrow keys move it too),
//! step to the previous or next moment of the trace (a request, a first byte, a loss, a
//! completion), the speed (0.25× to 4×) and loop. The playhead and speed go into the link.

use protoviz_engine::url::view::{speed_text, SPEEDS};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::classroom::ClassAction;
use crate::components::verdict::Status;
use crate::context::use_dispatch;
use crate::format;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct TimelineBarProps {
    pub playhead_us: u64,
    pub end_us: u64,
    pub speed: u32,
    pub looping: bool,
    pub busy: bool,
    pub seeds: Option<(usize, usize)>,
    /// The time axis' zoom, µs (its status and reset sit in this bar).
    #[prop_or_default]
    pub zoom: Option<(u64, u64)>,
}

#[function_component]
pub fn TimelineBar(p: &TimelineBarProps) -> Html {
    let d = use_dispatch();
    let on_seek = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.value().parse::<f64>().ok())
            {
                d.dispatch(Action::Seek(v / 1000.0));
            }
        })
    };
    let step = |dir: i32| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::Step(dir).into()))
    };
    let on_speed = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(x) = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| s.value().parse::<u32>().ok())
            {
                d.dispatch(ClassAction::SetSpeed(x).into());
            }
        })
    };
    let on_loop = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                d.dispatch(ClassAction::SetLoop(i.checked()).into());
            }
        })
    };
    let permille = (p.playhead_us as f64 / p.end_us.max(1) as f64 * 1000.0).round();
    html! {
        <div class="timebar" data-view="timebar" aria-label="Replay time" data-playhead-us={p.playhead_us.to_string()}
            data-speed={speed_text(p.speed)} data-loop={p.looping.to_string()}>
            <button id="step-back" type="button" onclick={step(-1)}
                aria-label="Previous moment: request, first byte, loss or completion">{ "◀ step" }</button>
            <label for="seek">{ "Time" }</label>
            <input id="seek" type="range" min="0" max="1000" step="1"
                value={permille.to_string()} oninput={on_seek} aria-valuetext={format::ms(p.playhead_us)} />
            <button id="step-next" type="button" onclick={step(1)}
                aria-label="Next moment: request, first byte, loss or completion">{ "step ▶" }</button>
            <span class="clock">{ format!("t = {}", format::ms(p.playhead_us)) }</span>
            <label class="control speed-control">
                <span class="control-name">{ "Speed" }</span>
                <select id="speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|&x| html! {
                        <option value={x.to_string()} selected={x == p.speed}>{ format!("{}×", speed_text(x)) }</option>
                    }) }
                </select>
            </label>
            <label class="control">
                <input id="loop" type="checkbox" checked={p.looping} onchange={on_loop} />
                <span class="control-name">{ "Loop" }</span>
            </label>
            <Status busy={p.busy} seeds={p.seeds} />
            <crate::components::zoom::ZoomStatus zoom={p.zoom} playhead_us={p.playhead_us} end_us={p.end_us} />
        </div>
    }
}
