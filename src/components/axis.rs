//! The shared time axis above the lanes.

use yew::prelude::*;

use crate::format;

#[derive(Properties, PartialEq)]
pub struct AxisProps {
    pub timeline_us: u64,
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
    html! { <div class="axis" aria-hidden="true">{ for ticks }</div> }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::tick_step;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(1_400_000), 500_000);
        assert_eq!(tick_step(600_000), 100_000);
        assert_eq!(tick_step(5_000_000), 1_000_000);
        assert_eq!(tick_step(1), 1);
    }
}
