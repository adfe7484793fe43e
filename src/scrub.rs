//! Drag the playhead on the lanes themselves: press on any row's track (the time axis
//! above the rows is the zoom's: drag across it to zoom) and the playhead jumps there, then follows the pointer until it is released
//! (touch too: pointer events). The time is the pointer's place on the shared time axis;
//! the replay pauses, as with the slider. Listens on the document, so no view changes.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::classroom::ClassAction;
use crate::context::{Dispatch, Timeline};

/// Where a drag started: the track's left edge and width, in CSS pixels.
#[derive(Clone, Copy)]
struct Span {
    left: f64,
    width: f64,
}

/// The time (µs) at `x` over `span` on `tl`, clamped to the axis.
fn time_at(x: f64, span: Span, tl: Timeline) -> u64 {
    let f = ((x - span.left) / span.width.max(1.0)).clamp(0.0, 1.0);
    tl.start_us + (f * tl.span() as f64).round() as u64
}

#[hook]
pub fn use_scrub(dispatch: Dispatch, timeline: Timeline) {
    let tl = use_mut_ref(|| timeline);
    *tl.borrow_mut() = timeline;
    use_effect_with((), move |_| {
        let drag: Rc<RefCell<Option<Span>>> = Rc::new(RefCell::new(None));
        let doc = web_sys::window().and_then(|w| w.document());
        let listeners = doc.map(|doc| {
            let down = {
                let (d, drag, tl) = (dispatch.clone(), drag.clone(), tl.clone());
                EventListener::new(&doc, "pointerdown", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::MouseEvent>() else {
                        return;
                    };
                    if e.button() != 0 {
                        return;
                    }
                    let target = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    let track = target.and_then(|t| {
                        t.closest(".lanes .asset-row .track, .lanes .axis")
                            .ok()
                            .flatten()
                    });
                    let Some(track) = track else {
                        return;
                    };
                    let r = track.get_bounding_client_rect();
                    let span = Span {
                        left: r.left(),
                        width: r.width(),
                    };
                    *drag.borrow_mut() = Some(span);
                    e.prevent_default();
                    let t = time_at(f64::from(e.client_x()), span, *tl.borrow());
                    d.dispatch(ClassAction::SeekUs(t).into());
                })
            };
            let moved = {
                let (d, drag, tl) = (dispatch.clone(), drag.clone(), tl.clone());
                EventListener::new(&doc, "pointermove", move |e| {
                    let Some(span) = *drag.borrow() else {
                        return;
                    };
                    if let Some(e) = e.dyn_ref::<web_sys::MouseEvent>() {
                        let t = time_at(f64::from(e.client_x()), span, *tl.borrow());
                        d.dispatch(ClassAction::SeekUs(t).into());
                    }
                })
            };
            let up = {
                let drag = drag.clone();
                EventListener::new(&doc, "pointerup", move |_| *drag.borrow_mut() = None)
            };
            let cancel =
                EventListener::new(&doc, "pointercancel", move |_| *drag.borrow_mut() = None);
            [down, moved, up, cancel]
        });
        move || drop(listeners)
    });
}
