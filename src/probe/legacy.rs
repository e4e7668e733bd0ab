//! A hand-built TLS 1.0–1.2 ClientHello, and what a server answers to it, read with
//! tls-parser.
//!
//! rustls speaks only TLS 1.2 and 1.3 (RFC 8996 retired 1.0 and 1.1) and stops at the
//! first ServerHello it refuses, so it cannot say what an old server would have spoken.
//! When a handshake fails that way, the probe sends this one hello on a fresh connection
//! and reads the server's first flight: the version it chose and, since below TLS 1.3 the
//! Certificate message travels in clear, the certificate it has. The handshake is never
//! completed: nothing is sent after the hello, and nothing secret is involved.
//!
//! The builder and the reader are pure functions; [`exchange`] only moves bytes, each
//! read and write under the caller's deadline.

use tls_parser::{
    TlsMessage, TlsMessageHandshake, TlsRecordType, parse_tls_message_handshake,
    parse_tls_raw_record,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// TLS 1.2: the hello's `client_version`. A server answers with the highest version it has
/// up to this one, so an old server names its own, and a TLS 1.2 server whose suites
/// rustls refuses (CBC only) is told apart from an old one.
const OFFERED_VERSION: u16 = 0x0303;

/// Cipher suites an old server is likely to have, strongest first: ECDHE and RSA key
/// exchange with AES-GCM (TLS 1.2 only), AES-CBC, 3DES and RC4 (what TLS 1.0 servers had).
const SUITES: &[u16] = &[
    0xc02b, // ECDHE-ECDSA-AES128-GCM-SHA256
    0xc02f, // ECDHE-RSA-AES128-GCM-SHA256
    0xc02c, // ECDHE-ECDSA-AES256-GCM-SHA384
    0xc030, // ECDHE-RSA-AES256-GCM-SHA384
    0xc009, // ECDHE-ECDSA-AES128-SHA
    0xc00a, // ECDHE-ECDSA-AES256-SHA
    0xc013, // ECDHE-RSA-AES128-SHA
    0xc014, // ECDHE-RSA-AES256-SHA
    0x0033, // DHE-RSA-AES128-SHA
    0x0039, // DHE-RSA-AES256-SHA
    0x009c, // RSA-AES128-GCM-SHA256
    0x009d, // RSA-AES256-GCM-SHA384
    0x002f, // RSA-AES128-SHA
    0x0035, // RSA-AES256-SHA
    0x000a, // RSA-3DES-EDE-CBC-SHA
    0x0005, // RSA-RC4-128-SHA
    0x00ff, // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746)
];

/// x25519, secp256r1, secp384r1.
const GROUPS: &[u16] = &[0x001d, 0x0017, 0x0018];

/// RSA and ECDSA with SHA-256/384, then SHA-1 (what TLS 1.0-era certificates are signed
/// with); ignored by servers older than TLS 1.2.
const SIGNATURE_SCHEMES: &[u16] = &[0x0401, 0x0403, 0x0501, 0x0503, 0x0804, 0x0201, 0x0203];

/// The most of a server's first flight that is read: a certificate chain fits many times.
const MAX_FLIGHT: usize = 64 * 1024;

/// What a server answered to the legacy hello (or to rustls's, read from the bytes it got).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerAnswer {
    /// The version the server chose in its ServerHello.
    pub chosen: Option<u16>,
    /// The certificates it sent, leaf first (DER).
    pub chain: Vec<Vec<u8>>,
    /// The fatal alert it sent instead, if it did.
    pub alert: Option<Alert>,
}

/// A TLS alert and the version of the record that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    pub record_version: u16,
    pub code: u8,
}

/// The ClientHello record, for `host` (sent as SNI unless it is an IP address, which
/// RFC 6066 §3 forbids there).
pub fn client_hello(host: &str, random: &[u8; 32]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&OFFERED_VERSION.to_be_bytes());
    body.extend_from_slice(random);
    body.push(0); // no session to resume
    push_u16_list(&mut body, SUITES);
    body.extend_from_slice(&[1, 0]); // compression: null only
    let extensions = extensions(host);
    push_u16(&mut body, extensions.len());
    body.extend_from_slice(&extensions);

    let mut handshake = vec![1]; // client_hello
    push_u24(&mut handshake, body.len());
    handshake.extend_from_slice(&body);

    // The record says TLS 1.0: servers of every age accept that on a first record.
    let mut record = vec![0x16, 0x03, 0x01];
    push_u16(&mut record, handshake.len());
    record.extend_from_slice(&handshake);
    record
}

fn extensions(host: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if is_sni_name(host) {
        let name = host.as_bytes();
        let mut list = vec![0]; // host_name
        push_u16(&mut list, name.len());
        list.extend_from_slice(name);
        let mut sni = Vec::new();
        push_u16(&mut sni, list.len());
        sni.extend_from_slice(&list);
        push_extension(&mut out, 0x0000, &sni);
    }
    let mut groups = Vec::new();
    push_u16_list(&mut groups, GROUPS);
    push_extension(&mut out, 0x000a, &groups);
    push_extension(&mut out, 0x000b, &[1, 0]); // ec_point_formats: uncompressed
    let mut schemes = Vec::new();
    push_u16_list(&mut schemes, SIGNATURE_SCHEMES);
    push_extension(&mut out, 0x000d, &schemes);
    out
}

/// A DNS name that may go in SNI: ASCII, not an address literal, within DNS's length.
fn is_sni_name(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_err()
        && !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn push_extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16(out, data.len());
    out.extend_from_slice(data);
}

fn push_u16_list(out: &mut Vec<u8>, items: &[u16]) {
    push_u16(out, items.len() * 2);
    for item in items {
        out.extend_from_slice(&item.to_be_bytes());
    }
}

/// Lengths here are of lists this file builds, far below 64 KiB.
fn push_u16(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
}

fn push_u24(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).unwrap_or(0x00ff_ffff).min(0x00ff_ffff);
    out.extend_from_slice(&n.to_be_bytes()[1..]);
}

/// Read a server's first flight from `bytes` (as received so far). None when it is not
/// TLS at all; otherwise what it says, and whether it is complete (the certificate, the
/// end of the flight or an alert arrived, or the server chose TLS 1.2 or later, when its
/// certificate is of no interest here).
pub fn read_answer(bytes: &[u8]) -> Option<(ServerAnswer, bool)> {
    let mut answer = ServerAnswer::default();
    // Handshake messages may span records: collect their bytes first, then read them.
    let mut handshake = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if !looks_like_record(rest) {
            return None;
        }
        match parse_tls_raw_record(rest) {
            Ok((after, record)) => {
                rest = after;
                match record.hdr.record_type {
                    TlsRecordType::Handshake => handshake.extend_from_slice(record.data),
                    TlsRecordType::Alert => {
                        let &[_, code, ..] = record.data else {
                            return None;
                        };
                        answer.alert = Some(Alert {
                            record_version: record.hdr.version.0,
                            code,
                        });
                        return Some((answer, true));
                    }
                    // Anything else this early is not a server's first flight.
                    _ => return None,
                }
            }
            Err(tls_parser::Err::Incomplete(_)) => break,
            Err(_) => return None,
        }
    }
    let complete = read_handshake(&handshake, &mut answer)?;
    Some((answer, complete))
}

/// Whether `bytes` start like a TLS record (a known content type, an SSLv3/TLS version):
/// tls-parser reads any five bytes as a header, plain text included.
fn looks_like_record(bytes: &[u8]) -> bool {
    let kind = bytes.first().is_none_or(|kind| (20..=24).contains(kind));
    let major = bytes.get(1).is_none_or(|&major| major == 3);
    kind && major
}

/// Read the handshake messages in `bytes` into `answer`; whether the flight is complete
/// for our purpose. None when a ServerHello cannot be read.
fn read_handshake(mut bytes: &[u8], answer: &mut ServerAnswer) -> Option<bool> {
    while let [kind, a, b, c, ..] = *bytes {
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        let Some(message) = bytes.get(..4 + len) else {
            return Some(false);
        };
        bytes = &bytes[4 + len..];
        match parse_tls_message_handshake(message) {
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)))) => {
                answer.chosen = Some(hello.version.0);
                if hello.version.0 >= 0x0303 {
                    return Some(true);
                }
            }
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::Certificate(certs)))) => {
                answer.chain = certs.cert_chain.iter().map(|c| c.data.to_vec()).collect();
                return Some(true);
            }
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerDone(_)))) => {
                return Some(true);
            }
            // A ServerHello that does not parse is not a TLS server's answer.
            Err(_) if kind == 2 => return None,
            // Other messages (ServerKeyExchange …) are skipped.
            _ => {}
        }
    }
    Some(false)
}

/// The version a server settled on below TLS 1.2, from the strongest evidence: a
/// ServerHello to the legacy hello, else one to rustls's (the bytes rustls read), else the
/// version of the record carrying a handshake_failure, protocol_version or
/// insufficient_security alert (servers write alerts in the version they settled on).
/// None when the server chose TLS 1.2 or later, or said nothing telling.
pub fn obsolete_version(
    legacy: Option<&ServerAnswer>,
    first: Option<&ServerAnswer>,
) -> Option<u16> {
    let alert_version = |a: &ServerAnswer| {
        a.alert
            .filter(|alert| matches!(alert.code, 40 | 70 | 71))
            .map(|alert| alert.record_version)
    };
    let version = legacy
        .and_then(|a| a.chosen)
        .or_else(|| first.and_then(|a| a.chosen))
        .or_else(|| legacy.and_then(alert_version))
        .or_else(|| first.and_then(alert_version))?;
    (version < 0x0303).then_some(version)
}

/// Send `hello` on `tcp` and read the server's first flight, all before `deadline`. None
/// when the server does not answer in TLS; the connection is dropped (closed) afterwards.
pub async fn exchange(mut tcp: TcpStream, hello: &[u8], deadline: Instant) -> Option<ServerAnswer> {
    timeout_at(deadline, tcp.write_all(hello))
        .await
        .ok()?
        .ok()?;
    let mut received = Vec::new();
    let mut so_far = None;
    while received.len() < MAX_FLIGHT {
        let mut chunk = [0u8; 4096];
        let n = match timeout_at(deadline, tcp.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => n,
            // Closed, failed or out of time: what arrived is all there is.
            _ => break,
        };
        received.extend_from_slice(&chunk[..n]);
        match read_answer(&received) {
            None => return None,
            Some((answer, true)) => return Some(answer),
            Some((answer, false)) => so_far = Some(answer),
        }
    }
    so_far
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u8, version: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        out.extend_from_slice(&version.to_be_bytes());
        push_u16(&mut out, payload.len());
        out.extend_from_slice(payload);
        out
    }

    fn handshake_message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        push_u24(&mut out, body.len());
        out.extend_from_slice(body);
        out
    }

    fn server_hello(version: u16) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[7; 32]); // random
        body.push(0); // no session id
        body.extend_from_slice(&[0xc0, 0x13]); // ECDHE-RSA-AES128-SHA
        body.push(0); // null compression
        handshake_message(2, &body)
    }

    fn certificate(ders: &[&[u8]]) -> Vec<u8> {
        let mut list = Vec::new();
        for der in ders {
            push_u24(&mut list, der.len());
            list.extend_from_slice(der);
        }
        let mut body = Vec::new();
        push_u24(&mut body, list.len());
        body.extend_from_slice(&list);
        handshake_message(11, &body)
    }

    #[test]
    fn the_hello_is_a_tls_client_hello_with_sni() {
        let hello = client_hello("imap.example.test", &[1; 32]);
        let (rest, record) = parse_tls_raw_record(&hello).expect("a record");
        assert!(rest.is_empty());
        assert_eq!(record.hdr.record_type, TlsRecordType::Handshake);
        assert_eq!(record.hdr.version.0, 0x0301);
        let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)))) =
            parse_tls_message_handshake(record.data)
        else {
            panic!("not a ClientHello");
        };
        assert_eq!(ch.version.0, 0x0303);
        assert_eq!(ch.ciphers.len(), SUITES.len());
        let ext = ch.ext.expect("extensions");
        assert!(
            ext.windows(17).any(|w| w == b"imap.example.test"),
            "SNI missing"
        );
    }

    #[test]
    fn no_sni_for_an_address() {
        let hello = client_hello("127.0.1.5", &[1; 32]);
        assert!(!hello.windows(9).any(|w| w == b"127.0.1.5"));
    }

    #[test]
    fn a_tls_1_1_flight_gives_version_and_chain() {
        // ServerHello and Certificate in one record, as OpenSSL sends them.
        let mut flight = server_hello(0x0302);
        flight.extend(certificate(&[b"leaf-der", b"ca-der"]));
        flight.extend(handshake_message(14, &[])); // ServerHelloDone
        let bytes = record(22, 0x0302, &flight);
        let (answer, complete) = read_answer(&bytes).expect("TLS");
        assert!(complete);
        assert_eq!(answer.chosen, Some(0x0302));
        assert_eq!(answer.chain, [b"leaf-der".to_vec(), b"ca-der".to_vec()]);
        assert_eq!(obsolete_version(Some(&answer), None), Some(0x0302));
    }

    #[test]
    fn a_message_split_across_records_and_reads_is_reassembled() {
        let mut flight = server_hello(0x0301);
        flight.extend(certificate(&[b"leaf-der"]));
        let (one, two) = flight.split_at(50);
        let mut bytes = record(22, 0x0301, one);
        bytes.extend(record(22, 0x0301, two));
        // Only part of it received yet: the version, not the certificate.
        let (partial, complete) = read_answer(&bytes[..60]).expect("TLS so far");
        assert!(!complete);
        assert_eq!(partial.chosen, Some(0x0301));
        let (answer, complete) = read_answer(&bytes).expect("TLS");
        assert!(complete);
        assert_eq!(answer.chain, [b"leaf-der".to_vec()]);
    }

    #[test]
    fn a_modern_server_is_not_obsolete() {
        let bytes = record(22, 0x0303, &server_hello(0x0303));
        let (answer, complete) = read_answer(&bytes).expect("TLS");
        assert!(complete);
        assert_eq!(obsolete_version(Some(&answer), None), None);
    }

    #[test]
    fn alerts_tell_the_version_only_when_nothing_better_does() {
        // handshake_failure in a TLS 1.1 record: how a TLS 1.1 server answers rustls.
        let alert = read_answer(&record(21, 0x0302, &[2, 40])).expect("TLS").0;
        assert_eq!(
            alert.alert,
            Some(Alert {
                record_version: 0x0302,
                code: 40
            })
        );
        assert_eq!(obsolete_version(None, Some(&alert)), Some(0x0302));
        let hello = read_answer(&record(22, 0x0301, &server_hello(0x0301)))
            .expect("TLS")
            .0;
        assert_eq!(obsolete_version(Some(&hello), Some(&alert)), Some(0x0301));
        // close_notify says nothing about versions.
        let close = read_answer(&record(21, 0x0301, &[1, 0])).expect("TLS").0;
        assert_eq!(obsolete_version(Some(&close), None), None);
    }

    #[test]
    fn plaintext_is_not_tls() {
        assert_eq!(read_answer(b"* OK [CAPABILITY IMAP4rev1] ready\r\n"), None);
        assert_eq!(read_answer(b"220 mail.example.test ESMTP\r\n"), None);
        // Too short to tell yet.
        assert_eq!(
            read_answer(&[22, 3]),
            Some((ServerAnswer::default(), false))
        );
    }
}
