//! What one login attempt came to, and how a server's reply is read into it.
//!
//! [`classify_reply`] is pure (a parsed [`LoginReply`] in, a [`LoginOutcome`] out) so the
//! fuzzer can call it; the parsers that make a `LoginReply` from lines are in the protocol
//! modules (`probe::imap::parse_login_reply`, …). Wording lives in `report::check_text`.

use super::trust::Refusal;
use crate::model::AuthMethod;
use crate::probe::login::LoginReply;
use crate::probe::outcome::{EndpointReport, Outcome};
use serde::Serialize;

/// The classified result of one login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The server accepted the user name and password.
    Ok,
    /// The server refused the user name or the password.
    WrongCredentials,
    /// The provider refuses the account password from mail programs: it wants an app
    /// password or an OAuth 2.0 sign-in.
    AppPasswordOrOauth { evidence: Evidence },
    /// The account is disabled or locked, or IMAP / POP / SMTP AUTH is not enabled for it.
    AccountDisabled,
    /// The server offered no mechanism mailcfg can send a password with.
    MechanismNotOffered { offered: Vec<String> },
    /// The server said to try again later (busy, temporarily unavailable, mailbox in use).
    TryLater,
    /// The server refused for a reason its reply does not make recognisable.
    Rejected,
    /// TLS could not be established (handshake failed, STARTTLS refused or broken).
    TlsFailure,
    /// The server could not be reached, or did not speak the protocol.
    Unreachable { outcome: Outcome },
    /// The trust rule forbade sending the password.
    RefusedByPolicy { refusal: Refusal },
}

/// What says the provider wants an app password or OAuth 2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The server's reply said so (Gmail, Outlook.com, Yahoo, iCloud word it so).
    ServerReply,
    /// The login was refused, and the provider table says the account password is not
    /// accepted from mail programs.
    ProviderTable,
    /// The server offers only OAuth 2.0 mechanisms (XOAUTH2, OAUTHBEARER).
    OnlyOauthOffered,
}

/// How an outcome counts for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    LoggedIn,
    /// The server tested the credentials and said no.
    LoginRejected,
    /// The trust rule stopped the test.
    Refused,
    /// The credentials could not be tested.
    NotTested,
}

impl LoginOutcome {
    /// The stable keyword scripts see.
    pub fn as_str(&self) -> &'static str {
        match self {
            LoginOutcome::Ok => "ok",
            LoginOutcome::WrongCredentials => "wrong-credentials",
            LoginOutcome::AppPasswordOrOauth { .. } => "app-password-or-oauth",
            LoginOutcome::AccountDisabled => "account-disabled",
            LoginOutcome::MechanismNotOffered { .. } => "mechanism-not-offered",
            LoginOutcome::TryLater => "try-later",
            LoginOutcome::Rejected => "rejected",
            LoginOutcome::TlsFailure => "tls-failure",
            LoginOutcome::Unreachable { .. } => "unreachable",
            LoginOutcome::RefusedByPolicy { .. } => "refused-by-policy",
        }
    }

    pub fn verdict(&self) -> Verdict {
        match self {
            LoginOutcome::Ok => Verdict::LoggedIn,
            LoginOutcome::WrongCredentials
            | LoginOutcome::AppPasswordOrOauth { .. }
            | LoginOutcome::AccountDisabled
            | LoginOutcome::Rejected => Verdict::LoginRejected,
            LoginOutcome::RefusedByPolicy { .. } => Verdict::Refused,
            LoginOutcome::MechanismNotOffered { .. }
            | LoginOutcome::TryLater
            | LoginOutcome::TlsFailure
            | LoginOutcome::Unreachable { .. } => Verdict::NotTested,
        }
    }
}

/// Phrases (lower case) by which providers say the account password is not accepted
/// from mail programs.
const APP_PASSWORD_PHRASES: &[&str] = &[
    // Gmail: "534-5.7.9 Application-specific password required", IMAP "[ALERT]
    // Application-specific password required".
    "application-specific password",
    "application specific password",
    "app password",
    "app-specific password",
    // Gmail "534-5.7.14 Please log in via your web browser", Yahoo "[ALERT] Please log in
    // via your web browser".
    "web browser",
    "web login required",
    // Outlook.com / Microsoft 365: "basic authentication is disabled".
    "basic authentication is disabled",
    "basicauthblocked",
    "oauth",
];

/// Phrases (lower case) for a disabled account, or a protocol not enabled for it.
const DISABLED_PHRASES: &[&str] = &[
    "not enabled for imap",
    "imap access is disabled",
    "imap use",
    "not enabled for pop",
    "pop access is disabled",
    "pop3 access is disabled",
    "smtpclientauthentication is disabled",
    "smtp auth is disabled",
    "account is disabled",
    "account disabled",
    "account has been disabled",
    "account is locked",
    "account suspended",
    "account has been suspended",
];

/// Read a login reply. Provider wordings first (they arrive on ordinary failure codes:
/// Gmail's app-password alert comes with `[AUTHENTICATIONFAILED]`), then the protocols'
/// response codes, then the bare status.
pub fn classify_reply(reply: &LoginReply) -> LoginOutcome {
    if reply.accepted {
        return LoginOutcome::Ok;
    }
    let text = reply.text.to_ascii_lowercase();
    let has_code = |c: &str| reply.codes.iter().any(|x| x == c);
    if APP_PASSWORD_PHRASES.iter().any(|p| text.contains(p)) || has_code("5.7.9") {
        return LoginOutcome::AppPasswordOrOauth {
            evidence: Evidence::ServerReply,
        };
    }
    if DISABLED_PHRASES.iter().any(|p| text.contains(p))
        || ["CONTACTADMIN", "EXPIRED", "AUTHORIZATIONFAILED", "SYS/PERM"]
            .iter()
            .any(|c| has_code(c))
    {
        return LoginOutcome::AccountDisabled;
    }
    if ["UNAVAILABLE", "SYS/TEMP", "IN-USE", "LOGIN-DELAY", "INUSE"]
        .iter()
        .any(|c| has_code(c))
        || (400..500).contains(&reply.code)
    {
        return LoginOutcome::TryLater;
    }
    if reply.unsupported {
        return LoginOutcome::MechanismNotOffered {
            offered: Vec::new(),
        };
    }
    if has_code("AUTHENTICATIONFAILED") || has_code("AUTH") || has_code("5.7.8") {
        return LoginOutcome::WrongCredentials;
    }
    match reply.code {
        // SMTP: 535 is "credentials invalid"; other 5xx (530, 538, 554) are policy.
        535 => LoginOutcome::WrongCredentials,
        0 => LoginOutcome::WrongCredentials,
        _ => LoginOutcome::Rejected,
    }
}

/// A refused password at a provider whose table says the account password is not
/// accepted from mail programs is, most likely, that: say so.
pub fn with_provider_policy(outcome: LoginOutcome, provider_auth: &[AuthMethod]) -> LoginOutcome {
    let needs_app_password = !provider_auth.is_empty()
        && provider_auth
            .iter()
            .all(|m| matches!(m, AuthMethod::AppPassword | AuthMethod::OAuth2));
    match outcome {
        LoginOutcome::WrongCredentials if needs_app_password => LoginOutcome::AppPasswordOrOauth {
            evidence: Evidence::ProviderTable,
        },
        other => other,
    }
}

/// The outcome of a connection that never reached the login (the probe's report).
pub fn from_probe(report: &EndpointReport) -> LoginOutcome {
    match report.outcome {
        Outcome::TlsError => LoginOutcome::TlsFailure,
        outcome => LoginOutcome::Unreachable { outcome },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, codes: &[&str], text: &str) -> LoginReply {
        LoginReply {
            accepted: false,
            code,
            codes: codes.iter().map(|s| s.to_string()).collect(),
            text: text.into(),
            unsupported: false,
        }
    }

    fn app(evidence: Evidence) -> LoginOutcome {
        LoginOutcome::AppPasswordOrOauth { evidence }
    }

    #[test]
    fn accepted_is_ok() {
        let mut r = reply(235, &[], "2.7.0 Authentication successful");
        r.accepted = true;
        assert_eq!(classify_reply(&r), LoginOutcome::Ok);
    }

    #[test]
    fn wrong_credentials_in_each_protocol() {
        for r in [
            reply(
                0,
                &["AUTHENTICATIONFAILED"],
                "[AUTHENTICATIONFAILED] Authentication failed.",
            ),
            reply(0, &["AUTH"], "[AUTH] Authentication failed."),
            reply(
                535,
                &["5.7.8"],
                "5.7.8 Error: authentication failed: authentication failure",
            ),
            reply(0, &[], "LOGIN failed."),
            reply(535, &[], "Incorrect authentication data"),
        ] {
            assert_eq!(classify_reply(&r), LoginOutcome::WrongCredentials, "{r:?}");
        }
    }

    #[test]
    fn provider_wordings_for_app_passwords_and_oauth() {
        let server = app(Evidence::ServerReply);
        for r in [
            // Gmail SMTP and IMAP.
            reply(
                534,
                &["5.7.9"],
                "5.7.9 Application-specific password required. For more information, go to 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor",
            ),
            reply(
                0,
                &["ALERT", "AUTHENTICATIONFAILED"],
                "[ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure) / [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
            ),
            reply(
                534,
                &["5.7.14"],
                "5.7.14 <https://accounts.google.com/signin/continue?...> Please log in via your web browser and then try again.",
            ),
            // Outlook.com.
            reply(
                535,
                &["5.7.139"],
                "5.7.139 Authentication unsuccessful, basic authentication is disabled.",
            ),
            // Yahoo.
            reply(
                0,
                &["ALERT"],
                "[ALERT] Please log in via your web browser: https://help.yahoo.com/kb/index?page=content&id=SLN5125",
            ),
            // iCloud.
            reply(
                0,
                &["AUTHENTICATIONFAILED"],
                "[AUTHENTICATIONFAILED] Authentication failed. Use an app-specific password",
            ),
        ] {
            assert_eq!(classify_reply(&r), server, "{r:?}");
        }
    }

    #[test]
    fn disabled_accounts_and_protocols() {
        for r in [
            reply(
                0,
                &["ALERT"],
                "[ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access.",
            ),
            reply(
                535,
                &["5.7.139"],
                "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            ),
            reply(
                0,
                &["CONTACTADMIN"],
                "[CONTACTADMIN] contact your administrator",
            ),
            reply(0, &["SYS/PERM"], "[SYS/PERM] Your account is locked"),
        ] {
            assert_eq!(classify_reply(&r), LoginOutcome::AccountDisabled, "{r:?}");
        }
    }

    #[test]
    fn temporary_failures_and_unknown_mechanisms() {
        assert_eq!(
            classify_reply(&reply(
                454,
                &["4.7.0"],
                "4.7.0 Temporary authentication failure"
            )),
            LoginOutcome::TryLater
        );
        assert_eq!(
            classify_reply(&reply(0, &["UNAVAILABLE"], "[UNAVAILABLE] try later")),
            LoginOutcome::TryLater
        );
        assert_eq!(
            classify_reply(&reply(0, &["IN-USE"], "[IN-USE] mailbox locked")),
            LoginOutcome::TryLater
        );
        let mut bad = reply(504, &["5.5.4"], "Unrecognized authentication type");
        bad.unsupported = true;
        assert!(matches!(
            classify_reply(&bad),
            LoginOutcome::MechanismNotOffered { .. }
        ));
        assert_eq!(
            classify_reply(&reply(
                530,
                &["5.7.0"],
                "Must issue a STARTTLS command first"
            )),
            LoginOutcome::Rejected
        );
    }

    #[test]
    fn the_provider_table_turns_a_refusal_into_app_password_advice() {
        let gmail = [AuthMethod::OAuth2, AuthMethod::AppPassword];
        assert_eq!(
            with_provider_policy(LoginOutcome::WrongCredentials, &gmail),
            app(Evidence::ProviderTable)
        );
        let isp = [AuthMethod::PasswordCleartext];
        assert_eq!(
            with_provider_policy(LoginOutcome::WrongCredentials, &isp),
            LoginOutcome::WrongCredentials
        );
        assert_eq!(
            with_provider_policy(LoginOutcome::WrongCredentials, &[]),
            LoginOutcome::WrongCredentials
        );
        assert_eq!(
            with_provider_policy(LoginOutcome::Ok, &gmail),
            LoginOutcome::Ok
        );
    }

    #[test]
    fn verdicts() {
        assert_eq!(LoginOutcome::Ok.verdict(), Verdict::LoggedIn);
        assert_eq!(
            LoginOutcome::WrongCredentials.verdict(),
            Verdict::LoginRejected
        );
        assert_eq!(LoginOutcome::TlsFailure.verdict(), Verdict::NotTested);
        assert_eq!(
            LoginOutcome::RefusedByPolicy {
                refusal: Refusal::Plaintext
            }
            .verdict(),
            Verdict::Refused
        );
    }
}
