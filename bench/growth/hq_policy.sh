#!/usr/bin/env bash
# hq_policy.sh: All Bookings under the prototype policies of hq_policy.sql (in one transaction,
# rolled back): EXPLAIN (ANALYZE, BUFFERS) of the head-office desk's first page, deep page and
# count, and of a branch desk's first and deep page, each within STATEMENT_TIMEOUT (120s).
# Writes OUT/hq_policy.txt (the plans) and prints each case's execution time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL=${GROWTH_URL:-postgres://postgres@127.0.0.1:55499/growth}
OUT=${OUT:-$here/results}
mkdir -p "$OUT/plans"
psql "$URL" -Xq -v ON_ERROR_STOP=1 -f "$here/measure.sql"
psql "$URL" -XAt -v ON_ERROR_STOP=1 >"$OUT/plans/hq_policy.sql" <<SQL
with p as (select b.*, (now() at time zone b.tz)::date as today from gen.branch b where b.idx = gen.pick('plans', 7)),
c as (
  select p.*, (p.today::timestamp at time zone p.tz) as day_from, ((p.today + 14)::timestamp at time zone p.tz) as day_to,
         cur.starts_at as cur_at, cur.id as cur_id, hq.starts_at as hq_at, hq.id as hq_id
  from p
  cross join lateral (select x.starts_at, x.id from (select starts_at, id from benefit_bookings where branch_id = p.id
                         union all select starts_at, id from class_bookings where branch_id = p.id) x
                      order by 1, 2 offset ((select count(*) from benefit_bookings where branch_id = p.id)
                                            + (select count(*) from class_bookings where branch_id = p.id)) / 2 limit 1) cur
  cross join lateral (select starts_at, id from benefit_bookings where starts_at >= now() - interval '90 days' order by 1, 2 limit 1) hq)
select E'\\\\pset pager off\n\\\\set ON_ERROR_ROLLBACK on\n\\\\i $here/hq_policy.sql\n\\\\set ON_ERROR_STOP 0\nset local enable_memoize = off;\nset local statement_timeout = ''${STATEMENT_TIMEOUT:-120s}'';\n'
       || string_agg(format(E'\\\\echo ==== %s\nset session authorization %I;\nexplain (analyze, buffers) %s\nreset session authorization;', name, role, sql), E'\n')
       || E'\nrollback;'
from c
cross join lateral (values
  ('head office, first page', 'growth_desk_hq', gen.bookings_page_sql(null, c.day_from, c.day_to, null, null, false, 50)),
  ('head office, deep page', 'growth_desk_hq', gen.bookings_page_sql(null, null, null, c.hq_at, c.hq_id, false, 50)),
  ('head office, count', 'growth_desk_hq', gen.bookings_count_sql(null, c.day_from, c.day_to)),
  ('branch desk, first page', gen.desk(c.idx), gen.bookings_page_sql(null, c.day_from, c.day_to, null, null, false, 50)),
  ('branch desk, deep page', gen.desk(c.idx), gen.bookings_page_sql(null, null, null, c.cur_at, c.cur_id, false, 50))) v(name, role, sql)
group by c.idx;
SQL
psql "$URL" -X -f "$OUT/plans/hq_policy.sql" >"$OUT/plans/hq_policy.txt" 2>&1
grep -E '^(====|ERROR| Execution Time)' "$OUT/plans/hq_policy.txt"
