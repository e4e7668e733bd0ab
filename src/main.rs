//! The `mailcfg` binary: parse the command line, run, turn the outcome into an exit code.

use mailcfg::exit::Exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    mailcfg::panic_hook::install();
    mailcfg::install_crypto_provider();
    let cli = match mailcfg::cli::parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // Bad input (exit 2). clap quotes the offending argument as given: cleaned, so
            // an argument cannot put escape sequences on the terminal either.
            let text = e.render().to_string();
            let lines: Vec<String> = text.lines().map(mailcfg::report::clean).collect();
            eprintln!("{}", lines.join("\n").trim_end());
            return ExitCode::from(Exit::Usage.code());
        }
        Err(e) => {
            // --help and --version are successes.
            let _ = e.print();
            return ExitCode::from(0);
        }
    };
    let mut stdout = std::io::stdout().lock();
    match mailcfg::commands::run(cli, &mut stdout) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("mailcfg: {}", mailcfg::report::clean(&e.to_string()));
            ExitCode::from(e.exit().code())
        }
    }
}
