//! The exports on every sample report (snapshots), read back by strict parsers: quick-xml
//! for every XML export, mailcfg's own autoconfig and autodiscover parsers, and `plist`.

use super::*;
use crate::address::parse_email;
use crate::detect::detect_offline;
use crate::diagnose::Facts;
use crate::discover::providers::{self, Provider};
use crate::discover::{SourceReport, autoconfig_xml, autodiscover_xml};
use crate::model::{Endpoint, Source, SourceKind};
use crate::rank::{self, RankInput};
use crate::report::model::{Mode, ProviderMatch};
use crate::report::render::{RenderOptions, export_renderer};
use crate::report::sample::{sample_report, sample_reports};
use crate::report::thunderbird;
use quick_xml::events::Event;

const ALL: [ExportFormat; 9] = [
    ExportFormat::Thunderbird,
    ExportFormat::ThunderbirdDomain,
    ExportFormat::Apple,
    ExportFormat::Autodiscover,
    ExportFormat::Json,
    ExportFormat::Msmtp,
    ExportFormat::Mbsync,
    ExportFormat::Aerc,
    ExportFormat::Neomutt,
];

fn name(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Thunderbird => "thunderbird",
        ExportFormat::ThunderbirdDomain => "thunderbird_domain",
        ExportFormat::Apple => "apple",
        ExportFormat::Autodiscover => "autodiscover",
        ExportFormat::Json => "json",
        ExportFormat::Msmtp => "msmtp",
        ExportFormat::Mbsync => "mbsync",
        ExportFormat::Aerc => "aerc",
        ExportFormat::Neomutt => "neomutt",
        ExportFormat::Html(_) => "html",
    }
}

fn with_trust() -> ExportContext {
    ExportContext {
        trust_file: Some("/etc/mailcfg/test-ca.pem".into()),
    }
}

fn export(format: ExportFormat, report: &Report) -> String {
    export_renderer(format, &ExportContext::default())
        .render(report, &RenderOptions::plain(crate::model::Lang::En))
}

/// Every format on every sample: one snapshot per format, the samples one after another.
#[test]
fn snapshots_of_every_format_on_every_sample() {
    for format in ALL {
        let mut all = String::new();
        for (sample, mut report) in sample_reports() {
            // The offline samples time their table lookup: the one thing that varies.
            report.elapsed_ms = 0.0;
            for source in &mut report.sources {
                source.elapsed_ms = source.elapsed_ms.map(|_| 0.0);
            }
            let coverage = coverage(format, &report);
            all.push_str(&format!("===== {sample} ({coverage:?})\n"));
            all.push_str(&export(format, &report));
        }
        insta::assert_snapshot!(format!("export_{}", name(format)), all);
    }
}

/// The text exports with `--ca-file`: the client's own trust-file option.
#[test]
fn a_ca_file_becomes_the_clients_trust_file() {
    let report = sample_report();
    let options = RenderOptions::plain(crate::model::Lang::En);
    let text = |format| export_renderer(format, &with_trust()).render(&report, &options);
    assert!(text(ExportFormat::Msmtp).contains("tls_trust_file \"/etc/mailcfg/test-ca.pem\"\n"));
    assert!(text(ExportFormat::Mbsync).contains("CertificateFile \"/etc/mailcfg/test-ca.pem\"\n"));
    assert!(
        text(ExportFormat::Neomutt)
            .contains("set ssl_ca_certificates_file = '/etc/mailcfg/test-ca.pem'\n")
    );
    assert!(text(ExportFormat::Aerc).contains("SSL_CERT_FILE=/etc/mailcfg/test-ca.pem aerc"));
    for format in [
        ExportFormat::Msmtp,
        ExportFormat::Mbsync,
        ExportFormat::Neomutt,
    ] {
        assert!(!export(format, &report).contains("test-ca.pem"));
    }
}

/// Implicit TLS and STARTTLS in each client's words; certificate checks never off.
#[test]
fn tls_is_right_for_implicit_tls_and_starttls() {
    let mut report = sample_report();
    let msmtp = export(ExportFormat::Msmtp, &report);
    assert!(msmtp.contains("port           465\n"), "{msmtp}");
    assert!(msmtp.contains("tls_starttls   off\n"), "{msmtp}");
    assert!(msmtp.contains("tls_certcheck  on\n"), "{msmtp}");
    let mbsync = export(ExportFormat::Mbsync, &report);
    assert!(mbsync.contains("SSLType         IMAPS\n"), "{mbsync}");
    for s in report.incoming.iter_mut().chain(report.outgoing.iter_mut()) {
        s.endpoint.port = match s.endpoint.protocol {
            crate::model::Protocol::Smtp => 587,
            crate::model::Protocol::Imap => 143,
            crate::model::Protocol::Pop3 => 110,
        };
        s.endpoint.security = Security::Starttls;
    }
    let msmtp = export(ExportFormat::Msmtp, &report);
    assert!(msmtp.contains("tls_starttls   on\n"), "{msmtp}");
    assert!(msmtp.contains("tls            on\n"), "{msmtp}");
    let mbsync = export(ExportFormat::Mbsync, &report);
    assert!(mbsync.contains("SSLType         STARTTLS\n"), "{mbsync}");
    let neomutt = export(ExportFormat::Neomutt, &report);
    assert!(
        neomutt.contains("set folder = 'imap://imap.example.ne.jp:143/'"),
        "{neomutt}"
    );
    assert!(neomutt.contains("set ssl_force_tls = yes"), "{neomutt}");
    let aerc = export(ExportFormat::Aerc, &report);
    assert!(aerc.contains("source            = imap://"), "{aerc}");
    assert!(aerc.contains("outgoing          = smtp://"), "{aerc}");
    for format in ALL {
        let text = export(format, &report).to_ascii_lowercase();
        for off in [
            "tls_certcheck off",
            "ssl_verify_host = no",
            "+insecure",
            "sslverify",
        ] {
            assert!(!text.contains(off), "{format:?}: {off}");
        }
    }
}

/// The password is a command in every text export; a plaintext server is never written.
#[test]
fn passwords_are_commands_and_plaintext_is_never_configured() {
    let samples: std::collections::BTreeMap<_, _> = sample_reports().into_iter().collect();
    let isp = &samples["isp"];
    assert!(
        export(ExportFormat::Msmtp, isp)
            .contains("passwordeval   \"pass show mail/taro.yamada@example.ne.jp\"\n")
    );
    assert!(
        export(ExportFormat::Mbsync, isp)
            .contains("PassCmd         \"pass show mail/taro.yamada@example.ne.jp\"\n")
    );
    assert!(
        export(ExportFormat::Neomutt, isp)
            .contains("set imap_pass = \"`pass show mail/taro.yamada@example.ne.jp`\"\n")
    );
    assert!(
        export(ExportFormat::Aerc, isp)
            .contains("source-cred-cmd   = pass show mail/taro.yamada@example.ne.jp\n")
    );
    let plain = &samples["plaintext-only"];
    for format in [
        ExportFormat::Msmtp,
        ExportFormat::Mbsync,
        ExportFormat::Aerc,
        ExportFormat::Neomutt,
        ExportFormat::Apple,
        ExportFormat::Autodiscover,
    ] {
        assert!(
            matches!(coverage(format, plain), Coverage::Nothing { .. }),
            "{format:?}"
        );
        assert!(
            !export(format, plain).contains("mail.office-plain.example"),
            "{format:?}"
        );
    }
    // Thunderbird warns before it uses an unencrypted server: the file may list it.
    assert_eq!(
        coverage(ExportFormat::Thunderbird, plain),
        Coverage::Partial {
            missing: vec![Direction::Outgoing]
        }
    );
}

/// What each format needs, on the samples: au one net is POP3 only, which mbsync and aerc
/// cannot use; the report without settings has nothing for any format.
#[test]
fn coverage_follows_what_each_client_can_do() {
    let samples: std::collections::BTreeMap<_, _> = sample_reports().into_iter().collect();
    let au = &samples["au-one-net"];
    assert!(matches!(
        coverage(ExportFormat::Mbsync, au),
        Coverage::Nothing { .. }
    ));
    assert_eq!(
        coverage(ExportFormat::Aerc, au),
        Coverage::Partial {
            missing: vec![Direction::Incoming]
        }
    );
    assert_eq!(coverage(ExportFormat::Neomutt, au), Coverage::Complete);
    assert_eq!(coverage(ExportFormat::Msmtp, au), Coverage::Complete);
    for format in ALL {
        assert!(
            matches!(
                coverage(format, &samples["no-settings"]),
                Coverage::Nothing { .. }
            ),
            "{format:?}"
        );
        assert_eq!(
            coverage(format, &samples["gmail"]),
            Coverage::Complete,
            "{format:?}"
        );
    }
    let neomutt = export(ExportFormat::Neomutt, au);
    assert!(neomutt.contains("set spoolfile = 'pops://"), "{neomutt}");
}

/// docomo's user name cannot be derived from the address: a placeholder and a comment
/// saying what goes there in the text files, nothing (the device asks) in the Apple
/// profile and autodiscover.
#[test]
fn a_provider_assigned_user_name_is_a_placeholder() {
    let samples: std::collections::BTreeMap<_, _> = sample_reports().into_iter().collect();
    let docomo = &samples["docomo"];
    let msmtp = export(ExportFormat::Msmtp, docomo);
    assert!(msmtp.contains("user           ACCOUNT-ID\n"), "{msmtp}");
    assert!(
        msmtp.contains("# Replace ACCOUNT-ID with the user name your provider assigned"),
        "{msmtp}"
    );
    assert!(!msmtp.contains("user           taro@"), "{msmtp}");
    let profile =
        plist::Value::from_reader_xml(export(ExportFormat::Apple, docomo).as_bytes()).unwrap();
    let payload = payload(&profile);
    assert!(payload.get("IncomingMailServerUsername").is_none());
    assert!(payload.get("OutgoingMailServerUsername").is_none());
    let xml = export(ExportFormat::Autodiscover, docomo);
    assert!(!xml.contains("LoginName"), "{xml}");
}

/// Every XML export is well-formed on every sample (quick-xml, names checked).
#[test]
fn every_xml_export_parses() {
    for format in [
        ExportFormat::Thunderbird,
        ExportFormat::ThunderbirdDomain,
        ExportFormat::Apple,
        ExportFormat::Autodiscover,
    ] {
        for (sample, report) in sample_reports() {
            let xml = export(format, &report);
            let mut reader = quick_xml::Reader::from_str(&xml);
            reader.config_mut().check_end_names = true;
            let mut depth = 0i32;
            let mut elements = 0;
            loop {
                match reader.read_event() {
                    Ok(Event::Eof) => break,
                    Ok(Event::Start(_)) => {
                        depth += 1;
                        elements += 1;
                    }
                    Ok(Event::End(_)) => depth -= 1,
                    Ok(_) => {}
                    Err(e) => panic!("{format:?} on {sample}: {e}\n{xml}"),
                }
            }
            assert_eq!(depth, 0, "{format:?} on {sample}");
            assert!(elements > 2, "{format:?} on {sample}");
        }
    }
}

fn payload(profile: &plist::Value) -> &plist::Dictionary {
    profile.as_dictionary().unwrap()["PayloadContent"]
        .as_array()
        .unwrap()[0]
        .as_dictionary()
        .unwrap()
}

/// The profile read back with `plist`: the account's settings, and stable UUIDs.
#[test]
fn the_apple_profile_reads_back_and_re_exports_byte_identical() {
    let report = sample_report();
    let text = export(ExportFormat::Apple, &report);
    assert_eq!(text, export(ExportFormat::Apple, &sample_report()));
    let profile = plist::Value::from_reader_xml(text.as_bytes()).unwrap();
    let root = profile.as_dictionary().unwrap();
    assert_eq!(root["PayloadType"].as_string(), Some("Configuration"));
    assert_eq!(root["PayloadVersion"].as_signed_integer(), Some(1));
    let p = payload(&profile);
    let s = |k: &str| {
        p.get(k)
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| panic!("{k}"))
    };
    let n = |k: &str| {
        p.get(k)
            .and_then(|v| v.as_signed_integer())
            .unwrap_or_else(|| panic!("{k}"))
    };
    let b = |k: &str| {
        p.get(k)
            .and_then(|v| v.as_boolean())
            .unwrap_or_else(|| panic!("{k}"))
    };
    assert_eq!(s("PayloadType"), "com.apple.mail.managed");
    assert_eq!(s("EmailAccountType"), "EmailTypeIMAP");
    assert_eq!(s("EmailAddress"), "taro.yamada@example.ne.jp");
    assert_eq!(s("IncomingMailServerHostName"), "imap.example.ne.jp");
    assert_eq!(n("IncomingMailServerPortNumber"), 993);
    assert!(b("IncomingMailServerUseSSL"));
    assert_eq!(s("IncomingMailServerUsername"), "taro.yamada@example.ne.jp");
    assert_eq!(s("IncomingMailServerAuthentication"), "EmailAuthPassword");
    assert_eq!(s("OutgoingMailServerHostName"), "smtp.example.ne.jp");
    assert_eq!(n("OutgoingMailServerPortNumber"), 465);
    assert!(b("OutgoingMailServerUseSSL"));
    assert!(b("OutgoingPasswordSameAsIncomingPassword"));
    let uuid = s("PayloadUUID");
    assert_eq!(
        uuid,
        apple::stable_uuid("taro.yamada@example.ne.jp", "mail")
    );
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "8", "version 8");
    assert_ne!(root["PayloadUUID"].as_string(), Some(uuid));
    assert_ne!(uuid, apple::stable_uuid("hanako@example.ne.jp", "mail"));
    // POP3 only: EmailTypePOP.
    let au = offline("hanako@kd5.auone-net.jp");
    let profile =
        plist::Value::from_reader_xml(export(ExportFormat::Apple, &au).as_bytes()).unwrap();
    assert_eq!(
        payload(&profile)["EmailAccountType"].as_string(),
        Some("EmailTypePOP")
    );
}

/// mailcfg's own autodiscover parser reads the export back to the chosen settings.
#[test]
fn autodiscover_reads_back_through_the_autodiscover_parser() {
    for (sample, report) in sample_reports() {
        let xml = export(ExportFormat::Autodiscover, &report);
        let parsed = autodiscover_xml::parse(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{sample}: {e}\n{xml}"));
        let autodiscover_xml::AutodiscoverResponse::Settings(servers) = parsed else {
            panic!("{sample}: not settings");
        };
        let source = Source {
            kind: SourceKind::Autodiscover,
            detail: "export".into(),
            authenticated: true,
        };
        let got: Vec<(Endpoint, UsernameForm)> = autodiscover_xml::candidates(
            &servers,
            &report.local_part,
            &report.display_domain,
            &source,
        )
        .into_iter()
        .map(|c| (c.endpoint, c.username))
        .collect();
        let want: Vec<(Endpoint, UsernameForm)> = autodiscover::settings(&report)
            .into_iter()
            .map(|s| (s.endpoint.clone(), expected_username(&s.username_form)))
            .collect();
        assert_eq!(got, want, "{sample}");
    }
}

/// A provider-assigned user name reads back as the address: autoconfig has no way to say
/// "ask", so the file offers the address for the person to overwrite (with a comment).
fn expected_username(form: &UsernameForm) -> UsernameForm {
    match form {
        UsernameForm::ProviderAssigned => UsernameForm::EmailAddress,
        other => other.clone(),
    }
}

/// Thunderbird's `<authentication>` vocabulary as mailcfg's parser reads it back.
fn expected_auth(methods: &[AuthMethod]) -> Vec<AuthMethod> {
    let mut out = Vec::new();
    for m in methods {
        let m = match m {
            AuthMethod::AppPassword => AuthMethod::PasswordCleartext,
            other => *other,
        };
        if !out.contains(&m) {
            out.push(m);
        }
    }
    if out.is_empty() {
        out.push(AuthMethod::PasswordCleartext);
    }
    out
}

fn offline(address: &str) -> Report {
    detect_offline(&parse_email(address).unwrap())
}

/// The report for a provider: offline by one of its domains, or, for a provider known only
/// by its MX (Microsoft 365), as detect builds it when the MX points there.
fn provider_report(p: &'static Provider) -> (Report, String) {
    if let Some(domain) = p.domains.iter().find(|d| !d.starts_with("*.")) {
        return (offline(&format!("taro@{domain}")), domain.clone());
    }
    let domain = p
        .domains
        .first()
        .map_or("customer.example".to_string(), |d| {
            format!("mail.{}", &d[2..])
        });
    let email = parse_email(&format!("taro@{domain}")).unwrap();
    let candidates = p.candidates("taro", &domain, SourceKind::Mx);
    let report = rank::build_report(RankInput {
        email: &email,
        mode: Mode::Offline,
        provider: Some((p, ProviderMatch::Mx)),
        sources: vec![SourceReport::found(SourceKind::Mx, "MX", candidates)],
        probes: Vec::new(),
        facts: Facts::default(),
        elapsed: std::time::Duration::ZERO,
    });
    (report, domain)
}

/// The round trip the issue asks for: for every provider in the table, mailcfg's own
/// autoconfig parser reads the Thunderbird export back to the provider's settings (every
/// server but SMTP port 25, in the table's order, with its user name form and
/// authentication), the provider's domains, name and documentation.
#[test]
fn thunderbird_round_trip_for_every_provider() {
    assert!(providers::all().len() >= 15);
    for p in providers::all() {
        let (report, domain) = provider_report(p);
        let xml = thunderbird::render(&report);
        let cfg = autoconfig_xml::parse(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}\n{xml}", p.id));
        assert_eq!(cfg.warnings, Vec::<String>::new(), "{}", p.id);
        assert_eq!(
            cfg.provider_id.as_deref(),
            Some(domain.as_str()),
            "{}",
            p.id
        );
        assert_eq!(cfg.domains.first(), Some(&domain), "{}", p.id);
        if report
            .provider
            .as_ref()
            .is_some_and(|i| i.matched_by == ProviderMatch::Domain)
        {
            let exact: Vec<&String> = p.domains.iter().filter(|d| !d.starts_with("*.")).collect();
            assert_eq!(cfg.domains.len(), exact.len(), "{}", p.id);
            assert!(exact.iter().all(|d| cfg.domains.contains(d)), "{}", p.id);
        }
        assert_eq!(
            cfg.display_name.as_deref(),
            Some(p.name.as_str()),
            "{}",
            p.id
        );
        assert_eq!(
            cfg.documentation.first().map(|d| d.url.as_str()),
            p.documentation.as_deref(),
            "{}",
            p.id
        );
        let source = Source {
            kind: SourceKind::Autoconfig,
            detail: "export".into(),
            authenticated: true,
        };
        let got: Vec<(Endpoint, UsernameForm, Vec<AuthMethod>)> = cfg
            .candidates("taro", &domain, &source)
            .into_iter()
            .map(|c| (c.endpoint, c.username, c.auth))
            .collect();
        let mut want: Vec<(Endpoint, UsernameForm, Vec<AuthMethod>)> = p
            .candidates("taro", &domain, SourceKind::Provider)
            .into_iter()
            .filter(|c| !c.endpoint.protocol.is_relay_port(c.endpoint.port))
            .map(|c| {
                (
                    c.endpoint,
                    expected_username(&c.username),
                    expected_auth(&c.auth),
                )
            })
            .collect();
        // The file lists incoming servers before outgoing ones, each in the table's order.
        want.sort_by_key(|(e, _, _)| !e.protocol.is_incoming());
        assert_eq!(got, want, "{}\n{xml}", p.id);
        assert!(!got.is_empty(), "{}", p.id);
    }
}

/// `--domain-only`: the same servers, nothing of the person (the local part appears
/// nowhere; a literal user name holding it gets the placeholder back), one domain.
#[test]
fn the_domain_file_has_no_one_persons_address() {
    let mut report = sample_report();
    report.incoming[1].username_form = UsernameForm::Template("EXAMPLE\\taro.yamada".into());
    let person = export(ExportFormat::Thunderbird, &report);
    assert!(
        person.contains("<username>EXAMPLE\\taro.yamada</username>"),
        "{person}"
    );
    let domain = export(ExportFormat::ThunderbirdDomain, &report);
    assert!(!domain.contains("taro"), "{domain}");
    assert!(
        domain.contains("<username>EXAMPLE\\%EMAILLOCALPART%</username>"),
        "{domain}"
    );
    assert!(domain.contains("Publish at https://autoconfig.example.ne.jp/mail/config-v1.1.xml"));
    let cfg = autoconfig_xml::parse(domain.as_bytes()).unwrap();
    assert_eq!(cfg.domains, ["example.ne.jp"]);
    let gmail = offline("alice@gmail.com");
    let cfg =
        autoconfig_xml::parse(export(ExportFormat::ThunderbirdDomain, &gmail).as_bytes()).unwrap();
    assert_eq!(cfg.domains, ["gmail.com"]);
    let cfg = autoconfig_xml::parse(export(ExportFormat::Thunderbird, &gmail).as_bytes()).unwrap();
    assert_eq!(cfg.domains, ["gmail.com", "googlemail.com"]);
    for (sample, report) in sample_reports() {
        let text = export(ExportFormat::ThunderbirdDomain, &report);
        assert!(
            !text.contains(&format!("{}@", report.local_part)),
            "{sample}: {text}"
        );
    }
}

/// `export --format json` is `detect --json`.
#[test]
fn json_is_the_detect_document() {
    for (_, report) in sample_reports() {
        assert_eq!(
            export(ExportFormat::Json, &report),
            crate::report::detect_json::render(&report)
        );
    }
}

/// Hostile text from a source cannot break out of a value: a user name with quotes, `$` or
/// backticks is replaced by the placeholder, never written into a command line.
#[test]
fn hostile_user_names_never_reach_a_config_line() {
    let mut report = sample_report();
    for s in report.incoming.iter_mut().chain(report.outgoing.iter_mut()) {
        s.username_form = UsernameForm::Template("x`touch /tmp/p`\"\n$HOME".into());
        s.username = Some("x`touch /tmp/p`\"\n$HOME".into());
    }
    for format in [
        ExportFormat::Msmtp,
        ExportFormat::Mbsync,
        ExportFormat::Aerc,
        ExportFormat::Neomutt,
    ] {
        let text = export(format, &report);
        assert!(!text.contains("touch"), "{format:?}: {text}");
        assert!(!text.contains("$HOME"), "{format:?}: {text}");
        assert!(text.contains(ACCOUNT_ID), "{format:?}: {text}");
    }
}
