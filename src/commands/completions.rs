//! `mailcfg completions SHELL`: a completion script generated from the same definitions as
//! `--help`, so it always knows every subcommand, flag and value.

use crate::cli::CompletionsArgs;
use crate::exit::{CommandError, Exit};
use std::io::Write;

pub fn run(args: CompletionsArgs, out: &mut dyn Write) -> Result<Exit, CommandError> {
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut crate::cli::command(),
        "mailcfg",
        &mut script,
    );
    super::write_out(out, &String::from_utf8_lossy(&script))?;
    Ok(Exit::Success)
}
