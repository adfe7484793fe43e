//! Scenario / trace / page JSON import on arbitrary text: never panics; whatever imports
//! validates, and an error names a JSON path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protoviz_engine::export::json::{import, Imported};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match import(text) {
        Ok(Imported::Scenario(s)) => assert!(s.validate().is_ok()),
        Ok(Imported::Page(p)) => assert!(p.validate().is_ok()),
        Err(e) => assert!(!e.path.is_empty()),
    }
});
