#!/usr/bin/env bash
# The test command (README): installs what is missing, starts a throwaway PostgreSQL (unless
# DATABASE_URL points at one), and runs every test: core database tests (PgBouncer's own among
# them), the shell's command tests (directly, then again through PgBouncer in transaction mode),
# the UI unit tests, the benchmark's quick mode, and the packaged installer test (release .deb
# built, inspected, installed, driven through its window on the demo and a club database behind
# PgBouncer, upgraded, removed). Safe to run again; keeps target/ between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
started=$SECONDS

log() { printf '\n== %s (%d s)\n' "$*" "$((SECONDS - started))"; }

log "system packages and app prerequisites"
scripts/setup-system.sh
scripts/setup-app.sh

log "PostgreSQL"
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
pg_throwaway "${BRANCHDESK_TEST_PG_PORT:-55439}"
export DATABASE_URL

log "UI build (the app embeds ui/dist)"
(cd ui && npm run build --silent)

# One build for the three, so the two cores compile Tauri while the core's tests link:
#  - core: unit and database tests;
#  - desk: the state machine and the command bodies against PostgreSQL and the demo database, no window;
#  - shell: the TypeScript client exported from the Tauri commands (same features as the app build).
log "core, desk and shell tests"
BRANCH_DESK_NO_KEYRING=1 cargo test --locked -p branch-desk-core -p branch-desk-app -p branch-desk \
  --all-features --features tauri/custom-protocol -- --test-threads="${TEST_THREADS:-4}"

log "the desk's command tests again, through PgBouncer in transaction mode (deploy/pgbouncer/)"
pg_port=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlparse(sys.argv[1]).port or 5432)' "$DATABASE_URL")
bouncer_dir=$(mktemp -d /tmp/branchdesk-pgbouncer.XXXXXX)
chmod 755 "$bouncer_dir"
pgbouncer_start "$bouncer_dir" "$(pg_free_port)" "$pg_port"
# The same packages and features as the run above, so nothing is built again; only the shell's
# database tests (app/tests/) run.
BRANCH_DESK_NO_KEYRING=1 BRANCHDESK_TEST_DESK_PORT="$PGBOUNCER_PORT" cargo test --locked \
  -p branch-desk-core -p branch-desk-app -p branch-desk --all-features --features tauri/custom-protocol \
  --test commands --test outage -- --test-threads="${TEST_THREADS:-4}"
pgbouncer_stop "$bouncer_dir"
rm -rf "$bouncer_dir"

log "generated files (by the tests above) are committed and current: the TypeScript client and types (tauri-specta), the schema snapshot, the UI tests' booking rules"
if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain -- ui/src/bindings.ts ui/src/fixtures schema)" ]; then
  echo "ui/src/bindings.ts, ui/src/fixtures or schema/ differs from what the Rust commands and the migrations generate; commit the regenerated files:" >&2
  git status --porcelain -- ui/src/bindings.ts ui/src/fixtures schema >&2
  git --no-pager diff --stat -- ui/src/bindings.ts ui/src/fixtures schema >&2
  exit 1
fi

log "UI: type check and unit tests"
scripts/test-ui.sh

log "benchmarks: quick mode (figures printed, nothing timed is asserted)"
cargo run --locked -q -p branch-desk-bench -- --quick --out "${TMPDIR:-/tmp}/branch-desk-bench-quick"

log "load test: quick mode, 20 branches x 3 desks through PgBouncer, then direct (figures printed; fails on an error through PgBouncer or a broken invariant)"
BENCH_LOAD_PROFILE=dev BENCH_LOAD_OUT="${TMPDIR:-/tmp}/branch-desk-bench-load" scripts/bench-load.sh --quick

log "installer: release .deb, installed, driven under Xvfb (demo, club, upgrade), removed"
scripts/test-installer.sh

log "all tests passed"
