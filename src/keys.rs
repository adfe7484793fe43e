//! The keyboard, for a presenter's clicker as much as a keyboard: space plays and pauses,
//! ← → and PageUp PageDown step between the trace's moments, Home replays from the start,
//! 1–4 toggle the lanes, + and − change the speed, ? shows the keys, Escape closes it.
//! Keys typed into a form control are left to it.

use gloo_events::{EventListener, EventListenerOptions};
use protoviz_engine::Protocol;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::classroom::ClassAction;
use crate::context::Dispatch;
use crate::state::Action;

/// Every key and what it does, for the help.
pub const KEYS: [(&str, &str); 7] = [
    ("Space", "play / pause"),
    (
        "← →  PageUp PageDown",
        "previous / next moment (request, first byte, loss, completion)",
    ),
    ("Home", "replay from the start"),
    (
        "1 2 3 4",
        "HTTP/1.1, HTTP/2, HTTP/2 + push, HTTP/3 lane on / off",
    ),
    ("+ −", "faster / slower (0.25× to 4×)"),
    ("?", "these keys"),
    ("Esc", "close this help"),
];

/// What `key` does (`playing`: whether the replay plays now), or `None`.
pub fn action_for(key: &str, playing: bool, help: bool) -> Option<Action> {
    Some(match key {
        " " | "Spacebar" => {
            if playing {
                Action::Pause
            } else {
                Action::Play
            }
        }
        "ArrowLeft" | "PageUp" => ClassAction::Step(-1).into(),
        "ArrowRight" | "PageDown" => ClassAction::Step(1).into(),
        "Home" => Action::Restart,
        "1" | "2" | "3" | "4" => {
            let i = key.parse::<usize>().ok()? - 1;
            ClassAction::ToggleLane(*Protocol::ALL.get(i)?).into()
        }
        "+" | "=" => ClassAction::NudgeSpeed(1).into(),
        "-" | "_" => ClassAction::NudgeSpeed(-1).into(),
        "?" => ClassAction::Help(!help).into(),
        "Escape" if help => ClassAction::Help(false).into(),
        _ => return None,
    })
}

/// Listens on the document while mounted; `playing` and `help` are read fresh each time.
#[hook]
pub fn use_keyboard(dispatch: Dispatch, playing: bool, help: bool) {
    let state = use_mut_ref(|| (false, false));
    *state.borrow_mut() = (playing, help);
    use_effect_with((), move |_| {
        let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&doc, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let key = e.key();
                let tag = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| el.tag_name().to_ascii_lowercase())
                    .unwrap_or_default();
                // A form control keeps its keys (a slider's arrows, a select's letters);
                // a focused button keeps space (it clicks it).
                let typing = matches!(tag.as_str(), "input" | "select" | "textarea");
                if typing || (tag == "button" && key == " ") {
                    return;
                }
                let (playing, help) = *state.borrow();
                if let Some(a) = action_for(&key, playing, help) {
                    e.prevent_default();
                    dispatch.dispatch(a);
                }
            })
        });
        move || drop(listener)
    });
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_key_of_the_help_does_something() {
        for k in [
            " ",
            "ArrowLeft",
            "ArrowRight",
            "PageUp",
            "PageDown",
            "Home",
            "1",
            "2",
            "3",
            "4",
            "+",
            "-",
            "?",
        ] {
            assert!(action_for(k, false, false).is_some(), "{k:?}");
        }
        assert!(
            action_for("Escape", false, false).is_none(),
            "nothing to close"
        );
        assert!(action_for("Escape", false, true).is_some());
        assert!(action_for("x", false, false).is_none());
        assert!(matches!(action_for(" ", true, false), Some(Action::Pause)));
        assert!(matches!(action_for(" ", false, false), Some(Action::Play)));
    }
}
