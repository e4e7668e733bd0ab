//! `mailcfg check --json`: the wire format (schema 1), a contract with scripts. The same
//! conventions as detect's (`report::detect_json`): wire structs apart from the engine's
//! types, stable kebab-case keywords, sentences in both `en` and `ja`. The password is not
//! in the report, so it cannot be in the document.
//!
//! # Document
//!
//! - `schema`: `1`; `command`: `"check"`.
//! - `email`: the address as given (Unicode domain); `domain`: the ASCII domain.
//! - `provider`: the provider table's id, or null.
//! - `origin`: `"detected"` (detect's recommendations) | `"explicit"` (`--imap` …).
//! - `allow_plaintext`: bool.
//! - `ok`: bool, every login succeeded.
//! - `verdict`: `"logged-in"` | `"login-rejected"` | `"refused-by-policy"` | `"not-tested"`
//!   (the exit code follows it: 0, 5, 7, 6; 3 when there was nothing to test).
//! - `servers`: array, one per server tried:
//!   - `protocol`, `host`, `port`, `security` as in detect's Setting; `username`;
//!   - `sources`: array of source kinds that named the server (empty when named by the user);
//!   - `trust`: `{grant: "in-domain" | "provider" (+ id) | "authenticated-source" (+ kind) |
//!     "named-by-user"}` or null when the host was refused;
//!   - `mechanism`: `"PLAIN"` | `"LOGIN"` | `"IMAP LOGIN"` | `"USER/PASS"` | null (no login sent);
//!   - `outcome`: `"ok"` | `"wrong-credentials"` | `"app-password-or-oauth"` |
//!     `"account-disabled"` | `"mechanism-not-offered"` | `"try-later"` | `"rejected"` |
//!     `"tls-failure"` | `"unreachable"` | `"refused-by-policy"`;
//!   - `evidence` (app-password-or-oauth): `"server-reply"` | `"provider-table"` |
//!     `"only-oauth-offered"`; `offered` (mechanism-not-offered): array of strings;
//!     `probe_outcome` (unreachable): the probe's outcome keyword;
//!   - `refusal` (refused-by-policy): `{refusal: "untrusted-host" (+ host, domain, via) |
//!     "plaintext" | "untrusted-certificate" (+ host, problem)}`;
//!   - `reply`: what the server answered to the login (bounded), or null;
//!   - `en`, `ja`: what happened and what to do next;
//!   - `probe`: the connection as `mailcfg probe --json` reports an endpoint, or null when
//!     no connection was made.
//! - `missing`: array of `"incoming"` | `"outgoing"`: directions detect found no server for.
//! - `elapsed_ms`: number.

use crate::check::outcome::{Evidence, LoginOutcome, Verdict};
use crate::check::trust::{Grant, Refusal};
use crate::check::{CheckReport, Origin, ServerCheck};
use crate::model::{Direction, Lang, SourceKind};
use crate::report::check_text::outcome_wording;
use crate::report::json::{ProbeEndpoint, SCHEMA, to_string};
use crate::report::model::source_kinds;
use crate::report::render::{Render, RenderOptions};
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    command: &'static str,
    email: &'a str,
    domain: &'a str,
    provider: Option<&'a str>,
    origin: &'static str,
    allow_plaintext: bool,
    ok: bool,
    verdict: &'static str,
    servers: Vec<Server<'a>>,
    missing: Vec<&'static str>,
    elapsed_ms: f64,
}

#[derive(Serialize)]
struct Server<'a> {
    protocol: &'static str,
    host: &'a str,
    port: u16,
    security: &'static str,
    username: &'a str,
    sources: Vec<SourceKind>,
    trust: Option<&'a Grant>,
    mechanism: Option<&'static str>,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offered: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    probe_outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<&'a Refusal>,
    reply: Option<&'a str>,
    en: String,
    ja: String,
    probe: Option<ProbeEndpoint<'a>>,
}

fn verdict_keyword(v: Verdict) -> &'static str {
    match v {
        Verdict::LoggedIn => "logged-in",
        Verdict::LoginRejected => "login-rejected",
        Verdict::Refused => "refused-by-policy",
        Verdict::NotTested => "not-tested",
    }
}

fn server<'a>(s: &'a ServerCheck, provider: Option<&'a str>) -> Server<'a> {
    let (mut evidence, mut offered, mut probe_outcome, mut refusal) = (None, None, None, None);
    match &s.outcome {
        LoginOutcome::AppPasswordOrOauth { evidence: e } => evidence = Some(*e),
        LoginOutcome::MechanismNotOffered { offered: o } => offered = Some(o.as_slice()),
        LoginOutcome::Unreachable { outcome } => probe_outcome = Some(outcome.as_str()),
        LoginOutcome::RefusedByPolicy { refusal: r } => refusal = Some(r),
        _ => {}
    }
    let words = |lang| outcome_wording(s, provider, lang).joined(lang);
    Server {
        protocol: s.endpoint.protocol.as_str(),
        host: &s.endpoint.host,
        port: s.endpoint.port,
        security: s.endpoint.security.as_str(),
        username: &s.username,
        sources: source_kinds(&s.sources),
        trust: s.grant.as_ref(),
        mechanism: s.mechanism.map(|m| m.as_str()),
        outcome: s.outcome.as_str(),
        evidence,
        offered,
        probe_outcome,
        refusal,
        reply: s.reply.as_deref(),
        en: words(Lang::En),
        ja: words(Lang::Ja),
        probe: s.probe.as_ref().map(ProbeEndpoint::from_report),
    }
}

/// `mailcfg check --json`.
pub struct CheckJson;

impl Render<CheckReport> for CheckJson {
    fn render(&self, report: &CheckReport, _options: &RenderOptions) -> String {
        let provider = report.provider.map(|p| p.name.as_str());
        let verdict = if report.servers.is_empty() {
            Verdict::NotTested
        } else {
            report.verdict()
        };
        let document = Document {
            schema: SCHEMA,
            command: "check",
            email: &report.email,
            domain: &report.domain,
            provider: report.provider.map(|p| p.id.as_str()),
            origin: match report.origin {
                Origin::Detected => "detected",
                Origin::Explicit => "explicit",
            },
            allow_plaintext: report.allow_plaintext,
            ok: verdict == Verdict::LoggedIn,
            verdict: verdict_keyword(verdict),
            servers: report.servers.iter().map(|s| server(s, provider)).collect(),
            missing: report
                .missing
                .iter()
                .map(|d| match d {
                    Direction::Incoming => "incoming",
                    Direction::Outgoing => "outgoing",
                })
                .collect(),
            elapsed_ms: report.elapsed_ms,
        };
        to_string(&document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ServerCheck;
    use crate::model::{Endpoint, Protocol, Security};

    #[test]
    fn the_document_follows_schema_1() {
        let server = ServerCheck {
            endpoint: Endpoint {
                protocol: Protocol::Smtp,
                host: "smtp.example.jp".into(),
                port: 587,
                security: Security::Starttls,
            },
            display_host: "smtp.example.jp".into(),
            username: "taro@example.jp".into(),
            sources: Vec::new(),
            grant: Some(Grant::NamedByUser),
            mechanism: Some(crate::probe::login::Mechanism::Login),
            outcome: LoginOutcome::AppPasswordOrOauth {
                evidence: Evidence::ServerReply,
            },
            reply: Some("5.7.9 Application-specific password required".into()),
            probe: None,
        };
        let report = CheckReport {
            email: "taro@example.jp".into(),
            domain: "example.jp".into(),
            provider: None,
            origin: Origin::Explicit,
            allow_plaintext: false,
            servers: vec![server],
            missing: Vec::new(),
            elapsed_ms: 12.5,
        };
        let text = CheckJson.render(&report, &RenderOptions::plain(Lang::En));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["schema"], 1);
        assert_eq!(json["command"], "check");
        assert_eq!(json["origin"], "explicit");
        assert_eq!(json["verdict"], "login-rejected");
        assert_eq!(json["ok"], false);
        let s = &json["servers"][0];
        assert_eq!(s["outcome"], "app-password-or-oauth");
        assert_eq!(s["evidence"], "server-reply");
        assert_eq!(s["trust"]["grant"], "named-by-user");
        assert_eq!(s["mechanism"], "LOGIN");
        assert!(s["probe"].is_null());
        assert!(s["ja"].as_str().unwrap().contains("アプリ パスワード"));
    }
}
