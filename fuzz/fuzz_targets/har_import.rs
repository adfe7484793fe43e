//! HAR import on arbitrary text: never panics; whatever imports is a page the engine
//! accepts (it validates), and an error names a JSON path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protoviz_engine::har;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match har::import(text) {
        Ok(got) => assert!(got.page.validate().is_ok()),
        Err(e) => assert!(!e.path.is_empty()),
    }
});
