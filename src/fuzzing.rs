//! Entry points for the fuzz targets in `fuzz/` and for the replay of their corpora in the
//! ordinary test suite: each function takes the raw bytes an outsider controls and drives
//! them through the same code the program runs on them. Not an API.
//!
//! One function per target; the name of the function is the name of the target and of its
//! corpus directory, `fuzz/corpus/<name>/`.

use crate::address;
use crate::discover::{autoconfig_xml, autodiscover_xml, mx, providers, srv};
use crate::dns::{MxRecord, SrvRecord};
use crate::model::{Protocol, Security, Source, SourceKind};
use crate::probe::conn::Limits;
use crate::probe::{imap, legacy, lines, pop3, smtp};

/// A target: the bytes an outsider controls in, nothing out but panics.
pub type Target = fn(&[u8]);

/// Every target, by name, for the corpus replay.
pub const TARGETS: [(&str, Target); 11] = [
    ("imap", imap),
    ("pop3", pop3),
    ("smtp", smtp),
    ("autoconfig", autoconfig),
    ("autodiscover", autodiscover),
    ("srv_mx", srv_mx),
    ("providers", providers),
    ("address", address),
    ("legacy_tls", legacy_tls),
    ("line_framing", line_framing),
    ("login_replies", login_replies),
];

/// A server's bytes as the connection frames them: the first byte picks the size of the
/// reads (a server may send one byte at a time or everything at once), the rest is what
/// the server sent. Framed with the limits a probe uses.
fn framed(data: &[u8]) -> Vec<String> {
    let (chunk, sent) = match data.split_first() {
        Some((&first, rest)) => (usize::from(first) * 17 + 1, rest),
        None => (4096, data),
    };
    let limits = Limits::default();
    lines::split(sent, limits.max_line, limits.max_lines, chunk).0
}

/// The framing itself, with small limits so that the bounds are met often: every line
/// taken fits the limit, and no more lines than allowed come out.
pub fn line_framing(data: &[u8]) {
    let Some((&params, sent)) = data.split_first() else {
        return;
    };
    let max_line = usize::from(params & 0x3f) + 1;
    let chunk = usize::from(params >> 6) * 3 + 1;
    let (taken, _) = lines::split(sent, max_line, 8, chunk);
    assert!(taken.len() <= 8);
    for line in &taken {
        // Each byte becomes at most one U+FFFD (three bytes) in the lossy conversion.
        assert!(line.len() <= 3 * max_line, "line over its bound");
        assert!(!line.contains('\n'));
    }
}

/// An IMAP server's greeting, then its answer to `C1 CAPABILITY` and `S1 STARTTLS`.
pub fn imap(data: &[u8]) {
    let lines = framed(data);
    let Some((first, rest)) = lines.split_first() else {
        return;
    };
    let _ = imap::parse_greeting(first);
    let _ = imap::parse_capability_reply("C1", rest);
    let _ = imap::parse_capability_reply("S1", rest);
}

/// A POP3 server's greeting, then the lines of a CAPA listing up to the ".".
pub fn pop3(data: &[u8]) {
    let lines = framed(data);
    let Some((first, rest)) = lines.split_first() else {
        return;
    };
    let _ = pop3::parse_greeting(first);
    let listing: Vec<String> = rest.iter().take_while(|l| *l != ".").cloned().collect();
    let _ = pop3::parse_capa(&listing);
}

/// An SMTP server's (multi-line) greeting, then its (multi-line) EHLO reply.
pub fn smtp(data: &[u8]) {
    let lines = framed(data);
    // Split where the first reply ends, as the connection's reader does.
    let end = lines
        .iter()
        .position(|l| smtp::parse_reply_line(l).is_none_or(|(_, last, _)| last))
        .map_or(lines.len(), |i| i + 1);
    let (greeting, ehlo) = lines.split_at(end);
    let _ = smtp::parse_reply(greeting);
    if let Ok(reply) = smtp::parse_reply(ehlo) {
        let _ = smtp::parse_ehlo(&reply);
    }
}

/// A server's answer to `check`'s login: the first byte picks the protocol (IMAP, POP3,
/// SMTP), the rest is framed as the connection frames it; the reply is parsed and then
/// classified into the outcome and next step a person sees.
pub fn login_replies(data: &[u8]) {
    let Some((&protocol, sent)) = data.split_first() else {
        return;
    };
    let lines = framed(sent);
    let reply = match protocol % 3 {
        0 => imap::parse_login_reply("A1", &lines).ok(),
        1 => lines.first().and_then(|l| pop3::parse_login_reply(l).ok()),
        _ => smtp::parse_reply(&lines)
            .ok()
            .map(|r| smtp::login_reply(&r)),
    };
    if let Some(reply) = reply {
        let _ = crate::check::outcome::classify_reply(&reply);
    }
}

fn source(kind: SourceKind) -> Source {
    Source {
        kind,
        detail: "fuzz".into(),
        authenticated: true,
    }
}

/// An autoconfig document in any encoding: decoded, parsed, turned into candidates and notes.
pub fn autoconfig(data: &[u8]) {
    if let Ok(config) = autoconfig_xml::parse(data) {
        let _ = config.candidates("taro", "example.jp", &source(SourceKind::Autoconfig));
        let _ = config.notes();
    }
}

/// An autodiscover (POX) response: decoded, parsed, turned into candidates.
pub fn autodiscover(data: &[u8]) {
    if let Ok(autodiscover_xml::AutodiscoverResponse::Settings(servers)) =
        autodiscover_xml::parse(data)
    {
        let _ = autodiscover_xml::candidates(
            &servers,
            "taro",
            "example.jp",
            &source(SourceKind::Autodiscover),
        );
    }
}

/// DNS answers as hickory hands them over (numbers and a name per record), turned into
/// SRV candidates and an MX interpretation. Each record: priority, weight, port (big
/// endian u16 each), a length byte, that many bytes of name.
pub fn srv_mx(data: &[u8]) {
    let mut records = Vec::new();
    let mut rest = data;
    while let [p0, p1, w0, w1, o0, o1, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let name = String::from_utf8_lossy(&tail[..len]);
        records.push(SrvRecord::new(
            u16::from_be_bytes([*p0, *p1]),
            u16::from_be_bytes([*w0, *w1]),
            u16::from_be_bytes([*o0, *o1]),
            &name,
        ));
        rest = &tail[len..];
    }
    let _ = srv::not_offered(&records);
    let _ = srv::candidates(
        "_imaps._tcp",
        Protocol::Imap,
        Security::Tls,
        records.clone(),
        "example.jp",
    );
    let mut mx: Vec<MxRecord> = records
        .into_iter()
        .map(|r| MxRecord {
            preference: r.priority,
            host: r.target,
        })
        .collect();
    mx.sort();
    if let Ok(email) = address::parse_email("taro@example.co.jp") {
        let _ = mx::interpret(&mx, &email);
    }
}

/// A provider file (TOML), validated as the bundled table is.
pub fn providers(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = providers::load(&[("fuzz.toml", text)]);
    }
}

/// What a person types as an address or a host: parsed, with IDN and punycode, and the
/// registrable domain the discovery stays within.
pub fn address(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(email) = address::parse_email(&text) {
        let _ = address::registrable_domain(&email.domain);
        let _ = address::within_registrable_domain(&email.domain, &email.domain);
        let _ = email.display();
        let _ = email.ascii();
    }
    if let Ok(domain) = address::parse_domain(&text) {
        let _ = address::display_domain(&domain);
    }
    let _ = address::parse_host_port(&text);
}

/// A server's first flight in answer to a ClientHello (ServerHello, Certificate, alerts),
/// as the obsolete-TLS diagnosis reads it, prefix by prefix as it arrives.
pub fn legacy_tls(data: &[u8]) {
    let first = legacy::read_answer(data).map(|(answer, _)| answer);
    let step = (data.len() / 7).max(1);
    for end in (0..data.len()).step_by(step) {
        let _ = legacy::read_answer(&data[..end]);
    }
    let _ = legacy::obsolete_version(first.as_ref(), first.as_ref());
}

#[cfg(test)]
mod tests {
    use super::TARGETS;
    use std::path::Path;

    /// Every file of every corpus in `fuzz/corpus/` (seeds and the inputs the fuzzer kept,
    /// regressions included) runs through its target on stable, in every test run.
    #[test]
    fn fuzz_corpora_replay_without_panic() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        for (name, target) in TARGETS {
            let dir = root.join(name);
            let entries = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("corpus {} is missing: {e}", dir.display()));
            let mut count = 0;
            for entry in entries {
                let path = entry.expect("corpus entry").path();
                let data = std::fs::read(&path).expect("read corpus file");
                target(&data);
                count += 1;
            }
            assert!(count > 0, "corpus {name} is empty");
        }
    }

    #[test]
    fn every_target_has_a_fuzz_binary() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
        for (name, _) in TARGETS {
            assert!(root.join(format!("{name}.rs")).exists(), "no target {name}");
        }
    }
}
