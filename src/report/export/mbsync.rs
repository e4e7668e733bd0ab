//! `export --format mbsync`: an mbsync channel (isync 1.4, Debian 12's; `~/.mbsyncrc` or
//! `mbsync -c FILE`) that syncs the IMAP account to a Maildir under `~/Mail/<domain>/`.
//!
//! isync 1.4 spells the TLS choice `SSLType IMAPS` (implicit TLS, 993) or `SSLType STARTTLS`;
//! 1.5 renamed it `TLSType` and still reads `SSLType`, so this file works with both.
//! Certificates are checked (isync always checks; `CertificateFile` adds a `--ca-file` to
//! the system store). The password comes from `PassCmd`. `Far`/`Near` are the 1.4 names.

use super::{ExportContext, account_name, choose, comment_lines, oauth_only};
use crate::model::Security;
use crate::report::model::Report;
use crate::report::render::{ExportFormat, Render, RenderOptions};

/// The mbsync export behind the renderer seam.
pub struct MbsyncConfig {
    pub context: ExportContext,
}

impl Render<Report> for MbsyncConfig {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        let chosen = choose(report, ExportFormat::Mbsync);
        let mut out = String::new();
        let mut preamble = super::preamble(report, "mbsync (isync 1.4; 1.5 reads it too)", &chosen);
        preamble
            .push("Mail is kept in the Maildir under ~/Mail/; create that directory first.".into());
        comment_lines(&mut out, "#", &preamble);
        let Some(imap) = chosen.incoming else {
            comment_lines(&mut out, "#", &[super::missing_line(report, "IMAP server")]);
            return out;
        };
        let account = account_name(report);
        let ssl_type = match imap.endpoint.security {
            Security::Tls => "IMAPS",
            _ => "STARTTLS",
        };
        out.push('\n');
        let mut block = vec![
            ("IMAPAccount", account.clone()),
            ("Host", imap.endpoint.host.clone()),
            ("Port", imap.endpoint.port.to_string()),
            ("User", super::user_value(report, imap)),
            (
                "PassCmd",
                format!("\"{}\"", super::password_command(report)),
            ),
            ("SSLType", ssl_type.to_string()),
        ];
        if let Some(path) = &self.context.trust_file {
            block.push(("CertificateFile", format!("\"{}\"", path.display())));
        }
        if oauth_only(imap) {
            block.push(("AuthMechs", "XOAUTH2".to_string()));
        }
        push_block(&mut out, &block);
        push_block(
            &mut out,
            &[
                ("IMAPStore", format!("{account}-remote")),
                ("Account", account.clone()),
            ],
        );
        push_block(
            &mut out,
            &[
                ("MaildirStore", format!("{account}-local")),
                ("Path", format!("~/Mail/{account}/")),
                ("Inbox", format!("~/Mail/{account}/INBOX")),
                ("SubFolders", "Verbatim".to_string()),
            ],
        );
        push_block(
            &mut out,
            &[
                ("Channel", account.clone()),
                ("Far", format!(":{account}-remote:")),
                ("Near", format!(":{account}-local:")),
                ("Patterns", "*".to_string()),
                ("Create", "Near".to_string()),
                ("SyncState", "*".to_string()),
            ],
        );
        out.pop();
        out
    }
}

fn push_block(out: &mut String, lines: &[(&str, String)]) {
    for (key, value) in lines {
        out.push_str(&format!("{key:<16}{value}\n"));
    }
    out.push('\n');
}
