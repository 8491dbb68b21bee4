//! Pair 2: one `ensure_facility_slots` call for a branch-month (first run and the no-op
//! re-run) versus the client loop it replaced (per facility, per day: compute that day's slots
//! in the branch's zone on the client and INSERT them with one round trip), on loopback and
//! through the latency-adding proxy (about 20 ms round trip).

use std::time::Duration;

use branch_desk_core::slots::ensure_slots;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::report::{fmt_ratio, ratio, Measure};
use crate::{proxy, Ctx, DESK_LDN, R};

/// The old approach, as the members' app did it (with a role allowed to write slots directly):
/// read the configuration once, then one INSERT round trip per facility and day.
async fn client_loop(
    conn: &mut PgConnection,
    branch: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> R<u64> {
    let facilities = sqlx::query!(
        r#"select f.id, f.branch_id, b.timezone, f.available_days, s.open_time as "open_time?",
                  s.close_time as "close_time?", s.slot_minutes as "slot_minutes?", s.capacity as "capacity?"
           from facilities f join branches b on b.id = f.branch_id
           left join benefit_settings s on s.facility_id = f.id
           where f.branch_id = $1 and f.is_active and not f.under_maintenance
           order by f.name"#,
        branch
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut inserted = 0;
    for f in facilities {
        let (facility, branch_id, tz, days) = (f.id, f.branch_id, f.timezone, f.available_days);
        let (open, close, minutes, capacity) =
            (f.open_time, f.close_time, f.slot_minutes, f.capacity);
        let tz: chrono_tz::Tz = tz.parse().map_err(|e| format!("time zone {tz}: {e}"))?;
        let open = open.unwrap_or(NaiveTime::from_hms_opt(6, 0, 0).expect("time"));
        let close = close.unwrap_or(NaiveTime::from_hms_opt(22, 0, 0).expect("time"));
        let length = chrono::Duration::minutes(minutes.unwrap_or(30).into());
        let capacity = capacity.unwrap_or(4);
        let mut day = start;
        while day <= end {
            if days.contains(&(day.weekday().number_from_monday() as i32)) {
                let (mut starts, mut ends, mut local_starts, mut local_ends) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                let mut t = day.and_time(open);
                while t + length <= day.and_time(close) {
                    // A local time in the spring-forward gap gets no slot; an ambiguous one its
                    // first occurrence.
                    if let Some(s) = tz.from_local_datetime(&t).earliest() {
                        let s = s.with_timezone(&Utc);
                        let e = s + length;
                        starts.push(s);
                        ends.push(e);
                        local_starts.push(t.time());
                        local_ends.push(e.with_timezone(&tz).time());
                    }
                    t += length;
                }
                let n = starts.len();
                let done = sqlx::query!(
                    "insert into benefit_slots (facility_id, branch_id, starts_at, ends_at, local_date, local_start, local_end, capacity)
                     select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::date[], $6::time[], $7::time[], $8::int[])
                     on conflict (facility_id, starts_at) do nothing",
                    &vec![facility; n],
                    &vec![branch_id; n],
                    &starts,
                    &ends,
                    &vec![day; n],
                    &local_starts,
                    &local_ends,
                    &vec![capacity; n]
                )
                .execute(&mut *conn)
                .await?;
                inserted += done.rows_affected();
            }
            day += chrono::Duration::days(1);
        }
    }
    Ok(inserted)
}

async fn pool(opts: PgConnectOptions) -> R<PgPool> {
    // No ping before each acquire: both methods are timed on one held connection, so that the
    // figures count only their own round trips.
    Ok(PgPoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(opts)
        .await?)
}

pub async fn run(ctx: &mut Ctx) -> R<Vec<Measure>> {
    let branch = ctx.club.branch("LDN").clone();
    // The issue's branch-month has four facilities: bring the generated Steam Room out of
    // maintenance (it only affects dates after the activity window).
    sqlx::query!(
        "update facilities set under_maintenance = false where id = $1",
        branch.facility("Steam Room")
    )
    .execute(&ctx.admin)
    .await?;

    let upstream = {
        let host = ctx.admin_opts.get_host().to_owned();
        let port = ctx.admin_opts.get_port();
        let found = tokio::net::lookup_host((host.as_str(), port)).await?.next();
        found.ok_or("cannot resolve the database host")?
    };
    let proxy_addr = proxy::start(upstream, Duration::from_millis(10)).await?;
    let mut rows = Vec::new();
    for (network, runs) in [
        ("loopback", ctx.sizes.slot_runs_loopback),
        ("20 ms RTT proxy", ctx.sizes.slot_runs_proxy),
    ] {
        let via = |o: PgConnectOptions| {
            if network == "loopback" {
                o
            } else {
                o.host("127.0.0.1").port(proxy_addr.port())
            }
        };
        let desk_pool = pool(via(ctx.desk_opts(DESK_LDN))).await?;
        let admin_pool = pool(via(ctx.admin_opts.clone())).await?;
        let mut desk = desk_pool.acquire().await?;
        let mut admin = admin_pool.acquire().await?;
        // Round trip as the client sees it, and warm-up of both paths' statements.
        let mut rtt = Vec::new();
        for _ in 0..20 {
            let t = std::time::Instant::now();
            sqlx::query!("select 1 as one")
                .fetch_one(&mut *desk)
                .await?;
            rtt.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let (ws, _) = ctx.fresh_range();
        ensure_slots(&mut *desk, branch.id, ws, ws).await?;
        client_loop(
            &mut admin,
            branch.id,
            ws + chrono::Duration::days(1),
            ws + chrono::Duration::days(1),
        )
        .await?;

        let (mut first, mut rerun, mut loop_first, mut loop_rerun) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut slots_per_month = 0;
        let mut rerun_inserted = 0;
        let mut loop_matches = true;
        for _ in 0..runs {
            let (s, e) = ctx.fresh_range();
            let t = std::time::Instant::now();
            let n = ensure_slots(&mut *desk, branch.id, s, e).await?;
            first.push(t.elapsed().as_secs_f64() * 1000.0);
            slots_per_month = n;
            let t = std::time::Instant::now();
            rerun_inserted += ensure_slots(&mut *desk, branch.id, s, e).await?;
            rerun.push(t.elapsed().as_secs_f64() * 1000.0);

            let (s, e) = ctx.fresh_range();
            let t = std::time::Instant::now();
            let made = client_loop(&mut admin, branch.id, s, e).await?;
            loop_first.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = std::time::Instant::now();
            rerun_inserted += client_loop(&mut admin, branch.id, s, e).await? as i32;
            loop_rerun.push(t.elapsed().as_secs_f64() * 1000.0);
            // The loop must make exactly the slots the function would: the function then
            // finds nothing to add (nor anything to replace).
            let extra = ensure_slots(&ctx.admin, branch.id, s, e).await?;
            loop_matches &= extra == 0 && made > 0;
        }
        let round_trips = 1 + count_facility_days(&ctx.admin, branch.id, ctx.today).await?;
        let case = format!("branch-month (4 facilities × 31 days), {network}");
        let mut r = Measure::sequential("2 slot generation", &case, "round trip: select 1", rtt);
        r.note = format!(
            "one-way delay {} ms each way",
            if network == "loopback" { 0 } else { 10 }
        );
        let mut a = Measure::sequential(
            "2 slot generation",
            &case,
            "ensure_facility_slots, first run",
            first,
        )
        .note(format!("1 round trip, {slots_per_month} slots"));
        let b = Measure::sequential(
            "2 slot generation",
            &case,
            "client loop, first run",
            loop_first,
        )
        .note(format!("≈{round_trips} round trips"));
        let mut c = Measure::sequential(
            "2 slot generation",
            &case,
            "ensure_facility_slots, re-run (no-op)",
            rerun,
        );
        let d = Measure::sequential(
            "2 slot generation",
            &case,
            "client loop, re-run (no-op)",
            loop_rerun,
        );
        ratio(&mut a, &b);
        ratio(&mut c, &d);
        if network == "loopback" {
            a = a.target_p(95.0, 30.0, "first run p95 < 30 ms");
            c = c.target_p(95.0, 3.0, "re-run p95 < 3 ms");
        } else {
            let r = b.p(50.0) / a.p(50.0);
            a.target = format!(
                "≥ 50× faster than the loop: {} ({})",
                if r >= 50.0 { "met" } else { "NOT met" },
                fmt_ratio(r)
            );
        }
        println!(
            "  {network}: first {:.1} ms vs loop {:.1} ms; re-run {:.2} ms vs loop {:.1} ms (p50)",
            a.p(50.0),
            b.p(50.0),
            c.p(50.0),
            d.p(50.0)
        );
        rows.extend([r, a, b, c, d]);
        ctx.check(
            format!("slots, {network}: every re-run (function and loop) inserted nothing"),
            rerun_inserted == 0,
        );
        ctx.check(format!("slots, {network}: the client loop made exactly the slots ensure_facility_slots makes"), loop_matches);
        drop((desk, admin));
        desk_pool.close().await;
        admin_pool.close().await;
    }
    let dupes = sqlx::query_scalar!(
        r#"select count(*) as "dupes!" from (select 1 from benefit_slots group by facility_id, starts_at having count(*) > 1) x"#
    )
    .fetch_one(&ctx.admin)
    .await?;
    ctx.check("no duplicate slot (facility, start)", dupes == 0);
    Ok(rows)
}

/// How many facility-days of a 31-day range the loop visits (one INSERT each).
async fn count_facility_days(admin: &PgPool, branch: Uuid, from: NaiveDate) -> R<i64> {
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "days!" from facilities f, generate_series($2::date, $2::date + 30, interval '1 day') d
           where f.branch_id = $1 and f.is_active and not f.under_maintenance
             and extract(isodow from d)::int = any (f.available_days)"#,
        branch,
        from
    )
    .fetch_one(admin)
    .await?)
}
