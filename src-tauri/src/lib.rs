//! Branch Desk's Tauri shell: the window, the Tauri commands and the TypeScript client, nothing
//! else. The desk's state and the command bodies are Tauri-free, in `branch-desk-app` (`app/`);
//! domain rules and SQL in `branch-desk-core`. The commands are declared once, in `commands.rs`.

pub mod commands;

use branch_desk_app::state::{DeskState, Paths};
use branch_desk_app::{secrets, startup};
use tauri::Manager;

/// Every command the UI may call (declared once, in `commands`): Tauri's handler and the
/// TypeScript client (`ui/src/bindings.ts`) both come from it.
pub fn builder() -> tauri_specta::Builder<tauri::Wry> {
    commands::builder()
        // A failed command rejects its promise with the `{ code, message, field? }` error body;
        // `ui/src/api.ts` turns it into an `ApiError`.
        .error_handling(tauri_specta::ErrorHandlingMode::Throw)
        // One TypeScript type per Rust type (what is sent and what is received alike).
        .disable_serde_phases()
        // i64 and u64 as `number`: the values here (counts, page sizes, migration versions) are far
        // below 2^53.
        .dangerously_cast_bigints_to_number()
}

/// Writes the TypeScript client of [`builder`]'s commands and every type they carry.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust commands by tauri-specta (src-tauri/src/commands.rs): do not edit.\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

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
                export_dir: app
                    .path()
                    .download_dir()
                    .or_else(|_| app.path().document_dir())
                    .or_else(|_| app.path().home_dir())
                    .ok(),
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
        .invoke_handler(builder().invoke_handler())
        .build(tauri::generate_context!())
        .expect("Branch Desk could not start its window")
        .run(|app, event| {
            // Closing the window closes the pool and stops the embedded database cleanly.
            if let tauri::RunEvent::Exit = event {
                tauri::async_runtime::block_on(app.state::<DeskState>().close());
            }
        });
}

#[cfg(test)]
mod tests {
    /// The committed client is what the commands make (the test command fails when it is stale).
    #[test]
    fn export_the_typescript_client() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        super::export_bindings(&path).unwrap();
    }
}
