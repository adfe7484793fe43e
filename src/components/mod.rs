//! Small function components; each reads only what its props give it.

pub mod axis;
pub mod controls;
pub mod lane;
pub mod legend;
