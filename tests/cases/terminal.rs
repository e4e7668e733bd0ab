//! What a person at a terminal gets: colour only on a terminal and never with NO_COLOR, text
//! wrapped to the terminal's width between words, completion scripts that a shell accepts,
//! and README's copy of `--help` equal to the real one. A terminal comes from `script(1)`,
//! which runs the command on a pseudo-terminal of a size `stty` sets.

use super::mailcfg;
use mailcfg::report::text::display_width;
use std::process::Command;

/// Run mailcfg on a pseudo-terminal `columns` wide; `no_color` sets NO_COLOR=1.
fn on_terminal(args: &str, columns: u16, no_color: bool) -> String {
    let binary = env!("CARGO_BIN_EXE_mailcfg");
    let mut command = Command::new("script");
    command
        .arg("-qec")
        .arg(format!("stty rows 40 cols {columns}; {binary} {args}"))
        .arg("/dev/null")
        .env("LANG", "C.UTF-8")
        .env_remove("NO_COLOR");
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command.output().expect("run script(1)");
    String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n")
}

const DOCOMO: &str = "detect taro@docomo.ne.jp --offline";

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let coloured = on_terminal(DOCOMO, 100, false);
    assert!(coloured.contains("\u{1b}[1m== "), "{coloured}");
    let plain = on_terminal(DOCOMO, 100, true);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("== "), "{plain}");
    let (piped, _) = mailcfg(&["detect", "taro@docomo.ne.jp", "--offline"]);
    assert!(!String::from_utf8_lossy(&piped.stdout).contains('\u{1b}'));
}

#[test]
fn notes_wrap_to_the_terminal_width_between_words() {
    for lang in ["en", "ja"] {
        let text = on_terminal(&format!("{DOCOMO} --lang {lang}"), 50, true);
        let mut listed = 0;
        for line in text
            .lines()
            .filter(|l| l.starts_with("• ") || l.starts_with("  "))
        {
            listed += 1;
            // A URL is kept whole even when it is wider than the terminal.
            if !line.contains("https://") {
                assert!(display_width(line) <= 50, "{line:?} in\n{text}");
            }
        }
        assert!(listed > 2, "{text}");
        // English words are never split: every word of the first note survives whole.
        if lang == "en" {
            let joined: Vec<&str> = text.split_whitespace().collect();
            assert!(joined.contains(&"registration"), "{text}");
        }
    }
    // The same text piped is not wrapped: each note is one line.
    let (piped, _) = mailcfg(&["detect", "taro@docomo.ne.jp", "--offline"]);
    let piped = String::from_utf8_lossy(&piped.stdout);
    assert!(
        piped
            .lines()
            .any(|l| l.starts_with("• ") && display_width(l) > 50)
    );
}

#[test]
fn bash_accepts_the_completion_script_and_completes_subcommands() {
    let binary = env!("CARGO_BIN_EXE_mailcfg");
    let script = format!(
        r#"source <({binary} completions bash) && complete -p mailcfg >/dev/null &&
COMP_WORDS=(mailcfg de); COMP_CWORD=1; COMP_LINE="mailcfg de"; COMP_POINT=10;
_mailcfg mailcfg de mailcfg &&
echo "${{COMPREPLY[@]}}""#
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.trim(), "detect");
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (output, _) = mailcfg(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&output.stdout);
        for sub in ["detect", "probe", "completions"] {
            assert!(text.contains(sub), "{shell} script lacks {sub}");
        }
    }
    let (output, _) = mailcfg(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn readme_shows_the_real_help() {
    let output = Command::new(env!("CARGO_BIN_EXE_mailcfg"))
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .expect("run mailcfg --help");
    let help: String = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&format!("$ mailcfg --help\n{help}```")),
        "README.md's help block differs from `mailcfg --help`:\n{help}"
    );
}
