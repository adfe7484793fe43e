//! The import/export worker: reading HAR and protoviz JSON files, and writing the run on
//! screen as JSON, CSV, qlog or SVG, in a web worker of its own (`export-worker.js` and
//! its WebAssembly), started the first time a person imports or exports. Its code (the
//! HAR and JSON readers with their error paths, the qlog crate's types, the SVG writer)
//! stays out of the app's own WebAssembly, which every visitor loads; and the main thread
//! never simulates: an export runs the scenario on screen again here (the engine is
//! deterministic, so it is the same trace, bit for bit) and formats it.
//!
//! [`Exporter`] is the page's side: one worker for the page's life, requests answered by
//! id through the callbacks given.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::Array;
use protoviz_engine::export::{self, json::Imported};
use protoviz_engine::{har, simulate, Scenario};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, MessageEvent, Url, Worker};

use crate::components::editor::with_page;

/// What the run on screen can be exported as (PNG is the SVG, drawn by the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// The whole trace, versioned.
    Json,
    /// The page alone.
    Page,
    Csv,
    Qlog,
    Svg,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Job {
    /// A file's text: a HAR, or a protoviz trace, scenario or page; `current` is what it
    /// changes (a page replaces the current scenario's).
    Import {
        name: String,
        text: String,
        current: Box<Scenario>,
    },
    Export {
        format: Format,
        scenario: Box<Scenario>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ToExporter {
    pub id: u32,
    pub job: Job,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Output {
    Imported {
        scenario: Box<Scenario>,
        message: String,
        notes: Vec<String>,
    },
    Text(String),
}

#[derive(Debug, Serialize, Deserialize)]
pub enum FromExporter {
    Ready,
    Done {
        id: u32,
        result: Result<Output, String>,
    },
}

/// The worker's answer to one job.
pub fn run(job: Job) -> Result<Output, String> {
    match job {
        Job::Import {
            name,
            text,
            current,
        } => import(&name, &text, &current),
        Job::Export { format, scenario } => {
            let trace = simulate(&scenario).map_err(|e| e.to_string())?;
            Ok(Output::Text(match format {
                Format::Json => export::json::trace(&trace),
                Format::Page => export::json::page(&trace.scenario.page),
                Format::Csv => export::csv::timings(&trace),
                Format::Qlog => export::qlog::to_json(&trace),
                Format::Svg => export::svg::lanes(&trace),
            }))
        }
    }
}

/// A file's text as the scenario to run, or what is wrong with it (with its JSON path).
fn import(name: &str, text: &str, current: &Scenario) -> Result<Output, String> {
    let looks_har = name.to_ascii_lowercase().ends_with(".har")
        || (text.contains("\"log\"") && text.contains("\"entries\""));
    let (scenario, message, notes) = if looks_har {
        let got = har::import(text).map_err(|e| format!("{name}: {e}"))?;
        let n = got.page.assets.len();
        (
            with_page(current, got.page, None),
            format!("Imported {n} assets from the HAR {name}."),
            got.notes,
        )
    } else {
        match export::json::import(text).map_err(|e| format!("{name}: {e}"))? {
            Imported::Scenario(s) => (*s, format!("Imported the scenario of {name}."), vec![]),
            Imported::Page(page) => {
                let n = page.assets.len();
                (
                    with_page(current, page, None),
                    format!("Imported the page of {name} ({n} assets)."),
                    vec![],
                )
            }
        }
    };
    scenario.validate().map_err(|e| format!("{name}: {e}"))?;
    Ok(Output::Imported {
        scenario: Box::new(scenario),
        message,
        notes,
    })
}

fn post_from_worker(msg: &FromExporter) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let json = serde_json::to_string(msg).unwrap_or_default();
    if let Err(e) = scope.post_message(&JsValue::from_str(&json)) {
        web_sys::console::error_2(&"protoviz export worker: cannot post".into(), &e);
    }
}

/// The worker's main loop: one job per message, answered in order.
pub fn serve() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("protoviz export worker: {info}").into());
    }));
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        match serde_json::from_str::<ToExporter>(&text) {
            Ok(ToExporter { id, job }) => post_from_worker(&FromExporter::Done {
                id,
                result: run(job),
            }),
            Err(err) => web_sys::console::error_1(
                &format!("protoviz export worker: a message it cannot read ({err})").into(),
            ),
        }
    });
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post_from_worker(&FromExporter::Ready);
}

type Reply = Box<dyn FnOnce(Result<Output, String>)>;

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    next: u32,
    outbox: Vec<String>,
    waiting: BTreeMap<u32, Reply>,
    _on_message: Option<Closure<dyn Fn(MessageEvent)>>,
    _on_error: Option<Closure<dyn Fn(web_sys::ErrorEvent)>>,
}

/// The page's handle on the export worker (started on first use).
#[derive(Clone)]
pub struct Exporter(Rc<RefCell<Inner>>);

impl PartialEq for Exporter {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

impl Default for Exporter {
    fn default() -> Self {
        Exporter(Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            next: 0,
            outbox: Vec::new(),
            waiting: BTreeMap::new(),
            _on_message: None,
            _on_error: None,
        })))
    }
}

/// A blob worker needs absolute URLs: the worker's files against the page's address.
fn spawn() -> Result<Worker, JsValue> {
    let base = web_sys::window().ok_or("no window")?.location().href()?;
    let js = Url::new_with_base("./export-worker.js", &base)?.href();
    let wasm = Url::new_with_base("./export-worker_bg.wasm", &base)?.href();
    let loader = format!("importScripts({js:?});wasm_bindgen({{module_or_path:{wasm:?}}});");
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&Array::of1(&loader.into()), &options)?;
    Worker::new(&Url::create_object_url_with_blob(&blob)?)
}

impl Exporter {
    /// Sends `job`; `reply` hears its answer (or why the worker could not start).
    pub fn ask(&self, job: Job, reply: impl FnOnce(Result<Output, String>) + 'static) {
        if self.0.borrow().worker.is_none() {
            if let Err(e) = self.start() {
                reply(Err(format!("the export worker could not start ({e:?})")));
                return;
            }
        }
        let mut inner = self.0.borrow_mut();
        inner.next += 1;
        let id = inner.next;
        inner.waiting.insert(id, Box::new(reply));
        let json = serde_json::to_string(&ToExporter { id, job }).unwrap_or_default();
        if inner.ready {
            if let Some(w) = &inner.worker {
                let _ = w.post_message(&JsValue::from_str(&json));
            }
        } else {
            inner.outbox.push(json);
        }
    }

    fn start(&self) -> Result<(), JsValue> {
        let worker = spawn()?;
        let weak = Rc::downgrade(&self.0);
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(inner) = weak.upgrade() else { return };
            let text = e.data().as_string().unwrap_or_default();
            match serde_json::from_str::<FromExporter>(&text) {
                Ok(FromExporter::Ready) => {
                    let mut i = inner.borrow_mut();
                    i.ready = true;
                    let out = std::mem::take(&mut i.outbox);
                    if let Some(w) = &i.worker {
                        for m in out {
                            let _ = w.post_message(&JsValue::from_str(&m));
                        }
                    }
                }
                Ok(FromExporter::Done { id, result }) => {
                    let reply = inner.borrow_mut().waiting.remove(&id);
                    if let Some(reply) = reply {
                        reply(result);
                    }
                }
                Err(err) => web_sys::console::error_1(
                    &format!("protoviz: an export worker message it cannot read ({err})").into(),
                ),
            }
        });
        // A worker that fails (its files missing offline, a bug) answers every request
        // waiting with what happened, and the next request starts a new one.
        let weak = Rc::downgrade(&self.0);
        let on_error =
            Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                let Some(inner) = weak.upgrade() else { return };
                let waiting = {
                    let mut i = inner.borrow_mut();
                    if let Some(w) = i.worker.take() {
                        w.terminate();
                    }
                    i.ready = false;
                    i.outbox.clear();
                    std::mem::take(&mut i.waiting)
                };
                let message = format!("the export worker stopped ({})", e.message());
                for (_, reply) in waiting {
                    reply(Err(message.clone()));
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.worker = Some(worker);
        inner._on_message = Some(on_message);
        inner._on_error = Some(on_error);
        Ok(())
    }
}
