//! The trust rule of `check`: where a password may go. Pure functions, one per half.
//!
//! - The host ([`host_grant`]), decided before connecting: it lies in the address's
//!   registrable domain, or belongs to the matched provider (one of its table's server
//!   hosts, or under one of its MX suffixes), or an authenticated source named it (https
//!   autoconfig, the provider table), or the user named it (`--imap`, `--pop3`, `--smtp`).
//!   Anything else was named only over channels anyone on the path can forge (SRV and MX
//!   are plain DNS, autoconfig over http, a guess), so it is refused.
//! - The connection ([`channel_permits`]), decided after TLS and before the first byte of
//!   the login: TLS (implicit, or STARTTLS whose upgrade succeeded) with a certificate that
//!   verified for the host. Plain text only with `--allow-plaintext`, never implied.

use crate::address::within_registrable_domain;
use crate::discover::providers::Provider;
use crate::model::{Security, Source, SourceKind, expand_placeholders};
use crate::probe::outcome::{CertificateInfo, CertificateProblem};
use serde::Serialize;

/// Why a host may receive the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "grant")]
pub enum Grant {
    /// The host lies in the address's registrable domain.
    InDomain,
    /// The host belongs to the provider the address matched (its table's hosts, its MX
    /// suffixes).
    Provider { id: String },
    /// An authenticated source named the host (https autoconfig, the provider table).
    AuthenticatedSource { kind: SourceKind },
    /// The user named the host on the command line.
    NamedByUser,
}

/// Why the password was not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "refusal")]
pub enum Refusal {
    /// The host is outside the address's domain and its provider, and only channels
    /// anyone on the path can forge named it.
    UntrustedHost {
        host: String,
        /// The address's domain.
        domain: String,
        /// The kinds of source that named the host.
        via: Vec<SourceKind>,
    },
    /// The connection is not encrypted, and `--allow-plaintext` was not given.
    Plaintext,
    /// TLS was established, but the certificate did not verify for the host.
    UntrustedCertificate {
        host: String,
        problem: Option<CertificateProblem>,
    },
}

/// What is known about a host before connecting to it.
pub struct HostClaim<'a> {
    pub host: &'a str,
    /// The address's domain (ASCII).
    pub domain: &'a str,
    /// The sources that named the host (empty when the user named it).
    pub sources: &'a [Source],
    pub named_by_user: bool,
    /// The provider the address matched, if any.
    pub provider: Option<&'a Provider>,
}

/// Whether the password may go to this host at all; the first reason that applies.
pub fn host_grant(claim: &HostClaim<'_>) -> Result<Grant, Refusal> {
    let host = claim.host.trim_end_matches('.').to_ascii_lowercase();
    if claim.named_by_user {
        return Ok(Grant::NamedByUser);
    }
    if within_registrable_domain(&host, claim.domain) {
        return Ok(Grant::InDomain);
    }
    if let Some(provider) = claim
        .provider
        .filter(|p| belongs_to(&host, p, claim.domain))
    {
        return Ok(Grant::Provider {
            id: provider.id.clone(),
        });
    }
    if let Some(source) = claim.sources.iter().find(|s| s.authenticated) {
        return Ok(Grant::AuthenticatedSource { kind: source.kind });
    }
    let mut via: Vec<SourceKind> = Vec::new();
    for source in claim.sources {
        if !via.contains(&source.kind) {
            via.push(source.kind);
        }
    }
    Err(Refusal::UntrustedHost {
        host,
        domain: claim.domain.to_string(),
        via,
    })
}

/// `host` is one of the provider's server hosts (placeholders filled for `domain`) or lies
/// under one of its MX suffixes, on a label boundary.
fn belongs_to(host: &str, provider: &Provider, domain: &str) -> bool {
    let listed = provider
        .servers
        .iter()
        .any(|s| expand_placeholders(&s.host, "", domain).eq_ignore_ascii_case(host));
    let under_suffix = provider.mx_suffixes.iter().any(|suffix| {
        host == suffix
            || host
                .strip_suffix(suffix.as_str())
                .is_some_and(|head| head.ends_with('.') && head.len() > 1)
    });
    listed || under_suffix
}

/// Whether the login may go over this connection: `security` is what the connection
/// uses, `certificate` the verdict on the certificate it presented (None without TLS).
pub fn channel_permits(
    host: &str,
    security: Security,
    certificate: Option<&CertificateInfo>,
    allow_plaintext: bool,
) -> Result<(), Refusal> {
    match security {
        Security::Plain if allow_plaintext => Ok(()),
        Security::Plain => Err(Refusal::Plaintext),
        Security::Tls | Security::Starttls => match certificate {
            Some(c) if c.verified => Ok(()),
            Some(c) => Err(Refusal::UntrustedCertificate {
                host: host.to_string(),
                problem: c.problem,
            }),
            // TLS without a certificate to judge: nothing vouches for the host.
            None => Err(Refusal::UntrustedCertificate {
                host: host.to_string(),
                problem: None,
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::providers;

    fn source(kind: SourceKind, authenticated: bool) -> Source {
        Source {
            kind,
            detail: String::new(),
            authenticated,
        }
    }

    fn claim<'a>(host: &'a str, sources: &'a [Source]) -> HostClaim<'a> {
        HostClaim {
            host,
            domain: "example.co.jp",
            sources,
            named_by_user: false,
            provider: None,
        }
    }

    #[test]
    fn a_host_in_the_registrable_domain_is_trusted() {
        let srv = [source(SourceKind::Srv, false)];
        assert_eq!(
            host_grant(&claim("mail.example.co.jp", &srv)),
            Ok(Grant::InDomain)
        );
        assert_eq!(
            host_grant(&claim("MAIL.EXAMPLE.CO.JP.", &srv)),
            Ok(Grant::InDomain)
        );
        // Same public suffix is not the same domain.
        assert!(host_grant(&claim("mail.other.co.jp", &srv)).is_err());
    }

    #[test]
    fn an_srv_target_outside_the_domain_is_refused_with_its_sources() {
        let sources = [
            source(SourceKind::Srv, false),
            source(SourceKind::Guess, false),
        ];
        assert_eq!(
            host_grant(&claim("mail.attacker.test", &sources)),
            Err(Refusal::UntrustedHost {
                host: "mail.attacker.test".into(),
                domain: "example.co.jp".into(),
                via: vec![SourceKind::Srv, SourceKind::Guess],
            })
        );
    }

    #[test]
    fn an_authenticated_source_vouches_for_a_foreign_host() {
        let sources = [
            source(SourceKind::Srv, false),
            source(SourceKind::Autoconfig, true),
        ];
        assert_eq!(
            host_grant(&claim("mail.hoster.test", &sources)),
            Ok(Grant::AuthenticatedSource {
                kind: SourceKind::Autoconfig
            })
        );
        // The same autoconfig over plain http does not.
        let http = [source(SourceKind::Autoconfig, false)];
        assert!(host_grant(&claim("mail.hoster.test", &http)).is_err());
    }

    #[test]
    fn the_user_may_name_any_host() {
        let c = HostClaim {
            named_by_user: true,
            ..claim("mail.anywhere.test", &[])
        };
        assert_eq!(host_grant(&c), Ok(Grant::NamedByUser));
    }

    #[test]
    fn hosts_of_the_matched_provider_are_trusted() {
        let gmail = providers::by_id("gmail").expect("gmail in the table");
        let mx = [source(SourceKind::Mx, false)];
        let c = |host| HostClaim {
            provider: Some(gmail),
            ..claim(host, &mx)
        };
        let grant = Ok(Grant::Provider { id: "gmail".into() });
        assert_eq!(host_grant(&c("imap.gmail.com")), grant);
        assert_eq!(host_grant(&c("aspmx.l.google.com")), grant);
        // A look-alike is not under the suffix.
        assert!(host_grant(&c("evilgoogle.com")).is_err());
        assert!(host_grant(&c("imap.gmail.com.attacker.test")).is_err());
    }

    fn certificate(verified: bool) -> CertificateInfo {
        CertificateInfo {
            verified,
            problem: (!verified).then_some(CertificateProblem::UnknownIssuer),
            ..CertificateInfo::default()
        }
    }

    #[test]
    fn credentials_go_only_over_tls_with_a_verified_certificate() {
        let good = certificate(true);
        let bad = certificate(false);
        for security in [Security::Tls, Security::Starttls] {
            assert_eq!(channel_permits("h", security, Some(&good), false), Ok(()));
            assert_eq!(
                channel_permits("h", security, Some(&bad), false),
                Err(Refusal::UntrustedCertificate {
                    host: "h".into(),
                    problem: Some(CertificateProblem::UnknownIssuer)
                })
            );
            // --allow-plaintext does not excuse a bad certificate.
            assert!(channel_permits("h", security, Some(&bad), true).is_err());
            assert!(channel_permits("h", security, None, false).is_err());
        }
    }

    #[test]
    fn plaintext_only_when_allowed() {
        assert_eq!(
            channel_permits("h", Security::Plain, None, false),
            Err(Refusal::Plaintext)
        );
        assert_eq!(channel_permits("h", Security::Plain, None, true), Ok(()));
    }
}
