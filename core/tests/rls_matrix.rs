//! The row-level security matrix: anon, member A, member B, desk of branch A, desk of branch B,
//! the manager (head-office) desk and an unmapped desk × every table × select/insert/update/
//! delete, as designed in migrations/20261127000300_row_level_security.sql (and the later
//! tables' own migrations). The matrix itself is in `common/rls.rs`, shared with `supabase.rs`.

mod common;

use common::club;
use sqlx::PgPool;

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn row_level_security_matrix(admin: PgPool) {
    let c = club(admin).await;
    let failures = common::rls::matrix_failures(&c).await;
    assert!(
        failures.is_empty(),
        "row-level security differs from the design:\n{}",
        failures.join("\n")
    );
}
