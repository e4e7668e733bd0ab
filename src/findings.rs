//! Findings: what `detect` diagnosed, as typed facts.
//!
//! The engine (probe, discover, detect, rank) says *what* it found — hosts, ports, the
//! protocol, certificate names, dates, a TLS version — and never *how to say it*: the
//! report layer (`report::findings_text`) words each finding in English and Japanese, and
//! the client guides will word them in their own terms. A finding's `kind` is a stable
//! code that scripts may rely on (documented in README with the JSON schema).

use crate::model::{Endpoint, Protocol, Security};
use crate::probe::outcome::{CertificateProblem, Outcome};
use serde::Serialize;

/// How bad a finding is. Declared worst first, so sorting puts errors first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The settings concerned cannot be used, or nothing was found.
    Error,
    /// Usable, but something is wrong that the user or provider should act on.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

/// Where a finding applies: one server port, whatever its security.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Place {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
}

impl Place {
    pub fn new(protocol: Protocol, host: &str, port: u16) -> Place {
        Place {
            protocol,
            host: host.to_string(),
            port,
        }
    }

    /// Where `endpoint` is, whatever its security.
    pub fn of(endpoint: &Endpoint) -> Place {
        Place::new(endpoint.protocol, &endpoint.host, endpoint.port)
    }
}

/// Who published a setting `lint` checked: the domain's autoconfig file, one of its SRV
/// records, or its autodiscover endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Publisher {
    /// The autoconfig file at `url`.
    Autoconfig { url: String },
    /// The SRV records of `name` (`_imaps._tcp.example.jp`).
    Srv { name: String },
    /// The autodiscover answer from `url`.
    Autodiscover { url: String },
}

/// What one publisher says for one protocol (for `published-settings-disagree`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PublishedSet {
    pub by: Publisher,
    pub endpoints: Vec<Endpoint>,
}

/// Which field of an autoconfig server entry a placeholder problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TemplateField {
    Hostname,
    Username,
}

/// One diagnosis. Each variant carries the facts it is worded from. Serialised with its
/// `kind` and its fields (the JSON `findings` entries add severity, endpoints and text).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// NXDOMAIN for the address's domain.
    DomainNotFound {
        domain: String,
    },
    /// The domain exists but has no MX, no SRV and no mail host any source or guess found.
    NoMailRecords {
        domain: String,
    },
    /// Every connection to the domain's hosts timed out: a firewall drops the traffic.
    AllTimedOut {
        at: Vec<Place>,
    },
    /// STARTTLS was offered and accepted, then the TLS handshake failed or the connection
    /// closed. Never recommended, never a plaintext fallback.
    StarttlsFailed {
        at: Place,
    },
    /// The server speaks only TLS 1.0/1.1 (RFC 8996).
    ObsoleteTls {
        at: Vec<Place>,
        /// The version the server chose ("TLSv1.1").
        version: String,
        /// The names of the certificate it sent in clear, when it could be read.
        certificate_names: Vec<String>,
        key_bits: Option<u32>,
    },
    /// An implicit-TLS port answered in plain text.
    PlaintextOnTlsPort {
        at: Place,
        greeting: String,
        /// The STARTTLS port of the same host that works, recommended instead.
        instead: Option<Place>,
    },
    /// Port 25 times out or is refused while submission (465/587) answers: outbound port
    /// 25 is blocked on this network (OP25B).
    Port25Blocked {
        /// The port-25 endpoints that did not answer.
        blocked: Vec<Place>,
        /// The submission endpoints that did.
        working: Vec<Place>,
    },
    /// The certificate does not cover the host.
    CertificateNameMismatch {
        at: Vec<Place>,
        /// The names the certificate is valid for.
        names: Vec<String>,
        /// One of those names, connected to and verified: offered as a setting to confirm.
        verified_alternative: Option<String>,
    },
    /// The host is an alias (CNAME) whose target the certificate covers.
    AliasNotInCertificate {
        at: Vec<Place>,
        canonical: String,
        /// The canonical host verified and is offered as a setting.
        canonical_verified: bool,
    },
    CertificateSelfSigned {
        at: Vec<Place>,
        subject: String,
    },
    CertificateExpired {
        at: Vec<Place>,
        not_after: String,
    },
    CertificateNotYetValid {
        at: Vec<Place>,
        not_before: String,
    },
    CertificateUnknownIssuer {
        at: Vec<Place>,
        issuer: String,
    },
    /// Another certificate failure (revoked, bad signature, wrong purpose).
    CertificateInvalid {
        at: Vec<Place>,
        detail: String,
    },
    /// The recommended setting works only without encryption.
    PlaintextOnly {
        at: Place,
    },
    /// An https autoconfig URL redirected to plain http; the redirect was refused.
    AutoconfigDowngradeRefused {
        url: String,
    },
    /// Settings were read from autoconfig over plain http: low trust until a probe inside
    /// the domain confirms them.
    AutoconfigInsecure {
        url: String,
        /// The hosts it named.
        named: Vec<Place>,
        /// Those a probe verified inside the address's registrable domain, encrypted and
        /// with a trusted certificate.
        verified: Vec<Place>,
        /// Some of them were verified so.
        confirmed: bool,
    },
    /// The outgoing list includes port 25, which is for relaying between servers.
    RelayPortListed {
        at: Vec<Place>,
    },
    /// The user name is an ID the provider issues, not derivable from the address.
    ProviderAssignedUsername {
        at: Vec<Place>,
    },
    // ---------------------------------------------------------------------------------
    // `mailcfg lint`: what a domain publishes for mail clients, checked for its
    // administrator.
    // ---------------------------------------------------------------------------------
    /// The domain has no MX record (it exists, but says nowhere to deliver mail).
    MxMissing {
        domain: String,
    },
    /// A null MX (RFC 7505): the domain says it receives no mail.
    MxNull {
        domain: String,
    },
    /// An MX host whose name does not resolve.
    MxHostUnresolved {
        host: String,
    },
    /// An SRV record whose target does not resolve.
    SrvTargetUnresolved {
        /// `_imaps._tcp.example.jp`.
        name: String,
        target: String,
        port: u16,
    },
    /// A lone "." target: the domain says the service is not offered (RFC 2782, 6186).
    SrvNotOffered {
        name: String,
    },
    /// A "." target next to real targets: "not offered" and "offered here" at once.
    SrvDotMixed {
        name: String,
    },
    /// The STARTTLS service has a better (lower) priority than its implicit-TLS service,
    /// which RFC 8314 §5.1 asks to prefer.
    SrvImplicitTlsNotPreferred {
        tls_name: String,
        tls_priority: u16,
        starttls_name: String,
        starttls_priority: u16,
    },
    /// No autoconfig file at either https URL (nor over plain http).
    AutoconfigMissing {
        domain: String,
        urls: Vec<String>,
    },
    /// An autoconfig URL did not answer usefully (timeout, refused, an HTTP error).
    AutoconfigUnreachable {
        url: String,
        /// What the fetch said (evidence, English).
        reason: String,
    },
    /// The autoconfig file is served over plain http only: clients do not trust it.
    AutoconfigHttpOnly {
        url: String,
    },
    /// The autoconfig URL answered with something that is not a valid clientConfig file.
    AutoconfigInvalid {
        url: String,
        /// What is wrong (the parser's account, English).
        error: String,
    },
    /// The file parsed, but entries were skipped or are odd (a bad port, an unknown
    /// socketType, a version other than 1.x).
    AutoconfigProblems {
        url: String,
        /// The parser's account of each (English).
        problems: Vec<String>,
    },
    /// A `%…%` placeholder clients do not know (only %EMAILADDRESS%, %EMAILLOCALPART% and
    /// %EMAILDOMAIN% are expanded).
    AutoconfigUnknownPlaceholder {
        url: String,
        field: TemplateField,
        /// The template as written.
        value: String,
        placeholders: Vec<String>,
    },
    /// The user name is the same literal name for every user (no placeholder).
    AutoconfigFixedUsername {
        url: String,
        at: Place,
        username: String,
    },
    /// No autodiscover answer at autodiscover.<domain> (only Outlook-style clients ask).
    AutodiscoverMissing {
        url: String,
    },
    /// The autodiscover endpoint exists but did not give usable settings.
    AutodiscoverFailed {
        url: String,
        /// What went wrong (evidence, English).
        reason: String,
    },
    /// A published host outside the domain's registrable domain.
    HostOutsideDomain {
        by: Publisher,
        at: Place,
        domain: String,
        /// The MX host in the same registrable domain, which explains it (the mail is
        /// hosted there).
        explained_by: Option<String>,
    },
    /// A published server port that does not answer.
    PublishedUnreachable {
        by: Publisher,
        at: Place,
        security: Security,
        outcome: Outcome,
        /// The probe's account (evidence, English).
        detail: String,
    },
    /// The server does not speak the security published for it; `actual` is what works
    /// there, when something does.
    PublishedSecurityWrong {
        by: Publisher,
        at: Place,
        published: Security,
        actual: Option<Security>,
    },
    /// Published without encryption although the server offers STARTTLS.
    PublishedPlaintext {
        by: Publisher,
        at: Place,
    },
    /// Two publishers name different servers for the same protocol.
    PublishedSettingsDisagree {
        protocol: Protocol,
        sets: Vec<PublishedSet>,
    },
    /// A mail server's certificate expires within the warning period (21 days).
    CertificateExpiringSoon {
        at: Vec<Place>,
        not_after: String,
        days_left: i64,
    },
    /// The https certificate of a configuration host (autoconfig.<domain>, …) fails
    /// verification: clients will not read what it serves.
    WebCertificateInvalid {
        host: String,
        port: u16,
        problem: CertificateProblem,
        names: Vec<String>,
        /// The verifier's account (evidence, English).
        detail: String,
    },
    /// The https certificate of a configuration host expires within 21 days.
    WebCertificateExpiringSoon {
        host: String,
        port: u16,
        not_after: String,
        days_left: i64,
    },
}

impl Finding {
    /// The stable code scripts see as `kind`.
    pub fn kind(&self) -> &'static str {
        use Finding::*;
        match self {
            DomainNotFound { .. } => "domain-not-found",
            NoMailRecords { .. } => "no-mail-records",
            AllTimedOut { .. } => "all-timed-out",
            StarttlsFailed { .. } => "starttls-failed",
            ObsoleteTls { .. } => "obsolete-tls",
            PlaintextOnTlsPort { .. } => "plaintext-on-tls-port",
            Port25Blocked { .. } => "port25-blocked",
            CertificateNameMismatch { .. } => "certificate-name-mismatch",
            AliasNotInCertificate { .. } => "alias-not-in-certificate",
            CertificateSelfSigned { .. } => "certificate-self-signed",
            CertificateExpired { .. } => "certificate-expired",
            CertificateNotYetValid { .. } => "certificate-not-yet-valid",
            CertificateUnknownIssuer { .. } => "certificate-unknown-issuer",
            CertificateInvalid { .. } => "certificate-invalid",
            PlaintextOnly { .. } => "plaintext-only",
            AutoconfigDowngradeRefused { .. } => "autoconfig-downgrade-refused",
            AutoconfigInsecure { .. } => "autoconfig-insecure",
            RelayPortListed { .. } => "relay-port-listed",
            ProviderAssignedUsername { .. } => "provider-assigned-username",
            MxMissing { .. } => "mx-missing",
            MxNull { .. } => "mx-null",
            MxHostUnresolved { .. } => "mx-host-unresolved",
            SrvTargetUnresolved { .. } => "srv-target-unresolved",
            SrvNotOffered { .. } => "srv-not-offered",
            SrvDotMixed { .. } => "srv-dot-mixed",
            SrvImplicitTlsNotPreferred { .. } => "srv-implicit-tls-not-preferred",
            AutoconfigMissing { .. } => "autoconfig-missing",
            AutoconfigUnreachable { .. } => "autoconfig-unreachable",
            AutoconfigHttpOnly { .. } => "autoconfig-http-only",
            AutoconfigInvalid { .. } => "autoconfig-invalid",
            AutoconfigProblems { .. } => "autoconfig-problems",
            AutoconfigUnknownPlaceholder { .. } => "autoconfig-unknown-placeholder",
            AutoconfigFixedUsername { .. } => "autoconfig-fixed-username",
            AutodiscoverMissing { .. } => "autodiscover-missing",
            AutodiscoverFailed { .. } => "autodiscover-failed",
            HostOutsideDomain { .. } => "host-outside-domain",
            PublishedUnreachable { .. } => "published-unreachable",
            PublishedSecurityWrong { .. } => "published-security-wrong",
            PublishedPlaintext { .. } => "published-plaintext",
            PublishedSettingsDisagree { .. } => "published-settings-disagree",
            CertificateExpiringSoon { .. } => "certificate-expiring-soon",
            WebCertificateInvalid { .. } => "web-certificate-invalid",
            WebCertificateExpiringSoon { .. } => "web-certificate-expiring-soon",
        }
    }

    pub fn severity(&self) -> Severity {
        use Finding::*;
        match self {
            DomainNotFound { .. }
            | NoMailRecords { .. }
            | AllTimedOut { .. }
            | StarttlsFailed { .. }
            | ObsoleteTls { .. }
            | MxMissing { .. }
            | MxHostUnresolved { .. }
            | SrvTargetUnresolved { .. }
            | SrvDotMixed { .. }
            | AutoconfigInvalid { .. }
            | AutoconfigUnknownPlaceholder { .. }
            | PublishedUnreachable { .. }
            | PublishedSecurityWrong { .. }
            | WebCertificateInvalid { .. } => Severity::Error,
            PlaintextOnTlsPort { .. }
            | Port25Blocked { .. }
            | CertificateNameMismatch { .. }
            | AliasNotInCertificate { .. }
            | CertificateSelfSigned { .. }
            | CertificateExpired { .. }
            | CertificateNotYetValid { .. }
            | CertificateUnknownIssuer { .. }
            | CertificateInvalid { .. }
            | PlaintextOnly { .. }
            | AutoconfigInsecure {
                confirmed: false, ..
            }
            | SrvImplicitTlsNotPreferred { .. }
            | AutoconfigMissing { .. }
            | AutoconfigUnreachable { .. }
            | AutoconfigHttpOnly { .. }
            | AutoconfigProblems { .. }
            | AutoconfigFixedUsername { .. }
            | AutodiscoverFailed { .. }
            | HostOutsideDomain {
                explained_by: None, ..
            }
            | PublishedPlaintext { .. }
            | PublishedSettingsDisagree { .. }
            | CertificateExpiringSoon { .. }
            | WebCertificateExpiringSoon { .. } => Severity::Warning,
            AutoconfigDowngradeRefused { .. }
            | AutoconfigInsecure {
                confirmed: true, ..
            }
            | RelayPortListed { .. }
            | ProviderAssignedUsername { .. }
            | MxNull { .. }
            | SrvNotOffered { .. }
            | AutodiscoverMissing { .. }
            | HostOutsideDomain {
                explained_by: Some(_),
                ..
            } => Severity::Info,
        }
    }

    /// The list of ports of a finding that groups every port showing the same thing (a
    /// certificate problem, obsolete TLS); None for the others.
    pub fn places_mut(&mut self) -> Option<&mut Vec<Place>> {
        use Finding::*;
        match self {
            ObsoleteTls { at, .. }
            | CertificateNameMismatch { at, .. }
            | AliasNotInCertificate { at, .. }
            | CertificateSelfSigned { at, .. }
            | CertificateExpired { at, .. }
            | CertificateNotYetValid { at, .. }
            | CertificateUnknownIssuer { at, .. }
            | CertificateInvalid { at, .. }
            | CertificateExpiringSoon { at, .. } => Some(at),
            _ => None,
        }
    }

    /// The server ports the finding is about (the evidence is their probe rows).
    pub fn endpoints(&self) -> Vec<Place> {
        use Finding::*;
        match self {
            StarttlsFailed { at }
            | PlaintextOnly { at }
            | AutoconfigFixedUsername { at, .. }
            | HostOutsideDomain { at, .. }
            | PublishedUnreachable { at, .. }
            | PublishedSecurityWrong { at, .. }
            | PublishedPlaintext { at, .. } => vec![at.clone()],
            ObsoleteTls { at, .. }
            | CertificateNameMismatch { at, .. }
            | AliasNotInCertificate { at, .. }
            | CertificateSelfSigned { at, .. }
            | CertificateExpired { at, .. }
            | CertificateNotYetValid { at, .. }
            | CertificateUnknownIssuer { at, .. }
            | CertificateInvalid { at, .. }
            | CertificateExpiringSoon { at, .. } => at.clone(),
            PublishedSettingsDisagree { sets, .. } => {
                let mut all: Vec<Place> = sets
                    .iter()
                    .flat_map(|s| s.endpoints.iter().map(Place::of))
                    .collect();
                all.sort();
                all.dedup();
                all
            }
            PlaintextOnTlsPort { at, instead, .. } => {
                std::iter::once(at.clone()).chain(instead.clone()).collect()
            }
            Port25Blocked { blocked, working } => blocked.iter().chain(working).cloned().collect(),
            AllTimedOut { at } | RelayPortListed { at } | ProviderAssignedUsername { at } => {
                at.clone()
            }
            AutoconfigInsecure { named, .. } => named.clone(),
            DomainNotFound { .. }
            | NoMailRecords { .. }
            | AutoconfigDowngradeRefused { .. }
            | MxMissing { .. }
            | MxNull { .. }
            | MxHostUnresolved { .. }
            | SrvTargetUnresolved { .. }
            | SrvNotOffered { .. }
            | SrvDotMixed { .. }
            | SrvImplicitTlsNotPreferred { .. }
            | AutoconfigMissing { .. }
            | AutoconfigUnreachable { .. }
            | AutoconfigHttpOnly { .. }
            | AutoconfigInvalid { .. }
            | AutoconfigProblems { .. }
            | AutoconfigUnknownPlaceholder { .. }
            | AutodiscoverMissing { .. }
            | AutodiscoverFailed { .. }
            | WebCertificateInvalid { .. }
            | WebCertificateExpiringSoon { .. } => Vec::new(),
        }
    }
}

/// Worst first, then in the order the kinds are declared above, then by their data: the
/// same findings always come in the same order.
pub fn sort(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| (a.severity(), a).cmp(&(b.severity(), b)));
    findings.dedup();
}

/// One finding of every kind, for the tests that must cover them all (wording, README).
#[cfg(test)]
pub(crate) mod examples {
    use super::*;

    /// The position of `f`'s kind in the declaration: an exhaustive match, so a new kind
    /// does not compile until it is listed here (and then [`all`] must give an example).
    pub(crate) fn index(f: &Finding) -> usize {
        use Finding::*;
        match f {
            DomainNotFound { .. } => 0,
            NoMailRecords { .. } => 1,
            AllTimedOut { .. } => 2,
            StarttlsFailed { .. } => 3,
            ObsoleteTls { .. } => 4,
            PlaintextOnTlsPort { .. } => 5,
            Port25Blocked { .. } => 6,
            CertificateNameMismatch { .. } => 7,
            AliasNotInCertificate { .. } => 8,
            CertificateSelfSigned { .. } => 9,
            CertificateExpired { .. } => 10,
            CertificateNotYetValid { .. } => 11,
            CertificateUnknownIssuer { .. } => 12,
            CertificateInvalid { .. } => 13,
            PlaintextOnly { .. } => 14,
            AutoconfigDowngradeRefused { .. } => 15,
            AutoconfigInsecure { .. } => 16,
            RelayPortListed { .. } => 17,
            ProviderAssignedUsername { .. } => 18,
            MxMissing { .. } => 19,
            MxNull { .. } => 20,
            MxHostUnresolved { .. } => 21,
            SrvTargetUnresolved { .. } => 22,
            SrvNotOffered { .. } => 23,
            SrvDotMixed { .. } => 24,
            SrvImplicitTlsNotPreferred { .. } => 25,
            AutoconfigMissing { .. } => 26,
            AutoconfigUnreachable { .. } => 27,
            AutoconfigHttpOnly { .. } => 28,
            AutoconfigInvalid { .. } => 29,
            AutoconfigProblems { .. } => 30,
            AutoconfigUnknownPlaceholder { .. } => 31,
            AutoconfigFixedUsername { .. } => 32,
            AutodiscoverMissing { .. } => 33,
            AutodiscoverFailed { .. } => 34,
            HostOutsideDomain { .. } => 35,
            PublishedUnreachable { .. } => 36,
            PublishedSecurityWrong { .. } => 37,
            PublishedPlaintext { .. } => 38,
            PublishedSettingsDisagree { .. } => 39,
            CertificateExpiringSoon { .. } => 40,
            WebCertificateInvalid { .. } => 41,
            WebCertificateExpiringSoon { .. } => 42,
        }
    }

    /// How many kinds there are.
    pub(crate) const KINDS: usize = 43;

    /// One example of every kind, in declaration order.
    pub(crate) fn all() -> Vec<Finding> {
        let p = Place::new(Protocol::Imap, "imap.example.jp", 993);
        let s = Place::new(Protocol::Smtp, "mx.example.jp", 25);
        let url = "https://autoconfig.example.jp/mail/config-v1.1.xml".to_string();
        let srv = Publisher::Srv {
            name: "_imaps._tcp.example.jp".into(),
        };
        let domain = || "example.jp".to_string();
        let endpoint = |host: &str| Endpoint {
            protocol: Protocol::Imap,
            host: host.into(),
            port: 993,
            security: Security::Tls,
        };
        vec![
            Finding::DomainNotFound { domain: domain() },
            Finding::NoMailRecords { domain: domain() },
            Finding::AllTimedOut {
                at: vec![p.clone()],
            },
            Finding::StarttlsFailed { at: p.clone() },
            Finding::ObsoleteTls {
                at: vec![p.clone()],
                version: "TLSv1.1".into(),
                certificate_names: vec!["imap.example.jp".into()],
                key_bits: Some(1024),
            },
            Finding::PlaintextOnTlsPort {
                at: p.clone(),
                greeting: "* OK ready".into(),
                instead: Some(Place::new(Protocol::Imap, "imap.example.jp", 143)),
            },
            Finding::Port25Blocked {
                blocked: vec![s.clone()],
                working: vec![Place::new(Protocol::Smtp, "smtp.example.jp", 587)],
            },
            Finding::CertificateNameMismatch {
                at: vec![p.clone()],
                names: vec!["mail.hosting.example".into()],
                verified_alternative: Some("mail.hosting.example".into()),
            },
            Finding::AliasNotInCertificate {
                at: vec![p.clone()],
                canonical: "mail.hosting.example".into(),
                canonical_verified: true,
            },
            Finding::CertificateSelfSigned {
                at: vec![p.clone()],
                subject: "CN=imap.example.jp".into(),
            },
            Finding::CertificateExpired {
                at: vec![p.clone()],
                not_after: "2025-01-31T00:00:00Z".into(),
            },
            Finding::CertificateNotYetValid {
                at: vec![p.clone()],
                not_before: "2030-01-01T00:00:00Z".into(),
            },
            Finding::CertificateUnknownIssuer {
                at: vec![p.clone()],
                issuer: "CN=Corp CA".into(),
            },
            Finding::CertificateInvalid {
                at: vec![p.clone()],
                detail: "certificate has been revoked".into(),
            },
            Finding::PlaintextOnly { at: p.clone() },
            Finding::AutoconfigDowngradeRefused { url: url.clone() },
            Finding::AutoconfigInsecure {
                url: "http://autoconfig.example.jp/mail/config-v1.1.xml".into(),
                named: vec![p.clone()],
                verified: Vec::new(),
                confirmed: false,
            },
            Finding::RelayPortListed { at: vec![s] },
            Finding::ProviderAssignedUsername {
                at: vec![p.clone()],
            },
            Finding::MxMissing { domain: domain() },
            Finding::MxNull { domain: domain() },
            Finding::MxHostUnresolved {
                host: "mx.example.jp".into(),
            },
            Finding::SrvTargetUnresolved {
                name: "_imaps._tcp.example.jp".into(),
                target: "gone.example.jp".into(),
                port: 993,
            },
            Finding::SrvNotOffered {
                name: "_pop3._tcp.example.jp".into(),
            },
            Finding::SrvDotMixed {
                name: "_pop3._tcp.example.jp".into(),
            },
            Finding::SrvImplicitTlsNotPreferred {
                tls_name: "_imaps._tcp.example.jp".into(),
                tls_priority: 10,
                starttls_name: "_imap._tcp.example.jp".into(),
                starttls_priority: 0,
            },
            Finding::AutoconfigMissing {
                domain: domain(),
                urls: vec![url.clone()],
            },
            Finding::AutoconfigUnreachable {
                url: url.clone(),
                reason: "no answer in time".into(),
            },
            Finding::AutoconfigHttpOnly {
                url: "http://autoconfig.example.jp/mail/config-v1.1.xml".into(),
            },
            Finding::AutoconfigInvalid {
                url: url.clone(),
                error: "the root element is <html>".into(),
            },
            Finding::AutoconfigProblems {
                url: url.clone(),
                problems: vec!["skipped <incomingServer type=\"imap\">: bad port \"x\"".into()],
            },
            Finding::AutoconfigUnknownPlaceholder {
                url: url.clone(),
                field: TemplateField::Username,
                value: "%USER%".into(),
                placeholders: vec!["%USER%".into()],
            },
            Finding::AutoconfigFixedUsername {
                url: url.clone(),
                at: p.clone(),
                username: "info".into(),
            },
            Finding::AutodiscoverMissing {
                url: "https://autodiscover.example.jp/autodiscover/autodiscover.xml".into(),
            },
            Finding::AutodiscoverFailed {
                url: "https://autodiscover.example.jp/autodiscover/autodiscover.xml".into(),
                reason: "HTTP 500 Internal Server Error".into(),
            },
            Finding::HostOutsideDomain {
                by: srv.clone(),
                at: Place::new(Protocol::Imap, "imap.hoster.example", 993),
                domain: domain(),
                explained_by: None,
            },
            Finding::PublishedUnreachable {
                by: srv.clone(),
                at: p.clone(),
                security: Security::Tls,
                outcome: Outcome::Refused,
                detail: "nothing listens on port 993".into(),
            },
            Finding::PublishedSecurityWrong {
                by: srv.clone(),
                at: p.clone(),
                published: Security::Tls,
                actual: Some(Security::Starttls),
            },
            Finding::PublishedPlaintext {
                by: Publisher::Autoconfig { url: url.clone() },
                at: p.clone(),
            },
            Finding::PublishedSettingsDisagree {
                protocol: Protocol::Imap,
                sets: vec![
                    PublishedSet {
                        by: Publisher::Autoconfig { url },
                        endpoints: vec![endpoint("imap.example.jp")],
                    },
                    PublishedSet {
                        by: srv,
                        endpoints: vec![endpoint("mail.example.jp")],
                    },
                ],
            },
            Finding::CertificateExpiringSoon {
                at: vec![p],
                not_after: "2027-01-25T08:00:00Z".into(),
                days_left: 10,
            },
            Finding::WebCertificateInvalid {
                host: "autoconfig.example.jp".into(),
                port: 443,
                problem: CertificateProblem::NameMismatch,
                names: vec!["www.other.example".into()],
                detail: "certificate is for www.other.example, not autoconfig.example.jp".into(),
            },
            Finding::WebCertificateExpiringSoon {
                host: "autoconfig.example.jp".into(),
                port: 443,
                not_after: "2027-01-25T08:00:00Z".into(),
                days_left: 10,
            },
        ]
    }

    #[test]
    fn every_kind_has_an_example() {
        let indices: Vec<usize> = all().iter().map(index).collect();
        assert_eq!(indices, (0..KINDS).collect::<Vec<_>>());
    }

    /// README.md lists every kind (detect's in the detect JSON section, lint's in the
    /// lint section) as "- `kind` (severity) …"; nothing is listed that does not exist.
    #[test]
    fn readme_lists_every_kind_with_its_severity() {
        let root = env!("CARGO_MANIFEST_DIR");
        let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
        let examples = all();
        for f in &examples {
            let severity = match f.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let entry = format!("- `{}` ({severity}", f.kind());
            let loose = format!("- `{}` (", f.kind());
            assert!(
                readme.contains(&entry) || readme.contains(&loose),
                "README.md does not list {entry}…"
            );
        }
        let lint = readme
            .split("<a id=\"lint-findings\"></a>")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            .expect("README.md has a lint findings list");
        for line in lint.lines() {
            if let Some(kind) = line
                .trim_start()
                .strip_prefix("- `")
                .and_then(|l| l.split('`').next())
            {
                assert!(
                    examples.iter().any(|f| f.kind() == kind),
                    "README.md lists {kind}, which is no finding kind"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_first_and_deduplicated() {
        let at = Place::new(Protocol::Imap, "imap.example.jp", 993);
        let mut list = vec![
            Finding::ProviderAssignedUsername { at: Vec::new() },
            Finding::PlaintextOnly { at: at.clone() },
            Finding::StarttlsFailed { at: at.clone() },
            Finding::ProviderAssignedUsername { at: Vec::new() },
        ];
        sort(&mut list);
        let kinds: Vec<&str> = list.iter().map(Finding::kind).collect();
        assert_eq!(
            kinds,
            [
                "starttls-failed",
                "plaintext-only",
                "provider-assigned-username"
            ]
        );
    }

    #[test]
    fn the_serialised_kind_is_the_stable_code() {
        let at = Place::new(Protocol::Smtp, "smtp.example.jp", 25);
        for finding in [
            Finding::Port25Blocked {
                blocked: vec![at.clone()],
                working: Vec::new(),
            },
            Finding::ProviderAssignedUsername { at: Vec::new() },
            Finding::CertificateNotYetValid {
                at: vec![at],
                not_before: "2030-01-01T00:00:00Z".into(),
            },
        ] {
            let value = serde_json::to_value(&finding).unwrap();
            assert_eq!(value["kind"], finding.kind(), "{value}");
        }
    }

    #[test]
    fn insecure_autoconfig_is_a_warning_until_confirmed() {
        let unconfirmed = Finding::AutoconfigInsecure {
            url: "http://autoconfig.example.jp/".into(),
            named: Vec::new(),
            verified: Vec::new(),
            confirmed: false,
        };
        assert_eq!(unconfirmed.severity(), Severity::Warning);
        let confirmed = Finding::AutoconfigInsecure {
            url: "http://autoconfig.example.jp/".into(),
            named: Vec::new(),
            verified: Vec::new(),
            confirmed: true,
        };
        assert_eq!(confirmed.severity(), Severity::Info);
    }
}
