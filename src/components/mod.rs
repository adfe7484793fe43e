//! One view each. Views read the run on screen, the time axis and the dispatcher from
//! [`crate::context`]; props carry only what changes between renders (the playhead, what
//! is open, what is selected). Each view's container has a `data-view` and an `aria-label`.

pub mod advanced;
pub mod axis;
pub mod classbar;
pub mod connections;
pub mod controls;
pub mod decode;
pub mod detail;
pub mod editor;
pub mod embed;
pub mod export;
pub mod figures;
pub mod hexview;
pub mod inspector;
pub mod lanes;
pub mod legend;
pub mod lesson;
pub mod packets;
pub mod slides;
pub mod timeline;
pub mod verdict;
pub mod waterfall;
pub mod why;
pub mod winner_map;
pub mod zoom;
