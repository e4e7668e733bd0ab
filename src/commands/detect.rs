//! `mailcfg detect EMAIL`.

use super::common;
use crate::address::parse_email;
use crate::cli::{ClientArg, DetectArgs, FormatArg, LangArg, LookupArgs};
use crate::detect::{DetectSettings, Engine, detect};
use crate::exit::{CommandError, Exit};
use crate::model::Lang;
use crate::net::http::HttpClient;
use crate::report::guides::Client;
use crate::report::model::{Mode, Report, Verification};
use crate::report::render::{DetectFormat, RenderOptions, detect_renderer};
use std::io::Write;

pub fn run(args: DetectArgs, out: &mut dyn Write) -> Result<Exit, CommandError> {
    let format = if args.json {
        FormatArg::Json
    } else {
        args.format
    };
    // A wrong combination of options is refused before anything touches the network.
    let format = output_format(format, args.client.map(client))?;
    let report = find_settings(&args.email, &args.lookup)?;
    let (width, colour) = super::terminal_layout();
    let options = RenderOptions {
        lang: lang(&args.lookup),
        explain: args.explain,
        width,
        colour,
    };
    let rendered = detect_renderer(format).render(&report, &options);
    super::write_out(out, &rendered)?;
    Ok(exit_for(&report))
}

/// The language asked for, else the locale's.
pub fn lang(args: &LookupArgs) -> Lang {
    match args.lang {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => lang_from_env(),
    }
}

/// The report for `email` (what `detect` and `export` both show): the address and every
/// option checked first, then the table lookup alone (`--offline`) or the whole engine.
pub fn find_settings(email: &str, args: &LookupArgs) -> Result<Report, CommandError> {
    // A malformed address is refused before anything touches the network.
    let email = parse_email(email).map_err(|e| CommandError::Usage(e.0))?;
    let mode = if args.offline {
        Mode::Offline
    } else if args.no_probe {
        Mode::NoProbe
    } else {
        Mode::Full
    };
    let ispdb_url = if args.no_ispdb {
        None
    } else {
        Some(check_url("--ispdb-url", &args.ispdb_url)?)
    };
    let step_timeout = common::seconds("--timeout", args.network.timeout)?;
    let deadline = match args.deadline {
        Some(secs) => common::seconds("--deadline", secs)?,
        None => step_timeout * 6,
    };
    let settings = DetectSettings {
        mode,
        ispdb_url,
        deadline,
    };

    // Checked even offline: a wrong option is an error whether or not it is used.
    let network = common::network(&args.network)?;
    if mode == Mode::Offline {
        // No resolver, no threads, no sockets: the table lookup alone.
        return Ok(crate::detect::detect_offline(&email));
    }
    if args.network.dns_server.is_none() {
        // MX and SRV need the system resolver's configuration: without it, say so.
        network
            .dns
            .check_system_config()
            .map_err(|e| CommandError::Failure(e.to_string()))?;
    }
    let dns = network.dns.clone();
    let http = HttpClient::new(&network.tls, dns.clone(), network.step_timeout)
        .map_err(CommandError::Failure)?;
    let prober = network.prober();
    let engine = Engine {
        dns,
        http: Some(http),
        prober,
    };
    super::block_on(async {
        let progress =
            crate::progress::Progress::spinner(format!("looking up {}", email.display()));
        let report = detect(&email, &settings, &engine, &progress).await;
        progress.finish();
        report
    })
}

/// The renderer for `--format` and `--client`: a client selects its guide (or, with
/// `--format html`, its setup sheet); the other formats take no client.
fn output_format(format: FormatArg, client: Option<Client>) -> Result<DetectFormat, CommandError> {
    Ok(match (format, client) {
        (FormatArg::Table, None) => DetectFormat::Table,
        (FormatArg::Json, None) => DetectFormat::Json,
        (FormatArg::Thunderbird, None) => DetectFormat::Thunderbird,
        (FormatArg::Table, Some(c)) => DetectFormat::Guide(c),
        (FormatArg::Html, Some(c)) => DetectFormat::Html(c),
        (FormatArg::Html, None) => {
            return Err(CommandError::Usage(
                "--format html is a setup sheet for one mail client: add --client NAME".into(),
            ));
        }
        (FormatArg::Json | FormatArg::Thunderbird, Some(_)) => {
            return Err(CommandError::Usage(
                "--client prints a guide for people; it goes with --format table (the default) or html, not json or thunderbird".into(),
            ));
        }
    })
}

pub(crate) fn client(arg: ClientArg) -> Client {
    match arg {
        ClientArg::Thunderbird => Client::Thunderbird,
        ClientArg::Outlook => Client::Outlook,
        ClientArg::NewOutlook => Client::NewOutlook,
        ClientArg::WindowsMail => Client::WindowsMail,
        ClientArg::AppleMail => Client::AppleMail,
        ClientArg::Ios => Client::Ios,
        ClientArg::Android => Client::Android,
    }
}

/// 0 when a recommended incoming and outgoing setting were found (and, when probed, both
/// have trusted certificates), 1 when only one was or a certificate is not trusted, 3 when
/// neither was found.
pub fn exit_for(report: &Report) -> Exit {
    let incoming = report.recommended_incoming();
    let outgoing = report.recommended_outgoing();
    let untrusted = [incoming, outgoing]
        .into_iter()
        .flatten()
        .any(|s| matches!(s.verification, Verification::UntrustedCertificate { .. }));
    match (incoming.is_some(), outgoing.is_some()) {
        (true, true) if !untrusted => Exit::Success,
        (false, false) => Exit::NotFound,
        _ => Exit::Partial,
    }
}

/// Japanese when the locale says so (LC_ALL, then LC_MESSAGES, then LANG), else English.
pub fn lang_from_env() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    if locale.starts_with("ja") {
        Lang::Ja
    } else {
        Lang::En
    }
}

fn check_url(flag: &str, text: &str) -> Result<String, CommandError> {
    match reqwest::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            Ok(text.to_string())
        }
        _ => Err(CommandError::Usage(format!(
            "{flag} wants an http(s) URL, not \"{text}\""
        ))),
    }
}
