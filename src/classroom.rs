//! The classroom's part of the one state: how the scenario is shown (layout, lesson,
//! theme, replay speed and loop, the playhead a link pins), the keyboard help, the
//! lesson's reveal, the open panels and the winner map's batch. [`AppState`] holds one
//! [`Classroom`]; [`ClassAction`]s reach it through [`Action::Class`], handled here.

use std::rc::Rc;

use protoviz_engine::lessons;
use protoviz_engine::timeline;
use protoviz_engine::url::view::{Mode, Theme, SPEEDS};
use protoviz_engine::url::{self, View};
use protoviz_engine::verdict::Outcome;
use protoviz_engine::winner_map::{self, Winner};
use protoviz_engine::{Protocol, Scenario};

use crate::protocol::JobId;
use crate::state::{Action, AppState};

/// The winner map's batch: which scenario it is for and what has come back.
#[derive(Clone, Debug, PartialEq)]
pub struct MapRun {
    pub id: JobId,
    pub base: Rc<Scenario>,
    /// The cell of each run, in the batch's order.
    pub cell_of: Rc<Vec<usize>>,
    /// Each cell's outcomes so far.
    pub outcomes: Vec<Vec<Outcome>>,
    pub done: usize,
    pub finished: bool,
}

impl MapRun {
    pub fn new(id: JobId, base: Rc<Scenario>) -> MapRun {
        let cell_of: Vec<usize> = winner_map::runs(&base)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        MapRun {
            id,
            base,
            cell_of: Rc::new(cell_of),
            outcomes: vec![Vec::new(); winner_map::cells().len()],
            done: 0,
            finished: false,
        }
    }

    pub fn total(&self) -> usize {
        self.cell_of.len()
    }

    /// A cell's winner once all its seeds are in.
    pub fn winner(&self, cell: usize) -> Option<Winner> {
        let want = self.cell_of.iter().filter(|&&c| c == cell).count();
        let got = self.outcomes.get(cell)?;
        if got.len() < want || want == 0 {
            return None;
        }
        winner_map::winner(got)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Classroom {
    pub view: View,
    /// The playhead is part of the link (the viewer paused, scrubbed or stepped).
    pub pinned: bool,
    /// The viewer changed how it is shown: the hash is rewritten, even for a link.
    pub touched: bool,
    /// A link's `t`, applied when its run arrives.
    pub pending_t: Option<u64>,
    /// Play on arrival (off under `prefers-reduced-motion`).
    pub autoplay: bool,
    /// The lesson step's answer is shown.
    pub revealed: bool,
    /// The keyboard help is open.
    pub help: bool,
    pub advanced_open: bool,
    pub embed_open: bool,
    pub map_open: bool,
    /// Behind an `Rc`: the state is cloned on every animation frame.
    pub map: Option<Rc<MapRun>>,
}

impl Default for Classroom {
    fn default() -> Self {
        Classroom {
            view: View::default(),
            pinned: false,
            touched: false,
            pending_t: None,
            autoplay: true,
            revealed: false,
            help: false,
            advanced_open: false,
            embed_open: false,
            map_open: false,
            map: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClassAction {
    SetSpeed(u32),
    /// One speed up (`+1`) or down (`-1`) along [`SPEEDS`].
    NudgeSpeed(i32),
    SetLoop(bool),
    /// To the next (`+1`) or previous (`-1`) moment of the trace.
    Step(i32),
    /// The playhead to this time (µs), paused: a drag on the lanes.
    SeekUs(u64),
    SetMode(Mode),
    SetTheme(Theme),
    /// Lane `Protocol` on or off (at least one stays).
    ToggleLane(Protocol),
    /// Open lesson `n` (1 to 9) at step `k` (1 on), or close the lesson.
    Lesson(Option<(u8, u8)>),
    Reveal,
    Help(bool),
    Advanced(bool),
    Embed(bool),
    MapOpen(bool),
    /// A control set the whole scenario (the advanced panel, a winner-map cell).
    SetScenario(Box<Scenario>),
    MapStarted(JobId, Rc<Scenario>),
    MapItem {
        id: JobId,
        index: u32,
        outcome: Outcome,
    },
    MapDone(JobId),
    /// The viewer prefers reduced motion: nothing plays by itself.
    ReducedMotion,
}

impl From<ClassAction> for Action {
    fn from(a: ClassAction) -> Action {
        Action::Class(a)
    }
}

/// The view's keys the hash carries now: `t` only while the playhead is pinned.
pub fn view_now(s: &AppState) -> View {
    View {
        t_us: s.class.pinned.then_some(s.playhead_us),
        ..s.class.view
    }
}

/// The scenario string and the view's keys, joined (no `#`).
pub fn hash_text(scenario: &Scenario, view: &View) -> String {
    let v = url::encode_view(view);
    let sc = url::encode(scenario);
    if v.is_empty() {
        sc
    } else {
        format!("{sc}&{v}")
    }
}

/// Reads the view's keys of a link into the state (the scenario's are read elsewhere);
/// the bad ones join the link's errors.
pub fn read_view(s: &mut AppState, text: &str) {
    let read = url::decode_view(text);
    s.link_errors
        .extend(read.errors.iter().map(ToString::to_string));
    let before = s.class.view.lesson;
    s.class.view = read.view;
    // A lesson's link opens the lesson at its step's scenario (the link's errors stay shown).
    if let Some((n, k)) = read.view.lesson.filter(|_| read.view.lesson != before) {
        let errors = s.link_errors.clone();
        open_step(s, n, k);
        s.link_errors = errors;
    }
    s.class.pending_t = read.view.t_us;
    s.class.view.t_us = None;
    if s.class.pending_t.is_some() {
        s.class.pinned = true;
        s.playing = false;
    }
}

/// The replay plays again: the moment leaves the link (rewritten even if it was a link's).
pub fn unpin(s: &mut AppState) {
    if s.class.pinned {
        s.class.pinned = false;
        s.class.touched = true;
    }
}

/// A link's `t` once the run of its scenario is on screen: the playhead there, paused.
pub fn apply_pending(s: &mut AppState) {
    let Some(t) = s.class.pending_t else {
        return;
    };
    let shown = s.run.as_ref().is_some_and(|r| r.scenario() == &*s.scenario);
    if shown {
        s.class.pending_t = None;
        s.playhead_us = t.min(s.end_us());
        s.playing = false;
        s.class.pinned = true;
    }
}

/// A lesson step's scenario as the controls would set it.
fn open_step(s: &mut AppState, lesson: u8, step: u8) {
    let Some(l) = lessons::lesson(lesson) else {
        return;
    };
    let k = step.clamp(1, l.steps.len() as u8);
    s.class.view.lesson = Some((lesson, k));
    s.class.revealed = false;
    let sc = l.steps[usize::from(k - 1)].scenario();
    set_scenario(s, sc);
    s.restart_on_arrival = true;
}

fn set_scenario(s: &mut AppState, sc: Scenario) {
    if sc.validate().is_ok() {
        s.origin = crate::state::Origin::Control;
        s.link_errors.clear();
        s.link_text = url::encode(&sc);
        if sc.page != s.scenario.page {
            s.restart_on_arrival = true;
            s.expanded = crate::state::Shared::new(Default::default());
            s.selected = None;
        }
        if *s.scenario != sc {
            s.scenario = Rc::new(sc);
        }
    }
}

/// Applies `a`.
pub fn apply(s: &mut AppState, a: ClassAction) {
    let c = &mut s.class;
    match a {
        ClassAction::SetSpeed(x) => {
            if SPEEDS.contains(&x) {
                c.view.speed = x;
                c.touched = true;
            }
        }
        ClassAction::NudgeSpeed(d) => {
            let i = SPEEDS.iter().position(|&x| x == c.view.speed).unwrap_or(2) as i32;
            let j = (i + d).clamp(0, SPEEDS.len() as i32 - 1) as usize;
            c.view.speed = SPEEDS[j];
            c.touched = true;
        }
        ClassAction::SetLoop(on) => {
            c.view.looping = on;
            c.touched = true;
        }
        ClassAction::Step(d) => {
            if let Some(run) = &s.run {
                let moments = timeline::moments(&run.trace, run.end_us);
                let at = s.playhead_us;
                let next = if d >= 0 {
                    moments
                        .iter()
                        .copied()
                        .find(|&m| m > at)
                        .unwrap_or(run.end_us)
                } else {
                    moments.iter().rev().copied().find(|&m| m < at).unwrap_or(0)
                };
                s.playhead_us = next.min(run.end_us);
                s.playing = false;
                c.pinned = true;
                c.touched = true;
            }
        }
        ClassAction::SeekUs(t) => {
            s.playhead_us = t.min(s.end_us());
            s.playing = false;
            (s.class.pinned, s.class.touched) = (true, true);
        }
        ClassAction::SetMode(m) => {
            c.view.mode = m;
            c.help = false;
            c.touched = true;
        }
        ClassAction::SetTheme(t) => {
            c.view.theme = t;
            c.touched = true;
        }
        ClassAction::ToggleLane(p) => {
            let mut sc = (*s.scenario).clone();
            if let Some(i) = sc.protocols.iter().position(|&x| x == p) {
                if sc.protocols.len() > 1 {
                    sc.protocols.remove(i);
                }
            } else {
                sc.protocols.push(p);
                sc.protocols
                    .sort_by_key(|x| Protocol::ALL.iter().position(|y| y == x));
            }
            set_scenario(s, sc);
        }
        ClassAction::Lesson(None) => {
            c.view.lesson = None;
            c.revealed = false;
            c.touched = true;
        }
        ClassAction::Lesson(Some((n, k))) => {
            c.touched = true;
            open_step(s, n, k);
        }
        ClassAction::Reveal => c.revealed = true,
        ClassAction::Help(on) => c.help = on,
        ClassAction::Advanced(on) => c.advanced_open = on,
        ClassAction::Embed(on) => c.embed_open = on,
        ClassAction::MapOpen(on) => c.map_open = on,
        ClassAction::SetScenario(sc) => set_scenario(s, *sc),
        ClassAction::MapStarted(id, base) => c.map = Some(Rc::new(MapRun::new(id, base))),
        ClassAction::MapItem { id, index, outcome } => {
            if let Some(m) = c.map.as_mut().filter(|m| m.id == id) {
                let m = Rc::make_mut(m);
                if let Some(&cell) = m.cell_of.get(index as usize) {
                    if let Some(v) = m.outcomes.get_mut(cell) {
                        v.push(outcome);
                        m.done += 1;
                    }
                }
            }
        }
        ClassAction::MapDone(id) => {
            if let Some(m) = c.map.as_mut().filter(|m| m.id == id) {
                Rc::make_mut(m).finished = true;
            }
        }
        ClassAction::ReducedMotion => {
            c.autoplay = false;
            s.playing = false;
        }
    }
}

/// The playhead after `real_ms` of replay at the view's speed; loops at the end if asked.
/// Returns (playhead, still playing).
pub fn advance(s: &AppState, real_ms: f64, sweep_ms: f64) -> (u64, bool) {
    let end = s.end_us();
    let speed = f64::from(s.class.view.speed) / 100.0;
    let step = (real_ms.clamp(0.0, 250.0) / sweep_ms * end as f64 * speed) as u64;
    let t = s.playhead_us.saturating_add(step);
    if t >= end {
        if s.class.view.looping {
            (0, true)
        } else {
            (end, false)
        }
    } else {
        (t, true)
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::state::SWEEP_MS;
    use protoviz_engine::simulate;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use yew::Reducible;

    fn reduce(s: AppState, a: impl Into<Action>) -> AppState {
        (*Rc::new(s).reduce(a.into())).clone()
    }

    fn arrive(s: AppState) -> AppState {
        let trace = simulate(&s.scenario).unwrap();
        reduce(s, Action::TraceArrived(Rc::new(trace)))
    }

    #[test]
    fn speed_scales_the_replay_and_loop_starts_it_again() {
        let s = arrive(AppState::from_hash("#page=blog&proto=h1"));
        let end = s.end_us();
        let one = reduce(s.clone(), Action::Tick(100.0)).playhead_us;
        assert_eq!(one, (100.0 / SWEEP_MS * end as f64) as u64);
        let s4 = reduce(s.clone(), ClassAction::SetSpeed(400));
        let four = reduce(s4, Action::Tick(100.0)).playhead_us;
        assert!(four >= one * 4 - 4 && four <= one * 4 + 4, "{one} {four}");
        let s = reduce(s, ClassAction::SetLoop(true));
        let mut s = reduce(s, ClassAction::NudgeSpeed(1));
        assert_eq!(s.class.view.speed, 200);
        let mut wrapped = false;
        for _ in 0..500 {
            let before = s.playhead_us;
            s = reduce(s, Action::Tick(16.7));
            wrapped |= s.playhead_us < before;
        }
        assert!(wrapped && s.playing, "it looped and plays on");
    }

    #[test]
    fn a_pause_pins_the_moment_into_the_hash_and_a_link_opens_there() {
        let s = arrive(AppState::from_hash("#page=tiles"));
        assert_eq!(s.hash(), "#page=tiles");
        let s = reduce(s, ClassAction::Step(1));
        let t = s.playhead_us;
        assert!(t > 0 && !s.playing);
        let h = s.hash();
        assert_eq!(h, format!("#page=tiles&t={}", t as f64 / 1000.0));
        let s = reduce(s, ClassAction::SetSpeed(50));
        let h = s.hash();
        let opened = arrive(AppState::from_hash(&h));
        assert_eq!((opened.playhead_us, opened.playing), (t, false));
        assert_eq!(opened.class.view.speed, 50);
        assert_eq!(opened.hash(), h);
        // Play unpins it, and the link is rewritten without it.
        let s = reduce(opened, Action::Play);
        assert_eq!(s.hash(), "#page=tiles&speed=0.5");
        assert!(s.class.touched);
    }

    #[test]
    fn lanes_toggle_but_one_stays_and_a_lesson_link_opens_its_step() {
        let s = AppState::from_hash("#page=blog&proto=h2");
        let s = reduce(s, ClassAction::ToggleLane(Protocol::Http2));
        assert_eq!(
            s.scenario.protocols,
            [Protocol::Http2],
            "the last lane stays"
        );
        let s = reduce(s, ClassAction::ToggleLane(Protocol::Http3));
        let s = reduce(s, ClassAction::ToggleLane(Protocol::Http1));
        assert_eq!(
            s.scenario.protocols,
            [Protocol::Http1, Protocol::Http2, Protocol::Http3]
        );
        let s = AppState::from_hash("#page=tiles&lesson=9&step=2");
        let step = &lessons::LESSONS[8].steps[1];
        assert_eq!(*s.scenario, step.scenario());
        assert_eq!(s.class.view.lesson, Some((9, 2)));
        assert_eq!(
            s.hash(),
            format!("#{}&lesson=9&step=2", url::encode(&step.scenario()))
        );
    }
}
