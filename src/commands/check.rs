//! `mailcfg check EMAIL`: validate, get the password (never from argv), choose the servers
//! (detect's recommendations, or those named), log in once on each, render, exit.

use super::common;
use crate::address::{EmailAddress, parse_email, parse_host_port};
use crate::check::outcome::Verdict;
use crate::check::{self, CheckContext, CheckReport, Origin, Planned};
use crate::cli::{CheckArgs, LangArg, SecurityArg};
use crate::detect::{DetectSettings, Engine, detect};
use crate::discover::providers;
use crate::exit::{CommandError, Exit};
use crate::model::{Direction, Endpoint, Lang, Protocol, Security};
use crate::net::http::HttpClient;
use crate::probe::login::{Credentials, Secret};
use crate::report::check_json::CheckJson;
use crate::report::check_text::{CheckText, plaintext_warning};
use crate::report::model::{Mode, Report};
use crate::report::render::{Render, RenderOptions};
use std::io::{IsTerminal, Write};

pub fn run(args: CheckArgs, out: &mut dyn Write) -> Result<Exit, CommandError> {
    // Everything is validated, and the password read, before the first packet leaves.
    let email = parse_email(&args.email).map_err(|e| CommandError::Usage(e.0))?;
    let lang = match args.lang {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => super::detect::lang_from_env(),
    };
    let explicit = explicit_servers(&args)?;
    if let Some(name) = &args.username {
        check_username(name)?;
    }
    let network = common::network(&args.network)?;
    if explicit.is_empty() && args.network.dns_server.is_none() {
        // detect's MX and SRV lookups need the system resolver's configuration.
        network
            .dns
            .check_system_config()
            .map_err(|e| CommandError::Failure(e.to_string()))?;
    }
    let http = HttpClient::new(&network.tls, network.dns.clone(), network.step_timeout)
        .map_err(CommandError::Failure)?;
    let ispdb_url = (!args.no_ispdb).then(|| args.ispdb_url.clone());
    let password = read_password(&args, &email)?;
    if args.allow_plaintext {
        // Loud, on stderr, before anything is sent: never a quiet default.
        eprintln!("{}", plaintext_warning(lang));
    }

    let started = std::time::Instant::now();
    let prober = network.prober();
    let report = super::block_on(async {
        let progress = crate::progress::Progress::spinner(format!("checking {}", email.display()));
        let (origin, provider, planned, missing) = if explicit.is_empty() {
            let detected = run_detect(&email, &network, Some(http), ispdb_url, &progress).await;
            let provider = detected
                .provider
                .as_ref()
                .and_then(|p| providers::by_id(&p.id));
            let (planned, missing) = from_detect(&detected, args.username.as_deref())?;
            (Origin::Detected, provider, planned, missing)
        } else {
            let username = args.username.clone().unwrap_or_else(|| email.ascii());
            let planned = explicit
                .into_iter()
                .map(|endpoint| Planned {
                    endpoint,
                    username: username.clone(),
                    sources: Vec::new(),
                    named_by_user: true,
                })
                .collect();
            let provider = providers::by_domain(&email.domain);
            (Origin::Explicit, provider, planned, Vec::new())
        };
        progress.set_message(format!("logging in to {} server(s)", planned.len()));
        let context = CheckContext {
            domain: &email.domain,
            provider,
            allow_plaintext: args.allow_plaintext,
            step_timeout: network.step_timeout,
        };
        let servers = check::check_all(&prober, &planned, &context, |p| Credentials {
            username: p.username.clone(),
            password: Secret::new(password.expose().to_string()),
        })
        .await;
        progress.finish();
        Ok::<CheckReport, CommandError>(CheckReport {
            email: email.display(),
            domain: email.domain.clone(),
            provider,
            origin,
            allow_plaintext: args.allow_plaintext,
            servers,
            missing,
            elapsed_ms: crate::probe::millis(started.elapsed()),
        })
    })??;
    drop(password);

    let options = RenderOptions::plain(lang);
    let rendered = if args.json {
        CheckJson.render(&report, &options)
    } else {
        CheckText.render(&report, &options)
    };
    super::write_out(out, &rendered)?;
    Ok(exit_for(&report))
}

/// 0 every login succeeded; 5 a server refused the login; 7 the trust rule refused to send
/// the password; 6 a login could not be tested (unreachable, TLS failure, no usable
/// mechanism, try later, or detect found no server for a direction); 3 detect found
/// nothing at all to test.
pub fn exit_for(report: &CheckReport) -> Exit {
    if report.servers.is_empty() {
        return Exit::NotFound;
    }
    match report.verdict() {
        Verdict::LoggedIn => Exit::Success,
        Verdict::LoginRejected => Exit::LoginRejected,
        Verdict::Refused => Exit::RefusedByPolicy,
        Verdict::NotTested => Exit::NotTested,
    }
}

/// The servers named with --imap/--pop3/--smtp, as endpoints (empty: none named).
fn explicit_servers(args: &CheckArgs) -> Result<Vec<Endpoint>, CommandError> {
    let security = args.security.map(|s| match s {
        SecurityArg::Tls => Security::Tls,
        SecurityArg::Starttls => Security::Starttls,
        SecurityArg::Plain => Security::Plain,
    });
    if security == Some(Security::Plain) && !args.allow_plaintext {
        return Err(CommandError::Usage(
            "--security plain sends the password unencrypted; it needs --allow-plaintext \
             (for a lab only)"
                .into(),
        ));
    }
    let named = [
        (Protocol::Imap, &args.imap),
        (Protocol::Pop3, &args.pop3),
        (Protocol::Smtp, &args.smtp),
    ];
    let mut endpoints = Vec::new();
    for (protocol, text) in named {
        let Some(text) = text else { continue };
        let hp = parse_host_port(text).map_err(|e| CommandError::Usage(e.0))?;
        let port = hp.port.unwrap_or(protocol.standard_ports()[0]);
        endpoints.push(Endpoint {
            protocol,
            host: hp.host,
            port,
            security: security.unwrap_or_else(|| match protocol.default_security(port) {
                Security::Tls => Security::Tls,
                _ => Security::Starttls,
            }),
        });
    }
    if args.security.is_some() && endpoints.is_empty() {
        return Err(CommandError::Usage(
            "--security applies to servers named with --imap, --pop3 or --smtp".into(),
        ));
    }
    Ok(endpoints)
}

/// A user name goes into protocol commands: no line breaks or other control characters.
fn check_username(name: &str) -> Result<(), CommandError> {
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(CommandError::Usage(
            "--username must be non-empty and hold no control characters".into(),
        ));
    }
    Ok(())
}

/// The password, from stdin, an environment variable, or a no-echo terminal prompt.
fn read_password(args: &CheckArgs, email: &EmailAddress) -> Result<Secret, CommandError> {
    let text = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| {
            CommandError::Failure(format!("cannot read the password from standard input: {e}"))
        })?;
        let secret = Secret::new(line.trim_end_matches(['\r', '\n']).to_string());
        zeroize::Zeroize::zeroize(&mut line);
        secret
    } else if let Some(var) = &args.password_env {
        match std::env::var(var) {
            Ok(value) => Secret::new(value),
            Err(std::env::VarError::NotPresent) => {
                return Err(CommandError::Usage(format!(
                    "the environment variable {var} (--password-env) is not set"
                )));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(CommandError::Usage(format!(
                    "the environment variable {var} (--password-env) is not valid UTF-8"
                )));
            }
        }
    } else if std::io::stdin().is_terminal() {
        let prompt = format!("Password for {}: ", email.display());
        rpassword::prompt_password(prompt)
            .map(Secret::new)
            .map_err(|e| {
                CommandError::Failure(format!("cannot read the password from the terminal: {e}"))
            })?
    } else {
        return Err(CommandError::Usage(
            "no password: give --password-stdin or --password-env VAR, or run on a terminal \
             to be asked (a password is never taken from the command line)"
                .into(),
        ));
    };
    if text.is_empty() {
        return Err(CommandError::Usage("the password is empty".into()));
    }
    if text
        .expose()
        .chars()
        .any(|c| c == '\r' || c == '\n' || c == '\0')
    {
        return Err(CommandError::Usage(
            "the password holds a line break or NUL, which no mail protocol can carry".into(),
        ));
    }
    Ok(text)
}

/// detect's report, probes included (the check needs a setting that works).
async fn run_detect(
    email: &EmailAddress,
    network: &common::Network,
    http: Option<HttpClient>,
    ispdb_url: Option<String>,
    progress: &crate::progress::Progress,
) -> Report {
    let dns = network.dns.clone();
    let engine = Engine {
        dns,
        http,
        prober: network.prober(),
    };
    let settings = DetectSettings {
        mode: Mode::Full,
        ispdb_url,
        deadline: network.step_timeout * 6,
    };
    detect(email, &settings, &engine, progress).await
}

/// The recommended incoming and outgoing servers of `report`, with the user names to log in
/// with; and the directions without a recommendation.
fn from_detect(
    report: &Report,
    username: Option<&str>,
) -> Result<(Vec<Planned>, Vec<Direction>), CommandError> {
    let mut planned = Vec::new();
    let mut missing = Vec::new();
    for (direction, setting) in [
        (Direction::Incoming, report.recommended_incoming()),
        (Direction::Outgoing, report.recommended_outgoing()),
    ] {
        let Some(setting) = setting else {
            missing.push(direction);
            continue;
        };
        let username = match username
            .map(str::to_string)
            .or_else(|| setting.username.clone())
        {
            Some(name) => name,
            None => {
                return Err(CommandError::Usage(format!(
                    "the provider assigns the user name for {} (it is not the address): give it with --username",
                    setting.display_host
                )));
            }
        };
        planned.push(Planned {
            endpoint: setting.endpoint.clone(),
            username,
            sources: setting.sources.clone(),
            named_by_user: false,
        });
    }
    Ok((planned, missing))
}
