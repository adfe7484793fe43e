//! The app's one state, changed only through [`Action`]s by the reducer.

use std::rc::Rc;

use protoviz_engine::link::LossModel;
use protoviz_engine::options::{Cache, SchedulerKind};
use protoviz_engine::{simulate, url, Lane, Page, PresetId, Scenario, SimDuration, Trace};
use yew::Reducible;

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
/// Default bandwidth stop: 10 Mbit/s.
pub const DEFAULT_BANDWIDTH_STEP: usize = 4;
/// Loss slider stops, in parts per million of packets, each direction (0 to 5 %; the model
/// accepts up to 50 %, but beyond a few per cent a page takes minutes and teaches nothing new).
pub const LOSS_STEPS_PPM: [u32; 7] = [0, 2_500, 5_000, 10_000, 20_000, 30_000, 50_000];
/// RTT slider range, milliseconds.
pub const RTT_MIN_MS: u64 = 5;
pub const RTT_MAX_MS: u64 = 600;
/// HTTP/1.1 connections-per-host control range (the model accepts up to 32; browsers use 6).
pub const H1_CONNECTIONS_MIN: u32 = 1;
pub const H1_CONNECTIONS_MAX: u32 = 8;
/// Real milliseconds the playhead takes to sweep the whole timeline.
pub const SWEEP_MS: f64 = 6_000.0;

/// A cheap handle compared by pointer: a new trace is a new allocation, so props change
/// exactly when the engine ran again.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

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

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub scenario: Scenario,
    pub rtt_ms: u64,
    pub bandwidth_step: usize,
    pub loss_step: usize,
    /// The last good trace, with one shared handle per lane.
    pub trace: Option<Shared<Trace>>,
    pub lanes: Vec<Shared<Lane>>,
    /// Why the last change could not be simulated; the previous trace stays on screen.
    pub error: Option<String>,
    /// Why the location hash the page was opened with could not be read (it quotes the
    /// hash, so nothing is lost); the app runs the defaults instead.
    pub hash_error: Option<String>,
    /// Microseconds of simulated time shown.
    pub playhead_us: u64,
    pub playing: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SetRttMs(u64),
    SetBandwidthStep(usize),
    SetLossStep(usize),
    SetPreset(PresetId),
    SetCache(Cache),
    SetScheduler(SchedulerKind),
    SetEarlyHints(bool),
    SetZeroRtt(bool),
    /// HTTP/1.1 connections per host, clamped to the control's range.
    SetH1Connections(u32),
    /// Draw the losses anew: the next seed.
    NewLuck,
    /// Real milliseconds elapsed since the previous animation frame.
    Tick(f64),
    Play,
    Pause,
    Restart,
    /// Jump to a fraction (0..=1) of the timeline.
    Seek(f64),
}

impl Default for AppState {
    fn default() -> Self {
        Self::new(Scenario::preset(PresetId::Blog))
    }
}

impl AppState {
    pub fn new(scenario: Scenario) -> AppState {
        let mut s = AppState {
            rtt_ms: scenario.network.rtt.as_micros() / 1_000,
            bandwidth_step: BANDWIDTH_STEPS
                .iter()
                .position(|&b| b == scenario.network.downlink_bps)
                .unwrap_or(DEFAULT_BANDWIDTH_STEP),
            loss_step: match scenario.network.loss {
                LossModel::Random { ppm } => {
                    LOSS_STEPS_PPM.iter().position(|&p| p == ppm).unwrap_or(0)
                }
                _ => 0,
            },
            scenario,
            trace: None,
            lanes: Vec::new(),
            error: None,
            hash_error: None,
            playhead_us: 0,
            playing: true,
        };
        s.resimulate();
        s
    }

    /// The state a page opened with `hash` (`location.hash`, with or without its `#`)
    /// starts in: the scenario it names, or the defaults and a message saying what is wrong
    /// with it (quoting it whole). An empty hash is the defaults.
    pub fn from_hash(hash: &str) -> AppState {
        let text = hash.strip_prefix('#').unwrap_or(hash);
        if text.is_empty() {
            return AppState::default();
        }
        match url::decode(text) {
            Ok(scenario) => AppState::new(scenario),
            Err(e) => AppState {
                hash_error: Some(format!(
                    "The link's scenario could not be read: {e}. Showing the defaults instead; \
                     the link was #{text}"
                )),
                ..AppState::default()
            },
        }
    }

    /// The location hash for the current scenario (with its `#`).
    pub fn hash(&self) -> String {
        format!("#{}", url::encode(&self.scenario))
    }

    /// The one place the engine runs. On error the previous trace stays and the message
    /// says what was wrong.
    pub fn resimulate(&mut self) {
        match simulate(&self.scenario) {
            Ok(trace) => {
                self.lanes = trace
                    .lanes
                    .iter()
                    .cloned()
                    .map(|l| Shared(Rc::new(l)))
                    .collect();
                self.trace = Some(Shared(Rc::new(trace)));
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The time axis: the slowest lane's load time plus a margin, so every lane fits and
    /// lanes are compared on the same scale (a lane that did not finish: its last event).
    pub fn timeline_us(&self) -> u64 {
        let slowest = self
            .lanes
            .iter()
            .map(|l| {
                l.metrics.load.map_or_else(
                    || l.events.last().map_or(0, |e| e.at.as_micros()),
                    |t| t.as_micros(),
                )
            })
            .max()
            .unwrap_or(0);
        (slowest + slowest / 25).max(1_000)
    }

    pub fn finished(&self) -> bool {
        self.playhead_us >= self.timeline_us()
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetRttMs(ms) => {
                let at_end = s.finished();
                s.rtt_ms = ms.clamp(RTT_MIN_MS, RTT_MAX_MS);
                s.scenario.network.rtt = SimDuration::from_millis(s.rtt_ms);
                s.resimulate();
                s.settle_playhead(at_end);
            }
            Action::SetBandwidthStep(i) => {
                let at_end = s.finished();
                s.bandwidth_step = i.min(BANDWIDTH_STEPS.len() - 1);
                let bps = BANDWIDTH_STEPS[s.bandwidth_step];
                s.scenario.network.downlink_bps = bps;
                s.scenario.network.uplink_bps = (bps / 2).max(250_000);
                s.resimulate();
                s.settle_playhead(at_end);
            }
            Action::SetLossStep(i) => {
                let at_end = s.finished();
                s.loss_step = i.min(LOSS_STEPS_PPM.len() - 1);
                s.scenario.network.loss = match LOSS_STEPS_PPM[s.loss_step] {
                    0 => LossModel::None,
                    ppm => LossModel::Random { ppm },
                };
                s.resimulate();
                s.settle_playhead(at_end);
            }
            Action::SetPreset(id) => {
                s.scenario.page = Page::preset(id);
                s.resimulate();
                s.playhead_us = 0;
                s.playing = true;
            }
            Action::SetCache(c) => {
                s.scenario.browser.cache = c;
                s.restart_run();
            }
            Action::SetScheduler(k) => {
                s.scenario.server.scheduler = k;
                s.restart_run();
            }
            Action::SetEarlyHints(on) => {
                s.scenario.server.early_hints = on;
                s.restart_run();
            }
            Action::SetZeroRtt(on) => {
                s.scenario.http3.zero_rtt = on;
                s.restart_run();
            }
            Action::SetH1Connections(n) => {
                s.scenario.http1.connections = n.clamp(H1_CONNECTIONS_MIN, H1_CONNECTIONS_MAX);
                s.restart_run();
            }
            Action::NewLuck => {
                let at_end = s.finished();
                s.scenario.network.seed = s.scenario.network.seed.wrapping_add(1);
                s.resimulate();
                s.settle_playhead(at_end);
            }
            Action::Tick(real_ms) => {
                if !s.playing {
                    return self;
                }
                let timeline = s.timeline_us();
                let step = (real_ms.clamp(0.0, 250.0) / SWEEP_MS * timeline as f64) as u64;
                s.playhead_us = (s.playhead_us + step).min(timeline);
                if s.playhead_us >= timeline {
                    s.playing = false;
                }
            }
            Action::Play => {
                if s.finished() {
                    s.playhead_us = 0;
                }
                s.playing = true;
            }
            Action::Pause => s.playing = false,
            Action::Restart => {
                s.playhead_us = 0;
                s.playing = true;
            }
            Action::Seek(f) => {
                let f = if f.is_finite() {
                    f.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                s.playhead_us = (f * s.timeline_us() as f64) as u64;
                s.playing = false;
            }
        }
        Rc::new(s)
    }
}

impl AppState {
    /// A protocol or browser option changed: run again, keeping the replay's place as the
    /// sliders do.
    fn restart_run(&mut self) {
        let at_end = self.finished();
        self.resimulate();
        self.settle_playhead(at_end);
    }

    /// After a re-simulation: a finished replay stays finished (showing the new result
    /// whole); a replay in progress keeps its place within the new timeline.
    fn settle_playhead(&mut self, was_at_end: bool) {
        let timeline = self.timeline_us();
        if was_at_end {
            self.playhead_us = timeline;
        } else {
            self.playhead_us = self.playhead_us.min(timeline);
        }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn reduce(s: AppState, a: Action) -> AppState {
        (*Rc::new(s).reduce(a)).clone()
    }

    #[test]
    fn rtt_change_resimulates_and_keeps_finished_replays_whole() {
        let s = AppState::default();
        let before = s.lanes[0].metrics.load.unwrap();
        let s = reduce(s, Action::Seek(1.0));
        assert!(s.finished());
        let s = reduce(s, Action::SetRttMs(300));
        assert!(s.lanes[0].metrics.load.unwrap() > before);
        assert!(s.finished(), "a finished replay shows the new result whole");
        assert_eq!(s.scenario.network.rtt, SimDuration::from_millis(300));
    }

    #[test]
    fn slider_extremes_are_clamped_not_rejected() {
        let s = reduce(AppState::default(), Action::SetRttMs(0));
        assert_eq!(s.rtt_ms, RTT_MIN_MS);
        assert!(s.error.is_none());
        let s = reduce(s, Action::SetBandwidthStep(99));
        assert_eq!(s.bandwidth_step, BANDWIDTH_STEPS.len() - 1);
        assert!(s.error.is_none());
    }

    #[test]
    fn loss_and_luck_change_the_trace() {
        let s = reduce(AppState::default(), Action::SetLossStep(4));
        assert_eq!(s.scenario.network.loss, LossModel::Random { ppm: 20_000 });
        let before = s
            .lanes
            .iter()
            .map(|l| l.metrics.load.unwrap())
            .collect::<Vec<_>>();
        let s = reduce(s, Action::NewLuck);
        assert_eq!(
            s.scenario.network.seed,
            AppState::default().scenario.network.seed + 1
        );
        let after = s
            .lanes
            .iter()
            .map(|l| l.metrics.load.unwrap())
            .collect::<Vec<_>>();
        assert_ne!(before, after, "other luck, other losses");
        let s = reduce(s, Action::SetLossStep(0));
        assert_eq!(s.scenario.network.loss, LossModel::None);
    }

    /// Same scenario and seed, same trace, in wasm as natively: the digest pinned by the
    /// engine's native test (crates/engine/tests/golden_digest.txt) must come out here too.
    #[test]
    fn wasm_trace_matches_the_native_digest() {
        let golden: u64 = include_str!("../crates/engine/tests/golden_digest.txt")
            .trim()
            .parse()
            .unwrap();
        let mut scenario = Scenario::preset(PresetId::Blog);
        scenario.network.loss = LossModel::Random { ppm: 10_000 };
        scenario.network.seed = 7;
        let trace = simulate(&scenario).unwrap();
        assert_eq!(protoviz_engine::trace::digest(&trace), golden);
    }

    #[test]
    fn picking_a_page_runs_it_from_the_start() {
        let s = reduce(AppState::default(), Action::Seek(1.0));
        let s = reduce(s, Action::SetPreset(PresetId::Tiles));
        assert_eq!(s.scenario.page.name, "tiles");
        assert!(s.lanes.iter().all(|l| l.assets.len() == 101));
        assert_eq!((s.playhead_us, s.playing), (0, true));
    }

    #[test]
    fn option_actions_set_the_scenario_and_resimulate() {
        let s = reduce(AppState::default(), Action::SetCache(Cache::Warm));
        assert_eq!(s.scenario.browser.cache, Cache::Warm);
        assert_eq!(
            s.trace.as_ref().unwrap().scenario.browser.cache,
            Cache::Warm
        );
        let s = reduce(s, Action::SetScheduler(SchedulerKind::RoundRobin));
        assert_eq!(s.scenario.server.scheduler, SchedulerKind::RoundRobin);
        let s = reduce(s, Action::SetEarlyHints(true));
        assert!(s.scenario.server.early_hints);
        let s = reduce(s, Action::SetZeroRtt(true));
        assert!(s.scenario.http3.zero_rtt);
        assert!(s.trace.as_ref().unwrap().scenario.http3.zero_rtt);
        // The control offers 1 to 8 connections; beyond is clamped, not an error.
        let s = reduce(s, Action::SetH1Connections(0));
        assert_eq!(s.scenario.http1.connections, 1);
        let s = reduce(s, Action::SetH1Connections(99));
        assert_eq!(s.scenario.http1.connections, H1_CONNECTIONS_MAX);
        assert!(s.error.is_none());
        // A warm visit fetches only the HTML: one connection.
        assert_eq!(s.lanes[0].metrics.connections, 1);
        // Cold, with 8 connections the HTTP/1.1 lane opens more than the default 6 (the
        // blog page has 15 subresources to fetch in parallel).
        let cold = reduce(AppState::default(), Action::SetH1Connections(8));
        assert!(
            cold.lanes[0].metrics.connections > 6,
            "{}",
            cold.lanes[0].metrics.connections
        );
        assert_eq!(
            s.hash(),
            "#page=blog&h1conn=8&zerortt=on&sched=round-robin&hints=on&cache=warm"
        );
    }

    #[test]
    fn the_hash_sets_the_scenario_and_the_sliders() {
        let s = AppState::from_hash("#page=tiles&rtt=50&loss=2&cache=warm&h1conn=2");
        assert!(s.hash_error.is_none());
        assert_eq!(s.scenario.page.name, "tiles");
        assert_eq!(s.rtt_ms, 50);
        assert_eq!(s.loss_step, 4, "2 % is the fifth loss stop");
        assert_eq!(s.scenario.browser.cache, Cache::Warm);
        assert_eq!(s.scenario.http1.connections, 2);
        // What the state writes back is what it read.
        assert_eq!(s.hash(), "#page=tiles&rtt=50&loss=2&h1conn=2&cache=warm");
        // No hash, or an empty one: the defaults, no message.
        assert_eq!(
            AppState::from_hash("").scenario,
            AppState::default().scenario
        );
        assert!(AppState::from_hash("#").hash_error.is_none());
    }

    #[test]
    fn a_bad_hash_falls_back_to_defaults_and_quotes_itself() {
        let s = AppState::from_hash("#page=blog&rtt=fast");
        assert_eq!(s.scenario, AppState::default().scenario);
        assert_eq!(
            s.hash_error.as_deref(),
            Some(
                "The link's scenario could not be read: rtt is \"fast\"; allowed: a round trip \
                 in milliseconds from 1 to 10000, up to 3 decimals. Showing the defaults \
                 instead; the link was #page=blog&rtt=fast"
            )
        );
        assert!(s.error.is_none());
        assert_eq!(s.lanes.len(), 4, "the defaults still run");
    }

    #[test]
    fn playback_runs_to_the_end_and_stops() {
        let mut s = AppState::default();
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
}
