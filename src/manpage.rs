//! Man pages generated from the clap definitions, so they can never drift from `--help`.
//! `man/` holds the rendered pages; a test fails when they are stale, and
//! `MAILCFG_UPDATE_MAN=1 cargo test manpages` rewrites them.

use clap::CommandFactory;

/// Sections clap does not know about, in roff.
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
detect: a recommended incoming and outgoing setting were found, with trusted certificates where probed. probe: every endpoint answered, with a trusted certificate where TLS was used.
.TP
\fB1\fR
detect: only incoming or only outgoing settings were found, or a recommended server's certificate is not trusted. probe: some endpoints failed, or a certificate is not trusted.
.TP
\fB2\fR
Bad input: a malformed address or host, an unknown flag, an unreadable CA file.
.TP
\fB3\fR
detect: nothing usable was found. probe: no endpoint answered.
.TP
\fB4\fR
mailcfg could not run (for example the system resolver configuration is unreadable, or the output could not be written).
.SH "SECURITY"
mailcfg keeps eight promises, each checked by a named test. (1) detect, probe, lint, export and batch never send a password or any other credential: probes stop after the capabilities, autodiscover is asked without credentials. (2) check sends a password only over verified TLS, never in clear text, never after a failed or stripped STARTTLS, never to an untrusted certificate, never to a host outside the trust rule (the registrable domain, a matched provider, an authenticated source, or a host the user named). (3) An https autoconfig fetch never follows a redirect to plain http; at most 3 redirects are followed; bodies over 1 MiB are not read; XML with a DTD, an entity or an external reference is refused. (4) Nothing is asked above the registrable domain: the Public Suffix List decides (never autoconfig.co.jp or autodiscover.<tld>). (5) Every network step is bounded by \fB\-\-timeout\fR and the whole run by \fB\-\-deadline\fR, however the servers behave. (6) No input makes mailcfg panic: bad input gets one clear line and exit status 2; a panic (a bug) prints one line and exits 4. (7) An output file is complete or not written at all. (8) Control characters and bidi overrides in what servers send (greetings, certificates, XML) are removed before anything is shown. Certificates that fail verification are reported, never silently accepted.
.SH "SEE ALSO"
\fBmailcfg-detect\fR(1), \fBmailcfg-probe\fR(1). The JSON output (schema 1) is described in README.md.
"#;

/// (file name, roff text) for every page.
pub fn pages() -> Vec<(String, String)> {
    let command = crate::cli::Cli::command();
    let mut pages = Vec::new();
    let mut top = Vec::new();
    let man = clap_mangen::Man::new(command.clone()).date("");
    // Rendering into a Vec cannot fail.
    let _ = man.render(&mut top);
    let mut top = String::from_utf8_lossy(&top).into_owned();
    top.push_str(EXIT_STATUS);
    pages.push(("mailcfg.1".to_string(), top));
    for sub in command.get_subcommands() {
        let name = format!("mailcfg-{}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.clone());
        let mut page = Vec::new();
        let _ = clap_mangen::Man::new(sub).date("").render(&mut page);
        let mut page = String::from_utf8_lossy(&page).into_owned();
        page.push_str(EXIT_STATUS);
        pages.push((format!("{name}.1"), page));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn manpages_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
        let update = std::env::var("MAILCFG_UPDATE_MAN").is_ok_and(|v| v == "1");
        for (name, text) in pages() {
            let path = dir.join(&name);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
                continue;
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                on_disk == text,
                "man/{name} is stale: run `MAILCFG_UPDATE_MAN=1 cargo test manpages` and commit man/"
            );
        }
    }
}
