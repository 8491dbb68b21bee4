-- The saved keys and indexes (gen.ddl) of the tables in :tables (comma-separated), put back.
\set ON_ERROR_STOP 1
\ir session.sql
select gen.step('8 keys and indexes: ' || :'tables');
select format('alter table %s add constraint %I %s', tbl, name, def) from gen.ddl
where ord in (1, 2) and tbl::text = any (string_to_array(:'tables', ','))
order by ord, tbl::text, name \gexec
select def from gen.ddl where ord = 3 and tbl::text = any (string_to_array(:'tables', ','))
order by tbl::text, name \gexec
select gen.done('8 keys and indexes: ' || :'tables',
                (select count(*) from gen.ddl where ord < 4 and tbl::text = any (string_to_array(:'tables', ','))));
