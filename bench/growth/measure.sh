#!/usr/bin/env bash
# measure.sh: the desk's reads and slot making on the generated club (generate.sh), timed by psql
# \timing over loopback, each operation in the desk's own transaction as a desk role
# (SET SESSION AUTHORIZATION: session_user is the desk, so caller_kind() and row-level security
# see a desk exactly as when it logs in). Writes OUT/measure.md (figures), OUT/plans/*.txt
# (EXPLAIN ANALYZE, BUFFERS) and OUT/raw/ (the scripts and psql outputs).
#   N: repetitions per operation (default 300; All Bookings pages 100, counts 20; searches: 40-50
#   per kind; new weeks: 200 branches; the real path: 20 calls). WARMUP (20) unrecorded first.
# Changes the database only by making new weeks of slots (after the last made week of 200
# branches) and by rolled-back 62-day makings; a second run measures the next weeks.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL=${GROWTH_URL:-postgres://postgres@127.0.0.1:55499/growth}
OUT=${OUT:-$here/results}
N=${N:-300}
W=${WARMUP:-20}
RAW="$OUT/raw"
PLANS="$OUT/plans"
mkdir -p "$RAW" "$PLANS"
psql "$URL" -Xq -v ON_ERROR_STOP=1 -f "$here/measure.sql"

# script NAME: the SQL on stdin prints the lines of a timed psql script, written to RAW/NAME.sql.
script() {
  if [ -n "${REPORT_ONLY:-}" ] || { [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $1 "* ]]; }; then cat >/dev/null; return; fi
  psql "$URL" -XAt -v ON_ERROR_STOP=1 -v n="$N" -v w="$W" -f - >"$RAW/$1.sql"
}
# The output kept: markers, timings and the real path's counts (rows go to /dev/null).
run() {
  psql "$URL" -X -v ON_ERROR_STOP=1 -c '\o /dev/null' -f "$RAW/$1.sql" | grep -E '^(@@ |Time: |[0-9]+$)' >"$RAW/$1.out"
}

echo "measure: scripts"
# 1. The slot re-run: a branch desk's current week, made already (the call of every schedule open).
script ensure_rerun <<'SQL'
select gen.tx(gen.desk(b.idx), case when i <= :w then 'warmup' else 'ensure_rerun:branch_desk,current_week' end,
              'begin,set,ensure_facility_slots,commit',
              array['begin;', 'set local enable_memoize = off;',
                    format('select public.ensure_facility_slots(%L, %L, %L);', b.id, gen.week_start(b.tz, 0), gen.week_start(b.tz, 0) + 6),
                    'commit;'])
from generate_series(1, :n + :w) i join gen.branch b on b.idx = gen.pick('rerun', i) order by i;
SQL

# 2. The recovery week a desk reads (slots.rs schedule()): branch desks, this week, 12 weeks
# back, 10 weeks ahead; the head-office desk opening a branch's week.
script schedule <<'SQL'
select gen.tx(case when k.who = 'hq' then 'growth_desk_hq' else gen.desk(b.idx) end,
              case when i <= :w then 'warmup' else 'schedule:' || k.who || ',' || k.name end,
              'begin,set,ensure_facility_slots,list_facilities,list_slots,commit',
              gen.schedule_stmts(b.id, gen.week_start(b.tz, k.weeks)))
from (values (1, 'branch_desk', 'current_week', 0), (2, 'branch_desk', 'week_-12', -12),
             (3, 'branch_desk', 'week_+10', 10), (4, 'hq', 'current_week', 0)) k(ord, who, name, weeks)
cross join generate_series(1, :n + :w) i
join gen.branch b on b.idx = gen.pick('schedule' || k.ord, i)
order by k.ord, i;
SQL

# 1b. A new week: 200 branches open the first week after their last made day (the making
# call), then open it again (the re-run).
script new_week <<'SQL'
with picks as (
  select b.*, (select max(d.local_date) from benefit_slot_days d where d.branch_id = b.id) as last_day
  from gen.branch b order by md5('new' || b.idx) limit 200
), weeks as (
  select p.*, (p.last_day + 1 + ((8 - extract(isodow from p.last_day + 1)::int) % 7))::date as ws from picks p
)
select gen.tx(gen.desk(idx), 'schedule:branch_desk,new_week', 'begin,set,ensure_facility_slots,list_facilities,list_slots,commit',
              gen.schedule_stmts(id, ws)) || E'\n' ||
       gen.tx(gen.desk(idx), 'schedule:branch_desk,new_week_opened_again', 'begin,set,ensure_facility_slots,list_facilities,list_slots,commit',
              gen.schedule_stmts(id, ws))
from weeks order by md5('new' || idx);
SQL

# 1c. The real path at generation's size: 62 days (the longest call) for 20 branches, as an
# administrator, rolled back: slots a second of ensure_facility_slots, to set against year/.
script real_path <<'SQL'
with picks as (
  select b.*, (select max(d.local_date) from benefit_slot_days d where d.branch_id = b.id) as last_day
  from gen.branch b order by md5('real' || b.idx) limit 20
)
select E'\\o\n\\pset tuples_only on\n\\pset format unaligned\n\\echo @@ real_path:administrator,62_days begin,ensure_facility_slots_62_days,rollback\n\\timing on\n'
       || format(E'begin;\nselect public.ensure_facility_slots(%L, %L, %L);\nrollback;', id, last_day + 50, last_day + 111)
from picks;
SQL

# 3. Member search as a branch desk: queries built from members, as desks type them.
script search <<'SQL'
with pool as (
  select i, m.* from generate_series(1, 3000) i
  join members m on m.member_number = 'M' || lpad((1 + abs(hashtext('search' || i)) % (select branches * members_per_branch from gen.params))::text, 7, '0')
), q as (
  select 'name_as_stored' as kind, i, first_name || ' ' || last_name as q from pool where i <= 40
  union all select 'surname_only', i, last_name from pool where i between 41 and 80
  union all select 'first_name_and_start_of_last', i, first_name || ' ' || left(last_name, 3) from pool where i between 81 and 120
  union all select 'name_without_accents', i, gen.ascii(first_name, false) || ' ' || gen.ascii(last_name, false)
            from (select * from pool where i > 1000 and first_name || last_name !~ '^[ -~]*$' order by i limit 40) x
  union all select 'name_with_a_slip', i, first_name || ' ' || left(last_name, 2) || substr(last_name, 4, 1) || substr(last_name, 3, 1) || substr(last_name, 5)
            from (select * from pool where i > 2000 and length(last_name) >= 6 and last_name !~ '[ ''-]' order by i limit 40) x
  union all select 'phone_another_format', i, right(phone_digits, 10) from pool where i between 121 and 170 and phone is not null
  union all select 'phone_last_four', i, right(phone_digits, 4) from pool where i between 171 and 220 and phone is not null
  union all select 'member_number_another_way', i, 'm' || ltrim(substr(member_number, 2), '0') from pool where i between 221 and 260
  union all select 'email', i, email from pool where i between 261 and 310 and email is not null
  union all select 'email_fragment', i, left(split_part(email, '@', 1), 7) from pool where i between 311 and 360 and email is not null
  union all select 'one_or_two_letters', i, left(lower(gen.ascii(last_name, false)), 1 + i % 2) from pool where i between 361 and 400
)
select gen.tx(gen.desk(gen.pick('searchdesk', q.i)), case when q.kind = 'warmup' then 'warmup' else 'search:' || q.kind end,
              'begin,set,search_members,commit',
              array['begin;', 'set local enable_memoize = off;',
                    format('select member_id, member_number, first_name, last_name, email, phone, status, home_branch_id, plan_id, score, home_branch_name, booked_today from public.search_members(%L, 20);', q.q),
                    'commit;'])
from (select * from q union all select 'warmup', i, first_name from pool where i between 2900 and 2900 + :w) q
order by q.kind = 'warmup' desc, md5(q.kind || q.i);
SQL

# 4. All Bookings: the first page of the desk's default filter (its today to 13 days ahead,
# soonest first, 50 a page) and a deep keyset page (all bookings, the cursor at the branch's
# median booking, or half a year back for head office), as a branch desk (its filter names its
# branch, as the desk sends it: BookingFilter::for_desk) and as the head-office desk (with and
# without a branch filter); and count_bookings of the default filter.
script bookings <<'SQL'
with picks as (
  select k.ord, k.who, k.name, k.reps, i, b.idx, b.id, b.tz,
         (now() at time zone b.tz)::date as today
  from (values (1, 'branch_desk', 'first_page', 100), (2, 'branch_desk', 'first_page_latest_first', 100),
               (3, 'branch_desk', 'deep_page', 100), (4, 'hq', 'first_page', 100), (5, 'hq', 'deep_page', 100),
               (6, 'hq_branch_filter', 'first_page', 100), (7, 'hq_branch_filter', 'deep_page', 100),
               (8, 'branch_desk', 'count', 20), (9, 'hq', 'count', 5)) k(ord, who, name, reps)
  -- Head office's count reads every branch's fortnight: a few runs.
  cross join lateral generate_series(1, least(k.reps, :n) + case when k.reps >= 20 then :w when k.reps > 0 then 1 else 0 end) i
  join gen.branch b on b.idx = gen.pick('bookings' || k.ord, i)
), cursors as (
  select p.*,
         (p.today::timestamp at time zone p.tz) as day_from, ((p.today + 14)::timestamp at time zone p.tz) as day_to,
         c.starts_at as after_at, c.id as after_id
  from picks p
  left join lateral (
    select x.starts_at, x.id from (
      select starts_at, id from benefit_bookings bb where p.who <> 'hq' and bb.branch_id = p.id
      union all select starts_at, id from class_bookings cb where p.who <> 'hq' and cb.branch_id = p.id) x
    order by x.starts_at, x.id
    offset ((select count(*) from benefit_bookings where branch_id = p.id) + (select count(*) from class_bookings where branch_id = p.id)) / 2
    limit 1) c on p.name = 'deep_page' and p.who <> 'hq'
)
select gen.tx(case when c.who = 'branch_desk' then gen.desk(c.idx) else 'growth_desk_hq' end,
              case when c.i <= case when c.reps >= 20 then :w else 1 end then 'warmup' else 'all_bookings:' || c.who || ',' || c.name end,
              case when c.name = 'count' then 'begin,set,count_bookings,commit' else 'begin,set,list_bookings,commit' end,
              gen.bookings_stmts(case
                when c.name = 'count' then gen.bookings_count_sql(case when c.who <> 'hq' then c.id end, c.day_from, c.day_to)
                when c.name = 'deep_page' and c.who = 'hq' then
                  gen.bookings_page_sql(null, null, null, h.starts_at, h.id, false, 50)
                when c.name = 'deep_page' then gen.bookings_page_sql(case when c.who <> 'hq' then c.id end, null, null, c.after_at, c.after_id, false, 50)
                else gen.bookings_page_sql(case when c.who <> 'hq' then c.id end, c.day_from, c.day_to, null, null,
                                           c.name = 'first_page_latest_first', 50) end))
from cursors c
left join lateral (select bb.starts_at, bb.id from benefit_bookings bb
                   where c.who = 'hq' and c.name = 'deep_page'
                     and bb.starts_at >= now() - make_interval(days => 30 + (c.i * 7) % 120)
                   order by bb.starts_at, bb.id limit 1) h on true
order by c.ord, c.i;
SQL

# REPORT_ONLY=1: the report from the outputs already in RAW, nothing run.
if [ -z "${REPORT_ONLY:-}" ]; then
  for s in ${ONLY:-ensure_rerun schedule new_week real_path search bookings}; do
    echo "measure: running $s ($(grep -c '^\\echo @@' "$RAW/$s.sql") transactions)"
    run "$s"
  done
fi

{
  echo "# Measurements ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "database: $URL; psql \\timing over loopback, each operation in its desk transaction; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  python3 "$here/stats.py" $(for s in ${ONLY:-ensure_rerun new_week real_path schedule search bookings}; do echo "$RAW/$s.out"; done)
  echo
  if [ -f "$RAW/real_path.out" ]; then
    echo "real path (ensure_facility_slots as an administrator, 62 days, rolled back): slots made per call, mean of $(grep -cE '^[0-9]+$' "$RAW/real_path.out") calls: $(grep -E '^[0-9]+$' "$RAW/real_path.out" | awk '{s+=$1} END {printf "%.0f", s/NR}')"
  fi
} >"$OUT/measure.md"

if [ -z "${ONLY:-}" ] && [ -z "${REPORT_ONLY:-}" ]; then echo "measure: plans"; "$here/plans.sh"; fi
cat "$OUT/measure.md"
