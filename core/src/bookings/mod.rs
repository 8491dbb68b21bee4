//! Bookings of classes and recovery slots: booking (with override and waitlist), cancel and
//! check-in / no-show here; the All Bookings list in `list.rs` and its CSV export in `export.rs`.
//! Every rule is enforced by the database functions in `migrations/`; this is their typed API.

mod export;
mod list;

pub use export::{csv_text, export_csv};
pub use list::{
    count_bookings, list_bookings, push_bookings_select, BookingFilter, BookingRow, Cursor, Page,
    PageRequest, Sort, MAX_PAGE,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum BookingKind {
    Class,
    Recovery,
}

impl BookingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingKind::Class => "class",
            BookingKind::Recovery => "recovery",
        }
    }
}

/// A confirm from the concierge drawer or a member. `idempotency_key` is made once per
/// confirm: a retried request with the same key returns the same booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct BookingRequest {
    pub kind: BookingKind,
    /// The class id or the slot id.
    pub target_id: Uuid,
    pub member_id: Uuid,
    pub idempotency_key: Uuid,
    /// The signed-in staff member (None for a member booking for themselves).
    pub staff_id: Option<Uuid>,
    #[serde(default)]
    pub override_capacity: bool,
    #[serde(default)]
    pub override_allowance: bool,
    #[serde(default)]
    pub override_reason: Option<String>,
    /// Classes only: join the waitlist when the class is full.
    #[serde(default)]
    pub join_waitlist: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Booking {
    pub id: Uuid,
    pub member_id: Uuid,
    pub branch_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub status: String,
    pub capacity_override: bool,
    pub allowance_override: bool,
    pub override_reason: Option<String>,
    pub booked_by_staff_id: Option<Uuid>,
}

pub async fn book<'e>(db: impl sqlx::PgExecutor<'e>, req: &BookingRequest) -> Result<Booking> {
    let reason = req
        .override_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    // The functions return a table's row type, whose columns PostgreSQL reports as nullable:
    // `!` states which are not. Only classes have a waitlist.
    Ok(match req.kind {
        BookingKind::Class => {
            sqlx::query_as!(
                Booking,
                r#"select id as "id!", member_id as "member_id!", branch_id as "branch_id!",
                          starts_at as "starts_at!", status as "status!",
                          capacity_override as "capacity_override!",
                          allowance_override as "allowance_override!", override_reason,
                          booked_by_staff_id
                   from public.book_class($1, $2, $3, $4, $5, $6, $7, $8)"#,
                req.target_id,
                req.member_id,
                req.idempotency_key,
                req.staff_id,
                req.override_capacity,
                req.override_allowance,
                reason,
                req.join_waitlist
            )
            .fetch_one(db)
            .await?
        }
        BookingKind::Recovery => {
            sqlx::query_as!(
                Booking,
                r#"select id as "id!", member_id as "member_id!", branch_id as "branch_id!",
                          starts_at as "starts_at!", status as "status!",
                          capacity_override as "capacity_override!",
                          allowance_override as "allowance_override!", override_reason,
                          booked_by_staff_id
                   from public.book_benefit_slot($1, $2, $3, $4, $5, $6, $7)"#,
                req.target_id,
                req.member_id,
                req.idempotency_key,
                req.staff_id,
                req.override_capacity,
                req.override_allowance,
                reason
            )
            .fetch_one(db)
            .await?
        }
    })
}

/// Cancels a booked or waitlisted booking; returns the waitlisted booking promoted into the
/// freed place, if any.
pub async fn cancel<'e>(
    db: impl sqlx::PgExecutor<'e>,
    kind: BookingKind,
    booking_id: Uuid,
    staff_id: Option<Uuid>,
) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar!(
        "select public.cancel_booking($1, $2, $3)",
        kind.as_str(),
        booking_id,
        staff_id
    )
    .fetch_one(db)
    .await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Attended,
    NoShow,
}

/// Check-in (attended) or no-show, by staff.
pub async fn set_attendance<'e>(
    db: impl sqlx::PgExecutor<'e>,
    kind: BookingKind,
    booking_id: Uuid,
    status: Attendance,
    staff_id: Uuid,
) -> Result<()> {
    let status = match status {
        Attendance::Attended => "attended",
        Attendance::NoShow => "no_show",
    };
    sqlx::query!(
        "select public.set_booking_status($1, $2, $3, $4)",
        kind.as_str(),
        booking_id,
        status,
        staff_id
    )
    .execute(db)
    .await?;
    Ok(())
}
