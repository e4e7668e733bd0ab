//! A connection to a mail server that reads bounded lines, each read under a deadline,
//! and can be upgraded to TLS in place (STARTTLS).
//!
//! Nothing a server sends can make this buffer more than [`Limits::max_line`] bytes, read
//! forever, or panic.

use super::lines::{LineBuffer, LineTooLong};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::client::TlsStream;

/// Bounds on what a server may send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest line accepted, newline included. IMAP CAPABILITY lines of real servers stay
    /// well under 2 KiB; 16 KiB leaves room without letting a server fill memory.
    pub max_line: usize,
    /// Most lines in one multi-line reply (CAPA, EHLO, untagged IMAP responses).
    pub max_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 16 * 1024,
            max_lines: 200,
        }
    }
}

/// Why reading or writing stopped.
#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    /// The deadline passed. `received` tells a silent server from a slow one.
    #[error("no complete reply in time")]
    Timeout { received: usize },
    #[error("the server closed the connection")]
    Closed { received: usize },
    #[error("the server sent a line longer than {limit} bytes")]
    LineTooLong { limit: usize },
    #[error("the server sent more than {limit} lines in one reply")]
    TooManyLines { limit: usize },
    #[error("{0}")]
    Io(io::Error),
}

/// A plain TCP stream or the same stream inside TLS.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<Tap>>),
}

/// How many of the first bytes a [`Tap`] keeps: a greeting line, or a ServerHello's
/// version, fits many times over.
const TAP_KEEPS: usize = 1024;

/// A TCP stream that keeps a copy of the first bytes read from it.
///
/// A TLS handshake runs over it so that, when the handshake fails, the probe can say what
/// the server actually sent: a plaintext greeting on an implicit-TLS port, or the version
/// in a ServerHello that rustls refused. Those bytes are the evidence of the failure itself,
/// so no second connection (which might meet another server behind a load balancer, or
/// cost another timeout) is needed to learn them.
pub struct Tap {
    tcp: TcpStream,
    first: Vec<u8>,
    /// Bytes read so far, shared: still readable when a timed-out handshake has dropped
    /// the stream, to tell a server that never answered from one that stalled halfway.
    seen: Arc<AtomicUsize>,
}

impl Tap {
    pub fn new(tcp: TcpStream) -> Tap {
        Tap {
            tcp,
            first: Vec::new(),
            seen: Arc::default(),
        }
    }

    /// The count of bytes read, shared with this tap.
    pub fn seen(&self) -> Arc<AtomicUsize> {
        self.seen.clone()
    }

    /// The first bytes read (at most [`TAP_KEEPS`]).
    pub fn first_bytes(&self) -> &[u8] {
        &self.first
    }

    /// The first bytes read, and more from the same connection until they hold a whole
    /// line (or [`TAP_KEEPS`] bytes), before `deadline`: a handshake stops reading at the
    /// first bytes that are not TLS, which may be only the start of a greeting.
    pub async fn first_line(mut self, deadline: Instant) -> Vec<u8> {
        while !self.first.contains(&b'\n') && self.first.len() < TAP_KEEPS {
            let mut chunk = [0u8; 512];
            let room = (TAP_KEEPS - self.first.len()).min(chunk.len());
            match timeout_at(deadline, self.tcp.read(&mut chunk[..room])).await {
                Ok(Ok(n)) if n > 0 => self.first.extend_from_slice(&chunk[..n]),
                _ => break,
            }
        }
        self.first
    }
}

impl AsyncRead for Tap {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.tcp).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &polled {
            let new = &buf.filled()[before..];
            this.seen.fetch_add(new.len(), Ordering::Relaxed);
            let room = TAP_KEEPS.saturating_sub(this.first.len());
            this.first.extend_from_slice(&new[..new.len().min(room)]);
        }
        polled
    }
}

impl AsyncWrite for Tap {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A line-oriented connection.
pub struct Conn {
    stream: Stream,
    lines: LineBuffer,
    limits: Limits,
    /// Bytes received so far on this connection (to tell "silent" from "slow").
    received: usize,
}

impl Conn {
    pub fn new(stream: Stream, limits: Limits) -> Conn {
        Conn {
            stream,
            lines: LineBuffer::new(limits.max_line),
            limits,
            received: 0,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn received(&self) -> usize {
        self.received
    }

    /// Read one line (without CR LF) before `deadline`. Invalid UTF-8 is replaced, not
    /// rejected: the parsers decide what is acceptable. The framing is [`LineBuffer`]'s.
    pub async fn read_line(&mut self, deadline: Instant) -> Result<String, ConnError> {
        loop {
            if let Some(line) = self.lines.next_line()? {
                return Ok(line);
            }
            let mut chunk = [0u8; 4096];
            let room = self.lines.room(chunk.len());
            match timeout_at(deadline, self.stream.read(&mut chunk[..room])).await {
                Err(_) => {
                    return Err(ConnError::Timeout {
                        received: self.received,
                    });
                }
                Ok(Ok(0)) => {
                    return Err(ConnError::Closed {
                        received: self.received,
                    });
                }
                Ok(Ok(n)) => {
                    self.received += n;
                    self.lines.feed(&chunk[..n]);
                }
                Ok(Err(e)) if is_reset(&e) => {
                    return Err(ConnError::Closed {
                        received: self.received,
                    });
                }
                Ok(Err(e)) => return Err(ConnError::Io(e)),
            }
        }
    }

    /// Send `data` before `deadline`.
    pub async fn write(&mut self, data: &[u8], deadline: Instant) -> Result<(), ConnError> {
        let write = async {
            self.stream.write_all(data).await?;
            self.stream.flush().await
        };
        match timeout_at(deadline, write).await {
            Err(_) => Err(ConnError::Timeout {
                received: self.received,
            }),
            Ok(Err(e)) if is_reset(&e) => Err(ConnError::Closed {
                received: self.received,
            }),
            Ok(Err(e)) => Err(ConnError::Io(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Take the raw TCP stream back for a STARTTLS upgrade. Fails when the connection is
    /// already TLS, or when the server sent bytes after its "go ahead": those would be
    /// read as if they came through TLS (the STARTTLS command-injection attack,
    /// CVE-2011-0411 and kin), so they are refused, never buffered.
    pub fn into_plain_for_upgrade(self) -> Result<TcpStream, &'static str> {
        if !self.lines.is_empty() {
            return Err("the server sent data after agreeing to STARTTLS (possible injection)");
        }
        match self.stream {
            Stream::Plain(tcp) => Ok(tcp),
            Stream::Tls(_) => Err("the connection is already encrypted"),
        }
    }

    /// Close politely, without waiting long for the peer.
    pub async fn shutdown(mut self) {
        let _ = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            self.stream.shutdown(),
        )
        .await;
    }
}

impl From<LineTooLong> for ConnError {
    fn from(e: LineTooLong) -> ConnError {
        ConnError::LineTooLong { limit: e.limit }
    }
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::net::TcpListener;

    async fn pair(server_bytes: &'static [u8], close: bool) -> Conn {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            s.write_all(server_bytes).await.unwrap();
            if !close {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });
        let tcp = TcpStream::connect(addr).await.unwrap();
        Conn::new(
            Stream::Plain(tcp),
            Limits {
                max_line: 64,
                max_lines: 10,
            },
        )
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_millis(500)
    }

    #[tokio::test]
    async fn reads_crlf_and_lf_lines() {
        let mut c = pair(b"* OK ready\r\nsecond\nthird", false).await;
        assert_eq!(c.read_line(soon()).await.unwrap(), "* OK ready");
        assert_eq!(c.read_line(soon()).await.unwrap(), "second");
        match c.read_line(soon()).await {
            Err(ConnError::Timeout { received }) => assert_eq!(received, 24),
            other => panic!("expected timeout, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn refuses_overlong_lines() {
        let mut c = pair(&[b'x'; 200], false).await;
        assert!(matches!(
            c.read_line(soon()).await,
            Err(ConnError::LineTooLong { limit: 64 })
        ));
    }

    #[tokio::test]
    async fn reports_close_and_silence() {
        let mut c = pair(b"partial", true).await;
        assert!(matches!(
            c.read_line(soon()).await,
            Err(ConnError::Closed { received: 7 })
        ));
        let mut c = pair(b"", false).await;
        assert!(matches!(
            c.read_line(soon()).await,
            Err(ConnError::Timeout { received: 0 })
        ));
    }

    #[tokio::test]
    async fn refuses_upgrade_with_buffered_bytes() {
        let mut c = pair(b"OK go ahead\r\n", false).await;
        c.read_line(soon()).await.unwrap();
        // Bytes that arrived after the "go ahead", as a pipelining attacker would send them.
        c.lines.feed(b"* CAPABILITY injected\r\n");
        assert!(c.into_plain_for_upgrade().is_err());

        let mut clean = pair(b"OK go ahead\r\n", false).await;
        clean.read_line(soon()).await.unwrap();
        assert!(clean.into_plain_for_upgrade().is_ok());
    }
}
