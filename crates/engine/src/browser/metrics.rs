//! The browser's side of a page load that every lane shares: what parsing and running an
//! asset costs, what a warm cache holds, and the page-level metrics (first paint,
//! DOMContentLoaded, round trips) computed from the per-asset timings a lane recorded.

use crate::ids::AssetId;
use crate::options::{BrowserOptions, Cache};
use crate::page::{Asset, AssetKind, Page};
use crate::scenario::{Protocol, Scenario, TlsVersion};
use crate::time::{SimDuration, SimTime};
use crate::trace::{AssetTiming, Metrics, Source};

/// What parsing (HTML, CSS) or parsing, compiling and running (JS) `asset` costs the
/// browser once it has all of it. Images, fonts and JSON cost nothing here.
pub fn cost(browser: &BrowserOptions, asset: &Asset) -> SimDuration {
    let per_kib = match asset.kind {
        AssetKind::Html => browser.html_us_per_kib,
        AssetKind::Css => browser.css_us_per_kib,
        AssetKind::Js => browser.js_us_per_kib,
        AssetKind::Image | AssetKind::Font | AssetKind::Json => 0,
    };
    SimDuration::from_micros(asset.size.saturating_mul(per_kib) / 1024)
}

/// Who reveals whom, per asset: the children found at byte offsets of its body (by
/// ascending offset), and those found once it has been parsed or run
/// ([`crate::page::Discovery::parsed`]).
pub struct Reveals {
    pub by_offset: Vec<Vec<(u64, AssetId)>>,
    pub parsed: Vec<Vec<AssetId>>,
}

/// The [`Reveals`] of `page`, which every lane discovers assets by.
pub fn reveals(page: &Page) -> Reveals {
    let mut by_offset = vec![Vec::new(); page.assets.len()];
    let mut parsed = vec![Vec::new(); page.assets.len()];
    for id in page.ids() {
        match page.asset(id).discovered_by {
            Some(d) if d.parsed => parsed[d.parent.0 as usize].push(id),
            Some(d) => by_offset[d.parent.0 as usize].push((d.offset, id)),
            None => {}
        }
    }
    for c in &mut by_offset {
        c.sort_unstable();
    }
    Reveals { by_offset, parsed }
}

/// The asset is fresh in the browser's cache and is not requested.
pub fn cached(scenario: &Scenario, id: AssetId) -> bool {
    scenario.browser.cache == Cache::Warm && scenario.page.asset(id).cacheable()
}

/// When a child found with [`crate::page::Discovery::parsed`] is discovered: once its
/// parent has fully arrived (`last_byte`) and been parsed or run.
pub fn parsed_at(browser: &BrowserOptions, parent: &Asset, last_byte: SimTime) -> SimTime {
    last_byte + cost(browser, parent)
}

/// Round trips a new connection of `protocol` costs before its first request can go out.
pub fn setup_round_trips(scenario: &Scenario, protocol: Protocol) -> u32 {
    match protocol {
        Protocol::Http3 if scenario.http3.zero_rtt => 0,
        // RFC 9001 §4: QUIC's handshake carries TLS 1.3's, one round trip.
        Protocol::Http3 => 1,
        // TCP's three-way handshake (RFC 9293 §3.5), then TLS: 1 round trip for TLS 1.3
        // (RFC 8446 §2), 2 for TLS 1.2 (RFC 5246 §7.3).
        _ => match scenario.transport.tls {
            TlsVersion::Tls13 => 2,
            TlsVersion::Tls12 => 3,
        },
    }
}

/// Fills what every lane computes the same way from its per-asset timings: `executed` of
/// each asset, and the lane's time to first byte, first paint, DOMContentLoaded, load,
/// round trips and wasted bytes.
pub fn finish(
    scenario: &Scenario,
    protocol: Protocol,
    assets: &mut [AssetTiming],
    m: &mut Metrics,
) {
    let page = &scenario.page;
    for t in assets.iter_mut() {
        let a = page.asset(t.asset);
        t.executed = t
            .last_byte
            .filter(|_| matches!(a.kind, AssetKind::Html | AssetKind::Css | AssetKind::Js))
            .map(|at| at + cost(&scenario.browser, a));
    }
    m.set_times(assets);
    let since_start = |t: SimTime| t.saturating_since(SimTime::ZERO);
    m.first_paint = first_paint(scenario, assets).map(since_start);
    m.dom_content_loaded = dom_content_loaded(scenario, assets).map(since_start);
    m.round_trips = round_trips(scenario, protocol, assets);
    m.bytes_wasted = assets.iter().map(|a| a.wasted_bytes).sum();
}

/// Render-blocking stylesheets and scripts the HTML references, in document order.
pub fn blocking(page: &Page) -> impl Iterator<Item = AssetId> + '_ {
    let mut ids: Vec<(u64, AssetId)> = page
        .ids()
        .filter_map(|id| {
            let a = page.asset(id);
            let d = a.discovered_by?;
            (a.blocking && d.parent == AssetId(0)).then_some((d.offset, id))
        })
        .collect();
    ids.sort_unstable();
    ids.into_iter().map(|(_, id)| id)
}

/// Scripts run one after another in document order, each once it has arrived and the one
/// before it has run (the HTML parser stops at a synchronous script; a script also waits
/// for the stylesheets before it, HTML §4.2.6 "script-blocking style sheet"). The result is
/// when the last of `ids` is done; `None` if one of them never arrived.
fn in_order(
    scenario: &Scenario,
    assets: &[AssetTiming],
    mut ids: impl Iterator<Item = AssetId>,
    start: SimTime,
) -> Option<SimTime> {
    ids.try_fold(start, |t, id| {
        let a = &assets[id.0 as usize];
        Some(t.max(a.last_byte?) + cost(&scenario.browser, scenario.page.asset(id)))
    })
}

/// First paint: the HTML's first bytes have arrived and every render-blocking asset has
/// been parsed or run, in document order; `None` if that never happened.
pub fn first_paint(scenario: &Scenario, assets: &[AssetTiming]) -> Option<SimTime> {
    let html = assets.first()?;
    in_order(scenario, assets, blocking(&scenario.page), html.first_byte?)
}

/// DOMContentLoaded: the whole HTML is parsed and every script it references has run
/// (synchronous and deferred scripts all run before the event; async ones are counted too,
/// which the page model does not tell apart); `None` if that never happened.
pub fn dom_content_loaded(scenario: &Scenario, assets: &[AssetTiming]) -> Option<SimTime> {
    let page = &scenario.page;
    let html = assets.first()?;
    let parsed = html.last_byte? + cost(&scenario.browser, page.asset(AssetId(0)));
    let mut scripts: Vec<(u64, AssetId)> = page
        .ids()
        .filter_map(|id| {
            let a = page.asset(id);
            let d = a.discovered_by?;
            (a.kind == AssetKind::Js && d.parent == AssetId(0)).then_some((d.offset, id))
        })
        .collect();
    scripts.sort_unstable();
    let ran = in_order(
        scenario,
        assets,
        scripts.into_iter().map(|(_, id)| id),
        SimTime::ZERO,
    )?;
    Some(parsed.max(ran).max(first_paint(scenario, assets)?))
}

/// Round trips on the longest chain of dependent fetches: the HTML's connection set-up and
/// request, then for each asset one more request round trip after its parent's, plus the
/// set-up of a new connection when it had to wait for one. Cached assets cost none; pushed
/// ones ride on the HTML's response.
pub fn round_trips(scenario: &Scenario, protocol: Protocol, assets: &[AssetTiming]) -> u32 {
    let page = &scenario.page;
    let setup = setup_round_trips(scenario, protocol);
    let mut rt = vec![0u32; assets.len()];
    for (i, t) in assets.iter().enumerate() {
        let parent = page.assets[i]
            .discovered_by
            .map(|d| rt[d.parent.0 as usize])
            .unwrap_or(0);
        rt[i] = match t.source {
            Source::Cache => parent,
            Source::Push => rt[0],
            Source::Request | Source::EarlyHint => {
                parent + 1 + if t.connect.is_some() { setup } else { 0 }
            }
        };
    }
    rt.into_iter().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    #[test]
    fn costs_scale_with_size_and_kind() {
        let b = BrowserOptions::default();
        let js = Asset::new("/a.js", AssetKind::Js, 102_400, None);
        let img = Asset::new("/a.jpg", AssetKind::Image, 102_400, None);
        assert_eq!(cost(&b, &js), SimDuration::from_millis(5));
        assert_eq!(cost(&b, &img), SimDuration::ZERO);
    }

    #[test]
    fn warm_cache_holds_static_assets_only() {
        let mut s = Scenario::preset(PresetId::Blog);
        assert!(!cached(&s, AssetId(1)));
        s.browser.cache = Cache::Warm;
        assert!(!cached(&s, AssetId(0)));
        assert!(s.page.ids().skip(1).all(|id| cached(&s, id)));
    }

    #[test]
    fn setup_round_trips_follow_the_handshakes() {
        let mut s = Scenario::preset(PresetId::Blog);
        assert_eq!(setup_round_trips(&s, Protocol::Http1), 2);
        assert_eq!(setup_round_trips(&s, Protocol::Http3), 1);
        s.http3.zero_rtt = true;
        s.transport.tls = TlsVersion::Tls12;
        assert_eq!(setup_round_trips(&s, Protocol::Http3), 0);
        assert_eq!(setup_round_trips(&s, Protocol::Http2), 3);
    }
}
