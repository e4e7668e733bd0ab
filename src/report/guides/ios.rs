//! Mail on iPhone and iPad, iOS 17 and 18 (iOS 18 puts Mail under Settings → Apps). Apple's
//! Japanese writes サーバ, ユーザ名. The outgoing server's user name and password are marked
//! "Optional" but must be filled in, or iOS sends without authentication and the server
//! refuses the mail. Ports and SSL are set afterwards under the account's Advanced
//! settings (incoming) and SMTP (outgoing); "Use SSL" with port 587 or 143 means STARTTLS.

use super::{Book, Entry, Field, Identity, Level, Plan, Screen, Spot, W, words};
use crate::model::{Lang, Protocol, Security};
use crate::report::labels::pick;
use crate::report::model::Setting;

pub(super) struct Ios;

#[derive(Clone, Copy)]
enum T {
    Title,
    Follows,
    Open,
    OpenOther,
    AddAccount,
    AddMailAccount,
    Name,
    Email,
    Password,
    Description,
    Next,
    NewAccount,
    IncomingServer,
    OutgoingServer,
    HostName,
    UserName,
    OptionalFill,
    Save,
    Advanced,
    OpenAdvanced,
    UseSsl,
    Authentication,
    PasswordChoice,
    ServerPort,
    DeleteFromServer,
    Never,
    Smtp,
    OpenSmtp,
    Done,
    StarttlsBox,
}

fn text(key: T) -> (&'static str, &'static str) {
    match key {
        T::Title => ("iPhone/iPad Mail (iOS)", "iPhone/iPad のメール（iOS）"),
        T::Follows => (
            "iOS and iPadOS 17 and 18 (in iOS 18 Mail is under Settings → Apps).",
            "iOS・iPadOS 17 と 18（iOS 18 では「設定」→「アプリ」の中に「メール」があります）。",
        ),
        T::Open => (
            "Settings → (Apps →) Mail → Mail Accounts → Add Account",
            "設定 → （アプリ →）メール → メールアカウント → アカウントを追加",
        ),
        T::OpenOther => (
            "Settings → (Apps →) Mail → Mail Accounts → Add Account → Other → Add Mail Account",
            "設定 → （アプリ →）メール → メールアカウント → アカウントを追加 → その他 → メールアカウントを追加",
        ),
        T::AddAccount => ("Add Account", "アカウントを追加"),
        T::AddMailAccount => ("Add Mail Account", "メールアカウントを追加"),
        T::Name => ("Name", "名前"),
        T::Email => ("Email", "メール"),
        T::Password => ("Password", "パスワード"),
        T::Description => ("Description", "説明"),
        T::Next => ("Next", "次へ"),
        T::NewAccount => ("New Account", "新規アカウント"),
        T::IncomingServer => ("Incoming Mail Server", "受信メールサーバ"),
        T::OutgoingServer => ("Outgoing Mail Server", "送信メールサーバ"),
        T::HostName => ("Host Name", "ホスト名"),
        T::UserName => ("User Name", "ユーザ名"),
        T::OptionalFill => (
            "Marked “Optional”, but fill it in: without it iPhone sends without authentication and the server refuses the mail.",
            "「オプション」と表示されますが、必ず入力してください。空欄のままだと認証なしで送信され、サーバーに拒否されます。",
        ),
        T::Save => ("Save", "保存"),
        T::Advanced => ("Advanced", "詳細"),
        T::OpenAdvanced => (
            "Settings → (Apps →) Mail → Mail Accounts → (the account) → Account → Advanced",
            "設定 → （アプリ →）メール → メールアカウント → （このアカウント） → アカウント → 詳細",
        ),
        T::UseSsl => ("Use SSL", "SSL を使用"),
        T::Authentication => ("Authentication", "認証"),
        T::PasswordChoice => ("Password", "パスワード"),
        T::ServerPort => ("Server Port", "サーバポート"),
        T::DeleteFromServer => ("Delete from server", "サーバから削除"),
        T::Never => ("Never", "しない"),
        T::Smtp => ("Outgoing Mail Server (SMTP)", "送信メールサーバ（SMTP）"),
        T::OpenSmtp => (
            "Settings → (Apps →) Mail → Mail Accounts → (the account) → Account → SMTP → (primary server)",
            "設定 → （アプリ →）メール → メールアカウント → （このアカウント） → アカウント → SMTP → （プライマリサーバ）",
        ),
        T::Done => ("Done", "完了"),
        T::StarttlsBox => (
            "On: with this port iPhone encrypts with STARTTLS.",
            "オンにします。このポートでは STARTTLS で暗号化されます。",
        ),
    }
}

fn t(key: T, lang: Lang) -> &'static str {
    let (en, ja) = text(key);
    pick(lang, en, ja)
}

/// The "Use SSL" switch: on for TLS and STARTTLS, off only without encryption.
pub(super) fn use_ssl(security: Security) -> bool {
    security != Security::Plain
}

impl Book for Ios {
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
        // Add Account lists iCloud, Microsoft Exchange, Google, Yahoo!, AOL, Outlook.com.
        true
    }

    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen> {
        let lang = plan.lang;
        let choice = match identity {
            Identity::Microsoft => "Outlook.com",
            Identity::Yahoo => "Yahoo!",
            Identity::Aol => "Aol.",
            Identity::Google => "Google",
        };
        vec![
            Screen::new(t(T::AddAccount, lang))
                .open(t(T::Open, lang))
                .field(Field::new(
                    t(T::AddAccount, lang),
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
        let mut out = vec![
            Screen::new(t(T::AddMailAccount, lang))
                .open(t(T::OpenOther, lang))
                .field(Field::new(t(T::Name, lang), plan.your_name()))
                .field(Field::new(t(T::Email, lang), plan.email()))
                .field(Field::new(t(T::Password, lang), plan.password()).at(Spot::Password))
                .field(Field::new(
                    t(T::Description, lang),
                    Entry::Type(plan.report.display_domain.clone()),
                ))
                .then(t(T::Next, lang)),
        ];
        let mut account = Screen::new(t(T::NewAccount, lang));
        if let Some(s) = plan.incoming {
            let kind = if s.endpoint.protocol == Protocol::Pop3 {
                "POP"
            } else {
                "IMAP"
            };
            account = account
                .field(Field::new(
                    t(T::NewAccount, lang),
                    Entry::Choose(kind.into()),
                ))
                .field(
                    plan.host(&section(lang, T::IncomingServer, T::HostName), s)
                        .at(Spot::IncomingHost),
                )
                .field(
                    Field::new(
                        section(lang, T::IncomingServer, T::UserName),
                        plan.username(s),
                    )
                    .at(Spot::Username),
                )
                .field(Field::new(
                    section(lang, T::IncomingServer, T::Password),
                    plan.password(),
                ));
        }
        if let Some(s) = plan.outgoing {
            account = account
                .field(
                    plan.host(&section(lang, T::OutgoingServer, T::HostName), s)
                        .at(Spot::OutgoingHost),
                )
                .field(
                    Field::new(
                        section(lang, T::OutgoingServer, T::UserName),
                        plan.username(s),
                    )
                    .note(Level::Warning, t(T::OptionalFill, lang)),
                )
                .field(Field::new(
                    section(lang, T::OutgoingServer, T::Password),
                    plan.password(),
                ));
        }
        out.push(account.then(format!("{} → {}", t(T::Next, lang), t(T::Save, lang))));
        if let Some(s) = plan.incoming {
            let mut advanced = Screen::new(t(T::Advanced, lang))
                .open(t(T::OpenAdvanced, lang))
                .field(ssl(plan, s))
                .field(auth(lang))
                .field(Field::new(t(T::ServerPort, lang), plan.port(s)));
            if plan.is_pop3() {
                advanced = advanced.field(plan.remove_copy(
                    t(T::DeleteFromServer, lang),
                    Entry::Choose(t(T::Never, lang).into()),
                ));
            }
            out.push(advanced);
        }
        if let Some(s) = plan.outgoing {
            out.push(
                Screen::new(t(T::Smtp, lang))
                    .open(t(T::OpenSmtp, lang))
                    .field(ssl(plan, s))
                    .field(auth(lang))
                    .field(Field::new(t(T::ServerPort, lang), plan.port(s)))
                    .then(t(T::Done, lang)),
            );
        }
        out
    }
}

/// "Incoming Mail Server › Host Name": the screen groups fields under two headings.
fn section(lang: Lang, heading: T, field: T) -> String {
    format!("{} › {}", t(heading, lang), t(field, lang))
}

fn ssl(plan: &Plan, s: &Setting) -> Field {
    let lang = plan.lang;
    let mut field = Field::new(
        t(T::UseSsl, lang),
        Entry::Check(use_ssl(s.endpoint.security)),
    );
    match s.endpoint.security {
        Security::Starttls => field = field.note(Level::Info, t(T::StarttlsBox, lang)),
        Security::Plain => field.notes.push(plan.plaintext_warning()),
        Security::Tls => {}
    }
    field
}

fn auth(lang: Lang) -> Field {
    Field::new(
        t(T::Authentication, lang),
        Entry::Choose(t(T::PasswordChoice, lang).into()),
    )
}
