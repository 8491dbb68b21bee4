//! Staff sign-in at a desk: email and PIN, verified against the argon2 hash, with the lock-out
//! recorded in the database (`record_pin_attempt`). The signed-in staff member's id goes with
//! every write the desk makes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::pin::{validate_pin, verify_pin};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StaffSession {
    pub id: Uuid,
    pub full_name: String,
    pub email: String,
    /// "front_desk" or "manager"
    pub role: String,
    /// None: head office.
    pub branch_id: Option<Uuid>,
    /// May override capacity and plan allowances.
    pub can_override: bool,
}

struct StaffRow {
    id: Uuid,
    full_name: String,
    email: String,
    role: String,
    branch_id: Option<Uuid>,
    can_override: bool,
    pin_hash: String,
    locked_until: Option<DateTime<Utc>>,
    failed_pin_attempts: i32,
    is_active: bool,
    /// The database's clock: the lock-out is set by it, so it is judged by it too (a desk whose
    /// clock runs fast would otherwise end a lock early).
    db_now: DateTime<Utc>,
}

/// Wrong PINs in a row that lock signing in: `max_failures` in `record_pin_attempt`.
const MAX_FAILURES: i32 = 5;

const WRONG: &str = "That email and PIN do not match.";

/// Signs a staff member in at this desk. Wrong PINs count towards the lock-out; a locked or
/// inactive account, or staff of a branch this desk does not serve, cannot sign in.
pub async fn sign_in(
    conn: &mut sqlx::PgConnection,
    email: &str,
    pin: &str,
) -> Result<StaffSession> {
    let email = email.trim();
    if email.is_empty() || email.len() > 320 {
        return Err(Error::invalid("email", "Enter your staff email."));
    }
    validate_pin(pin)?;
    let row = sqlx::query_as!(
        StaffRow,
        r#"select id, full_name, email, role, branch_id,
                  coalesce(can_override, role = 'manager') as "can_override!",
                  pin_hash, locked_until, failed_pin_attempts, is_active, now() as "db_now!"
           from staff where lower(email) = lower($1)"#,
        email
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row.filter(|r| r.is_active) else {
        return Err(Error::NotAllowed(WRONG.into()));
    };
    let now = row.db_now;
    if let Some(until) = row.locked_until.filter(|u| *u > now) {
        return Err(locked(until, now));
    }
    let (pin, hash) = (pin.to_owned(), row.pin_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_pin(&pin, &hash))
        .await
        .map_err(|_| Error::NotAllowed(WRONG.into()))?;
    let attempt = sqlx::query!(
        r#"select failed_pin_attempts as "failed!", locked_until
           from public.record_pin_attempt($1, $2)"#,
        row.id,
        ok
    )
    .fetch_one(&mut *conn)
    .await?;
    let (failed, locked_until) = (attempt.failed, attempt.locked_until);
    if ok {
        return Ok(StaffSession {
            id: row.id,
            full_name: row.full_name,
            email: row.email,
            role: row.role,
            branch_id: row.branch_id,
            can_override: row.can_override,
        });
    }
    match locked_until.filter(|u| *u > now) {
        Some(until) => Err(locked(until, now)),
        None => {
            let left = MAX_FAILURES - failed.max(row.failed_pin_attempts + 1).min(MAX_FAILURES);
            Err(Error::NotAllowed(format!(
                "{WRONG} {left} attempt{} left before sign-in locks.",
                if left == 1 { "" } else { "s" }
            )))
        }
    }
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    let minutes = ((until - now).num_seconds() + 59) / 60;
    Error::NotAllowed(format!(
        "Too many wrong PINs: signing in is locked for {minutes} more minute{}.",
        if minutes == 1 { "" } else { "s" }
    ))
}

/// Staff who may sign in at this desk (its branches and head office), for the quick switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StaffSummary {
    pub id: Uuid,
    pub full_name: String,
    pub email: String,
    pub role: String,
}

pub async fn desk_staff<'e>(db: impl sqlx::PgExecutor<'e>) -> Result<Vec<StaffSummary>> {
    Ok(sqlx::query_as!(
        StaffSummary,
        "select id, full_name, email, role from staff where is_active order by branch_id is null, full_name"
    )
    .fetch_all(db)
    .await?)
}
