//! A throw-away certificate authority (rcgen) writing PEM files for the servers.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: Duration = Duration::from_secs(86_400);

/// Validity period of an issued certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// From yesterday until 90 days from now.
    Current,
    /// Expired: from 60 days ago until yesterday.
    Expired,
    /// Not valid yet: from 30 days from now until 90 days from now.
    NotYetValid,
    /// Valid since yesterday, ending this many days from now (a certificate about to
    /// expire).
    EndsInDays(u32),
}

/// PEM files of an issued certificate and its private key.
#[derive(Clone, Debug)]
pub struct CertFiles {
    /// The leaf certificate alone, PEM.
    pub cert: PathBuf,
    /// The leaf's private key, PKCS#8 PEM (ECDSA P-256).
    pub key: PathBuf,
    /// The leaf certificate, DER (to compare with what a client saw).
    pub der: Vec<u8>,
    /// The subject alternative names (DNS names or IP addresses).
    pub names: Vec<String>,
}

/// A test CA. `ca.pem` in its directory is the trust anchor to hand to clients (`--ca-file`).
pub struct TestCa {
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    issuer: CertifiedIssuer<'static, KeyPair>,
    ca_pem: PathBuf,
    counter: AtomicUsize,
}

/// Sets `not_before`/`not_after` to now plus the given (possibly negative) numbers of days.
fn set_validity(params: &mut CertificateParams, from_days: i64, to_days: i64) {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let now = rcgen::date_time_ymd(1970, 1, 1) + since_epoch;
    let shift = |days: i64| {
        if days >= 0 {
            now + DAY * days as u32
        } else {
            now - DAY * (-days) as u32
        }
    };
    params.not_before = shift(from_days);
    params.not_after = shift(to_days);
}

impl TestCa {
    /// Creates a CA whose certificate is written to `dir/ca.pem`; issued files go to `dir` too.
    pub fn new(dir: &Path) -> TestCa {
        std::fs::create_dir_all(dir).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        // A name of its own: two test CAs with one name would look like one CA whose
        // signatures do not verify, where a test wants "unknown issuer".
        static SERIAL: AtomicUsize = AtomicUsize::new(1);
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("mailcfg test CA {serial}"));
        params
            .distinguished_name
            .push(DnType::OrganizationName, "mailcfg tests");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, -2, 3650);
        let key = KeyPair::generate().unwrap();
        let issuer = CertifiedIssuer::self_signed(params, key).unwrap();
        let ca_pem = dir.join("ca.pem");
        std::fs::write(&ca_pem, issuer.pem()).unwrap();
        TestCa {
            dir: dir.to_path_buf(),
            _tmp: None,
            issuer,
            ca_pem,
            counter: AtomicUsize::new(0),
        }
    }

    /// A CA in its own temporary directory, removed when the CA is dropped.
    pub fn temp() -> TestCa {
        let tmp = super::service_tempdir("mailcfg-ca-");
        let mut ca = TestCa::new(tmp.path());
        ca._tmp = Some(tmp);
        ca
    }

    /// The directory holding `ca.pem` and the issued files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the CA certificate (PEM): the file to pass as `--ca-file`.
    pub fn ca_pem(&self) -> &Path {
        &self.ca_pem
    }

    /// The CA certificate, DER.
    pub fn ca_der(&self) -> &[u8] {
        self.issuer.der()
    }

    /// Issues a server certificate for `names` (DNS names or IP addresses, all put in the SAN;
    /// the first is also the CN) and writes `<name>-<n>.crt.pem` / `.key.pem`.
    pub fn issue(&self, names: &[&str], validity: Validity) -> CertFiles {
        let mut params = leaf_params(names, validity);
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        self.write(
            names,
            &cert.pem(),
            &key.serialize_pem(),
            cert.der().to_vec(),
        )
    }

    /// A self-signed certificate for `names` (not issued by this CA, so clients trusting only
    /// `ca.pem` reject it).
    pub fn self_signed(&self, names: &[&str]) -> CertFiles {
        let params = leaf_params(names, Validity::Current);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        self.write(
            names,
            &cert.pem(),
            &key.serialize_pem(),
            cert.der().to_vec(),
        )
    }

    fn write(&self, names: &[&str], cert_pem: &str, key_pem: &str, der: Vec<u8>) -> CertFiles {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let label: String = names
            .first()
            .unwrap_or(&"cert")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let cert = self.dir.join(format!("{label}-{n}.crt.pem"));
        let key = self.dir.join(format!("{label}-{n}.key.pem"));
        std::fs::write(&cert, cert_pem).unwrap();
        std::fs::write(&key, key_pem).unwrap();
        CertFiles {
            cert,
            key,
            der,
            names: names.iter().map(|s| s.to_string()).collect(),
        }
    }
}

fn leaf_params(names: &[&str], validity: Validity) -> CertificateParams {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(owned).expect("valid certificate names");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        DnType::CommonName,
        *names.first().unwrap_or(&"mailcfg test"),
    );
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    match validity {
        Validity::Current => set_validity(&mut params, -1, 90),
        Validity::Expired => set_validity(&mut params, -60, -1),
        Validity::NotYetValid => set_validity(&mut params, 30, 90),
        Validity::EndsInDays(days) => set_validity(&mut params, -1, i64::from(days)),
    }
    params
}
