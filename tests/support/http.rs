//! An in-process HTTP/1.1 server (HTTPS with rustls, and optionally plain HTTP) for
//! autoconfig/autodiscover tests: fixed responses per (Host, path), every request recorded.
//!
//! The one HTTP test server of the project: the integration tests run it on standard ports
//! inside the test namespace, the library's unit tests (through `src/net/test_server.rs`) on
//! ephemeral ports of 127.0.0.1 ([`HttpServer::loopback_https`], [`HttpServer::loopback_http`]).

use super::{Acceptor, CertFiles, sleep_unless_stopped, tls};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A canned response.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delivery: Delivery,
    /// How long the server waits, after reading the request, before it answers (a slow
    /// web server).
    pub delay: Duration,
}

/// How a [`Response`] goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// With `Content-Length`; the connection stays open when the client asks for keep-alive.
    Framed,
    /// Without `Content-Length`: the end of the body is the end of the connection (HTTP/1.0
    /// style), so a client cannot know the size before it has read everything.
    UntilClose,
    /// Never: the request is read and recorded, then nothing is sent until the server stops
    /// (a web server that hangs after accepting the request).
    Never,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delivery: Delivery::Framed,
            delay: Duration::ZERO,
        }
    }

    /// The same response, sent `delay` after the request arrived.
    pub fn after(mut self, delay: Duration) -> Response {
        self.delay = delay;
        self
    }

    /// 200 `text/xml` without `Content-Length`, closing the connection after the body.
    pub fn until_close(body: impl Into<Vec<u8>>) -> Response {
        Response {
            delivery: Delivery::UntilClose,
            ..Response::xml(body)
        }
    }

    /// No answer at all, ever (the request is still recorded).
    pub fn hang() -> Response {
        Response {
            delivery: Delivery::Never,
            ..Response::status(200)
        }
    }

    /// 200 with the given content type.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, content_type, body)
    }

    /// 200 `text/xml` (what autoconfig servers usually send).
    pub fn xml(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, "text/xml", body)
    }

    /// A redirect (301, 302, 307, 308) to `location`.
    pub fn redirect(status: u16, location: &str) -> Response {
        Response::new(status, "text/plain", "redirect").header("Location", location)
    }

    /// An empty-bodied response with this status (404, 401, 500, …).
    pub fn status(status: u16) -> Response {
        Response::new(status, "text/plain", reason(status))
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Responses keyed by (Host without port, path). Host `*` matches any host. A key path with a
/// query matches only that exact query; a path without one matches any query. Under one key,
/// responses for a request body containing some text ([`Routes::route_if_body`], as an
/// autodiscover server answers per address) come before the key's plain response. What
/// matches no key gets [`Routes::otherwise`], or 404.
#[derive(Clone, Debug, Default)]
pub struct Routes {
    map: HashMap<(String, String), Route>,
    otherwise: Option<Response>,
}

#[derive(Clone, Debug, Default)]
struct Route {
    /// (text the body must contain, response), tried in order.
    by_body: Vec<(String, Response)>,
    otherwise: Option<Response>,
}

impl Route {
    fn answer(&self, body: &[u8]) -> Option<Response> {
        let body = String::from_utf8_lossy(body);
        self.by_body
            .iter()
            .find(|(needle, _)| body.contains(needle.as_str()))
            .map(|(_, response)| response)
            .or(self.otherwise.as_ref())
            .cloned()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    pub fn route(mut self, host: &str, path: &str, response: Response) -> Routes {
        self.insert(host, path, response);
        self
    }

    /// `response` for every request no route matches.
    pub fn otherwise(mut self, response: Response) -> Routes {
        self.otherwise = Some(response);
        self
    }

    /// `response` for requests to (host, path) whose body contains `needle`.
    pub fn route_if_body(
        mut self,
        host: &str,
        path: &str,
        needle: &str,
        response: Response,
    ) -> Routes {
        self.entry(host, path)
            .by_body
            .push((needle.to_string(), response));
        self
    }

    fn entry(&mut self, host: &str, path: &str) -> &mut Route {
        self.map
            .entry((host.to_ascii_lowercase(), path.to_string()))
            .or_default()
    }

    fn insert(&mut self, host: &str, path: &str, response: Response) {
        self.entry(host, path).otherwise = Some(response);
    }

    fn find(&self, host: &str, target: &str, path: &str, body: &[u8]) -> Option<Response> {
        for h in [host, "*"] {
            for p in [target, path] {
                let route = self.map.get(&(h.to_string(), p.to_string()));
                if let Some(response) = route.and_then(|r| r.answer(body)) {
                    return Some(response);
                }
            }
        }
        self.otherwise.clone()
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// "https" or "http".
    pub scheme: &'static str,
    /// Local port it arrived on.
    pub port: u16,
    /// TLS server name indication sent by the client (https only).
    pub sni: Option<String>,
    pub method: String,
    /// The Host header, lowercased, without a port.
    pub host: Option<String>,
    /// The request target as sent (path and query).
    pub target: String,
    /// The path without the query.
    pub path: String,
    pub query: Option<String>,
    /// Whether an Authorization header was present.
    pub authorization: bool,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct HttpConfig {
    pub ip: Ipv4Addr,
    /// HTTPS port (usually 443); needs `cert`.
    pub https_port: Option<u16>,
    /// Plain HTTP port (usually 80).
    pub http_port: Option<u16>,
    pub cert: Option<CertFiles>,
    pub routes: Routes,
}

impl HttpConfig {
    /// HTTPS on 443 only.
    pub fn new(ip: Ipv4Addr, cert: CertFiles, routes: Routes) -> HttpConfig {
        HttpConfig {
            ip,
            https_port: Some(443),
            http_port: None,
            cert: Some(cert),
            routes,
        }
    }
}

struct Shared {
    routes: Mutex<Routes>,
    requests: Mutex<Vec<HttpRequest>>,
    tls_errors: Mutex<Vec<String>>,
}

/// A running HTTP(S) server; stops when dropped.
pub struct HttpServer {
    shared: Arc<Shared>,
    https: Option<Acceptor>,
    http: Option<Acceptor>,
}

impl HttpServer {
    /// HTTPS on `ip:443` with `cert`.
    pub fn https(ip: Ipv4Addr, cert: CertFiles, routes: Routes) -> HttpServer {
        HttpServer::start(HttpConfig::new(ip, cert, routes))
    }

    /// HTTPS on an ephemeral port of 127.0.0.1, for tests outside the namespace (the
    /// library's unit tests). `cert` should name `localhost`: [`HttpServer::https_url`] uses it.
    pub fn loopback_https(cert: CertFiles, routes: Routes) -> HttpServer {
        HttpServer::start(HttpConfig {
            https_port: Some(0),
            ..HttpConfig::new(Ipv4Addr::LOCALHOST, cert, routes)
        })
    }

    /// Plain HTTP on `ip:80` only.
    pub fn plain(ip: Ipv4Addr, routes: Routes) -> HttpServer {
        HttpServer::plain_on(ip, 80, routes)
    }

    /// Plain HTTP on an ephemeral port of 127.0.0.1.
    pub fn loopback_http(routes: Routes) -> HttpServer {
        HttpServer::plain_on(Ipv4Addr::LOCALHOST, 0, routes)
    }

    fn plain_on(ip: Ipv4Addr, port: u16, routes: Routes) -> HttpServer {
        HttpServer::start(HttpConfig {
            ip,
            https_port: None,
            http_port: Some(port),
            cert: None,
            routes,
        })
    }

    /// `https://localhost:<port><path>`.
    pub fn https_url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.https_addr().port())
    }

    /// `http://localhost:<port><path>`.
    pub fn http_url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.http_addr().port())
    }

    /// Listening when it returns (the sockets are bound before it returns).
    pub fn start(config: HttpConfig) -> HttpServer {
        assert!(
            config.https_port.is_some() || config.http_port.is_some(),
            "HttpServer: no port"
        );
        let shared = Arc::new(Shared {
            routes: Mutex::new(config.routes),
            requests: Mutex::default(),
            tls_errors: Mutex::default(),
        });
        let https = config.https_port.map(|port| {
            let cert = config
                .cert
                .as_ref()
                .expect("HttpServer: HTTPS needs a cert");
            let tls_config = tls::server_config(cert, &[b"http/1.1"]);
            let shared = shared.clone();
            Acceptor::start(
                SocketAddr::from((config.ip, port)),
                Arc::new(move |tcp, stop: &AtomicBool| {
                    serve_tls(tcp, tls_config.clone(), &shared, stop)
                }),
            )
        });
        let http = config.http_port.map(|port| {
            let shared = shared.clone();
            Acceptor::start(
                SocketAddr::from((config.ip, port)),
                Arc::new(move |tcp: TcpStream, stop: &AtomicBool| {
                    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                    let port = tcp.local_addr().map(|a| a.port()).unwrap_or(0);
                    let mut tcp = tcp;
                    serve(&mut tcp, "http", port, None, &shared, stop)
                }),
            )
        });
        HttpServer {
            shared,
            https,
            http,
        }
    }

    pub fn https_addr(&self) -> SocketAddr {
        self.https.as_ref().expect("no HTTPS port").addr()
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http.as_ref().expect("no HTTP port").addr()
    }

    /// Adds or replaces a route while running.
    pub fn add_route(&self, host: &str, path: &str, response: Response) {
        self.shared
            .routes
            .lock()
            .unwrap()
            .insert(host, path, response);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.requests.lock().unwrap().clear();
    }

    /// TLS handshakes that failed (e.g. the client rejected the certificate), as rustls errors.
    pub fn tls_errors(&self) -> Vec<String> {
        self.shared.tls_errors.lock().unwrap().clone()
    }

    /// True if any request carried an Authorization header.
    pub fn saw_credentials(&self) -> bool {
        self.requests().iter().any(|r| r.authorization)
    }
}

fn serve_tls(mut tcp: TcpStream, config: Arc<ServerConfig>, shared: &Shared, stop: &AtomicBool) {
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    let port = tcp.local_addr().map(|a| a.port()).unwrap_or(0);
    let mut conn = ServerConnection::new(config).expect("rustls server connection");
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            if !stop.load(Ordering::SeqCst) {
                shared.tls_errors.lock().unwrap().push(e.to_string());
            }
            return;
        }
    }
    let sni = conn.server_name().map(str::to_string);
    let mut stream = StreamOwned::new(conn, tcp);
    serve(&mut stream, "https", port, sni, shared, stop);
    // A clean TLS end (close_notify), so that a body delimited by the close reads as complete.
    stream.conn.send_close_notify();
    let _ = stream.flush();
}

/// Serves requests on one connection until it closes (keep-alive supported).
fn serve<S: Read + Write>(
    stream: &mut S,
    scheme: &'static str,
    port: u16,
    sni: Option<String>,
    shared: &Shared,
    stop: &AtomicBool,
) {
    let mut conn = BufConn {
        s: stream,
        buf: Vec::new(),
    };
    while !stop.load(Ordering::SeqCst) {
        let head = match conn.read_head() {
            Ok(Some(head)) => head,
            Err(e) if scheme == "http" && e.kind() == io::ErrorKind::InvalidData => {
                // A TLS ClientHello on the plain port: answer as web servers do.
                let _ = conn.s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
                return;
            }
            _ => return,
        };
        let head = String::from_utf8_lossy(&head).into_owned();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let version = parts.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let body = if get("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            conn.read_chunked()
        } else {
            let len = get("Content-Length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            conn.read_n(len)
        };
        let Ok(body) = body else { return };
        let host = get("Host").map(|h| {
            let h = h.to_ascii_lowercase();
            match h.rsplit_once(':') {
                Some((name, p)) if !name.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    name.to_string()
                }
                _ => h,
            }
        });
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (target.clone(), None),
        };
        let close = version == "HTTP/1.0"
            || get("Connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let response = shared
            .routes
            .lock()
            .unwrap()
            .find(host.as_deref().unwrap_or(""), &target, &path, &body)
            .unwrap_or_else(|| Response::status(404));
        shared.requests.lock().unwrap().push(HttpRequest {
            scheme,
            port,
            sni: sni.clone(),
            method: method.clone(),
            host,
            target: target.clone(),
            path,
            query,
            authorization: get("Authorization").is_some(),
            headers,
            body,
        });
        if response.delivery == Delivery::Never {
            // Hold the connection, saying nothing, until the server stops.
            while sleep_unless_stopped(Duration::from_secs(1), stop) {}
            return;
        }
        if !response.delay.is_zero() && !sleep_unless_stopped(response.delay, stop) {
            return;
        }
        let close = close || response.delivery == Delivery::UntilClose;
        let bytes = response_bytes(&response, method == "HEAD", close);
        if conn
            .s
            .write_all(&bytes)
            .and_then(|_| conn.s.flush())
            .is_err()
            || close
        {
            return;
        }
    }
}

/// Status line, headers and (unless `head_only`) body of `response`.
fn response_bytes(response: &Response, head_only: bool, close: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (k, v) in &response.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if response.delivery == Delivery::Framed {
        out.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    }
    out.push_str(if close {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    let mut bytes = out.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&response.body);
    }
    bytes
}

struct BufConn<S> {
    s: S,
    buf: Vec<u8>,
}

impl<S: Read> BufConn<S> {
    fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 8192];
        let n = self.s.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// The request head without the blank line; `None` on a clean close.
    fn read_head(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = self.buf[..i].to_vec();
                self.buf.drain(..i + 4);
                return Ok(Some(head));
            }
            if self.buf.len() > 64 * 1024 {
                return Err(io::Error::other("request head too large"));
            }
            if self.buf.first() == Some(&0x16) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a TLS handshake, not an HTTP request",
                ));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn read_n(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill()? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    fn read_line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.buf.drain(..i + 2).collect();
                return Ok(String::from_utf8_lossy(&line[..i]).into_owned());
            }
            if !self.fill()? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    fn read_chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line()?;
            let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| io::Error::other("bad chunk size"))?;
            if size == 0 {
                // trailers until the empty line
                while !self.read_line()?.is_empty() {}
                return Ok(body);
            }
            body.extend(self.read_n(size)?);
            self.read_line()?;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
