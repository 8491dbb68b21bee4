//! The edges of the booking and slot rules: NULL flags, override reasons made of white space, a
//! slot kept from an earlier timetable, and dates no calendar uses.

mod common;

use branch_desk_core::bookings::{book, BookingKind};
use branch_desk_core::Error;
use chrono::NaiveDate;
use common::{club, desk_request, DESK_A};
use sqlx::PgPool;
use uuid::Uuid;

/// Tabs, newlines, no-break and ideographic spaces, zero-width characters and byte-order marks
/// are no reason; a reason padded with them is stored trimmed.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn an_override_reason_of_white_space_is_no_reason(admin: PgPool) {
    let c = club(admin).await;
    let manager = c.staff("maya.manager.ldn");
    let slot = c.future_slot("LDN", 1).await;
    let members = c.members_on_plan(3, "PREMIUM").await;
    let desk = c.desk_pool(DESK_A, 1).await;
    book(
        &desk,
        &desk_request(BookingKind::Recovery, slot, members[0], manager),
    )
    .await
    .unwrap();
    let override_with = |reason: &str, member: Uuid| {
        let mut r = desk_request(BookingKind::Recovery, slot, member, manager);
        r.override_capacity = true;
        r.override_reason = Some(reason.to_owned());
        r
    };
    for blank in [
        "\t\t\t",
        "\n\r\n",
        "\u{a0}\u{a0}\u{a0}",
        "\u{3000}\u{3000}\u{3000}",
        "\u{200b}\u{200b}\u{200b}\u{200b}",
        "\u{feff}\u{2060}\u{202f}\u{205f}",
        " \t\u{a0}\u{2003}\u{2028}\u{1680}\u{85} ",
        "\u{a0}a\u{a0}",
        "\u{ad}\u{200e}\u{2063}",
        "a\u{200f}\u{202e}b\u{061c}",
    ] {
        // Straight to the database, past the app's own trim.
        let e = Error::from(
            sqlx::query("select book_benefit_slot($1, $2, gen_random_uuid(), $3, true, false, $4)")
                .bind(slot)
                .bind(members[1])
                .bind(manager)
                .bind(blank)
                .execute(&desk)
                .await
                .expect_err(blank),
        );
        assert!(
            matches!(&e, Error::Invalid { reason, .. } if reason.starts_with("Give a reason")),
            "{blank:?} is no reason: {e:?}"
        );
    }
    let kept = book(
        &desk,
        &override_with("\u{a0}\u{3000} Physio referral\t\u{200b}\n", members[1]),
    )
    .await
    .unwrap();
    assert_eq!(kept.override_reason.as_deref(), Some("Physio referral"));
}

/// A booked slot outlives a change of the facility's settings (it is never removed or changed),
/// but takes no new bookings, with or without an override, until the configuration makes it
/// again; its own bookings stand.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_slot_from_an_earlier_timetable_takes_no_new_bookings(admin: PgPool) {
    let c = club(admin).await;
    let ldn = c.club.branch("LDN");
    let sauna = ldn.facility("Sauna");
    let manager = c.staff("maya.manager.ldn");
    let members = c.members_on_plan(3, "PREMIUM").await;
    let desk = c.desk_pool(DESK_A, 1).await;
    let day = NaiveDate::from_ymd_opt(2099, 7, 6).unwrap();
    let ensure = || {
        let admin = c.admin.clone();
        async move {
            sqlx::query("select ensure_facility_slots($1, $2, $2)")
                .bind(ldn.id)
                .bind(day)
                .execute(&admin)
                .await
                .unwrap();
        }
    };
    ensure().await;
    // 06:45-07:30 exists with 45-minute slots, not with 60-minute ones.
    let slot: Uuid = sqlx::query_scalar(
        "select id from benefit_slots where facility_id = $1 and local_date = $2 and local_start = '06:45'",
    )
    .bind(sauna)
    .bind(day)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    let first = book(
        &desk,
        &desk_request(BookingKind::Recovery, slot, members[0], manager),
    )
    .await
    .unwrap();

    let set_minutes = |minutes: i32| {
        let admin = c.admin.clone();
        async move {
            sqlx::query("update benefit_settings set slot_minutes = $2 where facility_id = $1")
                .bind(sauna)
                .bind(minutes)
                .execute(&admin)
                .await
                .unwrap();
        }
    };
    set_minutes(60).await;
    ensure().await;
    let mut overriding = desk_request(BookingKind::Recovery, slot, members[2], manager);
    overriding.override_capacity = true;
    overriding.override_reason = Some("Regular's favourite time".into());
    for request in [
        desk_request(BookingKind::Recovery, slot, members[1], manager),
        overriding,
    ] {
        let e = book(&desk, &request)
            .await
            .expect_err("an earlier timetable's slot");
        assert!(
            matches!(&e, Error::Invalid { reason, .. }
                if reason.starts_with("Sauna's 06:45 slot on ") && reason.contains("earlier timetable")
                   && reason.contains("Choose a slot from the current timetable")),
            "refused in words that say why and what to do: {e:?}"
        );
    }
    let status: String = sqlx::query_scalar("select status from benefit_bookings where id = $1")
        .bind(first.id)
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(status, "booked", "the slot's own booking stands");

    // Back to 45 minutes: the slot is in the timetable again and takes bookings.
    set_minutes(45).await;
    ensure().await;
    book(
        &desk,
        &desk_request(BookingKind::Recovery, slot, members[1], manager),
    )
    .await
    .expect("the slot is current again");
}

/// Dates that no calendar of slots uses are refused in words, never with a raw 22008.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn dates_out_of_any_calendar_are_refused_in_words(admin: PgPool) {
    let c = club(admin).await;
    let mut desk = c.desk(DESK_A).await;
    for (start, end) in [
        ("infinity", "infinity"),
        ("-infinity", "2027-01-01"),
        ("2027-01-01", "infinity"),
        ("294277-01-01", "294277-01-02"),
        ("100000-01-01", "100000-01-01"),
        ("4713-01-01 BC", "4713-01-02 BC"),
        ("1899-12-31", "1900-01-01"),
    ] {
        let e = Error::from(
            sqlx::query("select ensure_facility_slots($1, $2::date, $3::date)")
                .bind(c.branch_a())
                .bind(start)
                .bind(end)
                .execute(&mut desk)
                .await
                .expect_err(start),
        );
        assert!(
            matches!(&e, Error::Invalid { reason, .. } if reason.contains("between 1900-01-01 and 9999-12-31")),
            "{start}..{end}: {e:?}"
        );
    }
    let member = c.members_on_plan(1, "PREMIUM").await[0];
    for at in [
        "infinity",
        "-infinity",
        "1066-10-14 12:00Z",
        "20000-01-01 00:00Z",
    ] {
        let e = Error::from(
            sqlx::query("select * from member_entitlements($1, $2::timestamptz)")
                .bind(member)
                .bind(at)
                .execute(&mut desk)
                .await
                .expect_err(at),
        );
        assert!(
            matches!(&e, Error::Invalid { reason, .. } if reason.contains("between the years 1900 and 9999")),
            "entitlements at {at}: {e:?}"
        );
    }
    let written: i64 = sqlx::query_scalar("select count(*) from benefit_slots")
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(written, 0, "no refused call wrote a slot");
}

/// Any parameter left NULL gets a clear error, never a default that widens what the call does.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn nulls_in_every_parameter_get_a_clear_error(admin: PgPool) {
    let c = club(admin).await;
    let staff = c.staff("maya.manager.ldn");
    let slot = c.future_slot("LDN", 1).await;
    let class = c.future_class(c.branch_a(), 1).await;
    let member = c.members_on_plan(2, "ESSENTIAL").await;
    let desk = c.desk_pool(DESK_A, 1).await;
    // Fill the slot and the class, so an override flag read as "yes" would book.
    for (sql, target) in [
        (
            "select book_benefit_slot($1, $2, gen_random_uuid(), $3)",
            slot,
        ),
        ("select book_class($1, $2, gen_random_uuid(), $3)", class),
    ] {
        sqlx::query(sql)
            .bind(target)
            .bind(member[0])
            .bind(staff)
            .execute(&desk)
            .await
            .unwrap();
    }
    let reason = "'Physio referral'";
    let calls = [
        format!("select book_benefit_slot($1, $2, gen_random_uuid(), $3, null, false, {reason})"),
        format!("select book_benefit_slot($1, $2, gen_random_uuid(), $3, false, null, {reason})"),
        format!("select book_class($4, $2, gen_random_uuid(), $3, null, false, {reason})"),
        format!("select book_class($4, $2, gen_random_uuid(), $3, false, null, {reason})"),
        format!("select book_class($4, $2, gen_random_uuid(), $3, false, false, {reason}, null)"),
        "select * from member_entitlements($2, null)".to_string(),
    ];
    for sql in &calls {
        let r = sqlx::query(sql)
            .bind(slot)
            .bind(member[1])
            .bind(staff)
            .bind(class)
            .execute(&desk)
            .await;
        let e = Error::from(r.expect_err(sql));
        assert!(
            matches!(&e, Error::Invalid { .. }) && e.message().contains("NULL"),
            "{sql}: a NULL flag is refused in words: {e:?} ({})",
            e.message()
        );
    }
    let live: i64 = sqlx::query_scalar(
        "select (select count(*) from benefit_bookings where member_id = $1) + (select count(*) from class_bookings where member_id = $1)",
    )
    .bind(member[1])
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(live, 0, "no NULL flag booked anything");
}
