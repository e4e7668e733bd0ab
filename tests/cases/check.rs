//! `check` end to end: real Dovecot (IMAP, POP3) and Postfix (SMTP AUTH through Dovecot)
//! with the user `alice` / `secret`, dnsmasq for the domain's records, the test CA, and
//! hostile servers that record every byte they receive. Issue 9's promise 2 tests are the
//! `promise_2_*` ones: each fails if a password could reach a server it must not.

use crate::support::hostile::{AfterStarttls, Dialect, Received};
use crate::support::{
    self, Behaviour, Dns, DnsRecords, Dovecot, DovecotConfig, Hostile, Postfix, PostfixConfig, Ssl,
    TestCa, Validity,
};
use serde_json::Value;
use std::io::Write;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

/// The password of the test user.
const RIGHT: &str = "secret";
/// A wrong password, distinctive enough to grep for.
const WRONG: &str = "Wr0ng-pa55-7Qz";

/// What one run of mailcfg printed.
struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }

    /// Every byte the user or a script could see.
    fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Run mailcfg with `args`, the password on standard input.
fn run_with_stdin(args: &[&str], password: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailcfg"))
        .args(args)
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailcfg");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{password}");
    }
    let output = child.wait_with_output().expect("wait for mailcfg");
    let run = Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    };
    if std::env::var("MAILCFG_TEST_SHOW").is_ok_and(|v| v == "1") {
        eprintln!(
            "$ mailcfg {}  # exit {}\n{}{}",
            args.join(" "),
            run.code,
            run.stdout,
            run.stderr
        );
    }
    run
}

/// `check EMAIL --password-stdin` with the test DNS server and CA, plus `extra`.
fn check(email: &str, dns: &Dns, ca: &TestCa, password: &str, extra: &[&str]) -> Run {
    let dns_addr = dns.addr().to_string();
    let ca_path = ca.ca_pem().display().to_string();
    let mut args = vec![
        "check",
        email,
        "--password-stdin",
        "--dns-server",
        &dns_addr,
        "--ca-file",
        &ca_path,
        "--no-ispdb",
        "--timeout",
        "3",
    ];
    args.extend_from_slice(extra);
    run_with_stdin(&args, password)
}

/// Dovecot (IMAP, POP3) and Postfix (SMTP AUTH through Dovecot) on one address, with a
/// certificate of the test CA for `names`.
struct MailServers {
    ip: Ipv4Addr,
    dovecot: Dovecot,
    _postfix: Postfix,
}

impl MailServers {
    fn start(ca: &TestCa, names: &[&str]) -> MailServers {
        let ip = support::next_ip();
        let cert = ca.issue(names, Validity::Current);
        let mut dovecot = DovecotConfig::new(ip, cert.clone());
        dovecot.auth_socket = true;
        let dovecot = Dovecot::start(dovecot);
        let postfix = Postfix::start(PostfixConfig::new(ip, cert, dovecot.auth_socket()));
        MailServers {
            ip,
            dovecot,
            _postfix: postfix,
        }
    }
}

/// A domain whose SRV records name `host` (at `ip`) for IMAPS and submissions.
fn srv_domain(domain: &str, host: &str, ip: Ipv4Addr) -> Dns {
    Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a(host, ip)
            .srv(&format!("_imaps._tcp.{domain}"), host, 993, 0, 1)
            .srv(&format!("_submissions._tcp.{domain}"), host, 465, 0, 1)
            .srv_none(&format!("_pop3s._tcp.{domain}")),
    )
}

fn server<'a>(json: &'a Value, protocol: &str) -> &'a Value {
    json["servers"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["protocol"] == protocol))
        .unwrap_or_else(|| panic!("no {protocol} server in {json:#}"))
}

/// Nothing that could carry a password reached a server: no login command, no SASL
/// exchange, not the password itself nor its base64 forms.
fn assert_nothing_sensitive(received: &[u8], password: &str) {
    let text = String::from_utf8_lossy(received);
    let upper = text.to_ascii_uppercase();
    for word in ["LOGIN", "AUTHENTICATE", "AUTH ", "USER ", "PASS "] {
        assert!(!upper.contains(word), "{word:?} was sent:\n{text}");
    }
    for secret in forms_of(password) {
        assert!(!text.contains(&secret), "the password went out:\n{text}");
    }
}

/// The password as it could appear: itself, and base64 alone or in a SASL PLAIN response.
fn forms_of(password: &str) -> Vec<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        password.to_string(),
        b64.encode(password),
        b64.encode(format!("\0alice\0{password}")),
    ]
}

fn assert_no_password_in(run: &Run, password: &str) {
    let all = run.all_output();
    for secret in forms_of(password) {
        assert!(
            !all.contains(&secret),
            "the password appeared in the output:\n{all}"
        );
    }
}

#[test]
fn the_right_password_logs_in_on_both_servers() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.login.test"]);
    let dns = srv_domain("login.test", "mail.login.test", mail.ip);
    let run = check(
        "alice@login.test",
        &dns,
        &ca,
        RIGHT,
        &["--username", "alice", "--json"],
    );
    assert_eq!(run.code, 0, "{}", run.all_output());
    let json = run.json();
    assert_eq!(json["schema"], 1);
    assert_eq!(json["command"], "check");
    assert_eq!(json["ok"], true);
    assert_eq!(json["verdict"], "logged-in");
    assert_eq!(json["origin"], "detected");
    for protocol in ["imap", "smtp"] {
        let s = server(&json, protocol);
        assert_eq!(s["outcome"], "ok", "{s:#}");
        assert_eq!(s["host"], "mail.login.test");
        assert_eq!(s["security"], "tls");
        assert_eq!(s["mechanism"], "PLAIN", "{s:#}");
        assert_eq!(s["trust"]["grant"], "in-domain", "{s:#}");
        assert_eq!(s["username"], "alice");
        assert!(
            s["en"].as_str().unwrap_or("").contains("Logged in"),
            "{s:#}"
        );
    }
    assert_eq!(server(&json, "smtp")["port"], 465);
    // Dovecot saw the login; the SMTP login went through Dovecot's auth too.
    assert!(
        mail.dovecot.log().contains("user=<alice>"),
        "{}",
        mail.dovecot.log()
    );

    let text = check(
        "alice@login.test",
        &dns,
        &ca,
        RIGHT,
        &["--username", "alice"],
    );
    assert_eq!(text.code, 0, "{}", text.all_output());
    assert!(
        text.stdout
            .contains("Incoming mail server (IMAP): mail.login.test:993 SSL/TLS"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("Result: OK, logged in (PLAIN)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("Every login succeeded"),
        "{}",
        text.stdout
    );
    let ja = check(
        "alice@login.test",
        &dns,
        &ca,
        RIGHT,
        &["--username", "alice", "--lang", "ja"],
    );
    assert!(
        ja.stdout.contains("受信メールサーバー（IMAP）"),
        "{}",
        ja.stdout
    );
    assert!(
        ja.stdout.contains("すべてログインできました"),
        "{}",
        ja.stdout
    );
}

#[test]
fn a_wrong_password_is_a_rejected_login() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.wrong.test"]);
    let dns = srv_domain("wrong.test", "mail.wrong.test", mail.ip);
    let run = check(
        "alice@wrong.test",
        &dns,
        &ca,
        WRONG,
        &["--username", "alice", "--json"],
    );
    assert_eq!(run.code, 5, "{}", run.all_output());
    let json = run.json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["verdict"], "login-rejected");
    for protocol in ["imap", "smtp"] {
        let s = server(&json, protocol);
        assert_eq!(s["outcome"], "wrong-credentials", "{s:#}");
        assert!(s["reply"].as_str().is_some_and(|r| !r.is_empty()), "{s:#}");
        assert!(
            s["en"]
                .as_str()
                .unwrap_or("")
                .contains("refused the user name or the password"),
            "{s:#}"
        );
    }
    // The IMAP reply is Dovecot's own words.
    assert!(
        server(&json, "imap")["reply"]
            .as_str()
            .unwrap_or("")
            .contains("AUTHENTICATIONFAILED"),
        "{json:#}"
    );
    let text = check(
        "alice@wrong.test",
        &dns,
        &ca,
        WRONG,
        &["--username", "alice"],
    );
    assert_eq!(text.code, 5);
    assert!(
        text.stdout
            .contains("Result: wrong user name or password (PLAIN)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("reset the password"),
        "{}",
        text.stdout
    );
    assert_no_password_in(&text, WRONG);
    assert_no_password_in(&run, WRONG);
}

#[test]
fn logindisabled_before_starttls_logs_in_after_the_upgrade() {
    support::require_netns();
    let ca = TestCa::temp();
    let ip = support::next_ip();
    // Dovecot on 143 and 110 only, with disable_plaintext_auth: LOGINDISABLED (and a CAPA
    // without USER) until STARTTLS / STLS.
    let mut config = DovecotConfig::new(ip, ca.issue(&["mail.upgrade.test"], Validity::Current));
    config.imaps_port = None;
    config.pop3s_port = None;
    assert!(config.disable_plaintext_auth);
    let _dovecot = Dovecot::start(config);
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().a("mail.upgrade.test", ip),
    );
    for (flag, port, protocol) in [("--imap", "143", "imap"), ("--pop3", "110", "pop3")] {
        let target = format!("mail.upgrade.test:{port}");
        let run = check(
            "alice@upgrade.test",
            &dns,
            &ca,
            RIGHT,
            &[flag, &target, "--username", "alice", "--json"],
        );
        assert_eq!(run.code, 0, "{}", run.all_output());
        let json = run.json();
        let s = server(&json, protocol);
        assert_eq!(s["outcome"], "ok", "{s:#}");
        assert_eq!(s["security"], "starttls");
        assert_eq!(s["trust"]["grant"], "named-by-user");
        let probe = &s["probe"];
        assert_eq!(probe["starttls_succeeded"], true, "{probe:#}");
        if protocol == "imap" {
            let before: Vec<&str> = probe["capabilities_before_tls"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            assert!(before.contains(&"LOGINDISABLED"), "{probe:#}");
        }
    }
}

#[test]
fn promise_2_never_after_failed_starttls() {
    support::require_netns();
    for dialect in [Dialect::Imap, Dialect::Pop3, Dialect::Smtp] {
        for then in [
            AfterStarttls::Garbage,
            AfterStarttls::Close,
            AfterStarttls::Refuse,
        ] {
            let ip = support::next_ip();
            let (port, flag) = match dialect {
                Dialect::Imap => (143, "--imap"),
                Dialect::Pop3 => (110, "--pop3"),
                Dialect::Smtp => (587, "--smtp"),
            };
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
            let target = format!("{ip}:{port}");
            let run = run_with_stdin(
                &[
                    "check",
                    "alice@strip.test",
                    flag,
                    &target,
                    "--password-stdin",
                    "--timeout",
                    "2",
                    "--json",
                ],
                WRONG,
            );
            assert_eq!(run.code, 6, "{dialect:?} {then:?}: {}", run.all_output());
            let json = run.json();
            let s = &json["servers"][0];
            assert_eq!(s["outcome"], "tls-failure", "{dialect:?} {then:?}: {s:#}");
            assert!(s["mechanism"].is_null(), "{s:#}");
            assert!(
                s["en"]
                    .as_str()
                    .unwrap_or("")
                    .contains("the password was not sent"),
                "{s:#}"
            );
            let bytes = received.lock().unwrap().clone();
            // The server did hear from us (so the test can fail): the STARTTLS request.
            assert!(
                String::from_utf8_lossy(&bytes)
                    .to_ascii_uppercase()
                    .contains("STARTTLS")
                    || String::from_utf8_lossy(&bytes).contains("STLS"),
                "{dialect:?} {then:?}"
            );
            assert_nothing_sensitive(&bytes, WRONG);
            assert_no_password_in(&run, WRONG);
        }
    }
}

#[test]
fn promise_2_never_cleartext() {
    support::require_netns();
    let ip = support::next_ip();
    // A Dovecot that would take a password in the clear (no TLS at all).
    let dovecot = Dovecot::start(DovecotConfig::plaintext(ip));
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new().a("mail.clear.test", ip).srv(
            "_imap._tcp.clear.test",
            "mail.clear.test",
            143,
            0,
            1,
        ),
    );
    let ca = TestCa::temp();
    // Named explicitly, STARTTLS by default on 143: not offered, so nothing is sent.
    let named = check(
        "alice@clear.test",
        &dns,
        &ca,
        RIGHT,
        &[
            "--imap",
            "mail.clear.test:143",
            "--username",
            "alice",
            "--json",
        ],
    );
    assert_eq!(named.code, 6, "{}", named.all_output());
    assert_eq!(server(&named.json(), "imap")["outcome"], "tls-failure");
    // Found by detect as a plaintext setting: refused by the trust rule.
    let detected = check(
        "alice@clear.test",
        &dns,
        &ca,
        RIGHT,
        &["--username", "alice", "--json"],
    );
    assert_eq!(detected.code, 7, "{}", detected.all_output());
    let json = detected.json();
    let s = server(&json, "imap");
    assert_eq!(s["security"], "plain", "{s:#}");
    assert_eq!(s["outcome"], "refused-by-policy", "{s:#}");
    assert_eq!(s["refusal"]["refusal"], "plaintext", "{s:#}");
    assert!(s["mechanism"].is_null());
    // --security plain alone is bad input.
    let plain = check(
        "alice@clear.test",
        &dns,
        &ca,
        RIGHT,
        &["--imap", "mail.clear.test:143", "--security", "plain"],
    );
    assert_eq!(plain.code, 2, "{}", plain.all_output());
    assert!(
        plain.stderr.contains("--allow-plaintext"),
        "{}",
        plain.stderr
    );
    // Nothing reached Dovecot's authentication so far.
    assert!(!dovecot.log().contains("alice"), "{}", dovecot.log());
    // In a lab, with the loud flag, it works and says so.
    let lab = check(
        "alice@clear.test",
        &dns,
        &ca,
        RIGHT,
        &[
            "--imap",
            "mail.clear.test:143",
            "--security",
            "plain",
            "--allow-plaintext",
            "--username",
            "alice",
        ],
    );
    assert_eq!(lab.code, 0, "{}", lab.all_output());
    assert!(
        lab.stderr.contains("WARNING: --allow-plaintext"),
        "{}",
        lab.stderr
    );
    assert!(dovecot.log().contains("user=<alice>"), "{}", dovecot.log());
    // The refusals before TLS really protect against a stripped STARTTLS: see
    // promise_2_never_after_failed_starttls (AfterStarttls::Refuse).
}

#[test]
fn promise_2_never_to_untrusted_certificate() {
    support::require_netns();
    let ca = TestCa::temp();
    let other_ca = TestCa::temp();
    for (domain, cert) in [
        // Signed by a CA nobody trusts.
        (
            "untrusted.test",
            other_ca.issue(&["mail.untrusted.test"], Validity::Current),
        ),
        // Self-signed.
        ("selfsigned.test", ca.self_signed(&["mail.selfsigned.test"])),
        // Trusted, but for another name.
        (
            "mismatch.test",
            ca.issue(&["mail.elsewhere.test"], Validity::Current),
        ),
        // Expired.
        (
            "expired.test",
            ca.issue(&["mail.expired.test"], Validity::Expired),
        ),
    ] {
        let host = format!("mail.{domain}");
        let ip = support::next_ip();
        let mut config = DovecotConfig::new(ip, cert);
        config.ssl = Ssl::Yes;
        let dovecot = Dovecot::start(config);
        let dns = Dns::start(support::next_ip(), 53, DnsRecords::new().a(&host, ip));
        for target in [format!("{host}:993"), format!("{host}:143")] {
            let run = check(
                &format!("alice@{domain}"),
                &dns,
                &ca,
                WRONG,
                &["--imap", &target, "--username", "alice", "--json"],
            );
            assert_eq!(run.code, 7, "{target}: {}", run.all_output());
            let json = run.json();
            let s = server(&json, "imap");
            assert_eq!(s["outcome"], "refused-by-policy", "{s:#}");
            assert_eq!(s["refusal"]["refusal"], "untrusted-certificate", "{s:#}");
            assert!(s["mechanism"].is_null(), "{s:#}");
            assert!(
                s["en"].as_str().unwrap_or("").contains("is not trusted"),
                "{s:#}"
            );
            assert_no_password_in(&run, WRONG);
        }
        // Dovecot's auth process never heard of alice.
        assert!(
            !dovecot.log().contains("alice"),
            "{domain}: {}",
            dovecot.log()
        );
    }
}

#[test]
fn promise_2_never_outside_trust_rule() {
    support::require_netns();
    let ca = TestCa::temp();
    // A working server with a valid certificate for its own name, outside trap.test.
    let mail = MailServers::start(&ca, &["mail.attacker.test"]);
    // trap.test's SRV records (plain DNS) point there.
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.attacker.test", mail.ip)
            .srv("_imaps._tcp.trap.test", "mail.attacker.test", 993, 0, 1)
            .srv(
                "_submissions._tcp.trap.test",
                "mail.attacker.test",
                465,
                0,
                1,
            ),
    );
    let run = check(
        "alice@trap.test",
        &dns,
        &ca,
        RIGHT,
        &["--username", "alice", "--json"],
    );
    assert_eq!(run.code, 7, "{}", run.all_output());
    let json = run.json();
    assert_eq!(json["verdict"], "refused-by-policy");
    for protocol in ["imap", "smtp"] {
        let s = server(&json, protocol);
        assert_eq!(s["host"], "mail.attacker.test", "{s:#}");
        assert_eq!(s["outcome"], "refused-by-policy", "{s:#}");
        let r = &s["refusal"];
        assert_eq!(r["refusal"], "untrusted-host", "{s:#}");
        assert_eq!(r["host"], "mail.attacker.test");
        assert_eq!(r["domain"], "trap.test");
        assert_eq!(r["via"][0], "srv", "{s:#}");
        assert!(s["trust"].is_null());
        // Not even a connection.
        assert!(s["probe"].is_null(), "{s:#}");
        let en = s["en"].as_str().unwrap_or("");
        assert!(
            en.contains("mail.attacker.test is outside trap.test"),
            "{en}"
        );
        assert!(en.contains("SRV"), "{en}");
    }
    assert!(
        !mail.dovecot.log().contains("alice"),
        "{}",
        mail.dovecot.log()
    );
    let text = check(
        "alice@trap.test",
        &dns,
        &ca,
        RIGHT,
        &["--username", "alice"],
    );
    assert_eq!(text.code, 7);
    assert!(
        text.stdout.contains("Result: not sent (trust rule)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("--imap mail.attacker.test:993"),
        "{}",
        text.stdout
    );

    // Named by the user, the same host is allowed.
    let named = check(
        "alice@trap.test",
        &dns,
        &ca,
        RIGHT,
        &[
            "--imap",
            "mail.attacker.test:993",
            "--smtp",
            "mail.attacker.test:465",
            "--username",
            "alice",
            "--json",
        ],
    );
    assert_eq!(named.code, 0, "{}", named.all_output());
    let json = named.json();
    assert_eq!(json["origin"], "explicit");
    for protocol in ["imap", "smtp"] {
        let s = server(&json, protocol);
        assert_eq!(s["outcome"], "ok", "{s:#}");
        assert_eq!(s["trust"]["grant"], "named-by-user", "{s:#}");
    }
}

#[test]
fn the_password_never_appears_in_any_output() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.leak.test"]);
    let dns = srv_domain("leak.test", "mail.leak.test", mail.ip);
    let _ = &mail;
    let mut runs = Vec::new();
    for extra in [
        &["--json"][..],
        &[][..],
        &["--lang", "ja"][..],
        &[
            "--imap",
            "mail.leak.test:143",
            "--pop3",
            "mail.leak.test:995",
            "--smtp",
            "mail.leak.test:587",
        ][..],
        &[
            "--imap",
            "mail.leak.test:143",
            "--pop3",
            "mail.leak.test:110",
            "--smtp",
            "mail.leak.test:587",
            "--json",
        ][..],
    ] {
        let mut args = vec!["--username", "alice"];
        args.extend_from_slice(extra);
        runs.push(check("alice@leak.test", &dns, &ca, WRONG, &args));
        runs.push(check("alice@leak.test", &dns, &ca, RIGHT, &args));
    }
    // The password through the environment, and a run that cannot connect.
    let env_run = Command::new(env!("CARGO_BIN_EXE_mailcfg"))
        .args([
            "check",
            "alice@leak.test",
            "--password-env",
            "CHECK_PW",
            "--imap",
            "127.0.0.1:1",
            "--json",
        ])
        .env("CHECK_PW", WRONG)
        .output()
        .expect("run mailcfg");
    runs.push(Run {
        stdout: String::from_utf8_lossy(&env_run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&env_run.stderr).into_owned(),
        code: env_run.status.code().unwrap_or(-1),
    });
    let codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
    // Both verdicts were reached, so the outputs are worth grepping.
    assert!(
        codes.contains(&0) && codes.contains(&5) && codes.contains(&6),
        "{codes:?}"
    );
    for run in &runs {
        assert_no_password_in(run, WRONG);
        // The right password is a common word ("secret"): look for it only where it could
        // be quoted as the password.
        for form in forms_of(RIGHT).iter().skip(1) {
            assert!(
                !run.all_output().contains(form.as_str()),
                "{}",
                run.all_output()
            );
        }
    }
}

#[test]
fn without_a_password_source_check_refuses_to_start() {
    // No terminal and no --password-stdin / --password-env: a clear message, exit 2.
    let output = Command::new(env!("CARGO_BIN_EXE_mailcfg"))
        .args(["check", "alice@example.test", "--imap", "127.0.0.1:993"])
        .stdin(Stdio::null())
        .output()
        .expect("run mailcfg");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--password-stdin"), "{stderr}");
    let unset = Command::new(env!("CARGO_BIN_EXE_mailcfg"))
        .args([
            "check",
            "alice@example.test",
            "--password-env",
            "NO_SUCH_VAR_FOR_CHECK",
            "--imap",
            "127.0.0.1:993",
        ])
        .env_remove("NO_SUCH_VAR_FOR_CHECK")
        .output()
        .expect("run mailcfg");
    assert_eq!(unset.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unset.stderr)
            .contains("NO_SUCH_VAR_FOR_CHECK (--password-env) is not set")
    );
    // There is no flag that takes the password itself.
    let argv = Command::new(env!("CARGO_BIN_EXE_mailcfg"))
        .args(["check", "alice@example.test", "--password", "x"])
        .output()
        .expect("run mailcfg");
    assert_eq!(argv.status.code(), Some(2));
}
