//! Classes a desk can book members into, with places left and the waitlist.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Class {
    pub id: Uuid,
    pub branch_id: Uuid,
    pub title: String,
    pub instructor: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub booked_count: i32,
    pub waitlist_count: i32,
}

/// The branch's classes starting in `from..to` that are not cancelled, in start order.
pub async fn list_classes<'e>(
    db: impl sqlx::PgExecutor<'e>,
    branch_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Class>> {
    if to <= from || to - from > chrono::Duration::days(62) {
        return Err(Error::invalid("to", "Choose a range of up to 62 days."));
    }
    Ok(sqlx::query_as!(
        Class,
        "select id, branch_id, title, instructor, starts_at, ends_at, capacity, booked_count, waitlist_count
         from classes
         where branch_id = $1 and starts_at >= $2 and starts_at < $3 and not is_cancelled
         order by starts_at, title",
        branch_id,
        from,
        to
    )
    .fetch_all(db)
    .await?)
}

/// The branch's classes on the local days `from .. from + days` (the branch's time zone),
/// not cancelled, in start order.
pub async fn list_classes_on_days<'e>(
    db: impl sqlx::PgExecutor<'e>,
    branch_id: Uuid,
    from: chrono::NaiveDate,
    days: i32,
) -> Result<Vec<Class>> {
    if !(1..=62).contains(&days) {
        return Err(Error::invalid("days", "Choose 1 to 62 days."));
    }
    Ok(sqlx::query_as!(
        Class,
        "select c.id, c.branch_id, c.title, c.instructor, c.starts_at, c.ends_at, c.capacity, c.booked_count, c.waitlist_count
         from classes c join branches b on b.id = c.branch_id
         where c.branch_id = $1 and not c.is_cancelled
           and c.starts_at >= ($2::date::timestamp at time zone b.timezone)
           and c.starts_at < (($2::date + $3::int4)::timestamp at time zone b.timezone)
         order by c.starts_at, c.title",
        branch_id,
        from,
        days
    )
    .fetch_all(db)
    .await?)
}
