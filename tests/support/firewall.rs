//! Silently dropped packets (a "filtered" port): nftables inside the test namespace. A connect to
//! a dropped address/port hangs until the client's own timeout.

use super::bin;
use std::net::Ipv4Addr;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static TABLES: AtomicU32 = AtomicU32::new(0);

/// Drops outgoing TCP packets to an address (optionally one port) while alive.
pub struct Firewall {
    table: String,
}

impl Firewall {
    /// Drops every TCP packet to `ip`, or only to `ip:port`.
    pub fn drop_tcp(ip: Ipv4Addr, port: Option<u16>) -> Firewall {
        Firewall::install(ip, port, "drop")
    }

    /// Answers every TCP connection to `ip:port` with a reset, as a network that blocks a
    /// port by rejecting it does (the connection is refused at once).
    pub fn reject_tcp(ip: Ipv4Addr, port: u16) -> Firewall {
        Firewall::install(ip, Some(port), "reject with tcp reset")
    }

    fn install(ip: Ipv4Addr, port: Option<u16>, verdict: &str) -> Firewall {
        super::require_netns();
        let table = format!(
            "mailcfg_drop_{}_{}",
            std::process::id(),
            TABLES.fetch_add(1, Ordering::SeqCst)
        );
        let port_match = port.map(|p| format!("tcp dport {p} ")).unwrap_or_default();
        let rules = format!(
            "table ip {table} {{\n  chain out {{\n    type filter hook output priority 0; policy accept;\n    \
             ip daddr {ip} ip protocol tcp {port_match}{verdict}\n  }}\n}}\n"
        );
        let out = Command::new(bin("nft"))
            .args(["-f", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(rules.as_bytes())?;
                child.wait_with_output()
            })
            .expect("run nft (is nftables installed? .ci/run installs it)");
        assert!(
            out.status.success(),
            "nft failed: {}\n{rules}",
            String::from_utf8_lossy(&out.stderr)
        );
        Firewall { table }
    }
}

impl Drop for Firewall {
    fn drop(&mut self) {
        let _ = Command::new(bin("nft"))
            .args(["delete", "table", "ip", &self.table])
            .status();
    }
}
