//! `mailcfg lint --json`: the wire format (schema 1), a contract with scripts, documented
//! in README.md ("lint").
//!
//! - `schema`: 1; `command`: `"lint"`;
//! - `input`: what was given; `domain` (A-label) and `display_domain` (U-label);
//! - `findings`: array, worst first, each `{kind, severity, endpoints, en, ja}` plus the
//!   fields of its kind, exactly as detect's findings;
//! - `summary`: `{errors, warnings, info}`, the number of findings of each severity;
//! - `published`: array of `{by: {source: "autoconfig"|"srv"|"autodiscover", url|name},
//!   protocol, host, port, security, outcome}`: every setting published and the outcome
//!   of its probe with the security published (`null` when it was not probed);
//! - `probes`: array, every probe made, as in `mailcfg probe --json`'s `endpoints`;
//! - `elapsed_ms`: number.

use crate::findings::Publisher;
use crate::lint::LintReport;
use crate::report::json::{ProbeEndpoint, SCHEMA, WireFinding, to_string};
use crate::report::render::{Render, RenderOptions};
use serde::Serialize;

/// The lint JSON behind the renderer seam.
pub struct LintJson;

impl Render<LintReport> for LintJson {
    fn render(&self, report: &LintReport, _options: &RenderOptions) -> String {
        render(report)
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    command: &'static str,
    input: &'a str,
    domain: &'a str,
    display_domain: &'a str,
    findings: Vec<WireFinding>,
    summary: Summary,
    published: Vec<WirePublished<'a>>,
    probes: Vec<ProbeEndpoint<'a>>,
    elapsed_ms: f64,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    info: usize,
}

#[derive(Serialize)]
struct WirePublished<'a> {
    by: &'a Publisher,
    protocol: &'static str,
    host: &'a str,
    port: u16,
    security: &'static str,
    outcome: Option<&'static str>,
}

pub fn render(r: &LintReport) -> String {
    let (errors, warnings, info) = r.counts();
    let doc = Document {
        schema: SCHEMA,
        command: "lint",
        input: &r.input,
        domain: &r.domain,
        display_domain: &r.display_domain,
        findings: r.findings.iter().map(WireFinding::new).collect(),
        summary: Summary {
            errors,
            warnings,
            info,
        },
        published: r
            .published
            .iter()
            .map(|p| WirePublished {
                by: &p.by,
                protocol: p.endpoint.protocol.as_str(),
                host: &p.endpoint.host,
                port: p.endpoint.port,
                security: p.endpoint.security.as_str(),
                outcome: r.probe_of(&p.endpoint).map(|probe| probe.outcome.as_str()),
            })
            .collect(),
        probes: r.probes.iter().map(ProbeEndpoint::from_report).collect(),
        elapsed_ms: r.elapsed_ms,
    };
    to_string(&doc)
}
