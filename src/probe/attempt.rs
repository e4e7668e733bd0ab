//! One attempt at one endpoint, stage by stage: resolve, connect, implicit TLS, greeting
//! (with the HTTP nudge), capabilities, STARTTLS and its handshake, capabilities after
//! TLS, goodbye.
//!
//! Every stage has its own deadline, capped by the overall one, and records its timing.
//! A stage that fails records the failure in the report and returns None, which ends the
//! walk: the first failure is the one reported. The protocol's part of each stage comes
//! from its [`Dialogue`]; failures are worded in `classify.rs`.

use super::classify::{self, NOT_TRIED};
use super::conn::{Conn, ConnError, Stream};
use super::dialogue::{self, Capabilities, Dialogue, Greeting, StepError};
use super::legacy::{self, ServerAnswer};
use super::outcome::{EndpointReport, Outcome, Stage, Symptom, millis};
use super::tls::{self, HandshakeFailure};
use super::{MAX_ADDRESSES, Prober, Target};
use crate::dns::DnsFailure;
use crate::model::Security;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// How much of the greeting step is kept for asking a silent server in HTTP.
const NUDGE_WINDOW: Duration = Duration::from_millis(500);

/// The longest a goodbye may take: the report is complete by then.
const GOODBYE_WAIT: Duration = Duration::from_millis(200);

/// What an attempt found.
pub(super) struct Attempted {
    pub report: EndpointReport,
    /// The TLS handshake met a plaintext answer: on an unfamiliar port the engine then
    /// asks again without TLS.
    pub answered_in_clear: bool,
    /// The connection, still open after the last capabilities, when it was asked to be
    /// kept (`check` logs in on it); a probe always says goodbye.
    pub session: Option<(Conn, Capabilities)>,
}

pub(super) struct Attempt<'a, D: Dialogue> {
    prober: &'a Prober,
    dialogue: &'a D,
    target: &'a Target,
    /// Start TLS at once (implicit TLS) rather than after the greeting.
    implicit: bool,
    deadline: Instant,
    report: EndpointReport,
    answered_in_clear: bool,
    keep_open: bool,
    session: Option<(Conn, Capabilities)>,
}

impl<'a, D: Dialogue> Attempt<'a, D> {
    pub fn new(
        prober: &'a Prober,
        dialogue: &'a D,
        target: &'a Target,
        implicit: bool,
        deadline: Instant,
    ) -> Self {
        Attempt {
            prober,
            dialogue,
            target,
            implicit,
            deadline,
            report: EndpointReport::new(&target.host, target.port, target.protocol),
            answered_in_clear: false,
            keep_open: false,
            session: None,
        }
    }

    /// Keep the connection open at the end of a successful walk instead of saying goodbye,
    /// and hand it over in [`Attempted::session`].
    pub fn keeping_open(mut self) -> Self {
        self.keep_open = true;
        self
    }

    pub async fn run(mut self) -> Attempted {
        // None means a stage failed and said so in the report.
        let _ = self.walk().await;
        Attempted {
            report: self.report,
            answered_in_clear: self.answered_in_clear,
            session: self.session,
        }
    }

    async fn walk(&mut self) -> Option<()> {
        let ips = self.resolve().await?;
        let tcp = self.connect(&ips).await?;
        let client_name = client_name(&tcp);
        let mut conn = if self.implicit {
            self.implicit_tls(tcp).await?
        } else {
            self.conn(Stream::Plain(tcp))
        };
        let greeting = self.greeting(&mut conn).await?;
        let caps = self
            .capabilities(
                &mut conn,
                Some(&greeting),
                &client_name,
                Stage::Capabilities,
            )
            .await?;
        if self.implicit {
            self.complete(conn, caps, Security::Tls).await;
            return Some(());
        }
        self.report.capabilities_before_tls = caps.list.clone();
        self.report.auth_before_tls = caps.auth.clone();
        self.report.starttls.offered = caps.starttls;
        if !self.wants_upgrade(&caps) {
            self.complete(conn, caps, Security::Plain).await;
            return Some(());
        }
        if !caps.starttls {
            self.starttls_not_offered(&caps);
            self.goodbye(conn).await;
            return None;
        }
        let mut conn = self.starttls(conn).await?;
        // Capabilities again: what a server lists before TLS must never be trusted
        // (RFC 3207 §4.2, RFC 2595 §3.1), and AUTH usually appears only now.
        let caps = self
            .capabilities(&mut conn, None, &client_name, Stage::CapabilitiesAfterTls)
            .await?;
        self.complete(conn, caps, Security::Starttls).await;
        Some(())
    }

    /// The walk succeeded: record what the final connection offers, then say goodbye, or
    /// keep the connection for the caller when asked to.
    async fn complete(&mut self, conn: Conn, caps: Capabilities, security: Security) {
        self.finish(&caps, security);
        if self.keep_open {
            self.session = Some((conn, caps));
        } else {
            self.goodbye(conn).await;
        }
    }

    /// The deadline of a step that starts at `now`.
    fn step(&self, now: Instant) -> Instant {
        (now + self.prober.options.step_timeout).min(self.deadline)
    }

    fn secs(&self) -> f64 {
        self.prober.options.step_timeout.as_secs_f64()
    }

    fn fail_step(&mut self, stage: Stage, error: StepError, encrypted: bool) {
        let secs = self.secs();
        classify::fail_step(&mut self.report, stage, error, secs, encrypted);
    }

    fn fail_handshake(&mut self, stage: Stage, failure: &HandshakeFailure) {
        let secs = self.secs();
        classify::fail_handshake(&mut self.report, stage, failure, secs);
    }

    fn conn(&self, stream: Stream) -> Conn {
        Conn::new(stream, self.prober.options.limits)
    }

    /// The host's addresses. The resolver has a timeout of its own, but the overall
    /// deadline may come sooner, so the lookup is a step like any other.
    async fn resolve(&mut self) -> Option<Vec<IpAddr>> {
        let t = Instant::now();
        let host = &self.target.host;
        let looked_up = timeout_at(self.step(t), self.prober.dns.ips(host)).await;
        self.report.timings.resolve_ms = Some(millis(t.elapsed()));
        let failure = match looked_up {
            Ok(Ok(ips)) if !ips.is_empty() => return Some(ips),
            Ok(Ok(_)) | Ok(Err(DnsFailure::NoSuchName)) => {
                format!("{host} does not resolve to an address")
            }
            Ok(Err(other)) => format!("cannot resolve {host}: {other}"),
            Err(_) => format!("cannot resolve {host}: {}", DnsFailure::Timeout),
        };
        self.report.fail(Outcome::DnsError, Stage::Resolve, failure);
        None
    }

    async fn connect(&mut self, ips: &[IpAddr]) -> Option<TcpStream> {
        let t = Instant::now();
        let tcp = connect_any(ips, self.target.port, self.step(t), &mut self.report).await?;
        self.report.timings.connect_ms = Some(millis(t.elapsed()));
        Some(tcp)
    }

    async fn implicit_tls(&mut self, tcp: TcpStream) -> Option<Conn> {
        self.report.implicit_tls = true;
        let t = Instant::now();
        let handshake = self
            .prober
            .tls
            .handshake(tcp, &self.target.host, self.step(t))
            .await;
        self.report.timings.tls_handshake_ms = Some(millis(t.elapsed()));
        match handshake {
            Ok((tls, info)) => {
                self.report.tls = Some(info);
                Some(self.conn(Stream::Tls(Box::new(tls))))
            }
            Err(failure) => {
                self.fail_handshake(Stage::TlsHandshake, &failure);
                let symptom = self.implicit_tls_symptom(&failure).await;
                self.note(symptom);
                None
            }
        }
    }

    /// What a failed implicit-TLS handshake shows about the server: a plaintext greeting
    /// (the port is misconfigured), or only TLS older than 1.2.
    async fn implicit_tls_symptom(&mut self, failure: &HandshakeFailure) -> Option<Symptom> {
        match failure {
            HandshakeFailure::NotTls { first_bytes } => {
                self.answered_in_clear = true;
                self.plaintext_greeting(first_bytes)
            }
            HandshakeFailure::Incompatible { first_bytes, .. } => {
                self.obsolete_tls(Some(first_bytes)).await
            }
            // Some old servers close on a hello they do not understand.
            HandshakeFailure::Closed => self.obsolete_tls(None).await,
            HandshakeFailure::Timeout | HandshakeFailure::Stalled | HandshakeFailure::Failed(_) => {
                None
            }
        }
    }

    /// The server's first line, when it is this protocol's greeting and the port is one of
    /// the implicit-TLS ports (993, 995, 465): a plaintext listener where TLS belongs.
    /// On other ports (an unfamiliar one tried with TLS first) it means nothing.
    ///
    /// The line is read from the bytes rustls received (see `conn::Tap`): the evidence of
    /// this very failure, at no cost of a second connection.
    fn plaintext_greeting(&self, first_bytes: &[u8]) -> Option<Symptom> {
        let (protocol, port) = (self.target.protocol, self.target.port);
        if protocol.default_security(port) != Security::Tls {
            return None;
        }
        let text = String::from_utf8_lossy(first_bytes);
        let line = text.split('\n').next()?.trim_end_matches('\r');
        self.dialogue
            .is_greeting(line)
            .then(|| Symptom::PlaintextOnTlsPort {
                greeting: dialogue::excerpt(line, 300),
            })
    }

    /// Record a symptom; an obsolete TLS version also makes the error say so.
    fn note(&mut self, symptom: Option<Symptom>) {
        if let Some(Symptom::ObsoleteTls { version, .. }) = &symptom {
            self.report.error = Some(format!(
                "the server offers only {version}, which current mail clients refuse \
                 (RFC 8996): it must enable TLS 1.2 or later"
            ));
        }
        self.report.symptom = symptom;
    }

    /// The greeting. A plaintext server still silent near the end of the step may be one
    /// that waits for the client (HTTP): it is asked once, within the same step, so a
    /// silent port still costs one timeout.
    async fn greeting(&mut self, conn: &mut Conn) -> Option<Greeting> {
        let t = Instant::now();
        let end = self.step(t);
        let greeting = match self.nudge_at(t, end) {
            Some(ask_at) => self.greeting_or_nudge(conn, t, ask_at, end).await?,
            None => self.dialogue.greeting(conn, end).await,
        };
        self.report.timings.greeting_ms = Some(millis(t.elapsed()));
        match greeting {
            Ok(greeting) => {
                self.report.greeting = Some(greeting.text.clone());
                Some(greeting)
            }
            Err(e) => {
                let encrypted = self.implicit;
                self.fail_step(Stage::Greeting, e, encrypted);
                None
            }
        }
    }

    /// When to ask a still-silent server in HTTP: the last quarter of the step, at most
    /// [`NUDGE_WINDOW`]. Never on TLS: a TLS server has already answered our hello.
    fn nudge_at(&self, start: Instant, end: Instant) -> Option<Instant> {
        if self.implicit {
            return None;
        }
        let window = (self.prober.options.step_timeout / 4).min(NUDGE_WINDOW);
        end.checked_sub(window).filter(|at| *at > start)
    }

    /// Wait for the greeting until `ask_at`; then a silent server is asked in HTTP, and a
    /// server midway through its greeting gets the rest of the step. None when the
    /// nudge's answer settled the matter (recorded in the report).
    async fn greeting_or_nudge(
        &mut self,
        conn: &mut Conn,
        start: Instant,
        ask_at: Instant,
        end: Instant,
    ) -> Option<Result<Greeting, StepError>> {
        match self.dialogue.greeting(conn, ask_at).await {
            Err(StepError::Conn(ConnError::Timeout { received: 0 })) => {
                let Some(line) = nudge(conn, end).await else {
                    return Some(Err(ConnError::Timeout { received: 0 }.into()));
                };
                self.report.timings.greeting_ms = Some(millis(start.elapsed()));
                self.nudge_answered(&line);
                None
            }
            Err(StepError::Conn(ConnError::Timeout { .. })) => {
                Some(self.dialogue.greeting(conn, end).await)
            }
            other => Some(other),
        }
    }

    /// The answer to the HTTP nudge: a greeting that came too late to use, or another kind
    /// of service that speaks only when spoken to.
    fn nudge_answered(&mut self, line: &str) {
        let (outcome, text) = if self.dialogue.is_greeting(line) {
            (
                Outcome::Timeout,
                format!(
                    "the server greeted only at the very end of the {}s limit",
                    self.secs()
                ),
            )
        } else {
            (
                Outcome::NotProtocol,
                format!(
                    "{} (it waited for the client to speak first)",
                    dialogue::identify_foreign(line)
                ),
            )
        };
        self.report.fail(outcome, Stage::Greeting, text);
    }

    async fn capabilities(
        &mut self,
        conn: &mut Conn,
        greeting: Option<&Greeting>,
        client_name: &str,
        stage: Stage,
    ) -> Option<Capabilities> {
        let t = Instant::now();
        let caps = self
            .dialogue
            .capabilities(conn, greeting, client_name, self.step(t))
            .await;
        let elapsed = Some(millis(t.elapsed()));
        let after_tls = stage == Stage::CapabilitiesAfterTls;
        if after_tls {
            self.report.timings.capabilities_after_tls_ms = elapsed;
        } else {
            self.report.timings.capabilities_ms = elapsed;
        }
        let encrypted = after_tls || self.implicit;
        caps.map_err(|e| self.fail_step(stage, e, encrypted)).ok()
    }

    /// Whether to start TLS on a plaintext connection: when asked to; left to decide, when
    /// the server offers it.
    fn wants_upgrade(&self, caps: &Capabilities) -> bool {
        match self.target.security {
            Some(Security::Plain) => false,
            Some(_) => true,
            None => caps.starttls,
        }
    }

    /// Asked for STARTTLS explicitly where it is not offered: say so rather than fall back
    /// to plain text.
    fn starttls_not_offered(&mut self, caps: &Capabilities) {
        self.report.capabilities = caps.list.clone();
        self.report.auth = caps.auth.clone();
        self.report.login_disabled = caps.login_disabled;
        self.report.fail(
            Outcome::TlsError,
            Stage::Starttls,
            "the server does not offer STARTTLS",
        );
    }

    /// STARTTLS and the handshake that follows, on a connection whose server offered it.
    async fn starttls(&mut self, mut conn: Conn) -> Option<Conn> {
        let t = Instant::now();
        self.report.starttls.succeeded = Some(false);
        if let Err(e) = self.dialogue.starttls(&mut conn, self.step(t)).await {
            // Refused: the server said no, which is a plain fact, not a symptom.
            self.report.timings.starttls_ms = Some(millis(t.elapsed()));
            match e {
                StepError::Rejected(text) => {
                    self.report.fail(Outcome::TlsError, Stage::Starttls, text)
                }
                other => self.fail_step(Stage::Starttls, other, false),
            }
            return None;
        }
        let tcp = match conn.into_plain_for_upgrade() {
            Ok(tcp) => tcp,
            Err(why) => {
                self.report.fail(Outcome::TlsError, Stage::Starttls, why);
                self.note(Some(Symptom::StarttlsBroken));
                return None;
            }
        };
        let host = &self.target.host;
        let handshake = self
            .prober
            .tls
            .handshake(tcp, host, self.step(Instant::now()))
            .await;
        self.report.timings.starttls_ms = Some(millis(t.elapsed()));
        match handshake {
            Ok((tls, info)) => {
                self.report.tls = Some(info);
                self.report.starttls.succeeded = Some(true);
                Some(self.conn(Stream::Tls(Box::new(tls))))
            }
            Err(failure) => {
                self.fail_handshake(Stage::Starttls, &failure);
                let symptom = self.starttls_symptom(&failure).await;
                self.note(Some(symptom));
                None
            }
        }
    }

    /// The server agreed to STARTTLS and the handshake then failed: the upgrade is broken
    /// (or something in between strips it), unless the server speaks only obsolete TLS.
    async fn starttls_symptom(&self, failure: &HandshakeFailure) -> Symptom {
        let obsolete = match failure {
            HandshakeFailure::Incompatible { first_bytes, .. } => {
                self.obsolete_tls(Some(first_bytes)).await
            }
            HandshakeFailure::Closed => self.obsolete_tls(None).await,
            _ => None,
        };
        obsolete.unwrap_or(Symptom::StarttlsBroken)
    }

    /// Whether the server speaks only TLS older than 1.2, with the version it chose and
    /// the certificate it sent in clear. `first_bytes` is what it answered rustls.
    async fn obsolete_tls(&self, first_bytes: Option<&[u8]>) -> Option<Symptom> {
        let answer = self.legacy_answer(self.step(Instant::now())).await;
        let first = first_bytes.and_then(legacy::read_answer).map(|(a, _)| a);
        let version = legacy::obsolete_version(answer.as_ref(), first.as_ref())?;
        let chain = answer.map(|a| a.chain).unwrap_or_default();
        Some(Symptom::ObsoleteTls {
            version: tls::version_name(version),
            certificate: self.prober.tls.judge_der_chain(&chain, &self.target.host),
            key_bits: chain.first().and_then(|leaf| tls::public_key_bits(leaf)),
        })
    }

    /// The server's answer to a legacy ClientHello (see `legacy`), on a fresh connection
    /// to the address that answered, brought to where TLS starts: at once on an
    /// implicit-TLS port, after STARTTLS on the others. One step's time in all.
    async fn legacy_answer(&self, deadline: Instant) -> Option<ServerAnswer> {
        let addr = SocketAddr::new(self.report.address?, self.target.port);
        let tcp = timeout_at(deadline, TcpStream::connect(addr))
            .await
            .ok()?
            .ok()?;
        let tcp = if self.implicit {
            tcp
        } else {
            self.reach_starttls(tcp, deadline).await?
        };
        let hello = legacy::client_hello(&self.target.host, &tls::random_bytes());
        legacy::exchange(tcp, &hello, deadline).await
    }

    /// Greeting, capabilities (SMTP wants EHLO before STARTTLS) and STARTTLS again; the
    /// plain stream, ready for a handshake.
    async fn reach_starttls(&self, tcp: TcpStream, deadline: Instant) -> Option<TcpStream> {
        let client_name = client_name(&tcp);
        let mut conn = self.conn(Stream::Plain(tcp));
        let greeting = self.dialogue.greeting(&mut conn, deadline).await.ok()?;
        self.dialogue
            .capabilities(&mut conn, Some(&greeting), &client_name, deadline)
            .await
            .ok()?;
        self.dialogue.starttls(&mut conn, deadline).await.ok()?;
        conn.into_plain_for_upgrade().ok()
    }

    fn finish(&mut self, caps: &Capabilities, security: Security) {
        self.report.capabilities = caps.list.clone();
        self.report.auth = caps.auth.clone();
        self.report.login_disabled = caps.login_disabled;
        self.report.security = Some(security);
    }

    /// Say goodbye and close, without waiting for the server's reply: the report is
    /// complete, and a slow or silent goodbye must not hold it up.
    async fn goodbye(&self, mut conn: Conn) {
        let deadline = self.step(Instant::now()).min(Instant::now() + GOODBYE_WAIT);
        let _ = conn.write(self.dialogue.goodbye(), deadline).await;
        conn.shutdown().await;
    }
}

/// The address literal of our end of the connection, for SMTP's EHLO (RFC 5321 §4.1.4).
fn client_name(tcp: &TcpStream) -> String {
    match tcp.local_addr() {
        Ok(SocketAddr::V4(a)) => format!("[{}]", a.ip()),
        Ok(SocketAddr::V6(a)) => format!("[IPv6:{}]", a.ip()),
        Err(_) => "[127.0.0.1]".to_string(),
    }
}

/// A server that stays silent may be one that waits for the client to speak first (HTTP,
/// most notably). Ask it in HTTP; its first line, or None when it stays silent.
async fn nudge(conn: &mut Conn, deadline: Instant) -> Option<String> {
    conn.write(b"HEAD / HTTP/1.0\r\n\r\n", deadline)
        .await
        .ok()?;
    conn.read_line(deadline).await.ok()
}

/// Connect to the first address that accepts, all within `stage_deadline`: a refused
/// address costs nothing and the next is tried; one that hangs uses up the budget, so a
/// port that never answers costs one timeout however many addresses the name has. The
/// failure recorded is the first address's: it is the one a client tries first too. When
/// the deadline has passed before any attempt, the endpoint was not tried.
pub(super) async fn connect_any(
    ips: &[IpAddr],
    port: u16,
    stage_deadline: Instant,
    report: &mut EndpointReport,
) -> Option<TcpStream> {
    let mut first_failure = None;
    for ip in ips.iter().take(MAX_ADDRESSES) {
        if Instant::now() >= stage_deadline {
            break;
        }
        let addr = SocketAddr::new(*ip, port);
        report.address = Some(*ip);
        let failure = match timeout_at(stage_deadline, TcpStream::connect(addr)).await {
            Ok(Ok(tcp)) => {
                let _ = tcp.set_nodelay(true);
                return Some(tcp);
            }
            Ok(Err(e)) => classify::connect_error(addr, &e),
            Err(_) => classify::connect_timeout(addr),
        };
        first_failure.get_or_insert(failure);
    }
    report.address = ips.first().copied();
    let (outcome, text) = first_failure.unwrap_or((Outcome::NotTried, NOT_TRIED.to_string()));
    report.fail(outcome, Stage::Connect, text);
    None
}
