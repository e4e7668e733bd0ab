//! Settings shared by the networked commands: timeouts, the resolver, trust anchors.

use crate::cli::NetworkArgs;
use crate::dns::Dns;
use crate::exit::CommandError;
use crate::probe::tls::TlsContext;
use crate::probe::{ProbeOptions, Prober};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Validated network settings.
pub struct Network {
    pub step_timeout: Duration,
    pub dns: Arc<Dns>,
    pub tls: TlsContext,
}

/// Check the network options and build the resolver and TLS trust anchors.
pub fn network(args: &NetworkArgs) -> Result<Network, CommandError> {
    let step_timeout = seconds("--timeout", args.timeout)?;
    let dns = match &args.dns_server {
        Some(server) => {
            let addr = parse_dns_server(server)?;
            Dns::with_server(addr, step_timeout)
                .map_err(|e| CommandError::Failure(e.to_string()))?
        }
        None => Dns::system(step_timeout),
    };
    let tls =
        TlsContext::new(args.ca_file.as_deref()).map_err(|e| CommandError::Usage(e.to_string()))?;
    Ok(Network {
        step_timeout,
        dns: Arc::new(dns),
        tls,
    })
}

impl Network {
    /// The probe engine with these settings.
    pub fn prober(&self) -> Prober {
        let options = ProbeOptions {
            step_timeout: self.step_timeout,
            ..ProbeOptions::default()
        };
        Prober::new(self.dns.clone(), self.tls.clone(), options)
    }
}

/// A positive, finite number of seconds.
pub fn seconds(flag: &str, value: f64) -> Result<Duration, CommandError> {
    if !value.is_finite() || value <= 0.0 || value > 3600.0 {
        return Err(CommandError::Usage(format!(
            "{flag} must be a number of seconds between 0 and 3600, not {value}"
        )));
    }
    Ok(Duration::from_secs_f64(value))
}

/// `IP`, `IP:PORT` or `[IPv6]:PORT`; port 53 by default.
pub fn parse_dns_server(text: &str) -> Result<SocketAddr, CommandError> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = text
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
    {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(CommandError::Usage(format!(
        "--dns-server wants an IP address with an optional port (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53), not \"{text}\""
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_server_forms() {
        assert_eq!(parse_dns_server("127.0.0.1").unwrap().port(), 53);
        assert_eq!(parse_dns_server("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(parse_dns_server("[::1]:54").unwrap().port(), 54);
        assert_eq!(parse_dns_server("::1").unwrap().port(), 53);
        assert!(parse_dns_server("dns.example").is_err());
    }

    #[test]
    fn timeouts_must_be_sane() {
        assert!(seconds("--timeout", 0.0).is_err());
        assert!(seconds("--timeout", f64::NAN).is_err());
        assert!(seconds("--timeout", -1.0).is_err());
        assert_eq!(
            seconds("--timeout", 2.5).unwrap(),
            Duration::from_millis(2500)
        );
    }
}
