//! HTTP/3 frame decoder (and QPACK on HEADERS/PUSH_PROMISE payloads) on arbitrary bytes:
//! never panics, and whatever decodes re-encodes to bytes that decode to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protoviz_engine::wire::h3::{Frame, FrameDecoder};
use protoviz_engine::wire::qpack::{parse_field_section, write_field_section};
use protoviz_engine::wire::Decoded;

fuzz_target!(|data: &[u8]| {
    let decoder = FrameDecoder::default();
    let Ok(Decoded::Complete { item: frames, len }) = decoder.decode_all(data) else {
        return;
    };
    assert_eq!(len, data.len());
    let mut again = Vec::new();
    for f in &frames {
        f.encode(&mut again).expect("a decoded frame re-encodes");
        if let Frame::Headers {
            encoded_field_section: s,
        }
        | Frame::PushPromise {
            encoded_field_section: s,
            ..
        } = f
        {
            if let Ok(lines) = parse_field_section(s) {
                let mut bytes = Vec::new();
                write_field_section(&lines, &mut bytes);
                assert_eq!(
                    parse_field_section(&bytes).expect("re-encoded section"),
                    lines
                );
            }
        }
    }
    match decoder.decode_all(&again) {
        Ok(Decoded::Complete { item, len }) => {
            assert_eq!(len, again.len());
            assert_eq!(item, frames);
        }
        other => panic!("re-encoded frames do not decode: {other:?}"),
    }
});
