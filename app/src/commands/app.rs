//! What every screen may show: name, version, database mode (the demo badge), connection state,
//! the branch, the signed-in staff member, and the demo staff PINs on the demo database.

use branch_desk_core::demo::{self, DemoStaff};
use branch_desk_core::desk::{Branch, ClubConnection, DeskConfig};
use branch_desk_core::rules::BookingRules;
use branch_desk_core::staff::StaffSession;
use serde::Serialize;

use crate::state::{Connection, DeskState};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseMode {
    Demo,
    Club,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub mode: DatabaseMode,
    /// No settings saved yet: running on the demo database; offer "Connect to the club database".
    pub first_run: bool,
    pub connection: Connection,
    pub branch: Option<Branch>,
    pub branches: Vec<Branch>,
    pub desk_role: Option<String>,
    /// The saved club connection (never its password), so Settings opens with it filled in.
    pub club: Option<ClubConnection>,
    /// The newest migration applied to the database (Settings shows it).
    pub schema_version: Option<i64>,
    pub staff: Option<StaffSession>,
    /// Booking statuses, the changes staff may make and the override reason's length, as the
    /// open database holds them (none before a desk is open).
    pub rules: Option<BookingRules>,
    /// Only on the demo database: who can sign in, with their PINs.
    pub demo_staff: Vec<DemoStaff>,
}

pub async fn info(state: &DeskState) -> AppInfo {
    let config = state.config().await;
    let mode = match config {
        Some(DeskConfig::Club(_)) if !state.is_demo().await => DatabaseMode::Club,
        _ => DatabaseMode::Demo,
    };
    let desk = state.desk().await.ok();
    // The open desk's role, or the saved one (the password prompt names it before connecting).
    let desk_role = match (&desk, &config) {
        (Some(d), _) => Some(d.identity.role_name.clone()),
        (None, Some(DeskConfig::Club(settings))) => Some(settings.desk_role.clone()),
        _ => None,
    };
    AppInfo {
        name: "Branch Desk",
        version: env!("CARGO_PKG_VERSION"),
        first_run: state.first_run(),
        demo_staff: if mode == DatabaseMode::Demo {
            demo::staff()
        } else {
            Vec::new()
        },
        mode,
        connection: state.connection().await,
        branch: desk.as_ref().map(|d| d.branch.clone()),
        branches: desk
            .as_ref()
            .map(|d| d.branches.clone())
            .unwrap_or_default(),
        desk_role,
        club: match config {
            Some(DeskConfig::Club(settings)) => Some(settings),
            _ => None,
        },
        schema_version: desk.as_ref().and_then(|d| d.schema_version),
        rules: desk.as_ref().map(|d| d.rules.clone()),
        staff: state.staff().await.ok(),
    }
}

/// Tries the database again (the UI calls it on "Retry" and every few seconds while unreachable).
/// A desk whose pool is open keeps it, with its staff member signed in (see `DeskState::retry`).
pub async fn retry(state: &DeskState) -> AppInfo {
    state.retry().await;
    info(state).await
}
