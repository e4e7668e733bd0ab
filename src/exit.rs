//! Exit codes: part of the contract with scripts, documented in README.md and the man page.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// detect: a recommended incoming and outgoing setting were found, with trusted
    /// certificates where they were probed.
    /// probe: every endpoint answered, with a trusted certificate where TLS was used.
    Success = 0,
    /// detect: only incoming or only outgoing settings were found, or a recommended
    /// server's certificate is not trusted.
    /// probe: some endpoints failed, or a certificate is not trusted.
    Partial = 1,
    /// Bad input: a malformed address or host, an unknown flag, an unreadable CA file.
    Usage = 2,
    /// detect: nothing usable was found. probe: no endpoint answered.
    /// export: nothing the format can use was found, and no file was written.
    NotFound = 3,
    /// mailcfg could not run (no resolver configuration), or could not write its output:
    /// `export -o FILE` to a directory that is missing, not writable or full. Nothing is
    /// left behind then, and an existing FILE is untouched.
    Failure = 4,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
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
