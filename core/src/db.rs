//! Connecting to the club database: migrations (as an administrator), desk roles, and the
//! check that a desk session is what it should be (never a superuser or a table owner).

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};
use uuid::Uuid;

use crate::error::{Error, Result};

/// The club schema, embedded from `migrations/` at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Applies every pending migration. Needs a role that may create tables (an administrator).
pub async fn migrate(pool: &PgPool) -> Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The newest migration applied to the database the pool talks to (a desk may read this, see
/// `…_desk_reads_schema_version.sql`); `None` when the database was migrated by another tool.
pub async fn schema_version(pool: &PgPool) -> Result<Option<i64>> {
    let exists = sqlx::query_scalar!(
        r#"select to_regclass('public._sqlx_migrations') is not null as "exists!""#
    )
    .fetch_one(pool)
    .await?;
    if !exists {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar!("select max(version) from public._sqlx_migrations where success")
            .fetch_one(pool)
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
}

/// Reads the desk's mapping and refuses sessions that would bypass row-level security:
/// superusers, roles with BYPASSRLS, owners of club tables, and roles not mapped to a branch.
pub async fn desk_identity(pool: &PgPool) -> Result<DeskIdentity> {
    let row = sqlx::query!(
        r#"
        select session_user::text as "role_name!",
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
    .fetch_one(pool)
    .await?;
    let role_name = row.role_name;
    if row.privileged || row.owns_tables {
        return Err(Error::NotAllowed(format!(
            "The role {role_name} is an administrator or owns the club tables. A desk must connect with its own restricted desk role."
        )));
    }
    let not_a_desk = || {
        Error::NotAllowed(format!(
            "The role {role_name} is not set up as a branch desk (no row in desk_roles)."
        ))
    };
    if !row.is_desk {
        return Err(not_a_desk());
    }
    let mapping = sqlx::query!(
        r#"select d.branch_id, public.desk_branch_ids() as "branch_ids!"
           from public.desk_roles d where d.role_name = session_user::text"#
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(not_a_desk)?;
    Ok(DeskIdentity {
        role_name,
        branch_ids: mapping.branch_ids,
        all_branches: mapping.branch_id.is_none(),
    })
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
    tx.commit().await?;
    Ok(())
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// What every desk session runs once, right after connecting.
///
/// Memoize (a cache in front of the inner side of a nested loop) sizes its hash table from the
/// planner's estimate for the whole outer side, not from the LIMIT above it. On an All Bookings
/// page (50 rows out of 1,000,000 bookings) PostgreSQL 15 built seven such tables per query:
/// about 8 of the page's 9 ms went to allocating them, 0.8 ms was left with memoize off (bench
/// club, `EXPLAIN ANALYZE` as a branch desk). The desk's other queries are small lookups that do
/// not need it. A `SET` after connecting, not a startup option, so PgBouncer in session mode
/// still works.
pub const DESK_SESSION_SETUP: &str = "set enable_memoize = off";

/// Pool settings for desk sessions: every new connection runs [`DESK_SESSION_SETUP`].
pub fn desk_pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(DESK_SESSION_SETUP).await?;
                Ok(())
            })
        })
}

/// A pool of desk sessions. Each connection is verified with [`desk_identity`] by the caller
/// once after connecting; row-level security does the rest.
pub async fn connect(options: PgConnectOptions, max_connections: u32) -> Result<PgPool> {
    Ok(desk_pool_options(max_connections)
        .connect_with(options)
        .await?)
}
