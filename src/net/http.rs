//! The one HTTP client mailcfg uses to fetch configuration documents (Thunderbird
//! autoconfig, the ISPDB, Microsoft autodiscover).
//!
//! Every rule lives here, so no fetcher can forget one:
//!
//! - **TLS** with the probes' trust anchors (webpki roots plus `--ca-file`, from
//!   [`TlsContext::verifying_config`]), ALPN h2 then http/1.1. A bad certificate is an error,
//!   explained in words ("certificate is for X, not Y").
//! - **Names resolve through [`Dns`]**, so `--dns-server` applies to HTTP as well.
//! - **No proxy**, even when `HTTPS_PROXY`/`HTTP_PROXY` are set: a proxy would learn every
//!   domain and address asked about and could answer for them. mailcfg talks to the servers
//!   directly, like the mail client it imitates.
//! - **Redirects** are followed here, not by reqwest (whose policy is shared by all requests,
//!   so it cannot record one request's chain, and which turns a redirected POST into a GET
//!   without its body, where autodiscover clients repeat the POST): at most
//!   [`MAX_REDIRECTS`]; never from https to plain http; never to a URL carrying a user name
//!   or password; the chain is kept in [`HttpResponse::redirects`]. 303 turns a POST into a
//!   GET; 301, 302, 307 and 308 repeat it.
//! - **Caps**: bodies are read in chunks and abandoned past [`MAX_BODY`]; the connect timeout
//!   (TCP and TLS) is the step timeout, and so is the longest wait for any read, so a server
//!   that takes the request and never answers costs one step, as a silent TLS port does; the
//!   whole request (every redirect hop and the body) is bounded by twice the step timeout.
//! - **No credentials**: no cookies (reqwest is built without a cookie store), no
//!   `Authorization` header, and URLs with `user:password@` are refused (reqwest would turn
//!   them into Basic authentication).

use crate::dns::{Dns, DnsFailure};
use crate::probe::tls::{TlsContext, explain_certificate_error};
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode, Url};
use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The largest body read, in bytes (1 MiB). Autoconfig files are a few KiB.
pub const MAX_BODY: usize = 1024 * 1024;
/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 3;
/// The `User-Agent` header.
pub const USER_AGENT: &str = concat!("mailcfg/", env!("CARGO_PKG_VERSION"));

/// An HTTP client with mailcfg's rules. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    step_timeout: Duration,
}

/// A successful (2xx) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The URL that answered, after redirects.
    pub final_url: String,
    pub status: u16,
    /// At most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
    /// The `Content-Type` header, as sent.
    pub content_type: Option<String>,
    /// The final URL was https. (A chain that started with https stayed https: downgrades
    /// are refused. A chain that started with plain http may end on https, but an attacker
    /// could have chosen that redirect: judge trust by the URL asked, not by this.)
    pub https: bool,
    /// The URLs that answered with a redirect, in order; empty when there was none.
    pub redirects: Vec<String>,
}

impl HttpResponse {
    /// The server labelled the body as a web page (`text/html`, `application/xhtml+xml`).
    pub fn is_html(&self) -> bool {
        self.content_type.as_deref().is_some_and(|t| {
            let t = t.trim_start().to_ascii_lowercase();
            t.starts_with("text/html") || t.starts_with("application/xhtml")
        })
    }
}

/// Why a fetch gave no document. The `Display` text is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server said there is nothing there (HTTP 404 or 410), or the host does not
    /// exist (NXDOMAIN). The text says which.
    #[error("{0}")]
    NotFound(String),
    /// No answer within the time allowed (connect, DNS, or the whole request).
    #[error("no answer in time")]
    Timeout,
    /// The TLS handshake failed; usually a certificate problem, in words.
    #[error("{0}")]
    Tls(String),
    /// The connection was refused.
    #[error("{0}")]
    Refused(String),
    /// The body was larger than `limit` bytes.
    #[error("the answer is larger than {} KiB; not read", limit / 1024)]
    TooLarge { limit: usize },
    /// A redirect was refused: too many, or an unusable `Location`. The text says which.
    #[error("{0}")]
    Redirect(String),
    /// An https URL answered with a redirect to plain http, which was not followed: what
    /// came over https must not continue in clear, where anyone on the path could answer.
    /// The target is not kept, so that nothing can name it as a server or fetch it.
    #[error("{from} redirects to plain http; not followed (settings are only taken over https)")]
    DowngradeRefused {
        /// The https URL that answered with the redirect (the last hop of the chain).
        from: String,
    },
    /// Any other non-2xx status (401 means the server wants credentials).
    #[error("{}", status_text(*.0))]
    Http(u16),
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// An answer that means "nothing here" rather than "something is wrong".
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::NotFound(_))
    }
}

fn status_text(code: u16) -> String {
    let reason = StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason());
    match (code, reason) {
        (401, _) => "HTTP 401: the server asks for credentials".to_string(),
        (_, Some(reason)) => format!("HTTP {code} {reason}"),
        (_, None) => format!("HTTP {code}"),
    }
}

/// Resolves host names for reqwest through mailcfg's [`Dns`].
struct DnsResolver(Arc<Dns>);

impl reqwest::dns::Resolve for DnsResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dns = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = dns
                .ips(&host)
                .await
                .map_err(|failure| -> Box<dyn StdError + Send + Sync> { Box::new(failure) })?;
            // Port 0: reqwest puts in the URL's port.
            let addrs: reqwest::dns::Addrs =
                Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

impl HttpClient {
    /// A client trusting what `tls` trusts, resolving through `dns`. Needs the process-wide
    /// crypto provider ([`crate::install_crypto_provider`]).
    pub fn new(
        tls: &TlsContext,
        dns: Arc<Dns>,
        step_timeout: Duration,
    ) -> Result<HttpClient, String> {
        let mut config = tls.verifying_config();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .dns_resolver(DnsResolver(dns))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(step_timeout)
            .read_timeout(step_timeout)
            .timeout(step_timeout * 2)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", chain_text(&e)))?;
        Ok(HttpClient {
            client,
            step_timeout,
        })
    }

    /// GET `url`.
    pub async fn get(&self, url: &str) -> Result<HttpResponse, FetchError> {
        self.request(Method::GET, url, None).await
    }

    /// POST `body` to `url` as `text/xml; charset=utf-8`.
    pub async fn post_xml(&self, url: &str, body: String) -> Result<HttpResponse, FetchError> {
        self.request(Method::POST, url, Some(body)).await
    }

    async fn request(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
    ) -> Result<HttpResponse, FetchError> {
        let whole = self.step_timeout * 2;
        tokio::time::timeout(whole, self.follow(method, url, body))
            .await
            .unwrap_or(Err(FetchError::Timeout))
    }

    async fn follow(
        &self,
        mut method: Method,
        url: &str,
        mut body: Option<String>,
    ) -> Result<HttpResponse, FetchError> {
        let mut current = start_url(url)?;
        let mut chain: Vec<String> = Vec::new();
        loop {
            let mut request = self
                .client
                .request(method.clone(), current.clone())
                .header(ACCEPT, "application/xml, text/xml;q=0.9, */*;q=0.1");
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "text/xml; charset=utf-8")
                    .body(body.clone());
            }
            let response = request.send().await.map_err(|e| classify(&e, &current))?;
            let status = response.status();
            if is_followed_redirect(status) {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok());
                let next = next_hop(&current, location, chain.len())
                    .map_err(|refusal| refused_redirect(refusal, &chain, &current))?;
                chain.push(current.to_string());
                if status == StatusCode::SEE_OTHER {
                    method = Method::GET;
                    body = None;
                }
                current = next;
                continue;
            }
            if let Some(error) = classify_status(status.as_u16()) {
                return Err(error);
            }
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = read_capped(response, MAX_BODY, &current).await?;
            return Ok(HttpResponse {
                https: current.scheme() == "https",
                final_url: current.to_string(),
                status: status.as_u16(),
                body,
                content_type,
                redirects: chain,
            });
        }
    }
}

/// Read the body in chunks, giving up as soon as it passes `limit` bytes.
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
    url: &Url,
) -> Result<Vec<u8>, FetchError> {
    if response
        .content_length()
        .is_some_and(|declared| declared > limit as u64)
    {
        return Err(FetchError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e, url))? {
        if body.len() + chunk.len() > limit {
            return Err(FetchError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Check a URL before the first request: http or https, a host, no credentials.
pub(crate) fn start_url(url: &str) -> Result<Url, FetchError> {
    let parsed = Url::parse(url).map_err(|e| FetchError::Other(format!("bad URL {url}: {e}")))?;
    check_url(&parsed).map_err(FetchError::Other)?;
    Ok(parsed)
}

fn check_url(url: &Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{url} is not an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{url} has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "the URL carries a user name or password; mailcfg never sends credentials".to_string(),
        );
    }
    Ok(())
}

/// The statuses whose `Location` is followed.
fn is_followed_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Why a redirect was not followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RedirectRefusal {
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooMany,
    #[error("a redirect without a usable Location header")]
    NoLocation,
    #[error("a redirect to a bad location {location:?}: {why}")]
    BadLocation { location: String, why: String },
    /// Not http(s), no host, or credentials in the URL; the text says which.
    #[error("a redirect refused: {0}")]
    Unsafe(String),
    /// From https to plain http.
    #[error("a redirect from https to plain http refused")]
    Downgrade,
}

/// The redirect rule: where a redirect from `current` to `location` leads, after
/// `hops_done` redirects already followed, or why it is refused.
pub(crate) fn next_hop(
    current: &Url,
    location: Option<&str>,
    hops_done: usize,
) -> Result<Url, RedirectRefusal> {
    if hops_done >= MAX_REDIRECTS {
        return Err(RedirectRefusal::TooMany);
    }
    let location = location
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .ok_or(RedirectRefusal::NoLocation)?;
    let next = current
        .join(location)
        .map_err(|e| RedirectRefusal::BadLocation {
            location: location.to_string(),
            why: e.to_string(),
        })?;
    check_url(&next).map_err(RedirectRefusal::Unsafe)?;
    if current.scheme() == "https" && next.scheme() == "http" {
        return Err(RedirectRefusal::Downgrade);
    }
    Ok(next)
}

/// The error for a redirect from `current` (after `chain`) that was not followed.
fn refused_redirect(refusal: RedirectRefusal, chain: &[String], current: &Url) -> FetchError {
    match refusal {
        RedirectRefusal::Downgrade => FetchError::DowngradeRefused {
            from: current.to_string(),
        },
        other => FetchError::Redirect(describe_chain(other.to_string(), chain, current)),
    }
}

fn describe_chain(why: String, chain: &[String], current: &Url) -> String {
    if chain.is_empty() {
        format!("{why} at {current}")
    } else {
        let mut hops = chain.to_vec();
        hops.push(current.to_string());
        format!("{why} after {}", hops.join(" → "))
    }
}

/// `None` for a 2xx status; 404 and 410 are "not found"; anything else an HTTP error.
pub(crate) fn classify_status(code: u16) -> Option<FetchError> {
    match code {
        200..=299 => None,
        404 | 410 => Some(FetchError::NotFound(format!("HTTP {code}"))),
        _ => Some(FetchError::Http(code)),
    }
}

/// Turn a reqwest error into words, looking through its causes for the DNS failure, the
/// TLS error or the socket error underneath.
fn classify(error: &reqwest::Error, url: &Url) -> FetchError {
    let host = url.host_str().unwrap_or("?");
    let port = url.port_or_known_default().unwrap_or(0);
    let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = cause {
        if let Some(dns) = e.downcast_ref::<DnsFailure>() {
            return classify_dns(dns, host);
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return FetchError::Tls(explain_tls(tls, host));
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    return FetchError::Refused(format!(
                        "{host} refused the connection on port {port}"
                    ));
                }
                std::io::ErrorKind::TimedOut => return FetchError::Timeout,
                _ => {}
            }
            // io::Error::source() skips the error it wraps (rustls wraps its errors in
            // io::Errors, sometimes twice): step into it instead.
            if let Some(inner) = io.get_ref() {
                cause = Some(inner);
                continue;
            }
        }
        cause = e.source();
    }
    if error.is_timeout() {
        FetchError::Timeout
    } else if error.is_connect() {
        FetchError::Other(format!(
            "cannot connect to {host} on port {port}: {}",
            chain_text(error)
        ))
    } else {
        FetchError::Other(chain_text(error))
    }
}

fn classify_dns(failure: &DnsFailure, host: &str) -> FetchError {
    match failure {
        DnsFailure::NoSuchName => FetchError::NotFound(format!("no such host {host}")),
        DnsFailure::Timeout => FetchError::Timeout,
        DnsFailure::Other(why) => FetchError::Other(format!("cannot look up {host}: {why}")),
    }
}

/// A TLS failure in words. Certificate errors are worded as for probes, from what the error
/// carries (the HTTP client never sees the parsed certificate).
fn explain_tls(error: &rustls::Error, host: &str) -> String {
    use rustls::Error;
    match error {
        Error::InvalidCertificate(_) => explain_certificate_error(error, None, host).1,
        Error::InvalidMessage(_) => {
            "the server does not speak TLS on this port (plain HTTP on an https URL?)".to_string()
        }
        Error::PeerIncompatible(_) => {
            "the server and mailcfg share no TLS version or cipher suite".to_string()
        }
        Error::AlertReceived(alert) => {
            format!("the server aborted the TLS handshake ({alert:?})")
        }
        other => format!("TLS failed: {other}"),
    }
}

/// An error and its causes, "a: b: c", without repeats.
fn chain_text(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(error);
    while let Some(e) = cause {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::test_server::*;
    use std::time::Instant;

    const STEP: Duration = Duration::from_millis(1500);

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn start_urls_must_be_web_urls_without_credentials() {
        assert!(start_url("https://example.com/x").is_ok());
        assert!(start_url("http://example.com/x").is_ok());
        for bad in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "https://user:secret@example.com/",
            "https://user@example.com/",
            "not a url",
        ] {
            assert!(matches!(start_url(bad), Err(FetchError::Other(_))), "{bad}");
        }
    }

    #[test]
    fn the_redirect_rule() {
        let https = url("https://a.example.com/mail/config.xml");
        // Relative and absolute locations; http → https is an upgrade and fine.
        assert_eq!(
            next_hop(&https, Some("/other.xml"), 0).unwrap().as_str(),
            "https://a.example.com/other.xml"
        );
        assert_eq!(
            next_hop(&https, Some("https://b.example.net/x"), 2)
                .unwrap()
                .as_str(),
            "https://b.example.net/x"
        );
        assert!(
            next_hop(
                &url("http://a.example.com/"),
                Some("https://a.example.com/"),
                0
            )
            .is_ok()
        );
        assert!(
            next_hop(
                &url("http://a.example.com/"),
                Some("http://b.example.com/"),
                0
            )
            .is_ok()
        );
        // Refusals.
        assert_eq!(
            next_hop(&https, Some("http://a.example.com/x"), 0),
            Err(RedirectRefusal::Downgrade)
        );
        assert_eq!(
            next_hop(&https, Some("/x"), MAX_REDIRECTS),
            Err(RedirectRefusal::TooMany)
        );
        assert_eq!(
            RedirectRefusal::TooMany.to_string(),
            "more than 3 redirects"
        );
        assert_eq!(next_hop(&https, None, 0), Err(RedirectRefusal::NoLocation));
        assert_eq!(
            next_hop(&https, Some("  "), 0),
            Err(RedirectRefusal::NoLocation)
        );
        assert!(matches!(
            next_hop(&https, Some("https://u:p@b.example.com/"), 0),
            Err(RedirectRefusal::Unsafe(why)) if why.contains("password")
        ));
        assert!(matches!(
            next_hop(&https, Some("javascript:alert(1)"), 0),
            Err(RedirectRefusal::Unsafe(_))
        ));
        assert!(matches!(
            next_hop(&https, Some("https://[::1/"), 0),
            Err(RedirectRefusal::BadLocation { .. })
        ));
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify_status(200), None);
        assert_eq!(classify_status(204), None);
        assert_eq!(
            classify_status(404),
            Some(FetchError::NotFound("HTTP 404".into()))
        );
        assert_eq!(
            classify_status(410),
            Some(FetchError::NotFound("HTTP 410".into()))
        );
        assert_eq!(classify_status(401), Some(FetchError::Http(401)));
        assert_eq!(classify_status(500), Some(FetchError::Http(500)));
        assert_eq!(
            FetchError::Http(500).to_string(),
            "HTTP 500 Internal Server Error"
        );
        assert!(FetchError::Http(401).to_string().contains("credentials"));
        assert_eq!(
            FetchError::TooLarge { limit: MAX_BODY }.to_string(),
            "the answer is larger than 1024 KiB; not read"
        );
        assert_eq!(
            classify_dns(&DnsFailure::NoSuchName, "x.example"),
            FetchError::NotFound("no such host x.example".into())
        );
        assert_eq!(
            classify_dns(&DnsFailure::Timeout, "x.example"),
            FetchError::Timeout
        );
    }

    #[test]
    fn certificate_errors_read_as_words() {
        use rustls::pki_types::{ServerName, UnixTime};
        use rustls::{CertificateError, Error};
        let name = Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("mail.example.jp").unwrap().to_owned(),
            presented: vec![
                "DnsName(\"other.example.com\")".into(),
                "DnsName(\"*.other.example.com\")".into(),
                "IpAddress(192.0.2.1)".into(),
                "DirectoryName".into(),
            ],
        });
        assert_eq!(
            explain_tls(&name, "mail.example.jp"),
            "certificate is for other.example.com, *.other.example.com, 192.0.2.1, not mail.example.jp"
        );
        let nameless = Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("mail.example.jp").unwrap().to_owned(),
            presented: vec!["DirectoryName".into(), "DnsName(\"\u{1b}\")".into()],
        });
        assert_eq!(
            explain_tls(&nameless, "mail.example.jp"),
            "certificate is not valid for mail.example.jp"
        );
        let expired = Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(Duration::from_secs(1_700_000_000)),
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_600_000_000)),
        });
        assert_eq!(
            explain_tls(&expired, "h"),
            "certificate expired on 2020-09-13"
        );
        let unknown = Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert!(explain_tls(&unknown, "h").starts_with("certificate is not trusted"));
    }

    #[tokio::test]
    async fn get_fetches_a_document_and_sends_no_credentials() {
        let trust = Trust::new();
        let server = trust.https(
            Routes::new().otherwise(Response::ok("text/xml; charset=utf-8", "<clientConfig/>")),
        );
        let http = trust.client(STEP);
        let got = http
            .get(&server.https_url("/mail/config-v1.1.xml?a=b"))
            .await
            .unwrap();
        assert_eq!(got.body, b"<clientConfig/>");
        assert_eq!(got.status, 200);
        assert!(got.https);
        assert_eq!(got.final_url, server.https_url("/mail/config-v1.1.xml?a=b"));
        assert_eq!(got.content_type.as_deref(), Some("text/xml; charset=utf-8"));
        assert!(got.redirects.is_empty());
        assert!(!got.is_html());
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert_eq!(request.method, "GET");
        assert_eq!(request.target, "/mail/config-v1.1.xml?a=b");
        assert_eq!(request.header("user-agent"), Some(USER_AGENT));
        assert!(USER_AGENT.starts_with("mailcfg/"));
        assert!(!server.saw_credentials());
        assert_eq!(request.header("cookie"), None);
        assert_eq!(request.header("proxy-authorization"), None);
    }

    #[tokio::test]
    async fn bodies_are_capped_at_one_mebibyte() {
        let trust = Trust::new();
        let server = trust.https(
            Routes::new()
                .route("*", "/exact", Response::xml(vec![b'a'; MAX_BODY]))
                .route("*", "/declared", Response::xml(vec![b'a'; MAX_BODY + 1]))
                .route(
                    "*",
                    "/streamed",
                    Response::until_close(vec![b'a'; MAX_BODY + 1]),
                )
                .route(
                    "*",
                    "/streamed-small",
                    Response::until_close(&b"<small/>"[..]),
                ),
        );
        let http = trust.client(STEP);
        assert_eq!(
            http.get(&server.https_url("/exact"))
                .await
                .unwrap()
                .body
                .len(),
            MAX_BODY
        );
        assert_eq!(
            http.get(&server.https_url("/declared")).await,
            Err(FetchError::TooLarge { limit: MAX_BODY })
        );
        // No Content-Length: the cap applies while streaming.
        assert_eq!(
            http.get(&server.https_url("/streamed")).await,
            Err(FetchError::TooLarge { limit: MAX_BODY })
        );
        // And a body that ends with the connection is read whole.
        assert_eq!(
            http.get(&server.https_url("/streamed-small"))
                .await
                .unwrap()
                .body,
            b"<small/>"
        );
    }

    #[tokio::test]
    async fn redirects_are_followed_recorded_and_bounded() {
        let trust = Trust::new();
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::xml("<plain/>")));
        let server = trust.https(
            Routes::new()
                .route("*", "/one", Response::redirect(301, "/two"))
                .route("*", "/two", Response::redirect(302, "three"))
                .route("*", "/three", Response::xml("<done/>"))
                .route("*", "/loop", Response::redirect(307, "/loop"))
                .route("*", "/post", Response::redirect(307, "/posted"))
                .route("*", "/see-other", Response::redirect(303, "/posted"))
                .route("*", "/posted", Response::xml("<posted/>"))
                .route("*", "/nowhere", Response::status(302)),
        );
        let http = trust.client(STEP);

        let got = http.get(&server.https_url("/one")).await.unwrap();
        assert_eq!(got.body, b"<done/>");
        assert_eq!(got.final_url, server.https_url("/three"));
        assert_eq!(
            got.redirects,
            [server.https_url("/one"), server.https_url("/two")]
        );

        let looping = http.get(&server.https_url("/loop")).await.unwrap_err();
        assert!(
            matches!(&looping, FetchError::Redirect(m) if m.contains("more than 3")),
            "{looping:?}"
        );
        // The first request and three redirects, no more.
        assert_eq!(
            server
                .requests()
                .iter()
                .filter(|r| r.path == "/loop")
                .count(),
            4
        );

        let no_location = http.get(&server.https_url("/nowhere")).await.unwrap_err();
        assert!(matches!(no_location, FetchError::Redirect(_)));

        // A POST is repeated on 307, and becomes a GET on 303.
        server.clear_requests();
        http.post_xml(&server.https_url("/post"), "<x/>".into())
            .await
            .unwrap();
        http.post_xml(&server.https_url("/see-other"), "<x/>".into())
            .await
            .unwrap();
        let posted: Vec<(String, Vec<u8>)> = server
            .requests()
            .into_iter()
            .filter(|r| r.path == "/posted")
            .map(|r| (r.method, r.body))
            .collect();
        assert_eq!(
            posted,
            [
                ("POST".to_string(), b"<x/>".to_vec()),
                ("GET".to_string(), Vec::new())
            ]
        );
        assert!(plain.requests().is_empty());
    }

    #[tokio::test]
    async fn a_redirect_from_https_to_plain_http_is_refused_as_a_downgrade() {
        let trust = Trust::new();
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::xml("<plain/>")));
        let server = trust.https(Routes::new());
        server.add_route("*", "/down", Response::redirect(302, &plain.http_url("/x")));
        // The downgrade comes after a redirect that is fine: the hop that redirected is named.
        server.add_route("*", "/first", Response::redirect(301, "/down"));
        let http = trust.client(STEP);

        assert_eq!(
            http.get(&server.https_url("/down")).await,
            Err(FetchError::DowngradeRefused {
                from: server.https_url("/down")
            })
        );
        assert_eq!(
            http.get(&server.https_url("/first")).await,
            Err(FetchError::DowngradeRefused {
                from: server.https_url("/down")
            })
        );
        let error = http.get(&server.https_url("/down")).await.unwrap_err();
        // In words, without the plain-http target, which is nobody's business to try.
        assert!(error.to_string().contains("plain http"), "{error}");
        assert!(!error.to_string().contains(&plain.http_url("")), "{error}");
        assert!(plain.requests().is_empty(), "the http server was asked");
    }

    #[tokio::test]
    async fn statuses_map_to_errors() {
        let trust = Trust::new();
        let server = trust.https(
            Routes::new()
                .route("*", "/gone", Response::status(410))
                .route("*", "/auth", Response::status(401))
                .route("*", "/broken", Response::status(500)),
        );
        let http = trust.client(STEP);
        assert_eq!(
            http.get(&server.https_url("/missing")).await,
            Err(FetchError::NotFound("HTTP 404".into()))
        );
        assert_eq!(
            http.get(&server.https_url("/gone")).await,
            Err(FetchError::NotFound("HTTP 410".into()))
        );
        assert_eq!(
            http.get(&server.https_url("/auth")).await,
            Err(FetchError::Http(401))
        );
        assert_eq!(
            http.get(&server.https_url("/broken")).await,
            Err(FetchError::Http(500))
        );
    }

    #[tokio::test]
    async fn bad_certificates_are_refused_in_words() {
        let trust = Trust::new();
        let other = Trust::new();
        let any = || Routes::new().otherwise(Response::xml("<x/>"));
        let untrusted = other.https(any());
        let wrong_name = HttpServer::loopback_https(
            trust.ca.issue(&["mail.example.org"], Validity::Current),
            any(),
        );
        let expired =
            HttpServer::loopback_https(trust.ca.issue(&["localhost"], Validity::Expired), any());
        let http = trust.client(STEP);

        let err = http.get(&untrusted.https_url("/")).await.unwrap_err();
        assert!(
            matches!(&err, FetchError::Tls(m) if m.starts_with("certificate is not trusted")),
            "{err:?}"
        );
        let err = http.get(&wrong_name.https_url("/")).await.unwrap_err();
        assert_eq!(
            err,
            FetchError::Tls("certificate is for mail.example.org, not localhost".into())
        );
        let err = http.get(&expired.https_url("/")).await.unwrap_err();
        // Validity::Expired ended yesterday.
        let yesterday = (time::OffsetDateTime::now_utc() - time::Duration::days(1)).date();
        assert_eq!(
            err,
            FetchError::Tls(format!("certificate expired on {yesterday}"))
        );
        assert!(untrusted.requests().is_empty());
        assert!(wrong_name.requests().is_empty());
    }

    #[tokio::test]
    async fn silent_servers_time_out_in_bounded_time() {
        let trust = Trust::new();
        let step = Duration::from_millis(200);
        let http = trust.client(step);

        // Accepts the connection, never starts TLS.
        let silent = tarpit();
        let start = Instant::now();
        assert_eq!(
            http.get(&format!("https://127.0.0.1:{}/", silent.addr().port()))
                .await,
            Err(FetchError::Timeout)
        );
        assert!(
            start.elapsed() < Duration::from_millis(1200),
            "{:?}",
            start.elapsed()
        );

        // Reads the request, never answers: one step, not the whole request's two.
        let hanging = trust.https(Routes::new().otherwise(Response::hang()));
        let start = Instant::now();
        assert_eq!(
            http.post_xml(&hanging.https_url("/"), "<x/>".into()).await,
            Err(FetchError::Timeout)
        );
        let elapsed = start.elapsed();
        assert!(elapsed >= step, "{elapsed:?}");
        assert!(elapsed < step + step / 2, "{elapsed:?}");
        assert_eq!(hanging.requests().len(), 1);

        // A slow answer that keeps coming is not cut short by the per-read limit.
        let slow = trust.https(Routes::new().otherwise(Response::xml("<x/>").after(step / 2)));
        assert!(http.get(&slow.https_url("/")).await.is_ok());
    }

    #[tokio::test]
    async fn refused_connections_and_missing_hosts() {
        let trust = Trust::new();
        let http = trust.client(STEP);
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let err = http
            .get(&format!("https://127.0.0.1:{port}/"))
            .await
            .unwrap_err();
        assert_eq!(
            err,
            FetchError::Refused(format!("127.0.0.1 refused the connection on port {port}"))
        );

        // Names resolve through our Dns: here a server that says NXDOMAIN to everything.
        let (dns_addr, _dns) = nxdomain_dns().await;
        let dns = Dns::with_server(dns_addr, STEP).unwrap();
        let http = HttpClient::new(&trust.tls, Arc::new(dns), STEP).unwrap();
        assert_eq!(
            http.get("https://autoconfig.example.test/mail/config-v1.1.xml")
                .await,
            Err(FetchError::NotFound(
                "no such host autoconfig.example.test".into()
            ))
        );
    }

    #[tokio::test]
    async fn https_to_a_plain_http_port_is_explained() {
        let trust = Trust::new();
        let plain = HttpServer::loopback_http(Routes::new().otherwise(Response::xml("<x/>")));
        let http = trust.client(STEP);
        let err = http
            .get(&format!("https://localhost:{}/", plain.http_addr().port()))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, FetchError::Tls(m) if m.contains("does not speak TLS")),
            "{err:?}"
        );
    }
}
