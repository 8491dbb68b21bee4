//! The all-bookings list over a generated booking history: keyset paging visits every booking
//! once in order, filters match the rows, desks see their branch and the manager desk all,
//! CSV export, and the member panel.

mod common;

use std::collections::HashSet;

use branch_desk_core::bookings::{
    book, count_bookings, export_csv, list_bookings, BookingFilter, BookingKind, BookingRow,
    PageRequest, Sort,
};
use branch_desk_core::generator::{generate_activity, ActivitySpec};
use branch_desk_core::members::member_panel;
use branch_desk_core::Error;
use chrono::{Duration, Utc};
use common::{club, desk_request, Club, DESK_A, DESK_HQ};
use sqlx::PgPool;

async fn with_history(admin: PgPool) -> Club {
    let c = club(admin).await;
    let now = Utc::now();
    let today = now.date_naive();
    let made = generate_activity(
        &c.admin,
        &c.club,
        &ActivitySpec {
            seed: 3,
            from: today - Duration::days(10),
            to: today + Duration::days(4),
            bookings: 4_000,
            now,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        made.class_bookings + made.benefit_bookings,
        4_000,
        "the generator made the bookings asked for: {made:?}"
    );
    assert!(made.class_bookings > 0 && made.benefit_bookings > 0 && made.classes > 0);
    c
}

async fn walk(pool: &PgPool, filter: &BookingFilter, limit: i64, sort: Sort) -> Vec<BookingRow> {
    let mut page = PageRequest {
        after: None,
        limit,
        sort,
    };
    let mut all = Vec::new();
    loop {
        let p = list_bookings(&mut pool.acquire().await.unwrap(), filter, &page)
            .await
            .unwrap();
        assert!(p.rows.len() as i64 <= limit);
        all.extend(p.rows);
        match p.next {
            Some(c) => page.after = Some(c),
            None => return all,
        }
    }
}

async fn admin_count(admin: &PgPool, where_class: &str, where_benefit: &str) -> usize {
    let n: i64 = sqlx::query_scalar(&format!(
        "select (select count(*) from class_bookings b where {where_class}) + (select count(*) from benefit_bookings b join benefit_slots sl on sl.id = b.slot_id where {where_benefit})"
    ))
    .fetch_one(admin)
    .await
    .unwrap();
    n as usize
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn generated_history_keeps_the_booking_rules(admin: PgPool) {
    let c = with_history(admin).await;
    let broken: i64 = sqlx::query_scalar(
        "select (select count(*) from classes c where booked_count <> (select count(*) from class_bookings b where b.class_id = c.id and b.status in ('booked','attended','no_show')) or booked_count > capacity)
              + (select count(*) from benefit_slots s where booked_count <> (select count(*) from benefit_bookings b where b.slot_id = s.id and b.status in ('booked','attended','no_show')) or booked_count > capacity)",
    )
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        broken, 0,
        "counters equal the rows and never exceed capacity"
    );
    let future_history: i64 = sqlx::query_scalar(
        "select count(*) from class_bookings where (starts_at > now() and status in ('attended', 'no_show')) or (starts_at < now() - interval '1 hour' and status = 'booked')",
    )
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        future_history, 0,
        "the past is attended/no-show/cancelled, the future booked/cancelled"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn keyset_paging_visits_every_booking_once_in_order(admin: PgPool) {
    let c = with_history(admin).await;
    let manager = c.desk_pool(DESK_HQ, 2).await;
    let all = walk(&manager, &BookingFilter::default(), 137, Sort::StartsAsc).await;
    assert_eq!(all.len(), 4_000, "the manager desk sees every branch");
    assert_eq!(
        all.iter().map(|r| r.id).collect::<HashSet<_>>().len(),
        all.len(),
        "no booking twice"
    );
    assert!(
        all.windows(2)
            .all(|w| (w[0].starts_at, w[0].id) < (w[1].starts_at, w[1].id)),
        "in start order"
    );

    let mut desc = walk(&manager, &BookingFilter::default(), 500, Sort::StartsDesc).await;
    desc.reverse();
    assert_eq!(desc, all, "descending pages are the same list backwards");

    let desk_a = c.desk_pool(DESK_A, 2).await;
    let mine = walk(&desk_a, &BookingFilter::default(), 500, Sort::StartsAsc).await;
    let a = c.branch_a();
    assert!(
        mine.iter().all(|r| r.branch_id == a),
        "desk A sees only branch A"
    );
    assert_eq!(
        mine.len(),
        admin_count(
            &c.admin,
            &format!("b.branch_id = '{a}'"),
            &format!("b.branch_id = '{a}'")
        )
        .await
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn filters_match_the_rows(admin: PgPool) {
    let c = with_history(admin).await;
    let manager = c.desk_pool(DESK_HQ, 2).await;
    let some: BookingRow = walk(
        &manager,
        &BookingFilter {
            statuses: vec!["attended".into()],
            kind: Some(BookingKind::Class),
            ..Default::default()
        },
        500,
        Sort::StartsAsc,
    )
    .await[7]
        .clone();
    let staffed: BookingRow = walk(&manager, &BookingFilter::default(), 500, Sort::StartsAsc)
        .await
        .into_iter()
        .find(|r| r.booked_by_staff_id.is_some())
        .unwrap();
    let facility = c.club.branch("LDN").facility("Sauna");
    let now = Utc::now();
    let cases = [
        (
            BookingFilter {
                kind: Some(BookingKind::Class),
                ..Default::default()
            },
            "true".to_owned(),
            "false".to_owned(),
        ),
        (
            BookingFilter {
                kind: Some(BookingKind::Recovery),
                ..Default::default()
            },
            "false".into(),
            "true".into(),
        ),
        (
            BookingFilter {
                statuses: vec!["cancelled".into(), "no_show".into()],
                ..Default::default()
            },
            "b.status in ('cancelled','no_show')".into(),
            "b.status in ('cancelled','no_show')".into(),
        ),
        (
            BookingFilter {
                member_id: Some(some.member_id),
                ..Default::default()
            },
            format!("b.member_id = '{}'", some.member_id),
            format!("b.member_id = '{}'", some.member_id),
        ),
        (
            BookingFilter {
                facility_id: Some(facility),
                ..Default::default()
            },
            "false".into(),
            format!("sl.facility_id = '{facility}'"),
        ),
        (
            BookingFilter {
                class_id: Some(some.item_id),
                kind: Some(BookingKind::Class),
                ..Default::default()
            },
            format!("b.class_id = '{}'", some.item_id),
            "false".into(),
        ),
        (
            BookingFilter {
                booked_by_staff_id: staffed.booked_by_staff_id,
                ..Default::default()
            },
            format!(
                "b.booked_by_staff_id = '{}'",
                staffed.booked_by_staff_id.unwrap()
            ),
            format!(
                "b.booked_by_staff_id = '{}'",
                staffed.booked_by_staff_id.unwrap()
            ),
        ),
        (
            BookingFilter {
                overrides_only: true,
                ..Default::default()
            },
            "b.capacity_override or b.allowance_override".into(),
            "b.capacity_override or b.allowance_override".into(),
        ),
        (
            BookingFilter {
                from: Some(now - Duration::days(3)),
                to: Some(now + Duration::days(1)),
                ..Default::default()
            },
            format!(
                "b.starts_at >= '{}' and b.starts_at < '{}'",
                (now - Duration::days(3)).to_rfc3339(),
                (now + Duration::days(1)).to_rfc3339()
            ),
            format!(
                "b.starts_at >= '{}' and b.starts_at < '{}'",
                (now - Duration::days(3)).to_rfc3339(),
                (now + Duration::days(1)).to_rfc3339()
            ),
        ),
        (
            BookingFilter {
                branch_id: Some(c.branch_b()),
                statuses: vec!["booked".into()],
                ..Default::default()
            },
            format!("b.branch_id = '{}' and b.status = 'booked'", c.branch_b()),
            format!("b.branch_id = '{}' and b.status = 'booked'", c.branch_b()),
        ),
    ];
    for (filter, class_where, benefit_where) in cases {
        let got = walk(&manager, &filter, 500, Sort::StartsAsc).await;
        let expected = admin_count(&c.admin, &class_where, &benefit_where).await;
        assert_eq!(got.len(), expected, "filter {filter:?}");
        // The total All Bookings shows is the rows its pages give.
        assert_eq!(
            count_bookings(&mut manager.acquire().await.unwrap(), &filter)
                .await
                .unwrap(),
            expected as i64,
            "total of {filter:?}"
        );
        assert!(
            expected > 0 || filter.overrides_only,
            "each filter case should match something: {filter:?}"
        );
    }
    for bad in [
        (
            BookingFilter::default(),
            PageRequest {
                after: None,
                limit: 0,
                sort: Sort::StartsAsc,
            },
        ),
        (
            BookingFilter::default(),
            PageRequest {
                after: None,
                limit: 10_000,
                sort: Sort::StartsAsc,
            },
        ),
        (
            BookingFilter {
                statuses: vec!["lost".into()],
                ..Default::default()
            },
            PageRequest {
                after: None,
                limit: 10,
                sort: Sort::StartsAsc,
            },
        ),
        (
            BookingFilter {
                from: Some(now),
                to: Some(now - Duration::days(1)),
                ..Default::default()
            },
            PageRequest {
                after: None,
                limit: 10,
                sort: Sort::StartsAsc,
            },
        ),
    ]
    .into_iter()
    .chain(
        // A facility or class that cannot go with the kind (or with each other) is refused, not
        // dropped from the filter.
        [
            BookingFilter {
                kind: Some(BookingKind::Class),
                facility_id: Some(facility),
                ..Default::default()
            },
            BookingFilter {
                kind: Some(BookingKind::Recovery),
                class_id: Some(some.item_id),
                ..Default::default()
            },
            BookingFilter {
                facility_id: Some(facility),
                class_id: Some(some.item_id),
                ..Default::default()
            },
        ]
        .map(|f| {
            (
                f,
                PageRequest {
                    after: None,
                    limit: 10,
                    sort: Sort::StartsAsc,
                },
            )
        }),
    ) {
        assert!(
            matches!(
                list_bookings(&mut manager.acquire().await.unwrap(), &bad.0, &bad.1).await,
                Err(Error::Invalid { .. })
            ),
            "{bad:?}"
        );
        if bad.1.limit == 10 {
            assert!(
                matches!(
                    count_bookings(&mut manager.acquire().await.unwrap(), &bad.0).await,
                    Err(Error::Invalid { .. })
                ),
                "a refused filter is not counted either: {bad:?}"
            );
        }
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn csv_export_and_a_new_booking_shows_at_once(admin: PgPool) {
    let c = with_history(admin).await;
    let desk = c.desk_pool(DESK_A, 2).await;
    let member = c.members_on_plan(1, "PREMIUM").await[0];
    let slot = c.future_slot("LDN", 20).await;
    let b = book(
        &desk,
        &desk_request(
            BookingKind::Recovery,
            slot,
            member,
            c.staff("frank.desk.ldn"),
        ),
    )
    .await
    .unwrap();
    let listed = walk(
        &desk,
        &BookingFilter {
            member_id: Some(member),
            ..Default::default()
        },
        50,
        Sort::StartsAsc,
    )
    .await;
    let row = listed
        .iter()
        .find(|r| r.id == b.id)
        .expect("the new booking is in the list at once");
    assert_eq!(
        (
            row.kind.as_str(),
            row.item_name.as_str(),
            row.booked_by_name.as_deref()
        ),
        ("recovery", "Sauna", Some("Frank Ellis"))
    );

    // A zone that is never UTC, so a local time written as UTC cannot pass.
    sqlx::query("update branches set timezone = 'Australia/Sydney' where code = 'LDN'")
        .execute(&c.admin)
        .await
        .unwrap();
    // A name that a spreadsheet would run as a formula.
    sqlx::query("update members set first_name = '=HYPERLINK(\"http://x\")' where id = $1")
        .bind(member)
        .execute(&c.admin)
        .await
        .unwrap();
    let (branch_name, starts_local): (String, String) = sqlx::query_as(
        "select br.name, to_char(s.starts_at at time zone br.timezone, 'YYYY-MM-DD HH24:MI')
         from benefit_slots s join branches br on br.id = s.branch_id where s.id = $1",
    )
    .bind(slot)
    .fetch_one(&c.admin)
    .await
    .unwrap();

    let mut out = Vec::new();
    let written = export_csv(
        &mut desk.acquire().await.unwrap(),
        &BookingFilter::default(),
        &mut out,
    )
    .await
    .unwrap();
    let a = c.branch_a();
    assert_eq!(
        written as usize,
        admin_count(
            &c.admin,
            &format!("b.branch_id = '{a}'"),
            &format!("b.branch_id = '{a}'")
        )
        .await
    );
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.get(0), Some("kind"));
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        records.len() as u64,
        written,
        "one line per booking after the header"
    );
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = records
        .iter()
        .find(|r| r.get(column("booking_id")) == Some(&b.id.to_string()[..]))
        .expect("the new booking is in the file");
    assert_eq!(row.get(column("booked_by")), Some("Frank Ellis"));
    assert_eq!(row.get(column("branch")), Some(branch_name.as_str()));
    assert_eq!(row.get(column("starts_local")), Some(starts_local.as_str()));
    let name = row.get(column("member_name")).unwrap();
    assert!(
        name.starts_with("'=HYPERLINK(\"http://x\") "),
        "kept as text: {name}"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn member_panel_shows_plan_entitlements_and_upcoming(admin: PgPool) {
    let c = club(admin).await;
    let desk = c.desk_pool(DESK_A, 2).await;
    let member = c.members_on_plan(1, "RECOVERY").await[0]; // 3 recovery, 2 classes a week
    let class = c.future_class(c.branch_a(), 10).await;
    book(
        &desk,
        &desk_request(BookingKind::Class, class, member, c.staff("frank.desk.ldn")),
    )
    .await
    .unwrap();
    let starts: chrono::DateTime<Utc> =
        sqlx::query_scalar("select starts_at from classes where id = $1")
            .bind(class)
            .fetch_one(&c.admin)
            .await
            .unwrap();
    // Read as of the class's start: it is still upcoming, and its week is the one counted (a
    // minute earlier could be the week before, when the class starts at 00:00 on a Monday).
    let panel = member_panel(&mut desk.acquire().await.unwrap(), member, starts)
        .await
        .unwrap();
    assert_eq!(panel.member.plan_name.as_deref(), Some("Recovery Weekly"));
    assert_eq!(panel.upcoming.len(), 1);
    assert_eq!(panel.upcoming[0].item_name, "Test class");
    let class_ent = panel
        .entitlements
        .iter()
        .find(|e| e.kind == "class")
        .unwrap();
    assert_eq!(
        (
            class_ent.period.as_str(),
            class_ent.allowance,
            class_ent.used,
            class_ent.remaining
        ),
        ("week", Some(2), 1, Some(1))
    );
    assert!(matches!(
        member_panel(
            &mut desk.acquire().await.unwrap(),
            uuid::Uuid::new_v4(),
            Utc::now()
        )
        .await,
        Err(Error::NotFound(_))
    ));
}
