//! Branch Desk core: the club database (migrations, row-level security, slot generation,
//! bookings) behind a typed API. Knows nothing about windows or Tauri.
