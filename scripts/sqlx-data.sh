#!/usr/bin/env bash
# The query macros' offline data, .sqlx/ (one file per sqlx::query!/query_as!/query_scalar!):
# each query's parameter and column types, as PostgreSQL describes them on a database migrated
# from migrations/. Builds read it (SQLX_OFFLINE in .cargo/config.toml) and fail on a query it
# does not know.
#   scripts/sqlx-data.sh          rewrite .sqlx/ after changing a query or a migration
#   scripts/sqlx-data.sh --check  fail when .sqlx/ differs from what the queries and the
#                                 migrations give now (the fast gate; like `cargo sqlx prepare
#                                 --check`, without building sqlx-cli)
# Either way it runs the gate's clippy with the macros online, writing a fresh copy of the data:
# one build does both. Uses DATABASE_URL's server if set, else a throwaway cluster of the
# machine's PostgreSQL (15 on Debian 12, as in CI: the macros' nullability comes from EXPLAIN,
# which another major version may word differently).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
check=false
[ "${1:-}" = --check ] && check=true

# shellcheck source=scripts/pg.sh
source scripts/pg.sh
pg_throwaway "${BRANCHDESK_TEST_PG_PORT:-55439}" >/dev/null
url=$(pg_migrated "$DATABASE_URL" branchdesk_sqlx_data)

fresh=$(mktemp -d)
trap 'rm -rf "$fresh"; [ -n "${PG_THROWAWAY_DIR:-}" ] && pg_stop "$PG_THROWAWAY_DIR/data" && rm -rf "$PG_THROWAWAY_DIR"' EXIT
# The macros run when their crate compiles: make every crate that has queries compile again.
find core/src app/src bench/src -name '*.rs' -exec touch {} +
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$fresh" DATABASE_URL="$url" \
  cargo clippy --locked --workspace --all-targets --all-features -- -D warnings

if $check; then
  if ! diff -r .sqlx "$fresh" >/dev/null; then
    echo "error: .sqlx/ is stale: the queries or the migrations changed. Run scripts/sqlx-data.sh and commit .sqlx/." >&2
    diff -r --brief .sqlx "$fresh" >&2 || true
    exit 1
  fi
  echo ".sqlx/ is current ($(ls "$fresh" | wc -l) queries)"
else
  rm -rf .sqlx && mkdir .sqlx && cp "$fresh"/*.json .sqlx/ 2>/dev/null || true
  echo "wrote .sqlx/ ($(ls .sqlx | wc -l) queries)"
fi
