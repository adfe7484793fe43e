//! The top component: one reducer holds the state; children get plain props.

use yew::prelude::*;

use crate::components::axis::Axis;
use crate::components::controls::Controls;
use crate::components::lane::LaneView;
use crate::components::legend::Legend;
use crate::format;
use crate::hooks::use_animation_frames;
use crate::location;
use crate::state::{Action, AppState};

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState::from_hash(&location::read_hash()));
    // The scenario goes into the location hash whenever a control changes it (not on the
    // first render: a link's own text stays as it was, a bad one included).
    {
        let first = use_mut_ref(|| true);
        use_effect_with(state.hash(), move |hash| {
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                location::write_hash(hash);
            }
        });
    }
    let dispatch = |f: fn(u64) -> Action| {
        let s = state.clone();
        Callback::from(move |v: u64| s.dispatch(f(v)))
    };
    use_animation_frames(state.playing, {
        let s = state.clone();
        Callback::from(move |dt: f64| s.dispatch(Action::Tick(dt)))
    });
    let on_rtt = dispatch(Action::SetRttMs);
    let on_bandwidth = {
        let s = state.clone();
        Callback::from(move |i: usize| s.dispatch(Action::SetBandwidthStep(i)))
    };
    let on_loss = {
        let s = state.clone();
        Callback::from(move |i: usize| s.dispatch(Action::SetLossStep(i)))
    };
    let on_preset = {
        let s = state.clone();
        Callback::from(move |id| s.dispatch(Action::SetPreset(id)))
    };
    let on_option = {
        let s = state.clone();
        Callback::from(move |a: Action| s.dispatch(a))
    };
    let on_new_luck = {
        let s = state.clone();
        Callback::from(move |()| s.dispatch(Action::NewLuck))
    };
    let on_play_pause = {
        let s = state.clone();
        Callback::from(move |()| {
            s.dispatch(if s.playing {
                Action::Pause
            } else {
                Action::Play
            })
        })
    };
    let on_restart = {
        let s = state.clone();
        Callback::from(move |()| s.dispatch(Action::Restart))
    };
    let timeline = state.timeline_us();
    let verdict = verdict(&state);
    html! {
        <main class="app">
            <header class="top">
                <h1>{ "protoviz" }</h1>
                <p class="tagline">{ "One page, one network, each protocol in its own lane — every bar computed by a protocol engine running in this page." }</p>
            </header>
            <Controls page={state.scenario.page.name.clone()} {on_preset} rtt_ms={state.rtt_ms} bandwidth_step={state.bandwidth_step} loss_step={state.loss_step}
                seed={state.scenario.network.seed} playing={state.playing}
                cache={state.scenario.browser.cache} scheduler={state.scenario.server.scheduler}
                early_hints={state.scenario.server.early_hints} zero_rtt={state.scenario.http3.zero_rtt}
                h1_connections={state.scenario.http1.connections}
                {on_rtt} {on_bandwidth} {on_loss} {on_new_luck} {on_play_pause} {on_restart} {on_option} />
            if let Some(err) = &state.hash_error {
                <p class="error hash-error" id="hash-error" role="alert">{ err }</p>
            }
            if let Some(err) = &state.error {
                <p class="error" role="alert">{ format!("Cannot simulate this: {err}. Showing the last result.") }</p>
            }
            <p class="verdict" id="verdict">{ verdict }</p>
            <p class="clock">{ format!("t = {}", format::ms(state.playhead_us)) }</p>
            <div class="lanes">
                { for state.lanes.iter().map(|lane| html! {
                    <div class="lane-wrap">
                        <Axis timeline_us={timeline} first_paint_us={lane.metrics.first_paint.map(|t| t.as_micros())}
                            dcl_us={lane.metrics.dom_content_loaded.map(|t| t.as_micros())} playhead_us={state.playhead_us} />
                        <LaneView lane={lane.clone()} timeline_us={timeline} playhead_us={state.playhead_us} />
                    </div>
                }) }
            </div>
            <Legend />
            <footer class="about">
                { format!("Page \u{201c}{}\u{201d}: {} assets, {} · ", state.scenario.page.name, state.scenario.page.assets.len(),
                    format::bytes(state.scenario.page.assets.iter().map(|a| a.size).sum())) }
                { "Engine: real TCP (NewReno with HyStart, SACK, fast retransmit, RTO) and TLS 1.3, and QUIC (RFC 9002 loss recovery) for HTTP/3, each lane over its own copy of one bottleneck link with a drop-tail queue of one bandwidth-delay product — so even at 0 % loss, a burst that slow start sends can overflow the queue and lose packets (HyStart ends slow start on rising delay, but not always in time). HTTP/1.1 heads are real text, HTTP/2 headers HPACK-compressed, HTTP/3 headers QPACK-compressed (static table only: no dynamic table yet)." }
            </footer>
        </main>
    }
}

/// One sentence comparing the fastest lane with the slowest (any number of lanes; on a
/// tie the earlier lane is named). Lanes that did not finish are left out.
pub fn verdict(s: &AppState) -> String {
    let mut lanes: Vec<(_, u64)> = s
        .lanes
        .iter()
        .filter_map(|l| Some((l, l.metrics.load?.as_micros())))
        .collect();
    lanes.sort_by_key(|&(_, load)| load);
    match lanes.as_slice() {
        [(_, best_load), .., (_, worst_load)] if best_load == worst_load => {
            format!("Every lane loads the page in {}.", format::ms(*best_load))
        }
        [(best, best_load), .., (worst, worst_load)] => {
            let gain = worst_load - best_load;
            format!(
                "{} loads the page {} sooner than {} ({:.0} % faster), with {} connection{} instead of {}.",
                best.protocol.label(),
                format::ms(gain),
                worst.protocol.label(),
                gain as f64 / (*worst_load).max(1) as f64 * 100.0,
                best.metrics.connections,
                if best.metrics.connections == 1 { "" } else { "s" },
                worst.metrics.connections,
            )
        }
        _ => String::new(),
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use protoviz_engine::{PresetId, Protocol, Scenario};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// With four lanes the verdict names the fastest and the slowest of all four.
    #[test]
    fn verdict_compares_fastest_and_slowest_of_four() {
        let s = AppState::default();
        assert_eq!(s.lanes.len(), 4);
        let best = s
            .lanes
            .iter()
            .min_by_key(|l| l.metrics.load.unwrap())
            .unwrap();
        let worst = s
            .lanes
            .iter()
            .max_by_key(|l| l.metrics.load.unwrap())
            .unwrap();
        let v = verdict(&s);
        assert!(
            v.starts_with(&format!("{} loads the page ", best.protocol.label())),
            "{v}"
        );
        assert!(
            v.contains(&format!(" sooner than {} (", worst.protocol.label())),
            "{v}"
        );
        // HTTP/2 and HTTP/2 + push tie when push pushes nothing: a tie of every lane says so.
        let mut sc = Scenario::preset(PresetId::Blog);
        sc.protocols = vec![Protocol::Http2, Protocol::Http2Push];
        sc.http2.push = protoviz_engine::options::PushPolicy::None;
        let s = AppState::new(sc);
        assert_eq!(
            s.lanes[0].metrics.load.unwrap(),
            s.lanes[1].metrics.load.unwrap()
        );
        assert_eq!(
            verdict(&s),
            format!(
                "Every lane loads the page in {}.",
                format::dur(s.lanes[0].metrics.load.unwrap())
            )
        );
        // One lane: nothing to compare.
        let mut sc = Scenario::preset(PresetId::Blog);
        sc.protocols = vec![Protocol::Http3];
        assert_eq!(verdict(&AppState::new(sc)), "");
    }
}
