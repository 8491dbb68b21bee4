#!/usr/bin/env bash
# vacuum.sh: what a day of bookings costs VACUUM on benefit_slots. Every booking and
# cancellation updates its slot's booked_count (a new row version): a day of the club's recovery
# bookings (DAY_UPDATES, default 53,500: 500 branches x 107) is applied to slots of the next 14
# days, then VACUUM (VERBOSE) of the table, timed; the same on the partitioned copy
# (partition.sh) when it exists. The counts are put back afterwards (and vacuumed, untimed).
# Writes OUT/vacuum.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL=${GROWTH_URL:-postgres://postgres@127.0.0.1:55499/growth}
OUT=${OUT:-$here/results}
DAY_UPDATES=${DAY_UPDATES:-53500}
mkdir -p "$OUT"
has_part=$(psql "$URL" -XAt -c "select to_regclass('proto.benefit_slots_by_month') is not null")
psql "$URL" -Xq -v ON_ERROR_STOP=1 -c "drop table if exists gen.day_updates" \
  -c "create table gen.day_updates as
        select id, starts_at from benefit_slots
        where starts_at >= now() and starts_at < now() + interval '14 days' and booked_count < capacity
        order by md5(id::text) limit $DAY_UPDATES"
{
  echo "# VACUUM after a day of bookings ($DAY_UPDATES slot updates, slots of the next 14 days)"
  for t in public.benefit_slots $([ "$has_part" = t ] && echo proto.benefit_slots_by_month); do
    echo
    echo "## $t ($(psql "$URL" -XAt -c "select pg_size_pretty(pg_total_relation_size('$t'::regclass)) || ' with indexes'" 2>/dev/null || true))"
    [ "$t" = proto.benefit_slots_by_month ] && echo "(size of the parent is 0: the partitions hold the rows; total $(psql "$URL" -XAt -c "select pg_size_pretty(sum(pg_total_relation_size(inhrelid))) from pg_inherits where inhparent = '$t'::regclass"))"
    psql "$URL" -X -v ON_ERROR_STOP=1 2>&1 <<SQL | grep -vE '^(SET|UPDATE [0-9]+|BEGIN|COMMIT)$'
\timing on
update $t s set booked_count = s.booked_count + 1 from gen.day_updates u where s.id = u.id and s.starts_at = u.starts_at;
set client_min_messages = info;
vacuum (verbose) $t;
SQL
    psql "$URL" -Xq -v ON_ERROR_STOP=1 -c "update $t s set booked_count = s.booked_count - 1 from gen.day_updates u where s.id = u.id and s.starts_at = u.starts_at" \
      -c "vacuum $t"
  done
} >"$OUT/vacuum.txt"
grep -E '^(#|Time|INFO:  (vacuuming|finished)|index scan|pages:|tuples:|removable|index ")' "$OUT/vacuum.txt" | head -80
