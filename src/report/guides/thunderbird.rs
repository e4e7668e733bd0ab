//! Thunderbird (desktop). The labels are Thunderbird 153 ESR's own, read from Debian's
//! packages: English from `thunderbird`'s omni.ja, Japanese from `thunderbird-l10n-ja`'s
//! langpack (.xpi) — `localization/*/messenger/accountcreation/accountHub.ftl` (the Account
//! Hub, Thunderbird's account setup since 128), `messenger/appmenu.ftl` (≡ menu),
//! `chrome/*/messenger/am-server-top.dtd` (Server Settings) and `messenger.dtd`.
//! The field order is the Account Hub's templates in `messenger.xhtml`.

use super::{Book, Entry, Field, Identity, Level, Plan, Screen, SignIn, Spot, W, words};
use crate::model::{Lang, Protocol, Security};
use crate::report::labels::pick;
use crate::report::model::Setting;

pub(super) struct Thunderbird;

#[derive(Clone, Copy)]
enum T {
    Title,
    Follows,
    OpenAddAccount,
    AddEmailTitle,
    FullName,
    EmailAddress,
    ConfigureManually,
    IncomingTitle,
    OutgoingTitle,
    Protocol,
    Hostname,
    Port,
    ConnectionSecurity,
    NoEncryption,
    AuthMethod,
    NormalPassword,
    EncryptedPassword,
    Username,
    Continue,
    PasswordTitle,
    Password,
    RememberPassword,
    ServerSettings,
    OpenServerSettings,
    LeaveOnServer,
    Ok,
}

/// (English, Japanese), as Thunderbird 153 shows them.
fn text(key: T) -> (&'static str, &'static str) {
    match key {
        T::Title => ("Thunderbird", "Thunderbird"),
        T::Follows => (
            "Thunderbird 128–153 ESR (Account Hub), labels as shipped in Thunderbird 153 ESR.",
            "Thunderbird 128〜153 ESR（アカウントハブ）。表記は Thunderbird 153 ESR 日本語版のものです。",
        ),
        // appmenu-add-account-panel, appmenu-new-email-account
        T::OpenAddAccount => ("≡ → Add Account → Email", "≡ → アカウントを追加 → メール"),
        // account-hub-email-setup-header
        T::AddEmailTitle => ("Add your email address", "メールアドレスの追加"),
        T::FullName => ("Full name", "氏名"),
        T::EmailAddress => ("Email address", "メールアドレス"),
        T::ConfigureManually => ("Configure Manually", "手動設定"),
        T::IncomingTitle => ("Incoming server settings", "受信サーバー設定"),
        T::OutgoingTitle => ("Outgoing server settings", "送信サーバー設定"),
        T::Protocol => ("Protocol", "プロトコル"),
        T::Hostname => ("Hostname", "ホスト名"),
        T::Port => ("Port", "ポート番号"),
        T::ConnectionSecurity => ("Connection security", "接続の保護"),
        T::NoEncryption => ("None", "なし"),
        T::AuthMethod => ("Authentication method", "認証方式"),
        T::NormalPassword => ("Normal password", "通常のパスワード認証"),
        T::EncryptedPassword => ("Encrypted password", "暗号化されたパスワード認証"),
        T::Username => ("Username", "ユーザー名"),
        T::Continue => ("Continue", "続ける"),
        T::PasswordTitle => (
            "Enter your email account password",
            "メールアカウントのパスワードを入力してください",
        ),
        T::Password => ("Password", "パスワード"),
        T::RememberPassword => ("Remember password", "パスワードを記憶する"),
        // accountManagerCmd2 → prefPanel-server
        T::ServerSettings => ("Server Settings", "サーバー設定"),
        T::OpenServerSettings => (
            "≡ → Account Settings → (the account) → Server Settings",
            "≡ → アカウント設定 → （このアカウント） → サーバー設定",
        ),
        T::LeaveOnServer => (
            "Leave messages on server",
            "ダウンロード後もサーバーにメッセージを残す",
        ),
        T::Ok => ("OK", "OK"),
    }
}

fn t(key: T, lang: Lang) -> &'static str {
    let (en, ja) = text(key);
    pick(lang, en, ja)
}

/// Thunderbird's words under "Connection security".
pub(super) fn security(security: Security, lang: Lang) -> String {
    super::security_word(security, ("SSL/TLS", "STARTTLS", t(T::NoEncryption, lang)))
}

impl Book for Thunderbird {
    fn title(&self, lang: Lang) -> &'static str {
        t(T::Title, lang)
    }

    fn follows(&self, lang: Lang) -> &'static str {
        t(T::Follows, lang)
    }

    fn can_use(&self, _setting: &Setting) -> bool {
        true
    }

    fn signs_in_with(&self, _identity: Identity) -> bool {
        // Thunderbird's OAuth2 provider list includes Google, Microsoft, Yahoo and AOL.
        true
    }

    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen> {
        screens(plan, Some(identity))
    }

    fn manual_screens(&self, plan: &Plan) -> Vec<Screen> {
        screens(plan, None)
    }

    fn manual_is_separate(&self) -> bool {
        false
    }
}

fn screens(plan: &Plan, oauth: Option<Identity>) -> Vec<Screen> {
    let lang = plan.lang;
    let mut out = vec![
        Screen::new(t(T::AddEmailTitle, lang))
            .open(t(T::OpenAddAccount, lang))
            .field(Field::new(t(T::FullName, lang), plan.your_name()))
            .field(Field::new(t(T::EmailAddress, lang), plan.email()))
            .then(t(T::ConfigureManually, lang)),
    ];
    if let Some(s) = plan.incoming {
        let protocol = match s.endpoint.protocol {
            Protocol::Pop3 => "POP3",
            _ => "IMAP",
        };
        out.push(
            server_screen(plan, T::IncomingTitle, s, oauth, Spot::IncomingHost).field_first(
                Field::new(t(T::Protocol, lang), Entry::Choose(protocol.into())),
            ),
        );
    }
    if let Some(s) = plan.outgoing {
        out.push(server_screen(
            plan,
            T::OutgoingTitle,
            s,
            oauth,
            Spot::OutgoingHost,
        ));
    }
    if oauth.is_none() {
        out.push(
            Screen::new(t(T::PasswordTitle, lang))
                .field(Field::new(t(T::Password, lang), plan.password()).at(Spot::Password))
                .field(Field::new(t(T::RememberPassword, lang), Entry::Check(true)))
                .then(t(T::Continue, lang)),
        );
    }
    if plan.is_pop3() {
        out.push(
            Screen::new(t(T::ServerSettings, lang))
                .open(t(T::OpenServerSettings, lang))
                .field(plan.leave_copy(t(T::LeaveOnServer, lang)))
                .then(t(T::Ok, lang)),
        );
    }
    out
}

fn server_screen(
    plan: &Plan,
    title: T,
    s: &Setting,
    oauth: Option<Identity>,
    spot: Spot,
) -> Screen {
    let lang = plan.lang;
    let auth = match (oauth, plan.sign_in) {
        (Some(_), _) => "OAuth2",
        (None, SignIn::EncryptedPassword) => t(T::EncryptedPassword, lang),
        (None, _) => t(T::NormalPassword, lang),
    };
    let mut auth_field = Field::new(t(T::AuthMethod, lang), Entry::Choose(auth.into()));
    if let Some(id) = oauth {
        auth_field = auth_field.note(
            Level::Info,
            words::fill(W::OAuthWindow, lang, &[("identity", id.name())]),
        );
    }
    let mut security_field = Field::new(
        t(T::ConnectionSecurity, lang),
        Entry::Choose(security(s.endpoint.security, lang)),
    );
    if s.endpoint.security == Security::Plain {
        security_field.notes.push(plan.plaintext_warning());
    }
    Screen::new(t(title, lang))
        .field(plan.host(t(T::Hostname, lang), s).at(spot))
        .field(Field::new(t(T::Port, lang), plan.port(s)))
        .field(security_field)
        .field(auth_field)
        .field(Field::new(t(T::Username, lang), plan.username(s)).at(Spot::Username))
        .then(t(T::Continue, lang))
}

impl Screen {
    /// Put `field` before the others (Thunderbird asks for the protocol first).
    fn field_first(mut self, field: Field) -> Screen {
        self.fields.insert(0, field);
        self
    }
}
