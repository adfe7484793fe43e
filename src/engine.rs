//! The page's side of the engine's web worker: what to ask it, and when.
//!
//! [`Coalescer`] is the policy, plain data so it is tested without a worker: at most one
//! simulation is in flight; while it runs, only the latest scenario the page wants waits
//! (every slider step in between is dropped), and it goes out the moment the worker
//! answers — so the last value always wins and the previous result stays on screen until
//! the new one arrives. Once the trace of the scenario the page still wants arrives, and
//! that scenario has random loss, the seeds batch for its median verdict follows; a new
//! scenario cancels it. [`EngineWorker`] carries the messages.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use protoviz_engine::verdict::{self, Outcome};
use protoviz_engine::{Scenario, Trace};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Url, Worker, WorkerOptions, WorkerType,
};
use yew::Callback;

use crate::protocol::{FromWorker, Job, JobId, ToWorker};
use crate::transfer;

/// What the worker's answers mean to the page.
#[derive(Clone, Debug)]
pub enum EngineEvent {
    /// The trace of a scenario the page asked for (maybe already superseded).
    Trace(Rc<Trace>),
    /// One seed of the median batch of `scenario`.
    SeedRun {
        scenario: Rc<Scenario>,
        index: u32,
        total: u32,
        outcome: Outcome,
    },
    /// The engine refused `scenario`.
    Failed {
        scenario: Rc<Scenario>,
        error: String,
    },
    /// One item of a batch started with [`EngineWorker::batch`] (a winner map's cell…).
    BatchItem {
        id: JobId,
        index: u32,
        total: u32,
        outcome: Outcome,
    },
    /// Every item of that batch has been sent.
    BatchDone(JobId),
    /// The worker stopped on a bug (a new one has been started).
    Crashed(String),
}

/// At most one simulation in flight; the latest wanted scenario waits; then its seeds.
#[derive(Debug, Default)]
pub struct Coalescer {
    next_id: JobId,
    /// The simulation running and the scenario it is for.
    pub in_flight: Option<(JobId, Rc<Scenario>)>,
    /// The scenario to simulate next (the latest the page asked for).
    pub waiting: Option<Rc<Scenario>>,
    /// The seeds batch running and the scenario it is for.
    pub batch: Option<(JobId, Rc<Scenario>)>,
    /// Other batches running (started by [`Coalescer::batch`]): they run on, whatever the
    /// page shows, until done or cancelled.
    pub batches: Vec<JobId>,
}

impl Coalescer {
    fn id(&mut self) -> JobId {
        self.next_id += 1;
        self.next_id
    }

    /// The page wants `s` on screen: the messages to send now.
    pub fn want(&mut self, s: Rc<Scenario>) -> Vec<ToWorker> {
        let mut out = Vec::new();
        if let Some((id, _)) = self.batch.take() {
            out.push(ToWorker::Cancel { id });
        }
        if self.in_flight.is_some() {
            self.waiting = Some(s);
        } else {
            let id = self.id();
            out.push(ToWorker::Run {
                id,
                job: Job::Simulate(Box::new((*s).clone())),
            });
            self.in_flight = Some((id, s));
        }
        out
    }

    /// Simulation `id` answered: the scenario it was for, and the messages to send now
    /// (the waiting scenario, or else the seeds of the one just finished).
    pub fn answered(&mut self, id: JobId) -> (Option<Rc<Scenario>>, Vec<ToWorker>) {
        let done = match &self.in_flight {
            Some((running, s)) if *running == id => s.clone(),
            _ => return (None, Vec::new()),
        };
        self.in_flight = None;
        let out = match self.waiting.take() {
            Some(next) if *next != *done => self.want(next),
            _ => match verdict::seeds(&done) {
                Some(seeds) => {
                    let id = self.id();
                    let jobs = seeds
                        .into_iter()
                        .map(|seed| {
                            let mut s = (*done).clone();
                            s.network.seed = seed;
                            s
                        })
                        .collect();
                    self.batch = Some((id, done.clone()));
                    vec![ToWorker::Run {
                        id,
                        job: Job::Batch(jobs),
                    }]
                }
                None => Vec::new(),
            },
        };
        (Some(done), out)
    }

    /// A batch of its own (a winner map's grid): the message to send, and its id.
    pub fn batch(&mut self, scenarios: Vec<Scenario>) -> (JobId, ToWorker) {
        let id = self.id();
        self.batches.push(id);
        (
            id,
            ToWorker::Run {
                id,
                job: Job::Batch(scenarios),
            },
        )
    }

    /// Stops batch `id` (one of [`Coalescer::batch`]'s): the message to send, if it runs.
    pub fn cancel(&mut self, id: JobId) -> Option<ToWorker> {
        let at = self.batches.iter().position(|&b| b == id)?;
        self.batches.remove(at);
        Some(ToWorker::Cancel { id })
    }

    /// The scenario of batch `id`, if it is the current one.
    pub fn batch_scenario(&self, id: JobId) -> Option<Rc<Scenario>> {
        self.batch
            .as_ref()
            .filter(|(b, _)| *b == id)
            .map(|(_, s)| s.clone())
    }

    /// The worker is gone: nothing is in flight any more.
    pub fn reset(&mut self) {
        self.in_flight = None;
        self.waiting = None;
        self.batch = None;
        self.batches.clear();
    }
}

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    outbox: Vec<ToWorker>,
    jobs: Coalescer,
    on_event: Callback<EngineEvent>,
    /// Keeps the worker's handlers alive.
    _handlers: Vec<Closure<dyn Fn(JsValue)>>,
}

/// The engine's worker, as the page uses it.
#[derive(Clone)]
pub struct EngineWorker(Rc<RefCell<Inner>>);

impl PartialEq for EngineWorker {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The page's own script and WebAssembly, as trunk names them in the page (a
/// `modulepreload` link and a `preload` link of the `.wasm`), resolved to absolute URLs:
/// a blob worker imports them, so any sub-path and any iframe work.
fn worker_urls() -> Result<(String, String), JsValue> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let href = |selector: &str| -> Result<String, JsValue> {
        let link = doc
            .query_selector(selector)?
            .ok_or_else(|| format!("no {selector} in the page"))?;
        Ok(link.unchecked_into::<web_sys::HtmlLinkElement>().href())
    };
    Ok((
        href("link[rel=modulepreload][href$='.js']")?,
        href("link[rel=preload][href$='_bg.wasm']")?,
    ))
}

fn spawn_worker() -> Result<Worker, JsValue> {
    let (js, wasm) = worker_urls()?;
    let loader = format!("import init from {js:?};await init({{module_or_path:{wasm:?}}});");
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&Array::of1(&loader.into()), &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let worker_options = WorkerOptions::new();
    worker_options.set_type(WorkerType::Module);
    Worker::new_with_options(&url, &worker_options)
}

impl EngineWorker {
    /// Starts the worker; `on_event` hears every answer.
    pub fn start(on_event: Callback<EngineEvent>) -> EngineWorker {
        let w = EngineWorker(Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            outbox: Vec::new(),
            jobs: Coalescer::default(),
            on_event,
            _handlers: Vec::new(),
        })));
        w.respawn();
        w
    }

    fn respawn(&self) {
        let worker = match spawn_worker() {
            Ok(w) => w,
            Err(e) => {
                let on_event = self.0.borrow().on_event.clone();
                on_event.emit(EngineEvent::Crashed(format!(
                    "the engine's web worker could not start ({e:?})"
                )));
                return;
            }
        };
        let weak = Rc::downgrade(&self.0);
        let on_message = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
            if let Some(inner) = weak.upgrade() {
                EngineWorker(inner).on_message(e.unchecked_into());
            }
        });
        let weak = Rc::downgrade(&self.0);
        let on_error = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
            let message = e
                .dyn_ref::<ErrorEvent>()
                .map(|e| e.message())
                .unwrap_or_else(|| "the engine's web worker failed".into());
            if let Some(inner) = weak.upgrade() {
                EngineWorker(inner).crashed(message);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        if let Some(old) = inner.worker.replace(worker) {
            old.terminate();
        }
        inner.ready = false;
        inner._handlers = vec![on_message, on_error];
    }

    fn crashed(&self, message: String) {
        let on_event = {
            let mut inner = self.0.borrow_mut();
            inner.jobs.reset();
            inner.outbox.clear();
            inner.on_event.clone()
        };
        self.respawn();
        on_event.emit(EngineEvent::Crashed(message));
    }

    /// Asks for `scenario` (coalesced: see [`Coalescer`]).
    pub fn want(&self, scenario: Rc<Scenario>) {
        let msgs = self.0.borrow_mut().jobs.want(scenario);
        self.send(msgs);
    }

    /// Runs `scenarios` as one batch, beside whatever the page shows (a winner map's grid):
    /// each outcome arrives as [`EngineEvent::BatchItem`], in order, then
    /// [`EngineEvent::BatchDone`]. Simulations the page asks for meanwhile go first.
    pub fn batch(&self, scenarios: Vec<Scenario>) -> JobId {
        let (id, msg) = self.0.borrow_mut().jobs.batch(scenarios);
        self.send(vec![msg]);
        id
    }

    /// Stops batch `id` (no `BatchDone` follows).
    pub fn cancel(&self, id: JobId) {
        let msg = self.0.borrow_mut().jobs.cancel(id);
        self.send(msg.into_iter().collect());
    }

    fn send(&self, msgs: Vec<ToWorker>) {
        let mut inner = self.0.borrow_mut();
        if !inner.ready {
            inner.outbox.extend(msgs);
            return;
        }
        let Some(worker) = inner.worker.clone() else {
            return;
        };
        drop(inner);
        for m in msgs {
            let json = serde_json::to_string(&m).unwrap_or_default();
            if let Err(e) = worker.post_message(&Array::of1(&json.into())) {
                web_sys::console::error_2(&"protoviz: cannot reach the engine".into(), &e);
            }
        }
    }

    fn on_message(&self, e: MessageEvent) {
        let parts = Array::from(&e.data());
        let text = parts.get(0).as_string().unwrap_or_default();
        let msg = match serde_json::from_str::<FromWorker>(&text) {
            Ok(m) => m,
            Err(err) => {
                web_sys::console::error_1(
                    &format!("protoviz: an engine message it cannot read ({err})").into(),
                );
                return;
            }
        };
        let on_event = self.0.borrow().on_event.clone();
        match msg {
            FromWorker::Ready => {
                let outbox = {
                    let mut inner = self.0.borrow_mut();
                    inner.ready = true;
                    std::mem::take(&mut inner.outbox)
                };
                self.send(outbox);
            }
            FromWorker::Trace { id } => {
                let (done, next) = self.0.borrow_mut().jobs.answered(id);
                self.send(next);
                if done.is_some() {
                    show_sim_time(&parts.get(2));
                    let bytes = parts.get(1).dyn_into::<Uint8Array>().map(|a| a.to_vec());
                    match bytes
                        .map_err(|_| "no bytes".to_string())
                        .and_then(|b| transfer::decode(&b).map_err(|e| e.to_string()))
                    {
                        Ok(trace) => on_event.emit(EngineEvent::Trace(Rc::new(trace))),
                        Err(error) => self.crashed(error),
                    }
                }
            }
            FromWorker::Item {
                id,
                index,
                total,
                outcome,
            } => {
                let (scenario, other) = {
                    let inner = self.0.borrow();
                    (
                        inner.jobs.batch_scenario(id),
                        inner.jobs.batches.contains(&id),
                    )
                };
                if let Some(scenario) = scenario {
                    on_event.emit(EngineEvent::SeedRun {
                        scenario,
                        index,
                        total,
                        outcome,
                    });
                } else if other {
                    on_event.emit(EngineEvent::BatchItem {
                        id,
                        index,
                        total,
                        outcome,
                    });
                }
            }
            FromWorker::Done { id } => {
                let other = {
                    let mut inner = self.0.borrow_mut();
                    if inner.jobs.batch_scenario(id).is_some() {
                        inner.jobs.batch = None;
                    }
                    inner.jobs.cancel(id).is_some()
                };
                if other {
                    on_event.emit(EngineEvent::BatchDone(id));
                }
            }
            FromWorker::Failed { id, error } => {
                let batch = self.0.borrow().jobs.batch_scenario(id);
                let (done, next) = self.0.borrow_mut().jobs.answered(id);
                self.send(next);
                if let Some(scenario) = done.or(batch) {
                    on_event.emit(EngineEvent::Failed { scenario, error });
                }
            }
            FromWorker::Panicked { message } => self.crashed(message),
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(w) = self.worker.take() {
            w.terminate();
        }
    }
}

/// How long the worker's `simulate` ran for the trace on screen (µs, the third part of its
/// `Trace` message), as `data-sim-us` on `<html>`: `make bench` reads it (tests/bench.rs).
fn show_sim_time(sim_us: &JsValue) {
    let Some(us) = sim_us.as_f64().filter(|us| us.is_finite()) else {
        return;
    };
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-sim-us", &format!("{us:.0}"));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use protoviz_engine::PresetId;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn rtt(ms: u64) -> Rc<Scenario> {
        let mut s = Scenario::preset(PresetId::Blog);
        s.network.rtt = protoviz_engine::SimDuration::from_millis(ms);
        Rc::new(s)
    }

    fn simulates(msgs: &[ToWorker]) -> Vec<u64> {
        msgs.iter()
            .filter_map(|m| match m {
                ToWorker::Run {
                    job: Job::Simulate(s),
                    ..
                } => Some(s.network.rtt.as_micros() / 1_000),
                _ => None,
            })
            .collect()
    }

    /// A drag: the first value runs at once, the ones in between are dropped, the last
    /// runs as soon as the first answers.
    #[test]
    fn one_in_flight_and_the_latest_wins() {
        let mut c = Coalescer::default();
        assert_eq!(simulates(&c.want(rtt(100))), [100]);
        for ms in [110, 120, 130] {
            assert!(c.want(rtt(ms)).is_empty(), "{ms} waits");
        }
        let first = c.in_flight.as_ref().unwrap().0;
        let (done, next) = c.answered(first);
        assert_eq!(done.unwrap().network.rtt.as_micros(), 100_000);
        assert_eq!(simulates(&next), [130]);
        // An answer to a job that is not in flight changes nothing.
        assert_eq!(c.answered(first), (None, Vec::new()));
        let last = c.in_flight.as_ref().unwrap().0;
        let (done, next) = c.answered(last);
        assert_eq!(done.unwrap().network.rtt.as_micros(), 130_000);
        assert!(next.is_empty(), "no loss: no seeds to run");
        assert!(c.in_flight.is_none() && c.waiting.is_none());
    }

    /// Random loss: the seeds follow the trace; a new scenario cancels them.
    #[test]
    fn seeds_follow_and_a_new_scenario_cancels_them() {
        let mut c = Coalescer::default();
        let mut lossy = (*rtt(100)).clone();
        lossy.network.loss = protoviz_engine::link::LossModel::Random { ppm: 20_000 };
        let lossy = Rc::new(lossy);
        c.want(lossy.clone());
        let id = c.in_flight.as_ref().unwrap().0;
        let (_, next) = c.answered(id);
        let batch = match next.as_slice() {
            [ToWorker::Run {
                id,
                job: Job::Batch(runs),
            }] => {
                let seeds: Vec<u64> = runs.iter().map(|s| s.network.seed).collect();
                assert_eq!(Some(seeds), verdict::seeds(&lossy));
                *id
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(c.batch_scenario(batch), Some(lossy));
        let msgs = c.want(rtt(200));
        assert_eq!(msgs[0], ToWorker::Cancel { id: batch });
        assert_eq!(simulates(&msgs), [200]);
        assert_eq!(c.batch_scenario(batch), None);
    }

    /// A batch of its own (a winner map) runs on while the page's scenario changes, until
    /// cancelled.
    #[test]
    fn other_batches_run_beside_the_page() {
        let mut c = Coalescer::default();
        let (grid, msg) = c.batch(vec![(*rtt(50)).clone(), (*rtt(100)).clone()]);
        assert!(
            matches!(msg, ToWorker::Run { id, job: Job::Batch(ref v) } if id == grid && v.len() == 2)
        );
        let msgs = c.want(rtt(300));
        assert_eq!(simulates(&msgs), [300]);
        assert!(
            !msgs.contains(&ToWorker::Cancel { id: grid }),
            "the grid runs on"
        );
        assert_eq!(c.batch_scenario(grid), None, "it is not the seeds batch");
        assert_eq!(c.cancel(grid), Some(ToWorker::Cancel { id: grid }));
        assert_eq!(c.cancel(grid), None);
    }
}
