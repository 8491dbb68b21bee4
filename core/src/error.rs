//! One error type for the core. Database errors are mapped to domain variants in one place
//! ([`Error::from`] for `sqlx::Error`): Branch Desk's own SQLSTATEs (class `BD`, raised by the
//! functions in `migrations/`), constraint names, and connection failures. [`Error::message`] is
//! what a person reads: for the `BD` codes, the message the migration wrote for staff; any other
//! database text is logged, never shown.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: `field` names it where one field is at fault.
    #[error("{reason}")]
    Invalid {
        field: Option<&'static str>,
        reason: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    NotAllowed(String),
    /// Connecting: the server refused the desk role or its password (or the role may not log
    /// in). Its own variant because trying the same password again cannot help: the desk asks
    /// for the password instead of retrying. Crosses IPC as `not_allowed`.
    #[error("The database refused this desk role or password.")]
    LoginRefused,
    #[error("Full: {booked} of {capacity} booked")]
    Full { booked: i64, capacity: i64 },
    #[error("Already booked")]
    AlreadyBooked,
    /// Booking past the plan's allowance for the period (or a kind the plan does not include).
    #[error("{}", allowance_message(*.included, kind, *.used, *.allowance, period))]
    AllowanceUsed {
        kind: String,
        included: bool,
        used: i64,
        allowance: i64,
        period: String,
    },
    /// A facility's settings are inconsistent (close before open, zero-length slots...).
    #[error("{0}")]
    BrokenSettings(String),
    /// Another session changed the same rows at the same moment and PostgreSQL refused this one
    /// (a serialization failure under REPEATABLE READ or SERIALIZABLE, a deadlock, or a row held
    /// past the functions' lock_timeout): nothing was written; trying again may succeed.
    #[error("Someone else changed this at the same moment, so nothing was saved. Try again.")]
    Conflict,
    /// The database cannot be reached (network, server down, the pooler restarting).
    #[error("The club database cannot be reached. Check the connection and try again.")]
    Unavailable(#[source] sqlx::Error),
    /// Every connection is taken, the desk's own (its budget) or the pooler's, and none came
    /// free in time: the command never reached the database. Crosses IPC as `unavailable`, so
    /// the banner shows it and retries.
    #[error("The club database is busy, so nothing was saved. Retrying…")]
    Busy(#[source] sqlx::Error),
    #[error("Something went wrong in the database. The details were logged.")]
    Database(#[source] sqlx::Error),
    #[error("Database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// What kind of failure, stable for the UI's logic (a retry button, a full class's waitlist).
/// Crosses IPC as a snake_case string; the TypeScript client has it as a union of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Invalid,
    NotFound,
    NotAllowed,
    Full,
    AlreadyBooked,
    AllowanceUsed,
    BrokenSettings,
    Conflict,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NotAllowed => "not_allowed",
            ErrorCode::Full => "full",
            ErrorCode::AlreadyBooked => "already_booked",
            ErrorCode::AllowanceUsed => "allowance_used",
            ErrorCode::BrokenSettings => "broken_settings",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The shape that crosses the app boundary: a stable code and a message for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: Some(field),
            reason: reason.into(),
        }
    }

    /// Stable machine-readable code, e.g. for the UI to pick an icon or a retry button.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } => ErrorCode::Invalid,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::NotAllowed(_) | Error::LoginRefused => ErrorCode::NotAllowed,
            Error::Full { .. } => ErrorCode::Full,
            Error::AlreadyBooked => ErrorCode::AlreadyBooked,
            Error::AllowanceUsed { .. } => ErrorCode::AllowanceUsed,
            Error::BrokenSettings(_) => ErrorCode::BrokenSettings,
            Error::Conflict => ErrorCode::Conflict,
            Error::Unavailable(_) | Error::Busy(_) => ErrorCode::Unavailable,
            Error::Database(_) | Error::Migrate(_) => ErrorCode::Internal,
        }
    }

    /// Words for staff; never the raw database text.
    pub fn message(&self) -> String {
        self.to_string()
    }

    pub fn body(&self) -> ErrorBody {
        let field = match self {
            Error::Invalid { field, .. } => *field,
            _ => None,
        };
        ErrorBody {
            code: self.code(),
            message: self.message(),
            field,
        }
    }
}

fn allowance_message(
    included: bool,
    kind: &str,
    used: i64,
    allowance: i64,
    period: &str,
) -> String {
    if included {
        format!("Plan allowance used: {used} of {allowance} this {period}")
    } else {
        let what = if kind == "class" {
            "classes"
        } else {
            "recovery sessions"
        };
        format!("The member's plan does not include {what}")
    }
}

/// What a violated constraint means to staff. Constraint names come from `migrations/`.
fn constraint_error(constraint: &str) -> Option<Error> {
    let invalid = |field, reason: &str| Some(Error::invalid(field, reason));
    match constraint {
        "benefit_bookings_one_per_member" | "class_bookings_one_per_member" => {
            Some(Error::AlreadyBooked)
        }
        "benefit_bookings_idempotency_key" | "class_bookings_idempotency_key" => invalid(
            "idempotency_key",
            "That request was already used for a different booking.",
        ),
        "benefit_settings_open_before_close" => invalid(
            "close_time",
            "The closing time must be after the opening time.",
        ),
        "benefit_settings_slot_minutes" => invalid(
            "slot_minutes",
            "A slot must last between 5 and 480 minutes.",
        ),
        "benefit_settings_slot_fits" => invalid(
            "slot_minutes",
            "A slot must fit between opening and closing time.",
        ),
        "benefit_settings_capacity" => invalid("capacity", "Capacity must be between 1 and 500."),
        "branches_timezone_iana" => invalid(
            "timezone",
            "Use an IANA time zone name such as Europe/London.",
        ),
        "branches_code_format" => invalid(
            "code",
            "A branch code is 2 to 16 capital letters, digits or dashes.",
        ),
        "branches_code_key" => invalid("code", "Another branch already uses that code."),
        "members_member_number_key" => invalid(
            "member_number",
            "Another member already has that member number.",
        ),
        "members_email_format" => invalid("email", "That email address does not look right."),
        "staff_email_key" => invalid("email", "Another staff member already uses that email."),
        "facilities_available_days_iso" => invalid(
            "available_days",
            "Days are ISO weekday numbers, 1 (Monday) to 7 (Sunday).",
        ),
        "facilities_branch_id_name_key" => {
            invalid("name", "This branch already has a facility with that name.")
        }
        _ => None,
    }
}

/// PgBouncer's words when it refuses a login (src/client.c), which carry no SQLSTATE of their own.
const POOLER_LOGIN_REFUSED: &[&str] = &[
    "no such user",
    "SASL authentication failed",
    "password authentication failed",
    "login rejected",
];

fn detail_json(db: &dyn sqlx::error::DatabaseError) -> serde_json::Value {
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .and_then(|pg| pg.detail())
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(serde_json::Value::Null)
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        let db = match &err {
            sqlx::Error::PoolTimedOut => return Error::Busy(err),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => return Error::Unavailable(err),
            sqlx::Error::RowNotFound => return Error::NotFound("Nothing matches that.".into()),
            sqlx::Error::Database(db) => db,
            _ => {
                tracing::error!(error = %err, "database error");
                return Error::Database(err);
            }
        };
        let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
        let message = db.message().to_owned();
        let detail = detail_json(db.as_ref());
        let num = |key: &str| detail.get(key).and_then(|v| v.as_i64()).unwrap_or(0);
        let mapped = match code.as_str() {
            "BD001" => Some(Error::Invalid {
                field: None,
                reason: message,
            }),
            "BD002" => Some(Error::NotFound(message)),
            "BD003" => Some(Error::NotAllowed(message)),
            "BD004" => Some(Error::Full {
                booked: num("booked"),
                capacity: num("capacity"),
            }),
            "BD005" => Some(Error::AlreadyBooked),
            "BD006" => Some(Error::AllowanceUsed {
                kind: detail
                    .get("kind")
                    .and_then(|v| v.as_str())
                    .unwrap_or("session")
                    .to_owned(),
                included: detail
                    .get("included")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true),
                used: num("used"),
                allowance: num("allowance"),
                period: detail
                    .get("period")
                    .and_then(|v| v.as_str())
                    .unwrap_or("period")
                    .to_owned(),
            }),
            "BD007" => Some(Error::BrokenSettings(message)),
            // serialization_failure, deadlock_detected: the transaction was rolled back;
            // lock_not_available: another session held the row longer than lock_timeout.
            "40001" | "40P01" | "55P03" => Some(Error::Conflict),
            // insufficient_privilege: grants or row-level security said no.
            "42501" => Some(Error::NotAllowed(
                "This desk is not allowed to do that.".into(),
            )),
            // unique, check, foreign key, not null
            "23505" | "23514" | "23503" | "23502" => {
                match db.constraint().and_then(constraint_error) {
                    Some(e) => Some(e),
                    None if code == "23503" => Some(Error::NotFound(
                        "Something it refers to does not exist.".into(),
                    )),
                    None => Some(Error::Invalid {
                        field: None,
                        reason: "That value is not allowed here.".into(),
                    }),
                }
            }
            // bad text for a type, value out of range, string too long
            "22P02" | "22003" | "22001" | "22007" | "22008" => Some(Error::Invalid {
                field: None,
                reason: "A value is not in the right format.".into(),
            }),
            // connecting: wrong password or a role that may not log in; no such database
            "28P01" | "28000" => Some(Error::LoginRefused),
            "3D000" => Some(Error::invalid(
                "database",
                "That database does not exist on the server.",
            )),
            // PgBouncer: waited query_wait_timeout for a server connection, or no client slot
            // left (max_client_conn); PostgreSQL: too many connections.
            "08P01" if message.starts_with("query_wait_timeout") => return Error::Busy(err),
            // PgBouncer refusing the login itself (1.18 sends these as 08P01): a role its
            // auth_query does not answer for (an administrator, a role that may not log in), or
            // a wrong password.
            "08P01" if POOLER_LOGIN_REFUSED.contains(&message.as_str()) => {
                Some(Error::LoginRefused)
            }
            "53300" => return Error::Busy(err),
            // admin shutdown, cannot connect now, or PgBouncer lost its server
            c if c.starts_with("08") || c == "57P01" || c == "57P03" => {
                return Error::Unavailable(err)
            }
            _ => None,
        };
        match mapped {
            Some(e) => {
                tracing::debug!(sqlstate = %code, db_message = %db.message(), "mapped database error");
                e
            }
            None => {
                tracing::error!(sqlstate = %code, error = %err, "unmapped database error");
                Error::Database(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_serialises_to_code_and_message() {
        let json = serde_json::to_value(
            Error::Full {
                booked: 8,
                capacity: 8,
            }
            .body(),
        )
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "code": "full", "message": "Full: 8 of 8 booked" })
        );
        let json = serde_json::to_value(Error::invalid("capacity", "too big").body()).unwrap();
        assert_eq!(json["field"], "capacity", "field errors name the field");
    }

    #[test]
    fn allowance_message_reads_like_staff_talk() {
        let e = Error::AllowanceUsed {
            kind: "recovery".into(),
            included: true,
            used: 4,
            allowance: 4,
            period: "month".into(),
        };
        assert_eq!(e.message(), "Plan allowance used: 4 of 4 this month");
        let e = Error::AllowanceUsed {
            kind: "class".into(),
            included: false,
            used: 0,
            allowance: 0,
            period: "month".into(),
        };
        assert_eq!(e.message(), "The member's plan does not include classes");
    }

    #[test]
    fn connection_failures_are_unavailable() {
        let e = Error::from(sqlx::Error::PoolTimedOut);
        assert_eq!(e.code(), "unavailable", "the banner retries");
        assert!(e.message().contains("busy"), "{}", e.message());
    }
}
