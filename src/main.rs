//! One WebAssembly module for the page and the engine's web worker: the worker loads the
//! page's own files (see `protoviz::engine`), so the first load carries the engine once.

fn main() {
    if protoviz::in_worker() {
        protoviz::worker::serve();
    } else {
        protoviz::start();
    }
}
