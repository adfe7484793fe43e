//! Black-box tests of `protoviz hpack`: the built binary on RFC 7541 Appendix C and on bad
//! input.

mod common;

use common::protoviz;
use std::process::Output;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vectors/rfc7541-appendix-c.json"
);

/// (wire hex lines, JSON header lines) of an Appendix C sequence.
fn sequence(id: &str) -> (String, String, u64) {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(VECTORS).unwrap()).unwrap();
    let seq = v["sequences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap();
    let (mut hex, mut json) = (String::new(), String::new());
    for step in seq["steps"].as_array().unwrap() {
        hex.push_str(step["wire_hex"].as_str().unwrap());
        hex.push('\n');
        json.push_str(&serde_json::to_string(&step["headers"]).unwrap());
        json.push('\n');
    }
    (hex, json, seq["header_table_size"].as_u64().unwrap())
}

fn stdout(o: &Output) -> &str {
    std::str::from_utf8(&o.stdout).unwrap()
}

#[test]
fn decodes_rfc7541_c3_and_c6() {
    for id in ["C.3", "C.6"] {
        let (hex, json, size) = sequence(id);
        let size = size.to_string();
        let out = protoviz(&["hpack", "decode", "--table-size", &size], &hex);
        assert!(out.status.success(), "{id}: {:?}", out);
        assert_eq!(stdout(&out), json, "{id}");
    }
}

#[test]
fn encodes_rfc7541_c3_c4_c5_c6() {
    for (id, huffman) in [
        ("C.3", "never"),
        ("C.4", "always"),
        ("C.4", "shorter"),
        ("C.5", "never"),
    ] {
        let (hex, json, size) = sequence(id);
        let size = size.to_string();
        let args = [
            "hpack",
            "encode",
            "--table-size",
            &size,
            "--huffman",
            huffman,
        ];
        let out = protoviz(&args, &json);
        assert!(out.status.success(), "{id}: {:?}", out);
        if id == "C.5" {
            // The default strategy does not index date, location and set-cookie as the RFC's
            // encoder does; the output must still decode back.
            assert_ne!(stdout(&out), hex);
            let back = protoviz(&["hpack", "decode", "--table-size", &size], stdout(&out));
            assert!(back.status.success());
            assert_eq!(stdout(&back), json);
        } else {
            assert_eq!(stdout(&out), hex, "{id} --huffman {huffman}");
        }
    }
}

#[test]
fn bad_block_names_line_and_offset() {
    // Line 2: ":method GET", then index 70 with only 62 entries.
    let out = protoviz(&["hpack", "decode"], "82\n82c6\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "[[\":method\",\"GET\"]]\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2, byte offset 1"), "{err}");
    assert!(err.contains("index 70"), "{err}");
}

#[test]
fn bad_huffman_and_truncation_name_offsets() {
    // Literal name "a" then a Huffman value of one octet of ones: 8 bits of padding.
    let out = protoviz(&["hpack", "decode"], "00016181ff\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, byte offset 3"), "{err}");
    assert!(err.contains("padding"), "{err}");
    let out = protoviz(&["hpack", "decode"], "\n0005616263\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "[]\n");
    assert!(err.contains("line 2, byte offset 1"), "{err}");
}

#[test]
fn bad_hex_and_json_are_rejected() {
    let out = protoviz(&["hpack", "decode"], "82zz\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, byte offset 1"), "{err}");
    let out = protoviz(&["hpack", "encode"], "[[\"a\",\"b\"]]\n{\"a\":1}\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2, byte offset 0"), "{err}");
    let out = protoviz(&["hpack", "encode", "--huffman", "sometimes"], "");
    assert_eq!(out.status.code(), Some(2));
}
