//! The embedded PostgreSQL (feature `embedded`): the repository's migrations apply to it
//! unchanged, and a desk session made with `SET SESSION AUTHORIZATION` is scoped by row-level
//! security exactly as on the club database (SPEC.md, "Who is who"). Data survives a restart.
//!
//! Run: `cargo test --locked -p branch-desk-core --features embedded --test embedded`
#![cfg(feature = "embedded")]

use std::path::PathBuf;
use std::time::Instant;

use branch_desk_core::db::{create_desk_role, desk_identity};
use branch_desk_core::embedded::{EmbeddedDb, SUPERUSER};
use chrono::{Duration, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

const DESK_LDN: &str = "embedded_desk_ldn";
const DESK_NYC: &str = "embedded_desk_nyc";

/// A fresh directory under the system temp dir, removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("branch-desk-embedded-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn slot_count(pool: &PgPool, branch: Option<Uuid>) -> i64 {
    sqlx::query_scalar(
        "select count(*) from public.benefit_slots where $1::uuid is null or branch_id = $1",
    )
    .bind(branch)
    .fetch_one(pool)
    .await
    .expect("count slots")
}

async fn ensure(
    pool: &PgPool,
    branch: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("select public.ensure_facility_slots($1, $2, $3)")
        .bind(branch)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await
}

fn sqlstate(err: &sqlx::Error) -> String {
    err.as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_database_migrates_and_scopes_desks_by_session_user() {
    let dir = TempDir::new();
    let started = Instant::now();
    let db = EmbeddedDb::open(&dir.0)
        .await
        .expect("embedded PostgreSQL starts");
    eprintln!("embedded start: {:?}", started.elapsed());

    // 1. As the superuser: migrations, trigram search, two branches with a facility each.
    let admin = db.admin_pool().await.expect("superuser connects");
    let migrated = Instant::now();
    sqlx::migrate!("../migrations")
        .run(&admin)
        .await
        .expect("migrations apply unchanged");
    eprintln!("migrations: {:?}", migrated.elapsed());
    let schema: String = sqlx::query_scalar(
        "select extnamespace::regnamespace::text from pg_extension where extname = 'pg_trgm'",
    )
    .fetch_one(&admin)
    .await
    .expect("pg_trgm is enabled");
    // The embedded build ships its extensions in pg_catalog; anywhere but public is right.
    assert_ne!(schema, "public", "pg_trgm's functions stay out of public");
    let similarity: f32 =
        sqlx::query_scalar("select similarity('Jonathan Smith', 'Jonathon Smyth')")
            .fetch_one(&admin)
            .await
            .expect("pg_trgm works");
    assert!(similarity > 0.3, "similarity {similarity}");

    let mut branches = Vec::new();
    for (code, name, tz) in [
        ("LDN", "London", "Europe/London"),
        ("NYC", "New York", "America/New_York"),
    ] {
        let id: Uuid = sqlx::query_scalar(
            "insert into public.branches (code, name, timezone) values ($1, $2, $3) returning id",
        )
        .bind(code)
        .bind(name)
        .bind(tz)
        .fetch_one(&admin)
        .await
        .expect("branch");
        // No benefit_settings row: the documented defaults (06:00-22:00, 30 minutes) apply.
        sqlx::query(
            "insert into public.facilities (branch_id, name, kind) values ($1, 'Sauna', 'sauna')",
        )
        .bind(id)
        .execute(&admin)
        .await
        .expect("facility");
        branches.push(id);
    }
    let (ldn, nyc) = (branches[0], branches[1]);
    create_desk_role(&admin, DESK_LDN, None, Some(ldn))
        .await
        .expect("LDN desk role");
    create_desk_role(&admin, DESK_NYC, None, Some(nyc))
        .await
        .expect("NYC desk role");
    sqlx::query("insert into public.members (user_id, member_number, first_name, last_name, home_branch_id) values ($1, 'M-1', 'Ada', 'Lovelace', $2)")
        .bind(Uuid::new_v4())
        .bind(ldn)
        .execute(&admin)
        .await
        .expect("member");

    let from = Utc::now().date_naive() + Duration::days(1);
    let to = from + Duration::days(6);
    let nyc_slots = ensure(&admin, nyc, from, to)
        .await
        .expect("superuser generates NYC slots");
    assert!(nyc_slots > 0, "NYC got slots");
    assert_eq!(
        ensure(&admin, nyc, from, to).await.expect("re-run"),
        0,
        "the re-run finds every day already made"
    );

    // 2. The original bug, on the embedded database: a member session may call
    //    ensure_facility_slots but not insert slots itself.
    let mut tx = admin.begin().await.unwrap();
    let user_id: Uuid =
        sqlx::query_scalar("select user_id from public.members where member_number = 'M-1'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    sqlx::query("set local role authenticated")
        .execute(&mut *tx)
        .await
        .expect("set role authenticated");
    sqlx::query("select set_config('request.jwt.claims', $1, true)")
        .bind(serde_json::json!({ "sub": user_id, "role": "authenticated" }).to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let visible_to_member: i64 =
        sqlx::query_scalar("select count(*) from public.benefit_slots where branch_id = $1")
            .bind(nyc)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(
        visible_to_member,
        i64::from(nyc_slots),
        "a member sees the slots of active facilities"
    );
    let denied = sqlx::query(
        "insert into public.benefit_slots (facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
         select f.id, f.branch_id, now(), now() + interval '30 minutes', current_date, '06:00', '06:30', 4
         from public.facilities f limit 1",
    )
    .execute(&mut *tx)
    .await
    .expect_err("a member cannot insert slots");
    assert_eq!(sqlstate(&denied), "42501", "{denied}");
    tx.rollback().await.unwrap();

    // 3. The LDN desk: session_user is the desk role, and RLS scopes it to its branch. (Closing
    //    the superuser pool first is what the app does; desk_pool would close it anyway.)
    admin.close().await;
    let desk = db.desk_pool(DESK_LDN).await.expect("LDN desk session");
    // In a desk transaction, as every command runs (`Desk::begin`).
    let mut tx = branch_desk_core::db::desk_transaction(&desk, None)
        .await
        .unwrap();
    let (session_user, current_user, memoize): (String, String, String) = sqlx::query_as(
        "select session_user::text, current_user::text, current_setting('enable_memoize')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (
            session_user.as_str(),
            current_user.as_str(),
            memoize.as_str()
        ),
        (DESK_LDN, DESK_LDN, "off")
    );
    let identity = desk_identity(&mut desk.acquire().await.unwrap(), None)
        .await
        .expect("a verified desk session, not a superuser");
    assert_eq!(identity.role_name, DESK_LDN);
    assert_eq!(identity.branch_ids, vec![ldn]);
    assert!(!identity.all_branches);
    let hits = branch_desk_core::members::search_members(&desk, "lovlace ada", 5)
        .await
        .expect("the desk searches members");
    assert_eq!(
        hits.first().map(|h| h.member_number.as_str()),
        Some("M-1"),
        "a name with a slip, in any order, finds the member on the embedded database too"
    );

    assert_eq!(
        slot_count(&desk, None).await,
        0,
        "LDN has no slots yet; NYC's are hidden"
    );
    let ldn_slots = ensure(&desk, ldn, from, to)
        .await
        .expect("the desk generates its branch's slots");
    assert!(ldn_slots > 0, "LDN got slots");
    assert_eq!(ensure(&desk, ldn, from, to).await.unwrap(), 0, "idempotent");
    assert_eq!(
        slot_count(&desk, None).await,
        i64::from(ldn_slots),
        "the desk sees only its branch"
    );
    assert_eq!(slot_count(&desk, Some(nyc)).await, 0);
    let refused = ensure(&desk, nyc, from, to)
        .await
        .expect_err("not another branch");
    assert_eq!(sqlstate(&refused), "BD003", "{refused}");
    let denied = sqlx::query("update public.benefit_slots set capacity = 99")
        .execute(&desk)
        .await;
    assert_eq!(
        sqlstate(&denied.expect_err("desks do not write slots directly")),
        "42501"
    );

    // 4. The NYC desk (opening it closes the LDN desk's pool: one connection at a time).
    let desk = db.desk_pool(DESK_NYC).await.expect("NYC desk session");
    assert_eq!(slot_count(&desk, None).await, i64::from(nyc_slots));
    assert_eq!(slot_count(&desk, Some(ldn)).await, 0);
    let refused = ensure(&desk, ldn, from, to)
        .await
        .expect_err("not another branch");
    assert_eq!(sqlstate(&refused), "BD003", "{refused}");

    // 5. Back to the superuser, then a restart on the same directory keeps everything.
    let admin = db.admin_pool().await.expect("superuser again");
    let superuser: String = sqlx::query_scalar("select session_user::text")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(superuser, SUPERUSER);
    assert_eq!(
        slot_count(&admin, None).await,
        i64::from(ldn_slots + nyc_slots)
    );
    db.shutdown().await.expect("clean shutdown");

    let restarted = Instant::now();
    let db = EmbeddedDb::open(&dir.0)
        .await
        .expect("reopens the same data directory");
    eprintln!("embedded restart: {:?}", restarted.elapsed());
    let admin = db.admin_pool().await.unwrap();
    sqlx::migrate!("../migrations")
        .run(&admin)
        .await
        .expect("already migrated: nothing to do");
    assert_eq!(
        slot_count(&admin, None).await,
        i64::from(ldn_slots + nyc_slots),
        "data persisted"
    );
    let desk = db.desk_pool(DESK_LDN).await.expect("desk role persisted");
    assert_eq!(slot_count(&desk, None).await, i64::from(ldn_slots));
    db.shutdown().await.expect("clean shutdown");
}
