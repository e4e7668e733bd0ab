#![no_main]
//! `cargo +nightly fuzz run autoconfig`: see mailcfg::fuzzing::autoconfig for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::autoconfig(data));
