//! The one integration-test binary: real Dovecot, Postfix and dnsmasq, an in-process
//! HTTPS server and hostile servers, all inside the network namespace `scripts/test`
//! creates. `support/` owns the servers; `cases/` holds the tests.

mod cases;
mod support;
