#![no_main]
//! `cargo +nightly fuzz run srv_mx`: see mailcfg::fuzzing::srv_mx for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::srv_mx(data));
