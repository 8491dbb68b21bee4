//! Branch Desk core: the club database (migrations, row-level security, slot generation,
//! bookings) behind a typed API. Knows nothing about windows or Tauri.

pub mod bookings;
pub mod classes;
pub mod db;
pub mod demo;
pub mod desk;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod error;
pub mod generator;
pub mod members;
pub mod pin;
pub mod rules;
pub mod slots;
pub mod staff;

pub use error::{Error, ErrorBody, ErrorCode, Result};
