//! Merge and rank: candidates from every source, plus the probes' outcomes, become one
//! [`Report`]. Pure: no I/O, so every rule here is unit-tested.
//!
//! The rules, in order of weight:
//! 1. A setting a probe verified beats one it could not check, which beats one it saw
//!    fail; an encrypted setting that works (even with an untrusted certificate) beats a
//!    plaintext one, so plaintext is never recommended while encryption works.
//! 2. RFC 8314: implicit TLS before STARTTLS before plain.
//! 3. IMAP before POP3 for incoming mail.
//! 4. Port 25 last for outgoing mail, and never recommended. (Before all of these: what
//!    may be recommended at all, see `Setting::recommendable`.)
//! 5. The more trustworthy source first (provider table, autoconfig over https, ISPDB,
//!    autodiscover, SRV, MX, plain-http autoconfig, guessing), then discovery order.
//!
//! A claim a probe contradicts (refused, or another security than claimed) is kept as a
//! [`Contradiction`], never dropped.

use crate::address::{EmailAddress, display_domain, within_registrable_domain};
use crate::discover::SourceReport;
use crate::discover::providers::Provider;
use crate::model::{
    AuthMethod, Candidate, Endpoint, Note, Protocol, Security, Source, SourceKind, UsernameForm,
};
use crate::probe::outcome::EndpointReport;
use crate::report::model::{Contradiction, Mode, ProviderInfo, Report, Setting, Verification};
use std::collections::BTreeMap;
use std::time::Duration;

/// Everything the ranking needs.
pub struct RankInput<'a> {
    pub email: &'a EmailAddress,
    pub mode: Mode,
    /// The provider and how it was recognised ("domain" or "mx").
    pub provider: Option<(&'static Provider, &'static str)>,
    pub sources: Vec<SourceReport>,
    pub probes: Vec<EndpointReport>,
    pub elapsed: Duration,
}

/// Where an endpoint is, ignoring the claimed security: one probe answers for all claims.
type Place = (Protocol, String, u16);

fn place(endpoint: &Endpoint) -> Place {
    (endpoint.protocol, endpoint.host.clone(), endpoint.port)
}

pub fn build_report(input: RankInput<'_>) -> Report {
    let email = input.email;
    let probes: BTreeMap<Place, &EndpointReport> = input
        .probes
        .iter()
        .map(|p| ((p.protocol, p.host.clone(), p.port), p))
        .collect();

    // Group claims by place, in discovery order.
    let mut order: Vec<Place> = Vec::new();
    let mut claims: BTreeMap<Place, Vec<&Candidate>> = BTreeMap::new();
    for source in &input.sources {
        for candidate in &source.candidates {
            let key = place(&candidate.endpoint);
            let entry = claims.entry(key.clone()).or_default();
            if entry.is_empty() {
                order.push(key);
            }
            entry.push(candidate);
        }
    }

    let mut incoming = Vec::new();
    let mut outgoing = Vec::new();
    let mut contradictions = Vec::new();
    for (index, key) in order.iter().enumerate() {
        let group = &claims[key];
        let probe = probes.get(key).copied();
        contradictions.extend(contradictions_for(group, probe));
        let Some(setting) = setting_for(group, probe, input.mode, email) else {
            continue;
        };
        let rank = (sort_key(&setting, input.mode, email), index);
        // What the sources say about this server (autoconfig's <enable> instructions and
        // documentation, provider advice), shown when it becomes the recommendation.
        let mut source_notes: Vec<Note> = Vec::new();
        for note in group.iter().flat_map(|c| &c.notes) {
            if !source_notes.contains(note) {
                source_notes.push(note.clone());
            }
        }
        if key.0.is_incoming() {
            incoming.push((rank, setting, source_notes));
        } else {
            outgoing.push((rank, setting, source_notes));
        }
    }
    incoming.sort_by_key(|(rank, _, _)| *rank);
    outgoing.sort_by_key(|(rank, _, _)| *rank);
    let recommended_notes: Vec<Note> = [&incoming, &outgoing]
        .into_iter()
        .filter_map(|list| list.first())
        .filter(|(_, setting, _)| setting.recommendable(input.mode))
        .flat_map(|(_, _, notes)| notes.iter().cloned())
        .collect();
    let incoming: Vec<Setting> = incoming.into_iter().map(|(_, s, _)| s).collect();
    let outgoing: Vec<Setting> = outgoing.into_iter().map(|(_, s, _)| s).collect();

    let notes = notes(
        &incoming,
        &outgoing,
        input.provider.map(|(p, _)| p),
        recommended_notes,
        input.mode,
    );
    Report {
        email: email.display(),
        local_part: email.local_part.clone(),
        domain: email.domain.clone(),
        display_domain: email.display_domain.clone(),
        mode: input.mode,
        provider: input.provider.map(|(p, matched_by)| ProviderInfo {
            id: p.id.clone(),
            name: p.name.clone(),
            name_ja: p.name_ja.clone(),
            documentation: p.documentation.clone(),
            matched_by: matched_by.to_string(),
        }),
        incoming,
        outgoing,
        contradictions,
        notes,
        sources: input.sources,
        probes: input.probes,
        elapsed_ms: crate::probe::millis(input.elapsed),
    }
}

/// Trust of a source, lower is better.
fn source_rank(source: &Source) -> u8 {
    match (source.kind, source.authenticated) {
        (SourceKind::Provider, _) => 0,
        (SourceKind::Autoconfig, true) => 1,
        (SourceKind::Ispdb, _) => 2,
        (SourceKind::Autodiscover, _) => 3,
        (SourceKind::Srv, _) => 4,
        (SourceKind::Mx, _) => 5,
        (SourceKind::Autoconfig, false) => 6,
        (SourceKind::Guess, _) => 7,
    }
}

fn best_source_rank(sources: &[Source]) -> u8 {
    sources.iter().map(source_rank).min().unwrap_or(u8::MAX)
}

/// How good a setting would be if it works, lower is better: RFC 8314 security, IMAP
/// before POP3, port 25 last, hosts needing confirmation after those that do not, then the
/// most trusted source. The engine's early cut-off uses the same key, so "nothing pending
/// can beat what is verified" means the same thing there as here.
pub type ClaimKey = (Security, u8, bool, bool, u8);

/// The best key there is: implicit TLS, IMAP or SMTP submission, no confirmation needed,
/// named by the provider table.
pub const BEST_CLAIM: ClaimKey = (Security::Tls, 0, false, false, 0);

pub fn claim_key(endpoint: &Endpoint, sources: &[Source], email: &EmailAddress) -> ClaimKey {
    let protocol = match endpoint.protocol {
        Protocol::Imap | Protocol::Smtp => 0,
        Protocol::Pop3 => 1,
    };
    let relay_port = endpoint.protocol == Protocol::Smtp && endpoint.port == 25;
    (
        endpoint.security,
        protocol,
        relay_port,
        must_confirm(&endpoint.host, sources, email),
        best_source_rank(sources),
    )
}

fn sort_key(setting: &Setting, mode: Mode, email: &EmailAddress) -> (bool, u8, ClaimKey) {
    let encrypted = setting.endpoint.security != Security::Plain;
    let status = match (&setting.verification, encrypted) {
        (Verification::Verified, true) => 0,
        (Verification::UntrustedCertificate { .. }, _) => 1,
        (Verification::Verified, false) => 2,
        (Verification::Unverified { .. }, _) => 3,
        (Verification::Failed { .. }, _) => 4,
    };
    (
        !setting.recommendable(mode),
        status,
        claim_key(&setting.endpoint, &setting.sources, email),
    )
}

/// One setting from all claims about one place, or None for a guess that did not work
/// (failed guesses are noise; they stay visible in the probe matrix).
fn setting_for(
    group: &[&Candidate],
    probe: Option<&EndpointReport>,
    mode: Mode,
    email: &EmailAddress,
) -> Option<Setting> {
    let mut by_trust: Vec<&Candidate> = group.to_vec();
    by_trust.sort_by_key(|c| best_source_rank(&c.sources));
    let best = by_trust[0];

    let mut sources: Vec<Source> = Vec::new();
    for candidate in &by_trust {
        for source in &candidate.sources {
            if !sources.contains(source) {
                sources.push(source.clone());
            }
        }
    }
    let only_guessed = sources.iter().all(|s| s.kind == SourceKind::Guess);

    let verification = match probe {
        Some(p) if p.is_ok() && !p.login_possible() => Verification::Failed {
            outcome: "no-login".into(),
            error: if p.login_disabled {
                "the server refuses password logins on this connection (LOGINDISABLED)".into()
            } else {
                "the server offers no authentication (AUTH) on this connection".into()
            },
        },
        Some(p) if p.is_ok() => match p.tls.as_ref().and_then(|t| t.certificate.as_ref()) {
            Some(cert) if !cert.verified => Verification::UntrustedCertificate {
                error: cert
                    .error
                    .clone()
                    .unwrap_or_else(|| "the certificate is not trusted".into()),
            },
            _ => Verification::Verified,
        },
        Some(p) => Verification::Failed {
            outcome: p.outcome.as_str().to_string(),
            error: p.error.clone().unwrap_or_default(),
        },
        None => Verification::Unverified {
            reason: match mode {
                Mode::Offline => "offline: not checked against the server".into(),
                Mode::NoProbe => "--no-probe: not checked against the server".into(),
                Mode::Full => {
                    "not checked: a better setting was verified first, or time ran out".into()
                }
            },
        },
    };
    if only_guessed
        && !matches!(
            verification,
            Verification::Verified | Verification::UntrustedCertificate { .. }
        )
    {
        return None;
    }

    // What works wins over what was claimed; otherwise the most trusted claim.
    let security = probe
        .and_then(|p| p.security)
        .unwrap_or(best.endpoint.security);
    let endpoint = Endpoint {
        security,
        ..best.endpoint.clone()
    };

    let mut auth: Vec<AuthMethod> = Vec::new();
    for candidate in &by_trust {
        for method in &candidate.auth {
            if !auth.contains(method) {
                auth.push(*method);
            }
        }
    }
    let mechanisms = probe.map(|p| p.auth.clone()).unwrap_or_default();
    if auth.is_empty() {
        auth = AuthMethod::from_sasl(&mechanisms);
    }

    let username_form = best.username.clone();
    // The address as the user knows it (Unicode domain), as Thunderbird fills in %EMAILADDRESS%.
    let username = username_form.render(&email.local_part, &email.display_domain);
    let confirm = needs_confirmation(&endpoint.host, &sources, email);
    Some(Setting {
        display_host: display_domain(&endpoint.host),
        endpoint,
        username,
        username_form,
        auth,
        mechanisms,
        sources,
        verification,
        certificate: probe
            .and_then(|p| p.tls.as_ref())
            .and_then(|t| t.certificate.clone()),
        confirm,
    })
}

/// A host outside the address's registrable domain, named only over channels an attacker
/// could alter, must be confirmed before a password goes there.
fn must_confirm(host: &str, sources: &[Source], email: &EmailAddress) -> bool {
    !within_registrable_domain(host, &email.domain) && !sources.iter().any(|s| s.authenticated)
}

fn needs_confirmation(host: &str, sources: &[Source], email: &EmailAddress) -> Option<Note> {
    if !must_confirm(host, sources, email) {
        return None;
    }
    let kinds: Vec<&str> = sources.iter().map(|s| s.kind.as_str()).collect();
    Some(Note::new(
        format!(
            "{host} is outside {} and was found only through {} (unauthenticated): confirm with your provider that it is their server before entering a password.",
            email.display_domain,
            kinds.join(", ")
        ),
        format!(
            "{host} は {} の外にあるサーバーで、認証されていない経路（{}）からしか見つかっていません。パスワードを入力する前に、プロバイダーのサーバーであることを確認してください。",
            email.display_domain,
            kinds.join("・")
        ),
    ))
}

/// Claims about one place that the probe did not bear out.
fn contradictions_for(group: &[&Candidate], probe: Option<&EndpointReport>) -> Vec<Contradiction> {
    let Some(probe) = probe else {
        return Vec::new();
    };
    // Group the claims by the security they state; guesses claim nothing.
    let mut by_security: BTreeMap<Security, (Endpoint, Vec<Source>)> = BTreeMap::new();
    for candidate in group {
        let claimed: Vec<Source> = candidate
            .sources
            .iter()
            .filter(|s| s.kind != SourceKind::Guess)
            .cloned()
            .collect();
        if claimed.is_empty() {
            continue;
        }
        let entry = by_security
            .entry(candidate.endpoint.security)
            .or_insert_with(|| (candidate.endpoint.clone(), Vec::new()));
        for source in claimed {
            if !entry.1.contains(&source) {
                entry.1.push(source);
            }
        }
    }
    let mut out = Vec::new();
    for (claimed_security, (endpoint, sources)) in by_security {
        let at = format!("{}:{}", endpoint.host, endpoint.port);
        let (observed, note) = match probe.security {
            None => {
                let error = probe.error.clone().unwrap_or_default();
                (
                    format!("{}: {error}", probe.outcome.as_str()),
                    Note::new(
                        format!(
                            "The sources name {at} ({}), but it does not work: {error}",
                            claimed_security.label()
                        ),
                        format!(
                            "情報源は {at}（{}）を示していますが、接続できません: {error}",
                            claimed_security.label()
                        ),
                    ),
                )
            }
            Some(observed) if observed != claimed_security => (
                format!(
                    "the server uses {} on port {}",
                    observed.label(),
                    endpoint.port
                ),
                Note::new(
                    format!(
                        "The sources say {} on {at}, but the server uses {} there.",
                        claimed_security.label(),
                        observed.label()
                    ),
                    format!(
                        "情報源では {at} の暗号化は {} ですが、実際のサーバーは {} です。",
                        claimed_security.label(),
                        observed.label()
                    ),
                ),
            ),
            Some(_) => continue,
        };
        out.push(Contradiction {
            claimed: endpoint,
            sources,
            observed,
            note,
        });
    }
    out
}

fn notes(
    incoming: &[Setting],
    outgoing: &[Setting],
    provider: Option<&Provider>,
    from_sources: Vec<Note>,
    mode: Mode,
) -> Vec<Note> {
    let mut notes: Vec<Note> = Vec::new();
    let mut add = |note: Note| {
        if !notes.contains(&note) {
            notes.push(note);
        }
    };
    if let Some(p) = provider {
        p.notes.iter().cloned().for_each(&mut add);
    }
    from_sources.into_iter().for_each(&mut add);
    let recommended = [incoming, outgoing]
        .into_iter()
        .filter_map(|list| list.first().filter(|s| s.recommendable(mode)));
    for setting in recommended {
        if setting.endpoint.security == Security::Plain {
            add(Note::new(
                format!(
                    "{}:{} works only without encryption: your password would cross the network readable by anyone on the way. Ask the provider for an encrypted (SSL/TLS) server.",
                    setting.display_host, setting.endpoint.port
                ),
                format!(
                    "{}:{} は暗号化なしでしか接続できません。パスワードが読み取れる状態で送られます。暗号化（SSL/TLS）に対応したサーバーをプロバイダーに確認してください。",
                    setting.display_host, setting.endpoint.port
                ),
            ));
        }
        if let Verification::UntrustedCertificate { error } = &setting.verification {
            add(Note::new(
                format!(
                    "The certificate of {} is not trusted ({error}). A mail client will warn about it; do not accept the warning unless the provider confirms the certificate.",
                    setting.display_host
                ),
                format!(
                    "{} の証明書は信頼できません（{error}）。メールソフトが警告を出します。プロバイダーが証明書を確認するまで、警告を受け入れないでください。",
                    setting.display_host
                ),
            ));
        }
    }
    if outgoing.iter().any(|s| s.endpoint.port == 25) {
        add(Note::new(
            "Port 25 is for delivery between mail servers; many networks block it for clients (OP25B). Use 465 or 587 for sending.",
            "ポート 25 はサーバー間の配送用で、多くのネットワークではメールソフトからの利用が遮断されています（OP25B）。送信には 465 か 587 を使ってください。",
        ));
    }
    for setting in incoming.iter().chain(outgoing) {
        if setting.username_form == UsernameForm::ProviderAssigned {
            add(Note::new(
                "The user name is an ID the provider issues, not your email address: look it up in the provider's account settings.",
                "ユーザー名はプロバイダーが発行する ID で、メールアドレスではありません。プロバイダーの会員ページなどで確認してください。",
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_email;
    use crate::discover::SourceStatus;
    use crate::model::Protocol::*;
    use crate::probe::outcome::{CertificateInfo, Outcome, Stage, TlsInfo};

    fn candidate(
        protocol: Protocol,
        host: &str,
        port: u16,
        security: Security,
        kind: SourceKind,
        authenticated: bool,
    ) -> Candidate {
        Candidate {
            endpoint: Endpoint {
                protocol,
                host: host.into(),
                port,
                security,
            },
            username: UsernameForm::EmailAddress,
            auth: Vec::new(),
            sources: vec![Source {
                kind,
                detail: format!("{kind} test"),
                authenticated,
            }],
            notes: Vec::new(),
        }
    }

    fn source(kind: SourceKind, candidates: Vec<Candidate>) -> SourceReport {
        SourceReport {
            kind,
            query: "test".into(),
            status: SourceStatus::Found,
            elapsed_ms: None,
            candidates,
            warning: None,
        }
    }

    fn ok_probe(
        protocol: Protocol,
        host: &str,
        port: u16,
        security: Security,
        trusted: bool,
    ) -> EndpointReport {
        let mut r = EndpointReport::new(host, port, protocol);
        r.security = Some(security);
        r.auth = vec!["PLAIN".into(), "LOGIN".into()];
        if security != Security::Plain {
            r.tls = Some(TlsInfo {
                version: "TLSv1.3".into(),
                cipher_suite: "X".into(),
                certificate: Some(CertificateInfo {
                    verified: trusted,
                    error: (!trusted).then(|| "certificate is for a.example, not b.example".into()),
                    ..CertificateInfo::default()
                }),
            });
        }
        r
    }

    fn failed_probe(protocol: Protocol, host: &str, port: u16, outcome: Outcome) -> EndpointReport {
        let mut r = EndpointReport::new(host, port, protocol);
        r.fail(outcome, Stage::Connect, "connection refused");
        r
    }

    fn rank(sources: Vec<SourceReport>, probes: Vec<EndpointReport>, mode: Mode) -> Report {
        let email = parse_email("taro@example.jp").unwrap();
        build_report(RankInput {
            email: &email,
            mode,
            provider: None,
            sources,
            probes,
            elapsed: Duration::ZERO,
        })
    }

    #[test]
    fn implicit_tls_before_starttls_and_imap_before_pop3() {
        let report = rank(
            vec![source(
                SourceKind::Autoconfig,
                vec![
                    candidate(
                        Pop3,
                        "pop.example.jp",
                        995,
                        Security::Tls,
                        SourceKind::Autoconfig,
                        true,
                    ),
                    candidate(
                        Imap,
                        "imap.example.jp",
                        143,
                        Security::Starttls,
                        SourceKind::Autoconfig,
                        true,
                    ),
                    candidate(
                        Imap,
                        "imap.example.jp",
                        993,
                        Security::Tls,
                        SourceKind::Autoconfig,
                        true,
                    ),
                ],
            )],
            vec![
                ok_probe(Pop3, "pop.example.jp", 995, Security::Tls, true),
                ok_probe(Imap, "imap.example.jp", 143, Security::Starttls, true),
                ok_probe(Imap, "imap.example.jp", 993, Security::Tls, true),
            ],
            Mode::Full,
        );
        let order: Vec<u16> = report.incoming.iter().map(|s| s.endpoint.port).collect();
        assert_eq!(order, [993, 995, 143]);
        assert!(report.incoming[0].verified());
        assert!(report.contradictions.is_empty());
    }

    #[test]
    fn plaintext_is_never_first_while_encryption_works() {
        let report = rank(
            vec![source(
                SourceKind::Srv,
                vec![
                    candidate(
                        Imap,
                        "imap.example.jp",
                        143,
                        Security::Starttls,
                        SourceKind::Srv,
                        false,
                    ),
                    candidate(
                        Imap,
                        "imap.example.jp",
                        993,
                        Security::Tls,
                        SourceKind::Srv,
                        false,
                    ),
                ],
            )],
            vec![
                ok_probe(Imap, "imap.example.jp", 143, Security::Plain, true),
                ok_probe(Imap, "imap.example.jp", 993, Security::Tls, false),
            ],
            Mode::Full,
        );
        assert_eq!(report.incoming[0].endpoint.port, 993);
        assert!(matches!(
            report.incoming[0].verification,
            Verification::UntrustedCertificate { .. }
        ));
        assert_eq!(report.incoming[1].endpoint.security, Security::Plain);
        // 143 was claimed as STARTTLS but only plain works there: a contradiction.
        assert_eq!(report.contradictions.len(), 1);
        assert!(
            report.contradictions[0].observed.contains("None"),
            "{:?}",
            report.contradictions
        );
    }

    #[test]
    fn refused_claim_is_a_contradiction_and_ranks_last() {
        let report = rank(
            vec![source(
                SourceKind::Provider,
                vec![
                    candidate(
                        Smtp,
                        "smtp.example.jp",
                        465,
                        Security::Tls,
                        SourceKind::Provider,
                        true,
                    ),
                    candidate(
                        Smtp,
                        "smtp.example.jp",
                        587,
                        Security::Starttls,
                        SourceKind::Provider,
                        true,
                    ),
                ],
            )],
            vec![
                failed_probe(Smtp, "smtp.example.jp", 465, Outcome::Refused),
                ok_probe(Smtp, "smtp.example.jp", 587, Security::Starttls, true),
            ],
            Mode::Full,
        );
        assert_eq!(report.outgoing[0].endpoint.port, 587);
        assert!(matches!(
            report.outgoing[1].verification,
            Verification::Failed { .. }
        ));
        assert_eq!(report.contradictions.len(), 1);
        assert_eq!(report.contradictions[0].claimed.port, 465);
        assert!(report.contradictions[0].observed.starts_with("refused"));
    }

    #[test]
    fn port_25_is_never_recommended() {
        let report = rank(
            vec![source(
                SourceKind::Autoconfig,
                vec![candidate(
                    Smtp,
                    "smtp.example.jp",
                    25,
                    Security::Starttls,
                    SourceKind::Autoconfig,
                    true,
                )],
            )],
            vec![ok_probe(
                Smtp,
                "smtp.example.jp",
                25,
                Security::Starttls,
                true,
            )],
            Mode::Full,
        );
        assert_eq!(report.outgoing.len(), 1);
        assert!(!report.outgoing[0].recommendable(Mode::Full));
        assert!(report.recommended_outgoing().is_none());
        assert!(report.notes.iter().any(|n| n.en.contains("OP25B")));
    }

    #[test]
    fn failed_guesses_are_dropped_and_working_ones_kept() {
        let report = rank(
            vec![source(
                SourceKind::Guess,
                vec![
                    candidate(
                        Imap,
                        "imap.example.jp",
                        993,
                        Security::Tls,
                        SourceKind::Guess,
                        false,
                    ),
                    candidate(
                        Imap,
                        "mail.example.jp",
                        993,
                        Security::Tls,
                        SourceKind::Guess,
                        false,
                    ),
                ],
            )],
            vec![
                failed_probe(Imap, "imap.example.jp", 993, Outcome::DnsError),
                ok_probe(Imap, "mail.example.jp", 993, Security::Tls, true),
            ],
            Mode::Full,
        );
        assert_eq!(report.incoming.len(), 1);
        assert_eq!(report.incoming[0].endpoint.host, "mail.example.jp");
        assert!(report.contradictions.is_empty(), "guesses claim nothing");
    }

    #[test]
    fn foreign_hosts_from_unauthenticated_sources_need_confirmation() {
        let report = rank(
            vec![source(
                SourceKind::Srv,
                vec![
                    candidate(
                        Imap,
                        "imap.hosting.example",
                        993,
                        Security::Tls,
                        SourceKind::Srv,
                        false,
                    ),
                    candidate(
                        Smtp,
                        "smtp.example.jp",
                        465,
                        Security::Tls,
                        SourceKind::Srv,
                        false,
                    ),
                ],
            )],
            vec![],
            Mode::NoProbe,
        );
        assert!(report.incoming[0].confirm.is_some());
        assert!(report.outgoing[0].confirm.is_none());
        assert!(report.incoming[0].recommendable(Mode::NoProbe));
    }

    #[test]
    fn trusted_source_wins_a_tie_and_sources_are_unioned() {
        let report = rank(
            vec![
                source(
                    SourceKind::Guess,
                    vec![candidate(
                        Imap,
                        "mail.example.jp",
                        993,
                        Security::Tls,
                        SourceKind::Guess,
                        false,
                    )],
                ),
                source(
                    SourceKind::Autoconfig,
                    vec![
                        candidate(
                            Imap,
                            "imap.example.jp",
                            993,
                            Security::Tls,
                            SourceKind::Autoconfig,
                            true,
                        ),
                        candidate(
                            Imap,
                            "mail.example.jp",
                            993,
                            Security::Tls,
                            SourceKind::Srv,
                            false,
                        ),
                    ],
                ),
            ],
            vec![
                ok_probe(Imap, "imap.example.jp", 993, Security::Tls, true),
                ok_probe(Imap, "mail.example.jp", 993, Security::Tls, true),
            ],
            Mode::Full,
        );
        assert_eq!(report.incoming[0].endpoint.host, "imap.example.jp");
        let kinds: Vec<SourceKind> = report.incoming[1].sources.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [SourceKind::Srv, SourceKind::Guess]);
        assert_eq!(report.incoming[0].auth, [AuthMethod::PasswordCleartext]);
    }

    #[test]
    fn notes_from_the_recommended_settings_sources_reach_the_report() {
        let mut imap = candidate(
            Imap,
            "imap.example.jp",
            993,
            Security::Tls,
            SourceKind::Autoconfig,
            true,
        );
        imap.notes = vec![Note::new(
            "Enable IMAP in the web settings first.",
            "先に Web の設定で IMAP を有効にしてください。",
        )];
        let mut pop = candidate(
            Pop3,
            "pop.example.jp",
            995,
            Security::Tls,
            SourceKind::Autoconfig,
            true,
        );
        pop.notes = vec![Note::new(
            "Only for the POP3 alternative.",
            "POP3 の候補だけ。",
        )];
        let report = rank(
            vec![source(SourceKind::Autoconfig, vec![imap, pop])],
            vec![
                ok_probe(Imap, "imap.example.jp", 993, Security::Tls, true),
                ok_probe(Pop3, "pop.example.jp", 995, Security::Tls, true),
            ],
            Mode::Full,
        );
        let notes: Vec<&str> = report.notes.iter().map(|n| n.en.as_str()).collect();
        assert!(
            notes.contains(&"Enable IMAP in the web settings first."),
            "{notes:?}"
        );
        assert!(
            !notes.contains(&"Only for the POP3 alternative."),
            "{notes:?}"
        );
    }

    #[test]
    fn a_server_that_refuses_logins_is_not_recommended() {
        let mut disabled = ok_probe(Imap, "imap.example.jp", 143, Security::Plain, true);
        disabled.login_disabled = true;
        let mut no_auth = ok_probe(Smtp, "smtp.example.jp", 587, Security::Starttls, true);
        no_auth.auth.clear();
        let report = rank(
            vec![source(
                SourceKind::Srv,
                vec![
                    candidate(
                        Imap,
                        "imap.example.jp",
                        143,
                        Security::Plain,
                        SourceKind::Srv,
                        false,
                    ),
                    candidate(
                        Smtp,
                        "smtp.example.jp",
                        587,
                        Security::Starttls,
                        SourceKind::Srv,
                        false,
                    ),
                ],
            )],
            vec![disabled, no_auth],
            Mode::Full,
        );
        assert!(report.recommended_incoming().is_none());
        assert!(report.recommended_outgoing().is_none());
        assert!(
            matches!(&report.incoming[0].verification, Verification::Failed { outcome, .. } if outcome == "no-login")
        );
        assert!(
            matches!(&report.outgoing[0].verification, Verification::Failed { error, .. } if error.contains("AUTH"))
        );
    }
}
