//! Microsoft autodiscover, "plain old XML" (POX) flavour: the request body and a parser for
//! the response. Pure, no I/O; the request never carries credentials.
//!
//! The XML front end (decoding, DTD refusal, depth and size caps) is [`super::xml`], shared
//! with the autoconfig parser, as are the candidate helpers of [`super::autoconfig_xml`].
//! Elements are matched by local name, so any namespace (or none, or prefixes) is accepted.
//!
//! # Security mapping
//!
//! `Encryption`, when present and understood, wins over `SSL`:
//!
//! | `Encryption` | port given                                   | port absent           |
//! |--------------|----------------------------------------------|-----------------------|
//! | `None`       | plain                                        | plain, 143/110/587    |
//! | `SSL`        | tls                                          | tls, 993/995/465      |
//! | `TLS`        | tls on 993/995/465, else starttls            | starttls, 143/110/587 |
//! | `Auto`       | tls on 993/995/465, else starttls            | tls, 993/995/465      |
//!
//! Without a usable `Encryption`: `SSL` `off` → plain (port absent: 143/110/587); `SSL` `on`
//! or absent (the schema's default is on) → as `Auto`.
//! ("TLS" in Outlook's vocabulary is STARTTLS, but some servers write it for implicit-TLS
//! ports, hence the port rule.)
//!
//! # Authentication mapping
//!
//! `SPA` `on` → password-encrypted; `SPA` `off` → password-cleartext; for SMTP,
//! `AuthRequired` `off` → none. Neither element → empty (the response does not say).
//! `UsePOPAuth` `on` on an SMTP entry without `LoginName` borrows the POP3 (else IMAP)
//! login name. `DomainRequired` is not used.

use super::autoconfig_xml::{MAX_SERVERS, normalize_host, push_candidate, standard_port};
use super::xml::{Element, XmlError, clean_text, decode_xml, parse_tree};
use crate::model::{AuthMethod, Candidate, Endpoint, Protocol, Security, Source, UsernameForm};
use serde::Serialize;

const REQUEST_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
const RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/// What an autodiscover server answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AutodiscoverResponse {
    /// The IMAP, POP3 and SMTP entries, in document order (EXCH, EXPR, WEB, … left out).
    Settings(Vec<AutodiscoverServer>),
    /// Ask again for this address (`Action` `redirectAddr`).
    RedirectAddr(String),
    /// Ask again at this URL (`Action` `redirectUrl`). Not checked here: the caller must
    /// insist on https and bound the number of redirects.
    RedirectUrl(String),
    /// An `<Error>` response.
    Error {
        code: Option<String>,
        message: Option<String>,
    },
}

/// One `<Protocol>` entry of type IMAP, POP3 or SMTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutodiscoverServer {
    pub protocol: Protocol,
    /// Lower-cased, without a trailing dot.
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub login_name: Option<String>,
    pub auth: Vec<AuthMethod>,
}

/// Why a response was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutodiscoverError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("not an autodiscover response: the root element is <{0}>, not <Autodiscover>")]
    NotAutodiscover(String),
    #[error("invalid autodiscover response: {0}")]
    Invalid(String),
}

/// The POX request body for `email`, XML-escaped. Never includes credentials.
pub fn request_body(email: &str) -> String {
    let mut escaped = String::with_capacity(email.len());
    for c in email.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all (controls) are dropped.
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <Autodiscover xmlns=\"{REQUEST_SCHEMA}\">\
         <Request>\
         <EMailAddress>{escaped}</EMailAddress>\
         <AcceptableResponseSchema>{RESPONSE_SCHEMA}</AcceptableResponseSchema>\
         </Request>\
         </Autodiscover>"
    )
}

/// Parse a POX autodiscover response.
pub fn parse(bytes: &[u8]) -> Result<AutodiscoverResponse, AutodiscoverError> {
    let text = decode_xml(bytes)?;
    let root = parse_tree(&text)?;
    if root.name != "Autodiscover" {
        return Err(AutodiscoverError::NotAutodiscover(clean_text(
            &root.name, 64,
        )));
    }
    let response = root
        .child("Response")
        .ok_or_else(|| AutodiscoverError::Invalid("no <Response> element".to_string()))?;

    let accounts: Vec<&Element> = response.children_named("Account").collect();
    let mut entries: Vec<Entry> = Vec::new();
    for account in &accounts {
        let action = account
            .child_text("Action")
            .unwrap_or("")
            .to_ascii_lowercase();
        let redirect_addr = account.child_text("RedirectAddr").filter(|s| !s.is_empty());
        let redirect_url = account.child_text("RedirectUrl").filter(|s| !s.is_empty());
        match action.as_str() {
            "redirectaddr" => return redirect_address(redirect_addr),
            "redirecturl" => return redirect_to_url(redirect_url),
            "" if redirect_addr.is_some() => return redirect_address(redirect_addr),
            "" if redirect_url.is_some() => return redirect_to_url(redirect_url),
            _ => {}
        }
        for protocol in account.children_named("Protocol") {
            if entries.len() >= MAX_SERVERS {
                break;
            }
            if let Some(entry) = read_protocol(protocol) {
                entries.push(entry);
            }
        }
    }

    if entries.is_empty() {
        let error = response
            .child("Error")
            .or_else(|| accounts.iter().find_map(|a| a.child("Error")));
        if let Some(error) = error {
            let field = |name: &str| {
                error
                    .child_text(name)
                    .map(|t| clean_text(t, 500))
                    .filter(|t| !t.is_empty())
            };
            return Ok(AutodiscoverResponse::Error {
                code: field("ErrorCode"),
                message: field("Message"),
            });
        }
    }

    // UsePOPAuth: SMTP signs in with the incoming server's credentials.
    let incoming_login = [Protocol::Pop3, Protocol::Imap]
        .iter()
        .find_map(|&protocol| {
            entries
                .iter()
                .find(|e| e.server.protocol == protocol)
                .and_then(|e| e.server.login_name.clone())
        });
    let servers = entries
        .into_iter()
        .map(|mut e| {
            if e.use_pop_auth && e.server.login_name.is_none() {
                e.server.login_name.clone_from(&incoming_login);
            }
            e.server
        })
        .collect();
    Ok(AutodiscoverResponse::Settings(servers))
}

fn redirect_address(addr: Option<&str>) -> Result<AutodiscoverResponse, AutodiscoverError> {
    match addr {
        Some(a) if a.contains('@') && !a.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            Ok(AutodiscoverResponse::RedirectAddr(a.to_string()))
        }
        Some(a) => Err(AutodiscoverError::Invalid(format!(
            "bad RedirectAddr {:?}",
            clean_text(a, 80)
        ))),
        None => Err(AutodiscoverError::Invalid(
            "redirectAddr without a <RedirectAddr>".to_string(),
        )),
    }
}

fn redirect_to_url(url: Option<&str>) -> Result<AutodiscoverResponse, AutodiscoverError> {
    match url {
        Some(u) if !u.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            Ok(AutodiscoverResponse::RedirectUrl(u.to_string()))
        }
        Some(u) => Err(AutodiscoverError::Invalid(format!(
            "bad RedirectUrl {:?}",
            clean_text(u, 80)
        ))),
        None => Err(AutodiscoverError::Invalid(
            "redirectUrl without a <RedirectUrl>".to_string(),
        )),
    }
}

struct Entry {
    server: AutodiscoverServer,
    use_pop_auth: bool,
}

/// `on`/`off` (also `true`/`false`, `1`/`0`); `None` when absent or unrecognised.
fn flag(el: &Element, name: &str) -> Option<bool> {
    match el.child_text(name)?.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Some(true),
        "off" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

fn implicit_tls_port(port: u16) -> bool {
    matches!(port, 993 | 995 | 465)
}

fn read_protocol(el: &Element) -> Option<Entry> {
    let kind = el
        .child_text("Type")
        .or_else(|| el.attr("Type"))?
        .to_ascii_uppercase();
    let protocol = match kind.as_str() {
        "IMAP" => Protocol::Imap,
        "POP3" => Protocol::Pop3,
        "SMTP" => Protocol::Smtp,
        _ => return None,
    };
    let host = normalize_host(el.child_text("Server")?)?;
    let port = match el.child_text("Port") {
        Some(p) => match p.parse::<u16>() {
            Ok(port) if port != 0 => Some(port),
            _ => return None,
        },
        None => None,
    };

    enum Intent {
        Plain,
        Tls,
        Starttls,
        Auto,
    }
    let encryption = el
        .child_text("Encryption")
        .map(str::to_ascii_lowercase)
        .and_then(|e| match e.as_str() {
            "none" => Some(Intent::Plain),
            "ssl" => Some(Intent::Tls),
            "tls" => Some(Intent::Starttls),
            "auto" => Some(Intent::Auto),
            _ => None,
        });
    let intent = encryption.unwrap_or(match flag(el, "SSL") {
        Some(false) => Intent::Plain,
        _ => Intent::Auto,
    });
    let (security, port) = match (intent, port) {
        (Intent::Plain, p) => (
            Security::Plain,
            p.unwrap_or(standard_port(protocol, Security::Plain)),
        ),
        (Intent::Tls, p) => (
            Security::Tls,
            p.unwrap_or(standard_port(protocol, Security::Tls)),
        ),
        (Intent::Starttls | Intent::Auto, Some(p)) if implicit_tls_port(p) => (Security::Tls, p),
        (Intent::Starttls | Intent::Auto, Some(p)) => (Security::Starttls, p),
        (Intent::Starttls, None) => (
            Security::Starttls,
            standard_port(protocol, Security::Starttls),
        ),
        (Intent::Auto, None) => (Security::Tls, standard_port(protocol, Security::Tls)),
    };

    let login_name = el
        .child_text("LoginName")
        .map(|l| clean_text(l, 256))
        .filter(|l| !l.is_empty());

    let mut auth = Vec::new();
    match flag(el, "SPA") {
        Some(true) => auth.push(AuthMethod::PasswordEncrypted),
        Some(false) => auth.push(AuthMethod::PasswordCleartext),
        None => {}
    }
    if protocol == Protocol::Smtp && flag(el, "AuthRequired") == Some(false) {
        auth = vec![AuthMethod::None];
    }

    Some(Entry {
        server: AutodiscoverServer {
            protocol,
            host,
            port,
            security,
            login_name,
            auth,
        },
        use_pop_auth: protocol == Protocol::Smtp && flag(el, "UsePOPAuth") == Some(true),
    })
}

/// The servers as candidates for `local_part@domain`, in response order. A login name equal
/// to the address (or its local part) becomes [`UsernameForm::EmailAddress`]
/// ([`UsernameForm::LocalPart`]); no login name means the address (Outlook's default);
/// anything else is kept as a literal.
pub fn candidates(
    servers: &[AutodiscoverServer],
    local_part: &str,
    domain: &str,
    source: &Source,
) -> Vec<Candidate> {
    let address = format!("{local_part}@{domain}");
    let mut out = Vec::new();
    for server in servers {
        let Some(host) = normalize_host(&server.host) else {
            continue;
        };
        let username = match server.login_name.as_deref() {
            None => UsernameForm::EmailAddress,
            Some(l) if l.eq_ignore_ascii_case(&address) => UsernameForm::EmailAddress,
            Some(l) if l == local_part => UsernameForm::LocalPart,
            Some(l) => UsernameForm::Template(l.to_string()),
        };
        let endpoint = Endpoint {
            protocol: server.protocol,
            host,
            port: server.port,
            security: server.security,
        };
        push_candidate(&mut out, endpoint, username, &server.auth, source, &[]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceKind;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/xml/",
                $name
            ))
        };
    }

    const NS: &str =
        "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"";
    const NS_A: &str =
        "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\"";

    fn source() -> Source {
        Source {
            kind: SourceKind::Autodiscover,
            detail: "https://autodiscover.example.com/autodiscover/autodiscover.xml".to_string(),
            authenticated: true,
        }
    }

    fn srv(
        protocol: Protocol,
        host: &str,
        port: u16,
        security: Security,
        login: Option<&str>,
        auth: &[AuthMethod],
    ) -> AutodiscoverServer {
        AutodiscoverServer {
            protocol,
            host: host.to_string(),
            port,
            security,
            login_name: login.map(str::to_string),
            auth: auth.to_vec(),
        }
    }

    /// A response whose one Account holds `protocols`.
    fn response(protocols: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover {NS}><Response {NS_A}>\
             <Account><AccountType>email</AccountType><Action>settings</Action>{protocols}\
             </Account></Response></Autodiscover>"
        )
    }

    fn settings(xml: &str) -> Vec<AutodiscoverServer> {
        match parse(xml.as_bytes()) {
            Ok(AutodiscoverResponse::Settings(s)) => s,
            other => panic!("expected settings, got {other:?}"),
        }
    }

    /// (security, port) of one IMAP/SMTP entry with the given inner elements.
    fn secured(kind: &str, inner: &str) -> (Security, u16) {
        let s = settings(&response(&format!(
            "<Protocol><Type>{kind}</Type><Server>mail.example.com</Server>{inner}</Protocol>"
        )));
        assert_eq!(s.len(), 1, "{inner}");
        (s[0].security, s[0].port)
    }

    #[test]
    fn request_body_is_the_pox_request_with_the_address_escaped() {
        let body = request_body("taro@example.com");
        assert_eq!(
            body,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\
             <Request><EMailAddress>taro@example.com</EMailAddress>\
             <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>\
             </Request></Autodiscover>"
        );
        let odd = "a&b<c>\"d'@example.com";
        let body = request_body(odd);
        assert!(
            body.contains("<EMailAddress>a&amp;b&lt;c&gt;&quot;d&apos;@example.com</EMailAddress>")
        );
        // It is well-formed and carries the address back unchanged.
        let tree = super::super::xml::parse_tree(&body).unwrap();
        let request = tree.child("Request").unwrap();
        assert_eq!(request.child_text("EMailAddress"), Some(odd));
        assert!(!body.to_ascii_lowercase().contains("password"));
    }

    #[test]
    fn imap_pop3_smtp_settings() {
        let got = match parse(fixture!("autodiscover-imap-pop3-smtp.xml")).unwrap() {
            AutodiscoverResponse::Settings(s) => s,
            other => panic!("{other:?}"),
        };
        let pw = &[AuthMethod::PasswordCleartext];
        assert_eq!(
            got,
            [
                srv(
                    Protocol::Imap,
                    "mail.example.com",
                    993,
                    Security::Tls,
                    Some("taro@example.com"),
                    pw
                ),
                srv(
                    Protocol::Pop3,
                    "mail.example.com",
                    995,
                    Security::Tls,
                    Some("taro@example.com"),
                    pw
                ),
                // Encryption TLS on 587 is STARTTLS; UsePOPAuth borrows the POP3 login name.
                srv(
                    Protocol::Smtp,
                    "mail.example.com",
                    587,
                    Security::Starttls,
                    Some("taro@example.com"),
                    pw
                ),
            ]
        );
        let cands = candidates(&got, "taro", "example.com", &source());
        assert_eq!(cands.len(), 3);
        assert_eq!(cands[2].endpoint.protocol, Protocol::Smtp);
        assert_eq!(cands[2].endpoint.security, Security::Starttls);
        assert!(
            cands
                .iter()
                .all(|c| c.username == UsernameForm::EmailAddress)
        );
        assert!(
            cands
                .iter()
                .all(|c| c.sources == [source()] && c.notes.is_empty())
        );
    }

    #[test]
    fn redirects_and_errors() {
        assert_eq!(
            parse(fixture!("autodiscover-redirect-addr.xml")).unwrap(),
            AutodiscoverResponse::RedirectAddr("taro.yamada@mail.example.net".to_string())
        );
        let url = format!(
            "<Autodiscover {NS}><Response {NS_A}><Account><AccountType>email</AccountType>\
             <Action>redirectUrl</Action>\
             <RedirectUrl> https://autodiscover.example.net/autodiscover/autodiscover.xml </RedirectUrl>\
             </Account></Response></Autodiscover>"
        );
        assert_eq!(
            parse(url.as_bytes()).unwrap(),
            AutodiscoverResponse::RedirectUrl(
                "https://autodiscover.example.net/autodiscover/autodiscover.xml".to_string()
            )
        );
        assert_eq!(
            parse(fixture!("autodiscover-error.xml")).unwrap(),
            AutodiscoverResponse::Error {
                code: Some("600".to_string()),
                message: Some("Invalid Request".to_string())
            }
        );
        let bad = format!(
            "<Autodiscover {NS}><Response {NS_A}><Account><Action>redirectAddr</Action></Account></Response></Autodiscover>"
        );
        assert!(matches!(
            parse(bad.as_bytes()),
            Err(AutodiscoverError::Invalid(_))
        ));
        let not_addr = "<Autodiscover><Response><Account><Action>redirectAddr</Action>\
                        <RedirectAddr>no at sign</RedirectAddr></Account></Response></Autodiscover>";
        assert!(matches!(
            parse(not_addr.as_bytes()),
            Err(AutodiscoverError::Invalid(_))
        ));
        // An account-level error with no settings.
        let account_error = "<Autodiscover><Response><Account><Error><ErrorCode>500</ErrorCode></Error></Account></Response></Autodiscover>";
        assert_eq!(
            parse(account_error.as_bytes()).unwrap(),
            AutodiscoverResponse::Error {
                code: Some("500".to_string()),
                message: None
            }
        );
    }

    #[test]
    fn namespaces_and_prefixes_do_not_matter() {
        let prefixed = "<?xml version=\"1.0\"?>
            <a:Autodiscover xmlns:a=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">
              <r:Response xmlns:r=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">
                <r:Account>
                  <r:AccountType>email</r:AccountType>
                  <r:Action>settings</r:Action>
                  <r:Protocol>
                    <r:Type>imap</r:Type>
                    <r:Server>IMAP.Example.COM.</r:Server>
                    <r:Port>143</r:Port>
                    <r:SSL>off</r:SSL>
                    <r:LoginName>EXAMPLE\\taro</r:LoginName>
                  </r:Protocol>
                </r:Account>
              </r:Response>
            </a:Autodiscover>";
        let got = settings(prefixed);
        assert_eq!(
            got,
            [srv(
                Protocol::Imap,
                "imap.example.com",
                143,
                Security::Plain,
                Some("EXAMPLE\\taro"),
                &[]
            )]
        );
        let cands = candidates(&got, "taro", "example.com", &source());
        assert_eq!(
            cands[0].username,
            UsernameForm::Template("EXAMPLE\\taro".to_string())
        );

        let bare = "<Autodiscover><Response><Account><Protocol><Type>POP3</Type>\
                    <Server>pop.example.com</Server><LoginName>taro</LoginName></Protocol></Account></Response></Autodiscover>";
        let got = settings(bare);
        assert_eq!(
            got,
            [srv(
                Protocol::Pop3,
                "pop.example.com",
                995,
                Security::Tls,
                Some("taro"),
                &[]
            )]
        );
        assert_eq!(
            candidates(&got, "taro", "example.com", &source())[0].username,
            UsernameForm::LocalPart
        );
    }

    #[test]
    fn encryption_and_ssl_mapping() {
        use Security::*;
        // Encryption wins over SSL.
        assert_eq!(
            secured(
                "IMAP",
                "<Port>993</Port><SSL>off</SSL><Encryption>SSL</Encryption>"
            ),
            (Tls, 993)
        );
        assert_eq!(
            secured(
                "IMAP",
                "<Port>143</Port><SSL>on</SSL><Encryption>None</Encryption>"
            ),
            (Plain, 143)
        );
        assert_eq!(
            secured("IMAP", "<Port>143</Port><Encryption>TLS</Encryption>"),
            (Starttls, 143)
        );
        assert_eq!(
            secured("IMAP", "<Port>993</Port><Encryption>TLS</Encryption>"),
            (Tls, 993)
        );
        assert_eq!(
            secured("SMTP", "<Port>587</Port><Encryption>tls</Encryption>"),
            (Starttls, 587)
        );
        assert_eq!(
            secured("SMTP", "<Port>465</Port><Encryption>Auto</Encryption>"),
            (Tls, 465)
        );
        assert_eq!(
            secured("SMTP", "<Port>25</Port><Encryption>Auto</Encryption>"),
            (Starttls, 25)
        );
        // SSL alone.
        assert_eq!(secured("IMAP", "<Port>993</Port><SSL>on</SSL>"), (Tls, 993));
        assert_eq!(
            secured("SMTP", "<Port>587</Port><SSL>on</SSL>"),
            (Starttls, 587)
        );
        assert_eq!(
            secured("POP3", "<Port>110</Port><SSL>off</SSL>"),
            (Plain, 110)
        );
        // An unknown Encryption value falls back to SSL.
        assert_eq!(
            secured(
                "POP3",
                "<Port>110</Port><SSL>off</SSL><Encryption>Maybe</Encryption>"
            ),
            (Plain, 110)
        );
        // No port: the protocol's standard port for the security.
        assert_eq!(
            secured("IMAP", "<Encryption>TLS</Encryption>"),
            (Starttls, 143)
        );
        assert_eq!(secured("SMTP", "<Encryption>SSL</Encryption>"), (Tls, 465));
        assert_eq!(secured("SMTP", "<SSL>off</SSL>"), (Plain, 587));
        assert_eq!(secured("POP3", ""), (Tls, 995));
        assert_eq!(secured("IMAP", "<SSL>on</SSL>"), (Tls, 993));
    }

    #[test]
    fn auth_flags_and_other_types() {
        let got = settings(&response(
            "<Protocol><Type>EXCH</Type><Server>ex.example.com</Server></Protocol>
             <Protocol><Type>EXPR</Type><Server>ex.example.com</Server><SSL>on</SSL></Protocol>
             <Protocol><Type>WEB</Type><Internal><OWAUrl AuthenticationMethod=\"Fba\">https://ex.example.com/owa</OWAUrl></Internal></Protocol>
             <Protocol Type=\"mapiHttp\" Version=\"1\"><Server>ex.example.com</Server></Protocol>
             <Protocol><Type>IMAP</Type><Server>imap.example.com</Server><Port>993</Port><SPA>on</SPA></Protocol>
             <Protocol Type=\"SMTP\"><Server>smtp.example.com</Server><Port>25</Port><AuthRequired>off</AuthRequired><SSL>off</SSL></Protocol>
             <Protocol><Type>SMTP</Type><Server>smtp.example.com</Server><Port>587</Port><SPA>off</SPA><UsePOPAuth>on</UsePOPAuth></Protocol>
             <Protocol><Type>IMAP</Type><Port>993</Port></Protocol>
             <Protocol><Type>IMAP</Type><Server>bad host</Server></Protocol>
             <Protocol><Type>IMAP</Type><Server>imap.example.com</Server><Port>70000</Port></Protocol>",
        ));
        assert_eq!(
            got,
            [
                srv(
                    Protocol::Imap,
                    "imap.example.com",
                    993,
                    Security::Tls,
                    None,
                    &[AuthMethod::PasswordEncrypted]
                ),
                srv(
                    Protocol::Smtp,
                    "smtp.example.com",
                    25,
                    Security::Plain,
                    None,
                    &[AuthMethod::None]
                ),
                // UsePOPAuth with no POP3/IMAP login name: still none.
                srv(
                    Protocol::Smtp,
                    "smtp.example.com",
                    587,
                    Security::Starttls,
                    None,
                    &[AuthMethod::PasswordCleartext]
                ),
            ]
        );
        let cands = candidates(&got, "taro", "example.com", &source());
        assert_eq!(cands[0].username, UsernameForm::EmailAddress);

        let exchange_only = settings(&response(
            "<Protocol><Type>EXCH</Type><Server>ex.example.com</Server></Protocol>",
        ));
        assert_eq!(exchange_only, []);
    }

    #[test]
    fn refused_documents() {
        let dtd = "<?xml version=\"1.0\"?><!DOCTYPE Autodiscover [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
                   <Autodiscover><Response><Error><Message>&x;</Message></Error></Response></Autodiscover>";
        let err = parse(dtd.as_bytes()).unwrap_err();
        assert_eq!(err, AutodiscoverError::Xml(XmlError::DtdNotAllowed));
        assert_eq!(err.to_string(), "DTDs and entities are not allowed");
        assert_eq!(
            parse(b"<html><body>404</body></html>"),
            Err(AutodiscoverError::NotAutodiscover("html".to_string()))
        );
        assert!(matches!(
            parse(b"<Autodiscover/>"),
            Err(AutodiscoverError::Invalid(_))
        ));
        assert!(matches!(
            parse(b"<Autodiscover><Response>"),
            Err(AutodiscoverError::Xml(XmlError::Malformed(_)))
        ));
        assert!(matches!(
            parse(b"\xFF\xFE<\0A\0"),
            Err(AutodiscoverError::Xml(XmlError::Malformed(_)))
        ));
        // Shift_JIS responses decode like autoconfig ones.
        let text = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><Autodiscover><Response><Error>\
                    <ErrorCode>600</ErrorCode><Message>無効な要求です</Message></Error></Response></Autodiscover>";
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        assert_eq!(
            parse(&bytes).unwrap(),
            AutodiscoverResponse::Error {
                code: Some("600".to_string()),
                message: Some("無効な要求です".to_string())
            }
        );
    }

    #[test]
    fn garbage_never_panics() {
        let src = source();
        super::super::xml::tests::never_panics(
            fixture!("autodiscover-imap-pop3-smtp.xml"),
            |bytes| {
                if let Ok(AutodiscoverResponse::Settings(s)) = parse(bytes) {
                    let _ = candidates(&s, "a", "example.com", &src);
                }
            },
        );
    }
}
