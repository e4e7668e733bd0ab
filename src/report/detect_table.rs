//! `mailcfg detect` for people: what a help-desk person reads to a caller.
//!
//! Sections, in order: a heading (address, provider), the recommended incoming and
//! outgoing settings as key/value tables with exactly what to type, the alternatives,
//! contradictions (never hidden), notes (setting confirmations first, marked ⚠), and with
//! `--explain` every source consulted and the full probe matrix. When nothing was found
//! for a direction the text says so and what to do next.
//!
//! Every word comes from [`labels`](super::labels), in English or Japanese. The output is
//! deterministic: the only numbers that vary are the timings stored in the report. Text
//! that came from the network (errors, greetings, notes) loses control characters, so
//! nothing here can emit a terminal escape sequence.

use crate::discover::{SourceReport, SourceStatus};
use crate::findings::{Finding, Severity};
use crate::model::{AuthMethod, Lang, Protocol, Source, UsernameForm};
use crate::probe::outcome::EndpointReport;
use crate::report::clean;
use crate::report::findings_text;
use crate::report::labels::{self, Label, label};
use crate::report::model::{Mode, Report, Setting, Verification};
use crate::report::render::{Render, RenderOptions};
use crate::report::text::{Style, display_width, paint, wrap};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width};

/// The detect table behind the renderer seam.
pub struct DetectTable;

impl Render<Report> for DetectTable {
    fn render(&self, report: &Report, options: &RenderOptions) -> String {
        Renderer {
            report,
            lang: options.lang,
            width: options.width,
            colour: options.colour,
        }
        .render(options.explain)
    }
}

/// The report as text for people, in `lang`; `explain` adds the sources and the probe
/// matrix. Tables wrap to the terminal width when stdout is a terminal.
pub fn render(report: &Report, lang: Lang, explain: bool) -> String {
    Renderer {
        report,
        lang,
        width: None,
        colour: false,
    }
    .render(explain)
}

/// As [`render`], with tables wrapped to `width` columns (for tests and fixed layouts).
pub fn render_with_width(report: &Report, lang: Lang, explain: bool, width: u16) -> String {
    Renderer {
        report,
        lang,
        width: Some(width),
        colour: false,
    }
    .render(explain)
}

struct Renderer<'a> {
    report: &'a Report,
    lang: Lang,
    width: Option<u16>,
    colour: bool,
}

impl Renderer<'_> {
    fn l(&self, key: Label) -> &'static str {
        label(key, self.lang)
    }

    fn render(&self, explain: bool) -> String {
        let mut out = String::new();
        self.heading(&mut out);
        self.findings(&mut out, explain);
        self.recommended(&mut out);
        self.alternatives(&mut out);
        self.contradictions(&mut out);
        self.notes(&mut out);
        if explain {
            self.explain(&mut out);
        }
        out
    }

    fn table(&self) -> Table {
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(width) = self.width {
            table.set_width(width);
        }
        table
    }

    /// A list item wrapped to the width, continuation lines under its text.
    fn wrap(&self, first: &str, text: &str) -> String {
        // The mark's escape sequences take no columns.
        let visible = crate::report::text::strip_style(first);
        let wrapped = wrap(&visible, text, self.width);
        format!("{first}{}", &wrapped[visible.len()..])
    }

    fn section(&self, out: &mut String, key: Label) {
        let heading = format!("== {} ==", self.l(key));
        out.push_str(&format!(
            "\n{}\n",
            paint(&heading, Style::Heading, self.colour)
        ));
    }

    // -----------------------------------------------------------------------------------
    // Heading
    // -----------------------------------------------------------------------------------

    fn heading(&self, out: &mut String) {
        let r = self.report;
        let mut line = labels::fill(
            Label::HeadingSettingsFor,
            self.lang,
            &[("email", &clean(&r.email))],
        );
        if let Some(p) = &r.provider {
            let name = match self.lang {
                Lang::Ja => p.name_ja.as_deref().unwrap_or(&p.name),
                Lang::En => &p.name,
            };
            match self.lang {
                Lang::En => line.push_str(&format!(" — {}", clean(name))),
                Lang::Ja => line.push_str(&labels::parenthesised(&clean(name), self.lang)),
            }
        }
        out.push_str(&line);
        out.push('\n');
        if let Some(url) = r.provider.as_ref().and_then(|p| p.documentation.as_deref()) {
            out.push_str(&format!(
                "{}: {}\n",
                self.l(Label::ProviderGuide),
                clean(url)
            ));
        }
        match r.mode {
            Mode::Offline => out.push_str(&format!("{}\n", self.l(Label::ModeOffline))),
            Mode::NoProbe => out.push_str(&format!("{}\n", self.l(Label::ModeNoProbe))),
            Mode::Full => {}
        }
    }

    // -----------------------------------------------------------------------------------
    // Findings: first, worst first, each with what to do next
    // -----------------------------------------------------------------------------------

    fn findings(&self, out: &mut String, explain: bool) {
        let r = self.report;
        if r.findings.is_empty() {
            return;
        }
        self.section(out, Label::Findings);
        for f in &r.findings {
            let words = findings_text::finding(f, self.lang);
            let mark = match f.severity() {
                Severity::Error => paint("✗", Style::Error, self.colour),
                Severity::Warning => paint("⚠", Style::Warning, self.colour),
                Severity::Info => "•".to_string(),
            };
            out.push_str(&self.wrap(&format!("{mark} "), &clean(&words.what)));
            out.push_str(&self.wrap("  → ", &clean(&words.next)));
            if explain {
                self.evidence(out, f);
            }
        }
    }

    /// The probe rows a finding came from.
    fn evidence(&self, out: &mut String, f: &Finding) {
        for place in f.endpoints() {
            let row = self.report.probes.iter().find(|p| {
                (p.protocol, p.host.as_str(), p.port)
                    == (place.protocol, place.host.as_str(), place.port)
            });
            if let Some(p) = row {
                let certificate = self
                    .certificate_verdict(p)
                    .map(|v| format!(" · {}: {v}", self.l(Label::Certificate)))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {} {}:{} {}{certificate}\n",
                    p.protocol,
                    clean(&p.host),
                    p.port,
                    probe_outcome(p)
                ));
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Recommended settings
    // -----------------------------------------------------------------------------------

    fn recommended(&self, out: &mut String) {
        let r = self.report;
        self.section(out, Label::RecommendedSettings);
        let domain = clean(&r.display_domain);
        let mut missing = false;
        match r.recommended_incoming() {
            Some(s) => self.block(out, s),
            None => {
                out.push('\n');
                out.push_str(&labels::fill(
                    Label::NoIncoming,
                    self.lang,
                    &[("domain", &domain)],
                ));
                out.push('\n');
                missing = true;
            }
        }
        match r.recommended_outgoing() {
            Some(s) => self.block(out, s),
            None => {
                out.push('\n');
                out.push_str(&labels::fill(
                    Label::NoOutgoing,
                    self.lang,
                    &[("domain", &domain)],
                ));
                out.push('\n');
                missing = true;
            }
        }
        if missing {
            // A diagnosis says why better than the generic advice.
            let diagnosed = r.findings.iter().any(|f| f.severity() == Severity::Error);
            out.push_str(self.l(if diagnosed {
                Label::NextStepsDiagnosed
            } else {
                Label::NextSteps
            }));
            out.push('\n');
            if r.mode == Mode::Offline {
                out.push_str(self.l(Label::NextStepsOffline));
                out.push('\n');
            }
        }
    }

    /// The key/value table of one recommended setting.
    fn block(&self, out: &mut String, s: &Setting) {
        let protocol = s.endpoint.protocol;
        out.push('\n');
        out.push_str(&labels::server_heading(protocol, self.lang));
        out.push('\n');
        let mut rows: Vec<(Label, String)> = Vec::new();
        if protocol.is_incoming() {
            rows.push((Label::AccountType, protocol.to_string()));
        }
        rows.push((Label::Server, clean(&s.display_host)));
        rows.push((Label::Port, s.endpoint.port.to_string()));
        rows.push((
            Label::Security,
            labels::security(s.endpoint.security, self.lang).to_string(),
        ));
        rows.push((Label::Username, self.username(s)));
        rows.push((Label::Authentication, self.auth(&s.auth)));
        if !protocol.is_incoming() {
            let needs_auth = requires_auth(&s.auth);
            rows.push((Label::OutgoingRequiresAuth, self.yes_no(needs_auth)));
            if let Some(incoming) = self.report.recommended_incoming()
                && needs_auth
            {
                let same =
                    incoming.username == s.username && incoming.username_form == s.username_form;
                rows.push((Label::SameAsIncoming, self.yes_no(same)));
            }
        }
        rows.push((Label::Status, self.status_long(&s.verification)));
        rows.push((Label::Sources, self.source_list(&s.sources)));
        if let Some(note) = &s.confirm {
            rows.push((
                Label::ConfirmFirst,
                clean(&findings_text::confirmation(note, self.lang)),
            ));
        }
        let mut table = self.table();
        for (key, value) in rows {
            table.add_row([self.l(key).to_string(), value]);
        }
        // Both blocks get the same key column, so they line up one above the other; on a
        // narrow terminal the keys wrap instead, leaving the values (host names) room.
        let key_width = match self.width {
            Some(width) => self.key_width().min(width * 2 / 5),
            None => self.key_width(),
        };
        if let Some(column) = table.column_mut(0) {
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                key_width + column.padding_width(),
            )));
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }

    /// The display width of the widest key either block can show, without padding.
    fn key_width(&self) -> u16 {
        [
            Label::AccountType,
            Label::Server,
            Label::Port,
            Label::Security,
            Label::Username,
            Label::Authentication,
            Label::OutgoingRequiresAuth,
            Label::SameAsIncoming,
            Label::Status,
            Label::Sources,
            Label::ConfirmFirst,
        ]
        .iter()
        .map(|k| display_width(self.l(*k)))
        .max()
        .unwrap_or(0)
        .try_into()
        .unwrap_or(u16::MAX)
    }

    fn username(&self, s: &Setting) -> String {
        let hint = match (&s.username_form, &s.username) {
            (UsernameForm::ProviderAssigned, _) | (_, None) => {
                return self.l(Label::UsernameProviderAssigned).to_string();
            }
            (UsernameForm::EmailAddress, _) => Some(Label::WholeAddress),
            (UsernameForm::LocalPart, _) => Some(Label::PartBeforeAt),
            (UsernameForm::Template(_), _) => None,
        };
        let name = clean(s.username.as_deref().unwrap_or_default());
        match hint {
            Some(key) => format!("{name}{}", labels::parenthesised(self.l(key), self.lang)),
            None => name,
        }
    }

    fn auth(&self, methods: &[AuthMethod]) -> String {
        if methods.is_empty() {
            return self.l(Label::AuthNotStated).to_string();
        }
        methods
            .iter()
            .map(|m| labels::auth_method(*m, self.lang))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    fn yes_no(&self, yes: bool) -> String {
        self.l(if yes { Label::Yes } else { Label::No }).to_string()
    }

    fn status_long(&self, v: &Verification) -> String {
        match v {
            Verification::Verified => self.l(Label::VerifiedLong).to_string(),
            // The reason follows from the mode; say it in the reader's language.
            Verification::Unverified { .. } => self
                .l(match self.report.mode {
                    Mode::Offline => Label::UnverifiedOffline,
                    Mode::NoProbe => Label::UnverifiedNoProbe,
                    Mode::Full => Label::UnverifiedNotReached,
                })
                .to_string(),
            Verification::UntrustedCertificate { error, .. } => {
                format!(
                    "{}: {}",
                    self.l(Label::UntrustedCertificateLong),
                    clean(error)
                )
            }
            Verification::Failed { failure } => format!(
                "{}{}: {}",
                self.l(Label::FailedLong),
                labels::parenthesised(&findings_text::failure_short(failure, self.lang), self.lang),
                clean(&findings_text::failure(failure, self.lang))
            ),
        }
    }

    fn status_short(&self, s: &Setting) -> String {
        let mut status = match &s.verification {
            Verification::Verified => self.l(Label::VerifiedShort).to_string(),
            Verification::Unverified { .. } => self.l(Label::NotVerified).to_string(),
            Verification::UntrustedCertificate { .. } => {
                self.l(Label::UntrustedCertificateShort).to_string()
            }
            Verification::Failed { failure } => format!(
                "{}{}",
                self.l(Label::FailedShort),
                labels::parenthesised(&findings_text::failure_short(failure, self.lang), self.lang)
            ),
        };
        if s.confirm.is_some() {
            status.push('\n');
            status.push_str(self.l(Label::ConfirmShort));
        }
        status
    }

    /// Source kinds, deduplicated, in order.
    fn source_list(&self, sources: &[Source]) -> String {
        crate::report::model::source_kinds(sources)
            .into_iter()
            .map(|k| labels::source_kind(k, self.lang))
            .collect::<Vec<_>>()
            .join(labels::list_separator(self.lang))
    }

    // -----------------------------------------------------------------------------------
    // Alternatives
    // -----------------------------------------------------------------------------------

    fn alternatives(&self, out: &mut String) {
        let r = self.report;
        let rest: Vec<&Setting> = r.alternatives().collect();
        if rest.is_empty() {
            return;
        }
        self.section(out, Label::Alternatives);
        let mut table = self.table();
        table.set_header(
            [
                Label::Protocol,
                Label::Server,
                Label::Port,
                Label::Security,
                Label::Status,
                Label::Sources,
            ]
            .map(|k| self.l(k)),
        );
        for s in &rest {
            table.add_row([
                s.endpoint.protocol.to_string(),
                clean(&s.display_host),
                s.endpoint.port.to_string(),
                labels::security(s.endpoint.security, self.lang).to_string(),
                self.status_short(s),
                self.source_list(&s.sources),
            ]);
        }
        keep_whole(&mut table, 1);
        keep_whole(&mut table, 5);
        out.push_str(&table.to_string());
        out.push('\n');
        let recommended_pop3 = r
            .recommended_incoming()
            .is_some_and(|s| s.endpoint.protocol == Protocol::Pop3);
        let pop3_alternative = r
            .alternatives()
            .any(|s| s.endpoint.protocol == Protocol::Pop3);
        if pop3_alternative && !recommended_pop3 {
            out.push_str(self.l(Label::Pop3Reason));
            out.push('\n');
        }
    }

    // -----------------------------------------------------------------------------------
    // Contradictions and notes
    // -----------------------------------------------------------------------------------

    fn contradictions(&self, out: &mut String) {
        let r = self.report;
        if r.contradictions.is_empty() {
            return;
        }
        self.section(out, Label::Contradictions);
        for c in &r.contradictions {
            let e = &c.claimed;
            out.push_str(&format!(
                "✗ {}: {} {}:{} {}\n",
                self.l(Label::Claimed),
                e.protocol,
                clean(&e.host),
                e.port,
                labels::security(e.security, self.lang)
            ));
            let sources: Vec<String> = c
                .sources
                .iter()
                .map(|s| {
                    format!(
                        "{}{}",
                        labels::source_kind(s.kind, self.lang),
                        labels::parenthesised(&clean(&s.detail), self.lang)
                    )
                })
                .collect();
            if !sources.is_empty() {
                out.push_str(&format!(
                    "  {}: {}\n",
                    self.l(Label::ClaimedBy),
                    sources.join(labels::list_separator(self.lang))
                ));
            }
            out.push_str(&format!(
                "  {}: {}\n",
                self.l(Label::Observed),
                clean(&findings_text::observed(&c.observed, e.port, self.lang))
            ));
            out.push_str(&self.wrap("  ", &clean(&findings_text::contradiction(c, self.lang))));
        }
    }

    fn notes(&self, out: &mut String) {
        let r = self.report;
        let confirms: Vec<&Setting> = r
            .incoming
            .iter()
            .chain(&r.outgoing)
            .filter(|s| s.confirm.is_some())
            .collect();
        if confirms.is_empty() && r.notes.is_empty() {
            return;
        }
        self.section(out, Label::Notes);
        for s in confirms {
            if let Some(note) = &s.confirm {
                let text = format!(
                    "{} {}:{}: {}",
                    s.endpoint.protocol,
                    clean(&s.display_host),
                    s.endpoint.port,
                    clean(&findings_text::confirmation(note, self.lang))
                );
                let mark = paint("⚠", Style::Warning, self.colour);
                out.push_str(&self.wrap(&format!("{mark} "), &text));
            }
        }
        for note in &r.notes {
            out.push_str(&self.wrap("• ", &clean(note.text(self.lang))));
        }
    }

    // -----------------------------------------------------------------------------------
    // --explain
    // -----------------------------------------------------------------------------------

    fn explain(&self, out: &mut String) {
        let r = self.report;
        self.section(out, Label::SourcesConsulted);
        let mut table = self.table();
        table.set_header(
            [
                Label::Kind,
                Label::Query,
                Label::Answer,
                Label::Time,
                Label::Candidates,
            ]
            .map(|k| self.l(k)),
        );
        for s in &r.sources {
            table.add_row([
                labels::source_kind(s.kind, self.lang).to_string(),
                clean(&s.query),
                self.source_status(s),
                s.elapsed_ms.map_or_else(|| "-".to_string(), ms),
                s.candidates.len().to_string(),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');

        self.section(out, Label::ProbeMatrix);
        let mut table = self.table();
        table.set_header(
            [
                Label::Endpoint,
                Label::Protocol,
                Label::Outcome,
                Label::Security,
                Label::Auth,
                Label::Certificate,
                Label::Time,
            ]
            .map(|k| self.l(k)),
        );
        for p in &r.probes {
            table.add_row([
                format!("{}:{}", clean(&p.host), p.port),
                p.protocol.to_string(),
                probe_outcome(p),
                p.security.map_or_else(
                    || "-".to_string(),
                    |s| labels::security(s, self.lang).into(),
                ),
                if p.auth.is_empty() {
                    "-".to_string()
                } else {
                    clean(&p.auth.join(" "))
                },
                self.certificate_verdict(p)
                    .unwrap_or_else(|| "-".to_string()),
                ms(p.timings.total_ms),
            ]);
        }
        keep_whole(&mut table, 0);
        out.push_str(&table.to_string());
        out.push('\n');
        out.push_str(&format!(
            "{}: {}\n",
            self.l(Label::TotalTime),
            ms(r.elapsed_ms)
        ));
    }

    fn source_status(&self, s: &SourceReport) -> String {
        let (key, detail) = match &s.status {
            SourceStatus::Found => (Label::StateFound, None),
            SourceStatus::NotFound(d) => (Label::StateNotFound, Some(d)),
            SourceStatus::Failed(d) => (Label::StateFailed, Some(d)),
            SourceStatus::Skipped(d) => (Label::StateSkipped, Some(d)),
            SourceStatus::Cancelled => (Label::StateCancelled, None),
        };
        match detail.map(|d| clean(d)).filter(|d| !d.is_empty()) {
            Some(d) => format!("{}: {d}", self.l(key)),
            None => self.l(key).to_string(),
        }
    }

    /// The certificate's verdict, or None when no certificate was seen.
    fn certificate_verdict(&self, p: &EndpointReport) -> Option<String> {
        let c = p.tls.as_ref().and_then(|t| t.certificate.as_ref())?;
        Some(if c.verified {
            self.l(Label::CertificateTrusted).to_string()
        } else {
            format!(
                "{}: {}",
                self.l(Label::CertificateNotTrusted),
                c.problem.map_or("invalid", |p| p.as_str())
            )
        })
    }
}

/// Never wrap column `index` (host names a person must read out or copy whole).
fn keep_whole(table: &mut Table, index: usize) {
    if let Some(column) = table.column_mut(index) {
        column.set_constraint(ColumnConstraint::ContentWidth);
    }
}

/// Outgoing mail needs a log-in unless the only methods are none / by network address.
fn requires_auth(methods: &[AuthMethod]) -> bool {
    methods.is_empty()
        || methods
            .iter()
            .any(|m| !matches!(m, AuthMethod::None | AuthMethod::ClientIpAddress))
}

fn probe_outcome(p: &EndpointReport) -> String {
    let mut text = p.outcome.as_str().to_string();
    if let Some(error) = &p.error {
        match p.stage {
            Some(stage) => text.push_str(&format!(" [{}]: {}", stage.as_str(), clean(error))),
            None => text.push_str(&format!(": {}", clean(error))),
        }
    }
    text
}

fn ms(value: f64) -> String {
    format!("{value:.1} ms")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Note;
    use crate::report::sample::sample_report;

    const WIDTH: u16 = 110;

    #[test]
    fn english_snapshot() {
        let text = render_with_width(&sample_report(), Lang::En, false, WIDTH);
        insta::assert_snapshot!("detect_table_en", text);
    }

    #[test]
    fn japanese_snapshot() {
        let text = render_with_width(&sample_report(), Lang::Ja, false, WIDTH);
        insta::assert_snapshot!("detect_table_ja", text);
    }

    #[test]
    fn explain_snapshot() {
        let text = render_with_width(&sample_report(), Lang::En, true, WIDTH);
        insta::assert_snapshot!("detect_table_en_explain", text);
    }

    #[test]
    fn explain_japanese_snapshot() {
        let text = render_with_width(&sample_report(), Lang::Ja, true, WIDTH);
        insta::assert_snapshot!("detect_table_ja_explain", text);
    }

    #[test]
    fn japanese_uses_client_vocabulary() {
        let text = render_with_width(&sample_report(), Lang::Ja, false, WIDTH);
        for word in [
            "受信メールサーバー（IMAP）",
            "送信メールサーバー（SMTP）",
            "ユーザー名",
            "ポート",
            "暗号化方法",
            "SSL/TLS",
            "送信サーバーは認証が必要",
            "はい",
            "通常のパスワード",
            "✓ 接続して確認済み",
            "エグザンプル・ネット",
            "メールアドレス全体",
        ] {
            assert!(text.contains(word), "missing {word:?} in\n{text}");
        }
        // No English section titles leak into the Japanese text.
        for english in ["Recommended", "Incoming", "Outgoing", "Username", "Notes"] {
            assert!(!text.contains(english), "{english:?} in\n{text}");
        }
        // Notes come in Japanese.
        assert!(text.contains("メールパスワード"));
        assert!(!text.contains("registration letter"));
    }

    #[test]
    fn recommended_blocks_say_what_to_type() {
        let text = render_with_width(&sample_report(), Lang::En, false, WIDTH);
        let incoming = text
            .find("Incoming mail server (IMAP)")
            .expect("incoming block");
        let outgoing = text
            .find("Outgoing mail server (SMTP)")
            .expect("outgoing block");
        assert!(incoming < outgoing);
        let block = &text[incoming..outgoing];
        assert!(block.contains("imap.example.ne.jp"));
        assert!(block.contains("993"));
        assert!(block.contains("SSL/TLS"));
        assert!(block.contains("taro.yamada@example.ne.jp"));
        assert!(block.contains("✓ Verified by connecting"));
        assert!(!block.contains("pop.example.ne.jp"));
        assert!(text.contains("│ Outgoing server requires authentication ┆ Yes"));
        // The contradiction and the confirmation are shown.
        assert!(text.contains("✗ Claimed: SMTP mail.example.ne.jp:465 SSL/TLS"));
        assert!(text.contains("⚠ SMTP smtp-auth.mailrelay.example:587:"));
        assert!(text.contains("POP3 downloads mail to one device"));
        // Without --explain, no probe matrix.
        assert!(!text.contains("Connection tests"));
    }

    #[test]
    fn provider_assigned_usernames_are_not_the_address() {
        let mut report = sample_report();
        for s in report.incoming.iter_mut().chain(&mut report.outgoing) {
            s.username = None;
            s.username_form = UsernameForm::ProviderAssigned;
        }
        let en = render_with_width(&report, Lang::En, false, 200);
        assert!(en.contains("Assigned by the provider — not your email address"));
        assert!(!en.contains("taro.yamada@example.ne.jp (the whole email address)"));
        let ja = render_with_width(&report, Lang::Ja, false, 200);
        assert!(ja.contains("プロバイダーが発行した ID（メールアドレスではありません"));
    }

    #[test]
    fn empty_directions_say_what_to_do_next() {
        let mut report = sample_report();
        report.incoming.clear();
        report.outgoing.clear();
        report.mode = Mode::Offline;
        let en = render_with_width(&report, Lang::En, false, WIDTH);
        assert!(en.contains("No incoming mail server (IMAP or POP3) was found for example.ne.jp."));
        assert!(en.contains("No outgoing mail server (SMTP) was found for example.ne.jp."));
        assert!(en.contains("--explain"));
        assert!(en.contains("without --offline"));
        assert!(!en.contains("== Alternatives =="));
        let ja = render_with_width(&report, Lang::Ja, false, WIDTH);
        assert!(ja.contains("受信メールサーバー（IMAP / POP3）は見つかりませんでした"));
        assert!(ja.contains("送信メールサーバー（SMTP）は見つかりませんでした"));
        insta::assert_snapshot!("detect_table_empty_ja", ja);
    }

    #[test]
    fn a_diagnosis_comes_first_and_replaces_the_generic_advice() {
        let mut report = sample_report();
        report.incoming.clear();
        report.outgoing.clear();
        report.findings = vec![Finding::DomainNotFound {
            domain: "example.ne.jp".into(),
        }];
        let en = render_with_width(&report, Lang::En, false, WIDTH);
        let diagnosis = en.find("== Diagnosis ==").expect("a diagnosis section");
        assert!(diagnosis < en.find("== Recommended settings ==").unwrap());
        assert!(
            en.contains("✗ The domain example.ne.jp does not exist"),
            "{en}"
        );
        assert!(en.contains("  → Check the spelling"), "{en}");
        assert!(en.contains("Next: see the diagnosis above"), "{en}");
        assert!(
            !en.contains("check the address for typing mistakes"),
            "{en}"
        );
        let ja = render_with_width(&report, Lang::Ja, false, WIDTH);
        assert!(ja.contains("== 診断結果 =="), "{ja}");
        assert!(ja.contains("上の診断結果を確認してください"), "{ja}");
    }

    #[test]
    fn no_escape_sequences_reach_the_terminal() {
        let mut report = sample_report();
        report.notes.push(Note::new(
            "evil \u{1b}[31mred\u{1b}[0m \u{9b}2J text\u{202e}",
            "悪意 \u{1b}]0;title\u{7}",
        ));
        report.contradictions[0].observed = crate::report::model::Observed::Failed {
            outcome: crate::probe::outcome::Outcome::NotProtocol,
            error: "greeting \u{1b}[2J".to_string(),
        };
        report.probes[0].auth = vec!["PLAIN\u{1b}[5m".to_string()];
        for lang in [Lang::En, Lang::Ja] {
            for explain in [false, true] {
                let text = render_with_width(&report, lang, explain, WIDTH);
                assert!(
                    !text.chars().any(|c| c.is_control() && c != '\n'),
                    "control character in\n{text:?}"
                );
                assert!(!text.contains('\u{202e}'));
            }
        }
        let plain = render(&sample_report(), Lang::En, true);
        assert!(!plain.contains('\u{1b}'));
    }

    #[test]
    fn output_is_deterministic() {
        let a = render_with_width(&sample_report(), Lang::Ja, true, WIDTH);
        let b = render_with_width(&sample_report(), Lang::Ja, true, WIDTH);
        assert_eq!(a, b);
    }
}
