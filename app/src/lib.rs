//! Branch Desk's desk without a window: what the desk keeps between commands (`state`, one enum of
//! where it stands), the command bodies grouped by area (`commands`, each over `&DeskState`), the
//! error that crosses IPC, the keyring, and the start-up timings. No Tauri: the shell in
//! `src-tauri/` declares the Tauri commands over these bodies, and the tests here call them
//! directly against a real PostgreSQL and the embedded demo database.

pub mod commands {
    pub mod app;
    pub mod bookings;
    pub mod members;
    pub mod schedule;
    pub mod setup;
    pub mod staff;
}
pub mod error;
pub mod secrets;
pub mod startup;
pub mod state;

pub use error::Error;
