//! The definer lint, run on every database layout the tests build (vanilla PostgreSQL and the
//! Supabase layout of `supabase.rs`).

use sqlx::PgPool;

/// Roles that a stolen login or the public API can act as: none of them may create objects in a
/// schema that a pinned search_path names.
const UNTRUSTED: [&str; 4] = ["public", "anon", "authenticated", "branch_desk"];

/// What is wrong, one line per function; empty when every function passes.
///
/// * A function the club's migrations created (owned by the owner of the club's tables) pins
///   `search_path`; its last entry is `pg_temp`, it never names `$user`, and no untrusted role
///   may CREATE in any schema it names.
/// * A function in those schemas that someone else owns (Supabase's `auth.uid()`) must not run
///   with its owner's rights: it then runs with the pinned path of the function calling it.
/// * No SECURITY DEFINER function is executable by PUBLIC or anon.
pub async fn definer_failures(db: &PgPool) -> Vec<String> {
    let rows: Vec<(String, bool, bool, Option<String>, bool)> = sqlx::query_as(
        r#"
        select p.oid::regprocedure::text,
               p.prosecdef,
               p.proowner = (select c.relowner from pg_class c where c.oid = 'public.branches'::regclass),
               (select substr(c, length('search_path=') + 1) from unnest(p.proconfig) c
                where c like 'search_path=%'),
               coalesce((select bool_or(a.grantee = 0 or a.grantee = 'anon'::regrole)
                         from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                         where a.privilege_type = 'EXECUTE'), false)
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'auth')
          and not exists (select 1 from pg_depend d
                          where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        order by 1
        "#,
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut failures = Vec::new();
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    for expected in [
        "ensure_facility_slots(",
        "book_class(",
        "caller_may_use_branch(",
    ] {
        if !names.iter().any(|n| n.starts_with(expected)) {
            failures.push(format!("the lint must see {expected}...), saw {names:?}"));
        }
    }
    for (name, definer, ours, path, public_or_anon) in rows {
        if definer && public_or_anon {
            failures.push(format!(
                "{name} runs with its owner's rights and PUBLIC or anon may execute it"
            ));
        }
        if !ours {
            if definer {
                failures.push(format!(
                    "{name} is not the club's and runs with its owner's rights"
                ));
            }
            continue;
        }
        let Some(path) = path else {
            failures.push(format!("{name} pins no search_path"));
            continue;
        };
        let schemas: Vec<String> = path
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_owned())
            .collect();
        if schemas.last().map(String::as_str) != Some("pg_temp") {
            failures.push(format!(
                "{name}: search_path {path} must end in pg_temp (else pg_temp is searched first)"
            ));
        }
        for schema in schemas.iter().filter(|s| s.as_str() != "pg_temp") {
            if schema.contains('$') {
                failures.push(format!(
                    "{name}: search_path {path} depends on the caller ({schema})"
                ));
                continue;
            }
            let creators: Vec<String> = sqlx::query_scalar(
                "select r from unnest($2::text[]) r
                 where exists (select 1 from pg_namespace n where n.nspname = $1)
                   and (case when r = 'public'
                             then exists (select 1 from pg_namespace n, aclexplode(n.nspacl) a
                                          where n.nspname = $1 and a.grantee = 0 and a.privilege_type = 'CREATE')
                             else has_schema_privilege(r, $1, 'CREATE') end)",
            )
            .bind(schema)
            .bind(UNTRUSTED)
            .fetch_all(db)
            .await
            .unwrap();
            if !creators.is_empty() {
                failures.push(format!(
                    "{name}: its search_path names {schema}, where {creators:?} may create objects"
                ));
            }
        }
    }
    failures
}

/// Who may execute each function of `public`, as designed: everyone else (PUBLIC included) may
/// not. A function missing here fails the lint until its grants are declared (and revoked from
/// everyone else in its migration, as 20261201000600 does: Supabase's default privileges grant
/// ALL to anon, authenticated and service_role on whatever a migration creates).
const FUNCTION_GRANTS: &[(&str, &[&str])] = &[
    (
        "ensure_facility_slots",
        &["authenticated", "branch_desk", "service_role"],
    ),
    (
        "book_class",
        &["authenticated", "branch_desk", "service_role"],
    ),
    (
        "book_benefit_slot",
        &["authenticated", "branch_desk", "service_role"],
    ),
    (
        "cancel_booking",
        &["authenticated", "branch_desk", "service_role"],
    ),
    (
        "member_entitlements",
        &["authenticated", "branch_desk", "service_role"],
    ),
    ("search_members", &["branch_desk", "service_role"]),
    (
        "override_reason_min_length",
        &["authenticated", "branch_desk", "service_role"],
    ),
    (
        "override_reason_max_length",
        &["authenticated", "branch_desk", "service_role"],
    ),
    ("set_booking_status", &["branch_desk", "service_role"]),
    ("record_pin_attempt", &["branch_desk", "service_role"]),
    ("desk_branch_ids", &["branch_desk", "service_role"]),
    ("desk_sees_every_branch", &["branch_desk", "service_role"]),
    ("desk_role_name", &["branch_desk", "service_role"]),
    // An administrator's daily job: no grants.
    ("prune_recovery_slots", &[]),
    ("name_word_keys", &[]),
    ("is_iana_time_zone", &["service_role"]),
    ("is_region_time_zone_name", &["service_role"]),
    // In members' generated columns: run as whoever writes members.
    ("fold_name", &["service_role"]),
    ("fold_words", &["service_role"]),
    ("name_keys", &["service_role"]),
    ("member_number_key", &["service_role"]),
    ("member_number_digits", &["service_role"]),
    // Internal: run only inside the functions above, with their owner's rights.
    ("search_member_hits", &[]),
    ("search_member_word_hits", &[]),
    ("caller_role", &[]),
    ("caller_kind", &[]),
    ("caller_may_use_branch", &[]),
    ("resolve_booking_actor", &[]),
    ("check_override", &[]),
    ("check_allowance", &[]),
    ("check_member_may_book", &[]),
    ("check_booking_input", &[]),
    ("check_read_committed", &[]),
    ("check_fresh_transaction", &[]),
    ("visible_length", &[]),
    ("entitlement_usage", &[]),
    ("trim_space", &[]),
    ("materialise_facility_slots", &[]),
    ("recovery_slot_retention_days", &[]),
    ("facility_slot_plan", &[]),
    ("facility_slot_fingerprint", &[]),
    ("branch_time_zone", &[]),
    ("member_name_words_learn", &[]),
    ("benefit_slot_days_forget", &[]),
];

/// Privileges on each table of `public`, as designed (20261127000300's table): `select`,
/// `update(col,...)` for column grants. Anything else anyone holds fails the lint.
fn table_grants(table: &str, role: &str) -> Vec<&'static str> {
    let member_reads = [
        "branches",
        "membership_plans",
        "plan_entitlements",
        "members",
        "facilities",
        "benefit_settings",
        "benefit_slots",
        "benefit_bookings",
        "classes",
        "class_bookings",
        "booking_statuses",
        "booking_status_changes",
    ];
    match (role, table) {
        (_, "_sqlx_migrations") if role == "branch_desk" => vec!["select(success,version)"],
        (_, "_sqlx_migrations") => vec![],
        ("service_role", _) => vec!["delete", "insert", "select", "update"],
        ("branch_desk", "benefit_slot_days") => vec![],
        // The keys that name desks through a shared login: no desk reads them.
        ("branch_desk", "desk_keys") => vec![],
        ("branch_desk", "facilities") => vec!["select", "update(is_active,under_maintenance)"],
        ("branch_desk", _) => vec!["select"],
        ("authenticated", t) if member_reads.contains(&t) => vec!["select"],
        _ => vec![],
    }
}

const GRANTEES: [&str; 5] = [
    "public",
    "anon",
    "authenticated",
    "branch_desk",
    "service_role",
];

/// Every table and function of `public` grants exactly what is designed to PUBLIC, anon,
/// authenticated, branch_desk and service_role; every table has row-level security on; no
/// extension keeps its functions in `public`, where Supabase's API would serve them.
pub async fn privilege_failures(db: &PgPool) -> Vec<String> {
    let mut failures = Vec::new();
    let functions: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        r#"
        select p.proname::text, p.oid::regprocedure::text,
               coalesce(array(select distinct case when a.grantee = 0 then 'public' else a.grantee::regrole::text end
                              from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                              where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner
                                and (a.grantee = 0 or a.grantee::regrole::text = any($1))
                              order by 1), '{}')
        from pg_proc p
        where p.pronamespace = 'public'::regnamespace
          and not exists (select 1 from pg_depend d
                          where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        order by 2
        "#,
    )
    .bind(GRANTEES)
    .fetch_all(db)
    .await
    .unwrap();
    for (name, signature, granted) in functions {
        match FUNCTION_GRANTS.iter().find(|(n, _)| *n == name) {
            None => failures.push(format!(
                "{signature}: declare who may execute it in tests/common/lint.rs (and revoke it from everyone else)"
            )),
            Some((_, expected)) if granted != *expected => failures.push(format!(
                "{signature}: executable by {granted:?}, designed for {expected:?}"
            )),
            _ => {}
        }
    }

    let tables: Vec<(String, bool, Vec<String>)> = sqlx::query_as(
        r#"
        select c.relname::text, c.relrowsecurity,
               array(select format('%s:%s', g.grantee, g.privilege)
                     from (select case when a.grantee = 0 then 'public' else a.grantee::regrole::text end as grantee,
                                  lower(a.privilege_type) as privilege
                           from aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                           where a.grantee <> c.relowner
                           union all
                           select grantee, format('%s(%s)', privilege, string_agg(attname, ',' order by attname))
                           from (select case when a.grantee = 0 then 'public' else a.grantee::regrole::text end as grantee,
                                        lower(a.privilege_type) as privilege, att.attname::text as attname
                                 from pg_attribute att, aclexplode(att.attacl) a
                                 where att.attrelid = c.oid and att.attacl is not null and a.grantee <> c.relowner) col
                           group by grantee, privilege) g
                     order by 1)
        from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
          and not exists (select 1 from pg_depend d
                          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
        order by 1
        "#,
    )
    .fetch_all(db)
    .await
    .unwrap();
    if !tables.iter().any(|t| t.0 == "benefit_bookings") {
        failures.push("the lint must see the club's tables".into());
    }
    for (table, rls, privileges) in tables {
        if !rls {
            failures.push(format!("{table} has row-level security off"));
        }
        for role in GRANTEES {
            let mut got: Vec<String> = privileges
                .iter()
                .filter_map(|p| p.strip_prefix(&format!("{role}:")).map(str::to_owned))
                .collect();
            got.sort();
            let expected = table_grants(&table, role);
            if got != expected {
                failures.push(format!(
                    "{table}: {role} holds {got:?}, designed {expected:?}"
                ));
            }
        }
    }

    let exposed: Vec<String> = sqlx::query_scalar(
        "select distinct e.extname::text from pg_extension e
         join pg_depend d on d.refobjid = e.oid and d.deptype = 'e' and d.classid = 'pg_proc'::regclass
         join pg_proc p on p.oid = d.objid
         where p.pronamespace = 'public'::regnamespace",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for ext in exposed {
        failures.push(format!(
            "extension {ext} keeps its functions in public, where the API serves them"
        ));
    }
    failures
}
