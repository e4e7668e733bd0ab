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
