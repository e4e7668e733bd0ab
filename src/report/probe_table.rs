//! `mailcfg probe` for people: a summary row per endpoint, then the details of each.
//!
//! Everything a server or its certificate said (greeting, capabilities, mechanisms,
//! certificate names and issuer, errors) goes through [`clean`], so a hostile server
//! cannot send terminal escape sequences through this table.

use crate::probe::outcome::{CertificateInfo, EndpointReport, Symptom, Timings};
use crate::report::clean;
use crate::report::render::{Render, RenderOptions};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

/// The probe table behind the renderer seam.
pub struct ProbeTable;

impl Render<[EndpointReport]> for ProbeTable {
    fn render(&self, reports: &[EndpointReport], _options: &RenderOptions) -> String {
        render(reports)
    }
}

pub fn render(reports: &[EndpointReport]) -> String {
    let mut out = String::new();
    let mut summary = new_table();
    summary.set_header([
        "Endpoint",
        "Protocol",
        "Outcome",
        "Security",
        "STARTTLS",
        "Auth (after TLS)",
        "Certificate",
        "Time",
    ]);
    for r in reports {
        summary.add_row([
            format!("{}:{}", clean(&r.host), r.port),
            r.protocol.to_string(),
            outcome_cell(r),
            r.security
                .map(|s| s.label().to_string())
                .unwrap_or_else(|| "-".into()),
            starttls_cell(r),
            if r.auth.is_empty() {
                "-".into()
            } else {
                clean(&r.auth.join(" "))
            },
            certificate_cell(r),
            format!("{:.0} ms", r.timings.total_ms),
        ]);
    }
    out.push_str(&summary.to_string());
    out.push('\n');
    for r in reports {
        out.push('\n');
        out.push_str(&details(r));
        out.push('\n');
    }
    out
}

fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table
}

/// The outcome keyword, and what the failure showed when it is one the diagnoses name.
fn outcome_cell(r: &EndpointReport) -> String {
    let outcome = r.outcome.as_str();
    match &r.symptom {
        None => outcome.to_string(),
        Some(Symptom::StarttlsBroken) => format!("{outcome}: STARTTLS broken"),
        Some(Symptom::ObsoleteTls { version, .. }) => {
            format!("{outcome}: only {}", clean(version))
        }
        Some(Symptom::PlaintextOnTlsPort { .. }) => format!("{outcome}: plain text on a TLS port"),
    }
}

/// What a symptom means for the person reading, and what to do about it.
fn diagnosis(r: &EndpointReport, symptom: &Symptom) -> String {
    match symptom {
        Symptom::StarttlsBroken => "STARTTLS was offered and accepted, then the upgrade to \
             encryption failed: a network device may be stripping encryption, or the server \
             is broken. These settings are not usable; no password was sent."
            .to_string(),
        Symptom::ObsoleteTls { version, .. } => format!(
            "the server speaks only {}, which current mail clients refuse (RFC 8996); \
             the provider must enable TLS 1.2 or later.",
            clean(version)
        ),
        Symptom::PlaintextOnTlsPort { greeting } => format!(
            "port {} is for implicit TLS but answered in plain text (\"{}\"): the port is \
             misconfigured; use the server's STARTTLS port instead.",
            r.port,
            clean(greeting)
        ),
    }
}

fn starttls_cell(r: &EndpointReport) -> String {
    if r.implicit_tls {
        return "n/a (implicit)".into();
    }
    match (r.starttls.offered, r.starttls.succeeded) {
        (false, _) if r.greeting.is_none() => "-".into(),
        (false, _) => "not offered".into(),
        (true, Some(true)) => "offered, works".into(),
        (true, Some(false)) => "offered, FAILS".into(),
        (true, None) => "offered, not used".into(),
    }
}

fn certificate_cell(r: &EndpointReport) -> String {
    match r.tls.as_ref().and_then(|t| t.certificate.as_ref()) {
        None => "-".into(),
        Some(c) if c.verified => "trusted".into(),
        Some(c) => format!(
            "NOT TRUSTED: {}",
            c.problem.map_or("invalid", |p| p.as_str())
        ),
    }
}

fn details(r: &EndpointReport) -> String {
    let mut table = new_table();
    let address = r.address.map(|a| format!(" at {a}")).unwrap_or_default();
    table.set_header([
        format!("{}:{}", clean(&r.host), r.port),
        format!("{}{address}", r.protocol),
    ]);
    let mut row = |key: &str, value: String| {
        if !value.is_empty() {
            table.add_row([key.to_string(), value]);
        }
    };
    row("Outcome", r.outcome.as_str().to_string());
    if let (Some(stage), Some(error)) = (r.stage, r.error.as_deref()) {
        row("Problem", format!("[{}] {}", stage.as_str(), clean(error)));
    }
    if let Some(greeting) = &r.greeting {
        row("Greeting", clean(greeting));
    }
    if let Some(tls) = &r.tls {
        row(
            "TLS",
            clean(&format!("{} {}", tls.version, tls.cipher_suite)),
        );
        if let Some(c) = &tls.certificate {
            certificate_rows(&mut row, c);
        }
    }
    if let Some(symptom) = &r.symptom {
        row("Diagnosis", diagnosis(r, symptom));
        if let Symptom::ObsoleteTls {
            certificate,
            key_bits,
            ..
        } = symptom
        {
            // Sent in clear below TLS 1.3, so known even though no session was made.
            if let Some(c) = certificate {
                certificate_rows(&mut row, c);
            }
            if let Some(bits) = key_bits {
                row("Key size", format!("{bits} bits"));
            }
        }
    }
    if !r.implicit_tls && r.greeting.is_some() {
        row(
            "Capabilities before TLS",
            clean(&r.capabilities_before_tls.join(" ")),
        );
        row(
            "Auth before TLS",
            if r.auth_before_tls.is_empty() {
                "none".into()
            } else {
                clean(&r.auth_before_tls.join(" "))
            },
        );
    }
    if r.security.is_some() {
        row("Capabilities", clean(&r.capabilities.join(" ")));
        row(
            "Auth",
            if r.auth.is_empty() {
                "none offered".into()
            } else {
                clean(&r.auth.join(" "))
            },
        );
    }
    if r.login_disabled {
        row(
            "Login",
            "disabled on this connection (LOGINDISABLED)".into(),
        );
    }
    row("Timings", timings(&r.timings));
    table.to_string()
}

fn certificate_rows(row: &mut impl FnMut(&str, String), c: &CertificateInfo) {
    row("Certificate names", clean(&c.names.join(", ")));
    row("Issuer", clean(&c.issuer));
    row(
        "Valid",
        clean(&format!("{} to {}", c.not_before, c.not_after)),
    );
    row(
        "Verified",
        match (&c.verified, &c.error) {
            (true, _) => "yes".to_string(),
            (false, Some(e)) => format!("NO: {}", clean(e)),
            (false, None) => "NO".to_string(),
        },
    );
}

fn timings(t: &Timings) -> String {
    let stages = [
        ("resolve", t.resolve_ms),
        ("connect", t.connect_ms),
        ("TLS", t.tls_handshake_ms),
        ("greeting", t.greeting_ms),
        ("capabilities", t.capabilities_ms),
        ("STARTTLS", t.starttls_ms),
        ("capabilities after TLS", t.capabilities_after_tls_ms),
    ];
    let mut parts: Vec<String> = stages
        .iter()
        .filter_map(|(name, ms)| ms.map(|ms| format!("{name} {ms:.1} ms")))
        .collect();
    parts.push(format!("total {:.1} ms", t.total_ms));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Protocol, Security};
    use crate::probe::outcome::{Outcome, Stage, StarttlsInfo, TlsInfo};

    /// A probe of a hostile server: every text field it controls carries escape sequences.
    fn hostile_report() -> EndpointReport {
        let esc = |s: &str| format!("{s}\u{1b}[2J\u{1b}[31m\u{9b}5m\u{7f}\u{202e}\u{2066}\r\n");
        EndpointReport {
            address: Some("192.0.2.25".parse().expect("a literal address")),
            outcome: Outcome::TlsError,
            stage: Some(Stage::CapabilitiesAfterTls),
            error: Some(esc("broken")),
            security: Some(Security::Starttls),
            starttls: StarttlsInfo {
                offered: true,
                succeeded: Some(true),
            },
            greeting: Some(esc("* OK ready")),
            capabilities_before_tls: vec![esc("IMAP4rev1"), esc("STARTTLS")],
            capabilities: vec![esc("IMAP4rev1"), esc("AUTH=PLAIN")],
            auth_before_tls: vec![esc("LOGIN")],
            auth: vec![esc("PLAIN")],
            login_disabled: true,
            tls: Some(TlsInfo {
                version: esc("TLSv1.3"),
                cipher_suite: esc("TLS13_AES_256_GCM_SHA384"),
                certificate: Some(CertificateInfo {
                    names: vec![esc("imap.example.com"), esc("*.example.com")],
                    subject: esc("CN=imap.example.com"),
                    issuer: esc("CN=Evil CA"),
                    not_before: esc("2026-01-01T00:00:00Z"),
                    not_after: esc("2027-01-01T00:00:00Z"),
                    self_signed: true,
                    verified: false,
                    error: Some(esc("self-signed")),
                    problem: Some(crate::probe::outcome::CertificateProblem::SelfSigned),
                    chain_length: 1,
                }),
            }),
            ..EndpointReport::new(&esc("imap.example.com"), 143, Protocol::Imap)
        }
    }

    #[test]
    fn symptoms_and_new_outcomes_are_worded() {
        let mut broken = EndpointReport::new("imap.example.com", 143, Protocol::Imap);
        broken.fail(Outcome::TlsError, Stage::Starttls, "closed");
        broken.symptom = Some(Symptom::StarttlsBroken);
        let mut old = EndpointReport::new("imap.example.com", 993, Protocol::Imap);
        old.fail(Outcome::TlsError, Stage::TlsHandshake, "old");
        old.symptom = Some(Symptom::ObsoleteTls {
            version: "TLSv1.1".into(),
            certificate: Some(CertificateInfo {
                names: vec!["legacy.example.com".into()],
                ..CertificateInfo::default()
            }),
            key_bits: Some(2048),
        });
        let mut plain = EndpointReport::new("smtp.example.com", 465, Protocol::Smtp);
        plain.fail(Outcome::TlsError, Stage::TlsHandshake, "plain");
        plain.symptom = Some(Symptom::PlaintextOnTlsPort {
            greeting: "220 smtp.example.com ESMTP".into(),
        });
        let mut late = EndpointReport::new("pop.example.com", 995, Protocol::Pop3);
        late.fail(
            Outcome::NotTried,
            Stage::Connect,
            "not tried: the overall deadline passed first",
        );
        let mut unreachable = EndpointReport::new("pop.example.com", 110, Protocol::Pop3);
        unreachable.fail(
            Outcome::Unreachable,
            Stage::Connect,
            "cannot reach 10.0.0.1:110",
        );
        let text = render(&[broken, old, plain, late, unreachable]);
        for words in [
            "tls-error: STARTTLS broken",
            "stripping encryption",
            "no password was sent",
            "tls-error: only TLSv1.1",
            "TLS 1.2 or later",
            "legacy.example.com",
            "2048 bits",
            "plain text on a TLS port",
            "220 smtp.example.com ESMTP",
            "not-tried",
            "overall deadline passed first",
            "unreachable",
        ] {
            assert!(text.contains(words), "missing {words:?} in\n{text}");
        }
    }

    #[test]
    fn no_escape_sequences_reach_the_terminal() {
        let text = render(&[hostile_report()]);
        assert!(!text.contains('\u{1b}'), "ESC in\n{text}");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "control character in\n{text:?}"
        );
        assert!(
            !text
                .chars()
                .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
            "bidi override in\n{text:?}"
        );
        // The text itself is still shown.
        for word in [
            "* OK ready",
            "AUTH=PLAIN",
            "imap.example.com",
            "CN=Evil CA",
            "NOT TRUSTED: self-signed",
            "broken",
        ] {
            assert!(text.contains(word), "missing {word:?} in\n{text}");
        }
    }
}
