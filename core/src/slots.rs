//! Recovery-zone slots: materialise a date range with `ensure_facility_slots` (one call, the
//! database does the work) and read the schedule back with booked/capacity per slot.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};

/// Longest range one `ensure_facility_slots` call accepts (inclusive days); the database
/// enforces the same number.
pub const MAX_RANGE_DAYS: i64 = 62;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Facility {
    pub id: Uuid,
    pub branch_id: Uuid,
    pub name: String,
    pub kind: String,
    pub is_active: bool,
    pub under_maintenance: bool,
    pub available_days: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Slot {
    pub id: Uuid,
    pub facility_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The branch's local date and wall-clock times, as staff read them.
    pub local_date: NaiveDate,
    pub local_start: NaiveTime,
    pub local_end: NaiveTime,
    pub capacity: i32,
    pub booked_count: i32,
}

impl Slot {
    pub fn is_full(&self) -> bool {
        self.booked_count >= self.capacity
    }
}

/// One branch's schedule for a date range: its facilities (maintenance shown as such) and slots.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Schedule {
    pub facilities: Vec<Facility>,
    pub slots: Vec<Slot>,
    /// How many slots this request materialised.
    pub inserted: i32,
}

fn check_range(start: NaiveDate, end: NaiveDate) -> Result<()> {
    if end < start {
        return Err(Error::invalid(
            "end",
            format!("The end date {end} is before the start date {start}."),
        ));
    }
    if (end - start).num_days() + 1 > MAX_RANGE_DAYS {
        return Err(Error::invalid(
            "end",
            format!("Choose at most {MAX_RANGE_DAYS} days at a time."),
        ));
    }
    Ok(())
}

/// Materialises the branch's slots for `start..=end` with one database call; returns how many
/// were inserted (0 when they already existed).
pub async fn ensure_slots<'e>(
    db: impl sqlx::PgExecutor<'e>,
    branch_id: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<i32> {
    check_range(start, end)?;
    Ok(sqlx::query_scalar!(
        r#"select public.ensure_facility_slots($1, $2, $3) as "inserted!""#,
        branch_id,
        start,
        end
    )
    .fetch_one(db)
    .await?)
}

/// The branch's facilities, active ones first by name. Row-level security scopes what a desk sees.
pub async fn list_facilities<'e>(
    db: impl sqlx::PgExecutor<'e>,
    branch_id: Uuid,
) -> Result<Vec<Facility>> {
    Ok(sqlx::query_as!(
        Facility,
        "select id, branch_id, name, kind, is_active, under_maintenance, available_days
         from facilities where branch_id = $1
         order by not is_active, name",
        branch_id
    )
    .fetch_all(db)
    .await?)
}

/// Slots of the branch for local dates `start..=end`, by facility then time.
pub async fn list_slots<'e>(
    db: impl sqlx::PgExecutor<'e>,
    branch_id: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<Slot>> {
    check_range(start, end)?;
    Ok(sqlx::query_as!(
        Slot,
        "select id, facility_id, starts_at, ends_at, local_date, local_start, local_end, capacity, booked_count
         from benefit_slots
         where branch_id = $1 and local_date between $2 and $3
         order by facility_id, starts_at",
        branch_id,
        start,
        end
    )
    .fetch_all(db)
    .await?)
}

/// Opening a week: ensure its slots (one call), then read facilities and slots.
pub async fn schedule(
    conn: &mut sqlx::PgConnection,
    branch_id: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Schedule> {
    let inserted = ensure_slots(&mut *conn, branch_id, start, end).await?;
    let facilities = list_facilities(&mut *conn, branch_id).await?;
    let slots = list_slots(&mut *conn, branch_id, start, end).await?;
    Ok(Schedule {
        facilities,
        slots,
        inserted,
    })
}
