//! Generated members: names from [`super::names`], emails, phones and member numbers in the
//! formats people type them, and the batched insert.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::seeds::{BRANCHES, EMAIL_DOMAINS, PLANS, STAFF};
use super::{names, uuid_from, ClubSpec, GeneratedBranch};
use crate::error::Result;

/// A plausible member: the `n`th generated (1-based member numbers "M000001" ...).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub member_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: &'static str,
    pub plan_index: usize,
    pub branch_index: usize,
}

pub(super) fn member_row(
    rng: &mut ChaCha8Rng,
    n: u32,
    branch_count: usize,
    plan_count: usize,
) -> MemberRow {
    let (first, last) = names::person(rng);
    let branch_index = rng.gen_range(0..branch_count);
    let style = BRANCHES[branch_index].3;
    let (first_slug, last_slug) = (email_slug(&first), email_slug(&last));
    let email = match rng.gen_range(0..100) {
        0..=4 => None,
        5..=59 => Some(format!(
            "{first_slug}.{last_slug}{}@{}",
            n % 1000,
            EMAIL_DOMAINS.choose(rng).expect("domains")
        )),
        60..=84 => Some(format!(
            "{}{last_slug}{n}@{}",
            first_slug.chars().next().unwrap_or('x'),
            EMAIL_DOMAINS.choose(rng).expect("domains")
        )),
        _ => Some(format!(
            "{last_slug}.{first_slug}{n}@{}",
            EMAIL_DOMAINS.choose(rng).expect("domains")
        )),
    };
    let phone = if rng.gen_ratio(3, 100) {
        None
    } else {
        Some(names::phone_number(rng, style))
    };
    let status = match rng.gen_range(0..100) {
        0..=89 => "active",
        90..=94 => "frozen",
        95..=97 => "cancelled",
        _ => "pending",
    };
    let user_id = if rng.gen_ratio(7, 10) {
        Some(uuid_from(rng))
    } else {
        None
    };
    MemberRow {
        id: uuid_from(rng),
        user_id,
        member_number: format!("M{n:06}"),
        first_name: first,
        last_name: last,
        email,
        phone,
        status,
        plan_index: rng.gen_range(0..plan_count),
        branch_index,
    }
}

/// A name as an email's local part has it: plain letters and digits, lower case.
fn email_slug(s: &str) -> String {
    names::ascii_letters(s, false)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// The members the generator writes for `spec`, without touching a database (tests use this
/// to know whom to look for).
pub fn members_for(spec: &ClubSpec) -> Vec<MemberRow> {
    // The member stream starts after the plans, branches, facilities and staff ids above, so
    // replay those draws from the same seed.
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    for _ in 0..(PLANS.len() + BRANCHES.len() * 5 + STAFF.len()) {
        uuid_from(&mut rng);
    }
    (1..=spec.members)
        .map(|n| member_row(&mut rng, n, BRANCHES.len(), PLANS.len()))
        .collect()
}

pub(super) async fn insert_members(
    tx: &mut sqlx::PgConnection,
    rng: &mut ChaCha8Rng,
    count: u32,
    branches: &[GeneratedBranch],
    plans: &[(&'static str, Uuid)],
) -> Result<()> {
    const BATCH: u32 = 5_000;
    let mut n = 1;
    while n <= count {
        let end = (n + BATCH - 1).min(count);
        let rows: Vec<MemberRow> = (n..=end)
            .map(|i| member_row(rng, i, branches.len(), plans.len()))
            .collect();
        // `as _`: the nullable columns' arrays hold Options, which the macro's check of a
        // `text[]` parameter does not expect.
        sqlx::query!(
            "insert into members (id, user_id, member_number, first_name, last_name, email, phone, status,
                                  plan_id, home_branch_id, joined_on)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::text[], $8::text[], $9::uuid[], $10::uuid[], $11::date[])",
            &rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            &rows.iter().map(|r| r.user_id).collect::<Vec<_>>() as _,
            &rows.iter().map(|r| r.member_number.clone()).collect::<Vec<_>>(),
            &rows.iter().map(|r| r.first_name.clone()).collect::<Vec<_>>(),
            &rows.iter().map(|r| r.last_name.clone()).collect::<Vec<_>>(),
            &rows.iter().map(|r| r.email.clone()).collect::<Vec<_>>() as _,
            &rows.iter().map(|r| r.phone.clone()).collect::<Vec<_>>() as _,
            &rows.iter().map(|r| r.status.to_owned()).collect::<Vec<_>>(),
            &rows.iter().map(|r| plans[r.plan_index].1).collect::<Vec<_>>(),
            &rows.iter().map(|r| branches[r.branch_index].id).collect::<Vec<_>>(),
            &rows
                .iter()
                .map(|r| {
                    chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date")
                        + chrono::Days::new((r.member_number[1..].parse::<u64>().unwrap_or(0) * 7919) % 2_400)
                })
                .collect::<Vec<_>>()
        )
        .execute(&mut *tx)
        .await?;
        n = end + 1;
    }
    Ok(())
}
