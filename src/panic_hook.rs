//! What a panic looks like to a person: one clear line and exit code 4 (mailcfg could not
//! run), never Rust's "thread 'main' panicked at src/…" and a backtrace hint.
//!
//! A panic is a bug; the hook says so, in words, and ends the process at once with
//! [`Exit::Failure`], from whichever thread panicked (a tokio worker's panic would
//! otherwise be swallowed into a cancelled task). Release builds keep `panic = "unwind"`
//! because the hook runs before any unwinding, so the message and the exit code are the
//! same either way.

use crate::exit::Exit;

/// The line printed on stderr when mailcfg panics. No location, no payload: those are
/// Rust debug text, and a payload may carry server-provided bytes.
pub const MESSAGE: &str = "mailcfg: internal error: mailcfg stopped because of a bug (please report it with the command you ran)";

/// Replace the default panic hook with [`on_panic`].
pub fn install() {
    std::panic::set_hook(Box::new(|_| on_panic()));
}

/// Print [`MESSAGE`] and exit with code 4.
pub fn on_panic() -> ! {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{MESSAGE}");
    let _ = stderr.flush();
    std::process::exit(i32::from(Exit::Failure.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set in the child process that [`a_panic_prints_one_clear_line_and_exits_4`] starts.
    const CHILD: &str = "MAILCFG_PANIC_HOOK_TEST_CHILD";

    /// The hook as installed, in a child process (the test binary run again, for this
    /// test only): it panics on the main thread or on a tokio worker, and must end with
    /// exit 4 and the one line. The shipped binary has no way to trigger a panic on
    /// purpose; the test runs the hook itself.
    #[test]
    fn a_panic_prints_one_clear_line_and_exits_4() {
        if let Ok(place) = std::env::var(CHILD) {
            install();
            if place == "worker" {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .build()
                    .unwrap();
                let _ = runtime.block_on(async {
                    tokio::spawn(async { panic!("a worker's secret \u{1b}[2J payload") }).await
                });
                // The hook exits before the JoinError comes back.
                std::process::exit(99);
            }
            panic!("a secret \u{1b}[2J payload");
        }
        for place in ["main", "worker"] {
            let output = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "panic_hook::tests::a_panic_prints_one_clear_line_and_exits_4",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, place)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(4), "{place}: {stderr}");
            assert!(stderr.contains(MESSAGE), "{place}: {stderr}");
            assert!(!stderr.contains("panicked"), "{place}: {stderr}");
            assert!(!stderr.contains("payload"), "{place}: {stderr}");
            assert!(!stderr.contains('\u{1b}'), "{place}: {stderr}");
        }
    }
}
