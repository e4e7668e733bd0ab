//! `mailcfg detect --format thunderbird`: the settings as a Thunderbird autoconfig file
//! (`clientConfig` version 1.1), for an administrator to publish at
//! `https://autoconfig.<domain>/mail/config-v1.1.xml`.
//!
//! One `<emailProvider id="<domain>">` with the domain (and, when the provider table knows
//! the domain, every other domain of that provider), a display name, the incoming and
//! outgoing settings a client should use in the report's order (best first: Thunderbird
//! takes the first that works), user names as Thunderbird placeholders, authentication in
//! Thunderbird's vocabulary, and the provider's documentation URL.
//!
//! A user name the provider assigns (docomo's d ACCOUNT ID) has no placeholder: the file
//! offers `%EMAILADDRESS%`, which Thunderbird puts in the user-name field for the person to
//! overwrite, with a comment saying so. Read back, that is the email-address form.
//!
//! Clients configure themselves from this file, so settings a probe found broken
//! ([`Verification::Failed`]) and SMTP on port 25 (see [`Setting::relay_port`]) are left
//! out. Settings that are unverified, have an untrusted certificate, need confirming, or
//! whose user name the provider assigns are kept, with an XML comment saying so. When no
//! server is left for a direction, a comment says so in its place: the document is still
//! valid `clientConfig` (the servers are optional to the parser; Thunderbird then finds
//! nothing to use for that direction and asks the user).
//!
//! Escaping is quick-xml's; text that XML cannot carry (control characters) is dropped,
//! as are bidi overrides (see [`clean`]).
//!
//! Format reference: <https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat>.

use crate::discover::providers;
use crate::model::{AuthMethod, Direction, Lang, Security, UsernameForm};
use crate::report::model::{Mode, ProviderMatch, Report, Setting, Verification};
use crate::report::render::{Render, RenderOptions};
use crate::report::{clean, findings_text};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::writer::Writer;
use std::io;

/// The Thunderbird autoconfig export behind the renderer seam, for one person's address
/// (`detect --format thunderbird`, `export --format thunderbird`).
pub struct ThunderbirdXml;

impl Render<Report> for ThunderbirdXml {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        render_for(report, Scope::Address)
    }
}

/// The file a domain owner publishes at `autoconfig.<domain>` (`export --format thunderbird
/// --domain-only`): the same servers, with nothing of the one person the lookup was for.
pub struct ThunderbirdDomainXml;

impl Render<Report> for ThunderbirdDomainXml {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        render_for(report, Scope::Domain)
    }
}

/// Whom the document is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The address looked up: its domain, and every domain of its provider.
    Address,
    /// Everyone at the domain: only that domain, and user names as placeholders only (a
    /// literal user name that contains the local part gets the placeholder back).
    Domain,
}

/// The report as a `clientConfig` v1.1 document for the address (UTF-8, with a final
/// newline).
pub fn render(report: &Report) -> String {
    render_for(report, Scope::Address)
}

/// The report as a `clientConfig` v1.1 document for `scope`.
pub fn render_for(report: &Report, scope: Scope) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail.
    if let Err(e) = write_document(&mut writer, report, scope) {
        return format!("<!-- error: {} -->\n", comment_text(&e.to_string()));
    }
    let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}

type W = Writer<Vec<u8>>;

fn write_document(w: &mut W, report: &Report, scope: Scope) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    comment(
        w,
        &format!(
            "Mail settings for {} found by mailcfg. Servers are listed best first.",
            report.display_domain
        ),
    )?;
    if scope == Scope::Domain {
        comment(
            w,
            &format!(
                "Publish at https://autoconfig.{0}/mail/config-v1.1.xml (or \
                 https://{0}/.well-known/autoconfig/mail/config-v1.1.xml).",
                report.domain
            ),
        )?;
    }
    let mut root = BytesStart::new("clientConfig");
    root.push_attribute(("version", "1.1"));
    w.write_event(Event::Start(root))?;
    let mut provider = BytesStart::new("emailProvider");
    provider.push_attribute(("id", xml_text(&report.domain).as_str()));
    w.write_event(Event::Start(provider))?;

    for domain in domains(report, scope) {
        text_element(w, "domain", &domain)?;
    }
    let name = report
        .provider
        .as_ref()
        .map_or(report.display_domain.as_str(), |p| p.name.as_str());
    text_element(w, "displayName", name)?;
    text_element(w, "displayShortName", name)?;

    for note in &report.notes {
        comment(w, &note.en)?;
    }
    let incoming: Vec<&Setting> = publishable(&report.incoming, report.mode).collect();
    if incoming.is_empty() {
        comment(
            w,
            &format!(
                "No usable incoming server (IMAP or POP3) was found for {}.",
                report.display_domain
            ),
        )?;
    }
    for setting in incoming {
        server(w, "incomingServer", setting, report, scope)?;
    }
    let outgoing: Vec<&Setting> = publishable(&report.outgoing, report.mode).collect();
    if outgoing.is_empty() {
        comment(
            w,
            &format!(
                "No usable outgoing server (SMTP) was found for {}.",
                report.display_domain
            ),
        )?;
    }
    for setting in outgoing {
        server(w, "outgoingServer", setting, report, scope)?;
    }

    if let Some(p) = &report.provider
        && let Some(url) = &p.documentation
    {
        let mut doc = BytesStart::new("documentation");
        doc.push_attribute(("url", xml_text(url).as_str()));
        w.write_event(Event::Start(doc))?;
        description(w, "en", &format!("{} mail setup guide", p.name))?;
        let name_ja = p.name_ja.as_deref().unwrap_or(&p.name);
        description(w, "ja", &format!("{name_ja} のメール設定案内"))?;
        w.write_event(Event::End(BytesEnd::new("documentation")))?;
    }

    w.write_event(Event::End(BytesEnd::new("emailProvider")))?;
    w.write_event(Event::End(BytesEnd::new("clientConfig")))?;
    Ok(())
}

/// The settings a client may be offered, in order: not failed, not SMTP port 25.
///
/// That is [`Setting::recommendable`], except for unverified settings: in a full run
/// those were not probed because a better setting was verified first, so they are
/// legitimate alternatives (Thunderbird falls back to them) and stay.
fn publishable(settings: &[Setting], mode: Mode) -> impl Iterator<Item = &Setting> {
    settings.iter().filter(move |s| match s.verification {
        Verification::Unverified { .. } => !s.relay_port(),
        _ => s.recommendable(mode),
    })
}

/// Whether the document lists a server for `direction` (what `export` checks before it
/// writes a file).
pub fn has_publishable(report: &Report, direction: Direction) -> bool {
    let settings = match direction {
        Direction::Incoming => &report.incoming,
        Direction::Outgoing => &report.outgoing,
    };
    publishable(settings, report.mode).next().is_some()
}

/// The `<domain>` entries: the address's domain first; for the address, also the other
/// exact domains of its provider when the table matched the domain itself (an MX match says
/// nothing about the provider's own domains, and wildcards have no `<domain>` form).
fn domains(report: &Report, scope: Scope) -> Vec<String> {
    let mut out = vec![report.domain.clone()];
    if scope == Scope::Address
        && let Some(info) = &report.provider
        && info.matched_by == ProviderMatch::Domain
        && let Some(provider) = providers::by_id(&info.id)
    {
        for domain in &provider.domains {
            if !domain.starts_with("*.") && !out.contains(domain) {
                out.push(domain.clone());
            }
        }
    }
    out
}

/// The `<username>` value: the placeholder for the form; for the domain, a literal name
/// holding this person's address or local part gets the placeholder back.
fn username_template(report: &Report, s: &Setting, scope: Scope) -> String {
    match &s.username_form {
        UsernameForm::EmailAddress | UsernameForm::ProviderAssigned => "%EMAILADDRESS%".into(),
        UsernameForm::LocalPart => "%EMAILLOCALPART%".into(),
        UsernameForm::Template(template) if scope == Scope::Domain => {
            let address = format!("{}@{}", report.local_part, report.domain);
            let display = format!("{}@{}", report.local_part, report.display_domain);
            let template = template
                .replace(&address, "%EMAILADDRESS%")
                .replace(&display, "%EMAILADDRESS%");
            replace_token(&template, &report.local_part, "%EMAILLOCALPART%")
        }
        UsernameForm::Template(template) => template.clone(),
    }
}

/// `text` with every occurrence of `token` that is not part of a longer word (letters and
/// digits on neither side) replaced: `EXAMPLE\\taro` → `EXAMPLE\\%EMAILLOCALPART%`, but
/// `mail-user` keeps its `a`.
fn replace_token(text: &str, token: &str, with: &str) -> String {
    if token.is_empty() {
        return text.to_string();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(token) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + token.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..at]);
        if word(before) || word(after) {
            out.push_str(token);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + token.len()..];
    }
    out.push_str(rest);
    out
}

fn server(w: &mut W, element: &str, s: &Setting, report: &Report, scope: Scope) -> io::Result<()> {
    let mut start = BytesStart::new(element);
    start.push_attribute(("type", s.endpoint.protocol.as_str()));
    w.write_event(Event::Start(start))?;

    match &s.verification {
        Verification::Verified => {}
        Verification::Unverified { reason } => comment(
            w,
            &format!(
                "Not verified: {}",
                findings_text::unverified(*reason, Lang::En)
            ),
        )?,
        Verification::UntrustedCertificate { error, .. } => comment(
            w,
            &format!("The server's certificate is not trusted: {error}"),
        )?,
        // Left out by `publishable`; marked should that ever change.
        Verification::Failed { failure } => comment(
            w,
            &format!(
                "Connection test failed ({}): {}",
                findings_text::failure_keyword(failure),
                findings_text::failure(failure, Lang::En)
            ),
        )?,
    }
    if let Some(confirmation) = &s.confirm {
        comment(
            w,
            &format!(
                "Confirm with the provider first: {}",
                findings_text::confirmation(confirmation, Lang::En)
            ),
        )?;
    }

    text_element(w, "hostname", &s.endpoint.host)?;
    text_element(w, "port", &s.endpoint.port.to_string())?;
    text_element(w, "socketType", socket_type(s.endpoint.security))?;
    if s.username_form == UsernameForm::ProviderAssigned {
        comment(
            w,
            "The provider assigns the user name (an account ID, not the email address): \
             replace the address with that ID when setting up the account.",
        )?;
    }
    text_element(w, "username", &username_template(report, s, scope))?;
    if s.auth.contains(&AuthMethod::AppPassword) {
        comment(
            w,
            "Use an app password generated for this client, not the account password.",
        )?;
    }
    for value in authentication(&s.auth) {
        text_element(w, "authentication", value)?;
    }

    w.write_event(Event::End(BytesEnd::new(element)))
}

/// `<socketType>` for a security setting.
fn socket_type(security: Security) -> &'static str {
    match security {
        Security::Tls => "SSL",
        Security::Starttls => "STARTTLS",
        Security::Plain => "plain",
    }
}

/// The `<authentication>` values, in order, without duplicates; at least one.
/// Thunderbird has no app-password value: an app password is typed where the normal
/// password goes.
fn authentication(methods: &[AuthMethod]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for method in methods {
        let value = match method {
            AuthMethod::PasswordCleartext | AuthMethod::AppPassword => "password-cleartext",
            AuthMethod::PasswordEncrypted => "password-encrypted",
            AuthMethod::OAuth2 => "OAuth2",
            AuthMethod::Ntlm => "NTLM",
            AuthMethod::Gssapi => "GSSAPI",
            AuthMethod::TlsClientCert => "TLS-client-cert",
            AuthMethod::ClientIpAddress => "client-IP-address",
            AuthMethod::None => "none",
        };
        if !out.contains(&value) {
            out.push(value);
        }
    }
    if out.is_empty() {
        out.push("password-cleartext");
    }
    out
}

fn text_element(w: &mut W, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_text(text)))?;
    Ok(())
}

fn description(w: &mut W, lang: &str, text: &str) -> io::Result<()> {
    w.create_element("descr")
        .with_attribute(("lang", lang))
        .write_text_content(BytesText::new(&xml_text(text)))?;
    Ok(())
}

fn comment(w: &mut W, text: &str) -> io::Result<()> {
    w.write_event(Event::Comment(BytesText::from_escaped(comment_text(text))))
}

/// Text XML 1.0 can carry, on one line: [`clean`] (control characters are not allowed in
/// XML and could be terminal escapes; line breaks and tabs become spaces; bidi overrides
/// go), and the two non-characters XML excludes dropped.
pub(crate) fn xml_text(text: &str) -> String {
    let mut text = clean(text);
    text.retain(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'));
    text
}

/// Comment text: XML text without `--` (which ends a comment) and padded with spaces, so
/// it never ends in `-`.
fn comment_text(text: &str) -> String {
    let mut text = xml_text(text);
    while text.contains("--") {
        text = text.replace("--", "- -");
    }
    format!(" {} ", text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::autoconfig_xml;
    use crate::model::{Endpoint, Note, Protocol};
    use crate::report::sample::{endpoint, sample_report};

    #[test]
    fn snapshot() {
        insta::assert_snapshot!("detect_thunderbird", render(&sample_report()));
    }

    /// The endpoints a parsed document describes, expanded for the sample address.
    fn parsed_endpoints(xml: &str) -> (autoconfig_xml::ClientConfig, Vec<Endpoint>) {
        let cfg = autoconfig_xml::parse(xml.as_bytes()).expect("our own output parses");
        let endpoints = cfg
            .incoming
            .iter()
            .chain(&cfg.outgoing)
            .map(|s| Endpoint {
                protocol: s.protocol,
                host: s.hostname.clone(),
                port: s.port,
                security: s.security,
            })
            .collect();
        (cfg, endpoints)
    }

    #[test]
    fn round_trips_through_the_autoconfig_parser() {
        let report = sample_report();
        let xml = render(&report);
        let (cfg, endpoints) = parsed_endpoints(&xml);
        // Every setting but the one whose probe failed.
        let expected: Vec<Endpoint> = report
            .incoming
            .iter()
            .chain(&report.outgoing)
            .filter(|s| !matches!(s.verification, Verification::Failed { .. }))
            .map(|s| s.endpoint.clone())
            .collect();
        assert_eq!(endpoints.len(), 5);
        assert_eq!(endpoints, expected);
        assert_eq!(cfg.warnings, Vec::<String>::new());
        assert_eq!(cfg.provider_id.as_deref(), Some("example.ne.jp"));
        assert_eq!(cfg.domains, ["example.ne.jp"]);
        assert_eq!(cfg.display_name.as_deref(), Some("Example Net"));
        assert_eq!(cfg.incoming.len(), 3);
        assert_eq!(cfg.outgoing.len(), 2);
        assert!(cfg.incoming.iter().all(|s| s.username == "%EMAILADDRESS%"));
        assert!(
            cfg.incoming
                .iter()
                .chain(&cfg.outgoing)
                .all(|s| s.auth == [AuthMethod::PasswordCleartext])
        );
        assert_eq!(
            cfg.documentation[0].url,
            "https://support.example.ne.jp/mail/settings/"
        );
        // The candidates the parser derives are the report's endpoints, in order.
        let source = report.incoming[0].sources[0].clone();
        let candidates = cfg.candidates(&report.local_part, &report.domain, &source);
        let from_candidates: Vec<Endpoint> = candidates.into_iter().map(|c| c.endpoint).collect();
        assert_eq!(from_candidates, expected);
    }

    #[test]
    fn usernames_auth_and_security_map_to_thunderbird_values() {
        let mut report = sample_report();
        report.incoming[0].username_form = UsernameForm::ProviderAssigned;
        report.incoming[0].username = None;
        report.incoming[0].auth = vec![AuthMethod::OAuth2, AuthMethod::AppPassword];
        report.incoming[1].username_form = UsernameForm::LocalPart;
        report.incoming[2].username_form = UsernameForm::Template("%EMAILLOCALPART%+mail@x".into());
        report.incoming[2].auth = Vec::new();
        report.outgoing[1].endpoint.security = Security::Plain;
        report.outgoing[1].auth = vec![AuthMethod::ClientIpAddress, AuthMethod::None];
        let xml = render(&report);
        assert!(xml.contains("provider assigns the user name"));
        assert!(xml.contains("<authentication>OAuth2</authentication>"));
        assert!(xml.contains("app password"));
        assert!(xml.contains("<socketType>plain</socketType>"));
        let (cfg, endpoints) = parsed_endpoints(&xml);
        assert_eq!(endpoints[4].security, Security::Plain);
        assert_eq!(cfg.incoming[0].username, "%EMAILADDRESS%");
        assert_eq!(
            cfg.incoming[0].auth,
            [AuthMethod::OAuth2, AuthMethod::PasswordCleartext]
        );
        assert_eq!(cfg.incoming[1].username, "%EMAILLOCALPART%");
        assert_eq!(cfg.incoming[2].username, "%EMAILLOCALPART%+mail@x");
        assert_eq!(cfg.incoming[2].auth, [AuthMethod::PasswordCleartext]);
        assert_eq!(
            cfg.outgoing[1].auth,
            [AuthMethod::ClientIpAddress, AuthMethod::None]
        );
        assert_eq!(cfg.warnings, Vec::<String>::new());
    }

    #[test]
    fn hostile_text_is_escaped_and_stays_valid_xml() {
        let mut report = sample_report();
        if let Some(p) = report.provider.as_mut() {
            p.name = "A & B <Mail> \"quoted\" \u{1b}[31m".to_string();
            p.documentation = Some("https://example.ne.jp/help?a=1&b=<2>".to_string());
        }
        report.notes.push(Note::new(
            "double -- dash --> end of comment -",
            "ダッシュ -->",
        ));
        report.incoming[0].username_form = UsernameForm::Template("a<b>&c".to_string());
        let xml = render(&report);
        assert!(!xml.contains('\u{1b}'));
        assert!(xml.contains("A &amp; B &lt;Mail&gt;"));
        let (cfg, _) = parsed_endpoints(&xml);
        assert_eq!(
            cfg.display_name.as_deref(),
            Some("A & B <Mail> \"quoted\" [31m")
        );
        assert_eq!(cfg.incoming[0].username, "a<b>&c");
        assert_eq!(
            cfg.documentation[0].url,
            "https://example.ne.jp/help?a=1&b=<2>"
        );
    }

    #[test]
    fn an_empty_report_is_still_a_valid_document() {
        let mut report = sample_report();
        report.incoming.clear();
        report.outgoing.clear();
        report.provider = None;
        let xml = render(&report);
        let (cfg, endpoints) = parsed_endpoints(&xml);
        assert_eq!(endpoints, []);
        assert_eq!(cfg.warnings, Vec::<String>::new());
        assert_eq!(cfg.display_name.as_deref(), Some("example.ne.jp"));
        assert!(cfg.documentation.is_empty());
        assert!(xml.contains(
            "<!-- No usable incoming server (IMAP or POP3) was found for example.ne.jp. -->"
        ));
        assert!(
            xml.contains("<!-- No usable outgoing server (SMTP) was found for example.ne.jp. -->")
        );
    }

    /// The sample, plus what a client must never be offered: the SMTP server the probe
    /// found refused (as a setting), and SMTP on port 25.
    fn sample_with_unusable_settings() -> Report {
        let mut report = sample_report();
        let mut failed = report.outgoing[0].clone();
        failed.endpoint = endpoint(Protocol::Smtp, "mail.example.ne.jp", 465, Security::Tls);
        failed.display_host = failed.endpoint.host.clone();
        failed.verification = Verification::Failed {
            failure: crate::report::model::Failure::Probe {
                outcome: crate::probe::outcome::Outcome::Refused,
                error: "connection refused (os error 111)".to_string(),
            },
        };
        failed.certificate = None;
        let mut relay = report.outgoing[0].clone();
        relay.endpoint = endpoint(Protocol::Smtp, "mx01.example.ne.jp", 25, Security::Starttls);
        relay.display_host = relay.endpoint.host.clone();
        report.outgoing.push(failed);
        report.outgoing.push(relay);
        let mut failed_imap = report.incoming[0].clone();
        failed_imap.endpoint = endpoint(
            Protocol::Imap,
            "imap.example.ne.jp",
            143,
            Security::Starttls,
        );
        failed_imap.verification = Verification::Failed {
            failure: crate::report::model::Failure::Probe {
                outcome: crate::probe::outcome::Outcome::Timeout,
                error: "no answer in 5 s".to_string(),
            },
        };
        report.incoming.push(failed_imap);
        report
    }

    #[test]
    fn failed_and_port_25_settings_are_left_out() {
        let report = sample_with_unusable_settings();
        let xml = render(&report);
        assert!(!xml.contains("mx01.example.ne.jp"), "{xml}");
        assert!(!xml.contains("<port>25</port>"), "{xml}");
        assert!(
            !xml.contains("mail.example.ne.jp</hostname>\n      <port>465"),
            "{xml}"
        );
        assert!(!xml.contains("<port>143</port>"), "{xml}");
        assert!(!xml.contains("failed"), "{xml}");
        // The recommendations, the unprobed alternatives, the untrusted certificate and
        // the host to confirm all stay, with their warnings.
        let (cfg, endpoints) = parsed_endpoints(&xml);
        let sample = sample_report();
        let expected: Vec<Endpoint> = sample
            .incoming
            .iter()
            .chain(&sample.outgoing)
            .filter(|s| !matches!(s.verification, Verification::Failed { .. }))
            .map(|s| s.endpoint.clone())
            .collect();
        assert_eq!(endpoints, expected);
        assert_eq!(cfg.warnings, Vec::<String>::new());
        assert_eq!(cfg.incoming[0].hostname, "imap.example.ne.jp");
        assert_eq!(cfg.outgoing[0].hostname, "smtp.example.ne.jp");
        assert!(xml.contains("<!-- The server's certificate is not trusted:"));
        assert!(xml.contains("<!-- Confirm with the provider first:"));
        assert!(!xml.contains("No usable"));
        // The same settings in a report made without probes.
        let mut no_probe = sample_with_unusable_settings();
        no_probe.mode = Mode::NoProbe;
        assert_eq!(render(&no_probe), xml);
    }

    #[test]
    fn a_direction_with_nothing_usable_says_so() {
        let mut report = sample_with_unusable_settings();
        report.outgoing.retain(|s| !s.recommendable(Mode::NoProbe));
        assert_eq!(report.outgoing.len(), 3);
        let xml = render(&report);
        assert!(
            xml.contains("<!-- No usable outgoing server (SMTP) was found for example.ne.jp. -->")
        );
        assert!(!xml.contains("<outgoingServer"));
        assert!(!xml.contains("No usable incoming"));
        let (cfg, _) = parsed_endpoints(&xml);
        assert_eq!(cfg.incoming.len(), 3);
        assert!(cfg.outgoing.is_empty());
        assert_eq!(cfg.warnings, Vec::<String>::new());
    }
}
