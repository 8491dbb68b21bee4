//! What the shell keeps between commands. For now only the database mode; the pool, the desk's
//! config and the signed-in staff member join it once the core provides them.

use serde::Serialize;

/// Which database this desk talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseMode {
    /// The embedded demo PostgreSQL in the app data directory (the default with no config).
    Demo,
    /// The club's PostgreSQL, as this branch's desk role.
    Club,
}

/// State managed by Tauri and handed to commands as `State<DeskState>`.
#[derive(Debug)]
pub struct DeskState {
    pub mode: DatabaseMode,
}

impl DeskState {
    /// Placeholder until connection setup exists: with no club config the desk runs on the demo database.
    pub fn new() -> Self {
        Self { mode: DatabaseMode::Demo }
    }
}

impl Default for DeskState {
    fn default() -> Self {
        Self::new()
    }
}
