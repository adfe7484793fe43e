//! Zoom (issue 11): drag across any lane's time axis to zoom every view to that range,
//! double-click an axis (or press the reset button) to see the whole run again. The range
//! is its own small piece of state ([`crate::state::AppState::zoom`]); the playhead is not
//! touched.

use yew::prelude::*;

use crate::context::{use_dispatch, use_timeline};
use crate::format;
use crate::state::Action;

/// Fewest pixels a drag must cover to zoom (a click is not a zoom).
const MIN_DRAG_PX: f64 = 4.0;

/// Where the pointer is on `el`, 0 at its left edge and 1 at its right, and its width in
/// pixels.
fn frac(el: &NodeRef, e: &MouseEvent) -> Option<(f64, f64)> {
    let el = el.cast::<web_sys::Element>()?;
    let r = el.get_bounding_client_rect();
    (r.width() > 0.0).then(|| {
        (
            ((f64::from(e.client_x()) - r.left()) / r.width()).clamp(0.0, 1.0),
            r.width(),
        )
    })
}

/// The layer over an axis that takes the drag and shows the range being picked.
#[function_component]
pub fn ZoomDrag() -> Html {
    let tl = use_timeline();
    let dispatch = use_dispatch();
    let node = use_node_ref();
    // The drag in progress: where it started and where it is, as fractions of the axis
    // (a cell, so events between two renders see it), and the same for drawing it.
    let drag = use_mut_ref(|| None::<(f64, f64)>);
    let shown = use_state(|| None::<(f64, f64)>);
    let onmousedown = {
        let (drag, shown, node) = (drag.clone(), shown.clone(), node.clone());
        Callback::from(move |e: MouseEvent| {
            if e.button() == 0 {
                if let Some((f, _)) = frac(&node, &e) {
                    e.prevent_default();
                    *drag.borrow_mut() = Some((f, f));
                    shown.set(Some((f, f)));
                }
            }
        })
    };
    let onmousemove = {
        let (drag, shown, node) = (drag.clone(), shown.clone(), node.clone());
        Callback::from(move |e: MouseEvent| {
            let start = drag.borrow().map(|d| d.0);
            if let (Some(a), Some((f, _))) = (start, frac(&node, &e)) {
                *drag.borrow_mut() = Some((a, f));
                shown.set(Some((a, f)));
            }
        })
    };
    let onmouseup = {
        let (drag, shown, node) = (drag.clone(), shown.clone(), node.clone());
        let d = dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            let start = drag.borrow_mut().take().map(|d| d.0);
            shown.set(None);
            let (Some(a), Some((f, width))) = (start, frac(&node, &e)) else {
                return;
            };
            if (f - a).abs() * width < MIN_DRAG_PX {
                return;
            }
            let at = |x: f64| tl.start_us + (x * tl.span() as f64).round() as u64;
            let (from, to) = (at(a.min(f)), at(a.max(f)));
            if to > from {
                d.dispatch(Action::Zoom(Some((from, to))));
            }
        })
    };
    let onmouseleave = {
        let (drag, shown) = (drag.clone(), shown.clone());
        Callback::from(move |_: MouseEvent| {
            *drag.borrow_mut() = None;
            shown.set(None);
        })
    };
    let ondblclick = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Zoom(None)))
    };
    let sel = shown.map(|(a, b)| {
        let (l, r) = (a.min(b) * 100.0, a.max(b) * 100.0);
        html! { <span class="zoom-sel" style={format!("left:{l:.3}%;width:{:.3}%", r - l)}></span> }
    });
    html! {
        <span class="zoom-drag" ref={node} data-zoom-axis="" {onmousedown} {onmousemove} {onmouseup} {onmouseleave} {ondblclick}>
            { for sel }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct ZoomStatusProps {
    pub zoom: Option<(u64, u64)>,
    /// The playhead, µs: the keyboard's zoom centres on it.
    #[prop_or_default]
    pub playhead_us: u64,
    /// The end of the whole run's axis, µs.
    #[prop_or_default]
    pub end_us: u64,
}

/// Half of `range` (at least 1 ms) centred on `at`, shifted to stay inside [0, end].
pub fn zoom_in(range: (u64, u64), at: u64, end: u64) -> (u64, u64) {
    let width = ((range.1.saturating_sub(range.0)) / 2).max(1_000);
    let at = at.clamp(range.0, range.1);
    let mut from = at.saturating_sub(width / 2);
    if from + width > end {
        from = end.saturating_sub(width);
    }
    (from, (from + width).min(end.max(from + 1)))
}

#[function_component]
pub fn ZoomStatus(p: &ZoomStatusProps) -> Html {
    let dispatch = use_dispatch();
    let range = p.zoom.unwrap_or((0, p.end_us.max(1)));
    let zin = {
        let d = dispatch.clone();
        let (at, end) = (p.playhead_us, p.end_us);
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Zoom(Some(zoom_in(range, at, end)))))
    };
    let zoom_button = html! {
        <button type="button" class="zoom-in" onclick={zin}
            aria-label="Zoom in twice around the playhead">{ "Zoom in ×2" }</button>
    };
    let Some((from, to)) = p.zoom else {
        return html! {
            <span class="zoom-status">{ zoom_button }<span class="hint">{ " or drag across a time axis" }</span></span>
        };
    };
    let onclick = Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Zoom(None)));
    html! {
        <span class="zoom-status" data-zoom-from={from.to_string()} data-zoom-to={to.to_string()}>
            { format!("Zoomed to {} – {} ", format::ms(from), format::ms(to)) }
            { zoom_button }
            <button type="button" class="zoom-reset" {onclick}>{ "Show the whole run" }</button>
        </span>
    }
}
