#!/usr/bin/env bash
# The app's own figures (issue: benchmarks, item 5), printed and written as Markdown:
#   - cold start to first screen: process start until the UI asks for its first screen
#   - embedded database ready: process start until the demo database is open, on the very first
#     start (migrations and seeding the demo club) and on the next start (already seeded)
#   - idle memory: the app's resident set (RSS) 10 s after the database is ready
#   - sizes: the release binary and the .deb
# The timings come from the app's own start-up log lines (src-tauri/src/startup.rs).
#
# Usage: scripts/bench-app.sh [BINARY] [DEB] [OUT.md]
#        default BINARY target/release/branch-desk, DEB the newest in target/release/bundle/deb
# Runs the app under xvfb-run with a fresh home; needs xvfb (scripts/setup-app.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${1:-$TARGET_DIR/release/branch-desk}"
DEB="${2:-$(ls -t "$TARGET_DIR"/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)}"
OUT="${3:-$ROOT/bench-results/app.md}"
[ -x "$BIN" ] || { echo "[bench-app] no app binary at $BIN (build it with: ui/node_modules/.bin/tauri build)" >&2; exit 1; }

say() { printf '[bench-app] %s\n' "$*"; }
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT

# rss_of PID...: their resident memory together, in MiB.
rss_of() {
  local total=0 p kb
  for p in "$@"; do
    kb="$(awk '/VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)"
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}

descendants() {
  local child
  for child in $(pgrep -P "$1" || true); do
    echo "$child"
    descendants "$child"
  done
}

# start LABEL: runs the app until its database is open, then 10 s idle; prints "first db rss".
start() {
  local log="$home/$1.log" pid app first db rss waited=0
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    BRANCH_DESK_NO_KEYRING=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1 NO_AT_BRIDGE=1 \
    RUST_LOG=info,startup=info NO_COLOR=1 \
    setsid xvfb-run -a -s "-screen 0 1366x768x24 -nolisten tcp" "$BIN" 2>"$log" >/dev/null &
  pid=$!
  until grep -q "database opened" "$log" 2>/dev/null; do
    sleep 0.5
    waited=$((waited + 1))
    if [ "$waited" -gt 1200 ] || ! kill -0 "$pid" 2>/dev/null; then
      say "the app did not open its database (log: $(tail -5 "$log"))" >&2
      kill -- "-$pid" 2>/dev/null || true
      return 1
    fi
  done
  sleep 10
  app="$(pgrep -n -f "^$BIN" || true)"
  # shellcheck disable=SC2046
  rss="$(rss_of "$app")/$(rss_of "$app" $(descendants "$app"))"
  first="$(sed -n 's/.*startup: first screen.*ms=\([0-9]*\).*/\1/p' "$log" | head -1)"
  db="$(sed -n 's/.*startup: database opened.*ms=\([0-9]*\).*/\1/p' "$log" | head -1)"
  # Close the app itself first (a signal to the whole group was seen to leave it running), then
  # whatever is left of xvfb-run's group.
  [ -n "$app" ] && kill -TERM "$app" 2>/dev/null
  for _ in $(seq 20); do kill -0 "$app" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "${first:-?} ${db:-?} ${rss}"
}

say "first start (fresh home: creates, migrates and seeds the demo database)"
read -r first1 db1 rss1 < <(start first)
say "second start (the demo database exists)"
read -r first2 db2 rss2 < <(start second)
bin_mb="$(du -m "$BIN" | cut -f1)"
deb_mb="$( [ -f "$DEB" ] && du -m "$DEB" | cut -f1 || echo "?")"

mkdir -p "$(dirname "$OUT")"
{
  echo "| figure | first start | next start |"
  echo "| --- | ---: | ---: |"
  echo "| cold start to first screen | ${first1} ms | ${first2} ms |"
  echo "| embedded demo database ready | ${db1} ms | ${db2} ms |"
  echo "| idle memory, app / with its WebKit processes (RSS, 10 s after ready) | ${rss1} MiB | ${rss2} MiB |"
  echo "| release binary | ${bin_mb} MiB | |"
  echo "| .deb | ${deb_mb} MiB | |"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), load $(cut -d' ' -f1 /proc/loadavg) at the end; binary $BIN."
} | tee "$OUT"
