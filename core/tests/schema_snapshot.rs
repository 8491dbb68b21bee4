//! The current definition of every function, policy, table and grant of the club's schema, in
//! one place: `schema/` at the repository's root, written from a freshly migrated database by
//! this test. Migrations stay forward-only (a function's current body may be in any of them);
//! the snapshot is where a reader finds it. The test command fails when the committed snapshot
//! differs from what the migrations make (as it does for the TypeScript bindings).

use std::fmt::Write as _;
use std::path::PathBuf;

use sqlx::PgPool;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

const HEADER: &str = "-- Generated from a migrated database by core/tests/schema_snapshot.rs: do not edit.\n-- The migrations in migrations/ are the source; this is what they add up to.\n";

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn the_committed_schema_snapshot_is_what_the_migrations_make(db: PgPool) {
    // Functions of the club's schemas (not the extensions'), by name.
    let functions: Vec<(String, String)> = sqlx::query_as(
        "select p.oid::regprocedure::text, pg_get_functiondef(p.oid)
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname in ('public', 'auth') and p.prokind in ('f', 'p')
           and not exists (select 1 from pg_depend d
                           where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
         order by n.nspname collate \"C\", p.proname collate \"C\", p.oid::regprocedure::text collate \"C\"",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let mut out = String::from(HEADER);
    for (signature, def) in &functions {
        let _ = write!(out, "\n-- {signature}\n{};\n", def.trim_end());
    }
    write_snapshot("functions.sql", &out);

    // Row-level security policies, per table.
    let policies: Vec<PolicyRow> =
        sqlx::query_as(
            "select tablename::text, policyname::text, permissive, cmd, roles::text[], qual, with_check
             from pg_policies where schemaname = 'public' order by tablename collate \"C\", policyname collate \"C\"",
        )
        .fetch_all(&db)
        .await
        .unwrap();
    let mut out = String::from(HEADER);
    let mut table = String::new();
    for (t, name, permissive, cmd, roles, qual, check) in &policies {
        if *t != table {
            let _ = write!(out, "\n-- {t}\n");
            table = t.clone();
        }
        let _ = write!(
            out,
            "create policy {name} on public.{t} as {} for {} to {}",
            permissive.to_lowercase(),
            cmd.to_lowercase(),
            roles.join(", ")
        );
        if let Some(q) = qual {
            let _ = write!(out, "\n  using ({q})");
        }
        if let Some(c) = check {
            let _ = write!(out, "\n  with check ({c})");
        }
        out.push_str(";\n");
    }
    write_snapshot("policies.sql", &out);

    // Tables: columns, constraints, indexes and who may do what.
    let tables: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by c.relname collate \"C\"",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let mut out = String::from(HEADER);
    for t in &tables {
        let columns: Vec<(String, String, bool, Option<String>, String)> = sqlx::query_as(
            "select a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                    pg_get_expr(d.adbin, d.adrelid), a.attgenerated::text
             from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
             where a.attrelid = ('public.' || quote_ident($1))::regclass and a.attnum > 0 and not a.attisdropped
             order by a.attnum",
        )
        .bind(t)
        .fetch_all(&db)
        .await
        .unwrap();
        let _ = write!(out, "\ncreate table public.{t} (");
        let mut lines: Vec<String> = columns
            .iter()
            .map(|(name, ty, not_null, default, generated)| {
                let mut l = format!("\n  {name} {ty}");
                match (default, generated.as_str()) {
                    (Some(e), "s") => l.push_str(&format!(" generated always as ({e}) stored")),
                    (Some(e), _) => l.push_str(&format!(" default {e}")),
                    _ => {}
                }
                if *not_null {
                    l.push_str(" not null");
                }
                l
            })
            .collect();
        let constraints: Vec<(String, String)> = sqlx::query_as(
            "select conname::text, pg_get_constraintdef(oid) from pg_constraint
             where conrelid = ('public.' || quote_ident($1))::regclass order by contype, conname collate \"C\"",
        )
        .bind(t)
        .fetch_all(&db)
        .await
        .unwrap();
        lines.extend(
            constraints
                .iter()
                .map(|(n, d)| format!("\n  constraint {n} {d}")),
        );
        let _ = write!(out, "{}\n);\n", lines.join(","));
        let indexes: Vec<String> = sqlx::query_scalar(
            "select pg_get_indexdef(i.indexrelid) from pg_index i
             where i.indrelid = ('public.' || quote_ident($1))::regclass
               and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
             order by pg_get_indexdef(i.indexrelid) collate \"C\"",
        )
        .bind(t)
        .fetch_all(&db)
        .await
        .unwrap();
        for i in indexes {
            let _ = writeln!(out, "{i};");
        }
        let rls: bool = sqlx::query_scalar(
            "select relrowsecurity from pg_class where oid = ('public.' || quote_ident($1))::regclass",
        )
        .bind(t)
        .fetch_one(&db)
        .await
        .unwrap();
        if rls {
            let _ = writeln!(out, "alter table public.{t} enable row level security;");
        }
        let grants: Vec<String> = sqlx::query_scalar(
            "select format('grant %s on public.%I to %s;', string_agg(p, ', ' order by p collate \"C\"), $1, g)
             from (select lower(a.privilege_type) as p,
                          case when a.grantee = 0 then 'public' else a.grantee::regrole::text end as g
                   from pg_class c, aclexplode(c.relacl) a
                   where c.oid = ('public.' || quote_ident($1))::regclass and a.grantee <> c.relowner
                   union all
                   select format('%s (%s)', lower(a.privilege_type), att.attname),
                          case when a.grantee = 0 then 'public' else a.grantee::regrole::text end
                   from pg_attribute att, aclexplode(att.attacl) a
                   where att.attrelid = ('public.' || quote_ident($1))::regclass and att.attacl is not null) x
             group by g order by g collate \"C\"",
        )
        .bind(t)
        .fetch_all(&db)
        .await
        .unwrap();
        for g in grants {
            let _ = writeln!(out, "{g}");
        }
    }
    // Who may execute each function (everyone else may not; see tests/common/lint.rs).
    let executes: Vec<String> = sqlx::query_scalar(
        "select format('grant execute on function %s to %s;', p.oid::regprocedure, string_agg(g, ', ' order by g collate \"C\"))
         from pg_proc p,
              lateral (select case when a.grantee = 0 then 'public' else a.grantee::regrole::text end as g
                       from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                       where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner) x
         where p.pronamespace = 'public'::regnamespace
           and not exists (select 1 from pg_depend d
                           where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
         group by p.oid order by p.oid::regprocedure::text collate \"C\"",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    out.push_str("\n-- Functions\n");
    for e in executes {
        out.push_str(&e);
        out.push('\n');
    }
    write_snapshot("tables.sql", &out);
    assert!(
        functions.len() > 30 && policies.len() > 20 && tables.len() > 12,
        "the snapshot has the schema in it"
    );
}

fn write_snapshot(name: &str, text: &str) {
    let dir = schema_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

/// One row of `pg_policies`: table, name, permissive, command, roles, using, with check.
type PolicyRow = (
    String,
    String,
    String,
    String,
    Vec<String>,
    Option<String>,
    Option<String>,
);
