//! Custom hooks.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

/// While `running`, calls `on_frame` once per animation frame with the real milliseconds
/// elapsed since the previous frame (0 on the first).
#[hook]
pub fn use_animation_frames(running: bool, on_frame: Callback<f64>) {
    use_effect_with(running, move |&running| {
        let alive = Rc::new(Cell::new(running));
        if running {
            let slot = Rc::new(RefCell::new(None));
            schedule(slot, Rc::new(Cell::new(None)), alive.clone(), on_frame);
        }
        move || alive.set(false)
    });
}

fn schedule(
    slot: Rc<RefCell<Option<AnimationFrame>>>,
    last: Rc<Cell<Option<f64>>>,
    alive: Rc<Cell<bool>>,
    on_frame: Callback<f64>,
) {
    let next = slot.clone();
    let frame = request_animation_frame(move |ts| {
        if !alive.get() {
            next.borrow_mut().take();
            return;
        }
        let dt = last.get().map_or(0.0, |prev| ts - prev);
        last.set(Some(ts));
        on_frame.emit(dt);
        schedule(next, last, alive, on_frame);
    });
    *slot.borrow_mut() = Some(frame);
}
