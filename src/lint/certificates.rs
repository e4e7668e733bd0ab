//! Certificates: the mail servers' (every published port and the MX hosts) and the https
//! configuration hosts' — trusted, covering their names, not expired, and not expiring
//! within [`EXPIRY_WARNING_DAYS`]. What a probe diagnoses by itself (a name mismatch,
//! self-signed, obsolete TLS, STARTTLS failures) is detect's diagnosis, reused.

use super::{EXPIRY_WARNING_DAYS, Facts, WebCertificate};
use crate::findings::{Finding, Place};
use crate::probe::outcome::{CertificateInfo, CertificateProblem, EndpointReport};
use std::collections::BTreeMap;

pub fn findings(facts: &Facts) -> Vec<Finding> {
    let probes: Vec<EndpointReport> = facts
        .probes
        .iter()
        .map(|p| p.report.clone())
        .chain(facts.mx_probes.iter().cloned())
        .collect();
    let mut out = crate::diagnose::probe_findings(&probes);
    out.extend(expiring_soon(&probes, facts.checked_at));
    out.extend(
        facts
            .web_certificates
            .iter()
            .filter_map(|w| web(w, facts.checked_at)),
    );
    out
}

/// Whole days from `now` (Unix seconds) until the certificate's end, when it is still
/// valid and ends within the warning period.
pub fn days_left(cert: &CertificateInfo, now: i64) -> Option<i64> {
    let format = time::format_description::well_known::Rfc3339;
    let end = time::OffsetDateTime::parse(&cert.not_after, &format).ok()?;
    let left = end.unix_timestamp() - now;
    (left > 0 && left <= EXPIRY_WARNING_DAYS * 86_400).then_some(left / 86_400)
}

/// Trusted certificates that end soon, one finding per end date naming every port.
fn expiring_soon(probes: &[EndpointReport], now: i64) -> Vec<Finding> {
    let mut grouped: BTreeMap<(String, i64), Vec<Place>> = BTreeMap::new();
    for p in probes.iter().filter(|p| p.is_ok()) {
        let Some(cert) = p.tls.as_ref().and_then(|t| t.certificate.as_ref()) else {
            continue;
        };
        if let Some(days) = days_left(cert, now).filter(|_| cert.verified) {
            let at = Place::new(p.protocol, &p.host, p.port);
            let places = grouped.entry((cert.not_after.clone(), days)).or_default();
            if !places.contains(&at) {
                places.push(at);
            }
        }
    }
    grouped
        .into_iter()
        .map(
            |((not_after, days_left), at)| Finding::CertificateExpiringSoon {
                at,
                not_after,
                days_left,
            },
        )
        .collect()
}

/// The certificate of an https configuration host.
fn web(w: &WebCertificate, now: i64) -> Option<Finding> {
    let cert = &w.certificate;
    if !cert.verified {
        return Some(Finding::WebCertificateInvalid {
            host: w.host.clone(),
            port: w.port,
            problem: cert.problem.unwrap_or(CertificateProblem::Invalid),
            names: cert.names.clone(),
            detail: cert.error.clone().unwrap_or_default(),
        });
    }
    days_left(cert, now).map(|days_left| Finding::WebCertificateExpiringSoon {
        host: w.host.clone(),
        port: w.port,
        not_after: cert.not_after.clone(),
        days_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::tests::empty_facts;
    use crate::model::Protocol;
    use crate::probe::outcome::TlsInfo;

    const NOW: i64 = 1_800_000_000; // 2027-01-15T08:00:00Z

    fn cert(not_after: &str, verified: bool) -> CertificateInfo {
        CertificateInfo {
            names: vec!["imap.example.jp".into()],
            not_after: not_after.into(),
            verified,
            ..CertificateInfo::default()
        }
    }

    fn probe(host: &str, port: u16, cert: CertificateInfo) -> EndpointReport {
        let mut r = EndpointReport::new(host, port, Protocol::Imap);
        r.tls = Some(TlsInfo {
            certificate: Some(cert),
            ..TlsInfo::default()
        });
        r
    }

    #[test]
    fn the_warning_period_is_21_days() {
        assert_eq!(
            days_left(&cert("2027-01-25T08:00:00Z", true), NOW),
            Some(10)
        );
        assert_eq!(
            days_left(&cert("2027-02-05T08:00:00Z", true), NOW),
            Some(21)
        );
        assert_eq!(days_left(&cert("2027-02-06T08:00:00Z", true), NOW), None);
        // Already expired: that is certificate-expired's.
        assert_eq!(days_left(&cert("2027-01-01T00:00:00Z", true), NOW), None);
        assert_eq!(days_left(&cert("garbage", true), NOW), None);
    }

    #[test]
    fn ports_sharing_a_certificate_share_a_finding() {
        let mut facts = empty_facts("example.jp");
        facts.checked_at = NOW;
        let soon = cert("2027-01-25T08:00:00Z", true);
        facts.mx_probes = vec![
            probe("imap.example.jp", 993, soon.clone()),
            probe("imap.example.jp", 995, soon),
            probe("imap.example.jp", 25, cert("2028-01-01T00:00:00Z", true)),
        ];
        let f = findings(&facts);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            matches!(&f[0], Finding::CertificateExpiringSoon { at, days_left: 10, .. } if at.len() == 2)
        );
    }

    #[test]
    fn web_certificates_invalid_or_ending() {
        let mut bad = cert("2028-01-01T00:00:00Z", false);
        bad.problem = Some(CertificateProblem::NameMismatch);
        bad.error = Some("certificate is for other.example, not autoconfig.example.jp".into());
        let w = |certificate| WebCertificate {
            host: "autoconfig.example.jp".into(),
            port: 443,
            certificate,
        };
        assert!(matches!(
            web(&w(bad), NOW),
            Some(Finding::WebCertificateInvalid {
                problem: CertificateProblem::NameMismatch,
                ..
            })
        ));
        assert!(matches!(
            web(&w(cert("2027-01-20T08:00:00Z", true)), NOW),
            Some(Finding::WebCertificateExpiringSoon { days_left: 5, .. })
        ));
        assert_eq!(web(&w(cert("2028-01-01T00:00:00Z", true)), NOW), None);
    }
}
