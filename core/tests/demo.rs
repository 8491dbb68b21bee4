//! The demo club on a real PostgreSQL: seeded once, then used through the restricted demo desk
//! role exactly like a club database (the embedded database runs the same code).

mod common;

use branch_desk_core::demo::{desk_pool, prepare, staff, DEMO_BRANCH_CODE};
use branch_desk_core::desk::open_desk;
use branch_desk_core::staff::sign_in;
use sqlx::PgPool;

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn demo_is_seeded_once_and_used_as_a_desk(admin: PgPool) {
    assert!(
        prepare(&admin).await.unwrap(),
        "the first start seeds the demo club"
    );
    assert!(
        !prepare(&admin).await.unwrap(),
        "later starts keep the data"
    );
    let pool = desk_pool((*admin.connect_options()).clone(), 2)
        .await
        .unwrap();
    let desk = open_desk(pool.clone(), None, None)
        .await
        .expect("the demo desk is a proper desk role");
    assert_eq!(desk.branch.code, DEMO_BRANCH_CODE);
    let who: (String, String) = sqlx::query_as("select session_user::text, current_user::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        who,
        ("branch_desk_demo".into(), "branch_desk_demo".into()),
        "queries run as the desk, not the superuser"
    );
    let write = sqlx::query("update members set status = 'active'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert_eq!(
        write.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("42501"),
        "the demo desk is restricted too"
    );

    let shown = staff();
    assert!(
        shown.iter().any(|s| s.role == "manager") && shown.iter().any(|s| s.role == "front_desk")
    );
    for s in &shown {
        sign_in(&mut pool.acquire().await.unwrap(), &s.email, &s.pin)
            .await
            .unwrap_or_else(|e| panic!("{} signs in: {e:?}", s.email));
    }
    let bookings: i64 = sqlx::query_scalar("select count(*) from benefit_bookings")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        bookings > 0,
        "the demo desk sees its branch's booking history"
    );
}

/// The seed is all or nothing: when its last step (the demo desk role) fails, no branch is left
/// behind to make later starts skip seeding, and the next start seeds the whole club.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_seed_that_fails_part_way_leaves_nothing_and_the_next_start_seeds(admin: PgPool) {
    sqlx::raw_sql(
        "create function refuse() returns trigger language plpgsql as $$
           begin raise exception 'the app was closed mid-seed'; end $$;
         create trigger refuse before insert on desk_roles execute function refuse();",
    )
    .execute(&admin)
    .await
    .unwrap();
    let e = prepare(&admin).await.unwrap_err();
    assert!(format!("{e:?}").contains("closed mid-seed"), "{e:?}");
    let branches: i64 = sqlx::query_scalar("select count(*) from branches")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(branches, 0, "nothing of the failed seed is kept");

    sqlx::query("drop trigger refuse on desk_roles")
        .execute(&admin)
        .await
        .unwrap();
    assert!(prepare(&admin).await.unwrap(), "the next start seeds");
    let pool = desk_pool((*admin.connect_options()).clone(), 1)
        .await
        .unwrap();
    open_desk(pool, None, None)
        .await
        .expect("the demo desk works after the interrupted first start");
}
