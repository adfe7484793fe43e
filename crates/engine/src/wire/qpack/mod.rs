//! Placeholder: filled in by the wire-layer work (issue 3).
