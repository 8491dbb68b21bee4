//! IPC commands, one module per area. Each command is a few lines: take `State`, call the core,
//! return `Result<_, crate::Error>`. The `*_impl`-free style: the command bodies are plain async
//! functions over `&DeskState` (in each module), so tests call them without a window.

pub mod app;
pub mod bookings;
pub mod members;
pub mod schedule;
pub mod setup;
pub mod staff;
