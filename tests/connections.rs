//! End-to-end (issue 11): the connection track, the packet strip, "why did this wait?",
//! the frame inspector with its HPACK table, and "decode your own", in headless Chromium
//! against the release build. Every check compares what is drawn with the engine's own
//! trace for the same scenario, computed natively here, or with RFC 7541's own examples.
//!
//! Over 600 lines on purpose: the end-to-end checks live in one file of their own,
//! each test with the native oracle it compares against (the stalls a lost packet caused,
//! the engine's HPACK decoder over the trace's blocks).

use std::collections::BTreeSet;
use std::time::Duration;

use fantoccini::{key::Key, Client, Locator};
use protoviz_e2e::{
    artifacts_dir, dist_dir, set_viewport, trace, value, wait_for, Chromedriver, StaticServer,
    SUB_PATH,
};
use protoviz_engine::link::DropReason;
use protoviz_engine::trace::{BlockedCause, Direction, EventKind, Lane};
use protoviz_engine::wire::frame::{
    Frame, FrameDecoder, FrameHeader, FrameType, DEFAULT_MAX_FRAME_SIZE,
};
use protoviz_engine::wire::hpack::{Decoder, DecoderConfig};
use protoviz_engine::wire::Decoded;
use protoviz_engine::{url, AssetId, Protocol};
use serde_json::{json, Value};

/// Opens the app at `#link` and waits for exactly that run.
async fn open(c: &Client, server: &StaticServer, link: &str) {
    let want = url::encode(&url::decode(link).expect("a valid link"));
    c.goto("about:blank").await.unwrap();
    c.goto(&server.url(&format!("{SUB_PATH}#{link}")))
        .await
        .expect("page loads");
    wait_for(
        c,
        &format!("the run of {want}"),
        90,
        "const l = document.querySelector('.lanes'); \
         return [l && l.dataset.run, document.querySelectorAll('.wire-toggle').length]",
        |v| v[0] == want.as_str() && v[1].as_u64().unwrap_or(0) > 0,
    )
    .await;
    // The tracks open in every lane from any lane's toggle (closed by default, so the
    // four lanes' first rows fit a 1400×900 screen).
    let closed = value(
        c,
        "return [...document.querySelectorAll('.wire-toggle')].map(b => b.getAttribute('aria-expanded'))",
    )
    .await;
    assert!(
        closed.as_array().unwrap().iter().all(|v| v == "false"),
        "{closed}"
    );
    // A script's click: the lanes may still be settling (the median seeds arrive), which
    // can make a pointer click land on a moving target.
    value(
        c,
        "document.querySelector('.lane[data-protocol=h3] .wire-toggle').click(); return 1",
    )
    .await;
    wait_for(
        c,
        "the connection tracks",
        10,
        "return document.querySelectorAll('[data-view=connections]').length",
        |v| v.as_u64() == Some(4),
    )
    .await;
}

async fn session() -> (StaticServer, Chromedriver, Client) {
    let server = StaticServer::start(dist_dir());
    let driver = Chromedriver::start();
    let c = driver.client().await;
    (server, driver, c)
}

/// The assets whose bytes the lane's server→client packets carried on `conn`, in the order
/// each first appears, and how many times one asset's bytes resume after another's.
fn carried_on(lane: &Lane, conn: u32) -> (Vec<AssetId>, usize) {
    let mut order: Vec<AssetId> = Vec::new();
    let mut last = None;
    let mut resumed = 0;
    for e in &lane.events {
        if let EventKind::PacketSent {
            dir: Direction::Down,
            conn: c,
            carried,
            dropped,
            ..
        } = &e.kind
        {
            if c.0 != conn || *dropped == Some(DropReason::QueueOverflow) {
                continue;
            }
            for x in carried {
                if last != Some(x.asset) {
                    if order.contains(&x.asset) {
                        resumed += 1;
                    } else {
                        order.push(x.asset);
                    }
                    last = Some(x.asset);
                }
            }
        }
    }
    (order, resumed)
}

/// One band per connection in every lane, each naming as many responses as the trace
/// says it carried; on `tiles`, HTTP/1.1's six bands each carry one response after another
/// and HTTP/2's one band alternates between streams, in alternating colours.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_band_per_connection_coloured_by_whose_bytes() {
    let (server, _driver, c) = session().await;
    for link in ["page=blog", "page=tiles"] {
        open(&c, &server, link).await;
        let t = trace(link);
        for lane in &t.lanes {
            let p = lane.protocol.id();
            let drawn = value(
                &c,
                &format!(
                    "return [...document.querySelectorAll('.lane[data-protocol={p}] [data-view=connections] [data-conn]')]\
                     .map(b => [Number(b.dataset.conn), Number(b.dataset.responses),\
                        [...new Set([...b.querySelectorAll('.cseg[data-asset]')].map(s => Number(s.dataset.asset)))].length])"
                ),
            )
            .await;
            let want: Vec<Value> = lane
                .connections
                .iter()
                .map(|k| {
                    let n = carried_on(lane, k.id.0).0.len();
                    json!([k.id.0, n, n])
                })
                .collect();
            assert_eq!(drawn, Value::Array(want), "{link} {p}: bands");
        }
        let h1 = t
            .lanes
            .iter()
            .find(|l| l.protocol == Protocol::Http1)
            .unwrap();
        let h2 = t
            .lanes
            .iter()
            .find(|l| l.protocol == Protocol::Http2)
            .unwrap();
        assert_eq!(h1.connections.len(), 6, "{link}");
        assert_eq!(h2.connections.len(), 1, "{link}");
        if link == "page=tiles" {
            for k in &h1.connections {
                assert_eq!(
                    carried_on(h1, k.id.0).1,
                    0,
                    "h1 #{}: one response at a time",
                    k.id.0
                );
            }
            assert!(
                carried_on(h2, 0).1 > 10,
                "the engine interleaves the tiles on h2"
            );
            // On screen: the band's pieces in order, their asset and colour.
            let segs = value(
                &c,
                "return [...document.querySelectorAll('.lane[data-protocol=h2] [data-view=connections] [data-conn] .cseg[data-asset]')]\
                 .map(s => [Number(s.dataset.asset), getComputedStyle(s).backgroundColor])",
            )
            .await;
            let segs = segs.as_array().unwrap();
            let mut changes = 0;
            let mut recolours = 0;
            let mut seen = BTreeSet::new();
            let mut resumed = 0;
            for w in segs.windows(2) {
                if w[0][0] != w[1][0] {
                    changes += 1;
                    if w[0][1] != w[1][1] {
                        recolours += 1;
                    }
                    if !seen.insert(w[1][0].as_u64().unwrap()) {
                        resumed += 1;
                    }
                }
            }
            assert!(
                resumed > 10,
                "the h2 band alternates between streams: {resumed}"
            );
            assert!(
                recolours * 10 >= changes * 9,
                "neighbouring streams differ in colour: {recolours} of {changes}"
            );
        }
    }
    c.close().await.unwrap();
}

/// What a dropped packet (ordinal `n` of `dir`) stalled in a lane, independently of the
/// app: TCP head-of-line stalls whose missing bytes include its payload; QUIC stream stalls
/// naming its packet number.
fn stalled_by(lane: &Lane, dir: Direction, n: u64) -> Option<(bool, BTreeSet<u32>)> {
    let e = lane.events.iter().find_map(|e| match &e.kind {
        EventKind::PacketSent {
            dir: d,
            ordinal,
            conn,
            seq,
            len,
            dropped,
            ..
        } if *d == dir && *ordinal == n => Some((*conn, *seq, *len, dropped.is_some())),
        _ => None,
    })?;
    let (conn, seq, len, lost) = e;
    let mut set = BTreeSet::new();
    if lost && dir == Direction::Down {
        for a in &lane.assets {
            for b in &a.blocked {
                let hit = match b.cause {
                    BlockedCause::TcpHeadOfLine {
                        conn: c,
                        missing_from,
                        missing_to,
                    } => {
                        lane.protocol != Protocol::Http3
                            && c == conn
                            && missing_from < seq + len.max(1)
                            && seq < missing_to
                    }
                    BlockedCause::QuicStreamHeadOfLine { packet, .. } => {
                        lane.protocol == Protocol::Http3 && packet == seq
                    }
                    _ => false,
                };
                if hit && b.to > b.from {
                    set.insert(a.asset.0);
                }
            }
        }
    }
    Some((lost, set))
}

/// Pressing Enter on a lost packet of the HTTP/2 strip opens "why did this wait?": in
/// every lane, the assets the trace says that packet of the link stalled, and a sentence
/// naming the one that waited longest and HTTP/3's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_packet_says_what_waited_in_every_lane() {
    let (server, _driver, c) = session().await;
    let link = "page=blog&loss=2";
    open(&c, &server, link).await;
    let t = trace(link);
    let h2 = t
        .lanes
        .iter()
        .find(|l| l.protocol == Protocol::Http2)
        .unwrap();
    // The first server→client loss on HTTP/2 that stalled something.
    let n = h2
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::PacketSent {
                dir: Direction::Down,
                ordinal,
                dropped: Some(_),
                ..
            } => Some(*ordinal),
            _ => None,
        })
        .find(|&n| stalled_by(h2, Direction::Down, n).is_some_and(|s| !s.1.is_empty()))
        .expect("2 % loss stalls an HTTP/2 stream");
    let lost_drawn = value(
        &c,
        "return [...document.querySelectorAll('.lane[data-protocol=h2] [data-view=packets] [data-packet-lost]')].length",
    )
    .await;
    let lost_trace = h2
        .events
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                EventKind::PacketSent {
                    dropped: Some(_),
                    ..
                }
            )
        })
        .count();
    assert_eq!(lost_drawn, json!(lost_trace), "every lost packet is a ✕");
    let css = format!(
        ".lane[data-protocol=h2] [data-view=packets] [data-packet-lost][data-dir=down][data-ordinal=\"{n}\"]"
    );
    value(
        &c,
        &format!("document.querySelector({css:?}).focus(); return 1"),
    )
    .await;
    c.active_element()
        .await
        .unwrap()
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    wait_for(
        &c,
        "the why panel",
        10,
        "const w = document.querySelector('[data-view=why]'); return w && w.dataset.ordinal",
        |v| v.as_str() == Some(n.to_string().as_str()),
    )
    .await;
    let sentence = value(
        &c,
        "return document.querySelector('.why-sentence').textContent",
    )
    .await
    .as_str()
    .unwrap()
    .to_string();
    for lane in &t.lanes {
        let p = lane.protocol.id();
        let Some((lost, want)) = stalled_by(lane, Direction::Down, n) else {
            continue;
        };
        let drawn = value(
            &c,
            &format!(
                "const s = document.querySelector('.why-lane[data-protocol={p}]');\
                 return s && [s.dataset.lost, [...s.querySelectorAll('.stalls li')].map(l => Number(l.dataset.asset))]"
            ),
        )
        .await;
        let got: BTreeSet<u32> = drawn[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(drawn[0], json!(lost.to_string()), "{p}: lost or not");
        assert_eq!(got, want, "{p}: the assets packet {n} stalled");
        for a in &want {
            let path = &lane.assets[*a as usize].path;
            let file = path.rsplit('/').next().unwrap();
            if lane.protocol == Protocol::Http3 {
                assert!(
                    sentence.contains(file),
                    "the sentence names h3's {file}: {sentence}"
                );
            }
        }
    }
    let (_, want) = stalled_by(h2, Direction::Down, n).unwrap();
    assert!(
        want.iter().any(|a| {
            let path = &h2.assets[*a as usize].path;
            sentence.starts_with(&format!("`{}` waits", path.rsplit('/').next().unwrap()))
        }),
        "the sentence starts with a stalled h2 asset: {sentence}"
    );
    assert!(sentence.contains(&format!("TCP segment {n}")), "{sentence}");
    c.close().await.unwrap();
}

/// The frame inspector lists the HTTP/2 connection's frames; the second request's HEADERS
/// frame shows the trace's block bytes, and its HPACK table is the one the engine's decoder
/// builds from the trace's blocks; the block is smaller than the same headers as text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_shows_the_traces_bytes_and_hpack_table() {
    let (server, _driver, c) = session().await;
    let link = "page=blog";
    open(&c, &server, link).await;
    let t = trace(link);
    let h2 = t
        .lanes
        .iter()
        .find(|l| l.protocol == Protocol::Http2)
        .unwrap();
    c.find(Locator::Css(
        ".lane[data-protocol=h2] [data-view=connections] [data-conn=\"0\"] .inspect",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let frames = h2
        .events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Frame { .. }))
        .count();
    wait_for(
        &c,
        "the inspector's frames",
        10,
        "return document.querySelectorAll('[data-view=inspector] [data-frame]').length",
        |v| v.as_u64() == Some(frames as u64),
    )
    .await;
    // The second block the browser wrote: the second request's headers.
    let (bi, block) = h2
        .header_blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.dir == Direction::Up)
        .nth(1)
        .unwrap();
    c.find(Locator::Css(&format!(
        "[data-view=inspector] tr[data-header-block=\"{bi}\"] button"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let shown = wait_for(
        &c,
        "the header table",
        10,
        "const h = document.querySelector('[data-view=header-table]');\
         return h && [h.dataset.block, h.querySelector('.hex').dataset.bytes,\
            [...h.querySelectorAll('.dyn-table tr.entry')].map(r => [r.querySelector('.hname').textContent, r.querySelector('.hvalue').textContent]),\
            h.querySelector('.saving').dataset.blockLen, h.querySelector('.saving').textContent,\
            document.querySelector('.frame-detail .hex').dataset.bytes]",
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(shown[0], json!(bi.to_string()));
    assert_eq!(
        shown[1],
        json!(block.bytes),
        "the block's bytes are the trace's"
    );
    let frame_hex = shown[5].as_str().unwrap();
    assert!(frame_hex.ends_with(&block.bytes) && frame_hex.len() == block.bytes.len() + 18);
    // The engine's decoder over the trace's blocks of this connection and direction.
    let mut dec = Decoder::new(DecoderConfig::default());
    let mut table = Vec::new();
    for b in h2.header_blocks.iter().take(bi + 1) {
        if b.conn != block.conn || b.dir != block.dir {
            continue;
        }
        let bytes: Vec<u8> = (0..b.bytes.len() / 2)
            .map(|i| u8::from_str_radix(&b.bytes[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        table = dec.decode(&bytes).unwrap().table.entries;
    }
    let want: Vec<Value> = table
        .iter()
        .map(|e| json!([e.name.as_ref(), e.value.as_ref()]))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(shown[2], Value::Array(want), "the table after block {bi}");
    assert_eq!(shown[3], json!((block.bytes.len() / 2).to_string()));
    assert!(
        shown[4].as_str().unwrap().contains("% smaller"),
        "{}",
        shown[4]
    );
    // The client's SETTINGS: its whole bytes are the trace's (header by the engine's
    // encoder, payload as recorded), and the settings shown are what they decode to.
    let (ei, length, flags, payload) = h2
        .events
        .iter()
        .enumerate()
        .find_map(|(i, e)| match &e.kind {
            EventKind::Frame {
                dir: Direction::Up,
                frame,
                length,
                flags,
                payload,
                ..
            } if frame == "SETTINGS" && *length > 0 => Some((i, *length, *flags, payload.clone())),
            _ => None,
        })
        .expect("the client's SETTINGS");
    c.find(Locator::Css(&format!(
        "[data-view=inspector] tr[data-frame=\"{ei}\"] button"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let got = wait_for(
        &c,
        "the SETTINGS frame",
        10,
        &format!(
            "const d = document.querySelector('.frame-detail[data-frame-detail=\"{ei}\"]');\
             return d && [d.querySelector('.hex').dataset.bytes, d.querySelector('.decoded').textContent]"
        ),
        |v| !v.is_null(),
    )
    .await;
    let mut wire = Vec::new();
    FrameHeader {
        length: length as u32,
        frame_type: FrameType::Settings,
        flags,
        stream_id: 0,
    }
    .write(&mut wire);
    let head: String = wire.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got[0], json!(format!("{head}{payload}")));
    let bytes: Vec<u8> = (0..payload.len() / 2)
        .map(|i| u8::from_str_radix(&payload[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    wire.extend_from_slice(&bytes);
    let Ok(Decoded::Complete {
        item: Frame::Settings(settings),
        ..
    }) = FrameDecoder::new(DEFAULT_MAX_FRAME_SIZE).decode(&wire)
    else {
        panic!("the trace's SETTINGS decodes");
    };
    let text = got[1].as_str().unwrap();
    for x in &settings.settings {
        let name = x.id.name().unwrap();
        assert!(
            text.contains(&format!("{name}{}", x.value)),
            "{name} = {} in {text}",
            x.value
        );
    }
    c.close().await.unwrap();
}

/// RFC 7541 C.4 pasted as three blocks decodes to its header lists and its final table;
/// the same first block inside a HEADERS frame decodes too; bad hex and a cut-short frame
/// say their byte offset, and the page keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_your_own_rfc7541_c4_and_a_bad_paste() {
    let (server, _driver, c) = session().await;
    open(&c, &server, "page=blog").await;
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/vectors/rfc7541-appendix-c.json"),
        )
        .expect("../shared/vectors beside the repository"),
    )
    .unwrap();
    let c4 = vectors["sequences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "C.4")
        .unwrap();
    let steps = c4["steps"].as_array().unwrap();
    c.find(Locator::Css(".decode-open button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        &c,
        "the decode panel",
        10,
        "return !!document.querySelector('[data-view=decode] textarea')",
        |v| v == true,
    )
    .await;
    let paste = |text: String, mode: &str| {
        format!(
            "const s = document.querySelector('[data-view=decode] select'); s.value = '{mode}';\
             s.dispatchEvent(new Event('change', {{ bubbles: true }}));\
             const t = document.querySelector('[data-view=decode] textarea'); t.value = {text:?};\
             t.dispatchEvent(new InputEvent('input', {{ bubbles: true }})); return 1"
        )
    };
    let lines: Vec<String> = steps
        .iter()
        .map(|s| s["wire_hex"].as_str().unwrap().to_string())
        .collect();
    value(&c, &paste(lines.join("\n"), "blocks")).await;
    let got = wait_for(
        &c,
        "three decoded blocks",
        10,
        "return [...document.querySelectorAll('[data-view=decode] [data-header-block]')].map(b => [\
            [...b.querySelectorAll('.header-list li')].map(l => [l.querySelector('.hname').textContent, l.querySelector('.hvalue').textContent]),\
            [...b.querySelectorAll('.dyn-table tr.entry')].map(r => [r.querySelector('.hname').textContent, r.querySelector('.hvalue').textContent])])",
        |v| v.as_array().is_some_and(|a| a.len() == 3),
    )
    .await;
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(got[i][0], s["headers"], "{} headers", s["id"]);
        let table: Vec<Value> = s["dynamic_table_after"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| json!([e["name"], e["value"]]))
            .collect();
        assert_eq!(got[i][1], Value::Array(table), "{} table", s["id"]);
    }
    // The first block in a HEADERS frame (END_STREAM | END_HEADERS) on stream 1.
    let first = &lines[0];
    let frame = format!("{:06x}010500000001{first}", first.len() / 2);
    value(&c, &paste(frame, "frames")).await;
    let got = wait_for(
        &c,
        "the frame's block",
        10,
        "const b = document.querySelector('[data-view=decode] [data-header-block]');\
         return b && [...b.querySelectorAll('.header-list li')].map(l => [l.querySelector('.hname').textContent, l.querySelector('.hvalue').textContent])",
        |v| !v.is_null(),
    )
    .await;
    assert_eq!(got, steps[0]["headers"]);
    for (bad, offset) in [
        ("00 00 zz", "byte offset 2"),
        ("0000ff0105000000018286", "byte offset 0"),
    ] {
        value(&c, &paste(bad.to_string(), "frames")).await;
        let e = wait_for(
            &c,
            "the error",
            10,
            "const e = document.querySelector('.decode-error'); return e && e.textContent",
            |v| v.as_str().is_some_and(|s| s.contains(offset)),
        )
        .await;
        assert!(e.as_str().unwrap().contains(offset), "{bad}: {e}");
    }
    assert_eq!(
        value(
            &c,
            "return document.querySelectorAll('[data-view=connections]').length"
        )
        .await,
        json!(4),
        "the page keeps working"
    );
    c.close().await.unwrap();
}

/// Dragging across a lane's time axis zooms every view to that range: the axis, the
/// waterfall's bars, the connection bands and the lost packets; double-click resets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dragging_an_axis_zooms_every_view_and_double_click_resets() {
    let (server, _driver, c) = session().await;
    let link = "page=blog&loss=2";
    open(&c, &server, link).await;
    let t = trace(link);
    let end: u64 = value(&c, "return document.querySelector('.lanes').dataset.endUs")
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    value(
        &c,
        "const z = document.querySelector('.lane[data-protocol=h2] .zoom-drag');\
         const r = z.getBoundingClientRect(); const y = r.top + r.height / 2;\
         const at = (type, f) => z.dispatchEvent(new MouseEvent(type, { bubbles: true, button: 0, clientX: r.left + f * r.width, clientY: y }));\
         at('mousedown', 0.25); at('mousemove', 0.4); at('mousemove', 0.5); at('mouseup', 0.5); return 1",
    )
    .await;
    let range = wait_for(
        &c,
        "the zoom",
        10,
        "const l = document.querySelector('.lanes'); return [l.dataset.startUs, l.dataset.endUs]",
        |v| v[0] != "0",
    )
    .await;
    let from: u64 = range[0].as_str().unwrap().parse().unwrap();
    let to: u64 = range[1].as_str().unwrap().parse().unwrap();
    let near = |got: u64, want: f64| (got as f64 - want).abs() < end as f64 * 0.01;
    assert!(
        near(from, end as f64 * 0.25) && near(to, end as f64 * 0.5),
        "{from}–{to} of {end}"
    );
    assert_eq!(
        value(&c, "const z = document.querySelector('.zoom-status'); return [z.dataset.zoomFrom, z.dataset.zoomTo]").await,
        json!([from.to_string(), to.to_string()])
    );
    // A waterfall bar inside the range sits where the zoomed axis says.
    let h2 = t
        .lanes
        .iter()
        .find(|l| l.protocol == Protocol::Http2)
        .unwrap();
    let a = h2
        .assets
        .iter()
        .find(|a| {
            a.first_byte
                .is_some_and(|f| (from..to).contains(&f.as_micros()))
        })
        .expect("a first byte in the range");
    let geo = value(
        &c,
        &format!(
            "const lane = document.querySelector('.lane[data-protocol=h2]');\
             const track = lane.querySelector('.axis').getBoundingClientRect();\
             const bar = lane.querySelector('.asset-row[data-asset=\"{}\"] .seg.receive').getBoundingClientRect();\
             return [track.left, track.width, bar.left]",
            a.asset.0
        ),
    )
    .await;
    let g: Vec<f64> = geo
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let x = g[0] + (a.first_byte.unwrap().as_micros() - from) as f64 / (to - from) as f64 * g[1];
    assert!((g[2] - x).abs() < 0.6, "{}: bar at {} vs {x}", a.path, g[2]);
    // The bands and the lost packets shown are those in the range, all of them.
    let shown = value(
        &c,
        "const l = document.querySelector('.lane[data-protocol=h2]');\
         return [[...l.querySelectorAll('.cseg')].map(s => [Number(s.dataset.from), Number(s.dataset.to)]),\
                 [...l.querySelectorAll('[data-packet-lost]')].map(b => Number(b.dataset.at))]",
    )
    .await;
    let pieces = shown[0].as_array().unwrap();
    assert!(!pieces.is_empty());
    for p in pieces {
        let (a, b) = (p[0].as_u64().unwrap(), p[1].as_u64().unwrap());
        assert!(b > from && a < to, "a piece {a}–{b} outside {from}–{to}");
    }
    let lost: Vec<u64> = shown[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let want: Vec<u64> = h2
        .events
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                EventKind::PacketSent {
                    dropped: Some(_),
                    ..
                }
            )
        })
        .map(|e| e.at.as_micros())
        .filter(|&at| (from..=to).contains(&at))
        .collect();
    assert_eq!(lost, want, "the lost packets in the range");
    value(
        &c,
        "document.querySelector('.lane[data-protocol=h1] .zoom-drag').dispatchEvent(new MouseEvent('dblclick', { bubbles: true })); return 1",
    )
    .await;
    wait_for(
        &c,
        "the whole run again",
        10,
        "const l = document.querySelector('.lanes'); return [l.dataset.startUs, l.dataset.endUs, !!document.querySelector('.zoom-reset')]",
        |v| v[0] == "0" && v[1] == end.to_string().as_str() && v[2] == false,
    )
    .await;
    // By keyboard: pause, then Enter on "Zoom in ×2" halves the axis around the playhead.
    if value(&c, "return document.getElementById('play').textContent")
        .await
        .as_str()
        .unwrap()
        .contains("Pause")
    {
        value(&c, "document.getElementById('play').click(); return 1").await;
    }
    let at: u64 = wait_for(&c, "the pause", 10,
        "return [document.getElementById('play').textContent, document.querySelector('.timebar').dataset.playheadUs]",
        |v| !v[0].as_str().unwrap_or("").contains("Pause")).await[1]
        .as_str().unwrap().parse().unwrap();
    value(&c, "document.querySelector('.zoom-in').focus(); return 1").await;
    c.active_element()
        .await
        .unwrap()
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    let width = end / 2;
    let mut want_from = at.saturating_sub(width / 2);
    if want_from + width > end {
        want_from = end.saturating_sub(width);
    }
    wait_for(
        &c,
        "the keyboard zoom",
        10,
        "const l = document.querySelector('.lanes'); return [l.dataset.startUs, l.dataset.endUs]",
        |v| {
            v[0] == want_from.to_string().as_str()
                && v[1] == (want_from + width).to_string().as_str()
        },
    )
    .await;
    c.close().await.unwrap();
}

/// Pictures of the views at 1400×900 and on a 390-px-wide phone, for the README.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_the_connection_views() {
    let (server, _driver, c) = session().await;
    let link = "page=blog&loss=2";
    for (w, h, tag) in [(1400, 900, "1400x900"), (390, 844, "390")] {
        set_viewport(&c, w, h).await;
        open(&c, &server, link).await;
        // The connection track and packet strip of HTTP/2.
        value(
            &c,
            "document.querySelector('.lane[data-protocol=h2] [data-view=connections]').scrollIntoView(); return 1",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = c.screenshot().await.expect("screenshot");
        assert!(png.len() > 20_000, "a real picture");
        std::fs::write(artifacts_dir().join(format!("connections-{tag}.png")), png).unwrap();
        // Why did this wait?
        value(
            &c,
            "document.querySelector('.lane[data-protocol=h2] [data-packet-lost][data-dir=down]').click(); return 1",
        )
        .await;
        wait_for(
            &c,
            "why",
            10,
            "return !!document.querySelector('[data-view=why]')",
            |v| v == true,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(
            artifacts_dir().join(format!("why-{tag}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        value(
            &c,
            "document.querySelector('[data-view=why] .close').click(); return 1",
        )
        .await;
        // The inspector on the second request's HEADERS.
        value(
            &c,
            "document.querySelector('.lane[data-protocol=h2] [data-conn] .inspect').click(); return 1",
        )
        .await;
        wait_for(
            &c,
            "inspector",
            10,
            "return document.querySelectorAll('[data-view=inspector] [data-header-block]').length",
            |v| v.as_u64().unwrap_or(0) > 2,
        )
        .await;
        value(
            &c,
            "const r = [...document.querySelectorAll('[data-view=inspector] tr.up[data-header-block]')][1]; r.querySelector('button').click(); return 1",
        )
        .await;
        wait_for(
            &c,
            "header table",
            10,
            "return !!document.querySelector('[data-view=header-table]')",
            |v| v == true,
        )
        .await;
        value(
            &c,
            "document.querySelector('[data-view=header-table]').scrollIntoView(); return 1",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let fits = value(
            &c,
            "return document.documentElement.scrollWidth <= innerWidth",
        )
        .await;
        assert_eq!(fits, true, "{tag}: nothing wider than the screen");
        std::fs::write(
            artifacts_dir().join(format!("inspector-{tag}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        // Decode your own: RFC 7541 C.4.1 inside a HEADERS frame.
        value(
            &c,
            "document.querySelector('[data-view=inspector] .close').click();\
             document.querySelector('.decode-open button').click(); return 1",
        )
        .await;
        wait_for(
            &c,
            "decode",
            10,
            "return !!document.querySelector('[data-view=decode] textarea')",
            |v| v == true,
        )
        .await;
        value(
            &c,
            "const t = document.querySelector('[data-view=decode] textarea');\
             t.value = '000011010500000001 828684418cf1e3c2e5f23a6ba0ab90f4ff';\
             t.dispatchEvent(new InputEvent('input', { bubbles: true }));\
             document.querySelector('[data-view=decode]').scrollIntoView(); return 1",
        )
        .await;
        wait_for(
            &c,
            "decoded",
            10,
            "return !!document.querySelector('[data-view=decode] [data-header-block]')",
            |v| v == true,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(
            artifacts_dir().join(format!("decode-{tag}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        // Tiles: 100 responses on one HTTP/2 band against six HTTP/1.1 bands.
        open(&c, &server, "page=tiles").await;
        value(
            &c,
            "document.querySelector('.lane[data-protocol=h1] [data-view=connections]').scrollIntoView(); return 1",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(
            artifacts_dir().join(format!("connections-tiles-{tag}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    c.close().await.unwrap();
}
