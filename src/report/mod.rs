//! Renderers. Each reads a finished report value and returns text; none does I/O.

pub mod detect_json;
pub mod detect_table;
pub mod json;
pub mod labels;
pub mod model;
pub mod probe_table;
#[cfg(test)]
mod sample;
pub mod thunderbird;
