//! Your own page in, results out: a HAR file (picker or drop zone) or a protoviz JSON file
//! (trace, scenario or page) in; the run on screen out as versioned JSON, CSV of per-asset
//! timings, qlog for qvis, the page as JSON, and the lanes as SVG or PNG (2×) for slides.
//! A file that cannot be used says what is wrong and where (its JSON path); the scenario
//! on screen stays as it was.
//!
//! Importing parses and checks files here, on the page (milliseconds, no simulation);
//! the run they ask for goes to the engine's worker like any control's.

use std::rc::Rc;

use js_sys::Array;
use protoviz_engine::export::{self, json::Imported};
use protoviz_engine::{har, Scenario, Trace};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlInputElement, Url};
use yew::prelude::*;

use crate::components::editor::with_page;
use crate::context::{use_dispatch, use_run};
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    pub scenario: Rc<Scenario>,
}

/// What the last import said: a success with its notes, or what was wrong.
#[derive(Clone, Debug, PartialEq)]
enum Said {
    Nothing,
    Done { text: String, notes: Vec<String> },
    Wrong(String),
}

/// A file name from the page's name: letters, digits and `-` only.
fn file_name(page: &str, ext: &str) -> String {
    let stem: String = page
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let stem = stem.trim_matches('-');
    format!(
        "protoviz-{}.{ext}",
        if stem.is_empty() { "page" } else { stem }
    )
}

fn blob(parts: &JsValue, mime: &str) -> Option<Blob> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_str_sequence_and_options(parts, &options).ok()
}

/// Saves `blob` as `name` (an `<a download>` clicked; the URL is let go a minute later).
fn save(blob: &Blob, name: &str) -> Result<(), JsValue> {
    let url = Url::create_object_url_with_blob(blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    document.body().ok_or("no body")?.append_child(&a)?;
    a.click();
    a.remove();
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

fn save_text(text: &str, mime: &str, name: &str) {
    if let Some(b) = blob(&Array::of1(&JsValue::from_str(text)), mime) {
        let _ = save(&b, name);
    }
}

/// The SVG drawn at twice its size on a canvas, saved as PNG.
fn save_png(svg: String, name: String) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let b = blob(&Array::of1(&JsValue::from_str(&svg)), "image/svg+xml").ok_or("no blob")?;
    let url = Url::create_object_url_with_blob(&b)?;
    let img: web_sys::HtmlImageElement = document.create_element("img")?.dyn_into()?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    let onload = {
        let img = img.clone();
        let url = url.clone();
        Closure::once_into_js(move || {
            let (w, h) = (img.natural_width(), img.natural_height());
            canvas.set_width(w * 2);
            canvas.set_height(h * 2);
            let ctx = canvas
                .get_context("2d")
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
            if let Some(ctx) = ctx {
                let _ = ctx.scale(2.0, 2.0);
                let _ = ctx.draw_image_with_html_image_element(&img, 0.0, 0.0);
                let done = Closure::once_into_js(move |png: Option<Blob>| {
                    if let Some(png) = png {
                        let _ = save(&png, &name);
                    }
                });
                let _ = canvas.to_blob(done.unchecked_ref());
            }
            let _ = Url::revoke_object_url(&url);
        })
    };
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&url);
    Ok(())
}

/// What a file's text becomes: the scenario to run and what to say, or what is wrong.
fn read(name: &str, text: &str, current: &Scenario) -> Result<(Scenario, Said), String> {
    let looks_har = name.to_ascii_lowercase().ends_with(".har")
        || (text.contains("\"log\"") && text.contains("\"entries\""));
    if looks_har {
        let got = har::import(text).map_err(|e| format!("{name}: {e}"))?;
        let n = got.page.assets.len();
        let s = with_page(current, got.page, None);
        s.validate().map_err(|e| format!("{name}: {e}"))?;
        return Ok((
            s,
            Said::Done {
                text: format!("Imported {n} assets from the HAR {name}."),
                notes: got.notes,
            },
        ));
    }
    match export::json::import(text).map_err(|e| format!("{name}: {e}"))? {
        Imported::Scenario(s) => Ok((
            *s,
            Said::Done {
                text: format!("Imported the scenario of {name}."),
                notes: Vec::new(),
            },
        )),
        Imported::Page(page) => {
            let n = page.assets.len();
            let s = with_page(current, page, None);
            s.validate().map_err(|e| format!("{name}: {e}"))?;
            Ok((
                s,
                Said::Done {
                    text: format!("Imported the page of {name} ({n} assets)."),
                    notes: Vec::new(),
                },
            ))
        }
    }
}

#[function_component]
pub fn ExportPanel(p: &ExportProps) -> Html {
    let dispatch = use_dispatch();
    let run = use_run();
    let said = use_state(|| Said::Nothing);
    let dragging = use_state(|| false);

    // Reads the first file of a list, then imports it.
    let take = {
        let said = said.clone();
        let scenario = p.scenario.clone();
        let dispatch = dispatch.clone();
        Rc::new(move |files: Option<web_sys::FileList>| {
            let Some(file) = files.and_then(|f| f.get(0)) else {
                return;
            };
            let said = said.clone();
            let scenario = scenario.clone();
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                if file.size() > har::MAX_BYTES as f64 * 4.0 {
                    said.set(Said::Wrong(format!(
                        "{name}: the file is {} bytes; at most {} are read",
                        file.size(),
                        har::MAX_BYTES * 4
                    )));
                    return;
                }
                let text = match JsFuture::from(file.text()).await {
                    Ok(t) => t.as_string().unwrap_or_default(),
                    Err(_) => {
                        said.set(Said::Wrong(format!("{name}: the file could not be read")));
                        return;
                    }
                };
                match read(&name, &text, &scenario) {
                    Ok((s, msg)) => {
                        said.set(msg);
                        dispatch.dispatch(Action::SetScenario(Box::new(s)));
                    }
                    Err(m) => said.set(Said::Wrong(m)),
                }
            });
        })
    };
    let on_file = {
        let take = take.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                take(input.files());
                // The same file again is a new choice.
                input.set_value("");
            }
        })
    };
    let on_drag = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let dragging = dragging.clone();
        let take = take.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            take(e.data_transfer().and_then(|d| d.files()));
        })
    };

    let trace: Option<Rc<Trace>> = run.as_ref().map(|r| Rc::clone(&r.trace));
    let name = p.scenario.page.name.clone();
    let out = |what: &'static str| {
        let trace = trace.clone();
        let name = name.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(t) = &trace else { return };
            match what {
                "json" => save_text(
                    &export::json::trace(t),
                    "application/json",
                    &file_name(&name, "json"),
                ),
                "page" => save_text(
                    &export::json::page(&t.scenario.page),
                    "application/json",
                    &file_name(&format!("{name}-page"), "json"),
                ),
                "csv" => save_text(
                    &export::csv::timings(t),
                    "text/csv",
                    &file_name(&name, "csv"),
                ),
                "qlog" => save_text(
                    &export::qlog::to_json(t),
                    "application/json",
                    &file_name(&name, "qlog"),
                ),
                "svg" => save_text(
                    &export::svg::lanes(t),
                    "image/svg+xml",
                    &file_name(&name, "svg"),
                ),
                _ => {
                    let _ = save_png(export::svg::lanes(t), file_name(&name, "png"));
                }
            }
        })
    };
    let ready = trace.is_some();
    let button = |id: &'static str,
                  what: &'static str,
                  label: &'static str,
                  title: &'static str| {
        html! {
            <button type="button" id={id} disabled={!ready} title={title} onclick={out(what)}>{ label }</button>
        }
    };
    html! {
        <section class="export" data-view="export" aria-label="Import and export">
            <div class={classes!("drop-zone", dragging.then_some("dragging"))} data-view="har-drop"
                aria-label="Drop a HAR or protoviz JSON file here"
                ondragover={on_drag.clone()} ondragenter={on_drag} ondragleave={on_leave} ondrop={on_drop}>
                <label class="file-pick">{ "Your own page: " }
                    <input type="file" id="import-file" accept=".har,.json,application/json"
                        aria-label="Import a HAR or a protoviz JSON file" onchange={on_file} />
                </label>
                <span class="hint">{ "or drop a HAR (DevTools → Network → Export HAR) or a protoviz JSON file here" }</span>
            </div>
            <div class="export-buttons" role="group" aria-label="Export the run on screen">
                <span class="hint">{ "Export:" }</span>
                { button("export-json", "json", "JSON", "the whole trace with its scenario (import it again to rerun it)") }
                { button("export-page", "page", "page JSON", "the page's assets, for the editor or --scenario") }
                { button("export-csv", "csv", "CSV", "per-asset timings of every lane") }
                { button("export-qlog", "qlog", "qlog", "one qlog trace per lane, for qvis") }
                { button("export-svg", "svg", "SVG", "the lanes as a self-contained picture") }
                { button("export-png", "png", "PNG", "the lanes at twice their size") }
            </div>
            {
                match &*said {
                    Said::Nothing => html! {},
                    Said::Done { text, notes } => html! {
                        <div class="import-done" id="import-message" role="status">
                            <p>{ text }</p>
                            if !notes.is_empty() {
                                <ul id="import-notes">{ for notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
                            }
                        </div>
                    },
                    Said::Wrong(m) => html! {
                        <p class="error" id="import-message" role="alert">{ format!("Not imported (the page on screen is unchanged): {m}") }</p>
                    },
                }
            }
        </section>
    }
}
