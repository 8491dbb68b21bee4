//! A realistic club, generated deterministically from a seed: branches in several time zones,
//! four recovery facilities per branch (one under maintenance, one without settings), staff
//! with PINs, plans with entitlements, and members with varied names, emails and phones.
//! Used by the tests, the embedded demo database and the benchmarks. Needs an administrator
//! connection (it writes tables that desks may only read).

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::error::Result;
use crate::pin::hash_pin;

mod activity;
pub mod names;

pub use activity::{generate_activity, ActivitySpec, GeneratedActivity};
use names::PhoneStyle;

/// What to generate. The same options always produce the same club.
#[derive(Debug, Clone)]
pub struct ClubSpec {
    pub seed: u64,
    pub members: u32,
}

impl ClubSpec {
    /// The demo club and most tests: 2,000 members.
    pub fn demo() -> Self {
        ClubSpec {
            seed: 7,
            members: 2_000,
        }
    }
    /// Benchmarks: 200,000 members.
    pub fn large() -> Self {
        ClubSpec {
            seed: 7,
            members: 200_000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GeneratedBranch {
    pub id: Uuid,
    pub code: &'static str,
    pub name: &'static str,
    pub timezone: &'static str,
    /// Facility ids by name: "Sauna", "Cold Plunge", "Steam Room", "Infrared Sauna".
    pub facilities: Vec<(String, Uuid)>,
}

impl GeneratedBranch {
    pub fn facility(&self, name: &str) -> Uuid {
        self.facilities
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
            .expect("generated facility")
    }
}

#[derive(Debug, Clone)]
pub struct GeneratedStaff {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub pin: String,
    pub role: &'static str,
    /// None: head office.
    pub branch_code: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct GeneratedClub {
    pub branches: Vec<GeneratedBranch>,
    pub staff: Vec<GeneratedStaff>,
    /// Plan ids by code.
    pub plans: Vec<(&'static str, Uuid)>,
    pub members: u32,
}

impl GeneratedClub {
    pub fn branch(&self, code: &str) -> &GeneratedBranch {
        self.branches
            .iter()
            .find(|b| b.code == code)
            .expect("generated branch")
    }
    pub fn plan(&self, code: &str) -> Uuid {
        self.plans
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, id)| *id)
            .expect("generated plan")
    }
}

/// (code, name, IANA zone, phone style)
const BRANCHES: [(&str, &str, &str, PhoneStyle); 3] = [
    ("LDN", "London Riverside", "Europe/London", PhoneStyle::Uk),
    (
        "NYC",
        "New York Midtown",
        "America/New_York",
        PhoneStyle::Us,
    ),
    ("SYD", "Sydney Harbour", "Australia/Sydney", PhoneStyle::Au),
];

/// A membership plan: sessions per period (`None` is unlimited) for recovery and for classes.
struct PlanSeed {
    code: &'static str,
    name: &'static str,
    cancel_window_minutes: i32,
    recovery: Option<i32>,
    classes: Option<i32>,
    period: &'static str,
}

const PLANS: [PlanSeed; 4] = [
    PlanSeed {
        code: "ESSENTIAL",
        name: "Essential",
        cancel_window_minutes: 120,
        recovery: Some(2),
        classes: Some(8),
        period: "month",
    },
    PlanSeed {
        code: "PLUS",
        name: "Plus",
        cancel_window_minutes: 120,
        recovery: Some(4),
        classes: Some(12),
        period: "month",
    },
    PlanSeed {
        code: "RECOVERY",
        name: "Recovery Weekly",
        cancel_window_minutes: 60,
        recovery: Some(3),
        classes: Some(2),
        period: "week",
    },
    PlanSeed {
        code: "PREMIUM",
        name: "Premium Unlimited",
        cancel_window_minutes: 30,
        recovery: None,
        classes: None,
        period: "month",
    },
];

/// A branch's recovery facility; `settings: None` leaves the documented defaults to apply.
struct FacilitySeed {
    name: &'static str,
    kind: &'static str,
    /// ISO weekdays it opens (1 = Monday).
    days: &'static [i32],
    under_maintenance: bool,
    settings: Option<SettingsSeed>,
}

struct SettingsSeed {
    open: &'static str,
    close: &'static str,
    slot_minutes: i32,
    capacity: i32,
}

/// Every branch gets the same four facilities.
const FACILITIES: [FacilitySeed; 4] = [
    FacilitySeed {
        name: "Sauna",
        kind: "sauna",
        days: &[1, 2, 3, 4, 5, 6, 7],
        under_maintenance: false,
        settings: Some(SettingsSeed {
            open: "06:00",
            close: "22:00",
            slot_minutes: 45,
            capacity: 8,
        }),
    },
    FacilitySeed {
        name: "Cold Plunge",
        kind: "cold_plunge",
        days: &[1, 2, 3, 4, 5, 6],
        under_maintenance: false,
        settings: Some(SettingsSeed {
            open: "07:00",
            close: "21:00",
            slot_minutes: 15,
            capacity: 2,
        }),
    },
    FacilitySeed {
        name: "Steam Room",
        kind: "steam_room",
        days: &[1, 2, 3, 4, 5, 6, 7],
        under_maintenance: true,
        settings: Some(SettingsSeed {
            open: "08:00",
            close: "20:00",
            slot_minutes: 30,
            capacity: 6,
        }),
    },
    // No settings: the documented defaults apply (06:00-22:00, 30 minutes, capacity 4).
    FacilitySeed {
        name: "Infrared Sauna",
        kind: "infrared_sauna",
        days: &[1, 3, 5, 6, 7],
        under_maintenance: false,
        settings: None,
    },
];

const EMAIL_DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "example.net",
    "inbox.example.co.uk",
    "post.example.com.au",
];

/// Demo staff: (email prefix, name, role, branch or head office, PIN). Shown on the sign-in
/// screen of the demo database.
const STAFF: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "maya.manager.ldn",
        "Maya Okafor",
        "manager",
        Some("LDN"),
        "2468",
    ),
    (
        "frank.desk.ldn",
        "Frank Ellis",
        "front_desk",
        Some("LDN"),
        "1357",
    ),
    (
        "ruth.desk.ldn",
        "Ruth Ahmed",
        "front_desk",
        Some("LDN"),
        "8642",
    ),
    (
        "nina.manager.nyc",
        "Nina Alvarez",
        "manager",
        Some("NYC"),
        "2468",
    ),
    (
        "ben.desk.nyc",
        "Ben Carter",
        "front_desk",
        Some("NYC"),
        "1357",
    ),
    (
        "sam.manager.syd",
        "Sam Walker",
        "manager",
        Some("SYD"),
        "2468",
    ),
    (
        "lily.desk.syd",
        "Lily Tran",
        "front_desk",
        Some("SYD"),
        "1357",
    ),
    ("hq.manager", "Helen Quinn", "manager", None, "9753"),
];

pub const STAFF_EMAIL_DOMAIN: &str = "branchdesk.example";

/// The demo staff who may sign in at a desk of `branch_code` (its own and head office), for the
/// demo database's sign-in screen: (full name, email, role, PIN).
pub fn demo_staff(branch_code: &str) -> Vec<(String, String, String, String)> {
    STAFF
        .iter()
        .filter(|s| s.3.is_none() || s.3 == Some(branch_code))
        .map(|(prefix, name, role, _, pin)| {
            (
                (*name).to_owned(),
                format!("{prefix}@{STAFF_EMAIL_DOMAIN}"),
                (*role).to_owned(),
                (*pin).to_owned(),
            )
        })
        .collect()
}

/// Writes the club into an empty, migrated database through an administrator connection (a
/// pool, or a transaction the caller commits).
pub async fn generate_club<'a>(
    admin: impl sqlx::Acquire<'a, Database = sqlx::Postgres>,
    spec: &ClubSpec,
) -> Result<GeneratedClub> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut tx = admin.begin().await?;

    let mut plans = Vec::new();
    for plan in &PLANS {
        let id = uuid_from(&mut rng);
        sqlx::query("insert into membership_plans (id, code, name, cancel_window_minutes) values ($1, $2, $3, $4)")
            .bind(id)
            .bind(plan.code)
            .bind(plan.name)
            .bind(plan.cancel_window_minutes)
            .execute(&mut *tx)
            .await?;
        for (kind, quantity) in [("recovery", plan.recovery), ("class", plan.classes)] {
            sqlx::query(
                "insert into plan_entitlements (plan_id, kind, period, sessions_per_period) values ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(kind)
            .bind(plan.period)
            .bind(quantity)
            .execute(&mut *tx)
            .await?;
        }
        plans.push((plan.code, id));
    }

    let mut branches = Vec::new();
    for (code, name, tz, _) in BRANCHES {
        let id = uuid_from(&mut rng);
        sqlx::query("insert into branches (id, code, name, timezone) values ($1, $2, $3, $4)")
            .bind(id)
            .bind(code)
            .bind(name)
            .bind(tz)
            .execute(&mut *tx)
            .await?;
        let mut ids = Vec::new();
        for facility in &FACILITIES {
            let fid = uuid_from(&mut rng);
            sqlx::query(
                "insert into facilities (id, branch_id, name, kind, under_maintenance, available_days)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(fid)
            .bind(id)
            .bind(facility.name)
            .bind(facility.kind)
            .bind(facility.under_maintenance)
            .bind(facility.days)
            .execute(&mut *tx)
            .await?;
            if let Some(settings) = &facility.settings {
                sqlx::query(
                    "insert into benefit_settings (facility_id, open_time, close_time, slot_minutes, capacity)
                     values ($1, $2::time, $3::time, $4, $5)",
                )
                .bind(fid)
                .bind(settings.open)
                .bind(settings.close)
                .bind(settings.slot_minutes)
                .bind(settings.capacity)
                .execute(&mut *tx)
                .await?;
            }
            ids.push((facility.name.to_owned(), fid));
        }
        branches.push(GeneratedBranch {
            id,
            code,
            name,
            timezone: tz,
            facilities: ids,
        });
    }

    let mut staff = Vec::new();
    for (prefix, full_name, role, branch_code, pin) in STAFF {
        let id = uuid_from(&mut rng);
        let email = format!("{prefix}@{STAFF_EMAIL_DOMAIN}");
        let branch_id =
            branch_code.map(|c| branches.iter().find(|b| b.code == c).expect("branch").id);
        sqlx::query(
            "insert into staff (id, branch_id, email, full_name, role, pin_hash) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(branch_id)
        .bind(&email)
        .bind(full_name)
        .bind(role)
        .bind(hash_pin(pin)?)
        .execute(&mut *tx)
        .await?;
        staff.push(GeneratedStaff {
            id,
            email,
            full_name: (*full_name).to_owned(),
            pin: (*pin).to_owned(),
            role,
            branch_code: *branch_code,
        });
    }

    insert_members(&mut tx, &mut rng, spec.members, &branches, &plans).await?;
    sqlx::query("analyze members").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(GeneratedClub {
        branches,
        staff,
        plans,
        members: spec.members,
    })
}

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

fn member_row(rng: &mut ChaCha8Rng, n: u32, branch_count: usize, plan_count: usize) -> MemberRow {
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

fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
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

async fn insert_members(
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
        sqlx::query(
            "insert into members (id, user_id, member_number, first_name, last_name, email, phone, status,
                                  plan_id, home_branch_id, joined_on)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::text[], $8::text[], $9::uuid[], $10::uuid[], $11::date[])",
        )
        .bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.user_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.member_number.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.first_name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.last_name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.email.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.phone.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.status).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| plans[r.plan_index].1).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| branches[r.branch_index].id).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| {
                    chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date")
                        + chrono::Days::new((r.member_number[1..].parse::<u64>().unwrap_or(0) * 7919) % 2_400)
                })
                .collect::<Vec<_>>(),
        )
        .execute(&mut *tx)
        .await?;
        n = end + 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_members_other_seed_other_members() {
        let a = members_for(&ClubSpec {
            seed: 1,
            members: 50,
        });
        let b = members_for(&ClubSpec {
            seed: 1,
            members: 50,
        });
        let c = members_for(&ClubSpec {
            seed: 2,
            members: 50,
        });
        assert_eq!(a, b, "the generator must be deterministic for a seed");
        assert_ne!(a, c, "another seed gives another club");
    }

    #[test]
    fn members_are_varied_and_plausible() {
        let members = members_for(&ClubSpec {
            seed: 3,
            members: 2_000,
        });
        let names: std::collections::HashSet<_> = members
            .iter()
            .map(|m| (&m.first_name, &m.last_name))
            .collect();
        assert!(
            names.len() > 1_000,
            "2,000 members should have well over 1,000 distinct names, got {}",
            names.len()
        );
        assert!(
            members.iter().filter(|m| m.status == "active").count() > 1_600,
            "most members are active"
        );
        for m in &members {
            if let Some(email) = &m.email {
                assert!(
                    email.contains('@') && !email.contains(' '),
                    "email {email:?}"
                );
            }
            if let Some(phone) = &m.phone {
                let digits = phone.chars().filter(|c| c.is_ascii_digit()).count();
                assert!(
                    (10..=14).contains(&digits),
                    "phone {phone:?} has {digits} digits"
                );
            }
        }
    }
}
