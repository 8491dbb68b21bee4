//! Staff sign-in, quick switch and sign-out.

use branch_desk_core::staff::{desk_staff, sign_in as core_sign_in, StaffSession, StaffSummary};

use crate::state::DeskState;
use crate::Error;

pub async fn sign_in_as(state: &DeskState, email: &str, pin: &str) -> Result<StaffSession, Error> {
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    let signed_in = core_sign_in(&mut tx, email, pin).await;
    // Committed whatever the PIN: a wrong one is counted towards the lock-out in this
    // transaction, and rolling it back would forget it.
    tx.commit().await?;
    let staff = signed_in?;
    state.set_staff(Some(staff.clone())).await?;
    Ok(staff)
}

/// Staff who may sign in at this desk, for the quick switch.
pub async fn list(state: &DeskState) -> Result<Vec<StaffSummary>, Error> {
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    let staff = desk_staff(&mut *tx).await?;
    tx.commit().await?;
    Ok(staff)
}
