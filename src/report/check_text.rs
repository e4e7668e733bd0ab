//! `mailcfg check`: the words for every login outcome, trust grant and refusal, in English
//! and Japanese (the only place they are worded; the JSON reuses them), and the text
//! renderer. Nothing here ever sees the password: the report does not hold it.

use crate::check::outcome::{Evidence, LoginOutcome, Verdict};
use crate::check::trust::{Grant, Refusal};
use crate::check::{CheckReport, Origin, ServerCheck};
use crate::model::{Direction, Lang};
use crate::probe::outcome::CertificateProblem;
use crate::report::clean;
use crate::report::findings_text::Wording;
use crate::report::labels::{self, pick};
use crate::report::render::{Render, RenderOptions};
use std::fmt::Write as _;

/// The warning `--allow-plaintext` prints on stderr before anything is sent.
pub fn plaintext_warning(lang: Lang) -> String {
    pick(
        lang,
        "WARNING: --allow-plaintext: the password may be sent UNENCRYPTED, readable by anyone \
         on the network path. Use this only in a lab, never with a real account."
            .to_string(),
        "警告: --allow-plaintext が指定されました。パスワードが暗号化されずに送られ、\
         通信経路上の誰でも読み取れる可能性があります。実験環境以外では絶対に使わないでください。"
            .to_string(),
    )
}

/// What happened on one server, and what to do next.
pub fn outcome_wording(server: &ServerCheck, provider: Option<&str>, lang: Lang) -> Wording {
    let (what, next) = match &server.outcome {
        LoginOutcome::Ok => (
            pick(
                lang,
                "Logged in: the user name and the password are right.".to_string(),
                "ログインできました。ユーザー名とパスワードは正しいです。".to_string(),
            ),
            pick(
                lang,
                "Nothing to fix here: type the same settings into the mail program.".to_string(),
                "この設定のままメールソフトに入力してください。".to_string(),
            ),
        ),
        LoginOutcome::WrongCredentials => (
            pick(
                lang,
                "The server refused the user name or the password. The settings themselves work: the server answered and checked them.".to_string(),
                "サーバーがユーザー名またはパスワードを受け付けませんでした。サーバーには接続できており、設定自体は正しいです。".to_string(),
            ),
            pick(
                lang,
                format!(
                    "Check the password (Caps Lock, keyboard layout) and the user name \"{}\"; if they are right, reset the password on the provider's website.",
                    server.username
                ),
                format!(
                    "パスワード（Caps Lock や入力モード）とユーザー名「{}」を確認してください。正しい場合は、プロバイダーのサイトでパスワードを再設定してください。",
                    server.username
                ),
            ),
        ),
        LoginOutcome::AppPasswordOrOauth { evidence } => app_password(*evidence, server, provider, lang),
        LoginOutcome::AccountDisabled => (
            pick(
                lang,
                "The server says the account is disabled or locked, or that this kind of access (IMAP, POP or SMTP AUTH) is not enabled for it.".to_string(),
                "サーバーによると、アカウントが無効またはロックされているか、このアクセス方法（IMAP・POP・SMTP 認証）が有効になっていません。".to_string(),
            ),
            pick(
                lang,
                "Enable IMAP/POP access (or SMTP AUTH) in the account's mail settings on the provider's website, or ask the administrator whether the account is locked.".to_string(),
                "プロバイダーのサイトのメール設定で IMAP/POP（または SMTP 認証）を有効にするか、アカウントがロックされていないか管理者に確認してください。".to_string(),
            ),
        ),
        LoginOutcome::MechanismNotOffered { offered } => {
            let list = if offered.is_empty() {
                pick(lang, "none".to_string(), "なし".to_string())
            } else {
                offered.join(", ")
            };
            (
                pick(
                    lang,
                    format!("The server offered no way to log in with a password that mailcfg can use (offered: {list}); the password was not sent."),
                    format!("サーバーは mailcfg が使えるパスワード認証方式を提供していません（提供された方式: {list}）。パスワードは送信していません。"),
                ),
                pick(
                    lang,
                    "Check that this is the server and port meant for mail programs, and ask the provider which sign-in method it expects.".to_string(),
                    "メールソフト用のサーバーとポートであるか確認し、どの認証方式を使うかプロバイダーに問い合わせてください。".to_string(),
                ),
            )
        }
        LoginOutcome::TryLater => (
            pick(
                lang,
                "The server could not check the login just now (busy, or temporarily unavailable).".to_string(),
                "サーバーが混雑しているか一時的に利用できず、今はログインを確認できませんでした。".to_string(),
            ),
            pick(
                lang,
                "Try again in a few minutes.".to_string(),
                "数分後にもう一度試してください。".to_string(),
            ),
        ),
        LoginOutcome::Rejected => (
            pick(
                lang,
                "The server refused the login without a recognisable reason (its reply is below).".to_string(),
                "サーバーがログインを拒否しましたが、理由は判別できませんでした（サーバーの応答は下記）。".to_string(),
            ),
            pick(
                lang,
                "Check the user name and the password; if they are right, show the server's reply to the provider.".to_string(),
                "ユーザー名とパスワードを確認し、正しければサーバーの応答をプロバイダーに伝えてください。".to_string(),
            ),
        ),
        LoginOutcome::TlsFailure => (
            pick(
                lang,
                format!("No secure connection could be made ({}); the password was not sent.", probe_error(server)),
                format!("暗号化された接続を確立できませんでした（{}）。パスワードは送信していません。", probe_error(server)),
            ),
            pick(
                lang,
                "Check the security setting (SSL/TLS or STARTTLS) and the port; `mailcfg detect` shows the settings that work.".to_string(),
                "暗号化方法（SSL/TLS または STARTTLS）とポートを確認してください。`mailcfg detect` で使える設定を確認できます。".to_string(),
            ),
        ),
        LoginOutcome::Unreachable { outcome } => (
            pick(
                lang,
                format!(
                    "The server could not be reached ({}: {}); the password was not sent.",
                    labels::outcome(*outcome, lang),
                    probe_error(server)
                ),
                format!(
                    "サーバーに接続できませんでした（{}: {}）。パスワードは送信していません。",
                    labels::outcome(*outcome, lang),
                    probe_error(server)
                ),
            ),
            pick(
                lang,
                "Check the server name and the port, and whether a firewall blocks the connection; `mailcfg detect` shows the settings that work.".to_string(),
                "サーバー名とポート、ファイアウォールで遮断されていないかを確認してください。`mailcfg detect` で使える設定を確認できます。".to_string(),
            ),
        ),
        LoginOutcome::RefusedByPolicy { refusal } => refusal_wording(refusal, server, lang),
    };
    Wording { what, next }
}

fn app_password(
    evidence: Evidence,
    server: &ServerCheck,
    provider: Option<&str>,
    lang: Lang,
) -> (String, String) {
    let who = provider.unwrap_or(pick(lang, "The provider", "このプロバイダー"));
    let what = match evidence {
        Evidence::ServerReply => pick(
            lang,
            "The server refuses the account password from mail programs: it asks for an app password or an OAuth2 sign-in.".to_string(),
            "サーバーはメールソフトからのアカウントのパスワードを受け付けず、アプリ パスワードか OAuth2 でのサインインを求めています。".to_string(),
        ),
        Evidence::ProviderTable => pick(
            lang,
            format!("The server refused the password, and {who} does not accept the account password from mail programs."),
            format!("サーバーがパスワードを拒否しました。{who}はメールソフトからのアカウントのパスワードを受け付けません。"),
        ),
        Evidence::OnlyOauthOffered => pick(
            lang,
            format!(
                "The server offers only OAuth2 sign-in ({}), no password login; the password was not sent.",
                server.probe.as_ref().map(|p| p.auth.join(", ")).unwrap_or_default()
            ),
            format!(
                "サーバーは OAuth2 でのサインイン（{}）だけを提供し、パスワードではログインできません。パスワードは送信していません。",
                server.probe.as_ref().map(|p| p.auth.join(", ")).unwrap_or_default()
            ),
        ),
    };
    let next = pick(
        lang,
        "Create an app password in the account's security settings (two-step verification must be on) and use it instead of the account password, or choose OAuth2 in the mail program.".to_string(),
        "アカウントのセキュリティ設定でアプリ パスワードを作成し（2 段階認証が必要です）、通常のパスワードの代わりに使うか、メールソフトで OAuth2 を選んでください。".to_string(),
    );
    (what, next)
}

/// A refusal of the trust rule in words: what was not done, and why.
fn refusal_wording(refusal: &Refusal, server: &ServerCheck, lang: Lang) -> (String, String) {
    let option = format!(
        "--{} {}:{}",
        server.endpoint.protocol.as_str(),
        server.endpoint.host,
        server.endpoint.port
    );
    match refusal {
        Refusal::UntrustedHost { host, domain, via } => {
            let via: Vec<&str> = via.iter().map(|k| labels::source_kind(*k, lang)).collect();
            (
                pick(
                    lang,
                    format!(
                        "Not sent: {host} is outside {domain} and belongs to no known provider, and only {} named it, which travels unauthenticated (plain DNS or http: anyone on the path can forge it). The password was not sent to {host}.",
                        via.join(", ")
                    ),
                    format!(
                        "送信しませんでした: {host} は {domain} の外にあり、既知のプロバイダーのものでもありません。このサーバーを示したのは認証されない経路（{}: 平文の DNS や http は途中で偽造できます）だけです。{host} にパスワードは送っていません。",
                        via.join("・")
                    ),
                ),
                pick(
                    lang,
                    format!("Confirm with your provider that {host} is their server; then name it yourself: mailcfg check … {option}"),
                    format!("{host} がプロバイダーのサーバーであることを確認してから、明示して実行してください: mailcfg check … {option}"),
                ),
            )
        }
        Refusal::Plaintext => (
            pick(
                lang,
                "Not sent: the connection is not encrypted, and a password is never sent in clear text.".to_string(),
                "送信しませんでした: 接続が暗号化されておらず、パスワードを平文で送ることはしません。".to_string(),
            ),
            pick(
                lang,
                "Use SSL/TLS or STARTTLS (`mailcfg detect` shows what the server offers); for a lab only, --allow-plaintext.".to_string(),
                "SSL/TLS か STARTTLS を使ってください（`mailcfg detect` でサーバーが対応する方法を確認できます）。実験環境に限り --allow-plaintext を使えます。".to_string(),
            ),
        ),
        Refusal::UntrustedCertificate { host, problem } => {
            let why = problem.map(|p| certificate_problem(p, lang)).unwrap_or(pick(
                lang,
                "no certificate",
                "証明書なし",
            ));
            (
                pick(
                    lang,
                    format!("Not sent: the certificate of {host} is not trusted ({why}), so the server may not be who it claims to be."),
                    format!("送信しませんでした: {host} の証明書が信頼できません（{why}）。接続先が本物のサーバーである保証がありません。"),
                ),
                pick(
                    lang,
                    "Have the server's certificate fixed; if a private CA signs it, give that CA with --ca-file.".to_string(),
                    "サーバーの証明書を修正してもらってください。社内 CA などが発行した証明書なら、その CA を --ca-file で指定してください。".to_string(),
                ),
            )
        }
    }
}

fn certificate_problem(problem: CertificateProblem, lang: Lang) -> &'static str {
    let (en, ja) = match problem {
        CertificateProblem::Expired => ("expired", "有効期限切れ"),
        CertificateProblem::NotYetValid => ("not yet valid", "まだ有効期間前"),
        CertificateProblem::NameMismatch => ("issued for another name", "別の名前の証明書"),
        CertificateProblem::SelfSigned => ("self-signed", "自己署名"),
        CertificateProblem::UnknownIssuer => ("issued by an unknown authority", "不明な発行者"),
        CertificateProblem::Revoked => ("revoked", "失効済み"),
        CertificateProblem::Invalid => ("invalid", "無効"),
    };
    pick(lang, en, ja)
}

/// Why the host was trusted, in words.
pub fn grant_words(grant: &Grant, domain: &str, lang: Lang) -> String {
    match grant {
        Grant::InDomain => pick(
            lang,
            format!("inside {domain}"),
            format!("{domain} 内のサーバー"),
        ),
        Grant::Provider { id } => pick(
            lang,
            format!("a server of the provider ({id})"),
            format!("プロバイダー（{id}）のサーバー"),
        ),
        Grant::AuthenticatedSource { kind } => pick(
            lang,
            format!(
                "named by an authenticated source ({})",
                labels::source_kind(*kind, lang)
            ),
            format!(
                "認証された情報源（{}）が示したサーバー",
                labels::source_kind(*kind, lang)
            ),
        ),
        Grant::NamedByUser => pick(
            lang,
            "named on the command line".to_string(),
            "コマンドラインで指定".to_string(),
        ),
    }
}

/// The short name of an outcome, for the result line.
pub fn outcome_label(outcome: &LoginOutcome, lang: Lang) -> &'static str {
    let (en, ja) = match outcome {
        LoginOutcome::Ok => ("OK, logged in", "ログイン成功"),
        LoginOutcome::WrongCredentials => (
            "wrong user name or password",
            "ユーザー名またはパスワードの誤り",
        ),
        LoginOutcome::AppPasswordOrOauth { .. } => (
            "app password or OAuth2 required",
            "アプリ パスワードまたは OAuth2 が必要",
        ),
        LoginOutcome::AccountDisabled => (
            "account disabled or access not enabled",
            "アカウント無効、またはアクセスが未許可",
        ),
        LoginOutcome::MechanismNotOffered { .. } => {
            ("no usable login mechanism", "使える認証方式なし")
        }
        LoginOutcome::TryLater => ("server busy, try later", "サーバー混雑（後で再試行）"),
        LoginOutcome::Rejected => ("login refused", "ログイン拒否"),
        LoginOutcome::TlsFailure => ("TLS failure", "TLS の失敗"),
        LoginOutcome::Unreachable { .. } => ("unreachable", "接続できず"),
        LoginOutcome::RefusedByPolicy { .. } => ("not sent (trust rule)", "送信せず（安全のため）"),
    };
    pick(lang, en, ja)
}

/// The one-line conclusion.
pub fn summary(report: &CheckReport, lang: Lang) -> String {
    if report.servers.is_empty() {
        return pick(
            lang,
            format!(
                "No server to test was found for {}: run `mailcfg detect {}` to see why.",
                report.email, report.email
            ),
            format!(
                "{} のテスト対象のサーバーが見つかりませんでした。`mailcfg detect {}` で理由を確認してください。",
                report.email, report.email
            ),
        );
    }
    let text = match report.verdict() {
        Verdict::LoggedIn => pick(
            lang,
            "Every login succeeded: the password and the settings are right.",
            "すべてログインできました。パスワードも設定も正しいです。",
        ),
        Verdict::LoginRejected => pick(
            lang,
            "A server refused the login: the settings reach the server; the account or the password is the problem.",
            "サーバーがログインを拒否しました。設定でサーバーには届いています。原因はアカウントかパスワードです。",
        ),
        Verdict::Refused => pick(
            lang,
            "The password was not sent to every server: one did not meet the trust rule (see above).",
            "安全のため、パスワードを送らなかったサーバーがあります（上記参照）。",
        ),
        Verdict::NotTested => pick(
            lang,
            "A login could not be tested: the problem is the settings or the server, not (yet) the password.",
            "ログインを確認できなかったサーバーがあります。原因はパスワードではなく、設定かサーバー側です。",
        ),
    };
    text.to_string()
}

/// The error of the connection, for a sentence.
fn probe_error(server: &ServerCheck) -> String {
    server
        .probe
        .as_ref()
        .and_then(|p| p.error.clone())
        .or_else(|| server.reply.clone())
        .unwrap_or_default()
}

/// `mailcfg check` as text.
pub struct CheckText;

impl Render<CheckReport> for CheckText {
    fn render(&self, report: &CheckReport, options: &RenderOptions) -> String {
        let lang = options.lang;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}",
            pick(
                lang,
                format!("Login check for {}", report.email),
                format!("{} のログイン確認", report.email)
            )
        );
        if report.origin == Origin::Explicit {
            let _ = writeln!(
                out,
                "{}",
                pick(
                    lang,
                    "Servers as named on the command line.",
                    "コマンドラインで指定したサーバーを確認しました。"
                )
            );
        }
        if report.allow_plaintext {
            let _ = writeln!(out, "{}", plaintext_warning(lang));
        }
        let provider = report.provider.map(|p| p.display_name(lang));
        for server in &report.servers {
            out.push('\n');
            server_block(&mut out, server, report, provider, lang);
        }
        for direction in &report.missing {
            let key = match direction {
                Direction::Incoming => labels::Label::NoIncoming,
                Direction::Outgoing => labels::Label::NoOutgoing,
            };
            let _ = writeln!(
                out,
                "\n{}",
                clean(&labels::fill(key, lang, &[("domain", &report.domain)]))
            );
        }
        let _ = writeln!(out, "\n{}", summary(report, lang));
        out
    }
}

fn server_block(
    out: &mut String,
    server: &ServerCheck,
    report: &CheckReport,
    provider: Option<&str>,
    lang: Lang,
) {
    let e = &server.endpoint;
    let _ = writeln!(
        out,
        "{}: {}:{} {}",
        labels::server_heading(e.protocol, lang),
        clean(&server.display_host),
        e.port,
        labels::security(e.security, lang)
    );
    let row = |out: &mut String, key: &str, value: &str| {
        let _ = writeln!(out, "  {key}: {}", clean(value));
    };
    row(out, pick(lang, "User name", "ユーザー名"), &server.username);
    let mut result = outcome_label(&server.outcome, lang).to_string();
    if let Some(m) = server.mechanism {
        result.push_str(&labels::parenthesised(m.as_str(), lang));
    }
    row(out, pick(lang, "Result", "結果"), &result);
    if let Some(grant) = &server.grant {
        row(
            out,
            pick(lang, "Trusted as", "信頼の根拠"),
            &grant_words(grant, &report.domain, lang),
        );
    }
    // A refusal's words are the evidence; a success's (capabilities) are noise.
    let shown = server.reply.as_deref().filter(|r| !r.is_empty());
    if let Some(reply) = shown.filter(|_| server.outcome != LoginOutcome::Ok) {
        row(
            out,
            pick(lang, "Server said", "サーバーの応答"),
            &format!("\"{reply}\""),
        );
    }
    let wording = outcome_wording(server, provider, lang);
    row(out, pick(lang, "What happened", "状況"), &wording.what);
    row(out, pick(lang, "Next step", "次の手順"), &wording.next);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::outcome::Evidence;
    use crate::model::{Endpoint, Protocol, Security, SourceKind};
    use crate::probe::outcome::Outcome;

    fn server(outcome: LoginOutcome) -> ServerCheck {
        ServerCheck {
            endpoint: Endpoint {
                protocol: Protocol::Imap,
                host: "mail.example.jp".into(),
                port: 993,
                security: Security::Tls,
            },
            display_host: "mail.example.jp".into(),
            username: "taro".into(),
            sources: Vec::new(),
            grant: Some(Grant::InDomain),
            mechanism: None,
            outcome,
            reply: Some("[AUTHENTICATIONFAILED] \u{1b}[31mAuthentication failed.".into()),
            probe: None,
        }
    }

    fn every_outcome() -> Vec<LoginOutcome> {
        vec![
            LoginOutcome::Ok,
            LoginOutcome::WrongCredentials,
            LoginOutcome::AppPasswordOrOauth {
                evidence: Evidence::ServerReply,
            },
            LoginOutcome::AppPasswordOrOauth {
                evidence: Evidence::ProviderTable,
            },
            LoginOutcome::AppPasswordOrOauth {
                evidence: Evidence::OnlyOauthOffered,
            },
            LoginOutcome::AccountDisabled,
            LoginOutcome::MechanismNotOffered {
                offered: vec!["CRAM-MD5".into()],
            },
            LoginOutcome::TryLater,
            LoginOutcome::Rejected,
            LoginOutcome::TlsFailure,
            LoginOutcome::Unreachable {
                outcome: Outcome::Refused,
            },
            LoginOutcome::RefusedByPolicy {
                refusal: Refusal::Plaintext,
            },
            LoginOutcome::RefusedByPolicy {
                refusal: Refusal::UntrustedHost {
                    host: "mail.attacker.test".into(),
                    domain: "example.jp".into(),
                    via: vec![SourceKind::Srv],
                },
            },
            LoginOutcome::RefusedByPolicy {
                refusal: Refusal::UntrustedCertificate {
                    host: "mail.example.jp".into(),
                    problem: Some(CertificateProblem::SelfSigned),
                },
            },
        ]
    }

    #[test]
    fn every_outcome_has_words_and_a_next_step_in_both_languages() {
        for outcome in every_outcome() {
            for lang in [Lang::En, Lang::Ja] {
                let w = outcome_wording(&server(outcome.clone()), Some("Gmail"), lang);
                assert!(!w.what.is_empty() && !w.next.is_empty(), "{outcome:?}");
                for debug in ["Some(", "None", "{", "Refusal", "Outcome"] {
                    assert!(
                        !w.what.contains(debug) && !w.next.contains(debug),
                        "{outcome:?}: {w:?}"
                    );
                }
                assert!(!outcome_label(&outcome, lang).is_empty());
            }
        }
    }

    #[test]
    fn server_text_is_cleaned_and_shown_only_for_failures() {
        let report = CheckReport {
            email: "taro@example.jp".into(),
            domain: "example.jp".into(),
            provider: None,
            origin: Origin::Detected,
            allow_plaintext: false,
            servers: vec![
                server(LoginOutcome::WrongCredentials),
                server(LoginOutcome::Ok),
            ],
            missing: vec![Direction::Outgoing],
            elapsed_ms: 1.0,
        };
        let text = CheckText.render(&report, &RenderOptions::plain(Lang::En));
        assert!(!text.contains('\u{1b}'), "{text}");
        assert_eq!(text.matches("Server said").count(), 1, "{text}");
        assert!(text.contains("No outgoing mail server"), "{text}");
        assert!(text.contains("A server refused the login"), "{text}");
    }
}
