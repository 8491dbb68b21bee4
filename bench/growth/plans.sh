#!/usr/bin/env bash
# plans.sh: EXPLAIN (ANALYZE, BUFFERS) of one instance of each measured operation, as the desk
# that runs it, into OUT/plans/. Functions' inner statements through auto_explain (nested, with
# ANALYZE and BUFFERS, sent to the client as NOTICEs); makings are rolled back.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL=${GROWTH_URL:-postgres://postgres@127.0.0.1:55499/growth}
OUT=${OUT:-$here/results}
PLANS="$OUT/plans"
mkdir -p "$PLANS"
psql "$URL" -Xq -v ON_ERROR_STOP=1 -f "$here/measure.sql"

# plan NAME: stdin's SQL prints a psql script; its output (plans, NOTICEs) goes to PLANS/NAME.txt.
plan() {
  psql "$URL" -XAt -v ON_ERROR_STOP=1 -f - >"$PLANS/$1.sql"
  psql "$URL" -X -v ON_ERROR_STOP=1 -f "$PLANS/$1.sql" 2>&1 | python3 -c '
import re, sys
# auto_explain NOTICE blocks of the foreign-key checks (one per inserted row): counted, not shown.
text = sys.stdin.read()
blocks = re.split(r"(?m)^(?=psql:[^\n]*NOTICE:)", text)
keep = [b for b in blocks if "Query Text: SELECT 1 FROM ONLY" not in b]
sys.stdout.write("".join(keep))
if len(keep) < len(blocks):
    print(f"({len(blocks) - len(keep)} plans of foreign-key checks (SELECT 1 FROM ONLY ... FOR KEY SHARE) left out)")
' >"$PLANS/$1.txt"
}
nested='load '"'"'auto_explain'"'"';
set auto_explain.log_min_duration = 0;
set auto_explain.log_analyze = on;
set auto_explain.log_buffers = on;
set auto_explain.log_nested_statements = on;
set auto_explain.log_level = notice;
set client_min_messages = notice;
\pset pager off'

# The branch of draw 7 of the schedule picks, its desk, this week, 12 weeks back.
pick="(select b.* from gen.branch b where b.idx = gen.pick('plans', 7))"

plan ensure_rerun <<SQL
select \$n\$$nested\$n\$ || E'\n' || format('set session authorization %I;', gen.desk(b.idx)) || E'\n'
       || format('begin; set local enable_memoize = off; select public.ensure_facility_slots(%L, %L, %L); commit;',
                 b.id, gen.week_start(b.tz, 0), gen.week_start(b.tz, 0) + 6)
from $pick b;
SQL

plan ensure_new_week <<SQL
select \$n\$$nested\$n\$ || E'\n' || format('set session authorization %I;', gen.desk(b.idx)) || E'\n'
       || format('begin; set local enable_memoize = off; select public.ensure_facility_slots(%L, %L, %L); rollback;',
                 b.id, w.ws, w.ws + 6)
from $pick b
cross join lateral (select (select max(local_date) from benefit_slot_days d where d.branch_id = b.id) + 60 as d0) x
cross join lateral (select (x.d0 + ((8 - extract(isodow from x.d0)::int) % 7))::date as ws) w;
SQL

for who in branch hq; do
  plan list_slots_$who <<SQL
select format('set session authorization %I;', case when '$who' = 'hq' then 'growth_desk_hq' else gen.desk(b.idx) end) || E'\n'
       || 'begin; set local enable_memoize = off;' || E'\n'
       || format('explain (analyze, buffers) select id, facility_id, starts_at, ends_at, local_date, local_start, local_end, capacity, booked_count
         from benefit_slots where branch_id = %L and local_date between %L and %L order by facility_id, starts_at;',
                 b.id, gen.week_start(b.tz, 0), gen.week_start(b.tz, 0) + 6) || E'\n'
       || format('explain (analyze, buffers) select id, branch_id, name, kind, is_active, under_maintenance, available_days
         from facilities where branch_id = %L order by not is_active, name;', b.id) || E'\ncommit;'
from $pick b;
SQL
done

# Searches: one of each slow-prone kind, with their inner plans.
plan search <<SQL
select \$n\$$nested\$n\$ || E'\n' || format('set session authorization %I;', gen.desk(b.idx)) || E'\n'
       || string_agg(format(E'\\\\echo ==== search %s\nbegin; set local enable_memoize = off; select count(*) from public.search_members(%L, 20); commit;', q, q), E'\n')
from $pick b
cross join (select unnest(array[
  (select last_name from members where last_name = 'Smith' limit 1),
  (select first_name || ' ' || last_name from members where member_number = 'M0123457'),
  (select first_name || ' ' || left(last_name, 3) from members where member_number = 'M0234568'),
  'li', (select right(phone_digits, 4) from members where member_number = 'M0345679'),
  (select left(split_part(email, '@', 1), 7) from members where member_number = 'M0456780' )]) q) q
group by b.idx;
SQL

# All Bookings, each case of measure.sh (a branch desk's filter names its branch, as the desk sends it).
plan all_bookings <<SQL
with p as (select b.*, (now() at time zone b.tz)::date as today from $pick b),
c as (
  select p.*, (p.today::timestamp at time zone p.tz) as day_from, ((p.today + 14)::timestamp at time zone p.tz) as day_to,
         cur.starts_at as cur_at, cur.id as cur_id, hq.starts_at as hq_at, hq.id as hq_id
  from p
  cross join lateral (select x.starts_at, x.id from (select starts_at, id from benefit_bookings where branch_id = p.id
                         union all select starts_at, id from class_bookings where branch_id = p.id) x
                      order by 1, 2 offset ((select count(*) from benefit_bookings where branch_id = p.id)
                                            + (select count(*) from class_bookings where branch_id = p.id)) / 2 limit 1) cur
  cross join lateral (select starts_at, id from benefit_bookings where starts_at >= now() - interval '90 days' order by 1, 2 limit 1) hq)
select E'\\\\pset pager off\n' || string_agg(format(E'\\\\echo ==== %s\nset session authorization %I;\nbegin; set local enable_memoize = off;\nexplain (analyze, buffers) %s\ncommit;\nreset session authorization;',
                         name, role, sql), E'\n')
from c
cross join lateral (values
  ('branch desk, first page', gen.desk(c.idx), gen.bookings_page_sql(c.id, c.day_from, c.day_to, null, null, false, 50)),
  ('branch desk, first page, latest first', gen.desk(c.idx), gen.bookings_page_sql(c.id, c.day_from, c.day_to, null, null, true, 50)),
  ('branch desk, deep page', gen.desk(c.idx), gen.bookings_page_sql(c.id, null, null, c.cur_at, c.cur_id, false, 50)),
  ('branch desk, count', gen.desk(c.idx), gen.bookings_count_sql(c.id, c.day_from, c.day_to)),
  ('head office, first page', 'growth_desk_hq', gen.bookings_page_sql(null, c.day_from, c.day_to, null, null, false, 50)),
  ('head office, branch filter, first page', 'growth_desk_hq', gen.bookings_page_sql(c.id, c.day_from, c.day_to, null, null, false, 50)),
  ('head office, branch filter, deep page', 'growth_desk_hq', gen.bookings_page_sql(c.id, null, null, c.cur_at, c.cur_id, false, 50)),
  ('head office, count', 'growth_desk_hq', gen.bookings_count_sql(null, c.day_from, c.day_to))) v(name, role, sql)
group by c.idx;
SQL
# Head office's deep page (many minutes before migration 20261201001100): on its own, last,
# within HQ_DEEP_TIMEOUT.
if [ "${HQ_DEEP:-1}" = 1 ]; then
  plan all_bookings_hq_deep_page <<SQL || echo "plans: head office deep page stopped (statement_timeout ${HQ_DEEP_TIMEOUT:-10min})"
select E'\\\\pset pager off\nset session authorization growth_desk_hq;\nbegin; set local enable_memoize = off;\n'
       || format(E'set local statement_timeout = %L;\nexplain (analyze, buffers) %s\ncommit;', '${HQ_DEEP_TIMEOUT:-10min}',
                 gen.bookings_page_sql(null, null, null, c.starts_at, c.id, false, 50))
from (select starts_at, id from benefit_bookings where starts_at >= now() - interval '90 days' order by 1, 2 limit 1) c;
SQL
fi
echo "plans: $(ls "$PLANS"/*.txt | wc -l) files in $PLANS"
