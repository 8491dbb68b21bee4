//! The shell's error: the core's error, crossing IPC as `{ code, message }` (plus `field` for a
//! field-level mistake). Raw database text never crosses: the core logs it.

use branch_desk_core::ErrorBody;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(#[from] pub branch_desk_core::Error);

/// A command's own transaction failing to commit, mapped like any database error.
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error(e.into())
    }
}

impl Error {
    pub fn not_signed_in() -> Self {
        Error(branch_desk_core::Error::NotAllowed(
            "Sign in with your staff email and PIN first.".into(),
        ))
    }

    pub fn not_connected(why: &str) -> Self {
        Error(branch_desk_core::Error::Unavailable(sqlx::Error::Protocol(
            why.to_owned(),
        )))
    }

    /// The server refused the desk role or its password: ask for it, do not retry it.
    pub fn is_login_refused(&self) -> bool {
        matches!(self.0, branch_desk_core::Error::LoginRefused)
    }

    pub fn body(&self) -> ErrorBody {
        self.0.body()
    }
}

/// It crosses IPC as its body, so the TypeScript client types it as one.
impl specta::Type for Error {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        ErrorBody::definition(types)
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crosses_ipc_as_code_and_message() {
        let e = Error(branch_desk_core::Error::Full {
            booked: 8,
            capacity: 8,
        });
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            json!({ "code": "full", "message": "Full: 8 of 8 booked" })
        );
        let e = Error(branch_desk_core::Error::invalid(
            "pin",
            "A PIN is 4 to 8 digits.",
        ));
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            json!({ "code": "invalid", "message": "A PIN is 4 to 8 digits.", "field": "pin" })
        );
        let e = Error::not_signed_in();
        assert_eq!(serde_json::to_value(e).unwrap()["code"], "not_allowed");
        let e = Error::not_connected("connecting");
        assert_eq!(serde_json::to_value(e).unwrap()["code"], "unavailable");
    }

    #[test]
    fn raw_database_text_stays_out() {
        let raw = sqlx::Error::Protocol("secret internal detail".into());
        let e = Error(branch_desk_core::Error::Database(raw));
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("secret internal detail"), "{json}");
        assert!(json.contains("\"code\":\"internal\""));
    }
}
