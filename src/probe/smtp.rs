//! SMTP submission (RFC 5321, RFC 6409, STARTTLS from RFC 3207): greeting, EHLO,
//! STARTTLS, AUTH (RFC 4954, for `check` only: no mail is ever sent), QUIT.
//!
//! The parsers are pure functions over lines; the async functions only move lines.

use super::conn::{Conn, ConnError};
use super::dialogue::{Capabilities, Dialogue, Greeting, StepError, excerpt, identify_foreign};
use super::login::{Credentials, LoginReply, Mechanism, REPLY_TEXT_MAX, sasl_responses};
use tokio::time::Instant;
use zeroize::Zeroizing;

/// A complete SMTP reply: one code and the text of every line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

/// Split `250-SIZE 1000` into (250, false, "SIZE 1000"); `250 OK` into (250, true, "OK").
/// None when the line is not an SMTP reply line.
pub fn parse_reply_line(line: &str) -> Option<(u16, bool, &str)> {
    let bytes = line.as_bytes();
    if bytes.len() < 3
        || !bytes[..3].iter().all(u8::is_ascii_digit)
        || !(b'2'..=b'5').contains(&bytes[0])
    {
        return None;
    }
    let code: u16 = line[..3].parse().ok()?;
    match bytes.get(3) {
        None => Some((code, true, "")),
        Some(b' ') => Some((code, true, &line[4..])),
        Some(b'-') => Some((code, false, &line[4..])),
        Some(_) => None,
    }
}

/// Assemble reply lines into one reply; every line must carry the same code.
pub fn parse_reply(lines: &[String]) -> Result<Reply, StepError> {
    let mut reply: Option<Reply> = None;
    for line in lines {
        let (code, last, text) =
            parse_reply_line(line).ok_or_else(|| StepError::NotProtocol(identify_foreign(line)))?;
        let reply = reply.get_or_insert(Reply {
            code,
            lines: Vec::new(),
        });
        if reply.code != code {
            return Err(StepError::NotProtocol(format!(
                "reply lines carry different codes ({} and {code})",
                reply.code
            )));
        }
        reply.lines.push(text.to_string());
        if last {
            break;
        }
    }
    reply.ok_or_else(|| StepError::NotProtocol("empty reply".into()))
}

/// The extensions of a 250 reply to EHLO (the first line is the server's name).
pub fn parse_ehlo(reply: &Reply) -> Capabilities {
    let mut caps = Capabilities::default();
    for line in reply.lines.iter().skip(1) {
        let mut words = line.split_ascii_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        let keyword = keyword.to_ascii_uppercase();
        // "AUTH=PLAIN LOGIN" is the pre-standard form some servers still send.
        if keyword == "AUTH" || keyword.starts_with("AUTH=") {
            let first = keyword.strip_prefix("AUTH=").filter(|m| !m.is_empty());
            for mech in first
                .map(str::to_string)
                .into_iter()
                .chain(words.map(str::to_ascii_uppercase))
            {
                if !caps.auth.contains(&mech) {
                    caps.auth.push(mech);
                }
            }
        } else if keyword == "STARTTLS" {
            caps.starttls = true;
        }
        caps.list.push(line.to_string());
    }
    caps
}

/// The verdict of an AUTH reply: 235 accepted; 500–504 the command or mechanism unknown;
/// the enhanced status code (RFC 3463, `5.7.8`) of the first line kept for the classifier.
/// Pure, for the fuzzer.
pub fn login_reply(reply: &Reply) -> LoginReply {
    let enhanced = reply
        .lines
        .first()
        .and_then(|l| l.split(' ').next())
        .filter(|w| is_enhanced_code(w))
        .map(str::to_string);
    LoginReply {
        accepted: reply.code == 235,
        code: reply.code,
        codes: enhanced.into_iter().collect(),
        text: excerpt(&reply.lines.join(" "), REPLY_TEXT_MAX),
        unsupported: (500..=504).contains(&reply.code),
    }
}

/// `5.7.8`, `4.7.0`, `5.7.139`: class.subject.detail.
fn is_enhanced_code(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3
        && matches!(parts[0], "2" | "4" | "5")
        && parts[1..]
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

async fn read_reply(conn: &mut Conn, deadline: Instant) -> Result<Reply, StepError> {
    let max = conn.limits().max_lines;
    let mut lines = Vec::new();
    loop {
        let line = conn.read_line(deadline).await?;
        let last = parse_reply_line(&line).is_none_or(|(_, last, _)| last);
        lines.push(line);
        if last {
            return parse_reply(&lines);
        }
        if lines.len() >= max {
            return Err(ConnError::TooManyLines { limit: max }.into());
        }
    }
}

/// SMTP's side of the probe dialogue.
pub struct Smtp;

impl Dialogue for Smtp {
    async fn greeting(&self, conn: &mut Conn, deadline: Instant) -> Result<Greeting, StepError> {
        let reply = read_reply(conn, deadline).await?;
        let text = excerpt(&format!("{} {}", reply.code, reply.lines.join(" / ")), 300);
        match reply.code {
            220 => Ok(Greeting {
                text,
                capabilities: None,
            }),
            _ => Err(StepError::Rejected(format!(
                "the server refused the session: {text}"
            ))),
        }
    }

    fn is_greeting(&self, line: &str) -> bool {
        parse_reply_line(line).is_some_and(|(code, _, _)| code == 220)
    }

    /// EHLO, falling back to HELO for a server without extensions. `client_name` is the
    /// address literal of our end of the connection (RFC 5321 §4.1.4).
    async fn capabilities(
        &self,
        conn: &mut Conn,
        _greeting: Option<&Greeting>,
        client_name: &str,
        deadline: Instant,
    ) -> Result<Capabilities, StepError> {
        conn.write(format!("EHLO {client_name}\r\n").as_bytes(), deadline)
            .await?;
        let reply = read_reply(conn, deadline).await?;
        if reply.code == 250 {
            return Ok(parse_ehlo(&reply));
        }
        conn.write(format!("HELO {client_name}\r\n").as_bytes(), deadline)
            .await?;
        let reply = read_reply(conn, deadline).await?;
        if reply.code == 250 {
            Ok(Capabilities::default())
        } else {
            Err(StepError::Rejected(format!(
                "EHLO and HELO were refused: {} {}",
                reply.code,
                excerpt(&reply.lines.join(" "), 200)
            )))
        }
    }

    async fn starttls(&self, conn: &mut Conn, deadline: Instant) -> Result<(), StepError> {
        conn.write(b"STARTTLS\r\n", deadline).await?;
        let reply = read_reply(conn, deadline).await?;
        if reply.code == 220 {
            Ok(())
        } else {
            Err(StepError::Rejected(format!(
                "STARTTLS was refused: {} {}",
                reply.code,
                excerpt(&reply.lines.join(" "), 200)
            )))
        }
    }

    /// AUTH PLAIN with the initial response (RFC 4954 §4), or AUTH LOGIN answering the
    /// server's 334 prompts. Then `check` says QUIT: no MAIL FROM, nothing is sent.
    async fn login(
        &self,
        conn: &mut Conn,
        _caps: &Capabilities,
        mechanism: Mechanism,
        credentials: &Credentials,
        deadline: Instant,
    ) -> Result<LoginReply, StepError> {
        let mut parts = sasl_responses(mechanism, credentials).into_iter();
        let command = match mechanism {
            Mechanism::Plain => match parts.next() {
                Some(first) => Zeroizing::new(format!("AUTH PLAIN {}\r\n", *first)),
                None => Zeroizing::new("AUTH PLAIN\r\n".to_string()),
            },
            _ => Zeroizing::new("AUTH LOGIN\r\n".to_string()),
        };
        conn.write(command.as_bytes(), deadline).await?;
        for _ in 0..conn.limits().max_lines {
            let reply = read_reply(conn, deadline).await?;
            if reply.code != 334 {
                return Ok(login_reply(&reply));
            }
            match parts.next() {
                Some(part) => {
                    let out = Zeroizing::new(format!("{}\r\n", *part));
                    conn.write(out.as_bytes(), deadline).await?;
                }
                // Nothing more to say: cancel (RFC 4954 §4).
                None => conn.write(b"*\r\n", deadline).await?,
            }
        }
        Err(ConnError::TooManyLines {
            limit: conn.limits().max_lines,
        }
        .into())
    }

    fn goodbye(&self) -> &'static [u8] {
        b"QUIT\r\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::dialogue::lines;

    #[test]
    fn postfix_ehlo_on_587_before_tls() {
        let reply = parse_reply(&lines(
            "250-mail.example.jp\n250-PIPELINING\n250-SIZE 10240000\n250-VRFY\n250-ETRN\n250-STARTTLS\n250-ENHANCEDSTATUSCODES\n250-8BITMIME\n250-DSN\n250-SMTPUTF8\n250 CHUNKING",
        ))
        .unwrap();
        let caps = parse_ehlo(&reply);
        assert!(caps.starttls);
        assert!(caps.auth.is_empty());
        assert!(caps.list.contains(&"SMTPUTF8".to_string()));
        assert!(caps.list.contains(&"SIZE 10240000".to_string()));
        assert!(!caps.list.contains(&"mail.example.jp".to_string()));
    }

    #[test]
    fn gmail_ehlo_after_tls_with_both_auth_forms() {
        let reply = parse_reply(&lines(
            "250-smtp.gmail.com at your service, [192.0.2.1]\n250-SIZE 35882577\n250-8BITMIME\n250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\n250-AUTH=LOGIN PLAIN\n250-ENHANCEDSTATUSCODES\n250-PIPELINING\n250 SMTPUTF8",
        ))
        .unwrap();
        let caps = parse_ehlo(&reply);
        assert_eq!(
            caps.auth,
            [
                "LOGIN",
                "PLAIN",
                "XOAUTH2",
                "PLAIN-CLIENTTOKEN",
                "OAUTHBEARER",
                "XOAUTH"
            ]
        );
        assert!(!caps.starttls);
    }

    #[test]
    fn auth_replies() {
        let ok = login_reply(&parse_reply(&lines("235 2.7.0 Authentication successful")).unwrap());
        assert!(ok.accepted);
        assert_eq!(ok.codes, ["2.7.0"]);
        let wrong = login_reply(
            &parse_reply(&lines(
                "535 5.7.8 Error: authentication failed: authentication failure",
            ))
            .unwrap(),
        );
        assert!(!wrong.accepted);
        assert_eq!(
            (wrong.code, wrong.codes.as_slice()),
            (535, &["5.7.8".to_string()][..])
        );
        let gmail = login_reply(
            &parse_reply(&lines("534-5.7.9 Application-specific password required. For more information, go to\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor")).unwrap(),
        );
        assert_eq!(gmail.code, 534);
        assert!(
            gmail
                .text
                .contains("Application-specific password required")
        );
        let unknown = login_reply(
            &parse_reply(&lines("504 5.5.4 Unrecognized authentication type")).unwrap(),
        );
        assert!(unknown.unsupported);
        let plain = login_reply(&parse_reply(&lines("535 Authentication failed")).unwrap());
        assert!(plain.codes.is_empty());
        assert!(
            !is_enhanced_code("5.7") && !is_enhanced_code("x.7.8") && is_enhanced_code("5.7.139")
        );
    }

    #[test]
    fn multi_line_greeting_and_bad_lines() {
        let reply =
            parse_reply(&lines("220-smtp.example.jp ESMTP\n220-no UCE\n220 ready")).unwrap();
        assert_eq!(reply.code, 220);
        assert_eq!(reply.lines.len(), 3);
        assert!(matches!(
            parse_reply(&lines("220-a\n250 b")),
            Err(StepError::NotProtocol(_))
        ));
        assert!(matches!(
            parse_reply(&lines("* OK IMAP")),
            Err(StepError::NotProtocol(_))
        ));
        assert_eq!(parse_reply_line("554"), Some((554, true, "")));
        assert_eq!(parse_reply_line("220x"), None);
        assert_eq!(parse_reply_line("999 nope"), None);
    }
}
