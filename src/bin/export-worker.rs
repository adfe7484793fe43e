//! The import/export web worker (trunk builds it as `export-worker.js` + `_bg.wasm`),
//! started by the page on its first import or export: see `protoviz::exporter`.

fn main() {
    protoviz::exporter::serve();
}
