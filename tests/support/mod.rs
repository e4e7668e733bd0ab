//! Integration-test harness: real mail servers (Dovecot, Postfix), DNS (dnsmasq), an in-process
//! HTTPS server, hostile TCP servers and a test CA.
//!
//! Every server binds a loopback address handed out by [`next_ip`]. The tests run inside a private
//! network namespace created by `scripts/test`, so standard ports (993, 143, 995, 110, 465, 587, 25,
//! 443, 53) are free on every 127.0.N.M address. Call [`require_netns`] first in every test that
//! starts a server.
//!
//! Everything is synchronous (std threads and child processes); each handle stops its server when
//! dropped.
#![allow(dead_code, unused_imports)]

pub mod ca;
pub mod dns;
pub mod dovecot;
pub mod firewall;
pub mod hostile;
pub mod http;
pub mod legacy_tls;
pub mod mail;
pub mod postfix;
pub mod tls;

#[cfg(test)]
mod selftest;

pub use ca::{CertFiles, TestCa, Validity};
pub use dns::{Dns, DnsRecords};
pub use dovecot::{Dovecot, DovecotConfig, Ssl};
pub use firewall::Firewall;
pub use hostile::{Behaviour, Hostile};
pub use http::{HttpConfig, HttpRequest, HttpServer, Response, Routes};
pub use postfix::{LmtpDelivery, Postfix, PostfixConfig};

use std::collections::HashMap;
use std::io::{self, Read};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a server may take to become ready before the harness gives up.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);

/// The nameserver written into the namespace's `/etc/resolv.conf` by `scripts/test`. Nothing
/// listens there (it is outside the [`next_ip`] range), so the system resolver fails fast.
pub const NETNS_RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// Panics unless the test runs inside the network namespace made by `scripts/test`.
pub fn require_netns() {
    if std::env::var("MAILCFG_TEST_NETNS").as_deref() != Ok("1") {
        panic!(
            "this test starts real servers on standard ports: run scripts/test, which runs the \
             tests inside a network namespace (MAILCFG_TEST_NETNS is not \"1\")"
        );
    }
}

static NEXT_IP: AtomicU32 = AtomicU32::new(0);

/// A loopback address no other test in this process has been given: 127.0.1.1, 127.0.1.2, …,
/// 127.0.1.250, 127.0.2.1, … Never 127.0.0.x, so never 127.0.0.1 (the source address of every
/// client connection; Dovecot treats a client whose address equals the server's as secure) nor
/// 127.0.0.53 (set on lo by `scripts/test`).
pub fn next_ip() -> Ipv4Addr {
    let n = NEXT_IP.fetch_add(1, Ordering::Relaxed);
    let third = 1 + n / 250;
    assert!(third < 255, "support::next_ip: address pool exhausted");
    Ipv4Addr::new(127, 0, third as u8, (1 + n % 250) as u8)
}

/// `n` distinct addresses from [`next_ip`].
pub fn ip_pool(n: usize) -> Vec<Ipv4Addr> {
    (0..n).map(|_| next_ip()).collect()
}

/// A port on `ip` where nothing listens: connecting to it is refused at once.
pub fn unused_port(ip: Ipv4Addr) -> u16 {
    let l = TcpListener::bind((ip, 0)).expect("bind to find an unused port");
    l.local_addr().unwrap().port()
}

/// Runs `f` every 20 ms until it returns `Some`, or panics with `what` after `timeout`.
pub fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Connects to `addr` and reads until a full line (ending in "\n") arrives. `None` when the port
/// is not accepting yet or nothing arrives within a second.
pub fn read_greeting(addr: SocketAddr) -> Option<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    while !buf.contains(&b'\n') {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// True when a TCP connection to `addr` is accepted.
pub fn port_open(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// Absolute path of a system binary (root's PATH may lack /usr/sbin in some CI runners).
pub fn bin(name: &str) -> PathBuf {
    for dir in [
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
        "/usr/lib/postfix/sbin",
    ] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    PathBuf::from(name)
}

/// A fresh temporary directory that daemons running as other users can traverse (mode 0755).
pub(crate) fn service_tempdir(prefix: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("create tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// (uid, gid) of a system user, from /etc/passwd.
pub(crate) fn user_ids(name: &str) -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 3 && f[0] == name {
            return (f[2].parse().unwrap(), f[3].parse().unwrap());
        }
    }
    panic!("user {name} not found in /etc/passwd (is the package installed? .ci/run installs it)");
}

/// Creates `path` (and parents) owned by `user`.
pub(crate) fn mkdir_owned(path: &Path, user: &str) {
    std::fs::create_dir_all(path).unwrap();
    let (uid, gid) = user_ids(user);
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

/// The file's contents, or a note that it could not be read (for panic messages).
pub(crate) fn read_lossy(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}

/// Sends `signal` ("TERM", "KILL") to a process, or to a process group when `group` is true.
pub(crate) fn send_signal(pid: u32, signal: &str, group: bool) {
    let target = if group {
        format!("-{pid}")
    } else {
        pid.to_string()
    };
    let _ = Command::new(bin("kill"))
        .args(["-s", signal, "--", &target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits up to `timeout` for a child to exit; true when it did.
pub(crate) fn wait_child(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return true,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) => return false,
            Err(_) => return true,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A small threaded TCP acceptor shared by the in-process servers (HTTP and hostile servers).

type Handler = dyn Fn(TcpStream, &AtomicBool) + Send + Sync;

/// Accepts connections on a listener and runs `handler` on a thread per connection. Dropping it
/// stops accepting, shuts down every open connection (so blocked reads return) and joins all
/// threads.
pub(crate) struct Acceptor {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept_thread: Option<JoinHandle<()>>,
    accepted: Arc<AtomicU64>,
}

impl Acceptor {
    pub(crate) fn start(addr: SocketAddr, handler: Arc<Handler>) -> Acceptor {
        let listener = TcpListener::bind(addr)
            .unwrap_or_else(|e| panic!("bind {addr}: {e} (is the test inside scripts/test?)"));
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
        let threads: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accepted = Arc::new(AtomicU64::new(0));
        let accept_thread = {
            let (stop, conns, threads, accepted) = (
                stop.clone(),
                conns.clone(),
                threads.clone(),
                accepted.clone(),
            );
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let id = accepted.fetch_add(1, Ordering::SeqCst);
                    if let Ok(clone) = stream.try_clone() {
                        conns.lock().unwrap().insert(id, clone);
                    }
                    let (stop2, conns2, handler) = (stop.clone(), conns.clone(), handler.clone());
                    let t = thread::spawn(move || {
                        handler(stream, &stop2);
                        if let Some(s) = conns2.lock().unwrap().remove(&id) {
                            let _ = s.shutdown(Shutdown::Both);
                        }
                    });
                    threads.lock().unwrap().push(t);
                }
            })
        };
        Acceptor {
            addr,
            stop,
            conns,
            threads,
            accept_thread: Some(accept_thread),
            accepted,
        }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections accepted so far.
    pub(crate) fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
        }
        for (_, s) in self.conns.lock().unwrap().drain() {
            let _ = s.shutdown(Shutdown::Both);
        }
        let threads: Vec<_> = self.threads.lock().unwrap().drain(..).collect();
        for t in threads {
            let _ = t.join();
        }
    }
}

/// Sleeps for `d` in small steps; returns false early when `stop` is set.
pub(crate) fn sleep_unless_stopped(d: Duration, stop: &AtomicBool) -> bool {
    let deadline = Instant::now() + d;
    while Instant::now() < deadline {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        thread::sleep(Duration::from_millis(10).min(deadline - Instant::now()));
    }
    !stop.load(Ordering::SeqCst)
}

/// Reads and discards input until the peer closes, the server stops, or an error occurs.
pub(crate) fn drain_until_closed(mut s: TcpStream, stop: &AtomicBool) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        match s.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}
