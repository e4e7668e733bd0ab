//! The Gmail app on Android, with an "Other" (IMAP/POP3) account. Labels follow the Gmail
//! app of 2024–2025 in English and Japanese. Its security list also offers "… (Accept all
//! certificates)" variants: never the right choice, since they switch off the certificate
//! check that stops a fake server from collecting the password.

use super::{Book, Entry, Field, Identity, Level, Plan, Screen, Spot, W, words};
use crate::model::{Lang, Protocol, Security};
use crate::report::labels::pick;
use crate::report::model::Setting;

pub(super) struct Android;

#[derive(Clone, Copy)]
enum T {
    Title,
    Follows,
    Open,
    OpenProvider,
    SetUpEmail,
    Other,
    AddressTitle,
    EmailAddress,
    ManualSetup,
    Next,
    AccountTypeTitle,
    Personal,
    PasswordTitle,
    Password,
    IncomingTitle,
    OutgoingTitle,
    Username,
    Server,
    SmtpServer,
    Port,
    SecurityType,
    None_,
    RequireSignIn,
    AcceptAll,
    DeleteFromServer,
    Never,
}

fn text(key: T) -> (&'static str, &'static str) {
    match key {
        T::Title => ("Gmail app (Android)", "Gmail アプリ（Android）"),
        T::Follows => (
            "the Gmail app for Android, 2024–2025 versions (Other account: IMAP/POP3).",
            "Android 版 Gmail アプリ 2024〜2025 年版（「その他」のアカウント: IMAP/POP3）。",
        ),
        T::Open => (
            "Gmail → your profile picture → Add another account",
            "Gmail → プロフィール写真 → 別のアカウントを追加",
        ),
        T::OpenProvider => (
            "Gmail → your profile picture → Add another account",
            "Gmail → プロフィール写真 → 別のアカウントを追加",
        ),
        T::SetUpEmail => ("Set up email", "メールのセットアップ"),
        T::Other => ("Other", "その他"),
        T::AddressTitle => ("Add your email address", "メールアドレスを追加"),
        T::EmailAddress => ("Enter your email", "メールアドレスを入力"),
        T::ManualSetup => ("Manual setup", "手動設定"),
        T::Next => ("Next", "次へ"),
        T::AccountTypeTitle => (
            "What type of account is this?",
            "どのタイプのアカウントですか？",
        ),
        T::Personal => ("Personal", "個人用"),
        T::PasswordTitle => ("Password", "パスワード"),
        T::Password => ("Password", "パスワード"),
        T::IncomingTitle => ("Incoming server settings", "受信サーバーの設定"),
        T::OutgoingTitle => ("Outgoing server settings", "送信サーバーの設定"),
        T::Username => ("Username", "ユーザー名"),
        T::Server => ("Server", "サーバー"),
        T::SmtpServer => ("SMTP server", "SMTP サーバー"),
        T::Port => ("Port", "ポート"),
        T::SecurityType => ("Security type", "セキュリティの種類"),
        T::None_ => ("None", "なし"),
        T::RequireSignIn => ("Require signin", "ログインが必要"),
        T::AcceptAll => (
            "Never choose a “(Accept all certificates)” variant: it lets a fake server collect your password.",
            "「（すべての証明書を承認）」の付いた選択肢は選ばないでください。偽のサーバーにパスワードを盗まれるおそれがあります。",
        ),
        T::DeleteFromServer => ("Delete email from server", "サーバーからメールを削除"),
        T::Never => ("Never", "削除しない"),
    }
}

fn t(key: T, lang: Lang) -> &'static str {
    let (en, ja) = text(key);
    pick(lang, en, ja)
}

/// The Gmail app's words under "Security type".
pub(super) fn security(security: Security, lang: Lang) -> String {
    super::security_word(security, ("SSL/TLS", "STARTTLS", t(T::None_, lang)))
}

impl Book for Android {
    fn title(&self, lang: Lang) -> &'static str {
        t(T::Title, lang)
    }

    fn follows(&self, lang: Lang) -> &'static str {
        t(T::Follows, lang)
    }

    fn can_use(&self, _s: &Setting) -> bool {
        true
    }

    fn signs_in_with(&self, identity: Identity) -> bool {
        // "Set up email" lists Google, Outlook/Hotmail/Live, Yahoo and Exchange.
        matches!(
            identity,
            Identity::Google | Identity::Microsoft | Identity::Yahoo
        )
    }

    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen> {
        let lang = plan.lang;
        let choice = match identity {
            Identity::Microsoft => "Outlook, Hotmail, and Live",
            other => other.name(),
        };
        vec![
            Screen::new(t(T::SetUpEmail, lang))
                .open(t(T::OpenProvider, lang))
                .field(Field::new(
                    t(T::SetUpEmail, lang),
                    Entry::Choose(choice.into()),
                ))
                .note(
                    Level::Info,
                    words::fill(W::OAuthWindow, lang, &[("identity", identity.name())]),
                ),
        ]
    }

    fn manual_screens(&self, plan: &Plan) -> Vec<Screen> {
        let lang = plan.lang;
        let kind = match plan.incoming.map(|s| s.endpoint.protocol) {
            Some(Protocol::Pop3) => "POP3",
            _ => "IMAP",
        };
        let mut out = vec![
            Screen::new(t(T::SetUpEmail, lang))
                .open(t(T::Open, lang))
                .field(Field::new(
                    t(T::SetUpEmail, lang),
                    Entry::Choose(t(T::Other, lang).into()),
                )),
            Screen::new(t(T::AddressTitle, lang))
                .field(Field::new(t(T::EmailAddress, lang), plan.email()))
                .then(t(T::ManualSetup, lang)),
            Screen::new(t(T::AccountTypeTitle, lang))
                .field(Field::new(
                    t(T::AccountTypeTitle, lang),
                    Entry::Choose(format!("{} ({kind})", t(T::Personal, lang))),
                ))
                .then(t(T::Next, lang)),
            Screen::new(t(T::PasswordTitle, lang))
                .field(Field::new(t(T::Password, lang), plan.password()).at(Spot::Password))
                .then(t(T::Next, lang)),
        ];
        if let Some(s) = plan.incoming {
            let mut screen = Screen::new(t(T::IncomingTitle, lang))
                .field(Field::new(t(T::Username, lang), plan.username(s)).at(Spot::Username))
                .field(Field::new(t(T::Password, lang), plan.password()))
                .field(plan.host(t(T::Server, lang), s).at(Spot::IncomingHost))
                .field(Field::new(t(T::Port, lang), plan.port(s)))
                .field(security_field(plan, s));
            if plan.is_pop3() {
                screen = screen.field(plan.remove_copy(
                    t(T::DeleteFromServer, lang),
                    Entry::Choose(t(T::Never, lang).into()),
                ));
            }
            out.push(screen.then(t(T::Next, lang)));
        }
        if let Some(s) = plan.outgoing {
            out.push(
                Screen::new(t(T::OutgoingTitle, lang))
                    .field(plan.host(t(T::SmtpServer, lang), s).at(Spot::OutgoingHost))
                    .field(Field::new(t(T::Port, lang), plan.port(s)))
                    .field(security_field(plan, s))
                    .field(Field::new(t(T::RequireSignIn, lang), Entry::Check(true)))
                    .field(Field::new(t(T::Username, lang), plan.username(s)))
                    .field(Field::new(t(T::Password, lang), plan.password()))
                    .then(t(T::Next, lang)),
            );
        }
        out
    }
}

fn security_field(plan: &Plan, s: &Setting) -> Field {
    let lang = plan.lang;
    let mut field = Field::new(
        t(T::SecurityType, lang),
        Entry::Choose(security(s.endpoint.security, lang)),
    )
    .note(Level::Info, t(T::AcceptAll, lang));
    if s.endpoint.security == Security::Plain {
        field.notes.push(plan.plaintext_warning());
    }
    field
}
