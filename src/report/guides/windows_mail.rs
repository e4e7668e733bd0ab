//! The Mail app of Windows 10 and 11 ("Mail and Calendar"; Microsoft ended its support on
//! 31 December 2024, and it keeps working where it is installed).
//!
//! One form ("Internet email account"), in the app's own order. The app has no port field:
//! the port goes after the host name with a colon (`imap.example.jp:993`). Its "Require SSL"
//! boxes switch encryption on; with port 587 or 143 the app uses STARTTLS. The Japanese
//! labels follow the Windows 10/11 Japanese build (送信サーバーには、認証が必要 …).

use super::{Book, Entry, Field, Identity, Level, Plan, Screen, Spot, W, words};
use crate::model::{Lang, Protocol, Security};
use crate::report::labels::pick;
use crate::report::model::Setting;

pub(super) struct WindowsMail;

#[derive(Clone, Copy)]
enum T {
    Title,
    Follows,
    Open,
    FormTitle,
    EmailAddress,
    UserName,
    Password,
    AccountName,
    SendName,
    IncomingServer,
    AccountType,
    OutgoingServer,
    RequiresAuth,
    SameCredentials,
    SslIncoming,
    SslOutgoing,
    SignIn,
    HostPort,
    StarttlsBox,
    NoLeaveCopy,
    OpenProvider,
    ProviderTitle,
}

fn text(key: T) -> (&'static str, &'static str) {
    match key {
        T::Title => ("Windows Mail", "Windows メール"),
        T::Follows => (
            "the Mail app of Windows 10/11 (Mail and Calendar, support ended 31 Dec 2024).",
            "Windows 10/11 の「メール」アプリ（メールとカレンダー。2024 年 12 月 31 日にサポート終了）。",
        ),
        T::Open => (
            "Settings (gear) → Manage accounts → Add account → Advanced setup → Internet email",
            "設定（歯車） → アカウントの管理 → アカウントの追加 → 詳細設定 → インターネット メール",
        ),
        T::FormTitle => ("Internet email account", "インターネット メール アカウント"),
        T::EmailAddress => ("Email address", "メール アドレス"),
        T::UserName => ("User name", "ユーザー名"),
        T::Password => ("Password", "パスワード"),
        T::AccountName => ("Account name", "アカウント名"),
        T::SendName => (
            "Send your messages using this name",
            "この名前を使用してメッセージを送信",
        ),
        T::IncomingServer => ("Incoming email server", "受信メール サーバー"),
        T::AccountType => ("Account type", "アカウントの種類"),
        T::OutgoingServer => (
            "Outgoing (SMTP) email server",
            "送信 (SMTP) メール サーバー",
        ),
        T::RequiresAuth => (
            "Outgoing server requires authentication",
            "送信サーバーには、認証が必要",
        ),
        T::SameCredentials => (
            "Use the same user name and password for sending email",
            "送信メールに同じユーザー名とパスワードを使用",
        ),
        T::SslIncoming => (
            "Require SSL for incoming email",
            "受信メールには SSL が必要",
        ),
        T::SslOutgoing => (
            "Require SSL for outgoing email",
            "送信メールには SSL が必要",
        ),
        T::SignIn => ("Sign in", "サインイン"),
        T::HostPort => (
            "The app has no port field: the port goes after the host name, with a colon.",
            "このアプリにはポートの欄がないため、ホスト名の後ろにコロンを付けてポート番号を入力します。",
        ),
        T::StarttlsBox => (
            "On: with this port the app encrypts with STARTTLS.",
            "オンにします。このポートではアプリが STARTTLS で暗号化します。",
        ),
        T::NoLeaveCopy => (
            "Windows Mail has no “leave a copy on the server” setting for POP3; if you also read this mail elsewhere, use IMAP where the provider offers it.",
            "Windows メールには POP3 の「サーバーにメッセージのコピーを置く」設定がありません。ほかの端末でも読む場合は、プロバイダーが対応していれば IMAP を使ってください。",
        ),
        T::OpenProvider => (
            "Settings (gear) → Manage accounts → Add account",
            "設定（歯車） → アカウントの管理 → アカウントの追加",
        ),
        T::ProviderTitle => ("Add an account", "アカウントの追加"),
    }
}

fn t(key: T, lang: Lang) -> &'static str {
    let (en, ja) = text(key);
    pick(lang, en, ja)
}

/// The "Require SSL" box for a security: on for TLS and STARTTLS, off only for a server
/// without encryption.
pub(super) fn require_ssl(security: Security) -> bool {
    security != Security::Plain
}

impl Book for WindowsMail {
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
        // The account list offers Outlook.com, Google and Yahoo.
        matches!(
            identity,
            Identity::Google | Identity::Microsoft | Identity::Yahoo
        )
    }

    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen> {
        let lang = plan.lang;
        let choice = match identity {
            Identity::Microsoft => "Outlook.com",
            other => other.name(),
        };
        vec![
            Screen::new(t(T::ProviderTitle, lang))
                .open(t(T::OpenProvider, lang))
                .field(Field::new(
                    t(T::ProviderTitle, lang),
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
        let mut form = Screen::new(t(T::FormTitle, lang))
            .open(t(T::Open, lang))
            .field(Field::new(t(T::EmailAddress, lang), plan.email()));
        if let Some(s) = plan.incoming.or(plan.outgoing) {
            form =
                form.field(Field::new(t(T::UserName, lang), plan.username(s)).at(Spot::Username));
        }
        form = form
            .field(Field::new(t(T::Password, lang), plan.password()).at(Spot::Password))
            .field(Field::new(t(T::AccountName, lang), plan.email()))
            .field(Field::new(t(T::SendName, lang), plan.your_name()));
        if let Some(s) = plan.incoming {
            let kind = if s.endpoint.protocol == Protocol::Pop3 {
                "POP3"
            } else {
                "IMAP4"
            };
            form = form
                .field(host_port(
                    plan,
                    t(T::IncomingServer, lang),
                    s,
                    Spot::IncomingHost,
                ))
                .field(Field::new(
                    t(T::AccountType, lang),
                    Entry::Choose(kind.into()),
                ));
        }
        if let Some(s) = plan.outgoing {
            form = form.field(host_port(
                plan,
                t(T::OutgoingServer, lang),
                s,
                Spot::OutgoingHost,
            ));
        }
        form = form
            .field(Field::new(t(T::RequiresAuth, lang), Entry::Check(true)))
            .field(Field::new(t(T::SameCredentials, lang), Entry::Check(true)));
        if let Some(s) = plan.incoming {
            form = form.field(ssl_box(plan, t(T::SslIncoming, lang), s));
        }
        if let Some(s) = plan.outgoing {
            form = form.field(ssl_box(plan, t(T::SslOutgoing, lang), s));
        }
        if plan.is_pop3() {
            form = form.note(Level::Info, t(T::NoLeaveCopy, lang));
        }
        vec![form.then(t(T::SignIn, lang))]
    }
}

/// `host:port`, the app's one field for both.
fn host_port(plan: &Plan, field_label: &str, s: &Setting, spot: Spot) -> Field {
    let mut field = plan.host(field_label, s).at(spot);
    field.entry = Entry::Type(format!(
        "{}:{}",
        crate::report::clean(&s.endpoint.host),
        s.endpoint.port
    ));
    field.note(Level::Info, t(T::HostPort, plan.lang))
}

fn ssl_box(plan: &Plan, field_label: &str, s: &Setting) -> Field {
    let mut field = Field::new(field_label, Entry::Check(require_ssl(s.endpoint.security)));
    match s.endpoint.security {
        Security::Starttls => field = field.note(Level::Info, t(T::StarttlsBox, plan.lang)),
        Security::Plain => field.notes.push(plan.plaintext_warning()),
        Security::Tls => {}
    }
    field
}
