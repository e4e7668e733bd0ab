#![no_main]
//! `cargo +nightly fuzz run providers`: see mailcfg::fuzzing::providers for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::providers(data));
