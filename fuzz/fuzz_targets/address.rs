#![no_main]
//! `cargo +nightly fuzz run address`: see mailcfg::fuzzing::address for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::address(data));
