use proptest::prelude::*;

use super::frame::*;
use super::*;
use crate::wire::Decoded;

fn decode_one(bytes: &[u8]) -> Result<Frame, FrameError> {
    match FrameDecoder::default().decode(bytes)? {
        Decoded::Complete { item, len } => {
            assert_eq!(len, bytes.len());
            Ok(item)
        }
        Decoded::Incomplete { needed } => panic!("incomplete, needs {needed}"),
    }
}

#[test]
fn settings_frame_bytes() {
    // QPACK_MAX_TABLE_CAPACITY=0, QPACK_BLOCKED_STREAMS=0, MAX_FIELD_SECTION_SIZE=16384,
    // reserved 0x21=1.
    // Length 11 = 2 + 2 + 5 + 2.
    let bytes = [
        0x04, 0x0b, 0x01, 0x00, 0x07, 0x00, 0x06, 0x80, 0x00, 0x40, 0x00, 0x21, 0x01,
    ];
    let f = decode_one(&bytes).unwrap();
    assert_eq!(
        f,
        Frame::Settings {
            settings: vec![
                Setting {
                    id: SettingId::QpackMaxTableCapacity,
                    value: 0
                },
                Setting {
                    id: SettingId::QpackBlockedStreams,
                    value: 0
                },
                Setting {
                    id: SettingId::MaxFieldSectionSize,
                    value: 16384
                },
                Setting {
                    id: SettingId::Unknown(0x21),
                    value: 1
                },
            ]
        }
    );
    // 16384 was sent in its minimal (4-byte) form, so the re-encoding is identical.
    assert_eq!(f.to_bytes().unwrap(), bytes);
}

#[test]
fn http2_only_types_are_frame_unexpected() {
    for t in HTTP2_ONLY_TYPES {
        let e = FrameDecoder::default().decode(&[t as u8]).unwrap_err();
        assert_eq!(e.code(), H3ErrorCode::FrameUnexpected);
        assert_eq!(e.code().to_u64(), 0x105);
        assert_eq!(e.offset, 0);
    }
}

#[test]
fn reserved_types_are_unknown_and_kept() {
    assert!(is_reserved(0x21) && is_reserved(0x40) && is_reserved(0x1f * 1000 + 0x21));
    assert!(!is_reserved(0x20) && !is_reserved(0x22) && !is_reserved(0));
    let bytes = [0x40, 0x40, 0x02, 0xab, 0xcd];
    let f = decode_one(&bytes).unwrap();
    assert_eq!(
        f,
        Frame::Unknown {
            frame_type: 0x40,
            payload: vec![0xab, 0xcd]
        }
    );
    assert_eq!(f.to_bytes().unwrap(), bytes);
}

#[test]
fn fixed_payload_frames_must_hold_exactly_their_field() {
    assert_eq!(
        decode_one(&[0x07, 0x01, 0x04]).unwrap(),
        Frame::GoAway { id: 4 }
    );
    let e = decode_one(&[0x0d, 0x02, 0x04, 0x00]).unwrap_err();
    assert_eq!(e.code(), H3ErrorCode::FrameError);
    assert_eq!(e.offset, 3);
    let e = decode_one(&[0x03, 0x01, 0x40]).unwrap_err();
    assert_eq!(e.code(), H3ErrorCode::FrameError);
    assert!(matches!(e.kind, FrameErrorKind::Truncated { .. }));
    let e = decode_one(&[0x03, 0x00]).unwrap_err();
    assert_eq!(e.code(), H3ErrorCode::FrameError);
    let e = decode_one(&[0x05, 0x00]).unwrap_err();
    assert_eq!(e.code(), H3ErrorCode::FrameError);
}

#[test]
fn settings_errors() {
    for id in HTTP2_ONLY_SETTINGS {
        let e = decode_one(&[0x04, 0x04, 0x06, 0x01, id as u8, 0x00]).unwrap_err();
        assert_eq!(e.code(), H3ErrorCode::SettingsError);
        assert_eq!(e.offset, 4);
    }
    let e = decode_one(&[0x04, 0x04, 0x01, 0x00, 0x01, 0x05]).unwrap_err();
    assert_eq!(e.code(), H3ErrorCode::SettingsError);
    assert!(matches!(e.kind, FrameErrorKind::DuplicateSetting { id: 1 }));
    let e = decode_one(&[0x04, 0x01, 0x01]).unwrap_err();
    assert_eq!(e.code(), H3ErrorCode::FrameError);
}

#[test]
fn incomplete_and_too_large() {
    let d = FrameDecoder::default();
    assert_eq!(d.decode(&[]).unwrap(), Decoded::Incomplete { needed: 1 });
    assert_eq!(
        d.decode(&[0x00]).unwrap(),
        Decoded::Incomplete { needed: 2 }
    );
    assert_eq!(
        d.decode(&[0x00, 0x05, 1, 2]).unwrap(),
        Decoded::Incomplete { needed: 7 }
    );
    // Length 2^62-1 with no payload: refused from the header.
    let e = d
        .decode(&[0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        .unwrap_err();
    assert_eq!(e.code(), H3ErrorCode::ExcessiveLoad);
    assert_eq!(e.offset, 1);
    let small = FrameDecoder { max_payload_len: 1 };
    assert!(small.decode(&[0x00, 0x02, 0, 0]).is_err());
}

#[test]
fn decode_all_offsets() {
    let bytes = [0x00, 0x01, 0xaa, 0x07, 0x02, 0x01, 0x01];
    let e = FrameDecoder::default().decode_all(&bytes).unwrap_err();
    assert_eq!(e.offset, 6);
    assert!(e.to_string().contains("byte offset 6"), "{e}");
    assert!(e.to_string().contains("H3_FRAME_ERROR"), "{e}");
}

#[test]
fn encode_rejects_huge_integers() {
    assert!(Frame::GoAway { id: 1 << 62 }.to_bytes().is_err());
    assert!(Frame::Unknown {
        frame_type: u64::MAX,
        payload: vec![]
    }
    .to_bytes()
    .is_err());
}

fn var() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..64, 0u64..16384, 0..=varint::MAX_VARINT]
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..200)
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        bytes().prop_map(|data| Frame::Data { data }),
        bytes().prop_map(|b| Frame::Headers {
            encoded_field_section: b
        }),
        var().prop_map(|push_id| Frame::CancelPush { push_id }),
        proptest::collection::btree_map(var(), var(), 0..8).prop_map(|m| Frame::Settings {
            settings: m
                .into_iter()
                .filter(|(id, _)| !HTTP2_ONLY_SETTINGS.contains(id))
                .map(|(id, value)| Setting {
                    id: SettingId::from_u64(id),
                    value
                })
                .collect()
        }),
        (var(), bytes()).prop_map(|(push_id, b)| Frame::PushPromise {
            push_id,
            encoded_field_section: b
        }),
        var().prop_map(|id| Frame::GoAway { id }),
        var().prop_map(|push_id| Frame::MaxPushId { push_id }),
        (var(), bytes())
            .prop_filter("unknown types only", |(t, _)| {
                !matches!(*t, 0x00..=0x09 | MAX_PUSH_ID)
            })
            .prop_map(|(frame_type, payload)| Frame::Unknown {
                frame_type,
                payload
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
}
