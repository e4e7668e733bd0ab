#![no_main]
//! `cargo +nightly fuzz run login_replies`: see mailcfg::fuzzing::login_replies.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailcfg::fuzzing::login_replies(data));
