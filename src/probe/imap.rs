//! IMAP (RFC 9051 / RFC 3501): greeting, CAPABILITY, STARTTLS, LOGOUT.
//!
//! The parsers are pure functions over lines; the async functions only move lines.

use super::conn::Conn;
use super::dialogue::{Capabilities, Dialogue, Greeting, StepError, excerpt, identify_foreign};
use tokio::time::Instant;

/// Parse the server greeting (`* OK`, `* PREAUTH` or `* BYE`).
pub fn parse_greeting(line: &str) -> Result<Greeting, StepError> {
    let mut words = line.splitn(3, ' ');
    let (star, status) = (words.next(), words.next().map(str::to_ascii_uppercase));
    if star != Some("*") {
        return Err(StepError::NotProtocol(identify_foreign(line)));
    }
    let rest = words.next().unwrap_or("");
    match status.as_deref() {
        Some("OK") | Some("PREAUTH") => Ok(Greeting {
            text: excerpt(line, 300),
            capabilities: response_code_capabilities(rest),
        }),
        Some("BYE") => Err(StepError::Rejected(format!(
            "the server refused the session: {}",
            excerpt(rest, 200)
        ))),
        _ => Err(StepError::NotProtocol(identify_foreign(line))),
    }
}

/// Capabilities from a `[CAPABILITY …]` response code at the start of `text`.
fn response_code_capabilities(text: &str) -> Option<Capabilities> {
    let inner = text.strip_prefix('[')?;
    let inner = &inner[..inner.find(']')?];
    let atoms = strip_keyword(inner, "CAPABILITY")?;
    Some(parse_capability_atoms(atoms))
}

/// `keyword` at the start of `text` (case-insensitive), followed by a space: the rest.
fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let head = text.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = &text[keyword.len()..];
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix(' ')
    }
}

/// Parse the atoms of a CAPABILITY list (`IMAP4rev1 STARTTLS AUTH=PLAIN LOGINDISABLED`).
pub fn parse_capability_atoms(atoms: &str) -> Capabilities {
    let mut caps = Capabilities::default();
    for atom in atoms.split_ascii_whitespace() {
        let upper = atom.to_ascii_uppercase();
        if let Some(mech) = upper.strip_prefix("AUTH=") {
            if !mech.is_empty() && !caps.auth.iter().any(|m| m == mech) {
                caps.auth.push(mech.to_string());
            }
        } else if upper == "STARTTLS" {
            caps.starttls = true;
        } else if upper == "LOGINDISABLED" {
            caps.login_disabled = true;
        }
        caps.list.push(atom.to_string());
    }
    caps
}

/// Parse the lines of a CAPABILITY command's reply, the tagged status line last.
pub fn parse_capability_reply(tag: &str, lines: &[String]) -> Result<Capabilities, StepError> {
    let mut caps: Option<Capabilities> = None;
    for line in lines {
        if let Some(rest) = line.strip_prefix("* ") {
            if let Some(atoms) = strip_keyword(rest, "CAPABILITY") {
                caps = Some(parse_capability_atoms(atoms));
            }
            continue;
        }
        let status = tagged_status(tag, line)
            .ok_or_else(|| StepError::NotProtocol(identify_foreign(line)))?;
        return match status {
            "OK" => Ok(caps.unwrap_or_default()),
            _ => Err(StepError::Rejected(format!(
                "CAPABILITY was refused: {}",
                excerpt(line, 200)
            ))),
        };
    }
    Err(StepError::NotProtocol(
        "the reply to CAPABILITY never ended".into(),
    ))
}

/// `OK`, `NO` or `BAD` when `line` is the tagged completion for `tag`.
fn tagged_status<'a>(tag: &str, line: &'a str) -> Option<&'a str> {
    let rest = line.strip_prefix(tag)?.strip_prefix(' ')?;
    let status = rest.split(' ').next()?;
    ["OK", "NO", "BAD"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(status))
}

/// Read lines up to and including the tagged completion for `tag`.
async fn read_tagged(
    conn: &mut Conn,
    tag: &str,
    deadline: Instant,
) -> Result<Vec<String>, StepError> {
    let max = conn.limits().max_lines;
    let mut lines = Vec::new();
    loop {
        let line = conn.read_line(deadline).await?;
        let done = !line.starts_with("* ") && !line.starts_with('+');
        let tagged = tagged_status(tag, &line).is_some();
        lines.push(line);
        if tagged || done {
            return Ok(lines);
        }
        if lines.len() >= max {
            return Err(super::conn::ConnError::TooManyLines { limit: max }.into());
        }
    }
}

/// IMAP's side of the probe dialogue.
pub struct Imap;

impl Dialogue for Imap {
    async fn greeting(&self, conn: &mut Conn, deadline: Instant) -> Result<Greeting, StepError> {
        let line = conn.read_line(deadline).await?;
        parse_greeting(&line)
    }

    fn is_greeting(&self, line: &str) -> bool {
        parse_greeting(line).is_ok()
    }

    /// The greeting's `[CAPABILITY …]` when it has one (Dovecot's does), which saves a
    /// round trip; otherwise the CAPABILITY command.
    async fn capabilities(
        &self,
        conn: &mut Conn,
        greeting: Option<&Greeting>,
        _client_name: &str,
        deadline: Instant,
    ) -> Result<Capabilities, StepError> {
        if let Some(caps) = greeting.and_then(|g| g.capabilities.clone()) {
            return Ok(caps);
        }
        conn.write(b"C1 CAPABILITY\r\n", deadline).await?;
        let lines = read_tagged(conn, "C1", deadline).await?;
        parse_capability_reply("C1", &lines)
    }

    async fn starttls(&self, conn: &mut Conn, deadline: Instant) -> Result<(), StepError> {
        conn.write(b"S1 STARTTLS\r\n", deadline).await?;
        let lines = read_tagged(conn, "S1", deadline).await?;
        match lines.last().and_then(|l| tagged_status("S1", l)) {
            Some("OK") => Ok(()),
            _ => Err(StepError::Rejected(format!(
                "STARTTLS was refused: {}",
                excerpt(lines.last().map(String::as_str).unwrap_or(""), 200)
            ))),
        }
    }

    fn goodbye(&self) -> &'static [u8] {
        b"L1 LOGOUT\r\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::dialogue::lines;

    #[test]
    fn dovecot_greeting_carries_capabilities() {
        let g = parse_greeting(
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.",
        )
        .unwrap();
        let caps = g.capabilities.unwrap();
        assert!(caps.starttls);
        assert_eq!(caps.auth, ["PLAIN", "LOGIN"]);
        assert!(!caps.login_disabled);
    }

    #[test]
    fn plaintext_only_server_says_logindisabled() {
        let g = parse_greeting(
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ LOGINDISABLED] Dovecot ready.",
        )
        .unwrap();
        let caps = g.capabilities.unwrap();
        assert!(caps.login_disabled);
        assert!(!caps.starttls);
        assert!(caps.auth.is_empty());
    }

    #[test]
    fn gmail_style_greeting_without_capabilities() {
        let g = parse_greeting("* OK Gimap ready for requests from 192.0.2.1 a1mb12345").unwrap();
        assert!(g.capabilities.is_none());
    }

    #[test]
    fn bye_and_foreign_greetings() {
        assert!(matches!(
            parse_greeting("* BYE Too many connections"),
            Err(StepError::Rejected(_))
        ));
        match parse_greeting("220 smtp.example.jp ESMTP") {
            Err(StepError::NotProtocol(text)) => assert!(text.contains("SMTP"), "{text}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_greeting("+OK POP3 ready"),
            Err(StepError::NotProtocol(_))
        ));
        assert!(matches!(parse_greeting(""), Err(StepError::NotProtocol(_))));
    }

    #[test]
    fn capability_reply_after_tls() {
        let reply = lines(
            "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2 AUTH=OAUTHBEARER\nC1 OK Pre-login capabilities listed, post-login capabilities have more.",
        );
        let caps = parse_capability_reply("C1", &reply).unwrap();
        assert_eq!(caps.auth, ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"]);
        assert!(caps.list.contains(&"IDLE".to_string()));
    }

    #[test]
    fn capability_reply_refused_or_garbage() {
        assert!(matches!(
            parse_capability_reply("C1", &lines("C1 BAD unknown command")),
            Err(StepError::Rejected(_))
        ));
        assert!(matches!(
            parse_capability_reply("C1", &lines("HTTP/1.1 400 Bad Request")),
            Err(StepError::NotProtocol(_))
        ));
        assert!(matches!(
            parse_capability_reply("C1", &lines("* CAPABILITY IMAP4rev1")),
            Err(StepError::NotProtocol(_))
        ));
    }

    #[test]
    fn capability_keyword_is_case_insensitive_and_exact() {
        let caps = parse_capability_reply(
            "C1",
            &lines("* capability IMAP4rev1 auth=plain\nC1 ok done"),
        )
        .unwrap();
        assert_eq!(caps.auth, ["PLAIN"]);
        let none = parse_capability_reply("C1", &lines("* CAPABILITYX junk\nC1 OK")).unwrap();
        assert!(none.list.is_empty());
    }
}
