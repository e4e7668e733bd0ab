//! `mailcfg batch` end to end: dnsmasq serving many domains whose SRV records point at one
//! real Dovecot + Postfix, tarpits, a counting server for the per-server limit, and an
//! in-process server that records every byte it receives.

use super::detect::MailServers;
use crate::support::hostile::{AfterStarttls, Dialect, Received};
use crate::support::{self, Behaviour, Dns, DnsRecords, Hostile, TestCa};
use serde_json::Value;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const MAIL_HOST: &str = "mail.batch.test";

/// The shared servers: `domains` are served by SRV records naming [`MAIL_HOST`].
struct Setup {
    ca: TestCa,
    dns: Dns,
    _mail: MailServers,
    _extra: Vec<Hostile>,
}

fn srv_domain(records: DnsRecords, domain: &str) -> DnsRecords {
    records
        .srv(&format!("_imaps._tcp.{domain}"), MAIL_HOST, 993, 0, 1)
        .srv(&format!("_submissions._tcp.{domain}"), MAIL_HOST, 465, 0, 1)
}

impl Setup {
    /// `dN.test` for N in `0..domains`, and `slow.test`, whose SRV names a tarpit.
    fn start(domains: usize) -> Setup {
        support::require_netns();
        let ca = TestCa::temp();
        let mail = MailServers::start(&ca, &[MAIL_HOST], |_| {});
        let tarpit_ip = support::next_ip();
        let tarpit = Hostile::start(tarpit_ip, 993, Behaviour::Tarpit);
        let mut records = DnsRecords::new()
            .a(MAIL_HOST, mail.ip)
            .a("tarpit.batch.test", tarpit_ip)
            .srv("_imaps._tcp.slow.test", "tarpit.batch.test", 993, 0, 1);
        for n in 0..domains {
            records = srv_domain(records, &format!("d{n}.test"));
        }
        let dns = Dns::start(support::next_ip(), 53, records);
        Setup {
            ca,
            dns,
            _mail: mail,
            _extra: vec![tarpit],
        }
    }

    fn args(&self) -> Vec<String> {
        [
            "batch",
            "--dns-server",
            &self.dns.addr().to_string(),
            "--ca-file",
            &self.ca.ca_pem().display().to_string(),
            "--timeout",
            "2",
            "--no-ispdb",
        ]
        .map(str::to_string)
        .to_vec()
    }
}

/// Run `mailcfg` with `args`, `stdin` on its standard input and stdout to `stdout` (or
/// captured).
fn run(args: &[String], stdin: &str, stdout: Option<std::fs::File>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailcfg"));
    cmd.args(args).env("LANG", "C").stdin(Stdio::piped());
    cmd.stdout(stdout.map_or_else(Stdio::piped, Stdio::from));
    cmd.stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run mailcfg");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    let output = child.wait_with_output().expect("wait for mailcfg");
    if std::env::var("MAILCFG_TEST_SHOW").is_ok_and(|v| v == "1") {
        eprintln!(
            "$ mailcfg {}  # exit {:?}\n{}{}",
            args.join(" "),
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// Every stdout line parsed; panics on a line that is not JSON.
fn lines(text: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(text)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn numbers(lines: &[Value]) -> Vec<u64> {
    lines.iter().map(|l| l["line"].as_u64().unwrap()).collect()
}

fn with(args: &[String], extra: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

#[test]
fn lines_come_in_input_order_with_comments_domains_and_malformed_inputs() {
    let setup = Setup::start(3);
    // slow.test takes a whole --timeout (its only server is a tarpit); the lines after it
    // finish first and must still be written after it.
    let input = "# customers\nslow.test\n\ntaro@d0.test\nd1.test  # bare domain\n\
                 not an address\n#x\nd2.test\n@bad\nnxdomain.test\n";
    let output = run(&with(&setup.args(), &["--jobs", "4", "-"]), input, None);
    let got = lines(&output.stdout);
    assert_eq!(numbers(&got), [2, 4, 5, 6, 8, 9, 10], "{got:#?}");
    let inputs: Vec<&str> = got.iter().map(|l| l["input"].as_str().unwrap()).collect();
    assert_eq!(
        inputs,
        [
            "slow.test",
            "taro@d0.test",
            "d1.test",
            "not an address",
            "d2.test",
            "@bad",
            "nxdomain.test"
        ]
    );
    let oks: Vec<bool> = got.iter().map(|l| l["ok"].as_bool().unwrap()).collect();
    assert_eq!(oks, [false, true, true, false, true, false, false]);
    assert_eq!(got[0]["error"]["kind"], "not-found", "{:#}", got[0]);
    assert_eq!(got[2]["email"], "postmaster@d1.test");
    let imap = &got[2]["result"]["incoming"][0];
    assert_eq!(imap["host"], MAIL_HOST, "{imap:#}");
    assert_eq!(imap["verified"], true, "{imap:#}");
    assert_eq!(got[1]["result"]["command"], "detect");
    for malformed in [&got[3], &got[5]] {
        assert_eq!(
            malformed["error"]["kind"], "malformed-input",
            "{malformed:#}"
        );
        assert_eq!(malformed["exit"], 2);
        assert!(malformed["result"].is_null());
    }
    assert_eq!(got[6]["error"]["kind"], "not-found");
    assert_eq!(
        got[6]["error"]["finding"], "domain-not-found",
        "{:#}",
        got[6]
    );
    // Some lines failed: exit 1.
    assert_eq!(output.status.code(), Some(1));
    // The DNS cache: MAIL_HOST was looked up once for three domains.
    let asked = setup
        .dns
        .log()
        .lines()
        .filter(|l| l.contains(&format!("query[A] {MAIL_HOST}")))
        .count();
    assert_eq!(asked, 1, "{}", setup.dns.log());
}

#[test]
fn shards_together_answer_every_line_exactly_once() {
    let setup = Setup::start(12);
    let mut input = String::from("# twelve domains and a comment\n");
    for n in 0..12 {
        input.push_str(&format!("d{n}.test\n"));
    }
    let args = with(&setup.args(), &["--jobs", "4"]);
    let whole = lines(&run(&args, &input, None).stdout);
    assert_eq!(numbers(&whole), (2..=13).collect::<Vec<u64>>());
    let mut merged: Vec<(u64, String)> = Vec::new();
    for i in 1..=3 {
        let shard = lines(&run(&with(&args, &["--shard", &format!("{i}/3")]), &input, None).stdout);
        let own = numbers(&shard);
        assert!(own.windows(2).all(|w| w[0] < w[1]), "in order: {own:?}");
        assert!(own.len() < 12, "shard {i}/3 took everything");
        merged.extend(
            shard
                .iter()
                .map(|l| (l["line"].as_u64().unwrap(), l["input"].to_string())),
        );
    }
    merged.sort();
    let expected: Vec<(u64, String)> = whole
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["input"].to_string()))
        .collect();
    assert_eq!(merged, expected);
}

#[test]
fn resume_after_a_killed_run_skips_exactly_the_answered_lines() {
    let setup = Setup::start(8);
    let input: String = (0..8).map(|n| format!("d{n}.test\n")).collect();
    let args = with(&setup.args(), &["--jobs", "3"]);
    let full = run(&args, &input, None);
    let text = String::from_utf8(full.stdout).unwrap();
    // What a run killed while writing its fourth line leaves behind.
    let mut kept: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
    let fourth = text.lines().nth(3).unwrap();
    kept.push_str(&fourth[..fourth.len() / 2]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, &kept).unwrap();

    // mailcfg batch … --resume out.jsonl >> out.jsonl
    let append = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
    let resumed = run(
        &with(&args, &["--resume", &out.display().to_string()]),
        &input,
        Some(append),
    );
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(stderr.contains("unfinished last line"), "{stderr}");
    assert_eq!(resumed.status.code(), Some(0), "{stderr}");
    let all = lines(&std::fs::read(&out).unwrap());
    assert_eq!(
        numbers(&all),
        (1..=8).collect::<Vec<u64>>(),
        "each line once"
    );
    assert!(all.iter().all(|l| l["ok"] == true));

    // Once everything is answered, a resumed run does nothing.
    let again = run(
        &with(&args, &["--resume", &out.display().to_string()]),
        &input,
        None,
    );
    assert!(again.stdout.is_empty());
    assert_eq!(again.status.code(), Some(0));
}

/// A server on every mail port of one address that holds each connection for a moment,
/// then closes it, counting how many are open at once. It stops counting a connection
/// before closing it, so a client can only open the next one after the count went down.
struct CountingServer {
    peak: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
}

impl CountingServer {
    fn start(ip: Ipv4Addr) -> CountingServer {
        let open = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        for port in [993, 143, 995, 110, 465, 587, 25] {
            let listener = TcpListener::bind((ip, port)).unwrap();
            let (open, peak, total) = (open.clone(), peak.clone(), total.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    total.fetch_add(1, Ordering::SeqCst);
                    let open = open.clone();
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_millis(100));
                        open.fetch_sub(1, Ordering::SeqCst);
                        drop(stream);
                    });
                }
            });
        }
        CountingServer { peak, total }
    }
}

#[test]
fn no_server_sees_more_connections_at_once_than_the_per_host_limit() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let server = CountingServer::start(ip);
    let mut records = DnsRecords::new().a("mx.shared.test", ip);
    let mut input = String::new();
    for n in 0..6 {
        let domain = format!("c{n}.test");
        records = records
            .mx(&domain, "mx.shared.test", 10)
            .srv(
                &format!("_imaps._tcp.{domain}"),
                "mx.shared.test",
                993,
                0,
                1,
            )
            .srv(
                &format!("_pop3s._tcp.{domain}"),
                "mx.shared.test",
                995,
                0,
                1,
            )
            .srv(
                &format!("_submission._tcp.{domain}"),
                "mx.shared.test",
                587,
                0,
                1,
            );
        input.push_str(&format!("{domain}\n"));
    }
    let dns = Dns::start(support::next_ip(), 53, records);
    let args = [
        "batch",
        "--dns-server",
        &dns.addr().to_string(),
        "--ca-file",
        &ca.ca_pem().display().to_string(),
        "--timeout",
        "2",
        "--deadline",
        "30",
        "--no-ispdb",
        "--jobs",
        "6",
        "--per-host",
        "2",
    ]
    .map(str::to_string);
    let output = run(&args, &input, None);
    assert_eq!(lines(&output.stdout).len(), 6);
    let total = server.total.load(Ordering::SeqCst);
    assert!(
        total >= 18,
        "six domains, several ports each: {total} connections"
    );
    // Reached, never exceeded.
    assert_eq!(server.peak.load(Ordering::SeqCst), 2, "{total} connections");
}

#[test]
fn offline_needs_no_dns_at_all() {
    support::require_netns();
    // No --dns-server: the namespace's resolver address has nothing behind it.
    let args = ["batch", "--offline", "--jobs", "2"].map(str::to_string);
    let output = run(
        &args,
        "taro@docomo.ne.jp\nezweb.ne.jp\nunknown.example\n",
        None,
    );
    let got = lines(&output.stdout);
    assert_eq!(numbers(&got), [1, 2, 3]);
    assert_eq!(got[0]["result"]["mode"], "offline");
    assert_eq!(got[0]["result"]["provider"]["id"], "docomo", "{:#}", got[0]);
    assert_eq!(got[1]["ok"], true);
    assert_eq!(got[2]["ok"], false);
    assert_eq!(got[2]["error"]["kind"], "not-found");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn bad_flags_and_unreadable_files_are_usage_errors() {
    for extra in [
        vec!["--shard", "4/3"],
        vec!["--jobs", "0"],
        vec!["/nonexistent/list.txt"],
    ] {
        let mut args = vec!["batch".to_string(), "--offline".to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        let output = run(&args, "", None);
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("mailcfg: ") || stderr.contains("error:"),
            "{stderr}"
        );
    }
}

/// Nothing `batch` sends is a login: every byte the servers received is recorded, on
/// every port where a password could be asked for, from servers that advertise AUTH
/// PLAIN to tempt a client.
#[test]
fn promise_1_batch_sends_no_password() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let received: Received = Received::default();
    let servers: Vec<Hostile> = [
        (143, Dialect::Imap),
        (110, Dialect::Pop3),
        (587, Dialect::Smtp),
        (25, Dialect::Smtp),
    ]
    .into_iter()
    .map(|(port, dialect)| {
        Hostile::start(
            ip,
            port,
            Behaviour::FakeStarttls {
                dialect,
                then: AfterStarttls::Refuse,
                received: received.clone(),
            },
        )
    })
    .collect();
    let mut records = DnsRecords::new().a("mail.tempt.test", ip);
    let mut input = String::new();
    for n in 0..3 {
        let domain = format!("t{n}.test");
        records = records
            .mx(&domain, "mail.tempt.test", 10)
            .srv(
                &format!("_imap._tcp.{domain}"),
                "mail.tempt.test",
                143,
                0,
                1,
            )
            .srv(
                &format!("_pop3._tcp.{domain}"),
                "mail.tempt.test",
                110,
                0,
                1,
            )
            .srv(
                &format!("_submission._tcp.{domain}"),
                "mail.tempt.test",
                587,
                0,
                1,
            );
        input.push_str(&format!("user{n}@{domain}\n"));
    }
    let dns = Dns::start(support::next_ip(), 53, records);
    let args = [
        "batch",
        "--dns-server",
        &dns.addr().to_string(),
        "--ca-file",
        &ca.ca_pem().display().to_string(),
        "--timeout",
        "2",
        "--no-ispdb",
    ]
    .map(str::to_string);
    let output = run(&args, &input, None);
    let got = lines(&output.stdout);
    assert_eq!(got.len(), 3);
    // The servers were really talked to (a plaintext-only setting was found)…
    assert!(servers.iter().all(|s| s.connections() > 0));
    let bytes = received.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&bytes).to_ascii_uppercase();
    assert!(
        ["S1 STARTTLS", "EHLO", "CAPA", "STLS"]
            .iter()
            .all(|c| text.contains(c)),
        "{text}"
    );
    // …and were never sent a login or a password.
    for command in text.lines() {
        let words: Vec<&str> = command.split_whitespace().collect();
        let verb = |i: usize| words.get(i).copied().unwrap_or("");
        for forbidden in ["AUTH", "AUTHENTICATE", "LOGIN", "USER", "PASS", "APOP"] {
            assert!(
                verb(0) != forbidden && verb(1) != forbidden,
                "sent {command:?}"
            );
        }
    }
}
