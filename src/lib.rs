//! The protoviz web app: Yew function components that draw a [`Trace`] at a playhead time,
//! and the web worker that runs the engine.
//!
//! The engine runs in exactly one place, the worker ([`worker`], its own binary); the page
//! asks it through [`engine`] and takes its answers as [`state::Action`]s. Components only
//! read the run and the scenario.
//!
//! [`Trace`]: protoviz_engine::Trace

pub mod app;
pub mod classroom;
pub mod components;
pub mod context;
pub mod engine;
pub mod exporter;
pub mod format;
pub mod framemodel;
pub mod hooks;
pub mod keys;
pub mod location;
pub mod model;
pub mod protocol;
pub mod scrub;
pub mod state;
pub mod transfer;
pub mod wiremodel;
pub mod worker;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Whether this instance runs in a web worker (no `window`): the engine's worker runs the
/// page's module too, and serves jobs instead of mounting the app.
pub fn in_worker() -> bool {
    use wasm_bindgen::JsCast;
    js_sys::global().dyn_into::<web_sys::Window>().is_err()
}

/// Mounts the app on the page's `<body>`, in place of the loading message.
pub fn start() {
    std::panic::set_hook(Box::new(show_panic));
    if let Some(loading) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        loading.remove();
    }
    yew::Renderer::<app::App>::new().render();
}

/// A panic must never leave a blank page without a word: say what happened in the page.
fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    let msg = format!("protoviz stopped because of a bug: {info}. Reload the page to start again.");
    web_sys::console::error_1(&msg.clone().into());
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let note = body
            .owner_document()
            .and_then(|d| d.create_element("p").ok());
        if let Some(p) = note {
            p.set_class_name("error");
            p.set_attribute("role", "alert").ok();
            p.set_text_content(Some(&msg));
            let _ = body.prepend_with_node_1(&p);
        }
    }
}
