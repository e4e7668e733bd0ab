//! The domain's MX records: which provider hosts the mail of a custom domain (Google
//! Workspace, Microsoft 365, …) and which domain to ask for configuration instead.

use super::{SourceReport, SourceStatus, providers};
use crate::address::{EmailAddress, registrable_domain};
use crate::dns::{Dns, DnsFailure, MxRecord};
use crate::model::SourceKind;
use std::time::Instant;

/// What the MX lookup led to.
#[derive(Debug, Clone)]
pub struct MxFinding {
    pub report: SourceReport,
    /// The preferred (lowest preference) MX host.
    pub preferred: Option<String>,
    /// The registrable domain of the preferred MX host (`mx1.hosting.co.jp` →
    /// `hosting.co.jp`, thanks to the Public Suffix List), when it differs from the
    /// address's own registrable domain: the domain whose configuration to look up.
    pub other_domain: Option<String>,
    /// The provider the MX host belongs to, when the table knows it.
    pub provider: Option<&'static providers::Provider>,
    /// What DNS said about the domain itself.
    pub domain: DomainState,
}

/// Whether the address's domain exists in DNS, as the MX lookup found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainState {
    /// The DNS server answered (with or without MX records): the name exists.
    Exists,
    /// NXDOMAIN: no such domain.
    Missing,
    /// The lookup failed (timeout, server failure): nothing is known.
    Unknown,
}

/// Interpret MX records (already sorted, best first) for `email`.
pub fn interpret(
    records: &[MxRecord],
    email: &EmailAddress,
) -> (
    Option<String>,
    Option<String>,
    Option<&'static providers::Provider>,
) {
    // A null MX (RFC 7505: one record, preference 0, target ".") means "no mail here".
    let Some(best) = records.iter().find(|r| !r.host.is_empty()) else {
        return (None, None, None);
    };
    let provider = providers::by_mx(&best.host);
    let other = registrable_domain(&best.host)
        .filter(|d| Some(d) != registrable_domain(&email.domain).as_ref());
    (Some(best.host.clone()), other, provider)
}

pub async fn fetch(dns: &Dns, email: &EmailAddress) -> MxFinding {
    let started = Instant::now();
    let query = format!("{} MX", email.domain);
    let empty = |status, domain| MxFinding {
        report: SourceReport::new(SourceKind::Mx, &query, status).with_elapsed(started.elapsed()),
        preferred: None,
        other_domain: None,
        provider: None,
        domain,
    };
    let records = match dns.mx(&email.domain).await {
        Ok(records) => records,
        Err(DnsFailure::NoSuchName) => {
            return empty(
                SourceStatus::NotFound(format!("{} does not exist (NXDOMAIN)", email.domain)),
                DomainState::Missing,
            );
        }
        Err(e) => return empty(SourceStatus::Failed(e.to_string()), DomainState::Unknown),
    };
    let (preferred, other_domain, provider) = interpret(&records, email);
    let Some(host) = preferred.clone() else {
        return empty(
            SourceStatus::NotFound("no MX record".into()),
            DomainState::Exists,
        );
    };
    let report = match provider {
        Some(p) => {
            let mut candidates = p.candidates(&email.local_part, &email.domain, SourceKind::Mx);
            for c in &mut candidates {
                for s in &mut c.sources {
                    s.detail = format!("MX {host} → provider table: {}", p.id);
                    // The MX record is unauthenticated DNS, but it only selects an entry
                    // of the curated table: the hosts themselves come from the table.
                    s.authenticated = true;
                }
            }
            SourceReport::found(SourceKind::Mx, &query, candidates)
        }
        None => SourceReport::new(
            SourceKind::Mx,
            &query,
            SourceStatus::NotFound(format!("preferred MX {host} belongs to no known provider")),
        ),
    };
    MxFinding {
        report: report.with_elapsed(started.elapsed()),
        preferred,
        other_domain,
        provider,
        domain: DomainState::Exists,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_email;

    fn mx(preference: u16, host: &str) -> MxRecord {
        MxRecord {
            preference,
            host: host.into(),
        }
    }

    #[test]
    fn registrable_domains_know_japanese_suffixes() {
        use crate::address::within_registrable_domain;
        assert_eq!(
            registrable_domain("mx1.mail.hosting.co.jp").as_deref(),
            Some("hosting.co.jp")
        );
        assert_eq!(
            registrable_domain("aspmx.l.google.com.").as_deref(),
            Some("google.com")
        );
        assert!(within_registrable_domain("imap.example.jp", "example.jp"));
        assert!(!within_registrable_domain(
            "imap.hosting.example",
            "example.jp"
        ));
    }

    #[test]
    fn google_workspace_domain_is_recognised() {
        let email = parse_email("taro@example.co.jp").unwrap();
        let (preferred, other, provider) = interpret(
            &[
                mx(1, "aspmx.l.google.com"),
                mx(5, "alt1.aspmx.l.google.com"),
            ],
            &email,
        );
        assert_eq!(preferred.as_deref(), Some("aspmx.l.google.com"));
        assert_eq!(other.as_deref(), Some("google.com"));
        assert_eq!(provider.map(|p| p.id.as_str()), Some("gmail"));
    }

    #[test]
    fn own_mx_points_nowhere_else() {
        let email = parse_email("taro@example.co.jp").unwrap();
        let (preferred, other, provider) = interpret(&[mx(10, "mx.example.co.jp")], &email);
        assert_eq!(preferred.as_deref(), Some("mx.example.co.jp"));
        assert_eq!(other, None);
        assert!(provider.is_none());
    }

    #[test]
    fn null_mx_means_no_mail() {
        let email = parse_email("taro@example.jp").unwrap();
        assert_eq!(interpret(&[mx(0, "")], &email).0, None);
    }
}
