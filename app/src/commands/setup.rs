//! First run and settings: use the demo database, or test and save this desk's connection to the
//! club database (the password goes to the OS keyring, or memory only).

use branch_desk_core::desk::{connect_club, ClubConnection, DeskConfig};
use serde::Serialize;

use crate::commands::app::{info, AppInfo};
use crate::secrets::Kept;
use crate::state::DeskState;
use crate::Error;

pub async fn use_demo(state: &DeskState) -> Result<AppInfo, Error> {
    state.open_demo().await?;
    state.save(&DeskConfig::Demo, None)?;
    Ok(info(state).await)
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ConnectionTest {
    pub desk_role: String,
    pub branches: Vec<branch_desk_core::desk::Branch>,
}

/// Connects with the settings without saving anything: the setup screen's "Test connection".
pub async fn test(settings: &ClubConnection, password: &str) -> Result<ConnectionTest, Error> {
    let desk = connect_club(settings, password).await?;
    desk.pool.close().await;
    Ok(ConnectionTest {
        desk_role: desk.identity.role_name,
        branches: desk.branches,
    })
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Saved {
    pub info: AppInfo,
    /// Where the password went: the OS keyring, or memory only (asked again at next start).
    pub password_kept: Kept,
}

/// Connects (proving the settings work), then saves them; nothing is saved if connecting fails.
pub async fn save_club(
    state: &DeskState,
    settings: &ClubConnection,
    password: &str,
) -> Result<Saved, Error> {
    state.open_club(settings, password).await?;
    let kept = state.save(
        &DeskConfig::Club(settings.clone()),
        Some((&settings.desk_role, password)),
    )?;
    Ok(Saved {
        info: info(state).await,
        password_kept: kept.unwrap_or(Kept::MemoryOnly),
    })
}

/// At start without a keyring: the password for the saved settings, kept in memory only.
pub async fn provide(state: &DeskState, password: &str) -> Result<AppInfo, Error> {
    let Some(DeskConfig::Club(settings)) = state.config().await else {
        return Err(branch_desk_core::Error::invalid(
            "password",
            "This desk is not set up for a club database.",
        )
        .into());
    };
    match state.open_club(&settings, password).await {
        Ok(()) => {}
        // The server is down, so the password could not be checked: keep it (in memory) and let
        // the banner's retry connect once the server is back. A refused password is not kept.
        Err(e) if e.body().code == branch_desk_core::ErrorCode::Unavailable => {
            state.fail(&e).await;
        }
        Err(e) => return Err(e),
    }
    state.secrets.store(&settings.desk_role, password);
    Ok(info(state).await)
}
