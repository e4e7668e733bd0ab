//! Throughput and resource benchmark for `mailcfg batch` (issue #8): 1,000 and 10,000
//! synthetic domains served by a local DNS server ([`ZoneServer`]; dnsmasq was the
//! bottleneck at 10,000, see there), whose MX and SRV records point at a handful of real
//! Dovecot + Postfix servers on loopback addresses. For each run it prints inputs
//! per second, CPU time per domain (user + system, from `/usr/bin/time -v`) and peak RSS,
//! then compares the 10,000-domain run with the 1,000-domain one.
//!
//! **Target** (printed as PASS/FAIL, never a timed test): CPU per domain and peak RSS at
//! 10,000 within 20 % of their values at 1,000; throughput limited by `--jobs` (compare the
//! runs at different `--jobs`).
//!
//! Run with `bash scripts/bench-batch` (it builds, makes a network namespace and runs this
//! inside it). Environment: `MAILCFG_BIN` (default `target/release/mailcfg`), `BENCH_SIZES`
//! (default `1000 10000`), `BENCH_JOBS` (default `8`; e.g. `8 32`), `BENCH_SERVERS` (mail
//! servers, default 3), `BENCH_OUT` (where outputs go, default `target/bench-batch`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;
use support::{Dovecot, DovecotConfig, Postfix, PostfixConfig, TestCa, Validity};

struct Mail {
    _dovecot: Dovecot,
    _postfix: Postfix,
}

/// What one run cost.
struct Figures {
    size: usize,
    jobs: usize,
    wall_s: f64,
    cpu_s: f64,
    peak_rss_kb: u64,
    lines: usize,
    ok: usize,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.size as f64 / self.wall_s
    }
    fn cpu_ms_per_domain(&self) -> f64 {
        self.cpu_s * 1000.0 / self.size as f64
    }
}

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

fn domain(n: usize) -> String {
    format!("c{n}.bench.example")
}

fn start_mail(ca: &TestCa, ip: Ipv4Addr, host: &str) -> Mail {
    let cert = ca.issue(&[host], Validity::Current);
    let mut dovecot = DovecotConfig::new(ip, cert.clone());
    dovecot.auth_socket = true;
    let dovecot = Dovecot::start(dovecot);
    let postfix = Postfix::start(PostfixConfig::new(ip, cert, dovecot.auth_socket()));
    Mail {
        _dovecot: dovecot,
        _postfix: postfix,
    }
}

/// An authoritative DNS server for the synthetic zone, answering by pattern in O(1) per
/// query: dnsmasq keeps MX and SRV records in a list it scans for every query, so with
/// 10,000 domains (30,000 records) it answered about 650 queries a second and was the
/// bottleneck, not mailcfg (see benches/README.md). The answers are what dnsmasq gave:
/// - `c<N>.bench.example` MX 10 `mail<N mod M>.bench.example`;
/// - `_imaps._tcp.c<N>…` SRV 0 1 993 and `_submissions._tcp.c<N>…` SRV 0 1 465 at that host;
/// - `mail<m>.bench.example` A its address;
/// - other types of these names: no data; any other name: NXDOMAIN.
struct ZoneServer {
    addr: std::net::SocketAddr,
}

const ZONE: &str = "bench.example";

impl ZoneServer {
    fn start(ip: Ipv4Addr, hosts: Vec<Ipv4Addr>, domains: usize) -> ZoneServer {
        let socket = std::net::UdpSocket::bind((ip, 53)).expect("bind the bench DNS server");
        let addr = socket.local_addr().unwrap();
        let hosts = std::sync::Arc::new(hosts);
        for _ in 0..2 {
            let socket = socket.try_clone().unwrap();
            let hosts = hosts.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 1500];
                while let Ok((n, peer)) = socket.recv_from(&mut buf) {
                    if let Some(reply) = answer(&buf[..n], &hosts, domains) {
                        let _ = socket.send_to(&reply, peer);
                    }
                }
            });
        }
        ZoneServer { addr }
    }
}

enum Rr {
    A(Ipv4Addr),
    Mx(String),
    Srv(u16, String),
}

/// The reply to one query; None for a packet that is not a query.
fn answer(query: &[u8], hosts: &[Ipv4Addr], domains: usize) -> Option<Vec<u8>> {
    if query.len() < 12 || query[2] & 0x80 != 0 {
        return None;
    }
    let (name, end) = read_name(query, 12)?;
    let qtype = u16::from_be_bytes([*query.get(end)?, *query.get(end + 1)?]);
    let question = &query[12..end + 4];
    let host = |n: usize| format!("mail{}.{ZONE}", n % hosts.len());
    let customer = |label: &str| {
        label
            .strip_prefix('c')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n < domains)
    };
    let labels: Vec<&str> = name.strip_suffix(&format!(".{ZONE}"))?.split('.').collect();
    let (exists, records) = match labels.as_slice() {
        [m] if m.starts_with("mail") => {
            match m[4..].parse::<usize>().ok().filter(|i| *i < hosts.len()) {
                Some(i) => (
                    true,
                    if qtype == 1 {
                        vec![Rr::A(hosts[i])]
                    } else {
                        vec![]
                    },
                ),
                None => (false, vec![]),
            }
        }
        [c] => match customer(c) {
            Some(n) => (
                true,
                if qtype == 15 {
                    vec![Rr::Mx(host(n))]
                } else {
                    vec![]
                },
            ),
            None => (false, vec![]),
        },
        [service, "_tcp", c] if ["_imaps", "_submissions"].contains(service) => match customer(c) {
            Some(n) => {
                let port = if *service == "_imaps" { 993 } else { 465 };
                (
                    true,
                    if qtype == 33 {
                        vec![Rr::Srv(port, host(n))]
                    } else {
                        vec![]
                    },
                )
            }
            None => (false, vec![]),
        },
        _ => (false, vec![]),
    };
    let mut reply = Vec::with_capacity(512);
    reply.extend_from_slice(&query[..2]);
    // QR, opcode 0, AA, RD copied; RA; rcode NXDOMAIN (3) or NOERROR.
    reply.push(0x84 | (query[2] & 0x01));
    reply.push(if exists { 0x80 } else { 0x83 });
    reply.extend_from_slice(&[0, 1]);
    reply.extend_from_slice(&(records.len() as u16).to_be_bytes());
    reply.extend_from_slice(&[0, 0, 0, 0]);
    reply.extend_from_slice(question);
    for record in records {
        let (rtype, rdata) = match record {
            Rr::A(ip) => (1u16, ip.octets().to_vec()),
            Rr::Mx(host) => {
                let mut data = 10u16.to_be_bytes().to_vec();
                data.extend(encode_name(&host));
                (15, data)
            }
            Rr::Srv(port, host) => {
                let mut data = vec![0, 0, 0, 1];
                data.extend_from_slice(&port.to_be_bytes());
                data.extend(encode_name(&host));
                (33, data)
            }
        };
        reply.extend_from_slice(&[0xc0, 0x0c]);
        reply.extend_from_slice(&rtype.to_be_bytes());
        reply.extend_from_slice(&[0, 1, 0, 0, 0x01, 0x2c]);
        reply.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        reply.extend(rdata);
    }
    Some(reply)
}

/// The lower-case name at `at` (no compression in questions) and where it ends.
fn read_name(packet: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels = Vec::new();
    loop {
        let len = *packet.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(packet.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    Some((labels.join("."), at))
}

fn encode_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

fn run(bin: &Path, args: &[String], out: &Path, size: usize, jobs: usize) -> Option<Figures> {
    let stdout = std::fs::File::create(out).ok()?;
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(bin)
        .args(args)
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    let wall_s = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let field = |name: &str| -> Option<f64> {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
    };
    let text = std::fs::read_to_string(out).ok()?;
    let lines = text.lines().count();
    let ok = text.lines().filter(|l| l.contains("\"ok\":true")).count();
    let (Some(user), Some(sys), Some(rss)) = (
        field("User time (seconds):"),
        field("System time (seconds):"),
        field("Maximum resident set size (kbytes):"),
    ) else {
        eprintln!("bench-batch: cannot read /usr/bin/time's figures:\n{stderr}");
        return None;
    };
    Some(Figures {
        size,
        jobs,
        wall_s,
        cpu_s: user + sys,
        peak_rss_kb: rss as u64,
        lines,
        ok,
    })
}

fn main() -> ExitCode {
    support::require_netns();
    let bin = std::env::var("MAILCFG_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/mailcfg")
        });
    let out_dir = std::env::var("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("target/bench-batch"));
    std::fs::create_dir_all(&out_dir).expect("create BENCH_OUT");
    let sizes = env_list("BENCH_SIZES", "1000 10000");
    let jobs_list = env_list("BENCH_JOBS", "8");
    let servers = env_list("BENCH_SERVERS", "3")
        .first()
        .copied()
        .unwrap_or(3)
        .max(1);
    let largest = sizes.iter().copied().max().unwrap_or(0);

    let ca = TestCa::temp();
    let hosts: Vec<(String, Ipv4Addr)> = (0..servers)
        .map(|m| (format!("mail{m}.bench.example"), support::next_ip()))
        .collect();
    let _mail: Vec<Mail> = hosts
        .iter()
        .map(|(host, ip)| start_mail(&ca, *ip, host))
        .collect();
    let dns = ZoneServer::start(
        support::next_ip(),
        hosts.iter().map(|(_, ip)| *ip).collect(),
        largest,
    );
    println!(
        "bench-batch: {servers} Dovecot+Postfix servers, a synthetic zone of {largest} domains, binary {}",
        bin.display()
    );

    let mut figures = Vec::new();
    for &jobs in &jobs_list {
        for &size in &sizes {
            let input = out_dir.join(format!("input-{size}.txt"));
            let list: String = (0..size).map(|n| domain(n) + "\n").collect();
            std::fs::write(&input, list).expect("write the input");
            let args: Vec<String> = [
                "batch",
                &input.display().to_string(),
                "--jobs",
                &jobs.to_string(),
                "--dns-server",
                &dns.addr.to_string(),
                "--ca-file",
                &ca.ca_pem().display().to_string(),
                "--no-ispdb",
                "--timeout",
                "5",
            ]
            .map(str::to_string)
            .to_vec();
            let out = out_dir.join(format!("out-{size}-j{jobs}.jsonl"));
            match run(&bin, &args, &out, size, jobs) {
                Some(f) => {
                    println!(
                        "  {size:>6} domains, --jobs {jobs:>2}: {:>7.1} s, {:>6.1} inputs/s, \
                         CPU {:>6.2} ms/domain, peak RSS {:>6.1} MB, {} lines ({} ok)",
                        f.wall_s,
                        f.per_second(),
                        f.cpu_ms_per_domain(),
                        f.peak_rss_kb as f64 / 1024.0,
                        f.lines,
                        f.ok
                    );
                    figures.push(f);
                }
                None => return ExitCode::FAILURE,
            }
        }
    }
    verdict(&figures, &sizes, &jobs_list)
}

/// The largest size against the smallest, per --jobs: CPU per domain and peak RSS within
/// 20 %, and every line written and ok.
fn verdict(figures: &[Figures], sizes: &[usize], jobs_list: &[usize]) -> ExitCode {
    let (Some(&small), Some(&large)) = (sizes.iter().min(), sizes.iter().max()) else {
        return ExitCode::SUCCESS;
    };
    let mut pass = true;
    println!(
        "\n  --jobs | CPU/domain {large} vs {small} | peak RSS {large} vs {small} | all lines ok | verdict"
    );
    for &jobs in jobs_list {
        let find = |size| figures.iter().find(|f| f.size == size && f.jobs == jobs);
        let (Some(a), Some(b)) = (find(small), find(large)) else {
            continue;
        };
        let cpu = b.cpu_ms_per_domain() / a.cpu_ms_per_domain();
        let rss = b.peak_rss_kb as f64 / a.peak_rss_kb as f64;
        let complete = [a, b].iter().all(|f| f.lines == f.size && f.ok == f.size);
        let ok = cpu <= 1.2 && rss <= 1.2 && complete;
        pass &= ok;
        println!(
            "  {jobs:>6} | {cpu:>21.2}× | {rss:>19.2}× | {complete:>12} | {}",
            if ok { "PASS" } else { "FAIL" }
        );
    }
    if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
