//! `export --format apple`: an Apple configuration profile (`.mobileconfig`, plist XML,
//! unsigned) with one `com.apple.mail.managed` payload, for iPhone, iPad and macOS Mail.
//!
//! The account is the best encrypted IMAP (else POP3) setting and SMTP submission. `UseSSL`
//! is true for implicit TLS and for STARTTLS alike: Apple Mail upgrades with STARTTLS on
//! ports that are not implicit TLS. A user name the provider assigns is left out, so the
//! device asks for it when the profile is installed (Apple's documented behaviour for a
//! missing user name); the password is never in the profile, so the device asks for it too.
//!
//! The payload UUIDs are name-based (SHA-256 of the address and the payload's role,
//! formatted as an RFC 9562 version 8 UUID), so exporting the same address again gives a
//! byte-identical profile, and installing it again replaces the earlier one.

use super::{choose, login};
use crate::model::{AuthMethod, Protocol};
use crate::report::model::{Report, Setting};
use crate::report::render::{ExportFormat, Render, RenderOptions};
use plist::{Dictionary, Value};

/// The Apple profile export behind the renderer seam.
pub struct AppleProfile;

impl Render<Report> for AppleProfile {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        let profile = profile(report);
        let mut bytes = Vec::new();
        let options = plist::XmlWriteOptions::default().indent(b'\t', 1);
        // Writing to a Vec cannot fail; an empty output would be refused by every reader.
        if Value::Dictionary(profile)
            .to_writer_xml_with_options(&mut bytes, &options)
            .is_err()
        {
            return String::new();
        }
        let mut text = String::from_utf8(bytes).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The whole profile as a plist dictionary.
pub fn profile(report: &Report) -> Dictionary {
    let chosen = choose(report, ExportFormat::Apple);
    let name = display_name(report);
    let identifier = identifier(report);
    let mut payload = Dictionary::new();
    let address = super::ascii_address(report);
    payload.insert("EmailAccountDescription".into(), name.clone().into());
    if let Some(incoming) = chosen.incoming {
        let kind = match incoming.endpoint.protocol {
            Protocol::Pop3 => "EmailTypePOP",
            _ => "EmailTypeIMAP",
        };
        payload.insert("EmailAccountType".into(), kind.into());
    }
    payload.insert("EmailAddress".into(), address.clone().into());
    if let Some(incoming) = chosen.incoming {
        server(&mut payload, "IncomingMailServer", report, incoming);
    }
    if let Some(outgoing) = chosen.outgoing {
        server(&mut payload, "OutgoingMailServer", report, outgoing);
        payload.insert(
            "OutgoingPasswordSameAsIncomingPassword".into(),
            Value::Boolean(chosen.incoming.is_some()),
        );
    }
    payload.insert(
        "PayloadDescription".into(),
        format!("Mail settings for {address}").into(),
    );
    payload.insert("PayloadDisplayName".into(), name.clone().into());
    payload.insert(
        "PayloadIdentifier".into(),
        format!("{identifier}.mail").into(),
    );
    payload.insert("PayloadType".into(), "com.apple.mail.managed".into());
    payload.insert("PayloadUUID".into(), stable_uuid(&address, "mail").into());
    payload.insert("PayloadVersion".into(), Value::Integer(1.into()));

    let mut root = Dictionary::new();
    root.insert(
        "PayloadContent".into(),
        Value::Array(vec![Value::Dictionary(payload)]),
    );
    root.insert(
        "PayloadDescription".into(),
        format!("Sets up the mail account {address} (made by mailcfg).").into(),
    );
    root.insert("PayloadDisplayName".into(), format!("{name} mail").into());
    root.insert("PayloadIdentifier".into(), identifier.into());
    root.insert("PayloadRemovalDisallowed".into(), Value::Boolean(false));
    root.insert("PayloadType".into(), "Configuration".into());
    root.insert(
        "PayloadUUID".into(),
        stable_uuid(&address, "profile").into(),
    );
    root.insert("PayloadVersion".into(), Value::Integer(1.into()));
    root
}

fn server(payload: &mut Dictionary, prefix: &str, report: &Report, setting: &Setting) {
    let key = |suffix: &str| format!("{prefix}{suffix}");
    payload.insert(key("Authentication"), authentication(setting).into());
    payload.insert(key("HostName"), setting.endpoint.host.clone().into());
    payload.insert(
        key("PortNumber"),
        Value::Integer(i64::from(setting.endpoint.port).into()),
    );
    // Plain settings never reach here (`first_usable`): TLS or STARTTLS.
    payload.insert(key("UseSSL"), Value::Boolean(true));
    if let Some(name) = login(report, setting) {
        payload.insert(key("Username"), name.into());
    }
}

/// Apple's authentication names: CRAM-MD5 where the server takes only a challenge
/// response, none where it needs no login, else a password (an app password is typed
/// where the password goes).
fn authentication(setting: &Setting) -> &'static str {
    let takes = |m: AuthMethod| setting.auth.contains(&m);
    if setting.auth == [AuthMethod::None] {
        "EmailAuthNone"
    } else if takes(AuthMethod::PasswordEncrypted)
        && !takes(AuthMethod::PasswordCleartext)
        && !takes(AuthMethod::AppPassword)
    {
        "EmailAuthCRAMMD5"
    } else {
        "EmailAuthPassword"
    }
}

fn display_name(report: &Report) -> String {
    report.provider.as_ref().map_or_else(
        || report.display_domain.clone(),
        |p| crate::report::clean(&p.name),
    )
}

/// Reverse-DNS identifier from the ASCII domain: `jp.ne.example.mailcfg`.
fn identifier(report: &Report) -> String {
    let mut labels: Vec<&str> = report.domain.split('.').collect();
    labels.reverse();
    format!("{}.mailcfg", labels.join("."))
}

/// A name-based UUID: the first 16 bytes of SHA-256("mailcfg apple <role> <address>") with
/// the RFC 9562 version (8) and variant bits set, in upper-case hex as Apple writes them.
pub fn stable_uuid(address: &str, role: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("mailcfg apple {role} {address}").as_bytes(),
    );
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
