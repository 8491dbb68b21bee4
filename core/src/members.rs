//! Members: search as you type (the database's `search_members`), and the member panel with
//! status, plan, entitlements (used and remaining) and upcoming bookings.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::bookings::{list_bookings, BookingFilter, BookingRow, PageRequest, Sort};
use crate::error::{Error, Result};

/// Longest search text the database accepts.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct MemberHit {
    pub member_id: Uuid,
    pub member_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub home_branch_id: Uuid,
    pub plan_id: Option<Uuid>,
    /// Higher is a better match; exact member numbers and emails rank first.
    pub score: f32,
    pub home_branch_name: String,
    /// The member's next live booking today at this desk's branches, e.g. "Sauna 18:00".
    pub booked_today: Option<String>,
}

/// Members matching `query` (name in any order and with typos, email, phone digits, member
/// number), best first. Empty text gives no results.
pub async fn search_members<'e>(
    db: impl sqlx::PgExecutor<'e>,
    query: &str,
    limit: i32,
) -> Result<Vec<MemberHit>> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "query",
            format!("Search text is too long: use at most {MAX_QUERY_CHARS} characters."),
        ));
    }
    Ok(
        // A function's columns may be null as far as PostgreSQL says: `!` states they are not.
        sqlx::query_as!(
            MemberHit,
            r#"select member_id as "member_id!", member_number as "member_number!",
                      first_name as "first_name!", last_name as "last_name!", email, phone,
                      status as "status!", home_branch_id as "home_branch_id!", plan_id,
                      score as "score!", home_branch_name as "home_branch_name!", booked_today
               from public.search_members($1, $2)"#,
            query,
            limit
        )
        .fetch_all(db)
        .await?,
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Entitlement {
    /// "recovery" or "class"
    pub kind: String,
    /// "week" or "month"
    pub period: String,
    pub included: bool,
    /// None: unlimited.
    pub allowance: Option<i32>,
    pub used: i32,
    pub remaining: Option<i32>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

/// What the member's plan includes in the periods containing `at`, used and remaining.
pub async fn entitlements<'e>(
    db: impl sqlx::PgExecutor<'e>,
    member_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<Entitlement>> {
    Ok(sqlx::query_as!(
        Entitlement,
        r#"select kind as "kind!", period as "period!", included as "included!", allowance,
                      used as "used!", remaining, period_start as "period_start!",
                      period_end as "period_end!"
               from public.member_entitlements($1, $2)"#,
        member_id,
        at
    )
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Member {
    pub id: Uuid,
    pub member_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub plan_name: Option<String>,
    pub home_branch_name: String,
    pub joined_on: chrono::NaiveDate,
}

/// Everything the member panel shows.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct MemberPanel {
    pub member: Member,
    pub entitlements: Vec<Entitlement>,
    /// Upcoming live bookings this desk can see (its branches), soonest first.
    pub upcoming: Vec<BookingRow>,
}

pub async fn member_panel(
    conn: &mut sqlx::PgConnection,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> Result<MemberPanel> {
    let member = sqlx::query_as!(
        Member,
        r#"select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
                  p.name as "plan_name?", b.name as home_branch_name, m.joined_on
           from members m
           join branches b on b.id = m.home_branch_id
           left join membership_plans p on p.id = m.plan_id
           where m.id = $1"#,
        member_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::NotFound("That member does not exist.".into()))?;
    let entitlements = entitlements(&mut *conn, member_id, now).await?;
    let filter = BookingFilter {
        member_id: Some(member_id),
        from: Some(now),
        statuses: vec!["booked".into(), "waitlisted".into()],
        ..BookingFilter::default()
    };
    let upcoming = list_bookings(
        &mut *conn,
        &filter,
        &PageRequest {
            after: None,
            limit: 20,
            sort: Sort::StartsAsc,
        },
    )
    .await?
    .rows;
    Ok(MemberPanel {
        member,
        entitlements,
        upcoming,
    })
}
