//! Staff sign-in, quick switch and sign-out.

use branch_desk_core::staff::{desk_staff, sign_in as core_sign_in, StaffSession, StaffSummary};
use tauri::State;

use crate::state::DeskState;
use crate::Error;

pub async fn sign_in_as(state: &DeskState, email: &str, pin: &str) -> Result<StaffSession, Error> {
    let desk = state.desk().await?;
    let staff = core_sign_in(&desk.pool, email, pin).await?;
    state.set_staff(Some(staff.clone())).await?;
    Ok(staff)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, DeskState>,
    email: String,
    pin: String,
) -> Result<StaffSession, Error> {
    sign_in_as(&state, &email, &pin).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, DeskState>) -> Result<(), Error> {
    state.set_staff(None).await
}

/// Staff who may sign in at this desk, for the quick switch.
pub async fn list(state: &DeskState) -> Result<Vec<StaffSummary>, Error> {
    Ok(desk_staff(&state.desk().await?.pool).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_desk_staff(state: State<'_, DeskState>) -> Result<Vec<StaffSummary>, Error> {
    list(&state).await
}
