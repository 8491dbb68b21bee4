//! Test fixtures shared by the integration tests: a generated club in the test's own database
//! (from `#[sqlx::test]`), and sessions as each kind of caller the spec names.
#![allow(dead_code)]

pub mod lint;
pub mod rls;

use branch_desk_core::db::create_desk_role;
use branch_desk_core::generator::{generate_club, ClubSpec, GeneratedClub};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

/// Desk LOGIN roles are cluster-wide; each test database maps them itself.
pub const DESK_A: &str = "test_desk_ldn";
pub const DESK_B: &str = "test_desk_nyc";
pub const DESK_HQ: &str = "test_desk_hq";
/// Stands in for Supabase's `authenticator`: logs in, then `set role authenticated` or `anon`.
pub const GATEWAY: &str = "test_member_gateway";

pub struct Club {
    pub admin: PgPool,
    pub club: GeneratedClub,
    /// Member A (home LDN) and member B (home NYC): active, with app logins.
    pub member_a: TestMember,
    pub member_b: TestMember,
}

#[derive(Clone, Copy, Debug)]
pub struct TestMember {
    pub id: Uuid,
    pub user_id: Uuid,
}

impl Club {
    pub fn branch_a(&self) -> Uuid {
        self.club.branch("LDN").id
    }
    pub fn branch_b(&self) -> Uuid {
        self.club.branch("NYC").id
    }
    fn options(&self, user: &str) -> PgConnectOptions {
        (*self.admin.connect_options()).clone().username(user)
    }
    /// A pool of sessions as a desk LOGIN role.
    pub async fn desk_pool(&self, role: &str, max: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(max)
            .connect_with(self.options(role))
            .await
            .expect("desk connects")
    }
    pub async fn desk(&self, role: &str) -> PgConnection {
        PgConnection::connect_with(&self.options(role))
            .await
            .expect("desk connects")
    }
    /// A members'-app session: `set role authenticated` with the member's JWT claims.
    pub async fn member(&self, member: TestMember) -> PgConnection {
        self.member_via(GATEWAY, member).await
    }
    /// A members'-app session through the given gateway role (see [`gateway_role`]).
    pub async fn member_via(&self, gateway: &str, member: TestMember) -> PgConnection {
        let mut conn = PgConnection::connect_with(&self.options(gateway))
            .await
            .expect("gateway connects");
        sqlx::query("set role authenticated")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("select set_config('request.jwt.claims', $1, false)")
            .bind(serde_json::json!({ "sub": member.user_id, "role": "authenticated" }).to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    }
    pub async fn anon(&self) -> PgConnection {
        let mut conn = PgConnection::connect_with(&self.options(GATEWAY))
            .await
            .expect("gateway connects");
        sqlx::query("set role anon")
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    }
}

/// Roles belong to the cluster while each test has its own database, so tests running at once
/// create and alter the same roles together, which PostgreSQL may refuse with "tuple
/// concurrently updated" (XX000) or a duplicate key in its catalogue. Runs `change` again
/// briefly on those; any other failure, or the tenth, fails the test.
pub async fn cluster_wide<T, E, F, Fut>(what: &str, mut change: F) -> T
where
    E: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    for attempt in 1..=10u64 {
        match change().await {
            Ok(done) => return done,
            Err(e)
                if attempt < 10
                    && ["tuple concurrently updated", "duplicate key value"]
                        .iter()
                        .any(|m| format!("{e:?}").contains(m)) =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
            }
            Err(e) => panic!("{what}: {e:?}"),
        }
    }
    unreachable!("the tenth attempt returns or panics")
}

/// `role` as a desk LOGIN role mapped to `branch` (None: every branch).
async fn desk_role(admin: &PgPool, role: &str, branch: Option<Uuid>) {
    cluster_wide(&format!("desk role {role}"), || {
        create_desk_role(admin, role, None, branch)
    })
    .await
}

/// A LOGIN role standing in for Supabase's `authenticator`: it may `set role anon` or
/// `authenticated`, and nothing else.
pub async fn gateway_role(admin: &PgPool, role: &str) {
    sqlx::query(&format!(
        "do $$ begin
           create role {role} login noinherit;
         exception when duplicate_object or unique_violation then null;
         end $$"
    ))
    .execute(admin)
    .await
    .unwrap();
    sqlx::query(&format!("grant anon, authenticated to {role}"))
        .execute(admin)
        .await
        .unwrap();
}

/// A desk LOGIN role mapped to `branch` (None: every branch), for tests that need a desk role of
/// their own (one that an attack could change without touching other tests).
pub async fn mapped_desk_role(admin: &PgPool, role: &str, branch: Option<Uuid>) {
    desk_role(admin, role, branch).await;
}

/// A member of branch_desk that desk_roles does not map (an administrator's half-done set-up).
pub const UNMAPPED_DESK: &str = "test_desk_unmapped";

/// Makes [`UNMAPPED_DESK`] a desk role with no desk_roles row in this database.
pub async fn unmapped_desk_role(admin: &PgPool) {
    desk_role(admin, UNMAPPED_DESK, None).await;
    sqlx::query("delete from desk_roles where role_name = $1")
        .bind(UNMAPPED_DESK)
        .execute(admin)
        .await
        .unwrap();
}

/// Generates a small club (200 members) in the test database and maps the test desks.
pub async fn club(admin: PgPool) -> Club {
    club_of(admin, 200).await
}

/// [`club`] with `members` generated members.
pub async fn club_of(admin: PgPool, members: u32) -> Club {
    let club = generate_club(&admin, &ClubSpec { seed: 11, members })
        .await
        .expect("club generated");
    desk_role(&admin, DESK_A, Some(club.branch("LDN").id)).await;
    desk_role(&admin, DESK_B, Some(club.branch("NYC").id)).await;
    desk_role(&admin, DESK_HQ, None).await;
    gateway_role(&admin, GATEWAY).await;

    let member_a = give_login(&admin, club.branch("LDN").id).await;
    let member_b = give_login(&admin, club.branch("NYC").id).await;
    Club {
        admin,
        club,
        member_a,
        member_b,
    }
}

/// An active member of the branch, given a fresh app login (user_id).
async fn give_login(admin: &PgPool, branch: Uuid) -> TestMember {
    let user_id = Uuid::new_v4();
    let id: Uuid = sqlx::query_scalar(
        "update members set user_id = $2
         where id = (select id from members where home_branch_id = $1 and status = 'active'
                     order by member_number limit 1)
         returning id",
    )
    .bind(branch)
    .bind(user_id)
    .fetch_one(admin)
    .await
    .expect("an active member at the branch");
    TestMember { id, user_id }
}

/// The SQLSTATE of a failed query, or a panic naming what succeeded unexpectedly.
pub fn sqlstate<T: std::fmt::Debug>(result: Result<T, sqlx::Error>) -> String {
    match result {
        Err(sqlx::Error::Database(db)) => db.code().map(|c| c.into_owned()).unwrap_or_default(),
        other => panic!("expected a database error, got {other:?}"),
    }
}

impl Club {
    /// A staff member of the generated club by email prefix, e.g. "maya.manager.ldn".
    pub fn staff(&self, prefix: &str) -> Uuid {
        self.club
            .staff
            .iter()
            .find(|s| s.email.starts_with(prefix))
            .map(|s| s.id)
            .expect("generated staff")
    }

    /// A class at the branch starting in two days.
    pub async fn future_class(&self, branch: Uuid, capacity: i32) -> Uuid {
        sqlx::query_scalar(
            "insert into classes (branch_id, title, starts_at, ends_at, capacity)
             values ($1, 'Test class', now() + interval '2 days', now() + interval '2 days 1 hour', $2) returning id",
        )
        .bind(branch)
        .bind(capacity)
        .fetch_one(&self.admin)
        .await
        .unwrap()
    }

    /// An unbooked recovery slot of the branch's Sauna, five or six days from now, with this
    /// capacity: after every activity window the tests generate (up to today + 4), so no
    /// generated booking has taken it whatever the date, and within a week (the longest
    /// cancellation window a plan may have). The capacity is the Sauna's setting (a slot changed
    /// by hand would be one the configuration no longer makes, which takes no bookings).
    pub async fn future_slot(&self, branch_code: &str, capacity: i32) -> Uuid {
        let branch = self.club.branch(branch_code);
        let sauna = branch.facility("Sauna");
        let day = chrono::Utc::now().date_naive() + chrono::Duration::days(5);
        sqlx::query("update benefit_settings set capacity = $2 where facility_id = $1")
            .bind(sauna)
            .bind(capacity)
            .execute(&self.admin)
            .await
            .unwrap();
        sqlx::query("select ensure_facility_slots($1, $2, $3)")
            .bind(branch.id)
            .bind(day)
            .bind(day + chrono::Duration::days(1))
            .execute(&self.admin)
            .await
            .unwrap();
        sqlx::query_scalar(
            "select id from benefit_slots where facility_id = $1 and local_date between $2 and $2 + 1
               and booked_count = 0 and capacity = $3 order by starts_at limit 1",
        )
        .bind(sauna)
        .bind(day)
        .bind(capacity)
        .fetch_one(&self.admin)
        .await
        .unwrap()
    }

    /// `n` active members (not members A and B), given the plan with this code.
    pub async fn members_on_plan(&self, n: i64, plan_code: &str) -> Vec<Uuid> {
        sqlx::query_scalar(
            "update members set plan_id = $2
             where id in (select id from members where status = 'active' and id <> all($3)
                          order by member_number desc limit $1)
             returning id",
        )
        .bind(n)
        .bind(self.club.plan(plan_code))
        .bind(vec![self.member_a.id, self.member_b.id])
        .fetch_all(&self.admin)
        .await
        .unwrap()
    }
}

/// A booking request made at a desk by a staff member.
pub fn desk_request(
    kind: branch_desk_core::bookings::BookingKind,
    target: Uuid,
    member: Uuid,
    staff: Uuid,
) -> branch_desk_core::bookings::BookingRequest {
    branch_desk_core::bookings::BookingRequest {
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
