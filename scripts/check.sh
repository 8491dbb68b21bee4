#!/usr/bin/env bash
# The fast gate, run by .ci/run before the test command: formatting, the UI's type check, and
# clippy with warnings as errors for every crate and target, in which the query macros check
# each query against a database migrated from migrations/ and .sqlx/ (their committed offline
# data) must come out unchanged (scripts/sqlx-data.sh). Minutes, where the tests take tens of
# them; a red gate stops CI before the slow part. The staleness checks of the other generated
# files (TypeScript bindings, schema/) need the tests that write them and run in scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
started=$SECONDS
log() { printf '\n== gate: %s (%d s)\n' "$*" "$((SECONDS - started))"; }

log "set-up (system packages, the pinned Rust, the UI's npm packages)"
scripts/setup-system.sh
scripts/setup-app.sh

log "rustfmt"
cargo fmt --all --check

log "TypeScript: tsc --noEmit"
(cd ui && npx --no-install tsc --noEmit)

log "clippy, warnings are errors, with every query checked against a migrated database and .sqlx/ current (the shell embeds ui/dist, so the UI is built first)"
(cd ui && npx --no-install vite build --logLevel warn)
scripts/sqlx-data.sh --check

log "gate passed"
