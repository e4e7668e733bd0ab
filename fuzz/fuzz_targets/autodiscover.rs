#![no_main]
//! `cargo +nightly fuzz run autodiscover`: see mailcfg::fuzzing::autodiscover for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::autodiscover(data));
