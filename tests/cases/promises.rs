//! The security promises of README's "Security" section, one or more named tests each
//! (`promise_<n>_…`), run against the real binary. Promise 2 (`check`) and 7 (atomic `-o`
//! output) have their tests beside those commands, and promise 1's for `batch` and `lint`
//! too (`promise_1_batch_*`, `promise_1_lint_*`).

use super::{mailcfg, mailcfg_json};
use crate::support::hostile::{AfterStarttls, Dialect, Received};
use crate::support::{
    self, Behaviour, Dns, DnsRecords, Hostile, HttpServer, Response, Routes, TestCa, Validity,
};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Promise 1: detect and probe never send a password.
// ---------------------------------------------------------------------------------------------

/// Servers on every standard port of one address that want a password: each offers AUTH
/// PLAIN and LOGIN (and USER, and APOP's timestamp) and says yes to every command, in
/// implicit TLS or after STARTTLS, with a certificate the client trusts. Each records
/// every byte it received, decrypted.
struct Welcoming {
    ip: Ipv4Addr,
    servers: Vec<(u16, Dialect, Received, Hostile)>,
}

impl Welcoming {
    fn start(ca: &TestCa, names: &[&str]) -> Welcoming {
        let ip = support::next_ip();
        let config = crate::support::tls::server_config(&ca.issue(names, Validity::Current), &[]);
        let ports = [
            (993, Dialect::Imap, true),
            (143, Dialect::Imap, false),
            (995, Dialect::Pop3, true),
            (110, Dialect::Pop3, false),
            (465, Dialect::Smtp, true),
            (587, Dialect::Smtp, false),
            (25, Dialect::Smtp, false),
        ];
        let servers = ports
            .into_iter()
            .map(|(port, dialect, implicit)| {
                let received = Received::default();
                let server = Hostile::start(
                    ip,
                    port,
                    Behaviour::Welcoming {
                        dialect,
                        tls: Some(config.clone()),
                        implicit,
                        received: received.clone(),
                    },
                );
                (port, dialect, received, server)
            })
            .collect();
        Welcoming { ip, servers }
    }

    /// Every server was talked to until the goodbye of a probe's dialogue (after STARTTLS
    /// where the port has it, so inside TLS, where a login would come) and none received a
    /// command that carries or starts a login.
    fn assert_no_password_arrived(&self) {
        for (port, dialect, received, _) in &self.servers {
            let (starttls, goodbye) = match dialect {
                Dialect::Imap => ("STARTTLS", "LOGOUT"),
                Dialect::Pop3 => ("STLS", "QUIT"),
                Dialect::Smtp => ("STARTTLS", "QUIT"),
            };
            // mailcfg does not wait for the goodbye's answer: the server thread may still be
            // reading the last bytes when the command has ended.
            let read = || String::from_utf8_lossy(&received.lock().unwrap()).to_string();
            let started = std::time::Instant::now();
            while !read().contains(goodbye) && started.elapsed() < Duration::from_secs(3) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let text = read();
            assert!(
                text.contains(goodbye),
                "port {port} never got to {goodbye}: {text:?}"
            );
            if [143, 110, 587, 25].contains(port) {
                let upgraded = text
                    .find(starttls)
                    .is_some_and(|at| text[at..].contains(goodbye));
                assert!(upgraded, "port {port} did not go on inside TLS: {text:?}");
            }
            assert_no_login(*dialect, &text, *port);
        }
    }
}

/// No line of `text` (what a server received) is a login command.
fn assert_no_login(dialect: Dialect, text: &str, port: u16) {
    for line in text.lines() {
        let words: Vec<String> = line
            .split_whitespace()
            .map(str::to_ascii_uppercase)
            .collect();
        let verb = match dialect {
            Dialect::Imap => words.get(1),
            Dialect::Pop3 | Dialect::Smtp => words.first(),
        };
        assert!(
            !matches!(
                verb.map(String::as_str),
                Some("LOGIN" | "AUTHENTICATE" | "AUTH" | "USER" | "PASS" | "APOP")
            ),
            "port {port} received a login command: {line:?}"
        );
    }
    let upper = text.to_ascii_uppercase();
    for word in ["LOGIN ", "AUTH", "PASS ", "USER ", "APOP "] {
        assert!(
            !upper.contains(word),
            "port {port} received {word:?}: {text:?}"
        );
    }
}

#[test]
fn promise_1_probe_never_sends_a_password() {
    support::require_netns();
    let ca = TestCa::temp();
    let host = "mail.welcome.test";
    let servers = Welcoming::start(&ca, &[host]);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().a(host, servers.ip),
    );
    let (dns, ca_file) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    let (json, code, _) = mailcfg_json(&[
        "probe",
        host,
        "--dns-server",
        &dns,
        "--ca-file",
        &ca_file,
        "--timeout",
        "3",
    ]);
    // Every port answered in full (so each dialogue went as far as a probe goes).
    assert_eq!(code, 0, "{json:#}");
    servers.assert_no_password_arrived();
}

#[test]
fn promise_1_detect_never_sends_a_password() {
    support::require_netns();
    let ca = TestCa::temp();
    let names = ["imap.welcome.test", "pop.welcome.test", "smtp.welcome.test"];
    let servers = Welcoming::start(&ca, &names);
    let mut records = DnsRecords::new();
    for name in names {
        records = records.a(name, servers.ip);
    }
    let records = records
        .srv("_imaps._tcp.welcome.test", "imap.welcome.test", 993, 0, 1)
        .srv("_imap._tcp.welcome.test", "imap.welcome.test", 143, 0, 1)
        .srv("_pop3s._tcp.welcome.test", "pop.welcome.test", 995, 0, 1)
        .srv("_pop3._tcp.welcome.test", "pop.welcome.test", 110, 0, 1)
        .srv(
            "_submissions._tcp.welcome.test",
            "smtp.welcome.test",
            465,
            0,
            1,
        )
        .srv(
            "_submission._tcp.welcome.test",
            "smtp.welcome.test",
            587,
            0,
            1,
        );
    let dns = Dns::start(support::next_ip(), 53, records);
    let (dns, ca_file) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    let (json, code, _) = mailcfg_json(&[
        "detect",
        "taro@welcome.test",
        "--no-ispdb",
        "--dns-server",
        &dns,
        "--ca-file",
        &ca_file,
        "--timeout",
        "3",
    ]);
    assert_eq!(code, 0, "{json:#}");
    // detect probes what the sources named; port 25 is never one of them.
    let probed: Vec<u64> = json["probes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["port"].as_u64())
        .collect();
    for (port, dialect, received, _) in &servers.servers {
        let text = String::from_utf8_lossy(&received.lock().unwrap()).to_string();
        assert_no_login(*dialect, &text, *port);
        if probed.contains(&u64::from(*port)) {
            assert!(!text.is_empty(), "port {port} was probed but heard nothing");
        }
    }
    for port in [993, 143, 995, 110, 465, 587] {
        assert!(probed.contains(&port), "port {port} not probed: {json:#}");
    }
}

// ---------------------------------------------------------------------------------------------
// Promise 3: https autoconfig never follows a redirect to http; redirects and bodies are
// capped; a DTD, an entity or an external reference in XML is refused.
// ---------------------------------------------------------------------------------------------

const CONFIG_PATH: &str = "/mail/config-v1.1.xml";

/// An autoconfig document naming `host` for IMAP.
fn config_naming(host: &str) -> String {
    format!(
        r#"<clientConfig version="1.1"><emailProvider id="x">
      <incomingServer type="imap"><hostname>{host}</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
    </emailProvider></clientConfig>"#
    )
}

/// `detect --json --no-probe` for `email` with `routes` served over https (and plain http,
/// with `plain`) on autoconfig.<domain>; the JSON and the requests each server saw.
fn detect_with_web(
    domain: &str,
    https_routes: Routes,
    plain_routes: Routes,
) -> (Value, Vec<String>, Vec<String>) {
    support::require_netns();
    let ca = TestCa::temp();
    let web_ip = support::next_ip();
    let web_name = format!("autoconfig.{domain}");
    let web = HttpServer::https(
        web_ip,
        ca.issue(&[&web_name], Validity::Current),
        https_routes,
    );
    let plain = HttpServer::plain(web_ip, plain_routes);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().a(&web_name, web_ip),
    );
    let (dns, ca_file) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    let email = format!("taro@{domain}");
    let (json, _, _) = mailcfg_json(&[
        "detect",
        &email,
        "--no-ispdb",
        "--no-probe",
        "--dns-server",
        &dns,
        "--ca-file",
        &ca_file,
        "--timeout",
        "3",
    ]);
    let paths = |server: &HttpServer| server.requests().into_iter().map(|r| r.path).collect();
    (json, paths(&web), paths(&plain))
}

/// The report of `https://autoconfig.<domain>/…`.
fn https_autoconfig_report(json: &Value) -> &Value {
    json["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| {
            s["kind"] == "autoconfig"
                && s["query"]
                    .as_str()
                    .is_some_and(|q| q.starts_with("https://autoconfig."))
        })
        .unwrap_or_else(|| panic!("no https autoconfig report: {json:#}"))
}

fn nowhere_named(json: &Value, host: &str) {
    assert!(
        !json.to_string().contains(host),
        "{host} reached the result: {json:#}"
    );
}

#[test]
fn promise_3_https_autoconfig_never_follows_a_redirect_to_http() {
    let evil = "/evil/config-v1.1.xml";
    let (json, https, plain) = detect_with_web(
        "p3down.test",
        Routes::new().route(
            "autoconfig.p3down.test",
            CONFIG_PATH,
            Response::redirect(301, &format!("http://autoconfig.p3down.test{evil}")),
        ),
        Routes::new().route(
            "autoconfig.p3down.test",
            evil,
            Response::xml(config_naming("mail.attacker.test")),
        ),
    );
    assert_eq!(https.len(), 1, "{https:?}");
    assert!(!plain.iter().any(|p| p == evil), "followed: {plain:?}");
    assert_eq!(https_autoconfig_report(&json)["status"]["state"], "failed");
    nowhere_named(&json, "mail.attacker.test");
}

#[test]
fn promise_3_redirects_are_capped() {
    // Every hop redirects to the next, forever.
    let mut routes = Routes::new();
    for hop in 0..10 {
        let next = format!("/hop{}", hop + 1);
        let path = if hop == 0 {
            CONFIG_PATH.to_string()
        } else {
            format!("/hop{hop}")
        };
        routes = routes.route(
            "autoconfig.p3loop.test",
            &path,
            Response::redirect(302, &next),
        );
    }
    let (json, https, _) = detect_with_web("p3loop.test", routes, Routes::new());
    // The first request and at most three redirects (MAX_REDIRECTS).
    let hops = https.iter().filter(|p| p.starts_with("/hop")).count();
    assert_eq!(hops, 3, "{https:?}");
    let report = https_autoconfig_report(&json);
    assert_eq!(report["status"]["state"], "failed", "{report:#}");
    assert!(
        report["status"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("redirects")),
        "{report:#}"
    );
}

#[test]
fn promise_3_bodies_are_capped() {
    // A valid document padded past 1 MiB, declared and undeclared (read until close).
    let mut big = config_naming("mail.big.test");
    big.push_str(&" ".repeat(1024 * 1024 + 1));
    let (json, _, _) = detect_with_web(
        "p3big.test",
        Routes::new().route("autoconfig.p3big.test", CONFIG_PATH, Response::xml(big)),
        Routes::new(),
    );
    let report = https_autoconfig_report(&json);
    assert_eq!(report["status"]["state"], "failed", "{report:#}");
    assert!(
        report["status"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("larger than")),
        "{report:#}"
    );
    nowhere_named(&json, "mail.big.test");

    let mut endless = config_naming("mail.endless.test").into_bytes();
    endless.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    let (json, _, _) = detect_with_web(
        "p3stream.test",
        Routes::new().route(
            "autoconfig.p3stream.test",
            CONFIG_PATH,
            Response::until_close(endless),
        ),
        Routes::new(),
    );
    let report = https_autoconfig_report(&json);
    assert_eq!(report["status"]["state"], "failed", "{report:#}");
    nowhere_named(&json, "mail.endless.test");
}

#[test]
fn promise_3_dtds_entities_and_external_references_are_refused() {
    let documents = [
        // An internal entity (billion laughs starts so).
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE clientConfig [<!ENTITY h \"mail.dtd.test\">]>{}",
            config_naming("&h;")
        ),
        // An external entity (XXE).
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE clientConfig [<!ENTITY h SYSTEM \"file:///etc/hostname\">]>{}",
            config_naming("&h;mail.dtd.test")
        ),
        // An external DTD.
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE clientConfig SYSTEM \"http://evil.test/x.dtd\">{}",
            config_naming("mail.dtd.test")
        ),
    ];
    for document in documents {
        let (json, _, _) = detect_with_web(
            "p3dtd.test",
            Routes::new().route(
                "autoconfig.p3dtd.test",
                CONFIG_PATH,
                Response::xml(document.clone()),
            ),
            Routes::new(),
        );
        let report = https_autoconfig_report(&json);
        assert_eq!(
            report["status"]["state"], "failed",
            "{document}\n{report:#}"
        );
        assert!(
            report["status"]["detail"]
                .as_str()
                .is_some_and(|d| d.contains("DTDs and entities are not allowed")),
            "{report:#}"
        );
        nowhere_named(&json, "mail.dtd.test");
    }
}

// ---------------------------------------------------------------------------------------------
// Promise 4: nothing walks above the registrable domain; the Public Suffix List decides.
// ---------------------------------------------------------------------------------------------

/// Every name `detect` asked the DNS server about (dnsmasq's query log).
fn names_asked(dns: &Dns) -> Vec<String> {
    dns.log()
        .lines()
        .filter_map(|line| {
            let at = line.find("query[")?;
            // The harness's own readiness query.
            if line.contains("ready.invalid") {
                return None;
            }
            let rest = &line[at..];
            let name = rest.split_whitespace().nth(1)?;
            Some(name.trim_end_matches('.').to_ascii_lowercase())
        })
        .collect()
}

/// Run detect for `email` (its domain and the MX host's domain in the test DNS) and
/// return every name asked.
fn detect_names(email: &str, records: DnsRecords) -> (Value, Vec<String>) {
    support::require_netns();
    let dns = Dns::start(support::next_ip(), 53, records);
    let addr = dns.addr().to_string();
    let (json, _, _) = mailcfg_json(&[
        "detect",
        email,
        "--no-ispdb",
        "--dns-server",
        &addr,
        "--timeout",
        "1",
    ]);
    // dnsmasq writes its log asynchronously.
    std::thread::sleep(Duration::from_millis(200));
    (json, names_asked(&dns))
}

fn assert_within(names: &[String], allowed: &[&str], email: &str) {
    assert!(!names.is_empty(), "{email}: nothing was asked");
    for name in names {
        assert!(
            allowed
                .iter()
                .any(|d| name == d || name.ends_with(&format!(".{d}"))),
            "{email}: asked {name}, outside {allowed:?} (all: {names:?})"
        );
    }
}

#[test]
fn promise_4_nothing_walks_above_the_registrable_domain() {
    // co.jp and ne.jp are public suffixes of two labels; 東京.jp (xn--1lqs71d.jp) one of
    // the prefecture suffixes, in Unicode. The MX of each points into another registrable
    // domain under the same suffix, which is asked too, but never the suffix itself.
    for (email, domain, mx_domain) in [
        (
            "taro@shop.example.co.jp",
            "shop.example.co.jp",
            "hosting.co.jp",
        ),
        ("taro@example.ne.jp", "example.ne.jp", "isp.ne.jp"),
        (
            "taro@city.東京.jp",
            "city.xn--1lqs71d.jp",
            "mail.xn--1lqs71d.jp",
        ),
    ] {
        let mx = format!("mx1.{mx_domain}");
        let (json, names) = detect_names(email, DnsRecords::new().mx(domain, &mx, 10));
        assert_within(&names, &[domain, mx_domain], email);
        for suffix in ["co.jp", "ne.jp", "xn--1lqs71d.jp", "jp"] {
            for host in ["autoconfig", "autodiscover", "_autodiscover._tcp"] {
                let bad = format!("{host}.{suffix}");
                assert!(!names.contains(&bad), "{email}: asked {bad}");
            }
        }
        // The MX's domain was followed (so the test saw a walk that could go wrong).
        assert!(
            names
                .iter()
                .any(|n| n == &format!("autoconfig.{mx_domain}")),
            "{email}: MX domain not asked: {names:?}\n{json:#}"
        );
    }
}

#[test]
fn promise_4_a_public_suffix_as_the_domain_is_never_asked_for_configuration() {
    for (email, suffix) in [("taro@co.jp", "co.jp"), ("taro@東京.jp", "xn--1lqs71d.jp")] {
        let (json, names) = detect_names(email, DnsRecords::new());
        for host in ["autoconfig", "autodiscover"] {
            let bad = format!("{host}.{suffix}");
            assert!(!names.contains(&bad), "{email}: asked {bad}: {names:?}");
        }
        assert!(
            !names.iter().any(|n| n.starts_with("_autodiscover.")),
            "{email}: {names:?}"
        );
        let skipped = json["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| {
                matches!(s["kind"].as_str(), Some("autoconfig" | "autodiscover"))
                    && s["status"]["state"] == "skipped"
            })
            .count();
        assert!(skipped >= 5, "{email}: {json:#}");
    }
}

// ---------------------------------------------------------------------------------------------
// Promise 5: every network step is bounded; a run where every server is hostile ends
// within the documented deadline with every outcome classified.
// ---------------------------------------------------------------------------------------------

/// The outcomes a probe may end with; anything else would be unclassified.
const CLASSIFIED: [&str; 10] = [
    "ok",
    "refused",
    "timeout",
    "silent",
    "closed",
    "not-protocol",
    "tls-error",
    "dns-error",
    "unreachable",
    "not-tried",
];

/// One hostile behaviour on every standard port of one address (and the web ports).
fn hostile_host(ca: &TestCa, names: &[&str]) -> (Ipv4Addr, Vec<Hostile>) {
    let ip = support::next_ip();
    let config = crate::support::tls::server_config(&ca.issue(names, Validity::Current), &[]);
    let second = Duration::from_secs(1);
    let behaviours = [
        // A TLS handshake that stops halfway: ServerHello and part of what follows.
        (
            993,
            Behaviour::StallMidHandshake {
                config: config.clone(),
                send: 150,
            },
        ),
        // A drip of one byte per second.
        (143, Behaviour::Drip { interval: second }),
        (995, Behaviour::Tarpit),
        // Agrees to STARTTLS, then goes silent.
        (
            110,
            Behaviour::FakeStarttls {
                dialect: Dialect::Pop3,
                then: AfterStarttls::Silent,
                received: Received::default(),
            },
        ),
        (465, Behaviour::Garbage),
        (587, Behaviour::EndlessLine),
        (
            25,
            Behaviour::FakeStarttls {
                dialect: Dialect::Smtp,
                then: AfterStarttls::Silent,
                received: Received::default(),
            },
        ),
        (443, Behaviour::StallMidHandshake { config, send: 150 }),
        (80, Behaviour::Drip { interval: second }),
    ];
    let servers = behaviours
        .into_iter()
        .map(|(port, behaviour)| Hostile::start(ip, port, behaviour))
        .collect();
    (ip, servers)
}

fn assert_classified(json: &Value, key: &str) {
    let endpoints = json[key].as_array().cloned().unwrap_or_default();
    assert!(!endpoints.is_empty(), "no {key}: {json:#}");
    for e in endpoints {
        let outcome = e["outcome"].as_str().unwrap_or("");
        assert!(CLASSIFIED.contains(&outcome), "unclassified: {e:#}");
        assert_ne!(outcome, "ok", "a hostile server passed: {e:#}");
    }
}

#[test]
fn promise_5_a_probe_of_a_host_where_every_port_is_hostile_ends_by_its_deadline() {
    support::require_netns();
    let ca = TestCa::temp();
    let host = "mail.hostile5.test";
    let (ip, _servers) = hostile_host(&ca, &[host]);
    let dns = Dns::start(support::next_ip(), 53, DnsRecords::new().a(host, ip));
    let (dns, ca_file) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    // --timeout 2 bounds each step; --deadline 5 the whole run.
    let (json, code, elapsed) = mailcfg_json(&[
        "probe",
        host,
        "--dns-server",
        &dns,
        "--ca-file",
        &ca_file,
        "--timeout",
        "2",
        "--deadline",
        "5",
    ]);
    assert_eq!(code, 3, "{json:#}");
    assert_classified(&json, "endpoints");
    // The handshake that stalled halfway is told from a server that never answered.
    let stalled = json["endpoints"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["port"] == 993))
        .cloned()
        .unwrap_or_default();
    assert_eq!(stalled["outcome"], "timeout", "{stalled:#}");
    assert_eq!(stalled["stage"], "tls-handshake", "{stalled:#}");
    let tarpit = json["endpoints"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["port"] == 995))
        .cloned()
        .unwrap_or_default();
    assert_eq!(tarpit["outcome"], "silent", "{tarpit:#}");
    assert!(
        elapsed < Duration::from_millis(6500),
        "took {elapsed:?} with --deadline 5"
    );
}

#[test]
fn promise_5_detect_where_every_server_is_hostile_ends_by_its_deadline() {
    support::require_netns();
    let ca = TestCa::temp();
    let domain = "hostile5d.test";
    let names = [
        "imap.hostile5d.test",
        "pop.hostile5d.test",
        "smtp.hostile5d.test",
        "mail.hostile5d.test",
        "autoconfig.hostile5d.test",
        "autodiscover.hostile5d.test",
        "hostile5d.test",
    ];
    let (ip, _servers) = hostile_host(&ca, &names);
    let mut records = DnsRecords::new().mx(domain, "mail.hostile5d.test", 10);
    for name in names {
        records = records.a(name, ip);
    }
    let dns = Dns::start(support::next_ip(), 53, records);
    let (dns, ca_file) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    let (json, code, elapsed) = mailcfg_json(&[
        "detect",
        "taro@hostile5d.test",
        "--no-ispdb",
        "--dns-server",
        &dns,
        "--ca-file",
        &ca_file,
        "--timeout",
        "2",
        "--deadline",
        "8",
    ]);
    assert_eq!(code, 3, "{json:#}");
    assert_classified(&json, "probes");
    // Every source ended with a state, none left "running".
    for source in json["sources"].as_array().into_iter().flatten() {
        let state = source["status"]["state"].as_str().unwrap_or("");
        assert!(
            ["found", "not-found", "failed", "skipped"].contains(&state),
            "{source:#}"
        );
    }
    assert!(
        elapsed < Duration::from_millis(9500),
        "took {elapsed:?} with --deadline 8"
    );
}

// ---------------------------------------------------------------------------------------------
// Promise 6: no panic on any input; a clear message and a documented exit code.
// ---------------------------------------------------------------------------------------------

/// `args` fail with exit `code` and one clear line on stderr: no panic, no Rust debug
/// text, no control character copied from the input.
fn fails_clearly(args: &[&str], code: i32) -> String {
    let (output, _) = mailcfg(args);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?} printed to stdout");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{args:?}: {stderr}");
    for debug in ["Error {", "Some(", "Other(", "Os {", "kind:"] {
        assert!(!stderr.contains(debug), "{args:?}: debug text: {stderr}");
    }
    assert!(
        !stderr
            .chars()
            .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c)),
        "{args:?}: control characters on stderr: {stderr:?}"
    );
    assert!(!stderr.trim().is_empty(), "{args:?}: no message");
    stderr
}

#[test]
fn promise_6_malformed_addresses_get_a_clear_message_and_exit_2() {
    let long_label = format!("taro@{}.jp", "a".repeat(300));
    let many_labels = format!("taro@{}jp", "a.".repeat(200));
    for address in [
        "",
        " ",
        "no-at-sign",
        "@example.jp",
        "taro@",
        "a@b@example.jp",
        "ta ro@example.jp",
        "taro@exa mple.jp",
        "taro\u{1b}[2J@example.jp",
        "taro@example\u{7}.jp",
        "taro@\u{202e}pj.elpmaxe",
        &long_label,
        &many_labels,
        "taro@xn--zz.jp",
        "taro@xn--.jp",
        "taro@-example.jp",
        "taro@example.123",
        "taro@[192.0.2.1]",
        "taro@localhost",
        "taro@..jp",
    ] {
        for command in [&["detect", address, "--offline"][..], &["detect", address]] {
            let stderr = fails_clearly(command, 2);
            assert!(stderr.starts_with("mailcfg: "), "{address:?}: {stderr}");
            assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        }
    }
    for host in [
        "",
        "imap.example.jp:0",
        "imap.example.jp:99999",
        "[::1",
        "a@b",
        "http://x/",
    ] {
        fails_clearly(&["probe", host], 2);
    }
}

#[test]
fn promise_6_malformed_flags_get_a_clear_message_and_exit_2() {
    for args in [
        &["detect", "taro@example.jp", "--timeout", "nan"][..],
        &["detect", "taro@example.jp", "--timeout", "-1"],
        &["detect", "taro@example.jp", "--timeout", "0"],
        &["detect", "taro@example.jp", "--timeout", "1e309"],
        &["detect", "taro@example.jp", "--timeout", "inf"],
        &["detect", "taro@example.jp", "--deadline", "NaN"],
        &["detect", "taro@example.jp", "--deadline", "-0"],
        &["detect", "taro@example.jp", "--format", "yaml"],
        &["detect", "taro@example.jp", "--lang", "\u{1b}[31m"],
        &[
            "detect",
            "taro@example.jp",
            "--dns-server",
            "not-an-address",
        ],
        &["detect", "taro@example.jp", "--dns-server", "999.1.1.1:53"],
        &["detect", "taro@example.jp", "--ispdb-url", "ftp://x/"],
        &["detect", "taro@example.jp", "--no-such-flag"],
        &["probe", "imap.example.jp", "--protocol", "ftp"],
        &["probe", "imap.example.jp", "--deadline", "nan"],
        &["probe", "imap.example.jp", "--timeout", "99999"],
        &["no-such-command"],
    ] {
        fails_clearly(args, 2);
    }
}

#[test]
fn promise_6_unreadable_files_get_a_clear_message_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, b"\x00\x01 not a certificate \x1b[2J").unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, b"").unwrap();
    let unreadable = dir.path().join("unreadable.pem");
    std::fs::write(&unreadable, b"x").unwrap();
    // Root reads any file; a directory stands in for an unreadable one as well.
    let missing = dir.path().join("missing.pem");
    for path in [&garbage, &empty, &missing, &dir.path().to_path_buf()] {
        let path = path.display().to_string();
        for args in [
            &["detect", "taro@example.jp", "--ca-file", &path][..],
            &["probe", "imap.example.jp", "--ca-file", &path],
        ] {
            let stderr = fails_clearly(args, 2);
            assert!(
                stderr.contains("CA") || stderr.contains("ca-file"),
                "{stderr}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Promise 8: server text cannot drive the terminal.
// ---------------------------------------------------------------------------------------------

/// Terminal control: C0 and C1 controls (ESC, BEL, CSI, OSC …) and the bidi overrides and
/// isolates. Line breaks and tabs may be the renderer's own.
fn assert_inert(what: &str, text: &str) {
    for c in text.chars() {
        let control = c.is_control() && !matches!(c, '\n' | '\t');
        let bidi = ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c);
        assert!(
            !control && !bidi,
            "{what} carries U+{:04X}: {text:?}",
            c as u32
        );
    }
}

/// Hostile text: a screen clear, a colour, an OSC title, a bell, a CSI in its C1 form,
/// and a right-to-left override.
const HOSTILE: &str = "\u{1b}[2J\u{1b}[31mred\u{1b}]0;owned\u{7}\u{9b}1m\u{202e}gpj.exe";

#[test]
fn promise_8_server_text_is_neutralised_in_every_renderer() {
    support::require_netns();
    let ca = TestCa::temp();
    let domain = "hostile8.test";
    let mail_ip = support::next_ip();
    // IMAP greets with escape sequences; SMTP's EHLO and POP3's greeting too.
    let greeting = format!("* OK [CAPABILITY IMAP4rev1 X{HOSTILE}] {HOSTILE} ready\r\n");
    let _imap = Hostile::start(mail_ip, 143, Behaviour::Send(greeting.into_bytes()));
    let _smtp = Hostile::start(
        mail_ip,
        587,
        Behaviour::Send(format!("554 {HOSTILE} go away\r\n").into_bytes()),
    );
    let _pop = Hostile::start(
        mail_ip,
        110,
        Behaviour::Send(format!("-ERR {HOSTILE}\r\n").into_bytes()),
    );
    // The TLS ports present a certificate for a name full of escapes.
    // (A certificate name is ASCII: the C0 controls, then.)
    let cert = ca.issue(
        &["evil\u{1b}[2J\u{1b}]0;owned\u{7}.test"],
        Validity::Current,
    );
    let config = crate::support::tls::server_config(&cert, &[]);
    let _imaps = Hostile::start(mail_ip, 993, Behaviour::TlsThenClose(config.clone()));
    let _smtps = Hostile::start(mail_ip, 465, Behaviour::TlsThenClose(config));
    // Autoconfig names the servers and carries hostile display names and instructions
    // (the XML may carry the bidi override literally; its control characters are refused,
    // so they come as the literal bytes of a character that is allowed, U+0085 (NEL)).
    let web_ip = support::next_ip();
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="{domain}">
  <domain>{domain}</domain>
  <displayName>Evil &#x202E;Mail&#x85;&#x9B;</displayName>
  <incomingServer type="imap"><hostname>mail.{domain}</hostname><port>143</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <incomingServer type="imap"><hostname>mail.{domain}</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <incomingServer type="pop3"><hostname>mail.{domain}</hostname><port>110</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <outgoingServer type="smtp"><hostname>mail.{domain}</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>
  <outgoingServer type="smtp"><hostname>mail.{domain}</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
  <enable visiturl="https://{domain}/enable"><instruction lang="en">Turn &#x202E;on&#x9B;31m IMAP</instruction></enable>
  <documentation url="https://{domain}/help"><descr lang="en">Help &#x2066;text&#x85;</descr></documentation>
</emailProvider></clientConfig>"#
    );
    let web_name = format!("autoconfig.{domain}");
    let _web = HttpServer::https(
        web_ip,
        ca.issue(&[&web_name], Validity::Current),
        Routes::new().route(&web_name, CONFIG_PATH, Response::xml(doc)),
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a(&web_name, web_ip)
            .a(&format!("mail.{domain}"), mail_ip),
    );
    let (dns, ca_file) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    let email = format!("taro@{domain}");
    let common = [
        "--dns-server",
        &dns,
        "--ca-file",
        &ca_file,
        "--timeout",
        "2",
    ];
    let mut runs: Vec<(String, Vec<&str>)> = Vec::new();
    for format in [
        &["--format", "table"][..],
        &["--format", "table", "--explain"],
        &["--format", "table", "--explain", "--lang", "ja"],
        &["--json"],
        &["--format", "thunderbird"],
        // Unverified, the document's settings (and its display name) are what is shown.
        &["--format", "thunderbird", "--no-probe"],
        &["--format", "table", "--no-probe", "--explain"],
    ] {
        let mut args = vec!["detect", email.as_str(), "--no-ispdb"];
        args.extend_from_slice(format);
        runs.push((format!("detect {format:?}"), args));
    }
    let mail_host = format!("mail.{domain}");
    for format in [&[][..], &["--json"]] {
        let mut args = vec!["probe", mail_host.as_str()];
        args.extend_from_slice(format);
        runs.push((format!("probe {format:?}"), args));
    }
    let mut seen_hostile_words = 0;
    for (what, mut args) in runs {
        args.extend_from_slice(&common);
        let (output, _) = mailcfg(&args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stdout.is_empty(), "{what}: no output; {stderr}");
        if what.contains("--json") {
            // JSON escapes what it carries (serde writes \u001b); the document as printed
            // has no raw control character, and the hostile text is still there, escaped.
            let json: Value = serde_json::from_str(&stdout).expect("JSON");
            assert!(json.is_object());
        }
        assert_inert(&what, &stdout);
        assert_inert(&format!("{what} (stderr)"), &stderr);
        // The servers' words did reach the output (neutralised), so the test saw them.
        if ["gpj.exe", "owned", "Evil", "Turn on"]
            .iter()
            .any(|w| stdout.contains(w))
        {
            seen_hostile_words += 1;
        }
        if what.contains("thunderbird") && what.contains("no-probe") {
            // The document's instructions, bidi override and CSI removed.
            assert!(
                stdout.contains("Turn on31m IMAP") || stdout.contains("Turn on 31m IMAP"),
                "{what}: the instructions are missing: {stdout}"
            );
        }
    }
    assert!(
        seen_hostile_words >= 3,
        "hostile text never reached a renderer"
    );
}
