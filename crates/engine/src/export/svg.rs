//! The lanes as one self-contained SVG, for slides and papers: every colour and font is an
//! attribute of the element it styles (no stylesheet, no web font, no script), so the file
//! looks the same pasted into a slide, a LaTeX figure or a browser. The picture is the
//! app's waterfall: per lane its name and figures, then one row per asset with the phases
//! the trace records (queued, connect, TLS, waiting for the first byte, receiving) and its
//! stalls striped, on one time axis shared by every lane.

use core::fmt::Write;

use crate::export::{millis, thousandths};
use crate::time::SimTime;
use crate::trace::{AssetTiming, BlockedCause, Lane, Source, Trace};

/// The app's colours (style.css `:root`), each meeting WCAG AA against white.
const BG: &str = "#ffffff";
const FG: &str = "#1b1b22";
const MUTED: &str = "#575767";
const LINE: &str = "#d9d9e2";
const QUEUED: &str = "#7d7d8c";
const CONNECT: &str = "#b85f00";
const TLS: &str = "#7d44b3";
const WAIT: &str = "#1d7f50";
const WAIT_FILL: &str = "#d3eee0";
const RECEIVE: &str = "#2a64c4";
const STALL_A: &str = "#1b1b22";
const STALL_B: &str = "#ffc629";
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

const WIDTH: u64 = 1200;
const NAME_W: u64 = 230;
const PAD: u64 = 16;
const ROW: u64 = 16;
const LANE_HEAD: u64 = 40;
/// Rows drawn per lane; a page with more says how many were left out.
pub const MAX_ROWS: usize = 150;

fn lane_colour(id: &str) -> &'static str {
    match id {
        "h1" => "#5a5f73",
        "h2" => "#2a64c4",
        "h2-push" => "#0a716b",
        _ => "#7d44b3",
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The end of the axis: the latest last byte of any lane (at least 1 ms).
fn span(trace: &Trace) -> u64 {
    trace
        .lanes
        .iter()
        .flat_map(|l| l.assets.iter())
        .filter_map(|a| a.last_byte.or(a.first_byte).or(a.request_sent))
        .map(SimTime::as_micros)
        .max()
        .unwrap_or(0)
        .max(1_000)
}

/// A round tick step: 1, 2 or 5 × 10ⁿ ms, for about eight ticks.
fn tick_step(span_us: u64) -> u64 {
    let target = span_us / 8;
    let mut step = 1_000u64;
    loop {
        for m in [1, 2, 5] {
            if step * m >= target {
                return step * m;
            }
        }
        step = step.saturating_mul(10);
        if step >= u64::MAX / 10 {
            return step;
        }
    }
}

/// The whole trace as an SVG document.
pub fn lanes(trace: &Trace) -> String {
    let span = span(trace);
    let plot_w = WIDTH - NAME_W - 2 * PAD;
    let x = |us: u64| -> u64 {
        NAME_W + PAD + (u128::from(us.min(span)) * u128::from(plot_w) / u128::from(span)) as u64
    };
    let rows =
        |l: &Lane| l.assets.len().min(MAX_ROWS) as u64 + u64::from(l.assets.len() > MAX_ROWS);
    let axis_h = 34;
    let height = PAD
        + axis_h
        + trace
            .lanes
            .iter()
            .map(|l| LANE_HEAD + rows(l) * ROW + 12)
            .sum::<u64>()
        + PAD;
    let mut s = String::new();
    let page = &trace.scenario.page;
    let net = &trace.scenario.network;
    let title = format!(
        "{} ({} assets) over {}: {} ms RTT, {} Mbit/s down",
        page.name,
        page.assets.len(),
        trace
            .lanes
            .iter()
            .map(|l| l.protocol.label())
            .collect::<Vec<_>>()
            .join(", "),
        thousandths(net.rtt.as_micros()),
        thousandths(net.downlink_bps / 1_000),
    );
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" font-size="11" role="img" aria-label="{t}">
<title>{t}</title>
<defs><pattern id="stall" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{STALL_B}"/><rect width="3" height="6" fill="{STALL_A}"/></pattern></defs>
<rect width="{WIDTH}" height="{height}" fill="{BG}"/>
<text x="{PAD}" y="{ty}" font-size="13" font-weight="600" fill="{FG}">{t}</text>
"#,
        t = esc(&title),
        ty = PAD + 4,
    );
    // The axis, and its grid lines down through every lane.
    let top = PAD + axis_h;
    let step = tick_step(span);
    let mut t = 0;
    while t <= span {
        let _ = writeln!(
            s,
            r#"<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{LINE}" stroke-width="1"/><text x="{x}" y="{ty}" text-anchor="middle" fill="{MUTED}">{label} ms</text>"#,
            x = x(t),
            y1 = top - 4,
            y2 = height - PAD,
            ty = top - 8,
            label = t / 1_000,
        );
        t += step;
    }
    let mut y = top;
    for lane in &trace.lanes {
        let colour = lane_colour(lane.protocol.id());
        let m = &lane.metrics;
        let time = |d: Option<crate::SimDuration>| {
            d.map(|d| format!("{} ms", millis(d.as_micros())))
                .unwrap_or_else(|| "—".into())
        };
        let figures = format!(
            "load {} · first paint {} · {} connections · {} packets, {} retransmitted{}",
            time(m.load),
            time(m.first_paint),
            m.connections,
            m.packets,
            m.retransmissions,
            if m.finished {
                ""
            } else {
                " · did not finish in 1 h"
            }
        );
        let _ = write!(
            s,
            r#"<g aria-label="{label}"><rect x="{PAD}" y="{y}" width="{w}" height="3" fill="{colour}"/>
<text x="{PAD}" y="{ny}" font-size="13" font-weight="700" fill="{colour}">{label}</text><text x="{fx}" y="{ny}" fill="{MUTED}">{figures}</text>
"#,
            label = esc(lane.protocol.label()),
            w = WIDTH - 2 * PAD,
            ny = y + 20,
            fx = NAME_W + PAD,
            figures = esc(&figures),
        );
        y += LANE_HEAD;
        for a in lane.assets.iter().take(MAX_ROWS) {
            row(&mut s, a, y, &x);
            y += ROW;
        }
        if lane.assets.len() > MAX_ROWS {
            let _ = writeln!(
                s,
                r#"<text x="{PAD}" y="{ty}" fill="{MUTED}">… and {} more assets</text>"#,
                lane.assets.len() - MAX_ROWS,
                ty = y + 11,
            );
            y += ROW;
        }
        s.push_str("</g>\n");
        y += 12;
    }
    s.push_str("</svg>\n");
    s
}

fn row(s: &mut String, a: &AssetTiming, y: u64, x: &dyn Fn(u64) -> u64) {
    let name: String = if a.path.chars().count() > 34 {
        let tail: Vec<char> = a.path.chars().rev().take(33).collect();
        format!("…{}", tail.into_iter().rev().collect::<String>())
    } else {
        a.path.clone()
    };
    let _ = write!(
        s,
        r#"<text x="{PAD}" y="{ty}" fill="{FG}">{name}</text>"#,
        ty = y + 11,
        name = esc(&name),
    );
    let bar = |s: &mut String, from: u64, to: u64, fill: &str, stroke: Option<&str>, h: u64| {
        let (x0, x1) = (x(from), x(to));
        let w = (x1.saturating_sub(x0)).max(2);
        let top = y + (ROW - h) / 2;
        let stroke = stroke
            .map(|c| format!(r#" stroke="{c}" stroke-width="1""#))
            .unwrap_or_default();
        let _ = write!(
            s,
            r#"<rect x="{x0}" y="{top}" width="{w}" height="{h}" rx="2" fill="{fill}"{stroke}/>"#
        );
    };
    let us = |t: Option<SimTime>| t.map(SimTime::as_micros);
    let discovered = a.discovered.as_micros();
    if a.source == Source::Cache {
        let _ = write!(
            s,
            r#"<text x="{tx}" y="{ty}" fill="{MUTED}">from cache</text>"#,
            tx = x(discovered) + 4,
            ty = y + 11,
        );
        s.push('\n');
        return;
    }
    let sent = us(a.request_sent);
    let mut start = sent.unwrap_or(discovered);
    if let Some(c) = &a.connect {
        start = start.min(c.start.as_micros());
        bar(
            s,
            c.start.as_micros(),
            c.tcp_end.as_micros(),
            CONNECT,
            None,
            10,
        );
        bar(
            s,
            c.tcp_end.as_micros(),
            c.tls_end.as_micros(),
            TLS,
            None,
            10,
        );
    }
    if start > discovered {
        bar(s, discovered, start, QUEUED, None, 3);
    }
    if let Some(sent) = sent {
        let first = us(a.first_byte).unwrap_or(sent);
        bar(s, sent, first, WAIT_FILL, Some(WAIT), 10);
        if let Some(first) = us(a.first_byte) {
            let last = us(a.last_byte).unwrap_or(first);
            bar(s, first, last, RECEIVE, None, 10);
        }
    }
    // Striped as in the app (src/components/waterfall.rs `is_stall`): head-of-line
    // blocking only, TCP's or a QUIC stream's; other waits are the phases' own.
    for b in a.blocked.iter().filter(|b| {
        b.to > b.from
            && matches!(
                b.cause,
                BlockedCause::TcpHeadOfLine { .. } | BlockedCause::QuicStreamHeadOfLine { .. }
            )
    }) {
        bar(
            s,
            b.from.as_micros(),
            b.to.as_micros(),
            "url(#stall)",
            None,
            6,
        );
    }
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{simulate, PresetId, Scenario};

    #[test]
    fn the_svg_is_well_formed_and_draws_every_lane_and_asset() {
        let mut sc = Scenario::preset(PresetId::Blog);
        sc.network.loss = crate::link::LossModel::Random { ppm: 20_000 };
        sc.network.seed = 2;
        sc.page.assets[3].path = "/js/<a&b>.js".into();
        let t = simulate(&sc).unwrap();
        let svg = lanes(&t);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        // Every element closes: count opening and closing tags of the containers.
        assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());
        assert_eq!(svg.matches("<g ").count(), 4);
        for l in &t.lanes {
            assert!(svg.contains(&format!(">{}</text>", esc(l.protocol.label()))));
        }
        assert!(svg.contains("/js/&lt;a&amp;b&gt;.js"));
        assert!(!svg.contains("<a&b>"));
        // Stalls are drawn (2 % loss stalls some streams).
        assert!(svg.contains("url(#stall)"));
        // No stylesheet, script or external reference.
        for bad in ["<style", "<script", "href=", "@import"] {
            assert!(!svg.contains(bad), "{bad}");
        }
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(1_000), 1_000);
        assert_eq!(tick_step(1_500_000), 200_000);
        assert_eq!(tick_step(9_000_000), 2_000_000);
    }
}
