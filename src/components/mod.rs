//! One view each. Views read the run on screen, the time axis and the dispatcher from
//! [`crate::context`]; props carry only what changes between renders (the playhead, what
//! is open, what is selected). Each view's container has a `data-view` and an `aria-label`.

pub mod axis;
pub mod connections;
pub mod controls;
pub mod decode;
pub mod detail;
pub mod editor;
pub mod export;
pub mod figures;
pub mod hexview;
pub mod inspector;
pub mod lanes;
pub mod legend;
pub mod packets;
pub mod verdict;
pub mod waterfall;
pub mod why;
pub mod zoom;
