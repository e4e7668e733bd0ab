//! Thunderbird autoconfig (`clientConfig` v1.1) parser.
//!
//! Pure: bytes in, [`ClientConfig`] out, no I/O. The XML is read by [`super::xml`], the safe
//! reader the autodiscover parser uses too; the mail-settings helpers at the end of this file
//! (`standard_port`, `normalize_host`, `push_candidate`, [`MAX_SERVERS`]) serve both
//! parsers as well.
//!
//! Defences, because the document comes from the network (possibly over plain http):
//! - the character encoding comes from a BOM or the XML declaration, and bytes that are
//!   not valid in that encoding are an error (no silent replacement characters);
//! - any `<!DOCTYPE …>` (and so any DTD or entity declaration) is refused: no XXE, no
//!   billion laughs. Only the five predefined entities and character references resolve;
//! - nesting deeper than [`MAX_DEPTH`] elements, more than [`MAX_ELEMENTS`] elements or more
//!   than [`MAX_SERVERS`] servers is refused or cut off; nothing recurses on input depth
//!   beyond that bound, and nothing panics on any input;
//! - a `<password>` is never read or kept;
//! - text that reaches the user (descriptions, instructions) loses control characters,
//!   so a hostile file cannot send terminal escape sequences.
//!
//! The first three are [`super::xml`]'s guarantees.
//!
//! Format reference: <https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat>.
//!
//! [`MAX_DEPTH`]: super::xml::MAX_DEPTH
//! [`MAX_ELEMENTS`]: super::xml::MAX_ELEMENTS

use super::xml::{Element, XmlError, clean_text, decode_xml, is_unsafe_char, parse_tree};
use crate::model::{
    AuthMethod, Candidate, Endpoint, Note, Protocol, Security, Source, UsernameForm,
    expand_placeholders,
};
use serde::Serialize;

/// Most warnings kept; further ones are summarised in one last warning.
const MAX_WARNINGS: usize = 64;
/// Most `<domain>` entries kept.
const MAX_DOMAINS: usize = 256;
/// Longest text kept from a description or instruction, in characters.
const MAX_TEXT_CHARS: usize = 2_000;
/// Longest hostname template accepted, in bytes.
const MAX_HOST_TEMPLATE: usize = 512;

// ---------------------------------------------------------------------------------------------
// Output types
// ---------------------------------------------------------------------------------------------

/// What an autoconfig document says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClientConfig {
    /// `<emailProvider id="…">`.
    pub provider_id: Option<String>,
    /// The `<domain>` entries, lower-cased, in document order, without duplicates.
    pub domains: Vec<String>,
    /// `<displayName>`, or `<displayShortName>` when there is no display name.
    pub display_name: Option<String>,
    /// IMAP and POP3 servers in document order (the file's order is its preference).
    pub incoming: Vec<ServerConfig>,
    /// SMTP servers in document order.
    pub outgoing: Vec<ServerConfig>,
    pub documentation: Vec<Documentation>,
    pub enable: Option<EnableInstructions>,
    /// Servers skipped and oddities met, for `--verbose` output. Skipped servers of
    /// unsupported types (`exchange`, `ews`, …) are counted in one warning per type.
    pub warnings: Vec<String>,
}

/// One `<incomingServer>` or `<outgoingServer>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerConfig {
    pub protocol: Protocol,
    /// A template: may contain `%EMAILDOMAIN%` (or other placeholders).
    pub hostname: String,
    pub port: u16,
    pub security: Security,
    /// A template such as `%EMAILADDRESS%`.
    pub username: String,
    /// The `<authentication>` values understood, in document order, without duplicates.
    pub auth: Vec<AuthMethod>,
}

/// `<documentation url="…"><descr lang="…">…</descr></documentation>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Documentation {
    pub url: String,
    /// `(lang, text)`; `lang` is empty when the attribute is missing.
    pub descriptions: Vec<(String, String)>,
}

/// `<enable visiturl="…"><instruction lang="…">…</instruction></enable>`: the user must turn
/// on mail-client access before the settings work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnableInstructions {
    pub visit_url: Option<String>,
    /// `(lang, text)`; `lang` is empty when the attribute is missing.
    pub instructions: Vec<(String, String)>,
}

/// Why an autoconfig document was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutoconfigError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("not a Thunderbird autoconfig file: the root element is <{0}>, not <clientConfig>")]
    NotClientConfig(String),
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Parse an autoconfig document (any encoding the XML declaration or a BOM names).
pub fn parse(bytes: &[u8]) -> Result<ClientConfig, AutoconfigError> {
    let text = decode_xml(bytes)?;
    let root = parse_tree(&text)?;
    if root.name != "clientConfig" {
        return Err(AutoconfigError::NotClientConfig(clean_text(&root.name, 64)));
    }
    let mut out = Collector::default();
    if let Some(version) = root.attr("version") {
        let major = version.split('.').next().unwrap_or("");
        if major != "1" {
            out.warn(format!(
                "clientConfig version {:?} is not 1.x; reading it as 1.1",
                clean_text(version, 32)
            ));
        }
    }
    let mut providers = root.children_named("emailProvider");
    match providers.next() {
        Some(provider) => read_provider(provider, &mut out),
        None => out.warn("no <emailProvider> element".to_string()),
    }
    if providers.next().is_some() {
        out.warn("more than one <emailProvider>; only the first is read".to_string());
    }
    Ok(out.finish())
}

/// Accumulates the result and bounded warnings.
#[derive(Default)]
struct Collector {
    cfg: ClientConfig,
    short_name: Option<String>,
    /// (element, type) → how many were skipped.
    skipped_types: Vec<(&'static str, String, usize)>,
    servers_capped: bool,
    warnings_dropped: usize,
}

impl Collector {
    fn warn(&mut self, warning: String) {
        if self.cfg.warnings.len() < MAX_WARNINGS {
            self.cfg.warnings.push(warning);
        } else {
            self.warnings_dropped += 1;
        }
    }

    fn finish(mut self) -> ClientConfig {
        for (element, kind, count) in std::mem::take(&mut self.skipped_types) {
            let plural = if count == 1 { "" } else { "s" };
            self.warn(format!(
                "skipped {count} <{element}>{plural} of unsupported type {kind:?}"
            ));
        }
        if self.warnings_dropped > 0 {
            let n = self.warnings_dropped;
            self.cfg
                .warnings
                .push(format!("{n} more warnings not shown"));
        }
        if self.cfg.display_name.is_none() {
            self.cfg.display_name = self.short_name.take();
        }
        self.cfg
    }
}

fn read_provider(provider: &Element, out: &mut Collector) {
    out.cfg.provider_id = provider
        .attr("id")
        .map(|id| clean_text(id, 256))
        .filter(|id| !id.is_empty());
    for child in &provider.children {
        match child.name.as_str() {
            "domain" => {
                let domain = child.text().trim_end_matches('.').to_ascii_lowercase();
                if domain.is_empty() || domain.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    out.warn("ignored an empty or malformed <domain>".to_string());
                } else if !out.cfg.domains.contains(&domain) {
                    if out.cfg.domains.len() < MAX_DOMAINS {
                        out.cfg.domains.push(domain);
                    } else {
                        out.warn(format!(
                            "more than {MAX_DOMAINS} <domain>s; the rest ignored"
                        ));
                    }
                }
            }
            "displayName" => {
                let name = clean_text(child.text(), 256);
                if out.cfg.display_name.is_none() && !name.is_empty() {
                    out.cfg.display_name = Some(name);
                }
            }
            "displayShortName" => {
                let name = clean_text(child.text(), 256);
                if out.short_name.is_none() && !name.is_empty() {
                    out.short_name = Some(name);
                }
            }
            "incomingServer" | "outgoingServer" => read_server_element(child, out),
            "documentation" => read_documentation(child, out),
            "enable" => read_enable(child, out),
            // identity, inputField, webMail, oAuth2 (normally a clientConfig child, holding
            // issuer and scope we do not need: the OAuth2 <authentication> value already
            // says a browser sign-in is needed) and anything unknown: ignored.
            _ => {}
        }
    }
}

fn read_server_element(el: &Element, out: &mut Collector) {
    let incoming = el.name == "incomingServer";
    let element: &'static str = if incoming {
        "incomingServer"
    } else {
        "outgoingServer"
    };
    let kind = el.attr("type").unwrap_or("").trim().to_ascii_lowercase();
    let protocol = match (incoming, kind.as_str()) {
        (true, "imap") => Protocol::Imap,
        (true, "pop3") => Protocol::Pop3,
        (false, "smtp") => Protocol::Smtp,
        _ => {
            let kind = clean_text(&kind, 32);
            match out
                .skipped_types
                .iter_mut()
                .find(|(e, k, _)| *e == element && *k == kind)
            {
                Some(entry) => entry.2 += 1,
                None => out.skipped_types.push((element, kind, 1)),
            }
            return;
        }
    };
    if out.cfg.incoming.len() + out.cfg.outgoing.len() >= MAX_SERVERS {
        if !out.servers_capped {
            out.servers_capped = true;
            out.warn(format!("more than {MAX_SERVERS} servers; the rest ignored"));
        }
        return;
    }
    match read_server(el, protocol, out) {
        Ok(server) if incoming => out.cfg.incoming.push(server),
        Ok(server) => out.cfg.outgoing.push(server),
        Err(reason) => out.warn(format!("skipped <{element} type=\"{kind}\">: {reason}")),
    }
}

/// One server; `Err` carries the reason it is skipped.
fn read_server(
    el: &Element,
    protocol: Protocol,
    out: &mut Collector,
) -> Result<ServerConfig, String> {
    let hostname = match el.child_text("hostname") {
        None | Some("") => return Err("no <hostname>".to_string()),
        Some(h) => h,
    };
    if !host_template_ok(hostname) {
        return Err(format!("bad hostname {:?}", clean_text(hostname, 80)));
    }
    let hostname = hostname.trim_end_matches('.').to_string();

    // Like Thunderbird: the first socketType it understands wins.
    let mut security = None;
    let mut seen = None;
    for st in el.children_named("socketType") {
        let value = st.text();
        security = match value.to_ascii_lowercase().as_str() {
            "ssl" => Some(Security::Tls),
            "starttls" => Some(Security::Starttls),
            "plain" => Some(Security::Plain),
            _ => None,
        };
        if security.is_some() {
            break;
        }
        seen.get_or_insert_with(|| clean_text(value, 32));
    }
    let security = match (security, seen) {
        (Some(s), _) => s,
        (None, Some(value)) => return Err(format!("unsupported socketType {value:?}")),
        (None, None) => return Err("no <socketType>".to_string()),
    };

    let port = match el.child_text("port") {
        Some(p) => match p.parse::<u16>() {
            Ok(port) if port != 0 => port,
            _ => return Err(format!("bad port {:?}", clean_text(p, 16))),
        },
        None => {
            let port = standard_port(protocol, security);
            out.warn(format!(
                "{protocol} server {hostname} has no <port>; assuming {port}"
            ));
            port
        }
    };

    let username = match el.child_text("username") {
        Some(u) if !u.is_empty() => clean_text(u, 256),
        _ => "%EMAILADDRESS%".to_string(),
    };

    let mut auth = Vec::new();
    for a in el.children_named("authentication") {
        match AuthMethod::parse(a.text()) {
            Some(method) if !auth.contains(&method) => auth.push(method),
            Some(_) => {}
            None => out.warn(format!(
                "{protocol} server {hostname}: unknown authentication {:?} ignored",
                clean_text(a.text(), 32)
            )),
        }
    }
    // <password>, <pop3>, <useGlobalPreferredServer>, …: deliberately not read.

    Ok(ServerConfig {
        protocol,
        hostname,
        port,
        security,
        username,
        auth,
    })
}

fn read_documentation(el: &Element, out: &mut Collector) {
    let Some(url) = el.attr("url").and_then(web_url) else {
        out.warn("ignored a <documentation> without an http(s) url".to_string());
        return;
    };
    let descriptions = lang_texts(el, "descr");
    if out.cfg.documentation.len() < MAX_SERVERS {
        out.cfg
            .documentation
            .push(Documentation { url, descriptions });
    }
}

fn read_enable(el: &Element, out: &mut Collector) {
    let visit_url = match el.attr("visiturl") {
        Some(raw) => {
            let url = web_url(raw);
            if url.is_none() {
                out.warn("ignored a non-http(s) <enable visiturl>".to_string());
            }
            url
        }
        None => None,
    };
    let instructions = lang_texts(el, "instruction");
    match &mut out.cfg.enable {
        None => {
            out.cfg.enable = Some(EnableInstructions {
                visit_url,
                instructions,
            })
        }
        Some(existing) => {
            if existing.visit_url.is_none() {
                existing.visit_url = visit_url;
            }
            existing.instructions.extend(instructions);
            existing.instructions.truncate(MAX_SERVERS);
        }
    }
}

/// `(lang, text)` pairs of the non-empty `name` children of `el`.
fn lang_texts(el: &Element, name: &str) -> Vec<(String, String)> {
    el.children_named(name)
        .filter_map(|d| {
            let text = clean_text(d.text(), MAX_TEXT_CHARS);
            let lang = clean_text(d.attr("lang").unwrap_or(""), 16).to_ascii_lowercase();
            (!text.is_empty()).then_some((lang, text))
        })
        .take(MAX_SERVERS)
        .collect()
}

/// An http(s) URL without spaces or control characters, or `None`.
fn web_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    let lower = url.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    let chars_ok =
        url.len() <= 2048 && !url.chars().any(|c| c.is_whitespace() || is_unsafe_char(c));
    (scheme_ok && chars_ok).then(|| url.to_string())
}

// ---------------------------------------------------------------------------------------------
// Candidates
// ---------------------------------------------------------------------------------------------

impl ClientConfig {
    /// The servers as candidates for `local_part@domain`: incoming then outgoing, each in
    /// document order; host names expanded and lower-cased, user names kept as templates.
    /// Every candidate carries `source` and the document's notes ([`ClientConfig::notes`]).
    /// A host that is not a valid name after expansion is left out; a server repeated
    /// with the same user name is merged.
    pub fn candidates(&self, local_part: &str, domain: &str, source: &Source) -> Vec<Candidate> {
        let notes = self.notes();
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let mut out: Vec<Candidate> = Vec::new();
        for server in self.incoming.iter().chain(&self.outgoing) {
            let expanded = expand_placeholders(&server.hostname, local_part, &domain);
            let Some(host) = normalize_host(&expanded) else {
                continue;
            };
            let endpoint = Endpoint {
                protocol: server.protocol,
                host,
                port: server.port,
                security: server.security,
            };
            let username = username_form(&server.username);
            push_candidate(&mut out, endpoint, username, &server.auth, source, &notes);
        }
        out
    }

    /// The `<enable>` instructions, then each `<documentation>`, as notes: English from
    /// `lang="en"` (else the first text), Japanese from `lang="ja"` (else the English).
    pub fn notes(&self) -> Vec<Note> {
        let mut notes = Vec::new();
        if let Some(enable) = &self.enable {
            let url = enable.visit_url.as_deref();
            let note = match (pick_lang(&enable.instructions), url) {
                (Some((en, ja)), Some(url)) => {
                    Note::new(format!("{en} ({url})"), format!("{ja} ({url})"))
                }
                (Some((en, ja)), None) => Note::new(en, ja),
                (None, Some(url)) => Note::new(
                    format!("Enable mail-client access for this account first: {url}"),
                    format!(
                        "先にアカウントの設定でメールソフトからの利用を有効にしてください: {url}"
                    ),
                ),
                (None, None) => Note::new(
                    "Enable mail-client access for this account first.",
                    "先にアカウントの設定でメールソフトからの利用を有効にしてください。",
                ),
            };
            notes.push(note);
        }
        for doc in &self.documentation {
            let url = &doc.url;
            let note = match pick_lang(&doc.descriptions) {
                Some((en, ja)) => Note::new(format!("{en}: {url}"), format!("{ja}: {url}")),
                None => Note::new(format!("Setup guide: {url}"), format!("設定の説明: {url}")),
            };
            notes.push(note);
        }
        notes
    }
}

/// The username template as a [`UsernameForm`] (`%EMAILLOCALPART%@%EMAILDOMAIN%` is the
/// email address too).
fn username_form(template: &str) -> UsernameForm {
    match template.trim() {
        "%EMAILLOCALPART%@%EMAILDOMAIN%" => UsernameForm::EmailAddress,
        other => UsernameForm::from_template(other),
    }
}

/// (English, Japanese) text from `(lang, text)` pairs.
fn pick_lang(texts: &[(String, String)]) -> Option<(String, String)> {
    let is = |lang: &str, want: &str| lang == want || lang.starts_with(&format!("{want}-"));
    let en = texts
        .iter()
        .find(|(lang, _)| is(lang, "en"))
        .or_else(|| texts.first())?
        .1
        .clone();
    let ja = texts
        .iter()
        .find(|(lang, _)| is(lang, "ja"))
        .map_or_else(|| en.clone(), |(_, t)| t.clone());
    Some((en, ja))
}

// ---------------------------------------------------------------------------------------------
// Host names
// ---------------------------------------------------------------------------------------------

/// A host-name template from a document: letters, digits, `-`, `.`, `_`, `%` (placeholders)
/// and, for IPv6 literals, `:`, `[`, `]`.
fn host_template_ok(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= MAX_HOST_TEMPLATE
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._%:[]".contains(&b))
}

// ---------------------------------------------------------------------------------------------
// Shared with the autodiscover parser: mail settings, not XML
// ---------------------------------------------------------------------------------------------

/// Most servers (incoming and outgoing together) kept from one document, by either parser.
pub const MAX_SERVERS: usize = 64;

/// The standard port for a protocol with a given security.
pub(crate) fn standard_port(protocol: Protocol, security: Security) -> u16 {
    match (protocol, security) {
        (Protocol::Imap, Security::Tls) => 993,
        (Protocol::Imap, _) => 143,
        (Protocol::Pop3, Security::Tls) => 995,
        (Protocol::Pop3, _) => 110,
        (Protocol::Smtp, Security::Tls) => 465,
        (Protocol::Smtp, _) => 587,
    }
}

/// A concrete host name, lower-cased, without a trailing dot or IPv6 brackets; `None` when it
/// is not a plausible host name (a placeholder left unexpanded, a space, …).
pub(crate) fn normalize_host(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.');
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() || host.len() > 253 || host.starts_with('.') || host.contains("..") {
        return None;
    }
    let v6 = host.contains(':');
    let ok = host.bytes().all(|b| {
        b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_' || (v6 && b == b':')
    });
    if !ok || (v6 && host.parse::<std::net::Ipv6Addr>().is_err()) {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

/// Add a candidate, merging it into an earlier one for the same endpoint and user name.
pub(crate) fn push_candidate(
    out: &mut Vec<Candidate>,
    endpoint: Endpoint,
    username: UsernameForm,
    auth: &[AuthMethod],
    source: &Source,
    notes: &[Note],
) {
    if let Some(existing) = out
        .iter_mut()
        .find(|c| c.endpoint == endpoint && c.username == username)
    {
        for method in auth {
            if !existing.auth.contains(method) {
                existing.auth.push(*method);
            }
        }
        return;
    }
    out.push(Candidate {
        endpoint,
        username,
        auth: auth.to_vec(),
        sources: vec![source.clone()],
        notes: notes.to_vec(),
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::discover::xml::tests::never_panics;
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

    fn source() -> Source {
        Source {
            kind: SourceKind::Ispdb,
            detail: "https://autoconfig.thunderbird.net/v1.1/gmail.com".to_string(),
            authenticated: true,
        }
    }

    fn server(
        protocol: Protocol,
        hostname: &str,
        port: u16,
        security: Security,
        username: &str,
        auth: &[AuthMethod],
    ) -> ServerConfig {
        ServerConfig {
            protocol,
            hostname: hostname.to_string(),
            port,
            security,
            username: username.to_string(),
            auth: auth.to_vec(),
        }
    }

    /// A minimal document around `servers` (the inside of <emailProvider>).
    fn doc(servers: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\">\
             <emailProvider id=\"example.com\"><domain>example.com</domain>{servers}\
             </emailProvider></clientConfig>"
        )
    }

    const OAUTH_AND_PASSWORD: &[AuthMethod] = &[AuthMethod::OAuth2, AuthMethod::PasswordCleartext];

    #[test]
    fn gmail_ispdb_file_parses_completely() {
        let cfg = parse(fixture!("ispdb-gmail.xml")).unwrap();
        assert_eq!(cfg.provider_id.as_deref(), Some("googlemail.com"));
        assert_eq!(cfg.domains, ["gmail.com", "googlemail.com", "google.com"]);
        assert_eq!(cfg.display_name.as_deref(), Some("Google Mail"));
        assert_eq!(
            cfg.incoming,
            [
                server(
                    Protocol::Imap,
                    "imap.gmail.com",
                    993,
                    Security::Tls,
                    "%EMAILADDRESS%",
                    OAUTH_AND_PASSWORD
                ),
                server(
                    Protocol::Pop3,
                    "pop.gmail.com",
                    995,
                    Security::Tls,
                    "%EMAILADDRESS%",
                    OAUTH_AND_PASSWORD
                ),
            ]
        );
        assert_eq!(
            cfg.outgoing,
            [
                server(
                    Protocol::Smtp,
                    "smtp.gmail.com",
                    465,
                    Security::Tls,
                    "%EMAILADDRESS%",
                    OAUTH_AND_PASSWORD
                ),
                server(
                    Protocol::Smtp,
                    "smtp.gmail.com",
                    587,
                    Security::Starttls,
                    "%EMAILADDRESS%",
                    OAUTH_AND_PASSWORD
                ),
            ]
        );
        assert_eq!(
            cfg.enable,
            Some(EnableInstructions {
                visit_url: Some(
                    "https://mail.google.com/mail/?ui=2&shva=1#settings/fwdandpop".to_string()
                ),
                instructions: vec![
                    (
                        "en".to_string(),
                        "You need to enable IMAP access".to_string()
                    ),
                    (
                        "de".to_string(),
                        "Sie müssen IMAP erst freischalten".to_string()
                    ),
                ],
            })
        );
        assert_eq!(cfg.documentation.len(), 2);
        assert_eq!(
            cfg.documentation[0].url,
            "http://mail.google.com/support/bin/answer.py?answer=77662"
        );
        assert_eq!(
            cfg.documentation[0].descriptions,
            [
                ("en".to_string(), "Setting up IMAP Access".to_string()),
                ("de".to_string(), "IMAP-Zugang einrichten".to_string()),
            ]
        );
        assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    }

    #[test]
    fn gmail_candidates_keep_document_order_and_notes() {
        let cfg = parse(fixture!("ispdb-gmail.xml")).unwrap();
        let cands = cfg.candidates("taro", "gmail.com", &source());
        let endpoints: Vec<_> = cands
            .iter()
            .map(|c| {
                (
                    c.endpoint.protocol,
                    c.endpoint.host.as_str(),
                    c.endpoint.port,
                    c.endpoint.security,
                )
            })
            .collect();
        assert_eq!(
            endpoints,
            [
                (Protocol::Imap, "imap.gmail.com", 993, Security::Tls),
                (Protocol::Pop3, "pop.gmail.com", 995, Security::Tls),
                (Protocol::Smtp, "smtp.gmail.com", 465, Security::Tls),
                (Protocol::Smtp, "smtp.gmail.com", 587, Security::Starttls),
            ]
        );
        for c in &cands {
            assert_eq!(c.username, UsernameForm::EmailAddress);
            assert_eq!(c.auth, OAUTH_AND_PASSWORD);
            assert_eq!(c.sources, [source()]);
            assert_eq!(c.notes.len(), 3);
        }
        let notes = &cands[0].notes;
        assert_eq!(
            notes[0].en,
            "You need to enable IMAP access (https://mail.google.com/mail/?ui=2&shva=1#settings/fwdandpop)"
        );
        // No Japanese instruction: the English one stands in.
        assert_eq!(notes[0].ja, notes[0].en);
        assert_eq!(
            notes[1].en,
            "Setting up IMAP Access: http://mail.google.com/support/bin/answer.py?answer=77662"
        );
        assert_eq!(
            notes[2].en,
            "Setting up POP Access: http://mail.google.com/support/bin/answer.py?answer=13276"
        );
    }

    #[test]
    fn several_servers_auth_values_and_placeholders() {
        let xml = doc(
            "<incomingServer type=\"imap\">
               <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
               <username>%EMAILLOCALPART%</username>
               <authentication>password-encrypted</authentication>
               <authentication>NTLM</authentication>
               <authentication>GSSAPI</authentication>
               <authentication>password-encrypted</authentication>
               <authentication>x-magic-token</authentication>
               <authentication>TLS-client-cert</authentication>
             </incomingServer>
             <incomingServer type=\"imap\">
               <hostname>IMAP.%EMAILDOMAIN%</hostname><port>143</port><socketType>STARTTLS</socketType>
               <username>%EMAILLOCALPART%.mail</username>
               <authentication>password-cleartext</authentication>
             </incomingServer>
             <incomingServer type=\"pop3\">
               <hostname>pop.legacy.example.com</hostname><port>110</port><socketType>plain</socketType>
               <username>%EMAILADDRESS%</username>
               <authentication>client-IP-address</authentication>
             </incomingServer>
             <outgoingServer type=\"smtp\">
               <hostname>smtp.%EMAILDOMAIN%</hostname><port>587</port><socketType>STARTTLS</socketType>
               <username>%EMAILLOCALPART%@%EMAILDOMAIN%</username>
               <authentication>password-cleartext</authentication>
               <authentication>none</authentication>
             </outgoingServer>",
        );
        let cfg = parse(xml.as_bytes()).unwrap();
        assert_eq!(cfg.incoming.len(), 3);
        assert_eq!(cfg.incoming[0].hostname, "imap.%EMAILDOMAIN%");
        assert_eq!(
            cfg.incoming[0].auth,
            [
                AuthMethod::PasswordEncrypted,
                AuthMethod::Ntlm,
                AuthMethod::Gssapi,
                AuthMethod::TlsClientCert
            ]
        );
        assert_eq!(cfg.incoming[2].security, Security::Plain);
        assert_eq!(cfg.incoming[2].auth, [AuthMethod::ClientIpAddress]);
        assert_eq!(
            cfg.outgoing[0].auth,
            [AuthMethod::PasswordCleartext, AuthMethod::None]
        );
        assert_eq!(cfg.warnings.len(), 1);
        assert!(
            cfg.warnings[0].contains("\"x-magic-token\""),
            "{:?}",
            cfg.warnings
        );

        let cands = cfg.candidates("hanako", "Example.JP", &source());
        let hosts: Vec<_> = cands.iter().map(|c| c.endpoint.host.as_str()).collect();
        assert_eq!(
            hosts,
            [
                "imap.example.jp",
                "imap.example.jp",
                "pop.legacy.example.com",
                "smtp.example.jp"
            ]
        );
        assert_eq!(cands[0].username, UsernameForm::LocalPart);
        assert_eq!(
            cands[1].username,
            UsernameForm::Template("%EMAILLOCALPART%.mail".to_string())
        );
        assert_eq!(
            cands[1].username.render("hanako", "example.jp").as_deref(),
            Some("hanako.mail")
        );
        assert_eq!(cands[2].username, UsernameForm::EmailAddress);
        assert_eq!(cands[3].username, UsernameForm::EmailAddress);
        assert!(cands.iter().all(|c| c.notes.is_empty()));
    }

    #[test]
    fn unknown_elements_and_server_types_are_ignored_and_counted() {
        let xml = "<clientConfig version=\"1.1\">
            <vendorExtension><deep><deeper a=\"1\">text</deeper></deep></vendorExtension>
            <emailProvider id=\"example.org\">
              <domain>Example.ORG</domain>
              <domain>example.org</domain>
              <futureElement foo=\"bar\"/>
              <incomingServer type=\"exchange\">
                <hostname>outlook.office365.com</hostname><port>443</port><socketType>SSL</socketType>
                <owaURL>https://outlook.office365.com/owa/</owaURL>
              </incomingServer>
              <incomingServer type=\"imap\">
                <hostname>imap.example.org</hostname>
                <x-preferred>yes</x-preferred>
                <port>993</port><socketType>SSL</socketType>
                <username>%EMAILADDRESS%</username>
                <authentication>password-cleartext</authentication>
              </incomingServer>
              <incomingServer type=\"exchange\"><hostname>ews.example.org</hostname></incomingServer>
              <outgoingServer type=\"ews\"><hostname>ews.example.org</hostname></outgoingServer>
              <outgoingServer type=\"smtp\">
                <hostname>smtp.example.org</hostname><port>465</port><socketType>SSL</socketType>
                <username>%EMAILADDRESS%</username>
                <addThisServer>true</addThisServer>
                <useGlobalPreferredServer>false</useGlobalPreferredServer>
              </outgoingServer>
              <identity><fullName>Support</fullName></identity>
              <inputField key=\"USERNAME\" label=\"Screen name\"></inputField>
            </emailProvider>
            <oAuth2><issuer>login.example.org</issuer><scope>mail</scope></oAuth2>
          </clientConfig>";
        let cfg = parse(xml.as_bytes()).unwrap();
        assert_eq!(cfg.domains, ["example.org"]);
        assert_eq!(cfg.incoming.len(), 1);
        assert_eq!(cfg.incoming[0].hostname, "imap.example.org");
        assert_eq!(cfg.outgoing.len(), 1);
        assert_eq!(cfg.outgoing[0].auth, []);
        assert_eq!(
            cfg.warnings,
            [
                "skipped 2 <incomingServer>s of unsupported type \"exchange\"",
                "skipped 1 <outgoingServer> of unsupported type \"ews\"",
            ]
        );
    }

    #[test]
    fn shift_jis_document_with_japanese_descriptions() {
        let text = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>
            <clientConfig version=\"1.1\"><emailProvider id=\"example.ne.jp\">
              <domain>example.ne.jp</domain>
              <displayName>例示ネット</displayName>
              <incomingServer type=\"pop3\">
                <hostname>pop.%EMAILDOMAIN%</hostname><port>995</port><socketType>SSL</socketType>
                <username>%EMAILLOCALPART%</username>
                <authentication>password-cleartext</authentication>
              </incomingServer>
              <enable visiturl=\"https://my.example.ne.jp/mail\">
                <instruction lang=\"ja\">会員サポートで「外部メールソフトの利用」を有効にしてください</instruction>
                <instruction lang=\"en\">Turn on mail client access in the member support page</instruction>
              </enable>
              <documentation url=\"https://support.example.ne.jp/mail/\">
                <descr lang=\"ja\">メール設定ガイド</descr>
              </documentation>
            </emailProvider></clientConfig>";
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the test bytes must not be UTF-8"
        );
        let cfg = parse(&bytes).unwrap();
        assert_eq!(cfg.display_name.as_deref(), Some("例示ネット"));
        assert_eq!(
            cfg.documentation[0].descriptions,
            [("ja".to_string(), "メール設定ガイド".to_string())]
        );
        let cands = cfg.candidates("taro", "example.ne.jp", &source());
        assert_eq!(cands.len(), 1);
        assert_eq!(cands[0].endpoint.host, "pop.example.ne.jp");
        assert_eq!(cands[0].username, UsernameForm::LocalPart);
        let notes = &cands[0].notes;
        assert_eq!(
            notes[0].en,
            "Turn on mail client access in the member support page (https://my.example.ne.jp/mail)"
        );
        assert_eq!(
            notes[0].ja,
            "会員サポートで「外部メールソフトの利用」を有効にしてください (https://my.example.ne.jp/mail)"
        );
        // Only a Japanese description: it stands in for English too.
        assert_eq!(
            notes[1].en,
            "メール設定ガイド: https://support.example.ne.jp/mail/"
        );
        assert_eq!(notes[1].ja, notes[1].en);
    }

    #[test]
    fn shift_jis_fixture_file() {
        let bytes: &[u8] = fixture!("ispdb-jp-isp-shift_jis.xml");
        // "エ" in Shift_JIS: the fixture must stay Shift_JIS.
        assert!(bytes.windows(2).any(|w| w == [0x83, 0x47]));
        let cfg = parse(bytes).unwrap();
        assert_eq!(cfg.display_name.as_deref(), Some("エグザンプル光ネット"));
        assert_eq!(cfg.domains, ["example-isp.ne.jp", "mb.example-isp.ne.jp"]);
        assert_eq!(
            cfg.incoming,
            [
                server(
                    Protocol::Pop3,
                    "pop.%EMAILDOMAIN%",
                    995,
                    Security::Tls,
                    "%EMAILLOCALPART%",
                    &[AuthMethod::PasswordCleartext]
                ),
                server(
                    Protocol::Imap,
                    "imap.%EMAILDOMAIN%",
                    993,
                    Security::Tls,
                    "%EMAILLOCALPART%",
                    &[AuthMethod::PasswordCleartext]
                ),
            ]
        );
        // The <password> in the file is never kept.
        assert!(!format!("{cfg:?}").contains("パスワード"));
        let cands = cfg.candidates("taro", "mb.example-isp.ne.jp", &source());
        assert_eq!(cands[2].endpoint.host, "smtp.mb.example-isp.ne.jp");
        assert_eq!(
            cands[2].notes[0].ja,
            "メールソフトの設定方法（Thunderbird）: https://support.example-isp.ne.jp/mail/setting/"
        );
        assert_eq!(
            cands[2].notes[0].en,
            "How to set up your mail client: https://support.example-isp.ne.jp/mail/setting/"
        );
    }

    #[test]
    fn xml_errors_refuse_the_whole_document() {
        // The reader's own tests (in `xml`) cover each error; here: they reach the caller.
        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE clientConfig [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
                   <clientConfig><emailProvider><displayName>&xxe;</displayName></emailProvider></clientConfig>";
        let err = parse(xxe.as_bytes()).unwrap_err();
        assert_eq!(err, AutoconfigError::Xml(XmlError::DtdNotAllowed));
        assert_eq!(err.to_string(), "DTDs and entities are not allowed");
    }

    #[test]
    fn control_characters_never_reach_the_user() {
        // C1 controls are legal XML but never reach the user.
        let c1 = doc(
            "<documentation url=\"https://example.com/help\"><descr lang=\"en\">Read&#x9B;31m me\u{202E}</descr></documentation>",
        );
        let cfg = parse(c1.as_bytes()).unwrap();
        assert_eq!(cfg.documentation[0].descriptions[0].1, "Read 31m me");
    }

    #[test]
    fn a_document_that_is_not_client_config_is_refused() {
        assert_eq!(
            parse(b"<html><body>Not found</body></html>"),
            Err(AutoconfigError::NotClientConfig("html".to_string()))
        );
        // Element names are case-sensitive, as in the specification.
        assert!(matches!(
            parse(b"<clientconfig/>"),
            Err(AutoconfigError::NotClientConfig(_))
        ));
        // A clientConfig without a provider is empty, with a warning.
        let cfg = parse(b"<clientConfig version=\"1.1\"/>").unwrap();
        assert_eq!(cfg.incoming, []);
        assert_eq!(cfg.warnings, ["no <emailProvider> element"]);
    }

    #[test]
    fn servers_with_bad_fields_are_skipped_with_a_reason() {
        let xml = doc(
            "<incomingServer type=\"imap\"><hostname>a.example.com</hostname><port>993</port>
               <socketType>TLS1.3-only</socketType><username>%EMAILADDRESS%</username></incomingServer>
             <incomingServer type=\"imap\"><port>993</port><socketType>SSL</socketType></incomingServer>
             <incomingServer type=\"imap\"><hostname>   </hostname><port>993</port><socketType>SSL</socketType></incomingServer>
             <incomingServer type=\"imap\"><hostname>b.example.com</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
             <incomingServer type=\"pop3\"><hostname>c.example.com</hostname><port>zero</port><socketType>SSL</socketType></incomingServer>
             <incomingServer type=\"pop3\"><hostname>d.example.com</hostname><port>0</port><socketType>SSL</socketType></incomingServer>
             <incomingServer type=\"pop3\"><hostname>e.example.com</hostname><port>995</port></incomingServer>
             <incomingServer type=\"imap\"><hostname>bad host/name</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
             <incomingServer type=\"imap\"><hostname>
                 good.example.com
               </hostname><socketType>bogus</socketType><socketType>ssl</socketType></incomingServer>
             <outgoingServer type=\"smtp\"><hostname>smtp.example.com</hostname><socketType>STARTTLS</socketType>
               <username>%EMAILADDRESS%</username></outgoingServer>",
        );
        let cfg = parse(xml.as_bytes()).unwrap();
        assert_eq!(
            cfg.incoming,
            // The first socketType understood wins; no port: the standard one for it.
            [server(
                Protocol::Imap,
                "good.example.com",
                993,
                Security::Tls,
                "%EMAILADDRESS%",
                &[]
            )]
        );
        assert_eq!(
            cfg.outgoing,
            [server(
                Protocol::Smtp,
                "smtp.example.com",
                587,
                Security::Starttls,
                "%EMAILADDRESS%",
                &[]
            )]
        );
        assert_eq!(
            cfg.warnings,
            [
                "skipped <incomingServer type=\"imap\">: unsupported socketType \"TLS1.3-only\"",
                "skipped <incomingServer type=\"imap\">: no <hostname>",
                "skipped <incomingServer type=\"imap\">: no <hostname>",
                "skipped <incomingServer type=\"imap\">: bad port \"99999\"",
                "skipped <incomingServer type=\"pop3\">: bad port \"zero\"",
                "skipped <incomingServer type=\"pop3\">: bad port \"0\"",
                "skipped <incomingServer type=\"pop3\">: no <socketType>",
                "skipped <incomingServer type=\"imap\">: bad hostname \"bad host/name\"",
                "IMAP server good.example.com has no <port>; assuming 993",
                "SMTP server smtp.example.com has no <port>; assuming 587",
            ]
        );
    }

    #[test]
    fn passwords_are_never_kept() {
        let xml = doc(
            "<incomingServer type=\"imap\"><hostname>imap.example.com</hostname><port>993</port>
               <socketType>SSL</socketType><username>alice</username>
               <password>hunter2</password><authentication>password-cleartext</authentication>
             </incomingServer>",
        );
        let cfg = parse(xml.as_bytes()).unwrap();
        assert_eq!(cfg.incoming.len(), 1);
        assert_eq!(cfg.incoming[0].username, "alice");
        assert!(!format!("{cfg:?}").contains("hunter2"));
        let cands = cfg.candidates("bob", "example.com", &source());
        assert!(!format!("{cands:?}").contains("hunter2"));
        assert_eq!(
            cands[0].username,
            UsernameForm::Template("alice".to_string())
        );
    }

    #[test]
    fn server_count_is_capped() {
        let one = "<incomingServer type=\"imap\"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>";
        let cfg = parse(doc(&one.repeat(100)).as_bytes()).unwrap();
        assert_eq!(cfg.incoming.len(), MAX_SERVERS);
        assert!(
            cfg.warnings
                .iter()
                .any(|w| w.contains("more than 64 servers"))
        );
        // Identical servers become one candidate.
        assert_eq!(cfg.candidates("a", "example.com", &source()).len(), 1);
    }

    #[test]
    fn unsafe_urls_and_bad_expansions_are_dropped() {
        let xml = doc(
            "<incomingServer type=\"imap\"><hostname>%EMAILLOCALPART%.example.com</hostname><port>993</port>
               <socketType>SSL</socketType></incomingServer>
             <incomingServer type=\"imap\"><hostname>%REALNAME%.example.com</hostname><port>993</port>
               <socketType>SSL</socketType></incomingServer>
             <documentation url=\"javascript:alert(1)\"><descr>x</descr></documentation>
             <enable visiturl=\"file:///etc/passwd\"/>",
        );
        let cfg = parse(xml.as_bytes()).unwrap();
        assert_eq!(cfg.documentation, []);
        assert_eq!(
            cfg.enable,
            Some(EnableInstructions {
                visit_url: None,
                instructions: vec![]
            })
        );
        assert_eq!(cfg.warnings.len(), 2);
        // "john.doe" expands to a fine host; "a+b" does not; %REALNAME% never does.
        let hosts = |local: &str| {
            cfg.candidates(local, "example.com", &source())
                .into_iter()
                .map(|c| c.endpoint.host)
                .collect::<Vec<_>>()
        };
        assert_eq!(hosts("John.Doe"), ["john.doe.example.com"]);
        assert_eq!(hosts("a+b"), Vec::<String>::new());
        let notes = cfg.notes();
        assert_eq!(
            notes[0].en,
            "Enable mail-client access for this account first."
        );
    }

    #[test]
    fn garbage_never_panics() {
        let src = source();
        never_panics(fixture!("ispdb-gmail.xml"), |bytes| {
            if let Ok(cfg) = parse(bytes) {
                let _ = cfg.candidates("a", "example.com", &src);
            }
        });
        never_panics(fixture!("ispdb-jp-isp-shift_jis.xml"), |bytes| {
            let _ = parse(bytes);
        });
    }
}
