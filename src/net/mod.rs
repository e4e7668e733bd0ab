//! Network plumbing shared by the fetchers: an HTTP client with mailcfg's safety rules.

pub mod http;
#[cfg(test)]
pub(crate) mod test_server;
