//! What the views draw, worked out once per trace (never per animation frame): the page's
//! rows (similar assets grouped), and per lane the running totals that the figures read at
//! the playhead by binary search.

use protoviz_engine::link::DropReason;
use protoviz_engine::page::{AssetKind, Page};
use protoviz_engine::trace::{EventKind, Lane};
use protoviz_engine::verdict::LaneOutcome;
use protoviz_engine::Protocol;

/// Fewest similar assets that make a group row.
pub const GROUP_MIN: usize = 6;

/// One row of every lane's waterfall.
#[derive(Clone, Debug, PartialEq)]
pub enum RowSpec {
    /// One asset (its index in the page).
    Asset(usize),
    /// Similar assets (same kind, same path but for its numbers) as one expandable row.
    Group(Group),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The path with each run of digits as `#`: `/tiles/tile-#-#.jpg`.
    pub key: String,
    /// "100 tiles".
    pub label: String,
    pub kind: AssetKind,
    /// Indices of its assets in the page, in page order.
    pub members: Vec<usize>,
}

/// `path` with every run of digits replaced by `#`.
pub fn pattern(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// "tiles" from `/tiles/tile-#-#.jpg`, "stories" from `/img/thumbs/story-#.webp`: the file
/// name's leading word, in the plural.
fn noun(key: &str, kind: AssetKind) -> String {
    let file = key.rsplit('/').next().unwrap_or(key);
    let word: String = file
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if word.is_empty() {
        return format!("{kind} files");
    }
    let consonant_y =
        word.ends_with('y') && !word[..word.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if word.ends_with('s') {
        word
    } else {
        format!("{word}s")
    }
}

/// The rows of a page: each asset, except that [`GROUP_MIN`] or more of one kind whose
/// paths differ only in their numbers become one group row, where the first of them was.
/// One pass over the page with a map of the patterns (a 5,000-asset page is 5,000 look-ups,
/// not 12.5 million comparisons).
pub fn rows(page: &Page) -> Vec<RowSpec> {
    let keys: Vec<String> = page.assets.iter().map(|a| pattern(&a.path)).collect();
    // Each (pattern, kind) class, its members in page order, by its first member.
    let mut class_of: std::collections::HashMap<(&str, AssetKind), usize> =
        std::collections::HashMap::with_capacity(page.assets.len());
    let mut classes: Vec<Vec<usize>> = Vec::new();
    let mut class_index = Vec::with_capacity(page.assets.len());
    for (i, a) in page.assets.iter().enumerate() {
        let c = *class_of
            .entry((keys[i].as_str(), a.kind))
            .or_insert_with(|| {
                classes.push(Vec::new());
                classes.len() - 1
            });
        classes[c].push(i);
        class_index.push(c);
    }
    let mut rows = Vec::new();
    for (i, a) in page.assets.iter().enumerate() {
        let members = &classes[class_index[i]];
        if members.len() >= GROUP_MIN && keys[i].contains('#') {
            // The group row stands where its first member was.
            if members[0] == i {
                rows.push(RowSpec::Group(Group {
                    key: keys[i].clone(),
                    label: format!("{} {}", members.len(), noun(&keys[i], a.kind)),
                    kind: a.kind,
                    members: members.clone(),
                }));
            }
        } else {
            rows.push(RowSpec::Asset(i));
        }
    }
    rows
}

/// Running totals of one lane, each a step at the time it changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Times (µs) of the steps, ascending.
    times: Vec<u64>,
    values: Vec<u64>,
}

impl Series {
    fn push(&mut self, at: u64, add: u64) {
        let last = self.values.last().copied().unwrap_or(0);
        if self.times.last() == Some(&at) {
            if let Some(v) = self.values.last_mut() {
                *v = last + add;
            }
        } else {
            self.times.push(at);
            self.values.push(last + add);
        }
    }

    /// The total at time `t` (µs), steps at `t` included.
    pub fn at(&self, t: u64) -> u64 {
        let n = self.times.partition_point(|&x| x <= t);
        if n == 0 {
            0
        } else {
            self.values[n - 1]
        }
    }

    pub fn last(&self) -> u64 {
        self.values.last().copied().unwrap_or(0)
    }
}

/// One lane, worked out for drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneModel {
    pub protocol: Protocol,
    /// Times and facts (the verdict's view of the lane).
    pub outcome: LaneOutcome,
    pub dom_content_loaded: Option<u64>,
    /// Bytes on the wire, both ways, as packets reach the bottleneck.
    pub bytes: Series,
    /// Packets the link lost / the full queue dropped / sent again.
    pub link_losses: Series,
    pub queue_drops: Series,
    pub resent: Series,
    /// Connections opened.
    pub connections: Series,
    /// Header bytes: each request's when sent, each response's at its first byte.
    pub headers: Series,
    /// HTTP/3 without QPACK's dynamic table (the engine's encoder uses the static table
    /// only): the lane says so next to its header bytes.
    pub qpack_static_only: bool,
}

impl LaneModel {
    pub fn of(lane: &Lane) -> LaneModel {
        let mut m = LaneModel {
            protocol: lane.protocol,
            outcome: LaneOutcome::of(lane),
            dom_content_loaded: None,
            bytes: Series::default(),
            link_losses: Series::default(),
            queue_drops: Series::default(),
            resent: Series::default(),
            connections: Series::default(),
            headers: Series::default(),
            qpack_static_only: lane.protocol == Protocol::Http3 && lane.header_blocks.is_empty(),
        };
        m.dom_content_loaded = lane.metrics.dom_content_loaded.map(|d| d.as_micros());
        for e in &lane.events {
            let at = e.at.as_micros();
            match &e.kind {
                EventKind::PacketSent {
                    bytes,
                    retransmission,
                    dropped,
                    ..
                } => {
                    m.bytes.push(at, *bytes);
                    if *retransmission {
                        m.resent.push(at, 1);
                    }
                    match dropped {
                        Some(DropReason::QueueOverflow) => m.queue_drops.push(at, 1),
                        Some(_) => m.link_losses.push(at, 1),
                        None => {}
                    }
                }
                EventKind::ConnectionOpened { .. } => m.connections.push(at, 1),
                EventKind::RequestSent { header_bytes, .. } => m.headers.push(at, *header_bytes),
                EventKind::FirstByte { asset } => {
                    if let Some(a) = lane.assets.get(asset.0 as usize) {
                        // A pushed response's request headers came in its PUSH_PROMISE,
                        // not in a request of the browser's.
                        let promised = if a.source == protoviz_engine::trace::Source::Push {
                            a.request_header_bytes
                        } else {
                            0
                        };
                        m.headers.push(at, a.response_header_bytes + promised);
                    }
                }
                _ => {}
            }
        }
        m
    }

    /// The lane's load time (µs), if it finished.
    pub fn load_us(&self) -> Option<u64> {
        self.outcome.load.map(|d| d.as_micros())
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use protoviz_engine::{simulate, PresetId, Scenario};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn similar_assets_make_one_group_row() {
        let tiles = rows(&Page::preset(PresetId::Tiles));
        assert_eq!(tiles.len(), 2, "the HTML and one group");
        match &tiles[1] {
            RowSpec::Group(g) => {
                assert_eq!(g.label, "100 tiles");
                assert_eq!(g.key, "/tiles/tile-#-#.jpg");
                assert_eq!(g.members, (1..=100).collect::<Vec<_>>());
            }
            r => panic!("{r:?}"),
        }
        // The blog page has nothing that similar: one row per asset.
        let blog = Page::preset(PresetId::Blog);
        assert_eq!(rows(&blog).len(), blog.assets.len());
        // News: the 36 story thumbnails are one row, their plural said right.
        let news = rows(&Page::preset(PresetId::News));
        assert!(news
            .iter()
            .any(|r| matches!(r, RowSpec::Group(g) if g.label == "36 stories")));
    }

    /// The one-pass grouping gives the rows the pairwise one gave, on every preset and on
    /// pages where a pattern's members are interleaved with other assets.
    #[test]
    fn rows_are_the_pairwise_grouping() {
        fn pairwise(page: &Page) -> Vec<RowSpec> {
            let keys: Vec<String> = page.assets.iter().map(|a| pattern(&a.path)).collect();
            let mut rows = Vec::new();
            let mut placed = vec![false; page.assets.len()];
            for (i, a) in page.assets.iter().enumerate() {
                if placed[i] {
                    continue;
                }
                let members: Vec<usize> = (i..page.assets.len())
                    .filter(|&j| keys[j] == keys[i] && page.assets[j].kind == a.kind)
                    .collect();
                if members.len() >= GROUP_MIN && keys[i].contains('#') {
                    for &j in &members {
                        placed[j] = true;
                    }
                    rows.push(RowSpec::Group(Group {
                        key: keys[i].clone(),
                        label: format!("{} {}", members.len(), noun(&keys[i], a.kind)),
                        kind: a.kind,
                        members,
                    }));
                } else {
                    placed[i] = true;
                    rows.push(RowSpec::Asset(i));
                }
            }
            rows
        }
        for id in PresetId::ALL {
            let page = Page::preset(id);
            assert_eq!(rows(&page), pairwise(&page), "{id:?}");
        }
        // Interleaved: 7 icons and 5 photos (too few to group), alternating with a font.
        let mut page = Page::preset(PresetId::Blog);
        for i in 0..7 {
            let found = Some((protoviz_engine::AssetId(0), 100));
            page.assets.push(protoviz_engine::page::Asset::new(
                format!("/i/icon-{i}.svg"),
                AssetKind::Image,
                1_000,
                found,
            ));
            if i < 5 {
                page.assets.push(protoviz_engine::page::Asset::new(
                    format!("/p/photo-{i}.jpg"),
                    AssetKind::Image,
                    1_000,
                    found,
                ));
            }
            page.assets.push(protoviz_engine::page::Asset::new(
                format!("/f/icon-{i}.svg"),
                AssetKind::Font,
                1_000,
                found,
            ));
        }
        let got = rows(&page);
        assert_eq!(got, pairwise(&page));
        assert_eq!(
            got.iter()
                .filter(|r| matches!(r, RowSpec::Group(_)))
                .count(),
            2
        );
    }

    /// The running totals end at the lane's own figures.
    #[test]
    fn series_end_at_the_metrics() {
        let mut s = Scenario::preset(PresetId::Blog);
        s.network.loss = protoviz_engine::link::LossModel::Random { ppm: 20_000 };
        let t = simulate(&s).unwrap();
        for lane in &t.lanes {
            let m = LaneModel::of(lane);
            assert_eq!(m.connections.last(), u64::from(lane.metrics.connections));
            assert_eq!(
                m.resent.last(),
                lane.metrics.retransmissions,
                "{:?}",
                lane.protocol
            );
            assert_eq!(
                m.bytes.last(),
                lane.metrics.bytes_total,
                "{:?}",
                lane.protocol
            );
            assert_eq!(
                m.headers.last(),
                lane.metrics.bytes_headers,
                "{:?}",
                lane.protocol
            );
            // Only the first packets (the handshakes') are on the wire at t = 0.
            assert!(m.bytes.at(0) < m.bytes.last() / 100, "{}", m.bytes.at(0));
            assert_eq!(m.bytes.at(u64::MAX), m.bytes.last());
        }
    }
}
