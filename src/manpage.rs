//! Man pages generated from the clap definitions, so they can never drift from `--help`.
//! `man/` holds the rendered pages; a test fails when they are stale, and
//! `MAILCFG_UPDATE_MAN=1 cargo test manpages` rewrites them.

use crate::exit::{Exit, Scope};

/// The SECURITY section, in roff.
const SECURITY: &str = r#".SH "SECURITY"
mailcfg keeps eight promises, each checked by a named test. (1) detect, probe, lint, export and batch never send a password or any other credential: probes stop after the capabilities, autodiscover is asked without credentials. (2) check sends a password only over verified TLS, never in clear text, never after a failed or stripped STARTTLS, never to an untrusted certificate, never to a host outside the trust rule (the registrable domain, a matched provider, an authenticated source, or a host the user named). (3) An https autoconfig fetch never follows a redirect to plain http; at most 3 redirects are followed; bodies over 1 MiB are not read; XML with a DTD, an entity or an external reference is refused. (4) Nothing is asked above the registrable domain: the Public Suffix List decides (never autoconfig.co.jp or autodiscover.<tld>). (5) Every network step is bounded by \fB\-\-timeout\fR and the whole run by \fB\-\-deadline\fR, however the servers behave. (6) No input makes mailcfg panic: bad input gets one clear line and exit status 2; a panic (a bug) prints one line and exits 4. (7) An output file is complete or not written at all. (8) Control characters and bidi overrides in what servers send (greetings, certificates, XML) are removed before anything is shown. Certificates that fail verification are reported, never silently accepted.
"#;

/// (what it does, the command line) for each page; the top page shows a few of each.
fn examples(command: Option<&str>) -> &'static [(&'static str, &'static str)] {
    match command {
        Some("detect") => &[
            (
                "Find, verify and rank the settings; a table for people.",
                "mailcfg detect taro@example.jp",
            ),
            (
                "The same as one JSON document for scripts.",
                "mailcfg detect taro@example.jp --json",
            ),
            (
                "The built-in provider table only, in Japanese, with no network at all.",
                "mailcfg detect taro@docomo.ne.jp --offline --lang ja",
            ),
            (
                "Every source consulted, the timings and the probe matrix.",
                "mailcfg detect taro@example.jp --explain",
            ),
            (
                "A Thunderbird autoconfig file.",
                "mailcfg detect taro@example.jp --format thunderbird > config-v1.1.xml",
            ),
        ],
        Some("probe") => &[
            (
                "Every standard port of every protocol.",
                "mailcfg probe imap.example.jp",
            ),
            (
                "One port, as JSON; STARTTLS is tried when offered.",
                "mailcfg probe imap.example.jp:143 --json",
            ),
            (
                "SMTP only, trusting a corporate CA too.",
                "mailcfg probe mail.example.jp --protocol smtp --ca-file corp-ca.pem",
            ),
        ],
        Some("lint") => &[
            (
                "What a domain publishes for mail clients, checked; exit 3 on an error (for CI).",
                "mailcfg lint example.jp",
            ),
            (
                "The same as one JSON document for scripts.",
                "mailcfg lint example.jp --json",
            ),
            (
                "In Japanese, with a test CA and DNS server.",
                "mailcfg lint example.jp --lang ja --ca-file ca.pem --dns-server 192.0.2.53",
            ),
        ],
        Some("batch") => &[
            (
                "Audit a list of addresses and domains; show the lines that are not ok.",
                "mailcfg batch customers.txt > audit.jsonl && jq -c 'select(.ok | not)' audit.jsonl",
            ),
            (
                "Continue a killed run: skip what the output already answers, append the rest.",
                "mailcfg batch customers.txt --resume audit.jsonl >> audit.jsonl",
            ),
            (
                "The second of four slices (e.g. on the second of four machines).",
                "mailcfg batch customers.txt --shard 2/4 > shard-2.jsonl",
            ),
        ],
        Some("completions") => &[
            (
                "Bash, for the current user.",
                "mailcfg completions bash > ~/.local/share/bash-completion/completions/mailcfg",
            ),
            (
                "Zsh, into a directory on $fpath.",
                "mailcfg completions zsh > ~/.zfunc/_mailcfg",
            ),
            (
                "Fish.",
                "mailcfg completions fish > ~/.config/fish/completions/mailcfg.fish",
            ),
        ],
        Some(_) => &[],
        None => &[
            (
                "Settings for an address, verified.",
                "mailcfg detect taro@example.jp",
            ),
            (
                "What a server really offers.",
                "mailcfg probe imap.example.jp",
            ),
            (
                "The offline provider table, in Japanese.",
                "mailcfg detect taro@docomo.ne.jp --offline --lang ja",
            ),
        ],
    }
}

/// Escape text for roff: backslashes, and a leading dot or quote that would be a request.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with('.') || text.starts_with('\'') {
        format!("\\&{text}")
    } else {
        text
    }
}

fn examples_section(command: Option<&str>) -> String {
    let examples = examples(command);
    if examples.is_empty() {
        return String::new();
    }
    let mut out = String::from(".SH EXAMPLES\n");
    for (what, line) in examples {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(line), roff(what)));
    }
    out
}

fn exit_status_section(command: Option<&str>) -> String {
    let mut out = String::from(".SH \"EXIT STATUS\"\n");
    for exit in Exit::ALL {
        let meanings = exit.meanings_for(command);
        if meanings.is_empty() {
            continue;
        }
        let text: Vec<String> = meanings
            .iter()
            .map(|(scope, meaning)| match (scope, command) {
                (Scope::Command(c), None) => format!("{c}: {meaning}."),
                _ => format!("{meaning}."),
            })
            .collect();
        out.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            exit.code(),
            roff(&text.join(" "))
        ));
    }
    out.push_str(".PP\nA closed pipe (mailcfg … | head) is not an error.\n");
    out
}

/// A JSON section for a command with a `--json` flag (and on the top page).
fn json_section(command: &clap::Command, top: bool) -> String {
    let has_json = command.get_arguments().any(|a| a.get_id() == "json");
    if !top && !has_json {
        return String::new();
    }
    ".SH JSON\nWith \\fB\\-\\-json\\fR the command prints one JSON document (one JSON object per line for batch) with \\fBschema\\fR 1 and a \\fBcommand\\fR field naming the subcommand. Fields are only ever added within a schema version; a script must ignore fields it does not know. The fields are described in README.md, section \"JSON output\".\n".to_string()
}

fn see_also(names: &[String], this: &str) -> String {
    let others: Vec<String> = names
        .iter()
        .filter(|n| n.as_str() != this)
        .map(|n| format!("\\fB{n}\\fR(1)"))
        .collect();
    format!(
        ".SH \"SEE ALSO\"\n{}. README.md describes the JSON output and the diagnoses.\n",
        others.join(", ")
    )
}

fn render(command: clap::Command) -> String {
    let mut page = Vec::new();
    // Rendering into a Vec cannot fail.
    // The exit codes get their own section: not also the help's copy of them.
    let command = command.after_help(None::<&str>);
    let _ = clap_mangen::Man::new(command).date("").render(&mut page);
    String::from_utf8_lossy(&page).into_owned()
}

/// README.md's exit-code table, from the same table as the man pages.
pub fn readme_exit_codes() -> String {
    let mut out = String::from("| code | command | meaning |\n| --- | --- | --- |\n");
    for exit in Exit::ALL {
        for (scope, meaning) in exit.meanings() {
            let who = match scope {
                Scope::All => "all".to_string(),
                Scope::Command(c) => format!("`{c}`"),
            };
            out.push_str(&format!("| {} | {who} | {meaning} |\n", exit.code()));
        }
    }
    out
}

/// README.md's copy of `mailcfg --help`, at the 100 columns the help is capped to.
pub fn readme_help() -> String {
    let help = crate::cli::command().term_width(100).render_help();
    let text: String = help
        .to_string()
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    format!("```text\n$ mailcfg --help\n{text}```\n")
}

/// (file name, roff text) for every page.
pub fn pages() -> Vec<(String, String)> {
    let command = crate::cli::command();
    let mut names = vec!["mailcfg".to_string()];
    names.extend(
        command
            .get_subcommands()
            .map(|s| format!("mailcfg-{}", s.get_name())),
    );
    let mut top = render(command.clone());
    top.push_str(&examples_section(None));
    top.push_str(&exit_status_section(None));
    top.push_str(&json_section(&command, true));
    top.push_str(SECURITY);
    top.push_str(&see_also(&names, "mailcfg"));
    let mut pages = vec![("mailcfg.1".to_string(), top)];
    for sub in command.get_subcommands() {
        let name = format!("mailcfg-{}", sub.get_name());
        let mut page = render(
            sub.clone()
                .display_name(name.clone())
                .bin_name(name.clone()),
        );
        page.push_str(&examples_section(Some(sub.get_name())));
        page.push_str(&exit_status_section(Some(sub.get_name())));
        page.push_str(&json_section(sub, false));
        page.push_str(SECURITY);
        page.push_str(&see_also(&names, &name));
        pages.push((format!("{name}.1"), page));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// README.md's generated blocks (between `<!-- generated:NAME -->` and
    /// `<!-- end:NAME -->`) equal what the code says; `MAILCFG_UPDATE_MAN=1` rewrites them.
    #[test]
    fn readme_blocks_are_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let mut updated = readme.clone();
        for (name, text) in [("exit-codes", readme_exit_codes()), ("help", readme_help())] {
            let start = format!("<!-- generated:{name} -->\n");
            let end = format!("<!-- end:{name} -->");
            let from = updated.find(&start).expect("README has the start marker") + start.len();
            let to = updated[from..]
                .find(&end)
                .expect("README has the end marker")
                + from;
            updated.replace_range(from..to, &text);
        }
        if std::env::var("MAILCFG_UPDATE_MAN").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &updated).unwrap();
            return;
        }
        assert!(
            updated == readme,
            "README.md's generated blocks are stale: run `MAILCFG_UPDATE_MAN=1 cargo test --lib manpages readme` and commit README.md"
        );
    }

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
