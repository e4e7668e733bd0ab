//! The probe engine: connect to a mail server, find out what it really offers, and
//! classify every way that can fail.
//!
//! One probe is a fixed sequence of stages (resolve, connect, TLS, greeting,
//! capabilities, STARTTLS, TLS, capabilities again). Every stage has its own deadline,
//! capped by the caller's overall deadline, so a probe ends on time by itself and can say
//! which stage a timeout happened in. No credentials are ever sent.

pub mod conn;
pub mod dialogue;
pub mod imap;
pub mod outcome;
pub mod pop3;
pub mod smtp;
pub mod tls;

use crate::dns::{Dns, DnsFailure};
use crate::model::{Protocol, Security};
use conn::{Conn, ConnError, Limits, Stream};
use dialogue::{Capabilities, Greeting, StepError};
pub use outcome::{EndpointReport, Outcome, Stage};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tls::{HandshakeFailure, TlsContext};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// What to probe.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub protocol: Protocol,
    /// The security to use; None lets the engine decide: implicit TLS on the RFC 8314
    /// ports, STARTTLS when offered on the others, and for an unfamiliar port a TLS
    /// handshake first with a plaintext retry when the server answers in the clear.
    pub security: Option<Security>,
}

/// Engine settings.
#[derive(Debug, Clone, Copy)]
pub struct ProbeOptions {
    /// The limit for each network step.
    pub step_timeout: Duration,
    /// How many endpoints are probed at once.
    pub concurrency: usize,
    pub limits: Limits,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            step_timeout: Duration::from_secs(5),
            concurrency: 32,
            limits: Limits::default(),
        }
    }
}

/// Addresses tried per host, in turn, within the one connect budget: a refused address
/// costs nothing and the next is tried; one that hangs uses up the budget.
const MAX_ADDRESSES: usize = 3;

/// Probes endpoints. Cheap to clone; share one per command.
#[derive(Clone)]
pub struct Prober {
    dns: Arc<Dns>,
    tls: TlsContext,
    options: ProbeOptions,
    /// Shared by every clone: at most `options.concurrency` probes run at once, however
    /// many callers start them.
    slots: Arc<tokio::sync::Semaphore>,
}

impl Prober {
    pub fn new(dns: Arc<Dns>, tls: TlsContext, options: ProbeOptions) -> Prober {
        let slots = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
        Prober {
            dns,
            tls,
            options,
            slots,
        }
    }

    pub fn options(&self) -> ProbeOptions {
        self.options
    }

    /// Probe every target, at most `concurrency` at once, all finished by `deadline`.
    /// Reports come back in the order of `targets`.
    pub async fn probe_all(&self, targets: &[Target], deadline: Instant) -> Vec<EndpointReport> {
        // `probe` itself waits for a free slot, so all of them can be started at once;
        // join_all keeps the order of `targets`.
        let probes = targets.iter().map(|target| self.probe(target, deadline));
        futures::future::join_all(probes).await
    }

    /// Probe one endpoint, finishing by `deadline` whatever the server does.
    pub async fn probe(&self, target: &Target, deadline: Instant) -> EndpointReport {
        // Wait for a free slot first; the time spent queueing is not the server's.
        let slot = tokio::time::timeout_at(deadline, self.slots.acquire()).await;
        let Ok(_slot) = slot else {
            let mut r = EndpointReport::new(&target.host, target.port, target.protocol);
            r.fail(
                Outcome::Timeout,
                Stage::Connect,
                "not attempted: the overall deadline passed while waiting for a free probe slot",
            );
            return r;
        };
        let started = Instant::now();
        let guard = tokio::time::timeout_at(deadline + Duration::from_millis(250), async {
            let implicit = match target.security {
                Some(security) => security == Security::Tls,
                None => {
                    !is_known_port(target.protocol, target.port)
                        || target.protocol.default_security(target.port) == Security::Tls
                }
            };
            let report = self.attempt(target, implicit, deadline).await;
            let guessing =
                target.security.is_none() && !is_known_port(target.protocol, target.port);
            if guessing
                && report.stage == Some(Stage::TlsHandshake)
                && report.error.as_deref() == Some(NOT_TLS)
            {
                // An unfamiliar port that answered in the clear: it is a plaintext or
                // STARTTLS port, so ask again the other way.
                return self.attempt(target, false, deadline).await;
            }
            report
        })
        .await;
        // Every stage is capped by the deadline, so this is a safety net only.
        let mut report = guard.unwrap_or_else(|_| {
            let mut r = EndpointReport::new(&target.host, target.port, target.protocol);
            r.fail(
                Outcome::Timeout,
                Stage::Connect,
                "the overall deadline passed",
            );
            r
        });
        report.timings.total_ms = millis(started.elapsed());
        report
    }

    async fn attempt(&self, target: &Target, implicit: bool, deadline: Instant) -> EndpointReport {
        let mut report = EndpointReport::new(&target.host, target.port, target.protocol);
        let step = |now: Instant| (now + self.options.step_timeout).min(deadline);
        let secs = self.options.step_timeout.as_secs_f64();

        // Resolve.
        let t = Instant::now();
        let ips = self.dns.ips(&target.host).await;
        report.timings.resolve_ms = Some(millis(t.elapsed()));
        let ips = match ips {
            Ok(ips) => ips,
            Err(failure) => {
                let text = match failure {
                    DnsFailure::NoSuchName => {
                        format!("{} does not resolve to an address", target.host)
                    }
                    other => format!("cannot resolve {}: {other}", target.host),
                };
                report.fail(Outcome::DnsError, Stage::Resolve, text);
                return report;
            }
        };

        // Connect.
        let t = Instant::now();
        let tcp = match connect_any(&ips, target.port, &step, &mut report).await {
            Some(tcp) => tcp,
            None => return report,
        };
        report.timings.connect_ms = Some(millis(t.elapsed()));
        let client_name = match tcp.local_addr() {
            Ok(SocketAddr::V4(a)) => format!("[{}]", a.ip()),
            Ok(SocketAddr::V6(a)) => format!("[IPv6:{}]", a.ip()),
            Err(_) => "[127.0.0.1]".to_string(),
        };

        // Implicit TLS.
        let stream = if implicit {
            report.implicit_tls = true;
            let t = Instant::now();
            match self.tls.handshake(tcp, &target.host, step(t)).await {
                Ok((tls, info)) => {
                    report.timings.tls_handshake_ms = Some(millis(t.elapsed()));
                    report.tls = Some(info);
                    Stream::Tls(Box::new(tls))
                }
                Err(failure) => {
                    report.timings.tls_handshake_ms = Some(millis(t.elapsed()));
                    fail_handshake(&mut report, Stage::TlsHandshake, failure, secs);
                    return report;
                }
            }
        } else {
            Stream::Plain(tcp)
        };
        let mut conn = Conn::new(stream, self.options.limits);

        // Greeting. A plaintext server that is still silent near the end of the step may
        // be one that waits for the client (HTTP): it is asked once, within the same step,
        // so a silent port still costs one timeout.
        let t = Instant::now();
        let end = step(t);
        let window = (self.options.step_timeout / 4).min(NUDGE_WINDOW);
        let ask_at = match end.checked_sub(window) {
            Some(at) if !implicit && at > t => at,
            _ => end,
        };
        let mut greeting = greet(&mut conn, target.protocol, ask_at).await;
        if ask_at < end {
            match greeting {
                Err(StepError::Conn(ConnError::Timeout { received: 0 })) => {
                    if let Some(line) = nudge(&mut conn, end).await {
                        report.timings.greeting_ms = Some(millis(t.elapsed()));
                        let (outcome, text) = if is_greeting(target.protocol, &line) {
                            (
                                Outcome::Timeout,
                                format!(
                                    "the server greeted only at the very end of the {secs}s limit"
                                ),
                            )
                        } else {
                            (
                                Outcome::NotProtocol,
                                format!(
                                    "{} (it waited for the client to speak first)",
                                    dialogue::identify_foreign(&line)
                                ),
                            )
                        };
                        report.fail(outcome, Stage::Greeting, text);
                        return report;
                    }
                }
                // Part of a greeting came: it gets the rest of the step.
                Err(StepError::Conn(ConnError::Timeout { .. })) => {
                    greeting = greet(&mut conn, target.protocol, end).await;
                }
                _ => {}
            }
        }
        report.timings.greeting_ms = Some(millis(t.elapsed()));
        let greeting = match greeting {
            Ok(g) => g,
            Err(e) => {
                fail_step(&mut report, Stage::Greeting, e, secs, implicit);
                return report;
            }
        };
        report.greeting = Some(greeting.text.clone());

        // Capabilities on the first connection.
        let t = Instant::now();
        let caps = capabilities(
            &mut conn,
            target.protocol,
            Some(&greeting),
            &client_name,
            step(t),
        )
        .await;
        report.timings.capabilities_ms = Some(millis(t.elapsed()));
        let caps = match caps {
            Ok(caps) => caps,
            Err(e) => {
                fail_step(&mut report, Stage::Capabilities, e, secs, implicit);
                return report;
            }
        };

        if implicit {
            finish(&mut report, &caps, Security::Tls);
            quit(conn, target.protocol, step(Instant::now())).await;
            return report;
        }

        report.capabilities_before_tls = caps.list.clone();
        report.auth_before_tls = caps.auth.clone();
        report.starttls.offered = caps.starttls;
        let upgrade = match target.security {
            Some(Security::Plain) => false,
            Some(_) => true,
            None => caps.starttls,
        };
        if !upgrade {
            finish(&mut report, &caps, Security::Plain);
            quit(conn, target.protocol, step(Instant::now())).await;
            return report;
        }
        if !caps.starttls {
            // Asked for STARTTLS explicitly; say so rather than fall back to plain text.
            report.capabilities = caps.list.clone();
            report.auth = caps.auth.clone();
            report.login_disabled = caps.login_disabled;
            report.fail(
                Outcome::TlsError,
                Stage::Starttls,
                "the server does not offer STARTTLS",
            );
            quit(conn, target.protocol, step(Instant::now())).await;
            return report;
        }

        // STARTTLS and the handshake that follows.
        let t = Instant::now();
        let agreed = match target.protocol {
            Protocol::Imap => imap::starttls(&mut conn, step(t)).await,
            Protocol::Pop3 => pop3::starttls(&mut conn, step(t)).await,
            Protocol::Smtp => smtp::starttls(&mut conn, step(t)).await,
        };
        report.starttls.succeeded = Some(false);
        if let Err(e) = agreed {
            report.timings.starttls_ms = Some(millis(t.elapsed()));
            match e {
                StepError::Rejected(text) => report.fail(Outcome::TlsError, Stage::Starttls, text),
                other => fail_step(&mut report, Stage::Starttls, other, secs, false),
            }
            return report;
        }
        let tcp = match conn.into_plain_for_upgrade() {
            Ok(tcp) => tcp,
            Err(why) => {
                report.fail(Outcome::TlsError, Stage::Starttls, why);
                return report;
            }
        };
        let tls = match self
            .tls
            .handshake(tcp, &target.host, step(Instant::now()))
            .await
        {
            Ok((tls, info)) => {
                report.tls = Some(info);
                tls
            }
            Err(failure) => {
                report.timings.starttls_ms = Some(millis(t.elapsed()));
                fail_handshake(&mut report, Stage::Starttls, failure, secs);
                return report;
            }
        };
        report.timings.starttls_ms = Some(millis(t.elapsed()));
        report.starttls.succeeded = Some(true);
        let mut conn = Conn::new(Stream::Tls(Box::new(tls)), self.options.limits);

        // Capabilities again: what a server lists before TLS must never be trusted
        // (RFC 3207 §4.2, RFC 2595 §3.1), and AUTH usually appears only now.
        let t = Instant::now();
        let caps = capabilities(&mut conn, target.protocol, None, &client_name, step(t)).await;
        report.timings.capabilities_after_tls_ms = Some(millis(t.elapsed()));
        match caps {
            Ok(caps) => finish(&mut report, &caps, Security::Starttls),
            Err(e) => {
                fail_step(&mut report, Stage::CapabilitiesAfterTls, e, secs, true);
                return report;
            }
        }
        quit(conn, target.protocol, step(Instant::now())).await;
        report
    }
}

const NOT_TLS: &str = "the server does not speak TLS on this port (it answered in plain text; a STARTTLS or plaintext port?)";

/// How much of the greeting step is kept for asking a silent server in HTTP.
const NUDGE_WINDOW: Duration = Duration::from_millis(500);

/// A server that stays silent may be one that waits for the client to speak first (HTTP,
/// most notably). Ask it in HTTP; its first line, or None when it stays silent.
async fn nudge(conn: &mut Conn, deadline: Instant) -> Option<String> {
    conn.write(b"HEAD / HTTP/1.0\r\n\r\n", deadline)
        .await
        .ok()?;
    conn.read_line(deadline).await.ok()
}

async fn greet(
    conn: &mut Conn,
    protocol: Protocol,
    deadline: Instant,
) -> Result<Greeting, StepError> {
    match protocol {
        Protocol::Imap => imap::greeting(conn, deadline).await,
        Protocol::Pop3 => pop3::greeting(conn, deadline).await,
        Protocol::Smtp => smtp::greeting(conn, deadline).await,
    }
}

/// Whether `line` is this protocol's greeting (or its first line).
fn is_greeting(protocol: Protocol, line: &str) -> bool {
    match protocol {
        Protocol::Imap => imap::parse_greeting(line).is_ok(),
        Protocol::Pop3 => pop3::parse_greeting(line).is_ok(),
        Protocol::Smtp => smtp::parse_reply_line(line).is_some_and(|(code, _, _)| code == 220),
    }
}

/// Whether `port` is one of the protocol's standard ports (where the security is known).
fn is_known_port(protocol: Protocol, port: u16) -> bool {
    protocol.standard_ports().contains(&port)
}

pub use outcome::millis;

/// Connect to the first address that accepts. The outcome recorded is the first
/// address's failure: it is the one a client tries first too.
async fn connect_any(
    ips: &[IpAddr],
    port: u16,
    step: impl Fn(Instant) -> Instant,
    report: &mut EndpointReport,
) -> Option<TcpStream> {
    let mut first_failure: Option<(Outcome, String)> = None;
    // One budget for the whole stage: a port that never answers costs one timeout, however
    // many addresses the name has.
    let stage_deadline = step(Instant::now());
    for ip in ips.iter().take(MAX_ADDRESSES) {
        let addr = SocketAddr::new(*ip, port);
        report.address = Some(*ip);
        if Instant::now() >= stage_deadline {
            break;
        }
        let attempt = tokio::time::timeout_at(stage_deadline, TcpStream::connect(addr)).await;
        let failure = match attempt {
            Ok(Ok(tcp)) => {
                let _ = tcp.set_nodelay(true);
                return Some(tcp);
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => (
                Outcome::Refused,
                format!("connection to {addr} refused (nothing listens on port {port})"),
            ),
            Ok(Err(e)) => (Outcome::Refused, format!("cannot connect to {addr}: {e}")),
            Err(_) => (
                Outcome::Timeout,
                format!(
                    "no answer from {addr} (a firewall may be dropping packets to port {port})"
                ),
            ),
        };
        first_failure.get_or_insert(failure);
    }
    if let Some((outcome, text)) = first_failure {
        report.address = ips.first().copied();
        report.fail(outcome, Stage::Connect, text);
    }
    None
}

async fn capabilities(
    conn: &mut Conn,
    protocol: Protocol,
    greeting: Option<&Greeting>,
    client_name: &str,
    deadline: Instant,
) -> Result<Capabilities, StepError> {
    match protocol {
        Protocol::Imap => match greeting.and_then(|g| g.capabilities.clone()) {
            Some(caps) => Ok(caps),
            None => imap::capabilities(conn, deadline).await,
        },
        Protocol::Pop3 => pop3::capabilities(conn, deadline).await,
        Protocol::Smtp => smtp::capabilities(conn, client_name, deadline).await,
    }
}

fn finish(report: &mut EndpointReport, caps: &Capabilities, security: Security) {
    report.capabilities = caps.list.clone();
    report.auth = caps.auth.clone();
    report.login_disabled = caps.login_disabled;
    report.security = Some(security);
}

/// Say goodbye and close, without waiting for the server's reply: the report is complete,
/// and a slow or silent goodbye must not hold it up.
async fn quit(mut conn: Conn, protocol: Protocol, deadline: Instant) {
    let deadline = deadline.min(Instant::now() + Duration::from_millis(200));
    let goodbye = match protocol {
        Protocol::Imap => imap::GOODBYE,
        Protocol::Pop3 => pop3::GOODBYE,
        Protocol::Smtp => smtp::GOODBYE,
    };
    let _ = conn.write(goodbye, deadline).await;
    conn.shutdown().await;
}

fn fail_handshake(report: &mut EndpointReport, stage: Stage, failure: HandshakeFailure, secs: f64) {
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
        HandshakeFailure::Closed => (
            Outcome::TlsError,
            "the server closed the connection during the TLS handshake".to_string(),
        ),
        HandshakeFailure::NotTls => (Outcome::TlsError, NOT_TLS.to_string()),
        HandshakeFailure::Failed(text) => (Outcome::TlsError, text),
    };
    report.fail(outcome, stage, text);
}

/// Classify a failed dialogue step.
fn fail_step(
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
        StepError::Conn(ConnError::Io(e)) if encrypted => {
            (Outcome::TlsError, format!("the TLS session failed: {e}"))
        }
        StepError::Conn(ConnError::Io(e)) => {
            (Outcome::Closed, format!("the connection failed: {e}"))
        }
        StepError::NotProtocol(text) => (Outcome::NotProtocol, text),
        StepError::Rejected(text) => (Outcome::Closed, text),
    };
    report.fail(outcome, stage, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// Two servers that accept and never speak, and their targets.
    async fn tarpits() -> (Vec<TcpListener>, Vec<Target>) {
        let mut listeners = Vec::new();
        let mut targets = Vec::new();
        for _ in 0..2 {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            targets.push(Target {
                host: "127.0.0.1".into(),
                port: listener.local_addr().unwrap().port(),
                protocol: Protocol::Imap,
                // Implicit TLS: the silent handshake is the only wait (no HTTP nudge).
                security: Some(Security::Tls),
            });
            listeners.push(listener);
        }
        (listeners, targets)
    }

    fn prober(concurrency: usize) -> Prober {
        let options = ProbeOptions {
            step_timeout: Duration::from_millis(300),
            concurrency,
            ..ProbeOptions::default()
        };
        let tls = TlsContext::new(None).unwrap();
        Prober::new(Arc::new(Dns::system(options.step_timeout)), tls, options)
    }

    #[tokio::test]
    async fn the_concurrency_limit_is_honoured() {
        // The kernel completes the TCP handshake without accept(), so these are tarpits.
        let (_listeners, targets) = tarpits().await;
        let deadline = Instant::now() + Duration::from_secs(10);

        let started = Instant::now();
        let reports = prober(2).probe_all(&targets, deadline).await;
        let together = started.elapsed();
        assert!(
            reports.iter().all(|r| r.outcome == Outcome::Silent),
            "{reports:?}"
        );

        let started = Instant::now();
        prober(1).probe_all(&targets, deadline).await;
        let one_at_a_time = started.elapsed();

        assert!(together < Duration::from_millis(580), "{together:?}");
        assert!(
            one_at_a_time >= Duration::from_millis(600),
            "{one_at_a_time:?}"
        );
    }

    #[tokio::test]
    async fn the_overall_deadline_cuts_every_stage() {
        let (_listeners, targets) = tarpits().await;
        let started = Instant::now();
        let report = prober(4)
            .probe(&targets[0], Instant::now() + Duration::from_millis(100))
            .await;
        assert!(
            started.elapsed() < Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(report.outcome, Outcome::Silent);
    }
}
