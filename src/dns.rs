//! DNS lookups: host addresses, MX, SRV and CNAME records.
//!
//! This is the only file that names hickory-resolver; its API changes between minor
//! versions, so the rest of mailcfg sees only [`Dns`], [`MxRecord`], [`SrvRecord`] and
//! [`DnsFailure`].

use crate::dns_cache::{BoundedMap, DnsCache};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Why a lookup gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsFailure {
    #[error("the name does not exist (NXDOMAIN)")]
    NoSuchName,
    #[error("the DNS server did not answer in time")]
    Timeout,
    #[error("{0}")]
    Other(String),
}

/// A mail exchanger.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct MxRecord {
    pub preference: u16,
    /// Lower case, without the trailing dot.
    pub host: String,
}

/// One SRV answer (RFC 2782).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// Lower case, without the trailing dot; "" for the "." target that means
    /// "this service is not offered" (RFC 2782).
    pub target: String,
}

impl SrvRecord {
    pub fn new(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port,
            target: normalise_name(target),
        }
    }
}

/// A resolver: the system's, or one explicit server (`--dns-server`).
pub struct Dns {
    explicit: Option<TokioResolver>,
    /// Built on first use: reading /etc/resolv.conf must not fail commands that never need it.
    system: OnceLock<Result<TokioResolver, String>>,
    timeout: Duration,
    /// Every host's addresses as last resolved, so that callers can tell which names lead
    /// to the same server (detect's cut-off does). Bounded: a batch resolves many hosts.
    seen: Mutex<BoundedMap<String, Vec<IpAddr>>>,
    /// Answers reused across lookups (`batch`); None asks every time.
    cache: Option<DnsCache>,
}

/// Answers hickory's own cache keeps.
const RESOLVER_CACHE: u64 = 256;

/// Hosts whose addresses `addresses_seen` remembers.
const SEEN_CAPACITY: usize = 4096;

impl Dns {
    /// Use the system configuration. Host addresses go through the C library (so
    /// /etc/hosts and nsswitch apply, as for a mail client); MX and SRV through
    /// /etc/resolv.conf.
    pub fn system(timeout: Duration) -> Dns {
        Dns {
            explicit: None,
            system: OnceLock::new(),
            timeout,
            seen: Mutex::new(BoundedMap::new(SEEN_CAPACITY)),
            cache: None,
        }
    }

    /// Send every query to `server` (UDP, then TCP for truncated answers).
    pub fn with_server(server: SocketAddr, timeout: Duration) -> Result<Dns, DnsFailure> {
        let mut name_server = NameServerConfig::udp_and_tcp(server.ip());
        for connection in &mut name_server.connections {
            connection.port = server.port();
        }
        let config = ResolverConfig::from_name_servers(vec![name_server]);
        let resolver = build(config, options(timeout))?;
        Ok(Dns {
            explicit: Some(resolver),
            system: OnceLock::new(),
            timeout,
            seen: Mutex::new(BoundedMap::new(SEEN_CAPACITY)),
            cache: None,
        })
    }

    /// Reuse answers across lookups, keeping at most `capacity` names per record type
    /// (see `dns_cache`).
    pub fn with_cache(mut self, capacity: usize) -> Dns {
        self.cache = Some(DnsCache::new(capacity));
        self
    }

    /// Read the system configuration now, so that a command which needs it can refuse to
    /// run with a clear message instead of reporting every lookup as failed.
    pub fn check_system_config(&self) -> Result<(), DnsFailure> {
        self.resolver().map(|_| ())
    }

    fn resolver(&self) -> Result<&TokioResolver, DnsFailure> {
        if let Some(resolver) = &self.explicit {
            return Ok(resolver);
        }
        let timeout = self.timeout;
        self.system
            .get_or_init(|| {
                let (config, mut opts) = hickory_resolver::system_conf::read_system_conf()
                    .map_err(|e| format!("cannot read the system DNS configuration: {e}"))?;
                opts.timeout = timeout;
                opts.attempts = 1;
                opts.cache_size = RESOLVER_CACHE;
                build(config, opts).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| DnsFailure::Other(e.clone()))
    }

    /// The addresses of `host` (IPv4 first: it is what most mail servers answer on).
    pub async fn ips(&self, host: &str) -> Result<Vec<IpAddr>, DnsFailure> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        match &self.cache {
            Some(cache) => cache.ips.through(host, self.ips_uncached(host)).await,
            None => self.ips_uncached(host).await,
        }
    }

    async fn ips_uncached(&self, host: &str) -> Result<Vec<IpAddr>, DnsFailure> {
        let mut ips: Vec<IpAddr> = match &self.explicit {
            Some(resolver) => {
                let fqdn = absolute(host);
                match tokio::time::timeout(self.timeout, resolver.lookup_ip(fqdn.as_str())).await {
                    Err(_) => return Err(DnsFailure::Timeout),
                    Ok(Err(e)) => return Err(classify(e)),
                    Ok(Ok(lookup)) => lookup.iter().collect(),
                }
            }
            None => {
                let lookup = tokio::net::lookup_host((host, 0));
                match tokio::time::timeout(self.timeout, lookup).await {
                    Err(_) => return Err(DnsFailure::Timeout),
                    Ok(Err(e)) => return Err(classify_getaddrinfo(&e)),
                    Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
                }
            }
        };
        ips.sort_by_key(|ip| ip.is_ipv6());
        ips.dedup();
        if ips.is_empty() {
            return Err(DnsFailure::NoSuchName);
        }
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(host.to_ascii_lowercase(), ips.clone());
        }
        Ok(ips)
    }

    /// The addresses `host` resolved to in an earlier lookup; empty when it was not
    /// looked up (or did not resolve).
    pub fn addresses_seen(&self, host: &str) -> Vec<IpAddr> {
        self.seen
            .lock()
            .ok()
            .and_then(|mut seen| seen.get(&host.to_ascii_lowercase()).cloned())
            .unwrap_or_default()
    }

    /// MX records, best (lowest preference) first. No records is an empty list.
    pub async fn mx(&self, domain: &str) -> Result<Vec<MxRecord>, DnsFailure> {
        match &self.cache {
            Some(cache) => cache.mx.through(domain, self.mx_uncached(domain)).await,
            None => self.mx_uncached(domain).await,
        }
    }

    async fn mx_uncached(&self, domain: &str) -> Result<Vec<MxRecord>, DnsFailure> {
        let resolver = self.resolver()?;
        let lookup = tokio::time::timeout(self.timeout, resolver.mx_lookup(absolute(domain))).await;
        let lookup = match lookup {
            Err(_) => return Err(DnsFailure::Timeout),
            Ok(Err(e)) => return empty_or_failure(e),
            Ok(Ok(lookup)) => lookup,
        };
        let mut records: Vec<MxRecord> = lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::MX(mx) => Some(MxRecord {
                    preference: mx.preference,
                    host: normalise_name(&mx.exchange.to_ascii()),
                }),
                _ => None,
            })
            .collect();
        records.sort();
        records.dedup();
        Ok(records)
    }

    /// SRV records for `name` (e.g. `_imaps._tcp.example.com`), in the order they came.
    /// No records is an empty list.
    pub async fn srv(&self, name: &str) -> Result<Vec<SrvRecord>, DnsFailure> {
        match &self.cache {
            Some(cache) => cache.srv.through(name, self.srv_uncached(name)).await,
            None => self.srv_uncached(name).await,
        }
    }

    async fn srv_uncached(&self, name: &str) -> Result<Vec<SrvRecord>, DnsFailure> {
        let resolver = self.resolver()?;
        let lookup = tokio::time::timeout(self.timeout, resolver.srv_lookup(absolute(name))).await;
        let lookup = match lookup {
            Err(_) => return Err(DnsFailure::Timeout),
            Ok(Err(e)) => return empty_or_failure(e),
            Ok(Ok(lookup)) => lookup,
        };
        Ok(lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::SRV(srv) => Some(SrvRecord::new(
                    srv.priority,
                    srv.weight,
                    srv.port,
                    &srv.target.to_ascii(),
                )),
                _ => None,
            })
            .collect())
    }

    /// The canonical name of `host` when it is an alias (a CNAME record), else None. The
    /// chain is followed as the server returns it; the last target is the canonical name.
    pub async fn canonical_name(&self, host: &str) -> Result<Option<String>, DnsFailure> {
        match &self.cache {
            Some(cache) => cache.cname.through(host, self.cname_uncached(host)).await,
            None => self.cname_uncached(host).await,
        }
    }

    async fn cname_uncached(&self, host: &str) -> Result<Option<String>, DnsFailure> {
        let resolver = self.resolver()?;
        let lookup = resolver.lookup(absolute(host), RecordType::CNAME);
        let lookup = match tokio::time::timeout(self.timeout, lookup).await {
            Err(_) => return Err(DnsFailure::Timeout),
            Ok(Err(e)) => return empty_or_failure::<()>(e).map(|_| None),
            Ok(Ok(lookup)) => lookup,
        };
        Ok(lookup
            .answers()
            .iter()
            .rev()
            .find_map(|record| match &record.data {
                RData::CNAME(target) => Some(normalise_name(&target.0.to_ascii())),
                _ => None,
            }))
    }
}

fn options(timeout: Duration) -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 1;
    // Search domains would turn "imap.example.jp" into "imap.example.jp.corp.local" on a miss.
    opts.ndots = 0;
    // One detect asks for a few dozen names; a batch has `dns_cache` in front, bounded
    // itself. hickory's default (8,192 answers) would grow a batch's memory for minutes.
    opts.cache_size = RESOLVER_CACHE;
    opts
}

fn build(config: ResolverConfig, opts: ResolverOpts) -> Result<TokioResolver, DnsFailure> {
    TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(opts)
        .build()
        .map_err(|e| DnsFailure::Other(format!("cannot set up the DNS resolver: {e}")))
}

/// A fully qualified name, so no search domain is ever appended.
fn absolute(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

fn normalise_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// "No records" is an answer (an empty list), not a failure; NXDOMAIN is a failure the
/// caller can report.
fn empty_or_failure<T>(error: NetError) -> Result<Vec<T>, DnsFailure> {
    match classify(error) {
        DnsFailure::Other(message) if message == NO_DATA => Ok(Vec::new()),
        other => Err(other),
    }
}

const NO_DATA: &str = "no records";

fn classify(error: NetError) -> DnsFailure {
    match error {
        NetError::Dns(DnsError::NoRecordsFound(no_records)) => {
            if no_records.response_code == ResponseCode::NXDomain {
                DnsFailure::NoSuchName
            } else {
                DnsFailure::Other(NO_DATA.to_string())
            }
        }
        NetError::Timeout => DnsFailure::Timeout,
        other => DnsFailure::Other(other.to_string()),
    }
}

fn classify_getaddrinfo(error: &std::io::Error) -> DnsFailure {
    let text = error.to_string();
    if text.contains("not known") || text.contains("No address associated") {
        DnsFailure::NoSuchName
    } else if text.contains("Temporary failure") {
        DnsFailure::Timeout
    } else {
        DnsFailure::Other(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_absolute_once() {
        assert_eq!(absolute("example.jp"), "example.jp.");
        assert_eq!(absolute("example.jp."), "example.jp.");
        assert_eq!(normalise_name("MX1.Example.JP."), "mx1.example.jp");
    }

    #[tokio::test]
    async fn ip_literals_need_no_lookup() {
        let dns = Dns::system(Duration::from_secs(1));
        assert_eq!(
            dns.ips("127.0.0.9").await,
            Ok(vec!["127.0.0.9".parse::<IpAddr>().unwrap()])
        );
    }
}
