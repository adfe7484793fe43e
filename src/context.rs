//! What every view reads without props: the dispatcher of the one reducer, the run on
//! screen (the trace, held once), the shared time axis and the playhead. A new view (connection track,
//! packet strip, inspector…) is a component that calls these hooks.

use yew::prelude::*;

use crate::state::{AppState, Run, Shared};

/// Sends actions to the one reducer (stable for the app's life: never re-renders anyone).
pub type Dispatch = UseReducerDispatcher<AppState>;

/// The playhead, µs of simulated time: changes every animation frame while the replay
/// plays, so only the few views that truly depend on it read it (the figures, the axis
/// markers, the curtain and playhead line over each waterfall).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Playhead(pub u64);

/// The run on screen; changes only when the engine finished a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct RunCtx(pub Option<Shared<Run>>);

/// The time axis every view shares, µs: `start..end` (the whole run today; a zoom later).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    pub start_us: u64,
    pub end_us: u64,
}

impl Timeline {
    pub fn span(&self) -> u64 {
        self.end_us.saturating_sub(self.start_us).max(1)
    }

    /// Where `us` falls on the axis, 0 at its start and 1 at its end (not clamped).
    pub fn frac(&self, us: u64) -> f64 {
        (us as f64 - self.start_us as f64) / self.span() as f64
    }

    /// `frac` in per cent.
    pub fn pct(&self, us: u64) -> f64 {
        self.frac(us) * 100.0
    }
}

#[hook]
pub fn use_dispatch() -> Dispatch {
    use_context::<Dispatch>().expect("the app provides its dispatcher")
}

#[hook]
pub fn use_run() -> Option<Shared<Run>> {
    use_context::<RunCtx>().and_then(|c| c.0)
}

#[hook]
pub fn use_playhead() -> u64 {
    use_context::<Playhead>().map_or(u64::MAX, |p| p.0)
}

#[hook]
pub fn use_timeline() -> Timeline {
    use_context::<Timeline>().unwrap_or(Timeline {
        start_us: 0,
        end_us: 1_000,
    })
}
