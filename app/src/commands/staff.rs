//! Staff sign-in, quick switch and sign-out.

use branch_desk_core::staff::{desk_staff, sign_in as core_sign_in, StaffSession, StaffSummary};

use crate::state::DeskState;
use crate::Error;

pub async fn sign_in_as(state: &DeskState, email: &str, pin: &str) -> Result<StaffSession, Error> {
    let desk = state.desk().await?;
    let staff = core_sign_in(&desk.pool, email, pin).await?;
    state.set_staff(Some(staff.clone())).await?;
    Ok(staff)
}

/// Staff who may sign in at this desk, for the quick switch.
pub async fn list(state: &DeskState) -> Result<Vec<StaffSummary>, Error> {
    Ok(desk_staff(&state.desk().await?.pool).await?)
}
