//! MX: present, not null, and every host resolving.

use super::MxFacts;
use crate::findings::Finding;

pub fn findings(domain: &str, mx: &MxFacts) -> Vec<Finding> {
    let records = match mx {
        MxFacts::DomainMissing => {
            return vec![Finding::DomainNotFound {
                domain: domain.to_string(),
            }];
        }
        // Nothing is known; the other checks still say what they found.
        MxFacts::Failed(_) => return Vec::new(),
        MxFacts::Records(records) => records,
    };
    if records.is_empty() {
        return vec![Finding::MxMissing {
            domain: domain.to_string(),
        }];
    }
    if records.iter().all(|r| r.host.is_empty()) {
        return vec![Finding::MxNull {
            domain: domain.to_string(),
        }];
    }
    records
        .iter()
        .filter(|r| !r.host.is_empty() && !r.resolves)
        .map(|r| Finding::MxHostUnresolved {
            host: r.host.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::MxHost;

    fn host(name: &str, resolves: bool) -> MxHost {
        MxHost {
            preference: 10,
            host: name.to_string(),
            resolves,
        }
    }

    #[test]
    fn missing_null_and_unresolved() {
        let kinds = |mx: MxFacts| -> Vec<&'static str> {
            findings("example.jp", &mx)
                .iter()
                .map(Finding::kind)
                .collect()
        };
        assert_eq!(kinds(MxFacts::DomainMissing), ["domain-not-found"]);
        assert_eq!(kinds(MxFacts::Records(Vec::new())), ["mx-missing"]);
        assert_eq!(kinds(MxFacts::Records(vec![host("", false)])), ["mx-null"]);
        assert_eq!(
            kinds(MxFacts::Records(vec![
                host("mx1.example.jp", true),
                host("mx2.example.jp", false)
            ])),
            ["mx-host-unresolved"]
        );
        assert!(kinds(MxFacts::Records(vec![host("mx1.example.jp", true)])).is_empty());
        assert!(kinds(MxFacts::Failed("timeout".into())).is_empty());
    }
}
