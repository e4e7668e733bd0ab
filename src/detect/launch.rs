//! Starting `detect`'s tasks: the discovery sources, the MX's follow-up lookups, probes,
//! guesses and the certificate-name lookups. Each is one task in the run's `JoinSet`.

use super::{Event, Pending, Run, Task};
use crate::discover::mx::MxFinding;
use crate::discover::{self, SourceReport, SourceStatus};
use crate::model::{Candidate, Protocol, RELAY_PORT, SourceKind};
use crate::probe::Target;
use crate::rank::Place;
use tokio::time::Instant;

impl Run<'_> {
    pub(super) fn start_sources(&mut self) {
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
    pub(super) fn follow_mx(&mut self, finding: &MxFinding) {
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

    pub(super) fn spawn_source(
        &mut self,
        kind: SourceKind,
        query: String,
        task: impl Future<Output = Event> + Send + 'static,
    ) {
        self.spawn(Task::Source(kind, query), task);
    }

    fn spawn(&mut self, task: Task, future: impl Future<Output = Event> + Send + 'static) {
        let handle = self.tasks.spawn(future);
        self.pending.insert(
            handle.id(),
            Pending {
                task,
                started: Instant::now(),
            },
        );
    }

    /// Probe `place`, unless it has been probed already (one probe answers for every claim
    /// about a place). `waited_for` is false for diagnostic probes (port 25 of the MX):
    /// their answer is used when it comes in time, and never holds up a verified answer.
    pub(super) fn probe(&mut self, place: Place, waited_for: bool) {
        if !self.probed.insert(place.clone()) {
            return;
        }
        let prober = self.engine.prober.clone();
        let deadline = self.deadline;
        let target = Target {
            host: place.1.clone(),
            port: place.2,
            protocol: place.0,
            // Let the engine find out what the port really speaks; the claim is compared
            // with what it found when ranking.
            security: None,
        };
        let task = if waited_for {
            Task::Probe(place)
        } else {
            Task::Diagnostic(place)
        };
        self.spawn(task, async move {
            Event::Probe(Box::new(prober.probe(&target, deadline).await))
        });
    }

    /// The preferred MX host takes mail on port 25 by definition: when it does not answer
    /// there while submission does, port 25 is blocked on this network. Asked at once,
    /// never waited for.
    pub(super) fn probe_mx_port_25(&mut self, finding: &MxFinding) {
        if let Some(host) = &finding.preferred {
            self.probe((Protocol::Smtp, host.clone(), RELAY_PORT), false);
        }
    }

    /// A probe found a certificate for other names: look for the setting it points at.
    pub(super) fn look_up_alternatives(&mut self, template: Candidate, names: Vec<String>) {
        let dns = self.engine.dns.clone();
        let mx = self.mx_host.clone();
        let query = discover::certificate::query(&template.endpoint);
        self.spawn_source(SourceKind::Certificate, query, async move {
            let (report, alias) =
                discover::certificate::alternatives(&dns, &template, &names, mx.as_deref()).await;
            Event::Alternatives(Box::new(report), alias)
        });
    }

    /// Probe guessed hosts for `protocols`, ranked below anything a source names. A host
    /// and port a source named is not probed again (one probe answers for every claim), and
    /// the ranking lists a guess among a setting's sources only when nothing else named it.
    pub(super) fn guess(&mut self, protocols: &[Protocol]) {
        let started = std::time::Instant::now();
        let candidates =
            discover::guess::candidates(self.email, protocols, self.mx_host.as_deref());
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
    pub(super) fn cancel_rest(&mut self) {
        self.tasks.abort_all();
        let mut cancelled: Vec<(SourceKind, String)> = self
            .pending
            .drain()
            .filter_map(|(_, p)| match p.task {
                Task::Source(kind, query) => Some((kind, query)),
                Task::Probe(_) | Task::Diagnostic(_) => None,
            })
            .collect();
        cancelled.sort();
        for (kind, query) in cancelled {
            self.sources
                .push(SourceReport::new(kind, query, SourceStatus::Cancelled));
        }
    }
}
