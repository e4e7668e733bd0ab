//! Every user-facing word of the human renderers, in English and Japanese, in one place.
//!
//! The Japanese follows the words Japanese mail clients show (Windows Mail, Outlook,
//! Thunderbird, iPhone): 受信メールサーバー, 送信メールサーバー, ユーザー名, ポート,
//! 暗号化方法, 送信サーバーは認証が必要, and so on, so a help-desk person can read a line
//! to a caller and the caller finds the same words on the screen.
//!
//! A few labels are templates with named placeholders (`{domain}`, `{host}`); fill them
//! with [`fill`]. Client guides added later take their words from here too.

use crate::model::{AuthMethod, Lang, Protocol, Security, SourceKind};
use crate::probe::outcome::Outcome;

/// A fixed piece of text. See [`label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    // Heading
    /// Template: `{email}`.
    HeadingSettingsFor,
    ProviderGuide,
    ModeOffline,
    ModeNoProbe,

    // Sections
    Findings,
    RecommendedSettings,
    IncomingServer,
    OutgoingServer,
    Alternatives,
    Contradictions,
    Notes,
    SourcesConsulted,
    ProbeMatrix,

    // Keys of the recommended blocks
    AccountType,
    Server,
    Port,
    Security,
    Username,
    Authentication,
    OutgoingRequiresAuth,
    SameAsIncoming,
    Status,
    Sources,
    ConfirmFirst,

    // Values
    Yes,
    No,
    WholeAddress,
    PartBeforeAt,
    UsernameProviderAssigned,
    AuthNotStated,

    // Verification
    VerifiedLong,
    VerifiedShort,
    NotVerified,
    UnverifiedOffline,
    UnverifiedNoProbe,
    UnverifiedNotReached,
    UntrustedCertificateLong,
    UntrustedCertificateShort,
    FailedLong,
    FailedShort,
    ConfirmShort,

    // Alternatives table
    Protocol,
    Pop3Reason,

    // Contradictions
    Claimed,
    ClaimedBy,
    Observed,

    // Nothing found
    /// Template: `{domain}`.
    NoIncoming,
    /// Template: `{domain}`.
    NoOutgoing,
    NextSteps,
    NextStepsDiagnosed,
    NextStepsOffline,

    // --explain
    Kind,
    Query,
    Answer,
    Time,
    Candidates,
    Endpoint,
    Outcome,
    Auth,
    Certificate,
    CertificateTrusted,
    CertificateNotTrusted,
    TotalTime,

    // Source states
    StateFound,
    StateNotFound,
    StateFailed,
    StateSkipped,
    StateCancelled,
}

/// The text of `key` in `lang`.
pub fn label(key: Label, lang: Lang) -> &'static str {
    let (en, ja) = texts(key);
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

/// The text of `key` in `lang` with each `{name}` replaced by its value.
pub fn fill(key: Label, lang: Lang, values: &[(&str, &str)]) -> String {
    let mut text = label(key, lang).to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn texts(key: Label) -> (&'static str, &'static str) {
    use Label::*;
    match key {
        HeadingSettingsFor => ("Mail settings for {email}", "{email} のメール設定"),
        ProviderGuide => ("Provider's setup guide", "プロバイダーの設定案内"),
        ModeOffline => (
            "Offline: only the built-in provider table was used, and no server was contacted.",
            "オフライン: 内蔵のプロバイダー表だけを使い、サーバーには接続していません。",
        ),
        ModeNoProbe => (
            "The mail servers were not contacted (--no-probe): nothing below has been verified.",
            "メールサーバーには接続していません（--no-probe）。以下はどれも未確認です。",
        ),

        Findings => ("Diagnosis", "診断結果"),
        RecommendedSettings => ("Recommended settings", "推奨設定"),
        IncomingServer => ("Incoming mail server", "受信メールサーバー"),
        OutgoingServer => ("Outgoing mail server", "送信メールサーバー"),
        Alternatives => ("Alternatives", "その他の候補"),
        Contradictions => (
            "Contradictions (a source said one thing, the server showed another)",
            "食い違い（情報源の記載と実際のサーバーの応答が一致しないもの）",
        ),
        Notes => ("Notes", "注意事項"),
        SourcesConsulted => ("Sources consulted", "参照した情報源"),
        ProbeMatrix => ("Connection tests", "接続テストの結果"),

        AccountType => ("Account type", "アカウントの種類"),
        Server => ("Server", "サーバー"),
        Port => ("Port", "ポート"),
        Security => ("Security", "暗号化方法"),
        Username => ("Username", "ユーザー名"),
        Authentication => ("Authentication", "認証方式"),
        OutgoingRequiresAuth => (
            "Outgoing server requires authentication",
            "送信サーバーは認証が必要",
        ),
        SameAsIncoming => (
            "Use same settings as incoming server",
            "受信メールサーバーと同じ設定を使用する",
        ),
        Status => ("Status", "確認状況"),
        Sources => ("Sources", "情報源"),
        ConfirmFirst => ("⚠ Confirm first", "⚠ 事前に確認"),

        Yes => ("Yes", "はい"),
        No => ("No", "いいえ"),
        WholeAddress => ("the whole email address", "メールアドレス全体"),
        PartBeforeAt => ("the part before @", "@ より前の部分"),
        UsernameProviderAssigned => (
            "Assigned by the provider — not your email address (see the provider's registration letter or member page)",
            "プロバイダーが発行した ID（メールアドレスではありません。登録証や会員ページで確認してください）",
        ),
        AuthNotStated => (
            "not stated (try normal password)",
            "不明（通常のパスワードを試してください）",
        ),

        VerifiedLong => ("✓ Verified by connecting", "✓ 接続して確認済み"),
        VerifiedShort => ("✓ verified", "✓ 確認済み"),
        NotVerified => ("Not verified", "未確認"),
        UnverifiedOffline => (
            "Not verified: offline, no server was contacted",
            "未確認: オフラインのため、サーバーには接続していません",
        ),
        UnverifiedNoProbe => (
            "Not verified: --no-probe, no mail server was contacted",
            "未確認: --no-probe のため、メールサーバーには接続していません",
        ),
        UnverifiedNotReached => (
            "Not verified: a better setting was confirmed first, or time ran out",
            "未確認: より良い設定を先に確認できたか、時間切れになりました",
        ),
        UntrustedCertificateLong => (
            "⚠ Connected, but the server's certificate is not trusted",
            "⚠ 接続できましたが、サーバーの証明書が信頼できません",
        ),
        UntrustedCertificateShort => ("⚠ untrusted certificate", "⚠ 証明書が信頼できない"),
        FailedLong => ("✗ Connection test failed", "✗ 接続テストに失敗"),
        FailedShort => ("✗ failed", "✗ 失敗"),
        ConfirmShort => ("⚠ confirm first", "⚠ 要確認"),

        Protocol => ("Protocol", "プロトコル"),
        Pop3Reason => (
            "POP3 downloads mail to one device, so it still suits a caller who reads mail on a single computer; if another device must see the same mail, turn on “leave a copy on the server” or use IMAP.",
            "POP3 はメールを端末に取り込む方式なので、1 台のパソコンだけでメールを読む方には今も向いています。ほかの端末でも同じメールを読むなら「サーバーにメッセージのコピーを置く」をオンにするか、IMAP を使ってください。",
        ),

        Claimed => ("Claimed", "記載内容"),
        ClaimedBy => ("claimed by", "記載元"),
        Observed => ("Observed", "実際の結果"),

        NoIncoming => (
            "No incoming mail server (IMAP or POP3) was found for {domain}.",
            "{domain} の受信メールサーバー（IMAP / POP3）は見つかりませんでした。",
        ),
        NoOutgoing => (
            "No outgoing mail server (SMTP) was found for {domain}.",
            "{domain} の送信メールサーバー（SMTP）は見つかりませんでした。",
        ),
        NextSteps => (
            "Next: check the address for typing mistakes, ask the provider or the mail administrator for the server settings, or run again with --explain to see what every source answered.",
            "次の手順: メールアドレスに入力ミスがないか確認し、プロバイダーやメール管理者にサーバーの設定値を問い合わせるか、--explain を付けて再実行して各情報源の応答を確認してください。",
        ),
        NextStepsDiagnosed => (
            "Next: see the diagnosis above; --explain shows what every source and server answered.",
            "次の手順: 上の診断結果を確認してください。--explain を付けると各情報源とサーバーの応答を確認できます。",
        ),
        NextStepsOffline => (
            "This run was offline; run again without --offline to search DNS and the web.",
            "今回はオフラインで実行しました。--offline を付けずに再実行すると DNS と Web も調べます。",
        ),

        Kind => ("Source", "情報源"),
        Query => ("Query", "問い合わせ先"),
        Answer => ("Answer", "応答"),
        Time => ("Time", "時間"),
        Candidates => ("Candidates", "候補数"),
        Endpoint => ("Endpoint", "接続先"),
        Outcome => ("Outcome", "結果"),
        Auth => ("Auth (after TLS)", "認証（TLS 後）"),
        Certificate => ("Certificate", "証明書"),
        CertificateTrusted => ("trusted", "信頼できる"),
        CertificateNotTrusted => ("NOT TRUSTED", "信頼できない"),
        TotalTime => ("Total time", "所要時間"),

        StateFound => ("found", "見つかった"),
        StateNotFound => ("not found", "見つからない"),
        StateFailed => ("failed", "失敗"),
        StateSkipped => ("skipped", "省略"),
        StateCancelled => ("cancelled (not needed)", "中止（不要）"),
    }
}

/// What the client calls this security setting (Security::label(), in `lang`).
pub fn security(security: Security, lang: Lang) -> &'static str {
    match (security, lang) {
        (Security::Plain, Lang::Ja) => "なし",
        (s, _) => s.label(),
    }
}

/// A probe outcome in words.
pub fn outcome(outcome: Outcome, lang: Lang) -> &'static str {
    let (en, ja) = match outcome {
        Outcome::Ok => ("ok", "成功"),
        Outcome::Refused => ("refused", "接続拒否"),
        Outcome::Timeout => ("timed out", "タイムアウト"),
        Outcome::Silent => ("no answer", "応答なし"),
        Outcome::Closed => ("closed by the server", "サーバーが切断"),
        Outcome::NotProtocol => ("another protocol answered", "別のプロトコルが応答"),
        Outcome::TlsError => ("TLS error", "TLS エラー"),
        Outcome::DnsError => ("name not found", "名前解決できず"),
        Outcome::Unreachable => ("network unreachable", "ネットワークに到達できず"),
        Outcome::NotTried => ("not tried", "未実施"),
    };
    pick(lang, en, ja)
}

/// A working server that takes no password login, in words.
pub fn no_login(lang: Lang) -> &'static str {
    pick(lang, "no password login", "パスワードでログインできない")
}

/// An authentication method in words a caller understands.
pub fn auth_method(method: AuthMethod, lang: Lang) -> &'static str {
    let (en, ja) = match method {
        AuthMethod::PasswordCleartext => ("Normal password", "通常のパスワード"),
        AuthMethod::PasswordEncrypted => ("Encrypted password", "暗号化されたパスワード"),
        AuthMethod::AppPassword => (
            "App password (not the account password)",
            "アプリ パスワード（アカウントのパスワードではありません）",
        ),
        AuthMethod::OAuth2 => (
            "OAuth2 (sign in with a browser)",
            "OAuth2（ブラウザーでサインイン）",
        ),
        AuthMethod::Ntlm => ("NTLM", "NTLM"),
        AuthMethod::Gssapi => ("Kerberos / GSSAPI", "Kerberos / GSSAPI"),
        AuthMethod::TlsClientCert => ("TLS client certificate", "TLS クライアント証明書"),
        AuthMethod::ClientIpAddress => (
            "By network address (no password)",
            "接続元の IP アドレス（パスワードなし）",
        ),
        AuthMethod::None => ("No authentication", "認証なし"),
    };
    pick(lang, en, ja)
}

/// Where a claim came from, as a short name.
pub fn source_kind(kind: SourceKind, lang: Lang) -> &'static str {
    let (en, ja) = match kind {
        SourceKind::Provider => ("provider table", "プロバイダー表"),
        SourceKind::Autoconfig => ("autoconfig", "autoconfig"),
        SourceKind::Ispdb => ("Thunderbird ISPDB", "Thunderbird ISPDB"),
        SourceKind::Mx => ("MX", "MX"),
        SourceKind::Srv => ("SRV", "SRV"),
        SourceKind::Autodiscover => ("autodiscover", "autodiscover"),
        SourceKind::Certificate => ("certificate name", "証明書の名前"),
        SourceKind::Guess => ("guess", "推測"),
    };
    pick(lang, en, ja)
}

/// "Incoming mail server (IMAP)" / 「受信メールサーバー（IMAP）」.
pub fn server_heading(protocol: Protocol, lang: Lang) -> String {
    let key = if protocol.is_incoming() {
        Label::IncomingServer
    } else {
        Label::OutgoingServer
    };
    match lang {
        Lang::En => format!("{} ({protocol})", label(key, lang)),
        Lang::Ja => format!("{}（{protocol}）", label(key, lang)),
    }
}

/// What separates the items of a list: ", " or 「、」.
pub fn list_separator(lang: Lang) -> &'static str {
    pick(lang, ", ", "、")
}

/// Text in parentheses, with the full-width brackets in Japanese.
pub fn parenthesised(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(" ({text})"),
        Lang::Ja => format!("（{text}）"),
    }
}

/// The English or the Japanese of a pair, by `lang`.
pub(crate) fn pick<T>(lang: Lang, en: T, ja: T) -> T {
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_uses_the_clients_words() {
        assert_eq!(label(Label::IncomingServer, Lang::Ja), "受信メールサーバー");
        assert_eq!(label(Label::OutgoingServer, Lang::Ja), "送信メールサーバー");
        assert_eq!(security(Security::Plain, Lang::Ja), "なし");
        assert_eq!(security(Security::Tls, Lang::Ja), "SSL/TLS");
        assert_eq!(security(Security::Plain, Lang::En), "None");
        assert_eq!(
            auth_method(AuthMethod::OAuth2, Lang::Ja),
            "OAuth2（ブラウザーでサインイン）"
        );
        assert_eq!(
            server_heading(Protocol::Smtp, Lang::Ja),
            "送信メールサーバー（SMTP）"
        );
    }

    #[test]
    fn probe_outcomes_read_as_words() {
        assert_eq!(outcome(Outcome::Refused, Lang::Ja), "接続拒否");
        assert_eq!(outcome(Outcome::Silent, Lang::En), "no answer");
        assert_eq!(outcome(Outcome::NotTried, Lang::Ja), "未実施");
    }

    #[test]
    fn templates_fill() {
        assert_eq!(
            fill(Label::NoIncoming, Lang::En, &[("domain", "example.jp")]),
            "No incoming mail server (IMAP or POP3) was found for example.jp."
        );
        assert!(!fill(Label::NoOutgoing, Lang::Ja, &[("domain", "x.jp")]).contains('{'));
    }
}
