//! The JSON wire format: a contract with scripts, versioned by `schema`.
//!
//! Wire structs are separate from the engine's types so the engine can change without
//! breaking scripts. Adding a field is compatible; renaming or removing one needs a new
//! schema number. The format is documented in README.md ("JSON output").

use crate::findings::{Finding, Severity};
use crate::model::Lang;
use crate::probe::outcome::{CertificateInfo, EndpointReport, Symptom, Timings};
use crate::report::findings_text;
use crate::report::render::{Render, RenderOptions};
use serde::Serialize;

pub const SCHEMA: u32 = 1;

#[derive(Serialize)]
struct ProbeDocument<'a> {
    schema: u32,
    command: &'static str,
    endpoints: Vec<ProbeEndpoint<'a>>,
}

/// One probed endpoint, as scripts see it.
#[derive(Serialize)]
pub struct ProbeEndpoint<'a> {
    pub host: &'a str,
    pub port: u16,
    pub protocol: &'static str,
    pub address: Option<String>,
    /// ok | refused | timeout | silent | closed | not-protocol | tls-error | dns-error |
    /// unreachable | not-tried
    pub outcome: &'static str,
    /// The stage a failure happened in (resolve, connect, tls-handshake, greeting,
    /// capabilities, starttls, capabilities-after-tls); null when ok.
    pub stage: Option<&'static str>,
    pub error: Option<&'a str>,
    /// tls | starttls | plain: what the working connection used; null when it failed.
    pub security: Option<&'static str>,
    pub implicit_tls: bool,
    pub starttls_offered: bool,
    pub starttls_succeeded: Option<bool>,
    pub greeting: Option<&'a str>,
    pub capabilities_before_tls: &'a [String],
    pub capabilities: &'a [String],
    pub auth_before_tls: &'a [String],
    /// SASL mechanisms offered on the final (encrypted, when possible) connection.
    pub auth: &'a [String],
    pub login_disabled: bool,
    pub tls_version: Option<&'a str>,
    pub cipher_suite: Option<&'a str>,
    pub certificate: Option<&'a CertificateInfo>,
    /// What a failure showed about the server, for the diagnoses; null when nothing
    /// telling.
    pub symptom: Option<ProbeSymptom<'a>>,
    pub timings_ms: &'a Timings,
}

/// A symptom on the wire: `{"kind": …}` plus the kind's own fields.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ProbeSymptom<'a> {
    /// STARTTLS was offered and accepted, then the TLS handshake failed or the connection
    /// closed.
    StarttlsBroken,
    /// The server speaks only TLS older than 1.2.
    ObsoleteTls {
        /// "TLSv1.0", "TLSv1.1", "SSLv3".
        version: &'a str,
        /// The certificate the server sent in clear, as `certificate` elsewhere; null
        /// when none was read.
        certificate: Option<&'a CertificateInfo>,
        key_bits: Option<u32>,
    },
    /// 993, 995 or 465 answered with this protocol's plaintext greeting.
    PlaintextOnTlsPort { greeting: &'a str },
}

impl<'a> ProbeSymptom<'a> {
    fn from_symptom(symptom: &'a Symptom) -> ProbeSymptom<'a> {
        match symptom {
            Symptom::StarttlsBroken => ProbeSymptom::StarttlsBroken,
            Symptom::ObsoleteTls {
                version,
                certificate,
                key_bits,
            } => ProbeSymptom::ObsoleteTls {
                version,
                certificate: certificate.as_ref(),
                key_bits: *key_bits,
            },
            Symptom::PlaintextOnTlsPort { greeting } => {
                ProbeSymptom::PlaintextOnTlsPort { greeting }
            }
        }
    }
}

impl<'a> ProbeEndpoint<'a> {
    pub fn from_report(r: &'a EndpointReport) -> ProbeEndpoint<'a> {
        let tls = r.tls.as_ref();
        ProbeEndpoint {
            host: &r.host,
            port: r.port,
            protocol: r.protocol.as_str(),
            address: r.address.map(|a| a.to_string()),
            outcome: r.outcome.as_str(),
            stage: r.stage.map(|s| s.as_str()),
            error: r.error.as_deref(),
            security: r.security.map(|s| s.as_str()),
            implicit_tls: r.implicit_tls,
            starttls_offered: r.starttls.offered,
            starttls_succeeded: r.starttls.succeeded,
            greeting: r.greeting.as_deref(),
            capabilities_before_tls: &r.capabilities_before_tls,
            capabilities: &r.capabilities,
            auth_before_tls: &r.auth_before_tls,
            auth: &r.auth,
            login_disabled: r.login_disabled,
            tls_version: tls.map(|t| t.version.as_str()),
            cipher_suite: tls.map(|t| t.cipher_suite.as_str()),
            certificate: tls.and_then(|t| t.certificate.as_ref()),
            symptom: r.symptom.as_ref().map(ProbeSymptom::from_symptom),
            timings_ms: &r.timings,
        }
    }
}

/// `mailcfg probe --json` behind the renderer seam.
pub struct ProbeJson;

impl Render<[EndpointReport]> for ProbeJson {
    fn render(&self, reports: &[EndpointReport], _options: &RenderOptions) -> String {
        probe(reports)
    }
}

/// `mailcfg probe --json`.
pub fn probe(reports: &[EndpointReport]) -> String {
    let doc = ProbeDocument {
        schema: SCHEMA,
        command: "probe",
        endpoints: reports.iter().map(ProbeEndpoint::from_report).collect(),
    };
    to_string(&doc)
}

/// A finding on the wire, the same in every command's JSON (detect, lint, batch): its own fields (`kind` and the variant's data), then severity, endpoints
/// and the text.
#[derive(Serialize)]
pub struct WireFinding {
    #[serde(flatten)]
    data: serde_json::Value,
    severity: Severity,
    endpoints: Vec<WirePlace>,
    pub en: String,
    pub ja: String,
}

#[derive(Serialize)]
pub struct WirePlace {
    protocol: &'static str,
    host: String,
    port: u16,
}

impl WireFinding {
    pub fn new(f: &Finding) -> WireFinding {
        WireFinding {
            data: serde_json::to_value(f).unwrap_or_default(),
            severity: f.severity(),
            endpoints: f
                .endpoints()
                .into_iter()
                .map(|p| WirePlace {
                    protocol: p.protocol.as_str(),
                    host: p.host,
                    port: p.port,
                })
                .collect(),
            en: findings_text::finding(f, Lang::En).joined(Lang::En),
            ja: findings_text::finding(f, Lang::Ja).joined(Lang::Ja),
        }
    }
}

/// Pretty JSON with a final newline. Serialising these plain structs cannot fail; if it
/// ever did, an error document is still valid JSON.
pub fn to_string<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, InertFormatter::new());
    match value.serialize(&mut serializer) {
        // The formatter writes only what serde_json hands it, UTF-8, and ASCII escapes.
        Ok(()) => String::from_utf8_lossy(&out).into_owned() + "\n",
        Err(e) => error_document(&e.to_string()),
    }
}

/// serde_json's pretty printer that also writes as `\uXXXX` every character a terminal
/// could act on: serde_json escapes only U+0000–U+001F, so DEL, the C1 controls (CSI, OSC
/// … in their one-character form) and the bidi overrides and isolates of a server's text
/// would reach a terminal raw. The JSON values are unchanged: a script reads the same
/// strings.
struct InertFormatter(serde_json::ser::PrettyFormatter<'static>);

impl InertFormatter {
    fn new() -> InertFormatter {
        InertFormatter(serde_json::ser::PrettyFormatter::new())
    }
}

/// Whether `c` is written escaped by [`InertFormatter`].
fn acts_on_a_terminal(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl serde_json::ser::Formatter for InertFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if acts_on_a_terminal(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `{"schema": 1, "error": "…"}` with the message escaped as a JSON string (Rust's `{:?}`
/// escapes differently: `\u{1b}` is not JSON).
fn error_document(message: &str) -> String {
    let quoted = serde_json::Value::String(message.to_string()).to_string();
    format!("{{\"schema\": {SCHEMA}, \"error\": {quoted}}}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promise_8_json_escapes_what_a_terminal_acts_on_and_keeps_the_value() {
        let hostile = "a\u{1b}[2Jb\u{7f}c\u{9b}1md\u{202e}e\u{2069}f 日本";
        let text = to_string(&serde_json::json!({ "greeting": hostile }));
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || acts_on_a_terminal(c)),
            "{text:?}"
        );
        assert!(text.contains("\\u009b") && text.contains("\\u202e") && text.contains("日本"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["greeting"], hostile);
        let pretty =
            serde_json::to_string_pretty(&serde_json::json!({"a": [1, {"b": "c"}]})).unwrap();
        assert_eq!(
            to_string(&serde_json::json!({"a": [1, {"b": "c"}]})),
            pretty + "\n"
        );
    }
    use crate::model::Protocol;

    #[test]
    fn the_error_document_is_valid_json_whatever_the_message() {
        let message = "bad \u{1b}[2J \"quoted\" \\ 日本語 \u{7f}";
        let doc: serde_json::Value =
            serde_json::from_str(&error_document(message)).expect("valid JSON");
        assert_eq!(doc["error"], message);
        assert_eq!(doc["schema"], SCHEMA);
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut r = EndpointReport::new("imap.example.com", 993, Protocol::Imap);
        r.capabilities = vec!["IMAP4rev1\u{1b}[2J".to_string()];
        let text = probe(&[r]);
        assert!(text.contains("IMAP4rev1\\u001b[2J") && !text.contains('\u{1b}'));
    }

    fn symptom_of(symptom: Option<Symptom>) -> serde_json::Value {
        let mut r = EndpointReport::new("imap.example.com", 993, Protocol::Imap);
        r.symptom = symptom;
        let doc: serde_json::Value = serde_json::from_str(&probe(&[r])).expect("JSON");
        doc["endpoints"][0]["symptom"].clone()
    }

    #[test]
    fn symptoms_are_a_kind_and_its_fields_or_null() {
        use serde_json::json;
        assert_eq!(symptom_of(None), json!(null));
        assert_eq!(
            symptom_of(Some(Symptom::StarttlsBroken)),
            json!({"kind": "starttls-broken"})
        );
        assert_eq!(
            symptom_of(Some(Symptom::PlaintextOnTlsPort {
                greeting: "* OK ready".into()
            })),
            json!({"kind": "plaintext-on-tls-port", "greeting": "* OK ready"})
        );
        let obsolete = symptom_of(Some(Symptom::ObsoleteTls {
            version: "TLSv1.1".into(),
            certificate: Some(CertificateInfo {
                names: vec!["imap.example.com".into()],
                ..CertificateInfo::default()
            }),
            key_bits: Some(2048),
        }));
        assert_eq!(obsolete["kind"], "obsolete-tls");
        assert_eq!(obsolete["version"], "TLSv1.1");
        assert_eq!(obsolete["key_bits"], 2048);
        assert_eq!(
            obsolete["certificate"]["names"],
            json!(["imap.example.com"])
        );
    }
}
