//! A progress display on stderr, shown only when stderr is a terminal, so that pipes,
//! logs and scripts never see it and stdout carries nothing but the result.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A spinner with a message, or nothing when stderr is not a terminal.
    pub fn spinner(message: impl Into<String>) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress { bar: Some(bar) }
    }

    /// Nothing drawn, whatever stderr is (a run inside a batch, which has its own bar).
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// A bar of done / total with the rate and the time left (a counter with the rate when
    /// the total is not known), or nothing when stderr is not a terminal.
    pub fn counter(total: Option<u64>) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let (bar, template) = match total {
            Some(total) => (
                ProgressBar::new(total),
                "{bar:30} {pos}/{len} {per_sec} ETA {eta} {msg}",
            ),
            None => (
                ProgressBar::new_spinner(),
                "{spinner} {pos} done {per_sec} {msg}",
            ),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    /// One more done.
    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    pub fn set_message(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.into());
        }
    }

    /// Remove the spinner before the result is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
