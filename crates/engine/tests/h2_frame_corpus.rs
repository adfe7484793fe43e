//! The http2jp/http2-frame-test-case corpus: 12 well-formed frames must decode to the listed
//! fields and re-encode to the same bytes; 22 malformed ones must fail with a listed code.

use std::path::{Path, PathBuf};

use protoviz_engine::wire::frame::{Frame, FrameDecoder};
use protoviz_engine::wire::Decoded;
use serde_json::{json, Value};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vectors/http2-frame-test-case"
);

fn cases() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::from(CORPUS)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, serde_json::from_str(&text).unwrap()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Raw bytes as text, the corpus's representation of opaque fields.
fn text(b: &[u8]) -> Value {
    Value::String(b.iter().map(|&c| char::from(c)).collect())
}

fn opt_text(b: &Option<Vec<u8>>) -> Value {
    b.as_deref().map_or(Value::Null, text)
}

fn pad_len(b: &Option<Vec<u8>>) -> Value {
    b.as_ref().map_or(Value::Null, |p| json!(p.len()))
}

/// The frame's payload fields, named and represented as in the corpus.
fn payload_fields(f: &Frame) -> Value {
    match f {
        Frame::Data(d) => json!({
            "data": text(&d.data),
            "padding_length": pad_len(&d.padding),
            "padding": opt_text(&d.padding),
        }),
        Frame::Headers(h) => json!({
            "stream_dependency": h.priority.map(|p| p.stream_dependency.0),
            "weight": h.priority.map(|p| p.effective_weight()),
            "exclusive": h.priority.map(|p| p.exclusive),
            "header_block_fragment": text(&h.header_block_fragment),
            "padding_length": pad_len(&h.padding),
            "padding": opt_text(&h.padding),
        }),
        Frame::Priority(p) => json!({
            "stream_dependency": p.priority.stream_dependency.0,
            "weight": p.priority.effective_weight(),
            "exclusive": p.priority.exclusive,
            "padding_length": null,
            "padding": null,
        }),
        Frame::RstStream(r) => json!({ "error_code": r.error_code.to_u32() }),
        Frame::Settings(s) => json!({
            "settings": s.settings.iter().map(|s| json!([s.id.to_u16(), s.value])).collect::<Vec<_>>(),
        }),
        Frame::PushPromise(p) => json!({
            "promised_stream_id": p.promised_stream_id.0,
            "header_block_fragment": text(&p.header_block_fragment),
            "padding_length": pad_len(&p.padding),
            "padding": opt_text(&p.padding),
        }),
        Frame::Ping(p) => json!({ "opaque_data": text(&p.opaque_data) }),
        Frame::GoAway(g) => json!({
            "last_stream_id": g.last_stream_id.0,
            "error_code": g.error_code.to_u32(),
            "additional_debug_data": text(&g.additional_debug_data),
        }),
        Frame::WindowUpdate(w) => json!({ "window_size_increment": w.window_size_increment }),
        Frame::Continuation(c) => {
            json!({ "header_block_fragment": text(&c.header_block_fragment) })
        }
        Frame::Unknown(u) => json!({ "payload": text(&u.payload) }),
    }
}

fn name(p: &Path) -> String {
    p.strip_prefix(CORPUS).unwrap().display().to_string()
}

#[test]
fn http2_frame_test_case_corpus() {
    let (mut good, mut bad) = (0, 0);
    for (path, case) in cases() {
        let name = name(&path);
        let wire = unhex(case["wire"].as_str().unwrap());
        let result = FrameDecoder::default().decode(&wire);
        if let Some(codes) = case["error"].as_array() {
            bad += 1;
            let codes: Vec<u64> = codes.iter().map(|c| c.as_u64().unwrap()).collect();
            let e = match result {
                Err(e) => e,
                Ok(d) => panic!("{name}: expected one of {codes:?}, decoded {d:?}"),
            };
            assert!(
                codes.contains(&u64::from(e.code().to_u32())),
                "{name}: got {e}, expected one of {codes:?}"
            );
            continue;
        }
        good += 1;
        let expected = &case["frame"];
        let (frame, len) = match result {
            Ok(Decoded::Complete { item, len }) => (item, len),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(len, wire.len(), "{name}");
        assert_eq!(
            u64::from(frame.frame_type().to_u8()),
            expected["type"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            u64::from(frame.flags()),
            expected["flags"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            frame.stream_id().0,
            expected["stream_identifier"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            (wire.len() - 9) as u64,
            expected["length"].as_u64().unwrap(),
            "{name}"
        );
        let fields = payload_fields(&frame);
        let want = expected["frame_payload"].as_object().unwrap();
        assert!(!want.is_empty(), "{name}");
        for (key, value) in want {
            assert_eq!(&fields[key], value, "{name}: field {key}");
        }
        assert_eq!(frame.to_bytes().unwrap(), wire, "{name}: re-encoding");
    }
    assert_eq!((good, bad), (12, 22), "corpus size");
}
