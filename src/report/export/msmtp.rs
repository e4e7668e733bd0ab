//! `export --format msmtp`: one msmtp account (msmtp 1.8, `~/.msmtprc` or `msmtp -C FILE`)
//! for the best encrypted SMTP submission setting.
//!
//! TLS is on with certificate checking on; port 465 is implicit TLS (`tls_starttls off`),
//! 587 STARTTLS. The password comes from `passwordeval`. A `--ca-file` becomes
//! `tls_trust_file`; without one msmtp uses the system's trust store.

use super::{ExportContext, account_name, ascii_address, choose, comment_lines, oauth_only};
use crate::model::Security;
use crate::report::model::Report;
use crate::report::render::{ExportFormat, Render, RenderOptions};

/// The msmtp export behind the renderer seam.
pub struct MsmtpConfig {
    pub context: ExportContext,
}

impl Render<Report> for MsmtpConfig {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        let chosen = choose(report, ExportFormat::Msmtp);
        let mut out = String::new();
        comment_lines(
            &mut out,
            "#",
            &super::preamble(report, "msmtp 1.8", &chosen),
        );
        let Some(smtp) = chosen.outgoing else {
            comment_lines(
                &mut out,
                "#",
                &[super::missing_line(report, "outgoing server (SMTP)")],
            );
            return out;
        };
        let account = account_name(report);
        let mut lines: Vec<(&str, String)> = vec![
            ("account", account.clone()),
            ("host", smtp.endpoint.host.clone()),
            ("port", smtp.endpoint.port.to_string()),
            ("tls", "on".into()),
            (
                "tls_starttls",
                if smtp.endpoint.security == Security::Starttls {
                    "on"
                } else {
                    "off"
                }
                .into(),
            ),
            ("tls_certcheck", "on".into()),
        ];
        if let Some(path) = &self.context.trust_file {
            lines.push(("tls_trust_file", quote(&path.display().to_string())));
        }
        let auth = if oauth_only(smtp) { "xoauth2" } else { "on" };
        lines.extend([
            ("auth", auth.into()),
            ("user", super::user_value(report, smtp)),
            ("passwordeval", quote(&super::password_command(report))),
            ("from", ascii_address(report)),
        ]);
        out.push('\n');
        for (key, value) in lines {
            out.push_str(&format!("{key:<15}{value}\n"));
        }
        out.push_str(&format!("\naccount default : {account}\n"));
        out
    }
}

/// An msmtp argument in double quotes (`\"` and `\\` escaped, as msmtp reads them).
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
