//! Renderers. Each reads a finished report value and returns text; none does I/O.

pub mod json;
pub mod model;
pub mod probe_table;
