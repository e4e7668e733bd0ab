//! `mailcfg detect` end to end: real Dovecot and Postfix, dnsmasq serving MX/SRV/A, and an
//! in-process HTTPS server serving autoconfig, all reached through `--dns-server` and
//! `--ca-file`.

use super::{findings, mailcfg, mailcfg_json, strings};
use crate::support::{
    self, Behaviour, Dns, DnsRecords, Dovecot, DovecotConfig, Hostile, HttpServer, Postfix,
    PostfixConfig, Response, Routes, TestCa, Validity,
};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::time::Duration;

/// Dovecot + Postfix on one address with a certificate for `names`.
pub(super) struct MailServers {
    pub(super) ip: Ipv4Addr,
    _dovecot: Dovecot,
    _postfix: Postfix,
}

impl MailServers {
    pub(super) fn start(
        ca: &TestCa,
        names: &[&str],
        configure: impl FnOnce(&mut PostfixConfig),
    ) -> MailServers {
        let ip = support::next_ip();
        let cert = ca.issue(names, Validity::Current);
        let mut dovecot = DovecotConfig::new(ip, cert.clone());
        dovecot.auth_socket = true;
        let dovecot = Dovecot::start(dovecot);
        let mut postfix = PostfixConfig::new(ip, cert, dovecot.auth_socket());
        configure(&mut postfix);
        let postfix = Postfix::start(postfix);
        MailServers {
            ip,
            _dovecot: dovecot,
            _postfix: postfix,
        }
    }
}

/// Run `detect` with the test DNS server and CA; ISPDB off and `--timeout 2` unless `extra`
/// says otherwise.
pub(super) fn detect_timed(
    email: &str,
    dns: &Dns,
    ca: &TestCa,
    extra: &[&str],
) -> (Value, i32, Duration) {
    let dns_addr = dns.addr().to_string();
    let ca_path = ca.ca_pem().display().to_string();
    let mut args = vec![
        "detect",
        email,
        "--dns-server",
        &dns_addr,
        "--ca-file",
        &ca_path,
    ];
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "2"]);
    }
    if !extra.iter().any(|a| a.starts_with("--ispdb")) {
        args.push("--no-ispdb");
    }
    args.extend_from_slice(extra);
    mailcfg_json(&args)
}

pub(super) fn detect(email: &str, dns: &Dns, ca: &TestCa, extra: &[&str]) -> (Value, i32) {
    let (json, code, _) = detect_timed(email, dns, ca, extra);
    (json, code)
}

pub(super) fn first<'a>(json: &'a Value, direction: &str) -> &'a Value {
    &json[direction][0]
}

pub(super) fn assert_setting(
    setting: &Value,
    protocol: &str,
    host: &str,
    port: u16,
    security: &str,
) {
    assert_eq!(setting["protocol"], protocol, "{setting:#}");
    assert_eq!(setting["host"], host, "{setting:#}");
    assert_eq!(setting["port"], port, "{setting:#}");
    assert_eq!(setting["security"], security, "{setting:#}");
}

fn source_states(json: &Value, kind: &str) -> Vec<String> {
    json["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] == kind)
        .map(|s| s["status"]["state"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn found_only_through_srv() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.srv.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.srv.test", mail.ip)
            .srv("_imaps._tcp.srv.test", "mail.srv.test", 993, 0, 1)
            .srv("_submissions._tcp.srv.test", "mail.srv.test", 465, 0, 1)
            .srv_none("_pop3s._tcp.srv.test"),
    );
    let (json, code) = detect("hanako@srv.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["schema"], 1);
    assert_eq!(json["mode"], "full");
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "mail.srv.test", 993, "tls");
    assert_eq!(imap["verified"], true);
    assert_eq!(imap["recommended"], true);
    assert_eq!(strings(imap, "sources"), ["srv"]);
    assert_eq!(imap["username"], "hanako@srv.test");
    assert_eq!(strings(imap, "mechanisms"), ["PLAIN", "LOGIN"]);
    let smtp = first(&json, "outgoing");
    assert_setting(smtp, "smtp", "mail.srv.test", 465, "tls");
    assert_eq!(smtp["verified"], true);
    assert!(
        json["contradictions"].as_array().is_some_and(Vec::is_empty),
        "{json:#}"
    );
    assert!(source_states(&json, "srv").contains(&"found".to_string()));
}

#[test]
fn found_only_through_autoconfig_over_https() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["imap.ac.test", "smtp.ac.test"], |_| {});
    let web_ip = support::next_ip();
    let config = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="ac.test">
    <domain>ac.test</domain>
    <displayName>AC Test Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.ac.test</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;
    let web = HttpServer::https(
        web_ip,
        ca.issue(&["autoconfig.ac.test"], Validity::Current),
        Routes::new().route(
            "autoconfig.ac.test",
            "/mail/config-v1.1.xml",
            Response::xml(config),
        ),
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("imap.ac.test", mail.ip)
            .a("smtp.ac.test", mail.ip)
            .a("autoconfig.ac.test", web_ip),
    );
    let (json, code) = detect("jiro@ac.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "imap.ac.test", 993, "tls");
    assert_eq!(imap["username"], "jiro");
    assert_eq!(imap["username_form"], "local-part");
    assert_eq!(strings(imap, "sources"), ["autoconfig"]);
    assert_eq!(imap["verified"], true);
    assert_setting(
        first(&json, "outgoing"),
        "smtp",
        "smtp.ac.test",
        587,
        "starttls",
    );
    assert_eq!(first(&json, "outgoing")["verified"], true);
    // The address is passed as autoconfig asks, and never a credential.
    let requests = web.requests();
    assert!(
        requests.iter().any(|r| r
            .query
            .as_deref()
            .is_some_and(|q| q.contains("jiro%40ac.test"))),
        "{requests:?}"
    );
    assert!(!web.saw_credentials());
}

#[test]
fn found_only_through_mx_pointing_at_a_known_provider() {
    support::require_netns();
    let ca = TestCa::temp();
    // Stand-ins for Google's servers, reached through the test DNS server.
    let mail = MailServers::start(
        &ca,
        &["imap.gmail.com", "smtp.gmail.com", "pop.gmail.com"],
        |_| {},
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .mx("workspace.test", "aspmx.l.google.com", 1)
            .mx("workspace.test", "alt1.aspmx.l.google.com", 5)
            .a("imap.gmail.com", mail.ip)
            .a("smtp.gmail.com", mail.ip)
            .a("pop.gmail.com", mail.ip),
    );
    let (json, code) = detect("saburo@workspace.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["provider"]["id"], "gmail");
    assert_eq!(json["provider"]["matched_by"], "mx");
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "imap.gmail.com", 993, "tls");
    assert_eq!(strings(imap, "sources"), ["mx"]);
    assert_eq!(imap["verified"], true);
    assert_eq!(imap["username"], "saburo@workspace.test");
    assert_setting(
        first(&json, "outgoing"),
        "smtp",
        "smtp.gmail.com",
        465,
        "tls",
    );
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["en"].as_str())
        .collect();
    assert!(notes.iter().any(|n| n.contains("Workspace")), "{notes:?}");
}

#[test]
fn found_only_by_guessing() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["imap.guess.test", "smtp.guess.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("imap.guess.test", mail.ip)
            .a("smtp.guess.test", mail.ip),
    );
    let (json, code) = detect("shiro@guess.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "imap.guess.test", 993, "tls");
    assert_eq!(strings(imap, "sources"), ["guess"]);
    assert_eq!(imap["verified"], true);
    assert_setting(
        first(&json, "outgoing"),
        "smtp",
        "smtp.guess.test",
        465,
        "tls",
    );
    assert!(source_states(&json, "guess").contains(&"found".to_string()));
    // Guesses that led nowhere are not offered as settings.
    let hosts: Vec<&str> = json["incoming"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["host"].as_str())
        .collect();
    assert!(hosts.iter().all(|h| *h == "imap.guess.test"), "{hosts:?}");
}

#[test]
fn a_refused_claim_is_shown_as_a_contradiction() {
    support::require_netns();
    let ca = TestCa::temp();
    // No SMTPS listener: the SRV record for 465 is wrong; 587 works.
    let mail = MailServers::start(&ca, &["mail.contra.test"], |p| p.smtps_port = None);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.contra.test", mail.ip)
            .srv("_imaps._tcp.contra.test", "mail.contra.test", 993, 0, 1)
            .srv(
                "_submissions._tcp.contra.test",
                "mail.contra.test",
                465,
                0,
                1,
            )
            .srv(
                "_submission._tcp.contra.test",
                "mail.contra.test",
                587,
                0,
                1,
            ),
    );
    let (json, code) = detect("goro@contra.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_setting(
        first(&json, "outgoing"),
        "smtp",
        "mail.contra.test",
        587,
        "starttls",
    );
    let contradictions = json["contradictions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(contradictions.len(), 1, "{json:#}");
    assert_eq!(contradictions[0]["claimed"]["port"], 465);
    assert!(
        contradictions[0]["observed"]
            .as_str()
            .unwrap_or("")
            .starts_with("refused"),
        "{contradictions:?}"
    );
    // The failed claim stays visible among the alternatives, last.
    let last = json["outgoing"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["port"], 465);
    assert_eq!(last["verification"]["state"], "failed");
    assert_eq!(last["recommended"], false);
}

#[test]
fn a_certificate_for_another_name_is_not_trusted() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["shared.hosting.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.mismatch.test", mail.ip)
            .srv("_imaps._tcp.mismatch.test", "mail.mismatch.test", 993, 0, 1)
            .srv(
                "_submissions._tcp.mismatch.test",
                "mail.mismatch.test",
                465,
                0,
                1,
            ),
    );
    let (json, code) = detect("rokuro@mismatch.test", &dns, &ca, &["--deadline", "8"]);
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "mail.mismatch.test", 993, "tls");
    assert_eq!(imap["verified"], false);
    assert_eq!(imap["verification"]["state"], "untrusted-certificate");
    assert_eq!(imap["certificate"]["error_kind"], "name-mismatch");
    assert!(
        imap["verification"]["error"]
            .as_str()
            .unwrap_or("")
            .contains("shared.hosting.test"),
        "{imap:#}"
    );
    let mismatch = findings(&json, "certificate-name-mismatch")
        .first()
        .copied()
        .cloned()
        .unwrap_or_default();
    assert_eq!(mismatch["severity"], "warning", "{json:#}");
    assert_eq!(
        mismatch["names"],
        serde_json::json!(["shared.hosting.test"])
    );
    assert!(
        mismatch["en"]
            .as_str()
            .unwrap_or("")
            .contains("is for shared.hosting.test"),
        "{mismatch:#}"
    );
    // shared.hosting.test does not resolve: nothing to offer instead.
    assert_eq!(mismatch["verified_alternative"], Value::Null);
    // Still the recommendation (encrypted, with a warning), but not a clean success.
    assert_eq!(imap["recommended"], true);
    assert_eq!(code, 1);
}

#[test]
fn nothing_at_all() {
    support::require_netns();
    let ca = TestCa::temp();
    let dns = Dns::start(support::next_ip(), 53, DnsRecords::new());
    let (json, code) = detect("nobody@nothing.test", &dns, &ca, &[]);
    assert_eq!(code, 3, "{json:#}");
    assert!(json["incoming"].as_array().is_some_and(Vec::is_empty));
    assert!(json["outgoing"].as_array().is_some_and(Vec::is_empty));
    // Every source was asked and said so.
    for kind in [
        "provider",
        "srv",
        "mx",
        "autoconfig",
        "autodiscover",
        "guess",
    ] {
        assert!(
            !source_states(&json, kind).is_empty(),
            "no {kind} source in {json:#}"
        );
    }
}

/// `mail.<domain>` (real servers) and `slow.<domain>` (a tarpit on `tarpit_port`), with
/// SRV records `(service, host label, port)`; detect runs with `--timeout 20`, so waiting
/// for the tarpit would show.
fn detect_beside_a_tarpit(
    domain: &str,
    tarpit_port: u16,
    srv: &[(&str, &str, u16)],
) -> (Value, i32, Duration) {
    support::require_netns();
    let ca = TestCa::temp();
    let mail_host = format!("mail.{domain}");
    let slow_host = format!("slow.{domain}");
    let mail = MailServers::start(&ca, &[&mail_host], |_| {});
    let slow_ip = support::next_ip();
    let _tarpit = Hostile::start(slow_ip, tarpit_port, Behaviour::Tarpit);
    let mut records = DnsRecords::new()
        .a(&mail_host, mail.ip)
        .a(&slow_host, slow_ip);
    for (service, label, port) in srv {
        records = records.srv(
            &format!("{service}.{domain}"),
            &format!("{label}.{domain}"),
            *port,
            0,
            1,
        );
    }
    let dns = Dns::start(support::next_ip(), 53, records);
    detect_timed(&format!("taro@{domain}"), &dns, &ca, &["--timeout", "20"])
}

#[test]
fn a_tarpit_and_a_refused_port_do_not_hold_up_a_verified_answer() {
    let (json, code, elapsed) = detect_beside_a_tarpit(
        "fast.test",
        143,
        &[
            ("_imaps._tcp", "mail", 993),
            ("_imap._tcp", "slow", 143),
            ("_pop3s._tcp", "slow", 995),
            ("_submissions._tcp", "mail", 465),
        ],
    );
    assert_eq!(code, 0, "{json:#}");
    assert_setting(
        first(&json, "incoming"),
        "imap",
        "mail.fast.test",
        993,
        "tls",
    );
    // The tarpit would cost 20 s per stage if it were waited for.
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn no_probe_looks_up_but_connects_to_no_mail_server() {
    support::require_netns();
    let ca = TestCa::temp();
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .srv("_imaps._tcp.np.test", "imap.np.test", 993, 0, 1)
            .srv("_submission._tcp.np.test", "smtp.np.test", 587, 0, 1),
    );
    let (json, code) = detect("taro@np.test", &dns, &ca, &["--no-probe"]);
    assert_eq!(json["mode"], "no-probe");
    assert_eq!(code, 0, "{json:#}");
    assert_setting(first(&json, "incoming"), "imap", "imap.np.test", 993, "tls");
    assert_eq!(
        first(&json, "incoming")["verification"]["state"],
        "unverified"
    );
    assert!(json["probes"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn ispdb_answers_for_the_domain() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["imap.isp.test", "smtp.isp.test"], |_| {});
    let web_ip = support::next_ip();
    let config = r#"<clientConfig version="1.1"><emailProvider id="isp.test"><domain>isp.test</domain>
      <incomingServer type="imap"><hostname>imap.isp.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
      <outgoingServer type="smtp"><hostname>smtp.isp.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
    </emailProvider></clientConfig>"#;
    let _web = HttpServer::https(
        web_ip,
        ca.issue(&["ispdb.test"], Validity::Current),
        Routes::new().route("ispdb.test", "/v1.1/isp.test", Response::xml(config)),
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("imap.isp.test", mail.ip)
            .a("smtp.isp.test", mail.ip)
            .a("ispdb.test", web_ip),
    );
    let (json, code) = detect(
        "taro@isp.test",
        &dns,
        &ca,
        &["--ispdb-url", "https://ispdb.test/v1.1/"],
    );
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(strings(first(&json, "incoming"), "sources"), ["ispdb"]);
    assert_eq!(first(&json, "incoming")["verified"], true);
}

#[test]
fn thunderbird_export_of_a_verified_answer() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.tb.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.tb.test", mail.ip)
            .srv("_imaps._tcp.tb.test", "mail.tb.test", 993, 0, 1)
            .srv("_submissions._tcp.tb.test", "mail.tb.test", 465, 0, 1),
    );
    let dns_addr = dns.addr().to_string();
    let ca_path = ca.ca_pem().display().to_string();
    let (output, _) = mailcfg(&[
        "detect",
        "taro@tb.test",
        "--dns-server",
        &dns_addr,
        "--ca-file",
        &ca_path,
        "--no-ispdb",
        "--timeout",
        "2",
        "--format",
        "thunderbird",
    ]);
    let xml = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{xml}");
    assert!(xml.contains("<clientConfig version=\"1.1\">"), "{xml}");
    assert!(xml.contains("<hostname>mail.tb.test</hostname>"), "{xml}");
    assert!(xml.contains("<socketType>SSL</socketType>"), "{xml}");
}

#[test]
fn found_only_through_autodiscover_without_credentials() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.ad.test"], |_| {});
    let web_ip = support::next_ip();
    let pox = r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account><AccountType>email</AccountType><Action>settings</Action>
      <Protocol><Type>IMAP</Type><Server>mail.ad.test</Server><Port>993</Port><SSL>on</SSL><LoginName>taro@ad.test</LoginName><SPA>off</SPA></Protocol>
      <Protocol><Type>SMTP</Type><Server>mail.ad.test</Server><Port>465</Port><SSL>on</SSL><LoginName>taro@ad.test</LoginName><SPA>off</SPA><AuthRequired>on</AuthRequired></Protocol>
    </Account>
  </Response>
</Autodiscover>"#;
    let web = HttpServer::https(
        web_ip,
        ca.issue(&["autodiscover.ad.test"], Validity::Current),
        Routes::new().route(
            "autodiscover.ad.test",
            "/autodiscover/autodiscover.xml",
            Response::xml(pox),
        ),
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.ad.test", mail.ip)
            .a("autodiscover.ad.test", web_ip),
    );
    let (json, code) = detect("taro@ad.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "mail.ad.test", 993, "tls");
    assert_eq!(strings(imap, "sources"), ["autodiscover"]);
    assert_eq!(imap["verified"], true);
    assert_setting(first(&json, "outgoing"), "smtp", "mail.ad.test", 465, "tls");
    let posts: Vec<_> = web
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert!(!posts.is_empty());
    assert!(posts.iter().all(|r| {
        String::from_utf8_lossy(&r.body).contains("<EMailAddress>taro@ad.test</EMailAddress>")
    }));
    assert!(
        !web.saw_credentials(),
        "autodiscover must never send credentials"
    );
}

#[test]
fn plain_http_autoconfig_is_a_flagged_fallback() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.elsewhere.test"], |_| {});
    let web_ip = support::next_ip();
    let config = r#"<clientConfig version="1.1"><emailProvider id="plain.test"><domain>plain.test</domain>
      <incomingServer type="imap"><hostname>mail.elsewhere.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
      <outgoingServer type="smtp"><hostname>mail.elsewhere.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
    </emailProvider></clientConfig>"#;
    let mut http = crate::support::HttpConfig::new(
        web_ip,
        ca.issue(&["www.plain.test"], Validity::Current),
        Routes::new().route(
            "autoconfig.plain.test",
            "/mail/config-v1.1.xml",
            Response::xml(config),
        ),
    );
    (http.https_port, http.http_port) = (None, Some(80));
    let _web = HttpServer::start(http);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.elsewhere.test", mail.ip)
            .a("autoconfig.plain.test", web_ip),
    );
    let (json, _) = detect("taro@plain.test", &dns, &ca, &[]);
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "mail.elsewhere.test", 993, "tls");
    assert_eq!(
        imap["source_details"][0]["authenticated"], false,
        "{imap:#}"
    );
    assert!(
        imap["source_details"][0]["detail"]
            .as_str()
            .unwrap_or("")
            .starts_with("http://"),
        "{imap:#}"
    );
    // A host outside the user's domain, named over plain http: the user must confirm it.
    assert!(
        imap["confirm"]["en"]
            .as_str()
            .unwrap_or("")
            .contains("mail.elsewhere.test"),
        "{imap:#}"
    );
    assert!(imap["confirm"]["ja"].as_str().is_some());
    // Said as a finding too: low trust until a probe inside the domain confirms it, and
    // mail.elsewhere.test is not inside plain.test.
    let insecure = findings(&json, "autoconfig-insecure");
    assert_eq!(insecure.len(), 1, "{json:#}");
    assert_eq!(insecure[0]["severity"], "warning");
    assert_eq!(insecure[0]["confirmed"], false);
    assert!(
        insecure[0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://autoconfig.plain.test/")),
        "{insecure:?}"
    );
}

#[test]
fn a_silent_better_candidate_does_not_hold_up_a_verified_one() {
    // The SRV record for implicit TLS names a host that never answers; STARTTLS works.
    let (json, code, elapsed) = detect_beside_a_tarpit(
        "grace.test",
        993,
        &[
            ("_imaps._tcp", "slow", 993),
            ("_imap._tcp", "mail", 143),
            ("_submissions._tcp", "mail", 465),
        ],
    );
    assert_eq!(code, 0, "{json:#}");
    assert_setting(
        first(&json, "incoming"),
        "imap",
        "mail.grace.test",
        143,
        "starttls",
    );
    let silent = json["incoming"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["host"] == "slow.grace.test"))
        .cloned();
    assert_eq!(
        silent.map(|s| s["verification"]["state"].clone()),
        Some(Value::from("unverified"))
    );
    // Waiting for the silent server would take 20 s (one --timeout).
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn an_internationalised_domain_is_looked_up_in_ascii_and_shown_in_unicode() {
    support::require_netns();
    let ca = TestCa::temp();
    // 例え.test is xn--r8jz45g.test on the wire.
    let mail = MailServers::start(&ca, &["mail.xn--r8jz45g.test"], |_| {});
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.xn--r8jz45g.test", mail.ip)
            .srv(
                "_imaps._tcp.xn--r8jz45g.test",
                "mail.xn--r8jz45g.test",
                993,
                0,
                1,
            )
            .srv(
                "_submissions._tcp.xn--r8jz45g.test",
                "mail.xn--r8jz45g.test",
                465,
                0,
                1,
            ),
    );
    let (json, code) = detect("花子@例え.test", &dns, &ca, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["domain"], "xn--r8jz45g.test");
    assert_eq!(json["display_domain"], "例え.test");
    let imap = first(&json, "incoming");
    assert_setting(imap, "imap", "mail.xn--r8jz45g.test", 993, "tls");
    assert_eq!(imap["display_host"], "mail.例え.test");
    assert_eq!(imap["verified"], true);
    assert_eq!(imap["username"], "花子@例え.test");
}
