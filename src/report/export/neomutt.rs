//! `export --format neomutt`: NeoMutt settings (20220429, Debian 12's, and later) for the
//! best encrypted IMAP (else POP3) setting and SMTP submission.
//!
//! `ssl_force_tls` makes NeoMutt refuse any unencrypted connection, so an `imap://` or
//! `smtp://` URL means STARTTLS and `imaps://`/`smtps://` implicit TLS; `ssl_verify_host`
//! and `ssl_verify_dates` keep certificate checking on. Passwords come from a command in
//! backticks, which NeoMutt runs when it reads the file. A `--ca-file` becomes
//! `ssl_ca_certificates_file`.
//!
//! Values are written in single quotes, where NeoMutt expands nothing; only the password
//! commands are in double quotes, for their backticks.

use super::{ExportContext, choose, comment_lines, oauth_only, url_userinfo};
use crate::model::{Protocol, Security};
use crate::report::model::{Report, Setting};
use crate::report::render::{ExportFormat, Render, RenderOptions};

/// The NeoMutt export behind the renderer seam.
pub struct NeomuttConfig {
    pub context: ExportContext,
}

impl Render<Report> for NeomuttConfig {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        let chosen = choose(report, ExportFormat::Neomutt);
        let mut out = String::new();
        let mut preamble = super::preamble(report, "NeoMutt", &chosen);
        preamble.push(
            "Use with: neomutt -F FILE, or add these lines to ~/.config/neomutt/neomuttrc.".into(),
        );
        comment_lines(&mut out, "#", &preamble);
        if chosen.incoming.is_none() && chosen.outgoing.is_none() {
            comment_lines(&mut out, "#", &[super::missing_line(report, "server")]);
            return out;
        }
        let password = format!("\"`{}`\"", super::password_command(report));
        out.push('\n');
        set(&mut out, "from", &quote(&super::ascii_address(report)));
        set(&mut out, "ssl_force_tls", "yes");
        set(&mut out, "ssl_starttls", "yes");
        set(&mut out, "ssl_verify_host", "yes");
        set(&mut out, "ssl_verify_dates", "yes");
        if let Some(path) = &self.context.trust_file {
            set(
                &mut out,
                "ssl_ca_certificates_file",
                &quote(&path.display().to_string()),
            );
        }
        match chosen.incoming {
            Some(incoming) => {
                let scheme = scheme(incoming);
                let url = format!(
                    "{scheme}://{}:{}/",
                    incoming.endpoint.host, incoming.endpoint.port
                );
                let user = super::user_value(report, incoming);
                out.push('\n');
                if incoming.endpoint.protocol == Protocol::Imap {
                    set(&mut out, "imap_user", &quote(&user));
                    set(&mut out, "imap_pass", &password);
                    if oauth_only(incoming) {
                        set(&mut out, "imap_authenticators", "'oauthbearer:xoauth2'");
                    }
                    set(&mut out, "folder", &quote(&url));
                    set(&mut out, "spoolfile", "'+INBOX'");
                } else {
                    set(&mut out, "pop_user", &quote(&user));
                    set(&mut out, "pop_pass", &password);
                    set(&mut out, "pop_host", &quote(&url));
                    set(&mut out, "spoolfile", &quote(&url));
                }
            }
            None => comment_lines(
                &mut out,
                "#",
                &[super::missing_line(
                    report,
                    "incoming server (IMAP or POP3)",
                )],
            ),
        }
        match chosen.outgoing {
            Some(smtp) => {
                let user = url_userinfo(&super::user_value(report, smtp));
                out.push('\n');
                set(
                    &mut out,
                    "smtp_url",
                    &quote(&format!(
                        "{}://{user}@{}:{}/",
                        scheme(smtp),
                        smtp.endpoint.host,
                        smtp.endpoint.port
                    )),
                );
                set(&mut out, "smtp_pass", &password);
                if oauth_only(smtp) {
                    set(&mut out, "smtp_authenticators", "'oauthbearer:xoauth2'");
                }
            }
            None => comment_lines(
                &mut out,
                "#",
                &[super::missing_line(report, "outgoing server (SMTP)")],
            ),
        }
        out
    }
}

/// The URL scheme: implicit TLS gets the `s`; STARTTLS is the plain scheme, made
/// mandatory by `ssl_force_tls`.
fn scheme(setting: &Setting) -> String {
    let base = match setting.endpoint.protocol {
        Protocol::Imap => "imap",
        Protocol::Pop3 => "pop",
        Protocol::Smtp => "smtp",
    };
    match setting.endpoint.security {
        Security::Tls => format!("{base}s"),
        _ => base.to_string(),
    }
}

fn set(out: &mut String, name: &str, value: &str) {
    out.push_str(&format!("set {name} = {value}\n"));
}

/// A NeoMutt value in single quotes (nothing inside is expanded). A value with a single
/// quote cannot be written so; it never reaches here from the plain values, and a path
/// with one is dropped to an empty string the user will notice.
fn quote(text: &str) -> String {
    if text.contains('\'') {
        return "''".to_string();
    }
    format!("'{text}'")
}
