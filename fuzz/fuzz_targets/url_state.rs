//! The app's location hash on arbitrary text: neither decoder panics; what the strict one
//! reads validates and encodes to a string that reads back to the same scenario; the
//! lenient one always gives a valid scenario.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protoviz_engine::url;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = url::decode(text) {
        assert!(s.validate().is_ok());
        assert_eq!(url::decode(&url::encode(&s)).as_ref(), Ok(&s));
    }
    let lenient = url::decode_lenient(text);
    assert!(lenient.scenario.validate().is_ok());
});
