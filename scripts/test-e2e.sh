#!/usr/bin/env bash
# End-to-end test through the real Branch Desk window: builds the debug app with the UI
# embedded (ui/dist, not the dev server), then under xvfb-run starts tauri-driver with Debian's
# WebKitWebDriver and drives the window with e2e/desk.e2e.mjs. Screenshots go to artifacts/e2e/.
#
# Env: CARGO_TARGET_DIR     where cargo builds (default: target/ in the repo)
#      E2E_SKIP_SETUP=1     skip scripts/setup-app.sh
#      E2E_SKIP_BUILD=1     reuse the binary already built
#      E2E_TIMEOUT=600      seconds allowed for the window part (the build has its own limit)
#      E2E_BUILD_TIMEOUT=3600
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
ARTIFACTS="$ROOT/artifacts/e2e"
BIN="$TARGET_DIR/debug/branch-desk"

say() { printf '[test-e2e] %s\n' "$*"; }
die() { printf '[test-e2e] ERROR: %s\n' "$*" >&2; exit 1; }

if [ "${E2E_SKIP_SETUP:-0}" != 1 ]; then
  "$ROOT/scripts/setup-app.sh"
fi
command -v tauri-driver >/dev/null || die "tauri-driver not found (scripts/setup-app.sh installs it)"
[ -x /usr/bin/WebKitWebDriver ] || die "/usr/bin/WebKitWebDriver not found (apt package webkit2gtk-driver)"
command -v xvfb-run >/dev/null || die "xvfb-run not found (apt package xvfb)"

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
  say "building the debug app with the UI embedded (target dir $TARGET_DIR)"
  started=$SECONDS
  # `tauri build` runs the UI build (beforeBuildCommand) and compiles with the
  # custom-protocol feature, so the binary serves ui/dist instead of loading the dev server.
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET_DIR" timeout "${E2E_BUILD_TIMEOUT:-3600}" \
    ui/node_modules/.bin/tauri build --debug --no-bundle --ci) ||
    die "building the app failed (see the cargo output above)"
  say "build took $((SECONDS - started)) s"
fi
[ -x "$BIN" ] || die "no app binary at $BIN"

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
state="$(mktemp -d)"
pgid_file="$state/driver.pgid"

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
  rm -rf "$state"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A fresh home so the app starts at first run (no desk.toml, no demo database yet), and no OS
# keyring: passwords stay in memory.
home="$state/home"
mkdir -p "$home/.config" "$home/.local/share" "$home/.cache" "$home/Downloads"

say "driving the app under Xvfb (limit ${E2E_TIMEOUT:-600} s)"
started=$SECONDS
# No GPU here: keep WebKitGTK on its software paths. NO_AT_BRIDGE quiets the missing a11y bus.
setsid env \
  BRANCH_DESK_BIN="$BIN" E2E_ARTIFACTS="$ARTIFACTS" E2E_DRIVER_PGID_FILE="$pgid_file" \
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache" \
  XDG_DOWNLOAD_DIR="$home/Downloads" BRANCH_DESK_NO_KEYRING=1 \
  WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1 NO_AT_BRIDGE=1 \
  timeout -k 10 "${E2E_TIMEOUT:-600}" \
  xvfb-run -a -s "-screen 0 1366x768x24 -nolisten tcp" \
  node "$ROOT/e2e/desk.e2e.mjs" &
group=$!
status=0
wait "$group" || status=$? # the group may outlive this (e.g. after a timeout): cleanup waits for it
say "window part took $((SECONDS - started)) s"
case "$status" in
  0) say "passed; screenshots in $ARTIFACTS" ;;
  124) die "timed out after ${E2E_TIMEOUT:-600} s (screenshots so far in $ARTIFACTS)" ;;
  *) die "failed with status $status (screenshots and failure-page.html in $ARTIFACTS)" ;;
esac
