//! Booking rules whatever the caller's isolation level: a transaction that began before another
//! desk's booking cannot book from its old snapshot past the plan's allowance. READ COMMITTED
//! re-reads and refuses as over the allowance; REPEATABLE READ and SERIALIZABLE are refused in
//! words up front, for booking, cancelling and check-in alike.

mod common;

use branch_desk_core::bookings::{book, BookingKind};
use branch_desk_core::Error;
use common::{club, desk_request, Club, DESK_A};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

const LEVELS: [&str; 3] = ["read committed", "repeatable read", "serializable"];

/// The `round`th member on two recovery sessions a month, with one used, and two more slots of
/// that month (each round its own member and slots).
async fn one_left(c: &Club, round: usize) -> (Uuid, Vec<Uuid>) {
    let members = c.members_on_plan(LEVELS.len() as i64, "ESSENTIAL").await;
    let member = members[round];
    let day = chrono::NaiveDate::from_ymd_opt(2099, 6, 10).unwrap();
    sqlx::query("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(day)
        .execute(&c.admin)
        .await
        .unwrap();
    let slots: Vec<Uuid> = sqlx::query_scalar(
        "select id from benefit_slots where local_date = $1 and branch_id = $2 order by starts_at, facility_id
         offset $3 limit 3",
    )
    .bind(day)
    .bind(c.branch_a())
    .bind(3 * round as i64)
    .fetch_all(&c.admin)
    .await
    .unwrap();
    let desk = c.desk_pool(DESK_A, 1).await;
    book(
        &desk,
        &desk_request(
            BookingKind::Recovery,
            slots[0],
            member,
            c.staff("frank.desk.ldn"),
        ),
    )
    .await
    .unwrap();
    (member, slots)
}

async fn live_bookings(c: &Club, member: Uuid) -> i64 {
    sqlx::query_scalar(
        "select count(*) from benefit_bookings where member_id = $1 and status <> 'cancelled'",
    )
    .bind(member)
    .fetch_one(&c.admin)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn an_old_snapshot_cannot_book_past_the_allowance_at_any_level(admin: sqlx::PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    for (round, level) in LEVELS.into_iter().enumerate() {
        let (member, slots) = one_left(&c, round).await;
        let mut a: PgConnection = c.desk(DESK_A).await;
        let mut tx = a.begin().await.unwrap();
        sqlx::query(&format!("set transaction isolation level {level}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("select 1").execute(&mut *tx).await.unwrap();

        // Desk B books the member's second session and commits.
        let b = c.desk_pool(DESK_A, 1).await;
        book(
            &b,
            &desk_request(BookingKind::Recovery, slots[1], member, staff),
        )
        .await
        .unwrap();

        // Session A, from its transaction, books a third.
        let e = book(
            &mut *tx,
            &desk_request(BookingKind::Recovery, slots[2], member, staff),
        )
        .await
        .expect_err("a third session on a plan of two");
        if level == "read committed" {
            assert_eq!(
                e.message(),
                "Plan allowance used: 2 of 2 this month",
                "{level}: the booking sees the other desk's and refuses"
            );
        } else {
            assert!(
                matches!(&e, Error::Invalid { reason, .. }
                    if reason.starts_with("Bookings are made in READ COMMITTED transactions")
                        && reason.contains(&level.to_uppercase())),
                "{level}: refused in words before anything is read: {e:?}"
            );
        }
        tx.rollback().await.ok();
        assert_eq!(
            live_bookings(&c, member).await,
            2,
            "{level}: the member holds exactly the plan's two sessions"
        );
    }
}

/// Cancelling and check-in refuse the same transactions, and a class booking too.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn every_booking_write_refuses_a_repeatable_read_or_serializable_caller(admin: sqlx::PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let (member, slots) = one_left(&c, 0).await;
    let booking: Uuid = sqlx::query_scalar("select id from benefit_bookings where slot_id = $1")
        .bind(slots[0])
        .fetch_one(&c.admin)
        .await
        .unwrap();
    let class = c.future_class(c.branch_a(), 10).await;
    for level in &LEVELS[1..] {
        let mut desk = c.desk(DESK_A).await;
        for (sql, what) in [
            ("select book_class($1, $2, gen_random_uuid(), $3)", "Bookings are made"),
            ("select cancel_booking('recovery', $4, $3) where $1 is not null and $2 is not null", "Bookings are cancelled"),
            (
                "select set_booking_status('recovery', $4, 'attended', $3) where $1 is not null and $2 is not null",
                "Check-ins and no-shows are recorded",
            ),
        ] {
            let mut tx = desk.begin().await.unwrap();
            sqlx::query(&format!("set transaction isolation level {level}"))
                .execute(&mut *tx)
                .await
                .unwrap();
            let e = Error::from(
                sqlx::query(sql)
                    .bind(class)
                    .bind(member)
                    .bind(staff)
                    .bind(booking)
                    .execute(&mut *tx)
                    .await
                    .expect_err(sql),
            );
            assert!(
                matches!(&e, Error::Invalid { reason, .. } if reason.starts_with(what)),
                "{level}: {sql} is refused in words: {e:?}"
            );
            tx.rollback().await.unwrap();
        }
    }
    let status: String = sqlx::query_scalar("select status from benefit_bookings where id = $1")
        .bind(booking)
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(status, "booked", "nothing changed");
}
