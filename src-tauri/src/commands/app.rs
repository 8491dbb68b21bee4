//! Facts about the running app that every screen may show (title bar, demo badge).

use serde::Serialize;
use tauri::State;

use crate::state::{DatabaseMode, DeskState};
use crate::Error;

/// What `app_info` returns to the UI.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub mode: DatabaseMode,
}

/// Builds the answer from state; kept apart from the command so it is tested without a window.
pub fn app_info_of(state: &DeskState) -> AppInfo {
    AppInfo {
        name: "Branch Desk",
        version: env!("CARGO_PKG_VERSION"),
        mode: state.mode,
    }
}

/// Name, version and database mode (`demo` or `club`) of this desk.
#[tauri::command]
pub fn app_info(state: State<'_, DeskState>) -> Result<AppInfo, Error> {
    Ok(app_info_of(&state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_serialises_as_the_ui_expects() {
        let json = serde_json::to_value(app_info_of(&DeskState::new())).unwrap();
        assert_eq!(json["name"], "Branch Desk");
        assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(json["mode"], "demo", "with no club config the desk runs on the demo database");
    }
}
