-- Members (functions in 00-setup.sql).
\set ON_ERROR_STOP 1
\ir session.sql
select gen.step('2 members');
\o /dev/null
select format('select gen.make_members(%s, %s)', lo, least(lo + 99999, total))
from (select branches * members_per_branch as total from gen.params) p,
     generate_series(1, (select branches * members_per_branch from gen.params), 100000) lo
order by lo \gexec
\o
select gen.done('2 members', (select count(*) from public.members));
