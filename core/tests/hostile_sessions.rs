//! Hostile sessions, second part: settings a session can write (`request.jwt.claims`) never make
//! it an administrator or another kind of caller; a desk role that desk_roles does not map reads
//! and does nothing; the functions behind the entry points refuse every caller. (The first part,
//! temporary objects, is `temporary_objects.rs`.)

mod common;

use branch_desk_core::Error;
use common::{club, sqlstate, unmapped_desk_role, DESK_A, DESK_HQ, UNMAPPED_DESK};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

async fn set_claims(conn: &mut PgConnection, value: String) {
    sqlx::query("select set_config('request.jwt.claims', $1, false)")
        .bind(value)
        .execute(conn)
        .await
        .unwrap();
}

/// A session that may write `request.jwt.claims` (any member's, or a desk's) cannot become an
/// administrator by saying `"role": "service_role"` there; administrators are told by their
/// database role.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn claims_never_make_an_administrator(admin: PgPool) {
    let c = club(admin).await;
    let nyc_manager = c.staff("nina.manager.nyc");
    let nyc_slot = c.future_slot("NYC", 4).await;
    let other_member = c.members_on_plan(1, "PREMIUM").await[0];
    let claims = |sub: Option<Uuid>| match sub {
        Some(s) => serde_json::json!({ "sub": s, "role": "service_role" }).to_string(),
        None => serde_json::json!({ "role": "service_role" }).to_string(),
    };

    // An authenticated session whose claims name no member but the service role.
    let mut mallory = c.member(c.member_a).await;
    set_claims(&mut mallory, claims(None)).await;
    let refused = [
        (
            sqlx::query("select * from member_entitlements($1)").bind(other_member),
            "any member's entitlements",
        ),
        (
            sqlx::query("select book_benefit_slot($1, $2, gen_random_uuid(), $3, true, true, 'I am an admin')")
                .bind(nyc_slot)
                .bind(other_member)
                .bind(nyc_manager),
            "a booking as a manager of another branch",
        ),
        (
            sqlx::query("select ensure_facility_slots($1, current_date, current_date)").bind(c.branch_b()),
            "another branch's slots",
        ),
    ];
    for (query, what) in refused {
        let e = Error::from(query.execute(&mut mallory).await.expect_err(what));
        assert!(
            matches!(e, Error::NotAllowed(_)),
            "claims saying service_role must not give {what}: {e:?}"
        );
    }
    // With a member's sub as well, the session is that member and no more.
    set_claims(&mut mallory, claims(Some(c.member_a.user_id))).await;
    let e = Error::from(
        sqlx::query("select * from member_entitlements($1)")
            .bind(other_member)
            .execute(&mut mallory)
            .await
            .unwrap_err(),
    );
    assert!(matches!(e, Error::NotAllowed(_)), "{e:?}");
    let own: i64 = sqlx::query_scalar("select count(*) from member_entitlements($1)")
        .bind(c.member_a.id)
        .fetch_one(&mut mallory)
        .await
        .unwrap();
    assert_eq!(own, 2, "the member still reads their own entitlements");

    // A desk that says it is the service role, or a member of another branch, is still its desk.
    let mut desk = c.desk(DESK_A).await;
    for value in [claims(None), claims(Some(c.member_b.user_id))] {
        set_claims(&mut desk, value.clone()).await;
        for sql in [
            "select ensure_facility_slots($1, current_date, current_date)",
            "select book_benefit_slot($2, $3, gen_random_uuid(), $4)",
        ] {
            let r = sqlx::query(sql)
                .bind(c.branch_b())
                .bind(nyc_slot)
                .bind(c.member_b.id)
                .bind(nyc_manager)
                .execute(&mut desk)
                .await;
            let e = Error::from(r.expect_err(sql));
            assert!(
                matches!(e, Error::NotAllowed(_)),
                "desk A with claims {value} must not act for branch B ({sql}): {e:?}"
            );
        }
    }
    let booked: i64 =
        sqlx::query_scalar("select count(*) from benefit_bookings where slot_id = $1")
            .bind(nyc_slot)
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert_eq!(booked, 0, "nothing was booked by a claimed administrator");
}

/// The tables whose desk policy lets head office through first (`desk_sees_every_branch()`,
/// migration 20261201001100), before the branch array.
const BRANCH_TABLES: [&str; 5] = [
    "facilities",
    "benefit_slots",
    "benefit_bookings",
    "classes",
    "class_bookings",
];

/// What a stolen branch-desk login would try, to pass those policies' head-office test: a
/// temporary `desk_roles` (and a view of that name) mapping itself to every branch, a temporary
/// `desk_sees_every_branch()` answering true, the temporary schema first on its path, and claims
/// naming head office.
const PASS_AS_HEAD_OFFICE: &str = r#"
create temp table desk_roles (role_name text, branch_id uuid);
insert into pg_temp.desk_roles values (session_user, null);
create temp view desk_roles_view as select * from pg_temp.desk_roles;
create function pg_temp.desk_sees_every_branch() returns boolean language sql as $$ select true $$;
create function pg_temp.desk_branch_ids() returns uuid[] language sql
  as $$ select array_agg(id) from public.branches $$;
select set_config('search_path', 'pg_temp, public, pg_catalog', false);
select set_config('request.jwt.claims', '{"role": "service_role", "desk": "test_desk_hq"}', false);
"#;

/// A branch desk never passes as head office: whatever its session holds, at every isolation
/// level, it sees its own branch's rows of each table head office sees whole, and
/// `desk_sees_every_branch()` says false. Head office, for contrast, sees every branch's rows.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_branch_desk_never_passes_as_head_office(admin: PgPool) {
    let c = club(admin).await;
    common::rls::seed_bookings(&c).await;
    let mut desk = c.desk(DESK_A).await;
    sqlx::raw_sql(PASS_AS_HEAD_OFFICE)
        .execute(&mut desk)
        .await
        .unwrap();
    let mut hq = c.desk(DESK_HQ).await;
    for level in ["read committed", "repeatable read", "serializable"] {
        for conn in [&mut desk, &mut hq] {
            sqlx::query(&format!("begin isolation level {level}"))
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        let passes: bool = sqlx::query_scalar("select public.desk_sees_every_branch()")
            .fetch_one(&mut desk)
            .await
            .unwrap();
        assert!(!passes, "{level}: the branch desk passed as head office");
        for table in BRANCH_TABLES {
            let count = format!("select count(*) from {table}");
            let own: i64 = sqlx::query_scalar(&format!("{count} where branch_id = $1"))
                .bind(c.branch_a())
                .fetch_one(&c.admin)
                .await
                .unwrap();
            let all: i64 = sqlx::query_scalar(&count)
                .fetch_one(&c.admin)
                .await
                .unwrap();
            assert!(
                own > 0 && all > own,
                "{table}: the club must have rows in both branches"
            );
            let seen: i64 = sqlx::query_scalar(&count)
                .fetch_one(&mut desk)
                .await
                .unwrap();
            assert_eq!(
                seen, own,
                "{level}: the branch desk saw other branches' {table}"
            );
            let seen_by_hq: i64 = sqlx::query_scalar(&count).fetch_one(&mut hq).await.unwrap();
            assert_eq!(
                seen_by_hq, all,
                "{level}: head office did not see every branch's {table}"
            );
        }
        for conn in [&mut desk, &mut hq] {
            sqlx::query("rollback").execute(&mut *conn).await.unwrap();
        }
    }
}

/// A member of branch_desk that no desk_roles row maps (an administrator's half-finished set-up)
/// reads nothing and does nothing, whatever claims it sets.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn an_unmapped_desk_reads_and_does_nothing(admin: PgPool) {
    let c = club(admin).await;
    unmapped_desk_role(&c.admin).await;
    let slot = c.future_slot("LDN", 4).await;
    let staff = c.staff("frank.desk.ldn");
    let mut desk = c.desk(UNMAPPED_DESK).await;

    for table in [
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
    ] {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&mut desk)
            .await
            .unwrap();
        assert_eq!(n, 0, "an unmapped desk reads no {table}");
    }
    let hits: i64 = sqlx::query_scalar("select count(*) from search_members('smith')")
        .fetch_one(&mut desk)
        .await
        .unwrap();
    assert_eq!(hits, 0, "an unmapped desk finds no member");

    for claims in [
        None,
        Some(serde_json::json!({ "sub": c.member_a.user_id }).to_string()),
    ] {
        if let Some(value) = &claims {
            sqlx::query("select set_config('request.jwt.claims', $1, false)")
                .bind(value)
                .execute(&mut desk)
                .await
                .unwrap();
        }
        for sql in [
            "select ensure_facility_slots($1, current_date, current_date)",
            "select book_benefit_slot($2, $3, gen_random_uuid(), $4)",
            "select book_benefit_slot($2, $3, gen_random_uuid())",
            "select * from member_entitlements($3)",
            "select * from record_pin_attempt($4, true)",
        ] {
            let r = sqlx::query(sql)
                .bind(c.branch_a())
                .bind(slot)
                .bind(c.member_a.id)
                .bind(staff)
                .execute(&mut desk)
                .await;
            let e = Error::from(r.expect_err(sql));
            assert!(
                matches!(e, Error::NotAllowed(_)),
                "an unmapped desk (claims {claims:?}) is refused {sql}: {e:?}"
            );
        }
    }
    let booked: i64 =
        sqlx::query_scalar("select count(*) from benefit_bookings where slot_id = $1")
            .bind(slot)
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert_eq!(booked, 0);
}

/// The functions behind the entry points run only inside them: no caller may call one directly.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn internal_functions_refuse_every_caller(admin: PgPool) {
    let c = club(admin).await;
    let internal: Vec<String> = sqlx::query_scalar(
        "select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'public'
           and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
           and p.proname <> all (array['ensure_facility_slots', 'book_class', 'book_benefit_slot',
               'cancel_booking', 'set_booking_status', 'member_entitlements', 'record_pin_attempt',
               'search_members', 'desk_branch_ids', 'desk_sees_every_branch', 'desk_role_name', 'name_words', 'name_word_keys', 'is_iana_time_zone',
               'override_reason_min_length', 'override_reason_max_length'])
         order by 1",
    )
    .fetch_all(&c.admin)
    .await
    .unwrap();
    assert!(
        internal
            .iter()
            .any(|f| f.starts_with("caller_may_use_branch")),
        "the list must include the helpers: {internal:?}"
    );
    let mut sessions = [
        ("desk", c.desk(DESK_A).await),
        ("member", c.member(c.member_a).await),
        ("anon", c.anon().await),
    ];
    for (who, conn) in sessions.iter_mut() {
        for f in &internal {
            let granted: bool =
                sqlx::query_scalar("select has_function_privilege($1::regprocedure, 'EXECUTE')")
                    .bind(f)
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
            assert!(!granted, "a {who} session may execute the internal {f}");
        }
    }
    // And a direct call is refused by PostgreSQL itself.
    let mut desk = c.desk(DESK_A).await;
    let r = sqlx::query("select caller_may_use_branch($1)")
        .bind(c.branch_a())
        .execute(&mut desk)
        .await;
    assert_eq!(sqlstate(r), "42501");
}

/// A desk or member with raw SQL cannot take, in one open transaction, the rows every other desk
/// needs (every member, every class, every branch's slot making): one change per transaction.
/// What one open transaction does hold, others wait for briefly and then are told to try again.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn an_open_transaction_holds_no_locks_for_others(admin: PgPool) {
    use branch_desk_core::bookings::{book, BookingKind};
    use sqlx::Connection;
    let c = club(admin).await;
    let staff = c.staff("frank.desk.ldn");
    let nyc_staff = c.staff("ben.desk.nyc");
    let members = c.members_on_plan(3, "PREMIUM").await;
    let class = c.future_class(c.branch_a(), 10).await;
    let nyc_class = c.future_class(c.branch_b(), 10).await;

    let mut hog = c.desk(DESK_A).await;
    let mut tx = hog.begin().await.unwrap();
    book(
        &mut *tx,
        &common::desk_request(BookingKind::Class, class, members[0], staff),
    )
    .await
    .expect("the first change of a transaction");
    for (sql, what) in [
        ("select book_class($1, $2, gen_random_uuid(), $3)", "Bookings are made one at a time"),
        ("select * from record_pin_attempt($3, true) where $1 is not null and $2 is not null", "PIN attempts are counted one at a time"),
        ("select ensure_facility_slots($4, '2099-08-03', '2099-08-03') where $1 is not null and $2 is not null and $3 is not null", "Slots are made one at a time"),
    ] {
        let mut sp = tx.begin().await.unwrap();
        let e = Error::from(
            sqlx::query(sql)
                .bind(class)
                .bind(members[1])
                .bind(staff)
                .bind(c.branch_a())
                .execute(&mut *sp)
                .await
                .expect_err(sql),
        );
        assert!(
            matches!(&e, Error::Invalid { reason, .. } if reason.starts_with(what)),
            "a second change in the same transaction is refused: {e:?}"
        );
        sp.rollback().await.unwrap();
    }

    // The member row the open transaction holds: another branch's desk waits briefly, then hears
    // "try again", instead of waiting as long as the transaction stays open.
    let other = c.desk_pool(common::DESK_B, 1).await;
    let started = std::time::Instant::now();
    let e = book(
        &other,
        &common::desk_request(BookingKind::Class, nyc_class, members[0], nyc_staff),
    )
    .await
    .expect_err("the member's row is held");
    assert!(matches!(e, Error::Conflict), "{e:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "the wait is bounded: {:?}",
        started.elapsed()
    );
    tx.rollback().await.unwrap();
    book(
        &other,
        &common::desk_request(BookingKind::Class, nyc_class, members[0], nyc_staff),
    )
    .await
    .expect("once the transaction is gone, the booking goes through");

    // A member's session likewise: one slot making per transaction.
    let mut member = c.member(c.member_a).await;
    let mut tx = member.begin().await.unwrap();
    let today = chrono::Utc::now().date_naive();
    sqlx::query("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_b())
        .bind(today + chrono::Duration::days(20))
        .execute(&mut *tx)
        .await
        .expect("the first making");
    let e = Error::from(
        sqlx::query("select ensure_facility_slots($1, $2, $2)")
            .bind(c.branch_a())
            .bind(today + chrono::Duration::days(21))
            .execute(&mut *tx)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&e, Error::Invalid { reason, .. } if reason.starts_with("Slots are made one at a time")),
        "{e:?}"
    );
    tx.rollback().await.unwrap();
}

/// Claims that are not JSON, or whose sub is not a uuid, make the session nobody: refused in
/// words, never a raw error.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn malformed_claims_make_nobody(admin: PgPool) {
    let c = club(admin).await;
    let mut member = c.member(c.member_a).await;
    for claims in [
        r#"{"sub":"not-a-uuid"}"#,
        r#"{"sub":"#,
        "nonsense",
        r#"{"sub": 42}"#,
    ] {
        set_claims(&mut member, claims.to_string()).await;
        let r = sqlx::query("select ensure_facility_slots($1, current_date, current_date)")
            .bind(c.branch_a())
            .execute(&mut member)
            .await;
        let e = Error::from(r.expect_err(claims));
        assert!(
            matches!(e, Error::NotAllowed(_)),
            "claims {claims:?}: {e:?}"
        );
    }
}

/// The shared server login PgBouncer logs every desk in as (deploy/pgbouncer/auth.sql), stolen:
/// by itself it is no desk. It is the desk whose name and key a transaction sets, and only with
/// that desk's right key: no key, a wrong one, another desk's, empty or NULL settings, a
/// temporary `desk_keys` and `desk_role_name()` first on its path, claims, every isolation
/// level. A login that is not shared is named by its role whatever key it sets, and no desk
/// reads the keys.
#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_shared_login_is_only_the_desk_its_key_names(admin: PgPool) {
    const SHARED: &str = "test_desk_shared_login";
    let c = club(admin).await;
    common::rls::seed_bookings(&c).await;
    sqlx::raw_sql(&format!(
        "do $$ begin
           create role {SHARED} login in role branch_desk_shared;
         exception when duplicate_object or unique_violation then null;
         end $$"
    ))
    .execute(&c.admin)
    .await
    .unwrap();
    for (desk, key) in [(DESK_A, "key-of-a"), (DESK_HQ, "key-of-hq")] {
        sqlx::query(
            "insert into desk_keys (role_name, key_sha256)
             values ($1, sha256(convert_to($1 || ':' || $2, 'UTF8')))",
        )
        .bind(desk)
        .bind(key)
        .execute(&c.admin)
        .await
        .unwrap();
    }
    let own_slots: i64 =
        sqlx::query_scalar("select count(*) from benefit_slots where branch_id = $1")
            .bind(c.branch_a())
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert!(own_slots > 0, "London has slots");

    async fn name(conn: &mut PgConnection, desk: Option<&str>, key: Option<&str>, local: bool) {
        sqlx::query(
            "select set_config('branch_desk.desk', $1, $3), set_config('branch_desk.desk_key', $2, $3)",
        )
        .bind(desk)
        .bind(key)
        .bind(local)
        .execute(conn)
        .await
        .unwrap();
    }
    async fn seen(conn: &mut PgConnection) -> (Option<String>, i64, i64, i64) {
        sqlx::query_as(
            "select public.desk_role_name(), (select count(*) from benefit_slots),
                    (select count(*) from members), (select count(*) from desk_roles)",
        )
        .fetch_one(conn)
        .await
        .unwrap()
    }

    let mut stolen = c.desk(SHARED).await;
    // Temporary look-alikes first on the path: a desk_keys holding a key of its own choosing,
    // and a desk_role_name() naming head office.
    sqlx::raw_sql(&format!(
        "create temporary table desk_keys (role_name text, key_sha256 bytea);
         insert into pg_temp.desk_keys values ('{DESK_HQ}', sha256(convert_to('{DESK_HQ}:mine', 'UTF8')));
         create function pg_temp.desk_role_name() returns text language sql as $$ select '{DESK_HQ}'::text $$;
         set search_path = pg_temp, public, pg_catalog"
    ))
    .execute(&mut stolen)
    .await
    .unwrap();
    set_claims(
        &mut stolen,
        serde_json::json!({ "sub": c.member_a.user_id, "role": "service_role" }).to_string(),
    )
    .await;
    for level in ["read committed", "repeatable read", "serializable"] {
        let attempts: [(Option<&str>, Option<&str>); 8] = [
            (None, None),
            (Some(DESK_A), None),
            (Some(DESK_A), Some("")),
            (Some(""), Some("key-of-a")),
            (Some(DESK_A), Some("key-of-hq")),
            (Some(DESK_HQ), Some("key-of-a")),
            (Some(DESK_HQ), Some("mine")),
            (Some(DESK_A), Some("KEY-OF-A")),
        ];
        for (desk, key) in attempts {
            sqlx::query(&format!("begin isolation level {level}"))
                .execute(&mut stolen)
                .await
                .unwrap();
            name(&mut stolen, desk, key, true).await;
            assert_eq!(
                seen(&mut stolen).await,
                (None, 0, 0, 0),
                "{level}: {desk:?} with key {key:?} named a desk"
            );
            let e = Error::from(
                sqlx::query("select ensure_facility_slots($1, current_date, current_date)")
                    .bind(c.branch_a())
                    .execute(&mut stolen)
                    .await
                    .expect_err("no desk, no slots"),
            );
            assert!(matches!(e, Error::NotAllowed(_)), "{level}: {e:?}");
            sqlx::query("rollback").execute(&mut stolen).await.unwrap();
        }
        // The right key names London, and London only.
        sqlx::query(&format!("begin isolation level {level}"))
            .execute(&mut stolen)
            .await
            .unwrap();
        name(&mut stolen, Some(DESK_A), Some("key-of-a"), true).await;
        let (desk, slots, members, mappings) = seen(&mut stolen).await;
        assert_eq!(desk.as_deref(), Some(DESK_A), "{level}");
        assert_eq!(slots, own_slots, "{level}: London's slots only");
        assert!(
            members > 0 && mappings == 1,
            "{level}: its own mapping only"
        );
        let passes: bool = sqlx::query_scalar("select public.desk_sees_every_branch()")
            .fetch_one(&mut stolen)
            .await
            .unwrap();
        assert!(!passes, "{level}: London passed as head office");
        sqlx::query("commit").execute(&mut stolen).await.unwrap();
        // A local key ends with its transaction.
        assert_eq!(
            seen(&mut stolen).await,
            (None, 0, 0, 0),
            "{level}: after commit"
        );
    }

    // No desk reads the keys, named or not.
    name(&mut stolen, Some(DESK_A), Some("key-of-a"), false).await;
    let e = Error::from(
        sqlx::query("select count(*) from public.desk_keys")
            .fetch_one(&mut stolen)
            .await
            .expect_err("desk_keys is not a desk's to read"),
    );
    assert!(matches!(e, Error::NotAllowed(_)), "{e:?}");

    // A desk with a login of its own is that desk, whatever key it sets.
    let mut nyc = c.desk(common::DESK_B).await;
    name(&mut nyc, Some(DESK_HQ), Some("key-of-hq"), false).await;
    let (desk, slots, _, _) = seen(&mut nyc).await;
    assert_eq!(desk.as_deref(), Some(common::DESK_B));
    let nyc_slots: i64 =
        sqlx::query_scalar("select count(*) from benefit_slots where branch_id = $1")
            .bind(c.branch_b())
            .fetch_one(&c.admin)
            .await
            .unwrap();
    assert_eq!(slots, nyc_slots, "New York's slots only");
}
