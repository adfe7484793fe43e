//! The scenario in the page's location hash: read at start-up and whenever it changes
//! (`hashchange`, and back/forward's `popstate`), written with `history.replaceState` when
//! a control changes it (no new history entry per slider step, and no `hashchange` loop).

use gloo_events::EventListener;
use yew::prelude::*;

use crate::context::Dispatch;
use crate::state::Action;

/// `location.hash` (with its `#`), or "" outside a browser window.
pub fn read_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the current history entry's hash with `hash` (which starts with `#`); the
/// page's path and query stay as they are, so it works under any sub-path and in an iframe.
pub fn write_hash(hash: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
    }
}

/// Dispatches [`Action::HashChanged`] whenever the location hash changes under the app (a
/// slide deck setting it, a link clicked, back and forward).
#[hook]
pub fn use_hash_changes(dispatch: Dispatch) {
    use_effect_with((), move |_| {
        let listeners = web_sys::window().map(|w| {
            let on = |event: &'static str| {
                let d = dispatch.clone();
                EventListener::new(&w, event, move |_| {
                    d.dispatch(Action::HashChanged(read_hash()))
                })
            };
            [on("hashchange"), on("popstate")]
        });
        move || drop(listeners)
    });
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn written_hash_reads_back_and_keeps_the_path() {
        let path = web_sys::window().unwrap().location().pathname().unwrap();
        let before = read_hash();
        write_hash("#page=tiles&rtt=50");
        assert_eq!(read_hash(), "#page=tiles&rtt=50");
        assert_eq!(
            web_sys::window().unwrap().location().pathname().unwrap(),
            path
        );
        write_hash(if before.is_empty() { "#" } else { &before });
    }
}
