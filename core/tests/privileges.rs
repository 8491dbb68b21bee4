//! Every table and function of `public` grants exactly what the design says, to PUBLIC, anon,
//! authenticated, branch_desk and service_role alike (Supabase's layout is checked the same way
//! in `supabase.rs`).

use sqlx::PgPool;

mod common;

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn grants_are_exactly_the_design(db: PgPool) {
    let failures = common::lint::privilege_failures(&db).await;
    assert!(
        failures.is_empty(),
        "privileges differ from the design:\n{}",
        failures.join("\n")
    );
}
