//! `detect --offline` gives each named provider's settings from the bundled table, with no
//! network at all.

use super::{mailcfg, mailcfg_json};
use serde_json::Value;

/// (protocol, host, port, security) of a setting.
fn shape(setting: &Value) -> (String, String, u64, String) {
    (
        setting["protocol"].as_str().unwrap_or("").to_string(),
        setting["host"].as_str().unwrap_or("").to_string(),
        setting["port"].as_u64().unwrap_or(0),
        setting["security"].as_str().unwrap_or("").to_string(),
    )
}

/// Check the recommended incoming and outgoing settings and the username for `email`.
fn offline(
    email: &str,
    provider: &str,
    incoming: (&str, &str, u64, &str),
    outgoing: (&str, &str, u64, &str),
    username: Option<&str>,
) {
    let (json, code, _) = mailcfg_json(&["detect", email, "--offline"]);
    assert_eq!(code, 0, "{email}: {json:#}");
    assert_eq!(json["mode"], "offline");
    assert_eq!(json["provider"]["id"], provider, "{email}");
    let own = |t: (&str, &str, u64, &str)| (t.0.to_string(), t.1.to_string(), t.2, t.3.to_string());
    assert_eq!(shape(&json["incoming"][0]), own(incoming), "{email}");
    assert_eq!(shape(&json["outgoing"][0]), own(outgoing), "{email}");
    assert_eq!(
        json["incoming"][0]["username"].as_str(),
        username,
        "{email}"
    );
    assert_eq!(json["incoming"][0]["verification"]["state"], "unverified");
    assert_eq!(json["incoming"][0]["sources"][0], "provider");
    assert!(json["probes"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn gmail() {
    let imap = ("imap", "imap.gmail.com", 993, "tls");
    let smtp = ("smtp", "smtp.gmail.com", 465, "tls");
    offline(
        "taro@gmail.com",
        "gmail",
        imap,
        smtp,
        Some("taro@gmail.com"),
    );
    offline(
        "taro@googlemail.com",
        "gmail",
        imap,
        smtp,
        Some("taro@googlemail.com"),
    );
}

#[test]
fn yahoo_and_its_country_domains() {
    let imap = ("imap", "imap.mail.yahoo.com", 993, "tls");
    let smtp = ("smtp", "smtp.mail.yahoo.com", 465, "tls");
    for email in [
        "taro@yahoo.com",
        "taro@yahoo.co.uk",
        "taro@ymail.com",
        "taro@rocketmail.com",
    ] {
        offline(email, "yahoo", imap, smtp, Some(email));
    }
}

#[test]
fn yahoo_japan() {
    offline(
        "taro@yahoo.co.jp",
        "yahoo-japan",
        ("imap", "imap.mail.yahoo.co.jp", 993, "tls"),
        ("smtp", "smtp.mail.yahoo.co.jp", 465, "tls"),
        None,
    );
}

#[test]
fn icloud() {
    let imap = ("imap", "imap.mail.me.com", 993, "tls");
    let smtp = ("smtp", "smtp.mail.me.com", 587, "starttls");
    for email in ["taro@icloud.com", "taro@me.com", "taro@mac.com"] {
        offline(email, "icloud", imap, smtp, Some("taro"));
    }
}

#[test]
fn outlook_com_and_its_japanese_forms() {
    let imap = ("imap", "outlook.office365.com", 993, "tls");
    let smtp = ("smtp", "smtp-mail.outlook.com", 587, "starttls");
    for email in [
        "taro@outlook.com",
        "taro@hotmail.com",
        "taro@live.com",
        "taro@msn.com",
        "taro@outlook.jp",
        "taro@hotmail.co.jp",
    ] {
        offline(email, "outlook", imap, smtp, Some(email));
    }
}

#[test]
fn docomo() {
    offline(
        "taro@docomo.ne.jp",
        "docomo",
        ("imap", "imap.spmode.ne.jp", 993, "tls"),
        ("smtp", "smtp.spmode.ne.jp", 465, "tls"),
        None,
    );
}

#[test]
fn au() {
    for email in ["taro@au.com", "taro@ezweb.ne.jp"] {
        let (json, code, _) = mailcfg_json(&["detect", email, "--offline"]);
        assert_eq!(code, 0, "{json:#}");
        assert_eq!(json["provider"]["id"], "au");
        assert_eq!(json["incoming"][0]["port"], 993);
        assert_eq!(json["outgoing"][0]["port"], 465);
        assert_eq!(json["incoming"][0]["username_form"], "provider-assigned");
    }
}

#[test]
fn au_one_net_hosts_come_from_the_address() {
    offline(
        "taro@abc.auone-net.jp",
        "au-one-net",
        ("pop3", "pop.abc.auone-net.jp", 995, "tls"),
        ("smtp", "msa.abc.auone-net.jp", 465, "tls"),
        Some("taro"),
    );
    offline(
        "taro@xyz.dion.ne.jp",
        "au-one-net",
        ("pop3", "pop.xyz.dion.ne.jp", 995, "tls"),
        ("smtp", "msa.xyz.dion.ne.jp", 465, "tls"),
        Some("taro"),
    );
}

#[test]
fn softbank() {
    let (json, code, _) = mailcfg_json(&["detect", "taro@i.softbank.jp", "--offline"]);
    assert_eq!(code, 0);
    assert_eq!(json["provider"]["id"], "softbank");
    assert_eq!(
        shape(&json["incoming"][0]),
        ("imap".into(), "imap.softbank.jp".into(), 993, "tls".into())
    );
    assert_eq!(
        shape(&json["outgoing"][0]),
        ("smtp".into(), "smtp.softbank.jp".into(), 465, "tls".into())
    );
}

#[test]
fn an_unknown_domain_offline_finds_nothing() {
    let (json, code, _) = mailcfg_json(&["detect", "taro@unknown-domain.example", "--offline"]);
    assert_eq!(code, 3);
    assert!(json["incoming"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn japanese_labels_and_idn_domains() {
    let (output, _) = mailcfg(&["detect", "taro@docomo.ne.jp", "--offline", "--lang", "ja"]);
    let text = String::from_utf8_lossy(&output.stdout);
    for label in [
        "受信メールサーバー",
        "送信メールサーバー",
        "ユーザー名",
        "ポート",
        "送信サーバーは認証が必要",
    ] {
        assert!(text.contains(label), "missing {label}:\n{text}");
    }
    let (json, code, _) = mailcfg_json(&["detect", "user@例え.jp", "--offline"]);
    assert_eq!(code, 3);
    assert_eq!(json["domain"], "xn--r8jz45g.jp");
    assert_eq!(json["display_domain"], "例え.jp");
    assert_eq!(json["email"], "user@例え.jp");
}
