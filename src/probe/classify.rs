//! Every way a probe stage can fail, turned into an [`Outcome`] and a sentence. Pure
//! functions: the stages in `attempt.rs` call them with what went wrong.

use super::conn::ConnError;
use super::dialogue::StepError;
use super::outcome::{EndpointReport, Outcome, Stage};
use super::tls::HandshakeFailure;
use std::io;
use std::net::SocketAddr;

/// The error of an implicit-TLS port that answered in plain text.
const NOT_TLS: &str = "the server does not speak TLS on this port (it answered in plain text; a STARTTLS or plaintext port?)";

/// The error of an endpoint never attempted.
pub const NOT_TRIED: &str = "not tried: the overall deadline passed first";

/// A failed TCP connect. Only an actively refused connection says that nothing listens
/// there; no route says nothing about the server at all, and the kernel's own timeout is a
/// timeout like ours.
pub fn connect_error(addr: SocketAddr, error: &io::Error) -> (Outcome, String) {
    use io::ErrorKind;
    let port = addr.port();
    match error.kind() {
        ErrorKind::ConnectionRefused => (
            Outcome::Refused,
            format!("connection to {addr} refused (nothing listens on port {port})"),
        ),
        ErrorKind::TimedOut => connect_timeout(addr),
        ErrorKind::NetworkUnreachable => (
            Outcome::Unreachable,
            format!(
                "cannot reach {addr}: no route to its network from here ({})",
                if addr.is_ipv6() {
                    "this network may have no IPv6"
                } else {
                    "is this machine offline?"
                }
            ),
        ),
        ErrorKind::HostUnreachable => (
            Outcome::Unreachable,
            format!(
                "cannot reach {addr}: the host is unreachable (down, or a router refuses the way)"
            ),
        ),
        // A reset while connecting is the peer (or a firewall speaking for it) refusing.
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => (
            Outcome::Refused,
            format!(
                "connection to {addr} was reset while connecting (a firewall may reject port {port})"
            ),
        ),
        // EACCES/EPERM: a firewall on this machine; EADDRNOTAVAIL and the rest: this
        // machine's network. Either way the server was not reached.
        _ => (
            Outcome::Unreachable,
            format!("cannot connect to {addr}: {}", os_words(error)),
        ),
    }
}

/// No answer to the connection attempt in time.
pub fn connect_timeout(addr: SocketAddr) -> (Outcome, String) {
    (
        Outcome::Timeout,
        format!(
            "no answer from {addr} (a firewall may be dropping packets to port {})",
            addr.port()
        ),
    )
}

/// The operating system's words for an I/O error, without Rust's " (os error 101)".
fn os_words(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Record a failed TLS handshake (implicit, or after STARTTLS).
pub fn fail_handshake(
    report: &mut EndpointReport,
    stage: Stage,
    failure: &HandshakeFailure,
    secs: f64,
) {
    let (outcome, text) = match failure {
        // Nothing came back to our ClientHello: on an implicit-TLS port that is the
        // server's first word missing, just as a missing greeting is elsewhere.
        HandshakeFailure::Timeout if stage == Stage::TlsHandshake => (
            Outcome::Silent,
            format!(
                "the server accepted the connection but did not answer the TLS handshake within {secs}s"
            ),
        ),
        HandshakeFailure::Timeout => (
            Outcome::Timeout,
            format!("the TLS handshake did not finish within {secs}s"),
        ),
        HandshakeFailure::Stalled => (
            Outcome::Timeout,
            format!(
                "the server started the TLS handshake but stopped answering; it did not finish within {secs}s"
            ),
        ),
        HandshakeFailure::Closed => (
            Outcome::TlsError,
            "the server closed the connection during the TLS handshake".to_string(),
        ),
        HandshakeFailure::NotTls { .. } if stage == Stage::Starttls => (
            Outcome::TlsError,
            "the server agreed to STARTTLS, then answered the TLS handshake in plain text"
                .to_string(),
        ),
        HandshakeFailure::NotTls { .. } => (Outcome::TlsError, NOT_TLS.to_string()),
        HandshakeFailure::Incompatible { text, .. } | HandshakeFailure::Failed(text) => {
            (Outcome::TlsError, text.clone())
        }
    };
    report.fail(outcome, stage, text);
}

/// Record a failed dialogue step. `encrypted` says whether the connection was TLS by then.
pub fn fail_step(
    report: &mut EndpointReport,
    stage: Stage,
    error: StepError,
    secs: f64,
    encrypted: bool,
) {
    let first_words = stage == Stage::Greeting;
    let (outcome, text) = match error {
        StepError::Conn(ConnError::Timeout { received: 0 }) if first_words => (
            Outcome::Silent,
            format!(
                "the server accepted the connection but sent nothing within {secs}s{}",
                if encrypted {
                    ""
                } else {
                    " (a tarpit, or a service that waits for the client: HTTP, or implicit TLS — try --security tls)"
                }
            ),
        ),
        StepError::Conn(ConnError::Timeout { .. }) => (
            Outcome::Timeout,
            format!("the server stopped answering: no complete reply within {secs}s"),
        ),
        StepError::Conn(ConnError::Closed { .. }) => (
            Outcome::Closed,
            "the server closed the connection".to_string(),
        ),
        StepError::Conn(e @ (ConnError::LineTooLong { .. } | ConnError::TooManyLines { .. })) => {
            (Outcome::NotProtocol, e.to_string())
        }
        StepError::Conn(ConnError::Io(e)) if encrypted => (
            Outcome::TlsError,
            format!("the TLS session failed: {}", os_words(&e)),
        ),
        StepError::Conn(ConnError::Io(e)) => (
            Outcome::Closed,
            format!("the connection failed: {}", os_words(&e)),
        ),
        StepError::NotProtocol(text) => (Outcome::NotProtocol, text),
        StepError::Rejected(text) => (Outcome::Closed, text),
    };
    report.fail(outcome, stage, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> SocketAddr {
        "192.0.2.7:993".parse().expect("a literal address")
    }

    #[test]
    fn only_an_active_refusal_is_refused() {
        let kind = |k: io::ErrorKind| connect_error(addr(), &io::Error::from(k)).0;
        assert_eq!(kind(io::ErrorKind::ConnectionRefused), Outcome::Refused);
        assert_eq!(
            kind(io::ErrorKind::NetworkUnreachable),
            Outcome::Unreachable
        );
        assert_eq!(kind(io::ErrorKind::HostUnreachable), Outcome::Unreachable);
        assert_eq!(kind(io::ErrorKind::TimedOut), Outcome::Timeout);
        assert_eq!(kind(io::ErrorKind::PermissionDenied), Outcome::Unreachable);
        assert_eq!(kind(io::ErrorKind::AddrNotAvailable), Outcome::Unreachable);
    }

    #[test]
    fn os_errors_are_worded_without_rust_decoration() {
        // ENETUNREACH as the kernel reports it.
        let error = io::Error::from_raw_os_error(101);
        let (outcome, text) = connect_error(addr(), &error);
        assert_eq!(outcome, Outcome::Unreachable);
        assert!(text.contains("192.0.2.7:993"), "{text}");
        // EADDRNOTAVAIL: the OS's words, without "(os error 99)".
        let (_, text) = connect_error(addr(), &io::Error::from_raw_os_error(99));
        assert!(!text.contains("os error"), "{text}");
        assert!(!text.contains("Kind("), "{text}");
    }
}
