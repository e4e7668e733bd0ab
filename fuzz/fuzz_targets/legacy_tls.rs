#![no_main]
//! `cargo +nightly fuzz run legacy_tls`: see mailcfg::fuzzing::legacy_tls for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::legacy_tls(data));
