//! Staff sign-in: the right PIN signs in, wrong PINs lock the account after five tries, and a
//! desk only signs in staff of its own branches (and head office).

mod common;

use branch_desk_core::staff::sign_in;
use branch_desk_core::Error;
use common::{club, DESK_A, DESK_B};
use sqlx::PgPool;

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn wrong_pins_lock_then_the_right_pin_works_again(admin: PgPool) {
    let c = club(admin).await;
    let desk = c.desk_pool(DESK_A, 2).await;
    let email = "frank.desk.ldn@branchdesk.example";
    let s = sign_in(
        &mut desk.acquire().await.unwrap(),
        "FRANK.desk.ldn@branchdesk.example ",
        "1357",
    )
    .await
    .expect("right PIN, any case");
    assert_eq!(
        (s.full_name.as_str(), s.role.as_str(), s.can_override),
        ("Frank Ellis", "front_desk", false)
    );
    let m = sign_in(
        &mut desk.acquire().await.unwrap(),
        "maya.manager.ldn@branchdesk.example",
        "2468",
    )
    .await
    .unwrap();
    assert!(m.can_override, "managers may override by default");

    for left in (1..=4).rev() {
        let e = sign_in(&mut desk.acquire().await.unwrap(), email, "0000")
            .await
            .unwrap_err();
        assert!(e.message().contains(&format!("{left} attempt")), "{e:?}");
    }
    let e = sign_in(&mut desk.acquire().await.unwrap(), email, "0000")
        .await
        .unwrap_err();
    assert!(
        e.message().contains("locked for 15 more minutes"),
        "the fifth wrong PIN locks for 15 minutes by the database's clock: {e:?}"
    );
    let e = sign_in(&mut desk.acquire().await.unwrap(), email, "1357")
        .await
        .unwrap_err();
    assert!(
        e.message().contains("locked"),
        "even the right PIN is refused while locked: {e:?}"
    );

    sqlx::query("update staff set locked_until = now() - interval '1 minute' where email = $1")
        .bind(email)
        .execute(&c.admin)
        .await
        .unwrap();
    sign_in(&mut desk.acquire().await.unwrap(), email, "1357")
        .await
        .expect("after the lock-out the right PIN works");
    let failed: i32 = sqlx::query_scalar("select failed_pin_attempts from staff where email = $1")
        .bind(email)
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(failed, 0, "a right PIN resets the count");
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn desks_sign_in_only_their_staff(admin: PgPool) {
    let c = club(admin).await;
    let desk_b = c.desk_pool(DESK_B, 2).await;
    let e = sign_in(
        &mut desk_b.acquire().await.unwrap(),
        "frank.desk.ldn@branchdesk.example",
        "1357",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, Error::NotAllowed(_)),
        "branch A staff cannot sign in at desk B: {e:?}"
    );
    sign_in(
        &mut desk_b.acquire().await.unwrap(),
        "hq.manager@branchdesk.example",
        "9753",
    )
    .await
    .expect("head office signs in anywhere");
    let e = sqlx::query("select * from record_pin_attempt($1, true)")
        .bind(c.staff("frank.desk.ldn"))
        .execute(&desk_b)
        .await
        .unwrap_err();
    assert!(
        matches!(Error::from(e), Error::NotAllowed(_)),
        "desk B cannot touch branch A staff counters"
    );
    for bad in [
        ("", "1357"),
        ("frank.desk.ldn@branchdesk.example", "12"),
        ("frank.desk.ldn@branchdesk.example", "12ab"),
    ] {
        assert!(
            matches!(
                sign_in(&mut desk_b.acquire().await.unwrap(), bad.0, bad.1).await,
                Err(Error::Invalid { .. })
            ),
            "{bad:?}"
        );
    }
    let mut member = c.member(c.member_a).await;
    let e = sqlx::query("select * from record_pin_attempt($1, true)")
        .bind(c.staff("frank.desk.ldn"))
        .execute(&mut member)
        .await
        .unwrap_err();
    assert_eq!(
        e.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("42501"),
        "members cannot call it"
    );
}
