//! Promise 8 over every renderer at once: the sample reports with hostile text in every
//! field that comes from outside (greetings, errors, capabilities, certificate names and
//! issuers, source answers, notes from XML and the provider table, provider names), each
//! rendered in every format, language and detail level. A renderer that prints one of
//! those fields without [`super::clean`] (or, for JSON, without escaping) fails here.

use super::model::{Failure, Report, Verification};
use super::render::{DetectFormat, ProbeFormat, RenderOptions, detect_renderer, probe_renderer};
use super::sample::sample_reports;
use crate::discover::SourceStatus;
use crate::model::Lang;
use crate::probe::outcome::CertificateInfo;

/// A screen clear, a colour, an OSC title with BEL, a C1 CSI, DEL, a right-to-left
/// override, an isolate, and line breaks that would fake a row.
const HOSTILE: &str =
    "\u{1b}[2J\u{1b}[31m\u{1b}]0;owned\u{7}\u{9b}1m\u{7f}\u{202e}gpj.exe\u{2066}\r\nFAKE ROW";

fn poison(text: &mut String) {
    text.push_str(HOSTILE);
}

fn poison_certificate(c: &mut CertificateInfo) {
    c.names.iter_mut().for_each(poison);
    c.names.push(HOSTILE.to_string());
    poison(&mut c.subject);
    poison(&mut c.issuer);
    if let Some(error) = &mut c.error {
        poison(error);
    }
}

fn poison_status(status: &mut SourceStatus) {
    match status {
        SourceStatus::NotFound(text) | SourceStatus::Failed(text) | SourceStatus::Skipped(text) => {
            poison(text);
        }
        SourceStatus::Found | SourceStatus::Cancelled => {}
    }
}

fn poisoned(mut report: Report) -> Report {
    for probe in &mut report.probes {
        probe
            .greeting
            .get_or_insert_with(String::new)
            .push_str(HOSTILE);
        if let Some(error) = &mut probe.error {
            poison(error);
        }
        for list in [
            &mut probe.capabilities,
            &mut probe.capabilities_before_tls,
            &mut probe.auth,
            &mut probe.auth_before_tls,
        ] {
            list.push(HOSTILE.to_string());
        }
        if let Some(tls) = &mut probe.tls {
            poison(&mut tls.version);
            poison(&mut tls.cipher_suite);
            if let Some(c) = &mut tls.certificate {
                poison_certificate(c);
            }
        }
    }
    for setting in report.incoming.iter_mut().chain(report.outgoing.iter_mut()) {
        setting.mechanisms.push(HOSTILE.to_string());
        for source in &mut setting.sources {
            poison(&mut source.detail);
        }
        if let Some(c) = &mut setting.certificate {
            poison_certificate(c);
        }
        match &mut setting.verification {
            Verification::UntrustedCertificate { error, .. } => poison(error),
            Verification::Failed {
                failure: Failure::Probe { error, .. },
            } => poison(error),
            _ => {}
        }
    }
    for note in &mut report.notes {
        poison(&mut note.en);
        poison(&mut note.ja);
    }
    for source in &mut report.sources {
        poison(&mut source.query);
        poison_status(&mut source.status);
    }
    if let Some(provider) = &mut report.provider {
        poison(&mut provider.name);
        if let Some(ja) = &mut provider.name_ja {
            poison(ja);
        }
    }
    report
}

/// No character a terminal acts on, other than the renderer's own line breaks.
fn assert_inert(what: &str, text: &str) {
    for c in text.chars() {
        let control = c.is_control() && c != '\n';
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !control && !bidi,
            "{what}: U+{:04X} in\n{text}",
            u32::from(c)
        );
    }
}

#[test]
fn promise_8_every_renderer_neutralises_hostile_text_in_every_field() {
    let mut rendered_hostile = 0;
    for (name, report) in sample_reports() {
        let report = poisoned(report);
        for lang in [Lang::En, Lang::Ja] {
            for explain in [false, true] {
                let options = RenderOptions {
                    explain,
                    width: Some(100),
                    ..RenderOptions::plain(lang)
                };
                for format in [
                    DetectFormat::Table,
                    DetectFormat::Json,
                    DetectFormat::Thunderbird,
                ] {
                    let out = detect_renderer(format).render(&report, &options);
                    let what = format!("{name} detect {format:?} {lang:?} explain={explain}");
                    assert_inert(&what, &out);
                    // A line break from the server never starts a line of its own.
                    assert!(
                        !out.lines().any(|l| l.starts_with("FAKE ROW")),
                        "{what}:\n{out}"
                    );
                    if out.contains("gpj.exe") {
                        rendered_hostile += 1;
                    }
                }
                for format in [ProbeFormat::Table, ProbeFormat::Json] {
                    let out = probe_renderer(format).render(&report.probes, &options);
                    assert_inert(&format!("{name} probe {format:?} {lang:?}"), &out);
                }
            }
        }
    }
    // The poison did reach the outputs (as inert text), so the check saw it.
    assert!(rendered_hostile > 10, "{rendered_hostile}");
}
