#![no_main]
//! `cargo +nightly fuzz run line_framing`: see mailcfg::fuzzing::line_framing for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::line_framing(data));
