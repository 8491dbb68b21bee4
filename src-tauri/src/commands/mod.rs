//! IPC commands, one module per area (app, setup, members, slots, bookings). Each command is a
//! few lines: take `State`, call the core, return `Result<_, crate::Error>`.

pub mod app;
