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
    /// Where CSV exports go (Downloads, else Documents, else home); None when there is none.
    pub export_dir: Option<PathBuf>,
}

/// The desk's connection, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Connection {
    Connecting,
    Ready,
    /// Club settings exist but no keyring had the password: ask staff for it.
    NeedsPassword,
    /// The club database refused the desk role or its password: ask staff again. Trying the
    /// same password again would be refused again, so nothing retries it on its own.
    PasswordRefused {
        message: String,
    },
    /// Cannot reach the database now; the UI retries.
    Unavailable {
        message: String,
    },
}

/// Where the desk stands. Each variant holds what that state has and nothing else: there is no
/// desk without its database, no signed-in staff member without a desk, and no outage on a desk
/// that is not open.
enum Link {
    /// Nothing open yet, or being opened.
    Connecting,
    NeedsPassword,
    PasswordRefused {
        message: String,
    },
    /// Nothing could be opened: the banner retries.
    Unreachable {
        message: String,
    },
    Open(Box<Open>),
}

/// An open desk on the demo or the club database.
struct Open {
    desk: Desk,
    /// The embedded server, in demo mode.
    embedded: Option<EmbeddedDb>,
    staff: Option<StaffSession>,
    /// Set while the open desk's database does not answer. The pool and the staff member stay,
    /// so the desk is ready again as soon as the database answers.
    outage: Option<String>,
}

impl Link {
    fn connection(&self) -> Connection {
        match self {
            Link::Connecting => Connection::Connecting,
            Link::NeedsPassword => Connection::NeedsPassword,
            Link::PasswordRefused { message } => Connection::PasswordRefused {
                message: message.clone(),
            },
            Link::Unreachable { message } => Connection::Unavailable {
                message: message.clone(),
            },
            Link::Open(open) => match &open.outage {
                Some(message) => Connection::Unavailable {
                    message: message.clone(),
                },
                None => Connection::Ready,
            },
        }
    }
}

struct Session {
    /// The settings as last read or saved (Settings opens with the club ones filled in).
    config: Option<DeskConfig>,
    link: Link,
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
            session: RwLock::new(Session {
                config: None,
                link: Link::Connecting,
            }),
        }
    }

    pub async fn connection(&self) -> Connection {
        self.session.read().await.link.connection()
    }

    pub async fn config(&self) -> Option<DeskConfig> {
        self.session.read().await.config.clone()
    }

    /// True while the embedded demo database is open.
    pub async fn is_demo(&self) -> bool {
        matches!(&self.session.read().await.link, Link::Open(open) if open.embedded.is_some())
    }

    /// No settings saved yet: the desk runs on the demo database and offers to connect.
    pub fn first_run(&self) -> bool {
        !self.paths.config_file.exists()
    }

    pub async fn desk(&self) -> Result<Desk, Error> {
        match &self.session.read().await.link {
            Link::Open(open) => Ok(open.desk.clone()),
            Link::Unreachable { message } | Link::PasswordRefused { message } => {
                Err(Error::not_connected(message))
            }
            Link::Connecting | Link::NeedsPassword => Err(Error::not_connected(
                "The desk is not connected to a database yet.",
            )),
        }
    }

    pub async fn staff(&self) -> Result<StaffSession, Error> {
        match &self.session.read().await.link {
            Link::Open(open) => open.staff.clone().ok_or_else(Error::not_signed_in),
            _ => Err(Error::not_signed_in()),
        }
    }

    /// Signs staff in on the open desk (or out). Signing in with no desk open is refused: the
    /// desk it was checked on has closed in the meantime.
    pub async fn set_staff(&self, staff: Option<StaffSession>) -> Result<(), Error> {
        match (&mut self.session.write().await.link, staff) {
            (Link::Open(open), staff) => open.staff = staff,
            (_, None) => {}
            (_, Some(_)) => {
                return Err(Error::not_connected(
                    "The desk's database closed while signing in. Sign in again.",
                ))
            }
        }
        Ok(())
    }

    /// At start and on retry: reads the settings and opens what they say.
    pub async fn open_from_config(&self) -> Connection {
        let config = match load_config(&self.paths.config_file) {
            Ok(c) => c,
            Err(e) => return self.fail(&Error::from(e)).await,
        };
        self.session.write().await.config = config.clone();
        match config {
            // First run: the demo database until someone connects this desk to the club.
            None | Some(DeskConfig::Demo) => match self.open_demo().await {
                Ok(()) => self.connection().await,
                Err(e) => self.fail(&e).await,
            },
            Some(DeskConfig::Club(settings)) => match self.secrets.load(&settings.desk_role) {
                None => self.set_link(Link::NeedsPassword).await,
                Some(password) => match self.open_club(&settings, &password).await {
                    Ok(()) => self.connection().await,
                    Err(e) => self.fail(&e).await,
                },
            },
        }
    }

    /// The banner's retry (on "Retry" and every few seconds). A desk with an open pool is pinged:
    /// it keeps its pool and its signed-in staff member, and is `Ready` again as soon as the
    /// database answers (the pool makes fresh connections itself). A desk that never opened, or
    /// an embedded server that stopped, is opened again from the settings.
    pub async fn retry(&self) -> Connection {
        let open = match &self.session.read().await.link {
            Link::Open(open) => Some((open.desk.clone(), open.embedded.is_some())),
            _ => None,
        };
        let Some((desk, demo)) = open else {
            return self.open_from_config().await;
        };
        let ping = tokio::time::timeout(std::time::Duration::from_secs(3), ping(&desk)).await;
        match ping {
            Ok(Ok(_)) => {
                if let Link::Open(open) = &mut self.session.write().await.link {
                    open.outage = None;
                }
                self.connection().await
            }
            // No answer in time: as good as unreachable.
            Err(_) => {
                let timed_out = std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the database did not answer the ping in 3 s",
                );
                self.fail(&branch_desk_core::Error::from(sqlx::Error::Io(timed_out)).into())
                    .await
            }
            Ok(Err(e)) if demo => {
                tracing::warn!(error = %e, "the embedded database stopped answering; reopening it");
                self.open_from_config().await
            }
            Ok(Err(e)) => self.fail(&Error::from(e)).await,
        }
    }

    /// Opens the embedded demo database (starting it, migrating, seeding once). Does not save
    /// settings: on first run the desk stays "not set up" until staff choose.
    pub async fn open_demo(&self) -> Result<(), Error> {
        self.close().await;
        self.set_link(Link::Connecting).await;
        let opened = async {
            let db = EmbeddedDb::open(&self.paths.demo_data_dir).await?;
            let desk = async {
                let admin = db.admin_pool().await?;
                demo::prepare(&admin).await?;
                admin.close().await;
                let pool = db.desk_pool(DEMO_DESK_ROLE).await?;
                open_desk(pool, None, None).await
            }
            .await;
            match desk {
                Ok(desk) => Ok((db, desk)),
                // A server left running with a pool open would block the app when dropped (see
                // `EmbeddedDb`): stop it cleanly before reporting why the demo did not open.
                Err(e) => {
                    if let Err(stop) = db.shutdown().await {
                        tracing::warn!(error = %stop, "the embedded database did not stop cleanly");
                    }
                    Err(e)
                }
            }
        }
        .await;
        match opened {
            Ok((db, desk)) => {
                self.set_link(Link::Open(Box::new(Open {
                    desk,
                    embedded: Some(db),
                    staff: None,
                    outage: None,
                })))
                .await;
                Ok(())
            }
            Err(e) => {
                let e = Error::from(e);
                self.fail(&e).await;
                Err(e)
            }
        }
    }

    /// Connects to the club database as the desk role. The desk that was open stays open until
    /// the new connection works: failed new settings change nothing.
    pub async fn open_club(&self, settings: &ClubConnection, password: &str) -> Result<(), Error> {
        let desk = connect_club(settings, password).await?;
        self.close().await;
        let mut s = self.session.write().await;
        s.config = Some(DeskConfig::Club(settings.clone()));
        s.link = Link::Open(Box::new(Open {
            desk,
            embedded: None,
            staff: None,
            outage: None,
        }));
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
        let link = std::mem::replace(&mut self.session.write().await.link, Link::Connecting);
        let Link::Open(open) = link else {
            // Nothing was open: keep saying why (a refused password stays refused).
            self.session.write().await.link = link;
            return;
        };
        open.desk.pool.close().await;
        if let Some(db) = open.embedded {
            if let Err(e) = db.shutdown().await {
                tracing::warn!(error = %e, "embedded database did not stop cleanly");
            }
        }
    }

    async fn set_link(&self, link: Link) -> Connection {
        let mut s = self.session.write().await;
        s.link = link;
        s.link.connection()
    }

    /// The database could not be opened or stopped answering. A refused password is asked for
    /// again (closing the desk); anything else shows the banner, which keeps retrying, and an
    /// open desk keeps its pool and its staff member meanwhile.
    pub async fn fail(&self, e: &Error) -> Connection {
        tracing::warn!(error = ?e, "the desk could not open its database");
        let message = e.body().message;
        if e.is_login_refused() {
            self.close().await;
            return self.set_link(Link::PasswordRefused { message }).await;
        }
        let mut s = self.session.write().await;
        match &mut s.link {
            Link::Open(open) => open.outage = Some(message),
            link => *link = Link::Unreachable { message },
        }
        s.link.connection()
    }
}

/// An empty desk transaction: `BEGIN` and `COMMIT`, simple queries of one round trip each, on a
/// connection from the pool (a new one if the pool had none).
async fn ping(desk: &Desk) -> Result<(), branch_desk_core::Error> {
    desk.begin().await?.commit().await?;
    Ok(())
}
