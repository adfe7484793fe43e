//! The lanes, side by side on the shared time axis. Nothing here reads the playhead: the
//! waterfalls are drawn once per run; only each lane's figures, its axis markers and the
//! curtain over it follow the playhead (from its context).

use yew::prelude::*;

use crate::components::connections::{Connections, WireToggle};
use crate::components::figures::Figures;
use crate::components::packets::Packets;
use crate::components::waterfall::{Waterfall, ROW_LIMIT};
use crate::context::{use_run, use_timeline};
use crate::format;
use crate::state::{PacketPick, Selection, Shared};

#[derive(Properties, PartialEq)]
pub struct LanesProps {
    pub expanded: Shared<std::collections::BTreeSet<String>>,
    pub selected: Option<Selection>,
    /// The lost packet picked in a packet strip.
    #[prop_or_default]
    pub lost: Option<PacketPick>,
    /// The connection tracks and packet strips are open.
    #[prop_or_default]
    pub wire_open: bool,
}

#[function_component]
pub fn Lanes(p: &LanesProps) -> Html {
    let run = use_run();
    let tl = use_timeline();
    // Rows each waterfall draws (a page of thousands of assets shows the first ones).
    let limit = use_state(|| ROW_LIMIT);
    let on_more = {
        let set = limit.setter();
        use_callback(*limit, move |(), shown| set.set(shown + ROW_LIMIT))
    };
    let Some(run) = run else {
        return html! {};
    };
    html! {
        <div class="lanes" data-view="lanes" aria-label="One lane per protocol"
            data-start-us={tl.start_us.to_string()} data-end-us={tl.end_us.to_string()} data-run={run.link.clone()}>
            { for run.trace.lanes.iter().enumerate().map(|(index, lane)| html! {
                <section class={classes!("lane", lane.protocol.id())} data-protocol={lane.protocol.id()}
                    data-load-us={format::us_attr(lane.metrics.load)} data-ttfb-us={format::us_attr(lane.metrics.ttfb)}
                    data-view="lane" aria-label={format!("{} lane", lane.protocol.label())}>
                    <Figures {index} />
                    <Waterfall {index} expanded={p.expanded.clone()} selected={p.selected}
                        limit={*limit} on_more={on_more.clone()} />
                    <WireToggle {index} open={p.wire_open} />
                    if p.wire_open {
                        <Connections {index} />
                        <Packets {index} picked={p.lost} />
                    }
                </section>
            }) }
        </div>
    }
}

/// Renders the lanes of a real run in the browser, with the contexts the app provides.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::context::{RunCtx, Timeline};
    use crate::state::{AppState, Run};
    use protoviz_engine::{simulate, url};
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[derive(Properties, PartialEq)]
    struct HarnessProps {
        run: Shared<Run>,
        playhead_us: u64,
    }

    #[function_component]
    fn Harness(p: &HarnessProps) -> Html {
        let state = use_reducer(AppState::default);
        let timeline = Timeline {
            start_us: 0,
            end_us: p.run.end_us,
        };
        html! {
            <ContextProvider<crate::context::Dispatch> context={state.dispatcher()}>
            <ContextProvider<RunCtx> context={RunCtx(Some(p.run.clone()))}>
            <ContextProvider<Timeline> context={timeline}>
            <ContextProvider<crate::context::Playhead> context={crate::context::Playhead(p.playhead_us)}>
                <Lanes expanded={Shared::new(Default::default())} selected={None} />
            </ContextProvider<crate::context::Playhead>>
            </ContextProvider<Timeline>>
            </ContextProvider<RunCtx>>
            </ContextProvider<crate::context::Dispatch>>
        }
    }

    fn mount(link: &str, playhead_us: Option<u64>) -> (web_sys::Element, Shared<Run>) {
        let trace = simulate(&url::decode(link).unwrap()).unwrap();
        let run = Shared::new(Run::new(Rc::new(trace)));
        let doc = web_sys::window().unwrap().document().unwrap();
        let root = doc.create_element("div").unwrap();
        doc.body().unwrap().append_child(&root).unwrap();
        let props = HarnessProps {
            run: run.clone(),
            playhead_us: playhead_us.unwrap_or(run.end_us),
        };
        yew::Renderer::<Harness>::with_root_and_props(root.clone(), props).render();
        (root, run)
    }

    async fn rendered() {
        gloo_timers::future::sleep(std::time::Duration::from_millis(50)).await;
    }

    fn count(root: &web_sys::Element, css: &str) -> u32 {
        root.query_selector_all(css).unwrap().length()
    }

    /// Every row and every stall of the run is drawn once, whatever the playhead; the
    /// curtain hides what has not happened yet.
    #[test]
    async fn the_lanes_draw_the_whole_run_and_the_playhead_is_one_property() {
        let (root, run) = mount("page=blog&loss=2", Some(0));
        rendered().await;
        assert_eq!(count(&root, ".lane"), 4);
        assert_eq!(count(&root, ".asset-row"), 64);
        let stalls: usize = run
            .trace
            .lanes
            .iter()
            .flat_map(|l| &l.assets)
            .flat_map(|a| &a.blocked)
            .filter(|b| crate::components::waterfall::is_stall(b))
            .count();
        assert!(stalls > 0);
        assert_eq!(count(&root, ".seg.blocked") as usize, stalls);
        let lanes = root.query_selector(".lanes").unwrap().unwrap();
        let curtain = root.query_selector(".curtain").unwrap().unwrap();
        assert_eq!(
            curtain.get_attribute("style").unwrap(),
            "transform:translateX(0.000%)",
            "the playhead at the start: the curtain covers everything"
        );
        assert_eq!(lanes.get_attribute("data-run").unwrap(), "page=blog&loss=2");
        // Before their time, the figures are dashes.
        let ttfb = root
            .query_selector(".lane[data-protocol=h2] .ttfb")
            .unwrap()
            .unwrap();
        assert_eq!(ttfb.text_content().unwrap(), "—");
        root.remove();
    }

    #[test]
    async fn a_finished_lane_shows_its_figures_and_the_tiles_one_group() {
        let (root, run) = mount("page=tiles", None);
        rendered().await;
        assert_eq!(
            count(&root, ".asset-row"),
            8,
            "the HTML and one group in each lane"
        );
        assert_eq!(count(&root, ".asset-row.group"), 4);
        let load = root
            .query_selector(".lane[data-protocol=h1] .load")
            .unwrap()
            .unwrap()
            .dyn_into::<web_sys::HtmlElement>()
            .unwrap();
        let want = run.trace.lanes[0].metrics.load.unwrap();
        assert_eq!(load.text_content().unwrap(), crate::format::dur(want));
        assert_eq!(
            load.get_attribute("data-us").unwrap(),
            want.as_micros().to_string()
        );
        root.remove();
    }
}
