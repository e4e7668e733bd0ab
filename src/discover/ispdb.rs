//! Thunderbird's ISP database (or the mirror given with `--ispdb-url`): one autoconfig
//! document per domain at `<base>/<domain>`.

use super::SourceReport;
use super::autoconfig::read_answer;
use crate::address::EmailAddress;
use crate::model::{Source, SourceKind};
use crate::net::http::{FetchError, HttpClient};
use std::time::Instant;

/// `<base>/<domain>`, whatever trailing slashes `base` has.
pub fn url(base: &str, domain: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        domain.trim_end_matches('.').to_ascii_lowercase()
    )
}

/// Ask the ISPDB at `base_url` about `domain` (the address's domain, or a provider's
/// domain found through MX when `via` is [`SourceKind::Mx`]). Placeholders expand with
/// the user's address. The report's kind is `Ispdb`, or `Mx` (with "ISPDB" in the
/// candidates' source detail) when `via` is `Mx`.
pub async fn fetch(
    http: &HttpClient,
    base_url: &str,
    email: &EmailAddress,
    domain: &str,
    via: SourceKind,
) -> SourceReport {
    let started = Instant::now();
    let url = url(base_url, domain);
    let kind = if via == SourceKind::Mx {
        SourceKind::Mx
    } else {
        SourceKind::Ispdb
    };
    let detail = match kind {
        SourceKind::Mx => format!("ISPDB {url}"),
        _ => url.clone(),
    };
    let https = url.starts_with("https://");
    let result = match http.get(&url).await {
        Err(FetchError::NotFound(why)) if why.starts_with("HTTP ") => Err(FetchError::NotFound(
            format!("the ISPDB has no entry for {domain} ({why})"),
        )),
        other => other,
    };
    let source = Source {
        kind,
        detail,
        authenticated: https,
    };
    let prefix = if https { "" } else { "plain http: " };
    let (report, _) = read_answer(result, email, &url, source, prefix);
    report.with_elapsed(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_email;
    use crate::discover::{SourceStatus, SourceWarning};
    use crate::net::test_server::*;
    use std::time::Duration;

    const STEP: Duration = Duration::from_millis(1500);

    #[test]
    fn urls_join_base_and_domain() {
        assert_eq!(
            url("https://autoconfig.thunderbird.net/v1.1/", "example.jp"),
            "https://autoconfig.thunderbird.net/v1.1/example.jp"
        );
        assert_eq!(
            url("https://mirror.example//", "Example.JP."),
            "https://mirror.example/example.jp"
        );
        assert_eq!(
            url("http://localhost:8080/ispdb", "xn--r8jz45g.jp"),
            "http://localhost:8080/ispdb/xn--r8jz45g.jp"
        );
    }

    const POP_ENTRY: &str = "<clientConfig version=\"1.1\"><emailProvider id=\"provider.example\">\
        <incomingServer type=\"pop3\"><hostname>pop.%EMAILDOMAIN%</hostname><port>995</port>\
        <socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>\
        </emailProvider></clientConfig>";

    #[tokio::test]
    async fn entries_and_missing_entries() {
        let trust = Trust::new();
        let server = trust.https(Routes::new().route(
            "*",
            "/v1.1/provider.example",
            Response::xml(POP_ENTRY),
        ));
        let http = trust.client(STEP);
        let email = parse_email("hanako@example.jp").unwrap();
        let base = server.https_url("/v1.1/");

        let report = fetch(&http, &base, &email, "provider.example", SourceKind::Mx).await;
        assert_eq!(report.kind, SourceKind::Mx);
        assert_eq!(report.query, server.https_url("/v1.1/provider.example"));
        assert_eq!(report.status, SourceStatus::Found);
        let candidate = &report.candidates[0];
        assert_eq!(candidate.endpoint.host, "pop.example.jp");
        assert_eq!(
            candidate.sources[0],
            Source {
                kind: SourceKind::Mx,
                detail: format!("ISPDB {}", server.https_url("/v1.1/provider.example")),
                authenticated: true,
            }
        );

        let report = fetch(&http, &base, &email, "example.jp", SourceKind::Ispdb).await;
        assert_eq!(report.kind, SourceKind::Ispdb);
        assert_eq!(
            report.status,
            SourceStatus::NotFound("the ISPDB has no entry for example.jp (HTTP 404)".into())
        );
        assert!(report.elapsed_ms.is_some());
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn a_plain_http_mirror_is_unauthenticated() {
        let server = HttpServer::loopback_http(Routes::new().otherwise(Response::xml(
            "<clientConfig><emailProvider id=\"x\"><incomingServer type=\"imap\">\
             <hostname>imap.example.jp</hostname><port>993</port><socketType>SSL</socketType>\
             </incomingServer></emailProvider></clientConfig>",
        )));
        let trust = Trust::new();
        let http = trust.client(STEP);
        let email = parse_email("hanako@example.jp").unwrap();
        let report = fetch(
            &http,
            &server.http_url("/"),
            &email,
            "example.jp",
            SourceKind::Ispdb,
        )
        .await;
        assert_eq!(report.status, SourceStatus::Found);
        assert!(!report.candidates[0].sources[0].authenticated);
        assert_eq!(report.candidates[0].sources[0].kind, SourceKind::Ispdb);
    }

    #[tokio::test]
    async fn a_redirect_to_plain_http_is_refused_and_said() {
        let trust = Trust::new();
        let target = HttpServer::loopback_http(Routes::new().otherwise(Response::xml(POP_ENTRY)));
        let server = trust.https(Routes::new().otherwise(Response::redirect(
            301,
            &target.http_url("/v1.1/example.jp"),
        )));
        let email = parse_email("hanako@example.jp").unwrap();
        let base = server.https_url("/v1.1");
        let report = fetch(
            &trust.client(STEP),
            &base,
            &email,
            "example.jp",
            SourceKind::Ispdb,
        )
        .await;
        assert_eq!(
            report.warning,
            Some(SourceWarning::DowngradeRefused {
                url: server.https_url("/v1.1/example.jp")
            })
        );
        assert!(
            matches!(&report.status, SourceStatus::Failed(m) if m.contains("plain http")),
            "{:?}",
            report.status
        );
        assert!(report.candidates.is_empty());
        assert!(target.requests().is_empty(), "the redirect was followed");
    }
}
