//! Line framing for the mail protocols, without I/O: bytes go in, complete lines come out.
//!
//! [`super::conn::Conn`] reads from the network into a [`LineBuffer`] and takes lines from
//! it; the fuzz targets feed the same buffer arbitrary bytes, so the path a server's bytes
//! take to the parsers (bytes → lines → parser) is fuzzed as one.
//!
//! Two bounds hold whatever is fed: a line (newline included) longer than `max_line` is an
//! error, and the buffer never holds more than `max_line` bytes, because
//! [`LineBuffer::room`] tells the reader how much it may read next.

/// The line a server sent was longer than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTooLong {
    pub limit: usize,
}

/// Bytes received but not yet taken as lines.
#[derive(Debug, Clone)]
pub struct LineBuffer {
    buf: Vec<u8>,
    max_line: usize,
}

impl LineBuffer {
    /// A buffer for lines of at most `max_line` bytes, newline included.
    pub fn new(max_line: usize) -> LineBuffer {
        LineBuffer {
            buf: Vec::new(),
            max_line,
        }
    }

    /// How many bytes may be read and fed next, at most `chunk`: never enough to let the
    /// buffer grow past `max_line`.
    pub fn room(&self, chunk: usize) -> usize {
        self.max_line.saturating_sub(self.buf.len()).min(chunk)
    }

    /// Append bytes received. A reader that respects [`LineBuffer::room`] keeps the buffer
    /// within its bound; bytes fed beyond it are kept, and the next line is then refused
    /// as too long.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line without its CR LF (or bare LF); None when more bytes are
    /// needed. Invalid UTF-8 is replaced, not rejected: the parsers decide what is
    /// acceptable.
    pub fn next_line(&mut self) -> Result<Option<String>, LineTooLong> {
        let too_long = LineTooLong {
            limit: self.max_line,
        };
        let Some(end) = self.buf.iter().position(|&b| b == b'\n') else {
            return if self.buf.len() >= self.max_line {
                Err(too_long)
            } else {
                Ok(None)
            };
        };
        if end + 1 > self.max_line {
            return Err(too_long);
        }
        let mut line: Vec<u8> = self.buf.drain(..=end).collect();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some(String::from_utf8_lossy(&line).into_owned()))
    }

    /// Whether bytes are waiting that were not taken as lines (after a STARTTLS "go
    /// ahead", such bytes are an injection attempt).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

/// Every complete line in `bytes`, read as [`super::conn::Conn`] would read them from a
/// server that sent `bytes` in chunks of at most `chunk` bytes: at most `max_lines` lines,
/// stopping at the first line that is too long. For the fuzz targets and their tests.
pub fn split(
    bytes: &[u8],
    max_line: usize,
    max_lines: usize,
    chunk: usize,
) -> (Vec<String>, Option<LineTooLong>) {
    let mut buffer = LineBuffer::new(max_line);
    let mut lines = Vec::new();
    let mut rest = bytes;
    while lines.len() < max_lines {
        match buffer.next_line() {
            Ok(Some(line)) => lines.push(line),
            Err(e) => return (lines, Some(e)),
            Ok(None) => {
                let n = buffer.room(chunk.max(1)).min(rest.len());
                if n == 0 {
                    break;
                }
                buffer.feed(&rest[..n]);
                rest = &rest[n..];
            }
        }
    }
    (lines, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_out_whole_whatever_the_chunks() {
        let bytes = b"* OK ready\r\nsecond\nthird";
        for chunk in 1..=bytes.len() {
            let (lines, err) = split(bytes, 64, 10, chunk);
            assert_eq!(lines, ["* OK ready", "second"], "chunk {chunk}");
            assert_eq!(err, None);
        }
    }

    #[test]
    fn a_line_at_the_limit_passes_one_byte_more_fails() {
        let mut ok = vec![b'x'; 7];
        ok.push(b'\n');
        assert_eq!(split(&ok, 8, 10, 4096).0, ["xxxxxxx"]);
        let mut long = vec![b'x'; 8];
        long.push(b'\n');
        assert_eq!(split(&long, 8, 10, 4096).1, Some(LineTooLong { limit: 8 }));
        // Without a newline at all: refused once the buffer is full.
        assert_eq!(
            split(&[b'y'; 100], 8, 10, 3).1,
            Some(LineTooLong { limit: 8 })
        );
    }

    #[test]
    fn room_keeps_the_buffer_within_its_bound() {
        let mut buffer = LineBuffer::new(10);
        assert_eq!(buffer.room(4096), 10);
        buffer.feed(b"abc\nde");
        assert_eq!(buffer.room(4096), 4);
        assert_eq!(buffer.next_line(), Ok(Some("abc".to_string())));
        assert_eq!(buffer.room(2), 2);
        assert!(!buffer.is_empty());
        assert_eq!(buffer.next_line(), Ok(None));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_line_count_bounded() {
        let (lines, _) = split(b"\xff\xfe ok\r\n", 64, 10, 5);
        assert_eq!(lines, ["\u{fffd}\u{fffd} ok"]);
        let many = b"a\n".repeat(50);
        assert_eq!(split(&many, 64, 10, 4096).0.len(), 10);
    }
}
