//! Thunderbird autoconfig published by a domain: `autoconfig.<domain>` and the domain's
//! `.well-known` path, over https, with plain http as a last, lower-trust resort.
//!
//! The three URLs are asked at once, as Thunderbird does, and taken in a fixed order of
//! preference: `https://autoconfig.<domain>/…`, `https://<domain>/.well-known/…`, then
//! `http://autoconfig.<domain>/…`. The answer is the first URL in that order that gives a
//! `clientConfig` document, and it is taken as soon as every URL before it has ended without
//! one: a document over https wins even when plain http answered first, and once both https
//! URLs have failed the plain http answer (already there, or still coming) is used without
//! a second wait. What the URLs after the winner say is not used, whenever it arrived: their
//! reports say "not needed", so the same servers always give the same reports. What plain
//! http gives travels unauthenticated (`Source::authenticated == false`) and its report says
//! "plain http". Placeholders always expand with the user's address, whichever domain was
//! asked.
//!
//! An https URL that redirects to plain http is refused, and its report carries
//! [`SourceWarning::DowngradeRefused`]; the redirect's target is neither fetched nor named.
//!
//! The document's `<domain>` list is not checked: Thunderbird does not require the asked
//! domain to appear there (hosting providers serve one file for many customer domains).

use super::autoconfig_xml::{self, AutoconfigError};
use super::{SourceReport, SourceStatus, SourceWarning};
use crate::address::EmailAddress;
use crate::model::{Source, SourceKind};
use crate::net::http::{FetchError, HttpClient, HttpResponse};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::time::Instant;

/// The URLs asked for one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// `https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=…` and
    /// `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`, in that order of
    /// preference.
    pub https: [String; 2],
    /// `http://autoconfig.<domain>/mail/config-v1.1.xml`, used only when both https URLs
    /// gave nothing. It carries no address: whoever reads plain http learns only the domain.
    pub http: String,
}

impl Urls {
    /// Every URL, in the order of preference (which is also the order of the reports).
    fn in_order(&self) -> [&str; 3] {
        [&self.https[0], &self.https[1], &self.http]
    }
}

/// The URLs for asking `domain` about `email`.
pub fn urls(email: &EmailAddress, domain: &str) -> Urls {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    Urls {
        https: [
            format!(
                "https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={}",
                percent_encode(&email.ascii())
            ),
            format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"),
        ],
        http: format!("http://autoconfig.{domain}/mail/config-v1.1.xml"),
    }
}

/// Ask `domain` (the address's own domain, or a provider's domain found through MX when
/// `via` is [`SourceKind::Mx`]) for its autoconfig document. One report per URL, in the
/// order of [`Urls`], whatever order the answers came in.
pub async fn fetch(
    http: &HttpClient,
    email: &EmailAddress,
    domain: &str,
    via: SourceKind,
) -> Vec<SourceReport> {
    let urls = urls(email, domain);
    if let Some(why) = public_suffix_refusal(domain) {
        // Never `autoconfig.co.jp`: whoever runs a public suffix's names does not speak
        // for the domains registered under it.
        return urls
            .in_order()
            .iter()
            .map(|url| SourceReport::new(via, *url, SourceStatus::Skipped(why.clone())))
            .collect();
    }
    fetch_urls(http, email, &urls, via).await
}

/// Why a domain is not asked for its configuration: it is a public suffix (`co.jp`,
/// `東京.jp`, `com`), which has no registrable domain, so no document published under it
/// can speak for an address. None for an ordinary domain.
pub(crate) fn public_suffix_refusal(domain: &str) -> Option<String> {
    if crate::address::registrable_domain(domain).is_some() {
        return None;
    }
    Some(format!(
        "{} is a public suffix, not a registrable domain; it is never asked",
        crate::address::display_domain(domain.trim_end_matches('.'))
    ))
}

pub(crate) async fn fetch_urls(
    http: &HttpClient,
    email: &EmailAddress,
    urls: &Urls,
    via: SourceKind,
) -> Vec<SourceReport> {
    let order = urls.in_order();
    let mut answers: Vec<Option<Answer>> = vec![None; order.len()];
    // Every URL at once; each fetch is bounded by the client's own time limit.
    let mut running: FuturesUnordered<_> = order
        .iter()
        .enumerate()
        .map(|(at, url)| async move { (at, fetch_one(http, email, url, via).await) })
        .collect();
    let mut decision = Decision::Waiting;
    while decision == Decision::Waiting {
        let Some((at, answer)) = running.next().await else {
            break;
        };
        answers[at] = Some(answer);
        decision = decide(&answers);
    }
    // What is still running is not needed: dropping it closes its connections.
    drop(running);
    reports(&order, answers, decision, via)
}

/// One URL's report, and whether it gave a `clientConfig` document.
#[derive(Debug, Clone)]
struct Answer {
    report: SourceReport,
    document: bool,
}

/// Where the URLs, taken in order, stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// A URL that could still give the answer has not ended.
    Waiting,
    /// The URL at this position gave the answer; the ones after it are not needed.
    Winner(usize),
    /// Every URL ended without a document.
    Nothing,
}

/// The first URL in order with a document wins once every URL before it has ended.
fn decide(answers: &[Option<Answer>]) -> Decision {
    for (at, answer) in answers.iter().enumerate() {
        match answer {
            None => return Decision::Waiting,
            Some(answer) if answer.document => return Decision::Winner(at),
            Some(_) => {}
        }
    }
    Decision::Nothing
}

/// One report per URL, in order: what each URL up to the winner said; "not needed" for the
/// ones after it, whether or not they had answered.
fn reports(
    order: &[&str],
    answers: Vec<Option<Answer>>,
    decision: Decision,
    via: SourceKind,
) -> Vec<SourceReport> {
    let winner = match decision {
        Decision::Winner(at) => Some(at),
        Decision::Waiting | Decision::Nothing => None,
    };
    answers
        .into_iter()
        .zip(order)
        .enumerate()
        .map(|(at, (answer, url))| match (answer, winner) {
            (Some(answer), None) => answer.report,
            (Some(answer), Some(w)) if at <= w => answer.report,
            (_, Some(w)) => SourceReport::new(
                via,
                *url,
                SourceStatus::Skipped(format!(
                    "not needed: {} answered with an autoconfig document",
                    order[w]
                )),
            ),
            // Not reached: without a winner every URL was waited for, and each fetch ends
            // within the client's time limit.
            (None, None) => SourceReport::new(via, *url, SourceStatus::Failed("no answer".into())),
        })
        .collect()
}

/// Ask one URL.
async fn fetch_one(http: &HttpClient, email: &EmailAddress, url: &str, via: SourceKind) -> Answer {
    let started = Instant::now();
    let https = url.starts_with("https://");
    let result = http.get(url).await;
    let source = Source {
        kind: via,
        detail: url.to_string(),
        // Reached through the MX record, the domain itself came over unauthenticated DNS:
        // whoever forges the MX chooses the web server, and https only proves that server
        // is who it says. Only the user's own domain over https is trusted.
        authenticated: https && via != SourceKind::Mx,
    };
    let prefix = if https { "" } else { "plain http: " };
    let (report, document) = read_answer(result, email, url, source, prefix);
    Answer {
        report: report.with_elapsed(started.elapsed()),
        document,
    }
}

/// Turn an HTTP answer that should be an autoconfig document into a report (without its
/// elapsed time), and say whether it was a `clientConfig` document. `source` goes on every
/// candidate (its detail gains the final URL when there were redirects); its kind is the
/// report's kind. `prefix` starts every status message ("plain http: ").
pub(crate) fn read_answer(
    result: Result<HttpResponse, FetchError>,
    email: &EmailAddress,
    query: &str,
    mut source: Source,
    prefix: &str,
) -> (SourceReport, bool) {
    let kind = source.kind;
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            let report = SourceReport {
                warning: SourceWarning::from_fetch(&error),
                ..SourceReport::new(kind, query, fetch_status(&error, prefix))
            };
            return (report, false);
        }
    };
    match autoconfig_xml::parse(&response.body) {
        Ok(config) => {
            if !response.redirects.is_empty() {
                source.detail = format!("{} (redirected to {})", source.detail, response.final_url);
            }
            let candidates = config.candidates(&email.local_part, &email.domain, &source);
            let mut report = SourceReport::found(kind, query, candidates);
            if let SourceStatus::NotFound(why) = &report.status {
                report.status = SourceStatus::NotFound(format!("{prefix}{why}"));
            }
            (report, true)
        }
        Err(error) => {
            let status = match (&error, response.is_html()) {
                (_, true) => SourceStatus::NotFound(format!(
                    "{prefix}not a Thunderbird autoconfig document: the server answered with a web page ({})",
                    response.content_type.as_deref().unwrap_or("text/html")
                )),
                // Typically a catch-all web server's page that happens to be XML.
                (AutoconfigError::NotClientConfig(_), false) => {
                    SourceStatus::NotFound(format!("{prefix}{error}"))
                }
                (AutoconfigError::Xml(xml), false) => SourceStatus::Failed(format!(
                    "{prefix}not a Thunderbird autoconfig document: {xml}"
                )),
            };
            (SourceReport::new(kind, query, status), false)
        }
    }
}

/// The status for a fetch that gave no document.
pub(crate) fn fetch_status(error: &FetchError, prefix: &str) -> SourceStatus {
    match error {
        FetchError::NotFound(why) => SourceStatus::NotFound(format!("{prefix}{why}")),
        other => SourceStatus::Failed(format!("{prefix}{other}")),
    }
}

/// Percent-encode everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_email;
    use crate::model::{Protocol, UsernameForm};
    use crate::net::test_server::*;
    use std::time::Duration;

    const STEP: Duration = Duration::from_millis(1500);

    const CONFIG: &str = r#"<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="example.net">
    <domain>example.net</domain>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.net</hostname><port>465</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    fn taro() -> EmailAddress {
        parse_email("taro+x@Example.JP").unwrap()
    }

    #[test]
    fn promise_4_public_suffixes_are_never_asked_registrable_domains_are() {
        // The Public Suffix List decides: two-label suffixes (co.jp, ne.jp) and the
        // prefecture suffix 東京.jp (xn--1lqs71d.jp) are suffixes, whatever their length.
        for suffix in ["co.jp", "ne.jp", "xn--1lqs71d.jp", "jp", "com", "co.uk"] {
            let why = public_suffix_refusal(suffix).unwrap_or_default();
            assert!(why.contains("public suffix"), "{suffix}: {why:?}");
        }
        assert!(public_suffix_refusal("xn--1lqs71d.jp").is_some_and(|w| w.contains("東京.jp")));
        for domain in [
            "example.co.jp",
            "shop.example.co.jp",
            "example.ne.jp",
            "city.xn--1lqs71d.jp",
            "example.com.",
        ] {
            assert_eq!(public_suffix_refusal(domain), None, "{domain}");
        }
    }

    #[test]
    fn urls_for_a_domain() {
        let got = urls(&taro(), "Provider.Example.NET.");
        assert_eq!(
            got.https,
            [
                "https://autoconfig.provider.example.net/mail/config-v1.1.xml?emailaddress=taro%2Bx%40example.jp",
                "https://provider.example.net/.well-known/autoconfig/mail/config-v1.1.xml",
            ]
        );
        assert_eq!(
            got.http,
            "http://autoconfig.provider.example.net/mail/config-v1.1.xml"
        );
        assert_eq!(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn fetch_errors_become_statuses() {
        assert_eq!(
            fetch_status(&FetchError::NotFound("HTTP 404".into()), ""),
            SourceStatus::NotFound("HTTP 404".into())
        );
        assert_eq!(
            fetch_status(&FetchError::Timeout, "plain http: "),
            SourceStatus::Failed("plain http: no answer in time".into())
        );
        assert_eq!(
            fetch_status(&FetchError::Tls("certificate is for a, not b".into()), ""),
            SourceStatus::Failed("certificate is for a, not b".into())
        );
    }

    fn not_needed(winner: &str) -> SourceStatus {
        SourceStatus::Skipped(format!(
            "not needed: {winner} answered with an autoconfig document"
        ))
    }

    fn answered(document: bool) -> Option<Answer> {
        Some(Answer {
            report: SourceReport::new(SourceKind::Autoconfig, "u", SourceStatus::Found),
            document,
        })
    }

    #[test]
    fn the_first_url_in_order_with_a_document_wins_once_those_before_it_ended() {
        assert_eq!(decide(&[None, None, None]), Decision::Waiting);
        // https answered first with nothing; plain http's document waits for the other https.
        assert_eq!(
            decide(&[answered(false), None, answered(true)]),
            Decision::Waiting
        );
        assert_eq!(
            decide(&[answered(false), answered(false), answered(true)]),
            Decision::Winner(2)
        );
        // The preferred URL wins at once, whatever is still running after it.
        assert_eq!(decide(&[answered(true), None, None]), Decision::Winner(0));
        assert_eq!(
            decide(&[None, answered(true), answered(true)]),
            Decision::Waiting
        );
        assert_eq!(
            decide(&[answered(false), answered(true), None]),
            Decision::Winner(1)
        );
        assert_eq!(
            decide(&[answered(false), answered(false), answered(false)]),
            Decision::Nothing
        );
    }

    /// The three URLs on two loopback servers: https paths `/a` and `/b`, plain http `/c`.
    fn loopback_urls(https: &HttpServer, plain: &HttpServer) -> Urls {
        Urls {
            https: [https.https_url("/a"), https.https_url("/b")],
            http: plain.http_url("/c"),
        }
    }

    #[tokio::test]
    async fn https_document_wins_and_placeholders_use_the_users_domain() {
        let trust = Trust::new();
        let server = trust.https(Routes::new().route(
            "*",
            "/mail/config-v1.1.xml?emailaddress=taro%2Bx%40example.jp",
            Response::xml(CONFIG),
        ));
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::xml(CONFIG)));
        let urls = Urls {
            https: [
                server.https_url("/mail/config-v1.1.xml?emailaddress=taro%2Bx%40example.jp"),
                server.https_url("/.well-known/autoconfig/mail/config-v1.1.xml"),
            ],
            http: plain.http_url("/mail/config-v1.1.xml"),
        };
        let http = trust.client(STEP);
        let reports = fetch_urls(&http, &taro(), &urls, SourceKind::Mx).await;
        assert_eq!(reports.len(), 3, "{reports:#?}");

        let found = &reports[0];
        assert_eq!(found.kind, SourceKind::Mx);
        assert_eq!(found.query, urls.https[0]);
        assert_eq!(found.status, SourceStatus::Found);
        assert!(found.elapsed_ms.is_some());
        assert_eq!(found.warning, None);
        let imap = &found.candidates[0];
        assert_eq!(imap.endpoint.protocol, Protocol::Imap);
        // %EMAILDOMAIN% is the user's domain, not the domain asked.
        assert_eq!(imap.endpoint.host, "imap.example.jp");
        assert_eq!(imap.username, UsernameForm::EmailAddress);
        assert_eq!(
            imap.sources,
            [Source {
                kind: SourceKind::Mx,
                detail: urls.https[0].clone(),
                // The MX domain was chosen by unauthenticated DNS.
                authenticated: false
            }]
        );
        assert_eq!(found.candidates[1].username, UsernameForm::LocalPart);

        // The preferred URL answered: the others are not needed, whatever they said.
        for (report, url) in reports[1..].iter().zip([&urls.https[1], &urls.http]) {
            assert_eq!(&report.query, url);
            assert_eq!(report.kind, SourceKind::Mx);
            assert_eq!(report.status, not_needed(&urls.https[0]));
            assert!(report.candidates.is_empty());
        }
    }

    #[tokio::test]
    async fn plain_http_is_used_when_both_https_urls_give_nothing() {
        let trust = Trust::new();
        let server = trust.https(
            Routes::new()
                .route(
                    "*",
                    "/page",
                    Response::ok(
                        "text/html; charset=utf-8",
                        "<html><body>hello</body></html>",
                    ),
                )
                .otherwise(Response::xml("<clientConfig><emailProvider>")),
        );
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::xml(CONFIG)));
        let urls = Urls {
            https: [server.https_url("/page"), server.https_url("/broken")],
            http: plain.http_url("/mail/config-v1.1.xml"),
        };
        let http = trust.client(STEP);
        let reports = fetch_urls(&http, &taro(), &urls, SourceKind::Autoconfig).await;
        assert_eq!(reports.len(), 3, "{reports:#?}");
        assert!(
            matches!(&reports[0].status, SourceStatus::NotFound(m)
                if m.starts_with("not a Thunderbird autoconfig document: the server answered with a web page")),
            "{:?}",
            reports[0].status
        );
        assert!(
            matches!(&reports[1].status, SourceStatus::Failed(m)
                if m.starts_with("not a Thunderbird autoconfig document: not well-formed XML")),
            "{:?}",
            reports[1].status
        );
        let fallback = &reports[2];
        assert_eq!(fallback.query, urls.http);
        assert_eq!(fallback.status, SourceStatus::Found);
        assert_eq!(fallback.kind, SourceKind::Autoconfig);
        assert!(
            fallback
                .candidates
                .iter()
                .all(|c| !c.sources[0].authenticated && c.sources[0].detail.starts_with("http://"))
        );
        assert_eq!(plain.requests().len(), 1);
    }

    #[tokio::test]
    async fn plain_http_is_asked_at_once_and_used_without_a_second_wait() {
        // https: a tarpit (accepts, never completes TLS) and a server that reads the request
        // and never answers, each given up after one step; plain http answers after a while
        // too. Asked one after the other this takes the step plus the http server's delay;
        // asked at once, the step alone.
        let trust = Trust::new();
        let step = Duration::from_millis(400);
        let tarpit = tarpit();
        let server = trust.https(Routes::new().otherwise(Response::hang()));
        let plain = HttpServer::loopback_http(
            Routes::new().otherwise(Response::xml(CONFIG).after(step * 2 / 3)),
        );
        let urls = Urls {
            https: [
                format!("https://localhost:{}/a", tarpit.addr().port()),
                server.https_url("/b"),
            ],
            http: plain.http_url("/c"),
        };
        let http = trust.client(step);
        let started = std::time::Instant::now();
        let reports = fetch_urls(&http, &taro(), &urls, SourceKind::Autoconfig).await;
        let elapsed = started.elapsed();
        assert_eq!(
            reports.iter().map(|r| &r.status).collect::<Vec<_>>(),
            [
                &SourceStatus::Failed("no answer in time".into()),
                &SourceStatus::Failed("no answer in time".into()),
                &SourceStatus::Found,
            ]
        );
        assert_eq!(reports[2].query, urls.http);
        // The tarpit was waited for (https wins whenever it answers), but only once.
        assert!(elapsed >= step, "{elapsed:?}");
        assert!(elapsed < step + step / 3, "{elapsed:?}");
        assert_eq!(tarpit.connections(), 1);
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn https_wins_even_when_plain_http_answered_first() {
        let trust = Trust::new();
        let late = Duration::from_millis(400);
        let server = trust.https(
            Routes::new()
                .route("*", "/a", Response::status(404).after(late))
                .route("*", "/b", Response::xml(CONFIG).after(late / 4)),
        );
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::xml(CONFIG)));
        let urls = loopback_urls(&server, &plain);
        let http = trust.client(STEP);
        let reports = fetch_urls(&http, &taro(), &urls, SourceKind::Autoconfig).await;
        // Plain http answered at once and the .well-known URL soon after, but the preferred
        // URL was waited for: only when it said 404 did the .well-known document win.
        assert_eq!(
            reports.iter().map(|r| &r.status).collect::<Vec<_>>(),
            [
                &SourceStatus::NotFound("HTTP 404".into()),
                &SourceStatus::Found,
                &not_needed(&urls.https[1]),
            ]
        );
        assert!(
            reports[1]
                .candidates
                .iter()
                .all(|c| c.sources[0].authenticated)
        );
        assert_eq!(plain.requests().len(), 1, "plain http is asked at once");
    }

    #[tokio::test]
    async fn the_reports_keep_their_order_whatever_the_timing() {
        let trust = Trust::new();
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::status(404)));
        // The same answers, arriving in opposite orders.
        for (a, b) in [(0, 300), (300, 0)] {
            let server = trust.https(
                Routes::new()
                    .route(
                        "*",
                        "/a",
                        Response::status(410).after(Duration::from_millis(a)),
                    )
                    .route(
                        "*",
                        "/b",
                        Response::status(404).after(Duration::from_millis(b)),
                    ),
            );
            let urls = loopback_urls(&server, &plain);
            let reports =
                fetch_urls(&trust.client(STEP), &taro(), &urls, SourceKind::Autoconfig).await;
            let seen: Vec<(&str, &SourceStatus)> = reports
                .iter()
                .map(|r| (r.query.as_str(), &r.status))
                .collect();
            assert_eq!(
                seen,
                [
                    (
                        urls.https[0].as_str(),
                        &SourceStatus::NotFound("HTTP 410".into())
                    ),
                    (
                        urls.https[1].as_str(),
                        &SourceStatus::NotFound("HTTP 404".into())
                    ),
                    (
                        urls.http.as_str(),
                        &SourceStatus::NotFound("plain http: HTTP 404".into())
                    ),
                ],
                "https answers {a} ms and {b} ms late"
            );
        }
    }

    #[tokio::test]
    async fn a_redirect_to_plain_http_is_refused_and_said() {
        let trust = Trust::new();
        // Where the redirect points: it must never be asked.
        let target = HttpServer::loopback_http(Routes::new().otherwise(Response::xml(CONFIG)));
        let server = trust.https(
            Routes::new()
                .route(
                    "*",
                    "/a",
                    Response::redirect(302, &target.http_url("/evil")),
                )
                .route("*", "/b", Response::status(404)),
        );
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::status(404)));
        let urls = loopback_urls(&server, &plain);
        let reports = fetch_urls(&trust.client(STEP), &taro(), &urls, SourceKind::Autoconfig).await;
        let refused = &reports[0];
        assert_eq!(
            refused.warning,
            Some(SourceWarning::DowngradeRefused {
                url: urls.https[0].clone()
            })
        );
        assert!(
            matches!(&refused.status, SourceStatus::Failed(m) if m.contains("plain http") && !m.contains("/evil")),
            "{:?}",
            refused.status
        );
        assert!(refused.candidates.is_empty());
        assert!(target.requests().is_empty(), "the redirect was followed");
        // Only the report of the URL that redirected carries the warning.
        assert_eq!(reports[1].warning, None);
        assert_eq!(reports[2].warning, None);
        assert!(
            reports.iter().all(|r| r.candidates.is_empty()),
            "{reports:#?}"
        );
    }

    #[tokio::test]
    async fn failures_say_why() {
        let trust = Trust::new();
        let wrong_name = HttpServer::loopback_https(
            trust.ca.issue(&["mail.example.org"], Validity::Current),
            Routes::new().otherwise(Response::xml(CONFIG)),
        );
        let server = trust.https(Routes::new().otherwise(Response::xml("<html><body/></html>")));
        let plain = HttpServer::loopback_http(Routes::new());
        let urls = Urls {
            https: [wrong_name.https_url("/x"), server.https_url("/y")],
            http: plain.http_url("/z"),
        };
        let http = trust.client(STEP);
        let reports = fetch_urls(&http, &taro(), &urls, SourceKind::Autoconfig).await;
        let statuses: Vec<&SourceStatus> = reports.iter().map(|r| &r.status).collect();
        assert_eq!(
            statuses,
            [
                &SourceStatus::Failed(
                    "certificate is for mail.example.org, not localhost".into()
                ),
                &SourceStatus::NotFound(
                    "not a Thunderbird autoconfig file: the root element is <html>, not <clientConfig>"
                        .into()
                ),
                &SourceStatus::NotFound("plain http: HTTP 404".into()),
            ]
        );
    }

    #[tokio::test]
    async fn a_document_without_usable_servers_stops_the_fallback() {
        let trust = Trust::new();
        let server = trust.https(Routes::new().route(
            "*",
            "/a",
            Response::xml("<clientConfig version=\"1.1\"/>"),
        ));
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::xml(CONFIG)));
        let urls = loopback_urls(&server, &plain);
        let reports = fetch_urls(&trust.client(STEP), &taro(), &urls, SourceKind::Autoconfig).await;
        assert_eq!(reports.len(), 3);
        assert_eq!(
            reports[0].status,
            SourceStatus::NotFound("no usable settings in the answer".into())
        );
        assert_eq!(reports[2].status, not_needed(&urls.https[0]));
        assert!(reports[2].candidates.is_empty());
    }
}
