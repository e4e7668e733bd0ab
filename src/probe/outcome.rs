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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
    /// The network or host is unreachable (no route: ENETUNREACH, EHOSTUNREACH).
    Unreachable,
    /// Never attempted: the overall deadline passed first (waiting for a free probe slot,
    /// or before the first connect). Says nothing about the server.
    NotTried,
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
            Outcome::Unreachable => "unreachable",
            Outcome::NotTried => "not-tried",
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
    /// Why verification failed, in words a person understands (the probe's evidence;
    /// reports word the problem themselves from `problem` and the fields above).
    pub error: Option<String>,
    /// Why verification failed, as a fact. On the wire as `error_kind`, a stable keyword.
    #[serde(rename = "error_kind")]
    pub problem: Option<CertificateProblem>,
    /// Certificates the server sent, leaf first.
    pub chain_length: usize,
}

/// Why a certificate failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateProblem {
    Expired,
    NotYetValid,
    /// The certificate does not cover the host name connected to.
    NameMismatch,
    /// Self-signed (including a CA certificate used as the server's own, which is what
    /// `openssl req -x509` makes).
    SelfSigned,
    /// Issued by an authority no trusted root vouches for.
    UnknownIssuer,
    Revoked,
    /// Anything else (bad signature, wrong purpose, unparseable).
    Invalid,
}

impl CertificateProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateProblem::Expired => "expired",
            CertificateProblem::NotYetValid => "not-yet-valid",
            CertificateProblem::NameMismatch => "name-mismatch",
            CertificateProblem::SelfSigned => "self-signed",
            CertificateProblem::UnknownIssuer => "unknown-issuer",
            CertificateProblem::Revoked => "revoked",
            CertificateProblem::Invalid => "invalid",
        }
    }
}

/// What a failed probe showed about the server, beyond its outcome and stage: the facts
/// the diagnoses are made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Symptom {
    /// STARTTLS (STLS) was offered and accepted, then the TLS handshake failed or the
    /// connection closed: encryption is being stripped, or the server is broken.
    StarttlsBroken,
    /// The server speaks only TLS older than 1.2 (RFC 8996), which rustls refuses.
    ObsoleteTls {
        /// The version the server chose: "TLSv1.0", "TLSv1.1", "SSLv3".
        version: String,
        /// The certificate it sent in clear (below TLS 1.3 it travels unencrypted).
        certificate: Option<CertificateInfo>,
        /// The size of the certificate's public key, in bits.
        key_bits: Option<u32>,
    },
    /// An implicit-TLS port (993, 995, 465) answered with a plaintext greeting.
    PlaintextOnTlsPort {
        /// The greeting, as the server sent it (bounded).
        greeting: String,
    },
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
    /// What a failure showed about the server, when it is one the diagnoses name.
    pub symptom: Option<Symptom>,
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
            symptom: None,
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
