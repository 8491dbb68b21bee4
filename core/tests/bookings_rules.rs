//! Booking rules one at a time: override, allowance, who may book for whom, transitions,
//! entitlements, and bad input with no partial write.

mod common;

use branch_desk_core::bookings::{
    book, cancel, set_attendance, Attendance, BookingKind, BookingRequest,
};
use branch_desk_core::members::entitlements;
use branch_desk_core::Error;
use common::{club, desk_request, sqlstate, DESK_A, DESK_B};
use sqlx::PgPool;
use uuid::Uuid;

async fn count(admin: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(admin)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn capacity_override_needs_permission_and_reason_and_is_recorded(admin: PgPool) {
    let c = club(admin).await;
    let (front_desk, manager) = (c.staff("frank.desk.ldn"), c.staff("maya.manager.ldn"));
    let desk = c.desk_pool(DESK_A, 2).await;
    for kind in [BookingKind::Class, BookingKind::Recovery] {
        let target = match kind {
            BookingKind::Class => c.future_class(c.branch_a(), 1).await,
            BookingKind::Recovery => c.future_slot("LDN", 1).await,
        };
        let m = c.members_on_plan(2, "PREMIUM").await;
        book(&desk, &desk_request(kind, target, m[0], front_desk))
            .await
            .unwrap();

        let plain = book(&desk, &desk_request(kind, target, m[1], front_desk))
            .await
            .unwrap_err();
        assert_eq!(plain.message(), "Full: 1 of 1 booked", "{kind:?}");

        let mut r = desk_request(kind, target, m[1], front_desk);
        r.override_capacity = true;
        r.override_reason = Some("VIP guest".into());
        let e = book(&desk, &r).await.unwrap_err();
        assert!(
            matches!(&e, Error::NotAllowed(m) if m.contains("manager")),
            "front desk may not override: {e:?}"
        );

        r.staff_id = Some(manager);
        r.override_reason = Some("  ".into());
        let e = book(&desk, &r).await.unwrap_err();
        assert!(
            matches!(&e, Error::Invalid { reason, .. } if reason.contains("reason")),
            "a reason is required: {e:?}"
        );

        r.override_reason = Some("Physio referral".into());
        let b = book(&desk, &r)
            .await
            .expect("a manager with a reason may override");
        assert!(b.capacity_override && !b.allowance_override);
        assert_eq!(b.override_reason.as_deref(), Some("Physio referral"));
        let by: Option<Uuid> = sqlx::query_scalar(&format!(
            "select override_by_staff_id from {} where id = $1",
            if kind == BookingKind::Class {
                "class_bookings"
            } else {
                "benefit_bookings"
            }
        ))
        .bind(b.id)
        .fetch_one(&c.admin)
        .await
        .unwrap();
        assert_eq!(by, Some(manager), "the booking records who overrode");
    }
    // A front-desk member of staff given the permission explicitly may override.
    sqlx::query("update staff set can_override = true where id = $1")
        .bind(front_desk)
        .execute(&c.admin)
        .await
        .unwrap();
    let class = c.future_class(c.branch_a(), 1).await;
    let m = c.members_on_plan(2, "PREMIUM").await;
    book(
        &desk,
        &desk_request(BookingKind::Class, class, m[0], front_desk),
    )
    .await
    .unwrap();
    let mut r = desk_request(BookingKind::Class, class, m[1], front_desk);
    r.override_capacity = true;
    r.override_reason = Some("Instructor's guest".into());
    assert!(
        book(&desk, &r).await.is_ok(),
        "the permission, not the role, decides"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn booking_past_the_allowance_needs_an_override(admin: PgPool) {
    let c = club(admin).await;
    let (front_desk, manager) = (c.staff("frank.desk.ldn"), c.staff("maya.manager.ldn"));
    let desk = c.desk_pool(DESK_A, 2).await;
    // 2 recovery sessions a month.
    let member = c.members_on_plan(1, "ESSENTIAL").await[0];
    // Three slots in the same month, far from a month boundary in any zone, and in the future
    // whenever the test runs (a slot that has started cannot be booked).
    let month = chrono::NaiveDate::from_ymd_opt(2099, 6, 10).unwrap();
    sqlx::query("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(month)
        .execute(&c.admin)
        .await
        .unwrap();
    let slots: Vec<Uuid> = sqlx::query_scalar("select id from benefit_slots where local_date = $1 and branch_id = $2 order by starts_at limit 3")
        .bind(month)
        .bind(c.branch_a())
        .fetch_all(&c.admin)
        .await
        .unwrap();
    for s in &slots[..2] {
        book(
            &desk,
            &desk_request(BookingKind::Recovery, *s, member, front_desk),
        )
        .await
        .unwrap();
    }
    let e = book(
        &desk,
        &desk_request(BookingKind::Recovery, slots[2], member, front_desk),
    )
    .await
    .unwrap_err();
    assert_eq!(e.message(), "Plan allowance used: 2 of 2 this month");

    let mut r = desk_request(BookingKind::Recovery, slots[2], member, manager);
    r.override_allowance = true;
    r.override_reason = Some("Complimentary session".into());
    let b = book(&desk, &r).await.expect("allowed with an override");
    assert!(b.allowance_override && !b.capacity_override);

    let at = month.and_hms_opt(12, 0, 0).unwrap().and_utc();
    let ent = entitlements(&desk, member, at).await.unwrap();
    let recovery = ent.iter().find(|e| e.kind == "recovery").unwrap();
    assert_eq!(
        (recovery.allowance, recovery.used, recovery.remaining),
        (Some(2), 3, Some(0))
    );
    let classes = ent.iter().find(|e| e.kind == "class").unwrap();
    assert_eq!(
        (classes.allowance, classes.used, classes.remaining),
        (Some(8), 0, Some(8))
    );

    // A plan without classes: booking one needs an override, with a message that says why.
    sqlx::query("delete from plan_entitlements where plan_id = $1 and kind = 'class'")
        .bind(c.club.plan("ESSENTIAL"))
        .execute(&c.admin)
        .await
        .unwrap();
    let class = c.future_class(c.branch_a(), 10).await;
    let e = book(
        &desk,
        &desk_request(BookingKind::Class, class, member, front_desk),
    )
    .await
    .unwrap_err();
    assert_eq!(e.message(), "The member's plan does not include classes");
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn members_book_for_themselves_and_desks_at_their_branch(admin: PgPool) {
    let c = club(admin).await;
    sqlx::query("update members set plan_id = $1 where id = any($2)")
        .bind(c.club.plan("PREMIUM"))
        .bind(vec![c.member_a.id, c.member_b.id])
        .execute(&c.admin)
        .await
        .unwrap();
    let class_a = c.future_class(c.branch_a(), 10).await;
    let own = BookingRequest {
        staff_id: None,
        ..desk_request(BookingKind::Class, class_a, c.member_a.id, Uuid::nil())
    };

    let mut member_a = c.member(c.member_a).await;
    let b = book(&mut member_a, &own)
        .await
        .expect("a member books for themselves");
    assert_eq!(b.booked_by_staff_id, None);
    let for_b = BookingRequest {
        member_id: c.member_b.id,
        idempotency_key: Uuid::new_v4(),
        ..own.clone()
    };
    let e = book(&mut member_a, &for_b).await.unwrap_err();
    assert!(
        matches!(e, Error::NotAllowed(_)),
        "a member cannot book for another member: {e:?}"
    );
    let as_staff = BookingRequest {
        staff_id: Some(c.staff("frank.desk.ldn")),
        idempotency_key: Uuid::new_v4(),
        ..own.clone()
    };
    assert!(
        matches!(
            book(&mut member_a, &as_staff).await,
            Err(Error::NotAllowed(_))
        ),
        "a member cannot act as staff"
    );
    let e = set_attendance(
        &mut member_a,
        BookingKind::Class,
        b.id,
        Attendance::Attended,
        c.staff("frank.desk.ldn"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, Error::NotAllowed(_)),
        "members cannot check themselves in: {e:?}"
    );
    assert_eq!(
        sqlstate(
            sqlx::query("select * from search_members('smith')")
                .fetch_all(&mut member_a)
                .await
        ),
        "42501",
        "members cannot search members"
    );

    let mut desk_b = c.desk(DESK_B).await;
    let e = book(
        &mut desk_b,
        &desk_request(
            BookingKind::Class,
            class_a,
            c.member_b.id,
            c.staff("ben.desk.nyc"),
        ),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, Error::NotAllowed(_)),
        "desk B cannot book at branch A: {e:?}"
    );
    let e = cancel(
        &mut desk_b,
        BookingKind::Class,
        b.id,
        Some(c.staff("ben.desk.nyc")),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, Error::NotAllowed(_)),
        "desk B cannot cancel at branch A: {e:?}"
    );
    let mut desk_a = c.desk(DESK_A).await;
    let e = book(
        &mut desk_a,
        &desk_request(
            BookingKind::Class,
            class_a,
            c.member_b.id,
            c.staff("ben.desk.nyc"),
        ),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, Error::NotAllowed(_)),
        "a branch B staff member cannot act at desk A: {e:?}"
    );
    let no_staff = BookingRequest {
        staff_id: None,
        idempotency_key: Uuid::new_v4(),
        member_id: c.member_b.id,
        ..own.clone()
    };
    assert!(
        matches!(
            book(&mut desk_a, &no_staff).await,
            Err(Error::Invalid { .. })
        ),
        "a desk booking records the signed-in staff member"
    );
    assert!(
        book(
            &mut desk_a,
            &desk_request(
                BookingKind::Class,
                class_a,
                c.member_b.id,
                c.staff("hq.manager")
            )
        )
        .await
        .is_ok(),
        "head-office staff act at any desk"
    );

    let mut anon = c.anon().await;
    for sql in [
        "select book_class(gen_random_uuid(), gen_random_uuid(), gen_random_uuid())",
        "select book_benefit_slot(gen_random_uuid(), gen_random_uuid(), gen_random_uuid())",
        "select cancel_booking('class', gen_random_uuid())",
        "select set_booking_status('class', gen_random_uuid(), 'attended', gen_random_uuid())",
        "select * from member_entitlements(gen_random_uuid())",
        "select * from search_members('a')",
    ] {
        assert_eq!(
            sqlstate(sqlx::query(sql).execute(&mut anon).await),
            "42501",
            "anon can do nothing: {sql}"
        );
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn transitions_and_cancel_window(admin: PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let desk = c.desk_pool(DESK_A, 2).await;
    sqlx::query("update members set plan_id = $1 where id = $2")
        .bind(c.club.plan("PREMIUM"))
        .bind(c.member_a.id)
        .execute(&c.admin)
        .await
        .unwrap();

    let class = c.future_class(c.branch_a(), 10).await;
    let b = book(
        &desk,
        &desk_request(BookingKind::Class, class, c.member_a.id, staff),
    )
    .await
    .unwrap();
    let e = set_attendance(&desk, BookingKind::Class, b.id, Attendance::NoShow, staff)
        .await
        .unwrap_err();
    assert!(
        e.message().contains("once it has started"),
        "no-show before the start is refused: {e:?}"
    );
    set_attendance(&desk, BookingKind::Class, b.id, Attendance::Attended, staff)
        .await
        .expect("check-in");
    let e = cancel(&desk, BookingKind::Class, b.id, Some(staff))
        .await
        .unwrap_err();
    assert!(
        e.message().contains("attended and cannot be cancelled"),
        "{e:?}"
    );
    let e = set_attendance(&desk, BookingKind::Class, b.id, Attendance::NoShow, staff)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Invalid { .. }),
        "attended cannot become no-show: {e:?}"
    );
    let e = book(
        &desk,
        &desk_request(BookingKind::Class, class, c.member_a.id, staff),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::AlreadyBooked), "{e:?}");

    // Member cancels: fine two days ahead; within the plan's window it is refused.
    let slot = c.future_slot("LDN", 4).await;
    let mut member = c.member(c.member_a).await;
    let own = BookingRequest {
        staff_id: None,
        ..desk_request(BookingKind::Recovery, slot, c.member_a.id, staff)
    };
    let b = book(&mut member, &own).await.unwrap();
    cancel(&mut member, BookingKind::Recovery, b.id, None)
        .await
        .expect("a member cancels ahead of the window");
    let cancelled: (String, Option<String>, bool) = sqlx::query_as(
        "select status, cancelled_by, cancelled_at is not null from benefit_bookings where id = $1",
    )
    .bind(b.id)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        cancelled,
        ("cancelled".into(), Some("member".into()), true),
        "who and when are recorded"
    );
    let e = cancel(&mut member, BookingKind::Recovery, b.id, None)
        .await
        .unwrap_err();
    assert!(
        e.message().contains("cancelled and cannot be cancelled"),
        "{e:?}"
    );
    let again = BookingRequest {
        idempotency_key: Uuid::new_v4(),
        ..own.clone()
    };
    let b2 = book(&mut member, &again)
        .await
        .expect("rebooking after a cancellation is allowed");
    sqlx::query("update membership_plans set cancel_window_minutes = 10080 where id = $1")
        .bind(c.club.plan("PREMIUM"))
        .execute(&c.admin)
        .await
        .unwrap();
    let e = cancel(&mut member, BookingKind::Recovery, b2.id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::NotAllowed(m) if m.contains("too late")),
        "{e:?}"
    );
    cancel(&desk, BookingKind::Recovery, b2.id, Some(staff))
        .await
        .expect("staff may cancel any time");
    let by: Option<String> =
        sqlx::query_scalar("select cancelled_by from benefit_bookings where id = $1")
            .bind(b2.id)
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert_eq!(by.as_deref(), Some("staff"));
    let (booked_count,): (i32,) =
        sqlx::query_as("select booked_count from benefit_slots where id = $1")
            .bind(slot)
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert_eq!(booked_count, 0, "cancellations free the place");

    // Nothing was deleted along the way.
    assert_eq!(count(&c.admin, "benefit_bookings").await, 2);
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn bad_input_to_every_function_is_refused_without_writes(admin: PgPool) {
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let desk = c.desk_pool(DESK_A, 2).await;
    let class = c.future_class(c.branch_a(), 10).await;
    let slot = c.future_slot("LDN", 4).await;
    let member = c.members_on_plan(1, "PREMIUM").await[0];
    let before = (
        count(&c.admin, "class_bookings").await,
        count(&c.admin, "benefit_bookings").await,
    );

    /// What the error must be, for each bad call.
    type Expect = Box<dyn Fn(&Error) -> bool>;
    let cases: Vec<(&str, Expect)> = vec![
        (
            "select book_class(null, gen_random_uuid(), gen_random_uuid(), null)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select book_class($1, null, gen_random_uuid(), $4)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select book_class($1, $2, null, $4)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select book_class(gen_random_uuid(), $2, gen_random_uuid(), $4)",
            Box::new(|e| matches!(e, Error::NotFound(_))),
        ),
        (
            "select book_class($1, gen_random_uuid(), gen_random_uuid(), $4)",
            Box::new(|e| matches!(e, Error::NotFound(_))),
        ),
        (
            "select book_class($1, $2, gen_random_uuid(), gen_random_uuid())",
            Box::new(|e| matches!(e, Error::NotAllowed(_))),
        ),
        (
            "select book_class($1, $2, gen_random_uuid(), $4, true, false, repeat('x', 10000))",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select book_benefit_slot($3, null, gen_random_uuid(), $4)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select book_benefit_slot(gen_random_uuid(), $2, gen_random_uuid(), $4)",
            Box::new(|e| matches!(e, Error::NotFound(_))),
        ),
        (
            "select cancel_booking('spa', gen_random_uuid(), $4)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select cancel_booking(null, null, $4)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select cancel_booking('class', gen_random_uuid(), $4)",
            Box::new(|e| matches!(e, Error::NotFound(_))),
        ),
        (
            "select set_booking_status('class', gen_random_uuid(), 'teleported', $4)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select set_booking_status('recovery', gen_random_uuid(), 'attended', $4)",
            Box::new(|e| matches!(e, Error::NotFound(_))),
        ),
        (
            "select * from member_entitlements(null)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select * from member_entitlements(gen_random_uuid())",
            Box::new(|e| matches!(e, Error::NotFound(_))),
        ),
        (
            "select * from search_members(repeat('a', 10000))",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select * from search_members('a', 0)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
        (
            "select book_class($1, $2, 'not-a-uuid', $4)",
            Box::new(|e| matches!(e, Error::Invalid { .. })),
        ),
    ];
    for (sql, expected) in cases {
        // Every case binds the same four typed parameters: class, member, slot, staff.
        let result = sqlx::query(
            &sql.replace("$1", "$1::uuid")
                .replace("$2", "$2::uuid")
                .replace("$3", "$3::uuid")
                .replace("$4", "$4::uuid"),
        )
        .bind(class)
        .bind(member)
        .bind(slot)
        .bind(staff)
        .execute(&desk)
        .await;
        let err = match result {
            Err(e) => Error::from(e),
            Ok(_) => panic!("{sql} should be refused"),
        };
        assert!(
            !matches!(err, Error::Database(_)),
            "{sql}: raw database error {err:?}"
        );
        assert!(
            expected(&err),
            "{sql}: unexpected {err:?} ({})",
            err.message()
        );
    }
    let after = (
        count(&c.admin, "class_bookings").await,
        count(&c.admin, "benefit_bookings").await,
    );
    assert_eq!(before, after, "no partial write");
}
