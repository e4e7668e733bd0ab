//! Mail on macOS (Sonoma 14, Sequoia 15). Apple's Japanese writes サーバ, ユーザ名 without
//! the long-vowel mark, and the guide keeps that. The ports and TLS are set afterwards in
//! Settings → Accounts → Server Settings, after switching off "Automatically manage
//! connection settings"; there "Use TLS/SSL" with port 587 or 143 means STARTTLS.
//! Uncertain: the POP3 option's wording ("Remove copy from server after retrieving a
//! message") follows macOS 14.

use super::{Book, Entry, Field, Identity, Level, Plan, Screen, Spot, W, words};
use crate::model::{Lang, Protocol, Security};
use crate::report::labels::pick;
use crate::report::model::Setting;

pub(super) struct AppleMail;

#[derive(Clone, Copy)]
enum T {
    Title,
    Follows,
    Open,
    ChooseTitle,
    Other,
    Continue,
    AddTitle,
    Name,
    EmailAddress,
    Password,
    SignIn,
    UserName,
    AccountType,
    IncomingServer,
    OutgoingServer,
    ServerSettings,
    OpenServerSettings,
    IncomingSection,
    OutgoingSection,
    HostName,
    AutoManage,
    Port,
    UseTls,
    Authentication,
    PasswordChoice,
    Save,
    AccountInformation,
    RemoveCopy,
    StarttlsBox,
}

fn text(key: T) -> (&'static str, &'static str) {
    match key {
        T::Title => ("Apple Mail (macOS)", "Apple メール（macOS）"),
        T::Follows => (
            "Mail on macOS Sonoma 14 and Sequoia 15.",
            "macOS Sonoma 14・Sequoia 15 の「メール」。",
        ),
        T::Open => ("Mail → Add Account…", "メール → アカウントを追加..."),
        T::ChooseTitle => (
            "Choose a Mail account provider…",
            "メールアカウントのプロバイダを選択...",
        ),
        T::Other => ("Other Mail Account…", "その他のメールアカウント..."),
        T::Continue => ("Continue", "続ける"),
        T::AddTitle => ("Add a Mail Account", "メールアカウントを追加"),
        T::Name => ("Name", "名前"),
        T::EmailAddress => ("Email Address", "メールアドレス"),
        T::Password => ("Password", "パスワード"),
        T::SignIn => ("Sign In", "サインイン"),
        T::UserName => ("User Name", "ユーザ名"),
        T::AccountType => ("Account Type", "アカウントの種類"),
        T::IncomingServer => ("Incoming Mail Server", "受信用メールサーバ"),
        T::OutgoingServer => ("Outgoing Mail Server", "送信用メールサーバ"),
        T::ServerSettings => ("Server Settings", "サーバ設定"),
        T::OpenServerSettings => (
            "Mail → Settings… → Accounts → (the account) → Server Settings",
            "メール → 設定... → アカウント → （このアカウント） → サーバ設定",
        ),
        T::IncomingSection => ("Incoming Mail Server", "受信用メールサーバ"),
        T::OutgoingSection => ("Outgoing Mail Server (SMTP)", "送信用メールサーバ（SMTP）"),
        T::HostName => ("Host Name", "ホスト名"),
        T::AutoManage => (
            "Automatically manage connection settings",
            "接続設定を自動的に管理",
        ),
        T::Port => ("Port", "ポート"),
        T::UseTls => ("Use TLS/SSL", "TLS/SSL を使用"),
        T::Authentication => ("Authentication", "認証"),
        T::PasswordChoice => ("Password", "パスワード"),
        T::Save => ("Save", "保存"),
        T::AccountInformation => ("Account Information", "アカウント情報"),
        T::RemoveCopy => (
            "Remove copy from server after retrieving a message",
            "メッセージ受信後にサーバからコピーを削除",
        ),
        T::StarttlsBox => (
            "On: with this port Mail encrypts with STARTTLS.",
            "オンにします。このポートでは STARTTLS で暗号化されます。",
        ),
    }
}

fn t(key: T, lang: Lang) -> &'static str {
    let (en, ja) = text(key);
    pick(lang, en, ja)
}

/// The "Use TLS/SSL" box: on for TLS and STARTTLS, off only without encryption.
pub(super) fn use_tls(security: Security) -> bool {
    security != Security::Plain
}

impl Book for AppleMail {
    fn title(&self, lang: Lang) -> &'static str {
        t(T::Title, lang)
    }

    fn follows(&self, lang: Lang) -> &'static str {
        t(T::Follows, lang)
    }

    fn can_use(&self, _s: &Setting) -> bool {
        true
    }

    fn signs_in_with(&self, _identity: Identity) -> bool {
        // The provider list: iCloud, Microsoft Exchange, Google, Yahoo!, AOL.
        true
    }

    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen> {
        let lang = plan.lang;
        let choice = match identity {
            Identity::Microsoft => "Microsoft Exchange",
            Identity::Yahoo => "Yahoo!",
            other => other.name(),
        };
        vec![
            Screen::new(t(T::ChooseTitle, lang))
                .open(t(T::Open, lang))
                .field(Field::new(
                    t(T::ChooseTitle, lang),
                    Entry::Choose(choice.into()),
                ))
                .then(t(T::Continue, lang))
                .note(
                    Level::Info,
                    words::fill(W::OAuthWindow, lang, &[("identity", identity.name())]),
                ),
        ]
    }

    fn manual_screens(&self, plan: &Plan) -> Vec<Screen> {
        let lang = plan.lang;
        let mut out = vec![
            Screen::new(t(T::ChooseTitle, lang))
                .open(t(T::Open, lang))
                .field(Field::new(
                    t(T::ChooseTitle, lang),
                    Entry::Choose(t(T::Other, lang).into()),
                ))
                .then(t(T::Continue, lang)),
            Screen::new(t(T::AddTitle, lang))
                .field(Field::new(t(T::Name, lang), plan.your_name()))
                .field(Field::new(t(T::EmailAddress, lang), plan.email()))
                .field(Field::new(t(T::Password, lang), plan.password()).at(Spot::Password))
                .then(t(T::SignIn, lang)),
        ];
        let mut servers = Screen::new(t(T::AddTitle, lang))
            .field(Field::new(t(T::EmailAddress, lang), plan.email()));
        if let Some(s) = plan.incoming.or(plan.outgoing) {
            servers = servers
                .field(Field::new(t(T::UserName, lang), plan.username(s)).at(Spot::Username));
        }
        servers = servers.field(Field::new(t(T::Password, lang), plan.password()));
        if let Some(s) = plan.incoming {
            let kind = if s.endpoint.protocol == Protocol::Pop3 {
                "POP"
            } else {
                "IMAP"
            };
            servers = servers
                .field(Field::new(
                    t(T::AccountType, lang),
                    Entry::Choose(kind.into()),
                ))
                .field(
                    plan.host(t(T::IncomingServer, lang), s)
                        .at(Spot::IncomingHost),
                );
        }
        if let Some(s) = plan.outgoing {
            servers = servers.field(
                plan.host(t(T::OutgoingServer, lang), s)
                    .at(Spot::OutgoingHost),
            );
        }
        out.push(servers.then(t(T::SignIn, lang)));
        for (section, setting) in [
            (T::IncomingSection, plan.incoming),
            (T::OutgoingSection, plan.outgoing),
        ] {
            if let Some(s) = setting {
                out.push(connection(plan, section, s));
            }
        }
        if plan.is_pop3() {
            out.push(
                Screen::new(t(T::AccountInformation, lang))
                    .field(plan.remove_copy(t(T::RemoveCopy, lang), Entry::Check(false)))
                    .then(t(T::Save, lang)),
            );
        }
        out
    }
}

/// One server's part of Server Settings.
fn connection(plan: &Plan, section: T, s: &Setting) -> Screen {
    let lang = plan.lang;
    let mut tls = Field::new(
        t(T::UseTls, lang),
        Entry::Check(use_tls(s.endpoint.security)),
    );
    match s.endpoint.security {
        Security::Starttls => tls = tls.note(Level::Info, t(T::StarttlsBox, lang)),
        Security::Plain => tls.notes.push(plan.plaintext_warning()),
        Security::Tls => {}
    }
    Screen::new(format!(
        "{} — {}",
        t(T::ServerSettings, lang),
        t(section, lang)
    ))
    .open(t(T::OpenServerSettings, lang))
    .field(Field::new(t(T::UserName, lang), plan.username(s)))
    .field(Field::new(
        t(T::HostName, lang),
        Entry::Type(crate::report::clean(&s.endpoint.host)),
    ))
    .field(Field::new(t(T::AutoManage, lang), Entry::Check(false)))
    .field(Field::new(t(T::Port, lang), plan.port(s)))
    .field(tls)
    .field(Field::new(
        t(T::Authentication, lang),
        Entry::Choose(t(T::PasswordChoice, lang).into()),
    ))
    .then(t(T::Save, lang))
}
