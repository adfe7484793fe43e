//! The winner map: for the page and options on screen, which protocol loads fastest at
//! each round trip × loss rate (several seeds per lossy cell), computed by the engine's
//! web worker as one batch beside whatever the page shows — the page stays usable, and the
//! cells fill in as the runs come back. A cell's colour is its winner's, stronger the
//! larger its margin over the runner-up; clicking a cell opens that scenario.

use std::rc::Rc;

use protoviz_engine::winner_map::{self, cell_scenario, Cell, LOSS_PPM, RTTS_MS};
use protoviz_engine::Scenario;
use yew::prelude::*;

use crate::classroom::{ClassAction, MapRun};
use crate::context::use_dispatch;
use crate::engine::EngineWorker;
use crate::format;

#[derive(Properties, PartialEq)]
pub struct WinnerMapProps {
    pub engine: EngineWorker,
    pub scenario: Rc<Scenario>,
    pub map: Option<Rc<MapRun>>,
}

#[function_component]
pub fn WinnerMap(p: &WinnerMapProps) -> Html {
    let d = use_dispatch();
    let start = {
        let d = d.clone();
        let engine = p.engine.clone();
        let scenario = p.scenario.clone();
        let running = p.map.as_ref().filter(|m| !m.finished).map(|m| m.id);
        Callback::from(move |_: ()| {
            if let Some(id) = running {
                engine.cancel(id);
            }
            let runs: Vec<Scenario> = winner_map::runs(&scenario)
                .into_iter()
                .map(|(_, s)| s)
                .collect();
            let id = engine.batch(runs);
            d.dispatch(ClassAction::MapStarted(id, scenario.clone()).into());
        })
    };
    // Opening the map computes it for the scenario on screen, once.
    {
        let start = start.clone();
        let none = p.map.is_none();
        use_effect_with((), move |_| {
            if none {
                start.emit(());
            }
        });
    }
    let close = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::MapOpen(false).into()))
    };
    let recompute = {
        let start = start.clone();
        Callback::from(move |_: MouseEvent| start.emit(()))
    };
    let Some(map) = &p.map else {
        return html! {};
    };
    let total = map.total();
    let cells = winner_map::cells();
    let header = html! {
        <tr>
            <th scope="col" class="corner">{ "loss ↓  RTT →" }</th>
            { for RTTS_MS.iter().map(|ms| html! { <th scope="col">{ format!("{ms} ms") }</th> }) }
        </tr>
    };
    let rows = LOSS_PPM.iter().enumerate().map(|(r, &ppm)| {
        let tds = RTTS_MS.iter().enumerate().map(|(c, _)| {
            let i = r * RTTS_MS.len() + c;
            let cell: Cell = cells[i];
            let open = {
                let d = d.clone();
                let s = cell_scenario(&map.base, cell);
                Callback::from(move |_: MouseEvent| d.dispatch(ClassAction::SetScenario(Box::new(s.clone())).into()))
            };
            match map.winner(i) {
                Some(w) => {
                    let margin = w.margin_pct();
                    let strength = 30 + margin.min(70);
                    let style = format!("background: color-mix(in srgb, var(--{}) {strength}%, var(--panel));", w.protocol.id());
                    let dark = strength >= 60;
                    let runner = w.runner_up.map(|(p, t)| format!(", {} {} ({margin} % longer)", p.label(), format::dur(t))).unwrap_or_default();
                    let label = format!("{} ms, {} loss: {} fastest, {}{runner}; open this scenario",
                        cell.rtt_ms, format::percent_ppm(cell.loss_ppm), w.protocol.label(), format::dur(w.load));
                    html! {
                        <td>
                            <button type="button" class={classes!("cell", dark.then_some("strong"))} data-cell={format!("{r},{c}")}
                                data-winner={w.protocol.id()} data-margin={margin.to_string()} data-seeds={w.seeds.to_string()}
                                style={style} onclick={open} aria-label={label}>
                                <span class="cell-winner">{ short(w.protocol) }</span>
                                <span class="cell-margin">{ format!("+{margin} %") }</span>
                            </button>
                        </td>
                    }
                }
                None => html! {
                    <td>
                        <button type="button" class="cell pending" data-cell={format!("{r},{c}")} onclick={open}
                            aria-label={format!("{} ms, {} loss: computing; open this scenario", cell.rtt_ms, format::percent_ppm(cell.loss_ppm))}>
                            { "…" }
                        </button>
                    </td>
                },
            }
        });
        html! { <tr><th scope="row">{ format::percent_ppm(ppm) }</th>{ for tds }</tr> }
    });
    html! {
        <section class="panel winner-map" data-view="winner-map" aria-label="Winner map: the fastest protocol by round trip and loss"
            data-done={map.done.to_string()} data-total={total.to_string()} data-finished={map.finished.to_string()}>
            <header class="panel-head">
                <h2>{ "Winner map" }</h2>
                <span class="hint">{ format!("Page \u{201c}{}\u{201d}, these options; each cell: the lane with the lowest median load over {} seeds (one without loss), and how much longer the runner-up takes. Click a cell to open it.", map.base.page.name, winner_map::SEEDS) }</span>
                <button type="button" class="close" onclick={close} aria-label="Close the winner map">{ "×" }</button>
            </header>
            <div class="map-progress" aria-live="polite">
                <progress id="map-progress" max={total.to_string()} value={map.done.to_string()}></progress>
                <span>{ if map.finished { format!("{total} runs done") } else { format!("{} of {total} runs…", map.done) } }</span>
                <button type="button" id="map-start" onclick={recompute}>{ "Recompute for the scenario on screen" }</button>
            </div>
            <p class="hint map-key">{ "H1: HTTP/1.1 · H2: HTTP/2 · H2+P: HTTP/2 + push · H3: HTTP/3 — each in its lane's colour, the stronger the larger the margin; “+12 %”: the runner-up takes 12 % longer." }</p>
            <table class="map-grid">
                <thead>{ header }</thead>
                <tbody>{ for rows }</tbody>
            </table>
        </section>
    }
}

fn short(p: protoviz_engine::Protocol) -> &'static str {
    match p {
        protoviz_engine::Protocol::Http1 => "H1",
        protoviz_engine::Protocol::Http2 => "H2",
        protoviz_engine::Protocol::Http2Push => "H2+P",
        protoviz_engine::Protocol::Http3 => "H3",
    }
}
