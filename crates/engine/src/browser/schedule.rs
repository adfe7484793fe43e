//! When the browser lets a request it has decided to make go out: Blink's per-frame
//! `ResourceLoadScheduler` (third_party/blink/renderer/platform/loader/fetch/
//! resource_load_scheduler.cc), in the foreground frame of a page load.
//!
//! - Every subresource request the renderer makes with `ThrottleOption::kThrottleable`
//!   (`ResourceLoader::Start`: all but synchronous, keep-alive and long-running contexts —
//!   `IsThrottlableRequestContext` leaves out `fetch()`, XHR, EventSource, audio and video)
//!   is queued by priority, then FIFO (`ClientIdWithPriority::Compare`), and runs when
//!   `GetNextPendingRequest` allows the head of the queue.
//! - **Tight mode** (`ThrottlingPolicy::kTight`) lasts until the parser inserts `<body>`
//!   (`Document::WillInsertBody` → `ResourceFetcher::LoosenLoadThrottlingPolicy`). In it a
//!   request below `kHigh` runs only while fewer than 2 throttleable requests of any priority
//!   are running (`kTightLimitForRendererSideResourceScheduler`), or, if it is `kMedium`,
//!   while fewer than 2 `kMedium` ones are (`kBoostImagePriorityTightMediumLimit`,
//!   `IsRunningThrottleableRequestsLessThanOutStandingLimit`). The multiplexed-connection
//!   exception (`kDelayLowPriorityRequestsAccordingToNetworkState`) is off by default.
//! - **Normal mode**: at most 1,024 running (`kLimitForRendererSideResourceScheduler`).
//! - A request stops counting when its response has arrived (`ResourceLoader` releases its
//!   client id when loading finishes), which may let the next one run.
//!
//! Priorities are Blink's `ResourceLoadPriority` as `TypeToPriority` and
//! `ComputeLoadPriority` give them (resource_fetcher.cc): stylesheets and fonts `kVeryHigh`,
//! scripts and `fetch()` `kHigh`, images `kLow` except the first five (not small) images of
//! the document, boosted to `kMedium` (`kBoostImagePriority`, enabled by default,
//! `image_count` 5; the page model has no image dimensions, so none counts as small).
//!
//! Requests the renderer's scheduler never sees are not counted: the document itself
//! (`kCanNotBeStoppedOrThrottled`), the preloads a `103 Early Hints` names (the browser
//! process fetches them, `NavigationEarlyHintsManager`), pushed and cached responses.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::ids::AssetId;
use crate::page::AssetKind;

/// Blink's `ResourceLoadPriority`, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LoadPriority {
    Low,
    Medium,
    High,
    VeryHigh,
}

/// `kTightLimitForRendererSideResourceScheduler`.
const TIGHT_LIMIT: usize = 2;
/// `kBoostImagePriorityTightMediumLimit`'s default.
const TIGHT_MEDIUM_LIMIT: usize = 2;
/// `kLimitForRendererSideResourceScheduler`.
const NORMAL_LIMIT: usize = 1024;
/// `kBoostImagePriorityImageCount`'s default.
const BOOSTED_IMAGES: usize = 5;

/// The scheduler of one page load.
#[derive(Debug)]
pub struct LoadScheduler {
    /// Until `<body>` is inserted.
    tight: bool,
    /// Throttleable requests granted and not yet finished, and how many are `kMedium`.
    running: usize,
    running_medium: usize,
    /// Per asset: its priority while it runs (released when its response arrives).
    granted: Vec<Option<LoadPriority>>,
    /// Waiting: highest priority first, then in the order asked.
    pending: BTreeSet<(Reverse<LoadPriority>, u32, AssetId)>,
    asked: u32,
    /// Images given `kMedium` so far.
    boosted: usize,
}

impl LoadScheduler {
    pub fn new(assets: usize) -> LoadScheduler {
        LoadScheduler {
            tight: true,
            running: 0,
            running_medium: 0,
            granted: vec![None; assets],
            pending: BTreeSet::new(),
            asked: 0,
            boosted: 0,
        }
    }

    /// Whether requests of `kind` go through the scheduler at all (`IsThrottlableRequestContext`:
    /// `fetch()` does not; the document is never scheduled).
    pub fn throttleable(kind: AssetKind) -> bool {
        !matches!(kind, AssetKind::Html | AssetKind::Json)
    }

    /// The priority Blink gives the next request of `kind` (counting boosted images).
    fn priority(&mut self, kind: AssetKind) -> LoadPriority {
        match kind {
            AssetKind::Html | AssetKind::Css | AssetKind::Font => LoadPriority::VeryHigh,
            AssetKind::Js | AssetKind::Json => LoadPriority::High,
            AssetKind::Image if self.boosted < BOOSTED_IMAGES => {
                self.boosted += 1;
                LoadPriority::Medium
            }
            AssetKind::Image => LoadPriority::Low,
        }
    }

    /// The renderer asks to load `id` (of `kind`, throttleable): true if it may go out now;
    /// otherwise it waits and a later [`LoadScheduler::release`] or
    /// [`LoadScheduler::loosen`] hands it out.
    pub fn request(&mut self, id: AssetId, kind: AssetKind) -> bool {
        let priority = self.priority(kind);
        self.asked += 1;
        self.pending.insert((Reverse(priority), self.asked, id));
        // `Request` → `MaybeRun`: what it grants now is this one or nothing, since anything
        // waiting before it was refused and nothing has changed since.
        let mut granted = None;
        self.run(&mut |g| granted = Some(g));
        debug_assert!(granted.is_none_or(|g| g == id));
        granted == Some(id)
    }

    /// The response of `id` has arrived: it stops counting. Adds what may now go out to
    /// `granted`.
    pub fn release(&mut self, id: AssetId, granted: &mut Vec<AssetId>) {
        let Some(priority) = self.granted.get_mut(id.0 as usize).and_then(Option::take) else {
            return;
        };
        self.running -= 1;
        if priority == LoadPriority::Medium {
            self.running_medium -= 1;
        }
        self.run(&mut |g| granted.push(g));
    }

    /// The parser inserted `<body>`: normal mode (`LoosenThrottlingPolicy`). Adds what may
    /// now go out to `granted`.
    pub fn loosen(&mut self, granted: &mut Vec<AssetId>) {
        if self.tight {
            self.tight = false;
            self.run(&mut |g| granted.push(g));
        }
    }

    pub fn tight(&self) -> bool {
        self.tight
    }

    /// `MaybeRun`: grants the head of the queue while `GetNextPendingRequest` allows it.
    fn run(&mut self, grant: &mut impl FnMut(AssetId)) {
        while let Some(&(Reverse(priority), n, id)) = self.pending.first() {
            if !self.may_run(priority) {
                break;
            }
            self.pending.remove(&(Reverse(priority), n, id));
            self.running += 1;
            if priority == LoadPriority::Medium {
                self.running_medium += 1;
            }
            self.granted[id.0 as usize] = Some(priority);
            grant(id);
        }
    }

    /// `GetOutstandingLimit` and `IsRunningThrottleableRequestsLessThanOutStandingLimit`.
    fn may_run(&self, priority: LoadPriority) -> bool {
        if priority == LoadPriority::Medium && self.running_medium < TIGHT_MEDIUM_LIMIT {
            return true;
        }
        let limit = if self.tight && priority < LoadPriority::High {
            TIGHT_LIMIT
        } else {
            NORMAL_LIMIT
        };
        self.running < limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What releasing `id` lets go out.
    fn release(s: &mut LoadScheduler, id: u32) -> Vec<u32> {
        let mut out = Vec::new();
        s.release(AssetId(id), &mut out);
        out.into_iter().map(|g| g.0).collect()
    }

    #[test]
    fn tight_mode_holds_low_priority_requests_behind_two_running() {
        let mut s = LoadScheduler::new(20);
        // Two stylesheets and three scripts: kVeryHigh and kHigh run at once.
        for i in 1..=2 {
            assert!(s.request(AssetId(i), AssetKind::Css));
        }
        for i in 3..=5 {
            assert!(s.request(AssetId(i), AssetKind::Js));
        }
        // The first five images are kMedium: two may run beside everything else.
        assert!(s.request(AssetId(6), AssetKind::Image));
        assert!(s.request(AssetId(7), AssetKind::Image));
        for i in 8..=12 {
            assert!(!s.request(AssetId(i), AssetKind::Image), "image {i} waits");
        }
        // A medium image finishing lets the next medium one (of the boosted five) run.
        assert_eq!(release(&mut s, 6), [8]);
        // A script finishing changes nothing: seven are still running, far over two.
        assert!(release(&mut s, 3).is_empty());
        // <body>: everything waiting goes, highest priority first, then in order.
        let mut out = Vec::new();
        s.loosen(&mut out);
        assert_eq!(out, [9, 10, 11, 12].map(AssetId));
        // Normal mode: a new image runs at once; fetch() is never throttled.
        assert!(s.request(AssetId(13), AssetKind::Image));
        assert!(!LoadScheduler::throttleable(AssetKind::Json));
        assert!(!LoadScheduler::throttleable(AssetKind::Html));
    }

    #[test]
    fn tight_mode_lets_low_requests_run_when_under_two_are_running() {
        let mut s = LoadScheduler::new(20);
        // Five boosted images first (two run as kMedium, three wait), then low ones.
        let first: Vec<bool> = (1..=7)
            .map(|i| s.request(AssetId(i), AssetKind::Image))
            .collect();
        assert_eq!(first, [true, true, false, false, false, false, false]);
        // One of the two finishes: the waiting kMedium head runs (medium count 1 < 2).
        assert_eq!(release(&mut s, 1), [3]);
        assert_eq!(release(&mut s, 2), [4]);
        assert_eq!(release(&mut s, 3), [5]);
        // Now one medium runs; the low image 6 needs fewer than two running in all.
        assert!(release(&mut s, 99).is_empty());
        assert_eq!(release(&mut s, 4), [6]);
        assert!(s.tight());
    }
}
