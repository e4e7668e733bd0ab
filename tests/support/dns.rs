//! An authoritative-only DNS server for the test: dnsmasq in the foreground, answering from the
//! records given on its command line only (no upstream, no /etc/hosts).
//!
//! With `--local=/#/` every name is "local": a name with records of other types gets NOERROR and
//! no data (e.g. AAAA of an A-only name), an unknown name gets NXDOMAIN. Reverse (PTR) records
//! are generated from the A/AAAA records.

use super::{STARTUP_TIMEOUT, bin, read_lossy, service_tempdir, wait_child};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Records for [`Dns::start`], built up with chained calls.
#[derive(Clone, Debug, Default)]
pub struct DnsRecords {
    hosts: BTreeMap<String, Vec<IpAddr>>,
    lines: Vec<String>,
}

impl DnsRecords {
    pub fn new() -> DnsRecords {
        DnsRecords::default()
    }

    /// An A record (repeat for several addresses).
    pub fn a(mut self, name: &str, ip: Ipv4Addr) -> Self {
        self.hosts.entry(name.into()).or_default().push(ip.into());
        self
    }

    /// An AAAA record (repeat for several addresses).
    pub fn aaaa(mut self, name: &str, ip: Ipv6Addr) -> Self {
        self.hosts.entry(name.into()).or_default().push(ip.into());
        self
    }

    /// An MX record: `domain` → `host` with preference `pref`.
    pub fn mx(mut self, domain: &str, host: &str, pref: u16) -> Self {
        self.lines.push(format!("mx-host={domain},{host},{pref}"));
        self
    }

    /// An SRV record; `service_name` is the full owner name, e.g. `_imaps._tcp.example.test`.
    pub fn srv(
        mut self,
        service_name: &str,
        target: &str,
        port: u16,
        priority: u16,
        weight: u16,
    ) -> Self {
        self.lines.push(format!(
            "srv-host={service_name},{target},{port},{priority},{weight}"
        ));
        self
    }

    /// An SRV record with target "." (RFC 2782/6186: service decidedly not offered). dnsmasq
    /// writes it as priority 0, weight 0, port 1, target ".".
    pub fn srv_none(mut self, service_name: &str) -> Self {
        self.lines.push(format!("srv-host={service_name}"));
        self
    }

    /// A CNAME `alias` → `target` (the target may be unknown to this server).
    pub fn cname(mut self, alias: &str, target: &str) -> Self {
        self.lines.push(format!("cname={alias},{target}"));
        self
    }

    /// A TXT record with one string.
    pub fn txt(mut self, name: &str, text: &str) -> Self {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        self.lines.push(format!("txt-record={name},\"{escaped}\""));
        self
    }

    /// dnsmasq configuration-file lines (the file format honours quotes in TXT data; the
    /// command line does not).
    fn to_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, ips) in &self.hosts {
            for ip in ips {
                out.push(format!("host-record={name},{ip}"));
            }
        }
        out.extend(self.lines.iter().cloned());
        out
    }
}

/// A running dnsmasq; killed when dropped.
pub struct Dns {
    addr: SocketAddr,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Dns {
    /// Serves `records` on `ip:port` (UDP and TCP); returns once it answers queries.
    pub fn start(ip: Ipv4Addr, port: u16, records: DnsRecords) -> Dns {
        let dir = service_tempdir("mailcfg-dns-");
        let log = dir.path().join("dnsmasq.log");
        let conf = dir.path().join("dnsmasq.conf");
        std::fs::write(&conf, records.to_lines().join("\n") + "\n").unwrap();
        let mut cmd = Command::new(bin("dnsmasq"));
        cmd.arg(format!("--conf-file={}", conf.display()));
        cmd.args([
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--local=/#/",
            "--bind-interfaces",
            "--user=root",
            "--pid-file=",
            "--log-queries",
        ])
        .arg(format!("--listen-address={ip}"))
        .arg(format!("--port={port}"))
        .arg(format!("--log-facility={}", log.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap());
        let child = cmd
            .spawn()
            .expect("spawn dnsmasq (is dnsmasq-base installed? .ci/run installs it)");
        let mut dns = Dns {
            addr: SocketAddr::from((ip, port)),
            child: Some(child),
            dir,
        };
        dns.wait_ready();
        dns
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if query_answers(self.addr) {
                return;
            }
            let exited = self.child.as_mut().unwrap().try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                self.stop();
                panic!(
                    "dnsmasq on {} did not answer ({exited:?})\n--- dnsmasq.conf ---\n{}\n--- stderr ---\n{}\n--- log ---\n{}",
                    self.addr,
                    read_lossy(&self.dir.path().join("dnsmasq.conf")),
                    read_lossy(&self.dir.path().join("stderr.log")),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// dnsmasq's log, one line per query and answer (`--log-queries`).
    pub fn log(&self) -> String {
        read_lossy(&self.dir.path().join("dnsmasq.log"))
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            wait_child(&mut child, Duration::from_secs(5));
        }
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        self.stop();
    }
}

/// True when `server` answers (any rcode) an A query for `ready.invalid.`.
fn query_answers(server: SocketAddr) -> bool {
    let Ok(sock) = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)) else {
        return false;
    };
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    let id: u16 = 0x4d43;
    let mut q = Vec::new();
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // RD, QDCOUNT 1
    for label in ["ready", "invalid"] {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]); // root, type A, class IN
    if sock.send_to(&q, server).is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    matches!(sock.recv_from(&mut buf), Ok((n, _)) if n >= 12 && buf[..2] == id.to_be_bytes())
}
