//! `mailcfg probe` against real Dovecot and Postfix, and against hostile servers.

use super::{mailcfg, mailcfg_json, strings};
use crate::support::hostile::{AfterStarttls, Dialect, Received};
use crate::support::legacy_tls::{Front, LegacyTls, OldTls, openssl_self_signed};
use crate::support::{
    self, Behaviour, Dns, DnsRecords, Dovecot, DovecotConfig, Firewall, Hostile, Postfix,
    PostfixConfig, Ssl, TestCa, Validity,
};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::time::Duration;

/// A complete mail host: Dovecot (IMAP 993/143, POP3 995/110) and Postfix (SMTP
/// 465/587/25, SASL through Dovecot), with a certificate for `names`, and a DNS server
/// that resolves `host` to it.
struct MailHost {
    ca: TestCa,
    dns: Dns,
    ip: Ipv4Addr,
    _dovecot: Dovecot,
    _postfix: Postfix,
}

impl MailHost {
    fn start(host: &str, cert_names: &[&str], validity: Validity) -> MailHost {
        support::require_netns();
        let ca = TestCa::temp();
        let ip = support::next_ip();
        let cert = ca.issue(cert_names, validity);
        let mut dovecot = DovecotConfig::new(ip, cert.clone());
        dovecot.auth_socket = true;
        let dovecot = Dovecot::start(dovecot);
        let postfix = Postfix::start(PostfixConfig::new(ip, cert, dovecot.auth_socket()));
        let dns = Dns::start(support::next_ip(), 53, DnsRecords::new().a(host, ip));
        MailHost {
            ca,
            dns,
            ip,
            _dovecot: dovecot,
            _postfix: postfix,
        }
    }

    /// The options every probe of this host needs.
    fn args<'a>(&'a self, target: &'a str, extra: &[&'a str]) -> Vec<String> {
        let mut args = vec![
            "probe".to_string(),
            target.to_string(),
            "--dns-server".to_string(),
            self.dns.addr().to_string(),
            "--ca-file".to_string(),
            self.ca.ca_pem().display().to_string(),
            "--timeout".to_string(),
            "3".to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    fn probe(&self, target: &str, extra: &[&str]) -> (Value, i32) {
        let args = self.args(target, extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (json, code, _) = mailcfg_json(&args);
        (json, code)
    }
}

fn endpoint<'a>(json: &'a Value, protocol: &str, port: u16) -> &'a Value {
    json["endpoints"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|e| e["protocol"] == protocol && e["port"] == port)
        })
        .unwrap_or_else(|| panic!("no {protocol}:{port} in {json:#}"))
}

#[test]
fn imap_993_is_implicit_tls_with_a_trusted_certificate() {
    let host = MailHost::start(
        "imap.example.test",
        &["imap.example.test"],
        Validity::Current,
    );
    let (json, code) = host.probe("imap.example.test:993", &[]);
    assert_eq!(json["schema"], 1);
    assert_eq!(code, 0, "{json:#}");
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["outcome"], "ok");
    assert_eq!(e["security"], "tls");
    assert_eq!(e["implicit_tls"], true);
    assert_eq!(e["address"], host.ip.to_string());
    assert_eq!(e["tls_version"], "TLSv1.3");
    assert!(strings(e, "auth").contains(&"PLAIN".to_string()), "{e:#}");
    let cert = &e["certificate"];
    assert_eq!(cert["verified"], true, "{cert:#}");
    assert_eq!(strings(cert, "names"), ["imap.example.test"]);
    assert!(
        cert["issuer"].as_str().unwrap_or("").contains("mailcfg"),
        "{cert:#}"
    );
    assert!(cert["not_after"].as_str().is_some_and(|s| s.len() >= 20));
    for stage in [
        "resolve_ms",
        "connect_ms",
        "tls_handshake_ms",
        "greeting_ms",
        "capabilities_ms",
        "total_ms",
    ] {
        assert!(e["timings_ms"][stage].is_number(), "missing {stage}: {e:#}");
    }
    assert!(e["greeting"].as_str().unwrap_or("").starts_with("* OK"));
}

#[test]
fn imap_143_upgrades_with_starttls_and_reads_capabilities_again() {
    let host = MailHost::start(
        "imap.example.test",
        &["imap.example.test"],
        Validity::Current,
    );
    let (json, code) = host.probe("imap.example.test:143", &[]);
    assert_eq!(code, 0, "{json:#}");
    let e = endpoint(&json, "imap", 143);
    assert_eq!(e["outcome"], "ok");
    assert_eq!(e["security"], "starttls");
    assert_eq!(e["implicit_tls"], false);
    assert_eq!(e["starttls_offered"], true);
    assert_eq!(e["starttls_succeeded"], true);
    // Dovecot refuses plaintext logins before TLS and offers them after.
    assert!(
        strings(e, "capabilities_before_tls").contains(&"LOGINDISABLED".to_string()),
        "{e:#}"
    );
    assert!(strings(e, "auth_before_tls").is_empty(), "{e:#}");
    assert_eq!(strings(e, "auth"), ["PLAIN", "LOGIN"]);
    assert!(!strings(e, "capabilities").contains(&"STARTTLS".to_string()));
    assert_eq!(e["login_disabled"], false);
    assert_eq!(e["certificate"]["verified"], true);
    assert!(e["timings_ms"]["starttls_ms"].is_number());
    assert!(e["timings_ms"]["capabilities_after_tls_ms"].is_number());
}

#[test]
fn pop3_995_and_110() {
    let host = MailHost::start("pop.example.test", &["pop.example.test"], Validity::Current);
    let (json, code) = host.probe("pop.example.test", &["--protocol", "pop3"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["endpoints"].as_array().map(Vec::len), Some(2));
    let tls = endpoint(&json, "pop3", 995);
    assert_eq!(tls["security"], "tls");
    assert_eq!(strings(tls, "auth"), ["PLAIN", "LOGIN"]);
    let stls = endpoint(&json, "pop3", 110);
    assert_eq!(stls["security"], "starttls");
    assert_eq!(stls["starttls_offered"], true);
    assert!(strings(stls, "capabilities_before_tls").contains(&"STLS".to_string()));
    assert_eq!(strings(stls, "auth"), ["PLAIN", "LOGIN"]);
}

#[test]
fn smtp_465_587_and_25() {
    let host = MailHost::start(
        "smtp.example.test",
        &["smtp.example.test"],
        Validity::Current,
    );
    let (json, code) = host.probe("smtp.example.test", &["--protocol", "smtp"]);
    assert_eq!(code, 0, "{json:#}");
    let smtps = endpoint(&json, "smtp", 465);
    assert_eq!(smtps["security"], "tls");
    assert!(
        strings(smtps, "auth").contains(&"PLAIN".to_string()),
        "{smtps:#}"
    );
    assert!(smtps["greeting"].as_str().unwrap_or("").starts_with("220"));
    let submission = endpoint(&json, "smtp", 587);
    assert_eq!(submission["security"], "starttls");
    assert_eq!(submission["starttls_succeeded"], true);
    assert!(
        strings(submission, "auth_before_tls").is_empty(),
        "{submission:#}"
    );
    assert!(
        strings(submission, "auth").contains(&"LOGIN".to_string()),
        "{submission:#}"
    );
    let caps = strings(submission, "capabilities");
    assert!(caps.iter().any(|c| c.starts_with("SIZE")), "{caps:?}");
    let relay = endpoint(&json, "smtp", 25);
    assert_eq!(relay["outcome"], "ok");
}

#[test]
fn whole_host_probe_reports_every_standard_port_as_a_table() {
    let host = MailHost::start(
        "mail.example.test",
        &["mail.example.test"],
        Validity::Current,
    );
    let args = host.args("mail.example.test", &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (output, _) = mailcfg(&args);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    for needle in [
        "mail.example.test:993",
        "mail.example.test:143",
        "mail.example.test:995",
        "mail.example.test:110",
        "mail.example.test:465",
        "mail.example.test:587",
        "mail.example.test:25",
        "offered, works",
        "trusted",
        "TLSv1.3",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(
        output.stderr.is_empty(),
        "no progress on a non-terminal stderr"
    );
}

#[test]
fn a_certificate_for_another_name_is_reported_with_the_names_it_is_for() {
    let host = MailHost::start(
        "imap.example.test",
        &["mail.hosting.test"],
        Validity::Current,
    );
    let (json, code) = host.probe("imap.example.test:993", &[]);
    let e = endpoint(&json, "imap", 993);
    // The dialogue still completes: nothing secret is ever sent by a probe.
    assert_eq!(e["outcome"], "ok");
    assert_eq!(strings(e, "auth"), ["PLAIN", "LOGIN"]);
    assert_eq!(e["certificate"]["verified"], false);
    assert_eq!(e["certificate"]["error_kind"], "name-mismatch");
    assert_eq!(
        e["certificate"]["error"],
        "certificate is for mail.hosting.test, not imap.example.test"
    );
    assert_eq!(code, 1, "an untrusted certificate is a partial result");
}

#[test]
fn an_expired_certificate_is_reported() {
    let host = MailHost::start(
        "imap.example.test",
        &["imap.example.test"],
        Validity::Expired,
    );
    let (json, code) = host.probe("imap.example.test:993", &[]);
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["outcome"], "ok");
    assert_eq!(e["certificate"]["verified"], false);
    assert_eq!(e["certificate"]["error_kind"], "expired");
    assert!(
        e["certificate"]["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("certificate expired on")
    );
    assert_eq!(code, 1);
}

#[test]
fn an_unknown_issuer_without_the_ca_file() {
    let host = MailHost::start(
        "imap.example.test",
        &["imap.example.test"],
        Validity::Current,
    );
    let (json, _, _) = mailcfg_json(&[
        "probe",
        "imap.example.test:993",
        "--dns-server",
        &host.dns.addr().to_string(),
    ]);
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["certificate"]["error_kind"], "unknown-issuer", "{e:#}");
    assert!(
        e["certificate"]["error"]
            .as_str()
            .unwrap_or("")
            .contains("--ca-file")
    );
}

#[test]
fn starttls_disabled_plaintext_server() {
    support::require_netns();
    let ip = support::next_ip();
    let _dovecot = Dovecot::start(DovecotConfig::plaintext(ip));
    let target = format!("{ip}:143");
    let (json, code, _) = mailcfg_json(&["probe", &target, "--timeout", "3"]);
    let e = endpoint(&json, "imap", 143);
    assert_eq!(e["outcome"], "ok");
    assert_eq!(e["security"], "plain");
    assert_eq!(e["starttls_offered"], false);
    assert_eq!(e["certificate"], Value::Null);
    assert_eq!(code, 0);

    // Insisting on STARTTLS where it is not offered is a TLS failure, not a silent downgrade.
    let (json, code, _) =
        mailcfg_json(&["probe", &target, "--security", "starttls", "--timeout", "3"]);
    let e = endpoint(&json, "imap", 143);
    assert_eq!(e["outcome"], "tls-error");
    assert_eq!(e["stage"], "starttls");
    assert_eq!(e["error"], "the server does not offer STARTTLS");
    assert_eq!(code, 3);
}

#[test]
fn plaintext_only_imap_advertising_logindisabled() {
    support::require_netns();
    let ip = support::next_ip();
    let mut config = DovecotConfig::plaintext(ip);
    config.disable_plaintext_auth = true;
    assert_eq!(config.ssl, Ssl::No);
    let _dovecot = Dovecot::start(config);
    let (json, _, _) = mailcfg_json(&["probe", &format!("{ip}:143"), "--timeout", "3"]);
    let e = endpoint(&json, "imap", 143);
    assert_eq!(e["outcome"], "ok");
    assert_eq!(e["security"], "plain");
    assert_eq!(e["login_disabled"], true);
    assert!(strings(e, "capabilities").contains(&"LOGINDISABLED".to_string()));
}

/// Probe a hostile server and return its endpoint and how long the command took.
fn probe_hostile(behaviour: Behaviour, port: u16, timeout: &str) -> (Value, Duration) {
    support::require_netns();
    let ip = support::next_ip();
    let _server = Hostile::start(ip, port, behaviour);
    let (json, code, elapsed) = mailcfg_json(&[
        "probe",
        &format!("{ip}:{port}"),
        "--protocol",
        "imap",
        "--timeout",
        timeout,
    ]);
    assert_eq!(code, 3, "{json:#}");
    (endpoint(&json, "imap", port).clone(), elapsed)
}

#[test]
fn tarpit_is_silent_and_costs_one_timeout() {
    let (e, elapsed) = probe_hostile(Behaviour::Tarpit, 143, "1");
    assert_eq!(e["outcome"], "silent", "{e:#}");
    assert_eq!(e["stage"], "greeting");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn garbage_is_not_the_protocol() {
    let (e, elapsed) = probe_hostile(Behaviour::Garbage, 143, "2");
    assert_eq!(e["outcome"], "not-protocol", "{e:#}");
    assert!(e["error"].as_str().unwrap_or("").contains("HTTP"), "{e:#}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

#[test]
fn an_endless_line_is_cut_off() {
    let (e, elapsed) = probe_hostile(Behaviour::EndlessLine, 143, "5");
    assert_eq!(e["outcome"], "not-protocol", "{e:#}");
    assert!(
        e["error"].as_str().unwrap_or("").contains("longer than"),
        "{e:#}"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

#[test]
fn closing_mid_handshake_is_a_tls_error() {
    let (e, _) = probe_hostile(Behaviour::CloseMidHandshake, 993, "2");
    assert_eq!(e["outcome"], "tls-error", "{e:#}");
    assert_eq!(e["stage"], "tls-handshake");
    assert!(
        e["error"].as_str().unwrap_or("").contains("closed"),
        "{e:#}"
    );
}

#[test]
fn a_greeting_dripped_past_the_timeout_is_a_timeout_not_silence() {
    let (e, elapsed) = probe_hostile(
        Behaviour::Drip {
            interval: Duration::from_millis(200),
        },
        143,
        "1",
    );
    assert_eq!(e["outcome"], "timeout", "{e:#}");
    assert_eq!(e["stage"], "greeting");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[test]
fn a_slow_greeting_within_the_timeout_is_fine() {
    support::require_netns();
    let ip = support::next_ip();
    let _server = Hostile::start(
        ip,
        143,
        Behaviour::SlowGreeting {
            delay: Duration::from_millis(700),
        },
    );
    let (json, _, _) = mailcfg_json(&["probe", &format!("{ip}:143"), "--timeout", "3"]);
    let e = endpoint(&json, "imap", 143);
    // The greeting carries its capabilities, so no further command is needed.
    assert_eq!(e["outcome"], "ok", "{e:#}");
    assert_eq!(e["security"], "plain");
    assert!(
        e["greeting"].as_str().unwrap_or("").starts_with("* OK"),
        "{e:#}"
    );
    assert!(
        e["timings_ms"]["greeting_ms"].as_f64().unwrap_or(0.0) >= 600.0,
        "{e:#}"
    );
}

#[test]
fn smtp_on_the_imap_port_is_named() {
    let (e, _) = probe_hostile(
        Behaviour::Send(b"220 mx.example.test ESMTP Postfix\r\n".to_vec()),
        143,
        "2",
    );
    assert_eq!(e["outcome"], "not-protocol");
    assert!(e["error"].as_str().unwrap_or("").contains("SMTP"), "{e:#}");
}

#[test]
fn refused_filtered_and_unresolvable() {
    support::require_netns();
    let ip = support::next_ip();
    let port = support::unused_port(ip);
    let (json, code, _) = mailcfg_json(&[
        "probe",
        &format!("{ip}:{port}"),
        "--protocol",
        "imap",
        "--timeout",
        "1",
    ]);
    assert_eq!(endpoint(&json, "imap", port)["outcome"], "refused");
    assert_eq!(code, 3);

    let filtered = support::next_ip();
    let _firewall = Firewall::drop_tcp(filtered, None);
    let (json, _, elapsed) = mailcfg_json(&["probe", &format!("{filtered}:993"), "--timeout", "1"]);
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["outcome"], "timeout");
    assert_eq!(e["stage"], "connect");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");

    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().a("known.example.test", ip),
    );
    let (json, _, _) = mailcfg_json(&[
        "probe",
        "unknown.example.test:993",
        "--dns-server",
        &dns.addr().to_string(),
        "--timeout",
        "2",
    ]);
    assert_eq!(endpoint(&json, "imap", 993)["outcome"], "dns-error");
}

#[test]
fn a_dead_port_does_not_delay_the_others() {
    support::require_netns();
    // A plaintext Dovecot on 143 with a tarpit on 993 of the same address.
    let ip = support::next_ip();
    let _dovecot = Dovecot::start(DovecotConfig::plaintext(ip));
    let _tarpit = Hostile::start(ip, 993, Behaviour::Tarpit);
    let (json, code, elapsed) = mailcfg_json(&[
        "probe",
        &ip.to_string(),
        "--protocol",
        "imap",
        "--timeout",
        "2",
    ]);
    assert_eq!(endpoint(&json, "imap", 993)["outcome"], "silent");
    assert_eq!(endpoint(&json, "imap", 143)["outcome"], "ok");
    assert_eq!(code, 1);
    // Probed concurrently: one timeout (2 s) plus overhead, not the sum of the stages.
    assert!(elapsed < Duration::from_millis(3500), "took {elapsed:?}");
}

#[test]
fn an_unfamiliar_port_is_tried_with_tls_first_then_in_the_clear() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let mut tls_only = DovecotConfig::new(ip, ca.issue(&[&ip.to_string()], Validity::Current));
    (
        tls_only.imaps_port,
        tls_only.imap_port,
        tls_only.pop3s_port,
        tls_only.pop3_port,
    ) = (Some(10993), None, None, None);
    let _tls = Dovecot::start(tls_only);
    let plain_ip = support::next_ip();
    let mut plain = DovecotConfig::plaintext(plain_ip);
    (plain.imap_port, plain.pop3_port) = (Some(10143), None);
    let _plain = Dovecot::start(plain);
    let ca_file = ca.ca_pem().display().to_string();

    let (json, code, _) = mailcfg_json(&[
        "probe",
        &format!("{ip}:10993"),
        "--protocol",
        "imap",
        "--ca-file",
        &ca_file,
    ]);
    let e = endpoint(&json, "imap", 10993);
    assert_eq!(e["security"], "tls", "{e:#}");
    assert_eq!(e["certificate"]["verified"], true, "{e:#}");
    assert_eq!(code, 0);

    let (json, code, _) =
        mailcfg_json(&["probe", &format!("{plain_ip}:10143"), "--protocol", "imap"]);
    let e = endpoint(&json, "imap", 10143);
    assert_eq!(e["outcome"], "ok", "{e:#}");
    assert_eq!(e["security"], "plain", "{e:#}");
    // Tried with TLS first and answered in the clear: on an unfamiliar port that is no
    // misconfiguration.
    assert_eq!(e["symptom"], Value::Null, "{e:#}");
    assert_eq!(code, 0);
}

#[test]
fn every_protocol_is_asked_on_an_unfamiliar_port_without_protocol() {
    support::require_netns();
    let ip = support::next_ip();
    let mut plain = DovecotConfig::plaintext(ip);
    (plain.imap_port, plain.pop3_port) = (None, Some(10110));
    let _pop3 = Dovecot::start(plain);
    let (json, code, _) = mailcfg_json(&["probe", &format!("{ip}:10110"), "--timeout", "2"]);
    assert_eq!(endpoint(&json, "pop3", 10110)["outcome"], "ok");
    assert_eq!(endpoint(&json, "imap", 10110)["outcome"], "not-protocol");
    assert_eq!(endpoint(&json, "smtp", 10110)["outcome"], "not-protocol");
    assert_eq!(code, 1);
}

#[test]
fn a_web_server_on_the_imap_port_is_named() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let mut config = crate::support::HttpConfig::new(
        ip,
        ca.issue(&["www.example.test"], Validity::Current),
        crate::support::Routes::new(),
    );
    (config.https_port, config.http_port) = (None, Some(143));
    let _web = crate::support::HttpServer::start(config);
    let (json, code, _) = mailcfg_json(&["probe", &format!("{ip}:143"), "--timeout", "1"]);
    let e = endpoint(&json, "imap", 143);
    assert_eq!(e["outcome"], "not-protocol", "{e:#}");
    assert!(
        e["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("an HTTP server"),
        "{e:#}"
    );
    assert_eq!(code, 3);
}

#[test]
fn a_greeting_at_the_very_end_of_the_limit_is_a_timeout() {
    // With --timeout 2 a silent server is asked in HTTP after 1.5 s; this one greets as an
    // IMAP server at 1.75 s, too late to hold a dialogue within the limit.
    let (e, elapsed) = probe_hostile(
        Behaviour::SlowGreeting {
            delay: Duration::from_millis(1750),
        },
        143,
        "2",
    );
    assert_eq!(e["outcome"], "timeout", "{e:#}");
    assert_eq!(e["stage"], "greeting");
    assert!(
        e["error"].as_str().unwrap_or("").contains("very end"),
        "{e:#}"
    );
    assert!(elapsed < Duration::from_millis(2900), "took {elapsed:?}");
}

#[test]
fn a_tls_server_that_closes_after_the_handshake_is_closed() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let cert = ca.issue(&[&ip.to_string()], Validity::Current);
    let config = crate::support::tls::server_config(&cert, &[]);
    let _server = Hostile::start(ip, 993, Behaviour::TlsThenClose(config));
    let ca_file = ca.ca_pem().display().to_string();
    let (json, code, elapsed) = mailcfg_json(&[
        "probe",
        &format!("{ip}:993"),
        "--ca-file",
        &ca_file,
        "--timeout",
        "3",
    ]);
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["outcome"], "closed", "{e:#}");
    assert_eq!(e["stage"], "greeting");
    // The handshake itself was fine, and its facts are still reported.
    assert_eq!(e["certificate"]["verified"], true, "{e:#}");
    assert_eq!(code, 3);
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

/// Probe a server that fakes STARTTLS; its endpoint and every byte the server received.
fn probe_fake_starttls(dialect: Dialect, then: AfterStarttls, port: u16) -> (Value, String) {
    support::require_netns();
    let ip = support::next_ip();
    let received = Received::default();
    let _server = Hostile::start(
        ip,
        port,
        Behaviour::FakeStarttls {
            dialect,
            then,
            received: received.clone(),
        },
    );
    let (json, code, elapsed) = mailcfg_json(&["probe", &format!("{ip}:{port}"), "--timeout", "2"]);
    assert_eq!(code, 3, "{json:#}");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    let protocol = match dialect {
        Dialect::Imap => "imap",
        Dialect::Pop3 => "pop3",
        Dialect::Smtp => "smtp",
    };
    let e = endpoint(&json, protocol, port).clone();
    let bytes = received.lock().unwrap().clone();
    (e, String::from_utf8_lossy(&bytes).into_owned())
}

/// Nothing that could carry a password went to the server.
fn assert_no_credentials(received: &str) {
    let upper = received.to_ascii_uppercase();
    for word in [
        "LOGIN ",
        "AUTHENTICATE",
        "AUTH ",
        "USER ",
        "PASS ",
        "alice",
        "secret",
    ] {
        assert!(
            !upper.contains(&word.to_ascii_uppercase()),
            "{word:?} was sent: {received:?}"
        );
    }
}

#[test]
fn imap_starttls_accepted_then_plain_text_is_broken_starttls() {
    let (e, received) = probe_fake_starttls(Dialect::Imap, AfterStarttls::Garbage, 143);
    assert_eq!(e["outcome"], "tls-error", "{e:#}");
    assert_eq!(e["stage"], "starttls");
    assert_eq!(e["starttls_offered"], true);
    assert_eq!(e["starttls_succeeded"], false);
    assert_eq!(e["symptom"]["kind"], "starttls-broken", "{e:#}");
    assert_eq!(e["security"], Value::Null);
    // The command went out, then a TLS ClientHello (a handshake record), and nothing else
    // in the clear.
    assert!(received.contains("S1 STARTTLS\r\n"), "{received:?}");
    assert_no_credentials(&received);
}

#[test]
fn smtp_starttls_accepted_then_closed_is_broken_starttls() {
    let (e, received) = probe_fake_starttls(Dialect::Smtp, AfterStarttls::Close, 587);
    assert_eq!(e["outcome"], "tls-error", "{e:#}");
    assert_eq!(e["stage"], "starttls");
    assert_eq!(e["symptom"]["kind"], "starttls-broken", "{e:#}");
    assert!(
        e["error"].as_str().unwrap_or("").contains("closed"),
        "{e:#}"
    );
    assert!(received.contains("EHLO ["), "{received:?}");
    assert!(received.contains("STARTTLS\r\n"), "{received:?}");
    // AUTH PLAIN was advertised in the clear: it was not taken up.
    assert_no_credentials(&received);
}

#[test]
fn pop3_stls_accepted_then_plain_text_is_broken_starttls() {
    let (e, received) = probe_fake_starttls(Dialect::Pop3, AfterStarttls::Garbage, 110);
    assert_eq!(e["symptom"]["kind"], "starttls-broken", "{e:#}");
    assert!(received.contains("STLS\r\n"), "{received:?}");
    assert_no_credentials(&received);
}

#[test]
fn starttls_refused_is_not_a_broken_upgrade() {
    let (e, received) = probe_fake_starttls(Dialect::Smtp, AfterStarttls::Refuse, 587);
    assert_eq!(e["outcome"], "tls-error", "{e:#}");
    assert_eq!(e["stage"], "starttls");
    assert!(
        e["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("STARTTLS was refused: 454"),
        "{e:#}"
    );
    assert_eq!(e["symptom"], Value::Null, "{e:#}");
    assert_no_credentials(&received);
}

#[test]
fn plaintext_dovecot_on_993_and_995_is_plaintext_on_a_tls_port() {
    support::require_netns();
    let ip = support::next_ip();
    let mut config = DovecotConfig::plaintext(ip);
    (config.imap_port, config.pop3_port) = (Some(993), Some(995));
    let _dovecot = Dovecot::start(config);
    let (json, code, elapsed) = mailcfg_json(&["probe", &ip.to_string(), "--timeout", "2"]);
    assert_eq!(code, 3, "{json:#}");
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    for (protocol, port, start) in [("imap", 993, "* OK"), ("pop3", 995, "+OK")] {
        let e = endpoint(&json, protocol, port);
        assert_eq!(e["outcome"], "tls-error", "{e:#}");
        assert_eq!(e["stage"], "tls-handshake");
        let symptom = &e["symptom"];
        assert_eq!(symptom["kind"], "plaintext-on-tls-port", "{e:#}");
        // The server's own line, as it sent it.
        let greeting = symptom["greeting"].as_str().unwrap_or("");
        // Dovecot's own words ("Dovecot (Debian) ready.", or, while its auth process is
        // still starting, "Waiting for authentication process to respond..").
        assert!(greeting.starts_with(&format!("{start} ")), "{e:#}");
        assert!(greeting.len() > start.len() + 5, "{e:#}");
        assert!(
            !greeting.contains('\n') && !greeting.contains('\r'),
            "{e:#}"
        );
    }
}

/// Regression: the handshake stops reading at the first bytes that are not TLS, which
/// may be only the start of the greeting; the rest is read from the same connection.
#[test]
fn a_greeting_dripped_on_993_is_read_whole() {
    support::require_netns();
    let ip = support::next_ip();
    let interval = Duration::from_millis(10);
    let _server = Hostile::start(ip, 993, Behaviour::Drip { interval });
    let (json, code, _) = mailcfg_json(&["probe", &format!("{ip}:993"), "--timeout", "3"]);
    assert_eq!(code, 3, "{json:#}");
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["symptom"]["kind"], "plaintext-on-tls-port", "{e:#}");
    assert_eq!(
        e["symptom"]["greeting"],
        "* OK [CAPABILITY IMAP4rev1] hostile test server ready"
    );
}

#[test]
fn plaintext_postfix_on_465_is_plaintext_on_a_tls_port() {
    support::require_netns();
    let ip = support::next_ip();
    let mut config = PostfixConfig::plaintext(ip);
    config.smtp_port = Some(465);
    let _postfix = Postfix::start(config);
    let (json, code, _) = mailcfg_json(&["probe", &format!("{ip}:465"), "--timeout", "2"]);
    assert_eq!(code, 3, "{json:#}");
    let e = endpoint(&json, "smtp", 465);
    assert_eq!(e["symptom"]["kind"], "plaintext-on-tls-port", "{e:#}");
    assert_eq!(
        e["symptom"]["greeting"],
        "220 mail.example.test ESMTP Postfix (mailcfg test)"
    );
}

#[test]
fn unreachable_network_is_not_refused() {
    support::require_netns();
    // The namespace has only lo: no route to 10.0.0.0/8, so the kernel fails the connect at
    // once and no packet leaves.
    let (json, code, elapsed) = mailcfg_json(&["probe", "10.255.255.1:993", "--timeout", "2"]);
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["outcome"], "unreachable", "{e:#}");
    assert_eq!(e["stage"], "connect");
    assert!(
        e["error"]
            .as_str()
            .unwrap_or("")
            .contains("10.255.255.1:993"),
        "{e:#}"
    );
    assert_eq!(code, 3);
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
}

#[test]
fn a_tls_1_1_only_server_is_obsolete_tls_with_the_certificate_it_sent() {
    support::require_netns();
    let ip = support::next_ip();
    let dir = tempfile::tempdir().unwrap();
    let cert = openssl_self_signed(dir.path(), &["legacy.example.test", &ip.to_string()]);
    let _server = LegacyTls::start(ip, 993, OldTls::V1_1, Front::Implicit, &cert);
    let (json, code, elapsed) = mailcfg_json(&["probe", &format!("{ip}:993"), "--timeout", "2"]);
    assert_eq!(code, 3, "{json:#}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["outcome"], "tls-error", "{e:#}");
    assert_eq!(e["stage"], "tls-handshake");
    assert_eq!(
        e["error"],
        "the server offers only TLSv1.1, which current mail clients refuse (RFC 8996): it must \
         enable TLS 1.2 or later"
    );
    let symptom = &e["symptom"];
    assert_eq!(symptom["kind"], "obsolete-tls", "{e:#}");
    assert_eq!(symptom["version"], "TLSv1.1");
    // The server's certificate travelled in clear: its names, key size and verdict.
    assert_eq!(symptom["key_bits"], 2048, "{e:#}");
    let certificate = &symptom["certificate"];
    assert_eq!(
        strings(certificate, "names"),
        ["legacy.example.test", &ip.to_string()]
    );
    assert_eq!(certificate["error_kind"], "self-signed", "{e:#}");
    assert_eq!(certificate["verified"], false);
}

#[test]
fn a_tls_1_0_only_server_behind_starttls_is_obsolete_tls_not_a_broken_upgrade() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let cert = ca.issue(&[&ip.to_string()], Validity::Current);
    let server = LegacyTls::start(ip, 587, OldTls::V1_0, Front::Starttls(Dialect::Smtp), &cert);
    let ca_file = ca.ca_pem().display().to_string();
    let (json, code, _) = mailcfg_json(&[
        "probe",
        &format!("{ip}:587"),
        "--ca-file",
        &ca_file,
        "--timeout",
        "2",
    ]);
    assert_eq!(code, 3, "{json:#}");
    let e = endpoint(&json, "smtp", 587);
    assert_eq!(e["outcome"], "tls-error", "{e:#}");
    assert_eq!(e["stage"], "starttls");
    assert_eq!(e["starttls_offered"], true);
    let symptom = &e["symptom"];
    assert_eq!(symptom["kind"], "obsolete-tls", "{e:#}");
    assert_eq!(symptom["version"], "TLSv1.0");
    // The test CA's ECDSA P-256 certificate, trusted through --ca-file.
    assert_eq!(symptom["key_bits"], 256, "{e:#}");
    assert_eq!(symptom["certificate"]["verified"], true, "{e:#}");
    assert_eq!(strings(&symptom["certificate"], "names"), [ip.to_string()]);
    assert_no_credentials(&String::from_utf8_lossy(&server.received()));
}

#[test]
fn an_openssl_req_x509_certificate_is_self_signed_in_words() {
    support::require_netns();
    let ip = support::next_ip();
    let dir = tempfile::tempdir().unwrap();
    let cert = openssl_self_signed(dir.path(), &["imap.example.test", &ip.to_string()]);
    let mut config = DovecotConfig::new(ip, cert);
    (config.imap_port, config.pop3s_port, config.pop3_port) = (Some(143), None, None);
    let _dovecot = Dovecot::start(config);
    let target = format!("{ip}:993");
    let (json, code, _) = mailcfg_json(&["probe", &target, "--timeout", "3"]);
    let e = endpoint(&json, "imap", 993);
    assert_eq!(e["outcome"], "ok", "{e:#}");
    let certificate = &e["certificate"];
    assert_eq!(certificate["error_kind"], "self-signed", "{e:#}");
    assert_eq!(certificate["self_signed"], true);
    assert_eq!(
        certificate["error"],
        "certificate is self-signed (CN=imap.example.test); no trusted authority vouches for it"
    );
    assert_eq!(code, 1);
    // No Rust debug text anywhere, in JSON or in the table.
    let (table, _) = mailcfg(&["probe", &target, "--timeout", "3"]);
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    assert!(table.contains("NOT TRUSTED: self-signed"), "{table}");
    for output in [json.to_string(), table] {
        for debug in ["Other(", "Error {", "CaUsedAsEndEntity"] {
            assert!(!output.contains(debug), "{debug} in {output}");
        }
    }
}
