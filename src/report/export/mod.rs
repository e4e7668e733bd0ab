//! `mailcfg export`: files that configure a mail client, each a [`Render`] of the same
//! [`Report`] in its own file (Thunderbird's is `report::thunderbird`, JSON is
//! `report::detect_json`).
//!
//! This module holds what the exports share: which settings an export may use
//! ([`first_usable`]), what each format needs ([`coverage`]), and the words and quoting
//! helpers of the text formats.
//!
//! A file written here configures a client that will then log in by itself, so:
//! - only settings `detect` may recommend are used ([`Setting::recommendable`]: not failed,
//!   not SMTP port 25);
//! - never one without encryption: a client configured from the file would send the
//!   password in clear text (Thunderbird's autoconfig is the exception: Thunderbird warns
//!   before it uses an unencrypted server, so the file may list one);
//! - the password is never in the file: the terminal clients get a command that prints it.
//!
//! [`Render`]: crate::report::render::Render

pub mod aerc;
pub mod apple;
pub mod autodiscover;
pub mod mbsync;
pub mod msmtp;
pub mod neomutt;

use crate::model::{AuthMethod, Direction, Protocol, Security, UsernameForm};
use crate::report::clean;
use crate::report::model::{Report, Setting, Verification};
use crate::report::render::ExportFormat;
use std::path::PathBuf;

/// What an export may vary on besides the report and the render options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportContext {
    /// A CA file given with `--ca-file`: written as the client's trust file option, so the
    /// client trusts the same servers the probe did.
    pub trust_file: Option<PathBuf>,
}

/// The first setting of `settings` a client configured from a file may use: one of
/// `protocols`, recommendable, and encrypted.
pub fn first_usable<'a>(
    report: &'a Report,
    direction: Direction,
    protocols: &[Protocol],
) -> Option<&'a Setting> {
    let settings = match direction {
        Direction::Incoming => &report.incoming,
        Direction::Outgoing => &report.outgoing,
    };
    settings.iter().find(|s| {
        protocols.contains(&s.endpoint.protocol)
            && s.recommendable(report.mode)
            && s.endpoint.security != Security::Plain
    })
}

/// The incoming protocols a format can configure, and whether it sends mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub incoming: &'static [Protocol],
    pub outgoing: bool,
}

/// What each format configures.
pub fn needs(format: ExportFormat) -> Needs {
    const BOTH: &[Protocol] = &[Protocol::Imap, Protocol::Pop3];
    const IMAP: &[Protocol] = &[Protocol::Imap];
    let (incoming, outgoing) = match format {
        ExportFormat::Msmtp => (&[][..], true),
        ExportFormat::Mbsync => (IMAP, false),
        ExportFormat::Aerc => (IMAP, true),
        ExportFormat::Thunderbird
        | ExportFormat::ThunderbirdDomain
        | ExportFormat::Apple
        | ExportFormat::Autodiscover
        | ExportFormat::Json
        | ExportFormat::Html(_)
        | ExportFormat::Neomutt => (BOTH, true),
    };
    Needs { incoming, outgoing }
}

/// How much of what a format configures the report has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Every direction the format configures.
    Complete,
    /// Some: the file is written without the missing directions (it says so inside).
    Partial { missing: Vec<Direction> },
    /// Nothing usable: no file is written.
    Nothing { missing: Vec<Direction> },
}

/// Whether `report` has what `format` needs. Agrees with what the renderers write:
/// Thunderbird lists every publishable setting, JSON the recommendations, the others the
/// first usable setting of each direction ([`first_usable`]).
pub fn coverage(format: ExportFormat, report: &Report) -> Coverage {
    let needs = needs(format);
    let mut wanted = Vec::new();
    if !needs.incoming.is_empty() {
        wanted.push(Direction::Incoming);
    }
    if needs.outgoing {
        wanted.push(Direction::Outgoing);
    }
    let has = |direction: Direction| match format {
        ExportFormat::Thunderbird | ExportFormat::ThunderbirdDomain => {
            crate::report::thunderbird::has_publishable(report, direction)
        }
        ExportFormat::Json | ExportFormat::Html(_) => match direction {
            Direction::Incoming => report.recommended_incoming().is_some(),
            Direction::Outgoing => report.recommended_outgoing().is_some(),
        },
        _ => {
            let protocols = match direction {
                Direction::Incoming => needs.incoming,
                Direction::Outgoing => &[Protocol::Smtp][..],
            };
            first_usable(report, direction, protocols).is_some()
        }
    };
    let missing: Vec<Direction> = wanted.iter().copied().filter(|d| !has(*d)).collect();
    if missing.is_empty() {
        Coverage::Complete
    } else if missing.len() == wanted.len() {
        Coverage::Nothing { missing }
    } else {
        Coverage::Partial { missing }
    }
}

/// Whether a setting an export uses has a certificate the probe did not trust.
pub fn untrusted(setting: Option<&Setting>) -> bool {
    setting.is_some_and(|s| matches!(s.verification, Verification::UntrustedCertificate { .. }))
}

/// The settings a text export writes: the first usable of each direction it needs.
pub(crate) struct Chosen<'a> {
    pub incoming: Option<&'a Setting>,
    pub outgoing: Option<&'a Setting>,
}

pub(crate) fn choose(report: &Report, format: ExportFormat) -> Chosen<'_> {
    let needs = needs(format);
    Chosen {
        incoming: first_usable(report, Direction::Incoming, needs.incoming),
        outgoing: if needs.outgoing {
            first_usable(report, Direction::Outgoing, &[Protocol::Smtp])
        } else {
            None
        },
    }
}

/// What a person types as the user name, or `None` when the provider assigns it.
pub(crate) fn login(report: &Report, setting: &Setting) -> Option<String> {
    match setting.username_form {
        UsernameForm::ProviderAssigned => None,
        _ => setting.username.clone().or_else(|| {
            setting
                .username_form
                .render(&report.local_part, &report.display_domain)
        }),
    }
}

/// The address in ASCII (the domain as an A-label), as it goes into a `From:` line.
pub(crate) fn ascii_address(report: &Report) -> String {
    format!("{}@{}", report.local_part, report.domain)
}

/// A name for the account in a configuration file: the ASCII domain.
pub(crate) fn account_name(report: &Report) -> String {
    report.domain.clone()
}

/// Text that is safe inside any of the configuration languages without quoting tricks:
/// letters and digits (any script), and `. _ @ + - = %`. Anything else (quotes, `$`,
/// backticks, spaces) is refused by the callers rather than escaped, because each client
/// has its own rules and some execute what they find in backticks.
pub(crate) fn is_plain_value(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "._@+-=%".contains(c))
}

/// The placeholder written where the provider assigns the user name.
pub(crate) const ACCOUNT_ID: &str = "ACCOUNT-ID";

/// The user name to write: the login when it is a plain value, else [`ACCOUNT_ID`]
/// (with [`user_name_comment`] saying what to put there).
pub(crate) fn user_value(report: &Report, setting: &Setting) -> String {
    match login(report, setting) {
        Some(name) if is_plain_value(&name) => name,
        _ => ACCOUNT_ID.to_string(),
    }
}

/// A comment line for a user name the file cannot carry, else `None`.
pub(crate) fn user_name_comment(report: &Report, setting: &Setting) -> Option<String> {
    match login(report, setting) {
        Some(name) if is_plain_value(&name) => None,
        Some(_) => Some(format!(
            "Replace {ACCOUNT_ID} with your user name (it has characters this file cannot carry safely)."
        )),
        None => Some(format!(
            "Replace {ACCOUNT_ID} with the user name your provider assigned (an account ID, not the email address)."
        )),
    }
}

/// The password command the text exports write: `pass show mail/<address>`, the
/// password-store convention. The comment above it says to replace it.
pub(crate) fn password_command(report: &Report) -> String {
    let address = ascii_address(report);
    let entry = if is_plain_value(&address) {
        address
    } else {
        "account".to_string()
    };
    format!("pass show mail/{entry}")
}

/// The comment lines every text export starts with, without the comment marker.
pub(crate) fn preamble(report: &Report, client: &str, chosen: &Chosen<'_>) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{client} settings for {} written by mailcfg.",
            clean(&report.email)
        ),
        format!(
            "Replace \"{}\" with a command that prints your password; never write the password itself here.",
            password_command(report)
        ),
    ];
    for setting in [chosen.incoming, chosen.outgoing].into_iter().flatten() {
        if let Some(line) = user_name_comment(report, setting) {
            lines.push(line);
            break;
        }
        if setting.auth.contains(&AuthMethod::AppPassword) {
            lines.push(
                "The provider refuses the account password here: the command must print an app password made for this client.".to_string(),
            );
            break;
        }
    }
    for setting in [chosen.incoming, chosen.outgoing].into_iter().flatten() {
        if oauth_only(setting) {
            lines.push(format!(
                "{} takes only OAuth2 sign-in: the command must print a fresh OAuth2 access token (for example from oama or mutt_oauth2.py).",
                setting.display_host
            ));
        }
        if let Verification::UntrustedCertificate { error, .. } = &setting.verification {
            lines.push(format!(
                "The certificate of {} was not trusted when mailcfg checked it ({}): the client will refuse it too until that is fixed.",
                setting.display_host,
                clean(error)
            ));
        }
        if setting.confirm.is_some() {
            lines.push(format!(
                "Confirm with your provider that {} is their server before you use this file.",
                setting.display_host
            ));
        }
    }
    lines
}

/// The server takes OAuth2 and nothing a password command could serve.
pub(crate) fn oauth_only(setting: &Setting) -> bool {
    setting.auth.contains(&AuthMethod::OAuth2)
        && !setting.auth.iter().any(|a| {
            matches!(
                a,
                AuthMethod::PasswordCleartext
                    | AuthMethod::PasswordEncrypted
                    | AuthMethod::AppPassword
            )
        })
}

/// `text` as comment lines starting with `marker` (`#` for every text format here).
pub(crate) fn comment_lines(out: &mut String, marker: &str, lines: &[String]) {
    for line in lines {
        out.push_str(marker);
        out.push(' ');
        out.push_str(&clean(line));
        out.push('\n');
    }
}

/// The comment for a direction a file leaves out.
pub(crate) fn missing_line(report: &Report, what: &str) -> String {
    format!(
        "No usable {what} was found for {} (none that is encrypted and not known to fail).",
        clean(&report.display_domain)
    )
}

/// Percent-encoding for the user part of a URL (RFC 3986 unreserved characters kept).
pub(crate) fn url_userinfo(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
