//! The row-level security matrix (see `rls_matrix.rs`), shared with the Supabase layout test.

use chrono::NaiveDate;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::{unmapped_desk_role, Club, DESK_A, DESK_B, DESK_HQ, UNMAPPED_DESK};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// permission denied (SQLSTATE 42501)
    Denied,
    /// allowed, touching this many rows
    Rows(i64),
}
use Outcome::{Denied, Rows};

const TABLES: [&str; 14] = [
    "branches",
    "desk_roles",
    "membership_plans",
    "plan_entitlements",
    "members",
    "staff",
    "facilities",
    "benefit_settings",
    "benefit_slots",
    "benefit_bookings",
    "classes",
    "class_bookings",
    "member_name_words",
    "benefit_slot_days",
];

/// Each table with: its branch column expression (for "its branches" scoping) and a column to
/// use in the UPDATE probe.
fn branch_expr(table: &str) -> &'static str {
    match table {
        "branches" => "id",
        "benefit_settings" => "(select f.branch_id from facilities f where f.id = facility_id)",
        "staff" | "facilities" | "benefit_slots" | "benefit_bookings" | "classes"
        | "class_bookings" | "desk_roles" => "branch_id",
        "members" => "home_branch_id",
        _ => "null::uuid",
    }
}

fn update_column(table: &str) -> &'static str {
    match table {
        "facilities" => "under_maintenance",
        "branches" | "membership_plans" => "name",
        "desk_roles" => "description",
        "plan_entitlements" => "sessions_per_period",
        "members" => "status",
        "staff" => "failed_pin_attempts",
        "benefit_settings" => "capacity",
        "benefit_slots" => "capacity",
        "benefit_bookings" | "class_bookings" => "status",
        "classes" => "title",
        "member_name_words" => "word",
        "benefit_slot_days" => "fingerprint",
        _ => unreachable!(),
    }
}

async fn admin_count(admin: &PgPool, table: &str, filter: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table} where {filter}"))
        .fetch_one(admin)
        .await
        .unwrap()
}

async fn run(conn: &mut PgConnection, sql: &str) -> Outcome {
    let mut tx = conn.begin().await.unwrap();
    let result = if sql.starts_with("select") {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut *tx)
            .await
            .map(Rows)
    } else {
        sqlx::query(sql)
            .execute(&mut *tx)
            .await
            .map(|r| Rows(r.rows_affected() as i64))
    };
    tx.rollback().await.unwrap();
    match result {
        Ok(o) => o,
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42501") => Denied,
        Err(e) => panic!("{sql}: unexpected error {e}"),
    }
}

/// One booking of each kind per member at their home branch, and a class per branch.
pub async fn seed_bookings(c: &Club) {
    let day = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    for (branch, member) in [(c.branch_a(), c.member_a.id), (c.branch_b(), c.member_b.id)] {
        sqlx::query("select ensure_facility_slots($1, $2, $2)")
            .bind(branch)
            .bind(day)
            .execute(&c.admin)
            .await
            .unwrap();
        sqlx::query(
            "with s as (select id, starts_at from benefit_slots where branch_id = $1 order by starts_at limit 1)
             insert into benefit_bookings (slot_id, member_id, branch_id, starts_at) select s.id, $2, $1, s.starts_at from s",
        )
        .bind(branch)
        .bind(member)
        .execute(&c.admin)
        .await
        .unwrap();
        let class: Uuid = sqlx::query_scalar(
            "insert into classes (branch_id, title, starts_at, ends_at, capacity)
             values ($1, 'Yoga', '2027-03-01 09:00Z', '2027-03-01 10:00Z', 10) returning id",
        )
        .bind(branch)
        .fetch_one(&c.admin)
        .await
        .unwrap();
        sqlx::query("insert into classes (branch_id, title, starts_at, ends_at, capacity, is_cancelled) values ($1, 'Cancelled spin', '2027-03-02 09:00Z', '2027-03-02 10:00Z', 10, true)")
            .bind(branch)
            .execute(&c.admin)
            .await
            .unwrap();
        sqlx::query("insert into class_bookings (class_id, member_id, branch_id, starts_at) values ($1, $2, $3, '2027-03-01 09:00Z')")
            .bind(class)
            .bind(member)
            .bind(branch)
            .execute(&c.admin)
            .await
            .unwrap();
    }
}

/// Every caller × every table × select/insert/update/delete against the design; one line per
/// difference.
pub async fn matrix_failures(c: &Club) -> Vec<String> {
    seed_bookings(c).await;
    unmapped_desk_role(&c.admin).await;
    let a = c.branch_a();
    let b = c.branch_b();
    let hq_staff = admin_count(&c.admin, "staff", "branch_id is null").await;
    assert!(
        hq_staff > 0 && admin_count(&c.admin, "benefit_slots", "true").await > 0,
        "fixture has data"
    );

    let mut actors: Vec<(&str, PgConnection)> = vec![
        ("anon", c.anon().await),
        ("member A", c.member(c.member_a).await),
        ("member B", c.member(c.member_b).await),
        ("desk A", c.desk(DESK_A).await),
        ("desk B", c.desk(DESK_B).await),
        ("manager desk", c.desk(DESK_HQ).await),
        ("unmapped desk", c.desk(UNMAPPED_DESK).await),
    ];

    let mut failures = Vec::new();
    for table in TABLES {
        let be = branch_expr(table);
        let all = admin_count(&c.admin, table, "true").await;
        if all == 0 {
            failures.push(format!(
                "{table} must have rows for the matrix to mean anything"
            ));
        }
        let in_branch = |id: Uuid| format!("{be} = '{id}'");
        for (actor, conn) in actors.iter_mut() {
            let member = match *actor {
                "member A" => Some(c.member_a.id),
                "member B" => Some(c.member_b.id),
                _ => None,
            };
            let desk_branch = match *actor {
                "desk A" => Some(a),
                "desk B" => Some(b),
                _ => None,
            };
            // What each caller may see, per the design table in the migration.
            let expected_select = match (*actor, table) {
                ("anon", _) => Denied,
                // Not a desk until desk_roles maps it: reads nothing.
                ("unmapped desk", "benefit_slot_days") => Denied,
                ("unmapped desk", _) => Rows(0),
                // Kept by ensure_facility_slots alone.
                (_, "benefit_slot_days") => Denied,
                // The vocabulary of member search: desks only.
                (_, "member_name_words") if member.is_some() => Denied,
                (_, "member_name_words") => Rows(all),
                (_, "desk_roles") if member.is_some() => Denied,
                (_, "staff") if member.is_some() => Denied,
                (_, "desk_roles") => Rows(1),
                (_, "members") if member.is_some() => Rows(1),
                (_, "benefit_bookings" | "class_bookings") if member.is_some() => {
                    Rows(admin_count(&c.admin, table, &format!("member_id = '{}'", member.unwrap())).await)
                }
                (_, "facilities") if member.is_some() => Rows(admin_count(&c.admin, table, "is_active").await),
                (_, "benefit_settings") if member.is_some() => Rows(
                    admin_count(&c.admin, table, "exists (select 1 from facilities f where f.id = facility_id and f.is_active)").await,
                ),
                (_, "benefit_slots") if member.is_some() => Rows(
                    admin_count(&c.admin, table, "exists (select 1 from facilities f where f.id = facility_id and f.is_active and not f.under_maintenance)").await,
                ),
                (_, "classes") if member.is_some() => Rows(admin_count(&c.admin, table, "not is_cancelled").await),
                (_, _) if member.is_some() => Rows(all),
                ("manager desk", "staff") => Rows(all),
                (_, "staff") => Rows(admin_count(&c.admin, table, &format!("branch_id is null or {}", in_branch(desk_branch.unwrap()))).await),
                (_, "branches" | "membership_plans" | "plan_entitlements" | "members") => Rows(all),
                ("manager desk", _) => Rows(all),
                (_, _) => Rows(admin_count(&c.admin, table, &in_branch(desk_branch.unwrap())).await),
            };
            let got = run(conn, &format!("select count(*) from {table}")).await;
            if got != expected_select {
                failures.push(format!(
                    "{actor} select {table}: expected {expected_select:?}, got {got:?}"
                ));
            }
            // Desks see their own branch only: a scoped count must differ from the total.
            if matches!(*actor, "desk A" | "desk B")
                && [
                    "benefit_slots",
                    "benefit_bookings",
                    "class_bookings",
                    "facilities",
                ]
                .contains(&table)
            {
                let other = if *actor == "desk A" { b } else { a };
                let leaked = run(
                    conn,
                    &format!("select count(*) from {table} where {}", in_branch(other)),
                )
                .await;
                if leaked != Rows(0) {
                    failures.push(format!(
                        "{actor} reads the other branch's {table}: {leaked:?}"
                    ));
                }
            }

            // Nobody inserts or deletes directly; every write goes through functions.
            let insert = run(conn, &format!("insert into {table} default values")).await;
            if insert != Denied {
                failures.push(format!(
                    "{actor} insert {table}: expected Denied, got {insert:?}"
                ));
            }
            let delete = run(conn, &format!("delete from {table}")).await;
            if delete != Denied {
                failures.push(format!(
                    "{actor} delete {table}: expected Denied, got {delete:?}"
                ));
            }
            // Updates: only desks, only facilities' maintenance flags, only their branches.
            let col = update_column(table);
            let expected_update = match (*actor, table) {
                ("desk A" | "desk B", "facilities") => {
                    Rows(admin_count(&c.admin, table, &in_branch(desk_branch.unwrap())).await)
                }
                ("manager desk", "facilities") => Rows(all),
                ("unmapped desk", "facilities") => Rows(0),
                _ => Denied,
            };
            let update = run(conn, &format!("update {table} set {col} = {col}")).await;
            if update != expected_update {
                failures.push(format!(
                    "{actor} update {table}: expected {expected_update:?}, got {update:?}"
                ));
            }
        }
    }

    // A desk cannot move a facility to another branch or touch columns it has no grant for.
    let mut desk_a = c.desk(DESK_A).await;
    assert_eq!(
        run(
            &mut desk_a,
            &format!("update facilities set under_maintenance = true where branch_id = '{b}'")
        )
        .await,
        Rows(0)
    );
    assert_eq!(
        run(&mut desk_a, "update facilities set name = name").await,
        Denied
    );
    assert_eq!(
        run(
            &mut desk_a,
            &format!("update facilities set branch_id = '{b}'")
        )
        .await,
        Denied
    );

    failures
}
