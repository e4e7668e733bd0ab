//! `mailcfg lint DOMAIN` end to end: a domain with several planted mistakes (each must be
//! found), a clean domain (exit 0, no error), the JSON document's structure, bad input,
//! and the promise that lint never sends a password.

use super::{findings, mailcfg, mailcfg_json};
use crate::support::hostile::{AfterStarttls, Dialect, Received};
use crate::support::{
    self, Behaviour, CertFiles, Dns, DnsRecords, Dovecot, DovecotConfig, Hostile, HttpServer,
    Postfix, PostfixConfig, Response, Routes, TestCa, Validity,
};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

const WELL_KNOWN: &str = "/.well-known/autoconfig/mail/config-v1.1.xml";
const CONFIG_PATH: &str = "/mail/config-v1.1.xml";

/// Dovecot (993, 143, 995, 110) and Postfix (25, 587, 465) on one address with `cert`.
struct MailServers {
    ip: Ipv4Addr,
    _dovecot: Dovecot,
    _postfix: Postfix,
}

impl MailServers {
    fn start(cert: CertFiles) -> MailServers {
        let ip = support::next_ip();
        let mut dovecot = DovecotConfig::new(ip, cert.clone());
        dovecot.auth_socket = true;
        let dovecot = Dovecot::start(dovecot);
        let postfix = Postfix::start(PostfixConfig::new(ip, cert, dovecot.auth_socket()));
        MailServers {
            ip,
            _dovecot: dovecot,
            _postfix: postfix,
        }
    }
}

fn lint_args<'a>(domain: &'a str, dns: &'a str, ca: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "lint",
        domain,
        "--dns-server",
        dns,
        "--ca-file",
        ca,
        "--timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    args
}

/// `lint --json` with the test DNS server and CA.
fn lint_json(domain: &str, dns: &Dns, ca: &TestCa) -> (Value, i32) {
    let (dns, ca) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    let (json, code, _) = mailcfg_json(&lint_args(domain, &dns, &ca, &[]));
    (json, code)
}

/// The lint table in `lang`, and the exit code.
fn lint_table(domain: &str, dns: &Dns, ca: &TestCa, lang: &str) -> (String, i32) {
    let (dns, ca) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    let (output, _) = mailcfg(&lint_args(domain, &dns, &ca, &["--lang", lang]));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (text, output.status.code().unwrap_or(-1))
}

fn kinds(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["kind"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The one finding of `kind` for which `pick` holds, with its common fields checked.
fn one<'a>(
    json: &'a Value,
    kind: &str,
    severity: &str,
    pick: impl Fn(&Value) -> bool,
) -> &'a Value {
    let found: Vec<&Value> = findings(json, kind)
        .into_iter()
        .filter(|f| pick(f))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one matching {kind} expected in {:#}",
        json["findings"]
    );
    let f = found[0];
    assert_eq!(f["severity"], severity, "{f:#}");
    for lang in ["en", "ja"] {
        let text = f[lang].as_str().unwrap_or("");
        assert!(!text.is_empty(), "{f:#}");
        for debug in ["Other(", "Error {", "Some(", "None"] {
            assert!(!text.contains(debug), "{debug:?} in {text}");
        }
    }
    f
}

/// The autoconfig file of the planted domain: a port nothing listens on, POP3 published
/// as STARTTLS on the implicit-TLS port, an unknown placeholder, a host outside the domain.
fn planted_config() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="planted.test">
  <domain>planted.test</domain>
  <incomingServer type="imap"><hostname>mail.%EMAILDOMAIN%</hostname><port>993</port>
    <socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <incomingServer type="imap"><hostname>mail.planted.test</hostname><port>1993</port>
    <socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <incomingServer type="pop3"><hostname>mail.planted.test</hostname><port>995</port>
    <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <outgoingServer type="smtp"><hostname>mail.planted.test</hostname><port>465</port>
    <socketType>SSL</socketType><username>%EMAILLOCALPART%@%MAILDOMAIN%</username></outgoingServer>
  <outgoingServer type="smtp"><hostname>smtp.hoster.example</hostname><port>587</port>
    <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>"#
        .to_string()
}

/// Everything the planted domain needs, kept alive for the test.
struct Planted {
    ca: TestCa,
    dns: Dns,
    _mail: MailServers,
    _autoconfig_host: HttpServer,
    _domain_host: HttpServer,
}

fn planted() -> Planted {
    let ca = TestCa::temp();
    // The mail servers' certificate ends in 10 days.
    let mail = MailServers::start(ca.issue(&["mail.planted.test"], Validity::EndsInDays(10)));
    // autoconfig.planted.test serves the file over https with a certificate for another
    // name; the .well-known URL on planted.test serves it with a valid one.
    let autoconfig_ip = support::next_ip();
    let autoconfig_host = HttpServer::https(
        autoconfig_ip,
        ca.issue(&["www.other.test"], Validity::Current),
        Routes::new().route(
            "autoconfig.planted.test",
            CONFIG_PATH,
            Response::xml(planted_config()),
        ),
    );
    let domain_ip = support::next_ip();
    let domain_host = HttpServer::https(
        domain_ip,
        ca.issue(&["planted.test"], Validity::Current),
        Routes::new().route("planted.test", WELL_KNOWN, Response::xml(planted_config())),
    );
    let records = DnsRecords::new()
        .a("mail.planted.test", mail.ip)
        .a("smtp.hoster.example", mail.ip)
        .a("autoconfig.planted.test", autoconfig_ip)
        .a("planted.test", domain_ip)
        .mx("planted.test", "mail.planted.test", 10)
        // _imaps at the STARTTLS port.
        .srv("_imaps._tcp.planted.test", "mail.planted.test", 143, 0, 1)
        // A target with no address.
        .srv(
            "_submission._tcp.planted.test",
            "gone.planted.test",
            587,
            0,
            1,
        )
        .srv_none("_pop3._tcp.planted.test");
    let dns = Dns::start(support::next_ip(), 53, records);
    Planted {
        ca,
        dns,
        _mail: mail,
        _autoconfig_host: autoconfig_host,
        _domain_host: domain_host,
    }
}

#[test]
fn every_planted_mistake_is_found() {
    support::require_netns();
    let p = planted();
    let (json, code) = lint_json("planted.test", &p.dns, &p.ca);
    assert_eq!(code, 3, "errors exit 3: {:#}", json["findings"]);

    // autoconfig.planted.test's certificate is for another name.
    let f = one(&json, "web-certificate-invalid", "error", |_| true);
    assert_eq!(f["host"], "autoconfig.planted.test", "{f:#}");
    assert_eq!(f["problem"], "name-mismatch", "{f:#}");
    assert_eq!(f["names"][0], "www.other.test", "{f:#}");

    // The port nothing listens on.
    let f = one(&json, "published-unreachable", "error", |f| {
        f["at"]["port"] == 1993
    });
    assert_eq!(f["outcome"], "refused", "{f:#}");
    assert_eq!(f["by"]["source"], "autoconfig", "{f:#}");

    // POP3 published as STARTTLS on 995, where the server speaks implicit TLS.
    let f = one(&json, "published-security-wrong", "error", |f| {
        f["at"]["port"] == 995
    });
    assert_eq!(f["published"], "starttls", "{f:#}");
    assert_eq!(f["actual"], "tls", "{f:#}");

    // _imaps at the STARTTLS-only port.
    let f = one(&json, "published-security-wrong", "error", |f| {
        f["at"]["port"] == 143
    });
    assert_eq!(
        f["by"],
        serde_json::json!({"source": "srv", "name": "_imaps._tcp.planted.test"})
    );
    assert_eq!(f["published"], "tls", "{f:#}");
    assert_eq!(f["actual"], "starttls", "{f:#}");

    // The SRV target without an address.
    let f = one(&json, "srv-target-unresolved", "error", |_| true);
    assert_eq!(f["target"], "gone.planted.test", "{f:#}");
    assert_eq!(f["name"], "_submission._tcp.planted.test", "{f:#}");

    // The unknown placeholder.
    let f = one(&json, "autoconfig-unknown-placeholder", "error", |_| true);
    assert_eq!(f["field"], "username", "{f:#}");
    assert_eq!(f["placeholders"], serde_json::json!(["%MAILDOMAIN%"]));

    // The host outside the domain, not explained by the MX.
    let f = one(&json, "host-outside-domain", "warning", |_| true);
    assert_eq!(f["at"]["host"], "smtp.hoster.example", "{f:#}");
    assert!(f["explained_by"].is_null(), "{f:#}");
    // … whose certificate does not cover it either (detect's diagnosis, reused).
    let f = one(&json, "certificate-name-mismatch", "warning", |_| true);
    assert_eq!(f["at"][0]["host"], "smtp.hoster.example", "{f:#}");

    // The certificate ending within 21 days, on every port of the mail host.
    let f = one(&json, "certificate-expiring-soon", "warning", |_| true);
    let days = f["days_left"].as_i64().unwrap_or(-1);
    assert!((9..=10).contains(&days), "{f:#}");
    let ports: Vec<u64> = f["at"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["port"].as_u64())
        .collect();
    for port in [993, 465, 25] {
        assert!(ports.contains(&port), "{port} in {f:#}");
    }

    // No autodiscover; "." for POP3; SRV and autoconfig disagree about IMAP.
    one(&json, "autodiscover-missing", "info", |_| true);
    one(&json, "srv-not-offered", "info", |f| {
        f["name"] == "_pop3._tcp.planted.test"
    });
    one(&json, "published-settings-disagree", "warning", |f| {
        f["protocol"] == "imap"
    });

    // Worst first.
    let severities: Vec<&str> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["severity"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = severities.clone();
    sorted.sort_by_key(|s| ["error", "warning", "info"].iter().position(|x| x == s));
    assert_eq!(severities, sorted);

    // The table says the same, in English and Japanese, fixes included.
    let (en, code) = lint_table("planted.test", &p.dns, &p.ca, "en");
    assert_eq!(code, 3, "{en}");
    assert!(en.contains("== Findings =="), "{en}");
    assert!(en.contains("✗ [published-security-wrong] The SRV record _imaps._tcp.planted.test says mail.planted.test:143 uses SSL/TLS"), "{en}");
    assert!(en.contains("→ The server uses STARTTLS there"), "{en}");
    assert!(en.contains("== Published settings =="), "{en}");
    let (ja, _) = lint_table("planted.test", &p.dns, &p.ca, "ja");
    assert!(ja.contains("== 診断結果 =="), "{ja}");
    assert!(ja.contains("残り"), "{ja}");
    assert!(ja.contains("== 公開されている設定 =="), "{ja}");
}

#[test]
fn a_clean_domain_exits_0_with_no_error() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(ca.issue(&["mail.clean.test"], Validity::Current));
    let web_ip = support::next_ip();
    let config = r#"<clientConfig version="1.1"><emailProvider id="clean.test">
      <incomingServer type="imap"><hostname>mail.clean.test</hostname><port>993</port>
        <socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
      <outgoingServer type="smtp"><hostname>mail.clean.test</hostname><port>587</port>
        <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>
    </emailProvider></clientConfig>"#;
    let _web = HttpServer::https(
        web_ip,
        ca.issue(&["autoconfig.clean.test"], Validity::Current),
        Routes::new().route("autoconfig.clean.test", CONFIG_PATH, Response::xml(config)),
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.clean.test", mail.ip)
            .a("autoconfig.clean.test", web_ip)
            .mx("clean.test", "mail.clean.test", 10)
            .srv("_imaps._tcp.clean.test", "mail.clean.test", 993, 0, 1)
            .srv("_submission._tcp.clean.test", "mail.clean.test", 587, 0, 1),
    );
    let (json, code) = lint_json("clean.test", &dns, &ca);
    let worst: Vec<&Value> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(worst.is_empty(), "{worst:#?}");
    assert_eq!(code, 0, "{:#}", json["findings"]);
    // Autodiscover is optional: information only.
    assert_eq!(kinds(&json), ["autodiscover-missing"]);
    // Every published setting was probed with its security and answered.
    let published = json["published"].as_array().cloned().unwrap_or_default();
    assert_eq!(published.len(), 4, "{published:#?}");
    assert!(
        published.iter().all(|p| p["outcome"] == "ok"),
        "{published:#?}"
    );

    // The JSON document's structure.
    assert_eq!(json["schema"], 1);
    assert_eq!(json["command"], "lint");
    assert_eq!(json["input"], "clean.test");
    assert_eq!(json["domain"], "clean.test");
    assert_eq!(json["display_domain"], "clean.test");
    assert_eq!(
        json["summary"],
        serde_json::json!({"errors": 0, "warnings": 0, "info": 1})
    );
    let f = &json["findings"][0];
    for key in ["kind", "severity", "endpoints", "en", "ja", "url"] {
        assert!(!f[key].is_null(), "{key} in {f:#}");
    }
    let p = &published[0];
    assert_eq!(p["by"]["source"], "autoconfig", "{p:#}");
    assert_eq!(
        p["by"]["url"],
        "https://autoconfig.clean.test/mail/config-v1.1.xml?emailaddress=postmaster%40clean.test",
        "{p:#}"
    );
    for key in ["protocol", "host", "port", "security", "outcome"] {
        assert!(!p[key].is_null(), "{key} in {p:#}");
    }
    assert!(
        // One per distinct published endpoint (993, 587), and the MX on port 25.
        json["probes"].as_array().is_some_and(|a| a.len() == 3),
        "{json:#}"
    );
    assert!(json["probes"][0]["timings_ms"]["total_ms"].is_number());

    // An address is accepted: its domain is checked, and the table says so.
    let (text, code) = lint_table("postmaster@clean.test", &dns, &ca, "en");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("(the domain of postmaster@clean.test)"),
        "{text}"
    );
    assert!(
        text.contains("0 error(s), 0 warning(s), 1 for information."),
        "{text}"
    );
}

#[test]
fn bad_domains_are_refused_before_any_lookup() {
    for bad in ["not a domain", "localhost", "192.0.2.1", "taro@", ""] {
        let (output, _) = mailcfg(&["lint", bad, "--dns-server", "127.0.0.9"]);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.is_empty() && !stderr.contains("Error {"),
            "{stderr}"
        );
    }
}

/// Lint never sends a password: the mail servers record every byte they receive, the
/// autodiscover server records every request.
#[test]
fn promise_1_lint_sends_no_password() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let received: Received = Arc::new(Mutex::new(Vec::new()));
    let fake = |port, dialect| {
        Hostile::start(
            ip,
            port,
            Behaviour::FakeStarttls {
                dialect,
                then: AfterStarttls::Refuse,
                received: received.clone(),
            },
        )
    };
    let servers = [
        fake(143, Dialect::Imap),
        fake(110, Dialect::Pop3),
        fake(587, Dialect::Smtp),
        fake(25, Dialect::Smtp),
    ];
    let web_ip = support::next_ip();
    let autodiscover = HttpServer::https(
        web_ip,
        ca.issue(
            &["autodiscover.nopass.test", "autoconfig.nopass.test"],
            Validity::Current,
        ),
        Routes::new()
            .otherwise(Response::status(401).header("WWW-Authenticate", "Basic realm=\"x\"")),
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.nopass.test", ip)
            .a("autodiscover.nopass.test", web_ip)
            .a("autoconfig.nopass.test", web_ip)
            .mx("nopass.test", "mail.nopass.test", 10)
            .srv("_imap._tcp.nopass.test", "mail.nopass.test", 143, 0, 1)
            .srv("_pop3._tcp.nopass.test", "mail.nopass.test", 110, 0, 1)
            .srv(
                "_submission._tcp.nopass.test",
                "mail.nopass.test",
                587,
                0,
                1,
            ),
    );
    let (json, code) = lint_json("nopass.test", &dns, &ca);
    assert_eq!(code, 3, "{:#}", json["findings"]);
    assert!(
        servers.iter().all(|s| s.connections() > 0),
        "every server was probed"
    );
    let bytes = received.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&bytes).to_ascii_uppercase();
    assert!(text.contains("CAPA") || text.contains("EHLO"), "{text}");
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for forbidden in ["AUTH", "AUTHENTICATE", "LOGIN", "PASS", "USER"] {
            assert!(!words.contains(&forbidden), "{forbidden} sent: {line:?}");
        }
    }
    assert!(
        !autodiscover.requests().is_empty(),
        "autodiscover was asked"
    );
    assert!(!autodiscover.saw_credentials(), "no Authorization header");
    one(&json, "autodiscover-failed", "warning", |_| true);
}
