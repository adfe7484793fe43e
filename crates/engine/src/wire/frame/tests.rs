use proptest::prelude::*;

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn decode_one(bytes: &[u8]) -> Result<Frame, FrameError> {
    match FrameDecoder::default().decode(bytes)? {
        Decoded::Complete { item, len } => {
            assert_eq!(len, bytes.len(), "frame did not use the whole buffer");
            Ok(item)
        }
        Decoded::Incomplete { needed } => panic!("incomplete, needs {needed}"),
    }
}

fn err(bytes: &[u8]) -> FrameError {
    decode_one(bytes).expect_err("expected a decode error")
}

#[test]
fn settings_frame_decodes_named_and_unknown_ids() {
    // HEADER_TABLE_SIZE=4096, unknown 0x0a=7, MAX_FRAME_SIZE=16777215
    let bytes = hex("000012 04 00 00000000 0001 00001000 000a 00000007 0005 00ffffff");
    let f = decode_one(&bytes).unwrap();
    assert_eq!(
        f,
        Frame::Settings(Settings {
            ack: false,
            settings: vec![
                Setting {
                    id: SettingId::HeaderTableSize,
                    value: 4096
                },
                Setting {
                    id: SettingId::Unknown(10),
                    value: 7
                },
                Setting {
                    id: SettingId::MaxFrameSize,
                    value: 16_777_215
                },
            ],
        })
    );
    assert_eq!(f.to_bytes().unwrap(), bytes);
}

#[test]
fn settings_values_out_of_range_have_their_codes_and_offsets() {
    let enable_push = hex("000006 04 00 00000000 0002 00000002");
    let e = err(&enable_push);
    assert_eq!(e.code(), ErrorCode::ProtocolError);
    assert_eq!(e.offset, 11);

    let window = hex("00000c 04 00 00000000 0001 00000000 0004 80000000");
    let e = err(&window);
    assert_eq!(e.code(), ErrorCode::FlowControlError);
    assert_eq!(e.offset, 17);
    let window_max = hex("000006 04 00 00000000 0004 7fffffff");
    assert!(decode_one(&window_max).is_ok());

    for bad in ["00003fff", "01000000"] {
        let e = err(&hex(&format!("000006 04 00 00000000 0005 {bad}")));
        assert_eq!(e.code(), ErrorCode::ProtocolError, "{bad}");
    }
    for good in ["00004000", "00ffffff"] {
        assert!(decode_one(&hex(&format!("000006 04 00 00000000 0005 {good}"))).is_ok());
    }
}

#[test]
fn settings_ack_with_payload_and_odd_length_are_frame_size_errors() {
    assert_eq!(
        err(&hex("000006 04 01 00000000 0001 00000000")).code(),
        ErrorCode::FrameSizeError
    );
    assert_eq!(
        err(&hex("000005 04 00 00000000 0001 000000")).code(),
        ErrorCode::FrameSizeError
    );
    let ack = decode_one(&hex("000000 04 01 00000000")).unwrap();
    assert_eq!(
        ack,
        Frame::Settings(Settings {
            ack: true,
            settings: vec![]
        })
    );
}

#[test]
fn oversized_frame_is_rejected_from_the_header_alone() {
    // 16,385 bytes declared, none present: FRAME_SIZE_ERROR, not "need more bytes".
    let e = FrameDecoder::default()
        .decode(&hex("004001 00 00 00000001"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FrameSizeError);
    assert_eq!(e.offset, 0);
    // A larger advertised limit admits it (and then it is merely incomplete).
    let d = FrameDecoder::new(1 << 20)
        .decode(&hex("004001 00 00 00000001"))
        .unwrap();
    assert_eq!(d, Decoded::Incomplete { needed: 9 + 16_385 });
}

#[test]
fn short_input_is_incomplete_not_an_error() {
    let d = FrameDecoder::default();
    assert_eq!(d.decode(&[]).unwrap(), Decoded::Incomplete { needed: 9 });
    assert_eq!(
        d.decode(&hex("000004 08 00 000000")).unwrap(),
        Decoded::Incomplete { needed: 9 }
    );
    assert_eq!(
        d.decode(&hex("000004 08 00 00000001 0000")).unwrap(),
        Decoded::Incomplete { needed: 13 }
    );
}

#[test]
fn stream_id_rules() {
    for t in ["00", "01", "02", "03", "05", "09"] {
        let len = match t {
            "02" => "000005",
            "03" | "05" => "000004",
            _ => "000000",
        };
        let payload = match t {
            "02" => "0000000110",
            "03" => "00000000",
            "05" => "00000002",
            _ => "",
        };
        let e = err(&hex(&format!("{len} {t} 00 00000000 {payload}")));
        assert_eq!(e.code(), ErrorCode::ProtocolError, "type {t}");
        assert_eq!(e.offset, 5);
        assert!(matches!(e.kind, FrameErrorKind::StreamIdZero { .. }));
    }
    for (t, len, payload) in [
        ("04", "000000", ""),
        ("06", "000008", "0000000000000000"),
        ("07", "000008", "0000000000000000"),
    ] {
        let e = err(&hex(&format!("{len} {t} 00 00000003 {payload}")));
        assert_eq!(e.code(), ErrorCode::ProtocolError, "type {t}");
        assert!(matches!(
            e.kind,
            FrameErrorKind::StreamIdNonZero { stream_id: 3, .. }
        ));
    }
    // WINDOW_UPDATE is allowed on both.
    assert!(decode_one(&hex("000004 08 00 00000000 00000001")).is_ok());
    assert!(decode_one(&hex("000004 08 00 00000007 00000001")).is_ok());
}

#[test]
fn padding_may_fill_the_payload_but_not_overflow_it() {
    // DATA, PADDED, pad 3 of 3 remaining: empty data.
    let ok = hex("000004 00 08 00000001 03 000000");
    let f = decode_one(&ok).unwrap();
    assert_eq!(
        f,
        Frame::Data(Data {
            stream_id: StreamId(1),
            end_stream: false,
            data: vec![],
            padding: Some(vec![0, 0, 0]),
        })
    );
    assert_eq!(f.to_bytes().unwrap(), ok);
    let e = err(&hex("000004 00 08 00000001 04 000000"));
    assert_eq!(e.code(), ErrorCode::ProtocolError);
    assert_eq!(e.offset, 9);
    // PADDED with no room for the Pad Length byte.
    assert_eq!(
        err(&hex("000000 00 08 00000001")).code(),
        ErrorCode::FrameSizeError
    );
    // HEADERS, PADDED|PRIORITY: padding must leave the 5 priority bytes.
    let e = err(&hex("000007 01 28 00000001 02 0000000310 00"));
    assert_eq!(e.code(), ErrorCode::ProtocolError);
    let f = decode_one(&hex("000009 01 28 00000001 02 0000000310 aa 0000")).unwrap();
    let Frame::Headers(h) = f else { panic!() };
    assert_eq!(h.header_block_fragment, [0xaa]);
    assert_eq!(h.priority.unwrap().effective_weight(), 17);
}

#[test]
fn fixed_length_frames() {
    for (t, bad_len) in [("02", 4), ("03", 5), ("06", 7), ("08", 3)] {
        let stream = if t == "06" { "00000000" } else { "00000001" };
        let bytes = hex(&format!(
            "{:06x} {t} 00 {stream} {}",
            bad_len,
            "01".repeat(bad_len)
        ));
        let e = err(&bytes);
        assert_eq!(e.code(), ErrorCode::FrameSizeError, "type {t}");
        assert!(matches!(e.kind, FrameErrorKind::BadLength { .. }));
    }
    assert_eq!(
        err(&hex("000007 07 00 00000000 00000000000000")).code(),
        ErrorCode::FrameSizeError
    );
}

#[test]
fn zero_window_increment_and_reserved_bit() {
    let e = err(&hex("000004 08 00 00000001 80000000"));
    assert_eq!(e.code(), ErrorCode::ProtocolError);
    assert_eq!(e.offset, 9);
    // The reserved bit is ignored on receipt.
    let f = decode_one(&hex("000004 08 00 80000001 80000010")).unwrap();
    assert_eq!(
        f,
        Frame::WindowUpdate(WindowUpdate {
            stream_id: StreamId(1),
            window_size_increment: 16
        })
    );
}

#[test]
fn self_dependency_is_a_protocol_error() {
    let e = err(&hex("000005 02 00 00000003 8000000310"));
    assert_eq!(e.code(), ErrorCode::ProtocolError);
    assert!(matches!(
        e.kind,
        FrameErrorKind::SelfDependency { stream_id: 3 }
    ));
    let e = err(&hex("000005 01 24 00000003 0000000310"));
    assert_eq!(e.offset, 9);
}

#[test]
fn push_promise_ids() {
    let ok = hex("000006 05 04 00000001 00000002 8286");
    let f = decode_one(&ok).unwrap();
    assert_eq!(
        f,
        Frame::PushPromise(PushPromise {
            stream_id: StreamId(1),
            end_headers: true,
            promised_stream_id: StreamId(2),
            header_block_fragment: vec![0x82, 0x86],
            padding: None,
        })
    );
    assert_eq!(f.to_bytes().unwrap(), ok);
    for bad in ["00000000", "00000003"] {
        let e = err(&hex(&format!("000004 05 00 00000001 {bad}")));
        assert_eq!(e.code(), ErrorCode::ProtocolError);
        assert_eq!(e.offset, 9);
    }
}

#[test]
fn undefined_flags_are_ignored_and_unknown_frames_kept() {
    // RST_STREAM with flag 0xff: decoded, re-encoded without flags.
    let f = decode_one(&hex("000004 03 ff 00000001 00000123")).unwrap();
    assert_eq!(
        f,
        Frame::RstStream(RstStream {
            stream_id: StreamId(1),
            error_code: ErrorCode::Unknown(0x123)
        })
    );
    assert_eq!(f.to_bytes().unwrap(), hex("000004 03 00 00000001 00000123"));
    let unknown = hex("000003 fa 5a 00000000 abcdef");
    let f = decode_one(&unknown).unwrap();
    assert_eq!(f.frame_type(), FrameType::Unknown(0xfa));
    assert_eq!(f.to_bytes().unwrap(), unknown);
}

#[test]
fn preface() {
    assert_eq!(
        decode_preface(PREFACE).unwrap(),
        Decoded::Complete { item: (), len: 24 }
    );
    assert_eq!(
        decode_preface(b"PRI * HT").unwrap(),
        Decoded::Incomplete { needed: 24 }
    );
    let e = decode_preface(b"PRI * HTTP/1.1\r\n").unwrap_err();
    assert_eq!(e.offset, 11);
    assert_eq!(e.code(), ErrorCode::ProtocolError);
}

#[test]
fn decode_all_reports_offsets_in_the_whole_buffer() {
    let mut bytes = hex("000000 04 01 00000000");
    bytes.extend(hex("000004 08 00 00000001 00000000"));
    let e = FrameDecoder::default().decode_all(&bytes).unwrap_err();
    assert_eq!(e.offset, 18);
    let msg = e.to_string();
    assert!(msg.contains("byte offset 18"), "{msg}");
    assert!(msg.contains("PROTOCOL_ERROR"), "{msg}");
    let d = FrameDecoder::default().decode_all(&bytes[..12]).unwrap();
    assert_eq!(d, Decoded::Incomplete { needed: 18 });
}

#[test]
fn encode_rejects_what_the_wire_cannot_carry() {
    let f = Frame::Data(Data {
        stream_id: StreamId(1 << 31),
        end_stream: false,
        data: vec![],
        padding: None,
    });
    assert_eq!(
        f.to_bytes(),
        Err(EncodeError::StreamIdTooLarge { stream_id: 1 << 31 })
    );
    let f = Frame::Data(Data {
        stream_id: StreamId(1),
        end_stream: false,
        data: vec![],
        padding: Some(vec![0; 256]),
    });
    assert_eq!(
        f.to_bytes(),
        Err(EncodeError::PaddingTooLong { length: 256 })
    );
    let mut out = vec![7];
    assert!(Frame::Data(Data {
        stream_id: StreamId(1),
        end_stream: false,
        data: vec![0; 1 << 24],
        padding: None,
    })
    .encode(&mut out)
    .is_err());
    assert_eq!(out, vec![7], "nothing appended on error");
}

// ---- property: encode then decode is the identity on valid frames ----

fn stream() -> impl Strategy<Value = StreamId> {
    (1u32..=MAX_STREAM_ID).prop_map(|v| StreamId(v.into()))
}

fn any_stream() -> impl Strategy<Value = StreamId> {
    (0u32..=MAX_STREAM_ID).prop_map(|v| StreamId(v.into()))
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn padding() -> impl Strategy<Value = Option<Vec<u8>>> {
    proptest::option::of(bytes(256))
}

fn spec() -> impl Strategy<Value = PrioritySpec> {
    (any::<bool>(), any_stream(), any::<u8>()).prop_map(|(exclusive, d, weight)| PrioritySpec {
        exclusive,
        stream_dependency: d,
        weight,
    })
}

fn error_code() -> impl Strategy<Value = ErrorCode> {
    any::<u32>().prop_map(ErrorCode::from_u32)
}

fn setting() -> impl Strategy<Value = Setting> {
    (any::<u16>(), any::<u32>()).prop_map(|(id, value)| {
        let id = SettingId::from_u16(id);
        // An out-of-range value becomes one every setting allows (16384 is not a valid
        // ENABLE_PUSH, which must be 0 or 1: RFC 9113 §6.5.2); the generator must only
        // make frames the decoder accepts.
        let value = if id.is_valid(value) {
            value
        } else {
            [DEFAULT_MAX_FRAME_SIZE, 1]
                .into_iter()
                .find(|&v| id.is_valid(v))
                .expect("every setting allows 16384 or 1")
        };
        Setting { id, value }
    })
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        (stream(), any::<bool>(), bytes(300), padding()).prop_map(|(s, e, d, p)| Frame::Data(
            Data {
                stream_id: s,
                end_stream: e,
                data: d,
                padding: p
            }
        )),
        (
            stream(),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(spec()),
            bytes(300),
            padding()
        )
            .prop_filter("no self-dependency", |(s, _, _, p, _, _)| p
                .is_none_or(|p| p.stream_dependency != *s))
            .prop_map(|(s, es, eh, p, b, pad)| Frame::Headers(Headers {
                stream_id: s,
                end_stream: es,
                end_headers: eh,
                priority: p,
                header_block_fragment: b,
                padding: pad
            })),
        (stream(), spec())
            .prop_filter("no self-dependency", |(s, p)| p.stream_dependency != *s)
            .prop_map(|(s, p)| Frame::Priority(Priority {
                stream_id: s,
                priority: p
            })),
        (stream(), error_code()).prop_map(|(s, c)| Frame::RstStream(RstStream {
            stream_id: s,
            error_code: c
        })),
        proptest::collection::vec(setting(), 0..10).prop_map(|settings| Frame::Settings(
            Settings {
                ack: false,
                settings
            }
        )),
        Just(Frame::Settings(Settings {
            ack: true,
            settings: vec![]
        })),
        (
            stream(),
            any::<bool>(),
            1u32..(1 << 30),
            bytes(300),
            padding()
        )
            .prop_map(|(s, eh, p, b, pad)| Frame::PushPromise(PushPromise {
                stream_id: s,
                end_headers: eh,
                promised_stream_id: StreamId(u64::from(p) * 2),
                header_block_fragment: b,
                padding: pad
            })),
        (any::<bool>(), any::<[u8; 8]>()).prop_map(|(ack, d)| Frame::Ping(Ping {
            ack,
            opaque_data: d
        })),
        (any_stream(), error_code(), bytes(100)).prop_map(|(s, c, d)| Frame::GoAway(GoAway {
            last_stream_id: s,
            error_code: c,
            additional_debug_data: d
        })),
        (any_stream(), 1u32..=MAX_WINDOW_INCREMENT).prop_map(|(s, i)| Frame::WindowUpdate(
            WindowUpdate {
                stream_id: s,
                window_size_increment: i
            }
        )),
        (stream(), any::<bool>(), bytes(300)).prop_map(|(s, eh, b)| Frame::Continuation(
            Continuation {
                stream_id: s,
                end_headers: eh,
                header_block_fragment: b
            }
        )),
        (10u8..=255, any::<u8>(), any_stream(), bytes(300)).prop_map(|(t, fl, s, p)| {
            Frame::Unknown(Unknown {
                frame_type: t,
                flags: fl,
                stream_id: s,
                payload: p,
            })
        }),
    ]
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(f in frame()) {
        let bytes = f.to_bytes().unwrap();
        let back = FrameDecoder::default().decode(&bytes).unwrap();
        prop_assert_eq!(back, Decoded::Complete { item: f, len: bytes.len() });
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(b in bytes(64)) {
        if let Ok(Decoded::Complete { item, len }) = FrameDecoder::default().decode(&b) {
            let again = item.to_bytes().unwrap();
            prop_assert_eq!(again.len(), len);
            prop_assert_eq!(FrameDecoder::default().decode(&again).unwrap().complete().map(|c| c.0), Some(item));
        }
    }
}
