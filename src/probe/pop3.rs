//! POP3 (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595): greeting, CAPA, STLS, AUTH
//! (RFC 5034) or USER/PASS (for `check` only), QUIT.
//!
//! The parsers are pure functions over lines; the async functions only move lines.

use super::conn::{Conn, ConnError};
use super::dialogue::{Capabilities, Dialogue, Greeting, StepError, excerpt, identify_foreign};
use super::login::{
    Credentials, LoginReply, Mechanism, REPLY_TEXT_MAX, response_code, sasl_responses,
};
use tokio::time::Instant;
use zeroize::Zeroizing;

/// `+OK …` is a POP3 greeting; `-ERR …` a POP3 server refusing the session.
pub fn parse_greeting(line: &str) -> Result<Greeting, StepError> {
    match status(line) {
        Some(true) => Ok(Greeting {
            text: excerpt(line, 300),
            capabilities: None,
        }),
        Some(false) => Err(StepError::Rejected(format!(
            "the server refused the session: {}",
            excerpt(line, 200)
        ))),
        None => Err(StepError::NotProtocol(identify_foreign(line))),
    }
}

/// Some(true) for `+OK`, Some(false) for `-ERR`, None for anything else.
fn status(line: &str) -> Option<bool> {
    let word = line.split(' ').next().unwrap_or("");
    if word.eq_ignore_ascii_case("+OK") {
        Some(true)
    } else if word.eq_ignore_ascii_case("-ERR") {
        Some(false)
    } else {
        None
    }
}

/// Parse the lines of a CAPA listing (between `+OK` and the terminating `.`).
pub fn parse_capa(lines: &[String]) -> Capabilities {
    let mut caps = Capabilities::default();
    let mut user = false;
    for line in lines {
        // Dot-stuffing (RFC 1939 §3): a leading ".." stands for ".".
        let line = line
            .strip_prefix('.')
            .filter(|l| l.starts_with('.'))
            .unwrap_or(line);
        let mut words = line.split_ascii_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        match keyword.to_ascii_uppercase().as_str() {
            "SASL" => {
                for mech in words {
                    let mech = mech.to_ascii_uppercase();
                    if !caps.auth.contains(&mech) {
                        caps.auth.push(mech);
                    }
                }
            }
            "STLS" => caps.starttls = true,
            "USER" => user = true,
            _ => {}
        }
        caps.list.push(line.to_string());
    }
    // A server that lists CAPA but neither USER nor SASL takes no password here
    // (Dovecot does this before TLS when plaintext authentication is disabled).
    caps.login_disabled = !user && caps.auth.is_empty();
    caps
}

/// Parse the server's answer to USER, PASS or AUTH: `+OK` or `-ERR`, with the RFC 3206
/// response code (`[AUTH]`, `[SYS/TEMP]`, `[IN-USE]`) when there is one. Pure, for the
/// fuzzer.
pub fn parse_login_reply(line: &str) -> Result<LoginReply, StepError> {
    let accepted = status(line).ok_or_else(|| StepError::NotProtocol(identify_foreign(line)))?;
    let text = line.split_once(' ').map(|(_, t)| t).unwrap_or("");
    Ok(LoginReply {
        accepted,
        code: 0,
        codes: response_code(text).into_iter().collect(),
        text: excerpt(text, REPLY_TEXT_MAX),
        unsupported: false,
    })
}

/// A SASL continuation request (`+ ` and base64, or a bare `+`), as opposed to `+OK`.
fn is_continuation(line: &str) -> bool {
    line == "+" || line.starts_with("+ ")
}

/// POP3's side of the probe dialogue.
pub struct Pop3;

impl Dialogue for Pop3 {
    async fn greeting(&self, conn: &mut Conn, deadline: Instant) -> Result<Greeting, StepError> {
        let line = conn.read_line(deadline).await?;
        parse_greeting(&line)
    }

    fn is_greeting(&self, line: &str) -> bool {
        parse_greeting(line).is_ok()
    }

    /// CAPA. A server that answers `-ERR` predates RFC 2449: it has no capability list,
    /// which is reported as an empty list rather than a failure.
    async fn capabilities(
        &self,
        conn: &mut Conn,
        _greeting: Option<&Greeting>,
        _client_name: &str,
        deadline: Instant,
    ) -> Result<Capabilities, StepError> {
        conn.write(b"CAPA\r\n", deadline).await?;
        let first = conn.read_line(deadline).await?;
        match status(&first) {
            Some(true) => {}
            Some(false) => return Ok(Capabilities::default()),
            None => return Err(StepError::NotProtocol(identify_foreign(&first))),
        }
        let max = conn.limits().max_lines;
        let mut lines = Vec::new();
        loop {
            let line = conn.read_line(deadline).await?;
            if line == "." {
                return Ok(parse_capa(&lines));
            }
            if lines.len() >= max {
                return Err(ConnError::TooManyLines { limit: max }.into());
            }
            lines.push(line);
        }
    }

    async fn starttls(&self, conn: &mut Conn, deadline: Instant) -> Result<(), StepError> {
        conn.write(b"STLS\r\n", deadline).await?;
        let line = conn.read_line(deadline).await?;
        match status(&line) {
            Some(true) => Ok(()),
            Some(false) => Err(StepError::Rejected(format!(
                "STLS was refused: {}",
                excerpt(&line, 200)
            ))),
            None => Err(StepError::NotProtocol(identify_foreign(&line))),
        }
    }

    async fn login(
        &self,
        conn: &mut Conn,
        _caps: &Capabilities,
        mechanism: Mechanism,
        credentials: &Credentials,
        deadline: Instant,
    ) -> Result<LoginReply, StepError> {
        if matches!(mechanism, Mechanism::Pop3User | Mechanism::ImapLogin) {
            let user = format!("USER {}\r\n", credentials.username);
            conn.write(user.as_bytes(), deadline).await?;
            let reply = parse_login_reply(&conn.read_line(deadline).await?)?;
            if !reply.accepted {
                return Ok(reply);
            }
            let pass = Zeroizing::new(format!("PASS {}\r\n", credentials.password.expose()));
            conn.write(pass.as_bytes(), deadline).await?;
            return parse_login_reply(&conn.read_line(deadline).await?);
        }
        let mut parts = sasl_responses(mechanism, credentials).into_iter();
        // PLAIN goes with the command (RFC 5034 initial response); LOGIN answers prompts.
        let command = match mechanism {
            Mechanism::Plain => match parts.next() {
                Some(first) => Zeroizing::new(format!("AUTH PLAIN {}\r\n", *first)),
                None => Zeroizing::new("AUTH PLAIN\r\n".to_string()),
            },
            _ => Zeroizing::new("AUTH LOGIN\r\n".to_string()),
        };
        conn.write(command.as_bytes(), deadline).await?;
        for _ in 0..conn.limits().max_lines {
            let line = conn.read_line(deadline).await?;
            if !is_continuation(&line) {
                return parse_login_reply(&line);
            }
            match parts.next() {
                Some(part) => {
                    let out = Zeroizing::new(format!("{}\r\n", *part));
                    conn.write(out.as_bytes(), deadline).await?;
                }
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
    fn greetings() {
        assert_eq!(
            parse_greeting("+OK Dovecot (Debian) ready.").unwrap().text,
            "+OK Dovecot (Debian) ready."
        );
        assert!(parse_greeting("+OK <1896.697170952@dbc.mtview.ca.us>").is_ok());
        assert!(matches!(
            parse_greeting("-ERR [SYS/TEMP] too busy"),
            Err(StepError::Rejected(_))
        ));
        assert!(matches!(
            parse_greeting("* OK IMAP4rev1 ready"),
            Err(StepError::NotProtocol(_))
        ));
        assert!(matches!(
            parse_greeting("+OKAY"),
            Err(StepError::NotProtocol(_))
        ));
    }

    #[test]
    fn dovecot_capa_before_tls_without_plaintext_auth() {
        let caps = parse_capa(&lines(
            "CAPA\nTOP\nUIDL\nRESP-CODES\nPIPELINING\nAUTH-RESP-CODE\nSTLS\nSASL",
        ));
        assert!(caps.starttls);
        assert!(caps.auth.is_empty());
        assert!(caps.login_disabled);
    }

    #[test]
    fn dovecot_capa_after_tls() {
        let caps = parse_capa(&lines(
            "CAPA\nTOP\nUIDL\nRESP-CODES\nPIPELINING\nAUTH-RESP-CODE\nUSER\nSASL PLAIN LOGIN",
        ));
        assert_eq!(caps.auth, ["PLAIN", "LOGIN"]);
        assert!(!caps.starttls);
        assert!(!caps.login_disabled);
        assert!(caps.list.contains(&"SASL PLAIN LOGIN".to_string()));
    }

    #[test]
    fn gmail_style_capa_with_xoauth2() {
        let caps = parse_capa(&lines(
            "USER\nRESP-CODES\nEXPIRE 0\nLOGIN-DELAY 300\nTOP\nUIDL\nX-GOOGLE-RICO\nSASL PLAIN XOAUTH2 OAUTHBEARER",
        ));
        assert_eq!(caps.auth, ["PLAIN", "XOAUTH2", "OAUTHBEARER"]);
    }

    #[test]
    fn login_replies() {
        let ok = parse_login_reply("+OK Logged in.").unwrap();
        assert!(ok.accepted);
        let wrong = parse_login_reply("-ERR [AUTH] Authentication failed.").unwrap();
        assert!(!wrong.accepted);
        assert_eq!(wrong.codes, ["AUTH"]);
        assert_eq!(wrong.text, "[AUTH] Authentication failed.");
        let busy = parse_login_reply("-ERR [SYS/TEMP] try later").unwrap();
        assert_eq!(busy.codes, ["SYS/TEMP"]);
        assert!(parse_login_reply("-ERR").unwrap().text.is_empty());
        assert!(matches!(
            parse_login_reply("* OK imap"),
            Err(StepError::NotProtocol(_))
        ));
        assert!(is_continuation("+ VXNlcm5hbWU6") && is_continuation("+"));
        assert!(!is_continuation("+OK"));
    }

    #[test]
    fn dot_stuffed_lines_are_unstuffed() {
        let caps = parse_capa(&lines("..X-ODD"));
        assert_eq!(caps.list, [".X-ODD"]);
    }
}
