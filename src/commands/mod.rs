//! One module per subcommand: validate the arguments into settings (before any network
//! use), run the engine, render the report, and derive the exit code from it.

pub mod check;
pub mod common;
pub mod completions;
pub mod detect;
pub mod export;
pub mod lint;
pub mod output;
pub mod probe;

use crate::cli::{Cli, Command};
use crate::exit::{CommandError, Exit};
use std::io::Write;

/// Run a parsed command line, writing the result to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Exit, CommandError> {
    match cli.command {
        Command::Probe(args) => probe::run(args, out),
        Command::Detect(args) => detect::run(args, out),
        Command::Check(args) => check::run(args, out),
        Command::Export(args) => export::run(args, out),
        Command::Lint(args) => lint::run(args, out),
        Command::Completions(args) => completions::run(args, out),
    }
}

/// Run `future` to completion on a fresh runtime.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, CommandError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::Failure(format!("cannot start the async runtime: {e}")))?;
    let output = runtime.block_on(future);
    // Probes that outlived their deadline must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(output)
}

/// How text output may be laid out: wrapped to the terminal's width and coloured only
/// when stdout is a terminal, and never coloured when `NO_COLOR` is set (no-color.org).
pub fn terminal_layout() -> (Option<u16>, bool) {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return (None, false);
    }
    let width = terminal_size::terminal_size().map(|(w, _)| w.0);
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    (width, colour)
}

/// Write the rendered report. A closed pipe (`mailcfg … | head`) is not an error.
pub fn write_out(out: &mut dyn Write, text: &str) -> Result<(), CommandError> {
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CommandError::Failure(
            format!("cannot write the output: {e}"),
        )),
        _ => Ok(()),
    }
}
