//! Test servers for the library's unit tests: the integration tests' harness
//! (`tests/support/`), compiled in here, so the project has one HTTP(S) server, one CA and
//! one set of hostile servers. The unit tests run them on ephemeral ports of 127.0.0.1, so
//! they need no namespace. What only the library's tests need is below: a [`TlsContext`]
//! trusting a test CA, an [`HttpClient`] and a DNS server that answers NXDOMAIN.

#[path = "../../tests/support/mod.rs"]
pub(crate) mod support;

pub(crate) use support::{
    Behaviour, CertFiles, Hostile, HttpServer, Response, Routes, TestCa, Validity,
};

use super::http::HttpClient;
use crate::dns::Dns;
use crate::probe::tls::TlsContext;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

/// A test CA and what the library makes of it: a [`TlsContext`] trusting it (and webpki's
/// roots), as `--ca-file` would.
pub(crate) struct Trust {
    pub ca: TestCa,
    pub tls: TlsContext,
}

impl Trust {
    pub fn new() -> Trust {
        crate::install_crypto_provider();
        let ca = TestCa::temp();
        let tls = TlsContext::new(Some(ca.ca_pem())).expect("the test CA loads");
        Trust { ca, tls }
    }

    /// A current certificate for localhost and 127.0.0.1, the names the loopback servers'
    /// URLs use.
    pub fn localhost(&self) -> CertFiles {
        self.ca
            .issue(&["localhost", "127.0.0.1"], Validity::Current)
    }

    /// An HTTPS server on 127.0.0.1 with a certificate for localhost.
    pub fn https(&self, routes: Routes) -> HttpServer {
        HttpServer::loopback_https(self.localhost(), routes)
    }

    /// A client trusting this CA, resolving with the system resolver, `step` per stage.
    pub fn client(&self, step: Duration) -> HttpClient {
        HttpClient::new(&self.tls, Arc::new(Dns::system(step)), step)
            .expect("the HTTP client builds")
    }
}

/// Accepts TCP connections on 127.0.0.1 and never sends a byte (nor completes TLS).
pub(crate) fn tarpit() -> Hostile {
    Hostile::start(Ipv4Addr::LOCALHOST, 0, Behaviour::Tarpit)
}

/// A DNS server on 127.0.0.1 that answers NXDOMAIN to every question.
pub(crate) async fn nxdomain_dns() -> (SocketAddr, JoinHandle<()>) {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind a UDP port");
    let addr = socket.local_addr().expect("a bound socket has an address");
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            if let Some(answer) = nxdomain_answer(&buf[..n]) {
                let _ = socket.send_to(&answer, peer).await;
            }
        }
    });
    (addr, task)
}

/// The NXDOMAIN answer to `query`: its header and question, flags set, no records.
fn nxdomain_answer(query: &[u8]) -> Option<Vec<u8>> {
    // Header, then the question: labels up to the root, type and class.
    let mut end = 12;
    while end < query.len() && query[end] != 0 {
        end += 1 + query[end] as usize;
    }
    end += 5;
    if query.len() < 12 || end > query.len() {
        return None;
    }
    let mut answer = query[..end].to_vec();
    answer[2] = 0x80 | (query[2] & 0x01); // QR, RD copied
    answer[3] = 0x80 | 3; // RA, NXDOMAIN
    answer[6..12].fill(0); // no answers, authority or additional records
    Some(answer)
}
