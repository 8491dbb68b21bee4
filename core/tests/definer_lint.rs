//! Every function of the club's schemas (`public`, `auth`) pins a search_path that names only
//! schemas no caller can create objects in and ends in pg_temp (so a caller's temporary objects
//! are never found before the real ones), and no SECURITY DEFINER function is executable by
//! PUBLIC or anon. Shared with the Supabase layout test (`supabase.rs`).

use sqlx::PgPool;

mod common;

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn every_function_pins_a_search_path_ending_in_pg_temp(db: PgPool) {
    let failures = common::lint::definer_failures(&db).await;
    assert!(
        failures.is_empty(),
        "functions that a caller could make run its own code:\n{}",
        failures.join("\n")
    );
}
