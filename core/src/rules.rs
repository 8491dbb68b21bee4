//! The booking rules the database holds (migration `20261201000800`): the statuses in the order
//! lists show them, the status changes staff may make, and the override reason's length. Read
//! when a desk opens and sent to the UI, which offers only what the database will take instead
//! of keeping its own copy. The database functions enforce the same rows.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The migration that put the rules in the database; an older club database cannot serve a desk.
pub const RULES_MIGRATION: i64 = 20261201000800;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct BookingStatus {
    pub status: String,
    /// Only classes have it (the waitlist).
    pub classes_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct StatusChange {
    pub from_status: String,
    pub to_status: String,
    /// Allowed only once the session has started (a no-show).
    pub once_started: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct BookingRules {
    pub statuses: Vec<BookingStatus>,
    pub changes: Vec<StatusChange>,
    /// Characters a person can see, at least.
    pub override_reason_min: i32,
    /// Characters once trimmed, at most.
    pub override_reason_max: i32,
}

/// Reads the rules. A club database whose migrations stop before [`RULES_MIGRATION`] is refused
/// in words (an administrator applies the migrations), not as an internal error.
pub async fn booking_rules(conn: &mut sqlx::PgConnection) -> Result<BookingRules> {
    read(conn).await.map_err(|e| match &e {
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("42P01" | "42883")) => {
            Error::invalid(
                "database",
                format!(
                    "The club database is older than this app: it needs migration {RULES_MIGRATION}. \
                     Ask the club's administrator to apply the migrations."
                ),
            )
        }
        _ => Error::from(e),
    })
}

/// All of it in one round trip (it is read at every desk open).
async fn read(conn: &mut sqlx::PgConnection) -> std::result::Result<BookingRules, sqlx::Error> {
    let rules = sqlx::query_scalar!(
        r#"select json_build_object(
           'statuses', coalesce((select json_agg(json_build_object('status', status,
                                   'classes_only', classes_only) order by position)
                                 from public.booking_statuses), '[]'),
           'changes', coalesce((select json_agg(json_build_object('from_status', from_status,
                                  'to_status', to_status, 'once_started', once_started)
                                  order by from_status, to_status)
                                from public.booking_status_changes), '[]'),
           'override_reason_min', public.override_reason_min_length(),
           'override_reason_max', public.override_reason_max_length())
           as "rules!: sqlx::types::Json<BookingRules>""#
    )
    .fetch_one(conn)
    .await?;
    Ok(rules.0)
}
