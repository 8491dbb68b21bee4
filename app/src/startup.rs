//! Start-up timings for the log (and `scripts/bench-app.sh`, which reads them): how long from
//! process start until the UI asked for its first screen, and until the database was open.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
static FIRST_SCREEN: AtomicBool = AtomicBool::new(false);

/// Called first thing in `run()`.
pub fn process_started() {
    STARTED.get_or_init(Instant::now);
}

fn elapsed_ms() -> u128 {
    STARTED.get().map_or(0, |t| t.elapsed().as_millis())
}

/// The UI's first call for the app's state: its first screen is being drawn.
pub fn first_screen() {
    if !FIRST_SCREEN.swap(true, Ordering::Relaxed) {
        tracing::info!(target: "startup", ms = elapsed_ms() as u64, "first screen");
    }
}

/// The database the desk opens at start is ready (or could not be opened).
pub fn database_opened(outcome: &str) {
    tracing::info!(target: "startup", ms = elapsed_ms() as u64, outcome, "database opened");
}
