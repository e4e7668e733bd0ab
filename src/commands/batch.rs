//! `mailcfg batch [FILE|-]`: `detect` for every address or domain of a list, as JSON
//! Lines (see `batch::output` for a line's shape and README.md for recipes).

use super::common;
use crate::batch::resume::{self, Answered};
use crate::batch::shard::Shard;
use crate::batch::{self, Lookup, Plan, Summary};
use crate::cli::BatchArgs;
use crate::detect::{DetectSettings, Engine};
use crate::dns_cache;
use crate::exit::{CommandError, Exit};
use crate::net::http::HttpClient;
use crate::probe::host_limit::HostLimit;
use crate::progress::Progress;
use crate::report::model::Mode;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The most inputs looked up at once, and the most connections to one server.
const MAX_JOBS: usize = 1024;

/// Probes running at once across all inputs, per job: a detect probes about eight ports.
const PROBES_PER_JOB: usize = 8;

pub fn run(args: BatchArgs, out: &mut dyn std::io::Write) -> Result<Exit, CommandError> {
    let jobs = count("--jobs", args.jobs)?;
    let per_host = count("--per-host", args.per_host)?;
    let shard = match &args.shard {
        Some(text) => Some(text.parse::<Shard>().map_err(CommandError::Usage)?),
        None => None,
    };
    let settings = detect_settings(&args)?;
    // Checked even offline: a wrong option is an error whether or not it is used.
    let network = common::network(&args.network)?;
    let input = input_path(args.input.as_deref());
    let reader = open(input.as_deref())?;
    let answered = match &args.resume {
        Some(path) => load_resume(path)?,
        None => Answered::none(),
    };
    let lookup = if settings.mode == Mode::Offline {
        Lookup::Offline
    } else {
        if args.network.dns_server.is_none() {
            network
                .dns
                .check_system_config()
                .map_err(|e| CommandError::Failure(e.to_string()))?;
        }
        Lookup::Online(engine(network, jobs, per_host)?, settings)
    };
    let progress = Progress::counter(progress_total(input.as_deref(), shard, &answered));
    let plan = Plan {
        jobs,
        shard,
        answered,
    };
    let summary = super::block_on(async {
        let summary = batch::run(reader, Arc::new(lookup), plan, &progress, out).await;
        progress.finish();
        summary
    })??;
    Ok(exit_for(&summary))
}

/// 0 when every line written is ok (or there was nothing to do), 1 when some are not.
pub fn exit_for(summary: &Summary) -> Exit {
    if summary.failed == 0 {
        Exit::Success
    } else {
        Exit::Partial
    }
}

fn count(flag: &str, n: usize) -> Result<usize, CommandError> {
    if (1..=MAX_JOBS).contains(&n) {
        Ok(n)
    } else {
        Err(CommandError::Usage(format!(
            "{flag} must be between 1 and {MAX_JOBS}, not {n}"
        )))
    }
}

fn detect_settings(args: &BatchArgs) -> Result<DetectSettings, CommandError> {
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
        Some(super::detect::check_url("--ispdb-url", &args.ispdb_url)?)
    };
    let step_timeout = common::seconds("--timeout", args.network.timeout)?;
    let deadline = match args.deadline {
        Some(secs) => common::seconds("--deadline", secs)?,
        None => step_timeout * 6,
    };
    Ok(DetectSettings {
        mode,
        ispdb_url,
        deadline,
    })
}

/// One engine for every input: a DNS cache in front of the resolver, and a per-server
/// limit around the probes.
fn engine(network: common::Network, jobs: usize, per_host: usize) -> Result<Engine, CommandError> {
    let dns = match Arc::try_unwrap(network.dns) {
        Ok(dns) => Arc::new(dns.with_cache(dns_cache::DEFAULT_CAPACITY)),
        Err(_) => return Err(CommandError::Failure("the resolver is shared".into())),
    };
    let network = common::Network { dns, ..network };
    let options = crate::probe::ProbeOptions {
        step_timeout: network.step_timeout,
        concurrency: (jobs * PROBES_PER_JOB).max(32),
        ..crate::probe::ProbeOptions::default()
    };
    let prober = crate::probe::Prober::new(network.dns.clone(), network.tls.clone(), options)
        .with_host_limit(Arc::new(HostLimit::new(per_host)));
    let http = HttpClient::new(&network.tls, network.dns.clone(), network.step_timeout)
        .map_err(CommandError::Failure)?;
    Ok(Engine {
        dns: network.dns,
        http: Some(http),
        prober,
    })
}

/// None for standard input.
fn input_path(arg: Option<&Path>) -> Option<PathBuf> {
    arg.filter(|p| p.as_os_str() != "-").map(Path::to_path_buf)
}

fn open(path: Option<&Path>) -> Result<Box<dyn BufRead + Send>, CommandError> {
    match path {
        None => Ok(Box::new(BufReader::new(std::io::stdin()))),
        Some(path) => std::fs::File::open(path)
            .map(|f| Box::new(BufReader::new(f)) as Box<dyn BufRead + Send>)
            .map_err(|e| CommandError::Usage(format!("cannot read {}: {e}", path.display()))),
    }
}

fn load_resume(path: &Path) -> Result<Answered, CommandError> {
    let unreadable =
        |e: std::io::Error| CommandError::Usage(format!("cannot read {}: {e}", path.display()));
    let answered = Answered::load(path).map_err(unreadable)?;
    if resume::cut_partial_line_if_stdout(path, &answered).map_err(unreadable)? {
        eprintln!(
            "mailcfg: removed the unfinished last line of {} before appending to it",
            path.display()
        );
    }
    Ok(answered)
}

/// How many lines this run will write, for the progress bar: counted in a first pass over
/// a regular file, only when the bar is shown at all; unknown for a pipe.
fn progress_total(path: Option<&Path>, shard: Option<Shard>, answered: &Answered) -> Option<u64> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let file = std::fs::File::open(path?).ok()?;
    let mut total = 0;
    for entry in batch::input::Entries::new(BufReader::new(file)) {
        let entry = entry.ok()?;
        let mine = shard.is_none_or(|s| s.takes(&entry.input));
        let done = answered.check(entry.line, &entry.input) == resume::Previously::Answered;
        total += u64::from(mine && !done);
    }
    Some(total)
}
