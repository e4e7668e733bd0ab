//! The `mailcfg` binary: parse the command line, run, turn the outcome into an exit code.

use mailcfg::exit::Exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    mailcfg::install_crypto_provider();
    let cli = match mailcfg::cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are successes; everything else is bad input (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Exit::Usage.code()
            } else {
                0
            });
        }
    };
    let mut stdout = std::io::stdout().lock();
    match mailcfg::commands::run(cli, &mut stdout) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("mailcfg: {e}");
            ExitCode::from(e.exit().code())
        }
    }
}
