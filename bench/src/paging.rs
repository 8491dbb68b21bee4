//! Pair 4: the All Bookings list at 1,000,000 bookings. The first page and deep keyset pages
//! (the core's `list_bookings` with a cursor) with the common filters, versus OFFSET paging of
//! the same list at the same depths (the core's select, `push_bookings_select`, without its
//! keyset). Each deep keyset page is checked against the OFFSET page
//! (same bookings, same order), and a long cursor walk must visit bookings once, in order.

use std::collections::HashSet;

use branch_desk_core::bookings::{
    list_bookings, push_bookings_select, BookingFilter, BookingKind, BookingRow, Cursor,
    PageRequest, Sort,
};
use chrono::{Duration, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::report::{ratio, sample, Measure};
use crate::{Ctx, DESK_HQ, DESK_LDN, R};

const PAGE: i64 = 50;

/// The same list paged the naive way: ORDER BY ... OFFSET n LIMIT 50.
async fn offset_page(
    pool: &PgPool,
    f: &BookingFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> R<Vec<BookingRow>> {
    let dir = if sort == Sort::StartsAsc {
        "asc"
    } else {
        "desc"
    };
    let mut q = QueryBuilder::<Postgres>::new("select * from (");
    push_bookings_select(&mut q, f, None);
    q.push(format_args!(
        ") x order by starts_at {dir}, id {dir} offset "
    ))
    .push_bind(offset)
    .push(" limit ")
    .push_bind(limit);
    Ok(q.build_query_as().fetch_all(pool).await?)
}

async fn count(pool: &PgPool, f: &BookingFilter) -> R<i64> {
    Ok(as_desk!(pool, |c| {
        branch_desk_core::bookings::count_bookings(c, f).await?
    }))
}

pub async fn run(ctx: &mut Ctx) -> R<Vec<Measure>> {
    let manager = ctx.desk_pool(DESK_HQ, 1).await?;
    let branch_desk = ctx.desk_pool(DESK_LDN, 1).await?;
    let ldn = ctx.club.branch("LDN").clone();
    let frank = ctx
        .club
        .staff
        .iter()
        .find(|s| s.email.starts_with("frank.desk.ldn"))
        .ok_or("generated staff")?
        .id;
    let now = Utc::now();
    // The branch desk's filters name its branch, as the desk sends them (BookingFilter::for_desk).
    let own = BookingFilter {
        branch_id: Some(ldn.id),
        ..Default::default()
    };
    let cases: Vec<(&str, &PgPool, BookingFilter, Sort)> = vec![
        (
            "manager desk, all bookings, oldest first",
            &manager,
            BookingFilter::default(),
            Sort::StartsAsc,
        ),
        (
            "manager desk, all bookings, newest first",
            &manager,
            BookingFilter::default(),
            Sort::StartsDesc,
        ),
        (
            "branch desk (RLS), all bookings",
            &branch_desk,
            own.clone(),
            Sort::StartsAsc,
        ),
        (
            "manager desk, classes, attended",
            &manager,
            BookingFilter {
                kind: Some(BookingKind::Class),
                statuses: vec!["attended".into()],
                ..Default::default()
            },
            Sort::StartsAsc,
        ),
        (
            "branch desk, facility Sauna",
            &branch_desk,
            BookingFilter {
                facility_id: Some(ldn.facility("Sauna")),
                ..own.clone()
            },
            Sort::StartsAsc,
        ),
        (
            "manager desk, last 90 days to next 30, booked or attended",
            &manager,
            BookingFilter {
                from: Some(now - Duration::days(90)),
                to: Some(now + Duration::days(30)),
                statuses: vec!["booked".into(), "attended".into()],
                ..Default::default()
            },
            Sort::StartsAsc,
        ),
        (
            "branch desk, booked by one staff member",
            &branch_desk,
            BookingFilter {
                booked_by_staff_id: Some(frank),
                ..own.clone()
            },
            Sort::StartsAsc,
        ),
    ];
    let depths: &[i64] = if ctx.quick {
        &[0, 100, 1_000, 3_000]
    } else {
        &[0, 10_000, 100_000, 500_000, 900_000]
    };
    let s = ctx.sizes;
    let mut rows = Vec::new();
    let mut worst_keyset_p95: f64 = 0.0;
    let mut pages_match = true;
    for (name, pool, filter, sort) in &cases {
        let total = count(pool, filter).await?;
        println!("  {name}: {total} bookings");
        // Warm both statements.
        let first = PageRequest {
            after: None,
            limit: PAGE,
            sort: *sort,
        };
        as_desk!(*pool, |c| list_bookings(c, filter, &first).await?);
        offset_page(pool, filter, *sort, 0, PAGE).await?;
        for &depth in depths.iter().filter(|d| **d == 0 || **d + PAGE <= total) {
            let after = if depth == 0 {
                None
            } else {
                let row = offset_page(pool, filter, *sort, depth - 1, 1)
                    .await?
                    .pop()
                    .ok_or("no row at that depth")?;
                Some(Cursor {
                    starts_at: row.starts_at,
                    id: row.id,
                })
            };
            let page = PageRequest {
                after,
                limit: PAGE,
                sort: *sort,
            };
            let keyset_ids: Vec<_> = as_desk!(*pool, |c| list_bookings(c, filter, &page).await?)
                .rows
                .iter()
                .map(|r| r.id)
                .collect();
            let offset_ids: Vec<_> = offset_page(pool, filter, *sort, depth, PAGE)
                .await?
                .iter()
                .map(|r| r.id)
                .collect();
            if keyset_ids != offset_ids {
                println!("  MISMATCH: {name} at depth {depth}: the keyset page differs from the OFFSET page");
                pages_match = false;
            }
            let (pool, filter, sort, page_ref): (&PgPool, &BookingFilter, Sort, &PageRequest) =
                (pool, filter, *sort, &page);
            let ks = sample(3, s.keyset_samples, s.cell_budget, |_| async move {
                as_desk!(pool, |c| list_bookings(c, filter, page_ref).await?);
                Ok(())
            })
            .await?;
            let os = sample(2, s.offset_samples, s.cell_budget, |_| async move {
                offset_page(pool, filter, sort, depth, PAGE).await?;
                Ok(())
            })
            .await?;
            let case = if depth == 0 {
                format!("{name}: first page")
            } else {
                format!("{name}: page at row {depth}")
            };
            let mut a = Measure::sequential("4 All Bookings", &case, "keyset (list_bookings)", ks)
                .target_p(95.0, 15.0, "p95 < 15 ms");
            let b = Measure::sequential("4 All Bookings", &case, "OFFSET", os);
            ratio(&mut a, &b);
            worst_keyset_p95 = worst_keyset_p95.max(a.p(95.0));
            println!(
                "    depth {depth}: keyset p95 {:.2} ms, OFFSET p95 {:.1} ms",
                a.p(95.0),
                b.p(95.0)
            );
            rows.push(a);
            rows.push(b);
        }
    }
    ctx.check(
        "each deep keyset page holds the same bookings as the OFFSET page at that depth",
        pages_match,
    );

    // Walk far with the cursor: every page timed, every booking seen once, in order.
    let mut page = PageRequest {
        after: None,
        limit: PAGE,
        sort: Sort::StartsAsc,
    };
    let mut seen = HashSet::new();
    let mut last: Option<(chrono::DateTime<Utc>, uuid::Uuid)> = None;
    let (mut ordered, mut lat) = (true, Vec::new());
    for _ in 0..s.walk_pages {
        let t = std::time::Instant::now();
        let p = as_desk!(&manager, |c| list_bookings(
            c,
            &BookingFilter::default(),
            &page
        )
        .await?);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        for r in &p.rows {
            ordered &= last.is_none_or(|l| l < (r.starts_at, r.id));
            ordered &= seen.insert(r.id);
            last = Some((r.starts_at, r.id));
        }
        match p.next {
            Some(c) => page.after = Some(c),
            None => break,
        }
    }
    let walked = seen.len();
    let n = lat.len();
    let walk = Measure::sequential(
        "4 All Bookings",
        &format!("manager desk, all bookings: walk pages 1..{n} with the cursor"),
        "keyset (list_bookings)",
        lat,
    )
    .target_p(95.0, 15.0, "p95 < 15 ms")
    .note(format!("{walked} bookings, each once, in order"));
    worst_keyset_p95 = worst_keyset_p95.max(walk.p(95.0));
    rows.push(walk);
    ctx.check(
        format!("the cursor walk visited {walked} bookings once each, in start order"),
        ordered,
    );
    println!("  worst keyset p95 at any depth: {worst_keyset_p95:.2} ms");
    manager.close().await;
    branch_desk.close().await;
    Ok(rows)
}
