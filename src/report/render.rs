//! The renderer seam: every output of mailcfg — tables, JSON, client guides, exports — is
//! a [`Render`] over a finished report plus [`RenderOptions`], returning the whole output.
//! Renderers do no I/O and read nothing but their arguments, so each is snapshot-tested on
//! the same sample reports, and the commands only pick one ([`detect_renderer`],
//! [`probe_renderer`]) and write what it returns.

use crate::lint::LintReport;
use crate::model::Lang;
use crate::probe::outcome::EndpointReport;
use crate::report::guides::Client;
use crate::report::model::Report;

/// What a renderer may vary on besides the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    pub lang: Lang,
    /// Also show the sources, timings and the probe matrix (text renderers).
    pub explain: bool,
    /// Wrap text to this many columns; `None` leaves lines unwrapped (not a terminal).
    pub width: Option<u16>,
    /// Colour and emphasis with terminal escape sequences (only on a terminal, never with
    /// `NO_COLOR`; the command decides).
    pub colour: bool,
}

impl RenderOptions {
    /// Plain output in `lang`: no explanation, no wrapping, no colour.
    pub fn plain(lang: Lang) -> RenderOptions {
        RenderOptions {
            lang,
            explain: false,
            width: None,
            colour: false,
        }
    }
}

/// One output format of a report `R` (a detect [`Report`], or the probe's endpoint list).
pub trait Render<R: ?Sized> {
    /// The complete output, ending with a newline.
    fn render(&self, report: &R, options: &RenderOptions) -> String;
}

/// The formats of `mailcfg detect`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectFormat {
    Table,
    Json,
    Thunderbird,
    /// The step-by-step guide for one mail client (`--client`).
    Guide(Client),
    /// The one-page HTML setup sheet for one mail client (`--client … --format html`).
    Html(Client),
}

/// The renderer for a detect report in `format`.
pub fn detect_renderer(format: DetectFormat) -> Box<dyn Render<Report>> {
    use crate::report::{detect_json, detect_table, guides, html, thunderbird};
    match format {
        DetectFormat::Table => Box::new(detect_table::DetectTable),
        DetectFormat::Json => Box::new(detect_json::DetectJson),
        DetectFormat::Thunderbird => Box::new(thunderbird::ThunderbirdXml),
        DetectFormat::Guide(client) => Box::new(guides::text::ClientGuide { client }),
        DetectFormat::Html(client) => Box::new(html::HtmlSheet { client }),
    }
}

/// The files `mailcfg export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Thunderbird autoconfig for the address.
    Thunderbird,
    /// Thunderbird autoconfig for the whole domain (`--domain-only`).
    ThunderbirdDomain,
    Apple,
    Autodiscover,
    Json,
    Msmtp,
    Mbsync,
    Aerc,
    Neomutt,
    /// The one-page setup sheet for a mail client.
    Html(crate::report::guides::Client),
}

/// The renderer for an export in `format`.
pub fn export_renderer(
    format: ExportFormat,
    context: &crate::report::export::ExportContext,
) -> Box<dyn Render<Report>> {
    use crate::report::export::{aerc, apple, autodiscover, mbsync, msmtp, neomutt};
    use crate::report::{detect_json, thunderbird};
    let context = context.clone();
    match format {
        ExportFormat::Thunderbird => Box::new(thunderbird::ThunderbirdXml),
        ExportFormat::ThunderbirdDomain => Box::new(thunderbird::ThunderbirdDomainXml),
        ExportFormat::Apple => Box::new(apple::AppleProfile),
        ExportFormat::Autodiscover => Box::new(autodiscover::AutodiscoverXml),
        ExportFormat::Json => Box::new(detect_json::DetectJson),
        ExportFormat::Msmtp => Box::new(msmtp::MsmtpConfig { context }),
        ExportFormat::Mbsync => Box::new(mbsync::MbsyncConfig { context }),
        ExportFormat::Aerc => Box::new(aerc::AercConfig { context }),
        ExportFormat::Neomutt => Box::new(neomutt::NeomuttConfig { context }),
        ExportFormat::Html(client) => Box::new(crate::report::html::HtmlSheet { client }),
    }
}

/// The formats of `mailcfg probe`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeFormat {
    Table,
    Json,
}

/// The renderer for probe results in `format`.
pub fn probe_renderer(format: ProbeFormat) -> Box<dyn Render<[EndpointReport]>> {
    use crate::report::{json, probe_table};
    match format {
        ProbeFormat::Table => Box::new(probe_table::ProbeTable),
        ProbeFormat::Json => Box::new(json::ProbeJson),
    }
}

/// The formats of `mailcfg lint`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintFormat {
    Table,
    Json,
}

/// The renderer for a lint report in `format`.
pub fn lint_renderer(format: LintFormat) -> Box<dyn Render<LintReport>> {
    use crate::report::{lint_json, lint_table};
    match format {
        LintFormat::Table => Box::new(lint_table::LintTable),
        LintFormat::Json => Box::new(lint_json::LintJson),
    }
}
