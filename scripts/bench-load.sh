#!/usr/bin/env bash
# The load test (README "Benchmarks", `branch-desk-bench load`): many branch desks at once, each
# with its own pool (db::connect, the default budget of 2 connections) as its branch's desk
# role, paced like busy front desks. Starts a throwaway PostgreSQL with max_connections = 100
# (passwords required, as on a real server) and PgBouncer in front of it (transaction mode,
# deploy/pgbouncer/pgbouncer.ini), runs the mix through PgBouncer, then the same mix with the
# desks connecting straight to PostgreSQL (`--direct`) to show how far that goes, and prints
# both, each with the desks' statements that took PostgreSQL's time (pg_stat_statements).
# Reports are written to bench-results/ (load-pooled-NxM.{md,json}, load-direct-NxM...).
#   scripts/bench-load.sh --quick   20 branches x 3 desks, 30 s each run (CI; about 1.5 minutes
#                                   once built): fails on any error through PgBouncer or any
#                                   broken invariant
#   scripts/bench-load.sh --full    500 branches x 3 desks, 5 minutes each run
#   scripts/bench-load.sh --branches 100 --desks 3 --seconds 60   any size (the bench's options;
#                                   also --think S, --members-per-branch N, --out DIR)
# BENCH_LOAD_MAX_CONNECTIONS=600 sizes PostgreSQL for a club's branches instead of the default
# 100 (with BENCH_LOAD_PGBOUNCER="max_db_connections=550" to let PgBouncer use them).
# BENCH_LOAD_PROFILE=dev runs the debug build (the test command's quick run, which has it built
# already; the desks' own work is then slower than in a release build). BENCH_LOAD_DIRECT=0 skips the direct run; BENCH_LOAD_PGBOUNCER="key=value ..." changes
# PgBouncer settings for an experiment (e.g. "default_pool_size=1 server_reset_query_always=0").
# Figures are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
case "${1:-}" in
  --quick) args=(--quick); shift ;;
  --full) args=(--branches 500 --desks 3 --seconds 300); shift ;;
esac
args+=("$@")

# Every desk holds up to 2 client connections: PgBouncer and the bench each need a file
# descriptor per connection (1,500 desks: about 3,000 each), more than the usual soft limit of
# 1,024. Raised here for this shell and what it starts (PgBouncer, as `postgres` via runuser,
# inherits it too).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open files limit: $(ulimit -n)"

profile=${BENCH_LOAD_PROFILE:-release}
echo "== build ($profile)"
cargo build --profile "$profile" --locked -q -p branch-desk-bench

# shellcheck source=scripts/pg.sh
source scripts/pg.sh
LOAD_DIR=$(mktemp -d /tmp/branchdesk-load.XXXXXX)
chmod 755 "$LOAD_DIR" # the postgres user must reach its data directory
cleanup() {
  pgbouncer_stop "$LOAD_DIR/pgbouncer" || true
  pg_stop "$LOAD_DIR/data" || true
  rm -rf "$LOAD_DIR"
}
trap cleanup EXIT

echo "== PostgreSQL (max_connections = 100) and PgBouncer"
pgport=$(pg_free_port)
# pg_stat_statements (postgresql-contrib) for "where PostgreSQL's time went" after each run.
PG_EXTRA_SETTINGS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on" \
  PG_MAX_CONNECTIONS=${BENCH_LOAD_MAX_CONNECTIONS:-100} pg_start "$LOAD_DIR/data" "$pgport"
pg_require_passwords "$LOAD_DIR/data"
admin_url="postgres://postgres@127.0.0.1:$pgport/postgres"
echo "PostgreSQL $(psql "$admin_url" -XAtqc 'show server_version') on 127.0.0.1:$pgport, max_connections $(psql "$admin_url" -XAtqc 'show max_connections')"

# PgBouncer's own limit on desk connections: 2 per desk and some room (the .ini says 4,000).
branches=20 desks=3
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --branches) branches=${args[$((i + 1))]} ;;
    --desks) desks=${args[$((i + 1))]} ;;
    --quick) branches=20 desks=3 ;;
  esac
done
bouncer_settings=()
clients=$((branches * desks * 2 + 100))
if [ "$clients" -gt 4000 ]; then bouncer_settings+=("max_client_conn=$clients"); fi
# shellcheck disable=SC2206 # split on spaces on purpose
bouncer_settings+=(${BENCH_LOAD_PGBOUNCER:-})
if [ ${#bouncer_settings[@]} -gt 0 ]; then echo "PgBouncer settings changed: ${bouncer_settings[*]}"; fi
bport=$(pg_free_port)
pgbouncer_start "$LOAD_DIR/pgbouncer" "$bport" "$pgport" "${bouncer_settings[@]}"
# runuser's PAM session (pam_limits) gives PgBouncer the default soft limit of 1,024 open files
# whatever this shell's is, too few for 1,500 desks: raise the running process's soft limit to
# its hard limit, as its own user (root here may lack CAP_SYS_RESOURCE, as in containers).
bouncer_pid=$(cat "$LOAD_DIR/pgbouncer/pgbouncer.pid")
hard=$(awk '/Max open files/ {print $5}' "/proc/$bouncer_pid/limits")
pg_as_owner prlimit --pid "$bouncer_pid" --nofile="$hard:$hard" || echo "note: could not raise PgBouncer's open files limit" >&2
echo "PgBouncer open files limit: $(awk '/Max open files/ {print $4}' "/proc/$bouncer_pid/limits")"

out=${BENCH_LOAD_OUT:-bench-results}
for arg in "${args[@]}"; do
  if [ "${prev:-}" = --out ]; then out=$arg; fi
  prev=$arg
done
rm -f "$out/load-pooled-${branches}x${desks}.md" "$out/load-direct-${branches}x${desks}.md"
status=0

# What PgBouncer and PostgreSQL logged during a run (from line $2 of log $1): connections closed
# by reason, and refusals.
log_summary() {
  local log=$1 from=$2
  tail -n +"$from" "$log" | grep -oiE 'closing because: [a-z_ ]+|FATAL: .*|pooler error: .*|accept\(\) failed.*|fd limit.*' \
    | sed -E 's/^(closing because: [a-z_ ]+[a-z]).*/\1/; s/S-0x[0-9a-f]+: //' | sort | uniq -c | sort -rn | head -8 || true
}
log_lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# Where PostgreSQL's time went during a run: the desks' statements (roles that are not
# superusers, so not the bench's set-up or checks) with the most planning and execution time,
# as a share of all of theirs. Cleared before each run.
psql "$admin_url" -XAtqc "create extension if not exists pg_stat_statements" >/dev/null
statements_reset() { psql "$admin_url" -XAtqc "select pg_stat_statements_reset()" >/dev/null; }
statements_top() {
  echo "Where PostgreSQL's time went (the desks' statements, pg_stat_statements):"
  # One row per statement whichever desk role ran it (direct, each branch's desk is its own role).
  psql "$admin_url" -Xq -P pager=off -c "
    with desk as (
      select s.query, sum(s.calls) as calls, sum(s.total_plan_time) as plan, sum(s.total_exec_time) as run
      from pg_stat_statements s join pg_roles r on r.oid = s.userid
      where not r.rolsuper group by s.query)
    select round((100 * (plan + run) / nullif(sum(plan + run) over (), 0))::numeric, 1) as \"% time\",
           calls, round((plan / nullif(calls, 0))::numeric, 2) as \"plan ms\",
           round((run / nullif(calls, 0))::numeric, 2) as \"run ms\",
           left(regexp_replace(query, '\\s+', ' ', 'g'), 100) as statement
    from desk order by plan + run desc limit 14"
}

echo
echo "== load through PgBouncer (transaction mode, 127.0.0.1:$PGBOUNCER_PORT)"
# The bench creates and migrates its database through DATABASE_URL, a direct administrator
# connection (migrations refuse a transaction pooler); made after pgbouncer_start, the database
# has the auth_query lookup from template1.
bouncer_from=$(($(log_lines "$LOAD_DIR/pgbouncer/pgbouncer.log") + 1))
pg_from=$(($(log_lines "$LOAD_DIR/data/server.log") + 1))
statements_reset
DATABASE_URL=$admin_url cargo run --profile "$profile" --locked -q -p branch-desk-bench -- load \
  --pooler-port "$PGBOUNCER_PORT" --stats-url "$PGBOUNCER_STATS_URL" --out "$out" "${args[@]}" \
  || status=$?
pooled_status=$status
echo "PgBouncer's log during the run (server connections closed, by reason; refusals):"
log_summary "$LOAD_DIR/pgbouncer/pgbouncer.log" "$bouncer_from"
echo "PostgreSQL's log during the run (refused connections):"
log_summary "$LOAD_DIR/data/server.log" "$pg_from"
statements_top

if [ "${BENCH_LOAD_DIRECT:-1}" != 0 ]; then
  echo
  echo "== the same mix straight to PostgreSQL (--direct, max_connections = 100)"
  pg_from=$(($(log_lines "$LOAD_DIR/data/server.log") + 1))
  statements_reset
  DATABASE_URL=$admin_url cargo run --profile "$profile" --locked -q -p branch-desk-bench -- load \
    --direct --out "$out" "${args[@]}" || status=$?
  echo "PostgreSQL's log during the run (refused connections):"
  log_summary "$LOAD_DIR/data/server.log" "$pg_from"
  statements_top
fi

echo
echo "== both runs"
for f in "$out/load-pooled-${branches}x${desks}.md" "$out/load-direct-${branches}x${desks}.md"; do
  if [ -f "$f" ]; then
    echo "--- $f"
    cat "$f"
    echo
  fi
done
if [ "$pooled_status" != 0 ]; then
  echo "FAILED: the run through PgBouncer had errors or broke an invariant (exit $pooled_status)" >&2
elif [ "$status" != 0 ]; then
  echo "FAILED: the direct run broke an invariant (exit $status)" >&2
fi
exit "$status"
