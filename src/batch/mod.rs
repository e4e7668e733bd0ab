//! `batch`'s pipeline: read entries as a stream, keep those of this shard that a previous
//! run did not answer, run `detect` on up to `jobs` of them at once, and write one line per
//! entry, in input order, as soon as it and every line before it are done.
//!
//! Memory is flat however long the input: a reader thread hands over at most a few
//! entries ahead, at most [`WINDOW_PER_JOB`] × `jobs` entries are started and not yet
//! written (the reorder buffer: a slow input holds up the writing of the lines after it,
//! never the work on them beyond that window), and nothing of an entry is kept once its
//! line is written. What is shared across inputs is bounded by itself: the DNS cache
//! (`dns_cache`) and the per-server probe limit (`probe::host_limit`).

pub mod input;
pub mod output;
pub mod resume;
pub mod shard;

use crate::detect::{DetectSettings, Engine, detect, detect_offline};
use crate::exit::CommandError;
use crate::progress::Progress;
use futures::StreamExt;
use futures::stream::FuturesOrdered;
use input::{Entries, Entry};
use output::{ErrorKind, Rendered};
use resume::{Answered, Previously};
use shard::Shard;
use std::io::{BufRead, Write};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// Entries started but not yet written, per job.
pub const WINDOW_PER_JOB: usize = 4;

/// How the inputs are looked up.
pub enum Lookup {
    /// The provider table alone (`--offline`): no network.
    Offline,
    /// The whole engine, shared by every input.
    Online(Engine, DetectSettings),
}

/// What `batch` does besides looking up.
pub struct Plan {
    pub jobs: usize,
    pub shard: Option<Shard>,
    pub answered: Answered,
}

/// How a run went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Lines written.
    pub written: u64,
    /// Of those, lines that are not `ok`.
    pub failed: u64,
    /// Entries skipped because a previous run answered them.
    pub resumed: u64,
}

/// A line on its way: the entry it answers (for a line of its own if the task panics) and
/// the task.
type Started = futures::future::BoxFuture<'static, Rendered>;

/// Run the batch over `reader`, writing lines to `out`.
pub async fn run(
    reader: Box<dyn BufRead + Send>,
    lookup: Arc<Lookup>,
    plan: Plan,
    progress: &Progress,
    out: &mut dyn Write,
) -> Result<Summary, CommandError> {
    let jobs = plan.jobs.max(1);
    let mut entries = read_in_background(reader, jobs);
    let running = Arc::new(Semaphore::new(jobs));
    let mut window: FuturesOrdered<Started> = FuturesOrdered::new();
    let mut summary = Summary::default();
    let mut input_done = false;
    loop {
        if !input_done && window.len() < jobs * WINDOW_PER_JOB {
            tokio::select! {
                biased;
                Some(rendered) = window.next(), if !window.is_empty() => {
                    if !write_line(out, &rendered, &mut summary, progress)? {
                        return Ok(summary);
                    }
                }
                next = entries.recv() => match next {
                    None => input_done = true,
                    Some(Err(e)) => {
                        return Err(CommandError::Failure(format!("cannot read the input: {e}")));
                    }
                    Some(Ok(entry)) => {
                        if let Some(started) = start(entry, &plan, &lookup, &running, &mut summary)? {
                            window.push_back(started);
                        }
                    }
                },
            }
        } else {
            match window.next().await {
                Some(rendered) => {
                    if !write_line(out, &rendered, &mut summary, progress)? {
                        return Ok(summary);
                    }
                }
                None => return Ok(summary),
            }
        }
    }
}

/// The input's entries, read on a thread of their own (reading a file or a pipe blocks)
/// and handed over a few at a time.
fn read_in_background(
    reader: Box<dyn BufRead + Send>,
    jobs: usize,
) -> mpsc::Receiver<std::io::Result<Entry>> {
    let (sender, receiver) = mpsc::channel(jobs * 2);
    std::thread::spawn(move || {
        for entry in Entries::new(reader) {
            let failed = entry.is_err();
            // The receiver is gone when the run stopped (a closed pipe): stop reading.
            if sender.blocking_send(entry).is_err() || failed {
                return;
            }
        }
    });
    receiver
}

/// Start the lookup of `entry`, unless it is another shard's or was answered before.
fn start(
    entry: Entry,
    plan: &Plan,
    lookup: &Arc<Lookup>,
    running: &Arc<Semaphore>,
    summary: &mut Summary,
) -> Result<Option<Started>, CommandError> {
    if plan.shard.is_some_and(|shard| !shard.takes(&entry.input)) {
        return Ok(None);
    }
    match plan.answered.check(entry.line, &entry.input) {
        Previously::NotAnswered => {}
        Previously::Answered => {
            summary.resumed += 1;
            return Ok(None);
        }
        Previously::Different => {
            return Err(CommandError::Usage(format!(
                "the --resume file answers another input: its line {} is not for \"{}\"",
                entry.line, entry.input
            )));
        }
    }
    let (line, input) = (entry.line, entry.input.clone());
    let task = tokio::spawn(answer(entry, lookup.clone(), running.clone()));
    Ok(Some(Box::pin(async move {
        task.await.unwrap_or_else(|_| {
            let message = "internal error: this lookup stopped unexpectedly".to_string();
            output::failed(line, &input, ErrorKind::Internal, message)
        })
    })))
}

/// Look `entry` up (once a job is free) and render its line.
async fn answer(entry: Entry, lookup: Arc<Lookup>, running: Arc<Semaphore>) -> Rendered {
    let email = match input::address(&entry) {
        Ok(email) => email,
        Err(e) => return output::failed(entry.line, &entry.input, ErrorKind::MalformedInput, e.0),
    };
    let report = match lookup.as_ref() {
        Lookup::Offline => detect_offline(&email),
        Lookup::Online(engine, settings) => {
            // Never closed; if it were, run unlimited rather than not at all.
            let _job = running.acquire().await.ok();
            detect(&email, settings, engine, &Progress::hidden()).await
        }
    };
    output::answered(entry.line, &entry.input, &report)
}

/// Write one line; false when nobody reads the output any more (a closed pipe).
fn write_line(
    out: &mut dyn Write,
    rendered: &Rendered,
    summary: &mut Summary,
    progress: &Progress,
) -> Result<bool, CommandError> {
    // Flushed line by line: a run killed at any moment leaves only whole lines behind
    // (but for the one being written), which is what --resume relies on.
    let written = out
        .write_all(rendered.text.as_bytes())
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(false),
        Err(e) => {
            return Err(CommandError::Failure(format!(
                "cannot write the output: {e}"
            )));
        }
        Ok(()) => {}
    }
    summary.written += 1;
    summary.failed += u64::from(!rendered.ok);
    progress.inc();
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    async fn offline(text: &'static str, plan: Plan) -> (Vec<Value>, Summary) {
        let mut out = Vec::new();
        let summary = run(
            Box::new(text.as_bytes()),
            Arc::new(Lookup::Offline),
            plan,
            &Progress::hidden(),
            &mut out,
        )
        .await
        .unwrap();
        let lines = String::from_utf8(out).unwrap();
        let json = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (json, summary)
    }

    fn plan(jobs: usize) -> Plan {
        Plan {
            jobs,
            shard: None,
            answered: Answered::none(),
        }
    }

    const INPUT: &str = "# a list\ntaro@docomo.ne.jp\n\nezweb.ne.jp\nnot an address\n";

    #[tokio::test]
    async fn one_line_per_entry_in_order_with_line_numbers() {
        let (lines, summary) = offline(INPUT, plan(3)).await;
        let got: Vec<(u64, &str, bool)> = lines
            .iter()
            .map(|l| {
                let line = l["line"].as_u64().unwrap();
                (
                    line,
                    l["input"].as_str().unwrap(),
                    l["ok"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, "taro@docomo.ne.jp", true),
                (4, "ezweb.ne.jp", true),
                (5, "not an address", false)
            ]
        );
        assert_eq!(lines[1]["email"], "postmaster@ezweb.ne.jp");
        assert_eq!(lines[2]["error"]["kind"], "malformed-input");
        assert_eq!(
            summary,
            Summary {
                written: 3,
                failed: 1,
                resumed: 0
            }
        );
    }

    #[tokio::test]
    async fn resumed_entries_are_skipped_and_a_foreign_file_refused() {
        let answered = Answered::read(&b"{\"line\":4,\"input\":\"ezweb.ne.jp\"}\n"[..]).unwrap();
        let (lines, summary) = offline(
            INPUT,
            Plan {
                answered,
                ..plan(2)
            },
        )
        .await;
        let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
        assert_eq!(numbers, [2, 5]);
        assert_eq!(summary.resumed, 1);

        let answered = Answered::read(&b"{\"line\":4,\"input\":\"other.jp\"}\n"[..]).unwrap();
        let mut out = Vec::new();
        let refused = run(
            Box::new(INPUT.as_bytes()),
            Arc::new(Lookup::Offline),
            Plan {
                answered,
                ..plan(1)
            },
            &Progress::hidden(),
            &mut out,
        )
        .await;
        assert!(matches!(refused, Err(CommandError::Usage(_))));
    }

    #[tokio::test]
    async fn shards_together_are_the_whole() {
        let text: &'static str = Box::leak(
            (0..200)
                .map(|i| format!("user{i}@docomo.ne.jp\n"))
                .collect::<String>()
                .into_boxed_str(),
        );
        let (whole, _) = offline(text, plan(4)).await;
        let mut merged = Vec::new();
        for i in 1..=3 {
            let shard = Some(Shard { index: i, count: 3 });
            let (lines, _) = offline(text, Plan { shard, ..plan(4) }).await;
            assert!(!lines.is_empty() && lines.len() < 200);
            merged.extend(lines.iter().map(|l| l["line"].as_u64().unwrap()));
        }
        merged.sort();
        let whole: Vec<u64> = whole.iter().map(|l| l["line"].as_u64().unwrap()).collect();
        assert_eq!(merged, whole);
    }
}
