//! Pair 3: 50 concurrent desks booking the same slot (and the same class), versus the same 50
//! desks booking spread over many slots. Throughput, latency, then the invariants checked on
//! the whole database: no overbooking, counters equal rows, no member twice in a class or slot.
//! Each desk is its own connection as the branch's desk role, with a signed-in staff member.

use std::sync::Arc;
use std::time::{Duration, Instant};

use branch_desk_core::bookings::{book, BookingKind, BookingRequest};
use branch_desk_core::slots::ensure_slots;
use branch_desk_core::Error;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::report::{ratio, Measure};
use crate::{Ctx, DESK_LDN, R};

const DESKS: usize = 50;

#[derive(Debug, Default, Clone, Copy)]
struct Outcomes {
    ok: usize,
    full: usize,
    already: usize,
}

fn request(kind: BookingKind, target: Uuid, member: Uuid, staff: Uuid) -> BookingRequest {
    BookingRequest {
        kind,
        target_id: target,
        member_id: member,
        idempotency_key: Uuid::new_v4(),
        staff_id: Some(staff),
        override_capacity: false,
        override_allowance: false,
        override_reason: None,
        join_waitlist: false,
    }
}

/// One booking as the app makes it: in a transaction of its own (`Desk::begin`).
async fn book_as_desk(
    conn: &mut sqlx::PgConnection,
    r: &BookingRequest,
) -> Result<branch_desk_core::bookings::Booking, Error> {
    use sqlx::Connection;
    let mut tx = conn
        .begin_with(branch_desk_core::db::DESK_TRANSACTION_START)
        .await?;
    let booking = book(&mut *tx, r).await?;
    tx.commit().await?;
    Ok(booking)
}

/// Runs each desk's requests on its own connection, all desks starting together. Returns the
/// latency of every attempt, the wall time, and what happened. "Full" and "Already booked" are
/// answers; any other error fails the benchmark.
async fn desks_at_once(
    pool: &PgPool,
    work: Vec<Vec<BookingRequest>>,
) -> R<(Vec<f64>, Duration, Outcomes)> {
    let barrier = Arc::new(Barrier::new(work.len() + 1));
    let mut tasks = Vec::new();
    for requests in work {
        let mut conn = pool.acquire().await?;
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut out = Vec::new();
            for r in requests {
                let t = Instant::now();
                let result = book_as_desk(&mut conn, &r).await;
                out.push((t.elapsed().as_secs_f64() * 1000.0, result.map(|_| ())));
            }
            out
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut o = Outcomes::default();
    for t in tasks {
        for (ms, result) in t.await? {
            latencies.push(ms);
            match result {
                Ok(()) => o.ok += 1,
                Err(Error::Full { .. }) => o.full += 1,
                Err(Error::AlreadyBooked) => o.already += 1,
                Err(e) => return Err(format!("a concurrent booking failed: {e} ({e:?})").into()),
            }
        }
    }
    Ok((latencies, started.elapsed(), o))
}

pub async fn run(ctx: &mut Ctx) -> R<Vec<Measure>> {
    let branch = ctx.club.branch("LDN").clone();
    let staff = ctx
        .club
        .staff
        .iter()
        .find(|s| s.email.starts_with("frank.desk.ldn"))
        .ok_or("generated staff")?
        .id;
    // Members on the unlimited plan, so that allowances never refuse a booking here.
    let members = sqlx::query_scalar!(
        "select id from members where status = 'active' and plan_id = $1 order by member_number limit 1050",
        ctx.club.plan("PREMIUM")
    )
    .fetch_all(&ctx.admin)
    .await?;
    if members.len() < DESKS {
        return Err(format!(
            "only {} active members on the unlimited plan; need {DESKS}",
            members.len()
        )
        .into());
    }
    let per_desk = (members.len() / DESKS).clamp(1, 20);

    // Fresh slots, after the activity window.
    let (s, e) = ctx.fresh_range();
    ensure_slots(&ctx.admin, branch.id, s, e).await?;
    let sauna: Vec<(Uuid, i32)> = sqlx::query!(
        "select id, capacity from benefit_slots where facility_id = $1 and local_date between $2 and $3 order by starts_at",
        branch.facility("Sauna"),
        s,
        e
    )
    .fetch_all(&ctx.admin)
    .await?
    .into_iter()
    .map(|r| (r.id, r.capacity))
    .collect();
    let (s2, e2) = ctx.fresh_range();
    ensure_slots(&ctx.admin, branch.id, s2, e2).await?;
    let spread_slots = sqlx::query_scalar!(
        "select id from benefit_slots where branch_id = $1 and local_date between $2 and $3 order by starts_at, facility_id",
        branch.id,
        s2,
        e2
    )
    .fetch_all(&ctx.admin)
    .await?;

    let desk = ctx.desk_pool(DESK_LDN, DESKS as u32).await?;
    // Warm every connection's statements with one booking each, spread out.
    let warm: Vec<Vec<BookingRequest>> = (0..DESKS)
        .map(|i| {
            vec![request(
                BookingKind::Recovery,
                spread_slots[i * 7 % spread_slots.len()],
                members[i],
                staff,
            )]
        })
        .collect();
    desks_at_once(&desk, warm).await?;

    let mut rows = Vec::new();
    let rounds = ctx.sizes.same_slot_rounds.min(sauna.len());
    let mut exact = true;

    // Same slot.
    let (mut lat, mut wall, mut total) = (Vec::new(), Duration::ZERO, Outcomes::default());
    let capacity = sauna[0].1;
    for (slot, cap) in sauna.iter().take(rounds) {
        let work = (0..DESKS)
            .map(|i| vec![request(BookingKind::Recovery, *slot, members[i], staff)])
            .collect();
        let (l, w, o) = desks_at_once(&desk, work).await?;
        exact &= o.ok == (*cap as usize).min(DESKS) && o.full == DESKS - o.ok && o.already == 0;
        lat.extend(l);
        wall += w;
        total.ok += o.ok;
        total.full += o.full;
    }
    let same_slot = Measure::concurrent(
        "3 contended booking",
        &format!("50 desks at once, same slot (capacity {capacity}), {rounds} rounds"),
        "book_benefit_slot",
        lat,
        wall,
    )
    .note(format!("booked {}, full {}", total.ok, total.full));
    ctx.check(format!("same slot: each round booked exactly its capacity ({capacity}) and refused the rest as full"), exact);

    // Same class.
    let mut exact_class = true;
    let (mut lat, mut wall, mut total) = (Vec::new(), Duration::ZERO, Outcomes::default());
    for r in 0..rounds {
        let class = sqlx::query_scalar!(
            "insert into classes (branch_id, title, instructor, starts_at, ends_at, capacity)
             values ($1, 'Bench Spin', 'Ana Ruiz', $2::date + time '07:00' + make_interval(hours => $3),
                     $2::date + time '08:00' + make_interval(hours => $3), 20)
             returning id",
            branch.id,
            s,
            r as i32
        )
        .fetch_one(&ctx.admin)
        .await?;
        let work = (0..DESKS)
            .map(|i| vec![request(BookingKind::Class, class, members[i], staff)])
            .collect();
        let (l, w, o) = desks_at_once(&desk, work).await?;
        exact_class &= o.ok == 20 && o.full == DESKS - 20;
        lat.extend(l);
        wall += w;
        total.ok += o.ok;
        total.full += o.full;
    }
    let same_class = Measure::concurrent(
        "3 contended booking",
        &format!("50 desks at once, same class (capacity 20), {rounds} rounds"),
        "book_class",
        lat,
        wall,
    )
    .note(format!("booked {}, full {}", total.ok, total.full));
    ctx.check(
        "same class: each round booked exactly 20 and refused the rest as full",
        exact_class,
    );

    // Spread: each desk serves its own members, booking random slots of a month.
    let work: Vec<Vec<BookingRequest>> = (0..DESKS)
        .map(|d| {
            let mut rng = SmallRng::seed_from_u64(d as u64);
            let mine =
                &members[(d * per_desk) % members.len()..((d + 1) * per_desk).min(members.len())];
            (0..ctx.sizes.spread_per_desk)
                .map(|k| {
                    request(
                        BookingKind::Recovery,
                        spread_slots[rng.gen_range(0..spread_slots.len())],
                        mine[k % mine.len()],
                        staff,
                    )
                })
                .collect()
        })
        .collect();
    let (lat, wall, o) = desks_at_once(&desk, work).await?;
    let mut spread = Measure::concurrent(
        "3 contended booking",
        &format!("50 desks at once, spread over {} slots", spread_slots.len()),
        "book_benefit_slot",
        lat,
        wall,
    )
    .note(format!(
        "booked {}, full {}, already booked {}",
        o.ok, o.full, o.already
    ));
    ratio(&mut spread, &same_slot);
    println!(
        "  same slot: {:.0} bookings/s, p95 {:.1} ms; same class: {:.0}/s, p95 {:.1} ms; spread: {:.0}/s, p95 {:.1} ms",
        same_slot.throughput(),
        same_slot.p(95.0),
        same_class.throughput(),
        same_class.p(95.0),
        spread.throughput(),
        spread.p(95.0)
    );
    rows.extend([same_slot, same_class, spread]);
    desk.close().await;

    invariants(ctx).await?;
    Ok(rows)
}

/// On the whole database (generated history included).
async fn invariants(ctx: &mut Ctx) -> R<()> {
    for (counter_table, table, col) in [
        ("benefit_slots", "benefit_bookings", "slot_id"),
        ("classes", "class_bookings", "class_id"),
    ] {
        let (overbooked, counter_off): (i64, i64) = sqlx::query_as(&format!(
            "select count(*) filter (where coalesce(x.plain, 0) > t.capacity),
                    count(*) filter (where t.booked_count <> coalesce(x.live, 0))
             from {counter_table} t
             left join (select {col} as target,
                               count(*) filter (where status in ('booked', 'attended', 'no_show')) as live,
                               count(*) filter (where status in ('booked', 'attended', 'no_show') and not capacity_override) as plain
                        from {table} group by {col}) x on x.target = t.id"
        ))
        .fetch_one(&ctx.admin)
        .await?;
        let duplicates: i64 = sqlx::query_scalar(&format!(
            "select count(*) from (select 1 from {table} where status <> 'cancelled' group by {col}, member_id having count(*) > 1) x"
        ))
        .fetch_one(&ctx.admin)
        .await?;
        ctx.check(
            format!(
                "{counter_table}: no overbooking without an override ({overbooked} over capacity)"
            ),
            overbooked == 0,
        );
        ctx.check(
            format!(
                "{counter_table}: booked_count equals the live bookings ({counter_off} differ)"
            ),
            counter_off == 0,
        );
        ctx.check(
            format!("{table}: no member twice in one {col} ({duplicates} duplicates)"),
            duplicates == 0,
        );
    }
    Ok(())
}
