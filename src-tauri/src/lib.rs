//! Branch Desk's Tauri shell: registers state and commands, nothing else. Domain rules and SQL
//! live in `branch-desk-core`; commands take `State`, call the core, convert the error.

pub mod commands;
pub mod error;
pub mod secrets;
pub mod startup;
pub mod state;

pub use error::Error;
use state::{DeskState, Paths};
use tauri::Manager;

/// Starts the desktop app. Called by `main.rs`; panics only if the window system cannot start.
pub fn run() {
    startup::process_started();
    // Logs go to stderr; RUST_LOG overrides the level (e.g. RUST_LOG=debug).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    tauri::Builder::default()
        .setup(|app| {
            let paths = Paths {
                config_file: app.path().app_config_dir()?.join("desk.toml"),
                demo_data_dir: app.path().app_data_dir()?.join("demo-db"),
            };
            // BRANCH_DESK_NO_KEYRING=1: headless runs and tests keep passwords in memory only.
            let no_keyring = std::env::var_os("BRANCH_DESK_NO_KEYRING").is_some();
            app.manage(DeskState::new(paths, secrets::Secrets::new(no_keyring)));
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let connection = handle.state::<DeskState>().open_from_config().await;
                startup::database_opened(&format!("{connection:?}"));
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::reconnect,
            commands::setup::use_demo_database,
            commands::setup::test_club_connection,
            commands::setup::save_club_connection,
            commands::setup::provide_password,
            commands::staff::sign_in,
            commands::staff::sign_out,
            commands::staff::list_desk_staff,
            commands::members::search_members,
            commands::members::get_member_panel,
            commands::schedule::week_schedule,
            commands::schedule::upcoming_classes,
            commands::bookings::create_booking,
            commands::bookings::cancel_booking,
            commands::bookings::set_attendance,
            commands::bookings::list_bookings,
            commands::bookings::export_bookings_csv,
        ])
        .build(tauri::generate_context!())
        .expect("Branch Desk could not start its window")
        .run(|app, event| {
            // Closing the window closes the pool and stops the embedded database cleanly.
            if let tauri::RunEvent::Exit = event {
                tauri::async_runtime::block_on(app.state::<DeskState>().close());
            }
        });
}
