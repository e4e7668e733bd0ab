//! Self-checks of the harness: every server starts and behaves as documented. Run with
//! `scripts/test support::selftest`.
//!
//! The harness is compiled into the library's unit tests too (`src/net/test_server.rs`, for
//! its HTTP server, CA and hostile servers), and with it this file. These checks start real
//! daemons and belong to the integration-test binary: there they run; in the library's copy
//! each returns at once ([`library_copy`]), so that they run once per `cargo test`.

use super::tls::{self, Lines};
use super::*;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// This is the copy compiled into the library's unit tests, not the integration tests' own.
fn library_copy() -> bool {
    !module_path!().starts_with("tests::")
}

/// Runs a command with `input` on stdin; returns (success, stdout + stderr).
fn run(program: &str, args: &[&str], input: &str) -> (bool, String) {
    let mut child = Command::new(bin(program))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn caps(lines: &[String]) -> String {
    lines.join("\n")
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn refused(addr: SocketAddr) -> bool {
    matches!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)),
        Err(e) if e.kind() == ErrorKind::ConnectionRefused
    )
}

// --- addresses ------------------------------------------------------------------------------

#[test]
fn ip_pool_hands_out_distinct_addresses() {
    if library_copy() {
        return;
    }
    let ips = ip_pool(300);
    let mut sorted = ips.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 300);
    for ip in &ips {
        assert!(ip.is_loopback() && ip.octets()[2] >= 1, "{ip}");
        assert_ne!(ip.octets()[3], 0);
    }
}

#[test]
fn unused_port_is_refused() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    assert!(refused(SocketAddr::from((ip, unused_port(ip)))));
    assert!(refused(SocketAddr::from((ip, 993))));
}

// --- certificates ---------------------------------------------------------------------------

#[test]
fn ca_issues_current_expired_and_self_signed() {
    if library_copy() {
        return;
    }
    let ca = TestCa::temp();
    let ca_file = ca.ca_pem().to_str().unwrap().to_string();
    let verify = |cert: &CertFiles, name: &str| {
        run(
            "openssl",
            &[
                "verify",
                "-CAfile",
                &ca_file,
                "-verify_hostname",
                name,
                cert.cert.to_str().unwrap(),
            ],
            "",
        )
    };
    let good = ca.issue(&["mail.example.test", "127.0.1.9"], Validity::Current);
    let (ok, out) = verify(&good, "mail.example.test");
    assert!(ok, "{out}");
    let (ok, out) = verify(&good, "other.example.test");
    assert!(!ok && out.contains("hostname mismatch"), "{out}");
    let (ok, out) = run(
        "openssl",
        &[
            "verify",
            "-CAfile",
            &ca_file,
            "-verify_ip",
            "127.0.1.9",
            good.cert.to_str().unwrap(),
        ],
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = verify(
        &ca.issue(&["mail.example.test"], Validity::Expired),
        "mail.example.test",
    );
    assert!(!ok && out.contains("expired"), "{out}");
    let (ok, out) = verify(
        &ca.issue(&["mail.example.test"], Validity::NotYetValid),
        "mail.example.test",
    );
    assert!(!ok && out.contains("not yet valid"), "{out}");
    let (ok, out) = verify(&ca.self_signed(&["mail.example.test"]), "mail.example.test");
    assert!(!ok && out.contains("self-signed"), "{out}");
}

// --- Dovecot --------------------------------------------------------------------------------

#[test]
fn dovecot_implicit_tls_and_starttls() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let ca = TestCa::temp();
    let ip_s = ip.to_string();
    let cert = ca.issue(&["imap.example.test", &ip_s], Validity::Current);
    let started = Instant::now();
    let dovecot = Dovecot::start(DovecotConfig {
        cram_md5: true,
        ..DovecotConfig::new(ip, cert.clone())
    });
    eprintln!("dovecot ready in {:?}", started.elapsed());

    // 993: implicit TLS with our certificate, then the greeting.
    let s = tls::connect(dovecot.imaps_addr(), "imap.example.test", ca.ca_pem()).unwrap();
    assert_eq!(tls::peer_cert(&s), cert.der);
    let mut imaps = Lines::new(s);
    assert!(imaps.line().unwrap().starts_with("* OK"));
    let r = imaps
        .cmd("a LOGIN alice secret", |l| l.starts_with("a "))
        .unwrap();
    assert!(r.last().unwrap().starts_with("a OK"), "{r:?}");

    // 143: STARTTLS offered, LOGIN disabled before it, CRAM-MD5 advertised.
    let mut imap = Lines::connect(dovecot.imap_addr()).unwrap();
    let greeting = imap.line().unwrap();
    assert!(greeting.starts_with("* OK"), "{greeting}");
    assert!(greeting.contains("STARTTLS"), "{greeting}");
    assert!(greeting.contains("LOGINDISABLED"), "{greeting}");
    assert!(greeting.contains("AUTH=CRAM-MD5"), "{greeting}");
    let r = imap.cmd("s STARTTLS", |l| l.starts_with("s ")).unwrap();
    assert!(r.last().unwrap().starts_with("s OK"), "{r:?}");
    let mut imap = imap.starttls("imap.example.test", ca.ca_pem()).unwrap();
    let r = imap.cmd("c CAPABILITY", |l| l.starts_with("c ")).unwrap();
    let c = caps(&r);
    assert!(c.contains("AUTH=PLAIN") && c.contains("AUTH=LOGIN"), "{c}");
    assert!(
        !c.contains("LOGINDISABLED") && !c.contains("STARTTLS"),
        "{c}"
    );
    let r = imap
        .cmd("l LOGIN alice secret", |l| l.starts_with("l "))
        .unwrap();
    assert!(r.last().unwrap().starts_with("l OK"), "{r:?}");

    // The same through openssl, verifying against the CA.
    let (ok, out) = run(
        "openssl",
        &[
            "s_client",
            "-starttls",
            "imap",
            "-connect",
            &dovecot.imap_addr().to_string(),
            "-CAfile",
            ca.ca_pem().to_str().unwrap(),
            "-verify_hostname",
            "imap.example.test",
            "-verify_return_error",
        ],
        "",
    );
    assert!(ok && out.contains("Verify return code: 0 (ok)"), "{out}");

    // 995 implicit TLS, 110 with STLS.
    let s = tls::connect(dovecot.pop3s_addr(), &ip_s, ca.ca_pem()).unwrap();
    let mut pop3s = Lines::new(s);
    assert!(pop3s.line().unwrap().starts_with("+OK"));
    let mut pop3 = Lines::connect(dovecot.pop3_addr()).unwrap();
    assert!(pop3.line().unwrap().starts_with("+OK"));
    let r = pop3.cmd("CAPA", |l| l == ".").unwrap();
    assert!(r.iter().any(|l| l == "STLS"), "{r:?}");
    assert!(!r.iter().any(|l| l == "USER"), "{r:?}");
    pop3.send("STLS").unwrap();
    assert!(pop3.line().unwrap().starts_with("+OK"));
    let mut pop3 = pop3.starttls("imap.example.test", ca.ca_pem()).unwrap();
    let r = pop3.cmd("CAPA", |l| l == ".").unwrap();
    assert!(r.iter().any(|l| l == "USER"), "{r:?}");
    pop3.send("USER alice").unwrap();
    assert!(pop3.line().unwrap().starts_with("+OK"));
    pop3.send("PASS secret").unwrap();
    let l = pop3.line().unwrap();
    assert!(l.starts_with("+OK"), "{l}");
}

#[test]
fn dovecot_plaintext_only_offers_login_without_starttls() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let dovecot = Dovecot::start(DovecotConfig::plaintext(ip));
    let mut imap = Lines::connect(dovecot.imap_addr()).unwrap();
    let greeting = imap.line().unwrap();
    assert!(!greeting.contains("STARTTLS"), "{greeting}");
    assert!(!greeting.contains("LOGINDISABLED"), "{greeting}");
    assert!(greeting.contains("AUTH=PLAIN"), "{greeting}");
    let r = imap
        .cmd("a LOGIN alice secret", |l| l.starts_with("a "))
        .unwrap();
    assert!(r.last().unwrap().starts_with("a OK"), "{r:?}");
    assert!(refused(SocketAddr::from((ip, 993))));
    let mut pop3 = Lines::connect(dovecot.pop3_addr()).unwrap();
    pop3.line().unwrap();
    let r = pop3.cmd("CAPA", |l| l == ".").unwrap();
    assert!(r.iter().any(|l| l == "USER") && !r.iter().any(|l| l == "STLS"));
}

#[test]
fn dovecot_plaintext_with_logindisabled() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let dovecot = Dovecot::start(DovecotConfig {
        disable_plaintext_auth: true,
        pop3_port: None,
        ..DovecotConfig::plaintext(ip)
    });
    let mut imap = Lines::connect(dovecot.imap_addr()).unwrap();
    let greeting = imap.line().unwrap();
    assert!(greeting.contains("LOGINDISABLED"), "{greeting}");
    assert!(!greeting.contains("STARTTLS"), "{greeting}");
    let r = imap
        .cmd("a LOGIN alice secret", |l| l.starts_with("a "))
        .unwrap();
    assert!(r.last().unwrap().starts_with("a NO"), "{r:?}");
}

/// Dovecot cannot serve 993 and a STARTTLS-less 143 from one instance; two instances on the same
/// address with disjoint ports can.
#[test]
fn dovecot_two_instances_share_an_address() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let ca = TestCa::temp();
    let tls_only = Dovecot::start(DovecotConfig {
        imap_port: None,
        pop3_port: None,
        ..DovecotConfig::new(ip, ca.issue(&["imap.example.test"], Validity::Current))
    });
    let plain = Dovecot::start(DovecotConfig {
        pop3_port: None,
        ..DovecotConfig::plaintext(ip)
    });
    let s = tls::connect(tls_only.imaps_addr(), "imap.example.test", ca.ca_pem()).unwrap();
    assert!(Lines::new(s).line().unwrap().starts_with("* OK"));
    let mut imap = Lines::connect(plain.imap_addr()).unwrap();
    let greeting = imap.line().unwrap();
    assert!(!greeting.contains("STARTTLS"), "{greeting}");
}

#[test]
fn dovecot_failed_logins_answer_fast() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let dovecot = Dovecot::start(DovecotConfig::plaintext(ip));
    for i in 0..3 {
        let mut imap = Lines::connect(dovecot.imap_addr()).unwrap();
        imap.line().unwrap();
        let t = Instant::now();
        let r = imap
            .cmd("a LOGIN alice wrong", |l| l.starts_with("a "))
            .unwrap();
        assert!(r.last().unwrap().starts_with("a NO"), "{r:?}");
        assert!(
            t.elapsed() < Duration::from_millis(1500),
            "failed login {i} took {:?}",
            t.elapsed()
        );
    }
}

// --- Postfix --------------------------------------------------------------------------------

fn ehlo<S: Read + Write>(c: &mut Lines<S>) -> String {
    c.send("EHLO client.example.test").unwrap();
    caps(&c.smtp_reply().unwrap())
}

#[test]
fn postfix_with_dovecot_sasl() {
    if library_copy() {
        return;
    }
    require_netns();
    let ca = TestCa::temp();
    let (imap_ip, smtp_ip) = (next_ip(), next_ip());
    let dovecot = Dovecot::start(DovecotConfig {
        auth_socket: true,
        imaps_port: None,
        pop3s_port: None,
        pop3_port: None,
        ..DovecotConfig::new(imap_ip, ca.issue(&["imap.example.test"], Validity::Current))
    });
    let cert = ca.issue(&["smtp.example.test"], Validity::Current);
    let started = Instant::now();
    let postfix = Postfix::start(PostfixConfig::new(
        smtp_ip,
        cert.clone(),
        dovecot.auth_socket(),
    ));
    eprintln!("postfix ready in {:?}", started.elapsed());

    // 25: STARTTLS, no AUTH.
    let mut smtp = Lines::connect(postfix.smtp_addr()).unwrap();
    let greeting = smtp.smtp_reply().unwrap();
    assert!(
        greeting[0].starts_with("220 mail.example.test"),
        "{greeting:?}"
    );
    let e = ehlo(&mut smtp);
    assert!(e.contains("STARTTLS") && !e.contains("AUTH"), "{e}");

    // 587: STARTTLS required; AUTH PLAIN LOGIN only after it.
    let mut sub = Lines::connect(postfix.submission_addr()).unwrap();
    sub.smtp_reply().unwrap();
    let e = ehlo(&mut sub);
    assert!(e.contains("STARTTLS") && !e.contains("AUTH"), "{e}");
    sub.send("MAIL FROM:<alice@example.test>").unwrap();
    let r = caps(&sub.smtp_reply().unwrap());
    assert!(r.starts_with("530"), "{r}");
    sub.send("STARTTLS").unwrap();
    assert!(sub.smtp_reply().unwrap()[0].starts_with("220"));
    let s = sub.starttls("smtp.example.test", ca.ca_pem()).unwrap();
    assert_eq!(tls::peer_cert(&s.stream), cert.der);
    let mut sub = s;
    let e = ehlo(&mut sub);
    assert!(e.contains("AUTH PLAIN LOGIN"), "{e}");
    sub.send(&format!("AUTH PLAIN {}", b64(b"\0alice\0secret")))
        .unwrap();
    let r = caps(&sub.smtp_reply().unwrap());
    assert!(r.starts_with("235"), "{r}\n{}", postfix.log());

    // 465: implicit TLS (wrappermode), greeting after the handshake, AUTH offered.
    let s = tls::connect(postfix.smtps_addr(), "smtp.example.test", ca.ca_pem()).unwrap();
    let mut smtps = Lines::new(s);
    assert!(smtps.smtp_reply().unwrap()[0].starts_with("220"));
    let e = ehlo(&mut smtps);
    assert!(
        e.contains("AUTH PLAIN LOGIN") && !e.contains("STARTTLS"),
        "{e}"
    );
    smtps
        .send(&format!("AUTH PLAIN {}", b64(b"\0alice\0wrong")))
        .unwrap();
    let r = caps(&smtps.smtp_reply().unwrap());
    assert!(r.starts_with("535"), "{r}");

    // openssl agrees about 587.
    let (ok, out) = run(
        "openssl",
        &[
            "s_client",
            "-starttls",
            "smtp",
            "-connect",
            &postfix.submission_addr().to_string(),
            "-CAfile",
            ca.ca_pem().to_str().unwrap(),
            "-verify_hostname",
            "smtp.example.test",
            "-verify_return_error",
        ],
        "",
    );
    assert!(ok && out.contains("Verify return code: 0 (ok)"), "{out}");
}

#[test]
fn postfix_plaintext_only() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let postfix = Postfix::start(PostfixConfig {
        hostname: "mx.plain.test".into(),
        ..PostfixConfig::plaintext(ip)
    });
    let mut smtp = Lines::connect(postfix.smtp_addr()).unwrap();
    assert!(smtp.smtp_reply().unwrap()[0].starts_with("220 mx.plain.test"));
    let e = ehlo(&mut smtp);
    assert!(!e.contains("STARTTLS") && !e.contains("AUTH"), "{e}");
    assert!(refused(SocketAddr::from((ip, 587))));
}

#[test]
fn postfix_submission_without_tls_offers_auth_in_clear() {
    if library_copy() {
        return;
    }
    require_netns();
    let (imap_ip, smtp_ip) = (next_ip(), next_ip());
    let dovecot = Dovecot::start(DovecotConfig {
        auth_socket: true,
        pop3_port: None,
        disable_plaintext_auth: false,
        ..DovecotConfig::plaintext(imap_ip)
    });
    let postfix = Postfix::start(PostfixConfig {
        smtp_port: None,
        submission_port: Some(587),
        sasl_dovecot_socket: Some(dovecot.auth_socket()),
        ..PostfixConfig::plaintext(smtp_ip)
    });
    let mut sub = Lines::connect(postfix.submission_addr()).unwrap();
    sub.smtp_reply().unwrap();
    let e = ehlo(&mut sub);
    assert!(
        e.contains("AUTH PLAIN LOGIN") && !e.contains("STARTTLS"),
        "{e}"
    );
}

// --- DNS ------------------------------------------------------------------------------------

fn dig(server: SocketAddr, name: &str, qtype: &str) -> (String, Vec<String>) {
    let (ok, out) = run(
        "dig",
        &[
            &format!("@{}", server.ip()),
            "-p",
            &server.port().to_string(),
            "+time=2",
            "+tries=1",
            "+noall",
            "+comments",
            "+answer",
            name,
            qtype,
        ],
        "",
    );
    assert!(ok, "dig failed: {out}");
    let status = out
        .split("status: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap_or("?")
        .to_string();
    let answers = out
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    (status, answers)
}

#[test]
fn dnsmasq_serves_records() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let mail = next_ip();
    let started = Instant::now();
    let dns = Dns::start(
        ip,
        53,
        DnsRecords::new()
            .a("mail.example.test", mail)
            .a("multi.example.test", Ipv4Addr::new(127, 0, 9, 1))
            .a("multi.example.test", Ipv4Addr::new(127, 0, 9, 2))
            .aaaa("v6.example.test", "::1".parse().unwrap())
            .mx("example.test", "mail.example.test", 10)
            .mx("example.test", "backup.example.test", 20)
            .srv("_imaps._tcp.example.test", "mail.example.test", 993, 0, 1)
            .srv_none("_pop3._tcp.example.test")
            .cname("imap.example.test", "mail.example.test")
            .cname("outside.example.test", "mail.elsewhere.test")
            .txt("example.test", "v=spf1 a, \"quoted\" -all"),
    );
    eprintln!("dnsmasq ready in {:?}", started.elapsed());
    let a = dns.addr();
    assert_eq!(
        dig(a, "mail.example.test", "A"),
        (
            "NOERROR".into(),
            vec![format!("mail.example.test. 0 IN A {mail}")]
        )
    );
    assert_eq!(dig(a, "multi.example.test", "A").1.len(), 2);
    // AAAA of an A-only name: NOERROR, no data (not NXDOMAIN).
    assert_eq!(
        dig(a, "mail.example.test", "AAAA"),
        ("NOERROR".into(), vec![])
    );
    assert_eq!(
        dig(a, "v6.example.test", "AAAA").1,
        vec!["v6.example.test. 0 IN AAAA ::1"]
    );
    let (status, mx) = dig(a, "example.test", "MX");
    assert_eq!(status, "NOERROR");
    assert!(mx.contains(&"example.test. 0 IN MX 10 mail.example.test.".to_string()));
    assert!(mx.contains(&"example.test. 0 IN MX 20 backup.example.test.".to_string()));
    assert_eq!(
        dig(a, "_imaps._tcp.example.test", "SRV").1,
        vec!["_imaps._tcp.example.test. 0 IN SRV 0 1 993 mail.example.test."]
    );
    let none = dig(a, "_pop3._tcp.example.test", "SRV").1;
    assert!(none[0].ends_with(" ."), "{none:?}");
    let cname = dig(a, "imap.example.test", "A").1;
    assert_eq!(
        cname,
        vec![
            "imap.example.test. 0 IN CNAME mail.example.test.".to_string(),
            format!("mail.example.test. 0 IN A {mail}"),
        ]
    );
    assert_eq!(
        dig(a, "outside.example.test", "A").1,
        vec!["outside.example.test. 0 IN CNAME mail.elsewhere.test."]
    );
    assert_eq!(
        dig(a, "example.test", "TXT").1,
        vec![r#"example.test. 0 IN TXT "v=spf1 a, \"quoted\" -all""#]
    );
    assert_eq!(dig(a, "nothere.example.test", "A").0, "NXDOMAIN");
    assert_eq!(dig(a, "_submission._tcp.example.test", "SRV").0, "NXDOMAIN");
    assert!(dns.log().contains("query[MX] example.test"));
}

#[test]
fn dnsmasq_on_other_port() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let dns = Dns::start(
        ip,
        5353,
        DnsRecords::new().a("a.test", Ipv4Addr::new(127, 0, 9, 9)),
    );
    assert_eq!(dig(dns.addr(), "a.test", "A").1.len(), 1);
}

// --- HTTPS ----------------------------------------------------------------------------------

/// One HTTP/1.1 request over an established stream; returns (status line, headers+body text).
fn http_get<S: Read + Write>(s: &mut S, host: &str, path: &str, extra: &str) -> (String, String) {
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}User-Agent: selftest\r\n\r\n"
    )
    .unwrap();
    s.flush().unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed early");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(i) = text.find("\r\n\r\n") {
            let len: usize = text[..i]
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .unwrap()
                .parse()
                .unwrap();
            if buf.len() >= i + 4 + len {
                let status = text.lines().next().unwrap().to_string();
                return (status, text.into_owned());
            }
        }
    }
}

#[test]
fn https_server_serves_routes_and_records_requests() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let ca = TestCa::temp();
    let cert = ca.issue(
        &["autoconfig.example.test", "example.test"],
        Validity::Current,
    );
    let xml = "<?xml version=\"1.0\"?><clientConfig version=\"1.1\"/>";
    let server = HttpServer::start(HttpConfig {
        http_port: Some(80),
        ..HttpConfig::new(
            ip,
            cert.clone(),
            Routes::new()
                .route(
                    "autoconfig.example.test",
                    "/mail/config-v1.1.xml",
                    Response::xml(xml),
                )
                .route(
                    "example.test",
                    "/.well-known/autoconfig/mail/config-v1.1.xml",
                    Response::redirect(302, "https://autoconfig.example.test/mail/config-v1.1.xml"),
                )
                .route("*", "/anyhost", Response::ok("text/plain", "hi")),
        )
    });

    // Keep-alive: two requests on one TLS connection.
    let mut s = tls::connect(server.https_addr(), "autoconfig.example.test", ca.ca_pem()).unwrap();
    assert_eq!(tls::peer_cert(&s), cert.der);
    let (status, text) = http_get(
        &mut s,
        "autoconfig.example.test",
        "/mail/config-v1.1.xml?emailaddress=alice%40example.test",
        "",
    );
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        text.ends_with(xml) && text.contains("Content-Type: text/xml"),
        "{text}"
    );
    let (status, text) = http_get(
        &mut s,
        "example.test:443",
        "/.well-known/autoconfig/mail/config-v1.1.xml",
        "Authorization: Basic YTpi\r\n",
    );
    assert_eq!(status, "HTTP/1.1 302 Found");
    assert!(text.contains("Location: https://autoconfig.example.test/mail/config-v1.1.xml"));
    let (status, _) = http_get(&mut s, "example.test", "/missing", "");
    assert_eq!(status, "HTTP/1.1 404 Not Found");

    // Plain HTTP on 80, wildcard host.
    let mut plain = TcpStream::connect(server.http_addr()).unwrap();
    let (status, text) = http_get(&mut plain, "whatever.test", "/anyhost", "");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(text.ends_with("hi"));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 4, "{reqs:?}");
    assert_eq!(reqs[0].scheme, "https");
    assert_eq!(reqs[0].sni.as_deref(), Some("autoconfig.example.test"));
    assert_eq!(reqs[0].host.as_deref(), Some("autoconfig.example.test"));
    assert_eq!(reqs[0].path, "/mail/config-v1.1.xml");
    assert_eq!(
        reqs[0].query.as_deref(),
        Some("emailaddress=alice%40example.test")
    );
    assert!(!reqs[0].authorization);
    assert_eq!(reqs[1].host.as_deref(), Some("example.test"));
    assert!(reqs[1].authorization);
    assert!(server.saw_credentials());
    assert_eq!(reqs[3].scheme, "http");
    assert_eq!(reqs[3].header("user-agent"), Some("selftest"));

    // openssl verifies the chain against the CA.
    let (ok, out) = run(
        "openssl",
        &[
            "s_client",
            "-connect",
            &server.https_addr().to_string(),
            "-servername",
            "autoconfig.example.test",
            "-CAfile",
            ca.ca_pem().to_str().unwrap(),
            "-verify_hostname",
            "autoconfig.example.test",
            "-verify_return_error",
        ],
        "",
    );
    assert!(ok && out.contains("Verify return code: 0 (ok)"), "{out}");

    // A client trusting another CA fails the handshake; the server records it.
    let other = TestCa::temp();
    assert!(
        tls::connect(
            server.https_addr(),
            "autoconfig.example.test",
            other.ca_pem()
        )
        .is_err()
    );
    wait_until("tls error recorded", Duration::from_secs(2), || {
        (!server.tls_errors().is_empty()).then_some(())
    });
}

#[test]
fn https_server_reads_post_bodies() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let ca = TestCa::temp();
    let server = HttpServer::https(
        ip,
        ca.issue(&["autodiscover.example.test"], Validity::Current),
        Routes::new().route(
            "autodiscover.example.test",
            "/autodiscover/autodiscover.xml",
            Response::xml("<Autodiscover/>"),
        ),
    );
    let mut s = tls::connect(
        server.https_addr(),
        "autodiscover.example.test",
        ca.ca_pem(),
    )
    .unwrap();
    let body = "<Autodiscover><Request/></Autodiscover>";
    write!(
        s,
        "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.example.test\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].body, body.as_bytes());
}

// --- hostile servers ------------------------------------------------------------------------

fn read_some(s: &mut TcpStream, timeout: Duration) -> std::io::Result<Vec<u8>> {
    s.set_read_timeout(Some(timeout)).unwrap();
    let mut buf = [0u8; 8192];
    let n = s.read(&mut buf)?;
    Ok(buf[..n].to_vec())
}

fn is_timeout(r: &std::io::Result<Vec<u8>>) -> bool {
    matches!(r, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut))
}

#[test]
fn hostile_tarpit_garbage_endless() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let tarpit = Hostile::start(ip, 993, Behaviour::Tarpit);
    let mut s = TcpStream::connect(tarpit.addr()).unwrap();
    assert!(is_timeout(&read_some(&mut s, Duration::from_millis(300))));
    assert_eq!(tarpit.connections(), 1);

    let garbage = Hostile::start(ip, 143, Behaviour::Garbage);
    let mut s = TcpStream::connect(garbage.addr()).unwrap();
    let got = read_some(&mut s, Duration::from_secs(2)).unwrap();
    assert!(got.starts_with(b"HTTP/1.1 400"));

    let endless = Hostile::start(ip, 110, Behaviour::EndlessLine);
    let mut s = TcpStream::connect(endless.addr()).unwrap();
    let mut total = 0;
    let t = Instant::now();
    while total < 20_000 {
        let chunk = read_some(&mut s, Duration::from_secs(2)).unwrap();
        assert!(!chunk.is_empty() && !chunk.contains(&b'\n'));
        total += chunk.len();
    }
    assert!(t.elapsed() < Duration::from_secs(2));

    let send = Hostile::start(ip, 25, Behaviour::Send(b"* OK not smtp\r\n".to_vec()));
    let mut s = TcpStream::connect(send.addr()).unwrap();
    assert_eq!(
        read_some(&mut s, Duration::from_secs(2)).unwrap(),
        b"* OK not smtp\r\n"
    );
    let close = Hostile::start(ip, 26, Behaviour::SendAndClose(b"bye\r\n".to_vec()));
    let mut s = TcpStream::connect(close.addr()).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"bye\r\n");

    // Dropping servers with clients still connected returns quickly.
    let t = Instant::now();
    drop((tarpit, garbage, endless, send, close));
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

#[test]
fn hostile_close_mid_handshake() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let ca = TestCa::temp();
    let h = Hostile::start(ip, 993, Behaviour::CloseMidHandshake);
    let err = tls::connect(h.addr(), "imap.example.test", ca.ca_pem()).unwrap_err();
    assert!(!err.is_empty());
}

#[test]
fn hostile_slow_greeting_and_drip() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let slow = Hostile::start(
        ip,
        143,
        Behaviour::SlowGreeting {
            delay: Duration::from_millis(700),
        },
    );
    let mut s = TcpStream::connect(slow.addr()).unwrap();
    assert!(is_timeout(&read_some(&mut s, Duration::from_millis(300))));
    let got = read_some(&mut s, Duration::from_secs(2)).unwrap();
    assert!(got.starts_with(b"* OK"));

    let drip = Hostile::start(
        ip,
        144,
        Behaviour::Drip {
            interval: Duration::from_millis(5),
        },
    );
    let mut s = TcpStream::connect(drip.addr()).unwrap();
    let first = read_some(&mut s, Duration::from_secs(1)).unwrap();
    assert_eq!(first, b"*");
    let mut all = first;
    let t = Instant::now();
    while !all.ends_with(b"\r\n") {
        all.extend(read_some(&mut s, Duration::from_secs(1)).unwrap());
    }
    assert_eq!(all, hostile::IMAP_GREETING);
    assert!(t.elapsed() > Duration::from_millis(100));
}

#[test]
fn firewall_drops_syn() {
    if library_copy() {
        return;
    }
    require_netns();
    let ip = next_ip();
    let h = Hostile::start(ip, 993, Behaviour::Send(b"* OK\r\n".to_vec()));
    {
        let _fw = Firewall::drop_tcp(ip, Some(993));
        let r = TcpStream::connect_timeout(&h.addr(), Duration::from_millis(300));
        assert!(
            matches!(&r, Err(e) if e.kind() == ErrorKind::TimedOut),
            "{r:?}"
        );
        // Other ports on the address are untouched.
        assert!(refused(SocketAddr::from((ip, 994))));
    }
    assert!(TcpStream::connect_timeout(&h.addr(), Duration::from_secs(1)).is_ok());
}
