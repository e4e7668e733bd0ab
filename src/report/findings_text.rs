//! The words for what the engine found: findings, confirmations, contradictions and
//! verification states, in English and Japanese. The engine stores facts; this file alone
//! turns them into sentences, so every renderer (and every client guide to come) says the
//! same fact the same way.
//!
//! Text that came from outside (host names, greetings, certificate names) is inserted as
//! it is; the text renderers pass the finished sentence through `report::clean`.

use crate::findings::{Finding, Place, Publisher, TemplateField};
use crate::model::{Lang, Security};
use crate::report::labels::{self, pick};
use crate::report::model::{Confirmation, Contradiction, Failure, NoLogin, Observed, Unverified};

/// A finding in words: what happened, and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub what: String,
    pub next: String,
}

impl Wording {
    /// Both parts as one paragraph (JSON's `en` / `ja`).
    pub fn joined(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!("{} {}", self.what, self.next),
            Lang::Ja => format!("{}{}", self.what, self.next),
        }
    }
}

fn wording(lang: Lang, (en, ja): Texts) -> Wording {
    let (what, next) = pick(lang, en, ja);
    Wording { what, next }
}

/// `imap.example.jp:993`.
fn at(place: &Place) -> String {
    format!("{}:{}", place.host, place.port)
}

/// Several places, joined for a sentence.
fn places(list: &[Place], lang: Lang) -> String {
    list.iter()
        .map(at)
        .collect::<Vec<_>>()
        .join(labels::list_separator(lang))
}

/// The distinct hosts of several places, joined for a sentence.
fn hosts(list: &[Place], lang: Lang) -> String {
    let mut names: Vec<&str> = Vec::new();
    for place in list {
        if !names.contains(&place.host.as_str()) {
            names.push(&place.host);
        }
    }
    names.join(labels::list_separator(lang))
}

/// `2027-01-31` from an RFC 3339 time (the date is what a person checks).
fn day(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// English and Japanese: (what happened, what to do next) in each.
type Texts = ((String, String), (String, String));

/// The finding `f` in `lang`.
pub fn finding(f: &Finding, lang: Lang) -> Wording {
    use Finding::*;
    let texts = match f {
        DomainNotFound { domain } => domain_not_found(domain),
        NoMailRecords { domain } => no_mail_records(domain),
        AllTimedOut { at } => all_timed_out(at),
        StarttlsFailed { at } => starttls_failed(at),
        ObsoleteTls {
            at,
            version,
            certificate_names,
            key_bits,
        } => obsolete_tls(at, version, certificate_names, *key_bits),
        PlaintextOnTlsPort {
            at,
            greeting,
            instead,
        } => plaintext_on_tls_port(at, greeting, instead.as_ref()),
        Port25Blocked { blocked, working } => port_25_blocked(blocked, working),
        CertificateNameMismatch {
            at,
            names,
            verified_alternative,
        } => name_mismatch(at, names, verified_alternative.as_deref()),
        AliasNotInCertificate {
            at,
            canonical,
            canonical_verified,
        } => alias(at, canonical, *canonical_verified),
        CertificateSelfSigned { .. }
        | CertificateExpired { .. }
        | CertificateNotYetValid { .. }
        | CertificateUnknownIssuer { .. }
        | CertificateInvalid { .. } => untrusted(f),
        PlaintextOnly { at } => plaintext_only(at),
        AutoconfigDowngradeRefused { url } => downgrade_refused(url),
        AutoconfigInsecure {
            url,
            named,
            verified,
            ..
        } => insecure_autoconfig(url, named, verified),
        RelayPortListed { at } => relay_port_listed(at),
        ProviderAssignedUsername { .. } => provider_assigned_username(),
        // `mailcfg lint`'s kinds, worded for the domain's administrator.
        other => lint_texts(other),
    };
    wording(lang, texts)
}

fn domain_not_found(domain: &str) -> Texts {
    (
        (
            format!("The domain {domain} does not exist (DNS answers NXDOMAIN)."),
            "Check the spelling of the address after the @.".into(),
        ),
        (
            format!("ドメイン {domain} は存在しません（DNS の応答が NXDOMAIN）。"),
            "メールアドレスの @ より後ろの綴りを確認してください。".into(),
        ),
    )
}

fn no_mail_records(domain: &str) -> Texts {
    (
        (
            format!(
                "The domain {domain} exists, but has no mail records: no MX, no SRV, and none of the usual mail host names resolves."
            ),
            "Check the spelling of the address; if it is right, ask the mail administrator which servers to use.".into(),
        ),
        (
            format!(
                "ドメイン {domain} は存在しますが、メール用の DNS レコード（MX・SRV）がなく、一般的なメールサーバー名も見つかりません。"
            ),
            "メールアドレスの綴りを確認し、正しければメール管理者に使用するサーバーを問い合わせてください。".into(),
        ),
    )
}

fn all_timed_out(at: &[Place]) -> Texts {
    (
        (
            format!(
                "Every connection to the domain's servers timed out ({}): a firewall drops the traffic, on this network or at the server.",
                places(at, Lang::En)
            ),
            "Try from another network (for example a phone's mobile data); if it works there, the firewall is on this network.".into(),
        ),
        (
            format!(
                "ドメインのサーバーへの接続がすべてタイムアウトしました（{}）。この回線かサーバー側のファイアウォールが通信を遮断しています。",
                places(at, Lang::Ja)
            ),
            "別の回線（スマートフォンのモバイル通信など）から試してください。そちらでつながるなら、遮断しているのはこの回線です。".into(),
        ),
    )
}

fn starttls_failed(p: &Place) -> Texts {
    (
        (
            format!(
                "The upgrade to encryption (STARTTLS) fails on {}: the server agrees to it, then the TLS handshake fails. A network device may be stripping encryption, or the server is broken.",
                at(p)
            ),
            "Do not use this setting, and do not switch encryption off: no password was sent. Use another setting, or try from another network and report it to the provider.".into(),
        ),
        (
            format!(
                "{} では暗号化への切り替え（STARTTLS）が失敗します。サーバーは応じますが、その後の TLS ハンドシェイクが成立しません。途中のネットワーク機器が暗号化を妨げているか、サーバーの不具合です。",
                at(p)
            ),
            "この設定は使わず、暗号化方法を「なし」にもしないでください（パスワードは送信していません）。別の設定を使うか、別の回線から試し、プロバイダーに連絡してください。".into(),
        ),
    )
}

fn port_25_blocked(blocked: &[Place], working: &[Place]) -> Texts {
    (
        (
            format!(
                "Port 25 does not answer ({}) while submission does ({}): outbound port 25 is blocked on this network (OP25B, usual with Japanese ISPs and mobile carriers).",
                places(blocked, Lang::En),
                places(working, Lang::En)
            ),
            "Nothing is wrong with the account: send through port 587 or 465 with authentication, as in the recommended settings.".into(),
        ),
        (
            format!(
                "ポート 25（{}）は応答せず、{} は応答します。この回線では外向きのポート 25 が遮断されています（OP25B。日本のプロバイダーや携帯キャリアでは一般的です）。",
                places(blocked, Lang::Ja),
                places(working, Lang::Ja)
            ),
            "アカウントの問題ではありません。推奨設定のとおりポート 587 か 465 を使い、「送信サーバーは認証が必要」をオンにしてください。".into(),
        ),
    )
}

fn plaintext_only(p: &Place) -> Texts {
    (
        (
            format!(
                "{} works only without encryption: the password would cross the network readable by anyone on the way.",
                at(p)
            ),
            "Ask the provider for an encrypted (SSL/TLS or STARTTLS) server before using it.".into(),
        ),
        (
            format!(
                "{} は暗号化なしでしか接続できません。パスワードが読み取れる状態でネットワークを流れます。",
                at(p)
            ),
            "使う前に、暗号化（SSL/TLS か STARTTLS）に対応したサーバーをプロバイダーに確認してください。".into(),
        ),
    )
}

fn downgrade_refused(url: &str) -> Texts {
    (
        (
            format!(
                "{url} redirected to plain http; mailcfg refused to follow it, so nothing from that redirect is used."
            ),
            "The provider should serve its autoconfig over https without a downgrade.".into(),
        ),
        (
            format!(
                "{url} は暗号化されていない http へ転送しようとしたため、転送先は使っていません。"
            ),
            "プロバイダー側で autoconfig を https のまま提供する必要があります。".into(),
        ),
    )
}

fn relay_port_listed(list: &[Place]) -> Texts {
    (
        (
            format!(
                "Port 25 ({}) is for delivery between mail servers; many networks block it for mail clients (OP25B).",
                places(list, Lang::En)
            ),
            "Use 465 or 587 for sending.".into(),
        ),
        (
            format!(
                "ポート 25（{}）はサーバー間の配送用で、多くの回線ではメールソフトからの利用が遮断されています（OP25B）。",
                places(list, Lang::Ja)
            ),
            "送信には 465 か 587 を使ってください。".into(),
        ),
    )
}

fn provider_assigned_username() -> Texts {
    (
        (
            "The user name is an ID the provider issues, not your email address.".into(),
            "Look it up in the provider's registration letter or member page.".into(),
        ),
        (
            "ユーザー名はプロバイダーが発行する ID で、メールアドレスではありません。".into(),
            "登録通知書やプロバイダーの会員ページで確認してください。".into(),
        ),
    )
}

fn obsolete_tls(list: &[Place], version: &str, names: &[String], key_bits: Option<u32>) -> Texts {
    let mut cert_en = String::new();
    let mut cert_ja = String::new();
    if !names.is_empty() {
        let bits_en = key_bits
            .map(|b| format!(" ({b}-bit key)"))
            .unwrap_or_default();
        let bits_ja = key_bits
            .map(|b| format!("（鍵長 {b} ビット）"))
            .unwrap_or_default();
        cert_en = format!(" Its certificate is for {}{bits_en}.", names.join(", "));
        cert_ja = format!("証明書は {} 用です{bits_ja}。", names.join("、"));
    }
    (
        (
            format!(
                "{} speaks only {version}, which is obsolete (RFC 8996): current mail clients refuse it.{cert_en}",
                places(list, Lang::En)
            ),
            "The provider must enable TLS 1.2 or later; until then this server cannot be used safely.".into(),
        ),
        (
            format!(
                "{} は廃止された {version} にしか対応していません（RFC 8996）。現在のメールソフトは接続を拒否します。{cert_ja}",
                places(list, Lang::Ja)
            ),
            "プロバイダーが TLS 1.2 以上を有効にする必要があります。それまではこのサーバーを安全に使えません。".into(),
        ),
    )
}

fn plaintext_on_tls_port(p: &Place, greeting: &str, instead: Option<&Place>) -> Texts {
    let (next_en, next_ja) = match instead {
        Some(other) => (
            format!(
                "The port is misconfigured; use {} with STARTTLS instead, which works.",
                at(other)
            ),
            format!(
                "ポートの設定誤りです。代わりに、接続できる {}（STARTTLS）を使ってください。",
                at(other)
            ),
        ),
        None => (
            "The port is misconfigured; ask the provider to enable TLS on it.".to_string(),
            "ポートの設定誤りです。プロバイダーに TLS の有効化を依頼してください。".to_string(),
        ),
    };
    (
        (
            format!(
                "{} should start with TLS, but it answers in plain text (\"{greeting}\").",
                at(p)
            ),
            next_en,
        ),
        (
            format!(
                "{} は最初から TLS で応答するはずのポートですが、暗号化なしで応答しています（「{greeting}」）。",
                at(p)
            ),
            next_ja,
        ),
    )
}

fn name_mismatch(list: &[Place], names: &[String], verified: Option<&str>) -> Texts {
    let shown_en = if names.is_empty() {
        "no name at all".to_string()
    } else {
        names.join(", ")
    };
    let shown_ja = if names.is_empty() {
        "名前なし".to_string()
    } else {
        names.join("、")
    };
    let (next_en, next_ja) = match verified {
        Some(name) => (
            format!(
                "The server's certificate is for {name}; connecting by that name is verified. Shared hosting works this way: confirm with the provider that {name} is their server, then use it."
            ),
            format!(
                "サーバーの証明書は {name} 用で、その名前で接続すると検証に成功します。共用サーバー（レンタルサーバー）でよくある構成です。{name} がプロバイダーのサーバーであることを確認してから使ってください。"
            ),
        ),
        None => (
            "A mail client will warn about it; do not accept the warning unless the provider confirms the certificate.".to_string(),
            "メールソフトが警告を出します。プロバイダーが証明書を確認するまで、警告を受け入れないでください。".to_string(),
        ),
    };
    (
        (
            format!(
                "The certificate of {} is for {shown_en}, not for the name connected to.",
                places(list, Lang::En)
            ),
            next_en,
        ),
        (
            format!(
                "{} の証明書は {shown_ja} 用で、接続先の名前と一致しません。",
                places(list, Lang::Ja)
            ),
            next_ja,
        ),
    )
}

fn alias(list: &[Place], canonical: &str, verified: bool) -> Texts {
    let (next_en, next_ja) = if verified {
        (
            format!("Connecting as {canonical} is verified: use that name as the server."),
            format!(
                "{canonical} として接続すると検証に成功します。サーバー名にはこちらを使ってください。"
            ),
        )
    } else {
        (
            format!(
                "Use {canonical} as the server name, or ask the provider to add the alias to the certificate."
            ),
            format!(
                "サーバー名に {canonical} を使うか、別名を証明書に含めるようプロバイダーに依頼してください。"
            ),
        )
    };
    (
        (
            format!(
                "{} is an alias of {canonical}; the certificate covers {canonical} but not the alias.",
                hosts(list, Lang::En)
            ),
            next_en,
        ),
        (
            format!(
                "{} は {canonical} の別名（CNAME）で、証明書は {canonical} を対象としており、別名を含んでいません。",
                hosts(list, Lang::Ja)
            ),
            next_ja,
        ),
    )
}

/// Why a certificate is not trusted, as the end of a sentence: (English, Japanese).
fn distrust(f: &Finding) -> (String, String) {
    use Finding::*;
    match f {
        CertificateSelfSigned { subject, .. } => (
            format!("is self-signed ({subject}): no trusted authority vouches for it"),
            format!("自己署名証明書です（{subject}）。信頼できる認証局の保証がありません"),
        ),
        CertificateExpired { not_after, .. } => (
            format!("expired on {}", day(not_after)),
            format!(" {} に有効期限が切れています", day(not_after)),
        ),
        CertificateNotYetValid { not_before, .. } => (
            format!(
                "is not valid until {} (or this computer's clock is wrong)",
                day(not_before)
            ),
            format!(
                " {} まで有効になりません（このパソコンの時計がずれている可能性もあります）",
                day(not_before)
            ),
        ),
        CertificateUnknownIssuer { issuer, .. } => (
            format!(
                "was issued by an authority this computer does not trust ({issuer}); if it is your organisation's CA, pass it with --ca-file"
            ),
            format!(
                "信頼されていない認証局が発行しています（{issuer}）。組織内の認証局であれば --ca-file で指定してください"
            ),
        ),
        // The detail is the probe's English account (evidence), quoted as it is.
        CertificateInvalid { detail, .. } => (
            format!("is not valid ({detail})"),
            format!("無効です（詳細: {detail}）"),
        ),
        _ => ("is not trusted".to_string(), "信頼できません".to_string()),
    }
}

/// A certificate that is not trusted, for the reason `f` gives.
fn untrusted(f: &Finding) -> Texts {
    let list = f.endpoints();
    let (why_en, why_ja) = distrust(f);
    (
        (
            format!("The certificate of {} {why_en}.", places(&list, Lang::En)),
            "A mail client will warn about it; do not accept the warning unless the provider confirms the certificate.".into(),
        ),
        (
            format!("{} の証明書は{why_ja}。", places(&list, Lang::Ja)),
            "メールソフトが警告を出します。プロバイダーが証明書を確認するまで、警告を受け入れないでください。".into(),
        ),
    )
}

fn insecure_autoconfig(url: &str, named: &[Place], verified: &[Place]) -> Texts {
    let (next_en, next_ja) = if verified.is_empty() {
        (
            "Treat them as unconfirmed: no encrypted server inside the domain has confirmed them yet.".to_string(),
            "ドメイン内の暗号化されたサーバーでまだ確認できていないため、未確認の情報として扱ってください。".to_string(),
        )
    } else if verified.len() == named.len() {
        (
            "Every one of them was verified by an encrypted connection inside the domain."
                .to_string(),
            "いずれもドメイン内のサーバーに暗号化して接続し、確認できました。".to_string(),
        )
    } else {
        (
            format!(
                "Verified by an encrypted connection inside the domain: {}; treat the others as unconfirmed.",
                places(verified, Lang::En)
            ),
            format!(
                "{} はドメイン内で暗号化して接続し確認できましたが、それ以外は未確認の情報として扱ってください。",
                places(verified, Lang::Ja)
            ),
        )
    };
    (
        (
            format!(
                "The settings from {url} were read over plain http ({}), which anyone on the way could have altered.",
                places(named, Lang::En)
            ),
            next_en,
        ),
        (
            format!(
                "{url} の設定（{}）は暗号化されていない http で取得したもので、途中で改ざんされた可能性があります。",
                places(named, Lang::Ja)
            ),
            next_ja,
        ),
    )
}

/// Why the user must confirm a host before entering a password.
pub fn confirmation(c: &Confirmation, lang: Lang) -> String {
    let via: Vec<&str> = c
        .via
        .iter()
        .map(|k| labels::source_kind(*k, lang))
        .collect();
    pick(
        lang,
        format!(
            "{} is outside {} and was found only through {} (unauthenticated): confirm with your provider that it is their server before entering a password.",
            c.host,
            c.outside,
            via.join(", ")
        ),
        format!(
            "{} は {} の外にあるサーバーで、認証されていない経路（{}）からしか見つかっていません。パスワードを入力する前に、プロバイダーのサーバーであることを確認してください。",
            c.host,
            c.outside,
            via.join("・")
        ),
    )
}

/// The security setting in words for a sentence: "SSL/TLS", "STARTTLS", "no encryption".
fn security_words(security: Security, lang: Lang) -> &'static str {
    match (security, lang) {
        (Security::Plain, Lang::En) => "no encryption",
        // The word under 暗号化方法 in Japanese clients, quoted as a choice.
        (Security::Plain, Lang::Ja) => "「なし」",
        (s, _) => s.label(),
    }
}

/// What the probe found instead of the claim: short, for the "Observed" line and JSON.
pub fn observed(o: &Observed, port: u16, lang: Lang) -> String {
    match o {
        // English keeps the probe's keyword (scripts have matched on it since schema 1).
        Observed::Failed { outcome, error } => match lang {
            Lang::En => format!("{}: {error}", outcome.as_str()),
            Lang::Ja => format!("{}: {error}", labels::outcome(*outcome, lang)),
        },
        Observed::OtherSecurity { security } => pick(
            lang,
            format!(
                "the server uses {} on port {port}",
                security_words(*security, lang)
            ),
            format!(
                "ポート {port} の実際の暗号化方法は {} です",
                security_words(*security, lang)
            ),
        ),
    }
}

/// A contradiction as a sentence.
pub fn contradiction(c: &Contradiction, lang: Lang) -> String {
    let at = format!("{}:{}", c.claimed.host, c.claimed.port);
    let claimed = security_words(c.claimed.security, lang);
    match &c.observed {
        Observed::Failed { error, .. } => pick(
            lang,
            format!("The sources name {at} ({claimed}), but it does not work: {error}"),
            format!("情報源は {at}（{claimed}）を示していますが、接続できません: {error}"),
        ),
        Observed::OtherSecurity { security } => pick(
            lang,
            format!(
                "The sources say {claimed} on {at}, but the server uses {} there.",
                security_words(*security, lang)
            ),
            format!(
                "情報源では {at} の暗号化方法は {claimed} ですが、実際のサーバーは {} です。",
                security_words(*security, lang)
            ),
        ),
    }
}

/// Why a setting was not checked.
pub fn unverified(reason: Unverified, lang: Lang) -> String {
    match reason {
        Unverified::Offline => pick(
            lang,
            "offline: not checked against the server".into(),
            "オフライン: サーバーでは確認していません".into(),
        ),
        Unverified::NoProbe => pick(
            lang,
            "--no-probe: not checked against the server".into(),
            "--no-probe: サーバーでは確認していません".into(),
        ),
        Unverified::NotReached => pick(
            lang,
            "not checked: a better setting was verified first, or time ran out".into(),
            "未確認: より良い設定を先に確認できたか、時間切れになりました".into(),
        ),
    }
}

/// Why a probed setting does not work, with the probe's evidence.
pub fn failure(f: &Failure, lang: Lang) -> String {
    match f {
        Failure::Probe { error, .. } => error.clone(),
        Failure::NoLogin {
            why: NoLogin::LoginDisabled,
        } => pick(
            lang,
            "the server refuses password logins on this connection (LOGINDISABLED)".into(),
            "この接続ではサーバーがパスワードでのログインを受け付けません（LOGINDISABLED）".into(),
        ),
        Failure::NoLogin {
            why: NoLogin::NoAuth,
        } => pick(
            lang,
            "the server offers no authentication (AUTH) on this connection".into(),
            "この接続ではサーバーが認証（AUTH）を提供していません".into(),
        ),
    }
}

/// The short keyword of a failure: the probe outcome, or "no-login" (JSON's `outcome`).
pub fn failure_keyword(f: &Failure) -> &'static str {
    match f {
        Failure::Probe { outcome, .. } => outcome.as_str(),
        Failure::NoLogin { .. } => "no-login",
    }
}

/// A failure's keyword in words.
pub fn failure_short(f: &Failure, lang: Lang) -> String {
    match f {
        Failure::Probe { outcome, .. } => labels::outcome(*outcome, lang).to_string(),
        Failure::NoLogin { .. } => labels::no_login(lang).to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// `mailcfg lint`: findings for the domain's administrator
// ---------------------------------------------------------------------------------------------

/// Who published a setting, for a sentence (English starts lower case; see
/// [`sentence`]).
fn publisher(by: &Publisher, lang: Lang) -> String {
    match by {
        Publisher::Autoconfig { url } => pick(
            lang,
            format!("the autoconfig file {url}"),
            format!("autoconfig ファイル {url}"),
        ),
        Publisher::Srv { name } => pick(
            lang,
            format!("the SRV record {name}"),
            format!("SRV レコード {name}"),
        ),
        Publisher::Autodiscover { url } => pick(
            lang,
            format!("the autodiscover answer of {url}"),
            format!("{url} の autodiscover 応答"),
        ),
    }
}

/// `text` with its first letter upper case, to start a sentence.
fn sentence(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn days(n: i64, lang: Lang) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 day".to_string(),
        (Lang::En, n) => format!("{n} days"),
        (Lang::Ja, n) => format!("{n} 日"),
    }
}

/// The lint kinds; every other kind is worded in [`finding`].
fn lint_texts(f: &Finding) -> Texts {
    use Finding::*;
    match f {
        MxMissing { domain } => (
            (
                format!("{domain} has no MX record: mail to the domain has nowhere to go (senders fall back to its A record, if any)."),
                format!("Publish an MX record for {domain} naming the server that receives its mail."),
            ),
            (
                format!("{domain} には MX レコードがありません。このドメイン宛てのメールの配送先が決まりません（A レコードがあればそこへ配送されます）。"),
                format!("{domain} のメールを受け取るサーバーを MX レコードとして登録してください。"),
            ),
        ),
        MxNull { domain } => (
            (
                format!("{domain} publishes a null MX (RFC 7505): it says it receives no mail."),
                "If the domain should receive mail, replace the null MX with the real mail server.".into(),
            ),
            (
                format!("{domain} は null MX（RFC 7505）を登録しており、メールを受け取らないと宣言しています。"),
                "メールを受け取るドメインであれば、null MX を実際のメールサーバーに置き換えてください。".into(),
            ),
        ),
        MxHostUnresolved { host } => (
            (
                format!("The MX host {host} does not resolve to an address."),
                format!("Add an A/AAAA record for {host}, or point the MX at a host that has one."),
            ),
            (
                format!("MX ホスト {host} のアドレスが引けません。"),
                format!("{host} の A/AAAA レコードを登録するか、アドレスのあるホストを MX に指定してください。"),
            ),
        ),
        SrvTargetUnresolved { name, target, port } => (
            (
                format!("The SRV record {name} points at {target}:{port}, which does not resolve to an address."),
                format!("Add an A/AAAA record for {target}, fix the record's target, or publish \".\" if the service is not offered."),
            ),
            (
                format!("SRV レコード {name} の接続先 {target}:{port} のアドレスが引けません。"),
                format!("{target} の A/AAAA レコードを登録するか、接続先を直すか、提供しないサービスなら接続先を「.」にしてください。"),
            ),
        ),
        SrvNotOffered { name } => (
            (
                format!("{name} has the target \".\": the domain says this service is not offered."),
                "Nothing to fix if that is intended.".into(),
            ),
            (
                format!("{name} の接続先は「.」で、このサービスは提供しないと宣言しています。"),
                "意図どおりであれば対応は不要です。".into(),
            ),
        ),
        SrvDotMixed { name } => (
            (
                format!("{name} has a \".\" target (\"not offered\") next to real targets."),
                "Keep either the single \".\" record (not offered) or the real targets, not both (RFC 2782).".into(),
            ),
            (
                format!("{name} には「.」（提供しない）の接続先と実際の接続先が混在しています。"),
                "「.」のレコード 1 件（提供しない）か実際の接続先のどちらか一方だけにしてください（RFC 2782）。".into(),
            ),
        ),
        SrvImplicitTlsNotPreferred {
            tls_name,
            tls_priority,
            starttls_name,
            starttls_priority,
        } => (
            (
                format!("{starttls_name} (priority {starttls_priority}) is preferred over {tls_name} (priority {tls_priority}), but RFC 8314 asks clients to be steered to implicit TLS."),
                format!("Give {tls_name} a lower priority number than {starttls_name}."),
            ),
            (
                format!("{starttls_name}（優先度 {starttls_priority}）が {tls_name}（優先度 {tls_priority}）より優先されていますが、RFC 8314 では最初から TLS の接続を優先させることになっています。"),
                format!("{tls_name} の優先度の数値を {starttls_name} より小さくしてください。"),
            ),
        ),
        AutoconfigMissing { domain, urls } => (
            (
                format!("{domain} publishes no autoconfig file ({}): Thunderbird and other clients must guess the settings.", urls.join(", ")),
                format!("Serve a clientConfig v1.1 file at https://autoconfig.{domain}/mail/config-v1.1.xml (mailcfg detect --format thunderbird writes one)."),
            ),
            (
                format!("{domain} は autoconfig ファイルを公開していません（{}）。Thunderbird などのメールソフトは設定を推測するしかありません。", urls.join("、")),
                format!("https://autoconfig.{domain}/mail/config-v1.1.xml に clientConfig v1.1 のファイルを置いてください（mailcfg detect --format thunderbird で作成できます）。"),
            ),
        ),
        AutoconfigUnreachable { url, reason } => (
            (
                format!("{url} could not be read: {reason}."),
                "Make the URL answer over https, or remove the host name if nothing should be served there.".into(),
            ),
            (
                format!("{url} を取得できません（詳細: {reason}）。"),
                "https で応答するようにするか、何も提供しないならそのホスト名を削除してください。".into(),
            ),
        ),
        AutoconfigHttpOnly { url } => (
            (
                format!("The autoconfig file is served only over plain http ({url}), which anyone on the way can alter; clients treat it as untrusted."),
                "Serve the same file over https with a valid certificate.".into(),
            ),
            (
                format!("autoconfig ファイルが暗号化されていない http でしか提供されていません（{url}）。途中で改ざんできるため、メールソフトは信頼しません。"),
                "同じファイルを有効な証明書の https でも提供してください。".into(),
            ),
        ),
        AutoconfigInvalid { url, error } => (
            (
                format!("{url} is not a valid clientConfig v1.1 file: {error}."),
                "Fix the file so that it is well-formed XML with a <clientConfig version=\"1.1\"> root.".into(),
            ),
            (
                format!("{url} は正しい clientConfig v1.1 ファイルではありません（詳細: {error}）。"),
                "ルート要素が <clientConfig version=\"1.1\"> の正しい XML に直してください。".into(),
            ),
        ),
        AutoconfigProblems { url, problems } => (
            (
                format!("{url} has entries clients will skip or misread: {}.", problems.join("; ")),
                "Correct those entries (each server needs a hostname, a port, and socketType SSL, STARTTLS or plain).".into(),
            ),
            (
                format!("{url} にはメールソフトが読み飛ばすか誤読する記述があります（詳細: {}）。", problems.join("; ")),
                "該当する記述を直してください（各サーバーには hostname・port と、socketType SSL・STARTTLS・plain のいずれかが必要です）。".into(),
            ),
        ),
        AutoconfigUnknownPlaceholder {
            url,
            field,
            value,
            placeholders,
        } => {
            let field = match field {
                TemplateField::Hostname => "hostname",
                TemplateField::Username => "username",
            };
            (
                (
                    format!("The <{field}> \"{value}\" in {url} uses {}, which no client expands.", placeholders.join(", ")),
                    "Use only %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN%.".into(),
                ),
                (
                    format!("{url} の <{field}>「{value}」は {} を使っていますが、メールソフトはこれを置き換えません。", placeholders.join("、")),
                    "使えるのは %EMAILADDRESS%・%EMAILLOCALPART%・%EMAILDOMAIN% だけです。".into(),
                ),
            )
        }
        AutoconfigFixedUsername { url, at: p, username } => (
            (
                format!("{url} gives every user the same user name \"{username}\" for {}.", at(p)),
                "Use a placeholder such as %EMAILADDRESS% so each user gets their own.".into(),
            ),
            (
                format!("{url} は {} のユーザー名を全員同じ「{username}」にしています。", at(p)),
                "%EMAILADDRESS% などのプレースホルダーを使い、利用者ごとのユーザー名にしてください。".into(),
            ),
        ),
        AutodiscoverMissing { url } => (
            (
                format!("No autodiscover answer at {url}: Outlook-style clients will not find settings there."),
                "Optional: publish a POX autodiscover answer if your users use Outlook.".into(),
            ),
            (
                format!("{url} に autodiscover の応答がありません。Outlook 系のメールソフトは設定を見つけられません。"),
                "任意です。利用者が Outlook を使うなら POX 形式の autodiscover を提供してください。".into(),
            ),
        ),
        AutodiscoverFailed { url, reason } => (
            (
                format!("The autodiscover endpoint {url} gave no usable settings: {reason}."),
                "Fix the endpoint so that it answers the POX request without credentials, or remove the host name.".into(),
            ),
            (
                format!("autodiscover {url} から使える設定が得られません（詳細: {reason}）。"),
                "認証なしの POX 要求に応答するよう直すか、そのホスト名を削除してください。".into(),
            ),
        ),
        HostOutsideDomain {
            by,
            at: p,
            domain,
            explained_by,
        } => {
            let (next_en, next_ja) = match explained_by {
                Some(mx) => (
                    format!("It is in the same domain as the MX host {mx}, so the mail is evidently hosted there; nothing to fix."),
                    format!("MX ホスト {mx} と同じドメインにあり、メールはそこで運用されていると考えられます。対応は不要です。"),
                ),
                None => (
                    format!("Clients ask users to confirm such a host; publish a name inside {domain} (a CNAME is fine if the certificate covers it), or make sure the host is really yours."),
                    format!("メールソフトはこのようなホストについて利用者に確認を求めます。{domain} 内の名前を公開するか（証明書が対応していれば CNAME でも構いません）、本当に自分のサーバーか確認してください。"),
                ),
            };
            (
                (
                    sentence(format!("{} names {}, which is outside {domain}.", publisher(by, Lang::En), at(p))),
                    next_en,
                ),
                (
                    format!("{} は {domain} の外にある {} を指定しています。", publisher(by, Lang::Ja), at(p)),
                    next_ja,
                ),
            )
        }
        PublishedUnreachable {
            by,
            at: p,
            security,
            outcome,
            detail,
        } => (
            (
                sentence(format!("{} names {} ({}), but it does not work: {}: {detail}.", publisher(by, Lang::En), at(p), security_words(*security, Lang::En), outcome.as_str())),
                "Make the server listen there, or publish the port it really uses.".into(),
            ),
            (
                format!("{} は {}（{}）を指定していますが、接続できません（{}: {detail}）。", publisher(by, Lang::Ja), at(p), security_words(*security, Lang::Ja), labels::outcome(*outcome, Lang::Ja)),
                "そのポートでサーバーを待ち受けさせるか、実際に使っているポートを公開してください。".into(),
            ),
        ),
        PublishedSecurityWrong {
            by,
            at: p,
            published,
            actual,
        } => {
            let (next_en, next_ja) = match actual {
                Some(actual) => (
                    format!("The server uses {} there: publish that, or change the server.", security_words(*actual, Lang::En)),
                    format!("サーバーの実際の暗号化方法は {} です。公開する設定を合わせるか、サーバーを直してください。", security_words(*actual, Lang::Ja)),
                ),
                None => (
                    "Nothing else worked on that port either: check the server's TLS configuration.".to_string(),
                    "そのポートでは他の暗号化方法でも接続できません。サーバーの TLS 設定を確認してください。".to_string(),
                ),
            };
            (
                (
                    sentence(format!("{} says {} uses {}, but the server does not speak it.", publisher(by, Lang::En), at(p), security_words(*published, Lang::En))),
                    next_en,
                ),
                (
                    format!("{} は {} の暗号化方法を {} としていますが、サーバーはそれに対応していません。", publisher(by, Lang::Ja), at(p), security_words(*published, Lang::Ja)),
                    next_ja,
                ),
            )
        }
        PublishedPlaintext { by, at: p } => (
            (
                sentence(format!("{} publishes {} without encryption, although the server offers STARTTLS.", publisher(by, Lang::En), at(p))),
                "Publish STARTTLS (or the implicit-TLS port) so that passwords are never sent in clear.".into(),
            ),
            (
                format!("{} は {} を暗号化なしで公開していますが、サーバーは STARTTLS に対応しています。", publisher(by, Lang::Ja), at(p)),
                "パスワードが平文で流れないよう、STARTTLS（または最初から TLS のポート）を公開してください。".into(),
            ),
        ),
        PublishedSettingsDisagree { protocol, sets } => {
            let list = |lang: Lang| {
                sets.iter()
                    .map(|s| {
                        let endpoints: Vec<String> = s
                            .endpoints
                            .iter()
                            .map(|e| format!("{}:{} {}", e.host, e.port, security_words(e.security, lang)))
                            .collect();
                        format!("{}: {}", publisher(&s.by, lang), endpoints.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join(" / ")
            };
            (
                (
                    format!("The published {protocol} settings disagree ({}).", list(Lang::En)),
                    "Publish the same servers everywhere, so every client gets the same answer.".into(),
                ),
                (
                    format!("公開されている {protocol} の設定が一致しません（{}）。", list(Lang::Ja)),
                    "どのメールソフトにも同じ設定が届くよう、すべての公開先で同じサーバーを指定してください。".into(),
                ),
            )
        }
        CertificateExpiringSoon {
            at: list,
            not_after,
            days_left,
        } => (
            (
                format!("The certificate of {} expires on {} (in {}).", places(list, Lang::En), day(not_after), days(*days_left, Lang::En)),
                "Renew it now; clients refuse an expired certificate.".into(),
            ),
            (
                format!("{} の証明書は {} に期限切れになります（残り {}）。", places(list, Lang::Ja), day(not_after), days(*days_left, Lang::Ja)),
                "今のうちに更新してください。期限切れの証明書はメールソフトに拒否されます。".into(),
            ),
        ),
        WebCertificateInvalid {
            host,
            port,
            names,
            detail,
            ..
        } => {
            let names_en = if names.is_empty() { "no name".to_string() } else { names.join(", ") };
            let names_ja = if names.is_empty() { "名前なし".to_string() } else { names.join("、") };
            (
                (
                    format!("The https certificate of {host}:{port} is not valid ({detail}; it names {names_en}): clients will not read the configuration served there."),
                    format!("Install a certificate from a trusted authority that covers {host}."),
                ),
                (
                    format!("{host}:{port} の https 証明書が無効です（詳細: {detail}。証明書の名前: {names_ja}）。そこで提供している設定をメールソフトは読み込みません。"),
                    format!("{host} を含む、信頼された認証局の証明書を設定してください。"),
                ),
            )
        }
        WebCertificateExpiringSoon {
            host,
            port,
            not_after,
            days_left,
        } => (
            (
                format!("The https certificate of {host}:{port} expires on {} (in {}).", day(not_after), days(*days_left, Lang::En)),
                "Renew it now; once it expires clients stop reading the configuration served there.".into(),
            ),
            (
                format!("{host}:{port} の https 証明書は {} に期限切れになります（残り {}）。", day(not_after), days(*days_left, Lang::Ja)),
                "今のうちに更新してください。期限が切れると、そこで提供している設定をメールソフトが読み込まなくなります。".into(),
            ),
        ),
        // The detect kinds are worded in `finding` and never reach here.
        _ => (
            (String::new(), String::new()),
            (String::new(), String::new()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    fn every_finding() -> Vec<Finding> {
        crate::findings::examples::all()
    }

    #[test]
    fn every_finding_is_worded_in_both_languages() {
        for f in every_finding() {
            let en = finding(&f, Lang::En);
            let ja = finding(&f, Lang::Ja);
            for text in [&en.what, &en.next, &ja.what, &ja.next] {
                assert!(!text.is_empty(), "{f:?}");
                assert!(!text.contains("{"), "{text}");
            }
            assert!(
                ja.what.chars().any(|c| c > '\u{3000}'),
                "not Japanese: {}",
                ja.what
            );
            assert_ne!(en.what, ja.what);
        }
    }

    #[test]
    fn dates_and_names_are_in_the_words() {
        let expired = Finding::CertificateExpired {
            at: vec![Place::new(Protocol::Imap, "imap.example.jp", 993)],
            not_after: "2025-01-31T00:00:00Z".into(),
        };
        assert_eq!(
            finding(&expired, Lang::En).what,
            "The certificate of imap.example.jp:993 expired on 2025-01-31."
        );
        assert!(
            finding(&expired, Lang::Ja)
                .what
                .contains("2025-01-31 に有効期限が切れています")
        );
    }

    #[test]
    fn plaintext_is_never_called_none_in_a_sentence() {
        let o = Observed::OtherSecurity {
            security: Security::Plain,
        };
        assert_eq!(
            observed(&o, 143, Lang::En),
            "the server uses no encryption on port 143"
        );
        assert!(!observed(&o, 143, Lang::En).contains("None"));
        assert_eq!(
            observed(&o, 143, Lang::Ja),
            "ポート 143 の実際の暗号化方法は 「なし」 です"
        );
    }
}
