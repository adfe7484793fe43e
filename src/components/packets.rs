//! The packet strip under a lane's connection track: per connection, every packet the
//! link carried as a tick (server→client above the line, client→server below; sent again
//! in orange), each lost packet as a ✕ button that opens "why did this wait?", and the
//! server's congestion window and smoothed RTT as two small curves, on the same time axis.

use protoviz_engine::trace::{Direction, EventKind};
use yew::prelude::*;

use std::fmt::Write as _;

use crate::context::{use_dispatch, use_run, use_timeline, Timeline};
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

/// One connection's strip, worked out once per run and time axis (picking a lost packet
/// or any other re-render draws from it without walking the lane's events again).
#[derive(Default, PartialEq)]
struct Strip {
    /// Tick paths: server→client first sent, sent again, client→server (shared strings:
    /// a re-render hands the same ones to the SVG without copying them).
    down: AttrValue,
    again: AttrValue,
    up: AttrValue,
    cwnd: AttrValue,
    rtt: AttrValue,
    /// Its lost packets on the axis.
    lost: Vec<Lost>,
    /// Packets sent and lost.
    packets: u64,
    lost_count: u64,
    label: AttrValue,
}

/// Every connection's [`Strip`] of a lane, on the axis `tl`.
fn strips(lane: &protoviz_engine::Lane, tl: &Timeline) -> Vec<Strip> {
    let x = |us: u64| tl.frac(us) * W;
    let shown = |us: u64| us >= tl.start_us && us <= tl.end_us;
    let n = lane.connections.len();
    let mut out: Vec<Strip> = (0..n).map(|_| Strip::default()).collect();
    let mut paths = vec![(String::new(), String::new(), String::new()); n];
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
        let (Some(strip), Some(paths)) = (out.get_mut(conn.index()), paths.get_mut(conn.index()))
        else {
            continue;
        };
        let at = e.at.as_micros();
        strip.packets += 1;
        if dropped.is_some() {
            strip.lost_count += 1;
            if shown(at) {
                strip.lost.push((at, *dir, *ordinal, *seq, *len));
            }
            continue;
        }
        if !shown(at) {
            continue;
        }
        let xs = x(at);
        let path = match (dir, retransmission) {
            (Direction::Down, false) => &mut paths.0,
            (Direction::Down, true) => &mut paths.1,
            (Direction::Up, _) => &mut paths.2,
        };
        let _ = match dir {
            Direction::Down => write!(path, "M{xs:.1} 2v9"),
            Direction::Up => write!(path, "M{xs:.1} 15v9"),
        };
    }
    for ((strip, c), (down, again, up)) in out.iter_mut().zip(&lane.connections).zip(paths) {
        (strip.down, strip.again, strip.up) = (down.into(), again.into(), up.into());
        let (mut cwnd, mut rtt) = (String::new(), String::new());
        let max_cwnd = c.cwnd.iter().map(|s| s.cwnd).max().unwrap_or(1).max(1) as f64;
        let max_rtt = c
            .rtt
            .iter()
            .map(|s| s.srtt.as_micros())
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let mut last_y = None;
        for s in &c.cwnd {
            let y = H - 1.0 - s.cwnd as f64 / max_cwnd * (H - 3.0);
            let xs = x(s.at.as_micros());
            let _ = match last_y {
                Some(py) => write!(cwnd, "L{xs:.1} {py:.1}"),
                None => write!(cwnd, "M{xs:.1} {y:.1}"),
            };
            let _ = write!(cwnd, "L{xs:.1} {y:.1}");
            last_y = Some(y);
        }
        for (k, s) in c.rtt.iter().enumerate() {
            let y = H - 1.0 - s.srtt.as_micros() as f64 / max_rtt * (H - 3.0);
            let _ = write!(
                rtt,
                "{}{:.1} {y:.1}",
                if k == 0 { "M" } else { "L" },
                x(s.at.as_micros())
            );
        }
        (strip.cwnd, strip.rtt) = (cwnd.into(), rtt.into());
        let last_cwnd = c
            .cwnd
            .last()
            .map(|s| format::bytes(s.cwnd))
            .unwrap_or_else(|| "—".into());
        let last_rtt = c
            .rtt
            .last()
            .map(|s| format::dur(s.srtt))
            .unwrap_or_else(|| "—".into());
        strip.label = format!(
            "Connection #{}: {} packets, {} lost; congestion window last {}, smoothed RTT last {}",
            c.id.0, strip.packets, strip.lost_count, last_cwnd, last_rtt
        )
        .into();
    }
    out
}

#[function_component]
pub fn Packets(p: &PacketsProps) -> Html {
    let run = use_run();
    let tl = use_timeline();
    let dispatch = use_dispatch();
    // Drawn once per run and time axis: picking a lost packet only restyles its button.
    let strips = use_memo((run.clone(), p.index, tl), |(run, index, tl)| {
        run.as_ref()
            .and_then(|r| r.trace.lanes.get(*index))
            .map(|lane| strips(lane, tl))
            .unwrap_or_default()
    });
    let Some(run) = run else {
        return html! {};
    };
    let Some(lane) = run.trace.lanes.get(p.index) else {
        return html! {};
    };
    let protocol = lane.protocol;
    let rows = lane.connections.iter().zip(strips.iter()).map(|(c, strip)| {
        let buttons = strip.lost.iter().map(|&(at, dir, ordinal, seq, len)| {
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
        html! {
            <li class="pkt-row" data-conn={c.id.0.to_string()} data-packets={strip.packets.to_string()} data-lost={strip.lost_count.to_string()}>
                <span class="conn-label">{ format!("#{}", c.id.0) }<span class="conn-count">{ format!(" {} ✕", strip.lost_count) }</span></span>
                <span class="track pkt-track">
                    <svg class="pkt-svg" viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={strip.label.clone()}>
                        <path class="pkt-down" d={strip.down.clone()} />
                        <path class="pkt-again" d={strip.again.clone()} />
                        <path class="pkt-up" d={strip.up.clone()} />
                        <path class="cwnd-curve" d={strip.cwnd.clone()} />
                        <path class="rtt-curve" d={strip.rtt.clone()} />
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
