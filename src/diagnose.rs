//! Diagnosis: from the ranked settings, the probes and the sources, the findings a help
//! desk needs ("the password is fine, your network blocks port 25"). Pure: no I/O;
//! `rank::build_report` calls it last, on the finished settings. Every kind is produced
//! against real servers in `tests/cases/diagnose.rs`.

use crate::address::{EmailAddress, within_registrable_domain};
use crate::discover::SourceWarning;
use crate::discover::certificate::{Alias, covers};
use crate::discover::mx::DomainState;
use crate::findings::{self, Finding, Place};
use crate::model::{Direction, Protocol, Security, SourceKind, UsernameForm};
use crate::probe::outcome::{
    CertificateInfo, CertificateProblem, EndpointReport, Outcome, Stage, Symptom,
};
use crate::report::model::{Mode, Report, Setting};
use std::collections::BTreeMap;

/// What detect learnt besides sources and probes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// What DNS said about the address's domain; None when it was not asked.
    pub domain: Option<DomainState>,
    /// Hosts that are aliases (CNAME), with their canonical names.
    pub aliases: Vec<Alias>,
}

/// Every finding for `report`, worst first.
pub fn findings(report: &Report, facts: &Facts, email: &EmailAddress) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(nothing_found(report, facts));
    out.extend(symptoms(report));
    out.extend(port_25_blocked(report));
    out.extend(certificates(report, facts));
    out.extend(plaintext_only(report));
    out.extend(autoconfig(report, email));
    out.extend(listed(report));
    findings::sort(&mut out);
    out
}

fn place_of(p: &EndpointReport) -> Place {
    Place::new(p.protocol, &p.host, p.port)
}

fn setting_place(s: &Setting) -> Place {
    Place::of(&s.endpoint)
}

/// The probes of places a source or a guess named: not the diagnostic probe of the MX's
/// port 25, whose TLS and certificate nobody configures a client with.
fn claimed_probes(report: &Report) -> impl Iterator<Item = &EndpointReport> {
    let claimed: std::collections::BTreeSet<Place> = report
        .sources
        .iter()
        .flat_map(|s| &s.candidates)
        .map(|c| Place::of(&c.endpoint))
        .collect();
    report
        .probes
        .iter()
        .filter(move |p| claimed.contains(&place_of(p)))
}

/// A connect that timed out: the packets were dropped.
fn filtered(p: &EndpointReport) -> bool {
    p.outcome == Outcome::Timeout && p.stage == Some(Stage::Connect)
}

/// Why nothing was found, when nothing was: the domain does not exist, it has no mail
/// hosts, or every connection timed out.
fn nothing_found(report: &Report, facts: &Facts) -> Option<Finding> {
    // Nothing recommendable, whatever the lists hold (a source may name servers that all
    // failed).
    let recommended =
        report.recommended_incoming().is_some() || report.recommended_outgoing().is_some();
    if recommended || report.mode == Mode::Offline {
        return None;
    }
    let domain = report.domain.clone();
    match facts.domain {
        Some(DomainState::Missing) => return Some(Finding::DomainNotFound { domain }),
        Some(DomainState::Exists) | None => {}
        Some(DomainState::Unknown) => return None,
    }
    let tried: Vec<&EndpointReport> = report
        .probes
        .iter()
        .filter(|p| !matches!(p.outcome, Outcome::DnsError | Outcome::NotTried))
        .collect();
    if tried.is_empty() {
        return (report.mode == Mode::Full || facts.domain.is_some())
            .then_some(Finding::NoMailRecords { domain });
    }
    tried
        .iter()
        .all(|p| filtered(p))
        .then(|| Finding::AllTimedOut {
            at: tried.iter().map(|p| place_of(p)).collect(),
        })
}

/// The diagnoses single probes make; obsolete TLS once per server and version, naming
/// every port that showed it.
fn symptoms(report: &Report) -> Vec<Finding> {
    let mut grouped: BTreeMap<Finding, Vec<Place>> = BTreeMap::new();
    let mut out = Vec::new();
    for p in claimed_probes(report) {
        match symptom(p, report) {
            Some(finding @ Finding::ObsoleteTls { .. }) => {
                grouped.entry(finding).or_default().push(place_of(p));
            }
            Some(finding) => out.push(finding),
            None => {}
        }
    }
    out.extend(ungroup(grouped));
    out
}

/// The diagnosis one probe makes (an obsolete-TLS finding without its endpoints).
fn symptom(p: &EndpointReport, report: &Report) -> Option<Finding> {
    let at = place_of(p);
    Some(match p.symptom.as_ref()? {
        Symptom::StarttlsBroken => Finding::StarttlsFailed { at },
        Symptom::ObsoleteTls {
            version,
            certificate,
            key_bits,
        } => Finding::ObsoleteTls {
            at: Vec::new(),
            version: version.clone(),
            certificate_names: certificate.iter().flat_map(|c| c.names.clone()).collect(),
            key_bits: *key_bits,
        },
        Symptom::PlaintextOnTlsPort { greeting } => Finding::PlaintextOnTlsPort {
            instead: working_starttls(report, p),
            at,
            greeting: greeting.clone(),
        },
    })
}

/// The verified STARTTLS setting of the same host and direction, recommended instead of a
/// misconfigured implicit-TLS port.
fn working_starttls(report: &Report, p: &EndpointReport) -> Option<Place> {
    // The list is ranked, so the first that fits is the recommendation when it fits.
    settings_of(report, p.protocol.direction())
        .iter()
        .find(|s| {
            s.endpoint.protocol == p.protocol
                && s.endpoint.host == p.host
                && s.endpoint.security == Security::Starttls
                && s.verified()
        })
        .map(setting_place)
}

fn settings_of(report: &Report, direction: Direction) -> &[Setting] {
    match direction {
        Direction::Incoming => &report.incoming,
        Direction::Outgoing => &report.outgoing,
    }
}

/// Port 25 does not answer while submission (465, 587) does: outbound port 25 is blocked
/// on this network (OP25B).
fn port_25_blocked(report: &Report) -> Option<Finding> {
    let smtp = || {
        report
            .probes
            .iter()
            .filter(|p| p.protocol == Protocol::Smtp)
    };
    let blocked: Vec<Place> = smtp()
        .filter(|p| p.protocol.is_relay_port(p.port))
        .filter(|p| filtered(p) || matches!(p.outcome, Outcome::Refused | Outcome::Unreachable))
        .map(place_of)
        .collect();
    let working: Vec<Place> = smtp()
        .filter(|p| matches!(p.port, 465 | 587) && p.is_ok())
        .map(place_of)
        .collect();
    (!blocked.is_empty() && !working.is_empty())
        .then_some(Finding::Port25Blocked { blocked, working })
}

/// One finding per certificate problem, naming every endpoint that presented it.
fn certificates(report: &Report, facts: &Facts) -> Vec<Finding> {
    // Keyed by the finding without its endpoints, so ports that share a certificate share
    // a finding.
    let mut grouped: BTreeMap<Finding, Vec<Place>> = BTreeMap::new();
    for p in claimed_probes(report) {
        let Some(cert) = p.tls.as_ref().and_then(|t| t.certificate.as_ref()) else {
            continue;
        };
        if cert.verified || !p.is_ok() {
            continue;
        }
        let finding = certificate_finding(cert, &p.host, report, facts);
        grouped.entry(finding).or_default().push(place_of(p));
    }
    ungroup(grouped).collect()
}

/// `cert` failed verification for `host`; the finding without endpoints.
fn certificate_finding(
    cert: &CertificateInfo,
    host: &str,
    report: &Report,
    facts: &Facts,
) -> Finding {
    let at = Vec::new();
    match cert.problem.unwrap_or(CertificateProblem::Invalid) {
        CertificateProblem::NameMismatch => name_mismatch(cert, host, report, facts),
        CertificateProblem::SelfSigned => Finding::CertificateSelfSigned {
            at,
            subject: cert.subject.clone(),
        },
        CertificateProblem::Expired => Finding::CertificateExpired {
            at,
            not_after: cert.not_after.clone(),
        },
        CertificateProblem::NotYetValid => Finding::CertificateNotYetValid {
            at,
            not_before: cert.not_before.clone(),
        },
        CertificateProblem::UnknownIssuer => Finding::CertificateUnknownIssuer {
            at,
            issuer: cert.issuer.clone(),
        },
        CertificateProblem::Revoked | CertificateProblem::Invalid => Finding::CertificateInvalid {
            at,
            detail: cert.error.clone().unwrap_or_default(),
        },
    }
}

/// A certificate for other names: an alias whose canonical name it covers, or a shared
/// host whose certificate names the hoster's server. Either way, say whether connecting
/// by the certificate's name verified.
fn name_mismatch(cert: &CertificateInfo, host: &str, report: &Report, facts: &Facts) -> Finding {
    let verified = |name: &str| {
        report
            .incoming
            .iter()
            .chain(&report.outgoing)
            .any(|s| s.endpoint.host == name && s.verified())
    };
    let alias = facts
        .aliases
        .iter()
        .find(|a| a.alias == host && covers(&cert.names, &a.canonical));
    if let Some(alias) = alias {
        return Finding::AliasNotInCertificate {
            at: Vec::new(),
            canonical: alias.canonical.clone(),
            canonical_verified: verified(&alias.canonical),
        };
    }
    // The best ranked verified setting at another host the certificate covers (one of its
    // names, or a host a wildcard of it covers, such as the hoster's MX).
    let alternative = report
        .incoming
        .iter()
        .chain(&report.outgoing)
        .find(|s| s.verified() && s.endpoint.host != host && covers(&cert.names, &s.endpoint.host))
        .map(|s| s.endpoint.host.clone());
    Finding::CertificateNameMismatch {
        at: Vec::new(),
        names: cert.names.clone(),
        verified_alternative: alternative,
    }
}

/// The diagnoses single probes make, without a detect report: STARTTLS failures, obsolete
/// TLS, plain text on a TLS port and certificate problems, grouped by what they say as
/// detect groups them. For `lint`, which probes what a domain publishes rather than what a
/// user should type; with no ranked settings there is no alternative to offer.
pub fn probe_findings(probes: &[EndpointReport]) -> Vec<Finding> {
    let report = Report {
        email: String::new(),
        local_part: String::new(),
        domain: String::new(),
        display_domain: String::new(),
        mode: Mode::Full,
        provider: None,
        incoming: Vec::new(),
        outgoing: Vec::new(),
        contradictions: Vec::new(),
        findings: Vec::new(),
        notes: Vec::new(),
        sources: Vec::new(),
        probes: Vec::new(),
        elapsed_ms: 0.0,
    };
    let facts = Facts::default();
    let mut grouped: BTreeMap<Finding, Vec<Place>> = BTreeMap::new();
    let mut out = Vec::new();
    for p in probes {
        match symptom(p, &report) {
            Some(finding @ Finding::ObsoleteTls { .. }) => {
                grouped.entry(finding).or_default().push(place_of(p))
            }
            Some(finding) => out.push(finding),
            None => {}
        }
        let Some(cert) = p.tls.as_ref().and_then(|t| t.certificate.as_ref()) else {
            continue;
        };
        if !cert.verified && p.is_ok() {
            let finding = certificate_finding(cert, &p.host, &report, &facts);
            grouped.entry(finding).or_default().push(place_of(p));
        }
    }
    out.extend(ungroup(grouped));
    findings::sort(&mut out);
    out
}

/// Findings grouped by what they say (keyed without their ports), each given the ports
/// that showed it.
fn ungroup(grouped: BTreeMap<Finding, Vec<Place>>) -> impl Iterator<Item = Finding> {
    grouped.into_iter().map(|(mut finding, places)| {
        if let Some(at) = finding.places_mut() {
            *at = places;
        }
        finding
    })
}

/// A recommended setting that works only in plain text.
fn plaintext_only(report: &Report) -> Vec<Finding> {
    [report.recommended_incoming(), report.recommended_outgoing()]
        .into_iter()
        .flatten()
        .filter(|s| s.endpoint.security == Security::Plain)
        .map(|s| Finding::PlaintextOnly {
            at: setting_place(s),
        })
        .collect()
}

/// Refused downgrades, and settings read over plain http (low trust until a probe inside
/// the domain confirms them).
fn autoconfig(report: &Report, email: &EmailAddress) -> Vec<Finding> {
    let mut out = Vec::new();
    for source in &report.sources {
        if let Some(SourceWarning::DowngradeRefused { url }) = &source.warning {
            out.push(Finding::AutoconfigDowngradeRefused { url: url.clone() });
        }
        // The domain's autoconfig read over plain http: the only unauthenticated claim it
        // makes.
        let insecure = source.candidates.iter().any(|c| {
            c.sources
                .iter()
                .any(|s| s.kind == SourceKind::Autoconfig && !s.authenticated)
        });
        if !insecure {
            continue;
        }
        let named: Vec<Place> = source
            .candidates
            .iter()
            .map(|c| Place::of(&c.endpoint))
            .collect();
        // Confirmed only by an encrypted, trusted connection inside the domain.
        let verified: Vec<Place> = report
            .probes
            .iter()
            .filter(|p| {
                p.is_ok()
                    && p.security.is_some_and(|s| s != Security::Plain)
                    && p.certificate_trusted()
                    && within_registrable_domain(&p.host, &email.domain)
            })
            .map(place_of)
            .filter(|place| named.contains(place))
            .collect();
        out.push(Finding::AutoconfigInsecure {
            url: source.query.clone(),
            confirmed: !verified.is_empty(),
            named,
            verified,
        });
    }
    out
}

/// What the settings themselves call for: port 25 listed, a provider-issued user name.
fn listed(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    let relay: Vec<Place> = report
        .outgoing
        .iter()
        .filter(|s| s.relay_port())
        .map(setting_place)
        .collect();
    if !relay.is_empty() {
        out.push(Finding::RelayPortListed { at: relay });
    }
    let assigned: Vec<Place> = report
        .incoming
        .iter()
        .chain(&report.outgoing)
        .filter(|s| s.username_form == UsernameForm::ProviderAssigned)
        .map(setting_place)
        .collect();
    if !assigned.is_empty() {
        out.push(Finding::ProviderAssignedUsername { at: assigned });
    }
    out
}
