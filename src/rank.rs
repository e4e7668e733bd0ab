//! Merge and rank: candidates from every source, plus the probes' outcomes, become one
//! [`Report`]. Pure: no I/O, so every rule here is unit-tested.
//!
//! The rules, in order of weight:
//! 1. A setting a probe verified beats one it could not check, which beats one it saw
//!    fail; an encrypted setting that works (even with an untrusted certificate) beats a
//!    plaintext one, so plaintext is never recommended while encryption works.
//! 2. What a source named before what was only guessed: guesses are probed alongside the
//!    sources, and a source's answer that arrives later still wins.
//! 3. RFC 8314: implicit TLS before STARTTLS before plain.
//! 4. IMAP before POP3 for incoming mail.
//! 5. Port 25 last for outgoing mail, and never recommended. (Before all of these: what
//!    may be recommended at all, see `Setting::recommendable`.)
//! 6. Hosts inside the address's domain (or named by an authenticated source) before
//!    hosts the user must confirm.
//! 7. The more trustworthy source first (provider table, autoconfig over https, ISPDB,
//!    autodiscover, SRV, MX, plain-http autoconfig, a certificate's names, guessing).
//! 8. Ties fall to a fixed order, never to which probe answered first: the protocol's own
//!    host name (imap., pop., smtp.) before mail. before the bare domain before any other
//!    host; then the order the source listed them (SRV: priority, then weight).
//!
//! A claim a probe contradicts (refused, or another security than claimed) is kept as a
//! [`Contradiction`], never dropped. What went wrong is diagnosed by [`crate::diagnose`].

use crate::address::{EmailAddress, display_domain, within_registrable_domain};
use crate::diagnose::{self, Facts};
use crate::discover::SourceReport;
use crate::discover::providers::Provider;
use crate::model::{
    AuthMethod, Candidate, Direction, Endpoint, Note, Protocol, Security, Source, SourceKind,
};
use crate::probe::outcome::{EndpointReport, Outcome};
use crate::report::model::{
    Confirmation, Contradiction, Failure, Mode, NoLogin, Observed, ProviderInfo, ProviderMatch,
    Report, Setting, Unverified, Verification, source_kinds,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Everything the ranking needs.
pub struct RankInput<'a> {
    pub email: &'a EmailAddress,
    pub mode: Mode,
    /// The provider and how it was recognised.
    pub provider: Option<(&'static Provider, ProviderMatch)>,
    pub sources: Vec<SourceReport>,
    pub probes: Vec<EndpointReport>,
    /// What detect learnt besides sources and probes (DNS facts).
    pub facts: Facts,
    pub elapsed: Duration,
}

/// Where an endpoint is, ignoring the claimed security: one probe answers for all claims.
pub type Place = (Protocol, String, u16);

pub fn place(endpoint: &Endpoint) -> Place {
    (endpoint.protocol, endpoint.host.clone(), endpoint.port)
}

/// Where a probe went.
pub fn probed_place(report: &EndpointReport) -> Place {
    (report.protocol, report.host.clone(), report.port)
}

/// One claim about a place, and where it stands in its source's list.
struct Claim<'a> {
    candidate: &'a Candidate,
    position: usize,
}

pub fn build_report(input: RankInput<'_>) -> Report {
    let email = input.email;
    let ranked = rank_settings(&input);
    let mut notes: Vec<Note> = Vec::new();
    let provider_notes = input.provider.iter().flat_map(|(p, _)| p.notes.iter());
    for note in provider_notes.cloned().chain(ranked.recommended_notes) {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    let mut report = Report {
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
            matched_by,
        }),
        incoming: ranked.incoming,
        outgoing: ranked.outgoing,
        contradictions: ranked.contradictions,
        findings: Vec::new(),
        notes,
        sources: input.sources,
        probes: input.probes,
        elapsed_ms: crate::probe::millis(input.elapsed),
    };
    report.findings = diagnose::findings(&report, &input.facts, email);
    report
}

/// Every claim grouped by place, and the places in the (sorted) order of the sources.
fn group_claims(sources: &[SourceReport]) -> (Vec<Place>, BTreeMap<Place, Vec<Claim<'_>>>) {
    let mut order: Vec<Place> = Vec::new();
    let mut claims: BTreeMap<Place, Vec<Claim<'_>>> = BTreeMap::new();
    for source in sources {
        for (position, candidate) in source.candidates.iter().enumerate() {
            let key = place(&candidate.endpoint);
            let entry = claims.entry(key.clone()).or_default();
            if entry.is_empty() {
                order.push(key);
            }
            entry.push(Claim {
                candidate,
                position,
            });
        }
    }
    (order, claims)
}

/// The settings of both directions, best first, with what the claims contradicted.
struct Ranked {
    incoming: Vec<Setting>,
    outgoing: Vec<Setting>,
    contradictions: Vec<Contradiction>,
    /// What the sources say about the recommended servers (autoconfig's <enable>
    /// instructions and documentation, provider advice).
    recommended_notes: Vec<Note>,
}

fn rank_settings(input: &RankInput<'_>) -> Ranked {
    let probes: BTreeMap<Place, &EndpointReport> =
        input.probes.iter().map(|p| (probed_place(p), p)).collect();
    let (order, claims) = group_claims(&input.sources);
    let (mut incoming, mut outgoing) = (Vec::new(), Vec::new());
    let mut contradictions = Vec::new();
    for (index, key) in order.iter().enumerate() {
        let group = &claims[key];
        let probe = probes.get(key).copied();
        contradictions.extend(contradictions_for(group, probe));
        let Some(setting) = setting_for(group, probe, input.mode, input.email) else {
            continue;
        };
        let tie = group.iter().map(|c| c.position).min().unwrap_or(usize::MAX);
        let rank = (sort_key(&setting, input.mode, input.email, tie), index);
        let mut notes: Vec<Note> = Vec::new();
        for note in group.iter().flat_map(|c| &c.candidate.notes) {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        match key.0.direction() {
            Direction::Incoming => incoming.push((rank, setting, notes)),
            Direction::Outgoing => outgoing.push((rank, setting, notes)),
        }
    }
    incoming.sort_by_key(|(rank, _, _)| *rank);
    outgoing.sort_by_key(|(rank, _, _)| *rank);
    let recommended_notes = [&incoming, &outgoing]
        .into_iter()
        .filter_map(|list| list.first())
        .filter(|(_, setting, _)| setting.recommendable(input.mode))
        .flat_map(|(_, _, notes)| notes.iter().cloned())
        .collect();
    let settings = |list: Vec<(_, Setting, _)>| list.into_iter().map(|(_, s, _)| s).collect();
    Ranked {
        incoming: settings(incoming),
        outgoing: settings(outgoing),
        contradictions,
        recommended_notes,
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
        (SourceKind::Certificate, _) => 7,
        (SourceKind::Guess, _) => 8,
    }
}

fn best_source_rank(sources: &[Source]) -> u8 {
    sources.iter().map(source_rank).min().unwrap_or(u8::MAX)
}

/// How good a setting would be if it works, lower is better (rules 2 to 8 of the module
/// doc). The engine's early cut-off uses the same key, so "nothing pending can beat what
/// is verified" means the same thing there as here. Fields compare in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClaimKey {
    /// Only guessing named it: below whatever a source names, so a later source answer
    /// still wins over a guess that verified first.
    pub guessed: bool,
    pub security: Security,
    /// POP3 rather than IMAP (SMTP is false: it has no alternative protocol).
    pub pop3: bool,
    /// SMTP on port 25.
    pub relay_port: bool,
    pub needs_confirmation: bool,
    /// [`source_rank`] of the most trusted source.
    pub source_rank: u8,
    /// The fixed order that breaks ties (rule 8).
    pub tie: TieBreak,
}

/// Rule 8: which of two otherwise equal claims comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TieBreak {
    /// 0: the protocol's own name (imap., pop., pop3., smtp.); 1: mail.; 2: the bare
    /// domain; 3: any other host.
    pub host_name: u8,
    /// Where the source listed it (SRV records come sorted by priority, then weight).
    pub position: usize,
}

impl ClaimKey {
    /// The best a place could reach, claim by claim: sources are unioned, so each field
    /// takes the best any claim offers.
    pub fn union(self, other: ClaimKey) -> ClaimKey {
        ClaimKey {
            guessed: self.guessed && other.guessed,
            security: self.security.min(other.security),
            pop3: self.pop3 && other.pop3,
            relay_port: self.relay_port && other.relay_port,
            needs_confirmation: self.needs_confirmation && other.needs_confirmation,
            source_rank: self.source_rank.min(other.source_rank),
            tie: self.tie.min(other.tie),
        }
    }

    /// Named by a source, implicit TLS, IMAP or SMTP submission, no confirmation needed:
    /// no other claim can do better than tie with it (differing in which source named it).
    pub fn is_best_possible(&self) -> bool {
        !self.guessed
            && self.security == Security::Tls
            && !self.pop3
            && !self.relay_port
            && !self.needs_confirmation
    }

    /// The same key with the security a probe found instead of the claimed one.
    pub fn with_security(self, security: Security) -> ClaimKey {
        ClaimKey { security, ..self }
    }
}

/// The rank a claim reaches when a probe verifies it (with a trusted certificate), in the
/// order of [`sort_key`]: port 25 is never recommendable, so it comes last; rule 1 puts
/// every encrypted setting before a plaintext one; then the claim key decides. The
/// engine's cut-off compares these.
pub type VerifiedRank = ((bool, bool), ClaimKey);

pub fn verified_rank(key: ClaimKey) -> VerifiedRank {
    ((key.relay_port, key.security == Security::Plain), key)
}

/// The key of `endpoint` as claimed by `sources`, listed at `position` by its source.
pub fn claim_key(
    endpoint: &Endpoint,
    sources: &[Source],
    email: &EmailAddress,
    position: usize,
) -> ClaimKey {
    ClaimKey {
        guessed: sources.iter().all(|s| s.kind == SourceKind::Guess),
        security: endpoint.security,
        pop3: endpoint.protocol == Protocol::Pop3,
        relay_port: endpoint.protocol.is_relay_port(endpoint.port),
        needs_confirmation: must_confirm(&endpoint.host, sources, email),
        source_rank: best_source_rank(sources),
        tie: TieBreak {
            host_name: host_name_order(endpoint.protocol, &endpoint.host, &email.domain),
            position,
        },
    }
}

/// Rule 8's host-name order.
fn host_name_order(protocol: Protocol, host: &str, domain: &str) -> u8 {
    let Some(label) = host
        .strip_suffix(domain)
        .and_then(|rest| rest.strip_suffix('.'))
    else {
        return if host == domain { 2 } else { 3 };
    };
    let own: &[&str] = match protocol {
        Protocol::Imap => &["imap"],
        Protocol::Pop3 => &["pop", "pop3"],
        Protocol::Smtp => &["smtp"],
    };
    if own.contains(&label) {
        0
    } else if label == "mail" {
        1
    } else {
        3
    }
}

fn sort_key(
    setting: &Setting,
    mode: Mode,
    email: &EmailAddress,
    tie: usize,
) -> (bool, u8, ClaimKey) {
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
        claim_key(&setting.endpoint, &setting.sources, email, tie),
    )
}

/// What the probe of a place says about it.
fn verification(probe: Option<&EndpointReport>, mode: Mode) -> Verification {
    let Some(p) = probe else {
        return Verification::Unverified {
            reason: match mode {
                Mode::Offline => Unverified::Offline,
                Mode::NoProbe => Unverified::NoProbe,
                Mode::Full => Unverified::NotReached,
            },
        };
    };
    if p.outcome == Outcome::NotTried {
        return Verification::Unverified {
            reason: Unverified::NotReached,
        };
    }
    if !p.is_ok() {
        return Verification::Failed {
            failure: Failure::Probe {
                outcome: p.outcome,
                error: p.error.clone().unwrap_or_default(),
            },
        };
    }
    if !p.login_possible() {
        let why = if p.login_disabled {
            NoLogin::LoginDisabled
        } else {
            NoLogin::NoAuth
        };
        return Verification::Failed {
            failure: Failure::NoLogin { why },
        };
    }
    match p.tls.as_ref().and_then(|t| t.certificate.as_ref()) {
        Some(cert) if !cert.verified => Verification::UntrustedCertificate {
            problem: cert
                .problem
                .unwrap_or(crate::probe::outcome::CertificateProblem::Invalid),
            error: cert.error.clone().unwrap_or_default(),
        },
        _ => Verification::Verified,
    }
}

/// One setting from all claims about one place, or None for a guess that did not work
/// (failed guesses are noise; they stay visible in the probe matrix).
fn setting_for(
    group: &[Claim<'_>],
    probe: Option<&EndpointReport>,
    mode: Mode,
    email: &EmailAddress,
) -> Option<Setting> {
    let mut by_trust: Vec<&Candidate> = group.iter().map(|c| c.candidate).collect();
    by_trust.sort_by_key(|c| best_source_rank(&c.sources));
    let best = by_trust[0];

    let sources = union_sources(&by_trust);
    // Guesses and a certificate's names claim nothing: only a working one is a setting.
    let only_inferred = sources
        .iter()
        .all(|s| matches!(s.kind, SourceKind::Guess | SourceKind::Certificate));

    let verification = verification(probe, mode);
    if only_inferred
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

    let mechanisms = probe.map(|p| p.auth.clone()).unwrap_or_default();
    let auth = union_auth(&by_trust, &mechanisms);
    let username_form = best.username.clone();
    // The address as the user knows it (Unicode domain), as Thunderbird fills in %EMAILADDRESS%.
    let username = username_form.render(&email.local_part, &email.display_domain);
    let confirm = must_confirm(&endpoint.host, &sources, email).then(|| Confirmation {
        host: endpoint.host.clone(),
        outside: email.display_domain.clone(),
        via: source_kinds(&sources),
    });
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

/// Every source that named a place, most trusted claim first, deduplicated.
fn union_sources(by_trust: &[&Candidate]) -> Vec<Source> {
    let mut sources: Vec<Source> = Vec::new();
    for source in by_trust.iter().flat_map(|c| &c.sources) {
        if !sources.contains(source) {
            sources.push(source.clone());
        }
    }
    // Guessing fills gaps: a guess that a source also named says nothing more (and whether
    // the guess came first is a matter of timing).
    if sources.iter().any(|s| s.kind != SourceKind::Guess) {
        sources.retain(|s| s.kind != SourceKind::Guess);
    }
    sources
}

/// The authentication the sources state, or else what the server's SASL `mechanisms` make
/// possible.
fn union_auth(by_trust: &[&Candidate], mechanisms: &[String]) -> Vec<AuthMethod> {
    let mut auth: Vec<AuthMethod> = Vec::new();
    for method in by_trust.iter().flat_map(|c| &c.auth) {
        if !auth.contains(method) {
            auth.push(*method);
        }
    }
    if auth.is_empty() {
        auth = AuthMethod::from_sasl(mechanisms);
    }
    auth
}

/// A host outside the address's registrable domain, named only over channels an attacker
/// could alter, must be confirmed before a password goes there.
fn must_confirm(host: &str, sources: &[Source], email: &EmailAddress) -> bool {
    !within_registrable_domain(host, &email.domain) && !sources.iter().any(|s| s.authenticated)
}

/// Claims about one place that the probe did not bear out.
fn contradictions_for(group: &[Claim<'_>], probe: Option<&EndpointReport>) -> Vec<Contradiction> {
    // An endpoint never tried says nothing about the claim.
    let Some(probe) = probe.filter(|p| p.outcome != Outcome::NotTried) else {
        return Vec::new();
    };
    // Group the claims by the security they state; guesses and certificate names claim
    // nothing.
    let mut by_security: BTreeMap<Security, (Endpoint, Vec<Source>)> = BTreeMap::new();
    for claim in group {
        let candidate = claim.candidate;
        let claimed: Vec<Source> = candidate
            .sources
            .iter()
            .filter(|s| !matches!(s.kind, SourceKind::Guess | SourceKind::Certificate))
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
        let observed = match probe.security {
            None => Observed::Failed {
                outcome: probe.outcome,
                error: probe.error.clone().unwrap_or_default(),
            },
            Some(security) if security != claimed_security => Observed::OtherSecurity { security },
            Some(_) => continue,
        };
        out.push(Contradiction {
            claimed: endpoint,
            sources,
            observed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_email;
    use crate::discover::SourceStatus;
    use crate::model::Protocol::*;
    use crate::model::UsernameForm;
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
            facts: Facts::default(),
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
        assert_eq!(
            report.contradictions[0].observed,
            Observed::OtherSecurity {
                security: Security::Plain
            }
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
        assert!(matches!(
            report.contradictions[0].observed,
            Observed::Failed {
                outcome: Outcome::Refused,
                ..
            }
        ));
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
        assert_eq!(
            report.findings,
            [crate::findings::Finding::RelayPortListed {
                at: vec![crate::findings::Place::new(Smtp, "smtp.example.jp", 25)]
            }]
        );
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
    fn trusted_source_wins_a_tie_and_guesses_only_fill_gaps() {
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
        // A guess that a source also named is not listed: guessing only fills gaps.
        let kinds: Vec<SourceKind> = report.incoming[1].sources.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [SourceKind::Srv]);
        assert_eq!(report.incoming[0].auth, [AuthMethod::PasswordCleartext]);
    }

    #[test]
    fn the_cut_off_ranks_as_the_ranking_does() {
        let email = parse_email("taro@example.jp").unwrap();
        let key = |protocol, host: &str, port, security, kind| {
            let c = candidate(protocol, host, port, security, kind, false);
            verified_rank(claim_key(&c.endpoint, &c.sources, &email, 0))
        };
        let guessed_tls = key(
            Imap,
            "imap.example.jp",
            993,
            Security::Tls,
            SourceKind::Guess,
        );
        let srv_plain = key(
            Imap,
            "mail.example.jp",
            143,
            Security::Plain,
            SourceKind::Srv,
        );
        let srv_tls = key(Imap, "mail.example.jp", 993, Security::Tls, SourceKind::Srv);
        let relay = key(
            Smtp,
            "smtp.example.jp",
            25,
            Security::Starttls,
            SourceKind::Srv,
        );
        let submission = key(
            Smtp,
            "smtp.example.jp",
            587,
            Security::Plain,
            SourceKind::Guess,
        );
        // Rule 1 first: anything encrypted, even a guess, beats a plaintext source claim.
        assert!(guessed_tls < srv_plain);
        // Among encrypted ones, what a source named beats a guess.
        assert!(srv_tls < guessed_tls);
        // Port 25 is never recommendable: below even a plaintext guess.
        assert!(submission < relay);
        // The fixed order: the protocol's own name first.
        let mail = key(
            Imap,
            "mail.example.jp",
            993,
            Security::Tls,
            SourceKind::Guess,
        );
        assert!(guessed_tls < mail);
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
        assert_eq!(
            report.incoming[0].verification,
            Verification::Failed {
                failure: Failure::NoLogin {
                    why: NoLogin::LoginDisabled
                }
            }
        );
        assert_eq!(
            report.outgoing[0].verification,
            Verification::Failed {
                failure: Failure::NoLogin {
                    why: NoLogin::NoAuth
                }
            }
        );
    }
}
