//! The engine's web worker (trunk builds it as `engine-worker.js` + `_bg.wasm`).

fn main() {
    protoviz::worker::serve();
}
