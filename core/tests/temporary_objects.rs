//! Hostile sessions, first part: a branch desk's login (its password is on every branch PC) and
//! a member's login create temporary objects shadowing every name the club's functions use, then
//! call every entry point. Nothing they created may run with the rights of the functions' owner.
//! (The second part, rights by role, is `hostile_sessions.rs`.)

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::{club, gateway_role, mapped_desk_role, Club, DESK_A};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

/// Each test that attacks has login roles of its own: a payload that got through would change
/// these roles, never the ones other tests use.
const ATTACK_DESK: &str = "test_attack_desk";
const ATTACK_GATEWAY: &str = "test_attack_gateway";

/// Temporary objects shadowing the type, table and function names the club's functions use.
/// Whatever runs `pg_temp.payload()` with anyone's rights but the session's own (the login or
/// the role it set) advances `pg_temp.tripwire` (sequences ignore rollbacks), maps the desk to
/// every branch and makes the login a superuser.
const SHADOWS: &str = r#"
create temp sequence tripwire;
grant usage, select, update on sequence pg_temp.tripwire to public;
create function pg_temp.payload() returns boolean language plpgsql
  set search_path = pg_catalog, pg_temp as $$
begin
  if current_user::text not in (session_user::text, current_setting('role')) then
    perform pg_catalog.nextval('pg_temp.tripwire');
    begin
      update public.desk_roles set branch_id = null;
    exception when others then null;
    end;
    begin
      execute pg_catalog.format('alter role %I superuser createrole bypassrls', session_user);
    exception when others then null;
    end;
  end if;
  return true;
end $$;
grant execute on function pg_temp.payload() to public;
create function pg_temp.payload_trigger() returns trigger language plpgsql
  set search_path = pg_catalog, pg_temp as $$
begin
  perform pg_temp.payload();
  return null;
end $$;
do $$
declare t text;
begin
  -- Types named by identifiers (keywords such as integer or boolean always mean pg_catalog's).
  foreach t in array array['text', 'uuid', 'jsonb', 'json', 'date', 'timestamptz', 'timestamp',
      'time', 'interval', 'int4', 'int8', 'int2', 'bool', 'numeric', 'float4', 'float8', 'name',
      'oid', 'regclass', 'regrole', 'regprocedure', 'tsvector', 'tsquery', 'varchar', 'bpchar'] loop
    execute format('create domain pg_temp.%I as pg_catalog.%I check (pg_temp.payload())', t, t);
  end loop;
  -- Tables and catalog views, read or written: a view that runs the payload when read, and
  -- instead of any write.
  foreach t in array array['branches', 'desk_roles', 'desk_keys', 'members', 'staff', 'facilities',
      'benefit_settings', 'benefit_slots', 'benefit_bookings', 'classes', 'class_bookings',
      'membership_plans', 'plan_entitlements', 'benefit_slot_days', 'member_name_words',
      'pg_roles', 'pg_authid', 'pg_class', 'pg_tables', 'pg_timezone_names', 'pg_settings',
      'pg_namespace', 'pg_proc', 'pg_stat_activity'] loop
    execute format('create temp view %I as select 1 as x where pg_temp.payload()', t);
    execute format('create trigger payload instead of insert or update or delete on pg_temp.%I
                    for each row execute function pg_temp.payload_trigger()', t);
  end loop;
  -- Functions and operators: PostgreSQL never looks for these in pg_temp unless asked, but an
  -- attacker would try.
  foreach t in array array['now', 'lower', 'upper', 'btrim', 'length', 'format',
      'current_setting', 'set_config', 'md5', 'concat_ws', 'unnest', 'generate_series',
      'similarity', 'json_build_object', 'make_interval', 'date_trunc', 'regexp_replace',
      'translate', 'overlay', 'starts_with', 'pg_has_role', 'cardinality', 'uid',
      'desk_branch_ids', 'desk_sees_every_branch', 'desk_role_name', 'sha256', 'convert_to',
      'caller_may_use_branch', 'pg_advisory_xact_lock', 'hashtext'] loop
    execute format('create function pg_temp.%I() returns boolean language sql as $f$ select pg_temp.payload() $f$', t);
  end loop;
end $$;
create function pg_temp.eq_payload(pg_catalog.text, pg_catalog.text) returns boolean
  language sql as $$ select pg_temp.payload() $$;
create operator pg_temp.= (function = pg_temp.eq_payload, leftarg = pg_catalog.text, rightarg = pg_catalog.text);
create operator pg_temp.|| (function = pg_temp.eq_payload, leftarg = pg_catalog.text, rightarg = pg_catalog.text);
-- And the temporary schema first on the session's own path, for good measure.
select pg_catalog.set_config('search_path', 'pg_temp, public, pg_catalog', false);
"#;

/// What an attack would change: every desk mapping, and the attributes of the given login roles.
async fn what_an_attack_changes(admin: &PgPool, roles: &[&str]) -> String {
    sqlx::query_scalar(
        "select concat_ws(' | ',
           (select string_agg(concat_ws(':', role_name, branch_id), ',' order by role_name) from desk_roles),
           (select string_agg(concat_ws(':', rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls), ','
                              order by rolname)
            from pg_roles where rolname = any($1)))",
    )
    .bind(roles)
    .fetch_one(admin)
    .await
    .unwrap()
}

async fn tripwire(conn: &mut PgConnection) -> bool {
    sqlx::query_scalar("select is_called from pg_temp.tripwire")
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Runs each call in the hostile session and returns the ones that failed, with their errors.
async fn run_calls(conn: &mut PgConnection, calls: &[(String, Vec<Uuid>)]) -> Vec<String> {
    let mut failed = Vec::new();
    for (sql, binds) in calls {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        if let Err(e) = q.fetch_all(&mut *conn).await {
            failed.push(format!("{sql}: {e}"));
        }
    }
    failed
}

/// The fixtures every entry point needs: slots to book, a class with one place and a waitlist,
/// and a member on a plan whose allowance is used up.
struct Targets {
    day: NaiveDate,
    free_slots: Vec<Uuid>,
    full_slot: Uuid,
    class: Uuid,
    small_class: Uuid,
    members: Vec<Uuid>,
    used_up: Uuid,
}

async fn targets(c: &Club) -> Targets {
    let day = Utc::now().date_naive() + Duration::days(5);
    let sauna = c.club.branch("LDN").facility("Sauna");
    // A sauna of one place, so its slots fill with one booking.
    sqlx::query("update benefit_settings set capacity = 1 where facility_id = $1")
        .bind(sauna)
        .execute(&c.admin)
        .await
        .unwrap();
    sqlx::query("select ensure_facility_slots($1, $2, $2)")
        .bind(c.branch_a())
        .bind(day)
        .execute(&c.admin)
        .await
        .unwrap();
    let slots = |sauna_only: bool| {
        let admin = c.admin.clone();
        let branch = c.branch_a();
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "select id from benefit_slots where branch_id = $1 and local_date = $2
                   and booked_count = 0 and (facility_id = $3) = $4
                 order by starts_at desc, facility_id limit 10",
            )
            .bind(branch)
            .bind(day)
            .bind(sauna)
            .bind(sauna_only)
            .fetch_all(&admin)
            .await
            .unwrap()
        }
    };
    let full_slot = slots(true).await[0];
    let free_slots = slots(false).await;
    let mut members = c.members_on_plan(5, "PREMIUM").await;
    // Two recovery sessions a month, both used on `day` (so in its month, whatever today is).
    let used_up = members.pop().unwrap();
    sqlx::query("update members set plan_id = $2 where id = $1")
        .bind(used_up)
        .bind(c.club.plan("ESSENTIAL"))
        .execute(&c.admin)
        .await
        .unwrap();
    let staff = c.staff("maya.manager.ldn");
    let desk = c.desk_pool(DESK_A, 1).await;
    for (slot, member) in [
        (full_slot, members[3]),
        (free_slots[8], used_up),
        (free_slots[9], used_up),
    ] {
        sqlx::query("select book_benefit_slot($1, $2, gen_random_uuid(), $3)")
            .bind(slot)
            .bind(member)
            .bind(staff)
            .execute(&desk)
            .await
            .unwrap();
    }
    let class = c.future_class(c.branch_a(), 10).await;
    let small_class = c.future_class(c.branch_a(), 1).await;
    sqlx::query("select book_class($1, $2, gen_random_uuid(), $3)")
        .bind(small_class)
        .bind(members[3])
        .bind(staff)
        .execute(&desk)
        .await
        .unwrap();
    Targets {
        day,
        free_slots,
        full_slot,
        class,
        small_class,
        members,
        used_up,
    }
}

/// Every entry point a desk may call, reaching each rule: making slots and the no-op re-run,
/// search of each kind, entitlements, PIN attempts, bookings (with the waitlist and both
/// overrides), check-in, cancel with a waitlist promotion, and reads of every table.
fn desk_calls(c: &Club, t: &Targets) -> Vec<(String, Vec<Uuid>)> {
    let staff = c.staff("maya.manager.ldn");
    let branch = c.branch_a();
    let far = "'2031-02-03'::pg_catalog.date";
    let mut calls = vec![
        (format!("select public.ensure_facility_slots($1, {far}, {far} + 1)"), vec![branch]),
        (format!("select public.ensure_facility_slots($1, {far}, {far} + 1)"), vec![branch]),
        ("select * from public.search_members('olivia smi')".into(), vec![]),
        ("select * from public.search_members('Smtih')".into(), vec![]),
        ("select * from public.search_members('M000010')".into(), vec![]),
        ("select * from public.search_members('0770')".into(), vec![]),
        ("select * from public.search_members('example.com')".into(), vec![]),
        ("select * from public.member_entitlements($1)".into(), vec![t.members[0]]),
        ("select * from public.record_pin_attempt($1, false)".into(), vec![staff]),
        ("select * from public.record_pin_attempt($1, true)".into(), vec![staff]),
        ("select public.desk_branch_ids()".into(), vec![]),
        ("select public.desk_sees_every_branch()".into(), vec![]),
        ("select public.desk_role_name()".into(), vec![]),
        (
            "select public.book_benefit_slot($1, $2, gen_random_uuid(), $3)".into(),
            vec![t.free_slots[0], t.members[0], staff],
        ),
        (
            "select public.book_benefit_slot($1, $2, gen_random_uuid(), $3, true, false, 'Physio referral')".into(),
            vec![t.full_slot, t.members[1], staff],
        ),
        (
            "select public.book_benefit_slot($1, $2, gen_random_uuid(), $3, false, true, 'Goodwill after a complaint')".into(),
            vec![t.free_slots[1], t.used_up, staff],
        ),
        (
            "select public.book_class($1, $2, gen_random_uuid(), $3)".into(),
            vec![t.class, t.members[0], staff],
        ),
        (
            "select public.book_class($1, $2, gen_random_uuid(), $3, false, false, null, true)".into(),
            vec![t.small_class, t.members[2], staff],
        ),
        (
            "select public.set_booking_status('class', (select id from public.class_bookings where class_id = $1 and member_id = $2), 'attended', $3)".into(),
            vec![t.class, t.members[0], staff],
        ),
        (
            "select public.cancel_booking('class', (select id from public.class_bookings where class_id = $1 and status = 'booked'), $2)".into(),
            vec![t.small_class, staff],
        ),
        (
            "select public.cancel_booking('recovery', (select id from public.benefit_bookings where slot_id = $1 and member_id = $2), $3)".into(),
            vec![t.free_slots[0], t.members[0], staff],
        ),
    ];
    calls.extend(table_reads());
    calls
}

/// Every entry point a member may call, for themselves.
fn member_calls(c: &Club, t: &Targets) -> Vec<(String, Vec<Uuid>)> {
    let me = c.member_a.id;
    let mut calls = vec![
        (
            "select public.ensure_facility_slots($1, $2::pg_catalog.date, $2::pg_catalog.date + 1)".into(),
            vec![c.branch_a()],
        ),
        (
            "select public.book_benefit_slot($1, $2, gen_random_uuid())".into(),
            vec![t.free_slots[2], me],
        ),
        (
            "select public.book_class($1, $2, gen_random_uuid())".into(),
            vec![t.class, me],
        ),
        ("select * from public.member_entitlements($1)".into(), vec![me]),
        (
            "select public.cancel_booking('recovery', (select id from public.benefit_bookings where slot_id = $1 and member_id = $2), null)".into(),
            vec![t.free_slots[2], me],
        ),
    ];
    calls.extend(table_reads());
    calls
}

fn table_reads() -> Vec<(String, Vec<Uuid>)> {
    [
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
    ]
    .iter()
    .map(|t| {
        (
            // A denied table is fine here (the RLS matrix says who reads what): only what runs
            // matters, so the read is wrapped to never fail.
            format!(
                "do $$ begin perform count(*) from public.{t}; exception when insufficient_privilege then null; end $$"
            ),
            vec![],
        )
    })
    .collect()
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn temporary_objects_never_run_with_the_definers_rights(admin: PgPool) {
    let c = club(admin).await;
    mapped_desk_role(&c.admin, ATTACK_DESK, Some(c.branch_a())).await;
    gateway_role(&c.admin, ATTACK_GATEWAY).await;
    // A payload that got through in an earlier run of a broken schema must not carry over.
    for role in [ATTACK_DESK, ATTACK_GATEWAY] {
        sqlx::query(&format!(
            "alter role {role} nosuperuser nocreaterole nobypassrls"
        ))
        .execute(&c.admin)
        .await
        .unwrap();
    }
    let t = targets(&c).await;
    let before = what_an_attack_changes(&c.admin, &[ATTACK_DESK, ATTACK_GATEWAY]).await;

    for (who, mut conn, calls) in [
        ("desk", c.desk(ATTACK_DESK).await, desk_calls(&c, &t)),
        (
            "member",
            c.member_via(ATTACK_GATEWAY, c.member_a).await,
            member_calls(&c, &t),
        ),
    ] {
        sqlx::raw_sql(SHADOWS)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{who}: the shadowing objects are created: {e}"));
        let calls: Vec<(String, Vec<Uuid>)> = calls
            .into_iter()
            .map(|(sql, binds)| {
                (
                    sql.replace(
                        "$2::pg_catalog.date",
                        &format!("'{}'::pg_catalog.date", t.day),
                    ),
                    binds,
                )
            })
            .collect();
        let failed = run_calls(&mut conn, &calls).await;
        let after = what_an_attack_changes(&c.admin, &[ATTACK_DESK, ATTACK_GATEWAY]).await;
        // Undo what got through, so a broken schema fails this test and no other.
        sqlx::raw_sql(&format!(
            "alter role {ATTACK_DESK} nosuperuser nocreaterole nobypassrls;
             alter role {ATTACK_GATEWAY} nosuperuser nocreaterole nobypassrls"
        ))
        .execute(&c.admin)
        .await
        .ok();
        assert!(
            !tripwire(&mut conn).await,
            "a {who} session's temporary objects ran with the definer's rights"
        );
        assert_eq!(
            after, before,
            "a {who} session changed desk mappings or role attributes"
        );
        assert!(
            failed.is_empty(),
            "every entry point must still work for a {who} session with shadowing objects \
             (else the attack test proves nothing):\n{}",
            failed.join("\n")
        );
        conn.close().await.unwrap();
    }
}
