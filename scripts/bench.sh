#!/usr/bin/env bash
# The benchmark command (README "Benchmarks"): starts a throwaway PostgreSQL (unless
# DATABASE_URL points at one, as an administrator), builds the bench in release mode, generates
# a large club in a fresh database and runs each pair of issue 6 side by side. Prints a table
# and writes bench-results/{full,quick}.{md,csv}. The full run then builds the release app and
# .deb and measures the app itself (scripts/bench-app.sh: start-up, memory, sizes).
#   scripts/bench.sh           200,000 members, 1,000,000 bookings (10-12 minutes for the pairs on 2 cores, then the app)
#   scripts/bench.sh --quick   tiny sizes, every pair once (CI): fails only on errors or broken invariants
#   scripts/bench.sh --only search   one pair (search, slots, bookings or paging), and not the app
# Extra arguments go to the bench (--out DIR, --keep-db).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

log "system packages"
scripts/setup-system.sh

log "build (release)"
cargo build --locked --release -p branch-desk-bench
BIN="${CARGO_TARGET_DIR:-target}/release/branch-desk-bench"

log "PostgreSQL"
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
pg_throwaway "${BRANCHDESK_BENCH_PG_PORT:-55449}"
export DATABASE_URL

log "benchmarks"
"$BIN" "$@"

case " $* " in
  *" --quick "* | *" --only "*) ;;
  *)
    log "the app: release build and .deb, then start-up, memory and sizes"
    scripts/setup-app.sh
    ui/node_modules/.bin/tauri build --ci -- --locked
    scripts/bench-app.sh
    ;;
esac
