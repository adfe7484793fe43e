//! "Why did this wait?": the lost packet picked in a packet strip — what it carried, when
//! it was declared lost and resent, the assets that waited for it and for how long — and
//! the same packet of the link (the n-th in its direction has the same luck in every lane)
//! in every other lane, with one sentence that says it all ([`why_sentence`]).

use yew::prelude::*;

use crate::context::{use_dispatch, use_run};
use crate::format;
use crate::state::{Action, PacketPick};
use crate::wiremodel::{drop_text, file, lost_in, packet_text, why_sentence, LanePacket};

#[derive(Properties, PartialEq)]
pub struct WhyProps {
    pub picked: Option<PacketPick>,
}

fn lane_block(p: &LanePacket, assets: &[protoviz_engine::trace::AssetTiming]) -> Html {
    let carried: Vec<String> = p
        .carried
        .iter()
        .filter_map(|c| {
            let a = assets.get(c.asset.0 as usize)?;
            Some(format!("{} ({})", file(&a.path), format::bytes(c.bytes)))
        })
        .collect();
    let fate = match p.dropped {
        Some(d) => drop_text(d).to_string(),
        None => "arrived".to_string(),
    };
    html! {
        <section class="why-lane" data-protocol={p.protocol.id()} data-lost={p.dropped.is_some().to_string()}>
            <h3>{ p.protocol.label() }</h3>
            <p>{ format!("{} sent at {}: {fate}.", packet_text(p), format::ms(p.at)) }</p>
            <p>{ if carried.is_empty() { "It carried no response bytes (handshake, ACKs or connection frames).".to_string() } else { format!("It carried {}.", carried.join(", ")) } }</p>
            if let Some((t, how)) = p.detected {
                <p>{ format!("Declared lost at {} {how}.", format::ms(t)) }</p>
            }
            if let Some(r) = p.resent {
                <p>{ format!("Its bytes were sent again at {}.", format::ms(r)) }</p>
            }
            if p.stalls.is_empty() {
                <p class="none">{ if p.dropped.is_some() { "No asset waited for it." } else { "" } }</p>
            } else {
                <ul class="stalls" aria-label={format!("Assets it stalled on {}", p.protocol.label())}>
                    { for p.stalls.iter().map(|s| html! {
                        <li data-asset={s.asset.0.to_string()} data-us={s.us.to_string()}>
                            { format!("{}{} waited {}", file(&s.path), s.stream.map(|st| format!(" (stream {})", st.0)).unwrap_or_default(), format::ms(s.us)) }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}

#[function_component]
pub fn Why(p: &WhyProps) -> Html {
    let run = use_run();
    let dispatch = use_dispatch();
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        use_effect_with(p.picked, move |sel| {
            if sel.is_some() {
                if let Some(el) = panel.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    let (Some(pick), Some(run)) = (p.picked, run) else {
        return html! {};
    };
    let close = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::PickPacket(None)))
    };
    let onkeydown = {
        let d = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                d.dispatch(Action::PickPacket(None));
            }
        })
    };
    let lanes = &run.trace.lanes;
    let Some(main_lane) = lanes.iter().find(|l| l.protocol == pick.protocol) else {
        return html! {};
    };
    let Some(picked) = lost_in(main_lane, pick.dir, pick.ordinal) else {
        return html! {
            <aside class="why panel" data-view="why" aria-label="Why did this wait?" tabindex="-1" ref={panel} {onkeydown}>
                <p>{ "That packet is not in this run (the scenario changed)." }</p>
                <button type="button" class="close" aria-label="Close" onclick={close}>{ "×" }</button>
            </aside>
        };
    };
    let others: Vec<LanePacket> = lanes
        .iter()
        .filter(|l| l.protocol != pick.protocol)
        .filter_map(|l| lost_in(l, pick.dir, pick.ordinal))
        .collect();
    let sentence = why_sentence(&picked, &others);
    // The stalled assets' rows, highlighted in every lane (one rule per row).
    let highlight: String = std::iter::once(&picked)
        .chain(others.iter())
        .flat_map(|p| {
            p.stalls.iter().map(move |s| {
                format!(
                    ".lane[data-protocol={}] .asset-row[data-asset=\"{}\"]",
                    p.protocol.id(),
                    s.asset.0
                )
            })
        })
        .collect::<Vec<_>>()
        .join(",");
    html! {
        <aside class="why panel" data-view="why" aria-label="Why did this wait?" tabindex="-1" ref={panel} {onkeydown}
            data-protocol={pick.protocol.id()} data-ordinal={pick.ordinal.to_string()}>
            <header>
                <h2>{ "Why did this wait?" }</h2>
                <button type="button" class="close" aria-label="Close why did this wait" onclick={close}>{ "×" }</button>
            </header>
            <p class="why-sentence" role="status">{ sentence }</p>
            if !highlight.is_empty() {
                <style>{ format!("{highlight} {{ background: #fff3c4; box-shadow: inset 3px 0 0 #a0102c; }}") }</style>
            }
            { lane_block(&picked, &main_lane.assets) }
            { for others.iter().filter_map(|o| {
                let l = lanes.iter().find(|l| l.protocol == o.protocol)?;
                Some(lane_block(o, &l.assets))
            }) }
        </aside>
    }
}
