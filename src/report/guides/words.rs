//! The guides' own words, the same for every client (the clients' labels live in each
//! client's file). English and Japanese side by side; templates take `{name}` values.

use crate::model::Lang;
use crate::report::labels::pick;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum W {
    Step,
    Before,
    Follows,
    Open,
    On,
    Off,
    YourNameValue,
    PasswordValue,
    AppPasswordValue,
    SameHostUnicode,
    LeaveCopyWhy,
    RemoveCopyWhy,
    PlaintextWarning,
    CannotUseTakeOther,
    CannotUseAny,
    NoOAuthUseAppPassword,
    NoOAuthNoPassword,
    OAuthWindow,
    AppPasswordAlternative,
    AlternativePrefix,
}

pub(crate) fn text(key: W, lang: Lang) -> &'static str {
    let (en, ja) = match key {
        W::Step => ("Step", "手順"),
        W::Before => ("Before you start", "始める前に"),
        W::Follows => ("Labels follow", "画面の表記"),
        W::Open => ("Open", "開き方"),
        W::On => ("on", "オン"),
        W::Off => ("off", "オフ"),
        W::YourNameValue => (
            "your name, as recipients will see it",
            "相手に表示されるあなたの名前",
        ),
        W::PasswordValue => ("your mail password", "メールのパスワード"),
        W::AppPasswordValue => (
            "the password for mail apps (not your account password; see the note)",
            "メールアプリ用のパスワード（アカウントのパスワードではありません。注意事項を参照）",
        ),
        W::SameHostUnicode => (
            "This is {host} written in ASCII; either form names the same server.",
            "{host} を ASCII で表記したものです（どちらも同じサーバーです）。",
        ),
        W::LeaveCopyWhy => (
            "Recommended on: without it, mail downloaded here is deleted from the server and no other device (phone, webmail) sees it. Turn it off only if this is the one place you read mail.",
            "オンを推奨します。オフにすると、ここで受信したメールはサーバーから削除され、スマートフォンや Web メールなどほかの端末では読めなくなります。この端末だけでメールを読む場合に限りオフにしてください。",
        ),
        W::RemoveCopyWhy => (
            "Recommended: keep mail on the server (do not remove it), so that other devices (phone, webmail) still see it. Remove it only if this is the one place you read mail.",
            "サーバーからは削除しない設定を推奨します。削除すると、スマートフォンや Web メールなどほかの端末では読めなくなります。この端末だけでメールを読む場合に限り削除してください。",
        ),
        W::PlaintextWarning => (
            "This server works only without encryption: your password crosses the network readable by anyone on the way. Ask the provider for an encrypted (SSL/TLS or STARTTLS) server before using it.",
            "このサーバーは暗号化なしでしか接続できず、パスワードが読み取れる状態でネットワークを流れます。使う前に、暗号化（SSL/TLS か STARTTLS）に対応したサーバーをプロバイダーに確認してください。",
        ),
        W::CannotUseTakeOther => (
            "{client} cannot use the best setting, {setting}; this guide uses {other} instead.",
            "{client} では最適な設定 {setting} を使えないため、この手順では代わりに {other} を使います。",
        ),
        W::CannotUseAny => (
            "{client} cannot use {setting}, and no other setting found works with it: use another mail app (Thunderbird handles every setting), or ask the provider for a server with SSL/TLS.",
            "{client} では {setting} を使えず、ほかに使える設定も見つかりません。別のメールアプリ（Thunderbird はすべての設定に対応）を使うか、SSL/TLS に対応したサーバーをプロバイダーに確認してください。",
        ),
        W::NoOAuthUseAppPassword => (
            "{client} has no “sign in with {identity}” for this account: use an app password in the password fields below.",
            "{client} にはこのアカウント用の「{identity} でサインイン」がないため、下のパスワード欄にはアプリ パスワードを入力します。",
        ),
        W::NoOAuthNoPassword => (
            "{client} cannot sign in to this account: the provider accepts only “sign in with {identity}” (OAuth2) and refuses passwords, which is all {client} can send. Use a mail app that offers it: {others}.",
            "{client} ではこのアカウントにサインインできません。プロバイダーは「{identity} でサインイン」（OAuth2）しか受け付けず、{client} が送れるパスワードは拒否されます。対応しているメールアプリを使ってください: {others}。",
        ),
        W::OAuthWindow => (
            "A {identity} sign-in window opens: sign in there and allow access to mail. No password is typed into the mail app.",
            "{identity} のサインイン画面が開きます。そこでサインインし、メールへのアクセスを許可してください。メールアプリにパスワードは入力しません。",
        ),
        W::AppPasswordAlternative => (
            "Only if signing in with {identity} (up to step {last}) is not possible: set the account up by hand with these steps, typing an app password as the password.",
            "手順 {last} までの「{identity} でサインイン」ができない場合に限り、以下の手順で手動設定し、パスワードにはアプリ パスワードを入力します。",
        ),
        W::AlternativePrefix => ("Alternative — ", "別の方法: "),
    };
    pick(lang, en, ja)
}

/// The text of `key` with each `{name}` replaced by its value.
pub(crate) fn fill(key: W, lang: Lang, values: &[(&str, &str)]) -> String {
    let mut out = text(key, lang).to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}
