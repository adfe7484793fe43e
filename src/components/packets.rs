//! The packet strip under a lane's connection track: per connection, every packet the
//! link carried as a tick (server→client above the line, client→server below; sent again
//! in orange), each lost packet as a ✕ button that opens "why did this wait?", and the
//! server's congestion window and smoothed RTT as two small curves, on the same time axis.

use protoviz_engine::trace::{Direction, EventKind};
use yew::prelude::*;

use crate::context::{use_dispatch, use_run, use_timeline};
use crate::format;
use crate::state::{Action, PacketPick};

#[derive(Properties, PartialEq)]
pub struct PacketsProps {
    /// Which lane of the run.
    pub index: usize,
    /// The lost packet picked (any lane).
    #[prop_or_default]
    pub picked: Option<PacketPick>,
}

/// A lost packet of the strip: sent at (µs), direction, ordinal on the link, TCP offset
/// or QUIC packet number, payload bytes.
type Lost = (u64, Direction, u64, u64, u64);

/// Width of the strip's drawing in its own units (the SVG is stretched to the track).
const W: f64 = 1000.0;
/// Height of one connection's strip.
const H: f64 = 26.0;

#[function_component]
pub fn Packets(p: &PacketsProps) -> Html {
    let run = use_run();
    let tl = use_timeline();
    let dispatch = use_dispatch();
    let Some(run) = run else {
        return html! {};
    };
    let Some(lane) = run.trace.lanes.get(p.index) else {
        return html! {};
    };
    let protocol = lane.protocol;
    let x = |us: u64| tl.frac(us) * W;
    let shown = |us: u64| us >= tl.start_us && us <= tl.end_us;
    let n = lane.connections.len();
    // Per connection: (down first, down again, up) tick paths and its lost packets.
    let mut paths = vec![(String::new(), String::new(), String::new()); n];
    let mut lost: Vec<Vec<Lost>> = vec![Vec::new(); n];
    let mut counts = vec![(0u64, 0u64); n];
    for e in &lane.events {
        let EventKind::PacketSent {
            dir,
            conn,
            seq,
            len,
            retransmission,
            ordinal,
            dropped,
            ..
        } = &e.kind
        else {
            continue;
        };
        let Some(path) = paths.get_mut(conn.index()) else {
            continue;
        };
        let at = e.at.as_micros();
        counts[conn.index()].0 += 1;
        if dropped.is_some() {
            counts[conn.index()].1 += 1;
            lost[conn.index()].push((at, *dir, *ordinal, *seq, *len));
            continue;
        }
        if !shown(at) {
            continue;
        }
        let xs = x(at);
        match (dir, retransmission) {
            (Direction::Down, false) => path.0.push_str(&format!("M{xs:.1} 2v9")),
            (Direction::Down, true) => path.1.push_str(&format!("M{xs:.1} 2v9")),
            (Direction::Up, _) => path.2.push_str(&format!("M{xs:.1} 15v9")),
        }
    }
    let rows = lane.connections.iter().enumerate().map(|(i, c)| {
        let (down, again, up) = &paths[i];
        let max_cwnd = c.cwnd.iter().map(|s| s.cwnd).max().unwrap_or(1).max(1) as f64;
        let max_rtt = c.rtt.iter().map(|s| s.srtt.as_micros()).max().unwrap_or(1).max(1) as f64;
        let mut cwnd = String::new();
        let mut last_y = None;
        for s in &c.cwnd {
            let y = H - 1.0 - s.cwnd as f64 / max_cwnd * (H - 3.0);
            let xs = x(s.at.as_micros());
            if let Some(py) = last_y {
                cwnd.push_str(&format!("L{xs:.1} {py:.1}"));
            } else {
                cwnd.push_str(&format!("M{xs:.1} {y:.1}"));
            }
            cwnd.push_str(&format!("L{xs:.1} {y:.1}"));
            last_y = Some(y);
        }
        let rtt: String = c
            .rtt
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let y = H - 1.0 - s.srtt.as_micros() as f64 / max_rtt * (H - 3.0);
                format!("{}{:.1} {y:.1}", if k == 0 { "M" } else { "L" }, x(s.at.as_micros()))
            })
            .collect();
        let last_cwnd = c.cwnd.last().map(|s| format::bytes(s.cwnd)).unwrap_or_else(|| "—".into());
        let last_rtt = c.rtt.last().map(|s| format::dur(s.srtt)).unwrap_or_else(|| "—".into());
        let buttons = lost[i].iter().filter(|l| shown(l.0)).map(|&(at, dir, ordinal, seq, len)| {
            let pick = PacketPick { protocol, dir, ordinal };
            let on = p.picked == Some(pick);
            let d = dispatch.clone();
            let onclick = Callback::from(move |_: MouseEvent| d.dispatch(Action::PickPacket(Some(pick))));
            let way = match dir { Direction::Down => "server→client", Direction::Up => "client→server" };
            let what = if protocol == protoviz_engine::Protocol::Http3 {
                format!("QUIC packet {seq}")
            } else {
                format!("TCP bytes {seq}–{}", seq + len)
            };
            html! {
                <button type="button" class={classes!("lost-pkt", match dir { Direction::Down => "down", Direction::Up => "up" }, on.then_some("picked"))}
                    data-packet-lost="" data-ordinal={ordinal.to_string()} data-dir={format!("{dir:?}").to_lowercase()}
                    data-at={at.to_string()} aria-pressed={on.to_string()}
                    style={format!("left:{:.3}%", tl.pct(at))}
                    aria-label={format!("Lost {way} packet {ordinal} at {} ({what}): why did this wait?", format::ms(at))}
                    {onclick}>{ "✕" }</button>
            }
        });
        let label = format!(
            "Connection #{}: {} packets, {} lost; congestion window last {}, smoothed RTT last {}",
            c.id.0, counts[i].0, counts[i].1, last_cwnd, last_rtt
        );
        html! {
            <li class="pkt-row" data-conn={c.id.0.to_string()} data-packets={counts[i].0.to_string()} data-lost={counts[i].1.to_string()}>
                <span class="conn-label">{ format!("#{}", c.id.0) }<span class="conn-count">{ format!(" {} ✕", counts[i].1) }</span></span>
                <span class="track pkt-track">
                    <svg class="pkt-svg" viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={label}>
                        <path class="pkt-down" d={down.clone()} />
                        <path class="pkt-again" d={again.clone()} />
                        <path class="pkt-up" d={up.clone()} />
                        <path class="cwnd-curve" d={cwnd} />
                        <path class="rtt-curve" d={rtt} />
                    </svg>
                    { for buttons }
                </span>
            </li>
        }
    });
    let caption = format!(
        "{} packets: ▲ server→client, ▼ client→server (orange: sent again), ✕ lost — press one for why; red: congestion window, grey: smoothed RTT",
        protocol.label()
    );
    html! {
        <div class="packets" data-view="packets" aria-label={format!("{} packet strip", protocol.label())}>
            <p class="view-caption">{ caption }</p>
            <ol class="pkt-rows">{ for rows }</ol>
        </div>
    }
}
