//! Connecting to the club database: migrations (as an administrator), desk roles, and the
//! check that a desk session is what it should be (never a superuser or a table owner).

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::{Error, Result};

/// The club schema, embedded from `migrations/` at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Applies every pending migration. Needs a role that may create tables (an administrator),
/// on a direct connection: refused in words through a transaction pooler
/// ([`refuse_transaction_pooler`]).
pub async fn migrate(pool: &PgPool) -> Result<()> {
    refuse_transaction_pooler(pool).await?;
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// What an administrator reads when migrations (or the demo seed) are tried through a
/// transaction pooler.
pub const THROUGH_A_TRANSACTION_POOLER: &str = "This connection goes through a transaction pooler \
     (PgBouncer in transaction mode, or Supabase's pooler on port 6543). Migrations and the demo \
     seed need a direct connection to PostgreSQL (Supabase: the direct connection or the session \
     pooler on port 5432); desks can then use the pooler. Nothing was changed.";

/// Migrations hold a session's advisory lock while they run, and a migration file may need its
/// statements on one server connection: a transaction pooler hands each transaction to
/// whichever server connection is free, so neither holds. Detected by two client connections
/// that are both open being served by the same server process, which no direct connection and
/// no session-mode pooler can do (a pooler reuses the server connection it used last). A pool
/// of one connection (the embedded database) is not checked.
pub async fn refuse_transaction_pooler(pool: &PgPool) -> Result<()> {
    if pool.options().get_max_connections() < 2 {
        return Ok(());
    }
    let mut first = pool.acquire().await?;
    let mut second = pool.acquire().await?;
    for _ in 0..3 {
        if backend_pid(&mut first).await? == backend_pid(&mut second).await? {
            return Err(Error::Invalid {
                field: None,
                reason: THROUGH_A_TRANSACTION_POOLER.into(),
            });
        }
    }
    Ok(())
}

/// The server process serving `conn` now, asked in a transaction of its own with an unnamed
/// statement (a named one would not survive a transaction pooler's next transaction).
async fn backend_pid(conn: &mut sqlx::PgConnection) -> Result<i32> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    let pid = sqlx::query_scalar::<_, i32>("select pg_backend_pid()")
        .persistent(false)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(pid)
}

/// The newest migration applied to the database the pool talks to (a desk may read this, see
/// `…_desk_reads_schema_version.sql`); `None` when the database was migrated by another tool.
pub async fn schema_version(conn: &mut sqlx::PgConnection) -> Result<Option<i64>> {
    let exists = sqlx::query_scalar!(
        r#"select to_regclass('public._sqlx_migrations') is not null as "exists!""#
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar!("select max(version) from public._sqlx_migrations where success")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Who the current desk session is, as the database sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
pub struct DeskIdentity {
    pub role_name: String,
    /// Branches this desk acts for.
    pub branch_ids: Vec<Uuid>,
    /// A head-office desk acts for every branch.
    pub all_branches: bool,
    /// The desk logs in through a shared server login and names itself by key in each
    /// transaction ([`DeskKey`]).
    pub shared_login: bool,
}

/// Reads the desk's mapping and refuses sessions that would bypass row-level security:
/// superusers, roles with BYPASSRLS, owners of club tables, and roles not mapped to a branch.
///
/// Through a shared server login (PgBouncer's `user=`, see [`DeskKey`]) the desk is the one
/// `key` names (`public.desk_role_name()`), never the login itself: the key is sent, for the
/// rest of the transaction, only to such a login.
pub async fn desk_identity(
    conn: &mut sqlx::PgConnection,
    key: Option<&DeskKey>,
) -> Result<DeskIdentity> {
    let row = sqlx::query!(
        r#"
        select session_user::text as "login!",
               exists (select 1 from pg_catalog.pg_roles s
                       where s.rolname = 'branch_desk_shared' and pg_catalog.pg_has_role(session_user, s.oid, 'MEMBER')) as "shared!",
               r.rolsuper or r.rolbypassrls as "privileged!",
               exists (select 1 from pg_catalog.pg_tables t
                       where t.schemaname = 'public' and t.tablename = 'benefit_slots'
                         and pg_catalog.pg_has_role(session_user, t.tableowner, 'USAGE')) as "owns_tables!",
               exists (select 1 from pg_catalog.pg_roles g
                       where g.rolname = 'branch_desk' and pg_catalog.pg_has_role(session_user, g.oid, 'USAGE')) as "is_desk!"
        from pg_catalog.pg_roles r
        where r.rolname = session_user
        "#
    )
    .fetch_one(&mut *conn)
    .await?;
    let login = row.login;
    if row.privileged || row.owns_tables {
        return Err(Error::NotAllowed(format!(
            "The role {login} is an administrator or owns the club tables. A desk must connect with its own restricted desk role."
        )));
    }
    if !row.is_desk {
        return Err(Error::NotAllowed(format!(
            "The role {login} is not set up as a branch desk (no row in desk_roles)."
        )));
    }
    if let Some(key) = key.filter(|_| row.shared) {
        name_desk(conn, key).await?;
    }
    let named = sqlx::query_scalar!("select public.desk_role_name()")
        .fetch_one(&mut *conn)
        .await?;
    let Some(role_name) = named else {
        return Err(Error::NotAllowed(format!(
            "The database logs desks in as the shared role {login} (PgBouncer's user= setting), \
             and did not accept this desk's role and password as a desk key (desk_keys). An \
             administrator sets the key when creating the desk, and again after changing its password."
        )));
    };
    let not_a_desk = || {
        Error::NotAllowed(format!(
            "The role {role_name} is not set up as a branch desk (no row in desk_roles)."
        ))
    };
    let mapping = sqlx::query!(
        r#"select d.branch_id, public.desk_branch_ids() as "branch_ids!"
           from public.desk_roles d where d.role_name = public.desk_role_name()"#
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(not_a_desk)?;
    Ok(DeskIdentity {
        role_name,
        branch_ids: mapping.branch_ids,
        all_branches: mapping.branch_id.is_none(),
        shared_login: row.shared,
    })
}

/// What names a desk in each transaction when PgBouncer logs every desk in to PostgreSQL as one
/// shared role (`branch_desk_shared`, docs/deploy.md): the desk role's name and its password,
/// which `public.desk_role_name()` checks against `desk_keys`. Sent as bind parameters, so
/// neither shows in `pg_stat_activity`; local to the transaction, so nothing is left on the
/// server connection for the next desk.
#[derive(Clone)]
pub struct DeskKey {
    role_name: String,
    secret: String,
}

impl DeskKey {
    pub fn new(role_name: &str, secret: &str) -> DeskKey {
        DeskKey {
            role_name: role_name.trim().to_owned(),
            secret: secret.to_owned(),
        }
    }
}

impl std::fmt::Debug for DeskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeskKey({}, …)", self.role_name)
    }
}

/// Names the desk for the rest of this transaction (see [`DeskKey`]).
pub async fn name_desk(conn: &mut sqlx::PgConnection, key: &DeskKey) -> Result<()> {
    sqlx::query(
        "select pg_catalog.set_config('branch_desk.desk', $1, true), \
                pg_catalog.set_config('branch_desk.desk_key', $2, true)",
    )
    .bind(&key.role_name)
    .bind(&key.secret)
    .persistent(false)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates (or updates) a desk LOGIN role for a branch and maps it; `branch_id: None` makes a
/// head-office desk. Run by an administrator. The role is a member of `branch_desk` only.
pub async fn create_desk_role<'a>(
    admin: impl sqlx::Acquire<'a, Database = sqlx::Postgres>,
    role_name: &str,
    password: Option<&str>,
    branch_id: Option<Uuid>,
) -> Result<()> {
    if role_name.is_empty()
        || role_name.len() > 63
        || !role_name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Error::invalid(
            "role_name",
            "A desk role name is 1 to 63 lowercase letters, digits or underscores.",
        ));
    }
    if password.is_some_and(|p| p.contains("$desk$") || p.len() > 200) {
        return Err(Error::invalid("password", "That password cannot be used."));
    }
    let mut tx = admin.begin().await?;
    // Role names cannot be bound as parameters; the name is validated above and quoted here.
    let password_clause = match password {
        Some(p) => format!("login password {}", quote_literal(p)),
        None => "login".to_owned(),
    };
    sqlx::query(&format!(
        r#"do $desk$ begin
             create role "{role_name}" {password_clause};
           exception when duplicate_object or unique_violation then
             alter role "{role_name}" {password_clause};
           end $desk$"#
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(r#"grant branch_desk to "{role_name}""#))
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "insert into desk_roles (role_name, branch_id) values ($1, $2)
         on conflict (role_name) do update set branch_id = excluded.branch_id",
        role_name,
        branch_id
    )
    .execute(&mut *tx)
    .await?;
    // The desk's key for a shared server login is its password (DeskKey); no password, no key.
    match password {
        Some(p) => sqlx::query!(
            "insert into desk_keys (role_name, key_sha256)
             values ($1, sha256(convert_to($1 || ':' || $2::text, 'UTF8')))
             on conflict (role_name) do update set key_sha256 = excluded.key_sha256, changed_at = now()",
            role_name,
            p
        )
        .execute(&mut *tx)
        .await?,
        None => sqlx::query!("delete from desk_keys where role_name = $1", role_name)
            .execute(&mut *tx)
            .await?,
    };
    tx.commit().await?;
    Ok(())
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// How every desk transaction starts: `BEGIN` and the desk's session settings, in one round trip.
///
/// Every desk command is one transaction (see [`crate::desk::Desk::begin`]), so the settings are
/// `SET LOCAL` and hold for exactly that transaction. That is what works through PgBouncer in
/// transaction mode, where the next transaction may run on another server connection, and it
/// leaves nothing behind on a server connection for the next desk sharing it.
///
/// Memoize (a cache in front of the inner side of a nested loop) sizes its hash table from the
/// planner's estimate for the whole outer side, not from the LIMIT above it. On an All Bookings
/// page (50 rows out of 1,000,000 bookings) PostgreSQL 15 built seven such tables per query:
/// about 8 of the page's 9 ms went to allocating them, 0.8 ms was left with memoize off (bench
/// club, `EXPLAIN ANALYZE` as a branch desk). The desk's other queries are small lookups that do
/// not need it.
pub const DESK_TRANSACTION_START: &str = "begin; set local enable_memoize = off";

/// How many connections a desk may hold and when it gives them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionBudget {
    /// At most this many connections at once (a desk runs one command at a time, plus the
    /// outage banner's ping or a CSV export beside it).
    pub max_connections: u32,
    /// A connection unused for this long is closed; an idle desk holds none.
    pub idle_release: std::time::Duration,
}

impl Default for ConnectionBudget {
    fn default() -> Self {
        ConnectionBudget {
            max_connections: 2,
            idle_release: std::time::Duration::from_secs(60),
        }
    }
}

/// Pool settings for desk sessions within `budget`. Nothing is run on connecting: the
/// settings come with each transaction ([`DESK_TRANSACTION_START`]). A connection is made
/// when a command needs one, so after an outage or a pooler restart the next command
/// reconnects on its own.
pub fn desk_pool_options(budget: ConnectionBudget) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(budget.max_connections.max(1))
        .min_connections(0)
        .idle_timeout(Some(budget.idle_release))
        .acquire_timeout(std::time::Duration::from_secs(10))
}

/// What a desk session needs from a pooler in transaction mode: no named prepared statement
/// outlives its transaction (PgBouncer 1.18 keeps none), so every statement is unnamed and is
/// parsed again each time it runs.
pub fn desk_connect_options(options: PgConnectOptions) -> PgConnectOptions {
    options.statement_cache_capacity(0)
}

/// A pool of desk sessions. Each connection is verified with [`desk_identity`] by the caller
/// once after connecting; row-level security does the rest.
pub async fn connect(options: PgConnectOptions, budget: ConnectionBudget) -> Result<PgPool> {
    Ok(desk_pool_options(budget)
        .connect_with(desk_connect_options(options))
        .await?)
}

/// One desk transaction on `pool`, started with [`DESK_TRANSACTION_START`]; with `key`, the desk
/// is named in it ([`name_desk`]) before anything else runs.
///
/// Waiting too long for a connection means two things to sqlx (`PoolTimedOut`): every
/// connection of the budget was taken (busy), or the pool had room and kept failing to open one
/// (the server or the pooler is down). Only the first is [`Error::Busy`].
pub async fn desk_transaction(
    pool: &PgPool,
    key: Option<&DeskKey>,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = match pool.begin_with(DESK_TRANSACTION_START).await {
        Err(sqlx::Error::PoolTimedOut) if pool.size() < pool.options().get_max_connections() => {
            return Err(Error::Unavailable(sqlx::Error::PoolTimedOut))
        }
        r => r?,
    };
    if let Some(key) = key {
        name_desk(&mut tx, key).await?;
    }
    Ok(tx)
}
