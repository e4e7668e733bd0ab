//! `export --format autodiscover`: the Outlook autodiscover "plain old XML" response for the
//! address (what `https://autodiscover.<domain>/autodiscover/autodiscover.xml` answers an
//! Outlook request with): `Account` of type `email`, `Action` `settings`, and one `Protocol`
//! block for the best encrypted setting of each of IMAP, POP3 and SMTP.
//!
//! Security is written both ways Outlook versions read it: `SSL` `on` and `Encryption`
//! `SSL` for implicit TLS, `Encryption` `TLS` for STARTTLS (Outlook's word for it).
//! `SPA` is `on` only where the server takes nothing but a challenge-response login.
//! A user name the provider assigns is left out (Outlook then asks).
//!
//! Schema: <https://learn.microsoft.com/exchange/client-developer/web-service-reference/pox-autodiscover-response-for-exchange>.

use super::{first_usable, login};
use crate::model::{AuthMethod, Direction, Protocol, Security};
use crate::report::model::{Report, Setting};
use crate::report::render::{Render, RenderOptions};
use crate::report::thunderbird::xml_text;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::writer::Writer;
use std::io;

const OUTER: &str = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
const INNER: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/// The autodiscover export behind the renderer seam.
pub struct AutodiscoverXml;

impl Render<Report> for AutodiscoverXml {
    fn render(&self, report: &Report, _options: &RenderOptions) -> String {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        if document(&mut writer, report).is_err() {
            // Writing to a Vec cannot fail.
            return String::new();
        }
        let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
        text.push('\n');
        text
    }
}

type W = Writer<Vec<u8>>;

/// The settings written, in Outlook's order: IMAP, POP3, SMTP.
pub fn settings(report: &Report) -> Vec<&Setting> {
    [
        (Direction::Incoming, Protocol::Imap),
        (Direction::Incoming, Protocol::Pop3),
        (Direction::Outgoing, Protocol::Smtp),
    ]
    .into_iter()
    .filter_map(|(direction, protocol)| first_usable(report, direction, &[protocol]))
    .collect()
}

fn document(w: &mut W, report: &Report) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    let mut outer = BytesStart::new("Autodiscover");
    outer.push_attribute(("xmlns", OUTER));
    w.write_event(Event::Start(outer))?;
    let mut response = BytesStart::new("Response");
    response.push_attribute(("xmlns", INNER));
    w.write_event(Event::Start(response))?;
    w.write_event(Event::Start(BytesStart::new("Account")))?;
    text_element(w, "AccountType", "email")?;
    text_element(w, "Action", "settings")?;
    for setting in settings(report) {
        protocol(w, report, setting)?;
    }
    w.write_event(Event::End(BytesEnd::new("Account")))?;
    w.write_event(Event::End(BytesEnd::new("Response")))?;
    w.write_event(Event::End(BytesEnd::new("Autodiscover")))?;
    Ok(())
}

fn protocol(w: &mut W, report: &Report, s: &Setting) -> io::Result<()> {
    let on_off = |b: bool| if b { "on" } else { "off" };
    w.write_event(Event::Start(BytesStart::new("Protocol")))?;
    let kind = match s.endpoint.protocol {
        Protocol::Imap => "IMAP",
        Protocol::Pop3 => "POP3",
        Protocol::Smtp => "SMTP",
    };
    text_element(w, "Type", kind)?;
    text_element(w, "Server", &s.endpoint.host)?;
    text_element(w, "Port", &s.endpoint.port.to_string())?;
    text_element(w, "DomainRequired", "off")?;
    if let Some(name) = login(report, s) {
        text_element(w, "LoginName", &name)?;
    }
    let spa = s.auth.contains(&AuthMethod::PasswordEncrypted)
        && !s.auth.contains(&AuthMethod::PasswordCleartext)
        && !s.auth.contains(&AuthMethod::AppPassword);
    text_element(w, "SPA", on_off(spa))?;
    text_element(w, "SSL", "on")?;
    text_element(w, "AuthRequired", on_off(s.auth != [AuthMethod::None]))?;
    let encryption = match s.endpoint.security {
        Security::Tls => "SSL",
        Security::Starttls => "TLS",
        // Never reached (`first_usable`), but spelled out should that change.
        Security::Plain => "None",
    };
    text_element(w, "Encryption", encryption)?;
    w.write_event(Event::End(BytesEnd::new("Protocol")))
}

fn text_element(w: &mut W, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_text(text)))?;
    Ok(())
}
