//! The top component: the one reducer, the engine's worker, the location hash and the
//! animation clock; the contexts every view reads; the page's layout.

use std::rc::Rc;

use protoviz_engine::url;
use yew::prelude::*;

use crate::components::controls::Controls;
use crate::components::decode::Decode;
use crate::components::detail::Detail;
use crate::components::inspector::Inspector;
use crate::components::export::ExportPanel;
use crate::components::lanes::Lanes;
use crate::components::legend::Legend;
use crate::components::verdict::{Status, VerdictView};
use crate::components::why::Why;
use crate::context::{Dispatch, Playhead, RunCtx, Timeline};
use crate::engine::{EngineEvent, EngineWorker};
use crate::format;
use crate::hooks::use_animation_frames;
use crate::location;
use crate::state::{Action, AppState, Origin};

/// The engine's worker, started once; its answers become actions.
#[hook]
fn use_engine(dispatch: Dispatch) -> EngineWorker {
    let engine = use_memo((), move |_| {
        EngineWorker::start(Callback::from(move |e: EngineEvent| {
            dispatch.dispatch(match e {
                EngineEvent::Trace(t) => Action::TraceArrived(t),
                EngineEvent::SeedRun {
                    scenario,
                    index,
                    total,
                    outcome,
                } => Action::SeedRun {
                    scenario,
                    index,
                    total,
                    outcome,
                },
                EngineEvent::Failed { scenario, error } => Action::EngineFailed { scenario, error },
                EngineEvent::Crashed(m) => Action::EngineCrashed(m),
                // No view starts batches of its own yet (the winner map will take these).
                EngineEvent::BatchItem { .. } | EngineEvent::BatchDone(_) => return,
            })
        }))
    });
    (*engine).clone()
}

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState::from_hash(&location::read_hash()));
    let dispatch = state.dispatcher();
    let engine = use_engine(dispatch.clone());
    // Whatever the controls show is what the engine is asked for (coalesced in the engine).
    use_effect_with(state.scenario.clone(), move |s| engine.want(Rc::clone(s)));
    // A control's change is written into the hash, so a link reproduces the view; a link's
    // own text stays as it was given (a bad key included) until a control changes.
    use_effect_with((state.scenario.clone(), state.origin), |(s, origin)| {
        if *origin == Origin::Control {
            location::write_hash(&format!("#{}", url::encode(s)));
        }
    });
    location::use_hash_changes(dispatch.clone());
    use_animation_frames(state.playing && state.run.is_some(), {
        let d = dispatch.clone();
        Callback::from(move |dt: f64| d.dispatch(Action::Tick(dt)))
    });

    let on_seek = {
        let d = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .and_then(|i| i.value().parse::<f64>().ok())
            {
                d.dispatch(Action::Seek(v / 1000.0));
            }
        })
    };
    let run = RunCtx(state.run.clone());
    let timeline = match state.zoom {
        Some((from, to)) if to > from => Timeline {
            start_us: from,
            end_us: to.min(state.end_us()).max(from + 1),
        },
        _ => Timeline {
            start_us: 0,
            end_us: state.end_us(),
        },
    };
    let page = &state.scenario.page;
    let cc = match state.scenario.transport.congestion {
        protoviz_engine::transport::cc::Algorithm::Cubic => "CUBIC",
        protoviz_engine::transport::cc::Algorithm::NewReno => "NewReno",
    };
    html! {
        <ContextProvider<Dispatch> context={dispatch.clone()}>
        <ContextProvider<RunCtx> context={run}>
        <ContextProvider<Timeline> context={timeline}>
        <ContextProvider<Playhead> context={Playhead(state.playhead_us)}>
        <main class="app">
            <header class="top">
                <h1>{ "protoviz" }</h1>
                <p class="tagline">{ "One page, one network, each protocol in its own lane — every bar computed by a protocol engine running in this page." }</p>
            </header>
            <Controls scenario={state.scenario.clone()} playing={state.playing} />
            <ExportPanel scenario={state.scenario.clone()} />
            if !state.link_errors.is_empty() {
                <div class="error hash-error" id="hash-error" role="alert">
                    <p>{ format!("Part of this link could not be used (the rest of it applies): #{}", state.link_text) }</p>
                    <ul>{ for state.link_errors.iter().map(|e| html! { <li>{ e }</li> }) }</ul>
                </div>
            }
            if let Some((_, err)) = &state.engine_error {
                <p class="error" role="alert">{ format!("The engine cannot simulate this: {err}. Showing the last result.") }</p>
            }
            if let Some(msg) = &state.crash {
                <p class="error" role="alert">{ format!("The engine stopped because of a bug: {msg}. It has been restarted; change a control to run again.") }</p>
            }
            <VerdictView verdict={state.verdict.clone()} />
            <div class="timebar" data-view="timebar" aria-label="Replay time" data-playhead-us={state.playhead_us.to_string()}>
                <label for="seek">{ "Time" }</label>
                <input id="seek" type="range" min="0" max="1000" step="1"
                    value={((state.playhead_us as f64 / state.end_us() as f64) * 1000.0).round().to_string()}
                    oninput={on_seek} aria-valuetext={format::ms(state.playhead_us)} />
                <span class="clock">{ format!("t = {}", format::ms(state.playhead_us)) }</span>
                <Status busy={state.busy()} seeds={state.seed_progress()} />
                <crate::components::zoom::ZoomStatus zoom={state.zoom} playhead_us={state.playhead_us} end_us={state.end_us()} />
            </div>
            if state.run.is_none() {
                <p class="starting">{ "Running the engine…" }</p>
            }
            <Lanes expanded={state.expanded.clone()} selected={state.selected} lost={state.lost} wire_open={state.wire_open} />
            <Detail selected={state.selected} />
            <Why picked={state.lost} />
            <Inspector pick={state.inspector} />
            <Decode open={state.decode_open} />
            <Legend />
            <footer class="about">
                { format!("Page \u{201c}{}\u{201d}: {} assets, {} · ", page.name, page.assets.len(),
                    format::bytes(page.assets.iter().map(|a| a.size).sum())) }
                { format!("Engine: TCP as Linux 6.x sends it ({cc} with HyStart, SACK, RACK and tail loss probes, PRR, RTO) under TLS 1.3 with nginx's 16 KiB records by default, and QUIC as quic-go serves it (RFC 9002 loss recovery, pacing) for HTTP/3 — each checked against real Chromium, nginx and Caddy loads — over one bottleneck link per lane with a drop-tail queue of one bandwidth-delay product (at least 64 KiB), so even at 0 % loss a burst that slow start sends can overflow the queue and lose packets. HTTP/1.1 heads are real text, HTTP/2 headers HPACK-compressed, HTTP/3 headers QPACK-compressed (static table only). The engine runs in a web worker, so the page stays responsive while it computes.") }
            </footer>
        </main>
        </ContextProvider<Playhead>>
        </ContextProvider<Timeline>>
        </ContextProvider<RunCtx>>
        </ContextProvider<Dispatch>>
    }
}
