//! The browser, the same in every lane: what it finds when, what it takes from its cache or
//! from a push, what it asks the network for, and the page-level figures it reaches.
//!
//! - Discovery: an asset is found once `offset` bytes of its parent's body have arrived (the
//!   preload scanner reads markup as it streams in; a reference at or past the end is found
//!   when the parent completes), or, for a child found by parsing or running its parent
//!   ([`crate::page::Discovery::parsed`]: a font named in CSS, a `fetch()` made by a
//!   script), once the parent has arrived and been parsed or run ([`metrics::parsed_at`]).
//! - A fresh cached asset (a warm visit, [`metrics::cached`]) is complete the moment it is
//!   found, with no request; its children are found as if it had just arrived. Cache hits
//!   are taken one after another from a queue, so a chain of them is walked without
//!   recursion.
//! - A pushed asset (RFC 9113 §8.4) is not requested: it is complete at its discovery if the
//!   push has arrived, else when it does; a push of something cached or already requested
//!   is refused (§8.4.2).
//! - Requests follow Chrome's priorities ([`priority::chrome_priority`]), and go out when
//!   Blink's scheduler lets them ([`schedule`]): until the parser inserts `<body>` (the
//!   head's stylesheets and synchronous scripts parsed and run, in document order), a
//!   low-priority request waits while two others are running.
//! - [`metrics`]: parse and run costs, render blocking, first paint, DOMContentLoaded, round
//!   trips.
//!
//! Owns the per-asset page state ([`AssetState`]). May import the scenario data, the trace's
//! types and [`crate::http`]'s plain types; the lanes drive it through [`Net`], which is
//! how each lane reaches its network.

pub mod metrics;
pub mod priority;
pub mod schedule;

use std::collections::{BTreeMap, VecDeque};

use crate::ids::{AssetId, ConnId};
use crate::page::{AssetKind, Page};
use crate::scenario::Scenario;
use crate::time::SimTime;
use crate::trace::{EventKind, Source};

/// A push the client was promised (RFC 9113 §8.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The whole response had arrived at this time.
    pub done: Option<SimTime>,
    /// The client refused it with RST_STREAM (the asset is cached or was requested).
    pub reset: bool,
}

/// What the browser knows of one asset.
#[derive(Clone, Debug, Default)]
pub struct AssetState {
    pub discovered: Option<SimTime>,
    /// How the browser came by it.
    pub source: Source,
    /// The first byte of its response arrived (the cache: it was found).
    pub first_byte: Option<SimTime>,
    pub last_byte: Option<SimTime>,
    /// Body bytes delivered.
    pub got: u64,
    /// Offset children found so far.
    revealed: usize,
    pub pushed: Option<Pushed>,
}

/// How a lane reaches its network and its trace, for what the browser decides.
pub trait Net {
    /// Records what happened (the browser's discoveries and completions).
    fn log(&mut self, at: SimTime, kind: EventKind);
    /// `id` (found at `now`) must be fetched: queue its request.
    fn fetch(&mut self, now: SimTime, id: AssetId);
    /// The browser's scheduler held `id`'s request back from `from` until `to`
    /// ([`schedule`]): a stall of the asset, [`crate::trace::BlockedCause::Scheduler`].
    fn held(&mut self, id: AssetId, from: SimTime, to: SimTime);
    /// Call [`Browser::tick`] at `at` (the parser reaches `<body>` then).
    fn wake_at(&mut self, at: SimTime);
    /// `children` of `parent` (which arrived over connection `conn`, `None`: from the cache)
    /// are found once it is parsed or run, at `at`. Returns true to have the browser find
    /// them now (the lane handles them at once when `at` is now), false when the lane will
    /// call [`Browser::discover`] for them at `at`.
    fn parse_at(
        &mut self,
        now: SimTime,
        at: SimTime,
        children: &[AssetId],
        parent: AssetId,
        conn: Option<ConnId>,
    ) -> bool;
}

/// The browser of one lane.
pub struct Browser<'a> {
    pub scenario: &'a Scenario,
    pub page: &'a Page,
    pub assets: Vec<AssetState>,
    /// For each asset, the assets it reveals, by ascending offset.
    children: Vec<Vec<(u64, AssetId)>>,
    /// For each asset, the assets found once it is complete and parsed or run.
    parsed_children: Vec<Vec<AssetId>>,
    /// Cache hits found and not yet taken from the cache.
    hits: VecDeque<AssetId>,
    draining: bool,
    /// Assets complete so far.
    pub complete: usize,
    /// Asset by URL path (the first with that path).
    paths: BTreeMap<&'a str, AssetId>,
    /// When requests may go out ([`schedule`]).
    scheduler: schedule::LoadScheduler,
    /// What the parser must have parsed or run before it inserts `<body>`: the head's
    /// render-blocking assets in document order, up to its last synchronous script (a
    /// stylesheet after it does not hold the parser).
    head: Vec<AssetId>,
    /// When the parser inserts `<body>`, once known.
    body_at: Option<SimTime>,
    /// Reused for the requests the scheduler lets go at once.
    granted: Vec<AssetId>,
}

impl<'a> Browser<'a> {
    pub fn new(scenario: &'a Scenario) -> Browser<'a> {
        let page = &scenario.page;
        let metrics::Reveals { by_offset, parsed } = metrics::reveals(page);
        Browser {
            scenario,
            page,
            assets: vec![AssetState::default(); page.assets.len()],
            children: by_offset,
            parsed_children: parsed,
            hits: VecDeque::new(),
            draining: false,
            complete: 0,
            paths: page.by_path(),
            scheduler: schedule::LoadScheduler::new(page.assets.len()),
            head: head(page),
            body_at: None,
            granted: Vec::new(),
        }
    }

    /// The first byte of `id`'s response arrived (once: later heads change nothing).
    pub fn first_byte(&mut self, now: SimTime, id: AssetId, net: &mut impl Net) {
        let st = self.asset(id);
        if st.first_byte.is_none() {
            st.first_byte = Some(now);
            net.log(now, EventKind::FirstByte { asset: id });
            if id == AssetId(0) {
                self.insert_body(now, net);
            }
        }
    }

    /// Time has come to `now` for what the browser asked [`Net::wake_at`] for: the parser
    /// inserts `<body>` if it is due.
    pub fn tick(&mut self, now: SimTime, net: &mut impl Net) {
        if self.body_at.is_some_and(|at| at <= now) && self.scheduler.tight() {
            self.scheduler.loosen(&mut self.granted);
            self.send_granted(now, net);
        }
    }

    /// Once the head's blocking chain is known (the HTML's first byte and every asset of
    /// `head` arrived), when the parser inserts `<body>`: each is parsed or run once it has
    /// arrived and the one before it is done, as [`metrics::first_paint`] counts them.
    fn insert_body(&mut self, now: SimTime, net: &mut impl Net) {
        if self.body_at.is_some() {
            return;
        }
        let Some(start) = self.assets[0].first_byte else {
            return;
        };
        let mut t = start;
        for &id in &self.head {
            let Some(arrived) = self.assets[id.0 as usize].last_byte else {
                return;
            };
            t = t.max(arrived) + metrics::cost(&self.scenario.browser, self.page.asset(id));
        }
        self.body_at = Some(t);
        if t <= now {
            self.tick(now, net);
        } else {
            net.wake_at(t);
        }
    }

    /// Asks the scheduler to let `id`'s request out (found at `now`; a preload a 103 named is
    /// fetched by the browser process, and `fetch()` is never throttled): out now, or once a
    /// running request finishes or `<body>` is inserted.
    fn request(&mut self, now: SimTime, id: AssetId, source: Source, net: &mut impl Net) {
        let kind = self.page.asset(id).kind;
        if source == Source::EarlyHint
            || !schedule::LoadScheduler::throttleable(kind)
            || self.scheduler.request(id, kind)
        {
            net.fetch(now, id);
        }
    }

    /// Fetches the requests the scheduler has just let go (`granted`, emptied), each held
    /// since it was found.
    fn send_granted(&mut self, now: SimTime, net: &mut impl Net) {
        for &id in &self.granted {
            if let Some(found) = self.assets[id.0 as usize].discovered.filter(|&f| f < now) {
                net.held(id, found, now);
            }
            net.fetch(now, id);
        }
        self.granted.clear();
    }

    /// An interim response arrived on `by`'s request: each preload a `103 Early Hints` names
    /// (RFC 8297 §2: the client may fetch them at once) is found now.
    pub fn hints(
        &mut self,
        now: SimTime,
        status: u16,
        fields: &[(String, String)],
        by: AssetId,
        net: &mut impl Net,
    ) {
        let hinted: Vec<AssetId> = crate::http::early_hints::preloads(status, fields)
            .filter_map(|p| self.paths.get(p).copied())
            .collect();
        for id in hinted {
            self.discover(now, id, Some(by), Source::EarlyHint, net);
        }
    }

    pub fn asset(&mut self, id: AssetId) -> &mut AssetState {
        &mut self.assets[id.0 as usize]
    }

    pub fn state(&self, id: AssetId) -> &AssetState {
        &self.assets[id.0 as usize]
    }

    /// Every asset has arrived.
    pub fn done(&self) -> bool {
        self.complete == self.page.assets.len()
    }

    /// The browser finds `id` at `now` (referenced by `by`; `source` says how: a request, or
    /// a 103 preload). Cached: complete at once. Pushed: taken from the push. Otherwise
    /// fetched.
    pub fn discover(
        &mut self,
        now: SimTime,
        id: AssetId,
        by: Option<AssetId>,
        source: Source,
        net: &mut impl Net,
    ) {
        let st = self.asset(id);
        if st.discovered.is_some() {
            return;
        }
        st.discovered = Some(now);
        st.source = source;
        net.log(now, EventKind::Discovered { asset: id, by });
        if metrics::cached(self.scenario, id) {
            self.hits.push_back(id);
            if !self.draining {
                self.draining = true;
                while let Some(hit) = self.hits.pop_front() {
                    let st = self.asset(hit);
                    st.source = Source::Cache;
                    st.first_byte = Some(now);
                    self.complete(now, hit, None, net);
                }
                self.draining = false;
            }
            return;
        }
        if self.take_push(now, id, net) {
            return;
        }
        self.request(now, id, source, net);
    }

    /// Discovery of a pushed asset (RFC 9113 §8.4): the browser does not request it; it is
    /// complete now if the push has arrived, else when it does. Returns whether it was.
    fn take_push(&mut self, now: SimTime, id: AssetId, net: &mut impl Net) -> bool {
        let st = self.asset(id);
        let Some(p) = st.pushed else {
            return false;
        };
        if p.reset {
            return false;
        }
        st.source = Source::Push;
        if p.done.is_some() {
            self.complete(now, id, None, net);
        } else {
            let got = st.got;
            self.reveal(now, id, got, net);
        }
        true
    }

    /// A PUSH_PROMISE of `id` arrived: accepted unless it is cached or already found (RFC
    /// 9113 §8.4.2: then refused with RST_STREAM CANCEL). Returns whether it is refused.
    pub fn promised(&mut self, id: AssetId) -> bool {
        let cached = metrics::cached(self.scenario, id);
        let st = self.asset(id);
        let refuse = cached || st.discovered.is_some();
        st.pushed = Some(Pushed {
            done: None,
            reset: refuse,
        });
        refuse
    }

    /// A push the client refused: its frames are dropped on arrival.
    pub fn refused(&self, id: AssetId) -> bool {
        self.state(id).pushed.is_some_and(|p| p.reset)
    }

    /// `len` more body bytes of `id` arrived: children referenced within them are found.
    pub fn body(&mut self, now: SimTime, id: AssetId, len: u64, net: &mut impl Net) {
        let st = self.asset(id);
        st.got += len;
        let got = st.got;
        if st.discovered.is_some() {
            self.reveal(now, id, got, net);
        }
    }

    /// The whole response of `id` arrived over `conn`: complete, unless it was pushed and
    /// the browser has not found its reference yet (it completes when it does).
    pub fn arrived(&mut self, now: SimTime, id: AssetId, conn: ConnId, net: &mut impl Net) {
        let st = self.asset(id);
        if let Some(p) = &mut st.pushed {
            if st.discovered.is_none() {
                p.done = Some(now);
                return;
            }
        }
        self.complete(now, id, Some(conn), net);
    }

    /// Finds the children of `id` whose reference lies within its first `body` bytes.
    fn reveal(&mut self, now: SimTime, id: AssetId, body: u64, net: &mut impl Net) {
        loop {
            let next = self.assets[id.0 as usize].revealed;
            let Some(&(off, child)) = self.children[id.0 as usize].get(next) else {
                break;
            };
            if off > body {
                break;
            }
            self.asset(id).revealed += 1;
            self.discover(now, child, Some(id), Source::Request, net);
        }
    }

    /// `id` is complete (over `conn`; `None`: from the cache or a push): its remaining offset
    /// children are found now, its parsed children once it is parsed or run.
    fn complete(&mut self, now: SimTime, id: AssetId, conn: Option<ConnId>, net: &mut impl Net) {
        if self.asset(id).last_byte.is_some() {
            return;
        }
        self.asset(id).last_byte = Some(now);
        self.complete += 1;
        net.log(now, EventKind::Complete { asset: id });
        self.scheduler.release(id, &mut self.granted);
        self.send_granted(now, net);
        if self.head.contains(&id) {
            self.insert_body(now, net);
        }
        self.reveal(now, id, u64::MAX, net);
        let parsed = std::mem::take(&mut self.parsed_children[id.0 as usize]);
        if !parsed.is_empty() {
            let at = metrics::parsed_at(&self.scenario.browser, self.page.asset(id), now);
            if net.parse_at(now, at, &parsed, id, conn) {
                for child in parsed {
                    self.discover(now, child, Some(id), Source::Request, net);
                }
            }
        }
    }
}

/// The head's render-blocking assets the HTML references, in document order, up to the last
/// synchronous script: what the parser waits for before it inserts `<body>` (HTML §4.2.6: a
/// script waits for the stylesheets before it; the parser waits for the script).
fn head(page: &Page) -> Vec<AssetId> {
    let mut ids: Vec<AssetId> = metrics::blocking(page)
        .filter(|&id| page.asset(id).discovered_by.is_some_and(|d| !d.parsed))
        .collect();
    let last_script = ids
        .iter()
        .rposition(|&id| page.asset(id).kind == AssetKind::Js);
    ids.truncate(last_script.map_or(0, |i| i + 1));
    ids
}
