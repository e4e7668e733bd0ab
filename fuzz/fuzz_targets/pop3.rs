#![no_main]
//! `cargo +nightly fuzz run pop3`: see mailcfg::fuzzing::pop3 for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::pop3(data));
