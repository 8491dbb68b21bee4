//! Booking under concurrency, on real parallel connections: the last place, double-submits,
//! and cancellations racing bookings and waitlist promotion.

mod common;

use std::sync::Arc;

use branch_desk_core::bookings::{book, cancel, BookingKind};
use branch_desk_core::Error;
use common::{club, desk_request, DESK_A};
use sqlx::PgPool;
use tokio::sync::Barrier;

async fn last_place(kind: BookingKind, admin: PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let target = match kind {
        BookingKind::Class => c.future_class(c.branch_a(), 3).await,
        BookingKind::Recovery => c.future_slot("LDN", 3).await,
    };
    let members = c.members_on_plan(52, "PREMIUM").await;
    let desk = c.desk_pool(DESK_A, 50).await;
    // Fill all but the last place.
    for m in &members[50..52] {
        book(&desk, &desk_request(kind, target, *m, staff))
            .await
            .unwrap();
    }

    let barrier = Arc::new(Barrier::new(50));
    let mut tasks = Vec::new();
    for m in members[..50].iter().copied() {
        let mut conn = desk.acquire().await.unwrap();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            book(&mut *conn, &desk_request(kind, target, m, staff)).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Full {
                booked: 3,
                capacity: 3,
            }) => {}
            Err(e) => panic!("only 'Full: 3 of 3 booked' may refuse, got {e:?}"),
        }
    }
    assert_eq!(
        ok, 1,
        "exactly one of 50 concurrent bookings gets the last place"
    );
    let (table, col, counter_table) = match kind {
        BookingKind::Class => ("class_bookings", "class_id", "classes"),
        BookingKind::Recovery => ("benefit_bookings", "slot_id", "benefit_slots"),
    };
    let rows: i64 = sqlx::query_scalar(&format!(
        "select count(*) from {table} where {col} = $1 and status <> 'cancelled'"
    ))
    .bind(target)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    let counter: i32 = sqlx::query_scalar(&format!(
        "select booked_count from {counter_table} where id = $1"
    ))
    .bind(target)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        (rows, counter),
        (3, 3),
        "capacity 3 is never exceeded and the counter equals the rows"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn fifty_concurrent_bookings_for_the_last_class_place(admin: PgPool) {
    last_place(BookingKind::Class, admin).await;
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn fifty_concurrent_bookings_for_the_last_slot_place(admin: PgPool) {
    last_place(BookingKind::Recovery, admin).await;
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn ten_double_submits_with_one_key_make_one_booking(admin: PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let desk = c.desk_pool(DESK_A, 10).await;
    for kind in [BookingKind::Class, BookingKind::Recovery] {
        let target = match kind {
            BookingKind::Class => c.future_class(c.branch_a(), 10).await,
            BookingKind::Recovery => c.future_slot("LDN", 5).await,
        };
        let member = c.members_on_plan(1, "PREMIUM").await[0];
        let request = desk_request(kind, target, member, staff);
        let barrier = Arc::new(Barrier::new(10));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let mut conn = desk.acquire().await.unwrap();
            let (barrier, request) = (barrier.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                book(&mut *conn, &request).await
            }));
        }
        let mut ids = std::collections::HashSet::new();
        for t in tasks {
            ids.insert(
                t.await
                    .unwrap()
                    .expect("every retry of the same confirm succeeds")
                    .id,
            );
        }
        assert_eq!(
            ids.len(),
            1,
            "every caller sees the same booking ({kind:?})"
        );
        let table = if kind == BookingKind::Class {
            "class_bookings"
        } else {
            "benefit_bookings"
        };
        let rows: i64 = sqlx::query_scalar(&format!(
            "select count(*) from {table} where member_id = $1"
        ))
        .bind(member)
        .fetch_one(&c.admin)
        .await
        .unwrap();
        assert_eq!(rows, 1, "one booking row for ten submits ({kind:?})");
        if kind == BookingKind::Class {
            let other = Error::from(
                sqlx::query("select book_class($1, $2, $3, $4)")
                    .bind(c.future_class(c.branch_a(), 10).await)
                    .bind(member)
                    .bind(request.idempotency_key)
                    .bind(staff)
                    .execute(&desk)
                    .await
                    .unwrap_err(),
            );
            assert!(
                matches!(other, Error::Invalid { .. }),
                "a key reused for another class is refused: {other:?}"
            );
        }
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn cancellations_racing_bookings_and_promotion_keep_counts_equal_to_rows(admin: PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let class = c.future_class(c.branch_a(), 5).await;
    let members = c.members_on_plan(30, "PREMIUM").await;
    let desk = c.desk_pool(DESK_A, 30).await;

    let mut booked = Vec::new();
    for m in &members[..5] {
        booked.push(
            book(&desk, &desk_request(BookingKind::Class, class, *m, staff))
                .await
                .unwrap()
                .id,
        );
    }
    let mut waiting = Vec::new();
    for m in &members[5..10] {
        let mut r = desk_request(BookingKind::Class, class, *m, staff);
        r.join_waitlist = true;
        let b = book(&desk, &r).await.unwrap();
        assert_eq!(b.status, "waitlisted");
        waiting.push(b.id);
    }

    // Race: 3 cancellations of booked places, 2 of waitlisted ones, 15 new bookings that wait if full.
    let barrier = Arc::new(Barrier::new(20));
    let mut tasks: Vec<tokio::task::JoinHandle<Result<(), Error>>> = Vec::new();
    for id in booked[..3].iter().chain(waiting[3..5].iter()).copied() {
        let mut conn = desk.acquire().await.unwrap();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            cancel(&mut *conn, BookingKind::Class, id, Some(staff))
                .await
                .map(|_| ())
        }));
    }
    for m in members[10..25].iter().copied() {
        let mut conn = desk.acquire().await.unwrap();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut r = desk_request(BookingKind::Class, class, m, staff);
            r.join_waitlist = true;
            book(&mut *conn, &r).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("no call in the race fails");
    }

    let (booked_count, waitlist_count, capacity): (i32, i32, i32) =
        sqlx::query_as("select booked_count, waitlist_count, capacity from classes where id = $1")
            .bind(class)
            .fetch_one(&c.admin)
            .await
            .unwrap();
    let (live, waitlisted): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where status in ('booked', 'attended', 'no_show')),
                count(*) filter (where status = 'waitlisted')
         from class_bookings where class_id = $1",
    )
    .bind(class)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        booked_count as i64, live,
        "booked_count equals the booked rows"
    );
    assert_eq!(
        waitlist_count as i64, waitlisted,
        "waitlist_count equals the waitlisted rows"
    );
    assert_eq!(
        booked_count, capacity,
        "freed places were all filled again (promotion or booking)"
    );
    assert_eq!(
        live + waitlisted,
        5 + 5 - 5 + 15,
        "every live booking is accounted for"
    );
    // The members waiting first, and still waiting when places freed, were promoted before later ones.
    let first_waiting: Vec<String> = sqlx::query_scalar(
        "select status from class_bookings where id = any($1) order by waitlisted_at",
    )
    .bind(&waiting[..3])
    .fetch_all(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        first_waiting,
        vec!["booked"; 3],
        "the first three on the waitlist got the three freed places"
    );
}

/// Two bookings for one member into different slots at the same moment (the member's app and a
/// desk, or two desks): the second waits for the first and then counts it, so a plan allowance
/// cannot be overrun without an override. Deterministic: the first booking's transaction stays
/// open until the second is seen waiting on a lock.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn two_bookings_for_one_member_at_once_cannot_both_fit_the_allowance(admin: PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let desk = c.desk_pool(DESK_A, 2).await;
    // 2 recovery sessions a month; three slots in one month that is always in the future.
    let member = c.members_on_plan(1, "ESSENTIAL").await[0];
    let day = chrono::NaiveDate::from_ymd_opt(2099, 6, 10).unwrap();
    sqlx::query("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(day)
        .execute(&c.admin)
        .await
        .unwrap();
    let slots: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select id from benefit_slots where local_date = $1 and branch_id = $2 order by starts_at limit 3",
    )
    .bind(day)
    .bind(c.branch_a())
    .fetch_all(&c.admin)
    .await
    .unwrap();
    book(
        &desk,
        &desk_request(BookingKind::Recovery, slots[0], member, staff),
    )
    .await
    .unwrap();

    // The first of the two: booked (2 of 2) but not yet committed.
    let mut first = desk.begin().await.unwrap();
    book(
        &mut *first,
        &desk_request(BookingKind::Recovery, slots[1], member, staff),
    )
    .await
    .unwrap();
    let second = tokio::spawn({
        let desk = desk.clone();
        let request = desk_request(BookingKind::Recovery, slots[2], member, staff);
        async move { book(&desk, &request).await }
    });
    loop {
        assert!(
            !second.is_finished(),
            "the second booking finished while the first was uncommitted: {:?}",
            second.await.unwrap()
        );
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock'",
        )
        .fetch_one(&c.admin)
        .await
        .unwrap();
        if waiting == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    first.commit().await.unwrap();

    let e = second.await.unwrap().unwrap_err();
    assert_eq!(e.message(), "Plan allowance used: 2 of 2 this month");
    let used: i64 = sqlx::query_scalar(
        "select count(*) from benefit_bookings where member_id = $1 and status <> 'cancelled'",
    )
    .bind(member)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(used, 2, "the member holds exactly the plan's two sessions");
}
