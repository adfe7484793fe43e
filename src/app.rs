//! The top component: the one reducer, the engine's worker, the location hash and the
//! animation clock; the contexts every view reads; the page's layout.

use std::rc::Rc;

use protoviz_engine::url::view::Mode;
use yew::prelude::*;

use crate::classroom::{self, ClassAction};
use crate::components::advanced::Advanced;
use crate::components::classbar::ClassBar;
use crate::components::controls::Controls;
use crate::components::decode::Decode;
use crate::components::detail::Detail;
use crate::components::embed::Embed;
use crate::components::export::ExportPanel;
use crate::components::inspector::Inspector;
use crate::components::lanes::Lanes;
use crate::components::legend::Legend;
use crate::components::lesson::LessonView;
use crate::components::slides::{KeysHelp, Slides};
use crate::components::timeline::TimelineBar;
use crate::components::verdict::VerdictView;
use crate::components::why::Why;
use crate::components::winner_map::WinnerMap;
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
                // The winner map's batch.
                EngineEvent::BatchItem {
                    id, index, outcome, ..
                } => ClassAction::MapItem { id, index, outcome }.into(),
                EngineEvent::BatchDone(id) => ClassAction::MapDone(id).into(),
            })
        }))
    });
    (*engine).clone()
}

/// The viewer asked the system for reduced motion: the replay does not start by itself.
fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(|| {
        let mut s = AppState::from_hash(&location::read_hash());
        if reduced_motion() {
            classroom::apply(&mut s, ClassAction::ReducedMotion);
        }
        s
    });
    let dispatch = state.dispatcher();
    let engine = use_engine(dispatch.clone());
    // Whatever the controls show is what the engine is asked for (coalesced in the engine).
    {
        let engine = engine.clone();
        use_effect_with(state.scenario.clone(), move |s| engine.want(Rc::clone(s)));
    }
    // A control's change is written into the hash, so a link reproduces the view; a link's
    // own text stays as it was given (a bad key included) until a control changes it, or
    // the viewer changes how it is shown (pauses, scrubs, picks a speed, a lesson…).
    let view = classroom::view_now(&state);
    use_effect_with(
        (
            state.scenario.clone(),
            view,
            state.origin,
            state.class.touched,
        ),
        |(s, v, origin, touched)| {
            if *origin == Origin::Control || *touched {
                location::write_hash(&format!("#{}", classroom::hash_text(s, v)));
            }
        },
    );
    use_effect_with(state.class.view.theme, |theme| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", theme.id());
        }
    });
    crate::keys::use_keyboard(dispatch.clone(), state.playing, state.class.help);
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
    crate::scrub::use_scrub(dispatch.clone(), timeline);
    location::use_hash_changes(dispatch.clone());
    use_animation_frames(state.playing && state.run.is_some(), {
        let d = dispatch.clone();
        Callback::from(move |dt: f64| d.dispatch(Action::Tick(dt)))
    });

    let run = RunCtx(state.run.clone());
    let page = &state.scenario.page;
    let cc = match state.scenario.transport.congestion {
        protoviz_engine::transport::cc::Algorithm::Cubic => "CUBIC",
        protoviz_engine::transport::cc::Algorithm::NewReno => "NewReno",
    };
    let c = &state.class;
    if c.view.mode == Mode::Slides {
        return html! {
            <ContextProvider<Dispatch> context={dispatch.clone()}>
            <ContextProvider<RunCtx> context={run}>
            <ContextProvider<Timeline> context={timeline}>
            <ContextProvider<Playhead> context={Playhead(state.playhead_us)}>
            <main class="app slides">
                <Slides playhead_us={state.playhead_us} playing={state.playing} speed={c.view.speed}
                    help={c.help} expanded={state.expanded.clone()} selected={state.selected}
                    verdict={state.verdict.as_ref().map(|v| v.sentence.clone())} />
            </main>
            </ContextProvider<Playhead>>
            </ContextProvider<Timeline>>
            </ContextProvider<RunCtx>>
            </ContextProvider<Dispatch>>
        };
    }
    html! {
        <ContextProvider<Dispatch> context={dispatch.clone()}>
        <ContextProvider<RunCtx> context={run}>
        <ContextProvider<Timeline> context={timeline}>
        <ContextProvider<Playhead> context={Playhead(state.playhead_us)}>
        <main class="app">
            <header class="top">
                <h1>{ "protoviz" }</h1>
                <p class="tagline">{ "One page, one network, each protocol in its own lane — every bar computed by a protocol engine running in this page." }</p>
                <ClassBar theme={c.view.theme} lesson={c.view.lesson.map(|(n, _)| n)}
                    advanced_open={c.advanced_open} embed_open={c.embed_open} map_open={c.map_open} />
            </header>
            <Controls scenario={state.scenario.clone()} playing={state.playing} />
            if c.embed_open {
                <Embed scenario={state.scenario.clone()} view={view} />
            }
            if c.advanced_open {
                <Advanced scenario={state.scenario.clone()} />
            }
            if let Some(at) = c.view.lesson {
                <LessonView {at} revealed={c.revealed} scenario={state.scenario.clone()} />
            }
            if c.map_open {
                <WinnerMap engine={engine.clone()} scenario={state.scenario.clone()} map={c.map.clone()} />
            }
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
            <TimelineBar playhead_us={state.playhead_us} end_us={state.end_us()} speed={c.view.speed}
                looping={c.view.looping} busy={state.busy()} seeds={state.seed_progress()} zoom={state.zoom} />
            if state.run.is_none() {
                <p class="starting">{ "Running the engine…" }</p>
            }
            <Lanes expanded={state.expanded.clone()} selected={state.selected} lost={state.lost} wire_open={state.wire_open} />
            // Your own page in, results out: under the lanes, so the four lanes' first rows
            // keep their place on a 1400×900 screen.
            <ExportPanel scenario={state.scenario.clone()} />
            <Detail selected={state.selected} />
            <Why picked={state.lost} />
            <Inspector pick={state.inspector} />
            <Decode open={state.decode_open} />
            <Legend />
            if c.help {
                <KeysHelp />
            }
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
