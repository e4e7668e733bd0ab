//! Bad input gets a clear message and exit code 2, before any network use.

use super::mailcfg;

fn fails_with(args: &[&str], code: i32, needle: &str) {
    let (output, _) = mailcfg(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{args:?}: expected {needle:?} in {stderr}"
    );
    assert!(output.stdout.is_empty(), "{args:?}: nothing on stdout");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_hosts_are_refused() {
    fails_with(&["probe", "imap.example.jp:99999"], 2, "not a port number");
    fails_with(&["probe", "https://imap.example.jp/"], 2, "not a URL");
    fails_with(&["probe", "bad host"], 2, "not a valid host name");
}

#[test]
fn malformed_addresses_are_refused() {
    fails_with(&["detect", "taro.example.jp"], 2, "no \"@\"");
    fails_with(&["detect", "taro@", "--offline"], 2, "nothing after");
}

#[test]
fn unknown_flags_and_values_are_refused() {
    fails_with(
        &["probe", "imap.example.jp", "--frobnicate"],
        2,
        "--frobnicate",
    );
    fails_with(
        &["probe", "imap.example.jp", "--protocol", "nntp"],
        2,
        "nntp",
    );
    fails_with(
        &["probe", "imap.example.jp", "--timeout", "0"],
        2,
        "--timeout",
    );
    fails_with(
        &["probe", "imap.example.jp", "--dns-server", "resolver"],
        2,
        "--dns-server",
    );
}

#[test]
fn an_unreadable_ca_file_is_refused() {
    fails_with(
        &[
            "probe",
            "imap.example.jp",
            "--ca-file",
            "/nonexistent/ca.pem",
        ],
        2,
        "/nonexistent/ca.pem",
    );
}

#[test]
fn options_are_checked_even_offline() {
    fails_with(
        &[
            "detect",
            "taro@gmail.com",
            "--offline",
            "--ca-file",
            "/nonexistent/ca.pem",
        ],
        2,
        "/nonexistent/ca.pem",
    );
    fails_with(
        &[
            "detect",
            "taro@gmail.com",
            "--offline",
            "--dns-server",
            "resolver",
        ],
        2,
        "--dns-server",
    );
    fails_with(
        &["detect", "taro@gmail.com", "--ispdb-url", "ftp://x"],
        2,
        "--ispdb-url",
    );
}

#[test]
fn help_and_version_succeed() {
    let (output, _) = mailcfg(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("detect"));
    let (output, _) = mailcfg(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
}
