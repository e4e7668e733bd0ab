//! Servers that speak only TLS 1.0 or 1.1, which rustls refuses (RFC 8996): OpenSSL's
//! `s_server` at security level 0 (Debian's OpenSSL refuses TLS < 1.2 at its default
//! level). For implicit TLS it listens on the port itself; for STARTTLS a
//! [`Hostile`](super::Hostile) plaintext front speaks the protocol up to "begin TLS" and
//! then splices the connection to it.
//!
//! Also certificates made the way `openssl req -x509` makes them (RSA 2048, CA:TRUE,
//! self-signed), as many small servers have.

use super::hostile::{AfterStarttls, Behaviour, Dialect, Hostile, Received};
use super::{CertFiles, STARTUP_TIMEOUT, bin, port_open, read_lossy, service_tempdir};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The one version a [`LegacyTls`] server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldTls {
    V1_0,
    V1_1,
}

/// How a client reaches the TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Front {
    /// A TLS handshake as soon as the connection opens (993, 995, 465).
    Implicit,
    /// A plaintext dialogue up to STARTTLS first.
    Starttls(Dialect),
}

/// A running TLS 1.0/1.1-only server; stopped when dropped.
pub struct LegacyTls {
    child: Option<Child>,
    front: Option<Hostile>,
    received: Received,
    dir: tempfile::TempDir,
}

impl LegacyTls {
    /// Listening on `ip:port` when it returns.
    pub fn start(
        ip: Ipv4Addr,
        port: u16,
        version: OldTls,
        front: Front,
        cert: &CertFiles,
    ) -> LegacyTls {
        let dir = service_tempdir("mailcfg-legacy-tls-");
        let tls_addr = match front {
            Front::Implicit => SocketAddr::from((ip, port)),
            Front::Starttls(_) => SocketAddr::from((ip, super::unused_port(ip))),
        };
        let log = std::fs::File::create(dir.path().join("s_server.log")).unwrap();
        let child = Command::new(bin("openssl"))
            .arg("s_server")
            .arg("-accept")
            .arg(tls_addr.to_string())
            .arg("-cert")
            .arg(&cert.cert)
            .arg("-key")
            .arg(&cert.key)
            .arg(match version {
                OldTls::V1_0 => "-tls1",
                OldTls::V1_1 => "-tls1_1",
            })
            .args(["-cipher", "DEFAULT:@SECLEVEL=0", "-quiet"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("spawn openssl s_server (is openssl installed?)");
        let mut server = LegacyTls {
            child: Some(child),
            front: None,
            received: Received::default(),
            dir,
        };
        server.wait_ready(tls_addr);
        if let Front::Starttls(dialect) = front {
            server.front = Some(Hostile::start(
                ip,
                port,
                Behaviour::FakeStarttls {
                    dialect,
                    then: AfterStarttls::Splice(tls_addr),
                    received: server.received.clone(),
                },
            ));
        }
        server
    }

    fn wait_ready(&mut self, addr: SocketAddr) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while !port_open(addr) {
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                self.stop();
                panic!(
                    "openssl s_server not ready on {addr} ({exited:?}):\n{}",
                    read_lossy(&self.dir.path().join("s_server.log"))
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What clients sent to the STARTTLS front (empty for implicit TLS).
    pub fn received(&self) -> Vec<u8> {
        self.received.lock().unwrap().clone()
    }

    fn stop(&mut self) {
        self.front = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for LegacyTls {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A certificate as `openssl req -x509` makes it: RSA 2048, self-signed, and a CA
/// certificate (basicConstraints CA:TRUE), for `names` (DNS names or IP addresses, all in
/// the SAN, the first also the CN). Written to `dir`.
pub fn openssl_self_signed(dir: &Path, names: &[&str]) -> CertFiles {
    let first = names.first().copied().unwrap_or("mailcfg test");
    let san: Vec<String> = names
        .iter()
        .map(|n| match n.parse::<std::net::IpAddr>() {
            Ok(_) => format!("IP:{n}"),
            Err(_) => format!("DNS:{n}"),
        })
        .collect();
    let cert = dir.join(format!("{first}-x509.crt.pem"));
    let key = dir.join(format!("{first}-x509.key.pem"));
    let status = Command::new(bin("openssl"))
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .arg("-subj")
        .arg(format!("/CN={first}"))
        .arg("-addext")
        .arg(format!("subjectAltName={}", san.join(",")))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl req");
    assert!(status.success(), "openssl req -x509 failed");
    // Readable by the daemons that are handed it (Dovecot's config reader, s_server).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let der = CertificateDer::from_pem_file(&cert)
        .expect("read the certificate openssl wrote")
        .to_vec();
    CertFiles {
        cert,
        key,
        der,
        names: names.iter().map(|s| s.to_string()).collect(),
    }
}
