//! The published settings against the servers and against each other: every published
//! port answers with the security published, hosts lie inside the domain (or the MX
//! explains them), and autoconfig, SRV and autodiscover name the same servers.

use super::{Facts, FetchResult, MxFacts, Published, SAMPLE_LOCAL_PART, SrvAnswer};
use crate::address::{registrable_domain, within_registrable_domain};
use crate::findings::{Finding, Place, PublishedSet, Publisher};
use crate::model::{Endpoint, Protocol, Security, Source, SourceKind};
use crate::probe::outcome::{EndpointReport, Outcome, Stage};
use std::collections::BTreeMap;

/// Every setting the facts' autoconfig files, SRV records and autodiscover answer name,
/// in that order, without repeats. Only the files linted count: https ones, or the
/// plain http one when https gives none.
pub fn collect(facts: &Facts) -> Vec<Published> {
    let mut out: Vec<Published> = Vec::new();
    let mut push = |by: Publisher, endpoint: Endpoint| {
        let item = Published { by, endpoint };
        if !out.contains(&item) {
            out.push(item);
        }
    };
    let https_document = facts
        .autoconfig
        .iter()
        .any(|f| f.https && matches!(f.result, FetchResult::Document(_)));
    for fetch in &facts.autoconfig {
        let FetchResult::Document(config) = &fetch.result else {
            continue;
        };
        if !fetch.https && https_document {
            continue;
        }
        let source = Source {
            kind: SourceKind::Autoconfig,
            detail: fetch.url.clone(),
            authenticated: fetch.https,
        };
        for c in config.candidates(SAMPLE_LOCAL_PART, &facts.domain, &source) {
            push(
                Publisher::Autoconfig {
                    url: fetch.url.clone(),
                },
                c.endpoint,
            );
        }
    }
    for service in &facts.srv {
        let SrvAnswer::Records(records) = &service.answer else {
            continue;
        };
        let ordered = crate::discover::srv::order(records.iter().map(|(r, _)| r.clone()).collect());
        for record in ordered
            .into_iter()
            .filter(|r| !r.target.is_empty() && r.port != 0)
        {
            push(
                Publisher::Srv {
                    name: service.name.clone(),
                },
                Endpoint {
                    protocol: service.protocol,
                    host: record.target,
                    port: record.port,
                    security: service.security,
                },
            );
        }
    }
    if let FetchResult::Document(servers) = &facts.autodiscover.result {
        for endpoint in servers {
            push(
                Publisher::Autodiscover {
                    url: facts.autodiscover.url.clone(),
                },
                endpoint.clone(),
            );
        }
    }
    out
}

pub fn findings(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for item in &facts.published {
        out.extend(outside_domain(facts, item));
        if let Some(probe) = super::probe_of(&facts.probes, &item.endpoint) {
            out.extend(against_server(facts, item, probe));
        }
    }
    out.extend(disagreements(&facts.published));
    out
}

/// A host outside the domain, explained when an MX host shares its registrable domain.
fn outside_domain(facts: &Facts, item: &Published) -> Option<Finding> {
    let host = &item.endpoint.host;
    if within_registrable_domain(host, &facts.domain) {
        return None;
    }
    let explained_by = match &facts.mx {
        MxFacts::Records(records) => records
            .iter()
            .filter(|r| !r.host.is_empty())
            .find(|r| {
                registrable_domain(&r.host).is_some()
                    && registrable_domain(&r.host) == registrable_domain(host)
            })
            .map(|r| r.host.clone()),
        _ => None,
    };
    Some(Finding::HostOutsideDomain {
        by: item.by.clone(),
        at: Place::of(&item.endpoint),
        domain: facts.domain.clone(),
        explained_by,
    })
}

/// What the probe of a published endpoint says about the publication.
fn against_server(facts: &Facts, item: &Published, probe: &EndpointReport) -> Option<Finding> {
    let at = Place::of(&item.endpoint);
    let published = item.endpoint.security;
    if probe.is_ok() {
        if published != Security::Plain {
            return None;
        }
        return Some(if probe.starttls.offered {
            Finding::PublishedPlaintext {
                by: item.by.clone(),
                at,
            }
        } else {
            Finding::PlaintextOnly { at }
        });
    }
    let unreachable = || Finding::PublishedUnreachable {
        by: item.by.clone(),
        at: at.clone(),
        security: published,
        outcome: probe.outcome,
        detail: probe.error.clone().unwrap_or_default(),
    };
    match probe.stage {
        // An SRV target that does not resolve is `srv-target-unresolved`'s.
        Some(Stage::Resolve) if matches!(item.by, Publisher::Srv { .. }) => None,
        Some(Stage::Resolve | Stage::Connect) | None => Some(unreachable()),
        Some(_) if probe.outcome == Outcome::NotTried => None,
        Some(stage) => {
            let actual = facts
                .retries
                .iter()
                .filter(|r| same_place(&r.endpoint, &item.endpoint) && r.report.is_ok())
                // Plain text counts only where STARTTLS is not offered at all: a broken
                // STARTTLS is never a reason to publish no encryption.
                .find(|r| !(r.endpoint.security == Security::Plain && r.report.starttls.offered))
                .map(|r| r.endpoint.security);
            // STARTTLS that breaks and obsolete TLS are diagnosed as such (detect's kinds).
            let diagnosed = probe.symptom.as_ref().is_some_and(|s| {
                !matches!(s, crate::probe::outcome::Symptom::PlaintextOnTlsPort { .. })
            });
            match actual {
                Some(actual) => Some(Finding::PublishedSecurityWrong {
                    by: item.by.clone(),
                    at,
                    published,
                    actual: Some(actual),
                }),
                None if diagnosed => None,
                None if matches!(stage, Stage::TlsHandshake | Stage::Starttls) => {
                    Some(Finding::PublishedSecurityWrong {
                        by: item.by.clone(),
                        at,
                        published,
                        actual: None,
                    })
                }
                None => Some(unreachable()),
            }
        }
    }
}

fn same_place(a: &Endpoint, b: &Endpoint) -> bool {
    a.protocol == b.protocol && a.host == b.host && a.port == b.port
}

/// Which family a publisher belongs to: the file, the DNS records, the Outlook endpoint.
fn family(by: &Publisher) -> u8 {
    match by {
        Publisher::Autoconfig { .. } => 0,
        Publisher::Srv { .. } => 1,
        Publisher::Autodiscover { .. } => 2,
    }
}

/// For each protocol published by two or more families: a finding when two of them share
/// no server at all (host, port and security).
fn disagreements(published: &[Published]) -> Vec<Finding> {
    let mut out = Vec::new();
    for protocol in Protocol::ALL {
        let of_protocol: Vec<&Published> = published
            .iter()
            .filter(|p| p.endpoint.protocol == protocol)
            .collect();
        let mut by_family: BTreeMap<u8, Vec<&Endpoint>> = BTreeMap::new();
        for p in &of_protocol {
            by_family
                .entry(family(&p.by))
                .or_default()
                .push(&p.endpoint);
        }
        let families: Vec<&Vec<&Endpoint>> = by_family.values().collect();
        let disjoint = families.iter().enumerate().any(|(i, a)| {
            families[i + 1..]
                .iter()
                .any(|b| !a.iter().any(|e| b.contains(e)))
        });
        if !disjoint {
            continue;
        }
        let mut sets: Vec<PublishedSet> = Vec::new();
        for p in &of_protocol {
            match sets.iter_mut().find(|s| s.by == p.by) {
                Some(set) => set.endpoints.push(p.endpoint.clone()),
                None => sets.push(PublishedSet {
                    by: p.by.clone(),
                    endpoints: vec![p.endpoint.clone()],
                }),
            }
        }
        out.push(Finding::PublishedSettingsDisagree { protocol, sets });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::tests::{empty_facts, endpoint};
    use crate::lint::{MxHost, Probed};

    fn srv(name: &str) -> Publisher {
        Publisher::Srv {
            name: format!("{name}.example.jp"),
        }
    }

    fn autoconfig() -> Publisher {
        Publisher::Autoconfig {
            url: "https://autoconfig.example.jp/mail/config-v1.1.xml".into(),
        }
    }

    fn ok(e: &Endpoint, offered_starttls: bool) -> EndpointReport {
        let mut r = EndpointReport::new(&e.host, e.port, e.protocol);
        r.security = Some(e.security);
        r.starttls.offered = offered_starttls;
        r
    }

    fn failed(e: &Endpoint, outcome: Outcome, stage: Stage) -> EndpointReport {
        let mut r = EndpointReport::new(&e.host, e.port, e.protocol);
        r.fail(outcome, stage, "what the probe said");
        r
    }

    fn probed(e: &Endpoint, report: EndpointReport) -> Probed {
        Probed {
            endpoint: e.clone(),
            report,
        }
    }

    fn kinds(facts: &Facts) -> Vec<&'static str> {
        findings(facts).iter().map(Finding::kind).collect()
    }

    #[test]
    fn a_port_that_speaks_starttls_where_tls_is_published() {
        let mut facts = empty_facts("example.jp");
        let e = endpoint(Protocol::Imap, "imap.example.jp", 143, Security::Tls);
        facts.published = vec![Published {
            by: srv("_imaps._tcp"),
            endpoint: e.clone(),
        }];
        facts.probes = vec![probed(
            &e,
            failed(&e, Outcome::TlsError, Stage::TlsHandshake),
        )];
        let retried = Endpoint {
            security: Security::Starttls,
            ..e.clone()
        };
        facts.retries = vec![probed(&retried, ok(&retried, true))];
        let f = findings(&facts);
        assert_eq!(
            f,
            [Finding::PublishedSecurityWrong {
                by: srv("_imaps._tcp"),
                at: Place::of(&e),
                published: Security::Tls,
                actual: Some(Security::Starttls)
            }]
        );
    }

    #[test]
    fn unreachable_plaintext_and_outside() {
        let mut facts = empty_facts("example.jp");
        let refused = endpoint(Protocol::Smtp, "smtp.example.jp", 2525, Security::Starttls);
        let plain = endpoint(Protocol::Pop3, "pop.example.jp", 110, Security::Plain);
        let outside = endpoint(Protocol::Imap, "imap.hoster.example", 993, Security::Tls);
        facts.published = [&refused, &plain, &outside]
            .iter()
            .map(|e| Published {
                by: autoconfig(),
                endpoint: (*e).clone(),
            })
            .collect();
        facts.probes = vec![
            probed(&refused, failed(&refused, Outcome::Refused, Stage::Connect)),
            probed(&plain, ok(&plain, true)),
            probed(&outside, ok(&outside, false)),
        ];
        assert_eq!(
            kinds(&facts),
            [
                "published-unreachable",
                "published-plaintext",
                "host-outside-domain"
            ]
        );
        // The MX at the same hoster explains the host.
        facts.mx = MxFacts::Records(vec![MxHost {
            preference: 10,
            host: "mx.hoster.example".into(),
            resolves: true,
        }]);
        let f = findings(&facts);
        assert!(f.iter().any(|f| matches!(f, Finding::HostOutsideDomain { explained_by: Some(mx), .. } if mx == "mx.hoster.example")));
        // Plain text where STARTTLS is not offered either: plaintext-only.
        facts.probes[1] = probed(&plain, ok(&plain, false));
        assert!(kinds(&facts).contains(&"plaintext-only"));
    }

    #[test]
    fn families_that_share_no_server_disagree() {
        let a = endpoint(Protocol::Imap, "imap.example.jp", 993, Security::Tls);
        let b = endpoint(Protocol::Imap, "mail.example.jp", 993, Security::Tls);
        let published = vec![
            Published {
                by: autoconfig(),
                endpoint: a.clone(),
            },
            Published {
                by: srv("_imaps._tcp"),
                endpoint: b.clone(),
            },
        ];
        let f = disagreements(&published);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].endpoints().len(), 2);
        let agreeing = vec![
            Published {
                by: autoconfig(),
                endpoint: a.clone(),
            },
            Published {
                by: autoconfig(),
                endpoint: b.clone(),
            },
            Published {
                by: srv("_imaps._tcp"),
                endpoint: b,
            },
        ];
        assert!(disagreements(&agreeing).is_empty());
    }
}
