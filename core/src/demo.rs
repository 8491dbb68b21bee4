//! The demo club: seeded once into an empty database, and used through the same restricted desk
//! role as a real club database. The administrator connection only migrates and seeds; the
//! desk then works with `SET SESSION AUTHORIZATION` to the demo desk role, so row-level
//! security (which keys on `session_user`) behaves exactly as it does for a real branch desk.

use chrono::{Duration, Utc};
use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};

use crate::db::{create_desk_role, migrate};
use crate::error::Result;
use crate::generator::{demo_staff, generate_activity, generate_club, ActivitySpec, ClubSpec};

/// The demo desk's LOGIN role, mapped to the demo branch.
pub const DEMO_DESK_ROLE: &str = "branch_desk_demo";
pub const DEMO_BRANCH_CODE: &str = "LDN";

/// A demo staff member shown on the sign-in screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DemoStaff {
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub pin: String,
}

pub fn staff() -> Vec<DemoStaff> {
    demo_staff(DEMO_BRANCH_CODE)
        .into_iter()
        .map(|(full_name, email, role, pin)| DemoStaff {
            full_name,
            email,
            role,
            pin,
        })
        .collect()
}

/// Migrates (always: a newer app brings new migrations) and seeds the demo club if the
/// database has no branch yet. Returns true when it seeded.
///
/// The seed is one transaction: an app closed during its first start leaves an empty database
/// (seeded again next start), never branches without the demo desk role.
pub async fn prepare(admin: &PgPool) -> Result<bool> {
    migrate(admin).await?;
    let mut tx = admin.begin().await?;
    let seeded = sqlx::query_scalar!(r#"select exists (select 1 from branches) as "seeded!""#)
        .fetch_one(&mut *tx)
        .await?;
    if seeded {
        return Ok(false);
    }
    let club = generate_club(&mut *tx, &ClubSpec::demo()).await?;
    let now = Utc::now();
    let today = now.date_naive();
    generate_activity(
        &mut *tx,
        &club,
        &ActivitySpec {
            seed: 7,
            from: today - Duration::days(14),
            to: today + Duration::days(7),
            bookings: 3_000,
            now,
        },
    )
    .await?;
    create_desk_role(
        &mut *tx,
        DEMO_DESK_ROLE,
        None,
        Some(club.branch(DEMO_BRANCH_CODE).id),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A pool whose every connection logs in as the administrator and immediately becomes the demo
/// desk role for the rest of the session.
pub async fn desk_pool(admin_options: PgConnectOptions, max_connections: u32) -> Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(15))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(format!("set session authorization {DEMO_DESK_ROLE}").as_str())
                    .await?;
                Ok(())
            })
        })
        .connect_with(admin_options)
        .await?)
}
