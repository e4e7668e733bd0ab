//! `detect`'s engine: run every discovery source at once, probe each new endpoint the
//! moment a source names it, and stop as soon as the answer cannot get any better.
//!
//! Everything runs in one `JoinSet`, so whatever is still running when the answer is
//! known (a tarpit, a filtered port, a slow web server) is cancelled, never waited for.
//!
//! When to stop, per direction (incoming, outgoing): a verified setting exists, no probe
//! still running could outrank it, and either no source is still running or the verified
//! setting already has the best security, protocol and port there are, without needing
//! confirmation (a new candidate could then at most tie with it). "Outrank" is
//! `rank::claim_key`, the ranking's own key, so both agree.
//!
//! Once a direction has a verified answer, what is still running gets a grace period:
//! probes that could outrank it are waited for as long again as that verification took
//! (at least [`MIN_GRACE`]), sources four times as long (at least [`MIN_SOURCE_GRACE`]:
//! a web fetch needs DNS, TCP and TLS before it names anything to probe). A working
//! server answers within that on the same network; one that has not is silent, filtered
//! or far slower, and must not delay an answer already known. There is no grace for a
//! plaintext answer: while anything encrypted may still work, it is waited for.
//!
//! Guessing starts for a direction when the sources are done and that direction has
//! neither an answer nor a probe still running.

use crate::address::EmailAddress;
use crate::discover::mx::MxFinding;
use crate::discover::{self, SourceReport, SourceStatus, providers};
use crate::dns::Dns;
use crate::model::{Candidate, Protocol, Security, SourceKind};
use crate::net::http::HttpClient;
use crate::probe::{EndpointReport, Prober, Target};
use crate::progress::Progress;
use crate::rank::{self, RankInput};
use crate::report::model::{Mode, Report};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::{Id, JoinSet};
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
    Mx(Box<MxFinding>),
    Probe(Box<EndpointReport>),
}

/// Where an endpoint is; one probe answers for every claim about it.
type Place = (Protocol, String, u16);

/// The rank a setting could reach if its probe succeeds (lower is better).
type Potential = rank::ClaimKey;

/// The shortest grace period for probes: enough for a few round trips on a slow link.
pub const MIN_GRACE: Duration = Duration::from_millis(250);

/// The shortest grace period for sources still running.
pub const MIN_SOURCE_GRACE: Duration = Duration::from_secs(1);

/// When the grace periods of one direction end.
#[derive(Debug, Clone, Copy)]
struct Grace {
    probes_until: Instant,
    sources_until: Instant,
}

struct Run<'a> {
    email: &'a EmailAddress,
    settings: &'a DetectSettings,
    engine: &'a Engine,
    tasks: JoinSet<Event>,
    /// Sources still running: what they asked, to report them as cancelled.
    pending_sources: HashMap<Id, (SourceKind, String)>,
    pending_probes: HashMap<Id, Place>,
    /// The best rank each place could reach if its probe succeeds.
    potential: BTreeMap<Place, Potential>,
    sources: Vec<SourceReport>,
    probes: Vec<EndpointReport>,
    mx_host: Option<String>,
    /// Per direction (incoming, outgoing): guesses started.
    guessed: [bool; 2],
    deadline: Instant,
    /// Per direction (incoming, outgoing): the grace periods after the first verification.
    grace: [Option<Grace>; 2],
}

/// Find, verify and rank the settings for `email`.
pub async fn detect(
    email: &EmailAddress,
    settings: &DetectSettings,
    engine: &Engine,
    progress: &Progress,
) -> Report {
    let started = Instant::now();
    let mut run = Run {
        email,
        settings,
        engine,
        tasks: JoinSet::new(),
        pending_sources: HashMap::new(),
        pending_probes: HashMap::new(),
        potential: BTreeMap::new(),
        sources: Vec::new(),
        probes: Vec::new(),
        mx_host: None,
        guessed: [false, false],
        deadline: started + settings.deadline,
        grace: [None, None],
    };

    // The provider table answers at once and needs no network.
    let (mut provider, table) = table_lookup(email);
    run.add_sources(vec![table]);

    if settings.mode != Mode::Offline {
        run.start_sources();
        loop {
            progress.set_message(format!(
                "{}: {} lookup(s) and {} probe(s) running",
                email.display(),
                run.pending_sources.len(),
                run.pending_probes.len()
            ));
            run.start_guesses();
            if run.satisfied() || run.tasks.is_empty() {
                break;
            }
            let wake = run.next_wake();
            let next = tokio::select! {
                next = run.tasks.join_next_with_id() => next,
                _ = tokio::time::sleep_until(wake) => {
                    if wake >= run.deadline {
                        break;
                    }
                    // A grace period ended: look again at what is settled.
                    continue;
                }
            };
            let Some(next) = next else { continue };
            let (id, event) = match next {
                Ok(done) => done,
                Err(failed) => {
                    // A task panicked: forget it; its report is missing.
                    run.pending_probes.remove(&failed.id());
                    run.pending_sources.remove(&failed.id());
                    continue;
                }
            };
            run.pending_probes.remove(&id);
            run.pending_sources.remove(&id);
            match event {
                Event::Sources(reports) => run.add_sources(reports),
                Event::Probe(report) => run.record_probe(*report),
                Event::Mx(finding) => {
                    if let Some(p) = finding.provider {
                        provider.get_or_insert((p, "mx"));
                    }
                    run.follow_mx(&finding);
                    run.add_sources(vec![finding.report]);
                }
            }
        }
        run.cancel_rest();
    }

    let mut sources = run.sources;
    // Arrival order depends on timing; the report must not.
    // (Plain-http fallbacks after the https URLs they stand in for.)
    sources.sort_by(|a, b| {
        let key = |r: &SourceReport| (source_order(r.kind), r.query.starts_with("http://"));
        key(a).cmp(&key(b)).then(a.query.cmp(&b.query))
    });
    let mut probes = run.probes;
    probes.sort_by(|a, b| (a.protocol, &a.host, a.port).cmp(&(b.protocol, &b.host, b.port)));
    rank::build_report(RankInput {
        email,
        mode: settings.mode,
        provider,
        sources,
        probes,
        elapsed: started.elapsed(),
    })
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
        elapsed: started.elapsed(),
    })
}

/// The provider the address's domain belongs to, and the source report saying so.
fn table_lookup(
    email: &EmailAddress,
) -> (
    Option<(&'static providers::Provider, &'static str)>,
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
            (Some((p, "domain")), report)
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
fn usable(report: &EndpointReport) -> bool {
    report.is_ok() && report.certificate_trusted() && report.login_possible()
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
        SourceKind::Guess => 6,
    }
}

impl Run<'_> {
    fn start_sources(&mut self) {
        let email = self.email.clone();
        let dns = self.engine.dns.clone();
        self.spawn_source(
            SourceKind::Srv,
            format!("SRV records of {}", email.domain),
            {
                let (dns, email) = (dns.clone(), email.clone());
                async move { Event::Sources(discover::srv::fetch(&dns, &email).await) }
            },
        );
        self.spawn_source(SourceKind::Mx, format!("{} MX", email.domain), {
            let (dns, email) = (dns.clone(), email.clone());
            async move { Event::Mx(Box::new(discover::mx::fetch(&dns, &email).await)) }
        });
        let Some(http) = self.engine.http.clone() else {
            return;
        };
        self.spawn_source(
            SourceKind::Autoconfig,
            format!("autoconfig for {}", email.domain),
            {
                let (http, email) = (http.clone(), email.clone());
                async move {
                    Event::Sources(
                        discover::autoconfig::fetch(
                            &http,
                            &email,
                            &email.domain,
                            SourceKind::Autoconfig,
                        )
                        .await,
                    )
                }
            },
        );
        match &self.settings.ispdb_url {
            Some(base) => {
                let (http, email, base) = (http.clone(), email.clone(), base.clone());
                self.spawn_source(
                    SourceKind::Ispdb,
                    discover::ispdb::url(&base, &email.domain),
                    async move {
                        Event::Sources(vec![
                            discover::ispdb::fetch(
                                &http,
                                &base,
                                &email,
                                &email.domain,
                                SourceKind::Ispdb,
                            )
                            .await,
                        ])
                    },
                );
            }
            None => self.sources.push(SourceReport::new(
                SourceKind::Ispdb,
                "ISPDB",
                SourceStatus::Skipped("--no-ispdb".into()),
            )),
        }
        self.spawn_source(SourceKind::Autodiscover, format!("autodiscover for {}", email.domain), {
            let (http, email, dns) = (http, email, dns);
            async move { Event::Sources(discover::autodiscover::fetch(&http, &dns, &email).await) }
        });
    }

    /// The MX points at another domain that no provider entry covers: ask that domain's
    /// autoconfig and the ISPDB about it, as Thunderbird does.
    fn follow_mx(&mut self, finding: &MxFinding) {
        self.mx_host = finding.preferred.clone();
        let (Some(other), None, Some(http)) = (
            &finding.other_domain,
            finding.provider,
            self.engine.http.clone(),
        ) else {
            return;
        };
        let email = self.email.clone();
        let other = other.clone();
        self.spawn_source(
            SourceKind::Mx,
            format!("autoconfig for MX domain {other}"),
            {
                let (http, email, other) = (http.clone(), email.clone(), other.clone());
                async move {
                    Event::Sources(
                        discover::autoconfig::fetch(&http, &email, &other, SourceKind::Mx).await,
                    )
                }
            },
        );
        if let Some(base) = self.settings.ispdb_url.clone() {
            self.spawn_source(
                SourceKind::Mx,
                discover::ispdb::url(&base, &other),
                async move {
                    Event::Sources(vec![
                        discover::ispdb::fetch(&http, &base, &email, &other, SourceKind::Mx).await,
                    ])
                },
            );
        }
    }

    fn spawn_source(
        &mut self,
        kind: SourceKind,
        query: String,
        task: impl Future<Output = Event> + Send + 'static,
    ) {
        let handle = self.tasks.spawn(task);
        self.pending_sources.insert(handle.id(), (kind, query));
    }

    /// Record source reports and probe every endpoint they name that is new.
    fn add_sources(&mut self, reports: Vec<SourceReport>) {
        for report in &reports {
            for candidate in &report.candidates {
                self.consider(candidate);
            }
        }
        self.sources.extend(reports);
    }

    fn consider(&mut self, candidate: &Candidate) {
        let e = &candidate.endpoint;
        let place: Place = (e.protocol, e.host.clone(), e.port);
        let claim = rank::claim_key(e, &candidate.sources, self.email);
        if let Some(known) = self.potential.get_mut(&place) {
            // The best this place could reach, claim by claim: sources are unioned.
            *known = (
                known.0.min(claim.0),
                known.1.min(claim.1),
                known.2 && claim.2,
                known.3 && claim.3,
                known.4.min(claim.4),
            );
            return;
        }
        let potential = claim;
        self.potential.insert(place.clone(), potential);
        if self.settings.mode != Mode::Full {
            return;
        }
        let prober = self.engine.prober.clone();
        let deadline = self.deadline;
        let target = Target {
            host: e.host.clone(),
            port: e.port,
            protocol: e.protocol,
            // Let the engine find out what the port really speaks; the claim is compared
            // with what it found when ranking.
            security: None,
        };
        let handle = self
            .tasks
            .spawn(async move { Event::Probe(Box::new(prober.probe(&target, deadline).await)) });
        self.pending_probes.insert(handle.id(), place);
    }

    fn record_probe(&mut self, report: EndpointReport) {
        let direction = usize::from(!report.protocol.is_incoming());
        if usable(&report) && self.grace[direction].is_none() {
            let took = Duration::from_secs_f64(report.timings.total_ms / 1000.0);
            let now = Instant::now();
            self.grace[direction] = Some(Grace {
                probes_until: now + took.max(MIN_GRACE),
                sources_until: now + (took * 4).max(MIN_SOURCE_GRACE),
            });
        }
        self.probes.push(report);
    }

    /// When to look again even if no task finishes: the end of a grace period still to
    /// come, or the deadline.
    fn next_wake(&self) -> Instant {
        let now = Instant::now();
        self.grace
            .iter()
            .flatten()
            .flat_map(|g| [g.probes_until, g.sources_until])
            .filter(|end| *end > now)
            .fold(self.deadline, Instant::min)
    }

    /// The best rank verified so far in one direction.
    fn best_verified(&self, incoming: bool) -> Option<Potential> {
        self.probes
            .iter()
            .filter(|p| p.protocol.is_incoming() == incoming && usable(p))
            .filter_map(|p| {
                let place: Place = (p.protocol, p.host.clone(), p.port);
                let claimed = self.potential.get(&place)?;
                Some((p.security?, claimed.1, claimed.2, claimed.3, claimed.4))
            })
            .min()
    }

    fn probes_pending(&self, incoming: bool) -> bool {
        self.pending_probes
            .values()
            .any(|place| place.0.is_incoming() == incoming)
    }

    fn direction_done(&self, incoming: bool) -> bool {
        let Some(best) = self.best_verified(incoming) else {
            return false;
        };
        let now = Instant::now();
        // No grace for plaintext: an encrypted candidate still running is worth the wait.
        let grace = self.grace[usize::from(!incoming)].filter(|_| best.0 != Security::Plain);
        let better_pending = self.pending_probes.values().any(|place| {
            place.0.is_incoming() == incoming
                && self.potential.get(place).is_some_and(|p| *p < best)
        });
        let probes_settled = !better_pending || grace.is_some_and(|g| now >= g.probes_until);
        // A source still running can only add candidates; once the verified answer has the
        // best security, protocol and port there are, without needing confirmation, a new
        // candidate could at most tie with it (differing in which source named it), which
        // is not worth waiting for.
        let best_possible = rank::BEST_CLAIM;
        let top = (best.0, best.1, best.2, best.3)
            == (
                best_possible.0,
                best_possible.1,
                best_possible.2,
                best_possible.3,
            );
        let sources_settled =
            self.pending_sources.is_empty() || top || grace.is_some_and(|g| now >= g.sources_until);
        probes_settled && sources_settled
    }

    fn satisfied(&self) -> bool {
        match self.settings.mode {
            Mode::Full => self.direction_done(true) && self.direction_done(false),
            _ => self.pending_sources.is_empty(),
        }
    }

    /// Once the sources are done, probe guessed hosts for each direction that has neither
    /// an answer nor a probe still running.
    fn start_guesses(&mut self) {
        if self.settings.mode != Mode::Full || !self.pending_sources.is_empty() {
            return;
        }
        let mut protocols = Vec::new();
        for incoming in [true, false] {
            let direction = usize::from(!incoming);
            if self.guessed[direction]
                || self.best_verified(incoming).is_some()
                || self.probes_pending(incoming)
            {
                continue;
            }
            self.guessed[direction] = true;
            if incoming {
                protocols.extend([Protocol::Imap, Protocol::Pop3]);
            } else {
                protocols.push(Protocol::Smtp);
            }
        }
        if protocols.is_empty() {
            return;
        }
        let started = std::time::Instant::now();
        let candidates =
            discover::guess::candidates(self.email, &protocols, self.mx_host.as_deref());
        let names: Vec<String> = protocols.iter().map(|p| p.to_string()).collect();
        let report = SourceReport::found(
            SourceKind::Guess,
            format!(
                "guessed {} host names for {}",
                names.join("/"),
                self.email.domain
            ),
            candidates,
        )
        .with_elapsed(started.elapsed());
        self.add_sources(vec![report]);
    }

    /// Stop everything still running and say so in the report.
    fn cancel_rest(&mut self) {
        self.tasks.abort_all();
        let mut cancelled: Vec<(SourceKind, String)> =
            self.pending_sources.drain().map(|(_, v)| v).collect();
        cancelled.sort();
        for (kind, query) in cancelled {
            self.sources
                .push(SourceReport::new(kind, query, SourceStatus::Cancelled));
        }
        self.pending_probes.clear();
    }
}
