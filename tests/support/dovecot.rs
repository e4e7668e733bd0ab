//! A private Dovecot (IMAP + POP3) instance: `dovecot -F -c <tempdir>/dovecot.conf`.

use super::{
    CertFiles, STARTUP_TIMEOUT, bin, mkdir_owned, port_open, read_greeting, read_lossy,
    send_signal, service_tempdir, wait_child,
};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Dovecot's `ssl` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ssl {
    /// `ssl = no`: no TLS at all (implicit-TLS ports are not allowed, no STARTTLS).
    No,
    /// `ssl = yes`: TLS available (STARTTLS on 143/110, implicit TLS on 993/995).
    Yes,
    /// `ssl = required`: no authentication of any kind before TLS.
    Required,
}

#[derive(Clone, Debug)]
pub struct DovecotConfig {
    /// Address to listen on (`listen = ip`); use [`super::next_ip`].
    pub ip: Ipv4Addr,
    /// Certificate and key; required unless `ssl` is [`Ssl::No`].
    pub cert: Option<CertFiles>,
    /// IMAP with implicit TLS (usually 993).
    pub imaps_port: Option<u16>,
    /// Plaintext IMAP, STARTTLS offered when `ssl` is not No (usually 143).
    pub imap_port: Option<u16>,
    /// POP3 with implicit TLS (usually 995).
    pub pop3s_port: Option<u16>,
    /// Plaintext POP3, STLS offered when `ssl` is not No (usually 110).
    pub pop3_port: Option<u16>,
    /// Must agree with `ssl`: Dovecot 2.3 offers STARTTLS on every plaintext listener whenever
    /// TLS is enabled, so `starttls: false` needs `ssl: Ssl::No` (checked at start).
    pub starttls: bool,
    pub ssl: Ssl,
    /// `disable_plaintext_auth`: with `ssl: No` this gives an IMAP server advertising
    /// LOGINDISABLED (and POP3 without USER) that can never be logged in to.
    pub disable_plaintext_auth: bool,
    /// (user, password) pairs for the passwd-file.
    pub users: Vec<(String, String)>,
    /// Also offer CRAM-MD5 (besides PLAIN and LOGIN).
    pub cram_md5: bool,
    /// Expose an auth socket for Postfix SASL ([`Dovecot::auth_socket`]).
    pub auth_socket: bool,
    /// Accept mail over LMTP on a unix socket ([`Dovecot::lmtp_socket`]), delivering into the
    /// users' Maildirs ([`Dovecot::maildir`]): Postfix hands its mail over there.
    pub lmtp: bool,
}

impl DovecotConfig {
    /// IMAP 993 + 143 (STARTTLS), POP3 995 + 110 (STLS), `ssl = yes`,
    /// `disable_plaintext_auth = yes`, one user `alice` / `secret`.
    pub fn new(ip: Ipv4Addr, cert: CertFiles) -> DovecotConfig {
        DovecotConfig {
            ip,
            cert: Some(cert),
            imaps_port: Some(993),
            imap_port: Some(143),
            pop3s_port: Some(995),
            pop3_port: Some(110),
            starttls: true,
            ssl: Ssl::Yes,
            disable_plaintext_auth: true,
            users: vec![("alice".into(), "secret".into())],
            cram_md5: false,
            auth_socket: false,
            lmtp: false,
        }
    }

    /// No TLS at all: plaintext IMAP 143 and POP3 110 only, login allowed in the clear
    /// (`ssl = no`, `disable_plaintext_auth = no`).
    pub fn plaintext(ip: Ipv4Addr) -> DovecotConfig {
        DovecotConfig {
            ip,
            cert: None,
            imaps_port: None,
            imap_port: Some(143),
            pop3s_port: None,
            pop3_port: Some(110),
            starttls: false,
            ssl: Ssl::No,
            disable_plaintext_auth: false,
            users: vec![("alice".into(), "secret".into())],
            cram_md5: false,
            auth_socket: false,
            lmtp: false,
        }
    }
}

/// A running Dovecot; stopped (whole process group) when dropped.
pub struct Dovecot {
    config: DovecotConfig,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Dovecot {
    pub fn start(config: DovecotConfig) -> Dovecot {
        if config.ssl == Ssl::No {
            assert!(
                config.imaps_port.is_none() && config.pop3s_port.is_none(),
                "Dovecot: implicit-TLS ports need ssl = Yes or Required"
            );
            assert!(
                !config.starttls,
                "Dovecot: starttls needs ssl = Yes or Required"
            );
        } else {
            assert!(
                config.cert.is_some(),
                "Dovecot: ssl = {:?} needs a certificate",
                config.ssl
            );
            assert!(
                config.starttls,
                "Dovecot 2.3 cannot turn STARTTLS off while TLS is on: use ssl = Ssl::No, and for \
                 993 plus a STARTTLS-less 143 start a second instance on the same ip"
            );
        }
        let any_imap = config.imaps_port.is_some() || config.imap_port.is_some();
        let any_pop3 = config.pop3s_port.is_some() || config.pop3_port.is_some();
        assert!(any_imap || any_pop3, "Dovecot: no port configured");

        let dir = service_tempdir("mailcfg-dovecot-");
        let d = dir.path();
        mkdir_owned(&d.join("home"), "nobody");
        let mut passwd = String::new();
        for (user, pass) in &config.users {
            writeln!(passwd, "{user}:{{PLAIN}}{pass}").unwrap();
        }
        std::fs::write(d.join("passwd"), passwd).unwrap();

        let conf_path = d.join("dovecot.conf");
        std::fs::write(&conf_path, render_config(&config, d)).unwrap();
        let stderr = std::fs::File::create(d.join("stderr.log")).unwrap();
        let child = Command::new(bin("dovecot"))
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(stderr.try_clone().unwrap())
            .stderr(stderr)
            .process_group(0)
            .spawn()
            .expect("spawn dovecot (is it installed? .ci/run installs it)");
        let mut dovecot = Dovecot {
            config,
            child: Some(child),
            dir,
        };
        dovecot.wait_ready();
        dovecot
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let ip = self.config.ip;
        let plain = self.config.imap_port.or(self.config.pop3_port);
        let tls = self.config.imaps_port.or(self.config.pop3s_port);
        loop {
            let ready = match (plain, tls) {
                (Some(p), _) => read_greeting(SocketAddr::from((ip, p)))
                    .is_some_and(|g| g.starts_with("* OK") || g.starts_with("+OK")),
                // The master binds every listener before it starts serving, so an accepted
                // connection on the TLS port means the instance is up.
                (None, Some(p)) => port_open(SocketAddr::from((ip, p))),
                (None, None) => unreachable!(),
            };
            if ready {
                return;
            }
            let exited = self.child.as_mut().unwrap().try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let why = match exited {
                    Some(status) => format!("dovecot exited ({status})"),
                    None => format!("dovecot not ready after {STARTUP_TIMEOUT:?}"),
                };
                self.stop();
                panic!(
                    "{why} on {ip}\n--- dovecot.conf ---\n{}\n--- stderr ---\n{}\n--- dovecot.log ---\n{}",
                    read_lossy(&self.dir.path().join("dovecot.conf")),
                    read_lossy(&self.dir.path().join("stderr.log")),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn ip(&self) -> Ipv4Addr {
        self.config.ip
    }

    pub fn config(&self) -> &DovecotConfig {
        &self.config
    }

    fn addr(&self, port: Option<u16>, what: &str) -> SocketAddr {
        SocketAddr::from((
            self.config.ip,
            port.unwrap_or_else(|| panic!("Dovecot has no {what} port")),
        ))
    }
    pub fn imaps_addr(&self) -> SocketAddr {
        self.addr(self.config.imaps_port, "imaps")
    }
    pub fn imap_addr(&self) -> SocketAddr {
        self.addr(self.config.imap_port, "imap")
    }
    pub fn pop3s_addr(&self) -> SocketAddr {
        self.addr(self.config.pop3s_port, "pop3s")
    }
    pub fn pop3_addr(&self) -> SocketAddr {
        self.addr(self.config.pop3_port, "pop3")
    }

    /// The auth socket for Postfix (`smtpd_sasl_path`); needs `auth_socket: true`.
    pub fn auth_socket(&self) -> PathBuf {
        assert!(
            self.config.auth_socket,
            "Dovecot started without auth_socket"
        );
        self.dir.path().join("auth-postfix")
    }

    /// The LMTP socket for Postfix (`virtual_transport = lmtp:unix:…`); needs `lmtp: true`.
    pub fn lmtp_socket(&self) -> PathBuf {
        assert!(self.config.lmtp, "Dovecot started without lmtp");
        self.dir.path().join("lmtp")
    }

    /// The Maildir of `user` (`mail_location = maildir:~/Maildir`).
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("home").join(user).join("Maildir")
    }

    /// The instance's directory (config, passwd, homes, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Dovecot's log so far.
    pub fn log(&self) -> String {
        read_lossy(&self.dir.path().join("dovecot.log"))
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // TERM to the whole group: master, log, auth, login processes exit at once
            // (`dovecot stop` would take more than a second waiting for the log process).
            send_signal(child.id(), "TERM", true);
            if !wait_child(&mut child, Duration::from_secs(3)) {
                send_signal(child.id(), "KILL", true);
                let _ = child.wait();
            }
            // Stragglers (a mail process finishing a command) get KILL.
            send_signal(child.id(), "KILL", true);
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

fn render_config(c: &DovecotConfig, d: &Path) -> String {
    let d = d.display();
    let mut protocols = Vec::new();
    if c.imaps_port.is_some() || c.imap_port.is_some() {
        protocols.push("imap");
    }
    if c.pop3s_port.is_some() || c.pop3_port.is_some() {
        protocols.push("pop3");
    }
    if c.lmtp {
        protocols.push("lmtp");
    }
    let ssl = match c.ssl {
        Ssl::No => "no",
        Ssl::Yes => "yes",
        Ssl::Required => "required",
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mechs = if c.cram_md5 {
        "plain login cram-md5"
    } else {
        "plain login"
    };
    let port = |p: Option<u16>| p.unwrap_or(0);
    let mut s = format!(
        r#"# generated by tests/support/dovecot.rs
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
instance_name = mailcfg-test-{ip}
listen = {ip}
protocols = {protocols}
ssl = {ssl}
disable_plaintext_auth = {dpa}
auth_mechanisms = {mechs}
auth_failure_delay = 0
auth_verbose = yes
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/home/%u
}}
# no growing per-IP penalty after failed logins
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
protocol pop3 {{
  mail_max_userip_connections = 1000
}}
"#,
        ip = c.ip,
        protocols = protocols.join(" "),
        dpa = yes_no(c.disable_plaintext_auth),
        imap = port(c.imap_port),
        imaps = port(c.imaps_port),
        pop3 = port(c.pop3_port),
        pop3s = port(c.pop3s_port),
    );
    if let Some(cert) = &c.cert {
        writeln!(s, "ssl_cert = <{}", cert.cert.display()).unwrap();
        writeln!(s, "ssl_key = <{}", cert.key.display()).unwrap();
    }
    if c.lmtp {
        write!(
            s,
            "service lmtp {{\n  unix_listener {d}/lmtp {{\n    mode = 0666\n  }}\n}}\n"
        )
        .unwrap();
    }
    if c.auth_socket {
        write!(
            s,
            "service auth {{\n  unix_listener {d}/auth-postfix {{\n    mode = 0660\n    \
             user = postfix\n    group = postfix\n  }}\n}}\n"
        )
        .unwrap();
    }
    s
}
