//! A private Postfix instance: `postfix -c <tempdir>/conf start-fg`, every directory in the
//! tempdir, every smtpd bound to `ip:port` explicitly.

use super::{
    CertFiles, STARTUP_TIMEOUT, bin, mkdir_owned, port_open, read_greeting, read_lossy,
    send_signal, service_tempdir, wait_child,
};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct PostfixConfig {
    /// Address every smtpd binds; use [`super::next_ip`].
    pub ip: Ipv4Addr,
    /// Certificate and key; required for STARTTLS and for the 465 port.
    pub cert: Option<CertFiles>,
    /// Plain SMTP relay port (usually 25): STARTTLS when `starttls`, never AUTH.
    pub smtp_port: Option<u16>,
    /// Submission (usually 587): with `starttls`, TLS is required (`smtpd_tls_security_level =
    /// encrypt`) and AUTH is offered only after STARTTLS; without `starttls`, no TLS and AUTH is
    /// offered in the clear. AUTH needs `sasl_dovecot_socket`.
    pub submission_port: Option<u16>,
    /// Implicit TLS submission (usually 465, `smtpd_tls_wrappermode = yes`), AUTH when
    /// `sasl_dovecot_socket` is set.
    pub smtps_port: Option<u16>,
    /// Offer STARTTLS on `smtp_port` and `submission_port`.
    pub starttls: bool,
    /// Dovecot's auth socket ([`super::Dovecot::auth_socket`]) for SASL AUTH.
    pub sasl_dovecot_socket: Option<PathBuf>,
    /// `myhostname`, shown in the banner and the EHLO reply.
    pub hostname: String,
    /// Accept mail for this domain (any local part) and hand it to Dovecot over LMTP
    /// ([`super::Dovecot::lmtp_socket`]), so a message sent through Postfix lands in the
    /// Dovecot mailbox.
    pub deliver_to_dovecot: Option<LmtpDelivery>,
}

/// `virtual_mailbox_domains = domain`, `virtual_transport = lmtp:unix:socket`.
#[derive(Clone, Debug)]
pub struct LmtpDelivery {
    pub domain: String,
    pub socket: PathBuf,
}

impl PostfixConfig {
    /// 25 (STARTTLS), 587 (STARTTLS required, AUTH after it), 465 (implicit TLS, AUTH).
    pub fn new(ip: Ipv4Addr, cert: CertFiles, sasl_dovecot_socket: PathBuf) -> PostfixConfig {
        PostfixConfig {
            ip,
            cert: Some(cert),
            smtp_port: Some(25),
            submission_port: Some(587),
            smtps_port: Some(465),
            starttls: true,
            sasl_dovecot_socket: Some(sasl_dovecot_socket),
            hostname: "mail.example.test".into(),
            deliver_to_dovecot: None,
        }
    }

    /// Plain SMTP on 25 only: no TLS, no AUTH.
    pub fn plaintext(ip: Ipv4Addr) -> PostfixConfig {
        PostfixConfig {
            ip,
            cert: None,
            smtp_port: Some(25),
            submission_port: None,
            smtps_port: None,
            starttls: false,
            sasl_dovecot_socket: None,
            hostname: "mail.example.test".into(),
            deliver_to_dovecot: None,
        }
    }
}

/// A running Postfix; `postfix stop` (and KILL if needed) when dropped.
pub struct Postfix {
    config: PostfixConfig,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Postfix {
    pub fn start(config: PostfixConfig) -> Postfix {
        assert!(
            config.smtp_port.is_some()
                || config.submission_port.is_some()
                || config.smtps_port.is_some(),
            "Postfix: no port configured"
        );
        assert!(
            config.cert.is_some() || (!config.starttls && config.smtps_port.is_none()),
            "Postfix: STARTTLS and port 465 need a certificate"
        );
        if let Some(cert) = &config.cert {
            // smtpd only reads them when a client connects; fail here instead.
            for f in [&cert.cert, &cert.key] {
                assert!(f.is_file(), "Postfix: cannot read {}", f.display());
            }
        }
        let dir = service_tempdir("mailcfg-postfix-");
        let d = dir.path();
        std::fs::create_dir(d.join("conf")).unwrap();
        // The queue directory belongs to root; postfix-script creates its subdirectories
        // (owned by postfix) at start. The data directory must belong to postfix.
        std::fs::create_dir(d.join("queue")).unwrap();
        mkdir_owned(&d.join("data"), "postfix");
        std::fs::write(d.join("conf/main.cf"), main_cf(&config, d)).unwrap();
        std::fs::write(d.join("conf/master.cf"), master_cf(&config)).unwrap();
        // Postfix re-reads a "hot" main.cf (modified within the last two seconds) every 300 ms
        // until it cools down, which delays each postfix/postconf command; backdate the files.
        let past = std::time::SystemTime::now() - Duration::from_secs(60);
        for f in ["conf/main.cf", "conf/master.cf"] {
            std::fs::File::options()
                .write(true)
                .open(d.join(f))
                .and_then(|file| file.set_modified(past))
                .unwrap();
        }

        let stderr = std::fs::File::create(d.join("stderr.log")).unwrap();
        let child = Command::new(bin("postfix"))
            .arg("-c")
            .arg(d.join("conf"))
            .arg("start-fg")
            .stdin(Stdio::null())
            .stdout(stderr.try_clone().unwrap())
            .stderr(stderr)
            .spawn()
            .expect("spawn postfix (is it installed? .ci/run installs it)");
        let mut postfix = Postfix {
            config,
            child: Some(child),
            dir,
        };
        postfix.wait_ready();
        postfix
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let ip = self.config.ip;
        let plain = self.config.smtp_port.or(self.config.submission_port);
        loop {
            let ready = match plain {
                Some(p) => {
                    read_greeting(SocketAddr::from((ip, p))).is_some_and(|g| g.starts_with("220"))
                }
                // master binds all listeners before serving any.
                None => port_open(SocketAddr::from((ip, self.config.smtps_port.unwrap()))),
            };
            if ready {
                return;
            }
            let exited = self.child.as_mut().unwrap().try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let why = match exited {
                    Some(status) => format!("postfix exited ({status})"),
                    None => format!("postfix not ready after {STARTUP_TIMEOUT:?}"),
                };
                self.stop();
                let d = self.dir.path();
                panic!(
                    "{why} on {ip}\n--- main.cf ---\n{}\n--- master.cf ---\n{}\n--- stderr ---\n{}\n--- maillog ---\n{}",
                    read_lossy(&d.join("conf/main.cf")),
                    read_lossy(&d.join("conf/master.cf")),
                    read_lossy(&d.join("stderr.log")),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn ip(&self) -> Ipv4Addr {
        self.config.ip
    }

    pub fn config(&self) -> &PostfixConfig {
        &self.config
    }

    fn addr(&self, port: Option<u16>, what: &str) -> SocketAddr {
        SocketAddr::from((
            self.config.ip,
            port.unwrap_or_else(|| panic!("Postfix has no {what} port")),
        ))
    }
    pub fn smtp_addr(&self) -> SocketAddr {
        self.addr(self.config.smtp_port, "smtp")
    }
    pub fn submission_addr(&self) -> SocketAddr {
        self.addr(self.config.submission_port, "submission")
    }
    pub fn smtps_addr(&self) -> SocketAddr {
        self.addr(self.config.smtps_port, "smtps")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Postfix's log so far (`maillog_file`, written by postlogd).
    pub fn log(&self) -> String {
        read_lossy(&self.dir.path().join("maillog"))
    }

    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let d = self.dir.path();
        // The master (started with setsid by postfix-script, so its own process group) writes
        // its pid here; `postfix stop` signals it and the master takes its children down.
        let master_pid: Option<u32> = std::fs::read_to_string(d.join("queue/pid/master.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok());
        let _ = Command::new(bin("postfix"))
            .arg("-c")
            .arg(d.join("conf"))
            .arg("stop")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        // Our child is postfix-script, which waits for the master: its exit means the master is
        // gone.
        if !wait_child(&mut child, Duration::from_secs(5)) {
            if let Some(pid) = master_pid {
                send_signal(pid, "KILL", true);
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(pid) = master_pid {
            // smtpd processes still serving a connection
            send_signal(pid, "KILL", true);
        }
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        self.stop();
    }
}

fn main_cf(c: &PostfixConfig, d: &Path) -> String {
    let d = d.display();
    let domain = c
        .hostname
        .split_once('.')
        .map(|(_, rest)| rest)
        .unwrap_or("example.test");
    let mut s = format!(
        r#"# generated by tests/support/postfix.rs
compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
# no syslog here: postlogd writes this file (needs the postlog service in master.cf)
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
# Postfix accepts only addresses configured on an interface in inet_interfaces, and in the
# namespace only 127.0.0.1 is; every service in master.cf binds ip:port explicitly instead.
inet_interfaces = all
inet_protocols = ipv4
myhostname = {host}
mydomain = {domain}
myorigin = $myhostname
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
readme_directory = no
smtpd_banner = $myhostname ESMTP Postfix (mailcfg test)
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_security_level = {level}
smtpd_sasl_auth_enable = no
"#,
        host = c.hostname,
        level = if c.starttls { "may" } else { "none" },
    );
    if let Some(cert) = &c.cert {
        writeln!(
            s,
            "smtpd_tls_chain_files = {}, {}",
            cert.key.display(),
            cert.cert.display()
        )
        .unwrap();
    }
    if let Some(lmtp) = &c.deliver_to_dovecot {
        writeln!(s, "virtual_mailbox_domains = {}", lmtp.domain).unwrap();
        writeln!(s, "virtual_mailbox_maps = static:ok").unwrap();
        writeln!(s, "virtual_transport = lmtp:unix:{}", lmtp.socket.display()).unwrap();
    }
    if let Some(sock) = &c.sasl_dovecot_socket {
        writeln!(s, "smtpd_sasl_type = dovecot").unwrap();
        writeln!(s, "smtpd_sasl_path = {}", sock.display()).unwrap();
    }
    s
}

fn master_cf(c: &PostfixConfig) -> String {
    let ip = c.ip;
    let auth = if c.sasl_dovecot_socket.is_some() {
        "yes"
    } else {
        "no"
    };
    let mut s = String::from("# generated by tests/support/postfix.rs; nothing chrooted\n");
    if let Some(p) = c.smtp_port {
        writeln!(s, "{ip}:{p} inet n - n - - smtpd").unwrap();
    }
    if let Some(p) = c.submission_port {
        writeln!(s, "{ip}:{p} inet n - n - - smtpd").unwrap();
        if c.starttls {
            writeln!(s, "  -o smtpd_tls_security_level=encrypt").unwrap();
            writeln!(s, "  -o smtpd_tls_auth_only=yes").unwrap();
        } else {
            writeln!(s, "  -o smtpd_tls_auth_only=no").unwrap();
        }
        writeln!(s, "  -o smtpd_sasl_auth_enable={auth}").unwrap();
    }
    if let Some(p) = c.smtps_port {
        writeln!(s, "{ip}:{p} inet n - n - - smtpd").unwrap();
        writeln!(s, "  -o smtpd_tls_wrappermode=yes").unwrap();
        writeln!(s, "  -o smtpd_tls_security_level=encrypt").unwrap();
        writeln!(s, "  -o smtpd_sasl_auth_enable={auth}").unwrap();
    }
    s.push_str(
        "pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
",
    );
    s
}
