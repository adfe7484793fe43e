//! The HTTP/2 endpoints as their lanes run them: both ends of each direction keep one HPACK
//! table, block by block, and the requests, responses, promises and hints are the frames
//! RFC 9113 describes.

use super::*;
use crate::browser::priority::chrome_priority;
use crate::http::h2::client::request_list;
use crate::http::h2::hpack::BlockEncoder;
use crate::http::h2::push::promised_request;
use crate::options::Cache;
use crate::page::{AssetKind, PresetId};
use crate::trace::RepKind;

/// After every header block, the receiver's dynamic table is the sender's (both ways):
/// their fingerprints agree block for block, and there is one per block in the trace.
#[test]
fn the_receivers_hpack_table_follows_the_senders_after_every_block() {
    let mut cases = Vec::new();
    for cache in [Cache::Cold, Cache::Warm] {
        for push in [false, true] {
            let mut s = Scenario::preset(PresetId::Blog);
            s.browser.cache = cache;
            s.server.early_hints = !push;
            cases.push((s, push));
        }
    }
    let mut news = Scenario::preset(PresetId::News);
    news.network.loss = crate::link::LossModel::Random { ppm: 20_000 };
    cases.push((news, false));
    for (s, push) in cases {
        let (lane, conns) = crate::lane::h2::run_conns(&s, push).unwrap();
        for (i, c) in conns.iter().enumerate() {
            let (client_enc, client_dec) = c.client.hpack();
            let (server_enc, server_dec) = c.server.hpack();
            let blocks = |dir| {
                lane.header_blocks
                    .iter()
                    .filter(|b| b.conn == ConnId::at(i) && b.dir == dir)
                    .count()
            };
            assert_eq!(
                server_enc.digests(),
                client_dec.digests(),
                "down, push {push}"
            );
            assert_eq!(
                client_enc.digests(),
                server_dec.digests(),
                "up, push {push}"
            );
            assert_eq!(server_enc.digests().len(), blocks(Direction::Down));
            assert_eq!(client_enc.digests().len(), blocks(Direction::Up));
            // A warm visit requests only the HTML; a cold one everything.
            let requests = if s.browser.cache == Cache::Warm {
                1
            } else {
                10
            };
            assert!(
                blocks(Direction::Up) >= requests,
                "{}",
                blocks(Direction::Up)
            );
        }
    }
}

#[test]
fn hpack_context_carries_across_requests_and_priority_is_sent() {
    let page = crate::page::Page::preset(PresetId::Blog);
    let mut c = BlockEncoder::default();
    let list = |id: u32| {
        let id = AssetId(id);
        request_list(&page, id, chrome_priority(page.asset(id).kind))
    };
    let first = c.encode(&list(1));
    let second = c.encode(&list(2));
    assert!(
        second.bytes.len() * 5 < first.bytes.len(),
        "{second:?} vs {first:?}"
    );
    // Chrome's RFC 9218 priority for a stylesheet is u=0 (non-incremental): `u=0`.
    let css = list(1);
    assert_eq!(page.asset(AssetId(1)).kind, AssetKind::Css);
    assert_eq!(
        css.last(),
        Some(&crate::headers::Field::new("priority", "u=0")),
        "{css:?}"
    );
    // One representation per field, in order; `:method: GET` is static index 2 (RFC 7541
    // Appendix A), an indexed field whose name and value the trace leaves to the table.
    assert_eq!(first.reps.len(), css.len());
    assert_eq!(
        (
            first.reps[0].rep,
            first.reps[0].index,
            first.reps[0].name.as_str()
        ),
        (RepKind::Indexed, Some(2), "")
    );
    // `:path` is a literal with the static name index 4, added to the table.
    assert_eq!(
        (
            first.reps[3].rep,
            first.reps[3].index,
            first.reps[3].value.as_str()
        ),
        (RepKind::Incremental, Some(4), "/css/main.css")
    );
}

/// A promise's block is the request it answers: the pseudo-headers and the three fields
/// nginx copies; on the push lane every promise precedes the HTML's first DATA frame (RFC
/// 9113 §8.4) and is a PUSH_PROMISE on the HTML's stream with a 4-byte promised id.
#[test]
fn push_promises_are_real_frames_before_the_html_data() {
    let page = crate::page::Page::preset(PresetId::Blog);
    assert_eq!(promised_request(&page, AssetId(1)).len(), 4 + 3);
    let s = Scenario::preset(PresetId::Blog);
    let l = run(&s, Protocol::Http2Push);
    let frames: Vec<(&str, StreamId, u64)> = l
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Frame {
                dir: Direction::Down,
                frame,
                stream,
                length,
                ..
            } => Some((frame.as_str(), *stream, *length)),
            _ => None,
        })
        .collect();
    let first_html_data = frames
        .iter()
        .position(|&(f, s, _)| f == "DATA" && s == StreamId(1))
        .unwrap();
    let promises: Vec<usize> = frames
        .iter()
        .enumerate()
        .filter(|(_, f)| f.0 == "PUSH_PROMISE")
        .map(|(i, _)| i)
        .collect();
    assert!(!promises.is_empty());
    assert!(promises.iter().all(|&i| i < first_html_data));
    for &i in &promises {
        let block = l
            .header_blocks
            .iter()
            .filter(|b| b.frame == "PUSH_PROMISE")
            .nth(promises.iter().position(|&p| p == i).unwrap())
            .unwrap();
        assert_eq!(frames[i].1, StreamId(1));
        assert_eq!(frames[i].2, 4 + block.bytes.len() as u64 / 2);
    }
}
