//! Renderers. Each reads a finished report value and returns text; none does I/O.
//!
//! Text that came from outside (a server's greeting, capabilities or errors, a
//! certificate, DNS, an autoconfig file, the provider table) goes through [`clean`]
//! before a text renderer prints it, so no output can carry a terminal escape sequence.

pub mod check_json;
pub mod check_text;
pub mod detect_json;
pub mod detect_table;
pub mod export;
pub mod findings_text;
pub mod guides;
#[cfg(test)]
mod hostile_text;
pub mod html;
pub mod json;
pub mod labels;
pub mod lint_json;
pub mod lint_table;
pub mod model;
pub mod probe_table;
pub mod render;
#[cfg(test)]
pub(crate) mod sample;
pub mod text;
pub mod thunderbird;

/// Text safe to print on one line of a terminal: control characters (C0, DEL, C1 — and so
/// every terminal escape sequence's introducer) and Unicode bidi overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) removed; line breaks and tabs turned into spaces.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn clean_removes_controls_and_bidi_overrides() {
        assert_eq!(
            clean("a\u{1b}[2J\u{1b}[31mb\u{7f}c\u{9b}1md\u{85}e"),
            "a[2J[31mbc1mde"
        );
        assert_eq!(clean("x\u{202e}y\u{2066}z\u{2069}\u{202a}"), "xyz");
        assert_eq!(clean("line\r\nnext\ttab"), "line  next tab");
        assert_eq!(clean("日本語 ok"), "日本語 ok");
    }
}
