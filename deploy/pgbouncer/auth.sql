-- The login lookup for PgBouncer's auth_query (deploy/pgbouncer/pgbouncer.ini). Install it in
-- the club database as a superuser, because it reads pg_authid:
--     psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -f deploy/pgbouncer/auth.sql
--     psql "$ADMIN_URL" -c '\password branch_desk_pooler'
-- then put the same password in PgBouncer's auth_file:  "branch_desk_pooler" "that password"
--
-- It answers for the desks' roles only (members of branch_desk that may log in, are not
-- superusers and cannot bypass row-level security). An administrator, the pooler's own role,
-- the shared server login or any other role cannot log in through PgBouncer; they connect to
-- PostgreSQL directly.
--
-- It also makes `branch_desk_server`, the one role PgBouncer logs in to PostgreSQL as for every
-- desk (`user=` in pgbouncer.ini): a member of `branch_desk_shared`, so each desk transaction
-- names its desk by key (migrations/20261202000100_…). Give it a password and put the same in
-- PgBouncer's auth_file:  "branch_desk_server" "that password"  (PgBouncer needs it in clear to
-- log in with it; no desk ever knows it).
do $$
begin
  create role branch_desk_pooler login;
exception when duplicate_object then null;
end $$;
do $$
begin
  create role branch_desk_shared nologin;
exception when duplicate_object then null;
end $$;
do $$
begin
  create role branch_desk_server login in role branch_desk_shared;
exception when duplicate_object then null;
end $$;

create schema if not exists branch_desk_pooler;
revoke all on schema branch_desk_pooler from public;
grant usage on schema branch_desk_pooler to branch_desk_pooler;

create or replace function branch_desk_pooler.lookup(p_user text)
returns table (usename name, passwd text)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
  select a.rolname, a.rolpassword
  from pg_catalog.pg_authid a
  where a.rolname = p_user
    and a.rolcanlogin and not a.rolsuper and not a.rolbypassrls
    and (a.rolvaliduntil is null or a.rolvaliduntil > pg_catalog.now())
    and exists (select 1 from pg_catalog.pg_roles g
                where g.rolname = 'branch_desk' and pg_catalog.pg_has_role(a.oid, g.oid, 'MEMBER'))
    and not exists (select 1 from pg_catalog.pg_roles s
                    where s.rolname = 'branch_desk_shared' and pg_catalog.pg_has_role(a.oid, s.oid, 'MEMBER'))
$$;
revoke all on function branch_desk_pooler.lookup(text) from public;
grant execute on function branch_desk_pooler.lookup(text) to branch_desk_pooler;
