//! Findings: what `detect` diagnosed, as typed facts.
//!
//! The engine (probe, discover, detect, rank) says *what* it found — hosts, ports, the
//! protocol, certificate names, dates, a TLS version — and never *how to say it*: the
//! report layer (`report::findings_text`) words each finding in English and Japanese, and
//! the client guides will word them in their own terms. A finding's `kind` is a stable
//! code that scripts may rely on (documented in README with the JSON schema).

use crate::model::{Endpoint, Protocol};
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
        }
    }

    pub fn severity(&self) -> Severity {
        use Finding::*;
        match self {
            DomainNotFound { .. }
            | NoMailRecords { .. }
            | AllTimedOut { .. }
            | StarttlsFailed { .. }
            | ObsoleteTls { .. } => Severity::Error,
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
            } => Severity::Warning,
            AutoconfigDowngradeRefused { .. }
            | AutoconfigInsecure {
                confirmed: true, ..
            }
            | RelayPortListed { .. }
            | ProviderAssignedUsername { .. } => Severity::Info,
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
            | CertificateInvalid { at, .. } => Some(at),
            _ => None,
        }
    }

    /// The server ports the finding is about (the evidence is their probe rows).
    pub fn endpoints(&self) -> Vec<Place> {
        use Finding::*;
        match self {
            StarttlsFailed { at } | PlaintextOnly { at } => vec![at.clone()],
            ObsoleteTls { at, .. }
            | CertificateNameMismatch { at, .. }
            | AliasNotInCertificate { at, .. }
            | CertificateSelfSigned { at, .. }
            | CertificateExpired { at, .. }
            | CertificateNotYetValid { at, .. }
            | CertificateUnknownIssuer { at, .. }
            | CertificateInvalid { at, .. } => at.clone(),
            PlaintextOnTlsPort { at, instead, .. } => {
                std::iter::once(at.clone()).chain(instead.clone()).collect()
            }
            Port25Blocked { blocked, working } => blocked.iter().chain(working).cloned().collect(),
            AllTimedOut { at } | RelayPortListed { at } | ProviderAssignedUsername { at } => {
                at.clone()
            }
            AutoconfigInsecure { named, .. } => named.clone(),
            DomainNotFound { .. } | NoMailRecords { .. } | AutoconfigDowngradeRefused { .. } => {
                Vec::new()
            }
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
