//! The bundled provider table: the settings of well-known mail providers, kept as one TOML
//! file per provider in `providers/` and embedded into the binary by `build.rs`.
//!
//! Everything here is pure: the files are compiled in, parsed once on first use and never read
//! from disk at run time. [`load`] parses and validates any set of files (the embedded ones, or
//! broken ones in tests); a unit test validates every embedded file, so a failure in [`all`] is
//! a build defect. The schema is described in `providers/README.md`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::{
    AuthMethod, Candidate, Endpoint, Note, NoteStep, Protocol, Security, Source, SourceKind,
    UsernameForm, expand_placeholders,
};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/provider_files.rs"));
}

/// One provider from the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// The file stem, e.g. `gmail`.
    pub id: String,
    pub name: String,
    pub name_ja: Option<String>,
    /// Mail domains, exact (`gmail.com`) or wildcard (`*.dion.ne.jp`: any subdomain, not the
    /// suffix itself). Lower-case A-labels.
    pub domains: Vec<String>,
    /// Suffixes of preferred-MX host names that identify this provider for other domains.
    pub mx_suffixes: Vec<String>,
    /// In file order, best first.
    pub servers: Vec<ServerTemplate>,
    pub username: UsernameForm,
    pub auth: Vec<AuthMethod>,
    pub notes: Vec<Note>,
    pub documentation: Option<String>,
    /// When the entry was last checked, `YYYY-MM-DD`.
    pub checked: String,
}

/// A server of a provider; the host may contain `%EMAILDOMAIN%`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerTemplate {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Overrides the provider's username form for this server.
    pub username: Option<UsernameForm>,
    /// Overrides the provider's authentication methods for this server.
    pub auth: Option<Vec<AuthMethod>>,
}

/// Why a set of provider files was rejected. Every variant names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The file is not TOML, or does not have the shape of a provider entry.
    #[error("provider file {file}: {message}")]
    Parse { file: String, message: String },
    /// The file parsed but breaks a rule of the table.
    #[error("provider file {file}: {message}")]
    Invalid { file: String, message: String },
}

impl ProviderError {
    /// The file at fault.
    pub fn file(&self) -> &str {
        match self {
            ProviderError::Parse { file, .. } | ProviderError::Invalid { file, .. } => file,
        }
    }
}

/// Every provider of the embedded table, in file-name order. Parsed on first use.
pub fn all() -> &'static [Provider] {
    static TABLE: OnceLock<Vec<Provider>> = OnceLock::new();
    TABLE.get_or_init(|| match load(embedded::FILES) {
        Ok(providers) => providers,
        // The embedded files are validated by a unit test; reaching this is a build defect.
        Err(e) => panic!("the embedded provider table is invalid: {e}"),
    })
}

/// The provider with this id.
pub fn by_id(id: &str) -> Option<&'static Provider> {
    all().iter().find(|p| p.id == id)
}

/// The provider serving mail for `domain`: an exact domain match first, then the longest
/// wildcard (`*.suffix`) that matches. Case and a trailing dot are tolerated.
pub fn by_domain(domain: &str) -> Option<&'static Provider> {
    find_by_domain(all(), domain)
}

/// The provider whose MX suffix matches the preferred MX host `mx_host` on a label boundary
/// (`aspmx.l.google.com` ends with `.google.com`); the longest suffix wins. Case and a trailing
/// dot are tolerated.
pub fn by_mx(mx_host: &str) -> Option<&'static Provider> {
    find_by_mx(all(), mx_host)
}

fn normalize_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn find_by_domain<'a>(providers: &'a [Provider], domain: &str) -> Option<&'a Provider> {
    let domain = normalize_name(domain);
    if domain.is_empty() {
        return None;
    }
    if let Some(p) = providers.iter().find(|p| p.domains.contains(&domain)) {
        return Some(p);
    }
    providers
        .iter()
        .flat_map(|p| {
            p.domains
                .iter()
                .filter_map(|d| d.strip_prefix("*."))
                .filter(|suffix| is_strict_subdomain(&domain, suffix))
                .map(move |suffix| (suffix.len(), p))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, p)| p)
}

fn find_by_mx<'a>(providers: &'a [Provider], mx_host: &str) -> Option<&'a Provider> {
    let host = normalize_name(mx_host);
    if host.is_empty() {
        return None;
    }
    providers
        .iter()
        .flat_map(|p| {
            p.mx_suffixes
                .iter()
                .filter(|suffix| host == **suffix || is_strict_subdomain(&host, suffix))
                .map(move |suffix| (suffix.len(), p))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, p)| p)
}

/// `name` is `suffix` with one or more labels in front.
fn is_strict_subdomain(name: &str, suffix: &str) -> bool {
    name.len() > suffix.len() + 1
        && name.ends_with(suffix)
        && name.as_bytes()[name.len() - suffix.len() - 1] == b'.'
}

impl Provider {
    /// The provider's settings for `local_part@domain`, in file order. `via` says how the
    /// provider was found: [`SourceKind::Provider`] for a domain match, [`SourceKind::Mx`] when
    /// the domain's MX pointed here.
    pub fn candidates(&self, local_part: &str, domain: &str, via: SourceKind) -> Vec<Candidate> {
        let detail = match via {
            SourceKind::Mx => format!("MX → provider table: {}", self.id),
            _ => format!("provider table: {}", self.id),
        };
        self.servers
            .iter()
            .map(|server| Candidate {
                endpoint: Endpoint {
                    protocol: server.protocol,
                    host: expand_placeholders(&server.host, local_part, domain)
                        .to_ascii_lowercase(),
                    port: server.port,
                    security: server.security,
                },
                username: server
                    .username
                    .clone()
                    .unwrap_or_else(|| self.username.clone()),
                auth: server.auth.clone().unwrap_or_else(|| self.auth.clone()),
                sources: vec![Source {
                    kind: via,
                    detail: detail.clone(),
                    authenticated: true,
                }],
                notes: self.notes.clone(),
            })
            .collect()
    }

    /// The name to show in `lang`.
    pub fn display_name(&self, lang: crate::model::Lang) -> &str {
        match (lang, &self.name_ja) {
            (crate::model::Lang::Ja, Some(ja)) => ja,
            _ => &self.name,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading and validation
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    id: String,
    name: String,
    #[serde(default)]
    name_ja: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    mx_suffixes: Vec<String>,
    username: String,
    auth: Vec<String>,
    #[serde(default)]
    documentation: Option<String>,
    checked: String,
    #[serde(default, rename = "server")]
    servers: Vec<RawServer>,
    #[serde(default, rename = "note")]
    notes: Vec<RawNote>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    protocol: Protocol,
    host: String,
    port: u16,
    security: Security,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    auth: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    en: String,
    ja: String,
    /// before | sign-in | incoming | outgoing (the client guides' step).
    #[serde(default)]
    step: Option<NoteStep>,
}

/// Parse and validate provider files given as `(file name, contents)`, e.g.
/// `("gmail.toml", "id = \"gmail\"\n…")`. Pure: nothing is read from disk. The providers come
/// back in the order given. Rejects the first broken file with an error naming it.
pub fn load(files: &[(&str, &str)]) -> Result<Vec<Provider>, ProviderError> {
    let mut providers = Vec::with_capacity(files.len());
    // Claims across files: value → file that made it.
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut domains: HashMap<String, String> = HashMap::new();
    let mut mx_suffixes: HashMap<String, String> = HashMap::new();

    for &(file, contents) in files {
        let provider = parse_file(file, contents)?;
        let invalid = |message: String| ProviderError::Invalid {
            file: file.to_string(),
            message,
        };
        if let Some(other) = ids.insert(provider.id.clone(), file.to_string()) {
            return Err(invalid(format!(
                "id {:?} is already used by {other}",
                provider.id
            )));
        }
        for domain in &provider.domains {
            if let Some(other) = domains.insert(domain.clone(), file.to_string()) {
                return Err(invalid(format!(
                    "domain {domain:?} is already claimed by {other}"
                )));
            }
        }
        for suffix in &provider.mx_suffixes {
            if let Some(other) = mx_suffixes.insert(suffix.clone(), file.to_string()) {
                return Err(invalid(format!(
                    "MX suffix {suffix:?} is already claimed by {other}"
                )));
            }
        }
        providers.push(provider);
    }
    Ok(providers)
}

fn parse_file(file: &str, contents: &str) -> Result<Provider, ProviderError> {
    let raw: RawProvider = toml::from_str(contents).map_err(|e| ProviderError::Parse {
        file: file.to_string(),
        message: match e.span() {
            Some(span) => {
                let (line, column) = line_column(contents, span.start);
                format!("line {line}, column {column}: {}", e.message().trim())
            }
            None => e.message().trim().to_string(),
        },
    })?;
    validate(file, raw).map_err(|message| ProviderError::Invalid {
        file: file.to_string(),
        message,
    })
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn validate(file: &str, raw: RawProvider) -> Result<Provider, String> {
    let Some(stem) = file.strip_suffix(".toml") else {
        return Err("the file name must end in .toml".into());
    };
    if raw.id != stem {
        return Err(format!(
            "id {:?} must equal the file name without .toml ({stem:?})",
            raw.id
        ));
    }
    if raw.id.is_empty()
        || !raw
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!("id {:?} may hold only a-z, 0-9 and '-'", raw.id));
    }
    if raw.name.trim().is_empty() {
        return Err("name is empty".into());
    }
    if raw.name_ja.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err("name_ja is empty (leave it out instead)".into());
    }
    if raw.domains.is_empty() && raw.mx_suffixes.is_empty() {
        return Err(
            "give at least one domain or MX suffix, or nothing can find this provider".into(),
        );
    }
    let mut seen = Vec::new();
    for domain in &raw.domains {
        let name = domain.strip_prefix("*.").unwrap_or(domain);
        check_domain(name).map_err(|why| format!("domain {domain:?} {why}"))?;
        if seen.contains(&domain) {
            return Err(format!("domain {domain:?} is listed twice"));
        }
        seen.push(domain);
    }
    let mut seen = Vec::new();
    for suffix in &raw.mx_suffixes {
        check_domain(suffix).map_err(|why| format!("MX suffix {suffix:?} {why}"))?;
        if seen.contains(&suffix) {
            return Err(format!("MX suffix {suffix:?} is listed twice"));
        }
        seen.push(suffix);
    }
    let username = parse_username(&raw.username)?;
    let auth = parse_auth(&raw.auth).map_err(|why| format!("auth: {why}"))?;
    if let Some(url) = &raw.documentation {
        check_documentation(url)?;
    }
    check_date(&raw.checked).map_err(|why| format!("checked {:?} {why}", raw.checked))?;

    if !raw.servers.iter().any(|s| s.protocol.is_incoming()) {
        return Err("needs at least one incoming ([[server]] with protocol imap or pop3)".into());
    }
    if !raw.servers.iter().any(|s| !s.protocol.is_incoming()) {
        return Err("needs at least one outgoing ([[server]] with protocol smtp)".into());
    }
    let mut servers: Vec<ServerTemplate> = Vec::with_capacity(raw.servers.len());
    for (i, s) in raw.servers.into_iter().enumerate() {
        let at = format!("server #{} ({} {}:{})", i + 1, s.protocol, s.host, s.port);
        if s.port == 0 {
            return Err(format!("{at}: port 0 is not a port"));
        }
        check_host(&s.host).map_err(|why| format!("{at}: host {why}"))?;
        let username = match &s.username {
            Some(u) => Some(parse_username(u).map_err(|why| format!("{at}: {why}"))?),
            None => None,
        };
        let auth = match &s.auth {
            Some(a) => Some(parse_auth(a).map_err(|why| format!("{at}: auth: {why}"))?),
            None => None,
        };
        if servers
            .iter()
            .any(|o| o.protocol == s.protocol && o.host == s.host && o.port == s.port)
        {
            return Err(format!("{at} is listed twice"));
        }
        servers.push(ServerTemplate {
            protocol: s.protocol,
            host: s.host,
            port: s.port,
            security: s.security,
            username,
            auth,
        });
    }

    let mut notes = Vec::with_capacity(raw.notes.len());
    for (i, n) in raw.notes.into_iter().enumerate() {
        if n.en.trim().is_empty() || n.ja.trim().is_empty() {
            return Err(format!("note #{} needs both en and ja text", i + 1));
        }
        if n.ja.is_ascii() {
            return Err(format!(
                "note #{}: the ja text has no Japanese in it: {:?}",
                i + 1,
                n.ja
            ));
        }
        notes.push(Note::new(n.en.trim(), n.ja.trim()).at(n.step));
    }

    Ok(Provider {
        id: raw.id,
        name: raw.name,
        name_ja: raw.name_ja,
        domains: raw.domains,
        mx_suffixes: raw.mx_suffixes,
        servers,
        username,
        auth,
        notes,
        documentation: raw.documentation,
        checked: raw.checked,
    })
}

/// A mail domain or MX suffix: lower-case A-labels, valid under IDNA's strict rules, below a
/// known public suffix and not a public suffix itself.
fn check_domain(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if !name.is_ascii() || name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("must be lower-case ASCII (write an IDN as its xn-- A-label)".into());
    }
    if name.ends_with('.') {
        return Err("must not end with a dot".into());
    }
    match idna::domain_to_ascii_strict(name) {
        Ok(ascii) if ascii == name => {}
        Ok(ascii) => return Err(format!("is not in canonical form (IDNA gives {ascii:?})")),
        Err(_) => return Err("is not a valid domain name".into()),
    }
    if !name.contains('.') {
        return Err("needs at least two labels".into());
    }
    match psl::suffix(name.as_bytes()) {
        Some(suffix) if suffix.is_known() => {
            if suffix.as_bytes() == name.as_bytes() {
                return Err("is a public suffix, not a domain".into());
            }
        }
        _ => return Err("does not end in a known public suffix".into()),
    }
    Ok(())
}

/// A server host name, in which `%EMAILDOMAIN%` stands for the address's domain.
fn check_host(host: &str) -> Result<(), String> {
    let sample = host.replace("%EMAILDOMAIN%", "example.jp");
    if sample.contains('%') {
        return Err(format!(
            "{host:?} has a placeholder other than %EMAILDOMAIN%"
        ));
    }
    if !sample.is_ascii() || sample.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!("{host:?} must be lower-case ASCII"));
    }
    match idna::domain_to_ascii_strict(&sample) {
        Ok(ascii) if ascii == sample && sample.contains('.') && !sample.ends_with('.') => Ok(()),
        _ => Err(format!("{host:?} is not a valid host name")),
    }
}

fn parse_username(value: &str) -> Result<UsernameForm, String> {
    match value {
        "email-address" => Ok(UsernameForm::EmailAddress),
        "local-part" => Ok(UsernameForm::LocalPart),
        "provider-assigned" => Ok(UsernameForm::ProviderAssigned),
        template if template.contains('%') => {
            let rest = template
                .replace("%EMAILADDRESS%", "")
                .replace("%EMAILLOCALPART%", "")
                .replace("%EMAILDOMAIN%", "");
            if rest.contains('%') {
                return Err(format!(
                    "username {template:?} has a placeholder other than %EMAILADDRESS%, \
                     %EMAILLOCALPART% and %EMAILDOMAIN%"
                ));
            }
            Ok(UsernameForm::from_template(template))
        }
        other => Err(format!(
            "username {other:?} is not email-address, local-part, provider-assigned or a \
             template with %EMAILADDRESS%, %EMAILLOCALPART% or %EMAILDOMAIN%"
        )),
    }
}

fn parse_auth(names: &[String]) -> Result<Vec<AuthMethod>, String> {
    if names.is_empty() {
        return Err("list at least one method".into());
    }
    let mut methods = Vec::with_capacity(names.len());
    for name in names {
        let method = AuthMethod::parse(name).ok_or_else(|| {
            format!(
                "unknown method {name:?} (use password, password-encrypted, app-password, \
                 oauth2, ntlm, gssapi, tls-client-cert, client-ip-address or none)"
            )
        })?;
        if methods.contains(&method) {
            return Err(format!("{name:?} is listed twice"));
        }
        methods.push(method);
    }
    Ok(methods)
}

fn check_documentation(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| format!("documentation {url:?} must be an https:// URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("documentation {url:?} is not a valid URL"));
    }
    Ok(())
}

/// `YYYY-MM-DD`, a real calendar date from 2000 on.
fn check_date(date: &str) -> Result<(), String> {
    let bytes = date.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err("must be a date written YYYY-MM-DD".into());
    }
    let year: u32 = date[0..4].parse().map_err(|_| "has a bad year")?;
    let month: u32 = date[5..7].parse().map_err(|_| "has a bad month")?;
    let day: u32 = date[8..10].parse().map_err(|_| "has a bad day")?;
    if year < 2000 {
        return Err("is before 2000".into());
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err("has no such month".into()),
    };
    if day == 0 || day > days {
        return Err("has no such day".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;

    const MINIMAL: &str = r#"
id = "example"
name = "Example Mail"
domains = ["example.com"]
username = "email-address"
auth = ["password"]
checked = "2026-11-22"
[[server]]
protocol = "imap"
host = "imap.example.com"
port = 993
security = "tls"
[[server]]
protocol = "smtp"
host = "smtp.example.com"
port = 465
security = "tls"
"#;

    fn load_one(contents: &str) -> Result<Vec<Provider>, ProviderError> {
        load(&[("example.toml", contents)])
    }

    fn expect_invalid(contents: &str, needle: &str) {
        let err = load_one(contents).expect_err("should be rejected");
        assert_eq!(err.file(), "example.toml");
        let text = err.to_string();
        assert!(text.contains("example.toml"), "{text}");
        assert!(text.contains(needle), "expected {needle:?} in {text}");
    }

    #[test]
    fn embedded_table_is_valid() {
        assert!(!embedded::FILES.is_empty());
        let providers = load(embedded::FILES).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(providers.len(), embedded::FILES.len());
        // build.rs sorts by file name.
        let names: Vec<&str> = embedded::FILES.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(all().len(), providers.len());
    }

    #[test]
    fn embedded_table_has_the_required_providers() {
        for id in [
            "gmail",
            "yahoo",
            "yahoo-japan",
            "icloud",
            "outlook",
            "docomo",
            "au",
            "au-one-net",
            "softbank",
        ] {
            assert!(by_id(id).is_some(), "missing provider {id}");
        }
    }

    #[test]
    fn every_embedded_note_is_bilingual_and_every_server_is_encrypted() {
        for p in all() {
            for n in &p.notes {
                assert!(!n.en.is_empty() && !n.ja.is_empty(), "{}", p.id);
            }
            for s in &p.servers {
                assert_ne!(s.security, Security::Plain, "{} {}", p.id, s.host);
            }
        }
    }

    #[test]
    fn minimal_file_loads() {
        let providers = load_one(MINIMAL).unwrap();
        let p = &providers[0];
        assert_eq!(p.id, "example");
        assert_eq!(p.servers.len(), 2);
        assert_eq!(p.username, UsernameForm::EmailAddress);
        assert_eq!(p.auth, [AuthMethod::PasswordCleartext]);
        assert_eq!(p.display_name(Lang::Ja), "Example Mail");
    }

    #[test]
    fn broken_toml_is_rejected_naming_the_file_and_line() {
        let err = load_one("id = \"example\"\nname = \n").unwrap_err();
        assert!(matches!(err, ProviderError::Parse { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("example.toml"), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn unknown_keys_and_values_are_rejected() {
        let typo = MINIMAL
            .replace("mx_suffixes", "xx")
            .replace("checked", "checkd");
        let err = load_one(&typo).unwrap_err();
        assert!(err.to_string().contains("checkd"), "{err}");
        let bad_security = MINIMAL.replacen("security = \"tls\"", "security = \"ssl\"", 1);
        let err = load_one(&bad_security).unwrap_err();
        assert!(err.to_string().contains("ssl"), "{err}");
    }

    #[test]
    fn bad_port_is_rejected() {
        expect_invalid(&MINIMAL.replacen("port = 993", "port = 0", 1), "port 0");
        let err = load_one(&MINIMAL.replacen("port = 993", "port = 70000", 1)).unwrap_err();
        assert!(matches!(err, ProviderError::Parse { .. }), "{err:?}");
        assert!(err.to_string().contains("example.toml"), "{err}");
    }

    #[test]
    fn duplicate_domain_across_files_is_rejected_naming_both() {
        let other = MINIMAL.replace("\"example\"", "\"other\"");
        let err = load(&[("example.toml", MINIMAL), ("other.toml", &other)]).unwrap_err();
        assert_eq!(err.file(), "other.toml");
        let text = err.to_string();
        assert!(text.contains("example.com"), "{text}");
        assert!(text.contains("already claimed by example.toml"), "{text}");
    }

    #[test]
    fn duplicate_domain_within_a_file_and_duplicate_mx_are_rejected() {
        expect_invalid(
            &MINIMAL.replace(
                "domains = [\"example.com\"]",
                "domains = [\"example.com\", \"example.com\"]",
            ),
            "listed twice",
        );
        let a = MINIMAL.replace(
            "domains = [",
            "mx_suffixes = [\"mx.example.net\"]\ndomains = [",
        );
        let b = a
            .replace("\"example\"", "\"other\"")
            .replace("example.com\"]", "example.org\"]");
        let err = load(&[("example.toml", &a), ("other.toml", &b)]).unwrap_err();
        assert!(err.to_string().contains("MX suffix"), "{err}");
    }

    #[test]
    fn id_must_match_the_file_name() {
        let err = load(&[("other.toml", MINIMAL)]).unwrap_err();
        assert_eq!(err.file(), "other.toml");
        assert!(
            err.to_string().contains("must equal the file name"),
            "{err}"
        );
    }

    #[test]
    fn bad_domains_are_rejected() {
        for (domain, why) in [
            ("Example.com", "lower-case"),
            ("exa mple.com", "not a valid domain"),
            ("bücher.de", "lower-case ASCII"),
            ("localhost", "two labels"),
            ("co.jp", "public suffix"),
            ("example.invalidtld", "known public suffix"),
            ("*.co.jp", "public suffix"),
        ] {
            expect_invalid(
                &MINIMAL.replace("\"example.com\"]", &format!("{domain:?}]")),
                why,
            );
        }
        // An A-label is fine.
        let idn = MINIMAL.replace("\"example.com\"]", "\"xn--bcher-kva.de\"]");
        load_one(&idn).unwrap();
    }

    #[test]
    fn other_rules_are_enforced() {
        expect_invalid(&MINIMAL.replace("2026-11-22", "2026-02-30"), "no such day");
        expect_invalid(&MINIMAL.replace("2026-11-22", "22/11/2026"), "YYYY-MM-DD");
        expect_invalid(
            &MINIMAL.replace("[\"password\"]", "[\"pasword\"]"),
            "unknown method",
        );
        expect_invalid(
            &MINIMAL.replace("\"email-address\"", "\"email\""),
            "username",
        );
        expect_invalid(
            &MINIMAL.replace("\"email-address\"", "\"%EMAILUSER%\""),
            "placeholder",
        );
        expect_invalid(
            &MINIMAL.replace("imap.example.com", "imap.%EMAILLOCALPART%.com"),
            "placeholder",
        );
        expect_invalid(
            &MINIMAL.replace("imap.example.com", "imap_example.com"),
            "host",
        );
        expect_invalid(
            &MINIMAL.replace(
                "checked",
                "documentation = \"http://example.com/\"\nchecked",
            ),
            "https",
        );
        let no_smtp = MINIMAL.replace("protocol = \"smtp\"", "protocol = \"pop3\"");
        expect_invalid(&no_smtp, "outgoing");
        let no_incoming = MINIMAL.replace("protocol = \"imap\"", "protocol = \"smtp\"");
        expect_invalid(&no_incoming, "incoming");
        expect_invalid(
            &format!("{MINIMAL}[[note]]\nen = \"Turn on IMAP.\"\n"),
            "missing field `ja`",
        );
        expect_invalid(
            &format!("{MINIMAL}[[note]]\nen = \"Turn on IMAP.\"\nja = \"Turn on IMAP.\"\n"),
            "no Japanese",
        );
        expect_invalid(
            &MINIMAL.replace("domains = [\"example.com\"]", "domains = []"),
            "at least one domain or MX suffix",
        );
    }

    #[test]
    fn by_domain_matches_exact_domains() {
        assert_eq!(by_domain("gmail.com").unwrap().id, "gmail");
        assert_eq!(by_domain("googlemail.com").unwrap().id, "gmail");
        assert_eq!(by_domain("GMAIL.COM.").unwrap().id, "gmail");
        assert_eq!(by_domain("yahoo.co.jp").unwrap().id, "yahoo-japan");
        assert_eq!(by_domain("yahoo.co.uk").unwrap().id, "yahoo");
        assert_eq!(by_domain("docomo.ne.jp").unwrap().id, "docomo");
        assert_eq!(by_domain("hotmail.co.jp").unwrap().id, "outlook");
        assert!(by_domain("example.com").is_none());
        assert!(by_domain("").is_none());
        // An exact domain does not match its subdomains.
        assert!(by_domain("mail.gmail.com").is_none());
    }

    #[test]
    fn by_domain_matches_wildcards_below_the_suffix_only() {
        assert_eq!(by_domain("abc.dion.ne.jp").unwrap().id, "au-one-net");
        assert_eq!(by_domain("ab.auone-net.jp").unwrap().id, "au-one-net");
        assert_eq!(by_domain("x.y.dion.ne.jp").unwrap().id, "au-one-net");
        assert!(by_domain("dion.ne.jp").is_none());
        assert!(by_domain("auone-net.jp").is_none());
        // Not a label boundary.
        assert!(by_domain("xdion.ne.jp").is_none());
        assert!(by_domain("taro-dion.ne.jp").is_none());
    }

    fn provider(id: &str, domains: &[&str], mx: &[&str]) -> Provider {
        let mut p = load_one(MINIMAL).unwrap().remove(0);
        p.id = id.to_string();
        p.domains = domains.iter().map(|d| d.to_string()).collect();
        p.mx_suffixes = mx.iter().map(|d| d.to_string()).collect();
        p
    }

    #[test]
    fn exact_beats_wildcard_and_the_longest_wildcard_wins() {
        let table = [
            provider("short", &["*.example.jp"], &[]),
            provider("long", &["*.mail.example.jp"], &[]),
            provider("exact", &["a.mail.example.jp"], &[]),
        ];
        assert_eq!(
            find_by_domain(&table, "a.mail.example.jp").unwrap().id,
            "exact"
        );
        assert_eq!(
            find_by_domain(&table, "b.mail.example.jp").unwrap().id,
            "long"
        );
        assert_eq!(
            find_by_domain(&table, "mail.example.jp").unwrap().id,
            "short"
        );
        assert_eq!(find_by_domain(&table, "b.example.jp").unwrap().id, "short");
        assert!(find_by_domain(&table, "example.jp").is_none());
    }

    #[test]
    fn by_mx_matches_on_label_boundaries() {
        assert_eq!(by_mx("aspmx.l.google.com.").unwrap().id, "gmail");
        assert_eq!(by_mx("ALT1.ASPMX.L.GOOGLE.COM").unwrap().id, "gmail");
        assert_eq!(by_mx("smtp.google.com").unwrap().id, "gmail");
        assert_eq!(
            by_mx("example-com.mail.protection.outlook.com").unwrap().id,
            "microsoft365"
        );
        assert_eq!(
            by_mx("hotmail-com.olc.protection.outlook.com").unwrap().id,
            "outlook"
        );
        assert_eq!(
            by_mx("mx01.mail.icloud.com").unwrap().id,
            "icloud-custom-domain"
        );
        assert!(by_mx("notgoogle.com").is_none());
        assert!(by_mx("mx.example.com").is_none());
        assert!(by_mx("protection.outlook.com").is_none());
    }

    #[test]
    fn the_longest_mx_suffix_wins() {
        let table = [
            provider("broad", &["a.example"], &["example.net"]),
            provider("narrow", &["b.example"], &["mail.example.net"]),
        ];
        assert_eq!(
            find_by_mx(&table, "mx1.mail.example.net").unwrap().id,
            "narrow"
        );
        assert_eq!(
            find_by_mx(&table, "mx1.other.example.net").unwrap().id,
            "broad"
        );
        assert_eq!(find_by_mx(&table, "example.net").unwrap().id, "broad");
    }

    #[test]
    fn au_one_net_hosts_come_from_the_address_domain() {
        let p = by_domain("ab.auone-net.jp").unwrap();
        let c = p.candidates("taro", "ab.auone-net.jp", SourceKind::Provider);
        let pop = c
            .iter()
            .find(|c| c.endpoint.protocol == Protocol::Pop3)
            .unwrap();
        assert_eq!(pop.endpoint.host, "pop.ab.auone-net.jp");
        assert_eq!(pop.endpoint.port, 995);
        let smtp = c
            .iter()
            .find(|c| c.endpoint.protocol == Protocol::Smtp)
            .unwrap();
        assert_eq!(smtp.endpoint.host, "msa.ab.auone-net.jp");
        assert!(c.iter().all(|c| !c.endpoint.host.contains('%')));
        let d = p.candidates("taro", "D1.Dion.ne.jp", SourceKind::Provider);
        assert_eq!(d[0].endpoint.host, "pop.d1.dion.ne.jp");
    }

    #[test]
    fn docomo_username_is_provider_assigned() {
        let p = by_domain("docomo.ne.jp").unwrap();
        let c = p.candidates("taro", "docomo.ne.jp", SourceKind::Provider);
        assert!(!c.is_empty());
        for cand in &c {
            assert_eq!(cand.username, UsernameForm::ProviderAssigned);
            assert_eq!(cand.username.render("taro", "docomo.ne.jp"), None);
        }
        assert_eq!(c[0].endpoint.host, "imap.spmode.ne.jp");
    }

    #[test]
    fn candidates_carry_source_notes_and_server_overrides() {
        let p = by_id("icloud").unwrap();
        let c = p.candidates("taro", "icloud.com", SourceKind::Provider);
        let imap = c
            .iter()
            .find(|c| c.endpoint.protocol == Protocol::Imap)
            .unwrap();
        let smtp = c
            .iter()
            .find(|c| c.endpoint.protocol == Protocol::Smtp)
            .unwrap();
        assert_eq!(
            imap.username.render("taro", "icloud.com").as_deref(),
            Some("taro")
        );
        assert_eq!(
            smtp.username.render("taro", "icloud.com").as_deref(),
            Some("taro@icloud.com")
        );
        assert_eq!(smtp.endpoint.security, Security::Starttls);
        assert_eq!(imap.auth, [AuthMethod::AppPassword]);
        assert_eq!(imap.notes, p.notes);
        assert!(!imap.notes.is_empty());
        assert_eq!(
            imap.sources,
            [Source {
                kind: SourceKind::Provider,
                detail: "provider table: icloud".into(),
                authenticated: true,
            }]
        );

        let g = by_mx("aspmx.l.google.com").unwrap();
        let c = g.candidates("info", "example.co.jp", SourceKind::Mx);
        assert_eq!(c[0].sources[0].kind, SourceKind::Mx);
        assert_eq!(c[0].sources[0].detail, "MX → provider table: gmail");
        assert_eq!(
            c[0].username.render("info", "example.co.jp").as_deref(),
            Some("info@example.co.jp")
        );
    }

    #[test]
    fn candidates_keep_file_order() {
        let p = by_id("gmail").unwrap();
        let c = p.candidates("taro", "gmail.com", SourceKind::Provider);
        let got: Vec<(Protocol, &str, u16)> = c
            .iter()
            .map(|c| {
                (
                    c.endpoint.protocol,
                    c.endpoint.host.as_str(),
                    c.endpoint.port,
                )
            })
            .collect();
        let want: Vec<(Protocol, &str, u16)> = p
            .servers
            .iter()
            .map(|s| (s.protocol, s.host.as_str(), s.port))
            .collect();
        assert_eq!(got, want);
        assert_eq!(got[0], (Protocol::Imap, "imap.gmail.com", 993));
    }
}
