#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and benchmarks (sourced, not run).
#   pg_start DIR PORT   initialise (once) and start a cluster in DIR on 127.0.0.1:PORT,
#                       trust auth on loopback only; exports DATABASE_URL for its superuser;
#                       max_connections from PG_MAX_CONNECTIONS (default 300), and any
#                       other "-c name=value" settings in PG_EXTRA_SETTINGS
#   pg_stop DIR         stop it
#   pg_require_passwords DIR   loopback logins other than `postgres` need their password
#   pg_club DIR PORT ROLE PASSWORD   the end-to-end tests' club database (see below)
#   pg_free_port        a free loopback TCP port
#   pg_throwaway PORT   unless DATABASE_URL is set: a cluster in a new temporary directory,
#                       removed when the calling script exits (what test.sh and bench.sh use)
#   pgbouncer_start DIR PORT PGPORT [key=value...]   PgBouncer (deploy/pgbouncer/pgbouncer.ini,
#                       transaction mode, auth_query) on 127.0.0.1:PORT in front of PGPORT
#   pgbouncer_stop DIR
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.

pg_bin_dir() {
  local v
  for v in 17 16 15; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then echo "/usr/lib/postgresql/$v/bin"; return 0; fi
  done
  command -v initdb >/dev/null || { echo "PostgreSQL 15 or newer is not installed (initdb not found)" >&2; return 1; }
  dirname "$(command -v initdb)"
}

pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  local dir=$1 port=$2 bin
  bin=$(pg_bin_dir)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    pg_as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log"; return 1; }
  fi
  pg_as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start -o \
    "-h 127.0.0.1 -p $port -k /tmp -c max_connections=${PG_MAX_CONNECTIONS:-300} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB ${PG_EXTRA_SETTINGS:-}" >/dev/null \
    || { tail -50 "$dir/server.log"; return 1; }
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

# pg_require_passwords DIR: loopback logins need a password (SCRAM), except the `postgres`
# superuser, which stays trusted for the tests' own set-up. For tests of wrong passwords.
pg_require_passwords() {
  local dir=$1
  printf '%s\n' \
    "local all all trust" \
    "host all postgres 127.0.0.1/32 trust" \
    "host all all 127.0.0.1/32 scram-sha-256" >"$dir/pg_hba.conf"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/pg_hba.conf"
  pg_as_owner "$(pg_bin_dir)/pg_ctl" -D "$dir" reload >/dev/null
}

pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pg_club DIR PORT ROLE PASSWORD: a cluster in DIR that requires passwords, with a `club` database
# migrated and seeded with the demo club (core/examples/seed_club.rs) and ROLE a London desk role
# logging in with PASSWORD.
pg_club() {
  local dir=$1 port=$2 role=$3 password=$4 root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  pg_start "$dir" "$port"
  pg_require_passwords "$dir"
  psql "postgres://postgres@127.0.0.1:$port/postgres" -Xqc "create database club" >/dev/null
  (cd "$root" && DATABASE_URL="postgres://postgres@127.0.0.1:$port/club" \
    cargo run --locked -q -p branch-desk-core --example seed_club -- "$role" "$password" LDN)
}

pg_stop() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] && pg_as_owner "$(pg_bin_dir)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_throwaway PORT: unless DATABASE_URL is already set, start a cluster in a new temporary
# directory on PORT, stop and remove it when the calling script exits, export DATABASE_URL.
pg_throwaway() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  PG_THROWAWAY_DIR=$(mktemp -d /tmp/branchdesk-pg.XXXXXX)
  chmod 755 "$PG_THROWAWAY_DIR" # the postgres user must reach its data directory
  pg_start "$PG_THROWAWAY_DIR/data" "$1"
  trap 'pg_stop "$PG_THROWAWAY_DIR/data"; rm -rf "$PG_THROWAWAY_DIR"' EXIT
  echo "started a throwaway cluster at $DATABASE_URL"
}

# pg_migrated URL NAME: a fresh database NAME next to URL's, migrated from migrations/ with psql
# (each file in one transaction, as the app's migrator runs them) and with the migrator's own
# table; prints its URL. For the query macros (scripts/sqlx-data.sh), which need no Rust build.
pg_migrated() {
  local url=$1 name=$2 root f target
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local base="${url%%\?*}"
  target="${base%/*}/$name${url#"$base"}" # the same server and options, another database
  PGOPTIONS="-c client_min_messages=warning" psql "$url" -Xq -v ON_ERROR_STOP=1 -c "drop database if exists \"$name\" with (force)" -c "create database \"$name\"" >/dev/null
  # The table sqlx's migrator makes (sqlx-postgres, migrate.rs), so queries of it type-check.
  psql "$target" -Xq -v ON_ERROR_STOP=1 -c "create table public._sqlx_migrations (
      version bigint primary key, description text not null, installed_on timestamptz not null default now(),
      success boolean not null, checksum bytea not null, execution_time bigint not null)" >/dev/null
  for f in "$root"/migrations/*.sql; do
    psql "$target" -Xq -v ON_ERROR_STOP=1 --single-transaction -f "$f" >/dev/null \
      || { echo "migration $(basename "$f") failed" >&2; return 1; }
  done
  echo "$target"
}

# pgbouncer_start DIR PORT PGPORT [key=value...]: PgBouncer from deploy/pgbouncer/pgbouncer.ini
# (transaction mode, desks looked up with auth_query) listening on 127.0.0.1:PORT in front of the
# cluster on PGPORT, its files in DIR; key=value pairs replace settings (pool_mode=session,
# default_pool_size=1...). Installs deploy/pgbouncer/auth.sql in every database and in template1,
# so databases made afterwards (the sqlx tests' own) have the lookup too. Exports PGBOUNCER_PORT and
# PGBOUNCER_STATS_URL (its console, for SHOW POOLS). Debian's PgBouncer refuses to run as root, so
# as root it runs as `postgres`.
PGBOUNCER_POOLER_PASSWORD=pooler-test-password
PGBOUNCER_STATS_PASSWORD=stats-test-password
PGBOUNCER_SERVER_PASSWORD=server-test-password
pgbouncer_start() {
  local dir=$1 port=$2 pgport=$3 root db kv key
  shift 3
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  command -v pgbouncer >/dev/null || { echo "pgbouncer is not installed (scripts/setup-system.sh installs it)" >&2; return 1; }
  mkdir -p "$dir"
  for db in $(psql "postgres://postgres@127.0.0.1:$pgport/postgres" -XAtqc "select datname from pg_database where datallowconn"); do
    psql "postgres://postgres@127.0.0.1:$pgport/$db" -Xq -v ON_ERROR_STOP=1 \
      -c "set client_min_messages = warning" -f "$root/deploy/pgbouncer/auth.sql" >/dev/null
  done
  psql "postgres://postgres@127.0.0.1:$pgport/postgres" -Xq -v ON_ERROR_STOP=1 \
    -c "alter role branch_desk_pooler password '$PGBOUNCER_POOLER_PASSWORD'" \
    -c "alter role branch_desk_server password '$PGBOUNCER_SERVER_PASSWORD'" >/dev/null
  printf '"branch_desk_pooler" "%s"\n"branch_desk_server" "%s"\n"branch_desk_stats" "%s"\n' \
    "$PGBOUNCER_POOLER_PASSWORD" "$PGBOUNCER_SERVER_PASSWORD" "$PGBOUNCER_STATS_PASSWORD" >"$dir/userlist.txt"
  sed -e "s|^\* = host=127.0.0.1 port=5432 |* = host=127.0.0.1 port=$pgport |" \
      -e "s|^listen_port = .*|listen_port = $port|" \
      -e "s|^logfile = .*|logfile = $dir/pgbouncer.log|" \
      -e "s|^pidfile = .*|pidfile = $dir/pgbouncer.pid|" \
      -e "s|^auth_file = .*|auth_file = $dir/userlist.txt|" \
      "$root/deploy/pgbouncer/pgbouncer.ini" >"$dir/pgbouncer.ini"
  for kv in "$@"; do
    key=${kv%%=*}
    grep -q "^$key = " "$dir/pgbouncer.ini" || { echo "pgbouncer_start: no setting $key in pgbouncer.ini" >&2; return 1; }
    sed -i "s|^$key = .*|$key = ${kv#*=}|" "$dir/pgbouncer.ini"
  done
  [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
  pg_as_owner pgbouncer -d -q "$dir/pgbouncer.ini" || { tail -20 "$dir/pgbouncer.log"; return 1; }
  local i
  for i in $(seq 50); do
    PGPASSWORD=$PGBOUNCER_STATS_PASSWORD psql "postgres://branch_desk_stats@127.0.0.1:$port/pgbouncer" -XAtqc "show version" >/dev/null 2>&1 && break
    sleep 0.1
  done
  export PGBOUNCER_PORT=$port
  export PGBOUNCER_STATS_URL="postgres://branch_desk_stats:$PGBOUNCER_STATS_PASSWORD@127.0.0.1:$port/pgbouncer"
  echo "started PgBouncer $(pgbouncer --version | head -1 | cut -d' ' -f2) on 127.0.0.1:$port in front of 127.0.0.1:$pgport"
}

pgbouncer_stop() {
  local dir=$1 pid
  [ -f "$dir/pgbouncer.pid" ] || return 0
  pid=$(cat "$dir/pgbouncer.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/pgbouncer.pid"
}
