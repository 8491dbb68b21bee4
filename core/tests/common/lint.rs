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
    for expected in ["ensure_facility_slots(", "book_class(", "caller_may_use_branch("] {
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
