//! Discovery: every source of candidate settings. Parsers are pure functions; the
//! fetchers around them are thin. Each source reports what it asked, what it got and how
//! long it took as a [`SourceReport`], whether or not it found anything.

pub mod autoconfig;
pub mod autoconfig_xml;
pub mod autodiscover;
pub mod autodiscover_xml;
pub mod certificate;
pub mod guess;
pub mod ispdb;
pub mod mx;
pub mod providers;
pub mod srv;
pub mod xml;

use crate::model::{Candidate, SourceKind};
use serde::Serialize;

/// What one source answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceReport {
    pub kind: SourceKind,
    /// What was asked: a URL, a DNS name, a provider id.
    pub query: String,
    pub status: SourceStatus,
    /// None when the source was skipped or cancelled before it answered.
    pub elapsed_ms: Option<f64>,
    pub candidates: Vec<Candidate>,
    /// Something the source refused or distrusted on the way, as a fact for the diagnoses.
    pub warning: Option<SourceWarning>,
}

/// What a source refused or distrusted on the way to its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum SourceWarning {
    /// An https URL answered with a redirect to plain http, which was not followed. The
    /// redirect's target is never offered as a server.
    DowngradeRefused {
        /// The https URL that redirected.
        url: String,
    },
}

impl SourceWarning {
    /// The warning a failed fetch carries, if any.
    pub fn from_fetch(error: &crate::net::http::FetchError) -> Option<SourceWarning> {
        match error {
            crate::net::http::FetchError::DowngradeRefused { from } => {
                Some(SourceWarning::DowngradeRefused { url: from.clone() })
            }
            _ => None,
        }
    }
}

impl SourceReport {
    pub fn new(kind: SourceKind, query: impl Into<String>, status: SourceStatus) -> SourceReport {
        SourceReport {
            kind,
            query: query.into(),
            status,
            elapsed_ms: None,
            candidates: Vec::new(),
            warning: None,
        }
    }

    /// A source that answered with candidates (or an empty answer).
    pub fn found(
        kind: SourceKind,
        query: impl Into<String>,
        candidates: Vec<Candidate>,
    ) -> SourceReport {
        let status = if candidates.is_empty() {
            SourceStatus::NotFound("no usable settings in the answer".into())
        } else {
            SourceStatus::Found
        };
        SourceReport {
            candidates,
            ..SourceReport::new(kind, query, status)
        }
    }

    pub fn with_elapsed(mut self, elapsed: std::time::Duration) -> SourceReport {
        self.elapsed_ms = Some(crate::probe::millis(elapsed));
        self
    }
}

/// How a source ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "detail")]
pub enum SourceStatus {
    /// It answered with candidates.
    Found,
    /// It answered: there is nothing (404, NXDOMAIN, no records). The text says what.
    NotFound(String),
    /// It could not answer (timeout, TLS failure, malformed document). The text says why.
    Failed(String),
    /// Not consulted (--offline, --no-ispdb, not needed).
    Skipped(String),
    /// Stopped because the best answer was already verified.
    Cancelled,
}
