//! `mailcfg probe` for people: a summary row per endpoint, then the details of each.

use crate::probe::outcome::{EndpointReport, Timings};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

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
            format!("{}:{}", r.host, r.port),
            r.protocol.to_string(),
            r.outcome.as_str().to_string(),
            r.security
                .map(|s| s.label().to_string())
                .unwrap_or_else(|| "-".into()),
            starttls_cell(r),
            if r.auth.is_empty() {
                "-".into()
            } else {
                r.auth.join(" ")
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
            c.error_kind.as_deref().unwrap_or("invalid")
        ),
    }
}

fn details(r: &EndpointReport) -> String {
    let mut table = new_table();
    let address = r.address.map(|a| format!(" at {a}")).unwrap_or_default();
    table.set_header([
        format!("{}:{}", r.host, r.port),
        format!("{}{address}", r.protocol),
    ]);
    let mut row = |key: &str, value: String| {
        if !value.is_empty() {
            table.add_row([key.to_string(), value]);
        }
    };
    row("Outcome", r.outcome.as_str().to_string());
    if let (Some(stage), Some(error)) = (r.stage, r.error.as_deref()) {
        row("Problem", format!("[{}] {error}", stage.as_str()));
    }
    if let Some(greeting) = &r.greeting {
        row("Greeting", greeting.clone());
    }
    if let Some(tls) = &r.tls {
        row("TLS", format!("{} {}", tls.version, tls.cipher_suite));
        if let Some(c) = &tls.certificate {
            row("Certificate names", c.names.join(", "));
            row("Issuer", c.issuer.clone());
            row("Valid", format!("{} to {}", c.not_before, c.not_after));
            row(
                "Verified",
                match (&c.verified, &c.error) {
                    (true, _) => "yes".to_string(),
                    (false, Some(e)) => format!("NO: {e}"),
                    (false, None) => "NO".to_string(),
                },
            );
        }
    }
    if !r.implicit_tls && r.greeting.is_some() {
        row(
            "Capabilities before TLS",
            r.capabilities_before_tls.join(" "),
        );
        row(
            "Auth before TLS",
            if r.auth_before_tls.is_empty() {
                "none".into()
            } else {
                r.auth_before_tls.join(" ")
            },
        );
    }
    if r.security.is_some() {
        row("Capabilities", r.capabilities.join(" "));
        row(
            "Auth",
            if r.auth.is_empty() {
                "none offered".into()
            } else {
                r.auth.join(" ")
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
