//! The recovery schedule (a week, slots ensured with one call) and the classes to book.

use branch_desk_core::classes::{list_classes_on_days, Class};
use branch_desk_core::slots::{schedule, Schedule};
use chrono::{Duration, NaiveDate};

use crate::state::DeskState;
use crate::Error;

/// Opening a week: `start` and the six days after it, at this desk's branch.
pub async fn week(state: &DeskState, start: NaiveDate) -> Result<Schedule, Error> {
    state.staff().await?;
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    let week = schedule(&mut tx, desk.branch.id, start, start + Duration::days(6)).await?;
    tx.commit().await?;
    Ok(week)
}

/// Classes of this desk's branch on the local days `from .. from + days`.
pub async fn classes(state: &DeskState, from: NaiveDate, days: i32) -> Result<Vec<Class>, Error> {
    state.staff().await?;
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    let classes = list_classes_on_days(&mut *tx, desk.branch.id, from, days).await?;
    tx.commit().await?;
    Ok(classes)
}
