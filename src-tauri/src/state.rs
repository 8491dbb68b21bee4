//! What the shell keeps between commands: where settings and the demo database live, the open
//! desk (pool, branch), the embedded server in demo mode, and the signed-in staff member.

use std::path::PathBuf;

use branch_desk_core::demo::{self, DEMO_DESK_ROLE};
use branch_desk_core::desk::{
    connect_club, load_config, open_desk, save_config, ClubConnection, Desk, DeskConfig,
};
use branch_desk_core::embedded::EmbeddedDb;
use branch_desk_core::staff::StaffSession;
use serde::Serialize;
use tokio::sync::RwLock;

use crate::secrets::{Kept, Secrets};
use crate::Error;

/// Where the desk keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    /// `desk.toml`: the connection settings (never the password).
    pub config_file: PathBuf,
    /// The embedded demo database's data directory.
    pub demo_data_dir: PathBuf,
}

/// The desk's connection, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Connection {
    Connecting,
    Ready,
    /// Club settings exist but no keyring had the password: ask staff for it.
    NeedsPassword,
    /// Cannot reach the database now; the UI retries.
    Unavailable {
        message: String,
    },
}

#[derive(Default)]
struct Session {
    config: Option<DeskConfig>,
    desk: Option<Desk>,
    embedded: Option<EmbeddedDb>,
    staff: Option<StaffSession>,
    connection: Option<Connection>,
}

pub struct DeskState {
    pub paths: Paths,
    pub secrets: Secrets,
    session: RwLock<Session>,
}

impl DeskState {
    pub fn new(paths: Paths, secrets: Secrets) -> Self {
        DeskState {
            paths,
            secrets,
            session: RwLock::new(Session::default()),
        }
    }

    pub async fn connection(&self) -> Connection {
        self.session
            .read()
            .await
            .connection
            .clone()
            .unwrap_or(Connection::Connecting)
    }

    pub async fn config(&self) -> Option<DeskConfig> {
        self.session.read().await.config.clone()
    }

    /// True while the embedded demo database is open.
    pub async fn is_demo(&self) -> bool {
        self.session.read().await.embedded.is_some()
    }

    /// No settings saved yet: the desk runs on the demo database and offers to connect.
    pub fn first_run(&self) -> bool {
        !self.paths.config_file.exists()
    }

    pub async fn desk(&self) -> Result<Desk, Error> {
        let s = self.session.read().await;
        match (&s.desk, &s.connection) {
            (Some(desk), _) => Ok(desk.clone()),
            (None, Some(Connection::Unavailable { message })) => Err(Error::not_connected(message)),
            (None, _) => Err(Error::not_connected(
                "The desk is not connected to a database yet.",
            )),
        }
    }

    pub async fn staff(&self) -> Result<StaffSession, Error> {
        self.session
            .read()
            .await
            .staff
            .clone()
            .ok_or_else(Error::not_signed_in)
    }

    pub async fn set_staff(&self, staff: Option<StaffSession>) {
        self.session.write().await.staff = staff;
    }

    /// At start and on retry: reads the settings and opens what they say.
    pub async fn open_from_config(&self) -> Connection {
        let config = match load_config(&self.paths.config_file) {
            Ok(c) => c,
            Err(e) => return self.fail(Error::from(e)).await,
        };
        self.session.write().await.config = config.clone();
        match config {
            // First run: the demo database until someone connects this desk to the club.
            None | Some(DeskConfig::Demo) => match self.open_demo().await {
                Ok(()) => self.connection().await,
                Err(e) => self.fail(e).await,
            },
            Some(DeskConfig::Club(settings)) => match self.secrets.load(&settings.desk_role) {
                None => self.set_connection(Connection::NeedsPassword).await,
                Some(password) => match self.open_club(&settings, &password).await {
                    Ok(()) => self.connection().await,
                    Err(e) => self.fail(e).await,
                },
            },
        }
    }

    /// The banner's retry (on "Retry" and every few seconds). A desk with an open pool is pinged:
    /// it keeps its pool and its signed-in staff member, and is `Ready` again as soon as the
    /// database answers (the pool makes fresh connections itself). A desk that never opened, or
    /// an embedded server that stopped, is opened again from the settings.
    pub async fn retry(&self) -> Connection {
        let (desk, demo) = {
            let s = self.session.read().await;
            (s.desk.clone(), s.embedded.is_some())
        };
        let Some(desk) = desk else {
            return self.open_from_config().await;
        };
        let ping = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            sqlx::query("select 1").execute(&desk.pool),
        )
        .await;
        match ping {
            Ok(Ok(_)) => self.set_connection(Connection::Ready).await,
            // No answer in time: the same as the pool timing out.
            Err(_) => {
                self.fail(branch_desk_core::Error::from(sqlx::Error::PoolTimedOut).into())
                    .await
            }
            Ok(Err(e)) if demo => {
                tracing::warn!(error = %e, "the embedded database stopped answering; reopening it");
                self.open_from_config().await
            }
            Ok(Err(e)) => {
                self.fail(Error::from(branch_desk_core::Error::from(e)))
                    .await
            }
        }
    }

    /// Opens the embedded demo database (starting it, migrating, seeding once). Does not save
    /// settings: on first run the desk stays "not set up" until staff choose.
    pub async fn open_demo(&self) -> Result<(), Error> {
        self.close().await;
        self.set_connection(Connection::Connecting).await;
        let db = EmbeddedDb::open(&self.paths.demo_data_dir).await?;
        let opened = async {
            let admin = db.admin_pool().await?;
            demo::prepare(&admin).await?;
            admin.close().await;
            let pool = db.desk_pool(DEMO_DESK_ROLE).await?;
            open_desk(pool, None).await
        }
        .await;
        // A server left running with a pool open would block the app when dropped (see
        // `EmbeddedDb`): stop it cleanly before reporting why the demo did not open.
        let desk = match opened {
            Ok(desk) => desk,
            Err(e) => {
                if let Err(stop) = db.shutdown().await {
                    tracing::warn!(error = %stop, "the embedded database did not stop cleanly");
                }
                return Err(e.into());
            }
        };
        let mut s = self.session.write().await;
        s.desk = Some(desk);
        s.embedded = Some(db);
        s.connection = Some(Connection::Ready);
        Ok(())
    }

    /// Connects to the club database as the desk role. The desk that was open stays open until
    /// the new connection works: failed new settings change nothing.
    pub async fn open_club(&self, settings: &ClubConnection, password: &str) -> Result<(), Error> {
        let desk = connect_club(settings, password).await?;
        self.close().await;
        let mut s = self.session.write().await;
        s.desk = Some(desk);
        s.config = Some(DeskConfig::Club(settings.clone()));
        s.connection = Some(Connection::Ready);
        Ok(())
    }

    /// Saves the settings (after they worked) and remembers the password where it can.
    pub fn save(
        &self,
        config: &DeskConfig,
        password: Option<(&str, &str)>,
    ) -> Result<Option<Kept>, Error> {
        save_config(&self.paths.config_file, config)?;
        Ok(password.map(|(role, pw)| self.secrets.store(role, pw)))
    }

    /// Closes the pool, stops the embedded server and signs staff out.
    pub async fn close(&self) {
        let (desk, embedded) = {
            let mut s = self.session.write().await;
            s.staff = None;
            (s.desk.take(), s.embedded.take())
        };
        if let Some(desk) = desk {
            desk.pool.close().await;
        }
        if let Some(db) = embedded {
            if let Err(e) = db.shutdown().await {
                tracing::warn!(error = %e, "embedded database did not stop cleanly");
            }
        }
    }

    async fn set_connection(&self, c: Connection) -> Connection {
        self.session.write().await.connection = Some(c.clone());
        c
    }

    /// The database could not be reached: the desk shows the banner and keeps retrying.
    pub async fn fail(&self, e: Error) -> Connection {
        tracing::warn!(error = ?e, "the desk could not open its database");
        let message = e.body().message;
        self.set_connection(Connection::Unavailable { message })
            .await
    }
}
