//! Branch Desk's Tauri shell: registers state and commands, nothing else. Domain rules and SQL
//! live in `branch-desk-core`; commands here take `State`, call the core, convert the error.

pub mod commands;
pub mod error;
pub mod state;

pub use error::Error;
use state::DeskState;

/// Starts the desktop app. Called by `main.rs`; panics only if the window system cannot start.
pub fn run() {
    tauri::Builder::default()
        .manage(DeskState::new())
        .invoke_handler(tauri::generate_handler![commands::app::app_info])
        .run(tauri::generate_context!())
        .expect("Branch Desk could not start its window");
}
