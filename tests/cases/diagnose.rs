//! `detect`'s diagnoses end to end: each finding kind produced by real servers (Dovecot,
//! Postfix, dnsmasq, nftables) that really behave that way, shown in JSON and in the
//! table in English and Japanese.

use super::detect::{MailServers, assert_setting, detect, detect_timed, first};
use super::{findings, mailcfg, mailcfg_json};
use crate::support::{self, Dns, DnsRecords, Dovecot, DovecotConfig, Firewall, TestCa, Validity};
use serde_json::Value;
use std::time::Duration;

/// The one finding of kind `kind`, with its common fields checked.
fn finding<'a>(json: &'a Value, kind: &str, severity: &str) -> &'a Value {
    let found = findings(json, kind);
    assert_eq!(found.len(), 1, "one {kind} finding expected in {json:#}");
    let f = found[0];
    assert_eq!(f["severity"], severity, "{f:#}");
    assert!(f["endpoints"].is_array(), "{f:#}");
    for lang in ["en", "ja"] {
        let text = f[lang].as_str().unwrap_or("");
        assert!(!text.is_empty(), "{f:#}");
        assert_no_debug_text(text);
    }
    f
}

/// No Rust debug rendering may reach a person.
fn assert_no_debug_text(text: &str) {
    for debug in [
        "Other(",
        "Error {",
        "InvalidCertificate(",
        "CaUsedAsEndEntity",
        "Some(",
        "Kind(",
    ] {
        assert!(!text.contains(debug), "{debug:?} in\n{text}");
    }
}

/// The table `detect` prints in `lang`, with the test DNS server and CA.
fn table(email: &str, dns: &Dns, ca: &TestCa, lang: &str, extra: &[&str]) -> (String, i32) {
    let dns_addr = dns.addr().to_string();
    let ca_path = ca.ca_pem().display().to_string();
    let mut args = vec![
        "detect",
        email,
        "--dns-server",
        &dns_addr,
        "--ca-file",
        &ca_path,
        "--no-ispdb",
        "--timeout",
        "2",
        "--lang",
        lang,
    ];
    args.extend_from_slice(extra);
    let (output, _) = mailcfg(&args);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_no_debug_text(&text);
    (text, output.status.code().unwrap_or(-1))
}

/// The diagnosis section comes first, before the recommended settings.
fn assert_diagnosis_first(text: &str, heading: &str, settings: &str) {
    let diagnosis = text
        .find(heading)
        .unwrap_or_else(|| panic!("{heading:?} in\n{text}"));
    let recommended = text
        .find(settings)
        .unwrap_or_else(|| panic!("{settings:?} in\n{text}"));
    assert!(diagnosis < recommended, "{text}");
}

#[test]
fn a_domain_that_does_not_exist_is_named_so() {
    support::require_netns();
    let ca = TestCa::temp();
    // dnsmasq answers NXDOMAIN for every name it holds no record for.
    let dns = Dns::start(support::next_ip(), 53, DnsRecords::new());
    let (json, code) = detect("taro@typo-domain.test", &dns, &ca, &[]);
    assert_eq!(code, 3, "{json:#}");
    let f = finding(&json, "domain-not-found", "error");
    assert_eq!(f["domain"], "typo-domain.test");
    assert!(f["en"].as_str().unwrap_or("").contains("spelling"), "{f:#}");
    assert!(findings(&json, "no-mail-records").is_empty());
    let (ja, _) = table("taro@typo-domain.test", &dns, &ca, "ja", &[]);
    assert!(
        ja.contains("ドメイン typo-domain.test は存在しません"),
        "{ja}"
    );
    assert_diagnosis_first(&ja, "== 診断結果 ==", "== 推奨設定 ==");
}

#[test]
fn a_domain_without_mail_records_is_told_apart_from_a_missing_one() {
    support::require_netns();
    let ca = TestCa::temp();
    // The name exists (it has a TXT record), so MX gets NOERROR with no data.
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().txt("nomail.test", "v=spf1 -all"),
    );
    let (json, code) = detect("taro@nomail.test", &dns, &ca, &[]);
    assert_eq!(code, 3, "{json:#}");
    let f = finding(&json, "no-mail-records", "error");
    assert_eq!(f["domain"], "nomail.test");
    assert!(findings(&json, "domain-not-found").is_empty());
    let (en, _) = table("taro@nomail.test", &dns, &ca, "en", &[]);
    assert!(en.contains("exists, but has no mail records"), "{en}");
    assert!(en.contains("Check the spelling"), "{en}");
}

#[test]
fn every_address_filtered_is_one_timeout_and_a_diagnosis() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let _drop = Firewall::drop_tcp(ip, None);
    let mut records = DnsRecords::new();
    for host in ["imap", "smtp", "mail", "pop", "autoconfig", "autodiscover"] {
        records = records.a(&format!("{host}.filtered.test"), ip);
    }
    // A source names a server too: its failed claim must not hide the diagnosis.
    let records = records.a("filtered.test", ip).srv(
        "_imaps._tcp.filtered.test",
        "imap.filtered.test",
        993,
        0,
        1,
    );
    let dns = Dns::start(support::next_ip(), 53, records);
    let (json, code, elapsed) = detect_timed("taro@filtered.test", &dns, &ca, &["--timeout", "2"]);
    assert_eq!(code, 3, "{json:#}");
    let f = finding(&json, "all-timed-out", "error");
    assert!(
        f["endpoints"].as_array().is_some_and(|e| e.len() >= 4),
        "{f:#}"
    );
    // One --timeout (2 s) and the guessing head start, not three timeouts in a row.
    assert!(elapsed < Duration::from_millis(3500), "took {elapsed:?}");
}

#[test]
fn port_25_blocked_while_submission_works() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.op25b.test"], |p| p.smtp_port = Some(25));
    let _block = Firewall::reject_tcp(mail.ip, 25);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.op25b.test", mail.ip)
            .mx("op25b.test", "mail.op25b.test", 10)
            .srv("_imaps._tcp.op25b.test", "mail.op25b.test", 993, 0, 1)
            .srv("_submission._tcp.op25b.test", "mail.op25b.test", 587, 0, 1),
    );
    let (json, code) = detect("taro@op25b.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_setting(
        first(&json, "outgoing"),
        "smtp",
        "mail.op25b.test",
        587,
        "starttls",
    );
    let f = finding(&json, "port25-blocked", "warning");
    assert_eq!(f["blocked"][0]["port"], 25, "{f:#}");
    let working: Vec<&Value> = f["working"].as_array().into_iter().flatten().collect();
    assert!(working.iter().any(|w| w["port"] == 587), "{f:#}");
    let (ja, _) = table("taro@op25b.test", &dns, &ca, "ja", &[]);
    assert!(ja.contains("OP25B"), "{ja}");
    assert!(ja.contains("ポート 587 か 465"), "{ja}");
}

/// Mail servers for `domain` with the certificate `cert`, found through SRV; `trusted` is
/// the CA given with --ca-file, if any.
fn detect_with_certificate(
    trusted: Option<&TestCa>,
    domain: &str,
    cert: support::CertFiles,
) -> (Value, i32, Dns) {
    let host = format!("mail.{domain}");
    let ip = support::next_ip();
    let mut dovecot = DovecotConfig::new(ip, cert);
    dovecot.imap_port = None;
    dovecot.pop3_port = None;
    dovecot.pop3s_port = None;
    let _dovecot = Dovecot::start(dovecot);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a(&host, ip)
            .srv(&format!("_imaps._tcp.{domain}"), &host, 993, 0, 1),
    );
    let email = format!("taro@{domain}");
    let dns_addr = dns.addr().to_string();
    let mut args = vec![
        "detect",
        &email,
        "--dns-server",
        &dns_addr,
        "--no-ispdb",
        "--timeout",
        "2",
    ];
    let ca_path = trusted.map(|ca| ca.ca_pem().display().to_string());
    if let Some(path) = &ca_path {
        args.extend(["--ca-file", path]);
    }
    let (json, code, _) = mailcfg_json(&args);
    (json, code, dns)
}

#[test]
fn certificate_failures_are_named_with_their_dates_and_names() {
    support::require_netns();
    let ca = TestCa::temp();
    let cases = [
        (
            "selfsigned.test",
            ca.self_signed(&["mail.selfsigned.test"]),
            "certificate-self-signed",
            "subject",
        ),
        (
            "expired.test",
            ca.issue(&["mail.expired.test"], Validity::Expired),
            "certificate-expired",
            "not_after",
        ),
        (
            "early.test",
            ca.issue(&["mail.early.test"], Validity::NotYetValid),
            "certificate-not-yet-valid",
            "not_before",
        ),
        (
            // Issued by the test CA, which is not trusted without --ca-file.
            "unknown.test",
            ca.issue(&["mail.unknown.test"], Validity::Current),
            "certificate-unknown-issuer",
            "issuer",
        ),
    ];
    for (domain, cert, kind, field) in cases {
        let trusted = (kind != "certificate-unknown-issuer").then_some(&ca);
        let (json, _, _dns) = detect_with_certificate(trusted, domain, cert);
        let f = finding(&json, kind, "warning");
        assert!(f[field].as_str().is_some_and(|v| !v.is_empty()), "{f:#}");
        assert_eq!(f["endpoints"][0]["port"], 993, "{f:#}");
        let text = f["en"].as_str().unwrap_or("");
        if field.starts_with("not_") {
            // The date a person checks, as YYYY-MM-DD.
            let day = f[field]
                .as_str()
                .and_then(|t| t.get(..10))
                .unwrap_or("no date");
            assert!(text.contains(day), "{text}");
        }
        assert_eq!(
            first(&json, "incoming")["verification"]["state"],
            "untrusted-certificate"
        );
    }
}

#[test]
fn shared_hosting_offers_the_certificates_own_name_to_confirm() {
    support::require_netns();
    let ca = TestCa::temp();
    // People type mail.their-domain; the hoster's certificate names its own server.
    let mail = MailServers::start(&ca, &["server7.hoster.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.customer.test", mail.ip)
            .a("server7.hoster.test", mail.ip)
            .srv("_imaps._tcp.customer.test", "mail.customer.test", 993, 0, 1)
            .srv(
                "_submissions._tcp.customer.test",
                "mail.customer.test",
                465,
                0,
                1,
            ),
    );
    let (json, code) = detect("taro@customer.test", &dns, &ca, &[]);
    let f = finding(&json, "certificate-name-mismatch", "warning");
    assert_eq!(f["verified_alternative"], "server7.hoster.test", "{f:#}");
    assert!(
        f["en"]
            .as_str()
            .unwrap_or("")
            .contains("connecting by that name is verified"),
        "{f:#}"
    );
    // Nothing in the domain verifies: the certificate's name is recommended, flagged.
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "server7.hoster.test", 993, "tls");
    assert_eq!(imap["verified"], true);
    assert_eq!(imap["sources"], serde_json::json!(["certificate"]));
    assert!(imap["confirm"]["en"].as_str().is_some(), "{imap:#}");
    assert_setting(
        first(&json, "outgoing"),
        "smtp",
        "server7.hoster.test",
        465,
        "tls",
    );
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn an_alias_outside_the_certificate_points_at_the_canonical_name() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mx.provider-alias.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mx.provider-alias.test", mail.ip)
            .cname("mail.alias.test", "mx.provider-alias.test")
            .srv("_imaps._tcp.alias.test", "mail.alias.test", 993, 0, 1)
            .srv("_submissions._tcp.alias.test", "mail.alias.test", 465, 0, 1),
    );
    let (json, _) = detect("taro@alias.test", &dns, &ca, &[]);
    let f = finding(&json, "alias-not-in-certificate", "warning");
    assert_eq!(f["canonical"], "mx.provider-alias.test", "{f:#}");
    assert_eq!(f["canonical_verified"], true, "{f:#}");
    assert!(
        findings(&json, "certificate-name-mismatch").is_empty(),
        "{json:#}"
    );
    assert_setting(
        first(&json, "incoming"),
        "imap",
        "mx.provider-alias.test",
        993,
        "tls",
    );
    let (ja, _) = table("taro@alias.test", &dns, &ca, "ja", &[]);
    assert!(ja.contains("の別名（CNAME）"), "{ja}");
}

#[test]
fn a_plaintext_only_server_is_diagnosed() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let _dovecot = Dovecot::start(DovecotConfig::plaintext(ip));
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().a("mail.cleartext.test", ip).srv(
            "_imap._tcp.cleartext.test",
            "mail.cleartext.test",
            143,
            0,
            1,
        ),
    );
    let (json, _) = detect("taro@cleartext.test", &dns, &ca, &[]);
    assert_setting(
        first(&json, "incoming"),
        "imap",
        "mail.cleartext.test",
        143,
        "plain",
    );
    let f = finding(&json, "plaintext-only", "warning");
    assert_eq!(f["at"]["port"], 143, "{f:#}");
    let (en, _) = table("taro@cleartext.test", &dns, &ca, "en", &[]);
    assert!(en.contains("works only without encryption"), "{en}");
}

/// Everything but the timings, which differ from run to run.
fn without_timings(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !key.ends_with("_ms"));
            map.values_mut().for_each(without_timings);
        }
        Value::Array(items) => items.iter_mut().for_each(without_timings),
        _ => {}
    }
}

#[test]
fn the_same_servers_give_the_same_answer_ten_times() {
    support::require_netns();
    let ca = TestCa::temp();
    // imap., mail. and the bare domain all work and are equally good: only the fixed order
    // (the protocol's own name first) may decide, never which probe answered first.
    let mail = MailServers::start(
        &ca,
        &[
            "imap.same.test",
            "smtp.same.test",
            "mail.same.test",
            "same.test",
        ],
        |_| {},
    );
    let mut records = DnsRecords::new();
    for host in [
        "imap.same.test",
        "smtp.same.test",
        "mail.same.test",
        "same.test",
    ] {
        records = records.a(host, mail.ip);
    }
    // Equal SRV records for two hosts (same priority, same weight): DNS may return them in
    // either order, and both verify at once; the fixed order must decide.
    for host in ["mail.same.test", "imap.same.test"] {
        records = records.srv("_imaps._tcp.same.test", host, 993, 0, 5);
    }
    let dns = Dns::start(support::next_ip(), 53, records);
    let mut documents = Vec::new();
    for _ in 0..10 {
        let (mut json, code) = detect("taro@same.test", &dns, &ca, &[]);
        assert_eq!(code, 0, "{json:#}");
        assert_setting(
            first(&json, "incoming"),
            "imap",
            "imap.same.test",
            993,
            "tls",
        );
        assert_setting(
            first(&json, "outgoing"),
            "smtp",
            "smtp.same.test",
            465,
            "tls",
        );
        without_timings(&mut json);
        documents.push(json);
    }
    for (run, doc) in documents.iter().enumerate().skip(1) {
        if let Some(at) = first_difference(doc, &documents[0], String::new()) {
            panic!("run {run} differs from run 0 at {at}");
        }
    }
}

/// Where `a` and `b` first differ, as a JSON pointer with both values.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let null = Value::Null;
                let (u, v) = (x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null));
                first_difference(u, v, format!("{at}/{k}"))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() != y.len() => Some(format!(
            "{at}: {} items vs {}: {} vs {}",
            x.len(),
            y.len(),
            places(x),
            places(y)
        )),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {} vs {}", short(a), short(b))),
    }
}

/// `host:port` of each item that has them.
fn places(items: &[Value]) -> String {
    let names: Vec<String> = items
        .iter()
        .map(|i| format!("{}:{}", i["host"].as_str().unwrap_or("?"), i["port"]))
        .collect();
    names.join(" ")
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    text.chars().take(300).collect()
}

#[test]
fn stripped_starttls_is_never_recommended_and_no_password_is_sent() {
    use crate::support::hostile::{AfterStarttls, Dialect};
    use crate::support::{Behaviour, Hostile};
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    // 143 pretends to upgrade and then answers in plain text (a stripping middlebox);
    // Dovecot serves 993 on the same address.
    let received = support::hostile::Received::default();
    let _strip = Hostile::start(
        ip,
        143,
        Behaviour::FakeStarttls {
            dialect: Dialect::Imap,
            then: AfterStarttls::Garbage,
            received: received.clone(),
        },
    );
    let mut dovecot = DovecotConfig::new(ip, ca.issue(&["mail.strip.test"], Validity::Current));
    (dovecot.imap_port, dovecot.pop3_port, dovecot.pop3s_port) = (None, None, None);
    let _dovecot = Dovecot::start(dovecot);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.strip.test", ip)
            .srv("_imap._tcp.strip.test", "mail.strip.test", 143, 0, 1)
            .srv("_imaps._tcp.strip.test", "mail.strip.test", 993, 10, 1),
    );
    let (json, _) = detect("taro@strip.test", &dns, &ca, &[]);
    let f = finding(&json, "starttls-failed", "error");
    assert_eq!(f["at"]["port"], 143, "{f:#}");
    assert!(
        f["en"]
            .as_str()
            .unwrap_or("")
            .contains("no password was sent"),
        "{f:#}"
    );
    assert_setting(
        first(&json, "incoming"),
        "imap",
        "mail.strip.test",
        993,
        "tls",
    );
    // 143 stays visible as failed, never as a plaintext setting.
    let stripped: Vec<&Value> = json["incoming"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["port"] == 143)
        .collect();
    assert_eq!(stripped.len(), 1, "{json:#}");
    assert_eq!(stripped[0]["verification"]["state"], "failed");
    assert_ne!(stripped[0]["security"], "plain");
    assert_eq!(stripped[0]["recommended"], false);
    let bytes = received.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&bytes).to_ascii_uppercase();
    assert!(
        !text.contains("LOGIN ") && !text.contains("AUTHENTICATE"),
        "{text}"
    );
    let (ja, _) = table("taro@strip.test", &dns, &ca, "ja", &[]);
    assert!(
        ja.contains("暗号化への切り替え（STARTTLS）が失敗します"),
        "{ja}"
    );
}

#[test]
fn a_tls_1_1_only_server_is_obsolete_with_its_certificate_named() {
    use crate::support::legacy_tls::{Front, LegacyTls, OldTls};
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    let cert = ca.issue(&["mail.oldtls.test"], Validity::Current);
    let _server = LegacyTls::start(ip, 993, OldTls::V1_1, Front::Implicit, &cert);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().a("mail.oldtls.test", ip).srv(
            "_imaps._tcp.oldtls.test",
            "mail.oldtls.test",
            993,
            0,
            1,
        ),
    );
    let (json, code) = detect("taro@oldtls.test", &dns, &ca, &[]);
    assert_eq!(code, 3, "{json:#}");
    let f = finding(&json, "obsolete-tls", "error");
    assert_eq!(f["version"], "TLSv1.1", "{f:#}");
    assert_eq!(
        f["certificate_names"],
        serde_json::json!(["mail.oldtls.test"])
    );
    // The test CA issues ECDSA P-256 keys.
    assert_eq!(f["key_bits"], 256, "{f:#}");
    let (en, _) = table("taro@oldtls.test", &dns, &ca, "en", &[]);
    assert!(en.contains("speaks only TLSv1.1"), "{en}");
    assert!(en.contains("must enable TLS 1.2"), "{en}");
    let (ja, _) = table("taro@oldtls.test", &dns, &ca, "ja", &[]);
    assert!(ja.contains("廃止された TLSv1.1"), "{ja}");
}

#[test]
fn plaintext_on_the_tls_port_points_at_the_starttls_port_that_works() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    // A plaintext Dovecot listens on 993 by mistake; a second one offers STARTTLS on 143.
    let mut wrong = DovecotConfig::plaintext(ip);
    (wrong.imap_port, wrong.pop3_port) = (Some(993), None);
    let _wrong = Dovecot::start(wrong);
    let mut right = DovecotConfig::new(ip, ca.issue(&["mail.wrongport.test"], Validity::Current));
    (right.imaps_port, right.pop3_port, right.pop3s_port) = (None, None, None);
    let _right = Dovecot::start(right);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.wrongport.test", ip)
            .srv(
                "_imaps._tcp.wrongport.test",
                "mail.wrongport.test",
                993,
                0,
                1,
            )
            .srv(
                "_imap._tcp.wrongport.test",
                "mail.wrongport.test",
                143,
                0,
                1,
            ),
    );
    let (json, _) = detect("taro@wrongport.test", &dns, &ca, &[]);
    assert_setting(
        first(&json, "incoming"),
        "imap",
        "mail.wrongport.test",
        143,
        "starttls",
    );
    let f = finding(&json, "plaintext-on-tls-port", "warning");
    assert_eq!(f["at"]["port"], 993, "{f:#}");
    assert_eq!(f["instead"]["port"], 143, "{f:#}");
    assert!(
        f["greeting"].as_str().unwrap_or("").starts_with("* OK"),
        "{f:#}"
    );
    let (en, _) = table("taro@wrongport.test", &dns, &ca, "en", &[]);
    assert!(
        en.contains("use mail.wrongport.test:143 with STARTTLS instead"),
        "{en}"
    );
}

#[test]
fn a_hosters_wildcard_certificate_points_at_the_mx_host() {
    support::require_netns();
    let ca = TestCa::temp();
    // A rental server: the certificate covers *.rental.test only, and the domain's MX is
    // the hoster's server, which is also where mail is read and sent.
    let mail = MailServers::start(&ca, &["*.rental.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.shop.test", mail.ip)
            .a("server9.rental.test", mail.ip)
            .mx("shop.test", "server9.rental.test", 10)
            .srv("_imaps._tcp.shop.test", "mail.shop.test", 993, 0, 1)
            .srv("_submissions._tcp.shop.test", "mail.shop.test", 465, 0, 1),
    );
    let (json, _) = detect("taro@shop.test", &dns, &ca, &[]);
    let f = finding(&json, "certificate-name-mismatch", "warning");
    assert_eq!(f["verified_alternative"], "server9.rental.test", "{f:#}");
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "server9.rental.test", 993, "tls");
    assert_eq!(imap["verified"], true, "{imap:#}");
    assert_eq!(imap["sources"], serde_json::json!(["certificate"]));
    assert!(imap["confirm"]["en"].as_str().is_some(), "{imap:#}");
}
