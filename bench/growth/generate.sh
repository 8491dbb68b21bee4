#!/usr/bin/env bash
# generate.sh: a migrated database GROWTH_DB (default growth) on the cluster at ADMIN_URL (default
# the throwaway cluster on 127.0.0.1:55499) filled with a year of a 500-branch club (year/*.sql).
# Sizes: BRANCHES (500), MEMBERS_PER_BRANCH (2000), DAYS_BACK (182), DAYS_AHEAD (182).
# Writes OUT (default bench/growth/results)/generate.txt: the steps' times, rows and sizes.
# Two sessions at a time (members and classes beside slots; keys by table), for a 2-core machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/scripts/pg.sh"
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:55499/postgres}
DB=${GROWTH_DB:-growth}
OUT=${OUT:-$here/results}
mkdir -p "$OUT"
python3 "$here/names_sql.py" >"$OUT/names.sql"
: >"$OUT/generate.log"

url=$(pg_migrated "$ADMIN_URL" "$DB")
# For the load only: no autovacuum racing the bulk inserts (50-finish.sql runs VACUUM ANALYZE),
# fewer checkpoints. Put back afterwards.
psql "$ADMIN_URL" -Xq -c "alter system set autovacuum = off" -c "alter system set max_wal_size = '8GB'" \
  -c "select pg_reload_conf()" >/dev/null
trap 'psql "$ADMIN_URL" -Xq -c "alter system reset autovacuum" -c "alter system reset max_wal_size" -c "select pg_reload_conf()" >/dev/null' EXIT
run() { psql "$url" -Xq -v ON_ERROR_STOP=1 "$@" >>"$OUT/generate.log" 2>&1; }
start=$(date +%s)
run -v names_sql="$OUT/names.sql" -v branches="${BRANCHES:-500}" -v members_per_branch="${MEMBERS_PER_BRANCH:-2000}" \
  -v days_back="${DAYS_BACK:-182}" -v days_ahead="${DAYS_AHEAD:-182}" -f "$here/year/00-setup.sql"
(run -f "$here/year/10-members.sql" && run -f "$here/year/20-classes.sql") & a=$!
run -f "$here/year/30-slots.sql" & b=$!
wait $a && wait $b
run -v tables=benefit_bookings,class_bookings -f "$here/year/40-keys.sql" & a=$!
run -v tables=benefit_slots,members,classes,benefit_slot_days -f "$here/year/40-keys.sql" & b=$!
wait $a && wait $b
run -f "$here/year/50-finish.sql"
end=$(date +%s)
{
  echo "database $url, generated $(date -u '+%Y-%m-%d %H:%M UTC') in $((end - start)) s wall"
  psql "$url" -XAt -F ' | ' -c "select 'params', branches, members_per_branch, first_day, last_day, now_ts from gen.params"
  echo
  psql "$url" -X -c "select step, to_char(started, 'HH24:MI:SS') as started, round(extract(epoch from finished - started)::numeric, 1) as seconds, rows
                      from gen.timings order by split_part(step, ' ', 1)::int, step"
  psql "$url" -X -f "$here/sizes.sql"
} | tee "$OUT/generate.txt"
