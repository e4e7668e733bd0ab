//! `mailcfg lint` for people: the findings first (worst first, each with its fix, as in
//! detect's Diagnosis section), then every published setting with what its server said,
//! then a one-line summary. English or Japanese; deterministic; text from the network
//! passes through [`clean`].

use crate::findings::{Publisher, Severity};
use crate::lint::LintReport;
use crate::model::Lang;
use crate::report::clean;
use crate::report::findings_text;
use crate::report::labels::{self, pick};
use crate::report::render::{Render, RenderOptions};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

/// The lint table behind the renderer seam.
pub struct LintTable;

impl Render<LintReport> for LintTable {
    fn render(&self, report: &LintReport, options: &RenderOptions) -> String {
        render(report, options.lang, options.width)
    }
}

pub fn render(report: &LintReport, lang: Lang, width: Option<u16>) -> String {
    let mut out = String::new();
    heading(&mut out, report, lang);
    findings(&mut out, report, lang);
    published(&mut out, report, lang, width);
    summary(&mut out, report, lang);
    out
}

fn section(out: &mut String, en: &str, ja: &str, lang: Lang) {
    out.push_str(&format!("\n== {} ==\n", pick(lang, en, ja)));
}

fn heading(out: &mut String, r: &LintReport, lang: Lang) {
    let domain = clean(&r.display_domain);
    out.push_str(&pick(
        lang,
        format!("What {domain} publishes for mail clients"),
        format!("{domain} がメールソフト向けに公開している設定のチェック"),
    ));
    out.push('\n');
    if r.from_address {
        let input = clean(&r.input);
        out.push_str(&pick(
            lang,
            format!("(the domain of {input})\n"),
            format!("（{input} のドメイン）\n"),
        ));
    }
}

fn findings(out: &mut String, r: &LintReport, lang: Lang) {
    section(out, "Findings", "診断結果", lang);
    if r.findings.is_empty() {
        out.push_str(pick(
            lang,
            "No problem found.\n",
            "問題は見つかりませんでした。\n",
        ));
        return;
    }
    for f in &r.findings {
        let words = findings_text::finding(f, lang);
        let mark = match f.severity() {
            Severity::Error => "✗",
            Severity::Warning => "⚠",
            Severity::Info => "•",
        };
        out.push_str(&format!("{mark} [{}] {}\n", f.kind(), clean(&words.what)));
        out.push_str(&format!("  → {}\n", clean(&words.next)));
    }
}

/// Who published a setting, short, for a table cell.
fn publisher_cell(by: &Publisher) -> String {
    match by {
        Publisher::Autoconfig { url } => format!("autoconfig {}", clean(url)),
        Publisher::Srv { name } => format!("SRV {}", clean(name)),
        Publisher::Autodiscover { url } => format!("autodiscover {}", clean(url)),
    }
}

fn published(out: &mut String, r: &LintReport, lang: Lang, width: Option<u16>) {
    section(out, "Published settings", "公開されている設定", lang);
    if r.published.is_empty() {
        out.push_str(pick(
            lang,
            "Nothing is published (no autoconfig file, SRV record or autodiscover answer).\n",
            "何も公開されていません（autoconfig ファイル・SRV レコード・autodiscover 応答のいずれもなし）。\n",
        ));
        return;
    }
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = width {
        table.set_width(width);
    }
    table.set_header([
        pick(lang, "Published by", "公開元"),
        pick(lang, "Protocol", "プロトコル"),
        pick(lang, "Server", "サーバー"),
        pick(lang, "Security", "暗号化方法"),
        pick(lang, "Server's answer", "サーバーの応答"),
    ]);
    for p in &r.published {
        let e = &p.endpoint;
        let answer = match r.probe_of(e) {
            Some(probe) if probe.is_ok() => labels::outcome(probe.outcome, lang).to_string(),
            Some(probe) => {
                let mut text = labels::outcome(probe.outcome, lang).to_string();
                if let Some(error) = &probe.error {
                    text.push_str(&format!(": {}", clean(error)));
                }
                text
            }
            None => labels::outcome(crate::probe::Outcome::NotTried, lang).to_string(),
        };
        table.add_row([
            publisher_cell(&p.by),
            e.protocol.to_string(),
            format!("{}:{}", clean(&e.host), e.port),
            labels::security(e.security, lang).to_string(),
            answer,
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
}

fn summary(out: &mut String, r: &LintReport, lang: Lang) {
    let (errors, warnings, info) = r.counts();
    out.push('\n');
    out.push_str(&pick(
        lang,
        format!("{errors} error(s), {warnings} warning(s), {info} for information.\n"),
        format!("エラー {errors} 件、警告 {warnings} 件、情報 {info} 件。\n"),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Finding, Place};
    use crate::lint::Published;
    use crate::model::{Endpoint, Protocol, Security};
    use crate::probe::outcome::{EndpointReport, Outcome, Stage};

    fn sample() -> LintReport {
        let imap = Endpoint {
            protocol: Protocol::Imap,
            host: "mail.example.jp".into(),
            port: 143,
            security: Security::Tls,
        };
        let mut probe = EndpointReport::new("mail.example.jp", 143, Protocol::Imap);
        probe.fail(
            Outcome::TlsError,
            Stage::TlsHandshake,
            "the server answered in plain text\u{1b}[31m",
        );
        let by = Publisher::Srv {
            name: "_imaps._tcp.example.jp".into(),
        };
        LintReport {
            input: "taro@example.jp".into(),
            domain: "example.jp".into(),
            display_domain: "example.jp".into(),
            from_address: true,
            findings: vec![
                Finding::PublishedSecurityWrong {
                    by: by.clone(),
                    at: Place::of(&imap),
                    published: Security::Tls,
                    actual: Some(Security::Starttls),
                },
                Finding::AutodiscoverMissing {
                    url: "https://autodiscover.example.jp/autodiscover/autodiscover.xml".into(),
                },
            ],
            published: vec![Published { by, endpoint: imap }],
            probes: vec![probe],
            elapsed_ms: 12.0,
        }
    }

    #[test]
    fn findings_come_first_then_what_is_published() {
        let en = render(&sample(), Lang::En, None);
        let findings = en.find("== Findings ==").unwrap();
        let published = en.find("== Published settings ==").unwrap();
        assert!(findings < published, "{en}");
        assert!(en.contains("✗ [published-security-wrong] The SRV record _imaps._tcp.example.jp says mail.example.jp:143 uses SSL/TLS"), "{en}");
        assert!(en.contains("(the domain of taro@example.jp)"), "{en}");
        assert!(
            en.contains("1 error(s), 0 warning(s), 1 for information."),
            "{en}"
        );
        assert!(!en.contains('\u{1b}'), "{en}");
        let ja = render(&sample(), Lang::Ja, None);
        assert!(ja.contains("== 診断結果 =="), "{ja}");
        assert!(
            ja.contains("サーバーの実際の暗号化方法は STARTTLS です"),
            "{ja}"
        );
        assert!(ja.contains("エラー 1 件、警告 0 件、情報 1 件。"), "{ja}");
        assert_eq!(render(&sample(), Lang::En, None), en, "deterministic");
    }
}
