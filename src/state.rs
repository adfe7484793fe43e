//! The app's one state, changed only through [`Action`]s by the one reducer. It never runs
//! the engine: it holds the scenario the controls show (the web worker is asked for it by
//! [`crate::app`]) and the last run the engine finished, and it takes the engine's answers
//! as actions like any other.
//!
//! Past 600 lines: the app's one reducer, as Yew's examples keep it, every [`Action`] with
//! what it changes; the classroom's own actions are in [`crate::classroom`].

use std::collections::BTreeSet;
use std::rc::Rc;

use protoviz_engine::link::LossModel;
use protoviz_engine::options::{Cache, SchedulerKind, TlsRecords};
use protoviz_engine::trace::Trace;
use protoviz_engine::verdict::{self, Outcome, Verdict};
use protoviz_engine::{url, AssetId, Page, PresetId, Protocol, Scenario, SimDuration};
use yew::Reducible;

use crate::classroom::{self, ClassAction, Classroom};
use crate::model::{self, LaneModel, RowSpec};

/// Bandwidth slider stops, in bit/s (log-spaced, as access links are).
pub const BANDWIDTH_STEPS: [u64; 10] = [
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
    50_000_000,
    100_000_000,
    200_000_000,
    1_000_000_000,
];
/// Loss slider stops, in parts per million of packets, each direction (0 to 5 %; the model
/// accepts up to 50 %, but beyond a few per cent a page takes minutes and teaches nothing new).
pub const LOSS_STEPS_PPM: [u32; 7] = [0, 2_500, 5_000, 10_000, 20_000, 30_000, 50_000];
/// RTT slider range, milliseconds (a link's value beyond it stretches the slider).
pub const RTT_MIN_MS: u64 = 5;
pub const RTT_MAX_MS: u64 = 600;
/// HTTP/1.1 connections-per-host control range (the model accepts up to 32; browsers use 6).
pub const H1_CONNECTIONS_MIN: u32 = 1;
pub const H1_CONNECTIONS_MAX: u32 = 8;
/// Real milliseconds the playhead takes to sweep the whole timeline.
pub const SWEEP_MS: f64 = 6_000.0;

/// `steps` with `value` among them (in order), so a slider can step exactly to a link's
/// value that is not one of its stops.
pub fn steps_with<T: Copy + Ord>(steps: &[T], value: T) -> Vec<T> {
    let mut v = steps.to_vec();
    if !v.contains(&value) {
        v.push(value);
        v.sort();
    }
    v
}

/// A cheap handle compared by pointer: a new trace is a new allocation, so props change
/// exactly when the engine ran again.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Shared<T> {
    pub fn new(t: T) -> Self {
        Shared(Rc::new(t))
    }
}
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}
impl<T> PartialEq for Shared<T> {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}
impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// One finished run of the engine: the trace (held once) and what is worked out from it.
#[derive(Debug)]
pub struct Run {
    pub trace: Rc<Trace>,
    pub outcome: Outcome,
    pub rows: Vec<RowSpec>,
    pub lanes: Vec<Shared<LaneModel>>,
    /// The end of the time axis (µs): the slowest finished lane's load plus a margin.
    pub end_us: u64,
    /// The scenario string of the run (the page's hooks say which scenario is on screen).
    pub link: String,
}

impl Run {
    pub fn new(trace: Rc<Trace>) -> Run {
        let lanes: Vec<Shared<LaneModel>> = trace
            .lanes
            .iter()
            .map(|l| Shared::new(LaneModel::of(l)))
            .collect();
        let slowest = lanes.iter().filter_map(|l| l.load_us()).max();
        // No lane finished: the axis runs to the last thing that happened.
        let slowest = slowest.unwrap_or_else(|| {
            trace
                .lanes
                .iter()
                .filter_map(|l| l.events.last())
                .map(|e| e.at.as_micros())
                .max()
                .unwrap_or(0)
        });
        Run {
            outcome: Outcome::of(&trace),
            rows: model::rows(&trace.scenario.page),
            lanes,
            end_us: (slowest + slowest / 25).max(1_000),
            link: url::encode(&trace.scenario),
            trace,
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.trace.scenario
    }
}

/// Where the scenario on screen came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The location hash (the page was opened with it, or it changed): it stays as given.
    Link,
    /// A control: the hash is rewritten to name the new scenario.
    Control,
}

/// An asset picked for the detail panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    pub protocol: Protocol,
    pub asset: AssetId,
}

/// The seeds' outcomes gathered for the median verdict of one scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeedRuns {
    pub scenario: Option<Rc<Scenario>>,
    pub outcomes: Vec<Option<Outcome>>,
}

impl SeedRuns {
    pub fn done(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_some()).count()
    }
    pub fn complete(&self) -> Option<Vec<Outcome>> {
        if self.outcomes.is_empty() {
            return None;
        }
        self.outcomes.iter().cloned().collect()
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    /// The scenario the controls show and the engine is asked for.
    pub scenario: Rc<Scenario>,
    pub origin: Origin,
    /// The location hash last read, and what was wrong with it (each bad key named);
    /// cleared once a control makes the scenario one the hash names again.
    pub link_text: String,
    pub link_errors: Vec<String>,
    /// The last run the engine finished (on screen, also while the next one computes).
    pub run: Option<Shared<Run>>,
    pub seeds: SeedRuns,
    pub verdict: Option<Shared<Verdict>>,
    /// The engine refused the scenario on screen (the previous run stays).
    pub engine_error: Option<(Rc<Scenario>, String)>,
    /// The engine's worker stopped on a bug.
    pub crash: Option<String>,
    /// Microseconds of simulated time shown.
    pub playhead_us: u64,
    pub playing: bool,
    /// The replay starts from the beginning when the next run arrives (a new page).
    pub restart_on_arrival: bool,
    /// Group rows opened, by key.
    pub expanded: Shared<BTreeSet<String>>,
    pub selected: Option<Selection>,
    /// The lost packet whose "why did this wait?" panel is open.
    pub lost: Option<PacketPick>,
    /// The connection (and frame) the frame inspector shows.
    pub inspector: Option<InspectorPick>,
    /// The time range the axis is zoomed to, µs (`None`: the whole run).
    pub zoom: Option<(u64, u64)>,
    /// The "decode your own" panel is open.
    pub decode_open: bool,
    /// The connection tracks and packet strips are open (in every lane at once, so the
    /// lanes stay side by side).
    pub wire_open: bool,
    /// How it is shown: layout, lesson, theme, speed, loop; panels; the winner map.
    pub class: Classroom,
}

/// A lost packet picked in a packet strip: its lane, and its direction and ordinal on the
/// link (every lane's n-th packet in a direction has the same luck).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketPick {
    pub protocol: Protocol,
    pub dir: protoviz_engine::trace::Direction,
    pub ordinal: u64,
}

/// What the frame inspector shows: a lane's connection, and the event (a frame or, on
/// HTTP/3, a packet) picked in it, by its index in the lane's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InspectorPick {
    pub protocol: Protocol,
    pub conn: protoviz_engine::ConnId,
    pub event: Option<usize>,
    /// Only this asset's frames (or, on HTTP/3, the packets carrying its bytes).
    pub asset: Option<AssetId>,
}

#[derive(Clone, Debug)]
pub enum Action {
    SetRttMs(u64),
    /// Downlink bit/s (the uplink gets half, at least 250 kbit/s).
    SetBandwidth(u64),
    /// Loss each way, parts per million (0: none).
    SetLoss(u32),
    SetPreset(PresetId),
    SetCache(Cache),
    SetScheduler(SchedulerKind),
    SetEarlyHints(bool),
    SetTlsRecords(TlsRecords),
    SetZeroRtt(bool),
    /// HTTP/1.1 connections per host, clamped to the control's range.
    SetH1Connections(u32),
    /// Draw the losses anew: the next seed.
    NewLuck,
    /// The location hash is now this (start-up, `hashchange`, back/forward).
    HashChanged(String),
    /// The engine finished a run.
    TraceArrived(Rc<Trace>),
    /// One seed of the median batch of `scenario`.
    SeedRun {
        scenario: Rc<Scenario>,
        index: u32,
        total: u32,
        outcome: Outcome,
    },
    EngineFailed {
        scenario: Rc<Scenario>,
        error: String,
    },
    EngineCrashed(String),
    /// Real milliseconds elapsed since the previous animation frame.
    Tick(f64),
    Play,
    Pause,
    Restart,
    /// Jump to a fraction (0..=1) of the timeline.
    Seek(f64),
    ToggleGroup(String),
    Select(Option<Selection>),
    /// Open (or close) the "why did this wait?" panel of a lost packet.
    PickPacket(Option<PacketPick>),
    /// Open (or close) the frame inspector.
    Inspect(Option<InspectorPick>),
    /// Zoom the time axis to [from, to) µs; `None` shows the whole run.
    Zoom(Option<(u64, u64)>),
    /// Open or close the "decode your own" panel.
    ShowDecode(bool),
    /// Show or hide every lane's connection track and packet strip.
    ShowWire(bool),
    /// The asset editor, or an imported HAR or JSON file: this whole scenario (applied
    /// only when it is valid, like every control; the hash names it).
    SetScenario(Box<Scenario>),
    /// The classroom's (see [`crate::classroom`]).
    Class(ClassAction),
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new(Scenario::preset(PresetId::Blog))
    }
}

impl AppState {
    pub fn new(scenario: Scenario) -> AppState {
        AppState {
            scenario: Rc::new(scenario),
            origin: Origin::Link,
            link_text: String::new(),
            link_errors: Vec::new(),
            run: None,
            seeds: SeedRuns::default(),
            verdict: None,
            engine_error: None,
            crash: None,
            playhead_us: 0,
            playing: true,
            restart_on_arrival: true,
            expanded: Shared::new(BTreeSet::new()),
            selected: None,
            lost: None,
            inspector: None,
            zoom: None,
            decode_open: false,
            wire_open: false,
            class: Classroom::default(),
        }
    }

    /// The state a page opened with `hash` (`location.hash`, with or without its `#`)
    /// starts in: every good key of it applies, each bad one is named.
    pub fn from_hash(hash: &str) -> AppState {
        let mut s = AppState::default();
        s.read_link(hash);
        classroom::read_view(&mut s, hash);
        s
    }

    fn read_link(&mut self, hash: &str) {
        let text = hash.strip_prefix('#').unwrap_or(hash);
        self.link_text = text.to_string();
        self.origin = Origin::Link;
        if text.is_empty() {
            self.link_errors.clear();
            self.set_scenario(Scenario::preset(PresetId::Blog));
            return;
        }
        let read = url::decode_lenient(text);
        self.link_errors = read.errors.iter().map(ToString::to_string).collect();
        self.set_scenario(read.scenario);
    }

    fn set_scenario(&mut self, s: Scenario) {
        if *self.scenario != s {
            if s.page != self.scenario.page {
                self.restart_on_arrival = true;
                self.expanded = Shared::new(BTreeSet::new());
                self.selected = None;
                self.lost = None;
                self.inspector = None;
                self.zoom = None;
            }
            self.scenario = Rc::new(s);
        }
    }

    /// A control changed the scenario: the hash will name it, and the link's errors go.
    fn control(&mut self, f: impl FnOnce(&mut Scenario)) {
        let mut s = (*self.scenario).clone();
        f(&mut s);
        if s.validate().is_ok() {
            self.origin = Origin::Control;
            self.link_errors.clear();
            self.link_text = url::encode(&s);
            self.set_scenario(s);
        }
    }

    /// The location hash for the current scenario (with its `#`).
    pub fn hash(&self) -> String {
        format!(
            "#{}",
            classroom::hash_text(&self.scenario, &classroom::view_now(self))
        )
    }

    /// The engine is working on the scenario the controls show (the run on screen is an
    /// earlier one).
    pub fn busy(&self) -> bool {
        let shown = self.run.as_ref().map(|r| r.scenario());
        shown != Some(&*self.scenario)
            && !matches!(&self.engine_error, Some((s, _)) if *s == self.scenario)
    }

    /// Median seeds done and wanted, while the verdict is one seed's.
    pub fn seed_progress(&self) -> Option<(usize, usize)> {
        let v = self.verdict.as_ref()?;
        match v.basis {
            verdict::Basis::ThisSeed { .. } if !self.seeds.outcomes.is_empty() => {
                Some((self.seeds.done(), self.seeds.outcomes.len()))
            }
            verdict::Basis::ThisSeed { .. } => Some((0, verdict::SEEDS as usize)),
            _ => None,
        }
    }

    pub fn end_us(&self) -> u64 {
        self.run.as_ref().map_or(1_000, |r| r.end_us)
    }

    pub fn finished(&self) -> bool {
        self.playhead_us >= self.end_us()
    }

    fn update_verdict(&mut self) {
        let Some(run) = &self.run else {
            self.verdict = None;
            return;
        };
        let seeds = match &self.seeds.scenario {
            Some(s) if **s == *run.scenario() => self.seeds.complete(),
            _ => None,
        };
        self.verdict = Some(Shared::new(verdict::verdict(
            run.scenario(),
            &run.outcome,
            seeds.as_deref(),
        )));
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // Most frames are ticks: handled without copying anything but two numbers.
        if let Action::Tick(real_ms) = action {
            if !self.playing || self.run.is_none() {
                return self;
            }
            let mut s = (*self).clone();
            (s.playhead_us, s.playing) = classroom::advance(&s, real_ms, SWEEP_MS);
            return Rc::new(s);
        }
        let mut s = (*self).clone();
        match action {
            Action::Tick(_) => {}
            Action::SetRttMs(ms) => s.control(|sc| {
                let min = protoviz_engine::Network::MIN_RTT.as_micros() / 1_000;
                let max = protoviz_engine::Network::MAX_RTT.as_micros() / 1_000;
                sc.network.rtt = SimDuration::from_millis(ms.clamp(min.max(1), max));
            }),
            Action::SetBandwidth(bps) => s.control(|sc| {
                sc.network.downlink_bps = bps;
                sc.network.uplink_bps = (bps / 2).max(250_000);
            }),
            Action::SetLoss(ppm) => s.control(|sc| {
                sc.network.loss = match (&sc.network.loss, ppm) {
                    (_, 0) => LossModel::None,
                    (LossModel::Bursty { mean_burst, .. }, ppm) => LossModel::Bursty {
                        ppm,
                        mean_burst: *mean_burst,
                    },
                    (_, ppm) => LossModel::Random { ppm },
                }
            }),
            Action::SetPreset(id) => s.control(|sc| sc.page = Page::preset(id)),
            Action::SetCache(c) => s.control(|sc| sc.browser.cache = c),
            Action::SetScheduler(k) => s.control(|sc| sc.server.scheduler = k),
            Action::SetEarlyHints(on) => s.control(|sc| sc.server.early_hints = on),
            Action::SetTlsRecords(r) => s.control(|sc| sc.server.tls_records = r),
            Action::SetZeroRtt(on) => s.control(|sc| sc.http3.zero_rtt = on),
            Action::SetH1Connections(n) => s.control(|sc| {
                sc.http1.connections = n.clamp(H1_CONNECTIONS_MIN, H1_CONNECTIONS_MAX)
            }),
            Action::NewLuck => s.control(|sc| sc.network.seed = sc.network.seed.wrapping_add(1)),
            Action::HashChanged(hash) => {
                let text = hash.strip_prefix('#').unwrap_or(&hash);
                // Our own rewrite, or the same link again: nothing to do.
                if text == s.link_text || format!("#{text}") == s.hash() {
                    return self;
                }
                let before = s.scenario.clone();
                s.read_link(&hash);
                classroom::read_view(&mut s, &hash);
                if s.scenario != before {
                    s.restart_on_arrival = true;
                } else {
                    classroom::apply_pending(&mut s);
                }
            }
            Action::TraceArrived(trace) => {
                let at_end = s.run.is_some() && s.finished();
                let run = Run::new(trace);
                if s.seeds.scenario.as_deref() != Some(run.scenario()) {
                    s.seeds = SeedRuns::default();
                }
                if matches!(&s.engine_error, Some((sc, _)) if **sc == *run.scenario()) {
                    s.engine_error = None;
                }
                s.run = Some(Shared::new(run));
                s.crash = None;
                if s.restart_on_arrival {
                    s.restart_on_arrival = false;
                    s.playhead_us = 0;
                    s.playing = s.class.autoplay;
                } else if at_end {
                    s.playhead_us = s.end_us();
                } else {
                    s.playhead_us = s.playhead_us.min(s.end_us());
                }
                classroom::apply_pending(&mut s);
                s.update_verdict();
            }
            Action::SeedRun {
                scenario,
                index,
                total,
                outcome,
            } => {
                if s.seeds.scenario.as_ref() != Some(&scenario) {
                    s.seeds = SeedRuns {
                        scenario: Some(scenario),
                        outcomes: vec![None; total as usize],
                    };
                }
                if let Some(slot) = s.seeds.outcomes.get_mut(index as usize) {
                    *slot = Some(outcome);
                }
                s.update_verdict();
            }
            Action::EngineFailed { scenario, error } => {
                s.engine_error = Some((scenario, error));
            }
            Action::EngineCrashed(message) => s.crash = Some(message),
            Action::Play => {
                if s.finished() {
                    s.playhead_us = 0;
                }
                s.playing = true;
                classroom::unpin(&mut s);
            }
            Action::Pause => {
                s.playing = false;
                (s.class.pinned, s.class.touched) = (true, true);
            }
            Action::Restart => {
                s.playhead_us = 0;
                s.playing = true;
                classroom::unpin(&mut s);
            }
            Action::Seek(f) => {
                let f = if f.is_finite() {
                    f.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                s.playhead_us = (f * s.end_us() as f64) as u64;
                s.playing = false;
                (s.class.pinned, s.class.touched) = (true, true);
            }
            Action::ToggleGroup(key) => {
                let mut set = (*s.expanded).clone();
                if !set.remove(&key) {
                    set.insert(key);
                }
                s.expanded = Shared::new(set);
            }
            Action::Select(sel) => s.selected = sel,
            Action::PickPacket(p) => s.lost = p,
            Action::Inspect(i) => s.inspector = i,
            Action::Zoom(z) => {
                s.zoom = z
                    .filter(|&(a, b)| b > a)
                    .map(|(a, b)| (a, b.min(s.end_us().max(a + 1))))
            }
            Action::ShowDecode(open) => s.decode_open = open,
            Action::ShowWire(open) => s.wire_open = open,
            Action::SetScenario(sc) => s.control(|now| *now = *sc),
            Action::Class(a) => classroom::apply(&mut s, a),
        }
        Rc::new(s)
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use protoviz_engine::simulate;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn reduce(s: AppState, a: Action) -> AppState {
        (*Rc::new(s).reduce(a)).clone()
    }

    /// What the worker would answer: the scenario's trace.
    fn arrive(s: AppState) -> AppState {
        let trace = simulate(&s.scenario).unwrap();
        reduce(s, Action::TraceArrived(Rc::new(trace)))
    }

    #[test]
    fn a_control_asks_for_a_new_run_and_keeps_the_old_one_on_screen() {
        let s = arrive(AppState::default());
        assert!(!s.busy());
        let before = s.run.clone().unwrap();
        let s = reduce(s, Action::SetRttMs(300));
        assert!(s.busy(), "computing the new scenario");
        assert_eq!(s.run, Some(before), "the previous run stays on screen");
        assert_eq!(s.origin, Origin::Control);
        let s = arrive(s);
        assert!(!s.busy());
        assert_eq!(
            s.run.as_ref().unwrap().scenario().network.rtt,
            SimDuration::from_millis(300)
        );
    }

    #[test]
    fn slider_extremes_are_clamped_not_rejected() {
        let s = reduce(AppState::default(), Action::SetRttMs(0));
        assert_eq!(s.scenario.network.rtt, SimDuration::from_millis(1));
        let s = reduce(s, Action::SetH1Connections(99));
        assert_eq!(s.scenario.http1.connections, H1_CONNECTIONS_MAX);
    }

    #[test]
    fn a_link_applies_every_good_key_and_names_the_bad_one() {
        let s = AppState::from_hash("#page=tiles&rtt=50&loss=abc");
        assert_eq!(s.scenario.page.name, "tiles");
        assert_eq!(s.scenario.network.rtt, SimDuration::from_millis(50));
        assert_eq!(s.link_errors.len(), 1);
        assert!(s.link_errors[0].starts_with("loss is \"abc\"; allowed: "));
        assert_eq!(s.origin, Origin::Link);
        // A control makes the scenario valid and the link's errors go.
        let s = reduce(s, Action::SetCache(Cache::Warm));
        assert!(s.link_errors.is_empty());
        assert_eq!(s.hash(), "#page=tiles&rtt=50&cache=warm");
    }

    #[test]
    fn a_hash_change_switches_the_scenario_and_restarts_on_arrival() {
        let s = arrive(AppState::default());
        let s = reduce(s, Action::Seek(1.0));
        let s = reduce(s, Action::HashChanged("#page=tiles".into()));
        assert_eq!(s.scenario.page.name, "tiles");
        assert!(s.busy());
        let s = arrive(s);
        assert_eq!((s.playhead_us, s.playing), (0, true));
        // The same hash again changes nothing.
        let again = Rc::new(s.clone()).reduce(Action::HashChanged("#page=tiles".into()));
        assert_eq!(again.scenario, s.scenario);
    }

    #[test]
    fn under_loss_the_verdict_is_this_seeds_until_the_median_arrives() {
        let s = arrive(AppState::from_hash("#page=blog&loss=2"));
        let v = s.verdict.clone().unwrap();
        assert!(matches!(v.basis, verdict::Basis::ThisSeed { .. }));
        assert_eq!(s.seed_progress(), Some((0, 9)));
        let scenario = s.scenario.clone();
        let seeds = verdict::seeds(&scenario).unwrap();
        let mut s = s;
        for (i, seed) in seeds.iter().enumerate() {
            let mut sc = (*scenario).clone();
            sc.network.seed = *seed;
            let outcome = Outcome::of(&simulate(&sc).unwrap());
            s = reduce(
                s,
                Action::SeedRun {
                    scenario: scenario.clone(),
                    index: i as u32,
                    total: seeds.len() as u32,
                    outcome,
                },
            );
        }
        let v = s.verdict.clone().unwrap();
        assert_eq!(v.basis, verdict::Basis::Median { seeds: 9 });
        assert_eq!(*v.0, verdict::evaluate(&scenario).unwrap());
        assert_eq!(s.seed_progress(), None);
    }

    #[test]
    fn playback_runs_to_the_end_and_stops() {
        let mut s = arrive(AppState::default());
        assert!(s.playing);
        for _ in 0..1_000 {
            s = reduce(s, Action::Tick(16.7));
        }
        assert!(s.finished());
        assert!(!s.playing);
        let s = reduce(s, Action::Play);
        assert_eq!(s.playhead_us, 0);
        assert!(s.playing);
    }

    #[test]
    fn dynamic_slider_stops_include_a_links_value() {
        assert_eq!(steps_with(&[1, 5, 10], 3), vec![1, 3, 5, 10]);
        assert_eq!(steps_with(&[1, 5, 10], 5), vec![1, 5, 10]);
    }
}
