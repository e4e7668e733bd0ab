//! Exit codes: part of the contract with scripts, documented in README.md and the man page.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// detect: a recommended incoming and outgoing setting were found, with trusted
    /// certificates where they were probed.
    /// check: every login tested (incoming and outgoing) succeeded.
    /// probe: every endpoint answered, with a trusted certificate where TLS was used.
    Success = 0,
    /// detect: only incoming or only outgoing settings were found, or a recommended
    /// server's certificate is not trusted.
    /// probe: some endpoints failed, or a certificate is not trusted.
    Partial = 1,
    /// Bad input: a malformed address or host, an unknown flag, an unreadable CA file.
    Usage = 2,
    /// detect: nothing usable was found. probe: no endpoint answered. check: detect found
    /// no server at all to log in to.
    NotFound = 3,
    /// mailcfg could not run (no resolver configuration, output could not be written).
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
}

impl CommandError {
    pub fn exit(&self) -> Exit {
        match self {
            CommandError::Usage(_) => Exit::Usage,
            CommandError::Failure(_) => Exit::Failure,
        }
    }
}
