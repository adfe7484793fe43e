//! The time axis above each lane's rows: round ticks, and the lane's first paint and
//! DOMContentLoaded, which appear (in CSS, from the lanes' `--t`) when the playhead reaches
//! them.

use yew::prelude::*;

use crate::context::use_timeline;
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
    let tl = use_timeline();
    let step = tick_step(tl.span());
    let first = tl.start_us.div_ceil(step) * step;
    let ticks = (0..)
        .map(|i| first + i * step)
        .take_while(|&t| t <= tl.end_us)
        .map(|t| {
            html! { <span class="tick" style={format!("left:{:.3}%", tl.pct(t))}>{ format::ms(t) }</span> }
        });
    let marker = |class: &'static str, label: &'static str, what: &'static str, at: Option<u64>| {
        at.map(|t| {
            html! {
                <span class={classes!("marker", class, "reveal")} data-us={t.to_string()}
                    aria-label={format!("{what} at {}", format::ms(t))}
                    style={format!("left:{:.3}%;--at:{:.6}", tl.pct(t), tl.frac(t))}>{ label }</span>
            }
        })
    };
    html! {
        <div class="axis" aria-hidden="true">
            { for ticks }
            { for marker("first-paint", "FP", "First paint", p.first_paint_us) }
            { for marker("dcl", "DCL", "DOMContentLoaded", p.dcl_us) }
        </div>
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
