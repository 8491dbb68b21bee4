#!/usr/bin/env bash
# The test command (README): installs what is missing, starts a throwaway PostgreSQL (unless
# DATABASE_URL points at one), and runs every test. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\n== %s\n' "$*"; }

log "system packages"
scripts/setup-system.sh

log "PostgreSQL"
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
if [ -z "${DATABASE_URL:-}" ]; then
  PGDIR=$(mktemp -d /tmp/branchdesk-test-pg.XXXXXX)
  chmod 755 "$PGDIR"
  PORT=${BRANCHDESK_TEST_PG_PORT:-55439}
  pg_start "$PGDIR/data" "$PORT"
  trap 'pg_stop "$PGDIR/data"; rm -rf "$PGDIR"' EXIT
  echo "started a throwaway cluster at $DATABASE_URL"
fi
export DATABASE_URL

log "core: unit and database tests"
cargo test --locked -p branch-desk-core --all-features -- --test-threads="${TEST_THREADS:-4}"

log "TypeScript types generated from Rust (ts-rs) are committed and current"
if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  echo "ui/src/bindings differs from what the Rust types generate; commit the regenerated files:" >&2
  git status --porcelain -- ui/src/bindings >&2
  exit 1
fi
