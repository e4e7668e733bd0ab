//! Snapshot tests of every client guide on the sample reports, and the per-port words.

use super::text::render_guide;
use super::{Client, Entry, guide};
use crate::model::{Lang, Protocol, Security};
use crate::report::sample::sample_reports;

#[test]
fn every_client_on_every_sample() {
    for (name, report) in sample_reports() {
        for client in Client::ALL {
            for lang in [Lang::En, Lang::Ja] {
                let text = render_guide(&guide(&report, client, lang));
                let lang_name = match lang {
                    Lang::En => "en",
                    Lang::Ja => "ja",
                };
                insta::assert_snapshot!(
                    format!("guide_{}_{name}_{lang_name}", client.name()),
                    text
                );
            }
        }
    }
}

/// The security words of every client for the standard ports' usual security: 465, 993
/// and 995 are SSL/TLS; 587 and 143 are STARTTLS (or an "encrypt" box switched on), never
/// None/なし.
#[test]
fn per_port_encryption_words() {
    for lang in [Lang::En, Lang::Ja] {
        for (protocol, port) in [
            (Protocol::Smtp, 465),
            (Protocol::Smtp, 587),
            (Protocol::Imap, 993),
            (Protocol::Imap, 143),
            (Protocol::Pop3, 995),
        ] {
            let security = protocol.default_security(port);
            let words = [
                super::thunderbird::security(security, lang),
                super::outlook::security(security, lang),
                super::android::security(security, lang),
                super::new_outlook::security(security).unwrap_or_default(),
            ];
            for word in &words {
                assert!(
                    word != "None" && word != "なし",
                    "{protocol} {port}: {word}"
                );
                match port {
                    465 | 993 | 995 => assert_eq!(word, "SSL/TLS", "{port}"),
                    _ => assert!(word.eq_ignore_ascii_case("STARTTLS"), "{port}: {word}"),
                }
            }
            assert!(super::windows_mail::require_ssl(security));
            assert!(super::apple_mail::use_tls(security));
            assert!(super::ios::use_ssl(security));
        }
    }
    assert_eq!(super::outlook::security(Security::Plain, Lang::Ja), "なし");
    assert_eq!(
        super::thunderbird::security(Security::Plain, Lang::En),
        "None"
    );
    assert_eq!(super::new_outlook::security(Security::Plain), None);
}

/// In every guide of every sample, an outgoing port 587 is never set to "None".
#[test]
fn no_guide_sets_587_to_none() {
    for (name, report) in sample_reports() {
        for client in Client::ALL {
            for lang in [Lang::En, Lang::Ja] {
                let g = guide(&report, client, lang);
                for screen in &g.screens {
                    let has_587 = screen
                        .fields
                        .iter()
                        .any(|f| matches!(&f.entry, Entry::Type(v) if v.ends_with("587")));
                    if !has_587 {
                        continue;
                    }
                    for f in &screen.fields {
                        assert!(
                            !matches!(&f.entry, Entry::Choose(v) if v == "None" || v == "なし"),
                            "{name} {client:?}: {f:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn client_names_round_trip() {
    for client in Client::ALL {
        assert_eq!(Client::from_name(client.name()), Some(client));
    }
    assert_eq!(Client::from_name("eudora"), None);
}

/// A provider that takes only OAuth2, in a client without that sign-in: the guide says so,
/// names the clients that have it, and shows no screens to fill in.
#[test]
fn oauth_only_without_the_clients_sign_in_says_what_to_do_instead() {
    let email = crate::address::parse_email("someone@aol.com").expect("an address");
    let mut report = crate::detect::detect_offline(&email);
    for s in report.incoming.iter_mut().chain(report.outgoing.iter_mut()) {
        s.auth = vec![crate::model::AuthMethod::OAuth2];
    }
    let g = guide(&report, Client::Outlook, Lang::En);
    assert!(g.screens.is_empty(), "{g:?}");
    let cannot: Vec<_> = g
        .before
        .iter()
        .filter(|n| n.level == super::Level::Cannot)
        .collect();
    assert_eq!(cannot.len(), 1, "{g:?}");
    assert!(
        cannot[0].text.contains("sign in with AOL"),
        "{}",
        cannot[0].text
    );
    assert!(cannot[0].text.contains("Thunderbird"), "{}", cannot[0].text);
    assert!(
        !cannot[0].text.contains("Outlook (classic), "),
        "{}",
        cannot[0].text
    );
    // The same report in a client that has AOL sign-in gets its screens.
    assert!(
        !guide(&report, Client::Thunderbird, Lang::En)
            .screens
            .is_empty()
    );
}

/// On a terminal the notes wrap between words at the width; nothing is lost.
#[test]
fn notes_wrap_at_the_terminal_width() {
    let report = crate::address::parse_email("taro@docomo.ne.jp")
        .map(|e| crate::detect::detect_offline(&e))
        .expect("an address");
    for lang in [Lang::En, Lang::Ja] {
        let g = guide(&report, Client::Ios, lang);
        let wrapped = super::text::render_wrapped(&g, Some(60));
        let flat = render_guide(&g);
        assert!(wrapped.lines().count() > flat.lines().count());
        for line in wrapped.lines() {
            let bullet = line.trim_start().starts_with(['•', '⚠', '✗']);
            let continued = line.starts_with("        ");
            if bullet || continued {
                assert!(crate::report::text::display_width(line) <= 60, "{line}");
            }
        }
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squash(&wrapped), squash(&flat));
    }
}
