//! Thunderbird autoconfig published by a domain: `autoconfig.<domain>` and the domain's
//! `.well-known` path, over https, with plain http as a last, lower-trust resort.
//!
//! The two https URLs are asked together. Only when neither gives a `clientConfig`
//! document (not found, an error, or some other document) is
//! `http://autoconfig.<domain>/mail/config-v1.1.xml` asked; what it gives travels
//! unauthenticated (`Source::authenticated == false`) and its report says "plain http".
//! Placeholders always expand with the user's address, whichever domain was asked.
//!
//! The document's `<domain>` list is not checked: Thunderbird does not require the asked
//! domain to appear there (hosting providers serve one file for many customer domains).

use super::autoconfig_xml::{self, AutoconfigError};
use super::{SourceReport, SourceStatus};
use crate::address::EmailAddress;
use crate::model::{Source, SourceKind};
use crate::net::http::{FetchError, HttpClient, HttpResponse};
use std::time::Instant;

/// The URLs asked for one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// `https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=…` and
    /// `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`, asked together.
    pub https: [String; 2],
    /// `http://autoconfig.<domain>/mail/config-v1.1.xml`, asked only when both https
    /// URLs gave nothing.
    pub http: String,
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
/// `via` is [`SourceKind::Mx`]) for its autoconfig document. One report per URL asked.
pub async fn fetch(
    http: &HttpClient,
    email: &EmailAddress,
    domain: &str,
    via: SourceKind,
) -> Vec<SourceReport> {
    fetch_urls(http, email, &urls(email, domain), via).await
}

pub(crate) async fn fetch_urls(
    http: &HttpClient,
    email: &EmailAddress,
    urls: &Urls,
    via: SourceKind,
) -> Vec<SourceReport> {
    let (first, second) = tokio::join!(
        fetch_one(http, email, &urls.https[0], via),
        fetch_one(http, email, &urls.https[1], via),
    );
    let fall_back = !first.1 && !second.1;
    let mut reports = vec![first.0, second.0];
    if fall_back {
        reports.push(fetch_one(http, email, &urls.http, via).await.0);
    }
    reports
}

/// One URL: its report, and whether it gave a `clientConfig` document.
async fn fetch_one(
    http: &HttpClient,
    email: &EmailAddress,
    url: &str,
    via: SourceKind,
) -> (SourceReport, bool) {
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
    (report.with_elapsed(started.elapsed()), document)
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
            return (
                SourceReport::new(kind, query, fetch_status(&error, prefix)),
                false,
            );
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

    #[tokio::test]
    async fn https_document_wins_and_placeholders_use_the_users_domain() {
        let ca = TestCa::new();
        let server = Server::https(ca.localhost(), |request| {
            if request
                .path
                .starts_with("/mail/config-v1.1.xml?emailaddress=")
            {
                Reply::xml(CONFIG)
            } else {
                Reply::status(404)
            }
        })
        .await;
        let plain = Server::http(|_| Reply::xml(CONFIG)).await;
        let urls = Urls {
            https: [
                server.url("/mail/config-v1.1.xml?emailaddress=taro%2Bx%40example.jp"),
                server.url("/.well-known/autoconfig/mail/config-v1.1.xml"),
            ],
            http: plain.url("/mail/config-v1.1.xml"),
        };
        let http = client(&ca.tls, STEP);
        let reports = fetch_urls(&http, &taro(), &urls, SourceKind::Mx).await;
        assert_eq!(reports.len(), 2, "{reports:#?}");
        assert!(plain.requests().is_empty(), "plain http was asked");

        let found = &reports[0];
        assert_eq!(found.kind, SourceKind::Mx);
        assert_eq!(found.query, urls.https[0]);
        assert_eq!(found.status, SourceStatus::Found);
        assert!(found.elapsed_ms.is_some());
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

        assert_eq!(reports[1].query, urls.https[1]);
        assert_eq!(reports[1].status, SourceStatus::NotFound("HTTP 404".into()));
        assert!(reports[1].candidates.is_empty());
    }

    #[tokio::test]
    async fn plain_http_only_when_both_https_urls_give_nothing() {
        let ca = TestCa::new();
        let server = Server::https(ca.localhost(), |request| match request.path.as_str() {
            "/page" => Reply::ok(
                "text/html; charset=utf-8",
                "<html><body>hello</body></html>",
            ),
            _ => Reply::xml("<clientConfig><emailProvider>"),
        })
        .await;
        let plain = Server::http(|_| Reply::xml(CONFIG)).await;
        let urls = Urls {
            https: [server.url("/page"), server.url("/broken")],
            http: plain.url("/mail/config-v1.1.xml"),
        };
        let http = client(&ca.tls, STEP);
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
    async fn failures_say_why() {
        let ca = TestCa::new();
        let wrong_name = Server::https(ca.leaf(&["mail.example.org"], false), |_| {
            Reply::xml(CONFIG)
        })
        .await;
        let server = Server::https(ca.localhost(), |_| Reply::xml("<html><body/></html>")).await;
        let plain = Server::http(|_| Reply::status(404)).await;
        let urls = Urls {
            https: [wrong_name.url("/x"), server.url("/y")],
            http: plain.url("/z"),
        };
        let http = client(&ca.tls, STEP);
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
        let ca = TestCa::new();
        let server = Server::https(ca.localhost(), |request| match request.path.as_str() {
            "/empty" => Reply::xml("<clientConfig version=\"1.1\"/>"),
            _ => Reply::status(404),
        })
        .await;
        let plain = Server::http(|_| Reply::xml(CONFIG)).await;
        let urls = Urls {
            https: [server.url("/empty"), server.url("/missing")],
            http: plain.url("/z"),
        };
        let http = client(&ca.tls, STEP);
        let reports = fetch_urls(&http, &taro(), &urls, SourceKind::Autoconfig).await;
        assert_eq!(reports.len(), 2);
        assert_eq!(
            reports[0].status,
            SourceStatus::NotFound("no usable settings in the answer".into())
        );
        assert!(plain.requests().is_empty());
    }
}
