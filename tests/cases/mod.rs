mod autoconfig;
mod batch;
mod check;
mod cli;
mod detect;
mod diagnose;
mod export;
mod guides;
mod lint;
mod probe;
mod promises;
mod providers;
mod terminal;

use serde_json::Value;
use std::process::Output;
use std::time::{Duration, Instant};

/// Run the installed binary with `args`; returns its output and how long it took.
pub fn mailcfg(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mailcfg"))
        .args(args)
        .env("LANG", "C")
        .output()
        .expect("run mailcfg");
    let elapsed = started.elapsed();
    // `MAILCFG_TEST_SHOW=1 bash scripts/test -- --nocapture` shows what every test ran and saw.
    if std::env::var("MAILCFG_TEST_SHOW").is_ok_and(|v| v == "1") {
        eprintln!(
            "$ mailcfg {}  # exit {:?} in {elapsed:?}\n{}{}",
            args.join(" "),
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    (output, elapsed)
}

/// Run with `--json` appended and parse stdout.
pub fn mailcfg_json(args: &[&str]) -> (Value, i32, Duration) {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--json");
    let (output, elapsed) = mailcfg(&all);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "mailcfg {all:?} did not print JSON ({e}); stdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (json, output.status.code().unwrap_or(-1), elapsed)
}

/// The string array at `value[key]`.
pub fn strings(value: &Value, key: &str) -> Vec<String> {
    value[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The findings of kind `kind` in a detect document.
pub fn findings<'a>(json: &'a Value, kind: &str) -> Vec<&'a Value> {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["kind"] == kind)
        .collect()
}
