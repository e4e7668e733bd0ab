//! `export --format aerc`: one account of aerc's `accounts.conf` (aerc 0.14, Debian 12's,
//! and later) for the best encrypted IMAP setting and SMTP submission.
//!
//! aerc picks TLS by URL scheme: `imaps://`/`smtps://` implicit TLS, `imap://`/`smtp://`
//! STARTTLS (aerc refuses to go on without it; only `+insecure` schemes would, and this
//! file never writes them). Certificates are checked against the system store; aerc has
//! no trust-file option, so a `--ca-file` is named in a comment (`SSL_CERT_FILE`). The
//! passwords come from `source-cred-cmd` and `outgoing-cred-cmd`.

use super::{ExportContext, choose, comment_lines, oauth_only, url_userinfo};
use crate::model::{Protocol, Security};
use crate::report::model::{Report, Setting};
use crate::report::render::{ExportFormat, Render, RenderOptions};

/// The aerc export behind the renderer seam.
pub struct AercConfig {
    pub context: ExportContext,
}

impl Render<Report> for AercConfig {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        let chosen = choose(report, ExportFormat::Aerc);
        let mut out = String::new();
        let mut preamble = super::preamble(report, "aerc 0.14", &chosen);
        preamble.push("Add this account to ~/.config/aerc/accounts.conf (aerc wants that file readable by you alone: chmod 600).".into());
        if let Some(path) = &self.context.trust_file {
            preamble.push(format!(
                "aerc has no trust-file option: to trust {}, start aerc as SSL_CERT_FILE={} aerc.",
                path.display(),
                path.display()
            ));
        }
        comment_lines(&mut out, "#", &preamble);
        if chosen.incoming.is_none() && chosen.outgoing.is_none() {
            comment_lines(&mut out, "#", &[super::missing_line(report, "server")]);
            return out;
        }
        let command = super::password_command(report);
        out.push_str(&format!("\n[{}]\n", super::account_name(report)));
        match chosen.incoming {
            Some(imap) => {
                out.push_str(&format!("source            = {}\n", url(report, imap)));
                out.push_str(&format!("source-cred-cmd   = {command}\n"));
                out.push_str("default           = INBOX\n");
            }
            None => comment_lines(&mut out, "#", &[super::missing_line(report, "IMAP server")]),
        }
        match chosen.outgoing {
            Some(smtp) => {
                out.push_str(&format!("outgoing          = {}\n", url(report, smtp)));
                out.push_str(&format!("outgoing-cred-cmd = {command}\n"));
            }
            None => comment_lines(
                &mut out,
                "#",
                &[super::missing_line(report, "outgoing server (SMTP)")],
            ),
        }
        out.push_str(&format!(
            "from              = <{}>\n",
            super::ascii_address(report)
        ));
        out.push_str("copy-to           = Sent\n");
        out
    }
}

/// `imaps://user@host:993`, with `+oauthbearer` for an OAuth2-only server.
fn url(report: &Report, setting: &Setting) -> String {
    let base = match setting.endpoint.protocol {
        Protocol::Smtp => "smtp",
        _ => "imap",
    };
    let tls = if setting.endpoint.security == Security::Tls {
        "s"
    } else {
        ""
    };
    let auth = if oauth_only(setting) {
        "+oauthbearer"
    } else {
        ""
    };
    format!(
        "{base}{tls}{auth}://{}@{}:{}",
        url_userinfo(&super::user_value(report, setting)),
        setting.endpoint.host,
        setting.endpoint.port
    )
}
