//! Reading `batch`'s input: one address or domain per line, streamed (never the whole
//! file in memory), with comments and blank lines skipped and every line numbered as the
//! file numbers it, so an output line can always be traced back to its input.
//!
//! - A line is trimmed of surrounding white space (and of a UTF-8 byte-order mark on the
//!   first line, which some editors write).
//! - A line that is empty or starts with `#` is skipped; so is the rest of a line from a
//!   `#` that follows white space (`example.jp  # customer 42`).
//! - A line longer than [`MAX_LINE`] bytes is not kept whole: it becomes a malformed
//!   input, so one runaway line cannot use unbounded memory.
//! - A bare domain means `postmaster@domain` (the one mailbox RFC 5321 says every mail
//!   domain has).

use crate::address::{EmailAddress, InputError, parse_email};
use std::io::{self, BufRead};

/// The longest line kept, in bytes (an address is at most 254).
pub const MAX_LINE: usize = 4096;

/// One input line that is not a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based, counting every line of the input (comments and blank lines too).
    pub line: u64,
    /// The trimmed text, without an inline comment.
    pub input: String,
    /// Why the line cannot be an address whatever it says (not UTF-8, too long).
    pub defect: Option<&'static str>,
}

/// The input's entries, in order.
pub struct Entries<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Entries<R> {
    pub fn new(reader: R) -> Entries<R> {
        Entries {
            reader,
            line: 0,
            buf: Vec::new(),
        }
    }

    /// The next line with something on it; None at the end of the input.
    pub fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        loop {
            let Some(too_long) = read_line_bounded(&mut self.reader, &mut self.buf)? else {
                return Ok(None);
            };
            self.line += 1;
            let (text, not_utf8) = match std::str::from_utf8(&self.buf) {
                Ok(text) => (text.to_string(), false),
                Err(_) => (String::from_utf8_lossy(&self.buf).into_owned(), true),
            };
            let text = if self.line == 1 {
                text.trim_start_matches('\u{feff}').to_string()
            } else {
                text
            };
            let input = strip_comment(&text).trim();
            if input.is_empty() && !too_long {
                continue;
            }
            let defect = match (too_long, not_utf8) {
                (true, _) => Some("the line is longer than 4096 bytes"),
                (false, true) => Some("the line is not valid UTF-8"),
                _ => None,
            };
            return Ok(Some(Entry {
                line: self.line,
                input: input.to_string(),
                defect,
            }));
        }
    }
}

impl<R: BufRead> Iterator for Entries<R> {
    type Item = io::Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().transpose()
    }
}

/// Read one line into `buf` (without its line ending), keeping at most [`MAX_LINE`] bytes
/// and discarding the rest. None at the end of the input; else whether it was cut.
fn read_line_bounded(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, used, ended) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        too_long |= chunk.len() > room;
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        reader.consume(used);
        if ended {
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(too_long))
}

/// The line up to a `#` that starts it or follows white space.
fn strip_comment(line: &str) -> &str {
    let mut previous_blank = true;
    for (i, c) in line.char_indices() {
        if c == '#' && previous_blank {
            return &line[..i];
        }
        previous_blank = c.is_whitespace();
    }
    line
}

/// The address an entry stands for: itself, or `postmaster@` a bare domain.
pub fn address(entry: &Entry) -> Result<EmailAddress, InputError> {
    if let Some(defect) = entry.defect {
        return Err(InputError(format!(
            "line {} is not an address or a domain: {defect}",
            entry.line
        )));
    }
    let text = entry.input.as_str();
    if text.contains('@') {
        return parse_email(text);
    }
    if text.contains(char::is_whitespace) {
        return Err(InputError(format!(
            "\"{text}\" is not an address or a domain: it contains spaces"
        )));
    }
    parse_email(&format!("postmaster@{text}")).map_err(|e| {
        // Say what is wrong with the domain the user wrote, not with the address made of it.
        let why = e.0.split_once(": ").map_or(e.0.as_str(), |(_, why)| why);
        InputError(format!("\"{text}\" is not a domain: {why}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &[u8]) -> Vec<Entry> {
        Entries::new(text).map(|e| e.unwrap()).collect()
    }

    #[test]
    fn comments_and_blank_lines_are_skipped_and_lines_keep_their_numbers() {
        let got = entries(
            b"\xef\xbb\xbf# customers\n\ntaro@example.jp\r\n   \n  example.test  # no. 42\n#x\nlast",
        );
        let lines: Vec<(u64, &str)> = got.iter().map(|e| (e.line, e.input.as_str())).collect();
        assert_eq!(
            lines,
            [(3, "taro@example.jp"), (5, "example.test"), (7, "last")]
        );
    }

    #[test]
    fn a_hash_inside_an_address_is_not_a_comment() {
        let got = entries(b"a#b@example.jp\n");
        assert_eq!(got[0].input, "a#b@example.jp");
    }

    #[test]
    fn bad_bytes_and_runaway_lines_are_entries_with_a_defect() {
        let mut text = b"ok.test\n\xff\xfe@example.jp\n".to_vec();
        text.extend(std::iter::repeat_n(b'a', 100_000));
        text.extend(b"\nafter.test\n");
        let got = entries(&text);
        assert_eq!(got.len(), 4);
        assert_eq!(got[1].defect, Some("the line is not valid UTF-8"));
        assert_eq!(got[2].defect, Some("the line is longer than 4096 bytes"));
        assert!(got[2].input.len() <= MAX_LINE);
        assert_eq!((got[3].line, got[3].input.as_str()), (4, "after.test"));
        assert!(address(&got[1]).is_err());
    }

    #[test]
    fn a_bare_domain_is_its_postmaster() {
        let entry = |input: &str| Entry {
            line: 1,
            input: input.into(),
            defect: None,
        };
        assert_eq!(
            address(&entry("Example.JP")).unwrap().ascii(),
            "postmaster@example.jp"
        );
        assert_eq!(
            address(&entry("taro@example.jp")).unwrap().local_part,
            "taro"
        );
        let bad = address(&entry("not a domain")).unwrap_err().0;
        assert!(bad.contains("contains spaces"), "{bad}");
        let bad = address(&entry("exa_mple..jp")).unwrap_err().0;
        assert!(bad.starts_with("\"exa_mple..jp\" is not a domain"), "{bad}");
        assert!(address(&entry("@example.jp")).is_err());
    }
}
