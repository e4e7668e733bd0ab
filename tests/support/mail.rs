//! Mail in and out of the harness's servers: a plain SMTP delivery to Postfix (port 25, no
//! login: the domain is Postfix's own) and a look into Dovecot's Maildir for what arrived.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Sends one message to `to` through the SMTP server at `addr` (relay port, no TLS, no
/// AUTH), the way another mail server would. Panics with the dialogue on any refusal.
pub fn deliver(addr: SocketAddr, from: &str, to: &str, subject: &str, body: &str) {
    let stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect to SMTP");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut transcript = String::new();
    let reply = |reader: &mut BufReader<TcpStream>, transcript: &mut String| -> String {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read SMTP reply");
            transcript.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return line;
            }
        }
    };
    let expect = |line: &str, code: &str, transcript: &str| {
        assert!(
            line.starts_with(code),
            "SMTP delivery refused:\n{transcript}"
        );
    };
    let greeting = reply(&mut reader, &mut transcript);
    expect(&greeting, "220", &transcript);
    let message = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{subject}@mailcfg.test>\r\n\r\n{body}\r\n.\r\n"
    );
    for (command, code) in [
        ("EHLO sender.test\r\n".to_string(), "250"),
        (format!("MAIL FROM:<{from}>\r\n"), "250"),
        (format!("RCPT TO:<{to}>\r\n"), "250"),
        ("DATA\r\n".to_string(), "354"),
        (message, "250"),
        ("QUIT\r\n".to_string(), "221"),
    ] {
        transcript.push_str(&command);
        writer.write_all(command.as_bytes()).unwrap();
        let line = reply(&mut reader, &mut transcript);
        expect(&line, code, &transcript);
    }
}

/// The message files in a Maildir (new/ and cur/) whose text contains `needle`.
pub fn messages_containing(maildir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let text = std::fs::read(entry.path()).unwrap_or_default();
            if String::from_utf8_lossy(&text).contains(needle) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}
