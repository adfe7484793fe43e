//! Your own page in, results out: a HAR file (picker or drop zone) or a protoviz JSON file
//! (trace, scenario or page) in; the run on screen out as versioned JSON, CSV of per-asset
//! timings, qlog for qvis, the page as JSON, and the lanes as SVG or PNG (2×) for slides.
//! A file that cannot be used says what is wrong and where (its JSON path); the scenario
//! on screen stays as it was.
//!
//! Reading and writing happen in the export worker ([`crate::exporter`], started on first
//! use); the scenario an import asks for runs in the engine's worker like any control's.

use std::rc::Rc;

use js_sys::Array;
use protoviz_engine::{export, har, Scenario};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlInputElement, Url};
use yew::prelude::*;

use crate::components::editor::Editor;
use crate::context::{use_dispatch, use_run};
use crate::exporter::{Exporter, Format, Job, Output};
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

#[function_component]
pub fn ExportPanel(p: &ExportProps) -> Html {
    let dispatch = use_dispatch();
    let run = use_run();
    let said = use_state(|| Said::Nothing);
    let dragging = use_state(|| false);

    let exporter = use_memo((), |_| Exporter::default());
    // Reads the first file of a list, then has the export worker import it.
    let take = {
        let said = said.clone();
        let scenario = p.scenario.clone();
        let dispatch = dispatch.clone();
        let exporter = (*exporter).clone();
        Rc::new(move |files: Option<web_sys::FileList>| {
            let Some(file) = files.and_then(|f| f.get(0)) else {
                return;
            };
            let said = said.clone();
            let current = Box::new((*scenario).clone());
            let dispatch = dispatch.clone();
            let exporter = exporter.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                // A file over the import's limit is refused unread.
                let (max, what) = if name.to_ascii_lowercase().ends_with(".har") {
                    (har::MAX_BYTES, "HAR")
                } else {
                    (export::json::MAX_BYTES, "JSON")
                };
                if file.size() > max as f64 {
                    said.set(Said::Wrong(format!(
                        "{name}: {what} $: the file is {} bytes; at most {max} are allowed",
                        file.size()
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
                exporter.ask(
                    Job::Import {
                        name,
                        text,
                        current,
                    },
                    move |r| match r {
                        Ok(Output::Imported {
                            scenario,
                            message,
                            notes,
                        }) => {
                            said.set(Said::Done {
                                text: message,
                                notes,
                            });
                            dispatch.dispatch(Action::SetScenario(scenario));
                        }
                        Ok(Output::Text(_)) => {}
                        Err(m) => said.set(Said::Wrong(m)),
                    },
                );
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

    // What is on screen: the run's own scenario (the controls may already ask for the next).
    let shown: Option<Rc<Scenario>> = run.as_ref().map(|r| Rc::new(r.scenario().clone()));
    let name = p.scenario.page.name.clone();
    let out = |what: &'static str| {
        let shown = shown.clone();
        let name = name.clone();
        let exporter = (*exporter).clone();
        let said = said.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(s) = &shown else { return };
            let (format, mime, file) = match what {
                "json" => (Format::Json, "application/json", file_name(&name, "json")),
                "page" => (
                    Format::Page,
                    "application/json",
                    file_name(&format!("{name}-page"), "json"),
                ),
                "csv" => (Format::Csv, "text/csv", file_name(&name, "csv")),
                "qlog" => (Format::Qlog, "application/json", file_name(&name, "qlog")),
                "svg" => (Format::Svg, "image/svg+xml", file_name(&name, "svg")),
                _ => (Format::Svg, "image/png", file_name(&name, "png")),
            };
            let said = said.clone();
            exporter.ask(
                Job::Export {
                    format,
                    scenario: Box::new((**s).clone()),
                },
                move |r| match r {
                    Ok(Output::Text(text)) if mime == "image/png" => {
                        let _ = save_png(text, file);
                    }
                    Ok(Output::Text(text)) => save_text(&text, mime, &file),
                    Ok(Output::Imported { .. }) => {}
                    Err(m) => said.set(Said::Wrong(format!("cannot export: {m}"))),
                },
            );
        })
    };
    let ready = shown.is_some();
    let button = |id: &'static str,
                  what: &'static str,
                  label: &'static str,
                  title: &'static str| {
        html! {
            <button type="button" id={id} disabled={!ready} aria-label={format!("{label}: {title}")} onclick={out(what)}>{ label }</button>
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
                <span class="hint">{ "or drop a HAR or protoviz JSON here" }</span>
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
            <Editor scenario={p.scenario.clone()} />
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
                        <p class="error" id="import-message" role="alert">{ format!("Not done (the page on screen is unchanged): {m}") }</p>
                    },
                }
            }
        </section>
    }
}
