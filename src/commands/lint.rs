//! `mailcfg lint DOMAIN`.

use super::common;
use crate::address::{parse_domain, parse_email};
use crate::cli::{LangArg, LintArgs};
use crate::exit::{CommandError, Exit};
use crate::findings::Severity;
use crate::lint::gather::Engine;
use crate::lint::{LintReport, gather};
use crate::model::Lang;
use crate::net::http::HttpClient;
use crate::report::render::{LintFormat, RenderOptions, lint_renderer};
use std::io::Write;

pub fn run(args: LintArgs, out: &mut dyn Write) -> Result<Exit, CommandError> {
    // Everything is validated before the first packet leaves.
    let (domain, from_address) = domain_of(&args.domain)?;
    let lang = match args.lang {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => super::detect::lang_from_env(),
    };
    let network = common::network(&args.network)?;
    let deadline = match args.deadline {
        Some(secs) => common::seconds("--deadline", secs)?,
        None => network.step_timeout * 8,
    };
    if args.network.dns_server.is_none() {
        network
            .dns
            .check_system_config()
            .map_err(|e| CommandError::Failure(e.to_string()))?;
    }
    let http = HttpClient::new(&network.tls, network.dns.clone(), network.step_timeout)
        .map_err(CommandError::Failure)?;
    let engine = Engine {
        dns: network.dns.clone(),
        http,
        tls: network.tls.clone(),
        prober: network.prober(),
        step_timeout: network.step_timeout,
    };
    let report = super::block_on(async {
        let progress = crate::progress::Progress::spinner(format!("checking {domain}"));
        let started = tokio::time::Instant::now();
        let facts = gather(&domain, &engine, started + deadline).await;
        progress.finish();
        let elapsed = crate::probe::millis(started.elapsed());
        LintReport::new(&args.domain, from_address, &facts, elapsed)
    })?;

    let format = if args.json {
        LintFormat::Json
    } else {
        LintFormat::Table
    };
    let rendered = lint_renderer(format).render(&report, &RenderOptions::plain(lang));
    super::write_out(out, &rendered)?;
    Ok(exit_for(&report))
}

/// The ASCII domain to check, and whether it came from an email address.
pub fn domain_of(input: &str) -> Result<(String, bool), CommandError> {
    let text = input.trim();
    if text.contains('@') {
        let email = parse_email(text).map_err(|e| CommandError::Usage(e.0))?;
        return Ok((email.domain, true));
    }
    parse_domain(text)
        .map(|d| (d, false))
        .map_err(|why| CommandError::Usage(format!("\"{input}\" is not a mail domain: {why}")))
}

/// 0 without findings or with information only, 1 with warnings, 3 with an error.
pub fn exit_for(report: &LintReport) -> Exit {
    let worst = report.findings.iter().map(|f| f.severity()).min();
    match worst {
        Some(Severity::Error) => Exit::NotFound,
        Some(Severity::Warning) => Exit::Partial,
        Some(Severity::Info) | None => Exit::Success,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_addresses_and_idn() {
        assert_eq!(
            domain_of("Example.JP").unwrap(),
            ("example.jp".into(), false)
        );
        assert_eq!(
            domain_of("taro@example.jp").unwrap(),
            ("example.jp".into(), true)
        );
        assert_eq!(domain_of("例え.jp").unwrap().0, "xn--r8jz45g.jp");
        for bad in [
            "",
            "localhost",
            "192.0.2.1",
            "exa mple.jp",
            "@example.jp",
            "a..b.jp",
        ] {
            let e = domain_of(bad).unwrap_err();
            assert_eq!(e.exit(), Exit::Usage, "{bad}");
        }
    }
}
