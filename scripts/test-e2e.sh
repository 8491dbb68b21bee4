#!/usr/bin/env bash
# End-to-end test through the real Branch Desk window: under xvfb-run, starts tauri-driver with
# Debian's WebKitWebDriver and drives the app with e2e/desk.e2e.mjs. Screenshots go to
# artifacts/e2e/ (or $E2E_ARTIFACTS).
#
# Suites (E2E_SUITES, comma-separated, run in order in one home, each starting the app afresh):
#   demo      first run on the embedded demo database (the default)
#   club      connect to a real PostgreSQL through the setup screen, class bookings, waitlist,
#             cancel, check-in, no-show, CSV export, the database going away and coming back
#   upgraded  after a package upgrade (scripts/test-installer.sh runs it)
#
# Env: BRANCH_DESK_BIN      the app binary to drive (e.g. the installed /usr/bin/branch-desk);
#                           unset: build the debug app with the UI embedded and drive that
#      CARGO_TARGET_DIR     where cargo builds (default: target/ in the repo)
#      E2E_SKIP_SETUP=1     skip scripts/setup-app.sh
#      E2E_HOME             the app's home (kept); unset: a fresh one, removed afterwards
#      E2E_PG_DIR, E2E_CLUB_PORT   the club suite's cluster, already seeded (see club_database);
#                           unset: a throwaway one is made, seeded and removed here
#      E2E_CLUB_DESK_PORT   the port the desk is given (PgBouncer's in front of the cluster);
#                           unset: the cluster's, or with E2E_POOLER=1 a PgBouncer started here
#      E2E_WINDOW           WIDTHxHEIGHT for the app's window (e.g. 1024x768, its minimum);
#                           unset: the window's own size, 1366x768
#      E2E_TIMEOUT=900      seconds allowed for the window part
#      E2E_BUILD_TIMEOUT=3600
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
ARTIFACTS="${E2E_ARTIFACTS:-$ROOT/artifacts/e2e}"
SUITES="${E2E_SUITES:-demo}"
# shellcheck source=scripts/pg.sh
source "$ROOT/scripts/pg.sh"

say() { printf '[test-e2e] %s\n' "$*"; }
die() { printf '[test-e2e] ERROR: %s\n' "$*" >&2; exit 1; }

if [ "${E2E_SKIP_SETUP:-0}" != 1 ]; then
  "$ROOT/scripts/setup-app.sh"
fi
command -v tauri-driver >/dev/null || die "tauri-driver not found (scripts/setup-app.sh installs it)"
[ -x /usr/bin/WebKitWebDriver ] || die "/usr/bin/WebKitWebDriver not found (apt package webkit2gtk-driver)"
command -v xvfb-run >/dev/null || die "xvfb-run not found (apt package xvfb)"

BIN="${BRANCH_DESK_BIN:-}"
if [ -z "$BIN" ]; then
  BIN="$TARGET_DIR/debug/branch-desk"
  say "building the debug app with the UI embedded (target dir $TARGET_DIR)"
  started=$SECONDS
  # `tauri build` runs the UI build (beforeBuildCommand) and compiles with the
  # custom-protocol feature, so the binary serves ui/dist instead of loading the dev server.
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET_DIR" timeout "${E2E_BUILD_TIMEOUT:-3600}" \
    ui/node_modules/.bin/tauri build --debug --no-bundle --ci -- --locked) ||
    die "building the app failed (see the cargo output above)"
  say "build took $((SECONDS - started)) s"
fi
[ -x "$BIN" ] || die "no app binary at $BIN"

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/failure-page.html
state="$(mktemp -d)"
chmod 755 "$state" # the postgres user reaches a throwaway cluster in here
pgid_file="$state/driver.pgid"
own_cluster=""
own_bouncer=""

# Run the whole window part in its own process group, and on any exit kill that group and the
# driver's group (tauri-driver, WebKitWebDriver, the app) by their recorded ids.
group=""
cleanup() {
  local status=$? i
  if [ -n "$group" ] && kill -0 -- "-$group" 2>/dev/null; then
    kill -TERM -- "-$group" 2>/dev/null || true
    for i in $(seq 20); do # give the test up to 10 s to close its session
      kill -0 -- "-$group" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$group" 2>/dev/null || true
  fi
  if [ -s "$pgid_file" ]; then kill -KILL -- "-$(cat "$pgid_file")" 2>/dev/null || true; fi
  if [ -n "$own_bouncer" ]; then pgbouncer_stop "$own_bouncer"; fi
  if [ -n "$own_cluster" ]; then pg_stop "$own_cluster"; fi
  rm -rf "$state"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The club suite's database: a cluster that requires passwords, a `club` database migrated and
# seeded with the demo club, and a desk role for London with a password. E2E_PG_DIR and
# E2E_CLUB_PORT name a cluster set up before (the installer test keeps one across two runs).
export E2E_CLUB_ROLE="${E2E_CLUB_ROLE:-desk_ldn_e2e}" E2E_CLUB_PASSWORD="${E2E_CLUB_PASSWORD:-front-desk-e2e-pw}"
club_database() {
  if [ -z "${E2E_PG_DIR:-}" ]; then
    E2E_PG_DIR="$state/club-pg"
    E2E_CLUB_PORT="$(pg_free_port)"
    own_cluster="$E2E_PG_DIR"
    say "starting and seeding the club database (migrations, demo club, desk role $E2E_CLUB_ROLE)"
    pg_club "$E2E_PG_DIR" "$E2E_CLUB_PORT" "$E2E_CLUB_ROLE" "$E2E_CLUB_PASSWORD"
  fi
  if [ -n "${E2E_POOLER:-}" ] && [ -z "${E2E_CLUB_DESK_PORT:-}" ]; then
    own_bouncer="$state/pgbouncer"
    pgbouncer_start "$own_bouncer" "$(pg_free_port)" "$E2E_CLUB_PORT"
    export E2E_CLUB_DESK_PORT="$PGBOUNCER_PORT"
  fi
  export E2E_PG_DIR E2E_CLUB_PORT E2E_CLUB_HOST=127.0.0.1 E2E_CLUB_DATABASE=club
  export E2E_CLUB_URL="postgres://postgres@127.0.0.1:$E2E_CLUB_PORT/club"
}
case ",$SUITES," in *,club,*|*,upgraded,*) club_database ;; esac

# A fresh home (unless E2E_HOME is given) so the app starts at first run (no desk.toml, no demo
# database yet), and no OS keyring: passwords stay in memory. Exports go to ~/Downloads.
home="${E2E_HOME:-$state/home}"
mkdir -p "$home/.config" "$home/.local/share" "$home/.cache" "$home/Downloads"
printf 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n' >"$home/.config/user-dirs.dirs"
rm -f "$home/Downloads"/*.csv

say "suites $SUITES on $BIN under Xvfb (limit ${E2E_TIMEOUT:-900} s)"
started=$SECONDS
# No GPU here: keep WebKitGTK on its software paths. NO_AT_BRIDGE quiets the missing a11y bus.
setsid env \
  BRANCH_DESK_BIN="$BIN" E2E_SUITES="$SUITES" E2E_ARTIFACTS="$ARTIFACTS" E2E_DRIVER_PGID_FILE="$pgid_file" \
  E2E_DOWNLOADS="$home/Downloads" \
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache" \
  BRANCH_DESK_NO_KEYRING=1 \
  WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1 NO_AT_BRIDGE=1 \
  timeout -k 10 "${E2E_TIMEOUT:-900}" \
  xvfb-run -a -s "-screen 0 1366x768x24 -nolisten tcp" \
  node "$ROOT/e2e/desk.e2e.mjs" &
group=$!
status=0
wait "$group" || status=$? # the group may outlive this (e.g. after a timeout): cleanup waits for it
say "window part took $((SECONDS - started)) s"
case "$status" in
  0) say "passed; screenshots in $ARTIFACTS" ;;
  124) die "timed out after ${E2E_TIMEOUT:-900} s (screenshots so far in $ARTIFACTS)" ;;
  *) die "failed with status $status (screenshots and failure-page.html in $ARTIFACTS)" ;;
esac
