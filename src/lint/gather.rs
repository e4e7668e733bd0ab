//! The I/O of `lint`: DNS (MX, SRV and their targets), the autoconfig URLs, the
//! autodiscover endpoint, the https certificates of the hosts that answered, and probes
//! of every published endpoint. It only collects [`Facts`]; judging them is pure.

use super::{
    AutoconfigFetch, AutodiscoverFetch, Facts, FetchResult, MxFacts, MxHost, Probed,
    SAMPLE_LOCAL_PART, SrvAnswer, SrvFacts, WebCertificate,
};
use crate::address::EmailAddress;
use crate::discover::autodiscover_xml::{self, AutodiscoverResponse};
use crate::discover::{autoconfig, autoconfig_xml, srv};
use crate::dns::{Dns, DnsFailure};
use crate::model::{Endpoint, Protocol, Security, Source, SourceKind};
use crate::net::http::{FetchError, HttpClient, HttpResponse};
use crate::probe::outcome::{EndpointReport, Outcome, Stage};
use crate::probe::tls::TlsContext;
use crate::probe::{Prober, Target};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// What `gather` works with.
pub struct Engine {
    pub dns: Arc<Dns>,
    pub http: HttpClient,
    pub tls: TlsContext,
    pub prober: Prober,
    pub step_timeout: Duration,
}

/// Everything about `domain`, finished by `deadline`.
pub async fn gather(domain: &str, engine: &Engine, deadline: Instant) -> Facts {
    let email = EmailAddress {
        local_part: SAMPLE_LOCAL_PART.to_string(),
        domain: domain.to_string(),
        display_domain: crate::address::display_domain(domain),
    };
    let urls = autoconfig::urls(&email, domain);
    let autodiscover_url = crate::discover::autodiscover::urls(domain)[0].clone();
    let (mx, srv, autoconfig, autodiscover) = tokio::join!(
        mx(&engine.dns, domain),
        srv_records(&engine.dns, domain),
        futures::future::join_all(
            [&urls.https[0], &urls.https[1], &urls.http]
                .into_iter()
                .map(|url| autoconfig_fetch(&engine.http, url))
        ),
        autodiscover(&engine.http, &email, &autodiscover_url),
    );
    let web_hosts = answering_hosts(&autoconfig, &autodiscover);
    let web_certificates = futures::future::join_all(
        web_hosts
            .iter()
            .map(|host| web_certificate(engine, host, deadline)),
    )
    .await
    .into_iter()
    .flatten()
    .collect();
    let mut facts = Facts {
        domain: domain.to_string(),
        checked_at: unix_now(),
        mx,
        srv,
        autoconfig,
        autodiscover,
        web_certificates,
        published: Vec::new(),
        probes: Vec::new(),
        retries: Vec::new(),
        mx_probes: Vec::new(),
    };
    facts.published = super::published::collect(&facts);
    probe(engine, &mut facts, deadline).await;
    facts
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn mx(dns: &Dns, domain: &str) -> MxFacts {
    let records = match dns.mx(domain).await {
        Ok(records) => records,
        Err(DnsFailure::NoSuchName) => return MxFacts::DomainMissing,
        Err(e) => return MxFacts::Failed(e.to_string()),
    };
    let hosts = records.into_iter().map(|r| async move {
        let resolves = !r.host.is_empty() && dns.ips(&r.host).await.is_ok();
        MxHost {
            preference: r.preference,
            host: r.host,
            resolves,
        }
    });
    MxFacts::Records(futures::future::join_all(hosts).await)
}

async fn srv_records(dns: &Dns, domain: &str) -> Vec<SrvFacts> {
    let lookups = srv::SERVICES
        .iter()
        .map(|&(service, protocol, security)| async move {
            let name = format!("{service}.{domain}");
            let answer = match dns.srv(&name).await {
                Ok(records) if records.is_empty() => SrvAnswer::Absent,
                Err(DnsFailure::NoSuchName) => SrvAnswer::Absent,
                Err(e) => SrvAnswer::Failed(e.to_string()),
                Ok(records) => {
                    let checked = records.into_iter().map(|r| async move {
                        let resolves = !r.target.is_empty() && dns.ips(&r.target).await.is_ok();
                        (r, resolves)
                    });
                    SrvAnswer::Records(futures::future::join_all(checked).await)
                }
            };
            SrvFacts {
                name,
                protocol,
                security,
                answer,
            }
        });
    futures::future::join_all(lookups).await
}

/// A failed fetch, classified.
fn failed<T>(error: FetchError) -> FetchResult<T> {
    match error {
        FetchError::NotFound(why) => FetchResult::NotFound(why),
        FetchError::Tls(reason) => FetchResult::Failed { reason, tls: true },
        other => FetchResult::Failed {
            reason: other.to_string(),
            tls: false,
        },
    }
}

/// A web page where a document belongs: a catch-all web site, not a broken file.
fn web_page(response: &HttpResponse) -> Option<String> {
    response.is_html().then(|| {
        format!(
            "the server answered with a web page ({})",
            response.content_type.as_deref().unwrap_or("text/html")
        )
    })
}

async fn autoconfig_fetch(http: &HttpClient, url: &str) -> AutoconfigFetch {
    let result = match http.get(url).await {
        Err(error) => failed(error),
        Ok(response) => match autoconfig_xml::parse(&response.body) {
            Ok(config) => FetchResult::Document(config),
            Err(error) => match web_page(&response) {
                Some(page) => FetchResult::NotFound(page),
                None => FetchResult::Invalid(error.to_string()),
            },
        },
    };
    AutoconfigFetch {
        url: url.to_string(),
        https: url.starts_with("https://"),
        result,
    }
}

/// The POX request for `email`, without credentials (the HTTP client never sends any).
async fn autodiscover(http: &HttpClient, email: &EmailAddress, url: &str) -> AutodiscoverFetch {
    let body = autodiscover_xml::request_body(&email.ascii());
    let result = match http.post_xml(url, body).await {
        Err(FetchError::Http(401)) => FetchResult::Failed {
            reason: "the server asks for credentials before answering".into(),
            tls: false,
        },
        Err(error) => failed(error),
        Ok(response) => match autodiscover_xml::parse(&response.body) {
            Ok(answer) => autodiscover_answer(answer, email, url),
            Err(error) => match web_page(&response) {
                Some(page) => FetchResult::NotFound(page),
                None => FetchResult::Invalid(error.to_string()),
            },
        },
    };
    AutodiscoverFetch {
        url: url.to_string(),
        result,
    }
}

fn autodiscover_answer(
    answer: AutodiscoverResponse,
    email: &EmailAddress,
    url: &str,
) -> FetchResult<Vec<Endpoint>> {
    match answer {
        AutodiscoverResponse::Settings(servers) => {
            let source = Source {
                kind: SourceKind::Autodiscover,
                detail: url.to_string(),
                authenticated: true,
            };
            let candidates =
                autodiscover_xml::candidates(&servers, &email.local_part, &email.domain, &source);
            FetchResult::Document(candidates.into_iter().map(|c| c.endpoint).collect())
        }
        AutodiscoverResponse::Error { code, message } => FetchResult::Failed {
            reason: format!(
                "the server answered with an autodiscover error {} {}",
                code.unwrap_or_default(),
                message.unwrap_or_default()
            )
            .trim()
            .to_string(),
            tls: false,
        },
        // Another address or URL answers: lint checks this domain's own endpoint only.
        AutodiscoverResponse::RedirectAddr(to) | AutodiscoverResponse::RedirectUrl(to) => {
            FetchResult::NotFound(format!("redirects to {to}"))
        }
    }
}

/// The https hosts whose certificate is worth judging: those that answered (with
/// anything) or failed in the TLS handshake.
fn answering_hosts(
    autoconfig: &[AutoconfigFetch],
    autodiscover: &AutodiscoverFetch,
) -> Vec<String> {
    let answered = |result_is_answer: bool, url: &str| {
        result_is_answer
            .then(|| url.strip_prefix("https://"))
            .flatten()
            .and_then(|rest| rest.split(['/', ':', '?']).next())
            .map(str::to_string)
    };
    let mut hosts: Vec<String> = autoconfig
        .iter()
        .filter_map(|f| answered(answer(&f.result), &f.url))
        .chain(answered(answer(&autodiscover.result), &autodiscover.url))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

fn answer<T>(result: &FetchResult<T>) -> bool {
    matches!(
        result,
        FetchResult::Document(_) | FetchResult::Invalid(_) | FetchResult::Failed { tls: true, .. }
    )
}

/// The certificate `host:443` presents, judged for `host`.
async fn web_certificate(engine: &Engine, host: &str, deadline: Instant) -> Option<WebCertificate> {
    const PORT: u16 = 443;
    let step = (Instant::now() + engine.step_timeout).min(deadline);
    let ips = engine.dns.ips(host).await.ok()?;
    let ip = *ips.first()?;
    let tcp = tokio::time::timeout_at(step, tokio::net::TcpStream::connect((ip, PORT)))
        .await
        .ok()?
        .ok()?;
    let step = (Instant::now() + engine.step_timeout).min(deadline);
    let (_stream, info) = engine.tls.handshake(tcp, host, step).await.ok()?;
    Some(WebCertificate {
        host: host.to_string(),
        port: PORT,
        certificate: info.certificate?,
    })
}

/// Probe every published endpoint with its published security, the MX hosts on port 25,
/// and then, with another security, the published endpoints that answered but failed.
async fn probe(engine: &Engine, facts: &mut Facts, deadline: Instant) {
    let mut endpoints: Vec<Endpoint> = Vec::new();
    for p in &facts.published {
        if !endpoints.contains(&p.endpoint) {
            endpoints.push(p.endpoint.clone());
        }
    }
    let mx_targets: Vec<Target> = match &facts.mx {
        MxFacts::Records(records) => records
            .iter()
            .filter(|r| r.resolves)
            .map(|r| Target {
                host: r.host.clone(),
                port: 25,
                protocol: Protocol::Smtp,
                security: None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let targets: Vec<Target> = endpoints.iter().map(target).collect();
    let (reports, mx_reports) = tokio::join!(
        engine.prober.probe_all(&targets, deadline),
        engine.prober.probe_all(&mx_targets, deadline),
    );
    facts.probes = endpoints
        .into_iter()
        .zip(reports)
        .map(|(endpoint, report)| Probed { endpoint, report })
        .collect();
    facts.mx_probes = mx_reports;

    let retries: Vec<Endpoint> = facts
        .probes
        .iter()
        .filter(|p| answered_but_failed(&p.report))
        .flat_map(|p| {
            others(p.endpoint.security)
                .iter()
                .map(|&security| Endpoint {
                    security,
                    ..p.endpoint.clone()
                })
        })
        .collect();
    let targets: Vec<Target> = retries.iter().map(target).collect();
    let reports = engine.prober.probe_all(&targets, deadline).await;
    facts.retries = retries
        .into_iter()
        .zip(reports)
        .map(|(endpoint, report)| Probed { endpoint, report })
        .collect();
}

fn target(endpoint: &Endpoint) -> Target {
    Target {
        host: endpoint.host.clone(),
        port: endpoint.port,
        protocol: endpoint.protocol,
        security: Some(endpoint.security),
    }
}

/// Something listened, but the dialogue with the published security failed.
fn answered_but_failed(report: &EndpointReport) -> bool {
    !report.is_ok()
        && report.outcome != Outcome::NotTried
        && !matches!(report.stage, Some(Stage::Resolve | Stage::Connect) | None)
}

/// The securities to try when `published` failed: the other encrypted one, and for
/// STARTTLS plain text too (a server without TLS at all).
fn others(published: Security) -> &'static [Security] {
    match published {
        Security::Tls => &[Security::Starttls],
        Security::Starttls => &[Security::Tls, Security::Plain],
        Security::Plain => &[],
    }
}
