//! Misbehaving TCP servers for timeout and robustness tests. For a refused connection use a port
//! where nothing listens ([`super::unused_port`]); for a silently dropped SYN, [`super::Firewall`].

use super::{Acceptor, drain_until_closed, sleep_unless_stopped};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Speaks `dialect` in plain text, advertises STARTTLS (and AUTH PLAIN, to tempt a
    /// client), and answers the STARTTLS command as `then` says: what a network device that
    /// strips encryption, or a broken server, looks like. Every byte received goes to
    /// `received`.
    FakeStarttls {
        dialect: Dialect,
        then: AfterStarttls,
        received: Received,
    },
    /// Speaks `dialect` like a server that wants a password: offers AUTH PLAIN and LOGIN
    /// (and USER, and an APOP timestamp), never LOGINDISABLED, and answers every command
    /// positively (a continuation for AUTHENTICATE / AUTH). With `tls`, it starts in TLS
    /// (`implicit`) or offers STARTTLS and upgrades. Every byte received, decrypted, goes
    /// to `received`: a client that would ever log in is caught here.
    Welcoming {
        dialect: Dialect,
        tls: Option<Arc<rustls::ServerConfig>>,
        implicit: bool,
        received: Received,
    },
    /// Reads the ClientHello, sends the first `send` bytes of a real TLS server's answer
    /// (the ServerHello and part of the certificate), then stalls: a handshake that stops
    /// halfway.
    StallMidHandshake {
        config: Arc<rustls::ServerConfig>,
        send: usize,
    },
}

/// The protocol a [`Behaviour::FakeStarttls`] server pretends to speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Imap,
    Pop3,
    Smtp,
}

/// What a [`Behaviour::FakeStarttls`] server does when asked for STARTTLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterStarttls {
    /// Refuses the command (NO, -ERR, 454): an honest server without TLS.
    Refuse,
    /// Agrees ("begin TLS"), reads the client's ClientHello, then answers in plain text.
    Garbage,
    /// Agrees, reads the client's ClientHello, then closes the connection.
    Close,
    /// Agrees, reads the client's ClientHello, then never sends another byte.
    Silent,
    /// Agrees, then joins the connection to this TLS server, which does the handshake: a
    /// STARTTLS front for a TLS-only server (see `legacy_tls`).
    Splice(SocketAddr),
}

/// Every byte a server received, over all its connections, in arrival order.
pub type Received = Arc<Mutex<Vec<u8>>>;

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
        Behaviour::FakeStarttls {
            dialect,
            then,
            received,
        } => fake_starttls(s, *dialect, *then, received, stop),
        Behaviour::Welcoming {
            dialect,
            tls,
            implicit,
            received,
        } => welcoming(s, *dialect, tls.clone(), *implicit, received, stop),
        Behaviour::StallMidHandshake { config, send } => {
            stall_mid_handshake(s, config.clone(), *send, stop);
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

/// Reads CRLF lines from a client, keeping a copy of every byte in `received`.
struct RecordingReader<'a> {
    buf: Vec<u8>,
    received: &'a Received,
}

impl RecordingReader<'_> {
    /// The next line without its line ending; None when the client closed or the server
    /// stops.
    fn line(&mut self, s: &mut TcpStream, stop: &AtomicBool) -> Option<String> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=end).collect();
                let text = String::from_utf8_lossy(&line);
                return Some(text.trim_end_matches(['\r', '\n']).to_string());
            }
            let chunk = self.chunk(s, stop)?;
            self.buf.extend_from_slice(&chunk);
        }
    }

    /// The next bytes the client sends, whatever they are (a TLS ClientHello).
    fn chunk(&mut self, s: &mut TcpStream, stop: &AtomicBool) -> Option<Vec<u8>> {
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::SeqCst) {
            match s.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => {
                    self.received.lock().unwrap().extend_from_slice(&buf[..n]);
                    return Some(buf[..n].to_vec());
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return None,
            }
        }
        None
    }
}

fn fake_starttls(
    mut s: TcpStream,
    dialect: Dialect,
    then: AfterStarttls,
    received: &Received,
    stop: &AtomicBool,
) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let greeting: &[u8] = match dialect {
        Dialect::Imap => b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake server ready\r\n",
        Dialect::Pop3 => b"+OK fake server ready\r\n",
        Dialect::Smtp => b"220 fake.example.test ESMTP fake server\r\n",
    };
    if s.write_all(greeting).is_err() {
        return;
    }
    let mut reader = RecordingReader {
        buf: Vec::new(),
        received,
    };
    while let Some(line) = reader.line(&mut s, stop) {
        let (tag, command) = match dialect {
            Dialect::Imap => line.split_once(' ').unwrap_or((line.as_str(), "")),
            Dialect::Pop3 | Dialect::Smtp => ("", line.as_str()),
        };
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        if matches!(verb.as_str(), "STARTTLS" | "STLS") {
            answer_starttls(s, dialect, then, tag, &mut reader, stop);
            return;
        }
        let reply = fake_reply(dialect, tag, &verb);
        if s.write_all(reply.as_bytes()).is_err() || matches!(verb.as_str(), "LOGOUT" | "QUIT") {
            return;
        }
    }
}

/// The reply of a [`Behaviour::FakeStarttls`] server to anything but STARTTLS.
fn fake_reply(dialect: Dialect, tag: &str, verb: &str) -> String {
    match (dialect, verb) {
        (Dialect::Imap, "CAPABILITY") => {
            format!("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n{tag} OK done\r\n")
        }
        (Dialect::Imap, "LOGOUT") => format!("* BYE\r\n{tag} OK bye\r\n"),
        (Dialect::Imap, _) => format!("{tag} BAD unknown command\r\n"),
        (Dialect::Pop3, "CAPA") => "+OK\r\nSTLS\r\nUSER\r\nSASL PLAIN\r\n.\r\n".to_string(),
        (Dialect::Pop3, "QUIT") => "+OK bye\r\n".to_string(),
        (Dialect::Pop3, _) => "-ERR unknown command\r\n".to_string(),
        (Dialect::Smtp, "EHLO") => {
            "250-fake.example.test\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n".to_string()
        }
        (Dialect::Smtp, "QUIT") => "221 bye\r\n".to_string(),
        (Dialect::Smtp, _) => "502 unknown command\r\n".to_string(),
    }
}

fn answer_starttls(
    mut s: TcpStream,
    dialect: Dialect,
    then: AfterStarttls,
    tag: &str,
    reader: &mut RecordingReader<'_>,
    stop: &AtomicBool,
) {
    let (agree, refuse) = match dialect {
        Dialect::Imap => (
            format!("{tag} OK Begin TLS negotiation now\r\n"),
            format!("{tag} NO STARTTLS is not available\r\n"),
        ),
        Dialect::Pop3 => ("+OK Begin TLS\r\n".into(), "-ERR no TLS here\r\n".into()),
        Dialect::Smtp => (
            "220 2.0.0 Ready to start TLS\r\n".into(),
            "454 4.7.0 TLS not available\r\n".into(),
        ),
    };
    if then == AfterStarttls::Refuse {
        if s.write_all(refuse.as_bytes()).is_ok() {
            // Keep reading (and recording) whatever the client sends next.
            while reader.chunk(&mut s, stop).is_some() {}
        }
        return;
    }
    if let AfterStarttls::Splice(upstream) = then {
        if s.write_all(agree.as_bytes()).is_ok() {
            splice(s, upstream, reader, stop);
        }
        return;
    }
    if s.write_all(agree.as_bytes()).is_err() || reader.chunk(&mut s, stop).is_none() {
        return;
    }
    if then == AfterStarttls::Garbage && s.write_all(b"* OK this is not TLS at all\r\n").is_ok() {
        while reader.chunk(&mut s, stop).is_some() {}
    }
    if then == AfterStarttls::Silent {
        while reader.chunk(&mut s, stop).is_some() {}
    }
}

/// Copy bytes both ways between the client and `upstream` until either side closes (or the
/// server stops), recording what the client sends.
fn splice(
    client: TcpStream,
    upstream: SocketAddr,
    reader: &mut RecordingReader<'_>,
    stop: &AtomicBool,
) {
    let Ok(up) = TcpStream::connect_timeout(&upstream, Duration::from_secs(2)) else {
        return;
    };
    let (Ok(mut up_reader), Ok(mut client_writer)) = (up.try_clone(), client.try_clone()) else {
        return;
    };
    let _ = up_reader.set_read_timeout(Some(Duration::from_millis(200)));
    let done = Arc::new(AtomicBool::new(false));
    let downstream = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !done.load(Ordering::SeqCst) {
                match up_reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if client_writer.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
            // The TLS server closed: so does the front.
            let _ = client_writer.shutdown(std::net::Shutdown::Both);
            done.store(true, Ordering::SeqCst);
        })
    };
    let mut client = client;
    let mut up = up;
    while !done.load(Ordering::SeqCst) {
        let Some(chunk) = reader.chunk(&mut client, stop) else {
            break;
        };
        if up.write_all(&chunk).is_err() {
            break;
        }
    }
    done.store(true, Ordering::SeqCst);
    let _ = up.shutdown(std::net::Shutdown::Both);
    let _ = downstream.join();
}

fn stall_mid_handshake(
    mut s: TcpStream,
    config: Arc<rustls::ServerConfig>,
    send: usize,
    stop: &AtomicBool,
) {
    let Ok(mut tls) = rustls::ServerConnection::new(config) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    // Read until rustls has a whole ClientHello and an answer to write.
    while !tls.wants_write() {
        match tls.read_tls(&mut s) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if tls.process_new_packets().is_err() {
                    return;
                }
            }
        }
    }
    let mut answer = Vec::new();
    while tls.wants_write() {
        if tls.write_tls(&mut answer).is_err() {
            return;
        }
    }
    answer.truncate(send);
    if s.write_all(&answer).is_ok() {
        drain_until_closed(s, stop);
    }
}

/// A byte stream that records what it reads (after decryption, for TLS).
struct Recorded<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: Read + Write> Recorded<S> {
    fn line(&mut self, received: &Received, stop: &AtomicBool) -> Option<String> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=end).collect();
                let text = String::from_utf8_lossy(&line);
                return Some(text.trim_end_matches(['\r', '\n']).to_string());
            }
            let mut chunk = [0u8; 4096];
            loop {
                if stop.load(Ordering::SeqCst) {
                    return None;
                }
                match self.stream.read(&mut chunk) {
                    Ok(0) => return None,
                    Ok(n) => {
                        received.lock().unwrap().extend_from_slice(&chunk[..n]);
                        self.buf.extend_from_slice(&chunk[..n]);
                        break;
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return None,
                }
            }
        }
    }
}

fn welcoming(
    s: TcpStream,
    dialect: Dialect,
    tls: Option<Arc<rustls::ServerConfig>>,
    implicit: bool,
    received: &Received,
    stop: &AtomicBool,
) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let start_tls = |tcp: TcpStream, config: Arc<rustls::ServerConfig>| {
        rustls::ServerConnection::new(config)
            .ok()
            .map(|conn| rustls::StreamOwned::new(conn, tcp))
    };
    match (tls, implicit) {
        (Some(config), true) => {
            if let Some(stream) = start_tls(s, config) {
                welcome(stream, dialect, false, received, stop);
            }
        }
        (Some(config), false) => {
            if let Some(tcp) = welcome(s, dialect, true, received, stop)
                && let Some(stream) = start_tls(tcp, config)
            {
                welcome(stream, dialect, false, received, stop);
            }
        }
        (None, _) => {
            welcome(s, dialect, false, received, stop);
        }
    }
}

/// One welcoming session on `stream`; the stream back when the client asked for STARTTLS
/// (and `offer_starttls`), for the upgrade.
fn welcome<S: Read + Write>(
    stream: S,
    dialect: Dialect,
    offer_starttls: bool,
    received: &Received,
    stop: &AtomicBool,
) -> Option<S> {
    let mut conn = Recorded {
        stream,
        buf: Vec::new(),
    };
    let starttls = if offer_starttls { " STARTTLS" } else { "" };
    let greeting = match dialect {
        Dialect::Imap => {
            format!("* OK [CAPABILITY IMAP4rev1{starttls} AUTH=PLAIN AUTH=LOGIN] welcome\r\n")
        }
        Dialect::Pop3 => "+OK welcome <1896.697170952@welcome.test>\r\n".to_string(),
        Dialect::Smtp => "220 welcome.test ESMTP welcome\r\n".to_string(),
    };
    conn.stream.write_all(greeting.as_bytes()).ok()?;
    while let Some(line) = conn.line(received, stop) {
        let (tag, command) = match dialect {
            Dialect::Imap => line.split_once(' ').unwrap_or((line.as_str(), "")),
            Dialect::Pop3 | Dialect::Smtp => ("", line.as_str()),
        };
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let upgrade = offer_starttls && matches!(verb.as_str(), "STARTTLS" | "STLS");
        let reply = welcome_reply(dialect, tag, &verb, offer_starttls);
        conn.stream.write_all(reply.as_bytes()).ok()?;
        conn.stream.flush().ok()?;
        if upgrade {
            return conn.buf.is_empty().then_some(conn.stream);
        }
        if matches!(verb.as_str(), "LOGOUT" | "QUIT") {
            return None;
        }
    }
    None
}

/// A [`Behaviour::Welcoming`] server's answer: yes to everything.
fn welcome_reply(dialect: Dialect, tag: &str, verb: &str, offer_starttls: bool) -> String {
    match dialect {
        Dialect::Imap => match verb {
            "CAPABILITY" => format!(
                "* CAPABILITY IMAP4rev1{} AUTH=PLAIN AUTH=LOGIN\r\n{tag} OK done\r\n",
                if offer_starttls { " STARTTLS" } else { "" }
            ),
            "AUTHENTICATE" => "+ \r\n".to_string(),
            "STARTTLS" => format!("{tag} OK Begin TLS negotiation now\r\n"),
            "LOGOUT" => format!("* BYE\r\n{tag} OK bye\r\n"),
            _ => format!("{tag} OK welcome in\r\n"),
        },
        Dialect::Pop3 => match verb {
            "CAPA" => format!(
                "+OK\r\n{}USER\r\nSASL PLAIN LOGIN\r\n.\r\n",
                if offer_starttls { "STLS\r\n" } else { "" }
            ),
            "AUTH" => "+ \r\n".to_string(),
            _ => "+OK welcome\r\n".to_string(),
        },
        Dialect::Smtp => match verb {
            "EHLO" => format!(
                "250-welcome.test\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n{}250 8BITMIME\r\n",
                if offer_starttls {
                    "250-STARTTLS\r\n"
                } else {
                    ""
                }
            ),
            "AUTH" => "334 \r\n".to_string(),
            "STARTTLS" => "220 2.0.0 Ready to start TLS\r\n".to_string(),
            "QUIT" => "221 bye\r\n".to_string(),
            _ => "250 welcome\r\n".to_string(),
        },
    }
}
