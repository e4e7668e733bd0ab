//! `mailcfg detect EMAIL --client NAME`: client guides screen by screen, offline from the
//! provider table and against a real Dovecot and Postfix; the HTML sheet; bad client names.

use super::detect::MailServers;
use super::mailcfg;
use crate::support::{self, Dns, DnsRecords, TestCa};

const CLIENTS: [&str; 7] = [
    "thunderbird",
    "outlook",
    "new-outlook",
    "windows-mail",
    "apple-mail",
    "ios",
    "android",
];

/// stdout and the exit code of `mailcfg args`.
fn run(args: &[&str]) -> (String, String, i32) {
    let (output, _) = mailcfg(args);
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// Every `needle` occurs in `text`, in this order.
fn in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("{needle:?} missing (or out of order) in:\n{text}"),
        }
    }
}

#[test]
fn classic_outlook_in_japanese_screen_by_screen() {
    let (out, err, code) = run(&[
        "detect",
        "alice@gmail.com",
        "--offline",
        "--client",
        "outlook",
        "--lang",
        "ja",
    ]);
    assert_eq!(code, 0, "{err}");
    in_order(
        &out,
        &[
            "Outlook（クラシック） — alice@gmail.com（Gmail）",
            "手順 1. アカウントの追加",
            "Google のサインイン画面が開きます",
            "電子メール アドレス: alice@gmail.com",
            "「アプリ パスワード」を作成",
            "手順 2. 別の方法: POP と IMAP のアカウント設定",
            "アカウントの種類: 「IMAP」を選択",
            "受信メール サーバー: imap.gmail.com",
            "送信メール サーバー (SMTP): smtp.gmail.com",
            "アカウント名: alice@gmail.com",
            "パスワード: ‹メールアプリ用のパスワード",
            "→ 「詳細設定...」",
            "手順 3. インターネット電子メール設定 → 送信サーバー",
            "送信サーバー (SMTP) は認証が必要: ☑ オン",
            "受信メール サーバーと同じ設定を使用する: ☑ オン",
            "手順 4. インターネット電子メール設定 → 詳細設定",
            "受信サーバー (IMAP): 993",
            "使用する暗号化接続の種類: 「SSL/TLS」を選択",
            "送信サーバー (SMTP): 465",
            "使用する暗号化接続の種類: 「SSL/TLS」を選択",
        ],
    );
    assert!(!out.contains("「なし」を選択"), "{out}");
}

#[test]
fn every_client_in_both_languages_runs_offline() {
    for email in [
        "alice@gmail.com",
        "taro@docomo.ne.jp",
        "hanako@kd5.auone-net.jp",
    ] {
        for client in CLIENTS {
            for (lang, step) in [("en", "Step 1. "), ("ja", "手順 1. ")] {
                let (out, err, code) = run(&[
                    "detect",
                    email,
                    "--offline",
                    "--client",
                    client,
                    "--lang",
                    lang,
                ]);
                assert_eq!(code, 0, "{email} {client} {lang}: {err}");
                assert!(out.contains(step), "{email} {client} {lang}:\n{out}");
                assert!(out.contains(email), "{out}");
                assert!(err.is_empty(), "{err}");
            }
        }
    }
}

#[test]
fn pop3_guides_say_keep_a_copy_on_the_server() {
    let (out, _, code) = run(&[
        "detect",
        "hanako@kd5.auone-net.jp",
        "--offline",
        "--client",
        "outlook",
        "--lang",
        "ja",
    ]);
    assert_eq!(code, 0);
    in_order(
        &out,
        &[
            "アカウントの種類: 「POP3」を選択",
            "受信メール サーバー: pop.kd5.auone-net.jp",
            "受信サーバー (POP3): 995",
            "このサーバーでは暗号化された接続 (SSL/TLS) が必要: ☑ オン",
            "サーバーにメッセージのコピーを置く: ☑ オン",
            "オンを推奨します",
        ],
    );
}

#[test]
fn sign_in_choices_and_provider_assigned_user_names() {
    let guide = |email: &str, client: &str, lang: &str| {
        let (out, err, code) = run(&[
            "detect",
            email,
            "--offline",
            "--client",
            client,
            "--lang",
            lang,
        ]);
        assert_eq!(code, 0, "{err}");
        out
    };
    // Outlook.com takes only Microsoft sign-in: Thunderbird chooses OAuth2 and asks for
    // no password.
    let out = guide("bob@outlook.com", "thunderbird", "en");
    assert!(
        out.contains("Authentication method: choose “OAuth2”"),
        "{out}"
    );
    assert!(!out.contains("Enter your email account password"), "{out}");
    // Classic Outlook has no AOL sign-in: it says so and uses an app password.
    let out = guide("someone@aol.com", "outlook", "en");
    in_order(
        &out,
        &[
            "has no “sign in with AOL”",
            "Step 1. POP and IMAP Account Settings",
            "Password: ‹the password for mail apps",
        ],
    );
    // docomo: the user name is not the address, and the guide says where it comes from.
    let out = guide("taro@docomo.ne.jp", "ios", "ja");
    assert!(out.contains("d アカウントの ID"), "{out}");
    assert!(out.contains("「dアカウント利用設定」"), "{out}");
    in_order(
        &out,
        &[
            "始める前に",
            "「dアカウント利用設定」",
            "手順 1.",
            "受信メールサーバ › ユーザ名: ‹プロバイダーが発行した ID",
        ],
    );
}

#[test]
fn unknown_client_is_bad_input() {
    let (out, err, code) = run(&[
        "detect",
        "alice@gmail.com",
        "--offline",
        "--client",
        "eudora",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    for name in CLIENTS {
        assert!(err.contains(name), "{name} not listed in: {err}");
    }
    let (_, err, code) = run(&[
        "detect",
        "alice@gmail.com",
        "--offline",
        "--client",
        "outlook",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--client"), "{err}");
    let (_, err, code) = run(&[
        "detect",
        "alice@gmail.com",
        "--offline",
        "--client",
        "ios",
        "--json",
    ]);
    assert_eq!(code, 2, "{err}");
    let (_, err, code) = run(&["detect", "alice@gmail.com", "--offline", "--format", "html"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--client"), "{err}");
}

#[test]
fn html_sheet_for_a_client() {
    let (out, err, code) = run(&[
        "detect",
        "alice@gmail.com",
        "--offline",
        "--client",
        "windows-mail",
        "--lang",
        "ja",
        "--format",
        "html",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"),
        "{out}"
    );
    assert!(out.contains("送信サーバーには、認証が必要"), "{out}");
    assert!(!out.to_ascii_lowercase().contains("<script"), "{out}");
    assert!(out.trim_end().ends_with("</html>"));
}

/// A guide against a real Dovecot and Postfix found through SRV: submission on 587 with
/// STARTTLS comes out in each client's own words, never as "None".
#[test]
fn guide_from_real_servers() {
    support::require_netns();
    let ca = TestCa::temp();
    let mail = MailServers::start(&ca, &["mail.guide.test"], |postfix| {
        postfix.smtps_port = None;
    });
    let dns = Dns::start(
        support::next_ip(),
        53,
        DnsRecords::new()
            .a("mail.guide.test", mail.ip)
            .srv("_imaps._tcp.guide.test", "mail.guide.test", 993, 0, 1)
            .srv("_submission._tcp.guide.test", "mail.guide.test", 587, 0, 1),
    );
    let dns_addr = dns.addr().to_string();
    let ca_path = ca.ca_pem().display().to_string();
    let guide = |client: &str, lang: &str| {
        run(&[
            "detect",
            "hanako@guide.test",
            "--dns-server",
            &dns_addr,
            "--ca-file",
            &ca_path,
            "--no-ispdb",
            "--timeout",
            "2",
            "--client",
            client,
            "--lang",
            lang,
        ])
    };
    let (out, err, code) = guide("outlook", "ja");
    assert_eq!(code, 0, "{err}\n{out}");
    in_order(
        &out,
        &[
            "受信メール サーバー: mail.guide.test",
            "送信メール サーバー (SMTP): mail.guide.test",
            "アカウント名: hanako@guide.test",
            "送信サーバー (SMTP) は認証が必要: ☑ オン",
            "受信サーバー (IMAP): 993",
            "使用する暗号化接続の種類: 「SSL/TLS」を選択",
            "送信サーバー (SMTP): 587",
            "使用する暗号化接続の種類: 「STARTTLS」を選択",
        ],
    );
    assert!(!out.contains("オフライン"), "{out}");
    let (out, _, code) = guide("thunderbird", "en");
    assert_eq!(code, 0, "{out}");
    in_order(
        &out,
        &[
            "Step 2. Incoming server settings",
            "Hostname: mail.guide.test",
            "Port: 993",
            "Connection security: choose “SSL/TLS”",
            "Step 3. Outgoing server settings",
            "Port: 587",
            "Connection security: choose “STARTTLS”",
            "Authentication method: choose “Normal password”",
        ],
    );
    let (out, _, code) = guide("windows-mail", "ja");
    assert_eq!(code, 0, "{out}");
    in_order(
        &out,
        &[
            "送信 (SMTP) メール サーバー: mail.guide.test:587",
            "送信サーバーには、認証が必要: ☑ オン",
            "受信メールには SSL が必要: ☑ オン",
            "送信メールには SSL が必要: ☑ オン",
        ],
    );
}
