//! Every SECURITY DEFINER function has a pinned search_path and no EXECUTE for PUBLIC or anon.

use sqlx::PgPool;

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn security_definer_functions_are_hardened(db: PgPool) {
    let rows: Vec<(String, Option<String>, bool, bool, bool)> = sqlx::query_as(
        r#"
        select p.oid::regprocedure::text,
               (select c from unnest(p.proconfig) c where c like 'search_path=%'),
               p.proacl is null,
               coalesce((select bool_or(a.grantee = 0 and a.privilege_type = 'EXECUTE') from aclexplode(p.proacl) a), false),
               has_function_privilege('anon', p.oid, 'EXECUTE')
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')
        "#,
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert!(
        names.iter().any(|n| n.starts_with("ensure_facility_slots")),
        "the lint must see ensure_facility_slots, saw {names:?}"
    );
    for (name, search_path, default_acl, public_exec, anon_exec) in rows {
        let path = search_path.unwrap_or_else(|| panic!("{name} has no pinned search_path"));
        assert!(
            !path.contains("$user"),
            "{name}: search_path {path} must not depend on the caller"
        );
        assert!(
            !default_acl,
            "{name} has the default ACL, which grants EXECUTE to PUBLIC"
        );
        assert!(!public_exec, "{name} grants EXECUTE to PUBLIC");
        assert!(!anon_exec, "{name} is executable by anon");
    }
}
