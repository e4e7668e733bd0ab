//! TLS for probes: the handshake, the facts of the session, and a certificate verdict in
//! words a person understands. This file and `net/http.rs` are the only ones that build
//! rustls client configurations. Certificate errors read the same from probes and from the
//! HTTP client: both word them with [`explain_certificate_error`].
//!
//! A probe never sends credentials, so it completes the handshake even when the
//! certificate is bad (the rest of the dialogue is worth reporting) and then verifies the
//! presented chain itself with webpki, exactly as a mail client would. Anything that sends
//! credentials or fetches configuration uses [`TlsContext::verifying_config`] instead.

use super::conn::Tap;
use super::outcome::{CertificateInfo, CertificateProblem, TlsInfo};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A problem with the TLS set-up itself (not with a server).
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("CA file {path} holds no PEM certificate")]
    CaFileEmpty { path: String },
    #[error("cannot set up TLS: {0}")]
    Rustls(String),
}

/// Trust anchors and the two client configurations built from them.
#[derive(Clone)]
pub struct TlsContext {
    /// Completes every handshake; the chain is judged afterwards by `verifier`.
    probing: Arc<ClientConfig>,
    /// Refuses bad certificates during the handshake (HTTP fetches, logins).
    verifying: Arc<ClientConfig>,
    verifier: Arc<WebPkiServerVerifier>,
}

/// Why a handshake failed.
#[derive(Debug)]
pub enum HandshakeFailure {
    /// Nothing came back before the deadline.
    Timeout,
    /// The server began to answer, then stopped before the handshake finished.
    Stalled,
    /// The peer closed the connection during the handshake.
    Closed,
    /// The peer answered with something that is not TLS at all. `first_bytes` is what it
    /// sent, as read (a plaintext greeting, most often).
    NotTls { first_bytes: Vec<u8> },
    /// The server speaks a TLS that rustls will not: only versions before 1.2 (RFC 8996),
    /// or no cipher suite in common. `first_bytes` is what it sent (its ServerHello or
    /// alert), worth reading for the version it chose.
    Incompatible { text: String, first_bytes: Vec<u8> },
    /// The handshake broke some other way; the text says why.
    Failed(String),
}
impl TlsContext {
    /// webpki-roots, plus every certificate in `extra_ca` (a corporate or test CA).
    pub fn new(extra_ca: Option<&Path>) -> Result<TlsContext, TlsSetupError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = extra_ca {
            add_ca_file(&mut roots, path)?;
        }
        let roots = Arc::new(roots);
        let verifier = WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
            .build()
            .map_err(|e| TlsSetupError::Rustls(e.to_string()))?;
        let probing = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsSetupError::Rustls(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(CompleteHandshake {
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth();
        let verifying = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsSetupError::Rustls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TlsContext {
            probing: Arc::new(probing),
            verifying: Arc::new(verifying),
            verifier,
        })
    }

    /// A configuration that rejects untrusted certificates, for HTTPS and logins.
    pub fn verifying_config(&self) -> ClientConfig {
        (*self.verifying).clone()
    }

    /// Handshake on `tcp` for `host`, then judge the certificate the server presented.
    pub async fn handshake(
        &self,
        tcp: TcpStream,
        host: &str,
        deadline: Instant,
    ) -> Result<(TlsStream<Tap>, TlsInfo), HandshakeFailure> {
        let server_name = ServerName::try_from(host.to_string()).map_err(|_| {
            HandshakeFailure::Failed(format!("{host} is not a valid TLS server name"))
        })?;
        let connector = TlsConnector::from(self.probing.clone());
        // Fallible: a failed handshake hands the stream back, and with it the bytes the
        // server sent, which say what it is (see `Tap`).
        let tap = Tap::new(tcp);
        let seen = tap.seen();
        let connect = connector.connect(server_name, tap).into_fallible();
        let stream = match timeout_at(deadline, connect).await {
            Err(_) if seen.load(std::sync::atomic::Ordering::Relaxed) > 0 => {
                return Err(HandshakeFailure::Stalled);
            }
            Err(_) => return Err(HandshakeFailure::Timeout),
            Ok(Err((e, tap))) => {
                return Err(match classify_handshake_error(&e, tap.first_bytes()) {
                    // Plain text: the whole first line says what answered.
                    HandshakeFailure::NotTls { .. } => HandshakeFailure::NotTls {
                        first_bytes: tap.first_line(deadline).await,
                    },
                    other => other,
                });
            }
            Ok(Ok(stream)) => stream,
        };
        let info = self.session_info(&stream, host);
        Ok((stream, info))
    }

    fn session_info(&self, stream: &TlsStream<Tap>, host: &str) -> TlsInfo {
        let connection = stream.get_ref().1;
        let version = connection
            .protocol_version()
            .map(|v| version_name(u16::from(v)))
            .unwrap_or_default();
        // rustls's own names ("TLS13_AES_256_GCM_SHA384"), the IANA number for a suite it
        // has no name for.
        let cipher_suite = connection
            .negotiated_cipher_suite()
            .map(|s| match s.suite().as_str() {
                Some(name) => name.to_string(),
                None => format!("0x{:04x}", u16::from(s.suite())),
            })
            .unwrap_or_default();
        let certificate = connection
            .peer_certificates()
            .and_then(|chain| self.judge_chain(chain, host));
        TlsInfo {
            version,
            cipher_suite,
            certificate,
        }
    }

    /// [`TlsContext::judge_chain`] for certificates read outside rustls (DER, leaf first).
    pub fn judge_der_chain(&self, chain: &[Vec<u8>], host: &str) -> Option<CertificateInfo> {
        let chain: Vec<CertificateDer<'_>> = chain
            .iter()
            .map(|der| CertificateDer::from(der.as_slice()))
            .collect();
        self.judge_chain(&chain, host)
    }

    /// The leaf certificate of `chain` described, and verified for `host` as a mail client
    /// would (trusted root, dates, name). None for an empty chain.
    pub fn judge_chain(&self, chain: &[CertificateDer<'_>], host: &str) -> Option<CertificateInfo> {
        let (leaf, intermediates) = chain.split_first()?;
        let mut info = describe_certificate(leaf);
        info.chain_length = chain.len();
        let Ok(server_name) = ServerName::try_from(host.to_string()) else {
            info.problem = Some(CertificateProblem::Invalid);
            info.error = Some(format!("{host} is not a valid TLS server name"));
            return Some(info);
        };
        let verdict = self.verifier.verify_server_cert(
            leaf,
            intermediates,
            &server_name,
            &[],
            UnixTime::now(),
        );
        match verdict {
            Ok(_) => info.verified = true,
            Err(error) => {
                let (kind, text) = explain_certificate_error(&error, Some(&info), host);
                info.problem = Some(kind);
                info.error = Some(text);
            }
        }
        Some(info)
    }
}

/// A TLS protocol version as people write it ("TLSv1.2"), from its wire number.
pub fn version_name(code: u16) -> String {
    match code {
        0x0002 => "SSLv2".to_string(),
        0x0300 => "SSLv3".to_string(),
        0x0301 => "TLSv1.0".to_string(),
        0x0302 => "TLSv1.1".to_string(),
        0x0303 => "TLSv1.2".to_string(),
        0x0304 => "TLSv1.3".to_string(),
        other => format!("an unknown version (0x{other:04x})"),
    }
}

/// 32 bytes from the crypto provider's random source (a ClientHello's random).
pub fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    let provider = rustls::crypto::ring::default_provider();
    if provider.secure_random.fill(&mut bytes).is_err() {
        // Nothing secret rides on it (the legacy hello never completes a handshake); the
        // clock keeps two hellos apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes[..16].copy_from_slice(&nanos.to_be_bytes());
    }
    bytes
}

/// The size of a DER certificate's public key in bits (RSA modulus, EC field), when it can
/// be read.
pub fn public_key_bits(der: &[u8]) -> Option<u32> {
    use x509_parser::prelude::*;
    use x509_parser::public_key::PublicKey;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let bits = match cert.public_key().parsed().ok()? {
        // x509-parser's own count assumes a leading zero byte; count the bits instead.
        PublicKey::RSA(rsa) => {
            let modulus = rsa.modulus;
            let start = modulus.iter().position(|&b| b != 0)?;
            let top = modulus[start];
            (modulus.len() - start) * 8 - top.leading_zeros() as usize
        }
        other => other.key_size(),
    };
    u32::try_from(bits).ok().filter(|&b| b > 0)
}

fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<(), TlsSetupError> {
    let shown = path.display().to_string();
    // Read first so a missing file gets the operating system's words, not a PEM error.
    let pem = std::fs::read(path).map_err(|e| TlsSetupError::CaFile {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| TlsSetupError::CaFile {
            path: shown.clone(),
            reason: format!("not valid PEM: {e}"),
        })?;
        roots.add(cert).map_err(|e| TlsSetupError::CaFile {
            path: shown.clone(),
            reason: format!("not a usable CA certificate: {e}"),
        })?;
        added += 1;
    }
    if added == 0 {
        return Err(TlsSetupError::CaFileEmpty { path: shown });
    }
    Ok(())
}

/// Accepts any certificate so the handshake completes, but still checks the handshake
/// signatures: the session is real TLS with whoever holds the presented key.
#[derive(Debug)]
struct CompleteHandshake {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for CompleteHandshake {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Names, issuer and dates of a DER certificate. A certificate x509-parser cannot read
/// still gets a report, with empty fields.
pub fn describe_certificate(der: &CertificateDer<'_>) -> CertificateInfo {
    use x509_parser::prelude::*;
    let Ok((_, cert)) = X509Certificate::from_der(der.as_ref()) else {
        return CertificateInfo {
            error: Some("the certificate cannot be parsed".into()),
            problem: Some(CertificateProblem::Invalid),
            ..CertificateInfo::default()
        };
    };
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) => names.push(dns.to_ascii_lowercase()),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_from_bytes(bytes) {
                        names.push(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let common_name = |n: &X509Name<'_>| {
        n.iter_common_name()
            .filter_map(|cn| cn.as_str().ok())
            .next()
            .map(str::to_string)
    };
    if names.is_empty() {
        // Only when there is no SAN do clients (and we) fall back to the subject CN.
        names.extend(common_name(cert.subject()).map(|cn| cn.to_ascii_lowercase()));
    }
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    CertificateInfo {
        names,
        self_signed: subject == issuer,
        subject,
        issuer,
        not_before: rfc3339(cert.validity().not_before.timestamp()),
        not_after: rfc3339(cert.validity().not_after.timestamp()),
        verified: false,
        error: None,
        problem: None,
        chain_length: 1,
    }
}

fn ip_from_bytes(bytes: &[u8]) -> Option<std::net::IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        _ => None,
    }
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A stable keyword (`expired`, `not-yet-valid`, `name-mismatch`, `self-signed`,
/// `unknown-issuer`, `revoked`, `invalid`) and a sentence for a certificate that failed
/// verification. Probes and the HTTP client both word certificate errors with this.
///
/// The facts in the sentence (dates, names, issuer) come from `cert`, the parsed leaf
/// certificate, when there is one (a probe has it); otherwise from what the error itself
/// carries (the HTTP client has only the error), and the sentence says less when the error
/// carries nothing.
pub fn explain_certificate_error(
    error: &rustls::Error,
    cert: Option<&CertificateInfo>,
    host: &str,
) -> (CertificateProblem, String) {
    // rustls's own Display of these errors falls back to Rust debug text
    // ("Other(OtherError(CaUsedAsEndEntity))"), so every sentence here is our own.
    let rustls::Error::InvalidCertificate(e) = error else {
        return (
            CertificateProblem::Invalid,
            "certificate is not valid".to_string(),
        );
    };
    match e {
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => explain_validity(e, cert),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            let names = match (cert, e) {
                (Some(cert), _) if cert.names.is_empty() => Some("no name at all".to_string()),
                (Some(cert), _) => Some(cert.names.join(", ")),
                (None, CertificateError::NotValidForNameContext { presented, .. }) => {
                    presented_names(presented)
                }
                (None, _) => None,
            };
            let text = match names {
                Some(names) => format!("certificate is for {names}, not {host}"),
                None => format!("certificate is not valid for {host}"),
            };
            (CertificateProblem::NameMismatch, text)
        }
        // `openssl req -x509` makes a CA certificate: used as the server's own, webpki
        // says CaUsedAsEndEntity. Either way nobody trusted vouches for it.
        e if matches!(e, CertificateError::UnknownIssuer) || is_ca_as_end_entity(e) => match cert {
            Some(cert) if cert.self_signed => (
                CertificateProblem::SelfSigned,
                format!(
                    "certificate is self-signed ({}); no trusted authority vouches for it",
                    cert.subject
                ),
            ),
            Some(cert) => (
                CertificateProblem::UnknownIssuer,
                format!(
                    "certificate was issued by an unknown authority ({}); if it is your organisation's CA, pass it with --ca-file",
                    cert.issuer
                ),
            ),
            None => (
                CertificateProblem::UnknownIssuer,
                "certificate is not trusted: it is self-signed or issued by an unknown \
                 authority (if it is your organisation's CA, pass it with --ca-file)"
                    .to_string(),
            ),
        },
        CertificateError::Revoked => (
            CertificateProblem::Revoked,
            "certificate has been revoked".to_string(),
        ),
        CertificateError::BadSignature => (
            CertificateProblem::Invalid,
            "certificate signature does not verify".to_string(),
        ),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => (
            CertificateProblem::Invalid,
            "certificate is not meant for TLS servers".to_string(),
        ),
        // Rare kinds, in our words: rustls words them with Rust debug text.
        other => (CertificateProblem::Invalid, rare_certificate_error(other)),
    }
}

/// A sentence for the rarer certificate errors.
fn rare_certificate_error(e: &CertificateError) -> String {
    let why = match e {
        CertificateError::BadEncoding => "it is malformed",
        CertificateError::UnhandledCriticalExtension => {
            "it has a critical extension that clients do not understand"
        }
        #[allow(deprecated)] // rustls still reports the old variant for some certificates.
        CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "it is signed with an algorithm current clients do not accept"
        }
        CertificateError::UnknownRevocationStatus => "its revocation status is unknown",
        CertificateError::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(webpki::Error::EndEntityUsedAsCa) => {
                "a server certificate was used to issue another one"
            }
            Some(webpki::Error::PathLenConstraintViolated)
            | Some(webpki::Error::MaximumPathDepthExceeded) => "its chain is too long",
            Some(webpki::Error::NameConstraintViolation) => {
                "it names a host its issuer may not vouch for"
            }
            _ => "its chain does not verify",
        },
        _ => "its chain does not verify",
    };
    format!("certificate is not valid: {why}")
}

/// webpki's CaUsedAsEndEntity (what `openssl req -x509` certificates meet, being CA
/// certificates), which rustls passes on inside an opaque `Other` error.
fn is_ca_as_end_entity(e: &CertificateError) -> bool {
    let CertificateError::Other(other) = e else {
        return false;
    };
    matches!(
        other.0.downcast_ref::<webpki::Error>(),
        Some(webpki::Error::CaUsedAsEndEntity)
    )
}

/// An expired or not-yet-valid certificate in words, with the date that matters: as the
/// parsed certificate has it, else as the error carries it, else none.
fn explain_validity(
    e: &CertificateError,
    cert: Option<&CertificateInfo>,
) -> (CertificateProblem, String) {
    let expired = matches!(
        e,
        CertificateError::Expired | CertificateError::ExpiredContext { .. }
    );
    let from_cert = cert.map(|c| {
        if expired {
            c.not_after.clone()
        } else {
            c.not_before.clone()
        }
    });
    let from_error = match e {
        CertificateError::ExpiredContext { not_after: t, .. }
        | CertificateError::NotValidYetContext { not_before: t, .. } => Some(date(t.as_secs())),
        _ => None,
    };
    match (expired, from_cert.or(from_error)) {
        (true, Some(day)) => (
            CertificateProblem::Expired,
            format!("certificate expired on {day}"),
        ),
        (true, None) => (
            CertificateProblem::Expired,
            "certificate has expired".to_string(),
        ),
        (false, Some(day)) => (
            CertificateProblem::NotYetValid,
            format!("certificate is not valid until {day}"),
        ),
        (false, None) => (
            CertificateProblem::NotYetValid,
            "certificate is not valid yet".to_string(),
        ),
    }
}

/// The host names among webpki's presented names, for a sentence: at most five, then how
/// many more; `None` when there is none.
fn presented_names(presented: &[String]) -> Option<String> {
    let names: Vec<String> = presented.iter().filter_map(|n| presented_name(n)).collect();
    match names.len() {
        0 => None,
        1..=5 => Some(names.join(", ")),
        n => Some(format!("{} and {} more", names[..5].join(", "), n - 5)),
    }
}

/// A name from webpki's list of presented names (`DnsName("mail.example.com")`,
/// `IpAddress(192.0.2.1)`: rustls passes them on in this form), without the wrapping and
/// without control characters; `None` for kinds that are not host names.
fn presented_name(debug: &str) -> Option<String> {
    let name = if let Some(rest) = debug.strip_prefix("DnsName(\"") {
        rest.strip_suffix("\")")?
    } else {
        debug.strip_prefix("IpAddress(")?.strip_suffix(')')?
    };
    let clean: String = name.chars().filter(|c| !c.is_control()).take(253).collect();
    (!clean.is_empty()).then_some(clean)
}

/// A Unix time as `YYYY-MM-DD` (UTC).
fn date(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|t| {
            t.format(time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
        })
        .unwrap_or_else(|| "an unknown date".to_string())
}

fn classify_handshake_error(error: &std::io::Error, first_bytes: &[u8]) -> HandshakeFailure {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
    ) {
        return HandshakeFailure::Closed;
    }
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        // An I/O error from the operating system: its words are for people.
        return HandshakeFailure::Failed(format!("TLS handshake failed: {error}"));
    };
    let first_bytes = first_bytes.to_vec();
    if matches!(tls, rustls::Error::InvalidMessage(_)) {
        return HandshakeFailure::NotTls { first_bytes };
    }
    let text = explain_handshake_error(tls);
    if is_incompatible(tls) {
        HandshakeFailure::Incompatible { text, first_bytes }
    } else {
        HandshakeFailure::Failed(text)
    }
}

/// The server's TLS is one rustls will not speak: an old version, or no cipher suite in
/// common (how a TLS 1.0/1.1 server answers a hello offering only modern suites).
fn is_incompatible(error: &rustls::Error) -> bool {
    use rustls::{AlertDescription, Error};
    matches!(
        error,
        Error::PeerIncompatible(_)
            | Error::AlertReceived(
                AlertDescription::ProtocolVersion
                    | AlertDescription::HandshakeFailure
                    | AlertDescription::InsufficientSecurity
            )
    )
}

/// A failed handshake in words. Never rustls's own Display: it renders most of these
/// with Rust debug text.
fn explain_handshake_error(error: &rustls::Error) -> String {
    use rustls::{AlertDescription, Error, PeerIncompatible};
    match error {
        Error::InvalidMessage(_) => {
            "the server does not speak TLS on this port (it answered in plain text or garbage; \
             a STARTTLS port?)"
                .to_string()
        }
        Error::AlertReceived(AlertDescription::ProtocolVersion)
        | Error::PeerIncompatible(PeerIncompatible::ServerDoesNotSupportTls12Or13) => {
            "the server offers only TLS versions older than 1.2".to_string()
        }
        Error::AlertReceived(AlertDescription::HandshakeFailure) | Error::PeerIncompatible(_) => {
            "the server and mailcfg share no TLS version or cipher suite".to_string()
        }
        Error::AlertReceived(alert) => format!(
            "the server aborted the TLS handshake (alert: {})",
            alert_name(u8::from(*alert))
        ),
        Error::PeerMisbehaved(_)
        | Error::InappropriateMessage { .. }
        | Error::InappropriateHandshakeMessage { .. } => {
            "the server broke the TLS protocol during the handshake".to_string()
        }
        Error::DecryptError => {
            "the server's TLS messages could not be decrypted (a broken server, or a device \
             in between tampering with the connection)"
                .to_string()
        }
        Error::NoCertificatesPresented => "the server presented no certificate".to_string(),
        Error::InvalidCertificate(_) => "the server's certificate was refused".to_string(),
        _ => "the TLS handshake failed".to_string(),
    }
}

/// An alert's name as RFC 8446 §6 and the IANA registry spell it.
fn alert_name(code: u8) -> String {
    let name = match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        22 => "record_overflow",
        40 => "handshake_failure",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        109 => "missing_extension",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        116 => "certificate_required",
        120 => "no_application_protocol",
        other => return format!("number {other}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ca_file_is_a_clear_error() {
        let err = match TlsContext::new(Some(Path::new("/nonexistent/ca.pem"))) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a missing CA file must fail"),
        };
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn ca_file_without_certificates_is_refused() {
        let dir = std::env::temp_dir().join(format!("mailcfg-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = TlsContext::new(Some(&path)).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("no PEM certificate")),
            "{err:?}"
        );
    }

    /// What `openssl req -x509` makes: a CA certificate, self-signed, used as the server's.
    fn ca_as_end_entity() -> rustls::Error {
        rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
            webpki::Error::CaUsedAsEndEntity,
        ))))
    }

    #[test]
    fn a_ca_certificate_used_by_the_server_is_self_signed_in_words() {
        let cert = CertificateInfo {
            subject: "CN=mail.example.test".into(),
            issuer: "CN=mail.example.test".into(),
            self_signed: true,
            ..CertificateInfo::default()
        };
        let (kind, text) = explain_certificate_error(&ca_as_end_entity(), Some(&cert), "h");
        assert_eq!(kind, CertificateProblem::SelfSigned);
        assert_eq!(
            text,
            "certificate is self-signed (CN=mail.example.test); no trusted authority vouches for it"
        );
        // Without the parsed certificate (the HTTP client): still no debug text.
        let (kind, text) = explain_certificate_error(&ca_as_end_entity(), None, "h");
        assert_eq!(kind, CertificateProblem::UnknownIssuer);
        assert!(!text.contains("Other"), "{text}");
    }

    #[test]
    fn no_rust_debug_text_in_certificate_or_handshake_errors() {
        use rustls::{AlertDescription, PeerIncompatible, PeerMisbehaved};
        let other = |e: webpki::Error| {
            rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(
                Arc::new(e),
            )))
        };
        let certificate_errors = [
            other(webpki::Error::EndEntityUsedAsCa),
            other(webpki::Error::UnsupportedCriticalExtension),
            rustls::Error::InvalidCertificate(CertificateError::BadEncoding),
            rustls::Error::InvalidCertificate(CertificateError::UnknownRevocationStatus),
            rustls::Error::NoCertificatesPresented,
        ];
        let handshake_errors = [
            rustls::Error::AlertReceived(AlertDescription::UnknownCA),
            rustls::Error::AlertReceived(AlertDescription::Unknown(201)),
            rustls::Error::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedCipherSuite),
            rustls::Error::PeerIncompatible(PeerIncompatible::ServerDoesNotSupportTls12Or13),
            rustls::Error::DecryptError,
            rustls::Error::General("x".into()),
        ];
        let texts = certificate_errors
            .iter()
            .map(|e| explain_certificate_error(e, None, "imap.example.test").1)
            .chain(handshake_errors.iter().map(explain_handshake_error));
        for text in texts {
            for debug in ["Other(", "Error {", "Context", "Unknown(", "Selected", "::"] {
                assert!(!text.contains(debug), "{debug} in {text:?}");
            }
        }
        assert_eq!(
            explain_handshake_error(&rustls::Error::AlertReceived(AlertDescription::UnknownCA)),
            "the server aborted the TLS handshake (alert: unknown_ca)"
        );
        assert_eq!(
            explain_handshake_error(&handshake_errors[3]),
            "the server offers only TLS versions older than 1.2"
        );
    }

    #[test]
    fn versions_are_named_as_people_write_them() {
        assert_eq!(
            version_name(u16::from(rustls::ProtocolVersion::TLSv1_3)),
            "TLSv1.3"
        );
        assert_eq!(version_name(0x0302), "TLSv1.1");
        assert_eq!(version_name(0x0300), "SSLv3");
        assert_eq!(version_name(0x7f1c), "an unknown version (0x7f1c)");
    }

    #[test]
    fn name_mismatch_names_both_sides() {
        let cert = CertificateInfo {
            names: vec!["mail.hosting.example".into()],
            ..CertificateInfo::default()
        };
        let (kind, text) = explain_certificate_error(
            &rustls::Error::InvalidCertificate(CertificateError::NotValidForName),
            Some(&cert),
            "imap.example.jp",
        );
        assert_eq!(kind, CertificateProblem::NameMismatch);
        assert_eq!(
            text,
            "certificate is for mail.hosting.example, not imap.example.jp"
        );
    }
}
