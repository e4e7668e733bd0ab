//! What the login step of a dialogue needs and returns (only `check` logs in; a probe
//! never does): the credentials, with a password that cannot be printed; the mechanism,
//! chosen from what the server offered on the encrypted connection; the server's verdict,
//! read by pure per-protocol parsers (`imap::parse_login_reply`, …) so it can be fuzzed.

use super::dialogue::Capabilities;
use crate::model::Protocol;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// A password. Its Debug and Display print `***`, it is wiped from memory when dropped,
/// and the only way to the characters is [`Secret::expose`], used where bytes go onto an
/// encrypted connection.
pub struct Secret(String);

impl Secret {
    pub fn new(text: String) -> Secret {
        Secret(text)
    }

    /// The password itself. Call only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Who logs in.
#[derive(Debug)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

/// How the password is sent (always inside TLS, unless `--allow-plaintext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// SASL PLAIN (RFC 4616): IMAP AUTHENTICATE, POP3 AUTH, SMTP AUTH.
    Plain,
    /// SASL LOGIN (the user name, then the password, each base64 on request).
    Login,
    /// The IMAP LOGIN command.
    ImapLogin,
    /// POP3 USER and PASS (RFC 1939).
    Pop3User,
}

impl Mechanism {
    /// The name scripts see in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::ImapLogin => "IMAP LOGIN",
            Mechanism::Pop3User => "USER/PASS",
        }
    }
}

/// No mechanism mailcfg can use was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoMechanism {
    /// What the server offered instead (SASL names, upper case).
    pub offered: Vec<String>,
    /// Everything offered is OAuth 2.0 (XOAUTH2, OAUTHBEARER): the provider wants a
    /// browser sign-in, not a password.
    pub oauth_only: bool,
}

/// The mechanism for one attempt, from what the server offered on this connection:
/// SASL PLAIN first (one round trip, and inside TLS no weaker than any other), then SASL
/// LOGIN, then the protocol's own command. One mechanism, one attempt: a failed login is
/// never retried another way (account lockouts count attempts).
pub fn choose_mechanism(protocol: Protocol, caps: &Capabilities) -> Result<Mechanism, NoMechanism> {
    let offers = |m: &str| caps.auth.iter().any(|a| a == m);
    if offers("PLAIN") {
        return Ok(Mechanism::Plain);
    }
    if offers("LOGIN") {
        return Ok(Mechanism::Login);
    }
    let fallback = match protocol {
        Protocol::Imap => (!caps.login_disabled).then_some(Mechanism::ImapLogin),
        // No CAPA at all (an RFC 1939 server) still takes USER; a CAPA without USER does not.
        Protocol::Pop3 => (caps.list.is_empty()
            || caps.list.iter().any(|l| l.eq_ignore_ascii_case("USER")))
        .then_some(Mechanism::Pop3User),
        Protocol::Smtp => None,
    };
    fallback.ok_or_else(|| NoMechanism {
        offered: caps.auth.clone(),
        oauth_only: !caps.auth.is_empty()
            && caps
                .auth
                .iter()
                .all(|m| matches!(m.as_str(), "XOAUTH2" | "OAUTHBEARER" | "XOAUTH")),
    })
}

/// The SASL responses for `mechanism`, base64, in the order the server asks for them
/// (PLAIN: one; LOGIN: the user name, then the password). Wiped when dropped.
pub fn sasl_responses(mechanism: Mechanism, credentials: &Credentials) -> Vec<Zeroizing<String>> {
    let password = credentials.password.expose();
    match mechanism {
        Mechanism::Plain => {
            // authzid (empty) NUL authcid NUL passwd
            let mut raw = Zeroizing::new(Vec::with_capacity(
                credentials.username.len() + password.len() + 2,
            ));
            raw.push(0);
            raw.extend_from_slice(credentials.username.as_bytes());
            raw.push(0);
            raw.extend_from_slice(password.as_bytes());
            vec![Zeroizing::new(STANDARD.encode(raw.as_slice()))]
        }
        Mechanism::Login => vec![
            Zeroizing::new(STANDARD.encode(credentials.username.as_bytes())),
            Zeroizing::new(STANDARD.encode(password.as_bytes())),
        ],
        Mechanism::ImapLogin | Mechanism::Pop3User => Vec::new(),
    }
}

/// The server's verdict on a login, as its protocol states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginReply {
    pub accepted: bool,
    /// The SMTP reply code (235, 535, 534 …); 0 for IMAP and POP3.
    pub code: u16,
    /// Response codes, upper case: IMAP `[AUTHENTICATIONFAILED]`, POP3 `[AUTH]`
    /// (RFC 3206), SMTP enhanced status codes (`5.7.8`).
    pub codes: Vec<String>,
    /// What the server said (every line of the reply, joined; bounded).
    pub text: String,
    /// The server answered a command it should have taken with a protocol error (IMAP
    /// BAD, SMTP 500/501/502/504): it does not know the mechanism or the command.
    pub unsupported: bool,
}

impl LoginReply {
    pub fn rejected(text: String) -> LoginReply {
        LoginReply {
            accepted: false,
            code: 0,
            codes: Vec::new(),
            text,
            unsupported: false,
        }
    }
}

/// The bracketed response code at the start of `text` (`[AUTH] bad password` → `AUTH`),
/// upper case, without arguments (`[SYS/TEMP]`, `[ALERT]`).
pub fn response_code(text: &str) -> Option<String> {
    let inner = text.trim_start().strip_prefix('[')?;
    let inner = &inner[..inner.find(']')?];
    let word = inner.split(' ').next().unwrap_or("");
    (!word.is_empty()).then(|| word.to_ascii_uppercase())
}

/// The longest a reply's text is kept.
pub const REPLY_TEXT_MAX: usize = 300;

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(auth: &[&str], list: &[&str], login_disabled: bool) -> Capabilities {
        Capabilities {
            list: list.iter().map(|s| s.to_string()).collect(),
            auth: auth.iter().map(|s| s.to_string()).collect(),
            starttls: false,
            login_disabled,
        }
    }

    fn creds() -> Credentials {
        Credentials {
            username: "alice".into(),
            password: Secret::new("s3cret-Ω".into()),
        }
    }

    #[test]
    fn secrets_never_print() {
        let c = creds();
        assert_eq!(format!("{}", c.password), "***");
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("alice"));
    }

    #[test]
    fn plain_is_preferred_then_login_then_the_protocol_command() {
        let imap =
            |auth: &[&str], disabled| choose_mechanism(Protocol::Imap, &caps(auth, &[], disabled));
        assert_eq!(imap(&["LOGIN", "PLAIN"], false), Ok(Mechanism::Plain));
        assert_eq!(imap(&["CRAM-MD5", "LOGIN"], false), Ok(Mechanism::Login));
        assert_eq!(imap(&["CRAM-MD5"], false), Ok(Mechanism::ImapLogin));
        assert_eq!(
            imap(&[], true),
            Err(NoMechanism {
                offered: vec![],
                oauth_only: false
            })
        );
        let pop3 = |auth: &[&str], list: &[&str]| {
            choose_mechanism(Protocol::Pop3, &caps(auth, list, false))
        };
        assert_eq!(pop3(&[], &["USER", "TOP"]), Ok(Mechanism::Pop3User));
        assert_eq!(pop3(&[], &[]), Ok(Mechanism::Pop3User));
        assert!(pop3(&[], &["TOP", "SASL"]).is_err());
        let smtp = choose_mechanism(
            Protocol::Smtp,
            &caps(&["XOAUTH2", "OAUTHBEARER"], &[], false),
        );
        assert_eq!(
            smtp,
            Err(NoMechanism {
                offered: vec!["XOAUTH2".into(), "OAUTHBEARER".into()],
                oauth_only: true
            })
        );
        assert!(
            !choose_mechanism(Protocol::Smtp, &caps(&["CRAM-MD5"], &[], false))
                .unwrap_err()
                .oauth_only
        );
    }

    #[test]
    fn sasl_plain_and_login_encodings() {
        let c = Credentials {
            username: "alice".into(),
            password: Secret::new("secret".into()),
        };
        let plain = sasl_responses(Mechanism::Plain, &c);
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].as_str(), "AGFsaWNlAHNlY3JldA==");
        let login = sasl_responses(Mechanism::Login, &c);
        assert_eq!(login[0].as_str(), "YWxpY2U=");
        assert_eq!(login[1].as_str(), "c2VjcmV0");
    }

    #[test]
    fn response_codes() {
        assert_eq!(
            response_code("[AUTH] Authentication failed.").as_deref(),
            Some("AUTH")
        );
        assert_eq!(
            response_code("[SYS/TEMP] busy").as_deref(),
            Some("SYS/TEMP")
        );
        assert_eq!(
            response_code("[ALERT] Application-specific password required").as_deref(),
            Some("ALERT")
        );
        assert_eq!(response_code("no code"), None);
        assert_eq!(response_code("[unclosed"), None);
        assert_eq!(response_code("[]"), None);
    }
}
