//! The messages between the page and the engine's web worker.
//!
//! Every message is a JavaScript array `[json]` or `[json, bytes]`: the JSON of a
//! [`ToWorker`] or [`FromWorker`], and for a trace its [`crate::transfer`] bytes (an
//! `ArrayBuffer` handed over, not copied).
//!
//! Each job has an id chosen by the page. A `Simulate` job answers with one `Trace` (or
//! `Failed`). A `Batch` job (several seeds of one scenario for a median; later, a grid of
//! scenarios for a winner map) answers with one `Item` per scenario as each finishes, in
//! order — the progress — then `Done`; between items the worker reads its messages, runs
//! any `Simulate` that came in first (so sliders stay live during a long batch), and stops
//! a batch the page has `Cancel`led.

use protoviz_engine::verdict::Outcome;
use protoviz_engine::Scenario;
use serde::{Deserialize, Serialize};

/// The page's id for one job.
pub type JobId = u64;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// Simulate one scenario; the answer is its whole trace.
    Simulate(Box<Scenario>),
    /// Simulate each scenario; the answer is each one's [`Outcome`], as it finishes.
    Batch(Vec<Scenario>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    Run {
        id: JobId,
        job: Job,
    },
    /// Stop the batch `id` (its scenario is no longer on screen); no `Done` follows.
    Cancel {
        id: JobId,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker has loaded and reads its messages (sent once, first).
    Ready,
    /// The trace of `Simulate` job `id`: in the message's bytes.
    Trace { id: JobId },
    /// Item `index` of `total` of batch `id` is done: the progress, and its result.
    Item {
        id: JobId,
        index: u32,
        total: u32,
        outcome: Outcome,
    },
    /// Every item of batch `id` has been sent.
    Done { id: JobId },
    /// Job `id` could not run: the engine's message (an invalid scenario).
    Failed { id: JobId, error: String },
    /// The worker hit a bug and stopped; the page says so and starts a new one.
    Panicked { message: String },
}
