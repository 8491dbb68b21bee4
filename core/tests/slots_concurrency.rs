//! Slot generation while an administrator changes the configuration and desks book: after any
//! interleaving, once things settle, one more ensure_facility_slots leaves exactly the
//! configured slots (plus kept booked ones), and no call errors. One interleaving held open
//! deterministically, then a bounded random load with a checker.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use branch_desk_core::bookings::{book, BookingKind};
use branch_desk_core::slots::ensure_slots;
use branch_desk_core::Error;
use chrono::NaiveDate;
use common::{club, desk_request, DESK_A};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::PgPool;
use uuid::Uuid;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// What differs between a branch's slots over a range and what its configuration calls for
/// now: planned slots that are missing (unless a booked slot holds their start), and
/// never-booked slots the plan does not have. Empty when they agree.
async fn differences_from_plan(
    admin: &PgPool,
    branch: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<String> {
    sqlx::query_scalar(
        r#"
        with plan as (select * from public.facility_slot_plan($1, $2, $3)),
        slots as (
          select s.*, (s.booked_count > 0 or exists (select 1 from benefit_bookings b where b.slot_id = s.id)) as booked
          from benefit_slots s where s.branch_id = $1 and s.local_date between $2 and $3
        )
        select format('missing: %s %s %s-%s capacity %s', p.facility_id, p.local_date, p.local_start, p.local_end, p.capacity)
        from plan p
        where not exists (select 1 from slots s
                          where s.facility_id = p.facility_id and s.starts_at = p.starts_at
                            and (s.booked or (s.ends_at, s.capacity, s.local_date, s.local_start, s.local_end)
                                             = (p.ends_at, p.capacity, p.local_date, p.local_start, p.local_end)))
        union all
        select format('not configured: %s %s %s-%s capacity %s', s.facility_id, s.local_date, s.local_start, s.local_end, s.capacity)
        from slots s
        where not s.booked
          and not exists (select 1 from plan p
                          where (p.facility_id, p.starts_at, p.ends_at, p.capacity, p.local_date, p.local_start, p.local_end)
                              = (s.facility_id, s.starts_at, s.ends_at, s.capacity, s.local_date, s.local_start, s.local_end))
        order by 1
        "#,
    )
    .bind(branch)
    .bind(start)
    .bind(end)
    .fetch_all(admin)
    .await
    .unwrap()
}

async fn wait_until_someone_waits_on_a_lock(
    admin: &PgPool,
    task: &tokio::task::JoinHandle<Result<i32, Error>>,
) {
    for _ in 0..1000 {
        assert!(
            !task.is_finished(),
            "the second call did not wait for the first"
        );
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
        .fetch_one(admin)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the second call never waited");
}

/// The interleaving the issue reproduced: session 1 makes a day inside an open transaction with
/// the old slot length; an administrator changes the settings; session 2 asks for the same day
/// and waits; session 1 commits.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_settings_change_during_an_open_call_still_converges(admin: PgPool) {
    let c = club(admin).await;
    let ldn = c.branch_a();
    let sauna = c.club.branch("LDN").facility("Sauna");
    let day = date("2099-04-06");
    let desk = c.desk_pool(DESK_A, 3).await;

    let mut first = desk.begin().await.unwrap();
    assert!(ensure_slots(&mut *first, ldn, day, day).await.unwrap() > 0);
    sqlx::query("update benefit_settings set slot_minutes = 60 where facility_id = $1")
        .bind(sauna)
        .execute(&c.admin)
        .await
        .unwrap();
    let second = tokio::spawn({
        let desk = desk.clone();
        async move { ensure_slots(&desk, ldn, day, day).await }
    });
    wait_until_someone_waits_on_a_lock(&c.admin, &second).await;
    first.commit().await.unwrap();
    second.await.unwrap().expect("the waiting call succeeds");

    let differences = differences_from_plan(&c.admin, ldn, day, day).await;
    assert!(
        differences.is_empty(),
        "the day holds exactly the configured slots after the race:\n{}",
        differences.join("\n")
    );
    ensure_slots(&desk, ldn, day, day).await.unwrap();
    let differences = differences_from_plan(&c.admin, ldn, day, day).await;
    assert!(
        differences.is_empty(),
        "and one more call keeps it so:\n{}",
        differences.join("\n")
    );
}

/// A caller's REPEATABLE READ transaction whose snapshot predates another call's making cannot
/// see those slots, so it must not overwrite them: PostgreSQL refuses it (the desk says "try
/// again"), and the retry, in a new transaction, finds the day made.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn an_old_snapshot_is_refused_not_allowed_to_overwrite(admin: PgPool) {
    let c = club(admin).await;
    let ldn = c.branch_a();
    let day = date("2099-04-13");
    let desk = c.desk_pool(DESK_A, 2).await;

    let mut old = desk.begin().await.unwrap();
    sqlx::query("set transaction isolation level repeatable read")
        .execute(&mut *old)
        .await
        .unwrap();
    sqlx::query("select 1").execute(&mut *old).await.unwrap();
    let made = ensure_slots(&desk, ldn, day, day).await.unwrap();
    assert!(made > 0);

    let e = ensure_slots(&mut *old, ldn, day, day)
        .await
        .expect_err("a snapshot that cannot see the made day");
    assert!(
        matches!(e, Error::Conflict),
        "refused as a conflict, in words: {e:?}"
    );
    old.rollback().await.unwrap();

    assert_eq!(
        ensure_slots(&desk, ldn, day, day).await.unwrap(),
        0,
        "the retry finds the day made"
    );
    let differences = differences_from_plan(&c.admin, ldn, day, day).await;
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// A bounded random load, in episodes: desks making overlapping ranges (some inside transactions
/// held open a moment), a desk booking whatever slot it last saw, and an administrator changing
/// settings, opening hours, days, maintenance and activity flags in quick succession, some of it
/// in transactions held open; the administrator's daily prune runs among the changes. No ensure
/// call may fail; booking refusals are expected (the slot was removed, is full, or is from an
/// earlier timetable), anything else is not. After each episode the load stops, one more call
/// settles the range, and the checker compares it with the configuration; at the end, no confirmed
/// booking is lost and every count is right.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn random_settings_changes_while_desks_make_and_book_settle_to_the_configuration(
    admin: PgPool,
) {
    let c = club(admin).await;
    let ldn = c.club.branch("LDN");
    let branch = ldn.id;
    let (start, end) = (date("2099-05-04"), date("2099-05-17"));
    let seed: u64 = std::env::var("SLOT_LOAD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261201);
    let desk = c.desk_pool(DESK_A, 8).await;
    let staff = c.staff("frank.desk.ldn");
    let members = c.members_on_plan(30, "PREMIUM").await;
    let facilities: Vec<Uuid> = ["Sauna", "Cold Plunge", "Steam Room", "Infrared Sauna"]
        .iter()
        .map(|f| ldn.facility(f))
        .collect();
    let (episodes, changes_per_episode) = (8, 20);
    let mut booked = Vec::new();

    // Days past the retention horizon, which the administrator's daily prune deletes during the
    // load (an administrator may still make them; the prune's days never meet the desks').
    let horizon: NaiveDate = sqlx::query_scalar(
        "select (now() at time zone b.timezone)::date - public.recovery_slot_retention_days() from branches b where b.id = $1",
    )
    .bind(branch)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    let mut pruned = 0i64;

    for episode in 0..episodes {
        let seed = seed + 1000 * episode;
        sqlx::query("select ensure_facility_slots($1, $2, $3)")
            .bind(branch)
            .bind(horizon - chrono::Duration::days(10))
            .bind(horizon + chrono::Duration::days(3))
            .execute(&c.admin)
            .await
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let mut makers = Vec::new();
        for worker in 0..4u64 {
            let (desk, stop) = (desk.clone(), stop.clone());
            makers.push(tokio::spawn(async move {
                let mut rng = ChaCha8Rng::seed_from_u64(seed + worker);
                let mut errors = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let from = start + chrono::Duration::days(rng.gen_range(0..14));
                    let to = (from + chrono::Duration::days(rng.gen_range(0..7))).min(end);
                    let result = if rng.gen_bool(0.4) {
                        // Held open a moment, as a caller's own transaction would be.
                        let mut tx = desk.begin().await.unwrap();
                        let r = ensure_slots(&mut *tx, branch, from, to).await;
                        tokio::time::sleep(Duration::from_millis(rng.gen_range(1..25))).await;
                        match r {
                            Ok(n) => tx.commit().await.map(|_| n).map_err(Error::from),
                            Err(e) => Err(e),
                        }
                    } else {
                        ensure_slots(&desk, branch, from, to).await
                    };
                    if let Err(e) = result {
                        errors.push(format!("ensure {from}..{to}: {e:?}"));
                    }
                }
                errors
            }));
        }
        let booker = tokio::spawn({
            let (desk, members, stop) = (desk.clone(), members.clone(), stop.clone());
            async move {
                let mut rng = ChaCha8Rng::seed_from_u64(seed + 100);
                let (mut errors, mut booked) = (Vec::new(), Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    let slots: Vec<Uuid> = sqlx::query_scalar(
                        "select id from benefit_slots where branch_id = $1 and local_date between $2 and $3",
                    )
                    .bind(branch)
                    .bind(start)
                    .bind(end)
                    .fetch_all(&desk)
                    .await
                    .unwrap();
                    if slots.is_empty() {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    }
                    let slot = slots[rng.gen_range(0..slots.len())];
                    let member = members[rng.gen_range(0..members.len())];
                    match book(
                        &desk,
                        &desk_request(BookingKind::Recovery, slot, member, staff),
                    )
                    .await
                    {
                        Ok(b) => booked.push(b.id),
                        Err(Error::NotFound(_) | Error::Full { .. } | Error::AlreadyBooked) => {}
                        Err(Error::Invalid { reason, .. })
                            if reason.contains("earlier timetable")
                                || reason.contains("closed for maintenance") => {}
                        Err(e) => errors.push(format!("book {slot}: {e:?}")),
                    }
                }
                (errors, booked)
            }
        });
        // The administrator's changes, in quick succession.
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 200);
        for _ in 0..changes_per_episode {
            let f = facilities[rng.gen_range(0..facilities.len())];
            let change = match rng.gen_range(0..7) {
                0 => format!("update benefit_settings set slot_minutes = {} where facility_id = '{f}'", [30, 45, 60][rng.gen_range(0..3)]),
                1 => format!("update benefit_settings set capacity = {} where facility_id = '{f}'", rng.gen_range(2..9)),
                2 => format!(
                    "update benefit_settings set open_time = '{}', close_time = '{}' where facility_id = '{f}'",
                    ["06:00", "06:30", "07:00"][rng.gen_range(0..3)],
                    ["20:00", "21:00", "22:00"][rng.gen_range(0..3)]
                ),
                3 => format!("update facilities set under_maintenance = not under_maintenance where id = '{f}'"),
                4 => format!("update facilities set is_active = not is_active where id = '{f}'"),
                5 => format!(
                    "update facilities set available_days = '{}' where id = '{f}'",
                    ["{1,2,3,4,5,6,7}", "{1,2,3,4,5,6}", "{1,3,5,7}"][rng.gen_range(0..3)]
                ),
                _ => "select public.prune_recovery_slots()".to_owned(),
            };
            let mut tx = c.admin.begin().await.unwrap();
            if change.contains("prune") {
                let n: i64 = sqlx::query_scalar(&change)
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                pruned += n;
            } else {
                sqlx::query(&change).execute(&mut *tx).await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..8))).await;
            tx.commit().await.unwrap();
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..12))).await;
        }
        // Desks go on a moment after the last change, then stop.
        tokio::time::sleep(Duration::from_millis(30)).await;
        stop.store(true, Ordering::Relaxed);
        let mut errors = Vec::new();
        for m in makers {
            errors.extend(m.await.unwrap());
        }
        let (booking_errors, episode_booked) = booker.await.unwrap();
        errors.extend(booking_errors);
        booked.extend(episode_booked);
        assert!(
            errors.is_empty(),
            "seed {seed}: calls failed under load:\n{}",
            errors.join("\n")
        );

        // Settled: one more call, then the range must be what the configuration says.
        ensure_slots(&desk, branch, start, end)
            .await
            .expect("the settling call succeeds");
        let differences = differences_from_plan(&c.admin, branch, start, end).await;
        assert!(
            differences.is_empty(),
            "seed {seed} (episode {episode}): {} slots differ from the configuration after settling, e.g.:\n{}",
            differences.len(),
            differences.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
        );
    }

    // No booking was lost, and every slot's count is its live bookings.
    let kept: i64 = sqlx::query_scalar("select count(*) from benefit_bookings where id = any($1)")
        .bind(&booked)
        .fetch_one(&c.admin)
        .await
        .unwrap();
    assert_eq!(
        kept,
        booked.len() as i64,
        "every confirmed booking is still there"
    );
    let miscounted: i64 = sqlx::query_scalar(
        "select count(*) from benefit_slots s
         where s.booked_count <> (select count(*) from benefit_bookings b where b.slot_id = s.id and b.status <> 'cancelled')",
    )
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(miscounted, 0, "booked_count equals the live bookings");
    assert!(
        pruned > 0,
        "the prune ran during the load and deleted old slots"
    );
    let left: i64 = sqlx::query_scalar("select public.prune_recovery_slots()")
        .fetch_one(&c.admin)
        .await
        .unwrap();
    let old: i64 = sqlx::query_scalar(
        "select count(*) from benefit_slots where branch_id = $1 and local_date < $2 and booked_count = 0",
    )
    .bind(branch)
    .bind(horizon)
    .fetch_one(&c.admin)
    .await
    .unwrap();
    assert_eq!(
        old, 0,
        "after the prune ({left} more), no unbooked slot is older than the horizon"
    );
    assert!(
        booked.len() > 20,
        "the load booked something (else it proves little): {}",
        booked.len()
    );
}
