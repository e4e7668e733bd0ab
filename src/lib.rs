//! mailcfg: find the IMAP, POP3 and SMTP settings for an email address and verify them
//! against the servers.
//!
//! The binary is a thin layer over this library: [`cli`] defines the command line,
//! [`commands`] validates it and runs the engine, [`report`] renders the results.

pub mod address;
pub mod batch;
pub mod check;
pub mod cli;
pub mod commands;
pub mod detect;
pub mod diagnose;
pub mod discover;
pub mod dns;
pub mod dns_cache;
pub mod exit;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod lint;
pub mod manpage;
pub mod model;
pub mod net;
pub mod panic_hook;
pub mod probe;
pub mod progress;
pub mod rank;
pub mod report;

/// Install the process-wide rustls crypto provider (ring). Libraries that build their own
/// rustls configurations without naming a provider (reqwest) need it; calling it twice is
/// harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
