//! `detect`'s engine: run every discovery source at once, probe each new endpoint the
//! moment a source names it, guess alongside the sources, and stop as soon as the answer
//! cannot get any better.
//!
//! Everything runs in one `JoinSet`, so whatever is still running when the answer is
//! known (a tarpit, a filtered port, a slow web server) is cancelled, never waited for.
//!
//! **Guessing** starts once the DNS sources (SRV, MX) have answered, or after a short
//! head start ([`GUESS_HEAD_START`]), for each direction that has no verified answer by
//! then and no probe running of what a source named (those are waited for at most until
//! [`GUESS_AT_THE_LATEST`]). Guesses rank below anything a source names (`rank::ClaimKey::guessed`), so a
//! source that answers later still wins.
//!
//! **When to stop**, per direction (incoming, outgoing): a verified setting exists, and
//! nothing still running is worth waiting for. Ranks compare as `rank::verified_rank`
//! does, the ranking's own order down to the fixed tie order, so the same servers give the
//! same answer whichever answered first. (Two places whose keys are equal in every field,
//! named at the same position by equally trusted sources, are the one case the cut-off
//! does not wait for; the ranking then keeps the sources' order.) A pending probe is
//! ranked with the best security its port allows, since the probe upgrades with STARTTLS
//! when it is offered.
//! - A probe that could outrank it is waited for until it has run as long as the
//!   verified probe took plus a few round trips of the verified connection (at least
//!   [`MIN_GRACE`]): a server like the verified one has answered by then; one that has
//!   not is silent, filtered or far slower. When its host resolved to an address that has
//!   answered another probe, the server is alive and merely busy (a loaded machine), and
//!   it gets three times the verified probe's time plus [`DRAIN`].
//! - A probe that cannot outrank it is drained when it is a peer of the verified probe
//!   (started with it, [`PEER_WINDOW`]) on an address that has answered another probe:
//!   given three times the verified probe's time plus [`DRAIN`], since probes of the same
//!   server started together finish together, and the report should not depend on which
//!   was first. Any other is not waited for; nor is a diagnostic probe (port 25 of the MX).
//! - A source is not waited for when the verified setting is already the best there can
//!   be: a new candidate could at most tie with it, differing in which source named it (a
//!   more trusted source that is slower than the verification is not waited for). Else,
//!   when the verified setting needs no confirmation, a source is waited for
//!   [`SOURCE_ROUND_TRIPS`] round trips of the verified connection (at least
//!   [`MIN_SOURCE_PATIENCE`]) from its start: a web fetch needs DNS, TCP, TLS and HTTP,
//!   and one that took far longer is stuck. For a setting the user would have to confirm,
//!   sources get four times the verification's time after it (at least
//!   [`MIN_SOURCE_PATIENCE`]): an authenticated answer is worth more there.
//! - There is no patience limit for a plaintext answer: while anything encrypted may
//!   still work, it is waited for; sources then get one `--timeout`, as when nothing is
//!   verified, and guessing is not stopped by it.
//!
//! **Giving up**, per direction: when nothing is verified, guessing has started, every
//! probe of the direction has ended and every source has run a whole `--timeout` (plus
//! [`MIN_GRACE`]) without answering, nothing more is waited for: a domain whose packets are
//! all dropped costs one timeout.

mod launch;

use crate::address::EmailAddress;
use crate::diagnose::Facts;
use crate::discover::certificate::Alias;
use crate::discover::{self, SourceReport, SourceStatus, providers};
use crate::dns::Dns;
use crate::model::{Candidate, Direction, Security, SourceKind};
use crate::net::http::HttpClient;
use crate::probe::outcome::CertificateProblem;
use crate::probe::{EndpointReport, Outcome, Prober, Stage};
use crate::progress::Progress;
use crate::rank::{self, ClaimKey, Place, RankInput, VerifiedRank};
use crate::report::model::{Mode, ProviderMatch, Report};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::{Id, JoinError, JoinSet};
use tokio::time::Instant;

/// What `detect` may do.
#[derive(Debug, Clone)]
pub struct DetectSettings {
    pub mode: Mode,
    /// ISPDB base URL; None when disabled.
    pub ispdb_url: Option<String>,
    /// Everything not finished by then is cancelled.
    pub deadline: Duration,
}

/// The network parts, shared by every task.
#[derive(Clone)]
pub struct Engine {
    pub dns: Arc<Dns>,
    pub http: Option<HttpClient>,
    pub prober: Prober,
}

enum Event {
    Sources(Vec<SourceReport>),
    Mx(Box<discover::mx::MxFinding>),
    Probe(Box<EndpointReport>),
    Alternatives(Box<SourceReport>, Option<Alias>),
}

/// What a running task is doing.
enum Task {
    /// A discovery source: what it asked, to report it as cancelled or failed.
    Source(SourceKind, String),
    /// A probe of a place some source named.
    Probe(Place),
    /// A probe for a diagnosis only (port 25 of the MX): never waited for.
    Diagnostic(Place),
}

struct Pending {
    task: Task,
    started: Instant,
}

/// How long guessing waits for the DNS sources, at most.
pub const GUESS_HEAD_START: Duration = Duration::from_millis(150);

/// How long guessing waits for the probes of what the sources named, at most.
pub const GUESS_AT_THE_LATEST: Duration = Duration::from_millis(300);

/// The shortest grace period for a probe that could outrank the verified answer.
pub const MIN_GRACE: Duration = Duration::from_millis(100);

/// Round trips of the verified connection a better probe gets beyond the verified
/// probe's own time.
pub const GRACE_ROUND_TRIPS: u32 = 4;

/// Probes started this close to the verified one are its peers: started together, they
/// finish together when their host is the same.
pub const PEER_WINDOW: Duration = Duration::from_millis(50);

/// How long past the verified probe's own time a probe that cannot outrank the answer is
/// still waited for (see `Run::probe_patience`).
pub const DRAIN: Duration = Duration::from_millis(100);

/// The least a source is waited for once a verified answer exists.
pub const MIN_SOURCE_PATIENCE: Duration = Duration::from_secs(1);

/// Round trips a source may take once a verified answer inside the domain exists.
pub const SOURCE_ROUND_TRIPS: u32 = 10;

/// The first verified, usable setting of a direction.
#[derive(Debug, Clone, Copy)]
struct FirstVerified {
    at: Instant,
    /// How long its probe took.
    took: Duration,
    /// Its connection's round trip (the connect time).
    round_trip: Duration,
}

impl FirstVerified {
    fn started(&self) -> Instant {
        self.at.checked_sub(self.took).unwrap_or(self.at)
    }

    /// What a better probe gets beyond the verified probe's own time: a few round trips of
    /// this network.
    fn grace(&self) -> Duration {
        (self.round_trip * GRACE_ROUND_TRIPS).max(MIN_GRACE)
    }
}

/// A probe still running, as the cut-off sees it.
struct PendingProbe<'a> {
    place: &'a Place,
    started: Instant,
    /// A probe for a diagnosis only: never waited for.
    diagnostic: bool,
    /// The rank it reaches if it verifies; None for a diagnostic probe.
    potential: Option<VerifiedRank>,
}

struct Run<'a> {
    email: &'a EmailAddress,
    settings: &'a DetectSettings,
    engine: &'a Engine,
    tasks: JoinSet<Event>,
    pending: HashMap<Id, Pending>,
    /// The best rank each place could reach if its probe succeeds.
    potential: BTreeMap<Place, ClaimKey>,
    /// Places probed or being probed.
    probed: BTreeSet<Place>,
    /// Addresses that answered a probe (it got past the TCP connect).
    answered: BTreeSet<std::net::IpAddr>,
    /// Places whose certificate's names were looked up.
    alternatives_asked: BTreeSet<Place>,
    sources: Vec<SourceReport>,
    probes: Vec<EndpointReport>,
    provider: Option<(&'static providers::Provider, ProviderMatch)>,
    facts: Facts,
    mx_host: Option<String>,
    started: Instant,
    deadline: Instant,
    /// Directions guessed for.
    guessed: BTreeSet<Direction>,
    first_verified: BTreeMap<Direction, FirstVerified>,
}

/// Find, verify and rank the settings for `email`.
pub async fn detect(
    email: &EmailAddress,
    settings: &DetectSettings,
    engine: &Engine,
    progress: &Progress,
) -> Report {
    let mut run = Run::new(email, settings, engine);
    if settings.mode != Mode::Offline {
        run.start_sources();
        run.until_settled(progress).await;
        run.cancel_rest();
    }
    run.into_report()
}

/// `detect --offline`: the provider table alone, without a runtime, threads or sockets.
pub fn detect_offline(email: &EmailAddress) -> Report {
    let started = std::time::Instant::now();
    let (provider, table) = table_lookup(email);
    rank::build_report(RankInput {
        email,
        mode: Mode::Offline,
        provider,
        sources: vec![table],
        probes: Vec::new(),
        facts: Facts::default(),
        elapsed: started.elapsed(),
    })
}

/// The provider the address's domain belongs to, and the source report saying so.
fn table_lookup(
    email: &EmailAddress,
) -> (
    Option<(&'static providers::Provider, ProviderMatch)>,
    SourceReport,
) {
    let started = std::time::Instant::now();
    match providers::by_domain(&email.domain) {
        Some(p) => {
            let candidates = p.candidates(&email.local_part, &email.domain, SourceKind::Provider);
            let report = SourceReport::found(
                SourceKind::Provider,
                format!("provider table: {}", p.id),
                candidates,
            )
            .with_elapsed(started.elapsed());
            (Some((p, ProviderMatch::Domain)), report)
        }
        None => {
            let report = SourceReport::new(
                SourceKind::Provider,
                format!("provider table: {}", email.domain),
                SourceStatus::NotFound("not a domain the table knows".into()),
            )
            .with_elapsed(started.elapsed());
            (None, report)
        }
    }
}

/// A verified answer a client can use: it worked, the certificate is trusted (or there
/// is no TLS), and it takes a password login.
/// Never SMTP port 25: it is never recommended (see `Setting::recommendable`).
fn usable(report: &EndpointReport) -> bool {
    let relay = report.protocol.is_relay_port(report.port);
    report.is_ok() && report.certificate_trusted() && report.login_possible() && !relay
}

/// The best security a probe of `endpoint` can find: implicit TLS on the RFC 8314 ports
/// (and on unfamiliar ones, where TLS is tried first), STARTTLS elsewhere.
fn reachable_security(endpoint: &crate::model::Endpoint) -> Security {
    let known = endpoint.protocol.standard_ports().contains(&endpoint.port);
    if known {
        endpoint.protocol.default_security(endpoint.port)
    } else {
        Security::Tls
    }
}

/// The order sources are listed in (and consulted in, as far as order matters).
fn source_order(kind: SourceKind) -> u8 {
    match kind {
        SourceKind::Provider => 0,
        SourceKind::Autoconfig => 1,
        SourceKind::Ispdb => 2,
        SourceKind::Srv => 3,
        SourceKind::Mx => 4,
        SourceKind::Autodiscover => 5,
        SourceKind::Certificate => 6,
        SourceKind::Guess => 7,
    }
}

impl<'a> Run<'a> {
    fn new(email: &'a EmailAddress, settings: &'a DetectSettings, engine: &'a Engine) -> Run<'a> {
        let started = Instant::now();
        let (provider, table) = table_lookup(email);
        let mut run = Run {
            email,
            settings,
            engine,
            tasks: JoinSet::new(),
            pending: HashMap::new(),
            potential: BTreeMap::new(),
            probed: BTreeSet::new(),
            answered: BTreeSet::new(),
            alternatives_asked: BTreeSet::new(),
            sources: Vec::new(),
            probes: Vec::new(),
            provider,
            facts: Facts::default(),
            mx_host: None,
            started,
            deadline: started + settings.deadline,
            guessed: BTreeSet::new(),
            first_verified: BTreeMap::new(),
        };
        // The provider table answers at once and needs no network.
        run.add_sources(vec![table]);
        run
    }

    /// Handle events until the answer is settled, everything ended, or the deadline.
    async fn until_settled(&mut self, progress: &Progress) {
        loop {
            progress.set_message(format!(
                "{}: {} task(s) running",
                self.email.display(),
                self.pending.len()
            ));
            self.start_guesses();
            if self.satisfied() || self.tasks.is_empty() {
                return;
            }
            let wake = self.next_wake();
            let next = tokio::select! {
                next = self.tasks.join_next_with_id() => next,
                _ = tokio::time::sleep_until(wake) => {
                    if wake >= self.deadline {
                        return;
                    }
                    // A head start or a grace period ended: look again at what is settled.
                    continue;
                }
            };
            match next {
                Some(Ok((id, event))) => {
                    self.pending.remove(&id);
                    self.handle(event);
                }
                Some(Err(failed)) => self.task_failed(&failed),
                None => {}
            }
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Sources(reports) => self.add_sources(reports),
            Event::Probe(report) => self.record_probe(*report),
            Event::Mx(finding) => {
                if let Some(p) = finding.provider {
                    self.provider.get_or_insert((p, ProviderMatch::Mx));
                }
                self.facts.domain = Some(finding.domain);
                self.follow_mx(&finding);
                if self.settings.mode == Mode::Full {
                    self.probe_mx_port_25(&finding);
                }
                self.add_sources(vec![finding.report]);
            }
            Event::Alternatives(report, alias) => {
                self.facts.aliases.extend(alias);
                self.add_sources(vec![*report]);
            }
        }
    }

    /// A task panicked: say so in the report rather than lose what it was doing.
    fn task_failed(&mut self, failed: &JoinError) {
        let Some(pending) = self.pending.remove(&failed.id()) else {
            return;
        };
        match pending.task {
            Task::Source(kind, query) => self.sources.push(SourceReport::new(
                kind,
                query,
                SourceStatus::Failed("internal error: this lookup stopped unexpectedly".into()),
            )),
            Task::Probe((protocol, host, port)) | Task::Diagnostic((protocol, host, port)) => {
                let mut report = EndpointReport::new(&host, port, protocol);
                report.fail(
                    Outcome::NotTried,
                    Stage::Connect,
                    "internal error: this probe stopped unexpectedly",
                );
                self.probes.push(report);
            }
        }
    }

    /// Record source reports and probe every endpoint they name that is new.
    fn add_sources(&mut self, reports: Vec<SourceReport>) {
        for report in &reports {
            for (position, candidate) in report.candidates.iter().enumerate() {
                self.consider(candidate, position);
            }
        }
        self.sources.extend(reports);
    }

    fn consider(&mut self, candidate: &Candidate, position: usize) {
        let e = &candidate.endpoint;
        let place = rank::place(e);
        // The probe finds out what the port speaks (it upgrades with STARTTLS when offered),
        // so a claim of plain text may still verify encrypted: rank it as the port allows.
        let claim = rank::claim_key(e, &candidate.sources, self.email, position);
        let claim = claim.with_security(claim.security.min(reachable_security(e)));
        let potential = match self.potential.get(&place) {
            // The best this place could reach, claim by claim: sources are unioned.
            Some(known) => known.union(claim),
            None => claim,
        };
        self.potential.insert(place.clone(), potential);
        if self.settings.mode == Mode::Full {
            self.probe(place, true);
        }
    }

    fn record_probe(&mut self, report: EndpointReport) {
        let direction = report.protocol.direction();
        let ranked = self.potential.contains_key(&rank::probed_place(&report));
        if ranked && usable(&report) && !self.first_verified.contains_key(&direction) {
            let first = FirstVerified {
                at: Instant::now(),
                took: Duration::from_secs_f64(report.timings.total_ms / 1000.0),
                round_trip: Duration::from_secs_f64(
                    report.timings.connect_ms.unwrap_or_default() / 1000.0,
                ),
            };
            self.first_verified.insert(direction, first);
        }
        let connected = !matches!(report.stage, Some(Stage::Resolve | Stage::Connect));
        if let (true, Some(ip)) = (connected, report.address) {
            self.answered.insert(ip);
        }
        self.ask_certificate_names(&report);
        self.probes.push(report);
    }

    /// A working server whose certificate names other hosts: probe those names too.
    fn ask_certificate_names(&mut self, report: &EndpointReport) {
        let Some(cert) = report.tls.as_ref().and_then(|t| t.certificate.as_ref()) else {
            return;
        };
        let place = rank::probed_place(report);
        if !report.is_ok()
            || cert.problem != Some(CertificateProblem::NameMismatch)
            || !self.alternatives_asked.insert(place.clone())
        {
            return;
        }
        let template = self
            .sources
            .iter()
            .flat_map(|s| &s.candidates)
            .find(|c| rank::place(&c.endpoint) == place)
            .cloned();
        if let Some(mut template) = template {
            // Connect to the alternative with what was found to work here.
            template.endpoint.security = report.security.unwrap_or(template.endpoint.security);
            self.look_up_alternatives(template, cert.names.clone());
        }
    }

    /// The best rank verified so far in one direction, with its first verification.
    fn best_verified(&self, direction: Direction) -> Option<(VerifiedRank, FirstVerified)> {
        let first = *self.first_verified.get(&direction)?;
        let best = self
            .probes
            .iter()
            .filter(|p| p.protocol.direction() == direction && usable(p))
            .filter_map(|p| {
                let claimed = self.potential.get(&rank::probed_place(p))?;
                Some(rank::verified_rank(claimed.with_security(p.security?)))
            })
            .min()?;
        Some((best, first))
    }

    /// Probes of `direction` still running.
    fn pending_probes(&self, direction: Direction) -> impl Iterator<Item = PendingProbe<'_>> {
        self.pending.values().filter_map(move |p| match &p.task {
            Task::Probe(place) | Task::Diagnostic(place) if place.0.direction() == direction => {
                Some(PendingProbe {
                    place,
                    started: p.started,
                    diagnostic: matches!(p.task, Task::Diagnostic(_)),
                    potential: self.potential.get(place).copied().map(rank::verified_rank),
                })
            }
            _ => None,
        })
    }

    /// Sources still running: their kind and since when.
    fn pending_sources(&self) -> impl Iterator<Item = (SourceKind, Instant)> + '_ {
        self.pending.values().filter_map(|p| match p.task {
            Task::Source(kind, _) => Some((kind, p.started)),
            _ => None,
        })
    }

    /// Whether `host` leads to a server that has answered another probe: it is alive,
    /// and answers as fast as it did there.
    fn host_answered(&self, host: &str) -> bool {
        self.engine
            .dns
            .addresses_seen(host)
            .iter()
            .any(|ip| self.answered.contains(ip))
    }

    /// Until when a pending probe is waited for, once `best` is verified; None when it is
    /// not waited for at all (see the module doc).
    fn probe_patience(
        &self,
        probe: &PendingProbe<'_>,
        best: &VerifiedRank,
        first: &FirstVerified,
    ) -> Option<Instant> {
        let better = probe.potential.is_some_and(|p| p < *best);
        let peer = probe.started <= first.started() + PEER_WINDOW;
        let alive = !probe.diagnostic && self.host_answered(&probe.place.1);
        let drained = probe.started + first.took * 3 + DRAIN;
        match (better, alive) {
            (true, true) => Some(drained.max(probe.started + first.took + first.grace())),
            (true, false) => Some(probe.started + first.took + first.grace()),
            (false, true) if peer => Some(drained),
            _ => None,
        }
    }

    /// Until when a pending source is waited for, given the verified `best`.
    fn source_patience(&self, started: Instant, best: &ClaimKey, first: &FirstVerified) -> Instant {
        if best.needs_confirmation {
            first.at + (first.took * 4).max(MIN_SOURCE_PATIENCE)
        } else {
            started + (first.round_trip * SOURCE_ROUND_TRIPS).max(MIN_SOURCE_PATIENCE)
        }
    }

    /// Until when a source is waited for when nothing is verified: one `--timeout`, plus
    /// [`MIN_GRACE`] for a source whose own step just timed out and that is finishing
    /// with its fallback.
    fn last_chance(&self, started: Instant) -> Instant {
        started + self.engine.prober.options().step_timeout + MIN_GRACE
    }

    /// A verified answer that nothing still running is worth waiting for.
    fn settled(&self, direction: Direction) -> bool {
        let Some((best, first)) = self.best_verified(direction) else {
            return false;
        };
        let now = Instant::now();
        // No patience limit for plaintext: anything encrypted still running is worth it.
        let patient = best.1.security == Security::Plain;
        let probes_settled = self.pending_probes(direction).all(|probe| {
            let better = probe.potential.is_some_and(|p| p < best);
            match self.probe_patience(&probe, &best, &first) {
                None => true,
                Some(until) => now >= until && !(better && patient),
            }
        });
        // For plaintext, a source is waited for as when nothing is verified: one timeout.
        let sources_settled = best.1.is_best_possible()
            || self.pending_sources().all(|(_, started)| match patient {
                true => now >= self.last_chance(started),
                false => now >= self.source_patience(started, &best.1, &first),
            });
        probes_settled && sources_settled
    }

    /// Nothing verified, every guess and probe of the direction has ended, and what is
    /// still running has had its last chance: nothing is going to answer.
    fn exhausted(&self, direction: Direction) -> bool {
        let now = Instant::now();
        // A diagnostic probe and a port-25 claim can never give a usable answer.
        let hopeless = |probe: &PendingProbe<'_>| {
            probe.diagnostic || probe.potential.is_some_and(|((relay, _), _)| relay)
        };
        self.guessed.contains(&direction)
            && self.pending_probes(direction).all(|probe| hopeless(&probe))
            && self
                .pending_sources()
                .all(|(_, started)| now >= self.last_chance(started))
    }

    fn satisfied(&self) -> bool {
        match self.settings.mode {
            Mode::Full => Direction::BOTH
                .iter()
                .all(|d| self.settled(*d) || self.exhausted(*d)),
            _ => self.pending_sources().next().is_none(),
        }
    }

    /// Whether the sources have had their head start: the DNS sources (SRV, MX, which
    /// also names the MX host to guess) have answered, [`GUESS_HEAD_START`] has passed, or
    /// every source is done.
    fn head_start_over(&self) -> bool {
        Instant::now() >= self.started + GUESS_HEAD_START
            || self
                .pending_sources()
                .all(|(kind, _)| !matches!(kind, SourceKind::Srv | SourceKind::Mx))
    }

    /// Whether a probe of a place a source named is still running in `direction`.
    fn source_named_pending(&self, direction: Direction) -> bool {
        self.pending_probes(direction)
            .any(|probe| probe.potential.is_some_and(|(_, key)| !key.guessed))
    }

    /// Start guessing for each direction without a verified answer, once the sources have
    /// had their head start, and once what they named has been probed (or has had
    /// [`GUESS_AT_THE_LATEST`] to answer: a filtered server must not delay guessing by a
    /// whole timeout).
    fn start_guesses(&mut self) {
        if self.settings.mode != Mode::Full || !self.head_start_over() {
            return;
        }
        let late = Instant::now() >= self.started + GUESS_AT_THE_LATEST;
        let mut protocols = Vec::new();
        for direction in Direction::BOTH {
            let waiting = self.source_named_pending(direction) && !late;
            // A plaintext answer does not stop guessing: anything encrypted outranks it.
            let encrypted_answer = self
                .best_verified(direction)
                .is_some_and(|(((_, plain), _), _)| !plain);
            if encrypted_answer || waiting || !self.guessed.insert(direction) {
                continue;
            }
            protocols.extend_from_slice(direction.protocols());
        }
        if !protocols.is_empty() {
            self.guess(&protocols);
        }
    }

    /// When to look again even if no task finishes: the end of the guessing head start, of
    /// a patience period, or the deadline.
    fn next_wake(&self) -> Instant {
        let now = Instant::now();
        let mut times = vec![
            self.started + GUESS_HEAD_START,
            self.started + GUESS_AT_THE_LATEST,
        ];
        times.extend(
            self.pending_sources()
                .map(|(_, started)| self.last_chance(started)),
        );
        for direction in Direction::BOTH {
            let Some((best, first)) = self.best_verified(direction) else {
                continue;
            };
            times.extend(
                self.pending_probes(direction)
                    .filter_map(|probe| self.probe_patience(&probe, &best, &first)),
            );
            times.extend(
                self.pending_sources()
                    .map(|(_, started)| self.source_patience(started, &best.1, &first)),
            );
        }
        times
            .into_iter()
            .filter(|t| *t > now)
            .fold(self.deadline, Instant::min)
    }

    fn into_report(self) -> Report {
        let mut sources = self.sources;
        // Arrival order depends on timing; the report must not.
        // (Plain-http fallbacks after the https URLs they stand in for.)
        sources.sort_by(|a, b| {
            let key = |r: &SourceReport| (source_order(r.kind), r.query.starts_with("http://"));
            key(a).cmp(&key(b)).then(a.query.cmp(&b.query))
        });
        let mut probes = self.probes;
        probes.sort_by(|a, b| (a.protocol, &a.host, a.port).cmp(&(b.protocol, &b.host, b.port)));
        let mut facts = self.facts;
        facts.aliases.sort_by(|a, b| a.alias.cmp(&b.alias));
        rank::build_report(RankInput {
            email: self.email,
            mode: self.settings.mode,
            provider: self.provider,
            sources,
            probes,
            facts,
            elapsed: self.started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_email;
    use crate::probe::ProbeOptions;
    use crate::probe::tls::TlsContext;

    fn engine() -> Engine {
        let options = ProbeOptions::default();
        let dns = Arc::new(Dns::system(options.step_timeout));
        let tls = TlsContext::new(None).expect("the built-in roots");
        Engine {
            prober: Prober::new(dns.clone(), tls, options),
            dns,
            http: None,
        }
    }

    #[tokio::test]
    async fn a_source_that_panics_is_reported_as_failed() {
        let email = parse_email("taro@example.jp").unwrap();
        let settings = DetectSettings {
            mode: Mode::NoProbe,
            ispdb_url: None,
            deadline: Duration::from_secs(5),
        };
        let engine = engine();
        let mut run = Run::new(&email, &settings, &engine);
        run.spawn_source(SourceKind::Srv, "SRV records of example.jp".into(), async {
            panic!("a bug in a source")
        });
        // Not a terminal under the test harness: nothing is drawn.
        run.until_settled(&Progress::spinner("")).await;
        let report = run.into_report();
        let srv = report
            .sources
            .iter()
            .find(|s| s.kind == SourceKind::Srv)
            .expect("the panicked source is still in the report");
        assert!(
            matches!(&srv.status, SourceStatus::Failed(why) if why.contains("internal error")),
            "{srv:?}"
        );
    }
}
