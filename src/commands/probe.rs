//! `mailcfg probe HOST[:PORT]`.

use super::common;
use crate::address::parse_host_port;
use crate::cli::{ProbeArgs, ProtocolArg, SecurityArg};
use crate::exit::{CommandError, Exit};
use crate::model::{Protocol, Security};
use crate::probe::{EndpointReport, Target};
use crate::report::render::{ProbeFormat, RenderOptions, probe_renderer};
use std::io::Write;

pub fn run(args: ProbeArgs, out: &mut dyn Write) -> Result<Exit, CommandError> {
    // Everything is validated before the first packet leaves.
    let host_port = parse_host_port(&args.target).map_err(|e| CommandError::Usage(e.0))?;
    let protocol = args.protocol.map(protocol_from_arg);
    let security = args.security.map(security_from_arg);
    let network = common::network(&args.network)?;
    let deadline = match args.deadline {
        Some(secs) => common::seconds("--deadline", secs)?,
        None => network.step_timeout * 4,
    };
    let targets = targets(&host_port.host, host_port.port, protocol, security);

    let prober = network.prober();
    let reports = super::block_on(async {
        let progress = crate::progress::Progress::spinner(format!(
            "probing {} endpoint(s) of {}",
            targets.len(),
            host_port.host
        ));
        let deadline = tokio::time::Instant::now() + deadline;
        let reports = prober.probe_all(&targets, deadline).await;
        progress.finish();
        reports
    })?;

    let format = if args.json {
        ProbeFormat::Json
    } else {
        ProbeFormat::Table
    };
    let (width, colour) = super::terminal_layout();
    let options = RenderOptions {
        width,
        colour,
        ..RenderOptions::plain(crate::commands::detect::lang_from_env())
    };
    let rendered = probe_renderer(format).render(&reports, &options);
    super::write_out(out, &rendered)?;
    Ok(exit_for(&reports))
}

/// The endpoints to probe, in the order they are reported: protocol by protocol, best
/// port first.
pub fn targets(
    host: &str,
    port: Option<u16>,
    protocol: Option<Protocol>,
    security: Option<Security>,
) -> Vec<Target> {
    let protocols: Vec<Protocol> = match (protocol, port) {
        (Some(p), _) => vec![p],
        (None, Some(port)) => match Protocol::ALL
            .into_iter()
            .find(|p| p.standard_ports().contains(&port))
        {
            Some(p) => vec![p],
            // An unfamiliar port: ask in every protocol; the one that answers tells.
            None => Protocol::ALL.to_vec(),
        },
        (None, None) => Protocol::ALL.to_vec(),
    };
    protocols
        .into_iter()
        .flat_map(|p| {
            let ports = match port {
                Some(port) => vec![port],
                None => p.standard_ports().to_vec(),
            };
            ports.into_iter().map(move |port| Target {
                host: host.to_string(),
                port,
                protocol: p,
                security,
            })
        })
        .collect()
}

/// 0 when every endpoint answered with a trusted certificate, 1 when some did, 3 when
/// none answered at all.
pub fn exit_for(reports: &[EndpointReport]) -> Exit {
    let answered = reports.iter().filter(|r| r.is_ok()).count();
    let healthy = reports
        .iter()
        .filter(|r| r.is_ok() && r.certificate_trusted())
        .count();
    if answered == 0 {
        Exit::NotFound
    } else if healthy == reports.len() {
        Exit::Success
    } else {
        Exit::Partial
    }
}

fn protocol_from_arg(arg: ProtocolArg) -> Protocol {
    match arg {
        ProtocolArg::Imap => Protocol::Imap,
        ProtocolArg::Pop3 => Protocol::Pop3,
        ProtocolArg::Smtp => Protocol::Smtp,
    }
}

fn security_from_arg(arg: SecurityArg) -> Security {
    match arg {
        SecurityArg::Tls => Security::Tls,
        SecurityArg::Starttls => Security::Starttls,
        SecurityArg::Plain => Security::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_port_means_every_standard_port() {
        let t = targets("mail.example.jp", None, None, None);
        let ports: Vec<(Protocol, u16)> = t.iter().map(|t| (t.protocol, t.port)).collect();
        assert_eq!(
            ports,
            [
                (Protocol::Imap, 993),
                (Protocol::Imap, 143),
                (Protocol::Pop3, 995),
                (Protocol::Pop3, 110),
                (Protocol::Smtp, 465),
                (Protocol::Smtp, 587),
                (Protocol::Smtp, 25)
            ]
        );
    }

    #[test]
    fn a_standard_port_picks_its_protocol() {
        let t = targets("mail.example.jp", Some(587), None, None);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].protocol, Protocol::Smtp);
        let odd = targets("mail.example.jp", Some(2525), None, None);
        assert_eq!(odd.len(), 3);
        let pinned = targets(
            "mail.example.jp",
            Some(2525),
            Some(Protocol::Smtp),
            Some(Security::Starttls),
        );
        assert_eq!(pinned.len(), 1);
        assert_eq!(pinned[0].security, Some(Security::Starttls));
    }
}
