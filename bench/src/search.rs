//! Pair 1: `search_members` versus a naive `ILIKE '%q%'` scan over the same columns, with the
//! queries a front desk types, built from the generated members themselves.

use branch_desk_core::generator::{members_for, MemberRow};
use branch_desk_core::members::search_members;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::report::{ratio, Measure};
use crate::{Ctx, DESK_LDN, R};

const KINDS: [&str; 6] = [
    "partial name",
    "swapped first/last",
    "typo",
    "email fragment",
    "phone digits",
    "member number",
];

/// (kind, query, the member it was built from)
fn queries(members: &[MemberRow], per_kind: usize) -> Vec<(&'static str, String, Uuid)> {
    let mut rng = SmallRng::seed_from_u64(42);
    let mut out = Vec::new();
    for i in 0..per_kind * KINDS.len() {
        let kind = KINDS[i % KINDS.len()];
        let m = &members[rng.gen_range(0..members.len())];
        let q = match kind {
            // As typed so far: the first name and the start of the last name.
            "partial name" => format!("{} {}", m.first_name, prefix(&m.last_name, 3)),
            "swapped first/last" => format!("{} {}", m.last_name, m.first_name),
            "typo" => format!("{} {}", m.first_name, typo(&m.last_name, &mut rng)),
            "email fragment" => match &m.email {
                // The local part without its first character: "livia.smith12".
                Some(e) => e.split('@').next().unwrap_or(e).chars().skip(1).collect(),
                None => format!("{} {}", m.first_name, m.last_name),
            },
            "phone digits" => match &m.phone {
                Some(p) => {
                    let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
                    digits[digits.len().saturating_sub(7)..].to_owned()
                }
                None => format!("{} {}", m.first_name, m.last_name),
            },
            _ => {
                if rng.gen_bool(0.5) {
                    m.member_number.clone()
                } else {
                    m.member_number.to_lowercase()
                }
            }
        };
        out.push((kind, q, m.id));
    }
    out
}

fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// One adjacent transposition (or a dropped letter in short names).
fn typo(s: &str, rng: &mut SmallRng) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() >= 4 {
        let i = rng.gen_range(1..c.len() - 1);
        c.swap(i, i + 1);
    } else if c.len() >= 2 {
        c.remove(c.len() - 1);
    }
    c.into_iter().collect()
}

const NAIVE: &str = "select id from members
     where full_name ilike $1 or email ilike $1 or phone ilike $1 or member_number ilike $1
     order by last_name, first_name, member_number
     limit 20";

fn like_pattern(q: &str) -> String {
    let escaped = q
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub async fn run(ctx: &mut Ctx) -> R<Vec<Measure>> {
    let members = members_for(&ctx.spec);
    let qs = queries(&members, ctx.sizes.search_queries_per_kind);
    let desk = ctx.desk_pool(DESK_LDN, 1).await?;
    // Warm both paths (plans, caches) before measuring.
    for (_, q, _) in qs.iter().take(12) {
        search_members(&desk, q, 20).await?;
        sqlx::query_scalar::<_, Uuid>(NAIVE)
            .bind(like_pattern(q))
            .fetch_all(&desk)
            .await?;
    }
    let mut ours = Vec::new();
    let mut naive = Vec::new();
    let (mut ours_found, mut naive_found) = (0usize, 0usize);
    let mut per_kind: Vec<(&str, Vec<f64>, Vec<f64>)> =
        KINDS.iter().map(|k| (*k, Vec::new(), Vec::new())).collect();
    for (kind, q, id) in &qs {
        let t = std::time::Instant::now();
        let hits = search_members(&desk, q, 20).await?;
        let a = t.elapsed().as_secs_f64() * 1000.0;
        ours_found += hits.iter().any(|h| h.member_id == *id) as usize;

        let t = std::time::Instant::now();
        let ids: Vec<Uuid> = sqlx::query_scalar(NAIVE)
            .bind(like_pattern(q))
            .fetch_all(&desk)
            .await?;
        let b = t.elapsed().as_secs_f64() * 1000.0;
        naive_found += ids.contains(id) as usize;

        ours.push(a);
        naive.push(b);
        let k = per_kind.iter_mut().find(|k| k.0 == *kind).expect("kind");
        k.1.push(a);
        k.2.push(b);
    }
    let n = qs.len();
    let pct = |x: usize| {
        format!(
            "found the member in the top 20 for {:.0}% of queries",
            100.0 * x as f64 / n as f64
        )
    };
    let case = format!(
        "{} members, {} queries (mix of 6 kinds)",
        ctx.sizes.members, n
    );
    let mut a = Measure::sequential("1 member search", &case, "search_members", ours)
        .target_p(95.0, 5.0, "p95 < 5 ms")
        .note(pct(ours_found));
    let b = Measure::sequential("1 member search", &case, "naive ILIKE '%q%'", naive)
        .note(pct(naive_found));
    ratio(&mut a, &b);
    println!(
        "  search_members p95 {:.2} ms, naive p95 {:.2} ms",
        a.p(95.0),
        b.p(95.0)
    );
    let mut rows = vec![a, b];
    for (kind, x, y) in per_kind {
        let mut a = Measure::sequential(
            "1 member search",
            &format!("  by kind: {kind}"),
            "search_members",
            x,
        );
        let b = Measure::sequential(
            "1 member search",
            &format!("  by kind: {kind}"),
            "naive ILIKE '%q%'",
            y,
        );
        ratio(&mut a, &b);
        rows.push(a);
        rows.push(b);
    }
    desk.close().await;
    Ok(rows)
}
