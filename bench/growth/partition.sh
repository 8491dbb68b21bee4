#!/usr/bin/env bash
# partition.sh: the monthly-partitioned copy of benefit_slots (partition.sql) against the table
# itself, as the superuser (no row-level security on either side, so the difference is the
# partitioning): a branch-week's slots (list_slots) without and with a starts_at bound, a slot by
# id (book_benefit_slot's first read) without and with its starts_at, the All Bookings recovery
# side joining slots by id, and retiring a month (detach and drop) against deleting it.
# Writes OUT/partition.md. Run before prune.sh or after it: both sides hold the same rows.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL=${GROWTH_URL:-postgres://postgres@127.0.0.1:55499/growth}
OUT=${OUT:-$here/results}
N=${N:-300}
RAW="$OUT/raw"
mkdir -p "$RAW"
psql "$URL" -Xq -v ON_ERROR_STOP=1 -f "$here/measure.sql"
# SKIP_BUILD=1: keep the copy already made (and its build time).
if [ -z "${SKIP_BUILD:-}" ]; then
  start=$(date +%s)
  psql "$URL" -X -v ON_ERROR_STOP=1 -f "$here/partition.sql" >"$RAW/partition-build.out" 2>&1
  end=$(date +%s)
  echo $((end - start)) >"$RAW/partition-build.seconds"
fi

psql "$URL" -XAt -v ON_ERROR_STOP=1 -v n="$N" >"$RAW/partition.sql" <<'SQL'
-- Reps: the recovery side through the partitioned copy runs for seconds (id only) or tens of
-- seconds (id and starts_at): 20 and 3 of them.
with picks as (
  select i, b.idx, b.id, b.tz, gen.week_start(b.tz, (i % 30) - 20) as ws,
         (select s.id from benefit_slots s where s.branch_id = b.id and s.local_date = gen.week_start(b.tz, (i % 30) - 20) limit 1) as slot_id
  from generate_series(1, :n) i join gen.branch b on b.idx = gen.pick('partition', i)
), cur as (
  select p.*, c.starts_at as cur_at, c.id as cur_id
  from picks p cross join lateral (select starts_at, id from benefit_bookings
                                   where starts_at >= now() - make_interval(days => 30 + (p.i * 7) % 120) order by 1, 2 limit 1) c
), cases as (
  select i, 'list_slots:' || t.name as label,
         format('select id, facility_id, starts_at, ends_at, local_date, local_start, local_end, capacity, booked_count from %s
                 where branch_id = %L and local_date between %L and %L%s order by facility_id, starts_at;',
                t.tbl, id, ws, ws + 6,
                case when t.bounded then format(' and starts_at >= %L and starts_at < %L', (ws - 1)::timestamp at time zone 'Etc/UTC', (ws + 8)::timestamp at time zone 'Etc/UTC') else '' end) as sql
  from cur cross join (values ('table', 'public.benefit_slots', false), ('partitioned,local_dates_only', 'proto.benefit_slots_by_month', false),
                              ('partitioned,starts_at_bounded', 'proto.benefit_slots_by_month', true)) t(name, tbl, bounded)
  union all
  select i, 'slot_by_id:' || t.name,
         format('select * from %s s where s.id = %L%s;', t.tbl, slot_id,
                case when t.with_start then format(' and s.starts_at = (select starts_at from public.benefit_slots where id = %L)', slot_id) else '' end)
  from cur cross join (values ('table', 'public.benefit_slots', false), ('partitioned,id_only', 'proto.benefit_slots_by_month', false),
                              ('partitioned,id_and_starts_at', 'proto.benefit_slots_by_month', true)) t(name, tbl, with_start)
  union all
  select i, 'all_bookings_recovery_side,deep_page:' || t.name,
         replace(gen.bookings_side('recovery', null, null, null, cur_at, cur_id, false, 50), 'join benefit_slots sl on sl.id = b.slot_id', t.j) || ';'
  from cur cross join (values ('table', 'join benefit_slots sl on sl.id = b.slot_id', 100000),
                              ('partitioned,id_only', 'join proto.benefit_slots_by_month sl on sl.id = b.slot_id', 20),
                              ('partitioned,id_and_starts_at', 'join proto.benefit_slots_by_month sl on sl.id = b.slot_id and sl.starts_at = b.starts_at', 3)) t(name, j, reps)
  where cur.i <= t.reps
)
select E'\\o /dev/null\n' || string_agg(format(E'\\echo @@ %s statement\n\\timing on\n%s\n\\timing off', label, sql), E'\n' order by md5(label || i))
from cases;
SQL
psql "$URL" -X -v ON_ERROR_STOP=1 -f "$RAW/partition.sql" | grep -E '^(@@ |Time: )' >"$RAW/partition.out"

{
  echo "# benefit_slots partitioned by month (prototype)"
  echo
  echo "copy of $(psql "$URL" -XAt -c "select count(*) from proto.benefit_slots_by_month") rows into $(psql "$URL" -XAt -c "select count(*) from pg_inherits where inhparent = 'proto.benefit_slots_by_month'::regclass") partitions, with its keys and indexes, and VACUUM ANALYZE: $(cat "$RAW/partition-build.seconds") s"
  echo
  grep -E '^(INSERT|ALTER|CREATE|VACUUM|Time)' "$RAW/partition-build.out" | paste - - | sed 's/^/    /'
  echo
  echo "sizes:"
  psql "$URL" -X -c "select 'public.benefit_slots' as tbl, pg_size_pretty(pg_table_size('public.benefit_slots')) as heap,
                             pg_size_pretty(pg_indexes_size('public.benefit_slots')) as indexes
                      union all
                      select 'proto.benefit_slots_by_month (all partitions)',
                             pg_size_pretty(sum(pg_table_size(inhrelid))), pg_size_pretty(sum(pg_indexes_size(inhrelid)))
                      from pg_inherits where inhparent = 'proto.benefit_slots_by_month'::regclass"
  psql "$URL" -X -c "select c.relname as partition, c.reltuples::bigint as rows, pg_size_pretty(pg_total_relation_size(c.oid)) as total
                      from pg_inherits i join pg_class c on c.oid = i.inhrelid
                      where i.inhparent = 'proto.benefit_slots_by_month'::regclass order by 1"
  echo
  python3 "$here/stats.py" "$RAW/partition.out"
  echo
  echo "plans:"
  for q in "select id from proto.benefit_slots_by_month where branch_id = (select id from branches where code = 'B123') and local_date between current_date and current_date + 6" \
           "select id from proto.benefit_slots_by_month where branch_id = (select id from branches where code = 'B123') and local_date between current_date and current_date + 6 and starts_at >= current_date - 1 and starts_at < current_date + 8" \
           "select * from proto.benefit_slots_by_month where id = (select id from benefit_slots where branch_id = (select id from branches where code = 'B123') and local_date = current_date limit 1)"; do
    echo
    echo "    $q"
    psql "$URL" -XAt -c "explain (analyze, buffers, costs off, summary on) $q" | sed 's/^/    /'
  done
  for j in "sl.id = b.slot_id" "sl.id = b.slot_id and sl.starts_at = b.starts_at"; do
    q=$(psql "$URL" -XAt -c "select replace(gen.bookings_side('recovery', null, null, null, c.starts_at, c.id, false, 50),
                                            'join benefit_slots sl on sl.id = b.slot_id', 'join proto.benefit_slots_by_month sl on $j')
                             from (select starts_at, id from benefit_bookings where starts_at >= now() - interval '90 days' order by 1, 2 limit 1) c")
    echo
    echo "    the All Bookings recovery side, deep page, slots partitioned, joined on $j:"
    psql "$URL" -XAt -c "explain (analyze, buffers, costs off, summary on) $q" | sed 's/^/    /'
  done
  echo
  month=$(psql "$URL" -XAt -c "select min(c.relname) from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'proto.benefit_slots_by_month'::regclass and c.relname <> 'benefit_slots_default'")
  rows=$(psql "$URL" -XAt -c "select count(*) from proto.$month")
  echo "retiring the oldest month, $month ($rows slots): detach partition + drop table:"
  psql "$URL" -X -c '\timing on' -c "alter table proto.benefit_slots_by_month detach partition proto.$month" -c "drop table proto.$month" | grep -E '^Time' | sed 's/^/    /'
} >"$OUT/partition.md"
cat "$OUT/partition.md"
