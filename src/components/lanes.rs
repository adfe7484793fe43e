//! The lanes, side by side on the shared time axis. The playhead is one CSS property, `--t`,
//! on this container: the waterfalls under it are drawn once per run and never re-render
//! for a tick; only each lane's figures do.

use yew::prelude::*;

use crate::components::figures::Figures;
use crate::components::waterfall::Waterfall;
use crate::context::{use_run, use_timeline};
use crate::state::{Selection, Shared};

#[derive(Properties, PartialEq)]
pub struct LanesProps {
    pub playhead_us: u64,
    pub expanded: Shared<std::collections::BTreeSet<String>>,
    pub selected: Option<Selection>,
}

#[function_component]
pub fn Lanes(p: &LanesProps) -> Html {
    let run = use_run();
    let tl = use_timeline();
    let Some(run) = run else {
        return html! {};
    };
    let t = tl.frac(p.playhead_us).clamp(0.0, 1.0);
    html! {
        <div class="lanes" data-view="lanes" aria-label="One lane per protocol" style={format!("--t:{t:.5}")}
            data-playhead-us={p.playhead_us.to_string()}>
            { for run.trace.lanes.iter().enumerate().map(|(index, lane)| html! {
                <section class={classes!("lane", lane.protocol.id())} data-protocol={lane.protocol.id()}
                    data-view="lane" aria-label={format!("{} lane", lane.protocol.label())}>
                    <Figures {index} playhead_us={p.playhead_us} />
                    <Waterfall {index} expanded={p.expanded.clone()} selected={p.selected} />
                </section>
            }) }
        </div>
    }
}
