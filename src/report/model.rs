//! The one result of `mailcfg detect` that every renderer reads (table, JSON,
//! Thunderbird XML, and the client guides and exports to come).
//!
//! It is built by `rank.rs` from the candidates discovery found and the probes' outcomes,
//! and it holds everything a renderer may show: no renderer goes back to the network or
//! to the engine.

use crate::discover::SourceReport;
use crate::findings::Finding;
use crate::model::{AuthMethod, Endpoint, Note, Security, Source, SourceKind, UsernameForm};
use crate::probe::outcome::{CertificateInfo, CertificateProblem, EndpointReport, Outcome};
use serde::Serialize;

/// How far `detect` was allowed to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Provider table only, no network.
    Offline,
    /// Lookups (DNS, HTTP) but no connection to mail servers.
    NoProbe,
    /// Lookups and probes.
    Full,
}

/// What a probe said about a setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum Verification {
    /// A probe connected with this security and the certificate is trusted.
    Verified,
    /// A probe connected with this security, but the certificate is not trusted.
    UntrustedCertificate {
        problem: CertificateProblem,
        /// The probe's own account of it (evidence).
        error: String,
    },
    /// Not probed.
    Unverified { reason: Unverified },
    /// A probe tried, and the setting does not work.
    Failed { failure: Failure },
}

/// Why a setting was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unverified {
    /// `--offline`: no network at all.
    Offline,
    /// `--no-probe`: lookups, but no connection to mail servers.
    NoProbe,
    /// A better setting was verified first, or time ran out.
    NotReached,
}

/// Why a probed setting does not work.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum Failure {
    /// The probe failed: its classification and its own account of it (evidence).
    Probe { outcome: Outcome, error: String },
    /// The dialogue completed, but a mail client could not log in with a password.
    NoLogin { why: NoLogin },
}

/// Why a working server takes no password login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoLogin {
    /// IMAP LOGINDISABLED (or POP3 without USER/SASL) on this connection.
    LoginDisabled,
    /// SMTP without AUTH on this connection.
    NoAuth,
}

/// Why the user must confirm a host before sending a password there: it lies outside the
/// address's registrable domain and only unauthenticated channels named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confirmation {
    pub host: String,
    /// The address's domain, for people.
    pub outside: String,
    /// The kinds of source that named it.
    pub via: Vec<SourceKind>,
}

/// One setting a person could type in, with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    pub endpoint: Endpoint,
    /// The host as a person would read it (U-labels for IDN hosts).
    pub display_host: String,
    /// The user name to type, or None when the provider assigns one that cannot be
    /// derived from the address (`username_form` says so).
    pub username: Option<String>,
    pub username_form: UsernameForm,
    /// Authentication the user should choose, best first (from sources and the probe).
    pub auth: Vec<AuthMethod>,
    /// SASL mechanisms the server offered over this connection, when probed.
    pub mechanisms: Vec<String>,
    /// Every source that named this endpoint.
    pub sources: Vec<Source>,
    pub verification: Verification,
    pub certificate: Option<CertificateInfo>,
    /// Set when the host lies outside the address's registrable domain and only
    /// unauthenticated channels (plain http, DNS, guessing, a certificate's names) named
    /// it: the user should confirm it with their provider before sending a password there.
    pub confirm: Option<Confirmation>,
}

impl Setting {
    pub fn verified(&self) -> bool {
        matches!(self.verification, Verification::Verified)
    }

    /// Whether this setting may be recommended at all: it works (or, without probes,
    /// nothing says it fails), and it is not SMTP port 25, which is for relaying between
    /// servers and blocked for clients on many networks (OP25B).
    pub fn recommendable(&self, mode: Mode) -> bool {
        let usable = match &self.verification {
            Verification::Verified | Verification::UntrustedCertificate { .. } => true,
            Verification::Unverified { .. } => mode != Mode::Full,
            Verification::Failed { .. } => false,
        };
        usable && !self.relay_port()
    }

    /// SMTP on port 25 (see `Protocol::is_relay_port`).
    pub fn relay_port(&self) -> bool {
        self.endpoint.protocol.is_relay_port(self.endpoint.port)
    }

    /// The kinds of source that named this setting, deduplicated, in order.
    pub fn source_kinds(&self) -> Vec<SourceKind> {
        source_kinds(&self.sources)
    }
}

/// A claim a probe did not bear out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contradiction {
    /// What the sources said.
    pub claimed: Endpoint,
    pub sources: Vec<Source>,
    /// What the probe found instead.
    pub observed: Observed,
}

/// What a probe found where a source claimed a working setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Observed {
    /// It does not work: the probe's classification and its own account (evidence).
    Failed { outcome: Outcome, error: String },
    /// It works, with another security than claimed.
    OtherSecurity { security: Security },
}

impl Contradiction {
    /// The kinds of source that made the claim, deduplicated, in order.
    pub fn source_kinds(&self) -> Vec<SourceKind> {
        source_kinds(&self.sources)
    }
}

/// The kinds of `sources`, deduplicated, in order of first appearance.
pub fn source_kinds(sources: &[Source]) -> Vec<SourceKind> {
    let mut kinds = Vec::new();
    for source in sources {
        if !kinds.contains(&source.kind) {
            kinds.push(source.kind);
        }
    }
    kinds
}

/// The provider the address belongs to, when the table knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    pub documentation: Option<String>,
    pub matched_by: ProviderMatch,
}

/// How the provider was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderMatch {
    /// The address's domain is one of the provider's.
    Domain,
    /// The domain's MX host belongs to the provider.
    Mx,
}

impl ProviderMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderMatch::Domain => "domain",
            ProviderMatch::Mx => "mx",
        }
    }
}

/// The whole answer for one address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The address as given, with the Unicode domain.
    pub email: String,
    pub local_part: String,
    /// ASCII (A-label) domain used for lookups.
    pub domain: String,
    /// The domain for people.
    pub display_domain: String,
    pub mode: Mode,
    pub provider: Option<ProviderInfo>,
    /// Best first; the first is the recommendation.
    pub incoming: Vec<Setting>,
    /// Best first; the first is the recommendation. Port 25 is never first.
    pub outgoing: Vec<Setting>,
    pub contradictions: Vec<Contradiction>,
    /// What was diagnosed, worst first.
    pub findings: Vec<Finding>,
    /// Notes that are data: the provider table's and the sources' (autoconfig
    /// instructions). The engine's own observations are findings.
    pub notes: Vec<Note>,
    /// Every source consulted and what it answered (for --explain and JSON).
    pub sources: Vec<SourceReport>,
    /// Every probe made (the probe matrix).
    pub probes: Vec<EndpointReport>,
    pub elapsed_ms: f64,
}

impl Report {
    /// The recommendation: the first incoming setting, when it may be recommended
    /// (the ranking puts every recommendable setting before the others).
    pub fn recommended_incoming(&self) -> Option<&Setting> {
        self.incoming.first().filter(|s| s.recommendable(self.mode))
    }

    /// The recommendation for outgoing mail, as [`Report::recommended_incoming`].
    pub fn recommended_outgoing(&self) -> Option<&Setting> {
        self.outgoing.first().filter(|s| s.recommendable(self.mode))
    }

    /// Settings other than the recommendations, incoming first.
    pub fn alternatives(&self) -> impl Iterator<Item = &Setting> {
        let skip_in = usize::from(self.recommended_incoming().is_some());
        let skip_out = usize::from(self.recommended_outgoing().is_some());
        self.incoming
            .iter()
            .skip(skip_in)
            .chain(self.outgoing.iter().skip(skip_out))
    }
}
