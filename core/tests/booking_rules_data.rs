//! The booking rules live once, as data in the database (migration 20261201000800): the desk
//! reads them, the functions follow them (change a row and what they allow changes), and the
//! columns' CHECK constraints, kept as the storage's backstop, say the same. The rules as a desk
//! reads them are written to `ui/src/fixtures/booking-rules.json` for the UI's unit tests (the
//! test command fails when the committed file is stale).

mod common;

use std::collections::BTreeSet;

use branch_desk_core::bookings::{book, cancel, set_attendance, Attendance, BookingKind};
use branch_desk_core::rules::booking_rules;
use branch_desk_core::Error;
use common::{club, desk_request, DESK_A};
use sqlx::PgPool;

async fn constraint_def(admin: &PgPool, name: &str) -> String {
    sqlx::query_scalar("select pg_get_constraintdef(oid) from pg_constraint where conname = $1")
        .bind(name)
        .fetch_one(admin)
        .await
        .unwrap()
}

fn numbers(text: &str) -> Vec<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_desk_reads_the_rules_and_the_constraints_agree(admin: PgPool) {
    let c = club(admin).await;
    let desk = c.desk_pool(DESK_A, 1).await;
    let rules = booking_rules(&mut desk.acquire().await.unwrap())
        .await
        .unwrap();
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    std::fs::write(
        fixtures.join("booking-rules.json"),
        serde_json::to_string_pretty(&rules).unwrap() + "\n",
    )
    .unwrap();
    let order: Vec<&str> = rules.statuses.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(
        order,
        ["booked", "waitlisted", "attended", "no_show", "cancelled"]
    );
    assert_eq!(
        (rules.override_reason_min, rules.override_reason_max),
        (3, 500)
    );
    assert!(rules
        .changes
        .iter()
        .any(|ch| ch.from_status == "booked" && ch.to_status == "no_show" && ch.once_started));

    for (constraint, classes) in [
        ("class_bookings_status", true),
        ("benefit_bookings_status", false),
    ] {
        let def = constraint_def(&c.admin, constraint).await;
        let allowed: BTreeSet<&str> = def.split('\'').skip(1).step_by(2).collect();
        let expected: BTreeSet<&str> = rules
            .statuses
            .iter()
            .filter(|s| classes || !s.classes_only)
            .map(|s| s.status.as_str())
            .collect();
        assert_eq!(allowed, expected, "{constraint}: {def}");
    }
    for constraint in [
        "class_bookings_override_reason_length",
        "benefit_bookings_override_reason_length",
    ] {
        let def = constraint_def(&c.admin, constraint).await;
        assert_eq!(
            numbers(&def),
            [rules.override_reason_min, rules.override_reason_max],
            "{constraint}: {def}"
        );
    }
}

fn refused(result: Result<impl std::fmt::Debug, Error>, starts: &str) {
    match result {
        Err(Error::Invalid { reason, .. }) if reason.starts_with(starts) => {}
        other => panic!("expected a refusal starting {starts:?}, got {other:?}"),
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn the_functions_follow_the_rules_rows(admin: PgPool) {
    let c = club(admin).await;
    let desk = c.desk_pool(DESK_A, 1).await;
    let manager = c.staff("maya.manager.ldn");
    let members = c.members_on_plan(3, "PREMIUM").await;
    let class = c.future_class(c.branch_a(), 5).await;
    let rule = |sql: &'static str| {
        let admin = c.admin.clone();
        async move { sqlx::query(sql).execute(&admin).await.unwrap() }
    };

    // A no-show before the class has started is refused while the row says "once started" ...
    let b = book(
        &desk,
        &desk_request(BookingKind::Class, class, members[0], manager),
    )
    .await
    .unwrap();
    refused(
        set_attendance(&desk, BookingKind::Class, b.id, Attendance::NoShow, manager).await,
        "A booking can be marked as a no-show only once it has started",
    );
    // ... and taken once the row says otherwise.
    rule("update booking_status_changes set once_started = false where to_status = 'no_show'")
        .await;
    set_attendance(&desk, BookingKind::Class, b.id, Attendance::NoShow, manager)
        .await
        .unwrap();
    // A late arrival is checked in while the change is listed, refused once it is not.
    rule("delete from booking_status_changes where from_status = 'no_show' and to_status = 'attended'")
        .await;
    refused(
        set_attendance(
            &desk,
            BookingKind::Class,
            b.id,
            Attendance::Attended,
            manager,
        )
        .await,
        "A booking that is no-show cannot become attended",
    );

    // Cancelling follows the rows too.
    let b2 = book(
        &desk,
        &desk_request(BookingKind::Class, class, members[1], manager),
    )
    .await
    .unwrap();
    rule("delete from booking_status_changes where from_status = 'booked' and to_status = 'cancelled'")
        .await;
    refused(
        cancel(&desk, BookingKind::Class, b2.id, Some(manager)).await,
        "This booking is booked and cannot be cancelled",
    );

    // The reason's length is the function's.
    rule(
        "create or replace function public.override_reason_max_length() returns integer
           language sql immutable set search_path = pg_catalog, pg_temp return 10",
    )
    .await;
    let mut r = desk_request(BookingKind::Class, class, members[2], manager);
    r.override_capacity = true;
    r.override_reason = Some("Physio referral".into());
    refused(
        book(&desk, &r).await,
        "The override reason is too long: use at most 10 characters",
    );
    assert_eq!(
        booking_rules(&mut desk.acquire().await.unwrap())
            .await
            .unwrap()
            .override_reason_max,
        10,
        "the desk reads the same limit"
    );

    // A club database from before the rules were data: refused in words, not "internal".
    rule("drop table booking_status_changes").await;
    refused(
        booking_rules(&mut desk.acquire().await.unwrap()).await,
        "The club database is older than this app",
    );
}
