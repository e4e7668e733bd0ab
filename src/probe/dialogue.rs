//! What the protocol modules (imap, pop3, smtp) share: the [`Dialogue`] each implements,
//! the facts a dialogue collects and the ways a step can fail.

use super::conn::{Conn, ConnError};
use super::login::{Credentials, LoginReply, Mechanism};
use std::future::Future;
use tokio::time::Instant;

/// One protocol's side of the conversation with a mail server.
///
/// Every protocol walks the same stages (greeting, capabilities, STARTTLS, goodbye); the
/// probe engine owns the order, the deadlines and the classification of failures, and asks
/// the protocol only what to say and how to read the answer. The `check` command (a login
/// test) adds the `login` step, taken after capabilities on the encrypted connection; a
/// probe never logs in.
///
/// The futures are `Send` so a probe can run on any worker thread.
pub trait Dialogue: Sync {
    /// Read the server's first words.
    fn greeting(
        &self,
        conn: &mut Conn,
        deadline: Instant,
    ) -> impl Future<Output = Result<Greeting, StepError>> + Send;

    /// Whether `line` is this protocol's greeting (or its first line). Tells a server that
    /// greeted late from another kind of service, and names a plaintext greeting on a TLS
    /// port.
    fn is_greeting(&self, line: &str) -> bool;

    /// What the server offers on this connection. `greeting` is the greeting of this
    /// connection when no TLS was started since (IMAP may have listed its capabilities
    /// there already); `client_name` is the address literal of our end (SMTP's EHLO).
    fn capabilities(
        &self,
        conn: &mut Conn,
        greeting: Option<&Greeting>,
        client_name: &str,
        deadline: Instant,
    ) -> impl Future<Output = Result<Capabilities, StepError>> + Send;

    /// Ask to start TLS; Ok when the server agreed and the handshake may begin.
    fn starttls(
        &self,
        conn: &mut Conn,
        deadline: Instant,
    ) -> impl Future<Output = Result<(), StepError>> + Send;

    /// Log in with `mechanism` (chosen from `caps`, the capabilities of this encrypted
    /// connection) and read the server's verdict. Only `check` calls this, after its trust
    /// rule allowed this connection; one call, one attempt. A continuation request the
    /// exchange has no answer for is cancelled, never answered with a guess.
    fn login(
        &self,
        conn: &mut Conn,
        caps: &Capabilities,
        mechanism: Mechanism,
        credentials: &Credentials,
        deadline: Instant,
    ) -> impl Future<Output = Result<LoginReply, StepError>> + Send;

    /// The polite goodbye, one complete command line. Its reply is not waited for: it
    /// would cost a round trip and tell nothing.
    fn goodbye(&self) -> &'static [u8];
}

/// Capabilities read from one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// As the server listed them (IMAP atoms, POP3 CAPA lines, SMTP EHLO keywords with
    /// their parameters).
    pub list: Vec<String>,
    /// SASL mechanisms, upper case, in the server's order.
    pub auth: Vec<String>,
    /// STARTTLS / STLS is offered.
    pub starttls: bool,
    /// The server refuses to take a password on this connection (IMAP LOGINDISABLED; a
    /// POP3 CAPA with neither USER nor SASL).
    pub login_disabled: bool,
}

/// A greeting that identified the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    pub text: String,
    /// Capabilities volunteered in the greeting (IMAP `[CAPABILITY …]`).
    pub capabilities: Option<Capabilities>,
}

/// Why a dialogue step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Conn(#[from] ConnError),
    /// The peer answered, but not in this protocol. The text says what it looks like.
    #[error("{0}")]
    NotProtocol(String),
    /// The peer speaks the protocol but refused (BYE, -ERR, 554, NO/BAD to a command).
    #[error("{0}")]
    Rejected(String),
}

/// Keep at most `max` characters of what a server said, so a report never carries a
/// megabyte of garbage, and make control characters visible.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// Name what answered when it is not the protocol we asked for.
pub fn identify_foreign(line: &str) -> String {
    let trimmed = line.trim_start();
    let lower = trimmed.get(..9).unwrap_or(trimmed).to_ascii_lowercase();
    let what = if trimmed.starts_with("HTTP/")
        || lower.starts_with("<!doctype")
        || lower.starts_with("<html")
    {
        "an HTTP server"
    } else if trimmed.starts_with("SSH-") {
        "an SSH server"
    } else if trimmed.starts_with("* OK") || trimmed.starts_with("* PREAUTH") {
        "an IMAP server"
    } else if trimmed.starts_with("+OK") {
        "a POP3 server"
    } else if trimmed.len() >= 4
        && trimmed.as_bytes()[..3].iter().all(u8::is_ascii_digit)
        && matches!(trimmed.as_bytes()[3], b' ' | b'-')
    {
        if trimmed.starts_with("220") {
            "an SMTP (or FTP) server"
        } else {
            "a server with numeric replies (SMTP or FTP)"
        }
    } else if matches!(line.as_bytes(), [0x15 | 0x16, 0x03, ..]) {
        "a TLS server (this port expects implicit TLS: try --security tls)"
    } else {
        return format!("unrecognised reply: \"{}\"", excerpt(line, 60));
    };
    format!("{what} answered: \"{}\"", excerpt(line, 60))
}

/// Split a sample server reply into lines, for the parsers' tests.
#[cfg(test)]
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_servers_are_named() {
        assert!(identify_foreign("HTTP/1.1 400 Bad Request").starts_with("an HTTP server"));
        assert!(identify_foreign("<!DOCTYPE HTML>").starts_with("an HTTP server"));
        assert!(identify_foreign("220 mx.example.jp ESMTP Postfix").starts_with("an SMTP"));
        assert!(identify_foreign("SSH-2.0-OpenSSH_9.2").starts_with("an SSH server"));
        assert!(identify_foreign("* OK [CAPABILITY IMAP4rev1] ready").starts_with("an IMAP"));
        assert!(identify_foreign("\u{15}\u{3}\u{3}\u{0}\u{2}").starts_with("a TLS server"));
        assert!(identify_foreign("\u{0}\u{1}garbage").starts_with("unrecognised reply"));
    }

    #[test]
    fn goodbyes_are_complete_command_lines() {
        for goodbye in [
            super::super::imap::Imap.goodbye(),
            super::super::pop3::Pop3.goodbye(),
            super::super::smtp::Smtp.goodbye(),
        ] {
            assert!(goodbye.ends_with(b"\r\n"), "{goodbye:?}");
            assert_eq!(goodbye.iter().filter(|&&b| b == b'\n').count(), 1);
        }
    }

    #[test]
    fn excerpts_are_bounded_and_printable() {
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long, 10), format!("{}…", "x".repeat(10)));
        assert_eq!(excerpt("a\u{1b}b", 10), "a\u{fffd}b");
    }
}
