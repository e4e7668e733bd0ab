//! One output line of `batch`: compact JSON (JSON Lines), a wrapper around `detect`'s own
//! document. The shape is a contract with scripts (schema 1, documented in README.md):
//!
//! - `line`: number, the input line (1-based, counting comments and blank lines). First,
//!   so that `sort -t: -k2,2n` orders merged shards.
//! - `input`: string, the line as read (trimmed, without an inline comment).
//! - `schema`: `1`; `command`: `"batch"`.
//! - `email`: string|null, the address looked up (`postmaster@` a bare domain); null when
//!   the line is not an address or a domain.
//! - `ok`: bool, true when a recommended incoming and outgoing setting were found (with
//!   trusted certificates where probed): `exit` is 0.
//! - `exit`: number, what `mailcfg detect` would have exited with for this input: 0, 1
//!   (partly found), 3 (nothing found), 2 (not an address or a domain), 4 (the lookup
//!   stopped unexpectedly).
//! - `error`: null when `ok`, else `{kind, finding, message}`: `kind` is
//!   `"malformed-input"` | `"partial"` | `"not-found"` | `"internal"`; `finding` is the
//!   kind of the worst error or warning in `result.findings` (e.g. `"domain-not-found"`,
//!   `"certificate-expired"`), or null; `message` says it in English.
//! - `result`: `mailcfg detect --json`'s document for the address (its own `schema` and
//!   `command: "detect"`), on one line; null for a malformed input or an internal error.

use crate::commands::detect::exit_for;
use crate::exit::Exit;
use crate::findings::Severity;
use crate::model::Lang;
use crate::report::findings_text;
use crate::report::json::SCHEMA;
use crate::report::model::Report;
use serde::Serialize;

/// The classes of a line that is not `ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    MalformedInput,
    Partial,
    NotFound,
    Internal,
}

#[derive(Serialize)]
struct LineError {
    kind: ErrorKind,
    finding: Option<&'static str>,
    message: String,
}

#[derive(Serialize)]
struct Line<'a, D> {
    line: u64,
    input: &'a str,
    schema: u32,
    command: &'static str,
    email: Option<String>,
    ok: bool,
    exit: u8,
    error: Option<LineError>,
    result: Option<D>,
}

/// A finished line and whether it is `ok`.
pub struct Rendered {
    pub text: String,
    pub ok: bool,
}

/// The line for an input `detect` answered.
pub fn answered(line: u64, input: &str, report: &Report) -> Rendered {
    let exit = exit_for(report);
    let error = match exit {
        Exit::Success => None,
        Exit::NotFound => Some(ErrorKind::NotFound),
        _ => Some(ErrorKind::Partial),
    }
    .map(|kind| found_error(kind, report));
    let ok = error.is_none();
    let text = to_line(&Line {
        line,
        input,
        schema: SCHEMA,
        command: "batch",
        email: Some(format!("{}@{}", report.local_part, report.display_domain)),
        ok,
        exit: exit.code(),
        error,
        result: Some(crate::report::detect_json::document(report)),
    });
    Rendered { text, ok }
}

/// The line for an input that was not looked up.
pub fn failed(line: u64, input: &str, kind: ErrorKind, message: String) -> Rendered {
    let exit = match kind {
        ErrorKind::MalformedInput => Exit::Usage,
        _ => Exit::Failure,
    };
    let text = to_line(&Line::<()> {
        line,
        input,
        schema: SCHEMA,
        command: "batch",
        email: None,
        ok: false,
        exit: exit.code(),
        error: Some(LineError {
            kind,
            finding: None,
            message,
        }),
        result: None,
    });
    Rendered { text, ok: false }
}

fn found_error(kind: ErrorKind, report: &Report) -> LineError {
    // Findings are sorted worst first.
    let worst = report
        .findings
        .first()
        .filter(|f| f.severity() != Severity::Info);
    let message = match (worst, kind) {
        (Some(f), _) => findings_text::finding(f, Lang::En).joined(Lang::En),
        (None, ErrorKind::NotFound) => "no usable incoming or outgoing settings were found".into(),
        (None, _) => {
            "only incoming or only outgoing settings were found, or a certificate is not trusted"
                .into()
        }
    };
    LineError {
        kind,
        finding: worst.map(|f| f.kind()),
        message,
    }
}

/// Compact JSON; never fails for these types, but if it did, still one valid line.
fn to_line<T: Serialize>(line: &T) -> String {
    serde_json::to_string(line).unwrap_or_else(|e| {
        let message = serde_json::Value::String(e.to_string());
        format!("{{\"schema\":{SCHEMA},\"command\":\"batch\",\"ok\":false,\"error\":{message}}}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_reports;
    use serde_json::Value;

    #[test]
    fn every_line_is_one_line_of_json_with_its_input() {
        for (name, report) in sample_reports() {
            let rendered = answered(12, "some input", &report);
            assert!(!rendered.text.contains('\n'), "{name}");
            let json: Value = serde_json::from_str(&rendered.text).unwrap();
            assert_eq!(json["line"], 12);
            assert_eq!(json["input"], "some input");
            assert_eq!(json["command"], "batch");
            assert_eq!(json["result"]["command"], "detect");
            assert_eq!(json["ok"], rendered.ok);
            assert_eq!(json["ok"], json["exit"] == 0, "{name}");
            assert_eq!(json["error"].is_null(), rendered.ok, "{name}");
            assert!(
                rendered.text.starts_with("{\"line\":12,"),
                "sortable by line"
            );
        }
    }

    #[test]
    fn a_failed_input_is_classified() {
        let rendered = failed(3, "no way", ErrorKind::MalformedInput, "bad".into());
        let json: Value = serde_json::from_str(&rendered.text).unwrap();
        assert_eq!(json["ok"], false);
        assert_eq!(json["exit"], 2);
        assert_eq!(json["error"]["kind"], "malformed-input");
        assert!(json["result"].is_null());
    }
}
