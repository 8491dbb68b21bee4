//! Slot instants and time zones. The instants are checked against the zone data read by an
//! independent implementation (the `jiff` crate reads /usr/share/zoneinfo itself; PostgreSQL
//! reads the same files its own way), on every transition that the zone data lists for every
//! region zone, not on hand-picked days. Then the cases the issue named, zone names that are
//! not places, and session settings that must not move a slot.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use branch_desk_core::slots::ensure_slots;
use branch_desk_core::Error;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use jiff::civil;
use jiff::tz::{AmbiguousOffset, TimeZone};
use md5::{Digest, Md5};
use sqlx::PgPool;
use uuid::Uuid;

/// The oracle's schedule: open all day, in slots of this many minutes.
const SLOT_MINUTES: i64 = 30;

/// Canonical zone names of the ten regions, from the zone data's own index (`Z` lines of
/// tzdata.zi); the links (old names) share their zone's data.
fn region_zones() -> Vec<String> {
    let index = std::fs::read_to_string("/usr/share/zoneinfo/tzdata.zi")
        .expect("the system zone data (package tzdata) has /usr/share/zoneinfo/tzdata.zi");
    let regions = [
        "Africa/",
        "America/",
        "Antarctica/",
        "Arctic/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    let mut zones: Vec<String> = index
        .lines()
        .filter_map(|l| l.strip_prefix("Z "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| regions.iter().any(|r| name.starts_with(r)))
        .map(str::to_owned)
        .collect();
    zones.sort();
    zones
}

/// The local days that a transition touches: the day it happens on (before and after it) and
/// the day before (whose last slots end across a transition at midnight).
fn transition_days(
    tz: &TimeZone,
    from: jiff::Timestamp,
    until: jiff::Timestamp,
) -> Vec<civil::Date> {
    let mut days = std::collections::BTreeSet::new();
    for t in tz.following(from) {
        let at = t.timestamp();
        if at >= until {
            break;
        }
        let before = tz
            .to_datetime(at - jiff::SignedDuration::from_nanos(1))
            .date();
        let after = tz.to_datetime(at).date();
        for d in [before.yesterday().unwrap(), before, after] {
            days.insert(d);
        }
    }
    days.into_iter().collect()
}

/// What the slot rules say a day holds, computed by jiff alone: each wall-clock time from 00:00
/// in steps of SLOT_MINUTES, at its first occurrence, none in a gap; local_end is the clock when
/// it ends. One line per slot: local start, start and end (epoch seconds), local end.
fn expected_day(tz: &TimeZone, day: civil::Date) -> String {
    let mut out = String::new();
    let mut minutes = 0;
    while minutes + SLOT_MINUTES <= 24 * 60 {
        let t = day.at((minutes / 60) as i8, (minutes % 60) as i8, 0, 0);
        let amb = tz.to_ambiguous_timestamp(t);
        let start = match amb.offset() {
            AmbiguousOffset::Gap { .. } => None,
            AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => {
                Some(amb.earlier().unwrap())
            }
        };
        if let Some(start) = start {
            let end = start + jiff::SignedDuration::from_mins(SLOT_MINUTES);
            let _ = write!(
                out,
                "{};{};{};{}|",
                t.time().strftime("%H:%M:%S"),
                start.as_second(),
                end.as_second(),
                tz.to_datetime(end).time().strftime("%H:%M:%S")
            );
        }
        minutes += SLOT_MINUTES;
    }
    out
}

fn digest(s: &str) -> String {
    let mut h = Md5::new();
    h.update(s.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The same line format, made by the database from facility_slot_plan.
const PLAN_DAYS: &str = r#"
select x.i::int8, md5(coalesce(string_agg(
         concat_ws(';', p.local_start, extract(epoch from p.starts_at)::int8,
                   extract(epoch from p.ends_at)::int8, p.local_end) || '|',
         '' order by p.local_start, p.starts_at), ''))
from unnest($1::uuid[], $2::date[]) with ordinality x(branch, day, i)
left join lateral public.facility_slot_plan(x.branch, x.day, x.day) p on true
group by x.i
"#;

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn slot_instants_follow_the_zone_data_at_every_transition(admin: PgPool) {
    let zones = region_zones();
    assert!(
        zones.len() > 300,
        "the zone index lists the world: {}",
        zones.len()
    );
    // One branch per zone, with one facility open all day.
    let mut branches = BTreeMap::new();
    for (n, zone) in zones.iter().enumerate() {
        let id: Uuid = sqlx::query_scalar(
            "insert into branches (code, name, timezone) values ($1, $2, $2) returning id",
        )
        .bind(format!("Z{n:04}"))
        .bind(zone)
        .fetch_one(&admin)
        .await
        .unwrap_or_else(|e| panic!("{zone} is accepted as a branch's zone: {e}"));
        sqlx::query(
            "with f as (insert into facilities (branch_id, name) values ($1, 'All day') returning id)
             insert into benefit_settings (facility_id, open_time, close_time, slot_minutes, capacity)
             select id, '00:00', '24:00', $2, 1 from f",
        )
        .bind(id)
        .bind(SLOT_MINUTES as i32)
        .execute(&admin)
        .await
        .unwrap();
        branches.insert(zone.clone(), id);
    }

    // 1900-01-01 to 2038-01-01 UTC: the years whose transitions the zone files list one by
    // one (later ones follow each zone's rule, which both readers extend the same way).
    let from = TimeZone::UTC
        .to_ambiguous_timestamp(civil::date(1900, 1, 1).at(0, 0, 0, 0))
        .unambiguous()
        .unwrap();
    let until = TimeZone::UTC
        .to_ambiguous_timestamp(civil::date(2038, 1, 1).at(0, 0, 0, 0))
        .unambiguous()
        .unwrap();
    let mut cases: Vec<(String, civil::Date, String)> = Vec::new();
    for zone in &zones {
        let tz = TimeZone::get(zone).unwrap_or_else(|e| panic!("jiff reads {zone}: {e}"));
        for day in transition_days(&tz, from, until) {
            cases.push((zone.clone(), day, expected_day(&tz, day)));
        }
    }
    assert!(
        cases.len() > 10_000,
        "transition days found: {}",
        cases.len()
    );

    let mut mismatches = Vec::new();
    for chunk in cases.chunks(4_000) {
        let ids: Vec<Uuid> = chunk.iter().map(|c| branches[&c.0]).collect();
        let days: Vec<NaiveDate> = chunk
            .iter()
            .map(|c| {
                NaiveDate::from_ymd_opt(c.1.year().into(), c.1.month() as u32, c.1.day() as u32)
                    .unwrap()
            })
            .collect();
        let got: Vec<(i64, String)> = sqlx::query_as(PLAN_DAYS)
            .bind(&ids)
            .bind(&days)
            .fetch_all(&admin)
            .await
            .unwrap();
        for (i, db_digest) in got {
            let (zone, day, expected) = &chunk[(i - 1) as usize];
            if digest(expected) != db_digest {
                mismatches.push((zone.clone(), *day, expected.clone()));
            }
        }
    }
    if !mismatches.is_empty() {
        let mut report = String::new();
        for (zone, day, expected) in mismatches.iter().take(5) {
            let rows: Vec<(NaiveTime, DateTime<Utc>, DateTime<Utc>, NaiveTime)> = sqlx::query_as(
                "select local_start, starts_at, ends_at, local_end from public.facility_slot_plan($1, $2, $2) order by 1, 2",
            )
            .bind(branches[zone])
            .bind(NaiveDate::from_ymd_opt(day.year().into(), day.month() as u32, day.day() as u32).unwrap())
            .fetch_all(&admin)
            .await
            .unwrap();
            let db: Vec<String> = rows
                .iter()
                .map(|r| format!("{};{};{};{}", r.0, r.1.timestamp(), r.2.timestamp(), r.3))
                .collect();
            let oracle: Vec<&str> = expected.split('|').filter(|l| !l.is_empty()).collect();
            let only_db: Vec<&String> = db
                .iter()
                .filter(|l| !oracle.contains(&l.as_str()))
                .collect();
            let only_oracle: Vec<&&str> = oracle
                .iter()
                .filter(|l| !db.iter().any(|d| d == **l))
                .collect();
            let _ = writeln!(
                report,
                "{zone} {day} (local start;start;end;local end):\n  zone data only: {only_oracle:?}\n  database only:  {only_db:?}"
            );
        }
        panic!(
            "{} of {} transition days differ from the zone data, for example:\n{report}",
            mismatches.len(),
            cases.len()
        );
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn hm(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

/// The cases the issue names, made by ensure_facility_slots as a desk under sessions whose
/// TimeZone, timezone_abbreviations, DateStyle and IntervalStyle all differ: the same instants
/// every time, and the ones the slot rule calls for.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn midnight_transitions_and_session_settings(admin: PgPool) {
    let c = common::club(admin).await;
    let branch = c.club.branch("LDN");
    let sauna = branch.facility("Sauna");
    type Expected = Vec<(NaiveTime, DateTime<Utc>, NaiveTime)>;
    // (zone, day, open, close, slots: local start, start instant, local end)
    let cases: [(&str, &str, &str, &str, Expected); 4] = [
        // Clocks go back from 01:00 to 00:00: 00:00 and 00:30 happen twice, first at -04.
        (
            "America/Havana",
            "2027-11-07",
            "00:00",
            "02:00",
            vec![
                (hm("00:00"), utc("2027-11-07T04:00:00Z"), hm("00:30")),
                (hm("00:30"), utc("2027-11-07T04:30:00Z"), hm("00:00")),
                (hm("01:00"), utc("2027-11-07T06:00:00Z"), hm("01:30")),
                (hm("01:30"), utc("2027-11-07T06:30:00Z"), hm("02:00")),
            ],
        ),
        // Clocks go back from 01:00 (+00) to 00:00 (-01).
        (
            "Atlantic/Azores",
            "2027-10-31",
            "00:00",
            "01:30",
            vec![
                (hm("00:00"), utc("2027-10-31T00:00:00Z"), hm("00:30")),
                (hm("00:30"), utc("2027-10-31T00:30:00Z"), hm("00:00")),
                (hm("01:00"), utc("2027-10-31T02:00:00Z"), hm("01:30")),
            ],
        ),
        // Clocks go forward at midnight to 01:00: the last slot of the Saturday ends at 01:00.
        (
            "America/Santiago",
            "2027-09-04",
            "23:00",
            "24:00",
            vec![
                (hm("23:00"), utc("2027-09-05T03:00:00Z"), hm("23:30")),
                (hm("23:30"), utc("2027-09-05T03:30:00Z"), hm("01:00")),
            ],
        ),
        // ...and the Sunday has no 00:00 or 00:30.
        (
            "America/Santiago",
            "2027-09-05",
            "00:00",
            "02:00",
            vec![
                (hm("01:00"), utc("2027-09-05T04:00:00Z"), hm("01:30")),
                (hm("01:30"), utc("2027-09-05T04:30:00Z"), hm("02:00")),
            ],
        ),
    ];
    let sessions = [
        "set timezone = 'UTC'",
        "set timezone = 'Pacific/Kiritimati'; set timezone_abbreviations = 'Australia'; set datestyle = 'SQL, DMY'",
        "set timezone = 'America/Los_Angeles'; set timezone_abbreviations = 'India'; set intervalstyle = 'sql_standard'; set datestyle = 'German'",
    ];
    let mut desk = c.desk(common::DESK_HQ).await;
    for (zone, day, open, close, expected) in &cases {
        let day: NaiveDate = day.parse().unwrap();
        sqlx::query("update branches set timezone = $2 where id = $1")
            .bind(branch.id)
            .bind(zone)
            .execute(&c.admin)
            .await
            .unwrap();
        sqlx::query("update benefit_settings set open_time = $2::time, close_time = $3::time, slot_minutes = 30 where facility_id = $1")
            .bind(sauna)
            .bind(open)
            .bind(close)
            .execute(&c.admin)
            .await
            .unwrap();
        for session in sessions {
            sqlx::query("delete from benefit_slots where branch_id = $1")
                .bind(branch.id)
                .execute(&c.admin)
                .await
                .unwrap();
            sqlx::raw_sql(session).execute(&mut desk).await.unwrap();
            ensure_slots(&mut desk, branch.id, day, day).await.unwrap();
            let got: Expected = sqlx::query_as(
                "select local_start, starts_at, local_end from benefit_slots
                 where facility_id = $1 and local_date = $2 order by starts_at",
            )
            .bind(sauna)
            .bind(day)
            .fetch_all(&c.admin)
            .await
            .unwrap();
            assert_eq!(&got, expected, "{zone} {day} under `{session}`");
            let lengths: Vec<i64> = sqlx::query_scalar(
                "select extract(epoch from ends_at - starts_at)::int8 from benefit_slots where facility_id = $1 and local_date = $2",
            )
            .bind(sauna)
            .bind(day)
            .fetch_all(&c.admin)
            .await
            .unwrap();
            assert!(
                lengths.iter().all(|l| *l == 30 * 60),
                "every slot lasts 30 minutes of real time ({zone} {day}): {lengths:?}"
            );
        }
    }
}

/// Zone names that are not places are refused when written; a branch that still has one (an
/// older database) gets words, not a raw error, wherever its time is needed, and nothing is
/// written.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn zone_names_that_are_not_places_are_refused(admin: PgPool) {
    let c = common::club(admin).await;
    for (n, zone) in [
        "CET",
        "EST",
        "MET",
        "WET",
        "EST5EDT",
        "localtime",
        "posixrules",
        "Factory",
        "GMT",
        "UCT",
        "Zulu",
        "Etc/GMT+5",
        "US/Eastern",
        "posix/Europe/London",
        "right/Europe/London",
        "europe/london",
        "Europe/Atlantis",
        "+05:00",
        "",
        " Europe/London",
    ]
    .iter()
    .enumerate()
    {
        let e = Error::from(
            sqlx::query("insert into branches (code, name, timezone) values ($1, 'Nowhere', $2)")
                .bind(format!("BAD{n}"))
                .bind(zone)
                .execute(&c.admin)
                .await
                .expect_err(zone),
        );
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: Some("timezone"),
                    ..
                }
            ),
            "{zone:?} is refused as a branch's zone: {e:?}"
        );
    }
    for (n, zone) in [
        "UTC",
        "Europe/London",
        "America/Argentina/Buenos_Aires",
        "Asia/Kolkata",
        "Pacific/Chatham",
    ]
    .iter()
    .enumerate()
    {
        sqlx::query("insert into branches (code, name, timezone) values ($1, 'Somewhere', $2)")
            .bind(format!("OK{n}"))
            .bind(zone)
            .execute(&c.admin)
            .await
            .unwrap_or_else(|e| panic!("{zone} is a branch's zone: {e}"));
    }

    // An older database: the constraint was not there when these were written.
    sqlx::query("alter table branches drop constraint branches_timezone_iana")
        .execute(&c.admin)
        .await
        .unwrap();
    let ldn = c.branch_a();
    let member = c.members_on_plan(1, "ESSENTIAL").await[0];
    sqlx::query("update members set home_branch_id = $2 where id = $1")
        .bind(member)
        .bind(ldn)
        .execute(&c.admin)
        .await
        .unwrap();
    let slot = c.future_slot("LDN", 4).await;
    let staff = c.staff("frank.desk.ldn");
    let desk = c.desk_pool(common::DESK_A, 1).await;
    let day: NaiveDate = "2031-03-03".parse().unwrap();
    for (zone, words) in [
        ("CET", "not a region name"),
        ("Europe/Atlantis", "zone data does not have"),
    ] {
        sqlx::query("update branches set timezone = $2 where id = $1")
            .bind(ldn)
            .bind(zone)
            .execute(&c.admin)
            .await
            .unwrap();
        let before: i64 = sqlx::query_scalar(
            "select (select count(*) from benefit_slots) + (select count(*) from benefit_bookings)",
        )
        .fetch_one(&c.admin)
        .await
        .unwrap();
        let calls = [
            sqlx::query("select ensure_facility_slots($1, $2, $2)")
                .bind(ldn)
                .bind(day),
            sqlx::query("select * from member_entitlements($1)").bind(member),
            sqlx::query("select book_benefit_slot($1, $2, gen_random_uuid(), $3)")
                .bind(slot)
                .bind(member)
                .bind(staff),
        ];
        for call in calls {
            let e = Error::from(call.execute(&desk).await.expect_err(zone));
            assert!(
                matches!(&e, Error::BrokenSettings(m) if m.contains(zone) && m.contains(words) && m.contains("London Riverside")),
                "{zone}: the branch's zone is named in words: {e:?}"
            );
        }
        let after: i64 = sqlx::query_scalar(
            "select (select count(*) from benefit_slots) + (select count(*) from benefit_bookings)",
        )
        .fetch_one(&c.admin)
        .await
        .unwrap();
        assert_eq!(before, after, "{zone}: nothing was written");
    }
}
