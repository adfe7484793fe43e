//! HTTP/2 frame decoder on arbitrary bytes: never panics, and whatever decodes re-encodes to
//! bytes that decode to the same frame. The first byte picks SETTINGS_MAX_FRAME_SIZE.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protoviz_engine::wire::frame::{decode_preface, FrameDecoder, DEFAULT_MAX_FRAME_SIZE};
use protoviz_engine::wire::Decoded;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let decoder = FrameDecoder::new(if pick & 1 == 0 {
        DEFAULT_MAX_FRAME_SIZE
    } else {
        (1 << 24) - 1
    });
    let _ = decode_preface(bytes);
    if let Ok(Decoded::Complete { item: frames, len }) = decoder.decode_all(bytes) {
        assert_eq!(len, bytes.len());
        let mut again = Vec::new();
        for f in &frames {
            f.encode(&mut again).expect("a decoded frame re-encodes");
        }
        assert_eq!(again.len(), bytes.len(), "re-encoding changed the length");
        match decoder.decode_all(&again) {
            Ok(Decoded::Complete { item, len }) => {
                assert_eq!(len, again.len());
                assert_eq!(item, frames);
            }
            other => panic!("re-encoded frames do not decode: {other:?}"),
        }
    }
});
