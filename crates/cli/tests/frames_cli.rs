//! Black-box tests of `protoviz frames`.

mod common;

use common::protoviz;

const PREFACE_HEX: &str = "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a";
/// SETTINGS: HEADER_TABLE_SIZE=8192, MAX_CONCURRENT_STREAMS=5000.
const SETTINGS_HEX: &str = "00000c04 00 00000000 0001 00002000 0003 00001388";
/// HEADERS on stream 1, END_STREAM|END_HEADERS, RFC 7541 C.4.1's request block.
const HEADERS_HEX: &str = "000011 01 05 00000001 828684418cf1e3c2e5f23a6ba0ab90f4ff";

fn dump() -> String {
    format!("{PREFACE_HEX}\n{SETTINGS_HEX}\n{HEADERS_HEX}\n")
}

fn compact(hex: &str) -> String {
    hex.split_whitespace().collect::<String>().to_lowercase()
}

const EXPECTED: [&str; 3] = [
    r#"{"type":"PREFACE"}"#,
    r#"{"type":"SETTINGS","flags":[],"stream_id":0,"length":12,"settings":[[1,8192],[3,5000]]}"#,
    r#"{"type":"HEADERS","flags":["END_STREAM","END_HEADERS"],"stream_id":1,"length":17,"stream_dependency":null,"weight":null,"exclusive":null,"header_block_fragment":"828684418cf1e3c2e5f23a6ba0ab90f4ff","padding_length":null,"padding":null}"#,
];

#[test]
fn decodes_preface_settings_and_headers() {
    let out = protoviz(&["frames", "decode"], &dump());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().collect::<Vec<_>>(), EXPECTED);
}

#[test]
fn encode_then_decode_round_trips() {
    let json = EXPECTED.join("\n");
    let out = protoviz(&["frames", "encode"], &json);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hex = String::from_utf8(out.stdout).unwrap();
    assert_eq!(hex.trim(), compact(&dump()));
    let back = protoviz(&["frames", "decode"], &hex);
    assert!(back.status.success());
    assert_eq!(
        String::from_utf8(back.stdout)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        EXPECTED
    );
}

#[test]
fn encodes_every_frame_type_and_decodes_it_back() {
    let lines = [
        r#"{"type":"DATA","flags":["END_STREAM","PADDED"],"stream_id":3,"length":9,"data":"68656c6c6f","padding_length":3,"padding":"000000"}"#,
        r#"{"type":"HEADERS","flags":["END_HEADERS","PRIORITY"],"stream_id":5,"length":6,"stream_dependency":3,"weight":256,"exclusive":true,"header_block_fragment":"82","padding_length":null,"padding":null}"#,
        r#"{"type":"PRIORITY","flags":[],"stream_id":7,"length":5,"stream_dependency":0,"weight":16,"exclusive":false}"#,
        r#"{"type":"RST_STREAM","flags":[],"stream_id":7,"length":4,"error_code":8}"#,
        r#"{"type":"SETTINGS","flags":["ACK"],"stream_id":0,"length":0,"settings":[]}"#,
        r#"{"type":"PUSH_PROMISE","flags":["END_HEADERS"],"stream_id":1,"length":5,"promised_stream_id":2,"header_block_fragment":"82","padding_length":null,"padding":null}"#,
        r#"{"type":"PING","flags":["ACK"],"stream_id":0,"length":8,"opaque_data":"0102030405060708"}"#,
        r#"{"type":"GOAWAY","flags":[],"stream_id":0,"length":10,"last_stream_id":7,"error_code":0,"additional_debug_data":"6f6b"}"#,
        r#"{"type":"WINDOW_UPDATE","flags":[],"stream_id":0,"length":4,"window_size_increment":65535}"#,
        r#"{"type":"CONTINUATION","flags":["END_HEADERS"],"stream_id":5,"length":2,"header_block_fragment":"8286"}"#,
        r#"{"type":"UNKNOWN","flags":["0x01","0x80"],"stream_id":9,"length":1,"frame_type":250,"payload":"ff"}"#,
    ];
    let out = protoviz(&["frames", "encode"], &lines.join("\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = protoviz(
        &["frames", "decode"],
        &String::from_utf8(out.stdout).unwrap(),
    );
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    assert_eq!(
        String::from_utf8(back.stdout)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        lines
    );
}

#[test]
fn bad_frame_fails_with_its_byte_offset() {
    // WINDOW_UPDATE with increment 0 after the preface (24 bytes) and SETTINGS (21 bytes):
    // the increment starts at byte 24 + 21 + 9 = 54.
    let input = format!("{PREFACE_HEX}{SETTINGS_HEX} 000004 08 00 00000001 00000000");
    let out = protoviz(&["frames", "decode"], &input);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("byte offset 54"), "{stderr}");
    assert!(stderr.contains("PROTOCOL_ERROR"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn oversized_and_truncated_frames_name_their_offsets() {
    let out = protoviz(
        &["frames", "decode"],
        &format!("{SETTINGS_HEX} 004001 00 00 00000001"),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("FRAME_SIZE_ERROR") && stderr.contains("byte offset 21"),
        "{stderr}"
    );

    let out = protoviz(&["frames", "decode"], "000004 08 00 00000001 0000");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("truncated frame at byte offset 0"),
        "{stderr}"
    );

    let out = protoviz(
        &["frames", "decode", "--max-frame-size", "16777215"],
        "004001 00 00 00000001",
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("truncated"), "{stderr}");
}

#[test]
fn bad_hex_and_bad_json_are_reported() {
    let out = protoviz(&["frames", "decode"], "0000zz");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("'z' at input character 4"), "{stderr}");

    let out = protoviz(&["frames", "decode"], "505249202a20485454502f312e31");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("preface") && stderr.contains("byte offset 11"),
        "{stderr}"
    );

    let out = protoviz(
        &["frames", "encode"],
        "{\"type\":\"PING\",\"opaque_data\":\"00\"}",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("line 1") && stderr.contains("8 bytes"),
        "{stderr}"
    );

    let out = protoviz(
        &["frames", "encode"],
        "\n{\"type\":\"DATA\",\"stream_id\":1,\"data\":\"\",\"length\":3}",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("line 2") && stderr.contains("length is 3"),
        "{stderr}"
    );
}

/// `--hpack`: one decoding context across blocks (RFC 7541 C.3.1 then C.3.2, the second
/// split over HEADERS + CONTINUATION), headers printed on the frame that ends each block.
#[test]
fn hpack_flag_decodes_blocks_across_continuations() {
    let dump = "000014010500000001828684410f7777772e6578616d706c652e636f6d\n\
                000005010100000003828684be58\n\
                000009090400000003086e6f2d6361636865\n";
    let out = protoviz(&["frames", "decode", "--hpack"], dump);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["headers"],
        serde_json::json!([
            [":method", "GET"],
            [":scheme", "http"],
            [":path", "/"],
            [":authority", "www.example.com"]
        ])
    );
    assert!(
        lines[1].get("headers").is_none(),
        "the block is not finished yet"
    );
    assert_eq!(lines[2]["type"], "CONTINUATION");
    assert_eq!(
        lines[2]["headers"][3],
        serde_json::json!([":authority", "www.example.com"])
    );
    assert_eq!(
        lines[2]["headers"][4],
        serde_json::json!(["cache-control", "no-cache"])
    );

    // A CONTINUATION with no block to continue, and a bad block, are named with their offset.
    let out = protoviz(
        &["frames", "decode", "--hpack"],
        "000009090400000003086e6f2d6361636865",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CONTINUATION at byte offset 0"));
    // Index 70 does not exist in an empty dynamic table (static table has 61 entries).
    let out = protoviz(&["frames", "decode", "--hpack"], "000001010500000001c6");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("frame at byte offset 0"), "{err}");
}
