//! RFC 6186 / RFC 8314 SRV records: targets that resolve, "." used alone for "not
//! offered", and implicit TLS preferred over STARTTLS.

use super::{SrvAnswer, SrvFacts};
use crate::dns::SrvRecord;
use crate::findings::Finding;
use crate::model::Security;

pub fn findings(services: &[SrvFacts]) -> Vec<Finding> {
    let mut out = Vec::new();
    for service in services {
        out.extend(records(service));
    }
    out.extend(priorities(services));
    out
}

/// The findings of one service's records.
fn records(service: &SrvFacts) -> Vec<Finding> {
    let SrvAnswer::Records(records) = &service.answer else {
        return Vec::new();
    };
    let name = service.name.clone();
    let dots = records.iter().filter(|(r, _)| r.target.is_empty()).count();
    if dots > 0 && dots == records.len() {
        return vec![Finding::SrvNotOffered { name }];
    }
    let mut out = Vec::new();
    if dots > 0 {
        out.push(Finding::SrvDotMixed { name: name.clone() });
    }
    for (record, resolves) in records {
        if !record.target.is_empty() && !resolves {
            out.push(Finding::SrvTargetUnresolved {
                name: name.clone(),
                target: record.target.clone(),
                port: record.port,
            });
        }
    }
    out
}

/// The best (lowest) priority among a service's real targets.
fn best_priority(service: &SrvFacts) -> Option<u16> {
    let SrvAnswer::Records(records) = &service.answer else {
        return None;
    };
    records
        .iter()
        .map(|(r, _): &(SrvRecord, bool)| r)
        .filter(|r| !r.target.is_empty())
        .map(|r| r.priority)
        .min()
}

/// RFC 8314 §5.1: where a protocol has both services, the implicit-TLS one should have
/// the lower priority number (clients comparing them across services then pick it).
fn priorities(services: &[SrvFacts]) -> Vec<Finding> {
    let mut out = Vec::new();
    for tls in services.iter().filter(|s| s.security == Security::Tls) {
        let starttls = services
            .iter()
            .find(|s| s.protocol == tls.protocol && s.security == Security::Starttls);
        let Some(starttls) = starttls else { continue };
        if let (Some(a), Some(b)) = (best_priority(tls), best_priority(starttls))
            && b < a
        {
            out.push(Finding::SrvImplicitTlsNotPreferred {
                tls_name: tls.name.clone(),
                tls_priority: a,
                starttls_name: starttls.name.clone(),
                starttls_priority: b,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    fn service(name: &str, security: Security, records: Vec<(SrvRecord, bool)>) -> SrvFacts {
        SrvFacts {
            name: format!("{name}.example.jp"),
            protocol: Protocol::Imap,
            security,
            answer: SrvAnswer::Records(records),
        }
    }

    fn kinds(services: &[SrvFacts]) -> Vec<&'static str> {
        findings(services).iter().map(Finding::kind).collect()
    }

    #[test]
    fn dot_alone_is_not_offered_and_mixed_is_an_error() {
        let dot = (SrvRecord::new(0, 0, 0, "."), false);
        let real = (SrvRecord::new(0, 0, 993, "imap.example.jp"), true);
        assert_eq!(
            kinds(&[service("_imaps._tcp", Security::Tls, vec![dot.clone()])]),
            ["srv-not-offered"]
        );
        assert_eq!(
            kinds(&[service("_imaps._tcp", Security::Tls, vec![dot, real])]),
            ["srv-dot-mixed"]
        );
    }

    #[test]
    fn unresolved_targets_are_named() {
        let f = findings(&[service(
            "_imaps._tcp",
            Security::Tls,
            vec![(SrvRecord::new(0, 0, 993, "gone.example.jp"), false)],
        )]);
        assert_eq!(
            f,
            [Finding::SrvTargetUnresolved {
                name: "_imaps._tcp.example.jp".into(),
                target: "gone.example.jp".into(),
                port: 993
            }]
        );
    }

    #[test]
    fn starttls_preferred_over_implicit_tls_is_flagged() {
        let tls = |p| {
            service(
                "_imaps._tcp",
                Security::Tls,
                vec![(SrvRecord::new(p, 0, 993, "imap.example.jp"), true)],
            )
        };
        let starttls = |p| {
            service(
                "_imap._tcp",
                Security::Starttls,
                vec![(SrvRecord::new(p, 0, 143, "imap.example.jp"), true)],
            )
        };
        assert_eq!(
            kinds(&[tls(10), starttls(0)]),
            ["srv-implicit-tls-not-preferred"]
        );
        assert!(kinds(&[tls(0), starttls(10)]).is_empty());
        assert!(kinds(&[tls(5), starttls(5)]).is_empty());
    }
}
