#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/seed-*.

The seeds are the real banners, replies and files of the test suite: Dovecot's, Postfix's
and Gmail's greetings and capability lists (as in src/probe/{imap,pop3,smtp}.rs tests and
tests/support/hostile.rs), the XML fixtures in tests/fixtures/xml/, the provider table in
providers/, the addresses of tests/cases/cli.rs, TLS flights as src/probe/legacy.rs builds
them. Run from the repository root: python3 fuzz/seed.py
"""
import glob
import os
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def crlf(text):
    return "".join(line + "\r\n" for line in text.split("\n"))


# The first byte of a protocol input picks the read size (see mailcfg::fuzzing::framed):
# 0 = one byte at a time, 0xff = large reads.
def session(target, name, text):
    put(target, name + "-whole", b"\xff" + crlf(text).encode())
    put(target, name + "-drip", b"\x00" + crlf(text).encode())


session("imap", "dovecot",
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\n"
        "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2 AUTH=OAUTHBEARER\n"
        "C1 OK Pre-login capabilities listed, post-login capabilities have more.")
session("imap", "logindisabled",
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ LOGINDISABLED] Dovecot ready.\n"
        "C1 BAD unknown command")
session("imap", "gmail", "* OK Gimap ready for requests from 192.0.2.1 a1mb12345\n* capability IMAP4rev1 auth=plain\nC1 ok done")
session("imap", "bye", "* BYE Too many connections")
session("imap", "hostile", "* OK [CAPABILITY IMAP4rev1] hostile test server ready\nS1 OK Begin TLS negotiation now")
session("imap", "foreign", "HTTP/1.1 400 Bad Request\nContent-Length: 0\n")

session("pop3", "dovecot-before-tls",
        "+OK Dovecot (Debian) ready.\n+OK\nCAPA\nTOP\nUIDL\nRESP-CODES\nPIPELINING\nAUTH-RESP-CODE\nSTLS\nSASL\n.")
session("pop3", "dovecot-after-tls",
        "+OK Dovecot ready.\n+OK\nCAPA\nTOP\nUIDL\nRESP-CODES\nPIPELINING\nAUTH-RESP-CODE\nUSER\nSASL PLAIN LOGIN\n.")
session("pop3", "gmail",
        "+OK Gpop ready for requests from 192.0.2.1\n+OK Capability list follows\nUSER\nRESP-CODES\nEXPIRE 0\nLOGIN-DELAY 300\nTOP\nUIDL\nX-GOOGLE-RICO\nSASL PLAIN XOAUTH2 OAUTHBEARER\n.")
session("pop3", "apop", "+OK <1896.697170952@dbc.mtview.ca.us>\n-ERR unknown command")
session("pop3", "dot-stuffed", "+OK ready\n+OK\n..X-ODD\n.")
session("pop3", "refused", "-ERR [SYS/TEMP] too busy")

session("smtp", "postfix-587",
        "220 mail.example.jp ESMTP Postfix (Debian/GNU)\n"
        "250-mail.example.jp\n250-PIPELINING\n250-SIZE 10240000\n250-VRFY\n250-ETRN\n250-STARTTLS\n"
        "250-ENHANCEDSTATUSCODES\n250-8BITMIME\n250-DSN\n250-SMTPUTF8\n250 CHUNKING")
session("smtp", "gmail",
        "220 smtp.gmail.com ESMTP a1sm123456pfa.1 - gsmtp\n"
        "250-smtp.gmail.com at your service, [192.0.2.1]\n250-SIZE 35882577\n250-8BITMIME\n"
        "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\n250-AUTH=LOGIN PLAIN\n"
        "250-ENHANCEDSTATUSCODES\n250-PIPELINING\n250 SMTPUTF8")
session("smtp", "multi-line-greeting", "220-smtp.example.jp ESMTP\n220-no UCE\n220 ready\n502 5.5.2 Error: command not recognized\n250 ok")
session("smtp", "mixed-codes", "220-a\n250 b")
session("smtp", "refused", "554 5.7.1 no service here")

for path in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/xml/*.xml"))):
    name = os.path.basename(path)
    target = "autodiscover" if name.startswith("autodiscover") else "autoconfig"
    put(target, name, open(path, "rb").read())

AUTOCONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="ac.test">
    <domain>ac.test</domain>
    <displayName>AC Test Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.ac.test</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
    <documentation url="https://ac.test/help"><descr lang="en">Help</descr><descr lang="ja">ヘルプ</descr></documentation>
  </emailProvider>
</clientConfig>"""
put("autoconfig", "detect-ac-test.xml", AUTOCONFIG)
put("autoconfig", "utf16le.xml", b"\xff\xfe" + AUTOCONFIG.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"))
put("autoconfig", "euc-jp.xml", AUTOCONFIG.replace("UTF-8", "EUC-JP").encode("euc_jp"))
put("autoconfig", "xxe.xml",
    '<?xml version="1.0"?><!DOCTYPE clientConfig [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<clientConfig><emailProvider><displayName>&xxe;</displayName></emailProvider></clientConfig>")
put("autoconfig", "empty.xml", '<?xml version="1.0"?><clientConfig version="1.1"/>')
put("autodiscover", "dtd.xml",
    '<?xml version="1.0"?><!DOCTYPE Autodiscover [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<Autodiscover><Response>&x;</Response></Autodiscover>")
put("autodiscover", "redirect-url.xml",
    '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">'
    '<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">'
    "<Account><Action>redirectUrl</Action><RedirectUrl>https://autodiscover.example.jp/autodiscover/autodiscover.xml</RedirectUrl></Account>"
    "</Response></Autodiscover>")

for path in sorted(glob.glob(os.path.join(ROOT, "providers/*.toml"))):
    put("providers", os.path.basename(path), open(path, "rb").read())

ADDRESSES = [
    "taro@example.jp", "taro..x@docomo.ne.jp", "user@日本語.jp", "user@xn--wgv71a119e.jp",
    "user@xn--zz.jp", "user@東京.jp", "a@b@c", "", "no-at-sign", "sp ace@example.jp",
    "ctl\x1b[2J@example.jp", "x@" + "a" * 300 + ".jp", "\"quoted@local\"@example.jp",
    "user@[192.0.2.1]", "imap.example.jp:993", "[2001:db8::1]:993", "2001:db8::1",
    "user@example.co.jp.", "user@ｅｘａｍｐｌｅ．ｊｐ", "user@\u202eexample.jp",
]
for i, a in enumerate(ADDRESSES):
    put("address", "%02d" % i, a)


def srv(priority, weight, port, target):
    t = target.encode()
    return struct.pack(">HHHB", priority, weight, port, len(t)) + t


put("srv_mx", "one", srv(0, 1, 993, "imap.example.jp."))
put("srv_mx", "several", srv(10, 5, 993, "imap2.example.jp") + srv(0, 0, 993, "IMAP.Example.JP.") + srv(10, 50, 143, "mx1.hosting.co.jp"))
put("srv_mx", "not-offered", srv(0, 0, 0, "."))
put("srv_mx", "google-mx", srv(1, 0, 0, "aspmx.l.google.com.") + srv(5, 0, 0, "alt1.aspmx.l.google.com."))


def record(kind, version, body):
    return struct.pack(">BHH", kind, version, len(body)) + body


def handshake(kind, body):
    return struct.pack(">B", kind) + len(body).to_bytes(3, "big") + body


def server_hello(version):
    return handshake(2, struct.pack(">H", version) + b"\x07" * 32 + b"\x00" + b"\xc0\x13" + b"\x00")


def certificate(ders):
    lst = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return handshake(11, len(lst).to_bytes(3, "big") + lst)


der = b"leaf-der"
with tempfile.TemporaryDirectory() as tmp:
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-subj", "/CN=imap.example.test",
                        "-keyout", tmp + "/k", "-outform", "DER", "-out", tmp + "/c", "-days", "1"],
                       check=True, capture_output=True)
        der = open(tmp + "/c", "rb").read()
    except (OSError, subprocess.CalledProcessError):
        pass

flight = server_hello(0x0302) + certificate([der, b"ca-der"]) + handshake(14, b"")
put("legacy_tls", "tls11-flight", record(22, 0x0302, flight))
f10 = server_hello(0x0301) + certificate([der])
put("legacy_tls", "tls10-split", record(22, 0x0301, f10[:50]) + record(22, 0x0301, f10[50:]))
put("legacy_tls", "tls12", record(22, 0x0303, server_hello(0x0303)))
put("legacy_tls", "alert-handshake-failure", record(21, 0x0302, b"\x02\x28"))
put("legacy_tls", "close-notify", record(21, 0x0301, b"\x01\x00"))
put("legacy_tls", "plaintext", b"* OK [CAPABILITY IMAP4rev1] ready\r\n")

# Framing: first byte = (chunk selector << 6) | (max_line - 1).
put("line_framing", "crlf", b"\x0f* OK ready\r\nsecond\nthird")
put("line_framing", "long", b"\x03" + b"x" * 40 + b"\n")
put("line_framing", "binary", b"\xc8\xff\xfe\x00\r\n\r\r\n\n")
