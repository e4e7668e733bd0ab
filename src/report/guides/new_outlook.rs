//! The new Outlook for Windows (2024–2025 builds).
//!
//! Uncertain: the labels follow the English and Japanese builds of 2025 ("Show more" opens
//! the full form of an IMAP or POP account); the Japanese wording of this young app still
//! changes between builds. New Outlook syncs IMAP/POP accounts through Microsoft's cloud
//! and offers SSL/TLS and STARTTLS only, so a server without encryption cannot be used.

use super::{Book, Entry, Field, Identity, Level, Plan, Screen, Spot, W, words};
use crate::model::{Lang, Protocol, Security};
use crate::report::labels::pick;
use crate::report::model::Setting;

pub(super) struct NewOutlook;

#[derive(Clone, Copy)]
enum T {
    Title,
    Follows,
    Open,
    AddTitle,
    EmailAddress,
    Continue,
    ChooseProvider,
    SyncTitle,
    ShowMore,
    DisplayName,
    Username,
    Password,
    IncomingServer,
    OutgoingServer,
    Port,
    SecureConnection,
    CloudNote,
}

fn text(key: T) -> (&'static str, &'static str) {
    match key {
        T::Title => ("new Outlook", "新しい Outlook"),
        T::Follows => (
            "the new Outlook for Windows, 2025 builds (labels of this young app may differ slightly in other builds).",
            "Windows 版「新しい Outlook」2025 年版（新しいアプリのため、版によって表記が多少異なることがあります）。",
        ),
        T::Open => (
            "Settings → Accounts → Email accounts → Add account",
            "設定 → アカウント → メール アカウント → アカウントの追加",
        ),
        T::AddTitle => ("Add an account", "アカウントの追加"),
        T::EmailAddress => ("Email address", "メール アドレス"),
        T::Continue => ("Continue", "続行"),
        T::ChooseProvider => ("Choose your email provider", "メール プロバイダーを選択"),
        T::SyncTitle => ("Sync your email account", "メール アカウントを同期する"),
        T::ShowMore => ("Show more", "詳細を表示"),
        T::DisplayName => ("Display name", "表示名"),
        T::Username => ("username", "ユーザー名"),
        T::Password => ("password", "パスワード"),
        T::IncomingServer => ("incoming server", "受信サーバー"),
        T::OutgoingServer => ("SMTP outgoing server", "SMTP 送信サーバー"),
        T::Port => ("Port", "ポート"),
        T::SecureConnection => (
            "Secure connection type",
            "セキュリティで保護された接続の種類",
        ),
        T::CloudNote => (
            "New Outlook connects to the server from Microsoft's cloud, not from this PC: a server reachable only inside your office network cannot be used.",
            "新しい Outlook はこの PC からではなく Microsoft のクラウドからサーバーに接続します。社内ネットワークからしか接続できないサーバーは使えません。",
        ),
    }
}

fn t(key: T, lang: Lang) -> &'static str {
    let (en, ja) = text(key);
    pick(lang, en, ja)
}

/// New Outlook's words under "Secure connection type" (it has no "none").
pub(super) fn security(security: Security) -> Option<String> {
    match security {
        Security::Plain => None,
        s => Some(super::security_word(s, ("SSL/TLS", "StartTLS", ""))),
    }
}

impl Book for NewOutlook {
    fn title(&self, lang: Lang) -> &'static str {
        t(T::Title, lang)
    }

    fn follows(&self, lang: Lang) -> &'static str {
        t(T::Follows, lang)
    }

    fn can_use(&self, s: &Setting) -> bool {
        security(s.endpoint.security).is_some()
    }

    fn signs_in_with(&self, identity: Identity) -> bool {
        matches!(
            identity,
            Identity::Google | Identity::Microsoft | Identity::Yahoo
        )
    }

    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen> {
        let lang = plan.lang;
        vec![
            Screen::new(t(T::AddTitle, lang))
                .open(t(T::Open, lang))
                .field(Field::new(t(T::EmailAddress, lang), plan.email()).at(Spot::Username))
                .then(t(T::Continue, lang))
                .note(
                    Level::Info,
                    words::fill(W::OAuthWindow, lang, &[("identity", identity.name())]),
                ),
        ]
    }

    fn manual_screens(&self, plan: &Plan) -> Vec<Screen> {
        let lang = plan.lang;
        let kind = match plan.incoming.map(|s| s.endpoint.protocol) {
            Some(Protocol::Pop3) => "POP",
            _ => "IMAP",
        };
        let first = Screen::new(t(T::AddTitle, lang))
            .open(t(T::Open, lang))
            .field(Field::new(t(T::EmailAddress, lang), plan.email()))
            .field(Field::new(
                t(T::ChooseProvider, lang),
                Entry::Choose(kind.into()),
            ))
            .then(t(T::Continue, lang));
        let mut sync = Screen::new(t(T::SyncTitle, lang))
            .field(Field::new(t(T::EmailAddress, lang), plan.email()))
            .field(Field::new(t(T::DisplayName, lang), plan.your_name()))
            .note(Level::Info, t(T::CloudNote, lang));
        if let Some(s) = plan.incoming {
            sync = server_fields(
                plan,
                sync,
                kind,
                t(T::IncomingServer, lang),
                s,
                Spot::IncomingHost,
            );
        }
        if let Some(s) = plan.outgoing {
            sync = server_fields(
                plan,
                sync,
                "SMTP",
                t(T::OutgoingServer, lang),
                s,
                Spot::OutgoingHost,
            );
        }
        let sync = sync.then(format!(
            "{} → {}",
            t(T::ShowMore, lang),
            t(T::Continue, lang)
        ));
        vec![first, sync]
    }
}

/// "IMAP username", "IMAP password", "IMAP incoming server", "Port", "Secure connection
/// type" — and the same for SMTP.
fn server_fields(
    plan: &Plan,
    screen: Screen,
    kind: &str,
    server_label: &str,
    s: &Setting,
    spot: Spot,
) -> Screen {
    let lang = plan.lang;
    let named = |label: &str| match lang {
        Lang::En => format!("{kind} {label}"),
        Lang::Ja => format!("{kind} {label}"),
    };
    let server = if kind == "SMTP" {
        server_label.to_string()
    } else {
        named(server_label)
    };
    let word = security(s.endpoint.security).unwrap_or_default();
    screen
        .field(Field::new(named(t(T::Username, lang)), plan.username(s)).at(Spot::Username))
        .field(Field::new(named(t(T::Password, lang)), plan.password()).at(Spot::Password))
        .field(plan.host(&server, s).at(spot))
        .field(Field::new(t(T::Port, lang), plan.port(s)))
        .field(Field::new(
            t(T::SecureConnection, lang),
            Entry::Choose(word),
        ))
}
