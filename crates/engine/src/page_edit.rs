//! Editing a page as a table (the app's asset editor): remove, duplicate, move and add
//! assets while every `discovered_by` keeps naming the same asset it named before. Each
//! edit returns the map from old asset ids to new ones, so whatever else names assets (the
//! push list) follows too. An edit may leave the page invalid (an asset moved above the
//! one that finds it): [`Page::asset_problems`] then says which row and why.

use crate::ids::AssetId;
use crate::options::PushPolicy;
use crate::page::{Asset, AssetKind, Discovery, Page};

/// Old id → new id (`None`: removed).
pub type IdMap = Vec<Option<AssetId>>;

impl Page {
    /// Rebuilds the page in `order` (old indices; an old index left out is removed), and
    /// points every discovery at its parent's new index. A child of a removed asset is
    /// found where the removed one was found (its parent, offset and parse rule).
    fn reorder(&mut self, order: &[usize]) -> IdMap {
        let mut map: IdMap = vec![None; self.assets.len()];
        for (new, &old) in order.iter().enumerate() {
            if map[old].is_none() {
                map[old] = Some(AssetId(new as u32));
            }
        }
        let old = std::mem::take(&mut self.assets);
        // Where a discovery by `parent` goes when `parent` is removed: up the chain to the
        // first ancestor that stays (the HTML always does).
        let resolve = |mut d: Discovery| -> Option<Discovery> {
            for _ in 0..old.len() {
                match map.get(d.parent.0 as usize).copied().flatten() {
                    Some(id) => {
                        return Some(Discovery { parent: id, ..d });
                    }
                    None => d = old.get(d.parent.0 as usize)?.discovered_by?,
                }
            }
            None
        };
        self.assets = order
            .iter()
            .map(|&i| {
                let mut a = old[i].clone();
                a.discovered_by = a.discovered_by.and_then(resolve);
                a
            })
            .collect();
        map
    }

    /// Removes asset `i` (never the HTML, asset 0).
    pub fn remove_asset(&mut self, i: usize) -> IdMap {
        let n = self.assets.len();
        if i == 0 || i >= n {
            return (0..n).map(|k| Some(AssetId(k as u32))).collect();
        }
        let order: Vec<usize> = (0..n).filter(|&k| k != i).collect();
        self.reorder(&order)
    }

    /// A copy of asset `i` right after it, with a path of its own (`/img/a-2.jpg`).
    pub fn duplicate_asset(&mut self, i: usize) -> IdMap {
        let n = self.assets.len();
        if i == 0 || i >= n || n >= Page::MAX_ASSETS {
            return (0..n).map(|k| Some(AssetId(k as u32))).collect();
        }
        let mut copy = self.assets[i].clone();
        copy.path = self.free_path(&copy.path);
        self.assets.push(copy);
        let mut order: Vec<usize> = (0..n).collect();
        order.insert(i + 1, n);
        self.reorder(&order)
    }

    /// Moves asset `from` to position `to` (neither the HTML's place, 0).
    pub fn move_asset(&mut self, from: usize, to: usize) -> IdMap {
        let n = self.assets.len();
        if from == 0 || to == 0 || from >= n || to >= n {
            return (0..n).map(|k| Some(AssetId(k as u32))).collect();
        }
        let mut order: Vec<usize> = (0..n).collect();
        let moved = order.remove(from);
        order.insert(to, moved);
        self.reorder(&order)
    }

    /// A new image at the end, found in the HTML at its first kilobyte.
    pub fn add_asset(&mut self) -> AssetId {
        let path = self.free_path("/img/new.jpg");
        let offset = self.assets.first().map_or(0, |h| h.size.min(1_000));
        let id = AssetId(self.assets.len() as u32);
        self.assets.push(Asset::new(
            path,
            AssetKind::Image,
            10_000,
            Some((AssetId(0), offset)),
        ));
        id
    }

    /// `path`, or `path` with `-2`, `-3`… before its extension, whichever no asset has.
    pub fn free_path(&self, path: &str) -> String {
        let taken = self.by_path();
        if !taken.contains_key(path) {
            return path.to_owned();
        }
        let (stem, ext) = match path.rfind('.') {
            Some(dot) if dot > path.rfind('/').unwrap_or(0) => path.split_at(dot),
            _ => (path, ""),
        };
        (2..)
            .map(|k| format!("{stem}-{k}{ext}"))
            .find(|p| !taken.contains_key(p.as_str()))
            .unwrap_or_default()
    }
}

/// The push list after an edit: its ids follow their assets, removed ones drop out.
pub fn remap_push(policy: &PushPolicy, map: &IdMap) -> PushPolicy {
    match policy {
        PushPolicy::List(ids) => PushPolicy::List(
            ids.iter()
                .filter_map(|id| map.get(id.0 as usize).copied().flatten())
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    fn parents(p: &Page) -> Vec<Option<u32>> {
        p.assets
            .iter()
            .map(|a| a.discovered_by.map(|d| d.parent.0))
            .collect()
    }

    #[test]
    fn removing_a_stylesheet_hands_its_fonts_to_the_html() {
        let mut p = Page::preset(PresetId::Blog);
        assert_eq!(p.assets[14].discovered_by.unwrap().parent, AssetId(1));
        let map = p.remove_asset(1);
        assert_eq!(map[1], None);
        assert_eq!(map[2], Some(AssetId(1)));
        assert_eq!(p.assets.len(), 15);
        // The fonts main.css named are now found where main.css was: in the HTML at 1,200.
        let font = &p.assets[13];
        assert_eq!(font.path, "/fonts/inter-regular.woff2");
        assert_eq!(
            font.discovered_by,
            Some(Discovery {
                parent: AssetId(0),
                offset: 1_200,
                parsed: false
            })
        );
        assert!(p.validate().is_ok());
        // The HTML cannot be removed.
        let before = p.clone();
        p.remove_asset(0);
        assert_eq!(p, before);
    }

    #[test]
    fn duplicate_and_move_keep_every_discovery_on_its_asset() {
        let mut p = Page::preset(PresetId::Spa);
        let before: Vec<(String, Option<String>)> = p
            .assets
            .iter()
            .map(|a| {
                (
                    a.path.clone(),
                    a.discovered_by
                        .map(|d| p.assets[d.parent.0 as usize].path.clone()),
                )
            })
            .collect();
        p.duplicate_asset(3);
        assert_eq!(p.assets[4].path, "/fonts/ui-regular-2.woff2");
        p.move_asset(4, 1);
        for a in &p.assets {
            let parent = a
                .discovered_by
                .map(|d| p.assets[d.parent.0 as usize].path.clone());
            let want = before
                .iter()
                .find(|(path, _)| *path == a.path || a.path == "/fonts/ui-regular-2.woff2")
                .unwrap();
            if a.path != "/fonts/ui-regular-2.woff2" {
                assert_eq!(&parent, &want.1, "{}", a.path);
            }
        }
        // Moved above the stylesheet that names it: invalid, and said for that row.
        let problems = p.asset_problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, AssetId(1));
        assert!(problems[0].1.contains("must be an earlier asset"));
        assert_eq!(parents(&p)[0], None);
    }

    #[test]
    fn added_assets_get_free_paths_and_push_lists_follow() {
        let mut p = Page::preset(PresetId::Blog);
        let a = p.add_asset();
        let b = p.add_asset();
        assert_eq!(p.asset(a).path, "/img/new.jpg");
        assert_eq!(p.asset(b).path, "/img/new-2.jpg");
        assert!(p.validate().is_ok());
        let map = p.remove_asset(2);
        let push = remap_push(
            &PushPolicy::List(vec![AssetId(1), AssetId(2), AssetId(3)]),
            &map,
        );
        assert_eq!(push, PushPolicy::List(vec![AssetId(1), AssetId(2)]));
    }
}
