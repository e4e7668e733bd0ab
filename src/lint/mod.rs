//! `mailcfg lint DOMAIN`: what a domain publishes for mail clients (autoconfig, SRV,
//! autodiscover, MX) and whether its servers agree, checked for the domain's
//! administrator. Every problem is a [`Finding`], worded by `report::findings_text` like
//! detect's.
//!
//! [`gather`] does all the I/O and returns [`Facts`]; everything after it is pure: one
//! module per check family turns facts into findings, so each rule is unit-tested without
//! a network. The probes are the probe engine's, and the diagnoses a probe makes by itself
//! (STARTTLS failures, obsolete TLS, certificate problems) are detect's
//! ([`crate::diagnose::probe_findings`]). Nothing here ever sends a password: the probes
//! never do, and autodiscover is asked without credentials.

pub mod autoconfig;
pub mod autodiscover;
pub mod certificates;
pub mod gather;
pub mod mx;
pub mod published;
pub mod srv;

use crate::discover::autoconfig_xml::ClientConfig;
use crate::dns::SrvRecord;
use crate::findings::{self, Finding, Publisher};
use crate::model::{Endpoint, Protocol, Security};
use crate::probe::outcome::{CertificateInfo, EndpointReport};

pub use gather::gather;

/// The local part placeholders are expanded with, and autodiscover is asked for: the
/// address every mail domain should have (RFC 2142).
pub const SAMPLE_LOCAL_PART: &str = "postmaster";

/// A certificate expiring within this many days is worth a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 21;

/// Everything `lint` learnt about a domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// Lower-case ASCII (A-label).
    pub domain: String,
    /// When the facts were gathered (Unix seconds): certificate expiry is counted from it.
    pub checked_at: i64,
    pub mx: MxFacts,
    pub srv: Vec<SrvFacts>,
    /// The autoconfig URLs, in Thunderbird's order of preference.
    pub autoconfig: Vec<AutoconfigFetch>,
    pub autodiscover: AutodiscoverFetch,
    /// The https certificates of the configuration hosts that answered.
    pub web_certificates: Vec<WebCertificate>,
    /// Every setting published, by whom.
    pub published: Vec<Published>,
    /// One probe per distinct published endpoint, with the security published.
    pub probes: Vec<Probed>,
    /// Second probes of failed published endpoints with another security.
    pub retries: Vec<Probed>,
    /// The MX hosts on port 25 (for their certificates).
    pub mx_probes: Vec<EndpointReport>,
}

/// What the MX lookup said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MxFacts {
    /// NXDOMAIN: the domain does not exist.
    DomainMissing,
    /// The lookup failed; the text says why.
    Failed(String),
    /// The records (empty when there are none), best first.
    Records(Vec<MxHost>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxHost {
    pub preference: u16,
    /// "" for a null MX.
    pub host: String,
    pub resolves: bool,
}

/// One SRV service's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvFacts {
    /// `_imaps._tcp.example.jp`.
    pub name: String,
    pub protocol: Protocol,
    /// The security the RFCs assign to the service.
    pub security: Security,
    pub answer: SrvAnswer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SrvAnswer {
    /// No record (NXDOMAIN or an empty answer).
    Absent,
    Failed(String),
    /// The records, each with whether its target resolves ("." never does).
    Records(Vec<(SrvRecord, bool)>),
}

/// What one autoconfig URL gave.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoconfigFetch {
    pub url: String,
    pub https: bool,
    pub result: FetchResult<ClientConfig>,
}

/// What a configuration URL gave.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchResult<T> {
    /// Nothing there (HTTP 404/410, NXDOMAIN).
    NotFound(String),
    /// No answer or an HTTP error; `tls` when the TLS handshake (usually the
    /// certificate) was the failure.
    Failed {
        reason: String,
        tls: bool,
    },
    /// An answer that is not a valid document; the text says what is wrong.
    Invalid(String),
    Document(T),
}

/// What the autodiscover endpoint gave.
#[derive(Debug, Clone, PartialEq)]
pub struct AutodiscoverFetch {
    pub url: String,
    /// The servers of the answer (empty when it named none).
    pub result: FetchResult<Vec<Endpoint>>,
}

/// The certificate an https configuration host presented.
#[derive(Debug, Clone, PartialEq)]
pub struct WebCertificate {
    pub host: String,
    pub port: u16,
    pub certificate: CertificateInfo,
}

/// One setting a publisher names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Published {
    pub by: Publisher,
    pub endpoint: Endpoint,
}

/// An endpoint probed with the security it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Probed {
    pub endpoint: Endpoint,
    pub report: EndpointReport,
}

/// Every finding for `facts`, worst first.
pub fn findings(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(mx::findings(&facts.domain, &facts.mx));
    out.extend(srv::findings(&facts.srv));
    out.extend(autoconfig::findings(
        &facts.domain,
        &facts.autoconfig,
        &facts.web_certificates,
    ));
    out.extend(autodiscover::findings(&facts.autodiscover));
    out.extend(published::findings(facts));
    out.extend(certificates::findings(facts));
    findings::sort(&mut out);
    out
}

/// What `mailcfg lint` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct LintReport {
    /// What the user typed.
    pub input: String,
    /// Lower-case ASCII (A-label).
    pub domain: String,
    /// The domain for people (U-labels).
    pub display_domain: String,
    /// Set when an email address was given: its domain is the one checked.
    pub from_address: bool,
    pub findings: Vec<Finding>,
    pub published: Vec<Published>,
    /// The published endpoints' probes, then the retries, then the MX probes.
    pub probes: Vec<EndpointReport>,
    pub elapsed_ms: f64,
}

impl LintReport {
    /// The report of `facts`.
    pub fn new(input: &str, from_address: bool, facts: &Facts, elapsed_ms: f64) -> LintReport {
        let mut probes: Vec<EndpointReport> =
            facts.probes.iter().map(|p| p.report.clone()).collect();
        probes.extend(facts.retries.iter().map(|r| r.report.clone()));
        probes.extend(facts.mx_probes.iter().cloned());
        LintReport {
            input: input.to_string(),
            domain: facts.domain.clone(),
            display_domain: crate::address::display_domain(&facts.domain),
            from_address,
            findings: findings(facts),
            published: facts.published.clone(),
            probes,
            elapsed_ms,
        }
    }

    /// How many findings of each severity: (errors, warnings, info).
    pub fn counts(&self) -> (usize, usize, usize) {
        use crate::findings::Severity;
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity() == s).count();
        (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        )
    }

    /// The first probe of `endpoint`'s host, port and protocol (published probes come
    /// first, so it is the one made with the security published).
    pub fn probe_of(&self, endpoint: &Endpoint) -> Option<&EndpointReport> {
        self.probes.iter().find(|p| {
            p.host == endpoint.host && p.port == endpoint.port && p.protocol == endpoint.protocol
        })
    }
}

/// The probe of exactly `endpoint`, its security included.
pub fn probe_of<'a>(probes: &'a [Probed], endpoint: &Endpoint) -> Option<&'a EndpointReport> {
    probes
        .iter()
        .find(|p| p.endpoint == *endpoint)
        .map(|p| &p.report)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Facts of a domain that publishes nothing and answers nothing.
    pub(crate) fn empty_facts(domain: &str) -> Facts {
        Facts {
            domain: domain.to_string(),
            checked_at: 1_800_000_000,
            mx: MxFacts::Records(Vec::new()),
            srv: Vec::new(),
            autoconfig: Vec::new(),
            autodiscover: AutodiscoverFetch {
                url: format!("https://autodiscover.{domain}/autodiscover/autodiscover.xml"),
                result: FetchResult::NotFound("HTTP 404".into()),
            },
            web_certificates: Vec::new(),
            published: Vec::new(),
            probes: Vec::new(),
            retries: Vec::new(),
            mx_probes: Vec::new(),
        }
    }

    pub(crate) fn endpoint(
        protocol: Protocol,
        host: &str,
        port: u16,
        security: Security,
    ) -> Endpoint {
        Endpoint {
            protocol,
            host: host.to_string(),
            port,
            security,
        }
    }
}
