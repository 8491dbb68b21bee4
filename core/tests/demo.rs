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
    let desk = open_desk(pool.clone(), None)
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
        sign_in(&pool, &s.email, &s.pin)
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
