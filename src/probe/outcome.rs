//! What a probe found out about one endpoint. A failed probe is a value, not an error:
//! every way a server can fail to answer has its own [`Outcome`] and the [`Stage`] it
//! happened in.

use crate::model::{Protocol, Security};
use serde::Serialize;
use std::net::IpAddr;

/// A duration in milliseconds, to 0.1 ms: how every timing in a report is written.
pub fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// The classified result of probing one host and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The server spoke the protocol and the dialogue completed.
    Ok,
    /// The connection was actively refused (nothing listens on the port).
    Refused,
    /// A step did not finish in time (a filtered port, or a server that started to
    /// answer and then stalled).
    Timeout,
    /// The connection opened but the server never sent a byte.
    Silent,
    /// The server closed the connection before the dialogue completed, or refused the
    /// session in its greeting.
    Closed,
    /// Something answered, but not this protocol (an HTTP or SMTP server on an IMAP port,
    /// binary garbage, an endless line).
    NotProtocol,
    /// The TLS handshake (implicit or after STARTTLS) failed, or STARTTLS was required and
    /// is not offered.
    TlsError,
    /// The host name could not be resolved.
    DnsError,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Timeout => "timeout",
            Outcome::Silent => "silent",
            Outcome::Closed => "closed",
            Outcome::NotProtocol => "not-protocol",
            Outcome::TlsError => "tls-error",
            Outcome::DnsError => "dns-error",
        }
    }
}

/// The step of the dialogue a failure happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Resolve,
    Connect,
    TlsHandshake,
    Greeting,
    Capabilities,
    Starttls,
    CapabilitiesAfterTls,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Resolve => "resolve",
            Stage::Connect => "connect",
            Stage::TlsHandshake => "tls-handshake",
            Stage::Greeting => "greeting",
            Stage::Capabilities => "capabilities",
            Stage::Starttls => "starttls",
            Stage::CapabilitiesAfterTls => "capabilities-after-tls",
        }
    }
}

/// Milliseconds spent in each stage; absent stages were not reached.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolve_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_handshake_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greeting_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities_ms: Option<f64>,
    /// The STARTTLS command and the TLS handshake that follows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starttls_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities_after_tls_ms: Option<f64>,
    pub total_ms: f64,
}

/// What the presented certificate says and whether it can be trusted for this host.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CertificateInfo {
    /// The DNS names and IP addresses the certificate is valid for (SAN, else the CN).
    pub names: Vec<String>,
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    pub self_signed: bool,
    /// True when the chain leads to a trusted root, is in date, and names this host.
    pub verified: bool,
    /// Why verification failed, in words a person understands.
    pub error: Option<String>,
    /// A stable keyword for scripts: expired, not-yet-valid, name-mismatch, self-signed,
    /// unknown-issuer, invalid.
    pub error_kind: Option<String>,
    /// Certificates the server sent, leaf first.
    pub chain_length: usize,
}

/// The TLS session that was negotiated.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TlsInfo {
    /// "TLSv1.3", "TLSv1.2".
    pub version: String,
    pub cipher_suite: String,
    pub certificate: Option<CertificateInfo>,
}

/// Whether STARTTLS was on offer and what happened when it was used.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StarttlsInfo {
    pub offered: bool,
    /// None when it was not attempted.
    pub succeeded: Option<bool>,
}

/// Everything learnt about one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointReport {
    pub host: String,
    pub port: u16,
    pub protocol: Protocol,
    /// The address the connection went to.
    pub address: Option<IpAddr>,
    pub outcome: Outcome,
    /// The stage a failure happened in; None when the outcome is ok.
    pub stage: Option<Stage>,
    /// What went wrong, for a person.
    pub error: Option<String>,
    /// What the working connection used; None when no dialogue completed.
    pub security: Option<Security>,
    pub implicit_tls: bool,
    pub starttls: StarttlsInfo,
    pub greeting: Option<String>,
    /// Capabilities before TLS (empty on implicit TLS ports).
    pub capabilities_before_tls: Vec<String>,
    /// Capabilities on the final connection: after TLS when TLS was established.
    pub capabilities: Vec<String>,
    /// SASL mechanisms offered before TLS.
    pub auth_before_tls: Vec<String>,
    /// SASL mechanisms offered on the final connection (after TLS when TLS was used).
    pub auth: Vec<String>,
    /// IMAP LOGINDISABLED (or no USER/SASL in POP3): a password cannot be sent on this connection.
    pub login_disabled: bool,
    pub tls: Option<TlsInfo>,
    pub timings: Timings,
}

impl EndpointReport {
    pub fn new(host: &str, port: u16, protocol: Protocol) -> EndpointReport {
        EndpointReport {
            host: host.to_string(),
            port,
            protocol,
            address: None,
            outcome: Outcome::Ok,
            stage: None,
            error: None,
            security: None,
            implicit_tls: false,
            starttls: StarttlsInfo::default(),
            greeting: None,
            capabilities_before_tls: Vec::new(),
            capabilities: Vec::new(),
            auth_before_tls: Vec::new(),
            auth: Vec::new(),
            login_disabled: false,
            tls: None,
            timings: Timings::default(),
        }
    }

    /// Record a failure. The first failure wins: later steps never overwrite it.
    pub fn fail(&mut self, outcome: Outcome, stage: Stage, error: impl Into<String>) {
        if self.outcome == Outcome::Ok && self.stage.is_none() {
            self.outcome = outcome;
            self.stage = Some(stage);
            self.error = Some(error.into());
            self.security = None;
        }
    }

    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }

    /// Whether a mail client could log in here with a password: IMAP without
    /// LOGINDISABLED, POP3 with USER or SASL, SMTP offering AUTH.
    pub fn login_possible(&self) -> bool {
        !self.login_disabled && (self.protocol != Protocol::Smtp || !self.auth.is_empty())
    }

    /// The certificate verified (or no TLS was used at all).
    pub fn certificate_trusted(&self) -> bool {
        self.tls
            .as_ref()
            .and_then(|t| t.certificate.as_ref())
            .is_none_or(|c| c.verified)
    }
}
