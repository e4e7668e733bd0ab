//! Loopback servers, a test CA and a fake DNS server, for the HTTP client's tests and the
//! fetchers'.

use super::http::HttpClient;
use crate::dns::Dns;
use crate::probe::tls::TlsContext;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

/// A certificate authority and a [`TlsContext`] that trusts it (and webpki's roots).
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pub tls: TlsContext,
}

/// A server's certificate chain and key.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl TestCa {
    pub fn new() -> TestCa {
        crate::install_crypto_provider();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // A name of its own: two test CAs with one name would look like one CA whose
        // signatures do not verify.
        static SERIAL: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("mailcfg test CA {serial}"));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(issuer.pem().as_bytes()).unwrap();
        let tls = TlsContext::new(Some(file.path())).unwrap();
        TestCa { issuer, tls }
    }

    /// A server certificate for `names` ("localhost" and "127.0.0.1" by default), valid
    /// now, or expired since 2021 when `expired`.
    pub fn leaf(&self, names: &[&str], expired: bool) -> Identity {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, names[0].as_str());
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Identity {
            chain: vec![cert.der().clone(), self.issuer.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }

    /// A certificate for localhost and 127.0.0.1.
    pub fn localhost(&self) -> Identity {
        self.leaf(&["localhost", "127.0.0.1"], false)
    }
}

/// What the server received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
pub enum Reply {
    Send {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        /// Send Content-Length; otherwise the end of the body is the end of the connection.
        framed: bool,
    },
    /// Read the request, then say nothing, ever.
    Hang,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Send {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            framed: true,
        }
    }

    pub fn xml(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("text/xml", body)
    }

    pub fn status(status: u16) -> Reply {
        Reply::Send {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: format!("<html><body>{status}</body></html>").into_bytes(),
            framed: true,
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Send {
            status,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
            framed: true,
        }
    }

    pub fn unframed(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Send {
            status: 200,
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: body.into(),
            framed: false,
        }
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1, one request per connection.
pub struct Server {
    pub port: u16,
    scheme: &'static str,
    requests: Arc<Mutex<Vec<Request>>>,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn https(
        identity: Identity,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(identity.chain, identity.key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        Server::start("https", Some(acceptor), false, Arc::new(handler)).await
    }

    pub async fn http(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start("http", None, false, Arc::new(handler)).await
    }

    /// Accepts TCP connections and never sends a byte.
    pub async fn silent() -> Server {
        Server::start("https", None, true, Arc::new(|_: &Request| Reply::Hang)).await
    }

    async fn start(
        scheme: &'static str,
        acceptor: Option<tokio_rustls::TlsAcceptor>,
        silent: bool,
        handler: Handler,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, handler, recorded) =
                    (acceptor.clone(), handler.clone(), recorded.clone());
                tokio::spawn(async move {
                    match acceptor {
                        _ if silent => {
                            let _held = tcp;
                            std::future::pending::<()>().await;
                        }
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(tcp).await {
                                serve(stream, &handler, &recorded).await;
                            }
                        }
                        None => serve(tcp, &handler, &recorded).await,
                    }
                });
            }
        });
        Server {
            port,
            scheme,
            requests,
            task,
        }
    }

    /// `scheme://localhost:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}://localhost:{}{path}", self.scheme, self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    handler: &Handler,
    recorded: &Mutex<Vec<Request>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buf.len() > 65_536 {
            return;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf[0] == 0x16 {
            // A TLS ClientHello on a plain port: answer as web servers do.
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let request = Request {
        method,
        path,
        headers,
        body,
    };
    recorded.lock().unwrap().push(request.clone());
    match handler(&request) {
        Reply::Hang => std::future::pending::<()>().await,
        Reply::Send {
            status,
            headers,
            body,
            framed,
        } => {
            let mut head = format!("HTTP/1.1 {status} Test\r\nConnection: close\r\n");
            if framed {
                head.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
    }
}

/// A DNS server on 127.0.0.1 that answers NXDOMAIN to every question.
pub async fn nxdomain_dns() -> (SocketAddr, JoinHandle<()>) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            // Header, then the question: labels up to the root, type and class.
            let mut end = 12;
            while end < n && buf[end] != 0 {
                end += 1 + buf[end] as usize;
            }
            end += 5;
            if n < 12 || end > n {
                continue;
            }
            let mut answer = buf[..end].to_vec();
            answer[2] = 0x80 | (buf[2] & 0x01); // QR, RD copied
            answer[3] = 0x80 | 3; // RA, NXDOMAIN
            answer[6..12].fill(0); // no answers, authority or additional records
            let _ = socket.send_to(&answer, peer).await;
        }
    });
    (addr, task)
}

/// A client trusting `tls`, resolving with the system resolver.
pub fn client(tls: &TlsContext, step: Duration) -> HttpClient {
    crate::install_crypto_provider();
    HttpClient::new(tls, Arc::new(Dns::system(step)), step).unwrap()
}
