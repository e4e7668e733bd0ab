//! Exit codes: part of the contract with scripts. [`Exit::ALL`] and [`Exit::meanings`] are
//! the one table that `--help`, the man pages and README.md are written from (a test keeps
//! README's copy equal).

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Found / all healthy.
    Success = 0,
    /// Partly found / some problems.
    Partial = 1,
    /// Bad input.
    Usage = 2,
    /// Nothing found / nothing answered.
    NotFound = 3,
    /// mailcfg could not run.
    Failure = 4,
    /// check: a server tested the credentials and refused them (wrong user name or
    /// password, app password or OAuth2 required, account or protocol disabled).
    LoginRejected = 5,
    /// check: a login could not be tested (server unreachable, TLS failure, no usable
    /// mechanism, the server said to try later, or no server found for a direction).
    NotTested = 6,
    /// check: the trust rule refused to send the password (a host outside the address's
    /// domain named only over forgeable channels, an untrusted certificate, plain text
    /// without --allow-plaintext).
    RefusedByPolicy = 7,
}

/// Which commands a meaning applies to: one, or every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Command(&'static str),
}

impl Exit {
    /// Every code, in numeric order.
    pub const ALL: &'static [Exit] = &[
        Exit::Success,
        Exit::Partial,
        Exit::Usage,
        Exit::NotFound,
        Exit::Failure,
        Exit::LoginRejected,
        Exit::NotTested,
        Exit::RefusedByPolicy,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    /// What this code means, per command.
    pub fn meanings(self) -> &'static [(Scope, &'static str)] {
        use Scope::{All, Command};
        match self {
            Exit::Success => &[
                (
                    Command("detect"),
                    "a recommended incoming and outgoing setting were found, with trusted certificates where probed",
                ),
                (
                    Command("probe"),
                    "every endpoint answered, with a trusted certificate where TLS was used",
                ),
                (Command("lint"), "no finding, or information only"),
                (Command("completions"), "the script was written"),
                (
                    Command("check"),
                    "every login tested (incoming and outgoing) succeeded",
                ),
                (
                    Command("export"),
                    "the file was written with everything its format configures, with trusted certificates where probed",
                ),
            ],
            Exit::Partial => &[
                (
                    Command("detect"),
                    "only incoming or only outgoing was found, or a recommended server's certificate is not trusted",
                ),
                (
                    Command("probe"),
                    "some endpoints failed, or a certificate is not trusted",
                ),
                (
                    Command("export"),
                    "the file was written without one direction (no incoming or no outgoing server), or with a certificate the probe did not trust",
                ),
                (Command("lint"), "warnings, but no error"),
            ],
            Exit::Usage => &[(
                All,
                "bad input: a malformed address or host, an unknown flag or value, an unreadable input or CA file",
            )],
            Exit::NotFound => &[
                (Command("detect"), "nothing usable was found"),
                (Command("probe"), "no endpoint answered"),
                (
                    Command("check"),
                    "detect found no server at all to log in to",
                ),
                (
                    Command("export"),
                    "nothing the format can use was found: no file was written",
                ),
                (
                    Command("lint"),
                    "at least one error: what the domain publishes is broken",
                ),
            ],
            Exit::Failure => &[(
                All,
                "mailcfg could not run: the resolver configuration is unreadable, or the output could not be written (export -o: a missing, read-only or full directory; nothing is left behind and an existing file is untouched)",
            )],
            Exit::LoginRejected => &[(
                Command("check"),
                "a server refused the login: wrong user name or password, app password or OAuth2 required, account or access disabled",
            )],
            Exit::NotTested => &[(
                Command("check"),
                "a login could not be tested: unreachable, TLS failure, no usable mechanism, try later, or no server found for a direction",
            )],
            Exit::RefusedByPolicy => &[(
                Command("check"),
                "the password was not sent: the host or its certificate is not trusted, or the connection is not encrypted",
            )],
        }
    }

    /// The meanings that concern `command` (`None`: all of them).
    pub fn meanings_for(self, command: Option<&str>) -> Vec<(Scope, &'static str)> {
        self.meanings()
            .iter()
            .copied()
            .filter(|(scope, _)| match (scope, command) {
                (Scope::All, _) | (_, None) => true,
                (Scope::Command(c), Some(wanted)) => *c == wanted,
            })
            .collect()
    }
}

/// The exit codes as `--help` shows them, for `command` or (None) for every command.
pub fn help_text(command: Option<&str>) -> String {
    let mut out = String::from("Exit codes:\n");
    for exit in Exit::ALL {
        for (scope, meaning) in exit.meanings_for(command) {
            let who = match (scope, command) {
                (Scope::Command(c), None) => format!("{c}: "),
                _ => String::new(),
            };
            out.push_str(&format!("  {}  {who}{meaning}\n", exit.code()));
        }
    }
    out.push_str("A closed pipe (mailcfg … | head) is not an error.");
    out
}

/// An error that stops a command before it produces a report.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The user's input is wrong; the message says how.
    #[error("{0}")]
    Usage(String),
    /// Something outside the user's input went wrong.
    #[error("{0}")]
    Failure(String),
    /// The command ran, but found nothing it could produce (export: nothing usable for the
    /// format, so no file was written).
    #[error("{0}")]
    NothingFound(String),
}

impl CommandError {
    pub fn exit(&self) -> Exit {
        match self {
            CommandError::Usage(_) => Exit::Usage,
            CommandError::Failure(_) => Exit::Failure,
            CommandError::NothingFound(_) => Exit::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_order_and_each_has_a_meaning() {
        for (i, exit) in Exit::ALL.iter().enumerate() {
            assert_eq!(usize::from(exit.code()), i);
            assert!(!exit.meanings().is_empty());
        }
    }

    #[test]
    fn a_command_sees_its_own_meanings_and_the_shared_ones() {
        let text = help_text(Some("probe"));
        assert!(text.contains("no endpoint answered"));
        assert!(!text.contains("nothing usable was found"));
        assert!(text.contains("  2  bad input"));
        assert!(help_text(None).contains("  3  detect: nothing usable was found"));
    }
}
