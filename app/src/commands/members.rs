//! Member search and the member panel.

use branch_desk_core::members::{
    member_panel, search_members as core_search, MemberHit, MemberPanel,
};
use uuid::Uuid;

use crate::state::DeskState;
use crate::Error;

pub async fn search(state: &DeskState, query: &str) -> Result<Vec<MemberHit>, Error> {
    state.staff().await?;
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    let hits = core_search(&mut *tx, query, 20).await?;
    tx.commit().await?;
    Ok(hits)
}

pub async fn panel(state: &DeskState, member_id: Uuid) -> Result<MemberPanel, Error> {
    state.staff().await?;
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    let panel = member_panel(&mut tx, member_id, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(panel)
}
