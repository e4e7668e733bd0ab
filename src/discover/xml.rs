//! The safe XML reader both discovery parsers (autoconfig and autodiscover) stand on.
//!
//! Pure: bytes in, a tree of `Element`s out, no I/O. What it guarantees, because the
//! documents come from the network (possibly over plain http):
//! - **Encodings are decoded first**: the encoding comes from a BOM or the XML declaration
//!   (else UTF-8), and bytes that are not valid in it are an error, never silently replaced.
//!   Characters XML 1.0 forbids (most C0 controls, such as ESC) are an error too, whether
//!   raw or written as character references.
//! - **No DTDs, no entities**: any `<!DOCTYPE …>` (and so any DTD or entity declaration) is
//!   refused: no XXE, no billion laughs. Only the five predefined entities and character
//!   references resolve.
//! - **Bounded size**: nesting deeper than [`MAX_DEPTH`] elements or more than
//!   [`MAX_ELEMENTS`] elements is refused; nothing recurses on input depth beyond that bound,
//!   and nothing panics on any input.
//! - **Control characters stripped** from text meant for people: XML itself allows C1
//!   controls (which terminals read as escapes) and bidi overrides, so the tree keeps text as
//!   the document has it and `clean_text`, which the parsers apply to what they show,
//!   removes them, collapses white space and bounds the length.
//!
//! It knows nothing of mail settings: what the elements mean is the parsers' business.

use encoding_rs::Encoding;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Deepest element nesting accepted (the root element is depth 1).
pub const MAX_DEPTH: usize = 32;
/// Most elements accepted in one document.
pub const MAX_ELEMENTS: usize = 20_000;

/// Why a document could not be read as XML at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("unsupported character encoding {0:?}")]
    UnsupportedEncoding(String),
    #[error("the document is not valid {0}")]
    InvalidBytes(String),
    #[error("DTDs and entities are not allowed")]
    DtdNotAllowed,
    #[error("elements are nested more than {MAX_DEPTH} deep")]
    TooDeep,
    #[error("the document has more than {MAX_ELEMENTS} elements")]
    TooManyElements,
    #[error("not well-formed XML: {0}")]
    Malformed(String),
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/// Decode an XML document to UTF-8: a BOM wins, else the XML declaration's `encoding`, else
/// UTF-8. Bytes invalid in that encoding, and characters XML 1.0 forbids, are an error.
pub(crate) fn decode_xml(bytes: &[u8]) -> Result<String, XmlError> {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) => (enc, &bytes[bom_len..]),
        None => (sniff_encoding(bytes)?, bytes),
    };
    let text = if encoding == encoding_rs::UTF_8 {
        std::str::from_utf8(body)
            .map_err(|_| XmlError::InvalidBytes("UTF-8".to_string()))?
            .to_string()
    } else {
        encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(|| XmlError::InvalidBytes(encoding.name().to_string()))?
            .into_owned()
    };
    if let Some(c) = text.chars().find(|&c| !xml_char_ok(c)) {
        return Err(XmlError::Malformed(format!(
            "character U+{:04X} is not allowed in XML",
            c as u32
        )));
    }
    Ok(text)
}

/// The encoding of a document without a BOM.
fn sniff_encoding(bytes: &[u8]) -> Result<&'static Encoding, XmlError> {
    match bytes {
        [0x3C, 0, 0x3F, 0, ..] => return Ok(encoding_rs::UTF_16LE),
        [0, 0x3C, 0, 0x3F, ..] => return Ok(encoding_rs::UTF_16BE),
        [0, 0, 0, 0x3C, ..] | [0x3C, 0, 0, 0, ..] => {
            return Err(XmlError::UnsupportedEncoding("UTF-32".to_string()));
        }
        _ => {}
    }
    let Some(label) = declared_encoding(bytes) else {
        return Ok(encoding_rs::UTF_8);
    };
    match Encoding::for_label(label) {
        // The declaration was readable as ASCII, so the document is not UTF-16 whatever it
        // says; like browsers, read it as UTF-8.
        Some(enc) if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE => {
            Ok(encoding_rs::UTF_8)
        }
        Some(enc) if enc != encoding_rs::REPLACEMENT => Ok(enc),
        _ => Err(XmlError::UnsupportedEncoding(clean_text(
            &String::from_utf8_lossy(label),
            40,
        ))),
    }
}

/// The `encoding` pseudo-attribute of an XML declaration at the very start of `bytes`.
/// Leading whitespace (which scripts often emit, though XML forbids it there) is skipped.
fn declared_encoding(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.trim_ascii_start().strip_prefix(b"<?xml")?;
    if !rest.first().is_some_and(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let window = &rest[..rest.len().min(512)];
    let end = window.windows(2).position(|w| w == b"?>")?;
    let decl = &window[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let mut rest = decl[at + 8..].trim_ascii_start();
    rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let rest = &rest[1..];
    let close = rest.iter().position(|&b| b == quote)?;
    Some(&rest[..close])
}

/// XML 1.0 `Char`: tab, LF, CR and everything from U+0020 except surrogates, U+FFFE, U+FFFF.
fn xml_char_ok(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

// ---------------------------------------------------------------------------------------------
// The tree
// ---------------------------------------------------------------------------------------------

/// A parsed element: local name (namespace prefix dropped), attributes by local name
/// (namespace declarations dropped), child elements and the concatenated direct text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first attribute with this local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child called `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(Element::text)
    }

    /// The trimmed direct text.
    pub fn text(&self) -> &str {
        self.text.trim()
    }
}

/// Parse a decoded document into a tree of [`Element`]s, refusing DTDs, undefined
/// entities, nesting deeper than [`MAX_DEPTH`] and more than [`MAX_ELEMENTS`] elements.
pub(crate) fn parse_tree(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    let malformed = |msg: String| XmlError::Malformed(clean_text(&msg, 200));
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("{e} (near byte {})", reader.error_position())))?;
        match event {
            Event::DocType(_) => return Err(XmlError::DtdNotAllowed),
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(malformed("an element after the root element".to_string()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                let element = element_from(start)?;
                if matches!(event, Event::Start(_)) {
                    stack.push(element);
                } else {
                    attach(&mut stack, &mut root, element);
                }
            }
            Event::End(_) => {
                // quick-xml checks that end tags match start tags.
                let element = stack
                    .pop()
                    .ok_or_else(|| malformed("an end tag without a start tag".to_string()))?;
                attach(&mut stack, &mut root, element);
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(malformed("text outside the root element".to_string())),
                }
            }
            Event::CData(c) => match stack.last_mut() {
                Some(top) => top.text.push_str(&c.xml10_content()),
                None => return Err(malformed("CDATA outside the root element".to_string())),
            },
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) if xml_char_ok(c) => c,
                    Ok(Some(c)) => {
                        return Err(malformed(format!(
                            "character reference to U+{:04X}, which XML does not allow",
                            c as u32
                        )));
                    }
                    Err(e) => return Err(malformed(e.to_string())),
                    Ok(None) => match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => {
                            return Err(malformed(format!("undefined entity &{other};")));
                        }
                    },
                };
                match stack.last_mut() {
                    Some(top) => top.text.push(c),
                    None => {
                        return Err(malformed(
                            "a reference outside the root element".to_string(),
                        ));
                    }
                }
            }
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(format!("<{}> is never closed", open.name)));
    }
    root.ok_or_else(|| malformed("no root element".to_string()))
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn element_from(start: &BytesStart<'_>) -> Result<Element, XmlError> {
    let name = start.local_name().as_ref().to_string();
    if name.is_empty() {
        return Err(XmlError::Malformed("an element without a name".to_string()));
    }
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::Malformed(clean_text(&e.to_string(), 200)))?;
        let key: &str = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(clean_text(&e.to_string(), 200)))?;
        attrs.push((
            attr.key.local_name().as_ref().to_string(),
            value.into_owned(),
        ));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Text hygiene
// ---------------------------------------------------------------------------------------------

/// Characters never shown to the user: controls (C0, C1: terminal escapes) and bidi
/// overrides.
pub(crate) fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with unsafe characters removed, whitespace collapsed, trimmed and cut at `max`
/// characters.
pub(crate) fn clean_text(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    let mut count = 0;
    for c in text.chars() {
        if c.is_whitespace() || is_unsafe_char(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if count >= max {
            break;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Decode and build the tree, as both parsers do.
    fn read(bytes: &[u8]) -> Result<Element, XmlError> {
        parse_tree(&decode_xml(bytes)?)
    }

    fn xml_err(bytes: &[u8]) -> XmlError {
        match read(bytes) {
            Err(e) => e,
            Ok(tree) => panic!("expected an XML error, got {tree:?}"),
        }
    }

    /// `<emailProvider><displayName>` under the root.
    fn display_name(tree: &Element) -> Option<&str> {
        tree.child("emailProvider")?.child_text("displayName")
    }

    #[test]
    fn other_declared_encodings_decode() {
        let name = "日本語の名前";
        let body = |enc: &str| {
            format!(
                "<?xml version='1.0' encoding='{enc}' ?><clientConfig><emailProvider id=\"x\">\
                 <displayName>{name}</displayName></emailProvider></clientConfig>"
            )
        };
        for (label, encoding) in [
            ("EUC-JP", encoding_rs::EUC_JP),
            ("ISO-2022-JP", encoding_rs::ISO_2022_JP),
            ("shift-jis", encoding_rs::SHIFT_JIS),
            ("utf-8", encoding_rs::UTF_8),
        ] {
            let text = body(label);
            let (bytes, _, bad) = encoding.encode(&text);
            assert!(!bad);
            let tree = read(&bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(display_name(&tree), Some(name), "{label}");
        }
        // Latin-1: "Müller" as the single byte 0xFC.
        let mut latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><clientConfig><emailProvider><displayName>M".to_vec();
        latin.push(0xFC);
        latin.extend_from_slice(b"ller</displayName></emailProvider></clientConfig>");
        assert_eq!(display_name(&read(&latin).unwrap()), Some("Müller"));
        // UTF-16LE with a BOM, whatever the declaration says.
        let utf16 = body("UTF-16");
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(display_name(&read(&bytes).unwrap()), Some(name));
        // A script's stray leading newline does not hide the declaration.
        let text = format!("\r\n{}", body("Shift_JIS"));
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        assert_eq!(display_name(&read(&bytes).unwrap()), Some(name));
        // UTF-8 BOM wins over a wrong declaration.
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(body("Shift_JIS").as_bytes());
        assert_eq!(display_name(&read(&bytes).unwrap()), Some(name));
    }

    #[test]
    fn invalid_bytes_and_unknown_encodings_are_errors() {
        let mut bad_utf8 =
            b"<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><displayName>caf</clientConfig>"
                .to_vec();
        bad_utf8.splice(50..50, [0xC3, 0x28]);
        assert_eq!(
            xml_err(&bad_utf8),
            XmlError::InvalidBytes("UTF-8".to_string())
        );

        let sjis =
            b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><clientConfig>\x81</clientConfig>";
        assert_eq!(
            xml_err(sjis),
            XmlError::InvalidBytes("Shift_JIS".to_string())
        );

        let unknown = b"<?xml version=\"1.0\" encoding=\"x-klingon\"?><clientConfig/>";
        assert_eq!(
            xml_err(unknown),
            XmlError::UnsupportedEncoding("x-klingon".to_string())
        );
        let replacement = b"<?xml version=\"1.0\" encoding=\"iso-2022-kr\"?><clientConfig/>";
        assert!(matches!(
            xml_err(replacement),
            XmlError::UnsupportedEncoding(_)
        ));
        assert!(matches!(
            xml_err(b"\0\0\0<\0\0\0?"),
            XmlError::UnsupportedEncoding(_)
        ));
    }

    #[test]
    fn dtds_and_entity_declarations_are_refused() {
        let laughs = "<?xml version=\"1.0\"?>
            <!DOCTYPE lolz [
              <!ENTITY lol \"lol\">
              <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">
              <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">
              <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">
            ]>
            <clientConfig><emailProvider><displayName>&lol3;</displayName></emailProvider></clientConfig>";
        let err = xml_err(laughs.as_bytes());
        assert_eq!(err, XmlError::DtdNotAllowed);
        assert_eq!(err.to_string(), "DTDs and entities are not allowed");

        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE clientConfig [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
                   <clientConfig><emailProvider><displayName>&xxe;</displayName></emailProvider></clientConfig>";
        assert_eq!(xml_err(xxe.as_bytes()), XmlError::DtdNotAllowed);

        let external =
            "<!DOCTYPE clientConfig SYSTEM \"http://evil.example/x.dtd\"><clientConfig/>";
        assert_eq!(xml_err(external.as_bytes()), XmlError::DtdNotAllowed);

        // An entity nobody declared is simply not well-formed.
        let undeclared = "<clientConfig><emailProvider><displayName>&xxe;</displayName></emailProvider></clientConfig>";
        assert!(
            matches!(xml_err(undeclared.as_bytes()), XmlError::Malformed(m) if m.contains("xxe"))
        );
        let in_attr = "<clientConfig><emailProvider id=\"&xxe;\"/></clientConfig>";
        assert!(matches!(
            xml_err(in_attr.as_bytes()),
            XmlError::Malformed(_)
        ));
    }

    #[test]
    fn predefined_entities_and_character_references_resolve() {
        let xml = "<clientConfig><emailProvider><displayName>  A &amp; B &lt;C&gt; &quot;D&quot; &apos;E&apos; &#x3042;&#12354; <![CDATA[<F & G>]]>  </displayName></emailProvider></clientConfig>";
        assert_eq!(
            display_name(&read(xml.as_bytes()).unwrap()),
            Some("A & B <C> \"D\" 'E' ああ <F & G>")
        );
        // A character XML forbids (ESC), as a reference or raw, is an error, not a terminal
        // escape.
        for esc in ["&#27;[31mred", "\u{1b}[31mred"] {
            let xml = format!("<clientConfig><displayName>{esc}</displayName></clientConfig>");
            assert!(
                matches!(xml_err(xml.as_bytes()), XmlError::Malformed(_)),
                "{esc:?}"
            );
        }
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in [
            "",
            "   ",
            "just text",
            "<clientConfig>",
            "<clientConfig><emailProvider></clientConfig>",
            "<clientConfig></emailProvider>",
            "<clientConfig/><clientConfig/>",
            "<clientConfig/>trailing",
            "leading<clientConfig/>",
            "<clientConfig><emailProvider id=\"a\" id=\"b\"/></clientConfig>",
            "<clientConfig><emailProvider id=a/></clientConfig>",
            "<clientConfig>&amp</clientConfig>",
            "<clientConfig><!-- unterminated </clientConfig>",
            "</clientConfig>",
        ] {
            assert!(
                matches!(read(bad.as_bytes()), Err(XmlError::Malformed(_))),
                "{bad:?} gave {:?}",
                read(bad.as_bytes())
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |depth: usize| {
            let mut s = String::from("<clientConfig>");
            for _ in 1..depth {
                s.push_str("<x>");
            }
            for _ in 1..depth {
                s.push_str("</x>");
            }
            s.push_str("</clientConfig>");
            s
        };
        assert!(read(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(xml_err(nested(MAX_DEPTH + 1).as_bytes()), XmlError::TooDeep);
        // A deep, never-closed bomb fails fast on depth.
        let bomb = format!("<clientConfig>{}", "<a>".repeat(1_000_000));
        assert_eq!(xml_err(bomb.as_bytes()), XmlError::TooDeep);
        // Many flat elements.
        let wide = format!(
            "<clientConfig>{}</clientConfig>",
            "<a/>".repeat(MAX_ELEMENTS + 1)
        );
        assert_eq!(xml_err(wide.as_bytes()), XmlError::TooManyElements);
    }

    /// xorshift64*: deterministic pseudo-random numbers for the no-panic test.
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Random byte strings, truncations and mutations of `valid`: `f` must never panic.
    pub(crate) fn never_panics(valid: &[u8], f: impl Fn(&[u8])) {
        let alphabet: &[u8] =
            b"<>/?!&#;=\"' \n[]-:%xmlabcDOCTYPEENTITY0123456789\xC3\xA9\x81\xFF\0";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let len = rng.below(200);
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(8) == 0 {
                        rng.next() as u8
                    } else {
                        alphabet[rng.below(alphabet.len())]
                    }
                })
                .collect();
            f(&bytes);
        }
        for end in 0..=valid.len() {
            f(&valid[..end]);
            f(&valid[end..]);
        }
        for _ in 0..3000 {
            let mut bytes = valid.to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = alphabet[rng.below(alphabet.len())],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, rng.next() as u8),
                }
            }
            f(&bytes);
        }
    }
}
