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
