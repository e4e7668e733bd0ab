#![no_main]
//! `cargo +nightly fuzz run smtp`: see mailcfg::fuzzing::smtp for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::smtp(data));
