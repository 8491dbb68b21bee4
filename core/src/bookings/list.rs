//! The All Bookings list: classes and recovery together, filtered, in start order, paged by
//! keyset. [`push_bookings_select`] is the one select of those rows; the list, the CSV export and
//! the benchmark's OFFSET comparison all use it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::BookingKind;
use crate::error::{Error, Result};

/// Filters of the all-bookings list; every field is optional. A desk runs it through
/// [`BookingFilter::for_desk`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
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

impl BookingFilter {
    /// The filter as a desk runs it: a branch desk's names its branch when it names none.
    /// Row-level security leaves such a desk only its branch's rows either way; named, the
    /// planner reads them through the branch indexes. Unnamed, the desk policies' head-office
    /// test (migration 20261201001100) hides the branch from the planner: at 500 branches a
    /// branch desk's two-week count took about 1 s instead of 15 ms (docs/deploy.md, "Growth").
    pub fn for_desk(mut self, desk: &crate::db::DeskIdentity) -> Self {
        if let (None, false, [only]) = (self.branch_id, desk.all_branches, &desk.branch_ids[..]) {
            self.branch_id = Some(*only);
        }
        self
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    StartsAsc,
    StartsDesc,
}

/// Where the previous page ended: keyset paging stays fast at any depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Cursor {
    pub starts_at: DateTime<Utc>,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub limit: i64,
    pub sort: Sort,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, specta::Type)]
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

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Page {
    pub rows: Vec<BookingRow>,
    /// Pass back as `after` for the next page; None on the last page.
    pub next: Option<Cursor>,
}

pub const MAX_PAGE: i64 = 500;

/// The one select of All Bookings rows (the list, the CSV export and the benchmark use it): the
/// bookings matching `filter`, classes and recovery as one `union all`. With `page`, each side is
/// cut at the page's cursor and limit plus one, so a deep page reads one page per side; without,
/// every matching row, in no order. Check the filter first ([`list_bookings`] does).
pub fn push_bookings_select(
    q: &mut QueryBuilder<'_, Postgres>,
    filter: &BookingFilter,
    page: Option<&PageRequest>,
) {
    for (i, kind) in kinds(filter).into_iter().enumerate() {
        if i > 0 {
            q.push(" union all ");
        }
        q.push("(");
        push_side(q, kind, filter, page);
        q.push(")");
    }
}

/// Which sides a filter reads: a kind, or the kind its facility or class implies, or both.
fn kinds(f: &BookingFilter) -> Vec<BookingKind> {
    match (f.kind, f.facility_id, f.class_id) {
        (Some(k), _, _) => vec![k],
        (None, Some(_), None) => vec![BookingKind::Recovery],
        (None, None, Some(_)) => vec![BookingKind::Class],
        _ => vec![BookingKind::Class, BookingKind::Recovery],
    }
}

fn push_side(
    q: &mut QueryBuilder<'_, Postgres>,
    kind: BookingKind,
    f: &BookingFilter,
    page: Option<&PageRequest>,
) {
    match kind {
        BookingKind::Class => q.push(
            "select 'class'::text as kind, b.id, b.branch_id, b.starts_at, b.status, b.member_id,
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
            "select 'recovery'::text as kind, b.id, b.branch_id, b.starts_at, b.status, b.member_id,
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
    match (kind, f.class_id, f.facility_id) {
        (BookingKind::Class, Some(v), _) => {
            q.push(" and b.class_id = ").push_bind(v);
        }
        (BookingKind::Recovery, _, Some(v)) => {
            q.push(" and sl.facility_id = ").push_bind(v);
        }
        _ => {}
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
    let Some(page) = page else { return };
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
    .push_bind(page.limit + 1);
}

fn check_page(page: &PageRequest) -> Result<()> {
    if !(1..=MAX_PAGE).contains(&page.limit) {
        return Err(Error::invalid(
            "limit",
            format!("A page holds 1 to {MAX_PAGE} bookings."),
        ));
    }
    Ok(())
}

/// A filter that cannot match as asked is refused in words, never narrowed or widened quietly.
/// Statuses are checked against `booking_statuses`, their one list (one query, only when the
/// filter names statuses).
pub(super) async fn check_filter(conn: &mut sqlx::PgConnection, f: &BookingFilter) -> Result<()> {
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if to < from {
            return Err(Error::invalid(
                "to",
                "The end of the date range is before its start.",
            ));
        }
    }
    match (f.kind, f.facility_id, f.class_id) {
        (_, Some(_), Some(_)) => {
            return Err(Error::invalid(
                "facility_id",
                "Choose a facility or a class, not both.",
            ))
        }
        (Some(BookingKind::Class), Some(_), None) => {
            return Err(Error::invalid(
                "facility_id",
                "Classes have no facility: choose Recovery, or clear “Facility or class”.",
            ))
        }
        (Some(BookingKind::Recovery), None, Some(_)) => {
            return Err(Error::invalid(
                "class_id",
                "Recovery bookings have no class: choose Classes, or clear “Facility or class”.",
            ))
        }
        _ => {}
    }
    if f.statuses.is_empty() {
        return Ok(());
    }
    let unknown = sqlx::query_scalar!(
        r#"select array(select unnest($1::text[]) except select status from public.booking_statuses)
           as "unknown!""#,
        &f.statuses
    )
    .fetch_one(conn)
    .await?;
    match unknown.first() {
        Some(bad) => Err(Error::invalid("status", format!("Unknown status {bad:?}."))),
        None => Ok(()),
    }
}

/// One page of classes and recovery bookings together, in start order. Row-level security
/// limits a desk to its branches (the manager desk sees all).
pub async fn list_bookings(
    conn: &mut sqlx::PgConnection,
    filter: &BookingFilter,
    page: &PageRequest,
) -> Result<Page> {
    check_page(page)?;
    check_filter(&mut *conn, filter).await?;
    fetch_page(&mut *conn, filter, page).await
}

/// How many bookings match `filter` (All Bookings' total; the list's pages do not wait for it).
pub async fn count_bookings(conn: &mut sqlx::PgConnection, filter: &BookingFilter) -> Result<i64> {
    check_filter(&mut *conn, filter).await?;
    let mut q = QueryBuilder::<Postgres>::new("select count(*) from (");
    push_bookings_select(&mut q, filter, None);
    q.push(") x");
    Ok(q.build_query_scalar().fetch_one(&mut *conn).await?)
}

/// One page (of at most [`MAX_PAGE`]) of a filter already checked ([`check_filter`]).
pub(super) async fn fetch_page(
    conn: &mut sqlx::PgConnection,
    filter: &BookingFilter,
    page: &PageRequest,
) -> Result<Page> {
    let mut q = QueryBuilder::<Postgres>::new("select * from (");
    push_bookings_select(&mut q, filter, Some(page));
    let dir = if page.sort == Sort::StartsAsc {
        "asc"
    } else {
        "desc"
    };
    q.push(format_args!(
        ") x order by starts_at {dir}, id {dir} limit "
    ))
    .push_bind(page.limit + 1);
    let mut rows: Vec<BookingRow> = q.build_query_as().fetch_all(conn).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DeskIdentity;

    fn desk(branch_ids: Vec<Uuid>, all_branches: bool) -> DeskIdentity {
        DeskIdentity {
            role_name: "desk".into(),
            branch_ids,
            all_branches,
            shared_login: false,
        }
    }

    #[test]
    fn a_branch_desk_names_its_branch_and_head_office_does_not() {
        let (own, other) = (Uuid::new_v4(), Uuid::new_v4());
        let unnamed = BookingFilter::default();
        let named = BookingFilter {
            branch_id: Some(other),
            ..BookingFilter::default()
        };
        let branch_desk = desk(vec![own], false);
        assert_eq!(unnamed.clone().for_desk(&branch_desk).branch_id, Some(own));
        // A branch the filter names is kept: row-level security answers it (nothing, here).
        assert_eq!(named.clone().for_desk(&branch_desk).branch_id, Some(other));
        // Head office, even of a one-branch club, keeps every branch.
        let head_office = desk(vec![own], true);
        assert_eq!(unnamed.clone().for_desk(&head_office).branch_id, None);
        assert_eq!(named.for_desk(&head_office).branch_id, Some(other));
        // Only the branch changes.
        let filter = BookingFilter {
            statuses: vec!["booked".into()],
            overrides_only: true,
            ..BookingFilter::default()
        };
        assert_eq!(
            filter.clone().for_desk(&branch_desk),
            BookingFilter {
                branch_id: Some(own),
                ..filter
            }
        );
    }
}
