#!/usr/bin/env bash
# prune.sh: retention experiments on the generated club (after measure.sh; changes the data).
#   1. The fast path and a pruned past week, on one branch: a plain prune, then a desk opens the
#      week (does it make the slots again? Since migration 20261201001200's horizon: no); a prune
#      that keeps the days' records; a settings change after it (as an administrator, rolled
#      back); a week straddling the horizon.
#   2. The daily prune of migration 20261201001200 (public.prune_recovery_slots(), called until it
#      returns 0, each call timed) over every branch; VACUUM; sizes before and after; the slot
#      reads measured again (measure.sh ONLY=...).
# Writes OUT/fastpath.txt, OUT/prune.txt, OUT/after-prune/measure.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL=${GROWTH_URL:-postgres://postgres@127.0.0.1:55499/growth}
OUT=${OUT:-$here/results}
BRANCH_IDX=${BRANCH_IDX:-123}
mkdir -p "$OUT"
psql "$URL" -Xq -v ON_ERROR_STOP=1 -f "$here/measure.sql"
KEEP_DAYS=$(psql "$URL" -XAt -c "select public.recovery_slot_retention_days()")

echo "prune: the fast path and a pruned week"
psql "$URL" -X -v ON_ERROR_STOP=1 -v keep="$KEEP_DAYS" -v bidx="$BRANCH_IDX" >"$OUT/fastpath.txt" 2>&1 <<'SQL'
\pset pager off
-- Branch BRANCH_IDX (123), the week 15 weeks back (all of it older than the horizon).
select b.id as branch, gen.desk(b.idx) as desk, gen.week_start(b.tz, -15) as ws, gen.week_start(b.tz, -15) + 6 as we
from gen.branch b where b.idx = :bidx \gset
create temp view week_state as
  select (select count(*) from benefit_slots where branch_id = :'branch' and local_date between :'ws' and :'we') as slots,
         (select count(*) from benefit_slots where branch_id = :'branch' and local_date between :'ws' and :'we' and booked_count > 0) as with_live_bookings,
         (select count(*) from benefit_slots s where branch_id = :'branch' and local_date between :'ws' and :'we'
            and exists (select 1 from benefit_bookings bb where bb.slot_id = s.id)) as referenced_by_bookings,
         (select count(*) from benefit_slot_days where branch_id = :'branch' and local_date between :'ws' and :'we') as day_records,
         (select count(*) from benefit_slot_days where branch_id = :'branch' and local_date between :'ws' and :'we'
            and fingerprint = public.facility_slot_fingerprint(:'branch')) as current_day_records;
grant select on week_state to public;
\echo '== the week as generated'
select * from week_state;

\echo '== 1. plain prune (what public.prune_recovery_slots deletes, this week only)'
delete from benefit_slots s where s.branch_id = :'branch' and s.local_date between :'ws' and :'we'
  and s.booked_count = 0 and not exists (select 1 from benefit_bookings bb where bb.slot_id = s.id);
select * from week_state;
\echo '== the branch desk opens the week (ensure_facility_slots): slots made'
set session authorization :desk;
select public.ensure_facility_slots(:'branch', :'ws', :'we') as inserted;
reset session authorization;
select * from week_state;

\echo '== 2. prune keeping the days records (re-recorded under the current fingerprint)'
begin;
create temp table kept_days on commit drop as
  select * from benefit_slot_days where branch_id = :'branch' and local_date between :'ws' and :'we';
delete from benefit_slots s where s.branch_id = :'branch' and s.local_date between :'ws' and :'we'
  and s.booked_count = 0 and not exists (select 1 from benefit_bookings bb where bb.slot_id = s.id);
insert into benefit_slot_days select * from kept_days on conflict do nothing;
commit;
select * from week_state;
\echo '== the branch desk opens the week: slots made'
set session authorization :desk;
\timing on
select public.ensure_facility_slots(:'branch', :'ws', :'we') as inserted;
\timing off
reset session authorization;
select * from week_state;

\echo '== 2b. then a settings change at the branch (the sauna from 20- to 30-minute slots), as an administrator, rolled back'
begin;
update benefit_settings set slot_minutes = 30
where facility_id = (select id from facilities where branch_id = :'branch' and name = 'Sauna');
select public.ensure_facility_slots(:'branch', :'ws', :'we') as inserted_after_settings_change;
select * from week_state;
select local_date, count(*) filter (where local_end - local_start = interval '20 minutes') as sauna_20_min,
       count(*) filter (where local_end - local_start = interval '30 minutes') as sauna_30_min
from benefit_slots where branch_id = :'branch' and local_date between :'ws' and :'we'
  and facility_id = (select id from facilities where branch_id = :'branch' and name = 'Sauna')
group by 1 order by 1 limit 3;
rollback;

\echo '== 3. the horizon (' :keep 'days): the week pruned as public.prune_recovery_slots does (days records gone), the desk opens it'
delete from benefit_slots s where s.branch_id = :'branch' and s.local_date between :'ws' and :'we'
  and s.booked_count = 0 and not exists (select 1 from benefit_bookings bb where bb.slot_id = s.id);
delete from benefit_slot_days where branch_id = :'branch' and local_date between :'ws' and :'we';
select * from week_state;
set session authorization :desk;
select public.ensure_facility_slots(:'branch', :'ws', :'we') as inserted;
reset session authorization;
select * from week_state;
\echo '   a week straddling the horizon, pruned the plain way: the desk makes only its days from the horizon on'
select gen.week_start(b.tz, -5) as ws5, (now() at time zone b.tz)::date - :keep as horizon from gen.branch b where b.idx = :bidx \gset
delete from benefit_slots s where s.branch_id = :'branch' and s.local_date between :'ws5' and (:'ws5'::date + 6)
  and s.booked_count = 0 and not exists (select 1 from benefit_bookings bb where bb.slot_id = s.id);
select :'horizon' as horizon, local_date, count(*) as slots from benefit_slots
where branch_id = :'branch' and local_date between :'ws5' and (:'ws5'::date + 6) group by 2 order by 2;
set session authorization :desk;
select public.ensure_facility_slots(:'branch', :'ws5', (:'ws5'::date + 6)) as inserted;
reset session authorization;
select :'horizon' as horizon, local_date, count(*) as slots from benefit_slots
where branch_id = :'branch' and local_date between :'ws5' and (:'ws5'::date + 6) group by 2 order by 2;
\echo '   (restored for the measurements: an administrator makes the rest of that week again)'
select public.ensure_facility_slots(:'branch', :'ws5', (:'ws5'::date + 6)) as inserted;
SQL

echo "prune: sizes before"
{
  echo "# Batched prune: unbooked slots whose local day is more than $KEEP_DAYS days past"
  echo
  echo "## before"
  psql "$URL" -X -f "$here/sizes.sql" | sed -n '1,10p'
  psql "$URL" -XAt -c "select 'benefit_slots: ' || count(*) || ' rows, ' || count(*) filter (where booked_count = 0) || ' with no live booking' from benefit_slots"
  psql "$URL" -XAt -c "select 'index ' || relname || ': ' || pg_size_pretty(pg_relation_size(oid)) from pg_class where relname like 'benefit_slot%' and relkind = 'i' order by 1"
} >"$OUT/prune.txt"

echo "prune: public.prune_recovery_slots() over every branch, until it returns 0"
calls="$OUT/prune-calls.txt"
: >"$calls"
start=$(date +%s.%N)
while :; do
  t=$(date +%s.%N)
  n=$(psql "$URL" -XAtq -v ON_ERROR_STOP=1 -c "select public.prune_recovery_slots()")
  echo "$n $(echo "$(date +%s.%N) - $t" | bc)" >>"$calls"
  [ "$n" = 0 ] && break
done
end=$(date +%s.%N)
vstart=$(date +%s.%N)
psql "$URL" -Xq -v ON_ERROR_STOP=1 -c "vacuum (analyze) benefit_slots" -c "vacuum (analyze) benefit_slot_days"
vend=$(date +%s.%N)
{
  echo
  echo "## the prune"
  echo "wall: $(echo "$end - $start" | bc) s; then VACUUM (ANALYZE) benefit_slots, benefit_slot_days: $(echo "$vend - $vstart" | bc) s"
  awk '{ n += $1; t += $2; printf "call %d: %d slots in %.1f s\n", NR, $1, $2 }
       END { printf "%d calls, %d slots, %.1f s in calls, %.0f slots a second\n", NR, n, t, (t > 0 ? n / t : 0) }' "$calls"
  echo "## after (VACUUM leaves the files their size: the space is reused by new slots)"
  psql "$URL" -X -f "$here/sizes.sql" | sed -n '1,10p'
  psql "$URL" -XAt -c "select 'benefit_slots: ' || count(*) || ' rows, ' || count(*) filter (where booked_count = 0) || ' with no live booking' from benefit_slots"
  psql "$URL" -XAt -c "select 'index ' || relname || ': ' || pg_size_pretty(pg_relation_size(oid)) from pg_class where relname like 'benefit_slot%' and relkind = 'i' order by 1"
  psql "$URL" -XAt -c "select 'free space map of benefit_slots: ' || pg_size_pretty(sum(avail)) from pg_freespace('benefit_slots')" 2>/dev/null || true
} >>"$OUT/prune.txt"

echo "prune: the slot reads again"
OUT="$OUT/after-prune" ONLY="ensure_rerun schedule" "$here/measure.sh" >/dev/null
cat "$OUT/fastpath.txt" "$OUT/prune.txt" "$OUT/after-prune/measure.md"
