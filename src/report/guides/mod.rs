//! Client guides: the settings of a report as one mail client asks for them — its screens
//! in its own order, each field under the client's own label (English or Japanese), with
//! exactly what to type or choose, and the notes and findings at the step where they
//! matter.
//!
//! The model ([`Guide`] → [`Screen`] → [`Field`] → [`Entry`]) is built once from the
//! [`Report`] by [`guide`]; the text renderer ([`text::ClientGuide`]) and the HTML sheet
//! (`report::html`) only lay it out. Each client lives in its own file with its labels as
//! a data table and its screen order; this file holds what every client shares: which
//! settings to use, how the user signs in, and where each note goes.

mod android;
mod apple_mail;
mod ios;
mod new_outlook;
mod outlook;
pub mod text;
mod thunderbird;
mod windows_mail;
mod words;

use crate::findings::{Finding, Severity};
use crate::model::{AuthMethod, Lang, NoteStep, Protocol, Security};
use crate::report::clean;
use crate::report::findings_text;
use crate::report::labels::{self, Label, label};
use crate::report::model::{Mode, Report, Setting, Verification};
use words::W;

/// The mail clients mailcfg writes guides for. The CLI names ([`Client::name`]) are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// Thunderbird for Windows, macOS and Linux.
    Thunderbird,
    /// Classic Outlook for Windows (2016, 2019, 2021, Microsoft 365).
    Outlook,
    /// The new Outlook for Windows.
    NewOutlook,
    /// The Mail app of Windows 10/11.
    WindowsMail,
    /// Mail on macOS.
    AppleMail,
    /// Mail on iPhone and iPad (iOS 17 and 18).
    Ios,
    /// The Gmail app on Android, with an "Other" account.
    Android,
}

impl Client {
    pub const ALL: [Client; 7] = [
        Client::Thunderbird,
        Client::Outlook,
        Client::NewOutlook,
        Client::WindowsMail,
        Client::AppleMail,
        Client::Ios,
        Client::Android,
    ];

    /// The name on the command line (`--client NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Client::Thunderbird => "thunderbird",
            Client::Outlook => "outlook",
            Client::NewOutlook => "new-outlook",
            Client::WindowsMail => "windows-mail",
            Client::AppleMail => "apple-mail",
            Client::Ios => "ios",
            Client::Android => "android",
        }
    }

    /// The client by its command-line name.
    pub fn from_name(name: &str) -> Option<Client> {
        Client::ALL.into_iter().find(|c| c.name() == name)
    }

    fn book(self) -> &'static dyn Book {
        match self {
            Client::Thunderbird => &thunderbird::Thunderbird,
            Client::Outlook => &outlook::Outlook,
            Client::NewOutlook => &new_outlook::NewOutlook,
            Client::WindowsMail => &windows_mail::WindowsMail,
            Client::AppleMail => &apple_mail::AppleMail,
            Client::Ios => &ios::Ios,
            Client::Android => &android::Android,
        }
    }

    /// The client's name for people ("Outlook (classic)").
    pub fn title(self, lang: Lang) -> &'static str {
        self.book().title(lang)
    }
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

/// One client's guide for one report, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    pub client: Client,
    pub lang: Lang,
    /// "Thunderbird — taro@example.jp (Example Net)".
    pub heading: String,
    /// Which version of the client the labels follow.
    pub follows: String,
    /// What to know or do before the first screen (mode, errors, general findings).
    pub before: Vec<Notice>,
    /// The screens, in the client's order.
    pub screens: Vec<Screen>,
}

/// One screen (or dialog, or tab) of the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    /// The screen's own title, as the client shows it.
    pub title: String,
    /// How to get there ("File → Add Account"), in the client's words.
    pub open: Option<String>,
    /// In the order the client shows them.
    pub fields: Vec<Field>,
    pub notes: Vec<Notice>,
    /// The button to press when done, in the client's words.
    pub then: Option<String>,
}

/// One field, under the client's own label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub entry: Entry,
    pub notes: Vec<Notice>,
    /// Where the shared notes (findings, provider notes) about this field attach.
    spot: Option<Spot>,
}

/// What to do with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Type exactly this.
    Type(String),
    /// Type something only the user knows; the text says what ("your password").
    Own(String),
    /// Choose this option, in the client's own words.
    Choose(String),
    /// A checkbox or switch: on or off.
    Check(bool),
}

/// A note at a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
}

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    /// The client cannot do what the settings need; the text says what to do instead.
    Cannot,
}

impl Notice {
    fn new(level: Level, text: impl Into<String>) -> Notice {
        Notice {
            level,
            text: clean(&text.into()),
        }
    }
}

impl Field {
    fn new(label: impl Into<String>, entry: Entry) -> Field {
        Field {
            label: label.into(),
            entry,
            notes: Vec::new(),
            spot: None,
        }
    }

    /// Mark where the shared notes about `spot` attach.
    fn at(mut self, spot: Spot) -> Field {
        self.spot = Some(spot);
        self
    }

    fn note(mut self, level: Level, text: impl Into<String>) -> Field {
        self.notes.push(Notice::new(level, text));
        self
    }
}

impl Screen {
    fn new(title: impl Into<String>) -> Screen {
        Screen {
            title: title.into(),
            open: None,
            fields: Vec::new(),
            notes: Vec::new(),
            then: None,
        }
    }

    fn open(mut self, path: impl Into<String>) -> Screen {
        self.open = Some(path.into());
        self
    }

    fn field(mut self, field: Field) -> Screen {
        self.fields.push(field);
        self
    }

    fn then(mut self, button: impl Into<String>) -> Screen {
        self.then = Some(button.into());
        self
    }

    fn note(mut self, level: Level, text: impl Into<String>) -> Screen {
        self.notes.push(Notice::new(level, text));
        self
    }
}

/// The field a shared note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spot {
    IncomingHost,
    OutgoingHost,
    Username,
    Password,
    /// Whichever of the user name and the password comes first.
    SignIn,
}

// ---------------------------------------------------------------------------------------
// What every client shares: the plan
// ---------------------------------------------------------------------------------------

/// An account that signs in with OAuth2 through a client's built-in button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Identity {
    Google,
    Microsoft,
    Yahoo,
    Aol,
}

impl Identity {
    /// The identity of a provider-table entry (by its id: the table is the one place that
    /// says which provider an address belongs to).
    fn of_provider(id: &str) -> Option<Identity> {
        Some(match id {
            "gmail" => Identity::Google,
            "outlook" | "microsoft365" => Identity::Microsoft,
            "yahoo" => Identity::Yahoo,
            "aol" => Identity::Aol,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Identity::Google => "Google",
            Identity::Microsoft => "Microsoft",
            Identity::Yahoo => "Yahoo",
            Identity::Aol => "AOL",
        }
    }
}

/// How the user proves who they are, for the whole account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignIn {
    Password,
    /// A challenge-response mechanism (Thunderbird's "Encrypted password").
    EncryptedPassword,
    /// A password generated for mail apps; the account password is refused.
    AppPassword,
    /// OAuth2 sign-in in a browser window; `app_password` when an app password works too.
    OAuth2 {
        app_password: bool,
    },
}

impl SignIn {
    fn of(auth: &[AuthMethod]) -> SignIn {
        if auth.contains(&AuthMethod::OAuth2) {
            return SignIn::OAuth2 {
                app_password: auth.contains(&AuthMethod::AppPassword),
            };
        }
        match auth.first() {
            Some(AuthMethod::AppPassword) => SignIn::AppPassword,
            Some(AuthMethod::PasswordEncrypted) => SignIn::EncryptedPassword,
            _ => SignIn::Password,
        }
    }
}

/// What one client can do, and its screens. One implementation per client file.
trait Book: Sync {
    fn title(&self, lang: Lang) -> &'static str;
    /// Which version the labels follow (a line in every guide).
    fn follows(&self, lang: Lang) -> &'static str;
    /// Whether the client can use this setting at all (protocol, security).
    fn can_use(&self, setting: &Setting) -> bool;
    /// Whether the client offers a built-in OAuth2 sign-in for `identity`.
    fn signs_in_with(&self, identity: Identity) -> bool;
    /// The screens of the built-in sign-in for `identity`.
    fn oauth_screens(&self, plan: &Plan, identity: Identity) -> Vec<Screen>;
    /// The screens of a manual setup with the plan's settings.
    fn manual_screens(&self, plan: &Plan) -> Vec<Screen>;
    /// Whether the manual setup is another path than the OAuth2 sign-in (so that it is
    /// shown as the app-password alternative); Thunderbird signs in from the same screens.
    fn manual_is_separate(&self) -> bool {
        true
    }
}

/// The manual screens, marked as the app-password alternative to the OAuth2 sign-in in
/// the first `oauth_steps` steps.
fn alternative(
    plan: &Plan,
    book: &dyn Book,
    identity: Identity,
    oauth_steps: usize,
) -> Vec<Screen> {
    let mut screens = book.manual_screens(plan);
    if let Some(first) = screens.first_mut() {
        let lang = plan.lang;
        first.title = format!("{}{}", plan.w(W::AlternativePrefix), first.title);
        let last = oauth_steps.to_string();
        first.notes.insert(
            0,
            Notice::new(
                Level::Info,
                words::fill(
                    W::AppPasswordAlternative,
                    lang,
                    &[("identity", identity.name()), ("last", &last)],
                ),
            ),
        );
    }
    screens
}

/// Everything a client file needs to build its screens.
pub(crate) struct Plan<'a> {
    pub report: &'a Report,
    pub lang: Lang,
    pub incoming: Option<&'a Setting>,
    pub outgoing: Option<&'a Setting>,
    pub sign_in: SignIn,
}

impl Plan<'_> {
    fn w(&self, key: W) -> &'static str {
        words::text(key, self.lang)
    }

    fn email(&self) -> Entry {
        Entry::Type(clean(&self.report.email))
    }

    fn host(&self, field_label: &str, setting: &Setting) -> Field {
        let mut field = Field::new(field_label, Entry::Type(clean(&setting.endpoint.host)));
        if setting.display_host != setting.endpoint.host {
            field = field.note(
                Level::Info,
                words::fill(
                    W::SameHostUnicode,
                    self.lang,
                    &[("host", &setting.display_host)],
                ),
            );
        }
        field
    }

    fn port(&self, setting: &Setting) -> Entry {
        Entry::Type(setting.endpoint.port.to_string())
    }

    /// The user name to type for `setting`.
    fn username(&self, setting: &Setting) -> Entry {
        match &setting.username {
            Some(name) => Entry::Type(clean(name)),
            None => Entry::Own(label(Label::UsernameProviderAssigned, self.lang).to_string()),
        }
    }

    /// What goes into the password field.
    fn password(&self) -> Entry {
        Entry::Own(
            self.w(match self.sign_in {
                SignIn::AppPassword | SignIn::OAuth2 { .. } => W::AppPasswordValue,
                SignIn::Password | SignIn::EncryptedPassword => W::PasswordValue,
            })
            .to_string(),
        )
    }

    fn your_name(&self) -> Entry {
        Entry::Own(self.w(W::YourNameValue).to_string())
    }

    fn is_pop3(&self) -> bool {
        self.incoming
            .is_some_and(|s| s.endpoint.protocol == Protocol::Pop3)
    }

    /// The "leave a copy on the server" recommendation, for a client's own label.
    fn leave_copy(&self, field_label: &str) -> Field {
        Field::new(field_label, Entry::Check(true)).note(Level::Info, self.w(W::LeaveCopyWhy))
    }

    /// The same recommendation for a client that asks the other way round ("remove from
    /// the server"): `entry` is the client's "never" / off.
    fn remove_copy(&self, field_label: &str, entry: Entry) -> Field {
        Field::new(field_label, entry).note(Level::Info, self.w(W::RemoveCopyWhy))
    }

    /// The word a client uses for "no encryption", with the warning that goes with it.
    fn plaintext_warning(&self) -> Notice {
        Notice::new(Level::Warning, self.w(W::PlaintextWarning))
    }
}

/// The guide for `client` to the settings in `report`, in `lang`.
pub fn guide(report: &Report, client: Client, lang: Lang) -> Guide {
    let book = client.book();
    let mut before = mode_notices(report, lang);
    let heading = heading(report, client, lang);
    let follows = book.follows(lang).to_string();
    let sign_in = SignIn::of(
        report
            .recommended_incoming()
            .or(report.recommended_outgoing())
            .map(|s| s.auth.as_slice())
            .unwrap_or(&[]),
    );
    let identity = report
        .provider
        .as_ref()
        .and_then(|p| Identity::of_provider(&p.id));

    let (incoming, outgoing) = usable(report, book, lang, &mut before);
    let plan = Plan {
        report,
        lang,
        incoming,
        outgoing,
        sign_in,
    };
    let mut screens = Vec::new();
    // Said after the diagnosis, which comes first.
    let mut after = Vec::new();
    let found_in = report.recommended_incoming().is_some();
    let found_out = report.recommended_outgoing().is_some();
    let domain = [("domain", report.display_domain.as_str())];
    if !found_in {
        after.push(Notice::new(
            Level::Cannot,
            labels::fill(Label::NoIncoming, lang, &domain),
        ));
    }
    if !found_out {
        after.push(Notice::new(
            Level::Cannot,
            labels::fill(Label::NoOutgoing, lang, &domain),
        ));
    }
    if !(found_in && found_out) {
        let next = if report.findings.is_empty() {
            Label::NextSteps
        } else {
            Label::NextStepsDiagnosed
        };
        after.push(Notice::new(Level::Info, label(next, lang)));
    }
    if incoming.is_none() && outgoing.is_none() {
    } else {
        screens = match (sign_in, identity) {
            (SignIn::OAuth2 { app_password }, Some(id)) if book.signs_in_with(id) => {
                let mut screens = book.oauth_screens(&plan, id);
                if app_password && book.manual_is_separate() {
                    screens.extend(alternative(&plan, book, id, screens.len()));
                }
                screens
            }
            (SignIn::OAuth2 { app_password }, id) => {
                let name = id.map(Identity::name).unwrap_or("OAuth2");
                if app_password {
                    before.push(Notice::new(
                        Level::Info,
                        words::fill(
                            W::NoOAuthUseAppPassword,
                            lang,
                            &[("client", book.title(lang)), ("identity", name)],
                        ),
                    ));
                    book.manual_screens(&plan)
                } else {
                    before.push(no_oauth(client, id, lang));
                    Vec::new()
                }
            }
            _ => book.manual_screens(&plan),
        };
    }
    let mut guide = Guide {
        client,
        lang,
        heading,
        follows,
        before,
        screens,
    };
    attach_notes(&mut guide, &plan);
    guide.before.extend(after);
    guide
}

/// The first recommendable incoming and outgoing settings this client can use; when the
/// best one is beyond the client, say so before the first screen.
fn usable<'a>(
    report: &'a Report,
    book: &dyn Book,
    lang: Lang,
    before: &mut Vec<Notice>,
) -> (Option<&'a Setting>, Option<&'a Setting>) {
    let mut pick = |list: &'a [Setting], best: Option<&'a Setting>| -> Option<&'a Setting> {
        let best = best?;
        if book.can_use(best) {
            return Some(best);
        }
        let other = list
            .iter()
            .filter(|s| s.recommendable(report.mode) && book.can_use(s))
            .find(|s| s.endpoint.protocol.direction() == best.endpoint.protocol.direction());
        let what = describe(best, lang);
        let text = match other {
            Some(o) => words::fill(
                W::CannotUseTakeOther,
                lang,
                &[
                    ("client", book.title(lang)),
                    ("setting", &what),
                    ("other", &describe(o, lang)),
                ],
            ),
            None => words::fill(
                W::CannotUseAny,
                lang,
                &[("client", book.title(lang)), ("setting", &what)],
            ),
        };
        before.push(Notice::new(Level::Cannot, text));
        other
    };
    let incoming = pick(&report.incoming, report.recommended_incoming());
    let outgoing = pick(&report.outgoing, report.recommended_outgoing());
    (incoming, outgoing)
}

/// "IMAP imap.example.jp:993 (SSL/TLS)".
fn describe(s: &Setting, lang: Lang) -> String {
    format!(
        "{} {}:{}{}",
        s.endpoint.protocol,
        clean(&s.endpoint.host),
        s.endpoint.port,
        labels::parenthesised(labels::security(s.endpoint.security, lang), lang)
    )
}

/// The client has no OAuth2 sign-in for an OAuth2-only provider: which clients have one.
fn no_oauth(client: Client, identity: Option<Identity>, lang: Lang) -> Notice {
    let name = identity.map(Identity::name).unwrap_or("OAuth2");
    let others: Vec<&str> = Client::ALL
        .into_iter()
        .filter(|c| identity.is_some_and(|id| c.book().signs_in_with(id)))
        .map(|c| c.title(lang))
        .collect();
    let others = if others.is_empty() {
        "—".to_string()
    } else {
        others.join(labels::list_separator(lang))
    };
    Notice::new(
        Level::Cannot,
        words::fill(
            W::NoOAuthNoPassword,
            lang,
            &[
                ("client", client.title(lang)),
                ("identity", name),
                ("others", &others),
            ],
        ),
    )
}

fn heading(report: &Report, client: Client, lang: Lang) -> String {
    let mut line = format!("{} — {}", client.title(lang), clean(&report.email));
    if let Some(p) = &report.provider {
        let name = match lang {
            Lang::Ja => p.name_ja.as_deref().unwrap_or(&p.name),
            Lang::En => &p.name,
        };
        line.push_str(&labels::parenthesised(&clean(name), lang));
    }
    line
}

fn mode_notices(report: &Report, lang: Lang) -> Vec<Notice> {
    let mut out = Vec::new();
    match report.mode {
        Mode::Offline => out.push(Notice::new(Level::Info, label(Label::ModeOffline, lang))),
        Mode::NoProbe => out.push(Notice::new(Level::Info, label(Label::ModeNoProbe, lang))),
        Mode::Full => {}
    }
    out
}

// ---------------------------------------------------------------------------------------
// Notes at the step where they matter
// ---------------------------------------------------------------------------------------

/// Attach findings, confirmations, certificate warnings and provider notes to the field
/// they are about; what has no field in this guide goes before the first screen.
fn attach_notes(guide: &mut Guide, plan: &Plan) {
    let lang = plan.lang;
    let mut pending: Vec<(Option<Spot>, Notice)> = Vec::new();
    for (spot, setting) in [
        (Spot::IncomingHost, plan.incoming),
        (Spot::OutgoingHost, plan.outgoing),
    ] {
        let Some(s) = setting else { continue };
        if let Some(c) = &s.confirm {
            let text = findings_text::confirmation(c, lang);
            pending.push((Some(spot), Notice::new(Level::Warning, text)));
        }
        if let Verification::UntrustedCertificate { .. } = s.verification {
            let text = label(Label::UntrustedCertificateLong, lang);
            pending.push((Some(spot), Notice::new(Level::Warning, text)));
        }
    }
    for f in &plan.report.findings {
        let Some(spot) = finding_spot(f, plan) else {
            continue;
        };
        if matches!(f, Finding::PlaintextOnly { .. }) && spot.is_some() {
            // The client's own security field carries the warning.
            continue;
        }
        let words = findings_text::finding(f, lang);
        let level = match f.severity() {
            Severity::Error => Level::Cannot,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Info,
        };
        let text = match lang {
            Lang::En => format!("{} {}", words.what, words.next),
            Lang::Ja => format!("{}{}", words.what, words.next),
        };
        pending.push((spot, Notice::new(level, text)));
    }
    for note in &plan.report.notes {
        let spot = match note.step {
            Some(NoteStep::Before) => None,
            Some(NoteStep::Incoming) => Some(Spot::IncomingHost),
            Some(NoteStep::Outgoing) => Some(Spot::OutgoingHost),
            Some(NoteStep::SignIn) | None => Some(Spot::SignIn),
        };
        pending.push((spot, Notice::new(Level::Info, note.text(lang))));
    }
    for (spot, notice) in pending {
        let target = spot.and_then(|spot| resolve(&guide.screens, spot));
        match target {
            Some((i, j)) => {
                let notes = &mut guide.screens[i].fields[j].notes;
                if !notes.contains(&notice) {
                    notes.push(notice);
                }
            }
            None if !guide.before.contains(&notice) => guide.before.push(notice),
            None => {}
        }
    }
}

/// The screen and field index of the first field marked `spot`.
fn field_at(screens: &[Screen], spot: Spot) -> Option<(usize, usize)> {
    first_of(screens, &[spot])
}

/// The first field marked with any of `spots`, in the guide's order.
fn first_of(screens: &[Screen], spots: &[Spot]) -> Option<(usize, usize)> {
    screens.iter().enumerate().find_map(|(i, s)| {
        s.fields
            .iter()
            .position(|f| f.spot.is_some_and(|spot| spots.contains(&spot)))
            .map(|j| (i, j))
    })
}

/// Where a note about `spot` goes. A provider's notes (how to sign in, which password)
/// go to the first sign-in field, user name or password; a user-name note falls back to
/// the password and the other way round (an OAuth2 sign-in has no password field).
fn resolve(screens: &[Screen], spot: Spot) -> Option<(usize, usize)> {
    match spot {
        Spot::SignIn => first_of(screens, &[Spot::Username, Spot::Password]),
        Spot::Password => field_at(screens, spot).or_else(|| field_at(screens, Spot::Username)),
        Spot::Username => field_at(screens, spot).or_else(|| field_at(screens, Spot::Password)),
        _ => field_at(screens, spot),
    }
}

/// Where a finding belongs: `Some(None)` before the first screen, `Some(Some(spot))` at a
/// field, `None` nowhere (it is about a setting this guide does not use).
fn finding_spot(f: &Finding, plan: &Plan) -> Option<Option<Spot>> {
    if let Finding::ProviderAssignedUsername { .. } = f {
        return Some(Some(Spot::Username));
    }
    let places = f.endpoints();
    if places.is_empty() || f.severity() == Severity::Error {
        return Some(None);
    }
    let at = |s: Option<&Setting>| {
        s.is_some_and(|s| {
            places.iter().any(|p| {
                (p.protocol, p.host.as_str(), p.port)
                    == (
                        s.endpoint.protocol,
                        s.endpoint.host.as_str(),
                        s.endpoint.port,
                    )
            })
        })
    };
    // About a direction the guide has no setting for: it explains the gap, up front.
    let unset = places.iter().any(|p| match p.protocol.direction() {
        crate::model::Direction::Incoming => plan.incoming.is_none(),
        crate::model::Direction::Outgoing => plan.outgoing.is_none(),
    });
    if at(plan.incoming) {
        Some(Some(Spot::IncomingHost))
    } else if at(plan.outgoing) || matches!(f, Finding::Port25Blocked { .. }) {
        Some(Some(Spot::OutgoingHost))
    } else if unset {
        Some(None)
    } else {
        None
    }
}

/// The words a client shows for a security choice: (TLS, STARTTLS, none). Each client
/// passes its own; 587 (STARTTLS) can never come out as the "none" word.
pub(crate) fn security_word(security: Security, words: (&str, &str, &str)) -> String {
    match security {
        Security::Tls => words.0.to_string(),
        Security::Starttls => words.1.to_string(),
        Security::Plain => words.2.to_string(),
    }
}

#[cfg(test)]
mod tests;
