//! The autoconfig file: served over https with a valid certificate, a valid clientConfig
//! v1.1 document, placeholders clients know. (Whether its servers agree is
//! `published.rs`'s.)

use super::{AutoconfigFetch, FetchResult, SAMPLE_LOCAL_PART, WebCertificate};
use crate::discover::autoconfig_xml::{ClientConfig, ServerConfig};
use crate::findings::{Finding, Place, TemplateField};
use crate::model::expand_placeholders;

/// The placeholders clients expand in `<hostname>` and `<username>`.
pub const KNOWN_PLACEHOLDERS: [&str; 3] = ["%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%"];

pub fn findings(
    domain: &str,
    fetches: &[AutoconfigFetch],
    certificates: &[WebCertificate],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let https_document = fetches
        .iter()
        .any(|f| f.https && matches!(f.result, FetchResult::Document(_)));
    // Plain http is linted only when https gives nothing: clients prefer https.
    let linted = fetches.iter().filter(|f| f.https || !https_document);
    let mut invalid = false;
    for fetch in linted {
        match &fetch.result {
            FetchResult::NotFound(_) => {}
            FetchResult::Failed { reason, tls } => {
                // A bad certificate is `web-certificate-invalid`'s; other failures matter
                // only when no https URL gave the file.
                let certificate_said = *tls && certificate_invalid(&fetch.url, certificates);
                if !certificate_said && !https_document && fetch.https {
                    out.push(Finding::AutoconfigUnreachable {
                        url: fetch.url.clone(),
                        reason: reason.clone(),
                    });
                }
            }
            FetchResult::Invalid(error) => {
                invalid = true;
                out.push(Finding::AutoconfigInvalid {
                    url: fetch.url.clone(),
                    error: error.clone(),
                });
            }
            FetchResult::Document(config) => out.extend(document(&fetch.url, domain, config)),
        }
    }
    let http_document = fetches
        .iter()
        .find(|f| !f.https && matches!(f.result, FetchResult::Document(_)));
    match http_document {
        Some(fetch) if !https_document => out.push(Finding::AutoconfigHttpOnly {
            url: fetch.url.clone(),
        }),
        None if !https_document && !invalid => out.push(Finding::AutoconfigMissing {
            domain: domain.to_string(),
            urls: fetches
                .iter()
                .filter(|f| f.https)
                .map(|f| f.url.clone())
                .collect(),
        }),
        _ => {}
    }
    out
}

/// Whether the https host of `url` presented a certificate that failed verification.
fn certificate_invalid(url: &str, certificates: &[WebCertificate]) -> bool {
    let host = url
        .strip_prefix("https://")
        .and_then(|rest| rest.split(['/', ':', '?']).next())
        .unwrap_or("");
    certificates
        .iter()
        .any(|c| c.host == host && !c.certificate.verified)
}

/// The findings of one parsed document.
fn document(url: &str, domain: &str, config: &ClientConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    if !config.warnings.is_empty() {
        out.push(Finding::AutoconfigProblems {
            url: url.to_string(),
            problems: config.warnings.clone(),
        });
    }
    for server in config.incoming.iter().chain(&config.outgoing) {
        out.extend(placeholders(url, server));
        out.extend(fixed_username(url, domain, server));
    }
    out
}

/// Unknown `%…%` placeholders in the host name and the user name.
fn placeholders(url: &str, server: &ServerConfig) -> Vec<Finding> {
    [
        (TemplateField::Hostname, &server.hostname),
        (TemplateField::Username, &server.username),
    ]
    .into_iter()
    .filter_map(|(field, value)| {
        let unknown: Vec<String> = placeholders_in(value)
            .into_iter()
            .filter(|p| !KNOWN_PLACEHOLDERS.contains(&p.as_str()))
            .collect();
        (!unknown.is_empty()).then(|| Finding::AutoconfigUnknownPlaceholder {
            url: url.to_string(),
            field,
            value: value.clone(),
            placeholders: unknown,
        })
    })
    .collect()
}

/// Every `%NAME%` in `template` (NAME: letters, digits, `_`), in order.
pub fn placeholders_in(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('%') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('%') else { break };
        let name = &after[..end];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(format!("%{name}%"));
            rest = &after[end + 1..];
        } else {
            // Not a placeholder: the second % may open the next one.
            rest = after;
        }
    }
    out
}

/// A user name with no placeholder: every user would log in as the same name.
fn fixed_username(url: &str, domain: &str, server: &ServerConfig) -> Option<Finding> {
    if server.username.contains('%') || server.username.is_empty() {
        return None;
    }
    let host =
        expand_placeholders(&server.hostname, SAMPLE_LOCAL_PART, domain).to_ascii_lowercase();
    Some(Finding::AutoconfigFixedUsername {
        url: url.to_string(),
        at: Place::new(server.protocol, &host, server.port),
        username: server.username.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::autoconfig_xml::parse;
    use crate::probe::outcome::CertificateInfo;

    const URL: &str = "https://autoconfig.example.jp/mail/config-v1.1.xml";

    fn fetch(url: &str, result: FetchResult<ClientConfig>) -> AutoconfigFetch {
        AutoconfigFetch {
            url: url.to_string(),
            https: url.starts_with("https://"),
            result,
        }
    }

    fn kinds(fetches: &[AutoconfigFetch], certs: &[WebCertificate]) -> Vec<&'static str> {
        findings("example.jp", fetches, certs)
            .iter()
            .map(Finding::kind)
            .collect()
    }

    fn not_found(url: &str) -> AutoconfigFetch {
        fetch(url, FetchResult::NotFound("HTTP 404".into()))
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders_in("%EMAILLOCALPART%@%MAILDOMAIN%"),
            ["%EMAILLOCALPART%", "%MAILDOMAIN%"]
        );
        assert_eq!(placeholders_in("100% sure %X%"), ["%X%"]);
        assert!(placeholders_in("imap.example.jp").is_empty());
        assert!(placeholders_in("50%").is_empty());
    }

    #[test]
    fn a_document_with_mistakes() {
        let xml = br#"<clientConfig version="1.1"><emailProvider id="example.jp">
            <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port>
              <socketType>SSL</socketType><username>%USERNAME%</username></incomingServer>
            <incomingServer type="pop3"><hostname>pop.example.jp</hostname><port>995</port>
              <socketType>TLS-please</socketType></incomingServer>
            <outgoingServer type="smtp"><hostname>smtp.example.jp</hostname><port>465</port>
              <socketType>SSL</socketType><username>info</username></outgoingServer>
            </emailProvider></clientConfig>"#;
        let config = parse(xml).unwrap();
        let f = findings(
            "example.jp",
            &[fetch(URL, FetchResult::Document(config))],
            &[],
        );
        let kinds: Vec<&str> = f.iter().map(Finding::kind).collect();
        assert_eq!(
            kinds,
            [
                "autoconfig-problems",
                "autoconfig-unknown-placeholder",
                "autoconfig-fixed-username"
            ]
        );
        assert!(
            matches!(&f[1], Finding::AutoconfigUnknownPlaceholder { field: TemplateField::Username, placeholders, .. } if placeholders == &["%USERNAME%"])
        );
        assert!(
            matches!(&f[2], Finding::AutoconfigFixedUsername { at, .. } if at.host == "smtp.example.jp" && at.port == 465)
        );
    }

    #[test]
    fn missing_http_only_and_invalid() {
        let http = "http://autoconfig.example.jp/mail/config-v1.1.xml";
        let wk = "https://example.jp/.well-known/autoconfig/mail/config-v1.1.xml";
        assert_eq!(
            kinds(&[not_found(URL), not_found(wk), not_found(http)], &[]),
            ["autoconfig-missing"]
        );
        let doc = FetchResult::Document(ClientConfig::default());
        assert_eq!(
            kinds(
                &[not_found(URL), not_found(wk), fetch(http, doc.clone())],
                &[]
            ),
            ["autoconfig-http-only"]
        );
        assert_eq!(
            kinds(
                &[
                    fetch(
                        URL,
                        FetchResult::Invalid("the root element is <html>".into())
                    ),
                    not_found(wk)
                ],
                &[]
            ),
            ["autoconfig-invalid"]
        );
        // A document at the first URL: the other URLs' failures do not matter.
        let refused = FetchResult::Failed {
            reason: "connection refused".into(),
            tls: false,
        };
        assert!(kinds(&[fetch(URL, doc), fetch(wk, refused.clone())], &[]).is_empty());
        assert_eq!(
            kinds(&[fetch(URL, refused), not_found(wk)], &[]),
            ["autoconfig-unreachable", "autoconfig-missing"]
        );
    }

    #[test]
    fn a_bad_certificate_is_said_once() {
        let tls = FetchResult::Failed {
            reason: "certificate is for other.example, not autoconfig.example.jp".into(),
            tls: true,
        };
        let cert = WebCertificate {
            host: "autoconfig.example.jp".into(),
            port: 443,
            certificate: CertificateInfo::default(),
        };
        assert_eq!(kinds(&[fetch(URL, tls)], &[cert]), ["autoconfig-missing"]);
    }
}
