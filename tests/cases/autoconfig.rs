//! Autoconfig end to end, through `mailcfg detect`: the three URLs asked at once, and a
//! redirect from https to plain http refused. Only the sources' reports are checked here:
//! the documents name hosts where nothing listens (refused at once), so no probe waits.

use super::{findings, mailcfg_json};
use crate::support::{
    self, Behaviour, Dns, DnsRecords, Hostile, HttpServer, Response, Routes, TestCa, Validity,
};
use serde_json::Value;
use std::time::Duration;

const CONFIG_PATH: &str = "/mail/config-v1.1.xml";

/// An autoconfig document naming `host` for IMAP and SMTP.
fn config(host: &str) -> String {
    format!(
        r#"<clientConfig version="1.1"><emailProvider id="x">
      <incomingServer type="imap"><hostname>{host}</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
      <outgoingServer type="smtp"><hostname>{host}</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
    </emailProvider></clientConfig>"#
    )
}

/// `detect --json` for `email`, ISPDB off.
fn detect(email: &str, dns: &Dns, ca: &TestCa, timeout: &str) -> (Value, i32, Duration) {
    let (dns, ca) = (dns.addr().to_string(), ca.ca_pem().display().to_string());
    mailcfg_json(&[
        "detect",
        email,
        "--no-ispdb",
        "--dns-server",
        &dns,
        "--ca-file",
        &ca,
        "--timeout",
        timeout,
    ])
}

/// The autoconfig reports, in the order detect lists them.
fn autoconfig_reports(json: &Value) -> Vec<&Value> {
    json["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] == "autoconfig")
        .collect()
}

fn state(report: &Value) -> &str {
    report["status"]["state"].as_str().unwrap_or("")
}

#[test]
fn plain_http_beside_an_https_tarpit_costs_one_wait() {
    support::require_netns();
    let ca = TestCa::temp();
    let web_ip = support::next_ip();
    // https on autoconfig.<d> accepts and never speaks; plain http answers, slowly.
    let _tarpit = Hostile::start(web_ip, 443, Behaviour::Tarpit);
    let http_delay = Duration::from_millis(1500);
    let _web = HttpServer::plain(
        web_ip,
        Routes::new().route(
            "autoconfig.slowweb.test",
            CONFIG_PATH,
            Response::xml(config("mail.slowweb.test")).after(http_delay),
        ),
    );
    let nobody = support::next_ip();
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("autoconfig.slowweb.test", web_ip)
            .a("mail.slowweb.test", nobody),
    );
    let (json, _, elapsed) = detect("taro@slowweb.test", &dns, &ca, "2");
    let reports = autoconfig_reports(&json);
    // The tarpit timed out; the domain itself has no address (the .well-known URL fails at
    // once); plain http gave the settings.
    let states: Vec<&str> = reports.iter().map(|r| state(r)).collect();
    assert_eq!(states.len(), 3, "{json:#}");
    assert_eq!((states[0], states[2]), ("failed", "found"), "{json:#}");
    assert!(
        reports[2]["query"]
            .as_str()
            .is_some_and(|q| q.starts_with("http://autoconfig.slowweb.test/")),
        "{json:#}"
    );
    // Asked after the tarpit had given up, plain http would add its own delay to the wait.
    let tarpit_ms = reports[0]["elapsed_ms"].as_f64().unwrap_or(f64::MAX);
    let tarpit = Duration::from_secs_f64(tarpit_ms / 1000.0);
    assert!(
        elapsed < tarpit.max(http_delay) + Duration::from_millis(1000),
        "took {elapsed:?}; the https tarpit took {tarpit:?}"
    );
}

#[test]
fn a_redirect_from_https_to_plain_http_is_refused_and_never_followed() {
    support::require_netns();
    let ca = TestCa::temp();
    let web_ip = support::next_ip();
    let evil = "/evil/config-v1.1.xml";
    // https redirects to plain http on the same host, where the document would be.
    let web = HttpServer::https(
        web_ip,
        ca.issue(&["autoconfig.downgrade.test"], Validity::Current),
        Routes::new().route(
            "autoconfig.downgrade.test",
            CONFIG_PATH,
            Response::redirect(302, &format!("http://autoconfig.downgrade.test{evil}")),
        ),
    );
    let plain = HttpServer::plain(
        web_ip,
        Routes::new().route(
            "autoconfig.downgrade.test",
            evil,
            Response::xml(config("mail.attacker.test")),
        ),
    );
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("autoconfig.downgrade.test", web_ip)
            .a("mail.attacker.test", support::next_ip()),
    );
    let (json, _, _) = detect("taro@downgrade.test", &dns, &ca, "2");
    let reports = autoconfig_reports(&json);
    let https = reports[0];
    assert_eq!(state(https), "failed", "{json:#}");
    let detail = https["status"]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("plain http"), "{detail}");
    assert!(
        !detail.contains(evil),
        "the redirect's target is named: {detail}"
    );
    assert_eq!(web.requests().len(), 1);
    // Plain http is asked at its own URL only (the fallback, which has nothing).
    let asked: Vec<String> = plain.requests().into_iter().map(|r| r.path).collect();
    assert!(
        asked.iter().all(|p| p == CONFIG_PATH),
        "the redirect was followed: {asked:?}"
    );
    let text = json.to_string();
    assert!(!text.contains("mail.attacker.test"), "{json:#}");
    // The refusal is said, as a finding naming the https URL (never the target).
    let refused = findings(&json, "autoconfig-downgrade-refused");
    assert_eq!(refused.len(), 1, "{json:#}");
    assert_eq!(refused[0]["severity"], "info");
    assert!(
        refused[0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://autoconfig.downgrade.test/")),
        "{refused:?}"
    );
    for lang in ["en", "ja"] {
        let words = refused[0][lang].as_str().unwrap_or("");
        assert!(!words.is_empty() && !words.contains(evil), "{words}");
    }
}
