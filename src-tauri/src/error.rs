//! The one error type of the shell, and the `{ code, message }` shape it takes over IPC.
//! `code` is stable for the UI to branch on; `message` is written for front-desk staff.
//! Raw library or database text never crosses IPC: it is logged instead.

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist (or this desk may not see it).
    #[error("{what} not found")]
    NotFound { what: String },
    /// No place left.
    #[error("Full: {booked} of {capacity} booked")]
    Full { booked: i64, capacity: i64 },
    /// The signed-in staff member or this desk may not do that.
    #[error("Not allowed: {reason}")]
    NotAllowed { reason: String },
    /// A field the staff member typed is wrong.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The database cannot be reached right now; retrying may help.
    #[error("The database cannot be reached. Check the connection and try again.")]
    Unavailable,
    /// Anything unexpected. The detail is logged, staff see a generic sentence.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Stable machine-readable code the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::Full { .. } => "full",
            Error::NotAllowed { .. } => "not_allowed",
            Error::Invalid { .. } => "invalid",
            Error::Unavailable => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    /// The sentence shown to staff.
    pub fn message(&self) -> String {
        match self {
            Error::Internal(detail) => {
                tracing::error!(%detail, "internal error returned to the UI");
                "Something went wrong. Please try again; if it keeps happening, tell your manager."
                    .to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.message())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crosses_ipc_as_code_and_message_only() {
        let json = serde_json::to_value(Error::Full { booked: 8, capacity: 8 }).unwrap();
        assert_eq!(
            json,
            json!({ "code": "full", "message": "Full: 8 of 8 booked" }),
            "the UI relies on exactly these two fields"
        );
    }

    #[test]
    fn every_variant_has_a_snake_case_code_and_a_message() {
        let all = [
            Error::NotFound { what: "Member".into() },
            Error::Full { booked: 1, capacity: 1 },
            Error::NotAllowed { reason: "managers only".into() },
            Error::Invalid { field: "PIN".into(), reason: "must be 4 to 8 digits".into() },
            Error::Unavailable,
            Error::Internal("boom".into()),
        ];
        for error in all {
            let json = serde_json::to_value(&error).unwrap();
            let object = json.as_object().unwrap();
            assert_eq!(object.len(), 2, "only code and message cross IPC: {json}");
            let code = object["code"].as_str().unwrap();
            assert!(
                !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "codes are stable snake_case identifiers: {code}"
            );
            assert!(!object["message"].as_str().unwrap().is_empty(), "staff always get a sentence");
        }
    }

    #[test]
    fn internal_detail_is_never_shown_to_staff() {
        let json = serde_json::to_value(Error::Internal(
            "relation \"benefit_slots\" does not exist".into(),
        ))
        .unwrap();
        assert_eq!(json["code"], "internal");
        let message = json["message"].as_str().unwrap();
        assert!(!message.contains("benefit_slots"), "raw database text must be logged, not shown: {message}");
    }
}
