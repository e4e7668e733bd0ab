//! Guessed host names, for when the sources leave a gap. Pure and ordered: the order is
//! the order of likelihood, and it is the order they are probed and shown in.

use crate::address::EmailAddress;
use crate::model::{Candidate, Endpoint, Protocol, Security, Source, SourceKind, UsernameForm};

/// Candidate endpoints for `protocol`, most likely first.
///
/// Why this order: a dedicated `imap.`/`pop.`/`smtp.` name is the most common convention;
/// `mail.` is the usual single-host set-up; `pop3.` is rarer; the MX host often runs
/// submission and IMAP too on small set-ups; the bare domain is a last resort. Within a
/// host, RFC 8314 order: implicit TLS before STARTTLS. Port 25 is never guessed: it is
/// for server-to-server relay and blocked on many networks (OP25B).
pub fn hosts_and_ports(
    protocol: Protocol,
    domain: &str,
    mx_host: Option<&str>,
) -> Vec<(String, u16, Security)> {
    let prefixes: &[&str] = match protocol {
        Protocol::Imap => &["imap", "mail"],
        Protocol::Pop3 => &["pop", "mail", "pop3"],
        Protocol::Smtp => &["smtp", "mail"],
    };
    let mut hosts: Vec<String> = prefixes.iter().map(|p| format!("{p}.{domain}")).collect();
    if let Some(mx) = mx_host {
        hosts.push(mx.to_string());
    }
    hosts.push(domain.to_string());
    let mut seen = std::collections::HashSet::new();
    hosts.retain(|h| seen.insert(h.clone()));
    let mut out = Vec::new();
    for host in hosts {
        for &port in protocol.standard_ports().iter().filter(|&&p| p != 25) {
            out.push((host.clone(), port, protocol.default_security(port)));
        }
    }
    out
}

/// Guessed candidates for every protocol in `protocols`.
pub fn candidates(
    email: &EmailAddress,
    protocols: &[Protocol],
    mx_host: Option<&str>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for &protocol in protocols {
        for (host, port, security) in hosts_and_ports(protocol, &email.domain, mx_host) {
            out.push(Candidate {
                sources: vec![Source {
                    kind: SourceKind::Guess,
                    detail: format!("guessed {host}:{port}"),
                    authenticated: false,
                }],
                endpoint: Endpoint {
                    protocol,
                    host,
                    port,
                    security,
                },
                // The most common form by far; a guess cannot know better.
                username: UsernameForm::EmailAddress,
                auth: Vec::new(),
                notes: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_guesses_in_order_of_likelihood() {
        let got = hosts_and_ports(Protocol::Imap, "example.jp", Some("mx1.hosting.example"));
        let shown: Vec<String> = got.iter().map(|(h, p, _)| format!("{h}:{p}")).collect();
        assert_eq!(
            shown,
            [
                "imap.example.jp:993",
                "imap.example.jp:143",
                "mail.example.jp:993",
                "mail.example.jp:143",
                "mx1.hosting.example:993",
                "mx1.hosting.example:143",
                "example.jp:993",
                "example.jp:143"
            ]
        );
        assert_eq!(got[0].2, Security::Tls);
        assert_eq!(got[1].2, Security::Starttls);
    }

    #[test]
    fn smtp_guesses_never_use_port_25() {
        let got = hosts_and_ports(Protocol::Smtp, "example.jp", None);
        assert!(got.iter().all(|(_, p, _)| *p != 25));
        assert_eq!(got[0], ("smtp.example.jp".to_string(), 465, Security::Tls));
    }

    #[test]
    fn mx_host_equal_to_a_guess_is_not_repeated() {
        let got = hosts_and_ports(Protocol::Pop3, "example.jp", Some("mail.example.jp"));
        let mail = got
            .iter()
            .filter(|(h, _, _)| h == "mail.example.jp")
            .count();
        assert_eq!(mail, 2);
    }

    #[test]
    fn candidates_are_flagged_unauthenticated() {
        let email = crate::address::parse_email("taro@example.jp").unwrap();
        let c = candidates(&email, &[Protocol::Smtp], None);
        assert_eq!(c.len(), 6); // smtp., mail. and the bare domain, on 465 and 587
        assert!(
            c.iter()
                .all(|c| c.sources[0].kind == SourceKind::Guess && !c.sources[0].authenticated)
        );
    }
}
