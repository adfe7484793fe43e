//! The scenario in the page's location hash: read once at start-up, written with
//! `history.replaceState` when a control changes (no new history entry per slider step,
//! and no `hashchange` loop).

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
