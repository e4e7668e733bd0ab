//! `mailcfg export EMAIL --format F [-o FILE]`: run `detect` with the same options, then
//! write one file that configures a mail client (see `report::export`).
//!
//! Exit codes: 0 the file has everything the format configures, with trusted certificates;
//! 1 it was written without one direction (e.g. no SMTP server), or a server's certificate
//! was not trusted; 2 bad input; 3 nothing usable for this format was found, and nothing was
//! written; 4 the file could not be written (nothing is left behind, an existing file is
//! untouched).

use super::{detect, output};
use crate::cli::{ExportArgs, ExportFormatArg};
use crate::exit::{CommandError, Exit};
use crate::model::Direction;
use crate::report::export::{self, Coverage, ExportContext};
use crate::report::guides::Client;
use crate::report::model::Report;
use crate::report::render::{ExportFormat, RenderOptions, export_renderer};
use std::io::Write;

pub fn run(args: ExportArgs, out: &mut dyn Write) -> Result<Exit, CommandError> {
    let format = format(
        args.format,
        args.domain_only,
        args.client.map(detect::client),
    )?;
    if let Some(path) = &args.output {
        // Refused before any lookup: a typo in the directory should not cost a detect run.
        check_directory(path)?;
    }
    let report = detect::find_settings(&args.email, &args.lookup)?;
    let exit = match export::coverage(format, &report) {
        Coverage::Nothing { missing } => {
            return Err(CommandError::NothingFound(nothing_message(
                format, &report, &missing,
            )));
        }
        Coverage::Partial { .. } => Exit::Partial,
        Coverage::Complete if uses_untrusted(format, &report) => Exit::Partial,
        Coverage::Complete => Exit::Success,
    };
    let context = ExportContext {
        trust_file: args.lookup.network.ca_file.as_ref().map(|p| {
            // The client reads the file later, from wherever it runs: an absolute path.
            std::path::absolute(p).unwrap_or_else(|_| p.clone())
        }),
    };
    let options = RenderOptions::plain(detect::lang(&args.lookup));
    let text = export_renderer(format, &context).render(&report, &options);
    match &args.output {
        Some(path) => output::write_atomically(path, text.as_bytes())?,
        None => super::write_out(out, &text)?,
    }
    Ok(exit)
}

fn format(
    arg: ExportFormatArg,
    domain_only: bool,
    client: Option<Client>,
) -> Result<ExportFormat, CommandError> {
    let format = match arg {
        ExportFormatArg::Html => match client {
            Some(client) => ExportFormat::Html(client),
            None => {
                return Err(CommandError::Usage(
                    "--format html is a setup sheet for one mail client: add --client NAME".into(),
                ));
            }
        },
        _ if client.is_some() => {
            return Err(CommandError::Usage(
                "--client goes with --format html (the setup sheet for that mail client)".into(),
            ));
        }
        ExportFormatArg::Thunderbird if domain_only => ExportFormat::ThunderbirdDomain,
        ExportFormatArg::Thunderbird => ExportFormat::Thunderbird,
        ExportFormatArg::Apple => ExportFormat::Apple,
        ExportFormatArg::Autodiscover => ExportFormat::Autodiscover,
        ExportFormatArg::Json => ExportFormat::Json,
        ExportFormatArg::Msmtp => ExportFormat::Msmtp,
        ExportFormatArg::Mbsync => ExportFormat::Mbsync,
        ExportFormatArg::Aerc => ExportFormat::Aerc,
        ExportFormatArg::Neomutt => ExportFormat::Neomutt,
    };
    if domain_only && format != ExportFormat::ThunderbirdDomain {
        return Err(CommandError::Usage(
            "--domain-only goes with --format thunderbird (the file a domain publishes at autoconfig.<domain>)".into(),
        ));
    }
    Ok(format)
}

fn check_directory(path: &std::path::Path) -> Result<(), CommandError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(CommandError::Failure(format!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// Whether a server the file configures has a certificate the probe did not trust.
fn uses_untrusted(format: ExportFormat, report: &Report) -> bool {
    match format {
        ExportFormat::Thunderbird
        | ExportFormat::ThunderbirdDomain
        | ExportFormat::Json
        | ExportFormat::Html(_) => {
            export::untrusted(report.recommended_incoming())
                || export::untrusted(report.recommended_outgoing())
        }
        _ => {
            let needs = export::needs(format);
            export::untrusted(export::first_usable(
                report,
                Direction::Incoming,
                needs.incoming,
            )) || export::untrusted(export::first_usable(
                report,
                Direction::Outgoing,
                &[crate::model::Protocol::Smtp],
            ))
        }
    }
}

fn nothing_message(format: ExportFormat, report: &Report, missing: &[Direction]) -> String {
    let needs = export::needs(format);
    let what: Vec<String> = missing
        .iter()
        .map(|d| match d {
            Direction::Outgoing => "SMTP".to_string(),
            Direction::Incoming => needs
                .incoming
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(" or "),
        })
        .collect();
    format!(
        "no usable {} server (encrypted, not known to fail) was found for {}: nothing written \
         (`mailcfg detect {}` shows what was found)",
        what.join(" or "),
        crate::report::clean(&report.display_domain),
        crate::report::clean(&report.email),
    )
}
