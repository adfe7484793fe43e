//! The time axis above each lane's rows: round ticks ([`Ticks`], drawn once per run), and
//! the lane's first paint and DOMContentLoaded, which appear when the playhead reaches them
//! ([`Markers`], the only part that follows the playhead).

use yew::prelude::*;

use crate::context::{use_playhead, use_timeline};
use crate::format;

#[derive(Properties, PartialEq)]
pub struct AxisProps {
    /// This lane's first paint, µs.
    #[prop_or_default]
    pub first_paint_us: Option<u64>,
    /// This lane's DOMContentLoaded, µs.
    #[prop_or_default]
    pub dcl_us: Option<u64>,
}

/// A "nice" tick step (1, 2 or 5 × 10^k µs) giving about six ticks.
pub fn tick_step(span_us: u64) -> u64 {
    let raw = (span_us / 6).max(1);
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
    html! {
        <div class="axis" aria-hidden="true">
            <Ticks />
            <Markers first_paint_us={p.first_paint_us} dcl_us={p.dcl_us} />
            <crate::components::zoom::ZoomDrag />
        </div>
    }
}

#[function_component]
fn Ticks() -> Html {
    let tl = use_timeline();
    let step = tick_step(tl.span());
    let first = tl.start_us.div_ceil(step) * step;
    let ticks = (0..)
        .map(|i| first + i * step)
        .take_while(|&t| t <= tl.end_us)
        .map(|t| {
            html! { <span class="tick" style={format!("left:{:.3}%", tl.pct(t))}>{ format::ms(t) }</span> }
        });
    html! { { for ticks } }
}

#[function_component]
fn Markers(p: &AxisProps) -> Html {
    let tl = use_timeline();
    let now = use_playhead();
    let marker = |class: &'static str, label: &'static str, at: Option<u64>| {
        at.filter(|&t| t <= now).map(|t| {
            html! {
                <span class={classes!("marker", class)} data-us={t.to_string()}
                    style={format!("left:{:.3}%", tl.pct(t))}>{ label }</span>
            }
        })
    };
    html! {
        <>
            { for marker("first-paint", "FP", p.first_paint_us) }
            { for marker("dcl", "DCL", p.dcl_us) }
        </>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(1_400_000), 500_000);
        assert_eq!(tick_step(600_000), 100_000);
        assert_eq!(tick_step(5_000_000), 1_000_000);
        assert_eq!(tick_step(1), 1);
    }
}
