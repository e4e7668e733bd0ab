//! `--resume FILE`: the inputs a previous run already answered, read from its output, so
//! that a run killed half-way is continued with nothing lost and nothing done twice:
//!
//! ```text
//! mailcfg batch customers.txt --resume out.jsonl >> out.jsonl
//! ```
//!
//! Every complete line of FILE that is a `batch` line (has `line` and `input`) counts as
//! answered, whatever its `ok`. A last line without its newline (the run was killed while
//! writing it) is not an answer; when FILE is also where the output is appended, it is
//! cut off first, so the appended output starts on a line of its own. A missing FILE is
//! an empty one (the first run of the recipe above).
//!
//! Kept per answered line: its number and a hash of its input (16 bytes), to refuse a FILE
//! that answers a different input.

use super::shard::fnv1a64;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// What a previous run answered.
#[derive(Debug, Default)]
pub struct Answered {
    /// Line number → hash of the input answered for it.
    lines: HashMap<u64, u64>,
    /// Where FILE's complete lines end, when a partial line follows.
    pub partial_from: Option<u64>,
}

/// Whether an entry was answered before.
#[derive(Debug, PartialEq, Eq)]
pub enum Previously {
    Answered,
    NotAnswered,
    /// The line number was answered, for another input: FILE is another input's output.
    Different,
}

#[derive(serde::Deserialize)]
struct AnsweredLine {
    line: u64,
    input: String,
}

impl Answered {
    pub fn none() -> Answered {
        Answered::default()
    }

    /// Read FILE (a missing one is empty).
    pub fn load(path: &Path) -> io::Result<Answered> {
        match File::open(path) {
            Ok(file) => Answered::read(BufReader::new(file)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Answered::none()),
            Err(e) => Err(e),
        }
    }

    pub fn read(mut reader: impl BufRead) -> io::Result<Answered> {
        let mut answered = Answered::none();
        let mut buf = Vec::new();
        let mut offset: u64 = 0;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            if buf.last() != Some(&b'\n') {
                answered.partial_from = Some(offset);
                break;
            }
            offset += n as u64;
            if let Ok(line) = serde_json::from_slice::<AnsweredLine>(&buf) {
                answered
                    .lines
                    .insert(line.line, fnv1a64(line.input.as_bytes()));
            }
        }
        Ok(answered)
    }

    pub fn check(&self, line: u64, input: &str) -> Previously {
        match self.lines.get(&line) {
            None => Previously::NotAnswered,
            Some(hash) if *hash == fnv1a64(input.as_bytes()) => Previously::Answered,
            Some(_) => Previously::Different,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Cut FILE's partial last line off when FILE is where stdout appends: the output that
/// follows must not be glued to it. Returns whether it cut.
pub fn cut_partial_line_if_stdout(path: &Path, answered: &Answered) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let Some(length) = answered.partial_from else {
        return Ok(false);
    };
    let (Ok(file), Ok(stdout)) = (std::fs::metadata(path), std::fs::metadata("/dev/stdout")) else {
        return Ok(false);
    };
    if (file.dev(), file.ino()) != (stdout.dev(), stdout.ino()) {
        return Ok(false);
    }
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .set_len(length)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_lines_are_answers_and_a_partial_last_line_is_not() {
        let file = concat!(
            "{\"line\":2,\"input\":\"a.test\",\"ok\":true}\n",
            "not json\n",
            "{\"line\":5,\"input\":\"b.test\",\"ok\":false}\n",
            "{\"line\":7,\"input\":\"c.te"
        );
        let answered = Answered::read(file.as_bytes()).unwrap();
        assert_eq!(answered.len(), 2);
        assert_eq!(answered.check(2, "a.test"), Previously::Answered);
        assert_eq!(answered.check(5, "b.test"), Previously::Answered);
        assert_eq!(answered.check(7, "c.test"), Previously::NotAnswered);
        assert_eq!(answered.check(2, "other.test"), Previously::Different);
        let complete = file.rfind('\n').unwrap() as u64 + 1;
        assert_eq!(answered.partial_from, Some(complete));
    }

    #[test]
    fn a_missing_file_answers_nothing() {
        let answered = Answered::load(Path::new("/nonexistent/mailcfg/out.jsonl")).unwrap();
        assert!(answered.is_empty());
        assert_eq!(answered.partial_from, None);
    }
}
