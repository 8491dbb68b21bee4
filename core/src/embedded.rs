//! The embedded PostgreSQL: what Branch Desk runs on when no club database is configured (the
//! demo, a single-desk studio). It is PostgreSQL 17 compiled to WASM (`pglite-oxide`), running
//! inside this process and speaking the ordinary wire protocol on a loopback port, so the rest
//! of the core uses it through sqlx exactly like the club database: same migrations, same
//! row-level security, same functions.
//!
//! How it is used (SPEC.md, "Who is who"):
//! 1. [`EmbeddedDb::open`] starts the server on a data directory (created on first use, reused
//!    afterwards) with `pg_trgm` enabled.
//! 2. [`EmbeddedDb::admin_pool`] connects as the embedded superuser to migrate and seed.
//! 3. [`EmbeddedDb::desk_pool`] connects as the superuser and switches to the demo branch's
//!    desk role with `SET SESSION AUTHORIZATION`, so `session_user`-based policies behave as on
//!    the club database.
//! 4. [`EmbeddedDb::shutdown`] closes those pools and stops the server.
//!
//! Limits of the embedded server, and why the API looks the way it does:
//! - **One connection at a time.** A second connection does not fail, it waits until the first
//!   one disconnects. Pools are therefore capped at one connection, and opening a pool closes the
//!   pool this `EmbeddedDb` handed out before (two live pools would wait on each other forever).
//!   Concurrent requests are serialised through that connection.
//! - **Every new connection starts a fresh backend** (a few hundred milliseconds), so pools keep
//!   their connection (no idle timeout, no maximum lifetime).
//! - **Logging in as another role is not a session user.** A URL with `user=desk_x` makes the
//!   embedded server run `SET ROLE desk_x` over a superuser session: `current_user` changes but
//!   `session_user` stays `postgres`, and desk policies key on `session_user`. Hence
//!   `SET SESSION AUTHORIZATION` in [`EmbeddedDb::desk_pool`].
//! - **`RESET SESSION AUTHORIZATION` does nothing** (nor `SET SESSION AUTHORIZATION DEFAULT`,
//!   `RESET ALL`): the backend runs in single-user mode, where the setting has no reset value.
//!   To go back, `SET SESSION AUTHORIZATION postgres` works; `SET LOCAL SESSION AUTHORIZATION`
//!   inside a transaction reverts at its end as usual.
//! - The desk session is a faithful *behaviour* of the club database, not a sandbox: the
//!   connection was authenticated as the superuser, so SQL on it could switch back. Only the
//!   app's own SQL runs on it.
//! - Extensions: `pg_trgm` is bundled and enabled here; `pgcrypto` and `uuid-ossp` are not
//!   available (`gen_random_uuid()` is core PostgreSQL and works). IANA time zones work.
//!   Advisory locks, roles, RLS, `SECURITY DEFINER` plpgsql, `ALTER DEFAULT PRIVILEGES` and
//!   `sqlx::migrate!` all work.
//! - A data directory can be open in one process only (a lock file); a second app instance
//!   gets an error from [`EmbeddedDb::open`].
//! - The runtime unpacks a cache under the user's cache directory (about 100 MB,
//!   `~/.cache/pglite-oxide` on Linux) on the first start on a machine.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use pglite_oxide::{extensions, PgliteServer};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};

use crate::error::{Error, Result};

/// The embedded database's superuser: it runs the migrations and owns the club tables.
pub const SUPERUSER: &str = "postgres";

/// The database the app uses inside the embedded cluster.
pub const DATABASE: &str = "postgres";

/// A running embedded PostgreSQL server on a data directory.
///
/// Stop it with [`EmbeddedDb::shutdown`]. Dropping it also stops the server, but blocks the
/// current thread until any open client disconnects.
#[derive(Debug)]
pub struct EmbeddedDb {
    server: Option<PgliteServer>,
    data_dir: PathBuf,
    options: PgConnectOptions,
    /// The pool handed out last, closed before the next one connects and at shutdown.
    current_pool: Mutex<Option<PgPool>>,
}

impl EmbeddedDb {
    /// Starts the embedded server on `data_dir`, creating the cluster there on first use and
    /// reopening it (with its data) afterwards, with `pg_trgm` enabled.
    ///
    /// Runs the blocking start-up (unpacking the runtime on a machine's first start, about a
    /// second or two; well under a second afterwards) off the async runtime.
    pub async fn open(data_dir: &Path) -> Result<EmbeddedDb> {
        let dir = data_dir.to_path_buf();
        let server = tokio::task::spawn_blocking(move || {
            PgliteServer::builder()
                .path(dir)
                .username(SUPERUSER)
                .database(DATABASE)
                .extension(extensions::PG_TRGM)
                .start()
        })
        .await
        .map_err(|err| start_error(data_dir, &err.to_string()))?
        .map_err(|err| start_error(data_dir, &format!("{err:#}")))?;
        let options: PgConnectOptions = server
            .database_url()
            .parse()
            .map_err(|err: sqlx::Error| start_error(data_dir, &err.to_string()))?;
        let options = options.application_name("branch-desk");
        tracing::info!(data_dir = %data_dir.display(), url = %server.database_url(), "embedded PostgreSQL started");
        Ok(EmbeddedDb {
            server: Some(server),
            data_dir: data_dir.to_path_buf(),
            options,
            current_pool: Mutex::new(None),
        })
    }

    /// The data directory this server runs on.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Connection URL for the superuser (loopback, no password, no TLS).
    pub fn database_url(&self) -> String {
        self.server
            .as_ref()
            .map(PgliteServer::database_url)
            .unwrap_or_default()
    }

    /// Connect options for the superuser. Mind the one-connection limit when connecting with
    /// them directly: close the pools from [`admin_pool`](Self::admin_pool) /
    /// [`desk_pool`](Self::desk_pool) first.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    /// Pool settings the embedded server needs: one connection, kept for the pool's lifetime.
    pub fn pool_options() -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(30))
    }

    /// A pool of one superuser connection, to migrate and seed. Closes the pool this
    /// `EmbeddedDb` handed out before.
    pub async fn admin_pool(&self) -> Result<PgPool> {
        self.replace_pool(Self::pool_options()).await
    }

    /// A pool of one connection acting as the desk LOGIN role `role` (which must exist): every
    /// connection runs `SET SESSION AUTHORIZATION role` before use, so `session_user` is the desk
    /// as on the club database (each command's settings come with its transaction, as on the
    /// club database: [`crate::desk::Desk::begin`]). Closes the pool this `EmbeddedDb` handed
    /// out before.
    pub async fn desk_pool(&self, role: &str) -> Result<PgPool> {
        if role.is_empty() || role.len() > 63 || role.contains('\0') {
            return Err(Error::invalid(
                "role",
                "A desk role name is 1 to 63 characters.",
            ));
        }
        let statement = format!("set session authorization {}", quote_ident(role));
        let options = Self::pool_options().after_connect(move |conn, _meta| {
            let statement = statement.clone();
            Box::pin(async move {
                conn.execute(statement.as_str()).await?;
                Ok(())
            })
        });
        self.replace_pool(options).await
    }

    async fn replace_pool(&self, options: PgPoolOptions) -> Result<PgPool> {
        self.close_current_pool().await;
        let pool = options.connect_with(self.options.clone()).await?;
        *self
            .current_pool
            .lock()
            .expect("embedded pool slot poisoned") = Some(pool.clone());
        Ok(pool)
    }

    async fn close_current_pool(&self) {
        let previous = self
            .current_pool
            .lock()
            .expect("embedded pool slot poisoned")
            .take();
        if let Some(pool) = previous {
            close_pool(&pool).await;
        }
    }

    /// Closes the pool handed out last and stops the server, waiting for it to flush and exit.
    /// Connections opened by other means must be closed before calling this.
    pub async fn shutdown(mut self) -> Result<()> {
        self.close_current_pool().await;
        let Some(server) = self.server.take() else {
            return Ok(());
        };
        let data_dir = self.data_dir.clone();
        tokio::task::spawn_blocking(move || server.shutdown())
            .await
            .map_err(|err| start_error(&data_dir, &err.to_string()))?
            .map_err(|err| start_error(&data_dir, &format!("{err:#}")))?;
        tracing::info!(data_dir = %self.data_dir.display(), "embedded PostgreSQL stopped");
        Ok(())
    }
}

/// Closes `pool` for good, its connection included, even when the caller closed it already.
///
/// `Pool::close` alone is not enough here: sqlx hands a used connection back to the pool in a
/// spawned task (after a ping), and with `max_connections(1)` a connection released while
/// `close` is waiting is left open, idle in the closed pool. The embedded server would keep
/// serving that dead pool and never accept the next connection. Closing again closes such a
/// leftover, so close until the pool holds no connection.
async fn close_pool(pool: &PgPool) {
    for _ in 0..50 {
        pool.close().await;
        if pool.size() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tracing::warn!("the embedded database pool still holds a connection after closing it");
}

/// A failure of the embedded server itself (start-up, shutdown): logged in full, shown to staff
/// as "cannot be reached".
fn start_error(data_dir: &Path, detail: &str) -> Error {
    tracing::error!(data_dir = %data_dir.display(), %detail, "embedded PostgreSQL failed");
    Error::Unavailable(sqlx::Error::Configuration(
        format!("embedded PostgreSQL in {}: {detail}", data_dir.display()).into(),
    ))
}

/// A PostgreSQL identifier in double quotes (role names cannot be bound as parameters).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::quote_ident;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("desk_ldn"), "\"desk_ldn\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
