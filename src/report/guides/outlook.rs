//! Classic Outlook for Windows (2016, 2019, 2021, Microsoft 365).
//!
//! The guide follows the "POP and IMAP Account Settings" dialog and its "More Settings"
//! tabs, reached from Control Panel → Mail (or File → Account Settings → Change): the one
//! dialog every version since 2016 still has, and the one whose fields people get wrong.
//! Labels are those of Outlook for Microsoft 365 / 2016+ (English and Japanese builds).
//! Uncertain: the encryption list says "STARTTLS" since Outlook 2016; Outlook 2013 and
//! older say "TLS" (the guide says so at the field). POP3 has only the SSL/TLS checkbox,
//! so POP3 with STARTTLS (port 110) cannot be set up in this dialog.

use super::{Book, Entry, Field, Identity, Level, Plan, Screen, Spot, W, words};
use crate::model::{Lang, Protocol, Security};
use crate::report::labels::pick;
use crate::report::model::Setting;

pub(super) struct Outlook;

#[derive(Clone, Copy)]
enum T {
    Title,
    Follows,
    OpenManual,
    AccountSettings,
    YourName,
    EmailAddress,
    AccountType,
    IncomingServer,
    OutgoingServer,
    UserName,
    Password,
    RememberPassword,
    Spa,
    MoreSettings,
    OutgoingTab,
    RequiresAuth,
    SameSettings,
    AdvancedTab,
    IncomingPortImap,
    IncomingPortPop3,
    OutgoingPort,
    EncryptionType,
    PopRequiresSsl,
    LeaveCopy,
    OlderTls,
    None_,
    Ok,
    Next,
    AddAccountOpen,
    AddAccountTitle,
    Connect,
}

fn text(key: T) -> (&'static str, &'static str) {
    match key {
        T::Title => ("Outlook (classic)", "Outlook（クラシック）"),
        T::Follows => (
            "classic Outlook for Microsoft 365, 2021, 2019 and 2016 for Windows (the POP and IMAP Account Settings dialog). Outlook 2013 and older call STARTTLS “TLS”.",
            "Windows 版クラシック Outlook（Microsoft 365・2021・2019・2016）の「POP と IMAP のアカウント設定」画面。Outlook 2013 以前では STARTTLS が「TLS」と表示されます。",
        ),
        T::OpenManual => (
            "Control Panel → Mail (Microsoft Outlook) → Email Accounts… → New… → Manual setup or additional server types → POP or IMAP",
            "コントロール パネル → Mail (Microsoft Outlook) → 電子メール アカウント → 新規 → 自分で電子メールやその他のサービスを使うための設定をする (手動設定) → POP または IMAP",
        ),
        T::AccountSettings => (
            "POP and IMAP Account Settings",
            "POP と IMAP のアカウント設定",
        ),
        T::YourName => ("Your Name", "名前"),
        T::EmailAddress => ("Email Address", "電子メール アドレス"),
        T::AccountType => ("Account Type", "アカウントの種類"),
        T::IncomingServer => ("Incoming mail server", "受信メール サーバー"),
        T::OutgoingServer => ("Outgoing mail server (SMTP)", "送信メール サーバー (SMTP)"),
        T::UserName => ("User Name", "アカウント名"),
        T::Password => ("Password", "パスワード"),
        T::RememberPassword => ("Remember password", "パスワードを保存する"),
        T::Spa => (
            "Require logon using Secure Password Authentication (SPA)",
            "メール サーバーがセキュリティで保護されたパスワード認証 (SPA) に対応している場合には、チェック ボックスをオンにしてください",
        ),
        T::MoreSettings => ("More Settings…", "詳細設定..."),
        T::OutgoingTab => (
            "Internet E-mail Settings → Outgoing Server",
            "インターネット電子メール設定 → 送信サーバー",
        ),
        T::RequiresAuth => (
            "My outgoing server (SMTP) requires authentication",
            "送信サーバー (SMTP) は認証が必要",
        ),
        T::SameSettings => (
            "Use same settings as my incoming mail server",
            "受信メール サーバーと同じ設定を使用する",
        ),
        T::AdvancedTab => (
            "Internet E-mail Settings → Advanced",
            "インターネット電子メール設定 → 詳細設定",
        ),
        T::IncomingPortImap => ("Incoming server (IMAP)", "受信サーバー (IMAP)"),
        T::IncomingPortPop3 => ("Incoming server (POP3)", "受信サーバー (POP3)"),
        T::OutgoingPort => ("Outgoing server (SMTP)", "送信サーバー (SMTP)"),
        T::EncryptionType => (
            "Use the following type of encrypted connection",
            "使用する暗号化接続の種類",
        ),
        T::PopRequiresSsl => (
            "This server requires an encrypted connection (SSL/TLS)",
            "このサーバーでは暗号化された接続 (SSL/TLS) が必要",
        ),
        T::LeaveCopy => (
            "Leave a copy of messages on the server",
            "サーバーにメッセージのコピーを置く",
        ),
        T::OlderTls => (
            "Outlook 2013 and older list this choice as “TLS”. Never choose “None” for port 587.",
            "Outlook 2013 以前ではこの選択肢は「TLS」です。ポート 587 で「なし」は選ばないでください。",
        ),
        T::None_ => ("None", "なし"),
        T::Ok => ("OK", "OK"),
        T::Next => ("Next", "次へ"),
        T::AddAccountOpen => ("File → Add Account", "ファイル → アカウントの追加"),
        T::AddAccountTitle => ("Add Account", "アカウントの追加"),
        T::Connect => ("Connect", "接続"),
    }
}

fn t(key: T, lang: Lang) -> &'static str {
    let (en, ja) = text(key);
    pick(lang, en, ja)
}

/// Classic Outlook's words under "Use the following type of encrypted connection".
pub(super) fn security(security: Security, lang: Lang) -> String {
    super::security_word(security, ("SSL/TLS", "STARTTLS", t(T::None_, lang)))
}

impl Book for Outlook {
    fn title(&self, lang: Lang) -> &'static str {
        t(T::Title, lang)
    }

    fn follows(&self, lang: Lang) -> &'static str {
        t(T::Follows, lang)
    }

    fn can_use(&self, s: &Setting) -> bool {
        // POP3 has a checkbox for implicit TLS only: no STARTTLS (STLS) there.
        !(s.endpoint.protocol == Protocol::Pop3 && s.endpoint.security == Security::Starttls)
    }

    fn signs_in_with(&self, identity: Identity) -> bool {
        // File → Add Account recognises Gmail (Google sign-in) and Microsoft accounts.
        matches!(identity, Identity::Google | Identity::Microsoft)
    }

    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen> {
        let lang = plan.lang;
        let screen = Screen::new(t(T::AddAccountTitle, lang))
            .open(t(T::AddAccountOpen, lang))
            .field(Field::new(t(T::EmailAddress, lang), plan.email()).at(Spot::Username))
            .then(t(T::Connect, lang))
            .note(
                Level::Info,
                words::fill(W::OAuthWindow, lang, &[("identity", identity.name())]),
            );
        vec![screen]
    }

    fn manual_screens(&self, plan: &Plan) -> Vec<Screen> {
        let lang = plan.lang;
        let mut main = Screen::new(t(T::AccountSettings, lang))
            .open(t(T::OpenManual, lang))
            .field(Field::new(t(T::YourName, lang), plan.your_name()))
            .field(Field::new(t(T::EmailAddress, lang), plan.email()));
        if let Some(s) = plan.incoming {
            let kind = if s.endpoint.protocol == Protocol::Pop3 {
                "POP3"
            } else {
                "IMAP"
            };
            main = main
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
            main = main.field(
                plan.host(t(T::OutgoingServer, lang), s)
                    .at(Spot::OutgoingHost),
            );
        }
        if let Some(s) = plan.incoming.or(plan.outgoing) {
            main =
                main.field(Field::new(t(T::UserName, lang), plan.username(s)).at(Spot::Username));
        }
        main = main
            .field(Field::new(t(T::Password, lang), plan.password()).at(Spot::Password))
            .field(Field::new(t(T::RememberPassword, lang), Entry::Check(true)))
            .field(Field::new(t(T::Spa, lang), Entry::Check(false)))
            .then(t(T::MoreSettings, lang));
        let mut out = vec![main];
        if plan.outgoing.is_some() {
            out.push(
                Screen::new(t(T::OutgoingTab, lang))
                    .field(Field::new(t(T::RequiresAuth, lang), Entry::Check(true)))
                    .field(Field::new(t(T::SameSettings, lang), Entry::Check(true))),
            );
        }
        out.push(advanced(plan));
        out
    }
}

/// The Advanced tab: ports, encryption and (POP3) delivery.
fn advanced(plan: &Plan) -> Screen {
    let lang = plan.lang;
    let mut screen = Screen::new(t(T::AdvancedTab, lang));
    if let Some(s) = plan.incoming {
        if s.endpoint.protocol == Protocol::Pop3 {
            screen = screen
                .field(Field::new(t(T::IncomingPortPop3, lang), plan.port(s)))
                .field(Field::new(
                    t(T::PopRequiresSsl, lang),
                    Entry::Check(s.endpoint.security == Security::Tls),
                ));
        } else {
            screen = screen
                .field(Field::new(t(T::IncomingPortImap, lang), plan.port(s)))
                .field(encryption(plan, s));
        }
    }
    if let Some(s) = plan.outgoing {
        screen = screen
            .field(Field::new(t(T::OutgoingPort, lang), plan.port(s)))
            .field(encryption(plan, s));
    }
    if plan.is_pop3() {
        screen = screen.field(plan.leave_copy(t(T::LeaveCopy, lang)));
    }
    screen.then(format!("{} → {}", t(T::Ok, lang), t(T::Next, lang)))
}

fn encryption(plan: &Plan, s: &Setting) -> Field {
    let lang = plan.lang;
    let mut field = Field::new(
        t(T::EncryptionType, lang),
        Entry::Choose(security(s.endpoint.security, lang)),
    );
    match s.endpoint.security {
        Security::Starttls => field = field.note(Level::Info, t(T::OlderTls, lang)),
        Security::Plain => field.notes.push(plan.plaintext_warning()),
        Security::Tls => {}
    }
    field
}
