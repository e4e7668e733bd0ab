//! IMAP (RFC 9051 / RFC 3501): greeting, CAPABILITY, STARTTLS, LOGIN / AUTHENTICATE
//! (for `check` only), LOGOUT.
//!
//! The parsers are pure functions over lines; the async functions only move lines.

use super::conn::Conn;
use super::dialogue::{Capabilities, Dialogue, Greeting, StepError, excerpt, identify_foreign};
use super::login::{
    Credentials, LoginReply, Mechanism, REPLY_TEXT_MAX, response_code, sasl_responses,
};
use tokio::time::Instant;
use zeroize::Zeroizing;

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

/// The tag of the login command.
const LOGIN_TAG: &str = "A1";

/// Parse the reply to LOGIN or AUTHENTICATE: untagged status lines (Gmail puts its
/// `[ALERT]` there), then the tagged completion. Pure, for the fuzzer.
pub fn parse_login_reply(tag: &str, lines: &[String]) -> Result<LoginReply, StepError> {
    let mut codes = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    for line in lines {
        if let Some(rest) = line.strip_prefix("* ") {
            let (status, text) = rest.split_once(' ').unwrap_or((rest, ""));
            if ["OK", "NO", "BAD", "BYE"]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(status))
            {
                codes.extend(response_code(text));
                texts.push(text);
            }
            continue;
        }
        let status = tagged_status(tag, line)
            .ok_or_else(|| StepError::NotProtocol(identify_foreign(line)))?;
        let text = line
            .get(tag.len() + 1 + status.len()..)
            .unwrap_or("")
            .trim_start();
        codes.extend(response_code(text));
        texts.push(text);
        return Ok(LoginReply {
            accepted: status.eq_ignore_ascii_case("OK"),
            code: 0,
            codes,
            text: excerpt(&texts.join(" / "), REPLY_TEXT_MAX),
            unsupported: status.eq_ignore_ascii_case("BAD"),
        });
    }
    Err(StepError::NotProtocol(
        "the reply to the login never ended".into(),
    ))
}

/// An IMAP quoted string (RFC 3501 §4.3) for printable ASCII; None when `text` needs a
/// literal.
fn quoted(text: &str) -> Option<String> {
    if !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    Some(format!(
        "\"{}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// The login command and the parts sent on each continuation request, in order.
/// LOGIN uses quoted strings when it can, else synchronising literals (the server's `+`
/// asks for each next part).
fn login_exchange(
    caps: &Capabilities,
    mechanism: Mechanism,
    credentials: &Credentials,
) -> (Zeroizing<String>, Vec<Zeroizing<String>>) {
    let tag = LOGIN_TAG;
    let mut responses = sasl_responses(mechanism, credentials);
    let sasl_ir = caps.list.iter().any(|c| c.eq_ignore_ascii_case("SASL-IR"));
    match mechanism {
        Mechanism::Plain if sasl_ir => {
            let first = responses.remove(0);
            let command = Zeroizing::new(format!("{tag} AUTHENTICATE PLAIN {}\r\n", *first));
            (command, responses)
        }
        Mechanism::Plain => (
            Zeroizing::new(format!("{tag} AUTHENTICATE PLAIN\r\n")),
            responses,
        ),
        Mechanism::Login => (
            Zeroizing::new(format!("{tag} AUTHENTICATE LOGIN\r\n")),
            responses,
        ),
        Mechanism::ImapLogin | Mechanism::Pop3User => {
            let user = &credentials.username;
            let password = credentials.password.expose();
            match (quoted(user), quoted(password).map(Zeroizing::new)) {
                (Some(u), Some(p)) => (
                    Zeroizing::new(format!("{tag} LOGIN {u} {}\r\n", *p)),
                    Vec::new(),
                ),
                _ => (
                    Zeroizing::new(format!("{tag} LOGIN {{{}}}\r\n", user.len())),
                    vec![
                        Zeroizing::new(format!("{user} {{{}}}", password.len())),
                        Zeroizing::new(password.to_string()),
                    ],
                ),
            }
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

    async fn login(
        &self,
        conn: &mut Conn,
        caps: &Capabilities,
        mechanism: Mechanism,
        credentials: &Credentials,
        deadline: Instant,
    ) -> Result<LoginReply, StepError> {
        let (command, parts) = login_exchange(caps, mechanism, credentials);
        conn.write(command.as_bytes(), deadline).await?;
        let mut parts = parts.into_iter();
        let max = conn.limits().max_lines;
        let mut lines = Vec::new();
        for _ in 0..max {
            let line = conn.read_line(deadline).await?;
            if line.starts_with('+') {
                match parts.next() {
                    Some(part) => {
                        let out = Zeroizing::new(format!("{}\r\n", *part));
                        conn.write(out.as_bytes(), deadline).await?;
                    }
                    // Nothing more to say: cancel (RFC 3501 §6.2.2).
                    None => conn.write(b"*\r\n", deadline).await?,
                }
                continue;
            }
            let untagged = line.starts_with("* ");
            lines.push(line);
            if !untagged {
                return parse_login_reply(LOGIN_TAG, &lines);
            }
        }
        Err(super::conn::ConnError::TooManyLines { limit: max }.into())
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
    fn login_replies() {
        let ok = parse_login_reply(
            "A1",
            &lines("* CAPABILITY IMAP4rev1 IDLE\nA1 OK [CAPABILITY IMAP4rev1] Logged in"),
        )
        .unwrap();
        assert!(ok.accepted);
        assert_eq!(ok.codes, ["CAPABILITY"]);
        let wrong = parse_login_reply(
            "A1",
            &lines("A1 NO [AUTHENTICATIONFAILED] Authentication failed."),
        )
        .unwrap();
        assert!(!wrong.accepted && !wrong.unsupported);
        assert_eq!(wrong.codes, ["AUTHENTICATIONFAILED"]);
        assert_eq!(wrong.text, "[AUTHENTICATIONFAILED] Authentication failed.");
        let gmail = parse_login_reply(
            "A1",
            &lines("* NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)\nA1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"),
        )
        .unwrap();
        assert_eq!(gmail.codes, ["ALERT", "AUTHENTICATIONFAILED"]);
        assert!(
            gmail
                .text
                .contains("Application-specific password required")
        );
        let bad =
            parse_login_reply("A1", &lines("A1 BAD Unsupported authentication mechanism")).unwrap();
        assert!(bad.unsupported);
        assert!(matches!(
            parse_login_reply("A1", &lines("* OK still going")),
            Err(StepError::NotProtocol(_))
        ));
        assert!(matches!(
            parse_login_reply("A1", &lines("220 smtp")),
            Err(StepError::NotProtocol(_))
        ));
    }

    #[test]
    fn login_commands_quote_or_use_literals() {
        use crate::probe::login::Secret;
        let creds = |u: &str, p: &str| Credentials {
            username: u.into(),
            password: Secret::new(p.into()),
        };
        let caps = Capabilities::default();
        let (cmd, parts) = login_exchange(&caps, Mechanism::ImapLogin, &creds("alice", r#"a"b\c"#));
        assert_eq!(cmd.as_str(), "A1 LOGIN \"alice\" \"a\\\"b\\\\c\"\r\n");
        assert!(parts.is_empty());
        let (cmd, parts) = login_exchange(&caps, Mechanism::ImapLogin, &creds("alice", "pässword"));
        assert_eq!(cmd.as_str(), "A1 LOGIN {5}\r\n");
        assert_eq!(parts[0].as_str(), "alice {9}");
        assert_eq!(parts[1].as_str(), "pässword");
        let ir = Capabilities {
            list: vec!["SASL-IR".into()],
            ..Capabilities::default()
        };
        let (cmd, parts) = login_exchange(&ir, Mechanism::Plain, &creds("alice", "secret"));
        assert_eq!(
            cmd.as_str(),
            "A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"
        );
        assert!(parts.is_empty());
        let (cmd, parts) = login_exchange(&caps, Mechanism::Plain, &creds("alice", "secret"));
        assert_eq!(cmd.as_str(), "A1 AUTHENTICATE PLAIN\r\n");
        assert_eq!(parts.len(), 1);
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
