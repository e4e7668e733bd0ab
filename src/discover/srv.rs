//! RFC 6186 / RFC 8314 SRV records: `_imaps._tcp.<domain>` and its kin.

use super::{SourceReport, SourceStatus};
use crate::address::EmailAddress;
use crate::dns::{Dns, DnsFailure, SrvRecord};
use crate::model::{Candidate, Endpoint, Protocol, Security, Source, SourceKind, UsernameForm};
use std::time::Instant;

/// The SRV services a mail client looks up, each with the protocol and the security the
/// RFCs assign to it. The order is RFC 8314's preference: implicit TLS first.
pub const SERVICES: [(&str, Protocol, Security); 6] = [
    ("_imaps._tcp", Protocol::Imap, Security::Tls),
    ("_imap._tcp", Protocol::Imap, Security::Starttls),
    ("_pop3s._tcp", Protocol::Pop3, Security::Tls),
    ("_pop3._tcp", Protocol::Pop3, Security::Starttls),
    ("_submissions._tcp", Protocol::Smtp, Security::Tls),
    ("_submission._tcp", Protocol::Smtp, Security::Starttls),
];

/// Records in the order a client should try them: lowest priority first; within one
/// priority, heaviest weight first. RFC 2782 asks for a weighted random choice, which
/// spreads load across many clients; mailcfg advises one person, so it takes the
/// deterministic reading (the most likely server first) and shows the rest as alternatives.
pub fn order(mut records: Vec<SrvRecord>) -> Vec<SrvRecord> {
    records.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.weight.cmp(&a.weight))
            .then(a.target.cmp(&b.target))
            .then(a.port.cmp(&b.port))
    });
    records
}

/// RFC 2782: a single record whose target is "." says the service is decidedly not
/// available at this domain.
pub fn not_offered(records: &[SrvRecord]) -> bool {
    records.len() == 1 && records[0].target.is_empty()
}

/// Candidates from the answer to one service's query.
pub fn candidates(
    service: &str,
    protocol: Protocol,
    security: Security,
    records: Vec<SrvRecord>,
    domain: &str,
) -> Vec<Candidate> {
    let name = format!("{service}.{domain}");
    order(records)
        .into_iter()
        .filter(|r| !r.target.is_empty() && r.port != 0)
        .map(|r| Candidate {
            endpoint: Endpoint {
                protocol,
                host: r.target.clone(),
                port: r.port,
                security,
            },
            // RFC 6186 §5: the client uses the address as the user name by default.
            username: UsernameForm::EmailAddress,
            auth: Vec::new(),
            sources: vec![Source {
                kind: SourceKind::Srv,
                detail: format!(
                    "{name} SRV {} {} {} {}",
                    r.priority, r.weight, r.port, r.target
                ),
                authenticated: false,
            }],
            notes: Vec::new(),
        })
        .collect()
}

/// Look up every service concurrently; one report per service.
pub async fn fetch(dns: &Dns, email: &EmailAddress) -> Vec<SourceReport> {
    let lookups = SERVICES
        .iter()
        .map(|&(service, protocol, security)| async move {
            let name = format!("{service}.{}", email.domain);
            let started = Instant::now();
            let report = match dns.srv(&name).await {
                Ok(records) if records.is_empty() => SourceReport::new(
                    SourceKind::Srv,
                    &name,
                    SourceStatus::NotFound("no SRV record".into()),
                ),
                Ok(records) if not_offered(&records) => SourceReport::new(
                    SourceKind::Srv,
                    &name,
                    SourceStatus::NotFound(
                        "the domain says this service is not offered (target \".\")".into(),
                    ),
                ),
                Ok(records) => {
                    let found = candidates(service, protocol, security, records, &email.domain);
                    SourceReport::found(SourceKind::Srv, &name, found)
                }
                Err(DnsFailure::NoSuchName) => SourceReport::new(
                    SourceKind::Srv,
                    &name,
                    SourceStatus::NotFound("NXDOMAIN".into()),
                ),
                Err(e) => {
                    SourceReport::new(SourceKind::Srv, &name, SourceStatus::Failed(e.to_string()))
                }
            };
            report.with_elapsed(started.elapsed())
        });
    futures::future::join_all(lookups).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord::new(priority, weight, port, target)
    }

    #[test]
    fn priority_then_weight() {
        let ordered = order(vec![
            srv(20, 0, 993, "backup.example.jp"),
            srv(10, 10, 993, "light.example.jp"),
            srv(10, 60, 993, "heavy.example.jp"),
        ]);
        let targets: Vec<&str> = ordered.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(
            targets,
            ["heavy.example.jp", "light.example.jp", "backup.example.jp"]
        );
    }

    #[test]
    fn dot_target_means_not_offered() {
        assert!(not_offered(&[srv(0, 0, 0, "")]));
        assert!(!not_offered(&[srv(0, 0, 993, "imap.example.jp")]));
        let none = candidates(
            "_pop3._tcp",
            Protocol::Pop3,
            Security::Starttls,
            vec![srv(0, 0, 0, "")],
            "example.jp",
        );
        assert!(none.is_empty());
    }

    #[test]
    fn candidates_carry_the_record() {
        let c = candidates(
            "_submissions._tcp",
            Protocol::Smtp,
            Security::Tls,
            vec![srv(0, 1, 465, "smtp.example.jp")],
            "example.jp",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].endpoint.port, 465);
        assert_eq!(c[0].endpoint.security, Security::Tls);
        assert_eq!(
            c[0].sources[0].detail,
            "_submissions._tcp.example.jp SRV 0 1 465 smtp.example.jp"
        );
        assert!(!c[0].sources[0].authenticated);
    }
}
