//! `check`: log in once on the incoming and the outgoing server, to answer "is it the
//! password or the settings?".
//!
//! For each server: the trust rule on the host ([`trust::host_grant`]) before connecting;
//! the probe's walk to where a client logs in (greeting, capabilities, TLS, capabilities
//! after TLS); the trust rule on the connection ([`trust::channel_permits`]) before the
//! first byte of the login; one mechanism from what the server offered; one attempt; the
//! reply classified ([`outcome::classify_reply`]); goodbye. SMTP stops after AUTH: no mail
//! is sent.

pub mod outcome;
pub mod trust;

use crate::address::display_domain;
use crate::discover::providers::Provider;
use crate::model::{Endpoint, Source};
use crate::probe::conn::ConnError;
use crate::probe::dialogue::StepError;
use crate::probe::login::{Credentials, Mechanism, choose_mechanism};
use crate::probe::outcome::{EndpointReport, Outcome};
use crate::probe::{Prober, Target};
use outcome::{Evidence, LoginOutcome, Verdict, classify_reply, from_probe, with_provider_policy};
use std::time::Duration;
use tokio::time::Instant;
use trust::{Grant, HostClaim, channel_permits, host_grant};

/// One server to log in to.
#[derive(Debug, Clone)]
pub struct Planned {
    pub endpoint: Endpoint,
    pub username: String,
    /// The sources that named the server (empty when the user named it).
    pub sources: Vec<Source>,
    pub named_by_user: bool,
}

/// How the servers were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `detect`'s recommendations.
    Detected,
    /// `--imap`, `--pop3`, `--smtp`.
    Explicit,
}

/// What `check` is told besides the servers.
pub struct CheckContext<'a> {
    /// The address's domain (ASCII).
    pub domain: &'a str,
    pub provider: Option<&'static Provider>,
    pub allow_plaintext: bool,
    /// The limit of each network step, the login's included.
    pub step_timeout: Duration,
}

/// The result for one server.
#[derive(Debug, Clone)]
pub struct ServerCheck {
    pub endpoint: Endpoint,
    pub display_host: String,
    pub username: String,
    pub sources: Vec<Source>,
    /// Why the host was trusted; None when it was refused.
    pub grant: Option<Grant>,
    pub mechanism: Option<Mechanism>,
    pub outcome: LoginOutcome,
    /// What the server answered to the login (its words, bounded; evidence).
    pub reply: Option<String>,
    /// The connection's report, when one was made.
    pub probe: Option<EndpointReport>,
}

/// The whole answer of `check`.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The address as given, with the Unicode domain.
    pub email: String,
    pub domain: String,
    pub provider: Option<&'static Provider>,
    pub origin: Origin,
    pub allow_plaintext: bool,
    pub servers: Vec<ServerCheck>,
    /// Directions detect found no usable server for (nothing to log in to there).
    pub missing: Vec<crate::model::Direction>,
    pub elapsed_ms: f64,
}

impl CheckReport {
    /// The worst verdict over every server (a missing direction is not tested).
    pub fn verdict(&self) -> Verdict {
        let missing = (!self.missing.is_empty()).then_some(Verdict::NotTested);
        // A refused login says most about the password, then the trust rule, then the rest.
        let verdicts: Vec<Verdict> = self
            .servers
            .iter()
            .map(|s| s.outcome.verdict())
            .chain(missing)
            .collect();
        [Verdict::LoginRejected, Verdict::Refused, Verdict::NotTested]
            .into_iter()
            .find(|v| verdicts.contains(v))
            .unwrap_or(if verdicts.is_empty() {
                Verdict::NotTested
            } else {
                Verdict::LoggedIn
            })
    }
}

/// Log in to every planned server, one after the other (one attempt each).
pub async fn check_all(
    prober: &Prober,
    planned: &[Planned],
    context: &CheckContext<'_>,
    credentials_for: impl Fn(&Planned) -> Credentials,
) -> Vec<ServerCheck> {
    let mut results = Vec::new();
    for server in planned {
        let credentials = credentials_for(server);
        results.push(check_server(prober, server, context, &credentials).await);
    }
    results
}

/// Log in to one server, if the trust rule allows it.
pub async fn check_server(
    prober: &Prober,
    planned: &Planned,
    context: &CheckContext<'_>,
    credentials: &Credentials,
) -> ServerCheck {
    let endpoint = &planned.endpoint;
    let mut result = ServerCheck {
        endpoint: endpoint.clone(),
        display_host: display_domain(&endpoint.host),
        username: planned.username.clone(),
        sources: planned.sources.clone(),
        grant: None,
        mechanism: None,
        outcome: LoginOutcome::Rejected,
        reply: None,
        probe: None,
    };
    let claim = HostClaim {
        host: &endpoint.host,
        domain: context.domain,
        sources: &planned.sources,
        named_by_user: planned.named_by_user,
        provider: context.provider,
    };
    match host_grant(&claim) {
        Ok(grant) => result.grant = Some(grant),
        Err(refusal) => {
            // Not even a connection: the host is not one the password may go to.
            result.outcome = LoginOutcome::RefusedByPolicy { refusal };
            return result;
        }
    }
    log_in(prober, endpoint, context, credentials, &mut result).await;
    result
}

/// Connect, check the connection, log in once, say goodbye; the outcome into `result`.
async fn log_in(
    prober: &Prober,
    endpoint: &Endpoint,
    context: &CheckContext<'_>,
    credentials: &Credentials,
    result: &mut ServerCheck,
) {
    let target = Target {
        host: endpoint.host.clone(),
        port: endpoint.port,
        protocol: endpoint.protocol,
        security: Some(endpoint.security),
    };
    // The walk has its own per-step deadlines; this caps the whole of it.
    let deadline = Instant::now() + context.step_timeout * 6;
    let (report, session) = prober.open(&target, deadline).await;
    let Some(mut session) = session else {
        result.outcome = from_probe(&report);
        result.probe = Some(report);
        return;
    };
    let certificate = report.tls.as_ref().and_then(|t| t.certificate.as_ref());
    let security = report.security.unwrap_or(endpoint.security);
    let permitted = channel_permits(
        &endpoint.host,
        security,
        certificate,
        context.allow_plaintext,
    );
    result.probe = Some(report);
    if let Err(refusal) = permitted {
        session.close().await;
        result.outcome = LoginOutcome::RefusedByPolicy { refusal };
        return;
    }
    let mechanism = match choose_mechanism(endpoint.protocol, &session.caps) {
        Ok(m) => m,
        Err(none) => {
            session.close().await;
            result.outcome = if none.oauth_only {
                LoginOutcome::AppPasswordOrOauth {
                    evidence: Evidence::OnlyOauthOffered,
                }
            } else {
                LoginOutcome::MechanismNotOffered {
                    offered: none.offered,
                }
            };
            return;
        }
    };
    result.mechanism = Some(mechanism);
    // A failed login may be answered only after a delay (Dovecot waits 2 s by default).
    let login_deadline = Instant::now() + context.step_timeout * 2;
    let reply = session.login(mechanism, credentials, login_deadline).await;
    session.close().await;
    result.outcome = match reply {
        Ok(reply) => {
            result.reply = Some(redact(&reply.text, credentials, mechanism));
            let auth = context.provider.map(|p| p.auth.as_slice()).unwrap_or(&[]);
            with_provider_policy(classify_reply(&reply), auth)
        }
        Err(error) => {
            result.reply = Some(redact(&error.to_string(), credentials, mechanism));
            LoginOutcome::Unreachable {
                outcome: step_outcome(&error),
            }
        }
    };
}

/// `text` with the password, and the base64 forms it went out in, blotted out: a server
/// that echoes what it received must not make the password appear in a report.
fn redact(text: &str, credentials: &Credentials, mechanism: Mechanism) -> String {
    let mut out = text.to_string();
    let password = credentials.password.expose();
    if !password.is_empty() {
        out = out.replace(password, "***");
    }
    for encoded in crate::probe::login::sasl_responses(mechanism, credentials) {
        out = out.replace(encoded.as_str(), "***");
    }
    out
}

/// How a login step that broke off counts, in the probe's terms.
fn step_outcome(error: &StepError) -> Outcome {
    match error {
        StepError::Conn(ConnError::Timeout { .. }) => Outcome::Timeout,
        StepError::Conn(ConnError::Closed { .. }) => Outcome::Closed,
        StepError::Conn(_) | StepError::NotProtocol(_) => Outcome::NotProtocol,
        StepError::Rejected(_) => Outcome::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::login::Secret;

    #[test]
    fn echoed_passwords_are_blotted_out() {
        let c = Credentials {
            username: "alice".into(),
            password: Secret::new("secret".into()),
        };
        assert_eq!(
            redact("535 bad secret AGFsaWNlAHNlY3JldA==", &c, Mechanism::Plain),
            "535 bad *** ***"
        );
        assert_eq!(redact("c2VjcmV0 no", &c, Mechanism::Login), "*** no");
    }
}
