//! The autodiscover endpoint (POX, asked without credentials): there, and answering with
//! settings. (Whether they agree with the servers is `published.rs`'s.)

use super::{AutodiscoverFetch, FetchResult};
use crate::findings::Finding;

pub fn findings(fetch: &AutodiscoverFetch) -> Option<Finding> {
    let url = fetch.url.clone();
    match &fetch.result {
        FetchResult::NotFound(_) => Some(Finding::AutodiscoverMissing { url }),
        FetchResult::Failed { reason, .. } | FetchResult::Invalid(reason) => {
            Some(Finding::AutodiscoverFailed {
                url,
                reason: reason.clone(),
            })
        }
        FetchResult::Document(servers) if servers.is_empty() => Some(Finding::AutodiscoverFailed {
            url,
            reason: "the answer names no IMAP, POP3 or SMTP server".into(),
        }),
        FetchResult::Document(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::tests::endpoint;
    use crate::model::{Protocol, Security};

    fn kind(result: FetchResult<Vec<crate::model::Endpoint>>) -> Option<&'static str> {
        let fetch = AutodiscoverFetch {
            url: "https://autodiscover.example.jp/autodiscover/autodiscover.xml".into(),
            result,
        };
        findings(&fetch).map(|f| f.kind())
    }

    #[test]
    fn missing_failed_and_fine() {
        assert_eq!(
            kind(FetchResult::NotFound("HTTP 404".into())),
            Some("autodiscover-missing")
        );
        assert_eq!(
            kind(FetchResult::Failed {
                reason: "HTTP 500".into(),
                tls: false
            }),
            Some("autodiscover-failed")
        );
        assert_eq!(
            kind(FetchResult::Invalid("not XML".into())),
            Some("autodiscover-failed")
        );
        assert_eq!(
            kind(FetchResult::Document(Vec::new())),
            Some("autodiscover-failed")
        );
        let imap = endpoint(Protocol::Imap, "imap.example.jp", 993, Security::Tls);
        assert_eq!(kind(FetchResult::Document(vec![imap])), None);
    }
}
