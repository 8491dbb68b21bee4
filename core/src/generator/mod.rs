//! A realistic club, generated deterministically from a seed: branches in several time zones,
//! four recovery facilities per branch (one under maintenance, one without settings), staff
//! with PINs, plans with entitlements, and members with varied names, emails and phones.
//! Used by the tests, the embedded demo database and the benchmarks. Needs an administrator
//! connection (it writes tables that desks may only read).
//!
//! Here: the spec, what was generated, and the writer. The fixed data (branches, plans,
//! facilities, demo staff) is in `seeds`, members in `members` (their names in [`names`]), and
//! bookings history in `activity`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::error::Result;
use crate::pin::hash_pin;

mod activity;
mod members;
pub mod names;
mod seeds;

pub use activity::{generate_activity, ActivitySpec, GeneratedActivity};
use members::insert_members;
pub use members::{members_for, MemberRow};
pub use seeds::{demo_staff, STAFF_EMAIL_DOMAIN};
use seeds::{BRANCHES, FACILITIES, PLANS, STAFF};

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
        sqlx::query!(
            "insert into membership_plans (id, code, name, cancel_window_minutes) values ($1, $2, $3, $4)",
            id,
            plan.code,
            plan.name,
            plan.cancel_window_minutes
        )
        .execute(&mut *tx)
        .await?;
        for (kind, quantity) in [("recovery", plan.recovery), ("class", plan.classes)] {
            sqlx::query!(
                "insert into plan_entitlements (plan_id, kind, period, sessions_per_period) values ($1, $2, $3, $4)",
                id,
                kind,
                plan.period,
                quantity
            )
            .execute(&mut *tx)
            .await?;
        }
        plans.push((plan.code, id));
    }

    let mut branches = Vec::new();
    for (code, name, tz, _) in BRANCHES {
        let id = uuid_from(&mut rng);
        sqlx::query!(
            "insert into branches (id, code, name, timezone) values ($1, $2, $3, $4)",
            id,
            code,
            name,
            tz
        )
        .execute(&mut *tx)
        .await?;
        let mut ids = Vec::new();
        for facility in &FACILITIES {
            let fid = uuid_from(&mut rng);
            sqlx::query!(
                "insert into facilities (id, branch_id, name, kind, under_maintenance, available_days)
                 values ($1, $2, $3, $4, $5, $6)",
                fid,
                id,
                facility.name,
                facility.kind,
                facility.under_maintenance,
                facility.days
            )
            .execute(&mut *tx)
            .await?;
            if let Some(settings) = &facility.settings {
                sqlx::query!(
                    "insert into benefit_settings (facility_id, open_time, close_time, slot_minutes, capacity)
                     values ($1, $2::text::time, $3::text::time, $4, $5)",
                    fid,
                    settings.open,
                    settings.close,
                    settings.slot_minutes,
                    settings.capacity
                )
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
        sqlx::query!(
            "insert into staff (id, branch_id, email, full_name, role, pin_hash) values ($1, $2, $3, $4, $5, $6)",
            id,
            branch_id,
            &email,
            full_name,
            role,
            hash_pin(pin)?
        )
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
    sqlx::query!("analyze members").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(GeneratedClub {
        branches,
        staff,
        plans,
        members: spec.members,
    })
}

pub(super) fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
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
