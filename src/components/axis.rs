//! The shared time axis above the lanes.

use yew::prelude::*;

use crate::format;

#[derive(Properties, PartialEq)]
pub struct AxisProps {
    pub timeline_us: u64,
    /// This lane's first paint, µs; marked once the playhead reaches it.
    #[prop_or_default]
    pub first_paint_us: Option<u64>,
    /// This lane's DOMContentLoaded, µs; marked once the playhead reaches it.
    #[prop_or_default]
    pub dcl_us: Option<u64>,
    /// Simulated time shown, µs (markers appear when it reaches them).
    #[prop_or(u64::MAX)]
    pub playhead_us: u64,
}

/// A "nice" tick step (1, 2 or 5 × 10^k µs) giving about six ticks.
pub fn tick_step(timeline_us: u64) -> u64 {
    let raw = (timeline_us / 6).max(1);
    let mut pow = 1u64;
    while pow.saturating_mul(10) <= raw {
        pow *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * pow)
        .find(|&s| s >= raw)
        .unwrap_or(10 * pow)
}

#[function_component]
pub fn Axis(p: &AxisProps) -> Html {
    let step = tick_step(p.timeline_us);
    let ticks = (0..)
        .map(|i| i * step)
        .take_while(|&t| t <= p.timeline_us)
        .map(|t| {
            let left = t as f64 / p.timeline_us as f64 * 100.0;
            html! { <span class="tick" style={format!("left:{left:.3}%")}>{ format::ms(t) }</span> }
        });
    let timeline = p.timeline_us.max(1) as f64;
    let marker = |class: &'static str, label: &'static str, what: &'static str, at: Option<u64>| {
        at.filter(|&t| t <= p.playhead_us).map(|t| {
            let left = t as f64 / timeline * 100.0;
            html! {
                <span class={classes!("marker", class)} data-us={t.to_string()}
                    title={format!("{what} at {}", format::ms(t))}
                    style={format!("left:{left:.3}%")}>{ label }</span>
            }
        })
    };
    html! {
        <div class="axis">
            { for ticks }
            { marker("first-paint", "FP", "First paint: the page could first be drawn", p.first_paint_us) }
            { marker("dcl", "DCL", "DOMContentLoaded: the HTML is parsed and its scripts have run", p.dcl_us) }
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn mount(props: AxisProps) -> web_sys::Element {
        let doc = web_sys::window().unwrap().document().unwrap();
        let root = doc.create_element("div").unwrap();
        doc.body().unwrap().append_child(&root).unwrap();
        yew::Renderer::<Axis>::with_root_and_props(root.clone(), props).render();
        root
    }

    /// The markers sit at their time's share of the axis and appear once the playhead
    /// reaches them: at 1.0 s of a 2.0 s axis, first paint (0.5 s) shows at 25 %, DCL
    /// (1.5 s) not yet.
    #[test]
    async fn paint_and_dcl_markers_follow_the_playhead() {
        let root = mount(AxisProps {
            timeline_us: 2_000_000,
            first_paint_us: Some(500_000),
            dcl_us: Some(1_500_000),
            playhead_us: 1_000_000,
        });
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
        let fp = root.query_selector(".marker.first-paint").unwrap().unwrap();
        assert_eq!(fp.get_attribute("style").unwrap(), "left:25.000%");
        assert_eq!(fp.get_attribute("data-us").unwrap(), "500000");
        assert_eq!(
            fp.get_attribute("title").unwrap(),
            "First paint: the page could first be drawn at 500 ms"
        );
        assert!(root.query_selector(".marker.dcl").unwrap().is_none());
        root.remove();
        let root = mount(AxisProps {
            timeline_us: 2_000_000,
            first_paint_us: Some(500_000),
            dcl_us: Some(1_500_000),
            playhead_us: 2_000_000,
        });
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
        let dcl = root.query_selector(".marker.dcl").unwrap().unwrap();
        assert_eq!(dcl.get_attribute("style").unwrap(), "left:75.000%");
        root.remove();
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(1_400_000), 500_000);
        assert_eq!(tick_step(600_000), 100_000);
        assert_eq!(tick_step(5_000_000), 1_000_000);
        assert_eq!(tick_step(1), 1);
    }
}
