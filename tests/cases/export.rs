//! `mailcfg export` end to end, with the real client programs: the exported msmtp file makes
//! msmtp send a message through Postfix into the Dovecot mailbox, the exported mbsync file
//! makes mbsync sync that mailbox to a local Maildir, and the exported NeoMutt file makes
//! NeoMutt read it (on a pseudo-terminal) and send with it (batch mode).
//!
//! The clients resolve names with the system resolver, so each runs in a private mount
//! namespace whose /etc/resolv.conf names the test's dnsmasq. The password command the
//! export writes (`pass show mail/<address>`) is replaced, as its comment tells a person to,
//! by one that prints the test password from a file. The harness CA reaches each client as
//! its trust file because it is passed to `export --ca-file`.

use super::mailcfg;
use crate::support::mail::{deliver, messages_containing};
use crate::support::{
    self, Dns, DnsRecords, Dovecot, DovecotConfig, LmtpDelivery, Postfix, PostfixConfig, TestCa,
    Validity, wait_until,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const DOMAIN: &str = "exp.test";
const HOST: &str = "mail.exp.test";
const ADDRESS: &str = "alice@exp.test";
const PASSWORD: &str = "s3cret-pass-for-alice";

/// Dovecot (IMAP, LMTP) and Postfix (submission with SASL through Dovecot, delivery to
/// Dovecot over LMTP) for exp.test, dnsmasq with its SRV records, and a work directory.
struct World {
    ca: TestCa,
    dns: Dns,
    dovecot: Dovecot,
    postfix: Postfix,
    dir: tempfile::TempDir,
}

impl World {
    fn start() -> World {
        World::start_with(true)
    }

    /// `implicit_tls_submission: false` leaves out the `_submissions` (465) SRV record, so
    /// detect finds submission on 587 with STARTTLS only.
    fn start_with(implicit_tls_submission: bool) -> World {
        support::require_netns();
        let ca = TestCa::temp();
        let ip = support::next_ip();
        let cert = ca.issue(&[HOST], Validity::Current);
        let dovecot = Dovecot::start(DovecotConfig {
            auth_socket: true,
            lmtp: true,
            users: vec![(ADDRESS.into(), PASSWORD.into())],
            ..DovecotConfig::new(ip, cert.clone())
        });
        let postfix = Postfix::start(PostfixConfig {
            hostname: HOST.into(),
            deliver_to_dovecot: Some(LmtpDelivery {
                domain: DOMAIN.into(),
                socket: dovecot.lmtp_socket(),
            }),
            ..PostfixConfig::new(ip, cert, dovecot.auth_socket())
        });
        let mut records = DnsRecords::new()
            .a(HOST, ip)
            .mx(DOMAIN, HOST, 10)
            .srv("_imaps._tcp.exp.test", HOST, 993, 0, 1)
            .srv("_submission._tcp.exp.test", HOST, 587, 0, 1);
        records = if implicit_tls_submission {
            records.srv("_submissions._tcp.exp.test", HOST, 465, 0, 1)
        } else {
            records.srv_none("_submissions._tcp.exp.test")
        };
        let dns = Dns::start(support::next_ip(), 53, records);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("resolv.conf"),
            format!("nameserver {}\n", dns.addr().ip()),
        )
        .unwrap();
        std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n")).unwrap();
        // As the mbsync export's comment asks.
        std::fs::create_dir_all(dir.path().join(format!("home/Mail/{DOMAIN}"))).unwrap();
        World {
            ca,
            dns,
            dovecot,
            postfix,
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `mailcfg export ADDRESS --format FORMAT -o FILE` with the test DNS and CA; checks
    /// it succeeded and returns the file's text with the password command replaced.
    fn export(&self, format: &str) -> PathBuf {
        let file = self.path(&format!("{format}.conf"));
        let dns = self.dns.addr().to_string();
        let ca = self.ca.ca_pem().display().to_string();
        let out = file.display().to_string();
        let (output, _) = mailcfg(&[
            "export",
            ADDRESS,
            "--format",
            format,
            "--dns-server",
            &dns,
            "--ca-file",
            &ca,
            "--no-ispdb",
            "--timeout",
            "3",
            "-o",
            &out,
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(output.stdout.is_empty(), "with -o nothing goes to stdout");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains(PASSWORD),
            "the password is never in the file"
        );
        assert!(
            text.contains(&ca),
            "the CA file is the client's trust file:\n{text}"
        );
        let command = format!("pass show mail/{ADDRESS}");
        assert!(
            text.contains(&format!(
                "# Replace \"{command}\" with a command that prints your password"
            )),
            "{text}"
        );
        let replaced = text.replace(
            &command,
            &format!("cat {}", self.path("password").display()),
        );
        std::fs::write(&file, replaced).unwrap();
        if std::env::var("MAILCFG_TEST_SHOW").is_ok_and(|v| v == "1") {
            eprintln!("--- {format} export ---\n{text}");
        }
        file
    }

    /// Runs `program args…` in a private mount namespace whose /etc/resolv.conf names the
    /// test DNS server, with HOME in the work directory; `wrap` runs it under `script` (a
    /// pseudo-terminal, for NeoMutt's screen).
    fn client(&self, program: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
        self.client_with(program, args, stdin, false)
    }

    /// As [`World::client`]; `hold_stdin` keeps standard input open (no EOF) until the
    /// program ends, for `script`, which would pass an EOF on to the terminal.
    fn client_with(
        &self,
        program: &str,
        args: &[&str],
        stdin: Option<&[u8]>,
        hold_stdin: bool,
    ) -> Output {
        let mut command = Command::new(support::bin("unshare"));
        command
            .args([
                "--mount",
                "sh",
                "-c",
                "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"",
            ])
            .arg(self.path("resolv.conf"))
            .arg(support::bin(program))
            .args(args)
            .env("HOME", self.path("home"))
            .env("TERM", "xterm")
            .env_remove("LANG")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("run {program}: {e}"));
        let held = if hold_stdin { child.stdin.take() } else { None };
        if let Some(bytes) = stdin {
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            input.write_all(bytes).unwrap();
        }
        let output = wait_output(child, Duration::from_secs(60), program);
        drop(held);
        if std::env::var("MAILCFG_TEST_SHOW").is_ok_and(|v| v == "1") {
            eprintln!(
                "$ {program} {}  # exit {:?}\n{}{}",
                args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        output
    }

    fn inbox(&self) -> PathBuf {
        self.dovecot.maildir(ADDRESS)
    }

    fn wait_for_delivery(&self, subject: &str) -> PathBuf {
        wait_until(
            &format!("{subject} in Dovecot's Maildir"),
            Duration::from_secs(30),
            || {
                messages_containing(&self.inbox(), subject)
                    .into_iter()
                    .next()
            },
        )
    }

    fn logs(&self) -> String {
        format!(
            "--- postfix ---\n{}\n--- dovecot ---\n{}",
            self.postfix.log(),
            self.dovecot.log()
        )
    }
}

/// Waits for a child up to `limit`, killing it (and failing) after that.
fn wait_output(mut child: std::process::Child, limit: Duration, what: &str) -> Output {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "{what} did not finish in {limit:?}\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_ran(output: &Output, what: &str, world: &World) {
    assert!(
        output.status.success(),
        "{what} failed ({:?})\n{}{}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        world.logs()
    );
}

#[test]
fn msmtp_sends_through_postfix_into_the_dovecot_mailbox_with_the_exported_file() {
    let world = World::start();
    let rc = world.export("msmtp");
    let text = std::fs::read_to_string(&rc).unwrap();
    assert!(
        text.contains("port           465\n") && text.contains("tls_starttls   off\n"),
        "{text}"
    );
    let rc_arg = rc.display().to_string();
    let message = format!(
        "From: <{ADDRESS}>\nTo: <{ADDRESS}>\nSubject: sent-by-msmtp-export\n\nHello from msmtp.\n"
    );
    let output = world.client("msmtp", &["-C", &rc_arg, ADDRESS], Some(message.as_bytes()));
    assert_ran(&output, "msmtp", &world);
    let file = world.wait_for_delivery("sent-by-msmtp-export");
    let stored = std::fs::read_to_string(file).unwrap();
    assert!(stored.contains("Hello from msmtp."), "{stored}");
    // Postfix took it from an authenticated client over TLS.
    let log = world.postfix.log();
    assert!(log.contains(&format!("sasl_username={ADDRESS}")), "{log}");
}

/// Submission on 587 only: the export says STARTTLS, and msmtp sends with it.
#[test]
fn msmtp_sends_over_starttls_when_only_587_is_offered() {
    let world = World::start_with(false);
    let rc = world.export("msmtp");
    let text = std::fs::read_to_string(&rc).unwrap();
    assert!(
        text.contains("port           587\n") && text.contains("tls_starttls   on\n"),
        "{text}"
    );
    let rc_arg = rc.display().to_string();
    let message = format!(
        "From: <{ADDRESS}>\nTo: <{ADDRESS}>\nSubject: sent-by-msmtp-starttls\n\nOver STARTTLS.\n"
    );
    let output = world.client("msmtp", &["-C", &rc_arg, ADDRESS], Some(message.as_bytes()));
    assert_ran(&output, "msmtp", &world);
    let file = world.wait_for_delivery("sent-by-msmtp-starttls");
    assert!(
        std::fs::read_to_string(file)
            .unwrap()
            .contains("Over STARTTLS.")
    );
}

#[test]
fn mbsync_syncs_the_dovecot_mailbox_with_the_exported_file() {
    let world = World::start();
    deliver(
        world.postfix.smtp_addr(),
        "bob@sender.test",
        ADDRESS,
        "for-mbsync-export",
        "Sync me.",
    );
    world.wait_for_delivery("for-mbsync-export");
    let rc = world.export("mbsync");
    let text = std::fs::read_to_string(&rc).unwrap();
    assert!(text.contains("SSLType         IMAPS\n"), "{text}");
    let rc_arg = rc.display().to_string();
    let output = world.client("mbsync", &["-c", &rc_arg, "-a"], None);
    assert_ran(&output, "mbsync", &world);
    let local = world.path(&format!("home/Mail/{DOMAIN}/INBOX"));
    let synced = messages_containing(&local, "for-mbsync-export");
    assert_eq!(
        synced.len(),
        1,
        "{:?}",
        std::fs::read_dir(&local).map(|d| d.count())
    );
    let body = std::fs::read_to_string(&synced[0]).unwrap();
    assert!(body.contains("Sync me."), "{body}");
    // A second run finds nothing new: the state was kept.
    let again = world.client("mbsync", &["-c", &rc_arg, "-a"], None);
    assert_ran(&again, "mbsync (again)", &world);
    assert_eq!(messages_containing(&local, "for-mbsync-export").len(), 1);
}

#[test]
fn neomutt_reads_the_dovecot_mailbox_and_sends_with_the_exported_file() {
    let world = World::start();
    deliver(
        world.postfix.smtp_addr(),
        "bob@sender.test",
        ADDRESS,
        "for-neomutt-export",
        "Read me.",
    );
    world.wait_for_delivery("for-neomutt-export");
    let rc = world.export("neomutt");
    let rc_arg = rc.display().to_string();

    // Reading: NeoMutt opens the IMAP INBOX on a pseudo-terminal and pipes the first
    // message to a file, then quits; the keys are pushed by a second file it sources.
    let piped = world.path("piped.eml");
    let keys = world.path("keys.rc");
    std::fs::write(
        &keys,
        format!(
            "set quit = yes\nset wait_key = no\nset header_cache = ''\npush '<pipe-message>cat > {}<enter><quit>'\n",
            piped.display()
        ),
    )
    .unwrap();
    let neomutt = format!(
        "{} -n -F {} -e 'source {}'",
        support::bin("neomutt").display(),
        rc_arg,
        keys.display()
    );
    let output = world.client(
        "script",
        &["-q", "-e", "-c", &neomutt, "/dev/null"],
        Some(b""),
    );
    assert_ran(&output, "neomutt (reading)", &world);
    let read = std::fs::read_to_string(&piped).unwrap_or_default();
    assert!(
        read.contains("Subject: for-neomutt-export") && read.contains("Read me."),
        "{read}\n{}",
        world.logs()
    );
    assert!(
        world
            .dovecot
            .log()
            .contains(&format!("imap-login: Info: Login: user=<{ADDRESS}>")),
        "{}",
        world.logs()
    );

    // Sending: batch mode (-s with the body on stdin) goes through smtp_url.
    let output = world.client(
        "neomutt",
        &["-n", "-F", &rc_arg, "-s", "sent-by-neomutt-export", ADDRESS],
        Some(b"Hello from NeoMutt.\n"),
    );
    assert_ran(&output, "neomutt (sending)", &world);
    let file = world.wait_for_delivery("sent-by-neomutt-export");
    assert!(
        std::fs::read_to_string(file)
            .unwrap()
            .contains("Hello from NeoMutt.")
    );
}

/// Promise 7 of issue 9: `-o FILE` is written whole or not at all. A read-only directory
/// and a full file system (a small tmpfs, in a private mount namespace) each fail with a
/// message naming the path and exit 4, leave no temporary file, and leave an existing file
/// as it was; a writable directory gets the whole file, replacing the old one.
#[test]
fn promise_7_output_written_whole_or_not_at_all() {
    support::require_netns();
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_mailcfg");
    let export = "export alice@gmail.com --offline --format json";
    // The JSON document is larger than one page, the space left on the full tmpfs.
    let (json, _) = mailcfg(&["export", "alice@gmail.com", "--offline", "--format", "json"]);
    assert!(json.stdout.len() > 4096, "{}", json.stdout.len());

    let script = format!(
        r#"set -u
d={dir}
mkdir -p "$d/ro" "$d/full" "$d/ok"
echo old > "$d/ro/out.json"
mount --bind "$d/ro" "$d/ro" && mount -o remount,bind,ro "$d/ro" || exit 90
{bin} {export} -o "$d/ro/out.json" 2>"$d/ro.err"; echo "ro exit $?"
mount -t tmpfs -o size=8k tmpfs "$d/full" || exit 91
echo old > "$d/full/out.json"
{bin} {export} -o "$d/full/out.json" 2>"$d/full.err"; echo "full exit $?"
echo "full listing: $(ls -A "$d/full" | tr '\n' ' ')"
echo "full content: $(cat "$d/full/out.json")"
echo old > "$d/ok/out.json"
{bin} {export} -o "$d/ok/out.json" 2>"$d/ok.err"; echo "ok exit $?"
"#,
        dir = dir.path().display(),
    );
    let output = Command::new(support::bin("unshare"))
        .args(["--mount", "sh", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let err = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Read-only: exit 4, the path named, the old file untouched, nothing left beside it.
    assert!(stdout.contains("ro exit 4\n"), "{stdout}");
    let ro_path = dir.path().join("ro/out.json");
    assert_eq!(
        err("ro.err").trim(),
        format!(
            "mailcfg: cannot write {}: the file system is read-only",
            ro_path.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&ro_path).unwrap(), "old\n");
    assert_eq!(listing(&dir.path().join("ro")), ["out.json"]);

    // Full: exit 4, no space named, the old file whole, no temporary file.
    assert!(stdout.contains("full exit 4\n"), "{stdout}");
    let full_path = dir.path().join("full/out.json");
    assert_eq!(
        err("full.err").trim(),
        format!(
            "mailcfg: cannot write {}: no space left on the device",
            full_path.display()
        )
    );
    assert!(stdout.contains("full listing: out.json \n"), "{stdout}");
    assert!(stdout.contains("full content: old\n"), "{stdout}");

    // Writable: the whole document replaces the old file.
    assert!(stdout.contains("ok exit 0\n"), "{stdout}{}", err("ok.err"));
    let written = std::fs::read_to_string(dir.path().join("ok/out.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&written).expect("the whole document");
    let expected: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    // The same document (only the run's timings differ between two runs).
    for key in ["email", "incoming", "outgoing", "notes"] {
        assert_eq!(doc[key], expected[key], "{key}");
    }
    assert_eq!(listing(&dir.path().join("ok")), ["out.json"]);
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Nothing usable for the format: no file, exit 3, and a message saying why. A missing
/// directory is refused before any lookup (exit 4); --domain-only with another format is
/// bad input (exit 2).
#[test]
fn nothing_usable_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mbsyncrc");
    let out_s = out.display().to_string();
    // au one net is POP3 only: mbsync has nothing to sync.
    let (output, _) = mailcfg(&[
        "export",
        "hanako@kd5.auone-net.jp",
        "--offline",
        "--format",
        "mbsync",
        "-o",
        &out_s,
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no usable IMAP server") && stderr.contains("nothing written"),
        "{stderr}"
    );
    assert!(!out.exists());
    assert_eq!(listing(dir.path()), Vec::<String>::new());

    let missing = dir.path().join("no/such/dir/x.xml").display().to_string();
    let (output, _) = mailcfg(&[
        "export",
        "alice@gmail.com",
        "--offline",
        "--format",
        "thunderbird",
        "-o",
        &missing,
    ]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains(&format!("cannot write {missing}: the directory"))
    );

    let (output, _) = mailcfg(&[
        "export",
        "alice@gmail.com",
        "--offline",
        "--format",
        "msmtp",
        "--domain-only",
    ]);
    assert_eq!(output.status.code(), Some(2));

    // The Done-means example: a file Thunderbird's autoconfig reader takes, on stdout.
    let (output, _) = mailcfg(&[
        "export",
        "alice@i.softbank.jp",
        "--offline",
        "--format",
        "thunderbird",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let xml = String::from_utf8_lossy(&output.stdout);
    assert!(
        xml.contains("<clientConfig version=\"1.1\">")
            && xml.contains("<domain>i.softbank.jp</domain>"),
        "{xml}"
    );
}

#[test]
fn the_html_sheet_is_written_for_the_chosen_client_and_language() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("sheet.html");
    let path_text = path.to_string_lossy().to_string();
    let (output, _) = mailcfg(&[
        "export",
        "alice@gmail.com",
        "--offline",
        "--format",
        "html",
        "--client",
        "ios",
        "--lang",
        "ja",
        "-o",
        &path_text,
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let sheet = std::fs::read_to_string(&path).expect("the sheet was written");
    assert!(sheet.starts_with("<!DOCTYPE html>"), "{sheet}");
    assert!(sheet.contains("<html lang=\"ja\">"), "{sheet}");
    assert!(sheet.contains("imap.gmail.com"), "{sheet}");
    assert!(!sheet.contains("<script"), "{sheet}");

    // A sheet is for one client; a client goes with the sheet only.
    let (output, _) = mailcfg(&["export", "alice@gmail.com", "--offline", "--format", "html"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--client"));
    let (output, _) = mailcfg(&[
        "export",
        "alice@gmail.com",
        "--offline",
        "--format",
        "msmtp",
        "--client",
        "ios",
    ]);
    assert_eq!(output.status.code(), Some(2));
}
