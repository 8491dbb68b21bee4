//! Member search and the member panel.

use branch_desk_core::members::{
    member_panel, search_members as core_search, MemberHit, MemberPanel,
};
use uuid::Uuid;

use crate::state::DeskState;
use crate::Error;

pub async fn search(state: &DeskState, query: &str) -> Result<Vec<MemberHit>, Error> {
    state.staff().await?;
    Ok(core_search(&state.desk().await?.pool, query, 20).await?)
}

pub async fn panel(state: &DeskState, member_id: Uuid) -> Result<MemberPanel, Error> {
    state.staff().await?;
    Ok(member_panel(&state.desk().await?.pool, member_id, chrono::Utc::now()).await?)
}
