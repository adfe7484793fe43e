//! Slide mode (`view=slides`): the chosen lanes only, large type, no chrome, sized to the
//! window so a 16:9 iframe from 800×450 to 1920×1080 shows it whole without scrolling. A
//! line at the bottom says the time and speed; `?` opens the keys.

use protoviz_engine::url::view::speed_text;
use yew::prelude::*;

use crate::classroom::ClassAction;
use crate::components::lanes::Lanes;
use crate::context::{use_dispatch, use_run};
use crate::format;
use crate::keys::KEYS;
use crate::state::{Selection, Shared};

#[derive(Properties, PartialEq)]
pub struct SlidesProps {
    pub playhead_us: u64,
    pub playing: bool,
    pub speed: u32,
    pub help: bool,
    pub expanded: Shared<std::collections::BTreeSet<String>>,
    pub selected: Option<Selection>,
    pub verdict: Option<String>,
}

/// (lane rows, lane columns) of the grid for `n` lanes: side by side up to two, else 2×2.
pub fn grid(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        _ => (2, 2),
    }
}

#[function_component]
pub fn Slides(p: &SlidesProps) -> Html {
    let d = use_dispatch();
    let run = use_run();
    let lanes = run.as_ref().map_or(1, |r| r.trace.lanes.len());
    let rows = run.as_ref().map_or(1, |r| r.rows.len().max(1));
    let (grid_rows, grid_cols) = grid(lanes);
    // Each row's height follows the window: what is left of a lane after its heading and
    // axis, shared by its rows (CSS works out the pixels from these).
    let style = format!("--lane-rows:{grid_rows};--lane-cols:{grid_cols};--rows:{rows};");
    let leave = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(ClassAction::SetMode(protoviz_engine::url::view::Mode::Page).into())
        })
    };
    html! {
        <div class="slide" data-view="slides" aria-label="Slide: the lanes only" style={style} tabindex="-1">
            if run.is_none() {
                <p class="starting">{ "Running the engine…" }</p>
            }
            <Lanes expanded={p.expanded.clone()} selected={p.selected} />
            <footer class="slide-bar">
                <span class="slide-state" data-playing={p.playing.to_string()}>{ if p.playing { "▶" } else { "❚❚" } }</span>
                <span class="clock">{ format!("t = {}", format::ms(p.playhead_us)) }</span>
                <span class="slide-speed" data-speed={speed_text(p.speed)}>{ format!("{}×", speed_text(p.speed)) }</span>
                <span class="slide-verdict">{ p.verdict.clone().unwrap_or_default() }</span>
                <button type="button" class="slide-keys" onclick={Callback::from({ let d = d.clone(); move |_: MouseEvent| d.dispatch(ClassAction::Help(true).into()) })}
                    aria-label="Keyboard keys">{ "?" }</button>
                <button type="button" class="slide-leave" onclick={leave} aria-label="Leave slide mode">{ "⤢" }</button>
            </footer>
            if p.help {
                <KeysHelp />
            }
        </div>
    }
}

/// The keys, over the page (`?` opens it, Escape or its button closes it).
#[function_component]
pub fn KeysHelp() -> Html {
    let d = use_dispatch();
    let close = Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::Help(false).into()));
    html! {
        <div class="keys-help" role="dialog" aria-label="Keys" data-view="keys">
            <h2>{ "Keys" }</h2>
            <dl>
                { for KEYS.iter().map(|(k, what)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></> }) }
            </dl>
            <button type="button" id="keys-close" onclick={close}>{ "Close" }</button>
        </div>
    }
}
