//! Misbehaving TCP servers for timeout and robustness tests. For a refused connection use a port
//! where nothing listens ([`super::unused_port`]); for a silently dropped SYN, [`super::Firewall`].

use super::{Acceptor, drain_until_closed, sleep_unless_stopped};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// What a [`Hostile`] server does with each connection.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Accepts and never sends a byte; holds the socket until the client gives up.
    Tarpit,
    /// Sends non-protocol bytes (an HTTP 400 reply followed by binary junk), then holds the
    /// connection without answering anything.
    Garbage,
    /// Sends `bytes` then holds the connection (reads and ignores input), e.g. a wrong greeting.
    Send(Vec<u8>),
    /// Sends `bytes` then closes.
    SendAndClose(Vec<u8>),
    /// Sends 'A's without a newline forever, 1 KiB every 10 ms (about 100 KB/s).
    EndlessLine,
    /// Waits for the client's first bytes (a TLS ClientHello), then closes without answering.
    CloseMidHandshake,
    /// Waits `delay`, then sends a valid IMAP greeting ("* OK [CAPABILITY IMAP4rev1] ready")
    /// and holds the connection.
    SlowGreeting { delay: Duration },
    /// Waits `delay`, then sends `greeting`, then holds the connection.
    DelayedSend { delay: Duration, greeting: Vec<u8> },
    /// Sends an IMAP greeting one byte every `interval`, then holds the connection.
    Drip { interval: Duration },
    /// Completes a TLS handshake with this configuration, then sends close_notify and
    /// half-closes the connection without a greeting (a "half-closed TLS" server).
    TlsThenClose(Arc<rustls::ServerConfig>),
}

/// IMAP greeting sent by [`Behaviour::SlowGreeting`] and [`Behaviour::Drip`].
pub const IMAP_GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1] hostile test server ready\r\n";

/// A running hostile server; all its threads stop when dropped.
pub struct Hostile {
    acceptor: Acceptor,
}

impl Hostile {
    /// Listening on `ip:port` when it returns.
    pub fn start(ip: Ipv4Addr, port: u16, behaviour: Behaviour) -> Hostile {
        let behaviour = Arc::new(behaviour);
        let acceptor = Acceptor::start(
            SocketAddr::from((ip, port)),
            Arc::new(move |s: TcpStream, stop: &AtomicBool| handle(s, &behaviour, stop)),
        );
        Hostile { acceptor }
    }

    pub fn addr(&self) -> SocketAddr {
        self.acceptor.addr()
    }

    /// Connections accepted so far (the client did try this port).
    pub fn connections(&self) -> u64 {
        self.acceptor.accepted()
    }
}

fn handle(mut s: TcpStream, behaviour: &Behaviour, stop: &AtomicBool) {
    match behaviour {
        Behaviour::Tarpit => drain_until_closed(s, stop),
        Behaviour::Garbage => {
            let mut junk = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec();
            // Deterministic pseudo-random binary bytes, NULs and high bytes included.
            let mut x: u32 = 0x1234_5678;
            for _ in 0..512 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                junk.push((x >> 24) as u8);
            }
            if s.write_all(&junk).is_ok() {
                drain_until_closed(s, stop);
            }
        }
        Behaviour::Send(bytes) => {
            if s.write_all(bytes).is_ok() {
                drain_until_closed(s, stop);
            }
        }
        Behaviour::SendAndClose(bytes) => {
            let _ = s.write_all(bytes);
        }
        Behaviour::EndlessLine => {
            let chunk = [b'A'; 1024];
            while !stop.load(Ordering::SeqCst) {
                if s.write_all(&chunk).is_err() {
                    return;
                }
                if !sleep_unless_stopped(Duration::from_millis(10), stop) {
                    return;
                }
            }
        }
        Behaviour::CloseMidHandshake => {
            let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
            let mut buf = [0u8; 4096];
            while !stop.load(Ordering::SeqCst) {
                match s.read(&mut buf) {
                    Ok(_) => return, // got the ClientHello (or EOF): close
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return,
                }
            }
        }
        Behaviour::SlowGreeting { delay } => {
            if sleep_unless_stopped(*delay, stop) && s.write_all(IMAP_GREETING).is_ok() {
                drain_until_closed(s, stop);
            }
        }
        Behaviour::DelayedSend { delay, greeting } => {
            if sleep_unless_stopped(*delay, stop) && s.write_all(greeting).is_ok() {
                drain_until_closed(s, stop);
            }
        }
        Behaviour::TlsThenClose(config) => {
            let Ok(mut tls) = rustls::ServerConnection::new(config.clone()) else {
                return;
            };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            while tls.is_handshaking() {
                if tls.complete_io(&mut s).is_err() {
                    return;
                }
            }
            tls.send_close_notify();
            while tls.wants_write() {
                if tls.write_tls(&mut s).is_err() {
                    return;
                }
            }
            let _ = s.shutdown(std::net::Shutdown::Write);
            drain_until_closed(s, stop);
        }
        Behaviour::Drip { interval } => {
            let _ = s.set_nodelay(true);
            for b in IMAP_GREETING {
                if s.write_all(&[*b]).is_err() || !sleep_unless_stopped(*interval, stop) {
                    return;
                }
            }
            drain_until_closed(s, stop);
        }
    }
}
