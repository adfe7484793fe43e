//! One view each. Views read the run on screen, the time axis and the dispatcher from
//! [`crate::context`]; props carry only what changes between renders (the playhead, what
//! is open, what is selected). Each view's container has a `data-view` and an `aria-label`.

pub mod axis;
pub mod controls;
pub mod detail;
pub mod editor;
pub mod export;
pub mod figures;
pub mod lanes;
pub mod legend;
pub mod verdict;
pub mod waterfall;
