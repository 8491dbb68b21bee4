//! The migrations on a Supabase project's layout (tests/sql/supabase_layout.sql: its roles,
//! schemas and default privileges, with Supabase's non-superuser `postgres` as the migrating
//! role), in the two ways a project meets them: fresh, and with pg_trgm already enabled in
//! schema `extensions` by the dashboard. Then the same lints and matrix as on vanilla
//! PostgreSQL, and a desk's search.

mod common;

use branch_desk_core::db::MIGRATOR;
use branch_desk_core::members::search_members;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

const LAYOUT: &str = include_str!("sql/supabase_layout.sql");

/// The test's database laid out like a Supabase project and migrated by its `postgres`; returns
/// a pool of that role (the club's administrator there).
async fn supabase_project(superuser: PgPool, dashboard_pg_trgm: bool) -> PgPool {
    // One transaction, tried again if another test's layout updates the same role at once.
    common::cluster_wide("the Supabase layout applies", || {
        sqlx::raw_sql(LAYOUT).execute(&superuser)
    })
    .await;
    let options = (*superuser.connect_options())
        .clone()
        .username("supabase_postgres");
    let postgres = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .expect("Supabase's postgres connects");
    if dashboard_pg_trgm {
        sqlx::query("create extension pg_trgm with schema extensions")
            .execute(&postgres)
            .await
            .unwrap();
    }
    MIGRATOR
        .run(&postgres)
        .await
        .expect("the migrations apply as Supabase's non-superuser postgres");
    postgres
}

async fn everything_holds(postgres: PgPool) {
    let failures = common::lint::definer_failures(&postgres).await;
    assert!(
        failures.is_empty(),
        "definer lint on Supabase's layout:\n{}",
        failures.join("\n")
    );
    let failures = common::lint::privilege_failures(&postgres).await;
    assert!(
        failures.is_empty(),
        "privileges on Supabase's layout:\n{}",
        failures.join("\n")
    );
    let schema: String = sqlx::query_scalar(
        "select extnamespace::regnamespace::text from pg_extension where extname = 'pg_trgm'",
    )
    .fetch_one(&postgres)
    .await
    .unwrap();
    assert_eq!(
        schema, "extensions",
        "pg_trgm lives in extensions, off the API"
    );

    let c = common::club(postgres).await;
    let failures = common::rls::matrix_failures(&c).await;
    assert!(
        failures.is_empty(),
        "row-level security on Supabase's layout:\n{}",
        failures.join("\n")
    );
    // A desk's search, whose email and typo matching use pg_trgm in `extensions`.
    let desk = c.desk_pool(common::DESK_A, 1).await;
    for query in ["example", "olivia smtih", "M000001", "0770"] {
        search_members(&desk, query, 20)
            .await
            .unwrap_or_else(|e| panic!("desk search for {query} on Supabase's layout: {e:?}"));
    }
    let hits = search_members(&desk, "example", 20).await.unwrap();
    assert!(!hits.is_empty(), "an email fragment finds members");
}

#[sqlx::test(migrations = false)]
async fn a_fresh_supabase_project(superuser: PgPool) {
    everything_holds(supabase_project(superuser, false).await).await;
}

#[sqlx::test(migrations = false)]
async fn a_supabase_project_with_pg_trgm_enabled_from_the_dashboard(superuser: PgPool) {
    everything_holds(supabase_project(superuser, true).await).await;
}
