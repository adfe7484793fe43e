//! One protocol's lane: its figures and one row per asset, drawn up to the playhead.

use protoviz_engine::link::DropReason;
use protoviz_engine::trace::{AssetTiming, Blocked, BlockedCause, EventKind, Source};
use protoviz_engine::{Lane, SimTime};
use yew::prelude::*;

use crate::format;
use crate::state::Shared;

#[derive(Properties, PartialEq)]
pub struct LaneProps {
    pub lane: Shared<Lane>,
    /// Length of the shared time axis, µs.
    pub timeline_us: u64,
    /// Simulated time shown, µs.
    pub playhead_us: u64,
}

/// The phases of one request, as (css class, start, end) in µs, in order.
/// On QUIC (`quic`), transport and TLS handshakes are one: a single "quic" phase.
pub fn phases(a: &AssetTiming, quic: bool) -> Vec<(&'static str, u64, u64)> {
    let t = |x: SimTime| x.as_micros();
    let mut v = Vec::with_capacity(5);
    let discovered = t(a.discovered);
    let mut cursor = discovered;
    if let Some(c) = a.connect {
        let start = t(c.start).max(cursor);
        v.push(("queued", cursor, start));
        let tcp = t(c.tcp_end).max(start);
        let tls = t(c.tls_end).max(tcp);
        if quic {
            v.push(("quic", start, tls));
        } else {
            v.push(("connect", start, tcp));
            v.push(("tls", tcp, tls));
        }
        cursor = tls;
    }
    // A lane that stopped at its time limit leaves some of these out: the bar ends there.
    let Some(sent) = a.request_sent.map(t) else {
        return v;
    };
    let sent = sent.max(cursor);
    v.push(("queued", cursor, sent));
    let Some(first) = a.first_byte.map(t) else {
        return v;
    };
    let first = first.max(sent);
    v.push(("wait", sent, first));
    let Some(last) = a.last_byte.map(t) else {
        return v;
    };
    v.push(("receive", first, last.max(first)));
    // A response that arrived in one delivery (a small one, or bytes TCP released at once
    // after a loss) still shows it arrived: a receive bar of no length is kept (drawn at
    // the minimum width). A cached asset shows its own mark instead.
    let arrived_at_once = a.source != Source::Cache;
    v.retain(|&(name, s, e)| e > s || (name == "receive" && arrived_at_once));
    v
}

/// What a stall means, in a sentence a student can follow.
pub fn blocked_text(b: &Blocked) -> String {
    let span = format::ms(b.to.as_micros().saturating_sub(b.from.as_micros()));
    match b.cause {
        BlockedCause::TcpHeadOfLine {
            conn,
            missing_from,
            missing_to,
        } => format!(
            "stalled {span}: its bytes had arrived, but TCP on connection #{} held them back \
             until the lost bytes {missing_from}–{missing_to} were retransmitted \
             (head-of-line blocking)",
            conn.0
        ),
        BlockedCause::QuicStreamHeadOfLine { stream, packet, .. } => format!(
            "stalled {span}: its bytes had arrived, but QUIC stream {} waited for bytes first \
             sent in lost packet {packet} (head-of-line blocking on this stream only)",
            stream.0
        ),
        BlockedCause::ConnectionLimit => {
            format!("waited {span}: every HTTP/1.1 connection to the host was busy")
        }
        BlockedCause::PipelineHeadOfLine { conn, behind } => format!(
            "waited {span}: pipelined on connection #{} behind the response to asset {}, \
             which HTTP/1.1 must return first (head-of-line blocking)",
            conn.0, behind.0
        ),
        BlockedCause::FlowControl { stream, .. } => match stream {
            Some(s) => format!(
                "waited {span}: the server had bytes ready but stream {}'s flow-control \
                 window was used up until the browser's WINDOW_UPDATE arrived",
                s.0
            ),
            None => format!(
                "waited {span}: the server had bytes ready but the connection's \
                 flow-control window was used up until the browser's WINDOW_UPDATE arrived"
            ),
        },
        BlockedCause::CongestionWindow { .. } => {
            format!("waited {span}: the server had bytes ready but its congestion window was full")
        }
    }
}

/// Where a response came from, for its row: (css class, badge, sentence); `None` for a
/// plain request.
pub fn source_style(source: Source) -> Option<(&'static str, &'static str, &'static str)> {
    match source {
        Source::Request => None,
        Source::Push => Some((
            "source-push",
            "pushed",
            "pushed by the server with the HTML (HTTP/2 server push), before the browser asked",
        )),
        Source::EarlyHint => Some((
            "source-early-hint",
            "hinted",
            "requested early: the server's 103 Early Hints named it before the HTML arrived",
        )),
        Source::Cache => Some((
            "source-cache",
            "cached",
            "from the browser cache: nothing went over the network",
        )),
    }
}

/// Packets the link dropped in this lane: (random or scripted loss, queue overflow).
pub fn drops(lane: &Lane) -> (u64, u64) {
    lane.events
        .iter()
        .fold((0, 0), |(loss, queue), e| match &e.kind {
            EventKind::PacketSent {
                dropped: Some(DropReason::QueueOverflow),
                ..
            } => (loss, queue + 1),
            EventKind::PacketSent {
                dropped: Some(_), ..
            } => (loss + 1, queue),
            _ => (loss, queue),
        })
}

#[function_component]
pub fn LaneView(p: &LaneProps) -> Html {
    let lane = &p.lane;
    let m = &lane.metrics;
    let scale = p.timeline_us.max(1) as f64;
    let pct = |us: u64| us as f64 / scale * 100.0;
    let done = m.load.is_some_and(|l| p.playhead_us >= l.as_micros());
    let quic = lane.protocol == protoviz_engine::Protocol::Http3;
    let (lost, queue) = drops(lane);
    let rows = lane.assets.iter().map(|a| {
        let shown = p.playhead_us >= a.discovered.as_micros();
        let segments = phases(a, quic).into_iter().filter(|&(_, s, _)| s <= p.playhead_us).map(|(class, s, e)| {
            let e = e.min(p.playhead_us);
            html! {
                <span class={classes!("seg", class)}
                    style={format!("left:{:.3}%;width:{:.3}%", pct(s), pct(e - s))}></span>
            }
        });
        let source = source_style(a.source);
        let cached = (a.source == Source::Cache && shown).then(|| html! {
            <span class="seg cached" style={format!("left:{:.3}%", pct(a.discovered.as_micros()))}></span>
        });
        let title = format!(
            "{} ({}, {})\nfound at {}\nrequest sent at {}\nfirst byte at {}\nlast byte at {}\nconnection #{}{}",
            a.path,
            a.kind,
            format::bytes(a.size),
            format::at(a.discovered),
            format::maybe_at(a.request_sent),
            format::maybe_at(a.first_byte),
            format::maybe_at(a.last_byte),
            a.connection.0,
            a.stream.map(|s| format!(", stream {}", s.0)).unwrap_or_default(),
        );
        let stalls = a
            .blocked
            .iter()
            .filter(|b| {
                matches!(
                    b.cause,
                    BlockedCause::TcpHeadOfLine { .. } | BlockedCause::QuicStreamHeadOfLine { .. }
                )
            })
            .filter(|b| b.from.as_micros() < p.playhead_us && b.to > b.from)
            .map(|b| {
                let (from, to) = (b.from.as_micros(), b.to.as_micros().min(p.playhead_us));
                html! {
                    <span class="seg blocked" title={blocked_text(b)}
                        style={format!("left:{:.3}%;width:{:.3}%", pct(from), pct(to - from))}></span>
                }
            });
        let mut title = title;
        if let Some((_, _, sentence)) = source {
            title.push('\n');
            title.push_str(sentence);
        }
        if a.wasted_bytes > 0 {
            title.push_str(&format!(
                "\n{} crossed the network for nothing: the browser did not use the push",
                format::bytes(a.wasted_bytes)
            ));
        }
        for b in &a.blocked {
            title.push('\n');
            title.push_str(&blocked_text(b));
        }
        html! {
            <li class={classes!("asset-row", (!shown).then_some("unseen"), source.map(|s| s.0),
                    (a.wasted_bytes > 0).then_some("wasted"))} title={title}
                data-asset={a.asset.0.to_string()}>
                <span class="asset-name">
                    <span class={classes!("kind", a.kind.to_string())}>{ a.kind.to_string() }</span>
                    if let Some((_, badge, _)) = source {
                        <span class="source-badge">{ badge }</span>
                    }
                    { &a.path }
                </span>
                <span class="asset-conn">{ if a.source == Source::Cache { "—".to_string() } else { format!("#{}", a.connection.0) } }</span>
                <span class="track">{ for segments }{ for stalls }{ for cached }</span>
            </li>
        }
    });
    html! {
        <section class={classes!("lane", lane.protocol.id())} data-protocol={lane.protocol.id()}>
            <header class="lane-head">
                <h2>{ lane.protocol.label() }</h2>
                <dl class="metrics">
                    <div><dt>{ "First byte" }</dt><dd class="ttfb" data-us={format::us_attr(m.ttfb)}>{ format::maybe_dur(m.ttfb) }</dd></div>
                    <div title="First paint: the HTML has started arriving and every render-blocking stylesheet and script has been parsed or run">
                        <dt>{ "First paint" }</dt><dd class="first-paint" data-us={format::us_attr(m.first_paint)}>{ format::maybe_dur(m.first_paint) }</dd></div>
                    <div><dt>{ "Loaded" }</dt>
                        <dd class={classes!("load", done.then_some("done"))} data-us={format::us_attr(m.load)}>
                            { if m.finished { format::maybe_dur(m.load) } else { "did not finish in 1 h".to_owned() } }
                        </dd></div>
                    <div title="Round trips on the longest chain of dependent requests, handshakes included">
                        <dt>{ "Round trips" }</dt><dd class="round-trips">{ m.round_trips }</dd></div>
                    <div><dt>{ "Connections" }</dt><dd class="connections">{ m.connections }</dd></div>
                    <div><dt>{ "On the wire" }</dt><dd class="bytes">{ format::bytes(m.bytes_total) }</dd></div>
                    <div><dt>{ "Headers" }</dt><dd class="headers">{ format::bytes(m.bytes_headers) }</dd></div>
                    <div title={format!("{lost} packets lost on the link, {queue} dropped by the full bottleneck queue; {} bytes sent again", m.bytes_retransmitted)}>
                        <dt>{ "Resent" }</dt><dd class="retx" data-count={m.retransmissions.to_string()}>{ m.retransmissions }</dd></div>
                    <div title="Bytes that crossed the network for nothing: pushes the browser did not use">
                        <dt>{ "Wasted" }</dt><dd class="wasted" data-bytes={m.bytes_wasted.to_string()}>{ format::bytes(m.bytes_wasted) }</dd></div>
                </dl>
            </header>
            <ol class="assets">
                { for rows }
                <li class="playhead-row" aria-hidden="true">
                    <span class="track">
                        <span class="playhead" style={format!("left:{:.3}%", pct(p.playhead_us))}></span>
                        if let Some(load) = m.load {
                            <span class="loadline" style={format!("left:{:.3}%", pct(load.as_micros()))}></span>
                        }
                        if let Some(fp) = m.first_paint.filter(|fp| p.playhead_us >= fp.as_micros()) {
                            <span class="paintline" style={format!("left:{:.3}%", pct(fp.as_micros()))}></span>
                        }
                    </span>
                </li>
            </ol>
        </section>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use protoviz_engine::{simulate, PresetId, Scenario};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn phases_tile_the_request_without_gaps() {
        let t = simulate(&Scenario::preset(PresetId::Blog)).unwrap();
        for lane in &t.lanes {
            for a in &lane.assets {
                let ph = phases(a, lane.protocol == protoviz_engine::Protocol::Http3);
                assert_eq!(ph.first().unwrap().1, a.discovered.as_micros());
                assert_eq!(ph.last().unwrap().2, a.last_byte.unwrap().as_micros());
                assert!(ph.windows(2).all(|w| w[0].2 == w[1].1), "{}", a.path);
            }
            // The HTML opened the first connection, so its row shows connect and TLS
            // (one QUIC handshake on HTTP/3).
            let quic = lane.protocol == protoviz_engine::Protocol::Http3;
            let kinds: Vec<_> = phases(&lane.assets[0], quic).iter().map(|p| p.0).collect();
            if quic {
                assert_eq!(kinds, ["quic", "wait", "receive"]);
            } else {
                assert_eq!(kinds, ["connect", "tls", "wait", "receive"]);
            }
        }
    }
}

/// Renders the lane component in the browser and checks what a student would see.
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::*;
    use crate::state::Shared;
    use protoviz_engine::{simulate, PresetId, Scenario};
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn mount(props: LaneProps) -> web_sys::Element {
        let doc = web_sys::window().unwrap().document().unwrap();
        let root = doc.create_element("div").unwrap();
        doc.body().unwrap().append_child(&root).unwrap();
        yew::Renderer::<LaneView>::with_root_and_props(root.clone(), props).render();
        root
    }

    #[wasm_bindgen_test]
    async fn lane_renders_one_row_per_asset_drawn_to_the_playhead() {
        let trace = simulate(&Scenario::preset(PresetId::Blog)).unwrap();
        let lane = trace.lanes[0].clone();
        let load = lane.metrics.load.unwrap().as_micros();
        let html_first_byte = lane.assets[0].first_byte.unwrap().as_micros();
        let root = mount(LaneProps {
            lane: Shared(Rc::new(lane)),
            timeline_us: load,
            // Just after the HTML's first byte: only the HTML's row has a receive bar.
            playhead_us: html_first_byte + 1,
        });
        gloo_timers::future::sleep(Duration::from_millis(50)).await;

        let rows = root.query_selector_all(".asset-row").unwrap();
        assert_eq!(rows.length(), 16, "one row per asset of the blog page");
        let heading = root
            .query_selector("h2")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        assert_eq!(heading, "HTTP/1.1");
        let first = rows
            .item(0)
            .unwrap()
            .dyn_into::<web_sys::Element>()
            .unwrap();
        assert!(first.text_content().unwrap().contains('/'));
        for class in ["connect", "tls", "wait", "receive"] {
            assert!(
                first
                    .query_selector(&format!(".seg.{class}"))
                    .unwrap()
                    .is_some(),
                "the HTML's row shows its {class} phase"
            );
        }
        let receiving = root.query_selector_all(".seg.receive").unwrap().length();
        assert_eq!(
            receiving, 1,
            "only the HTML is being received at the playhead"
        );
        // Assets not yet discovered are dimmed.
        assert!(
            root.query_selector_all(".asset-row.unseen")
                .unwrap()
                .length()
                >= 15
        );
        let load_text = root
            .query_selector(".load")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        assert_eq!(load_text.trim(), crate::format::ms(load));
        root.remove();
    }

    /// Rows say where their response came from: a class for the bar style, a badge, and a
    /// sentence in the tooltip; the metrics line shows paint, round trips and waste.
    #[wasm_bindgen_test]
    async fn rows_show_their_source_and_the_metrics_line_its_figures() {
        let trace = simulate(&Scenario::preset(PresetId::Blog)).unwrap();
        // Plain HTTP/2: every asset is a request until the test says otherwise.
        let mut lane = trace.lanes[1].clone();
        assert!(lane.assets.iter().all(|a| a.source == Source::Request));
        lane.assets[1].source = Source::Push;
        lane.assets[1].wasted_bytes = 1_234;
        lane.assets[2].source = Source::EarlyHint;
        lane.assets[3].source = Source::Cache;
        lane.metrics.bytes_wasted = 1_234;
        let m = lane.metrics.clone();
        let load = m.load.unwrap().as_micros();
        let root = mount(LaneProps {
            lane: Shared(Rc::new(lane)),
            timeline_us: load,
            playhead_us: load,
        });
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
        let row = |i: u32| {
            root.query_selector(&format!(".asset-row[data-asset='{i}']"))
                .unwrap()
                .unwrap()
        };
        for (i, class, badge, sentence) in [
            (
                1,
                "source-push",
                "pushed",
                "pushed by the server with the HTML",
            ),
            (2, "source-early-hint", "hinted", "103 Early Hints named it"),
            (3, "source-cache", "cached", "from the browser cache"),
        ] {
            let r = row(i);
            assert!(r.class_list().contains(class), "row {i} has {class}");
            let b = r.query_selector(".source-badge").unwrap().unwrap();
            assert_eq!(b.text_content().unwrap(), badge);
            assert!(
                r.get_attribute("title").unwrap().contains(sentence),
                "row {i}"
            );
        }
        assert!(row(1).class_list().contains("wasted"));
        assert!(row(1)
            .get_attribute("title")
            .unwrap()
            .contains("1.2 kB crossed the network for nothing"));
        // Only the cached row has the cache mark; plain requests have no badge.
        assert_eq!(root.query_selector_all(".seg.cached").unwrap().length(), 1);
        assert!(row(3).query_selector(".seg.cached").unwrap().is_some());
        assert!(row(4).query_selector(".source-badge").unwrap().is_none());
        let text = |sel: &str| {
            root.query_selector(sel)
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        };
        assert_eq!(
            text(".first-paint"),
            crate::format::dur(m.first_paint.unwrap())
        );
        assert_eq!(text(".round-trips"), m.round_trips.to_string());
        assert_eq!(text(".wasted"), "1.2 kB");
        assert_eq!(text("h2"), "HTTP/2");
        root.remove();
    }

    #[wasm_bindgen_test]
    async fn at_the_end_every_asset_has_arrived() {
        let trace = simulate(&Scenario::preset(PresetId::Blog)).unwrap();
        let lane = trace.lanes[1].clone();
        let load = lane.metrics.load.unwrap().as_micros();
        let root = mount(LaneProps {
            lane: Shared(Rc::new(lane)),
            timeline_us: load,
            playhead_us: load,
        });
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            root.query_selector_all(".seg.receive").unwrap().length(),
            16
        );
        assert_eq!(
            root.query_selector_all(".asset-row.unseen")
                .unwrap()
                .length(),
            0
        );
        let load_el = root.query_selector(".load").unwrap().unwrap();
        assert!(load_el.class_list().contains("done"));
        assert_eq!(
            root.query_selector("h2")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap(),
            "HTTP/2"
        );
        root.remove();
    }

    #[wasm_bindgen_test]
    async fn loss_shows_stalls_and_resent_packets() {
        let mut scenario = Scenario::preset(PresetId::Blog);
        scenario.network.loss = protoviz_engine::link::LossModel::Random { ppm: 20_000 };
        scenario.network.seed = 3;
        let trace = simulate(&scenario).unwrap();
        let lane = trace.lanes[1].clone();
        let stalls: usize = lane.assets.iter().map(|a| a.blocked.len()).sum();
        assert!(
            stalls > 0,
            "2 % loss on one TCP connection stalls HTTP/2 streams"
        );
        let load = lane.metrics.load.unwrap().as_micros();
        let resent = lane.metrics.retransmissions;
        let root = mount(LaneProps {
            lane: Shared(Rc::new(lane)),
            timeline_us: load,
            playhead_us: load,
        });
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
        assert!(root.query_selector_all(".seg.blocked").unwrap().length() > 0);
        let retx = root
            .query_selector(".retx")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        assert_eq!(retx, resent.to_string());
        assert!(resent > 0);
        root.remove();
    }
}
