//! `mailcfg detect --json`: the wire format (schema 1), a contract with scripts.
//!
//! The wire structs below are separate from the engine's types (`report::model`) so the
//! engine can change without breaking scripts. Adding a field is compatible; renaming or
//! removing one, or changing its type, needs a new `schema` number.
//!
//! # Document
//!
//! - `schema`: number, `1`.
//! - `command`: string, `"detect"`.
//! - `email`: string, the address as given, with the Unicode domain.
//! - `local_part`: string, the part before `@`.
//! - `domain`: string, the ASCII (A-label) domain used for lookups.
//! - `display_domain`: string, the domain for people (U-labels).
//! - `mode`: `"offline"` (provider table only) | `"no-probe"` (lookups, no connection to
//!   mail servers) | `"full"`.
//! - `provider`: object or null:
//!   `id` string, `name` string, `name_ja` string|null, `documentation` string (URL)|null,
//!   `matched_by` `"domain"`|`"mx"`.
//! - `incoming`: array of Setting (IMAP and POP3), best first; the first is the
//!   recommendation.
//! - `outgoing`: array of Setting (SMTP), best first; the first is the recommendation.
//! - `contradictions`: array of claims a probe did not bear out:
//!   - `claimed`: `{protocol, host, port, security}` as in Setting;
//!   - `sources`: array of source kinds (strings, deduplicated, in order);
//!   - `source_details`: array of `{kind, detail, authenticated}` (as in Setting);
//!   - `observed`: string, what the probe found instead (English; a failure starts with
//!     the probe's outcome keyword, e.g. `"refused: …"`);
//!   - `note`: `{en, ja}`.
//! - `findings`: array, what `detect` diagnosed, worst first (by severity, then kind).
//!   Each is `{kind, severity, endpoints, en, ja}` plus the fields of its kind:
//!   - `kind`: string, a stable code (below);
//!   - `severity`: `"error"` (the settings concerned cannot be used, or nothing was
//!     found) | `"warning"` (usable or explained, but something must be acted on) |
//!     `"info"`;
//!   - `endpoints`: array of `{protocol, host, port}`, the server ports it is about; their
//!     rows in `probes` are the evidence;
//!   - `en`, `ja`: string, what happened and what to do next.
//!
//!   The kinds and their fields (a place is `{protocol, host, port}`):
//!   - `domain-not-found` (error) `{domain}`: NXDOMAIN for the address's domain;
//!   - `no-mail-records` (error) `{domain}`: the domain exists, but no MX, no SRV and no
//!     mail host name was found;
//!   - `all-timed-out` (error) `{at: [place]}`: every connection to the domain's hosts
//!     timed out (a firewall drops the traffic);
//!   - `starttls-failed` (error) `{at: place}`: STARTTLS/STLS was offered and accepted,
//!     then the TLS handshake failed or the connection closed;
//!   - `obsolete-tls` (error) `{at: [place], version, certificate_names: [string],
//!     key_bits: number|null}`: the server speaks only TLS 1.0/1.1 (RFC 8996);
//!   - `plaintext-on-tls-port` (warning) `{at: place, greeting, instead: place|null}`: 993,
//!     995 or 465 answered in plain text; `instead` is the STARTTLS port that works;
//!   - `port25-blocked` (warning) `{blocked: [place], working: [place]}`: port 25 (of the MX
//!     or an SMTP host) timed out or was refused while 465/587 answered (OP25B);
//!   - `certificate-name-mismatch` (warning) `{at: [place], names: [string],
//!     verified_alternative: string|null}`: the certificate does not cover the host;
//!     `verified_alternative` is a host the certificate covers (one of its names, or the
//!     domain's MX host under one of its wildcards) that was connected to and verified; it
//!     is then offered as a setting whose `sources` are `["certificate"]`, to confirm;
//!   - `alias-not-in-certificate` (warning) `{at: [place], canonical,
//!     canonical_verified: bool}`: the host is a CNAME whose target the certificate covers;
//!   - `certificate-self-signed` (warning) `{at: [place], subject}`;
//!   - `certificate-expired` (warning) `{at: [place], not_after}` (RFC 3339);
//!   - `certificate-not-yet-valid` (warning) `{at: [place], not_before}` (RFC 3339);
//!   - `certificate-unknown-issuer` (warning) `{at: [place], issuer}`;
//!   - `certificate-invalid` (warning) `{at: [place], detail}`: revoked, bad signature,
//!     wrong purpose;
//!   - `plaintext-only` (warning) `{at: place}`: the recommended setting works only without
//!     encryption;
//!   - `autoconfig-downgrade-refused` (info) `{url}`: an https URL redirected to plain
//!     http; the redirect was not followed and its target is never offered;
//!   - `autoconfig-insecure` (warning, or info once `confirmed`) `{url, named: [place],
//!     verified: [place], confirmed: bool}`: settings read over plain http; `verified` are
//!     those a probe confirmed inside the address's domain, encrypted and with a trusted
//!     certificate, and `confirmed` says whether there is any;
//!   - `relay-port-listed` (info) `{at: [place]}`: port 25 is among the outgoing settings;
//!   - `provider-assigned-username` (info) `{at: [place]}`: the user name of these settings
//!     is an ID the provider issues.
//! - `notes`: array of `{en, ja}`: the provider table's and the sources' notes (autoconfig
//!   instructions), then the text of every finding (the same `en`/`ja` as in `findings`),
//!   so scripts written before `findings` existed keep reading them.
//! - `sources`: array, every source consulted, in order:
//!   - `kind`: `"provider"` | `"autoconfig"` | `"ispdb"` | `"mx"` | `"srv"` |
//!     `"autodiscover"` | `"certificate"` (names in the certificate of a server in the
//!     domain, or the canonical name of an alias) | `"guess"`;
//!   - `query`: string, what was asked (a URL, a DNS name, a provider id);
//!   - `status`: `{state, detail}`: `state` is `"found"` | `"not-found"` | `"failed"` |
//!     `"skipped"` | `"cancelled"`; `detail` string|null says what or why;
//!   - `elapsed_ms`: number|null (null when skipped or cancelled before answering);
//!   - `candidates`: number of candidate settings the source produced.
//! - `probes`: array of probed endpoints, exactly as in `mailcfg probe --json`'s
//!   `endpoints`.
//! - `elapsed_ms`: number, the whole run.
//!
//! Setting:
//! - `protocol`: `"imap"` | `"pop3"` | `"smtp"`.
//! - `host`: string, lower-case ASCII host name (or IP literal).
//! - `display_host`: string, the host for people (U-labels).
//! - `port`: number.
//! - `security`: `"tls"` (implicit TLS, "SSL/TLS" in clients) | `"starttls"` | `"plain"`.
//! - `username`: string|null, what to type as the user name; null when the provider
//!   assigns an ID that cannot be derived from the address.
//! - `username_form`: `"email-address"` | `"local-part"` | `"template"` |
//!   `"provider-assigned"`.
//! - `auth`: array of strings, best first: `"password-cleartext"` (normal password) |
//!   `"password-encrypted"` | `"app-password"` | `"oauth2"` | `"ntlm"` | `"gssapi"` |
//!   `"tls-client-cert"` | `"client-ip-address"` | `"none"`.
//! - `mechanisms`: array of strings, the SASL mechanisms the server offered (empty when
//!   not probed).
//! - `sources`: array of source kinds (strings as in `sources[].kind`), deduplicated, in
//!   order.
//! - `source_details`: array of `{kind, detail, authenticated}`: `detail` is the URL,
//!   DNS name or provider id; `authenticated` is false when the claim travelled over a
//!   channel an attacker could alter (plain http, unsigned DNS, guessing).
//! - `verified`: bool, true when a probe connected with this security and trusted the
//!   certificate.
//! - `verification`: object with `state`:
//!   `{"state": "verified"}` |
//!   `{"state": "untrusted-certificate", "error": string}` |
//!   `{"state": "unverified", "reason": string}` |
//!   `{"state": "failed", "outcome": string, "error": string}`: `outcome` is the probe's
//!   (as in `probes[].outcome`), or `"no-login"` when the dialogue worked but a password
//!   login is impossible there (LOGINDISABLED, no SMTP AUTH).
//! - `certificate`: object|null, the certificate the server presented (fields as in
//!   `probes[].certificate`).
//! - `confirm`: `{en, ja}`|null: set when the user should confirm the host with the
//!   provider before sending a password to it.
//! - `recommended`: bool, true for the setting to use: the first of its list, when it
//!   may be recommended (never a failed setting, never SMTP port 25, and with probes only
//!   a setting a probe confirmed).

use crate::discover::{SourceReport, SourceStatus};
use crate::model::Lang;
use crate::model::{AuthMethod, Endpoint, Source, SourceKind, UsernameForm};
use crate::probe::outcome::CertificateInfo;
use crate::report::findings_text;
use crate::report::json::{self, ProbeEndpoint, SCHEMA, WireFinding};
use crate::report::model::{
    Contradiction, Mode, ProviderInfo, Report, Setting, Verification, source_kinds,
};
use crate::report::render::{Render, RenderOptions};
use serde::Serialize;

/// The detect JSON document behind the renderer seam.
pub struct DetectJson;

impl Render<Report> for DetectJson {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        render(report)
    }
}

/// The report as a JSON document (pretty, with a final newline).
pub fn render(report: &Report) -> String {
    json::to_string(&DetectDocument::from_report(report))
}

/// The same document, to embed in another one (`batch` puts one on each of its lines).
pub fn document(report: &Report) -> impl Serialize + '_ {
    DetectDocument::from_report(report)
}

#[derive(Serialize)]
struct DetectDocument<'a> {
    schema: u32,
    command: &'static str,
    email: &'a str,
    local_part: &'a str,
    domain: &'a str,
    display_domain: &'a str,
    mode: &'static str,
    provider: Option<WireProvider<'a>>,
    incoming: Vec<WireSetting<'a>>,
    outgoing: Vec<WireSetting<'a>>,
    contradictions: Vec<WireContradiction<'a>>,
    findings: Vec<WireFinding>,
    notes: Vec<WireText>,
    sources: Vec<WireSourceReport<'a>>,
    probes: Vec<ProbeEndpoint<'a>>,
    elapsed_ms: f64,
}

impl<'a> DetectDocument<'a> {
    fn from_report(r: &'a Report) -> DetectDocument<'a> {
        let settings = |list: &'a [Setting]| {
            list.iter()
                .enumerate()
                .map(|(i, s)| WireSetting::new(s, i == 0 && s.recommendable(r.mode)))
                .collect()
        };
        let findings: Vec<WireFinding> = r.findings.iter().map(WireFinding::new).collect();
        let notes = notes(r, &findings);
        DetectDocument {
            schema: SCHEMA,
            command: "detect",
            email: &r.email,
            local_part: &r.local_part,
            domain: &r.domain,
            display_domain: &r.display_domain,
            mode: mode(r.mode),
            provider: r.provider.as_ref().map(WireProvider::new),
            incoming: settings(&r.incoming),
            outgoing: settings(&r.outgoing),
            contradictions: r
                .contradictions
                .iter()
                .map(WireContradiction::new)
                .collect(),
            findings,
            notes,
            sources: r.sources.iter().map(WireSourceReport::new).collect(),
            probes: r.probes.iter().map(ProbeEndpoint::from_report).collect(),
            elapsed_ms: r.elapsed_ms,
        }
    }
}

/// The provider's and the sources' notes, then every finding's text: `notes` said all of
/// these before findings existed, and scripts that read it keep working.
fn notes(r: &Report, findings: &[WireFinding]) -> Vec<WireText> {
    let data = r.notes.iter().map(|n| (&n.en, &n.ja));
    let found = findings.iter().map(|f| (&f.en, &f.ja));
    data.chain(found)
        .map(|(en, ja)| WireText {
            en: en.clone(),
            ja: ja.clone(),
        })
        .collect()
}

#[derive(Serialize)]
struct WireProvider<'a> {
    id: &'a str,
    name: &'a str,
    name_ja: Option<&'a str>,
    documentation: Option<&'a str>,
    matched_by: &'static str,
}

impl<'a> WireProvider<'a> {
    fn new(p: &'a ProviderInfo) -> WireProvider<'a> {
        WireProvider {
            id: &p.id,
            name: &p.name,
            name_ja: p.name_ja.as_deref(),
            documentation: p.documentation.as_deref(),
            matched_by: p.matched_by.as_str(),
        }
    }
}

#[derive(Serialize)]
struct WireSetting<'a> {
    protocol: &'static str,
    host: &'a str,
    display_host: &'a str,
    port: u16,
    security: &'static str,
    username: Option<&'a str>,
    username_form: &'static str,
    auth: Vec<&'static str>,
    mechanisms: &'a [String],
    sources: Vec<&'static str>,
    source_details: Vec<WireSource<'a>>,
    verified: bool,
    verification: WireVerification<'a>,
    certificate: Option<&'a CertificateInfo>,
    confirm: Option<WireText>,
    recommended: bool,
}

impl<'a> WireSetting<'a> {
    fn new(s: &'a Setting, recommended: bool) -> WireSetting<'a> {
        WireSetting {
            protocol: s.endpoint.protocol.as_str(),
            host: &s.endpoint.host,
            display_host: &s.display_host,
            port: s.endpoint.port,
            security: s.endpoint.security.as_str(),
            username: s.username.as_deref(),
            username_form: username_form(&s.username_form),
            auth: s.auth.iter().map(|m| auth(*m)).collect(),
            mechanisms: &s.mechanisms,
            sources: kinds(&s.sources),
            source_details: s.sources.iter().map(WireSource::new).collect(),
            verified: s.verified(),
            verification: WireVerification::new(&s.verification),
            certificate: s.certificate.as_ref(),
            confirm: s
                .confirm
                .as_ref()
                .map(|c| WireText::from_fn(|lang| findings_text::confirmation(c, lang))),
            recommended,
        }
    }
}

#[derive(Serialize)]
struct WireEndpoint<'a> {
    protocol: &'static str,
    host: &'a str,
    port: u16,
    security: &'static str,
}

impl<'a> WireEndpoint<'a> {
    fn new(e: &'a Endpoint) -> WireEndpoint<'a> {
        WireEndpoint {
            protocol: e.protocol.as_str(),
            host: &e.host,
            port: e.port,
            security: e.security.as_str(),
        }
    }
}

#[derive(Serialize)]
struct WireSource<'a> {
    kind: &'static str,
    detail: &'a str,
    authenticated: bool,
}

impl<'a> WireSource<'a> {
    fn new(s: &'a Source) -> WireSource<'a> {
        WireSource {
            kind: s.kind.as_str(),
            detail: &s.detail,
            authenticated: s.authenticated,
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
enum WireVerification<'a> {
    Verified,
    UntrustedCertificate {
        error: &'a str,
    },
    Unverified {
        reason: String,
    },
    Failed {
        outcome: &'static str,
        error: String,
    },
}

impl<'a> WireVerification<'a> {
    fn new(v: &'a Verification) -> WireVerification<'a> {
        match v {
            Verification::Verified => WireVerification::Verified,
            Verification::UntrustedCertificate { error, .. } => {
                WireVerification::UntrustedCertificate { error }
            }
            Verification::Unverified { reason } => WireVerification::Unverified {
                reason: findings_text::unverified(*reason, Lang::En),
            },
            Verification::Failed { failure } => WireVerification::Failed {
                outcome: findings_text::failure_keyword(failure),
                error: findings_text::failure(failure, Lang::En),
            },
        }
    }
}

#[derive(Serialize)]
struct WireContradiction<'a> {
    claimed: WireEndpoint<'a>,
    sources: Vec<&'static str>,
    source_details: Vec<WireSource<'a>>,
    observed: String,
    note: WireText,
}

impl<'a> WireContradiction<'a> {
    fn new(c: &'a Contradiction) -> WireContradiction<'a> {
        WireContradiction {
            claimed: WireEndpoint::new(&c.claimed),
            sources: kinds(&c.sources),
            source_details: c.sources.iter().map(WireSource::new).collect(),
            observed: findings_text::observed(&c.observed, c.claimed.port, Lang::En),
            note: WireText::from_fn(|lang| findings_text::contradiction(c, lang)),
        }
    }
}

/// Text the report layer words, in both languages.
#[derive(Serialize)]
struct WireText {
    en: String,
    ja: String,
}

impl WireText {
    fn from_fn(say: impl Fn(Lang) -> String) -> WireText {
        WireText {
            en: say(Lang::En),
            ja: say(Lang::Ja),
        }
    }
}

#[derive(Serialize)]
struct WireSourceReport<'a> {
    kind: &'static str,
    query: &'a str,
    status: WireStatus<'a>,
    elapsed_ms: Option<f64>,
    candidates: usize,
}

#[derive(Serialize)]
struct WireStatus<'a> {
    state: &'static str,
    detail: Option<&'a str>,
}

impl<'a> WireSourceReport<'a> {
    fn new(s: &'a SourceReport) -> WireSourceReport<'a> {
        let (state, detail) = match &s.status {
            SourceStatus::Found => ("found", None),
            SourceStatus::NotFound(d) => ("not-found", Some(d.as_str())),
            SourceStatus::Failed(d) => ("failed", Some(d.as_str())),
            SourceStatus::Skipped(d) => ("skipped", Some(d.as_str())),
            SourceStatus::Cancelled => ("cancelled", None),
        };
        WireSourceReport {
            kind: s.kind.as_str(),
            query: &s.query,
            status: WireStatus { state, detail },
            elapsed_ms: s.elapsed_ms,
            candidates: s.candidates.len(),
        }
    }
}

// The wire names, spelt out here so a rename in the engine cannot change the contract.

fn mode(mode: Mode) -> &'static str {
    match mode {
        Mode::Offline => "offline",
        Mode::NoProbe => "no-probe",
        Mode::Full => "full",
    }
}

fn kinds(sources: &[Source]) -> Vec<&'static str> {
    source_kinds(sources)
        .into_iter()
        .map(SourceKind::as_str)
        .collect()
}

fn username_form(form: &UsernameForm) -> &'static str {
    match form {
        UsernameForm::EmailAddress => "email-address",
        UsernameForm::LocalPart => "local-part",
        UsernameForm::Template(_) => "template",
        UsernameForm::ProviderAssigned => "provider-assigned",
    }
}

fn auth(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::PasswordCleartext => "password-cleartext",
        AuthMethod::PasswordEncrypted => "password-encrypted",
        AuthMethod::AppPassword => "app-password",
        AuthMethod::OAuth2 => "oauth2",
        AuthMethod::Ntlm => "ntlm",
        AuthMethod::Gssapi => "gssapi",
        AuthMethod::TlsClientCert => "tls-client-cert",
        AuthMethod::ClientIpAddress => "client-ip-address",
        AuthMethod::None => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;
    use serde_json::Value;

    fn document() -> Value {
        serde_json::from_str(&render(&sample_report())).expect("valid JSON")
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!("detect_json", render(&sample_report()));
    }

    fn keys(value: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    fn sorted(mut v: Vec<&str>) -> Vec<&str> {
        v.sort_unstable();
        v
    }

    #[test]
    fn top_level_fields_are_the_contract() {
        let doc = document();
        assert_eq!(
            keys(&doc),
            sorted(vec![
                "schema",
                "command",
                "email",
                "local_part",
                "domain",
                "display_domain",
                "mode",
                "provider",
                "incoming",
                "outgoing",
                "contradictions",
                "findings",
                "notes",
                "sources",
                "probes",
                "elapsed_ms",
            ])
        );
        assert_eq!(doc["schema"], 1);
        assert_eq!(doc["command"], "detect");
        assert_eq!(doc["email"], "taro.yamada@example.ne.jp");
        assert_eq!(doc["domain"], "example.ne.jp");
        assert_eq!(doc["mode"], "full");
        assert!(doc["elapsed_ms"].is_f64());
        let provider = &doc["provider"];
        assert_eq!(
            keys(provider),
            sorted(vec!["id", "name", "name_ja", "documentation", "matched_by"])
        );
        assert_eq!(provider["name_ja"], "エグザンプル・ネット");
        assert_eq!(
            doc["notes"][0]["en"].as_str().map(|s| !s.is_empty()),
            Some(true)
        );
        assert!(doc["notes"][0]["ja"].is_string());
        assert_eq!(doc["probes"].as_array().map(Vec::len), Some(4));
        assert_eq!(doc["probes"][3]["outcome"], "refused");
    }

    #[test]
    fn settings_have_every_field_with_its_type() {
        let doc = document();
        let incoming = doc["incoming"].as_array().expect("incoming array");
        let outgoing = doc["outgoing"].as_array().expect("outgoing array");
        assert_eq!(incoming.len(), 3);
        assert_eq!(outgoing.len(), 3);
        for (list, protocols) in [(incoming, &["imap", "pop3"][..]), (outgoing, &["smtp"][..])] {
            for (i, s) in list.iter().enumerate() {
                assert_eq!(
                    keys(s),
                    sorted(vec![
                        "protocol",
                        "host",
                        "display_host",
                        "port",
                        "security",
                        "username",
                        "username_form",
                        "auth",
                        "mechanisms",
                        "sources",
                        "source_details",
                        "verified",
                        "verification",
                        "certificate",
                        "confirm",
                        "recommended",
                    ])
                );
                assert!(protocols.contains(&s["protocol"].as_str().expect("protocol")));
                assert!(s["host"].is_string() && s["display_host"].is_string());
                assert!(s["port"].is_u64());
                assert!(["tls", "starttls", "plain"].contains(&s["security"].as_str().unwrap()));
                assert!(s["username"].is_string() || s["username"].is_null());
                assert!(s["auth"].as_array().unwrap().iter().all(Value::is_string));
                assert!(s["mechanisms"].is_array());
                assert!(
                    s["sources"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(Value::is_string)
                );
                for d in s["source_details"].as_array().unwrap() {
                    assert_eq!(keys(d), ["authenticated", "detail", "kind"]);
                }
                assert!(s["verified"].is_boolean());
                assert!(s["verification"]["state"].is_string());
                assert!(s["certificate"].is_object() || s["certificate"].is_null());
                assert!(s["confirm"].is_object() || s["confirm"].is_null());
                assert_eq!(s["recommended"], i == 0);
            }
        }
        let imap = &incoming[0];
        assert_eq!(imap["security"], "tls");
        assert_eq!(imap["port"], 993);
        assert_eq!(imap["username_form"], "email-address");
        assert_eq!(imap["auth"][0], "password-cleartext");
        assert_eq!(
            imap["sources"],
            serde_json::json!(["provider", "srv", "autoconfig"])
        );
        assert_eq!(imap["source_details"][1]["authenticated"], false);
        assert_eq!(imap["verified"], true);
        assert_eq!(
            imap["verification"],
            serde_json::json!({"state": "verified"})
        );
        assert_eq!(imap["certificate"]["verified"], true);
        assert_eq!(
            incoming[1]["verification"]["state"],
            "untrusted-certificate"
        );
        assert_eq!(incoming[1]["verified"], false);
        assert_eq!(
            incoming[2]["verification"]["reason"],
            "not checked: a better setting was verified first, or time ran out"
        );
        assert_eq!(outgoing[2]["verification"]["outcome"], "refused");
        assert!(outgoing[1]["confirm"]["ja"].is_string());
        assert_eq!(outgoing[1]["security"], "starttls");
    }

    #[test]
    fn contradictions_and_sources_have_their_shape() {
        let doc = document();
        let c = &doc["contradictions"][0];
        assert_eq!(
            keys(c),
            sorted(vec![
                "claimed",
                "sources",
                "source_details",
                "observed",
                "note"
            ])
        );
        assert_eq!(
            c["claimed"],
            serde_json::json!({"protocol": "smtp", "host": "mail.example.ne.jp", "port": 465, "security": "tls"})
        );
        assert_eq!(c["sources"], serde_json::json!(["autoconfig"]));
        assert!(c["note"]["en"].is_string() && c["note"]["ja"].is_string());

        let sources = doc["sources"].as_array().expect("sources");
        assert_eq!(sources.len(), 9);
        for s in sources {
            assert_eq!(
                keys(s),
                sorted(vec!["kind", "query", "status", "elapsed_ms", "candidates"])
            );
            assert_eq!(keys(&s["status"]), ["detail", "state"]);
            assert!(s["candidates"].is_u64());
        }
        assert_eq!(
            sources[0]["status"],
            serde_json::json!({"state": "found", "detail": null})
        );
        assert_eq!(sources[0]["candidates"], 3);
        assert_eq!(sources[3]["status"]["state"], "not-found");
        assert_eq!(sources[3]["status"]["detail"], "HTTP 404");
        assert_eq!(sources[7]["status"]["state"], "cancelled");
        assert!(sources[7]["elapsed_ms"].is_null());
    }

    #[test]
    fn idn_hosts_keep_both_forms() {
        let mut report = sample_report();
        report.display_domain = "例え.jp".to_string();
        report.domain = "xn--r8jz45g.jp".to_string();
        report.incoming[0].endpoint.host = "imap.xn--r8jz45g.jp".to_string();
        report.incoming[0].display_host = "imap.例え.jp".to_string();
        let doc: Value = serde_json::from_str(&render(&report)).expect("valid JSON");
        assert_eq!(doc["domain"], "xn--r8jz45g.jp");
        assert_eq!(doc["display_domain"], "例え.jp");
        assert_eq!(doc["incoming"][0]["host"], "imap.xn--r8jz45g.jp");
        assert_eq!(doc["incoming"][0]["display_host"], "imap.例え.jp");
        let table = crate::report::detect_table::render(&report, crate::model::Lang::Ja, false);
        assert!(table.contains("imap.例え.jp"));
    }

    #[test]
    fn provider_assigned_username_is_null_and_modes_are_named() {
        let mut report = sample_report();
        report.incoming[0].username = None;
        report.incoming[0].username_form = UsernameForm::ProviderAssigned;
        report.incoming[0].auth = vec![AuthMethod::AppPassword, AuthMethod::OAuth2];
        report.provider = None;
        report.mode = Mode::NoProbe;
        let doc: Value = serde_json::from_str(&render(&report)).expect("valid JSON");
        assert!(doc["incoming"][0]["username"].is_null());
        assert_eq!(doc["incoming"][0]["username_form"], "provider-assigned");
        assert_eq!(
            doc["incoming"][0]["auth"],
            serde_json::json!(["app-password", "oauth2"])
        );
        assert!(doc["provider"].is_null());
        assert_eq!(doc["mode"], "no-probe");
        report.mode = Mode::Offline;
        let doc: Value = serde_json::from_str(&render(&report)).expect("valid JSON");
        assert_eq!(doc["mode"], "offline");
    }
}

#[cfg(test)]
mod readme_tests {
    /// README.md documents the wire format by quoting this file's doc comment; the two must
    /// not drift apart.
    #[test]
    fn readme_quotes_the_documented_schema() {
        let root = env!("CARGO_MANIFEST_DIR");
        let source = std::fs::read_to_string(format!("{root}/src/report/detect_json.rs")).unwrap();
        let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
        let doc: Vec<&str> = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.trim_start_matches("//!"))
            })
            .collect();
        let start = doc.iter().position(|l| *l == "# Document").unwrap() + 1;
        let body = doc[start..].join("\n");
        assert!(
            readme.contains(body.trim()),
            "README.md's detect JSON section differs from src/report/detect_json.rs's doc comment"
        );
    }
}
