//! Settings inferred from a certificate that does not cover the host it came from.
//!
//! Shared hosting works this way: people type mail.their-domain, and the hoster's
//! certificate names the hoster's own server. When the host is an alias (CNAME) of a name
//! the certificate covers, that canonical name is the setting; otherwise each exact name
//! in the certificate that resolves is one, and so is the domain's MX host when one of the
//! certificate's wildcards covers it (a hoster's `*.hoster.example` certificate, and an MX
//! such as `server7.hoster.example`). Neither is trusted by itself: the names came
//! from a certificate nobody vouched for, so a host outside the user's domain must be
//! confirmed by the user (the source is unauthenticated), and only a probe that verifies
//! makes it a setting at all.

use super::SourceReport;
use crate::dns::Dns;
use crate::model::{Candidate, Endpoint, Source, SourceKind};

/// A host that is an alias (CNAME) of another, its canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub alias: String,
    pub canonical: String,
}

/// Whether one of a certificate's `names` covers `host` (a `*.` wildcard covers exactly
/// one label, RFC 6125).
pub fn covers(names: &[String], host: &str) -> bool {
    names.iter().any(|name| match name.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => name == host,
    })
}

/// How many of a certificate's names are tried: a hoster's certificate can list hundreds.
const MAX_NAMES: usize = 3;

/// What the certificate of `template`'s host suggests instead of it.
pub async fn alternatives(
    dns: &Dns,
    template: &Candidate,
    names: &[String],
    mx_host: Option<&str>,
) -> (SourceReport, Option<Alias>) {
    let started = std::time::Instant::now();
    let host = &template.endpoint.host;
    let query = query(&template.endpoint);
    let canonical = dns.canonical_name(host).await.ok().flatten();
    if let Some(canonical) = canonical.filter(|c| covers(names, c)) {
        let candidate = renamed(template, &canonical, format!("canonical name of {host}"));
        let alias = Alias {
            alias: host.clone(),
            canonical,
        };
        let report = SourceReport::found(SourceKind::Certificate, query, vec![candidate]);
        return (report.with_elapsed(started.elapsed()), Some(alias));
    }
    let mut candidates = Vec::new();
    for name in exact_names(names, host) {
        if dns.ips(name).await.is_ok() {
            let detail = format!("named by the certificate of {host}");
            candidates.push(renamed(template, name, detail));
        }
    }
    if let Some(mx) = mx_host.filter(|mx| *mx != host && covers(names, mx)) {
        let detail = format!("the MX host, covered by the certificate of {host}");
        candidates.push(renamed(template, mx, detail));
    }
    let report = SourceReport::found(SourceKind::Certificate, query, candidates);
    (report.with_elapsed(started.elapsed()), None)
}

/// What the lookup for `endpoint` asks, as its report says: one lookup per place, named
/// with its port so that reports sort the same way every run.
pub fn query(endpoint: &Endpoint) -> String {
    format!(
        "names in the certificate of {}:{} ({})",
        endpoint.host, endpoint.port, endpoint.protocol
    )
}

/// The names worth connecting to: not wildcards, not the host itself, at most
/// [`MAX_NAMES`], in the certificate's order.
fn exact_names<'a>(names: &'a [String], host: &str) -> impl Iterator<Item = &'a String> {
    names
        .iter()
        .filter(move |n| {
            !n.starts_with("*.") && *n != host && n.parse::<std::net::IpAddr>().is_err()
        })
        .take(MAX_NAMES)
}

/// `template` at another host, claimed by the certificate.
fn renamed(template: &Candidate, host: &str, detail: String) -> Candidate {
    Candidate {
        endpoint: Endpoint {
            host: host.to_string(),
            ..template.endpoint.clone()
        },
        username: template.username.clone(),
        auth: template.auth.clone(),
        sources: vec![Source {
            kind: SourceKind::Certificate,
            detail,
            authenticated: false,
        }],
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        let names = vec![
            "*.hosting.example".to_string(),
            "hosting.example".to_string(),
        ];
        assert!(covers(&names, "mail.hosting.example"));
        assert!(covers(&names, "hosting.example"));
        assert!(!covers(&names, "a.b.hosting.example"));
        assert!(!covers(&names, "mail.example.jp"));
    }

    #[test]
    fn only_exact_names_other_than_the_host_are_tried() {
        let names: Vec<String> = [
            "*.hosting.example",
            "mail.example.jp",
            "192.0.2.1",
            "a.hosting.example",
            "b.hosting.example",
            "c.hosting.example",
            "d.hosting.example",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let tried: Vec<&String> = exact_names(&names, "mail.example.jp").collect();
        assert_eq!(
            tried,
            [
                "a.hosting.example",
                "b.hosting.example",
                "c.hosting.example"
            ]
        );
    }
}
