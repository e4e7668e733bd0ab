//! One realistic `detect` report that every renderer's tests share, built the way
//! `detect` builds one: sample sources and probe outcomes through `rank::build_report`.
//!
//! A Japanese ISP-like domain (`example.ne.jp`, "Example Net"): IMAP 993 verified, POP3 995
//! as an unprobed alternative, a guessed IMAP host with a certificate for another name,
//! SMTP 465 verified, SMTP 587 on a host outside the domain named only by an SRV record
//! (so it needs confirming), and an autoconfig claim (mail.example.ne.jp:465) that the
//! probe contradicted.

use crate::address::parse_email;
use crate::diagnose::Facts;
use crate::discover::providers::Provider;
use crate::discover::{SourceReport, SourceStatus};
use crate::model::{
    AuthMethod, Candidate, Endpoint, Note, Protocol, Security, Source, SourceKind, UsernameForm,
};
use crate::probe::outcome::{
    CertificateInfo, EndpointReport, Outcome, Stage, StarttlsInfo, Timings, TlsInfo,
};
use crate::rank::{self, RankInput};
use crate::report::model::{Mode, ProviderMatch, Report};
use std::time::Duration;

pub(crate) const DOMAIN: &str = "example.ne.jp";
pub(crate) const LOCAL: &str = "taro.yamada";
pub(crate) const AUTOCONFIG_HTTP: &str = "http://autoconfig.example.ne.jp/mail/config-v1.1.xml";

pub(crate) fn endpoint(protocol: Protocol, host: &str, port: u16, security: Security) -> Endpoint {
    Endpoint {
        protocol,
        host: host.to_string(),
        port,
        security,
    }
}

fn source(kind: SourceKind, detail: &str, authenticated: bool) -> Source {
    Source {
        kind,
        detail: detail.to_string(),
        authenticated,
    }
}

fn provider_source() -> Source {
    source(SourceKind::Provider, "example-net", true)
}

fn autoconfig_source() -> Source {
    source(SourceKind::Autoconfig, AUTOCONFIG_HTTP, false)
}

fn certificate(host: &str) -> CertificateInfo {
    CertificateInfo {
        names: vec![host.to_string()],
        subject: format!("CN={host}"),
        issuer: "C=JP, O=Example Trust Services, CN=Example RSA CA 2025".to_string(),
        not_before: "2026-04-01T00:00:00Z".to_string(),
        not_after: "2027-04-30T23:59:59Z".to_string(),
        self_signed: false,
        verified: true,
        error: None,
        problem: None,
        chain_length: 2,
    }
}

fn untrusted_certificate() -> CertificateInfo {
    CertificateInfo {
        names: vec![
            "*.shared-hosting.example".to_string(),
            "shared-hosting.example".to_string(),
        ],
        subject: "CN=*.shared-hosting.example".to_string(),
        issuer: "C=JP, O=Example Trust Services, CN=Example RSA CA 2025".to_string(),
        error: Some(
            "the certificate is for *.shared-hosting.example, not mail.example.ne.jp".to_string(),
        ),
        problem: Some(crate::probe::outcome::CertificateProblem::NameMismatch),
        verified: false,
        ..certificate("mail.example.ne.jp")
    }
}

fn address() -> String {
    format!("{LOCAL}@{DOMAIN}")
}

fn candidate(endpoint: Endpoint, source: Source) -> Candidate {
    Candidate {
        endpoint,
        username: UsernameForm::EmailAddress,
        auth: vec![AuthMethod::PasswordCleartext],
        sources: vec![source],
        notes: Vec::new(),
    }
}

fn probe_ok(
    host: &str,
    port: u16,
    protocol: Protocol,
    auth: &[&str],
    cert: CertificateInfo,
    total_ms: f64,
) -> EndpointReport {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let caps: &[&str] = match protocol {
        Protocol::Imap => &["IMAP4rev1", "SASL-IR", "IDLE", "AUTH=PLAIN", "AUTH=LOGIN"],
        Protocol::Pop3 => &["USER", "SASL PLAIN", "UIDL"],
        Protocol::Smtp => &[
            "PIPELINING",
            "SIZE 52428800",
            "AUTH PLAIN LOGIN",
            "8BITMIME",
        ],
    };
    EndpointReport {
        address: Some("192.0.2.25".parse().expect("a literal address")),
        security: Some(Security::Tls),
        implicit_tls: true,
        greeting: Some(match protocol {
            Protocol::Smtp => format!("220 {host} ESMTP ready"),
            _ => "* OK IMAP4rev1 server ready".to_string(),
        }),
        capabilities: strings(caps),
        auth: strings(auth),
        tls: Some(TlsInfo {
            version: "TLSv1.3".to_string(),
            cipher_suite: "TLS13_AES_256_GCM_SHA384".to_string(),
            certificate: Some(cert),
        }),
        timings: Timings {
            resolve_ms: Some(8.2),
            connect_ms: Some(11.4),
            tls_handshake_ms: Some(32.9),
            greeting_ms: Some(18.0),
            capabilities_ms: Some(9.6),
            total_ms,
            ..Timings::default()
        },
        ..EndpointReport::new(host, port, protocol)
    }
}

fn probe_refused(host: &str, port: u16, protocol: Protocol) -> EndpointReport {
    let mut r = EndpointReport::new(host, port, protocol);
    r.address = Some("192.0.2.26".parse().expect("a literal address"));
    r.fail(
        Outcome::Refused,
        Stage::Connect,
        "connection refused (os error 111)",
    );
    r.starttls = StarttlsInfo::default();
    r.timings = Timings {
        resolve_ms: Some(7.9),
        connect_ms: Some(10.8),
        total_ms: 18.7,
        ..Timings::default()
    };
    r
}

/// The provider table entry of the sample domain.
fn provider() -> &'static Provider {
    // Leaked once per call: tests only, and the ranking wants a table entry ('static).
    Box::leak(Box::new(Provider {
        id: "example-net".to_string(),
        name: "Example Net".to_string(),
        name_ja: Some("エグザンプル・ネット".to_string()),
        domains: vec![DOMAIN.to_string()],
        mx_suffixes: Vec::new(),
        servers: Vec::new(),
        username: UsernameForm::EmailAddress,
        auth: vec![AuthMethod::PasswordCleartext],
        notes: vec![
            Note::new(
                "The password is the mail password printed on the Example Net registration letter, not the password of the member site.",
                "パスワードは Example Net の登録証に記載された「メールパスワード」です（会員サイトのログイン パスワードとは別です）。",
            ),
            Note::new(
                "Most Japanese connections block outgoing port 25 (OP25B): use 465 or 587 for sending.",
                "国内の多くの回線では送信用の 25 番ポートがブロックされています（OP25B）。送信には 465 番か 587 番を使ってください。",
            ),
        ],
        documentation: Some("https://support.example.ne.jp/mail/settings/".to_string()),
        checked: "2026-11-01".to_string(),
    }))
}

/// The one sample report the renderer tests share.
pub(crate) fn sample_report() -> Report {
    let imap = endpoint(Protocol::Imap, "imap.example.ne.jp", 993, Security::Tls);
    let pop3 = endpoint(Protocol::Pop3, "pop.example.ne.jp", 995, Security::Tls);
    let guessed = endpoint(Protocol::Imap, "mail.example.ne.jp", 993, Security::Tls);
    let smtp = endpoint(Protocol::Smtp, "smtp.example.ne.jp", 465, Security::Tls);
    let submission = endpoint(
        Protocol::Smtp,
        "smtp-auth.mailrelay.example",
        587,
        Security::Starttls,
    );
    let refused = endpoint(Protocol::Smtp, "mail.example.ne.jp", 465, Security::Tls);
    let srv_imaps = source(SourceKind::Srv, "_imaps._tcp.example.ne.jp", false);
    let srv_submission = source(SourceKind::Srv, "_submission._tcp.example.ne.jp", false);
    let guess = source(SourceKind::Guess, "mail.example.ne.jp", false);

    let with_ms = |mut r: SourceReport, ms: f64| {
        r.elapsed_ms = Some(ms);
        r
    };
    let sources = vec![
        with_ms(
            SourceReport::found(
                SourceKind::Provider,
                "example-net",
                vec![
                    candidate(imap.clone(), provider_source()),
                    candidate(pop3.clone(), provider_source()),
                    candidate(smtp.clone(), provider_source()),
                ],
            ),
            0.1,
        ),
        with_ms(
            SourceReport::new(
                SourceKind::Autoconfig,
                "https://autoconfig.example.ne.jp/mail/config-v1.1.xml",
                SourceStatus::Failed(
                    "TLS handshake failed: the certificate is not valid for autoconfig.example.ne.jp"
                        .to_string(),
                ),
            ),
            84.2,
        ),
        with_ms(
            SourceReport::found(
                SourceKind::Autoconfig,
                AUTOCONFIG_HTTP,
                vec![
                    candidate(imap.clone(), autoconfig_source()),
                    candidate(pop3, autoconfig_source()),
                    candidate(refused, autoconfig_source()),
                    candidate(smtp, autoconfig_source()),
                ],
            ),
            41.7,
        ),
        with_ms(
            SourceReport::new(
                SourceKind::Ispdb,
                "https://autoconfig.thunderbird.net/v1.1/example.ne.jp",
                SourceStatus::NotFound("HTTP 404".to_string()),
            ),
            120.5,
        ),
        with_ms(
            SourceReport::found(
                SourceKind::Srv,
                "_imaps._tcp.example.ne.jp",
                vec![candidate(imap, srv_imaps)],
            ),
            12.0,
        ),
        with_ms(
            SourceReport::found(
                SourceKind::Srv,
                "_submission._tcp.example.ne.jp",
                vec![candidate(submission, srv_submission)],
            ),
            11.8,
        ),
        with_ms(
            SourceReport::new(
                SourceKind::Mx,
                DOMAIN,
                SourceStatus::NotFound(
                    "MX mx01.example.ne.jp matches no known provider".to_string(),
                ),
            ),
            10.3,
        ),
        SourceReport::new(
            SourceKind::Autodiscover,
            "https://autodiscover.example.ne.jp/autodiscover/autodiscover.xml",
            SourceStatus::Cancelled,
        ),
        with_ms(
            SourceReport::found(
                SourceKind::Guess,
                "mail.example.ne.jp",
                vec![candidate(guessed, guess)],
            ),
            0.0,
        ),
    ];

    let mut untrusted_probe = probe_ok(
        "mail.example.ne.jp",
        993,
        Protocol::Imap,
        &["PLAIN"],
        untrusted_certificate(),
        97.3,
    );
    untrusted_probe.address = Some("192.0.2.26".parse().expect("a literal address"));
    let probes = vec![
        probe_ok(
            "imap.example.ne.jp",
            993,
            Protocol::Imap,
            &["PLAIN", "LOGIN"],
            certificate("imap.example.ne.jp"),
            80.1,
        ),
        untrusted_probe,
        probe_ok(
            "smtp.example.ne.jp",
            465,
            Protocol::Smtp,
            &["PLAIN", "LOGIN"],
            certificate("smtp.example.ne.jp"),
            92.6,
        ),
        probe_refused("mail.example.ne.jp", 465, Protocol::Smtp),
    ];

    let email = parse_email(&address()).expect("a valid sample address");
    rank::build_report(RankInput {
        email: &email,
        mode: Mode::Full,
        provider: Some((provider(), ProviderMatch::Domain)),
        sources,
        probes,
        facts: Facts::default(),
        elapsed: Duration::from_micros(412_600),
    })
}

/// Every sample report the renderer tests share, by name: the ISP above; docomo (a user
/// name that cannot be derived from the address); au one net (POP3 only); Gmail (OAuth2 or
/// an app password); an IDN domain; a plaintext-only server; and findings without settings.
pub(crate) fn sample_reports() -> Vec<(&'static str, Report)> {
    vec![
        ("isp", sample_report()),
        ("docomo", offline("taro@docomo.ne.jp")),
        ("au-one-net", offline("hanako@kd5.auone-net.jp")),
        ("gmail", offline("alice@gmail.com")),
        ("idn", idn_report()),
        ("plaintext-only", plaintext_report()),
        ("no-settings", nothing_found_report()),
    ]
}

fn offline(address: &str) -> Report {
    let email = parse_email(address).expect("a valid sample address");
    crate::detect::detect_offline(&email)
}

/// 山田@例え.jp: SRV names mail.xn--r8jz45g.jp for IMAP 993 and submission 587; both verify.
fn idn_report() -> Report {
    let host = "mail.xn--r8jz45g.jp";
    let imap = endpoint(Protocol::Imap, host, 993, Security::Tls);
    let smtp = endpoint(Protocol::Smtp, host, 587, Security::Starttls);
    let srv = |name: &str| source(SourceKind::Srv, name, false);
    let sources = vec![
        SourceReport::found(
            SourceKind::Srv,
            "_imaps._tcp.xn--r8jz45g.jp",
            vec![candidate(imap, srv("_imaps._tcp.xn--r8jz45g.jp"))],
        ),
        SourceReport::found(
            SourceKind::Srv,
            "_submission._tcp.xn--r8jz45g.jp",
            vec![candidate(smtp, srv("_submission._tcp.xn--r8jz45g.jp"))],
        ),
    ];
    let imap_probe = probe_ok(
        host,
        993,
        Protocol::Imap,
        &["PLAIN"],
        certificate(host),
        61.0,
    );
    let mut smtp_probe = probe_ok(
        host,
        587,
        Protocol::Smtp,
        &["PLAIN", "LOGIN"],
        certificate(host),
        73.5,
    );
    smtp_probe.security = Some(Security::Starttls);
    smtp_probe.implicit_tls = false;
    smtp_probe.starttls.offered = true;
    smtp_probe.starttls.succeeded = Some(true);
    build(
        "山田@例え.jp",
        None,
        sources,
        vec![imap_probe, smtp_probe],
        Facts::default(),
    )
}

/// A small office server that offers IMAP 143 and SMTP 25 without any TLS.
fn plaintext_report() -> Report {
    let host = "mail.office-plain.example";
    let imap = endpoint(Protocol::Imap, host, 143, Security::Plain);
    let smtp = endpoint(Protocol::Smtp, host, 25, Security::Plain);
    let guess = source(SourceKind::Guess, host, false);
    let sources = vec![SourceReport::found(
        SourceKind::Guess,
        host,
        vec![candidate(imap, guess.clone()), candidate(smtp, guess)],
    )];
    let plain = |port: u16, protocol: Protocol| {
        let mut r = probe_ok(
            host,
            port,
            protocol,
            &["PLAIN", "LOGIN"],
            certificate(host),
            20.0,
        );
        r.security = Some(Security::Plain);
        r.implicit_tls = false;
        r.tls = None;
        r
    };
    let probes = vec![plain(143, Protocol::Imap), plain(25, Protocol::Smtp)];
    build(
        "info@office-plain.example",
        None,
        sources,
        probes,
        Facts::default(),
    )
}

/// A domain that does not exist: findings, and no setting at all.
fn nothing_found_report() -> Report {
    let sources = vec![SourceReport::new(
        SourceKind::Mx,
        "no-such-domain.example",
        SourceStatus::NotFound("NXDOMAIN".to_string()),
    )];
    let facts = Facts {
        domain: Some(crate::discover::mx::DomainState::Missing),
        aliases: Vec::new(),
    };
    build(
        "someone@no-such-domain.example",
        None,
        sources,
        Vec::new(),
        facts,
    )
}

fn build(
    address: &str,
    provider: Option<(&'static Provider, ProviderMatch)>,
    sources: Vec<SourceReport>,
    probes: Vec<EndpointReport>,
    facts: Facts,
) -> Report {
    let email = parse_email(address).expect("a valid sample address");
    rank::build_report(RankInput {
        email: &email,
        mode: Mode::Full,
        provider,
        sources,
        probes,
        facts,
        elapsed: Duration::from_micros(250_000),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each sample shows what its name promises, so the renderers' snapshots cover it.
    #[test]
    fn samples_are_what_they_say() {
        let samples: std::collections::BTreeMap<_, _> = sample_reports().into_iter().collect();
        let provider = |name: &str| samples[name].provider.as_ref().map(|p| p.id.clone());
        assert_eq!(provider("docomo").as_deref(), Some("docomo"));
        assert_eq!(provider("au-one-net").as_deref(), Some("au-one-net"));
        assert_eq!(provider("gmail").as_deref(), Some("gmail"));
        let incoming = |name: &str| samples[name].recommended_incoming().cloned();
        assert_eq!(
            incoming("au-one-net").map(|s| s.endpoint.protocol),
            Some(Protocol::Pop3)
        );
        assert_eq!(
            incoming("plaintext-only").map(|s| s.endpoint.security),
            Some(Security::Plain)
        );
        assert!(
            samples["idn"].display_domain.contains("例え"),
            "{}",
            samples["idn"].display_domain
        );
        assert!(incoming("idn").is_some());
        let none = &samples["no-settings"];
        assert!(none.recommended_incoming().is_none() && none.recommended_outgoing().is_none());
        assert!(!none.findings.is_empty());
        assert!(!samples["plaintext-only"].findings.is_empty());
    }
}
