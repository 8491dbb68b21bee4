//! Bookings of classes and recovery slots: booking (with override and waitlist), cancel,
//! check-in / no-show, and the all-bookings list with filters, keyset paging and CSV export.
//! Every rule is enforced by the database functions in `migrations/`; this is their typed API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[ts(export)]
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
    let sql = match req.kind {
        BookingKind::Class => {
            "select id, member_id, branch_id, starts_at, status, capacity_override, allowance_override,
                    override_reason, booked_by_staff_id
             from public.book_class($1, $2, $3, $4, $5, $6, $7, $8)"
        }
        BookingKind::Recovery => {
            "select id, member_id, branch_id, starts_at, status, capacity_override, allowance_override,
                    override_reason, booked_by_staff_id
             from public.book_benefit_slot($1, $2, $3, $4, $5, $6, $7) where $8 or true"
        }
    };
    Ok(sqlx::query_as(sql)
        .bind(req.target_id)
        .bind(req.member_id)
        .bind(req.idempotency_key)
        .bind(req.staff_id)
        .bind(req.override_capacity)
        .bind(req.override_allowance)
        .bind(reason)
        .bind(req.join_waitlist)
        .fetch_one(db)
        .await?)
}

/// Cancels a booked or waitlisted booking; returns the waitlisted booking promoted into the
/// freed place, if any.
pub async fn cancel<'e>(
    db: impl sqlx::PgExecutor<'e>,
    kind: BookingKind,
    booking_id: Uuid,
    staff_id: Option<Uuid>,
) -> Result<Option<Uuid>> {
    Ok(
        sqlx::query_scalar("select public.cancel_booking($1, $2, $3)")
            .bind(kind.as_str())
            .bind(booking_id)
            .bind(staff_id)
            .fetch_one(db)
            .await?,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
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
    sqlx::query("select public.set_booking_status($1, $2, $3, $4)")
        .bind(kind.as_str())
        .bind(booking_id)
        .bind(status)
        .bind(staff_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Filters of the all-bookings list; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct BookingFilter {
    pub branch_id: Option<Uuid>,
    /// Start instant at or after.
    pub from: Option<DateTime<Utc>>,
    /// Start instant before.
    pub to: Option<DateTime<Utc>>,
    pub kind: Option<BookingKind>,
    /// Any of these statuses (empty: all).
    pub statuses: Vec<String>,
    pub facility_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub booked_by_staff_id: Option<Uuid>,
    pub overrides_only: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    StartsAsc,
    StartsDesc,
}

/// Where the previous page ended: keyset paging stays fast at any depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Cursor {
    pub starts_at: DateTime<Utc>,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    #[ts(type = "number")]
    pub limit: i64,
    pub sort: Sort,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ts_rs::TS)]
#[ts(export)]
pub struct BookingRow {
    /// "class" or "recovery"
    pub kind: String,
    pub id: Uuid,
    pub branch_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub status: String,
    pub member_id: Uuid,
    pub member_number: String,
    pub member_name: String,
    /// The class title or the facility name.
    pub item_name: String,
    /// The class id or the facility id.
    pub item_id: Uuid,
    pub booked_by_staff_id: Option<Uuid>,
    pub booked_by_name: Option<String>,
    pub capacity_override: bool,
    pub allowance_override: bool,
    pub override_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Page {
    pub rows: Vec<BookingRow>,
    /// Pass back as `after` for the next page; None on the last page.
    pub next: Option<Cursor>,
}

pub const MAX_PAGE: i64 = 500;
const STATUSES: [&str; 5] = ["booked", "waitlisted", "cancelled", "attended", "no_show"];

fn push_side(
    q: &mut QueryBuilder<'_, Postgres>,
    kind: BookingKind,
    f: &BookingFilter,
    page: &PageRequest,
) {
    match kind {
        BookingKind::Class => q.push(
            "(select 'class'::text as kind, b.id, b.branch_id, b.starts_at, b.status, b.member_id,
                     m.member_number, m.full_name as member_name, c.title as item_name, c.id as item_id,
                     b.booked_by_staff_id, s.full_name as booked_by_name, b.capacity_override,
                     b.allowance_override, b.override_reason, b.created_at
              from class_bookings b
              join classes c on c.id = b.class_id
              join members m on m.id = b.member_id
              left join staff s on s.id = b.booked_by_staff_id
              where true",
        ),
        BookingKind::Recovery => q.push(
            "(select 'recovery'::text as kind, b.id, b.branch_id, b.starts_at, b.status, b.member_id,
                     m.member_number, m.full_name as member_name, fa.name as item_name, fa.id as item_id,
                     b.booked_by_staff_id, s.full_name as booked_by_name, b.capacity_override,
                     b.allowance_override, b.override_reason, b.created_at
              from benefit_bookings b
              join benefit_slots sl on sl.id = b.slot_id
              join facilities fa on fa.id = sl.facility_id
              join members m on m.id = b.member_id
              left join staff s on s.id = b.booked_by_staff_id
              where true",
        ),
    };
    if let Some(v) = f.branch_id {
        q.push(" and b.branch_id = ").push_bind(v);
    }
    if let Some(v) = f.from {
        q.push(" and b.starts_at >= ").push_bind(v);
    }
    if let Some(v) = f.to {
        q.push(" and b.starts_at < ").push_bind(v);
    }
    if !f.statuses.is_empty() {
        q.push(" and b.status = any(")
            .push_bind(f.statuses.clone())
            .push(")");
    }
    match kind {
        BookingKind::Class => {
            if let Some(v) = f.class_id {
                q.push(" and b.class_id = ").push_bind(v);
            }
        }
        BookingKind::Recovery => {
            if let Some(v) = f.facility_id {
                q.push(" and sl.facility_id = ").push_bind(v);
            }
        }
    }
    if let Some(v) = f.member_id {
        q.push(" and b.member_id = ").push_bind(v);
    }
    if let Some(v) = f.booked_by_staff_id {
        q.push(" and b.booked_by_staff_id = ").push_bind(v);
    }
    if f.overrides_only {
        q.push(" and (b.capacity_override or b.allowance_override)");
    }
    let (cmp, dir) = match page.sort {
        Sort::StartsAsc => (">", "asc"),
        Sort::StartsDesc => ("<", "desc"),
    };
    if let Some(c) = page.after {
        q.push(format_args!(" and (b.starts_at, b.id) {cmp} ("))
            .push_bind(c.starts_at)
            .push(", ")
            .push_bind(c.id)
            .push(")");
    }
    q.push(format_args!(
        " order by b.starts_at {dir}, b.id {dir} limit "
    ))
    .push_bind(page.limit + 1)
    .push(")");
}

fn check_filter(f: &BookingFilter, page: &PageRequest) -> Result<()> {
    if !(1..=MAX_PAGE).contains(&page.limit) {
        return Err(Error::invalid(
            "limit",
            format!("A page holds 1 to {MAX_PAGE} bookings."),
        ));
    }
    if let Some(bad) = f.statuses.iter().find(|s| !STATUSES.contains(&s.as_str())) {
        return Err(Error::invalid("status", format!("Unknown status {bad:?}.")));
    }
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if to < from {
            return Err(Error::invalid(
                "to",
                "The end of the date range is before its start.",
            ));
        }
    }
    Ok(())
}

/// One page of classes and recovery bookings together, in start order. Row-level security
/// limits a desk to its branches (the manager desk sees all).
pub async fn list_bookings(
    pool: &sqlx::PgPool,
    filter: &BookingFilter,
    page: &PageRequest,
) -> Result<Page> {
    check_filter(filter, page)?;
    let kinds: Vec<BookingKind> = match (filter.kind, filter.facility_id, filter.class_id) {
        (Some(k), _, _) => vec![k],
        (None, Some(_), None) => vec![BookingKind::Recovery],
        (None, None, Some(_)) => vec![BookingKind::Class],
        _ => vec![BookingKind::Class, BookingKind::Recovery],
    };
    let mut q = QueryBuilder::<Postgres>::new("select * from (");
    for (i, kind) in kinds.iter().enumerate() {
        if i > 0 {
            q.push(" union all ");
        }
        push_side(&mut q, *kind, filter, page);
    }
    let dir = if page.sort == Sort::StartsAsc {
        "asc"
    } else {
        "desc"
    };
    q.push(format_args!(
        ") x order by starts_at {dir}, id {dir} limit "
    ))
    .push_bind(page.limit + 1);
    let mut rows: Vec<BookingRow> = q.build_query_as().fetch_all(pool).await?;
    let next = if rows.len() as i64 > page.limit {
        rows.truncate(page.limit as usize);
        rows.last().map(|r| Cursor {
            starts_at: r.starts_at,
            id: r.id,
        })
    } else {
        None
    };
    Ok(Page { rows, next })
}

/// Writes every booking matching `filter` as CSV (header first), walking the list page by page.
/// Each booking's start is written twice: at its branch's wall-clock time (what the list shows)
/// and in UTC. Returns the number of bookings written.
pub async fn export_csv<W: std::io::Write>(
    pool: &sqlx::PgPool,
    filter: &BookingFilter,
    out: W,
) -> Result<u64> {
    let branches: std::collections::HashMap<Uuid, (String, Option<chrono_tz::Tz>)> =
        sqlx::query_as::<_, (Uuid, String, String)>("select id, name, timezone from branches")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|(id, name, tz)| (id, (name, tz.parse().ok())))
            .collect();
    let mut writer = csv::Writer::from_writer(out);
    let io =
        |e: csv::Error| Error::invalid("file", format!("The CSV file could not be written: {e}"));
    writer
        .write_record([
            "kind",
            "branch",
            "starts_local",
            "starts_at_utc",
            "status",
            "member_number",
            "member_name",
            "class_or_facility",
            "booked_by",
            "capacity_override",
            "allowance_override",
            "override_reason",
            "booking_id",
            "created_at_utc",
        ])
        .map_err(io)?;
    let mut page = PageRequest {
        after: None,
        limit: MAX_PAGE,
        sort: Sort::StartsAsc,
    };
    let mut written = 0;
    loop {
        let result = list_bookings(pool, filter, &page).await?;
        for r in &result.rows {
            let (branch, tz) = branches
                .get(&r.branch_id)
                .map(|(name, tz)| (name.as_str(), *tz))
                .unwrap_or(("", None));
            let local = tz
                .map(|tz| {
                    r.starts_at
                        .with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            writer
                .write_record([
                    r.kind.as_str(),
                    &csv_text(branch),
                    &local,
                    &r.starts_at.to_rfc3339(),
                    r.status.as_str(),
                    &csv_text(&r.member_number),
                    &csv_text(&r.member_name),
                    &csv_text(&r.item_name),
                    &csv_text(r.booked_by_name.as_deref().unwrap_or("")),
                    if r.capacity_override { "yes" } else { "no" },
                    if r.allowance_override { "yes" } else { "no" },
                    &csv_text(r.override_reason.as_deref().unwrap_or("")),
                    &r.id.to_string(),
                    &r.created_at.to_rfc3339(),
                ])
                .map_err(io)?;
            written += 1;
        }
        match result.next {
            Some(c) => page.after = Some(c),
            None => break,
        }
    }
    writer
        .flush()
        .map_err(|e| Error::invalid("file", format!("The CSV file could not be written: {e}")))?;
    Ok(written)
}

/// A text cell as a spreadsheet will read it: text that starts like a formula (`=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, so a name or an override reason such
/// as `=HYPERLINK(...)` opens as text, never as a formula (OWASP's advice for CSV injection).
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn text_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text() {
        for (given, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 20 7946 0000", "'+44 20 7946 0000"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tX", "'\tX"),
            ("\rX", "'\rX"),
            ("Ana Lopez", "Ana Lopez"),
            ("O'Brien = late", "O'Brien = late"),
            ("", ""),
        ] {
            assert_eq!(csv_text(given), written, "{given:?}");
        }
    }
}
