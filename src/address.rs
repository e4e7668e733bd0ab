//! Parse and normalise what the user typed: an email address, or HOST[:PORT].
//!
//! Domains are converted to ASCII (IDNA A-labels) for every lookup and kept in their
//! Unicode form for display, so `user@例え.jp` is looked up as `xn--r8jz45g.jp` and shown
//! as `例え.jp`.

use std::net::IpAddr;

/// A validated email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    /// The part before `@`, as typed (case is significant to some servers).
    pub local_part: String,
    /// Lower-case ASCII (A-label) domain, for lookups.
    pub domain: String,
    /// The domain for people (U-labels).
    pub display_domain: String,
}

impl EmailAddress {
    /// The address with the ASCII domain.
    pub fn ascii(&self) -> String {
        format!("{}@{}", self.local_part, self.domain)
    }

    /// The address as a person would write it.
    pub fn display(&self) -> String {
        format!("{}@{}", self.local_part, self.display_domain)
    }
}

/// What is wrong with the input, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Parse `user@example.jp` (IDN domains welcome).
pub fn parse_email(input: &str) -> Result<EmailAddress, InputError> {
    let text = input.trim();
    let bad = |why: &str| InputError(format!("\"{input}\" is not an email address: {why}"));
    if text.is_empty() {
        return Err(bad("it is empty"));
    }
    let Some((local, domain)) = text.rsplit_once('@') else {
        return Err(bad("it has no \"@\""));
    };
    if local.is_empty() {
        return Err(bad("nothing before the \"@\""));
    }
    if local.contains('@') && !(local.starts_with('"') && local.ends_with('"')) {
        return Err(bad("it has more than one \"@\""));
    }
    if local.len() > 64 {
        return Err(bad("the part before \"@\" is longer than 64 bytes"));
    }
    if local
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\".contains(c))
    {
        return Err(bad(
            "the part before \"@\" contains spaces or characters such as < > ( ) , ; :",
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        // Common in Japanese carrier addresses issued long ago (e.g. "taro..x@docomo.ne.jp"),
        // which mail clients still have to use; accept, but only without other defects.
        if local.chars().all(|c| c == '.') {
            return Err(bad("the part before \"@\" is only dots"));
        }
    }
    if domain.is_empty() {
        return Err(bad("nothing after the \"@\""));
    }
    let domain = parse_domain(domain).map_err(|why| bad(&why))?;
    Ok(EmailAddress {
        local_part: local.to_string(),
        display_domain: display_domain(&domain),
        domain,
    })
}

/// Validate a domain name and return its lower-case ASCII form.
pub fn parse_domain(input: &str) -> Result<String, String> {
    let input = input.strip_suffix('.').unwrap_or(input);
    if input.starts_with('[') || input.parse::<IpAddr>().is_ok() {
        return Err("an IP address is not a mail domain".into());
    }
    let ascii = idna::domain_to_ascii_strict(input)
        .map_err(|_| format!("\"{input}\" is not a valid domain name"))?;
    check_host_name(&ascii)?;
    if !ascii.contains('.') {
        return Err(format!(
            "\"{input}\" has no dot; a mail domain looks like example.jp"
        ));
    }
    let tld = ascii.rsplit('.').next().unwrap_or("");
    if tld.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("\"{input}\" is not a valid domain name"));
    }
    Ok(ascii)
}

/// The Unicode form of an ASCII domain, for display.
pub fn display_domain(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() {
        unicode
    } else {
        ascii.to_string()
    }
}

/// RFC 1123 host name rules on an ASCII name.
fn check_host_name(ascii: &str) -> Result<(), String> {
    if ascii.is_empty() || ascii.len() > 253 {
        return Err(format!("\"{ascii}\" is not a valid host name (length)"));
    }
    for label in ascii.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(format!(
                "\"{ascii}\" is not a valid host name (label \"{label}\")"
            ));
        }
    }
    Ok(())
}

/// The registrable domain of `host` ("example.co.jp" for "mx.mail.example.co.jp").
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&host).map(str::to_string)
}

/// Whether `host` lies inside `domain`'s registrable domain (both sides must have one:
/// a bare public suffix such as `co.jp` is inside nothing).
pub fn within_registrable_domain(host: &str, domain: &str) -> bool {
    match (registrable_domain(host), registrable_domain(domain)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// A host to probe and an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// ASCII host name or IP address literal (without brackets).
    pub host: String,
    pub port: Option<u16>,
}

/// Parse `host`, `host:port`, `192.0.2.1:993`, `[2001:db8::1]:993`, `2001:db8::1`, or an
/// IDN host name.
pub fn parse_host_port(input: &str) -> Result<HostPort, InputError> {
    let text = input.trim();
    let bad = |why: String| InputError(format!("\"{input}\" is not a host: {why}"));
    if text.is_empty() {
        return Err(bad("it is empty".into()));
    }
    if text.contains("://") || text.contains('/') {
        return Err(bad(
            "give a host name, not a URL (for example imap.example.jp:993)".into(),
        ));
    }
    if text.contains('@') {
        return Err(bad(
            "that looks like an email address; use `mailcfg detect` for addresses".into(),
        ));
    }
    let parse_port = |p: &str| -> Result<u16, InputError> {
        match p.parse::<u16>() {
            Ok(0) | Err(_) => Err(bad(format!("\"{p}\" is not a port number (1-65535)"))),
            Ok(port) => Ok(port),
        }
    };
    if let Some(rest) = text.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return Err(bad("missing \"]\"".into()));
        };
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| bad(format!("\"{ip}\" is not an IP address")))?;
        let port = match after {
            "" => None,
            _ => {
                Some(parse_port(after.strip_prefix(':').ok_or_else(|| {
                    bad("expected \":PORT\" after \"]\"".into())
                })?)?)
            }
        };
        return Ok(HostPort {
            host: ip.to_string(),
            port,
        });
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(HostPort {
            host: ip.to_string(),
            port: None,
        });
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => (host, Some(parse_port(port)?)),
        None => (text, None),
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(HostPort {
            host: ip.to_string(),
            port,
        });
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let ascii = idna::domain_to_ascii_strict(host)
        .map_err(|_| bad(format!("\"{host}\" is not a valid host name")))?;
    check_host_name(&ascii).map_err(bad)?;
    Ok(HostPort { host: ascii, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_idn_addresses() {
        let a = parse_email("Taro.Yamada@Example.JP").unwrap();
        assert_eq!(a.local_part, "Taro.Yamada");
        assert_eq!(a.domain, "example.jp");
        let idn = parse_email("user@例え.jp").unwrap();
        assert_eq!(idn.domain, "xn--r8jz45g.jp");
        assert_eq!(idn.display_domain, "例え.jp");
        assert_eq!(idn.display(), "user@例え.jp");
        let de = parse_email("kunde@bücher.de").unwrap();
        assert_eq!(de.domain, "xn--bcher-kva.de");
    }

    #[test]
    fn carrier_addresses_with_odd_dots_are_accepted() {
        assert!(parse_email("taro..yamada.@docomo.ne.jp").is_ok());
    }

    #[test]
    fn malformed_addresses_say_why() {
        for (input, why) in [
            ("", "empty"),
            ("user.example.jp", "no \"@\""),
            ("@example.jp", "nothing before"),
            ("user@", "nothing after"),
            ("a@b@example.jp", "more than one"),
            ("user@localhost", "no dot"),
            ("user@exa mple.jp", "not a valid domain"),
            ("us er@example.jp", "spaces"),
            ("user@192.0.2.1", "IP address"),
            ("user@-bad.jp", "not a valid"),
            ("user@example.123", "not a valid domain"),
        ] {
            let err = parse_email(input).unwrap_err().0;
            assert!(err.contains(why), "{input:?}: {err}");
        }
    }

    #[test]
    fn host_port_forms() {
        assert_eq!(
            parse_host_port("imap.example.jp:993").unwrap(),
            HostPort {
                host: "imap.example.jp".into(),
                port: Some(993)
            }
        );
        assert_eq!(
            parse_host_port("IMAP.Example.JP").unwrap().host,
            "imap.example.jp"
        );
        assert_eq!(parse_host_port("[::1]:143").unwrap().host, "::1");
        assert_eq!(parse_host_port("::1").unwrap().port, None);
        assert_eq!(parse_host_port("127.0.0.1:25").unwrap().port, Some(25));
        let idn = parse_host_port("メール.例え.jp:993").unwrap();
        assert!(idn.host.starts_with("xn--"), "{}", idn.host);
        assert!(idn.host.ends_with(".xn--r8jz45g.jp"), "{}", idn.host);
        assert_eq!(idn.port, Some(993));
    }

    #[test]
    fn bad_hosts_say_why() {
        for (input, why) in [
            ("", "empty"),
            ("imap.example.jp:0", "port number"),
            ("imap.example.jp:99999", "port number"),
            ("imap.example.jp:abc", "port number"),
            ("https://imap.example.jp", "URL"),
            ("user@example.jp", "email address"),
            ("bad host", "not a valid host"),
            ("[::1", "missing"),
        ] {
            let err = parse_host_port(input).unwrap_err().0;
            assert!(err.contains(why), "{input:?}: {err}");
        }
    }
}
