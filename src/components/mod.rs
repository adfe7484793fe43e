//! One view each. Views read the run on screen, the time axis and the dispatcher from
//! [`crate::context`]; props carry only what changes between renders (the playhead, what
//! is open, what is selected). Each view's container has a `data-view` and an `aria-label`.

pub mod advanced;
pub mod axis;
pub mod classbar;
pub mod controls;
pub mod detail;
pub mod embed;
pub mod figures;
pub mod lanes;
pub mod legend;
pub mod lesson;
pub mod slides;
pub mod timeline;
pub mod verdict;
pub mod waterfall;
pub mod winner_map;
