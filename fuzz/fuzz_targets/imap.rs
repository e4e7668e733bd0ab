#![no_main]
//! `cargo +nightly fuzz run imap`: see mailcfg::fuzzing::imap for what it feeds where.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::imap(data));
