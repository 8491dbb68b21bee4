#!/usr/bin/env bash
# run.sh: everything, with one command. Starts (or reuses) the throwaway PostgreSQL cluster in
# /tmp/growth-pg/data on 127.0.0.1:55499, then: generate.sh (a year of a 500-branch club),
# measure.sh (+ plans.sh), partition.sh, vacuum.sh, prune.sh (last:
# it deletes slots). Results in
# bench/growth/results/. The cluster is left running: `source scripts/pg.sh; pg_stop /tmp/growth-pg/data`.
# Sizes and repetitions: see generate.sh and measure.sh (BRANCHES, MEMBERS_PER_BRANCH, N, ...).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../scripts/pg.sh"
if ! pg_isready -q -h 127.0.0.1 -p 55499; then
  PG_MAX_CONNECTIONS=100 pg_start /tmp/growth-pg/data 55499
fi
export ADMIN_URL=postgres://postgres@127.0.0.1:55499/postgres
export GROWTH_URL=postgres://postgres@127.0.0.1:55499/${GROWTH_DB:-growth}
"$here/generate.sh"
"$here/measure.sh"
"$here/partition.sh"
"$here/vacuum.sh"
"$here/prune.sh"
