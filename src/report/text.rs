//! Plain-text layout shared by the text renderers: display width, word wrapping that never
//! breaks a word (Japanese, which has no spaces, may break between any two characters),
//! and colour that only appears when the options ask for it.

/// Columns `text` takes in a terminal: East Asian wide characters (kana, kanji, hangul,
/// full-width forms) take two.
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    if is_wide(c) { 2 } else { 1 }
}

fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{303E}'
        | '\u{3041}'..='\u{33FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{A000}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// `first` followed by `text`, wrapped to `width` columns; continuation lines are indented
/// by `first`'s width so a list item's text lines up. Without a width, one line. A word
/// longer than the line (a URL, a host name) is kept whole on its own line: a person must
/// copy it unbroken. Every line ends with a newline.
pub fn wrap(first: &str, text: &str, width: Option<u16>) -> String {
    let Some(width) = width else {
        return format!("{first}{text}\n");
    };
    let indent = " ".repeat(display_width(first));
    let limit = usize::from(width).max(indent.len() + 20);
    let mut out = String::new();
    let mut line = first.to_string();
    let mut line_width = display_width(first);
    let mut fresh = true;
    for piece in pieces(text) {
        let piece_width = display_width(&piece);
        let trimmed = piece.trim_start();
        if !fresh && line_width + piece_width > limit {
            out.push_str(line.trim_end());
            out.push('\n');
            line = format!("{indent}{trimmed}");
            line_width = indent.len() + display_width(trimmed);
        } else {
            line.push_str(if fresh { trimmed } else { &piece });
            line_width += display_width(if fresh { trimmed } else { &piece });
        }
        fresh = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The units a line may break between: a word with the spaces before it, or a single
/// wide character (Japanese may break between any two), punctuation kept on its left.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous = None;
    for c in text.chars() {
        if !current.is_empty() && breaks_before(previous, c) {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
        previous = Some(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn breaks_before(previous: Option<char>, c: char) -> bool {
    match previous {
        None => false,
        _ if no_break_before(c) => false,
        // A space leads the word that follows it.
        Some(' ') => false,
        Some(_) if c == ' ' => true,
        Some(p) => is_wide(c) || is_wide(p),
    }
}

/// Japanese punctuation that may not begin a line (kinsoku): it stays with what precedes it.
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '）'
            | '」'
            | '』'
            | '・'
            | 'ー'
            | '：'
            | '！'
            | '？'
            | ')'
            | ','
            | '.'
            | ':'
    )
}

/// Terminal emphasis, applied only when `enabled` (a terminal, and no `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Error,
    Warning,
    Heading,
}

/// `text` in `style` when colour is enabled, else `text` unchanged.
pub fn paint(text: &str, style: Style, enabled: bool) -> String {
    if !enabled {
        return text.to_string();
    }
    let code = match style {
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Heading => "1",
    };
    format!("\u{1b}[{code}m{text}\u{1b}[0m")
}

/// `text` without the escape sequences [`paint`] adds.
pub fn strip_style(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: parameters up to the final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_wraps_between_words_with_a_hanging_indent() {
        let text = wrap(
            "⚠ ",
            "Port 25 does not answer while submission does: outbound port 25 is blocked",
            Some(32),
        );
        for line in text.lines() {
            assert!(display_width(line) <= 32, "{line:?}");
        }
        assert_eq!(
            text,
            "⚠ Port 25 does not answer while\n  submission does: outbound port\n  25 is blocked\n"
        );
    }

    #[test]
    fn long_words_stay_whole() {
        let url = "https://support.example.ne.jp/mail/settings/very/long/path";
        let text = wrap("• ", &format!("See {url} for more"), Some(30));
        assert!(text.lines().any(|l| l.trim() == url), "{text}");
    }

    #[test]
    fn japanese_breaks_between_characters_but_not_before_punctuation() {
        let text = wrap(
            "• ",
            "国内の多くの回線では送信用の 25 番ポートがブロックされています。送信には 465 番か 587 番を使ってください。",
            Some(30),
        );
        for line in text.lines() {
            assert!(display_width(line) <= 30, "{line:?} in\n{text}");
            assert!(!line.trim_start().starts_with('。'), "{text}");
        }
        let joined: String = text.lines().map(str::trim).collect();
        assert!(joined.contains("ブロックされています。送信"), "{joined}");
    }

    #[test]
    fn no_width_means_one_line() {
        assert_eq!(wrap("- ", "a b c", None), "- a b c\n");
    }

    #[test]
    fn colour_only_when_enabled() {
        assert_eq!(paint("✗", Style::Error, false), "✗");
        assert_eq!(paint("✗", Style::Error, true), "\u{1b}[1;31m✗\u{1b}[0m");
    }
}
