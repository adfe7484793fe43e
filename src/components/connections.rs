//! The connection track under a lane's waterfall, on the same time axis: one band per
//! connection, its set-up, then whose response bytes crossed the bottleneck when
//! ([`crate::wiremodel::bands`]). HTTP/1.1 shows solid blocks one after another on each of
//! its connections; HTTP/2 and HTTP/3 one band of interleaved colours. Colours are by the
//! asset's kind, in three shades that alternate between neighbouring assets; each piece
//! names its asset on hover, each band lists what it carried in text.

use protoviz_engine::page::AssetKind;
use protoviz_engine::{AssetId, Protocol};
use yew::prelude::*;

use crate::context::{use_dispatch, use_run, use_timeline};
use crate::format;
use crate::state::{Action, InspectorPick, Shared};
use crate::wiremodel::{bands, file, name_list, Band, Piece, PieceKind};

#[derive(Properties, PartialEq)]
pub struct WireToggleProps {
    pub index: usize,
    pub open: bool,
}

/// The one line under a lane's waterfall that opens (in every lane) its connection track
/// and packet strip, saying how many connections and lost packets they show.
#[function_component]
pub fn WireToggle(p: &WireToggleProps) -> Html {
    let run = use_run();
    let dispatch = use_dispatch();
    let Some(lane) = run.as_ref().and_then(|r| r.trace.lanes.get(p.index)) else {
        return html! {};
    };
    let lost = lane
        .events
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                protoviz_engine::trace::EventKind::PacketSent {
                    dropped: Some(_),
                    ..
                }
            )
        })
        .count();
    let n = lane.connections.len();
    let open = p.open;
    let onclick = Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::ShowWire(!open)));
    html! {
        <button type="button" class="wire-toggle" aria-expanded={open.to_string()} {onclick}
            data-connections={n.to_string()} data-lost={lost.to_string()}>
            <span class="twisty" aria-hidden="true">{ if open { "▾" } else { "▸" } }</span>
            { format!(" {} connection{} and their packets ({lost} lost){}", n, if n == 1 { "" } else { "s" },
                if open { "" } else { ": show them in every lane" }) }
        </button>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConnectionsProps {
    /// Which lane of the run.
    pub index: usize,
}

/// The css class of an asset's colour: its kind, and one of three shades by its id, so that
/// neighbouring assets of one kind still differ.
pub fn asset_class(kind: AssetKind, asset: AssetId) -> String {
    format!("k-{kind} s{}", asset.0 % 3)
}

/// What a piece is, in words: "app.js: 14.5 kB, 120 ms – 240 ms (sent again)".
fn piece_text(x: &Piece, lane: &protoviz_engine::Lane) -> String {
    let when = format!("{} – {}", format::ms(x.from), format::ms(x.to));
    match x.asset.and_then(|a| lane.assets.get(a.0 as usize)) {
        Some(a) => format!(
            "{}: {}, {when}{}",
            a.path,
            format::bytes(x.bytes),
            match x.kind {
                PieceKind::Retransmit => " (sent again)",
                PieceKind::Lost => " (lost after the bottleneck)",
                _ => "",
            }
        ),
        None => format!(
            "{}: {when}",
            match x.kind {
                PieceKind::Connect => "TCP handshake",
                PieceKind::Tls => "TLS handshake",
                _ => "QUIC handshake (with TLS)",
            }
        ),
    }
}

/// A band's one-line description: when its connection opened and what it carried.
fn band_label(b: &Band, lane: &protoviz_engine::Lane) -> String {
    let names: Vec<String> = b
        .assets
        .iter()
        .filter_map(|a| lane.assets.get(a.0 as usize))
        .map(|a| file(&a.path).to_string())
        .collect();
    let carried = if names.is_empty() {
        "no response".to_string()
    } else {
        name_list(&names, 5)
    };
    format!(
        "Connection #{}: opened at {}, ready at {}; carried {} ({} response{})",
        b.conn.0,
        format::ms(b.opened),
        format::ms(b.ready),
        carried,
        b.assets.len(),
        if b.assets.len() == 1 { "" } else { "s" }
    )
}

/// What the readout names: a band (by index) and the piece under the pointer, if any.
type Read = Option<(usize, Option<usize>)>;

#[function_component]
pub fn Connections(p: &ConnectionsProps) -> Html {
    let run = use_run();
    // The piece under the pointer (or the band focused): connection index and piece.
    let readout = use_state_eq(|| None::<(usize, Option<usize>)>);
    let lane_bands = use_memo((run.clone(), p.index), |(run, index)| {
        run.as_ref()
            .and_then(|r| {
                let lane = r.trace.lanes.get(*index)?;
                Some(bands(lane, &r.trace.scenario.network.link_config()))
            })
            .unwrap_or_default()
    });
    // The bands are drawn by their own component: moving the pointer changes only the
    // readout below them, never the thousands of pieces.
    let on_read = {
        let set = readout.setter();
        use_callback((), move |r: Read, _| set.set(r))
    };
    let Some(run) = run else {
        return html! {};
    };
    let Some(lane) = run.trace.lanes.get(p.index) else {
        return html! {};
    };
    let protocol = lane.protocol;
    let n = lane_bands.len();
    let h2 = matches!(
        protocol,
        Protocol::Http2 | Protocol::Http2Push | Protocol::Http3
    );
    let caption = format!(
        "{}: {n} connection{} — whose response bytes crossed the bottleneck when{}",
        protocol.label(),
        if n == 1 { "" } else { "s" },
        if h2 {
            ", interleaved on one connection"
        } else {
            ", one response at a time on each"
        }
    );
    let read = readout.and_then(|(bi, piece)| {
        let b = lane_bands.get(bi)?;
        Some(match piece.and_then(|k| b.pieces.get(k)) {
            Some(x) => format!("#{}: {}", b.conn.0, piece_text(x, lane)),
            None => band_label(b, lane),
        })
    });
    let onmouseleave = {
        let on_read = on_read.clone();
        Callback::from(move |_: MouseEvent| on_read.emit(None))
    };
    html! {
        <div class="connections" data-view="connections" aria-label={caption.clone()} {onmouseleave}>
            <p class="view-caption">{ caption }</p>
            <BandRows index={p.index} bands={Shared(lane_bands)} {on_read} />
            <p class="conn-readout" aria-live="polite">{ read.unwrap_or_else(|| "Point at a band (or focus it) to name what it carried.".into()) }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct BandRowsProps {
    index: usize,
    bands: Shared<Vec<Band>>,
    on_read: Callback<Read>,
}

/// The bands of one lane's connections, drawn once per run and time axis.
#[function_component]
fn BandRows(p: &BandRowsProps) -> Html {
    let run = use_run();
    let tl = use_timeline();
    let dispatch = use_dispatch();
    let Some(lane) = run.as_ref().and_then(|r| r.trace.lanes.get(p.index)) else {
        return html! {};
    };
    let protocol = lane.protocol;
    let rows = p.bands.iter().enumerate().map(|(bi, b)| {
        let label = band_label(b, lane);
        let pieces = b.pieces.iter().filter(|x| x.to > tl.start_us && x.from < tl.end_us).map(|x| {
            let (l, r) = (tl.pct(x.from).max(-1.0), tl.pct(x.to).min(101.0));
            let style = format!("left:{l:.3}%;width:{:.3}%", (r - l).max(0.0));
            match x.asset.and_then(|a| lane.assets.get(a.0 as usize)) {
                Some(a) => html! {
                    <span class={classes!("cseg", x.kind.class(), asset_class(a.kind, a.asset))}
                        data-asset={a.asset.0.to_string()} data-from={x.from.to_string()} data-to={x.to.to_string()}
                        {style}></span>
                },
                None => html! {
                    <span class={classes!("cseg", x.kind.class())} data-from={x.from.to_string()} data-to={x.to.to_string()}
                        {style}></span>
                },
            }
        });
        let inspect = {
            let d = dispatch.clone();
            let conn = b.conn;
            Callback::from(move |_: MouseEvent| {
                d.dispatch(Action::Inspect(Some(InspectorPick {
                    protocol,
                    conn,
                    event: None,
                    asset: None,
                })))
            })
        };
        let onmousemove = {
            let on_read = p.on_read.clone();
            let pieces: Vec<(u64, u64)> = b.pieces.iter().map(|x| (x.from, x.to)).collect();
            Callback::from(move |e: MouseEvent| {
                // Yew delegates events: the track is the target's closest `.conn-track`.
                let Some(el) = e
                    .target_dyn_into::<web_sys::Element>()
                    .and_then(|t| t.closest(".conn-track").ok().flatten())
                else {
                    return;
                };
                let r = el.get_bounding_client_rect();
                if r.width() <= 0.0 {
                    return;
                }
                let f = (f64::from(e.client_x()) - r.left()) / r.width();
                let t = tl.start_us as f64 + f * tl.span() as f64;
                let t = t.max(0.0) as u64;
                // The piece under the pointer, or the nearest one starting before it.
                let k = pieces.partition_point(|&(from, _)| from <= t);
                let hit = k.checked_sub(1).filter(|&i| pieces[i].1 + tl.span() / 200 >= t);
                on_read.emit(Some((bi, hit)));
            })
        };
        let onfocus = {
            let on_read = p.on_read.clone();
            Callback::from(move |_: FocusEvent| on_read.emit(Some((bi, None))))
        };
        let what = if protocol == Protocol::Http3 { "packets" } else if protocol == Protocol::Http1 { "" } else { "frames" };
        html! {
            <li class="conn-row" data-conn={b.conn.0.to_string()} data-responses={b.assets.len().to_string()}>
                <span class="conn-label">
                    { format!("#{} ", b.conn.0) }
                    <span class="conn-count">{ format!("{} resp.", b.assets.len()) }</span>
                    if !what.is_empty() {
                        <button type="button" class="inspect" onclick={inspect}
                            aria-label={format!("Inspect the {what} of {} connection #{}", protocol.label(), b.conn.0)}>{ what }</button>
                    }
                </span>
                <span class="track conn-track" role="img" tabindex="0" aria-label={label} {onmousemove} {onfocus}>
                    { for pieces }
                </span>
            </li>
        }
    });
    html! { <ol class="conn-rows">{ for rows }</ol> }
}
