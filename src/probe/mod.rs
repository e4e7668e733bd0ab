//! The probe engine: connect to a mail server, find out what it really offers, and
//! classify every way that can fail.
//!
//! One probe is a fixed sequence of stages (resolve, connect, TLS, greeting,
//! capabilities, STARTTLS, TLS, capabilities again), walked in `attempt.rs` for every
//! protocol alike; what differs per protocol is its [`Dialogue`] (`imap.rs`, `pop3.rs`,
//! `smtp.rs`). Every stage has its own deadline, capped by the caller's overall deadline
//! (name resolution included), so a probe ends on time by itself and can say which stage a
//! timeout happened in. No credentials are ever sent.

mod attempt;
mod classify;
pub mod conn;
pub mod dialogue;
pub mod host_limit;
pub mod imap;
pub mod legacy;
pub mod lines;
pub mod login;
pub mod outcome;
pub mod pop3;
pub mod smtp;
pub mod tls;

use crate::dns::Dns;
use crate::model::{Protocol, Security};
use attempt::{Attempt, Attempted};
use conn::Limits;
pub use dialogue::Dialogue;
pub use outcome::{EndpointReport, Outcome, Stage};
use std::sync::Arc;
use std::time::Duration;
use tls::TlsContext;
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
    /// At most so many probes of one server at once (`batch`); None: no such limit.
    host_limit: Option<Arc<host_limit::HostLimit>>,
}

impl Prober {
    pub fn new(dns: Arc<Dns>, tls: TlsContext, options: ProbeOptions) -> Prober {
        let slots = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
        Prober {
            dns,
            tls,
            options,
            slots,
            host_limit: None,
        }
    }

    /// Probe no server more than `limit` allows at once, whichever caller asks.
    pub fn with_host_limit(mut self, limit: Arc<host_limit::HostLimit>) -> Prober {
        self.host_limit = Some(limit);
        self
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
        // Wait for the server's own slot, then a free slot: the time spent queueing is not
        // the server's, and an endpoint still queued at the deadline was never tried.
        // (In this order, a probe waiting for a busy server holds none of the shared slots.)
        let host_slot = match &self.host_limit {
            Some(limit) => {
                let key = self.host_key(&target.host, deadline).await;
                tokio::time::timeout_at(deadline, limit.acquire(key))
                    .await
                    .map(Some)
            }
            None => Ok(None),
        };
        let Ok(_host_slot) = host_slot else {
            return not_tried(target);
        };
        let slot = tokio::time::timeout_at(deadline, self.slots.acquire()).await;
        let Ok(Ok(_slot)) = slot else {
            return not_tried(target);
        };
        let started = Instant::now();
        let guard = tokio::time::timeout_at(
            deadline + Duration::from_millis(250),
            self.probe_unfamiliar_twice(target, deadline),
        )
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

    /// What the per-server limit counts `host` by: its first address (the one connected to
    /// first; the lookup is cached, so the probe's own costs nothing more), else its name.
    async fn host_key(&self, host: &str, deadline: Instant) -> host_limit::HostKey {
        let lookup = tokio::time::timeout_at(deadline, self.dns.ips(host)).await;
        match lookup {
            Ok(Ok(ips)) if !ips.is_empty() => host_limit::HostKey::Address(ips[0]),
            _ => host_limit::HostKey::Name(host.to_ascii_lowercase()),
        }
    }

    /// One attempt, and a second one in the clear when the security was left to the
    /// engine on an unfamiliar port and the TLS attempt met plain text: it is a plaintext
    /// or STARTTLS port, so it is asked again the other way.
    async fn probe_unfamiliar_twice(&self, target: &Target, deadline: Instant) -> EndpointReport {
        let attempted = self
            .attempt(target, starts_with_tls(target), deadline)
            .await;
        let guessing = target.security.is_none() && !is_known_port(target.protocol, target.port);
        if guessing && attempted.answered_in_clear {
            return self.attempt(target, false, deadline).await.report;
        }
        attempted.report
    }

    /// The one place the protocol picks its dialogue; the stages are the same for all.
    async fn attempt(&self, target: &Target, implicit: bool, deadline: Instant) -> Attempted {
        match target.protocol {
            Protocol::Imap => {
                Attempt::new(self, &imap::Imap, target, implicit, deadline)
                    .run()
                    .await
            }
            Protocol::Pop3 => {
                Attempt::new(self, &pop3::Pop3, target, implicit, deadline)
                    .run()
                    .await
            }
            Protocol::Smtp => {
                Attempt::new(self, &smtp::Smtp, target, implicit, deadline)
                    .run()
                    .await
            }
        }
    }
}

/// The report of an endpoint still queued at the deadline.
fn not_tried(target: &Target) -> EndpointReport {
    let mut r = EndpointReport::new(&target.host, target.port, target.protocol);
    r.fail(Outcome::NotTried, Stage::Connect, classify::NOT_TRIED);
    r
}

/// Whether the first attempt starts with a TLS handshake: as asked; left to the engine,
/// on the RFC 8314 implicit-TLS ports, and on an unfamiliar port (where a TLS server
/// would wait for our hello in silence, while a plaintext one answers it in the clear).
fn starts_with_tls(target: &Target) -> bool {
    match target.security {
        Some(security) => security == Security::Tls,
        None => {
            !is_known_port(target.protocol, target.port)
                || target.protocol.default_security(target.port) == Security::Tls
        }
    }
}

/// Whether `port` is one of the protocol's standard ports (where the security is known).
fn is_known_port(protocol: Protocol, port: u16) -> bool {
    protocol.standard_ports().contains(&port)
}

pub use outcome::millis;

/// A connection brought to where a client logs in (greeting, capabilities, TLS, the
/// capabilities after TLS), for `check`. Nothing has been sent that a probe would not send.
pub struct Session {
    pub protocol: Protocol,
    conn: conn::Conn,
    /// What the server offers on this connection (after TLS when TLS was used).
    pub caps: dialogue::Capabilities,
}

impl Session {
    /// The one login attempt; see [`Dialogue::login`].
    pub async fn login(
        &mut self,
        mechanism: login::Mechanism,
        credentials: &login::Credentials,
        deadline: Instant,
    ) -> Result<login::LoginReply, dialogue::StepError> {
        let (conn, caps) = (&mut self.conn, &self.caps);
        match self.protocol {
            Protocol::Imap => {
                imap::Imap
                    .login(conn, caps, mechanism, credentials, deadline)
                    .await
            }
            Protocol::Pop3 => {
                pop3::Pop3
                    .login(conn, caps, mechanism, credentials, deadline)
                    .await
            }
            Protocol::Smtp => {
                smtp::Smtp
                    .login(conn, caps, mechanism, credentials, deadline)
                    .await
            }
        }
    }

    /// Say goodbye (LOGOUT, QUIT) and close, without waiting long for the reply.
    pub async fn close(mut self) {
        let goodbye = match self.protocol {
            Protocol::Imap => imap::Imap.goodbye(),
            Protocol::Pop3 => pop3::Pop3.goodbye(),
            Protocol::Smtp => smtp::Smtp.goodbye(),
        };
        let deadline = Instant::now() + Duration::from_millis(500);
        let _ = self.conn.write(goodbye, deadline).await;
        // Read the goodbye's answer briefly, so the server sees a clean end of session.
        let _ = self.conn.read_line(deadline).await;
        self.conn.shutdown().await;
    }
}

impl Prober {
    /// Walk `target` as a probe does, with the security given (never guessed), and keep
    /// the connection open when the walk succeeds. The report says what happened either
    /// way; the session is None when a stage failed.
    pub async fn open(
        &self,
        target: &Target,
        deadline: Instant,
    ) -> (EndpointReport, Option<Session>) {
        let implicit = starts_with_tls(target);
        let started = Instant::now();
        let attempted = match target.protocol {
            Protocol::Imap => {
                Attempt::new(self, &imap::Imap, target, implicit, deadline)
                    .keeping_open()
                    .run()
                    .await
            }
            Protocol::Pop3 => {
                Attempt::new(self, &pop3::Pop3, target, implicit, deadline)
                    .keeping_open()
                    .run()
                    .await
            }
            Protocol::Smtp => {
                Attempt::new(self, &smtp::Smtp, target, implicit, deadline)
                    .keeping_open()
                    .run()
                    .await
            }
        };
        let mut report = attempted.report;
        report.timings.total_ms = millis(started.elapsed());
        let session = attempted.session.map(|(conn, caps)| Session {
            protocol: target.protocol,
            conn,
            caps,
        });
        (report, session)
    }
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

    fn imap_tls(host: &str, port: u16) -> Target {
        Target {
            host: host.into(),
            port,
            protocol: Protocol::Imap,
            security: Some(Security::Tls),
        }
    }

    /// Regression: with the deadline gone before the first connect, the endpoint used to be
    /// reported `ok` with no security.
    #[tokio::test]
    async fn a_connect_never_started_is_not_tried() {
        let (_listeners, targets) = tarpits().await;
        let mut report = EndpointReport::new("127.0.0.1", targets[0].port, Protocol::Imap);
        let ips = ["127.0.0.1".parse().unwrap()];
        let past = Instant::now() - Duration::from_millis(1);
        let tcp = attempt::connect_any(&ips, targets[0].port, past, &mut report).await;
        assert!(tcp.is_none());
        assert_eq!(report.outcome, Outcome::NotTried);
        assert_eq!(report.stage, Some(Stage::Connect));
        assert_eq!(report.security, None);

        // The same through the whole engine, with the deadline already gone.
        let report = prober(4).probe(&targets[0], Instant::now()).await;
        assert_eq!(report.outcome, Outcome::NotTried, "{report:?}");
        assert!(!report.is_ok());
    }

    /// Regression: an endpoint still waiting for a probe slot at the deadline used to be a
    /// `timeout` at `connect`, as if the server had not answered.
    #[tokio::test]
    async fn waiting_for_a_slot_past_the_deadline_is_not_tried() {
        let (_listeners, targets) = tarpits().await;
        let deadline = Instant::now() + Duration::from_millis(200);
        let reports = prober(1).probe_all(&targets, deadline).await;
        assert_eq!(reports[0].outcome, Outcome::Silent, "{:?}", reports[0]);
        assert_eq!(reports[1].outcome, Outcome::NotTried, "{:?}", reports[1]);
        assert_eq!(
            reports[1].error.as_deref(),
            Some("not tried: the overall deadline passed first")
        );
    }

    /// Regression: name resolution used to wait for the resolver's own timeout, whatever
    /// the step and the overall deadline said.
    #[tokio::test]
    async fn name_resolution_is_capped_by_the_step() {
        // A name server that never answers, over UDP or TCP, and a resolver patient for 10 s.
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let _udp = tokio::net::UdpSocket::bind(addr).await.unwrap();
        let dns = Dns::with_server(addr, Duration::from_secs(10)).unwrap();
        let options = ProbeOptions {
            step_timeout: Duration::from_millis(300),
            ..ProbeOptions::default()
        };
        let prober = Prober::new(Arc::new(dns), TlsContext::new(None).unwrap(), options);
        let started = Instant::now();
        let report = prober
            .probe(
                &imap_tls("imap.example.test", 993),
                Instant::now() + Duration::from_secs(10),
            )
            .await;
        assert!(
            started.elapsed() < Duration::from_millis(1000),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(report.outcome, Outcome::DnsError, "{report:?}");
        assert_eq!(report.stage, Some(Stage::Resolve));
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
