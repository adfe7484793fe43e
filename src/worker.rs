//! The engine's web worker: the one place the page runs the engine (see
//! [`crate::protocol`] for the messages). It is the page's own module (`src/main.rs` serves
//! jobs when there is no `window`), started as a module worker by [`crate::engine`], so the
//! engine ships once.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use protoviz_engine::verdict::Outcome;
use protoviz_engine::{simulate, Scenario};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::{FromWorker, Job, JobId, ToWorker};
use crate::transfer;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<(JobId, Job)>,
    cancelled: HashSet<JobId>,
    running: bool,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts `msg` (and `bytes`, handed over without a copy).
fn post(msg: &FromWorker, bytes: Option<Vec<u8>>) {
    let json = serde_json::to_string(msg).unwrap_or_default();
    let parts = Array::of1(&JsValue::from_str(&json));
    let res = match bytes {
        None => scope().post_message(&parts),
        Some(b) => {
            let array = Uint8Array::from(b.as_slice());
            let buffer = array.buffer();
            parts.push(&array);
            scope().post_message_with_transfer(&parts, &Array::of1(&buffer))
        }
    };
    if let Err(e) = res {
        web_sys::console::error_2(&"protoviz worker: cannot post a message".into(), &e);
    }
}

/// Starts the worker: reads jobs, runs them one at a time.
pub fn serve() {
    std::panic::set_hook(Box::new(|info| {
        post(
            &FromWorker::Panicked {
                message: info.to_string(),
            },
            None,
        );
    }));
    let queue = Rc::new(RefCell::new(Queue::default()));
    let on_message = {
        let queue = queue.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            let text = Array::from(&e.data())
                .get(0)
                .as_string()
                .unwrap_or_default();
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(ToWorker::Run { id, job }) => {
                    let mut q = queue.borrow_mut();
                    // A new scenario to simulate goes before any batch still waiting.
                    match job {
                        Job::Simulate(_) => {
                            let at = q
                                .jobs
                                .iter()
                                .position(|(_, j)| matches!(j, Job::Batch(_)))
                                .unwrap_or(q.jobs.len());
                            q.jobs.insert(at, (id, job));
                        }
                        Job::Batch(_) => q.jobs.push_back((id, job)),
                    }
                    if !q.running {
                        q.running = true;
                        wasm_bindgen_futures::spawn_local(pump(queue.clone()));
                    }
                }
                Ok(ToWorker::Cancel { id }) => {
                    let mut q = queue.borrow_mut();
                    q.jobs.retain(|(j, _)| *j != id);
                    q.cancelled.insert(id);
                }
                Err(err) => web_sys::console::error_1(
                    &format!("protoviz worker: a message it cannot read ({err}): {text}").into(),
                ),
            }
        })
    };
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Ready, None);
}

/// Lets the worker's event loop deliver messages (new jobs, cancellations).
async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

async fn pump(queue: Rc<RefCell<Queue>>) {
    loop {
        let next = queue.borrow_mut().jobs.pop_front();
        let Some((id, job)) = next else { break };
        match job {
            Job::Simulate(s) => run_simulation(id, &s),
            Job::Batch(scenarios) => {
                let total = u32::try_from(scenarios.len()).unwrap_or(u32::MAX);
                let mut cancelled = false;
                for (i, s) in scenarios.iter().enumerate() {
                    yield_now().await;
                    run_waiting_simulations(&queue);
                    if queue.borrow_mut().cancelled.remove(&id) {
                        cancelled = true;
                        break;
                    }
                    match simulate(s) {
                        Ok(trace) => post(
                            &FromWorker::Item {
                                id,
                                index: u32::try_from(i).unwrap_or(u32::MAX),
                                total,
                                outcome: Outcome::of(&trace),
                            },
                            None,
                        ),
                        Err(e) => {
                            post(
                                &FromWorker::Failed {
                                    id,
                                    error: e.to_string(),
                                },
                                None,
                            );
                            cancelled = true;
                            break;
                        }
                    }
                }
                if !cancelled {
                    post(&FromWorker::Done { id }, None);
                }
            }
        }
        yield_now().await;
    }
    let mut q = queue.borrow_mut();
    q.running = false;
    q.cancelled.clear();
}

/// Runs the `Simulate` jobs waiting at the head of the queue (they jump a running batch).
fn run_waiting_simulations(queue: &Rc<RefCell<Queue>>) {
    loop {
        let next = {
            let mut q = queue.borrow_mut();
            match q.jobs.front() {
                Some((_, Job::Simulate(_))) => q.jobs.pop_front(),
                _ => None,
            }
        };
        let Some((id, Job::Simulate(s))) = next else {
            break;
        };
        run_simulation(id, &s);
    }
}

fn run_simulation(id: JobId, s: &Scenario) {
    let t0 = now_ms();
    let trace = simulate(s);
    let sim_us = ((now_ms() - t0) * 1000.0).round();
    match trace
        .map_err(|e| e.to_string())
        .and_then(|t| transfer::encode(&t).map_err(|e| e.to_string()))
    {
        Ok(bytes) => post_timed(&FromWorker::Trace { id }, bytes, sim_us),
        Err(error) => post(&FromWorker::Failed { id, error }, None),
    }
}

/// The worker's `performance.now()` in milliseconds (NaN where there is none): `make bench`
/// reads how long `simulate` took in the worker (see [`post_timed`]).
fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"performance".into())
        .ok()
        .and_then(|perf| {
            let now = js_sys::Reflect::get(&perf, &"now".into()).ok()?;
            let now: &js_sys::Function = now.dyn_ref()?;
            now.call0(&perf).ok()?.as_f64()
        })
        .unwrap_or(f64::NAN)
}

/// Posts a trace like [`post`], with how long `simulate` ran in the worker (µs) as the
/// message's third part: the page shows it as `data-sim-us` on `<html>` for `make bench`.
fn post_timed(msg: &FromWorker, bytes: Vec<u8>, sim_us: f64) {
    let json = serde_json::to_string(msg).unwrap_or_default();
    let array = Uint8Array::from(bytes.as_slice());
    let buffer = array.buffer();
    let parts = Array::of3(
        &JsValue::from_str(&json),
        &array,
        &JsValue::from_f64(sim_us),
    );
    if let Err(e) = scope().post_message_with_transfer(&parts, &Array::of1(&buffer)) {
        web_sys::console::error_2(&"protoviz worker: cannot post a message".into(), &e);
    }
}
