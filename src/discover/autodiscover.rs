//! Microsoft autodiscover (POX), asked without credentials.
//!
//! Asked together: `https://autodiscover.<domain>/autodiscover/autodiscover.xml`,
//! `https://<domain>/autodiscover/autodiscover.xml`, and the target of the SRV record
//! `_autodiscover._tcp.<domain>` (when it names another URL). Each is a POST of the request
//! body for the user's address, `Content-Type: text/xml`, and nothing else: no credentials,
//! ever. A 401 means the server wants them; that is reported, never retried with them.
//!
//! Answers that redirect:
//! - `redirectAddr`: asked again, once, at the same URL, for the new address, but only
//!   when its domain has the user's registrable domain (`mail.example.com` for
//!   `example.com`); another domain is reported and not followed.
//! - `redirectUrl`: followed to https URLs only, at most [`MAX_URL_REDIRECTS`] times.
//!
//! A target outside the user's registrable domain reached through SRV (unsigned DNS) is
//! marked `authenticated: false`; so is everything learnt after it.

use super::autoconfig::fetch_status;
use super::autodiscover_xml::{self, AutodiscoverError, AutodiscoverResponse, request_body};
use super::{SourceReport, SourceStatus, SourceWarning};
use crate::address::{EmailAddress, parse_email, within_registrable_domain};
use crate::dns::{Dns, DnsFailure, SrvRecord};
use crate::model::{Candidate, Source, SourceKind};
use crate::net::http::{FetchError, HttpClient};
use std::time::Instant;

/// The most `redirectUrl` answers followed from one starting URL.
pub const MAX_URL_REDIRECTS: usize = 2;

const CREDENTIALS: &str = "server asks for credentials; mailcfg never sends them";

/// The two URLs asked for every domain.
pub fn urls(domain: &str) -> [String; 2] {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    [
        format!("https://autodiscover.{domain}/autodiscover/autodiscover.xml"),
        format!("https://{domain}/autodiscover/autodiscover.xml"),
    ]
}

/// Ask every autodiscover location for `email`. One report per URL asked, plus one for
/// the SRV lookup when it names no further URL.
pub async fn fetch(http: &HttpClient, dns: &Dns, email: &EmailAddress) -> Vec<SourceReport> {
    let [first, second] = urls(&email.domain);
    if let Some(why) = super::autoconfig::public_suffix_refusal(&email.domain) {
        // Never `autodiscover.<tld>` (the leak Outlook's walk up the name had).
        return [first, second]
            .into_iter()
            .map(|url| {
                SourceReport::new(
                    SourceKind::Autodiscover,
                    url,
                    SourceStatus::Skipped(why.clone()),
                )
            })
            .collect();
    }
    let (a, b, from_srv) = tokio::join!(
        ask(http, email, &first, true, None),
        ask(http, email, &second, true, None),
        via_srv(http, dns, email, [&first, &second]),
    );
    let mut reports = vec![a, b];
    reports.extend(from_srv);
    reports
}

async fn via_srv(
    http: &HttpClient,
    dns: &Dns,
    email: &EmailAddress,
    asked: [&String; 2],
) -> Option<SourceReport> {
    let name = format!("_autodiscover._tcp.{}", email.domain);
    let started = Instant::now();
    let not_found = |why: &str| {
        Some(
            SourceReport::new(
                SourceKind::Autodiscover,
                &name,
                SourceStatus::NotFound(why.to_string()),
            )
            .with_elapsed(started.elapsed()),
        )
    };
    let records = match dns.srv(&name).await {
        Ok(records) => records,
        Err(DnsFailure::NoSuchName) => return not_found("no SRV record (NXDOMAIN)"),
        Err(e) => {
            return Some(
                SourceReport::new(
                    SourceKind::Autodiscover,
                    &name,
                    SourceStatus::Failed(e.to_string()),
                )
                .with_elapsed(started.elapsed()),
            );
        }
    };
    if super::srv::not_offered(&records) {
        return not_found("the domain says autodiscover is not offered (target \".\")");
    }
    let Some(target) = srv_target(records, &email.domain) else {
        return not_found("no SRV record");
    };
    if asked.iter().any(|url| **url == target.url) {
        return None;
    }
    Some(ask(http, email, &target.url, target.authenticated, Some(&name)).await)
}

/// Where an SRV answer points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SrvTarget {
    pub url: String,
    /// The target is inside the user's registrable domain.
    pub authenticated: bool,
}

/// The best usable SRV record as an autodiscover URL.
pub(crate) fn srv_target(records: Vec<SrvRecord>, domain: &str) -> Option<SrvTarget> {
    let best = super::srv::order(records)
        .into_iter()
        .find(|r| !r.target.is_empty() && r.port != 0)?;
    let url = match best.port {
        443 => format!("https://{}/autodiscover/autodiscover.xml", best.target),
        port => format!(
            "https://{}:{port}/autodiscover/autodiscover.xml",
            best.target
        ),
    };
    Some(SrvTarget {
        url,
        authenticated: within_registrable_domain(&best.target, domain),
    })
}

/// `a` and `b` share a registrable domain (by the Public Suffix List). A public suffix
/// itself has none, and matches nothing.
/// Ask one URL, following autodiscover's own redirects; one report.
async fn ask(
    http: &HttpClient,
    email: &EmailAddress,
    url: &str,
    authenticated: bool,
    via_srv: Option<&str>,
) -> SourceReport {
    let started = Instant::now();
    let report = match walk(http, email, url, authenticated, via_srv).await {
        Ok(candidates) => SourceReport::found(SourceKind::Autodiscover, url, candidates),
        Err(Ended { status, warning }) => SourceReport {
            warning,
            ..SourceReport::new(SourceKind::Autodiscover, url, status)
        },
    };
    report.with_elapsed(started.elapsed())
}

async fn walk(
    http: &HttpClient,
    email: &EmailAddress,
    url: &str,
    authenticated: bool,
    via_srv: Option<&str>,
) -> Result<Vec<Candidate>, Ended> {
    let mut address = email.clone();
    let mut target = url.to_string();
    let mut url_hops = 0;
    loop {
        let response = match http.post_xml(&target, request_body(&address.ascii())).await {
            Ok(response) => response,
            Err(FetchError::Http(401)) => {
                return Err(Ended::from(SourceStatus::NotFound(CREDENTIALS.into())));
            }
            Err(error) => {
                return Err(Ended {
                    status: fetch_status(&error, ""),
                    warning: SourceWarning::from_fetch(&error),
                });
            }
        };
        let answer = match autodiscover_xml::parse(&response.body) {
            Ok(answer) => answer,
            Err(error) if response.is_html() => {
                let _ = error;
                return Err(Ended::from(SourceStatus::NotFound(format!(
                    "not an autodiscover response: the server answered with a web page ({})",
                    response.content_type.as_deref().unwrap_or("text/html")
                ))));
            }
            Err(error @ AutodiscoverError::NotAutodiscover(_)) => {
                return Err(Ended::from(SourceStatus::NotFound(error.to_string())));
            }
            Err(AutodiscoverError::Xml(error)) => {
                return Err(Ended::from(SourceStatus::Failed(format!(
                    "not an autodiscover response: {error}"
                ))));
            }
            Err(error) => return Err(Ended::from(SourceStatus::Failed(error.to_string()))),
        };
        match answer {
            AutodiscoverResponse::Settings(mut servers) => {
                let mut detail = response.final_url.clone();
                if address != *email {
                    // Outlook's default login is the address asked about: the new one.
                    for server in &mut servers {
                        server.login_name.get_or_insert_with(|| address.ascii());
                    }
                    detail.push_str(&format!(" (for {})", address.ascii()));
                }
                if let Some(name) = via_srv {
                    detail.push_str(&format!(" (from SRV {name})"));
                }
                let source = Source {
                    kind: SourceKind::Autodiscover,
                    detail,
                    authenticated,
                };
                return Ok(autodiscover_xml::candidates(
                    &servers,
                    &email.local_part,
                    &email.domain,
                    &source,
                ));
            }
            AutodiscoverResponse::Error { code, message } => {
                let mut why = "the server answered with an autodiscover error".to_string();
                if let Some(code) = code {
                    why.push_str(&format!(" {code}"));
                }
                if let Some(message) = message {
                    why.push_str(&format!(": {message}"));
                }
                return Err(Ended::from(SourceStatus::NotFound(why)));
            }
            AutodiscoverResponse::RedirectAddr(new) => {
                if address != *email {
                    return Err(Ended::from(SourceStatus::Failed(format!(
                        "the server redirected to another address a second time ({new}); not followed"
                    ))));
                }
                let new_address = parse_email(&new).map_err(|e| {
                    SourceStatus::Failed(format!("the server redirected to a bad address: {e}"))
                })?;
                if new_address == address {
                    return Err(Ended::from(SourceStatus::NotFound(
                        "the server redirected to the address asked about".into(),
                    )));
                }
                if !within_registrable_domain(&new_address.domain, &email.domain) {
                    return Err(Ended::from(SourceStatus::NotFound(format!(
                        "the server redirects to {}, outside {}; not followed",
                        new_address.ascii(),
                        psl::domain_str(&email.domain).unwrap_or(&email.domain)
                    ))));
                }
                address = new_address;
            }
            AutodiscoverResponse::RedirectUrl(next) => {
                if url_hops >= MAX_URL_REDIRECTS {
                    return Err(Ended::from(SourceStatus::Failed(format!(
                        "more than {MAX_URL_REDIRECTS} autodiscover redirects; {next} not followed"
                    ))));
                }
                if is_plain_http_url(&next) {
                    return Err(Ended {
                        status: SourceStatus::Failed(
                            "the server redirects to plain http; not followed (settings are only taken over https)".into(),
                        ),
                        warning: Some(SourceWarning::DowngradeRefused { url: target }),
                    });
                }
                if !is_https_url(&next) {
                    return Err(Ended::from(SourceStatus::Failed(format!(
                        "the server redirects to {next}, which is not an https URL; not followed"
                    ))));
                }
                url_hops += 1;
                target = next;
            }
        }
    }
}

fn is_https_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some())
}

fn is_plain_http_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| u.scheme() == "http")
}

/// Why a walk ended without settings: the report's status, and what was refused on the way.
#[derive(Debug)]
struct Ended {
    status: SourceStatus,
    warning: Option<SourceWarning>,
}

impl From<SourceStatus> for Ended {
    fn from(status: SourceStatus) -> Ended {
        Ended {
            status,
            warning: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Protocol, Security, UsernameForm};
    use crate::net::test_server::*;
    use std::time::Duration;

    const STEP: Duration = Duration::from_millis(1500);

    fn settings(login: Option<&str>) -> String {
        let login = login
            .map(|l| format!("<LoginName>{l}</LoginName>"))
            .unwrap_or_default();
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
             <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
             <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\
             <Account><AccountType>email</AccountType><Action>settings</Action>\
             <Protocol><Type>IMAP</Type><Server>mail.example.com</Server><Port>993</Port><SSL>on</SSL>{login}</Protocol>\
             <Protocol><Type>SMTP</Type><Server>mail.example.com</Server><Port>587</Port><Encryption>TLS</Encryption>{login}</Protocol>\
             </Account></Response></Autodiscover>"
        )
    }

    fn redirect(action: &str, element: &str, value: &str) -> String {
        format!(
            "<Autodiscover><Response><Account><Action>{action}</Action>\
             <{element}>{value}</{element}></Account></Response></Autodiscover>"
        )
    }

    fn taro() -> EmailAddress {
        parse_email("taro@example.com").unwrap()
    }

    fn srv(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord::new(priority, weight, port, target)
    }

    #[test]
    fn urls_and_srv_targets() {
        assert_eq!(
            urls("Example.COM."),
            [
                "https://autodiscover.example.com/autodiscover/autodiscover.xml",
                "https://example.com/autodiscover/autodiscover.xml",
            ]
        );
        assert_eq!(
            srv_target(
                vec![
                    srv(10, 0, 443, "backup.example.com"),
                    srv(0, 5, 443, "mail.example.com"),
                ],
                "example.com"
            ),
            Some(SrvTarget {
                url: "https://mail.example.com/autodiscover/autodiscover.xml".into(),
                authenticated: true,
            })
        );
        assert_eq!(
            srv_target(
                vec![srv(0, 0, 8443, "autodiscover.hoster.example.net")],
                "example.com"
            ),
            Some(SrvTarget {
                url: "https://autodiscover.hoster.example.net:8443/autodiscover/autodiscover.xml"
                    .into(),
                authenticated: false,
            })
        );
        assert_eq!(srv_target(vec![srv(0, 0, 443, "")], "example.com"), None);
        assert_eq!(srv_target(vec![], "example.com"), None);
    }

    #[test]
    fn registrable_domains() {
        assert!(within_registrable_domain(
            "mail.example.co.jp",
            "Example.CO.JP."
        ));
        assert!(within_registrable_domain("a.b.example.com", "example.com"));
        assert!(!within_registrable_domain("example.co.jp", "other.co.jp"));
        assert!(!within_registrable_domain("co.jp", "example.co.jp"));
        assert!(!within_registrable_domain("co.jp", "co.jp"));
        assert!(!within_registrable_domain(
            "example.com.evil.example",
            "example.com"
        ));
    }

    #[tokio::test]
    async fn posts_the_address_without_credentials_and_reads_settings() {
        let trust = Trust::new();
        let server = trust.https(Routes::new().otherwise(Response::xml(settings(None))));
        let http = trust.client(STEP);
        let url = server.https_url("/autodiscover/autodiscover.xml");
        let report = ask(&http, &taro(), &url, true, None).await;
        assert_eq!(report.kind, SourceKind::Autodiscover);
        assert_eq!(report.query, url);
        assert_eq!(report.status, SourceStatus::Found);
        assert_eq!(report.candidates.len(), 2);
        let imap = &report.candidates[0];
        assert_eq!(imap.endpoint.protocol, Protocol::Imap);
        assert_eq!(imap.endpoint.security, Security::Tls);
        assert_eq!(imap.username, UsernameForm::EmailAddress);
        assert_eq!(
            imap.sources,
            [Source {
                kind: SourceKind::Autodiscover,
                detail: url.clone(),
                authenticated: true
            }]
        );
        assert_eq!(report.candidates[1].endpoint.security, Security::Starttls);

        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/autodiscover/autodiscover.xml");
        assert!(
            request
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/xml")),
            "{:?}",
            request.header("content-type")
        );
        let body = String::from_utf8(request.body.clone()).unwrap();
        assert!(
            body.contains("<EMailAddress>taro@example.com</EMailAddress>"),
            "{body}"
        );
        assert!(!server.saw_credentials());
        assert_eq!(request.header("cookie"), None);
    }

    #[tokio::test]
    async fn a_401_is_reported_and_never_retried() {
        let trust = Trust::new();
        let server = trust.https(
            Routes::new().otherwise(
                Response::status(401)
                    .header("WWW-Authenticate", "Basic realm=\"x\"")
                    .header("WWW-Authenticate", "Negotiate"),
            ),
        );
        let http = trust.client(STEP);
        let report = ask(&http, &taro(), &server.https_url("/a"), true, None).await;
        assert_eq!(report.status, SourceStatus::NotFound(CREDENTIALS.into()));
        assert_eq!(server.requests().len(), 1);
        assert!(!server.saw_credentials());
    }

    #[tokio::test]
    async fn redirect_addresses_within_the_registrable_domain_only() {
        let trust = Trust::new();
        let asking = |address: &str| format!("<EMailAddress>{address}</EMailAddress>");
        let redirect_to =
            |address: &str| Response::xml(redirect("redirectAddr", "RedirectAddr", address));
        let server = trust.https(
            Routes::new()
                .route_if_body(
                    "*",
                    "/inside",
                    &asking("taro@example.com"),
                    redirect_to("taro.yamada@mail.example.com"),
                )
                .route_if_body(
                    "*",
                    "/outside",
                    &asking("taro@example.com"),
                    redirect_to("taro@example.net"),
                )
                .route_if_body(
                    "*",
                    "/same",
                    &asking("taro@example.com"),
                    redirect_to("taro@example.com"),
                )
                .route_if_body(
                    "*",
                    "/inside",
                    &asking("taro.yamada@mail.example.com"),
                    Response::xml(settings(None)),
                )
                .otherwise(Response::status(500)),
        );
        let http = trust.client(STEP);
        let asked = || server.requests().len();

        let report = ask(&http, &taro(), &server.https_url("/inside"), true, None).await;
        assert_eq!(report.status, SourceStatus::Found, "{report:?}");
        // The login is the address the server redirected to.
        assert_eq!(
            report.candidates[0].username,
            UsernameForm::Template("taro.yamada@mail.example.com".into())
        );
        assert_eq!(
            report.candidates[0].sources[0].detail,
            format!(
                "{} (for taro.yamada@mail.example.com)",
                server.https_url("/inside")
            )
        );
        assert_eq!(asked(), 2);

        server.clear_requests();
        let report = ask(&http, &taro(), &server.https_url("/outside"), true, None).await;
        assert_eq!(
            report.status,
            SourceStatus::NotFound(
                "the server redirects to taro@example.net, outside example.com; not followed"
                    .into()
            )
        );
        assert_eq!(asked(), 1);

        let report = ask(&http, &taro(), &server.https_url("/same"), true, None).await;
        assert!(matches!(report.status, SourceStatus::NotFound(_)));
    }

    #[tokio::test]
    async fn redirect_urls_https_only_and_bounded() {
        let trust = Trust::new();
        let plain =
            HttpServer::loopback_http(Routes::new().otherwise(Response::xml(settings(None))));
        let plain_url = plain.http_url("/autodiscover/autodiscover.xml");
        let server = trust.https(Routes::new());
        let here = |path: &str| server.https_url(path);
        let redirect_url = |to: &str| Response::xml(redirect("redirectUrl", "RedirectUrl", to));
        server.add_route("*", "/hop1", redirect_url(&here("/hop2")));
        server.add_route("*", "/hop2", redirect_url(&here("/final")));
        server.add_route(
            "*",
            "/final",
            Response::xml(settings(Some("EXAMPLE\\taro"))),
        );
        server.add_route("*", "/plain", redirect_url(&plain_url));
        server.add_route("*", "/ftp", redirect_url("ftp://localhost/x"));
        server.add_route("*", "/forever", redirect_url(&here("/forever")));
        let http = trust.client(STEP);

        let report = ask(
            &http,
            &taro(),
            &here("/hop1"),
            false,
            Some("_autodiscover._tcp.example.com"),
        )
        .await;
        assert_eq!(report.status, SourceStatus::Found, "{report:?}");
        assert_eq!(report.query, here("/hop1"));
        let source = &report.candidates[0].sources[0];
        assert_eq!(
            source.detail,
            format!(
                "{} (from SRV _autodiscover._tcp.example.com)",
                here("/final")
            )
        );
        // Unauthenticated at the start, unauthenticated after.
        assert!(!source.authenticated);
        assert_eq!(
            report.candidates[0].username,
            UsernameForm::Template("EXAMPLE\\taro".into())
        );

        // To plain http: a downgrade, refused and said, its target neither asked nor named.
        let report = ask(&http, &taro(), &here("/plain"), true, None).await;
        assert!(
            matches!(&report.status, SourceStatus::Failed(m) if m.contains("plain http") && !m.contains(&plain_url)),
            "{:?}",
            report.status
        );
        assert_eq!(
            report.warning,
            Some(SourceWarning::DowngradeRefused {
                url: here("/plain")
            })
        );
        assert!(plain.requests().is_empty());

        // Anything else that is not https is refused too, but is no downgrade.
        let report = ask(&http, &taro(), &here("/ftp"), true, None).await;
        assert!(
            matches!(&report.status, SourceStatus::Failed(m) if m.contains("not an https URL")),
            "{:?}",
            report.status
        );
        assert_eq!(report.warning, None);

        let before = server.requests().len();
        let report = ask(&http, &taro(), &here("/forever"), true, None).await;
        assert!(
            matches!(&report.status, SourceStatus::Failed(m) if m.starts_with("more than 2 autodiscover redirects")),
            "{:?}",
            report.status
        );
        assert_eq!(server.requests().len() - before, 3);
    }

    #[tokio::test]
    async fn an_http_redirect_to_plain_http_is_refused_and_said() {
        let trust = Trust::new();
        let target =
            HttpServer::loopback_http(Routes::new().otherwise(Response::xml(settings(None))));
        let server = trust.https(Routes::new().otherwise(Response::redirect(
            307,
            &target.http_url("/autodiscover/autodiscover.xml"),
        )));
        let url = server.https_url("/autodiscover/autodiscover.xml");
        let report = ask(&trust.client(STEP), &taro(), &url, true, None).await;
        assert_eq!(
            report.warning,
            Some(SourceWarning::DowngradeRefused { url: url.clone() })
        );
        assert!(matches!(report.status, SourceStatus::Failed(_)));
        assert!(report.candidates.is_empty());
        assert!(target.requests().is_empty());
    }

    #[tokio::test]
    async fn errors_and_other_documents() {
        let trust = Trust::new();
        let server = trust.https(
            Routes::new()
                .route(
                    "*",
                    "/error",
                    Response::xml(
                        "<Autodiscover><Response><Error><ErrorCode>600</ErrorCode>\
                         <Message>Invalid Request</Message></Error></Response></Autodiscover>",
                    ),
                )
                .route(
                    "*",
                    "/page",
                    Response::ok("text/html", "<!DOCTYPE html><html></html>"),
                )
                .route("*", "/broken", Response::xml("<Autodiscover><Response>")),
        );
        let http = trust.client(STEP);
        let status = |path: &'static str| {
            let (http, url) = (http.clone(), server.https_url(path));
            async move { ask(&http, &taro(), &url, true, None).await.status }
        };
        assert_eq!(
            status("/error").await,
            SourceStatus::NotFound(
                "the server answered with an autodiscover error 600: Invalid Request".into()
            )
        );
        assert_eq!(
            status("/page").await,
            SourceStatus::NotFound(
                "not an autodiscover response: the server answered with a web page (text/html)"
                    .into()
            )
        );
        assert!(
            matches!(status("/broken").await, SourceStatus::Failed(m) if m.starts_with("not an autodiscover response: not well-formed XML"))
        );
        assert_eq!(
            status("/missing").await,
            SourceStatus::NotFound("HTTP 404".into())
        );
    }
}
