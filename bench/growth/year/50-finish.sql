-- Foreign keys back (validated), the schema checked identical to the migrated one, VACUUM
-- ANALYZE, and the desk roles.
\set ON_ERROR_STOP 1
\ir session.sql
select gen.step('9 foreign keys (validated)');
select format('alter table %s add constraint %I %s', tbl, name, def) from gen.ddl where ord = 4 order by tbl::text, name \gexec
select gen.done('9 foreign keys (validated)', (select count(*) from gen.ddl where ord = 4));
select (select count(*) from (select tbl, name, def from gen.ddl except select tbl, name, def from gen.current_ddl) a)
     + (select count(*) from (select tbl, name, def from gen.current_ddl except select tbl, name, def from gen.ddl) b) as ddl_differences \gset
\if :ddl_differences
  \echo 'the restored keys and indexes differ from the migrated schema'
  \quit 3
\endif

select gen.step('10 vacuum analyze');
vacuum (analyze);
select gen.done('10 vacuum analyze', null);

-- Desk roles: one per branch, and a head-office desk (branch_id null).
select format('create role %I login password %L', 'growth_desk_b' || lpad(b.idx::text, 3, '0'), 'p')
from gen.branch b where not exists (select 1 from pg_roles r where r.rolname = 'growth_desk_b' || lpad(b.idx::text, 3, '0')) \gexec
select 'create role growth_desk_hq login password ''p''' where not exists (select 1 from pg_roles where rolname = 'growth_desk_hq') \gexec
select format('grant branch_desk to %I', 'growth_desk_b' || lpad(b.idx::text, 3, '0')) from gen.branch b \gexec
grant branch_desk to growth_desk_hq;
insert into public.desk_roles (role_name, branch_id)
select 'growth_desk_b' || lpad(b.idx::text, 3, '0'), b.id from gen.branch b
union all select 'growth_desk_hq', null;
select gen.done('0 total', null);
