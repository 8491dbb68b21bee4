//! ensure_facility_slots and the slot API: the original bug, the slot rules, concurrency,
//! daylight saving, and bad input. Real PostgreSQL; each test has its own migrated database.

mod common;

use std::collections::BTreeSet;

use branch_desk_core::slots::{ensure_slots, list_slots};
use branch_desk_core::Error;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use common::{club, sqlstate, DESK_A};
use sqlx::{PgPool, Row};
use uuid::Uuid;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A week (Monday to Sunday) that stays in the future, so "future slots" rules apply to all of
/// it whenever the tests run (a slot that has started is never removed). London is on GMT and
/// New York on EST on its Monday.
const WEEK: (&str, &str) = ("2099-03-02", "2099-03-08");

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn member_calls_ensure_then_sees_this_weeks_slots_but_cannot_insert(admin: PgPool) {
    let c = club(admin).await;
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let sunday = monday + Duration::days(6);
    let mut member = c.member(c.member_a).await;

    let before: i64 =
        sqlx::query_scalar("select count(*) from benefit_slots where local_date between $1 and $2")
            .bind(monday)
            .bind(sunday)
            .fetch_one(&mut member)
            .await
            .unwrap();
    assert_eq!(
        before, 0,
        "nothing is materialised before the call (the original symptom)"
    );

    let inserted: i32 = sqlx::query_scalar("select ensure_facility_slots($1, $2, $3)")
        .bind(c.branch_a())
        .bind(monday)
        .bind(sunday)
        .fetch_one(&mut member)
        .await
        .expect("a member may call ensure_facility_slots");
    assert!(inserted > 0, "the call materialises this week's slots");

    let visible: i64 = sqlx::query_scalar(
        "select count(*) from benefit_slots where branch_id = $1 and local_date between $2 and $3",
    )
    .bind(c.branch_a())
    .bind(monday)
    .bind(sunday)
    .fetch_one(&mut member)
    .await
    .unwrap();
    assert_eq!(
        visible, inserted as i64,
        "the member sees every slot the call made: the Recovery tab is no longer empty"
    );

    let direct = sqlx::query(
        "insert into benefit_slots (facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
         values ($1, $2, now(), now() + interval '30 minutes', current_date, '10:00', '10:30', 4)",
    )
    .bind(c.club.branch("LDN").facility("Sauna"))
    .bind(c.branch_a())
    .execute(&mut member)
    .await;
    assert_eq!(
        sqlstate(direct),
        "42501",
        "a member's direct INSERT into benefit_slots is denied"
    );

    // A member makes slots only near today; a desk anywhere (managers plan ahead).
    let far = sqlx::query_scalar::<_, i32>("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(date("3000-01-06"))
        .fetch_one(&mut member)
        .await;
    let err = Error::from(far.unwrap_err());
    assert!(
        matches!(err, Error::Invalid { .. })
            && err.message().starts_with("Slots can be opened from "),
        "a member's far-off range is refused in words: {err:?}"
    );
    let in_a_month = today + Duration::days(30);
    sqlx::query_scalar::<_, i32>("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(in_a_month)
        .fetch_one(&mut member)
        .await
        .expect("a member may open slots a month ahead");
    let mut desk = c.desk(DESK_A).await;
    let made: i32 = sqlx::query_scalar("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(date("3000-01-06"))
        .fetch_one(&mut desk)
        .await
        .expect("a desk may open any week");
    let far_slots: i64 =
        sqlx::query_scalar("select count(*) from benefit_slots where local_date = '3000-01-06'")
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert_eq!(
        (made > 0, far_slots),
        (true, made as i64),
        "only the desk's call made slots in 3000"
    );
    let direct = sqlx::query("select materialise_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(date("3000-01-07"))
        .execute(&mut member)
        .await;
    assert_eq!(
        sqlstate(direct),
        "42501",
        "the window cannot be skipped by calling the function behind it"
    );
}

async fn slot_times(
    db: &PgPool,
    facility: Uuid,
    day: NaiveDate,
) -> Vec<(NaiveTime, NaiveTime, i32)> {
    sqlx::query_as(
        "select local_start, local_end, capacity from benefit_slots where facility_id = $1 and local_date = $2 order by starts_at",
    )
    .bind(facility)
    .bind(day)
    .fetch_all(db)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn slot_rules_follow_facility_configuration(admin: PgPool) {
    let c = club(admin).await;
    let ldn = c.club.branch("LDN");
    let desk = c.desk_pool(DESK_A, 2).await;
    let (start, end) = (date(WEEK.0), date(WEEK.1));

    let inserted = ensure_slots(&desk, ldn.id, start, end).await.unwrap();
    assert!(inserted > 0);

    let steam = slot_times(&c.admin, ldn.facility("Steam Room"), start).await;
    assert!(
        steam.is_empty(),
        "a facility under maintenance gets no slots"
    );

    let sunday = date(WEEK.1);
    assert!(
        slot_times(&c.admin, ldn.facility("Cold Plunge"), sunday)
            .await
            .is_empty(),
        "Cold Plunge is closed on Sundays (ISO day 7)"
    );
    let plunge_monday = slot_times(&c.admin, ldn.facility("Cold Plunge"), start).await;
    assert_eq!(
        plunge_monday.len(),
        14 * 4,
        "07:00-21:00 in 15-minute slots"
    );
    assert_eq!(
        plunge_monday[0],
        (
            NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(7, 15, 0).unwrap(),
            2
        )
    );

    let tuesday = start + Duration::days(1);
    assert!(
        slot_times(&c.admin, ldn.facility("Infrared Sauna"), tuesday)
            .await
            .is_empty(),
        "Infrared is not offered on Tuesdays"
    );
    let infrared = slot_times(&c.admin, ldn.facility("Infrared Sauna"), start).await;
    assert_eq!(
        infrared.len(),
        32,
        "no settings: 06:00-22:00 in 30-minute slots"
    );
    assert_eq!(
        infrared.first().unwrap().0,
        NaiveTime::from_hms_opt(6, 0, 0).unwrap()
    );
    assert_eq!(
        infrared.last().unwrap().1,
        NaiveTime::from_hms_opt(22, 0, 0).unwrap()
    );
    assert!(
        infrared.iter().all(|s| s.2 == 4),
        "no settings: the documented default capacity 4"
    );

    sqlx::query("update facilities set is_active = false where id = $1")
        .bind(ldn.facility("Sauna"))
        .execute(&c.admin)
        .await
        .unwrap();
    let next_week = (start + Duration::days(7), end + Duration::days(7));
    ensure_slots(&desk, ldn.id, next_week.0, next_week.1)
        .await
        .unwrap();
    assert!(
        slot_times(&c.admin, ldn.facility("Sauna"), next_week.0)
            .await
            .is_empty(),
        "an inactive facility gets no slots"
    );

    assert_eq!(
        ensure_slots(&desk, ldn.id, start, end).await.unwrap(),
        0,
        "a re-run inserts nothing"
    );
    let nyc_slots: i64 =
        sqlx::query_scalar("select count(*) from benefit_slots where branch_id = $1")
            .bind(c.branch_b())
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert_eq!(nyc_slots, 0, "only the requested branch is materialised");
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn booked_slots_survive_a_settings_change(admin: PgPool) {
    let c = club(admin).await;
    let ldn = c.club.branch("LDN");
    let sauna = ldn.facility("Sauna");
    let day = date(WEEK.0);
    ensure_slots(&c.admin, ldn.id, day, day).await.unwrap();
    let before = slot_times(&c.admin, sauna, day).await;
    assert_eq!(before.len(), 21, "06:00-22:00 in 45-minute slots");

    // Book the 06:45 slot (as the booking functions would: a booking row and the counter).
    let booked: (Uuid, DateTime<Utc>) = sqlx::query_as(
        "select id, starts_at from benefit_slots where facility_id = $1 and local_date = $2 and local_start = '06:45'",
    )
    .bind(sauna)
    .bind(day)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    let member: Uuid = c.member_a.id;
    sqlx::query("insert into benefit_bookings (slot_id, member_id, branch_id, starts_at) values ($1, $2, $3, $4)")
        .bind(booked.0)
        .bind(member)
        .bind(ldn.id)
        .bind(booked.1)
        .execute(&c.admin)
        .await
        .unwrap();
    sqlx::query("update benefit_slots set booked_count = 1 where id = $1")
        .bind(booked.0)
        .execute(&c.admin)
        .await
        .unwrap();

    sqlx::query(
        "update benefit_settings set slot_minutes = 60, capacity = 10 where facility_id = $1",
    )
    .bind(sauna)
    .execute(&c.admin)
    .await
    .unwrap();
    let inserted = ensure_slots(&c.admin, ldn.id, day, day).await.unwrap();
    assert_eq!(inserted, 16, "the new 60-minute grid is materialised");

    let kept: (NaiveTime, NaiveTime, i32, i32) = sqlx::query_as(
        "select local_start, local_end, capacity, booked_count from benefit_slots where id = $1",
    )
    .bind(booked.0)
    .fetch_one(&c.admin)
    .await
    .expect("the booked slot still exists");
    assert_eq!(
        kept,
        (
            NaiveTime::from_hms_opt(6, 45, 0).unwrap(),
            NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
            8,
            1
        ),
        "a booked slot is never changed"
    );
    let after = slot_times(&c.admin, sauna, day).await;
    assert_eq!(
        after.len(),
        17,
        "16 new slots plus the booked one; unbooked stale slots are gone"
    );
    assert!(
        after.iter().filter(|s| s.2 == 8).count() == 1,
        "only the booked slot keeps the old capacity"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn twenty_concurrent_calls_make_no_error_and_no_duplicate(admin: PgPool) {
    let c = club(admin).await;
    let branch = c.branch_a();
    let desk = c.desk_pool(DESK_A, 20).await;
    let (start, end) = (date("2027-05-01"), date("2027-05-31"));

    // Hold 20 real connections, then release all calls at once.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let mut conn = desk.acquire().await.unwrap();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            ensure_slots(&mut *conn, branch, start, end).await
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap().expect("no concurrent call fails");
    }
    let row = sqlx::query(
        "select count(*) as n, count(distinct (facility_id, starts_at)) as distinct_n from benefit_slots where branch_id = $1",
    )
    .bind(branch)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    let (n, distinct_n): (i64, i64) = (row.get("n"), row.get("distinct_n"));
    assert!(n > 0);
    assert_eq!(n, distinct_n, "no duplicate slot");
    assert_eq!(
        total as i64, n,
        "the calls together inserted each slot exactly once"
    );
    assert_eq!(ensure_slots(&desk, branch, start, end).await.unwrap(), 0);
}

/// Independent oracle: chrono-tz's reading of each wall-clock time, first occurrence on fall-back.
fn expected_slots(
    tz: chrono_tz::Tz,
    day: NaiveDate,
    open: u32,
    close: u32,
    minutes: i64,
) -> BTreeSet<(NaiveTime, DateTime<Utc>)> {
    let mut out = BTreeSet::new();
    let mut t = day.and_hms_opt(open, 0, 0).unwrap();
    let end = day.and_hms_opt(close, 0, 0).unwrap();
    while t + Duration::minutes(minutes) <= end {
        if let Some(instant) = tz.from_local_datetime(&t).earliest() {
            out.insert((t.time(), instant.with_timezone(&Utc)));
        }
        t += Duration::minutes(minutes);
    }
    out
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn daylight_saving_days_in_three_zones_under_three_session_zones(admin: PgPool) {
    let c = club(admin).await;
    // (branch code, zone, spring-forward day, fall-back day) in 2027
    let cases = [
        ("LDN", chrono_tz::Europe::London, "2027-03-28", "2027-10-31"),
        (
            "NYC",
            chrono_tz::America::New_York,
            "2027-03-14",
            "2027-11-07",
        ),
        (
            "SYD",
            chrono_tz::Australia::Sydney,
            "2027-10-03",
            "2027-04-04",
        ),
    ];
    let mut desk = c.desk(common::DESK_HQ).await;
    for (code, tz, spring, fall) in cases {
        let branch = c.club.branch(code);
        let facility = branch.facility("Sauna");
        // Open through the night so the transitions fall inside opening hours.
        sqlx::query("update benefit_settings set open_time = '00:00', close_time = '05:00', slot_minutes = 30 where facility_id = $1")
            .bind(facility)
            .execute(&c.admin)
            .await
            .unwrap();
        for (kind, day) in [("spring", date(spring)), ("fall", date(fall))] {
            let expected = expected_slots(tz, day, 0, 5, 30);
            assert_eq!(
                expected.len(),
                if kind == "spring" { 8 } else { 10 },
                "oracle sanity for {code} {kind}"
            );
            for session_zone in ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"] {
                sqlx::query("delete from benefit_slots where branch_id = $1")
                    .bind(branch.id)
                    .execute(&c.admin)
                    .await
                    .unwrap();
                sqlx::query(&format!("set timezone = '{session_zone}'"))
                    .execute(&mut desk)
                    .await
                    .unwrap();
                ensure_slots(&mut desk, branch.id, day, day).await.unwrap();
                let rows: Vec<(NaiveTime, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
                    "select local_start, starts_at, ends_at from benefit_slots where facility_id = $1 and local_date = $2",
                )
                .bind(facility)
                .bind(day)
                .fetch_all(&mut desk)
                .await
                .unwrap();
                let got: BTreeSet<_> = rows.iter().map(|r| (r.0, r.1)).collect();
                assert_eq!(
                    got, expected,
                    "{code} {kind} day {day} under session TimeZone {session_zone}"
                );
                assert_eq!(
                    got.len(),
                    rows.len(),
                    "each local time once ({code} {kind})"
                );
                assert!(
                    rows.iter().all(|r| r.2 - r.1 == Duration::minutes(30)),
                    "every slot lasts exactly 30 minutes of real time ({code} {kind}, {session_zone})"
                );
            }
        }
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn bad_input_gets_a_clear_error_and_writes_nothing(admin: PgPool) {
    let c = club(admin).await;
    let branch = c.branch_a();
    let mut desk = c.desk(DESK_A).await;
    let call = |b: Option<Uuid>, s: Option<NaiveDate>, e: Option<NaiveDate>| {
        sqlx::query_scalar::<_, i32>("select ensure_facility_slots($1, $2, $3)")
            .bind(b)
            .bind(s)
            .bind(e)
    };
    let count = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("select count(*) from benefit_slots")
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    let err = Error::from(
        call(
            Some(branch),
            Some(date("2027-03-10")),
            Some(date("2027-03-01")),
        )
        .fetch_one(&mut desk)
        .await
        .unwrap_err(),
    );
    assert!(
        matches!(&err, Error::Invalid { .. }) && err.message().contains("before the start date"),
        "reversed: {err:?}"
    );

    let err = Error::from(
        call(
            Some(branch),
            Some(date("2027-03-01")),
            Some(date("2027-05-02")),
        )
        .fetch_one(&mut desk)
        .await
        .unwrap_err(),
    );
    assert!(
        matches!(&err, Error::Invalid { .. }) && err.message().contains("too long"),
        "63 days: {err:?}"
    );
    let ok = call(
        Some(branch),
        Some(date("2027-03-01")),
        Some(date("2027-05-01")),
    )
    .fetch_one(&mut desk)
    .await;
    assert!(ok.is_ok(), "62 days is allowed: {ok:?}");
    sqlx::query("delete from benefit_slots")
        .execute(&c.admin)
        .await
        .unwrap();

    for (b, s, e) in [
        (None, Some(date("2027-03-01")), Some(date("2027-03-02"))),
        (Some(branch), None, Some(date("2027-03-01"))),
        (Some(branch), Some(date("2027-03-01")), None),
    ] {
        let err = Error::from(call(b, s, e).fetch_one(&mut desk).await.unwrap_err());
        assert!(
            matches!(&err, Error::Invalid { .. }) && err.message().contains("required"),
            "NULL argument: {err:?}"
        );
    }

    let err = Error::from(
        call(
            Some(Uuid::new_v4()),
            Some(date("2027-03-01")),
            Some(date("2027-03-02")),
        )
        .fetch_one(&mut desk)
        .await
        .unwrap_err(),
    );
    assert!(matches!(err, Error::NotFound(_)), "unknown branch: {err:?}");

    let err = Error::from(
        call(
            Some(c.branch_b()),
            Some(date("2027-03-01")),
            Some(date("2027-03-02")),
        )
        .fetch_one(&mut desk)
        .await
        .unwrap_err(),
    );
    assert!(
        matches!(err, Error::NotAllowed(_)),
        "desk A may not generate branch B's slots: {err:?}"
    );

    // The Rust API refuses the same before asking the database.
    assert!(matches!(
        ensure_slots(&c.admin, branch, date("2027-03-02"), date("2027-03-01")).await,
        Err(Error::Invalid {
            field: Some("end"),
            ..
        })
    ));
    assert!(matches!(
        list_slots(&c.admin, branch, date("2027-01-01"), date("2027-12-31")).await,
        Err(Error::Invalid { .. })
    ));
    assert_eq!(
        count(c.admin.clone()).await,
        0,
        "no failed call wrote anything"
    );

    // Broken settings are refused when written...
    let sauna = c.club.branch("LDN").facility("Sauna");
    for (sql, field) in [
        ("update benefit_settings set open_time = '20:00', close_time = '08:00' where facility_id = $1", "close_time"),
        ("update benefit_settings set slot_minutes = 0 where facility_id = $1", "slot_minutes"),
        ("update benefit_settings set capacity = 0 where facility_id = $1", "capacity"),
    ] {
        let err = Error::from(sqlx::query(sql).bind(sauna).execute(&c.admin).await.unwrap_err());
        assert!(matches!(err, Error::Invalid { field: Some(f), .. } if f == field), "{sql}: {err:?}");
    }
    // ...and a legacy database that already has them gets a clear error and no partial write.
    sqlx::query("alter table benefit_settings drop constraint benefit_settings_open_before_close, drop constraint benefit_settings_slot_fits")
        .execute(&c.admin)
        .await
        .unwrap();
    sqlx::query("update benefit_settings set open_time = '20:00', close_time = '08:00' where facility_id = $1")
        .bind(sauna)
        .execute(&c.admin)
        .await
        .unwrap();
    let err = Error::from(
        call(
            Some(branch),
            Some(date("2027-03-01")),
            Some(date("2027-03-07")),
        )
        .fetch_one(&mut desk)
        .await
        .unwrap_err(),
    );
    assert!(
        matches!(&err, Error::BrokenSettings(m) if m.contains("Sauna") && m.contains("closes before it opens")),
        "broken settings name the facility: {err:?}"
    );
    assert_eq!(
        count(c.admin.clone()).await,
        0,
        "no slot for any facility was written"
    );

    // Huge strings are refused by constraints, in words.
    let huge = "x".repeat(100_000);
    let err = Error::from(
        sqlx::query("update facilities set name = $2 where id = $1")
            .bind(sauna)
            .bind(&huge)
            .execute(&c.admin)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, Error::Invalid { .. }),
        "huge facility name: {err:?}"
    );
    let err = Error::from(
        sqlx::query("insert into branches (code, name, timezone) values ('ZZZ', 'Z', $1)")
            .bind(&huge)
            .execute(&c.admin)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            Error::Invalid {
                field: Some("timezone"),
                ..
            }
        ),
        "huge time zone: {err:?}"
    );
    let err = Error::from(
        sqlx::query(
            "insert into branches (code, name, timezone) values ('ZZZ', 'Z', 'Mars/Olympus')",
        )
        .execute(&c.admin)
        .await
        .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            Error::Invalid {
                field: Some("timezone"),
                ..
            }
        ),
        "unknown time zone: {err:?}"
    );

    let mut anon = c.anon().await;
    assert_eq!(
        sqlstate(
            call(
                Some(branch),
                Some(date("2027-03-01")),
                Some(date("2027-03-02"))
            )
            .fetch_one(&mut anon)
            .await
        ),
        "42501",
        "anon may not run ensure_facility_slots"
    );
}

/// The no-op re-run is answered from benefit_slot_days without touching a slot, and everything
/// that changes what a day should hold makes that day again: a slot removed by hand, a changed
/// setting, a facility under maintenance, a new time zone.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_rerun_does_nothing_until_the_configuration_or_the_slots_change(admin: PgPool) {
    let c = club(admin).await;
    let ldn = c.club.branch("LDN");
    let sauna = ldn.facility("Sauna");
    let (start, end) = (date(WEEK.0), date(WEEK.1));
    let count = |filter: &'static str| {
        let admin = c.admin.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!(
                "select count(*) from benefit_slots where branch_id = $1 and local_date between $2 and $3 and {filter}"
            ))
            .bind(ldn.id)
            .bind(start)
            .bind(end)
            .fetch_one(&admin)
            .await
            .unwrap()
        }
    };
    let made = ensure_slots(&c.admin, ldn.id, start, end).await.unwrap();
    assert!(made > 0);
    let days: i64 = sqlx::query_scalar(
        "select count(*) from benefit_slot_days where branch_id = $1 and local_date between $2 and $3",
    )
    .bind(ldn.id)
    .bind(start)
    .bind(end)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(days, 7, "each day of the range is recorded");
    let xmins =
        "select string_agg(xmin::text, ',' order by id) from benefit_slots where branch_id = $1";
    let before: String = sqlx::query_scalar(xmins)
        .bind(ldn.id)
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(ensure_slots(&c.admin, ldn.id, start, end).await.unwrap(), 0);
    assert_eq!(
        ensure_slots(&c.admin, ldn.id, start, start + Duration::days(2))
            .await
            .unwrap(),
        0
    );
    let after: String = sqlx::query_scalar(xmins)
        .bind(ldn.id)
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(before, after, "the re-run wrote no slot");

    // A slot removed by hand comes back.
    sqlx::query("delete from benefit_slots where id = (select id from benefit_slots where facility_id = $1 and local_date = $2 order by starts_at limit 1)")
        .bind(sauna)
        .bind(start)
        .execute(&c.admin)
        .await
        .unwrap();
    assert_eq!(ensure_slots(&c.admin, ldn.id, start, end).await.unwrap(), 1);

    // A changed capacity remakes the facility's (unbooked, future) slots.
    let all_slots = count("capacity > 0").await;
    sqlx::query("update benefit_settings set capacity = capacity + 1 where facility_id = $1")
        .bind(sauna)
        .execute(&c.admin)
        .await
        .unwrap();
    let remade = ensure_slots(&c.admin, ldn.id, start, end).await.unwrap();
    assert!(
        remade > 0,
        "the sauna's slots are made with the new capacity"
    );
    assert_eq!(
        count("capacity > 0").await,
        all_slots,
        "replaced, not added"
    );

    // Under maintenance: its unbooked slots go.
    sqlx::query("update facilities set under_maintenance = true where id = $1")
        .bind(sauna)
        .execute(&c.admin)
        .await
        .unwrap();
    assert_eq!(ensure_slots(&c.admin, ldn.id, start, end).await.unwrap(), 0);
    let left: i64 = sqlx::query_scalar(
        "select count(*) from benefit_slots where facility_id = $1 and local_date between $2 and $3",
    )
    .bind(sauna)
    .bind(start)
    .bind(end)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        left, 0,
        "a facility under maintenance keeps no unbooked slot"
    );

    // A new time zone moves every slot's instant.
    let first_start = || async {
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "select min(starts_at) from benefit_slots where branch_id = $1 and local_date = $2",
        )
        .bind(ldn.id)
        .bind(start)
        .fetch_one(&c.admin)
        .await
        .unwrap()
    };
    let old_first = first_start().await;
    sqlx::query("update branches set timezone = 'America/New_York' where id = $1")
        .bind(ldn.id)
        .execute(&c.admin)
        .await
        .unwrap();
    assert!(ensure_slots(&c.admin, ldn.id, start, end).await.unwrap() > 0);
    let new_first = first_start().await;
    assert_eq!(
        new_first - old_first,
        Duration::hours(5),
        "06:00 in New York, not London"
    );
}

/// The retention rule (migration 20261201001200). `prune_recovery_slots` deletes the unbooked
/// slots of days more than 35 days before each branch's today, with those days' records: not a
/// booked slot, not one a cancelled booking still holds, not a day within the 35. A desk that
/// opens such a week again makes none of them back; an administrator still may. Only an
/// administrator may prune, and bad input is refused in words.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn old_unbooked_slots_are_pruned_and_not_made_again(admin: PgPool) {
    let c = club(admin).await;
    let keep: i32 = sqlx::query_scalar("select public.recovery_slot_retention_days()")
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(keep, 35);
    // Each branch's horizon, by its own today: its days before it are history.
    let horizon = |branch: Uuid| {
        let admin = c.admin.clone();
        async move {
            sqlx::query_scalar::<_, NaiveDate>(
                "select (now() at time zone b.timezone)::date - 35 from branches b where b.id = $1",
            )
            .bind(branch)
            .fetch_one(&admin)
            .await
            .unwrap()
        }
    };
    let (a, b) = (c.branch_a(), c.branch_b());
    let (ha, hb) = (horizon(a).await, horizon(b).await);
    // An administrator makes a fortnight around each horizon, and 20 days long past.
    for (branch, h) in [(a, ha), (b, hb)] {
        for (from, to) in [
            (h - Duration::days(7), h + Duration::days(6)),
            (h - Duration::days(90), h - Duration::days(71)),
        ] {
            sqlx::query("select ensure_facility_slots($1, $2, $3)")
                .bind(branch)
                .bind(from)
                .bind(to)
                .execute(&c.admin)
                .await
                .unwrap();
        }
    }
    // Two old slots of branch A held: one booked, one by a booking since cancelled.
    let held: Vec<Uuid> = sqlx::query_scalar(
        "select id from benefit_slots where branch_id = $1 and local_date = $2 - 3 order by starts_at limit 2",
    )
    .bind(a)
    .bind(ha)
    .fetch_all(&c.admin)
    .await
    .unwrap();
    assert_eq!(held.len(), 2, "the old day has slots");
    for (slot, status, count) in [(held[0], "booked", 1), (held[1], "cancelled", 0)] {
        sqlx::query(
            "with s as (update benefit_slots set booked_count = $3 where id = $1 returning id, branch_id, starts_at)
             insert into benefit_bookings (slot_id, member_id, branch_id, starts_at, status)
             select s.id, $2, s.branch_id, s.starts_at, $4 from s",
        )
        .bind(slot)
        .bind(c.member_a.id)
        .bind(count)
        .bind(status)
        .execute(&c.admin)
        .await
        .unwrap();
    }
    // What should go: every unbooked, unheld slot before each branch's horizon.
    let census = "with h as (select id, (now() at time zone timezone)::date - 35 as horizon from branches)
                  select count(*) filter (where s.local_date < h.horizon and s.booked_count = 0
                           and not exists (select 1 from benefit_bookings bb where bb.slot_id = s.id)),
                         count(*) filter (where s.local_date < h.horizon),
                         count(*) filter (where s.local_date >= h.horizon),
                         (select count(*) from benefit_slot_days d join h on h.id = d.branch_id where d.local_date < h.horizon)
                  from benefit_slots s join h on h.id = s.branch_id";
    let (prunable, old, recent, _): (i64, i64, i64, i64) =
        sqlx::query_as(census).fetch_one(&c.admin).await.unwrap();
    assert!(
        prunable > 100 && old == prunable + 2 && recent > 100,
        "{prunable} {old} {recent}"
    );

    // Nobody but an administrator may prune.
    let mut desk = c.desk(DESK_A).await;
    let mut member = c.member(c.member_a).await;
    for conn in [&mut desk, &mut member] {
        let r = sqlx::query("select public.prune_recovery_slots()")
            .execute(&mut *conn)
            .await;
        assert_eq!(sqlstate(r), "42501");
    }
    // Bad input: refused in words, nothing deleted.
    for days in [Some(0), Some(367), None] {
        let r = sqlx::query("select public.prune_recovery_slots($1)")
            .bind(days)
            .execute(&c.admin)
            .await;
        let words = format!("{r:?}");
        assert_eq!(sqlstate(r), "BD001", "{days:?}");
        assert!(words.contains("1 to 366 days"), "{words}");
    }

    // A prune held open does not hold up a desk making the days at the horizon (their records
    // forgotten, so the desk plans and inserts them again): the desk's lock_timeout is 3 s.
    sqlx::query("delete from benefit_slot_days where branch_id = $1 and local_date >= $2")
        .bind(a)
        .bind(ha)
        .execute(&c.admin)
        .await
        .unwrap();
    let mut open_prune = c.admin.begin().await.unwrap();
    let n: i64 = sqlx::query_scalar("select public.prune_recovery_slots(7)")
        .fetch_one(&mut *open_prune)
        .await
        .unwrap();
    assert!(n > 0);
    ensure_slots(&mut desk, a, ha - Duration::days(7), ha + Duration::days(6))
        .await
        .expect("the desk is not held up by the open prune");
    open_prune.rollback().await.unwrap();
    let unchanged: (i64, i64, i64, i64) = sqlx::query_as(census).fetch_one(&c.admin).await.unwrap();
    assert_eq!(
        (unchanged.0, unchanged.1, unchanged.2),
        (prunable, old, recent)
    );

    // A session holding one of branch A's old day records locked (a desk's transaction left open
    // across midnight) holds up branch A only: the prune waits its lock_timeout, skips A with a
    // warning and prunes B.
    let prunable_b: i64 = sqlx::query_scalar(
        "select count(*) from benefit_slots s where s.branch_id = $1 and s.local_date < $2 and s.booked_count = 0",
    )
    .bind(b)
    .bind(hb)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    let mut holder = c.admin.begin().await.unwrap();
    sqlx::query(
        "select 1 from benefit_slot_days where branch_id = $1 and local_date < $2 for update",
    )
    .bind(a)
    .bind(ha)
    .execute(&mut *holder)
    .await
    .unwrap();
    let mut deleted: i64 = sqlx::query_scalar("select public.prune_recovery_slots(366)")
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(
        deleted, prunable_b,
        "branch B pruned whole, branch A skipped"
    );
    holder.rollback().await.unwrap();

    // Called until it returns 0, as the daily job works off a backlog.
    let mut calls = 0;
    loop {
        let n: i64 = sqlx::query_scalar("select public.prune_recovery_slots(7)")
            .fetch_one(&c.admin)
            .await
            .unwrap();
        calls += 1;
        if n == 0 {
            break;
        }
        deleted += n;
        assert!(calls < 20, "the prune does not finish");
    }
    assert!(
        calls > 2,
        "7 days a call: the 27 old days take several calls"
    );
    assert_eq!(deleted, prunable);
    let after: (i64, i64, i64, i64) = sqlx::query_as(census).fetch_one(&c.admin).await.unwrap();
    assert_eq!(
        after,
        (0, 2, recent, 0),
        "only the held slots stay before the horizon; no day record"
    );
    let kept: BTreeSet<Uuid> = sqlx::query_scalar(
        "select s.id from benefit_slots s join branches b on b.id = s.branch_id
         where s.local_date < (now() at time zone b.timezone)::date - 35 order by s.starts_at",
    )
    .fetch_all(&c.admin)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(kept, held.iter().copied().collect());

    // The desk opens the weeks again: nothing before the horizon comes back, the rest is there.
    for (from, to) in [
        (ha - Duration::days(7), ha + Duration::days(6)),
        (ha - Duration::days(90), ha - Duration::days(84)),
    ] {
        let made = ensure_slots(&mut desk, a, from, to).await.unwrap();
        assert_eq!(made, 0, "{from}..{to}: the desk made pruned slots again");
    }
    let again: (i64, i64, i64, i64) = sqlx::query_as(census).fetch_one(&c.admin).await.unwrap();
    assert_eq!(again, after);
    // An administrator still makes past days (the demo's and the tests' generators do).
    let made: i32 = sqlx::query_scalar("select ensure_facility_slots($1, $2, $3)")
        .bind(a)
        .bind(ha - Duration::days(7))
        .bind(ha - Duration::days(1))
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert!(made > 0);
}
