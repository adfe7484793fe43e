//! One lane's waterfall: a row per asset (similar assets grouped into one expandable row),
//! each bar drawn whole once per run. The playhead never re-renders it: only its
//! [`Overlay`] reads the playhead, moving (by CSS transform, on its own layer) a curtain over
//! what has not happened yet and the playhead line, and showing the paint and load lines
//! once reached.

use protoviz_engine::trace::{AssetTiming, Blocked, BlockedCause, Source};
use protoviz_engine::{AssetId, Protocol, SimTime};
use yew::prelude::*;

use crate::components::axis::Axis;
use crate::context::{use_dispatch, use_playhead, use_run, use_timeline, Timeline};
use crate::format;
use crate::model::{Group, RowSpec};
use crate::state::{Action, Selection, Shared};

#[derive(Properties, PartialEq)]
pub struct WaterfallProps {
    /// Which lane of the run.
    pub index: usize,
    pub expanded: Shared<std::collections::BTreeSet<String>>,
    pub selected: Option<Selection>,
    /// Most rows drawn (a page of thousands of assets would stall the browser drawn
    /// whole); the rest are counted in a line that offers more.
    #[prop_or(ROW_LIMIT)]
    pub limit: usize,
    /// Asks for [`ROW_LIMIT`] more rows (in every lane).
    #[prop_or_default]
    pub on_more: Callback<()>,
}

/// Rows a waterfall draws at first: every row of the presets and of a 200-asset page;
/// a page of 5,000 different assets (20,000 rows in four lanes) shows the first ones and
/// says how many more there are.
pub const ROW_LIMIT: usize = 300;

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
    // A response that arrived in one delivery still shows it arrived: a receive bar of no
    // length is kept (drawn at the minimum width). A cached asset shows its own mark.
    let arrived_at_once = a.source != Source::Cache;
    v.retain(|&(name, s, e)| e > s || (name == "receive" && arrived_at_once));
    v
}

/// The stalls drawn over a bar: head-of-line blocking (TCP's or a QUIC stream's).
pub fn is_stall(b: &Blocked) -> bool {
    matches!(
        b.cause,
        BlockedCause::TcpHeadOfLine { .. } | BlockedCause::QuicStreamHeadOfLine { .. }
    ) && b.to > b.from
}

/// What a wait means, in a sentence a student can follow.
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
        BlockedCause::Scheduler => format!(
            "waited {span} in the browser: until the parser reaches <body>, Chrome sends a \
             low-priority request only while fewer than two others are loading (tight mode)"
        ),
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

/// `/img/feed/card-01.webp` as (`/img/feed/`, `card-01.webp`): the file name is always
/// shown whole; the folder gives way first when space is short.
pub fn split_path(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) if i + 1 < path.len() => (&path[..=i], &path[i + 1..]),
        _ => ("", path),
    }
}

/// `5000` as "5,000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn seg(tl: &Timeline, class: &'static str, from: u64, to: u64) -> Html {
    html! {
        <span class={classes!("seg", class)}
            style={format!("left:{:.3}%;width:{:.3}%", tl.pct(from), tl.pct(to) - tl.pct(from))}></span>
    }
}

fn stall(tl: &Timeline, b: &Blocked) -> Html {
    let (from, to) = (b.from.as_micros(), b.to.as_micros());
    let cause = match b.cause {
        BlockedCause::TcpHeadOfLine { .. } => "tcp",
        _ => "quic",
    };
    html! {
        <span class="seg blocked" data-from={from.to_string()} data-to={to.to_string()} data-cause={cause}
            style={format!("left:{:.3}%;width:{:.3}%", tl.pct(from), tl.pct(to) - tl.pct(from))}></span>
    }
}

fn asset_row(
    tl: &Timeline,
    a: &AssetTiming,
    quic: bool,
    member: bool,
    selected: bool,
    on_select: Callback<AssetId>,
) -> Html {
    let source = source_style(a.source);
    let (dir, file) = split_path(&a.path);
    let bars = phases(a, quic)
        .into_iter()
        .map(|(class, s, e)| seg(tl, class, s, e));
    let stalls = a
        .blocked
        .iter()
        .filter(|b| is_stall(b))
        .map(|b| stall(tl, b));
    let cached = (a.source == Source::Cache).then(|| {
        html! { <span class="seg cached" style={format!("left:{:.3}%", tl.pct(a.discovered.as_micros()))}></span> }
    });
    let id = a.asset;
    let onclick = Callback::from(move |_: MouseEvent| on_select.emit(id));
    let label = format!(
        "{}, {}, {}{}: show its timings",
        a.path,
        a.kind,
        format::bytes(a.size),
        source.map(|s| format!(", {}", s.1)).unwrap_or_default()
    );
    html! {
        <li class={classes!("asset-row", source.map(|s| s.0), (a.wasted_bytes > 0).then_some("wasted"),
                member.then_some("member"), selected.then_some("selected"))}
            data-asset={a.asset.0.to_string()}
            data-first-byte={a.first_byte.map(|t| t.as_micros().to_string()).unwrap_or_default()}
            data-last-byte={a.last_byte.map(|t| t.as_micros().to_string()).unwrap_or_default()}>
            <button type="button" class="asset-name" aria-label={label} aria-pressed={selected.to_string()} {onclick}>
                <span class={classes!("kind", a.kind.to_string())}>{ a.kind.to_string() }</span>
                if let Some((_, badge, _)) = source {
                    <span class="source-badge">{ badge }</span>
                }
                <span class="dir">{ dir }</span><span class="file">{ file }</span>
            </button>
            <span class="asset-conn">{ if a.source == Source::Cache { "—".to_string() } else { format!("#{}", a.connection.0) } }</span>
            <span class="track">{ for bars }{ for stalls }{ for cached }</span>
        </li>
    }
}

fn group_row(
    tl: &Timeline,
    g: &Group,
    assets: &[AssetTiming],
    open: bool,
    on_toggle: Callback<String>,
) -> Html {
    let members: Vec<&AssetTiming> = g.members.iter().filter_map(|&i| assets.get(i)).collect();
    let min = |f: fn(&AssetTiming) -> Option<SimTime>| {
        members
            .iter()
            .filter_map(|a| f(a))
            .map(SimTime::as_micros)
            .min()
    };
    let max = |f: fn(&AssetTiming) -> Option<SimTime>| {
        members
            .iter()
            .filter_map(|a| f(a))
            .map(SimTime::as_micros)
            .max()
    };
    let found = min(|a| Some(a.discovered)).unwrap_or(0);
    let sent = min(|a| a.request_sent).unwrap_or(found).max(found);
    let first = min(|a| a.first_byte).unwrap_or(sent).max(sent);
    let last = max(|a| a.last_byte).unwrap_or(first).max(first);
    let cached = members.iter().all(|a| a.source == Source::Cache);
    let mut bars = Vec::new();
    if !cached {
        bars.push(seg(tl, "queued", found, sent));
        bars.push(seg(tl, "wait", sent, first));
        bars.push(seg(tl, "receive", first, last));
    }
    let stalls = members
        .iter()
        .flat_map(|a| a.blocked.iter())
        .filter(|b| is_stall(b))
        .map(|b| stall(tl, b));
    let conns: std::collections::BTreeSet<u32> = members.iter().map(|a| a.connection.0).collect();
    let conn_text = match (conns.first(), conns.last()) {
        _ if cached => "—".to_string(),
        (Some(a), Some(b)) if a == b => format!("#{a}"),
        (Some(a), Some(b)) => format!("#{a}–{b}"),
        _ => String::new(),
    };
    let size: u64 = members.iter().map(|a| a.size).sum();
    let key = g.key.clone();
    let onclick = Callback::from(move |_: MouseEvent| on_toggle.emit(key.clone()));
    let label = format!(
        "{}, {} in all, {}: {}",
        g.label,
        format::bytes(size),
        g.key,
        if open { "hide them" } else { "show each" }
    );
    let (dir, file) = split_path(&g.key);
    html! {
        <li class={classes!("asset-row", "group", cached.then_some("source-cache"))} data-group={g.key.clone()}
            data-members={g.members.len().to_string()}
            data-first-byte={first.to_string()} data-last-byte={last.to_string()}>
            <button type="button" class="asset-name" aria-expanded={open.to_string()} aria-label={label} {onclick}>
                <span class="twisty" aria-hidden="true">{ if open { "▾" } else { "▸" } }</span>
                <span class={classes!("kind", g.kind.to_string())}>{ g.kind.to_string() }</span>
                <span class="group-label">{ &g.label }</span>
                <span class="dir">{ format!(" {dir}") }</span><span class="file">{ file }</span>
            </button>
            <span class="asset-conn">{ conn_text }</span>
            <span class="track">{ for bars }{ for stalls }</span>
        </li>
    }
}

#[function_component]
pub fn Waterfall(p: &WaterfallProps) -> Html {
    let run = use_run();
    let tl = use_timeline();
    let dispatch = use_dispatch();
    let Some(run) = run else {
        return html! {};
    };
    let Some((lane, model)) = run.trace.lanes.get(p.index).zip(run.lanes.get(p.index)) else {
        return html! {};
    };
    let protocol = lane.protocol;
    let quic = protocol == Protocol::Http3;
    let on_select = {
        let d = dispatch.clone();
        Callback::from(move |asset: AssetId| {
            d.dispatch(Action::Select(Some(Selection { protocol, asset })))
        })
    };
    let on_toggle = {
        let d = dispatch.clone();
        Callback::from(move |key: String| d.dispatch(Action::ToggleGroup(key)))
    };
    let is_selected = |a: &AssetTiming| {
        p.selected
            .is_some_and(|s| s.protocol == protocol && s.asset == a.asset)
    };
    // Rows past the limit are only counted: no html is built for them.
    let mut rows = Vec::with_capacity(run.rows.len().min(p.limit));
    let mut total = 0usize;
    let room = |total: &mut usize| {
        *total += 1;
        *total <= p.limit
    };
    for r in &run.rows {
        match r {
            RowSpec::Asset(i) => {
                if let Some(a) = lane.assets.get(*i) {
                    if room(&mut total) {
                        rows.push(asset_row(
                            &tl,
                            a,
                            quic,
                            false,
                            is_selected(a),
                            on_select.clone(),
                        ));
                    }
                }
            }
            RowSpec::Group(g) => {
                let open = p.expanded.contains(&g.key);
                if room(&mut total) {
                    rows.push(group_row(&tl, g, &lane.assets, open, on_toggle.clone()));
                }
                if open {
                    for a in g.members.iter().filter_map(|&i| lane.assets.get(i)) {
                        if room(&mut total) {
                            rows.push(asset_row(
                                &tl,
                                a,
                                quic,
                                true,
                                is_selected(a),
                                on_select.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }
    let hidden = total.saturating_sub(p.limit);
    let more = (hidden > 0).then(|| {
        let on_more = p.on_more.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_more.emit(()));
        let next = hidden.min(ROW_LIMIT);
        html! {
            <p class="rows-limit" data-shown={p.limit.to_string()} data-rows={total.to_string()}>
                { format!("The first {} of {} rows are drawn; {} more are not (drawing thousands of rows at once would stall the page). ",
                    thousands(p.limit), thousands(total), thousands(hidden)) }
                <button type="button" class="rows-more" {onclick}>{ format!("Draw {} more", thousands(next)) }</button>
            </p>
        }
    });
    let fp = model.outcome.first_paint.map(|d| d.as_micros());
    html! {
        <div class="waterfall" data-view="waterfall" aria-label={format!("{} waterfall: one row per request", protocol.label())}>
            // Said above the rows, where it is seen without scrolling to their end.
            { for more }
            <Axis first_paint_us={fp} dcl_us={model.dom_content_loaded} />
            <div class="rows-scroll">
                <ol class="assets">
                    { for rows }
                    <Overlay first_paint_us={fp} load_us={model.load_us()} />
                </ol>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct OverlayProps {
    pub first_paint_us: Option<u64>,
    pub load_us: Option<u64>,
}

/// Over a lane's rows: the curtain over what has not happened yet, the playhead line, and
/// the first-paint and load lines once reached. The one part of a waterfall that follows
/// the playhead; it moves by CSS transform only.
#[function_component]
pub fn Overlay(p: &OverlayProps) -> Html {
    let tl = use_timeline();
    let now = use_playhead();
    let at = format!(
        "transform:translateX({:.3}%)",
        tl.pct(now).clamp(0.0, 100.0)
    );
    let line = |class: &'static str, t: Option<u64>| {
        t.filter(|&t| t <= now).map(|t| {
            html! { <span class={class} data-us={t.to_string()} style={format!("left:{:.3}%", tl.pct(t))}></span> }
        })
    };
    html! {
        <li class="overlay" aria-hidden="true">
            <span class="track">
                { for line("paintline", p.first_paint_us) }
                { for line("loadline", p.load_us) }
                <span class="curtain" style={at.clone()}></span>
                <span class="playhead-rail" style={at}><span class="playhead"></span></span>
            </span>
        </li>
    }
}
