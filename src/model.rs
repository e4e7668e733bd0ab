//! The vocabulary every part of mailcfg shares: protocols, connection security, endpoints,
//! username forms, authentication methods and where a claim came from.
//!
//! These types carry no behaviour beyond small, obvious helpers; discovery produces
//! [`Candidate`]s, the probe engine checks [`Endpoint`]s, and the report renders both.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A mail access protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Imap,
    Pop3,
    Smtp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Imap, Protocol::Pop3, Protocol::Smtp];

    /// The standard ports, best first (RFC 8314: implicit TLS before STARTTLS).
    /// Port 25 is last: it is for relaying between servers, and many networks block it (OP25B).
    pub fn standard_ports(self) -> &'static [u16] {
        match self {
            Protocol::Imap => &[993, 143],
            Protocol::Pop3 => &[995, 110],
            Protocol::Smtp => &[465, 587, 25],
        }
    }

    /// The security a client should expect on a port when nothing else is known:
    /// implicit TLS on the RFC 8314 ports, STARTTLS (or plain) elsewhere.
    pub fn default_security(self, port: u16) -> Security {
        match (self, port) {
            (Protocol::Imap, 993) | (Protocol::Pop3, 995) | (Protocol::Smtp, 465) => Security::Tls,
            _ => Security::Starttls,
        }
    }

    /// SMTP on port 25: the port servers relay mail between themselves on, blocked for
    /// clients on many networks (OP25B). Never a setting for a mail client.
    pub fn is_relay_port(self, port: u16) -> bool {
        self == Protocol::Smtp && port == RELAY_PORT
    }

    /// Incoming (IMAP, POP3) or outgoing (SMTP).
    pub fn is_incoming(self) -> bool {
        self.direction() == Direction::Incoming
    }

    pub fn direction(self) -> Direction {
        match self {
            Protocol::Imap | Protocol::Pop3 => Direction::Incoming,
            Protocol::Smtp => Direction::Outgoing,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Smtp => "smtp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
            Protocol::Smtp => "SMTP",
        })
    }
}

/// The port mail servers relay to each other on (SMTP).
pub const RELAY_PORT: u16 = 25;

/// Which way mail goes: fetched by the client (IMAP, POP3) or sent by it (SMTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    pub const BOTH: [Direction; 2] = [Direction::Incoming, Direction::Outgoing];

    /// The protocols of this direction, the preferred first.
    pub fn protocols(self) -> &'static [Protocol] {
        match self {
            Direction::Incoming => &[Protocol::Imap, Protocol::Pop3],
            Direction::Outgoing => &[Protocol::Smtp],
        }
    }
}

/// How a connection is protected. The declaration order is the RFC 8314 preference order,
/// so sorting by `Security` puts the best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte ("SSL/TLS" in most clients).
    Tls,
    /// A plain connection upgraded with STARTTLS / STLS.
    Starttls,
    /// No encryption at all.
    Plain,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::Plain => "plain",
        }
    }

    /// The words mail clients use for this setting.
    pub fn label(self) -> &'static str {
        match self {
            Security::Tls => "SSL/TLS",
            Security::Starttls => "STARTTLS",
            Security::Plain => "None",
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One server a client could be configured with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Endpoint {
    pub protocol: Protocol,
    /// Lower-case ASCII (A-label) host name, or an IP address literal.
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// What the user types into the "user name" field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "form", content = "template")]
pub enum UsernameForm {
    /// The whole address, `user@example.com`.
    EmailAddress,
    /// The part before `@`.
    LocalPart,
    /// A template with Thunderbird placeholders (`%EMAILADDRESS%`, `%EMAILLOCALPART%`,
    /// `%EMAILDOMAIN%`), or a literal name.
    Template(String),
    /// An account ID the provider issues that cannot be derived from the address
    /// (docomo's d-account ID, for example).
    ProviderAssigned,
}

impl UsernameForm {
    /// The username for `address`, or `None` when the provider assigns it.
    pub fn render(&self, local_part: &str, domain: &str) -> Option<String> {
        match self {
            UsernameForm::EmailAddress => Some(format!("{local_part}@{domain}")),
            UsernameForm::LocalPart => Some(local_part.to_string()),
            UsernameForm::Template(t) => Some(expand_placeholders(t, local_part, domain)),
            UsernameForm::ProviderAssigned => None,
        }
    }

    /// Read a Thunderbird-style username template, recognising the two common forms.
    pub fn from_template(template: &str) -> UsernameForm {
        match template.trim() {
            "%EMAILADDRESS%" => UsernameForm::EmailAddress,
            "%EMAILLOCALPART%" => UsernameForm::LocalPart,
            other => UsernameForm::Template(other.to_string()),
        }
    }
}

/// Replace Thunderbird's placeholders in `template`.
pub fn expand_placeholders(template: &str, local_part: &str, domain: &str) -> String {
    template
        .replace("%EMAILADDRESS%", &format!("{local_part}@{domain}"))
        .replace("%EMAILLOCALPART%", local_part)
        .replace("%EMAILDOMAIN%", domain)
}

/// How the user proves who they are. The vocabulary of Thunderbird's autoconfig
/// `<authentication>` element, plus the provider-table policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// The account password, sent inside TLS (PLAIN / LOGIN).
    PasswordCleartext,
    /// A challenge-response mechanism (CRAM-MD5, DIGEST-MD5, SCRAM).
    PasswordEncrypted,
    /// A password generated for this one client; the account password is refused.
    AppPassword,
    /// OAuth 2.0 (XOAUTH2 / OAUTHBEARER); the client opens a browser sign-in.
    #[serde(rename = "oauth2")]
    OAuth2,
    Ntlm,
    Gssapi,
    TlsClientCert,
    ClientIpAddress,
    /// No authentication (e.g. SMTP relay by network).
    None,
}

impl AuthMethod {
    /// Parse an autoconfig `<authentication>` value or a provider-table name.
    pub fn parse(value: &str) -> Option<AuthMethod> {
        Some(match value.trim().to_ascii_lowercase().as_str() {
            "password-cleartext" | "plain" | "password" => AuthMethod::PasswordCleartext,
            "password-encrypted" | "secure" => AuthMethod::PasswordEncrypted,
            "app-password" => AuthMethod::AppPassword,
            "oauth2" => AuthMethod::OAuth2,
            "ntlm" => AuthMethod::Ntlm,
            "gssapi" => AuthMethod::Gssapi,
            "tls-client-cert" => AuthMethod::TlsClientCert,
            "client-ip-address" => AuthMethod::ClientIpAddress,
            "none" => AuthMethod::None,
            _ => return None,
        })
    }

    /// The methods a server's SASL mechanism list makes possible.
    pub fn from_sasl(mechanisms: &[String]) -> Vec<AuthMethod> {
        let mut out = Vec::new();
        for mech in mechanisms {
            let method = match mech.to_ascii_uppercase().as_str() {
                "PLAIN" | "LOGIN" => AuthMethod::PasswordCleartext,
                "CRAM-MD5" | "DIGEST-MD5" | "SCRAM-SHA-1" | "SCRAM-SHA-256" | "APOP" => {
                    AuthMethod::PasswordEncrypted
                }
                "XOAUTH2" | "OAUTHBEARER" => AuthMethod::OAuth2,
                "NTLM" => AuthMethod::Ntlm,
                "GSSAPI" => AuthMethod::Gssapi,
                "EXTERNAL" => AuthMethod::TlsClientCert,
                _ => continue,
            };
            if !out.contains(&method) {
                out.push(method);
            }
        }
        out.sort();
        out
    }
}

/// Where a candidate setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The bundled provider table.
    Provider,
    /// Thunderbird autoconfig served by the domain.
    Autoconfig,
    /// Thunderbird's ISP database (or a mirror given by `--ispdb-url`).
    Ispdb,
    /// The domain's MX record matched a provider or led to another domain's configuration.
    Mx,
    /// RFC 6186 / RFC 8314 SRV records.
    Srv,
    /// Microsoft autodiscover (POX), fetched without credentials.
    Autodiscover,
    /// A name the certificate of a server in the domain is valid for (shared hosting: the
    /// hoster's certificate names its own server), or the canonical name of an alias.
    Certificate,
    /// A guessed host name (imap.<domain>, mail.<domain>, …).
    Guess,
}

impl SourceKind {
    /// The name scripts see in JSON (schema 1): part of the contract, never renamed.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Provider => "provider",
            SourceKind::Autoconfig => "autoconfig",
            SourceKind::Ispdb => "ispdb",
            SourceKind::Mx => "mx",
            SourceKind::Srv => "srv",
            SourceKind::Autodiscover => "autodiscover",
            SourceKind::Certificate => "certificate",
            SourceKind::Guess => "guess",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source together with the detail that lets a person check it
/// (the provider id, the URL fetched, the DNS record).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    pub detail: String,
    /// False when the claim travelled over a channel an attacker could alter
    /// (plain http, unsigned DNS, guessing): a host outside the user's domain from such a
    /// source must be confirmed by the user.
    pub authenticated: bool,
}

/// A note for the user, in every language mailcfg speaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Note {
    pub en: String,
    pub ja: String,
    /// The step of a mail client's setup the note is about (the client guides put it
    /// there); `None`: at sign-in (user name, password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<NoteStep>,
}

/// Where in a client's setup a note matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteStep {
    /// Something to do first, outside the mail client (turn on IMAP, allow mail apps).
    Before,
    /// The user name and password.
    SignIn,
    /// The incoming server.
    Incoming,
    /// The outgoing server.
    Outgoing,
}

impl Note {
    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Note {
        Note {
            en: en.into(),
            ja: ja.into(),
            step: None,
        }
    }

    /// The same note, about `step`.
    pub fn at(mut self, step: Option<NoteStep>) -> Note {
        self.step = step;
        self
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// The language of labels and notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

/// A setting some source claims; the probe engine confirms or contradicts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub endpoint: Endpoint,
    pub username: UsernameForm,
    /// Authentication the source says the server takes; empty when the source does not say.
    pub auth: Vec<AuthMethod>,
    pub sources: Vec<Source>,
    /// Notes the source attaches (provider advice, autoconfig `<instruction>`s).
    pub notes: Vec<Note>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_sorts_in_rfc8314_order() {
        let mut v = vec![Security::Plain, Security::Tls, Security::Starttls];
        v.sort();
        assert_eq!(v, [Security::Tls, Security::Starttls, Security::Plain]);
    }

    #[test]
    fn username_templates_expand() {
        let form = UsernameForm::from_template("%EMAILLOCALPART%+mail@%EMAILDOMAIN%");
        assert_eq!(
            form.render("taro", "example.jp").as_deref(),
            Some("taro+mail@example.jp")
        );
        assert_eq!(
            UsernameForm::from_template("%EMAILADDRESS%"),
            UsernameForm::EmailAddress
        );
        assert_eq!(UsernameForm::ProviderAssigned.render("a", "b"), None);
    }

    #[test]
    fn sasl_mechanisms_map_to_methods() {
        let mechs: Vec<String> = [
            "PLAIN",
            "LOGIN",
            "XOAUTH2",
            "OAUTHBEARER",
            "CRAM-MD5",
            "X-UNKNOWN",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            AuthMethod::from_sasl(&mechs),
            [
                AuthMethod::PasswordCleartext,
                AuthMethod::PasswordEncrypted,
                AuthMethod::OAuth2
            ]
        );
    }

    #[test]
    fn implicit_tls_ports_are_known() {
        assert_eq!(Protocol::Imap.default_security(993), Security::Tls);
        assert_eq!(Protocol::Smtp.default_security(587), Security::Starttls);
        assert_eq!(Protocol::Smtp.standard_ports().last(), Some(&25));
    }
}
