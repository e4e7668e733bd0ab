//! rustls helpers (ring provider, no process-wide provider needed) and a tiny line-based client
//! for talking to the servers in harness self-tests.

use super::CertFiles;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, StreamOwned};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The ring crypto provider.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client config trusting only the CA certificates in `ca_pem`.
pub fn client_config(ca_pem: &Path) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_pem).expect("read CA file") {
        roots.add(cert.expect("parse CA PEM")).expect("add CA");
    }
    Arc::new(
        ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// A server config presenting `cert`, offering ALPN `alpn` (may be empty).
pub fn server_config(cert: &CertFiles, alpn: &[&[u8]]) -> Arc<ServerConfig> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert.cert)
        .expect("read certificate file")
        .map(|c| c.expect("parse certificate PEM"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(&cert.key).expect("read key file");
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("certificate and key match");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Runs a TLS handshake over `tcp` verifying `server_name` against `ca_pem`.
pub fn handshake(tcp: TcpStream, server_name: &str, ca_pem: &Path) -> Result<TlsStream, String> {
    let name = ServerName::try_from(server_name.to_string()).map_err(|e| e.to_string())?;
    let mut conn = ClientConnection::new(client_config(ca_pem), name).map_err(|e| e.to_string())?;
    let mut tcp = tcp;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).map_err(|e| e.to_string())?;
    }
    Ok(StreamOwned::new(conn, tcp))
}

/// Connects to `addr` and runs an implicit-TLS handshake.
pub fn connect(addr: SocketAddr, server_name: &str, ca_pem: &Path) -> Result<TlsStream, String> {
    let tcp =
        TcpStream::connect_timeout(&addr, Duration::from_secs(3)).map_err(|e| e.to_string())?;
    handshake(tcp, server_name, ca_pem)
}

/// The DER of the certificate the server presented first.
pub fn peer_cert(stream: &TlsStream) -> Vec<u8> {
    stream
        .conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .unwrap_or_default()
}

/// A line-oriented client connection (CRLF lines) over any stream.
pub struct Lines<S> {
    pub stream: S,
    buf: Vec<u8>,
}

impl Lines<TcpStream> {
    /// Plain TCP connection with a 5 s read timeout.
    pub fn connect(addr: SocketAddr) -> io::Result<Lines<TcpStream>> {
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(3))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(Lines::new(s))
    }

    /// Upgrades to TLS (after a STARTTLS/STLS exchange); nothing may be buffered.
    pub fn starttls(self, server_name: &str, ca_pem: &Path) -> Result<Lines<TlsStream>, String> {
        assert!(
            self.buf.is_empty(),
            "server sent data after the STARTTLS reply"
        );
        Ok(Lines::new(handshake(self.stream, server_name, ca_pem)?))
    }
}

impl<S: Read + Write> Lines<S> {
    pub fn new(stream: S) -> Lines<S> {
        Lines {
            stream,
            buf: Vec::new(),
        }
    }

    /// The next line, without its line ending.
    pub fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                let s = String::from_utf8_lossy(&line);
                return Ok(s.trim_end_matches(['\r', '\n']).to_string());
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed",
                ));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Lines up to and including the first for which `last` is true.
    pub fn until(&mut self, last: impl Fn(&str) -> bool) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        loop {
            let l = self.line()?;
            let done = last(&l);
            out.push(l);
            if done {
                return Ok(out);
            }
        }
    }

    /// Sends `line` followed by CRLF.
    pub fn send(&mut self, line: &str) -> io::Result<()> {
        self.stream.write_all(format!("{line}\r\n").as_bytes())?;
        self.stream.flush()
    }

    /// Sends `line`, then reads until `last`.
    pub fn cmd(&mut self, line: &str, last: impl Fn(&str) -> bool) -> io::Result<Vec<String>> {
        self.send(line)?;
        self.until(last)
    }

    /// Reads an SMTP reply (until a line whose 4th character is a space).
    pub fn smtp_reply(&mut self) -> io::Result<Vec<String>> {
        self.until(|l| l.len() < 4 || l.as_bytes()[3] == b' ')
    }
}
