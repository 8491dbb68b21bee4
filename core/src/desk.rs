//! A branch desk's connection: settings (saved as TOML, never with the password), opening a
//! verified desk session on the club database, and the branch the desk works for.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::PgPool;
use uuid::Uuid;

use crate::db::{desk_identity, ConnectionBudget, DeskIdentity, DeskKey};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    Disable,
    #[default]
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// How this desk reaches the club database. The password is not part of it: it lives in the
/// OS keyring, or in memory only for this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ClubConnection {
    pub host: String,
    pub port: u16,
    pub database: String,
    /// The desk's own LOGIN role (never a superuser or table owner).
    pub desk_role: String,
    #[serde(default)]
    pub tls: TlsMode,
    /// CA certificate for verify-ca / verify-full.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The branch this desk works for; needed only by head-office desks that serve several.
    #[serde(default)]
    pub branch_id: Option<Uuid>,
    /// At most this many connections at once (default 2, see [`ConnectionBudget`]); set in
    /// `desk.toml` by an administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// Seconds a connection may stay unused before the desk closes it (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_release_seconds: Option<u32>,
}

impl ClubConnection {
    pub fn validate(&self) -> Result<()> {
        if self.host.trim().is_empty() || self.host.len() > 255 {
            return Err(Error::invalid(
                "host",
                "Enter the database server's host name.",
            ));
        }
        if self.port == 0 {
            return Err(Error::invalid(
                "port",
                "Enter the database port (usually 5432).",
            ));
        }
        if self.database.trim().is_empty() || self.database.len() > 63 {
            return Err(Error::invalid("database", "Enter the database name."));
        }
        if self.desk_role.trim().is_empty() || self.desk_role.len() > 63 {
            return Err(Error::invalid(
                "desk_role",
                "Enter this desk's database role.",
            ));
        }
        if self.max_connections.is_some_and(|n| !(1..=20).contains(&n)) {
            return Err(Error::invalid(
                "max_connections",
                "A desk holds 1 to 20 connections (max_connections in desk.toml).",
            ));
        }
        if self
            .idle_release_seconds
            .is_some_and(|s| !(1..=86_400).contains(&s))
        {
            return Err(Error::invalid(
                "idle_release_seconds",
                "Give connections back after 1 to 86400 seconds (idle_release_seconds in desk.toml).",
            ));
        }
        if matches!(self.tls, TlsMode::VerifyCa | TlsMode::VerifyFull) {
            match &self.ca_file {
                None => {
                    return Err(Error::invalid(
                        "ca_file",
                        "Choose the CA certificate file to verify the server with.",
                    ))
                }
                Some(p) if !p.is_file() => {
                    return Err(Error::invalid(
                        "ca_file",
                        format!("The CA file {} does not exist.", p.display()),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The connection budget these settings ask for.
    pub fn budget(&self) -> ConnectionBudget {
        let default = ConnectionBudget::default();
        ConnectionBudget {
            max_connections: self.max_connections.unwrap_or(default.max_connections),
            idle_release: self
                .idle_release_seconds
                .map(|s| std::time::Duration::from_secs(s.into()))
                .unwrap_or(default.idle_release),
        }
    }

    pub fn options(&self, password: &str) -> PgConnectOptions {
        let mut o = PgConnectOptions::new()
            .host(self.host.trim())
            .port(self.port)
            .database(self.database.trim())
            .username(self.desk_role.trim())
            .password(password)
            .application_name("branch-desk")
            .ssl_mode(match self.tls {
                TlsMode::Disable => PgSslMode::Disable,
                TlsMode::Prefer => PgSslMode::Prefer,
                TlsMode::Require => PgSslMode::Require,
                TlsMode::VerifyCa => PgSslMode::VerifyCa,
                TlsMode::VerifyFull => PgSslMode::VerifyFull,
            });
        if let Some(ca) = &self.ca_file {
            o = o.ssl_root_cert(ca);
        }
        o
    }
}

/// What the desk is set up to use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum DeskConfig {
    /// The embedded demo database in the app's data directory.
    Demo,
    Club(ClubConnection),
}

/// Reads the desk's settings; None on first run.
pub fn load_config(path: &Path) -> Result<Option<DeskConfig>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::invalid(
                "config",
                format!("The settings file {} cannot be read: {e}", path.display()),
            ))
        }
    };
    toml::from_str(&text).map(Some).map_err(|e| {
        Error::invalid(
            "config",
            format!("The settings file {} is damaged: {e}", path.display()),
        )
    })
}

/// Saves the settings atomically (a half-written file is never left behind).
pub fn save_config(path: &Path, config: &DeskConfig) -> Result<()> {
    let text =
        toml::to_string_pretty(config).map_err(|e| Error::invalid("config", e.to_string()))?;
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        Error::invalid(
            "config",
            format!("The settings cannot be saved to {}: {e}", path.display()),
        )
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Branch {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub timezone: String,
    /// How the branch writes dates in numbers ("dmy", "mdy", "ymd"); None: the desk guesses
    /// from the time zone.
    pub date_order: Option<String>,
}

/// An open, verified desk session and the branch it works for.
///
/// Every command runs in one transaction of its own, from [`Desk::begin`]: the desk's settings
/// apply to it (`SET LOCAL`), and through PgBouncer in transaction mode it keeps one server
/// connection from its first statement to its commit.
#[derive(Debug, Clone)]
pub struct Desk {
    pub pool: PgPool,
    pub identity: DeskIdentity,
    pub branch: Branch,
    /// Every branch this desk may work for (one, or all for a head-office desk).
    pub branches: Vec<Branch>,
    /// The newest migration applied to this database, read when the desk opened.
    pub schema_version: Option<i64>,
    /// Statuses, status changes and limits, as the database holds them.
    pub rules: crate::rules::BookingRules,
    /// How each transaction names the desk, when it logs in through a shared server login.
    pub key: Option<DeskKey>,
}

impl Desk {
    /// A transaction for one command ([`crate::db::DESK_TRANSACTION_START`]). Commit it when the
    /// command succeeded; dropped, it rolls back, so a failed command leaves nothing half-written.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        crate::db::desk_transaction(&self.pool, self.key.as_ref()).await
    }
}

/// Verifies the session is a proper desk role and picks its branch (`preferred` for a desk
/// serving several; otherwise the first by name). `key` names the desk in each transaction if
/// the database logs it in as a shared role ([`DeskKey`]); otherwise it is not sent.
pub async fn open_desk(
    pool: PgPool,
    key: Option<DeskKey>,
    preferred: Option<Uuid>,
) -> Result<Desk> {
    let mut tx = crate::db::desk_transaction(&pool, None).await?;
    let identity = desk_identity(&mut tx, key.as_ref()).await?;
    let key = key.filter(|_| identity.shared_login);
    let branches = sqlx::query_as!(
        Branch,
        "select id, code, name, timezone, date_order from branches where id = any($1) order by name",
        &identity.branch_ids
    )
    .fetch_all(&mut *tx)
    .await?;
    let branch = preferred
        .and_then(|p| branches.iter().find(|b| b.id == p))
        .or(branches.first())
        .cloned()
        .ok_or_else(|| {
            Error::NotAllowed(format!(
                "The desk role {} is not mapped to any branch.",
                identity.role_name
            ))
        })?;
    let schema_version = crate::db::schema_version(&mut tx).await?;
    let rules = crate::rules::booking_rules(&mut tx).await?;
    tx.commit().await?;
    Ok(Desk {
        pool,
        identity,
        branch,
        branches,
        schema_version,
        rules,
        key,
    })
}

/// Connects to the club database as the desk role and verifies it (used both to test the
/// settings before saving them and to open the desk at start).
pub async fn connect_club(conn: &ClubConnection, password: &str) -> Result<Desk> {
    conn.validate()?;
    let pool = crate::db::connect(conn.options(password), conn.budget()).await?;
    open_desk(
        pool,
        Some(DeskKey::new(&conn.desk_role, password)),
        conn.branch_id,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ClubConnection {
        ClubConnection {
            host: "db.club.example".into(),
            port: 5432,
            database: "postgres".into(),
            desk_role: "desk_ldn".into(),
            tls: TlsMode::VerifyFull,
            ca_file: Some(std::env::current_exe().unwrap()),
            branch_id: None,
            max_connections: None,
            idle_release_seconds: None,
        }
    }

    #[test]
    fn config_round_trips_without_a_password() {
        let dir = std::env::temp_dir().join(format!("bd-config-{}", Uuid::new_v4()));
        let path = dir.join("desk.toml");
        assert_eq!(load_config(&path).unwrap(), None, "first run: no settings");
        let config = DeskConfig::Club(sample());
        save_config(&path, &config).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("mode = \"club\"") && text.contains("tls = \"verify-full\""),
            "{text}"
        );
        assert!(
            !text.to_lowercase().contains("password"),
            "the password is never written: {text}"
        );
        assert_eq!(load_config(&path).unwrap(), Some(config));
        std::fs::write(&path, "mode = 42").unwrap();
        assert!(
            matches!(load_config(&path), Err(Error::Invalid { .. })),
            "a damaged file is a clear error"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn settings_are_checked_before_connecting() {
        assert!(sample().validate().is_ok());
        let bad = [
            ClubConnection {
                host: " ".into(),
                ..sample()
            },
            ClubConnection {
                port: 0,
                ..sample()
            },
            ClubConnection {
                desk_role: "".into(),
                ..sample()
            },
            ClubConnection {
                ca_file: None,
                ..sample()
            },
            ClubConnection {
                ca_file: Some("/nonexistent/ca.pem".into()),
                ..sample()
            },
            ClubConnection {
                max_connections: Some(0),
                ..sample()
            },
            ClubConnection {
                idle_release_seconds: Some(0),
                ..sample()
            },
        ];
        for c in bad {
            assert!(matches!(c.validate(), Err(Error::Invalid { .. })), "{c:?}");
        }
    }
}
